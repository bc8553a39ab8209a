//! awork's OpenAPI document, `additionalProperties: false` included, over every committed fixture
//! and over long generated stories of every naming: nothing outside the evidenced exceptions.

use std::collections::BTreeMap;

use awork_generate::{Generator, GeneratorConfig};
use awork_models::Naming;
use awork_openapi::OpenApi;
use serde_json::Value;

/// Each fixture file of `fixtures/`, by name.
fn fixture_files() -> Vec<(String, String)> {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The violations of an event's entity against the schema of its `entityType`.
fn entity_violations(api: &OpenApi, event: &Value) -> Vec<String> {
    let entity_type = event["entityType"].as_str().expect("an entityType");
    let schema = OpenApi::schema_for_entity_type(entity_type)
        .unwrap_or_else(|| panic!("no schema for {entity_type}"));
    api.check(schema, &event["entity"])
        .iter()
        .map(|violation| format!("{schema}: {violation}"))
        .collect()
}

#[test]
fn every_fixture_fits_awork_s_schemas_without_undeclared_properties() {
    let api = OpenApi::load();
    let files = fixture_files();
    assert!(files.len() > 30, "the fixtures are there");
    for (name, text) in files {
        let event: Value = serde_json::from_str(&text).unwrap();
        let violations = entity_violations(&api, &event);
        if name == "awork-docs-example.json" {
            // awork's own example writes tags as bare names, which its schema says are objects
            // (ENTITIES.md §2): the one known disagreement, in a type and not in a property.
            assert_eq!(
                violations,
                ["Project: tags[0]: expected an object, got a string"]
            );
        } else {
            assert!(violations.is_empty(), "{name}: {violations:#?}");
        }
    }
}

#[test]
fn ten_thousand_generated_events_of_every_naming_fit_awork_s_schemas() {
    let api = OpenApi::load();
    for (naming, seed) in [(Naming::Api, 11), (Naming::Spec, 12), (Naming::Docs, 13)] {
        // The first violations of each kind, so that a failure reads in one screen.
        let mut found: BTreeMap<String, (usize, String)> = BTreeMap::new();
        let generator = Generator::new(GeneratorConfig {
            seed,
            naming,
            ..GeneratorConfig::default()
        });
        for event in generator.take(10_000) {
            let value = serde_json::to_value(&event).unwrap();
            for violation in entity_violations(&api, &value) {
                let kind = violation
                    .split(['[', ':'])
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(":");
                let entry = found.entry(kind).or_insert((0, violation));
                entry.0 += 1;
            }
        }
        assert!(found.is_empty(), "{naming:?}: {found:#?}");
    }
}
