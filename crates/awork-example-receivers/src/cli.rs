//! What the two binaries (`correct-receiver`, `careless-receiver`) share: the `--port` and
//! `--auth-header` options, and running a receiver until Ctrl-C.
//!
//! Scripts and CI jobs wait for the one line `listening on <url>` on stdout before they send; after
//! it, each request gets a line on stderr (method, path, event type, status), never the auth value.

use std::fmt;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};

use crate::server::{self, Flavour, Log};
use crate::{Mistake, ReceiverOptions};

/// The options both binaries take.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The port to listen on, on 127.0.0.1; 0 picks a free one (see the `listening on` line).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Require this header on every request, written 'Name: value'; requests without it, or with
    /// another value, get 401. The value is never printed.
    #[arg(long, value_name = "NAME: VALUE", value_parser = parse_auth_header)]
    pub auth_header: Option<AuthHeader>,
}

impl ServeArgs {
    /// The receiver options these arguments ask for.
    pub fn options(&self) -> ReceiverOptions {
        ReceiverOptions {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)),
            auth: self
                .auth_header
                .as_ref()
                .map(|header| (header.name.clone(), header.value.clone())),
        }
    }
}

/// An auth header given as `Name: value`. Its `Debug` shows the name only.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthHeader {
    name: String,
    value: String,
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: <redacted>", self.name)
    }
}

/// Why an `--auth-header` argument was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthHeaderError {
    /// No `:` between name and value.
    #[error("expected 'Name: value'")]
    NoColon,
    /// Nothing before the `:`.
    #[error("the header name is empty")]
    EmptyName,
    /// Nothing after the `:`.
    #[error("the header value is empty")]
    EmptyValue,
}

/// Parses `Name: value`; spaces around the name and the value are dropped.
pub fn parse_auth_header(text: &str) -> Result<AuthHeader, AuthHeaderError> {
    let (name, value) = text.split_once(':').ok_or(AuthHeaderError::NoColon)?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return Err(AuthHeaderError::EmptyName);
    }
    if value.is_empty() {
        return Err(AuthHeaderError::EmptyValue);
    }
    Ok(AuthHeader {
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// Why a binary stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The receiver could not start (the port is taken, the auth header is not a valid header).
    #[error("cannot start the receiver on 127.0.0.1:{port}")]
    Start {
        /// The port asked for.
        port: u16,
        /// What went wrong.
        source: io::Error,
    },
    /// The `listening on` line could not be written.
    #[error("cannot write to stdout")]
    Stdout(#[source] io::Error),
    /// Ctrl-C could not be listened for.
    #[error("cannot listen for Ctrl-C")]
    Signal(#[source] io::Error),
}

/// Runs the correct receiver (`mistake` `None`) or a careless one until Ctrl-C, logging each
/// request to stderr; then finishes the work it acknowledged and returns.
pub async fn serve(mistake: Option<Mistake>, args: &ServeArgs) -> Result<(), ServeError> {
    let flavour = mistake.map_or(Flavour::Correct, Flavour::Careless);
    let receiver = server::spawn(args.options(), flavour, Log(true))
        .await
        .map_err(|source| ServeError::Start {
            port: args.port,
            source,
        })?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on {}", receiver.url()).map_err(ServeError::Stdout)?;
    // Whoever waits for this line may read stdout through a pipe, which buffers until flushed.
    stdout.flush().map_err(ServeError::Stdout)?;
    drop(stdout);
    tokio::signal::ctrl_c().await.map_err(ServeError::Signal)?;
    receiver.shutdown().await;
    Ok(())
}
