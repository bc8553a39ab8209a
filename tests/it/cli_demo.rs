//! `awork-sim demo`: the story runs as designed (retries, a pause, the resume) and exits 0.

use crate::support::check;

#[test]
fn the_demo_shows_a_retry_a_pause_and_the_resume() {
    let run = check(&["demo"], "", 0);
    let out = &run.stdout;
    assert!(out.contains("-> retry in 200ms"), "{out}");
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
