//! The README's "Property-test your parser" examples are the files the tests run: the Rust one is
//! a test of `awork-generate`, the Python one runs here against the built binary where Python and
//! hypothesis are installed (`.ci/run` installs them, so CI always runs it).

use std::process::Command;

use crate::support::{python_with, workspace_root};

/// The body of the README's code block that follows the line `marker`, fenced with `language`.
fn readme_block(marker: &str, language: &str) -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let after = &readme[readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has {marker:?}"))..];
    let fence = format!("```{language}\n");
    let start = after.find(&fence).expect("a code block follows") + fence.len();
    let end = start + after[start..].find("```\n").expect("the block ends");
    after[start..end].to_owned()
}

#[test]
fn the_readme_shows_the_example_files_as_they_are() {
    for (marker, language, file) in [
        (
            "<!-- example: crates/awork-generate/tests/it/readme_example.rs -->",
            "rust",
            "crates/awork-generate/tests/it/readme_example.rs",
        ),
        (
            "<!-- example: tests/it/python/test_parser_example.py -->",
            "python",
            "tests/it/python/test_parser_example.py",
        ),
    ] {
        let file_text = std::fs::read_to_string(workspace_root().join(file)).unwrap();
        assert_eq!(
            readme_block(marker, language),
            file_text,
            "README vs {file}"
        );
    }
}

#[test]
fn the_python_example_runs_as_written() {
    if !python_with(
        "hypothesis, hypothesis_jsonschema",
        "hypothesis==6.130.12 hypothesis-jsonschema==0.23.1",
    ) {
        return;
    }
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_awork-sim"));
    let path = std::env::join_paths(std::iter::once(binary.parent().unwrap().to_owned()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let output = Command::new("python3")
        .arg(workspace_root().join("tests/it/python/test_parser_example.py"))
        .env("PATH", path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ok\n");
}

/// The README's CI job passes the secret to `check` in `AWORK_SIM_AUTH_HEADER`, so it never shows
/// in `ps` or in the job log's command line, and `.ci/check-example-receiver` runs it the same way.
#[test]
fn the_ci_job_keeps_the_auth_header_off_the_command_line() {
    let job = readme_block("A copy-paste job for GitHub Actions", "yaml");
    let step = &job[job.find("- name: Check it as awork would call it").unwrap()..];
    let step = &step[..step.find("- uses:").unwrap_or(step.len())];
    assert!(step.contains("AWORK_SIM_AUTH_HEADER: "), "{step}");
    assert!(step.contains("awork-sim check"), "{step}");
    assert!(!step.contains("--auth-header"), "{step}");

    let script =
        std::fs::read_to_string(workspace_root().join(".ci/check-example-receiver")).unwrap();
    let check_line = script
        .lines()
        .find(|line| line.contains("awork-sim\" check"))
        .expect("the script runs check");
    assert!(
        check_line.starts_with("AWORK_SIM_AUTH_HEADER="),
        "{check_line}"
    );
    assert!(!check_line.contains("--auth-header"), "{check_line}");
}
