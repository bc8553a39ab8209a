//! `awork-sim demo`: awork's delivery semantics in one process, with nothing else to start. A
//! receiver on a free 127.0.0.1 port misbehaves on a script, the sender delivers a short generated
//! story with a fast retry schedule, and the transcript shows what the receiver saw and what the
//! sender decided: retries, a delivery, the webhook pausing with events kept as pending, the webhook
//! enabled again, and the pending events delivered.
//!
//! The script keys on the events themselves rather than on request order, so the story is the same
//! whichever of the two events in flight reaches the receiver first. This module prints; the engine
//! (`awork_delivery`) decides.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use awork_delivery::receiver::{Behaviour, ReceivedRequest, Receiver, Reply};
use awork_delivery::{
    AttemptRecord, Decision, Event, Observer, RetrySchedule, RunReport, Webhook, WebhookConfig,
    WebhookState, format_duration,
};
use awork_generate::{Generator, GeneratorConfig};
use awork_models::Naming;
use bytes::Bytes;
use tokio::sync::mpsc;

use super::Outcome;
use super::send::{in_a_row, summary};

/// The first event the broken receiver fails (from 1); the ones before it go through.
const BROKEN_FROM: u64 = 6;

/// Arguments of `awork-sim demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seed of the story.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// How many events the story has (7 to 100).
    #[arg(long, value_name = "N", default_value_t = 12,
          value_parser = clap::value_parser!(u64).range(BROKEN_FROM + 1..=100))]
    count: u64,
}

impl Args {
    /// The configuration these arguments ask for.
    pub fn resolve(self) -> Config {
        Config {
            seed: self.seed,
            count: self.count,
        }
    }
}

/// What `demo` runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The seed of the story.
    pub seed: u64,
    /// How many events.
    pub count: u64,
}

/// How the demo's receiver answers an event's attempts.
struct Script {
    /// Which event (from 1) each body is, and its label.
    events: HashMap<Bytes, (u64, String)>,
    /// Attempts seen per event.
    attempts: Mutex<HashMap<u64, u32>>,
    /// Whether the receiver has been fixed (after the pause).
    fixed: AtomicBool,
}

impl Script {
    /// Event 1 fails its first two attempts; from event [`BROKEN_FROM`] on, everything fails with
    /// 503 until the receiver is fixed; everything else gets 200.
    fn answer(&self, request: &ReceivedRequest) -> (String, u16) {
        let Some((number, label)) = self.events.get(&request.body) else {
            return ("an unknown body".to_owned(), 400);
        };
        let attempt = {
            let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
            let attempt = attempts.entry(*number).or_insert(0);
            *attempt += 1;
            *attempt
        };
        let status = if *number == 1 && attempt <= 2 {
            500
        } else if *number >= BROKEN_FROM && !self.fixed.load(Ordering::SeqCst) {
            503
        } else {
            200
        };
        (format!("#{number} {label} (attempt {attempt})"), status)
    }
}

/// Prints the receiver's lines, then the sender's decision, for every attempt.
struct Narrator<'a> {
    out: &'a mut dyn Write,
    receiver_lines: mpsc::UnboundedReceiver<String>,
    /// The webhook's pause threshold, for the count of failures in a row.
    pause_after: u32,
    error: Option<std::io::Error>,
}

impl Narrator<'_> {
    fn drain(&mut self) {
        while let Ok(line) = self.receiver_lines.try_recv() {
            self.line(&line);
        }
    }

    fn line(&mut self, line: &str) {
        if self.error.is_none() {
            if let Err(error) = writeln!(self.out, "{line}").and_then(|()| self.out.flush()) {
                self.error = Some(error);
            }
        }
    }

    fn check(&mut self) -> std::io::Result<()> {
        self.error.take().map_or(Ok(()), Err)
    }
}

impl Observer for Narrator<'_> {
    fn on_attempt(&mut self, record: &AttemptRecord) {
        self.drain();
        let decision = match record.decision {
            Decision::Delivered => "delivered".to_owned(),
            Decision::Retry { after } => format!("retry in {}", format_duration(after)),
            Decision::GiveUp => "give up: the event failed".to_owned(),
            Decision::Pause => "the webhook is paused: the event is kept as pending".to_owned(),
        };
        // The webhook's count of failed attempts in a row: it runs across events, and a delivery
        // resets it.
        let count = if record.outcome.is_success() {
            String::new()
        } else {
            format!(
                " ({})",
                in_a_row(record.consecutive_failures, self.pause_after)
            )
        };
        self.line(&format!(
            "  sender:   #{} {} attempt {}: {}{count} -> {decision}",
            record.event + 1,
            record.label,
            record.attempt,
            record.outcome
        ));
    }
}

/// Runs the story and prints its transcript.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(story(config, out))
}

async fn story(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let generator = GeneratorConfig {
        seed: config.seed,
        // The names awork's webhooks carry (`ENTITIES.md` §3.1), as in `generate` and `send`.
        naming: Naming::Api,
        ..GeneratorConfig::default()
    };
    let count = usize::try_from(config.count).unwrap_or(usize::MAX);
    let events: Vec<Event> = Generator::new(generator)
        .take(count)
        .map(|event| {
            let body = serde_json::to_vec(&event).unwrap_or_default();
            // The event type alone: entity ids would drown the story.
            Event::new(event.event_type.as_str(), body)
        })
        .collect();
    let script = Arc::new(Script {
        events: events
            .iter()
            .zip(1..)
            .map(|(event, number)| (event.body.clone(), (number, event.label.clone())))
            .collect(),
        attempts: Mutex::new(HashMap::new()),
        fixed: AtomicBool::new(false),
    });

    let (sender, receiver_lines) = mpsc::unbounded_channel();
    let hook = {
        let script = Arc::clone(&script);
        // The demo's script answers per event, so it replaces the behaviour's reply.
        move |request: &ReceivedRequest, _: Reply| {
            let (what, status) = script.answer(request);
            let _ = sender.send(format!("receiver: {what} -> answers {status}"));
            Reply::Status(status)
        }
    };
    let receiver = Receiver::builder(Behaviour::status(200))
        .hook(hook)
        .record(false)
        .bind("127.0.0.1:0".parse()?)
        .await
        .context("cannot start the demo receiver")?;

    let schedule: RetrySchedule = "200ms".parse()?;
    let webhook_config = WebhookConfig::new(&receiver.url())?
        .with_retry_schedule(schedule)
        .with_pause_after(10)
        .with_timeout(Duration::from_secs(5))
        .with_concurrency(2);
    let mut webhook = Webhook::new(webhook_config).context("cannot set up the HTTP client")?;

    writeln!(
        out,
        "awork-sim demo: {} events of a generated story to a receiver at {}",
        events.len(),
        receiver.url()
    )?;
    writeln!(
        out,
        "the receiver fails event #1 twice, and from event #{BROKEN_FROM} on it is broken (503)"
    )?;
    writeln!(
        out,
        "semantics: {}, 2 deliveries in flight",
        awork_delivery::Semantics::of(webhook.config())
    )?;
    writeln!(out)?;
    out.flush()?;

    let mut narrator = Narrator {
        out,
        receiver_lines,
        pause_after: webhook.config().pause_after,
        error: None,
    };
    let first = webhook.deliver(events, &mut narrator).await;
    narrator.drain();
    narrator.check()?;
    let out = narrator.out;
    writeln!(out)?;
    write_phase(out, "first run", &first)?;
    let paused = first.report.webhook == WebhookState::Paused;
    if paused {
        writeln!(
            out,
            "the webhook was paused after more than {} consecutive failed attempts; awork keeps \
             the {} undelivered events as pending",
            webhook.config().pause_after,
            first.report.pending
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "the receiver is fixed; enabling the webhook again, as a user does in awork's integration \
         settings, resumes the pending events"
    )?;
    writeln!(out)?;
    out.flush()?;
    script.fixed.store(true, Ordering::SeqCst);
    webhook.enable();

    let mut narrator = Narrator {
        out,
        receiver_lines: narrator.receiver_lines,
        pause_after: webhook.config().pause_after,
        error: None,
    };
    let second = webhook.resume(&mut narrator).await;
    narrator.drain();
    narrator.check()?;
    let out = narrator.out;
    writeln!(out)?;
    write_phase(out, "after resuming", &second)?;

    let delivered = first.report.delivered + second.report.delivered;
    let attempts = first.report.attempts + second.report.attempts;
    writeln!(
        out,
        "in total: delivered {delivered}/{}, attempts {attempts}, webhook {}",
        config.count,
        match webhook.state() {
            WebhookState::Active => "active",
            WebhookState::Paused => "paused",
        }
    )?;
    receiver.shutdown().await;
    let as_designed = paused
        && first.report.failed == 0
        && second.report.failed == 0
        && second.report.pending == 0
        && delivered == config.count;
    Ok(if as_designed {
        Outcome::Success
    } else {
        writeln!(out, "the demo did not go as designed")?;
        Outcome::Failures
    })
}

fn write_phase(out: &mut dyn Write, name: &str, run: &RunReport) -> std::io::Result<()> {
    writeln!(out, "{name}: {}", summary(run))
}
