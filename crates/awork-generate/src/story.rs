//! What happens next in the workspace: picks an event type, makes sure what it is about exists
//! (emitting the creation first when that event type is wanted, creating it behind the scenes when it
//! is not), changes the world, and writes the event.
//!
//! The entity shapes come from [`crate::world`]; the envelope around them from [`crate::Generator`].

use awork_models::entities::{
    Assignee, Comment, CommentedEntity, Entity, Task, TaskAssignment, TypeOfWork,
};
use awork_models::{Change, EventType, TriggeredBy};
use chrono::TimeDelta;
use fake::rand::RngExt;
use fake::rand::seq::IndexedRandom;
use serde_json::{Map, Value};

use crate::text;
use crate::world::{
    self, Kept, MAX_COMPANIES, MAX_PROJECTS, MAX_USERS, World, is_active, nested_user, pick,
    triggered_by,
};

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

/// How often each event type happens in an agency's day, relative to the others.
pub fn weight(event: EventType) -> u32 {
    use EventType::*;
    match event {
        TaskChanged | TaskStatusChanged | TimeTrackingAdded => 10,
        ProjectTaskAdded | TaskCommentAdded | TaskAssignmentAdded => 6,
        TimeTrackingChanged | ProjectChanged | TaskListAdded => 4,
        ProjectAdded | ProjectStatusChanged | ProjectCommentAdded | TaskListChanged
        | ProjectMemberAdded => 3,
        TaskAssignmentDeleted
        | TimeTrackingDeleted
        | AbsenceAdded
        | ClientAdded
        | ClientChanged => 2,
        _ => 1,
    }
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

/// One of the workspace's types of work, drawn until it is not `current`.
fn other_type_of_work(world: &mut World, current: Option<&String>) -> TypeOfWork {
    let id = other(&mut world.rng, current, |rng| {
        world
            .types_of_work
            .choose(rng)
            .expect("types of work exist")
            .id
            .clone()
    });
    world
        .types_of_work
        .iter()
        .find(|kind| kind.id == id)
        .cloned()
        .expect("chosen from them")
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

/// A random index of `items` whose item passes `keep`, or `None` when none does. A few random probes
/// come first, so that the common case does not scan the whole world; the scan is the fallback.
fn random_index<T>(
    world: &mut World,
    items: impl Fn(&World) -> &[T],
    keep: impl Fn(&World, &T) -> bool,
) -> Option<usize> {
    let len = items(world).len();
    if len == 0 {
        return None;
    }
    for _ in 0..8 {
        let index = world.rng.random_range(0..len);
        if keep(world, &items(world)[index]) {
            return Some(index);
        }
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
    random_index(
        world,
        |w| &w.projects,
        |_, state| {
            state
                .project
                .project_status
                .as_ref()
                .and_then(|status| status.kind.as_deref())
                != Some("closed")
        },
    )
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
            if world.companies.len() >= MAX_COMPANIES {
                return Err(ClientDeleted);
            }
            let company = world.new_company(&actor.id);
            world.companies.push(company.clone());
            let link = world.company_link(&company.id);
            produced(actor, Entity::Company(Box::new(company)), Some(link), None)
        }
        ClientChanged | CompanyTypeChanged => {
            let index = random_index(world, |w| &w.companies, |_, _| true).ok_or(ClientAdded)?;
            let (property, old, new) = if event == CompanyTypeChanged || world.rng.random_bool(0.5)
            {
                let current = world.companies[index].industry.clone();
                let industry = other(&mut world.rng, current.as_ref(), |rng| {
                    text::industry(rng).to_owned()
                });
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
            if world.projects.len() >= MAX_PROJECTS {
                return Err(ProjectDeleted);
            }
            let company = if world.rng.random_bool(0.75) {
                if world.companies.is_empty() {
                    return Err(ClientAdded);
                }
                // The draw of choosing from the clients, without cloning the one chosen.
                Some(world.rng.random_range(..world.companies.len()))
            } else {
                None
            };
            let state = world.new_project(&actor.id, company);
            world.projects.push(state);
            let index = world.projects.len() - 1;
            let project = world.project_entity(index);
            let link = world.project_link(&project.id);
            produced(actor, Entity::Project(project), Some(link), None)
        }
        ProjectChanged | ProjectTypeChanged => {
            // Only a client's project changes its type: between a one-off project and a retainer.
            let index = if event == ProjectTypeChanged {
                random_index(
                    world,
                    |w| &w.projects,
                    |_, state| state.project.company_id.is_some(),
                )
            } else {
                random_index(world, |w| &w.projects, |_, _| true)
            }
            .ok_or(ProjectAdded)?;
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
            let budget = other(&mut world.rng, current_budget.as_ref(), |rng| {
                rng.random_range(10..300) * 3600
            });
            let days = world.rng.random_range(3..30);
            let current_description = project.description.clone();
            let description = other(
                &mut world.rng,
                current_description.as_deref().as_ref(),
                |rng| text::description(rng),
            );
            let today = world.now.date_naive();
            let project = &mut world.projects[index].project;
            let changed = match choice {
                0 => {
                    let old = project.project_type_id.replace(new_type.id.clone());
                    project.project_type = Some(new_type.clone());
                    project.is_retainer = Some(!retainer);
                    vec![
                        change("ProjectTypeId", old, new_type.id.as_str()),
                        change("IsRetainer", retainer, !retainer),
                    ]
                }
                1 => vec![change(
                    "TimeBudget",
                    project.time_budget.replace(budget),
                    budget,
                )],
                2 => {
                    // A project without a due date gets one.
                    let due = project
                        .due_date
                        .as_ref()
                        .and_then(|due| due.to_utc())
                        .map_or(today, |due| due.date_naive());
                    let new_due = awork_models::day_start(due + TimeDelta::days(days));
                    let old = project.due_date.replace(new_due.clone());
                    vec![change(
                        "DueDate",
                        old.map(|date| date.to_string()),
                        new_due.to_string(),
                    )]
                }
                _ => vec![change(
                    "Description",
                    project.description.replace(description.into()),
                    description,
                )],
            };
            project.updated_on = Some(now);
            project.updated_by = Some(actor.id.clone());
            project.resource_version = Some(crate::ids::ticks(world.now));
            let project = world.project_entity(index);
            let link = world.project_link(&project.id);
            produced(actor, Entity::Project(project), Some(link), Some(changed))
        }
        ProjectStatusChanged => {
            let index = random_open_project(world).ok_or(ProjectAdded)?;
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
            let mut member = world.member(user, 1, false);
            let project = &mut world.projects[index].project;
            project.members.get_or_insert_default().push(member.clone());
            project.resource_version = Some(crate::ids::ticks(world.now));
            member.project_id = Some(project.id.clone());
            let link = world.project_link(member.project_id.as_deref().expect("just set"));
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
            let mut member = world.projects[index]
                .project
                .members
                .as_mut()
                .expect("has members")
                .remove(position);
            world.projects[index].project.resource_version = Some(crate::ids::ticks(world.now));
            let link = world.project_link(&project_id);
            member.project_id = Some(project_id);
            produced(
                actor,
                Entity::ProjectMember(Box::new(member)),
                Some(link),
                None,
            )
        }
        ProjectCommentAdded => {
            let index = random_index(world, |w| &w.projects, |_, _| true).ok_or(ProjectAdded)?;
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
            let index = random_open_project(world).ok_or(ProjectAdded)?;
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
            // A private task is changed by its owner, who must be able to act.
            let index = random_index(
                world,
                |w| &w.tasks,
                |w, task| {
                    task.user_id
                        .as_deref()
                        .is_none_or(|owner| w.user(owner).is_some_and(is_active))
                },
            )
            .ok_or(ProjectTaskAdded)?;
            let owner = world.tasks[index]
                .user_id
                .as_deref()
                .and_then(|owner| world.user(owner))
                .map(triggered_by);
            let actor = owner.unwrap_or(actor);
            let choice = if event == TaskTypeChanged {
                0
            } else {
                world.rng.random_range(1..5)
            };
            let task = &world.tasks[index];
            let current_kind = task.type_of_work_id.clone();
            let current_name = task.name.clone();
            let current_planned = task.planned_duration;
            let current_due = task.due_on.clone();
            let type_of_work = other_type_of_work(world, current_kind.as_ref());
            let name = other(&mut world.rng, Some(&current_name.as_str()), |rng| {
                text::task_name(rng)
            });
            let planned = other(&mut world.rng, current_planned.as_ref(), |rng| {
                rng.random_range(1..17) * 1800
            });
            let today = world.now.date_naive();
            let new_due = other(&mut world.rng, current_due.as_ref(), |rng| {
                let due = today + TimeDelta::days(rng.random_range(1..20));
                awork_models::AworkDateTime::zulu(
                    due.and_hms_opt(17, 0, 0).expect("valid").and_utc(),
                )
            });
            let task = &mut world.tasks[index];
            let changed = match choice {
                0 => {
                    let old = task.type_of_work_id.replace(type_of_work.id.clone());
                    task.type_of_work = Some(type_of_work.clone());
                    change("TypeOfWorkId", old, type_of_work.id.as_str())
                }
                1 => change("Name", std::mem::replace(&mut task.name, name.into()), name),
                // Set below, with what awork keeps in step with it.
                2 => change("PlannedDuration", current_planned, planned),
                3 => {
                    let prio = !task.is_prio.unwrap_or(false);
                    change("IsPrio", task.is_prio.replace(prio), prio)
                }
                _ => {
                    let old = task.due_on.replace(new_due.clone());
                    change(
                        "DueOn",
                        old.map(|date| date.to_string()),
                        new_due.to_string(),
                    )
                }
            };
            task.updated_on = Some(now);
            task.updated_by = Some(actor.id.clone());
            task.resource_version = Some(crate::ids::ticks(world.now));
            if choice == 2 {
                world.set_planned_duration(index, planned);
            }
            let task = world.task_entity(index);
            let link = world.task_link(&task.id);
            produced(actor, Entity::Task(task), Some(link), Some(vec![changed]))
        }
        TaskCommentAdded => {
            let index = random_index(world, |w| &w.tasks, |_, task| task.project_id.is_some())
                .ok_or(ProjectTaskAdded)?;
            let comment = comment_on_task(world, index, &actor.id, None);
            let link = world.task_link(comment.entity_id.as_deref().expect("set"));
            produced(actor, Entity::Comment(Box::new(comment)), Some(link), None)
        }
        TaskListAdded => {
            let index = random_open_project(world).ok_or(ProjectAdded)?;
            let list = world.new_task_list(index, &actor.id);
            world.projects[index].lists.push(list.clone());
            let link = world.project_link(&world.projects[index].project.id);
            produced(actor, Entity::TaskList(Box::new(list)), Some(link), None)
        }
        TaskListChanged => {
            let index = random_index(world, |w| &w.projects, |_, state| !state.lists.is_empty())
                .ok_or(TaskListAdded)?;
            let position = world.rng.random_range(0..world.projects[index].lists.len());
            let current = world.projects[index].lists[position].name.clone();
            let name = other(&mut world.rng, current.as_deref().as_ref(), |rng| {
                text::task_list_name(rng)
            });
            let list = &mut world.projects[index].lists[position];
            let old = list.name.replace(name.into());
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
            let position = world.rng.random_range(0..world.projects[index].lists.len());
            let list = world.projects[index].lists.remove(position);
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
            let statuses = &world.projects[project].task_statuses;
            let current = statuses
                .iter()
                .position(|status| Some(&status.id) == world.tasks[index].task_status_id.as_ref())
                .unwrap_or(0);
            let next = (current + 1).min(statuses.len() - 1);
            let old = world.set_task_status(index, project, next, &actor.id);
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
                    let entry = Box::new(world.new_time_entry(None, index, user, from));
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
                task.assignees
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find_map(|a| {
                        let user = w
                            .user_index(&a.id)
                            .filter(|&user| is_active(&w.users[user]))?;
                        Some((user, w.free_from(&a.id, since)?))
                    })
            };
            // When nobody is free yet, time passes until someone is: a task is created, or an entry
            // ended, less than a short entry's time ago, or the working day has not begun. A timer
            // that keeps its user busy is stopped first.
            let mut waited = 0;
            let index = loop {
                if let Some(index) =
                    random_index(world, |w| &w.tasks, |w, task| worker(w, task).is_some())
                {
                    break index;
                }
                let could_work = |w: &World, task: &Task| {
                    task.project_id.is_some()
                        && task
                            .assignees
                            .as_deref()
                            .unwrap_or_default()
                            .iter()
                            .any(|a| {
                                w.user_index(&a.id)
                                    .is_some_and(|user| is_active(&w.users[user]))
                                    && w.worklogs
                                        .get(&a.id)
                                        .is_none_or(|log| log.running.is_none())
                            })
                };
                if waited < 40 && world.tasks.iter().any(|task| could_work(world, task)) {
                    world.tick();
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
            let (user, from) = worker(world, &world.tasks[index]).expect("checked");
            let project = world.tasks[index]
                .project_id
                .as_deref()
                .and_then(|id| world.project_index(id))
                .expect("tasks belong to projects");
            let entry = Box::new(world.new_time_entry(Some(index), project, user, from));
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
            let index =
                random_index(world, |w| &w.time_entries, |_, _| true).ok_or(TimeTrackingAdded)?;
            // A running timer is stopped first: by its user, within the day it started on.
            let running = world
                .time_entries
                .iter()
                .position(|entry| entry.end_time_utc.is_none());
            let index = if event == TimeTrackingChanged {
                running.unwrap_or(index)
            } else {
                index
            };
            let entry = &world.time_entries[index];
            let start = world::entry_start(entry).expect("generated entries have a start");
            let kind = entry
                .type_of_work
                .as_ref()
                .and_then(|kind| kind.name.clone());
            let (current_note, current_kind) = (entry.note.clone(), entry.type_of_work_id.clone());
            let (duration, stopped) = (entry.duration, entry.end_time_utc.is_none());
            let changed = if event == TimeTrackingTypeChanged {
                // Another type of work, and a note that fits it.
                let type_of_work = other_type_of_work(world, Some(&current_kind));
                let new_kind = type_of_work.id.clone();
                let note = text::note(&mut world.rng, type_of_work.name.as_deref());
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
                let day_end = start
                    .date_naive()
                    .and_hms_opt(18, 0, 0)
                    .expect("valid")
                    .and_utc();
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
                    text::note(rng, kind.as_deref())
                });
                let entry = &mut world.time_entries[index];
                entry.resource_version = Some(crate::ids::ticks(world.now));
                vec![change("Note", entry.note.replace(note.into()), note)]
            };
            let entry = &mut world.time_entries[index];
            entry.updated_on = Some(now);
            entry.updated_by = Some(actor.id.clone());
            let entry = entry.to_model();
            let link = match &entry.task_id {
                Some(id) => world.task_link(id),
                None => world.project_link(entry.project_id.as_deref().expect("booked")),
            };
            produced(
                actor,
                Entity::TimeTracking(entry),
                Some(link),
                Some(changed),
            )
        }
        TimeTrackingDeleted => {
            let index =
                random_index(world, |w| &w.time_entries, |_, _| true).ok_or(TimeTrackingAdded)?;
            let entry = Box::new(world.remove_time_entry(index));
            let link = match &entry.task_id {
                Some(id) => world.task_link(id),
                None => world.project_link(entry.project_id.as_deref().expect("booked")),
            };
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
            let index = random_index(world, |w| &w.users, |_, _| true).ok_or(UserAdded)?;
            let current = world.users[index].position.clone();
            let position = other(&mut world.rng, current.as_deref().as_ref(), |rng| {
                text::position(rng)
            });
            let user = &mut world.users[index];
            let old = user.position.replace(position.into());
            user.updated_on = Some(now);
            user.updated_by = Some(actor.id.clone());
            user.resource_version = Some(crate::ids::ticks(world.now));
            let user = user.clone();
            let link = world.user_link(&user.id);
            produced(
                actor,
                Entity::User(Box::new(user)),
                Some(link),
                Some(vec![change("Position", old, position)]),
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
