//! Standard output for the commands: buffered, and able to tell a reader that went away (`awork-sim
//! events | head -3`) from a real write failure.
//!
//! A broken pipe on stdout is not an error: the error it produces here is marked, so that the exit
//! mapping ([`crate::exit`]) ends the run quietly, while a broken pipe anywhere else (a socket, later)
//! stays an error. This module does not decide what the commands print.

use std::error::Error;
use std::fmt;
use std::io::{self, BufWriter, StdoutLock, Write};

/// Buffered standard output whose broken-pipe errors are marked as [`Closed`].
///
/// Commands that print as they go (a receiver printing deliveries) should flush after each record.
pub struct Stdout {
    inner: BufWriter<StdoutLock<'static>>,
}

impl Stdout {
    /// Locks standard output for the rest of the run.
    pub fn new() -> Stdout {
        Stdout {
            inner: BufWriter::new(io::stdout().lock()),
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(mark)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(mark)
    }
}

/// The reader of standard output went away.
#[derive(Debug)]
pub struct Closed;

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl Error for Closed {}

fn mark(error: io::Error) -> io::Error {
    if error.kind() == io::ErrorKind::BrokenPipe {
        io::Error::new(io::ErrorKind::BrokenPipe, Closed)
    } else {
        error
    }
}

/// Whether a write to [`Stdout`] failed only because its reader went away.
pub fn is_closed(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<Closed>())
}

/// Whether an error is, anywhere in its chain, standard output's reader going away.
pub fn is_closed_error(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(is_closed))
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn only_marked_broken_pipes_count_as_a_closed_stdout() {
        let marked = mark(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_closed(&marked));
        assert!(is_closed_error(
            &Err::<(), _>(marked).context("writing").unwrap_err()
        ));

        // A broken pipe that did not come from stdout (a socket) stays an error.
        assert!(!is_closed_error(&anyhow::Error::from(io::Error::from(
            io::ErrorKind::BrokenPipe
        ))));
        assert!(!is_closed(&mark(io::Error::from(
            io::ErrorKind::PermissionDenied
        ))));
    }
}
