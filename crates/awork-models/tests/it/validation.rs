//! Validation names the property at fault for each problem a receiver would care about.

use awork_models::{Problem, validate_value};
use serde_json::{Value, json};

use super::docs_example;

#[track_caller]
fn check(edit: impl FnOnce(&mut Value), expected: &[&str]) {
    let mut value = docs_example();
    edit(&mut value);
    let problems = validate_value(value).expect_err("the event is invalid");
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(messages, expected);
}

#[test]
fn entity_id_must_be_the_entity_s_id() {
    check(
        |event| event["entityId"] = json!("00000000-0000-4000-8000-000000000000"),
        &[
            "entityId: \"00000000-0000-4000-8000-000000000000\" differs from entity.id \"8293ac0e-0aaa-468c-b3fc-480b2d7200f0\"",
        ],
    );
}

#[test]
fn entity_type_must_fit_the_event_type() {
    check(
        |event| event["entityType"] = json!("task"),
        &[
            "entityType: \"task\" does not fit eventType \"project_added\", which carries a \"project\"",
        ],
    );
}

#[test]
fn entity_must_be_present() {
    check(
        |event| _ = event.as_object_mut().unwrap().remove("entity"),
        &["entity: missing"],
    );
}

#[test]
fn timestamps_must_be_timestamps() {
    check(
        |event| event["timestamp"] = json!("yesterday"),
        &["timestamp: not a timestamp: \"yesterday\" (expected YYYY-MM-DDTHH:MM:SS)"],
    );
    check(
        |event| event["entity"]["createdOn"] = json!("2023-09-03T20:28:39.12345678Z"),
        &[
            "entity.createdOn: not a timestamp: \"2023-09-03T20:28:39.12345678Z\" (more than 7 fractional digits)",
        ],
    );
}

#[test]
fn required_properties_and_types_are_named_with_their_path() {
    check(
        |event| _ = event["entity"].as_object_mut().unwrap().remove("name"),
        &["entity.name: missing"],
    );
    check(
        |event| event["entity"]["members"][0]["isResponsible"] = json!("yes"),
        &["entity.members[0].isResponsible: invalid type: string \"yes\", expected a boolean"],
    );
    let problems = validate_value(json!([1])).unwrap_err();
    assert!(
        matches!(&problems[..], [Problem::InvalidValue { .. }]),
        "{problems:?}"
    );
}

#[test]
fn several_problems_are_reported_together() {
    let mut value = docs_example();
    value["entityId"] = json!("0b0a4c5e-6f7d-4e8a-9b1c-2d3e4f5a6b7c");
    value["entityType"] = json!("user");
    let problems = validate_value(value).unwrap_err();
    assert_eq!(
        problems.iter().map(Problem::path).collect::<Vec<_>>(),
        ["entityId", "entityType"]
    );
}

#[test]
fn ids_and_the_timestamp_have_the_forms_the_schema_requires() {
    let other_guid = "0B0A4C5E-6F7D-4E8A-9B1C-2D3E4F5A6B7C";
    check(
        |event| {
            event["timestamp"] = json!("2025-01-01T10:00:00");
            event["entityId"] = json!("x");
            event["entity"]["id"] = json!("x");
            event["triggeredBy"]["id"] = json!(other_guid);
        },
        &[
            "timestamp: no offset: awork writes the event's time with one (`+00:00`)",
            "entityId: \"x\" is not a GUID (lowercase 8-4-4-4-12 hexadecimal digits)",
            "triggeredBy.id: \"0B0A4C5E-6F7D-4E8A-9B1C-2D3E4F5A6B7C\" is not a GUID (lowercase \
             8-4-4-4-12 hexadecimal digits)",
        ],
    );
    // The same when the event has other problems that keep it from reading into the models.
    check(
        |event| {
            event["entityId"] = json!("x");
            _ = event["entity"].as_object_mut().unwrap().remove("name");
        },
        &[
            "entityId: \"x\" is not a GUID (lowercase 8-4-4-4-12 hexadecimal digits)",
            "entity.name: missing",
            "entityId: \"x\" differs from entity.id \"8293ac0e-0aaa-468c-b3fc-480b2d7200f0\"",
        ],
    );
}

#[test]
fn every_problem_of_an_event_is_reported_not_only_the_first() {
    check(
        |event| {
            event["timestamp"] = json!("yesterday");
            _ = event.as_object_mut().unwrap().remove("entityId");
            event["entityType"] = json!("task");
        },
        &[
            "timestamp: not a timestamp: \"yesterday\" (expected YYYY-MM-DDTHH:MM:SS)",
            "entityId: missing",
            "entityType: \"task\" does not fit eventType \"project_added\", which carries a \"project\"",
        ],
    );
}

#[test]
fn one_bad_value_in_the_entity_does_not_hide_the_next() {
    check(
        |event| {
            event["entity"]["createdOn"] = json!("soon");
            event["entity"]["name"] = json!(42);
            event["entity"]["isPrivate"] = json!("no");
        },
        &[
            "entity.createdOn: not a timestamp: \"soon\" (expected YYYY-MM-DDTHH:MM:SS)",
            "entity.name: invalid type: integer `42`, expected a string",
            "entity.isPrivate: invalid type: string \"no\", expected a boolean",
        ],
    );
}

#[test]
fn a_repeated_key_is_a_problem_with_its_path() {
    let text = r#"{"eventType":"a","entity":{"id":"x","name":"A","members":[{"id":1,"id":2}],"name":"B"},"eventType":"b"}"#;
    let paths: Vec<String> = awork_models::duplicate_keys(text)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        paths,
        [
            "entity.members[0].id: the key appears more than once in its object",
            "entity.name: the key appears more than once in its object",
            "eventType: the key appears more than once in its object",
        ]
    );
    assert!(awork_models::duplicate_keys(&docs_example().to_string()).is_empty());
    let paths = |text: &str| -> Vec<String> {
        awork_models::duplicate_keys(text)
            .iter()
            .map(|problem| problem.path().to_owned())
            .collect()
    };
    // Many keys (looked up in a set past a few), an array at the top, a key written with an
    // escape.
    let many: Vec<String> = (0..40).map(|n| format!(r#""k{n}":{n}"#)).collect();
    assert_eq!(
        paths(&format!(
            r#"{{{},"k3":3,"k39":{{"k39":1}},"k30":0}}"#,
            many.join(",")
        )),
        ["k3", "k39", "k30"]
    );
    assert_eq!(
        paths(r#"[{"a":1},{"b":[0,{"a":1,"a":2}],"b":1}]"#),
        ["[1].b[1].a", "[1].b"]
    );
    assert_eq!(paths(r#"{"e":{"a\u0062":1,"ab":2}}"#), ["e.ab"]);
}

#[test]
fn an_event_name_awork_never_used_is_a_warning_not_a_problem() {
    let mut value = docs_example();
    assert!(awork_models::warnings(&value).is_empty());
    value["eventType"] = json!("file_added");
    assert!(validate_value(value.clone()).is_ok());
    let warnings: Vec<String> = awork_models::warnings(&value)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        warnings,
        [
            "eventType: \"file_added\" is not a name awork has used; receivers will read it as an unknown event type"
        ]
    );
}

/// An event with a key repeated anywhere is not valid from its text (`valid_event`, the quick
/// check `send` and `listen` make), as `validate`'s walk of its keys says: a known property or an
/// unknown one, in the envelope, the entity, a nested object or an array's object.
#[test]
fn a_repeated_key_anywhere_makes_an_event_invalid_from_its_text() {
    let text = docs_example().to_string();
    assert!(awork_models::valid_event(&text).is_some());
    let repeats = [
        (r#""eventType":"#, r#""eventType":"project_added","#),
        (r#""eventType":"#, r#""mine":1,"mine":2,"#),
        (r#""entity":{"#, r#""name":"A","#),
        (r#""entity":{"#, r#""mine":1,"mine":2,"#),
        (r#""projectStatus":{"#, r#""name":"A","#),
        (r#""projectStatus":{"#, r#""mine":{"a":1},"mine":{"a":2},"#),
        (
            r#""members":[{"#,
            r#""userId":"7936d6b8-3345-4770-83c8-2c8c2ed12414","#,
        ),
        (r#""members":[{"#, r#""mine":1,"mine":2,"#),
        // Within the value of an unknown property, at any depth.
        (r#""eventType":"#, r#""mine":{"a":[{"b":1,"b":2}]},"#),
        (r#""entity":{"#, r#""mine":{"a":1,"a":2},"#),
    ];
    for (at, repeated) in repeats {
        let start = text.find(at).expect("in the example") + at.len();
        let at_value = if at.ends_with(':') {
            start - at.len()
        } else {
            start
        };
        let edited = format!("{}{repeated}{}", &text[..at_value], &text[at_value..]);
        assert!(
            !awork_models::duplicate_keys(&edited).is_empty(),
            "the walk finds it: {edited}"
        );
        assert!(
            awork_models::valid_event(&edited).is_none(),
            "valid from its text: {repeated} at {at}"
        );
    }
    // The entity of an event type the models do not know, kept as it came, too.
    let unknown = text.replacen("\"project_added\"", "\"file_added\"", 1);
    assert!(awork_models::valid_event(&unknown).is_some(), "{unknown}");
    let twice = unknown.replacen("\"entity\":{", "\"entity\":{\"a\":1,\"a\":2,", 1);
    assert!(awork_models::valid_event(&twice).is_none(), "{twice}");
}
