//! Refusals that protect the user: `generate --out` into a folder that holds anything (unless
//! `--force`, which removes only the event files generate writes), negative numbers, told in
//! one line what the option takes instead of clap's tip to write `-- -5`, and a `send
//! --concurrency` whose connections the limit of open files cannot hold, and the options of
//! generated events given to `send FILE`.

use std::path::Path;

use crate::support::{TempDir, awork_sim_under_ulimit, check};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn generate_out_refuses_a_folder_that_holds_anything_unless_force() {
    let dir = TempDir::new("generate-out-again");
    check(&["generate", "--count", "3", "--out", dir.arg()], "", 0);
    let first = names(&dir.0);
    assert_eq!(first.len(), 3, "{first:?}");

    // Again into the same folder: refused, one line, nothing written.
    let run = check(
        &[
            "generate",
            "--count",
            "2",
            "--seed",
            "9",
            "--out",
            dir.arg(),
        ],
        "",
        2,
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("not empty") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert_eq!(names(&dir.0), first);

    // --force removes the old event files and keeps what generate did not write.
    std::fs::write(dir.0.join("README.md"), "mine").unwrap();
    std::fs::write(dir.0.join("hand-written.json"), "{}").unwrap();
    std::fs::create_dir(dir.0.join("0009-a_folder.json")).unwrap();
    let run = check(
        &[
            "generate",
            "--count",
            "2",
            "--seed",
            "9",
            "--out",
            dir.arg(),
            "--force",
        ],
        "",
        0,
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "one line about what was kept: {}",
        run.stderr
    );
    assert!(run.stderr.contains("kept 3 entries"), "{}", run.stderr);
    let after = names(&dir.0);
    let events: Vec<&String> = after
        .iter()
        .filter(|name| name.starts_with("000") && name.as_str() != "0009-a_folder.json")
        .collect();
    assert_eq!(events.len(), 2, "{after:?}");
    assert!(
        events
            .iter()
            .all(|name| name.starts_with("0001-") || name.starts_with("0002-"))
    );
    for kept in ["README.md", "hand-written.json", "0009-a_folder.json"] {
        assert!(after.iter().any(|name| name == kept), "{kept}: {after:?}");
    }
    let seeded = check(&["generate", "--count", "1", "--seed", "9"], "", 0).stdout;
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join(events[0])).unwrap()).unwrap();
    assert_eq!(
        written,
        serde_json::from_str::<serde_json::Value>(&seeded).unwrap()
    );

    // --force wants --out.
    check(&["generate", "--force"], "", 2);
}

#[test]
fn a_negative_number_is_told_what_the_option_takes_in_one_line() {
    let url = "http://127.0.0.1:9/";
    for (args, message) in [
        (
            vec!["generate", "--count", "-5"],
            "error: --count -5: a negative number; --count takes 0 or more\n",
        ),
        (
            vec!["generate", "--count=-5"],
            "error: --count -5: a negative number; --count takes 0 or more\n",
        ),
        (
            vec!["send", "--url", url, "--count", "-5"],
            "error: --count -5: a negative number; --count takes 1 or more\n",
        ),
        (
            vec!["send", "--url", url, "--count", "0"],
            "error: --count 0: --count takes 1 or more\n",
        ),
        (
            vec!["send", "--url", url, "--concurrency", "-1"],
            "error: --concurrency -1: a negative number; --concurrency takes 1 or more\n",
        ),
        (
            vec!["send", "--url", url, "--max-retries", "-3"],
            "error: --max-retries -3: a negative number; --max-retries takes 0 or more\n",
        ),
        (
            vec!["listen", "--fail-first", "-2"],
            "error: --fail-first -2: a negative number; --fail-first takes 0 or more\n",
        ),
        (
            vec!["listen", "--fail-rate", "-0.5"],
            "error: --fail-rate -0.5: must be between 0 and 1\n",
        ),
    ] {
        let run = check(&args, "", 2);
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr, message, "{args:?}");
    }
}

#[test]
fn one_entry_is_counted_in_the_singular() {
    let dir = TempDir::new("generate-out-one-entry");
    std::fs::create_dir(&dir.0).unwrap();
    std::fs::write(dir.0.join("README.md"), "mine").unwrap();
    let run = check(&["generate", "--count", "1", "--out", dir.arg()], "", 2);
    assert!(
        run.stderr.contains("not empty (1 entry);"),
        "{}",
        run.stderr
    );
    let run = check(
        &["generate", "--count", "1", "--out", dir.arg(), "--force"],
        "",
        0,
    );
    assert!(
        run.stderr
            .contains("kept 1 entry that generate does not write"),
        "{}",
        run.stderr
    );
}

#[test]
fn send_refuses_a_concurrency_whose_connections_the_open_files_limit_cannot_hold() {
    // `ulimit -n` sets the hard limit too: send cannot raise it, and 100 connections do not fit
    // in 64 open files. Refused before anything is sent (the URL's port answers nothing anyway).
    let run = awork_sim_under_ulimit(
        "-n 64",
        &[
            "send",
            "--url",
            "http://127.0.0.1:9/",
            "--concurrency",
            "100",
        ],
    );
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert_eq!(
        run.stderr,
        "error: --concurrency 100: 100 connections and the files send keeps need about 132 open \
         files, and this process may open 64 (`ulimit -n`): lower --concurrency or raise the \
         limit\n"
    );
}

#[test]
fn send_refuses_the_options_of_generated_events_with_files() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/absence_added.json"
    );
    // Nothing listens there, and nothing is sent: the refusal comes first.
    let url = "http://127.0.0.1:9/hook";
    for option in [
        &["--seed", "3"][..],
        &["--naming", "spec"],
        &["--event", "task_added"],
        &["--count", "2"],
        &["--reproducible"],
    ] {
        let mut args = vec!["send", "--url", url, fixture];
        args.extend_from_slice(option);
        let run = check(&args, "", 2);
        assert_eq!(
            run.stderr,
            format!(
                "error: {} chooses generated events; --event, --seed, --naming, --count and \
                 --reproducible cannot be used with FILEs (which are sent byte for byte)\n",
                option[0]
            )
        );
    }
}
