//! `awork-sim listen` as a child process: it prints its URL first, answers as told, prints one line
//! per delivery, records accepted deliveries as files `send` can replay, and tallies on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::check;

/// A running `awork-sim listen`, killed when dropped.
struct Listener {
    child: Child,
    lines: mpsc::Receiver<String>,
    url: String,
}

impl Listener {
    fn start(args: &[&str]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .arg("listen")
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("awork-sim starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut listener = Listener {
            child,
            lines,
            url: String::new(),
        };
        let first = listener.next_line();
        listener.url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line names the URL: {first:?}"))
            .to_owned();
        assert!(
            listener.url.starts_with("http://127.0.0.1:") && listener.url.ends_with('/'),
            "{first}"
        );
        listener
    }

    /// The next line of stdout, waiting at most 20 s.
    #[track_caller]
    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("awork-sim listen prints a line")
    }

    /// Sends SIGINT, as Ctrl-C does, and returns the rest of stdout once the process has ended.
    fn interrupt(mut self) -> (Option<i32>, Vec<String>) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let code = self.child.wait().expect("listen ends").code();
        // The process has ended, so its stdout is closed and the reader thread ends.
        let rest = self.lines.iter().collect();
        (code, rest)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory for recordings.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awork-sim-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The files of `dir`, sorted, once there are `n` of them (waiting at most 10 s).
#[track_caller]
fn wait_for_files(dir: &Path, n: usize) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        if files.len() >= n || Instant::now() > deadline {
            assert_eq!(files.len(), n, "{files:?}");
            return files;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn records_what_send_delivers_and_the_recordings_replay() {
    let dir = temp_dir("listen-record");
    let listener = Listener::start(&["--record", dir.to_str().unwrap(), "--fail-first", "1"]);
    let run = check(
        &[
            "send",
            "--url",
            &listener.url,
            "--count",
            "3",
            "--retry-schedule",
            "10ms",
        ],
        "",
        0,
    );
    assert!(run.stdout.contains("delivered 3/3"), "{}", run.stdout);

    // One line per request: the first answered 500, then three 200s; all valid.
    let lines: Vec<String> = (0..4).map(|_| listener.next_line()).collect();
    let statuses: Vec<&str> = lines
        .iter()
        .map(|line| line.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(statuses, ["500", "200", "200", "200"], "{lines:#?}");
    assert!(lines.iter().all(|line| line.ends_with(" ok")), "{lines:#?}");

    let files = wait_for_files(&dir, 3);
    let generated = check(&["generate", "--count", "3"], "", 0).stdout;
    for (file, line) in files.iter().zip(generated.lines()) {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("00000") && name.ends_with(".json"),
            "{name}"
        );
        assert_eq!(std::fs::read_to_string(file).unwrap(), line, "{name}");
    }
    let paths: Vec<&str> = files.iter().map(|file| file.to_str().unwrap()).collect();
    let mut validate = vec!["validate"];
    validate.extend_from_slice(&paths);
    assert_eq!(check(&validate, "", 0).stderr, "3 events, 0 invalid\n");

    // Replaying the recordings delivers the same bytes again.
    let mut replay = vec!["send", "--url", &listener.url];
    replay.extend_from_slice(&paths);
    check(&replay, "", 0);
    let files = wait_for_files(&dir, 6);
    for (first, again) in files[..3].iter().zip(&files[3..]) {
        assert_eq!(std::fs::read(first).unwrap(), std::fs::read(again).unwrap());
    }

    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(0));
    assert_eq!(rest.len(), 4, "{rest:#?}");
    assert_eq!(
        rest[3],
        "received 7, answered 2xx 6, answered an error 1, invalid 0, recorded 6"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_required_auth_header_is_enforced_with_401() {
    let listener = Listener::start(&["--auth-header", "X-Key: let-me-in"]);
    let args = ["--count", "1", "--max-retries", "0"];
    let mut without = vec!["send", "--url", &listener.url];
    without.extend_from_slice(&args);
    let run = check(&without, "", 1);
    assert!(run.stdout.contains("(last: 401)"), "{}", run.stdout);
    assert!(listener.next_line().contains(" 401 "));

    let mut with = without.clone();
    with.extend_from_slice(&["--auth-header", "X-Key: let-me-in"]);
    check(&with, "", 0);
    assert!(listener.next_line().contains(" 200 "));
}

#[test]
fn invalid_deliveries_are_printed_with_their_problems() {
    let listener = Listener::start(&[]);
    let file = crate::support::TempFile::new(
        "listen-invalid.ndjson",
        "{\"eventType\": \"project_added\"}\nnot json at all, but sent as a line? no\n",
    );
    // The second line is not JSON, so `send` refuses the file and sends nothing.
    check(&["send", "--url", &listener.url, file.arg()], "", 2);
    let file = crate::support::TempFile::new(
        "listen-invalid.json",
        "{\"eventType\": \"project_added\"}\n",
    );
    // Not an awork event: only `--raw` sends it.
    check(
        &["send", "--url", &listener.url, "--raw", file.arg()],
        "",
        0,
    );
    let line = listener.next_line();
    assert!(
        line.contains(" 200 project_added ? timestamp: missing"),
        "{line}"
    );
}

#[test]
fn bad_options_exit_2() {
    for args in [
        &["listen", "--fail-rate", "1.5"][..],
        &["listen", "--delay", "soon"],
        &["listen", "--auth-header", "no colon"],
    ] {
        let run = check(args, "", 2);
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
    }
}
