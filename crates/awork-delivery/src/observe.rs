//! The attempt log: one [`AttemptRecord`] per attempt, handed to an [`Observer`], and
//! [`JsonLinesWriter`], an observer that writes one JSON object per line.
//!
//! Records carry the outcome and the engine's decision, never the request headers, so the auth
//! value cannot leak into a log. This module does not decide anything and does not print.

use std::io::{self, BufWriter, Write};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::transport::AttemptOutcome;

/// What the engine decided after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The event was delivered.
    Delivered,
    /// The event will be retried after this delay.
    Retry {
        /// The delay before the next attempt.
        after: Duration,
    },
    /// The event used all its retries and failed.
    GiveUp,
    /// The webhook paused (this failure went above the threshold, or the attempt finished after
    /// the pause); the event is pending.
    Pause,
}

impl Decision {
    /// The name written in the log: `delivered`, `retry`, `give_up` or `pause`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Retry { .. } => "retry",
            Self::GiveUp => "give_up",
            Self::Pause => "pause",
        }
    }
}

/// One attempt, as reported to an [`Observer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// The event's index: its position among all events given to the webhook, from 0.
    pub event: u64,
    /// The event's label.
    pub label: String,
    /// The attempt number for this event, from 1.
    pub attempt: u32,
    /// What happened.
    pub outcome: AttemptOutcome,
    /// How long the attempt took.
    pub latency: Duration,
    /// When the attempt started (wall clock).
    pub time: DateTime<Utc>,
    /// What the engine decided next.
    pub decision: Decision,
}

impl AttemptRecord {
    /// The record as one line of JSON, without the trailing newline.
    ///
    /// Fields: `event`, `label`, `attempt`, then `status` (with `location` for a redirect) or
    /// `error` (with `message` for `tls` and `other`), `latency_ms`, `time` (RFC 3339 UTC),
    /// `decision`, and `retry_after_ms` when the decision is a retry.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(&self.wire()).unwrap_or_default()
    }

    fn wire(&self) -> WireRecord<'_> {
        let (status, location, error, message) = match &self.outcome {
            AttemptOutcome::Status { code, location, .. } => {
                (Some(code.as_u16()), location.as_deref(), None, None)
            }
            AttemptOutcome::Tls(message) | AttemptOutcome::Other(message) => (
                None,
                None,
                self.outcome.error_kind(),
                Some(message.as_str()),
            ),
            AttemptOutcome::Timeout
            | AttemptOutcome::ConnectionRefused
            | AttemptOutcome::ConnectionReset => (None, None, self.outcome.error_kind(), None),
        };
        let retry_after_ms = match self.decision {
            Decision::Retry { after } => Some(duration_ms(after)),
            Decision::Delivered | Decision::GiveUp | Decision::Pause => None,
        };
        WireRecord {
            event: self.event,
            label: &self.label,
            attempt: self.attempt,
            status,
            location,
            error,
            message,
            latency_ms: duration_ms(self.latency),
            time: self.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            decision: self.decision.name(),
            retry_after_ms,
        }
    }
}

fn duration_ms(duration: Duration) -> f64 {
    // Milliseconds with microsecond precision: latencies on loopback are well under 1 ms.
    (duration.as_micros() as f64) / 1000.0
}

impl Serialize for AttemptRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.wire().serialize(serializer)
    }
}

#[derive(Serialize)]
struct WireRecord<'a> {
    event: u64,
    label: &'a str,
    attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    latency_ms: f64,
    time: String,
    decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_ms: Option<f64>,
}

/// Receives every attempt as the engine makes its decision.
///
/// Called on the engine's task, one record at a time, in the order decisions are made: keep it
/// quick (buffer, do not block on the network).
pub trait Observer {
    /// Called once per attempt.
    fn on_attempt(&mut self, record: &AttemptRecord);
}

/// Ignores every record.
impl Observer for () {
    fn on_attempt(&mut self, _record: &AttemptRecord) {}
}

/// Keeps every record (for tests and small runs).
impl Observer for Vec<AttemptRecord> {
    fn on_attempt(&mut self, record: &AttemptRecord) {
        self.push(record.clone());
    }
}

impl<O: Observer + ?Sized> Observer for &mut O {
    fn on_attempt(&mut self, record: &AttemptRecord) {
        (**self).on_attempt(record);
    }
}

/// Calls a closure for every record.
#[derive(Debug)]
pub struct FnObserver<F>(pub F);

impl<F: FnMut(&AttemptRecord)> Observer for FnObserver<F> {
    fn on_attempt(&mut self, record: &AttemptRecord) {
        (self.0)(record);
    }
}

/// Writes each record as one JSON line through a buffer.
///
/// Writing never interrupts a delivery: the first write error is kept, later records are skipped,
/// and [`JsonLinesWriter::finish`] returns the error.
#[derive(Debug)]
pub struct JsonLinesWriter<W: Write> {
    out: BufWriter<W>,
    error: Option<io::Error>,
    line: Vec<u8>,
}

impl<W: Write> JsonLinesWriter<W> {
    /// Wraps `out` in a buffer.
    pub fn new(out: W) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, out),
            error: None,
            line: Vec::with_capacity(256),
        }
    }

    /// Flushes the buffer and returns the writer, or the first error met.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }

    /// Flushes the buffer, reporting the first error met so far.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.out.flush()
    }
}

impl<W: Write> Observer for JsonLinesWriter<W> {
    fn on_attempt(&mut self, record: &AttemptRecord) {
        if self.error.is_some() {
            return;
        }
        self.line.clear();
        let result = serde_json::to_writer(&mut self.line, &record.wire())
            .map_err(io::Error::from)
            .and_then(|()| {
                self.line.push(b'\n');
                self.out.write_all(&self.line)
            });
        if let Err(error) = result {
            self.error = Some(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_has_stable_field_names() {
        let record = AttemptRecord {
            event: 3,
            label: "task_created".to_owned(),
            attempt: 2,
            outcome: AttemptOutcome::status(503),
            latency: Duration::from_micros(1500),
            time: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            decision: Decision::Retry {
                after: Duration::from_secs(10),
            },
        };
        assert_eq!(
            record.to_json_line(),
            r#"{"event":3,"label":"task_created","attempt":2,"status":503,"latency_ms":1.5,"time":"2023-11-14T22:13:20.000Z","decision":"retry","retry_after_ms":10000.0}"#
        );
        let timeout = AttemptRecord {
            outcome: AttemptOutcome::Timeout,
            decision: Decision::Pause,
            ..record
        };
        assert_eq!(
            timeout.to_json_line(),
            r#"{"event":3,"label":"task_created","attempt":2,"error":"timeout","latency_ms":1.5,"time":"2023-11-14T22:13:20.000Z","decision":"pause"}"#
        );
    }
}
