//! Memory of `send` and `validate` on a 50 MB NDJSON file: both read it as a stream, so their
//! peak stays under 100 MB (it was about 8 times the file's size when files were read whole).
//!
//! The peak is the child's own `VmHWM` (`/proc/PID/status`: the high-water mark of the memory of
//! the program since its `exec`), read while the child is known to be alive and past the whole
//! file: for `send`, when the receiver holds the last event's request; for `validate`, when its
//! output (the warnings of the file's last events) fills the pipe that the test stops reading.
//! (A child's rusage would not do: its peak includes the test process's memory, shared with the
//! child until its `exec`.)

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awork_delivery::receiver::{Behaviour, Receiver};
use tokio::runtime::Runtime;

use crate::support::{TempFile, check, workspace_root};

/// The most either command may hold.
const LIMIT: u64 = 100 * 1024 * 1024;

/// Events in the file.
const EVENTS: usize = 5_000;

/// The high-water mark of the memory of process `pid`, in bytes.
fn peak_of(pid: u32) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the child is alive");
    let kilobytes = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|number| number.trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    kilobytes * 1024
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("awork-sim starts")
}

/// About 50 MB of NDJSON: generated events, each with an unknown 8 KB property (which awork may
/// add any day, so they stay valid); the last `unknown` are of an event type awork never used,
/// so `validate` warns about each.
fn fifty_megabytes(unknown: usize) -> TempFile {
    let generated = check(&["generate", "--count", &EVENTS.to_string()], "", 0).stdout;
    let padding = format!("{{\"padding\":\"{}\",", "x".repeat(8_000));
    let mut text = String::with_capacity(EVENTS * 10_000);
    for (index, line) in generated.lines().enumerate() {
        text.push_str(&padding);
        if index >= EVENTS - unknown {
            let key = "\"eventType\":\"";
            let start = line.find(key).expect("an event type") + key.len();
            let end = start + line[start..].find('"').expect("a closed string");
            text.push_str(&line[1..start]);
            text.push_str("never_used");
            text.push_str(&line[end..]);
        } else {
            text.push_str(&line[1..]);
        }
        text.push('\n');
    }
    assert!(text.len() > 49_000_000, "{}", text.len());
    TempFile::new("fifty-megabytes.ndjson", &text)
}

#[test]
fn validate_of_a_50_mb_file_stays_under_100_mb() {
    // 2,000 warnings of about 150 bytes: more than the pipe and the program's buffer hold.
    let file = fifty_megabytes(2_000);
    let mut child = spawn(&["validate", file.arg()]);
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("stdout is UTF-8");
    assert!(
        first.contains("warning: eventType: \"never_used\""),
        "{first}"
    );
    // The child is past the other 3,000 events and blocked on the full pipe.
    let peak = peak_of(child.id());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("stdout is UTF-8");
    assert_eq!(child.wait().expect("validate runs").code(), Some(0));
    assert_eq!(rest.lines().count(), 1_999);
    assert!(peak < LIMIT, "validate peaked at {} MiB", peak >> 20);
}

#[test]
fn send_of_a_50_mb_file_stays_under_100_mb() {
    let file = fifty_megabytes(0);
    let runtime = Runtime::new().expect("a tokio runtime starts");
    let pid = Arc::new(AtomicU32::new(0));
    let peak = Arc::new(Mutex::new(None));
    let seen = AtomicUsize::new(0);
    let hook = {
        let (pid, peak) = (Arc::clone(&pid), Arc::clone(&peak));
        // The last event's request: the sender has read the whole file and waits for the answer.
        move |_: &_, reply| {
            if seen.fetch_add(1, Ordering::SeqCst) + 1 == EVENTS {
                *peak.lock().unwrap() = Some(peak_of(pid.load(Ordering::SeqCst)));
            }
            reply
        }
    };
    let receiver = runtime
        .block_on(
            Receiver::builder(Behaviour::status(200))
                .record(false)
                .hook(hook)
                .bind("127.0.0.1:0".parse().unwrap()),
        )
        .expect("the receiver binds");
    let url = receiver.url();
    let mut child = spawn(&["send", "--url", &url, "--concurrency", "8", file.arg()]);
    pid.store(child.id(), Ordering::SeqCst);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)
        .expect("stdout is UTF-8");
    assert_eq!(child.wait().expect("send runs").code(), Some(0), "{stdout}");
    assert!(stdout.contains("delivered 5000/5000"), "{stdout}");
    runtime
        .block_on(receiver.wait_for_requests(EVENTS, Duration::from_secs(10)))
        .expect("every event arrived");
    let peak = peak.lock().unwrap().expect("the last request was seen");
    assert!(peak < LIMIT, "send peaked at {} MiB", peak >> 20);
}
