//! awork's REST API beyond webhooks, answered from the workspace's world: the reads integrations
//! make (`API.md` §4), with awork's list conventions (`page`/`pageSize` with the `aw-*` headers,
//! `filterby`, `orderby`: [`awork_query`]) and bare JSON arrays.
//!
//! One module per resource; each reads [`crate::story::Story`]'s world and answers the entity in
//! the model its events carry, cut to the properties awork's response model declares
//! ([`schemas`]). What the world no longer keeps (the story forgets old work) is a 404, like a
//! deleted entity. Writes go through [`writes`]: request → the world's change → its events →
//! the journal and the outbox, in one transaction.

mod body;
mod catalogs;
mod people;
mod projects;
mod schemas;
mod tasks;
mod time;
mod writes;

use std::sync::{Arc, LazyLock};

use awork_generate::world::World;
use awork_query::{ListEndpoint, ListQuery, Parameter, QueryContext, QueryError, Vocabulary};
use axum::Router;
use http::header::HeaderValue;
use http::{HeaderName, StatusCode};
use serde::Serialize;
use serde_json::Value;

pub(crate) use body::{canonical, without_bom};

use crate::Shared;
use crate::answer::{self, Answer};

/// The routes of this module, under `/api/v1`.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .merge(people::routes())
        .merge(projects::routes())
        .merge(tasks::routes())
        .merge(time::routes())
        .merge(catalogs::routes())
}

/// A list endpoint of awork's response model `model` (its properties are what `filterby` and
/// `orderby` may name), in `default_order` when the request asks for none.
pub(crate) fn endpoint(model: &str, default_order: &str) -> ListEndpoint {
    let vocabulary = Vocabulary::from_openapi(schemas::document(), model)
        .unwrap_or_else(|failure| panic!("the response model {model}: {failure}"));
    ListEndpoint::new(vocabulary, default_order)
        .unwrap_or_else(|failure| panic!("the default order of {model}: {failure}"))
}

/// A list endpoint built on first use.
pub(crate) type Endpoint = LazyLock<ListEndpoint>;

/// An entity as JSON, cut to the properties of awork's model `model`.
fn json_of(entity: &impl Serialize, model: &str) -> Value {
    let mut value = serde_json::to_value(entity).unwrap_or(Value::Null);
    schemas::keep_declared(&mut value, model);
    value
}

/// Answers a list: the entities `collect` gathers from the world, as `model`, filtered, ordered
/// and paged as the query string asks, with awork's paging headers.
fn list(
    shared: &Shared,
    endpoint: &ListEndpoint,
    query: Option<&str>,
    model: &str,
    collect: impl FnOnce(&World) -> Option<Vec<Value>>,
) -> Answer {
    let query = match endpoint.parse(query.unwrap_or("")) {
        Ok(query) => query,
        Err(failure) => return refused_query(&failure),
    };
    let (items, now) = {
        let story = shared.lock_story();
        let world = story.world();
        (collect(world), world.now)
    };
    let Some(mut items) = items else {
        return no_owner();
    };
    for item in &mut items {
        schemas::keep_declared(item, model);
    }
    let context = QueryContext {
        now,
        current_user_id: shared.admin_id.clone(),
    };
    page_answer(&query, items, &context)
}

/// Answers a list awork does not page: every entity `collect` gathers (each cut to its model by
/// [`json_of`]), in the world's order, without paging headers.
fn whole_list(shared: &Shared, collect: impl FnOnce(&World) -> Option<Vec<Value>>) -> Answer {
    let Some(items) = collect(shared.lock_story().world()) else {
        return no_owner();
    };
    answer::ok(&Value::Array(items))
}

/// The 404 of a list whose owner does not exist.
fn no_owner() -> Answer {
    answer::error(
        StatusCode::NOT_FOUND,
        "not-found",
        "The entity this list belongs to does not exist.",
        &[],
    )
}

/// awork's 400 for a list query it cannot do: `invalid-filter-or-order`, or `validation-failed`
/// for a page that is not a whole number.
pub(crate) fn refused_query(failure: &QueryError) -> Answer {
    let code = match failure.parameter() {
        Parameter::FilterBy | Parameter::OrderBy => "invalid-filter-or-order",
        Parameter::Page | Parameter::PageSize => "validation-failed",
    };
    answer::error(StatusCode::BAD_REQUEST, code, &failure.to_string(), &[])
}

/// The page of `items` that `query` asks for, as a bare JSON array with awork's paging headers.
pub(crate) fn page_answer(query: &ListQuery, items: Vec<Value>, context: &QueryContext) -> Answer {
    let page = query.apply(items, context);
    let mut answer = answer::ok(&Value::Array(page.items.clone()));
    for (name, value) in page.headers() {
        if let Ok(value) = HeaderValue::from_str(&value) {
            answer
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    answer
}

/// Answers one entity, or awork's 404 naming what was looked for.
fn single(what: &str, id: &str, found: Option<Value>) -> Answer {
    match found {
        Some(value) => answer::ok(&value),
        None => answer::error(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("No {what} with the id '{id}' exists."),
            &[],
        ),
    }
}
