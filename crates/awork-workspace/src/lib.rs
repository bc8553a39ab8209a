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
//! [`store`] keeps the state in SQLite, [`delivery`] runs one delivery task per webhook, [`story`]
//! makes the events, [`page`] is the settings page.

pub mod api;
pub mod delivery;
pub mod page;
pub mod store;
pub mod story;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use awork_delivery::{RetrySchedule, WebhookConfig};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::delivery::Worker;
use crate::store::Store;
use crate::story::Story;

/// How many log rows are kept per webhook by default; older ones are removed.
pub const DEFAULT_LOG_CAP: u32 = 1_000;

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
    /// The story's seed.
    pub seed: u64,
    /// Events per second the story makes on its own (0: only when asked).
    pub rate: u32,
    /// The delivery policy.
    pub policy: Policy,
    /// What becomes of events while a webhook is paused.
    pub while_paused: WhilePaused,
    /// Log rows kept per webhook.
    pub log_cap: u32,
}

impl Config {
    /// The defaults, with the database in `data`.
    pub fn new(data: PathBuf) -> Config {
        Config {
            data,
            api_key: None,
            seed: 1,
            rate: 0,
            policy: Policy::default(),
            while_paused: WhilePaused::Keep,
            log_cap: DEFAULT_LOG_CAP,
        }
    }
}

/// Why the workspace could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data folder could not be created.
    #[error("{path}: cannot create the data folder: {source}")]
    Data {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// The state every request and delivery task shares.
pub(crate) struct Shared {
    store: Mutex<Store>,
    story: Mutex<Story>,
    workers: Mutex<HashMap<String, Worker>>,
    policy: Policy,
    api_key: Option<String>,
    while_paused: WhilePaused,
    admin_id: String,
    workspace_url: String,
}

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

    /// Stops the delivery task of a deleted webhook.
    pub(crate) fn forget(&self, id: &str) {
        lock(&self.workers).remove(id);
    }
}

/// The workspace, listening.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
    rate: u32,
}

impl Server {
    /// Opens the workspace in `config.data`, starts the delivery of every webhook it holds (their
    /// kept events included: an attempt a crash interrupted is made again), and binds `addr`.
    /// Must run inside a tokio runtime.
    pub async fn bind(config: Config, addr: SocketAddr) -> Result<Server, Error> {
        std::fs::create_dir_all(&config.data).map_err(|source| Error::Data {
            path: config.data.display().to_string(),
            source,
        })?;
        let store = Store::open(&config.data, config.log_cap)?;
        let story = Story::new(config.seed);
        let (admin_id, workspace_url) = story.admin_and_url();
        let ids: Vec<String> = store.webhooks()?.into_iter().map(|row| row.id).collect();
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            story: Mutex::new(story),
            workers: Mutex::new(HashMap::new()),
            policy: config.policy,
            api_key: config.api_key,
            while_paused: config.while_paused,
            admin_id,
            workspace_url,
        });
        for id in ids {
            shared.wake(&id);
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        Ok(Server {
            listener,
            shared,
            rate: config.rate,
        })
    }

    /// The bound address (with the port chosen for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, with the story making `rate` events a second if set.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            shared,
            rate,
        } = self;
        let ticker = (rate > 0).then(|| tokio::spawn(api::tick(Arc::clone(&shared), rate)));
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => accepted,
            };
            let Ok((stream, _)) = accepted else {
                continue;
            };
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                let service = service_fn(move |request| api::handle(Arc::clone(&shared), request));
                // A client that goes away mid-request is its own business.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        lock(&shared.workers).clear();
    }
}
