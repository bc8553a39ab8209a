//! The integration tests of awork-query: one binary, topical modules, and the shared fixtures: a
//! handful of hand-written tasks and time entries in awork's JSON, listed through endpoints whose
//! vocabularies come from awork's OpenAPI document.

mod client_filters;
mod errors;
mod grammar;
mod never_panics;
mod order;
mod paging;
mod vocabulary;

use std::sync::LazyLock;

use awork_query::{ListEndpoint, QueryContext, Vocabulary};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// awork's OpenAPI document, as copied into the repository.
pub static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../../spec/openapi.json"))
        .expect("the document is JSON")
});

/// The caller of every request (`me.id`).
pub const USER_NEIL: &str = "b1e3a0c2-0000-4000-8000-000000000001";
/// Another user.
pub const USER_ADA: &str = "b1e3a0c2-0000-4000-8000-000000000002";
/// The project of t1 and t4.
pub const PROJECT_WEBSITE: &str = "5a1f0e2d-8c33-eb11-a607-00155d31310d";
/// The project of t2 and t5.
pub const PROJECT_LOGO: &str = "5a1f0e2d-8c33-eb11-a607-00155d313aaa";
/// The list t1 and t4 are on.
pub const LIST_BACKLOG: &str = "c0ffee00-0000-4000-8000-00000000000a";

/// Wednesday 15 May 2024, 10:30 UTC: the week runs from Monday 13 May to Sunday 19 May.
pub fn now() -> DateTime<Utc> {
    "2024-05-15T10:30:00Z".parse().expect("an instant")
}

/// Neil's request at [`now`].
pub fn context() -> QueryContext {
    QueryContext {
        now: now(),
        current_user_id: USER_NEIL.to_owned(),
    }
}

/// `GET /me/projecttasks`: TaskModel, by `createdOn`, then `id` unless asked otherwise.
pub fn task_endpoint() -> ListEndpoint {
    let vocabulary = Vocabulary::from_openapi(&DOCUMENT, "TaskModel").expect("TaskModel");
    ListEndpoint::new(vocabulary, "createdOn,id").expect("a valid default order")
}

/// `GET /timeentries`: TimeTracking.
pub fn time_entry_endpoint() -> ListEndpoint {
    let vocabulary = Vocabulary::from_openapi(&DOCUMENT, "TimeTracking").expect("TimeTracking");
    ListEndpoint::new(vocabulary, "createdOn,id").expect("a valid default order")
}

/// Five tasks, `t1` to `t5` in creation order, with the shapes awork's JSON has: nested status
/// and project, offsets and no offsets, absent and null properties, collections.
pub fn tasks() -> Vec<Value> {
    vec![
        json!({
            "id": "t1", "name": "Test", "baseType": "projecttask", "isPrio": true,
            "taskStatus": {"name": "Done", "type": "done"},
            "projectId": PROJECT_WEBSITE, "project": {"id": PROJECT_WEBSITE, "name": "Website"},
            "dueOn": "2024-05-10T00:00:00Z", "plannedDuration": 3600,
            "assignees": [{"id": USER_NEIL, "firstName": "Neil", "lastName": "Armstrong"}],
            "lists": [{"id": LIST_BACKLOG, "name": "Backlog", "order": 1.5}],
            "userId": USER_NEIL, "resourceVersion": 638_505_000_000_000_001_i64,
            "createdOn": "2024-01-01T08:00:00Z",
        }),
        json!({
            "id": "t2", "name": "test xylophone", "baseType": "projecttask", "isPrio": false,
            "taskStatus": {"name": "In progress", "type": "progress"},
            "projectId": PROJECT_LOGO, "project": {"id": PROJECT_LOGO, "name": "Logo"},
            "dueOn": "2024-05-15T12:00:00+02:00", "plannedDuration": 200,
            "assignees": [
                {"id": USER_NEIL, "firstName": "Neil"},
                {"id": USER_ADA, "firstName": "Ada", "lastName": "Lovelace"},
            ],
            "lists": [],
            "userId": USER_ADA, "resourceVersion": 638_505_000_000_000_002_i64,
            "createdOn": "2024-01-02T08:00:00.1234567Z",
        }),
        json!({
            "id": "t3", "name": "O'Brien's box", "baseType": "private", "isPrio": false,
            "dueOn": null, "plannedDuration": 4,
            "assignees": [],
            "userId": USER_NEIL, "resourceVersion": 638_505_000_000_000_003_i64,
            "createdOn": "2024-01-03T08:00:00Z",
        }),
        json!({
            "id": "t4", "name": "Design X", "baseType": "projecttask", "isPrio": true,
            "taskStatus": {"name": "To do", "type": "todo"},
            "projectId": PROJECT_WEBSITE, "project": {"id": PROJECT_WEBSITE, "name": "Xmas campaign"},
            "dueOn": "2024-05-13T09:00:00", "plannedDuration": 0,
            "assignees": [{"id": USER_ADA, "firstName": "Ada"}],
            "lists": [{"id": LIST_BACKLOG, "name": "Backlog", "order": 2}],
            "userId": USER_ADA, "resourceVersion": 638_505_000_000_000_004_i64,
            "createdOn": "2024-01-04T08:00:00Z",
        }),
        json!({
            "id": "t5", "name": "Plan Q3 & 100% more", "baseType": "projecttask", "isPrio": false,
            "taskStatus": {"name": "Done", "type": "DONE"},
            "projectId": PROJECT_LOGO, "project": {"id": PROJECT_LOGO, "name": "logo"},
            "dueOn": "2024-06-01T00:00:00Z", "plannedDuration": 7200,
            "assignees": [{"id": USER_NEIL, "firstName": "Neil"}],
            "userId": USER_NEIL, "resourceVersion": 638_505_000_000_000_005_i64,
            "createdOn": "2024-01-05T08:00:00Z",
        }),
    ]
}

/// Six time entries, `e1` to `e6` in creation order, around the year 2022.
pub fn time_entries() -> Vec<Value> {
    let entry =
        |id: &str, start: &str, project: &str, billable: bool, billed: bool, duration: i64| {
            json!({
                "id": id, "startDateUtc": start, "projectId": project, "isBillable": billable,
                "isBilled": billed, "duration": duration, "userId": USER_NEIL,
                "typeOfWorkId": "d0d0d0d0-0000-4000-8000-000000000000", "timezone": "Europe/Berlin",
                "startDateLocal": "2022-03-01T00:00:00", "startTimeLocal": "10:00:00",
                "createdOn": format!("2023-02-0{}T00:00:00Z", &id[1..]),
            })
        };
    vec![
        entry(
            "e1",
            "2022-03-01T09:00:00Z",
            PROJECT_WEBSITE,
            true,
            false,
            3600,
        ),
        entry(
            "e2",
            "2022-12-31T23:59:59Z",
            PROJECT_WEBSITE,
            true,
            true,
            60,
        ),
        entry(
            "e3",
            "2023-01-01T00:00:00Z",
            PROJECT_WEBSITE,
            true,
            false,
            5,
        ),
        entry("e4", "2022-06-01T08:00:00Z", PROJECT_LOGO, true, false, 3),
        entry(
            "e5",
            "2022-06-01T08:00:00Z",
            PROJECT_WEBSITE,
            false,
            false,
            6,
        ),
        // 2022-01-01T01:00Z: in 2022 in UTC, though its text says 2021.
        entry(
            "e6",
            "2021-12-31T23:00:00-02:00",
            PROJECT_WEBSITE,
            true,
            false,
            4,
        ),
    ]
}

/// Percent-encodes what a query-string value cannot hold as it is.
pub fn encode(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('&', "%26")
        .replace('+', "%2B")
        .replace('#', "%23")
}

/// The ids of the tasks (or time entries, by the id's first letter) that `filter` matches, in the
/// default order.
#[track_caller]
pub fn matching(filter: &str) -> Vec<String> {
    let (endpoint, items) = endpoint_and_items(filter);
    let query = endpoint
        .parse(&format!("filterby={}", encode(filter)))
        .unwrap_or_else(|error| panic!("{filter:?} does not parse: {error}"));
    ids(&query.apply(items, &context()).items)
}

/// Asserts which items `filter` matches.
#[track_caller]
pub fn check(filter: &str, expected: &[&str]) {
    assert_eq!(matching(filter), expected, "filterby={filter}");
}

/// Time-entry filters are told apart from task filters by the properties they name.
fn endpoint_and_items(filter: &str) -> (ListEndpoint, Vec<Value>) {
    let lower = filter.to_lowercase();
    if lower.starts_with("duration")
        || ["startdateutc", "isbillable"]
            .iter()
            .any(|p| lower.contains(p))
    {
        (time_entry_endpoint(), time_entries())
    } else {
        (task_endpoint(), tasks())
    }
}

/// The `id` of each item.
pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}
