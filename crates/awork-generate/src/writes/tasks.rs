//! The task writes: create, update, change statuses, set assignees, delete, and comment.

use awork_models::entities::{Assignee, Double, Entity, Task};
use awork_models::{EventType, TriggeredBy};
use serde::{Deserialize, Serialize};

use super::time_entries;
use super::{
    COMMENT_MAX, Check, DESCRIPTION_MAX, NAME_MAX, Outcome, Refused, WRITE_SECONDS,
    changes_between, event, zulu,
};
use crate::story::{self, comment_on_task, task_assignment};
use crate::world::{self, World, assignee, task_order_list};

/// The body of `POST /tasks` (awork's `GeneralTaskPostForm`). `name` and `baseType` are required;
/// `entityId` too for a project task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneralTaskPostForm {
    /// The name (required, at most 1000 characters).
    pub name: Option<String>,
    /// The description (at most 25,000 characters).
    pub description: Option<String>,
    /// Whether it is a priority.
    pub is_prio: Option<bool>,
    /// When it is to start.
    pub start_on: Option<String>,
    /// When it is due.
    pub due_on: Option<String>,
    /// Its place in its lane on the board.
    pub lane_order: Option<i64>,
    /// The planned work, in seconds.
    pub planned_duration: Option<i64>,
    /// Its type of work; the workspace's first when absent.
    pub type_of_work_id: Option<String>,
    /// Its status, one of its project's; the project's first `todo` status when absent.
    pub task_status_id: Option<String>,
    /// Its place in its status column.
    pub order: Option<Double>,
    /// Its place among its parent's subtasks.
    pub subtask_order: Option<Double>,
    /// The project of a project task (required); the owner of a private task (the acting user
    /// when absent).
    pub entity_id: Option<String>,
    /// `projecttask` or `private` (required).
    pub base_type: Option<String>,
    /// The parent of a subtask: a task of the same project that is no subtask itself.
    pub parent_id: Option<String>,
    /// The project's lists the task is to be on.
    pub lists: Option<Vec<ListAssignment>>,
}

/// A list a new task is to be on (awork's `ListAssignment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAssignment {
    /// The list.
    pub id: Option<String>,
    /// The task's place in it.
    pub order: Option<Double>,
}

/// The body of `PUT /tasks/{taskId}` (awork's `GeneralTaskForm`): a full replacement of these
/// properties. An absent description, start or due date becomes none; an absent `isPrio`,
/// `laneOrder` or `plannedDuration` becomes `false` or 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneralTaskForm {
    /// The name (required, at most 1000 characters).
    pub name: Option<String>,
    /// The description (at most 25,000 characters).
    pub description: Option<String>,
    /// Whether it is a priority.
    pub is_prio: Option<bool>,
    /// When it is to start.
    pub start_on: Option<String>,
    /// When it is due.
    pub due_on: Option<String>,
    /// Its place in its lane on the board.
    pub lane_order: Option<i64>,
    /// The planned work, in seconds.
    pub planned_duration: Option<i64>,
}

/// One item of the body of `POST /tasks/changestatuses` (awork's `ChangeStatusForm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeStatusForm {
    /// The task (required).
    pub task_id: Option<String>,
    /// The status, one of the task's project's (required).
    pub status_id: Option<String>,
    /// The task's place in the status's column; after the last when absent.
    pub order: Option<Double>,
}

/// The body of `POST /tasks/delete` (awork's `TasksDeleteForm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TasksDeleteForm {
    /// The tasks (required, not empty).
    pub task_ids: Option<Vec<String>>,
    /// Whether their time entries go too; otherwise (`false` when absent) they stay, booked on no
    /// task and no project.
    pub delete_time_trackings: Option<bool>,
}

/// The body of `POST /tasks/{taskId}/comments` and `POST /projects/{projectId}/comments` (awork's
/// `CommentForm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentForm {
    /// The text (required, at most 65,000 characters).
    pub message: Option<String>,
    /// The author; the acting user when absent.
    pub user_id: Option<String>,
}

/// The properties a task update changes, as `changes` name them.
const UPDATED: &[&str] = &[
    "Name",
    "Description",
    "IsPrio",
    "StartOn",
    "DueOn",
    "LaneOrder",
    "PlannedDuration",
];

/// `POST /tasks`.
pub(super) fn create(
    world: &mut World,
    actor: TriggeredBy,
    form: &GeneralTaskPostForm,
) -> Result<Outcome, Refused> {
    let mut check = Check::default();
    let name = check.required_text("Name", form.name.as_deref(), NAME_MAX);
    check.max_length("Description", form.description.as_deref(), DESCRIPTION_MAX);
    let start_on = check.date_time("StartOn", form.start_on.as_deref());
    let due_on = check.date_time("DueOn", form.due_on.as_deref());
    check.seconds("PlannedDuration", form.planned_duration);
    check.int32("LaneOrder", form.lane_order);
    let private = match form.base_type.as_deref() {
        Some("private") => true,
        Some("projecttask") => false,
        None | Some("") => {
            check.missing("BaseType");
            false
        }
        Some(_) => {
            check.fail(
                "BaseType",
                "'Base Type' must be 'private' or 'projecttask'.".to_owned(),
            );
            false
        }
    };
    let type_of_work = match form.type_of_work_id.as_deref() {
        None => world.types_of_work.first().cloned(),
        Some(id) => check.exists(
            "TypeOfWorkId",
            world
                .types_of_work
                .iter()
                .find(|kind| kind.id == id)
                .cloned(),
            "type of work",
        ),
    };
    // A private task's owner, or a project task's project, with its status and lists.
    let (mut owner, mut project, mut status, mut parent) = (None, None, None, None);
    let mut lists = Vec::new();
    if private {
        let id = form.entity_id.as_deref().unwrap_or(&actor.id);
        owner = check.exists("EntityId", world.user_index(id), "user");
        // The workspace's statuses of private tasks, the first `todo` one by default.
        let statuses = &world.private_task_statuses;
        status = match form.task_status_id.as_deref() {
            None => statuses
                .iter()
                .position(|status| status.kind.as_deref() == Some("todo"))
                .or(Some(0)),
            Some(id) => check.exists(
                "TaskStatusId",
                statuses.iter().position(|status| status.id == id),
                "task status of private tasks",
            ),
        };
        if form.parent_id.is_some() {
            check.fail(
                "ParentId",
                "'Parent Id' must be empty for a private task.".to_owned(),
            );
        }
    } else if form.base_type.is_some() {
        project = check
            .required("EntityId", form.entity_id.as_ref())
            .and_then(|id| check.exists("EntityId", world.project_index(id), "project"));
    }
    if let Some(index) = project {
        let state = &world.projects[index];
        status = match form.task_status_id.as_deref() {
            None => state
                .task_statuses
                .iter()
                .position(|status| status.kind.as_deref() == Some("todo"))
                .or(Some(0)),
            Some(id) => check.exists(
                "TaskStatusId",
                state
                    .task_statuses
                    .iter()
                    .position(|status| status.id == id),
                "task status of the project",
            ),
        };
        for assignment in form.lists.iter().flatten() {
            let list = assignment
                .id
                .as_deref()
                .and_then(|id| state.lists.iter().find(|list| list.id == id));
            if let Some(list) = check.exists("Lists", list, "task list of the project") {
                let order = assignment.order.clone().unwrap_or_default();
                lists.push(task_order_list(list.clone(), order));
            }
        }
        if let Some(id) = form.parent_id.as_deref() {
            parent = check.exists(
                "ParentId",
                world.task_index(id).filter(|&task| {
                    world.tasks[task].in_project(&state.project.id)
                        && world.tasks[task].parent_id.is_none()
                }),
                "task of the project that is no subtask",
            );
        }
    }
    check.finish()?;
    world.advance(WRITE_SECONDS);
    let now = world.stamp();
    let id = world.id();
    let planned = form.planned_duration.unwrap_or(0);
    let type_of_work = type_of_work.expect("checked: the workspace has types of work");
    let mut task = Task {
        id: id.clone(),
        name: name.to_owned(),
        description: form.description.clone(),
        is_prio: Some(form.is_prio.unwrap_or(false)),
        start_on: start_on.map(zulu),
        due_on: due_on.map(zulu),
        lane_order: Some(form.lane_order.unwrap_or(0)),
        planned_duration: Some(planned),
        base_type: Some(if private { "private" } else { "projecttask" }.into()),
        type_of_work_id: Some(type_of_work.id.clone()),
        type_of_work: Some(type_of_work),
        assignees: Some(Vec::new()),
        is_subtask: Some(parent.is_some()),
        // A subtask's correlation id is its parent's.
        correlation_id: Some(parent.map_or(id, |parent| world.tasks[parent].id.clone())),
        parent_id: parent.map(|parent| world.tasks[parent].id.clone()),
        parent_task: parent.map(|parent| world.parent_task(parent)),
        subtask_order: parent.and(form.subtask_order.clone()),
        has_attachment: Some(false),
        lists: Some(lists),
        tags: Some(Vec::new()),
        ..world.new_task_record(now.clone(), &actor.id, planned)
    };
    if let Some(order) = &form.order {
        task.order = Some(order.clone());
    }
    if let Some(owner) = owner {
        let user = &world.users[owner];
        task.user_id = Some(user.id.clone());
        task.assignees = Some(vec![assignee(user, planned, &now)]);
        if let Some(status) = status {
            let status = world.private_task_statuses[status].clone();
            if status.kind.as_deref() == Some("done") {
                task.closed_on = Some(now.clone());
                task.closed_by = Some(actor.id.clone());
            }
            task.task_status_id = Some(status.id.clone());
            task.task_status = Some(status);
        }
    }
    if let (Some(index), Some(status)) = (project, status) {
        let state = &mut world.projects[index];
        let number = state.next_task_number;
        state.next_task_number += 1;
        let status = state.task_statuses[status].clone();
        if status.kind.as_deref() == Some("done") {
            task.closed_on = Some(now);
            task.closed_by = Some(actor.id.clone());
        }
        task.project_id = Some(state.project.id.clone());
        task.task_number = Some(number);
        task.task_identifier = state
            .project
            .project_key
            .as_ref()
            .map(|key| format!("{key}-{number}"));
        task.task_status_id = Some(status.id.clone());
        task.task_status = Some(status);
    }
    let index = world.add_task(Box::new(task), project, parent);
    let task = world.task_entity(index);
    let link = world.task_link(&task.id);
    let added = event(
        EventType::ProjectTaskAdded,
        &actor,
        Entity::Task(task.clone()),
        Some(link),
        None,
    );
    Ok(Outcome::answer(&task, vec![added]))
}

/// `PUT /tasks/{taskId}`.
pub(super) fn update(
    world: &mut World,
    actor: TriggeredBy,
    task_id: &str,
    form: &GeneralTaskForm,
) -> Result<Outcome, Refused> {
    let index = world
        .task_index(task_id)
        .ok_or_else(|| Refused::not_found("task", task_id))?;
    let mut check = Check::default();
    let name = check.required_text("Name", form.name.as_deref(), NAME_MAX);
    check.max_length("Description", form.description.as_deref(), DESCRIPTION_MAX);
    let start_on = check.date_time("StartOn", form.start_on.as_deref());
    let due_on = check.date_time("DueOn", form.due_on.as_deref());
    check.seconds("PlannedDuration", form.planned_duration);
    check.int32("LaneOrder", form.lane_order);
    check.finish()?;
    let old = &world.tasks[index];
    let planned = form.planned_duration.unwrap_or(0);
    // The same moment in another spelling is no change.
    let same_moment = |old: &Option<awork_models::AworkDateTime>, new: Option<_>| match old {
        Some(date) if date.to_utc() == new => old.clone(),
        _ => new.map(zulu),
    };
    let new = Task {
        name: name.to_owned(),
        description: form.description.clone(),
        is_prio: Some(form.is_prio.unwrap_or(false)),
        start_on: same_moment(&old.start_on, start_on),
        due_on: same_moment(&old.due_on, due_on),
        lane_order: Some(form.lane_order.unwrap_or(0)),
        planned_duration: Some(planned),
        ..(**old).clone()
    };
    let changes = changes_between(&**old, &new, UPDATED);
    if changes.is_empty() {
        return Ok(Outcome::answer(&**old, Vec::new()));
    }
    let replanned = old.planned_duration != new.planned_duration;
    world.advance(WRITE_SECONDS);
    let now = world.stamp();
    let task = &mut world.tasks[index];
    // The planned duration is set below, with what awork keeps in step with it.
    **task = Task {
        planned_duration: task.planned_duration,
        updated_on: Some(now),
        updated_by: Some(actor.id.clone()),
        resource_version: Some(crate::ids::ticks(world.now)),
        ..new
    };
    if replanned {
        world.set_planned_duration(index, planned);
    }
    let task = world.task_entity(index);
    let link = world.task_link(&task.id);
    let updated = event(
        EventType::TaskChanged,
        &actor,
        Entity::Task(task.clone()),
        Some(link),
        Some(changes),
    );
    Ok(Outcome::answer(&task, vec![updated]))
}

/// One checked item of `POST /tasks/changestatuses`.
struct StatusChange {
    task_id: String,
    /// The task's project (an index of `projects`), or `None` for a private task.
    project: Option<usize>,
    /// The new status (an index of the project's `task_statuses`, or the private ones).
    status: usize,
    /// The task's place in the status's column, if given.
    order: Option<Double>,
}

/// `POST /tasks/changestatuses`.
pub(super) fn change_statuses(
    world: &mut World,
    actor: TriggeredBy,
    forms: &[ChangeStatusForm],
) -> Result<Outcome, Refused> {
    let items: Vec<Result<StatusChange, Refused>> = forms
        .iter()
        .map(|form| {
            let mut check = Check::default();
            let task_id = check.required("TaskId", form.task_id.as_ref());
            let status_id = check.required("StatusId", form.status_id.as_ref());
            check.finish()?;
            let (task_id, status_id) = (task_id.expect("checked"), status_id.expect("checked"));
            let task = world
                .task(task_id)
                .ok_or_else(|| Refused::not_found("task", task_id))?;
            let mut check = Check::default();
            let project = task
                .project_id
                .as_deref()
                .and_then(|id| world.project_index(id));
            // A project task takes its project's statuses; a private task the private ones.
            let statuses = match project {
                Some(project) => &world.projects[project].task_statuses[..],
                None if task.project_id.is_none() => &world.private_task_statuses[..],
                None => &[],
            };
            let status = statuses.iter().position(|status| status.id == *status_id);
            let status = check.exists("StatusId", status, "task status of the task's project");
            check.finish()?;
            let status = status.expect("checked");
            Ok(StatusChange {
                task_id: task_id.clone(),
                project,
                status,
                order: form.order.clone(),
            })
        })
        .collect();
    let failed = items.iter().filter(|item| item.is_err()).count();
    if failed == items.len() {
        return match items.into_iter().next() {
            Some(Err(refused)) => Err(refused),
            _ => Ok(Outcome::no_content(Vec::new())),
        };
    }
    world.advance(WRITE_SECONDS);
    let mut events = Vec::new();
    for StatusChange {
        task_id,
        project,
        status,
        order,
    } in items.into_iter().flatten()
    {
        let index = world.task_index(&task_id).expect("checked");
        let new_id = match project {
            Some(project) => world.projects[project].task_statuses[status].id.clone(),
            None => world.private_task_statuses[status].id.clone(),
        };
        if world.tasks[index].task_status_id.as_deref() == Some(new_id.as_str()) {
            continue;
        }
        // After the last task of the column, unless the item says where.
        let order = order.unwrap_or_else(|| {
            let last = world
                .tasks
                .iter()
                .filter(|task| task.task_status_id.as_deref() == Some(new_id.as_str()))
                .filter_map(|task| task.order.as_ref().map(Double::value))
                .fold(0.0, f64::max);
            Double::new(last.floor() + 1.0)
        });
        let old = world.set_task_status(index, project, status, &actor.id);
        world.tasks[index].order = Some(order);
        let task = world.task_entity(index);
        let link = world.task_link(&task.id);
        let changed = story::change("TaskStatusId", old, new_id);
        events.push(event(
            EventType::TaskStatusChanged,
            &actor,
            Entity::Task(task),
            Some(link),
            Some(vec![changed]),
        ));
    }
    Ok(Outcome {
        response: None,
        events,
        partial: failed > 0,
    })
}

/// `POST /tasks/{taskId}/setassignees`.
pub(super) fn set_assignees(
    world: &mut World,
    actor: TriggeredBy,
    task_id: &str,
    user_ids: &[String],
) -> Result<Outcome, Refused> {
    let index = world
        .task_index(task_id)
        .ok_or_else(|| Refused::not_found("task", task_id))?;
    let mut check = Check::default();
    let mut wanted: Vec<usize> = Vec::new();
    for id in user_ids {
        if let Some(user) = check.exists("UserIds", world.user_index(id), "user") {
            if !wanted.contains(&user) {
                wanted.push(user);
            }
        }
    }
    check.finish()?;
    let assigned: Vec<String> = world.tasks[index]
        .assignees
        .iter()
        .flatten()
        .map(|assignee| assignee.id.clone())
        .collect();
    let added: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&user| !assigned.contains(&world.users[user].id))
        .collect();
    let removed: Vec<&String> = assigned
        .iter()
        .filter(|id| !wanted.iter().any(|&user| world.users[user].id == **id))
        .collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(Outcome::no_content(Vec::new()));
    }
    world.advance(WRITE_SECONDS);
    let now = world.stamp();
    let records: Vec<Assignee> = added
        .iter()
        .map(|&user| assignee(&world.users[user], 0, &now))
        .collect();
    let task = &mut world.tasks[index];
    let mut gone = Vec::new();
    task.assignees.get_or_insert_default().retain(|assignee| {
        let keep = !removed.contains(&&assignee.id);
        if !keep {
            gone.push(assignee.clone());
        }
        keep
    });
    task.assignees.get_or_insert_default().extend(records);
    world::distribute_planned_effort(task, &now);
    task.updated_on = Some(now.clone());
    task.updated_by = Some(actor.id.clone());
    task.resource_version = Some(crate::ids::ticks(world.now));
    let link = world.task_link(task_id);
    let mut events = Vec::new();
    for assignee in gone {
        let record = Assignee {
            updated_on: Some(now.clone()),
            ..assignee
        };
        let assignment = task_assignment(task_id, &record);
        events.push(event(
            EventType::TaskAssignmentDeleted,
            &actor,
            Entity::TaskAssignment(Box::new(assignment)),
            Some(link.clone()),
            None,
        ));
    }
    // The added records are the last ones.
    let assignees = world.tasks[index].assignees.as_deref().unwrap_or_default();
    for assignee in &assignees[assignees.len() - added.len()..] {
        let assignment = task_assignment(task_id, assignee);
        events.push(event(
            EventType::TaskAssignmentAdded,
            &actor,
            Entity::TaskAssignment(Box::new(assignment)),
            Some(link.clone()),
            None,
        ));
    }
    Ok(Outcome::no_content(events))
}

/// `POST /tasks/delete`.
pub(super) fn delete(
    world: &mut World,
    actor: TriggeredBy,
    form: &TasksDeleteForm,
) -> Result<Outcome, Refused> {
    let ids = form.task_ids.as_deref().unwrap_or_default();
    if ids.is_empty() {
        let mut check = Check::default();
        check.missing("TaskIds");
        check.finish()?;
    }
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| world.task_index(id).is_none())
        .collect();
    if missing.len() == ids.len() {
        return Err(Refused::not_found("task", ids[0].as_str()));
    }
    world.advance(WRITE_SECONDS);
    let now = world.stamp();
    let delete_entries = form.delete_time_trackings == Some(true);
    let mut events = Vec::new();
    for id in ids {
        let Some(index) = world.task_index(id) else {
            // Missing, or gone with its parent earlier in the list.
            continue;
        };
        // Its subtasks go first, then the task.
        let mut doomed: Vec<String> = world
            .tasks
            .iter()
            .filter(|task| task.parent_id.as_deref() == Some(id.as_str()))
            .map(|task| task.id.clone())
            .collect();
        doomed.push(world.tasks[index].id.clone());
        for task_id in doomed {
            events.extend(release_time_entries(
                world,
                &actor,
                &task_id,
                delete_entries,
                &now,
            ));
            let index = world.task_index(&task_id).expect("still there");
            let task = Box::new(world.remove_task(index));
            let link = task.project_id.as_deref().map(|id| world.project_link(id));
            events.push(event(
                EventType::ProjectTaskDeleted,
                &actor,
                Entity::Task(task),
                link,
                None,
            ));
        }
    }
    Ok(Outcome {
        response: None,
        events,
        partial: !missing.is_empty(),
    })
}

/// The time entries on a task that is being deleted: deleted with it (`timetracking_deleted`), or
/// kept on its project alone (`timetracking_updated`, its `TaskId` gone). Either way their time no
/// longer counts on the task and its parent.
fn release_time_entries(
    world: &mut World,
    actor: &TriggeredBy,
    task_id: &str,
    delete: bool,
    now: &awork_models::AworkDateTime,
) -> Vec<(EventType, super::Produced)> {
    let mut events = Vec::new();
    while let Some(index) = world
        .time_entries
        .iter()
        .position(|entry| entry.on_task(task_id))
    {
        events.push(if delete {
            time_entries::deleted(world, index, actor)
        } else {
            time_entries::unbooked(world, index, actor, now)
        });
    }
    events
}

/// `POST /tasks/{taskId}/comments`.
pub(super) fn comment(
    world: &mut World,
    actor: TriggeredBy,
    task_id: &str,
    form: &CommentForm,
) -> Result<Outcome, Refused> {
    let index = world
        .task_index(task_id)
        .ok_or_else(|| Refused::not_found("task", task_id))?;
    let (message, author) = check_comment(world, &actor, form)?;
    world.advance(WRITE_SECONDS);
    let comment = comment_on_task(world, index, &author, Some(&message));
    let link = world.task_link(task_id);
    let added = event(
        EventType::TaskCommentAdded,
        &actor,
        Entity::Comment(Box::new(comment.clone())),
        Some(link),
        None,
    );
    Ok(Outcome::answer(&comment, vec![added]))
}

/// A comment's message and the id of its author (the form's user, or the actor), checked.
pub(super) fn check_comment(
    world: &World,
    actor: &TriggeredBy,
    form: &CommentForm,
) -> Result<(String, String), Refused> {
    let mut check = Check::default();
    let message = check.required_text("Message", form.message.as_deref(), COMMENT_MAX);
    let author = match form.user_id.as_deref() {
        None => Some(actor.id.clone()),
        Some(id) => check.exists("UserId", world.user(id).map(|user| user.id.clone()), "user"),
    };
    check.finish()?;
    Ok((message.to_owned(), author.expect("checked")))
}
