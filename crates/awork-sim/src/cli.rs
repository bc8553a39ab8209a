//! The command line as clap parses it: the program's flags and the list of subcommands.
//!
//! Each subcommand's own arguments live in its module under [`crate::commands`], next to the code that
//! resolves them into the configuration it runs with; this module only names the subcommands.

use clap::{Parser, Subcommand};

use crate::commands::{check, demo, events, generate, listen, schema, send, serve, validate};

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
    /// Inputs are read as streams. A part that is not JSON (a torn line of a capture) is a problem
    /// of its line, and checking goes on. Exits 0 when every event is valid, 1 when any is invalid
    /// or not JSON, and 2 when an input cannot be read (then nothing is checked).
    Validate(validate::Args),
    /// Generate realistic events: NDJSON on stdout, or one pretty JSON file per event.
    ///
    /// The same options give the same bytes; `--awkward` bends them into the legal but awkward
    /// shapes a parser must survive. Exits 2 on an unknown event name.
    Generate(generate::Args),
    /// Deliver events to a webhook URL with awork's semantics: retries, timeout, pause.
    ///
    /// Events come from the files given (sent byte for byte; a file of one JSON document is sent
    /// whole) or are generated. Everything is checked before anything is sent: input that is not
    /// JSON, holds no event, or is not awork events (without `--raw`) is refused. SIGINT or SIGTERM
    /// stops the run with its summary, the unsent events pending, and exits 130 or 143. Exits 0 when every event was delivered, 1 when any failed or is
    /// pending, 2 on bad usage or input.
    Send(send::Args),
    /// Run a development receiver: validate and print each delivery, record it, misbehave on request.
    ///
    /// Runs until Ctrl-C, then prints a tally.
    Listen(listen::Args),
    /// Show awork's delivery semantics in one process: events, retries, a pause and the resume.
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
}
