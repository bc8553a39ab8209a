//! `awork-sim listen`: a development receiver that validates and prints each delivery, records
//! accepted ones as files that `send` can replay, and misbehaves on request (failing the first
//! requests, failing at a seeded rate, answering late, requiring an auth header).
//!
//! It is its own small HTTP/1.1 server (hyper), so that it can be left running: a body over
//! `--max-body` is answered 413 before it is read (by its `Content-Length`, or while it streams in),
//! and a delivery is recorded before it is answered, so one that could not be written is answered 500
//! rather than 2xx, and the listener goes on. Each request's handler decides the answer; the main task
//! prints one line per request, in the order they were answered (with the reason of an answer that is
//! not 2xx), and the tally on Ctrl-C or SIGTERM. A GET or HEAD is a readiness probe, not a delivery;
//! any other method but POST is answered 405.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, bail};
use awork_delivery::receiver::accept_each;
use awork_delivery::{AuthHeader, parse_duration};
use awork_models::{EventType, Naming};
use bytes::Bytes;
use chrono::{DateTime, Local, Utc};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};

use super::Outcome;
use super::generate::file_safe;
use crate::auth::AuthArgs;
use crate::generated::NamingArg;
use crate::signals::Signals;

/// The default of `--max-body`.
const DEFAULT_MAX_BODY: &str = "10MiB";

/// How long the rest of a refused body is read and thrown away before the connection is closed, so
/// that the sender reads the 413 rather than a connection reset.
const DISCARD_FOR: Duration = Duration::from_secs(2);

/// The answer to a `GET` or `HEAD` (a readiness probe).
const READY: &str = "awork-sim listen is ready: POST awork events here\n";

/// The most characters of a received `eventType` or `entityId` printed on a line.
const PRINTED_CHARS: usize = 80;

/// Arguments of `awork-sim listen`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("auth_header", |arg| arg.help(crate::auth::help("required of every request; a request without it, with another value or with it twice is answered 401 and its line says why"))))]
pub struct Args {
    /// The address to listen on. The default, 127.0.0.1, takes connections from this machine only;
    /// `0.0.0.0` (or `::`) takes them from anywhere, as a receiver in a container needs. An IP
    /// address, or `localhost`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: String,
    /// The port; 0 picks a free one.
    #[arg(long, value_name = "P", default_value_t = 8787)]
    port: u16,
    #[command(flatten)]
    auth: AuthArgs,
    /// Write the body of each accepted (2xx) delivery to a file in this directory, byte for byte:
    /// `NNNNNN-<eventType>.json`. A delivery that cannot be written is answered 500 (the reason goes
    /// to stderr) and listening goes on.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// Answer the first N requests with 500.
    #[arg(long, value_name = "N", default_value_t = 0)]
    fail_first: u64,
    /// Answer each request with 500 with this probability (0 to 1), drawn from `--seed`.
    #[arg(long, value_name = "R")]
    fail_rate: Option<f64>,
    /// Wait this long before every answer (`250ms`, `31s`).
    #[arg(long, value_name = "D")]
    delay: Option<String>,
    /// The seed of `--fail-rate`'s draws.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// The largest body read (`10MiB`, `512KiB`, `2MB`, or bytes); a larger one is answered 413
    /// without being kept: at once when its `Content-Length` says so, else as soon as it grows past.
    #[arg(long, value_name = "SIZE", default_value = DEFAULT_MAX_BODY)]
    max_body: String,
    /// Answer 400 to a body that is not JSON or not a valid awork event (a missing or mistyped
    /// property, an `entityType` that does not fit); the reason is the answer's body. Unknown
    /// event names and other spellings are still accepted, with a note. Without it every body gets
    /// the answer the other options choose, and its problems are only printed.
    #[arg(long)]
    strict: bool,
    /// The event names to expect: `api` (what awork's webhooks carry), or the `spec`'s or the
    /// `docs`' spellings. A delivery spelled otherwise is accepted, with a note naming the spelling.
    #[arg(long, value_enum, value_name = "NAMING", default_value_t = NamingArg::Api)]
    naming: NamingArg,
}

impl Args {
    /// The configuration these arguments ask for; a bad header, rate, size or duration is an error.
    pub fn resolve(self) -> anyhow::Result<Config> {
        let auth = self.auth.resolve()?;
        let delay = match &self.delay {
            Some(text) => parse_duration(text).context("--delay")?,
            None => Duration::ZERO,
        };
        if let Some(rate) = self.fail_rate {
            if !(0.0..=1.0).contains(&rate) {
                bail!("--fail-rate {rate}: must be between 0 and 1");
            }
        }
        let host: IpAddr = match self.host.as_str() {
            "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            text => text.parse().map_err(|_| {
                anyhow::anyhow!("--host {text}: not an IP address (127.0.0.1, 0.0.0.0, ::1, ::)")
            })?,
        };
        let max_body =
            parse_size(&self.max_body).with_context(|| format!("--max-body {}", self.max_body))?;
        Ok(Config {
            addr: SocketAddr::new(host, self.port),
            answers: Answers {
                auth,
                fail_first: self.fail_first,
                failed_first: 0,
                fail_rate: self
                    .fail_rate
                    .map(|rate| (rate, StdRng::seed_from_u64(self.seed))),
            },
            delay,
            record: self.record,
            max_body: MaxBody {
                bytes: max_body,
                text: self.max_body,
            },
            strict: self.strict,
            naming: self.naming.into(),
        })
    }
}

/// Parses a size: bytes (`1048576`), or a number with a unit: `B`, `KB`, `MB`, `GB` (powers of
/// 1000) or `KiB`, `MiB`, `GiB` (powers of 1024). It must be at least one byte.
fn parse_size(text: &str) -> anyhow::Result<u64> {
    let digits = text
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text.trim()[digits.len()..];
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => bail!("unknown unit `{unit}`: use B, KB, MB, GB, KiB, MiB or GiB"),
    };
    let number: u64 = digits.trim().parse().map_err(|_| {
        anyhow::anyhow!("expected a whole number of bytes, or one with a unit (`10MiB`)")
    })?;
    let bytes = number
        .checked_mul(factor)
        .ok_or_else(|| anyhow::anyhow!("too large"))?;
    if bytes == 0 {
        bail!("must be at least 1 byte");
    }
    Ok(bytes)
}

/// What `listen` runs with.
#[derive(Debug)]
pub struct Config {
    /// The address to bind (port 0: any free one).
    pub addr: SocketAddr,
    /// How to answer a request whose body was read.
    answers: Answers,
    /// How long every answer waits.
    delay: Duration,
    /// Where to record accepted deliveries.
    record: Option<PathBuf>,
    /// The largest body read.
    max_body: MaxBody,
    /// Whether bodies that are not valid events are answered 400.
    strict: bool,
    /// The spellings of event names expected.
    naming: Naming,
}

/// `--max-body`: the limit and how the user wrote it, for the lines that name it.
#[derive(Debug, Clone)]
struct MaxBody {
    bytes: u64,
    text: String,
}

/// How a request whose body was read is answered, in this order: a missing or wrong required auth
/// header gets 401; then the first `fail_first` requests get 500; then, with a failure rate, a
/// seeded draw decides between 500 and 200; otherwise 200. (`--strict`'s 400 comes between the
/// auth header and the rest, and a failed recording turns a 2xx into 500.)
#[derive(Debug, Clone)]
struct Answers {
    auth: Option<AuthHeader>,
    /// `--fail-first`, as given.
    fail_first: u64,
    /// How many requests were failed on purpose by `--fail-first` so far.
    failed_first: u64,
    fail_rate: Option<(f64, StdRng)>,
}

impl Answers {
    /// Why the request is refused 401, if it is: the required header is missing, or its value is
    /// another (never shown).
    fn unauthorized(&self, headers: &HeaderMap) -> Option<String> {
        let auth = self.auth.as_ref()?;
        let mut values = headers.get_all(auth.name()).iter();
        match (values.next(), values.next()) {
            (None, _) => Some(format!("answered 401: no `{}` header", auth.spelling())),
            // Which of them a receiver reads (or whether it joins them) varies: awork sends one.
            (Some(_), Some(_)) => Some(format!(
                "answered 401: the `{}` header is given {} times (awork sends it once)",
                auth.spelling(),
                2 + values.count()
            )),
            (Some(value), None) if value != auth.value() => Some(format!(
                "answered 401: the `{}` header has another value than --auth-header's",
                auth.spelling()
            )),
            (Some(_), None) => None,
        }
    }

    /// The status of a request that passed the checks, and why when it is a failure on purpose.
    fn decide(&mut self) -> (u16, Option<String>) {
        if self.failed_first < self.fail_first {
            self.failed_first += 1;
            return (
                500,
                Some(format!(
                    "answered 500 on purpose: --fail-first {} ({} of {})",
                    self.fail_first, self.failed_first, self.fail_first
                )),
            );
        }
        if let Some((rate, rng)) = &mut self.fail_rate {
            if rng.random_bool(*rate) {
                return (
                    500,
                    Some(format!("answered 500 on purpose: --fail-rate {rate}")),
                );
            }
        }
        (200, None)
    }
}

/// What the handlers share.
struct Shared {
    answers: Mutex<Answers>,
    delay: Duration,
    record: Option<PathBuf>,
    /// The number of the last file recorded: the next file's is one more.
    recorded: Mutex<u64>,
    max_body: MaxBody,
    strict: bool,
    naming: Naming,
    lines: mpsc::UnboundedSender<Line>,
    /// The deliveries being answered (a body arriving, a `--delay`): at a signal, they are let
    /// finish before the tally.
    in_flight: AtomicUsize,
    /// Told each time one of them is answered.
    answered: Notify,
}

/// A delivery being answered, counted in [`Shared::in_flight`] until dropped. The handler drops
/// it when it returns the answer, which hyper writes in the same poll, before the main task can
/// look again.
struct UnderWay<'a>(&'a Shared);

impl<'a> UnderWay<'a> {
    fn begin(shared: &'a Shared) -> UnderWay<'a> {
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        UnderWay(shared)
    }
}

impl Drop for UnderWay<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.answered.notify_waiters();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One request as a handler reports it to the main task, which prints and tallies it.
struct Line {
    received_at: DateTime<Utc>,
    status: u16,
    event_type: String,
    entity_id: String,
    verdict: String,
    invalid: bool,
    recorded: bool,
    not_recorded: bool,
    /// The sender closed the connection before the answer went out.
    sender_gone: bool,
}

impl Line {
    /// A request whose body was not read (a method that does not deliver, a body over the
    /// limit or cut short): no event to name, neither valid nor invalid, nothing recorded.
    fn unread(received_at: DateTime<Utc>, status: u16, verdict: String) -> Line {
        Line {
            received_at,
            status,
            event_type: "?".to_owned(),
            entity_id: "?".to_owned(),
            verdict,
            invalid: false,
            recorded: false,
            not_recorded: false,
            sender_gone: false,
        }
    }
}

/// What the receiver saw, printed on Ctrl-C.
#[derive(Debug, Default)]
struct Tally {
    received: u64,
    accepted: u64,
    invalid: u64,
    recorded: u64,
    not_recorded: u64,
    /// Deliveries still being answered when listen stopped (a body still arriving after the
    /// delay and a second more): cut off without an answer.
    cut_off: usize,
    /// Deliveries whose sender closed the connection before their answer went out (during
    /// `--delay`, as a sender's timeout does).
    sender_gone: u64,
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "received {}, answered 2xx {}, answered an error {}, invalid {}, recorded {}",
            self.received,
            self.accepted,
            self.received - self.accepted - self.sender_gone,
            self.invalid,
            self.recorded
        )?;
        if self.sender_gone > 0 {
            write!(f, ", sender gone before the answer {}", self.sender_gone)?;
        }
        if self.not_recorded > 0 {
            write!(f, ", could not record {}", self.not_recorded)?;
        }
        if self.cut_off > 0 {
            write!(f, ", cut off unanswered {}", self.cut_off)?;
        }
        Ok(())
    }
}

/// Runs the receiver until Ctrl-C or SIGTERM, printing one line per delivery, then the tally; the
/// run ends [`Outcome::Stopped`] by the signal (130 or 143).
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let mut numbered = 0;
    if let Some(dir) = &config.record {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
        numbered = last_recording(dir)
            .with_context(|| format!("{}: cannot read directory", dir.display()))?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let signals = Signals::install().context("cannot handle SIGINT and SIGTERM")?;
    runtime.block_on(serve(config, numbered, signals, out))
}

/// The highest number of the recordings already in `dir` (`NNNNNN-….json`), 0 when none: a new
/// run numbers on from there rather than overwriting them.
fn last_recording(dir: &std::path::Path) -> io::Result<u64> {
    let mut last = 0;
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let number = name
            .to_str()
            .filter(|name| name.ends_with(".json"))
            .and_then(|name| name.split_once('-'))
            .and_then(|(number, _)| number.parse::<u64>().ok());
        last = last.max(number.unwrap_or(0));
    }
    Ok(last)
}

async fn serve(
    config: &Config,
    numbered: u64,
    signals: Signals,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let listener = TcpListener::bind(config.addr).await.map_err(|cause| {
        anyhow::anyhow!(
            "cannot listen on {}: {cause}{}",
            config.addr,
            awork_workspace::bind_hint(&cause, "--port")
        )
    })?;
    let addr = listener.local_addr()?;
    let (lines, mut received) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        answers: Mutex::new(config.answers.clone()),
        delay: config.delay,
        record: config.record.clone(),
        recorded: Mutex::new(numbered),
        max_body: config.max_body.clone(),
        strict: config.strict,
        naming: config.naming,
        lines,
        in_flight: AtomicUsize::new(0),
        answered: Notify::new(),
    });
    let handlers = Arc::clone(&shared);
    let accepting = tokio::spawn(accept_each(listener, move |stream| {
        connection(stream, Arc::clone(&handlers))
    }));
    writeln!(out, "listening on http://{addr}/")?;
    out.flush()?;

    let mut tally = Tally::default();
    // Ctrl-C, or SIGTERM (`docker stop`, a CI job ending): print the tally and end with 130 or 143.
    let stop = signals.first();
    tokio::pin!(stop);
    let signal = loop {
        tokio::select! {
            line = received.recv() => {
                let Some(line) = line else {
                    // Every handler holds a sender while the listener accepts: never reached.
                    break None;
                };
                let printed = print(&mut tally, &line, out).and_then(|()| Ok(out.flush()?));
                if let Err(error) = printed {
                    // A receiver answers on whatever becomes of its lines (`listen | head`, a full
                    // disk): said once (`standard output was closed`, `cannot write to standard
                    // output: …`); standard output drops what comes after.
                    let _ = writeln!(
                        io::stderr(),
                        "listen: {error:#}; still answering, without the lines"
                    );
                }
            }
            signal = &mut stop => break Some(signal),
        }
    };
    // What is being answered is answered (and printed, and counted) before the tally, as a
    // sender waits for it; only a body still arriving past the delay and a second more is cut.
    tally.cut_off = finish_answers(
        &shared,
        tokio::time::Instant::now() + FINISH_FOR + shared.delay,
    )
    .await;
    while let Ok(line) = received.try_recv() {
        // Standard output failing now was said above, if it did: the tally still tries.
        let _ = print(&mut tally, &line, out);
    }
    accepting.abort();
    // Abort only asks; awaiting makes sure the listener and the connections are dropped.
    let _cancelled = accepting.await;
    writeln!(out, "{tally}")?;
    Ok(signal.map_or(Outcome::Success, Outcome::Stopped))
}

/// How long answers under way are waited for at a signal, beyond `--delay`.
const FINISH_FOR: Duration = Duration::from_secs(1);

/// Waits until no delivery is being answered, or until `deadline`; how many still were then.
async fn finish_answers(shared: &Shared, deadline: tokio::time::Instant) -> usize {
    loop {
        let answered = shared.answered.notified();
        tokio::pin!(answered);
        answered.as_mut().enable();
        let in_flight = shared.in_flight.load(Ordering::SeqCst);
        if in_flight == 0 {
            return 0;
        }
        tokio::select! {
            () = &mut answered => {}
            () = tokio::time::sleep_until(deadline) => return in_flight,
        }
    }
}

/// The future of one answer; boxed, so that hyper can hand the connection back when it is done.
type Answering = Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send>>;

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let _nodelay = stream.set_nodelay(true);
    let service =
        service_fn(move |request| -> Answering { Box::pin(answer(request, Arc::clone(&shared))) });
    let served = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .without_shutdown()
        .await;
    // After a 413 the rest of the body is still arriving; closing now would reset the connection,
    // and the sender would see the reset instead of the answer. So: end our side, then read and
    // throw away what comes for a little while.
    if let Ok(parts) = served {
        let mut stream = parts.io.into_inner();
        if stream.shutdown().await.is_ok() {
            let mut sink = [0; 8192];
            let discard =
                async { while matches!(stream.read(&mut sink).await, Ok(read) if read > 0) {} };
            let _ended = tokio::time::timeout(DISCARD_FOR, discard).await;
        }
    }
}

/// Why a body was not read.
enum Unread {
    /// It is larger than `--max-body`; `declared` is its `Content-Length`, if it had one.
    TooLarge { declared: Option<u64> },
    /// The connection failed while it arrived.
    Broken(hyper::Error),
}

/// The body, if it is no larger than `limit`: refused by its declared length before any of it is
/// read, or as soon as it grows past the limit.
async fn read_body(mut body: Incoming, limit: u64) -> Result<Bytes, Unread> {
    let declared = body.size_hint().exact();
    if let Some(length) = declared.filter(|length| *length > limit) {
        return Err(Unread::TooLarge {
            declared: Some(length),
        });
    }
    // The frames are kept as they came and joined once at the end, so that a body near the limit
    // is never copied into ever larger buffers while it arrives.
    let mut frames: Vec<Bytes> = Vec::new();
    let mut length = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(Unread::Broken)?;
        if let Ok(data) = frame.into_data() {
            length += data.len() as u64;
            if length > limit {
                return Err(Unread::TooLarge { declared: None });
            }
            frames.push(data);
        }
    }
    Ok(match frames.len() {
        0 => Bytes::new(),
        1 => frames.remove(0),
        _ => Bytes::from(frames.concat()),
    })
}

/// Reads one request, decides its answer, records it, reports it, and answers.
async fn answer(
    request: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let received_at = Utc::now();
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        // A readiness probe (`curl http://127.0.0.1:8787/` in a CI loop), not a delivery: answered,
        // neither printed nor counted.
        return Ok(respond(200, READY.to_owned()));
    }
    if request.method() != Method::POST {
        // Not a delivery either: awork delivers with POST. Printed and counted, since a sender
        // that means to deliver this way needs to hear it.
        let verdict = format!(
            "a {} is not a delivery (awork POSTs): answered 405, not read",
            request.method()
        );
        let _ = shared
            .lines
            .send(Line::unread(received_at, 405, verdict.clone()));
        let mut response = respond(405, verdict);
        response.headers_mut().insert(
            http::header::ALLOW,
            HeaderValue::from_static("GET, HEAD, POST"),
        );
        return Ok(response);
    }
    let _under_way = UnderWay::begin(&shared);
    let (parts, body) = request.into_parts();
    // The auth header is checked before the body is read: a request without it is answered 401
    // whatever its body, also one over --max-body.
    let unauthorized = lock(&shared.answers).unauthorized(&parts.headers);
    let body = match read_body(body, shared.max_body.bytes).await {
        Ok(body) => body,
        Err(unread) => {
            let (mut status, mut verdict) = match unread {
                Unread::TooLarge { declared } => (
                    413,
                    match declared {
                        Some(length) => format!(
                            "body of {length} bytes, over --max-body {}: not read",
                            shared.max_body.text
                        ),
                        None => format!(
                            "body over --max-body {}: not read past it",
                            shared.max_body.text
                        ),
                    },
                ),
                Unread::Broken(error) => (400, format!("body not received: {error}")),
            };
            if let Some(why) = unauthorized {
                status = 401;
                verdict = format!("{verdict}; {why}");
            }
            let _ = shared
                .lines
                .send(Line::unread(received_at, status, verdict.clone()));
            return Ok(respond(status, verdict));
        }
    };
    let seen = Seen::of(&body, shared.naming);
    let (mut status, mut why) = if let Some(why) = unauthorized {
        (401, Some(why))
    } else if shared.strict && seen.invalid {
        (400, Some("answered 400: --strict".to_owned()))
    } else {
        lock(&shared.answers).decide()
    };
    let mut recorded = false;
    let mut not_recorded = false;
    if let (true, Some(dir)) = ((200..300).contains(&status), &shared.record) {
        let mut count = lock(&shared.recorded);
        let path = dir.join(format!(
            "{:06}-{}.json",
            *count + 1,
            file_safe(&seen.event_type)
        ));
        // `create_new`: a recording is never overwritten.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| {
                file.write_all(&body).inspect_err(|_| {
                    // A torn recording would replay as a broken event.
                    let _ = std::fs::remove_file(&path);
                })
            });
        match written {
            Ok(()) => {
                *count += 1;
                recorded = true;
            }
            Err(error) => {
                status = 500;
                why = Some(
                    "answered 500: it could not be recorded (the reason is on stderr)".to_owned(),
                );
                not_recorded = true;
                eprintln!(
                    "listen: {}: cannot record this delivery ({error}); answered it 500",
                    path.display()
                );
            }
        }
    }
    let reason = if status == 400 {
        seen.verdict.clone()
    } else {
        String::new()
    };
    let mut verdict = seen.verdict;
    if let Some(why) = why {
        verdict.push_str("; ");
        verdict.push_str(&why);
    }
    // The line is printed when the answer goes out, after the delay; and if the sender closes
    // the connection meanwhile (its timeout), which drops this handler, when it is dropped.
    let mut pending = PendingLine {
        line: Some(Line {
            received_at,
            status,
            event_type: seen.event_type,
            entity_id: seen.entity_id,
            verdict,
            invalid: seen.invalid,
            recorded,
            not_recorded,
            sender_gone: false,
        }),
        lines: shared.lines.clone(),
    };
    if !shared.delay.is_zero() {
        tokio::time::sleep(shared.delay).await;
    }
    if let Some(line) = pending.line.take() {
        let _ = shared.lines.send(line);
    }
    Ok(respond(status, reason))
}

/// A delivery's line until its answer goes out: dropped before (the sender closed the
/// connection during `--delay`, and hyper dropped the handler), it is printed all the same,
/// saying that no answer went out.
struct PendingLine {
    line: Option<Line>,
    lines: mpsc::UnboundedSender<Line>,
}

impl Drop for PendingLine {
    fn drop(&mut self) {
        if let Some(mut line) = self.line.take() {
            line.sender_gone = true;
            line.verdict
                .push_str("; not answered: the sender closed the connection during --delay");
            let _ = self.lines.send(line);
        }
    }
}

/// An answer with `status` and `text` as its body (none when empty).
fn respond(status: u16, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response
}

/// What a body is, as the line about it says.
struct Seen {
    event_type: String,
    entity_id: String,
    /// `ok`, or the problems; then any notes.
    verdict: String,
    invalid: bool,
}

impl Seen {
    fn of(body: &[u8], naming: Naming) -> Seen {
        let value = match serde_json::from_slice::<Value>(body) {
            Ok(value) => value,
            Err(error) => {
                return Seen {
                    event_type: "?".to_owned(),
                    entity_id: "?".to_owned(),
                    verdict: format!("not JSON: {error}"),
                    invalid: true,
                };
            }
        };
        let field = |name| {
            value
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        };
        let (event_type, entity_id) = (field("eventType"), field("entityId"));
        let note = spelling_note(&value, naming);
        // As `validate` finds them (the body read as JSON is UTF-8).
        let problems = awork_models::problems_of(&String::from_utf8_lossy(body), value);
        let (mut verdict, invalid) = if problems.is_empty() {
            ("ok".to_owned(), false)
        } else {
            let described: Vec<String> = problems.iter().map(ToString::to_string).collect();
            (described.join("; "), true)
        };
        if let Some(note) = note {
            verdict.push_str("; note: ");
            verdict.push_str(&note);
        }
        Seen {
            event_type,
            entity_id,
            verdict,
            invalid,
        }
    }
}

/// What listen expects of the name in `eventType`, when the name is not what `naming` spells:
/// `` `task_changed` is the spec's spelling; awork's API registers `task_updated` ``.
fn spelling_note(value: &Value, naming: Naming) -> Option<String> {
    let name = value.get("eventType")?.as_str()?;
    let shown = printable(name);
    let Some((event, _)) = EventType::lookup(name) else {
        return Some(format!(
            "`{shown}` is not a name awork has used; receivers will read it as an unknown event type"
        ));
    };
    let expected = event.name_in(naming);
    if expected == Some(name) {
        return None;
    }
    // Whose spelling it is: every other naming that spells it so, the API's first.
    let families: Vec<&str> = [Naming::Api, Naming::Spec, Naming::Docs]
        .into_iter()
        .filter(|other| *other != naming && event.name_in(*other) == Some(name))
        .map(family_of)
        .collect();
    let family = families.join(" and ");
    Some(match (naming, expected) {
        (Naming::Api, Some(expected)) => {
            format!("`{shown}` is {family} spelling; awork's API registers `{expected}`")
        }
        (_, Some(expected)) => format!(
            "`{shown}` is {family} spelling; --naming {} expects `{expected}`",
            naming_arg(naming)
        ),
        (_, None) => format!(
            "`{shown}` is an event type only awork's API registers; --naming {} has no name for it",
            naming_arg(naming)
        ),
    })
}

/// `the spec's`, `awork's docs'`, `awork's API's`: whose spelling a name is.
fn family_of(naming: Naming) -> &'static str {
    match naming {
        Naming::Spec => "the spec's",
        Naming::Docs => "awork's docs'",
        Naming::Api => "awork's API's",
    }
}

/// The `--naming` value of a naming.
fn naming_arg(naming: Naming) -> &'static str {
    match naming {
        Naming::Spec => "spec",
        Naming::Docs => "docs",
        Naming::Api => "api",
    }
}

/// `text` as it may be printed on one line: control characters escaped, at most [`PRINTED_CHARS`]
/// characters, then `…`.
fn printable(text: &str) -> String {
    let mut shown: String = text
        .chars()
        .take(PRINTED_CHARS)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if text.chars().nth(PRINTED_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// Prints and tallies one request.
fn print(tally: &mut Tally, line: &Line, out: &mut dyn Write) -> anyhow::Result<()> {
    tally.received += 1;
    if line.sender_gone {
        tally.sender_gone += 1;
    } else if (200..300).contains(&line.status) {
        tally.accepted += 1;
    }
    if line.invalid {
        tally.invalid += 1;
    }
    if line.recorded {
        tally.recorded += 1;
    }
    if line.not_recorded {
        tally.not_recorded += 1;
    }
    let time = line.received_at.with_timezone(&Local);
    writeln!(
        out,
        "{} {} {} {} {}",
        time.format("%H:%M:%S%.3f"),
        line.status,
        printable(&line.event_type),
        printable(&line.entity_id),
        line.verdict
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_bytes_and_units() {
        assert_eq!(parse_size("10MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("512KiB").unwrap(), 512 << 10);
        assert_eq!(parse_size("2MB").unwrap(), 2_000_000);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("1gib").unwrap(), 1 << 30);
        for bad in ["", "MiB", "10XB", "-5", "0", "1.5MiB", "99999999999GiB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_spelled_otherwise_gets_a_note_naming_its_spelling() {
        let note =
            |name: &str, naming| spelling_note(&serde_json::json!({ "eventType": name }), naming);
        assert_eq!(note("task_added", Naming::Api), None);
        assert_eq!(note("absence_added", Naming::Spec), None);
        assert_eq!(
            note("project_task_added", Naming::Api).unwrap(),
            "`project_task_added` is the spec's and awork's docs' spelling; awork's API registers `task_added`"
        );
        assert_eq!(
            note("client_updated", Naming::Api).unwrap(),
            "`client_updated` is awork's docs' spelling; awork's API registers `company_updated`"
        );
        assert_eq!(
            note("task_updated", Naming::Spec).unwrap(),
            "`task_updated` is awork's API's and awork's docs' spelling; --naming spec expects `task_changed`"
        );
        assert_eq!(
            note("user_updated", Naming::Spec).unwrap(),
            "`user_updated` is an event type only awork's API registers; --naming spec has no name for it"
        );
        assert!(
            note("workspace_added", Naming::Api)
                .unwrap()
                .contains("not a name awork has used")
        );
    }

    #[test]
    fn printed_names_are_one_bounded_line() {
        assert_eq!(printable("task_added"), "task_added");
        assert_eq!(printable("a\nb\u{1b}"), "a\\nb\\u{1b}");
        let long = "x".repeat(244);
        assert_eq!(printable(&long).chars().count(), PRINTED_CHARS + 1);
    }
}
