//! The filter grammar and its semantics, one feature at a time, against the task fixtures.

use super::check;

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    // (isPrio and name = 'Test') or name = 'Plan…': t1, t5.
    check(
        "isPrio eq true and name eq 'Test' or startswith(name,'Plan')",
        &["t1", "t5"],
    );
    // isPrio and (… or …): t1 only.
    check(
        "isPrio eq true and (name eq 'Test' or startswith(name,'Plan'))",
        &["t1"],
    );
    // (not isPrio) and …: t2, t3, t5 are not prio; of those, plannedDuration > 100: t2, t5.
    check(
        "not isPrio eq true and plannedDuration gt 100",
        &["t2", "t5"],
    );
    // not (…): everything but t1.
    check(
        "not (isPrio eq true and name eq 'Test')",
        &["t2", "t3", "t4", "t5"],
    );
    check("not not name eq 'Test'", &["t1"]);
}

#[test]
fn keywords_and_property_names_in_any_case() {
    check("NAME EQ 'test' OR Name Eq 'DESIGN X'", &["t1", "t4"]);
    check("TaskStatus/Type eq 'todo'", &["t4"]);
}

#[test]
fn a_doubled_quote_is_one_quote() {
    check("name eq 'O''Brien''s box'", &["t3"]);
    check("startswith(name,'O''')", &["t3"]);
}

#[test]
fn text_compares_case_insensitively_like_sql_server() {
    check("name eq 'TEST'", &["t1"]);
    check("name gt 'p' and name lt 'u'", &["t1", "t2", "t5"]);
    check("project/name eq 'LOGO'", &["t2", "t5"]);
}

#[test]
fn every_text_function() {
    check("startswith(name,'TE')", &["t1", "t2"]);
    check("endswith(name,'X')", &["t3", "t4"]);
    check("substringof('phone',name)", &["t2"]);
    check("contains(name,'PHONE')", &["t2"]);
    check("contains(project/name,'o')", &["t2", "t5"]);
    check("substringof('x',name) eq false", &["t1", "t5"]);
    check("startswith(name,'test') ne true", &["t3", "t4", "t5"]);
    // A function on a missing property is false.
    check("startswith(taskStatus/name,'')", &["t1", "t2", "t4", "t5"]);
}

#[test]
fn integers_decimals_suffixes_and_hex() {
    check("plannedDuration eq 3600", &["t1"]);
    check("plannedDuration eq 3600L", &["t1"]);
    check("plannedDuration eq 3600.0", &["t1"]);
    check("plannedDuration eq 3600.0f", &["t1"]);
    check("plannedDuration eq 3600d", &["t1"]);
    check("plannedDuration lt 4.5M", &["t3", "t4"]);
    check("plannedDuration eq 0x04", &["t3"]);
    check(
        "plannedDuration gt -1 and plannedDuration lt 1e1",
        &["t3", "t4"],
    );
    check("lists/any(l: l/order eq 1.5)", &["t1"]);
}

#[test]
fn integers_beyond_two_to_the_53_compare_exactly() {
    check("resourceVersion eq 638505000000000002", &["t2"]);
    check("resourceVersion gt 638505000000000003L", &["t4", "t5"]);
}

#[test]
fn booleans_and_a_bare_boolean_property() {
    check("isPrio eq true", &["t1", "t4"]);
    check("isPrio eq false", &["t2", "t3", "t5"]);
    check("isPrio", &["t1", "t4"]);
    check("not isPrio and plannedDuration lt 100", &["t3"]);
}

#[test]
fn null_matches_absent_and_null_properties() {
    check("dueOn eq null", &["t3"]);
    check("taskStatus eq null", &["t3"]);
    check("taskStatus/type eq null", &["t3"]);
    check("lists eq null", &["t3", "t5"]);
    check("dueOn ne null", &["t1", "t2", "t4", "t5"]);
    // An ordering comparison with null is false, whichever way round.
    check(
        "dueOn lt datetime'2100-01-01T00:00'",
        &["t1", "t2", "t4", "t5"],
    );
    check("not (dueOn lt datetime'2100-01-01T00:00')", &["t3"]);
}

#[test]
fn datetimes_compare_by_instant_whatever_the_offset() {
    // t2's 12:00+02:00 is 10:00Z; t4's 09:00 without offset is UTC.
    check("dueOn eq datetime'2024-05-15T10:00:00Z'", &["t2"]);
    check("dueOn eq datetime'2024-05-15T10:00'", &["t2"]);
    check(
        "dueOn eq datetimeoffset'2024-05-15T12:00:00+02:00'",
        &["t2"],
    );
    check("dueOn lt datetime'2024-05-13T09:00:01'", &["t1", "t4"]);
    check(
        "createdOn gt datetime'2024-01-02T08:00:00.1234566Z' and createdOn lt datetime'2024-01-03T00:00'",
        &["t2"],
    );
    // A plain string that reads as a date-time compares as one too.
    check("dueOn eq '2024-05-15T10:00:00.000Z'", &["t2"]);
}

#[test]
fn relative_dates_in_utc_with_monday_weeks() {
    // now = Wed 2024-05-15 10:30Z.
    check("dueOn lt now", &["t1", "t2", "t4"]);
    check("dueOn gt now", &["t5"]);
    check("dueOn eq today", &["t2"]);
    check("dueOn ne today", &["t1", "t3", "t4", "t5"]);
    check("dueOn lt today", &["t1", "t4"]);
    check("dueOn le today", &["t1", "t2", "t4"]);
    check("dueOn gt today", &["t5"]);
    check("dueOn ge sow and dueOn le eow", &["t2", "t4"]);
    check("dueOn ge som and dueOn le eom", &["t1", "t2", "t4"]);
    check("dueOn gt eom", &["t5"]);
}

#[test]
fn me_id_is_the_caller() {
    check("userId eq me.id", &["t1", "t3", "t5"]);
    check(
        "assignees/any(a: a/id eq me.id) and userId ne me.id",
        &["t2"],
    );
}

#[test]
fn any_and_count() {
    check("assignees/any()", &["t1", "t2", "t4", "t5"]);
    check("lists/any()", &["t1", "t4"]);
    check("assignees/count() eq 2", &["t2"]);
    check("assignees/count() ge 1 and lists/count() eq 0", &["t2"]);
    // A missing collection has no count.
    check("lists/count() lt 1", &["t2"]);
    check("not assignees/any(a: a/firstName eq 'Neil')", &["t3", "t4"]);
    check("assignees/any(a: a/lastName eq null)", &["t2", "t4", "t5"]);
    // The entity's own properties stay visible inside the lambda.
    check(
        "assignees/any(a: a/id eq userId)",
        &["t1", "t2", "t4", "t5"],
    );
    check("assignees/any(a: a/firstName eq 'Ada' and isPrio)", &["t4"]);
}

#[test]
fn nested_any_sees_both_variables() {
    check(
        "lists/any(l: assignees/any(a: a/firstName eq 'Neil' and l/order lt 2))",
        &["t1"],
    );
}

#[test]
fn comparing_two_properties_and_a_literal_on_the_left() {
    check("'Test' eq name", &["t1"]);
    check("3600 le plannedDuration", &["t1", "t5"]);
    // t3 has neither: null eq null holds.
    check("projectId eq project/id", &["t1", "t2", "t3", "t4", "t5"]);
}

#[test]
fn null_compares_with_a_value_of_any_type() {
    check("dueOn eq null", &["t3"]);
    check("plannedDuration ne null", &["t1", "t2", "t3", "t4", "t5"]);
}

#[test]
fn spaces_are_optional_around_punctuation_and_free_around_words() {
    check(
        "  startswith( name , 'test' )and(plannedDuration gt 300 )  ",
        &["t1"],
    );
    check("assignees/any(a:a/firstName eq 'Ada')", &["t2", "t4"]);
}
