//! `awork-sim validate [FILE…]`: reads events from files or stdin and reports every problem in them.
//!
//! All inputs are read and parsed before anything is checked, so an unreadable input or one that is
//! not JSON stops the run with nothing printed but the error. The checks themselves are
//! `awork_models::validate_value`'s; this module reads, counts and prints.

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use awork_models::Problem;
use serde_json::Value;

use super::Outcome;
use crate::input::{self, Event, Source};
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
        .map(|source| Ok((source, input::read_events(source)?)))
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
    /// Every problem, in input order.
    findings: Vec<Finding<'a>>,
}

/// One problem of one event, printed `FILE:LINE: EVENT_TYPE: PROBLEM`.
#[derive(Debug)]
struct Finding<'a> {
    source: &'a Source,
    line: usize,
    event_type: String,
    problem: Problem,
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.source, self.line, self.event_type, self.problem
        )
    }
}

impl<'a> Report<'a> {
    /// Checks the events of every input.
    fn check(inputs: Vec<(&'a Source, Vec<Event>)>) -> Report<'a> {
        let mut report = Report {
            events: 0,
            invalid: 0,
            findings: Vec::new(),
        };
        for (source, events) in inputs {
            for Event { line, value } in events {
                report.events += 1;
                let event_type = event_type_of(&value);
                if let Err(problems) = awork_models::validate_value(value) {
                    report.invalid += 1;
                    report
                        .findings
                        .extend(problems.into_iter().map(|problem| Finding {
                            source,
                            line,
                            event_type: event_type.clone(),
                            problem,
                        }));
                }
            }
        }
        report
    }

    /// `3 events, 1 invalid`.
    fn summary(&self) -> String {
        let plural = if self.events == 1 { "" } else { "s" };
        format!("{} event{plural}, {} invalid", self.events, self.invalid)
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
    use serde_json::json;

    use super::*;

    #[test]
    fn findings_name_the_source_line_and_event_type() {
        let source = Source::File("events.ndjson".into());
        let events = vec![
            Event {
                line: 1,
                value: json!({"eventType": "project_added"}),
            },
            Event {
                line: 2,
                value: json!(42),
            },
        ];
        let report = Report::check(vec![(&source, events)]);
        assert_eq!((report.events, report.invalid), (2, 2));
        assert_eq!(
            report.findings[0].to_string(),
            "events.ndjson:1: project_added: timestamp: missing"
        );
        assert!(
            report.findings[1]
                .to_string()
                .starts_with("events.ndjson:2: ?: "),
            "{}",
            report.findings[1]
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
