//! `cargo xtask operations`: writes what `serve` needs of awork's OpenAPI document, so that the
//! binary does not carry the whole 2.8 MB of it; tests in awork-workspace check both against the
//! document.
//!
//! - `crates/awork-workspace/src/operations.txt`: the table of awork's API operations, one line
//!   per operation, `METHOD /path/{param} operationId`, sorted by path then method. `serve`
//!   answers an operation it does not simulate with a 501 naming it.
//! - `crates/awork-workspace/src/rest/schemas.json`: the response models of the operations
//!   `serve` simulates, with every model they refer to, as `{"components": {"schemas": …}}`: what
//!   the REST API's answers carry (nothing undeclared) and what `filterby` and `orderby` may name.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// awork's OpenAPI document, as committed.
const OPENAPI: &str = include_str!("../../spec/openapi.json");

/// Where the table goes, from the workspace root.
pub const PATH: &str = "crates/awork-workspace/src/operations.txt";

/// Where the response models go, from the workspace root.
pub const SCHEMAS_PATH: &str = "crates/awork-workspace/src/rest/schemas.json";

/// The response models of the simulated operations.
pub const RESPONSE_MODELS: [&str; 16] = [
    "Absence",
    "Comment",
    "Company",
    "Project",
    "ProjectMember",
    "ProjectStatus",
    "ProjectType",
    "TaskList",
    "TaskModel",
    "TaskStatus",
    "TimeTracking",
    "TypeOfWork",
    "User",
    "UserAndWorkspace",
    "WebhookConfig",
    "WebhookLog",
];

/// The table's text.
pub fn table() -> String {
    let document: Value = serde_json::from_str(OPENAPI).expect("the committed document is JSON");
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if !matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch") {
                continue;
            }
            let id = operation["operationId"].as_str().unwrap_or("-");
            lines.push((path.clone(), method.to_ascii_uppercase(), id.to_owned()));
        }
    }
    lines.sort();
    lines
        .into_iter()
        .map(|(path, method, id)| format!("{method} {path} {id}\n"))
        .collect()
}

/// The response models' text: [`RESPONSE_MODELS`] and every model they refer to, in name order.
pub fn schemas() -> String {
    let document: Value = serde_json::from_str(OPENAPI).expect("the committed document is JSON");
    let all = &document["components"]["schemas"];
    let mut kept: BTreeMap<String, Value> = BTreeMap::new();
    let mut waiting: Vec<String> = RESPONSE_MODELS
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    while let Some(name) = waiting.pop() {
        if kept.contains_key(&name) {
            continue;
        }
        let schema = all[&name].clone();
        references(&schema, &mut waiting);
        kept.insert(name, schema);
    }
    let schemas: Map<String, Value> = kept.into_iter().collect();
    let mut text = serde_json::to_string_pretty(&json!({"components": {"schemas": schemas}}))
        .expect("JSON serializes");
    text.push('\n');
    text
}

/// Pushes the names of the models `value` refers to (`$ref: #/components/schemas/Name`).
fn references(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(reference)) => {
                        if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                            into.push(name.to_owned());
                        }
                    }
                    _ => references(inner, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, into)),
        _ => {}
    }
}
