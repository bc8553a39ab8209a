//! `awork-sim schema`: a JSON Schema (2020-12) that every generated event satisfies, plain and
//! awkward, in each naming, as an independent validator (Python's `jsonschema`) reads it; and that
//! a broken event does not.
use serde_json::Value;

use crate::support::{TempFile, check, python_with, run_python};

/// Runs the independent validator; returns its output, whose last line is `N events, M invalid`.
fn validate(schema: &TempFile, events: &[&TempFile]) -> String {
    let mut args = vec![schema.arg()];
    args.extend(events.iter().map(|file| file.arg()));
    run_python("validate_with_schema.py", &args)
}

#[test]
fn the_schema_is_json_schema_2020_12_with_every_event_type_mapped() {
    let run = check(&["schema"], "", 0);
    let schema: Value = serde_json::from_str(&run.stdout).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["required"],
        serde_json::json!(["timestamp", "eventType", "entity", "entityId", "entityType"])
    );
    let one = check(&["schema", "--event", "time_tracking_added"], "", 0);
    let one: Value = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(
        one["properties"]["eventType"]["const"],
        "timetracking_added"
    );
    let run = check(&["schema", "--event", "nope"], "", 2);
    assert!(run.stderr.contains("`nope`"), "{}", run.stderr);
}

#[test]
fn every_generated_event_plain_and_awkward_of_every_naming_satisfies_the_schema() {
    if !python_with("jsonschema", "jsonschema") {
        return;
    }
    for naming in ["api", "spec", "docs"] {
        let schema = TempFile::new(
            &format!("schema-{naming}.json"),
            &check(&["schema", "--naming", naming], "", 0).stdout,
        );
        let generate = |extra: &[&str]| {
            let mut args = vec![
                "generate", "--naming", naming, "--count", "500", "--seed", "4",
            ];
            args.extend_from_slice(extra);
            check(&args, "", 0).stdout
        };
        let plain = TempFile::new(&format!("plain-{naming}.ndjson"), &generate(&[]));
        let awkward = TempFile::new(
            &format!("awkward-{naming}.ndjson"),
            &generate(&["--awkward"]),
        );
        let report = validate(&schema, &[&plain, &awkward]);
        assert!(
            report.ends_with("1000 events, 0 invalid\n"),
            "{naming}: {report}"
        );
    }
}

#[test]
fn an_event_whose_entity_id_is_a_number_does_not_satisfy_the_schema() {
    if !python_with("jsonschema", "jsonschema") {
        return;
    }
    let schema = TempFile::new("schema.json", &check(&["schema"], "", 0).stdout);
    let mut event: Value =
        serde_json::from_str(&check(&["generate", "--event", "task_added"], "", 0).stdout).unwrap();
    let good = TempFile::new("good.ndjson", &format!("{event}\n"));
    event["entityId"] = Value::from(42);
    let broken = TempFile::new("broken.ndjson", &format!("{event}\n"));
    assert!(validate(&schema, &[&good]).ends_with("1 events, 0 invalid\n"));
    let report = validate(&schema, &[&broken]);
    assert!(report.ends_with("1 events, 1 invalid\n"), "{report}");
    assert!(
        report.contains("entityId: 42 is not of type 'string'"),
        "{report}"
    );
}
