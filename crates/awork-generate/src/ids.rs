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
    trace_id_text(rng.random())
}

/// A trace id of 32 hex digits drawn as [`trace_id`] draws it (the same 16 bytes of `rng`, so the
/// rest of a story does not shift), then salted: XORed with `salt` and mixed. Two salts never give
/// one draw the same id (XOR and the mixing are both one-to-one), and the mixing keeps salt 0 from
/// giving back the unsalted id. No allocation beyond the id's own.
pub fn salted_trace_id(rng: &mut Rng, salt: u128) -> String {
    let drawn = u128::from_be_bytes(rng.random());
    trace_id_text(mix(drawn ^ salt).to_be_bytes())
}

/// The multipliers of [`mix`], odd so that multiplying by them can be undone: PCG's 128-bit
/// multiplier, and the 128-bit golden ratio made odd.
const MIX_FIRST: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;
const MIX_SECOND: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835;

/// A one-to-one scramble of 128 bits: xorshifts and multiplications by odd constants, each of
/// which can be undone, so different inputs stay different.
fn mix(mut bits: u128) -> u128 {
    bits ^= bits >> 64;
    bits = bits.wrapping_mul(MIX_FIRST);
    bits ^= bits >> 64;
    bits = bits.wrapping_mul(MIX_SECOND);
    bits ^ (bits >> 64)
}

/// The 32 lower-case hex digits of a trace id's 16 bytes.
fn trace_id_text(bytes: [u8; 16]) -> String {
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
    fn a_salted_trace_id_takes_the_same_draw_and_differs_per_salt() {
        let mut unsalted = Rng::seed_from_u64(3);
        let mut salted = [
            Rng::seed_from_u64(3),
            Rng::seed_from_u64(3),
            Rng::seed_from_u64(3),
        ];
        for _ in 0..1000 {
            let plain = trace_id(&mut unsalted);
            let ids: Vec<String> = salted
                .iter_mut()
                .zip([0, 1, u128::MAX])
                .map(|(rng, salt)| salted_trace_id(rng, salt))
                .collect();
            for id in &ids {
                assert_eq!(id.len(), 32);
                assert!(
                    id.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                    "{id}"
                );
                // Salt 0 included: a salted id is never the unsalted one.
                assert_ne!(*id, plain);
            }
            assert!(
                ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
                "{ids:?}"
            );
        }
        // The same bytes were drawn: the streams are still in step.
        let next = uuid(&mut unsalted);
        for rng in &mut salted {
            assert_eq!(uuid(rng), next);
        }
    }

    #[test]
    fn mixing_is_one_to_one() {
        // Undoing each step gives the input back.
        fn unmix(mut bits: u128) -> u128 {
            let inverse = |odd: u128| {
                // Newton's iteration for the inverse modulo 2^128: each step doubles the bits.
                let mut inverse = odd;
                for _ in 0..7 {
                    inverse = inverse.wrapping_mul(2u128.wrapping_sub(odd.wrapping_mul(inverse)));
                }
                inverse
            };
            bits ^= bits >> 64;
            bits = bits.wrapping_mul(inverse(MIX_SECOND));
            bits ^= bits >> 64;
            bits = bits.wrapping_mul(inverse(MIX_FIRST));
            bits ^ (bits >> 64)
        }
        let mut rng = Rng::seed_from_u64(11);
        for bits in [0, 1, u128::MAX]
            .into_iter()
            .chain((0..1000).map(|_| rng.random()))
        {
            assert_eq!(unmix(mix(bits)), bits);
        }
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
