//! What happens next in the workspace: picks an event type, makes sure what it is about exists
//! (emitting the creation first when that event type is wanted, creating it behind the scenes when it
//! is not), changes the world, and writes the event.
//!
//! The entity shapes come from [`crate::world`]; the envelope around them from [`crate::Generator`].

use awork_models::entities::{
    Assignee, Comment, CommentedEntity, Entity, Task, TaskAssignment, TimeTracking,
};
use awork_models::{Change, EventType, TriggeredBy};
use chrono::{DateTime, TimeDelta, Utc};
use fake::rand::RngExt;
use fake::rand::seq::IndexedRandom;
use serde_json::{Map, Value};

use crate::world::{
    self, Kept, MAX_COMPANIES, MAX_PROJECTS, MAX_USERS, ProjectFor, World, is_active, nested_user,
    pick, triggered_by,
};
use crate::{calendar, text};

/// An event the world produced: the entity, its link, who did it, and what changed.
pub struct Produced {
    /// The entity in the state the event leaves it.
    pub entity: Entity,
    /// The web link of the entity or its closest parent, where there is one.
    pub link: Option<String>,
    /// The user who triggered the event.
    pub actor: TriggeredBy,
    /// The changed properties, for change events.
    pub changes: Option<Vec<Change>>,
}

/// The event of one step, or the event type that has to happen before it can.
pub type Step = Result<Produced, EventType>;

/// How often each event type happens in an agency's day, in events per 10,000: time tracking is
/// most of it; tasks move, are commented and assigned; projects, clients and above all people come
/// and go at an agency's rate (a team of about twenty hires or loses a person or two a quarter).
/// Events that another one needs first also happen as its prerequisites.
pub fn weight(event: EventType) -> u32 {
    use EventType::*;
    match event {
        TimeTrackingAdded => 3500,
        TimeTrackingChanged => 700,
        TaskStatusChanged => 900,
        ProjectTaskAdded => 750,
        TaskChanged => 600,
        TaskCommentAdded => 600,
        TaskAssignmentAdded => 350,
        ProjectCommentAdded => 200,
        TimeTrackingDeleted => 150,
        ProjectChanged | TaskListAdded => 150,
        ProjectMemberAdded | ProjectStatusChanged => 120,
        TaskAssignmentDeleted | TimeTrackingTypeChanged | AbsenceAdded => 100,
        ProjectTaskDeleted | TaskListChanged => 60,
        TaskTypeChanged | ProjectMemberDeleted | AbsenceUpdated | ClientChanged => 40,
        ProjectAdded | TaskListDeleted | AbsenceDeleted => 30,
        ClientAdded => 15,
        ProjectTypeChanged | CompanyTypeChanged => 4,
        UserAdded | UserStatusChanged => 3,
        ProjectDeleted | UserDeleted | UserActivationChanged | UserUpdated => 2,
        ClientDeleted => 1,
    }
}

/// The fewest open projects the agency works on: below it, a new task now and then
/// ([`SETTING_UP`]) needs a new project first, so that a new workspace soon has a few.
const FEWEST_OPEN_PROJECTS: usize = 5;

/// The fewest clients the agency has: below it, a new client project now and then ([`SETTING_UP`])
/// is for a new client.
const FEWEST_CLIENTS: usize = 4;

/// How often a workspace below [`FEWEST_OPEN_PROJECTS`] or [`FEWEST_CLIENTS`] sets up one more
/// first: seldom enough that a new workspace's first events are not all setup.
const SETTING_UP: f64 = 0.3;

/// How often done work or a closed project is changed all the same (a late correction).
const LATE_CHANGE: f64 = 0.02;

/// A random active member of a project (an index of `projects`), as an event's actor: the people
/// who work on a project are the ones who act on it.
fn member_actor(world: &mut World, project: usize) -> Option<TriggeredBy> {
    let members = world.projects[project]
        .project
        .members
        .as_deref()
        .unwrap_or_default();
    let active: Vec<usize> = members
        .iter()
        .filter_map(|member| world.user_index(member.user_id.as_deref()?))
        .filter(|&user| is_active(&world.users[user]))
        .collect();
    let user = *active.choose(&mut world.rng)?;
    Some(triggered_by(&world.users[user]))
}

/// Whether a project (an index of `projects`) has an active member to act on it.
fn has_active_member(world: &World, project: &world::ProjectState) -> bool {
    project
        .project
        .members
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|member| {
            member
                .user_id
                .as_deref()
                .and_then(|id| world.user(id))
                .is_some_and(is_active)
        })
}

/// The index of the project of a task (an index of `tasks`), for a project's task.
fn project_of(world: &World, task: usize) -> Option<usize> {
    world.tasks[task]
        .project_id
        .as_deref()
        .and_then(|id| world.project_index(id))
}

/// The actor of a change to a project's task (an index of `tasks`): a member of its project, or
/// `actor` when none is active.
fn task_actor(world: &mut World, task: usize, actor: TriggeredBy) -> TriggeredBy {
    project_of(world, task)
        .and_then(|project| member_actor(world, project))
        .unwrap_or(actor)
}

/// Whether a project is closed.
fn is_closed(state: &world::ProjectState) -> bool {
    state
        .project
        .project_status
        .as_ref()
        .and_then(|status| status.kind.as_deref())
        == Some("closed")
}

/// Whether the user of a time entry can act on it.
fn owner_active(world: &World, entry: &TimeTracking) -> bool {
    entry
        .user_id
        .as_deref()
        .and_then(|id| world.user(id))
        .is_some_and(is_active)
}

/// The user of a time entry, who changes and deletes it.
fn entry_owner(world: &World, index: usize) -> TriggeredBy {
    let id = world.time_entries[index].user_id.as_deref();
    triggered_by(id.and_then(|id| world.user(id)).expect("an active owner"))
}

/// A `changes` item: `property` went from `old` to `new`.
pub fn change(property: &str, old: impl Into<Value>, new: impl Into<Value>) -> Change {
    // A value that was or becomes absent is left out, as awork leaves out every absent value.
    let mut values = Map::with_capacity(2);
    for (key, value) in [("oldValue", old.into()), ("newValue", new.into())] {
        if !value.is_null() {
            values.insert(key.to_owned(), value);
        }
    }
    Change {
        property: property.into(),
        extra: values,
    }
}

/// The type of work a time entry on a client's project can change to: another that its task's
/// name allows, or, on the project alone, organising instead of advising and back. `None` on the
/// agency's own projects, whose time is internal work.
fn other_entry_type(entry: &TimeTracking) -> Option<&'static str> {
    let client = entry
        .project
        .as_ref()
        .is_some_and(|project| project.is_billable_by_default == Some(true));
    let current = entry.type_of_work.as_ref()?.name.as_deref();
    match &entry.task {
        _ if !client => None,
        Some(task) => text::other_task_type(task.name.as_deref()?, current),
        None if current == Some(text::CONSULTING) => Some(text::PROJECT_MANAGEMENT),
        None => Some(text::CONSULTING),
    }
}

/// The name of a task's type of work.
fn task_type_name(task: &Task) -> Option<&str> {
    task.type_of_work.as_ref()?.name.as_deref()
}

/// A draw that differs from `current`: an update event changes something, so its `changes` never
/// hold an old value equal to the new one. Every list drawn from has more than one item.
fn other<T: PartialEq>(
    rng: &mut crate::Rng,
    current: Option<&T>,
    mut draw: impl FnMut(&mut crate::Rng) -> T,
) -> T {
    loop {
        let value = draw(rng);
        if current != Some(&value) {
            return value;
        }
    }
}

/// A JSON object of these fields in this order (absent values as `null`, as `json!` writes them),
/// sized up front rather than grown field by field.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut map = Map::with_capacity(N);
    for (key, value) in fields {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// The assignees of `task` who can act (active users), in order: the index of each in `users`,
/// and their id.
fn active_assignees<'w>(
    world: &'w World,
    task: &'w Task,
) -> impl Iterator<Item = (usize, &'w str)> {
    task.assignees
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|assignee| {
            let user = world
                .user_index(&assignee.id)
                .filter(|&user| is_active(&world.users[user]))?;
            Some((user, assignee.id.as_str()))
        })
}

/// The first assignee of a project's task, created before now, who can start a timer on it now:
/// active, no timer of theirs running, and no entry of theirs ending later (an index of `users`),
/// and when the timer may start at the earliest (when their latest entry ended).
fn timer_starter(world: &World, task: &Task) -> Option<(usize, DateTime<Utc>)> {
    task.project_id.as_ref()?;
    let created = task
        .created_on
        .as_ref()
        .and_then(|created| created.to_utc())?;
    if created >= world.now {
        return None;
    }
    active_assignees(world, task).find_map(|(user, id)| {
        world.may_start_a_timer(id).then(|| {
            let busy_until = world.worklogs.get(id).and_then(|log| log.busy_until);
            (user, busy_until.unwrap_or(created).max(created))
        })
    })
}

/// A random index of `items` whose item passes `keep`, or `None` when none does. A few random probes
/// come first, so that the common case does not scan the whole world; the scan is the fallback.
fn random_index<T>(
    world: &mut World,
    items: impl Fn(&World) -> &[T],
    keep: impl Fn(&World, &T) -> bool,
) -> Option<usize> {
    random_index_if(world, true, items, keep)
}

/// [`random_index`], told whether any item `may_pass` at all: when none may, the probes are drawn
/// all the same (the story's random stream stays what trying each would leave) and no item is
/// looked at. At the wall clock, where everybody has tracked their time up to now, a time entry
/// asked for scanned every task twice to find nobody: an event of serve's story cost about 35 µs
/// against `generate`'s 6. With the checks of `World::someone_is_free` and
/// `World::someone_may_start_a_timer` (and `World::user_index`'s), the same events, byte for byte,
/// in less than half the time: `POST /sim/events` of 20,000 events 0.82-0.89 -> 0.31-0.38 s.
fn random_index_if<T>(
    world: &mut World,
    may_pass: bool,
    items: impl Fn(&World) -> &[T],
    keep: impl Fn(&World, &T) -> bool,
) -> Option<usize> {
    let len = items(world).len();
    if len == 0 {
        return None;
    }
    for _ in 0..8 {
        let index = world.rng.random_range(0..len);
        if may_pass && keep(world, &items(world)[index]) {
            return Some(index);
        }
    }
    if !may_pass {
        return None;
    }
    let candidates: Vec<usize> = items(world)
        .iter()
        .enumerate()
        .filter(|(_, item)| keep(world, item))
        .map(|(index, _)| index)
        .collect();
    candidates.choose(&mut world.rng).copied()
}

/// A random project that is not closed.
fn random_open_project(world: &mut World) -> Option<usize> {
    random_index(world, |w| &w.projects, |_, state| !is_closed(state))
}

/// The event `actor` caused. The actor is taken by value: it goes into the envelope as it is.
fn produced(
    actor: TriggeredBy,
    entity: Entity,
    link: Option<String>,
    changes: Option<Vec<Change>>,
) -> Step {
    Ok(Produced {
        entity,
        link,
        actor,
        changes,
    })
}

/// Runs `event` against the world.
pub fn produce(world: &mut World, event: EventType) -> Step {
    use EventType::*;
    let actor = world.actor();
    let now = world.stamp();
    match event {
        AbsenceAdded => {
            let user = pick(&mut world.rng, &world.users, is_active).expect("the owner is active");
            let absence = world.new_absence(user, &actor.id);
            world.absences.push(absence.clone());
            produced(actor, Entity::Absence(Box::new(absence)), None, None)
        }
        AbsenceUpdated => {
            let index = random_index(world, |w| &w.absences, |_, _| true).ok_or(AbsenceAdded)?;
            // Another reason that fits how long the absence is (a bridge day stays one day), or,
            // when no other fits, the last day becomes a half day or a whole one again.
            let absence = &world.absences[index];
            let days = world::working_days(absence);
            let current = absence.description.clone();
            let fitting: Vec<&'static str> = text::absence_reasons_lasting(days)
                .filter(|reason| current.as_deref() != Some(*reason))
                .collect();
            let reason = fitting.choose(&mut world.rng).copied();
            let absence = &mut world.absences[index];
            let changed = match reason {
                Some(reason) => change(
                    "Description",
                    absence.description.replace(reason.into()),
                    reason,
                ),
                None => {
                    let half = absence.is_half_day_on_end != Some(true);
                    change(
                        "IsHalfDayOnEnd",
                        absence.is_half_day_on_end.replace(half),
                        half,
                    )
                }
            };
            absence.updated_on = Some(now);
            absence.updated_by = Some(actor.id.clone());
            let absence = absence.clone();
            produced(
                actor,
                Entity::Absence(Box::new(absence)),
                None,
                Some(vec![changed]),
            )
        }
        AbsenceDeleted => {
            let index = random_index(world, |w| &w.absences, |_, _| true).ok_or(AbsenceAdded)?;
            let mut absence = world.absences.remove(index);
            absence.deleted_on = Some(now);
            absence.deleted_by = Some(actor.id.clone());
            produced(actor, Entity::Absence(Box::new(absence)), None, None)
        }
        ClientAdded => {
            // A full workspace forgets its oldest client without projects, or deletes one.
            if world.companies.len() >= MAX_COMPANIES && !world.forget_oldest_idle_client() {
                return Err(ClientDeleted);
            }
            let company = world.new_company(&actor.id);
            world.companies.push(company.clone());
            let link = world.company_link(&company.id);
            produced(actor, Entity::Company(Box::new(company)), Some(link), None)
        }
        ClientChanged | CompanyTypeChanged => {
            let index = random_index(world, |w| &w.companies, |_, _| true).ok_or(ClientAdded)?;
            // A client keeps its industry; only a change of its type moves it to the neighbouring
            // one.
            let (property, old, new) = if event == CompanyTypeChanged {
                let current = world.companies[index].industry.clone().unwrap_or_default();
                let industry = text::neighbouring_industry(&current).to_owned();
                let old = world.companies[index].industry.replace(industry.clone());
                ("Industry", old, industry)
            } else {
                let current = world.companies[index].description.clone();
                let description = other(&mut world.rng, current.as_ref(), |rng| {
                    text::client_description(rng).to_owned()
                });
                let old = world.companies[index]
                    .description
                    .replace(description.clone());
                ("Description", old, description)
            };
            let company = &mut world.companies[index];
            company.updated_on = Some(now);
            company.updated_by = Some(actor.id.clone());
            company.resource_version = Some(crate::ids::ticks(world.now));
            let company = company.clone();
            let company = world.counted_company(&company);
            let link = world.company_link(&company.id);
            produced(
                actor,
                Entity::Company(Box::new(company)),
                Some(link),
                Some(vec![change(property, old, new)]),
            )
        }
        ClientDeleted => {
            let index = random_index(
                world,
                |w| &w.companies,
                |w, company| {
                    !w.projects
                        .iter()
                        .any(|state| state.project.company_id.as_ref() == Some(&company.id))
                },
            )
            .ok_or(ClientAdded)?;
            let company = world.companies.remove(index);
            produced(actor, Entity::Company(Box::new(company)), None, None)
        }
        ProjectAdded => {
            // A full workspace forgets its oldest closed project, or deletes one.
            if world.projects.len() >= MAX_PROJECTS && !world.forget_oldest_closed_project() {
                return Err(ProjectDeleted);
            }
            // One of the agency's own projects now and then, while it has not got them all.
            let internal = world.rng.random_bool(0.25);
            let taken = world
                .projects
                .iter()
                .filter(|state| state.project.company_id.is_none())
                .map(|state| state.project.name.as_str());
            let owner = match text::internal_project_name(&mut world.rng, taken) {
                Some(name) if internal => ProjectFor::Agency(name),
                _ if world.companies.is_empty()
                    || (world.companies.len() < FEWEST_CLIENTS
                        && world.rng.random_bool(SETTING_UP)) =>
                {
                    return Err(ClientAdded);
                }
                // The draw of choosing from the clients, without cloning the one chosen.
                _ => ProjectFor::Client(world.rng.random_range(..world.companies.len())),
            };
            let state = world.new_project(&actor.id, owner);
            world.projects.push(state);
            let index = world.projects.len() - 1;
            let project = world.project_entity(index);
            let link = world.project_link(&project.id);
            produced(actor, Entity::Project(project), Some(link), None)
        }
        ProjectChanged | ProjectTypeChanged => {
            // An open project (a closed one now and then, for a late correction), changed by one
            // of its members. Only a client's project changes its type: between a one-off project
            // and a retainer.
            let late = world.rng.random_bool(LATE_CHANGE);
            let client_only = event == ProjectTypeChanged;
            let index = random_index(
                world,
                |w| &w.projects,
                |w, state| {
                    (late || !is_closed(state))
                        && (!client_only || state.project.company_id.is_some())
                        && has_active_member(w, state)
                },
            )
            .ok_or(ProjectAdded)?;
            let actor = member_actor(world, index).unwrap_or(actor);
            let choice = if event == ProjectTypeChanged {
                0
            } else {
                world.rng.random_range(1..4)
            };
            let project = &world.projects[index].project;
            let retainer = project.is_retainer == Some(true);
            let new_type = world.project_type(if retainer {
                text::CLIENT_PROJECT
            } else {
                text::RETAINER
            });
            let current_budget = project.time_budget;
            let days = world.rng.random_range(3..30);
            let start = project
                .start_date
                .as_ref()
                .and_then(|start| start.to_utc())
                .map(|start| start.date_naive());
            // A description that fits the project's type (after the change, for a type change).
            let type_name = if choice == 0 {
                new_type.name.clone()
            } else {
                project
                    .project_type
                    .as_ref()
                    .and_then(|kind| kind.name.clone())
            };
            let current_description = project.description.clone();
            let description = other(
                &mut world.rng,
                current_description.as_deref().as_ref(),
                |rng| text::project_description(rng, type_name.as_deref()),
            );
            let today = world.now.date_naive();
            let changed = match choice {
                0 => {
                    let project = &mut world.projects[index].project;
                    let old = project.project_type_id.replace(new_type.id.clone());
                    project.project_type = Some(new_type.clone());
                    project.is_retainer = Some(!retainer);
                    let mut changed = vec![
                        change("ProjectTypeId", old, new_type.id.as_str()),
                        change("IsRetainer", retainer, !retainer),
                    ];
                    if project.description.is_some() {
                        changed.push(change(
                            "Description",
                            project.description.replace(description.into()),
                            description,
                        ));
                    }
                    changed
                }
                1 => {
                    let budget = other(&mut world.rng, current_budget.as_ref(), |rng| {
                        rng.random_range(10..300) * 3600
                    });
                    let project = &mut world.projects[index].project;
                    vec![change(
                        "TimeBudget",
                        project.time_budget.replace(budget),
                        budget,
                    )]
                }
                2 => {
                    // Later, on a working day after the start; a project without a due date gets
                    // one.
                    let project = &mut world.projects[index].project;
                    let due = project
                        .due_date
                        .as_ref()
                        .and_then(|due| due.to_utc())
                        .map_or(today, |due| due.date_naive())
                        .max(start.unwrap_or(today));
                    let new_due = awork_models::day_start(calendar::working_day_from(
                        due + TimeDelta::days(days),
                    ));
                    let old = project.due_date.replace(new_due.clone());
                    vec![change(
                        "DueDate",
                        old.map(|date| date.to_string()),
                        new_due.to_string(),
                    )]
                }
                _ => {
                    let project = &mut world.projects[index].project;
                    vec![change(
                        "Description",
                        project.description.replace(description.into()),
                        description,
                    )]
                }
            };
            let project = &mut world.projects[index].project;
            project.updated_on = Some(now);
            project.updated_by = Some(actor.id.clone());
            project.resource_version = Some(crate::ids::ticks(world.now));
            let project = world.project_entity(index);
            let link = world.project_link(&project.id);
            produced(actor, Entity::Project(project), Some(link), Some(changed))
        }
        ProjectStatusChanged => {
            let index = random_open_project(world).ok_or(ProjectAdded)?;
            let actor = member_actor(world, index).unwrap_or(actor);
            let current = world.projects[index]
                .project
                .project_status
                .as_ref()
                .and_then(|status| status.kind.as_deref())
                .unwrap_or_default();
            let next_kind = match current {
                "not-started" | "stuck" => "progress",
                _ if world.rng.random_bool(0.3) => "stuck",
                _ => "closed",
            };
            let status = world.projects[index]
                .statuses
                .iter()
                .position(|status| status.kind.as_deref() == Some(next_kind))
                .expect("all types exist");
            let old = world.set_project_status(index, status, &actor.id);
            let new = world.projects[index].project.project_status_id.clone();
            let changed = change("ProjectStatusId", old, new);
            let project = world.project_entity(index);
            let link = world.project_link(&project.id);
            produced(
                actor,
                Entity::Project(project),
                Some(link),
                Some(vec![changed]),
            )
        }
        ProjectDeleted => {
            let index = random_index(world, |w| &w.projects, |_, _| true).ok_or(ProjectAdded)?;
            let project = Box::new(world.remove_project(index));
            produced(actor, Entity::Project(project), None, None)
        }
        ProjectMemberAdded => {
            if world.projects.is_empty() {
                return Err(ProjectAdded);
            }
            let index = random_index(
                world,
                |w| &w.projects,
                |w, state| {
                    let members = state.project.members.as_deref().unwrap_or_default();
                    w.users.iter().any(|user| {
                        user.is_deactivated != Some(true)
                            && !members.iter().any(|m| m.user_id.as_ref() == Some(&user.id))
                    })
                },
            )
            .ok_or(if world.users.len() >= MAX_USERS {
                UserDeleted
            } else {
                UserAdded
            })?;
            let members = world.projects[index]
                .project
                .members
                .as_deref()
                .unwrap_or_default();
            let user = pick(&mut world.rng, &world.users, |user| {
                user.is_deactivated != Some(true)
                    && !members.iter().any(|m| m.user_id.as_ref() == Some(&user.id))
            })
            .expect("a candidate exists");
            // Added by one of the project's members.
            let actor = member_actor(world, index).unwrap_or(actor);
            let project_id = world.projects[index].project.id.clone();
            let member = world.member(&project_id, user, 1, false);
            let project = &mut world.projects[index].project;
            project.members.get_or_insert_default().push(member.clone());
            project.resource_version = Some(crate::ids::ticks(world.now));
            let link = world.project_link(&project_id);
            produced(
                actor,
                Entity::ProjectMember(Box::new(member)),
                Some(link),
                None,
            )
        }
        ProjectMemberDeleted => {
            let unassigned = |w: &World, project_id: &str, user_id: &str| {
                !w.tasks.iter().any(|task| {
                    task.project_id.as_deref() == Some(project_id)
                        && task
                            .assignees
                            .as_deref()
                            .unwrap_or_default()
                            .iter()
                            .any(|a| a.id == user_id)
                })
            };
            let index = random_index(
                world,
                |w| &w.projects,
                |w, state| {
                    state
                        .project
                        .members
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .any(|m| {
                            m.is_responsible != Some(true)
                                && unassigned(
                                    w,
                                    &state.project.id,
                                    m.user_id.as_deref().unwrap_or_default(),
                                )
                        })
                },
            )
            .ok_or(ProjectMemberAdded)?;
            let project_id = world.projects[index].project.id.clone();
            let shared: &World = world;
            let members = shared.projects[index]
                .project
                .members
                .as_deref()
                .unwrap_or_default();
            let removable: Vec<usize> = (0..members.len())
                .filter(|&i| {
                    members[i].is_responsible != Some(true)
                        && unassigned(
                            shared,
                            &project_id,
                            members[i].user_id.as_deref().unwrap_or_default(),
                        )
                })
                .collect();
            let position = *removable
                .choose(&mut world.rng)
                .expect("a removable member exists");
            let member = world.projects[index]
                .project
                .members
                .as_mut()
                .expect("has members")
                .remove(position);
            world.projects[index].project.resource_version = Some(crate::ids::ticks(world.now));
            let link = world.project_link(&project_id);
            produced(
                actor,
                Entity::ProjectMember(Box::new(member)),
                Some(link),
                None,
            )
        }
        ProjectCommentAdded => {
            // By one of the project's members.
            let index =
                random_index(world, |w| &w.projects, has_active_member).ok_or(ProjectAdded)?;
            let actor = member_actor(world, index).expect("an active member");
            let comment = comment_on_project(world, index, &actor.id, None);
            let link = world.project_link(comment.entity_id.as_deref().expect("set"));
            produced(actor, Entity::Comment(Box::new(comment)), Some(link), None)
        }
        ProjectTaskAdded => {
            // Now and then a private task of the actor's own, outside any project.
            if world.rng.random_bool(0.08) {
                let owner = world.user_index(&actor.id).expect("the actor is a user");
                let task = Box::new(world.new_private_task(owner));
                let index = world.add_task(task, None, None);
                let task = world.task_entity(index);
                let link = world.task_link(&task.id);
                return produced(actor, Entity::Task(task), Some(link), None);
            }
            // The agency works on a few projects at a time; a new task comes in one, by one of its
            // members.
            let open = world
                .projects
                .iter()
                .filter(|state| !is_closed(state))
                .count();
            if open < FEWEST_OPEN_PROJECTS && world.rng.random_bool(SETTING_UP) {
                return Err(ProjectAdded);
            }
            let index = random_open_project(world).ok_or(ProjectAdded)?;
            let actor = member_actor(world, index).unwrap_or(actor);
            // Now and then a subtask of an open task of the project (one level deep, as awork).
            let project_id = world.projects[index].project.id.clone();
            let parent = if world.rng.random_bool(0.2) {
                random_index(
                    world,
                    |w| &w.tasks,
                    |_, task| {
                        task.in_project(&project_id)
                            && task.parent_id.is_none()
                            && task.closed_on.is_none()
                    },
                )
            } else {
                None
            };
            let task = Box::new(world.new_task(index, &actor.id, parent));
            let index = world.add_task(task, Some(index), parent);
            let task = world.task_entity(index);
            let link = world.task_link(&task.id);
            produced(actor, Entity::Task(task), Some(link), None)
        }
        ProjectTaskDeleted => {
            // A task nobody tracked time on (forgotten entries included), without subtasks.
            let index = random_index(
                world,
                |w| &w.tasks,
                |_, task| {
                    task.total_tracked_duration.unwrap_or(0) == 0
                        && task.number_of_subtasks.is_none()
                        && task.project_id.is_some()
                },
            )
            .ok_or(ProjectTaskAdded)?;
            let task = Box::new(world.remove_task(index));
            let link = task.project_id.as_deref().map(|id| world.project_link(id));
            produced(actor, Entity::Task(task), link, None)
        }
        TaskAssignmentAdded => {
            if world.tasks.is_empty() {
                return Err(ProjectTaskAdded);
            }
            let index = random_index(
                world,
                |w| &w.tasks,
                |w, task| unassigned_members(w, task).next().is_some(),
            )
            .ok_or(ProjectMemberAdded)?;
            let actor = task_actor(world, index, actor);
            // The draw of choosing from the list of candidates, without building the list.
            let count = unassigned_members(world, &world.tasks[index]).count();
            let nth = world.rng.random_range(..count);
            let user = unassigned_members(world, &world.tasks[index])
                .nth(nth)
                .and_then(|id| world.user_index(id))
                .expect("members are users");
            let record = world::assignee(&world.users[user], 0, &now);
            let task = &mut world.tasks[index];
            task.assignees.get_or_insert_default().push(record);
            world::distribute_planned_effort(task, &now);
            task.updated_on = Some(now.clone());
            task.updated_by = Some(actor.id.clone());
            task.resource_version = Some(crate::ids::ticks(world.now));
            let record = task
                .assignees
                .as_deref()
                .and_then(|assignees| assignees.last())
                .expect("just added");
            let assignment = task_assignment(&task.id, record);
            let link = world.task_link(assignment.task_id.as_deref().expect("set"));
            produced(
                actor,
                Entity::TaskAssignment(Box::new(assignment)),
                Some(link),
                None,
            )
        }
        TaskAssignmentDeleted => {
            let index = random_index(
                world,
                |w| &w.tasks,
                |_, task| {
                    task.project_id.is_some()
                        && !task.assignees.as_deref().unwrap_or_default().is_empty()
                },
            )
            .ok_or(TaskAssignmentAdded)?;
            let actor = task_actor(world, index, actor);
            let count = world.tasks[index].assignees.as_ref().map_or(0, Vec::len);
            let position = world.rng.random_range(0..count);
            let task = &mut world.tasks[index];
            let removed = task
                .assignees
                .as_mut()
                .expect("has assignees")
                .remove(position);
            world::distribute_planned_effort(task, &now);
            task.updated_on = Some(now.clone());
            task.updated_by = Some(actor.id.clone());
            task.resource_version = Some(crate::ids::ticks(world.now));
            let task_id = task.id.clone();
            let assignment = task_assignment(
                &task_id,
                &Assignee {
                    updated_on: Some(now),
                    ..removed
                },
            );
            let link = world.task_link(&task_id);
            produced(
                actor,
                Entity::TaskAssignment(Box::new(assignment)),
                Some(link),
                None,
            )
        }
        TaskChanged | TaskTypeChanged => {
            // An open task (a done one now and then, for a late correction); a private task is
            // changed by its owner, who must be able to act, a project's by one of its members.
            // Only a client's task changes its type of work, to the other one its name allows.
            let late = world.rng.random_bool(LATE_CHANGE);
            let type_change = event == TaskTypeChanged;
            let index = random_index(
                world,
                |w| &w.tasks,
                |w, task| {
                    (late || task.closed_on.is_none())
                        && task
                            .user_id
                            .as_deref()
                            .is_none_or(|owner| w.user(owner).is_some_and(is_active))
                        && (!type_change
                            || text::other_task_type(&task.name, task_type_name(task)).is_some())
                },
            )
            .ok_or(ProjectTaskAdded)?;
            let owner = world.tasks[index]
                .user_id
                .as_deref()
                .and_then(|owner| world.user(owner))
                .map(triggered_by);
            let actor = match owner {
                Some(owner) => owner,
                None => task_actor(world, index, actor),
            };
            let choice = if type_change {
                0
            } else {
                world.rng.random_range(1..5)
            };
            let task = &world.tasks[index];
            let current_planned = task.planned_duration;
            let current_due = task.due_on.clone();
            let changed = match choice {
                0 => {
                    let name = text::other_task_type(&task.name, task_type_name(task))
                        .expect("chosen for it");
                    let type_of_work = world.type_of_work(name);
                    let task = &mut world.tasks[index];
                    let old = task.type_of_work_id.replace(type_of_work.id.clone());
                    let new = type_of_work.id.clone();
                    task.type_of_work = Some(type_of_work);
                    change("TypeOfWorkId", old, new)
                }
                1 => {
                    // Renamed for a later round of the same task.
                    let name = text::renamed_task(&mut world.rng, &task.name);
                    let task = &mut world.tasks[index];
                    change(
                        "Name",
                        std::mem::replace(&mut task.name, name.clone()),
                        name,
                    )
                }
                // Set below, with what awork keeps in step with it.
                2 => {
                    let planned = other(&mut world.rng, current_planned.as_ref(), |rng| {
                        rng.random_range(1..17) * 1800
                    });
                    change("PlannedDuration", current_planned, planned)
                }
                3 => {
                    let task = &mut world.tasks[index];
                    let prio = !task.is_prio.unwrap_or(false);
                    change("IsPrio", task.is_prio.replace(prio), prio)
                }
                _ => {
                    // On a working day, not before the task's start.
                    let today = world.now.date_naive();
                    let earliest = task
                        .start_on
                        .as_ref()
                        .and_then(|start| start.to_utc())
                        .map_or(today, |start| start.date_naive().max(today));
                    let new_due = other(&mut world.rng, current_due.as_ref(), |rng| {
                        let due = calendar::working_day_from(
                            earliest + TimeDelta::days(rng.random_range(1..20)),
                        );
                        awork_models::AworkDateTime::zulu(
                            due.and_hms_opt(17, 0, 0).expect("valid").and_utc(),
                        )
                    });
                    let task = &mut world.tasks[index];
                    let old = task.due_on.replace(new_due.clone());
                    change(
                        "DueOn",
                        old.map(|date| date.to_string()),
                        new_due.to_string(),
                    )
                }
            };
            let task = &mut world.tasks[index];
            task.updated_on = Some(now);
            task.updated_by = Some(actor.id.clone());
            task.resource_version = Some(crate::ids::ticks(world.now));
            if choice == 2 {
                let planned = changed.extra.get("newValue").and_then(Value::as_i64);
                world.set_planned_duration(index, planned.expect("a planned duration"));
            }
            let task = world.task_entity(index);
            let link = world.task_link(&task.id);
            produced(actor, Entity::Task(task), Some(link), Some(vec![changed]))
        }
        TaskCommentAdded => {
            // By a member of the task's project.
            let index = random_index(
                world,
                |w| &w.tasks,
                |w, task| {
                    task.project_id
                        .as_deref()
                        .and_then(|id| w.project(id))
                        .is_some_and(|state| has_active_member(w, state))
                },
            )
            .ok_or(ProjectTaskAdded)?;
            let actor = task_actor(world, index, actor);
            let comment = comment_on_task(world, index, &actor.id, None);
            let link = world.task_link(comment.entity_id.as_deref().expect("set"));
            produced(actor, Entity::Comment(Box::new(comment)), Some(link), None)
        }
        TaskListAdded => {
            let index = random_open_project(world).ok_or(ProjectAdded)?;
            let actor = member_actor(world, index).unwrap_or(actor);
            let list = world.new_task_list(index, &actor.id);
            world.projects[index].lists.push(list.clone());
            let link = world.project_link(&world.projects[index].project.id);
            produced(actor, Entity::TaskList(Box::new(list)), Some(link), None)
        }
        TaskListChanged => {
            let index = random_index(world, |w| &w.projects, |_, state| !state.lists.is_empty())
                .ok_or(TaskListAdded)?;
            let actor = member_actor(world, index).unwrap_or(actor);
            let position = world.rng.random_range(0..world.projects[index].lists.len());
            // Renamed for a later phase of the same list.
            let current = world.projects[index].lists[position]
                .name
                .clone()
                .unwrap_or_default();
            let name = text::renamed_list(&mut world.rng, &current);
            let list = &mut world.projects[index].lists[position];
            let old = list.name.replace(name.clone());
            list.updated_on = Some(now);
            list.updated_by = Some(actor.id.clone());
            let list = list.clone();
            // The tasks on the list show it under its new name.
            let version = crate::ids::ticks(world.now);
            for task in &mut world.tasks {
                let mut touched = false;
                for entry in task.lists.iter_mut().flatten() {
                    if entry.id == list.id {
                        entry.name = list.name.clone();
                        entry.updated_on = list.updated_on.clone();
                        entry.updated_by = list.updated_by.clone();
                        touched = true;
                    }
                }
                if touched {
                    task.resource_version = Some(version);
                }
            }
            let link = world.project_link(&world.projects[index].project.id);
            let list = world.counted_task_list(&list);
            produced(
                actor,
                Entity::TaskList(Box::new(list)),
                Some(link),
                Some(vec![change("Name", old, name)]),
            )
        }
        TaskListDeleted => {
            let index = random_index(world, |w| &w.projects, |_, state| !state.lists.is_empty())
                .ok_or(TaskListAdded)?;
            let actor = member_actor(world, index).unwrap_or(actor);
            let position = world.rng.random_range(0..world.projects[index].lists.len());
            let list = world.projects[index].lists.remove(position);
            // Its tracked time as it went, before its tasks leave it.
            let list = world.counted_task_list(&list);
            let version = crate::ids::ticks(world.now);
            for task in &mut world.tasks {
                if let Some(lists) = &mut task.lists {
                    let before = lists.len();
                    lists.retain(|entry| entry.id != list.id);
                    if lists.len() != before {
                        task.resource_version = Some(version);
                    }
                }
            }
            let link = world.project_link(&world.projects[index].project.id);
            produced(actor, Entity::TaskList(Box::new(list)), Some(link), None)
        }
        TaskStatusChanged => {
            let index = random_index(
                world,
                |w| &w.tasks,
                |_, task| task.closed_on.is_none() && task.project_id.is_some(),
            )
            .ok_or(ProjectTaskAdded)?;
            let project = world.tasks[index]
                .project_id
                .as_deref()
                .and_then(|id| world.project_index(id))
                .expect("tasks belong to projects");
            let actor = member_actor(world, project).unwrap_or(actor);
            let statuses = &world.projects[project].task_statuses;
            let current = statuses
                .iter()
                .position(|status| Some(&status.id) == world.tasks[index].task_status_id.as_ref())
                .unwrap_or(0);
            let next = (current + 1).min(statuses.len() - 1);
            let old = world.set_task_status(index, Some(project), next, &actor.id);
            let new = world.tasks[index].task_status_id.clone();
            let changed = change("TaskStatusId", old, new);
            let task = world.task_entity(index);
            let link = world.task_link(&task.id);
            produced(actor, Entity::Task(task), Some(link), Some(vec![changed]))
        }
        TimeTrackingAdded => {
            // Now and then, time on a project as a whole, by one of its members.
            if world.rng.random_bool(0.12) {
                let index = random_open_project(world).ok_or(ProjectAdded)?;
                let since = world.projects[index]
                    .project
                    .created_on
                    .as_ref()
                    .and_then(|created| created.to_utc());
                let member = world.projects[index]
                    .project
                    .members
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|member| world.user_index(member.user_id.as_deref()?))
                    .filter(|&user| is_active(&world.users[user]))
                    .find_map(|user| Some((user, world.free_from(&world.users[user].id, since)?)));
                if let Some((user, from)) = member {
                    let entry = Box::new(world.new_time_entry(None, index, user, from, false));
                    world.time_entries.push(Kept::time_entry(entry.clone()));
                    let link = world.project_link(&world.projects[index].project.id);
                    return produced(
                        triggered_by(&world.users[user]),
                        Entity::TimeTracking(entry),
                        Some(link),
                        None,
                    );
                }
            }
            // The first assignee who can act and has time free since the task was created: the
            // index of the user, and when the entry may start.
            let worker = |w: &World, task: &Task| {
                task.project_id.as_ref()?;
                let since = task
                    .created_on
                    .as_ref()
                    .and_then(|created| created.to_utc());
                active_assignees(w, task)
                    .find_map(|(user, id)| Some((user, w.free_from(id, since)?)))
            };
            // When nobody is free yet, time passes until someone is: a task is created, or an entry
            // ended, less than a short entry's time ago, or the working day has not begun. A timer
            // that keeps its user busy is stopped first.
            let mut waited = 0;
            let (index, user, from, start_timer) = loop {
                if let Some(index) = random_index_if(
                    world,
                    world.someone_is_free(),
                    |w| &w.tasks,
                    |w, task| worker(w, task).is_some(),
                ) {
                    let (user, from) = worker(world, &world.tasks[index]).expect("checked");
                    break (index, user, from, false);
                }
                // At the wall clock everybody has tracked their time up to now: somebody starts
                // a timer instead.
                if world.at_wall_clock()
                    && let Some(index) = random_index_if(
                        world,
                        world.someone_may_start_a_timer(),
                        |w| &w.tasks,
                        |w, task| timer_starter(w, task).is_some(),
                    )
                {
                    let (user, from) = timer_starter(world, &world.tasks[index]).expect("checked");
                    break (index, user, from, true);
                }
                let could_work = |w: &World, task: &Task| {
                    task.project_id.is_some()
                        && active_assignees(w, task).any(|(_, id)| {
                            w.worklogs.get(id).is_none_or(|log| log.running.is_none())
                        })
                };
                // Time passes only up to the wall clock the story follows, if any, unless the
                // entry was asked for (see `World::may_run_ahead`).
                if waited < 40
                    && world.time_may_pass()
                    && world.tasks.iter().any(|task| could_work(world, task))
                    && world.tick_waiting()
                {
                    waited += 1;
                } else if world
                    .time_entries
                    .iter()
                    .any(|entry| entry.end_time_utc.is_none())
                {
                    return Err(TimeTrackingChanged);
                } else {
                    return Err(ProjectTaskAdded);
                }
            };
            let project = world.tasks[index]
                .project_id
                .as_deref()
                .and_then(|id| world.project_index(id))
                .expect("tasks belong to projects");
            let entry =
                Box::new(world.new_time_entry(Some(index), project, user, from, start_timer));
            world.time_entries.push(Kept::time_entry(entry.clone()));
            let link = world.task_link(entry.task_id.as_deref().expect("booked on a task"));
            // The one who tracked the time, not the random actor.
            produced(
                triggered_by(&world.users[user]),
                Entity::TimeTracking(entry),
                Some(link),
                None,
            )
        }
        TimeTrackingChanged | TimeTrackingTypeChanged => {
            // People change their own entries. The type of work of an entry on a client's project
            // changes to another that fits its task (or, on the project alone, between organising
            // and advising).
            let type_change = event == TimeTrackingTypeChanged;
            let index = random_index(
                world,
                |w| &w.time_entries,
                |w, entry| {
                    owner_active(w, entry) && (!type_change || other_entry_type(entry).is_some())
                },
            )
            .ok_or_else(|| {
                // Time is tracked on a client's task, once there is one.
                let client_task = world.tasks.iter().any(|task| {
                    task.project_id
                        .as_deref()
                        .and_then(|id| world.project(id))
                        .is_some_and(|state| state.project.company_id.is_some())
                });
                if client_task || !type_change {
                    TimeTrackingAdded
                } else {
                    ProjectTaskAdded
                }
            })?;
            // A running timer is stopped first: by its user, within the day it started on.
            let running = world
                .time_entries
                .iter()
                .position(|entry| entry.end_time_utc.is_none() && owner_active(world, entry));
            let index = if type_change {
                index
            } else {
                running.unwrap_or(index)
            };
            let actor = entry_owner(world, index);
            let entry = &world.time_entries[index];
            // Internal work on the agency's own project has that project's notes.
            let internal_project = entry
                .project
                .as_ref()
                .filter(|project| project.is_billable_by_default != Some(true))
                .filter(|_| {
                    let kind = entry.type_of_work.as_ref();
                    kind.and_then(|kind| kind.name.as_deref()) == Some(text::INTERNAL_WORK)
                })
                .and_then(|project| project.name.clone());
            let start = world::entry_start(entry).expect("generated entries have a start");
            let kind = entry
                .type_of_work
                .as_ref()
                .and_then(|kind| kind.name.clone());
            let current_note = entry.note.clone();
            let (duration, stopped) = (entry.duration, entry.end_time_utc.is_none());
            let changed = if event == TimeTrackingTypeChanged {
                // Another type of work, and a note that fits it.
                let name = other_entry_type(&world.time_entries[index]).expect("chosen for it");
                let type_of_work = world.type_of_work(name);
                let new_kind = type_of_work.id.clone();
                let note = text::note(&mut world.rng, None, Some(name));
                let entry = &mut world.time_entries[index];
                let old = std::mem::replace(&mut entry.type_of_work_id, new_kind.clone());
                entry.type_of_work = Some(type_of_work);
                let mut changed = vec![change("TypeOfWorkId", old, new_kind.as_str())];
                if current_note.as_deref() != Some(note) {
                    changed.push(change("Note", entry.note.replace(note.into()), note));
                }
                entry.resource_version = Some(crate::ids::ticks(world.now));
                changed
            } else if stopped {
                let day_end =
                    calendar::at_local_hour(calendar::local(start).date(), calendar::DAY_ENDS);
                let end = (start + TimeDelta::minutes(world.rng.random_range(20..180)))
                    .min(day_end)
                    .min(world.now);
                let (old, new) = world.end_time_entry(index, end);
                vec![change("Duration", old, new)]
            } else if duration.is_some_and(|duration| duration > 30 * 60)
                && world.rng.random_bool(0.4)
            {
                // Shortened afterwards: it ends earlier, so it overlaps nothing.
                let cut = TimeDelta::minutes(world.rng.random_range(5..15));
                let end = world::entry_end(&world.time_entries[index]).expect("ended") - cut;
                let (old, new) = world.end_time_entry(index, end);
                vec![change("Duration", old, new)]
            } else {
                let note = other(&mut world.rng, current_note.as_deref().as_ref(), |rng| {
                    text::note(rng, internal_project.as_deref(), kind.as_deref())
                });
                let entry = &mut world.time_entries[index];
                entry.resource_version = Some(crate::ids::ticks(world.now));
                vec![change("Note", entry.note.replace(note.into()), note)]
            };
            let entry = &mut world.time_entries[index];
            entry.updated_on = Some(now);
            entry.updated_by = Some(actor.id.clone());
            let entry = Box::new(world.current_time_entry(&world.time_entries[index]));
            let link = world.time_entry_link(&entry);
            produced(
                actor,
                Entity::TimeTracking(entry),
                Some(link),
                Some(changed),
            )
        }
        TimeTrackingDeleted => {
            // By its user.
            let index = random_index(
                world,
                |w| &w.time_entries,
                |w, entry| owner_active(w, entry),
            )
            .ok_or(TimeTrackingAdded)?;
            let actor = entry_owner(world, index);
            let removed = world.remove_time_entry(index);
            let entry = Box::new(world.current_time_entry(&removed));
            let link = world.time_entry_link(&entry);
            produced(actor, Entity::TimeTracking(entry), Some(link), None)
        }
        UserAdded => {
            if world.users.len() >= MAX_USERS {
                return Err(UserDeleted);
            }
            let user = world.new_user(Some(&actor.id));
            world.users.push(user.clone());
            let link = world.user_link(&user.id);
            produced(actor, Entity::User(Box::new(user)), Some(link), None)
        }
        UserDeleted => {
            let index = random_index(
                world,
                |w| &w.users,
                |w, user| user.id != w.users[0].id && user.id != actor.id,
            )
            .ok_or(UserAdded)?;
            let mut user = world.users.remove(index);
            forget_user(world, &user.id);
            user.deleted_on = Some(now);
            user.resource_version = Some(crate::ids::ticks(world.now));
            produced(actor, Entity::User(Box::new(user)), None, None)
        }
        UserStatusChanged => {
            let pending = |user: &awork_models::entities::User| {
                user.status.as_ref().and_then(|s| s.invitation_accepted) == Some(false)
            };
            let index =
                random_index(world, |w| &w.users, |_, user| pending(user)).ok_or(UserAdded)?;
            let user = &mut world.users[index];
            user.status.get_or_insert_default().invitation_accepted = Some(true);
            user.updated_on = Some(now);
            user.updated_by = Some(user.id.clone());
            user.resource_version = Some(crate::ids::ticks(world.now));
            let user = Box::new(user.clone());
            let link = world.user_link(&user.id);
            // The user who accepted the invitation is the one who acted.
            produced(
                triggered_by(&user),
                Entity::User(user),
                Some(link),
                Some(vec![change("InvitationAccepted", false, true)]),
            )
        }
        UserActivationChanged => {
            let accepted = |user: &awork_models::entities::User| {
                user.status.as_ref().and_then(|s| s.invitation_accepted) == Some(true)
            };
            let pending_exists = world.users.iter().any(|user| !accepted(user));
            let index = random_index(
                world,
                |w| &w.users,
                |w, user| user.id != w.users[0].id && user.id != actor.id && accepted(user),
            )
            .ok_or(if pending_exists {
                UserStatusChanged
            } else {
                UserAdded
            })?;
            let user = &mut world.users[index];
            let deactivated = user.is_deactivated != Some(true);
            user.is_deactivated = Some(deactivated);
            user.status.get_or_insert_default().is_deactivated = Some(deactivated);
            user.deactivated_on = deactivated.then(|| now.clone());
            user.updated_on = Some(now);
            user.updated_by = Some(actor.id.clone());
            let version = crate::ids::ticks(world.now);
            user.resource_version = Some(version);
            let user = user.clone();
            for state in &mut world.projects {
                let mut touched = false;
                for member in state.project.members.iter_mut().flatten() {
                    if member.user_id.as_ref() == Some(&user.id) {
                        member.is_deactivated = Some(deactivated);
                        touched = true;
                    }
                }
                if touched {
                    state.project.resource_version = Some(version);
                }
            }
            let link = world.user_link(&user.id);
            produced(
                actor,
                Entity::User(Box::new(user)),
                Some(link),
                Some(vec![change("IsDeactivated", !deactivated, deactivated)]),
            )
        }
        UserUpdated => {
            // A title changes only by a promotion, given by the owner; otherwise an active user
            // adds a profile picture of their own.
            let promotion = |user: &awork_models::entities::User| {
                user.position.as_deref().and_then(text::promotion)
            };
            let index = random_index(
                world,
                |w| &w.users,
                |_, user| {
                    promotion(user).is_some() || (is_active(user) && user.has_image != Some(true))
                },
            )
            .ok_or(UserAdded)?;
            let (actor, changed) = match promotion(&world.users[index]) {
                Some(position) => {
                    let user = &mut world.users[index];
                    let old = user.position.replace(position.into());
                    (
                        triggered_by(&world.users[0]),
                        change("Position", old, position),
                    )
                }
                None => {
                    let user = &mut world.users[index];
                    let old = user.has_image.replace(true);
                    (triggered_by(user), change("HasImage", old, true))
                }
            };
            let user = &mut world.users[index];
            user.updated_on = Some(now);
            user.updated_by = Some(actor.id.clone());
            user.resource_version = Some(crate::ids::ticks(world.now));
            let user = user.clone();
            let link = world.user_link(&user.id);
            produced(
                actor,
                Entity::User(Box::new(user)),
                Some(link),
                Some(vec![changed]),
            )
        }
    }
}

/// The ids of the active members of a task's project who are not assigned to it yet, in the order of
/// the project's members.
fn unassigned_members<'w>(w: &'w World, task: &'w Task) -> impl Iterator<Item = &'w str> + 'w {
    let assigned = task.assignees.as_deref().unwrap_or_default();
    let members = task
        .project_id
        .as_deref()
        .and_then(|id| w.project_index(id))
        .and_then(|project| w.projects[project].project.members.as_deref())
        .unwrap_or_default();
    members
        .iter()
        .filter_map(|m| m.user_id.as_deref())
        .filter(move |user| !assigned.iter().any(|a| a.id == *user))
        .filter(move |user| w.user(user).is_some_and(|u| u.is_deactivated != Some(true)))
}

/// Removes a deleted user from memberships, assignments, absences and time entries. Their time
/// still counts in the tracked time of tasks and projects, as awork keeps it (without the user).
fn forget_user(world: &mut World, user_id: &str) {
    let version = crate::ids::ticks(world.now);
    let now = world.stamp();
    for state in &mut world.projects {
        if let Some(members) = &mut state.project.members {
            let before = members.len();
            members.retain(|member| member.user_id.as_deref() != Some(user_id));
            if members.len() != before {
                state.project.resource_version = Some(version);
            }
        }
    }
    for task in &mut world.tasks {
        if let Some(assignees) = &mut task.assignees {
            let before = assignees.len();
            assignees.retain(|assignee| assignee.id != user_id);
            if assignees.len() != before {
                world::distribute_planned_effort(task, &now);
                task.resource_version = Some(version);
            }
        }
    }
    world.worklogs.remove(user_id);
    // Their private tasks go with them.
    world
        .tasks
        .retain(|task| task.user_id.as_deref() != Some(user_id));
    world
        .absences
        .retain(|absence| absence.user_id.as_deref() != Some(user_id));
    world
        .time_entries
        .retain(|entry| entry.user_id.as_deref() != Some(user_id));
}

/// The assignment of a task to the user of an assignee record: the record with the task's id.
pub fn task_assignment(task_id: &str, assignee: &Assignee) -> TaskAssignment {
    TaskAssignment {
        id: assignee.id.clone(),
        task_id: Some(task_id.to_owned()),
        first_name: assignee.first_name.clone(),
        last_name: assignee.last_name.clone(),
        has_image: assignee.has_image,
        planned_effort: assignee.planned_effort,
        is_distributed_planned_effort: assignee.is_distributed_planned_effort,
        updated_on: assignee.updated_on.clone(),
        ..TaskAssignment::default()
    }
}

/// A new comment by `author` on a task (an index of `tasks`), kept in the world: its `message`, or
/// one the story writes (now and then mentioning a colleague) when `None`. The task counts it.
pub fn comment_on_task(
    world: &mut World,
    index: usize,
    author: &str,
    message: Option<&str>,
) -> Comment {
    let task = &mut world.tasks[index];
    task.comment_count = Some(task.comment_count.unwrap_or(0) + 1);
    task.resource_version = Some(crate::ids::ticks(world.now));
    // The `NestedTaskEventModel` of the task; a private task has no project.
    let mut target = Map::with_capacity(7);
    for (key, value) in [
        ("id", task.id.clone().into()),
        ("name", task.name.clone().into()),
        ("baseType", task.base_type.clone().into()),
        ("projectId", task.project_id.clone().into()),
        ("createdBy", task.created_by.clone().into()),
        ("isExternal", false.into()),
        ("isHiddenForConnectUsers", false.into()),
    ] {
        if value != Value::Null {
            target.insert(key.to_owned(), value);
        }
    }
    let (id, name) = (task.id.clone(), task.name.clone());
    let target = ("task", Value::Object(target));
    let comment = new_comment(world, author, ("tasks", &id, &name), target, message);
    world.comments.push(comment.clone());
    comment
}

/// A new comment by `author` on a project (an index of `projects`), kept in the world: its
/// `message`, or one the story writes (now and then mentioning a colleague) when `None`.
pub fn comment_on_project(
    world: &mut World,
    index: usize,
    author: &str,
    message: Option<&str>,
) -> Comment {
    let project = &world.projects[index].project;
    // The `NestedProjectEventModel` of the project.
    let target = object([
        ("id", project.id.clone().into()),
        ("name", project.name.clone().into()),
        ("createdBy", project.created_by.clone().into()),
        ("isPrivate", project.is_private.into()),
        ("isExternal", false.into()),
    ]);
    let (id, name) = (project.id.clone(), project.name.clone());
    let target = ("project", target);
    let comment = new_comment(world, author, ("projects", &id, &name), target, message);
    world.comments.push(comment.clone());
    comment
}

/// A comment on an entity (its comment type, id and name), with the entity's nested model under
/// `target_key`: `message`, or a drawn one that now and then mentions a colleague.
fn new_comment(
    world: &mut World,
    author: &str,
    (entity_type, entity_id, entity_name): (&str, &str, &str),
    (target_key, target): (&str, Value),
    message: Option<&str>,
) -> Comment {
    let drawn = message.is_none();
    let message = message.unwrap_or_else(|| text::comment(&mut world.rng));
    let now = world.stamp();
    let id = world.id();
    // Now and then a colleague is mentioned: awork resolves the mention in the formatted messages
    // and lists the user under `mentions` (the raw message's mention syntax is not evidenced; this
    // writes it as the plain name).
    let mentioned = if drawn && world.rng.random_bool(0.3) {
        pick(&mut world.rng, &world.users, |user| {
            is_active(user) && user.id != author
        })
    } else {
        None
    };
    let author = world.user(author).expect("the author is a user");
    let (message, formatted, mentions) = match mentioned.map(|index| &world.users[index]) {
        Some(user) => {
            let name = format!(
                "@{} {}",
                user.first_name.as_deref().unwrap_or_default(),
                user.last_name.as_deref().unwrap_or_default()
            );
            let plain = format!("{name} {message}");
            let html = paragraph(&plain).replacen(
                &name,
                &format!(
                    "<span class=\"mention\" data-user-id=\"{}\">{name}</span>",
                    user.id
                ),
                1,
            );
            let mentions = object([
                (
                    "users",
                    Value::Array(vec![object([
                        ("id", user.id.clone().into()),
                        ("firstName", user.first_name.clone().into()),
                        ("lastName", user.last_name.clone().into()),
                        ("hasImage", user.has_image.into()),
                        ("isExternal", false.into()),
                    ])]),
                ),
                ("everyUserHadPermissions", true.into()),
            ]);
            (plain, html, Some(mentions))
        }
        None => (message.to_owned(), paragraph(message), None),
    };
    let mut comment = Comment {
        id,
        entity_id: Some(entity_id.to_owned()),
        entity_type: Some(entity_type.to_owned()),
        entity: Some(CommentedEntity {
            id: Some(entity_id.to_owned()),
            name: Some(entity_name.to_owned()),
            ..CommentedEntity::default()
        }),
        formatted_message: Some(formatted),
        plain_formatted_message: Some(message.clone()),
        message: Some(message),
        mentions,
        user_id: Some(author.id.clone()),
        user: Some(nested_user(author)),
        is_hidden_for_connect_users: Some(false),
        resource_version: Some(crate::ids::ticks(world.now)),
        is_external: Some(false),
        created_on: Some(now.clone()),
        created_by: Some(author.id.clone()),
        updated_on: Some(now),
        updated_by: Some(author.id.clone()),
        ..Comment::default()
    };
    if target_key == "task" {
        comment.task = Some(target);
    } else {
        comment.project = Some(target);
    }
    comment
}

/// `<p>text</p>` with the text HTML-escaped, written in one pass into one string: the runs between
/// the characters to escape are copied whole (the escaped ones are ASCII, so a byte is a character).
fn paragraph(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    html.push_str("<p>");
    let mut rest = text;
    while let Some(at) = rest
        .bytes()
        .position(|byte| matches!(byte, b'&' | b'<' | b'>' | b'\''))
    {
        html.push_str(&rest[..at]);
        html.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    html.push_str(rest);
    html.push_str("</p>");
    html
}
