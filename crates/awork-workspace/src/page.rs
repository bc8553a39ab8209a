//! The settings page at `/`: awork's Settings > Integrations > Webhooks, served by the binary as
//! an HTML file, its stylesheet (`/page.css`) and a little plain JavaScript (`/page.js`): no build
//! step, nothing fetched from the web, and nothing inline, so its Content-Security-Policy allows
//! scripts and styles from serve only, and denies framing (against clickjacking). The page talks to the same API an integration uses (`/api/v1/webhooks…`) and to
//! awork-sim's `/sim/` paths; it never receives a webhook's auth value, only its header name.
//!
//! The only thing rendered on the server is the list of event types, grouped by entity.

use awork_models::{EntityType, EventType, Naming};
use axum::body::Body;
use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderValue, Response};
use serde_json::{Value, json};

const HTML: &str = include_str!("page.html");
const STYLESHEET: &str = include_str!("page.css");
const TEMPLATE: &str = include_str!("page.js");
/// Where the script takes the event types.
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

/// What serve's page may load and where it may be shown: from serve only, in no frame.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
    img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page's icon: a webhook's hook on awork's blue.
const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">\
<rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#3255e5\"/>\
<path d=\"M8 3v6a2.5 2.5 0 1 1-2.5-2.5\" fill=\"none\" stroke=\"#fff\" stroke-width=\"1.6\" stroke-linecap=\"round\"/></svg>";

/// The page's files by path: the HTML at `/` (and `/index.html`), its stylesheet, script and icon.
pub(crate) fn asset(path: &str) -> Option<Response<Body>> {
    let (body, content_type) = match path {
        "/" | "/index.html" => (
            Bytes::from_static(HTML.as_bytes()),
            "text/html; charset=utf-8",
        ),
        "/page.css" => (
            Bytes::from_static(STYLESHEET.as_bytes()),
            "text/css; charset=utf-8",
        ),
        "/page.js" => (
            Bytes::from(TEMPLATE.replacen(SLOT, &event_groups().to_string(), 1)),
            "text/javascript; charset=utf-8",
        ),
        // The page's icon, so that browsers do not ask for a `/favicon.ico` that is not there.
        "/favicon.svg" => (Bytes::from_static(ICON.as_bytes()), "image/svg+xml"),
        _ => return None,
    };
    let mut answer = Response::new(Body::from(body));
    let headers = answer.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Some(answer)
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

    #[test]
    fn the_page_has_nothing_inline_and_denies_framing() {
        assert!(!HTML.contains("<script>") && !HTML.contains("<style"));
        assert!(!HTML.contains(" style=") && !HTML.contains(" onclick="));
        let page = asset("/").unwrap();
        assert_eq!(page.headers()[X_FRAME_OPTIONS], "DENY");
        let policy = page.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(asset("/page.js").is_some() && asset("/nope").is_none());
    }
}
