//! The settings page at `/`: awork's Settings > Integrations > Webhooks, served by the binary as
//! one HTML file with its CSS and a little plain JavaScript (no build step, nothing fetched from
//! the web). The page talks to the same API an integration uses (`/api/v1/webhooks…`) and to
//! awork-sim's `/sim/` paths; it never receives a webhook's auth value, only its header name.
//!
//! The only thing rendered on the server is the list of event types, grouped by entity.

use awork_models::{EntityType, EventType, Naming};
use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Response};
use http_body_util::Full;
use serde_json::{Value, json};

const TEMPLATE: &str = include_str!("page.html");
/// Where the template takes the event types.
const SLOT: &str = "/*EVENT_GROUPS*/[]";

/// `[{"entity": "task", "events": ["task_added", …]}, …]`, in awork-models' order.
fn event_groups() -> Value {
    let mut groups: Vec<(EntityType, Vec<&str>)> = Vec::new();
    for event in EventType::API {
        let entity = event.entity_type();
        let name = event.name(Naming::Api);
        match groups.iter_mut().find(|(known, _)| *known == entity) {
            Some((_, names)) => names.push(name),
            None => groups.push((entity, vec![name])),
        }
    }
    groups
        .into_iter()
        .map(|(entity, events)| json!({"entity": entity.as_str(), "events": events}))
        .collect()
}

/// The page, as an HTTP answer.
pub(crate) fn answer() -> Response<Full<Bytes>> {
    let html = TEMPLATE.replacen(SLOT, &event_groups().to_string(), 1);
    let mut answer = Response::new(Full::new(Bytes::from(html)));
    let headers = answer.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_every_event_type_once() {
        assert!(TEMPLATE.contains(SLOT));
        let groups = event_groups();
        let names: Vec<&str> = groups
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|group| group["events"].as_array().unwrap())
            .map(|name| name.as_str().unwrap())
            .collect();
        assert_eq!(names.len(), EventType::API.len());
        assert!(names.contains(&"task_added"));
    }
}
