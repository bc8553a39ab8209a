//! `awork-sim demo`: the story runs as designed (retries, a pause, the resume) and exits 0, the
//! same on every run of one seed, and tells a coherent story.

use std::collections::{HashMap, HashSet};

use crate::support::{check, check_usage_errors};

#[test]
fn the_demo_shows_a_retry_a_pause_and_the_resume() {
    let run = check(&["demo"], "", 0);
    let out = &run.stdout;
    assert!(out.contains("-> retry in 100ms"), "{out}");
    assert!(out.contains("webhook paused"), "{out}");
    assert!(out.contains("the event is kept as pending"), "{out}");
    assert!(out.contains("enabling the webhook again"), "{out}");
    assert!(out.contains("resumes the pending events"), "{out}");
    assert!(
        out.contains("after resuming: delivered 7/7, failed 0, pending 0"),
        "{out}"
    );
    assert!(
        out.ends_with("webhook active\n") && out.contains("in total: delivered 12/12"),
        "{out}"
    );
    assert!(!out.contains("did not go as designed"), "{out}");
}

#[test]
fn another_story_length_and_seed_also_run_as_designed() {
    let run = check(&["demo", "--seed", "5", "--count", "8"], "", 0);
    assert!(
        run.stdout.contains("in total: delivered 8/8"),
        "{}",
        run.stdout
    );
    check(&["demo", "--count", "3"], "", 2);
}

#[test]
fn a_count_of_0_or_below_is_told_the_range_count_takes() {
    check_usage_errors(
        "demo",
        vec![
            (
                vec!["--count", "0"],
                "error: --count 0: --count takes 7 to 100\n",
            ),
            (
                vec!["--count", "-1"],
                "error: --count -1: a negative number; --count takes 7 to 100\n",
            ),
        ],
    );
}

#[test]
fn the_demo_shows_the_count_of_failures_in_a_row_climbing() {
    let run = check(&["demo"], "", 0);
    let out = &run.stdout;
    assert!(
        out.contains("500 (1 failed in a row, the 11th pauses the webhook) -> retry in"),
        "{out}"
    );
    assert!(
        out.contains("503 (2 failed in a row, the 11th pauses the webhook) -> retry in"),
        "{out}"
    );
    assert!(
        out.contains("(11 failed in a row, more than 10: the webhook is paused)"),
        "{out}"
    );
}

/// The transcript without its first line (which names the receiver's port).
fn transcript(args: &[&str]) -> String {
    let run = check(args, "", 0);
    run.stdout
        .split_once('\n')
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or_default()
}

#[test]
fn twenty_runs_of_one_seed_print_the_same_counts_and_transcript() {
    // Twenty at once: each mostly waits for its retries.
    let runs: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| scope.spawn(|| transcript(&["demo", "--seed", "3"])))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    let counts = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|line| {
                line.starts_with("first run:")
                    || line.starts_with("after resuming:")
                    || line.starts_with("in total:")
            })
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(counts(&runs[0]).len(), 3, "{}", runs[0]);
    for run in &runs[1..] {
        assert_eq!(counts(run), counts(&runs[0]));
        assert_eq!(run, &runs[0]);
    }
}

#[test]
fn every_event_of_the_story_is_about_something_the_demo_added_first() {
    // eventType -> entityType, from `events`.
    let types: HashMap<String, String> = check(&["events"], "", 0)
        .stdout
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(event, entity)| (event.to_owned(), entity.to_owned()))
        .collect();
    for seed in ["1", "2", "3", "4", "5"] {
        let out = transcript(&["demo", "--seed", seed, "--count", "40"]);
        let mut added = HashSet::new();
        let mut seen = HashSet::new();
        for line in out.lines().filter(|line| line.starts_with("  sender:")) {
            // `  sender:   #2 project_added attempt 1: …`
            let mut words = line.split_whitespace().skip(1);
            let (number, name) = (words.next().unwrap(), words.next().unwrap());
            if !seen.insert(number.to_owned()) {
                continue;
            }
            let entity = &types[name];
            if name.ends_with("_added") {
                added.insert(entity.clone());
            } else {
                assert!(
                    added.contains(entity),
                    "seed {seed}: {number} {name} before any {entity} was added:\n{out}"
                );
            }
        }
    }
}
