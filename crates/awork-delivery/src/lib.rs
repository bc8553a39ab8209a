//! Delivers webhook events to a receiver exactly as awork does: one POST per attempt with
//! `Content-Type: application/json`, `User-Agent: awork-sim/VERSION` and an optional auth header,
//! success only on a 2xx status whose answer ends within the timeout (a body trickled past it is
//! a timeout; one the receiver cuts short still counts, the status having arrived), up to 10
//! retries on a schedule, and a webhook that pauses after more than 10 consecutive failed
//! attempts, keeping undelivered events as pending.
//!
//! Events are opaque: bytes sent as they are, plus a label. The engine never prints; it reports
//! through an [`Observer`] (one [`AttemptRecord`] per attempt, [`JsonLinesWriter`] for a log file)
//! and the [`RunReport`] it returns. All waiting uses `tokio::time`, so tests can pause the clock.
//! The [`receiver`] module is a development receiver for tests, benchmarks and `listen`.
//!
//! ```
//! use awork_delivery::receiver::{Behaviour, Receiver};
//! use awork_delivery::{Event, Webhook, WebhookConfig, WebhookState};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let receiver = Receiver::start("127.0.0.1:0".parse()?, Behaviour::status(200)).await?;
//! let config = WebhookConfig::new(&receiver.url())?;
//! let mut webhook = Webhook::new(config)?;
//! let events = [Event::new("task_created", r#"{"type":"task_created"}"#)];
//! let mut log = Vec::new();
//! let run = webhook.deliver(events, &mut log).await;
//! assert_eq!(run.report.delivered, 1);
//! assert_eq!(run.report.webhook, WebhookState::Active);
//! assert_eq!(receiver.requests()[0].body, r#"{"type":"task_created"}"#);
//! # Ok(())
//! # }
//! ```

pub mod config;
mod dial;
pub mod engine;
mod http1;
pub mod observe;
pub mod receiver;
pub mod redact;
pub mod transport;

pub use config::{
    AuthHeader, ConfigError, DurationError, RetrySchedule, WebhookConfig, WebhookUrl,
    format_duration, parse_duration, without_password,
};
pub use engine::{
    DeliveryState, Event, FAILED_LISTED, FailedEvent, PendingEvent, Report, RunReport, Semantics,
    Webhook, WebhookState,
};
pub use observe::{AttemptRecord, Decision, FnObserver, JsonLinesWriter, Observer};
pub use transport::{AttemptOutcome, HttpTransport, Transport, TransportError, USER_AGENT};
