//! The delivery engine: a [`Webhook`] takes a lazy stream of opaque [`Event`]s and delivers them
//! with awork's semantics (timeout, retries on a schedule, pause after too many consecutive
//! failures), reporting every attempt to an [`Observer`] and returning a [`RunReport`].
//!
//! The engine does not know what an event contains, never prints, and never reads the wall
//! clock for decisions: all waiting goes through `tokio::time`, so a test can pause the clock.
//!
//! # Implementation notes
//!
//! One loop, on the caller's task, owns all decisions and drives every attempt itself: the
//! attempts on the wire are futures in a [`FuturesUnordered`] and the deliveries waiting for a
//! retry sit in a heap ordered by the instant they are due. Nothing is spawned per attempt, so a
//! delivery costs about what the bare HTTP request costs. Completions are handled one at a time,
//! so the count of consecutive failures is updated in a single place, in completion order. When
//! the webhook pauses, the deliveries waiting for a retry are taken out as pending at once;
//! attempts already on the wire are allowed to finish and are recorded (a success still
//! delivers). A stop ([`Webhook::deliver_until`]) does the same without pausing the webhook.
//!
//! Memory is bounded by the concurrency, not by the number of events: per-event state exists
//! only for events in flight or pending, and for the first [`FAILED_LISTED`] failed ones; events are pulled from the iterator only when a
//! delivery slot is free; and when the webhook pauses, the rest of the iterator is kept as it is
//! (counted through its exact `size_hint`, not pulled) and taken from on resume.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::ops::Range;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::Serialize;
use tokio::time::Instant;

use crate::config::{WebhookConfig, format_duration};
use crate::observe::{AttemptRecord, Decision, Observer};
use crate::transport::{AttemptOutcome, HttpTransport, Transport, TransportError};

/// One event to deliver: opaque bytes (sent exactly as given) and a label for logs and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// A short name for logs, such as the event type.
    pub label: String,
    /// The request body, sent byte for byte.
    pub body: Bytes,
}

impl Event {
    /// An event with a label and a body.
    pub fn new(label: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self {
            label: label.into(),
            body: body.into(),
        }
    }
}

/// Whether the webhook attempts deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookState {
    /// Deliveries are attempted.
    Active,
    /// Too many consecutive failures: nothing is attempted until [`Webhook::enable`].
    Paused,
}

/// Where one delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryState {
    /// A 2xx arrived in time.
    Delivered {
        /// Attempts made, the successful one included.
        attempts: u32,
    },
    /// Every retry failed.
    Failed {
        /// Attempts made.
        attempts: u32,
        /// The last attempt's outcome.
        last: AttemptOutcome,
    },
    /// The webhook paused before the event was delivered or failed; it is kept and resumes after
    /// [`Webhook::enable`].
    Pending {
        /// Attempts made so far (0 if never attempted).
        attempts: u32,
    },
}

/// How many failed events a [`RunReport`] lists; past this they are only counted (each one's
/// attempts still reach the [`Observer`]), so a run that fails a million events without pausing
/// keeps its memory flat.
pub const FAILED_LISTED: usize = 10_000;

/// An event that failed, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedEvent {
    /// The event's index (its position among all events given to the webhook, from 0).
    pub index: u64,
    /// The event's label.
    pub label: String,
    /// Always [`DeliveryState::Failed`].
    pub state: DeliveryState,
}

/// An event the webhook keeps because it paused before the event was delivered or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    /// The event's index (its position among all events given to the webhook, from 0).
    pub index: u64,
    /// The event itself.
    pub event: Event,
    /// Attempts made so far; they count against the event's retries when it resumes.
    pub attempts: u32,
}

impl PendingEvent {
    /// Always [`DeliveryState::Pending`].
    pub fn state(&self) -> DeliveryState {
        DeliveryState::Pending {
            attempts: self.attempts,
        }
    }
}

/// The summary of one run. Its serialized keys are a public contract:
/// `{"events", "delivered", "failed", "pending", "attempts", "webhook"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Events handled in this run (previously pending ones included).
    pub events: u64,
    /// Events delivered.
    pub delivered: u64,
    /// Events that used all their retries.
    pub failed: u64,
    /// Events kept because the webhook paused.
    pub pending: u64,
    /// Attempts made.
    pub attempts: u64,
    /// The webhook's state at the end of the run.
    pub webhook: WebhookState,
}

/// The delivery semantics a run used, for the binary to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Semantics {
    /// Per-attempt timeout, in milliseconds.
    pub timeout_ms: u64,
    /// Retries per event.
    pub max_retries: u32,
    /// The retry schedule, as text (`1m,5m,30m` or `exponential from 10s x2 up to 10m`).
    pub retry_schedule: String,
    /// The webhook pauses when consecutive failures go above this.
    pub pause_after: u32,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// New events per second, if limited.
    pub rate: Option<f64>,
}

impl Semantics {
    /// The semantics of `config`.
    pub fn of(config: &WebhookConfig) -> Self {
        Self {
            timeout_ms: u64::try_from(config.timeout.as_millis()).unwrap_or(u64::MAX),
            max_retries: config.max_retries,
            retry_schedule: config.retry_schedule.to_string(),
            pause_after: config.pause_after,
            concurrency: config.concurrency.get(),
            rate: config.rate,
        }
    }
}

impl fmt::Display for Semantics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |count: u32, one, many| if count == 1 { one } else { many };
        // The threshold as the failure that crosses it: "pause after 10" read as the 10th.
        let crossing = u64::from(self.pause_after) + 1;
        let suffix = match (crossing % 10, crossing % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        write!(
            f,
            "timeout {}, up to {} {}, retry schedule {}, the {crossing}{suffix} failure in a row \
             pauses the webhook",
            format_duration(Duration::from_millis(self.timeout_ms)),
            self.max_retries,
            plural(self.max_retries, "retry", "retries"),
            self.retry_schedule,
        )
    }
}

/// Everything one call of [`Webhook::deliver`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// The counts (the public contract).
    pub report: Report,
    /// The semantics used.
    pub semantics: Semantics,
    /// The events that failed in this run, by index: the first [`FAILED_LISTED`] to fail.
    /// `report.failed` counts them all.
    pub failed: Vec<FailedEvent>,
    /// Index, label and attempts of the pending events that were taken from their iterator (the
    /// events themselves stay queued in the webhook), in index order.
    pub pending: Vec<(u64, String, u32)>,
    /// The indices of the pending events never taken from their iterator: they follow the listed
    /// ones, no attempt was made, and no memory is held for them until a resumed run takes them.
    /// They are counted in `report.pending` and `report.events`.
    pub untouched: Range<u64>,
}

/// One webhook: its configuration, its transport, its state and its queue of pending events.
///
/// The state survives between calls: a paused webhook stays paused (later events are kept as
/// pending without any attempt) until [`Webhook::enable`]; the next [`Webhook::deliver`] (or
/// [`Webhook::resume`]) sends the pending events first, in index order, then the new ones.
#[derive(Debug)]
pub struct Webhook<T: Transport = HttpTransport> {
    config: WebhookConfig,
    transport: T,
    state: WebhookState,
    consecutive_failures: u32,
    /// Pending events taken from their iterator, in index order.
    pending: VecDeque<PendingEvent>,
    /// Pending events never taken from their iterator: the rests of the iterators given while
    /// the webhook was paused, in the order they were given. Their indices are assigned when
    /// they are taken, from `next_index`, so they follow every event taken before.
    untouched: VecDeque<Untouched>,
    next_index: u64,
}

/// The rest of an iterator, kept whole while the webhook is paused.
struct Untouched(Box<dyn Iterator<Item = Event> + Send>);

impl Untouched {
    /// How many events are left. Only iterators with an exact `size_hint` are kept this way.
    fn len(&self) -> u64 {
        self.0.size_hint().0 as u64
    }
}

impl fmt::Debug for Untouched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Untouched")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl Webhook<HttpTransport> {
    /// A webhook delivering over HTTP(S) with `config`.
    pub fn new(config: WebhookConfig) -> Result<Self, TransportError> {
        let transport = HttpTransport::new(&config)?;
        Ok(Self::with_transport(config, transport))
    }
}

/// A delivery between its attempts: the event, and the attempts made so far.
struct InFlight {
    index: u64,
    event: Event,
    attempts: u32,
}

impl InFlight {
    fn into_pending(self) -> PendingEvent {
        PendingEvent {
            index: self.index,
            event: self.event,
            attempts: self.attempts,
        }
    }
}

/// What one attempt produced, before the engine decides.
struct Attempted {
    outcome: AttemptOutcome,
    latency: Duration,
    time: chrono::DateTime<Utc>,
}

/// A delivery waiting for its retry, ordered so that the heap's top is the one due first (and,
/// among those due at the same instant, the one that failed first).
struct Waiting {
    due: Instant,
    sequence: u64,
    flight: InFlight,
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: `BinaryHeap` is a max-heap and the earliest must come out first.
        (other.due, other.sequence).cmp(&(self.due, self.sequence))
    }
}

/// Where a run takes its events from, in order: the pending events taken before, the untouched
/// rests of earlier iterators, then this run's iterator.
struct Source<I> {
    queued: VecDeque<PendingEvent>,
    untouched: VecDeque<Untouched>,
    fresh: Option<I>,
    next_index: u64,
}

impl<I: Iterator<Item = Event>> Source<I> {
    fn next(&mut self) -> Option<InFlight> {
        if let Some(queued) = self.queued.pop_front() {
            return Some(InFlight {
                index: queued.index,
                event: queued.event,
                attempts: queued.attempts,
            });
        }
        while let Some(rest) = self.untouched.front_mut() {
            match rest.0.next() {
                Some(event) => return Some(self.fresh_flight(event)),
                None => {
                    self.untouched.pop_front();
                }
            }
        }
        match self.fresh.as_mut()?.next() {
            Some(event) => Some(self.fresh_flight(event)),
            None => {
                self.fresh = None;
                None
            }
        }
    }

    /// Whether the iterators' exact size hints say no event is left (an iterator without an
    /// exact hint is found exhausted only when it ends).
    fn known_exhausted(&self) -> bool {
        self.queued.is_empty()
            && self
                .untouched
                .iter()
                .all(|rest| rest.0.size_hint().1 == Some(0))
            && self
                .fresh
                .as_ref()
                .is_none_or(|fresh| fresh.size_hint().1 == Some(0))
    }

    fn fresh_flight(&mut self, event: Event) -> InFlight {
        let index = self.next_index;
        self.next_index += 1;
        InFlight {
            index,
            event,
            attempts: 0,
        }
    }
}

/// Makes one attempt for `flight` and hands the delivery back with what happened.
async fn attempt<T: Transport>(
    transport: &T,
    flight: InFlight,
    timeout: Duration,
) -> (InFlight, Attempted) {
    let time = Utc::now();
    let start = Instant::now();
    let outcome = transport.send(flight.event.body.clone(), timeout).await;
    let latency = start.elapsed();
    (
        flight,
        Attempted {
            outcome,
            latency,
            time,
        },
    )
}

impl<T: Transport> Webhook<T> {
    /// A webhook using any transport (a fake one in tests).
    pub fn with_transport(config: WebhookConfig, transport: T) -> Self {
        Self {
            config,
            transport,
            state: WebhookState::Active,
            consecutive_failures: 0,
            pending: VecDeque::new(),
            untouched: VecDeque::new(),
            next_index: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Active or paused.
    pub fn state(&self) -> WebhookState {
        self.state
    }

    /// Failed attempts since the last success.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// The pending events taken from their iterator, in index order. Pending events never taken
    /// from their iterator are only counted: see [`Webhook::pending_count`].
    pub fn pending(&self) -> impl ExactSizeIterator<Item = &PendingEvent> {
        self.pending.iter()
    }

    /// How many events are pending: those listed by [`Webhook::pending`] and those never taken
    /// from their iterator.
    pub fn pending_count(&self) -> u64 {
        self.pending.len() as u64 + self.untouched.iter().map(Untouched::len).sum::<u64>()
    }

    /// Takes every pending event out of the webhook (they will not be resumed), taking the
    /// untouched ones from their iterators.
    pub fn take_pending(&mut self) -> Vec<PendingEvent> {
        let mut taken: Vec<PendingEvent> = self.pending.drain(..).collect();
        for rest in self.untouched.drain(..) {
            for event in rest.0 {
                taken.push(PendingEvent {
                    index: self.next_index,
                    event,
                    attempts: 0,
                });
                self.next_index += 1;
            }
        }
        taken
    }

    /// Makes a paused webhook active again with its failure count reset, as a user does in
    /// awork's integration settings. Pending events are sent by the next `deliver` or `resume`.
    pub fn enable(&mut self) {
        self.state = WebhookState::Active;
        self.consecutive_failures = 0;
    }

    /// Delivers the pending events, and no new ones.
    pub async fn resume(&mut self, observer: &mut impl Observer) -> RunReport {
        self.deliver(std::iter::empty(), observer).await
    }

    /// Delivers the pending events, then `events`, pulling them lazily, and returns when every
    /// event is delivered, failed or pending.
    ///
    /// Memory stays flat in the number of events. If the webhook pauses (or is paused), the rest
    /// of `events` is kept in the webhook as it is, to be taken from when the webhook resumes
    /// (that is why the iterator must be `Send + 'static`), and is counted as pending through
    /// its `size_hint`. An iterator whose `size_hint` is not exact cannot be counted that way:
    /// its rest is then collected, so memory grows with the number of pending events.
    pub async fn deliver<I>(&mut self, events: I, observer: &mut impl Observer) -> RunReport
    where
        I: IntoIterator<Item = Event>,
        I::IntoIter: Send + 'static,
    {
        self.deliver_until(events, observer, std::future::pending())
            .await
    }

    /// Delivers as [`Webhook::deliver`] does until `stop` completes (a signal, a deadline). From
    /// then on no attempt starts: the attempts on the wire finish (within the timeout) and are
    /// recorded, and every event not delivered or failed by then is pending, as after a pause,
    /// though the webhook stays active. The next `deliver` or `resume` sends them.
    pub async fn deliver_until<I>(
        &mut self,
        events: I,
        observer: &mut impl Observer,
        stop: impl Future<Output = ()>,
    ) -> RunReport
    where
        I: IntoIterator<Item = Event>,
        I::IntoIter: Send + 'static,
    {
        let mut stop = std::pin::pin!(stop);
        // A stop that came before the run (a signal while the input was checked) starts nothing.
        let mut stopping =
            std::future::poll_fn(|context| Poll::Ready(stop.as_mut().poll(context).is_ready()))
                .await;
        let mut source = Source {
            queued: std::mem::take(&mut self.pending),
            untouched: std::mem::take(&mut self.untouched),
            fresh: Some(events.into_iter()),
            next_index: self.next_index,
        };
        let concurrency = self.config.concurrency.get();
        let timeout = self.config.timeout;
        let max_retries = self.config.max_retries;
        let pause_after = self.config.pause_after;
        let rate_interval = self
            .config
            .rate
            .and_then(|rate| Duration::try_from_secs_f64(1.0 / rate).ok());

        let mut report = Report {
            events: 0,
            delivered: 0,
            failed: 0,
            pending: 0,
            attempts: 0,
            webhook: self.state,
        };
        let mut failed = Vec::new();
        let mut pending = Vec::new();
        let transport = &self.transport;
        let mut on_wire = FuturesUnordered::new();
        let mut waiting: BinaryHeap<Waiting> = BinaryHeap::new();
        let mut sequence = 0u64;
        let mut exhausted = false;
        let mut next_start = Instant::now();

        loop {
            let halted = stopping || self.state == WebhookState::Paused;
            if halted {
                // A pause (or a stop) ends every delivery still waiting for its retry.
                pending.extend(waiting.drain().map(|waiting| waiting.flight.into_pending()));
            } else {
                if waiting.peek().is_some() {
                    let now = Instant::now();
                    while waiting.peek().is_some_and(|first| first.due <= now) {
                        if let Some(due) = waiting.pop() {
                            on_wire.push(attempt(transport, due.flight, timeout));
                        }
                    }
                }
                // Start new events while there is room and the rate allows.
                while on_wire.len() + waiting.len() < concurrency && !exhausted {
                    let now = rate_interval.map(|_| Instant::now());
                    if now.is_some_and(|now| now < next_start) {
                        break;
                    }
                    let Some(flight) = source.next() else {
                        exhausted = true;
                        break;
                    };
                    report.events += 1;
                    on_wire.push(attempt(transport, flight, timeout));
                    if let (Some(interval), Some(now)) = (rate_interval, now) {
                        next_start = next_start.max(now) + interval;
                        // The last one, by an exact size hint: nothing waits for the rate's
                        // next start to find the events exhausted (a run ended a whole interval
                        // late). Without a rate the next turn finds it at once.
                        exhausted = source.known_exhausted();
                    }
                }
            }
            let room = !halted && !exhausted && on_wire.len() + waiting.len() < concurrency;
            // The next instant something must start: a retry that is due, or (with room for one)
            // the next new event the rate allows.
            let wake = match (waiting.peek(), rate_interval.is_some() && room) {
                (Some(first), true) => Some(first.due.min(next_start)),
                (Some(first), false) => Some(first.due),
                (None, true) => Some(next_start),
                (None, false) => None,
            };
            if on_wire.is_empty() && wake.is_none() {
                // Nothing on the wire, nothing waiting, nothing more to start.
                break;
            }
            let sleep = async {
                match wake {
                    Some(wake) => tokio::time::sleep_until(wake).await,
                    None => std::future::pending().await,
                }
            };
            let done = tokio::select! {
                biased;
                done = on_wire.next(), if !on_wire.is_empty() => done,
                () = &mut stop, if !stopping => {
                    stopping = true;
                    continue;
                }
                () = sleep => continue,
            };
            let Some((mut flight, attempted)) = done else {
                unreachable!("the set of attempts on the wire is not empty");
            };
            flight.attempts += 1;
            report.attempts += 1;
            let decision = if attempted.outcome.is_success() {
                self.consecutive_failures = 0;
                Decision::Delivered
            } else {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                if self.consecutive_failures > pause_after {
                    self.state = WebhookState::Paused;
                }
                if flight.attempts > max_retries {
                    Decision::GiveUp
                } else if self.state == WebhookState::Paused {
                    Decision::Pause
                } else {
                    Decision::Retry {
                        after: self.config.retry_schedule.delay(flight.attempts),
                    }
                }
            };
            // The record borrows the label and the outcome for the observer and hands them back,
            // so reporting an attempt allocates nothing.
            let record = AttemptRecord {
                event: flight.index,
                label: std::mem::take(&mut flight.event.label),
                attempt: flight.attempts,
                outcome: attempted.outcome,
                latency: attempted.latency,
                time: attempted.time,
                decision,
                consecutive_failures: self.consecutive_failures,
            };
            observer.on_attempt(&record);
            flight.event.label = record.label;
            match decision {
                Decision::Delivered => report.delivered += 1,
                Decision::GiveUp => {
                    report.failed += 1;
                    if failed.len() < FAILED_LISTED {
                        failed.push(FailedEvent {
                            index: flight.index,
                            label: flight.event.label,
                            state: DeliveryState::Failed {
                                attempts: flight.attempts,
                                last: record.outcome,
                            },
                        });
                    }
                }
                Decision::Pause => pending.push(flight.into_pending()),
                Decision::Retry { after } => {
                    waiting.push(Waiting {
                        due: Instant::now() + after,
                        sequence,
                        flight,
                    });
                    sequence += 1;
                }
            }
        }
        drop(on_wire);

        // Paused or stopped: the rest of this run's iterator is kept as it is, never dropped.
        if let Some(rest) = source.fresh.take() {
            let (low, high) = rest.size_hint();
            if high == Some(low) {
                if low > 0 {
                    source.untouched.push_back(Untouched(Box::new(rest)));
                }
            } else {
                // Without an exact length the rest cannot be counted without taking it.
                let rest: Vec<Event> = rest.collect();
                source
                    .untouched
                    .push_back(Untouched(Box::new(rest.into_iter())));
            }
        }
        let untouched_len: u64 = source.untouched.iter().map(Untouched::len).sum();
        // Pending events of earlier runs that this run never reached are still handled by it.
        report.events += source.queued.len() as u64 + untouched_len;
        pending.extend(source.queued);
        pending.sort_by_key(|item| item.index);
        failed.sort_by_key(|item| item.index);
        report.pending = pending.len() as u64 + untouched_len;
        report.webhook = self.state;
        let pending_list = pending
            .iter()
            .map(|item| (item.index, item.event.label.clone(), item.attempts))
            .collect();
        self.pending = pending.into();
        self.untouched = source.untouched;
        self.next_index = source.next_index;
        RunReport {
            report,
            semantics: Semantics::of(&self.config),
            failed,
            pending: pending_list,
            untouched: self.next_index..self.next_index + untouched_len,
        }
    }
}
