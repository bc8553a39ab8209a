//! `page` and `pageSize`: defaults, clamping, saturation, pages past the end, and the headers.

use awork_query::{ListEndpoint, ListPage, MAX_PAGE_SIZE, Vocabulary};
use serde_json::{Value, json};

use super::{context, ids};

fn numbered(count: usize) -> Vec<Value> {
    (1..=count)
        .map(|n| json!({"id": format!("{n:04}")}))
        .collect()
}

#[track_caller]
fn page_of(query: &str, count: usize) -> ListPage {
    let endpoint = ListEndpoint::new(Vocabulary::open(), "id").unwrap();
    let query = endpoint
        .parse(query)
        .unwrap_or_else(|error| panic!("{query}: {error}"));
    query.apply(numbered(count), &context())
}

fn headers(page: &ListPage) -> Vec<(String, String)> {
    page.headers()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

#[test]
fn defaults_to_page_one_of_a_thousand() {
    let page = page_of("", 1500);
    assert_eq!(page.items.len(), 1000);
    assert_eq!(
        (page.page, page.page_size, page.total_items),
        (1, 1000, 1500)
    );
}

#[test]
fn the_caller_chooses_the_default_page_size() {
    let endpoint = ListEndpoint::new(Vocabulary::open(), "id")
        .unwrap()
        .with_default_page_size(10);
    let page = endpoint
        .parse("page=2")
        .unwrap()
        .apply(numbered(25), &context());
    assert_eq!(
        ids(&page.items),
        (11..=20).map(|n| format!("{n:04}")).collect::<Vec<_>>()
    );
    let clamped = ListEndpoint::new(Vocabulary::open(), "id")
        .unwrap()
        .with_default_page_size(0);
    assert_eq!(clamped.parse("").unwrap().page_size(), 1);
}

#[test]
fn the_docs_example_loop_reads_page_three_of_ten_items_by_five_as_empty() {
    let page = page_of("page=3&pageSize=5", 10);
    assert!(page.items.is_empty());
    assert_eq!(
        headers(&page),
        [
            ("aw-page".to_owned(), "3".to_owned()),
            ("aw-pagesize".to_owned(), "5".to_owned()),
            ("aw-totalitems".to_owned(), "10".to_owned()),
            ("aw-items".to_owned(), "0".to_owned()),
        ]
    );
}

#[test]
fn the_last_page_may_be_short() {
    let page = page_of("page=2&pagesize=4", 6);
    assert_eq!(ids(&page.items), ["0005", "0006"]);
    assert_eq!(headers(&page)[3], ("aw-items".to_owned(), "2".to_owned()));
}

#[test]
fn page_size_is_clamped_and_reported() {
    assert_eq!(page_of("pageSize=5000", 1200).page_size, MAX_PAGE_SIZE);
    assert_eq!(page_of("pageSize=5000", 1200).items.len(), 1000);
    assert_eq!(
        page_of("PageSize=99999999999999999999999999", 3).page_size,
        MAX_PAGE_SIZE
    );
    assert_eq!(page_of("pageSize=0", 3).page_size, 1);
    assert_eq!(page_of("pageSize=-3", 3).page_size, 1);
}

#[test]
fn pages_below_one_are_one_and_huge_pages_saturate() {
    assert_eq!(page_of("page=0", 3).page, 1);
    assert_eq!(page_of("page=-7", 3).page, 1);
    assert_eq!(
        ids(&page_of("page=0&pageSize=2", 3).items),
        ["0001", "0002"]
    );
    let huge = page_of("page=184467440737095516150000&pageSize=1000", 3);
    assert_eq!(huge.page, u64::MAX);
    assert!(huge.items.is_empty());
    assert_eq!(huge.total_items, 3);
    let just_below = page_of(&format!("page={}&pageSize=1000", u64::MAX - 1), 3);
    assert!(just_below.items.is_empty());
}

#[test]
fn empty_values_and_other_parameters_are_ignored() {
    let page = page_of("?page=&pageSize=&filterby=&orderby=&expand=all&page", 3);
    assert_eq!((page.page, page.page_size, page.items.len()), (1, 1000, 3));
}

#[test]
fn the_first_value_of_a_repeated_parameter_counts() {
    assert_eq!(page_of("page=2&Page=3&pageSize=1", 5).page, 2);
}

#[test]
fn filter_then_order_then_page_with_totals_after_filtering() {
    let page = page_of(
        "filterby=id+gt+'0003'&orderby=id%20desc&page=2&pageSize=2",
        9,
    );
    assert_eq!(page.total_items, 6);
    assert_eq!(ids(&page.items), ["0007", "0006"]);
}
