//! The operations of awork's API (`operations.txt`, written by `cargo xtask operations` from
//! `spec/openapi.json`): which method and path template each has, and its operationId. serve
//! answers an operation it does not simulate with a 501 naming it, and a path awork's API does
//! not have with a 404.

use std::sync::LazyLock;

/// The table, one `METHOD /path/{param} operationId` per line.
const TABLE: &str = include_str!("operations.txt");

/// The operations of awork's API that serve simulates, by operationId. A request for any other
/// operation of the document is a 501 naming it, before routing: so `GET /companies/industries`
/// is not taken for a company whose id is `industries`. A test checks that these, and only these,
/// are answered.
pub const SIMULATED: &[&str] = &[
    // Webhooks.
    "GetWebhooks",
    "PostWebhook",
    "GetWebhook",
    "PutWebhook",
    "DeleteWebhook",
    "GetWebhookLogs",
    "GetWebhookEventTypes",
    "GetSlackEventTypes",
    // Users.
    "GetMe",
    "GetUsersMe",
    "GetUsers",
    "GetUserById",
    "GetUserAssignedTasksByUserId",
    "GetLastTimeEntriesByUserId",
    // Projects.
    "GetProjects",
    "PostProject",
    "GetProjectById",
    "PutProjectById",
    "PostProjectChangeStatusByProjectId",
    "PostProjectDeleteByProjectId",
    "PostProjectAddProjectMemberByProjectId",
    "PostProjectRemoveProjectMemberByProjectId",
    "GetProjectMembersByProjectId",
    "GetProjectProjectTasksByProjectId",
    "GetProjectTaskListsByProjectId",
    "GetProjectTaskStatusesByProjectId",
    "GetCommentsByProjectNameAndProjectId",
    "PostCommentsByProjectNameAndProjectId",
    // Tasks.
    "PostTask",
    "GetTaskById",
    "PutTaskById",
    "PostTasksChangeStatuses",
    "PostTasksDelete",
    "PostTaskSetAssigneesByTaskId",
    "GetCommentsByTaskNameAndTaskId",
    "PostCommentsByTaskNameAndTaskId",
    "GetTaskTimeEntries",
    "GetMeProjectTasks",
    "GetMeAssignedTasks",
    // Time.
    "GetTimeEntries",
    "PostTimeEntry",
    "GetTimeEntryById",
    "PutTimeEntryById",
    "DeleteTimeEntryById",
    "GetAbsences",
    "GetAbsenceById",
    // Companies and the workspace's settings.
    "GetCompanies",
    "PostCompany",
    "GetCompanyById",
    "PutCompanyById",
    "PostCompanyDeleteByCompanyId",
    "GetTypesOfWork",
    "GetTypeOfWorkById",
    "GetProjectStatuses",
    "GetProjectStatusById",
    "GetProjectTypes",
    "GetProjectTypeById",
];

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

/// The operation of awork's API that `method` on `path` (under `/api/v1`) is, when awork-sim does
/// not simulate it.
pub fn not_simulated(method: &str, path: &str) -> Option<Operation> {
    at(path)
        .into_iter()
        .find(|operation| operation.method == method && !SIMULATED.contains(&operation.id))
}

/// The operations of the templates that fit `path` best: empty when awork's API has no such
/// path. Templates of one shape (`/roles/{roleId}` and `/roles/{roleName}`) fit alike, and all
/// their operations are returned.
pub fn at(path: &str) -> Vec<Operation> {
    let fits: Vec<(usize, Operation)> = operations()
        .iter()
        .filter_map(|operation| fit(operation.path, path).map(|literal| (literal, *operation)))
        .collect();
    let Some(best) = fits.iter().map(|(literal, _)| *literal).max() else {
        return Vec::new();
    };
    fits.into_iter()
        .filter(|(literal, _)| *literal == best)
        .map(|(_, operation)| operation)
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
    fn every_simulated_operation_is_in_the_document() {
        for id in SIMULATED {
            assert!(
                operations().iter().any(|operation| operation.id == *id),
                "{id}"
            );
        }
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
