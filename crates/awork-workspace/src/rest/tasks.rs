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
use serde_json::Value;

use super::writes::{Shape, form, perform};
use super::{Endpoint, endpoint, json_of, list, schemas, single};
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
    let task = world.task_entity(index);
    let mut value = serde_json::to_value(&task).unwrap_or(Value::Null);
    schemas::keep_declared(&mut value, "TaskModel");
    value
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

fn is_assigned(task: &awork_models::entities::Task, user: &str) -> bool {
    task.assignees
        .iter()
        .flatten()
        .any(|assignee| assignee.id == user)
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
                .map(|comment| json_of(comment, "Comment"))
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
                    .map(|entry| json_of(&**entry, "TimeTracking"))
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
    list(&shared, &TASKS, query.as_deref(), "TaskModel", |world| {
        Some(tasks_where(world, |task| is_assigned(task, &me)))
    })
}

async fn assigned_tasks(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(&shared, &TASKS, query.as_deref(), "TaskModel", |world| {
        world.user(&id)?;
        Some(tasks_where(world, |task| is_assigned(task, &id)))
    })
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
