//! The options that choose generated events (`--event`, `--seed`, `--naming`), shared by `generate`,
//! `send` and `demo`, and their resolution into an [`awork_generate::GeneratorConfig`].
//!
//! This module checks names and builds the configuration; it neither generates nor prints events.
//! `--count` is not here because its default differs between commands.

use anyhow::bail;
use awork_generate::GeneratorConfig;
use awork_models::{Envelope, EventType, Naming};

/// The spellings of event names, as `--naming` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NamingArg {
    /// The 30 names of the spec (`task_changed`).
    Spec,
    /// The names of awork's published webhook docs (`task_updated`).
    Docs,
    /// The names awork's API registers and sends today (35 event types).
    Api,
}

impl From<NamingArg> for Naming {
    fn from(naming: NamingArg) -> Naming {
        match naming {
            NamingArg::Spec => Naming::Spec,
            NamingArg::Docs => Naming::Docs,
            NamingArg::Api => Naming::Api,
        }
    }
}

/// The options choosing which events are generated.
#[derive(Debug, Clone, clap::Args)]
pub struct GeneratorArgs {
    /// Only events of this type (any spelling awork has used); repeat for more. Default: all.
    #[arg(long = "event", value_name = "T")]
    pub events: Vec<String>,
    /// The seed: the same seed gives the same events, byte for byte.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// The spelling of event names.
    #[arg(long, value_enum, value_name = "NAMING", default_value_t = NamingArg::Spec)]
    pub naming: NamingArg,
}

impl GeneratorArgs {
    /// The generator configuration these options ask for; an unknown event name is an error that
    /// names it and lists the spec's names.
    pub fn resolve(&self) -> anyhow::Result<GeneratorConfig> {
        let mut event_types = Vec::new();
        for name in &self.events {
            let Some((event, _)) = EventType::lookup(name) else {
                bail!("{}", unknown_event(name));
            };
            if !event_types.contains(&event) {
                event_types.push(event);
            }
        }
        Ok(GeneratorConfig {
            seed: self.seed,
            naming: self.naming.into(),
            event_types,
        })
    }
}

/// `unknown event type `nope`; valid names: absence_added, …` (the spec's 30, in order).
pub fn unknown_event(name: &str) -> String {
    let names: Vec<&str> = EventType::SPEC
        .iter()
        .map(|event| event.spec_name())
        .collect();
    format!(
        "unknown event type `{name}`; valid names: {}",
        names.join(", ")
    )
}

/// The label an event carries in logs and reports: `eventType entityId`.
pub fn label(event: &Envelope) -> String {
    format!("{} {}", event.event_type.as_str(), event.entity_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(events: &[&str]) -> GeneratorArgs {
        GeneratorArgs {
            events: events.iter().map(|name| (*name).to_owned()).collect(),
            seed: 1,
            naming: NamingArg::Spec,
        }
    }

    #[test]
    fn every_spelling_is_accepted_and_repeats_are_dropped() {
        let config = args(&["task_updated", "task_changed", "timetracking_added"])
            .resolve()
            .unwrap();
        assert_eq!(
            config.event_types,
            [
                EventType::TaskChanged,
                EventType::lookup("timetracking_added").unwrap().0
            ]
        );
    }

    #[test]
    fn an_unknown_name_is_named_with_the_valid_ones() {
        let error = args(&["nope"]).resolve().unwrap_err().to_string();
        assert!(error.starts_with("unknown event type `nope`; valid names: absence_added, "));
        assert!(error.ends_with("user_status_changed"), "{error}");
        assert_eq!(error.matches(", ").count(), 29, "{error}");
    }
}
