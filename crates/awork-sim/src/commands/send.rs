//! `awork-sim send`: delivers events to a webhook URL with awork's semantics (retries on a
//! schedule, timeout, pause after too many consecutive failures), from files byte for byte or
//! generated lazily (with trace ids of the run's own, unless `--reproducible`).
//!
//! Every option and every input is resolved and checked before anything is sent, so bad usage
//! sends nothing: files are read twice, as streams, once to check every event and once, on a
//! thread of their own, to deliver them (a stream is copied to a temporary file for that), so
//! memory follows the largest event rather than the input; a file that changed since its check is
//! read no further, and its unread events are counted as pending. Generated events are made on a
//! thread of their own up to 256 batches ahead of the engine (32 events or 64 KiB a batch), so a
//! run of a million holds about 8,200 in memory at most (those and the two batches in hand),
//! paused or not. The delivery itself is
//! `awork_delivery`'s engine, on a current-thread runtime; this module builds its configuration,
//! feeds it events, shows progress (a bar on a terminal, one line per failed attempt), stops on
//! SIGINT or SIGTERM with the summary, and prints the summary.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use crate::event_label::label_of;
use anyhow::{Context, bail};
use awork_delivery::{
    AttemptRecord, Decision, DeliveryState, Event, JsonLinesWriter, Observer, RunReport, Webhook,
    WebhookConfig, WebhookState, WebhookUrl, format_duration,
};
use awork_generate::GeneratorConfig;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Outcome;
use crate::auth::AuthArgs;
use crate::generated::{self, GeneratorArgs};
use crate::input::{Input, Item, Part, Shape, Source, event_files, is_json, no_event_file};
use crate::open_files::make_room_for_connections;
use crate::policy::{PolicyArgs, pause_note};
use crate::signals::{Signal, Signals};

/// How many events are generated when neither files nor `--count` are given.
const DEFAULT_COUNT: u64 = 10;

/// Arguments of `awork-sim send`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("auth_header", |arg| arg.help(crate::auth::help("sent with every request"))))]
pub struct Args {
    /// The webhook URL (http or https).
    #[arg(long, value_name = "URL")]
    url: String,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Deliveries in flight at once. Default 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    concurrency: Option<u32>,
    /// Start at most this many events per second: a number above 0, decimals too (`0.5` is one
    /// every 2s).
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    rate: Option<f64>,
    /// Accept any TLS certificate (for local https receivers).
    #[arg(long)]
    insecure: bool,
    #[command(flatten)]
    generator: GeneratorArgs,
    /// How many events to generate when no FILE is given. Default 10.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
    /// Send the generated events exactly as `generate` writes them for the seed, trace ids
    /// included, to replay a run. Without it each run's events get trace ids of their own (the
    /// rest of the story is the seed's), so a receiver that deduplicates by `traceId` takes a
    /// second run's events as new.
    #[arg(long)]
    reproducible: bool,
    /// Write one JSON line per attempt to this file.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// End stdout with one JSON summary object (human lines go to stderr).
    #[arg(long)]
    json: bool,
    /// Send the files' JSON as it is, even when it is not an awork event (`{"a":1}`, `42`):
    /// without it such input is refused.
    #[arg(long)]
    raw: bool,
    /// No progress on stderr: no line per failed attempt, no note when nothing answers at the
    /// URL, no progress bar. The summary is still printed.
    #[arg(long)]
    quiet: bool,
    /// Files of events to send byte for byte (JSON, a JSON array, or NDJSON; `-` is stdin); a
    /// folder stands for its event files (`*.json`, `*.ndjson`, `*.jsonl`, in name order: what
    /// `listen --record` writes). Without files, events are generated.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

impl Args {
    /// Resolves and checks every option, and reads every file: any problem is an error naming it,
    /// before anything is sent.
    pub fn resolve(self) -> anyhow::Result<Config> {
        let mut webhook = WebhookConfig::new(&self.url)?;
        if let Some(auth) = self.auth.resolve()? {
            webhook = webhook.with_auth(auth);
        }
        let policy = self.policy.resolve()?;
        webhook = webhook
            .with_timeout(policy.timeout)
            .with_max_retries(policy.max_retries)
            .with_retry_schedule(policy.retry_schedule)
            .with_pause_after(policy.pause_after);
        if let Some(concurrency) = self.concurrency {
            webhook = webhook.with_concurrency(concurrency as usize);
        }
        let concurrency = u64::from(self.concurrency.unwrap_or(1));
        make_room_for_connections("send", "--concurrency", concurrency, concurrency)?;
        webhook = webhook.with_rate(self.rate).with_insecure(self.insecure);
        let generator = self.generator.resolve()?;

        let events = if self.files.is_empty() {
            Events::Generated {
                generator,
                trace_salt: (!self.reproducible).then(generated::fresh_trace_salt),
                count: self.count.unwrap_or(DEFAULT_COUNT),
            }
        } else {
            let mut given = self.generator.given();
            given.extend(self.count.map(|_| "--count"));
            given.extend(self.reproducible.then_some("--reproducible"));
            if let Some(first) = given.first() {
                bail!(
                    "{first} chooses generated events; --event, --seed, --naming, --count and \
                     --reproducible cannot be used with FILEs (which are sent byte for byte)"
                );
            }
            let mut paths = Vec::new();
            for path in self.files {
                if path.is_dir() {
                    let in_folder = event_files(&path)?;
                    if in_folder.is_empty() {
                        bail!("{}: no events to send: {}", path.display(), no_event_file());
                    }
                    paths.extend(in_folder);
                } else {
                    paths.push(path);
                }
            }
            if let Some(log) = &self.log
                && let Some(input) = paths.iter().find(|path| same_file(log, path))
            {
                bail!(
                    "--log {}: it is {}, one of the files to send; the log would overwrite it",
                    log.display(),
                    input.display()
                );
            }
            let sources = paths.into_iter().map(Source::from_arg).collect();
            Events::Files(check_files(sources, self.raw)?)
        };
        Ok(Config {
            webhook,
            events,
            log: self.log,
            json: self.json,
            quiet: self.quiet,
        })
    }
}

/// Whether two paths name one existing file (the same file through a link, too).
fn same_file(one: &Path, other: &Path) -> bool {
    match (std::fs::metadata(one), std::fs::metadata(other)) {
        #[cfg(unix)]
        (Ok(one), Ok(other)) => {
            use std::os::unix::fs::MetadataExt;
            (one.dev(), one.ino()) == (other.dev(), other.ino())
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => std::fs::canonicalize(one).ok() == std::fs::canonicalize(other).ok(),
        _ => false,
    }
}

/// `--rate`'s value: events per second, a finite number of at least one a day (a slower rate's
/// interval would not fit the clock, and would turn the limit off).
fn parse_rate(text: &str) -> Result<f64, String> {
    const ONE_A_DAY: f64 = 1.0 / 86_400.0;
    match text.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate >= ONE_A_DAY => Ok(rate),
        _ => Err(
            "events per second: a number from 0.0000116 (one a day) up (`0.5` is one every 2s)"
                .to_owned(),
        ),
    }
}

/// What `send` runs with.
#[derive(Debug)]
pub struct Config {
    /// The webhook and its delivery policy.
    pub webhook: WebhookConfig,
    /// The events to deliver.
    pub events: Events,
    /// Where to write the attempt log.
    pub log: Option<PathBuf>,
    /// Whether stdout ends with the JSON summary.
    pub json: bool,
    /// Whether progress on stderr is off.
    pub quiet: bool,
}

/// Where the events come from.
#[derive(Debug)]
pub enum Events {
    /// Read from files (checked, to be read again as they are sent), each event sent as its exact
    /// bytes.
    Files(Vec<FileEvents>),
    /// Generated a bounded number of batches ahead of the engine, so that a million never sit
    /// in memory.
    Generated {
        /// What to generate.
        generator: GeneratorConfig,
        /// This run's salt of the trace ids, or `None` for the seed's (`--reproducible`).
        trace_salt: Option<u128>,
        /// How many.
        count: u64,
    },
}

impl Events {
    fn len(&self) -> u64 {
        match self {
            Events::Files(files) => files.iter().map(|file| file.count).sum(),
            Events::Generated { count, .. } => *count,
        }
    }
}

/// An input whose every event was checked: how many it holds, and whether it is one document
/// (sent whole, byte for byte, trailing newline included).
#[derive(Debug)]
pub struct FileEvents {
    input: Input,
    count: u64,
    whole: bool,
}

impl FileEvents {
    /// Reads `source` once, as a stream, and checks it: JSON, at least one event, and (unless
    /// `raw`) every event an awork event. The first problem is the error. A file that changes
    /// while it is checked is an error too, and one that changes after is not read again
    /// ([`Input::require_unchanged`]). Up to `threads` threads check it side by side.
    fn check(source: Source, raw: bool, threads: usize) -> anyhow::Result<FileEvents> {
        let mut input = Input::open_rereadable(source)?;
        let stamp = input.stamp()?;
        let (count, shape) = Self::count_valid(&input, raw, threads)?;
        if let Some(stamp) = stamp {
            if input.stamp()? != Some(stamp) {
                bail!(
                    "{}: it changed while it was being checked; nothing was sent",
                    input.source
                );
            }
            input.require_unchanged(stamp);
        }
        Ok(FileEvents {
            input,
            count,
            whole: count == 1 && matches!(shape, Shape::Single | Shape::Ndjson),
        })
    }

    /// The checks of [`FileEvents::check`]: how many events `input` holds, and its shape.
    fn count_valid(input: &Input, raw: bool, threads: usize) -> anyhow::Result<(u64, Shape)> {
        let accepts = if raw { is_json } else { is_awork_event };
        if let Some(valid) = all_valid(input, accepts, threads) {
            return Ok(valid);
        }
        let mut count = 0;
        let mut problem = None;
        let shape = input.read(|item| {
            match item {
                Item::Event(event) => {
                    if !raw {
                        // As `validate` finds them.
                        let problems = awork_models::problems_of(&event.raw, event.value);
                        if !problems.is_empty() {
                            problem = Some(not_an_event(&input.source, event.line, &problems));
                            return ControlFlow::Break(());
                        }
                    }
                    count += 1;
                }
                Item::NotJson(error) => {
                    problem = Some(format!("{}:{error}", input.source));
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })?;
        if let Some(problem) = problem {
            bail!(problem);
        }
        if count == 0 {
            let what = match shape {
                Shape::Array => "an empty array",
                Shape::Empty | Shape::Single | Shape::Ndjson => "the input is empty",
            };
            bail!("{}: no events to send: {what}", input.source);
        }
        Ok((count, shape))
    }

    /// Hands each event to `send` (which says whether to go on), as its exact bytes: the events
    /// checked and no others. A file that changed since it was checked fails at the first read
    /// that finds it changed ([`Input::require_unchanged`]), so what was read before is sent and
    /// nothing after; one that ends before its checked count of events fails too.
    fn send_each(&self, send: &mut dyn FnMut(Event) -> bool) -> anyhow::Result<()> {
        if self.whole {
            let body = self.input.whole()?;
            send(Event::new(label_of(&body), body));
            return Ok(());
        }
        let mut handed = 0;
        let mut taken = true;
        self.input.read_texts(|_, raw| {
            handed += 1;
            taken = send(Event::new(label_of(raw.as_bytes()), raw.into_bytes()));
            if taken && handed < self.count {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        })?;
        if taken && handed < self.count {
            bail!(
                "{}: it changed since it was checked: it ends after {handed} of its {} events",
                self.input.source,
                self.count
            );
        }
        Ok(())
    }
}

/// Whether the text of an event is an awork event, read straight into the models (no
/// `serde_json::Value` of the whole event first).
fn is_awork_event(text: &str) -> bool {
    awork_models::valid_event(text).is_some()
}

/// A file this large or larger is checked on every core when `send` is given several: smaller
/// ones are shared out among the cores, one thread a file.
const CHECKED_ALONE: u64 = 1024 * 1024;

/// Checks the files to send ([`FileEvents::check`]), in the order given: the first problem in
/// that order is the error, as if they were checked one after the other. One file is checked on
/// every core; of several, the small ones are shared out among the cores, each checked on one
/// thread (a folder of captured events holds thousands of one event each, and a thread per core
/// for each cost more than checking it), and each large one ([`CHECKED_ALONE`]) is checked on
/// every core in its turn. A file after one that failed is not checked, unless a thread took it
/// before the failure was known.
///
/// Measured (a folder of 5,000 generated events, one a file, the release binary, four
/// interleaved runs): `send` at concurrency 8 1.01–1.15 s when each file was checked on every
/// core in turn (two threads started for each), 0.20–0.28 s so; the same events in one file of
/// NDJSON 0.08 s.
fn check_files(sources: Vec<Source>, raw: bool) -> anyhow::Result<Vec<FileEvents>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if sources.len() == 1 || cores == 1 {
        return sources
            .into_iter()
            .map(|source| FileEvents::check(source, raw, cores))
            .collect();
    }
    let is_large = |source: &Source| match source {
        Source::File(path) => std::fs::metadata(path).is_ok_and(|file| file.len() >= CHECKED_ALONE),
        Source::Stdin => false,
    };
    let checked: Vec<Mutex<Option<anyhow::Result<FileEvents>>>> =
        sources.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let first_failed = AtomicUsize::new(usize::MAX);
    std::thread::scope(|scope| {
        for _ in 0..cores.min(sources.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(index) else {
                        return;
                    };
                    if index > first_failed.load(Ordering::Relaxed) || is_large(source) {
                        continue;
                    }
                    let file = FileEvents::check(source.clone(), raw, 1);
                    if file.is_err() {
                        first_failed.fetch_min(index, Ordering::Relaxed);
                    }
                    *checked[index]
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(file);
                }
            });
        }
    });
    // In order: the large files are checked now, each on every core, up to the first problem.
    sources
        .into_iter()
        .zip(checked)
        .map(|(source, checked)| {
            let checked = checked.into_inner().unwrap_or_else(PoisonError::into_inner);
            checked.unwrap_or_else(|| FileEvents::check(source, raw, cores))
        })
        .collect()
}

/// The common case of [`FileEvents::check`], fast: whether `accepts` every event of `input`
/// ([`is_awork_event`], or with `--raw` [`is_json`]), on `threads` threads; with the count of
/// events and the input's shape. `None` when the input is not JSON or any event is not accepted,
/// or when it could not be read: the full check reads it again, one event after the other, to
/// find the first problem and say where it is. What it accepts the full check accepts (the same
/// models, or the same JSON, from the same text).
fn all_valid(input: &Input, accepts: fn(&str) -> bool, threads: usize) -> Option<(u64, Shape)> {
    if threads == 1 {
        return all_read_valid_here(input, accepts);
    }
    match input.ndjson_stretches(threads) {
        Ok(Some(parts)) => all_lines_valid(&parts, threads, accepts),
        Ok(None) => all_read_valid(input, threads, accepts),
        Err(_) => None,
    }
}

/// [`all_valid`] on this thread alone.
fn all_read_valid_here(input: &Input, accepts: fn(&str) -> bool) -> Option<(u64, Shape)> {
    let mut count = 0;
    let mut valid = true;
    let shape = input.read_texts(|_, text| {
        valid = accepts(&text);
        count += 1;
        if valid {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    });
    shape
        .ok()
        .filter(|_| valid && count > 0)
        .map(|shape| (count, shape))
}

/// [`all_valid`] for NDJSON in a file: each thread reads stretches of the file by itself, so no
/// thread hands lines to another (measured on 50,000 events of 2.3 KB, two threads: 225 → 185
/// ms against one thread reading for both), taking the next stretch when it is done with one, so
/// a thread that the machine holds back leaves the rest to the others.
fn all_lines_valid(
    parts: &[Part],
    threads: usize,
    accepts: fn(&str) -> bool,
) -> Option<(u64, Shape)> {
    let invalid = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let check = || {
        let mut count = 0;
        while let Some(part) = parts.get(next.fetch_add(1, Ordering::Relaxed)) {
            part.lines(|_, line| {
                if invalid.load(Ordering::Relaxed) {
                    return ControlFlow::Break(());
                }
                if std::str::from_utf8(line).is_ok_and(accepts) {
                    count += 1;
                    ControlFlow::Continue(())
                } else {
                    invalid.store(true, Ordering::Relaxed);
                    ControlFlow::Break(())
                }
            })
            .ok()?;
        }
        Some(count)
    };
    let counts = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..threads.min(parts.len()))
            .map(|_| scope.spawn(check))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().ok().flatten())
            .sum::<Option<u64>>()
    })?;
    (counts > 0 && !invalid.load(Ordering::Relaxed)).then_some((counts, Shape::Ndjson))
}

/// [`all_valid`] for any other input: one thread reads the events, the others check them, a few
/// dozen at a time.
fn all_read_valid(
    input: &Input,
    workers: usize,
    accepts: fn(&str) -> bool,
) -> Option<(u64, Shape)> {
    /// Events per batch, at most, and bytes after which a batch goes.
    const EVENTS: usize = 64;
    const BYTES: usize = 256 * 1024;
    let invalid = AtomicBool::new(false);
    let (batches, taken) = mpsc::sync_channel::<Vec<String>>(workers);
    let taken = Mutex::new(taken);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let batch = taken.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(batch) = batch else { return };
                    // Once one event is invalid the rest is only drained, so the reader never
                    // waits on a full channel.
                    let valid =
                        invalid.load(Ordering::Relaxed) || batch.iter().all(|text| accepts(text));
                    if !valid {
                        invalid.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
        let mut count = 0;
        let mut batch = Vec::with_capacity(EVENTS);
        let mut bytes = 0;
        let shape = input.read_texts(|_, text| {
            count += 1;
            bytes += text.len();
            batch.push(text);
            if batch.len() == EVENTS || bytes >= BYTES {
                bytes = 0;
                let full = std::mem::replace(&mut batch, Vec::with_capacity(EVENTS));
                if invalid.load(Ordering::Relaxed) || batches.send(full).is_err() {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        if !batch.is_empty() {
            let _ = batches.send(batch);
        }
        // Closing the channel ends the workers once they have checked what it holds.
        drop(batches);
        shape.ok().map(|shape| (count, shape))
    })
    // The scope has waited for every worker: `invalid` is final.
    .filter(|(count, _)| *count > 0 && !invalid.load(Ordering::Relaxed))
}

/// `FILE:LINE: not an awork event: PROBLEM …`.
fn not_an_event(source: &Source, line: usize, problems: &[awork_models::Problem]) -> String {
    let first = problems
        .first()
        .map_or_else(|| "invalid".to_owned(), ToString::to_string);
    let more = match problems.len() {
        0 | 1 => String::new(),
        2 => " (and 1 more problem)".to_owned(),
        n => format!(" (and {} more problems)", n - 1),
    };
    format!(
        "{source}:{line}: not an awork event: {first}{more}; `awork-sim validate` lists them, \
         --raw sends it as it is"
    )
}

/// The nice value of the thread that makes the events (5: a quarter of the CPU share of the
/// others when they compete for a core).
#[cfg(target_os = "linux")]
const MAKER_NICE: i32 = 5;

/// Lowers the calling thread's priority to [`MAKER_NICE`] (Linux keeps a nice value per thread).
///
/// Making events is background work: the delivery loop waits for it only when the queue is
/// empty, while a receiver on the same machine (the usual case, and the bench's) answers each
/// attempt on the same cores. At normal priority the maker took turns with the receiver and
/// every attempt waited for the turn; at nice 5 the receiver goes first. Measured (`send` to
/// bench_receiver, four interleaved rounds, medians): generated --count 20000 -c1 1,706 →
/// 1,576 ms, --count 50000 -c64 885 → 874 ms; a file of 20,000 events -c1 1,536 → 1,506 ms, of
/// 50,000 -c64 955 → 907 ms. Not lower: nice 10 gained 3-5 % more at -c1 but lost 7 % at -c64;
/// nice 19 and `SCHED_IDLE` gained a quarter at -c1 and lost 5-9 % at -c64, and a thread that
/// low nearly stops on a machine busy with other work.
fn yield_to_deliveries() {
    // Best effort: without it events are made all the same.
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(None, MAKER_NICE);
}

/// Events made on a thread of their own (read from the files, or generated) into a bounded
/// queue as the engine takes them, so that making them costs the delivery loop nothing. They
/// travel in batches, so the maker and the delivery loop wake each other once a batch rather
/// than once an event. Its `size_hint` is exact (the count of the check, or `--count`), so a
/// pause or a stop counts the rest as pending without making it.
struct Queue {
    batches: mpsc::Receiver<Vec<Event>>,
    /// The batch being taken from, reversed (its next event last).
    batch: Vec<Event>,
    left: u64,
}

impl Queue {
    /// How many events travel together, at most.
    const BATCH: usize = 32;
    /// A batch goes once its bodies reach this many bytes, so large events travel alone and
    /// memory follows the largest event, not the batch.
    const BATCH_BYTES: usize = 64 * 1024;
    /// How many batches of a file's events wait read in the queue, at most: reading is cheap,
    /// and an event of a file may be of any size.
    const FILE_DEPTH: usize = 2;
    /// How many batches of generated events wait made in the queue, at most: 8,192 events, about
    /// 19 MB of bodies (a generated event is 2.3 KB on average, a batch at most 64 KB).
    ///
    /// Making an event costs about as much CPU as sending it, and the maker runs at a lower
    /// priority (see [`yield_to_deliveries`]): it should make events whenever a core would
    /// otherwise idle, which is while the engine waits for the receiver's answers. With two
    /// batches ahead it stopped after one round of 64 events and the machine idled 18-22 % of a
    /// run at concurrency 64 (`/proc/stat`); with 256 it keeps making in those moments (8-14 %
    /// idle). Measured (generated `send` to bench_receiver, interleaved runs, medians): 50,000
    /// events at concurrency 64 0.84 -> 0.77 s (eight rounds), 150,000 2.40 -> 2.24 s (five);
    /// 20,000 at concurrency 1 unchanged (1.20 vs 1.16 s, four); peak memory 29 -> 74 MB.
    /// A file's events gained nothing from it.
    const GENERATED_DEPTH: usize = 256;

    /// Starts a thread named `name` that hands `left` events to its `send` (which says whether
    /// to go on: not once the engine has dropped the queue), keeping at most `depth` batches
    /// made ahead.
    fn start(
        name: &str,
        left: u64,
        depth: usize,
        make: impl FnOnce(&mut dyn FnMut(Event) -> bool) + Send + 'static,
    ) -> anyhow::Result<Queue> {
        let (queue, batches) = mpsc::sync_channel(depth);
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                yield_to_deliveries();
                // The first batch is one event, so the first attempt starts at once; the next
                // ones are full.
                let mut size = 1;
                let mut batch = Vec::with_capacity(size);
                let mut bytes = 0;
                let mut open = true;
                make(&mut |event| {
                    bytes += event.body.len();
                    batch.push(event);
                    if batch.len() >= size || bytes >= Self::BATCH_BYTES {
                        bytes = 0;
                        size = Self::BATCH;
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(size));
                        open = queue.send(full).is_ok();
                    }
                    open
                });
                if open && !batch.is_empty() {
                    let _ = queue.send(batch);
                }
            })
            .with_context(|| format!("cannot start the thread that makes the events ({name})"))?;
        Ok(Queue {
            batches,
            batch: Vec::new(),
            left,
        })
    }

    /// The events of `files`, read again as they are sent; a read that fails (a file changed
    /// since it was checked) ends the events early and leaves its error in `failed`.
    fn files(files: &[FileEvents], failed: &Arc<Mutex<Option<String>>>) -> anyhow::Result<Queue> {
        let left = files.iter().map(|file| file.count).sum();
        let files = files
            .iter()
            .map(|file| {
                Ok(FileEvents {
                    input: file.input.try_clone()?,
                    count: file.count,
                    whole: file.whole,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let failed = Arc::clone(failed);
        Queue::start("read-events", left, Self::FILE_DEPTH, move |send| {
            for file in &files {
                if let Err(error) = file.send_each(send) {
                    *failed.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(format!("{error:#}"));
                    return;
                }
            }
        })
    }

    /// `count` events of `generator`'s story, their trace ids salted with `trace_salt` if any.
    fn generated(
        generator: &GeneratorConfig,
        trace_salt: Option<u128>,
        count: u64,
    ) -> anyhow::Result<Queue> {
        let events = generated::Events::new(generator.clone(), trace_salt, count);
        Queue::start(
            "generate-events",
            count,
            Self::GENERATED_DEPTH,
            move |send| {
                for event in events {
                    if !send(event) {
                        return;
                    }
                }
            },
        )
    }
}

impl Iterator for Queue {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.batch.is_empty() {
            self.batch = self.batches.recv().ok()?;
            self.batch.reverse();
        }
        let event = self.batch.pop()?;
        self.left = self.left.saturating_sub(1);
        Some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match usize::try_from(self.left) {
            Ok(left) => (left, Some(left)),
            Err(_) => (usize::MAX, None),
        }
    }
}

/// Delivers the events and prints what became of them.
pub fn run(config: &Config, signals: &Signals, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // The delivery loop, its connections, the log and the progress run on this thread, and the
    // events are made on a thread of their own: measured against a local receiver on a 2-core
    // machine, this costs a fifth less CPU an event than a multi-threaded runtime (no wakes
    // between threads for each answer), and leaves the other core to the receiver and the
    // making of events.
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
    let stop = || {
        let signals = signals.clone();
        async move {
            signals.first().await;
        }
    };
    if !config.quiet {
        if let Some(reason) = runtime.block_on(probe(&config.webhook.url)) {
            let _ = writeln!(
                io::stderr(),
                "nothing answers at {} ({reason}); sending anyway, as awork would: failed \
                 attempts are retried on the schedule",
                config.webhook.url
            );
        }
    }
    let mut observer = SendObserver {
        log,
        progress: Progress::new(config.events.len(), &config.webhook, config.quiet),
    };
    // The engine keeps the rest of the iterator if the webhook pauses, so it owns what it pulls
    // from, and both iterators know how many events are left.
    let unread = Arc::new(Mutex::new(None));
    let events = match &config.events {
        Events::Files(files) => Queue::files(files, &unread)?,
        Events::Generated {
            generator,
            trace_salt,
            count,
        } => Queue::generated(generator, *trace_salt, *count)?,
    };
    let mut run = runtime.block_on(webhook.deliver_until(events, &mut observer, stop()));
    // A signal that comes after the run ended stops nothing: only one during it counts.
    let stopped = signals.received();
    observer.progress.bar.finish_and_clear();
    let log_written = observer.log.map(JsonLinesWriter::finish);
    let unread = unread.lock().unwrap_or_else(PoisonError::into_inner).take();
    if unread.is_some() {
        count_unread_as_pending(&mut run, config.events.len());
    }
    let outcome = if let Some(signal) = stopped {
        Outcome::Stopped(signal)
    } else if run.report.failed == 0 && run.report.pending == 0 && unread.is_none() {
        Outcome::Success
    } else {
        Outcome::Failures
    };

    // The events went where they went: from here on, what cannot be written (the summary, the
    // log) is said and fails the run, but it is not bad input.
    let outcome = outcome.reported(|| {
        if config.json {
            write_human(&run, stopped, &mut io::stderr().lock())?;
            writeln!(out, "{}", serde_json::to_string(&run.report)?)?;
        } else {
            write_human(&run, stopped, out)?;
        }
        Ok(out.flush()?)
    });
    if let Some(error) = &unread {
        let _ = writeln!(
            io::stderr(),
            "error: {error}; the events after it were not sent"
        );
    }
    Ok(outcome.reported(|| match (log_written, &config.log) {
        (Some(Err(error)), Some(path)) => Err(anyhow::Error::new(error)
            .context(format!("{}: cannot write the attempt log", path.display()))),
        _ => Ok(()),
    }))
}

/// Counts the events that a file which could not be read again kept from the engine (checked,
/// never sent) as pending, not attempted, after those the engine counted: the summary still adds
/// up to the events checked.
fn count_unread_as_pending(run: &mut RunReport, checked: u64) {
    let unread = checked.saturating_sub(run.report.events);
    if unread == 0 {
        return;
    }
    let first = if run.untouched.is_empty() {
        run.report.events
    } else {
        run.untouched.start
    };
    run.report.events += unread;
    run.report.pending += unread;
    run.untouched = first..run.report.events;
}

/// Whether anything accepts a TCP connection at the URL's host and port: `None` when something
/// does, or why not. Only a connection, never a request: the receiver sees no event.
async fn probe(url: &WebhookUrl) -> Option<String> {
    let uri = url.as_uri();
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri
        .port_u16()
        .unwrap_or(if url.is_https() { 443 } else { 80 });
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(Duration::from_secs(1), connect).await {
        Ok(Ok(_)) => None,
        Ok(Err(error)) if error.kind() == io::ErrorKind::ConnectionRefused => {
            Some("connection refused".to_owned())
        }
        Ok(Err(error)) => Some(error.to_string()),
        Err(_) => Some("no connection within 1s".to_owned()),
    }
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
                "failed: #{} {} after {attempts} {} (last: {last})",
                failed.index + 1,
                failed.label,
                plural(u64::from(*attempts), "attempt", "attempts")
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
            "pending: #{} {label} ({attempts} {} so far)",
            index + 1,
            plural(u64::from(*attempts), "attempt", "attempts")
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

/// `one` when `count` is 1, else `many`.
fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// The observer of a `send` run: the attempt log and the progress on stderr.
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

/// Progress on stderr: one line per failed attempt, and a bar when stderr is a terminal and the
/// run lasts over a second; nothing with `--quiet`.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// Whether the bar may be shown (stderr is a terminal) and is not yet.
    waiting: bool,
    /// Whether the bar is shown; while it is not, the settled events are only counted.
    shown: bool,
    /// Events settled while the bar was not shown.
    settled: u64,
    /// Events settled so far, by how: delivered, failed, pending (the webhook paused).
    split: [u64; 3],
    /// Attempts an event gets at most.
    attempts: u32,
    /// The webhook's configuration, for the note on when it pauses.
    webhook: WebhookConfig,
    /// Whether the note on when the webhook pauses was printed (at the first failed attempt).
    noted: bool,
    quiet: bool,
}

impl Progress {
    fn new(total: u64, webhook: &WebhookConfig, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} events settled ({msg}), {elapsed}")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            waiting: !quiet && io::stderr().is_terminal(),
            shown: false,
            settled: 0,
            split: [0; 3],
            attempts: webhook.max_retries.saturating_add(1),
            webhook: webhook.clone(),
            noted: false,
            quiet,
        }
    }

    fn on_attempt(&mut self, record: &AttemptRecord) {
        let settled = match record.decision {
            Decision::Delivered => Some(0),
            Decision::GiveUp => Some(1),
            Decision::Pause => Some(2),
            Decision::Retry { .. } => None,
        };
        if let Some(how) = settled {
            self.split[how] += 1;
            if self.shown {
                self.bar.inc(1);
                self.bar.set_message(split(self.split));
            } else {
                self.settled += 1;
            }
        }
        if !self.quiet && !record.outcome.is_success() {
            let line = failed_attempt(record, self.attempts, self.webhook.pause_after);
            // When attempts start failing: when the webhook will pause, and how to make it sooner.
            let note = if self.noted {
                None
            } else {
                self.noted = true;
                pause_note(&self.webhook, record.consecutive_failures, record.attempt)
            };
            // Above the bar when it is shown.
            self.bar.suspend(|| {
                let mut stderr = io::stderr().lock();
                let _ = writeln!(stderr, "{line}");
                if let Some(note) = note {
                    let _ = writeln!(stderr, "{note}");
                }
            });
        }
        if self.waiting && self.started.elapsed() > Duration::from_secs(1) {
            self.waiting = false;
            self.shown = true;
            self.bar.set_position(self.settled);
            self.bar.set_message(split(self.split));
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

/// The bar's split of the settled events: `40 delivered, 5 failed`, and `, 3 pending` once the
/// webhook paused.
fn split([delivered, failed, pending]: [u64; 3]) -> String {
    let mut text = format!("{delivered} delivered, {failed} failed");
    if pending > 0 {
        text.push_str(&format!(", {pending} pending"));
    }
    text
}

/// `attempt 2 of 11 failed: #3 task_created 4f1e…: 503; 2 failed in a row, the 11th pauses the
/// webhook; next try in 20s`.
fn failed_attempt(record: &AttemptRecord, attempts: u32, pause_after: u32) -> String {
    let next = match record.decision {
        Decision::Retry { after } => format!("next try in {}", format_duration(after)),
        Decision::GiveUp => "no retries left: the event failed".to_owned(),
        Decision::Pause => "the event is pending".to_owned(),
        Decision::Delivered => "delivered".to_owned(),
    };
    format!(
        "attempt {} of {attempts} failed: #{} {}: {}; {}; {next}",
        record.attempt,
        record.event + 1,
        record.label,
        record.outcome,
        in_a_row(record.consecutive_failures, pause_after)
    )
}

/// `3 failed in a row, the 11th pauses the webhook`: the webhook's count of failed attempts in a
/// row, which runs across events, and where it pauses.
pub fn in_a_row(consecutive: u32, pause_after: u32) -> String {
    if consecutive > pause_after {
        format!("{consecutive} failed in a row, more than {pause_after}: the webhook is paused")
    } else {
        format!(
            "{consecutive} failed in a row, the {} pauses the webhook",
            crate::policy::ordinal(u64::from(pause_after) + 1)
        )
    }
}
