//! `cargo xtask bench`: measures what users run, each figure beside its baseline in the same run,
//! and prints the tables:
//!
//! - generation: events generated and serialized per second against serde_json serializing one
//!   fixed event (`crates/awork-generate/examples/bench_generate.rs`, in-process);
//! - delivery, end to end: the release `awork-sim` binary, `send --count N --concurrency C --log F
//!   --json` with its generated events, against `wrk -cC` posting a generated event of the mean
//!   size with the same headers, both to the same separate receiver process
//!   (`crates/awork-delivery/examples/bench_receiver.rs`), at concurrency 1 and 64, in interleaved
//!   rounds (the order alternating), with the ratio send/wrk of every round and their median.
//!   Without `wrk` the bench says so and shows send's rates alone.
//!
//! `--rounds R` sets the rounds (default 5); `--quick` runs small counts and one round (a smoke
//! test); `--in-process` adds the engine's in-process micro-benchmark
//! (`crates/awork-delivery/examples/bench_delivery.rs`). The README's figures come from a full run.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::root;

/// What the command line asks for.
struct Options {
    quick: bool,
    rounds: usize,
    in_process: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            quick: false,
            rounds: 5,
            in_process: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--in-process" => options.in_process = true,
                "--rounds" => {
                    options.rounds = args
                        .next()
                        .and_then(|value| value.parse().ok())
                        .filter(|rounds| *rounds > 0)
                        .context("--rounds takes a number of at least 1")?;
                }
                other => bail!(
                    "unknown argument `{other}` (usage: cargo xtask bench [--quick] [--rounds R] [--in-process])"
                ),
            }
        }
        if options.quick {
            options.rounds = 1;
        }
        Ok(options)
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    let events = if options.quick { "20000" } else { "200000" };
    run_example("awork-generate", "bench_generate", &["--events", events])?;
    println!();
    end_to_end(&options)?;
    if options.in_process {
        println!();
        let arguments: &[&str] = if options.quick {
            &["--events", "5000", "--rounds", "1"]
        } else {
            &["--events", "50000", "--rounds", "5"]
        };
        run_example("awork-delivery", "bench_delivery", arguments)?;
    }
    Ok(())
}

/// `cargo run --release` of an example, its output going to ours.
fn run_example(package: &str, example: &str, arguments: &[&str]) -> Result<()> {
    let status = Command::new(env!("CARGO"))
        .args(["run", "--release", "--quiet", "--package", package])
        .args(["--example", example, "--"])
        .args(arguments)
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot run {example}"))?;
    ensure!(status.success(), "{example} failed ({status})");
    Ok(())
}

/// `cargo build --release` of the given targets.
fn build(arguments: &[&str]) -> Result<()> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet"])
        .args(arguments)
        .current_dir(root())
        .status()
        .context("cannot run cargo build")?;
    ensure!(
        status.success(),
        "cargo build {} failed",
        arguments.join(" ")
    );
    Ok(())
}

/// Where cargo puts release builds.
fn release_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), PathBuf::from)
        .join("release")
}

/// How many events `send` delivers per round, and wrk's seconds per round.
struct Sizes {
    one: usize,
    many: usize,
    wrk_seconds: u64,
}

fn end_to_end(options: &Options) -> Result<()> {
    let sizes = if options.quick {
        Sizes {
            one: 2_000,
            many: 5_000,
            wrk_seconds: 1,
        }
    } else {
        Sizes {
            one: 20_000,
            many: 50_000,
            wrk_seconds: 3,
        }
    };
    build(&["--package", "awork-sim", "--bin", "awork-sim"])?;
    build(&["--package", "awork-delivery", "--example", "bench_receiver"])?;
    let release = release_dir();
    let sim = release.join("awork-sim");
    let dir = std::env::temp_dir().join(format!("awork-sim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let result = measure(options, &sizes, &sim, &release, &dir);
    // The measurement's files are large (the attempt logs); they go whatever happened.
    let removed = std::fs::remove_dir_all(&dir);
    result?;
    removed.with_context(|| format!("cannot remove {}", dir.display()))
}

fn measure(options: &Options, sizes: &Sizes, sim: &Path, release: &Path, dir: &Path) -> Result<()> {
    let receiver = Receiver::start(&release.join("examples").join("bench_receiver"))?;
    let url = receiver.url.clone();

    // The bodies send posts are the generated events of its default seed: generate them the same
    // way, and give wrk the one closest to their mean size.
    let generated = Command::new(sim)
        .args(["generate", "--count", &sizes.many.to_string()])
        .output()
        .context("cannot run awork-sim generate")?;
    ensure!(
        generated.status.success(),
        "awork-sim generate failed: {}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let lines: Vec<&[u8]> = generated
        .stdout
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    ensure!(!lines.is_empty(), "awork-sim generate printed no events");
    let mean = lines.iter().map(|line| line.len()).sum::<usize>() as f64 / lines.len() as f64;
    let body = lines
        .iter()
        .min_by(|a, b| {
            (a.len() as f64 - mean)
                .abs()
                .total_cmp(&(b.len() as f64 - mean).abs())
        })
        .expect("at least one event");
    let body_path = dir.join("body.json");
    std::fs::write(&body_path, body)?;
    let wrk = Wrk::find(dir, body)?;

    let binary_size = std::fs::metadata(sim).map(|metadata| metadata.len())?;
    println!(
        "delivery, end to end: the release awork-sim binary ({:.1} MB) and wrk to one bench_receiver process at {url}",
        binary_size as f64 / 1e6
    );
    println!(
        "send: its generated events (seed 1, mean {mean:.0} B), --log on; wrk: one of them ({} B, {}), same headers",
        body.len(),
        body_path.display()
    );
    match &wrk {
        Some(_) => println!(
            "{} interleaved rounds; wrk {} s a round; rates in events/s (send: events over its wall time)",
            options.rounds, sizes.wrk_seconds
        ),
        None => println!(
            "wrk is not installed (Debian: apt-get install wrk): the wrk baseline is skipped, send's rates are shown alone"
        ),
    }
    let log = dir.join("attempts.jsonl");
    for (concurrency, events) in [(1, sizes.one), (64, sizes.many)] {
        println!(
            "concurrency {concurrency}: send --count {events} --concurrency {concurrency} vs wrk -c{concurrency} -t{}",
            concurrency.min(2)
        );
        let mut ratios = Vec::with_capacity(options.rounds);
        for round in 0..options.rounds {
            // Alternate who goes first, so a trend in the machine's load favours neither.
            let wrk_first = round % 2 == 0;
            let mut wrk_rate = None;
            if wrk_first {
                wrk_rate = wrk
                    .as_ref()
                    .map(|wrk| wrk.run(&url, concurrency, sizes.wrk_seconds))
                    .transpose()?;
            }
            let send_rate = send(sim, &url, events, concurrency, &log)?;
            if !wrk_first {
                wrk_rate = wrk
                    .as_ref()
                    .map(|wrk| wrk.run(&url, concurrency, sizes.wrk_seconds))
                    .transpose()?;
            }
            let mut line = format!("  round {}: send {send_rate:>8.0}/s", round + 1);
            if let Some(wrk_rate) = wrk_rate {
                let ratio = send_rate / wrk_rate;
                ratios.push(ratio);
                write!(line, "   wrk {wrk_rate:>8.0}/s   send/wrk {ratio:.2}")?;
            }
            println!("{line}");
        }
        if !ratios.is_empty() {
            ratios.sort_by(f64::total_cmp);
            let median = if ratios.len() % 2 == 1 {
                ratios[ratios.len() / 2]
            } else {
                (ratios[ratios.len() / 2 - 1] + ratios[ratios.len() / 2]) / 2.0
            };
            println!("  median send/wrk at concurrency {concurrency}: {median:.2}");
        }
    }
    let received = receiver.stop()?;
    println!("the receiver answered {received} requests");
    Ok(())
}

/// One `awork-sim send` of `events` generated events; its rate in events per second of wall time
/// (the process's whole life, as a user waits for it), after checking its JSON summary and log.
fn send(sim: &Path, url: &str, events: usize, concurrency: usize, log: &Path) -> Result<f64> {
    let started = Instant::now();
    let output = Command::new(sim)
        .args(["send", "--url", url, "--count", &events.to_string()])
        .args(["--concurrency", &concurrency.to_string(), "--json", "--log"])
        .arg(log)
        .stdin(Stdio::null())
        .output()
        .context("cannot run awork-sim send")?;
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "awork-sim send failed ({}): {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .with_context(|| format!("no JSON summary at the end of send's stdout: {stdout}"))?;
    ensure!(
        summary["delivered"] == events,
        "send delivered {} of {events}",
        summary["delivered"]
    );
    let logged = BufReader::new(std::fs::File::open(log)?).lines().count();
    ensure!(
        logged == events,
        "the attempt log has {logged} lines, not {events}"
    );
    Ok(events as f64 / took.as_secs_f64())
}

/// The receiver process; it ends when its stdin closes.
struct Receiver {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

impl Receiver {
    fn start(program: &Path) -> Result<Receiver> {
        let mut child = Command::new(program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut url = String::new();
        stdout.read_line(&mut url)?;
        let url = url.trim().to_owned();
        ensure!(
            url.starts_with("http://"),
            "the receiver printed `{url}`, not its URL"
        );
        Ok(Receiver {
            child,
            stdin,
            stdout,
            url,
        })
    }

    /// Closes its stdin, and returns how many requests it says it answered.
    fn stop(mut self) -> Result<u64> {
        drop(self.stdin.take());
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        self.child.wait()?;
        line.trim()
            .strip_prefix("received ")
            .and_then(|count| count.parse().ok())
            .with_context(|| format!("the receiver ended with `{}`", line.trim()))
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // After `stop` it has exited already; on an error, it must not outlive the bench.
        if self.stdin.is_some() {
            let _killed = self.child.kill();
            let _reaped = self.child.wait();
        }
    }
}

/// `wrk`, with a Lua script that makes it POST the body with send's headers.
struct Wrk {
    script: PathBuf,
}

impl Wrk {
    /// Writes the script if `wrk` runs here; `None` if it is not installed.
    fn find(dir: &Path, body: &[u8]) -> Result<Option<Wrk>> {
        // `wrk -v` prints its version and exits with 1, so only whether it started matters.
        if Command::new("wrk").arg("-v").output().is_err() {
            return Ok(None);
        }
        let script = dir.join("post.lua");
        let mut file = std::fs::File::create(&script)?;
        writeln!(file, "wrk.method = \"POST\"")?;
        writeln!(file, "wrk.body = {}", lua_string(body))?;
        writeln!(file, "wrk.headers[\"Content-Type\"] = \"application/json\"")?;
        writeln!(
            file,
            "wrk.headers[\"User-Agent\"] = \"awork-sim/{}\"",
            env!("CARGO_PKG_VERSION")
        )?;
        Ok(Some(Wrk { script }))
    }

    /// Requests per second over `seconds`, with `connections` connections.
    fn run(&self, url: &str, connections: usize, seconds: u64) -> Result<f64> {
        // Two threads at most: the machine has two cores, shared with the receiver.
        let threads = connections.min(2);
        let output = Command::new("wrk")
            .arg(format!("--threads={threads}"))
            .arg(format!("--connections={connections}"))
            .arg(format!("--duration={seconds}s"))
            .arg("--script")
            .arg(&self.script)
            .arg(url)
            .output()
            .context("cannot run wrk")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success()
                && !stdout.contains("Non-2xx")
                && !stdout.contains("Socket errors"),
            "wrk failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
            .lines()
            .find_map(|line| line.strip_prefix("Requests/sec:"))
            .and_then(|rate| rate.trim().parse().ok())
            .with_context(|| format!("no Requests/sec in wrk's output: {stdout}"))
    }
}

/// `bytes` as a Lua string literal: printable ASCII as it is, every other byte as `\ddd`.
fn lua_string(bytes: &[u8]) -> String {
    let mut literal = String::with_capacity(bytes.len() + 2);
    literal.push('"');
    for &byte in bytes {
        if (byte.is_ascii_graphic() || byte == b' ') && byte != b'"' && byte != b'\\' {
            literal.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(literal, "\\{byte:03}");
        }
    }
    literal.push('"');
    literal
}
