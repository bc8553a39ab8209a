//! The HTTP plumbing both receivers share: binding, accepting, serving HTTP/1.1 connections,
//! routing (404 and 405), the per-request log line, and the [`RunningReceiver`] handle.
//!
//! What a receiver does with a webhook lives in `correct.rs` and `careless.rs`; this module only
//! gets the request to it and its answer back.

use std::convert::Infallible;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::correct::{self, AuthCheck, Worker};
use crate::{Mistake, PATH, ReceiverOptions, careless};

/// A client that has not sent its request headers within this time is disconnected, so idle or
/// malicious connections cannot pile up.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long [`RunningReceiver::shutdown`] lets requests in flight finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Which receiver to run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Flavour {
    /// The correct receiver.
    Correct,
    /// The careless receiver with this mistake.
    Careless(Mistake),
}

/// Counters a [`RunningReceiver`] reports, shared with the handlers and the worker.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    received: AtomicU64,
    accepted: AtomicU64,
    processed: AtomicU64,
}

impl Stats {
    /// Counts an event handed to processing (queued, or processed at once).
    pub(crate) fn accepted_one(&self) {
        self.accepted.fetch_add(1, Ordering::SeqCst);
    }

    /// Takes back [`Stats::accepted_one`], for an event that could not be queued after all.
    pub(crate) fn accepted_none(&self) {
        self.accepted.fetch_sub(1, Ordering::SeqCst);
    }

    /// Counts an event the worker (or a careless handler) finished processing.
    pub(crate) fn processed_one(&self) {
        self.processed.fetch_add(1, Ordering::SeqCst);
    }
}

/// Whether to write a line to stderr per request and per processed event (the binaries do; the
/// library, used from tests, does not).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Log(pub(crate) bool);

impl Log {
    /// Writes one line to stderr, when logging is on. A closed stderr is ignored: losing a log line
    /// must not fail a webhook.
    pub(crate) fn line(self, line: std::fmt::Arguments<'_>) {
        if self.0 {
            let _ignored = writeln!(io::stderr().lock(), "{line}");
        }
    }
}

/// What a handler decided: the status, a short text for the body and the log, and what is known of
/// the request.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The status to answer.
    pub(crate) status: StatusCode,
    /// A short, human-readable reason, sent as the body.
    pub(crate) text: String,
    /// The `eventType` of the request, once it was parsed.
    pub(crate) event_type: Option<String>,
    /// A `Location` header, for redirects.
    pub(crate) location: Option<String>,
}

impl Outcome {
    /// An answer with `status` and `text`, for the event `event_type` if known.
    pub(crate) fn new(status: StatusCode, text: impl ToString, event_type: Option<String>) -> Self {
        Self {
            status,
            text: text.to_string(),
            event_type,
            location: None,
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut body = self.text;
        body.push('\n');
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if let Some(location) = self.location.and_then(|l| HeaderValue::try_from(l).ok()) {
            headers.insert(LOCATION, location);
        }
        response
    }
}

/// The receiver behind the routing.
enum Handler {
    Correct(correct::Receiver),
    Careless(careless::Receiver),
}

/// What every connection of one receiver shares.
struct Shared {
    handler: Handler,
    stats: Arc<Stats>,
    log: Log,
}

impl Shared {
    async fn route(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let outcome = if path != PATH {
            correct::discard_body(request.into_body()).await;
            Outcome::new(StatusCode::NOT_FOUND, "not found", None)
        } else if method != Method::POST {
            correct::discard_body(request.into_body()).await;
            Outcome::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "only POST is served here",
                None,
            )
        } else {
            self.stats.received.fetch_add(1, Ordering::SeqCst);
            match &self.handler {
                Handler::Correct(receiver) => receiver.handle(request).await,
                Handler::Careless(receiver) => receiver.handle(request).await,
            }
        };
        // The line names the event and the answer, never a header: the auth value stays secret.
        self.log.line(format_args!(
            "{method} {path} {} -> {} {}",
            outcome.event_type.as_deref().unwrap_or("-"),
            outcome.status.as_u16(),
            outcome.text,
        ));
        let status = outcome.status;
        let mut response = outcome.into_response();
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// A receiver serving on a local address. It runs until this handle is dropped (which stops it at
/// once) or [`RunningReceiver::shutdown`] is awaited (which lets it finish its work first).
#[derive(Debug)]
pub struct RunningReceiver {
    addr: SocketAddr,
    url: String,
    stats: Arc<Stats>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningReceiver {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The webhook URL: `http://<addr>/webhooks/awork`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// How many requests reached the webhook handler (POST on the webhook path), including those
    /// still being handled. Tests use it to know that a request has arrived.
    pub fn received(&self) -> u64 {
        self.stats.received.load(Ordering::SeqCst)
    }

    /// How many events were handed to processing: queued for the worker before the answer, or (for
    /// the careless receivers that work before answering) processed at once. A redelivery that was
    /// recognised is not, so a test can tell right after the answer whether it will be processed.
    pub fn accepted(&self) -> u64 {
        self.stats.accepted.load(Ordering::SeqCst)
    }

    /// How many events were processed, in the background or (for the careless receivers that work
    /// before answering) inline. A redelivery that was recognised is not processed again.
    pub fn processed(&self) -> u64 {
        self.stats.processed.load(Ordering::SeqCst)
    }

    /// Stops accepting connections, lets the requests in flight finish (at most 5 s), then waits
    /// until every acknowledged event is processed: awork will not send those again.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _already_stopped = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ended = task.await;
        }
    }
}

impl Drop for RunningReceiver {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Binds `options.addr` and starts the receiver; returns once it accepts connections.
pub(crate) async fn spawn(
    options: ReceiverOptions,
    flavour: Flavour,
    log: Log,
) -> io::Result<RunningReceiver> {
    // Checked before binding, so a bad header is reported even when the port is taken.
    let auth = AuthCheck::new(options.auth)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let listener = TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}{PATH}");
    let stats = Arc::new(Stats::default());
    let (worker, worker_task) = Worker::spawn(Arc::clone(&stats), log);
    let handler = match flavour {
        Flavour::Correct => Handler::Correct(correct::Receiver::new(auth, worker)),
        Flavour::Careless(mistake) => {
            Handler::Careless(careless::Receiver::new(mistake, auth, worker, &url))
        }
    };
    let shared = Arc::new(Shared {
        handler,
        stats: Arc::clone(&stats),
        log,
    });
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(serve(listener, shared, worker_task, stopped));
    Ok(RunningReceiver {
        addr,
        url,
        stats,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Accepts connections until told to stop, then shuts down gracefully.
async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    worker: JoinHandle<()>,
    mut stopped: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _stop = &mut stopped => break,
        };
        let Ok((stream, _peer)) = accepted else {
            // Accept errors (such as running out of file descriptors) are transient: back off
            // instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        // Webhook answers are small and latency matters more than packet count.
        let _nodelay = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let service = service_fn(move |request| {
            let shared = Arc::clone(&shared);
            async move { Ok::<_, Infallible>(shared.route(request).await) }
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        connections.spawn(graceful.watch(connection));
        // Reap finished connections so the set does not grow with every connection ever served.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    // Idle keep-alive connections close at once; busy ones after their current answer.
    let _timed_out = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    connections.shutdown().await;
    // The last handler gone closes the queue; the worker processes what it holds, then ends.
    drop(shared);
    let _ended = worker.await;
}
