//! Projects and what belongs to them: `GET /projects`, `/projects/{id}`, and of a project its
//! tasks (`projecttasks`), task statuses, task lists, members, comments and project statuses
//! (`projectstatuses`, which awork's n8n node reads although awork's document lacks it). Writes:
//! `POST /projects`, `PUT /projects/{id}`, and of a project `changestatus`, `delete`, `comments`,
//! `addprojectmember` and `removeprojectmember`, each emitting the webhooks awork would.

use std::sync::Arc;

use awork_generate::writes::{
    ChangeProjectStatusForm, CommentForm, ExtendedProjectForm, ProjectDeleteForm,
    ProjectMemberForm, ProjectMemberRemoveForm, ProjectPutForm, Write,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use serde_json::Value;

use super::body::{Shape, form};
use super::writes::perform;
use super::{Endpoint, endpoint, json_of, list, single, whole_list};
use crate::Shared;
use crate::answer::Answer;

static PROJECTS: Endpoint = Endpoint::new(|| endpoint("Project", "createdOn,id"));
static TASKS: Endpoint = Endpoint::new(|| endpoint("TaskModel", "createdOn,id"));
static TASK_STATUSES: Endpoint = Endpoint::new(|| endpoint("TaskStatus", "order,id"));
static TASK_LISTS: Endpoint = Endpoint::new(|| endpoint("TaskList", "order,id"));
static COMMENTS: Endpoint = Endpoint::new(|| endpoint("Comment", "createdOn,id"));
static PROJECT_STATUSES: Endpoint = Endpoint::new(|| endpoint("ProjectStatus", "order,id"));

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/projects", get(projects).post(create_project))
        .route("/projects/{id}", get(project).put(update_project))
        .route("/projects/{id}/changestatus", post(change_status))
        .route("/projects/{id}/delete", post(delete_project))
        .route("/projects/{id}/addprojectmember", post(add_member))
        .route("/projects/{id}/removeprojectmember", post(remove_member))
        .route("/projects/{id}/projecttasks", get(project_tasks))
        .route("/projects/{id}/taskstatuses", get(task_statuses))
        .route("/projects/{id}/tasklists", get(task_lists))
        .route("/projects/{id}/members", get(members))
        .route("/projects/{id}/comments", get(comments).post(comment))
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
                .map(|(index, _)| super::tasks::task_json(world, index))
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
                    .map(|list| json_of(&world.counted_task_list(list), "TaskList"))
                    .collect()
            })
        },
    )
}

/// `GET /projects/{id}/members`: awork's document gives it no paging, filter or order, so it is
/// the whole list whatever the query (API.md 2.1): n8n's loop, which stops at `[]`, would page it
/// forever against awork.
async fn members(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    whole_list(&shared, |world| {
        of_project(world, &id, |project| {
            project
                .project
                .members
                .iter()
                .flatten()
                .map(|member| json_of(member, "ProjectMember"))
                .collect()
        })
    })
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
                .map(|comment| json_of(&world.current_comment(comment), "Comment"))
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
        |world| of_project(world, &id, super::catalogs::project_statuses_of),
    )
}

async fn create_project(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match form::<ExtendedProjectForm>(body, Shape::Object).await {
        Ok(form) => perform(&shared, Write::CreateProject { form }, Some("Project")),
        Err(refused) => refused,
    }
}

async fn update_project(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<ProjectPutForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::UpdateProject { project_id, form },
            Some("Project"),
        ),
        Err(refused) => refused,
    }
}

async fn change_status(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<ChangeProjectStatusForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::ChangeProjectStatus { project_id, form },
            None,
        ),
        Err(refused) => refused,
    }
}

async fn delete_project(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<ProjectDeleteForm>(body, Shape::ObjectOrEmpty).await {
        Ok(form) => perform(&shared, Write::DeleteProject { project_id, form }, None),
        Err(refused) => refused,
    }
}

async fn comment(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<CommentForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::CommentOnProject { project_id, form },
            Some("Comment"),
        ),
        Err(refused) => refused,
    }
}

async fn add_member(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<ProjectMemberForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::AddProjectMember { project_id, form },
            Some("ProjectMember"),
        ),
        Err(refused) => refused,
    }
}

async fn remove_member(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<ProjectMemberRemoveForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::RemoveProjectMember { project_id, form },
            None,
        ),
        Err(refused) => refused,
    }
}
