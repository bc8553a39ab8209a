//! `awork-sim validate`: which events pass, how problems are reported, and which inputs are refused.

use std::io::Read;
use std::process::{Command, Stdio};

use awork_models::{EntityType, EventType, Naming};
use serde_json::{Value, json};

use crate::support::{TempFile, check, docs_example, ndjson};

/// The docs example with `edit` applied.
fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut event = docs_example();
    edit(&mut event);
    event
}

/// The docs example under another event type.
fn with_event_type(name: &str) -> Value {
    edited(|event| event["eventType"] = json!(name))
}

#[test]
fn the_docs_example_is_valid() {
    let run = check(&["validate", "fixtures/awork-docs-example.json"], "", 0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "1 event, 0 invalid\n");
}

#[test]
fn problems_are_reported_with_the_property_they_are_about() {
    #[track_caller]
    fn rejected(edit: fn(&mut Value), property: &str) {
        let file = TempFile::new(
            "rejected.json",
            &serde_json::to_string_pretty(&edited(edit)).unwrap(),
        );
        let run = check(&["validate", file.arg()], "", 1);
        let expected = format!("{}:1: project_added: {property}:", file.arg());
        assert!(
            run.stdout.starts_with(&expected),
            "expected {expected:?}…, got:\n{}",
            run.stdout
        );
        assert_eq!(run.stderr, "1 event, 1 invalid\n");
    }

    rejected(
        |event| event["entityId"] = json!("00000000-0000-0000-0000-000000000000"),
        "entityId",
    );
    rejected(|event| event["entityType"] = json!("task"), "entityType");
    rejected(
        |event| _ = event.as_object_mut().unwrap().remove("entity"),
        "entity",
    );
    rejected(|event| event["timestamp"] = json!("yesterday"), "timestamp");
}

#[test]
fn ndjson_problems_name_the_line_of_their_event() {
    let bad = edited(|event| event["entityType"] = json!("task"));
    let text = ndjson(&[docs_example(), bad, with_event_type("project_updated")]);
    let file = TempFile::new("events.ndjson", &text);
    let run = check(&["validate", file.arg()], "", 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with(&format!("{}:2: project_added: entityType: ", file.arg())),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "3 events, 1 invalid\n");
}

#[test]
fn stdin_is_read_without_files_and_for_dash() {
    let bad = edited(|event| event["timestamp"] = json!("yesterday"));
    let text = ndjson(&[docs_example(), bad]);
    for args in [&["validate"][..], &["validate", "-"]] {
        let run = check(args, &text, 1);
        assert!(
            run.stdout
                .starts_with("<stdin>:2: project_added: timestamp: "),
            "{}",
            run.stdout
        );
        assert_eq!(run.stderr, "2 events, 1 invalid\n");
    }
    check(&["validate"], &ndjson(&[docs_example()]), 0);
}

#[test]
fn array_problems_name_the_line_where_the_element_starts() {
    let bad = edited(|event| event["entityId"] = json!("00000000-0000-4000-8000-000000000000"));
    let text = format!("[\n{},\n{}\n]\n", docs_example(), bad);
    let run = check(&["validate"], &text, 1);
    assert!(
        run.stdout
            .starts_with("<stdin>:3: project_added: entityId: "),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "2 events, 1 invalid\n");
}

#[test]
fn an_input_with_no_event_fails_with_one_line_saying_so() {
    // An empty capture must not pass in CI.
    for stdin in ["", "\n", " \n\n"] {
        let run = check(&["validate"], stdin, 1);
        assert_eq!(
            run.stdout, "<stdin>: no event: the input is empty\n",
            "{stdin:?}"
        );
        assert_eq!(run.stderr, "0 events, 0 invalid, 1 input without events\n");
    }
    let run = check(&["validate"], "[]", 1);
    assert_eq!(run.stdout, "<stdin>: no event: an empty array\n");
    // Beside files that hold events, the empty one still fails the run, by name.
    let empty = TempFile::new("validate-empty.ndjson", "");
    let run = check(
        &["validate", "fixtures/awork-docs-example.json", empty.arg()],
        "",
        1,
    );
    assert_eq!(
        run.stdout,
        format!("{}: no event: the input is empty\n", empty.arg())
    );
    assert_eq!(run.stderr, "1 event, 0 invalid, 1 input without events\n");
}

#[test]
fn a_folder_is_every_event_file_in_it_in_name_order() {
    let dir = std::env::temp_dir().join(format!(
        "awork-sim-it-{}-validate-folder",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let folder = dir.to_str().unwrap();
    // The folder `generate --out` makes, as the README has it.
    check(&["generate", "--count", "3", "--out", folder], "", 0);
    let run = check(&["validate", folder], "", 0);
    assert_eq!(run.stderr, "3 events, 0 invalid\n");

    // Files it does not write are left alone; an invalid event file is named, after the ones
    // before it in name order.
    std::fs::write(dir.join("notes.txt"), "not an event").unwrap();
    std::fs::write(
        dir.join("0000-broken.json"),
        "{\"eventType\": \"task_added\"}",
    )
    .unwrap();
    std::fs::write(dir.join("zz.ndjson"), "42\n").unwrap();
    let run = check(&["validate", folder], "", 1);
    assert_eq!(run.stderr, "5 events, 2 invalid\n");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "{}:1: task_added: ",
            dir.join("0000-broken.json").display()
        )),
        "{lines:#?}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with(&format!("{}:1: ?: ", dir.join("zz.ndjson").display())),
        "{lines:#?}"
    );

    // A folder with no event file in it holds no event.
    for file in std::fs::read_dir(&dir).unwrap() {
        std::fs::remove_file(file.unwrap().path()).unwrap();
    }
    let run = check(&["validate", folder], "", 1);
    assert_eq!(
        run.stdout,
        format!("{folder}: no event: no event file in the folder (*.json, *.ndjson, *.jsonl)\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_event_without_an_event_type_is_named_by_a_question_mark() {
    let run = check(&["validate"], "{}\n", 1);
    assert!(run.stdout.starts_with("<stdin>:1: ?: "), "{}", run.stdout);
}

#[test]
fn text_that_is_not_json_is_a_problem_at_its_position() {
    let file = TempFile::new(
        "broken.json",
        "{\n  \"eventType\": \"project_added\",\n  \"entity\": tru\n}\n",
    );
    let run = check(&["validate", file.arg()], "", 1);
    assert_eq!(
        run.stdout,
        format!("{}:3:16: not JSON: expected ident\n", file.arg())
    );
    assert_eq!(run.stderr, "1 event, 1 invalid\n");

    // NDJSON: the line of the broken event.
    let text = format!("{}{{\"eventType\": \n", ndjson(&[docs_example()]));
    let run = check(&["validate"], &text, 1);
    assert_eq!(
        run.stdout,
        "<stdin>:2:14: not JSON: EOF while parsing a value\n"
    );
    assert_eq!(run.stderr, "2 events, 1 invalid\n");
}

#[test]
fn a_torn_line_is_a_problem_of_its_line_and_checking_goes_on_through_later_lines_and_files() {
    let bad = edited(|event| event["entityId"] = json!("00000000-0000-4000-8000-000000000000"));
    let capture = format!(
        "{}{}\n{}",
        ndjson(&[docs_example()]),
        &docs_example().to_string()[..40],
        ndjson(&[bad.clone(), docs_example()])
    );
    let torn_first = format!(
        "{}\n{}",
        &bad.to_string()[..25],
        ndjson(std::slice::from_ref(&bad))
    );
    let files = [
        TempFile::new("capture.ndjson", &capture),
        TempFile::new("broken.ndjson", "not json\n"),
        TempFile::new("torn-first.ndjson", &torn_first),
        TempFile::new("array.json", &format!("[{bad},\n{bad}\n")),
    ];
    let args: Vec<&str> = std::iter::once("validate")
        .chain(files.iter().map(TempFile::arg))
        .collect();
    let run = check(&args, "", 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = |file: usize, rest: &str| format!("{}:{rest}", files[file].arg());
    let torn = |line: &str, file: usize, number: &str| {
        line.starts_with(&at(file, number)) && line.contains(": not JSON: ")
    };
    assert!(torn(lines[0], 0, "2:"), "{lines:#?}");
    assert!(
        lines[1].starts_with(&at(0, "3: project_added: entityId: ")),
        "{lines:#?}"
    );
    assert_eq!(lines[2], at(1, "1:2: not JSON: expected ident"));
    assert!(torn(lines[3], 2, "1:"), "{lines:#?}");
    assert!(
        lines[4].starts_with(&at(2, "2: project_added: entityId: ")),
        "{lines:#?}"
    );
    assert!(
        lines[5].starts_with(&at(3, "1: project_added: entityId: ")),
        "{lines:#?}"
    );
    assert!(
        lines[6].starts_with(&at(3, "2: project_added: entityId: ")),
        "{lines:#?}"
    );
    // The end of the text, at the newline that ends its last line.
    let end = format!(
        "2:{}: not JSON: EOF while parsing a list",
        bad.to_string().len() + 1
    );
    assert_eq!(lines[7], at(3, &end));
    assert_eq!(lines.len(), 8, "{lines:#?}");
    assert_eq!(run.stderr, "10 events, 8 invalid\n");
}

#[test]
fn a_missing_file_is_refused_by_name() {
    let run = check(
        &[
            "validate",
            "fixtures/awork-docs-example.json",
            "no/such/file.json",
        ],
        "",
        2,
    );
    assert!(
        run.stderr
            .starts_with("error: no/such/file.json: cannot read: "),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

/// The names of `events` under every naming, without repeats.
fn names(events: impl Iterator<Item = EventType>) -> Vec<&'static str> {
    let mut names: Vec<&str> = events
        .flat_map(|event| Naming::ALL.map(|naming| event.name_in(naming)))
        .flatten()
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[test]
fn every_spelling_of_the_project_events_validates() {
    let names = names(
        EventType::ALL
            .iter()
            .copied()
            .filter(|event| event.entity_type() == EntityType::Project),
    );
    for name in [
        "project_added",
        "project_changed",
        "project_updated",
        "project_deleted",
        "project_status_changed",
        "project_type_changed",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let events: Vec<Value> = names.iter().map(|name| with_event_type(name)).collect();
    let run = check(&["validate"], &ndjson(&events), 0);
    assert_eq!(run.stderr, format!("{} events, 0 invalid\n", names.len()));
}

/// Every other spelling is known too: its event type carries another entity, so a project is refused.
/// An unknown name would pass, as the next test shows.
#[test]
fn every_spelling_of_the_other_events_is_known() {
    let names = names(
        EventType::ALL
            .iter()
            .copied()
            .filter(|event| event.entity_type() != EntityType::Project),
    );
    for name in [
        "projectmember_added",
        "timetracking_added",
        "company_added",
        "task_updated",
        "tasklist_added",
        "company_type_changed",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let events: Vec<Value> = names.iter().map(|name| with_event_type(name)).collect();
    let run = check(&["validate"], &ndjson(&events), 1);
    assert_eq!(
        run.stderr,
        format!("{} events, {} invalid\n", names.len(), names.len())
    );
    for (index, name) in names.iter().enumerate() {
        let prefix = format!("<stdin>:{}: {name}: ", index + 1);
        assert!(
            run.stdout.lines().any(|line| line.starts_with(&prefix)),
            "no {prefix:?} in\n{}",
            run.stdout
        );
    }
}

#[test]
fn unknown_event_types_are_a_warning_not_an_error() {
    let run = check(
        &["validate"],
        &with_event_type("workspace_added").to_string(),
        0,
    );
    assert_eq!(
        run.stdout,
        "<stdin>:1: workspace_added: warning: eventType: \"workspace_added\" is not a name awork has used; \
         receivers will read it as an unknown event type\n"
    );
    assert_eq!(run.stderr, "1 event, 0 invalid, 1 warning\n");
    // Every spelling awork has used is no warning.
    for name in ["project_changed", "project_updated", "project_type_changed"] {
        let run = check(&["validate"], &with_event_type(name).to_string(), 0);
        assert_eq!(run.stdout, "", "{name}");
    }
}

#[test]
fn an_event_with_three_problems_gets_three_lines() {
    let bad = edited(|event| {
        event["timestamp"] = json!("yesterday");
        _ = event.as_object_mut().unwrap().remove("entityId");
        event["entityType"] = json!("task");
    });
    let run = check(&["validate"], &bad.to_string(), 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].ends_with(
            ": timestamp: not a timestamp: \"yesterday\" (expected YYYY-MM-DDTHH:MM:SS)"
        )
    );
    assert!(lines[1].ends_with(": entityId: missing"), "{}", lines[1]);
    assert!(
        lines[2].contains(": entityType: \"task\" does not fit"),
        "{}",
        lines[2]
    );
    assert_eq!(run.stderr, "1 event, 1 invalid\n");
}

#[test]
fn a_repeated_key_is_a_problem() {
    let text = edited(|_| {}).to_string();
    let text = text.replacen('{', r#"{"traceId":"first","#, 1);
    assert!(text.contains(r#""traceId":"first""#) && text.matches(r#""traceId""#).count() == 2);
    let run = check(&["validate"], &text, 1);
    assert!(
        run.stdout
            .ends_with(": traceId: the key appears more than once in its object\n"),
        "{}",
        run.stdout
    );
}

/// Regression guard: a reader that stops reading (`| head`) is no error, and the exit status still
/// says that invalid events were found.
#[test]
fn a_closed_stdout_is_not_an_error() {
    let bad = edited(|event| event["entityId"] = json!("00000000-0000-4000-8000-000000000000"));
    // Far more output than a pipe buffers, so that the program writes after the reader has gone.
    let file = TempFile::new("many.ndjson", &ndjson(&vec![bad; 2000]));
    let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(["validate", file.arg()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awork-sim starts");
    let mut first = [0; 16];
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_exact(&mut first)
        .expect("awork-sim prints");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("stderr is UTF-8");
    let status = child.wait().expect("awork-sim runs");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(stderr, "2000 events, 2000 invalid\n");
}
