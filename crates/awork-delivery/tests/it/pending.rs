//! What a pause does to the events not yet delivered, under a paused clock with a fake transport:
//! the rest of the iterator is kept untaken (so a paused run of many events holds none of them),
//! counted as pending, and delivered in order after `enable` and `resume`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use awork_delivery::{AttemptOutcome, Event, Webhook, WebhookConfig, WebhookState};

use crate::support::FakeTransport;

/// `n` events whose bodies are `{"n":i}` (`i` from `first`), counting in `taken` how many were
/// pulled.
fn counted(
    first: usize,
    n: usize,
    taken: &Arc<AtomicUsize>,
) -> impl Iterator<Item = Event> + use<> {
    let taken = Arc::clone(taken);
    (first..first + n).map(move |i| {
        taken.fetch_add(1, Ordering::SeqCst);
        Event::new(format!("e{i}"), format!(r#"{{"n":{i}}}"#))
    })
}

/// Fails the first 11 attempts (so, with no retries, 11 events fail and the webhook pauses), then
/// answers 200.
fn pausing_webhook() -> Webhook<FakeTransport> {
    let config = WebhookConfig::new("http://fake.invalid/hook")
        .unwrap()
        .with_max_retries(0);
    let fake = FakeTransport::scripted(
        std::iter::repeat_n(AttemptOutcome::status(500), 11),
        AttemptOutcome::status(200),
    );
    Webhook::with_transport(config, fake)
}

#[tokio::test(start_paused = true)]
async fn a_pause_leaves_the_rest_of_the_events_untaken_and_counts_them() {
    let mut webhook = pausing_webhook();
    let taken = Arc::new(AtomicUsize::new(0));
    let run = webhook.deliver(counted(0, 10_000, &taken), &mut ()).await;
    assert_eq!(run.report.webhook, WebhookState::Paused);
    assert_eq!(
        (
            run.report.events,
            run.report.failed,
            run.report.pending,
            run.report.attempts
        ),
        (10_000, 11, 9_989, 11)
    );
    assert_eq!(
        taken.load(Ordering::SeqCst),
        11,
        "only the attempted events"
    );
    assert!(run.pending.is_empty());
    assert_eq!(run.untouched, 11..10_000);
    assert_eq!(webhook.pending_count(), 9_989);

    // Events given while paused are kept behind the others, untaken too.
    let later = Arc::new(AtomicUsize::new(0));
    let run = webhook.deliver(counted(10_000, 5, &later), &mut ()).await;
    assert_eq!(
        (run.report.events, run.report.pending, run.report.attempts),
        (9_994, 9_994, 0)
    );
    assert_eq!(run.untouched, 11..10_005);
    assert_eq!(later.load(Ordering::SeqCst), 0);

    webhook.enable();
    let mut log = Vec::new();
    let run = webhook.resume(&mut log).await;
    assert_eq!(
        (run.report.events, run.report.delivered, run.report.pending),
        (9_994, 9_994, 0)
    );
    assert_eq!(run.untouched, 10_005..10_005);
    assert_eq!(
        (taken.load(Ordering::SeqCst), later.load(Ordering::SeqCst)),
        (10_000, 5)
    );
    // In order: the indices continue, and each event keeps its own body.
    let indices: Vec<u64> = log.iter().map(|record| record.event).collect();
    assert_eq!(indices, (11..10_005).collect::<Vec<_>>());
    let calls = webhook.transport().calls.lock().unwrap();
    assert_eq!(calls.len(), 11 + 9_994);
    assert_eq!(calls[11].1, r#"{"n":11}"#);
    assert_eq!(calls.last().unwrap().1, r#"{"n":10004}"#);
}

#[tokio::test(start_paused = true)]
async fn an_iterator_without_an_exact_length_is_kept_and_counted_too() {
    let mut webhook = pausing_webhook();
    let taken = Arc::new(AtomicUsize::new(0));
    // `filter` cannot tell how many are left, so the engine takes the rest to count it.
    let events = counted(0, 20, &taken).filter(|_| true);
    assert_eq!(events.size_hint(), (0, Some(20)));
    let run = webhook.deliver(events, &mut ()).await;
    assert_eq!(
        (run.report.events, run.report.failed, run.report.pending),
        (20, 11, 9)
    );
    assert_eq!(run.untouched, 11..20);
    assert_eq!(taken.load(Ordering::SeqCst), 20);

    let pending = webhook.take_pending();
    let kept: Vec<(u64, &str, u32)> = pending
        .iter()
        .map(|item| (item.index, item.event.label.as_str(), item.attempts))
        .collect();
    assert_eq!(kept.len(), 9);
    assert_eq!(kept[0], (11, "e11", 0));
    assert_eq!(kept[8], (19, "e19", 0));
    assert_eq!(webhook.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_pause_stops_the_deliveries_waiting_for_their_retry() {
    // Two in flight, pause after 1: the first failure waits for its retry, the second pauses the
    // webhook, and the waiting retry is never made.
    let config = WebhookConfig::new("http://fake.invalid/hook")
        .unwrap()
        .with_concurrency(2)
        .with_pause_after(1);
    let mut webhook =
        Webhook::with_transport(config, FakeTransport::always(AttemptOutcome::status(500)));
    let taken = Arc::new(AtomicUsize::new(0));
    let run = webhook.deliver(counted(0, 3, &taken), &mut ()).await;
    assert_eq!(run.report.webhook, WebhookState::Paused);
    assert_eq!((run.report.attempts, run.report.pending), (2, 3));
    assert_eq!(
        run.pending,
        [(0, "e0".to_owned(), 1), (1, "e1".to_owned(), 1)]
    );
    assert_eq!(run.untouched, 2..3);
    assert_eq!(webhook.transport().calls.lock().unwrap().len(), 2);
}
