//! The delivery policy's options, shared by `send` and `serve`: `--timeout`, `--max-retries`,
//! `--retry-schedule` and `--pause-after`, declared once so that both commands take them alike and
//! refuse the same bad values (a zero timeout, a schedule that does not parse).

use std::time::Duration;

use anyhow::{Context, bail};
use awork_delivery::{RetrySchedule, parse_duration};
use awork_workspace::Policy;

/// The options of awork's delivery semantics; each unset one keeps awork-sim's default.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// How long an attempt may take, its whole answer included, before it fails (`30s`, `250ms`,
    /// `2m`). Default 30s.
    #[arg(long, value_name = "D")]
    timeout: Option<String>,
    /// Retries per event after its first attempt. Default 10.
    #[arg(long, value_name = "N")]
    max_retries: Option<u32>,
    /// Waits between attempts, in order; the last one repeats (`10ms`, `1m,5m,30m`). Default:
    /// exponential from 10s, doubling, up to 10m.
    #[arg(long, value_name = "D[,D…]")]
    retry_schedule: Option<String>,
    /// Pause the webhook when its consecutive failed attempts go above this. Default 10.
    #[arg(long, value_name = "N")]
    pause_after: Option<u32>,
}

impl PolicyArgs {
    /// The policy the options give, every value checked.
    pub fn resolve(&self) -> anyhow::Result<Policy> {
        let mut policy = Policy::default();
        if let Some(text) = &self.timeout {
            policy.timeout = positive_timeout(text)?;
        }
        if let Some(retries) = self.max_retries {
            policy.max_retries = retries;
        }
        if let Some(text) = &self.retry_schedule {
            policy.retry_schedule = text.parse::<RetrySchedule>().context("--retry-schedule")?;
        }
        if let Some(pause_after) = self.pause_after {
            policy.pause_after = pause_after;
        }
        Ok(policy)
    }
}

/// `--timeout`'s value, which must be more than zero.
pub fn positive_timeout(text: &str) -> anyhow::Result<Duration> {
    let timeout = parse_duration(text).context("--timeout")?;
    if timeout.is_zero() {
        bail!("--timeout: {text} would fail every attempt before its answer; give more than 0s");
    }
    Ok(timeout)
}
