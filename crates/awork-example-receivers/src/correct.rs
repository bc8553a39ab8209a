//! The correct receiver: the one to copy.
//!
//! awork counts a delivery as successful only when a 2xx arrives within 30 seconds. Anything else
//! (an error status, a redirect, a timeout, a reset) is a failed attempt: awork retries the event up
//! to 10 times and pauses the whole webhook after more than 10 failures in a row, and a paused
//! webhook delivers nothing until someone enables it again. So a receiver's first duty is to answer
//! 2xx quickly to every genuine event, including the ones it does not understand yet, and to refuse
//! only what no retry can fix and nobody should send (a forged call, a body that is not an event).
//!
//! The handler below does, in order:
//! 1. check the auth header, in constant time ([`AuthCheck`]);
//! 2. read the body with a size limit and a time limit ([`read_body`]);
//! 3. parse it leniently with `awork-models` ([`parse_event`]);
//! 4. recognise a redelivery and acknowledge it without processing it again ([`RecentDeliveries`]);
//! 5. hand the event to a background worker over a bounded queue and answer 202 at once
//!    ([`Worker`]).
//!
//! In production, make step 5 durable: write the event to your database or message queue before
//! answering. That is still fast, and an event acknowledged but held only in memory is lost if the
//! process dies, because awork will not send it again.

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use awork_models::Envelope;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, Request, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use serde_json::Value;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::server::{Log, Outcome, Stats};

/// The largest body accepted. awork payloads are usually a few KiB, but a task with a long
/// description or a project with many members reaches a few hundred KiB; 1 MiB leaves room for that
/// and still stops a client from making the server buffer arbitrary amounts.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// How much of a refused body is still read (and thrown away) before answering; see
/// [`discard_body`].
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

/// How long a client may take to send its body. awork sends a body at once; a client that trickles
/// it would otherwise hold a connection (and, in a server that limits concurrency, a slot) forever.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many acknowledged events may wait for the worker. The queue is bounded so a burst cannot
/// exhaust memory; when it is full the receiver answers 503 and awork delivers the event again later.
const QUEUE_CAPACITY: usize = 1024;

/// How many recent deliveries are remembered to recognise redeliveries. awork retries a failed
/// event for a while (10 retries, with growing waits), so the window must hold every event that
/// arrives in that time. 10,000 keys take about a MiB.
const REMEMBERED_DELIVERIES: usize = 10_000;

/// Why a request is refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    /// The auth header is missing or wrong.
    #[error("missing or wrong auth header")]
    Unauthorized,
    /// The body is larger than the limit.
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body did not arrive in time.
    #[error("body not received within {BODY_READ_TIMEOUT:?}")]
    SlowBody,
    /// The connection failed while the body was read.
    #[error("could not read the body: {0}")]
    BodyRead(#[source] hyper::Error),
    /// The body is not an awork event.
    #[error("{0}")]
    Malformed(String),
    /// The queue to the worker is full (or the receiver is shutting down).
    #[error("busy: try again later")]
    Busy,
}

impl Refusal {
    /// The status that says why. Only [`Refusal::Busy`] is worth retrying as is; awork retries
    /// every failure anyway, which is why the others are only for requests that are not awork's.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Refusal::Unauthorized => StatusCode::UNAUTHORIZED,
            Refusal::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::SlowBody => StatusCode::REQUEST_TIMEOUT,
            Refusal::BodyRead(_) | Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
            Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// How an event was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// Queued for the worker: 202.
    Queued,
    /// Seen before, so acknowledged without processing it again: 200.
    Redelivery,
    /// Processed before answering (only careless receivers do this): 200.
    Processed,
}

impl Accepted {
    /// The answer for this acceptance.
    pub(crate) fn outcome(self, event_type: Option<String>) -> Outcome {
        match self {
            Accepted::Queued => Outcome::new(StatusCode::ACCEPTED, "accepted", event_type),
            Accepted::Redelivery => Outcome::new(StatusCode::OK, "already received", event_type),
            Accepted::Processed => Outcome::new(StatusCode::OK, "processed", event_type),
        }
    }
}

/// The configured auth header is not a valid HTTP header. The value is never shown.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AuthConfigError {
    /// The name is not a header name.
    #[error("{0:?} is not a valid header name")]
    Name(String),
    /// The value is not a header value (it contains a control character, for example).
    #[error("the value of the auth header {0} is not a valid header value")]
    Value(HeaderName),
}

/// The auth header check.
///
/// awork sends the header name and value configured on the webhook with every request; anyone who
/// knows the URL can send events without it. Comparing in constant time matters because an
/// ordinary `==` returns at the first differing byte: by timing many guesses, an attacker can find
/// the secret byte by byte. The expected value is never logged or shown in `Debug`.
pub(crate) struct AuthCheck {
    expected: Option<(HeaderName, Vec<u8>)>,
}

impl AuthCheck {
    /// A check for `auth`, as (header name, expected value); `None` accepts every request.
    pub(crate) fn new(auth: Option<(String, String)>) -> Result<Self, AuthConfigError> {
        let expected = match auth {
            None => None,
            Some((name, value)) => {
                let name = HeaderName::try_from(name.trim())
                    .map_err(|_| AuthConfigError::Name(name.clone()))?;
                if http::HeaderValue::try_from(value.as_str()).is_err() {
                    return Err(AuthConfigError::Value(name));
                }
                Some((name, value.into_bytes()))
            }
        };
        Ok(Self { expected })
    }

    /// Passes the request's body on when no header is required, or when the request carries it
    /// with the expected value.
    ///
    /// A refused request's body is read and thrown away before the 401 goes out (see
    /// [`discard_body`]), so the client reliably gets the 401.
    pub(crate) async fn admit(&self, request: Request<Incoming>) -> Result<Incoming, Refusal> {
        let (parts, body) = request.into_parts();
        if self.accepts(&parts.headers) {
            Ok(body)
        } else {
            discard_body(body).await;
            Err(Refusal::Unauthorized)
        }
    }

    fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some((name, expected)) = &self.expected else {
            return true;
        };
        let Some(given) = headers.get(name) else {
            return false;
        };
        // `ct_eq` looks at every byte whatever it finds. (Only a difference in length returns
        // early, which tells an attacker the length at most, not the content.)
        bool::from(given.as_bytes().ct_eq(expected))
    }
}

/// Reads the whole body, refusing more than `limit` bytes or a body that takes longer than 10 s.
///
/// A too-large body is still read to its end and thrown away before the 413 is sent; see
/// [`discard_body`].
pub(crate) async fn read_body(mut body: Incoming, limit: usize) -> Result<Bytes, Refusal> {
    let read = async {
        match Limited::new(&mut body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(error) if error.is::<LengthLimitError>() => {
                drain(&mut body, limit).await;
                Err(Refusal::TooLarge { limit })
            }
            Err(error) => match error.downcast::<hyper::Error>() {
                Ok(error) => Err(Refusal::BodyRead(*error)),
                // `Limited` only adds `LengthLimitError` to the body's own errors.
                Err(other) => Err(Refusal::Malformed(other.to_string())),
            },
        }
    };
    tokio::time::timeout(BODY_READ_TIMEOUT, read)
        .await
        .unwrap_or(Err(Refusal::SlowBody))
}

/// Reads a body to its end (at most 8 MiB, within 10 s) and throws it away, before refusing the
/// request.
///
/// Answering without reading the body would be cheaper, but if the server then closed the
/// connection with the client's data unread, the kernel would answer with a reset, and the client
/// could see a broken connection instead of the status that tells it what is wrong.
pub(crate) async fn discard_body(mut body: Incoming) {
    let _timed_out = tokio::time::timeout(BODY_READ_TIMEOUT, drain(&mut body, 0)).await;
}

/// Reads and discards the rest of a body, at most up to [`DRAIN_LIMIT`] bytes in all.
async fn drain(body: &mut Incoming, already: usize) {
    let mut read = already;
    while read <= DRAIN_LIMIT && !body.is_end_stream() {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, Bytes::len),
            Some(Err(_)) | None => break,
        }
    }
}

/// Reads a body as JSON; refuses anything that is not a JSON object.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, Refusal> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| Refusal::Malformed(format!("not JSON: {error}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(Refusal::Malformed("not a JSON object".to_owned()))
    }
}

/// Reads a JSON object as an awork event, leniently.
///
/// `awork-models` accepts what awork has sent and may send: properties it does not know (kept in
/// `extra` maps), event names in any of awork's spellings and ones awork adds later, timestamps
/// with 0 to 7 fractional digits and `Z` or `+00:00`, and absent optional properties. A receiver
/// that refuses any of these refuses real events, and awork pauses it. What it refuses (no
/// `eventType`, no `entity`, a property of the wrong type) is not an awork event at all.
pub(crate) fn parse_event_value(value: Value) -> Result<Envelope, Refusal> {
    Envelope::from_value(value).map_err(|problems| {
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Refusal::Malformed(format!("not an awork event: {}", problems.join("; ")))
    })
}

/// [`parse_json`], then [`parse_event_value`].
pub(crate) fn parse_event(body: &[u8]) -> Result<Envelope, Refusal> {
    parse_json(body).and_then(parse_event_value)
}

/// A set that remembers at most `capacity` items, forgetting the oldest first, so memory stays
/// bounded however long the receiver runs.
#[derive(Debug)]
pub(crate) struct BoundedSet<T> {
    items: HashSet<T>,
    order: VecDeque<T>,
    capacity: usize,
}

impl<T: Hash + Eq + Clone> BoundedSet<T> {
    /// An empty set that holds at most `capacity` items.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            items: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Adds `item`; returns whether it was new.
    pub(crate) fn insert(&mut self, item: T) -> bool {
        if !self.items.insert(item.clone()) {
            return false;
        }
        self.order.push_back(item);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.items.remove(&oldest);
            }
        }
        true
    }

    /// Whether `item` is in the set.
    pub(crate) fn contains(&self, item: &T) -> bool {
        self.items.contains(item)
    }

    /// Removes `item`.
    fn remove(&mut self, item: &T) {
        if self.items.remove(item) {
            self.order.retain(|kept| kept != item);
        }
    }
}

/// Locks a mutex that guards plain data; a panic elsewhere while it was held leaves the data
/// usable, so the poison is ignored rather than failing every later request.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What identifies one delivery of one event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum DeliveryKey {
    /// The `traceId`, with the event type and entity id: a trace id is awork's id for the
    /// operation, and one operation can cause several events (a task's status and the task changed),
    /// which must not be taken for redeliveries of each other.
    Trace {
        /// `traceId`.
        trace_id: String,
        /// `eventType`, as spelled.
        event_type: String,
        /// `entityId`.
        entity_id: String,
    },
    /// Without a `traceId`: a hash of the body, which a redelivery repeats byte for byte.
    Body(u64),
}

/// The recent deliveries, to recognise a redelivery.
///
/// awork redelivers an event when it did not see a 2xx in time, which happens even when the
/// receiver got and processed it (the answer was lost or late). Processing it again would, say,
/// create a task twice; refusing it would make awork retry it again and again. So: answer 2xx, and
/// do nothing.
#[derive(Debug)]
pub(crate) struct RecentDeliveries {
    keys: Mutex<BoundedSet<DeliveryKey>>,
    /// Random keys for the body hash, so nobody can craft two bodies with the same hash to have an
    /// event dropped as a "redelivery".
    hasher: RandomState,
}

impl RecentDeliveries {
    /// An empty memory of [`REMEMBERED_DELIVERIES`] deliveries.
    pub(crate) fn new() -> Self {
        Self {
            keys: Mutex::new(BoundedSet::new(REMEMBERED_DELIVERIES)),
            hasher: RandomState::new(),
        }
    }

    /// The key of `event`, whose body was `body`.
    pub(crate) fn key(&self, event: &Envelope, body: &[u8]) -> DeliveryKey {
        match &event.trace_id {
            Some(trace_id) => DeliveryKey::Trace {
                trace_id: trace_id.clone(),
                event_type: event.event_type.as_str().to_owned(),
                entity_id: event.entity_id.clone(),
            },
            None => DeliveryKey::Body(self.hasher.hash_one(body)),
        }
    }

    /// Records `key`; returns whether it was new. Recording and checking are one step, so two
    /// copies of an event arriving at once are not both taken as new.
    pub(crate) fn first_time(&self, key: &DeliveryKey) -> bool {
        lock(&self.keys).insert(key.clone())
    }

    /// Forgets `key`, for an event that was recorded but then not accepted: its redelivery must be
    /// processed, not ignored.
    pub(crate) fn forget(&self, key: &DeliveryKey) {
        lock(&self.keys).remove(key);
    }
}

/// The sending end of the queue to the background worker.
///
/// Processing (writing to a database, calling other services) can be slow or fail; none of that may
/// delay the answer to awork, which has only 30 seconds and counts a late answer as a failure.
#[derive(Debug)]
pub(crate) struct Worker {
    queue: mpsc::Sender<Envelope>,
    processor: Arc<Processor>,
}

impl Worker {
    /// Starts the worker task; it ends when the [`Worker`] is dropped and the queue is empty.
    pub(crate) fn spawn(stats: Arc<Stats>, log: Log) -> (Worker, JoinHandle<()>) {
        let (queue, mut events) = mpsc::channel(QUEUE_CAPACITY);
        let processor = Arc::new(Processor { stats, log });
        let background = Arc::clone(&processor);
        let task = tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                background.process(&event);
            }
        });
        (Worker { queue, processor }, task)
    }

    /// Queues `event` without waiting: a full queue is answered 503 at once, not by holding the
    /// request until the worker catches up.
    pub(crate) fn enqueue(&self, event: Envelope) -> Result<(), Refusal> {
        // Counted before it is queued, so `processed` never runs ahead of `accepted`.
        self.processor.stats.accepted_one();
        self.queue.try_send(event).map_err(|_| {
            self.processor.stats.accepted_none();
            Refusal::Busy
        })
    }

    /// Processes `event` right away, in the handler. Only careless receivers do this.
    pub(crate) fn process_now(&self, event: &Envelope) {
        self.processor.stats.accepted_one();
        self.processor.process(event);
    }
}

/// What processes events.
#[derive(Debug)]
struct Processor {
    stats: Arc<Stats>,
    log: Log,
}

impl Processor {
    /// Processes one event. Your business logic goes here. Write it so that events can arrive in any
    /// order: awork makes no promise, and retries reorder events anyway. For example, treat a change
    /// to an entity you do not know as an upsert, and a deletion of one you do not know as done.
    fn process(&self, event: &Envelope) {
        self.stats.processed_one();
        self.log.line(format_args!(
            "processed {} {}",
            event.event_type, event.entity_id
        ));
    }
}

/// The correct receiver.
#[derive(Debug)]
pub(crate) struct Receiver {
    auth: AuthCheck,
    recent: RecentDeliveries,
    worker: Worker,
}

impl Receiver {
    /// A receiver that checks `auth` and hands events to `worker`.
    pub(crate) fn new(auth: AuthCheck, worker: Worker) -> Self {
        Self {
            auth,
            recent: RecentDeliveries::new(),
            worker,
        }
    }

    /// Answers one `POST` to the webhook path.
    pub(crate) async fn handle(&self, request: Request<Incoming>) -> Outcome {
        let mut event_type = None;
        match self.accept(request, &mut event_type).await {
            Ok(accepted) => accepted.outcome(event_type),
            Err(refusal) => Outcome::new(refusal.status(), &refusal, event_type),
        }
    }

    /// The steps of the module docs; sets `event_type` once it is known, for the log.
    async fn accept(
        &self,
        request: Request<Incoming>,
        event_type: &mut Option<String>,
    ) -> Result<Accepted, Refusal> {
        // Before parsing anything: a forged call must not reach any of our code.
        let body = self.auth.admit(request).await?;
        let body = read_body(body, BODY_LIMIT).await?;
        let event = parse_event(&body)?;
        *event_type = Some(event.event_type.to_string());
        // No check on the event type or on the order of events: an event type awork adds later,
        // or a change that arrives before its entity's addition, is still acknowledged; see
        // `Processor::process`.
        let key = self.recent.key(&event, &body);
        if !self.recent.first_time(&key) {
            return Ok(Accepted::Redelivery);
        }
        if let Err(busy) = self.worker.enqueue(event) {
            self.recent.forget(&key);
            return Err(busy);
        }
        Ok(Accepted::Queued)
    }
}

impl std::fmt::Debug for AuthCheck {
    /// The header's name only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCheck")
            .field("header", &self.expected.as_ref().map(|(name, _)| name))
            .finish_non_exhaustive()
    }
}
