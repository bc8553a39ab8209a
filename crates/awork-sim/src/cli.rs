//! The command line as clap parses it: the program's flags and the list of subcommands.
//!
//! Each subcommand's own arguments live in its module under [`crate::commands`], next to the code that
//! resolves them into the configuration it runs with; this module names the subcommands, and reads a
//! negative number after an option as that option's value ([`parse_from`]), so that `--count -5`
//! is told what `--count` takes instead of clap's tip to write `-- -5`; and makes clap's usage
//! errors one line ([`one_line`]).

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{check, demo, env, events, generate, listen, schema, send, serve, validate};

/// A local mock of awork's webhook emitter, and a test harness for services that receive awork
/// webhooks.
#[derive(Debug, Parser)]
#[command(name = "awork-sim", version, propagate_version = true)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Their doc comments are their help texts.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the event types with their entity types: the 35 names awork's API registers and its
    /// webhooks carry, or another family's with `--naming`.
    Events(events::Args),
    /// Check events (JSON or NDJSON, from files or stdin) and report every problem.
    ///
    /// Inputs are read as streams; a folder stands for its event files (`*.json`, `*.ndjson`,
    /// `*.jsonl`), in name order. A part that is not JSON (a torn line of a capture) is a problem of
    /// its line, and checking goes on. Exits 0 when every event is valid, 1 when any is invalid or
    /// not JSON or an input holds no event (an empty capture), and 2 when an input cannot be read
    /// (then nothing is checked).
    Validate(validate::Args),
    /// Generate realistic events: NDJSON on stdout, or one pretty JSON file per event.
    ///
    /// The same options give the same bytes (`--fresh-trace-ids` gives the trace ids alone of the
    /// run's own); `--awkward` bends them into the legal but awkward shapes a parser must survive.
    /// Exits 2 on an unknown event name.
    Generate(generate::Args),
    /// Deliver events to a webhook URL with awork's semantics: retries, timeout, pause.
    ///
    /// Events come from the files given (sent byte for byte; a file of one JSON document is sent
    /// whole) or are generated: the seed's story, with trace ids of the run's own (so a receiver
    /// that deduplicates by `traceId` takes a second run's events as new) unless `--reproducible`
    /// asks for the seed's exact bytes. Everything is checked before anything is sent: input that is not
    /// JSON, holds no event, or is not awork events (without `--raw`) is refused. SIGINT or SIGTERM
    /// stops the run with its summary, the unsent events pending, and exits 130 or 143. Exits 0 when every event was delivered, 1 when any failed or is
    /// pending, 2 on bad usage or input.
    Send(send::Args),
    /// Run a development receiver: validate and print each delivery, record it, misbehave on request.
    ///
    /// Each line says why a request was not answered 2xx. A GET or HEAD (a readiness probe) is
    /// answered 200 and is not a delivery: neither printed nor counted; other methods but POST
    /// are answered 405. Runs until Ctrl-C or SIGTERM, then prints a tally and exits 130 or 143.
    Listen(listen::Args),
    /// Show awork's delivery semantics in one process: events, retries, a pause and the resume.
    ///
    /// Each failed attempt shows the webhook's count of failures in a row, which pauses it at the
    /// 11th. One delivery is in flight at a time, so a seed prints the same transcript on every
    /// run; every event is about something the story added first (the agency's team aside).
    Demo(demo::Args),
    /// Run the conformance suite against a receiver: will it lose events, get its integration
    /// paused, or accept forged calls?
    ///
    /// Exits 0 when no `must` case fails, 1 when one does, and 2 on bad usage or when nothing
    /// answers at the URL.
    Check(check::Args),
    /// Print the JSON Schema (2020-12) of awork's webhook events, for validators and
    /// property-testing tools in any language.
    Schema(schema::Args),
    /// Run a local awork workspace: awork's webhook API, its settings page, and durable delivery.
    ///
    /// Prints `listening on http://HOST:PORT` first; runs until Ctrl-C. State lives in `--data`.
    Serve(serve::Args),
    /// Print the shell exports that point unchanged HTTPS clients at the running `serve`.
    ///
    /// `HTTPS_PROXY` is `serve`'s port, which answers for api.awork.com only (other hosts are
    /// refused: add them to `NO_PROXY`); loopback stays direct; the local CA is trusted through
    /// `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` and `NODE_EXTRA_CA_CERTS`. Apply with
    /// `eval "$(awork-sim env)"`. Exits 2 when `serve` is not running on `--data`.
    Env(env::Args),
}

/// Parses the process's arguments (see [`parse_from`]).
pub fn parse() -> Result<Args, clap::Error> {
    parse_from(&std::env::args_os().collect::<Vec<_>>())
}

/// Parses `argv` (the program's name first). A negative number right after an option that takes a
/// value is that option's value (`--count -5` is `--count=-5`; clap would take `-5` for an unknown
/// flag), and a negative number an option refuses is one line saying what it takes:
/// `--count -5: a negative number; --count takes 0 or more`.
pub fn parse_from(argv: &[OsString]) -> Result<Args, clap::Error> {
    let argv = join_negative_values(argv);
    Args::try_parse_from(&argv)
        .map_err(|error| negative_refused(&argv, &error).unwrap_or_else(|| one_line(&argv, error)))
}

/// A usage error of clap's as one line, as the README promises: its message with any list and
/// tip joined on, then where to read more (`see 'awork-sim send --help'`). Help, the version, and
/// the help shown for a missing subcommand are left as they are.
fn one_line(argv: &[OsString], error: clap::Error) -> clap::Error {
    if !error.use_stderr() || error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return error;
    }
    let rendered = error.render().to_string();
    let mut message = String::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        if message.is_empty() {
            message.push_str(line.strip_prefix("error: ").unwrap_or(line));
        } else if line.starts_with("tip:") {
            message.push_str("; ");
            message.push_str(line);
        } else {
            message.push(' ');
            message.push_str(line);
        }
    }
    // The subcommand the error is about, when it is one.
    let command = Args::command();
    let subcommand = argv
        .get(1)
        .and_then(|name| name.to_str())
        .and_then(|name| command.find_subcommand(name))
        .map(|subcommand| format!(" {}", subcommand.get_name()))
        .unwrap_or_default();
    clap::Error::raw(
        error.kind(),
        format!("{message}; see 'awork-sim{subcommand} --help'\n"),
    )
}

/// Whether `text` is a negative number (`-5`, `-0.5`).
fn is_negative_number(text: &str) -> bool {
    text.strip_prefix('-').is_some_and(|number| {
        number.starts_with(|c: char| c.is_ascii_digit()) && number.parse::<f64>().is_ok()
    })
}

/// Whether `text` starts as a negative number does (`-5`, `-0.5`, `-1s`): a value, not a flag.
fn starts_negative(text: &str) -> bool {
    text.strip_prefix('-')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// `argv` with each `--option NEGATIVE` (and `--option 0`) written `--option=NEGATIVE`, for the options of the
/// subcommand that take a value; nothing after a bare `--` is touched.
fn join_negative_values(argv: &[OsString]) -> Vec<OsString> {
    let command = Args::command();
    let subcommand = argv
        .get(1)
        .and_then(|name| name.to_str())
        .and_then(|name| command.find_subcommand(name));
    let Some(subcommand) = subcommand else {
        return argv.to_vec();
    };
    let takes_value = |long: &str| {
        subcommand
            .get_arguments()
            .any(|arg| arg.get_long() == Some(long) && arg.get_action().takes_values())
    };
    let mut joined = Vec::with_capacity(argv.len());
    let mut rest = argv.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            joined.push(arg.clone());
            joined.extend(rest.cloned());
            break;
        }
        let option = arg.to_str().and_then(|text| text.strip_prefix("--"));
        let next = rest.as_slice().first().and_then(|next| next.to_str());
        match (option, next) {
            (Some(option), Some(next))
                if !option.contains('=')
                    && (starts_negative(next) || next == "0")
                    && takes_value(option) =>
            {
                joined.push(format!("--{option}={next}").into());
                rest.next();
            }
            _ => joined.push(arg.clone()),
        }
    }
    joined
}

/// For clap's refusal of a negative number (or of a 0 where 1 or more is needed) as an option's value, the one-line error saying what the
/// option takes: the least of 0 and 1 that it accepts, found by parsing `argv` with it instead, or
/// the range clap names refusing 0 when it takes neither (`7 to 100`).
fn negative_refused(argv: &[OsString], error: &clap::Error) -> Option<clap::Error> {
    if !matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) = (
        error.get(ContextKind::InvalidArg),
        error.get(ContextKind::InvalidValue),
    ) else {
        return None;
    };
    let negative = is_negative_number(value);
    // clap says "0 is not in 1..18446744073709551615" for a zero where 1 or more is needed.
    if !negative && value != "0" {
        return None;
    }
    // `--count <N>`: the option as written.
    let option = arg.split(' ').next()?;
    let written: OsString = format!("{option}={value}").into();
    // The option's refusal of `least` in place of the value, or `None` when it takes it.
    let refusal = |least: &str| {
        let instead: Vec<OsString> = argv
            .iter()
            .map(|arg| {
                if *arg == written {
                    format!("{option}={least}").into()
                } else {
                    arg.clone()
                }
            })
            .collect();
        Args::try_parse_from(&instead).err().filter(|again| {
            matches!(again.get(ContextKind::InvalidArg), Some(ContextValue::String(arg)) if arg.split(' ').next() == Some(option))
        })
    };
    let refuses = |least: &str| refusal(least).is_some();
    let takes = match ["0", "1"].into_iter().find(|least| !refuses(least)) {
        // A decimal option (`--rate`): more than 0, not 1 or more.
        Some("1") if !refuses("0.5") => "a number above 0".to_owned(),
        Some(least) => format!("{least} or more"),
        // A range that starts higher (`demo --count`: 7 to 100), as clap names it refusing 0.
        None => refusal("0")
            .as_ref()
            .and_then(range_named)
            .unwrap_or_else(|| "no negative number".to_owned()),
    };
    let what = if negative { "a negative number; " } else { "" };
    Some(clap::Error::raw(
        ErrorKind::ValueValidation,
        format!("{option} {value}: {what}{option} takes {takes}\n"),
    ))
}

/// The range of numbers a clap refusal names (`0 is not in 7..=100`), as `7 to 100`, or `7 or
/// more` for a range with no end of its own (clap names the largest number of the type).
fn range_named(refusal: &clap::Error) -> Option<String> {
    let reason = std::error::Error::source(refusal)?.to_string();
    let (_, range) = reason.split_once(" is not in ")?;
    let (least, end) = range.split_once("..")?;
    let least: u64 = least.parse().ok()?;
    let (most, inclusive) = match end.strip_prefix('=') {
        Some(most) => (most.parse::<u64>().ok()?, true),
        None => (end.parse::<u64>().ok()?, false),
    };
    if most >= i64::MAX as u64 {
        return Some(format!("{least} or more"));
    }
    let most = if inclusive {
        most
    } else {
        most.checked_sub(1)?
    };
    Some(format!("{least} to {most}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("awork-sim")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn a_negative_number_after_an_option_is_its_value() {
        assert_eq!(
            join_negative_values(&argv(&[
                "send", "--count", "-5", "--url", "u", "--", "--count", "-1"
            ])),
            argv(&["send", "--count=-5", "--url", "u", "--", "--count", "-1"])
        );
        // Not after a flag without a value, and not in front of something that is not a number.
        assert_eq!(
            join_negative_values(&argv(&["send", "--json", "-5", "--count", "-x"])),
            argv(&["send", "--json", "-5", "--count", "-x"])
        );
    }

    #[test]
    fn usage_errors_are_one_line_and_help_is_left_alone() {
        for (args, message) in [
            (
                &["send", "--cont", "5"][..],
                "unexpected argument '--cont' found; tip: a similar argument exists: '--count'; \
                 see 'awork-sim send --help'",
            ),
            (
                &["send"],
                "the following required arguments were not provided: --url <URL>; see \
                 'awork-sim send --help'",
            ),
            (
                &["generate", "--count", "x"],
                "invalid value 'x' for '--count <N>': invalid digit found in string; see \
                 'awork-sim generate --help'",
            ),
        ] {
            let error = parse_from(&argv(args)).unwrap_err();
            assert_eq!(error.to_string(), format!("error: {message}\n"), "{args:?}");
        }
        let help = parse_from(&argv(&["send", "--help"])).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        assert!(help.to_string().lines().count() > 20);
    }

    #[test]
    fn a_refused_negative_number_says_what_the_option_takes() {
        for (args, message) in [
            (
                &["generate", "--count", "-5"][..],
                "--count -5: a negative number; --count takes 0 or more",
            ),
            (
                &["send", "--url", "u", "--concurrency=-2"],
                "--concurrency -2: a negative number; --concurrency takes 1 or more",
            ),
            // Neither 0 nor 1: the range the option takes.
            (
                &["demo", "--count", "0"],
                "--count 0: --count takes 7 to 100",
            ),
            (
                &["demo", "--count", "-1"],
                "--count -1: a negative number; --count takes 7 to 100",
            ),
        ] {
            let error = parse_from(&argv(args)).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ValueValidation, "{args:?}");
            assert_eq!(error.to_string(), format!("error: {message}\n"), "{args:?}");
        }
    }
}
