//! Every refusal names the parameter, the problem and, where it can, the column.

use awork_query::{ListEndpoint, Parameter, Vocabulary, VocabularyError};

use super::{DOCUMENT, encode, task_endpoint};

#[track_caller]
fn filter_error(filter: &str) -> String {
    match task_endpoint().parse(&format!("filterby={}", encode(filter))) {
        Ok(query) => panic!("{filter:?} parsed: {query:?}"),
        Err(error) => {
            assert_eq!(error.parameter(), Parameter::FilterBy);
            error.to_string()
        }
    }
}

#[track_caller]
fn order_error(order: &str) -> String {
    match task_endpoint().parse(&format!("orderby={}", encode(order))) {
        Ok(query) => panic!("{order:?} parsed: {query:?}"),
        Err(error) => {
            assert_eq!(error.parameter(), Parameter::OrderBy);
            error.to_string()
        }
    }
}

#[test]
fn a_literal_of_another_type_than_its_property_is_refused() {
    assert_eq!(
        filter_error("name eq 5"),
        "filterby: 'name' holds text, which cannot be compared with a number at column 9"
    );
    assert_eq!(
        filter_error("plannedDuration eq '3600'"),
        "filterby: 'plannedDuration' holds a number, which cannot be compared with text at column 20"
    );
    assert_eq!(
        filter_error("1 ne isPrio"),
        "filterby: 'isPrio' holds a boolean, which cannot be compared with a number at column 1"
    );
    assert_eq!(
        filter_error("assignees/any(a: a/firstName eq true)"),
        "filterby: 'firstName' holds text, which cannot be compared with a boolean at column 33"
    );
    assert_eq!(
        filter_error("plannedDuration gt datetime'2024-01-01T00:00'"),
        "filterby: 'plannedDuration' holds a number, which cannot be compared with a date at column 20"
    );
}

#[test]
fn ids_dates_objects_and_collections_compare_only_with_their_own_kind() {
    for (filter, message) in [
        (
            "taskStatus eq 'done'",
            "'taskStatus' holds an object, which cannot be compared with text at column 15",
        ),
        (
            "assignees eq 'x'",
            "'assignees' holds a collection, which cannot be compared with text at column 14",
        ),
        (
            "createdOn gt 'yesterday'",
            "'createdOn' holds a date, which cannot be compared with text that is not a date at column 14",
        ),
        (
            "id eq 'abc'",
            "'id' holds an id, which cannot be compared with text that is not an id at column 7",
        ),
        (
            "name eq datetime'2024-01-01T00:00'",
            "'name' holds text, which cannot be compared with a date at column 9",
        ),
        (
            "name eq guid'3405704a-563d-ec11-981f-501ac527b592'",
            "'name' holds text, which cannot be compared with an id at column 9",
        ),
        (
            "id eq now",
            "'id' holds an id, which cannot be compared with a date at column 7",
        ),
        (
            "name eq me.id",
            "'name' holds text, which cannot be compared with an id at column 9",
        ),
        (
            "assignees/count() eq 'x'",
            "'assignees/count()' holds a number, which cannot be compared with text at column 22",
        ),
        (
            "startswith(plannedDuration,'2')",
            "'plannedDuration' holds a number: startswith takes text at column 1",
        ),
        (
            "substringof('2', createdOn)",
            "'createdOn' holds a date: substringof takes text at column 1",
        ),
    ] {
        assert_eq!(
            filter_error(filter),
            format!("filterby: {message}"),
            "{filter}"
        );
    }
    // What each kind does take.
    for filter in [
        "taskStatus eq null",
        "assignees ne null",
        "taskStatus/type eq 'done'",
        "assignees/count() gt 1",
        "createdOn gt '2024-01-01'",
        "createdOn gt '2024-01-01T10:00:00Z'",
        "createdOn ge '2024-01-01 10:00'",
        "createdOn lt now and dueOn ge today",
        "id eq '3405704A-563D-EC11-981F-501AC527B592'",
        "id eq guid'3405704a-563d-ec11-981f-501ac527b592'",
        "createdBy eq me.id",
        "startswith(name,'Logo')",
    ] {
        let parsed = task_endpoint().parse(&format!("filterby={}", encode(filter)));
        assert!(parsed.is_ok(), "{filter}: {parsed:?}");
    }
}

#[test]
fn unknown_properties_are_named_with_their_column() {
    assert_eq!(
        filter_error("nmae eq 'x'"),
        "filterby: unknown property 'nmae' at column 1"
    );
    assert_eq!(
        filter_error("name eq 'x' or taskStatus/tpye eq 'done'"),
        "filterby: unknown property 'taskStatus/tpye' at column 27"
    );
    assert_eq!(
        filter_error("assignees/any(a: a/frstName eq 'Neil')"),
        "filterby: unknown property 'a/frstName' at column 20"
    );
    assert_eq!(
        filter_error("startswith(nam,'x')"),
        "filterby: unknown property 'nam' at column 12"
    );
}

#[test]
fn a_word_starting_with_a_dollar_is_read_whole() {
    // Regression: the lexer once read `$` as an empty word and looped without end.
    assert_eq!(
        filter_error("$it/name eq 'x'"),
        "filterby: unknown property '$it' at column 1"
    );
}

#[test]
fn paths_that_do_not_fit_the_shape() {
    assert_eq!(
        filter_error("name/length eq 3"),
        "filterby: 'name' has no properties at column 6"
    );
    assert_eq!(
        filter_error("assignees/firstName eq 'Neil'"),
        "filterby: 'assignees' is a collection: use assignees/any(…) or assignees/count() at column 11"
    );
    assert_eq!(
        filter_error("project/any(p: p/name eq 'x')"),
        "filterby: 'project' is not a collection at column 9"
    );
}

#[test]
fn removed_features_say_when_they_were_removed() {
    assert_eq!(
        filter_error("assignees/all(a: a/firstName eq 'Neil')"),
        "filterby: 'all' was removed from awork's filter syntax in 2022 at column 11"
    );
    assert_eq!(
        filter_error("lists/max(l: l/order) gt 2"),
        "filterby: 'max' was removed from awork's filter syntax in 2023 at column 7"
    );
    assert_eq!(
        filter_error("sum(plannedDuration) gt 2"),
        "filterby: 'sum' was removed from awork's filter syntax in 2023 at column 1"
    );
}

#[test]
fn unsupported_odata_is_named_rather_than_ignored() {
    assert_eq!(
        filter_error("tolower(name) eq 'x'"),
        "filterby: the function 'tolower' is not supported at column 1"
    );
    assert_eq!(
        filter_error("plannedDuration add 5 gt 10"),
        "filterby: the operator 'add' is not supported at column 17"
    );
    assert_eq!(
        filter_error("dueOn eq time'10:00'"),
        "filterby: the literal type 'time' is not supported at column 10"
    );
    assert_eq!(
        filter_error("lists/first() eq 1"),
        "filterby: the collection function 'first' is not supported at column 7"
    );
    assert_eq!(
        filter_error("true"),
        "filterby: a constant condition is not supported at column 1"
    );
}

#[test]
fn malformed_literals() {
    assert_eq!(
        filter_error("id eq guid'1234'"),
        "filterby: invalid guid literal '1234': expected 8-4-4-4-12 hexadecimal digits at column 7"
    );
    assert_eq!(
        filter_error("dueOn gt datetime'2024-13-01T00:00'"),
        "filterby: invalid datetime literal '2024-13-01T00:00': expected yyyy-mm-ddThh:mm, seconds, fraction and offset optional at column 10"
    );
    assert_eq!(
        filter_error("dueOn gt datetime'2024-01-01'"),
        "filterby: invalid datetime literal '2024-01-01': expected yyyy-mm-ddThh:mm, seconds, fraction and offset optional at column 10"
    );
    assert_eq!(
        filter_error("plannedDuration gt 12abc"),
        "filterby: invalid number literal '12abc': expected digits with an optional fraction, exponent and one of the suffixes L, f, d, M at column 20"
    );
    assert_eq!(
        filter_error("name eq 'open"),
        "filterby: unterminated string literal at column 9"
    );
    assert_eq!(
        filter_error("name eq 'a''"),
        "filterby: unterminated string literal at column 9"
    );
}

#[test]
fn syntax_errors_say_what_was_expected() {
    assert_eq!(
        filter_error("name 'x'"),
        "filterby: expected a comparison operator, found 'x' at column 6"
    );
    assert_eq!(
        filter_error("name eq"),
        "filterby: expected a property, a literal or a function, found the end at column 8"
    );
    assert_eq!(
        filter_error("(name eq 'x'"),
        "filterby: expected ')', found the end at column 13"
    );
    assert_eq!(
        filter_error("name eq 'x')"),
        "filterby: expected 'and', 'or' or the end, found ')' at column 12"
    );
    assert_eq!(
        filter_error("name eq 'x' & 1"),
        "filterby: unexpected character '&' at column 13"
    );
    assert_eq!(
        filter_error("startswith(name 'x')"),
        "filterby: expected ',', found 'x' at column 17"
    );
    assert_eq!(
        filter_error("substringof('x',name) eq 'yes'"),
        "filterby: expected true or false, found 'yes' at column 26"
    );
    assert_eq!(
        filter_error("assignees/count(a) gt 1"),
        "filterby: expected ')' (count takes no arguments), found 'a' at column 17"
    );
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{}name eq 'x'{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(
        filter_error(&deep),
        "filterby: nested more than 64 levels deep at column 65"
    );
    let nots = format!("{}name eq 'x'", "not ".repeat(10_000));
    assert!(filter_error(&nots).contains("nested more than 64 levels deep"));
}

#[test]
fn orderby_errors() {
    assert_eq!(
        order_error("nmae"),
        "orderby: unknown property 'nmae' at column 1"
    );
    assert_eq!(
        order_error("name,dueon up"),
        "orderby: expected asc, desc or ',', found 'up' at column 12"
    );
    assert_eq!(
        order_error("name desc x"),
        "orderby: expected ',' or the end, found 'x' at column 11"
    );
    assert_eq!(
        order_error("name,,id"),
        "orderby: expected a property, found an empty key at column 6"
    );
    assert_eq!(
        order_error("project"),
        "orderby: 'project' is not a value that can be ordered by at column 1"
    );
    assert_eq!(
        order_error("assignees/firstName"),
        "orderby: 'assignees' is not a value that can be ordered by at column 1"
    );
    assert_eq!(
        order_error("name/x"),
        "orderby: 'name' has no properties at column 6"
    );
    assert_eq!(
        order_error("project/nmae"),
        "orderby: unknown property 'project/nmae' at column 9"
    );
    assert_eq!(
        order_error("count()"),
        "orderby: expected a property name, found 'count()' at column 1"
    );
}

#[test]
fn page_numbers_must_be_whole_numbers() {
    let error = task_endpoint().parse("page=two").unwrap_err();
    assert_eq!(error.parameter(), Parameter::Page);
    assert_eq!(error.to_string(), "page: 'two' is not a whole number");
    let error = task_endpoint().parse("pagesize=1.5").unwrap_err();
    assert_eq!(error.parameter(), Parameter::PageSize);
    assert_eq!(error.to_string(), "pageSize: '1.5' is not a whole number");
}

#[test]
fn a_default_order_naming_an_unknown_property_is_refused_at_startup() {
    let vocabulary = Vocabulary::from_openapi(&DOCUMENT, "TaskModel").unwrap();
    let error = ListEndpoint::new(vocabulary, "createdOn,identifier").unwrap_err();
    assert_eq!(
        error.to_string(),
        "orderby: unknown property 'identifier' at column 11"
    );
}

#[test]
fn vocabulary_errors() {
    assert_eq!(
        Vocabulary::from_openapi(&DOCUMENT, "NoSuchModel").unwrap_err(),
        VocabularyError::UnknownSchema("NoSuchModel".to_owned())
    );
    let document = serde_json::json!({"components": {"schemas": {
        "Remote": {"type": "object", "properties": {"x": {"$ref": "other.json#/X"}}},
        "Text": {"type": "string"},
    }}});
    assert_eq!(
        Vocabulary::from_openapi(&document, "Remote")
            .unwrap_err()
            .to_string(),
        "unsupported $ref 'other.json#/X': only #/components/schemas/… is followed"
    );
    assert_eq!(
        Vocabulary::from_openapi(&document, "Text").unwrap_err(),
        VocabularyError::NotAnObject("Text".to_owned())
    );
}
