//! The golden fixtures in `fixtures/`: one realistic event per event type of the spec, taken from one
//! story with a fixed seed so that they are coherent with each other (the task of `task_changed` is a
//! task of a project that `project_added` created, …).
//!
//! `cargo xtask fixtures` writes them; a test fails when the committed files differ. awork's
//! documented example (`fixtures/awork-docs-example.json`) is not generated and never rewritten.

use std::collections::BTreeMap;

use awork_models::{EventType, Naming};

use crate::{Generator, GeneratorConfig};

/// The seed of the fixtures' story.
pub const FIXTURE_SEED: u64 = 20_230_903;

/// The file name and pretty-printed contents of each golden fixture, in the spec's order.
pub fn golden_fixtures() -> Vec<(String, String)> {
    let mut first_of_each: BTreeMap<EventType, String> = BTreeMap::new();
    let generator = Generator::new(GeneratorConfig {
        seed: FIXTURE_SEED,
        naming: Naming::Spec,
        event_types: Vec::new(),
    });
    for event in generator.take(100_000) {
        let kind = event
            .event_type
            .event_type()
            .expect("generated events have known types");
        first_of_each.entry(kind).or_insert_with(|| {
            serde_json::to_string_pretty(&event).expect("events serialize") + "\n"
        });
        if first_of_each.len() == EventType::SPEC.len() {
            break;
        }
    }
    EventType::SPEC
        .iter()
        .map(|event| {
            let contents = first_of_each
                .remove(event)
                .expect("a long story has every event type");
            (format!("{}.json", event.spec_name()), contents)
        })
        .collect()
}
