//! Whatever the query string, parsing and applying it returns: no panic, no stack overflow.

use proptest::prelude::*;

use super::{context, task_endpoint, tasks};

/// Fragments of the grammar, so that random strings get past the lexer often.
const FRAGMENTS: &[&str] = &[
    "name",
    "taskStatus/type",
    "assignees",
    "/any(",
    "a:",
    "a/id",
    "/count()",
    " eq ",
    " ne ",
    " gt ",
    " le ",
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    ",",
    "'x'",
    "''",
    "'",
    "guid'",
    "datetime'2024-01-01T00:00'",
    "now",
    "today",
    "me.id",
    "null",
    "true",
    "3",
    "-2.5M",
    "0x",
    "1e",
    "startswith(",
    "substringof(",
    "all(",
    "%",
    "%2",
    "+",
    "&",
    "=",
    " ",
    "é",
    "\u{0}",
];

fn query_strings() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(FRAGMENTS);
    let text = prop::collection::vec(fragment, 0..24).prop_map(|parts| parts.concat());
    prop_oneof![
        text.clone().prop_map(|filter| format!("filterby={filter}")),
        text.prop_map(|order| format!("orderby={order}")),
        any::<String>().prop_map(|anything| format!("filterby={anything}")),
        any::<String>(),
        "(page|pageSize|pagesize)=-?[0-9]{0,40}".prop_map(|paging| paging),
    ]
}

proptest! {
    #[test]
    fn parsing_and_applying_never_panics(query in query_strings()) {
        if let Ok(query) = task_endpoint().parse(&query) {
            let page = query.apply(tasks(), &context());
            prop_assert!(page.items.len() <= page.total_items);
        }
    }
}
