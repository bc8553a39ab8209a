//! Memory of `send` and `validate` on a 50 MB NDJSON file: both read it as a stream, so their
//! peak stays under 100 MB (it was about 8 times the file's size when files were read whole).
//! The peak is the kernel's own high-water mark of the child, from `wait4`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use awork_delivery::receiver::{Behaviour, Receiver};
use tokio::runtime::Runtime;
use wait4::Wait4;

use crate::support::{TempFile, check, workspace_root};

/// The most either command may hold.
const LIMIT: u64 = 100 * 1024 * 1024;

/// Runs `awork-sim args`: its exit status, stdout and peak resident memory in bytes.
fn run_measured(args: &[&str]) -> (Option<i32>, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("awork-sim starts");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)
        .expect("stdout is UTF-8");
    let used = child.wait4().expect("awork-sim runs");
    (used.status.code(), stdout, used.rusage.maxrss)
}

/// About 50 MB of NDJSON: 5,000 generated events, each with an unknown 8 KB property (which
/// awork may add any day, so it stays valid).
fn fifty_megabytes() -> TempFile {
    let generated = check(&["generate", "--count", "5000"], "", 0).stdout;
    let padding = format!("{{\"padding\":\"{}\",", "x".repeat(8_000));
    let text: String = generated
        .lines()
        .map(|line| format!("{padding}{}\n", &line[1..]))
        .collect();
    assert!(text.len() > 49_000_000, "{}", text.len());
    TempFile::new("fifty-megabytes.ndjson", &text)
}

#[test]
fn send_and_validate_of_a_50_mb_file_stay_under_100_mb() {
    let file = fifty_megabytes();

    let (code, _, peak) = run_measured(&["validate", file.arg()]);
    assert_eq!(code, Some(0));
    assert!(peak < LIMIT, "validate peaked at {} MiB", peak >> 20);

    let runtime = Runtime::new().expect("a tokio runtime starts");
    let receiver = runtime
        .block_on(
            Receiver::builder(Behaviour::status(200))
                .record(false)
                .bind("127.0.0.1:0".parse().unwrap()),
        )
        .expect("the receiver binds");
    let url = receiver.url();
    let (code, stdout, peak) =
        run_measured(&["send", "--url", &url, "--concurrency", "8", file.arg()]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("delivered 5000/5000"), "{stdout}");
    assert!(peak < LIMIT, "send peaked at {} MiB", peak >> 20);
    runtime
        .block_on(receiver.wait_for_requests(5000, Duration::from_secs(10)))
        .expect("every event arrived");
}
