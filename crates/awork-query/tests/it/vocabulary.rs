//! Vocabularies from awork's OpenAPI document, from examples, and open ones.

use awork_query::{ListEndpoint, Vocabulary};
use serde_json::json;

use super::{DOCUMENT, context, encode, ids, tasks};

#[test]
fn every_list_schema_of_awork_reads() {
    for schema in [
        "TaskModel",
        "TimeTracking",
        "Project",
        "User",
        "Company",
        "TaskStatus",
    ] {
        Vocabulary::from_openapi(&DOCUMENT, schema).unwrap_or_else(|error| panic!("{error}"));
    }
}

#[test]
fn refs_and_items_resolve_nested_paths_in_the_json_spelling() {
    let vocabulary = Vocabulary::from_openapi(&DOCUMENT, "Project").unwrap();
    let endpoint = ListEndpoint::new(vocabulary, "createdOn").unwrap();
    for filter in [
        "members/any(m: m/FIRSTNAME eq 'Neil')",
        "members/count() lt 10",
        "projectstatus/type eq 'progress'",
        "company/name eq 'awork'",
        "tags/any(t: t/name eq 'x')",
    ] {
        endpoint
            .parse(&format!("filterby={}", encode(filter)))
            .unwrap_or_else(|error| panic!("{filter}: {error}"));
    }
    // The schema's spelling is what is looked up, though the filter wrote it otherwise.
    let query = endpoint
        .parse("filterby=PROJECTSTATUS/TYPE eq 'closed'")
        .unwrap();
    let projects = vec![
        json!({"id": "p1", "createdOn": "2024-01-01T00:00:00Z", "projectStatus": {"type": "closed"}}),
        json!({"id": "p2", "createdOn": "2024-01-02T00:00:00Z", "projectStatus": {"type": "progress"}}),
    ];
    assert_eq!(ids(&query.apply(projects, &context()).items), ["p1"]);
}

#[test]
fn recursive_schemas_resolve_without_end() {
    let document = json!({"components": {"schemas": {
        "Folder": {"type": "object", "properties": {
            "name": {"type": "string"},
            "parent": {"$ref": "#/components/schemas/Folder"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Folder"}},
        }},
    }}});
    let vocabulary = Vocabulary::from_openapi(&document, "Folder").unwrap();
    let endpoint = ListEndpoint::new(vocabulary, "name").unwrap();
    endpoint
        .parse("filterby=parent/parent/children/any(c: c/parent/name eq 'x')")
        .unwrap();
    let error = endpoint
        .parse("filterby=parent/parent/nmae eq 'x'")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "filterby: unknown property 'parent/parent/nmae' at column 15"
    );
}

#[test]
fn from_examples_knows_the_union_of_their_properties() {
    let vocabulary = Vocabulary::from_examples(&tasks());
    let endpoint = ListEndpoint::new(vocabulary, "createdOn").unwrap();
    endpoint
        .parse("filterby=lists/any(l: l/order gt 1)")
        .unwrap();
    endpoint
        .parse("filterby=assignees/any(a: a/lastName eq 'x')")
        .unwrap();
    // `dueOn` is a string in some tasks and null in one: still known.
    endpoint.parse("filterby=dueOn eq null").unwrap();
    let error = endpoint.parse("filterby=closedOn eq null").unwrap_err();
    assert_eq!(
        error.to_string(),
        "filterby: unknown property 'closedOn' at column 1"
    );
}

#[test]
fn an_open_vocabulary_accepts_every_name_and_resolves_it_in_any_case() {
    let endpoint = ListEndpoint::new(Vocabulary::open(), "ID").unwrap();
    let query = endpoint
        .parse("filterby=TASKSTATUS/TYPE eq 'todo'")
        .unwrap();
    assert_eq!(ids(&query.apply(tasks(), &context()).items), ["t4"]);
    assert!(endpoint.parse("filterby=whatever/else eq 1").is_ok());
}
