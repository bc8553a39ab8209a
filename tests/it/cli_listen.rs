//! `awork-sim listen` as a child process: it prints its URL first, answers as told, prints one line
//! per delivery, records accepted deliveries as files `send` can replay, and tallies on Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::check;

/// A running `awork-sim listen`, killed when dropped.
pub struct Listener {
    child: Child,
    lines: mpsc::Receiver<String>,
    errors: mpsc::Receiver<String>,
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
}

/// Sends each line `from` reads to a channel, from a thread, until the stream or the channel ends.
fn lines_of(from: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

impl Listener {
    /// Starts `awork-sim listen --port 0 ARGS…`.
    pub fn start(args: &[&str]) -> Listener {
        Listener::start_with_env(args, &[])
    }

    /// Starts `awork-sim listen --port 0 ARGS…` with these environment variables added.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .arg("listen")
            .args(["--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("awork-sim starts");
        let lines = lines_of(child.stdout.take().expect("stdout is piped"));
        let errors = lines_of(child.stderr.take().expect("stderr is piped"));
        let mut listener = Listener {
            child,
            lines,
            errors,
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

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    /// The next line of stdout, waiting at most 20 s.
    #[track_caller]
    pub fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("awork-sim listen prints a line")
    }

    /// The next line of stderr, waiting at most 20 s.
    #[track_caller]
    fn next_error(&self) -> String {
        self.errors
            .recv_timeout(Duration::from_secs(20))
            .expect("awork-sim listen prints a line on stderr")
    }

    /// The most memory the process has held so far (`VmHWM`), in bytes.
    fn peak_memory(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status is readable");
        let line = status
            .lines()
            .find(|line| line.starts_with("VmHWM:"))
            .expect("the status has VmHWM");
        let kib: u64 = line
            .trim_start_matches("VmHWM:")
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .expect("VmHWM is a number of kB");
        kib * 1024
    }

    /// Sends SIGINT, as Ctrl-C does, and returns the rest of stdout once the process has ended.
    fn interrupt(self) -> (Option<i32>, Vec<String>) {
        self.signal("-INT")
    }

    /// Sends `signal` (`-INT`, `-TERM`) and returns the rest of stdout once the process has ended.
    fn signal(mut self, signal: &str) -> (Option<i32>, Vec<String>) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
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

/// The files of `dir`, sorted. `listen` records a delivery before it answers, so once the sender
/// has its answer the file is there.
#[track_caller]
fn files_in(dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    assert_eq!(files.len(), n, "{files:?}");
    files
}

/// The status and body of the answer to a POST of `body` to `addr`, over a connection of its own
/// (closed after the answer).
fn post(addr: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("listen accepts");
    let mut head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_answer(stream)
}

/// Reads an answer to its end: its status and body.
fn read_answer(mut stream: TcpStream) -> (u16, String) {
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the answer is read to its end");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// One valid event (API names), as `generate` writes it.
fn event() -> String {
    check(&["generate", "--count", "1"], "", 0).stdout
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
            "--reproducible",
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
    assert!(
        lines[0].ends_with(" ok; answered 500 on purpose: --fail-first 1 (1 of 1)"),
        "{lines:#?}"
    );
    assert!(
        lines[1..].iter().all(|line| line.ends_with(" ok")),
        "{lines:#?}"
    );

    let files = files_in(&dir, 3);
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
    let files = files_in(&dir, 6);
    for (first, again) in files[..3].iter().zip(&files[3..]) {
        assert_eq!(std::fs::read(first).unwrap(), std::fs::read(again).unwrap());
    }

    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(130));
    assert_eq!(rest.len(), 4, "{rest:#?}");
    assert_eq!(
        rest[3],
        "received 7, answered 2xx 6, answered an error 1, invalid 0, recorded 6"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The status and body of the answer to a `METHOD path` without a body.
fn request(addr: &str, method: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("listen accepts");
    write!(
        stream,
        "{method} / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_answer(stream)
}

#[test]
fn each_refusal_says_why_a_readiness_probe_is_not_a_delivery_and_signals_exit_130_or_143() {
    let listener = Listener::start_with_env(
        &["--fail-first", "2"],
        &[("AWORK_SIM_AUTH_HEADER", "X-Key: let-me-in")],
    );
    // The README's CI loop: `curl -s -o /dev/null http://127.0.0.1:PORT/` until it answers.
    assert_eq!(request(listener.addr(), "GET").0, 200);
    assert_eq!(request(listener.addr(), "HEAD").0, 200);

    let body = event();
    assert_eq!(post(listener.addr(), &[], body.as_bytes()).0, 401);
    let line = listener.next_line();
    assert!(
        line.ends_with(" ok; answered 401: no `X-Key` header"),
        "{line}"
    );
    assert_eq!(
        post(listener.addr(), &[("X-Key", "let-me-out")], body.as_bytes()).0,
        401
    );
    let line = listener.next_line();
    assert!(
        line.ends_with(
            " ok; answered 401: the `X-Key` header has another value than --auth-header's"
        ),
        "{line}"
    );
    assert!(!line.contains("let-me"), "{line}");
    for n in 1..=2 {
        assert_eq!(
            post(listener.addr(), &[("X-Key", "let-me-in")], body.as_bytes()).0,
            500
        );
        let line = listener.next_line();
        assert!(
            line.ends_with(&format!(
                " ok; answered 500 on purpose: --fail-first 2 ({n} of 2)"
            )),
            "{line}"
        );
    }
    assert_eq!(
        post(listener.addr(), &[("X-Key", "let-me-in")], body.as_bytes()).0,
        200
    );
    assert!(listener.next_line().ends_with(" ok"));

    // The probes are neither printed nor counted.
    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(130));
    assert_eq!(
        rest,
        ["received 5, answered 2xx 1, answered an error 4, invalid 0, recorded 0"]
    );

    // The help describes what listen does with the header, not what send does.
    let help = check(&["listen", "--help"], "", 0).stdout;
    assert!(
        help.contains("required of every request; a request without it, with another value or with it twice is answered 401"),
        "{help}"
    );
    assert!(!help.contains("`send`"), "{help}");
}

#[test]
fn a_closed_stdout_leaves_listen_answering_and_is_said_once() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(["listen", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awork-sim starts");
    let errors = lines_of(child.stderr.take().expect("stderr is piped"));
    let mut first = String::new();
    // The reader takes the first line and leaves, as `listen | head -1` does.
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut first)
        .expect("listen prints its URL");
    let url = first
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the first line names the URL: {first:?}"))
        .to_owned();
    // No retries: a listener that had stopped would fail this at once.
    let send = ["send", "--url", &url, "--count", "3", "--max-retries", "0"];
    for _ in 0..2 {
        let run = check(&send, "", 0);
        assert!(run.stdout.contains("delivered 3/3"), "{run:#?}");
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    assert_eq!(child.wait().expect("listen ends").code(), Some(130));
    let said: Vec<String> = errors.iter().collect();
    assert_eq!(
        said.iter()
            .filter(|line| line.starts_with("listen: "))
            .collect::<Vec<_>>(),
        ["listen: standard output was closed; still answering, without the lines"],
        "{said:#?}"
    );
}

#[test]
fn other_methods_are_answered_405_and_the_auth_header_is_checked_once_and_first() {
    let listener = Listener::start(&["--auth-header", "X-Key: let-me-in", "--max-body", "1KiB"]);
    let body = event();
    // A PUT (or PATCH, DELETE, OPTIONS) is not how awork delivers: 405, its body unread.
    let mut stream = TcpStream::connect(listener.addr()).unwrap();
    write!(
        stream,
        "PUT / HTTP/1.1\r\nHost: x\r\nX-Key: let-me-in\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
    assert!(
        answer.contains("\r\nallow: GET, HEAD, POST\r\n"),
        "{answer}"
    );
    let line = listener.next_line();
    assert!(
        line.contains(" 405 ? ? a PUT is not a delivery (awork POSTs): answered 405, not read"),
        "{line}"
    );
    assert_eq!(request(listener.addr(), "DELETE").0, 405);
    assert!(listener.next_line().contains(" 405 ? ? a DELETE is not"));

    // The header twice, even with the right value once: which one a receiver reads varies.
    let twice = [("X-Key", "let-me-in"), ("X-Key", "let-me-in")];
    assert_eq!(post(listener.addr(), &twice, body.as_bytes()).0, 401);
    let line = listener.next_line();
    assert!(
        line.ends_with(
            " ok; answered 401: the `X-Key` header is given 2 times (awork sends it once)"
        ),
        "{line}"
    );
    // Without the header, a body over --max-body is a 401 too, saying both.
    let large = [b' '; 2048];
    assert_eq!(post(listener.addr(), &[], &large).0, 401);
    let line = listener.next_line();
    assert!(
        line.ends_with(" ? ? body of 2048 bytes, over --max-body 1KiB: not read; answered 401: no `X-Key` header"),
        "{line}"
    );
    // With it, the same body is a 413, and an event is delivered.
    assert_eq!(
        post(listener.addr(), &[("X-Key", "let-me-in")], &large).0,
        413
    );
    assert!(listener.next_line().contains(" 413 ? ? "));
    assert_eq!(
        post(listener.addr(), &[("X-Key", "let-me-in")], body.as_bytes()).0,
        200
    );
    assert!(listener.next_line().ends_with(" ok"));

    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(130));
    assert_eq!(
        rest,
        ["received 6, answered 2xx 1, answered an error 5, invalid 0, recorded 0"]
    );
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
        &["listen", "--delay", "-1s"],
        &["listen", "--auth-header", "no colon"],
        &["listen", "--max-body", "10XB"],
        &["listen", "--max-body", "0"],
        &["listen", "--host", "localhost-ish"],
    ] {
        let run = check(args, "", 2);
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: --"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // A port in use is one line that says what to do, as serve's.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = check(&["listen", "--port", &port], "", 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.ends_with("or --port 0 for a free one)\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_delivery_that_cannot_be_recorded_is_answered_500_and_listening_goes_on() {
    let dir = temp_dir("listen-record-fails");
    let listener = Listener::start(&["--record", dir.to_str().unwrap()]);

    // A 244-character event type still records: the file name is bounded.
    let long = "x".repeat(244);
    let hostile = event().replace("\"eventType\":\"", &format!("\"eventType\":\"{long}/../"));
    assert_eq!(post(listener.addr(), &[], hostile.as_bytes()).0, 200);
    let line = listener.next_line();
    assert!(
        line.contains(" 200 xxxxxxxx") && line.contains('…'),
        "{line}"
    );
    let files = files_in(&dir, 1);
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("000001-xxx") && name.len() < 100, "{name}");
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), hostile);

    // The folder goes away: the delivery is answered 500, the reason goes to stderr.
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(post(listener.addr(), &[], event().as_bytes()).0, 500);
    assert!(listener.next_line().contains(" 500 "));
    let error = listener.next_error();
    assert!(
        error.contains("cannot record this delivery") && error.contains("answered it 500"),
        "{error}"
    );

    // It is still listening, and records again once the folder is back, numbering on.
    std::fs::create_dir(&dir).unwrap();
    assert_eq!(post(listener.addr(), &[], event().as_bytes()).0, 200);
    assert!(listener.next_line().contains(" 200 "));
    let files = files_in(&dir, 1);
    assert!(
        files[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("000002-"),
        "{files:?}"
    );

    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(130));
    assert_eq!(
        rest.last().unwrap(),
        "received 3, answered 2xx 2, answered an error 1, invalid 0, recorded 2, could not record 1"
    );

    // A new run into the same folder numbers on, and overwrites nothing.
    let before = std::fs::read(&files[0]).unwrap();
    let again = Listener::start(&["--record", dir.to_str().unwrap()]);
    let other = check(&["generate", "--count", "1", "--seed", "7"], "", 0).stdout;
    assert_eq!(post(again.addr(), &[], other.as_bytes()).0, 200);
    let files = files_in(&dir, 2);
    assert_eq!(std::fs::read(&files[0]).unwrap(), before);
    assert!(
        files[1]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("000003-"),
        "{files:?}"
    );
    assert_eq!(std::fs::read_to_string(&files[1]).unwrap(), other);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `n` MiB of body to `stream` from a thread, ignoring the errors of a peer that stopped
/// reading, and returns the stream to read the answer from.
fn send_mib(stream: &TcpStream, n: usize, chunked: bool) -> std::thread::JoinHandle<()> {
    let mut writer = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..n {
            let written = if chunked {
                writer
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| writer.write_all(&chunk))
                    .and_then(|()| writer.write_all(b"\r\n"))
            } else {
                writer.write_all(&chunk)
            };
            if written.is_err() {
                return;
            }
        }
        if chunked {
            let _ = writer.write_all(b"0\r\n\r\n");
        }
    })
}

#[test]
fn a_body_over_the_limit_is_answered_413_and_memory_stays_small() {
    let listener = Listener::start(&[]);
    for chunked in [false, true] {
        let mut stream = TcpStream::connect(listener.addr()).unwrap();
        let length = if chunked {
            "Transfer-Encoding: chunked".to_owned()
        } else {
            format!("Content-Length: {}", 50 << 20)
        };
        let head = format!("POST / HTTP/1.1\r\nHost: x\r\n{length}\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let writer = send_mib(&stream, 50, chunked);
        let (status, body) = read_answer(stream);
        writer.join().unwrap();
        assert_eq!(status, 413, "chunked: {chunked}");
        assert!(body.contains("over --max-body 10MiB"), "{body}");
        let line = listener.next_line();
        assert!(line.contains(" 413 ? ? "), "{line}");
    }
    let peak = listener.peak_memory();
    assert!(peak < 64 << 20, "VmHWM {peak} bytes");

    // The listener still answers, and a body at the limit is read.
    assert_eq!(post(listener.addr(), &[], event().as_bytes()).0, 200);
    assert!(listener.next_line().ends_with(" ok"));
    let small = Listener::start(&["--max-body", "1KiB"]);
    assert_eq!(post(small.addr(), &[], &[b' '; 1024]).0, 200);
    assert_eq!(post(small.addr(), &[], &[b' '; 1025]).0, 413);
}

#[test]
fn strict_answers_400_to_what_is_not_an_awork_event() {
    let listener = Listener::start(&["--strict", "--host", "127.0.0.1"]);
    let (status, body) = post(listener.addr(), &[], b"not json");
    assert_eq!(status, 400);
    assert!(body.starts_with("not JSON: "), "{body}");
    assert!(listener.next_line().contains(" 400 ? ? not JSON: "));

    let (status, body) = post(listener.addr(), &[], b"{\"eventType\": \"project_added\"}");
    assert_eq!(status, 400);
    assert!(body.contains("timestamp: missing"), "{body}");
    listener.next_line();

    assert_eq!(post(listener.addr(), &[], event().as_bytes()).0, 200);
    let line = listener.next_line();
    assert!(line.contains(" 200 ") && line.ends_with(" ok"), "{line}");

    // A key given twice (the last one the real id) is a problem, as validate says.
    let event = event();
    let twice = event.replacen(
        "\"entityId\":",
        "\"entityId\":\"00000000-0000-0000-0000-000000000000\",\"entityId\":",
        1,
    );
    assert_ne!(twice, event);
    let (status, body) = post(listener.addr(), &[], twice.as_bytes());
    assert_eq!(status, 400);
    assert!(
        body.starts_with("entityId: the key appears more than once in its object"),
        "{body}"
    );
    listener.next_line();

    // Without --strict, the same bodies are answered 200 and printed with their problems.
    let lenient = Listener::start(&[]);
    assert_eq!(post(lenient.addr(), &[], b"not json").0, 200);
    assert!(lenient.next_line().contains(" 200 ? ? not JSON: "));

    // SIGTERM (`docker stop`) ends it as Ctrl-C does, with the tally, and 143.
    let (code, rest) = lenient.signal("-TERM");
    assert_eq!(code, Some(143));
    assert_eq!(
        rest,
        ["received 1, answered 2xx 1, answered an error 0, invalid 1, recorded 0"]
    );
}

#[test]
fn names_spelled_otherwise_than_expected_get_a_note() {
    let spec = check(
        &[
            "generate",
            "--count",
            "1",
            "--event",
            "task_added",
            "--naming",
            "spec",
        ],
        "",
        0,
    )
    .stdout;
    let api = check(
        &["generate", "--count", "1", "--event", "task_added"],
        "",
        0,
    )
    .stdout;

    let listener = Listener::start(&[]);
    post(listener.addr(), &[], api.as_bytes());
    assert!(listener.next_line().ends_with(" ok"));
    post(listener.addr(), &[], spec.as_bytes());
    let line = listener.next_line();
    assert!(
        line.ends_with(
            " ok; note: `project_task_added` is the spec's and awork's docs' spelling; awork's API registers `task_added`"
        ),
        "{line}"
    );

    let listener = Listener::start(&["--naming", "spec"]);
    post(listener.addr(), &[], spec.as_bytes());
    assert!(listener.next_line().ends_with(" ok"));
    post(listener.addr(), &[], api.as_bytes());
    let line = listener.next_line();
    assert!(
        line.ends_with(
            " ok; note: `task_added` is awork's API's spelling; --naming spec expects `project_task_added`"
        ),
        "{line}"
    );
}

#[test]
fn a_delivery_being_answered_at_a_signal_is_answered_printed_and_counted() {
    let dir = temp_dir("answer-at-signal");
    let record = dir.to_str().unwrap();
    let listener = Listener::start(&["--delay", "1500ms", "--record", record]);
    let addr = listener.addr().to_owned();
    let body = crate::support::docs_example().to_string();
    let posted = std::thread::spawn(move || post(&addr, &[], body.as_bytes()));
    // Recorded before it is answered: once the file is there, the answer is under way.
    crate::cli_serve::wait_until("the delivery recorded", || {
        (std::fs::read_dir(&dir).map_or(0, Iterator::count) == 1).then_some(())
    });
    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(130));
    let (status, _) = posted.join().unwrap();
    assert_eq!(status, 200, "the sender got its answer");
    assert_eq!(rest.len(), 2, "{rest:#?}");
    assert!(rest[0].contains(" 200 project_added "), "{rest:#?}");
    assert!(
        rest[1].starts_with("received 1, answered 2xx 1, answered an error 0"),
        "{rest:#?}"
    );
}

#[test]
fn a_delivery_whose_sender_gives_up_during_the_delay_is_printed_and_counted_as_such() {
    let dir = temp_dir("sender-gone");
    let record = dir.to_str().unwrap();
    let listener = Listener::start(&["--delay", "3s", "--record", record]);
    // The sender's timeout (1 s) ends before the delay: it closes the connection unanswered.
    let run = check(
        &[
            "send",
            "--url",
            &listener.url,
            "--count",
            "1",
            "--timeout",
            "1s",
            "--max-retries",
            "0",
        ],
        "",
        1,
    );
    assert!(run.stdout.contains("failed 1"), "{}", run.stdout);
    let line = listener.next_line();
    assert!(
        line.contains(" 200 ")
            && line.ends_with("; not answered: the sender closed the connection during --delay"),
        "{line}"
    );
    let (code, rest) = listener.interrupt();
    assert_eq!(code, Some(130));
    assert_eq!(
        rest,
        [
            "received 1, answered 2xx 0, answered an error 0, invalid 0, recorded 1, sender gone before the answer 1"
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
