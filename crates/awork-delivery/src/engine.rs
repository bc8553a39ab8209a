//! The delivery engine: a [`Webhook`] takes a lazy stream of opaque [`Event`]s and delivers them
//! with awork's semantics (timeout, retries on a schedule, pause after too many consecutive
//! failures), reporting every attempt to an [`Observer`] and returning a [`RunReport`].
//!
//! The engine does not know what an event contains, never prints, and never reads the wall
//! clock for decisions: all waiting goes through `tokio::time`, so a test can pause the clock.
//!
//! # Implementation notes
//!
//! One coordinator loop owns all decisions. Each delivery's next attempt (with its retry delay in
//! front) runs as a task in a [`JoinSet`]; the loop handles completions one at a time, so the
//! count of consecutive failures is updated in a single place, in completion order. When the
//! webhook pauses, a `watch` flag stops every task that is still waiting for its retry delay;
//! attempts already on the wire are allowed to finish and are recorded (a success still
//! delivers). Per-event state exists only for events in flight, failed or pending, never for
//! delivered ones, and events are pulled from the iterator only when a delivery slot is free.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    pub rate: Option<u32>,
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
            rate: config.rate.map(|rate| rate.get()),
        }
    }
}

impl std::fmt::Display for Semantics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "timeout {}, up to {} retries, retry schedule {}, pause after {} consecutive failures",
            format_duration(Duration::from_millis(self.timeout_ms)),
            self.max_retries,
            self.retry_schedule,
            self.pause_after
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
    /// The events that failed in this run, by index.
    pub failed: Vec<FailedEvent>,
    /// Index, label and attempts of the events pending at the end of the run (the events
    /// themselves stay queued in the webhook).
    pub pending: Vec<(u64, String, u32)>,
}

/// One webhook: its configuration, its transport, its state and its queue of pending events.
///
/// The state survives between calls: a paused webhook stays paused (later events are queued as
/// pending without any attempt) until [`Webhook::enable`]; the next [`Webhook::deliver`] (or
/// [`Webhook::resume`]) sends the queued pending events first, in index order, then the new ones.
#[derive(Debug)]
pub struct Webhook<T: Transport = HttpTransport> {
    config: WebhookConfig,
    transport: Arc<T>,
    state: WebhookState,
    consecutive_failures: u32,
    pending: VecDeque<PendingEvent>,
    next_index: u64,
}

impl Webhook<HttpTransport> {
    /// A webhook delivering over HTTP(S) with `config`.
    pub fn new(config: WebhookConfig) -> Result<Self, TransportError> {
        let transport = HttpTransport::new(&config)?;
        Ok(Self::with_transport(config, transport))
    }
}

struct InFlight {
    label: String,
    body: Bytes,
    attempts: u32,
}

struct Attempted {
    outcome: AttemptOutcome,
    latency: Duration,
    time: chrono::DateTime<Utc>,
}

impl<T: Transport> Webhook<T> {
    /// A webhook using any transport (a fake one in tests).
    pub fn with_transport(config: WebhookConfig, transport: T) -> Self {
        Self {
            config,
            transport: Arc::new(transport),
            state: WebhookState::Active,
            consecutive_failures: 0,
            pending: VecDeque::new(),
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

    /// The events kept because the webhook paused, in index order.
    pub fn pending(&self) -> impl ExactSizeIterator<Item = &PendingEvent> {
        self.pending.iter()
    }

    /// Takes the pending events out of the webhook (they will not be resumed).
    pub fn take_pending(&mut self) -> Vec<PendingEvent> {
        self.pending.drain(..).collect()
    }

    /// Makes a paused webhook active again with its failure count reset, as a user does in
    /// awork's integration settings. Pending events are sent by the next `deliver` or `resume`.
    pub fn enable(&mut self) {
        self.state = WebhookState::Active;
        self.consecutive_failures = 0;
    }

    /// Delivers the queued pending events, and no new ones.
    pub async fn resume(&mut self, observer: &mut impl Observer) -> RunReport {
        self.deliver(std::iter::empty(), observer).await
    }

    /// Delivers the pending events, then `events`, pulling them lazily, and returns when every
    /// event is delivered, failed or pending.
    ///
    /// Memory stays flat in the number of delivered events. If the webhook pauses, the rest of
    /// `events` is drained into the pending queue (events are never dropped), so memory then grows
    /// with the number of pending events.
    pub async fn deliver<I>(&mut self, events: I, observer: &mut impl Observer) -> RunReport
    where
        I: IntoIterator<Item = Event>,
    {
        let queued = std::mem::take(&mut self.pending);
        let mut next_index = self.next_index;
        let fresh = events.into_iter().map(|event| {
            let index = next_index;
            next_index += 1;
            PendingEvent {
                index,
                event,
                attempts: 0,
            }
        });
        let mut source = queued.into_iter().chain(fresh).fuse();

        let config = self.config.clone();
        let concurrency = config.concurrency.get();
        let rate_interval = config
            .rate
            .map(|rate| Duration::from_secs_f64(1.0 / f64::from(rate.get())));
        let (pause_tx, pause_rx) = watch::channel(self.state == WebhookState::Paused);

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
        let mut in_flight: HashMap<u64, InFlight> = HashMap::new();
        let mut tasks: JoinSet<(u64, Option<Attempted>)> = JoinSet::new();
        let mut exhausted = false;
        let mut next_start = Instant::now();

        loop {
            // Start new events while there is room, the webhook is active and the rate allows.
            while self.state == WebhookState::Active && in_flight.len() < concurrency && !exhausted
            {
                let now = Instant::now();
                if rate_interval.is_some() && now < next_start {
                    break;
                }
                let Some(item) = source.next() else {
                    exhausted = true;
                    break;
                };
                if let Some(interval) = rate_interval {
                    next_start = next_start.max(now) + interval;
                }
                report.events += 1;
                let flight = InFlight {
                    label: item.event.label,
                    body: item.event.body,
                    attempts: item.attempts,
                };
                self.spawn_attempt(&mut tasks, &pause_rx, item.index, &flight, Duration::ZERO);
                in_flight.insert(item.index, flight);
            }
            if in_flight.is_empty() {
                if self.state == WebhookState::Paused || exhausted {
                    break;
                }
                // Only the rate limit can leave the loop here with nothing in flight.
                tokio::time::sleep_until(next_start).await;
                continue;
            }
            let rate_wait = rate_interval.is_some()
                && self.state == WebhookState::Active
                && !exhausted
                && in_flight.len() < concurrency;
            let joined = tokio::select! {
                joined = tasks.join_next() => joined,
                () = tokio::time::sleep_until(next_start), if rate_wait => continue,
            };
            let (index, attempted) = match joined {
                Some(Ok(done)) => done,
                Some(Err(error)) if error.is_panic() => {
                    std::panic::resume_unwind(error.into_panic())
                }
                // Tasks are never aborted, and `in_flight` is not empty, so the set is not empty.
                Some(Err(_)) | None => unreachable!("delivery task cancelled or missing"),
            };
            let Some(mut flight) = in_flight.remove(&index) else {
                unreachable!("a finished task always has its delivery in flight");
            };
            let Some(attempted) = attempted else {
                // Stopped during its retry delay because the webhook paused.
                pending.push(PendingEvent {
                    index,
                    event: Event {
                        label: flight.label,
                        body: flight.body,
                    },
                    attempts: flight.attempts,
                });
                continue;
            };
            flight.attempts += 1;
            report.attempts += 1;
            let decision = if attempted.outcome.is_success() {
                self.consecutive_failures = 0;
                Decision::Delivered
            } else {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                if self.consecutive_failures > config.pause_after
                    && self.state == WebhookState::Active
                {
                    self.state = WebhookState::Paused;
                    pause_tx.send_replace(true);
                }
                if flight.attempts > config.max_retries {
                    Decision::GiveUp
                } else if self.state == WebhookState::Paused {
                    Decision::Pause
                } else {
                    Decision::Retry {
                        after: config.retry_schedule.delay(flight.attempts),
                    }
                }
            };
            observer.on_attempt(&AttemptRecord {
                event: index,
                label: flight.label.clone(),
                attempt: flight.attempts,
                outcome: attempted.outcome.clone(),
                latency: attempted.latency,
                time: attempted.time,
                decision,
            });
            match decision {
                Decision::Delivered => report.delivered += 1,
                Decision::GiveUp => failed.push(FailedEvent {
                    index,
                    label: flight.label,
                    state: DeliveryState::Failed {
                        attempts: flight.attempts,
                        last: attempted.outcome,
                    },
                }),
                Decision::Pause => pending.push(PendingEvent {
                    index,
                    event: Event {
                        label: flight.label,
                        body: flight.body,
                    },
                    attempts: flight.attempts,
                }),
                Decision::Retry { after } => {
                    self.spawn_attempt(&mut tasks, &pause_rx, index, &flight, after);
                    in_flight.insert(index, flight);
                }
            }
        }

        // Paused: everything not yet taken from the source is pending too, never dropped.
        if self.state == WebhookState::Paused {
            for item in source.by_ref() {
                report.events += 1;
                pending.push(item);
            }
        }
        drop(source);
        self.next_index = next_index;
        pending.sort_by_key(|item| item.index);
        failed.sort_by_key(|item| item.index);
        report.failed = failed.len() as u64;
        report.pending = pending.len() as u64;
        report.webhook = self.state;
        let pending_list = pending
            .iter()
            .map(|item| (item.index, item.event.label.clone(), item.attempts))
            .collect();
        self.pending = pending.into();
        RunReport {
            report,
            semantics: Semantics::of(&config),
            failed,
            pending: pending_list,
        }
    }

    fn spawn_attempt(
        &self,
        tasks: &mut JoinSet<(u64, Option<Attempted>)>,
        paused: &watch::Receiver<bool>,
        index: u64,
        flight: &InFlight,
        delay: Duration,
    ) {
        let transport = Arc::clone(&self.transport);
        let body = flight.body.clone();
        let timeout = self.config.timeout;
        let mut paused = paused.clone();
        tasks.spawn(async move {
            if !delay.is_zero() {
                tokio::select! {
                    biased;
                    _ = paused.wait_for(|paused| *paused) => return (index, None),
                    () = tokio::time::sleep(delay) => {}
                }
            }
            if *paused.borrow() {
                return (index, None);
            }
            let time = Utc::now();
            let start = Instant::now();
            let outcome = transport.send(body, timeout).await;
            let latency = start.elapsed();
            (
                index,
                Some(Attempted {
                    outcome,
                    latency,
                    time,
                }),
            )
        });
    }
}
