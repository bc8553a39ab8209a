//! Project automation, run as `cargo xtask <task>`:
//!
//! - `ci`: runs `.ci/run`, the checks CI runs: fmt, clippy, the tests, the docs.
//! - `fixtures`: rewrites the golden fixtures in `fixtures/` from the generator.
//! - `schema`: rewrites the entity definitions of `awork-sim schema` from awork's OpenAPI document.
//! - `operations`: rewrites what `serve` keeps of awork's OpenAPI document: the table of its
//!   operations (a 501 for those it does not simulate) and the response models of those it does.
//! - `bench`: measures generation, and delivery end to end (`send FILE` and generated `send`
//!   against `wrk`, `serve` against `send`, to the same receiver process), each beside its
//!   baseline in the same run; the comparisons go to `target/bench.json`.
//!
//! Nothing here is part of the tool users install.

mod bench;
mod operations;
mod schema;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fixtures") => fixtures(),
        Some("schema") => write_schema(),
        Some("operations") => write_operations(),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <ci|fixtures|schema|operations|bench [--quick] [--rounds R] [--in-process]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_owned()
}

/// The checks of CI: `.ci/run` is the one list, so that local runs and CI cannot drift apart.
fn ci() -> Result<()> {
    let status = Command::new("bash")
        .arg(root().join(".ci/run"))
        .current_dir(root())
        .status()
        .context("cannot run .ci/run")?;
    if !status.success() {
        bail!(".ci/run failed ({status})");
    }
    Ok(())
}

fn write_schema() -> Result<()> {
    let path = root().join(schema::PATH);
    std::fs::write(&path, schema::definitions())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn write_operations() -> Result<()> {
    for (path, text) in [
        (operations::PATH, operations::table()),
        (operations::SCHEMAS_PATH, operations::schemas()),
    ] {
        let path = root().join(path);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn fixtures() -> Result<()> {
    let directory = root().join("fixtures");
    std::fs::create_dir_all(&directory)?;
    let fixtures = awork_generate::fixtures::golden_fixtures();
    for (name, contents) in &fixtures {
        std::fs::write(directory.join(name), contents)
            .with_context(|| format!("cannot write fixtures/{name}"))?;
    }
    eprintln!(
        "wrote {} fixtures to {}",
        fixtures.len(),
        directory.display()
    );
    Ok(())
}
