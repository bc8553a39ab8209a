//! `awork-sim send`: delivers events to a webhook URL with awork's semantics (retries on a
//! schedule, timeout, pause after too many consecutive failures), from files byte for byte or
//! generated lazily.
//!
//! Every option and every input file is resolved and checked before anything is sent, so bad usage
//! sends nothing (which is why files are read whole first). Generated events are made one at a
//! time as the engine pulls them, so a run of a million holds a few in memory, paused or not. The
//! delivery itself is `awork_delivery`'s engine; this module builds its configuration, feeds it
//! events, shows progress and prints the summary.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use awork_delivery::{
    AttemptRecord, AuthHeader, Decision, DeliveryState, Event, JsonLinesWriter, Observer,
    RetrySchedule, RunReport, Webhook, WebhookConfig, WebhookState, parse_duration,
};
use awork_generate::GeneratorConfig;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

use super::Outcome;
use crate::generated::{self, GeneratorArgs};
use crate::input::{self, Source};
use crate::signals::{Signal, Signals};

/// How many events are generated when neither files nor `--count` are given.
const DEFAULT_COUNT: u64 = 10;

/// Arguments of `awork-sim send`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The webhook URL (http or https).
    #[arg(long, value_name = "URL")]
    url: String,
    /// The auth header sent with every request, as `Name: value`. Its value is never printed.
    #[arg(long, value_name = "'Name: value'")]
    auth_header: Option<String>,
    /// How long an attempt may take before it fails (`30s`, `250ms`, `2m`). Default 30s.
    #[arg(long, value_name = "D")]
    timeout: Option<String>,
    /// Retries per event after its first attempt. Default 10.
    #[arg(long, value_name = "N")]
    max_retries: Option<u32>,
    /// Waits between attempts, in order; the last one repeats (`10ms`, `1m,5m,30m`). Default:
    /// exponential from 10s, doubling, up to 10m.
    #[arg(long, value_name = "D[,D…]")]
    retry_schedule: Option<String>,
    /// Pause the webhook when consecutive failed attempts go above this. Default 10.
    #[arg(long, value_name = "N")]
    pause_after: Option<u32>,
    /// Deliveries in flight at once. Default 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    concurrency: Option<u32>,
    /// Start at most this many events per second.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    rate: Option<u32>,
    /// Accept any TLS certificate (for local https receivers).
    #[arg(long)]
    insecure: bool,
    #[command(flatten)]
    generator: GeneratorArgs,
    /// How many events to generate when no FILE is given. Default 10.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Write one JSON line per attempt to this file.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// End stdout with one JSON summary object (human lines go to stderr).
    #[arg(long)]
    json: bool,
    /// Files of events to send byte for byte (JSON, a JSON array, or NDJSON; `-` is stdin). Without
    /// files, events are generated.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

impl Args {
    /// Resolves and checks every option, and reads every file: any problem is an error naming it,
    /// before anything is sent.
    pub fn resolve(self) -> anyhow::Result<Config> {
        let mut webhook = WebhookConfig::new(&self.url)?;
        if let Some(text) = &self.auth_header {
            webhook = webhook.with_auth(AuthHeader::parse(text)?);
        }
        if let Some(text) = &self.timeout {
            webhook = webhook.with_timeout(parse_duration(text).context("--timeout")?);
        }
        if let Some(retries) = self.max_retries {
            webhook = webhook.with_max_retries(retries);
        }
        if let Some(text) = &self.retry_schedule {
            let schedule: RetrySchedule = text.parse().context("--retry-schedule")?;
            webhook = webhook.with_retry_schedule(schedule);
        }
        if let Some(pause_after) = self.pause_after {
            webhook = webhook.with_pause_after(pause_after);
        }
        if let Some(concurrency) = self.concurrency {
            webhook = webhook.with_concurrency(concurrency as usize);
        }
        webhook = webhook.with_rate(self.rate).with_insecure(self.insecure);
        let generator = self.generator.resolve()?;

        let events = if self.files.is_empty() {
            Events::Generated {
                generator,
                count: self.count.unwrap_or(DEFAULT_COUNT),
            }
        } else {
            if !self.generator.events.is_empty() || self.count.is_some() {
                bail!(
                    "--event and --count choose generated events; they cannot be used with FILEs"
                );
            }
            let mut events = Vec::new();
            for path in self.files {
                let source = Source::from_arg(path);
                events.extend(input::read_raw_events(&source, |event| {
                    Event::new(label_of(&event.value), event.raw.as_bytes().to_vec())
                })?);
            }
            Events::Files(events.into())
        };
        Ok(Config {
            webhook,
            events,
            log: self.log,
            json: self.json,
        })
    }
}

/// What `send` runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The webhook and its delivery policy.
    pub webhook: WebhookConfig,
    /// The events to deliver.
    pub events: Events,
    /// Where to write the attempt log.
    pub log: Option<PathBuf>,
    /// Whether stdout ends with the JSON summary.
    pub json: bool,
}

/// Where the events come from.
#[derive(Debug, Clone)]
pub enum Events {
    /// Read from files, each to be sent as its exact bytes. Shared, so a run can hand the engine
    /// an iterator of its own without copying them all first.
    Files(Arc<[Event]>),
    /// Generated one at a time as the engine pulls them, so that a million never sit in memory.
    Generated {
        /// What to generate.
        generator: GeneratorConfig,
        /// How many.
        count: u64,
    },
}

impl Events {
    fn len(&self) -> u64 {
        match self {
            Events::Files(events) => events.len() as u64,
            Events::Generated { count, .. } => *count,
        }
    }
}

/// `eventType entityId` of an event read from a file, with `?` for what it lacks.
fn label_of(value: &Value) -> String {
    let field = |name| value.get(name).and_then(Value::as_str).unwrap_or("?");
    format!("{} {}", field("eventType"), field("entityId"))
}

/// Delivers the events and prints what became of them.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // One thread is plenty: the work is waiting on sockets and timers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut webhook = runtime
        .block_on(async { Webhook::new(config.webhook.clone()) })
        .context("cannot set up the HTTP client")?;
    let log = match &config.log {
        Some(path) => Some(JsonLinesWriter::new(
            File::create(path).with_context(|| format!("{}: cannot create", path.display()))?,
        )),
        None => None,
    };
    let signals = Signals::install().context("cannot handle SIGINT and SIGTERM")?;
    let stop = || {
        let signals = signals.clone();
        async move {
            signals.first().await;
        }
    };
    let mut observer = SendObserver {
        log,
        progress: Progress::new(config.events.len()),
    };
    // The engine keeps the rest of the iterator if the webhook pauses, so it owns what it pulls
    // from, and both iterators know how many events are left.
    let run = match &config.events {
        Events::Files(events) => {
            let events = Arc::clone(events);
            let each = (0..events.len()).map(move |at| events[at].clone());
            runtime.block_on(webhook.deliver_until(each, &mut observer, stop()))
        }
        Events::Generated { generator, count } => {
            let events = generated::Events::new(generator.clone(), *count);
            runtime.block_on(webhook.deliver_until(events, &mut observer, stop()))
        }
    };
    // A signal that comes after the run ended stops nothing: only one during it counts.
    let stopped = signals.received();
    observer.progress.bar.finish_and_clear();
    if let Some(log) = observer.log {
        log.finish().context("cannot write the attempt log")?;
    }

    if config.json {
        let mut stderr = io::stderr().lock();
        write_human(&run, stopped, &mut stderr)?;
        writeln!(out, "{}", serde_json::to_string(&run.report)?)?;
    } else {
        write_human(&run, stopped, out)?;
    }
    Ok(if let Some(signal) = stopped {
        Outcome::Stopped(signal)
    } else if run.report.failed == 0 && run.report.pending == 0 {
        Outcome::Success
    } else {
        Outcome::Failures
    })
}

/// One line per failed and per pending event, the summary, and the semantics used.
pub fn write_human(
    run: &RunReport,
    stopped: Option<Signal>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for failed in &run.failed {
        match &failed.state {
            DeliveryState::Failed { attempts, last } => writeln!(
                out,
                "failed: #{} {} after {attempts} attempts (last: {last})",
                failed.index + 1,
                failed.label
            )?,
            state @ (DeliveryState::Delivered { .. } | DeliveryState::Pending { .. }) => {
                writeln!(
                    out,
                    "failed: #{} {} ({state:?})",
                    failed.index + 1,
                    failed.label
                )?;
            }
        }
    }
    // Past the listed ones, failed events are only counted; each attempt is in the log.
    let unlisted = run.report.failed - run.failed.len() as u64;
    if unlisted > 0 {
        writeln!(
            out,
            "failed: {unlisted} more events, not listed (--log FILE records every attempt)"
        )?;
    }
    for (index, label, attempts) in &run.pending {
        writeln!(
            out,
            "pending: #{} {label} ({attempts} attempts so far)",
            index + 1
        )?;
    }
    // Never taken from the source: one line, however many (a paused run of a million would
    // otherwise print a million lines).
    let untouched = &run.untouched;
    match untouched.end - untouched.start {
        0 => {}
        1 => writeln!(out, "pending: #{} (not attempted)", untouched.end)?,
        n => writeln!(
            out,
            "pending: #{} to #{} ({n} events, not attempted)",
            untouched.start + 1,
            untouched.end
        )?,
    }
    writeln!(out, "{}", summary(run))?;
    if let Some(signal) = stopped {
        writeln!(
            out,
            "stopped by {}: the pending events were not sent (or not retried)",
            signal.name()
        )?;
    }
    writeln!(out, "semantics: {}", run.semantics)?;
    if run.report.webhook == WebhookState::Paused {
        writeln!(
            out,
            "the webhook is paused: awork keeps the pending events until it is enabled again"
        )?;
    }
    Ok(())
}

/// `delivered 9/10, failed 1, pending 0, attempts 21, webhook active`.
pub fn summary(run: &RunReport) -> String {
    let report = &run.report;
    let webhook = match report.webhook {
        WebhookState::Active => "active",
        WebhookState::Paused => "paused",
    };
    format!(
        "delivered {}/{}, failed {}, pending {}, attempts {}, webhook {webhook}",
        report.delivered, report.events, report.failed, report.pending, report.attempts
    )
}

/// The observer of a `send` run: the attempt log and the progress bar.
struct SendObserver {
    log: Option<JsonLinesWriter<File>>,
    progress: Progress,
}

impl Observer for SendObserver {
    fn on_attempt(&mut self, record: &AttemptRecord) {
        if let Some(log) = &mut self.log {
            log.on_attempt(record);
        }
        self.progress.on_attempt(record);
    }
}

/// A progress bar on stderr, shown only when stderr is a terminal and the run lasts over a second.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// Whether the bar may be shown (stderr is a terminal) and is not yet.
    waiting: bool,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} events settled, {elapsed} {msg}")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            waiting: io::stderr().is_terminal(),
        }
    }

    fn on_attempt(&mut self, record: &AttemptRecord) {
        match record.decision {
            Decision::Delivered | Decision::GiveUp | Decision::Pause => self.bar.inc(1),
            Decision::Retry { .. } => {}
        }
        if self.waiting && self.started.elapsed() > Duration::from_secs(1) {
            self.waiting = false;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}
