//! The text report, for people: one line per case, then for every failure and warning what was
//! sent, what came back, what it would cost in production and how to fix it, and at the end the
//! command that reruns only those cases.

use std::fmt::Write;
use std::time::Duration;

use super::{Answer, CaseReport, Outcome, Report, RequestRecord};

/// How many failed requests of one case the text shows; the JSON report has them all.
const REQUESTS_SHOWN: usize = 5;
/// How many characters of a response body the text shows.
const BODY_SHOWN: usize = 160;

impl Report {
    /// The text report.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let settings = &self.settings;
        let _ = writeln!(out, "awork-sim check {}", self.url);
        let mut facts = vec![
            format!("seed {}", settings.seed),
            format!(
                "timeout {}",
                awork_delivery::format_duration(settings.timeout)
            ),
            format!("burst {}", settings.burst),
        ];
        match &settings.auth_header_name {
            Some(name) => facts.push(format!("auth header {name}")),
            None => facts.push("no auth header".to_owned()),
        }
        let _ = writeln!(out, "  {}", facts.join(" · "));
        let _ = writeln!(
            out,
            "  event names: {} ({}){}\n",
            crate::naming_arg(settings.naming),
            crate::probes::family(settings.naming),
            if settings.naming == awork_models::Naming::Api {
                ", as awork's webhooks carry them; the other spellings only in accepts-other-spellings"
            } else {
                ", as --naming asked; awork's webhooks carry the API's names (the default)"
            }
        );
        // The root causes of the failures lead; a warning is no cause of failure, and is told once,
        // on its case's line, with its explanation below.
        let failed = |id: &crate::cases::CaseId| {
            self.cases
                .iter()
                .any(|case| case.id == *id && case.outcome == Outcome::Fail)
        };
        let causes: Vec<_> = self
            .causes
            .iter()
            .filter(|cause| cause.cases.iter().any(failed))
            .collect();
        let warned = self.with_outcome(Outcome::Warn).count();
        if !causes.is_empty() {
            let plural = if causes.len() == 1 { "" } else { "s" };
            let _ = writeln!(out, "{} cause{plural} of failure found:", causes.len());
            for (number, cause) in causes.iter().enumerate() {
                let ids: Vec<&str> = cause.cases.iter().map(|case| case.id()).collect();
                let _ = writeln!(out, "{}. {}", number + 1, cause.summary);
                let _ = writeln!(out, "   explains: {}", ids.join(", "));
                let _ = writeln!(out, "   fix: {}", cause.fix);
            }
            let _ = writeln!(out);
        } else if self.passed && warned > 0 {
            let plural = if warned == 1 { "" } else { "s" };
            let _ = writeln!(
                out,
                "passed, with {warned} warning{plural}: `should` cases, which do not fail the run\n"
            );
        }

        let width = self
            .cases
            .iter()
            .map(|case| case.id.id().len())
            .max()
            .unwrap_or(0);
        for case in &self.cases {
            let label = label(case.outcome);
            let _ = writeln!(out, "{label}  {:width$}  {}", case.id.id(), case.detail);
        }
        for case in self.troubled() {
            write_trouble(&mut out, case);
        }

        let count = |outcome| self.with_outcome(outcome).count();
        let verdict = if self.passed { "PASSED" } else { "FAILED" };
        let _ = writeln!(
            out,
            "\n{verdict}: {} failed, {} warned, {} passed, {} skipped, in {}",
            count(Outcome::Fail),
            count(Outcome::Warn),
            count(Outcome::Pass),
            count(Outcome::Skip),
            seconds(self.elapsed)
        );
        if let Some(command) = self.rerun_command() {
            let _ = writeln!(
                out,
                "Rerun only these cases with the same events:\n  {command}"
            );
        }
        out
    }
}

/// How the text writes an outcome: a failure in capitals, so it stands out in a column.
fn label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "warn",
        Outcome::Skip => "skip",
    }
}

/// What went wrong in a failed or warned case: its requests, the cost and the fix.
pub(super) fn write_trouble(out: &mut String, case: &CaseReport) {
    // The case's own line above says what happened; this says why it matters.
    let label = label(case.outcome);
    let _ = writeln!(out, "\n{label} {} ({})", case.id, case.level.as_str());
    let _ = writeln!(
        out,
        "  sends {}; passes when {}",
        case.id.sends(),
        case.id.passes_when()
    );
    let failed: Vec<&RequestRecord> = case.requests.iter().filter(|request| !request.ok).collect();
    for request in failed.iter().take(REQUESTS_SHOWN) {
        write_request(out, case, request);
    }
    if failed.len() > REQUESTS_SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more like these (`--format json` lists them all)",
            failed.len() - REQUESTS_SHOWN
        );
    }
    let _ = writeln!(out, "  in production: {}", case.id.cost());
    let _ = writeln!(out, "  fix: {}", case.id.advice());
}

fn write_request(out: &mut String, case: &CaseReport, request: &RequestRecord) {
    // The cases that judge every request name the case each request came from.
    let from = if request.case != case.id {
        format!(" [{}]", request.case)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  - sent {} ({}, {}, auth header {}){from}",
        request.event_type,
        request.note,
        size(request.bytes),
        request.auth
    );
    let got = match &request.answer {
        Answer::Status {
            status,
            location,
            body,
        } => {
            let mut got = format!("{status}");
            if let Some(reason) = http::StatusCode::from_u16(*status)
                .ok()
                .and_then(|code| code.canonical_reason())
            {
                got.push(' ');
                got.push_str(reason);
            }
            if let Some(location) = location {
                got.push_str(&format!(" to {location}"));
            }
            got.push_str(&format!(" after {}", millis(request.latency)));
            if !body.is_empty() {
                got.push_str(&format!(": {}", excerpt(body)));
            }
            got
        }
        Answer::Error { message, .. } if request.answer.is_unended_body() => {
            let message = message.trim_start_matches("timeout: ");
            format!(
                "no whole answer within {}: {message}",
                millis(request.latency)
            )
        }
        Answer::Error { error, message } if *error == "timeout" => {
            format!("no answer within {} ({message})", millis(request.latency))
        }
        Answer::Error { message, .. } => {
            format!("{message} after {}", millis(request.latency))
        }
    };
    let _ = writeln!(out, "    expected {}, got {got}", request.expected);
}

/// The first characters of a body on one line, with control characters escaped.
fn excerpt(body: &str) -> String {
    let mut shown = on_one_line(body.chars().take(BODY_SHOWN));
    if body.chars().count() > BODY_SHOWN {
        shown.push('…');
    }
    shown
}

/// `characters` as they may be printed on one line: control characters (line breaks, tabs, …)
/// escaped (`\n`), everything else, quotes and backslashes included, as it is, so that a
/// receiver's `KeyError: 'taskId'` reads as it was sent.
pub(crate) fn on_one_line(characters: impl Iterator<Item = char>) -> String {
    let mut shown = String::new();
    for character in characters {
        if character.is_control() {
            shown.extend(character.escape_default());
        } else {
            shown.push(character);
        }
    }
    shown
}

fn size(bytes: usize) -> String {
    if bytes >= 10 * 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// A latency as reports write it: `0.4 ms`, `250 ms`.
pub(crate) fn millis(duration: Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    if millis < 10.0 {
        format!("{millis:.1} ms")
    } else {
        format!("{millis:.0} ms")
    }
}
