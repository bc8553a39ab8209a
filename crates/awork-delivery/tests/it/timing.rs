//! The timing of retries, timeouts and pauses, under a paused tokio clock with a fake transport:
//! schedules of hours run in milliseconds, and every delay is checked exactly.

use std::time::Duration;

use awork_delivery::{
    AttemptOutcome, Decision, DeliveryState, RetrySchedule, Webhook, WebhookConfig, WebhookState,
};
use tokio::time::Instant;

use crate::support::{FakeTransport, events};

fn config() -> WebhookConfig {
    WebhookConfig::new("http://fake.invalid/hook").unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_schedule_waits_exactly_its_delays() {
    let config = config()
        .with_retry_schedule("1m,5m,30m".parse().unwrap())
        .with_max_retries(4);
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(500)));
    let start = Instant::now();
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!(run.report.failed, 1);
    let offsets: Vec<u64> = log
        .iter()
        .map(|record| record.decision)
        .filter_map(|decision| match decision {
            Decision::Retry { after } => Some(after.as_secs()),
            _ => None,
        })
        .collect();
    assert_eq!(offsets, [60, 300, 1800, 1800]);
    let fake = webhook_transport_times(&webhook);
    let since: Vec<u64> = fake.iter().map(|at| (*at - start).as_secs()).collect();
    assert_eq!(since, [0, 60, 360, 2160, 3960]);
}

fn webhook_transport_times(webhook: &Webhook<FakeTransport>) -> Vec<Instant> {
    webhook.transport().call_times()
}

#[tokio::test(start_paused = true)]
async fn the_default_schedule_of_47_minutes_runs_on_the_paused_clock() {
    // The clock is paused, so the 47 minutes pass on tokio's clock alone; no wall time is measured
    // (a real wait would simply make the test hang).
    let mut webhook =
        Webhook::with_transport(config(), FakeTransport::always(AttemptOutcome::status(500)));
    let start = Instant::now();
    let run = webhook.deliver(events(1), &mut ()).await;
    assert_eq!(run.report.attempts, 11);
    assert_eq!(run.report.failed, 1);
    assert_eq!(run.report.webhook, WebhookState::Paused);
    let expected: u64 = (1..=10)
        .map(|n| RetrySchedule::default().delay(n).as_secs())
        .sum();
    assert_eq!((Instant::now() - start).as_secs(), expected);
    assert_eq!(expected, 10 + 20 + 40 + 80 + 160 + 320 + 4 * 600);
}

#[tokio::test(start_paused = true)]
async fn a_slow_answer_is_cut_at_the_timeout() {
    let config = config()
        .with_timeout(Duration::from_secs(30))
        .with_max_retries(1)
        .with_retry_schedule(RetrySchedule::Schedule(vec![Duration::from_secs(1)]));
    let mut webhook = Webhook::with_transport(config, FakeTransport::slow(Duration::from_secs(31)));
    let mut log = Vec::new();
    let run = webhook.deliver(events(1), &mut log).await;
    assert_eq!(run.report.failed, 1);
    assert_eq!(log.len(), 2);
    for record in &log {
        assert_eq!(record.outcome, AttemptOutcome::Timeout);
        assert_eq!(record.latency, Duration::from_secs(30));
    }
}

#[tokio::test(start_paused = true)]
async fn ten_failures_then_success_keeps_the_webhook_active() {
    let fake = FakeTransport::scripted(
        std::iter::repeat_n(AttemptOutcome::status(500), 10),
        AttemptOutcome::status(200),
    );
    let mut webhook = Webhook::with_transport(config(), fake);
    let run = webhook.deliver(events(1), &mut ()).await;
    assert_eq!(run.report.delivered, 1);
    assert_eq!(run.report.attempts, 11);
    assert_eq!(run.report.webhook, WebhookState::Active);
    assert_eq!(webhook.consecutive_failures(), 0);
}

#[tokio::test(start_paused = true)]
async fn failures_count_across_deliveries_and_pause_keeps_the_rest() {
    let config = config().with_max_retries(2);
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(500)));
    let mut log = Vec::new();
    let run = webhook.deliver(events(5), &mut log).await;
    let report = run.report;
    assert_eq!(
        (
            report.events,
            report.delivered,
            report.failed,
            report.pending,
            report.attempts
        ),
        (5, 0, 3, 2, 11)
    );
    assert_eq!(report.webhook, WebhookState::Paused);
    let failed: Vec<(u64, &DeliveryState)> =
        run.failed.iter().map(|f| (f.index, &f.state)).collect();
    assert_eq!(failed.len(), 3);
    assert!(
        failed
            .iter()
            .all(|(_, state)| matches!(state, DeliveryState::Failed { attempts: 3, .. }))
    );
    assert_eq!(run.pending, [(3, "e3".to_owned(), 2)]);
    assert_eq!(run.untouched, 4..5);
    assert_eq!(log.last().unwrap().decision, Decision::Pause);
    // Later events are kept without any attempt while paused, behind the earlier ones.
    let run = webhook.deliver(events(1), &mut ()).await;
    assert_eq!((run.report.pending, run.report.attempts), (3, 0));
    assert_eq!(run.untouched, 4..6);
    assert_eq!(webhook.pending().len(), 1);
    assert_eq!(webhook.pending_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn enabling_resumes_pending_events_with_their_attempts() {
    let fake = FakeTransport::scripted(
        std::iter::repeat_n(AttemptOutcome::ConnectionRefused, 11),
        AttemptOutcome::status(204),
    );
    let mut webhook = Webhook::with_transport(config().with_max_retries(20), fake);
    let run = webhook.deliver(events(3), &mut ()).await;
    assert_eq!(
        (run.report.pending, run.report.webhook),
        (3, WebhookState::Paused)
    );
    let run = webhook.resume(&mut ()).await;
    assert_eq!(run.report.attempts, 0, "a paused webhook attempts nothing");
    webhook.enable();
    let mut log = Vec::new();
    let run = webhook.resume(&mut log).await;
    assert_eq!((run.report.events, run.report.delivered), (3, 3));
    assert_eq!(run.report.webhook, WebhookState::Active);
    assert_eq!(webhook.pending().len(), 0);
    let firsts: Vec<(u64, u32)> = log.iter().map(|r| (r.event, r.attempt)).collect();
    assert_eq!(firsts, [(0, 12), (1, 1), (2, 1)]);
}

#[tokio::test(start_paused = true)]
async fn concurrent_deliveries_overlap() {
    let config = config().with_concurrency(4);
    let mut webhook = Webhook::with_transport(config, FakeTransport::slow(Duration::from_secs(1)));
    let start = Instant::now();
    let run = webhook.deliver(events(8), &mut ()).await;
    assert_eq!(run.report.delivered, 8);
    assert_eq!((Instant::now() - start).as_secs(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_rate_limits_new_events_per_second() {
    let config = config().with_concurrency(8).with_rate(Some(2.0));
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(200)));
    let start = Instant::now();
    let run = webhook.deliver(events(5), &mut ()).await;
    assert_eq!(run.report.delivered, 5);
    let since: Vec<u128> = webhook
        .transport()
        .call_times()
        .iter()
        .map(|at| (*at - start).as_millis())
        .collect();
    assert_eq!(since, [0, 500, 1000, 1500, 2000]);
}

#[tokio::test(start_paused = true)]
async fn a_fractional_rate_spaces_events_by_its_inverse() {
    let config = config().with_concurrency(8).with_rate(Some(0.5));
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(200)));
    let start = Instant::now();
    let run = webhook.deliver(events(3), &mut ()).await;
    assert_eq!(run.report.delivered, 3);
    let since: Vec<u128> = webhook
        .transport()
        .call_times()
        .iter()
        .map(|at| (*at - start).as_millis())
        .collect();
    assert_eq!(since, [0, 2000, 4000]);
    // The run ends with its last delivery, not an interval later.
    assert_eq!((Instant::now() - start).as_millis(), 4000);
}

#[tokio::test(start_paused = true)]
async fn retries_start_when_due_whatever_order_they_failed_in() {
    // With the default schedule, a first retry waits 10 s and a second one 20 s. Event 0 fails
    // twice (its third attempt is due at 30 s); event 2 starts at 10 s and fails once (its retry
    // is due at 20 s), so event 2's retry goes first although event 0 has waited longer.
    let fake = FakeTransport::scripted(
        [
            AttemptOutcome::status(500), // event 0, attempt 1, at 0 s
            AttemptOutcome::status(500), // event 1, attempt 1, at 0 s
            AttemptOutcome::status(500), // event 0, attempt 2, at 10 s
            AttemptOutcome::status(200), // event 1, attempt 2, at 10 s
            AttemptOutcome::status(500), // event 2, attempt 1, at 10 s
        ],
        AttemptOutcome::status(200),
    );
    let mut webhook = Webhook::with_transport(config().with_concurrency(2), fake);
    let start = Instant::now();
    let run = webhook.deliver(events(3), &mut ()).await;
    assert_eq!((run.report.delivered, run.report.attempts), (3, 7));
    let calls: Vec<(u64, String)> = webhook
        .transport()
        .calls
        .lock()
        .unwrap()
        .iter()
        .map(|(at, body)| {
            let body = String::from_utf8(body.to_vec()).unwrap();
            ((*at - start).as_secs(), body)
        })
        .collect();
    let expected: Vec<(u64, String)> =
        [(0, 0), (0, 1), (10, 0), (10, 1), (10, 2), (20, 2), (30, 0)]
            .into_iter()
            .map(|(at, n)| (at, format!(r#"{{"n":{n}}}"#)))
            .collect();
    assert_eq!(calls, expected);
}

#[tokio::test(start_paused = true)]
async fn past_the_listed_failures_the_rest_are_counted_and_observed() {
    // A webhook that never pauses, and a receiver that always fails: every event fails.
    let config = config().with_max_retries(0).with_pause_after(u32::MAX);
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(500)));
    let total = awork_delivery::FAILED_LISTED + 5;
    let mut given_up = 0;
    let mut observer = awork_delivery::FnObserver(|record: &awork_delivery::AttemptRecord| {
        if record.decision == Decision::GiveUp {
            given_up += 1;
        }
    });
    let run = webhook.deliver(events(total), &mut observer).await;
    assert_eq!(run.report.failed, total as u64);
    assert_eq!(given_up, total);
    assert_eq!(run.failed.len(), awork_delivery::FAILED_LISTED);
    let listed: Vec<u64> = run.failed.iter().map(|failed| failed.index).collect();
    let first: Vec<u64> = (0..awork_delivery::FAILED_LISTED as u64).collect();
    assert_eq!(
        listed, first,
        "the first to fail are listed, in index order"
    );
}
