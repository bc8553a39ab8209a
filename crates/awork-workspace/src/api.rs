//! awork's webhook configuration API and awork-sim's own `/sim/` paths: the handlers
//! `crate::router` routes to.
//!
//! awork's paths: `GET/POST /webhooks`, `GET/PUT/DELETE /webhooks/{id}`, `GET
//! /webhooks/{id}/logs`, `GET /webhooks/eventtypes` (and `/eventtypes/slack`), `GET /users/me`.
//! Responses carry only the properties awork's schemas declare. Errors are awork's
//! `ErrorResponse`; a bad form is a 400 with one `validationErrors` entry per bad property.
//!
//! awork-sim's paths: `POST /sim/events` makes events happen, `POST /sim/webhooks/{id}/test`
//! sends a test event now, `GET /sim/status` tells the delivery semantics and each webhook's
//! counts and health (paused since, next attempt, attempts per minute), `GET
//! /sim/webhooks/{id}/logs` the logs with what `WebhookLog` lacks (number, event, attempt,
//! latency), `POST /sim/webhooks/{id}/logs/{seq}/resend` sends a logged body again now, and `POST
//! /sim/webhooks/{id}/retry` makes a retrying webhook's next attempt now.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use awork_delivery::{AuthHeader, HttpTransport, Semantics, WebhookUrl};
use awork_models::{Envelope, EventType, Naming};
use awork_query::QueryContext;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::StatusCode;
use rand::RngCore;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::answer::{Answer, Handled, error, no_content, ok};
use crate::delivery::{self, now_ms, now_text};
use crate::store::{Enqueue, WebhookRow};
use crate::story::Step;
use crate::{Shared, WhilePaused, rest};

/// The most events one `POST /sim/events` makes.
const MAX_COUNT: u64 = 100_000;
/// Events made and queued per store transaction.
const CHUNK: u64 = 500;
/// The `authentication` shown back instead of the header's value.
const MASK: &str = "***";

/// Whether the request's `Authorization` is a bearer token the workspace takes: any token
/// without `--api-key`, that key with it.
pub(crate) fn authorized(shared: &Shared, header: Option<&http::HeaderValue>) -> bool {
    let token = header
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty());
    match (token, &shared.api_key) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(token), Some(key)) => same(token.as_bytes(), key.as_bytes()),
    }
}

/// Compares in time that depends on the lengths only.
fn same(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

fn not_found(what: &str) -> Answer {
    error(
        StatusCode::NOT_FOUND,
        "not-found",
        &format!("No webhook with the id '{what}' exists."),
        &[],
    )
}

/// A random version-4 UUID, for new webhooks.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The 35 names awork's API registers, in the order of awork-models.
pub(crate) fn event_types() -> Value {
    EventType::API
        .iter()
        .map(|event| Value::from(event.name(Naming::Api)))
        .collect()
}

/// A workspace id derived from the admin's, stable across restarts.
pub(crate) fn workspace_id(shared: &Shared) -> String {
    // The admin's id with its first group changed: a valid UUID, the same for the same seed.
    let mut id = shared.admin_id.clone();
    if id.len() == 36 {
        id.replace_range(0..8, "0000a0a0");
    }
    id
}

/// A webhook as awork's `WebhookConfig`; the auth value is never shown back.
fn webhook_json(row: &WebhookRow) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), row.id.clone().into());
    object.insert("name".into(), row.name.clone().into());
    object.insert("uri".into(), row.uri.clone().into());
    if let Some(language) = &row.language {
        object.insert("language".into(), language.clone().into());
    }
    object.insert("events".into(), row.events.clone().into());
    object.insert("isActive".into(), row.is_active.into());
    if let Some(only_main) = row.only_main {
        object.insert("onlyTriggerForMainEntityChanges".into(), only_main.into());
    }
    object.insert("authenticationType".into(), row.auth_type.clone().into());
    let authentication = row
        .auth_name
        .as_ref()
        .map_or(Value::Null, |name| format!("{name}={MASK}").into());
    object.insert("authentication".into(), authentication);
    object.insert("receiverType".into(), receiver_type(&row.uri).into());
    object.insert(
        "lastFailureReason".into(),
        row.last_failure_reason
            .clone()
            .map_or(Value::Null, Value::from),
    );
    object.insert("createdOn".into(), row.created_on.clone().into());
    object.insert("createdBy".into(), row.created_by.clone().into());
    object.insert("updatedOn".into(), row.updated_on.clone().into());
    object.insert("updatedBy".into(), row.updated_by.clone().into());
    Value::Object(object)
}

/// `page` (from 1) and `pageSize` (default 50, at most 1000) of a query string: the paging of
/// awork-sim's own `/sim/` lists.
fn paging(query: &str) -> (u64, u64) {
    let mut page = 1u64;
    let mut size = 50u64;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number = value.parse::<u64>().ok();
        match name.to_ascii_lowercase().as_str() {
            "page" => page = number.unwrap_or(1).max(1),
            "pagesize" => size = number.unwrap_or(50).clamp(1, 1000),
            _ => {}
        }
    }
    ((page - 1).saturating_mul(size), size)
}

/// `GET /webhooks`: awork's list conventions, as every list of its API has them (`filterby`,
/// `orderby`, `page`, `pageSize`, the `aw-*` headers); in creation order unless asked otherwise.
static WEBHOOKS: rest::Endpoint =
    rest::Endpoint::new(|| rest::endpoint("WebhookConfig", "createdOn"));

/// `GET /webhooks/{id}/logs`: the same conventions; newest first unless asked otherwise.
static WEBHOOK_LOGS: rest::Endpoint =
    rest::Endpoint::new(|| rest::endpoint("WebhookLog", "createdOn desc"));

/// What `filterby`'s `now` and `me` are for the webhook lists.
fn query_context(shared: &Shared) -> QueryContext {
    QueryContext {
        now: Utc::now(),
        current_user_id: shared.admin_id.clone(),
    }
}

pub(crate) fn list(shared: &Shared, query: &str) -> Handled {
    let query = match WEBHOOKS.parse(query) {
        Ok(query) => query,
        Err(failure) => return Ok(rest::refused_query(&failure)),
    };
    let rows = shared.lock_store().webhooks()?;
    let items = rows.iter().map(webhook_json).collect();
    Ok(rest::page_answer(&query, items, &query_context(shared)))
}

pub(crate) fn read(shared: &Shared, id: &str) -> Handled {
    Ok(match shared.lock_store().webhook(id)? {
        Some(row) => ok(&webhook_json(&row)),
        None => not_found(id),
    })
}

/// A `WebhookConfigForm`, checked.
struct Form {
    name: String,
    uri: String,
    language: Option<String>,
    events: String,
    is_active: bool,
    only_main: Option<bool>,
    auth_type: String,
    /// `(name, value)`; the value is `None` when the form gave back the masked value.
    auth: Option<(String, Option<String>)>,
}

/// The properties of a `WebhookConfigForm`.
const FORM_PROPERTIES: &[&str] = &[
    "name",
    "uri",
    "language",
    "events",
    "isActive",
    "onlyTriggerForMainEntityChanges",
    "authenticationType",
    "authentication",
];

/// Reads and checks a form: every bad property is one `(property, message)`.
fn parse_form(body: &[u8]) -> Result<Form, Vec<(String, String)>> {
    let invalid = |property: &str, message: &str| vec![(property.to_owned(), message.to_owned())];
    let body = rest::without_bom(body);
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|failure| invalid("", &format!("The body is not JSON: {failure}.")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(invalid("", "The body must be a JSON object."));
    };
    // Names in any case, as ASP.NET Core reads them.
    rest::canonical(object, FORM_PROPERTIES);
    let object = &*object;
    let mut errors = Vec::new();
    let mut text = |name: &str, required: bool| -> Option<String> {
        match object.get(name) {
            Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_owned()),
            // awork's optional properties are nullable: an empty one is an absent one.
            Some(Value::String(_)) | None | Some(Value::Null) if !required => None,
            Some(Value::String(_)) | None | Some(Value::Null) => {
                errors.push((name.to_owned(), format!("{name} is required.")));
                None
            }
            Some(_) => {
                errors.push((name.to_owned(), format!("{name} must be a string.")));
                None
            }
        }
    };
    let name = text("name", true);
    let uri = text("uri", true);
    let language = text("language", false);
    let events = text("events", true);
    let auth_type = text("authenticationType", true);
    let authentication = text("authentication", false);
    if let Some(uri) = &uri
        && let Err(failure) = WebhookUrl::parse(uri)
    {
        errors.push(("uri".into(), format!("{failure}.")));
    }
    let events = events.and_then(|events| match subscriptions(&events) {
        Ok(events) => Some(events),
        Err(message) => {
            errors.push(("events".into(), message));
            None
        }
    });
    let mut flag = |name: &str, required: bool| match object.get(name) {
        Some(Value::Bool(flag)) => Some(*flag),
        None | Some(Value::Null) if !required => None,
        None | Some(Value::Null) => {
            errors.push((name.to_owned(), format!("{name} is required.")));
            None
        }
        Some(_) => {
            errors.push((name.to_owned(), format!("{name} must be true or false.")));
            None
        }
    };
    let is_active = flag("isActive", true);
    let only_main = flag("onlyTriggerForMainEntityChanges", false);
    let auth_type = auth_type.map(|kind| kind.to_ascii_lowercase());
    let mut auth = None;
    match auth_type.as_deref() {
        Some("none") | None => {}
        Some("header") => match authentication
            .as_deref()
            .and_then(|text| text.split_once('='))
        {
            Some((header, value)) => {
                let header = header.trim();
                if value == MASK {
                    // The value shown back: keep the stored one (checked on update).
                    match AuthHeader::new(header, "x") {
                        Ok(_) => auth = Some((header.to_owned(), None)),
                        Err(failure) => {
                            errors.push(("authentication".into(), format!("{failure}.")))
                        }
                    }
                } else {
                    match AuthHeader::new(header, value) {
                        Ok(_) if value.trim().is_empty() => errors.push((
                            "authentication".into(),
                            "The header value is empty: use headername=headervalue.".into(),
                        )),
                        Ok(_) => auth = Some((header.to_owned(), Some(value.trim().to_owned()))),
                        Err(failure) => {
                            errors.push(("authentication".into(), format!("{failure}.")))
                        }
                    }
                }
            }
            None => errors.push((
                "authentication".into(),
                "For authenticationType header, authentication must be headername=headervalue."
                    .into(),
            )),
        },
        Some(other) => errors.push((
            "authenticationType".into(),
            format!("Unknown authenticationType '{other}': use none or header."),
        )),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match (name, uri, events, is_active, auth_type) {
        (Some(name), Some(uri), Some(events), Some(is_active), Some(auth_type)) => Ok(Form {
            name,
            uri,
            language,
            events,
            is_active,
            only_main,
            auth_type,
            auth,
        }),
        _ => Err(invalid("", "The form is incomplete.")),
    }
}

/// The comma-separated event names, checked against the API's 35 and written without spaces.
fn subscriptions(events: &str) -> Result<String, String> {
    let mut names: Vec<&str> = Vec::new();
    for name in events.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(
                "events has an empty name: use a comma-separated list of event types.".into(),
            );
        }
        let known = EventType::API
            .iter()
            .any(|event| event.name(Naming::Api) == name);
        if !known {
            return Err(format!(
                "Unknown event type '{name}': GET /webhooks/eventtypes lists the allowed ones."
            ));
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names.join(","))
}

/// The receiver type awork infers from a webhook's URI (`ENTITIES.md`, EVIDENCE): `slack` for
/// Slack's incoming webhooks, `custom` otherwise. serve delivers the same JSON events to both
/// (the Slack messages awork writes are not simulated).
fn receiver_type(uri: &str) -> &'static str {
    let host = WebhookUrl::parse(uri)
        .ok()
        .and_then(|url| url.as_uri().host().map(str::to_ascii_lowercase));
    if host.as_deref() == Some("hooks.slack.com") {
        "slack"
    } else {
        "custom"
    }
}

/// awork's 400 for a form that breaks its rules: `validation-failed`, each property PascalCase as
/// .NET names it (`Name`, `AuthenticationType`), as the rest of awork's API answers
/// (`awork/API.md` §1.3).
fn bad_form(invalid: &[(String, String)]) -> Answer {
    let invalid: Vec<(String, String)> = invalid
        .iter()
        .map(|(property, message)| {
            let mut characters = property.chars();
            let pascal = characters
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + characters.as_str())
                .unwrap_or_default();
            (pascal, message.clone())
        })
        .collect();
    error(
        StatusCode::BAD_REQUEST,
        "validation-failed",
        "The model sent in the request is invalid. See the validation errors for details.",
        &invalid,
    )
}

/// The 400 for a URI that names serve itself, if `uri` does.
fn refuse_self(shared: &Shared, uri: &str) -> Option<Answer> {
    let uri = WebhookUrl::parse(uri).ok()?;
    shared
        .guard
        .names_self(&uri)
        .then(|| bad_form(&[("uri".into(), format!("{}.", crate::guard::SELF_LOOP))]))
}

pub(crate) fn create(shared: &Arc<Shared>, body: &[u8]) -> Handled {
    let form = match parse_form(body) {
        Ok(form) => form,
        Err(invalid) => return Ok(bad_form(&invalid)),
    };
    if let Some(refused) = refuse_self(shared, &form.uri) {
        return Ok(refused);
    }
    let Some((auth_name, auth_value)) = form
        .auth
        .clone()
        .map_or(Some((None, None)), |(name, value)| {
            value.map(|value| (Some(name), Some(value)))
        })
    else {
        return Ok(bad_form(&[(
            "authentication".into(),
            "A new webhook needs the header's value, not the masked one.".into(),
        )]));
    };
    let now = now_text();
    let row = WebhookRow {
        id: new_id(),
        name: form.name,
        uri: form.uri,
        language: form.language,
        events: form.events,
        is_active: form.is_active,
        only_main: form.only_main,
        auth_type: form.auth_type,
        auth_name,
        auth_value,
        last_failure_reason: None,
        consecutive_failures: 0,
        delivered: 0,
        failed: 0,
        dropped: 0,
        created_on: now.clone(),
        created_by: shared.admin_id.clone(),
        updated_on: now,
        updated_by: shared.admin_id.clone(),
        enabled_count: 0,
    };
    shared.lock_store().insert_webhook(&row)?;
    shared.wake(&row.id);
    Ok(ok(&webhook_json(&row)))
}

pub(crate) fn update(shared: &Arc<Shared>, id: &str, body: &[u8]) -> Handled {
    let Some(mut row) = shared.lock_store().webhook(id)? else {
        return Ok(not_found(id));
    };
    let form = match parse_form(body) {
        Ok(form) => form,
        Err(invalid) => return Ok(bad_form(&invalid)),
    };
    if let Some(refused) = refuse_self(shared, &form.uri) {
        return Ok(refused);
    }
    match form.auth {
        None => {
            row.auth_name = None;
            row.auth_value = None;
        }
        Some((name, Some(value))) => {
            row.auth_name = Some(name);
            row.auth_value = Some(value);
        }
        Some((name, None)) => {
            // Header names are case-insensitive: `x-key=***` keeps the value stored for `X-Key`.
            let same_name = row
                .auth_name
                .as_deref()
                .is_some_and(|stored| stored.eq_ignore_ascii_case(&name));
            if !same_name || row.auth_value.is_none() {
                return Ok(bad_form(&[(
                    "authentication".into(),
                    "The masked value keeps the stored one only for the same header name.".into(),
                )]));
            }
            row.auth_name = Some(name);
        }
    }
    row.name = form.name;
    row.uri = form.uri;
    row.language = form.language;
    row.events = form.events;
    row.is_active = form.is_active;
    row.only_main = form.only_main;
    row.auth_type = form.auth_type;
    row.updated_on = now_text();
    row.updated_by = shared.admin_id.clone();
    let updated = {
        let mut store = shared.lock_store();
        store.update_webhook(&row, now_ms())?;
        store.webhook(id)?
    };
    shared.reconfigure(id);
    Ok(match updated {
        Some(row) => ok(&webhook_json(&row)),
        None => not_found(id),
    })
}

pub(crate) fn delete(shared: &Shared, id: &str) -> Handled {
    let removed = shared.lock_store().delete_webhook(id)?;
    if !removed {
        return Ok(not_found(id));
    }
    shared.forget(id);
    Ok(no_content())
}

/// `GET /webhooks/{id}/logs` (awork's `WebhookLog`s) or, `detailed`, `GET
/// /sim/webhooks/{id}/logs`: with the log's number (`seq`, for a resend), `event`, `attempt` and
/// `latencyMs`, and `outcome=failed` in the query keeps the failed attempts only.
/// `GET /webhooks/{id}/logs` (awork's list conventions, over every log kept) and, `detailed`,
/// `GET /sim/webhooks/{id}/logs` (`page`, `pageSize` and `outcome=failed|all`, with what
/// `WebhookLog` lacks).
pub(crate) fn logs(shared: &Shared, id: &str, query: &str, detailed: bool) -> Handled {
    // awork's list reads every log kept, which its query then filters, orders and pages; the
    // `/sim/` one reads a page of them from the store.
    let (listed, paged, (failed_only, after)) = if detailed {
        match sim_log_filter(query) {
            Ok(filter) => (None, paging(query), filter),
            Err(message) => {
                return Ok(error(
                    StatusCode::BAD_REQUEST,
                    "validation-failed",
                    &message,
                    &[],
                ));
            }
        }
    } else {
        match WEBHOOK_LOGS.parse(query) {
            Ok(listed) => (Some(listed), (0, u64::MAX), (false, 0)),
            Err(failure) => return Ok(rest::refused_query(&failure)),
        }
    };
    let mut store = shared.lock_store();
    if store.webhook(id)?.is_none() {
        return Ok(not_found(id));
    }
    let rows = store.logs_after(id, after, paged, failed_only)?;
    drop(store);
    let items: Vec<Value> = rows
        .iter()
        .map(|(seq, row)| {
            let mut log = json!({
                "message": row.message,
                "webhookId": row.webhook_id,
                "createdOn": row.created_on,
                "reason": row.reason,
                "isSuccessful": row.is_successful,
            });
            if let Some(code) = row.response_code {
                log["responseCode"] = code.into();
            }
            if detailed {
                log["seq"] = (*seq).into();
                log["event"] = row.label.clone().into();
                log["attempt"] = row.attempt.into();
                log["latencyMs"] = ((row.latency_ms * 1000.0).round() / 1000.0).into();
            }
            log
        })
        .collect();
    Ok(match listed {
        Some(query) => rest::page_answer(&query, items, &query_context(shared)),
        None => ok(&Value::Array(items)),
    })
}

/// What `/sim/webhooks/{id}/logs` is asked for: the failed attempts only (`outcome=failed`;
/// `outcome=all` or none: every attempt), and the logs numbered above `afterSeq` only (what the
/// page polls for, rather than every body again); anything else there is the message of a 400.
fn sim_log_filter(query: &str) -> Result<(bool, i64), String> {
    let mut failed_only = false;
    let mut after = 0;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((name, value)) if name.eq_ignore_ascii_case("afterSeq") => {
                after = value
                    .parse()
                    .map_err(|_| format!("'afterSeq' must be a log's number, not '{value}'."))?;
            }
            Some((name, value)) if name.eq_ignore_ascii_case("outcome") => match value {
                "failed" => failed_only = true,
                "all" | "" => failed_only = false,
                other => {
                    return Err(format!(
                        "'outcome' must be 'failed' or 'all', not '{other}'."
                    ));
                }
            },
            _ => {}
        }
    }
    Ok((failed_only, after))
}

/// One event made by `POST /sim/events`.
struct Made {
    name: String,
    trace_id: Option<String>,
    body: Vec<u8>,
    /// A webhook that does not queue it (it gets the event as a test, now).
    skip: Option<String>,
}

/// `POST /sim/events`: `{"eventType": "task_added", "count": 3}`, `{"count": 10}` for the
/// story's choice, or `{"payload": {…}}` for an exact envelope. Answers
/// `{"events": [{"traceId", "eventType", "webhooks"}]}`.
pub(crate) fn make_events(shared: &Arc<Shared>, body: &[u8]) -> Handled {
    let invalid = |property: &str, message: String| Ok(bad_form(&[(property.to_owned(), message)]));
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Ask<'a> {
        event_type: Option<String>,
        count: Option<u64>,
        #[serde(borrow)]
        payload: Option<&'a RawValue>,
    }
    // serde would read the fields from a JSON array too, in order.
    if body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return invalid("", "The body must be a JSON object.".into());
    }
    let ask: Ask<'_> =
        match serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(body)) {
            Ok(ask) => ask,
            Err(failure) => {
                // The property at fault when there is one (`count` for `"count": -1`).
                let property = failure.path().to_string();
                let property = if property == "." { "" } else { &property };
                return invalid(property, format!("{}.", failure.inner()));
            }
        };
    if let Some(payload) = ask.payload {
        if ask.event_type.is_some() || ask.count.is_some() {
            return invalid(
                "payload",
                "payload goes alone, without eventType or count.".into(),
            );
        }
        // Sent byte for byte, but read for its routing: a number past 64-bit floats cannot be.
        let value: Value = match serde_json::from_str(payload.get()) {
            Ok(value) => value,
            Err(failure) => {
                return invalid("payload", format!("The payload cannot be read: {failure}."));
            }
        };
        let Some(name) = value.get("eventType").and_then(Value::as_str) else {
            return invalid("payload", "The payload needs an eventType.".into());
        };
        // Routed by its event type, whatever spelling it uses; sent byte for byte.
        let name = EventType::lookup(name)
            .map_or(name, |(event, _)| event.name(Naming::Api))
            .to_owned();
        let made = Made {
            name,
            trace_id: value
                .get("traceId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body: payload.get().as_bytes().to_vec(),
            skip: None,
        };
        let summary = enqueue(shared, vec![made], None)?;
        return Ok(ok(&json!({ "events": summary })));
    }
    let event = match ask.event_type.as_deref() {
        None => None,
        Some(name) => match EventType::lookup(name) {
            Some((event, _)) => Some(event),
            None => {
                return invalid(
                    "eventType",
                    format!(
                        "Unknown event type '{name}': GET /api/v1/webhooks/eventtypes lists them."
                    ),
                );
            }
        },
    };
    let count = ask.count.unwrap_or(1);
    if !(1..=MAX_COUNT).contains(&count) {
        return invalid("count", format!("count must be from 1 to {MAX_COUNT}."));
    }
    let mut summary = Vec::new();
    let mut left = count;
    while left > 0 {
        let chunk = left.min(CHUNK);
        left -= chunk;
        let step = match event {
            None => Step::Story { count: chunk },
            Some(event) => Step::Of {
                event_type: event.name(Naming::Api).to_owned(),
                count: chunk,
            },
        };
        let (_, queued) = happen(shared, &step, None)?;
        summary.extend(queued);
    }
    Ok(ok(&json!({ "events": summary })))
}

/// Takes `step` in the world and queues the events it made (see [`record`]). The last event is
/// not queued for `test_of` (the webhook it is sent to as a test). Returns the events and the
/// summary of each.
fn happen(
    shared: &Arc<Shared>,
    step: &Step,
    test_of: Option<&str>,
) -> Result<(Vec<Envelope>, Vec<Value>), crate::store::StoreError> {
    let mut story = shared.lock_story();
    let at = Utc::now();
    let envelopes = story.take(step, Some(at));
    let queued = match record(shared, step, at, &envelopes, test_of) {
        Ok(queued) => queued,
        Err(failure) => {
            // Not journaled: the world goes back to what the journal tells (see `rewind`).
            shared.rewind(&mut story);
            return Err(failure);
        }
    };
    drop(story);
    Ok((envelopes, queued))
}

/// Queues `envelopes`, the events `step` made at the wall clock's time `at`, and appends `step`
/// (with `at`) to the journal in the same transaction. The caller holds the story's lock from the
/// step until this returns, so the journal's order is the world's. The last event is not queued
/// for `test_of`.
pub(crate) fn record(
    shared: &Arc<Shared>,
    step: &Step,
    at: DateTime<Utc>,
    envelopes: &[Envelope],
    test_of: Option<&str>,
) -> Result<Vec<Value>, crate::store::StoreError> {
    let last = envelopes.len().saturating_sub(1);
    let made = envelopes
        .iter()
        .enumerate()
        .map(|(index, envelope)| Made {
            name: envelope.event_type.as_str().to_owned(),
            trace_id: envelope.trace_id.clone(),
            body: serde_json::to_vec(envelope).unwrap_or_default(),
            skip: test_of.filter(|_| index == last).map(str::to_owned),
        })
        .collect();
    enqueue(shared, made, Some((step, at)))
}

/// Where an event goes: the webhooks that queue it, and the paused ones that drop it.
struct Route {
    to: Vec<String>,
    dropping: Vec<String>,
}

impl Route {
    /// The route of `event` among `webhooks`, as the policy for paused webhooks says.
    fn of(event: &Made, webhooks: &[WebhookRow], while_paused: WhilePaused) -> Route {
        let mut route = Route {
            to: Vec::new(),
            dropping: Vec::new(),
        };
        for webhook in webhooks.iter().filter(|webhook| {
            webhook.subscribes(&event.name) && event.skip.as_deref() != Some(webhook.id.as_str())
        }) {
            if webhook.is_active || while_paused == WhilePaused::Keep {
                route.to.push(webhook.id.clone());
            } else {
                route.dropping.push(webhook.id.clone());
            }
        }
        route
    }
}

/// Queues `made` for every webhook subscribed to each, as the policy for paused webhooks says,
/// and wakes their delivery tasks. Returns the summary of each event.
fn enqueue(
    shared: &Arc<Shared>,
    made: Vec<Made>,
    step: Option<(&Step, DateTime<Utc>)>,
) -> Result<Vec<Value>, crate::store::StoreError> {
    // What needs no store is made before taking it: deliveries wait for the store's lock
    // while a batch is queued.
    let labels: Vec<String> = made
        .iter()
        .map(|event| {
            format!(
                "{} {}",
                event.name,
                event.trace_id.as_deref().unwrap_or("-")
            )
        })
        .collect();
    let step = step.map(|(step, at)| {
        (
            serde_json::to_string(step).unwrap_or_default(),
            at.timestamp_nanos_opt().unwrap_or(i64::MAX),
        )
    });
    let journaled = step.as_ref().map(|(text, at_ns)| (text.as_str(), *at_ns));
    let mut store = shared.lock_store();
    let webhooks = store.webhooks()?;
    // Worked out once per event type (and webhook skipped), not per event: a batch of hundreds
    // of events has a few dozen types. Measured (serve, ten webhooks, one POST /sim/events of
    // 5,000 events): the lock was held 13-19 ms per 500 events when each event was routed (12 of
    // them queueing), 12-12.6 ms now.
    let mut routes: Vec<Route> = Vec::new();
    let mut known: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    let chosen: Vec<usize> = made
        .iter()
        .map(|event| {
            *known
                .entry((event.name.as_str(), event.skip.as_deref()))
                .or_insert_with(|| {
                    routes.push(Route::of(event, &webhooks, shared.while_paused));
                    routes.len() - 1
                })
        })
        .collect();
    let batch: Vec<Enqueue<'_>> = made
        .iter()
        .zip(&chosen)
        .zip(&labels)
        .map(|((event, &route), label)| Enqueue {
            label,
            body: &event.body,
            to: &routes[route].to,
            dropping: &routes[route].dropping,
        })
        .collect();
    let queued = store.enqueue(&batch, now_ms(), journaled)?;
    drop(store);
    let mut woken: Vec<&String> = routes.iter().flat_map(|route| &route.to).collect();
    woken.sort_unstable();
    woken.dedup();
    for id in woken {
        shared.wake(id);
    }
    // Queued, not subscribed: a webhook whose outbox is full (--outbox-cap) dropped the event.
    Ok(made
        .iter()
        .zip(queued)
        .map(|(event, webhooks)| {
            json!({"traceId": event.trace_id, "eventType": event.name, "webhooks": webhooks})
        })
        .collect())
}

/// How long `--rate`'s story waits after a step the store could not take.
const STORY_BACKOFF: Duration = Duration::from_secs(10);

/// The story making `rate` events a second on its own (`--rate`).
pub(crate) async fn tick(shared: Arc<Shared>, rate: u32) {
    let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        // A step the store cannot take (a full disk) is undone by replaying the journal, which
        // holds the world for a while: the story waits before trying again, rather than
        // replaying at its rate.
        if happen(&shared, &Step::Story { count: 1 }, None).is_err() {
            tokio::time::sleep(STORY_BACKOFF).await;
            interval.reset();
        }
    }
}

/// `POST /sim/webhooks/{id}/test`: one event of the first type the webhook subscribes to, sent
/// now, outside the outbox and the failure count; answers a `WebhookTestResult`.
pub(crate) async fn test(shared: &Arc<Shared>, id: &str) -> Handled {
    let Some(row) = shared.lock_store().webhook(id)? else {
        return Ok(not_found(id));
    };
    if names_serve(shared, &row).await {
        return Ok(ok(
            &json!({"isSuccessful": false, "reason": crate::guard::SELF_LOOP}),
        ));
    }
    let event = row
        .events
        .split(',')
        .find_map(|name| EventType::lookup(name).map(|(event, _)| event));
    // The event happens in the world, with what it needs first: the others (and the other
    // subscribed webhooks) hear of it as usual; this webhook gets it now, as the test.
    let step = match event {
        Some(event) => Step::Of {
            event_type: event.name(Naming::Api).to_owned(),
            count: 1,
        },
        None => Step::Story { count: 1 },
    };
    let (mut made, _) = happen(shared, &step, Some(id))?;
    let envelope = made.pop();
    let Some(envelope) = envelope else {
        return Ok(ok(
            &json!({"isSuccessful": false, "reason": "no event could be made"}),
        ));
    };
    let label = format!(
        "test {} {}",
        envelope.event_type.as_str(),
        envelope.trace_id.as_deref().unwrap_or("-")
    );
    let body = Bytes::from(serde_json::to_vec(&envelope).unwrap_or_default());
    send_now(shared, &row, &label, body).await
}

/// Sends `body` to the webhook now, outside its outbox and failure count, and records the
/// attempt as a log line; answers a `WebhookTestResult`.
async fn send_now(shared: &Shared, row: &WebhookRow, label: &str, body: Bytes) -> Handled {
    let transport = delivery::webhook_config(row, &shared.policy)
        .ok()
        .and_then(|config| HttpTransport::new(&config).ok());
    let Some(transport) = transport else {
        return Ok(ok(
            &json!({"isSuccessful": false, "reason": "the webhook's URI cannot be used"}),
        ));
    };
    let (_, mut log) = delivery::attempt(
        &transport,
        &shared.connections,
        &row.id,
        label,
        1,
        body.clone(),
        shared.policy.timeout,
    )
    .await;
    // Sent outside the outbox, the body is the log's own.
    log.message = Some(String::from_utf8_lossy(&body).into_owned());
    if !shared.lock_store().record_test(&log)? {
        // Deleted while the attempt was under way: it was sent, and there is no webhook left.
        return Ok(not_found(&row.id));
    }
    let mut result = json!({"isSuccessful": log.is_successful, "reason": log.reason});
    if let Some(code) = log.response_code {
        result["responseCode"] = code.into();
    }
    Ok(ok(&result))
}

/// Whether the webhook's URI resolves to serve itself (then nothing is sent to it).
async fn names_serve(shared: &Shared, row: &WebhookRow) -> bool {
    match WebhookUrl::parse(&row.uri) {
        Ok(uri) => shared.guard.resolves_to_self(&uri).await,
        Err(_) => false,
    }
}

/// `POST /sim/webhooks/{id}/logs/{seq}/resend`: the body of that log line sent again now, as a
/// new attempt outside the retry schedule and the failure count (Stripe's "Resend"), recorded as
/// a log line labelled `resend`; answers a `WebhookTestResult`.
pub(crate) async fn resend(shared: &Arc<Shared>, id: &str, seq: &str) -> Handled {
    let (row, log) = {
        let mut store = shared.lock_store();
        let Some(row) = store.webhook(id)? else {
            return Ok(not_found(id));
        };
        let log = match seq.parse::<i64>() {
            Ok(seq) => store.log(id, seq)?,
            Err(_) => None,
        };
        (row, log)
    };
    let Some(log) = log else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("The webhook has no log line {seq} (the oldest lines are removed)."),
            &[],
        ));
    };
    let Some(message) = log.message else {
        return Ok(error(
            StatusCode::CONFLICT,
            "nothing-to-resend",
            "This log line has no body: nothing was sent then, so there is nothing to send again.",
            &[],
        ));
    };
    if names_serve(shared, &row).await {
        return Ok(ok(
            &json!({"isSuccessful": false, "reason": crate::guard::SELF_LOOP}),
        ));
    }
    let event = log
        .label
        .strip_prefix("test ")
        .or_else(|| log.label.strip_prefix("resend "))
        .unwrap_or(&log.label);
    send_now(
        shared,
        &row,
        &format!("resend {event}"),
        Bytes::from(message),
    )
    .await
}

/// `POST /sim/webhooks/{id}/retry`: the next attempt of a retrying webhook now, outside the
/// retry schedule: the first event of its outbox becomes due and its delivery task is woken.
/// A paused webhook (Enable resumes it) and an empty outbox are a 409.
pub(crate) fn retry(shared: &Arc<Shared>, id: &str) -> Handled {
    let conflict = |description: &str| {
        Ok(error(
            StatusCode::CONFLICT,
            "nothing-to-retry",
            description,
            &[],
        ))
    };
    let store = shared.lock_store();
    let Some(row) = store.webhook(id)? else {
        return Ok(not_found(id));
    };
    if !row.is_active {
        return conflict("The webhook is paused: enable it to send its kept events.");
    }
    let now = now_ms();
    if !store.retry_now(id, now)? {
        return conflict("The webhook has no event waiting to be sent.");
    }
    drop(store);
    shared.wake(id);
    Ok(ok(&json!({"nextAttemptAt": time_text(now)})))
}

/// A time in milliseconds since the epoch as awork writes times.
fn time_text(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `GET /sim/status`: the semantics in force and, per webhook, its counts and how its delivery
/// goes: when it paused, when its next attempt is due, and its attempts per minute over the last
/// hour.
pub(crate) fn status(shared: &Shared) -> Handled {
    let mut store = shared.lock_store();
    let now = now_ms();
    let mut webhooks = Vec::new();
    for row in store.webhooks()? {
        let health = store.health(&row.id, now)?;
        let next = health.next_due_ms.filter(|_| row.is_active).map(time_text);
        let (delivered, failed): (Vec<u32>, Vec<u32>) = health.last_hour.into_iter().unzip();
        webhooks.push(json!({
            "id": row.id,
            "isActive": row.is_active,
            "pending": store.pending(&row.id)?,
            "delivered": row.delivered,
            "failed": row.failed,
            "dropped": row.dropped,
            "consecutiveFailures": row.consecutive_failures,
            "nextAttemptAt": next,
            "pausedAt": health.paused_on.filter(|_| !row.is_active),
            "lastHour": {
                "from": health.last_hour_from,
                "delivered": delivered,
                "failed": failed,
            },
        }));
    }
    drop(store);
    let policy = &shared.policy;
    let semantics = Semantics {
        timeout_ms: u64::try_from(policy.timeout.as_millis()).unwrap_or(u64::MAX),
        max_retries: policy.max_retries,
        retry_schedule: policy.retry_schedule.to_string(),
        pause_after: policy.pause_after,
        concurrency: 1,
        rate: None,
    };
    Ok(ok(&json!({
        "semantics": semantics.to_string(),
        "pauseAfter": policy.pause_after,
        "maxRetries": policy.max_retries,
        "whilePaused": shared.while_paused.as_str(),
        "whilePausedNote": while_paused_note(shared.while_paused),
        "webhooks": webhooks,
    })))
}

/// What the `--while-paused` mode means, without claiming what awork does.
pub fn while_paused_note(mode: WhilePaused) -> &'static str {
    match mode {
        WhilePaused::Keep => {
            "events that happen while a webhook is paused are kept and delivered in order when it \
             is enabled again (awork-sim's default; awork does not document this)"
        }
        WhilePaused::Drop => {
            "events that happen while a webhook is paused are dropped and counted (--while-paused \
             drop; awork does not document this): a receiver must reconcile through the API"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A step the journal could not take (a full disk) leaves the world as the journal tells it:
    /// what the story makes next is what a start on the same folder would make next, not what
    /// follows the refused events.
    #[tokio::test]
    async fn a_step_the_journal_refused_leaves_no_trace_in_the_world() {
        let data =
            std::env::temp_dir().join(format!("awork-workspace-rewind-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let server = crate::Server::bind(
            crate::Config::new(data.clone()),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let shared = server.shared();
        let story = Step::Story { count: 3 };
        happen(shared, &story, None).unwrap();
        shared.lock_store().refuse_writes(true);
        assert!(happen(shared, &story, None).is_err());
        shared.lock_store().refuse_writes(false);
        let ids = |events: &[Envelope]| -> Vec<(String, String)> {
            events
                .iter()
                .map(|event| {
                    (
                        event.event_type.as_str().to_owned(),
                        event.entity_id.clone(),
                    )
                })
                .collect()
        };
        let mut from_journal = shared.origin.replay(&shared.lock_store()).unwrap();
        let expected = ids(&from_journal.take(&story, Some(Utc::now())));
        let (made, _) = happen(shared, &story, None).unwrap();
        assert_eq!(ids(&made), expected);
        drop(server);
        let _ = std::fs::remove_dir_all(&data);
    }

    #[test]
    fn subscriptions_take_the_api_names_only() {
        assert_eq!(
            subscriptions("task_added, task_updated,task_added").unwrap(),
            "task_added,task_updated"
        );
        assert!(
            subscriptions("task_created")
                .unwrap_err()
                .contains("task_created")
        );
        assert!(subscriptions("task_added,,").is_err());
    }

    #[test]
    fn the_receiver_type_is_slack_for_slack_s_incoming_webhooks_only() {
        for (uri, kind) in [
            ("https://hooks.slack.com/services/T000/B000/XXXX", "slack"),
            ("https://HOOKS.SLACK.COM/services/T000/B000/XXXX", "slack"),
            ("https://hooks.slack.com.example.org/services/x", "custom"),
            ("http://127.0.0.1:3000/hooks/awork", "custom"),
            ("not a url", "custom"),
        ] {
            assert_eq!(receiver_type(uri), kind, "{uri}");
        }
    }

    #[test]
    fn a_form_names_each_bad_property() {
        let invalid = parse_form(
            br#"{"name":"","uri":"ftp://x","events":"nope","isActive":"yes","authenticationType":"header","authentication":"x"}"#,
        )
        .err()
        .unwrap();
        let properties: Vec<&str> = invalid
            .iter()
            .map(|(property, _)| property.as_str())
            .collect();
        assert_eq!(
            properties,
            ["name", "uri", "events", "isActive", "authentication"]
        );
        let form = parse_form(
            br#"{"name":"n","uri":"http://127.0.0.1:1/","events":"task_added","isActive":true,"authenticationType":"header","authentication":"X-Key=s3cret"}"#,
        )
        .ok()
        .unwrap();
        assert_eq!(
            form.auth,
            Some(("X-Key".to_owned(), Some("s3cret".to_owned())))
        );
    }

    #[test]
    fn paging_starts_at_one() {
        assert_eq!(paging(""), (0, 50));
        assert_eq!(paging("page=3&pageSize=10"), (20, 10));
        assert_eq!(paging("page=0&pagesize=5000"), (0, 1000));
    }

    #[test]
    fn ids_are_version_4_uuids() {
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
