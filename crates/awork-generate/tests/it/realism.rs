//! The story reads as a German agency's year, as a domain expert would check it over 20,000 events
//! of seeds 1, 7 and 99: its rhythm (working days and hours), its proportions (time tracking first,
//! churn at an agency's rate), who does what (people act on their own time and comment where they
//! are members), its texts and its details. Each figure is measured once per seed, from the events
//! alone (this file computes Berlin's time and Germany's holidays on its own), and printed (run
//! with `--nocapture`: the README's figures come from here).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use awork_generate::{Generator, GeneratorConfig};
use awork_models::entities::{Entity, Project, Task};
use awork_models::{AworkDateTime, Naming};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};

/// Events per seed.
const EVENTS: usize = 20_000;
/// The seeds the story is read on.
const SEEDS: [u64; 3] = [1, 7, 99];

/// What a reader counts in one seed's story.
#[derive(Debug, Default)]
struct Figures {
    /// The days the story covers, first to last event.
    days: i64,
    /// Events by their API name.
    by_type: BTreeMap<String, usize>,
    /// Events on a weekend or a Berlin public holiday (local date).
    off_days: usize,
    /// Events by local hour.
    by_hour: [usize; 24],
    /// Due dates written (tasks and projects), and those on a weekend or holiday.
    due_dates: usize,
    due_off_days: usize,
    /// The largest share of events triggered by one user.
    top_actor: f64,
    /// Users who ever held the title Geschäftsführer:in.
    managing_directors: HashSet<String>,
    /// The most title changes of one user.
    most_title_changes: usize,
    /// Time-entry changes and deletions, and those by someone else than the entry's user.
    entry_changes: usize,
    entry_changes_by_others: usize,
    /// Comments, and those by someone not a member of the project.
    comments: usize,
    comments_by_non_members: usize,
    /// `task_updated`, and those of done tasks.
    task_updates: usize,
    task_updates_when_done: usize,
    /// `project_updated`, and those of closed projects.
    project_updates: usize,
    project_updates_when_closed: usize,
    /// Industry changes in `company_updated`.
    industry_updates: usize,
    /// Tasks and projects whose start is after their due date.
    start_after_due: usize,
    /// Private tasks without a status.
    private_without_status: usize,
    /// Members (in projects and member events) without their project's id or a time budget.
    members_without_project: usize,
    /// Typed time entries (whole seconds), and those not on whole minutes.
    typed_entries: usize,
    typed_off_minute: usize,
    /// Users or clients named after ID-card specimens.
    specimen_names: usize,
    /// Project keys that are not the initials of the project's name.
    keys_not_from_name: usize,
    /// Renames whose new name does not begin with the old name's base.
    unrelated_renames: usize,
    renames: usize,
    /// Notes on internal projects' entries that were also written on another project's entries.
    notes_off_project: usize,
    /// Project descriptions written under more than one project type.
    descriptions_off_type: usize,
}

/// Berlin's wall-clock time at an instant (EU summer time from the last Sunday of March to the last
/// Sunday of October, 01:00 UTC).
fn berlin(instant: DateTime<Utc>) -> NaiveDateTime {
    let year = instant.year();
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(year, month, 31).unwrap();
        while day.weekday() != Weekday::Sun {
            day -= TimeDelta::days(1);
        }
        day.and_hms_opt(1, 0, 0).unwrap().and_utc()
    };
    let summer = (last_sunday(3)..last_sunday(10)).contains(&instant);
    instant.naive_utc() + TimeDelta::hours(if summer { 2 } else { 1 })
}

/// Easter Sunday (Gauss's rule, as corrected by Lichtenberg).
fn easter(year: i32) -> NaiveDate {
    let k = year / 100;
    let m = 15 + (3 * k + 3) / 4 - (8 * k + 13) / 25;
    let s = 2 - (3 * k + 3) / 4;
    let a = year % 19;
    let d = (19 * a + m) % 30;
    let r = (d + a / 11) / 29;
    let og = 21 + d - r;
    let sz = 7 - (year + year / 4 + s) % 7;
    let oe = 7 - (og - sz) % 7;
    NaiveDate::from_ymd_opt(year, 3, 1).unwrap() + TimeDelta::days(i64::from(og + oe - 1))
}

/// Whether nobody works on this day in Berlin: a weekend or a public holiday.
fn off_day(date: NaiveDate) -> bool {
    let easter = (date - easter(date.year())).num_days();
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        || matches!(
            (date.month(), date.day()),
            (1, 1) | (3, 8) | (5, 1) | (10, 3) | (12, 25) | (12, 26)
        )
        || matches!(easter, -2 | 1 | 39 | 50)
}

fn utc(date: Option<&AworkDateTime>) -> Option<DateTime<Utc>> {
    date?.to_utc()
}

/// The initials a project key is made of: the first letter of each word of the name (three letters
/// of a one-word name), upper case, an umlaut as its vowel.
fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split([' ', '-', ','])
        .filter(|word| word.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let letters: String = if words.len() == 1 {
        words[0].chars().take(3).collect()
    } else {
        words
            .iter()
            .filter_map(|word| word.chars().next())
            .collect()
    };
    letters
        .to_uppercase()
        .replace('Ä', "A")
        .replace('Ö', "O")
        .replace('Ü', "U")
}

/// The part of a name a rename keeps: what comes before a qualifier (`" – "`, `" ("`) or a number.
fn base_name(name: &str) -> &str {
    let cut = [" – ", " ("]
        .iter()
        .filter_map(|mark| name.find(mark))
        .min()
        .unwrap_or(name.len());
    name[..cut].trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ')
}

fn measure(seed: u64) -> Figures {
    let mut figures = Figures::default();
    let mut actors: HashMap<String, usize> = HashMap::new();
    let mut titles: HashMap<String, usize> = HashMap::new();
    let mut members: HashMap<String, HashSet<String>> = HashMap::new();
    let mut internal: HashSet<String> = HashSet::new();
    // The names of the projects each note was written on, and the project types each description
    // was written under (a client's project without a type is a one-off).
    let mut notes: HashMap<String, HashSet<String>> = HashMap::new();
    let mut descriptions: HashMap<String, HashSet<String>> = HashMap::new();
    let (mut first, mut last) = (None, None);
    let story = Generator::new(GeneratorConfig {
        seed,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    });
    let check_task = |figures: &mut Figures, task: &Task| {
        if let (Some(start), Some(due)) = (utc(task.start_on.as_ref()), utc(task.due_on.as_ref())) {
            figures.start_after_due += usize::from(start > due);
        }
        if task.base_type.as_deref() == Some("private") {
            figures.private_without_status += usize::from(task.task_status.is_none());
        }
    };
    let check_project = |figures: &mut Figures, project: &Project| {
        let (start, due) = (
            utc(project.start_date.as_ref()),
            utc(project.due_date.as_ref()),
        );
        if let (Some(start), Some(due)) = (start, due) {
            figures.start_after_due += usize::from(start > due);
        }
        for member in project.members.iter().flatten() {
            figures.members_without_project += usize::from(
                member.project_id.as_deref() != Some(project.id.as_str())
                    || member.time_budget.is_none(),
            );
        }
    };
    for event in story.take(EVENTS) {
        let kind = event.event_type.as_str().to_owned();
        let at = event.timestamp.to_utc().unwrap();
        first.get_or_insert(at);
        last = Some(at);
        let wall = berlin(at);
        figures.off_days += usize::from(off_day(wall.date()));
        figures.by_hour[wall.hour() as usize] += 1;
        *figures.by_type.entry(kind.clone()).or_default() += 1;
        let actor = event.triggered_by.as_ref().unwrap().id.clone();
        *actors.entry(actor.clone()).or_default() += 1;
        let changed = |property: &str| {
            event
                .changes
                .iter()
                .flatten()
                .find(|change| change.property == property)
        };
        match &event.entity {
            Entity::Task(task) => {
                check_task(&mut figures, task);
                if kind != "task_deleted" {
                    if let Some(due) = utc(task.due_on.as_ref()) {
                        figures.due_dates += 1;
                        figures.due_off_days += usize::from(off_day(due.date_naive()));
                    }
                }
                if kind == "task_updated" {
                    figures.task_updates += 1;
                    let done = task.task_status.as_ref().and_then(|s| s.kind.as_deref());
                    figures.task_updates_when_done += usize::from(done == Some("done"));
                }
                if let Some(rename) = changed("Name") {
                    let old = rename.extra["oldValue"].as_str().unwrap();
                    figures.renames += 1;
                    figures.unrelated_renames +=
                        usize::from(!task.name.starts_with(base_name(old)));
                }
            }
            Entity::Project(project) => {
                check_project(&mut figures, project);
                let type_name = project
                    .project_type
                    .as_ref()
                    .and_then(|kind| kind.name.clone())
                    .unwrap_or_else(|| "Kundenprojekt".to_owned());
                if project.company_id.is_none() {
                    internal.insert(project.name.clone());
                }
                if let Some(description) = &project.description {
                    descriptions
                        .entry(description.clone())
                        .or_default()
                        .insert(type_name);
                }
                if kind == "project_deleted" {
                    members.remove(&project.id);
                } else {
                    members.insert(
                        project.id.clone(),
                        project
                            .members
                            .iter()
                            .flatten()
                            .filter_map(|member| member.user_id.clone())
                            .collect(),
                    );
                }
                if kind != "project_deleted" {
                    if let Some(due) = utc(project.due_date.as_ref()) {
                        figures.due_dates += 1;
                        figures.due_off_days += usize::from(off_day(due.date_naive()));
                    }
                }
                if kind == "project_updated" {
                    figures.project_updates += 1;
                    let status = project
                        .project_status
                        .as_ref()
                        .and_then(|s| s.kind.as_deref());
                    figures.project_updates_when_closed += usize::from(status == Some("closed"));
                }
                if kind == "project_added"
                    && project
                        .project_key
                        .as_deref()
                        .is_some_and(|key| !key.starts_with(&initials(&project.name)))
                {
                    figures.keys_not_from_name += 1;
                }
            }
            Entity::ProjectMember(member) => {
                figures.members_without_project +=
                    usize::from(member.project_id.is_none() || member.time_budget.is_none());
                let project = member.project_id.clone().unwrap_or_default();
                let user = member.user_id.clone().unwrap();
                let set = members.entry(project).or_default();
                if kind.ends_with("_added") {
                    set.insert(user);
                } else {
                    set.remove(&user);
                }
            }
            Entity::Comment(comment) => {
                figures.comments += 1;
                let project = comment
                    .project
                    .as_ref()
                    .and_then(|project| project["id"].as_str())
                    .or_else(|| {
                        comment
                            .task
                            .as_ref()
                            .and_then(|task| task["projectId"].as_str())
                    })
                    .unwrap();
                let author = comment.user_id.clone().unwrap();
                let member = members
                    .get(project)
                    .is_some_and(|members| members.contains(&author));
                figures.comments_by_non_members += usize::from(!member);
            }
            Entity::TimeTracking(entry) => {
                if kind != "timetracking_added" {
                    figures.entry_changes += 1;
                    figures.entry_changes_by_others +=
                        usize::from(entry.user_id.as_deref() != Some(actor.as_str()));
                }
                let start = entry.start_time_utc.as_ref().unwrap().time();
                if let (0, Some(end)) = (start.nanosecond(), &entry.end_time_utc) {
                    figures.typed_entries += 1;
                    let end = end.time();
                    figures.typed_off_minute +=
                        usize::from(start.second() != 0 || end.second() != 0);
                }
                if let (Some(note), Some(project)) = (&entry.note, &entry.project) {
                    let name = project.name.clone().unwrap_or_default();
                    notes.entry(note.clone()).or_default().insert(name);
                }
            }
            Entity::User(user) => {
                if user.position.as_deref() == Some("Geschäftsführer:in") {
                    figures.managing_directors.insert(user.id.clone());
                }
                if changed("Position").is_some() {
                    *titles.entry(user.id.clone()).or_default() += 1;
                }
                let specimen = ["Mustermann", "Musterfrau", "Meikäläinen"];
                figures.specimen_names +=
                    usize::from(specimen.contains(&user.last_name.as_deref().unwrap_or_default()));
            }
            Entity::Company(company) => {
                figures.industry_updates +=
                    usize::from(kind == "company_updated" && changed("Industry").is_some());
                figures.specimen_names += usize::from(company.name.contains("Muster"));
            }
            _ => {}
        }
    }
    figures.days = (last.unwrap() - first.unwrap()).num_days() + 1;
    figures.top_actor =
        *actors.values().max().unwrap() as f64 / actors.values().sum::<usize>() as f64;
    figures.most_title_changes = titles.values().copied().max().unwrap_or(0);
    // A note written on an internal project fits that project alone.
    figures.notes_off_project = notes
        .values()
        .filter(|projects| {
            projects.len() > 1 && projects.iter().any(|project| internal.contains(project))
        })
        .count();
    figures.descriptions_off_type = descriptions
        .values()
        .filter(|types| types.len() > 1)
        .count();
    figures
}

/// Each seed's figures, measured once for all the tests of this file.
fn figures() -> &'static [(u64, Figures)] {
    static FIGURES: OnceLock<Vec<(u64, Figures)>> = OnceLock::new();
    FIGURES.get_or_init(|| {
        let measured: Vec<(u64, Figures)> = std::thread::scope(|scope| {
            let runs: Vec<_> = SEEDS
                .iter()
                .map(|&seed| scope.spawn(move || (seed, measure(seed))))
                .collect();
            runs.into_iter().map(|run| run.join().unwrap()).collect()
        });
        measured
    })
}

fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64
}

/// How many events of these API names.
fn count(figures: &Figures, names: &[&str]) -> usize {
    names
        .iter()
        .map(|name| figures.by_type.get(*name).copied().unwrap_or(0))
        .sum()
}

const TIME_TRACKING: [&str; 4] = [
    "timetracking_added",
    "timetracking_updated",
    "timetracking_deleted",
    "timetracking_type_changed",
];

#[test]
fn time_tracking_is_the_largest_share_of_the_stream() {
    for (seed, figures) in figures() {
        let tracked = share(count(figures, &TIME_TRACKING), EVENTS);
        eprintln!(
            "seed {seed}: time tracking {:.1} % of events",
            tracked * 100.0
        );
        assert!(tracked >= 0.35, "seed {seed}: {tracked}");
        let largest = figures.by_type.values().max().unwrap();
        assert_eq!(
            figures.by_type["timetracking_added"], *largest,
            "seed {seed}"
        );
    }
}

#[test]
fn nobody_works_on_weekends_or_public_holidays() {
    for (seed, figures) in figures() {
        eprintln!(
            "seed {seed}: {} events on weekends and holidays, over {} days",
            figures.off_days, figures.days
        );
        assert_eq!(figures.off_days, 0, "seed {seed}");
    }
}

#[test]
fn the_day_starts_between_eight_and_nine_and_dips_at_lunch() {
    for (seed, figures) in figures() {
        let hours = &figures.by_hour;
        eprintln!("seed {seed}: events by Berlin hour {:?}", &hours[7..20]);
        assert_eq!(hours[..8].iter().sum::<usize>(), 0, "seed {seed}: before 8");
        assert_eq!(
            hours[18..].iter().sum::<usize>(),
            0,
            "seed {seed}: after 18"
        );
        assert!(hours[8] > 0, "seed {seed}: nothing from 8 to 9");
        let morning = hours[10].min(hours[11]);
        let afternoon = hours[14].min(hours[15]);
        assert!(
            hours[12] * 2 < morning.min(afternoon),
            "seed {seed}: no lunch dip"
        );
        assert!(hours[8] < hours[10], "seed {seed}: no morning ramp");
    }
}

#[test]
fn due_dates_fall_on_working_days() {
    for (seed, figures) in figures() {
        eprintln!(
            "seed {seed}: {} of {} due dates on weekends or holidays",
            figures.due_off_days, figures.due_dates
        );
        assert!(figures.due_dates > 1000);
        assert_eq!(figures.due_off_days, 0, "seed {seed}");
    }
}

#[test]
fn staff_clients_and_projects_change_at_an_agency_s_rate() {
    for (seed, figures) in figures() {
        let quarters = figures.days as f64 / 91.0;
        let per_quarter = |names: &[&str]| count(figures, names) as f64 / quarters;
        let users_added = per_quarter(&["user_added"]);
        let users_deleted = per_quarter(&["user_deleted"]);
        let activations = per_quarter(&["user_activation_changed"]);
        let (projects_added, projects_deleted) = (
            count(figures, &["project_added"]),
            count(figures, &["project_deleted"]),
        );
        let (clients_added, clients_deleted) = (
            count(figures, &["company_added"]),
            count(figures, &["company_deleted"]),
        );
        eprintln!(
            "seed {seed}: over {quarters:.1} quarters, per quarter {users_added:.1} users added, \
             {users_deleted:.1} deleted, {activations:.1} activation changes; {projects_added} \
             projects added, {projects_deleted} deleted; {clients_added} clients added, \
             {clients_deleted} deleted; the busiest user triggers {:.1} %",
            figures.top_actor * 100.0
        );
        assert!(users_added <= 6.0, "seed {seed}: {users_added}");
        assert!(users_deleted <= 3.0, "seed {seed}: {users_deleted}");
        assert!(activations <= 3.0, "seed {seed}: {activations}");
        assert!(projects_deleted * 10 <= projects_added, "seed {seed}");
        assert!(clients_deleted * 5 <= clients_added, "seed {seed}");
        assert!(
            figures.top_actor <= 0.12,
            "seed {seed}: {}",
            figures.top_actor
        );
    }
}

#[test]
fn roles_and_titles_are_stable() {
    for (seed, figures) in figures() {
        eprintln!(
            "seed {seed}: {} managing directors, at most {} title changes per user",
            figures.managing_directors.len(),
            figures.most_title_changes
        );
        assert!(figures.managing_directors.len() <= 2, "seed {seed}");
        assert!(figures.most_title_changes <= 1, "seed {seed}");
    }
}

#[test]
fn people_change_their_own_time_entries() {
    for (seed, figures) in figures() {
        let others = share(figures.entry_changes_by_others, figures.entry_changes);
        eprintln!(
            "seed {seed}: {:.1} % of {} time-entry changes by another than its user",
            others * 100.0,
            figures.entry_changes
        );
        assert!(figures.entry_changes > 500 && others <= 0.05, "seed {seed}");
    }
}

#[test]
fn people_comment_on_projects_they_belong_to() {
    for (seed, figures) in figures() {
        let outsiders = share(figures.comments_by_non_members, figures.comments);
        eprintln!(
            "seed {seed}: {:.1} % of {} comments by non-members",
            outsiders * 100.0,
            figures.comments
        );
        assert!(figures.comments > 100 && outsiders <= 0.05, "seed {seed}");
    }
}

#[test]
fn done_work_and_closed_projects_are_rarely_changed() {
    for (seed, figures) in figures() {
        let done = share(figures.task_updates_when_done, figures.task_updates);
        let closed = share(figures.project_updates_when_closed, figures.project_updates);
        eprintln!(
            "seed {seed}: {:.1} % of task updates on done tasks, {:.1} % of project updates on \
             closed projects",
            done * 100.0,
            closed * 100.0
        );
        assert!(done <= 0.05 && closed <= 0.05, "seed {seed}");
    }
}

#[test]
fn texts_fit_what_they_are_about() {
    for (seed, figures) in figures() {
        eprintln!(
            "seed {seed}: {} of {} renames unrelated, {} internal notes on other projects, {} \
             descriptions under several project types, {} industry changes, {} specimen names",
            figures.unrelated_renames,
            figures.renames,
            figures.notes_off_project,
            figures.descriptions_off_type,
            figures.industry_updates,
            figures.specimen_names
        );
        assert_eq!(figures.unrelated_renames, 0, "seed {seed}");
        assert!(figures.renames > 0, "seed {seed}");
        assert_eq!(figures.notes_off_project, 0, "seed {seed}");
        assert_eq!(figures.descriptions_off_type, 0, "seed {seed}");
        assert_eq!(figures.industry_updates, 0, "seed {seed}");
        assert_eq!(figures.specimen_names, 0, "seed {seed}");
    }
}

#[test]
fn details_are_as_awork_writes_them() {
    for (seed, figures) in figures() {
        eprintln!(
            "seed {seed}: {} starts after due dates, {} private tasks without a status, {} members \
             without projectId or timeBudget, {} of {} typed entries off the minute, {} keys not \
             from the name",
            figures.start_after_due,
            figures.private_without_status,
            figures.members_without_project,
            figures.typed_off_minute,
            figures.typed_entries,
            figures.keys_not_from_name
        );
        assert_eq!(figures.start_after_due, 0, "seed {seed}");
        assert_eq!(figures.private_without_status, 0, "seed {seed}");
        assert_eq!(figures.members_without_project, 0, "seed {seed}");
        assert!(figures.typed_entries > 1000, "seed {seed}");
        assert_eq!(figures.typed_off_minute, 0, "seed {seed}");
        assert_eq!(figures.keys_not_from_name, 0, "seed {seed}");
    }
}

#[test]
fn a_story_started_now_never_runs_ahead_of_the_wall_clock() {
    use chrono::TimeZone;
    // serve's first start, a Saturday evening, and users asking for events on and off.
    let start = Utc.with_ymd_and_hms(2026, 12, 5, 21, 30, 0).unwrap();
    let config = GeneratorConfig {
        seed: 7,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    };
    let mut story = Generator::new(config.clone()).with_start(start);
    let same = Generator::new(config.clone()).subdomain().to_owned();
    assert_eq!(story.subdomain(), same, "the same workspace");
    let mut previous = start;
    let asks = [0, 1, 30, 60 * 24, 60 * 24 * 3 + 10];
    for (round, minutes) in asks.into_iter().enumerate() {
        let wall = start + TimeDelta::minutes(minutes);
        story.follow_wall_clock(wall);
        for event in (&mut story).take(200) {
            let at = event.timestamp.to_utc().unwrap();
            assert!(at >= previous, "round {round}: the clock went back");
            // At most a tick (100 ns) after the event before, once at the wall clock.
            assert!(
                at <= wall + TimeDelta::microseconds(20),
                "round {round}: {at} ahead of {wall}"
            );
            previous = at;
        }
        // Caught up: the last event is within the lag of the wall clock.
        assert!(wall - previous <= TimeDelta::minutes(15), "round {round}");
    }
    // The same calls give the same story.
    let mut again = Generator::new(config).with_start(start);
    let mut retold = Vec::new();
    for minutes in asks {
        again.follow_wall_clock(start + TimeDelta::minutes(minutes));
        retold.extend((&mut again).take(200));
    }
    let mut story = Generator::new(GeneratorConfig {
        seed: 7,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    })
    .with_start(start);
    let mut told = Vec::new();
    for minutes in asks {
        story.follow_wall_clock(start + TimeDelta::minutes(minutes));
        told.extend((&mut story).take(200));
    }
    assert_eq!(told, retold);
}

/// The world of `seed` as serve starts it at `start` (its first start): four weeks of history
/// told up to that moment, with the API's event names.
fn serve_world(seed: u64, start: DateTime<Utc>) -> Generator {
    let mut story = Generator::new(GeneratorConfig {
        seed,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    })
    .with_start(start - TimeDelta::weeks(4));
    story.tell_history_until(start);
    story
}

#[test]
fn a_workspace_with_a_history_makes_time_entries_asked_for_now_without_running_ahead() {
    use awork_models::EventType;
    use chrono::TimeZone;
    // serve's first start on a Thursday at noon, its world four weeks old, and a client asking for
    // 30 time entries a minute later: once those with time free have tracked it, everybody has
    // tracked their time up to now, so people start timers; all stamped now, none overlapping.
    let start = Utc.with_ymd_and_hms(2026, 12, 3, 11, 0, 0).unwrap();
    let mut story = serve_world(99, start);
    let world = story.world();
    assert!(
        world.projects.len() >= 5,
        "{} projects",
        world.projects.len()
    );
    assert!(
        world.time_entries.len() >= 20,
        "{} entries",
        world.time_entries.len()
    );
    let wall = start + TimeDelta::minutes(1);
    story.follow_wall_clock(wall);
    let mut timers = 0;
    for _ in 0..30 {
        let made = story.next_events_of(EventType::TimeTrackingAdded);
        let added = made.last().expect("an event");
        assert_eq!(added.event_type.as_str(), "timetracking_added");
        let at = added.timestamp.to_utc().unwrap();
        assert!(
            at >= wall && at <= wall + TimeDelta::seconds(1),
            "{at} is not now ({wall})"
        );
        let Entity::TimeTracking(entry) = &added.entity else {
            panic!("not a time entry: {added:?}");
        };
        timers += usize::from(entry.end_time_utc.is_none());
    }
    assert!(timers > 0, "no timer started: everybody had time free?");
    // No two entries of one user overlap.
    type Span = (DateTime<Utc>, DateTime<Utc>);
    let mut by_user: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for entry in &story.world().time_entries {
        let start = awork_generate::world::entry_start(entry).unwrap();
        let end = awork_generate::world::entry_end(entry).unwrap_or(wall);
        let user = entry.user_id.clone().unwrap_or_default();
        by_user.entry(user).or_default().push((start, end));
    }
    for (user, mut spans) in by_user {
        spans.sort();
        for pair in spans.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "{user}: {pair:?} overlap");
        }
    }
}

#[test]
fn at_the_wall_clock_nobody_free_means_no_task_finds_anyone_to_book_time() {
    use awork_generate::world::is_active;
    use chrono::TimeZone;
    // The story skips its scans for somebody to book time or start a timer when
    // `someone_is_free` or `someone_may_start_a_timer` says nobody could: checked here against
    // every task's active assignees, after each event of serve's world at the wall clock.
    let start = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
    let mut story = serve_world(7, start);
    let (mut nobody_free, mut nobody_to_start) = (0, 0);
    for minute in 0..30 {
        story.follow_wall_clock(start + TimeDelta::minutes(minute));
        for _ in 0..100 {
            story.next_event();
            let world = story.world();
            let someone_free = world.someone_is_free();
            let someone_to_start = world.someone_may_start_a_timer();
            nobody_free += usize::from(!someone_free);
            nobody_to_start += usize::from(!someone_to_start);
            for task in &world.tasks {
                let since = task.created_on.as_ref().and_then(AworkDateTime::to_utc);
                for assignee in task.assignees.iter().flatten() {
                    let Some(user) = world.user_index(&assignee.id) else {
                        continue;
                    };
                    if !is_active(&world.users[user]) {
                        continue;
                    }
                    let free = world.free_from(&assignee.id, since).is_some();
                    assert!(someone_free || !free, "{} is free", assignee.id);
                    let idle = world.may_start_a_timer(&assignee.id);
                    assert!(someone_to_start || !idle, "{} may start", assignee.id);
                }
            }
        }
    }
    // Both shortcuts were taken: the check above looked at the states they skip.
    assert!(
        nobody_free > 100,
        "nobody free after {nobody_free} events only"
    );
    assert!(nobody_to_start > 0, "somebody could always start a timer");
}
