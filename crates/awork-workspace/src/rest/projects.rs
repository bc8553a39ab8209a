//! Projects and what belongs to them: `GET /projects`, `/projects/{id}`, and of a project its
//! tasks (`projecttasks`), task statuses, task lists, members, comments and project statuses
//! (`projectstatuses`, which awork's n8n node reads although awork's document lacks it).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use serde_json::Value;

use super::{Endpoint, endpoint, json_of, list, single};
use crate::Shared;
use crate::answer::Answer;

static PROJECTS: Endpoint = Endpoint::new(|| endpoint("Project", "createdOn,id"));
static TASKS: Endpoint = Endpoint::new(|| endpoint("TaskModel", "createdOn,id"));
static TASK_STATUSES: Endpoint = Endpoint::new(|| endpoint("TaskStatus", "order,id"));
static TASK_LISTS: Endpoint = Endpoint::new(|| endpoint("TaskList", "order,id"));
static MEMBERS: Endpoint = Endpoint::new(|| endpoint("ProjectMember", "id"));
static COMMENTS: Endpoint = Endpoint::new(|| endpoint("Comment", "createdOn,id"));
static PROJECT_STATUSES: Endpoint = Endpoint::new(|| endpoint("ProjectStatus", "order,id"));

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/projects", get(projects))
        .route("/projects/{id}", get(project))
        .route("/projects/{id}/projecttasks", get(project_tasks))
        .route("/projects/{id}/taskstatuses", get(task_statuses))
        .route("/projects/{id}/tasklists", get(task_lists))
        .route("/projects/{id}/members", get(members))
        .route("/projects/{id}/comments", get(comments))
        .route("/projects/{id}/projectstatuses", get(project_statuses))
}

async fn projects(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(&shared, &PROJECTS, query.as_deref(), "Project", |world| {
        Some(
            (0..world.projects.len())
                .map(|index| json_of(&world.project_entity(index), "Project"))
                .collect(),
        )
    })
}

async fn project(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let found = {
        let story = shared.lock_story();
        let world = story.world();
        world
            .project_index(&id)
            .map(|index| json_of(&world.project_entity(index), "Project"))
    };
    single("project", &id, found)
}

async fn project_tasks(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(&shared, &TASKS, query.as_deref(), "TaskModel", |world| {
        world.project_index(&id)?;
        Some(
            world
                .tasks
                .iter()
                .enumerate()
                .filter(|(_, task)| task.in_project(&id))
                .map(|(index, _)| json_of(&world.task_entity(index), "TaskModel"))
                .collect(),
        )
    })
}

/// A list of what a project keeps beside itself.
fn of_project(
    world: &awork_generate::world::World,
    id: &str,
    part: impl FnOnce(&awork_generate::world::ProjectState) -> Vec<Value>,
) -> Option<Vec<Value>> {
    world.project(id).map(part)
}

async fn task_statuses(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(
        &shared,
        &TASK_STATUSES,
        query.as_deref(),
        "TaskStatus",
        |world| {
            of_project(world, &id, |project| {
                project
                    .task_statuses
                    .iter()
                    .map(|status| json_of(status, "TaskStatus"))
                    .collect()
            })
        },
    )
}

async fn task_lists(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(
        &shared,
        &TASK_LISTS,
        query.as_deref(),
        "TaskList",
        |world| {
            of_project(world, &id, |project| {
                project
                    .lists
                    .iter()
                    .map(|list| json_of(list, "TaskList"))
                    .collect()
            })
        },
    )
}

async fn members(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(
        &shared,
        &MEMBERS,
        query.as_deref(),
        "ProjectMember",
        |world| {
            of_project(world, &id, |project| {
                project
                    .project
                    .members
                    .iter()
                    .flatten()
                    .map(|member| json_of(member, "ProjectMember"))
                    .collect()
            })
        },
    )
}

async fn comments(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(&shared, &COMMENTS, query.as_deref(), "Comment", |world| {
        world.project_index(&id)?;
        Some(
            world
                .comments_on(&id)
                .map(|comment| json_of(comment, "Comment"))
                .collect(),
        )
    })
}

async fn project_statuses(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    list(
        &shared,
        &PROJECT_STATUSES,
        query.as_deref(),
        "ProjectStatus",
        |world| {
            of_project(world, &id, |project| {
                project
                    .statuses
                    .iter()
                    .map(|status| json_of(status, "ProjectStatus"))
                    .collect()
            })
        },
    )
}
