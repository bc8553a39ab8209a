//! The command line itself: help, version, and usage errors.

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
