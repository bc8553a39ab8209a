//! `awork-sim validate [FILE|DIR…]`: reads events from files, folders of event files, or stdin, and
//! reports every problem in them; an input that holds no event is a problem too.
//!
//! Every input is opened before anything is checked, so a missing file stops the run with nothing
//! printed but the error. Each is then read as a stream, one event at a time, and each problem is
//! printed as it is found; a part that is not JSON (a torn line of a capture) is a problem of its
//! line, and the checking goes on with the next line (or, in a single value or an array, which
//! cannot be read past it, the next input). The checks themselves are
//! `awork_models`' (`validate_value`, `duplicate_keys`, `warnings`); this module reads, counts and
//! prints. A valid event, the common case, is told from its text alone, read straight into the
//! models (`Envelope::from_json`); only an invalid one is parsed as JSON and read again property
//! by property to name every problem. A warning (an event name awork has never used) is printed
//! but does not make an event invalid.

use std::fmt;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use awork_models::{Problem, Warning};
use serde_json::Value;

use super::Outcome;
use crate::input::{
    Input, Item, LazyEvent, LazyItem, RawEvent, Shape, Source, SyntaxError, event_files,
    no_event_file,
};
use crate::output;

/// Arguments of `awork-sim validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files of events: one JSON event, a JSON array of events, or NDJSON. `-` or none reads stdin.
    /// A folder stands for its `*.json`, `*.ndjson` and `*.jsonl` files, in name order (what
    /// `generate --out` and `listen --record` write).
    #[arg(value_name = "FILE|DIR")]
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

/// One part of what `validate` reads, with the folders given expanded.
enum Part {
    /// An input, opened.
    Input(Input),
    /// A folder with no event file in it.
    EmptyFolder(PathBuf),
}

/// The inputs `sources` name, opened: a folder stands for its event files ([`event_files`]).
fn open_all(sources: &[Source]) -> anyhow::Result<Vec<Part>> {
    let mut parts = Vec::new();
    for source in sources {
        match source {
            Source::File(path) if path.is_dir() => {
                let files = event_files(path)?;
                if files.is_empty() {
                    parts.push(Part::EmptyFolder(path.clone()));
                }
                for file in files {
                    parts.push(Part::Input(Input::open(Source::File(file))?));
                }
            }
            source => parts.push(Part::Input(Input::open(source.clone())?)),
        }
    }
    Ok(parts)
}

/// Opens every input (a folder stands for its event files), then checks every event as it is
/// read, printing each problem to `out` as it is found and a summary to stderr. An input with no
/// event (an empty capture, `[]`, a folder without event files) is a finding too: the run fails.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // A missing file is bad input: found before anything is checked.
    let parts = open_all(&config.sources)?;
    let mut tally = Tally::default();
    // The reader of stdout went away (`| head`): the checking goes on for the exit status.
    let mut closed = false;
    let mut write = |line: &dyn fmt::Display, closed: &mut bool| -> io::Result<()> {
        if *closed {
            return Ok(());
        }
        match writeln!(out, "{line}") {
            Err(error) if output::is_closed(&error) => {
                *closed = true;
                Ok(())
            }
            result => result,
        }
    };
    for part in &parts {
        let input = match part {
            Part::Input(input) => input,
            Part::EmptyFolder(path) => {
                tally.empty += 1;
                let line = format!("{}: no event: {}", path.display(), no_event_file());
                write(&line, &mut closed)?;
                continue;
            }
        };
        let mut failed = None;
        let before = tally.events;
        let shape = input.read_lazily(|item| {
            let checked = tally.check(item);
            for finding in checked.findings(&input.source) {
                if let Err(error) = write(&finding, &mut closed) {
                    failed = Some(error);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })?;
        if let Some(error) = failed {
            return Err(error.into());
        }
        if tally.events == before {
            tally.empty += 1;
            let what = match shape {
                Shape::Array => "an empty array",
                Shape::Empty | Shape::Single | Shape::Ndjson => "the input is empty",
            };
            write(&format!("{}: no event: {what}", input.source), &mut closed)?;
        }
    }
    match out.flush() {
        Err(error) if !output::is_closed(&error) => return Err(error.into()),
        Ok(()) | Err(_) => {}
    }
    let _ = writeln!(io::stderr(), "{}", tally.summary());
    Ok(if tally.invalid == 0 && tally.empty == 0 {
        Outcome::Success
    } else {
        Outcome::Failures
    })
}

/// What checking the events found so far: counts only, so memory does not grow with the input.
#[derive(Debug, Default)]
struct Tally {
    /// How many events were checked (a part that is not JSON counts as one, invalid).
    events: usize,
    /// How many of them have problems.
    invalid: usize,
    /// How many warnings were found.
    warnings: usize,
    /// How many inputs held no event (a folder without event files counts as one).
    empty: usize,
}

/// What checking one event (or one part that is not JSON) found.
#[derive(Debug)]
enum Checked {
    /// An event, with its problems and warnings.
    Event {
        line: usize,
        event_type: String,
        problems: Vec<Problem>,
        warnings: Vec<Warning>,
    },
    /// A line (or the rest of a text) that is not JSON.
    NotJson(SyntaxError),
}

impl Checked {
    /// Checks one event: its text for repeated keys, its JSON for every problem and warning. A
    /// valid event is told from its text alone (what reads into the models from the text reads
    /// from its JSON too, so the findings are the same); an invalid one is parsed.
    fn event(event: LazyEvent) -> Checked {
        if let Some(envelope) = awork_models::valid_event(&event.raw) {
            return Checked::Event {
                line: event.line,
                event_type: envelope.event_type.as_str().to_owned(),
                problems: awork_models::duplicate_keys(&event.raw),
                warnings: awork_models::envelope_warnings(&envelope),
            };
        }
        match event.parse() {
            Item::Event(event) => Checked::parsed(event),
            Item::NotJson(error) => Checked::NotJson(error),
        }
    }

    /// Checks one parsed event: its text for repeated keys, its JSON for every problem and
    /// warning.
    fn parsed(event: RawEvent) -> Checked {
        let event_type = event_type_of(&event.value);
        let warnings = awork_models::warnings(&event.value);
        let mut problems = awork_models::duplicate_keys(&event.raw);
        if let Err(found) = awork_models::validate_value(event.value) {
            problems.extend(found);
        }
        Checked::Event {
            line: event.line,
            event_type,
            problems,
            warnings,
        }
    }

    /// Each problem and warning, to print.
    fn findings<'a>(&'a self, source: &'a Source) -> Vec<Finding<'a>> {
        match self {
            Checked::Event {
                line,
                event_type,
                problems,
                warnings,
            } => (problems.iter().map(Issue::Problem))
                .chain(warnings.iter().map(Issue::Warning))
                .map(|issue| Finding {
                    source,
                    line: *line,
                    event_type,
                    issue,
                })
                .collect(),
            Checked::NotJson(error) => vec![Finding {
                source,
                line: error.line,
                event_type: "",
                issue: Issue::NotJson(error),
            }],
        }
    }
}

/// One problem or warning of one event, printed `FILE:LINE: EVENT_TYPE: PROBLEM` or
/// `FILE:LINE: EVENT_TYPE: warning: WARNING`; a part that is not JSON is
/// `FILE:LINE:COLUMN: not JSON: MESSAGE`.
#[derive(Debug)]
struct Finding<'a> {
    source: &'a Source,
    line: usize,
    event_type: &'a str,
    issue: Issue<'a>,
}

/// What a finding is about.
#[derive(Debug)]
enum Issue<'a> {
    /// The event is invalid.
    Problem(&'a Problem),
    /// The event is valid but unusual.
    Warning(&'a Warning),
    /// The text is not JSON there.
    NotJson(&'a SyntaxError),
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.issue {
            Issue::Problem(problem) => write!(
                f,
                "{}:{}: {}: {problem}",
                self.source, self.line, self.event_type
            ),
            Issue::Warning(warning) => write!(
                f,
                "{}:{}: {}: warning: {warning}",
                self.source, self.line, self.event_type
            ),
            Issue::NotJson(error) => write!(f, "{}:{error}", self.source),
        }
    }
}

impl Tally {
    /// Checks one item and counts what it found.
    fn check(&mut self, item: LazyItem) -> Checked {
        let checked = match item {
            LazyItem::Event(event) => Checked::event(event),
            LazyItem::NotJson(error) => Checked::NotJson(error),
        };
        self.events += 1;
        match &checked {
            Checked::Event {
                problems, warnings, ..
            } => {
                self.invalid += usize::from(!problems.is_empty());
                self.warnings += warnings.len();
            }
            Checked::NotJson(_) => self.invalid += 1,
        }
        checked
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
        if self.empty > 0 {
            summary.push_str(&format!(
                ", {} input{} without events",
                self.empty,
                plural(self.empty)
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
        let mut tally = Tally::default();
        let mut findings = Vec::new();
        for (index, raw) in texts.iter().enumerate() {
            let checked = tally.check(LazyItem::Event(LazyEvent::unparsed(
                index + 1,
                (*raw).to_owned(),
            )));
            findings.extend(checked.findings(&source).iter().map(ToString::to_string));
        }
        let torn = tally.check(LazyItem::NotJson(SyntaxError {
            line: 3,
            column: 7,
            message: "EOF while parsing a string".to_owned(),
        }));
        findings.extend(torn.findings(&source).iter().map(ToString::to_string));
        assert_eq!((tally.events, tally.invalid), (3, 3));
        assert_eq!(
            findings[..4],
            [
                "events.ndjson:1: project_added: timestamp: missing",
                "events.ndjson:1: project_added: entityId: missing",
                "events.ndjson:1: project_added: entityType: missing",
                "events.ndjson:1: project_added: entity: missing",
            ]
        );
        assert_eq!(findings.len(), 6, "{findings:?}");
        assert!(
            findings[4].starts_with("events.ndjson:2: ?: "),
            "{findings:?}"
        );
        assert_eq!(
            findings[5],
            "events.ndjson:3:7: not JSON: EOF while parsing a string"
        );
        assert_eq!(tally.summary(), "3 events, 3 invalid");
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
