//! `cargo xtask bench`: measures what users run, each figure beside its baseline in the same run,
//! prints the tables and writes the comparisons to `target/bench.json`:
//!
//! - generation: events generated and serialized per second against serde_json serializing one
//!   fixed event (`crates/awork-generate/examples/bench_generate.rs`, in-process);
//! - `send FILE`: the release `awork-sim` binary sending pre-generated NDJSON byte for byte
//!   (`send FILE --concurrency C --log F --json`) against `wrk -cC` posting the same bodies in the
//!   same order (a Lua script cycling through them), at concurrency 1 and 64: the delivery
//!   engine's own cost, nothing generated;
//! - generated `send` (`send --count N`) against `wrk -cC` posting one generated event of the
//!   mean size, at concurrency 1 and 64;
//! - `serve`: one `POST /sim/events` until every webhook reports its events delivered in
//!   `GET /sim/status`, to 1 and to 10 webhooks, against generated `send` at concurrency 1 and
//!   10 delivering as many events.
//!
//! Everything posts to one separate receiver process
//! (`crates/awork-delivery/examples/bench_receiver.rs`). Each comparison runs in interleaved
//! rounds (the order alternating), and its ratio is taken within each round; the table gives the
//! median and the range. Without `wrk` the bench says so and shows the rates alone.
//!
//! `--rounds R` sets the rounds (default 5); `--quick` runs small counts and one round (a smoke
//! test of a few minutes); `--in-process` adds the engine's in-process micro-benchmark
//! (`crates/awork-delivery/examples/bench_delivery.rs`). The README's figures come from a full run.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

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

/// Where cargo puts its builds.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// How much each round does.
struct Sizes {
    /// Events `send` delivers at concurrency 1.
    one: usize,
    /// Events `send` delivers at concurrency 64 (and at 10, beside serve's ten webhooks).
    many: usize,
    /// Events serve makes for one webhook.
    serve_one: usize,
    /// Events serve makes for each of ten webhooks.
    serve_ten: usize,
    /// wrk's seconds per round.
    wrk_seconds: u64,
}

fn end_to_end(options: &Options) -> Result<()> {
    let sizes = if options.quick {
        Sizes {
            one: 2_000,
            many: 5_000,
            serve_one: 2_000,
            serve_ten: 500,
            wrk_seconds: 1,
        }
    } else {
        Sizes {
            one: 20_000,
            many: 50_000,
            serve_one: 20_000,
            serve_ten: 5_000,
            wrk_seconds: 3,
        }
    };
    build(&["--package", "awork-sim", "--bin", "awork-sim"])?;
    build(&["--package", "awork-delivery", "--example", "bench_receiver"])?;
    let release = target_dir().join("release");
    let sim = release.join("awork-sim");
    let dir = std::env::temp_dir().join(format!("awork-sim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let result = measure(options, &sizes, &sim, &release, &dir);
    // The measurement's files are large (the attempt logs, the databases); they go whatever
    // happened.
    let removed = std::fs::remove_dir_all(&dir);
    let comparisons = result?;
    removed.with_context(|| format!("cannot remove {}", dir.display()))?;
    println!();
    print_table(&comparisons);
    let path = target_dir().join("bench.json");
    let report = json!({
        "unixTime": SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
        "cores": std::thread::available_parallelism().map_or(0, usize::from),
        "quick": options.quick,
        "rounds": options.rounds,
        "comparisons": comparisons.iter().map(Comparison::to_json).collect::<Vec<_>>(),
    });
    std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}

/// One comparison: a rate measured beside its baseline's, round by round.
struct Comparison {
    name: String,
    measured: String,
    baseline: String,
    /// The measured rate of each round.
    rates: Vec<f64>,
    /// The baseline's rate of each round (empty without the baseline).
    baselines: Vec<f64>,
}

impl Comparison {
    fn ratios(&self) -> Vec<f64> {
        self.rates
            .iter()
            .zip(&self.baselines)
            .map(|(rate, baseline)| rate / baseline)
            .collect()
    }

    fn to_json(&self) -> Value {
        let ratios = self.ratios();
        json!({
            "name": self.name,
            "measured": self.measured,
            "baseline": self.baseline,
            "rates": self.rates,
            "baselineRates": self.baselines,
            "ratios": ratios,
            "ratio": summary(&ratios).map(|(median, low, high)| {
                json!({"median": median, "min": low, "max": high})
            }),
        })
    }
}

/// The median, the least and the greatest of `values`, if any.
fn summary(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (low, high) = (*sorted.first()?, *sorted.last()?);
    let middle = sorted.len() / 2;
    let median = if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    };
    Some((median, low, high))
}

/// Runs `measured` and `baseline` (if there is one) in `rounds` interleaved rounds, the order
/// alternating so that a trend in the machine's load favours neither, and prints each round.
fn interleave(
    rounds: usize,
    (name, measured_name, baseline_name): (&str, &str, &str),
    measured: &mut dyn FnMut() -> Result<f64>,
    mut baseline: Option<&mut dyn FnMut() -> Result<f64>>,
) -> Result<Comparison> {
    println!("{name}: {measured_name} vs {baseline_name}");
    let mut comparison = Comparison {
        name: name.to_owned(),
        measured: measured_name.to_owned(),
        baseline: baseline_name.to_owned(),
        rates: Vec::with_capacity(rounds),
        baselines: Vec::with_capacity(rounds),
    };
    for round in 0..rounds {
        let baseline_first = round % 2 == 0;
        let mut baseline_rate = None;
        if baseline_first && let Some(baseline) = baseline.as_mut() {
            baseline_rate = Some(baseline()?);
        }
        let rate = measured()?;
        if !baseline_first && let Some(baseline) = baseline.as_mut() {
            baseline_rate = Some(baseline()?);
        }
        let mut line = format!("  round {}: {rate:>8.0}/s", round + 1);
        comparison.rates.push(rate);
        if let Some(baseline_rate) = baseline_rate {
            comparison.baselines.push(baseline_rate);
            write!(
                line,
                "   baseline {baseline_rate:>8.0}/s   ratio {:.2}",
                rate / baseline_rate
            )?;
        }
        println!("{line}");
    }
    Ok(comparison)
}

/// The table of every comparison: rates and ratios as median (least–greatest).
fn print_table(comparisons: &[Comparison]) {
    let range = |values: &[f64], digits: usize| match summary(values) {
        Some((median, low, high)) => {
            format!("{median:.digits$} ({low:.digits$}–{high:.digits$})")
        }
        None => "-".to_owned(),
    };
    println!("| comparison | measured /s | baseline /s | ratio |");
    println!("| --- | --- | --- | --- |");
    for comparison in comparisons {
        println!(
            "| {}: {} vs {} | {} | {} | {} |",
            comparison.name,
            comparison.measured,
            comparison.baseline,
            range(&comparison.rates, 0),
            range(&comparison.baselines, 0),
            range(&comparison.ratios(), 2),
        );
    }
}

fn measure(
    options: &Options,
    sizes: &Sizes,
    sim: &Path,
    release: &Path,
    dir: &Path,
) -> Result<Vec<Comparison>> {
    let receiver = Receiver::start(&release.join("examples").join("bench_receiver"))?;
    let url = receiver.url.as_str();

    // The bodies are the generated events of send's default seed: `send FILE` and wrk post them
    // from files, and generated `send` makes the same story (with trace ids of its own).
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
    ensure!(
        lines.len() == sizes.many,
        "awork-sim generate printed {} events, not {}",
        lines.len(),
        sizes.many
    );
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
    let mut files = Vec::new();
    for count in [sizes.one, sizes.many] {
        let path = dir.join(format!("events-{count}.ndjson"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for line in &lines[..count] {
            file.write_all(line)?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
        files.push((count, path));
    }
    let wrk = Wrk::find(dir, body)?;

    let binary_size = std::fs::metadata(sim).map(|metadata| metadata.len())?;
    println!(
        "delivery, end to end: the release awork-sim binary ({:.1} MB), wrk and serve to one bench_receiver process at {url}",
        binary_size as f64 / 1e6
    );
    println!(
        "events: generated, seed 1, mean {mean:.0} B; wrk's single body: {} B ({}); same headers",
        body.len(),
        body_path.display()
    );
    match &wrk {
        Some(_) => println!(
            "{} interleaved rounds; wrk {} s a round; rates in events/s over each process's wall time",
            options.rounds, sizes.wrk_seconds
        ),
        None => println!(
            "wrk is not installed (Debian: apt-get install wrk): the wrk baselines are skipped, send's rates are shown alone"
        ),
    }
    let log = dir.join("attempts.jsonl");
    let mut comparisons = Vec::new();

    for (concurrency, (count, file)) in [1, 64].into_iter().zip(&files) {
        let measured = format!("send FILE ({count} events) -c{concurrency}");
        let baseline = format!("wrk -c{concurrency}, the same bodies in turn");
        let mut sent = || send(sim, url, Input::File(file), *count, concurrency, &log);
        let mut cycled = wrk
            .as_ref()
            .map(|wrk| {
                let script = wrk.cycling(dir, file)?;
                Ok::<_, anyhow::Error>(move || {
                    wrk.run(&script, url, concurrency, sizes.wrk_seconds)
                })
            })
            .transpose()?;
        comparisons.push(interleave(
            options.rounds,
            ("send FILE / wrk", &measured, &baseline),
            &mut sent,
            cycled
                .as_mut()
                .map(|cycled| cycled as &mut dyn FnMut() -> Result<f64>),
        )?);
    }

    for (concurrency, count) in [(1, sizes.one), (64, sizes.many)] {
        let measured = format!("send --count {count} -c{concurrency}");
        let baseline = format!("wrk -c{concurrency}, one {} B body", body.len());
        let mut sent = || send(sim, url, Input::Count(count), count, concurrency, &log);
        let mut fixed = wrk
            .as_ref()
            .map(|wrk| move || wrk.run(&wrk.script, url, concurrency, sizes.wrk_seconds));
        comparisons.push(interleave(
            options.rounds,
            ("generated send / wrk", &measured, &baseline),
            &mut sent,
            fixed
                .as_mut()
                .map(|fixed| fixed as &mut dyn FnMut() -> Result<f64>),
        )?);
    }

    for (webhooks, events, concurrency) in [(1, sizes.serve_one, 1), (10, sizes.serve_ten, 10)] {
        let deliveries = webhooks * events;
        let measured = format!("serve, {webhooks} webhook(s) × {events} events");
        let baseline = format!("send --count {deliveries} -c{concurrency}");
        let mut round = 0;
        let mut served = || {
            round += 1;
            serve(
                sim,
                url,
                &dir.join(format!("serve-{webhooks}-{round}")),
                webhooks,
                events,
            )
        };
        let mut sent = || {
            send(
                sim,
                url,
                Input::Count(deliveries),
                deliveries,
                concurrency,
                &log,
            )
        };
        comparisons.push(interleave(
            options.rounds,
            ("serve / send", &measured, &baseline),
            &mut served,
            Some(&mut sent),
        )?);
    }

    let received = receiver.stop()?;
    println!("the receiver answered {received} requests");
    Ok(comparisons)
}

/// What `send` delivers: a file's events, or so many generated ones.
enum Input<'a> {
    File(&'a Path),
    Count(usize),
}

/// One `awork-sim send`; its rate in events per second of wall time (the process's whole life,
/// as a user waits for it), after checking its JSON summary and log.
fn send(
    sim: &Path,
    url: &str,
    input: Input<'_>,
    events: usize,
    concurrency: usize,
    log: &Path,
) -> Result<f64> {
    let mut command = Command::new(sim);
    command.args(["send", "--url", url]);
    match input {
        Input::File(path) => command.arg(path),
        Input::Count(count) => command.args(["--count", &count.to_string()]),
    };
    command
        .args(["--concurrency", &concurrency.to_string(), "--json", "--log"])
        .arg(log)
        .stdin(Stdio::null());
    let started = Instant::now();
    let output = command.output().context("cannot run awork-sim send")?;
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "awork-sim send failed ({}): {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = stdout
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

/// One `awork-sim serve` in a fresh data folder with `webhooks` webhooks to `url`, each
/// subscribed to every event type: its deliveries per second from one `POST /sim/events` of
/// `events` events until `GET /sim/status` shows every one delivered.
fn serve(sim: &Path, url: &str, data: &Path, webhooks: usize, events: usize) -> Result<f64> {
    let server = Serve::start(sim, data)?;
    let names = server.call("GET", "/api/v1/webhooks/eventtypes", None)?;
    let names: Vec<&str> = names
        .as_array()
        .context("GET /api/v1/webhooks/eventtypes answered no array")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for number in 0..webhooks {
        let form = json!({
            "name": format!("bench {number}"),
            "uri": url,
            "events": names.join(","),
            "isActive": true,
            "authenticationType": "none",
        });
        server.call("POST", "/api/v1/webhooks", Some(&form))?;
    }
    let started = Instant::now();
    let made = server.call("POST", "/sim/events", Some(&json!({ "count": events })))?;
    let expected: u64 = made["events"]
        .as_array()
        .context("POST /sim/events answered no events")?
        .iter()
        .filter_map(|event| event["webhooks"].as_u64())
        .sum();
    ensure!(
        expected == (webhooks * events) as u64,
        "serve queued {expected} deliveries, not {}",
        webhooks * events
    );
    loop {
        let status = server.call("GET", "/sim/status", None)?;
        let rows = status["webhooks"]
            .as_array()
            .context("GET /sim/status answered no webhooks")?;
        let count = |name: &str| {
            rows.iter()
                .filter_map(|row| row[name].as_u64())
                .sum::<u64>()
        };
        ensure!(
            count("failed") == 0 && count("dropped") == 0,
            "serve failed or dropped deliveries: {status}"
        );
        if count("delivered") == expected {
            break;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(600),
            "serve has not delivered everything after 10 minutes: {status}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    drop(server);
    std::fs::remove_dir_all(data).with_context(|| format!("cannot remove {}", data.display()))?;
    Ok(expected as f64 / took.as_secs_f64())
}

/// An `awork-sim serve` process; it is killed when dropped.
struct Serve {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
}

impl Serve {
    fn start(sim: &Path, data: &Path) -> Result<Serve> {
        let mut child = Command::new(sim)
            .args(["serve", "--port", "0", "--data"])
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start awork-sim serve")?;
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut first = String::new();
        stdout.read_line(&mut first)?;
        // The rest of its output is read, so that serve never waits on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let server = Serve {
            child,
            address: first
                .trim()
                .strip_prefix("listening on http://")
                .unwrap_or_default()
                .to_owned(),
        };
        ensure!(
            !server.address.is_empty(),
            "serve printed `{}`, not where it listens",
            first.trim()
        );
        Ok(server)
    }

    /// One request (HTTP/1.0, so the answer ends with the connection), its JSON answer (`null`
    /// when empty); an error unless it is a 2xx.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(&self.address)?;
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nAuthorization: Bearer bench\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        )?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        let answer = String::from_utf8_lossy(&answer);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head.split(' ').nth(1).unwrap_or_default();
        ensure!(
            status.starts_with('2'),
            "serve answered {method} {path} with {head}\n{body}"
        );
        if body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(body).with_context(|| format!("{method} {path}: not JSON: {body}"))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _killed = self.child.kill();
        let _reaped = self.child.wait();
    }
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

/// `wrk`, with Lua scripts that make it POST with send's headers.
struct Wrk {
    /// The script posting one fixed body.
    script: PathBuf,
}

/// The headers send posts with, as Lua assignments to `wrk.headers`.
fn lua_headers() -> String {
    format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n\
         wrk.headers[\"User-Agent\"] = \"awork-sim/{}\"\n",
        env!("CARGO_PKG_VERSION")
    )
}

impl Wrk {
    /// Writes the fixed body's script if `wrk` runs here; `None` if it is not installed.
    fn find(dir: &Path, body: &[u8]) -> Result<Option<Wrk>> {
        // `wrk -v` prints its version and exits with 1, so only whether it started matters.
        if Command::new("wrk").arg("-v").output().is_err() {
            return Ok(None);
        }
        let script = dir.join("post.lua");
        let mut file = std::fs::File::create(&script)?;
        write!(file, "{}", lua_headers())?;
        writeln!(file, "wrk.body = {}", lua_string(body))?;
        Ok(Some(Wrk { script }))
    }

    /// A script posting the lines of the NDJSON file `events` in turn, from the first again
    /// after the last; every request is formatted once, when wrk starts, so a request costs wrk
    /// a table lookup.
    fn cycling(&self, dir: &Path, events: &Path) -> Result<PathBuf> {
        let script = dir.join(format!(
            "cycle-{}.lua",
            events.file_stem().unwrap_or_default().to_string_lossy()
        ));
        let mut file = std::fs::File::create(&script)?;
        write!(file, "{}", lua_headers())?;
        writeln!(
            file,
            "local requests = {{}}\nlocal next_one = 0\n\
             function init(args)\n\
             \x20 for line in io.lines({}) do\n\
             \x20   if #line > 0 then requests[#requests + 1] = wrk.format(nil, nil, nil, line) end\n\
             \x20 end\n\
             end\n\
             function request()\n\
             \x20 next_one = next_one % #requests + 1\n\
             \x20 return requests[next_one]\n\
             end",
            lua_string(events.as_os_str().as_encoded_bytes())
        )?;
        Ok(script)
    }

    /// Requests per second over `seconds`, with `connections` connections, by `script`.
    fn run(&self, script: &Path, url: &str, connections: usize, seconds: u64) -> Result<f64> {
        // Two threads at most: the machine has two cores, shared with the receiver.
        let threads = connections.min(2);
        let output = Command::new("wrk")
            .arg(format!("--threads={threads}"))
            .arg(format!("--connections={connections}"))
            .arg(format!("--duration={seconds}s"))
            .arg("--script")
            .arg(script)
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
