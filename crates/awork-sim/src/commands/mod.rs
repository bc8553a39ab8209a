//! The subcommands, one module each, and the dispatch from the parsed command line to them.
//!
//! Each module holds its clap `Args`, the `Config` they resolve into, and `run(&Config, out)`, which
//! writes its results to `out` and returns an [`Outcome`] or an error. No command decides exit
//! statuses: [`crate::exit`] does.

pub mod check;
pub mod demo;
pub mod env;
pub mod events;
pub mod generate;
pub mod listen;
pub mod schema;
pub mod send;
pub mod serve;
pub mod validate;

use std::io::{self, Write};

use anyhow::Context;

use crate::cli::Command;
use crate::output;
use crate::signals::{Signal, Signals};

/// What a command that ran to its end found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The job succeeded.
    Success,
    /// The job ran and found failures (an invalid event, an undelivered one, a failed case).
    Failures,
    /// A signal stopped the job before its end; what it did is reported.
    Stopped(Signal),
}

impl Outcome {
    /// This outcome with a failure found after the job ran (a report or a log that could not be
    /// written): a failure, unless a signal stopped the job.
    fn with_failure(self) -> Outcome {
        match self {
            Outcome::Stopped(signal) => Outcome::Stopped(signal),
            Outcome::Success | Outcome::Failures => Outcome::Failures,
        }
    }

    /// The outcome of a job that ran, once `write` has written its report: this one, also when
    /// the reader of stdout went away meanwhile (it had what it wanted, and the job's result
    /// stands: `send … | head -1` exits 1 when events failed). Any other failure to write is said
    /// in one line on stderr and fails the run: exit 1, not 2, which says that nothing was sent.
    pub fn reported(self, write: impl FnOnce() -> anyhow::Result<()>) -> Outcome {
        match write() {
            Ok(()) => self,
            Err(error) if output::is_closed_error(&error) => self,
            Err(error) => {
                let _ = writeln!(io::stderr(), "error: {error:#}");
                self.with_failure()
            }
        }
    }
}

/// Resolves the arguments of `command` and runs it, writing its results to `out`.
pub fn run(command: Command, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    match command {
        Command::Events(args) => events::run(&args.resolve(), out),
        Command::Validate(args) => validate::run(&args.resolve(), out),
        Command::Generate(args) => generate::run(&args.resolve()?, out),
        // The signals are handled from before the input is checked: one that comes during the
        // check ends the process at once, saying nothing was sent (one could be lost, a
        // script's background job ignoring SIGINT, and all events sent after it).
        Command::Send(args) => {
            let signals = Signals::install().context("cannot handle SIGINT and SIGTERM")?;
            let config = signals.while_preparing(|| args.resolve())?;
            send::run(&config, &signals, out)
        }
        Command::Listen(args) => listen::run(&args.resolve()?, out),
        Command::Demo(args) => demo::run(&args.resolve(), out),
        Command::Check(args) => {
            let signals = Signals::install().context("cannot handle SIGINT and SIGTERM")?;
            let config = signals.while_preparing(|| args.resolve())?;
            check::run(config, &signals, out)
        }
        Command::Schema(args) => schema::run(&args, out),
        Command::Serve(args) => {
            let (config, addr) = args.resolve()?;
            serve::run(config, addr, out)
        }
        Command::Env(args) => env::run(&args, out),
    }
}
