//! `awork-sim events`: the event types under one family of names (by default the 35 that awork's API
//! registers and its webhooks carry), in order, each with the entity type its events carry.
//!
//! The names and their order come from `awork_models::EventType`; this module only prints them.
//! `--json` adds every spelling awork has used for each type.

use std::io::Write;

use awork_models::{EventType, Naming};
use serde::Serialize;

use super::Outcome;
use crate::generated::NamingArg;

/// Arguments of `awork-sim events`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The family of names to list: `api` (35, what awork's webhooks carry), `spec` or `docs` (30).
    #[arg(long, value_enum, value_name = "NAMING", default_value_t = NamingArg::Api)]
    naming: NamingArg,
    /// Print one JSON array of {"eventType", "entityType", "spellings"} objects instead of lines.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The configuration these arguments ask for.
    pub fn resolve(self) -> Config {
        Config {
            naming: self.naming.into(),
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
    /// Whose names to list; a naming without a name for a type leaves the type out.
    pub naming: Naming,
    /// How to print the list.
    pub format: Format,
}

/// How `events` prints the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One `eventType<TAB>entityType` line per event type.
    Lines,
    /// One line holding a JSON array of `{"eventType", "entityType", "spellings"}` objects.
    Json,
}

/// One event type as `--json` prints it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    event_type: &'static str,
    entity_type: &'static str,
    spellings: Spellings,
}

/// Every name awork has used for one event type; `null` where a family has none.
#[derive(Serialize)]
struct Spellings {
    api: Option<&'static str>,
    spec: Option<&'static str>,
    docs: Option<&'static str>,
}

/// Prints the event types of `config.naming` to `out`.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let rows = EventType::ALL.iter().filter_map(|event| {
        Some(Row {
            event_type: event.name_in(config.naming)?,
            entity_type: event.entity_type().as_str(),
            spellings: Spellings {
                api: event.name_in(Naming::Api),
                spec: event.name_in(Naming::Spec),
                docs: event.name_in(Naming::Docs),
            },
        })
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

    fn output(naming: Naming, format: Format) -> String {
        let mut out = Vec::new();
        let config = Config { naming, format };
        assert_eq!(run(&config, &mut out).unwrap(), Outcome::Success);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_family_lists_its_own_names() {
        let api = output(Naming::Api, Format::Lines);
        let lines: Vec<&str> = api.lines().collect();
        assert_eq!(lines.len(), 35);
        assert_eq!(lines[3], "company_added\tcompany");
        assert_eq!(lines[34], "user_updated\tuser");
        let spec = output(Naming::Spec, Format::Lines);
        let lines: Vec<&str> = spec.lines().collect();
        assert_eq!(lines.len(), 30);
        assert_eq!(lines[3], "client_added\tcompany");
        assert_eq!(lines[29], "user_status_changed\tuser");
        assert_eq!(output(Naming::Docs, Format::Lines).lines().count(), 30);
    }

    #[test]
    fn json_is_one_line_with_every_spelling() {
        let text = output(Naming::Api, Format::Json);
        assert_eq!(text.lines().count(), 1);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(rows.len(), 35);
        assert_eq!(
            rows[4],
            serde_json::json!({"eventType": "company_updated", "entityType": "company",
                "spellings": {"api": "company_updated", "spec": "client_changed", "docs": "client_updated"}})
        );
        assert_eq!(rows[34]["spellings"]["spec"], serde_json::Value::Null);
    }
}
