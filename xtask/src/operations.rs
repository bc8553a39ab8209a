//! `cargo xtask operations`: writes the table of awork's API operations
//! (`crates/awork-workspace/src/operations.txt`) from awork's OpenAPI document: one line per
//! operation, `METHOD /path/{param} operationId`, sorted by path then method. `serve` answers an
//! operation it does not simulate with a 501 naming it, from this table, without carrying the
//! 2.8 MB document in the binary; a test in awork-workspace checks the table against the document.

use serde_json::Value;

/// awork's OpenAPI document, as committed.
const OPENAPI: &str = include_str!("../../spec/openapi.json");

/// Where the table goes, from the workspace root.
pub const PATH: &str = "crates/awork-workspace/src/operations.txt";

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
