//! Tests of the models against the golden fixtures, awork's OpenAPI document, every spelling awork
//! has used, and the problems validation must catch.

mod fixtures;
mod validation;

use std::path::PathBuf;

use serde_json::Value;

/// Every fixture: (file name, text).
fn fixture_files() -> Vec<(String, String)> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&directory)
        .expect("fixtures/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn docs_example() -> Value {
    serde_json::from_str(include_str!("../../../../fixtures/awork-docs-example.json")).unwrap()
}

/// Invariant: the models do no I/O; nothing from tokio, hyper or clap is in their dependency tree.
/// Read from `Cargo.lock`, which records every package's dependencies.
#[test]
fn no_io_crates_in_the_dependency_tree() {
    let lock = include_str!("../../../../Cargo.lock");
    let mut dependencies = std::collections::HashMap::<&str, Vec<&str>>::new();
    for package in lock.split("[[package]]").skip(1) {
        let name = package
            .lines()
            .find_map(|line| line.strip_prefix("name = \""))
            .unwrap()
            .trim_end_matches('"');
        let list = package
            .split("dependencies = [")
            .nth(1)
            .map_or("", |rest| rest.split(']').next().unwrap());
        let names = list
            .split(',')
            .map(|item| item.trim().trim_matches('"').split(' ').next().unwrap())
            .filter(|name| !name.is_empty());
        dependencies.entry(name).or_default().extend(names);
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec!["awork-models"];
    while let Some(name) = stack.pop() {
        if seen.insert(name) {
            stack.extend(dependencies.get(name).into_iter().flatten().copied());
        }
    }
    assert!(seen.contains("serde_json"), "the walk found the real tree");
    for forbidden in ["tokio", "hyper", "clap", "mio"] {
        assert!(
            !seen.contains(forbidden),
            "awork-models depends on {forbidden}"
        );
    }
}
