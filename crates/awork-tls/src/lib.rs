//! HTTPS for `api.awork.com` from a local workspace, so that integrations that hard-code
//! `https://api.awork.com` reach `awork-sim serve` unchanged.
//!
//! - [`ca`]: a local certificate authority kept in the data folder, constrained by X.509 name
//!   constraints to the names the workspace answers for ([`SERVED_DNS_NAMES`],
//!   [`SERVED_IP_ADDRESSES`]), the server certificate it signs, the rustls `ServerConfig`, and a
//!   trust bundle (the platform's roots followed by the local CA).
//! - [`proxy`]: which requests on the plain port are proxy requests for awork's host (answered
//!   locally), which are ordinary requests, and which are refused: the workspace never opens a
//!   connection anywhere, so it is never an open proxy.
//! - [`tunnel`]: TLS with the local certificate and HTTP/1.1 on a stream, for the TLS port and for
//!   the stream of an accepted `CONNECT api.awork.com:443`.
//! - [`client_env`]: the serve info file `serve` writes in its data folder, and the shell exports
//!   (`HTTPS_PROXY`, CA bundles) `awork-sim env` prints from it.
//!
//! How `serve` uses it, per connection on its plain port (served with hyper's `with_upgrades()`):
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use bytes::Bytes;
//! # use http_body_util::Full;
//! # use hyper::{Request, Response, body::Incoming, service::service_fn};
//! # async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, std::convert::Infallible> { unimplemented!() }
//! # fn run() -> Result<(), awork_tls::Error> {
//! let ca = awork_tls::ca::LocalCa::load_or_create(".awork-sim".as_ref())?;
//! let config = ca.server_config();
//! let handle = move |mut request: Request<Incoming>| {
//!     let config = Arc::clone(&config);
//!     async move {
//!         match awork_tls::proxy::decide(request.method(), request.uri()) {
//!             awork_tls::proxy::Decision::NotProxy => answer(request).await,
//!             awork_tls::proxy::Decision::AnswerLocally(uri) => {
//!                 *request.uri_mut() = uri;
//!                 answer(request).await
//!             }
//!             awork_tls::proxy::Decision::Tunnel => {
//!                 Ok(awork_tls::tunnel::tunnel(request, config, service_fn(answer)))
//!             }
//!             awork_tls::proxy::Decision::Refuse(refusal) => Ok(refusal.response()),
//!         }
//!     }
//! };
//! # let _ = handle;
//! # Ok(())
//! # }
//! ```

pub mod ca;
pub mod client_env;
pub mod proxy;
pub mod tunnel;

use std::fs;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

/// awork's API host, which every awork client hard-codes.
pub const AWORK_HOST: &str = "api.awork.com";

/// The DNS names the server certificate carries; the local CA can sign for nothing else (but the
/// names under them, as RFC 5280 reads a DNS name constraint).
pub const SERVED_DNS_NAMES: [&str; 2] = [AWORK_HOST, "localhost"];

/// The IP addresses the server certificate carries; the local CA can sign for nothing else.
pub const SERVED_IP_ADDRESSES: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

/// Why the local CA, its files or the serve info file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read, written or created.
    #[error("{}: cannot {action}: {cause}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done: `read`, `write`, `create the folder`.
        action: &'static str,
        /// Why (in the message, not a source of its own: `{:#}` would print it twice).
        cause: std::io::Error,
    },
    /// A file exists but does not hold what it should (damaged, or edited by hand).
    #[error("{}: {problem}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it and what to do.
        problem: String,
    },
    /// A certificate or key could not be made (an error of rcgen or rustls, not of a file).
    #[error("cannot make the local certificates: {0}")]
    Certificates(String),
}

/// The error of `action` on `path`.
pub(crate) fn io_error(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_owned();
    move |cause| Error::Io {
        path,
        action,
        cause,
    }
}

/// Makes the file at `path`, which holds a secret, readable and writable by its owner only:
/// created so when missing, its permissions narrowed when others may read it (a folder given to
/// `--data` that existed before keeps its own permissions, so its secret files must not rely on
/// them). Returns whether it narrowed them.
pub fn make_owner_only(path: &Path) -> std::io::Result<bool> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 == 0 {
            return Ok(false);
        }
        file.set_permissions(fs::Permissions::from_mode(mode & 0o700))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        options.open(path)?;
        Ok(false)
    }
}

/// Writes `contents` to `path` through a temporary file renamed over it, so that a reader never
/// sees half a file; `owner_only` makes the file readable by its owner only (from its creation).
pub(crate) fn write_file(path: &Path, contents: &[u8], owner_only: bool) -> Result<(), Error> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    // A leftover temporary file (an interrupted start) may have other permissions: start afresh.
    match fs::remove_file(&temporary) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(io_error(&temporary, "remove")(error));
        }
        Ok(()) | Err(_) => {}
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if owner_only { 0o600 } else { 0o644 });
    #[cfg(not(unix))]
    let _ = owner_only;
    let mut file = options
        .open(&temporary)
        .map_err(io_error(&temporary, "write"))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(io_error(&temporary, "write"))?;
    fs::rename(&temporary, path).map_err(io_error(path, "write"))
}
