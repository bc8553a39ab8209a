//! How a run ends: every way it can end, and the one mapping from those to exit statuses.
//!
//! The statuses are the command-line contract of `DESIGN.md`: 0 the job succeeded, 1 it ran and found
//! failures, 2 bad usage or bad input; and, as for any Unix tool, 130 or 143 when SIGINT or SIGTERM
//! stopped it. This module decides nothing else; the commands decide what
//! counts as a failure.

use std::process::ExitCode;

use crate::commands::Outcome;
use crate::output;
use crate::signals::Signal;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The job succeeded (or help or the version was asked for).
    Success,
    /// The job ran and found failures: an invalid event, an event not delivered, a failed case.
    Failures,
    /// The reader of standard output went away; like ripgrep, we stop quietly, as the reader has all
    /// it wanted.
    StdoutClosed,
    /// The job ran, but standard output could not take its results (a full disk): said on stderr,
    /// and a failure, not bad input.
    StdoutUnwritable,
    /// Bad usage or bad input: a file that cannot be read or is not JSON, a bad option value.
    BadInput,
    /// SIGINT or SIGTERM stopped the run: 128 plus the signal's number, as a shell reports it.
    Stopped(Signal),
}

impl Status {
    /// The exit status of the process.
    pub fn code(self) -> ExitCode {
        match self {
            Status::Success | Status::StdoutClosed => ExitCode::SUCCESS,
            Status::Failures | Status::StdoutUnwritable => ExitCode::from(1),
            Status::BadInput => ExitCode::from(2),
            Status::Stopped(signal) => ExitCode::from(signal.exit_code()),
        }
    }

    /// How a command-line parse error ends the run: `--help` and `--version` succeed, everything else
    /// is bad usage.
    pub fn from_clap(error: &clap::Error) -> Status {
        if error.use_stderr() {
            Status::BadInput
        } else {
            Status::Success
        }
    }

    /// How an error ends the run. Errors are bad input unless they are standard output's: its
    /// reader leaving, or its disk full.
    pub fn from_error(error: &anyhow::Error) -> Status {
        if output::is_closed_error(error) {
            Status::StdoutClosed
        } else if output::is_unwritable_error(error) {
            Status::StdoutUnwritable
        } else {
            Status::BadInput
        }
    }

    /// Whether the run ended on an error the user should read on stderr.
    pub fn reports_error(self) -> bool {
        match self {
            Status::BadInput | Status::StdoutUnwritable => true,
            Status::Success | Status::Failures | Status::StdoutClosed | Status::Stopped(_) => false,
        }
    }
}

impl From<Outcome> for Status {
    fn from(outcome: Outcome) -> Status {
        match outcome {
            Outcome::Success => Status::Success,
            Outcome::Failures => Status::Failures,
            Outcome::Stopped(signal) => Status::Stopped(signal),
        }
    }
}
