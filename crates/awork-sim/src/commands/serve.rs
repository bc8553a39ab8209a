//! `awork-sim serve`: a local awork workspace. awork's webhook API under `/api/v1`, the seeded
//! story making events inside it, delivery per webhook with awork's semantics from a durable
//! outbox in `--data`, and the settings page at `/`. All of it is `awork_workspace`; this module
//! resolves the options (every one checked before anything listens), prints where it listens and
//! the semantics in force, and runs until Ctrl-C.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, bail};
use awork_delivery::{Semantics, WebhookConfig};
use awork_workspace::{Config, Policy, Server, WhilePaused};

use super::Outcome;
use crate::policy::PolicyArgs;

/// What becomes of events while a webhook is paused, as `--while-paused` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhilePausedArg {
    /// Keep them, and deliver them in order when the webhook is enabled again.
    Keep,
    /// Drop them (counted): the receiver must reconcile through the API.
    Drop,
}

/// Arguments of `awork-sim serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on. Anything but loopback exposes the workspace to the network.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    host: String,
    /// The port; 0 picks a free one.
    #[arg(long, value_name = "P", default_value_t = 8787)]
    port: u16,
    /// The folder of the workspace's database (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".awork-sim")]
    data: PathBuf,
    /// The bearer token the API requires; without it any token is accepted. Never printed.
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// The seed of the workspace's story.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Events a second the story makes on its own; 0: only when asked (`POST /sim/events`).
    #[arg(long, value_name = "R", default_value_t = 0)]
    rate: u32,
    #[command(flatten)]
    policy: PolicyArgs,
    /// What becomes of events that happen while a webhook is paused (awork does not document it).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = WhilePausedArg::Keep)]
    while_paused: WhilePausedArg,
}

impl Args {
    /// Resolves and checks every option.
    pub fn resolve(self) -> anyhow::Result<(Config, SocketAddr)> {
        let host: IpAddr = self
            .host
            .parse()
            .with_context(|| format!("--host {}: not an IP address", self.host))?;
        let policy = self.policy.resolve()?;
        if self
            .api_key
            .as_deref()
            .is_some_and(|key| key.trim().is_empty())
        {
            bail!("--api-key: empty");
        }
        let mut config = Config::new(self.data);
        config.api_key = self.api_key;
        config.seed = self.seed;
        config.rate = self.rate;
        config.policy = policy;
        config.while_paused = match self.while_paused {
            WhilePausedArg::Keep => WhilePaused::Keep,
            WhilePausedArg::Drop => WhilePaused::Drop,
        };
        Ok((config, SocketAddr::new(host, self.port)))
    }
}

/// Serves the workspace until Ctrl-C.
pub fn run(config: Config, addr: SocketAddr, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // Two workers: the store's SQLite calls are short but synchronous.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let semantics = semantics(&config.policy);
    let while_paused = awork_workspace::api::while_paused_note(config.while_paused);
    let data = config.data.display().to_string();
    let server = runtime.block_on(Server::bind(config, addr))?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: the workspace's API and page are reachable from the network",
            addr.ip()
        );
    }
    let url = format!("http://{}", server.local_addr());
    writeln!(out, "listening on {url}")?;
    writeln!(
        out,
        "awork's API: {url}/api/v1 · settings page: {url}/ · data: {data}"
    )?;
    writeln!(out, "semantics: {semantics}")?;
    writeln!(out, "while paused: {while_paused}")?;
    out.flush()?;
    runtime.block_on(server.run(async {
        // Without a signal handler there is no clean way to stop; run until killed then.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    Ok(Outcome::Success)
}

/// The semantics line `send` prints, for the workspace's policy (one delivery at a time).
fn semantics(policy: &Policy) -> Semantics {
    let mut config = WebhookConfig::new("http://127.0.0.1/")
        .expect("a literal URL is valid")
        .with_timeout(policy.timeout)
        .with_max_retries(policy.max_retries)
        .with_retry_schedule(policy.retry_schedule.clone())
        .with_pause_after(policy.pause_after);
    config.rate = None;
    Semantics::of(&config)
}
