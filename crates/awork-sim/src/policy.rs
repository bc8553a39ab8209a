//! The delivery policy's options, shared by `send` and `serve`: `--timeout`, `--max-retries`,
//! `--retry-schedule` and `--pause-after`, declared once so that both commands take them alike and
//! refuse the same bad values (a zero timeout, a schedule that does not parse); and what `send`
//! and `demo` say about the policy while attempts fail: when the webhook will pause, and how to
//! make that sooner ([`pause_note`]).

use std::time::Duration;

use anyhow::{Context, bail};
use awork_delivery::{RetrySchedule, WebhookConfig, parse_duration};
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
    /// exponential from 10s, doubling, up to 10m: with nothing answering, the webhook pauses about
    /// 51m after the first failure. `local` (500ms,1s,2s) is the preset for a receiver on your
    /// machine: it pauses within about 18s.
    #[arg(long, value_name = "D[,D…]|local")]
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

/// What to say when attempts start failing: when the webhook will pause if they go on failing,
/// with the policy in force, and (when that is more than a minute away) how `--retry-schedule
/// local` shortens it. `consecutive` and `attempt` are those of the attempt that just failed.
pub fn pause_note(config: &WebhookConfig, consecutive: u32, attempt: u32) -> Option<String> {
    let left = config.time_to_pause(consecutive, attempt)?;
    let nth = ordinal(u64::from(config.pause_after) + 1);
    let mut note = format!(
        "note: if attempts go on failing, the {nth} failure in a row pauses the webhook, {} \
         (retry schedule {})",
        if left.is_zero() {
            "with no wait between".to_owned()
        } else {
            format!("in about {}", about(left))
        },
        config.retry_schedule
    );
    let local = config.clone().with_retry_schedule(RetrySchedule::local());
    if left > Duration::from_secs(60) && config.retry_schedule != RetrySchedule::local() {
        if let Some(sooner) = local.time_to_pause(1, 1) {
            note.push_str(&format!(
                "; for local work, --retry-schedule local ({}) pauses it within about {}",
                RetrySchedule::local(),
                about(sooner)
            ));
        }
    }
    Some(note)
}

/// `1st`, `2nd`, `3rd`, `11th`.
pub fn ordinal(number: u64) -> String {
    let suffix = match (number % 10, number % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{number}{suffix}")
}

/// A duration rounded for people: `18s`, `50m`, `2h 5m`.
pub fn about(duration: Duration) -> String {
    let seconds = duration.as_secs_f64().ceil() as u64;
    if seconds < 120 {
        format!("{seconds}s")
    } else if seconds < 3600 {
        format!("{}m", (seconds + 30) / 60)
    } else {
        let minutes = (seconds + 30) / 60;
        format!("{}h {}m", minutes / 60, minutes % 60)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_note_says_when_and_how_to_make_it_sooner() {
        let config = WebhookConfig::new("http://localhost/").unwrap();
        let note = pause_note(&config, 1, 1).unwrap();
        assert!(
            note.contains("the 11th failure in a row pauses the webhook, in about 51m"),
            "{note}"
        );
        assert!(
            note.contains("--retry-schedule local (500ms,1s,2s) pauses it within about 18s"),
            "{note}"
        );
        let local = config.with_retry_schedule(RetrySchedule::local());
        let note = pause_note(&local, 1, 1).unwrap();
        assert!(
            note.contains("in about 18s (retry schedule 500ms,1s,2s)"),
            "{note}"
        );
        assert!(!note.contains("for local work"), "{note}");
    }

    #[test]
    fn ordinals_and_rounded_durations() {
        let ordinals: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal).into();
        assert_eq!(
            ordinals,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
        assert_eq!(about(Duration::from_millis(17_500)), "18s");
        assert_eq!(about(Duration::from_secs(3030)), "51m");
        assert_eq!(about(Duration::from_secs(3 * 3600 + 60)), "3h 1m");
    }
}
