//! `awork-sim schema`: a JSON Schema (2020-12) that every generated event satisfies, plain and
//! awkward, in each naming, as independent validators (Python's `jsonschema`, with formats checked
//! and without, and ajv with ajv-formats, set up as the README says) read it; that refuses impossible date-times, times of day and ids (over a
//! thousand mutants of generated events, each refused by the patterns alone as well), and a broken
//! event; whose evidenced extras are typed; and from which `hypothesis-jsonschema` draws events that
//! a correct timestamp parser reads and a fixed-fraction one does not.
use awork_openapi::EVIDENCED_EXTRAS;
use serde_json::Value;

use crate::support::{TempFile, check, python_with, run_python};

/// Runs the independent validator (`--formats` first in `options` checks formats too); returns its
/// output, whose last line is `N events, M invalid`.
fn validate_with(options: &[&str], schema: &TempFile, events: &[&TempFile]) -> String {
    let mut args = options.to_vec();
    args.push(schema.arg());
    args.extend(events.iter().map(|file| file.arg()));
    run_python("validate_with_schema.py", &args)
}

/// [`validate_with`] without formats, as validators that ignore `format` read the schema.
fn validate(schema: &TempFile, events: &[&TempFile]) -> String {
    validate_with(&[], schema, events)
}

/// `awork-sim schema` of one naming, and 500 events of `seed` generated plain and 500 awkward, in
/// files whose names start with `prefix`.
struct Generated {
    schema: TempFile,
    plain: TempFile,
    awkward: TempFile,
}

fn generated(prefix: &str, naming: &str, seed: &str) -> Generated {
    let generate = |extra: &[&str]| {
        let mut args = vec![
            "generate", "--naming", naming, "--count", "500", "--seed", seed,
        ];
        args.extend_from_slice(extra);
        check(&args, "", 0).stdout
    };
    Generated {
        schema: TempFile::new(
            &format!("{prefix}schema-{naming}.json"),
            &check(&["schema", "--naming", naming], "", 0).stdout,
        ),
        plain: TempFile::new(&format!("{prefix}plain-{naming}.ndjson"), &generate(&[])),
        awkward: TempFile::new(
            &format!("{prefix}awkward-{naming}.ndjson"),
            &generate(&["--awkward"]),
        ),
    }
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
    // Formats are checked when jsonschema can check `date-time`; otherwise only that part is skipped.
    let formats = python_with("rfc3339_validator", "rfc3339-validator");
    for naming in ["api", "spec", "docs"] {
        let Generated {
            schema,
            plain,
            awkward,
        } = generated("", naming, "4");
        let report = validate(&schema, &[&plain, &awkward]);
        assert!(
            report.ends_with("1000 events, 0 invalid\n"),
            "{naming}: {report}"
        );
        if formats {
            let report = validate_with(&["--formats"], &schema, &[&plain, &awkward]);
            assert!(
                report.ends_with("1000 events, 0 invalid\n"),
                "{naming}, formats checked: {report}"
            );
        }
    }
}

/// Validates `events` against `schema` with ajv 8 and ajv-formats, set up as the README says
/// (`tests/it/node/validate_with_ajv.mjs`); returns its output, whose last line is `N events, M
/// invalid`, or `None` when ajv is not installed (it says so: `.ci/run` installs it with npm and
/// names its folder in `AWORK_SIM_AJV`).
fn validate_with_ajv(schema: &TempFile, events: &[&TempFile]) -> Option<String> {
    let Some(folder) = std::env::var_os("AWORK_SIM_AJV") else {
        eprintln!(
            "SKIPPED: ajv is not installed (npm install --prefix DIR ajv@8 ajv-formats@3, then \
             AWORK_SIM_AJV=DIR); .ci/run installs it"
        );
        return None;
    };
    let script = crate::support::workspace_root().join("tests/it/node/validate_with_ajv.mjs");
    let mut command = std::process::Command::new("node");
    command.arg(script).arg(folder).arg(schema.arg());
    command.args(events.iter().map(|file| file.arg()));
    let output = command.output().expect("node runs");
    assert!(
        output.status.success(),
        "ajv failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn every_generated_event_satisfies_the_schema_in_ajv_with_formats_and_a_broken_one_does_not() {
    for naming in ["api", "spec"] {
        let Generated {
            schema,
            plain,
            awkward,
        } = generated("ajv-", naming, "11");
        let Some(report) = validate_with_ajv(&schema, &[&plain, &awkward]) else {
            return;
        };
        assert!(
            report.ends_with("1000 events, 0 invalid\n"),
            "{naming}: {report}"
        );
        // An impossible timestamp, a non-uuid id and a number for a string: each refused.
        let plain_events = std::fs::read_to_string(plain.arg()).unwrap();
        let first: Value = serde_json::from_str(plain_events.lines().next().unwrap()).unwrap();
        let broken: Vec<Value> = [
            ("timestamp", Value::from("2025-13-45T25:61:61Z")),
            ("timestamp", Value::from("2025-01-02T10:00:00+99:99")),
            ("entityId", Value::from("not-a-uuid")),
            ("eventType", Value::from(7)),
        ]
        .into_iter()
        .map(|(field, value)| {
            let mut event = first.clone();
            event[field] = value;
            event
        })
        .collect();
        let broken = TempFile::new(
            &format!("ajv-broken-{naming}.ndjson"),
            &crate::support::ndjson(&broken),
        );
        let report = validate_with_ajv(&schema, &[&broken]).expect("installed");
        assert!(
            report.ends_with("4 events, 4 invalid\n"),
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

#[test]
fn the_evidenced_extras_are_declared_with_their_types_ids_as_guids() {
    let schema: Value = serde_json::from_str(&check(&["schema"], "", 0).stdout).unwrap();
    for extra in EVIDENCED_EXTRAS {
        let declared = &schema["$defs"][extra.schema]["properties"][extra.property];
        let kind = declared["type"][0].as_str();
        assert!(
            matches!(kind, Some("string" | "integer")),
            "{}.{}: {declared}",
            extra.schema,
            extra.property
        );
        if extra.property.ends_with("Id") {
            assert_eq!(
                declared["format"], "uuid",
                "{}.{}",
                extra.schema, extra.property
            );
            assert!(
                declared["pattern"].is_string(),
                "{}.{}",
                extra.schema,
                extra.property
            );
        }
    }
}

/// The number a figure of `refuse_impossible_values.py` starts with (`2442 mutants, …`).
fn leading_count(line: &str) -> usize {
    let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no count in {line:?}"))
}

#[test]
fn impossible_date_times_times_and_ids_are_refused_with_formats_and_by_the_patterns_alone() {
    if !python_with(
        "jsonschema, rfc3339_validator",
        "jsonschema rfc3339-validator",
    ) {
        return;
    }
    let schema = TempFile::new("schema-mutants.json", &check(&["schema"], "", 0).stdout);
    let events = TempFile::new(
        "mutants.ndjson",
        &check(&["generate", "--count", "300", "--seed", "7"], "", 0).stdout,
    );
    let report = run_python("refuse_impossible_values.py", &[schema.arg(), events.arg()]);
    // One line per class of mutant, each of which must have mutants, all refused both ways.
    let classes: Vec<&str> = report
        .lines()
        .filter(|line| line.contains(" mutants, ") && !line.contains(" classes, "))
        .collect();
    assert!(classes.len() >= 28, "{report}");
    for class in &classes {
        let (name, figures) = class.split_once(": ").expect("CLASS: figures");
        assert!(
            leading_count(figures) >= 10,
            "{name}: too few mutants\n{report}"
        );
        assert!(
            figures.ends_with(" mutants, 0 admitted with formats, 0 admitted without"),
            "{class}\n{report}"
        );
    }
    let total = report
        .lines()
        .find(|line| line.contains(" classes, "))
        .expect("the totals");
    assert!(leading_count(total) >= 1000, "{report}");
    assert!(
        total.ends_with("0 admitted with formats, 0 admitted without"),
        "{report}"
    );
    // The controls (legal but unusual values) pass, so the schema does not refuse everything; the
    // patterns agree with the calendar and the clock.
    let controls = report
        .lines()
        .find(|line| line.contains(" controls, "))
        .unwrap();
    assert!(
        leading_count(controls) >= 1000 && controls.ends_with(", 0 refused"),
        "{report}"
    );
    let calendar = report
        .lines()
        .find(|line| line.contains(" calendar and clock "))
        .unwrap();
    assert!(
        leading_count(calendar) >= 10_000 && calendar.ends_with(", 0 disagreements"),
        "{report}"
    );
}

#[test]
fn events_drawn_from_the_schema_read_into_the_models_pass_a_fromisoformat_parser_and_fail_a_fixed_fraction_one()
 {
    if !python_with(
        "hypothesis_jsonschema",
        "hypothesis==6.130.12 hypothesis-jsonschema==0.23.1",
    ) {
        return;
    }
    let schema = TempFile::new(
        "schema-task-added.json",
        &check(&["schema", "--event", "task_added"], "", 0).stdout,
    );
    let drawn = TempFile::new("schema-drawn.ndjson", "");
    let report = run_python(
        "property_test_from_schema.py",
        &[schema.arg(), "200", drawn.arg()],
    );
    assert!(
        report.contains("correct parser: 200 examples passed\n"),
        "{report}"
    );
    assert!(
        report.contains("fixed-fraction parser: failed on "),
        "{report}"
    );
    // What the schema accepts reads into the models: a failure found by drawing from the schema
    // can be replayed with `send` (with nested ids left out, 18 of these 200 could not).
    let validated = check(&["validate", drawn.arg()], "", 0);
    assert!(
        validated.stderr.ends_with("200 events, 0 invalid\n"),
        "{}",
        validated.stderr
    );
}

/// `count` events drawn from the proptest strategies for `naming`, unknown event types included,
/// as NDJSON.
fn drawn_from_the_strategies(naming: awork_models::Naming, count: usize) -> String {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let strategy =
        awork_generate::strategies::any_event_with(awork_generate::strategies::EventOptions {
            naming,
            unknown_event_types: true,
        });
    let mut runner = TestRunner::deterministic();
    let events: Vec<Value> = (0..count)
        .map(|_| {
            let event = strategy.new_tree(&mut runner).unwrap().current();
            serde_json::to_value(event).unwrap()
        })
        .collect();
    crate::support::ndjson(&events)
}

#[test]
fn events_of_the_proptest_strategies_satisfy_the_schema_of_their_naming() {
    if !python_with("jsonschema", "jsonschema") {
        return;
    }
    for (naming, option) in [
        (awork_models::Naming::Api, "api"),
        (awork_models::Naming::Spec, "spec"),
    ] {
        let schema = TempFile::new(
            &format!("schema-strategies-{option}.json"),
            &check(&["schema", "--naming", option], "", 0).stdout,
        );
        let events = TempFile::new(
            &format!("strategies-{option}.ndjson"),
            &drawn_from_the_strategies(naming, 400),
        );
        let report = validate_with(&["--formats"], &schema, &[&events]);
        assert!(
            report.ends_with("400 events, 0 invalid\n"),
            "{option}: {report}"
        );
        if let Some(report) = validate_with_ajv(&schema, &[&events]) {
            assert!(
                report.ends_with("400 events, 0 invalid\n"),
                "{option}: {report}"
            );
        }
    }
}

#[test]
fn awork_s_documented_example_with_its_bare_tags_satisfies_the_schema() {
    if !python_with("jsonschema", "jsonschema") {
        return;
    }
    let example = std::fs::read_to_string(
        crate::support::workspace_root().join("fixtures/awork-docs-example.json"),
    )
    .unwrap();
    let example: Value = serde_json::from_str(&example).unwrap();
    assert!(example["entity"]["tags"][0].is_string(), "bare names");
    let events = TempFile::new("docs-example.ndjson", &crate::support::ndjson(&[example]));
    for naming in ["api", "spec", "docs"] {
        let schema = TempFile::new(
            &format!("schema-docs-{naming}.json"),
            &check(&["schema", "--naming", naming], "", 0).stdout,
        );
        let report = validate_with(&["--formats"], &schema, &[&events]);
        assert!(
            report.ends_with("1 events, 0 invalid\n"),
            "{naming}: {report}"
        );
        if let Some(report) = validate_with_ajv(&schema, &[&events]) {
            assert!(
                report.ends_with("1 events, 0 invalid\n"),
                "{naming}: {report}"
            );
        }
    }
}
