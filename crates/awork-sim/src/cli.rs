//! The command line as clap parses it: the program's flags and the list of subcommands.
//!
//! Each subcommand's own arguments live in its module under [`crate::commands`], next to the code that
//! resolves them into the configuration it runs with; this module only names the subcommands.

use clap::{Parser, Subcommand};

use crate::commands::{events, validate};

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
    /// List the 30 event types of the spec with their entity types.
    Events(events::Args),
    /// Check events (JSON or NDJSON, from files or stdin) and report every problem.
    ///
    /// Exits 0 when every event is valid, 1 when any is invalid, and 2 when an input cannot be read or
    /// is not JSON (then nothing is checked).
    Validate(validate::Args),
}
