//! `awork-sim`: a local mock of awork's webhook emitter, and a test harness for the services that
//! receive awork webhooks.
//!
//! This file only parses the command line, runs the subcommand and turns the result into an exit
//! status. Each subcommand is one module under [`commands`]; the command-line contract (exit statuses
//! 0, 1 and 2, one-line errors) is in `DESIGN.md`.

mod auth;
mod cli;
mod commands;
mod event_label;
mod exit;
mod generated;
mod input;
mod open_files;
mod output;
mod policy;
mod report_file;
mod signals;

use std::io::Write;
use std::process::ExitCode;

use crate::exit::Status;

/// mimalloc rather than the system allocator: generating an event allocates and frees dozens of
/// small strings and boxes, and glibc's malloc spent about a fifth of generation's instructions on
/// them. With mimalloc, `awork-sim generate --count 300000` takes 1.4 s instead of 1.7 s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match cli::parse() {
        Ok(args) => args,
        Err(error) => {
            // Help and version go to stdout, usage errors to stderr; a failed write has nowhere to go.
            let _ = error.print();
            return Status::from_clap(&error).code();
        }
    };
    let mut out = output::Stdout::new();
    let result = commands::run(args.command, &mut out).and_then(|outcome| match out.flush() {
        // The reader left before the end of the output; what the command found still stands.
        Err(error) if !output::is_closed(&error) => Err(error.into()),
        Ok(()) | Err(_) => Ok(outcome),
    });
    let status = match result {
        Ok(outcome) => Status::from(outcome),
        Err(error) => {
            let status = Status::from_error(&error);
            if status.reports_error() {
                // `{:#}` writes the context chain on one line: `FILE: cannot read: …`.
                let _ = writeln!(std::io::stderr(), "error: {error:#}");
            }
            status
        }
    };
    status.code()
}
