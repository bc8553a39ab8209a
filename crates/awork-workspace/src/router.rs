//! Which handler answers a request. Every request is first made canonical (repeated slashes
//! collapsed, as Pipedream's `//timeentries` needs; a trailing slash dropped, as ASP.NET Core's
//! routing ignores it; the path lowercased, since awork's routing is case-insensitive and its ids
//! are lowercase GUIDs) and checked by the [`crate::guard`]; then the
//! axum router below picks the handler: the settings page, awork's API under `/api/v1` and
//! awork-sim's own paths under `/sim/` (both behind the bearer check).
//!
//! awork's own list of operations ([`crate::catalogue`]) decides before routing: an operation of
//! awork's API that awork-sim does not simulate is a 501 naming it. After routing, a method the
//! path does not take is a 405 with `Allow`, and a path awork's API does not have a 404.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::routing::{get, post};
use http::header::AUTHORIZATION;
use http::{StatusCode, Uri};
use tower::ServiceExt;

use crate::answer::{self, Answer, read_body, respond};
use crate::{Shared, api, catalogue, page, rest};

/// The router of every path serve answers.
pub(crate) fn build(shared: &Arc<Shared>) -> Router {
    let api = Router::new()
        .merge(rest::routes())
        .route("/webhooks", get(list_webhooks).post(create_webhook))
        .route("/webhooks/eventtypes", get(event_types))
        .route("/webhooks/eventtypes/slack", get(event_types))
        .route(
            "/webhooks/{id}",
            get(read_webhook).put(update_webhook).delete(delete_webhook),
        )
        .route("/webhooks/{id}/logs", get(webhook_logs));
    let sim = Router::new()
        .route("/events", post(make_events))
        .route("/status", get(status))
        .route("/webhooks/{id}/test", post(test_webhook))
        .route("/webhooks/{id}/logs", get(detailed_logs))
        .route("/webhooks/{id}/logs/{seq}/resend", post(resend_log))
        .route("/webhooks/{id}/retry", post(retry_webhook));
    let bearer = from_fn_with_state(Arc::clone(shared), require_bearer);
    Router::new()
        .route("/", get(page_asset))
        .route("/index.html", get(page_asset))
        .route("/page.css", get(page_asset))
        .route("/page.js", get(page_asset))
        .route("/favicon.svg", get(page_asset))
        .nest("/api/v1", api.layer(bearer.clone()))
        .nest("/sim", sim.layer(bearer))
        .fallback(unrouted)
        .method_not_allowed_fallback(unrouted_method)
        .with_state(Arc::clone(shared))
}

/// Answers one request.
pub(crate) async fn answer(router: Router, shared: &Shared, request: Request) -> Answer {
    let (mut parts, body) = request.into_parts();
    if let Err(refusal) = shared.guard.admit(&parts) {
        return answer::error(
            StatusCode::FORBIDDEN,
            "forbidden",
            &refusal.to_string(),
            &[],
        );
    }
    if let Some(canonical) = canonical(&parts.uri) {
        parts.uri = canonical;
    }
    let of_the_api = parts.uri.path().starts_with("/api/v1");
    // awork's rate limits, when applied, count every request of its API.
    let verdict = shared
        .limiter
        .as_ref()
        .filter(|_| of_the_api)
        .map(|limiter| limiter.take(crate::delivery::now_ms()));
    let mut answer = if verdict.as_ref().is_some_and(|verdict| !verdict.allowed) {
        answer::rate_limited()
    } else if let Some(path) = parts.uri.path().strip_prefix("/api/v1")
        && let Some(operation) = catalogue::not_simulated(parts.method.as_str(), path)
    {
        // awork authorizes the operation before running it: without a token, a 401 like every
        // other operation's, not the word that this one is not simulated.
        if api::authorized(shared, parts.headers.get(AUTHORIZATION)) {
            answer::not_simulated(&operation)
        } else {
            answer::unauthorized()
        }
    } else {
        match router.oneshot(Request::from_parts(parts, body)).await {
            Ok(answer) => answer,
            Err(never) => match never {},
        }
    };
    if let Some(verdict) = verdict {
        answer.headers_mut().extend(verdict.headers);
    }
    // Every answer of awork's API carries a `Trace-Id` (API.md 1.6, EVIDENCE).
    if of_the_api {
        answer::with_trace_id(answer)
    } else {
        answer
    }
}

/// The URI with its path made canonical, when it is not already: repeated slashes collapsed, no
/// slash at the end (but for `/` itself), lowercase.
fn canonical(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if !path.contains("//")
        && (path == "/" || !path.ends_with('/'))
        && !path.bytes().any(|byte| byte.is_ascii_uppercase())
    {
        return None;
    }
    let mut collapsed = String::with_capacity(path.len());
    for character in path.chars() {
        if character == '/' && collapsed.ends_with('/') {
            continue;
        }
        collapsed.push(character.to_ascii_lowercase());
    }
    if collapsed.len() > 1 && collapsed.ends_with('/') {
        collapsed.pop();
    }
    let target = match uri.query() {
        Some(query) => format!("{collapsed}?{query}"),
        None => collapsed,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = target.parse().ok();
    Uri::from_parts(parts).ok()
}

/// The 401 for a request without a bearer token the workspace takes; nothing else runs.
async fn require_bearer(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Answer {
    if api::authorized(&shared, request.headers().get(AUTHORIZATION)) {
        next.run(request).await
    } else {
        answer::unauthorized()
    }
}

/// A path no route has: a 404, or, for a path of awork's API whose operations take other methods
/// (the operations it has that serve does not simulate were answered 501 before routing), a 405
/// with the methods awork's API takes there.
async fn unrouted(uri: Uri) -> Answer {
    let operations = uri
        .path()
        .strip_prefix("/api/v1")
        .map(catalogue::at)
        .unwrap_or_default();
    if operations.is_empty() {
        return answer::no_path();
    }
    let allow: Vec<&str> = operations
        .iter()
        .map(|operation| operation.method)
        .collect();
    answer::not_allowed(&allow.join(", "))
}

/// A routed path asked with a method its route does not take (axum adds the route's `Allow`).
async fn unrouted_method() -> Answer {
    answer::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "This path does not take this method: the Allow header lists those it takes.",
        &[],
    )
}

async fn page_asset(uri: Uri) -> Answer {
    page::asset(uri.path()).unwrap_or_else(answer::no_path)
}

async fn event_types() -> Answer {
    answer::ok(&api::event_types())
}

async fn list_webhooks(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Answer {
    respond(api::list(&shared, query.as_deref().unwrap_or("")))
}

async fn read_webhook(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    respond(api::read(&shared, &id))
}

async fn create_webhook(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    match read_body(body).await {
        Ok(body) => respond(api::create(&shared, &body)),
        Err(refused) => refused,
    }
}

async fn update_webhook(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Body,
) -> Answer {
    match read_body(body).await {
        Ok(body) => respond(api::update(&shared, &id, &body)),
        Err(refused) => refused,
    }
}

async fn delete_webhook(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    respond(api::delete(&shared, &id))
}

async fn webhook_logs(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    respond(api::logs(
        &shared,
        &id,
        query.as_deref().unwrap_or(""),
        false,
    ))
}

async fn detailed_logs(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    respond(api::logs(
        &shared,
        &id,
        query.as_deref().unwrap_or(""),
        true,
    ))
}

async fn make_events(State(shared): State<Arc<Shared>>, body: Body) -> Answer {
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    // Up to 100,000 events are made and queued in one call: on a blocking thread, so that the
    // runtime's workers go on delivering them meanwhile.
    match tokio::task::spawn_blocking(move || api::make_events(&shared, &body)).await {
        Ok(handled) => respond(handled),
        Err(failed) => std::panic::resume_unwind(failed.into_panic()),
    }
}

async fn status(State(shared): State<Arc<Shared>>) -> Answer {
    respond(api::status(&shared))
}

async fn test_webhook(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    respond(api::test(&shared, &id).await)
}

async fn resend_log(
    State(shared): State<Arc<Shared>>,
    Path((id, seq)): Path<(String, String)>,
) -> Answer {
    respond(api::resend(&shared, &id, &seq).await)
}

async fn retry_webhook(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    respond(api::retry(&shared, &id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_canonical() {
        let made = |uri: &str| canonical(&uri.parse().unwrap()).map(|uri| uri.to_string());
        assert_eq!(
            made("/api/v1//timeentries?pageSize=10"),
            Some("/api/v1/timeentries?pageSize=10".into())
        );
        assert_eq!(
            made("/api/v1/Webhooks/EventTypes"),
            Some("/api/v1/webhooks/eventtypes".into())
        );
        assert_eq!(
            made("/api/v1/users/?pageSize=1"),
            Some("/api/v1/users?pageSize=1".into())
        );
        assert_eq!(made("/api/v1//"), Some("/api/v1".into()));
        assert_eq!(made("/"), None);
        assert_eq!(made("/api/v1/webhooks?filterBy=Name"), None);
    }
}
