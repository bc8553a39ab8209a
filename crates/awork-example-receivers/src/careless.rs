//! The careless receiver: the correct receiver (`correct.rs`) with exactly one classic mistake, for
//! the conformance suite to catch.
//!
//! Each [`Mistake`] is one that real webhook receivers make, and each costs events in production:
//! awork retries a failed delivery up to 10 times and pauses the webhook after more than 10
//! failures in a row.

use std::sync::Mutex;
use std::time::Duration;

use awork_models::{AworkDateTime, Entity, Envelope};
use bytes::Bytes;
use http::{Request, StatusCode};
use hyper::body::Incoming;
use serde_json::{Map, Value};

use crate::correct::{
    self, Accepted, AuthCheck, BODY_LIMIT, BoundedSet, RecentDeliveries, Refusal, Worker, lock,
};
use crate::server::Outcome;

/// How long [`Mistake::SlowAnswers`] works on each request before answering: a call to a slow
/// service, past awork's 30 s.
pub const SLOW_ANSWER_DELAY: Duration = Duration::from_secs(35);

/// How long [`Mistake::OneAtATime`] works on each request, while no other request is served: a
/// lookup in awork's API and a database write. A burst of 50 queues for 50 s, past awork's 30 s.
pub const ONE_AT_A_TIME_WORK: Duration = Duration::from_secs(1);

/// The body limit of [`Mistake::SmallBodyLimit`]: below the few hundred KiB real events reach.
const SMALL_BODY_LIMIT: usize = 64 * 1024;

/// How many added entities [`Mistake::OutOfOrderRefused`] remembers.
const REMEMBERED_ENTITIES: usize = 100_000;

/// A classic mistake of webhook receivers. On the command line each is written in kebab-case
/// (`slow-answers`, `seven-digit-timestamps-refused`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Mistake {
    /// Does the work before answering, calling a slow service: 35 s per request, past awork's 30 s
    /// (conformance case `responds-in-time`).
    SlowAnswers,
    /// Answers every request with a 307 redirect (case `no-redirect`).
    Redirect,
    /// Ignores the auth header (cases `rejects-missing-auth`, `rejects-wrong-auth`).
    NoAuthCheck,
    /// Refuses events with properties it does not know (case `tolerates-unknown-fields`).
    StrictFields,
    /// Reads timestamps like Python 3.10's `datetime.fromisoformat` (case
    /// `accepts-dotnet-timestamps`).
    SevenDigitTimestampsRefused,
    /// Answers 409 to a redelivery (case `accepts-redelivery`).
    DuplicateRefused,
    /// Answers 404 to an event about an entity whose addition it has not seen (case
    /// `accepts-out-of-order`).
    OutOfOrderRefused,
    /// Serves one request at a time (case `accepts-burst`).
    OneAtATime,
    /// Refuses bodies above 64 KiB (case `accepts-large-payload`).
    SmallBodyLimit,
    /// Answers 400 to an event type it does not know (case `tolerates-unknown-event-type`).
    UnknownEventTypeRefused,
}

impl Mistake {
    /// Every mistake, in declaration order.
    pub const ALL: [Mistake; 10] = [
        Mistake::SlowAnswers,
        Mistake::Redirect,
        Mistake::NoAuthCheck,
        Mistake::StrictFields,
        Mistake::SevenDigitTimestampsRefused,
        Mistake::DuplicateRefused,
        Mistake::OutOfOrderRefused,
        Mistake::OneAtATime,
        Mistake::SmallBodyLimit,
        Mistake::UnknownEventTypeRefused,
    ];

    /// One sentence on what the receiver does wrong.
    pub fn describe(self) -> &'static str {
        match self {
            Mistake::SlowAnswers => {
                "processes each event before answering, calling a slow service: 35 s per request, past awork's 30 s"
            }
            Mistake::Redirect => {
                "answers every request with 307 Temporary Redirect to the same URL plus /v2"
            }
            Mistake::NoAuthCheck => {
                "accepts requests without the auth header or with a wrong value"
            }
            Mistake::StrictFields => {
                "refuses (400) an event with a property it does not know, in the envelope or the entity"
            }
            Mistake::SevenDigitTimestampsRefused => {
                "refuses (400) timestamps that Python 3.10's datetime.fromisoformat refuses: 7 fractional digits or a Z suffix"
            }
            Mistake::DuplicateRefused => "answers 409 Conflict to an event it has received before",
            Mistake::OutOfOrderRefused => {
                "answers 404 to an event about an entity whose addition it has not seen"
            }
            Mistake::OneAtATime => {
                "serves one request at a time, working 1 s on each, so a burst of 50 queues past awork's 30 s"
            }
            Mistake::SmallBodyLimit => "refuses (413) bodies larger than 64 KiB",
            Mistake::UnknownEventTypeRefused => "answers 400 to an event type it does not know",
        }
    }
}

/// Why a careless receiver refuses a request: the correct receiver's reasons, and its mistakes'.
#[derive(Debug, thiserror::Error)]
enum Refused {
    /// A refusal the correct receiver makes too.
    #[error(transparent)]
    Correct(#[from] Refusal),
    /// [`Mistake::DuplicateRefused`].
    #[error("duplicate event")]
    Duplicate,
    /// [`Mistake::OutOfOrderRefused`].
    #[error("unknown entity {0}")]
    UnknownEntity(String),
    /// [`Mistake::StrictFields`].
    #[error("unknown property {0}")]
    UnknownProperty(String),
    /// [`Mistake::SevenDigitTimestampsRefused`]; the text is Python's error message.
    #[error("Invalid isoformat string: {0:?}")]
    Timestamp(String),
    /// [`Mistake::UnknownEventTypeRefused`].
    #[error("unknown event type {0:?}")]
    UnknownEventType(String),
}

impl Refused {
    fn status(&self) -> StatusCode {
        match self {
            Refused::Correct(refusal) => refusal.status(),
            Refused::Duplicate => StatusCode::CONFLICT,
            Refused::UnknownEntity(_) => StatusCode::NOT_FOUND,
            Refused::UnknownProperty(_) | Refused::Timestamp(_) | Refused::UnknownEventType(_) => {
                StatusCode::BAD_REQUEST
            }
        }
    }
}

/// A receiver with one mistake.
#[derive(Debug)]
pub(crate) struct Receiver {
    mistake: Mistake,
    auth: AuthCheck,
    recent: RecentDeliveries,
    worker: Worker,
    /// Where [`Mistake::Redirect`] sends clients.
    moved_to: String,
    /// The entity ids [`Mistake::OutOfOrderRefused`] saw added.
    added: Mutex<BoundedSet<String>>,
    /// Held for the whole of each request by [`Mistake::OneAtATime`].
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl Receiver {
    /// A receiver making `mistake`, serving at `url`.
    pub(crate) fn new(mistake: Mistake, auth: AuthCheck, worker: Worker, url: &str) -> Self {
        Self {
            mistake,
            auth,
            recent: RecentDeliveries::new(),
            worker,
            moved_to: format!("{url}/v2"),
            added: Mutex::new(BoundedSet::new(REMEMBERED_ENTITIES)),
            one_at_a_time: tokio::sync::Mutex::new(()),
        }
    }

    /// Answers one `POST` to the webhook path.
    pub(crate) async fn handle(&self, request: Request<Incoming>) -> Outcome {
        // Like a single-threaded server: the lock is taken before anything else, reading the body
        // included, and held until the answer is ready.
        let _one_at_a_time = match self.mistake {
            Mistake::OneAtATime => Some(self.one_at_a_time.lock().await),
            _ => None,
        };
        if self.mistake == Mistake::Redirect {
            // The body is read (and ignored) so that the client reliably sees the answer.
            correct::discard_body(request.into_body()).await;
            let mut outcome = Outcome::new(
                StatusCode::TEMPORARY_REDIRECT,
                format!("moved to {}", self.moved_to),
                None,
            );
            outcome.location = Some(self.moved_to.clone());
            return outcome;
        }
        let mut event_type = None;
        match self.accept(request, &mut event_type).await {
            Ok(accepted) => accepted.outcome(event_type),
            Err(refused) => Outcome::new(refused.status(), &refused, event_type),
        }
    }

    /// The correct receiver's steps, with the mistake where it belongs.
    async fn accept(
        &self,
        request: Request<Incoming>,
        event_type: &mut Option<String>,
    ) -> Result<Accepted, Refused> {
        let body = match self.mistake {
            Mistake::NoAuthCheck => request.into_body(),
            _ => self.auth.admit(request).await?,
        };
        let limit = match self.mistake {
            Mistake::SmallBodyLimit => SMALL_BODY_LIMIT,
            _ => BODY_LIMIT,
        };
        let body: Bytes = correct::read_body(body, limit).await?;
        let value = correct::parse_json(&body)?;
        if self.mistake == Mistake::SevenDigitTimestampsRefused {
            python_timestamps(&value)?;
        }
        let event = correct::parse_event_value(value)?;
        *event_type = Some(event.event_type.to_string());
        match self.mistake {
            Mistake::StrictFields => strict_fields(&event)?,
            Mistake::UnknownEventTypeRefused if event.event_type.event_type().is_none() => {
                return Err(Refused::UnknownEventType(event.event_type.to_string()));
            }
            Mistake::OutOfOrderRefused => self.require_added(&event)?,
            _ => {}
        }
        let key = self.recent.key(&event, &body);
        if !self.recent.first_time(&key) {
            return match self.mistake {
                Mistake::DuplicateRefused => Err(Refused::Duplicate),
                _ => Ok(Accepted::Redelivery),
            };
        }
        match self.mistake {
            Mistake::SlowAnswers => {
                tokio::time::sleep(SLOW_ANSWER_DELAY).await;
                self.worker.process_now(&event);
                Ok(Accepted::Processed)
            }
            Mistake::OneAtATime => {
                tokio::time::sleep(ONE_AT_A_TIME_WORK).await;
                self.worker.process_now(&event);
                Ok(Accepted::Processed)
            }
            _ => match self.worker.enqueue(event) {
                Ok(()) => Ok(Accepted::Queued),
                Err(busy) => {
                    self.recent.forget(&key);
                    Err(busy.into())
                }
            },
        }
    }

    /// [`Mistake::OutOfOrderRefused`]: an addition (`*_added`, `*_created`) records its entity; any
    /// other event needs its entity recorded.
    fn require_added(&self, event: &Envelope) -> Result<(), Refused> {
        let name = event.event_type.as_str();
        let mut added = lock(&self.added);
        if name.ends_with("_added") || name.ends_with("_created") {
            added.insert(event.entity_id.clone());
            Ok(())
        } else if added.contains(&event.entity_id) {
            Ok(())
        } else {
            Err(Refused::UnknownEntity(event.entity_id.clone()))
        }
    }
}

/// [`Mistake::StrictFields`]: the envelope and its entity may have no property the models do not
/// know. (The entity of an unknown event type has no model to be strict against.)
fn strict_fields(event: &Envelope) -> Result<(), Refused> {
    let unknown = |prefix: &str, extra: &Map<String, Value>| {
        extra
            .keys()
            .next()
            .map(|key| Refused::UnknownProperty(format!("{prefix}{key}")))
    };
    let entity_extra = match &event.entity {
        Entity::Absence(entity) => Some(&entity.extra),
        Entity::Company(entity) => Some(&entity.extra),
        Entity::Comment(entity) => Some(&entity.extra),
        Entity::Project(entity) => Some(&entity.extra),
        Entity::ProjectMember(entity) => Some(&entity.extra),
        Entity::Task(entity) => Some(&entity.extra),
        Entity::TaskAssignment(entity) => Some(&entity.extra),
        Entity::TaskList(entity) => Some(&entity.extra),
        Entity::TimeTracking(entity) => Some(&entity.extra),
        Entity::User(entity) => Some(&entity.extra),
        Entity::Other(_) => None,
    };
    match unknown("", &event.extra)
        .or_else(|| entity_extra.and_then(|extra| unknown("entity.", extra)))
    {
        Some(refused) => Err(refused),
        None => Ok(()),
    }
}

/// [`Mistake::SevenDigitTimestampsRefused`]: every date-time in the envelope's `timestamp` and
/// anywhere in its `entity` must be one Python 3.10's `datetime.fromisoformat` reads.
fn python_timestamps(value: &Value) -> Result<(), Refused> {
    fn walk(value: &Value) -> Result<(), Refused> {
        match value {
            Value::String(text) if looks_like_date_time(text) && !python_reads(text) => {
                Err(Refused::Timestamp(text.clone()))
            }
            Value::Array(items) => items.iter().try_for_each(walk),
            Value::Object(map) => map.values().try_for_each(walk),
            _ => Ok(()),
        }
    }
    value.get("timestamp").map_or(Ok(()), walk)?;
    value.get("entity").map_or(Ok(()), walk)
}

/// Whether `text` is a date-time as awork writes them (whatever its fraction and offset).
fn looks_like_date_time(text: &str) -> bool {
    text.len() >= 19 && text.is_char_boundary(19) && text[..19].parse::<AworkDateTime>().is_ok()
}

/// Whether Python 3.10's `datetime.fromisoformat` reads `text`: after the seconds, either no
/// fraction or one of exactly 3 or 6 digits, then no offset or a numeric `+HH:MM`/`-HH:MM` (no `Z`).
fn python_reads(text: &str) -> bool {
    let rest = &text[19..];
    let (fraction, offset) = match rest.strip_prefix('.') {
        Some(after_dot) => {
            let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            (Some(digits), &after_dot[digits..])
        }
        None => (None, rest),
    };
    let fraction_ok = matches!(fraction, None | Some(3 | 6));
    let offset_ok = offset.is_empty()
        || (offset.len() == 6
            && matches!(offset.as_bytes()[0], b'+' | b'-')
            && offset.as_bytes()[3] == b':'
            && offset
                .bytes()
                .enumerate()
                .all(|(index, byte)| matches!(index, 0 | 3) || byte.is_ascii_digit()));
    fraction_ok && offset_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_reads_what_python_3_10_reads() {
        for text in [
            "2025-06-23T11:43:54+00:00",
            "2025-06-23T11:43:54.938+00:00",
            "2025-06-23T11:43:54.938868+00:00",
            "2025-06-23T11:43:54.938868",
            "2025-06-23T11:43:54-05:30",
        ] {
            assert!(python_reads(text), "{text}");
        }
        for text in [
            "2025-06-23T11:43:54.9388681+00:00",
            "2025-06-23T11:43:54.93+00:00",
            "2025-06-23T11:43:54Z",
            "2025-06-23T11:43:54.938868Z",
            "2025-06-23T11:43:54.9388681Z",
        ] {
            assert!(!python_reads(text), "{text}");
        }
    }

    #[test]
    fn only_date_times_are_checked() {
        assert!(looks_like_date_time("2025-06-23T11:43:54.9388681Z"));
        assert!(!looks_like_date_time("2025-06-23"));
        assert!(!looks_like_date_time("Prepare client workshop for 2025"));
        assert!(!looks_like_date_time("13:08:51.8220632"));
    }

    #[test]
    fn every_mistake_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        assert!(Mistake::ALL.iter().all(|mistake| seen.insert(*mistake)));
        assert!(
            Mistake::ALL
                .iter()
                .all(|mistake| !mistake.describe().is_empty())
        );
    }
}
