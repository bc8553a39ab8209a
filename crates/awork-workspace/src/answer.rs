//! What serve's answers are made of: JSON bodies, awork's `ErrorResponse`, and the refusals every
//! route shares (no such path, a method the path does not take, an operation of awork's API that
//! awork-sim does not simulate, a bad bearer token, a body too large).

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::header::{ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Limited};
use rand::RngCore;
use serde_json::{Value, json};

use crate::catalogue::Operation;

/// Every answer.
pub(crate) type Answer = Response;

/// What a handler could not do: the store failed (a 500).
pub(crate) type Handled = Result<Answer, crate::store::StoreError>;

/// awork's API documentation, the `link` of every error.
const LINK: &str = "https://developers.awork.com";

/// The largest request body read.
pub(crate) const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// A JSON answer.
pub(crate) fn json(status: StatusCode, value: &Value) -> Answer {
    let mut answer = Response::new(Body::from(value.to_string()));
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    answer
}

/// A 200 with `value`.
pub(crate) fn ok(value: &Value) -> Answer {
    json(StatusCode::OK, value)
}

/// A 204.
pub(crate) fn no_content() -> Answer {
    let mut answer = Response::new(Body::empty());
    *answer.status_mut() = StatusCode::NO_CONTENT;
    answer
}

/// awork's `ErrorResponse`; `invalid` lists `(property, message)` as `validationErrors`.
pub(crate) fn error(
    status: StatusCode,
    code: &str,
    description: &str,
    invalid: &[(String, String)],
) -> Answer {
    let trace_id = random_hex(16);
    let mut body = json!({
        "code": code,
        "description": description,
        "link": LINK,
        "traceId": trace_id,
    });
    if !invalid.is_empty() {
        body["validationErrors"] = invalid
            .iter()
            .map(|(property, message)| json!({"property": property, "message": message}))
            .collect();
    }
    let mut answer = json(status, &body);
    // The same id as the body's, as the header every answer of the API carries.
    if let Ok(value) = HeaderValue::from_str(&trace_id) {
        answer.headers_mut().insert(TRACE_ID, value);
    }
    answer
}

/// The 429 of a request over awork's rate limits: the body of the Kong gateway in front of
/// awork's API, which answers it before awork does (API.md 1.5, INFERRED), and not an
/// `ErrorResponse`. The limiter adds the headers.
pub(crate) fn rate_limited() -> Answer {
    json(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({"message": "API rate limit exceeded"}),
    )
}

/// The header awork answers each request of its API with: a request id (awork's support docs
/// call it `Trace-Id`; the same kind of id is an `ErrorResponse`'s `traceId`).
pub(crate) const TRACE_ID: HeaderName = HeaderName::from_static("trace-id");

/// Gives `answer` a `Trace-Id` if it has none yet (an error has its body's).
pub(crate) fn with_trace_id(mut answer: Answer) -> Answer {
    if !answer.headers().contains_key(TRACE_ID)
        && let Ok(value) = HeaderValue::from_str(&random_hex(16))
    {
        answer.headers_mut().insert(TRACE_ID, value);
    }
    answer
}

/// The 500 of a handler whose store failed, or its answer.
pub(crate) fn respond(handled: Handled) -> Answer {
    handled.unwrap_or_else(|failure| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server-error",
            &failure.to_string(),
            &[],
        )
    })
}

/// The 404 of a path nothing answers.
pub(crate) fn no_path() -> Answer {
    error(
        StatusCode::NOT_FOUND,
        "not-found",
        "There is no matching path for this URL.",
        &[],
    )
}

/// A 405 with the `Allow` header RFC 9110 requires.
pub(crate) fn not_allowed(allow: &str) -> Answer {
    let mut answer = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        &format!("This path takes {allow} only."),
        &[],
    );
    if let Ok(value) = HeaderValue::from_str(allow) {
        answer.headers_mut().insert(ALLOW, value);
    }
    answer
}

/// The 501 of an operation of awork's API that awork-sim does not simulate: it is not a missing
/// entity, and says so.
pub(crate) fn not_simulated(operation: &Operation) -> Answer {
    error(
        StatusCode::NOT_IMPLEMENTED,
        "not-simulated",
        &format!(
            "awork-sim does not simulate {} ({} {} in awork's API); the operations it simulates \
             are listed in its README.",
            operation.id, operation.method, operation.path
        ),
        &[],
    )
}

/// The 401 of a request without a valid bearer token.
pub(crate) fn unauthorized() -> Answer {
    let mut answer = error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "The request has no valid bearer token: send Authorization: Bearer <api key>.",
        &[],
    );
    answer
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    answer
}

/// A request's body, read whole up to [`BODY_LIMIT`]; a 413 otherwise.
pub(crate) async fn read_body(body: Body) -> Result<Bytes, Answer> {
    match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request-body-too-large",
            "The request body could not be read, or is larger than 8 MiB.",
            &[],
        )),
    }
}

/// `bytes` random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    raw.iter().map(|byte| format!("{byte:02x}")).collect()
}
