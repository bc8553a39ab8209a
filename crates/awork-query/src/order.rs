//! `orderby`: comma-separated keys `Prop [asc|desc]` (API.md §3.2), and sorting JSON entities by
//! them. Nulls come first in ascending order, text compares case-insensitively, date-time strings
//! by instant (see [`SortKey`](crate::json::SortKey)). The sort is stable.

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::{Parameter, Problem, QueryError};
use crate::json::{SortKey, follow};
use crate::vocabulary::{Kind, Step, Vocabulary};

/// Sort keys, most significant first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order {
    keys: Vec<OrderKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OrderKey {
    /// JSON property names from the entity down.
    path: Vec<String>,
    descending: bool,
}

impl Order {
    /// Parses a decoded `orderby` value, resolving its properties in `vocabulary`.
    pub(crate) fn parse(text: &str, vocabulary: &Vocabulary) -> Result<Order, QueryError> {
        let mut keys = Vec::new();
        let mut offset = 0;
        for written in text.split(',') {
            let column = offset + 1 + leading_whitespace(written);
            offset += written.chars().count() + 1;
            keys.push(OrderKey::parse(written, column, vocabulary)?);
        }
        Ok(Order { keys })
    }

    /// These keys, then those of `tie_breaker` (a list's default order, which keeps paging
    /// deterministic when the requested keys tie).
    pub(crate) fn then(&self, tie_breaker: &Order) -> Order {
        let mut keys = self.keys.clone();
        keys.extend(tie_breaker.keys.iter().cloned());
        Order { keys }
    }

    /// `items` in this order; items equal on every key keep their order.
    pub(crate) fn sort(&self, items: Vec<Value>) -> Vec<Value> {
        if self.keys.is_empty() {
            return items;
        }
        let mut keyed: Vec<(Vec<SortKey>, Value)> = items
            .into_iter()
            .map(|item| {
                let keys = self
                    .keys
                    .iter()
                    .map(|key| SortKey::of(follow(&item, &key.path)))
                    .collect();
                (keys, item)
            })
            .collect();
        keyed.sort_by(|(left, _), (right, _)| self.compare(left, right));
        keyed.into_iter().map(|(_, item)| item).collect()
    }

    fn compare(&self, left: &[SortKey], right: &[SortKey]) -> Ordering {
        self.keys
            .iter()
            .zip(left.iter().zip(right))
            .map(|(key, (left, right))| {
                let ordering = left.compare(right);
                if key.descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

fn leading_whitespace(text: &str) -> usize {
    text.chars().take_while(|c| c.is_whitespace()).count()
}

/// How many characters of `text` come before the first occurrence of `word`.
fn chars_before(text: &str, word: &str) -> usize {
    text.find(word)
        .map_or(0, |byte| text[..byte].chars().count())
}

fn error(problem: Problem, column: usize) -> QueryError {
    QueryError::new(Parameter::OrderBy, problem, Some(column))
}

impl OrderKey {
    /// Parses one key, `written` as between the commas, starting at `column` (its first
    /// non-space character).
    fn parse(
        written: &str,
        column: usize,
        vocabulary: &Vocabulary,
    ) -> Result<OrderKey, QueryError> {
        let mut words = written.split_whitespace();
        let Some(property) = words.next() else {
            return Err(error(
                Problem::Expected {
                    expected: "a property",
                    found: "an empty key".to_owned(),
                },
                column,
            ));
        };
        let descending = match words.next() {
            None => false,
            Some(direction) if direction.eq_ignore_ascii_case("asc") => false,
            Some(direction) if direction.eq_ignore_ascii_case("desc") => true,
            Some(other) => {
                return Err(error(
                    Problem::Expected {
                        expected: "asc, desc or ','",
                        found: format!("'{other}'"),
                    },
                    column + chars_before(written.trim_start(), other),
                ));
            }
        };
        if let Some(extra) = words.next() {
            return Err(error(
                Problem::Expected {
                    expected: "',' or the end",
                    found: format!("'{extra}'"),
                },
                column + chars_before(written.trim_start(), extra),
            ));
        }
        let path = resolve(property, column, vocabulary)?;
        Ok(OrderKey { path, descending })
    }
}

/// Resolves `Prop/Sub` to JSON names, refusing unknown properties and anything but a value.
fn resolve(
    property: &str,
    column: usize,
    vocabulary: &Vocabulary,
) -> Result<Vec<String>, QueryError> {
    let mut kind = vocabulary.root();
    let mut path = Vec::new();
    let mut segment_column = column;
    let mut written = String::new();
    for segment in property.split('/') {
        let parent = written.clone();
        if !written.is_empty() {
            written.push('/');
        }
        written.push_str(segment);
        let is_name = segment
            .chars()
            .next()
            .is_some_and(|first| first.is_alphabetic() || first == '_')
            && segment.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !is_name {
            return Err(error(
                Problem::Expected {
                    expected: "a property name",
                    found: format!("'{segment}'"),
                },
                segment_column,
            ));
        }
        let (name, next) = match vocabulary.step(&kind, segment) {
            Step::Found { name, kind } => (name.to_owned(), kind),
            Step::Unchecked => (segment.to_owned(), Kind::Open),
            Step::Unknown => return Err(error(Problem::UnknownProperty(written), segment_column)),
            Step::BelowValue => return Err(error(Problem::NotAnObject(parent), segment_column)),
            Step::BelowCollection => return Err(error(Problem::NotOrderable(parent), column)),
        };
        path.push(name);
        kind = next;
        segment_column += segment.chars().count() + 1;
    }
    match kind {
        Kind::Value(_) | Kind::Open => Ok(path),
        Kind::Object(_) | Kind::Collection(_) => Err(error(Problem::NotOrderable(written), column)),
    }
}
