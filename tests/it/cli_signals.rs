//! SIGINT and SIGTERM during `send` and `check`, sent with `kill` to the running binary while a
//! real receiver on 127.0.0.1 is busy: the first signal ends the run with its report (for `send`)
//! and 130 or 143, a second one exits at once.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use awork_delivery::receiver::{Behaviour, Receiver};
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::support::{TempDir, TempFile, make_fifo, names_in, read_fifo, workspace_root};

/// A receiver on 127.0.0.1 that keeps only the count of its requests, and its runtime.
struct Counting {
    receiver: Receiver,
    runtime: Runtime,
}

impl Counting {
    fn start(behaviour: Behaviour) -> Counting {
        let runtime = Runtime::new().expect("a tokio runtime starts");
        let receiver = runtime
            .block_on(
                Receiver::builder(behaviour)
                    .record(false)
                    .bind("127.0.0.1:0".parse().unwrap()),
            )
            .expect("the receiver binds");
        Counting { receiver, runtime }
    }

    /// Waits until `n` requests arrived (bounded, so a broken sender fails the test).
    #[track_caller]
    fn wait_for(&self, n: usize) {
        self.runtime
            .block_on(self.receiver.wait_for_requests(n, Duration::from_secs(60)))
            .unwrap_or_else(|error| panic!("{error}"));
    }
}

/// A running `awork-sim` whose stderr is read line by line as it comes.
pub(crate) struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: JoinHandle<String>,
    stdout: JoinHandle<String>,
}

impl Running {
    pub(crate) fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .args(args)
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("awork-sim starts");
        let mut out = child.stdout.take().expect("stdout is piped");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            out.read_to_string(&mut text).expect("stdout is UTF-8");
            text
        });
        let err = child.stderr.take().expect("stderr is piped");
        let (send, lines) = mpsc::channel();
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(err).lines() {
                let line = line.expect("stderr is UTF-8");
                all.push_str(&line);
                all.push('\n');
                let _ = send.send(line);
            }
            all
        });
        Running {
            child,
            lines,
            stderr,
            stdout,
        }
    }

    /// Sends `signal` (`INT`, `TERM`) with `kill`.
    pub(crate) fn kill(&self, signal: &str) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -s {signal}");
    }

    /// Waits for a line of stderr that contains `text`.
    #[track_caller]
    pub(crate) fn wait_for_stderr(&self, text: &str) {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(text) => return,
                Ok(_) => {}
                Err(error) => panic!("no line with {text:?} on stderr: {error}"),
            }
        }
    }

    /// Waits for the exit: the status code, stdout and the whole of stderr.
    pub(crate) fn finish(mut self) -> (Option<i32>, String, String) {
        let status = self.child.wait().expect("awork-sim runs");
        let stdout = self.stdout.join().expect("the stdout reader ends");
        let stderr = self.stderr.join().expect("the stderr reader ends");
        (status.code(), stdout, stderr)
    }
}

/// `send` of 100,000 generated events with the log on, stopped by `signal` once the receiver has
/// seen some: the exit status, the summary and the log.
fn send_stopped_by(signal: &str, code: i32) {
    let receiver = Counting::start(Behaviour::status(200).with_delay(Duration::from_millis(2)));
    let url = receiver.receiver.url();
    let log = TempFile::new("signal-send.jsonl", "");
    let running = Running::start(&[
        "send",
        "--url",
        &url,
        "--count",
        "100000",
        "--concurrency",
        "4",
        "--json",
        "--log",
        log.arg(),
    ]);
    receiver.wait_for(200);
    running.kill(signal);
    let (status, stdout, stderr) = running.finish();
    assert_eq!(status, Some(code), "{stderr}");
    let summary: Value = serde_json::from_str(stdout.lines().last().expect("a summary line"))
        .unwrap_or_else(|error| panic!("{error}: {stdout}"));
    let count = |key: &str| summary[key].as_u64().expect("a count");
    assert_eq!(count("events"), 100_000, "{summary}");
    assert_eq!(
        count("delivered") + count("failed") + count("pending"),
        100_000,
        "{summary}"
    );
    assert!(count("pending") > 0, "{summary}");
    assert_eq!(summary["webhook"], "active");
    // Every attempt is in the log, each line whole.
    let text = std::fs::read_to_string(log.arg()).unwrap();
    assert!(text.ends_with('\n'));
    let lines = text.lines().count() as u64;
    for line in text.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|error| panic!("{error}: {line}"));
    }
    assert_eq!(lines, count("attempts"));
    assert_eq!(receiver.receiver.request_count() as u64, lines);
    let name = format!("SIG{signal}");
    assert!(stderr.contains(&format!("stopped by {name}")), "{stderr}");
}

#[test]
fn sigint_during_send_reports_every_event_and_exits_130() {
    send_stopped_by("INT", 130);
}

#[test]
fn sigterm_during_send_reports_every_event_and_exits_143() {
    send_stopped_by("TERM", 143);
}

#[test]
fn a_second_sigint_exits_at_once_without_waiting_for_the_attempt_in_flight() {
    // The receiver holds each request for a minute, within the timeout.
    let receiver = Counting::start(Behaviour::status(200).with_delay(Duration::from_secs(60)));
    let url = receiver.receiver.url();
    let running = Running::start(&["send", "--url", &url, "--count", "3", "--timeout", "90s"]);
    receiver.wait_for(1);
    let started = Instant::now();
    running.kill("INT");
    running.wait_for_stderr("SIGINT: stopping");
    running.kill("INT");
    let (status, stdout, _) = running.finish();
    assert_eq!(status, Some(130));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "it waited for the attempt"
    );
    assert_eq!(stdout, "", "no summary after the second signal");
}

#[test]
fn a_signal_during_check_exits_with_its_status_and_leaves_the_junit_path_as_it_was() {
    use std::os::unix::fs::FileTypeExt;
    let folder = TempDir::new("signal-check-junit");
    std::fs::create_dir(&folder.0).unwrap();
    let existing = folder.0.join("existing.xml");
    std::fs::write(&existing, "the last report").unwrap();
    let link = folder.0.join("link.xml");
    std::os::unix::fs::symlink("existing.xml", &link).unwrap();
    let pipe = folder.0.join("pipe.xml");
    make_fifo(&pipe);
    for (name, signal, code) in [
        ("new.xml", "INT", 130),
        ("existing.xml", "TERM", 143),
        ("link.xml", "INT", 130),
        ("pipe.xml", "TERM", 143),
    ] {
        let path = folder.0.join(name);
        let reader = (path == pipe).then(|| read_fifo(&pipe));
        let receiver = Counting::start(Behaviour::status(200).with_delay(Duration::from_secs(60)));
        let url = receiver.receiver.url();
        let running = Running::start(&["check", "--url", &url, "--junit", path.to_str().unwrap()]);
        receiver.wait_for(1);
        running.kill(signal);
        let (status, stdout, stderr) = running.finish();
        assert_eq!(status, Some(code), "{name}: {stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.contains("no report"), "{stderr}");
        if let Some(reader) = reader {
            assert_eq!(
                reader.join().unwrap(),
                b"",
                "nothing is written to the pipe"
            );
        }
        // Nothing created, removed or written.
        assert_eq!(
            names_in(&folder.0),
            ["existing.xml", "link.xml", "pipe.xml"],
            "{name}"
        );
        assert_eq!(
            std::fs::read_to_string(&existing).unwrap(),
            "the last report",
            "{name}"
        );
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert!(pipe.metadata().unwrap().file_type().is_fifo());
    }
}

/// Waits until process `pid` catches SIGINT and SIGTERM (its handlers are installed), as
/// `/proc/PID/status` shows in `SigCgt`.
fn wait_until_it_catches_signals(pid: u32) {
    let both = (1u64 << (2 - 1)) | (1u64 << (15 - 1));
    let started = Instant::now();
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|line| line.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .unwrap_or(0);
        if caught & both == both {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{pid} never caught SIGINT and SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_signal_while_send_checks_its_input_ends_it_at_once_with_nothing_sent() {
    use std::io::Write;
    let receiver = Counting::start(Behaviour::status(200));
    let url = receiver.receiver.url();
    let events = crate::support::check(&["generate", "--count", "3"], "", 0).stdout;
    let mut child = crate::support::spawn_piped(&["send", "-", "--url", &url, "--json"]);
    // The input is still coming, as from a producer that runs on: the check waits for its end,
    // and the signal must not (a CI timeout's SIGTERM would otherwise wait for the producer).
    let mut input = child.stdin.take().unwrap();
    input.write_all(events.as_bytes()).unwrap();
    wait_until_it_catches_signals(child.id());
    let kill = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "send waits for its input after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("SIGTERM: stopped before anything was sent"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(receiver.receiver.request_count(), 0);
}
