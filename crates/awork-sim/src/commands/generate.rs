//! `awork-sim generate`: realistic events from the seeded story of `awork_generate`, as NDJSON on
//! stdout or as one pretty JSON file per event in a directory.
//!
//! The events themselves, and their determinism for a seed, are `awork_generate`'s; this module
//! chooses where they go and how they are written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use awork_generate::awkward::Awkward;
use awork_generate::{Generator, GeneratorConfig};

use super::Outcome;
use crate::generated::{self, GeneratorArgs};

/// Arguments of `awork-sim generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    generator: GeneratorArgs,
    /// How many events.
    #[arg(long, value_name = "N", default_value_t = 1)]
    count: u64,
    /// Write one pretty JSON file per event into this directory (created if missing) instead of
    /// NDJSON on stdout. A directory that holds anything is refused, unless `--force`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// With `--out`: first remove the event files an earlier `generate` wrote there
    /// (`NNNN-<eventType>.json`); every other file is kept.
    #[arg(long, requires = "out")]
    force: bool,
    /// Bend the events into the awkward but legal shapes a parser must survive (awkward text,
    /// unknown properties, every timestamp form, optionals left out, future event types), as the
    /// conformance suite and the proptest strategies do; still seeded and deterministic.
    #[arg(long)]
    awkward: bool,
    /// Give the events trace ids of this run's own (the rest of the story is the seed's), as
    /// `send` does by default: for a corpus piped or replayed into `send`, which sends files byte
    /// for byte, to a receiver that deduplicates by `traceId`. Without it the same options give
    /// the same bytes.
    #[arg(long)]
    fresh_trace_ids: bool,
}

impl Args {
    /// The configuration these arguments ask for; fails on an unknown event name.
    pub fn resolve(self) -> anyhow::Result<Config> {
        Ok(Config {
            generator: self.generator.resolve()?,
            count: self.count,
            out: self.out,
            force: self.force,
            awkward: self.awkward,
            trace_salt: self.fresh_trace_ids.then(generated::fresh_trace_salt),
        })
    }
}

/// What `generate` runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to generate.
    pub generator: GeneratorConfig,
    /// How many events.
    pub count: u64,
    /// The directory for one file per event, or `None` for NDJSON on stdout.
    pub out: Option<PathBuf>,
    /// Whether the event files already in `out` are removed first, rather than the run refused.
    pub force: bool,
    /// Whether to bend the events into awkward shapes.
    pub awkward: bool,
    /// This run's salt of the trace ids (`--fresh-trace-ids`), or `None` for the seed's.
    pub trace_salt: Option<u128>,
}

/// Generates the events and writes them to `out` or to the directory.
pub fn run(config: &Config, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let count = usize::try_from(config.count).unwrap_or(usize::MAX);
    let events = Generator::new(config.generator.clone())
        .with_trace_salt(config.trace_salt)
        .take(count);
    let mut awkward = config.awkward.then(|| {
        let awkward = Awkward::new(config.generator.seed);
        // `--event`: only events of those types, bent or not.
        if config.generator.event_types.is_empty() {
            awkward
        } else {
            awkward.keeping_event_types()
        }
    });
    match &config.out {
        None => {
            let mut line = Vec::with_capacity(4096);
            for event in events {
                line.clear();
                match &mut awkward {
                    Some(awkward) => line.extend_from_slice(awkward.body(&event).as_bytes()),
                    None => serde_json::to_writer(&mut line, &event)?,
                }
                line.push(b'\n');
                out.write_all(&line)?;
            }
        }
        Some(dir) => {
            prepare(dir, config.force)?;
            // At least four digits (`0001-…`), more when the count needs them, so names sort.
            let width = config.count.to_string().len().max(4);
            for (index, event) in events.enumerate() {
                let value = match &mut awkward {
                    Some(awkward) => awkward.bend(&event),
                    None => serde_json::to_value(&event)?,
                };
                let name = format!(
                    "{:0width$}-{}.json",
                    index + 1,
                    file_safe(value["eventType"].as_str().unwrap_or_default())
                );
                let mut text = serde_json::to_vec_pretty(&value)?;
                text.push(b'\n');
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// Makes `dir` ready for the event files: created if missing; if it holds anything, refused, or
/// with `force` emptied of the files `generate` writes (its other files are kept, and counted on
/// stderr), so that no old event is left among the new ones.
fn prepare(dir: &Path, force: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    let cannot_read = || format!("{}: cannot read directory", dir.display());
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(cannot_read)? {
        entries.push(entry.with_context(cannot_read)?);
    }
    if entries.is_empty() {
        return Ok(());
    }
    if !force {
        bail!(
            "{}: not empty ({} {}); choose an empty or new directory, or --force to replace the event files generate wrote there",
            dir.display(),
            entries.len(),
            if entries.len() == 1 {
                "entry"
            } else {
                "entries"
            }
        );
    }
    let mut kept = 0;
    for entry in entries {
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        if is_file && written_by_generate(&entry.file_name().to_string_lossy()) {
            let path = entry.path();
            std::fs::remove_file(&path)
                .with_context(|| format!("{}: cannot remove", path.display()))?;
        } else {
            kept += 1;
        }
    }
    if kept > 0 {
        eprintln!(
            "generate: {}: kept {kept} {} that generate does not write",
            dir.display(),
            if kept == 1 { "entry" } else { "entries" }
        );
    }
    Ok(())
}

/// Whether `name` is the name of a file `generate --out` writes: `NNNN-<name>.json`, at least four
/// digits, then what [`file_safe`] leaves of an event name.
fn written_by_generate(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".json") else {
        return false;
    };
    let Some((number, event)) = stem.split_once('-') else {
        return false;
    };
    number.len() >= 4
        && number.bytes().all(|byte| byte.is_ascii_digit())
        && !event.is_empty()
        && event.chars().count() <= FILE_NAME_CHARS
        && event
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The most characters of a name kept in a file name: file systems refuse names over 255 bytes,
/// and an `eventType` can be as long as its sender likes.
const FILE_NAME_CHARS: usize = 64;

/// `name` as part of a file name: anything but ASCII letters, digits, `_` and `-` (a path separator,
/// a dot) replaced by `_`, at most [`FILE_NAME_CHARS`] characters, `unknown` when empty.
pub fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .take(FILE_NAME_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "unknown".to_owned()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_names_generate_writes_are_its_own() {
        for name in [
            "0001-task_added.json",
            "12345-unknown.json",
            "0002-x-y.json",
        ] {
            assert!(written_by_generate(name), "{name}");
        }
        for name in [
            "001-task_added.json",
            "0001-.json",
            "0001-task_added.json.bak",
            "notes.json",
            "0001-task.added.json",
            "README.md",
            "abcd-task_added.json",
        ] {
            assert!(!written_by_generate(name), "{name}");
        }
    }
}
