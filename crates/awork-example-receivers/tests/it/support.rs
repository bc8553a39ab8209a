//! What the tests share: an HTTP client (hyper-util's legacy client), requests whose body can be
//! held open to keep them in flight, the fixtures, and bounded polling.

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;

use awork_models::AworkDateTime;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::channel::{Channel, Sender};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::task::JoinHandle;

/// The request body type of the client: a whole body, or one the test sends piece by piece.
type Body = BoxBody<Bytes, Infallible>;

/// An HTTP/1.1 client.
#[derive(Clone)]
pub struct Client(LegacyClient<HttpConnector, Body>);

/// An answer, read to the end.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Client {
    pub fn new() -> Self {
        Self(LegacyClient::builder(TokioExecutor::new()).build_http())
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.0.request(request).await.expect("the receiver answers");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("the answer's body arrives");
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&body.to_bytes()).into_owned(),
        }
    }

    /// POSTs `body` to `url` with these headers.
    pub async fn post_with(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Answer {
        self.send(request(
            Method::POST,
            url,
            headers,
            Full::new(body.into()).boxed(),
        ))
        .await
    }

    /// POSTs `body` to `url`.
    pub async fn post(&self, url: &str, body: impl Into<Bytes>) -> Answer {
        self.post_with(url, &[], body).await
    }

    /// Starts a POST to `url` whose body the test sends through the returned sender; the request
    /// stays in flight until the sender sends the rest and is dropped.
    pub fn post_held(&self, url: &str) -> (Sender<Bytes>, JoinHandle<Answer>) {
        let (sender, body) = Channel::<Bytes, Infallible>::new(4);
        let request = request(Method::POST, url, &[], body.boxed());
        let client = self.clone();
        (
            sender,
            tokio::spawn(async move { client.send(request).await }),
        )
    }
}

/// A request with a JSON content type.
pub fn request(method: Method, url: &str, headers: &[(&str, &str)], body: Body) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body).expect("the request is valid")
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The fixture `name` (without `.json`), byte for byte.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(format!("{name}.json")))
        .unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

/// The fixture `name` as JSON, to change before sending.
pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("fixtures are JSON")
}

/// Every fixture, as (file name, contents), sorted by name.
pub fn all_fixtures() -> Vec<(String, String)> {
    let mut fixtures: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("the fixtures directory is readable")
        .map(|entry| entry.expect("the fixtures directory is readable").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .map(|path| {
            let name = path
                .file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("fixtures are readable");
            (name, text)
        })
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 30, "{} fixtures", fixtures.len());
    fixtures
}

/// JSON as bytes to send.
pub fn body(value: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("JSON serializes"))
}

/// `event` with every date-time rewritten as Python 3.10's `fromisoformat` reads it: 6 fractional
/// digits and `+00:00` (local date-times keep having no offset).
pub fn python_friendly(event: &Value) -> Value {
    match event {
        Value::String(text) => match text.parse::<AworkDateTime>() {
            Ok(date_time) => {
                let offset = if date_time.to_utc().is_some() {
                    "+00:00"
                } else {
                    ""
                };
                let naive = date_time.naive().format("%Y-%m-%dT%H:%M:%S%.6f");
                Value::String(format!("{naive}{offset}"))
            }
            Err(_) => event.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(python_friendly).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), python_friendly(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Waits until `condition` holds, polling; panics naming `what` after 10 s.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
