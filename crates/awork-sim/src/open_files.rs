//! The limit of open files, for the commands that open many connections at once (`send
//! --concurrency`, `check --burst`): the soft limit is raised to the hard one, and a number of
//! connections that would still not fit under it is refused before anything is sent. Connecting
//! past the limit fails with "Too many open files", which would read as the receiver's failure
//! (and, for `send`, pause the webhook).

use anyhow::bail;

/// Files a command may hold open besides its connections: stdio, a log or a report, the input
/// being read and its check's, a copy of stdin, the runtimes' pollers and wakers (about ten), and
/// the sockets of handshakes tried again beside unanswered ones (the dialer has up to four
/// handshakes in flight, each on at most three sockets: twelve). Measured: `send --concurrency
/// 48` to Python's `http.server` held 55 sockets and 9 other files at its peak, so with 16 spare
/// it failed now and then with "Too many open files" under `ulimit -n 64`.
const FILES_BESIDES_CONNECTIONS: u64 = 32;

/// Raises the limit of open files to what the system allows this process, and refuses
/// `connections` that would not fit under it, with the files `command` keeps: the error names
/// `option` and the value `asked` that call for them.
pub fn make_room_for_connections(
    command: &str,
    option: &str,
    asked: u64,
    connections: u64,
) -> anyhow::Result<()> {
    // A limit that cannot be read is not in the way as far as can be told.
    let Ok(limit) = rlimit::increase_nofile_limit(u64::MAX) else {
        return Ok(());
    };
    let needed = connections + FILES_BESIDES_CONNECTIONS;
    if needed > limit {
        bail!(
            "{option} {asked}: {connections} connections and the files {command} keeps need \
             about {needed} open files, and this process may open {limit} (`ulimit -n`): lower \
             {option} or raise the limit"
        );
    }
    Ok(())
}
