//! Identifiers and clocks as awork writes them: lowercase UUIDs, 32-hex-digit trace ids, .NET tick
//! counts for `resourceVersion`, and date-times with the 100 ns precision of .NET.

use awork_models::AworkDateTime;
use chrono::{DateTime, TimeDelta, Utc};
use fake::rand::RngExt;

use crate::Rng;

/// Seconds from 0001-01-01 (the .NET epoch) to 1970-01-01.
const DOTNET_EPOCH_OFFSET_SECONDS: i64 = 62_135_596_800;

/// A random version-4 UUID in lower case.
pub fn uuid(rng: &mut Rng) -> String {
    let mut bytes: [u8; 16] = rng.random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (index, byte) in bytes.into_iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at..at + 2].copy_from_slice(&hex(byte));
        at += 2;
    }
    ascii_string(&text)
}

/// The two lower-case hex digits of a byte.
fn hex(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 0x0f)],
    ]
}

/// A string of ASCII bytes: ids are written into a fixed buffer first, which costs less than
/// pushing them into a string character by character.
fn ascii_string(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes)
        .expect("hex digits and hyphens are ASCII")
        .to_owned()
}

/// A trace id of 32 hex digits, as awork writes today.
pub fn trace_id(rng: &mut Rng) -> String {
    let bytes: [u8; 16] = rng.random();
    let mut text = [0; 32];
    for (digits, byte) in text.chunks_exact_mut(2).zip(bytes) {
        digits.copy_from_slice(&hex(byte));
    }
    ascii_string(&text)
}

/// The .NET tick count of an instant: awork's `resourceVersion`.
pub fn ticks(instant: DateTime<Utc>) -> i64 {
    (instant.timestamp() + DOTNET_EPOCH_OFFSET_SECONDS) * 10_000_000
        + i64::from(instant.timestamp_subsec_nanos() / 100)
}

/// `instant` with a random sub-second part in whole ticks, so that the written fraction has 0 to 7
/// digits as it does in real payloads.
pub fn with_random_ticks(rng: &mut Rng, instant: DateTime<Utc>) -> DateTime<Utc> {
    let whole = instant - TimeDelta::nanoseconds(i64::from(instant.timestamp_subsec_nanos()));
    whole + TimeDelta::nanoseconds(rng.random_range(0..10_000_000i64) * 100)
}

/// An entity date (`…Z`).
pub fn zulu(instant: DateTime<Utc>) -> AworkDateTime {
    AworkDateTime::zulu(instant)
}

#[cfg(test)]
mod tests {
    use fake::rand::SeedableRng;

    use super::*;

    #[test]
    fn uuids_are_lowercase_version_4() {
        let mut rng = Rng::seed_from_u64(7);
        let id = uuid(&mut rng);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(
            id.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{id}"
        );
        assert_eq!(trace_id(&mut rng).len(), 32);
    }

    #[test]
    fn ticks_match_dotnet() {
        // 2022-02-14T10:12:04.4098600Z is 637804303244098600 ticks.
        let instant = "2022-02-14T10:12:04.40986Z"
            .parse::<AworkDateTime>()
            .unwrap()
            .to_utc()
            .unwrap();
        assert_eq!(ticks(instant), 637_804_303_244_098_600);
    }
}
