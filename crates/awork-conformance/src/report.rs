//! The result of a run: one [`CaseReport`] per case with every request it sent and what came back,
//! and the three ways to write it: text for people ([`Report::to_text`]), JSON for scripts
//! ([`Report::to_json`]) and JUnit XML for CI systems ([`Report::to_junit`]).
//!
//! A report never contains the auth header's value: requests name only which header they carried.

mod junit;
pub(crate) mod text;

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;

use crate::cases::{CaseId, Level};
use crate::causes::Cause;

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The receiver did what awork needs.
    Pass,
    /// A `must` case failed: the receiver is not safe to connect.
    Fail,
    /// A `should` case failed.
    Warn,
    /// The case did not run (not selected, or it needs an auth header and none was given).
    Skip,
}

impl Outcome {
    /// `pass`, `fail`, `warn` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skip => "skip",
        }
    }
}

/// What came back for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Answer {
    /// A response with a status.
    Status {
        /// The status code.
        status: u16,
        /// The `Location` header of a redirect, never followed.
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
        /// The first bytes of the response body, as text.
        body: String,
    },
    /// No response: a timeout, a refused or reset connection, a TLS error.
    Error {
        /// `timeout`, `connection_refused`, `connection_reset`, `tls` or `other`.
        error: &'static str,
        /// What happened, in words.
        message: String,
    },
}

impl Answer {
    /// The status, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Answer::Status { status, .. } => Some(*status),
            Answer::Error { .. } => None,
        }
    }

    /// Whether the timeout cut the request.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Answer::Error {
                error: "timeout",
                ..
            }
        )
    }

    /// Whether the answer's head came in time but its body never ended (a timeout too).
    pub fn is_unended_body(&self) -> bool {
        matches!(self, Answer::Error { error: "timeout", message }
            if message.strip_prefix("timeout: ")
                .is_some_and(|message| message.starts_with(awork_delivery::transport::UNENDED_BODY)))
    }

    /// Whether the answer is a redirect (3xx).
    pub fn is_redirect(&self) -> bool {
        self.status()
            .is_some_and(|status| (300..400).contains(&status))
    }
}

/// One request a case sent, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// The case that sent it.
    pub case: CaseId,
    /// The `eventType` of the body.
    pub event_type: String,
    /// What was special about it.
    pub note: String,
    /// Which auth header it carried (`configured`, `missing`, `wrong (...)`); never the value.
    pub auth: &'static str,
    /// The size of the body.
    pub bytes: usize,
    /// The answer the case needed: `2xx`, or `401 or 403`.
    pub expected: &'static str,
    /// What came back.
    pub answer: Answer,
    /// From sending the request to the response's head (or to the failure), in milliseconds.
    #[serde(rename = "latency_ms", serialize_with = "serialize_millis")]
    pub latency: Duration,
    /// Whether the answer met the expectation.
    pub ok: bool,
    /// The body sent, byte for byte (not in the JSON report: see [`Report::failed_requests`]).
    #[serde(skip)]
    pub body: Bytes,
}

fn serialize_millis<S: serde::Serializer>(
    latency: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    // Microsecond resolution: more digits would only be noise.
    let micros = latency.as_micros();
    serializer.serialize_f64(micros as f64 / 1000.0)
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseReport {
    /// The case.
    pub id: CaseId,
    /// Its level.
    pub level: Level,
    /// How it ended.
    pub outcome: Outcome,
    /// One sentence on what happened.
    pub detail: String,
    /// The requests it sent; for `responds-in-time` and `no-redirect`, the requests of other cases
    /// that broke the rule.
    pub requests: Vec<RequestRecord>,
    /// How long the case took to send and judge.
    #[serde(rename = "elapsed_ms", serialize_with = "serialize_millis")]
    pub elapsed: Duration,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The receiver's URL.
    pub url: String,
    /// Whether no `must` case failed.
    pub passed: bool,
    /// The root causes of the failures and warnings: failures that share a cause are one cause,
    /// with one diagnosis and one fix. Empty when nothing failed or warned.
    pub causes: Vec<Cause>,
    /// Every case, in the suite's order.
    pub cases: Vec<CaseReport>,
    /// How the run was configured, for the rerun command and the report's header.
    #[serde(skip)]
    pub settings: Settings,
    /// How long the run took.
    #[serde(skip)]
    pub elapsed: Duration,
}

/// The settings a run used, as far as a report shows them (never the auth header's value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The seed of the events.
    pub seed: u64,
    /// The answer timeout.
    pub timeout: Duration,
    /// The size of the burst.
    pub burst: usize,
    /// The name of the auth header, when one was configured.
    pub auth_header_name: Option<String>,
    /// Where the auth header came from, so that the rerun command gives it the same way.
    pub auth_source: AuthSource,
    /// Whether any certificate was accepted.
    pub insecure: bool,
    /// The family of event names the cases sent.
    pub naming: awork_models::Naming,
}

/// Where the auth header of a run came from: the rerun command gives it the same way, and never
/// its value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthSource {
    /// On the command line (`--auth-header 'Name: value'`), or in code: the rerun command shows
    /// `--auth-header 'name: <value>'`, the value left for the user to fill in.
    #[default]
    Argument,
    /// From the environment (`AWORK_SIM_AUTH_HEADER`): the rerun command, run in the same shell,
    /// finds it there, so it names no header.
    Environment,
    /// From the first line of this file: the rerun command names the file
    /// (`--auth-header-file PATH`).
    File(PathBuf),
}

impl Report {
    /// The cases with this outcome.
    pub fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &CaseReport> {
        self.cases
            .iter()
            .filter(move |case| case.outcome == outcome)
    }

    /// The cases that failed or warned, in the suite's order.
    pub fn troubled(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases
            .iter()
            .filter(|case| matches!(case.outcome, Outcome::Fail | Outcome::Warn))
    }

    /// Every request that did not get the answer its case needed, once each (the cases that judge
    /// every request list requests of other cases again; they are not repeated here), in the
    /// suite's order.
    pub fn failed_requests(&self) -> impl Iterator<Item = &RequestRecord> {
        self.cases
            .iter()
            .flat_map(|case| {
                case.requests
                    .iter()
                    .filter(move |request| request.case == case.id)
            })
            .filter(|request| !request.ok)
    }

    /// The report of one case.
    pub fn case(&self, id: CaseId) -> Option<&CaseReport> {
        self.cases.iter().find(|case| case.id == id)
    }

    /// The JSON report: `{"url", "passed", "causes": [{"summary", "cases", "fix"}], "cases": [{"id",
    /// "level", "outcome", "detail", "requests": [...]}]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serializes")
    }

    /// The command that runs only the cases that failed or warned, with the same events; `None`
    /// when none did. It gives the auth header as the run got it ([`AuthSource`]), never its
    /// value: a placeholder for a header given on the command line.
    pub fn rerun_command(&self) -> Option<String> {
        let failed: Vec<&CaseReport> = self.troubled().collect();
        if failed.is_empty() {
            return None;
        }
        let settings = &self.settings;
        let mut command = format!("awork-sim check --url {}", shell_quote(&self.url));
        if let Some(name) = &settings.auth_header_name {
            match &settings.auth_source {
                AuthSource::Argument => command.push_str(&format!(
                    " --auth-header {}",
                    shell_quote(&format!("{name}: <value>"))
                )),
                AuthSource::Environment => {}
                AuthSource::File(path) => command.push_str(&format!(
                    " --auth-header-file {}",
                    shell_quote(&path.to_string_lossy())
                )),
            }
        }
        if settings.timeout != crate::DEFAULT_TIMEOUT {
            command.push_str(&format!(
                " --timeout {}",
                awork_delivery::format_duration(settings.timeout)
            ));
        }
        if settings.burst != crate::DEFAULT_BURST {
            command.push_str(&format!(" --burst {}", settings.burst));
        }
        if settings.insecure {
            command.push_str(" --insecure");
        }
        if settings.naming != awork_models::Naming::Api {
            command.push_str(&format!(" --naming {}", crate::naming_arg(settings.naming)));
        }
        command.push_str(&format!(" --seed {}", settings.seed));
        for case in failed {
            command.push_str(&format!(" --only {}", case.id));
        }
        Some(command)
    }
}

/// `text` quoted for a POSIX shell when it needs it.
fn shell_quote(text: &str) -> String {
    let plain = text
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&byte));
    if plain && !text.is_empty() {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
