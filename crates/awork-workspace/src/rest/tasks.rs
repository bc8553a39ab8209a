//! Tasks: `GET /tasks/{id}` (the call integrations make most), a task's comments and time entries,
//! and the lists of the caller's tasks: `/me/projecttasks` (every project task: the API key's user
//! is an admin), `/me/assignedtasks` and `/users/{id}/assignedtasks` (the tasks a user is assigned
//! to). Writes: `POST /tasks`, `PUT /tasks/{id}`, `POST /tasks/changestatuses`, `POST
//! /tasks/{id}/setassignees`, `POST /tasks/delete` and `POST /tasks/{id}/comments`, each emitting
//! the webhooks awork would.

use std::sync::Arc;

use awork_generate::world::World;
use awork_generate::writes::{
    ChangeStatusForm, CommentForm, GeneralTaskForm, GeneralTaskPostForm, TasksDeleteForm, Write,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::body::{Shape, form};
use super::writes::perform;
use super::{Endpoint, endpoint, json_of, list, single};
use crate::Shared;
use crate::answer::Answer;

static TASKS: Endpoint = Endpoint::new(|| endpoint("TaskModel", "createdOn,id"));
static COMMENTS: Endpoint = Endpoint::new(|| endpoint("Comment", "createdOn,id"));
static TIME_ENTRIES: Endpoint = Endpoint::new(|| endpoint("TimeTracking", "createdOn,id"));

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/tasks", post(create_task))
        .route("/tasks/changestatuses", post(change_statuses))
        .route("/tasks/delete", post(delete_tasks))
        .route("/tasks/{id}", get(task).put(update_task))
        .route("/tasks/{id}/setassignees", post(set_assignees))
        .route("/tasks/{id}/comments", get(comments).post(comment))
        .route("/tasks/{id}/timeentries", get(time_entries))
        .route("/me/projecttasks", get(my_project_tasks))
        .route("/me/assignedtasks", get(my_assigned_tasks))
        .route("/users/{id}/assignedtasks", get(assigned_tasks))
}

async fn task(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let found = {
        let story = shared.lock_story();
        let world = story.world();
        world.task_index(&id).map(|index| task_json(world, index))
    };
    single("task", &id, found)
}

/// A task (an index of the world's tasks) as a `TaskModel`, with the summary of its project
/// (`project`, a `NestedProjectModelForTasks`: ENTITIES.md 4.2c), which clients filter on
/// (Raycast's task search: `substringof('…',project/name)`).
pub(super) fn task_json(world: &World, index: usize) -> Value {
    json_of(&world.task_entity(index), "TaskModel")
}

/// The tasks of the world that `keep` keeps, as `TaskModel`s.
fn tasks_where(world: &World, keep: impl Fn(&awork_models::entities::Task) -> bool) -> Vec<Value> {
    world
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, task)| keep(task))
        .map(|(index, _)| task_json(world, index))
        .collect()
}

async fn comments(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(&shared, &COMMENTS, query.as_deref(), "Comment", |world| {
        world.task_index(&id)?;
        Some(
            world
                .comments_on(&id)
                .map(|comment| json_of(&world.current_comment(comment), "Comment"))
                .collect(),
        )
    })
}

async fn time_entries(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(
        &shared,
        &TIME_ENTRIES,
        query.as_deref(),
        "TimeTracking",
        |world| {
            world.task_index(&id)?;
            Some(
                world
                    .time_entries
                    .iter()
                    .filter(|entry| entry.on_task(&id))
                    .map(|entry| json_of(&world.current_time_entry(entry), "TimeTracking"))
                    .collect(),
            )
        },
    )
}

async fn my_project_tasks(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(&shared, &TASKS, query.as_deref(), "TaskModel", |world| {
        Some(tasks_where(world, |task| {
            task.base_type.as_deref() == Some("projecttask")
        }))
    })
}

async fn my_assigned_tasks(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    let me = shared.admin_id.clone();
    assigned_to(&shared, &me, query.as_deref())
}

async fn assigned_tasks(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    assigned_to(&shared, &id, query.as_deref())
}

/// The tasks assigned to the user `id`, as the assigned-task lists' own parameters
/// ([`Assigned`]) and the list's parameters ask; 404 for an unknown user.
fn assigned_to(shared: &Shared, id: &str, query: Option<&str>) -> Answer {
    let assigned = match Assigned::read(query.unwrap_or("")) {
        Ok(assigned) => assigned,
        Err((property, text)) => return not_valid(property, &text),
    };
    list(shared, &TASKS, query, "TaskModel", |world| {
        world.user(id)?;
        Some(tasks_where(world, |task| assigned.keeps(world, task, id)))
    })
}

/// The parameters of `GET /me/assignedtasks` and `/users/{id}/assignedtasks` besides paging,
/// `filterby` and `orderby` (op GetMeAssignedTasks): `assignedOnFrom` and `assignedOnTo` bound
/// the assignment's date (the assignee's `updatedOn`), both included; `inProgress=true` keeps
/// the project tasks of projects in progress. awork's document gives `inProgress` the default
/// `false` in its schema and "Defaults to true" in its text: the schema's is taken (every task
/// assigned). A value that is not a date-time or a boolean is a 400, as ASP.NET binds them.
struct Assigned {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    in_progress: bool,
}

impl Assigned {
    /// The parameters of `query`, or the property and the value that do not bind.
    fn read(query: &str) -> Result<Assigned, (&'static str, String)> {
        let date = |name: &str, property: &'static str| match awork_query::parameter(query, name) {
            None => Ok(None),
            Some(text) => match date_time(&text) {
                Some(moment) => Ok(Some(moment)),
                None => Err((property, text)),
            },
        };
        let in_progress = match awork_query::parameter(query, "inProgress") {
            None => false,
            Some(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(("InProgress", text)),
            },
        };
        Ok(Assigned {
            from: date("assignedOnFrom", "AssignedOnFrom")?,
            to: date("assignedOnTo", "AssignedOnTo")?,
            in_progress,
        })
    }

    /// Whether the task, assigned to `user`, is listed.
    fn keeps(&self, world: &World, task: &awork_models::entities::Task, user: &str) -> bool {
        let Some(assignee) = task
            .assignees
            .iter()
            .flatten()
            .find(|assignee| assignee.id == user)
        else {
            return false;
        };
        let assigned_on = assignee.updated_on.as_ref().and_then(|on| on.to_utc());
        let within = |bound: Option<DateTime<Utc>>,
                      inside: fn(DateTime<Utc>, DateTime<Utc>) -> bool| {
            bound.is_none_or(|bound| assigned_on.is_some_and(|on| inside(on, bound)))
        };
        let in_progress = || {
            task.project_id
                .as_deref()
                .and_then(|id| world.project(id))
                .and_then(|project| project.project.project_status.as_ref())
                .is_some_and(|status| status.kind.as_deref() == Some("progress"))
        };
        within(self.from, |on, from| on >= from)
            && within(self.to, |on, to| on <= to)
            && (!self.in_progress || in_progress())
    }
}

/// A date-time as ASP.NET binds one from a query string: RFC 3339, or without an offset (UTC),
/// or a bare date (its midnight, UTC).
fn date_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment.to_utc());
    }
    for form in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(moment) = chrono::NaiveDateTime::parse_from_str(text, form) {
            return Some(moment.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|moment| moment.and_utc())
}

/// ASP.NET's 400 for a query parameter whose value does not bind.
fn not_valid(property: &str, text: &str) -> Answer {
    crate::answer::error(
        http::StatusCode::BAD_REQUEST,
        "validation-failed",
        &format!("The value '{text}' is not valid for {property}."),
        &[(
            property.to_owned(),
            format!("The value '{text}' is not valid."),
        )],
    )
}

async fn create_task(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match form::<GeneralTaskPostForm>(body, Shape::Object).await {
        Ok(form) => perform(&shared, Write::CreateTask { form }, Some("TaskModel")),
        Err(refused) => refused,
    }
}

async fn update_task(
    State(shared): State<Arc<Shared>>,
    Path(task_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<GeneralTaskForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::UpdateTask { task_id, form },
            Some("TaskModel"),
        ),
        Err(refused) => refused,
    }
}

async fn change_statuses(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match form::<Vec<ChangeStatusForm>>(body, Shape::List).await {
        Ok(forms) => perform(&shared, Write::ChangeTaskStatuses { forms }, None),
        Err(refused) => refused,
    }
}

async fn set_assignees(
    State(shared): State<Arc<Shared>>,
    Path(task_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<Vec<String>>(body, Shape::List).await {
        Ok(user_ids) => perform(&shared, Write::SetTaskAssignees { task_id, user_ids }, None),
        Err(refused) => refused,
    }
}

async fn delete_tasks(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match form::<TasksDeleteForm>(body, Shape::Object).await {
        Ok(form) => perform(&shared, Write::DeleteTasks { form }, None),
        Err(refused) => refused,
    }
}

async fn comment(
    State(shared): State<Arc<Shared>>,
    Path(task_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<CommentForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::CommentOnTask { task_id, form },
            Some("Comment"),
        ),
        Err(refused) => refused,
    }
}
