//! The attempt log: one [`AttemptRecord`] per attempt, handed to an [`Observer`], and
//! [`JsonLinesWriter`], an observer that writes one JSON object per line.
//!
//! Records carry the outcome and the engine's decision, never the request headers, so the auth
//! value cannot leak into a log. This module does not decide anything and does not print.
//!
//! A log line is written by hand rather than through serde: the log is on for every attempt of
//! a benchmark or a long run, and formatting the timestamp with chrono and the numbers through
//! serde cost more than the HTTP request on loopback. The `Serialize` impl stays the reference;
//! a test checks that both write the same bytes.

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
    /// The webhook's count of failed attempts in a row, this one included (0 after a success):
    /// the webhook pauses when it goes above `pause_after`.
    pub consecutive_failures: u32,
}

impl AttemptRecord {
    /// The record as one line of JSON, without the trailing newline.
    ///
    /// Fields: `event` (the event's number from 1, as `send` prints it: `#1`; [`AttemptRecord::event`]
    /// plus one), `label`, `attempt`, then `status` (with `location` for a redirect) or
    /// `error` (with `message` for `tls`, `other`, and a `timeout` whose answer's head came),
    /// `latency_ms`, `time` (RFC 3339 UTC),
    /// `decision`, and `retry_after_ms` when the decision is a retry.
    pub fn to_json_line(&self) -> String {
        let mut line = String::with_capacity(256);
        self.write_json(&mut line, &mut SecondText::default());
        line
    }

    /// Appends the JSON line (without a newline) to `line`; `second` remembers the text of the
    /// last whole second written, so the date is formatted once a second, not once a record.
    fn write_json(&self, line: &mut String, second: &mut SecondText) {
        let mut numbers = itoa::Buffer::new();
        line.push_str("{\"event\":");
        line.push_str(numbers.format(self.event.saturating_add(1)));
        line.push_str(",\"label\":");
        push_json_string(line, &self.label);
        line.push_str(",\"attempt\":");
        line.push_str(numbers.format(self.attempt));
        match &self.outcome {
            AttemptOutcome::Status { code, location, .. } => {
                line.push_str(",\"status\":");
                line.push_str(numbers.format(code.as_u16()));
                if let Some(location) = location {
                    line.push_str(",\"location\":");
                    push_json_string(line, location);
                }
            }
            outcome => {
                line.push_str(",\"error\":\"");
                line.push_str(outcome.error_kind().unwrap_or("other"));
                line.push('"');
                if let AttemptOutcome::Tls(message)
                | AttemptOutcome::Other(message)
                | AttemptOutcome::UnendedBody { message } = outcome
                {
                    line.push_str(",\"message\":");
                    push_json_string(line, message);
                }
            }
        }
        line.push_str(",\"latency_ms\":");
        push_millis(line, self.latency);
        line.push_str(",\"time\":\"");
        second.push(line, &self.time);
        line.push_str("\",\"decision\":\"");
        line.push_str(self.decision.name());
        line.push('"');
        if let Decision::Retry { after } = self.decision {
            line.push_str(",\"retry_after_ms\":");
            push_millis(line, after);
        }
        line.push('}');
    }

    fn wire(&self) -> WireRecord<'_> {
        let (status, location, error, message) = match &self.outcome {
            AttemptOutcome::Status { code, location, .. } => {
                (Some(code.as_u16()), location.as_deref(), None, None)
            }
            AttemptOutcome::Tls(message)
            | AttemptOutcome::Other(message)
            | AttemptOutcome::UnendedBody { message } => (
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
            event: self.event.saturating_add(1),
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

/// Writes `duration` in milliseconds with microsecond precision, as serde_json writes
/// [`duration_ms`]: `1.5`, `0.012`, `10000.0`. The decimal text of a whole number of microseconds
/// over 1000 is the shortest text that reads back as that `f64` for any duration under a century,
/// which is what serde_json's float formatting writes.
fn push_millis(line: &mut String, duration: Duration) {
    let micros = duration.as_micros();
    let mut numbers = itoa::Buffer::new();
    line.push_str(numbers.format(micros / 1000));
    line.push('.');
    let fraction = micros % 1000;
    if fraction == 0 {
        line.push('0');
    } else {
        let digits = [fraction / 100, fraction / 10 % 10, fraction % 10];
        let kept = if digits[2] != 0 {
            3
        } else if digits[1] != 0 {
            2
        } else {
            1
        };
        for digit in &digits[..kept] {
            line.push(char::from(b'0' + *digit as u8));
        }
    }
}

/// Writes `text` as a JSON string, escaping as serde_json does: `"` and `\\`, and the control
/// characters (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00xx`).
fn push_json_string(line: &mut String, text: &str) {
    line.push('"');
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        line.push_str(&text[plain..at]);
        plain = at + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            line.push_str("\\u00");
            line.push(char::from(HEX[usize::from(byte >> 4)]));
            line.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            line.push_str(escape);
        }
    }
    line.push_str(&text[plain..]);
    line.push('"');
}

/// The RFC 3339 text of the last whole second written (`2023-11-14T22:13:20`): records arrive
/// thousands per second, so the date is formatted once and only the milliseconds change.
#[derive(Debug, Default)]
struct SecondText {
    second: Option<i64>,
    text: String,
}

impl SecondText {
    /// Writes `time` as chrono's `to_rfc3339_opts(SecondsFormat::Millis, true)` does.
    fn push(&mut self, line: &mut String, time: &DateTime<Utc>) {
        let nanos = time.timestamp_subsec_nanos();
        if nanos >= 1_000_000_000 {
            // A leap second: rare enough to leave to chrono.
            line.push_str(&time.to_rfc3339_opts(SecondsFormat::Millis, true));
            return;
        }
        let second = time.timestamp();
        if self.second != Some(second) {
            self.text = time.to_rfc3339_opts(SecondsFormat::Secs, true);
            // Without the `Z`, which goes after the milliseconds.
            self.text.pop();
            self.second = Some(second);
        }
        line.push_str(&self.text);
        let millis = nanos / 1_000_000;
        line.push('.');
        for digit in [millis / 100, millis / 10 % 10, millis % 10] {
            line.push(char::from(b'0' + digit as u8));
        }
        line.push('Z');
    }
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
    line: String,
    second: SecondText,
}

impl<W: Write> JsonLinesWriter<W> {
    /// Wraps `out` in a buffer.
    pub fn new(out: W) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, out),
            error: None,
            line: String::with_capacity(256),
            second: SecondText::default(),
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
        record.write_json(&mut self.line, &mut self.second);
        self.line.push('\n');
        if let Err(error) = self.out.write_all(self.line.as_bytes()) {
            self.error = Some(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written line must be byte for byte what serde writes for the same record.
    #[test]
    fn the_written_line_equals_the_serde_line() {
        let outcomes = [
            AttemptOutcome::status(200),
            AttemptOutcome::Status {
                code: http::StatusCode::TEMPORARY_REDIRECT,
                location: Some("http://h/\"q\"\\\n\u{1}\u{1f}\u{7f}é".to_owned()),
                body: bytes::Bytes::new(),
            },
            AttemptOutcome::Timeout,
            AttemptOutcome::ConnectionRefused,
            AttemptOutcome::ConnectionReset,
            AttemptOutcome::Tls("invalid peer certificate: \"UnknownIssuer\"".to_owned()),
            AttemptOutcome::Other("\u{8}\u{c}\r\t tab".to_owned()),
        ];
        let latencies = [
            0,
            1,
            10,
            100,
            120,
            1_000,
            1_500,
            999_999,
            12_345_678,
            3_600_000_000,
        ];
        let decisions = [
            Decision::Delivered,
            Decision::GiveUp,
            Decision::Pause,
            Decision::Retry {
                after: Duration::from_millis(10),
            },
            Decision::Retry {
                after: Duration::from_micros(2_500),
            },
        ];
        let base = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut writer = JsonLinesWriter::new(Vec::new());
        let mut expected = String::new();
        let mut checked = 0;
        for (n, outcome) in outcomes.iter().enumerate() {
            for (m, micros) in latencies.iter().enumerate() {
                for decision in decisions {
                    // Times that go forward and back across seconds, so the cached second must
                    // be replaced each time it changes.
                    let offset = (n * 7 + m * 3) as i64 % 5 * 400 - 900;
                    let record = AttemptRecord {
                        event: (n * 100 + m) as u64,
                        label: format!("task_created {n} \"{m}\""),
                        attempt: m as u32 + 1,
                        outcome: outcome.clone(),
                        latency: Duration::from_micros(*micros),
                        time: base + chrono::TimeDelta::milliseconds(offset),
                        decision,
                        consecutive_failures: m as u32,
                    };
                    let serde_line = serde_json::to_string(&record).unwrap();
                    assert_eq!(record.to_json_line(), serde_line);
                    writer.on_attempt(&record);
                    expected.push_str(&serde_line);
                    expected.push('\n');
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 10 * 5);
        assert_eq!(
            String::from_utf8(writer.finish().unwrap()).unwrap(),
            expected
        );
    }

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
            consecutive_failures: 1,
        };
        assert_eq!(
            record.to_json_line(),
            r#"{"event":4,"label":"task_created","attempt":2,"status":503,"latency_ms":1.5,"time":"2023-11-14T22:13:20.000Z","decision":"retry","retry_after_ms":10000.0}"#
        );
        let timeout = AttemptRecord {
            outcome: AttemptOutcome::Timeout,
            decision: Decision::Pause,
            ..record
        };
        assert_eq!(
            timeout.to_json_line(),
            r#"{"event":4,"label":"task_created","attempt":2,"error":"timeout","latency_ms":1.5,"time":"2023-11-14T22:13:20.000Z","decision":"pause"}"#
        );
    }
}
