//! `awork-sim events`: the API's 35 event types by default, the spec's 30 with `--naming spec`, in
//! order, with their entity types; `--json` with every spelling.

use awork_models::{EventType, Naming};
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
fn naming_spec_lists_the_specs_event_types_in_order_with_their_entity_types() {
    let expected: String = spec_event_types()
        .iter()
        .map(|name| format!("{name}\t{}\n", entity_type(name)))
        .collect();
    let run = check(&["events", "--naming", "spec"], "", 0);
    assert_eq!(run.stdout, expected);
    assert!(run.stdout.starts_with("absence_added\tabsence\n"));
    assert!(run.stdout.contains("\nproject_added\tproject\n"));
    assert_eq!(run.stderr, "");
}

#[test]
fn the_default_lists_the_35_names_awork_s_api_registers() {
    let run = check(&["events"], "", 0);
    assert_eq!(
        run.stdout,
        check(&["events", "--naming", "api"], "", 0).stdout
    );
    let names: Vec<&str> = run
        .stdout
        .lines()
        .map(|line| line.split_once('\t').expect("name<TAB>entity type").0)
        .collect();
    let expected: Vec<&str> = EventType::API
        .iter()
        .map(|event| event.name(Naming::Api))
        .collect();
    assert_eq!(names, expected);
    assert_eq!(names.len(), 35);
    for name in [
        "company_added",
        "timetracking_added",
        "tasklist_updated",
        "user_updated",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    let docs = check(&["events", "--naming", "docs"], "", 0);
    assert_eq!(docs.stdout.lines().count(), 30);
    assert!(docs.stdout.contains("client_updated\tcompany\n"));
}

#[test]
fn json_is_one_array_with_every_spelling_of_every_type() {
    let run = check(&["events", "--json"], "", 0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let listed: Value = serde_json::from_str(&run.stdout).expect("--json prints JSON");
    let expected: Vec<Value> = EventType::API
        .iter()
        .map(|event| {
            json!({
                "eventType": event.name(Naming::Api),
                "entityType": event.entity_type().as_str(),
                "spellings": {
                    "api": event.name_in(Naming::Api),
                    "spec": event.name_in(Naming::Spec),
                    "docs": event.name_in(Naming::Docs),
                },
            })
        })
        .collect();
    assert_eq!(listed, Value::Array(expected));
    let spec = check(&["events", "--json", "--naming", "spec"], "", 0);
    let listed: Vec<Value> = serde_json::from_str(&spec.stdout).unwrap();
    let names: Vec<&str> = listed
        .iter()
        .map(|row| row["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(names, spec_event_types());
}
