//! Reading events: where they come from (files or stdin), and splitting a text into events, each
//! with the line where it starts.
//!
//! A text is either one JSON value (a single event, or an array of events) or NDJSON (one event per
//! non-blank line). Whatever parses as one JSON value is that value; anything else is read line by
//! line. This module does not look inside the events: it neither validates them nor knows their
//! fields.

use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;

use anyhow::Context;
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

    /// Reads the whole text.
    fn read(&self) -> io::Result<String> {
        match self {
            Source::Stdin => {
                let mut text = String::new();
                io::stdin().lock().read_to_string(&mut text)?;
                Ok(text)
            }
            Source::File(path) => std::fs::read_to_string(path),
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

/// One event of a text: its JSON, and the line (from 1) where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The line where the event starts.
    pub line: usize,
    /// The event as it was read.
    pub value: Value,
}

/// One event of a text with its exact text: for NDJSON the line (without its line break), for a
/// single value the text without trailing whitespace, for an array the element as written.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent<'a> {
    /// The line where the event starts.
    pub line: usize,
    /// The event as it was read.
    pub value: Value,
    /// The event's text, exactly as it appears in the input.
    pub raw: &'a str,
}

/// Reads `source` in full and hands each event, with its exact text, to `each`.
///
/// Fails with a one-line message naming the source: `FILE: cannot read: …`, or
/// `FILE:LINE:COLUMN: not JSON: …`.
pub fn read_raw_events<T>(
    source: &Source,
    each: impl FnMut(RawEvent<'_>) -> T,
) -> anyhow::Result<Vec<T>> {
    let text = source
        .read()
        .with_context(|| format!("{source}: cannot read"))?;
    let events = parse_raw(&text).map_err(|error| anyhow::anyhow!("{source}:{error}"))?;
    Ok(events.into_iter().map(each).collect())
}

/// Splits a text into events as [`parse`] does, keeping each event's exact text.
pub fn parse_raw(text: &str) -> Result<Vec<RawEvent<'_>>, SyntaxError> {
    let events = parse(text)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `parse` succeeded, so the text is one value (an array or not) or NDJSON, as it decided.
    let raws: Vec<&str> = match serde_json::from_str::<&RawValue>(text) {
        Ok(whole) if whole.get().starts_with('[') => serde_json::from_str::<Vec<&RawValue>>(text)
            .map(|elements| elements.into_iter().map(RawValue::get).collect())
            .unwrap_or_default(),
        Ok(_) => vec![text.trim_end()],
        Err(_) => text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .filter(|line| !line.trim().is_empty())
            .collect(),
    };
    debug_assert_eq!(raws.len(), events.len());
    Ok(events
        .into_iter()
        .zip(raws)
        .map(|(Event { line, value }, raw)| RawEvent { line, value, raw })
        .collect())
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
    /// The error serde_json reports for `text`, whose first line is line `first_line` of the input.
    fn from_json(error: &serde_json::Error, text: &str, first_line: usize) -> SyntaxError {
        let (line, column) = (error.line(), error.column());
        let message = error.to_string();
        let message = message
            .strip_suffix(&format!(" at line {line} column {column}"))
            .unwrap_or(&message)
            .to_owned();
        // serde_json reports an error found on reading a newline (`tru` then the end of the line, or the
        // end of the text) as column 0 of the next line; editors want the newline's own position.
        let (line, column) = match (line, column) {
            (1, 0) => (1, 1),
            (line, 0) => (
                line - 1,
                text.split('\n').nth(line - 2).map_or(0, str::len) + 1,
            ),
            position => position,
        };
        SyntaxError {
            line: first_line + line - 1,
            column,
            message,
        }
    }
}

/// Splits a text into events: one JSON value (an array is its elements), or NDJSON.
///
/// When the text is neither, the error reported is the one the reader most likely meant: NDJSON's when
/// the first non-blank line is JSON by itself, otherwise the error in the text as one value (a
/// pretty-printed event with a typo).
pub fn parse(text: &str) -> Result<Vec<Event>, SyntaxError> {
    // A byte-order mark is not JSON, but editors write it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            let lines = element_lines(text, items.len());
            Ok(items
                .into_iter()
                .zip(lines)
                .map(|(value, line)| Event { line, value })
                .collect())
        }
        Ok(value) => Ok(vec![Event {
            line: line_at(text, text.len() - text.trim_start().len()),
            value,
        }]),
        Err(whole) => ndjson(text).map_err(|line_error| {
            let first_line = text
                .lines()
                .position(|line| !line.trim().is_empty())
                .map_or(1, |index| index + 1);
            if line_error.line > first_line {
                line_error
            } else {
                SyntaxError::from_json(&whole, text, 1)
            }
        }),
    }
}

/// The line where each element of the JSON array `text` starts. `count` lines of 1 when the positions
/// cannot be had (which, for a text that parsed as an array, does not happen).
fn element_lines(text: &str, count: usize) -> Vec<usize> {
    let Ok(elements) = serde_json::from_str::<Vec<&RawValue>>(text) else {
        return vec![1; count];
    };
    let mut lines = Vec::with_capacity(elements.len());
    let (mut offset, mut line) = (0, 1);
    for element in elements {
        // Each element borrows from `text`, so its address gives its offset.
        let start = element.get().as_ptr() as usize - text.as_ptr() as usize;
        line += text[offset..start].matches('\n').count();
        offset = start;
        lines.push(line);
    }
    lines
}

/// The line (from 1) of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Reads NDJSON: one event per non-blank line.
fn ndjson(text: &str) -> Result<Vec<Event>, SyntaxError> {
    let mut events = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(line)
            .map_err(|error| SyntaxError::from_json(&error, line, index + 1))?;
        events.push(Event {
            line: index + 1,
            value,
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn lines(text: &str) -> Vec<usize> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|event| event.line)
            .collect()
    }

    #[test]
    fn a_single_value_is_one_event_on_the_line_where_it_starts() {
        assert_eq!(
            parse("{\"a\": 1}").unwrap(),
            vec![Event {
                line: 1,
                value: json!({"a": 1})
            }]
        );
        assert_eq!(lines("\n\n  {\n\"a\": 1\n}\n"), [3]);
    }

    #[test]
    fn an_array_is_its_elements_each_on_its_line() {
        assert_eq!(
            lines("[\n{\"a\": 1},\n\n  {\"b\": 2}, {\"c\": 3}\n]"),
            [2, 4, 4]
        );
        assert_eq!(lines("[]"), Vec::<usize>::new());
    }

    #[test]
    fn ndjson_is_one_event_per_non_blank_line() {
        assert_eq!(lines("{\"a\": 1}\n\n{\"b\": 2}\r\n{\"c\": 3}"), [1, 3, 4]);
        assert_eq!(lines("\u{feff}{\"a\": 1}\n{\"b\": 2}\n"), [1, 2]);
    }

    #[test]
    fn raw_events_keep_their_exact_text() {
        let raws = |text| -> Vec<String> {
            parse_raw(text)
                .unwrap()
                .into_iter()
                .map(|event| event.raw.to_owned())
                .collect()
        };
        assert_eq!(
            raws("{\"a\":  1}\r\n\n{ \"b\": 2 }\n"),
            ["{\"a\":  1}", "{ \"b\": 2 }"]
        );
        assert_eq!(raws("\u{feff}{\n  \"a\": 1\n}\n\n"), ["{\n  \"a\": 1\n}"]);
        assert_eq!(
            raws("[ {\"a\":1} ,\n{ \"b\": [2] }]"),
            ["{\"a\":1}", "{ \"b\": [2] }"]
        );
        assert_eq!(parse_raw("{\"a\":1}\n{\"b\":2}").unwrap()[1].line, 2);
    }

    #[test]
    fn blank_text_is_no_events() {
        assert_eq!(parse("").unwrap(), []);
        assert_eq!(parse(" \n\r\n").unwrap(), []);
    }

    #[test]
    fn a_syntax_error_in_ndjson_names_its_line() {
        let error = parse("{\"a\": 1}\n{\"b\": 2}\n{\"c\": tru}\n").unwrap_err();
        assert_eq!((error.line, error.column), (3, 10));
        assert_eq!(error.to_string(), "3:10: not JSON: expected ident");
    }

    #[test]
    fn a_syntax_error_in_one_value_names_its_position_in_the_value() {
        // The first line alone is not JSON, so this is not NDJSON; the error is the value's.
        let error = parse("{\n  \"a\": 1,\n  \"b\": tru\n}\n").unwrap_err();
        assert_eq!(error.to_string(), "3:11: not JSON: expected ident");
        // The end of the text: serde_json's column 0 of the line after the last newline.
        let error = parse("{\n  \"a\": 1,\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "2:10: not JSON: EOF while parsing a value"
        );
        let error = parse("nonsense").unwrap_err();
        assert_eq!(error.to_string(), "1:2: not JSON: expected ident");
    }
}
