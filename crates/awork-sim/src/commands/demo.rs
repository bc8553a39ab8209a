//! `awork-sim demo`: awork's delivery semantics in one process, with nothing else to start. A
//! receiver on a free 127.0.0.1 port misbehaves on a script, the sender delivers a short generated
//! story with a fast retry schedule, and the transcript shows what the receiver saw and what the
//! sender decided: retries, a delivery, the count of failures in a row climbing until the webhook
//! pauses with events kept as pending, the webhook enabled again, and the pending events delivered.
//!
//! One delivery is in flight at a time, so the same seed prints the same transcript (ports aside)
//! on every run. The story is coherent as told: the agency's team is in the workspace before it
//! starts, and every other entity an event is about was added by an earlier event of the demo
//! (events about entities the demo never announced are left out). This module prints; the engine
//! (`awork_delivery`) decides.

use std::collections::{HashMap, HashSet};
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
use crate::policy::{about, pause_note};

/// The first event the broken receiver fails (from 1); the ones before it go through.
const BROKEN_FROM: u64 = 6;

/// The demo's pause threshold: awork's, the 11th failed attempt in a row pauses the webhook.
const PAUSE_AFTER: u32 = 10;

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
    /// The webhook's configuration, for the count of failures in a row and the note on the pause.
    webhook: WebhookConfig,
    /// Whether the note on when the webhook pauses was printed (at the first failed attempt).
    noted: bool,
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
            Decision::Pause => "the event is kept as pending".to_owned(),
        };
        // The webhook's count of failed attempts in a row: it runs across events, and a delivery
        // resets it.
        let count = if record.outcome.is_success() {
            String::new()
        } else {
            format!(
                " ({})",
                in_a_row(record.consecutive_failures, self.webhook.pause_after)
            )
        };
        self.line(&format!(
            "  sender:   #{} {} attempt {}: {}{count} -> {decision}",
            record.event + 1,
            record.label,
            record.attempt,
            record.outcome
        ));
        if !self.noted && !record.outcome.is_success() {
            self.noted = true;
            if let Some(note) =
                pause_note(&self.webhook, record.consecutive_failures, record.attempt)
            {
                self.line(&format!("  {note}"));
            }
        }
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
    let generator = Generator::new(generator);
    let team = generator.initial_user_ids().len();
    let events: Vec<Event> = announced_only(generator)
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

    let schedule: RetrySchedule = "100ms".parse()?;
    // One delivery at a time: the transcript is the same on every run. More retries than the pause
    // threshold, so the event whose failure pauses the webhook is kept, and delivered on resume.
    let webhook_config = WebhookConfig::new(&receiver.url())?
        .with_retry_schedule(schedule)
        .with_pause_after(PAUSE_AFTER)
        .with_max_retries(PAUSE_AFTER + 2)
        .with_timeout(Duration::from_secs(5))
        .with_concurrency(1);
    let mut webhook = Webhook::new(webhook_config).context("cannot set up the HTTP client")?;

    writeln!(
        out,
        "awork-sim demo: {} events of a generated story to a receiver at {}",
        events.len(),
        receiver.url()
    )?;
    writeln!(
        out,
        "the agency's team ({team} people) is in the workspace already; every other entity is \
         added by an event before an event is about it"
    )?;
    writeln!(
        out,
        "the receiver fails event #1 twice, and from event #{BROKEN_FROM} on it is broken (503)"
    )?;
    writeln!(
        out,
        "semantics: {}, one delivery at a time",
        awork_delivery::Semantics::of(webhook.config())
    )?;
    writeln!(
        out,
        "the webhook counts failed attempts in a row across events, and a delivery resets the \
         count; {} retries, more than awork's 10, keep the event that pauses the webhook pending \
         instead of failed",
        PAUSE_AFTER + 2
    )?;
    let default = WebhookConfig::new(&receiver.url())?;
    if let (Some(slow), Some(fast)) = (
        default.time_to_pause(1, 1),
        default
            .clone()
            .with_retry_schedule(RetrySchedule::local())
            .time_to_pause(1, 1),
    ) {
        writeln!(
            out,
            "(with send's default schedule, {}, a receiver that is down pauses the webhook about \
             {} after the first failure; `send --retry-schedule local` makes it about {})",
            default.retry_schedule,
            about(slow),
            about(fast)
        )?;
    }
    writeln!(out)?;
    out.flush()?;

    let mut narrator = Narrator {
        out,
        receiver_lines,
        webhook: webhook.config().clone(),
        noted: false,
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
            "the webhook paused at the {} failed attempt in a row; awork keeps the {} undelivered \
             events as pending",
            crate::policy::ordinal(u64::from(webhook.config().pause_after) + 1),
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
        webhook: webhook.config().clone(),
        // Said once, in the first run.
        noted: true,
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

/// The story's events that are about entities the demo announced: an `…_added` event announces
/// its entity (its type and id), and any other event is kept only when its entity was announced
/// before. The team that
/// was in the workspace before the story (the actors, assignees and members) is announced by the
/// demo's header, so events about those users themselves (`user_deleted` of a colleague the demo
/// never introduced) are left out.
fn announced_only(generator: Generator) -> impl Iterator<Item = awork_models::Envelope> {
    let mut announced = HashSet::new();
    generator.filter(move |event| {
        // By entity type and id: a project member's `entityId` may be its user's.
        let entity = (event.entity_type.clone(), event.entity_id.clone());
        if event.event_type.as_str().ends_with("_added") {
            announced.insert(entity);
            true
        } else {
            announced.contains(&entity)
        }
    })
}

fn write_phase(out: &mut dyn Write, name: &str, run: &RunReport) -> std::io::Result<()> {
    writeln!(out, "{name}: {}", summary(run))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_about_an_entity_added_before() {
        for seed in 1..=20 {
            let generator = Generator::new(GeneratorConfig {
                seed,
                naming: Naming::Api,
                ..GeneratorConfig::default()
            });
            let mut added = HashSet::new();
            for event in announced_only(generator).take(100) {
                let name = event.event_type.as_str();
                let entity = (event.entity_type.clone(), event.entity_id.clone());
                if name.ends_with("_added") {
                    added.insert(entity);
                } else {
                    assert!(
                        added.contains(&entity),
                        "seed {seed}: {name} of {} never added",
                        event.entity_id
                    );
                }
            }
        }
    }
}
