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
/// A write that fails fails once: the error goes to the command, which says it or stops, and what
/// is written after it is dropped, so that the same failure is not said again when the run ends.
/// Commands that print as they go (a receiver printing deliveries) should flush after each record.
pub struct Stdout<W: Write = StdoutLock<'static>> {
    inner: BufWriter<W>,
    failed: bool,
}

impl Stdout {
    /// Locks standard output for the rest of the run.
    pub fn new() -> Stdout {
        Stdout::over(io::stdout().lock())
    }
}

impl<W: Write> Stdout<W> {
    fn over(inner: W) -> Stdout<W> {
        Stdout {
            inner: BufWriter::new(inner),
            failed: false,
        }
    }

    /// An error of the inner writer, marked; any but an interrupted write (which `write_all`
    /// tries again) fails the output for good.
    fn failing(&mut self, error: io::Error) -> io::Error {
        self.failed = error.kind() != io::ErrorKind::Interrupted;
        mark(error)
    }
}

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Ok(buf.len());
        }
        self.inner.write(buf).map_err(|error| self.failing(error))
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failed {
            return Ok(());
        }
        self.inner.flush().map_err(|error| self.failing(error))
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

/// Standard output could not be written, for any reason but its reader leaving: a full disk, say.
#[derive(Debug)]
pub struct Unwritable(io::Error);

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write to standard output: {}", self.0)
    }
}

// No `source`: the message already holds the error, and `{:#}` would say it twice.
impl Error for Unwritable {}

/// Marks a broken pipe as [`Closed`], and any other error as [`Unwritable`] (but an interrupted
/// write, which is tried again).
fn mark(error: io::Error) -> io::Error {
    if error.kind() == io::ErrorKind::BrokenPipe {
        io::Error::new(io::ErrorKind::BrokenPipe, Closed)
    } else if error.kind() == io::ErrorKind::Interrupted {
        error
    } else {
        io::Error::new(error.kind(), Unwritable(error))
    }
}

/// Whether a write to [`Stdout`] failed only because its reader went away.
pub fn is_closed(error: &io::Error) -> bool {
    marked::<Closed>(error)
}

/// Whether an error is, anywhere in its chain, standard output's reader going away.
pub fn is_closed_error(error: &anyhow::Error) -> bool {
    chain_marked::<Closed>(error)
}

/// Whether an error is, anywhere in its chain, standard output failing to take what was written
/// ([`Unwritable`]).
pub fn is_unwritable_error(error: &anyhow::Error) -> bool {
    chain_marked::<Unwritable>(error)
}

/// Whether [`mark`] marked `error` as `M`.
fn marked<M: Error + 'static>(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<M>())
}

/// Whether an error of `error`'s chain was marked as `M`.
fn chain_marked<M: Error + 'static>(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(marked::<M>))
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

    /// Standard output on a full disk.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::StorageFull))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Standard output whose first write is interrupted by a signal.
    struct InterruptedOnce(Vec<u8>, bool);

    impl Write for InterruptedOnce {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if std::mem::replace(&mut self.1, false) {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_interrupted_write_is_tried_again_not_failed() {
        let mut out = Stdout::over(InterruptedOnce(Vec::new(), true));
        out.write_all(&[b'x'; 10_000]).unwrap();
        writeln!(out, "end").unwrap();
        out.flush().unwrap();
        let written = &out.inner.get_ref().0;
        assert_eq!(written.len(), 10_004);
        assert!(written.ends_with(b"xend\n"));
    }

    #[test]
    fn a_write_that_fails_says_where_and_fails_once() {
        let mut out = Stdout::over(Full);
        writeln!(out, "held in the buffer").unwrap();
        let error = out.flush().unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot write to standard output: no storage space"
        );
        assert!(!is_closed(&error));
        // Said once: what comes after is dropped, and the flush at the end of the run succeeds.
        writeln!(out, "after the failure").unwrap();
        out.flush().unwrap();
    }
}
