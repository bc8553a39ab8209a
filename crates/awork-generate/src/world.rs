//! The simulated workspace: the users, clients, projects, task lists, tasks, time entries and
//! absences that events are about, and the clock of the story.
//!
//! The world stores awork's own models and keeps what awork derives (a project's task counts, planned
//! and tracked time, a task's tracked time, its assignees' planned effort) up to date as the story
//! changes them, so that an event always shows the state the story has reached, and every change
//! gives the changed entity a new `resourceVersion`. It is bounded: past a size, the oldest closed
//! work is forgotten (it stays in awork, the story just no longer touches it), so a run of millions of
//! events keeps memory flat.
//!
//! Deciding which event happens next is the story's job (the crate's private `story` module).

use std::collections::BTreeMap;

use awork_models::entities::{
    Absence, Assignee, Break, Comment, Company, ContactInfo, CustomField, Double, NestedCompany,
    NestedProject, NestedTask, NestedUser, ParentTask, Project, ProjectMember, ProjectStatus,
    ProjectType, Tag, TagObject, Task, TaskList, TaskStatus, Team, TimeTracking, TypeOfWork, User,
    UserStatus,
};
use awork_models::{AworkDateTime, TimeOfDay, TriggeredBy};
use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use fake::rand::RngExt;
use fake::rand::seq::IndexedRandom;
use serde_json::Value;

use crate::ids::{self, zulu};
use crate::{Rng, calendar, text};

/// Most entities of a kind the story keeps in play.
pub const MAX_PROJECTS: usize = 40;
/// Most tasks in play.
pub const MAX_TASKS: usize = 400;
/// Most time entries in play.
pub const MAX_TIME_ENTRIES: usize = 400;
/// Most absences in play.
pub const MAX_ABSENCES: usize = 60;
/// Most clients in play.
pub const MAX_COMPANIES: usize = 40;
/// Most users in the workspace.
pub const MAX_USERS: usize = 40;
/// Most comments kept (on tasks and projects together).
pub const MAX_COMMENTS: usize = 400;

/// A project with what belongs to it.
#[derive(Debug, Clone)]
pub struct ProjectState {
    /// The project as stored, its counts and sums kept up to date (see [`World::adjust_project`]).
    pub project: Project,
    /// Its statuses: not started, in progress, stuck, closed.
    pub statuses: Vec<ProjectStatus>,
    /// Its task statuses: to do, in progress, review, done.
    pub task_statuses: Vec<TaskStatus>,
    /// Its task lists.
    pub lists: Vec<TaskList>,
    /// The number the next task gets.
    pub next_task_number: i64,
}

/// A task or time entry as the world keeps it: boxed, beside short keys of the ids it is looked up
/// by.
///
/// Finding a task by id, or a project's tasks and time entries, scans the kept ones; comparing keys
/// stored in the vector itself spares following each box and each id string. A key is the first 8 bytes of an id,
/// so equal keys are confirmed on the ids themselves. Invariant: the ids the keys are taken from (a
/// task's own id and project, an entry's task and project) never change once kept.
#[derive(Debug, Clone)]
pub struct Kept<T> {
    model: Box<T>,
    /// The key of the task: a task's own id, a time entry's task.
    task: u64,
    /// The key of the project the task or time entry belongs to.
    project: u64,
}

impl<T> Kept<T> {
    /// The model, out of the world.
    pub fn into_model(self) -> Box<T> {
        self.model
    }

    /// A copy of the model, for an event.
    pub fn to_model(&self) -> Box<T>
    where
        T: Clone,
    {
        self.model.clone()
    }
}

impl Kept<Task> {
    /// A task to keep.
    pub fn task(model: Box<Task>) -> Self {
        Kept {
            task: id_key(Some(&model.id)),
            project: id_key(model.project_id.as_deref()),
            model,
        }
    }

    /// Whether this task belongs to the project with this id.
    pub fn in_project(&self, id: &str) -> bool {
        self.project == id_key(Some(id)) && self.model.project_id.as_deref() == Some(id)
    }
}

impl Kept<TimeTracking> {
    /// A time entry to keep.
    pub fn time_entry(model: Box<TimeTracking>) -> Self {
        Kept {
            task: id_key(model.task_id.as_deref()),
            project: id_key(model.project_id.as_deref()),
            model,
        }
    }

    /// Whether this time entry is booked on the task with this id.
    pub fn on_task(&self, id: &str) -> bool {
        self.task == id_key(Some(id)) && self.model.task_id.as_deref() == Some(id)
    }

    /// Whether this time entry is booked on the project with this id.
    pub fn in_project(&self, id: &str) -> bool {
        self.project == id_key(Some(id)) && self.model.project_id.as_deref() == Some(id)
    }
}

impl<T> std::ops::Deref for Kept<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.model
    }
}

impl<T> std::ops::DerefMut for Kept<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.model
    }
}

/// The key of an id: its first 8 bytes (zero-padded), or 0 for none.
fn id_key(id: Option<&str>) -> u64 {
    let mut bytes = [0; 8];
    if let Some(id) = id {
        let length = id.len().min(8);
        bytes[..length].copy_from_slice(&id.as_bytes()[..length]);
    }
    u64::from_le_bytes(bytes)
}

/// The simulated workspace.
pub struct World {
    /// The story's random source.
    pub rng: Rng,
    /// The workspace's subdomain (`<subdomain>.awork.com`).
    pub subdomain: String,
    /// The story's clock: the moment of the latest event. Only [`World::advance`] (and
    /// [`World::follow_wall_clock`], forward) moves it.
    pub now: DateTime<Utc>,
    /// The wall clock's time, when the story is told as it happens (see
    /// [`World::follow_wall_clock`]): the clock runs no further.
    wall_clock: Option<DateTime<Utc>>,
    /// Whether waiting for someone's free time may run the clock past the wall clock: while an
    /// event of a type asked for is made (see [`crate::Generator::next_events_of`]), so that a
    /// time entry asked for at a stopped clock still happens, once somebody has had the time.
    pub may_run_ahead: bool,
    /// When the working day of `now` began (local [`calendar::DAY_STARTS`]), the earliest start of
    /// a time entry today: computed once per tick rather than for every user asked.
    day_start: DateTime<Utc>,
    /// `now` as an entity date, formatted once per tick rather than for every entity that mentions it.
    stamp: AworkDateTime,
    /// The last midnight written as a UTC date and as a local date: a day's time entries all write
    /// the same dates, and formatting one costs more than copying it.
    midnights: [Option<(NaiveDate, AworkDateTime)>; 2],
    /// Users; the first is the workspace's owner, who is never deactivated or deleted.
    pub users: Vec<User>,
    /// Clients.
    pub companies: Vec<Company>,
    /// Projects.
    pub projects: Vec<ProjectState>,
    /// Tasks. Boxed, as are time entries: these models are kilobytes large, and the story removes
    /// them from the middle and the front, which would otherwise move them all.
    pub tasks: Vec<Kept<Task>>,
    /// Time entries.
    pub time_entries: Vec<Kept<TimeTracking>>,
    /// Absences.
    pub absences: Vec<Absence>,
    /// Comments on tasks and projects, oldest first, as their events carried them.
    pub comments: Vec<Comment>,
    /// The workspace's tags.
    pub tags: Vec<TagObject>,
    /// The workspace's teams.
    pub teams: Vec<Team>,
    /// The workspace's types of work.
    pub types_of_work: Vec<TypeOfWork>,
    /// The workspace's project types.
    pub project_types: Vec<ProjectType>,
    /// Project roles: (id, name) of manager and member.
    pub roles: [(String, &'static str); 2],
    /// The statuses of private tasks, which belong to no project: to do and done.
    pub private_task_statuses: [TaskStatus; 2],
    /// Each user's time so far, by user id: what a new time entry of theirs must not overlap.
    pub worklogs: BTreeMap<String, Worklog>,
    /// The ids of the workspace's custom field definitions (see [`World::custom_field`]).
    pub custom_field_definitions: [String; 3],
}

/// What a new time entry is made of (see [`World::record_time_entry`]).
#[derive(Debug, Clone)]
pub struct TimeEntryRecord {
    /// Its id.
    pub id: String,
    /// The task it is booked on (an index of `tasks`), if any.
    pub task: Option<usize>,
    /// The project it is booked on (an index of `projects`): the task's, when on a task; `None`
    /// for an entry whose project was deleted and that is kept (see
    /// [`crate::writes::ProjectDeleteForm`]).
    pub project: Option<usize>,
    /// Whose time it is (an index of `users`).
    pub user: usize,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended; `None` while its timer runs.
    pub end: Option<DateTime<Utc>>,
    /// Whether its times keep their fractions of a second (a timer's do; a typed entry has whole
    /// seconds).
    pub keep_fractions: bool,
    /// Its breaks.
    pub breaks: Option<Vec<Break>>,
    /// Its IANA time zone, which its local dates and times are in (see [`local_clock`]).
    pub timezone: String,
    /// Its type of work.
    pub type_of_work: TypeOfWork,
    /// Its note.
    pub note: Option<String>,
    /// Whether it is billable.
    pub is_billable: bool,
    /// Whether it is billed.
    pub is_billed: bool,
    /// The id of the user who created it.
    pub creator: String,
}

/// How far the story's clock may be behind the wall clock it follows before it jumps forward (see
/// [`World::follow_wall_clock`]).
pub const WALL_CLOCK_LAG: TimeDelta = TimeDelta::minutes(15);

/// Whose a new project is (see [`World::new_project`]).
#[derive(Debug, Clone, Copy)]
pub enum ProjectFor {
    /// A client's (an index of `companies`).
    Client(usize),
    /// The agency's own, of this name (one of `text`'s internal projects).
    Agency(&'static str),
}

/// The time zone of the story's agency.
pub const BERLIN: &str = "Europe/Berlin";

/// An IANA time zone by its name (`Europe/Berlin`, `America/New_York`, `UTC`), as awork's time
/// entries name theirs; `None` for a name the tz database does not have.
pub fn time_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// What the clocks of `zone` show at `instant`, as a date and time tagged UTC (awork's local
/// times carry no offset); the instant as it is in UTC for no zone (a name the tz database does
/// not have).
pub fn local_clock(zone: Option<Tz>, instant: DateTime<Utc>) -> DateTime<Utc> {
    match zone {
        Some(zone) => instant.with_timezone(&zone).naive_local().and_utc(),
        None => instant,
    }
}

/// The instant the clocks of `zone` show as `local` (a date and time tagged UTC, as
/// [`local_clock`] gives them): the earlier of two in the hour a clock is set back, and for a
/// time skipped when it is set forward, that time at the offset before; `local` itself for no
/// zone.
pub fn local_to_utc(zone: Option<Tz>, local: DateTime<Utc>) -> DateTime<Utc> {
    let Some(zone) = zone else {
        return local;
    };
    let local = local.naive_utc();
    match zone.from_local_datetime(&local) {
        LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => instant.to_utc(),
        LocalResult::None => {
            let before = zone
                .offset_from_utc_datetime(&(local - TimeDelta::days(1)))
                .fix();
            local.and_utc() - TimeDelta::seconds(i64::from(before.local_minus_utc()))
        }
    }
}

/// What a user's time allows next.
#[derive(Debug, Clone, Default)]
pub struct Worklog {
    /// When the user's latest time entry ended: a new one starts later.
    pub busy_until: Option<DateTime<Utc>>,
    /// The id of the user's running timer: while it runs, the user tracks nothing else.
    pub running: Option<String>,
}

/// The shortest stretch of free time a new entry is tracked in.
const SHORTEST_ENTRY_MINUTES: i64 = 10;

/// The types of work of the workspace, by name (the names are [`text`]'s, which has notes for each).
const TYPES_OF_WORK: &[(&str, &str)] = &[
    (text::DESIGN, "brush"),
    (text::PROJECT_MANAGEMENT, "work"),
    (text::DEVELOPMENT, "code"),
    (text::COPYWRITING, "edit"),
    (text::CONSULTING, "forum"),
    (text::INTERNAL_WORK, "home"),
];

/// The workspace's project types (the names awork's own German workspaces use, ENTITIES.md §4.1b).
const PROJECT_TYPES: &[(&str, &str)] = &[
    (text::CLIENT_PROJECT, "work"),
    (text::INTERNAL_PROJECT, "favorite"),
    (text::RETAINER, "autorenew"),
];

const TEAMS: &[(&str, &str)] = &[
    ("Design", "paintbrush"),
    ("Entwicklung", "code"),
    ("Beratung", "shopping_cart"),
];

/// Project status types with the `typeOrder` awork gives them. Only `not-started` = 2 is evidenced;
/// the others are guesses that keep awork's order of the types.
/// The names are a German workspace's (`"In Planung"`, `"Läuft"` are evidenced, ENTITIES.md §4.1a).
const PROJECT_STATUSES: &[(&str, &str, i64)] = &[
    ("In Planung", "not-started", 2),
    ("Läuft", "progress", 3),
    ("Hängt", "stuck", 4),
    ("Abgeschlossen", "closed", 5),
];

/// A German workspace's task statuses (`"In Bearbeitung"`, `"Fertig"` are evidenced, ENTITIES.md
/// §4.2a).
const TASK_STATUSES: &[(&str, &str, &str)] = &[
    ("Zu erledigen", "todo", "radio_button_unchecked"),
    ("In Bearbeitung", "progress", "arrow_forward"),
    ("Review", "review", "visibility"),
    ("Fertig", "done", "check_circle"),
];

impl World {
    /// A new workspace: an owner and a small team, tags, teams, types of work and project types, at
    /// `start`, or when `None` at a Monday morning of 2025 chosen by the seed (the same draws are made
    /// either way, so a start changes the story's times alone, not its workspace).
    pub fn new(mut rng: Rng, start: Option<DateTime<Utc>>) -> World {
        let subdomain = text::subdomain(&mut rng);
        let monday = NaiveDate::from_ymd_opt(2025, 1, 6).expect("valid date")
            + TimeDelta::weeks(rng.random_range(0..52));
        let morning = calendar::at_local_hour(monday, calendar::DAY_STARTS)
            + TimeDelta::seconds(rng.random_range(0..3600));
        let now = start.unwrap_or(morning);
        let custom_field_definitions = [
            ids::uuid(&mut rng),
            ids::uuid(&mut rng),
            ids::uuid(&mut rng),
        ];
        let roles = [
            (ids::uuid(&mut rng), "Projektmanager"),
            (ids::uuid(&mut rng), "Projektmitglied"),
        ];
        let mut world = World {
            subdomain,
            now,
            wall_clock: None,
            may_run_ahead: false,
            day_start: day_start_of(now),
            stamp: zulu(now),
            midnights: [None, None],
            users: Vec::new(),
            companies: Vec::new(),
            projects: Vec::new(),
            tasks: Vec::new(),
            time_entries: Vec::new(),
            absences: Vec::new(),
            comments: Vec::new(),
            tags: Vec::new(),
            teams: Vec::new(),
            types_of_work: Vec::new(),
            project_types: Vec::new(),
            roles,
            private_task_statuses: [TaskStatus::default(), TaskStatus::default()],
            worklogs: BTreeMap::new(),
            custom_field_definitions,
            rng,
        };
        world.private_task_statuses =
            [TASK_STATUSES[0], TASK_STATUSES[3]].map(|(name, kind, icon)| TaskStatus {
                id: world.id(),
                name: Some(name.into()),
                kind: Some(kind.into()),
                icon: Some(icon.into()),
                ..TaskStatus::default()
            });
        world.tags = text::tags(&mut world.rng)
            .into_iter()
            .map(|name| TagObject {
                id: Some(world.id()),
                name: name.into(),
                color: Some(text::color(&mut world.rng).into()),
                ..TagObject::default()
            })
            .collect();
        world.teams = TEAMS
            .iter()
            .map(|(name, icon)| Team {
                id: world.id(),
                name: Some((*name).into()),
                icon: Some((*icon).into()),
                color: Some(text::color(&mut world.rng).into()),
                ..Team::default()
            })
            .collect();
        world.types_of_work = TYPES_OF_WORK
            .iter()
            .map(|(name, icon)| TypeOfWork {
                id: world.id(),
                name: Some((*name).into()),
                icon: Some((*icon).into()),
                is_archived: Some(false),
                ..TypeOfWork::default()
            })
            .collect();
        world.project_types = PROJECT_TYPES
            .iter()
            .map(|(name, icon)| ProjectType {
                id: world.id(),
                name: Some((*name).into()),
                icon: Some((*icon).into()),
                is_archived: Some(false),
                ..ProjectType::default()
            })
            .collect();
        // The team that was there before the story starts: the owner and about twenty colleagues,
        // all active.
        let team_size = world.rng.random_range(16..24);
        for _ in 0..team_size {
            let owner = world.users.first().map(|user| user.id.clone());
            let mut user = world.new_user(owner.as_deref());
            user.status = Some(UserStatus {
                invitation_accepted: Some(true),
                is_deactivated: Some(false),
                ..UserStatus::default()
            });
            world.users.push(user);
        }
        world
    }

    /// A new id.
    pub fn id(&mut self) -> String {
        ids::uuid(&mut self.rng)
    }

    /// Moves the clock forward by a few seconds to a quarter of an hour at full pace, and returns the
    /// new moment: the time between two events of the story (see [`World::advance`]).
    pub fn tick(&mut self) -> DateTime<Utc> {
        self.advance(20..900)
    }

    /// A tick while waiting for somebody's free time: at the wall clock, it passes the wall clock
    /// only when the clock may run ahead ([`World::may_run_ahead`]); otherwise no time passes.
    /// Whether time passed.
    pub fn tick_waiting(&mut self) -> bool {
        if !self.at_wall_clock() {
            self.tick();
            return true;
        }
        if !self.time_may_pass() {
            return false;
        }
        let wall = self.wall_clock.take();
        self.tick();
        self.wall_clock = wall;
        true
    }

    /// Moves the clock forward by a number of seconds drawn from `seconds` (at least one), stretched
    /// by the time of day (`calendar::slowness`: the first hour, lunch and the last hour are
    /// quieter), skipping nights, weekends and public holidays to the next working day's start
    /// (plus up to an hour: people arrive between 08:00 and 09:00), and returns the new moment with
    /// a random sub-second part. When the story follows the wall clock and the moment would be
    /// later, the clock stops at the wall clock's time instead (a tick, 100 ns, after the previous
    /// moment once it is there, so that versions still increase), so that events are stamped as
    /// they happen.
    pub fn advance(&mut self, seconds: std::ops::Range<i64>) -> DateTime<Utc> {
        let drawn = self.rng.random_range(seconds);
        let pace = calendar::slowness(calendar::local(self.now).time());
        let mut next = self.now + TimeDelta::seconds(drawn * pace);
        // The webhook of the last event of a day fires within the day, too.
        if !calendar::is_working_time(next + TimeDelta::seconds(1)) {
            next =
                calendar::next_day_start(next) + TimeDelta::seconds(self.rng.random_range(0..3600));
        }
        self.now = match self.wall_clock {
            Some(wall) if next > wall => wall.max(self.now + TimeDelta::nanoseconds(100)),
            _ => ids::with_random_ticks(&mut self.rng, next),
        };
        self.day_start = day_start_of(self.now);
        self.stamp = zulu(self.now);
        self.now
    }

    /// Tells the story as it happens, at the wall clock's time `wall`: the clock never runs past it
    /// (see [`World::advance`]), and when it is more than [`WALL_CLOCK_LAG`] behind it, it jumps to
    /// that much before it, as a night does; it never goes back. Nothing is drawn from the random
    /// source, so the same calls give the same story.
    pub fn follow_wall_clock(&mut self, wall: DateTime<Utc>) {
        self.wall_clock = Some(wall);
        if self.now < wall - WALL_CLOCK_LAG {
            self.now = wall - WALL_CLOCK_LAG;
            self.day_start = day_start_of(self.now);
            self.stamp = zulu(self.now);
        }
    }

    /// Stops the clock at `wall`, as [`World::follow_wall_clock`] does, without moving it: a story
    /// told up to `wall` at its own pace (see [`crate::Generator::tell_history_until`]).
    pub fn stop_clock_at(&mut self, wall: DateTime<Utc>) {
        self.wall_clock = Some(wall);
    }

    /// The wall clock the story follows, if it does (see [`World::follow_wall_clock`]).
    pub fn wall_clock(&self) -> Option<DateTime<Utc>> {
        self.wall_clock
    }

    /// Whether the clock has reached the wall clock it follows (see [`World::follow_wall_clock`]):
    /// no more time passes until the wall clock moves on.
    pub fn at_wall_clock(&self) -> bool {
        self.wall_clock.is_some_and(|wall| self.now >= wall)
    }

    /// Whether [`World::tick_waiting`] lets time pass: before the wall clock always, at it only
    /// when the clock may run ahead.
    pub fn time_may_pass(&self) -> bool {
        !self.at_wall_clock() || self.may_run_ahead
    }

    /// The moment `now` as an entity date.
    pub fn stamp(&self) -> AworkDateTime {
        self.stamp.clone()
    }

    /// A random active user (the owner is always active), as the short record an event names its
    /// actor with: the story changes the world while it still needs the actor, so it takes a copy,
    /// and the whole user would be many times the cost.
    pub fn actor(&mut self) -> TriggeredBy {
        let index =
            pick(&mut self.rng, &self.users, is_active).expect("the owner is always active");
        triggered_by(&self.users[index])
    }

    /// Midnight of `date` in UTC (`…T00:00:00Z`), as time entries write their UTC dates.
    fn utc_midnight(&mut self, date: NaiveDate) -> AworkDateTime {
        self.midnight(0, date, awork_models::day_start)
    }

    /// Midnight of `date` without an offset, as time entries write their local dates.
    fn local_midnight(&mut self, date: NaiveDate) -> AworkDateTime {
        self.midnight(1, date, |date| {
            AworkDateTime::local(date.and_hms_opt(0, 0, 0).expect("valid"))
        })
    }

    fn midnight(
        &mut self,
        slot: usize,
        date: NaiveDate,
        write: fn(NaiveDate) -> AworkDateTime,
    ) -> AworkDateTime {
        match &self.midnights[slot] {
            Some((cached, text)) if *cached == date => text.clone(),
            _ => {
                let text = write(date);
                self.midnights[slot] = Some((date, text.clone()));
                text
            }
        }
    }

    /// The index of the user with this id. Ids are random, so their first 8 bytes tell most
    /// apart without a call to compare the rest: the story looks up every assignee of every task
    /// it scans (an event of serve's story at the wall clock took 26 % less time).
    pub fn user_index(&self, id: &str) -> Option<usize> {
        let head = |id: &str| id.as_bytes().first_chunk::<8>().copied();
        let key = head(id);
        self.users
            .iter()
            .position(|user| head(&user.id) == key && user.id == id)
    }

    /// A new user who was just invited, created by `inviter`.
    pub fn new_user(&mut self, inviter: Option<&str>) -> User {
        let id = self.id();
        let (first_name, last_name) = text::person(&mut self.rng);
        let created = self.stamp();
        let email = format!(
            "{}.{}@{}.de",
            text::ascii(&first_name),
            text::ascii(&last_name),
            self.subdomain.replace('-', "")
        );
        let team = self
            .teams
            .choose(&mut self.rng)
            .cloned()
            .expect("teams exist");
        // A German workspace: most use it in German, a few in English.
        let language = if self.rng.random_bool(0.85) {
            "de-DE"
        } else {
            "en-GB"
        };
        User {
            id: id.clone(),
            first_name: Some(first_name),
            last_name: Some(last_name),
            // The owner runs the agency; the team has the titles of a design agency.
            position: Some(match inviter {
                None => text::OWNER_POSITION.into(),
                Some(_) => text::position(&mut self.rng).into(),
            }),
            language: Some(language.into()),
            status: Some(UserStatus {
                invitation_accepted: Some(false),
                is_deactivated: Some(false),
                ..UserStatus::default()
            }),
            is_deactivated: Some(false),
            is_archived: Some(false),
            has_image: Some(self.rng.random_bool(0.6)),
            should_migrate_to_connect: Some(false),
            user_contact_infos: Some(vec![ContactInfo {
                id: Some(self.id()),
                label: Some("Work".into()),
                value: Some(email),
                kind: Some("email".into()),
                sub_type: Some("work".into()),
                is_address: Some(false),
                ..ContactInfo::default()
            }]),
            tags: Some(Vec::new()),
            teams: Some(vec![team]),
            resource_version: Some(ids::ticks(self.now)),
            is_external: Some(false),
            created_on: Some(created.clone()),
            created_by: Some(inviter.unwrap_or(&id).to_owned()),
            updated_on: Some(created),
            updated_by: Some(inviter.unwrap_or(&id).to_owned()),
            ..User::default()
        }
    }

    /// A new client.
    pub fn new_company(&mut self, creator: &str) -> Company {
        let (name, industry, [street, zip, city, country]) = text::client(&mut self.rng);
        let created = self.stamp();
        let tags = self.some_tags(1);
        Company {
            id: self.id(),
            name,
            industry: Some(industry.into()),
            has_image: Some(self.rng.random_bool(0.5)),
            company_contact_infos: Some(vec![ContactInfo {
                id: Some(self.id()),
                label: Some("Office".into()),
                kind: Some("address".into()),
                sub_type: Some("central".into()),
                is_address: Some(true),
                address_line1: Some(street),
                zip_code: Some(zip),
                city: Some(city),
                country: Some(country),
                ..ContactInfo::default()
            }]),
            tags: Some(tags),
            projects_count: Some(0),
            projects_in_progress_count: Some(0),
            resource_version: Some(ids::ticks(self.now)),
            is_external: Some(false),
            created_on: Some(created.clone()),
            created_by: Some(creator.to_owned()),
            updated_on: Some(created),
            updated_by: Some(creator.to_owned()),
            ..Company::default()
        }
    }

    /// The key of a new project named `name`, as awork derives it: the name's initials
    /// (`text::project_key`), numbered from 2 when a project in play has them already (`WR2`).
    pub fn new_project_key(&self, name: &str) -> String {
        let initials = text::project_key(name);
        let taken = |key: &str| {
            self.projects
                .iter()
                .any(|state| state.project.project_key.as_deref() == Some(key))
        };
        if !taken(&initials) {
            return initials;
        }
        (2..)
            .map(|number| format!("{initials}{number}"))
            .find(|key| !taken(key))
            .expect("some number is free")
    }

    /// A new project's statuses (not started, in progress, stuck, closed) and task statuses (to do,
    /// in progress, review, done), created now by `creator`.
    pub fn new_statuses(
        &mut self,
        project_id: &str,
        creator: &str,
    ) -> (Vec<ProjectStatus>, Vec<TaskStatus>) {
        let created = self.stamp();
        let statuses = PROJECT_STATUSES
            .iter()
            .map(|(name, kind, order)| ProjectStatus {
                type_order: Some(*order),
                is_archived: Some(false),
                kind: Some((*kind).into()),
                name: Some((*name).into()),
                id: self.id(),
                ..ProjectStatus::default()
            })
            .collect();
        let task_statuses = TASK_STATUSES
            .iter()
            .enumerate()
            .map(|(order, (name, kind, icon))| TaskStatus {
                id: self.id(),
                name: Some((*name).into()),
                kind: Some((*kind).into()),
                order: Some((order as i64).into()),
                icon: Some((*icon).into()),
                project_id: Some(project_id.to_owned()),
                created_on: Some(created.clone()),
                created_by: Some(creator.to_owned()),
                updated_on: Some(created.clone()),
                updated_by: Some(creator.to_owned()),
                ..TaskStatus::default()
            })
            .collect();
        (statuses, task_statuses)
    }

    /// A new project for a client or of the agency's own, created by the user with the id `creator`
    /// who becomes its responsible manager, with one to three more members.
    pub fn new_project(&mut self, creator: &str, owner: ProjectFor) -> ProjectState {
        let id = self.id();
        let created = self.stamp();
        let (statuses, task_statuses) = self.new_statuses(&id, creator);
        let company_index = match owner {
            ProjectFor::Client(index) => Some(index),
            ProjectFor::Agency(_) => None,
        };
        let name = match owner {
            // Unique among the client's projects.
            ProjectFor::Client(index) => {
                let company_id = self.companies[index].id.as_str();
                let taken = self
                    .projects
                    .iter()
                    .filter(|state| state.project.company_id.as_deref() == Some(company_id))
                    .map(|state| state.project.name.as_str());
                text::client_project_name(&mut self.rng, taken)
            }
            ProjectFor::Agency(name) => name.to_owned(),
        };
        let creator_index = self.user_index(creator).expect("the creator is a user");
        let mut members = vec![self.member(&id, creator_index, 0, true)];
        // Indices rather than clones of the users: sampling depends only on how many there are.
        let others: Vec<usize> = (0..self.users.len())
            .filter(|&index| is_active(&self.users[index]) && self.users[index].id != creator)
            .collect();
        let how_many = self.rng.random_range(1..4).min(others.len());
        for &user in others.sample(&mut self.rng, how_many) {
            members.push(self.member(&id, user, 1, false));
        }
        // Both on working days, the due date after the start.
        let start = calendar::working_day_from(
            self.now.date_naive() + TimeDelta::days(self.rng.random_range(0..14)),
        );
        let due =
            calendar::working_day_from(start + TimeDelta::weeks(self.rng.random_range(2..20)));
        // A client's project is a one-off or a retainer; a project without a client is internal.
        let type_name = match company_index {
            None => text::INTERNAL_PROJECT,
            Some(_) if self.rng.random_bool(0.25) => text::RETAINER,
            Some(_) => text::CLIENT_PROJECT,
        };
        let project_type = self.project_type(type_name);
        let retainer = project_type.name.as_deref() == Some(text::RETAINER);
        // A client's one-off project is now and then left without a type, as in awork's example.
        let typed = type_name != text::CLIENT_PROJECT || self.rng.random_bool(0.8);
        let custom_fields = company_index.is_some() && self.rng.random_bool(0.3);
        let tags = self.some_tags(2);
        let team = self.teams.choose(&mut self.rng).expect("teams exist");
        let company = company_index.map(|index| &self.companies[index]);
        let project = Project {
            id,
            has_image: Some(false),
            created_on: Some(created.clone()),
            created_by: Some(creator.to_owned()),
            updated_on: Some(created),
            updated_by: Some(creator.to_owned()),
            project_status: Some(statuses[0].clone()),
            tags: Some(tags),
            members: Some(members),
            teams: Some(if self.rng.random_bool(0.5) {
                vec![team.clone()]
            } else {
                Vec::new()
            }),
            project_status_id: Some(statuses[0].id.clone()),
            project_key: Some(self.new_project_key(&name)),
            name,
            is_private: Some(self.rng.random_bool(0.1)),
            time_budget: Some(self.rng.random_range(0..200) * 3600),
            is_billable_by_default: Some(company.is_some()),
            description: self
                .rng
                .random_bool(0.7)
                .then(|| text::project_description(&mut self.rng, Some(type_name)).into()),
            // Optional properties are now and then absent, as in awork's own example (ENTITIES.md §2).
            start_date: self
                .rng
                .random_bool(0.75)
                .then(|| awork_models::day_start(start)),
            due_date: self
                .rng
                .random_bool(0.7)
                .then(|| awork_models::day_start(due)),
            company_id: company.map(|company| company.id.clone()),
            company: company.map(nested_company),
            project_type_id: typed.then(|| project_type.id.clone()),
            project_type: typed.then_some(project_type),
            color: self
                .rng
                .random_bool(0.7)
                .then(|| text::color(&mut self.rng).into()),
            custom_fields: custom_fields.then(|| vec![self.custom_field(0)]),
            deduct_non_billable_hours: Some(false),
            planned_duration: Some(0),
            tasks_count: Some(0),
            tasks_done_count: Some(0),
            tracked_duration: Some(0),
            resource_version: Some(ids::ticks(self.now)),
            is_external: Some(false),
            is_retainer: Some(retainer),
            is_multi_assignment_allowed: Some(true),
            ..Project::default()
        };
        ProjectState {
            project,
            statuses,
            task_statuses,
            lists: Vec::new(),
            next_task_number: 1,
        }
    }

    /// A membership record of `user` (an index of `users`) in the project with the id `project_id`,
    /// with the given role (0 manager, 1 member), and no time budget of its own (`0`, as in awork's
    /// 2022 payload, ENTITIES.md §4.1d).
    pub fn member(
        &mut self,
        project_id: &str,
        user: usize,
        role: usize,
        responsible: bool,
    ) -> ProjectMember {
        let id = self.id();
        let user = &self.users[user];
        ProjectMember {
            id,
            project_id: Some(project_id.to_owned()),
            time_budget: Some(0),
            user_id: Some(user.id.clone()),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            has_image: user.has_image,
            project_role_id: Some(self.roles[role].0.clone()),
            project_role_name: Some(self.roles[role].1.into()),
            is_responsible: Some(responsible),
            is_deactivated: user.is_deactivated,
            ..ProjectMember::default()
        }
    }

    /// A new task list in a project.
    pub fn new_task_list(&mut self, project: usize, creator: &str) -> TaskList {
        let created = self.stamp();
        let order = self.projects[project].lists.len() as i64 + 1;
        TaskList {
            id: self.id(),
            name: Some(text::task_list_name(&mut self.rng).into()),
            order: Some(order.into()),
            is_archived: Some(false),
            is_hidden_for_connect_users: Some(false),
            tracked_duration: Some(0),
            created_on: Some(created.clone()),
            created_by: Some(creator.to_owned()),
            updated_on: Some(created),
            updated_by: Some(creator.to_owned()),
            ..TaskList::default()
        }
    }

    /// A new task in a project, in its first status, assigned to one of its members; a subtask of
    /// the task `parent` (an index of `tasks`) when given.
    pub fn new_task(&mut self, project: usize, creator: &str, parent: Option<usize>) -> Task {
        let created = self.stamp();
        let state = &self.projects[project];
        let status = state.task_statuses[0].clone();
        let number = state.next_task_number;
        let key = state.project.project_key.clone();
        let project_id = state.project.id.clone();
        let list = state.lists.choose(&mut self.rng).cloned();
        // A task of what the project is: the agency's own work, or a client's, its type of work
        // fitting its name.
        let internal = state.project.company_id.is_none();
        let (name, type_name) = text::task(&mut self.rng, &state.project.name, internal);
        self.projects[project].next_task_number += 1;
        let id = self.id();
        let type_of_work = self.type_of_work(type_name);
        let planned = self.rng.random_range(1..17) * 1800;
        let members = self.projects[project]
            .project
            .members
            .as_deref()
            .unwrap_or_default();
        let assignees = members
            .choose(&mut self.rng)
            .and_then(|member| self.user(member.user_id.as_deref()?))
            .map(|user| vec![assignee(user, planned, &created)])
            .unwrap_or_default();
        // Due on a working day; now and then a start, on a working day no later.
        let due_in = self.rng.random_range(1..30);
        let today = self.now.date_naive();
        let due = calendar::working_day_from(today + TimeDelta::days(due_in))
            .and_hms_opt(17, 0, 0)
            .expect("valid");
        let start_on = self.rng.random_bool(0.3).then(|| {
            let start = calendar::working_day_from(
                today + TimeDelta::days(self.rng.random_range(0..due_in)),
            );
            zulu(start.and_hms_opt(8, 0, 0).expect("valid").and_utc())
        });
        let tags = self.some_tags(1);
        let custom_fields = self
            .rng
            .random_bool(0.15)
            .then(|| vec![self.custom_field(1)]);
        let parent_task = parent.map(|parent| self.parent_task(parent));
        Task {
            id: id.clone(),
            name: name.into(),
            description: self
                .rng
                .random_bool(0.4)
                .then(|| text::task_description(&mut self.rng).into()),
            is_prio: Some(self.rng.random_bool(0.15)),
            due_on: (start_on.is_some() || self.rng.random_bool(0.7)).then(|| zulu(due.and_utc())),
            start_on,
            custom_fields,
            lane_order: Some(0),
            planned_duration: Some(planned),
            base_type: Some("projecttask".into()),
            task_status_id: Some(status.id.clone()),
            task_status: Some(status),
            type_of_work_id: Some(type_of_work.id.clone()),
            type_of_work: Some(type_of_work),
            assignees: Some(assignees),
            project_id: Some(project_id),
            task_number: Some(number),
            task_identifier: key.map(|key| format!("{key}-{number}")),
            // A subtask's correlation id is its parent's.
            correlation_id: Some(parent_task.as_ref().map_or(id, |parent| parent.id.clone())),
            is_subtask: Some(parent_task.is_some()),
            parent_id: parent_task.as_ref().map(|parent| parent.id.clone()),
            parent_task,
            has_attachment: Some(false),
            lists: Some(
                list.into_iter()
                    .map(|list| task_order_list(list, Default::default()))
                    .collect(),
            ),
            tags: Some(tags),
            ..self.new_task_record(created, creator, planned)
        }
    }

    /// When a new time entry of the user with this id may start, on something that exists since
    /// `since`: after their latest entry, after `since`, and within today's working hours; `None` when
    /// a timer of theirs runs, or less than a short entry's time is free before now.
    pub fn free_from(&self, user_id: &str, since: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let log = self.worklogs.get(user_id);
        if log.is_some_and(|log| log.running.is_some()) {
            return None;
        }
        let from = [
            Some(self.day_start),
            since,
            log.and_then(|log| log.busy_until),
        ]
        .into_iter()
        .flatten()
        .max()
        .expect("the day's start is there");
        // Two minutes to spare, for entries in whole minutes.
        (self.now - from >= TimeDelta::minutes(SHORTEST_ENTRY_MINUTES + 2)).then_some(from)
    }

    /// Whether some active user has time free now ([`World::free_from`] with nothing to wait
    /// for): without one, no task and no project finds anybody to book time on it, whenever it
    /// was created (a later `since` only shortens the free time).
    pub fn someone_is_free(&self) -> bool {
        self.users
            .iter()
            .any(|user| is_active(user) && self.free_from(&user.id, None).is_some())
    }

    /// Whether the user with this id may start a timer now: none of theirs runs and their latest
    /// entry has ended.
    pub fn may_start_a_timer(&self, user_id: &str) -> bool {
        self.worklogs.get(user_id).is_none_or(|log| {
            log.running.is_none() && log.busy_until.is_none_or(|until| until <= self.now)
        })
    }

    /// Whether some active user may start a timer now ([`World::may_start_a_timer`]).
    pub fn someone_may_start_a_timer(&self) -> bool {
        self.users
            .iter()
            .any(|user| is_active(user) && self.may_start_a_timer(&user.id))
    }

    /// The summary of a task (an index of `tasks`) that its subtasks carry.
    pub fn parent_task(&self, parent: usize) -> ParentTask {
        let parent = &self.tasks[parent];
        ParentTask {
            id: parent.id.clone(),
            name: Some(parent.name.clone()),
            created_by: parent.created_by.clone(),
            assignee_ids: Some(
                parent
                    .assignees
                    .iter()
                    .flatten()
                    .map(|assignee| assignee.id.clone())
                    .collect(),
            ),
            ..ParentTask::default()
        }
    }

    /// Keeps a new task, and counts it in its project (an index of `projects`, for a project's
    /// task) and its parent (an index of `tasks`, for a subtask): their counts, planned time and
    /// versions. Returns its index.
    pub fn add_task(
        &mut self,
        task: Box<Task>,
        project: Option<usize>,
        parent: Option<usize>,
    ) -> usize {
        let planned = task.planned_duration.unwrap_or(0);
        let done = i64::from(task.closed_on.is_some());
        self.tasks.push(Kept::task(task));
        if let Some(project) = project {
            self.adjust_project(project, 1, done, planned);
        }
        if let Some(parent) = parent {
            let parent_task = &mut self.tasks[parent];
            parent_task.number_of_subtasks = Some(parent_task.number_of_subtasks.unwrap_or(0) + 1);
            self.add_totals(parent, 0, planned);
        }
        self.tasks.len() - 1
    }

    /// Removes a task (an index of `tasks`) and returns it: it no longer counts in its parent and
    /// its project, and the comments on it are forgotten. Its time entries are the caller's to
    /// remove or keep.
    pub fn remove_task(&mut self, index: usize) -> Task {
        let mut task = *self.tasks.remove(index).into_model();
        task.project = self.task_project(&task);
        self.forget_comments_on(&task.id);
        let planned = task.planned_duration.unwrap_or(0);
        if let Some(parent) = task.parent_id.as_deref().and_then(|id| self.task_index(id)) {
            let parent_task = &mut self.tasks[parent];
            parent_task.number_of_subtasks = parent_task
                .number_of_subtasks
                .map(|count| count - 1)
                .filter(|count| *count > 0);
            self.add_totals(parent, 0, -planned);
        }
        if let Some(project) = task
            .project_id
            .as_deref()
            .and_then(|id| self.project_index(id))
        {
            let done = i64::from(task.closed_on.is_some());
            self.adjust_project(project, -1, -done, -planned);
        }
        task
    }

    /// Moves a task (an index of `tasks`) of a project (an index of `projects`) to one of the
    /// project's task statuses (an index of its `task_statuses`), or a private task (`None`) to
    /// one of `private_task_statuses`, changed now by `actor`: moving to a `done` status closes
    /// it, moving out of one opens it again, and the project counts its done tasks. Returns the
    /// id of the status it had.
    pub fn set_task_status(
        &mut self,
        index: usize,
        project: Option<usize>,
        status: usize,
        actor: &str,
    ) -> Option<String> {
        let now = self.stamp();
        let status = match project {
            Some(project) => self.projects[project].task_statuses[status].clone(),
            None => self.private_task_statuses[status].clone(),
        };
        let task = &mut self.tasks[index];
        let was_done = task.closed_on.is_some();
        let done = status.kind.as_deref() == Some("done");
        let old = task.task_status_id.replace(status.id.clone());
        task.task_status = Some(status);
        if done && !was_done {
            task.closed_on = Some(now.clone());
            task.closed_by = Some(actor.to_owned());
        } else if !done && was_done {
            task.closed_on = None;
            task.closed_by = None;
        }
        task.updated_on = Some(now);
        task.updated_by = Some(actor.to_owned());
        task.resource_version = Some(ids::ticks(self.now));
        if let Some(project) = project.filter(|_| done != was_done) {
            self.adjust_project(project, 0, if done { 1 } else { -1 }, 0);
        }
        old
    }

    /// Sets a task's (an index of `tasks`) planned duration, and what awork keeps in step with it:
    /// its assignees' planned effort, its totals and its parent's, and its project's planned time.
    /// Returns the duration it had.
    pub fn set_planned_duration(&mut self, index: usize, planned: i64) -> Option<i64> {
        let now = self.stamp();
        let task = &mut self.tasks[index];
        let old = task.planned_duration.replace(planned);
        distribute_planned_effort(task, &now);
        let delta = planned - old.unwrap_or(0);
        let (parent, project) = (task.parent_id.clone(), task.project_id.clone());
        self.add_totals(index, 0, delta);
        if let Some(parent) = parent.and_then(|id| self.task_index(&id)) {
            self.add_totals(parent, 0, delta);
        }
        if let Some(project) = project.and_then(|id| self.project_index(&id)) {
            self.adjust_project(project, 0, 0, delta);
        }
        old
    }

    /// Moves a project (an index of `projects`) to one of its statuses (an index of its
    /// `statuses`), changed now by `actor`: a `closed` status closes it, another opens it again.
    /// Returns the id of the status it had.
    pub fn set_project_status(
        &mut self,
        index: usize,
        status: usize,
        actor: &str,
    ) -> Option<String> {
        let now = self.stamp();
        let version = ids::ticks(self.now);
        let state = &mut self.projects[index];
        let status = state.statuses[status].clone();
        let closed = status.kind.as_deref() == Some("closed");
        let old = state.project.project_status_id.replace(status.id.clone());
        state.project.project_status = Some(status);
        if closed {
            state.project.closed_on = Some(now.clone());
            state.project.closed_by = Some(actor.to_owned());
        } else {
            state.project.closed_on = None;
            state.project.closed_by = None;
        }
        state.project.updated_on = Some(now);
        state.project.updated_by = Some(actor.to_owned());
        state.project.resource_version = Some(version);
        old
    }

    /// What every new task starts with, project or private: created and updated now by
    /// `creator`, its place (`order`, the one draw here, made after the caller's), nothing tracked,
    /// counted or scheduled yet, and `planned` as its total planned duration.
    pub fn new_task_record(&mut self, created: AworkDateTime, creator: &str, planned: i64) -> Task {
        Task {
            created_on: Some(created.clone()),
            created_by: Some(creator.to_owned()),
            updated_on: Some(created),
            updated_by: Some(creator.to_owned()),
            order: Some(self.rng.random_range(0..50).into()),
            is_recurring: Some(false),
            tracked_duration: Some(0),
            total_tracked_duration: Some(0),
            total_planned_duration: Some(planned),
            resource_version: Some(ids::ticks(self.now)),
            checklist_items_count: Some(0),
            checklist_items_done_count: Some(0),
            task_schedules_count: Some(0),
            is_completely_scheduled: Some(false),
            comment_count: Some(0),
            is_external: Some(false),
            is_hidden_for_connect_users: Some(false),
            ..Task::default()
        }
    }

    /// A new private task of a user (an index of `users`): `baseType` `private`, owned by the user
    /// (`userId`) and assigned to them, in no project, so without a project's key, number and lists;
    /// its status is the workspace's private "to do" (`taskStatus` is always there, ENTITIES.md
    /// §4.2).
    pub fn new_private_task(&mut self, owner: usize) -> Task {
        let created = self.stamp();
        let id = self.id();
        let type_of_work = self.type_of_work(text::INTERNAL_WORK);
        let planned = self.rng.random_range(1..5) * 1800;
        let user = &self.users[owner];
        let owner_id = user.id.clone();
        let assignees = vec![assignee(user, planned, &created)];
        Task {
            id: id.clone(),
            name: text::private_task_name(&mut self.rng).into(),
            task_status_id: Some(self.private_task_statuses[0].id.clone()),
            task_status: Some(self.private_task_statuses[0].clone()),
            is_prio: Some(false),
            lane_order: Some(0),
            planned_duration: Some(planned),
            base_type: Some("private".into()),
            type_of_work_id: Some(type_of_work.id.clone()),
            type_of_work: Some(type_of_work),
            assignees: Some(assignees),
            user_id: Some(owner_id.clone()),
            correlation_id: Some(id),
            is_subtask: Some(false),
            has_attachment: Some(false),
            lists: Some(Vec::new()),
            tags: Some(Vec::new()),
            ..self.new_task_record(created, &owner_id, planned)
        }
    }

    /// A new time entry of a user (an index of `users`) on a project (an index of `projects`), on one
    /// of its tasks (an index of `tasks`) or on the project alone: a stretch between `from` (see
    /// [`World::free_from`]) and now, now and then with a break, or a timer that still runs
    /// (always with `start_timer`), started after `from`. The user's worklog and the tracked time of
    /// the task and the project are brought up to date.
    pub fn new_time_entry(
        &mut self,
        task: Option<usize>,
        project: usize,
        user: usize,
        from: DateTime<Utc>,
        start_timer: bool,
    ) -> TimeTracking {
        // Drawn either way, so that the story's draws do not depend on `start_timer`.
        let running = self.rng.random_bool(0.04) || start_timer;
        let timer = running || self.rng.random_bool(0.5);
        // A timer's entry keeps the ticks of the moment it stopped, in seconds; a typed one is in
        // whole minutes, as awork's time picker writes them, within the minutes that are free.
        let (now, unit) = if timer {
            (self.now, 1)
        } else {
            (whole_minute(self.now), 60)
        };
        let free = (whole_second(now).timestamp() - from.timestamp() - 1) / unit;
        let (start, end, breaks) = if running {
            (
                (self.now - TimeDelta::seconds(self.rng.random_range(0..60))).max(from),
                None,
                None,
            )
        } else {
            let span = self
                .rng
                .random_range(SHORTEST_ENTRY_MINUTES * 60 / unit..=free.min(240 * 60 / unit));
            let gap = self.rng.random_range(0..=(free - span).min(600 / unit));
            let (span, gap) = (span * unit, gap * unit);
            let end = now - TimeDelta::seconds(gap);
            let start = end - TimeDelta::seconds(span);
            // A lunch or coffee break within a long stretch, now and then.
            let breaks = (span >= 2 * 3600 && self.rng.random_bool(0.25)).then(|| {
                let length = TimeDelta::minutes(self.rng.random_range(10..45));
                let begins = start + TimeDelta::seconds(span / 2 / unit * unit);
                vec![Break {
                    start_date: Some(zulu(begins)),
                    end_date: Some(zulu(begins + length)),
                    duration: Some(length.num_seconds()),
                    ..Break::default()
                }]
            });
            (start, Some(end), breaks)
        };
        let internal = self.projects[project].project.is_billable_by_default != Some(true);
        // The task's type of work; on the project alone, what such time is: organising it, or
        // internal work on an internal project.
        let type_of_work = match task {
            Some(task) => self.tasks[task]
                .type_of_work
                .clone()
                .expect("generated tasks have a type of work"),
            None => {
                let name = if internal {
                    text::INTERNAL_WORK
                } else {
                    text::pick(&mut self.rng, &[text::PROJECT_MANAGEMENT, text::CONSULTING])
                };
                self.type_of_work(name)
            }
        };
        let id = self.id();
        // Internal work on the agency's own project has that project's notes.
        let project_name = (internal && type_of_work.name.as_deref() == Some(text::INTERNAL_WORK))
            .then_some(self.projects[project].project.name.as_str());
        let note = self
            .rng
            .random_bool(0.85)
            .then(|| text::note(&mut self.rng, project_name, type_of_work.name.as_deref()).into());
        // Internal projects bill nothing; on client projects, now and then an entry is written off.
        let is_billable = !internal && self.rng.random_bool(0.9);
        let creator = self.users[user].id.clone();
        self.record_time_entry(TimeEntryRecord {
            id,
            task,
            project: Some(project),
            user,
            start,
            end,
            keep_fractions: timer,
            breaks,
            timezone: BERLIN.to_owned(),
            type_of_work,
            note,
            is_billable,
            is_billed: false,
            creator,
        })
    }

    /// The time entry a record describes, created now: its nested user, task and project, its dates
    /// in UTC and local time, its duration (without breaks). The user's worklog (busy until its end,
    /// or its timer running) and the tracked time of the task and the project are brought up to
    /// date. Nothing is drawn from the random source.
    pub fn record_time_entry(&mut self, record: TimeEntryRecord) -> TimeTracking {
        let TimeEntryRecord {
            id,
            task,
            project,
            user,
            start,
            end,
            keep_fractions,
            breaks,
            timezone,
            type_of_work,
            note,
            is_billable,
            is_billed,
            creator,
        } = record;
        let created = self.stamp();
        let break_duration: i64 = breaks
            .iter()
            .flatten()
            .filter_map(|pause| pause.duration)
            .sum();
        let duration = end.map(|end| (end - start).num_seconds() - break_duration);
        let nested_project = project.map(|project| self.nested_project(project));
        let project_id = project.map(|project| self.projects[project].project.id.clone());
        let nested_task = task.map(|task| self.nested_task(task));
        // Each local time at its own offset: a night's entry may span a change of the clocks.
        let zone = time_zone(&timezone);
        let local = |instant| local_clock(zone, instant);
        let start_date_utc = self.utc_midnight(start.date_naive());
        let start_date_local = self.local_midnight(local(start).date_naive());
        let end_date_utc = end.map(|end| self.utc_midnight(end.date_naive()));
        let end_date_local = end.map(|end| self.local_midnight(local(end).date_naive()));
        let version = ids::ticks(self.now);
        if let Some(duration) = duration {
            let task_id = nested_task.as_ref().map(|task| task.id.clone());
            self.add_tracked(task_id.as_deref(), project_id.as_deref(), duration);
        }
        let user = &self.users[user];
        let log = self.worklogs.entry(user.id.clone()).or_default();
        let busy_until = end.unwrap_or(self.now);
        if log.busy_until.is_none_or(|busy| busy < busy_until) {
            log.busy_until = Some(busy_until);
        }
        if end.is_none() {
            log.running = Some(id.clone());
        }
        TimeTracking {
            id,
            user_id: Some(user.id.clone()),
            user: Some(nested_user(user)),
            task_id: nested_task.as_ref().map(|task| task.id.clone()),
            task: nested_task,
            project_id,
            project: nested_project,
            type_of_work_id: type_of_work.id.clone(),
            type_of_work: Some(type_of_work),
            note,
            is_billable: Some(is_billable),
            is_billed: Some(is_billed),
            start_date_utc: Some(start_date_utc),
            start_time_utc: Some(clock_time(start, keep_fractions)),
            end_date_utc,
            end_time_utc: end.map(|end| clock_time(end, keep_fractions)),
            start_date_local: Some(start_date_local),
            start_time_local: Some(clock_time(local(start), keep_fractions)),
            end_date_local,
            end_time_local: end.map(|end| clock_time(local(end), keep_fractions)),
            timezone,
            duration,
            break_duration: Some(break_duration),
            breaks,
            resource_version: Some(version),
            is_external: Some(false),
            created_on: Some(created.clone()),
            created_by: Some(creator.clone()),
            updated_on: Some(created),
            updated_by: Some(creator),
            ..TimeTracking::default()
        }
    }

    /// The summary of a task (an index of `tasks`) that its time entries carry.
    fn nested_task(&self, task: usize) -> NestedTask {
        let task = &self.tasks[task];
        NestedTask {
            id: task.id.clone(),
            name: Some(task.name.clone()),
            base_type: task.base_type.clone(),
            task_identifier: task.task_identifier.clone(),
            task_status_id: task.task_status_id.clone(),
            type_of_work_id: task.type_of_work_id.clone(),
            project_id: task.project_id.clone(),
            planned_duration: task.planned_duration,
            closed_on: task.closed_on.clone(),
            // A `NestedTaskStatusModel`: no project or audit fields.
            task_status: task.task_status.as_ref().map(|status| TaskStatus {
                id: status.id.clone(),
                name: status.name.clone(),
                kind: status.kind.clone(),
                order: status.order.clone(),
                icon: status.icon.clone(),
                ..TaskStatus::default()
            }),
            created_by: task.created_by.clone(),
            correlation_id: task.correlation_id.clone(),
            parent_id: task.parent_id.clone(),
            ..NestedTask::default()
        }
    }

    /// Removes a time entry (an index of `time_entries`) and returns it: its time no longer counts
    /// on its task and project, and a timer of it no longer keeps its user busy.
    pub fn remove_time_entry(&mut self, index: usize) -> TimeTracking {
        let entry = *self.time_entries.remove(index).into_model();
        if let Some(duration) = entry.duration {
            self.add_tracked(
                entry.task_id.as_deref(),
                entry.project_id.as_deref(),
                -duration,
            );
        }
        if let Some(log) = entry
            .user_id
            .as_ref()
            .and_then(|id| self.worklogs.get_mut(id))
        {
            if log.running.as_deref() == Some(entry.id.as_str()) {
                log.running = None;
            }
        }
        entry
    }

    /// Sets the end of a time entry (an index of `time_entries`) whose timer runs or that is being
    /// shortened, and brings its duration, its user's worklog and the tracked time of its task and
    /// project up to date. Returns the old and the new duration.
    pub fn end_time_entry(&mut self, index: usize, end: DateTime<Utc>) -> (Option<i64>, i64) {
        let entry = &self.time_entries[index];
        let start = entry_start(entry).expect("generated entries have a start");
        let breaks = entry.break_duration.unwrap_or(0);
        let old = entry.duration;
        let new = (end - start).num_seconds() - breaks;
        // A timer's entry keeps its ticks; a typed one has whole seconds.
        let timer = entry
            .start_time_utc
            .as_ref()
            .is_some_and(|time| time.time().nanosecond() != 0);
        let local_end = local_clock(time_zone(&entry.timezone), end);
        let end_date_utc = self.utc_midnight(end.date_naive());
        let end_date_local = self.local_midnight(local_end.date_naive());
        let version = ids::ticks(self.now);
        let delta = new - old.unwrap_or(0);
        let (task_id, project_id, user_id, id) = {
            let entry = &mut self.time_entries[index];
            entry.end_date_utc = Some(end_date_utc);
            entry.end_time_utc = Some(clock_time(end, timer));
            entry.end_date_local = Some(end_date_local);
            entry.end_time_local = Some(clock_time(local_end, timer));
            entry.duration = Some(new);
            entry.resource_version = Some(version);
            (
                entry.task_id.clone(),
                entry.project_id.clone(),
                entry.user_id.clone(),
                entry.id.clone(),
            )
        };
        self.add_tracked(task_id.as_deref(), project_id.as_deref(), delta);
        if let Some(log) = user_id.and_then(|user| self.worklogs.get_mut(&user)) {
            if log.running.as_deref() == Some(id.as_str()) {
                log.running = None;
                log.busy_until = Some(end);
            }
        }
        (old, new)
    }

    /// Adds `delta` seconds to the tracked time of a task and a project (by id), and gives each a new
    /// version.
    pub fn add_tracked(&mut self, task: Option<&str>, project: Option<&str>, delta: i64) {
        let version = ids::ticks(self.now);
        if let Some(index) = task.and_then(|id| self.task_index(id)) {
            let task = &mut self.tasks[index];
            task.tracked_duration = Some(task.tracked_duration.unwrap_or(0) + delta);
            let parent = task.parent_id.clone();
            self.add_totals(index, delta, 0);
            if let Some(parent) = parent.and_then(|id| self.task_index(&id)) {
                self.add_totals(parent, delta, 0);
            }
        }
        if let Some(index) = project.and_then(|id| self.project_index(id)) {
            let project = &mut self.projects[index].project;
            project.tracked_duration = Some(project.tracked_duration.unwrap_or(0) + delta);
            project.resource_version = Some(version);
        }
    }

    /// Adds to a task's (an index of `tasks`) totals, its own and its subtasks' tracked and planned
    /// time, and gives it a new version.
    pub fn add_totals(&mut self, index: usize, tracked: i64, planned: i64) {
        let task = &mut self.tasks[index];
        task.total_tracked_duration = Some(task.total_tracked_duration.unwrap_or(0) + tracked);
        task.total_planned_duration = Some(task.total_planned_duration.unwrap_or(0) + planned);
        task.resource_version = Some(ids::ticks(self.now));
    }

    /// The index of the task with this id.
    pub fn task_index(&self, id: &str) -> Option<usize> {
        let key = id_key(Some(id));
        self.tasks
            .iter()
            .position(|task| task.task == key && task.id == id)
    }

    /// A custom field value of one of the workspace's definitions (0: the client's order number, a
    /// text; 1: story points, a number; 2: approved by the client, a yes or no).
    pub fn custom_field(&mut self, definition: usize) -> CustomField {
        let mut field = CustomField {
            custom_field_definition_id: Some(self.custom_field_definitions[definition].clone()),
            ..CustomField::default()
        };
        match definition {
            0 => {
                let number = self.rng.random_range(1000..9999);
                field.text_value = Some(format!("PO-{}-{number}", self.now.year()));
            }
            1 => {
                field.number_value = Some(
                    (*[1, 2, 3, 5, 8, 13]
                        .choose(&mut self.rng)
                        .expect("not empty"))
                    .into(),
                )
            }
            _ => field.boolean_value = Some(self.rng.random_bool(0.5)),
        }
        field
    }

    /// The workspace's project type of this name.
    pub fn project_type(&self, name: &str) -> ProjectType {
        self.project_types
            .iter()
            .find(|kind| kind.name.as_deref() == Some(name))
            .cloned()
            .expect("the workspace has every project type the text names")
    }

    /// The workspace's type of work of this name.
    pub fn type_of_work(&self, name: &str) -> TypeOfWork {
        self.types_of_work
            .iter()
            .find(|kind| kind.name.as_deref() == Some(name))
            .cloned()
            .expect("the workspace has every type of work the text names")
    }

    /// A new absence of a user (an index of `users`), starting within the next weeks.
    pub fn new_absence(&mut self, user: usize, creator: &str) -> Absence {
        let created = self.stamp();
        let (reason, working_days) = text::absence(&mut self.rng);
        // From a working day, over that many working days (a bridge day is one day).
        let first = calendar::working_day_from(
            self.now.date_naive() + TimeDelta::days(self.rng.random_range(1..60)),
        );
        let mut last = first;
        for _ in 1..working_days {
            last = calendar::working_day_from(last + TimeDelta::days(1));
        }
        let half_start = working_days > 1 && self.rng.random_bool(0.1);
        let start = if half_start {
            first.and_hms_opt(12, 0, 0)
        } else {
            first.and_hms_opt(0, 0, 0)
        }
        .expect("valid");
        Absence {
            id: self.id(),
            user_id: Some(self.users[user].id.clone()),
            start_on: Some(zulu(start.and_utc())),
            end_on: Some(zulu(last.and_hms_opt(23, 59, 59).expect("valid").and_utc())),
            description: Some(reason.into()),
            is_read_only: Some(false),
            is_half_day_on_start: Some(half_start),
            is_half_day_on_end: Some(false),
            created_on: Some(created.clone()),
            created_by: Some(creator.to_owned()),
            updated_on: Some(created),
            updated_by: Some(creator.to_owned()),
            ..Absence::default()
        }
    }

    /// Up to `most` of the workspace's tags.
    pub fn some_tags(&mut self, most: usize) -> Vec<Tag> {
        let count = self.rng.random_range(0..=most);
        self.tags
            .sample(&mut self.rng, count)
            .cloned()
            .map(Tag::Object)
            .collect()
    }

    /// The user with this id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.id == id)
    }

    /// The client with this id.
    pub fn company(&self, id: &str) -> Option<&Company> {
        self.companies.iter().find(|company| company.id == id)
    }

    /// The project with this id, with its statuses, task statuses and lists.
    pub fn project(&self, id: &str) -> Option<&ProjectState> {
        self.projects.iter().find(|state| state.project.id == id)
    }

    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.task_index(id).map(|index| &*self.tasks[index])
    }

    /// The index of the time entry with this id.
    pub fn time_entry_index(&self, id: &str) -> Option<usize> {
        self.time_entries.iter().position(|entry| entry.id == id)
    }

    /// The time entry with this id.
    pub fn time_entry(&self, id: &str) -> Option<&TimeTracking> {
        self.time_entry_index(id)
            .map(|index| &*self.time_entries[index])
    }

    /// The absence with this id.
    pub fn absence(&self, id: &str) -> Option<&Absence> {
        self.absences.iter().find(|absence| absence.id == id)
    }

    /// The comments on the task or project with this id, oldest first.
    pub fn comments_on<'w>(&'w self, entity_id: &'w str) -> impl Iterator<Item = &'w Comment> {
        self.comments
            .iter()
            .filter(move |comment| comment.entity_id.as_deref() == Some(entity_id))
    }

    /// The index of the project with this id.
    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects
            .iter()
            .position(|state| state.project.id == id)
    }

    /// A project as written into an event.
    pub fn project_entity(&self, index: usize) -> Box<Project> {
        Box::new(self.projects[index].project.clone())
    }

    /// Brings a project's (an index of `projects`) task counts and planned time up to date by these
    /// differences as its tasks come, go, close and change, and gives it a new version. The sums are
    /// kept rather than derived from the tasks in the world, so that forgotten tasks still count, as
    /// they do in awork.
    pub fn adjust_project(&mut self, index: usize, tasks: i64, done: i64, planned: i64) {
        let version = ids::ticks(self.now);
        let project = &mut self.projects[index].project;
        project.tasks_count = Some(project.tasks_count.unwrap_or(0) + tasks);
        project.tasks_done_count = Some(project.tasks_done_count.unwrap_or(0) + done);
        project.planned_duration = Some(project.planned_duration.unwrap_or(0) + planned);
        project.resource_version = Some(version);
    }

    /// A task as written into an event.
    pub fn task_entity(&self, index: usize) -> Box<Task> {
        let mut task = self.tasks[index].to_model();
        task.project = self.task_project(&task);
        task
    }

    /// The summary of a task's project that the task carries (`NestedProjectModelForTasks`,
    /// EVIDENCE in `ENTITIES.md` §4.2c): the time entries' summary plus the project's client id
    /// and colour. `None` for a private task.
    pub fn task_project(&self, task: &Task) -> Option<NestedProject> {
        let index = self.project_index(task.project_id.as_deref()?)?;
        let project = &self.projects[index].project;
        Some(NestedProject {
            company_id: project.company_id.clone(),
            color: project.color.clone(),
            ..self.nested_project(index)
        })
    }

    /// `entry` as awork reads it: the summaries of its task and project as they are now (awork
    /// builds them as it reads, so a renamed task or a task moved on shows in its entries). A task
    /// or project the world no longer keeps stays as the entry knew it.
    pub fn current_time_entry(&self, entry: &TimeTracking) -> TimeTracking {
        let task = entry.task_id.as_deref().and_then(|id| self.task_index(id));
        let project = entry
            .project_id
            .as_deref()
            .and_then(|id| self.project_index(id));
        TimeTracking {
            task: task.map_or_else(|| entry.task.clone(), |task| Some(self.nested_task(task))),
            project: project.map_or_else(
                || entry.project.clone(),
                |project| Some(self.nested_project(project)),
            ),
            ..entry.clone()
        }
    }

    /// `comment` as awork reads it: the names of what it is on as they are now.
    pub fn current_comment(&self, comment: &Comment) -> Comment {
        let mut comment = comment.clone();
        let id = comment.entity_id.as_deref();
        let (name, nested) = match comment.entity_type.as_deref() {
            Some("tasks") => (
                id.and_then(|id| self.task_index(id))
                    .map(|task| self.tasks[task].name.clone()),
                &mut comment.task,
            ),
            Some("projects") => (
                id.and_then(|id| self.project(id))
                    .map(|state| state.project.name.clone()),
                &mut comment.project,
            ),
            _ => return comment,
        };
        if let Some(name) = name {
            if let Some(Value::Object(nested)) = nested {
                nested.insert("name".to_owned(), Value::String(name.clone()));
            }
            if let Some(entity) = &mut comment.entity {
                entity.name = Some(name);
            }
        }
        comment
    }

    /// `company` as awork answers it: with the number of its projects and of those in status type
    /// `progress` (`projectsCount`, `projectsInProgressCount`), which awork computes.
    pub fn counted_company(&self, company: &Company) -> Company {
        let projects = self
            .projects
            .iter()
            .map(|state| &state.project)
            .filter(|project| project.company_id.as_deref() == Some(company.id.as_str()));
        let (mut count, mut in_progress) = (0, 0);
        for project in projects {
            count += 1;
            let kind = project
                .project_status
                .as_ref()
                .and_then(|status| status.kind.as_deref());
            if kind == Some("progress") {
                in_progress += 1;
            }
        }
        Company {
            projects_count: Some(count),
            projects_in_progress_count: Some(in_progress),
            ..company.clone()
        }
    }

    /// `list` as awork answers it: with the time tracked on the tasks in it (`trackedDuration`),
    /// which awork computes.
    pub fn counted_task_list(&self, list: &TaskList) -> TaskList {
        let tracked = self
            .tasks
            .iter()
            .filter(|task| task.lists.iter().flatten().any(|entry| entry.id == list.id))
            .filter_map(|task| task.tracked_duration)
            .sum();
        TaskList {
            tracked_duration: Some(tracked),
            ..list.clone()
        }
    }

    /// The summary of a project that time entries carry: only the properties of
    /// `ProjectModelForTimeTrackings` (no `companyId` or `color`), its status as a
    /// `NestedStatusModel` (no `typeOrder`), as awork serializes each nested model with its own class.
    pub fn nested_project(&self, index: usize) -> NestedProject {
        let project = &self.projects[index].project;
        NestedProject {
            id: project.id.clone(),
            name: Some(project.name.clone()),
            project_key: project.project_key.clone(),
            project_status: project.project_status.as_ref().map(|status| ProjectStatus {
                type_order: None,
                ..status.clone()
            }),
            company: project.company.clone(),
            project_type: project.project_type.clone(),
            has_image: project.has_image,
            is_private: project.is_private,
            is_billable_by_default: project.is_billable_by_default,
            created_by: project.created_by.clone(),
            is_external: project.is_external,
            ..NestedProject::default()
        }
    }

    /// The web link of a project.
    pub fn project_link(&self, id: &str) -> String {
        self.link("projects", id)
    }

    /// The web link of a task.
    pub fn task_link(&self, id: &str) -> String {
        self.link("tasks", id)
    }

    /// The web link of a user's profile.
    pub fn user_link(&self, id: &str) -> String {
        self.link("users", id)
    }

    /// The web link of a time entry: its task's, or its project's, or, booked on neither (its
    /// project was deleted), its user's.
    pub fn time_entry_link(&self, entry: &TimeTracking) -> String {
        match (&entry.task_id, &entry.project_id, &entry.user_id) {
            (Some(task), _, _) => self.task_link(task),
            (None, Some(project), _) => self.project_link(project),
            (None, None, user) => self.user_link(user.as_deref().unwrap_or_default()),
        }
    }

    /// The web link of a client.
    pub fn company_link(&self, id: &str) -> String {
        self.link("clients", id)
    }

    /// `https://<subdomain>.awork.com/<kind>/<id>`, pushed into one allocation of the right size
    /// (every event has a link, and `format!` would grow the string piece by piece).
    fn link(&self, kind: &str, id: &str) -> String {
        const HOST: &str = ".awork.com/";
        let mut link = String::with_capacity(
            "https://".len() + self.subdomain.len() + HOST.len() + kind.len() + 1 + id.len(),
        );
        for part in ["https://", &self.subdomain, HOST, kind, "/", id] {
            link.push_str(part);
        }
        link
    }

    /// Forgets the oldest closed work once the world is past its bounds, so that memory stays flat
    /// over long runs. Forgotten entities are never mentioned again.
    pub fn forget_old_work(&mut self) {
        if self.time_entries.len() > MAX_TIME_ENTRIES {
            let excess = self.time_entries.len() - MAX_TIME_ENTRIES;
            self.time_entries.drain(..excess);
        }
        if self.tasks.len() > MAX_TASKS {
            let excess = self.tasks.len() - MAX_TASKS;
            let forgotten: Vec<Kept<Task>> = self.tasks.drain(..excess).collect();
            // Keys first: this runs for every event once the tasks are at their cap, over every
            // kept time entry and comment, and comparing the ids themselves took a tenth of the
            // time it takes to make an event.
            self.time_entries.retain(|entry| {
                !forgotten
                    .iter()
                    .any(|task| entry.task == task.task && entry.on_task(&task.id))
            });
            self.comments.retain(|comment| {
                let on = comment.entity_id.as_deref();
                let key = id_key(on);
                !forgotten
                    .iter()
                    .any(|task| task.task == key && on == Some(task.id.as_str()))
            });
        }
        if self.absences.len() > MAX_ABSENCES {
            let excess = self.absences.len() - MAX_ABSENCES;
            self.absences.drain(..excess);
        }
        if self.comments.len() > MAX_COMMENTS {
            let excess = self.comments.len() - MAX_COMMENTS;
            self.comments.drain(..excess);
        }
    }

    /// Removes a project (an index of `projects`) with its tasks, their time entries and the comments
    /// on all of them, and returns it. Its tasks' time goes with it.
    pub fn remove_project(&mut self, index: usize) -> Project {
        let project = self.projects.remove(index).project;
        let id = project.id.as_str();
        let mut gone = vec![id.to_owned()];
        self.tasks.retain(|task| {
            let keep = !task.in_project(id);
            if !keep {
                gone.push(task.id.clone());
            }
            keep
        });
        self.time_entries.retain(|entry| !entry.in_project(id));
        self.comments.retain(|comment| {
            !gone
                .iter()
                .any(|entity| comment.entity_id.as_deref() == Some(entity.as_str()))
        });
        project
    }

    /// Forgets the oldest closed project, with its tasks, time entries and comments (it stays in
    /// awork; the story no longer mentions it), so that a full workspace makes room for a new one.
    /// Returns whether there was one.
    pub fn forget_oldest_closed_project(&mut self) -> bool {
        let closed = self
            .projects
            .iter()
            .position(|state| state.project.closed_on.is_some());
        if let Some(index) = closed {
            self.remove_project(index);
        }
        closed.is_some()
    }

    /// Forgets the oldest client without projects in play, so that a full workspace makes room for
    /// a new one. Returns whether there was one.
    pub fn forget_oldest_idle_client(&mut self) -> bool {
        let idle = self.companies.iter().position(|company| {
            !self
                .projects
                .iter()
                .any(|state| state.project.company_id.as_ref() == Some(&company.id))
        });
        if let Some(index) = idle {
            self.companies.remove(index);
        }
        idle.is_some()
    }

    /// Forgets the comments on a task or project that is gone.
    pub fn forget_comments_on(&mut self, entity_id: &str) {
        self.comments
            .retain(|comment| comment.entity_id.as_deref() != Some(entity_id));
    }
}

/// The index of a random item of `items` that passes `keep`, or `None` when none does.
///
/// It draws from the rng exactly as choosing from the list of the passing items would (one draw below
/// their count), so the story stays the same, but it allocates no list: a short list (the users, at
/// most [`MAX_USERS`]) is checked once, its passing indices noted on the stack; a longer one is
/// counted, then walked to the drawn item.
pub fn pick<T>(rng: &mut Rng, items: &[T], keep: impl Fn(&T) -> bool) -> Option<usize> {
    const SHORT: usize = 64;
    if items.len() <= SHORT {
        let mut passing = [0u8; SHORT];
        let mut count = 0;
        for (index, item) in items.iter().enumerate() {
            if keep(item) {
                passing[count] = index as u8;
                count += 1;
            }
        }
        if count == 0 {
            return None;
        }
        return Some(usize::from(passing[rng.random_range(..count)]));
    }
    let count = items.iter().filter(|item| keep(item)).count();
    if count == 0 {
        return None;
    }
    let nth = rng.random_range(..count);
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| keep(item))
        .nth(nth)
        .map(|(index, _)| index)
}

/// The record of a user as the actor of an event.
pub fn triggered_by(user: &User) -> TriggeredBy {
    TriggeredBy {
        id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        ..TriggeredBy::default()
    }
}

/// Whether a user can act: invitation accepted and not deactivated.
pub fn is_active(user: &User) -> bool {
    let accepted = user
        .status
        .as_ref()
        .and_then(|status| status.invitation_accepted)
        == Some(true);
    accepted && user.is_deactivated != Some(true)
}

/// The short user model of a user.
pub fn nested_user(user: &User) -> NestedUser {
    NestedUser {
        id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        has_image: user.has_image,
        is_external: user.is_external,
        ..NestedUser::default()
    }
}

/// The assignee record of a user.
pub fn assignee(user: &User, planned_effort: i64, updated_on: &AworkDateTime) -> Assignee {
    Assignee {
        id: user.id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        has_image: user.has_image,
        planned_effort: Some(planned_effort),
        is_distributed_planned_effort: Some(false),
        updated_on: Some(updated_on.clone()),
        is_external: user.is_external,
        ..Assignee::default()
    }
}

/// The client summary a project carries.
pub fn nested_company(company: &Company) -> NestedCompany {
    NestedCompany {
        id: company.id.clone(),
        name: Some(company.name.clone()),
        has_image: company.has_image,
        description: company.description.clone(),
        ..NestedCompany::default()
    }
}

/// A time of day as a time entry writes it: a running timer keeps its ticks, a typed entry whole
/// seconds.
fn clock_time(instant: DateTime<Utc>, timer: bool) -> TimeOfDay {
    let time = instant.time();
    TimeOfDay::new(if timer {
        time
    } else {
        time.with_nanosecond(0).expect("zero is valid")
    })
}

/// How many working days an absence spans.
pub fn working_days(absence: &Absence) -> u32 {
    let day = |date: Option<&AworkDateTime>| date.and_then(AworkDateTime::to_utc);
    let (Some(first), Some(last)) = (day(absence.start_on.as_ref()), day(absence.end_on.as_ref()))
    else {
        return 1;
    };
    first
        .date_naive()
        .iter_days()
        .take_while(|date| *date <= last.date_naive())
        .filter(|date| calendar::is_working_day(*date))
        .count() as u32
}

/// When the working day of `instant` began: local [`calendar::DAY_STARTS`] of its local date.
fn day_start_of(instant: DateTime<Utc>) -> DateTime<Utc> {
    calendar::at_local_hour(calendar::local(instant).date(), calendar::DAY_STARTS)
}

/// `instant` at the start of its minute.
fn whole_minute(instant: DateTime<Utc>) -> DateTime<Utc> {
    whole_second(instant) - TimeDelta::seconds(i64::from(instant.second()))
}

/// `instant` without its fraction of a second.
fn whole_second(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant.with_nanosecond(0).expect("zero is valid")
}

/// When a time entry ended, from its UTC date and time; `None` while its timer runs.
pub fn entry_end(entry: &TimeTracking) -> Option<DateTime<Utc>> {
    let date = entry.end_date_utc.as_ref()?.to_utc()?.date_naive();
    let time = entry.end_time_utc.as_ref()?.time();
    Some(date.and_time(time).and_utc())
}

/// Keeps the planned effort of a task's assignees in step with its planned duration, as awork does:
/// a sole assignee carries all of it; several share it evenly (`isDistributedPlannedEffort`), the
/// remainder of the division on the first, so that the efforts always add up to the duration.
pub fn distribute_planned_effort(task: &mut Task, now: &AworkDateTime) {
    let planned = task.planned_duration.unwrap_or(0);
    let Some(assignees) = task.assignees.as_mut().filter(|list| !list.is_empty()) else {
        return;
    };
    let count = assignees.len() as i64;
    let (share, remainder) = (planned / count, planned % count);
    for (position, assignee) in assignees.iter_mut().enumerate() {
        let effort = share + if position == 0 { remainder } else { 0 };
        if assignee.planned_effort != Some(effort) {
            assignee.planned_effort = Some(effort);
            assignee.updated_on = Some(now.clone());
        }
        assignee.is_distributed_planned_effort = Some(count > 1);
    }
}

/// A task list as a task carries it (a `TaskOrderList`): the list's properties but its tracked time,
/// and the task's place in it.
pub fn task_order_list(list: TaskList, order_of_task: Double) -> TaskList {
    TaskList {
        order_of_task: Some(order_of_task),
        tracked_duration: None,
        ..list
    }
}

/// When a time entry started, from its UTC date and time.
pub fn entry_start(entry: &TimeTracking) -> Option<DateTime<Utc>> {
    let date = entry.start_date_utc.as_ref()?.to_utc()?.date_naive();
    let time = entry.start_time_utc.as_ref()?.time();
    Some(date.and_time(time).and_utc())
}

#[cfg(test)]
mod tests {
    use fake::rand::SeedableRng;

    use super::*;

    #[test]
    fn forgetting_old_tasks_forgets_their_time_entries_and_comments_and_nothing_else() {
        let mut world = World::new(Rng::seed_from_u64(1), None);
        world.tasks.clear();
        world.time_entries.clear();
        world.comments.clear();
        // Every id starts with the same 8 bytes, so the keys say nothing and the ids decide.
        let id = |n: usize| format!("same-key-task-{n}");
        for n in 0..MAX_TASKS + 2 {
            world.tasks.push(Kept::task(Box::new(Task {
                id: id(n),
                ..Task::default()
            })));
        }
        for (n, task) in [0, 1, 2, 0, 5].into_iter().enumerate() {
            world
                .time_entries
                .push(Kept::time_entry(Box::new(TimeTracking {
                    id: format!("entry-{n}"),
                    task_id: Some(id(task)),
                    ..TimeTracking::default()
                })));
            world.comments.push(Comment {
                id: format!("comment-{n}"),
                entity_id: Some(id(task)),
                ..Comment::default()
            });
        }
        world.comments.push(Comment {
            id: "on-nothing".to_owned(),
            ..Comment::default()
        });
        world.forget_old_work();
        assert_eq!(world.tasks.len(), MAX_TASKS);
        assert_eq!(world.tasks[0].id, id(2), "the two oldest are forgotten");
        let entries: Vec<&str> = world.time_entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(entries, ["entry-2", "entry-4"]);
        let comments: Vec<&str> = world.comments.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(comments, ["comment-2", "comment-4", "on-nothing"]);
    }
}
