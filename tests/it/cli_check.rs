//! `awork-sim check` against the example receivers on 127.0.0.1: exit statuses, the reports on
//! stdout and in the JUnit file, and options refused before anything is sent; and against Python's
//! own `http.server`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use awork_delivery::receiver::Behaviour;
use awork_example_receivers::{Mistake, ReceiverOptions, RunningReceiver};
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::support::{
    TempDir, TempFile, awork_sim_under_ulimit, check, check_usage_errors, local_receiver,
    make_fifo, names_in, python_with, read_fifo, workspace_root,
};

const AUTH: &str = "X-Awork-Secret: cli-secret-81d0";

/// An example receiver and the runtime that serves it, both living as long as the test.
struct Example {
    receiver: RunningReceiver,
    _runtime: Runtime,
}

impl Example {
    fn start(mistake: Option<Mistake>) -> Example {
        let runtime = Runtime::new().expect("a tokio runtime starts");
        let options = ReceiverOptions {
            auth: Some(("X-Awork-Secret".to_owned(), "cli-secret-81d0".to_owned())),
            ..ReceiverOptions::default()
        };
        let receiver = runtime
            .block_on(async {
                match mistake {
                    Some(mistake) => {
                        awork_example_receivers::spawn_careless(mistake, options).await
                    }
                    None => awork_example_receivers::spawn_correct(options).await,
                }
            })
            .expect("the receiver binds");
        Example {
            receiver,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        self.receiver.url()
    }
}

#[test]
fn a_correct_receiver_passes_with_exit_0_and_both_reports() {
    let receiver = Example::start(None);
    let url = receiver.url();
    let junit = TempFile::new("check.xml", "");
    let run = check(
        &[
            "check",
            "--url",
            &url,
            "--auth-header",
            AUTH,
            "--format",
            "json",
            "--junit",
            junit.arg(),
        ],
        "",
        0,
    );
    let report: Value = serde_json::from_str(&run.stdout).expect("stdout is the JSON report");
    assert_eq!(report["passed"], true);
    assert_eq!(report["url"], url.as_str());
    assert_eq!(report["cases"].as_array().unwrap().len(), 16);
    assert_eq!(report["causes"], serde_json::json!([]));
    let xml = std::fs::read_to_string(junit.arg()).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 16);
    assert!(xml.contains("failures=\"0\""));
    for output in [&run.stdout, &run.stderr, &xml] {
        assert!(!output.contains("cli-secret-81d0"));
    }
}

#[test]
fn a_report_that_cannot_be_written_fails_the_run_with_1_and_the_others_are_still_written() {
    let receiver = Example::start(None);
    let url = receiver.url();
    let args = [
        "check",
        "--url",
        &url,
        "--auth-header",
        AUTH,
        "--junit",
        "/dev/full",
    ];
    let run = check(&args, "", 1);
    assert!(run.stdout.contains("passed"), "{run:#?}");
    assert_eq!(
        run.stderr.trim_end(),
        "error: /dev/full: cannot write: No space left on device (os error 28)",
        "{run:#?}"
    );
}

#[test]
fn the_junit_path_is_left_as_it_was_without_a_report_and_written_whole_with_one() {
    use std::os::unix::fs::FileTypeExt;
    let folder = TempDir::new("check-junit-paths");
    std::fs::create_dir(&folder.0).unwrap();
    let existing = folder.0.join("existing.xml");
    std::fs::write(&existing, "the last report").unwrap();
    let new = folder.0.join("new.xml");

    // Nothing answers at the URL: exit 2, no file made, the existing one untouched.
    let silent = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().unwrap().port()
        )
    };
    for path in [&new, &existing] {
        let run = check(
            &["check", "--url", &silent, "--junit", path.to_str().unwrap()],
            "",
            2,
        );
        assert!(run.stderr.contains("nothing answers at"), "{}", run.stderr);
        assert_eq!(names_in(&folder.0), ["existing.xml"]);
        assert_eq!(
            std::fs::read_to_string(&existing).unwrap(),
            "the last report"
        );
    }

    // With a report: a link keeps pointing at its file, which holds the report; a pipe and a
    // device are written in place and stay what they are.
    let receiver = Example::start(None);
    let url = receiver.url();
    let link = folder.0.join("link.xml");
    std::os::unix::fs::symlink("existing.xml", &link).unwrap();
    let pipe = folder.0.join("pipe.xml");
    make_fifo(&pipe);
    let reader = read_fifo(&pipe);
    for path in [&link, &pipe, Path::new("/dev/null")] {
        let args = [
            "check",
            "--url",
            &url,
            "--auth-header",
            AUTH,
            "--only",
            "accepts-unicode",
            "--junit",
            path.to_str().unwrap(),
        ];
        check(&args, "", 0);
    }
    let report = std::fs::read_to_string(&existing).unwrap();
    assert!(
        report.contains("<testsuites name=\"awork-sim check\""),
        "{report}"
    );
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let piped = String::from_utf8(reader.join().unwrap()).unwrap();
    assert!(
        piped.contains("<testsuites name=\"awork-sim check\""),
        "{piped}"
    );
    assert!(pipe.metadata().unwrap().file_type().is_fifo());
    assert!(
        Path::new("/dev/null")
            .metadata()
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert_eq!(
        names_in(&folder.0),
        ["existing.xml", "link.xml", "pipe.xml"]
    );
}

#[test]
fn a_burst_the_open_files_limit_cannot_hold_is_refused_and_a_low_soft_limit_is_raised() {
    let (receiver, _runtime) = local_receiver(Behaviour::status(200));
    let url = receiver.url();
    let burst = [
        "check",
        "--url",
        &url,
        "--only",
        "accepts-burst",
        "--burst",
        "100",
    ];
    // `ulimit -n` sets the hard limit too: check cannot raise it, and 100 connections do not fit
    // in 64 open files (they would fail with "Too many open files", as if the receiver had).
    // Refused before anything is sent.
    let run = awork_sim_under_ulimit("-n 64", &burst);
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert_eq!(
        run.stderr,
        "error: --burst 100: 103 connections and the files check keeps need about 135 open \
         files, and this process may open 64 (`ulimit -n`): lower --burst or raise the limit\n"
    );
    assert_eq!(run.stdout, "");
    assert_eq!(receiver.request_count(), 0);
    // `ulimit -Sn 64` lowers the soft limit alone: check raises it again for its 100 connections.
    let run = awork_sim_under_ulimit("-Sn 64", &burst);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stdout.contains("pass  accepts-burst"), "{}", run.stdout);
    assert_eq!(receiver.request_count(), 100);
    // A burst that does not run needs no room (the default 50 would not fit with the rest).
    let run = awork_sim_under_ulimit(
        "-n 64",
        &["check", "--url", &url, "--only", "accepts-unicode"],
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(receiver.request_count(), 105);
}

/// Python's `http.server` receiver (`tests/it/python/http_server_receiver.py`), killed when dropped.
struct PythonReceiver(std::process::Child);

impl Drop for PythonReceiver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn pythons_own_http_server_passes_though_its_accept_queue_holds_five() {
    if !python_with("http.server", "(the standard library)") {
        return;
    }
    let mut child = Command::new("python3")
        .arg(workspace_root().join("tests/it/python/http_server_receiver.py"))
        .arg(AUTH)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut port = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let _receiver = PythonReceiver(child);
    let url = format!("http://127.0.0.1:{}/hooks/awork", port.trim());
    // 5 s: the burst's 50 connections, left to the kernel's SYN timer, arrive together, overflow
    // the queue of 5 and are sent again together after 1 s, 3 s, 7 s: some wait past 5 s.
    let run = check(
        &[
            "check",
            "--url",
            &url,
            "--auth-header",
            AUTH,
            "--timeout",
            "5s",
        ],
        "",
        0,
    );
    assert!(
        run.stdout.contains("PASSED: 0 failed, 0 warned"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_careless_receiver_fails_with_exit_1_and_the_rerun_command() {
    let receiver = Example::start(Some(Mistake::DuplicateRefused));
    let url = receiver.url();
    let saved = std::env::temp_dir().join(format!("awork-sim-it-{}-failed", std::process::id()));
    let run = check(
        &[
            "check",
            "--url",
            &url,
            "--auth-header",
            AUTH,
            "--save-failed",
            saved.to_str().unwrap(),
        ],
        "",
        1,
    );
    // The refused copy is saved, byte for byte, ready to replay with `send`.
    let files: Vec<_> = std::fs::read_dir(&saved)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("001-accepts-redelivery-"), "{name}");
    let body: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert!(awork_models::validate_value(body).is_ok());
    assert!(
        run.stderr.contains("replay one with: awork-sim send --url"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&saved).unwrap();
    assert!(
        run.stdout.contains("FAIL  accepts-redelivery"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("FAILED: 1 failed"), "{}", run.stdout);
    let rerun = run.stdout.lines().last().unwrap().trim();
    assert!(
        rerun.starts_with(&format!("awork-sim check --url {url} ")),
        "{rerun}"
    );
    assert!(rerun.ends_with("--only accepts-redelivery"), "{rerun}");
    assert!(!run.stdout.contains("cli-secret-81d0"));
}

/// Runs `awork-sim check ARGS…` with `AWORK_SIM_AUTH_HEADER` set to `env`, or unset, and returns
/// the rerun command that ends its report (a case is expected to fail: exit 1).
fn rerun_command(args: &[&str], env: Option<&str>) -> String {
    let run = in_environment(
        Command::new(env!("CARGO_BIN_EXE_awork-sim")).args(args),
        env,
    );
    assert_eq!(run.0, Some(1), "{args:?}: {}", run.1);
    let rerun = run.1.lines().last().unwrap().trim().to_owned();
    assert!(rerun.starts_with("awork-sim check --url "), "{}", run.1);
    rerun
}

/// Runs `command` with `AWORK_SIM_AUTH_HEADER` set to `env`, or unset, and the directory of the
/// binary first on `PATH`: its exit status and stdout.
fn in_environment(command: &mut Command, env: Option<&str>) -> (Option<i32>, String) {
    let binaries = Path::new(env!("CARGO_BIN_EXE_awork-sim")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(binaries.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    command
        .current_dir(workspace_root())
        .env("PATH", path)
        .env_remove("AWORK_SIM_AUTH_HEADER");
    if let Some(header) = env {
        command.env("AWORK_SIM_AUTH_HEADER", header);
    }
    let output = command.stdin(Stdio::null()).output().expect("it runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_rerun_command_gives_the_auth_header_as_the_run_got_it_and_runs_again() {
    let receiver = Example::start(Some(Mistake::DuplicateRefused));
    let url = receiver.url();
    let selected = ["check", "--url", &url, "--only", "accepts-redelivery"];
    let file = TempFile::new("auth-header", &format!("{AUTH}\n"));

    // From the environment: the rerun command names no header, and finds it there again.
    let rerun = rerun_command(&selected, Some(AUTH));
    assert!(!rerun.contains("--auth-header"), "{rerun}");
    // From a file: the rerun command names the file.
    let with_file = [&selected[..], &["--auth-header-file", file.arg()]].concat();
    let rerun_with_file = rerun_command(&with_file, None);
    assert!(
        rerun_with_file.contains(&format!(" --auth-header-file {} ", file.arg())),
        "{rerun_with_file}"
    );
    // Pasted into the same shell, each reruns the case, which fails again (exit 1, not a usage
    // error).
    for (rerun, env) in [(&rerun, Some(AUTH)), (&rerun_with_file, None)] {
        let (code, output) = in_environment(Command::new("bash").args(["-c", rerun]), env);
        assert_eq!(code, Some(1), "{rerun}: {output}");
        assert!(output.contains("FAIL  accepts-redelivery"), "{output}");
    }

    // On the command line: a placeholder for the value, never the value.
    let on_the_line = [&selected[..], &["--auth-header", AUTH]].concat();
    let rerun = rerun_command(&on_the_line, None);
    assert!(
        rerun.contains(" --auth-header 'X-Awork-Secret: <value>' "),
        "{rerun}"
    );
    assert!(!rerun.contains("cli-secret-81d0"), "{rerun}");
}

#[test]
fn only_warnings_exit_0() {
    let receiver = Example::start(Some(Mistake::SmallBodyLimit));
    let run = check(
        &["check", "--url", &receiver.url(), "--auth-header", AUTH],
        "",
        0,
    );
    assert!(
        run.stdout.contains("warn  accepts-large-payload"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PASSED: 0 failed, 1 warned"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_passing_run_with_warnings_reads_as_passed_and_tells_each_warning_once() {
    // No auth configured anywhere: requires-auth warns, and the mistake warns.
    let runtime = Runtime::new().expect("a tokio runtime starts");
    let receiver = runtime
        .block_on(awork_example_receivers::spawn_careless(
            Mistake::UnknownEventTypeRefused,
            ReceiverOptions::default(),
        ))
        .expect("the receiver binds");
    let run = check(&["check", "--url", &receiver.url()], "", 0);
    let out = &run.stdout;
    assert!(!out.contains("cause"), "{out}");
    assert!(
        out.contains("\npassed, with 2 warnings: `should` cases, which do not fail the run\n"),
        "{out}"
    );
    for detail in [
        "1 of 1 not answered 2xx: got 400",
        "the receiver accepted an event with no auth header\n",
    ] {
        assert_eq!(out.matches(detail).count(), 1, "{detail}: {out}");
    }
    assert!(out.contains("PASSED: 0 failed, 2 warned"), "{out}");
}

#[test]
fn a_wrong_path_reads_as_a_count_of_requests_not_a_status() {
    let (receiver, _runtime) = local_receiver(Behaviour::status(404));
    let run = check(&["check", "--url", &receiver.url()], "", 1);
    let out = &run.stdout;
    assert!(out.contains("1 cause of failure found:"), "{out}");
    assert!(
        out.contains(
            " requests meant to be accepted were answered 404 Not Found: nothing takes awork's POST at the path `/`"
        ),
        "{out}"
    );
    // The count is of those requests: the one meant to be refused (no auth header) is not one.
    let report = check(
        &["check", "--url", &receiver.url(), "--format", "json"],
        "",
        1,
    )
    .stdout;
    let report: Value = serde_json::from_str(&report).unwrap();
    let requests = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|case| case["requests"].as_array().unwrap())
        .filter(|request| request["expected"] == "2xx")
        .count();
    assert!(
        out.contains(&format!(
            "all {requests} requests meant to be accepted were answered 404"
        )),
        "{requests}: {out}"
    );
    assert!(!out.contains("every request ("), "{out}");
}

#[test]
fn bad_usage_and_a_silent_url_exit_2_with_one_line_and_send_nothing() {
    let (receiver, _runtime) = local_receiver(Behaviour::status(200));
    let url = receiver.url();
    let silent = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().unwrap().port()
        )
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--url", "localhost:3000/hooks"],
            "localhost:3000/hooks",
        ),
        (
            vec!["--url", &url, "--auth-header", "no colon"],
            "auth header",
        ),
        (vec!["--url", &url, "--timeout", "10x"], "10x"),
        (vec!["--url", &url, "--timeout", "0s"], "--timeout: 0s"),
        (
            vec!["--url", &url, "--only", "accepts-everything"],
            "accepts-everything",
        ),
        (vec!["--url", &url, "--skip", "nope"], "nope"),
        (vec!["--url", &url, "--burst", "0"], "--burst"),
        (vec!["--url", &url, "--format", "yaml"], "yaml"),
        (
            vec!["--url", &url, "--junit", "/no/such/dir/report.xml"],
            "/no/such/dir/report.xml",
        ),
        (vec!["--url", &silent], "nothing answers at"),
        // A run that would check nothing, and pass.
        (
            vec![
                "--url",
                &url,
                "--only",
                "accepts-burst",
                "--skip",
                "accepts-burst",
            ],
            "error: no case left to run: --only and --skip leave no case that sends requests\n",
        ),
        (
            vec!["--url", &url, "--only", "rejects-wrong-auth"],
            "error: no case left to run: rejects-wrong-auth needs the auth header the receiver \
             requires (--auth-header, --auth-header-file or AWORK_SIM_AUTH_HEADER)\n",
        ),
    ];
    check_usage_errors("check", cases);
    let mut every_case = vec!["--url", &url];
    for id in awork_conformance::CaseId::ALL {
        every_case.extend(["--skip", id.id()]);
    }
    check_usage_errors(
        "check",
        vec![(
            every_case,
            "error: no case left to run: --skip skips every case that sends requests\n",
        )],
    );
    assert_eq!(receiver.request_count(), 0);
}

#[test]
fn a_receiver_that_checks_no_auth_is_told_to_check_it_not_to_replay_an_error() {
    // Answers 200 to everything: with an auth header given, the cases that leave it out or
    // change it are accepted where a refusal was needed.
    let (receiver, _runtime) = local_receiver(Behaviour::status(200));
    let run = check(
        &[
            "check",
            "--url",
            &receiver.url(),
            "--auth-header",
            "X-Awork-Secret: hunter2",
            "--format",
            "json",
        ],
        "",
        1,
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let causes = report["causes"].as_array().unwrap();
    let auth: Vec<&Value> = causes
        .iter()
        .filter(|cause| {
            cause["cases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|case| case == "rejects-missing-auth")
        })
        .collect();
    assert_eq!(auth.len(), 1, "{causes:#?}");
    let (summary, fix) = (
        auth[0]["summary"].as_str().unwrap(),
        auth[0]["fix"].as_str().unwrap(),
    );
    assert!(!fix.contains("replay"), "no error to replay: {fix}");
    assert!(
        !summary.contains("event types"),
        "no type to blame: {summary}"
    );
    assert!(!run.stdout.contains("hunter2"));
}
