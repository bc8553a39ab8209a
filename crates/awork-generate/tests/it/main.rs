//! Tests of the generator: validity, round trips, determinism, coverage, coherence, and awork's
//! OpenAPI schemas.

mod coherence;
mod events_of;
mod invariants;
mod properties;
mod readme_example;
mod realism;
mod writes;

use std::collections::BTreeSet;

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Envelope, EventType, Naming};
use awork_openapi::OpenApi;

fn story(seed: u64, naming: Naming, count: usize) -> Vec<Envelope> {
    Generator::new(GeneratorConfig {
        seed,
        naming,
        ..GeneratorConfig::default()
    })
    .take(count)
    .collect()
}

fn ndjson(events: &[Envelope]) -> String {
    events
        .iter()
        .map(|event| serde_json::to_string(event).unwrap() + "\n")
        .collect()
}

#[track_caller]
fn assert_valid_and_round_trips(event: &Envelope) {
    let bytes = serde_json::to_string(event).unwrap();
    let value: serde_json::Value = serde_json::from_str(&bytes).unwrap();
    let parsed = awork_models::validate_value(value)
        .unwrap_or_else(|problems| panic!("{problems:?} in {bytes}"));
    assert_eq!(
        serde_json::to_string(&parsed).unwrap(),
        bytes,
        "round trip changed the bytes"
    );
    assert!(
        !bytes.contains("null"),
        "awork omits absent values: {bytes}"
    );
}

#[test]
fn every_event_validates_and_round_trips_byte_for_byte() {
    for seed in [1, 2, 3] {
        for event in story(seed, Naming::Spec, 1000) {
            assert_valid_and_round_trips(&event);
        }
    }
    for event in story(4, Naming::Api, 1000) {
        assert_valid_and_round_trips(&event);
    }
}

/// A year of the story: people and clients come and go at an agency's rate, so the rarest event
/// types (a user deleted, a client deleted) come a few times a year.
const A_YEAR: usize = 20_000;

#[test]
fn a_year_of_events_covers_all_thirty_types() {
    let seen: BTreeSet<EventType> = story(1, Naming::Spec, A_YEAR)
        .iter()
        .filter_map(|event| event.event_type.event_type())
        .collect();
    let missing: Vec<_> = EventType::SPEC
        .iter()
        .filter(|event| !seen.contains(event))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
    assert!(
        seen.iter().all(|event| event.in_spec()),
        "only the spec's types by default"
    );
}

#[test]
fn api_naming_uses_the_api_spellings_and_extra_types() {
    let events = story(1, Naming::Api, A_YEAR);
    let names: BTreeSet<&str> = events
        .iter()
        .map(|event| event.event_type.as_str())
        .collect();
    let expected: BTreeSet<&str> = EventType::API
        .iter()
        .map(|event| event.name(Naming::Api))
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
    let first = ndjson(&story(9, Naming::Spec, 300));
    assert_eq!(first, ndjson(&story(9, Naming::Spec, 300)));
    assert_ne!(first, ndjson(&story(10, Naming::Spec, 300)));
}

fn salted_story(seed: u64, salt: Option<u128>, count: usize) -> Vec<Envelope> {
    Generator::new(GeneratorConfig {
        seed,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    })
    .with_trace_salt(salt)
    .take(count)
    .collect()
}

/// The trace ids of `events`, and the events without them.
fn split_trace_ids(events: Vec<Envelope>) -> (Vec<String>, Vec<Envelope>) {
    events
        .into_iter()
        .map(|mut event| (event.trace_id.take().expect("a trace id"), event))
        .unzip()
}

#[test]
fn no_trace_salt_keeps_the_seeds_bytes() {
    assert_eq!(
        ndjson(&salted_story(9, None, 300)),
        ndjson(&story(9, Naming::Api, 300))
    );
}

#[test]
fn a_trace_salt_changes_the_trace_ids_and_nothing_else() {
    let (plain_ids, plain) = split_trace_ids(salted_story(5, None, 2000));
    let mut runs = vec![plain_ids];
    for salt in [0, 1, 2, 0x5eed_u128 << 100, u128::MAX] {
        let (ids, rest) = split_trace_ids(salted_story(5, Some(salt), 2000));
        // The same story: entities, ids, timestamps, changes, in the same order.
        assert_eq!(ndjson(&rest), ndjson(&plain), "salt {salt:#x}");
        for id in &ids {
            assert!(
                id.len() == 32
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{id}"
            );
        }
        // The same salt, the same trace ids.
        let (again, _) = split_trace_ids(salted_story(5, Some(salt), 2000));
        assert_eq!(again, ids, "salt {salt:#x}");
        runs.push(ids);
    }
    // No trace id is shared by two runs (unsalted or salted), nor repeated within one.
    let all: BTreeSet<&String> = runs.iter().flatten().collect();
    assert_eq!(all.len(), runs.len() * 2000);
}

#[test]
fn salted_events_still_validate() {
    for event in salted_story(6, Some(42), 500) {
        assert_valid_and_round_trips(&event);
    }
}

#[test]
fn one_event_type_alone_still_works() {
    for &event in EventType::API {
        let config = GeneratorConfig {
            seed: 5,
            naming: Naming::Api,
            event_types: vec![event],
        };
        for generated in Generator::new(config).take(5) {
            assert_eq!(generated.event_type.event_type(), Some(event));
            assert_valid_and_round_trips(&generated);
        }
    }
}

#[test]
fn every_entity_satisfies_its_openapi_schema() {
    let api = OpenApi::load();
    let mut checked = 0;
    for event in story(11, Naming::Api, 5000) {
        let schema = OpenApi::schema_for_entity_type(&event.entity_type)
            .expect("generated entity types are known");
        let entity = serde_json::to_value(&event.entity).unwrap();
        let violations = api.check(schema, &entity);
        assert!(
            violations.is_empty(),
            "{} breaks {schema}: {violations:?}\n{entity:#}",
            event.event_type
        );
        checked += 1;
    }
    assert_eq!(checked, 5000);
}

#[test]
fn committed_fixtures_are_up_to_date() {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    for (name, contents) in awork_generate::fixtures::golden_fixtures() {
        let committed = std::fs::read_to_string(directory.join(&name)).unwrap_or_default();
        assert!(
            committed == contents,
            "fixtures/{name} is stale or missing: run `cargo xtask fixtures` and commit the result"
        );
    }
}

#[test]
fn repeated_event_types_do_not_skew_the_story() {
    let once = GeneratorConfig {
        seed: 3,
        naming: Naming::Spec,
        event_types: vec![EventType::TaskChanged, EventType::UserAdded],
    };
    let repeated = GeneratorConfig {
        event_types: vec![
            EventType::TaskChanged,
            EventType::UserAdded,
            EventType::TaskChanged,
        ],
        ..once.clone()
    };
    assert_eq!(
        ndjson(&Generator::new(once).take(50).collect::<Vec<_>>()),
        ndjson(&Generator::new(repeated).take(50).collect::<Vec<_>>())
    );
}
