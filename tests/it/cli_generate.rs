//! `awork-sim generate`: valid, deterministic events of the types asked for, as NDJSON or files.

use std::collections::BTreeSet;

use awork_models::{EventType, Naming};
use serde_json::Value;

use crate::support::check;

/// The events of an NDJSON text.
fn events(ndjson: &str) -> Vec<Value> {
    ndjson
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

#[test]
fn a_year_of_events_all_validate_and_cover_the_35_types_under_the_api_s_names() {
    // A year of the story: people and clients come and go at an agency's rate, so the rarest
    // types come a few times a year.
    let run = check(&["generate", "--count", "20000", "--seed", "1"], "", 0);
    assert_eq!(run.stderr, "");
    let events = events(&run.stdout);
    assert_eq!(events.len(), 20000);
    let mut types = BTreeSet::new();
    for (index, event) in events.into_iter().enumerate() {
        types.insert(event["eventType"].as_str().unwrap().to_owned());
        if let Err(problems) = awork_models::validate_value(event) {
            panic!("event {} is invalid: {problems:?}", index + 1);
        }
    }
    let api: BTreeSet<String> = EventType::API
        .iter()
        .map(|event| event.name(Naming::Api).to_owned())
        .collect();
    assert_eq!(types, api);

    // And `validate` agrees.
    let validated = check(&["validate"], &run.stdout, 0);
    assert_eq!(validated.stderr, "20000 events, 0 invalid\n");
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
    let first = check(&["generate", "--count", "50"], "", 0);
    let again = check(&["generate", "--count", "50", "--seed", "1"], "", 0);
    let other = check(&["generate", "--count", "50", "--seed", "2"], "", 0);
    assert_eq!(first.stdout, again.stdout);
    assert_ne!(first.stdout, other.stdout);
    assert_eq!(first.stdout.lines().count(), 50);
}

#[test]
fn the_library_s_default_config_makes_the_cli_s_default_story() {
    let cli = check(&["generate", "--count", "100"], "", 0).stdout;
    let library: String =
        awork_generate::Generator::new(awork_generate::GeneratorConfig::default())
            .take(100)
            .map(|event| serde_json::to_string(&event).unwrap() + "\n")
            .collect();
    assert_eq!(library, cli);
}

#[test]
fn fresh_trace_ids_change_the_trace_ids_alone() {
    let seed = check(&["generate", "--count", "40", "--awkward"], "", 0).stdout;
    let fresh = |_| {
        check(
            &[
                "generate",
                "--count",
                "40",
                "--awkward",
                "--fresh-trace-ids",
            ],
            "",
            0,
        )
        .stdout
    };
    let runs: Vec<String> = std::iter::once(seed).chain((0..2).map(fresh)).collect();
    let mut trace_ids = BTreeSet::new();
    let mut stories = Vec::new();
    for run in &runs {
        let mut story = events(run);
        for event in &mut story {
            let trace_id = event.as_object_mut().unwrap().remove("traceId").unwrap();
            trace_ids.insert(trace_id.as_str().unwrap().to_owned());
        }
        stories.push(story);
    }
    // Three runs, no trace id in two of them; the rest of the story is the seed's.
    assert_eq!(trace_ids.len(), 3 * 40);
    assert!(stories.iter().all(|story| *story == stories[0]));
}

#[test]
fn the_default_is_one_compact_event() {
    let run = check(&["generate"], "", 0);
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(run.stdout.ends_with("}\n"));
    assert!(!run.stdout.contains("\n "), "compact: {}", run.stdout);
}

#[test]
fn event_names_are_spelled_as_the_naming_says() {
    #[track_caller]
    fn only(args: &[&str], expected: &str) {
        let mut all = vec!["generate", "--count", "20", "--event"];
        all.extend_from_slice(args);
        let run = check(&all, "", 0);
        let events = events(&run.stdout);
        assert_eq!(events.len(), 20);
        for event in events {
            assert_eq!(event["eventType"], expected, "{event}");
            assert_eq!(event["entityType"], "task");
            awork_models::validate_value(event).expect("valid");
        }
    }
    only(&["task_changed"], "task_updated");
    only(&["task_changed", "--naming", "spec"], "task_changed");
    only(&["task_changed", "--naming", "docs"], "task_updated");
    only(&["task_updated", "--naming", "api"], "task_updated");
}

#[test]
fn several_event_types_give_only_those() {
    let run = check(
        &[
            "generate",
            "--count",
            "600",
            "--event",
            "project_added",
            "--event",
            "timetracking_added",
        ],
        "",
        0,
    );
    let types: BTreeSet<String> = events(&run.stdout)
        .iter()
        .map(|event| event["eventType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        BTreeSet::from(["project_added".to_owned(), "timetracking_added".to_owned()])
    );
}

#[test]
fn out_writes_one_pretty_file_per_event() {
    let dir =
        std::env::temp_dir().join(format!("awork-sim-it-{}-generate-out", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("events");
    let run = check(
        &["generate", "--count", "3", "--out", out.to_str().unwrap()],
        "",
        0,
    );
    assert_eq!(run.stdout, "");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the directory was created")
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // The same events as on stdout, in order.
    let expected = events(&check(&["generate", "--count", "3"], "", 0).stdout);
    assert_eq!(names.len(), 3, "{names:?}");
    for (index, (name, event)) in names.iter().zip(&expected).enumerate() {
        assert_eq!(
            *name,
            format!(
                "{:04}-{}.json",
                index + 1,
                event["eventType"].as_str().unwrap()
            )
        );
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(text.starts_with("{\n  \""), "pretty: {text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), *event);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_event_name_exits_2_naming_it_and_the_closest_names() {
    let run = check(&["generate", "--event", "task_staus_changed"], "", 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: unknown event type `task_staus_changed`; did you mean `task_status_changed`? \
         (`awork-sim events` lists awork's names (`--naming spec|docs` the other spellings, which \
         are accepted too))\n"
    );
    // Nothing close: where to find them all, not a list of 54.
    let run = check(&["generate", "--event", "nope"], "", 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("`nope`") && run.stderr.contains("`awork-sim events` lists"),
        "{}",
        run.stderr
    );
    // Every family's names are accepted, as the message says.
    for naming in Naming::ALL {
        for event in EventType::ALL {
            if let Some(name) = event.name_in(naming) {
                check(&["generate", "--event", name], "", 0);
            }
        }
    }
}

#[test]
fn awkward_events_of_one_type_are_all_of_that_type() {
    let args = [
        "generate",
        "--event",
        "task_added",
        "--awkward",
        "--count",
        "300",
        "--seed",
        "4",
    ];
    let stdout = check(&args, "", 0).stdout;
    let types: BTreeSet<String> = stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|event| event["eventType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types.into_iter().collect::<Vec<_>>(), ["task_added"]);
}

#[test]
fn awkward_events_are_deterministic_valid_and_have_every_awkward_shape() {
    let args = ["generate", "--awkward", "--count", "3000", "--seed", "3"];
    let run = check(&args, "", 0);
    assert_eq!(run.stdout, check(&args, "", 0).stdout, "deterministic");
    assert_ne!(
        run.stdout,
        check(&["generate", "--count", "3000", "--seed", "3"], "", 0).stdout
    );
    let validated = check(&["validate"], &run.stdout, 0);
    assert!(
        validated.stderr.starts_with("3000 events, 0 invalid"),
        "{}",
        validated.stderr
    );
    let lines: Vec<&str> = run
        .stdout
        .split('\n')
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(lines.len(), 3000);
    assert!(lines.iter().any(|line| !line.is_ascii()), "non-ASCII text");
    assert!(
        lines.iter().any(|line| line.contains("\\ud83d")),
        "escaped emoji"
    );
    assert!(
        lines.iter().any(|line| line.contains("\"webhookId\"")),
        "unknown properties"
    );
    let events: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let fraction_digits = |event: &Value| {
        let timestamp = event["timestamp"].as_str().unwrap();
        timestamp[19..].strip_prefix('.').map_or(0, |rest| {
            rest.bytes().take_while(u8::is_ascii_digit).count()
        })
    };
    for digits in [0, 7] {
        assert!(
            events.iter().any(|event| fraction_digits(event) == digits),
            "{digits} fractional digits"
        );
    }
    let unknown = events
        .iter()
        .filter(|event| EventType::lookup(event["eventType"].as_str().unwrap()).is_none())
        .count();
    assert!(unknown > 20, "{unknown} unknown event types");
}
