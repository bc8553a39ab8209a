//! The engine against real receivers on 127.0.0.1, with real time, short schedules and short
//! timeouts: what a receiver sees, and how each kind of failure is classified and retried.

use std::net::SocketAddr;
use std::time::Duration;

use awork_delivery::receiver::{Behaviour, Receiver, Reply};
use awork_delivery::{
    AttemptOutcome, AuthHeader, Decision, Event, JsonLinesWriter, RetrySchedule, Webhook,
    WebhookConfig, WebhookState,
};

use crate::support::events;

const WAIT: Duration = Duration::from_secs(10);

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A fast schedule for real-time tests: 10 ms between retries, 2 s timeout.
fn config(url: &str) -> WebhookConfig {
    WebhookConfig::new(url)
        .unwrap()
        .with_retry_schedule(RetrySchedule::Schedule(vec![Duration::from_millis(10)]))
        .with_timeout(Duration::from_secs(2))
}

async fn receiver(behaviour: Behaviour) -> Receiver {
    Receiver::start(local(), behaviour).await.unwrap()
}

#[tokio::test]
async fn always_500_makes_11_attempts_fails_and_pauses() {
    let receiver = receiver(Behaviour::status(500)).await;
    let mut webhook = Webhook::new(config(&receiver.url())).unwrap();
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!(run.report.attempts, 11);
    assert_eq!(run.report.failed, 1);
    assert_eq!(run.report.webhook, WebhookState::Paused);
    assert_eq!(receiver.request_count(), 11);
    assert_eq!(log.last().unwrap().decision, Decision::GiveUp);
    assert_eq!(
        serde_json::to_value(run.report).unwrap(),
        serde_json::json!({"events":1,"delivered":0,"failed":1,"pending":0,"attempts":11,"webhook":"paused"})
    );
}

#[tokio::test]
async fn three_failures_then_200_delivers_on_the_fourth_attempt() {
    let receiver = receiver(Behaviour::fail_first(3, 500)).await;
    let mut webhook = Webhook::new(config(&receiver.url())).unwrap();
    let run = webhook.deliver(events(1), &mut ()).await;
    assert_eq!((run.report.attempts, run.report.delivered), (4, 1));
    assert_eq!(run.report.webhook, WebhookState::Active);
}

#[tokio::test]
async fn ten_failures_then_success_is_not_more_than_ten() {
    let receiver = receiver(Behaviour::fail_first(10, 503)).await;
    let mut webhook = Webhook::new(config(&receiver.url())).unwrap();
    let run = webhook.deliver(events(1), &mut ()).await;
    assert_eq!((run.report.attempts, run.report.delivered), (11, 1));
    assert_eq!(run.report.webhook, WebhookState::Active);
}

#[tokio::test]
async fn the_pause_counts_failures_across_events_and_keeps_the_rest_pending() {
    let receiver = receiver(Behaviour::status(500)).await;
    let mut webhook = Webhook::new(config(&receiver.url()).with_max_retries(2)).unwrap();
    let run = webhook.deliver(events(5), &mut ()).await;
    let report = run.report;
    assert_eq!(
        (
            report.delivered,
            report.failed,
            report.pending,
            report.attempts
        ),
        (0, 3, 2, 11)
    );
    assert_eq!(report.webhook, WebhookState::Paused);
    // Event 4 was attempted twice; event 5 was never taken from the iterator.
    assert_eq!(run.pending, [(3, "e3".to_owned(), 2)]);
    assert_eq!(run.untouched, 4..5);
    let bodies: Vec<_> = receiver.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 11);
    assert_eq!(bodies.iter().filter(|b| *b == r#"{"n":3}"#).count(), 2);
    assert!(
        !bodies.iter().any(|b| b == r#"{"n":4}"#),
        "event 5 was never attempted"
    );
}

#[tokio::test]
async fn a_slow_receiver_is_cut_at_the_timeout() {
    let receiver = receiver(Behaviour::status(200).with_delay(Duration::from_millis(1500))).await;
    let config = config(&receiver.url())
        .with_timeout(Duration::from_millis(200))
        .with_max_retries(1);
    let mut webhook = Webhook::new(config).unwrap();
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!(run.report.failed, 1);
    assert_eq!(log.len(), 2);
    for record in &log {
        assert_eq!(record.outcome, AttemptOutcome::Timeout);
        assert!(
            record.latency >= Duration::from_millis(200),
            "{:?}",
            record.latency
        );
        assert!(
            record.latency < Duration::from_millis(1000),
            "{:?}",
            record.latency
        );
    }
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_never_followed() {
    let target = receiver(Behaviour::status(200)).await;
    let redirecting = receiver(Behaviour::always(Reply::Redirect(target.url()))).await;
    let mut webhook = Webhook::new(config(&redirecting.url()).with_max_retries(1)).unwrap();
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!((run.report.failed, run.report.attempts), (1, 2));
    match &log[0].outcome {
        AttemptOutcome::Status { code, location, .. } => {
            assert_eq!(code.as_u16(), 307);
            assert_eq!(location.as_deref(), Some(target.url().as_str()));
        }
        other => panic!("expected a 307, got {other:?}"),
    }
    assert!(
        log[0]
            .to_json_line()
            .contains(r#""status":307,"location":"http://"#)
    );
    assert_eq!(target.request_count(), 0);
}

#[tokio::test]
async fn a_reset_connection_is_a_failure_and_is_retried() {
    let receiver = receiver(Behaviour::status(200).with_script([Reply::Reset, Reply::Reset])).await;
    let mut webhook = Webhook::new(config(&receiver.url())).unwrap();
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!((run.report.delivered, run.report.attempts), (1, 3));
    assert_eq!(log[0].outcome, AttemptOutcome::ConnectionReset);
    assert_eq!(log[1].outcome, AttemptOutcome::ConnectionReset);
    assert!(log[2].outcome.is_success());
}

#[tokio::test]
async fn a_refused_connection_is_a_failure_and_is_retried() {
    let listener = std::net::TcpListener::bind(local()).unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut webhook =
        Webhook::new(config(&format!("http://127.0.0.1:{port}/")).with_max_retries(2)).unwrap();
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!((run.report.failed, run.report.attempts), (1, 3));
    assert!(
        log.iter()
            .all(|r| r.outcome == AttemptOutcome::ConnectionRefused),
        "{log:?}"
    );
    assert!(
        log[0]
            .to_json_line()
            .contains(r#""error":"connection_refused""#)
    );
}

#[tokio::test]
async fn requests_carry_the_auth_header_content_type_and_exact_bytes() {
    let auth = AuthHeader::parse("X-Webhook-Secret: s3cr3t-value").unwrap();
    let behaviour = Behaviour::status(200).with_auth(auth.name().clone(), auth.value().clone());
    let receiver = receiver(behaviour).await;
    let body = "{\"type\":\"task_created\",\n \"unicode\":\"\u{e9}\"}  ";
    let mut webhook = Webhook::new(config(&receiver.url()).with_auth(auth)).unwrap();
    let run = webhook
        .deliver([Event::new("a", body), Event::new("b", "[]")], &mut ())
        .await;
    assert_eq!(run.report.delivered, 2);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, http::Method::POST);
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(request.headers["x-webhook-secret"], "s3cr3t-value");
    }
    assert_eq!(requests[0].body, body.as_bytes());
    assert_eq!(requests[1].body, "[]");
}

#[tokio::test]
async fn a_wrong_auth_header_gets_401() {
    let receiver = receiver(
        Behaviour::status(200).with_auth("x-key".parse().unwrap(), "right".parse().unwrap()),
    )
    .await;
    let config = config(&receiver.url())
        .with_auth(AuthHeader::parse("X-Key: wrong").unwrap())
        .with_max_retries(0);
    let mut log = Vec::new();
    let run = Webhook::new(config)
        .unwrap()
        .deliver(events(1), &mut log)
        .await;
    assert_eq!(run.report.failed, 1);
    assert_eq!(log[0].outcome, AttemptOutcome::status(401));
}

#[tokio::test]
async fn concurrency_one_keeps_order_through_retries() {
    let receiver = receiver(Behaviour::status(200).with_fail_rate(0.3, 500, 7)).await;
    let mut webhook = Webhook::new(config(&receiver.url())).unwrap();
    let run = webhook.deliver(events(30), &mut ()).await;
    assert_eq!(run.report.delivered, 30);
    assert!(
        run.report.attempts > 30,
        "the seeded failure rate produced no retry"
    );
    // Strict order: every request for event n comes before any request for event n + 1.
    let order: Vec<_> = receiver.requests().into_iter().map(|r| r.body).collect();
    let mut deduped = order.clone();
    deduped.dedup();
    let expected: Vec<_> = events(30).map(|e| e.body).collect();
    assert_eq!(deduped, expected);
}

#[tokio::test]
async fn concurrency_n_delivers_every_event() {
    let receiver = receiver(Behaviour::status(200).with_delay(Duration::from_millis(20))).await;
    let mut webhook = Webhook::new(config(&receiver.url()).with_concurrency(8)).unwrap();
    let run = webhook.deliver(events(64), &mut ()).await;
    assert_eq!((run.report.delivered, run.report.attempts), (64, 64));
    let mut bodies: Vec<_> = receiver.requests().into_iter().map(|r| r.body).collect();
    bodies.sort();
    let mut expected: Vec<_> = events(64).map(|e| e.body).collect();
    expected.sort();
    assert_eq!(bodies, expected);
}

#[tokio::test]
async fn enabling_a_paused_webhook_delivers_its_pending_events() {
    let receiver = receiver(Behaviour::status(500)).await;
    // More retries than the pause threshold, so the first event is still pending when it pauses.
    let mut webhook = Webhook::new(config(&receiver.url()).with_max_retries(20)).unwrap();
    let run = webhook.deliver(events(3), &mut ()).await;
    assert_eq!(
        (run.report.pending, run.report.webhook),
        (3, WebhookState::Paused)
    );
    receiver.set_behaviour(Behaviour::status(200));
    webhook.enable();
    let run = webhook.resume(&mut ()).await;
    assert_eq!((run.report.delivered, run.report.pending), (3, 0));
    assert_eq!(run.report.webhook, WebhookState::Active);
    let last: Vec<_> = receiver
        .requests()
        .into_iter()
        .rev()
        .take(3)
        .map(|r| r.body)
        .collect();
    assert_eq!(last, [r#"{"n":2}"#, r#"{"n":1}"#, r#"{"n":0}"#]);
}

#[tokio::test]
async fn the_auth_value_never_appears_in_debug_or_the_log() {
    let receiver = receiver(Behaviour::fail_first(2, 500)).await;
    let config = config(&receiver.url())
        .with_auth(AuthHeader::parse("Authorization: Bearer tok-987").unwrap());
    assert!(!format!("{config:?}").contains("tok-987"));
    let mut webhook = Webhook::new(config).unwrap();
    assert!(!format!("{webhook:?}").contains("tok-987"));
    let mut writer = JsonLinesWriter::new(Vec::new());
    let run = webhook.deliver(events(2), &mut writer).await;
    assert_eq!(run.report.delivered, 2);
    let log = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_eq!(log.lines().count(), 4);
    assert!(!log.contains("tok-987"));
    for line in log.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in [
            "event",
            "label",
            "attempt",
            "latency_ms",
            "time",
            "decision",
        ] {
            assert!(value.get(key).is_some(), "{key} missing in {line}");
        }
    }
    // The receiver did get it.
    receiver.wait_for_requests(4, WAIT).await.unwrap();
    assert_eq!(
        receiver.requests()[0].headers["authorization"],
        "Bearer tok-987"
    );
}

#[tokio::test]
async fn wait_for_requests_is_bounded() {
    let receiver = receiver(Behaviour::status(200)).await;
    let error = receiver
        .wait_for_requests(1, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!((error.wanted, error.received), (1, 0));
    receiver.shutdown().await;
}
