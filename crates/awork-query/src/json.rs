//! Reading awork's JSON the way its SQL Server database compares it: property names in any case,
//! date-time strings as instants, text case-insensitively, numbers numerically, `null` and absent
//! alike. Shared by the filter (comparisons) and the order (sort keys); knows no grammar.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Number, Value};

/// The property `name` of `value`: the exact spelling first, else the first key equal to it in
/// any case. `None` when `value` is no object or has no such property.
pub(crate) fn property<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| compare_text(key, name).is_eq())
            .map(|(_, value)| value)
    })
}

/// Follows `path` down from `value`; `None` as soon as a step is missing or `null`.
pub(crate) fn follow<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter()
        .try_fold(value, |value, segment| property(value, segment))
        .filter(|value| !value.is_null())
}

/// A date-time as awork writes it, or as a filter literal spells it: ISO 8601 with `Z` or an
/// offset, or without one (taken as UTC), seconds and fractions optional; or a bare date
/// (midnight UTC).
pub(crate) fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    // Cheap refusal of the common case, names and ids: a date starts with four digits and '-'.
    let bytes = text.as_bytes();
    if bytes.len() < 10 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Utc));
    }
    // A space for the `T`, as .NET's `DateTime` reads it too (`2026-11-01 10:00`).
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%MZ",
    ] {
        if let Ok(instant) = DateTime::parse_from_str(text, format) {
            return Some(instant.with_timezone(&Utc));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
}

/// Whether `text` is a GUID: 8-4-4-4-12 hexadecimal digits, in either case.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit())
        })
}

/// A JSON number or a numeric literal, compared exactly while both are integers (awork's
/// `resourceVersion` is above 2^53).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Numeric {
    Integer(i128),
    Decimal(f64),
}

impl Numeric {
    pub(crate) fn of(number: &Number) -> Numeric {
        if let Some(integer) = number.as_i64() {
            Numeric::Integer(integer.into())
        } else if let Some(integer) = number.as_u64() {
            Numeric::Integer(integer.into())
        } else {
            Numeric::Decimal(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    pub(crate) fn compare(self, other: Numeric) -> Option<Ordering> {
        match (self, other) {
            (Numeric::Integer(left), Numeric::Integer(right)) => Some(left.cmp(&right)),
            (left, right) => left.as_f64().partial_cmp(&right.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            // Precision is lost only beyond 2^53, where a decimal on the other side has none.
            #[expect(clippy::cast_precision_loss, reason = "compared with a decimal")]
            Numeric::Integer(integer) => integer as f64,
            Numeric::Decimal(decimal) => decimal,
        }
    }
}

/// Text compared as SQL Server's default collation does: case-insensitively.
pub(crate) fn compare_text(left: &str, right: &str) -> Ordering {
    left.chars()
        .flat_map(char::to_lowercase)
        .cmp(right.chars().flat_map(char::to_lowercase))
}

/// One property's value as an `orderby` key: computed once per item, then compared.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortKey {
    /// Absent or `null`: first in ascending order, as in SQL Server.
    Null,
    Bool(bool),
    Number(Numeric),
    /// A string that reads as a date-time: ordered by instant, whatever its offset.
    Instant(DateTime<Utc>),
    /// Any other string, lower-cased.
    Text(String),
    /// An array or object: all equal, after every plain value.
    Structured,
}

impl SortKey {
    pub(crate) fn of(value: Option<&Value>) -> SortKey {
        match value {
            None | Some(Value::Null) => SortKey::Null,
            Some(Value::Bool(flag)) => SortKey::Bool(*flag),
            Some(Value::Number(number)) => SortKey::Number(Numeric::of(number)),
            Some(Value::String(text)) => match parse_instant(text) {
                Some(instant) => SortKey::Instant(instant),
                None => SortKey::Text(text.to_lowercase()),
            },
            Some(Value::Array(_) | Value::Object(_)) => SortKey::Structured,
        }
    }

    /// A total order: by kind first (null, booleans, numbers, instants, text, structured), then
    /// by value within a kind.
    pub(crate) fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Bool(left), SortKey::Bool(right)) => left.cmp(right),
            (SortKey::Number(left), SortKey::Number(right)) => {
                left.compare(*right).unwrap_or(Ordering::Equal)
            }
            (SortKey::Instant(left), SortKey::Instant(right)) => left.cmp(right),
            (SortKey::Text(left), SortKey::Text(right)) => left.cmp(right),
            (left, right) => left.rank().cmp(&right.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Bool(_) => 1,
            SortKey::Number(_) => 2,
            SortKey::Instant(_) => 3,
            SortKey::Text(_) => 4,
            SortKey::Structured => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn instant(text: &str) -> String {
        parse_instant(text).map_or_else(|| "none".to_owned(), |instant| instant.to_rfc3339())
    }

    #[test]
    fn reads_every_date_time_form_awork_writes() {
        assert_eq!(
            instant("2023-09-03T20:28:39.5961826Z"),
            "2023-09-03T20:28:39.596182600+00:00"
        );
        assert_eq!(instant("2022-03-01T00:00:00"), "2022-03-01T00:00:00+00:00");
        assert_eq!(
            instant("2022-03-01T18:21:05.1"),
            "2022-03-01T18:21:05.100+00:00"
        );
        assert_eq!(
            instant("2024-05-15T12:00:00+02:00"),
            "2024-05-15T10:00:00+00:00"
        );
        assert_eq!(
            instant("2024-05-15T12:00+02:00"),
            "2024-05-15T10:00:00+00:00"
        );
        assert_eq!(instant("2022-01-01T00:00"), "2022-01-01T00:00:00+00:00");
        assert_eq!(instant("2023-03-03"), "2023-03-03T00:00:00+00:00");
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for text in [
            "Test",
            "09:21:00",
            "2023",
            "5a1f0e2d-8c33-eb11-a607-00155d31310d",
            "2023-13-01",
        ] {
            assert_eq!(instant(text), "none", "{text}");
        }
    }

    #[test]
    fn text_compares_case_insensitively_beyond_ascii() {
        assert!(compare_text("ÄRGER", "ärger").is_eq());
        assert!(compare_text("apple", "Banana").is_lt());
    }

    #[test]
    fn large_integers_compare_exactly() {
        let big = Numeric::Integer(638_505_000_000_000_001);
        assert_eq!(
            big.compare(Numeric::Integer(638_505_000_000_000_002)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Numeric::Integer(2).compare(Numeric::Decimal(2.0)),
            Some(Ordering::Equal)
        );
    }
}
