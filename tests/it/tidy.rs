//! Checks on the source itself: every module of the binary and of these tests opens with `//!`.

use std::path::Path;

use crate::support::workspace_root;

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source directory is readable") {
        let path = entry.expect("the source directory is readable").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_module_says_what_it_is_for() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates/awork-sim/src"), &mut files);
    rust_files(&workspace_root().join("tests/it"), &mut files);
    assert!(files.len() > 5, "{files:?}");
    let undocumented: Vec<_> = files
        .iter()
        .filter(|file| {
            !std::fs::read_to_string(file)
                .expect("sources are UTF-8")
                .starts_with("//!")
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "modules without a `//!` comment: {undocumented:?}"
    );
}
