//! The durable state of the workspace, in one SQLite file (`workspace.sqlite3` in the data
//! folder): the webhooks, the outbox of undelivered events with their attempt counts and due
//! times, the delivery logs, and how far each story stream has gone.
//!
//! Every change is one transaction, and the database runs in WAL mode, so a `kill -9` loses
//! nothing that was answered or recorded: an attempt whose outcome was not yet recorded is still
//! in the outbox and is made again after a restart (awork delivers at least once). An event body
//! is stored once however many webhooks it goes to (`events`), and is removed once no outbox row
//! and no log names it. A delivered row stays, marked settled, until a batch removes the settled
//! rows together (see `settled_seq!`). Logs are capped per webhook: the oldest go. A new log
//! waits in `fresh_logs`, in write order, until a batch of them is filed into `logs` (see
//! `FRESH_LOGS`); every read of the logs files them first.
//!
//! This module knows rows and SQL only; what the rows mean is decided in [`crate::api`] and
//! [`crate::delivery`].

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};

/// A store error: SQLite's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (another `serve` on the same `--data`) holds the database.
    #[error("{0}: the workspace database is in use by another awork-sim serve")]
    InUse(String),
    /// The database file could not be made readable by its owner only.
    #[error("{0}: cannot make it readable by its owner only: {1}")]
    Protect(String, std::io::Error),
    /// Any other SQLite error.
    #[error("the workspace database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The result of a store operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Why [`Store::seed`] gave no seed.
#[derive(Debug)]
pub enum SeedError {
    /// The workspace was made with this other seed.
    Other(u64),
    /// The database failed.
    Store(StoreError),
}

impl From<StoreError> for SeedError {
    fn from(failure: StoreError) -> Self {
        SeedError::Store(failure)
    }
}

/// The columns of a log, as `logs` holds them and `fresh_logs`, where a new log waits to be filed
/// into `logs` (see [`FRESH_LOGS`]).
macro_rules! log_columns {
    () => {
        "
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    label TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    message TEXT,
    response_code INTEGER,
    reason TEXT,
    is_successful INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    created_on TEXT NOT NULL,
    event_id INTEGER"
    };
}

/// The names of `log_columns!`, in order.
macro_rules! log_column_names {
    () => {
        "webhook_id, seq, label, attempt, message, response_code, reason, is_successful, \
         latency_ms, created_on, event_id"
    };
}

const SCHEMA: &str = concat!(
    "
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    uri TEXT NOT NULL,
    language TEXT,
    events TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    only_main INTEGER,
    auth_type TEXT NOT NULL,
    auth_name TEXT,
    auth_value TEXT,
    last_failure_reason TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    log_seq INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    overflowing INTEGER NOT NULL DEFAULT 0,
    created_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_on TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES events(id),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_webhook ON outbox(webhook_id, seq);
CREATE INDEX IF NOT EXISTS outbox_by_event ON outbox(event_id);
CREATE TABLE IF NOT EXISTS logs (",
    log_columns!(),
    ",
    PRIMARY KEY (webhook_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fresh_logs (",
    log_columns!(),
    "
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    step TEXT NOT NULL,
    at_ms INTEGER,
    at_ns INTEGER
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"
);

/// Columns added to tables after their first release, by table, added to older databases when
/// opened.
const ADDED_COLUMNS: [(&str, &str); 8] = [
    ("webhooks", "pending INTEGER NOT NULL DEFAULT 0"),
    ("webhooks", "settled_seq INTEGER NOT NULL DEFAULT 0"),
    ("webhooks", "overflowing INTEGER NOT NULL DEFAULT 0"),
    ("webhooks", "paused_on TEXT"),
    ("journal", "at_ms INTEGER"),
    // The time to the nanosecond: a write's `createdOn` and `resourceVersion` are in 100 ns
    // ticks, and a restart must tell them as they were told (a step before it has `at_ms`).
    ("journal", "at_ns INTEGER"),
    ("logs", "event_id INTEGER"),
    // How many times the webhook was enabled after a pause: an attempt that started before the
    // last enabling does not count toward the pause (see `record_attempt`).
    ("webhooks", "enabled_count INTEGER NOT NULL DEFAULT 0"),
];

/// The time SQLite's clock gives, as awork writes `createdOn` (`2026-01-01T14:02:10.123Z`).
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// A webhook as stored. Its `Debug` hides the auth value.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookRow {
    /// Its id (a UUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The URI events are POSTed to.
    pub uri: String,
    /// The language, as given.
    pub language: Option<String>,
    /// The subscribed event names, comma-separated without spaces.
    pub events: String,
    /// Whether deliveries are attempted.
    pub is_active: bool,
    /// `onlyTriggerForMainEntityChanges`, as given.
    pub only_main: Option<bool>,
    /// `none` or `header`.
    pub auth_type: String,
    /// The auth header's name, for `header`.
    pub auth_name: Option<String>,
    /// The auth header's value, for `header` (a secret: never shown back).
    pub auth_value: Option<String>,
    /// Why the webhook was last paused.
    pub last_failure_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: u32,
    /// Events delivered.
    pub delivered: u64,
    /// Events that used all their retries.
    pub failed: u64,
    /// Events dropped: they happened while the webhook was paused (`--while-paused drop`), or its
    /// outbox was full (`--outbox-cap`).
    pub dropped: u64,
    /// When it was created.
    pub created_on: String,
    /// Who created it.
    pub created_by: String,
    /// When it was last changed.
    pub updated_on: String,
    /// Who last changed it.
    pub updated_by: String,
    /// How many times it was enabled after a pause: an attempt carries the count from its start in
    /// its [`Attempted`], so that a record from before an enabling changes nothing.
    pub enabled_count: i64,
}

impl std::fmt::Debug for WebhookRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("uri", &self.uri)
            .field("events", &self.events)
            .field("is_active", &self.is_active)
            .field("auth_name", &self.auth_name)
            .field("auth_value", &self.auth_value.as_ref().map(|_| "***"))
            .field("last_failure_reason", &self.last_failure_reason)
            .field("consecutive_failures", &self.consecutive_failures)
            .finish_non_exhaustive()
    }
}

impl WebhookRow {
    /// Whether it subscribes to the event named `name`.
    pub fn subscribes(&self, name: &str) -> bool {
        self.events.split(',').any(|event| event == name)
    }

    fn read(row: &Row<'_>) -> rusqlite::Result<WebhookRow> {
        Ok(WebhookRow {
            id: row.get(0)?,
            name: row.get(1)?,
            uri: row.get(2)?,
            language: row.get(3)?,
            events: row.get(4)?,
            is_active: row.get(5)?,
            only_main: row.get(6)?,
            auth_type: row.get(7)?,
            auth_name: row.get(8)?,
            auth_value: row.get(9)?,
            last_failure_reason: row.get(10)?,
            consecutive_failures: row.get(11)?,
            delivered: row.get(12)?,
            failed: row.get(13)?,
            dropped: row.get(14)?,
            created_on: row.get(15)?,
            created_by: row.get(16)?,
            updated_on: row.get(17)?,
            updated_by: row.get(18)?,
            enabled_count: row.get(19)?,
        })
    }
}

const WEBHOOK_COLUMNS: &str = "id, name, uri, language, events, is_active, only_main, auth_type, \
    auth_name, auth_value, last_failure_reason, consecutive_failures, delivered, failed, dropped, \
    created_on, created_by, updated_on, updated_by, enabled_count";

/// One attempt, as stored and shown as a `WebhookLog`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    /// The webhook's id.
    pub webhook_id: String,
    /// The event's label (its type and trace id).
    pub label: String,
    /// The attempt number for the event, from 1.
    pub attempt: u32,
    /// The body sent.
    pub message: Option<String>,
    /// The status the receiver answered, if it answered.
    pub response_code: Option<u16>,
    /// Why the attempt failed, if it did.
    pub reason: Option<String>,
    /// Whether the attempt delivered the event.
    pub is_successful: bool,
    /// How long it took, in milliseconds.
    pub latency_ms: f64,
    /// When it started.
    pub created_on: String,
}

/// The next event a webhook has to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Its place in the outbox (the order of delivery).
    pub seq: i64,
    /// The event's label.
    pub label: String,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it is due, in milliseconds since the Unix epoch.
    pub due_ms: i64,
}

/// What became of an event after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Delivered: it leaves the outbox.
    Delivered,
    /// Every retry failed: it leaves the outbox.
    Failed,
    /// It stays, due again at this time (ms since the epoch); for a paused webhook, when it resumes.
    Again(i64),
}

/// The database.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    log_cap: u32,
    outbox_cap: u64,
    /// Events an attempt settled (delivered or failed for good), or whose log was removed past
    /// the cap, since they were last looked at: each is forgotten, when the fresh logs are filed
    /// (see [`FRESH_LOGS`]), if no outbox row holds it and no log names it any more.
    settled_events: Vec<i64>,
    /// The webhooks whose settled outbox rows have not left the outbox yet (see `settled_seq!`).
    settling_webhooks: HashSet<String>,
    /// Each webhook's attempts per minute over the last hour, counted once and kept up to date
    /// (see [`Chart`] and [`Store::health`]).
    charts: HashMap<String, Chart>,
    /// Writes the WAL's new frames to disk ahead of the checkpoints (see [`WalFlusher`]).
    wal_flusher: WalFlusher,
}

/// A thread that writes what the WAL gained to disk soon after each batch of deliveries or
/// events is committed, so that a checkpoint's sync finds little left to write.
///
/// With `synchronous=NORMAL`, SQLite syncs only at a checkpoint (every 8,192 WAL pages), on the
/// thread that commits: the sync of 32 MB of WAL then waited 20–29 ms for the disk, and the
/// database's 2.5–17 ms, with every delivery stopped (`strace -T`): 0.22 s of a run of 20,000
/// events to one webhook. The thread syncs its own handle on the WAL file at most every
/// [`WalFlusher::INTERVAL`] while commits come, and sleeps without waking when none do; in the
/// same run the checkpoints' syncs took 0.07 s in all (the one during the `POST`'s own large
/// transaction the longest, 20 ms). Durability is SQLite's as before (its own syncs are
/// unchanged); the disk sees more, smaller writes. Measured (serve, one `POST /sim/events`,
/// interleaved rounds, medians): one webhook and 20,000 events 10,291 -> 10,770 deliveries/s
/// (five rounds); ten webhooks and 5,000 events unchanged (27,842 against 27,487, four).
#[derive(Debug)]
struct WalFlusher {
    /// Wakes the thread: a slot of one, so a poke while one waits costs nothing. Dropping it
    /// (with the store) ends the thread.
    wake: std::sync::mpsc::SyncSender<()>,
}

impl WalFlusher {
    /// The least time between two syncs.
    const INTERVAL: Duration = Duration::from_millis(10);

    /// Starts the thread for the WAL of the database at `database`: SQLite's `<database>-wal`,
    /// opened at the first sync (SQLite creates it at the first write). Should no thread start,
    /// pokes go nowhere and the checkpoints sync all of it, as without one.
    fn start(database: &Path) -> WalFlusher {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        let wal = std::path::PathBuf::from(wal);
        let (wake, woken) = std::sync::mpsc::sync_channel(1);
        let _thread = std::thread::Builder::new()
            .name("wal-flusher".to_owned())
            .spawn(move || {
                let mut file = None;
                while woken.recv().is_ok() {
                    if file.is_none() {
                        file = std::fs::File::open(&wal).ok();
                    }
                    // Best effort: SQLite's own syncs keep the guarantees.
                    if let Some(file) = &file {
                        let _ = file.sync_data();
                    }
                    std::thread::sleep(Self::INTERVAL);
                }
            });
        WalFlusher { wake }
    }

    /// Says that the WAL grew.
    fn poke(&self) {
        let _ = self.wake.try_send(());
    }
}

/// A webhook's attempts per minute over the last hour ([`Health::last_hour`]), from the minute
/// starting at `from` (seconds since the epoch). Counted from the logs once (at the first look
/// after a start), then kept up to date with each attempt recorded and moved along with the
/// clock: the logs are capped at `--log-cap`, so counting them again would lose the attempts of
/// a busy minute past the cap (2,500 in a minute read as 1,000 ten seconds later).
#[derive(Debug)]
struct Chart {
    from: i64,
    last_hour: [(u32, u32); 60],
}

impl Chart {
    /// Moves the hour on to start at `from` (not earlier than it starts now), the minutes
    /// before it dropped and those after the old hour empty; false when `from` is earlier.
    fn move_to(&mut self, from: i64) -> bool {
        let Ok(minutes) = usize::try_from((from - self.from).div_euclid(60)) else {
            return false;
        };
        if minutes >= self.last_hour.len() {
            self.last_hour = [(0, 0); 60];
        } else {
            self.last_hour.rotate_left(minutes);
            let kept = self.last_hour.len() - minutes;
            self.last_hour[kept..].fill((0, 0));
        }
        self.from += i64::try_from(minutes).unwrap_or(0) * 60;
        true
    }
}

/// How many logs wait in `fresh_logs` before [`Store::record_attempts`] files them into `logs`.
///
/// `logs` is ordered by webhook, so a commit of ten webhooks' attempts wrote ten of its pages
/// (and pages of its index by event) to add ten rows: 18 of the 29 pages such a commit wrote.
/// A new log goes to `fresh_logs` instead, a table in the order logs are written and without an
/// index, where a commit's logs share a page; they are filed into `logs` together, which then
/// writes each webhook's page once per batch, in the same transaction as the logs of the
/// attempts that fill the batch. Filing also removes the logs past the cap, the settled rows
/// of the outbox (see `settled_seq!`), and the events nothing holds or names any more: one
/// delete per delivery rewrote a page of event bodies per commit. Every read of the logs files
/// them first, so reads see one table; a stop leaves them for the next start, which files them.
/// Measured (serve, one `POST /sim/events` of 20,000 events, two interleaved rounds): one webhook
/// 6,555–6,637 → 7,617–7,683 deliveries/s, ten 14,188–14,300 → 17,005–17,537 (256 at a time:
/// 15,479–15,883; 4,096: 16,625–17,109).
const FRESH_LOGS: i64 = 1024;

/// The logs of the webhook `?1` that reads show: its `?2` (the cap) newest, each with its number
/// first, then the columns [`read_log`] reads, the body from the event a log names unless the log
/// holds its own; `$rest` narrows and orders them.
macro_rules! shown_logs {
    ($rest:literal) => {
        concat!(
            "SELECT seq, webhook_id, logs.label, attempt, \
             COALESCE(message, CAST(events.body AS TEXT)), response_code, reason, \
             is_successful, latency_ms, created_on FROM logs \
             LEFT JOIN events ON events.id = logs.event_id WHERE webhook_id = ?1 \
             AND seq > (SELECT log_seq FROM webhooks WHERE id = ?1) - ?2 ",
            $rest
        )
    };
}

/// Where the settled rows of a webhook's outbox end (given the webhook's id: `?1` where it is
/// bound, so that the outbox's index finds the first unsettled row at once): a row whose `seq` is
/// greater is still to be delivered.
///
/// A webhook delivers its outbox in order, so the rows an attempt settles (delivered, or failed
/// for good) are always the first of its outbox: rather than delete each row in its attempt's
/// commit (which rewrote a page of the outbox and one of each of its indexes per delivery, about
/// half of a commit's pages), the commit moves the webhook's `settled_seq` past it, in the
/// webhook's row that it updates anyway. The settled rows leave the outbox together, in the
/// commit that files the fresh logs ([`FRESH_LOGS`]), and at the next start; until then every
/// read of the outbox skips them.
macro_rules! settled_seq {
    ($webhook:literal) => {
        concat!(
            "(SELECT settled_seq FROM webhooks WHERE webhooks.id = ",
            $webhook,
            ")"
        )
    };
}

/// The condition on a row of `events` that nothing needs it any more: no outbox row holds it and
/// no log names it (a log shows its event's body). `fresh_logs` has no index by event, but it is
/// empty wherever this is asked (the fresh logs are filed first).
macro_rules! unnamed_event {
    () => {
        "NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.event_id = events.id) \
         AND NOT EXISTS (SELECT 1 FROM logs WHERE logs.event_id = events.id) \
         AND NOT EXISTS (SELECT 1 FROM fresh_logs WHERE fresh_logs.event_id = events.id)"
    };
}

impl Store {
    /// Opens (or creates) the database in `folder`, keeping at most `log_cap` logs and
    /// `outbox_cap` undelivered events per webhook, and holds it: a second process opening the same folder gets [`StoreError::InUse`] (two
    /// servers delivering one outbox would send every event twice). The lock goes with the
    /// process, `kill -9` included.
    pub fn open(folder: &Path, log_cap: u32, outbox_cap: u64) -> Result<Store> {
        let path = folder.join("workspace.sqlite3");
        // It holds the webhooks' auth values: its owner's only (SQLite gives its journal files
        // the database's permissions), whatever the folder's.
        for secret in [path.clone(), folder.join("workspace.sqlite3-wal")] {
            if secret == path || secret.exists() {
                awork_tls::make_owner_only(&secret)
                    .map_err(|error| StoreError::Protect(secret.display().to_string(), error))?;
            }
        }
        let connection = Connection::open(&path)?;
        // The database is this process's alone (below): waiting for another holder's lock would
        // only delay the error that says it is in use.
        connection.busy_timeout(Duration::ZERO)?;
        connection.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        let in_use = |error: rusqlite::Error| match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::InUse(path.display().to_string())
            }
            _ => StoreError::Sqlite(error),
        };
        // WAL with NORMAL syncing survives a crash of the process (not of the machine) with every
        // committed transaction, at a fraction of FULL's cost per delivery.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(in_use)?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        // A checkpoint (the only time NORMAL syncs) every 32 MiB of WAL rather than SQLite's 4 MiB:
        // each delivery's commit rewrites the same few pages (the webhook's row, the ends of the
        // outbox and logs), which a checkpoint then copies and syncs once instead of eight times.
        // The same guarantees: every committed transaction survives a crash of the process.
        connection.pragma_update(None, "wal_autocheckpoint", 8192)?;
        // The references the schema declares are kept by the store itself, not checked by SQLite:
        // an outbox row or a log is only written for a webhook read in the same transaction
        // (`record_attempt` finds its outbox row first, `insert_log` its webhook), an event is
        // forgotten only when nothing names it (`unnamed_event!`), and `delete_webhook` removes a
        // webhook's rows itself. SQLite's checks looked up the webhook and the event of every
        // row inserted: with them off, serve delivers 4-5 % more to ten webhooks (25,242-26,548
        // -> 26,794-27,062 deliveries/s, four interleaved rounds) and queues a batch 10 % faster.
        connection.pragma_update(None, "foreign_keys", "OFF")?;
        // Statement journals (a multi-row statement inside a transaction copies each page it
        // changes first, to undo the statement alone) stay in memory instead of spilling to a
        // temporary file past 64 KiB: filing the fresh logs wrote one.
        connection.pragma_update(None, "temp_store", "MEMORY")?;
        // Taking the write lock now keeps it for as long as the connection lives.
        connection
            .execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(in_use)?;
        connection.execute_batch(SCHEMA)?;
        for (table, column) in ADDED_COLUMNS {
            let name = column.split(' ').next().unwrap_or(column);
            let present: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
                [table, name],
                |row| row.get(0),
            )?;
            if !present {
                connection.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column}"))?;
            }
        }
        // A delivery's log names its event rather than holding a copy of its body: the event is
        // kept while a log names it (the index finds them when it may be forgotten).
        connection.execute_batch("CREATE INDEX IF NOT EXISTS logs_by_event ON logs(event_id)")?;
        // A workspace of an older version counted the story's events per stream; its main story
        // becomes the journal's first step (the streams of single event types, separate worlds
        // then, are not carried over).
        let has_streams: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'streams')",
            [],
            |row| row.get(0),
        )?;
        if has_streams {
            connection.execute(
                "INSERT INTO journal (step) SELECT json_object('step', 'story', 'count', taken) \
                 FROM streams WHERE name = 'story' AND taken > 0 \
                 AND NOT EXISTS (SELECT 1 FROM journal)",
                [],
            )?;
            connection.execute_batch("DROP TABLE streams")?;
        }
        // The settled rows the last run left in the outbox (see `settled_seq!`) go, each
        // webhook's found through the outbox's index (CROSS JOIN keeps that order: the first rows
        // of a large outbox, not all of it), then the count of pending events, kept with each
        // change, is recounted: it is right whatever an older version or a crash left.
        connection.execute_batch(
            "DELETE FROM outbox WHERE seq IN (SELECT outbox.seq FROM webhooks CROSS JOIN outbox \
             ON outbox.webhook_id = webhooks.id AND outbox.seq <= webhooks.settled_seq)",
        )?;
        connection.execute_batch(
            "UPDATE webhooks SET pending = \
             (SELECT COUNT(*) FROM outbox WHERE outbox.webhook_id = webhooks.id)",
        )?;
        // The logs the last run had not filed yet and those past the cap, then the settled events
        // it had not forgotten yet (see `FRESH_LOGS`).
        {
            let transaction = connection.unchecked_transaction()?;
            file_fresh_logs(&transaction, log_cap.max(1))?;
            transaction.commit()?;
        }
        connection.execute(
            "DELETE FROM logs WHERE seq <= \
             (SELECT log_seq FROM webhooks WHERE webhooks.id = logs.webhook_id) - ?1",
            [log_cap.max(1)],
        )?;
        connection.execute_batch(concat!("DELETE FROM events WHERE ", unnamed_event!()))?;
        Ok(Store {
            connection,
            log_cap: log_cap.max(1),
            outbox_cap: outbox_cap.max(1),
            settled_events: Vec::new(),
            settling_webhooks: HashSet::new(),
            charts: HashMap::new(),
            wal_flusher: WalFlusher::start(&path),
        })
    }

    /// A value of `N` bytes kept with the workspace (its trace-id salt, seed, first start), if
    /// set.
    fn meta<const N: usize>(&self, name: &str) -> Result<Option<[u8; N]>> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT value FROM meta WHERE name = ?1")?;
        let kept: Option<Vec<u8>> = statement.query_row([name], |row| row.get(0)).optional()?;
        // A value of another length (damaged, or by another version) is none.
        Ok(kept.and_then(|bytes| <[u8; N]>::try_from(bytes.as_slice()).ok()))
    }

    /// Whether the journal holds a step: the workspace has begun.
    fn has_begun(&self) -> Result<bool> {
        Ok(self
            .connection
            .query_row("SELECT EXISTS (SELECT 1 FROM journal)", [], |row| {
                row.get(0)
            })?)
    }

    /// Keeps a value with the workspace.
    fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        self.connection.execute(
            "INSERT INTO meta (name, value) VALUES (?1, ?2) \
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )?;
        Ok(())
    }

    /// The workspace's seed: the one kept with it; for a new workspace, `given` (1 if none),
    /// which is then kept. A workspace made by a version that did not keep its seed keeps the
    /// one given now, or without one goes on with 1 (as that version did) without keeping it,
    /// since its seed cannot be told. [`SeedError::Other`] with the kept one when `given` is
    /// another.
    pub fn seed(&self, given: Option<u64>) -> std::result::Result<u64, SeedError> {
        const NAME: &str = "seed";
        let kept = self.meta(NAME)?.map(u64::from_le_bytes);
        let begun = self.has_begun()?;
        match (kept, given) {
            (Some(kept), Some(given)) if kept != given => Err(SeedError::Other(kept)),
            (Some(kept), _) => Ok(kept),
            (None, None) if begun => Ok(1),
            (None, given) => {
                let seed = given.unwrap_or(1);
                self.set_meta(NAME, &seed.to_le_bytes())?;
                Ok(seed)
            }
        }
    }

    /// The workspace's trace-id salt: drawn when the database is created, then kept, so that
    /// the story's trace ids go on after a restart and no two workspaces share any.
    pub fn trace_salt(&self) -> Result<u128> {
        const NAME: &str = "trace_salt";
        if let Some(kept) = self.meta(NAME)? {
            return Ok(u128::from_le_bytes(kept));
        }
        let salt: u128 = rand::random();
        self.set_meta(NAME, &salt.to_le_bytes())?;
        Ok(salt)
    }

    /// Pauses a webhook, with the reason `GET /webhooks/{id}` shows as `lastFailureReason`.
    pub fn pause(&self, id: &str, reason: &str) -> Result<()> {
        self.connection.execute(
            &format!(
                "UPDATE webhooks SET is_active = 0, last_failure_reason = ?2, paused_on = {NOW} \
                 WHERE id = ?1"
            ),
            params![id, reason],
        )?;
        Ok(())
    }

    /// Makes every write fail (SQLite's `query_only`), as a full disk does, or work again.
    #[cfg(test)]
    pub(crate) fn refuse_writes(&self, refuse: bool) {
        self.connection
            .pragma_update(None, "query_only", refuse)
            .expect("query_only is set");
    }

    /// Every webhook, in the order they were created.
    pub fn webhooks(&self) -> Result<Vec<WebhookRow>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY rowid"
        ))?;
        let rows = statement.query_map([], WebhookRow::read)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One webhook.
    pub fn webhook(&self, id: &str) -> Result<Option<WebhookRow>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"
        ))?;
        Ok(statement.query_row([id], WebhookRow::read).optional()?)
    }

    /// Adds a webhook.
    pub fn insert_webhook(&self, row: &WebhookRow) -> Result<()> {
        self.connection.execute(
            &format!(
                "INSERT INTO webhooks ({WEBHOOK_COLUMNS}) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
            ),
            params![
                row.id,
                row.name,
                row.uri,
                row.language,
                row.events,
                row.is_active,
                row.only_main,
                row.auth_type,
                row.auth_name,
                row.auth_value,
                row.last_failure_reason,
                row.consecutive_failures,
                row.delivered,
                row.failed,
                row.dropped,
                row.created_on,
                row.created_by,
                row.updated_on,
                row.updated_by,
                row.enabled_count,
            ],
        )?;
        Ok(())
    }

    /// Replaces what a `PUT` may change. Enabling a paused webhook resets its failure count, and
    /// its kept events become due now, in their order.
    pub fn update_webhook(&mut self, row: &WebhookRow, now_ms: i64) -> Result<()> {
        let transaction = self.connection.transaction()?;
        let was_active: bool = transaction.query_row(
            "SELECT is_active FROM webhooks WHERE id = ?1",
            [&row.id],
            |found| found.get(0),
        )?;
        transaction.execute(
            "UPDATE webhooks SET name = ?2, uri = ?3, language = ?4, events = ?5, is_active = ?6, \
             only_main = ?7, auth_type = ?8, auth_name = ?9, auth_value = ?10, updated_on = ?11, \
             updated_by = ?12 WHERE id = ?1",
            params![
                row.id,
                row.name,
                row.uri,
                row.language,
                row.events,
                row.is_active,
                row.only_main,
                row.auth_type,
                row.auth_name,
                row.auth_value,
                row.updated_on,
                row.updated_by,
            ],
        )?;
        if !row.is_active && was_active {
            transaction.execute(
                "UPDATE webhooks SET paused_on = ?2 WHERE id = ?1",
                params![row.id, row.updated_on],
            )?;
        }
        if row.is_active && !was_active {
            transaction.execute(
                "UPDATE webhooks SET consecutive_failures = 0, paused_on = NULL, \
                 enabled_count = enabled_count + 1 WHERE id = ?1",
                [&row.id],
            )?;
            transaction.execute(
                concat!(
                    "UPDATE outbox SET due_ms = MIN(due_ms, ?2) WHERE webhook_id = ?1 AND seq > ",
                    settled_seq!("?1")
                ),
                params![row.id, now_ms],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Removes a webhook with its outbox and logs; whether it existed.
    pub fn delete_webhook(&mut self, id: &str) -> Result<bool> {
        self.charts.remove(id);
        let transaction = self.connection.transaction()?;
        // Filed first, so that its fresh logs are found with the others.
        let mut events = file_fresh_logs(&transaction, self.log_cap)?;
        {
            let mut statement = transaction.prepare_cached(
                "SELECT event_id FROM outbox WHERE webhook_id = ?1 UNION \
                 SELECT event_id FROM logs WHERE webhook_id = ?1 AND event_id IS NOT NULL",
            )?;
            for event in statement.query_map([id], |row| row.get::<_, i64>(0))? {
                events.push(event?);
            }
        }
        // Its fresh logs were filed above; the rest of its rows go with it.
        transaction.execute("DELETE FROM outbox WHERE webhook_id = ?1", [id])?;
        transaction.execute("DELETE FROM logs WHERE webhook_id = ?1", [id])?;
        let removed = transaction.execute("DELETE FROM webhooks WHERE id = ?1", [id])? > 0;
        for event in events {
            forget_event_if_done(&transaction, event)?;
        }
        transaction.commit()?;
        Ok(removed)
    }

    /// Stores events and queues them: each `(label, body)` goes to the webhooks listed with it,
    /// due at `now_ms`. `step` is the journal's step that made them, with the time it was taken
    /// at (nanoseconds since the Unix epoch). Webhooks listed as dropping count the event as dropped instead, and so do
    /// webhooks whose outbox holds `outbox_cap` events already (the first event they drop after
    /// one they queued is logged, with the reason). One transaction for the whole batch, which
    /// also appends the journal step that made them, so a crash keeps both or neither. Returns,
    /// for each event, how many webhooks queued it.
    pub fn enqueue<'a>(
        &mut self,
        batch: &[Enqueue<'a>],
        now_ms: i64,
        step: Option<(&str, i64)>,
    ) -> Result<Vec<usize>> {
        let outbox_cap = self.outbox_cap;
        let transaction = self.connection.transaction()?;
        if let Some((step, at_ns)) = step {
            transaction
                .prepare_cached("INSERT INTO journal (step, at_ns) VALUES (?1, ?2)")?
                .execute(params![step, at_ns])?;
        }
        // Each webhook's counts are read once and written once per batch, rather than read and
        // written for each event it queues.
        let mut rooms: HashMap<&str, Room> = HashMap::new();
        let mut queued = Vec::with_capacity(batch.len());
        {
            let mut event_statement =
                transaction.prepare_cached("INSERT INTO events (label, body) VALUES (?1, ?2)")?;
            let mut outbox_statement = transaction.prepare_cached(
                "INSERT INTO outbox (webhook_id, event_id, due_ms) VALUES (?1, ?2, ?3)",
            )?;
            let mut room_statement = transaction
                .prepare_cached("SELECT pending, overflowing FROM webhooks WHERE id = ?1")?;
            for item in batch {
                for webhook in item.dropping {
                    Room::of(&mut rooms, &mut room_statement, webhook)?.dropped += 1;
                }
                let mut event = None;
                let mut queued_to = 0;
                for webhook in item.to {
                    let room = Room::of(&mut rooms, &mut room_statement, webhook)?;
                    if room.pending >= outbox_cap {
                        room.dropped += 1;
                        if !room.overflowing {
                            room.overflowing = true;
                            log_overflow(&transaction, webhook, item.label, outbox_cap)?;
                        }
                        continue;
                    }
                    room.pending += 1;
                    room.overflowing = false;
                    let event = match event {
                        Some(event) => event,
                        None => {
                            event_statement.execute(params![item.label, item.body])?;
                            *event.insert(transaction.last_insert_rowid())
                        }
                    };
                    outbox_statement.execute(params![webhook, event, now_ms])?;
                    queued_to += 1;
                }
                queued.push(queued_to);
            }
            let mut room_update = transaction.prepare_cached(
                "UPDATE webhooks SET pending = ?2, overflowing = ?3, dropped = dropped + ?4 \
                 WHERE id = ?1",
            )?;
            for (webhook, room) in &rooms {
                room_update.execute(params![
                    webhook,
                    room.pending,
                    room.overflowing,
                    room.dropped
                ])?;
            }
        }
        transaction.commit()?;
        self.wal_flusher.poke();
        Ok(queued)
    }

    /// The first `limit` events of a webhook's outbox, in order, due or not.
    pub fn outbox_head(&self, webhook_id: &str, limit: u32) -> Result<Vec<OutboxRow>> {
        let mut statement = self.connection.prepare_cached(concat!(
            "SELECT outbox.seq, events.label, events.body, outbox.attempts, outbox.due_ms \
             FROM outbox JOIN events ON events.id = outbox.event_id \
             WHERE outbox.webhook_id = ?1 AND outbox.seq > ",
            settled_seq!("?1"),
            " ORDER BY outbox.seq LIMIT ?2"
        ))?;
        let rows = statement.query_map(params![webhook_id, limit], |row| {
            Ok(OutboxRow {
                seq: row.get(0)?,
                label: row.get(1)?,
                body: row.get(2)?,
                attempts: row.get(3)?,
                due_ms: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many events wait in a webhook's outbox.
    pub fn pending(&self, webhook_id: &str) -> Result<u64> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT pending FROM webhooks WHERE id = ?1")?;
        Ok(statement
            .query_row([webhook_id], |row| row.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// Records attempts in one transaction, in order: for each, the log, what became of the
    /// event, the webhook's failure count, and the pause. An attempt whose outbox row is gone
    /// (the webhook was deleted meanwhile) is not recorded.
    pub fn record_attempts(&mut self, attempts: &[Attempted]) -> Result<()> {
        self.record_and_file(attempts, false)
    }

    /// Files the fresh logs now (see [`FRESH_LOGS`]), so that a read of `logs` sees them all. A
    /// database that cannot be written (a full disk) is still read: it then shows the logs filed
    /// so far, rather than answering a read with a 500.
    fn file_fresh(&mut self) {
        let _unwritable = self.record_and_file(&[], true);
    }

    /// [`Store::record_attempts`], filing the fresh logs in the same transaction once
    /// [`FRESH_LOGS`] wait, or in any case when `file_anyway`.
    fn record_and_file(&mut self, attempts: &[Attempted], file_anyway: bool) -> Result<()> {
        let transaction = self.connection.transaction()?;
        let mut settled = std::mem::take(&mut self.settled_events);
        // What was settled before: kept if this transaction fails, to be forgotten by a later one.
        let before = settled.len();
        let mut logged = Vec::with_capacity(attempts.len());
        let settling = &mut self.settling_webhooks;
        let log_cap = self.log_cap;
        let mut record = || -> Result<bool> {
            for attempted in attempts {
                if record_attempt(&transaction, attempted, &mut settled)? {
                    logged.push(&attempted.log);
                    if matches!(attempted.settled, Settled::Delivered | Settled::Failed)
                        && !settling.contains(&attempted.log.webhook_id)
                    {
                        settling.insert(attempted.log.webhook_id.clone());
                    }
                }
            }
            // Rows are only added to `fresh_logs` and removed all together (or with their
            // webhook, after filing), so its largest rowid is at least how many it holds.
            let filing = file_anyway || {
                let fresh: Option<i64> = transaction
                    .prepare_cached("SELECT MAX(rowid) FROM fresh_logs")?
                    .query_row([], |row| row.get(0))?;
                fresh.unwrap_or(0) >= FRESH_LOGS
            };
            if filing {
                // A copy (once per filing): `settled` stays as it was should the commit fail.
                file_logs(&transaction, log_cap, &mut settled.clone(), settling)?;
            }
            Ok(filing)
        };
        let filing = match record().and_then(|filing| {
            transaction.commit()?;
            Ok(filing)
        }) {
            Ok(filing) => filing,
            Err(failure) => {
                settled.truncate(before);
                self.settled_events = settled;
                return Err(failure);
            }
        };
        self.wal_flusher.poke();
        if filing {
            settled.clear();
            self.settling_webhooks.clear();
        }
        self.settled_events = settled;
        for log in logged {
            self.chart_attempt(log);
        }
        Ok(())
    }

    /// Counts a logged attempt in its webhook's chart, if the chart is counted (the hour moved
    /// on to the attempt's minute if need be); an attempt before the hour is not in it, and one
    /// whose time cannot be read has the chart counted again when next asked for.
    fn chart_attempt(&mut self, log: &LogRow) {
        let charts = &mut self.charts;
        let Some(chart) = charts.get_mut(&log.webhook_id) else {
            return;
        };
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(&log.created_on) else {
            charts.remove(&log.webhook_id);
            return;
        };
        let mut minute = (at.timestamp() - chart.from).div_euclid(60);
        if minute >= 60 {
            chart.move_to(chart.from + (minute - 59) * 60);
            minute = 59;
        }
        match usize::try_from(minute)
            .ok()
            .and_then(|minute| chart.last_hour.get_mut(minute))
        {
            Some(_) if log.attempt == 0 => {}
            Some((delivered, failed)) => {
                if log.is_successful {
                    *delivered += 1;
                } else {
                    *failed += 1;
                }
            }
            // Before the hour shown: not in it.
            None => {}
        }
    }

    /// Records an attempt made outside the outbox and the failure count (a test event, a
    /// resend); false when the webhook was deleted while the attempt was under way (there is
    /// nothing left to log it in).
    pub fn record_test(&mut self, log: &LogRow) -> Result<bool> {
        let transaction = self.connection.transaction()?;
        if !insert_log(&transaction, log)? {
            return Ok(false);
        }
        transaction.commit()?;
        self.chart_attempt(log);
        Ok(true)
    }

    /// A page of a webhook's logs (the failed ones only, if `failed_only`), newest first, each
    /// with its number.
    pub fn logs(
        &mut self,
        webhook_id: &str,
        paged: (u64, u64),
        failed_only: bool,
    ) -> Result<Vec<(i64, LogRow)>> {
        self.logs_after(webhook_id, 0, paged, failed_only)
    }

    /// [`Store::logs`] numbered above `after` only: what a reader that has the others is missing.
    pub fn logs_after(
        &mut self,
        webhook_id: &str,
        after: i64,
        (offset, limit): (u64, u64),
        failed_only: bool,
    ) -> Result<Vec<(i64, LogRow)>> {
        self.file_fresh();
        let mut statement = self.connection.prepare_cached(shown_logs!(
            "AND (?3 = 0 OR is_successful = 0) AND seq > ?6 ORDER BY seq DESC LIMIT ?4 OFFSET ?5"
        ))?;
        // SQLite's integers are signed: a page far past the end is simply empty.
        let clamp = |number: u64| i64::try_from(number).unwrap_or(i64::MAX);
        let rows = statement.query_map(
            params![
                webhook_id,
                self.log_cap,
                failed_only,
                clamp(limit),
                clamp(offset),
                after
            ],
            |row| Ok((row.get(0)?, read_log(row, 1)?)),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One log of a webhook, by its number.
    pub fn log(&mut self, webhook_id: &str, seq: i64) -> Result<Option<LogRow>> {
        self.file_fresh();
        let mut statement = self
            .connection
            .prepare_cached(shown_logs!("AND seq = ?3"))?;
        Ok(statement
            .query_row(params![webhook_id, self.log_cap, seq], |row| {
                read_log(row, 1)
            })
            .optional()?)
    }

    /// How a webhook's delivery goes: see [`Health`]. `now_ms` is the time the last hour ends.
    pub fn health(&mut self, webhook_id: &str, now_ms: i64) -> Result<Health> {
        let paused_on: Option<String> = self
            .connection
            .prepare_cached("SELECT paused_on FROM webhooks WHERE id = ?1")?
            .query_row([webhook_id], |row| row.get(0))
            .optional()?
            .flatten();
        let next_due_ms = self
            .connection
            .prepare_cached(concat!(
                "SELECT due_ms FROM outbox WHERE webhook_id = ?1 AND seq > ",
                settled_seq!("?1"),
                " ORDER BY seq LIMIT 1"
            ))?
            .query_row([webhook_id], |row| row.get(0))
            .optional()?;
        // Minute buckets, the last one the current minute.
        let current = now_ms.div_euclid(60_000) * 60;
        let from = current - 59 * 60;
        let from_text = chrono::DateTime::from_timestamp(from, 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let kept = self
            .charts
            .get_mut(webhook_id)
            .and_then(|chart| chart.move_to(from).then_some(chart.last_hour));
        let last_hour = match kept {
            Some(counted) => counted,
            None => {
                let last_hour = self.count_last_hour(webhook_id, from, &from_text)?;
                self.charts
                    .insert(webhook_id.to_owned(), Chart { from, last_hour });
                last_hour
            }
        };
        Ok(Health {
            paused_on,
            next_due_ms,
            last_hour_from: from_text,
            last_hour,
        })
    }

    /// Counts a webhook's attempts per minute from the minute starting at `from` (seconds since
    /// the epoch; `from_text` as logs write times) on, from its logs, filed or fresh (so that a
    /// database that cannot file them, a full disk, still counts them).
    fn count_last_hour(
        &self,
        webhook_id: &str,
        from: i64,
        from_text: &str,
    ) -> Result<[(u32, u32); 60]> {
        let mut last_hour = [(0u32, 0u32); 60];
        let mut statement = self.connection.prepare_cached(
            "SELECT (CAST(strftime('%s', created_on) AS INTEGER) - ?2) / 60 AS minute, \
             SUM(is_successful), SUM(1 - is_successful) FROM ( \
             SELECT created_on, is_successful FROM logs \
             WHERE webhook_id = ?1 AND attempt > 0 AND created_on >= ?3 UNION ALL \
             SELECT created_on, is_successful FROM fresh_logs \
             WHERE webhook_id = ?1 AND attempt > 0 AND created_on >= ?3) GROUP BY minute",
        )?;
        let rows = statement.query_map(params![webhook_id, from, from_text], |row| {
            Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
        })?;
        for row in rows {
            let (minute, delivered, failed) = row?;
            if let Some(bucket) = usize::try_from(minute)
                .ok()
                .and_then(|minute| last_hour.get_mut(minute))
            {
                *bucket = (delivered, failed);
            }
        }
        Ok(last_hour)
    }

    /// Makes the first event of a webhook's outbox due at `now_ms` (if it was due later), outside
    /// the retry schedule; whether the webhook has an event waiting.
    pub fn retry_now(&self, webhook_id: &str, now_ms: i64) -> Result<bool> {
        let changed = self.connection.execute(
            concat!(
                "UPDATE outbox SET due_ms = MIN(due_ms, ?2) WHERE seq = \
                 (SELECT MIN(seq) FROM outbox WHERE webhook_id = ?1 AND seq > ",
                settled_seq!("?1"),
                ")"
            ),
            params![webhook_id, now_ms],
        )?;
        Ok(changed > 0)
    }

    /// The journal: every step that changed the world, in order, as stored, each with the wall
    /// clock's time it was taken at (nanoseconds since the Unix epoch; to the millisecond for a
    /// step an older version stored; `None` for a step of a version before the world lived now).
    pub fn journal(&self) -> Result<Vec<(String, Option<i64>)>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT step, COALESCE(at_ns, at_ms * 1000000) FROM journal ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the workspace's world began to live now: its first start (`now_ms` when the database
    /// is new), kept; `None` for a workspace whose journal an older version began, whose story
    /// began in 2025 and stays as it was told.
    pub fn first_start(&self, now_ms: i64) -> Result<Option<i64>> {
        const NAME: &str = "first_start_ms";
        if let Some(kept) = self.meta(NAME)? {
            return Ok(Some(i64::from_le_bytes(kept)));
        }
        if self.has_begun()? {
            return Ok(None);
        }
        self.set_meta(NAME, &now_ms.to_le_bytes())?;
        Ok(Some(now_ms))
    }
}

/// How a webhook's delivery goes, for `/sim/status` and the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// When it was paused, if it is (by failures, or by a `PUT` with `isActive: false`).
    pub paused_on: Option<String>,
    /// When the first event of its outbox is due (ms since the epoch), if it has one.
    pub next_due_ms: Option<i64>,
    /// When the first minute of `last_hour` starts.
    pub last_hour_from: String,
    /// Attempts per minute over the last hour, oldest first: `(delivered, failed)`.
    pub last_hour: [(u32, u32); 60],
}

fn read_log(row: &Row<'_>, first: usize) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        webhook_id: row.get(first)?,
        label: row.get(first + 1)?,
        attempt: row.get(first + 2)?,
        message: row.get(first + 3)?,
        response_code: row.get(first + 4)?,
        reason: row.get(first + 5)?,
        is_successful: row.get(first + 6)?,
        latency_ms: row.get(first + 7)?,
        created_on: row.get(first + 8)?,
    })
}

/// One attempt for [`Store::record_attempts`].
#[derive(Debug, Clone, PartialEq)]
pub struct Attempted {
    /// The outbox row attempted.
    pub seq: i64,
    /// The attempt's log.
    pub log: LogRow,
    /// What became of the event.
    pub settled: Settled,
    /// The webhook's count of consecutive failed attempts after this one.
    pub consecutive_failures: u32,
    /// Why the webhook paused, when this attempt paused it.
    pub paused: Option<String>,
    /// The webhook's [`WebhookRow::enabled_count`] when the attempt started. An attempt that started
    /// before the webhook was enabled again (its URI fixed while it hung) is logged and settles
    /// its event, but its count of failures in a row and its pause are not written over the
    /// fresh start, and an event it leaves due later is due now, as enabling made it.
    pub enabled_count: i64,
}

/// Records one attempt (see [`Store::record_attempts`]); whether it was (not when its outbox row
/// is gone). Its log names its event instead of holding the body. The events that may no longer
/// be needed (settled by this attempt for its webhook, or named by a log the cap removed) are
/// added to `settled`, for the caller to forget once no outbox and no log names them.
fn record_attempt(
    transaction: &rusqlite::Transaction<'_>,
    attempted: &Attempted,
    settled_events: &mut Vec<i64>,
) -> Result<bool> {
    let log = &attempted.log;
    // The outbox row if it is not settled yet (without it, the webhook was deleted meanwhile or
    // the row was settled already, and nothing is recorded): the event it names, whether it is
    // the first of its webhook's that is not settled (as the delivery task settles them), and
    // the webhook's last log number. One read, so that the writes below need no RETURNING,
    // which costs each a statement journal (a copy of the page it changes).
    let row = transaction
        .prepare_cached(
            "SELECT outbox.event_id, outbox.seq = (SELECT MIN(head.seq) \
             FROM outbox AS head WHERE head.webhook_id = webhooks.id \
             AND head.seq > webhooks.settled_seq), webhooks.log_seq, webhooks.enabled_count, \
             webhooks.consecutive_failures \
             FROM outbox JOIN webhooks ON webhooks.id = outbox.webhook_id \
             WHERE outbox.seq = ?1 AND outbox.seq > webhooks.settled_seq",
        )?
        .query_row([attempted.seq], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, u32>(4)?,
            ))
        })
        .optional()?;
    let Some((event, first, log_seq, enabled_count, failures_now)) = row else {
        return Ok(false);
    };
    // Enabled again while this attempt was under way: the fresh start stands.
    let stale = enabled_count != attempted.enabled_count;
    let consecutive_failures = if stale {
        failures_now
    } else {
        attempted.consecutive_failures
    };
    // What became of the event: its row is settled, or due again.
    let mut settled_seq = None;
    match attempted.settled {
        // The first of its webhook's outbox: it stays until the settled rows leave together
        // (see `settled_seq!`).
        Settled::Delivered | Settled::Failed if first => settled_seq = Some(attempted.seq),
        // Settled out of order: it goes now.
        Settled::Delivered | Settled::Failed => {
            transaction
                .prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
                .execute([attempted.seq])?;
        }
        Settled::Again(due_ms) => {
            let due_ms = if stale {
                due_ms.min(crate::delivery::now_ms())
            } else {
                due_ms
            };
            transaction
                .prepare_cached("UPDATE outbox SET attempts = ?2, due_ms = ?3 WHERE seq = ?1")?
                .execute(params![attempted.seq, log.attempt, due_ms])?;
        }
    }
    let (delivered, failed) = match attempted.settled {
        Settled::Delivered => (1, 0),
        Settled::Failed => (0, 1),
        Settled::Again(_) => (0, 0),
    };
    // The webhook's counters, where its settled outbox rows end, and its last log number.
    let seq = log_seq + 1;
    transaction
        .prepare_cached(
            "UPDATE webhooks SET consecutive_failures = ?2, delivered = delivered + ?3, \
             failed = failed + ?4, pending = pending - ?5, log_seq = ?6, \
             settled_seq = COALESCE(?7, settled_seq) WHERE id = ?1",
        )?
        .execute(params![
            log.webhook_id,
            consecutive_failures,
            delivered,
            failed,
            delivered + failed,
            seq,
            settled_seq
        ])?;
    insert_log_at(transaction, log, Some(event), seq)?;
    if let Some(reason) = attempted.paused.as_ref().filter(|_| !stale) {
        transaction
            .prepare_cached(&format!(
                "UPDATE webhooks SET is_active = 0, last_failure_reason = ?2, paused_on = {NOW} \
                 WHERE id = ?1"
            ))?
            .execute(params![log.webhook_id, reason])?;
    }
    if delivered + failed > 0 {
        settled_events.push(event);
    }
    Ok(true)
}

/// One event for [`Store::enqueue`].
#[derive(Debug, Clone, Copy)]
pub struct Enqueue<'a> {
    /// The label.
    pub label: &'a str,
    /// The body.
    pub body: &'a [u8],
    /// The webhooks that queue it.
    pub to: &'a [String],
    /// The paused webhooks that drop it.
    pub dropping: &'a [String],
}

/// A webhook's outbox as [`Store::enqueue`] fills it: how many events it holds, whether it is
/// dropping events for want of room, and how many it dropped in this batch.
struct Room {
    pending: u64,
    overflowing: bool,
    dropped: u64,
}

impl Room {
    /// The room of `webhook` in `rooms`, read with `statement` the first time.
    fn of<'r, 'a>(
        rooms: &'r mut HashMap<&'a str, Room>,
        statement: &mut rusqlite::CachedStatement<'_>,
        webhook: &'a str,
    ) -> Result<&'r mut Room> {
        Ok(match rooms.entry(webhook) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let (pending, overflowing) =
                    statement.query_row([webhook], |row| Ok((row.get(0)?, row.get(1)?)))?;
                entry.insert(Room {
                    pending,
                    overflowing,
                    dropped: 0,
                })
            }
        })
    }
}

/// Logs that a webhook's outbox is full and starts dropping, from the event `label` on.
fn log_overflow(
    transaction: &rusqlite::Transaction<'_>,
    webhook: &str,
    label: &str,
    outbox_cap: u64,
) -> Result<()> {
    let reason = format!(
        "dropped: the outbox holds {} undelivered events (--outbox-cap), so new events are \
         dropped and counted until it has room again",
        outbox_cap
    );
    let log = LogRow {
        webhook_id: webhook.to_owned(),
        label: label.to_owned(),
        attempt: 0,
        message: None,
        response_code: None,
        reason: Some(reason),
        is_successful: false,
        latency_ms: 0.0,
        created_on: crate::delivery::now_text(),
    };
    // The webhook's row was just read in this transaction.
    insert_log(transaction, &log).map(drop)
}

/// Adds a log (to the fresh logs: see [`FRESH_LOGS`]); false when there is no such webhook.
fn insert_log(transaction: &rusqlite::Transaction<'_>, log: &LogRow) -> Result<bool> {
    let seq: Option<i64> = transaction
        .prepare_cached(
            "UPDATE webhooks SET log_seq = log_seq + 1 WHERE id = ?1 RETURNING log_seq",
        )?
        .query_row([&log.webhook_id], |row| row.get(0))
        .optional()?;
    let Some(seq) = seq else {
        return Ok(false);
    };
    // Its body, if any, is its own: events a removed log named are forgotten at the next start.
    insert_log_at(transaction, log, None, seq)?;
    Ok(true)
}

/// Adds `log` to the fresh logs as the webhook's log number `seq`, naming `event`.
fn insert_log_at(
    transaction: &rusqlite::Transaction<'_>,
    log: &LogRow,
    event: Option<i64>,
    seq: i64,
) -> Result<()> {
    transaction
        .prepare_cached(concat!(
            "INSERT INTO fresh_logs (",
            log_column_names!(),
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ))?
        .execute(params![
            log.webhook_id,
            seq,
            log.label,
            log.attempt,
            log.message,
            log.response_code,
            log.reason,
            log.is_successful,
            log.latency_ms,
            log.created_on,
            event,
        ])?;
    Ok(())
}

/// Files the fresh logs into `logs` (see [`FRESH_LOGS`]), removes the logs past the `cap` newest
/// of each webhook that had fresh ones, and answers the events the removed logs named.
fn file_fresh_logs(transaction: &rusqlite::Transaction<'_>, cap: u32) -> Result<Vec<i64>> {
    let webhooks = transaction
        .prepare_cached("SELECT DISTINCT webhook_id FROM fresh_logs")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if webhooks.is_empty() {
        return Ok(Vec::new());
    }
    // In the order of `logs`, so that each of its pages is written once.
    transaction
        .prepare_cached(concat!(
            "INSERT INTO logs (",
            log_column_names!(),
            ") SELECT ",
            log_column_names!(),
            " FROM fresh_logs ORDER BY webhook_id, seq"
        ))?
        .execute([])?;
    transaction
        .prepare_cached("DELETE FROM fresh_logs")?
        .execute([])?;
    let mut removed = transaction.prepare_cached(
        "DELETE FROM logs WHERE webhook_id = ?1 \
         AND seq <= (SELECT log_seq FROM webhooks WHERE id = ?1) - ?2 RETURNING event_id",
    )?;
    let mut named = Vec::new();
    for webhook in &webhooks {
        for event in removed.query_map(params![webhook, cap], |row| row.get::<_, Option<i64>>(0))? {
            named.extend(event?);
        }
    }
    Ok(named)
}

/// Files the fresh logs (see [`FRESH_LOGS`]); then the settled rows of the `settling` webhooks'
/// outboxes leave, and the `settled` events, with those of the logs removed past the `cap`, are
/// forgotten if nothing holds or names them any more.
fn file_logs(
    transaction: &rusqlite::Transaction<'_>,
    cap: u32,
    settled: &mut Vec<i64>,
    settling: &HashSet<String>,
) -> Result<()> {
    settled.extend(file_fresh_logs(transaction, cap)?);
    // The settled rows leave the outbox first: an event is forgotten once no row holds it.
    let mut leave = transaction.prepare_cached(concat!(
        "DELETE FROM outbox WHERE webhook_id = ?1 AND seq <= ",
        settled_seq!("?1")
    ))?;
    for webhook in settling {
        leave.execute([webhook])?;
    }
    // Each of ten webhooks settles the same event.
    settled.sort_unstable();
    settled.dedup();
    for event in settled.iter() {
        forget_event_if_done(transaction, *event)?;
    }
    Ok(())
}

/// Forgets `event` (its body) if no outbox row and no log names it any more.
fn forget_event_if_done(transaction: &rusqlite::Transaction<'_>, event: i64) -> Result<()> {
    transaction
        .prepare_cached(concat!(
            "DELETE FROM events WHERE id = ?1 AND ",
            unnamed_event!()
        ))?
        .execute([event])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "awork-workspace-store-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn webhook(id: &str) -> WebhookRow {
        WebhookRow {
            id: id.to_owned(),
            name: "hook".into(),
            uri: "http://127.0.0.1:1/".into(),
            language: None,
            events: "task_added,task_updated".into(),
            is_active: true,
            only_main: None,
            auth_type: "none".into(),
            auth_name: None,
            auth_value: None,
            last_failure_reason: None,
            consecutive_failures: 0,
            delivered: 0,
            failed: 0,
            dropped: 0,
            created_on: "2026-01-01T00:00:00.000Z".into(),
            created_by: "u".into(),
            updated_on: "2026-01-01T00:00:00.000Z".into(),
            updated_by: "u".into(),
            enabled_count: 0,
        }
    }

    fn delivered(seq: i64, attempt: u32) -> Attempted {
        Attempted {
            seq,
            log: LogRow {
                webhook_id: "w".into(),
                label: format!("event {seq}"),
                attempt,
                // As `delivery::attempt` makes it: the body is the event's.
                message: None,
                response_code: Some(200),
                reason: None,
                is_successful: true,
                latency_ms: 1.0,
                created_on: "2026-01-01T00:00:00.000Z".into(),
            },
            settled: Settled::Delivered,
            consecutive_failures: 0,
            paused: None,
            enabled_count: 0,
        }
    }

    /// Queues `count` events (`{}`) for the webhooks `to`, due at once.
    fn queue(store: &mut Store, to: &[String], count: usize) {
        let batch: Vec<Enqueue<'_>> = (0..count)
            .map(|_| Enqueue {
                label: "task_added",
                body: b"{}",
                to,
                dropping: &[],
            })
            .collect();
        store.enqueue(&batch, 0, None).unwrap();
    }

    /// How many rows `table` holds.
    fn rows_in(store: &Store, table: &str) -> i64 {
        store
            .connection
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap()
    }

    /// How many event bodies the store holds.
    fn body_count(store: &Store) -> i64 {
        rows_in(store, "events")
    }

    /// How many rows the outbox table holds, settled ones included.
    fn outbox_rows(store: &Store) -> i64 {
        rows_in(store, "outbox")
    }

    /// The outbox's head for webhook `w`, as the numbers of its rows.
    fn head_seqs(store: &Store) -> Vec<i64> {
        store
            .outbox_head("w", 10)
            .unwrap()
            .iter()
            .map(|row| row.seq)
            .collect()
    }

    #[test]
    fn settled_rows_leave_the_outbox_together_and_no_read_shows_them_meanwhile() {
        let dir = folder("settled");
        let mut store = Store::open(&dir, 10, 100).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        queue(&mut store, &["w".to_owned()], 4);
        let seqs = head_seqs(&store);
        // The first in order: its row stays, settled, and no read shows it.
        store.record_attempts(&[delivered(seqs[0], 1)]).unwrap();
        assert_eq!(outbox_rows(&store), 4);
        assert_eq!(head_seqs(&store), seqs[1..]);
        assert_eq!(store.pending("w").unwrap(), 3);
        assert!(store.retry_now("w", 0).unwrap());
        // A record of the settled row again is not counted twice, nor is a retry of it.
        store.record_attempts(&[delivered(seqs[0], 2)]).unwrap();
        let mut again = delivered(seqs[0], 2);
        again.settled = Settled::Again(1);
        store.record_attempts(&[again]).unwrap();
        assert_eq!(store.pending("w").unwrap(), 3);
        assert_eq!(store.webhook("w").unwrap().unwrap().delivered, 1);
        assert_eq!(rows_in(&store, "fresh_logs"), 1, "one log");
        // Out of order (the last before the others), its row goes at once and leaves the order of
        // the rest as it was.
        store.record_attempts(&[delivered(seqs[3], 1)]).unwrap();
        assert_eq!(outbox_rows(&store), 3);
        assert_eq!(head_seqs(&store), seqs[1..3]);
        store.record_attempts(&[delivered(seqs[1], 1)]).unwrap();
        assert_eq!(store.health("w", 0).unwrap().next_due_ms, Some(0));
        // The next start removes the settled rows and counts what is pending from the rest.
        drop(store);
        let store = Store::open(&dir, 10, 100).unwrap();
        assert_eq!(outbox_rows(&store), 1);
        assert_eq!(store.pending("w").unwrap(), 1);
        assert_eq!(head_seqs(&store), [seqs[2]]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_attempt_that_started_before_the_webhook_was_enabled_again_does_not_pause_it() {
        let dir = folder("enabled-meanwhile");
        let mut store = Store::open(&dir, 10, 100).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        queue(&mut store, &["w".to_owned()], 2);
        let seqs = head_seqs(&store);
        let started_with = store.webhook("w").unwrap().unwrap().enabled_count;
        // Ten failures in a row, then paused by hand while the eleventh hangs, the URI fixed and
        // the webhook enabled again.
        let mut row = store.webhook("w").unwrap().unwrap();
        row.is_active = false;
        store.update_webhook(&row, 0).unwrap();
        row.is_active = true;
        row.uri = "http://127.0.0.1:2/fixed".into();
        let enabled_at = crate::delivery::now_ms();
        store.update_webhook(&row, enabled_at).unwrap();
        assert_eq!(
            store.webhook("w").unwrap().unwrap().enabled_count,
            started_with + 1
        );
        // The hanging attempt times out: its record would pause the webhook.
        let mut hung = delivered(seqs[0], 11);
        hung.log.is_successful = false;
        hung.settled = Settled::Again(enabled_at + 600_000);
        hung.consecutive_failures = 11;
        hung.paused = Some("paused after 11 consecutive failed attempts".to_owned());
        hung.enabled_count = started_with;
        store.record_attempts(&[hung.clone()]).unwrap();
        let after = store.webhook("w").unwrap().unwrap();
        assert!(after.is_active, "the fresh start stands");
        assert_eq!(after.consecutive_failures, 0);
        // Logged, and its event due now rather than after the schedule's wait.
        assert_eq!(rows_in(&store, "fresh_logs"), 1);
        let head = store.outbox_head("w", 10).unwrap();
        assert!(
            head[0].due_ms <= crate::delivery::now_ms(),
            "{}",
            head[0].due_ms
        );
        // The same record from an attempt that started after the enabling counts as ever.
        hung.enabled_count = started_with + 1;
        store.record_attempts(&[hung]).unwrap();
        let paused = store.webhook("w").unwrap().unwrap();
        assert!(!paused.is_active);
        assert_eq!(paused.consecutive_failures, 11);
    }

    #[test]
    fn the_outbox_survives_a_reopen_and_logs_are_capped_newest_first() {
        let dir = folder("outbox");
        let mut store = Store::open(&dir, 3, 100).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        let to = ["w".to_owned()];
        queue(&mut store, &to, 5);
        drop(store);

        let mut store = Store::open(&dir, 3, 100).unwrap();
        let head = store.outbox_head("w", 10).unwrap();
        assert_eq!(head.len(), 5);
        let records: Vec<Attempted> = head.iter().map(|row| delivered(row.seq, 1)).collect();
        store.record_attempts(&records).unwrap();
        assert_eq!(store.pending("w").unwrap(), 0);
        let logs = store.logs("w", (0, 10), false).unwrap();
        let labels: Vec<&str> = logs.iter().map(|(_, log)| log.label.as_str()).collect();
        let last = head.last().unwrap().seq;
        assert_eq!(
            labels,
            [last, last - 1, last - 2].map(|seq| format!("event {seq}"))
        );
        assert_eq!(store.webhook("w").unwrap().unwrap().delivered, 5);
        // Delivered everywhere, so the bodies go too, but for those the 3 logs kept name: a log
        // shows its event's body without a copy of its own. They went when the read filed the
        // logs (see `FRESH_LOGS`).
        assert_eq!(body_count(&store), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_chart_counts_each_attempt_as_it_is_recorded_also_right_after_it_was_counted() {
        let dir = folder("chart");
        let mut store = Store::open(&dir, 100, 1000).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        let to = ["w".to_owned()];
        queue(&mut store, &to, 3);
        let now = || crate::delivery::now_ms();
        // Summed over the hour, so that a minute ending meanwhile changes nothing.
        let delivered_in_the_hour = |store: &mut Store| -> u32 {
            let health = store.health("w", now()).unwrap();
            health
                .last_hour
                .iter()
                .map(|(delivered, _)| delivered)
                .sum()
        };
        assert_eq!(delivered_in_the_hour(&mut store), 0);
        let head = store.outbox_head("w", 3).unwrap();
        for (done, row) in head.iter().enumerate() {
            let mut attempted = delivered(row.seq, 1);
            attempted.log.created_on = crate::delivery::now_text();
            store.record_attempts(&[attempted]).unwrap();
            assert_eq!(delivered_in_the_hour(&mut store), done as u32 + 1);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_database_that_cannot_be_written_still_counts_and_shows_its_attempts() {
        let dir = folder("unwritable-reads");
        let mut store = Store::open(&dir, 100, 1000).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        queue(&mut store, &["w".to_owned()], 3);
        let now = crate::delivery::now_ms();
        for row in store.outbox_head("w", 3).unwrap() {
            let mut attempted = delivered(row.seq, 1);
            attempted.log.created_on = crate::delivery::now_text();
            store.record_attempts(&[attempted]).unwrap();
        }
        // A full disk: the fresh logs cannot be filed, and reads go on.
        store.refuse_writes(true);
        let hour = store.health("w", now).unwrap().last_hour;
        assert_eq!(hour.iter().map(|(delivered, _)| delivered).sum::<u32>(), 3);
        assert!(store.logs("w", (0, 10), false).is_ok());
        store.refuse_writes(false);
        assert_eq!(store.logs("w", (0, 10), false).unwrap().len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn logs_after_a_number_are_the_newer_ones_only() {
        let dir = folder("logs-after");
        let mut store = Store::open(&dir, 100, 1000).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        queue(&mut store, &["w".to_owned()], 3);
        for row in store.outbox_head("w", 3).unwrap() {
            store.record_attempts(&[delivered(row.seq, 1)]).unwrap();
        }
        let all: Vec<i64> = store
            .logs("w", (0, 10), false)
            .unwrap()
            .iter()
            .map(|(seq, _)| *seq)
            .collect();
        assert_eq!(all.len(), 3);
        let newer: Vec<i64> = store
            .logs_after("w", all[2], (0, 10), false)
            .unwrap()
            .iter()
            .map(|(seq, _)| *seq)
            .collect();
        assert_eq!(newer, all[..2]);
        assert!(
            store
                .logs_after("w", all[0], (0, 10), false)
                .unwrap()
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_chart_keeps_counts_past_the_log_cap_and_moves_with_the_clock() {
        let dir = folder("chart-cap");
        // Five logs kept, thirty attempts in a minute.
        let mut store = Store::open(&dir, 5, 1000).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        queue(&mut store, &["w".to_owned()], 30);
        let now = crate::delivery::now_ms();
        assert_eq!(store.health("w", now).unwrap().last_hour, [(0, 0); 60]);
        let at = chrono::DateTime::from_timestamp_millis(now)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        for row in store.outbox_head("w", 30).unwrap() {
            let mut attempted = delivered(row.seq, 1);
            attempted.log.created_on = at.clone();
            store.record_attempts(&[attempted]).unwrap();
        }
        let counted = |store: &mut Store, at_ms: i64| -> Vec<(usize, u32)> {
            let hour = store.health("w", at_ms).unwrap().last_hour;
            (0..60)
                .filter(|minute| hour[*minute].0 > 0)
                .map(|minute| (minute, hour[minute].0))
                .collect()
        };
        // The minute of the thirty, in the hour that ends at `at_ms`.
        let minute_at =
            |at_ms: i64| 59 - (at_ms.div_euclid(60_000) - now.div_euclid(60_000)) as usize;
        assert_eq!(counted(&mut store, now), [(59, 30)]);
        // Ten seconds, then two minutes on: the same thirty, in their minute.
        for later in [10_000, 120_000] {
            assert_eq!(
                counted(&mut store, now + later),
                [(minute_at(now + later), 30)]
            );
        }
        // Out of the hour.
        assert_eq!(counted(&mut store, now + 3_600_000), []);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn logs_are_filed_and_settled_events_forgotten_in_batches_once_nothing_holds_them() {
        let dir = folder("forget");
        let mut store = Store::open(&dir, 10, 10_000).unwrap();
        store.insert_webhook(&webhook("a")).unwrap();
        store.insert_webhook(&webhook("b")).unwrap();
        let to = ["a".to_owned(), "b".to_owned()];
        let events = FRESH_LOGS as usize;
        queue(&mut store, &to, events);
        let deliver = |store: &mut Store, webhook: &str, count: usize| {
            let head = store.outbox_head(webhook, count as u32).unwrap();
            for row in head {
                let mut attempted = delivered(row.seq, 1);
                attempted.log.webhook_id = webhook.to_owned();
                store.record_attempts(&[attempted]).unwrap();
            }
        };
        // Delivered to one webhook: the other still holds every event. The batch of fresh logs
        // filled, so they were filed, and the logs past the cap went.
        deliver(&mut store, "a", events);
        assert_eq!(body_count(&store), events as i64);
        assert_eq!(rows_in(&store, "fresh_logs"), 0);
        assert_eq!(rows_in(&store, "logs"), 10);
        // Delivered to both but the last: the logs wait in the fresh ones, and so do the events
        // they name until the batch is filed.
        deliver(&mut store, "b", events - 1);
        assert_eq!(rows_in(&store, "fresh_logs"), events as i64 - 1);
        assert_eq!(body_count(&store), events as i64);
        // The last fills the batch: no outbox holds the events any more, and those the 10 logs
        // kept of each webhook name (the same 10) stay.
        deliver(&mut store, "b", 1);
        assert_eq!(rows_in(&store, "fresh_logs"), 0);
        assert_eq!(body_count(&store), 10);
        let logs = store.logs("a", (0, 100), false).unwrap();
        assert_eq!(logs.len(), 10);
        assert!(
            logs.iter()
                .all(|(_, log)| log.message.as_deref() == Some("{}")),
            "every log shows its event's body"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn fresh_logs_are_read_at_once_and_filed_at_the_next_start() {
        let dir = folder("fresh");
        let mut store = Store::open(&dir, 2, 100).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        queue(&mut store, &["w".to_owned()], 4);
        let head = store.outbox_head("w", 4).unwrap();
        for row in &head[..2] {
            store.record_attempts(&[delivered(row.seq, 1)]).unwrap();
        }
        assert_eq!(rows_in(&store, "fresh_logs"), 2);
        // A stop before they are filed keeps them: the next start files them.
        drop(store);
        let mut store = Store::open(&dir, 2, 100).unwrap();
        assert_eq!(rows_in(&store, "fresh_logs"), 0);
        assert_eq!(rows_in(&store, "logs"), 2);
        store.record_attempts(&[delivered(head[2].seq, 1)]).unwrap();
        assert_eq!(rows_in(&store, "fresh_logs"), 1);
        // A read files them first, and keeps the cap.
        let labels: Vec<String> = store
            .logs("w", (0, 10), false)
            .unwrap()
            .into_iter()
            .map(|(_, log)| log.label)
            .collect();
        assert_eq!(
            labels,
            [head[2].seq, head[1].seq].map(|seq| format!("event {seq}"))
        );
        assert_eq!(rows_in(&store, "logs"), 2);
        // As does a deleted webhook's: its logs go with it, fresh or not.
        store.record_attempts(&[delivered(head[3].seq, 1)]).unwrap();
        assert_eq!(rows_in(&store, "fresh_logs"), 1);
        assert!(store.delete_webhook("w").unwrap());
        assert_eq!(rows_in(&store, "logs") + rows_in(&store, "fresh_logs"), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_test_event_of_a_webhook_deleted_meanwhile_is_not_recorded() {
        let dir = folder("test-of-deleted");
        let mut store = Store::open(&dir, 10, 10).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        let test = LogRow {
            label: "test".into(),
            message: Some("{}".into()),
            ..delivered(0, 1).log
        };
        assert!(store.record_test(&test).unwrap());
        assert_eq!(store.logs("w", (0, 10), false).unwrap().len(), 1);
        // Deleted while a test event was on its way (the page's Delete during a slow test).
        assert!(store.delete_webhook("w").unwrap());
        assert!(!store.record_test(&test).unwrap());
        assert_eq!(rows_in(&store, "logs") + rows_in(&store, "fresh_logs"), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_full_outbox_drops_and_counts_new_events_and_logs_once_per_overflow() {
        let dir = folder("cap");
        let mut store = Store::open(&dir, 10, 2).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        let to = ["w".to_owned()];
        let one = |label| Enqueue {
            label,
            body: b"{}",
            to: &to,
            dropping: &[],
        };
        // Each event says how many webhooks queued it: the dropped ones none.
        let queued = store
            .enqueue(&[one("a"), one("b"), one("c"), one("d")], 0, None)
            .unwrap();
        assert_eq!(queued, [1, 1, 0, 0]);
        assert_eq!(store.pending("w").unwrap(), 2);
        assert_eq!(store.webhook("w").unwrap().unwrap().dropped, 2);
        let logs = store.logs("w", (0, 10), false).unwrap();
        assert_eq!(logs.len(), 1, "{logs:?}");
        assert_eq!(logs[0].1.label, "c");
        assert!(
            logs[0]
                .1
                .reason
                .as_deref()
                .unwrap()
                .contains("--outbox-cap")
        );
        // Delivering one makes room for one; the next overflow is logged again.
        let seq = store.outbox_head("w", 1).unwrap()[0].seq;
        store.record_attempts(&[delivered(seq, 1)]).unwrap();
        let queued = store.enqueue(&[one("e"), one("f")], 0, None).unwrap();
        assert_eq!(queued, [1, 0]);
        assert_eq!(store.pending("w").unwrap(), 2);
        assert_eq!(store.webhook("w").unwrap().unwrap().dropped, 3);
        let labels: Vec<String> = store
            .logs("w", (0, 10), false)
            .unwrap()
            .into_iter()
            .filter(|(_, log)| log.attempt == 0)
            .map(|(_, log)| log.label)
            .collect();
        assert_eq!(labels, ["f", "c"]);
        // A reopen recounts the same.
        drop(store);
        let mut store = Store::open(&dir, 10, 2).unwrap();
        assert_eq!(store.pending("w").unwrap(), 2);
        assert!(
            store
                .logs("w", (u64::MAX, u64::MAX), false)
                .unwrap()
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_rows_debug_hides_the_auth_value() {
        let mut row = webhook("w");
        row.auth_name = Some("X-Key".into());
        row.auth_value = Some("s3cret".into());
        let shown = format!("{row:?}");
        assert!(
            shown.contains("X-Key") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn a_deleted_webhook_takes_its_queue_and_an_attempt_recorded_after_is_ignored() {
        let dir = folder("delete");
        let mut store = Store::open(&dir, 10, 100).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        store.insert_webhook(&webhook("v")).unwrap();
        let to = ["w".to_owned(), "v".to_owned()];
        let batch = [Enqueue {
            label: "task_added",
            body: b"{}",
            to: &to,
            dropping: &[],
        }];
        store.enqueue(&batch, 0, None).unwrap();
        // `w` gets a filed log, a fresh log, and in its outbox a settled row and two events still
        // to deliver.
        queue(&mut store, &["w".to_owned()], 3);
        let seqs = head_seqs(&store);
        store.record_attempts(&[delivered(seqs[0], 1)]).unwrap();
        store.file_fresh();
        store.record_attempts(&[delivered(seqs[1], 1)]).unwrap();
        let seq = seqs[2];
        assert!(store.delete_webhook("w").unwrap());
        assert!(!store.delete_webhook("w").unwrap());
        store.record_attempts(&[delivered(seq, 1)]).unwrap();
        assert!(store.logs("w", (0, 10), false).unwrap().is_empty());
        // Its rows went with it (the store removes them: SQLite does not enforce the schema's
        // references), and so did the events nothing else names.
        for table in ["outbox", "logs", "fresh_logs"] {
            let rows: i64 = store
                .connection
                .query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE webhook_id = 'w'"),
                    [],
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(rows, 0, "{table}");
        }
        assert_eq!(body_count(&store), 1);
        // The other webhook still has the event.
        assert_eq!(store.pending("v").unwrap(), 1);
        assert_eq!(store.outbox_head("v", 10).unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn health_tells_the_pause_the_next_attempt_and_the_last_hour() {
        let dir = folder("health");
        let mut store = Store::open(&dir, 10, 100).unwrap();
        store.insert_webhook(&webhook("w")).unwrap();
        let to = ["w".to_owned()];
        let one = Enqueue {
            label: "task_added t",
            body: b"{}",
            to: &to,
            dropping: &[],
        };
        store.enqueue(&[one, one], 1_000, None).unwrap();
        let now = crate::delivery::now_ms();
        let seq = store.outbox_head("w", 1).unwrap()[0].seq;
        let mut failed = delivered(seq, 1);
        failed.log.is_successful = false;
        failed.log.created_on = crate::delivery::now_text();
        failed.settled = Settled::Again(now + 60_000);
        failed.consecutive_failures = 1;
        store
            .record_attempts(&[delivered(seq + 1, 1), failed.clone()])
            .unwrap();
        let health = store.health("w", now).unwrap();
        assert_eq!(health.paused_on, None);
        assert_eq!(health.next_due_ms, Some(now + 60_000));
        // The delivered record is dated 2026-01-01, not in the last hour; the failure is this minute.
        assert_eq!(health.last_hour[59], (0, 1));
        assert_eq!(health.last_hour.iter().map(|(d, f)| d + f).sum::<u32>(), 1);
        let failures = store.logs("w", (0, 10), true).unwrap();
        assert_eq!(failures.len(), 1);
        assert!(!failures[0].1.is_successful);
        // Read back with its event's body, which the log names rather than copies.
        let shown = LogRow {
            message: Some("{}".into()),
            ..failed.log
        };
        assert_eq!(store.log("w", failures[0].0).unwrap(), Some(shown));
        // Retry now: due at once; a pause is dated.
        assert!(store.retry_now("w", now).unwrap());
        assert_eq!(store.health("w", now).unwrap().next_due_ms, Some(now));
        store.pause("w", "paused").unwrap();
        assert!(store.health("w", now).unwrap().paused_on.is_some());
        assert!(!store.retry_now("v", now).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_seed_is_kept_when_it_is_known() {
        let dir = folder("seed");
        let store = Store::open(&dir, 10, 10).unwrap();
        // A workspace of an older version: steps in its journal, no seed kept.
        store
            .connection
            .execute("INSERT INTO journal (step) VALUES ('{}')", [])
            .unwrap();
        assert_eq!(store.seed(None).unwrap(), 1, "as that version did");
        assert_eq!(store.seed(Some(7)).unwrap(), 7, "told now, and kept");
        assert_eq!(store.seed(None).unwrap(), 7);
        assert!(matches!(store.seed(Some(8)), Err(SeedError::Other(7))));
        // A new workspace keeps the default.
        let fresh = folder("seed-fresh");
        let store = Store::open(&fresh, 10, 10).unwrap();
        assert_eq!(store.seed(None).unwrap(), 1);
        assert!(matches!(store.seed(Some(2)), Err(SeedError::Other(1))));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&fresh);
    }
}
