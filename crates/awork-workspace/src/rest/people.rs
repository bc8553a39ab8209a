//! Users: `GET /users`, `/users/{id}`, and `/me` (also `/users/me`), the user behind the API key
//! (the workspace's owner, the first user of the world, who appears in its events under the same
//! id and name) with the workspace it belongs to.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use serde_json::{Value, json};

use super::{Endpoint, endpoint, json_of, list, single};
use crate::Shared;
use crate::answer::Answer;

static USERS: Endpoint = Endpoint::new(|| endpoint("User", "createdOn,id"));

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/users", get(users))
        .route("/users/me", get(me))
        .route("/me", get(me))
        .route("/users/{id}", get(user))
}

async fn users(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    list(&shared, &USERS, query.as_deref(), "User", |world| {
        Some(
            world
                .users
                .iter()
                .map(|user| json_of(user, "User"))
                .collect(),
        )
    })
}

async fn user(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let found = shared
        .lock_story()
        .world()
        .user(&id)
        .map(|user| json_of(user, "User"));
    single("user", &id, found)
}

/// `GET /me`: a `UserAndWorkspace`.
async fn me(State(shared): State<Arc<Shared>>) -> Answer {
    let found = {
        let story = shared.lock_story();
        story.world().user(&shared.admin_id).map(|user| {
            let mut me = json_of(user, "UserAndWorkspace");
            if let Value::Object(object) = &mut me {
                object.insert(
                    "workspace".into(),
                    workspace(&shared, &story.world().subdomain),
                );
            }
            me
        })
    };
    single("user", &shared.admin_id, found)
}

/// The workspace as `UserAndWorkspace.workspace` has it: its id, its name (the agency's, from its
/// subdomain: `hahn-digital` is "Hahn Digital") and its URL.
fn workspace(shared: &Shared, subdomain: &str) -> Value {
    let name: Vec<String> = subdomain
        .split('-')
        .map(|word| {
            let mut characters = word.chars();
            characters
                .next()
                .map(|first| first.to_uppercase().chain(characters).collect())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "id": crate::api::workspace_id(shared),
        "name": name.join(" "),
        "url": shared.workspace_url,
    })
}
