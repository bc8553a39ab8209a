//! How one attempt reaches the receiver: the [`Transport`] trait, the typed [`AttemptOutcome`],
//! and [`HttpTransport`], the real hyper client.
//!
//! A transport performs exactly one POST and classifies what happened. It does not decide whether
//! to retry, does not wait between attempts and does not count failures: that is the engine's job.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, HOST, LOCATION, USER_AGENT as USER_AGENT_HEADER};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use crate::config::{AuthHeader, WebhookConfig, WebhookUrl};

/// How many bytes of a response body are kept for reporting.
pub const BODY_EXCERPT_LIMIT: usize = 512;
/// How many bytes of a response body are read (and discarded) so the connection can be reused.
/// A longer body is abandoned and its connection closed.
const BODY_DRAIN_LIMIT: usize = 64 * 1024;

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
            Self::Timeout => Some("timeout"),
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
            Self::ConnectionRefused => f.write_str("connection refused"),
            Self::ConnectionReset => f.write_str("connection reset"),
            Self::Tls(message) => write!(f, "tls error: {message}"),
            Self::Other(message) => write!(f, "error: {message}"),
        }
    }
}

/// Carries one attempt to the receiver.
///
/// Contract: `send` POSTs `body` once and resolves to [`AttemptOutcome::Timeout`] if the whole
/// response (head and body) did not arrive within `timeout`. Use only `tokio::time` for waiting, so tests can pause the
/// clock.
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
}

/// The `User-Agent` of every attempt, unless the configured auth header is itself a `User-Agent`.
pub const USER_AGENT: &str = concat!("awork-sim/", env!("CARGO_PKG_VERSION"));

/// The real transport: a pooled hyper client (keep-alive, HTTP/1.1, http or https with rustls and
/// the ring provider), POSTing `Content-Type: application/json`, `User-Agent:` [`USER_AGENT`] and
/// the auth header. The platform's root certificates are loaded only for an `https` URL. Redirects are
/// never followed: hyper's client does not follow them, and a 3xx is just a failed attempt.
#[derive(Clone)]
pub struct HttpTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// The headers of every attempt, built once.
    headers: HeaderMap,
    url: WebhookUrl,
    auth: Option<AuthHeader>,
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
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = if config.insecure {
            let tls = ClientConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()
                .map_err(TransportError::Tls)?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
                .with_no_client_auth();
            builder.with_tls_config(tls)
        } else if config.url.is_https() {
            builder
                .with_provider_and_native_roots(provider)
                .map_err(TransportError::NativeRoots)?
        } else {
            // A plain-http webhook never speaks TLS (redirects are not followed), so the
            // platform's root store (hundreds of files) is not read: an empty one will do.
            let tls = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(TransportError::Tls)?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            builder.with_tls_config(tls)
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let connector = builder.https_or_http().enable_http1().wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            client,
            headers: request_headers(config.url.as_uri(), config.auth.as_ref()),
            url: config.url.clone(),
            auth: config.auth.clone(),
        })
    }

    /// The request of one attempt. Built from parts that are valid by construction (the URL and
    /// the headers were checked when the configuration was made), so it cannot fail, and it
    /// skips `http::request::Builder`'s checks on every attempt.
    fn request(&self, body: Bytes) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.url.as_uri().clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// One attempt without a deadline: the request, the response head, and the body read to its
    /// end (or to [`BODY_DRAIN_LIMIT`]), so the pooled connection can be reused.
    async fn attempt(&self, request: Request<Full<Bytes>>) -> AttemptOutcome {
        let response = match self.client.request(request).await {
            Err(error) => return classify(&error),
            Ok(response) => response,
        };
        let code = response.status();
        let location = if code.is_redirection() {
            response
                .headers()
                .get(LOCATION)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        } else {
            None
        };
        let body = drain_body(response.into_body()).await;
        AttemptOutcome::Status {
            code,
            location,
            body,
        }
    }
}

impl Transport for HttpTransport {
    async fn send(&self, body: Bytes, timeout: Duration) -> AttemptOutcome {
        // One deadline for the whole response, as awork's client reads it: a receiver that sends
        // its head at once and trickles its body past the timeout has not answered in time.
        tokio::time::timeout(timeout, self.attempt(self.request(body)))
            .await
            .unwrap_or(AttemptOutcome::Timeout)
    }
}

/// The headers every attempt carries: the host (as hyper's client would add it to each request:
/// the port only when it is not the scheme's default), the content type, the user agent (unless
/// `auth` names `User-Agent` itself) and the auth header.
fn request_headers(uri: &Uri, auth: Option<&AuthHeader>) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(4);
    if let Some(host) = host_header(uri) {
        headers.insert(HOST, host);
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if auth.is_none_or(|auth| *auth.name() != USER_AGENT_HEADER) {
        headers.insert(USER_AGENT_HEADER, HeaderValue::from_static(USER_AGENT));
    }
    if let Some(auth) = auth {
        headers.insert(auth.name().clone(), auth.value().clone());
    }
    headers
}

/// `host` or `host:port` (the port when it is not 80 for http, 443 for https), as hyper-util's
/// client writes it; `None` without a host, which leaves it to the client.
fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let host = uri.host()?;
    let default = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    let text = match uri.port_u16() {
        Some(port) if port != default => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    HeaderValue::from_str(&text).ok()
}

async fn drain_body(mut body: hyper::body::Incoming) -> Bytes {
    let mut excerpt = BytesMut::new();
    let mut read = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            read += data.len();
            let room = BODY_EXCERPT_LIMIT.saturating_sub(excerpt.len());
            excerpt.extend_from_slice(&data[..room.min(data.len())]);
            if read > BODY_DRAIN_LIMIT {
                break;
            }
        }
    }
    excerpt.freeze()
}

/// Classifies a client error by walking its sources for an [`io::Error`] kind or a TLS error.
pub fn classify(error: &(dyn StdError + 'static)) -> AttemptOutcome {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    let mut incomplete = false;
    while let Some(error) = current {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return AttemptOutcome::Tls(tls.to_string());
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
            // next), so walk into it instead: hyper-rustls wraps tokio-rustls's `io::Error`, which
            // wraps the `rustls::Error`, in another `io::Error`.
            if let Some(inner) = io_error.get_ref() {
                current = Some(inner);
                continue;
            }
        }
        if let Some(hyper_error) = error.downcast_ref::<hyper::Error>() {
            // The receiver closed the connection without answering: for the sender this is the
            // same as a reset.
            incomplete |= hyper_error.is_incomplete_message() || hyper_error.is_canceled();
        }
        current = error.source();
    }
    if incomplete {
        return AttemptOutcome::ConnectionReset;
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
