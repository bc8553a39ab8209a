//! Generated events against awork's own OpenAPI document, read by an independent validator
//! (Python's `openapi-schema-validator`) with `additionalProperties` as the document declares it:
//! 5,000 events of each naming have no violation outside the evidenced exceptions
//! (`awork_openapi::EVIDENCED_EXTRAS`), and a planted extra property, nested or not, is one.

use awork_openapi::{EVIDENCED_EXTRAS, OpenApi};
use serde_json::{Value, json};

use crate::support::{TempFile, check, python_with, run_python, workspace_root};

/// The entity types generated events carry (the spec's and the API's spellings).
const ENTITY_TYPES: [&str; 11] = [
    "absence",
    "company",
    "client",
    "comment",
    "project",
    "projectmember",
    "task",
    "taskassignment",
    "tasklist",
    "timetracking",
    "user",
];

/// Runs the validator over `events`; returns its output, whose last line is `N events, M invalid`.
fn validate(events: &TempFile) -> String {
    let schemas: serde_json::Map<String, Value> = ENTITY_TYPES
        .iter()
        .map(|entity_type| {
            let schema = OpenApi::schema_for_entity_type(entity_type).expect("a schema");
            ((*entity_type).to_owned(), Value::from(schema))
        })
        .collect();
    let extras: Vec<Value> = EVIDENCED_EXTRAS
        .iter()
        .map(|extra| json!([extra.schema, extra.property]))
        .collect();
    let config = TempFile::new(
        "openapi-config.json",
        &json!({"schemas": schemas, "extras": extras}).to_string(),
    );
    let root = workspace_root();
    let document = root.join("spec/openapi.json");
    run_python(
        "validate_with_openapi.py",
        &[document.to_str().unwrap(), config.arg(), events.arg()],
    )
}

#[test]
fn five_thousand_events_of_each_naming_break_no_closed_schema() {
    if !python_with("openapi_schema_validator", "openapi-schema-validator") {
        return;
    }
    for (naming, seed) in [("api", "11"), ("spec", "12"), ("docs", "13")] {
        let run = check(
            &[
                "generate", "--count", "5000", "--seed", seed, "--naming", naming,
            ],
            "",
            0,
        );
        let events = TempFile::new(&format!("openapi-{naming}.ndjson"), &run.stdout);
        let report = validate(&events);
        assert!(
            report.ends_with("5000 events, 0 invalid\n"),
            "--naming {naming}:\n{report}"
        );
    }
}

#[test]
fn an_extra_property_nested_or_not_is_a_violation() {
    if !python_with("openapi_schema_validator", "openapi-schema-validator") {
        return;
    }
    let run = check(&["generate", "--count", "400", "--seed", "5"], "", 0);
    let mut events: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let nested = events
        .iter_mut()
        .find(|event| {
            event["entityType"] == "timetracking" && event["entity"]["project"].is_object()
        })
        .expect("a time tracking on a project");
    // `color` is on `Project`, not on `ProjectModelForTimeTrackings`.
    nested["entity"]["project"]["color"] = json!("#ff0000");
    let nested = nested.clone();
    let top = events
        .iter_mut()
        .find(|event| event["entityType"] == "task")
        .expect("a task");
    top["entity"]["notInTaskModel"] = json!(1);
    let top = top.clone();
    let planted = TempFile::new("openapi-planted.ndjson", &format!("{nested}\n{top}\n"));
    let report = validate(&planted);
    assert!(report.ends_with("2 events, 2 invalid\n"), "{report}");
    assert!(report.contains("'color' was unexpected"), "{report}");
    assert!(
        report.contains("'notInTaskModel' was unexpected"),
        "{report}"
    );
}
