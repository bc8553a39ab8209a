//! A development receiver: a small HTTP/1.1 server that records every request and answers as a
//! configurable [`Behaviour`] says (fixed status, scripted statuses, seeded failure rate, delay,
//! redirect, connection reset, required auth header), with an optional hook per request.
//!
//! It exists for tests, benchmarks and the binary's `listen` command. It is not a production
//! server: it keeps every request in memory unless told not to, and it has no TLS.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::header::LOCATION;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// One way to answer a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Answer with this status and an empty body.
    Status(u16),
    /// Answer `307 Temporary Redirect` with this `Location`.
    Redirect(String),
    /// Close the connection without answering (with `SO_LINGER` 0, so the peer sees a reset).
    Reset,
}

/// How the receiver answers, decided per request in this order: a missing or wrong required auth
/// header gets 401; otherwise the next scripted reply if any is left; otherwise, with a failure
/// rate set, a seeded draw between the failure status and the default; otherwise the default.
/// Every answer waits `delay` first.
#[derive(Debug, Clone)]
pub struct Behaviour {
    script: VecDeque<Reply>,
    default: Reply,
    fail_rate: Option<(f64, u16, StdRng)>,
    delay: Duration,
    auth: Option<(HeaderName, HeaderValue)>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self::always(Reply::Status(200))
    }
}

impl Behaviour {
    /// Always answers `reply`.
    pub fn always(reply: Reply) -> Self {
        Self {
            script: VecDeque::new(),
            default: reply,
            fail_rate: None,
            delay: Duration::ZERO,
            auth: None,
        }
    }

    /// Always answers `status`.
    pub fn status(status: u16) -> Self {
        Self::always(Reply::Status(status))
    }

    /// Answers the first `n` requests with `status`, then 200.
    pub fn fail_first(n: usize, status: u16) -> Self {
        Self::status(200).with_script(std::iter::repeat_n(Reply::Status(status), n))
    }

    /// Answers these replies first, in order, then follows the rest of the behaviour.
    #[must_use = "the builder returns the changed behaviour"]
    pub fn with_script(mut self, replies: impl IntoIterator<Item = Reply>) -> Self {
        self.script.extend(replies);
        self
    }

    /// Fails each request with `status` with probability `rate` (0 to 1), drawn from a generator
    /// seeded with `seed`, so a run is reproducible.
    #[must_use = "the builder returns the changed behaviour"]
    pub fn with_fail_rate(mut self, rate: f64, status: u16, seed: u64) -> Self {
        self.fail_rate = Some((rate.clamp(0.0, 1.0), status, StdRng::seed_from_u64(seed)));
        self
    }

    /// Waits `delay` before every answer.
    #[must_use = "the builder returns the changed behaviour"]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Requires this header with exactly this value; answers 401 otherwise.
    #[must_use = "the builder returns the changed behaviour"]
    pub fn with_auth(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.auth = Some((name, value));
        self
    }

    fn may_reset(&self) -> bool {
        self.default == Reply::Reset || self.script.contains(&Reply::Reset)
    }

    fn decide(&mut self, headers: &HeaderMap) -> Reply {
        if let Some((name, value)) = &self.auth {
            if headers.get(name) != Some(value) {
                return Reply::Status(401);
            }
        }
        if let Some(reply) = self.script.pop_front() {
            return reply;
        }
        if let Some((rate, status, rng)) = &mut self.fail_rate {
            if rng.random_bool(*rate) {
                return Reply::Status(*status);
            }
        }
        self.default.clone()
    }
}

/// A request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    /// The method.
    pub method: Method,
    /// The path and query.
    pub path: String,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, byte for byte.
    pub body: Bytes,
    /// When it arrived (wall clock).
    pub received_at: DateTime<Utc>,
    /// When it arrived (tokio clock, for measuring intervals).
    pub instant: Instant,
}

/// Called for every request with the reply the [`Behaviour`] chose; what it returns is the answer.
/// A hook that only observes returns the reply it was given.
pub type Hook = Box<dyn Fn(&ReceivedRequest, Reply) -> Reply + Send + Sync>;

/// Waiting for requests took longer than allowed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("timed out after {waited:?} waiting for {wanted} requests, received {received}")]
pub struct WaitTimeout {
    /// Requests waited for.
    pub wanted: usize,
    /// Requests received.
    pub received: usize,
    /// How long it waited.
    pub waited: Duration,
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    requests: Mutex<Vec<ReceivedRequest>>,
    count: AtomicU64,
    arrived: Notify,
    hook: Option<Hook>,
    record: bool,
}

/// Configures a [`Receiver`] before it binds.
#[must_use = "a builder does nothing until `bind` is called"]
pub struct ReceiverBuilder {
    behaviour: Behaviour,
    hook: Option<Hook>,
    record: bool,
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("behaviour", &self.behaviour)
            .field("hook", &self.hook.is_some())
            .field("record", &self.record)
            .finish()
    }
}

impl ReceiverBuilder {
    /// Calls `hook` for every request with the behaviour's reply, and answers what it returns.
    pub fn hook(
        mut self,
        hook: impl Fn(&ReceivedRequest, Reply) -> Reply + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Box::new(hook));
        self
    }

    /// Whether to keep every request in memory (default true). Without it, only the count is
    /// kept, for long runs.
    pub fn record(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// Binds `addr` (use `127.0.0.1:0` for a free port) and starts serving.
    pub async fn bind(self, addr: SocketAddr) -> io::Result<Receiver> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(self.behaviour),
            requests: Mutex::new(Vec::new()),
            count: AtomicU64::new(0),
            arrived: Notify::new(),
            hook: self.hook,
            record: self.record,
        });
        let served = Arc::clone(&shared);
        let task = tokio::spawn(accept_each(listener, move |stream| {
            serve_connection(stream, Arc::clone(&served))
        }));
        Ok(Receiver {
            addr,
            shared,
            task: Some(task),
        })
    }
}

/// A running development receiver. Dropping it (or [`Receiver::shutdown`]) stops it and closes
/// every connection.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("addr", &self.addr)
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A builder for a receiver with `behaviour`.
    pub fn builder(behaviour: Behaviour) -> ReceiverBuilder {
        ReceiverBuilder {
            behaviour,
            hook: None,
            record: true,
        }
    }

    /// Starts a receiver with `behaviour` on `addr`.
    pub async fn start(addr: SocketAddr, behaviour: Behaviour) -> io::Result<Self> {
        Self::builder(behaviour).bind(addr).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Replaces the behaviour for the following requests.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *lock(&self.shared.behaviour) = behaviour;
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        usize::try_from(self.shared.count.load(Ordering::SeqCst)).unwrap_or(usize::MAX)
    }

    /// A copy of the recorded requests, in arrival order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Waits until at least `n` requests arrived, at most `timeout`.
    pub async fn wait_for_requests(&self, n: usize, timeout: Duration) -> Result<(), WaitTimeout> {
        let start = Instant::now();
        let deadline = start + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            tokio::pin!(arrived);
            // Register before checking, so an arrival between the check and the wait is seen.
            arrived.as_mut().enable();
            if self.request_count() >= n {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return Err(WaitTimeout {
                    wanted: n,
                    received: self.request_count(),
                    waited: start.elapsed(),
                });
            }
        }
    }

    /// Stops accepting, closes every connection, and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // Abort only asks; awaiting makes sure the listener and connections are dropped.
            let _cancelled = task.await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic in a test hook must not hide every later request.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Accepts connections on `listener` for ever, each served by `serve` in a task of its own; the
/// tasks end with the returned future (dropping it aborts them). Accept errors (such as running
/// out of file descriptors) are transient: it backs off for 10 ms and goes on. The accept loop of
/// this receiver and of `awork-sim listen`.
pub async fn accept_each<Serve, Served>(listener: TcpListener, mut serve: Serve)
where
    Serve: FnMut(TcpStream) -> Served,
    Served: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        while connections.try_join_next().is_some() {}
        connections.spawn(serve(stream));
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let _nodelay = stream.set_nodelay(true);
    if lock(&shared.behaviour).may_reset() {
        // Only then: with zero linger, a close discards unsent data, so ordinary answers on a
        // closing connection could be lost.
        let _linger = stream.set_zero_linger();
    }
    let reset = Arc::new(Notify::new());
    let service = {
        let reset = Arc::clone(&reset);
        service_fn(move |request| handle(request, Arc::clone(&shared), Arc::clone(&reset)))
    };
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        // Dropping the connection drops the socket without an answer.
        () = reset.notified() => {}
    }
}

async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    reset: Arc<Notify>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let instant = Instant::now();
    let received_at = Utc::now();
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|collected| collected.to_bytes()) else {
        return Ok(respond(StatusCode::BAD_REQUEST, None));
    };
    let request = ReceivedRequest {
        method: parts.method,
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), ToString::to_string),
        headers: parts.headers,
        body,
        received_at,
        instant,
    };
    let (decided, delay) = {
        let mut behaviour = lock(&shared.behaviour);
        (behaviour.decide(&request.headers), behaviour.delay)
    };
    let reply = match &shared.hook {
        Some(hook) => hook(&request, decided),
        None => decided,
    };
    if shared.record {
        lock(&shared.requests).push(request);
    }
    shared.count.fetch_add(1, Ordering::SeqCst);
    shared.arrived.notify_waiters();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(match reply {
        Reply::Status(code) => respond(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            None,
        ),
        Reply::Redirect(location) => respond(StatusCode::TEMPORARY_REDIRECT, Some(&location)),
        Reply::Reset => {
            reset.notify_one();
            std::future::pending().await
        }
    })
}

fn respond(status: StatusCode, location: Option<&str>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    if let Some(value) = location.and_then(|location| HeaderValue::from_str(location).ok()) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}
