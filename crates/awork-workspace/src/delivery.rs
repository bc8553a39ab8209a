//! Delivery per webhook, with awork's semantics and a durable outbox: one task per webhook takes
//! the first events of its outbox when they are due and makes their attempts one after the other
//! through awork-delivery's [`HttpTransport`]. Each attempt and its consequences are committed
//! before that webhook's next attempt starts (the `Recorder` groups the commits of many
//! webhooks into one transaction), so status and logs show attempts as they happen, a crash
//! repeats at most the attempt in flight per webhook, and a pause, update or delete applies
//! before the next attempt. Attempts in flight across all webhooks are capped (a semaphore sized
//! below the descriptor limit), and a webhook whose URI turns out to point at serve itself is
//! paused rather than delivered to.
//!
//! The rules are those of awork-delivery's engine (`crates/awork-delivery/src/engine.rs`), with
//! its default concurrency of 1, so events reach a receiver in the order they happened: at most
//! `max_retries + 1` attempts per event, waits from the [`RetrySchedule`], and a count of
//! consecutive failed attempts that pauses the webhook when it goes above `pause_after`; a paused
//! webhook keeps its undelivered events, and enabling it sends them in order. The engine itself
//! keeps its queue in memory, which a restart loses; here the queue is the store's outbox, so the
//! decision is made per attempt by [`decide`], the engine's rule written for one attempt, and the
//! state lives in SQLite. An attempt whose outcome was not recorded (a crash) is made again: awork
//! delivers at least once, and so does the workspace.
//!
//! [`RetrySchedule`]: awork_delivery::RetrySchedule

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use awork_delivery::{
    AttemptOutcome, AuthHeader, ConfigError, Decision, HttpTransport, Transport, WebhookConfig,
    format_duration,
};
use bytes::Bytes;
use chrono::{SecondsFormat, Utc};
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};

use crate::store::{Attempted, LogRow, OutboxRow, Settled, WebhookRow};
use crate::{Policy, Shared};

/// The handle of a webhook's delivery task.
pub(crate) struct Worker {
    notify: Arc<Notify>,
    /// Counts changes of the webhook's settings, so that the task applies them before its next
    /// attempt.
    settings: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Tells the task that something changed (an event, an update).
    pub(crate) fn wake(&self) {
        self.notify.notify_one();
    }

    /// Tells the task that the webhook's settings changed: it reads them before its next attempt.
    pub(crate) fn reconfigure(&self) {
        self.settings.fetch_add(1, Ordering::AcqRel);
        self.notify.notify_one();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the delivery task of webhook `id`.
pub(crate) fn spawn(shared: &Arc<Shared>, id: String) -> Worker {
    let notify = Arc::new(Notify::new());
    let settings = Arc::new(AtomicU64::new(0));
    let task = tokio::spawn(work(
        Arc::clone(shared),
        id,
        Arc::clone(&notify),
        Arc::clone(&settings),
    ));
    Worker {
        notify,
        settings,
        task,
    }
}

/// Milliseconds since the Unix epoch: due times are wall-clock times, so they survive a restart.
pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The time as awork writes `createdOn`.
pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The delivery configuration of a webhook: its URI and auth header with the server's policy.
pub(crate) fn webhook_config(
    row: &WebhookRow,
    policy: &Policy,
) -> Result<WebhookConfig, ConfigError> {
    let mut config = WebhookConfig::new(&row.uri)?
        .with_timeout(policy.timeout)
        .with_max_retries(policy.max_retries)
        .with_retry_schedule(policy.retry_schedule.clone())
        .with_pause_after(policy.pause_after);
    if let (Some(name), Some(value)) = (&row.auth_name, &row.auth_value) {
        config = config.with_auth(AuthHeader::new(name, value)?);
    }
    Ok(config)
}

/// What one attempt decides, by the engine's rule: the decision and the new count of consecutive
/// failures. `attempts` counts this attempt.
pub fn decide(
    policy: &Policy,
    success: bool,
    attempts: u32,
    consecutive_failures: u32,
) -> (Decision, u32) {
    if success {
        return (Decision::Delivered, 0);
    }
    let failures = consecutive_failures.saturating_add(1);
    let decision = if attempts > policy.max_retries {
        Decision::GiveUp
    } else if failures > policy.pause_after {
        Decision::Pause
    } else {
        Decision::Retry {
            after: policy.retry_schedule.delay(attempts),
        }
    };
    (decision, failures)
}

/// The `responseCode` and `reason` of an attempt's outcome, as a `WebhookLog` shows them.
pub(crate) fn describe(
    outcome: &AttemptOutcome,
    timeout: Duration,
) -> (Option<u16>, Option<String>) {
    match outcome {
        AttemptOutcome::Status { code, .. } if code.is_success() => (Some(code.as_u16()), None),
        AttemptOutcome::Status {
            code,
            location: Some(location),
            ..
        } => (
            Some(code.as_u16()),
            Some(format!(
                "the receiver answered {} with location {location}; redirects are not followed",
                code.as_u16()
            )),
        ),
        AttemptOutcome::Status { code, .. } => (
            Some(code.as_u16()),
            Some(format!("the receiver answered {}", code.as_u16())),
        ),
        AttemptOutcome::Timeout => (
            None,
            Some(format!("no answer within {}", format_duration(timeout))),
        ),
        AttemptOutcome::UnendedBody { message } => (
            None,
            Some(format!(
                "not answered whole within {}: {message}",
                format_duration(timeout)
            )),
        ),
        AttemptOutcome::ConnectionRefused => (None, Some("connection refused".to_owned())),
        AttemptOutcome::ConnectionReset => (
            None,
            Some("the connection was closed before an answer".to_owned()),
        ),
        AttemptOutcome::Tls(message) => (None, Some(format!("TLS error: {message}"))),
        AttemptOutcome::Other(message) => (None, Some(message.clone())),
    }
}

/// Makes one attempt, once one of the `connections` is free, and describes it as a log row,
/// without the body: an outbox attempt's log names its event, which holds it; a caller whose body
/// is its own (a test event, a resend) puts it in the row's `message`.
pub(crate) async fn attempt(
    transport: &HttpTransport,
    connections: &Semaphore,
    webhook_id: &str,
    label: &str,
    attempt: u32,
    body: Bytes,
    timeout: Duration,
) -> (AttemptOutcome, LogRow) {
    // The semaphore is never closed; without a permit the attempt still goes ahead.
    let _connection = connections.acquire().await;
    let created_on = now_text();
    let start = tokio::time::Instant::now();
    let outcome = transport.send(body, timeout).await;
    let latency = start.elapsed();
    let (response_code, reason) = describe(&outcome, timeout);
    let log = LogRow {
        webhook_id: webhook_id.to_owned(),
        label: label.to_owned(),
        attempt,
        message: None,
        response_code,
        reason,
        is_successful: outcome.is_success(),
        latency_ms: latency.as_secs_f64() * 1000.0,
        created_on,
    };
    (outcome, log)
}

/// How many due events a task reads from its outbox at once. Their attempts are made one after
/// the other, in order, each recorded before the next starts.
const BATCH: u32 = 64;

/// What the task does next.
enum Step {
    /// The webhook was deleted.
    Gone,
    /// Paused, or nothing to deliver: wait for a change.
    Idle,
    /// The first event is due later.
    Wait(Duration),
    /// Deliver these, in order.
    Deliver(Box<WebhookRow>, Vec<OutboxRow>),
}

/// Looks at the webhook and the head of its outbox.
fn next_step(shared: &Shared, id: &str) -> Step {
    let store = shared.lock_store();
    let row = match store.webhook(id) {
        Err(_) | Ok(None) => return Step::Gone,
        Ok(Some(row)) if !row.is_active => return Step::Idle,
        Ok(Some(row)) => row,
    };
    let Ok(mut head) = store.outbox_head(id, BATCH) else {
        return Step::Idle;
    };
    let now = now_ms();
    // Only the first event can be waiting for a retry; the others are due as soon as it is done.
    match head.first() {
        None => Step::Idle,
        Some(first) if first.due_ms > now => {
            Step::Wait(Duration::from_millis((first.due_ms - now).unsigned_abs()))
        }
        Some(_) => {
            if let Some(later) = head.iter().skip(1).position(|next| next.due_ms > now) {
                head.truncate(later + 1);
            }
            Step::Deliver(Box::new(row), head)
        }
    }
}

/// How often a task resolves its webhook's host again to check that it is not serve itself (a
/// name can come to resolve elsewhere).
const RECHECK: Duration = Duration::from_secs(10);

/// The transport of a webhook's task, and what it was built for.
struct Built {
    uri: String,
    auth_name: Option<String>,
    auth_value: Option<String>,
    http: HttpTransport,
    /// When the URI was last found not to point at serve.
    checked: tokio::time::Instant,
}

impl Built {
    fn is_for(&self, row: &WebhookRow) -> bool {
        (&self.uri, &self.auth_name, &self.auth_value)
            == (&row.uri, &row.auth_name, &row.auth_value)
    }
}

/// A transport for `row`: the current one if it was built for the same URI and header and the
/// URI was checked recently, else a new one, after checking that the URI is not serve's own.
/// The error says why the webhook cannot be delivered to (it resolves to serve; it was stored by
/// an older version with a header name now refused; no TLS roots).
async fn transport_for(
    shared: &Shared,
    row: &WebhookRow,
    current: Option<Built>,
) -> Result<Built, String> {
    if let Some(built) = current
        && built.is_for(row)
        && built.checked.elapsed() < RECHECK
    {
        return Ok(built);
    }
    let config = webhook_config(row, &shared.policy).map_err(|failure| failure.to_string())?;
    if shared.guard.resolves_to_self(&config.url).await {
        return Err(crate::guard::SELF_LOOP.to_owned());
    }
    let http = HttpTransport::new(&config).map_err(|failure| failure.to_string())?;
    Ok(Built {
        uri: row.uri.clone(),
        auth_name: row.auth_name.clone(),
        auth_value: row.auth_value.clone(),
        http,
        checked: tokio::time::Instant::now(),
    })
}

async fn work(shared: Arc<Shared>, id: String, notify: Arc<Notify>, settings: Arc<AtomicU64>) {
    let policy = &shared.policy;
    let mut transport: Option<Built> = None;
    loop {
        let changed = notify.notified();
        tokio::pin!(changed);
        // Registered before looking, so a change made while looking is not missed.
        changed.as_mut().enable();
        let version = settings.load(Ordering::Acquire);
        let (row, head) = match next_step(&shared, &id) {
            Step::Gone => return,
            Step::Idle => {
                // Nothing to send: its connections are closed until there is.
                transport = None;
                changed.await;
                continue;
            }
            Step::Wait(wait) => {
                tokio::select! {
                    () = changed => {}
                    () = tokio::time::sleep(wait) => {}
                }
                continue;
            }
            Step::Deliver(row, head) => (*row, head),
        };
        let http = match transport_for(&shared, &row, transport.take()).await {
            Ok(built) => &transport.insert(built).http,
            Err(reason) => {
                // Paused, with the reason: its events are kept for when the webhook is fixed.
                let paused = shared.lock_store().pause(&id, &reason);
                if paused.is_err() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                continue;
            }
        };
        let mut failures = row.consecutive_failures;
        for next in head {
            // A pause, an update or a delete made since the head was read applies before the
            // next attempt.
            if settings.load(Ordering::Acquire) != version {
                break;
            }
            let attempts = next.attempts + 1;
            let in_flight = shared.recorder.starting();
            let (outcome, log) = attempt(
                http,
                &shared.connections,
                &id,
                &next.label,
                attempts,
                Bytes::from(next.body),
                policy.timeout,
            )
            .await;
            let (decision, now_failing) = decide(policy, outcome.is_success(), attempts, failures);
            failures = now_failing;
            let paused = (failures > policy.pause_after).then(|| {
                format!(
                    "paused after {failures} consecutive failed attempts; the last: {}",
                    log.reason.as_deref().unwrap_or("failed")
                )
            });
            let settled = match decision {
                Decision::Delivered => Settled::Delivered,
                Decision::GiveUp => Settled::Failed,
                // Kept, due as soon as the webhook is enabled again.
                Decision::Pause => Settled::Again(now_ms()),
                Decision::Retry { after } => Settled::Again(
                    now_ms().saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX)),
                ),
            };
            // The attempt was made: its record waits for a database that cannot take it (a full
            // disk) rather than the event being sent again, unlogged, once a second.
            let mut ticket = in_flight;
            let mut record = Attempted {
                seq: next.seq,
                log,
                settled,
                consecutive_failures: failures,
                paused,
                enabled_count: row.enabled_count,
            };
            loop {
                match shared.recorder.record(ticket, record).await {
                    Some(Ok(())) => break,
                    Some(Err(refused)) => record = refused,
                    // serve is stopping: the attempt is made again at the next start.
                    None => return,
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                ticket = shared.recorder.starting();
            }
            // After a failure the next attempt waits for the schedule, or for the resume.
            if decision != Decision::Delivered {
                break;
            }
        }
    }
}

/// How many records one commit takes at most.
const GROUP: usize = 256;

/// An attempt in flight for this long or less is waited for before a commit: its record most
/// likely follows within a loopback round trip or two. An older one (a slow or hanging receiver)
/// is not waited for.
const YOUNG: Duration = Duration::from_millis(1);

/// The longest a commit waits for a young attempt's record (tokio's timers count whole
/// milliseconds).
const GATHER_WAIT: Duration = Duration::from_millis(1);

/// Commits the attempt records of every webhook's task, grouping the records that arrive
/// together into one transaction: a task waits for its record before its next attempt, so a
/// crash repeats at most the attempt in flight per webhook, while many webhooks share commits.
///
/// A commit waits for the records of the attempts that started less than [`YOUNG`] ago and are
/// still in flight (at most [`GATHER_WAIT`]): ten webhooks to a fast receiver then share one
/// commit instead of committing one or two records each time, as they did when a commit went
/// ahead with whatever had arrived. With one webhook, or when every other attempt is slow, there is
/// nothing to wait for and its record is committed at once.
pub(crate) struct Recorder {
    sender: mpsc::UnboundedSender<(Attempted, oneshot::Sender<Committed>)>,
    /// When each attempt in flight started, by its ticket.
    in_flight: Mutex<Vec<(u64, Instant)>>,
    /// The next ticket.
    tickets: AtomicU64,
}

/// The receiving end of a [`Recorder`], which [`Recorder::run`] drains.
pub(crate) type Records = mpsc::UnboundedReceiver<(Attempted, oneshot::Sender<Committed>)>;

/// What became of a record sent to the [`Recorder`]: committed, or given back (the database
/// refused the commit) for its task to send again.
type Committed = Result<(), Attempted>;

/// An attempt in flight, known to its [`Recorder`] until its record is sent or it is dropped.
pub(crate) struct InFlight<'a> {
    recorder: &'a Recorder,
    ticket: u64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.recorder.lock_in_flight();
        if let Some(index) = in_flight
            .iter()
            .position(|(ticket, _)| *ticket == self.ticket)
        {
            in_flight.swap_remove(index);
        }
    }
}

impl Recorder {
    /// A recorder, and the records it is sent, for [`Recorder::run`].
    pub(crate) fn new() -> (Recorder, Records) {
        let (sender, records) = mpsc::unbounded_channel();
        let recorder = Recorder {
            sender,
            in_flight: Mutex::new(Vec::new()),
            tickets: AtomicU64::new(0),
        };
        (recorder, records)
    }

    fn lock_in_flight(&self) -> MutexGuard<'_, Vec<(u64, Instant)>> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes that an attempt starts now, whose record [`Recorder::record`] will be given.
    fn starting(&self) -> InFlight<'_> {
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        self.lock_in_flight().push((ticket, Instant::now()));
        InFlight {
            recorder: self,
            ticket,
        }
    }

    /// Commits `attempted`, the record of the attempt `in_flight`; gives it back when the
    /// database refused it. `None` when the recorder is gone (serve is stopping).
    async fn record(&self, in_flight: InFlight<'_>, attempted: Attempted) -> Option<Committed> {
        let (done, committed) = oneshot::channel();
        // Out of flight before it is sent, so that a commit never waits for a record already in
        // the channel; a commit that looks in the moment between goes without it, and the record
        // is in the next.
        drop(in_flight);
        self.sender.send((attempted, done)).ok()?;
        committed.await.ok()
    }

    /// Whether an attempt that started less than [`YOUNG`] ago is still in flight.
    fn awaits_young_attempt(&self) -> bool {
        self.lock_in_flight()
            .iter()
            .any(|(_, started)| started.elapsed() < YOUNG)
    }

    /// Commits what is sent, in groups, until every sender is gone.
    pub(crate) async fn run(shared: Arc<Shared>, mut records: Records) {
        let mut group = Vec::with_capacity(GROUP);
        // Whether the last commit failed: said once on stderr when it starts, and when it ends.
        let mut failing = false;
        while records.recv_many(&mut group, GROUP).await > 0 {
            let gathering = tokio::time::sleep(GATHER_WAIT);
            tokio::pin!(gathering);
            while group.len() < GROUP && shared.recorder.awaits_young_attempt() {
                let room = GROUP - group.len();
                tokio::select! {
                    () = &mut gathering => break,
                    more = records.recv_many(&mut group, room) => {
                        if more == 0 {
                            break;
                        }
                    }
                }
            }
            let (attempts, done): (Vec<Attempted>, Vec<oneshot::Sender<Committed>>) =
                group.drain(..).unzip();
            let committed = match shared.lock_store().record_attempts(&attempts) {
                Ok(()) => {
                    if std::mem::take(&mut failing) {
                        eprintln!("the workspace database takes records again: deliveries go on");
                    }
                    true
                }
                Err(error) => {
                    if !std::mem::replace(&mut failing, true) {
                        eprintln!(
                            "warning: cannot record delivery attempts ({error}): each webhook's \
                             next attempt waits until its last one is recorded"
                        );
                    }
                    false
                }
            };
            for (done, attempted) in done.into_iter().zip(attempts) {
                // A task that went away (its webhook was deleted) needs no answer.
                let _ = done.send(if committed { Ok(()) } else { Err(attempted) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use awork_delivery::{AttemptRecord, Event, FnObserver, RetrySchedule, Webhook};

    use super::*;

    /// Answers 200 or 500 as scripted (`true`: 200), then 200.
    struct Scripted(Mutex<VecDeque<bool>>);

    impl Transport for Scripted {
        async fn send(&self, _body: Bytes, _timeout: Duration) -> AttemptOutcome {
            let success = self.0.lock().unwrap().pop_front().unwrap_or(true);
            AttemptOutcome::status(if success { 200 } else { 500 })
        }
    }

    /// The decisions `decide` makes for `events` delivered in order with `script`'s answers, as the
    /// workspace's delivery task applies them, until the webhook pauses.
    fn decided(policy: &Policy, events: u64, script: &[bool]) -> Vec<(u64, u32, Decision)> {
        let mut answers: VecDeque<bool> = script.iter().copied().collect();
        let mut failures = 0;
        let mut decisions = Vec::new();
        'events: for event in 0..events {
            for attempts in 1.. {
                let success = answers.pop_front().unwrap_or(true);
                let (decision, now) = decide(policy, success, attempts, failures);
                failures = now;
                decisions.push((event, attempts, decision));
                // The task pauses the webhook whenever the count goes above the threshold, also
                // when the attempt was the event's last.
                if failures > policy.pause_after {
                    break 'events;
                }
                match decision {
                    Decision::Retry { .. } => {}
                    Decision::Delivered | Decision::GiveUp | Decision::Pause => break,
                }
            }
        }
        decisions
    }

    /// The decisions awork-delivery's engine makes for the same, at its default concurrency of 1.
    fn engine(policy: &Policy, events: u64, script: &[bool]) -> Vec<(u64, u32, Decision)> {
        let config = WebhookConfig::new("http://127.0.0.1:1/")
            .unwrap()
            .with_max_retries(policy.max_retries)
            .with_pause_after(policy.pause_after)
            .with_retry_schedule(policy.retry_schedule.clone());
        let transport = Scripted(Mutex::new(script.iter().copied().collect()));
        let mut webhook = Webhook::with_transport(config, transport);
        let mut decisions = Vec::new();
        let mut observer = FnObserver(|record: &AttemptRecord| {
            decisions.push((record.event, record.attempt, record.decision));
        });
        let events: Vec<Event> = (0..events).map(|_| Event::new("e", "{}")).collect();
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(webhook.deliver(events, &mut observer));
        decisions
    }

    #[test]
    fn decide_makes_the_engines_decisions() {
        let fast = RetrySchedule::Schedule(vec![Duration::ZERO]);
        let policies =
            [(10, 10), (20, 10), (2, 10), (5, 0), (3, 4)].map(|(max_retries, pause_after)| {
                Policy {
                    max_retries,
                    pause_after,
                    retry_schedule: fast.clone(),
                    ..Policy::default()
                }
            });
        let scripts: [Vec<bool>; 4] = [
            vec![false; 40],
            vec![false, false, false, true, false, true],
            [vec![false; 9], vec![true], vec![false; 9], vec![true]].concat(),
            vec![true, false, true, false, false, true],
        ];
        for policy in &policies {
            for script in &scripts {
                assert_eq!(
                    decided(policy, 4, script),
                    engine(policy, 4, script),
                    "{policy:?} {script:?}"
                );
            }
        }
    }

    #[test]
    fn the_eleventh_failed_attempt_pauses_and_ends_the_event() {
        let policy = Policy::default();
        let mut failures = 0;
        for attempts in 1..=10 {
            let (decision, now) = decide(&policy, false, attempts, failures);
            assert!(matches!(decision, Decision::Retry { .. }), "{attempts}");
            failures = now;
        }
        // Attempt 11 is the event's last: it fails the event, and pauses the webhook.
        assert_eq!(decide(&policy, false, 11, failures), (Decision::GiveUp, 11));
        // With more retries the event is kept instead.
        let patient = Policy {
            max_retries: 20,
            ..Policy::default()
        };
        assert_eq!(decide(&patient, false, 11, failures), (Decision::Pause, 11));
        assert_eq!(decide(&patient, true, 12, 11), (Decision::Delivered, 0));
    }

    #[test]
    fn a_commit_waits_only_for_the_records_of_young_attempts_still_in_flight() {
        // The attempts in flight count as started at `at`: the test pins the clock they are
        // judged by, so that a test thread the machine holds back for a millisecond (CI, two
        // cores, every test at once) does not age them past YOUNG between two lines.
        fn started_at(recorder: &Recorder, at: Instant) {
            for (_, started) in recorder.lock_in_flight().iter_mut() {
                *started = at;
            }
        }
        // Later than any `now` of this test: in flight for no time at all.
        let just_now = Instant::now() + Duration::from_secs(3600);
        let (recorder, _records) = Recorder::new();
        assert!(!recorder.awaits_young_attempt(), "nothing in flight");
        let first = recorder.starting();
        let second = recorder.starting();
        started_at(&recorder, just_now);
        assert!(recorder.awaits_young_attempt());
        drop(first);
        assert!(
            recorder.awaits_young_attempt(),
            "the second is still in flight"
        );
        // The second has been in flight for longer than YOUNG: a slow receiver, not waited for.
        recorder.lock_in_flight()[0].1 = Instant::now() - 2 * YOUNG;
        assert!(!recorder.awaits_young_attempt());
        drop(second);
        assert!(recorder.lock_in_flight().is_empty());
    }
}
