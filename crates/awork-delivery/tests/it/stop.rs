//! A stop ([`Webhook::deliver_until`]) under a paused clock with a fake transport: nothing starts
//! after it, the attempts on the wire finish, and every other event is pending, counted exactly.

use std::time::Duration;

use awork_delivery::{AttemptOutcome, AttemptRecord, Webhook, WebhookConfig, WebhookState};

use crate::support::{FakeTransport, events};

#[tokio::test(start_paused = true)]
async fn a_stop_lets_the_attempt_on_the_wire_finish_and_keeps_the_rest_pending() {
    // One attempt at a time, each taking 1 s: the stop at 2.5 s falls during the third.
    let config = WebhookConfig::new("http://fake.invalid/hook").unwrap();
    let mut webhook = Webhook::with_transport(config, FakeTransport::slow(Duration::from_secs(1)));
    let mut log: Vec<AttemptRecord> = Vec::new();
    let stop = tokio::time::sleep(Duration::from_millis(2_500));
    let run = webhook.deliver_until(events(10), &mut log, stop).await;
    assert_eq!(
        (
            run.report.events,
            run.report.delivered,
            run.report.pending,
            run.report.attempts
        ),
        (10, 3, 7, 3)
    );
    assert_eq!(run.report.webhook, WebhookState::Active);
    assert_eq!(run.untouched, 3..10);
    assert_eq!(log.len(), 3);
    assert_eq!(webhook.transport().calls.lock().unwrap().len(), 3);

    // The pending events are the next run's, in order.
    let rest = webhook.resume(&mut log).await;
    assert_eq!((rest.report.events, rest.report.delivered), (7, 7));
    assert_eq!(log.last().map(|record| record.event), Some(9));
}

#[tokio::test(start_paused = true)]
async fn a_stop_ends_the_deliveries_waiting_for_their_retry() {
    // Every attempt fails at once and waits 1 h for its retry; the stop comes during the wait.
    let config = WebhookConfig::new("http://fake.invalid/hook")
        .unwrap()
        .with_concurrency(2)
        .with_retry_schedule("1h".parse().unwrap());
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(503)));
    let started = tokio::time::Instant::now();
    let stop = tokio::time::sleep(Duration::from_secs(60));
    let run = webhook.deliver_until(events(5), &mut (), stop).await;
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(60),
        "no retry waited for"
    );
    assert_eq!((run.report.attempts, run.report.pending), (2, 5));
    assert_eq!(
        run.pending,
        [(0, "e0".to_owned(), 1), (1, "e1".to_owned(), 1)]
    );
    assert_eq!(run.untouched, 2..5);
    assert_eq!(webhook.consecutive_failures(), 2);
}
