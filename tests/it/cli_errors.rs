//! The errors a new user meets first, each one line that names the problem and the way out: a URL
//! without its scheme or with a port past 65535, `https://` to a plain-http receiver, a fractional `--rate`, and clap's own
//! usage errors.

use awork_delivery::receiver::Behaviour;

use crate::support::{check, check_usage_errors, local_receiver};

#[test]
fn a_url_without_its_scheme_is_told_so_with_the_url_to_write() {
    for (url, guess) in [
        ("localhost:8787", "http://localhost:8787"),
        ("127.0.0.1:8787/hooks", "http://127.0.0.1:8787/hooks"),
    ] {
        for command in ["send", "check"] {
            let run = check(&[command, "--url", url], "", 2);
            assert_eq!(
                run.stderr,
                format!(
                    "error: invalid webhook url `{url}`: the scheme is missing (http:// or \
                     https://); did you mean `{guess}`?\n"
                ),
                "{command}"
            );
        }
    }
}

#[test]
fn a_port_past_65535_is_refused_not_taken_as_80() {
    for command in ["send", "check"] {
        let url = "http://127.0.0.1:99999/hook";
        let run = check(&[command, "--url", url], "", 2);
        assert_eq!(
            run.stderr,
            format!(
                "error: invalid webhook url `{url}`: the port must be a number from 1 to 65535\n"
            ),
            "{command}"
        );
    }
}

#[test]
fn https_to_a_plain_http_receiver_asks_whether_it_is_http() {
    let (receiver, _runtime) = local_receiver(Behaviour::status(200));
    let url = receiver.url().replace("http://", "https://");
    let run = check(
        &["send", "--url", &url, "--count", "1", "--max-retries", "0"],
        "",
        1,
    );
    assert!(
        run.stdout.contains(
            "tls error: received corrupt message of type InvalidContentType (is the receiver \
             plain http? try its http:// URL)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_fractional_rate_is_events_per_second() {
    let (receiver, _runtime) = local_receiver(Behaviour::status(200));
    let run = check(
        &[
            "send",
            "--url",
            &receiver.url(),
            "--count",
            "1",
            "--rate",
            "0.5",
        ],
        "",
        0,
    );
    assert!(run.stdout.contains("delivered 1/1"), "{}", run.stdout);
    check_usage_errors(
        "send",
        vec![
            (
                vec!["--url", "http://127.0.0.1:9/", "--rate", "0"],
                "--rate 0: --rate takes a number above 0",
            ),
            (
                vec!["--url", "http://127.0.0.1:9/", "--rate", "-2"],
                "--rate -2: a negative number; --rate takes a number above 0",
            ),
            (
                vec!["--url", "http://127.0.0.1:9/", "--rate", "fast"],
                "events per second: a number from 0.0000116 (one a day) up (`0.5` is one every 2s)",
            ),
            (
                vec!["--url", "http://127.0.0.1:9/", "--rate", "1e-20"],
                "events per second: a number from 0.0000116 (one a day) up",
            ),
        ],
    );
}

#[test]
fn usage_errors_are_one_line_and_help_is_whole() {
    for (args, message) in [
        (
            &["send", "--url", "http://127.0.0.1:9/", "--cont", "5"][..],
            "error: unexpected argument '--cont' found; tip: a similar argument exists: \
             '--count'; see 'awork-sim send --help'\n",
        ),
        (
            &["send"],
            "error: the following required arguments were not provided: --url <URL>; see \
             'awork-sim send --help'\n",
        ),
        (
            &["generate", "--count", "x"],
            "error: invalid value 'x' for '--count <N>': invalid digit found in string; see \
             'awork-sim generate --help'\n",
        ),
        (
            &["sendd"],
            "error: unrecognized subcommand 'sendd'; tip: a similar subcommand exists: 'send'; \
             see 'awork-sim --help'\n",
        ),
    ] {
        let run = check(args, "", 2);
        assert_eq!(run.stderr, message, "{args:?}");
        assert_eq!(run.stdout, "");
    }
    let help = check(&["send", "--help"], "", 0).stdout;
    assert!(help.starts_with("Deliver events") && help.contains("Usage: awork-sim send"));
    assert!(help.lines().count() > 40, "{help}");
}
