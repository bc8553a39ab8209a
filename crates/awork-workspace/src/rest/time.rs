//! Time: `GET /timeentries`, `/timeentries/{id}`, `/users/{id}/timeentries/last` (the user's
//! latest started entry, or 204), and absences (`/absences`, `/absences/{id}`). Writes: `POST
//! /timeentries`, `PUT` and `DELETE /timeentries/{id}`, which also change the tracked time of the
//! entry's task and project.

use std::sync::Arc;

use awork_generate::writes::{TimeEntryPostForm, TimeTrackingPutForm, Write};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use serde_json::Value;

use super::body::{Shape, form};
use super::writes::perform;
use super::{Endpoint, endpoint, json_of, list, single};
use crate::Shared;
use crate::answer::{self, Answer};

static TIME_ENTRIES: Endpoint = Endpoint::new(|| endpoint("TimeTracking", "createdOn,id"));
static ABSENCES: Endpoint = Endpoint::new(|| endpoint("Absence", "createdOn,id"));

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/timeentries", get(time_entries).post(create_time_entry))
        .route(
            "/timeentries/{id}",
            get(time_entry)
                .put(update_time_entry)
                .delete(delete_time_entry),
        )
        .route("/users/{id}/timeentries/last", get(last_time_entry))
        .route("/absences", get(absences))
        .route("/absences/{id}", get(absence))
}

async fn time_entries(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(
        &shared,
        &TIME_ENTRIES,
        query.as_deref(),
        "TimeTracking",
        |world| {
            Some(
                world
                    .time_entries
                    .iter()
                    .map(|entry| json_of(&world.current_time_entry(entry), "TimeTracking"))
                    .collect(),
            )
        },
    )
}

async fn time_entry(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let found = {
        let story = shared.lock_story();
        let world = story.world();
        world
            .time_entry(&id)
            .map(|entry| json_of(&world.current_time_entry(entry), "TimeTracking"))
    };
    single("time entry", &id, found)
}

/// `GET /users/{id}/timeentries/last`: `[entry]` of the user's latest start, or 204 when the user
/// has none. "Time entries which are started in the future are ignored" (awork's document).
async fn last_time_entry(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let now = chrono::Utc::now();
    let found = {
        let story = shared.lock_story();
        let world = story.world();
        world.user(&id).map(|_| {
            world
                .time_entries
                .iter()
                .filter(|entry| entry.user_id.as_deref() == Some(id.as_str()))
                .filter_map(|entry| {
                    awork_generate::world::entry_start(entry).map(|start| (start, entry))
                })
                .filter(|(start, _)| *start <= now)
                .max_by_key(|(start, _)| *start)
                .map(|(_, entry)| json_of(&world.current_time_entry(entry), "TimeTracking"))
        })
    };
    match found {
        None => single("user", &id, None),
        Some(None) => answer::no_content(),
        Some(Some(entry)) => answer::ok(&Value::Array(vec![entry])),
    }
}

async fn absences(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(&shared, &ABSENCES, query.as_deref(), "Absence", |world| {
        Some(
            world
                .absences
                .iter()
                .map(|absence| json_of(absence, "Absence"))
                .collect(),
        )
    })
}

async fn absence(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let found = shared
        .lock_story()
        .world()
        .absence(&id)
        .map(|absence| json_of(absence, "Absence"));
    single("absence", &id, found)
}

async fn create_time_entry(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match form::<TimeEntryPostForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::CreateTimeEntry { form },
            Some("TimeTracking"),
        ),
        Err(refused) => refused,
    }
}

async fn update_time_entry(
    State(shared): State<Arc<Shared>>,
    Path(time_entry_id): Path<String>,
    body: Body,
) -> Answer {
    match form::<TimeTrackingPutForm>(body, Shape::Object).await {
        Ok(form) => perform(
            &shared,
            Write::UpdateTimeEntry {
                time_entry_id,
                form,
            },
            Some("TimeTracking"),
        ),
        Err(refused) => refused,
    }
}

async fn delete_time_entry(
    State(shared): State<Arc<Shared>>,
    Path(time_entry_id): Path<String>,
) -> Answer {
    perform(&shared, Write::DeleteTimeEntry { time_entry_id }, None)
}
