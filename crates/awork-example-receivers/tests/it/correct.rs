//! The correct receiver: it accepts every genuine event quickly, refuses forged and oversized
//! requests, ignores redeliveries, and serves requests concurrently.

use awork_example_receivers::{ReceiverOptions, RunningReceiver, spawn_correct};
use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use serde_json::json;

use crate::support::{Client, all_fixtures, body, fixture, fixture_json, request, wait_until};

const AUTH: (&str, &str) = ("X-Awork-Token", "s3cret-token-value");

async fn receiver() -> RunningReceiver {
    spawn_correct(ReceiverOptions::default())
        .await
        .expect("the receiver starts")
}

async fn receiver_with_auth() -> RunningReceiver {
    spawn_correct(ReceiverOptions {
        auth: Some((AUTH.0.to_owned(), AUTH.1.to_owned())),
        ..ReceiverOptions::default()
    })
    .await
    .expect("the receiver starts")
}

#[tokio::test]
async fn serves_the_webhook_path_on_the_bound_address() {
    let receiver = receiver().await;
    assert!(receiver.addr().ip().is_loopback());
    assert_ne!(receiver.addr().port(), 0);
    assert_eq!(
        receiver.url(),
        format!("http://127.0.0.1:{}/webhooks/awork", receiver.addr().port())
    );
}

#[tokio::test]
async fn accepts_every_fixture_and_processes_it_after_answering() {
    let receiver = receiver().await;
    let client = Client::new();
    let fixtures = all_fixtures();
    for (name, text) in &fixtures {
        let answer = client.post(&receiver.url(), text.clone()).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{name}: {answer:?}");
    }
    let count = u64::try_from(fixtures.len()).expect("a small count");
    assert_eq!(receiver.accepted(), count);
    wait_until("every fixture is processed", || {
        receiver.processed() == count
    })
    .await;
}

#[tokio::test]
async fn requires_the_auth_header_with_its_exact_value() {
    let receiver = receiver_with_auth().await;
    let client = Client::new();
    let url = receiver.url();
    let event = fixture("task_changed");

    let missing = client.post(&url, event.clone()).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "{missing:?}");
    assert!(!missing.body.contains(AUTH.1), "{missing:?}");

    for wrong in [
        "s3cret-token-valuf",
        "s3cret",
        "s3cret-token-value-and-more",
        "",
    ] {
        let answer = client
            .post_with(&url, &[(AUTH.0, wrong)], event.clone())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{wrong:?}: {answer:?}"
        );
    }
    // Header names are case-insensitive; the value is not.
    let answer = client
        .post_with(
            &url,
            &[("x-awork-token", "S3CRET-TOKEN-VALUE")],
            event.clone(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer:?}");
    assert_eq!(receiver.accepted(), 0);

    let right = client
        .post_with(&url, &[("x-awork-token", AUTH.1)], event)
        .await;
    assert_eq!(right.status, StatusCode::ACCEPTED, "{right:?}");
    assert_eq!(receiver.accepted(), 1);
}

#[tokio::test]
async fn never_shows_the_auth_value_in_debug_output() {
    let options = ReceiverOptions {
        auth: Some((AUTH.0.to_owned(), AUTH.1.to_owned())),
        ..ReceiverOptions::default()
    };
    let shown = format!("{options:?}");
    assert!(shown.contains(AUTH.0), "{shown}");
    assert!(!shown.contains(AUTH.1), "{shown}");
}

#[tokio::test]
async fn refuses_an_invalid_auth_header_at_start() {
    let options = ReceiverOptions {
        auth: Some(("Bad Name".to_owned(), "value".to_owned())),
        ..ReceiverOptions::default()
    };
    let error = spawn_correct(options)
        .await
        .expect_err("a header name has no spaces");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn refuses_bodies_above_one_mib_with_413_and_accepts_large_events() {
    let receiver = receiver().await;
    let client = Client::new();

    // Just above the limit, and far above it: the client gets the 413 either way, not a reset.
    for size in [1024 * 1024 + 1, 3 * 1024 * 1024] {
        let answer = client.post(&receiver.url(), vec![b' '; size]).await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{size}: {answer:?}"
        );
    }

    // About 300 KiB: a long description and many members, as real events can have.
    let mut event = fixture_json("project_changed");
    event["entity"]["description"] = json!("A long description. ".repeat(10_000));
    let member = event["entity"]["members"][0].clone();
    event["entity"]["members"] = json!(vec![member; 300]);
    let large = body(&event);
    assert!(large.len() > 256 * 1024, "{} bytes", large.len());
    let answer = client.post(&receiver.url(), large).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
}

#[tokio::test]
async fn acknowledges_a_redelivery_without_processing_it_again() {
    let receiver = receiver().await;
    let client = Client::new();
    let event = fixture("task_changed");

    let first = client.post(&receiver.url(), event.clone()).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{first:?}");
    let again = client.post(&receiver.url(), event).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body.trim(), "already received");
    assert_eq!(receiver.accepted(), 1);

    // Without a traceId, the body itself identifies the delivery.
    let mut untraced = fixture_json("task_status_changed");
    untraced
        .as_object_mut()
        .expect("an object")
        .remove("traceId");
    for expected in [StatusCode::ACCEPTED, StatusCode::OK] {
        let answer = client.post(&receiver.url(), body(&untraced)).await;
        assert_eq!(answer.status, expected, "{answer:?}");
    }
    assert_eq!(receiver.accepted(), 2);
    wait_until("both events are processed", || receiver.processed() == 2).await;
}

#[tokio::test]
async fn accepts_unknown_event_types_unknown_properties_and_other_spellings() {
    let receiver = receiver().await;
    let client = Client::new();

    let mut unknown_type = fixture_json("project_added");
    unknown_type["eventType"] = json!("workspace_added");
    unknown_type["entityType"] = json!("workspace");
    unknown_type["traceId"] = json!("00000000000000000000000000000001");

    let mut unknown_properties = fixture_json("task_changed");
    unknown_properties["deliveryAttempt"] = json!(3);
    unknown_properties["entity"]["aiSummary"] = json!({"text": "new in 2030"});

    let mut api_spelling = fixture_json("time_tracking_added");
    api_spelling["eventType"] = json!("timetracking_added");

    let mut short_timestamps = fixture_json("client_added");
    short_timestamps["timestamp"] = json!("2025-06-23T11:43:54Z");
    short_timestamps["entity"]["createdOn"] = json!("2025-06-23T11:43:54.123+00:00");

    for event in [
        unknown_type,
        unknown_properties,
        api_spelling,
        short_timestamps,
    ] {
        let answer = client.post(&receiver.url(), body(&event)).await;
        assert_eq!(
            answer.status,
            StatusCode::ACCEPTED,
            "{answer:?} for {event}"
        );
    }
}

#[tokio::test]
async fn accepts_events_about_entities_it_has_not_seen_added() {
    let receiver = receiver().await;
    let client = Client::new();
    // A change and a deletion of a task whose addition has not arrived (yet).
    for name in ["task_changed", "project_task_deleted", "project_task_added"] {
        let answer = client.post(&receiver.url(), fixture(name)).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{name}: {answer:?}");
    }
}

#[tokio::test]
async fn refuses_what_is_not_an_awork_event_with_400() {
    let receiver = receiver().await;
    let client = Client::new();
    let mut no_entity = fixture_json("task_changed");
    no_entity
        .as_object_mut()
        .expect("an object")
        .remove("entity");
    for (bad, reason) in [
        (Bytes::from_static(b"not json"), "not JSON"),
        (Bytes::from_static(b"[1, 2]"), "not a JSON object"),
        (Bytes::from_static(b"{}"), "missing"),
        (body(&no_entity), "entity"),
    ] {
        let answer = client.post(&receiver.url(), bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
        assert!(answer.body.contains(reason), "{reason:?} in {answer:?}");
    }
    assert_eq!(receiver.accepted(), 0);
}

#[tokio::test]
async fn answers_404_elsewhere_and_405_to_other_methods() {
    let receiver = receiver().await;
    let client = Client::new();
    let elsewhere = format!("http://{}/webhooks/other", receiver.addr());
    for body in [fixture("task_changed"), " ".repeat(900 * 1024)] {
        let answer = client.post(&elsewhere, body).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{answer:?}");
    }

    let get = request(Method::GET, &receiver.url(), &[], Empty::new().boxed());
    let answer = client.send(get).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{answer:?}");
    assert_eq!(answer.headers["allow"], "POST");
}

#[tokio::test]
async fn answers_a_request_while_another_is_still_in_flight() {
    let receiver = receiver().await;
    let client = Client::new();
    let first_event = fixture("task_changed");
    let (first_half, second_half) = first_event.split_at(first_event.len() / 2);

    // The first request has sent only half its body: it is in flight until the rest comes.
    let (mut held, first) = client.post_held(&receiver.url());
    held.send_data(Bytes::copy_from_slice(first_half.as_bytes()))
        .await
        .expect("the body is being sent");
    wait_until("the first request arrives", || receiver.received() == 1).await;

    // A second request is answered meanwhile: the receiver does not serve one at a time.
    let second = client.post(&receiver.url(), fixture("project_added")).await;
    assert_eq!(second.status, StatusCode::ACCEPTED, "{second:?}");
    assert!(
        !first.is_finished(),
        "the first request cannot be answered yet"
    );

    held.send_data(Bytes::copy_from_slice(second_half.as_bytes()))
        .await
        .expect("the body is being sent");
    drop(held);
    let first = first.await.expect("the first request ends");
    assert_eq!(first.status, StatusCode::ACCEPTED, "{first:?}");
}

#[tokio::test]
async fn shuts_down_with_idle_keep_alive_connections_open() {
    let receiver = receiver().await;
    let client = Client::new();
    for (name, text) in all_fixtures().into_iter().take(10) {
        let answer = client.post(&receiver.url(), text).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{name}: {answer:?}");
    }
    // The client's pool still holds its connection open; shutdown closes it instead of waiting
    // for it, and returns once the worker has processed the ten events.
    receiver.shutdown().await;
    drop(client);
}
