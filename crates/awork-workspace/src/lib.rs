//! A local awork workspace, the library behind `awork-sim serve`: awork's webhook configuration
//! API under `/api/v1` (the shapes of awork's OpenAPI document), the seeded story of
//! awork-generate running inside it, delivery per webhook with awork's semantics from a durable
//! SQLite outbox, and awork's Integrations > Webhooks settings page at `/`.
//!
//! ```no_run
//! # async fn run() -> Result<(), awork_workspace::Error> {
//! let config = awork_workspace::Config::new(".awork-sim".into());
//! let server = awork_workspace::Server::bind(config, "127.0.0.1:8787".parse().unwrap()).await?;
//! println!("listening on http://{}", server.local_addr());
//! server.run(std::future::pending()).await;
//! # Ok(())
//! # }
//! ```
//!
//! Parts: [`api`] answers HTTP (awork's API, awork-sim's own `/sim/` paths and the page),
//! [`guard`] decides who may call it and where it may deliver, [`store`] keeps the state in
//! SQLite, [`delivery`] runs one delivery task per webhook, [`story`] makes the events, [`page`]
//! is the settings page.

mod answer;
pub mod api;
pub mod catalogue;
mod connection;
pub mod delivery;
pub mod guard;
pub mod page;
pub mod rate_limit;
mod rest;
mod router;
pub mod store;
pub mod story;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use awork_delivery::receiver::accept_each;
use awork_delivery::{RetrySchedule, WebhookConfig};
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;

use crate::delivery::Worker;
use crate::store::Store;
use crate::story::Story;

/// How many log rows are kept per webhook by default; older ones are removed.
pub const DEFAULT_LOG_CAP: u32 = 1_000;

/// How many undelivered events a webhook's outbox holds by default; past it new events are
/// dropped and counted. About 4 KB of disk for a queued `task_added` (its body, stored once
/// for all webhooks) and 120 bytes for each further webhook waiting for it.
pub const DEFAULT_OUTBOX_CAP: u64 = 100_000;

/// What happens to an event that happens while its webhook is paused. awork does not document
/// it; keeping is awork-sim's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhilePaused {
    /// The event is queued and delivered, in order, when the webhook is enabled again.
    Keep,
    /// The event is not queued (it is counted as dropped): a receiver must reconcile through the
    /// API.
    Drop,
}

impl WhilePaused {
    /// `keep` or `drop`.
    pub fn as_str(self) -> &'static str {
        match self {
            WhilePaused::Keep => "keep",
            WhilePaused::Drop => "drop",
        }
    }
}

/// The delivery policy every webhook of the workspace uses (the options of `send`).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Retries per event after its first attempt.
    pub max_retries: u32,
    /// Waits before each retry.
    pub retry_schedule: RetrySchedule,
    /// The webhook pauses when its consecutive failed attempts go above this.
    pub pause_after: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timeout: WebhookConfig::DEFAULT_TIMEOUT,
            max_retries: WebhookConfig::DEFAULT_MAX_RETRIES,
            retry_schedule: RetrySchedule::default(),
            pause_after: WebhookConfig::DEFAULT_PAUSE_AFTER,
        }
    }
}

/// Everything the workspace runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder of the database (created if missing).
    pub data: PathBuf,
    /// The bearer token the API requires; `None` accepts any token.
    pub api_key: Option<String>,
    /// The story's seed: `None` for the one the workspace was made with (1 for a new one). It is
    /// kept with the workspace; another one for an existing workspace is [`Error::OtherSeed`].
    pub seed: Option<u64>,
    /// Events per second the story makes on its own (0: only when asked).
    pub rate: u32,
    /// The delivery policy.
    pub policy: Policy,
    /// What becomes of events while a webhook is paused.
    pub while_paused: WhilePaused,
    /// Log rows kept per webhook.
    pub log_cap: u32,
    /// Undelivered events kept per webhook; past it new events are dropped and counted.
    pub outbox_cap: u64,
    /// Names besides loopback ones and `api.awork.com` that a request's `Host` may carry.
    pub allowed_hosts: Vec<String>,
    /// The port of the TLS listener (awork's API over HTTPS with the local CA's certificate),
    /// if any; 0 picks a free one.
    pub tls_port: Option<u16>,
    /// awork's rate limits on its API, if applied ([`rate_limit`]).
    pub rate_limit: Option<rate_limit::RateLimit>,
}

impl Config {
    /// The defaults, with the database in `data`.
    pub fn new(data: PathBuf) -> Config {
        Config {
            data,
            api_key: None,
            seed: None,
            rate: 0,
            policy: Policy::default(),
            while_paused: WhilePaused::Keep,
            log_cap: DEFAULT_LOG_CAP,
            outbox_cap: DEFAULT_OUTBOX_CAP,
            allowed_hosts: Vec::new(),
            tls_port: None,
            rate_limit: None,
        }
    }
}

/// Why the workspace could not start. Each message is whole on one line: the cause is part of
/// it, not a separate source (which `{:#}` would print a second time).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// `--seed` names another seed than the one the workspace was made with.
    #[error(
        "--seed {given}: the workspace in {data} was made with --seed {kept}, and its journal \
         replays on that story only; start it with --seed {kept} (or without --seed), or give \
         another --data for a workspace of seed {given}"
    )]
    OtherSeed {
        /// The seed asked for.
        given: u64,
        /// The workspace's own.
        kept: u64,
        /// The data folder.
        data: String,
    },
    /// A step of the journal could not be read (a database written by a newer version).
    #[error("the workspace's journal has a step this version cannot read: {0}")]
    Journal(String),
    /// The local CA could not be made or read, or the serve info file not written.
    #[error(transparent)]
    Tls(#[from] awork_tls::Error),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {cause}{}", bind_hint(cause, option))]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        cause: std::io::Error,
        /// The option that chose its port: `--port` or `--tls-port`.
        option: &'static str,
    },
}

/// What to do about a failed bind of the port `option` chose, when there is something to do
/// (` (another process has that port: …)`); `listen` says it too.
pub fn bind_hint(cause: &std::io::Error, option: &str) -> String {
    match cause.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            " (another process has that port: choose another with {option}, or {option} 0 for a \
             free one)"
        ),
        std::io::ErrorKind::PermissionDenied => {
            format!(" (ports below 1024 need privileges: try {option} 0)")
        }
        _ => String::new(),
    }
}

/// The state every request and delivery task shares.
pub(crate) struct Shared {
    store: Mutex<Store>,
    story: Mutex<Story>,
    /// What the story starts from, to replay it from the journal.
    origin: Origin,
    workers: Mutex<HashMap<String, Worker>>,
    policy: Policy,
    api_key: Option<String>,
    while_paused: WhilePaused,
    admin_id: String,
    workspace_url: String,
    guard: guard::Guard,
    /// Attempts in flight across every webhook, capped below the descriptor limit.
    connections: tokio::sync::Semaphore,
    recorder: delivery::Recorder,
    /// awork's rate limits on its API, when applied.
    limiter: Option<rate_limit::Limiter>,
}

/// What a workspace's story starts from: its seed, its trace-id salt, its first start.
#[derive(Debug, Clone, Copy)]
struct Origin {
    seed: u64,
    trace_salt: u128,
    first_start: Option<DateTime<Utc>>,
}

impl Origin {
    /// The world as the journal of `store` tells it: every step it took, again, each at the
    /// time it was taken.
    fn replay(&self, store: &Store) -> Result<Story, Error> {
        let mut story = Story::new(self.seed, self.trace_salt, self.first_start);
        for (text, at_ns) in store.journal()? {
            let step: story::Step = serde_json::from_str(&text)
                .map_err(|failure| Error::Journal(failure.to_string()))?;
            story.take(&step, at_ns.map(DateTime::from_timestamp_nanos));
        }
        Ok(story)
    }
}

/// How long a stop waits for the requests under way on the plain port to be answered.
const STOP_GRACE: Duration = Duration::from_secs(10);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves consistent data here (every change is one SQLite
    // transaction), so a poisoned lock is used as it is.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn lock_store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Puts `story` (the world, its lock held) back to what the journal tells, after a step the
    /// journal could not take (a full disk): a write answered 500 leaves no trace, and the world
    /// goes on from what the next start would rebuild. Takes the store's lock.
    pub(crate) fn rewind(&self, story: &mut Story) {
        match self.origin.replay(&self.lock_store()) {
            Ok(replayed) => *story = replayed,
            // The database cannot even be read: the next start will say what is wrong.
            Err(failure) => {
                eprintln!("warning: cannot read the workspace's journal back: {failure}")
            }
        }
    }

    pub(crate) fn lock_story(&self) -> MutexGuard<'_, Story> {
        lock(&self.story)
    }

    /// Starts the delivery task of a new webhook, or wakes the one it has.
    pub(crate) fn wake(self: &Arc<Self>, id: &str) {
        let mut workers = lock(&self.workers);
        match workers.get(id) {
            Some(worker) => worker.wake(),
            None => {
                workers.insert(id.to_owned(), delivery::spawn(self, id.to_owned()));
            }
        }
    }

    /// Tells the delivery task of a changed webhook to read its settings before its next attempt.
    pub(crate) fn reconfigure(self: &Arc<Self>, id: &str) {
        match lock(&self.workers).get(id) {
            Some(worker) => worker.reconfigure(),
            None => self.wake(id),
        }
    }

    /// Stops the delivery task of a deleted webhook.
    pub(crate) fn forget(&self, id: &str) {
        lock(&self.workers).remove(id);
    }
}

/// Descriptors kept free of outgoing connections: for the listener's accepted connections, the
/// database and the runtime.
const RESERVED_DESCRIPTORS: u64 = 256;

/// How many attempts may be in flight at once: half of what the descriptor limit leaves after
/// [`RESERVED_DESCRIPTORS`] (the soft limit raised to the hard one first, where allowed), at
/// most 4,096, at least 8.
fn connection_cap() -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let cap = limit.saturating_sub(RESERVED_DESCRIPTORS) / 2;
    usize::try_from(cap.clamp(8, 4096)).unwrap_or(8)
}

/// The workspace, listening.
pub struct Server {
    listener: TcpListener,
    tls_listener: Option<TcpListener>,
    ca: awork_tls::ca::LocalCa,
    data: PathBuf,
    shared: Arc<Shared>,
    records: delivery::Records,
    rate: u32,
}

impl Server {
    /// Opens the workspace in `config.data`, starts the delivery of every webhook it holds (their
    /// kept events included: an attempt a crash interrupted is made again), binds `addr` (and
    /// the TLS port), and writes the serve info file saying so.
    /// Must run inside a tokio runtime.
    pub async fn bind(config: Config, addr: SocketAddr) -> Result<Server, Error> {
        // The folder is made owner-only when it is missing: the CA's key and the webhooks' auth
        // values live there. A second serve on it is refused first, then a port in use, and only
        // then is a CA made (a start that fails makes none, so the next says the CA is new).
        awork_tls::ca::create_private_dir(&config.data)?;
        let store = Store::open(&config.data, config.log_cap, config.outbox_cap)?;
        let bind_error = |addr, option| {
            move |cause| Error::Bind {
                addr,
                cause,
                option,
            }
        };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(bind_error(addr, "--port"))?;
        let mut listening = vec![listener.local_addr().map_err(bind_error(addr, "--port"))?];
        let tls_listener = match config.tls_port {
            None => None,
            Some(port) => {
                let addr = SocketAddr::new(addr.ip(), port);
                let bound = TcpListener::bind(addr)
                    .await
                    .map_err(bind_error(addr, "--tls-port"))?;
                listening.push(bound.local_addr().map_err(bind_error(addr, "--tls-port"))?);
                Some(bound)
            }
        };
        let ca = awork_tls::ca::LocalCa::load_or_create(&config.data)?;
        let first_start = store
            .first_start(delivery::now_ms())?
            .and_then(DateTime::from_timestamp_millis);
        let seed = store.seed(config.seed).map_err(|failure| match failure {
            store::SeedError::Other(kept) => Error::OtherSeed {
                given: config.seed.unwrap_or(kept),
                kept,
                data: config.data.display().to_string(),
            },
            store::SeedError::Store(failure) => Error::Store(failure),
        })?;
        let origin = Origin {
            seed,
            trace_salt: store.trace_salt()?,
            first_start,
        };
        let story = origin.replay(&store)?;
        let (admin_id, workspace_url) = story.admin_and_url();
        let ids: Vec<String> = store.webhooks()?.into_iter().map(|row| row.id).collect();
        let (recorder, records) = delivery::Recorder::new();
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            story: Mutex::new(story),
            origin,
            workers: Mutex::new(HashMap::new()),
            policy: config.policy,
            api_key: config.api_key,
            while_paused: config.while_paused,
            admin_id,
            workspace_url,
            guard: guard::Guard::new(listening.clone(), &config.allowed_hosts),
            connections: tokio::sync::Semaphore::new(connection_cap()),
            recorder,
            limiter: config.rate_limit.map(rate_limit::Limiter::new),
        });
        for id in ids {
            shared.wake(&id);
        }
        awork_tls::client_env::ServeInfo {
            address: listening[0],
            tls_address: listening.get(1).copied(),
            pid: Some(std::process::id()),
        }
        .write(&config.data)?;
        Ok(Server {
            listener,
            tls_listener,
            ca,
            data: config.data,
            shared,
            records,
            rate: config.rate,
        })
    }

    /// The TLS listener's address, when there is one.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    /// The local CA: where its certificate is, whether this start made it.
    pub fn ca(&self) -> &awork_tls::ca::LocalCa {
        &self.ca
    }

    /// The workspace's state, for tests that call its handlers without HTTP.
    #[cfg(test)]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The bound address (with the port chosen for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, with the story making `rate` events a second if set.
    /// The serve info file that [`Server::bind`] wrote in the data folder (where it listens, for
    /// `awork-sim env`) is removed when serving ends.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        let Server {
            listener,
            tls_listener,
            ca,
            data,
            shared,
            records,
            rate,
        } = self;
        let recorder = tokio::spawn(delivery::Recorder::run(Arc::clone(&shared), records));
        let ticker = (rate > 0).then(|| tokio::spawn(api::tick(Arc::clone(&shared), rate)));
        let front = connection::Front {
            routes: router::build(&shared),
            shared: Arc::clone(&shared),
            tls: ca.server_config(),
        };
        // The plain port's connections outlive its accept loop: on a stop they finish the
        // requests under way (a large POST /sim/events answers what it queued) and then close.
        let open = connection::Open::default();
        let plain = {
            let front = front.clone();
            let open = open.clone();
            async move {
                loop {
                    let Ok((stream, _peer)) = listener.accept().await else {
                        // Transient (out of descriptors): back off and go on.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    };
                    tokio::spawn(connection::plain(stream, front.clone(), open.opened()));
                }
            }
        };
        let secure = async move {
            match tls_listener {
                Some(listener) => {
                    accept_each(listener, move |stream| {
                        connection::tls(stream, front.clone())
                    })
                    .await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown => {}
            () = plain => {}
            () = secure => {}
        }
        // No new connection and no new event of the story now; the plain port's connections
        // finish what they are answering, for a while.
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        open.close_all(STOP_GRACE).await;
        lock(&shared.workers).clear();
        recorder.abort();
        awork_tls::client_env::ServeInfo::remove(&data)?;
        Ok(())
    }
}
