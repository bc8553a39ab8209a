//! Shared helpers: a scripted fake transport, event builders, and reading a request off a bare
//! TCP stream.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use awork_delivery::{AttemptOutcome, Event, Transport};
use bytes::Bytes;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
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

/// Reads one request (its head, then `Content-Length` bytes of body) from a stream that has
/// nothing buffered; `false` when the stream ended (or failed) first.
pub async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    true
}
