//! End-to-end tests of the `awork-sim` binary: each runs the built program with arguments and stdin,
//! and checks its exit status, stdout and stderr.

mod cli_events;
mod cli_general;
mod cli_validate;
mod support;
mod tidy;
