//! The auth header off the command line: `AWORK_SIM_AUTH_HEADER` and `--auth-header-file` reach a
//! receiver on 127.0.0.1 in `send` and `check` and are required by `listen`; more than one source,
//! a malformed header, or a name awork-sim sets itself (framing, host, hop-by-hop), exits 2 with one
//! line that never shows the value, before anything is sent.

use std::process::{Command, Stdio};

use awork_delivery::receiver::{Behaviour, Receiver};
use tokio::runtime::Runtime;

use crate::cli_listen::Listener;
use crate::support::{Run, TempFile, local_receiver, workspace_root};

const SECRET: &str = "env-s3cret-5e1f";

/// Environment variables added to a run.
type Env<'a> = Vec<(&'a str, &'a str)>;

/// Runs `awork-sim ARGS…` with these environment variables added, and stdin empty.
fn awork_sim_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .expect("awork-sim runs")
        .into()
}

/// A receiver on 127.0.0.1 that answers 200 and keeps every request, and its runtime.
fn start_receiver() -> (Receiver, Runtime) {
    local_receiver(Behaviour::status(200))
}

/// Asserts the secret is nowhere in what the run printed.
#[track_caller]
fn never_shown(run: &Run) {
    assert!(
        !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
        "the secret leaked: {run:#?}"
    );
}

#[test]
fn the_environment_variable_reaches_the_receiver_in_send_and_check() {
    let header = format!("X-Awork-Secret: {SECRET}");
    let env = [("AWORK_SIM_AUTH_HEADER", header.as_str())];

    let (receiver, _runtime) = start_receiver();
    let url = receiver.url();
    let run = awork_sim_with_env(&["send", "--url", &url, "--count", "2"], &env);
    assert_eq!(run.code, Some(0), "{run:#?}");
    never_shown(&run);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|request| request.headers["x-awork-secret"] == SECRET)
    );

    let (receiver, _runtime) = start_receiver();
    let url = receiver.url();
    let run = awork_sim_with_env(&["check", "--url", &url, "--only", "accepts-unicode"], &env);
    never_shown(&run);
    assert!(
        !run.stdout.contains("no auth header"),
        "check saw no header: {}",
        run.stdout
    );
    let requests = receiver.requests();
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(
        requests.iter().any(|request| request
            .headers
            .get("x-awork-secret")
            .is_some_and(|value| value == SECRET)),
        "{run:#?}"
    );
}

#[test]
fn the_file_gives_its_first_line_and_listen_requires_it() {
    let file = TempFile::new("auth-header.txt", &format!("X-Awork-Secret: {SECRET}\n"));
    let listener = Listener::start(&["--auth-header-file", file.arg()]);

    // Also when saved by an editor that starts the file with a byte order mark, and with CRLF.
    let with_bom = TempFile::new(
        "auth-header-bom.txt",
        &format!("\u{feff}X-Awork-Secret: {SECRET}\r\n"),
    );
    for file in [&file, &with_bom] {
        let run = awork_sim_with_env(
            &[
                "send",
                "--url",
                &listener.url,
                "--count",
                "1",
                "--auth-header-file",
                file.arg(),
            ],
            &[],
        );
        assert_eq!(run.code, Some(0), "{run:#?}");
        assert!(listener.next_line().contains(" 200 "));
    }

    let header = format!("X-Awork-Secret: {SECRET}");
    let run = awork_sim_with_env(
        &["send", "--url", &listener.url, "--count", "1"],
        &[("AWORK_SIM_AUTH_HEADER", header.as_str())],
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(listener.next_line().contains(" 200 "));

    let run = awork_sim_with_env(
        &[
            "send",
            "--url",
            &listener.url,
            "--count",
            "1",
            "--max-retries",
            "0",
        ],
        &[],
    );
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(listener.next_line().contains(" 401 "));
}

#[test]
fn two_sources_or_a_malformed_header_exit_2_with_one_line_and_no_value() {
    let file = TempFile::new(
        "auth-header-both.txt",
        &format!("X-Awork-Secret: {SECRET}\n"),
    );
    let header = format!("X-Awork-Secret: {SECRET}");
    let env = [("AWORK_SIM_AUTH_HEADER", header.as_str())];
    let url = "http://127.0.0.1:9/";
    let cases: Vec<(Vec<&str>, Env, &str)> = vec![
        (
            vec!["send", "--url", url, "--auth-header", &header],
            env.to_vec(),
            "--auth-header, AWORK_SIM_AUTH_HEADER",
        ),
        (
            vec!["check", "--url", url, "--auth-header-file", file.arg()],
            env.to_vec(),
            "AWORK_SIM_AUTH_HEADER, --auth-header-file",
        ),
        (
            vec![
                "listen",
                "--auth-header",
                &header,
                "--auth-header-file",
                file.arg(),
            ],
            vec![],
            "--auth-header, --auth-header-file",
        ),
        (
            vec!["send", "--url", url],
            vec![("AWORK_SIM_AUTH_HEADER", SECRET)],
            "AWORK_SIM_AUTH_HEADER: the auth header is `Name: value`; found no `:`",
        ),
        (
            vec!["check", "--url", url],
            vec![("AWORK_SIM_AUTH_HEADER", "")],
            "AWORK_SIM_AUTH_HEADER: empty",
        ),
        (
            vec![
                "listen",
                "--auth-header-file",
                "/nonexistent/awork-sim-auth",
            ],
            vec![],
            "--auth-header-file /nonexistent/awork-sim-auth: cannot read",
        ),
    ];
    for (args, env, named) in cases {
        let run = awork_sim_with_env(&args, &env);
        assert_eq!(run.code, Some(2), "{args:?}: {run:#?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        never_shown(&run);
    }

    // Help names the variable but never shows its value.
    for command in ["send", "check", "listen"] {
        let run = awork_sim_with_env(&[command, "--help"], &env);
        assert_eq!(run.code, Some(0));
        assert!(run.stdout.contains("AWORK_SIM_AUTH_HEADER"), "{command}");
        never_shown(&run);
    }
}

#[test]
fn a_framing_or_hop_by_hop_header_is_refused_as_the_auth_header_before_anything_is_sent() {
    let (receiver, _runtime) = start_receiver();
    let url = receiver.url();
    let file = TempFile::new(
        "auth-header-proxy.txt",
        &format!("Proxy-Authorization: {SECRET}\n"),
    );
    let framing = format!("Content-Length: {SECRET}");
    let hop_by_hop = format!("connection: {SECRET}");
    let cases: Vec<(Vec<&str>, Env, &str)> = vec![
        (
            vec!["send", "--url", &url, "--count", "1"],
            vec![("AWORK_SIM_AUTH_HEADER", "Content-Length: 0")],
            "AWORK_SIM_AUTH_HEADER: Content-Length is a framing header that awork-sim sets itself; it cannot be the auth header",
        ),
        (
            vec![
                "send",
                "--url",
                &url,
                "--count",
                "1",
                "--auth-header",
                &framing,
            ],
            vec![],
            "--auth-header: Content-Length is a framing header",
        ),
        (
            vec!["check", "--url", &url],
            vec![("AWORK_SIM_AUTH_HEADER", hop_by_hop.as_str())],
            "AWORK_SIM_AUTH_HEADER: connection is a hop-by-hop header",
        ),
        (
            vec!["check", "--url", &url, "--auth-header-file", file.arg()],
            vec![],
            "Proxy-Authorization is meant for a proxy",
        ),
        (
            vec!["listen", "--port", "0"],
            vec![("AWORK_SIM_AUTH_HEADER", "Transfer-Encoding: chunked")],
            "AWORK_SIM_AUTH_HEADER: Transfer-Encoding is a framing header",
        ),
        (
            vec!["listen", "--port", "0", "--auth-header-file", file.arg()],
            vec![],
            "Proxy-Authorization is meant for a proxy",
        ),
    ];
    for (args, env, named) in cases {
        let run = awork_sim_with_env(&args, &env);
        assert_eq!(run.code, Some(2), "{args:?}: {run:#?}");
        // `listen` prints its URL first once it listens: it never got that far.
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        never_shown(&run);
    }
    assert_eq!(
        receiver.requests().len(),
        0,
        "a refused header sent nothing"
    );
}

#[test]
fn a_password_in_the_url_is_shown_as_stars_in_every_message_and_log() {
    // A port that was just free: nothing answers there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://hook:{SECRET}@127.0.0.1:{port}/x");
    let log = TempFile::new("password-log.ndjson", "");
    let sent = awork_sim_with_env(
        &[
            "send",
            "--url",
            &url,
            "--count",
            "1",
            "--max-retries",
            "0",
            "--log",
            log.arg(),
        ],
        &[],
    );
    assert_eq!(sent.code, Some(1), "{sent:#?}");
    assert!(sent.stderr.contains("hook:***@127.0.0.1"), "{sent:#?}");
    never_shown(&sent);
    let logged = std::fs::read_to_string(log.arg()).unwrap();
    assert!(!logged.contains(SECRET), "{logged}");
    let checked = awork_sim_with_env(&["check", "--url", &url], &[]);
    assert_eq!(checked.code, Some(2), "{checked:#?}");
    assert!(
        checked.stderr.contains("hook:***@127.0.0.1"),
        "{checked:#?}"
    );
    never_shown(&checked);
}

/// A receiver on 127.0.0.1 that answers every request `status` (`500 Internal Server Error`) with
/// the auth header's value in its body and its `Location`, as a debug error page or a login
/// redirect echoes headers; one connection a request. Its URL.
fn echoing_receiver(status: &'static str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let (mut length, mut value) = (0, String::new());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                    if let Some((name, rest)) = line.trim_end().split_once(':') {
                        match name.to_ascii_lowercase().as_str() {
                            "content-length" => length = rest.trim().parse().unwrap_or(0),
                            "x-awork-secret" => value = rest.trim().to_owned(),
                            _ => {}
                        }
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let answer = format!("KeyError('nope') auth={value}");
                let _ = (&stream).write_all(
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\
                         Location: /login?token={value}\r\nConnection: close\r\n\r\n{answer}",
                        answer.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    url
}

#[test]
fn check_s_reports_and_send_s_log_never_carry_the_value_a_receiver_echoes() {
    let header = format!("X-Awork-Secret: {SECRET}");
    let env = [("AWORK_SIM_AUTH_HEADER", header.as_str())];
    let url = echoing_receiver("500 Internal Server Error");
    let junit = TempFile::new("echoed.xml", "");
    // The value but its last character: what `rejects-wrong-auth` sends, echoed back.
    let almost = &SECRET[..SECRET.len() - 1];
    for format in [&["--format", "json"][..], &[]] {
        let mut args = vec!["check", "--url", &url, "--junit", junit.arg()];
        args.extend(format);
        let run = awork_sim_with_env(&args, &env);
        assert_eq!(run.code, Some(1), "{run:#?}");
        assert!(
            run.stdout.contains("auth=***"),
            "the echo is shown, masked: {}",
            run.stdout
        );
        for text in [
            &run.stdout,
            &run.stderr,
            &std::fs::read_to_string(junit.arg()).unwrap(),
        ] {
            assert!(!text.contains(almost), "the value leaked: {text}");
        }
    }
    // send's summary and attempt log too (a redirect's Location is logged).
    let url = echoing_receiver("302 Found");
    let log = TempFile::new("echoed.jsonl", "");
    let run = awork_sim_with_env(
        &[
            "send",
            "--url",
            &url,
            "--count",
            "2",
            "--max-retries",
            "0",
            "--log",
            log.arg(),
        ],
        &env,
    );
    assert_eq!(run.code, Some(1), "{run:#?}");
    let logged = std::fs::read_to_string(log.arg()).unwrap();
    assert!(logged.contains("token=***"), "{logged}");
    for text in [&run.stdout, &run.stderr, &logged] {
        assert!(!text.contains(almost), "the value leaked: {text}");
    }
}
