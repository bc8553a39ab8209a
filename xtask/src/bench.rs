//! `cargo xtask bench`: runs the throughput benchmarks in release mode, each beside its baseline in
//! the same process and run, and prints their tables:
//!
//! - generation: events generated and serialized per second against serde_json serializing one fixed
//!   event (`crates/awork-generate/examples/bench_generate.rs`);
//! - delivery: deliveries per second through the engine, attempt log on, against a bare hyper-util
//!   client loop posting the same bytes, at concurrency 1 and 64
//!   (`crates/awork-delivery/examples/bench_delivery.rs`).
//!
//! `--quick` runs smaller counts (for a smoke test); the figures in the README come from a full run.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::root;

pub fn run(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|arg| arg == "--quick");
    let benches: [(&str, &str, &str); 2] = [
        (
            "awork-generate",
            "bench_generate",
            if quick { "20000" } else { "200000" },
        ),
        (
            "awork-delivery",
            "bench_delivery",
            if quick { "5000" } else { "50000" },
        ),
    ];
    for (package, example, events) in benches {
        let status = Command::new(env!("CARGO"))
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                package,
                "--example",
                example,
                "--",
                "--events",
                events,
            ])
            .current_dir(root())
            .status()
            .with_context(|| format!("cannot run {example}"))?;
        if !status.success() {
            bail!("{example} failed ({status})");
        }
        println!();
    }
    Ok(())
}
