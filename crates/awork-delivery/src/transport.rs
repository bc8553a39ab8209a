//! How one attempt reaches the receiver: the [`Transport`] trait, the typed [`AttemptOutcome`],
//! and [`HttpTransport`], the real client.
//!
//! A transport performs exactly one POST and classifies what happened. It does not decide whether
//! to retry, does not wait between attempts and does not count failures: that is the engine's job.
//!
//! A webhook is sent on a small pool of HTTP/1.1 connections (`http1.rs`), over TCP or,
//! for an `https` URL, over rustls: an attempt takes an idle connection (or opens one), writes
//! its request and reads the answer in its own task, and puts the connection back before it
//! returns, so the caller's next attempt finds it. (hyper-util's pooled client puts a connection
//! back from a task of its own, which a sequential caller's next request can overtake, opening
//! another connection.)

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::header::USER_AGENT as USER_AGENT_HEADER;
use http::{HeaderValue, StatusCode, Uri};
use hyper_rustls::ConfigBuilderExt;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio_rustls::TlsConnector;

use crate::config::{AuthHeader, WebhookConfig, WebhookUrl};
use crate::dial::Dialer;
use crate::http1::{Connection as Http1Connection, HeadSeen, NoAnswer, RequestHead};
use crate::redact::Redaction;

/// How many bytes of a response body are kept for reporting.
pub const BODY_EXCERPT_LIMIT: usize = 512;

/// What one attempt produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered with a status. 2xx is a success; anything else a failure.
    Status {
        /// The status code.
        code: StatusCode,
        /// The `Location` header of a 3xx answer (recorded, never followed).
        location: Option<String>,
        /// The first bytes of the response body (at most [`BODY_EXCERPT_LIMIT`]).
        body: Bytes,
    },
    /// The whole response (head and body) did not arrive within the timeout.
    Timeout,
    /// The response's head came within the timeout, but its body did not end in it (a receiver
    /// that sends a 2xx without `Content-Length` on a connection it keeps open, or fewer bytes
    /// than it said): a timeout too ([`AttemptOutcome::error_kind`] is `timeout`), saying what
    /// came.
    UnendedBody {
        /// What came (the answer's status), and why its body did not end (from its framing).
        message: String,
    },
    /// The receiver refused the connection.
    ConnectionRefused,
    /// The connection was reset or closed before a response arrived.
    ConnectionReset,
    /// The TLS handshake failed.
    Tls(String),
    /// Any other error (DNS, invalid request, ...).
    Other(String),
}

impl AttemptOutcome {
    /// A status outcome without a location or body, mostly for fakes in tests.
    pub fn status(code: u16) -> Self {
        Self::Status {
            code: StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            location: None,
            body: Bytes::new(),
        }
    }

    /// Whether this attempt delivered the event (a 2xx status).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Status { code, .. } if code.is_success())
    }

    /// A short machine-readable name for a failure that is not a status: `timeout`,
    /// `connection_refused`, `connection_reset`, `tls` or `other`; `None` for a status.
    pub fn error_kind(&self) -> Option<&'static str> {
        match self {
            Self::Status { .. } => None,
            Self::Timeout | Self::UnendedBody { .. } => Some("timeout"),
            Self::ConnectionRefused => Some("connection_refused"),
            Self::ConnectionReset => Some("connection_reset"),
            Self::Tls(_) => Some("tls"),
            Self::Other(_) => Some("other"),
        }
    }
}

impl fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status {
                code,
                location: Some(location),
                ..
            } => write!(f, "{} (location {location})", code.as_u16()),
            Self::Status { code, .. } => write!(f, "{}", code.as_u16()),
            Self::Timeout => f.write_str("timeout"),
            Self::UnendedBody { message } => write!(f, "timeout: {message}"),
            Self::ConnectionRefused => f.write_str("connection refused"),
            Self::ConnectionReset => f.write_str("connection reset"),
            Self::Tls(message) => write!(f, "tls error: {message}"),
            Self::Other(message) => write!(f, "error: {message}"),
        }
    }
}

/// How the message of [`AttemptOutcome::UnendedBody`] begins: the mark of a timeout whose answer
/// began (for the reports that tell it from no answer at all).
pub const UNENDED_BODY: &str = "the answer's head came";

/// Carries one attempt to the receiver.
///
/// Contract: `send` POSTs `body` once and resolves to [`AttemptOutcome::Timeout`] if the whole
/// response (head and body) did not arrive within `timeout`. (A request that a kept-alive
/// connection lost, closed by the receiver before any byte of an answer, may be sent again on a
/// fresh connection, which then has a `timeout` of its own.) Use only `tokio::time` for waiting,
/// so tests can pause the clock.
pub trait Transport: Send + Sync + 'static {
    /// Performs one attempt.
    fn send(&self, body: Bytes, timeout: Duration) -> impl Future<Output = AttemptOutcome> + Send;
}

/// An error while building the HTTP client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The platform's root certificates could not be loaded for an `https` URL.
    #[error("cannot load the platform's root certificates")]
    NativeRoots(#[source] io::Error),
    /// The TLS configuration could not be built.
    #[error("cannot build the tls configuration")]
    Tls(#[source] rustls::Error),
    /// The URL's host is not a name or address a TLS certificate can be checked against.
    #[error("the host `{0}` is not a name a tls certificate can carry")]
    ServerName(String),
}

/// The `User-Agent` of every attempt, unless the configured auth header is itself a `User-Agent`.
pub const USER_AGENT: &str = concat!("awork-sim/", env!("CARGO_PKG_VERSION"));

/// The real transport: pooled keep-alive HTTP/1.1 connections (`http1.rs`, over TCP, and
/// over rustls with the ring provider for `https`), POSTing
/// `Content-Type: application/json`, `User-Agent:` [`USER_AGENT`] and the auth header. The
/// platform's root certificates are loaded only for an `https` URL. Redirects are never followed:
/// a 3xx is just a failed attempt.
#[derive(Clone)]
pub struct HttpTransport {
    pool: Arc<Pool>,
    /// The request line and headers of every attempt, formatted once.
    head: RequestHead,
    url: WebhookUrl,
    auth: Option<AuthHeader>,
    /// The auth value, kept out of what the receiver writes back (its body, its `Location`).
    redaction: Arc<Redaction>,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// Builds the client for `config`: its URL, auth header and TLS choice (`insecure` accepts any
    /// certificate; otherwise the platform's roots, loaded only when the URL is `https`).
    pub fn new(config: &WebhookConfig) -> Result<Self, TransportError> {
        let mut pool = Pool::new(config.url.as_uri());
        // A plain-http webhook never speaks TLS (redirects are not followed), so no TLS
        // configuration is built and the platform's root store is not read.
        if config.url.is_https() {
            pool.tls = Some(tls_target(config, pool.dialer.host())?);
        }
        let headers = request_headers(config.url.as_uri(), config.auth.as_ref());
        let head = RequestHead::post(
            request_target(config.url.as_uri()),
            headers
                .iter()
                .map(|(name, value)| (*name, value.as_bytes())),
        );
        Ok(Self {
            pool: Arc::new(pool),
            head,
            url: config.url.clone(),
            auth: config.auth.clone(),
            redaction: Arc::new(Redaction::of(
                config.auth.as_ref().map(|auth| auth.value().as_bytes()),
            )),
        })
    }

    /// One try of an attempt on a connection (`Pooled`: an idle one if one is still open, else a
    /// new one), without a deadline: the request, the response head, and the body read to its end
    /// (a 2xx whose body is cut short is a failed attempt, not a delivery); the
    /// connection goes back to the pool only when its response was read whole, and then before
    /// this returns.
    ///
    /// `Err(StaleConnection)` when the request could not be written on a reused connection: a
    /// connection that served a request and then sat idle may have been closed by the receiver
    /// (its keep-alive timeout, or it closes after every answer) in the moment between our check
    /// that it is open and our request. The receiver cannot have read this attempt, so the caller
    /// sends it once more on a fresh connection rather than turning it into a failed attempt.
    /// Once the request was written, a close (or reset) before any byte of an answer is a failed
    /// attempt, as Go's HTTP client has it for a POST: the receiver may have read the event and
    /// dropped it, and sending it again unseen would hide that (and deliver it twice). A fresh
    /// connection never gives `Err`.
    async fn try_on(
        &self,
        body: Bytes,
        connection: Connection,
        head_seen: &HeadSeen,
    ) -> Result<AttemptOutcome, StaleConnection> {
        let pool = &self.pool;
        let checked_out = match connection {
            Connection::Pooled => pool.checkout().await,
            Connection::Fresh => pool.connect().await.map(|connection| (connection, false)),
        };
        let (mut connection, reused) = match checked_out {
            Ok(checked_out) => checked_out,
            Err(error) => return Ok(classify(&error)),
        };
        let exchanged = connection
            .exchange(&self.head, &body, BODY_EXCERPT_LIMIT, head_seen)
            .await;
        match exchanged {
            Ok(answer) => {
                if answer.reusable {
                    pool.put_back(connection);
                }
                if answer.body_unsent && answer.status.is_success() {
                    // awork's client sends the whole body before it reads the answer: a write
                    // that fails first fails the attempt, whatever the answer would have said.
                    return Ok(AttemptOutcome::Other(not_sent_whole(answer.status)));
                }
                if let Some(error) = answer.cut_short.filter(|_| answer.status.is_success()) {
                    // Only a whole answer delivers, as awork's client reads it whole (another
                    // status is a failure either way, and keeps its code).
                    return Ok(AttemptOutcome::Other(format!(
                        "the {} answer's body was cut short: {}",
                        answer.status.as_u16(),
                        cut_short_reason(&error)
                    )));
                }
                // A receiver that echoes the auth header it got does not put it in the logs.
                let redaction = &self.redaction;
                Ok(AttemptOutcome::Status {
                    code: answer.status,
                    location: answer
                        .location
                        .map(|location| redaction.apply(&location).into_owned()),
                    body: match redaction.apply_to_body(&answer.excerpt) {
                        Some(redacted) => Bytes::from(redacted),
                        None => answer.excerpt,
                    },
                })
            }
            Err(NoAnswer {
                error,
                answered,
                sent,
            }) => {
                let outcome = classify(&error);
                if reused && !answered && !sent && outcome == AttemptOutcome::ConnectionReset {
                    Err(StaleConnection)
                } else {
                    Ok(outcome)
                }
            }
        }
    }

    /// One attempt: a try on a pooled connection within `timeout`, and, when that connection
    /// turns out to have been closed while idle, a try on a fresh connection with a `timeout` of
    /// its own, so that a stale connection does not eat into the time the receiver has to answer.
    async fn attempt(&self, body: Bytes, timeout: Duration) -> AttemptOutcome {
        let head_seen = HeadSeen::default();
        let pooled = self.try_on(body.clone(), Connection::Pooled, &head_seen);
        match within(timeout, pooled).await {
            Some(Ok(outcome)) => outcome,
            None => timed_out(&head_seen),
            Some(Err(StaleConnection)) => {
                let fresh = self.try_on(body, Connection::Fresh, &head_seen);
                match within(timeout, fresh).await {
                    Some(Ok(outcome)) => outcome,
                    Some(Err(StaleConnection)) => AttemptOutcome::ConnectionReset,
                    None => timed_out(&head_seen),
                }
            }
        }
    }
}

/// Why an attempt answered `status` (a 2xx) before its body was sent whole failed.
fn not_sent_whole(status: StatusCode) -> String {
    format!(
        "the receiver answered {} before it had read the whole event, then stopped reading it: \
         the event was not sent whole",
        status.as_u16()
    )
}

/// The outcome of a try the deadline ended: what came of its answer, if its head did.
fn timed_out(head_seen: &HeadSeen) -> AttemptOutcome {
    match head_seen.get() {
        // A 2xx that came while the body was sent, and a receiver that then read no more: the
        // rest of the event could not be sent in time.
        Some(head) if head.early => AttemptOutcome::Other(not_sent_whole(head.status)),
        Some(head) => AttemptOutcome::UnendedBody {
            message: format!(
                "{} ({}), but its body did not end: {}",
                UNENDED_BODY,
                head.status.as_u16(),
                head.unended_body()
            ),
        },
        None => AttemptOutcome::Timeout,
    }
}

/// Why a body was cut short, in words: the close before its end, or what broke its framing.
fn cut_short_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::UnexpectedEof => "the connection closed before its last byte".to_owned(),
        _ => error.to_string(),
    }
}

/// Which connection a try of [`HttpTransport::try_on`] is sent on.
#[derive(Debug, Clone, Copy)]
enum Connection {
    /// An idle pooled connection that is still open, or a new one when there is none.
    Pooled,
    /// A new connection.
    Fresh,
}

/// The request could not be written on a reused connection: the receiver closed it while idle.
#[derive(Debug)]
struct StaleConnection;

/// `future`'s output, or `None` when it did not finish within `timeout`.
async fn within<T>(timeout: Duration, future: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout(timeout, future).await.ok()
}

/// The keep-alive connections to the receiver: idle ones wait in a stack (the most
/// recently used is taken first).
struct Pool {
    /// Opens the TCP connections, to the URL's host and port.
    dialer: Dialer,
    /// For an `https` URL, how TLS is spoken over each connection.
    tls: Option<TlsTarget>,
    /// The connections not in use.
    idle: Mutex<Vec<Http1Connection>>,
}

impl Pool {
    /// The pool for `uri`, without TLS.
    fn new(uri: &Uri) -> Self {
        let host = uri.host().unwrap_or_default();
        let host = host
            .strip_prefix('[')
            .and_then(|host| host.strip_suffix(']'))
            .unwrap_or(host);
        let port = uri.port_u16().unwrap_or(default_port(uri));
        Self {
            dialer: Dialer::new(host.to_owned(), port),
            tls: None,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// An idle connection that is still open, and `true`; or a new connection, and `false`.
    async fn checkout(&self) -> io::Result<(Http1Connection, bool)> {
        loop {
            let idle = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let Some(mut connection) = idle else { break };
            // One that the receiver closed while it was idle is dropped.
            if !connection.is_closed() {
                return Ok((connection, true));
            }
        }
        Ok((self.connect().await?, false))
    }

    /// Opens a connection (by the [`Dialer`]; `TCP_NODELAY`, TLS for an `https` URL).
    ///
    /// Its work is boxed: the future of a TLS handshake takes kilobytes, and every attempt's
    /// future would otherwise carry room for it (and be copied with it when an attempt starts),
    /// though a connection is opened once for many attempts.
    async fn connect(&self) -> io::Result<Http1Connection> {
        Box::pin(self.open_connection()).await
    }

    /// [`Pool::connect`]'s work.
    async fn open_connection(&self) -> io::Result<Http1Connection> {
        let stream = self.dialer.open().await?;
        stream.set_nodelay(true)?;
        Ok(match &self.tls {
            None => Http1Connection::new(stream),
            Some(tls) => Http1Connection::new(
                tls.connector
                    .connect(tls.server_name.clone(), stream)
                    .await?,
            ),
        })
    }

    /// Returns a connection whose response was read whole.
    fn put_back(&self, connection: Http1Connection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(connection);
    }
}

/// How TLS is spoken to an `https` receiver: the client configuration and the name its
/// certificate must carry.
struct TlsTarget {
    connector: TlsConnector,
    server_name: ServerName<'static>,
}

/// The TLS side of an `https` URL whose host is `host`: the platform's roots, or (`insecure`) any
/// certificate; HTTP/1.1 only, so no ALPN.
fn tls_target(config: &WebhookConfig, host: &str) -> Result<TlsTarget, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(TransportError::Tls)?;
    let tls = if config.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        builder
            .with_native_roots()
            .map_err(TransportError::NativeRoots)?
            .with_no_client_auth()
    };
    let server_name = ServerName::try_from(host.to_owned())
        .map_err(|_| TransportError::ServerName(host.to_owned()))?;
    Ok(TlsTarget {
        connector: TlsConnector::from(Arc::new(tls)),
        server_name,
    })
}

impl Transport for HttpTransport {
    async fn send(&self, body: Bytes, timeout: Duration) -> AttemptOutcome {
        // One deadline for the whole response, as awork's client reads it: a receiver that sends
        // its head at once and trickles its body past the timeout has not answered in time.
        self.attempt(body, timeout).await
    }
}

/// The headers every attempt carries, named as .NET's client writes them (its own in their
/// usual case, the auth header as it was given): the host (as hyper's client adds it to each
/// request: the port only when it is not the scheme's default), the content type, the user
/// agent (unless `auth` names `User-Agent` itself) and the auth header.
fn request_headers<'a>(uri: &Uri, auth: Option<&'a AuthHeader>) -> Vec<(&'a str, HeaderValue)> {
    let mut headers = Vec::with_capacity(4);
    if let Some(host) = host_header(uri) {
        headers.push(("Host", host));
    }
    headers.push(("Content-Type", HeaderValue::from_static("application/json")));
    if auth.is_none_or(|auth| *auth.name() != USER_AGENT_HEADER) {
        headers.push(("User-Agent", HeaderValue::from_static(USER_AGENT)));
    }
    if let Some(auth) = auth {
        headers.push((auth.spelling(), auth.value().clone()));
    }
    headers
}

/// The request target of every request to `uri`: its path and query (origin form), `/` when it
/// has none.
fn request_target(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |path| path.as_str())
}

/// The port of `uri`'s scheme: 443 for https, 80 for http.
fn default_port(uri: &Uri) -> u16 {
    if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    }
}

/// `host` or `host:port` (the port when it is not 80 for http, 443 for https), as hyper-util's
/// client writes it; `None` without a host, which leaves it to the client.
fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let host = uri.host()?;
    let text = match uri.port_u16() {
        Some(port) if port != default_port(uri) => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    HeaderValue::from_str(&text).ok()
}

/// Whether a certificate was refused for its dates or the names it carries (it is out of date, or
/// for another host), which no trusted CA changes.
fn is_about_dates_or_names(problem: &rustls::CertificateError) -> bool {
    use rustls::CertificateError::{
        Expired, ExpiredContext, NotValidForName, NotValidForNameContext, NotValidYet,
        NotValidYetContext, Revoked,
    };
    matches!(
        problem,
        Expired
            | ExpiredContext { .. }
            | NotValidYet
            | NotValidYetContext { .. }
            | NotValidForName
            | NotValidForNameContext { .. }
            | Revoked
    )
}

/// Classifies a client error by walking its sources for an [`io::Error`] kind or a TLS error.
pub fn classify(error: &(dyn StdError + 'static)) -> AttemptOutcome {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = current {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            let mut message = tls.to_string();
            if matches!(
                tls,
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
            ) {
                // What came back is not TLS at all: most often a plain HTTP answer.
                message.push_str(" (is the receiver plain http? try its http:// URL)");
            }
            if let rustls::Error::InvalidCertificate(problem) = tls
                && !is_about_dates_or_names(problem)
            {
                // Most often a development receiver's own certificate, which rustls names in its
                // terms (`UnknownIssuer`, `CaUsedAsEndEntity`). serve has no --insecure; its
                // deliveries, as send's and check's, trust the roots SSL_CERT_FILE names.
                message.push_str(
                    " (a self-signed or private-CA certificate? trust its CA with \
                     SSL_CERT_FILE=its-ca.pem, or with send and check accept any certificate \
                     with --insecure)",
                );
            }
            return AttemptOutcome::Tls(message);
        }
        if let Some(io_error) = error.downcast_ref::<io::Error>() {
            match io_error.kind() {
                io::ErrorKind::ConnectionRefused => return AttemptOutcome::ConnectionRefused,
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return AttemptOutcome::ConnectionReset,
                io::ErrorKind::TimedOut => return AttemptOutcome::Timeout,
                _ => {}
            }
            // `io::Error::source` skips the error it wraps (the source of the wrapped error comes
            // next), so walk into it instead: tokio-rustls hands a TLS failure on as an `io::Error`
            // that wraps the `rustls::Error`.
            if let Some(inner) = io_error.get_ref() {
                current = Some(inner);
                continue;
            }
        }
        current = error.source();
    }
    AttemptOutcome::Other(error_chain(error))
}

fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(error) = current {
        text.push_str(": ");
        text.push_str(&error.to_string());
        current = error.source();
    }
    text
}

/// Accepts any server certificate, for `--insecure` against self-signed development receivers.
/// Handshake signatures are still checked, so the connection is encrypted, just not authenticated.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
