//! `awork-sim send` against real receivers on 127.0.0.1: retries, pauses, pending events, files sent
//! byte for byte, headers, the attempt log, and options refused before anything is sent.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use awork_delivery::receiver::{Behaviour, Receiver};
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::cli_signals::Running;
use crate::support::{
    Run, TempDir, TempFile, awork_sim_under_ulimit, check, check_usage_errors, local_receiver,
    workspace_root,
};

/// A receiver on 127.0.0.1 with the runtime that serves it; both live as long as the test needs.
struct TestReceiver {
    receiver: Receiver,
    runtime: Runtime,
}

impl TestReceiver {
    fn start(behaviour: Behaviour) -> TestReceiver {
        let (receiver, runtime) = local_receiver(behaviour);
        TestReceiver { receiver, runtime }
    }

    fn url(&self) -> String {
        self.receiver.url()
    }

    /// The bodies received, in order.
    fn bodies(&self) -> Vec<Vec<u8>> {
        self.receiver
            .requests()
            .into_iter()
            .map(|request| request.body.to_vec())
            .collect()
    }

    /// Checks that the bodies received are `texts`, in order.
    #[track_caller]
    fn expect_bodies(&self, texts: &[&str]) {
        assert_eq!(
            self.bodies(),
            texts
                .iter()
                .map(|text| text.as_bytes().to_vec())
                .collect::<Vec<_>>()
        );
    }

    /// Checks that exactly `n` requests arrived (the sender has exited, so no more are coming; the
    /// short bounded wait only covers a request still being recorded).
    #[track_caller]
    fn expect_requests(&self, n: usize) {
        if n > 0 {
            self.runtime
                .block_on(self.receiver.wait_for_requests(n, Duration::from_secs(10)))
                .unwrap_or_else(|error| panic!("{error}: {:#?}", self.receiver.requests()));
        }
        assert_eq!(self.receiver.request_count(), n);
    }
}

/// `send --url URL` followed by `args`.
#[track_caller]
fn send(url: &str, args: &[&str], code: i32) -> Run {
    let mut all = vec!["send", "--url", url];
    all.extend_from_slice(args);
    check(&all, "", code)
}

/// The JSON summary that ends stdout.
#[track_caller]
fn summary(run: &Run) -> Value {
    assert!(run.stdout.ends_with("}\n"), "{run:#?}");
    let last = run.stdout.lines().last().expect("stdout has a line");
    serde_json::from_str(last).expect("the last line is JSON")
}

#[test]
fn an_always_failing_receiver_gets_eleven_attempts_and_the_webhook_pauses() {
    let receiver = TestReceiver::start(Behaviour::status(500));
    let run = send(
        &receiver.url(),
        &["--count", "1", "--retry-schedule", "10ms", "--json"],
        1,
    );
    receiver.expect_requests(11);
    assert_eq!(run.stdout.lines().count(), 1, "{run:#?}");
    assert_eq!(
        summary(&run),
        serde_json::json!({
            "events": 1, "delivered": 0, "failed": 1, "pending": 0, "attempts": 11,
            "webhook": "paused"
        })
    );
    assert!(run.stderr.contains("failed: #1 "), "{}", run.stderr);
}

#[test]
fn each_failed_attempt_line_shows_the_count_of_failures_in_a_row_across_events() {
    let receiver = TestReceiver::start(Behaviour::status(500));
    let run = send(
        &receiver.url(),
        &[
            "--count",
            "3",
            "--max-retries",
            "1",
            "--pause-after",
            "4",
            "--retry-schedule",
            "10ms",
        ],
        1,
    );
    let counts: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("attempt "))
        .map(|line| line.split("500; ").nth(1).unwrap())
        .collect();
    assert_eq!(
        counts,
        [
            "1 failed in a row, the 5th pauses the webhook; next try in 10ms",
            "2 failed in a row, the 5th pauses the webhook; no retries left: the event failed",
            "3 failed in a row, the 5th pauses the webhook; next try in 10ms",
            "4 failed in a row, the 5th pauses the webhook; no retries left: the event failed",
            "5 failed in a row, more than 4: the webhook is paused; the event is pending",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_receiver_that_recovers_gets_the_event_on_the_fourth_attempt() {
    let receiver = TestReceiver::start(Behaviour::fail_first(3, 500));
    let run = send(
        &receiver.url(),
        &["--count", "1", "--retry-schedule", "10ms"],
        0,
    );
    receiver.expect_requests(4);
    let bodies = receiver.bodies();
    assert!(
        bodies.iter().all(|body| *body == bodies[0]),
        "retries resend the same bytes"
    );
    assert!(
        run.stdout
            .contains("delivered 1/1, failed 0, pending 0, attempts 4, webhook active\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "semantics: timeout 30s, up to 10 retries, retry schedule 10ms, the 11th failure in a \
             row pauses the webhook"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn after_the_pause_the_remaining_events_are_pending_and_never_sent() {
    let receiver = TestReceiver::start(Behaviour::status(503));
    let run = send(
        &receiver.url(),
        &[
            "--count",
            "5",
            "--reproducible",
            "--max-retries",
            "2",
            "--concurrency",
            "1",
            "--retry-schedule",
            "10ms",
            "--json",
        ],
        1,
    );
    // Events 1 to 3 use their 3 attempts (9 failures); event 4's second failure is the 11th in a
    // row, which pauses the webhook.
    receiver.expect_requests(11);
    let summary = summary(&run);
    assert_eq!(summary["failed"], 3, "{summary}");
    assert_eq!(summary["pending"], 2, "{summary}");
    assert_eq!(summary["webhook"], "paused", "{summary}");

    let generated = check(&["generate", "--count", "5"], "", 0).stdout;
    let fifth = generated.lines().nth(4).unwrap().as_bytes().to_vec();
    let fourth = generated.lines().nth(3).unwrap().as_bytes().to_vec();
    let bodies = receiver.bodies();
    assert!(
        bodies.contains(&fourth),
        "the generated events are the ones sent"
    );
    assert!(!bodies.contains(&fifth), "the fifth event was sent");
    assert_eq!(
        run.stderr.matches("pending: #").count(),
        2,
        "{}",
        run.stderr
    );
}

#[test]
fn files_arrive_byte_for_byte() {
    let generated = check(&["generate", "--count", "3", "--seed", "9"], "", 0).stdout;
    // Spacing that a re-serialization would lose.
    let lines: Vec<String> = generated
        .lines()
        .map(|line| format!("{{ {}  ", &line[1..]))
        .collect();
    let ndjson = TempFile::new("send.ndjson", &format!("{}\r\n\n", lines.join("\n")));
    let pretty_path = workspace_root().join("fixtures/awork-docs-example.json");
    let pretty = std::fs::read_to_string(&pretty_path).unwrap();
    let array = TempFile::new(
        "send-array.json",
        &format!("[\n  {},{}\n]\n", lines[0], lines[1]),
    );

    let receiver = TestReceiver::start(Behaviour::status(204));
    let run = send(
        &receiver.url(),
        &[ndjson.arg(), pretty_path.to_str().unwrap(), array.arg()],
        0,
    );
    receiver.expect_requests(6);
    let mut expected: Vec<Vec<u8>> = lines.iter().map(|line| line.as_bytes().to_vec()).collect();
    // A file of one document is sent whole, its trailing newline included.
    expected.push(pretty.as_bytes().to_vec());
    // An array element is its own text, without the trailing spaces that follow it in the file.
    expected.push(lines[0].trim_end().as_bytes().to_vec());
    expected.push(lines[1].trim_end().as_bytes().to_vec());
    assert_eq!(
        receiver.bodies(),
        expected,
        "bodies:\n{:?}",
        receiver
            .bodies()
            .iter()
            .map(|body| String::from_utf8_lossy(body).into_owned())
            .collect::<Vec<_>>()
    );
    assert!(run.stdout.contains("delivered 6/6"), "{}", run.stdout);
}

#[test]
fn every_request_carries_the_auth_header_and_the_log_never_shows_its_value() {
    let secret = "s3cr3t-t0ken-value";
    let receiver = TestReceiver::start(Behaviour::fail_first(2, 500));
    let log = TempFile::new("send-log.jsonl", "");
    let header = format!("X-Awork-Secret: {secret}");
    let run = send(
        &receiver.url(),
        &[
            "--count",
            "3",
            "--retry-schedule",
            "10ms",
            "--auth-header",
            &header,
            "--log",
            log.arg(),
        ],
        0,
    );
    receiver.expect_requests(5);
    for request in receiver.receiver.requests() {
        assert_eq!(request.method, "POST");
        assert_eq!(request.headers["x-awork-secret"], secret);
        assert_eq!(request.headers["content-type"], "application/json");
    }
    let text = std::fs::read_to_string(log.arg()).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a log line is JSON"))
        .collect();
    assert_eq!(records.len(), 5, "{text}");
    assert_eq!(records[0]["status"], 500);
    assert_eq!(records[0]["decision"], "retry");
    assert_eq!(records[4]["decision"], "delivered");
    // Numbered as the screen numbers them: `#1` is event 1.
    let numbers: Vec<u64> = records
        .iter()
        .map(|record| record["event"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 1, 1, 2, 3]);
    let first = run
        .stderr
        .lines()
        .find(|line| line.starts_with("attempt 1 of 11 failed: "))
        .unwrap();
    assert!(first.contains(": #1 "), "{first}");
    for place in [&text, &run.stdout, &run.stderr] {
        assert!(!place.contains(secret), "the secret leaked: {place}");
    }
}

#[test]
fn bad_options_and_inputs_exit_2_naming_the_problem_and_send_nothing() {
    let receiver = TestReceiver::start(Behaviour::status(200));
    let url = receiver.url();
    let not_json = TempFile::new("send-broken.json", "{\"eventType\": tru}\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--url", "localhost:3000/hooks"],
            "localhost:3000/hooks",
        ),
        (vec!["--url", "ftp://example.test/"], "ftp://example.test/"),
        (
            vec!["--url", &url, "--auth-header", "Bearer-no-colon"],
            "auth header",
        ),
        (
            vec!["--url", &url, "--auth-header", "Bad Name: x"],
            "holds a space",
        ),
        (vec!["--url", &url, "--timeout", "10x"], "10x"),
        (vec!["--url", &url, "--timeout", "30"], "--timeout"),
        (
            vec!["--url", &url, "--timeout", "-5s"],
            "invalid duration `-5s`: negative; a duration is 0 or more",
        ),
        (
            vec!["--url", &url, "--retry-schedule", "1s,,2s"],
            "--retry-schedule",
        ),
        (vec!["--url", &url, "--event", "nope"], "nope"),
        (
            vec!["--url", &url, "no/such/file.json"],
            "no/such/file.json",
        ),
        (vec!["--url", &url, not_json.arg()], not_json.arg()),
        (vec!["--url", &url, "--concurrency", "0"], "--concurrency"),
        (
            vec![
                "--url",
                &url,
                "--reproducible",
                "fixtures/awork-docs-example.json",
            ],
            "--reproducible",
        ),
    ];
    check_usage_errors("send", cases);
    receiver.expect_requests(0);
}

#[test]
fn an_unreachable_receiver_is_a_failure_not_bad_input() {
    // A port that was just free: the connection is refused on every attempt.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let run = send(
        &url,
        &[
            "--count",
            "1",
            "--max-retries",
            "1",
            "--retry-schedule",
            "10ms",
        ],
        1,
    );
    assert!(
        run.stdout
            .contains("after 2 attempts (last: connection refused)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("up to 1 retry, retry schedule 10ms,"),
        "{}",
        run.stdout
    );
    // Said at the start, then the attempts go on as awork's would.
    let first = run.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "nothing answers at {url} (connection refused); sending anyway, as awork would: \
             failed attempts are retried on the schedule"
        )
    );
    assert!(
        run.stderr.contains("attempt 1 of 2 failed: #1 "),
        "{}",
        run.stderr
    );

    // One attempt: singular.
    let run = send(&url, &["--count", "1", "--max-retries", "0", "--quiet"], 1);
    assert!(
        run.stdout
            .contains("after 1 attempt (last: connection refused)"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

/// A URL on 127.0.0.1 where nothing listens: the port was free a moment ago.
fn refused_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/hooks/awork")
}

#[test]
fn when_attempts_start_failing_send_says_when_the_webhook_pauses_and_how_to_make_it_sooner() {
    // The README's own command, with nothing listening: the note comes with the first failed
    // attempt, long before the default schedule's 50 minutes; the run is stopped there.
    let url = refused_url();
    let running = Running::start(&["send", "--url", &url, "--count", "100"]);
    running.wait_for_stderr("note: ");
    running.kill("TERM");
    let (code, _, stderr) = running.finish();
    assert_eq!(code, Some(143), "{stderr}");
    let note = stderr
        .lines()
        .find(|line| line.starts_with("note: "))
        .unwrap();
    assert_eq!(
        note,
        "note: if attempts go on failing, the 11th failure in a row pauses the webhook, in about \
         51m (retry schedule exponential from 10s x2 up to 10m); for local work, --retry-schedule \
         local (500ms,1s,2s) pauses it within about 18s"
    );

    // The preset: seconds, not minutes (here with a low threshold, so the test takes 1.5 s).
    let run = send(
        &url,
        &[
            "--count",
            "3",
            "--retry-schedule",
            "local",
            "--pause-after",
            "2",
        ],
        1,
    );
    assert!(
        run.stdout
            .contains("delivered 0/3, failed 0, pending 3, attempts 3, webhook paused")
            && run.stdout.contains("retry schedule 500ms,1s,2s,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "note: if attempts go on failing, the 3rd failure in a row pauses the webhook, in \
             about 2s (retry schedule 500ms,1s,2s)\n"
        ),
        "{}",
        run.stderr
    );
    // Said once, when attempts start failing.
    assert_eq!(run.stderr.matches("note: ").count(), 1, "{}", run.stderr);

    // The help says the same as the README.
    let help = check(&["send", "--help"], "", 0).stdout;
    assert!(
        help.contains("`local` (500ms,1s,2s) is the preset for a receiver on your")
            && help.contains("pauses about 51m after the first failure"),
        "{help}"
    );
}

#[test]
fn input_that_is_empty_or_not_awork_events_is_refused_with_one_line_and_nothing_sent() {
    let receiver = TestReceiver::start(Behaviour::status(200));
    let url = receiver.url();
    let empty = TempFile::new("send-empty.json", "");
    let blank = TempFile::new("send-blank.ndjson", "\n \r\n");
    let array = TempFile::new("send-empty-array.json", " [ ]\n");
    let object = TempFile::new("send-object.json", "{\"a\":1}\n");
    let string = TempFile::new("send-string.json", "\"str\"");
    let number = TempFile::new("send-number.json", "42\n");
    let generated = check(&["generate", "--count", "2"], "", 0).stdout;
    let third_bad = TempFile::new("send-third.ndjson", &format!("{generated}[1]\n"));
    let object_named = format!("{}:1: not an awork event: ", object.arg());
    let third_named = format!("{}:3: not an awork event", third_bad.arg());
    // A key given twice, known (the last one the real id) or not: as validate says.
    let first = generated.lines().next().unwrap();
    let entity_id_twice = first.replacen(
        "\"entityId\":",
        "\"entityId\":\"00000000-0000-0000-0000-000000000000\",\"entityId\":",
        1,
    );
    let unknown_twice = first.replacen("\"entity\":{", "\"entity\":{\"mine\":1,\"mine\":2,", 1);
    assert!(entity_id_twice != first && unknown_twice != first);
    let twice = TempFile::new("send-twice.ndjson", &format!("{entity_id_twice}\n"));
    let twice_unknown = TempFile::new("send-twice-unknown.ndjson", &format!("{unknown_twice}\n"));
    let twice_named = format!(
        "{}:1: not an awork event: entityId: the key appears more than once in its object",
        twice.arg()
    );
    let twice_unknown_named = format!(
        "{}:1: not an awork event: entity.mine: the key appears more than once in its object",
        twice_unknown.arg()
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--url", &url, "--timeout", "0s"], "--timeout: 0s"),
        (vec!["--url", &url, "--timeout", "0ms"], "--timeout: 0ms"),
        (vec!["--url", &url, empty.arg()], "no events to send"),
        (vec!["--url", &url, blank.arg()], "no events to send"),
        (vec!["--url", &url, "-"], "<stdin>: no events to send"),
        (vec!["--url", &url, array.arg()], "an empty array"),
        (vec!["--url", &url, object.arg()], &object_named),
        (vec!["--url", &url, string.arg()], "not an awork event"),
        (vec!["--url", &url, number.arg()], "not an awork event"),
        (vec!["--url", &url, third_bad.arg()], &third_named),
        (vec!["--url", &url, twice.arg()], &twice_named),
        (
            vec!["--url", &url, twice_unknown.arg()],
            &twice_unknown_named,
        ),
        // Good files before a bad one are not sent either.
        (
            vec![
                "--url",
                &url,
                "fixtures/awork-docs-example.json",
                empty.arg(),
            ],
            empty.arg(),
        ),
    ];
    check_usage_errors("send", cases);
    for stdin in ["{\"a\":1}\n", "\"str\"", "42", "[]", "\n"] {
        let run = check(&["send", "--url", &url, "-"], stdin, 2);
        assert_eq!(run.stdout, "", "{stdin:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{stdin:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: <stdin>"), "{}", run.stderr);
    }
    // `--count 0` is clap's own usage error.
    check(&["send", "--url", &url, "--count", "0"], "", 2);
    receiver.expect_requests(0);
}

#[test]
fn raw_sends_json_that_is_not_an_awork_event_byte_for_byte() {
    let receiver = TestReceiver::start(Behaviour::status(200));
    let object = TempFile::new("raw-object.json", "{\"a\":1}\n");
    let number = TempFile::new("raw-number.json", "42");
    let lines = TempFile::new("raw-lines.ndjson", "\"str\"\n[1, 2]\r\n{}\n");
    let run = send(
        &receiver.url(),
        &["--raw", object.arg(), number.arg(), lines.arg()],
        0,
    );
    receiver.expect_requests(5);
    let bodies: Vec<String> = receiver
        .bodies()
        .into_iter()
        .map(|body| String::from_utf8(body).unwrap())
        .collect();
    assert_eq!(bodies, ["{\"a\":1}\n", "42", "\"str\"", "[1, 2]", "{}"]);
    assert!(run.stdout.contains("delivered 5/5"), "{}", run.stdout);
    // Still JSON: text that is not is refused even with --raw.
    let torn = TempFile::new("raw-torn.ndjson", "{}\n{\"a\n");
    let run = send(&receiver.url(), &["--raw", torn.arg()], 2);
    assert!(
        run.stderr.starts_with(&format!("error: {}:2:", torn.arg())),
        "{}",
        run.stderr
    );
    receiver.expect_requests(5);
}

#[test]
fn a_file_that_changes_after_its_check_sends_only_what_was_read_before_and_the_rest_is_pending() {
    const EVENTS: usize = 600;
    let original = check(&["generate", "--count", "600", "--seed", "5"], "", 0).stdout;
    let other = check(&["generate", "--count", "600", "--seed", "6"], "", 0).stdout;
    let original_lines: Vec<&[u8]> = original.lines().map(str::as_bytes).collect();
    // Emptied, and written over with other events: each while the first event waits for its
    // answer, when `send` has read at most a few batches ahead (far fewer than 600 events).
    for (name, changed) in [("emptied", String::new()), ("rewritten", other)] {
        let file = TempFile::new(&format!("send-changed-{name}.ndjson"), &original);
        let path = std::path::PathBuf::from(file.arg());
        let first = std::sync::atomic::AtomicBool::new(true);
        let runtime = Runtime::new().expect("a tokio runtime starts");
        let receiver = runtime
            .block_on(
                Receiver::builder(Behaviour::status(200))
                    .hook(move |_: &_, reply| {
                        if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
                            std::fs::write(&path, &changed).expect("the test rewrites the file");
                        }
                        reply
                    })
                    .bind("127.0.0.1:0".parse().unwrap()),
            )
            .expect("the receiver binds");
        let run = send(&receiver.url(), &[file.arg(), "--json"], 1);
        let bodies: Vec<Vec<u8>> = receiver
            .requests()
            .into_iter()
            .map(|request| request.body.to_vec())
            .collect();
        let sent = bodies.len();
        assert!((1..EVENTS).contains(&sent), "{name}: {sent} sent\n{run:#?}");
        // Only the checked events, in order: not one byte of the changed file.
        assert_eq!(bodies, original_lines[..sent], "{name}");
        assert_eq!(
            summary(&run),
            serde_json::json!({"events": EVENTS, "delivered": sent, "failed": 0,
                "pending": EVENTS - sent, "attempts": sent, "webhook": "active"}),
            "{name}"
        );
        assert!(
            run.stderr.contains(&format!(
                "pending: #{} to #{EVENTS} ({} events, not attempted)",
                sent + 1,
                EVENTS - sent
            )) && run.stderr.ends_with(&format!(
                "error: {}: cannot read: it changed since it was checked; the events after it \
                 were not sent\n",
                file.arg()
            )),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_folder_sends_its_event_files_in_name_order_and_one_without_any_is_refused() {
    let generated = check(&["generate", "--count", "4", "--seed", "8"], "", 0).stdout;
    let events: Vec<&str> = generated.lines().collect();
    let folder = TempDir::new("send-folder");
    std::fs::create_dir_all(folder.0.join("later")).unwrap();
    for (name, text) in [
        ("000002-b.json", events[1].to_owned()),
        ("000001-a.json", events[0].to_owned()),
        ("000003-c.ndjson", format!("{}\n{}\n", events[2], events[3])),
        ("notes.txt", "not an event".to_owned()),
        ("later/000000-first.json", events[3].to_owned()),
    ] {
        std::fs::write(folder.0.join(name), text).unwrap();
    }
    let receiver = TestReceiver::start(Behaviour::status(200));
    send(&receiver.url(), &[folder.arg()], 0);
    receiver.expect_requests(4);
    receiver.expect_bodies(&events);

    let run = send(
        &receiver.url(),
        &[&folder.0.join("later").to_string_lossy(), folder.arg()],
        0,
    );
    receiver.expect_requests(9);
    assert!(run.stdout.contains("delivered 5/5"), "{run:#?}");

    std::fs::remove_dir_all(folder.0.join("later")).unwrap();
    let empty = folder.0.join("later");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "not an event").unwrap();
    let run = send(
        &receiver.url(),
        &[folder.arg(), &empty.to_string_lossy()],
        2,
    );
    assert_eq!(
        run.stderr,
        format!(
            "error: {}: no events to send: no event file in the folder (*.json, *.ndjson, \
             *.jsonl)\n",
            empty.display()
        )
    );
    receiver.expect_requests(9);
}

#[test]
fn a_folder_of_more_event_files_than_a_process_may_hold_open_is_checked_and_sent_whole() {
    // 300 event files (what `listen --record` writes for 300 events) under a limit of 64 open
    // files: each file is opened when it is read, not held from its check to its sending.
    let generated = check(&["generate", "--count", "300", "--seed", "4"], "", 0).stdout;
    let events: Vec<&str> = generated.lines().collect();
    let folder = TempDir::new("send-many-files");
    std::fs::create_dir(&folder.0).unwrap();
    for (index, event) in events.iter().enumerate() {
        std::fs::write(folder.0.join(format!("{index:06}-event.json")), event).unwrap();
    }
    let receiver = TestReceiver::start(Behaviour::status(200));
    let url = receiver.url();
    let send = ["send", "--url", &url, folder.arg()];
    for args in [&send[..], &["validate", folder.arg()]] {
        let run = awork_sim_under_ulimit("-n 64", args);
        assert_eq!(run.code, Some(0), "{args:?}: {run:#?}");
    }
    receiver.expect_requests(300);
    receiver.expect_bodies(&events);

    // The files are checked side by side, but the error is the first problem in their order,
    // and nothing is sent.
    std::fs::write(folder.0.join("000100-event.json"), "{\"eventType\": 7}").unwrap();
    std::fs::write(folder.0.join("000200-event.json"), "{").unwrap();
    let run = awork_sim_under_ulimit("-n 64", &send);
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert!(
        run.stderr.starts_with(&format!(
            "error: {}:1: not an awork event",
            folder.0.join("000100-event.json").display()
        )),
        "{}",
        run.stderr
    );
    receiver.expect_requests(300);
}

#[test]
fn a_soft_limit_of_open_files_below_the_concurrency_is_raised_to_the_hard_one() {
    // `ulimit -Sn 64` lowers the soft limit alone: send raises it again for its 100 connections
    // (refused when the hard limit is as low: cli_refusals).
    let receiver = TestReceiver::start(Behaviour::status(200));
    let url = receiver.url();
    let run = awork_sim_under_ulimit(
        "-Sn 64",
        &[
            "send",
            "--url",
            &url,
            "--count",
            "200",
            "--concurrency",
            "100",
        ],
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stdout.contains("delivered 200/200"), "{}", run.stdout);
    receiver.expect_requests(200);
}

#[test]
fn a_process_substitution_or_a_named_pipe_is_read_as_a_stream_as_stdin_is() {
    let binary = env!("CARGO_BIN_EXE_awork-sim");
    let generated = check(&["generate", "--count", "5", "--seed", "2"], "", 0).stdout;
    let receiver = TestReceiver::start(Behaviour::status(200));
    // bash's `<(…)` is a path to a pipe, which cannot be read again from its start.
    for command in [
        format!(
            "'{binary}' send --url '{}' <('{binary}' generate --count 5 --seed 2)",
            receiver.url()
        ),
        format!("'{binary}' validate <('{binary}' generate --count 5 --seed 2)"),
    ] {
        let output = Command::new("bash")
            .args(["-c", &command])
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    receiver.expect_requests(5);

    let folder = TempDir::new("send-fifo");
    std::fs::create_dir(&folder.0).unwrap();
    let fifo = folder.0.join("events");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let (fifo, generated) = (fifo.clone(), generated.clone());
        std::thread::spawn(move || std::fs::write(fifo, generated))
    };
    send(&receiver.url(), &[&fifo.to_string_lossy()], 0);
    writer.join().unwrap().expect("the events go into the pipe");
    receiver.expect_requests(10);
    let bodies = receiver.bodies();
    let expected: Vec<Vec<u8>> = generated
        .lines()
        .map(|line| line.as_bytes().to_vec())
        .collect();
    assert_eq!(bodies[..5], expected[..]);
    assert_eq!(bodies[5..], expected[..]);
}

#[test]
fn a_log_that_would_overwrite_a_file_to_send_is_refused_and_the_file_kept() {
    let generated = check(&["generate", "--count", "3"], "", 0).stdout;
    let file = TempFile::new("send-log-is-input.ndjson", &generated);
    let receiver = TestReceiver::start(Behaviour::status(200));
    let run = send(&receiver.url(), &[file.arg(), "--log", file.arg()], 2);
    assert_eq!(
        run.stderr,
        format!(
            "error: --log {0}: it is {0}, one of the files to send; the log would overwrite it\n",
            file.arg()
        )
    );
    assert_eq!(std::fs::read_to_string(file.arg()).unwrap(), generated);
    receiver.expect_requests(0);
}

/// `awork-sim send --url URL` with `args`, its stdout on `stdout`, its stderr captured.
fn spawn_send(url: &str, args: &[&str], stdout: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(["send", "--url", url])
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("awork-sim starts")
}

#[test]
fn a_log_or_summary_that_cannot_be_written_after_the_sending_fails_the_run_with_1_not_2() {
    let receiver = TestReceiver::start(Behaviour::status(200));
    let run = send(&receiver.url(), &["--count", "5", "--log", "/dev/full"], 1);
    receiver.expect_requests(5);
    assert!(run.stdout.contains("delivered 5/5"), "{run:#?}");
    assert!(
        run.stderr.ends_with(
            "error: /dev/full: cannot write the attempt log: No space left on device (os error \
             28)\n"
        ),
        "{run:#?}"
    );

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full opens");
    let child = spawn_send(&receiver.url(), &["--count", "5", "--json"], full.into());
    let output = child.wait_with_output().expect("awork-sim runs");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    receiver.expect_requests(10);
    assert!(stderr.contains("delivered 5/5"), "{stderr}");
    // Said once, not again when the run ends.
    assert_eq!(
        stderr
            .matches("error: cannot write to standard output: No space left on device")
            .count(),
        1,
        "{stderr}"
    );
}

#[test]
fn send_piped_into_a_reader_that_leaves_early_keeps_its_exit_status() {
    let receiver = TestReceiver::start(Behaviour::status(500));
    // 3,000 failed events: a line each, far more than a pipe holds, so `send` writes on after
    // the reader has gone.
    let args = [
        "--count",
        "3000",
        "--max-retries",
        "0",
        "--pause-after",
        "100000",
        "--quiet",
    ];
    let mut child = spawn_send(&receiver.url(), &args, Stdio::piped());
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut first)
        .expect("send writes a line");
    assert!(first.starts_with("failed: #1 "), "{first}");
    let output = child.wait_with_output().expect("awork-sim runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    receiver.expect_requests(3000);
}

#[test]
fn a_file_or_stdin_of_one_document_is_sent_exactly_as_it_is() {
    let receiver = TestReceiver::start(Behaviour::status(200));
    let line = check(&["generate", "--count", "1", "--seed", "4"], "", 0).stdout;
    assert!(line.ends_with('\n'));
    let file = TempFile::new("one-line.json", &line);
    let pretty = format!(
        "\n{}\n\n",
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&line).unwrap()).unwrap()
    );
    send(&receiver.url(), &[file.arg()], 0);
    check(&["send", "--url", &receiver.url(), "-"], &pretty, 0);
    receiver.expect_requests(2);
    assert_eq!(
        receiver.bodies(),
        [line.as_bytes().to_vec(), pretty.as_bytes().to_vec()]
    );
}

#[test]
fn each_failed_attempt_is_a_line_on_stderr_and_quiet_turns_them_off() {
    let receiver = TestReceiver::start(Behaviour::fail_first(2, 503));
    let args = [
        "--count",
        "1",
        "--retry-schedule",
        "10ms",
        "--max-retries",
        "1",
    ];
    let run = send(&receiver.url(), &args, 1);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("attempt "))
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("attempt 1 of 2 failed: #1 ")
            && lines[0].ends_with(
                ": 503; 1 failed in a row, the 11th pauses the webhook; next try in 10ms"
            ),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("attempt 2 of 2 failed: #1 ")
            && lines[1].ends_with(": 503; 2 failed in a row, the 11th pauses the webhook; no retries left: the event failed"),
        "{lines:?}"
    );
    assert!(!run.stderr.contains("nothing answers"), "{}", run.stderr);

    receiver
        .receiver
        .set_behaviour(Behaviour::fail_first(2, 503));
    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let run = send(&receiver.url(), &quiet, 1);
    assert_eq!(run.stderr, "", "only the results, on stdout");
    assert!(
        run.stdout.contains("after 2 attempts (last: 503)"),
        "{}",
        run.stdout
    );
}

/// The trace ids of `bodies`, and the bodies without them.
fn split_trace_ids(bodies: &[Vec<u8>]) -> (Vec<String>, Vec<Value>) {
    bodies
        .iter()
        .map(|body| {
            let mut event: Value = serde_json::from_slice(body).expect("a JSON body");
            let trace_id = event
                .as_object_mut()
                .and_then(|event| event.remove("traceId"))
                .and_then(|trace_id| trace_id.as_str().map(str::to_owned))
                .expect("a traceId");
            (trace_id, event)
        })
        .unzip()
}

#[test]
fn two_runs_of_one_seed_tell_the_same_story_under_trace_ids_of_their_own() {
    let runs: Vec<(Vec<String>, Vec<Value>)> = (0..2)
        .map(|_| {
            let receiver = TestReceiver::start(Behaviour::status(200));
            send(&receiver.url(), &["--seed", "1", "--count", "30"], 0);
            receiver.expect_requests(30);
            split_trace_ids(&receiver.bodies())
        })
        .collect();
    let (first_ids, first) = &runs[0];
    let (second_ids, second) = &runs[1];
    // The same story: the same entity ids, and everything else but the trace ids.
    let entity_ids = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .map(|event| event["entityId"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(entity_ids(first), entity_ids(second));
    assert_eq!(first, second);
    // No trace id of one run is in the other, so a receiver that remembers them takes the
    // second run's events as new; within a run each is unique.
    let all: std::collections::BTreeSet<&String> = first_ids.iter().chain(second_ids).collect();
    assert_eq!(all.len(), 60, "{first_ids:?} {second_ids:?}");
    for id in &all {
        assert!(
            id.len() == 32
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
    }
    // Nor are they the seed's, which `generate` writes.
    let generated = check(&["generate", "--seed", "1", "--count", "30"], "", 0).stdout;
    let generated: Vec<Vec<u8>> = generated.lines().map(|line| line.into()).collect();
    let (seed_ids, seed_story) = split_trace_ids(&generated);
    assert_eq!(&seed_story, first);
    assert!(seed_ids.iter().all(|id| !all.contains(id)));
}

#[test]
fn reproducible_sends_the_seeds_bytes_every_time() {
    let generated = check(&["generate", "--seed", "4", "--count", "12"], "", 0).stdout;
    let expected: Vec<Vec<u8>> = generated.lines().map(|line| line.into()).collect();
    for _ in 0..2 {
        let receiver = TestReceiver::start(Behaviour::status(200));
        send(
            &receiver.url(),
            &["--seed", "4", "--count", "12", "--reproducible"],
            0,
        );
        receiver.expect_requests(12);
        assert_eq!(receiver.bodies(), expected);
    }
}

#[test]
fn on_a_terminal_the_progress_bar_splits_the_settled_events() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `script` (util-linux) gives the run a terminal; it is not installed");
        return;
    }
    // 15 events, 100 ms each, the first 3 refused: the run lasts over the second after which the
    // bar shows.
    let receiver =
        TestReceiver::start(Behaviour::fail_first(3, 500).with_delay(Duration::from_millis(100)));
    let command = format!(
        "'{}' send --url {} --count 15 --max-retries 0",
        env!("CARGO_BIN_EXE_awork-sim"),
        receiver.url()
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("events settled (") && shown.contains(" delivered, 3 failed), "),
        "{shown}"
    );
    receiver.expect_requests(15);
}
