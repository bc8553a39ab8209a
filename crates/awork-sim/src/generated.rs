//! The options that choose generated events (`--event`, `--seed`, `--naming`), shared by `generate`,
//! `send` and `demo`, and their resolution into an [`awork_generate::GeneratorConfig`].
//!
//! This module checks names and builds the configuration, draws a run's trace salt
//! ([`fresh_trace_salt`]), and turns a generator into delivery events one at a time ([`Events`]);
//! it does not print. `--count` is not here because its default differs between commands, nor
//! are the options that choose between the seed's trace ids and fresh ones, because their default
//! does too: `generate` writes the seed's corpus, `send` and `demo` are runs a receiver must not
//! take for copies of earlier ones.

use anyhow::bail;
use awork_delivery::Event;
use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Envelope, EventType, Naming};

/// The spellings of event names, as `--naming` takes them. The default everywhere is `api`: the
/// names awork's API registers, which webhooks are subscribed with and carry (`ENTITIES.md` §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NamingArg {
    /// The 30 names of the spec (`task_changed`), from a one-day docs draft.
    Spec,
    /// The names of awork's published webhook docs (`task_updated`).
    Docs,
    /// The names awork's API registers and sends today (35 event types; `timetracking_added`).
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
    /// The seed: the same seed tells the same story, byte for byte but for the trace ids of runs
    /// that get their own (`send` without `--reproducible`, `generate --fresh-trace-ids`).
    /// Default: 1.
    // Options without a default value, so that `send FILE` can tell them given and refuse them.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// The spelling of event names: `api` (what awork's webhooks carry), or the `spec`'s or the
    /// `docs`' spellings. Default: api.
    #[arg(long, value_enum, value_name = "NAMING")]
    pub naming: Option<NamingArg>,
}

impl GeneratorArgs {
    /// The generator configuration these options ask for; an unknown event name is an error that
    /// names it and lists the spec's names.
    pub fn resolve(&self) -> anyhow::Result<GeneratorConfig> {
        // Repeats (`task_updated` and `task_changed` are one type) are left in: the generator
        // ignores them.
        let mut event_types = Vec::new();
        for name in &self.events {
            let Some((event, _)) = EventType::lookup(name) else {
                bail!("{}", unknown_event(name));
            };
            event_types.push(event);
        }
        Ok(GeneratorConfig {
            seed: self.seed.unwrap_or(1),
            naming: self.naming.unwrap_or(NamingArg::Api).into(),
            event_types,
        })
    }

    /// The options given, as written on the command line (`--event`, `--seed`, `--naming`).
    pub fn given(&self) -> Vec<&'static str> {
        let given = [
            ("--event", !self.events.is_empty()),
            ("--seed", self.seed.is_some()),
            ("--naming", self.naming.is_some()),
        ];
        given
            .into_iter()
            .filter_map(|(option, is_given)| is_given.then_some(option))
            .collect()
    }
}

/// `unknown event type `task_staus_changed`; did you mean `task_status_changed`? (…)`: the
/// closest names `--event` accepts (any family's), or, when none is close, where to find them all.
pub fn unknown_event(name: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for naming in [Naming::Api, Naming::Spec, Naming::Docs] {
        for event in EventType::ALL {
            if let Some(known) = event.name_in(naming) {
                if !names.contains(&known) {
                    names.push(known);
                }
            }
        }
    }
    let wanted = name.to_ascii_lowercase();
    let distances: Vec<(usize, &str)> = names
        .iter()
        .map(|known| (edit_distance(&wanted, known), *known))
        .collect();
    let best = distances.iter().map(|(distance, _)| *distance).min();
    // Close: a few typos, at most a third of the name.
    let close = best.filter(|best| *best <= (wanted.chars().count() / 3).max(2));
    let all = "`awork-sim events` lists awork's names (`--naming spec|docs` the other spellings, \
               which are accepted too)";
    match close {
        Some(best) => {
            let closest: Vec<String> = distances
                .iter()
                .filter(|(distance, _)| *distance == best)
                .map(|(_, known)| format!("`{known}`"))
                .collect();
            format!(
                "unknown event type `{name}`; did you mean {}? ({all})",
                closest.join(" or ")
            )
        }
        None => format!("unknown event type `{name}`; {all}"),
    }
}

/// The Levenshtein distance between two names: the fewest characters inserted, removed or
/// replaced to make one the other.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, from) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, to) in b.iter().enumerate() {
            let replace = previous[j] + usize::from(from != *to);
            current[j + 1] = replace.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// A salt for one run's trace ids ([`Generator::with_trace_salt`]), from the operating system's
/// randomness: runs of one seed get different trace ids, and the rest of their story is the seed's.
pub fn fresh_trace_salt() -> u128 {
    rand::random()
}

/// The label an event carries in logs and reports: `eventType entityId`.
pub fn label(event: &Envelope) -> String {
    format!("{} {}", event.event_type.as_str(), event.entity_id)
}

/// `count` generated events as delivery events (serialized body, [`label`]), made one at a time as
/// they are pulled.
///
/// Its `size_hint` is exact, so a paused webhook can count the events it has not taken as pending
/// without generating them (see `awork_delivery::Webhook::deliver`).
pub struct Events {
    generator: Generator,
    left: u64,
    /// The length of the last body, so the next one is written into a buffer of about its size
    /// at once rather than grown from 128 bytes, copied at each doubling.
    last_len: usize,
}

impl Events {
    /// The first `count` events of `config`'s story, their trace ids salted with `trace_salt` if
    /// any.
    pub fn new(config: GeneratorConfig, trace_salt: Option<u128>, count: u64) -> Self {
        Self {
            generator: Generator::new(config).with_trace_salt(trace_salt),
            left: count,
            last_len: 0,
        }
    }
}

impl Iterator for Events {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.left = self.left.checked_sub(1)?;
        let event = self.generator.next()?;
        let mut body = Vec::with_capacity(self.last_len + self.last_len / 2 + 256);
        // Serializing a generated envelope cannot fail: it is plain data.
        if serde_json::to_writer(&mut body, &event).is_err() {
            body.clear();
        }
        self.last_len = body.len();
        Some(Event::new(label(&event), body))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match usize::try_from(self.left) {
            Ok(left) => (left, Some(left)),
            Err(_) => (usize::MAX, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(events: &[&str]) -> GeneratorArgs {
        GeneratorArgs {
            events: events.iter().map(|name| (*name).to_owned()).collect(),
            seed: Some(1),
            naming: Some(NamingArg::Spec),
        }
    }

    #[test]
    fn every_spelling_is_accepted_and_a_repeat_changes_nothing() {
        let config = args(&["task_updated", "task_changed", "timetracking_added"])
            .resolve()
            .unwrap();
        assert_eq!(
            config.event_types,
            [
                EventType::TaskChanged,
                EventType::TaskChanged,
                EventType::TimeTrackingAdded
            ]
        );
        let once = args(&["task_changed", "timetracking_added"])
            .resolve()
            .unwrap();
        let first: Vec<_> = Generator::new(config).take(50).collect();
        let second: Vec<_> = Generator::new(once).take(50).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn events_are_the_generated_story_and_know_how_many_are_left() {
        let config = args(&[]).resolve().unwrap();
        let mut events = Events::new(config.clone(), None, 3);
        assert_eq!(events.size_hint(), (3, Some(3)));
        let first = events.next().unwrap();
        assert_eq!(events.size_hint(), (2, Some(2)));
        let expected = Generator::new(config).next().unwrap();
        assert_eq!(first.body, serde_json::to_vec(&expected).unwrap());
        assert_eq!(first.label, label(&expected));
        assert_eq!(events.count(), 2);
    }

    #[test]
    fn a_trace_salt_changes_only_the_trace_ids() {
        let config = args(&[]).resolve().unwrap();
        let salt = fresh_trace_salt();
        assert_ne!(salt, fresh_trace_salt(), "each run draws its own salt");
        let plain = Events::new(config.clone(), None, 20);
        let salted = Events::new(config, Some(salt), 20);
        for (plain, salted) in plain.zip(salted) {
            assert_eq!(plain.label, salted.label);
            let mut plain: serde_json::Value = serde_json::from_slice(&plain.body).unwrap();
            let mut salted: serde_json::Value = serde_json::from_slice(&salted.body).unwrap();
            assert_ne!(plain["traceId"], salted["traceId"]);
            plain["traceId"] = serde_json::Value::Null;
            salted["traceId"] = serde_json::Value::Null;
            assert_eq!(plain, salted);
        }
    }

    #[test]
    fn an_unknown_name_is_told_the_closest_names() {
        let error = args(&["task_staus_changed"])
            .resolve()
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(
                "unknown event type `task_staus_changed`; did you mean `task_status_changed`? ("
            ),
            "{error}"
        );
        // Any family's spelling, and every name as close as the closest.
        let error = unknown_event("client_chnged");
        assert!(error.contains("did you mean `client_changed`?"), "{error}");
        let error = unknown_event("task_add");
        assert!(error.contains("did you mean `task_added`?"), "{error}");
        assert_eq!(
            unknown_event("nope"),
            "unknown event type `nope`; `awork-sim events` lists awork's names (`--naming \
             spec|docs` the other spellings, which are accepted too)"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
