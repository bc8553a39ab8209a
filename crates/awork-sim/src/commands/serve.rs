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
use crate::signals::Signals;

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
    /// The port; 0 picks a free one. It also works as an HTTPS proxy for api.awork.com only
    /// (`awork-sim env` prints the exports that point clients at it).
    #[arg(long, value_name = "P", default_value_t = 8787)]
    port: u16,
    /// Also serve everything over HTTPS on this port (0 picks a free one), with a certificate for
    /// api.awork.com, localhost, 127.0.0.1 and ::1 from the local CA in --data.
    #[arg(long, value_name = "P")]
    tls_port: Option<u16>,
    /// The folder of the workspace's database (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".awork-sim")]
    data: PathBuf,
    /// The bearer token the API requires; without it any token is accepted. Never printed. On the
    /// command line it shows in `ps`: prefer the environment variable AWORK_SIM_API_KEY or
    /// --api-key-file. At most one of the three.
    #[arg(long, value_name = "KEY")]
    api_key: Option<String>,
    /// Read the API key from the first line of this file.
    #[arg(long, value_name = "PATH")]
    api_key_file: Option<PathBuf>,
    /// A name besides localhost, loopback addresses and api.awork.com that requests may carry in
    /// their Host header (repeatable). Other names are refused, against DNS rebinding, while serve
    /// listens on loopback.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// Undelivered events kept per webhook; past it new events are dropped and counted (status,
    /// logs, page). About 4 KB of disk for a queued task_added.
    #[arg(long, value_name = "N", default_value_t = awork_workspace::DEFAULT_OUTBOX_CAP)]
    outbox_cap: u64,
    /// The seed of the workspace's story [default: the one it was made with; 1 for a new one,
    /// or one made by a version that did not keep it]. It is kept with the workspace: another
    /// one for an existing --data is refused.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Events a second the story makes on its own; 0: only when asked (`POST /sim/events`).
    #[arg(long, value_name = "R", default_value_t = 0)]
    rate: u32,
    #[command(flatten)]
    policy: PolicyArgs,
    /// What becomes of events that happen while a webhook is paused (awork does not document it).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = WhilePausedArg::Keep)]
    while_paused: WhilePausedArg,
    /// awork's rate limits on its API: `premium` (500/s and 1000/min), `enterprise` (500/s and
    /// 3000/min), limits of your own (`10/s,100/min`, `5/min`), or `off`. Applied, every answer
    /// under /api/v1 carries the RateLimit headers, and a request over a limit is a 429 with
    /// Retry-After.
    #[arg(long, value_name = "LIMITS", default_value = "off")]
    api_rate_limit: String,
}

impl Args {
    /// Resolves and checks every option.
    pub fn resolve(self) -> anyhow::Result<(Config, SocketAddr)> {
        let host: IpAddr = self
            .host
            .parse()
            .with_context(|| format!("--host {}: not an IP address", self.host))?;
        let policy = self.policy.resolve()?;
        let api_key = api_key(
            self.api_key,
            std::env::var_os(API_KEY_ENV),
            self.api_key_file.as_deref(),
        )?;
        if self.outbox_cap == 0 {
            bail!("--outbox-cap 0: --outbox-cap takes 1 or more");
        }
        if self.tls_port == Some(self.port) && self.port != 0 {
            bail!(
                "--tls-port {0}: --port is {0} too; give HTTPS a port of its own",
                self.port
            );
        }
        if let Some(name) = self
            .allow_host
            .iter()
            .find(|name| name.trim().is_empty() || name.contains([':', '/', ' ']))
        {
            bail!("--allow-host '{name}': give a host name alone, without a port or a scheme");
        }
        let rate_limit = awork_workspace::rate_limit::parse(&self.api_rate_limit)
            .map_err(|error| anyhow::anyhow!("--api-rate-limit {error}"))?;
        let mut config = Config::new(self.data);
        config.rate_limit = rate_limit;
        config.api_key = api_key;
        config.outbox_cap = self.outbox_cap;
        config.allowed_hosts = self.allow_host;
        config.tls_port = self.tls_port;
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

/// The environment variable holding the API key.
const API_KEY_ENV: &str = "AWORK_SIM_API_KEY";

/// The API key from `--api-key`, `AWORK_SIM_API_KEY` or the first line of `--api-key-file`: at
/// most one of them, not empty. Errors name the source, never the key.
fn api_key(
    option: Option<String>,
    env: Option<std::ffi::OsString>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Option<String>> {
    let given: Vec<&str> = [
        (option.is_some(), "--api-key"),
        (env.is_some(), API_KEY_ENV),
        (file.is_some(), "--api-key-file"),
    ]
    .into_iter()
    .filter_map(|(given, source)| given.then_some(source))
    .collect();
    if given.len() > 1 {
        bail!(
            "the API key is given more than once ({}): give it once",
            given.join(", ")
        );
    }
    let (source, key) = match (option, env, file) {
        (Some(key), _, _) => ("--api-key".to_owned(), key),
        (_, Some(env), _) => (
            API_KEY_ENV.to_owned(),
            env.into_string()
                .map_err(|_| anyhow::anyhow!("{API_KEY_ENV}: not UTF-8"))?,
        ),
        (_, _, Some(path)) => {
            let source = format!("--api-key-file {}", path.display());
            let text =
                std::fs::read_to_string(path).with_context(|| format!("{source}: cannot read"))?;
            (source, text.lines().next().unwrap_or_default().to_owned())
        }
        (None, None, None) => return Ok(None),
    };
    let key = key.trim();
    if key.is_empty() {
        bail!("{source}: empty");
    }
    if key.contains(|c: char| c.is_whitespace() || c.is_control()) {
        bail!("{source}: the key has a space or a control character; a bearer token cannot");
    }
    Ok(Some(key.to_owned()))
}

/// Serves the workspace until SIGINT (Ctrl-C) or SIGTERM, which end the run with 130 or 143.
pub fn run(config: Config, addr: SocketAddr, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // One thread: a delivery's attempt and its commit depend on each other, so they gain nothing
    // from a second worker and lose the hand-offs between two (a webhook's task woken on one,
    // its connection's on the other). The store's SQLite calls are short; what is long (making a
    // batch of events) runs on the blocking pool. Measured against two workers (serve, one
    // POST /sim/events of 20,000 events, three interleaved rounds): 10 webhooks 17,871-19,268 ->
    // 19,496-20,649 deliveries/s with 15 % less CPU, 1 webhook 7,689-7,934 -> 8,207-8,616.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let semantics = semantics(&config.policy);
    let while_paused = awork_workspace::api::while_paused_note(config.while_paused);
    let data = config.data.display().to_string();
    // As a word to paste into a shell: quoted when it has spaces or `$`.
    let data_word = awork_tls::client_env::sh_word(&data);
    let server = runtime.block_on(Server::bind(config, addr))?;
    // Before anything is printed: a client that reads the first line may stop serve at once.
    let signals = Signals::install().context("cannot handle SIGINT and SIGTERM")?;
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
    if let Some(tls) = server.tls_addr() {
        writeln!(
            out,
            "https: https://{tls}/api/v1 (the local CA's certificate)"
        )?;
    }
    let ca = server.ca();
    writeln!(
        out,
        "local CA: {}{} · `eval \"$(awork-sim env --data {data_word})\"` points clients at api.awork.com here",
        ca.ca_certificate_path().display(),
        if ca.is_new() {
            " (new: clients must trust it)"
        } else {
            ""
        },
    )?;
    if ca.platform_roots() == 0 {
        eprintln!(
            "warning: no system root certificates were found for {}: clients pointed at it \
             verify api.awork.com only",
            ca.trust_bundle_path().display()
        );
    }
    writeln!(out, "semantics: {semantics}")?;
    writeln!(out, "while paused: {while_paused}")?;
    out.flush()?;
    let stopping = signals.clone();
    runtime.block_on(server.run(async move {
        stopping.first().await;
    }))?;
    let signal = signals.received().expect("serving ends only on a signal");
    // Undelivered events stay in the outbox, and are delivered by the next serve on this --data.
    writeln!(
        out,
        "stopped by {}; the workspace is kept in {data}: `awork-sim serve --data {data_word}` goes on",
        signal.name()
    )?;
    Ok(Outcome::Stopped(signal))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_given_twice_names_the_sources_given_and_never_the_key() {
        let refused = api_key(
            Some("s3cret".into()),
            None,
            Some(std::path::Path::new("/nonexistent")),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            refused,
            "the API key is given more than once (--api-key, --api-key-file): give it once"
        );
        let refused = api_key(Some("s3cret".into()), Some("other".into()), None)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains(&format!("(--api-key, {API_KEY_ENV})")),
            "{refused}"
        );
        assert!(!refused.contains("s3cret"));
        assert_eq!(
            api_key(None, Some(" k3y ".into()), None)
                .unwrap()
                .as_deref(),
            Some("k3y")
        );
    }
}
