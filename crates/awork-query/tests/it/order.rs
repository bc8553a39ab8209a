//! `orderby`: keys, directions, nested properties, nulls, case, and the default order.

use awork_query::{ListEndpoint, Vocabulary};
use serde_json::json;

use super::{context, ids, task_endpoint, tasks, time_entries, time_entry_endpoint};

#[track_caller]
fn ordered(query: &str) -> Vec<String> {
    let query = task_endpoint()
        .parse(query)
        .unwrap_or_else(|error| panic!("{query}: {error}"));
    ids(&query.apply(tasks(), &context()).items)
}

#[test]
fn without_orderby_the_default_order() {
    assert_eq!(ordered(""), ["t1", "t2", "t3", "t4", "t5"]);
    let reversed: Vec<_> = tasks().into_iter().rev().collect();
    let query = task_endpoint().parse("").unwrap();
    assert_eq!(
        ids(&query.apply(reversed, &context()).items),
        ["t1", "t2", "t3", "t4", "t5"]
    );
}

#[test]
fn one_key_ascending_by_default_and_descending() {
    assert_eq!(
        ordered("orderby=plannedDuration"),
        ["t4", "t3", "t2", "t1", "t5"]
    );
    assert_eq!(
        ordered("orderby=plannedDuration%20desc"),
        ["t5", "t1", "t2", "t3", "t4"]
    );
    assert_eq!(
        ordered("OrderBy=PLANNEDDURATION+DESC"),
        ["t5", "t1", "t2", "t3", "t4"]
    );
}

#[test]
fn nulls_first_ascending_last_descending() {
    // t3's dueOn is null; t2 (10:00Z) is before t5 though its text sorts after.
    assert_eq!(ordered("orderby=dueOn"), ["t3", "t1", "t4", "t2", "t5"]);
    assert_eq!(
        ordered("orderby=dueOn desc"),
        ["t5", "t2", "t4", "t1", "t3"]
    );
}

#[test]
fn two_keys_then_the_default_order_breaks_ties() {
    // isPrio: false (t2, t3, t5) before true (t1, t4); within, name desc, case-insensitively.
    assert_eq!(
        ordered("orderby=isPrio,name desc"),
        ["t2", "t5", "t3", "t1", "t4"]
    );
    // Spaces around the comma are tolerated.
    assert_eq!(
        ordered("orderby=isPrio asc , name desc"),
        ["t2", "t5", "t3", "t1", "t4"]
    );
    // Equal on the requested key: the default order (createdOn) decides.
    assert_eq!(ordered("orderby=isPrio"), ["t2", "t3", "t5", "t1", "t4"]);
}

#[test]
fn a_nested_property_and_case_insensitive_text() {
    // Absent project (t3) first; "logo" and "Logo" are equal, so creation order decides.
    assert_eq!(
        ordered("orderby=project/name"),
        ["t3", "t2", "t5", "t1", "t4"]
    );
    assert_eq!(
        ordered("orderby=TaskStatus/Type desc"),
        ["t4", "t2", "t1", "t5", "t3"]
    );
}

#[test]
fn u1_two_keys_on_time_entries() {
    let mut entries = time_entries();
    for (entry, (day, time)) in entries.iter_mut().zip([
        ("2022-03-01T00:00:00", "10:00:00"),
        ("2022-03-02T00:00:00", "08:00:00"),
        ("2022-03-02T00:00:00", "09:30:00"),
        ("2022-02-28T00:00:00", "23:00:00"),
        ("2022-03-02T00:00:00", "09:00:00"),
        ("2022-03-01T00:00:00", "07:00:00"),
    ]) {
        entry["startDateLocal"] = day.into();
        entry["startTimeLocal"] = time.into();
    }
    let query = time_entry_endpoint()
        .parse("orderby=startDateLocal desc,startTimeLocal desc")
        .unwrap();
    assert_eq!(
        ids(&query.apply(entries, &context()).items),
        ["e3", "e5", "e2", "e1", "e6", "e4"]
    );
}

#[test]
fn mixed_types_do_not_panic_and_keep_nulls_first() {
    let endpoint = ListEndpoint::new(Vocabulary::open(), "id").unwrap();
    let items = vec![
        json!({"id": 1, "v": "text"}),
        json!({"id": 2, "v": 3}),
        json!({"id": 3}),
        json!({"id": 4, "v": true}),
        json!({"id": 5, "v": {"a": 1}}),
        json!({"id": 6, "v": "2024-01-01T00:00:00Z"}),
    ];
    let query = endpoint.parse("orderby=v").unwrap();
    let order: Vec<_> = query
        .apply(items, &context())
        .items
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [3, 4, 2, 6, 1, 5]);
}
