//! Every real client's filter string from API.md §3.1, against the fixtures.

use super::{
    LIST_BACKLOG, PROJECT_WEBSITE, USER_ADA, check, context, encode, ids, task_endpoint, tasks,
};

#[test]
fn php_sdk_name_eq_test_matches_any_case() {
    check("Name eq 'Test'", &["t1"]);
}

#[test]
fn raycast_open_tasks_containing_text_in_name_or_project() {
    let filter =
        "taskstatus/type ne 'done' and (substringof('x',name) or substringof('x',project/name))";
    // t1 and t5 are done (t5's type is upper case: still done); t3 has no status, and null ne
    // 'done' holds, and an 'x' in its "box"; t2 has 'x' in its name, t4 in both.
    check(filter, &["t2", "t3", "t4"]);
}

#[test]
fn id_eq_guid() {
    let mut items = tasks();
    items[2]["id"] = PROJECT_WEBSITE.to_uppercase().into();
    let query = task_endpoint()
        .parse(&format!("filterby=id eq guid'{PROJECT_WEBSITE}'"))
        .unwrap();
    assert_eq!(
        query.apply(items, &context()).items.len(),
        1,
        "guids compare in any case"
    );
}

#[test]
fn company_or_project_id_eq_guid() {
    check(
        &format!("projectId eq guid'{PROJECT_WEBSITE}'"),
        &["t1", "t4"],
    );
    check(&format!("projectId eq '{PROJECT_WEBSITE}'"), &["t1", "t4"]);
}

#[test]
fn u1_time_entries_of_a_year_billable_not_billed() {
    let filter = format!(
        "startDateUtc ge datetime'2022-01-01T00:00:00' and startDateUtc le datetime'2022-12-31T23:59:59' \
         and (projectId eq guid'{PROJECT_WEBSITE}') and (isBillable eq true and isBilled eq false)"
    );
    check(&filter, &["e1", "e6"]);
}

#[test]
fn n8n_duration_gt_5_with_its_camel_case_parameter_name() {
    let (endpoint, items) = (super::time_entry_endpoint(), super::time_entries());
    let query = endpoint.parse("filterBy=duration+gt+5").unwrap();
    assert_eq!(
        ids(&query.apply(items, &context()).items),
        ["e1", "e2", "e5"]
    );
}

#[test]
fn documented_examples() {
    check("not Name eq 'Test'", &["t2", "t3", "t4", "t5"]);
    check(
        "plannedDuration le 200 and plannedDuration gt 3.5",
        &["t2", "t3"],
    );
    check("startswith(name,'test')", &["t1", "t2"]);
    check("assignees/any(p: p/FirstName eq 'Ada')", &["t2", "t4"]);
    check("assignees/count() lt 1", &["t3"]);
    check("userId eq me.id", &["t1", "t3", "t5"]);
    check(
        &format!("lists/any(l: l/id eq guid'{LIST_BACKLOG}')"),
        &["t1", "t4"],
    );
    check(
        &format!("assignees/any(a: a/id eq '{USER_ADA}')"),
        &["t2", "t4"],
    );
}

#[test]
fn an_encoded_ampersand_in_a_literal() {
    let query = task_endpoint()
        .parse(&format!(
            "filterby={}",
            encode("name eq 'Plan Q3 & 100% more'")
        ))
        .unwrap();
    assert_eq!(ids(&query.apply(tasks(), &context()).items), ["t5"]);
}
