//! `awork-sim events`: the spec's 30 event types, in the spec's order, with their entity types.

use awork_models::EventType;
use serde_json::{Value, json};

use crate::support::{check, workspace_root};

/// The event types of the spec's table (`| \`name\` |` lines of `spec/awork-webhooks.md`), in order.
fn spec_event_types() -> Vec<String> {
    let spec = std::fs::read_to_string(workspace_root().join("spec/awork-webhooks.md"))
        .expect("the spec exists");
    let names: Vec<String> = spec
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.trim().strip_prefix("| `")?.split_once('`')?;
            (rest.trim() == "|").then(|| name.to_owned())
        })
        .collect();
    assert_eq!(names.len(), 30, "the spec's table: {names:?}");
    names
}

/// The entity type of the event type the spec calls `name`.
fn entity_type(name: &str) -> &'static str {
    let event: EventType = name.parse().expect("the spec's names are known");
    event.entity_type().as_str()
}

#[test]
fn lists_the_specs_event_types_in_order_with_their_entity_types() {
    let expected: String = spec_event_types()
        .iter()
        .map(|name| format!("{name}\t{}\n", entity_type(name)))
        .collect();
    let run = check(&["events"], "", 0);
    assert_eq!(run.stdout, expected);
    assert!(run.stdout.starts_with("absence_added\tabsence\n"));
    assert!(run.stdout.contains("\nproject_added\tproject\n"));
    assert_eq!(run.stderr, "");
}

#[test]
fn json_is_one_array_of_the_same_list() {
    let run = check(&["events", "--json"], "", 0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let listed: Value = serde_json::from_str(&run.stdout).expect("--json prints JSON");
    let expected: Vec<Value> = spec_event_types()
        .iter()
        .map(|name| json!({"eventType": name, "entityType": entity_type(name)}))
        .collect();
    assert_eq!(listed, Value::Array(expected));
}
