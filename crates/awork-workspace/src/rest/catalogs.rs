//! The workspace's clients and settings: `GET /companies`, `/companies/{id}`, types of work
//! (`/typeofwork`), project statuses (`/projectstatuses`, every project's) and project types
//! (`/projecttypes`), each also by id. Writes: `POST /companies`, `PUT /companies/{id}` and `POST
//! /companies/{id}/delete`.

use std::sync::Arc;

use awork_generate::world::{ProjectState, World};
use awork_generate::writes::{CompanyDeleteForm, CompanyForm, Write};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use serde_json::Value;

use super::body::{Shape, form};
use super::writes::perform;
use super::{Endpoint, endpoint, json_of, list, single};
use crate::Shared;
use crate::answer::Answer;

static COMPANIES: Endpoint = Endpoint::new(|| endpoint("Company", "createdOn,id"));
static TYPES_OF_WORK: Endpoint = Endpoint::new(|| endpoint("TypeOfWork", "name,id"));
static PROJECT_STATUSES: Endpoint = Endpoint::new(|| endpoint("ProjectStatus", "order,id"));
static PROJECT_TYPES: Endpoint = Endpoint::new(|| endpoint("ProjectType", "name,id"));

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/companies", get(companies).post(create_company))
        .route("/companies/{id}", get(company).put(update_company))
        .route("/companies/{id}/delete", post(delete_company))
        .route("/typeofwork", get(types_of_work))
        .route("/typeofwork/{id}", get(type_of_work))
        .route("/projectstatuses", get(project_statuses))
        .route("/projectstatuses/{id}", get(project_status))
        .route("/projecttypes", get(project_types))
        .route("/projecttypes/{id}", get(project_type))
}

fn all_companies(world: &World) -> Vec<Value> {
    world
        .companies
        .iter()
        .map(|company| json_of(&world.counted_company(company), "Company"))
        .collect()
}

fn all_types_of_work(world: &World) -> Vec<Value> {
    world
        .types_of_work
        .iter()
        .map(|kind| json_of(kind, "TypeOfWork"))
        .collect()
}

fn all_project_statuses(world: &World) -> Vec<Value> {
    world
        .projects
        .iter()
        .flat_map(project_statuses_of)
        .collect()
}

/// A project's statuses as `ProjectStatus`es, each with its `projectId` (which the models'
/// nested status has no room for), so `filterby=projectId eq guid'…'` finds them.
pub(super) fn project_statuses_of(project: &ProjectState) -> Vec<Value> {
    project
        .statuses
        .iter()
        .map(|status| {
            let mut value = json_of(status, "ProjectStatus");
            value["projectId"] = project.project.id.clone().into();
            value
        })
        .collect()
}

fn all_project_types(world: &World) -> Vec<Value> {
    world
        .project_types
        .iter()
        .map(|kind| json_of(kind, "ProjectType"))
        .collect()
}

/// The entity of `all`'s list whose `id` is `id`.
fn by_id(shared: &Shared, what: &str, id: &str, all: impl FnOnce(&World) -> Vec<Value>) -> Answer {
    let found = all(shared.lock_story().world())
        .into_iter()
        .find(|value| value["id"] == id);
    single(what, id, found)
}

async fn companies(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(&shared, &COMPANIES, query.as_deref(), "Company", |world| {
        Some(all_companies(world))
    })
}

async fn company(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    by_id(&shared, "company", &id, all_companies)
}

async fn types_of_work(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(
        &shared,
        &TYPES_OF_WORK,
        query.as_deref(),
        "TypeOfWork",
        |world| Some(all_types_of_work(world)),
    )
}

async fn type_of_work(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    by_id(&shared, "type of work", &id, all_types_of_work)
}

async fn project_statuses(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(
        &shared,
        &PROJECT_STATUSES,
        query.as_deref(),
        "ProjectStatus",
        |world| Some(all_project_statuses(world)),
    )
}

async fn project_status(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    by_id(&shared, "project status", &id, all_project_statuses)
}

async fn project_types(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(
        &shared,
        &PROJECT_TYPES,
        query.as_deref(),
        "ProjectType",
        |world| Some(all_project_types(world)),
    )
}

async fn project_type(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    by_id(&shared, "project type", &id, all_project_types)
}

async fn create_company(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match form::<CompanyForm>(body, Shape::Object).await {
        Ok(form) => perform(&shared, Write::CreateCompany { form }, Some("Company")),
        Err(refused) => refused,
    }
}

async fn update_company(
    State(shared): State<Arc<Shared>>,
    Path(company_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<CompanyForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::UpdateCompany { company_id, form },
            Some("Company"),
        ),
        Err(refused) => refused,
    }
}

async fn delete_company(
    State(shared): State<Arc<Shared>>,
    Path(company_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<CompanyDeleteForm>(body, Shape::ObjectOrEmpty).await {
        Ok(form) => perform(&shared, Write::DeleteCompany { company_id, form }, None),
        Err(refused) => refused,
    }
}
