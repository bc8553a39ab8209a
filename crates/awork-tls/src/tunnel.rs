//! TLS with the local server certificate, then HTTP/1.1, on a stream: a connection accepted on the
//! TLS port ([`serve_tls`]), or the stream of an accepted `CONNECT api.awork.com:443`
//! ([`tunnel`]). Either way the workspace answers the requests itself; nothing is forwarded.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;

/// How long a client has to complete the TLS handshake before its connection is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a TLS connection ended before it was served to its end.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    /// The client did not ask for a tunnel with `CONNECT`, or hyper's connection was not served
    /// `with_upgrades()`.
    #[error("the CONNECT stream could not be taken over: {0}")]
    Upgrade(hyper::Error),
    /// The client did not complete the handshake in [`HANDSHAKE_TIMEOUT`].
    #[error("the TLS handshake did not complete in {HANDSHAKE_TIMEOUT:?}")]
    HandshakeTimeout,
    /// The handshake failed (the client does not trust the local CA, speaks no TLS, ...).
    #[error("TLS handshake: {0}")]
    Handshake(std::io::Error),
    /// HTTP on the TLS stream failed (the client went away mid-request, ...).
    #[error("HTTP: {0}")]
    Http(hyper::Error),
}

/// Answers a `CONNECT api.awork.com:443` (one [`crate::proxy::decide`] returned
/// [`crate::proxy::Decision::Tunnel`] for): returns the `200` to send, and spawns the task that,
/// once hyper hands over the stream, runs the TLS handshake with `config` and serves HTTP/1.1 on
/// it with `service`. Must run inside a tokio runtime, on a connection hyper serves
/// `with_upgrades()`. The task's failures concern only the client (it went away, or does not
/// trust the local CA) and end the tunnel quietly.
pub fn tunnel<RequestBody, S, ResponseBody>(
    request: Request<RequestBody>,
    config: Arc<ServerConfig>,
    service: S,
) -> Response<ResponseBody>
where
    RequestBody: Send + 'static,
    ResponseBody: Default,
    S: Service<Request<Incoming>, Response = Response<ResponseBody>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    ResponseBody: Body + Send + 'static,
    ResponseBody::Data: Send,
    ResponseBody::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    tokio::spawn(async move {
        let _ = serve_connect_stream(request, config, service).await;
    });
    let mut response = Response::new(ResponseBody::default());
    *response.status_mut() = StatusCode::OK;
    response
}

/// The work of [`tunnel`]'s task: waits for the stream of `request`, then [`serve_tls`] on it.
async fn serve_connect_stream<RequestBody, S, ResponseBody>(
    request: Request<RequestBody>,
    config: Arc<ServerConfig>,
    service: S,
) -> Result<(), TunnelError>
where
    S: Service<Request<Incoming>, Response = Response<ResponseBody>>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    ResponseBody: Body + Send + 'static,
    ResponseBody::Data: Send,
    ResponseBody::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let upgraded = hyper::upgrade::on(request)
        .await
        .map_err(TunnelError::Upgrade)?;
    serve_tls(TokioIo::new(upgraded), config, service).await
}

/// Runs the TLS handshake with `config` on `stream` (within [`HANDSHAKE_TIMEOUT`]) and serves
/// HTTP/1.1 on it with `service` until the client closes it. For each connection of the TLS port;
/// [`tunnel`] uses it for the stream of a `CONNECT`.
pub async fn serve_tls<Stream, S, ResponseBody>(
    stream: Stream,
    config: Arc<ServerConfig>,
    service: S,
) -> Result<(), TunnelError>
where
    Stream: AsyncRead + AsyncWrite + Unpin,
    S: Service<Request<Incoming>, Response = Response<ResponseBody>>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    ResponseBody: Body + Send + 'static,
    ResponseBody::Data: Send,
    ResponseBody::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let handshake = TlsAcceptor::from(config).accept(stream);
    let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
        .await
        .map_err(|_| TunnelError::HandshakeTimeout)?
        .map_err(TunnelError::Handshake)?;
    hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tls), service)
        .await
        .map_err(TunnelError::Http)
}
