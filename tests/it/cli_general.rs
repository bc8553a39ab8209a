//! The command line itself: help, version, usage errors, and output that cannot be written.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::check;

#[test]
fn version_and_help_succeed() {
    let run = check(&["--version"], "", 0);
    assert_eq!(
        run.stdout.trim(),
        format!("awork-sim {}", env!("CARGO_PKG_VERSION"))
    );
    let run = check(&["--help"], "", 0);
    assert!(
        run.stdout.contains("events") && run.stdout.contains("validate"),
        "{}",
        run.stdout
    );
    check(&["validate", "--help"], "", 0);
}

#[test]
fn usage_errors_exit_2() {
    let run = check(&["events", "--bogus"], "", 2);
    assert!(run.stderr.contains("--bogus"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    check(&["no-such-command"], "", 2);
    check(&[], "", 2);
}

#[test]
fn output_that_cannot_be_written_fails_the_run_with_1_and_one_line() {
    // The exit statuses of the README: 1 when a command ran but could not write its report (a full
    // disk), 2 only for bad usage or input.
    for args in [
        &["generate", "--count", "3"][..],
        &["events"],
        &["schema"],
        &["validate", "-"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens");
        let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .expect("awork-sim starts");
        // An event with a problem, so that `validate` has a finding to write.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(b"{\"eventType\": 1}\n")
            .expect("stdin takes the event");
        drop(stdin);
        let output = child.wait_with_output().expect("awork-sim runs");
        let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(
            stderr
                .lines()
                .filter(|line| line.starts_with("error: "))
                .collect::<Vec<_>>(),
            ["error: cannot write to standard output: No space left on device (os error 28)"],
            "{args:?}"
        );
    }
}
