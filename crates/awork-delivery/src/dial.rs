//! How a pool opens its TCP connections without waiting on the kernel's one-second SYN timer.
//!
//! A listener's accept queue is small (Python's `http.server` asks for 5, many frameworks for
//! 128): when it is full, Linux drops an arriving SYN without a word, and the client's kernel sends
//! it again only after a second, then three, seven, fifteen: a second it waits because it knows
//! nothing of the path. Fifty connections opened at once on loopback arrive within microseconds,
//! overflow such a queue and, sent again in step, overflow it again a second later, so a receiver
//! that serves them all at once in a few milliseconds takes seconds, or past a 30 s timeout, to
//! receive them. Over the internet the same SYNs arrive spread out by the path and are accepted.
//!
//! So a [`Dialer`] opens at most [`HANDSHAKES_AT_ONCE`] connections at a time, and a handshake
//! that goes unanswered for a few of the round trips its earlier handshakes took (never less than
//! [`MIN_PATIENCE`]) is tried again beside the first, on a new socket, with twice the patience
//! each time (on at most [`MOST_TRIES_AT_ONCE`] sockets at once); whichever completes first is
//! kept. A receiver that accepts slowly is still seen as
//! slow, because its requests still wait for it; only the kernel's blind wait is taken out.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// How many TCP handshakes one pool has in flight at once: fewer than the smallest accept queue
/// in common use (Python's 5), so that handshakes sent together are not dropped together.
const HANDSHAKES_AT_ONCE: usize = 4;

/// The most sockets one connection's handshake is tried on at once: a receiver that never answers
/// costs a bounded number of open files (the commands count them before they start).
const MOST_TRIES_AT_ONCE: usize = 3;

/// The least time a handshake is left unanswered before it is tried again: well above a loopback
/// round trip under load, far below the kernel's second.
const MIN_PATIENCE: Duration = Duration::from_millis(10);

/// The most time a handshake is left unanswered before it is tried again: the kernel's own timer.
const MAX_PATIENCE: Duration = Duration::from_secs(1);

/// How many smoothed round trips a handshake may take before it is tried again.
const ROUND_TRIPS_OF_PATIENCE: u32 = 4;

/// Opens TCP connections to one host and port; see the module's documentation.
#[derive(Debug)]
pub(crate) struct Dialer {
    host: String,
    port: u16,
    /// Turns to have a handshake in flight.
    turns: Semaphore,
    /// The smoothed time of a handshake answered at its first try, in microseconds (as TCP
    /// smooths its round trip, RFC 6298: seven eighths of the old value and one of the new); zero
    /// before the first.
    smoothed_micros: AtomicU64,
}

impl Dialer {
    /// A dialer for `host` (an IPv6 address without brackets) and `port`.
    pub(crate) fn new(host: String, port: u16) -> Self {
        Self {
            host,
            port,
            turns: Semaphore::new(HANDSHAKES_AT_ONCE),
            smoothed_micros: AtomicU64::new(0),
        }
    }

    /// The host it connects to.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Opens a connection: waits for a turn, then sends a handshake, and another beside it each
    /// time the patience runs out (doubling it); the first that completes is returned, the others
    /// are dropped. The error is the last handshake's, once every handshake in flight has failed.
    pub(crate) async fn open(&self) -> io::Result<TcpStream> {
        let _turn = self
            .turns
            .acquire()
            .await
            .expect("the dialer never closes its semaphore");
        let mut patience = self.patience();
        let started = Instant::now();
        let mut handshakes = FuturesUnordered::new();
        handshakes.push(self.handshake());
        let mut next_try = started + patience;
        let mut tried_again = false;
        loop {
            tokio::select! {
                done = handshakes.next() => match done {
                    Some(Ok(stream)) => {
                        // Only a handshake answered before any other was sent is a round trip;
                        // the others waited on a full queue.
                        if !tried_again {
                            self.learn(started.elapsed());
                        }
                        return Ok(stream);
                    }
                    Some(Err(error)) if handshakes.is_empty() => return Err(error),
                    Some(Err(_)) => {}
                    None => unreachable!("a handshake is in flight until one completes"),
                },
                () = tokio::time::sleep_until(next_try) => {
                    patience = (patience * 2).min(MAX_PATIENCE);
                    next_try = Instant::now() + patience;
                    if handshakes.len() < MOST_TRIES_AT_ONCE {
                        tried_again = true;
                        handshakes.push(self.handshake());
                    }
                }
            }
        }
    }

    /// One handshake.
    async fn handshake(&self) -> io::Result<TcpStream> {
        TcpStream::connect((self.host.as_str(), self.port)).await
    }

    /// How long a handshake is left unanswered before another is sent beside it.
    fn patience(&self) -> Duration {
        let smoothed = self.smoothed_micros.load(Ordering::Relaxed);
        if smoothed == 0 {
            return MAX_PATIENCE;
        }
        (Duration::from_micros(smoothed) * ROUND_TRIPS_OF_PATIENCE)
            .clamp(MIN_PATIENCE, MAX_PATIENCE)
    }

    /// Counts a handshake's time into the smoothed round trip.
    fn learn(&self, took: Duration) {
        let sample = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        // A lost update between two handshakes finishing together costs one sample, no more.
        let old = self.smoothed_micros.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            old - old / 8 + sample / 8
        };
        self.smoothed_micros.store(new.max(1), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patience_is_the_kernels_second_until_a_round_trip_is_known_then_a_few_round_trips() {
        let near = Dialer::new("127.0.0.1".to_owned(), 80);
        assert_eq!(near.patience(), MAX_PATIENCE);
        near.learn(Duration::from_micros(60));
        assert_eq!(near.patience(), MIN_PATIENCE, "a loopback round trip");
        let far = Dialer::new("192.0.2.1".to_owned(), 80);
        far.learn(Duration::from_millis(80));
        assert_eq!(far.patience(), Duration::from_millis(320));
        far.learn(Duration::from_millis(160));
        assert_eq!(
            far.patience(),
            Duration::from_millis(360),
            "smoothed: 7/8 of 80 and 1/8 of 160"
        );
        far.learn(Duration::from_secs(30));
        assert_eq!(far.patience(), MAX_PATIENCE);
    }
}
