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

use std::io::Write;

use crate::cli::Command;
use crate::signals::Signal;

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

/// Resolves the arguments of `command` and runs it, writing its results to `out`.
pub fn run(command: Command, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    match command {
        Command::Events(args) => events::run(&args.resolve(), out),
        Command::Validate(args) => validate::run(&args.resolve(), out),
        Command::Generate(args) => generate::run(&args.resolve()?, out),
        Command::Send(args) => send::run(&args.resolve()?, out),
        Command::Listen(args) => listen::run(&args.resolve()?, out),
        Command::Demo(args) => demo::run(&args.resolve(), out),
        Command::Check(args) => check::run(args.resolve()?, out),
        Command::Schema(args) => schema::run(&args, out),
        Command::Serve(args) => {
            let (config, addr) = args.resolve()?;
            serve::run(config, addr, out)
        }
        Command::Env(args) => env::run(&args, out),
    }
}
