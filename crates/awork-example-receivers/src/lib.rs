//! Example receivers of awork webhooks, for the conformance suite to be tested against and for
//! people to read.
//!
//! - [`spawn_correct`] starts the receiver to copy: it checks the auth header in constant time,
//!   limits the body, parses leniently, acknowledges at once and processes in the background,
//!   ignores redeliveries, and does not care about the order events arrive in. `src/correct.rs`
//!   explains why each of these protects a production integration.
//! - [`spawn_careless`] starts a receiver that is the same except for one classic [`Mistake`],
//!   each one a way a real receiver loses events or gets its awork integration paused.
//!
//! Both serve `POST /webhooks/awork` over HTTP/1.1 with keep-alive, answer 404 on other paths and
//! 405 to other methods, and run until the [`RunningReceiver`] is dropped or shut down.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use awork_example_receivers::{Mistake, ReceiverOptions, spawn_careless, spawn_correct};
//!
//! let good = spawn_correct(ReceiverOptions::default()).await?;
//! let slow = spawn_careless(Mistake::SlowAnswers, ReceiverOptions::default()).await?;
//! println!("send to {} and to {}", good.url(), slow.url());
//! # Ok(())
//! # }
//! ```

mod careless;
pub mod cli;
mod correct;
mod server;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

pub use careless::{Mistake, ONE_AT_A_TIME_WORK, SLOW_ANSWER_DELAY};
pub use server::RunningReceiver;

/// The path both receivers serve.
pub const PATH: &str = "/webhooks/awork";

/// Where a receiver listens and which auth header it requires.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiverOptions {
    /// The address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The header every request must carry, as (name, expected value); `None` requires none.
    pub auth: Option<(String, String)>,
}

impl Default for ReceiverOptions {
    /// No auth, on a free port of 127.0.0.1.
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            auth: None,
        }
    }
}

impl fmt::Debug for ReceiverOptions {
    /// Shows the auth header's name, never its value: options end up in logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverOptions")
            .field("addr", &self.addr)
            .field(
                "auth",
                &self
                    .auth
                    .as_ref()
                    .map(|(name, _)| format!("{name}: <redacted>")),
            )
            .finish()
    }
}

/// Starts the correct receiver on `options.addr`; it serves until the returned handle is dropped.
///
/// Fails when the address cannot be bound, or (as [`std::io::ErrorKind::InvalidInput`]) when the
/// auth header's name or value is not a valid HTTP header.
pub async fn spawn_correct(options: ReceiverOptions) -> std::io::Result<RunningReceiver> {
    server::spawn(options, server::Flavour::Correct, server::Log(false)).await
}

/// Starts a receiver that makes `mistake` and is otherwise the correct one.
///
/// Fails like [`spawn_correct`].
pub async fn spawn_careless(
    mistake: Mistake,
    options: ReceiverOptions,
) -> std::io::Result<RunningReceiver> {
    server::spawn(
        options,
        server::Flavour::Careless(mistake),
        server::Log(false),
    )
    .await
}
