//! `awork-sim listen`: a development receiver on 127.0.0.1 that validates and prints each delivery,
//! records accepted ones as files that `send` can replay, and misbehaves on request (failing the
//! first requests, failing at a seeded rate, answering late, requiring an auth header).
//!
//! The HTTP server and its misbehaviour are `awork_delivery::receiver`'s [`Behaviour`]; the
//! per-request hook only passes each request and the answer chosen for it to the main task, which
//! prints and records them in arrival order.

use std::fmt;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use awork_delivery::receiver::{Behaviour, ReceivedRequest, Receiver, Reply};
use awork_delivery::{AuthHeader, parse_duration};
use bytes::Bytes;
use chrono::{DateTime, Local, Utc};
use serde_json::Value;
use tokio::sync::mpsc;

use super::Outcome;
use super::generate::file_safe;

/// Arguments of `awork-sim listen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, value_name = "P", default_value_t = 8787)]
    port: u16,
    /// Require this header (`Name: value`); requests without it get 401.
    #[arg(long, value_name = "'Name: value'")]
    auth_header: Option<String>,
    /// Write the body of each accepted (2xx) delivery to a file in this directory, byte for byte:
    /// `NNNNNN-<eventType>.json`.
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
}

impl Args {
    /// The configuration these arguments ask for; a bad header, rate or duration is an error.
    pub fn resolve(self) -> anyhow::Result<Config> {
        let auth = self
            .auth_header
            .as_deref()
            .map(AuthHeader::parse)
            .transpose()?;
        let delay = match &self.delay {
            Some(text) => parse_duration(text).context("--delay")?,
            None => Duration::ZERO,
        };
        if let Some(rate) = self.fail_rate {
            if !(0.0..=1.0).contains(&rate) {
                bail!("--fail-rate {rate}: must be between 0 and 1");
            }
        }
        let fail_first = usize::try_from(self.fail_first).unwrap_or(usize::MAX);
        let mut behaviour = Behaviour::fail_first(fail_first, 500).with_delay(delay);
        if let Some(rate) = self.fail_rate {
            behaviour = behaviour.with_fail_rate(rate, 500, self.seed);
        }
        if let Some(auth) = auth {
            behaviour = behaviour.with_auth(auth.name().clone(), auth.value().clone());
        }
        Ok(Config {
            port: self.port,
            behaviour,
            record: self.record,
        })
    }
}

/// What `listen` runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// How to answer: a missing or wrong required auth header gets 401; then the first
    /// `--fail-first` requests get 500; then, with `--fail-rate`, a seeded draw decides between 500
    /// and 200; otherwise 200. Every answer waits `--delay` first.
    pub behaviour: Behaviour,
    /// Where to record accepted deliveries.
    pub record: Option<PathBuf>,
}

/// One request as the hook hands it to the main task.
struct Delivery {
    body: Bytes,
    received_at: DateTime<Utc>,
    status: u16,
}

/// What the receiver saw, printed on Ctrl-C.
#[derive(Debug, Default)]
struct Tally {
    received: u64,
    accepted: u64,
    invalid: u64,
    recorded: u64,
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "received {}, answered 2xx {}, answered an error {}, invalid {}, recorded {}",
            self.received,
            self.accepted,
            self.received - self.accepted,
            self.invalid,
            self.recorded
        )
    }
}

/// Runs the receiver until Ctrl-C, printing one line per delivery, then the tally.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    if let Some(dir) = &config.record {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(config, out))
}

async fn serve(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let (sender, mut deliveries) = mpsc::unbounded_channel();
    let hook = move |request: &ReceivedRequest, reply: Reply| {
        let status = match reply {
            Reply::Status(status) => status,
            // listen's behaviour answers only with statuses; these arms keep the match total.
            Reply::Redirect(_) => 307,
            Reply::Reset => 0,
        };
        // The main task only stops receiving when the program ends.
        let _ = sender.send(Delivery {
            body: request.body.clone(),
            received_at: request.received_at,
            status,
        });
        reply
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let receiver = Receiver::builder(config.behaviour.clone())
        .hook(hook)
        .record(false)
        .bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    writeln!(out, "listening on {}", receiver.url())?;
    out.flush()?;

    let mut tally = Tally::default();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            delivery = deliveries.recv() => {
                let Some(delivery) = delivery else { break };
                handle(config, &mut tally, &delivery, out)?;
                out.flush()?;
            }
            _ = &mut ctrl_c => break,
        }
    }
    receiver.shutdown().await;
    writeln!(out, "{tally}")?;
    Ok(Outcome::Success)
}

/// Checks, prints and records one delivery.
fn handle(
    config: &Config,
    tally: &mut Tally,
    delivery: &Delivery,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    tally.received += 1;
    let accepted = (200..300).contains(&delivery.status);
    if accepted {
        tally.accepted += 1;
    }
    let (event_type, entity_id, verdict) = match serde_json::from_slice::<Value>(&delivery.body) {
        Ok(value) => {
            let field = |name| {
                value
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned()
            };
            let (event_type, entity_id) = (field("eventType"), field("entityId"));
            let verdict = match awork_models::validate_value(value) {
                Ok(_) => "ok".to_owned(),
                Err(problems) => problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            (event_type, entity_id, verdict)
        }
        Err(error) => ("?".to_owned(), "?".to_owned(), format!("not JSON: {error}")),
    };
    if verdict != "ok" {
        tally.invalid += 1;
    }
    let time = delivery.received_at.with_timezone(&Local);
    writeln!(
        out,
        "{} {} {event_type} {entity_id} {verdict}",
        time.format("%H:%M:%S%.3f"),
        delivery.status
    )?;
    if let (true, Some(dir)) = (accepted, &config.record) {
        tally.recorded += 1;
        let path = dir.join(format!(
            "{:06}-{}.json",
            tally.recorded,
            file_safe(&event_type)
        ));
        std::fs::write(&path, &delivery.body)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}
