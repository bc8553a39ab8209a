//! Reading events as a stream: where they come from (files, the event files of a folder, named
//! pipes or stdin), and splitting a text into events, each with the line where it starts, holding
//! one event at a time. A file read again (`send`'s second pass) must not have changed since it
//! was first read ([`Input::require_unchanged`]: its length, time of last change and identity).
//! A regular file is held by its path and opened for each reading, so that a run may name more
//! files than a process may hold open (a folder of thousands of captured events).
//!
//! A text is one JSON value (a single event), a JSON array of events, or NDJSON (one event per
//! non-blank line). Which one is decided from its start: `[` opens an array; otherwise a first
//! non-blank line that is JSON by itself (or, when that one is torn, a second one that is a JSON
//! object by itself) makes NDJSON, in which a line that is not JSON is reported as such and reading
//! goes on; anything else is read as one value. A single value is read whole (it is one event); an
//! array and NDJSON are read one element or line at a time, so memory follows the largest event,
//! not the input. This module does not look inside the events: it neither validates them nor knows
//! their fields.

use std::cell::{Cell, RefCell};
use std::cmp;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use anyhow::Context;
use serde::de::{self, Deserializer as _, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// Where a text of events comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// The source a command-line argument names: `-` is stdin, anything else a file.
    pub fn from_arg(path: PathBuf) -> Source {
        if path.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(path)
        }
    }
}

impl fmt::Display for Source {
    /// The name messages use: the path as given, or `<stdin>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Stdin => f.write_str("<stdin>"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The names of the files a folder of events is read for: what `generate --out` and `listen
/// --record` write (`.json`), and NDJSON captures.
const EVENT_FILE_ENDINGS: [&str; 3] = [".json", ".ndjson", ".jsonl"];

/// What is said of a folder without event files: `no event file in the folder (*.json, …)`.
pub fn no_event_file() -> String {
    let patterns = EVENT_FILE_ENDINGS.map(|end| format!("*{end}"));
    format!("no event file in the folder ({})", patterns.join(", "))
}

/// The event files of a folder given for its events, in name order (numbers in names compared
/// as numbers, [`by_name`]), not looking into its subfolders: the files whose names end as
/// [`EVENT_FILE_ENDINGS`] say.
pub fn event_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let cannot_read = || format!("{}: cannot read the folder", folder.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).with_context(cannot_read)? {
        let entry = entry.with_context(cannot_read)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        if is_file && EVENT_FILE_ENDINGS.iter().any(|end| name.ends_with(end)) {
            files.push(entry.path());
        }
    }
    files.sort_by(|a, b| {
        by_name(
            a.as_os_str().as_encoded_bytes(),
            b.as_os_str().as_encoded_bytes(),
        )
    });
    Ok(files)
}

/// A run of digits without its leading zeros: its value's digits.
fn without_leading_zeros(run: &[u8]) -> &[u8] {
    let start = run.iter().position(|&c| c != b'0').unwrap_or(run.len());
    &run[start..]
}

/// Name order with the numbers in names compared as numbers: `999999-a.json` before
/// `1000000-b.json` (`listen --record` numbers on past six digits), `9-x` before `10-x`. Runs of
/// digits compare by value, a tie by their length (`007` after `7`); other bytes as bytes.
fn by_name(a: &[u8], b: &[u8]) -> cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.first(), b.first()) {
            (None, None) => return cmp::Ordering::Equal,
            (None, Some(_)) => return cmp::Ordering::Less,
            (Some(_), None) => return cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (run_a, rest_a) =
                    a.split_at(a.iter().take_while(|c| c.is_ascii_digit()).count());
                let (run_b, rest_b) =
                    b.split_at(b.iter().take_while(|c| c.is_ascii_digit()).count());
                let (value_a, value_b) =
                    (without_leading_zeros(run_a), without_leading_zeros(run_b));
                let order = value_a
                    .len()
                    .cmp(&value_b.len())
                    .then_with(|| value_a.cmp(value_b))
                    .then_with(|| run_a.len().cmp(&run_b.len()));
                if order != cmp::Ordering::Equal {
                    return order;
                }
                (a, b) = (rest_a, rest_b);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

/// An opened source. A file can be read again from its start; a stream (stdin, a named pipe) only
/// once, unless it was opened with [`Input::open_rereadable`], which copies it to a temporary file
/// first.
#[derive(Debug)]
pub struct Input {
    /// Where it comes from, for messages.
    pub source: Source,
    /// What is read.
    text: Text,
    /// The stamp the file must keep: once set ([`Input::require_unchanged`]), a read that finds
    /// the file changed fails.
    unchanged: Option<Stamp>,
}

/// What an [`Input`] reads.
#[derive(Debug)]
enum Text {
    /// A regular file, by its path, opened again for each reading from its start: an input holds
    /// no open file between readings, since a run may name more files (a folder of captured
    /// events) than a process may hold open at once.
    File(PathBuf),
    /// A stream copied to a temporary file ([`Input::open_rereadable`]), read from its start each
    /// time: the file is removed at once, so only this handle reaches it.
    Spooled(File),
    /// A stream that is not stdin (a named pipe, `<(command)`), read once as it comes.
    Pipe(File),
    /// Standard input, read once as it comes.
    Stdin,
}

/// A file's length and the time of its last change: while both stay the same, so does its text,
/// as far as the file system tells (to the resolution of its clock, a few milliseconds at most
/// on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// Which file it is, where the platform tells: a file put in the place of the one checked
    /// (a file is read again by its path) is another file, whatever its length and time.
    identity: Option<(u64, u64)>,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            identity: identity(metadata),
        }
    }
}

/// A file's device and inode.
#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

/// A file's identity, which this platform's standard library does not give.
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// A file that must not change while it is read: each read is followed by a look at the file's
/// stamp, and fails when it changed, so that every byte handed on was read before any change.
struct Unchanged {
    file: File,
    stamp: Stamp,
}

impl Read for Unchanged {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.file.read(buf)?;
        if Stamp::of(&self.file.metadata()?) != self.stamp {
            return Err(io::Error::other("it changed since it was checked"));
        }
        Ok(read)
    }
}

impl Input {
    /// Opens `source`: a file that cannot be opened is an error naming it, before anything is read.
    /// A regular file is then closed, and opened again for each reading; a path that is not a
    /// regular file (a named pipe, `<(command)`) is a stream, held open and read once as it comes,
    /// as stdin is.
    pub fn open(source: Source) -> anyhow::Result<Input> {
        let text = match &source {
            Source::Stdin => Text::Stdin,
            Source::File(path) => {
                let file = File::open(path).with_context(|| format!("{source}: cannot read"))?;
                let regular = file
                    .metadata()
                    .with_context(|| format!("{source}: cannot read"))?
                    .is_file();
                if regular {
                    Text::File(path.clone())
                } else {
                    Text::Pipe(file)
                }
            }
        };
        Ok(Input {
            source,
            text,
            unchanged: None,
        })
    }

    /// Opens `source` so that it can be read more than once: a stream (stdin, a named pipe) is
    /// copied to a temporary file (removed at once; the open handle keeps it until the end), so it
    /// is not held in memory.
    pub fn open_rereadable(source: Source) -> anyhow::Result<Input> {
        let input = Input::open(source)?;
        let spooled = match &input.text {
            Text::File(_) | Text::Spooled(_) => return Ok(input),
            Text::Pipe(pipe) => spool(&mut &*pipe),
            Text::Stdin => spool(&mut io::stdin().lock()),
        };
        let file = spooled.with_context(|| format!("{}: cannot read", input.source))?;
        Ok(Input {
            text: Text::Spooled(file),
            ..input
        })
    }

    /// The file, opened to be read from its start; `None` for a stream read as it comes.
    fn file(&self) -> io::Result<Option<File>> {
        match &self.text {
            Text::File(path) => File::open(path).map(Some),
            Text::Spooled(file) => {
                // A handle of the copy's own shares its position: back to the start.
                let mut file = file.try_clone()?;
                file.rewind()?;
                Ok(Some(file))
            }
            Text::Pipe(_) | Text::Stdin => Ok(None),
        }
    }

    /// The file's metadata now, looked up without opening it; `None` for a stream read as it
    /// comes.
    fn metadata(&self) -> io::Result<Option<std::fs::Metadata>> {
        match &self.text {
            Text::File(path) => std::fs::metadata(path).map(Some),
            Text::Spooled(file) => file.metadata().map(Some),
            Text::Pipe(_) | Text::Stdin => Ok(None),
        }
    }

    /// The file's stamp now; `None` for a stream read as it comes.
    pub fn stamp(&self) -> anyhow::Result<Option<Stamp>> {
        self.metadata()
            .map(|metadata| metadata.as_ref().map(Stamp::of))
            .with_context(|| format!("{}: cannot read", self.source))
    }

    /// From now on, every read of the file fails once its stamp is no longer `stamp`
    /// (`FILE: cannot read: it changed since it was checked`).
    pub fn require_unchanged(&mut self, stamp: Stamp) {
        self.unchanged = Some(stamp);
    }

    /// Another handle on the same input (for a thread that reads it); a stream opened with
    /// [`Input::open`] stays the same stream.
    pub fn try_clone(&self) -> anyhow::Result<Input> {
        let text = match &self.text {
            Text::File(path) => Ok(Text::File(path.clone())),
            Text::Spooled(file) => file.try_clone().map(Text::Spooled),
            Text::Pipe(pipe) => pipe.try_clone().map(Text::Pipe),
            Text::Stdin => Ok(Text::Stdin),
        };
        Ok(Input {
            source: self.source.clone(),
            text: text.with_context(|| format!("{}: cannot read", self.source))?,
            unchanged: self.unchanged,
        })
    }

    /// A reader from the start of the text.
    fn reader(&self) -> io::Result<Box<dyn BufRead + '_>> {
        const BUFFER: usize = 64 * 1024;
        Ok(match (self.file()?, &self.text) {
            (Some(file), _) => match self.unchanged {
                Some(stamp) => {
                    Box::new(BufReader::with_capacity(BUFFER, Unchanged { file, stamp }))
                }
                None => Box::new(BufReader::with_capacity(BUFFER, file)),
            },
            (None, Text::Pipe(pipe)) => Box::new(BufReader::with_capacity(BUFFER, pipe)),
            // Stdin: a file and a copy are always opened above.
            (None, _) => Box::new(io::stdin().lock()),
        })
    }

    /// Reads the text, handing each event (parsed) or each part that is not JSON to `each`, which
    /// may stop the reading. Fails only when the input cannot be read: `FILE: cannot read: …`.
    pub fn read(&self, mut each: impl FnMut(Item) -> ControlFlow<()>) -> anyhow::Result<Shape> {
        let reader = self
            .reader()
            .with_context(|| format!("{}: cannot read", self.source))?;
        scan(reader, true, &mut |found| {
            each(match found {
                Found::Event {
                    line, raw, value, ..
                } => Item::Event(RawEvent {
                    line,
                    value: value.unwrap_or(Value::Null),
                    raw,
                }),
                Found::NotJson(error) => Item::NotJson(error),
            })
        })
        .with_context(|| format!("{}: cannot read", self.source))
    }

    /// Reads the text as [`Input::read`] does, handing each event on with its text and parsing it
    /// only when asked ([`LazyEvent::parse`]), for a reader that can tell most events from their
    /// text alone; what is not JSON, or not UTF-8, where [`Input::read`] can tell without parsing
    /// an event, comes as [`LazyItem::NotJson`].
    pub fn read_lazily(
        &self,
        mut each: impl FnMut(LazyItem) -> ControlFlow<()>,
    ) -> anyhow::Result<Shape> {
        let reader = self
            .reader()
            .with_context(|| format!("{}: cannot read", self.source))?;
        scan(reader, false, &mut |found| each(LazyItem::from(found)))
            .with_context(|| format!("{}: cannot read", self.source))
    }

    /// Reads the text as [`Input::read`] does, without parsing the events of an array or of
    /// NDJSON (for a text already checked): each event's line and exact text.
    pub fn read_texts(
        &self,
        mut each: impl FnMut(usize, String) -> ControlFlow<()>,
    ) -> anyhow::Result<Shape> {
        let reader = self
            .reader()
            .with_context(|| format!("{}: cannot read", self.source))?;
        let mut changed = None;
        let shape = scan(reader, false, &mut |found| match found {
            Found::Event { line, raw, .. } => each(line, raw),
            Found::NotJson(error) => {
                changed = Some(error);
                ControlFlow::Break(())
            }
        })
        .with_context(|| format!("{}: cannot read", self.source))?;
        match changed {
            Some(error) => {
                anyhow::bail!("{}:{error} (it changed since it was checked)", self.source)
            }
            None => Ok(shape),
        }
    }

    /// [`Input::ndjson_parts`] for `threads` threads to read side by side: [`STRETCHES_PER_THREAD`]
    /// each, none shorter than [`SHORTEST_STRETCH`]. `None` also for a file too short for two
    /// stretches, without reading it: it is read as it comes, on one thread.
    pub fn ndjson_stretches(&self, threads: usize) -> io::Result<Option<Vec<Part>>> {
        match self.metadata()? {
            Some(metadata) if metadata.len() >= 2 * SHORTEST_STRETCH => {
                self.ndjson_parts(threads * STRETCHES_PER_THREAD, SHORTEST_STRETCH)
            }
            Some(_) | None => Ok(None),
        }
    }

    /// Splits a file of NDJSON into stretches of about equal size for threads to read side by
    /// side ([`Part::lines`]): `parts` of them, or fewer so that none is shorter than `shortest`
    /// bytes (one at least), when the text is NDJSON by the rule [`Input::read`] follows: its
    /// first non-blank line is JSON by itself and does not open an array. `None` for stdin read
    /// as it comes and for any other text (an array, a single value, a torn first line), which
    /// [`Input::read`] sorts out. The stretches share one open handle on the file.
    pub fn ndjson_parts(&self, parts: usize, shortest: u64) -> io::Result<Option<Vec<Part>>> {
        let Some(file) = self.file()? else {
            return Ok(None);
        };
        // The rule is `scan`'s, which decides the shape by the time it hands on its first find.
        let mut first_is_event = false;
        let shape = scan(BufReader::new(&file), false, &mut |found| {
            first_is_event = matches!(found, Found::Event { .. });
            ControlFlow::Break(())
        })?;
        if shape != Shape::Ndjson || !first_is_event {
            return Ok(None);
        }
        let mut head = Vec::with_capacity(BOM.len());
        ReadAt {
            file: &file,
            offset: 0,
        }
        .take(BOM.len() as u64)
        .read_to_end(&mut head)?;
        let start = if head == BOM { BOM.len() as u64 } else { 0 };
        let len = file.metadata()?.len().max(start) - start;
        let parts = (parts as u64).clamp(1, (len / shortest.max(1)).max(1));
        // One handle for all: the stretches read at offsets of their own.
        let file = Arc::new(file);
        Ok(Some(
            (0..parts)
                .map(|part| Part {
                    file: Arc::clone(&file),
                    text_start: start,
                    start: start + len * part / parts,
                    end: start + len * (part + 1) / parts,
                })
                .collect(),
        ))
    }

    /// The whole text, byte for byte, without a leading byte-order mark.
    pub fn whole(&self) -> anyhow::Result<Vec<u8>> {
        let mut text = Vec::new();
        self.reader()
            .and_then(|mut reader| {
                skip_bom(&mut reader)?;
                reader.read_to_end(&mut text)
            })
            .with_context(|| format!("{}: cannot read", self.source))?;
        Ok(text)
    }
}

/// Stretches of a file of NDJSON per thread ([`Input::ndjson_stretches`]): the last one taken is
/// read by one thread while the others have nothing left, so stretches are short. With 8 a
/// thread of two checked the last 7 MB of 115 MB alone for 26 ms (strace); with 32, `send`'s
/// check of 50,000 events 186 -> 179 ms (twelve interleaved runs, medians).
const STRETCHES_PER_THREAD: usize = 32;

/// The shortest stretch, in bytes ([`Input::ndjson_stretches`]): a small file is one stretch,
/// read by one thread, where a thread started for it would cost more than it reads (a folder of
/// captured events holds thousands of files of one event).
const SHORTEST_STRETCH: u64 = 16 * 1024;

/// A stretch of a file of NDJSON that one thread reads by itself, from [`Input::ndjson_parts`]:
/// the lines that start in it.
#[derive(Debug)]
pub struct Part {
    file: Arc<File>,
    /// Where the text starts (after a byte-order mark).
    text_start: u64,
    /// The stretch, in bytes of the file.
    start: u64,
    end: u64,
}

impl Part {
    /// Hands `each` each non-blank line that starts in the stretch, with its number within the
    /// stretch (from 1, blank lines counted) and its bytes without the line break, until `each`
    /// stops or the stretch ends; returns how many lines, blank or not, start in the stretch
    /// (when `each` did not stop). A line that starts in the stretch is read to its end, past the
    /// stretch if need be; one that starts before it is left to the stretch before, so the
    /// stretches of a file share out its lines, and a line's number in the file is its number in
    /// its stretch plus the lines of the stretches before.
    pub fn lines(
        &self,
        mut each: impl FnMut(usize, &[u8]) -> ControlFlow<()>,
    ) -> io::Result<usize> {
        // From the byte before the stretch, to see whether a line starts with the stretch.
        let mut at = self.start.saturating_sub(1).max(self.text_start);
        let mut reader = BufReader::with_capacity(
            256 * 1024,
            ReadAt {
                file: &self.file,
                offset: at,
            },
        );
        if at < self.start {
            // Skipped, not kept: a line that starts before the stretch may be long.
            at += reader.skip_until(b'\n')? as u64;
        }
        let mut line = Vec::new();
        let mut lines = 0;
        while at < self.end {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            at += read as u64;
            lines += 1;
            let text = trim_line(&line);
            if text.iter().all(|byte| is_blank(*byte)) {
                continue;
            }
            if each(lines, text).is_break() {
                break;
            }
        }
        Ok(lines)
    }
}

/// Reads a file from an offset of its own, whatever other handles on the file do.
struct ReadAt<'a> {
    file: &'a File,
    offset: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let read = std::os::unix::fs::FileExt::read_at(self.file, buffer, self.offset)?;
        #[cfg(windows)]
        let read = std::os::windows::fs::FileExt::seek_read(self.file, buffer, self.offset)?;
        self.offset += read as u64;
        Ok(read)
    }
}

/// Copies a stream to a temporary file that is removed at once, and returns the file.
fn spool(stream: &mut dyn Read) -> io::Result<File> {
    /// Streams copied so far by this process, so that two never share a name.
    static SPOOLED: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "awork-sim-stream-{}-{}-{}",
        std::process::id(),
        SPOOLED.fetch_add(1, Ordering::Relaxed),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos())
    ));
    let mut file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    // Removed while open: the data stays until the handle closes, and nothing is left behind.
    std::fs::remove_file(&path)?;
    io::copy(stream, &mut file)?;
    file.rewind()?;
    Ok(file)
}

/// What a text turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Nothing but whitespace.
    Empty,
    /// One JSON value (an event, or what should have been one).
    Single,
    /// One event per non-blank line.
    Ndjson,
    /// A JSON array of events.
    Array,
}

/// What reading found: an event, or a part of the text that is not JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An event.
    Event(RawEvent),
    /// A line of NDJSON that is not JSON (reading goes on), or where a single value or an array
    /// stops being JSON (nothing of that text follows).
    NotJson(SyntaxError),
}

/// One event of a text with its exact text: for NDJSON the line (without its line break), for a
/// single value the text without trailing whitespace, for an array the element as written.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    /// The line where the event starts.
    pub line: usize,
    /// The event as it was read.
    pub value: Value,
    /// The event's text, exactly as it appears in the input.
    pub raw: String,
}

/// What [`Input::read_lazily`] found: an event, parsed when asked, or a part of the text that is
/// not JSON.
#[derive(Debug)]
pub enum LazyItem {
    /// An event (or what should be one).
    Event(LazyEvent),
    /// As [`Item::NotJson`].
    NotJson(SyntaxError),
}

impl From<Found> for LazyItem {
    fn from(found: Found) -> LazyItem {
        match found {
            Found::Event {
                line,
                column,
                raw,
                value,
            } => LazyItem::Event(LazyEvent {
                line,
                column,
                raw,
                value,
            }),
            Found::NotJson(error) => LazyItem::NotJson(error),
        }
    }
}

impl LazyItem {
    /// A non-blank line of NDJSON, line `line` of the input, as [`Input::read_lazily`] hands it on
    /// (for a reader of a [`Part`]'s lines).
    pub fn line(line: usize, text: &[u8]) -> LazyItem {
        LazyItem::from(unparsed_line(line, text.to_vec()))
    }
}

/// An event of [`Input::read_lazily`]: its line and exact text, parsed when asked.
#[derive(Debug)]
pub struct LazyEvent {
    /// The line where the event starts.
    pub line: usize,
    /// The column where it starts, from 1 (an element of an array may start anywhere on a line).
    column: usize,
    /// The event's text, exactly as it appears in the input.
    pub raw: String,
    /// The event, when reading had to parse it anyway.
    value: Option<Value>,
}

impl LazyEvent {
    /// An event known by its text alone, for tests.
    #[cfg(test)]
    pub fn unparsed(line: usize, raw: String) -> LazyEvent {
        LazyEvent {
            line,
            column: 1,
            raw,
            value: None,
        }
    }

    /// What [`Input::read`] hands on for this event: the event parsed, or, for a line of NDJSON
    /// that is not JSON, where and why.
    pub fn parse(self) -> Item {
        let value = match self.value {
            Some(value) => Ok(value),
            None => parse_text(&self.raw, self.line, self.column),
        };
        match value {
            Ok(value) => Item::Event(RawEvent {
                line: self.line,
                value,
                raw: self.raw,
            }),
            Err(error) => Item::NotJson(error),
        }
    }
}

/// Where and why a text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The line of the error, from 1.
    pub line: usize,
    /// The column of the error, from 1.
    pub column: usize,
    /// serde_json's message, without its position.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    /// `LINE:COLUMN: not JSON: MESSAGE`, to follow a file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: not JSON: {}",
            self.line, self.column, self.message
        )
    }
}

impl SyntaxError {
    /// The error serde_json reports for a text whose first line is line `first_line` of the input;
    /// `line_len(n)` is the length of the text's line `n` (from 1), for an error serde_json puts
    /// at column 0 of the next line.
    fn from_json(
        error: &serde_json::Error,
        first_line: usize,
        line_len: impl FnOnce(usize) -> usize,
    ) -> SyntaxError {
        let (line, column) = (error.line(), error.column());
        let message = error.to_string();
        let message = message
            .strip_suffix(&format!(" at line {line} column {column}"))
            .unwrap_or(&message)
            .to_owned();
        // serde_json reports an error found on reading a newline (`tru` then the end of the line, or the
        // end of the text) as column 0 of the next line; editors want the newline's own position.
        let (line, column) = match (line, column) {
            (0 | 1, 0) => (1, 1),
            (line, 0) => (line - 1, line_len(line - 1) + 1),
            position => position,
        };
        SyntaxError {
            line: first_line + line - 1,
            column,
            message,
        }
    }

    /// Text that is not UTF-8, on line `line`, with `valid` bytes of the line before the error.
    fn not_utf8(line: usize, valid: &[u8]) -> SyntaxError {
        let before = String::from_utf8_lossy(valid);
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        SyntaxError {
            line: line + before.matches('\n').count(),
            column: before[line_start..].chars().count() + 1,
            message: "not UTF-8".to_owned(),
        }
    }
}

/// What [`scan`] hands on: an event (parsed when asked), or a part that is not JSON.
enum Found {
    Event {
        line: usize,
        /// From 1: an element of an array may start anywhere on its line, a line of NDJSON or a
        /// single value starts at 1 (its indent is part of its text).
        column: usize,
        raw: String,
        value: Option<Value>,
    },
    NotJson(SyntaxError),
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// A byte-order mark: not JSON, but editors write it.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn skip_bom(reader: &mut dyn BufRead) -> io::Result<()> {
    if reader.fill_buf()?.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    Ok(())
}

/// Splits the text of `reader` into events, handing each to `each`; `parse` says whether the
/// events of an array or of NDJSON are parsed (a single value is always).
fn scan(
    mut reader: impl BufRead,
    parse: bool,
    each: &mut dyn FnMut(Found) -> ControlFlow<()>,
) -> io::Result<Shape> {
    skip_bom(&mut reader)?;
    // Blank lines before the text are counted; the blanks that start its first line are kept, so
    // that columns stay those of the file.
    let mut line = 1;
    let mut indent = Vec::new();
    let first = loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(Shape::Empty);
        }
        let blanks = buffer.iter().position(|byte| !is_blank(*byte));
        let skipped = &buffer[..blanks.unwrap_or(buffer.len())];
        match skipped.iter().rposition(|byte| *byte == b'\n') {
            Some(last) => {
                line += skipped.iter().filter(|byte| **byte == b'\n').count();
                indent.clear();
                indent.extend_from_slice(&skipped[last + 1..]);
            }
            None => indent.extend_from_slice(skipped),
        }
        let (skipped, first) = (skipped.len(), blanks.map(|at| buffer[at]));
        reader.consume(skipped);
        if let Some(first) = first {
            break first;
        }
    };
    if first == b'[' {
        return array(io::Cursor::new(indent).chain(reader), line, parse, each);
    }

    // The first non-blank line, then (when it is not JSON by itself) the second.
    let mut consumed = indent;
    reader.read_until(b'\n', &mut consumed)?;
    let first_line = line;
    let first_end = consumed.len();
    if let Ok(value) = parse_line(trim_line(&consumed), first_line) {
        let raw = into_line(consumed);
        if each(Found::Event {
            line: first_line,
            column: 1,
            raw,
            value: Some(value),
        })
        .is_break()
        {
            return Ok(Shape::Ndjson);
        }
        return ndjson(reader, first_line, parse, each);
    }
    line += 1;
    let second = loop {
        let start = consumed.len();
        if reader.read_until(b'\n', &mut consumed)? == 0 {
            break None;
        }
        if consumed[start..].iter().all(|byte| is_blank(*byte)) {
            line += 1;
            continue;
        }
        break Some(start);
    };
    if let Some(start) = second {
        if let Ok(value @ Value::Object(_)) = parse_line(trim_line(&consumed[start..]), line) {
            // NDJSON whose first line is torn.
            let torn = parse_line(trim_line(&consumed[..first_end]), first_line).err();
            if let Some(torn) = torn {
                if each(Found::NotJson(torn)).is_break() {
                    return Ok(Shape::Ndjson);
                }
            }
            let raw = into_line(consumed[start..].to_vec());
            if each(Found::Event {
                line,
                column: 1,
                raw,
                value: Some(value),
            })
            .is_break()
            {
                return Ok(Shape::Ndjson);
            }
            return ndjson(reader, line, parse, each);
        }
    }

    // One value, read whole.
    reader.read_to_end(&mut consumed)?;
    let text = match String::from_utf8(consumed) {
        Ok(text) => text,
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let _ = each(Found::NotJson(SyntaxError::not_utf8(first_line, valid)));
            return Ok(Shape::Single);
        }
    };
    let _ = each(match serde_json::from_str::<Value>(&text) {
        Ok(value) => Found::Event {
            line: first_line,
            column: 1,
            raw: text.trim_end().to_owned(),
            value: Some(value),
        },
        Err(error) => Found::NotJson(SyntaxError::from_json(&error, first_line, |line| {
            text.split('\n').nth(line - 1).map_or(0, str::len)
        })),
    });
    Ok(Shape::Single)
}

/// A line without its line break (`\n` or `\r\n`).
fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The text of a line known to be UTF-8 (it parsed), without its line break.
fn into_line(mut line: Vec<u8>) -> String {
    let len = trim_line(&line).len();
    line.truncate(len);
    String::from_utf8(line)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Parses one line of NDJSON, line `line` of the input.
fn parse_line(text: &[u8], line: usize) -> Result<Value, SyntaxError> {
    let text = std::str::from_utf8(text)
        .map_err(|error| SyntaxError::not_utf8(line, &text[..error.valid_up_to()]))?;
    parse_text(text, line, 1)
}

/// Parses the text of one event (a line of NDJSON, an element of an array) that starts at column
/// `column` of line `line` of the input.
fn parse_text(text: &str, line: usize, column: usize) -> Result<Value, SyntaxError> {
    serde_json::from_str(text).map_err(|error| {
        let mut found = SyntaxError::from_json(&error, line, |n| {
            text.split('\n').nth(n - 1).map_or(0, str::len)
        });
        if found.line == line {
            found.column += column - 1;
        }
        found
    })
}

/// Whether `text` is one JSON value, with nothing but whitespace around it: what [`parse_text`]
/// accepts, checked without building the value (in under a quarter of the time: 84 against 379
/// ms for 50,000 generated events, one thread). The one text judged otherwise is an object whose
/// first key is serde_json's private token for raw values, which [`parse_text`] reads as the JSON
/// in its string: JSON all the same.
pub fn is_json(text: &str) -> bool {
    serde_json::from_str::<AnyJson>(text).is_ok()
}

/// A JSON value read and let go: reading one checks its text as reading a [`Value`] does (every
/// string and escape decoded, numbers in range, nesting within serde_json's limit), where
/// [`serde::de::IgnoredAny`] skips over the text and passes a lone surrogate (`"\ud800"`) or a
/// number out of range (`1e400`).
struct AnyJson;

impl<'de> serde::Deserialize<'de> for AnyJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<AnyJson, D::Error> {
        deserializer.deserialize_any(AnyJson)
    }
}

impl<'de> Visitor<'de> for AnyJson {
    type Value = AnyJson;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_unit<E: de::Error>(self) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut elements: A) -> Result<AnyJson, A::Error> {
        while elements.next_element::<AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut entries: A) -> Result<AnyJson, A::Error> {
        while entries.next_entry::<AnyJson, AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
}

/// Reads NDJSON after line `line`: one event per non-blank line.
fn ndjson(
    mut reader: impl BufRead,
    mut line: usize,
    parse: bool,
    each: &mut dyn FnMut(Found) -> ControlFlow<()>,
) -> io::Result<Shape> {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(Shape::Ndjson);
        }
        line += 1;
        let text = trim_line(&buffer);
        if text.iter().all(|byte| is_blank(*byte)) {
            continue;
        }
        let found = if parse {
            match parse_line(text, line) {
                Ok(value) => Found::Event {
                    line,
                    column: 1,
                    raw: into_line(std::mem::take(&mut buffer)),
                    value: Some(value),
                },
                Err(error) => Found::NotJson(error),
            }
        } else {
            unparsed_line(line, std::mem::take(&mut buffer))
        };
        if each(found).is_break() {
            return Ok(Shape::Ndjson);
        }
    }
}

/// A non-blank line of NDJSON, line `line` of the input, with or without its line break, as
/// [`Input::read_lazily`] hands it on: its text unparsed, or where it stops being UTF-8.
fn unparsed_line(line: usize, buffer: Vec<u8>) -> Found {
    let text = trim_line(&buffer);
    match std::str::from_utf8(text).map_err(|error| error.valid_up_to()) {
        Ok(_) => Found::Event {
            line,
            column: 1,
            raw: into_line(buffer),
            value: None,
        },
        Err(valid) => Found::NotJson(SyntaxError::not_utf8(line, &text[..valid])),
    }
}

/// What the array reader knows of the bytes serde_json took: newlines, the length of the last
/// whole line, the lengths of the lines ended since the last element, the last byte.
#[derive(Debug, Default)]
struct Taken {
    newlines: Cell<usize>,
    line_len: Cell<usize>,
    last_line_len: Cell<usize>,
    /// Cleared after each element, so it holds the lines up to and through the next one.
    line_lens: RefCell<Vec<usize>>,
    last: Cell<u8>,
    /// The receiver of the events asked to stop.
    stopped: Cell<bool>,
}

impl Taken {
    /// Where the element `raw`, just taken, starts: its line (the array starting on line
    /// `first_line`) and its column, from 1. Forgets the lines taken so far.
    fn start_of(&self, raw: &str, first_line: usize) -> (usize, usize) {
        let mut line_lens = self.line_lens.borrow_mut();
        // After a number serde_json has taken the byte that ends it (a number ends with a digit;
        // at the end of the text there is none).
        let ender = raw.starts_with(|c: char| c == '-' || c.is_ascii_digit())
            && !self.last.get().is_ascii_digit();
        let ended_line = ender && self.last.get() == b'\n';
        let inner_newlines = raw.matches('\n').count();
        let line = first_line + self.newlines.get() - usize::from(ended_line) - inner_newlines;
        // The length of the line the element starts on: recorded at its newline when the
        // element goes on past it; else the line being taken, or the one before when the byte
        // that ended a number was a newline. The element's text on that line runs to its end.
        let first_line_len = if inner_newlines > 0 {
            let first = line_lens.len().saturating_sub(inner_newlines);
            line_lens.get(first).copied().unwrap_or_default()
        } else if ended_line {
            self.last_line_len.get()
        } else {
            self.line_len.get() - usize::from(ender)
        };
        let on_first_line = raw.split('\n').next().map_or(0, str::len);
        line_lens.clear();
        (
            line,
            (first_line_len + 1).saturating_sub(on_first_line).max(1),
        )
    }
}

/// A reader that tells [`Taken`] what it hands on.
struct Counting<R> {
    inner: R,
    taken: Rc<Taken>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        let taken = &self.taken;
        for byte in &buf[..read] {
            if *byte == b'\n' {
                taken.newlines.set(taken.newlines.get() + 1);
                taken.last_line_len.set(taken.line_len.get());
                taken.line_lens.borrow_mut().push(taken.line_len.get());
                taken.line_len.set(0);
            } else {
                taken.line_len.set(taken.line_len.get() + 1);
            }
            taken.last.set(*byte);
        }
        Ok(read)
    }
}

/// Reads a JSON array whose text (`reader`, from the start of its line) starts on line
/// `first_line`, one element at a time. The elements are told apart by [`ArraySplitter`], which
/// finds where each ends by its brackets and quotes and reads it from memory (serde_json reads
/// from an `io::Read` one byte at a time, through a count of lines and columns: `send` of
/// 20,000 events took 1.15-1.30 s as an array against 0.30-0.34 s as NDJSON, now 0.44-0.61 s,
/// and `validate` 0.74-0.85 s, now 0.31-0.33 s; four interleaved runs); from the first
/// place the splitter cannot read as plain valid JSON, serde_json's reader ([`read_array`])
/// takes over, from the last element handed on, so what is wrong there is told as before, in
/// the same words and at the same place.
fn array(
    reader: impl BufRead,
    first_line: usize,
    parse: bool,
    each: &mut dyn FnMut(Found) -> ControlFlow<()>,
) -> io::Result<Shape> {
    let mut splitter = ArraySplitter::new(reader, first_line);
    let Some(restart) = splitter.split(parse, each)? else {
        return Ok(Shape::Array);
    };
    // serde_json reads on from `restart`: the text from there, after a `[` of its own when that
    // is an element, which it skips, having been handed on already.
    let ArraySplitter {
        mut window, reader, ..
    } = splitter;
    window.drain(..restart.from);
    let rest = io::Cursor::new(window).chain(reader);
    match restart.element {
        None => read_array(rest, Origin::start(first_line), 0, parse, each),
        Some((line, column)) => read_array(
            io::Cursor::new(b"[".as_slice()).chain(rest),
            Origin {
                line,
                column_offset: column as isize - 2,
            },
            1,
            parse,
            each,
        ),
    }
}

/// Where the text [`read_array`] reads stands in the input: its first line is line `line`, and
/// on that line a column of its own is `column_offset` columns further in the input's.
#[derive(Debug, Clone, Copy)]
struct Origin {
    line: usize,
    column_offset: isize,
}

impl Origin {
    /// A text read from the start of line `line`.
    fn start(line: usize) -> Origin {
        Origin {
            line,
            column_offset: 0,
        }
    }

    /// The input's column of column `column` of line `line`.
    fn column(self, line: usize, column: usize) -> usize {
        if line == self.line {
            column.saturating_add_signed(self.column_offset).max(1)
        } else {
            column
        }
    }
}

/// Where [`ArraySplitter::split`] stopped telling elements apart: serde_json reads on from
/// `from` in the window, the start of the array's text (`element` is `None`) or of the last
/// element handed on, at this line and column.
struct Restart {
    from: usize,
    element: Option<(usize, usize)>,
}

/// Tells the elements of a JSON array apart in its text, in a window of memory that holds the
/// last element handed on, what follows it as far as it was read, and at most [`SPLIT_KEPT`]
/// bytes before it: see [`array()`].
struct ArraySplitter<R> {
    reader: R,
    /// The text kept: from its start until an element has been handed on past [`SPLIT_KEPT`].
    window: Vec<u8>,
    /// Where the text is looked at next, in `window`.
    at: usize,
    /// The line of `at`, and where that line starts, counted from the window's start (it may
    /// have started before it, and be negative).
    line: usize,
    line_start: isize,
    /// The last element handed on: where it starts in the window, its line and column.
    last: Option<(usize, usize, usize)>,
    /// The reader has nothing more.
    ended: bool,
}

/// Nesting deeper than this is left to serde_json, which counts it against its own limit.
const SPLIT_DEPTH: usize = 64;

/// How much text before the last element handed on the window may keep before it lets it go:
/// letting it go after each element would move the rest of the window each time; with 256 KiB
/// `send` of a 20,000-event array peaked at 25-29 MB against 23 MB, as fast.
const SPLIT_KEPT: usize = 64 * 1024;

impl<R: BufRead> ArraySplitter<R> {
    fn new(reader: R, first_line: usize) -> Self {
        ArraySplitter {
            reader,
            window: Vec::new(),
            at: 0,
            line: first_line,
            line_start: 0,
            last: None,
            ended: false,
        }
    }

    /// The byte at `index` of the window, reading more when it is past its end; `None` at the
    /// end of the text.
    fn byte(&mut self, index: usize) -> io::Result<Option<u8>> {
        while index >= self.window.len() && !self.ended {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                self.ended = true;
            } else {
                let read = buffer.len();
                self.window.extend_from_slice(buffer);
                self.reader.consume(read);
            }
        }
        Ok(self.window.get(index).copied())
    }

    /// Moves `at` to `to`, counting the lines passed.
    fn advance(&mut self, to: usize) {
        for (index, byte) in self.window[self.at..to].iter().enumerate() {
            if *byte == b'\n' {
                self.line += 1;
                self.line_start = (self.at + index + 1) as isize;
            }
        }
        self.at = to;
    }

    /// Moves `at` past whitespace; the byte there, if any.
    fn skip_blanks(&mut self) -> io::Result<Option<u8>> {
        let mut to = self.at;
        while let Some(byte) = self.byte(to)? {
            if !is_blank(byte) {
                self.advance(to);
                return Ok(Some(byte));
            }
            to += 1;
        }
        self.advance(to);
        Ok(None)
    }

    /// Where the element that starts at `at` ends (past its last byte), if it is plain: an
    /// object or array nested no deeper than [`SPLIT_DEPTH`], a string, or a scalar. Scans the
    /// window as a slice, reading more only at its end.
    fn element_end(&mut self) -> io::Result<Option<usize>> {
        let Some(first) = self.byte(self.at)? else {
            return Ok(None);
        };
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let mut index = self.at;
        loop {
            for (offset, &byte) in self.window[index..].iter().enumerate() {
                if scalar {
                    if matches!(byte, b',' | b']') || is_blank(byte) {
                        return Ok(Some(index + offset));
                    }
                } else if in_string {
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                        if depth == 0 {
                            return Ok(Some(index + offset + 1));
                        }
                    }
                } else {
                    match byte {
                        b'"' => in_string = true,
                        b'{' | b'[' => {
                            depth += 1;
                            if depth > SPLIT_DEPTH {
                                return Ok(None);
                            }
                        }
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return Ok(Some(index + offset + 1));
                            }
                        }
                        _ => {}
                    }
                }
            }
            index = self.window.len();
            // The window is scanned: more text, or the end of it (which ends a scalar only).
            if self.byte(index)?.is_none() {
                return Ok(scalar.then_some(index));
            }
        }
    }

    /// Hands each element on, as [`read_array`] would, until the array ends (`None`), `each`
    /// stops (`None`), or the text is anything but plain valid JSON: then where serde_json is to
    /// read on from. Keeps in memory the last element handed on and what follows it.
    fn split(
        &mut self,
        parse: bool,
        each: &mut dyn FnMut(Found) -> ControlFlow<()>,
    ) -> io::Result<Option<Restart>> {
        let restart = |splitter: &Self| match splitter.last {
            Some((from, line, column)) => Restart {
                from,
                element: Some((line, column)),
            },
            None => Restart {
                from: 0,
                element: None,
            },
        };
        // The `[`, known to come first after blanks.
        if self.skip_blanks()? != Some(b'[') {
            return Ok(Some(restart(self)));
        }
        self.advance(self.at + 1);
        let mut first = true;
        loop {
            match self.skip_blanks()? {
                Some(b']') if first => break,
                Some(_) => {}
                None => return Ok(Some(restart(self))),
            }
            let Some(end) = self.element_end()? else {
                return Ok(Some(restart(self)));
            };
            let Ok(raw) = std::str::from_utf8(&self.window[self.at..end]) else {
                return Ok(Some(restart(self)));
            };
            let (line, column) = (self.line, (self.at as isize - self.line_start + 1) as usize);
            // Plain valid JSON, by the parse asked for or, without one, by `is_json`, which
            // accepts what the parse does.
            let value = if parse {
                match parse_text(raw, line, column) {
                    Ok(value) => Some(value),
                    Err(_) => return Ok(Some(restart(self))),
                }
            } else if is_json(raw) {
                None
            } else {
                return Ok(Some(restart(self)));
            };
            let found = Found::Event {
                line,
                column,
                raw: raw.to_owned(),
                value,
            };
            let len = end - self.at;
            // What comes before this element is not needed again.
            if self.at >= SPLIT_KEPT {
                let before = self.at;
                self.window.drain(..before);
                self.line_start -= before as isize;
                self.at = 0;
            }
            self.last = Some((self.at, line, column));
            self.advance(self.at + len);
            if each(found).is_break() {
                return Ok(None);
            }
            first = false;
            match self.skip_blanks()? {
                Some(b',') => self.advance(self.at + 1),
                Some(b']') => break,
                _ => return Ok(Some(restart(self))),
            }
            // A `]` after a comma is not JSON: serde_json says so.
            if self.skip_blanks()? == Some(b']') {
                return Ok(Some(restart(self)));
            }
        }
        // After the `]`, nothing but blanks.
        self.advance(self.at + 1);
        match self.skip_blanks()? {
            None => Ok(None),
            Some(_) => Ok(Some(restart(self))),
        }
    }
}

/// Reads a JSON array with serde_json's reader, one element at a time, the text standing at
/// `origin` in the input; the first `skip` elements (handed on already) are not handed on.
fn read_array(
    reader: impl Read,
    origin: Origin,
    skip: usize,
    parse: bool,
    each: &mut dyn FnMut(Found) -> ControlFlow<()>,
) -> io::Result<Shape> {
    let first_line = origin.line;
    let taken = Rc::new(Taken::default());
    // serde_json reads from an `io::Read` one byte at a time; `reader` is buffered.
    let counting = Counting {
        inner: reader,
        taken: Rc::clone(&taken),
    };
    let mut deserializer = serde_json::Deserializer::from_reader(counting);
    let elements = Elements {
        origin,
        skip,
        parse,
        each: &mut *each,
        taken: &taken,
    };
    let result = (&mut deserializer)
        .deserialize_seq(elements)
        .and_then(|()| deserializer.end());
    match result {
        Ok(()) => {}
        Err(_) if taken.stopped.get() => {}
        Err(error) if error.is_io() => return Err(error.into()),
        Err(error) => {
            let last_line_len = taken.last_line_len.get();
            let mut error = SyntaxError::from_json(&error, first_line, |_| last_line_len);
            error.column = origin.column(error.line, error.column);
            let _ = each(Found::NotJson(error));
        }
    }
    Ok(Shape::Array)
}

/// Visits the elements of an array, handing each on as it is read but the first `skip`.
struct Elements<'a> {
    origin: Origin,
    skip: usize,
    parse: bool,
    each: &'a mut dyn FnMut(Found) -> ControlFlow<()>,
    taken: &'a Taken,
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut elements: A) -> Result<(), A::Error> {
        let mut skip = self.skip;
        while let Some(element) = elements.next_element::<Box<RawValue>>()? {
            let raw = element.get();
            let (line, column) = self.taken.start_of(raw, self.origin.line);
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let column = self.origin.column(line, column);
            let found = if self.parse {
                match parse_text(raw, line, column) {
                    Ok(value) => Found::Event {
                        line,
                        column,
                        raw: raw.to_owned(),
                        value: Some(value),
                    },
                    Err(error) => Found::NotJson(error),
                }
            } else {
                Found::Event {
                    line,
                    column,
                    raw: raw.to_owned(),
                    value: None,
                }
            };
            if (self.each)(found).is_break() {
                self.taken.stopped.set(true);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// An event as `(line, raw)`, or an error as its text.
    type Seen = Result<(usize, String), String>;

    #[test]
    fn a_folder_s_files_come_in_name_order_numbers_by_value() {
        let dir = std::env::temp_dir().join(format!("awork-sim-by-name-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Written out of order; listen --record's numbers pass six digits.
        let names = [
            "1000000-task_added.json",
            "b.ndjson",
            "999999-task_added.json",
            "100001-user_added.json",
            "0010-x.json",
            "9-x.json",
            "010-x.json",
            "a.json",
            "notes.txt",
        ];
        for name in names {
            std::fs::write(dir.join(name), "{}").unwrap();
        }
        let files: Vec<String> = event_files(&dir)
            .unwrap()
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            files,
            [
                "9-x.json",
                "010-x.json",
                "0010-x.json",
                "100001-user_added.json",
                "999999-task_added.json",
                "1000000-task_added.json",
                "a.json",
                "b.ndjson",
            ]
        );
    }

    /// What reading `text` finds.
    fn found(text: &str) -> (Shape, Vec<Seen>) {
        let mut all = Vec::new();
        let shape = scan(text.as_bytes(), true, &mut |found| {
            all.push(match found {
                Found::Event {
                    line, raw, value, ..
                } => {
                    assert_eq!(value, serde_json::from_str(&raw).ok(), "{raw}");
                    Ok((line, raw))
                }
                Found::NotJson(error) => Err(error.to_string()),
            });
            ControlFlow::Continue(())
        })
        .unwrap();
        (shape, all)
    }

    fn lines(text: &str) -> Vec<usize> {
        found(text)
            .1
            .into_iter()
            .map(|found| found.unwrap().0)
            .collect()
    }

    fn raws(text: &str) -> Vec<String> {
        found(text)
            .1
            .into_iter()
            .map(|found| found.unwrap().1)
            .collect()
    }

    #[test]
    fn is_json_judges_a_text_as_parsing_it_does() {
        let deep = |depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let texts = [
            "{\"a\": [1, -2, 3.5e-3, true, null, \"x\\u00e9\"]}",
            " 42 ",
            "\"\\ud83d\\ude00\"",
            "{\"a\": 1, \"a\": 2}",
            // serde_json reads 127 levels of nesting, no more.
            &deep(127),
            // Not JSON; the first and the fourth pass serde's `IgnoredAny`, which skips over text.
            "\"\\ud800\"",
            "\"\\x\"",
            "\"tab\tinside\"",
            "1e400",
            &deep(128),
            // Not JSON by its shape.
            "{\"a\": 1} {}",
            "{\"a\": 1,}",
            "",
        ];
        let judged: Vec<(&str, bool)> = texts.iter().map(|text| (*text, is_json(text))).collect();
        let parsed: Vec<(&str, bool)> = texts
            .iter()
            .map(|text| (*text, parse_text(text, 1, 1).is_ok()))
            .collect();
        assert_eq!(judged, parsed);
        assert_eq!(judged.iter().filter(|(_, json)| *json).count(), 5);
    }

    #[test]
    fn a_single_value_is_one_event_on_the_line_where_it_starts() {
        assert_eq!(found("{\"a\": 1}").0, Shape::Ndjson);
        assert_eq!(lines("\n\n  {\n\"a\": 1\n}\n"), [3]);
        assert_eq!(found("\n\n  {\n\"a\": 1\n}\n").0, Shape::Single);
        let mut values = Vec::new();
        scan(&b"{\n\"a\": 1\n}"[..], true, &mut |found| {
            if let Found::Event { value, .. } = found {
                values.push(value);
            }
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(values, [Some(json!({"a": 1}))]);
    }

    #[test]
    fn an_array_is_its_elements_each_on_its_line() {
        assert_eq!(
            lines("[\n{\"a\": 1},\n\n  {\"b\": 2}, {\"c\": 3}\n]"),
            [2, 4, 4]
        );
        assert_eq!(lines("\n [1,\n2\n,\n-3\n]\n"), [2, 3, 5]);
        assert_eq!(found("[]"), (Shape::Array, vec![]));
    }

    #[test]
    fn ndjson_is_one_event_per_non_blank_line() {
        assert_eq!(lines("{\"a\": 1}\n\n{\"b\": 2}\r\n{\"c\": 3}"), [1, 3, 4]);
        assert_eq!(lines("\u{feff}{\"a\": 1}\n{\"b\": 2}\n"), [1, 2]);
    }

    #[test]
    fn raw_events_keep_their_exact_text() {
        assert_eq!(
            raws("{\"a\":  1}\r\n\n{ \"b\": 2 }\n"),
            ["{\"a\":  1}", "{ \"b\": 2 }"]
        );
        assert_eq!(raws("\u{feff}{\n  \"a\": 1\n}\n\n"), ["{\n  \"a\": 1\n}"]);
        assert_eq!(
            raws("[ {\"a\":1} ,\n{ \"b\": [2] }]"),
            ["{\"a\":1}", "{ \"b\": [2] }"]
        );
        assert_eq!(lines("{\"a\":1}\n{\"b\":2}")[1], 2);
    }

    #[test]
    fn blank_text_is_no_events() {
        assert_eq!(found(""), (Shape::Empty, vec![]));
        assert_eq!(found(" \n\r\n"), (Shape::Empty, vec![]));
        assert_eq!(found("\u{feff}"), (Shape::Empty, vec![]));
    }

    #[test]
    fn a_line_that_is_not_json_is_reported_and_reading_goes_on() {
        let (shape, all) = found("{\"a\": 1}\n{\"b\": 2}\n{\"c\": tru}\n{\"d\": 4}\n");
        assert_eq!(shape, Shape::Ndjson);
        assert_eq!(all[2], Err("3:10: not JSON: expected ident".to_owned()));
        assert_eq!(all[3], Ok((4, "{\"d\": 4}".to_owned())));
        // A torn first line, then events.
        let (shape, all) = found("{\"eventType\": \"task_ad\n{\"b\": 2}\n");
        assert_eq!(shape, Shape::Ndjson);
        assert!(all[0].as_ref().unwrap_err().starts_with("1:"), "{all:?}");
        assert_eq!(all[1], Ok((2, "{\"b\": 2}".to_owned())));
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn a_syntax_error_in_one_value_names_its_position_in_the_value() {
        // The first line alone is not JSON, so this is not NDJSON; the error is the value's.
        let error = |text: &str| found(text).1[0].clone().unwrap_err();
        assert_eq!(
            error("{\n  \"a\": 1,\n  \"b\": tru\n}\n"),
            "3:11: not JSON: expected ident"
        );
        // The end of the text: serde_json's column 0 of the line after the last newline.
        assert_eq!(
            error("{\n  \"a\": 1,\n"),
            "2:10: not JSON: EOF while parsing a value"
        );
        assert_eq!(error("nonsense"), "1:2: not JSON: expected ident");
        assert_eq!(error("\n\n  {\n  \"a\" 1}"), "4:7: not JSON: expected `:`");
    }

    #[test]
    fn a_syntax_error_in_an_array_names_its_position_and_ends_the_text() {
        let (_, all) = found("[\n  {\"a\": 1},\n  {\"b\": tru}\n]\n");
        assert_eq!(all[0], Ok((2, "{\"a\": 1}".to_owned())));
        assert_eq!(all[1], Err("3:12: not JSON: expected ident".to_owned()));
        assert_eq!(all.len(), 2);
        let (_, all) = found("[\n  {\"a\": 1},\n");
        assert_eq!(
            all[1],
            Err("2:12: not JSON: EOF while parsing a value".to_owned())
        );
        let (_, all) = found("[1]\n[2]\n");
        assert_eq!(all[1], Err("2:1: not JSON: trailing characters".to_owned()));
    }

    /// A reader of arrays: the text, whether to parse, and where to hand what it finds.
    type ArrayReader = fn(&[u8], bool, &mut dyn FnMut(Found) -> ControlFlow<()>);

    /// What reading an array finds, as text: each element's line, column, text and value, or the
    /// error; `stop_after` elements at most.
    fn array_finds(text: &[u8], parse: bool, stop_after: usize, read: ArrayReader) -> Vec<String> {
        let mut all = Vec::new();
        read(text, parse, &mut |found| {
            all.push(match found {
                Found::Event {
                    line,
                    column,
                    raw,
                    value,
                } => format!("{line}:{column} {raw} {value:?}"),
                Found::NotJson(error) => error.to_string(),
            });
            if all.len() == stop_after {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        all
    }

    #[test]
    fn the_array_splitter_finds_what_serde_json_finds_in_valid_and_broken_arrays() {
        let split: ArrayReader = |text, parse, each| {
            array(text, 1, parse, each).unwrap();
        };
        let by_serde_json: ArrayReader = |text, parse, each| {
            read_array(text, Origin::start(1), 0, parse, each).unwrap();
        };
        let long: Vec<String> = (0..160)
            .map(|n| format!("{{\"n\": {n}, \"text\": \"{}\"}}", "é".repeat(1200)))
            .collect();
        let bases = [
            r#"[{"a":1},{"b":[1,2,{"c":"x\"y\\"}]}, 3, "s", true, null, -1.5e3, []]"#.to_owned(),
            "  [\r\n  {\"a\": \"\\u00e9\"},\r\n  {\"b\": \"caf\u{e9}\"}\r\n]\r\n".to_owned(),
            "[\n  1,\n  \"two\",\n  {\"three\": [3, [3, [3]]]}\n  ]  \n".to_owned(),
            r#"[{"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]"#.to_owned(),
            r#"[ "\ud800", 1e400, {"k": "\ud83d\ude00"} ]"#.to_owned(),
            "[]".to_owned(),
            " [ ] x".to_owned(),
            format!("[\n{}\n]\n", long.join(",\n")),
        ];
        // The plain valid ones are split whole, with no help from serde_json (which would find
        // the same, only slower).
        for plain in [0, 1, 2, 5, 7] {
            let text = bases[plain].as_bytes();
            let mut elements = 0;
            let restart = ArraySplitter::new(text, 1)
                .split(false, &mut |_| {
                    elements += 1;
                    ControlFlow::Continue(())
                })
                .unwrap();
            assert!(restart.is_none(), "{}", bases[plain]);
            let expected = serde_json::from_slice::<Vec<Value>>(text.trim_ascii()).unwrap();
            assert_eq!(elements, expected.len(), "{}", bases[plain]);
        }
        // Texts broken at places drawn from a fixed sequence: a byte removed, one put in, or the
        // text cut short.
        let mut draw = 0x2545_f491_u64;
        let mut next = |below: usize| {
            draw = draw.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (draw >> 33) as usize % below.max(1)
        };
        let inserted = b"[]{}\",: \n1a\\-e.";
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for base in &bases {
            let base = base.as_bytes();
            texts.push(base.to_vec());
            let tries = if base.len() > 100_000 { 12 } else { 120 };
            for _ in 0..tries {
                let mut text = base.to_vec();
                let at = next(text.len());
                match next(3) {
                    0 if !text.is_empty() => {
                        text.remove(at);
                    }
                    1 => text.insert(at, inserted[next(inserted.len())]),
                    _ => text.truncate(at),
                }
                texts.push(text);
            }
        }
        for text in &texts {
            for parse in [false, true] {
                for stop_after in [usize::MAX, 2] {
                    assert_eq!(
                        array_finds(text, parse, stop_after, split),
                        array_finds(text, parse, stop_after, by_serde_json),
                        "{}",
                        String::from_utf8_lossy(&text[..text.len().min(300)])
                    );
                }
            }
        }
    }

    #[test]
    fn an_element_that_is_not_json_by_itself_is_placed_where_it_stands_in_the_text() {
        // serde_json takes these elements out of the array as raw text, and only reading them
        // finds that a number is out of range or an escape a lone surrogate: their positions are
        // placed from where each element starts, also when it is read later (`read_lazily`).
        let cases = [
            ("[1, 2, 1e400]", "1:12: not JSON: number out of range"),
            ("  [1, 1e400]", "1:11: not JSON: number out of range"),
            ("[1, 2,\n 1e400\n]", "2:6: not JSON: number out of range"),
            (
                "[1,\r\n  {\"a\":\r\n 1e400}]",
                "3:6: not JSON: number out of range",
            ),
            (
                "[ {\"a\": 1e400,\n \"b\": 2}]",
                "1:13: not JSON: number out of range",
            ),
            (
                "[\n  {\n    \"a\": 1e400\n  }\n]",
                "3:14: not JSON: number out of range",
            ),
            (
                "[1,\"\\ud800\" ]",
                "1:11: not JSON: unexpected end of hex escape",
            ),
        ];
        for (text, expected) in cases {
            let first_error = found(text).1.into_iter().find(Result::is_err);
            assert_eq!(first_error, Some(Err(expected.to_owned())), "{text:?}");
            let mut lazily = Vec::new();
            scan(text.as_bytes(), false, &mut |found| {
                if let LazyItem::Event(event) = LazyItem::from(found) {
                    lazily.push(event.parse());
                }
                ControlFlow::Continue(())
            })
            .unwrap();
            let first_error = lazily.iter().find_map(|item| match item {
                Item::NotJson(error) => Some(error.to_string()),
                Item::Event(_) => None,
            });
            assert_eq!(first_error.as_deref(), Some(expected), "{text:?}");
        }
        // At the end of the text a number has no byte after it.
        let (_, all) = found("[1, -1e400");
        assert_eq!(
            all[1],
            Err("1:10: not JSON: number out of range".to_owned())
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_not_json() {
        let mut all = Vec::new();
        scan(
            &b"{\"a\": 1}\n{\"b\": \"\xff\"}\n"[..],
            true,
            &mut |found| {
                if let Found::NotJson(error) = found {
                    all.push(error.to_string());
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(all, ["2:8: not JSON: not UTF-8"]);
    }

    #[test]
    fn the_receiver_may_stop_the_reading() {
        for text in ["[1, 2, 3]", "1\n2\n3\n"] {
            let mut seen = 0;
            scan(text.as_bytes(), false, &mut |_| {
                seen += 1;
                ControlFlow::Break(())
            })
            .unwrap();
            assert_eq!(seen, 1, "{text}");
        }
    }

    /// A file holding `text`, removed when dropped.
    struct TextFile(PathBuf);

    impl TextFile {
        fn new(name: &str, text: &[u8]) -> TextFile {
            let path =
                std::env::temp_dir().join(format!("awork-sim-input-{}-{name}", std::process::id()));
            std::fs::write(&path, text).unwrap();
            TextFile(path)
        }
    }

    impl Drop for TextFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn a_file_required_unchanged_is_read_as_it_was_and_not_once_it_changed() {
        for (name, text, shape, longer) in [
            (
                "unchanged",
                "{\"a\": 1}\n{\"b\": 2}\n",
                Shape::Ndjson,
                "{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}\n",
            ),
            (
                "unchanged-array",
                "[{\"a\": 1},\n{\"b\": 2}]\n",
                Shape::Array,
                "[{\"a\": 1},\n{\"b\": 2},\n{\"c\": 3}]\n",
            ),
        ] {
            let file = TextFile::new(name, text.as_bytes());
            let mut input = Input::open(Source::File(file.0.clone())).unwrap();
            let stamp = input.stamp().unwrap().expect("a file has a stamp");
            input.require_unchanged(stamp);
            let read = |input: &Input| {
                let mut texts = Vec::new();
                let shape = input.read_texts(|line, raw| {
                    texts.push((line, raw));
                    ControlFlow::Continue(())
                });
                (shape.map_err(|error| format!("{error:#}")), texts)
            };
            assert_eq!(
                read(&input),
                (
                    Ok(shape),
                    vec![(1, "{\"a\": 1}".into()), (2, "{\"b\": 2}".into())]
                ),
                "{name}"
            );
            assert_eq!(input.whole().unwrap(), text.as_bytes(), "{name}");

            // Another length: the stamp differs even within one tick of the file system's clock.
            std::fs::write(&file.0, longer).unwrap();
            let changed = format!(
                "{}: cannot read: it changed since it was checked",
                file.0.display()
            );
            assert_eq!(read(&input), (Err(changed.clone()), Vec::new()), "{name}");
            let clone = input.try_clone().unwrap();
            assert_eq!(read(&clone), (Err(changed.clone()), Vec::new()), "{name}");
            assert_eq!(format!("{:#}", input.whole().unwrap_err()), changed);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_put_in_the_place_of_the_one_checked_is_another_file_whatever_its_length_and_time() {
        // A file is read again by its path: another file renamed onto it, of the same length and
        // with the same time of last change, must not pass for the one checked.
        let file = TextFile::new("replaced", b"{\"a\": 1}\n");
        let mut input = Input::open(Source::File(file.0.clone())).unwrap();
        let stamp = input.stamp().unwrap().expect("a file has a stamp");
        input.require_unchanged(stamp);
        let checked_time = std::fs::metadata(&file.0).unwrap().modified().unwrap();
        let other = TextFile::new("replacement", b"{\"b\": 2}\n");
        File::options()
            .write(true)
            .open(&other.0)
            .unwrap()
            .set_modified(checked_time)
            .unwrap();
        std::fs::rename(&other.0, &file.0).unwrap();
        let again = Input::open(Source::File(file.0.clone())).unwrap();
        let other_stamp = again.stamp().unwrap().expect("a file has a stamp");
        assert_eq!(
            (other_stamp.len, other_stamp.modified),
            (stamp.len, stamp.modified),
            "the same length and time"
        );
        assert_eq!(
            format!("{:#}", input.whole().unwrap_err()),
            format!(
                "{}: cannot read: it changed since it was checked",
                file.0.display()
            )
        );
    }

    /// The lines of `text` read in `parts` parts, one after the other, with their numbers in the
    /// file (a part's own numbers after the lines of the parts before), or `None` when it is not
    /// split.
    fn read_in_parts(input: &Input, parts: usize) -> Option<Vec<(usize, String)>> {
        let mut lines = Vec::new();
        let mut before = 0;
        for part in input.ndjson_parts(parts, 1).unwrap()? {
            before += part
                .lines(|line, text| {
                    let text = std::str::from_utf8(text).map_or("(not UTF-8)", |text| text);
                    lines.push((before + line, text.to_owned()));
                    ControlFlow::Continue(())
                })
                .unwrap();
        }
        Some(lines)
    }

    #[test]
    fn ndjson_read_in_parts_is_every_line_read_texts_reads_once_in_order_with_its_number() {
        let long = format!("{{\"long\": \"{}\"}}", "x".repeat(600 * 1024));
        let texts: Vec<(&str, Vec<u8>)> = vec![
            ("plain", b"{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}\n".to_vec()),
            (
                "bom-blanks-crlf",
                b"\xEF\xBB\xBF\n \r\n  {\"a\": 1}\r\n\n{\"b\": 2}\r\n   \nnot json\n[1]\n\"x\""
                    .to_vec(),
            ),
            ("one", b"{\"only\": true}".to_vec()),
            (
                "long-lines",
                format!("{{\"a\": 1}}\n{long}\n{{\"b\": 2}}\n{long}\n{{\"c\": 3}}").into_bytes(),
            ),
            (
                "not-utf8",
                b"{\"a\": 1}\n{\"b\": \"\xff\"}\n{\"c\": 3}\n".to_vec(),
            ),
        ];
        for (name, text) in texts {
            let file = TextFile::new(name, &text);
            let input = Input::open(Source::File(file.0.clone())).unwrap();
            let mut expected = Vec::new();
            let shape = input.read_texts(|line, raw| {
                expected.push((line, raw));
                ControlFlow::Continue(())
            });
            if name == "not-utf8" {
                // read_texts refuses the line; read in parts, it comes as not UTF-8.
                assert!(shape.is_err());
                expected = vec![
                    (1, "{\"a\": 1}".into()),
                    (2, "(not UTF-8)".into()),
                    (3, "{\"c\": 3}".into()),
                ];
            } else {
                assert_eq!(shape.unwrap(), Shape::Ndjson, "{name}");
            }
            for parts in 1..=9 {
                assert_eq!(
                    read_in_parts(&input, parts).as_ref(),
                    Some(&expected),
                    "{name} in {parts} parts"
                );
            }
        }
    }

    #[test]
    fn only_ndjson_is_read_in_parts() {
        for (name, text) in [
            ("array", "[{\"a\": 1},\n{\"b\": 2}]\n"),
            ("array-after-blanks", "\n  [{\"a\": 1}]"),
            ("single", "{\n\"a\": 1\n}\n"),
            ("torn-first-line", "{\"a\":\n{\"b\": 2}\n{\"c\": 3}\n"),
            ("blank", "\n \n"),
        ] {
            let file = TextFile::new(name, text.as_bytes());
            let input = Input::open(Source::File(file.0.clone())).unwrap();
            assert_eq!(read_in_parts(&input, 2), None, "{name}");
        }
        // Stdin read as it comes cannot be split.
        let stdin = Input::open(Source::Stdin).unwrap();
        assert!(stdin.ndjson_parts(2, 1).unwrap().is_none());
    }

    #[test]
    fn events_read_lazily_parse_into_what_read_hands_on() {
        for (name, text) in [
            (
                "ndjson",
                &b"{\"a\": 1}\nnot json\n{\"b\": \"\xff\"}\n\n{\"c\": [1,\n"[..],
            ),
            ("array", b"[\n{\"a\": 1},\n  {\"b\":\n2}, 1e400, 3\n]"),
            ("single", b"\n{\n\"a\": 1,\n}\n"),
            ("torn", b"{\"a\":\n{\"b\": 2}\n{\"c\": 3}\n"),
        ] {
            let file = TextFile::new(name, text);
            let input = Input::open(Source::File(file.0.clone())).unwrap();
            let mut read = Vec::new();
            let shape = input
                .read(|item| {
                    read.push(item);
                    ControlFlow::Continue(())
                })
                .unwrap();
            let mut lazily = Vec::new();
            let lazy_shape = input
                .read_lazily(|item| {
                    lazily.push(match item {
                        LazyItem::Event(event) => event.parse(),
                        LazyItem::NotJson(error) => Item::NotJson(error),
                    });
                    ControlFlow::Continue(())
                })
                .unwrap();
            assert_eq!(lazy_shape, shape, "{name}");
            assert_eq!(lazily, read, "{name}");
            assert!(
                read.iter().any(|item| matches!(item, Item::NotJson(_))),
                "{name}: something is not JSON"
            );
        }
    }
}
