//! `awork-sim events`: the 30 event types of the spec, in the spec's order, each with the entity type
//! its events carry.
//!
//! The names and their order come from `awork_models::EventType::SPEC`; this module only prints them.

use std::io::Write;

use awork_models::EventType;
use serde::Serialize;

use super::Outcome;

/// Arguments of `awork-sim events`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON array of {"eventType", "entityType"} objects instead of lines.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The configuration these arguments ask for.
    pub fn resolve(self) -> Config {
        Config {
            format: if self.json {
                Format::Json
            } else {
                Format::Lines
            },
        }
    }
}

/// What `events` runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// How to print the list.
    pub format: Format,
}

/// How `events` prints the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One `eventType<TAB>entityType` line per event type.
    Lines,
    /// One line holding a JSON array of `{"eventType", "entityType"}` objects.
    Json,
}

/// One event type as `--json` prints it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    event_type: &'static str,
    entity_type: &'static str,
}

/// Prints the spec's event types to `out`.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let rows = EventType::SPEC.iter().map(|event| Row {
        event_type: event.spec_name(),
        entity_type: event.entity_type().as_str(),
    });
    match config.format {
        Format::Lines => {
            for row in rows {
                writeln!(out, "{}\t{}", row.event_type, row.entity_type)?;
            }
        }
        Format::Json => {
            // Serialized first, so that a write error stays an `io::Error` the exit mapping can read.
            let json = serde_json::to_string(&rows.collect::<Vec<_>>())?;
            writeln!(out, "{json}")?;
        }
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(format: Format) -> String {
        let mut out = Vec::new();
        assert_eq!(run(&Config { format }, &mut out).unwrap(), Outcome::Success);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_start_and_end_with_the_specs_first_and_last_event_types() {
        let text = output(Format::Lines);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 30);
        assert_eq!(lines[0], "absence_added\tabsence");
        assert_eq!(lines[29], "user_status_changed\tuser");
    }

    #[test]
    fn json_is_one_line() {
        let text = output(Format::Json);
        assert_eq!(text.lines().count(), 1);
        assert!(
            text.starts_with(r#"[{"eventType":"absence_added","entityType":"absence"},"#),
            "{text}"
        );
    }
}
