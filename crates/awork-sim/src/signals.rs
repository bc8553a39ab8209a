//! SIGINT and SIGTERM for the commands that run long (`send`, `check`, `listen`): the first asks
//! the command to stop, the second ends the process at once.
//!
//! The handlers run on a thread of their own, with a runtime of their own, so a second signal ends
//! the process even while the command's thread is busy or blocked writing. The first signal is only
//! noted: the command decides what stopping means (for `send`, the attempts in flight finish and
//! the summary counts the rest as pending). Either way the exit status is 128 plus the signal's
//! number, as a shell reports a process ended by it: 130 for SIGINT, 143 for SIGTERM.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, mpsc};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

/// A signal that asks the process to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT, as Ctrl-C sends.
    Interrupt,
    /// SIGTERM, as `kill`, systemd or a CI runner's timeout sends.
    Terminate,
}

impl Signal {
    /// `SIGINT` or `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 plus the signal's number: 130 or 143.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// The first stop signal, once it came. Cloning shares it.
#[derive(Debug, Clone)]
pub struct Signals {
    first: watch::Receiver<Option<Signal>>,
    /// Whether the command is still preparing (see [`Signals::while_preparing`]).
    preparing: Arc<AtomicBool>,
}

impl Signals {
    /// Installs the handlers of SIGINT and SIGTERM: from now on the first is noted (and said on
    /// stderr) and the second exits the process with its status.
    pub fn install() -> io::Result<Signals> {
        let (noted, first) = watch::channel(None);
        let preparing = Arc::new(AtomicBool::new(false));
        let still_preparing = Arc::clone(&preparing);
        let (ready, installed) = mpsc::channel();
        std::thread::Builder::new()
            .name("signals".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let (mut interrupt, mut terminate) = match (
                        signal(SignalKind::interrupt()),
                        signal(SignalKind::terminate()),
                    ) {
                        (Ok(interrupt), Ok(terminate)) => (interrupt, terminate),
                        (Err(error), _) | (_, Err(error)) => {
                            let _ = ready.send(Err(error));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    let mut seen = false;
                    loop {
                        let received = tokio::select! {
                            _ = interrupt.recv() => Signal::Interrupt,
                            _ = terminate.recv() => Signal::Terminate,
                        };
                        if seen {
                            std::process::exit(i32::from(received.exit_code()));
                        }
                        if still_preparing.load(AtomicOrdering::SeqCst) {
                            let _ = writeln!(
                                io::stderr(),
                                "{}: stopped before anything was sent",
                                received.name()
                            );
                            std::process::exit(i32::from(received.exit_code()));
                        }
                        seen = true;
                        let _ = writeln!(
                            io::stderr(),
                            "{}: stopping (a second signal exits at once)",
                            received.name()
                        );
                        noted.send_replace(Some(received));
                    }
                });
            })?;
        installed
            .recv()
            .map_err(|_| io::Error::other("the signal handler thread ended"))??;
        Ok(Signals { first, preparing })
    }

    /// Runs `prepare` (reading the options, checking the input) so that a first signal during it
    /// ends the process at once with its status, saying so: nothing has been sent yet, and a check
    /// waiting on an input that is still coming (`producer | awork-sim send -`) must not hold the
    /// process until the producer ends.
    pub fn while_preparing<T>(&self, prepare: impl FnOnce() -> T) -> T {
        self.preparing.store(true, AtomicOrdering::SeqCst);
        let prepared = prepare();
        self.preparing.store(false, AtomicOrdering::SeqCst);
        prepared
    }

    /// The first signal, if it came.
    pub fn received(&self) -> Option<Signal> {
        *self.first.borrow()
    }

    /// Waits for the first signal (returns at once if it came already).
    pub async fn first(&self) -> Signal {
        let mut first = self.first.clone();
        // `wait_for` returns only once the value is `Some`; the guard is let go before any wait.
        let received = first
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|signal| *signal);
        match received {
            Some(signal) => signal,
            // The handler thread never ends while the process runs; if it did, no signal comes.
            None => std::future::pending().await,
        }
    }
}
