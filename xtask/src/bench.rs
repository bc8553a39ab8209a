//! `cargo xtask bench`: runs the throughput benchmarks in release mode, each beside its baseline in
//! the same process and run, and prints their tables:
//!
//! - generation: events generated and serialized per second against serde_json serializing one fixed
//!   event (`crates/awork-generate/examples/bench_generate.rs`);
//! - delivery: deliveries per second through the engine, attempt log on, against a bare hyper-util
//!   client loop posting the same bytes and, where it is installed, `wrk` posting them too, at
//!   concurrency 1 and 64, the round with the median ratio of interleaved rounds
//!   (`crates/awork-delivery/examples/bench_delivery.rs`).
//!
//! `--quick` runs smaller counts and one round (for a smoke test); the figures in the README come
//! from a full run.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::root;

pub fn run(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|arg| arg == "--quick");
    let benches: [(&str, &str, &[&str]); 2] = [
        (
            "awork-generate",
            "bench_generate",
            if quick {
                &["--events", "20000"]
            } else {
                &["--events", "200000"]
            },
        ),
        (
            "awork-delivery",
            "bench_delivery",
            if quick {
                &["--events", "5000", "--rounds", "1", "--wrk-seconds", "1"]
            } else {
                &["--events", "50000", "--rounds", "5", "--wrk-seconds", "2"]
            },
        ),
    ];
    for (package, example, options) in benches {
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
            ])
            .args(options)
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
