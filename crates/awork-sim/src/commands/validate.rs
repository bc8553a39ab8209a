//! `awork-sim validate [FILE…]`: reads events from files or stdin and reports every problem in them.
//!
//! All inputs are read and parsed before anything is checked, so an unreadable input or one that is
//! not JSON stops the run with nothing printed but the error. The checks themselves are
//! `awork_models`' (`validate_value`, `duplicate_keys`, `warnings`); this module reads, counts and
//! prints. A warning (an event name awork has never used) is printed but does not make an event
//! invalid.

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use awork_models::{Problem, Warning};
use serde_json::Value;

use super::Outcome;
use crate::input::{self, RawEvent, Source};
use crate::output;

/// Arguments of `awork-sim validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files of events: one JSON event, a JSON array of events, or NDJSON. `-` or none reads stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

impl Args {
    /// The configuration these arguments ask for.
    pub fn resolve(self) -> Config {
        let sources = if self.files.is_empty() {
            vec![Source::Stdin]
        } else {
            self.files.into_iter().map(Source::from_arg).collect()
        };
        Config { sources }
    }
}

/// What `validate` runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The inputs, in order.
    pub sources: Vec<Source>,
}

/// Reads every input, checks every event, prints each problem to `out` and a summary to stderr.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let inputs = config
        .sources
        .iter()
        .map(|source| Ok((source, input::read_raw_events(source, Report::check_one)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = Report::check(inputs);
    match report
        .findings
        .iter()
        .try_for_each(|finding| writeln!(out, "{finding}"))
        .and_then(|()| out.flush())
    {
        // A reader that went away (`| head`) saw findings; the exit status still says there were.
        Err(error) if !output::is_closed(&error) => return Err(error.into()),
        Ok(()) | Err(_) => {}
    }
    let _ = writeln!(io::stderr(), "{}", report.summary());
    Ok(if report.invalid == 0 {
        Outcome::Success
    } else {
        Outcome::Failures
    })
}

/// What checking the events found.
#[derive(Debug)]
struct Report<'a> {
    /// How many events were checked.
    events: usize,
    /// How many of them have problems.
    invalid: usize,
    /// How many warnings were found.
    warnings: usize,
    /// Every problem and warning, in input order.
    findings: Vec<Finding<'a>>,
}

/// What checking one event found.
#[derive(Debug)]
struct Checked {
    line: usize,
    event_type: String,
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
}

/// One problem or warning of one event, printed `FILE:LINE: EVENT_TYPE: PROBLEM` or
/// `FILE:LINE: EVENT_TYPE: warning: WARNING`.
#[derive(Debug)]
struct Finding<'a> {
    source: &'a Source,
    line: usize,
    event_type: String,
    issue: Issue,
}

/// What a finding is about.
#[derive(Debug)]
enum Issue {
    /// The event is invalid.
    Problem(Problem),
    /// The event is valid but unusual.
    Warning(Warning),
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: ", self.source, self.line, self.event_type)?;
        match &self.issue {
            Issue::Problem(problem) => write!(f, "{problem}"),
            Issue::Warning(warning) => write!(f, "warning: {warning}"),
        }
    }
}

impl<'a> Report<'a> {
    /// Checks one event: its text for repeated keys, its JSON for every problem and warning.
    fn check_one(event: RawEvent<'_>) -> Checked {
        let event_type = event_type_of(&event.value);
        let warnings = awork_models::warnings(&event.value);
        let mut problems = awork_models::duplicate_keys(event.raw);
        if let Err(found) = awork_models::validate_value(event.value) {
            problems.extend(found);
        }
        Checked {
            line: event.line,
            event_type,
            problems,
            warnings,
        }
    }

    /// Gathers the checked events of every input.
    fn check(inputs: Vec<(&'a Source, Vec<Checked>)>) -> Report<'a> {
        let mut report = Report {
            events: 0,
            invalid: 0,
            warnings: 0,
            findings: Vec::new(),
        };
        for (source, events) in inputs {
            for checked in events {
                report.events += 1;
                if !checked.problems.is_empty() {
                    report.invalid += 1;
                }
                report.warnings += checked.warnings.len();
                let issues = (checked.problems.into_iter().map(Issue::Problem))
                    .chain(checked.warnings.into_iter().map(Issue::Warning));
                report.findings.extend(issues.map(|issue| Finding {
                    source,
                    line: checked.line,
                    event_type: checked.event_type.clone(),
                    issue,
                }));
            }
        }
        report
    }

    /// `3 events, 1 invalid`, and `, 2 warnings` when there are any.
    fn summary(&self) -> String {
        let plural = |count: usize| if count == 1 { "" } else { "s" };
        let mut summary = format!(
            "{} event{}, {} invalid",
            self.events,
            plural(self.events),
            self.invalid
        );
        if self.warnings > 0 {
            summary.push_str(&format!(
                ", {} warning{}",
                self.warnings,
                plural(self.warnings)
            ));
        }
        summary
    }
}

/// The event's `eventType` as it arrived, or `?` when it has none.
fn event_type_of(value: &Value) -> String {
    value
        .get("eventType")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_name_the_source_line_and_event_type() {
        let source = Source::File("events.ndjson".into());
        let texts = [r#"{"eventType": "project_added"}"#, "42"];
        let events = texts
            .iter()
            .enumerate()
            .map(|(index, raw)| {
                Report::check_one(RawEvent {
                    line: index + 1,
                    value: serde_json::from_str(raw).unwrap(),
                    raw,
                })
            })
            .collect();
        let report = Report::check(vec![(&source, events)]);
        assert_eq!((report.events, report.invalid), (2, 2));
        let findings: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
        assert_eq!(
            findings[..4],
            [
                "events.ndjson:1: project_added: timestamp: missing",
                "events.ndjson:1: project_added: entityId: missing",
                "events.ndjson:1: project_added: entityType: missing",
                "events.ndjson:1: project_added: entity: missing",
            ]
        );
        assert_eq!(findings.len(), 5, "{findings:?}");
        assert!(
            findings[4].starts_with("events.ndjson:2: ?: "),
            "{findings:?}"
        );
        assert_eq!(report.summary(), "2 events, 2 invalid");
    }

    #[test]
    fn dash_and_no_files_read_stdin() {
        assert_eq!(Args { files: vec![] }.resolve().sources, [Source::Stdin]);
        assert_eq!(
            Args {
                files: vec!["-".into(), "a.json".into()]
            }
            .resolve()
            .sources,
            [Source::Stdin, Source::File("a.json".into())]
        );
    }
}
