//! `awork-sim schema`: prints the JSON Schema (2020-12) of awork's webhook events, for validators and
//! property-testing tools in any language (`hypothesis-jsonschema`, `jsonschema`, `ajv`).
//!
//! The schema is `awork_models::json_schema`'s; this module only prints it.

use std::io::Write;

use awork_models::{EventType, json_schema, json_schema_of};

use super::Outcome;
use crate::generated::{NamingArg, unknown_event};

/// Arguments of `awork-sim schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event names the schema maps to their entities: `api` (what awork's webhooks carry), or
    /// the `spec`'s or the `docs`' spellings. Other names read as unknown event types.
    #[arg(long, value_enum, value_name = "NAMING", default_value_t = NamingArg::Api)]
    naming: NamingArg,
    /// The schema of one event type's events only (any spelling): simpler, for tools that draw
    /// events from a schema, such as `hypothesis-jsonschema`.
    #[arg(long = "event", value_name = "T")]
    event: Option<String>,
}

/// Prints the schema, pretty, to `out`; an unknown `--event` is an error that lists the names.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let schema = match &args.event {
        None => json_schema(args.naming.into()),
        Some(name) => match EventType::lookup(name) {
            Some((event, _)) => json_schema_of(event, args.naming.into()),
            None => anyhow::bail!("{}", unknown_event(name)),
        },
    };
    // Serialized first, so that a write error stays an `io::Error` the exit mapping can read.
    let text = serde_json::to_string_pretty(&schema)?;
    writeln!(out, "{text}")?;
    Ok(Outcome::Success)
}
