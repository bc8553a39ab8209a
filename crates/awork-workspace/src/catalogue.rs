//! The operations of awork's API (`operations.txt`, written by `cargo xtask operations` from
//! `spec/openapi.json`): which method and path template each has, and its operationId. serve
//! answers an operation it does not simulate with a 501 naming it, and a path awork's API does
//! not have with a 404.

use std::sync::LazyLock;

/// The table, one `METHOD /path/{param} operationId` per line.
const TABLE: &str = include_str!("operations.txt");

/// One operation of awork's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path template under `/api/v1`, as the document writes it (`/tasks/{taskId}`).
    pub path: &'static str,
    /// The operationId (`GetTaskById`).
    pub id: &'static str,
}

static OPERATIONS: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    TABLE
        .lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            Some(Operation {
                method: parts.next()?,
                path: parts.next()?,
                id: parts.next()?,
            })
        })
        .collect()
});

/// Every operation of awork's API.
pub fn operations() -> &'static [Operation] {
    &OPERATIONS
}

/// How well `path` (under `/api/v1`, without a query) fits a template: `None` when it does not,
/// otherwise the number of literal segments, so that `/webhooks/eventtypes` prefers its own
/// template to `/webhooks/{webhookId}`. Literal segments match case-insensitively.
fn fit(template: &str, path: &str) -> Option<usize> {
    let mut literal = 0;
    let mut templates = template.trim_matches('/').split('/');
    let mut segments = path.trim_matches('/').split('/');
    loop {
        match (templates.next(), segments.next()) {
            (None, None) => return Some(literal),
            (Some(template), Some(segment)) if template.starts_with('{') => {
                if segment.is_empty() {
                    return None;
                }
            }
            (Some(template), Some(segment)) if template.eq_ignore_ascii_case(segment) => {
                literal += 1;
            }
            _ => return None,
        }
    }
}

/// The operations of the template that fits `path` best (one per method): empty when awork's
/// API has no such path.
pub fn at(path: &str) -> Vec<Operation> {
    let fits: Vec<(usize, Operation)> = operations()
        .iter()
        .filter_map(|operation| fit(operation.path, path).map(|literal| (literal, *operation)))
        .collect();
    let Some(best) = fits.iter().map(|(literal, _)| *literal).max() else {
        return Vec::new();
    };
    let template = fits
        .iter()
        .find(|(literal, _)| *literal == best)
        .map(|(_, operation)| operation.path);
    fits.into_iter()
        .map(|(_, operation)| operation)
        .filter(|operation| Some(operation.path) == template)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_documents_operations() {
        let document: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../spec/openapi.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let mut expected = Vec::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    expected.push((
                        path.clone(),
                        method.to_ascii_uppercase(),
                        operation["operationId"].as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
        expected.sort();
        let table: Vec<(String, String, String)> = operations()
            .iter()
            .map(|operation| {
                (
                    operation.path.to_owned(),
                    operation.method.to_owned(),
                    operation.id.to_owned(),
                )
            })
            .collect();
        assert_eq!(
            table, expected,
            "operations.txt is stale: run `cargo xtask operations`"
        );
        assert_eq!(table.len(), 672);
    }

    #[test]
    fn paths_find_their_templates_literal_segments_first() {
        let ids = |path: &str| -> Vec<&str> { at(path).iter().map(|op| op.id).collect() };
        assert_eq!(ids("/webhooks/eventtypes"), ["GetWebhookEventTypes"]);
        assert!(ids("/webhooks/0d6ad2b5-c9d1-4c3b-8f57-35f2b1ec1c5a").contains(&"GetWebhook"));
        assert!(ids("/Tasks/abc/Comments").contains(&"GetCommentsByTaskNameAndTaskId"));
        assert!(ids("/no/such/path").is_empty());
        assert!(ids("/tasks//comments").is_empty());
    }
}
