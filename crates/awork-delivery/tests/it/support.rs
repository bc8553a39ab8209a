//! Shared helpers: a scripted fake transport and event builders.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use awork_delivery::{AttemptOutcome, Event, Transport};
use bytes::Bytes;
use tokio::time::Instant;

/// A transport that answers from a script (delay, outcome), then a default, and records when
/// each attempt started and what it carried.
pub struct FakeTransport {
    script: Mutex<VecDeque<(Duration, AttemptOutcome)>>,
    default: (Duration, AttemptOutcome),
    pub calls: Mutex<Vec<(Instant, Bytes)>>,
}

impl FakeTransport {
    pub fn always(outcome: AttemptOutcome) -> Self {
        Self::scripted([], outcome)
    }

    pub fn scripted(
        script: impl IntoIterator<Item = AttemptOutcome>,
        default: AttemptOutcome,
    ) -> Self {
        Self {
            script: Mutex::new(script.into_iter().map(|o| (Duration::ZERO, o)).collect()),
            default: (Duration::ZERO, default),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn slow(delay: Duration) -> Self {
        Self {
            script: Mutex::new(VecDeque::new()),
            default: (delay, AttemptOutcome::status(200)),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn call_times(&self) -> Vec<Instant> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(at, _)| *at)
            .collect()
    }
}

impl Transport for FakeTransport {
    async fn send(&self, body: Bytes, timeout: Duration) -> AttemptOutcome {
        self.calls.lock().unwrap().push((Instant::now(), body));
        let (delay, outcome) = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| self.default.clone());
        if delay >= timeout {
            tokio::time::sleep(timeout).await;
            return AttemptOutcome::Timeout;
        }
        tokio::time::sleep(delay).await;
        outcome
    }
}

/// `n` events labelled `e0..` whose bodies are `{"n":i}`.
pub fn events(n: usize) -> impl Iterator<Item = Event> {
    (0..n).map(|i| Event::new(format!("e{i}"), format!(r#"{{"n":{i}}}"#)))
}
