//! `awork-sim serve` as a child process against real receivers on 127.0.0.1: awork's webhook API
//! called as awork's n8n node calls it, every response checked against awork's OpenAPI schemas
//! (with only declared properties), delivery to subscribed webhooks, the pause, `kill -9` and the
//! resume with nothing lost, the API key, and the settings page driven in a headless Chromium
//! through WebDriver (skipped, saying so, when Chromium or chromedriver is absent).
//!
//! HTTP calls, WebDriver's included, go through hyper's client (`hyper-util`'s legacy client over
//! plain HTTP). Effects are awaited by polling the API or the receiver with a bounded deadline.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use awork_delivery::receiver::{Behaviour, Receiver};
use awork_openapi::OpenApi;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::support::{awork_sim, check_usage_errors, workspace_root};

/// How long any awaited effect may take.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// A fresh data folder in the temporary directory, removed when dropped.
pub(crate) struct DataDir(PathBuf);

impl std::ops::Deref for DataDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn data_dir(name: &str) -> DataDir {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "awork-sim-it-{}-{}-serve-{name}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    DataDir(dir)
}

/// A running `awork-sim serve`, killed with SIGKILL when dropped.
pub(crate) struct Serve {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Serve {
    pub(crate) fn start(data: &Path, args: &[&str]) -> Serve {
        let child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .args(["serve", "--port", "0", "--data"])
            .arg(data)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("awork-sim starts");
        Serve::adopt(child)
    }

    /// A serve started otherwise (its stdout piped), once it says where it listens.
    pub(crate) fn adopt(mut child: Child) -> Serve {
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .expect("serve prints a line")
            .expect("stdout is UTF-8");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line names the URL: {first:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{first}");
        // The rest of stdout is read away so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Serve { child, url }
    }

    /// `kill -9`: no chance to clean up.
    pub(crate) fn kill(mut self) {
        self.child.kill().expect("the server can be killed");
        self.child.wait().expect("the server ends");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP client over hyper, with the runtime the receivers run on.
pub(crate) struct Http {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) client: Client<HttpConnector, Full<Bytes>>,
}

/// An answer: the status and the body as JSON (`Null` when empty).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) headers: http::HeaderMap,
}

impl Http {
    pub(crate) fn new() -> Http {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime starts");
        let client = Client::builder(TokioExecutor::new()).build_http();
        Http { runtime, client }
    }

    pub(crate) fn call(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut headers = vec![("content-type", "application/json".to_owned())];
        if let Some(token) = token {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        self.call_with(method, url, &headers, body)
    }

    /// A call with a body given as text, byte for byte.
    pub(crate) fn call_raw(&self, method: &str, url: &str, token: &str, body: &str) -> Answer {
        let request = http::Request::builder()
            .method(method)
            .uri(url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("a valid request");
        self.send(request)
    }

    /// A call with these headers (a `host` among them replaces the URL's).
    pub(crate) fn call_with(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Option<&Value>,
    ) -> Answer {
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let body = body.map_or_else(Bytes::new, |body| Bytes::from(body.to_string()));
        let request = request.body(Full::new(body)).expect("a valid request");
        self.send(request)
    }

    fn send(&self, request: http::Request<Full<Bytes>>) -> Answer {
        let (method, url) = (request.method().clone(), request.uri().clone());
        self.runtime.block_on(async {
            let response = tokio::time::timeout(DEADLINE, self.client.request(request))
                .await
                .unwrap_or_else(|_| panic!("{method} {url} answers in time"))
                .unwrap_or_else(|error| panic!("{method} {url}: {error}"));
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("the body arrives")
                .to_bytes();
            let body = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            };
            Answer {
                status,
                body,
                headers,
            }
        })
    }

    /// A call to the workspace with the bearer token of the tests.
    pub(crate) fn api(
        &self,
        serve: &Serve,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        self.call(
            method,
            &format!("{}{path}", serve.url),
            Some("test-token"),
            body,
        )
    }

    pub(crate) fn receiver(&self, behaviour: Behaviour) -> Receiver {
        self.runtime
            .block_on(Receiver::start("127.0.0.1:0".parse().unwrap(), behaviour))
            .expect("the receiver starts")
    }

    #[track_caller]
    pub(crate) fn wait_for_requests(&self, receiver: &Receiver, n: usize) {
        self.runtime
            .block_on(receiver.wait_for_requests(n, DEADLINE))
            .unwrap_or_else(|timeout| panic!("{timeout}"));
    }
}

/// Polls `probe` until it gives a value, at most [`DEADLINE`].
#[track_caller]
pub(crate) fn wait_until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks `value` against awork's schema `name`: the project's checker, and no property the
/// schema does not declare (`additionalProperties: false`), at any depth.
#[track_caller]
pub(crate) fn conforms(api: &OpenApi, name: &str, value: &Value) {
    static DOCUMENT: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
        serde_json::from_str(
            &std::fs::read_to_string(workspace_root().join("spec/openapi.json")).unwrap(),
        )
        .unwrap()
    });
    let violations = api.check(name, value);
    assert!(violations.is_empty(), "{name}: {violations:?}\n{value:#}");
    declared_only(
        &DOCUMENT,
        &DOCUMENT["components"]["schemas"][name],
        value,
        name,
    );
}

fn declared_only(document: &Value, schema: &Value, value: &Value, path: &str) {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            &document["components"]["schemas"][reference.rsplit('/').next().unwrap()]
        }
        None => schema,
    };
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                let declared = &schema["properties"][key];
                assert!(
                    !declared.is_null(),
                    "{path}.{key} is not declared by awork's schema"
                );
                declared_only(document, declared, inner, &format!("{path}.{key}"));
            }
        }
        Value::Array(items) => {
            for item in items {
                declared_only(document, &schema["items"], item, path);
            }
        }
        _ => {}
    }
}

/// What awork's n8n trigger node sends on activation (`Content-Type: application/json`).
pub(crate) fn n8n_form(uri: &str, events: &str) -> Value {
    json!({"name": format!("n8n: My workflow - {events}"), "uri": uri, "events": events,
        "isActive": true, "authenticationType": "none"})
}

#[test]
fn the_n8n_nodes_calls_succeed_and_every_answer_fits_awork_schemas() {
    let api = OpenApi::load();
    let http = Http::new();
    let data = data_dir("n8n");
    let serve = Serve::start(&data, &[]);

    // The credential check.
    let me = http.api(&serve, "GET", "/api/v1/users/me", None);
    assert_eq!(me.status, 200, "{me:?}");
    conforms(&api, "UserAndWorkspace", &me.body);
    assert!(
        me.body["workspace"]["url"]
            .as_str()
            .unwrap()
            .ends_with(".awork.com")
    );

    // Activation.
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form(
            "http://127.0.0.1:9/n8n",
            "task_added,project_added",
        )),
    );
    assert_eq!(created.status, 200, "{created:?}");
    conforms(&api, "WebhookConfig", &created.body);
    assert_eq!(created.body["events"], "task_added,project_added");
    assert_eq!(created.body["isActive"], true);
    let id = created.body["id"].as_str().unwrap().to_owned();

    // Does it still exist?
    let read = http.api(&serve, "GET", &format!("/api/v1/webhooks/{id}"), None);
    assert_eq!(read.status, 200);
    conforms(&api, "WebhookConfig", &read.body);
    assert_eq!(read.body, created.body);

    let listed = http.api(&serve, "GET", "/api/v1/webhooks?page=1&pageSize=10", None);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    conforms(&api, "WebhookConfig", &listed.body[0]);
    let beyond = http.api(&serve, "GET", "/api/v1/webhooks?page=2&pageSize=10", None);
    assert_eq!(beyond.body, json!([]));
    // awork's list conventions, as on every list of its API.
    let mut second = n8n_form("http://127.0.0.1:9/zapier", "task_added");
    second["name"] = "Zapier".into();
    let second = http.api(&serve, "POST", "/api/v1/webhooks", Some(&second));
    assert_eq!(second.status, 200, "{second:?}");
    let names = |answer: &Answer| -> Vec<String> {
        let items = answer
            .body
            .as_array()
            .unwrap_or_else(|| panic!("{answer:?}"));
        items
            .iter()
            .map(|hook| hook["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = http.api(&serve, "GET", "/api/v1/webhooks", None);
    let first_name = names(&all)[0].clone();
    assert_eq!(
        names(&all),
        [first_name.as_str(), "Zapier"],
        "creation order"
    );
    let found = http.api(
        &serve,
        "GET",
        "/api/v1/webhooks?filterby=name%20eq%20'zapier'",
        None,
    );
    assert_eq!(names(&found), ["Zapier"]);
    assert_eq!(found.headers["aw-totalitems"], "1");
    let paged = http.api(&serve, "GET", "/api/v1/webhooks?pageSize=1&page=2", None);
    assert_eq!(names(&paged), ["Zapier"]);
    assert_eq!(paged.headers["aw-totalitems"], "2");
    assert_eq!(paged.headers["aw-page"], "2");
    let ordered = http.api(&serve, "GET", "/api/v1/webhooks?orderby=name%20desc", None);
    assert_eq!(names(&ordered), ["Zapier", first_name.as_str()]);
    for bad in ["filterby=bogus%20eq%201", "filterby=((", "orderby=bogus"] {
        let refused = http.api(&serve, "GET", &format!("/api/v1/webhooks?{bad}"), None);
        assert_eq!(refused.status, 400, "{bad}: {refused:?}");
        assert_eq!(refused.body["code"], "invalid-filter-or-order", "{bad}");
    }
    let logs_filtered = http.api(
        &serve,
        "GET",
        &format!("/api/v1/webhooks/{id}/logs?filterby=isSuccessful%20eq%20false"),
        None,
    );
    assert_eq!(logs_filtered.status, 200, "{logs_filtered:?}");
    assert_eq!(logs_filtered.headers["aw-totalitems"], "0");
    let refused = http.api(
        &serve,
        "GET",
        &format!("/api/v1/webhooks/{id}/logs?orderby=x"),
        None,
    );
    assert_eq!(refused.body["code"], "invalid-filter-or-order");
    let refused = http.api(
        &serve,
        "GET",
        &format!("/sim/webhooks/{id}/logs?outcome=bogus"),
        None,
    );
    assert_eq!(refused.status, 400, "{refused:?}");
    let second_id = second.body["id"].as_str().unwrap();
    http.api(
        &serve,
        "DELETE",
        &format!("/api/v1/webhooks/{second_id}"),
        None,
    );

    let types = http.api(&serve, "GET", "/api/v1/webhooks/eventtypes", None);
    assert_eq!(types.status, 200);
    assert_eq!(types.body.as_array().unwrap().len(), 35);
    assert!(
        types
            .body
            .as_array()
            .unwrap()
            .contains(&json!("tasklist_added"))
    );

    let mut form = n8n_form("http://127.0.0.1:9/n8n", "task_added");
    form["authenticationType"] = "header".into();
    form["authentication"] = "X-Key=s3cret".into();
    let updated = http.api(
        &serve,
        "PUT",
        &format!("/api/v1/webhooks/{id}"),
        Some(&form),
    );
    assert_eq!(updated.status, 200, "{updated:?}");
    conforms(&api, "WebhookConfig", &updated.body);
    // The auth value is never shown back.
    assert_eq!(updated.body["authentication"], "X-Key=***");
    assert!(!updated.body.to_string().contains("s3cret"));
    // The masked value keeps the stored one for the same header name, in any case; another name
    // needs its value.
    for (authentication, status) in [("x-key=***", 200), ("Y-Key=***", 400)] {
        form["authentication"] = authentication.into();
        let again = http.api(
            &serve,
            "PUT",
            &format!("/api/v1/webhooks/{id}"),
            Some(&form),
        );
        assert_eq!(again.status, status, "{authentication}: {again:?}");
    }

    let logs = http.api(&serve, "GET", &format!("/api/v1/webhooks/{id}/logs"), None);
    assert_eq!((logs.status, logs.body.clone()), (200, json!([])));

    // Bad forms: one validation error per bad property.
    let bad = json!({"name": "", "uri": "not a url", "events": "task_added,nope", "isActive": true,
        "authenticationType": "header", "authentication": "no-equals-sign"});
    let refused = http.api(&serve, "POST", "/api/v1/webhooks", Some(&bad));
    assert_eq!(refused.status, 400, "{refused:?}");
    conforms(&api, "ErrorResponse", &refused.body);
    let properties: Vec<&str> = refused.body["validationErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["property"].as_str().unwrap())
        .collect();
    // awork's code and .NET's PascalCase property names, as the rest of the API answers.
    assert_eq!(refused.body["code"], "validation-failed");
    assert_eq!(properties, ["Name", "Uri", "Events", "Authentication"]);
    let empty_events = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form("http://127.0.0.1:9/", "")),
    );
    assert_eq!(empty_events.status, 400);
    assert_eq!(
        empty_events.body["validationErrors"][0]["property"],
        "Events"
    );

    // Deactivation, then the existence check says gone.
    let deleted = http.api(&serve, "DELETE", &format!("/api/v1/webhooks/{id}"), None);
    assert_eq!((deleted.status, deleted.body), (204, Value::Null));
    let gone = http.api(&serve, "GET", &format!("/api/v1/webhooks/{id}"), None);
    assert_eq!(gone.status, 404);
    conforms(&api, "ErrorResponse", &gone.body);
    let again = http.api(&serve, "DELETE", &format!("/api/v1/webhooks/{id}"), None);
    assert_eq!(again.status, 404);
    conforms(&api, "ErrorResponse", &again.body);
}

#[test]
fn events_reach_subscribed_webhooks_under_their_name_with_the_auth_header() {
    let api = OpenApi::load();
    let http = Http::new();
    let receiver = http.receiver(Behaviour::status(200));
    let data = data_dir("events");
    let serve = Serve::start(&data, &[]);
    let mut form = n8n_form(&receiver.url(), "task_added");
    form["authenticationType"] = "header".into();
    form["authentication"] = "X-Key=s3cret".into();
    let created = http.api(&serve, "POST", "/api/v1/webhooks", Some(&form));
    let id = created.body["id"].as_str().unwrap().to_owned();

    // Not subscribed: made, sent to no webhook. Then two subscribed ones, delivered in order after
    // it, so had it been queued it would have arrived first.
    let unsubscribed = http.api(
        &serve,
        "POST",
        "/sim/events",
        Some(&json!({"eventType": "project_added"})),
    );
    assert_eq!(unsubscribed.status, 200, "{unsubscribed:?}");
    assert_eq!(unsubscribed.body["events"][0]["webhooks"], 0);
    // A request it cannot make: 400, naming the property at fault, and nothing made.
    for (ask, property) in [
        (json!({"count": -1}), "Count"),
        (json!({"count": 0}), "Count"),
        (json!({"eventType": "task_addd"}), "EventType"),
        (json!({"cont": 3}), "Cont"),
        // serde alone would read an array as the fields in order.
        (json!(["task_added", 3, null]), ""),
    ] {
        let refused = http.api(&serve, "POST", "/sim/events", Some(&ask));
        assert_eq!(refused.status, 400, "{ask}: {refused:?}");
        assert_eq!(refused.body["code"], "validation-failed", "{ask}");
        assert_eq!(
            refused.body["validationErrors"][0]["property"], property,
            "{ask}: {refused:?}"
        );
    }
    let made = http.api(
        &serve,
        "POST",
        "/sim/events",
        Some(&json!({"eventType": "task_added", "count": 2})),
    );
    let traces: Vec<&str> = made.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["traceId"].as_str().unwrap())
        .collect();
    assert_eq!(traces.len(), 2);

    http.wait_for_requests(&receiver, 2);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    for (request, trace) in requests.iter().zip(&traces) {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["eventType"], "task_added");
        assert_eq!(body["traceId"], *trace);
        assert_eq!(request.headers["x-key"], "s3cret");
        assert_eq!(request.headers["content-type"], "application/json");
    }

    // An exact envelope goes byte for byte.
    let payload =
        r#"{"eventType":"task_added","traceId":"exact-1","entity":{"id":"x"},  "extra":1.50}"#;
    let exact = format!(r#"{{"payload": {payload}}}"#);
    let answered = http.runtime.block_on(async {
        let request = http::Request::post(format!("{}/sim/events", serve.url))
            .header("authorization", "Bearer t")
            .body(Full::new(Bytes::from(exact)))
            .unwrap();
        http.client.request(request).await.unwrap().status()
    });
    assert_eq!(answered, 200);
    http.wait_for_requests(&receiver, 3);
    assert_eq!(receiver.requests()[2].body, payload.as_bytes());

    // Each attempt is a WebhookLog, newest first.
    let logs = wait_until("three log rows", || {
        let logs = http.api(&serve, "GET", &format!("/api/v1/webhooks/{id}/logs"), None);
        (logs.body.as_array().map(Vec::len) == Some(3)).then_some(logs.body)
    });
    for log in logs.as_array().unwrap() {
        conforms(&api, "WebhookLog", log);
        assert_eq!(log["isSuccessful"], true);
        assert_eq!(log["responseCode"], 200);
    }
    assert_eq!(logs[0]["message"], payload);
    let paged = http.api(
        &serve,
        "GET",
        &format!("/api/v1/webhooks/{id}/logs?page=2&pageSize=2"),
        None,
    );
    assert_eq!(paged.body.as_array().unwrap().len(), 1);
    assert!(
        paged.body[0]["message"]
            .as_str()
            .unwrap()
            .contains(traces[0])
    );

    // The test event: sent now, answered as a WebhookTestResult.
    let tested = http.api(&serve, "POST", &format!("/sim/webhooks/{id}/test"), None);
    assert_eq!(tested.status, 200);
    conforms(&api, "WebhookTestResult", &tested.body);
    assert_eq!(tested.body["isSuccessful"], true);
    http.wait_for_requests(&receiver, 4);
}

#[test]
fn a_failing_receiver_pauses_the_webhook_and_a_kill_9_loses_nothing() {
    let http = Http::new();
    let receiver = http.receiver(Behaviour::status(500));
    let data = data_dir("pause");
    // More retries than the pause threshold, so the paused event is kept rather than failed.
    let options = ["--retry-schedule", "10ms", "--max-retries", "20"];
    let serve = Serve::start(&data, &options);
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form(&receiver.url(), "task_added,task_updated")),
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/webhooks/{id}");
    let mut traces: Vec<String> = Vec::new();
    let mut make = |http: &Http, serve: &Serve, count: u64| {
        let made = http.api(
            serve,
            "POST",
            "/sim/events",
            Some(&json!({"eventType": "task_added", "count": count})),
        );
        // What the task needs first (a project) is announced too, to webhooks subscribed to it.
        for event in made.body["events"].as_array().unwrap() {
            if event["eventType"] == "task_added" {
                traces.push(event["traceId"].as_str().unwrap().to_owned());
            }
        }
    };
    make(&http, &serve, 3);

    let paused = wait_until("the pause", || {
        let read = http.api(&serve, "GET", &path, None);
        (read.body["isActive"] == false).then_some(read.body)
    });
    let reason = paused["lastFailureReason"].as_str().unwrap();
    assert!(
        reason.contains("11 consecutive failed attempts"),
        "{reason}"
    );
    assert!(reason.contains("500"), "{reason}");
    let logs = http.api(&serve, "GET", &format!("{path}/logs?pageSize=100"), None);
    let logs = logs.body.as_array().unwrap().clone();
    assert_eq!(logs.len(), 11);
    assert!(
        logs.iter()
            .all(|log| log["isSuccessful"] == false && log["responseCode"] == 500)
    );
    assert_eq!(receiver.request_count(), 11);

    // Kept while paused, then the server dies without a chance to clean up.
    make(&http, &serve, 2);
    serve.kill();
    receiver.set_behaviour(Behaviour::status(200));
    let serve = Serve::start(&data, &options);
    let read = http.api(&serve, "GET", &path, None);
    assert_eq!(
        read.body["isActive"], false,
        "the pause survives the restart"
    );
    let status = http.api(&serve, "GET", "/sim/status", None);
    assert_eq!(status.body["webhooks"][0]["pending"], 5, "{status:?}");
    assert_eq!(receiver.request_count(), 11, "nothing is sent while paused");

    // Enabled as an integration does it: PUT the webhook back with isActive true.
    let mut form = read.body.clone();
    form["isActive"] = true.into();
    for key in [
        "id",
        "receiverType",
        "lastFailureReason",
        "createdOn",
        "createdBy",
        "updatedOn",
        "updatedBy",
    ] {
        form.as_object_mut().unwrap().remove(key);
    }
    let enabled = http.api(&serve, "PUT", &path, Some(&form));
    assert_eq!(enabled.status, 200, "{enabled:?}");
    http.wait_for_requests(&receiver, 16);
    let delivered: Vec<String> = receiver.requests()[11..]
        .iter()
        .map(|request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            body["traceId"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(delivered, traces, "every event arrives, in order");
    wait_until("an empty outbox", || {
        let status = http.api(&serve, "GET", "/sim/status", None);
        (status.body["webhooks"][0]["pending"] == 0 && status.body["webhooks"][0]["delivered"] == 5)
            .then_some(())
    });
}

#[test]
fn an_attempt_in_flight_at_a_crash_is_made_again() {
    let http = Http::new();
    // The first attempt hangs until the server is killed.
    let receiver = http.receiver(Behaviour::status(200).with_delay(Duration::from_secs(600)));
    let data = data_dir("in-flight");
    let serve = Serve::start(&data, &["--timeout", "10m"]);
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form(&receiver.url(), "task_added")),
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    http.api(
        &serve,
        "POST",
        "/sim/events",
        Some(&json!({"eventType": "task_added"})),
    );
    http.wait_for_requests(&receiver, 1);
    serve.kill();
    receiver.set_behaviour(Behaviour::status(200));
    let serve = Serve::start(&data, &[]);
    http.wait_for_requests(&receiver, 2);
    let requests = receiver.requests();
    assert_eq!(requests[0].body, requests[1].body, "the same event, again");
    let logs = wait_until("the log of the second attempt", || {
        let logs = http.api(&serve, "GET", &format!("/api/v1/webhooks/{id}/logs"), None);
        (logs.body.as_array().map(Vec::len) == Some(1)).then_some(logs.body)
    });
    assert_eq!(logs[0]["isSuccessful"], true);
}

#[test]
fn while_paused_drop_counts_the_events_it_does_not_keep() {
    let http = Http::new();
    let receiver = http.receiver(Behaviour::status(500));
    let options = [
        "--while-paused",
        "drop",
        "--pause-after",
        "0",
        "--max-retries",
        "5",
    ];
    let data = data_dir("drop");
    let serve = Serve::start(&data, &options);
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form(&receiver.url(), "task_added")),
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    let make = || {
        http.api(
            &serve,
            "POST",
            "/sim/events",
            Some(&json!({"eventType": "task_added"})),
        )
    };
    make();
    // The first failed attempt goes above 0 and pauses the webhook; that event is kept.
    wait_until("the pause", || {
        let read = http.api(&serve, "GET", &format!("/api/v1/webhooks/{id}"), None);
        (read.body["isActive"] == false).then_some(())
    });
    let dropped = make();
    assert_eq!(dropped.body["events"][0]["webhooks"], 0, "{dropped:?}");
    make();
    let status = http.api(&serve, "GET", "/sim/status", None);
    assert_eq!(status.body["whilePaused"], "drop");
    let counts = &status.body["webhooks"][0];
    assert_eq!(
        (counts["pending"].clone(), counts["dropped"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(receiver.request_count(), 1);
}

#[test]
fn with_rate_the_story_makes_events_on_its_own() {
    let http = Http::new();
    let receiver = http.receiver(Behaviour::status(200));
    let data = data_dir("rate");
    let serve = Serve::start(&data, &["--rate", "50"]);
    let all = http.api(&serve, "GET", "/api/v1/webhooks/eventtypes", None);
    let names: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form(&receiver.url(), &names.join(","))),
    );
    http.wait_for_requests(&receiver, 3);
    for request in receiver.requests() {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert!(
            names.contains(&body["eventType"].as_str().unwrap()),
            "{body}"
        );
    }
}

#[test]
fn with_an_api_key_any_other_token_gets_401_and_changes_nothing() {
    let api = OpenApi::load();
    let http = Http::new();
    let data = data_dir("api-key");
    let serve = Serve::start(&data, &["--api-key", "k-123"]);
    let form = n8n_form("http://127.0.0.1:9/", "task_added");
    let url = format!("{}/api/v1/webhooks", serve.url);
    for token in [None, Some("wrong"), Some("k-1234"), Some("")] {
        let refused = http.call("POST", &url, token, Some(&form));
        assert_eq!(refused.status, 401, "{token:?}");
        conforms(&api, "ErrorResponse", &refused.body);
        let made = http.call(
            "POST",
            &format!("{}/sim/events", serve.url),
            token,
            Some(&json!({})),
        );
        assert_eq!(made.status, 401, "{token:?}");
    }
    let listed = http.call("GET", &url, Some("k-123"), None);
    assert_eq!((listed.status, listed.body), (200, json!([])));
    let me = http.call(
        "GET",
        &format!("{}/api/v1/users/me", serve.url),
        Some("k-123"),
        None,
    );
    assert_eq!(me.status, 200);
}

#[test]
fn a_second_server_on_the_same_data_exits_2() {
    let data = data_dir("twice");
    let _first = Serve::start(&data, &[]);
    let data_arg = data.0.to_str().unwrap();
    let second = awork_sim(&["serve", "--port", "0", "--data", data_arg], "");
    assert_eq!(second.code, Some(2), "{second:?}");
    assert_eq!(second.stdout, "");
    assert!(
        second.stderr.contains("in use by another awork-sim serve"),
        "{}",
        second.stderr
    );
    assert_eq!(second.stderr.lines().count(), 1, "{}", second.stderr);
}

#[test]
fn bad_options_exit_2_with_one_line() {
    check_usage_errors(
        "serve",
        vec![
            (vec!["--host", "not-an-ip"], "--host not-an-ip"),
            (vec!["--timeout", "5 parsecs"], "--timeout"),
            (vec!["--retry-schedule", "1m,,2m"], "--retry-schedule"),
            (vec!["--api-key", " "], "--api-key"),
            (vec!["--while-paused", "sometimes"], "sometimes"),
            (
                vec!["--api-rate-limit", "fast"],
                "--api-rate-limit `fast` is not a limit",
            ),
            (vec!["--api-rate-limit", "0/s"], "--api-rate-limit `0/s`"),
        ],
    );
}

/// A program on the PATH.
pub(crate) fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A WebDriver session of chromedriver, ended (and chromedriver killed) when dropped.
pub(crate) struct Browser<'a> {
    http: &'a Http,
    driver: Child,
    base: String,
}

/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl<'a> Browser<'a> {
    pub(crate) fn start(http: &'a Http, chromedriver: &Path, chromium: &Path) -> Browser<'a> {
        Browser::start_with(http, chromedriver, chromium, &[])
    }

    /// A browser started with these command-line arguments besides the usual ones.
    pub(crate) fn start_with(
        http: &'a Http,
        chromedriver: &Path,
        chromium: &Path,
        extra: &[&str],
    ) -> Browser<'a> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let root = format!("http://127.0.0.1:{port}");
        let mut browser = Browser {
            http,
            driver,
            base: String::new(),
        };
        wait_until("chromedriver", || {
            let ready = http.runtime.block_on(async {
                let request = http::Request::get(format!("{root}/status"))
                    .body(Full::new(Bytes::new()))
                    .unwrap();
                http.client.request(request).await.is_ok()
            });
            ready.then_some(())
        });
        let usual = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ];
        let args = [usual.as_slice(), extra].concat();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
            },
        }}});
        let session = http.call(
            "POST",
            &format!("{root}/session"),
            None,
            Some(&capabilities),
        );
        assert_eq!(session.status, 200, "{session:?}");
        let id = session.body["value"]["sessionId"].as_str().unwrap();
        browser.base = format!("{root}/session/{id}");
        browser
    }

    pub(crate) fn command(&self, method: &str, path: &str, body: &Value) -> Answer {
        let body = (method == "POST").then_some(body);
        self.http
            .call(method, &format!("{}{path}", self.base), None, body)
    }

    pub(crate) fn open(&self, url: &str) {
        let answer = self.command("POST", "/url", &json!({"url": url}));
        assert_eq!(answer.status, 200, "{answer:?}");
    }

    /// The elements matching `css`, as WebDriver ids.
    pub(crate) fn find_all(&self, css: &str) -> Vec<String> {
        let answer = self.command(
            "POST",
            "/elements",
            &json!({"using": "css selector", "value": css}),
        );
        answer.body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|element| element[ELEMENT].as_str().map(str::to_owned))
            .collect()
    }

    /// Runs `act` on the first element matching `css`, again while the page is re-rendering it.
    #[track_caller]
    pub(crate) fn on(&self, css: &str, act: impl Fn(&str) -> Answer) {
        wait_until(css, || {
            let element = self.find_all(css).into_iter().next()?;
            (act(&element).status == 200).then_some(())
        });
    }

    pub(crate) fn click(&self, css: &str) {
        self.on(css, |element| {
            self.command("POST", &format!("/element/{element}/click"), &json!({}))
        });
    }

    pub(crate) fn type_into(&self, css: &str, text: &str) {
        self.on(css, |element| {
            self.command(
                "POST",
                &format!("/element/{element}/value"),
                &json!({"text": text}),
            )
        });
    }

    /// The text of the elements matching `css`.
    pub(crate) fn texts(&self, css: &str) -> Vec<String> {
        self.find_all(css)
            .iter()
            .filter_map(|element| {
                let answer = self.command("GET", &format!("/element/{element}/text"), &json!({}));
                answer.body["value"].as_str().map(str::to_owned)
            })
            .collect()
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        if !self.base.is_empty() {
            let _ = self.command("DELETE", "", &Value::Null);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// chromedriver and Chromium for the browser test `test`, or `None` after saying on stderr that
/// it is skipped for want of them.
pub(crate) fn browser_tools(test: &str) -> Option<(PathBuf, PathBuf)> {
    let chromedriver = on_path(&["chromedriver"]);
    let chromium = on_path(&["chromium", "chromium-browser"]);
    let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) else {
        // Written to stderr directly, past the test harness's capture, so that it shows.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: chromium and chromedriver are not on the PATH (Debian: apt-get \
             install chromium chromium-driver; .ci/run installs them)"
        );
        return None;
    };
    Some((chromedriver, chromium))
}

#[test]
fn the_settings_page_adds_a_webhook_shows_its_log_and_enables_a_paused_one_in_chromium() {
    let Some((chromedriver, chromium)) = browser_tools(
        "the_settings_page_adds_a_webhook_shows_its_log_and_enables_a_paused_one_in_chromium",
    ) else {
        return;
    };
    let http = Http::new();
    let receiver = http.receiver(Behaviour::status(200));
    let failing = http.receiver(Behaviour::status(500));
    let options = [
        "--pause-after",
        "0",
        "--max-retries",
        "5",
        "--retry-schedule",
        "10ms",
    ];
    let data = data_dir("page");
    let serve = Serve::start(&data, &options);
    let browser = Browser::start(&http, &chromedriver, &chromium);
    browser.open(&format!("{}/", serve.url));

    browser.type_into("#name", "Page hook");
    browser.type_into("#uri", &receiver.url());
    browser.type_into("#auth-name", "X-Key");
    browser.type_into("#auth-value", "page-secret");
    browser.click("input[name=event][value=task_added]");
    browser.click("#save");
    wait_until("the new webhook's row", || {
        browser
            .texts(".webhook")
            .iter()
            .any(|text| text.contains("Page hook") && text.contains("Active"))
            .then_some(())
    });
    let listed = http.api(&serve, "GET", "/api/v1/webhooks", None);
    assert_eq!(listed.body[0]["events"], "task_added");
    assert_eq!(listed.body[0]["authentication"], "X-Key=***");
    assert!(
        !browser.texts("body").concat().contains("page-secret"),
        "the auth value is never shown back"
    );

    browser.click("#event-type option[value=task_added]");
    browser.click("#make-event");
    http.wait_for_requests(&receiver, 1);
    assert_eq!(receiver.requests()[0].headers["x-key"], "page-secret");
    browser.click(".webhook button.logs");
    wait_until("the log row", || {
        browser
            .texts("tr.log-row")
            .iter()
            .any(|text| text.contains("task_added") && text.contains("200"))
            .then_some(())
    });

    // A webhook whose receiver fails pauses at once here (--pause-after 0); Enable resumes it.
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&n8n_form(&failing.url(), "project_added")),
    );
    let row = format!(
        "article.webhook[data-id='{}']",
        created.body["id"].as_str().unwrap()
    );
    http.api(
        &serve,
        "POST",
        "/sim/events",
        Some(&json!({"eventType": "project_added"})),
    );
    wait_until("the paused row", || {
        browser
            .texts(&row)
            .iter()
            .any(|text| text.contains("Paused") && text.contains("the receiver answered 500"))
            .then_some(())
    });
    failing.set_behaviour(Behaviour::status(200));
    browser.click(&format!("{row} button.enable"));
    http.wait_for_requests(&failing, 2);
    wait_until("the active row", || {
        browser
            .texts(&row)
            .iter()
            .any(|text| text.contains("Active") && text.contains("1 delivered"))
            .then_some(())
    });
}

/// Every event name the workspace registers, comma-separated, as a webhook subscribes to all.
pub(crate) fn all_event_names(http: &Http, serve: &Serve) -> String {
    let names = http
        .api(serve, "GET", "/api/v1/webhooks/eventtypes", None)
        .body;
    names
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(",")
}

/// A workspace keeps the seed it was made with: a restart without `--seed` is the same world, and
/// another seed is refused (its journal replays on its own story only), where it swapped worlds.
#[test]
fn a_workspace_keeps_its_seed_and_refuses_another() {
    let http = Http::new();
    let data = data_dir("seed");
    let serve = Serve::start(&data, &["--seed", "7"]);
    let me = http.api(&serve, "GET", "/api/v1/users/me", None);
    assert_eq!(me.status, 200, "{me:?}");
    serve.kill();

    let refused = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(["serve", "--port", "0", "--seed", "8", "--data"])
        .arg(&*data)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "error: --seed 8: the workspace in {} was made with --seed 7,",
            data.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(refused.stdout.is_empty());

    for args in [&[][..], &["--seed", "7"][..]] {
        let again = Serve::start(&data, args);
        let same = http.api(&again, "GET", "/api/v1/users/me", None);
        assert_eq!(same.body, me.body, "{args:?}");
        again.kill();
    }
}

/// A stop (SIGTERM) lets a request under way be answered before serve exits: a client whose
/// `POST /sim/events` was cut off would not know its events were queued, and one that retried
/// would make them twice. The request is half sent (serve reading its body) when the signal
/// comes, and finished after serve said it is stopping.
#[test]
fn a_stop_answers_the_request_under_way_before_serve_exits() {
    use std::io::Read;
    let data = data_dir("stop-answers");
    // Its stderr piped, to read that it is stopping.
    let mut serve = Serve::adopt(
        Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .args(["serve", "--port", "0", "--data"])
            .arg(&*data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let address = serve.url.strip_prefix("http://").unwrap().to_owned();
    let body = br#"{"count": 2}"#;
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /sim/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer test-token\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .unwrap();
    // serve reads the body once it asks for it: the request is under way.
    let mut continued = [0u8; 25];
    stream.read_exact(&mut continued).unwrap();
    assert_eq!(&continued, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(&body[..5]).unwrap();
    stream.flush().unwrap();
    let signalled = Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let mut stderr = BufReader::new(serve.child.stderr.take().unwrap()).lines();
    let said = stderr.next().unwrap().unwrap();
    assert!(said.starts_with("SIGTERM: stopping"), "{said}");
    stream.write_all(&body[5..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let events: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(events["events"].as_array().unwrap().len(), 2, "{events}");
    assert_eq!(serve.child.wait().unwrap().code(), Some(143));
}

/// The page names its icon (browsers otherwise ask for a `/favicon.ico` that is not there, an
/// error in every console), and a payload whose number no float holds is refused by name.
#[test]
fn the_page_has_an_icon_and_an_unreadable_payload_says_why() {
    let http = Http::new();
    let data = data_dir("icon");
    let serve = Serve::start(&data, &[]);
    let page = http.call("GET", &format!("{}/", serve.url), None, None);
    assert!(
        page.body
            .as_str()
            .unwrap()
            .contains(r#"<link rel="icon" href="/favicon.svg""#)
    );
    let icon = http.call("GET", &format!("{}/favicon.svg", serve.url), None, None);
    assert_eq!(icon.status, 200);
    assert_eq!(icon.headers["content-type"], "image/svg+xml");
    let refused = http.call_with(
        "POST",
        &format!("{}/sim/events", serve.url),
        &[
            ("authorization", "Bearer test-token".to_owned()),
            ("content-type", "application/json".to_owned()),
        ],
        None,
    );
    assert_eq!(refused.status, 400, "no body: {refused:?}");
    let raw = r#"{"payload": {"eventType": "task_added", "x": 1e400}}"#;
    let answer = http.call_raw(
        "POST",
        &format!("{}/sim/events", serve.url),
        "test-token",
        raw,
    );
    assert_eq!(answer.status, 400, "{answer:?}");
    let said = answer.body["validationErrors"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        said.starts_with("The payload cannot be read: number out of range"),
        "{said}"
    );
}
