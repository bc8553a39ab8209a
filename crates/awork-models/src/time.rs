//! Date-times and times of day as awork, a .NET service, writes them.
//!
//! awork writes the envelope's `timestamp` with a `+00:00` offset, entity dates in UTC with `Z`, local
//! time-tracking dates with no offset at all, and 0 to 7 fractional digits with trailing zeros trimmed
//! (`2023-09-03T20:28:40.017585Z`). [`AworkDateTime`] accepts all of these and keeps the exact text it
//! was given, so a payload re-serializes byte for byte. [`TimeOfDay`] does the same for the
//! `"13:08:51.8220632"` strings of time entries.
//!
//! This module only parses and formats; it does not decide which form a field should have.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most fractional digits .NET writes (ticks are 100 ns).
pub const MAX_FRACTION_DIGITS: usize = 7;

/// How a date-time states its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffsetStyle {
    /// UTC written as `Z`: entity dates (`createdOn`, `dueOn`, …).
    Zulu,
    /// A numeric offset such as `+00:00`: the envelope's `timestamp`.
    Numeric(FixedOffset),
    /// No offset: local time-tracking dates (`startDateLocal`).
    Local,
}

/// A date-time as awork writes it, keeping the exact text it was parsed from.
///
/// Two values are equal when their text is equal: `…39.5Z` and `…39.50Z` denote the same instant but
/// are different payloads.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AworkDateTime {
    text: Box<str>,
    naive: NaiveDateTime,
    offset: OffsetStyle,
}

/// Why a text is not an awork date-time or time of day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a timestamp: {text:?} ({reason})")]
pub struct TimestampError {
    /// The text that was refused.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl AworkDateTime {
    /// A UTC date-time written with `Z`, as awork writes entity dates.
    pub fn zulu(value: DateTime<Utc>) -> Self {
        let naive = value.naive_utc();
        Self {
            text: format_naive(naive, "Z"),
            naive,
            offset: OffsetStyle::Zulu,
        }
    }

    /// A UTC date-time written with `+00:00`, as awork writes the envelope's `timestamp`.
    pub fn utc_with_offset(value: DateTime<Utc>) -> Self {
        let naive = value.naive_utc();
        let offset = OffsetStyle::Numeric(FixedOffset::east_opt(0).expect("zero offset is valid"));
        Self {
            text: format_naive(naive, "+00:00"),
            naive,
            offset,
        }
    }

    /// A local date-time written without an offset, as awork writes `startDateLocal`.
    pub fn local(value: NaiveDateTime) -> Self {
        Self {
            text: format_naive(value, ""),
            naive: value,
            offset: OffsetStyle::Local,
        }
    }

    /// The exact text, as received or as it will be written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The date and time as written, without its offset.
    pub fn naive(&self) -> NaiveDateTime {
        self.naive
    }

    /// How the text states its offset.
    pub fn offset_style(&self) -> OffsetStyle {
        self.offset
    }

    /// The instant in UTC, or `None` for a local date-time, which has no offset to resolve it.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        match self.offset {
            OffsetStyle::Zulu => Some(self.naive.and_utc()),
            OffsetStyle::Numeric(offset) => Some((self.naive - offset).and_utc()),
            OffsetStyle::Local => None,
        }
    }

    /// How many fractional digits the text has (0 to 7).
    pub fn fraction_digits(&self) -> usize {
        fraction_digits(&self.text)
    }
}

impl FromStr for AworkDateTime {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse = |reason| TimestampError {
            text: text.to_owned(),
            reason,
        };
        // The date and time take 19 bytes; what follows is an optional fraction, then the offset.
        if text.len() < 19 || !text.is_char_boundary(19) {
            return Err(refuse("expected YYYY-MM-DDTHH:MM:SS"));
        }
        let (date_time, rest) = text.split_at(19);
        let naive = parse_date_time(date_time.as_bytes())
            .ok_or_else(|| refuse("expected YYYY-MM-DDTHH:MM:SS"))?;
        let (nanos, rest) = parse_fraction(rest).map_err(refuse)?;
        let offset = match rest {
            "" => OffsetStyle::Local,
            "Z" => OffsetStyle::Zulu,
            _ => OffsetStyle::Numeric(
                parse_offset(rest)
                    .ok_or_else(|| refuse("expected Z or an offset such as +00:00"))?,
            ),
        };
        let naive = naive
            .with_nanosecond(nanos)
            .ok_or_else(|| refuse("fraction out of range"))?;
        Ok(Self {
            text: text.into(),
            naive,
            offset,
        })
    }
}

impl fmt::Display for AworkDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for AworkDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

impl Serialize for AworkDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for AworkDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A time of day as awork writes it in time entries (`"13:08:51.8220632"`, `"09:21:00"`), keeping the
/// exact text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TimeOfDay {
    text: Box<str>,
    time: NaiveTime,
}

impl TimeOfDay {
    /// A time of day written as .NET writes a `TimeSpan`: seconds always, fraction trimmed.
    pub fn new(time: NaiveTime) -> Self {
        let mut bytes = [0u8; TIME_LENGTH];
        let length = write_time(&mut bytes, time);
        Self {
            text: ascii(&bytes[..length]).into(),
            time,
        }
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The time of day.
    pub fn time(&self) -> NaiveTime {
        self.time
    }
}

impl FromStr for TimeOfDay {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse = |reason| TimestampError {
            text: text.to_owned(),
            reason,
        };
        if text.len() < 8 || !text.is_char_boundary(8) {
            return Err(refuse("expected HH:MM:SS"));
        }
        let (hms, rest) = text.split_at(8);
        let time = parse_time(hms.as_bytes()).ok_or_else(|| refuse("expected HH:MM:SS"))?;
        let (nanos, rest) = parse_fraction(rest).map_err(refuse)?;
        if !rest.is_empty() {
            return Err(refuse("unexpected text after the time"));
        }
        let time = time
            .with_nanosecond(nanos)
            .ok_or_else(|| refuse("fraction out of range"))?;
        Ok(Self {
            text: text.into(),
            time,
        })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Midnight UTC of a day, as awork writes dates meant as whole days (`2022-04-08T00:00:00Z`).
pub fn day_start(date: NaiveDate) -> AworkDateTime {
    AworkDateTime::zulu(date.and_time(NaiveTime::MIN).and_utc())
}

/// `YYYY-MM-DDTHH:MM:SS` plus the fraction .NET would write (see [`write_time`]), then `suffix`.
///
/// Written digit by digit into a buffer on the stack and allocated once at its exact length,
/// rather than through chrono's `format`, which parses its pattern on every call: the generator
/// writes two date-times per event.
fn format_naive(naive: NaiveDateTime, suffix: &str) -> Box<str> {
    let mut bytes = [0u8; 11 + TIME_LENGTH];
    let length = 11 + write_time(&mut bytes[11..], naive.time());
    let date = naive.date();
    if !(0..=9999).contains(&date.year()) {
        // Outside RFC 3339's four-digit years; awork never writes these, but a value is never
        // truncated: chrono writes every digit of the date.
        let time = ascii(&bytes[11..length]);
        return format!("{}T{time}{suffix}", date.format("%Y-%m-%d")).into_boxed_str();
    }
    write_digits(&mut bytes[0..4], date.year().unsigned_abs());
    for (at, separator, value) in [(4, b'-', date.month()), (7, b'-', date.day())] {
        bytes[at] = separator;
        write_digits(&mut bytes[at + 1..at + 3], value);
    }
    bytes[10] = b'T';
    let mut text = String::with_capacity(length + suffix.len());
    text.push_str(ascii(&bytes[..length]));
    text.push_str(suffix);
    text.into_boxed_str()
}

/// The longest `HH:MM:SS.fffffff`.
const TIME_LENGTH: usize = 16;

/// Writes `HH:MM:SS` and the fraction .NET would write for the 100 ns ticks (up to 7 digits,
/// trailing zeros trimmed, none for zero ticks) at the start of `bytes`; returns the length.
fn write_time(bytes: &mut [u8], time: NaiveTime) -> usize {
    for (at, value) in [(0, time.hour()), (3, time.minute()), (6, time.second())] {
        write_digits(&mut bytes[at..at + 2], value);
    }
    bytes[2] = b':';
    bytes[5] = b':';
    let (ticks, width) = trimmed_ticks(time.nanosecond());
    if width == 0 {
        return 8;
    }
    bytes[8] = b'.';
    write_digits(&mut bytes[9..9 + width], ticks);
    9 + width
}

/// Writes the last `digits.len()` decimal digits of `value` into `digits`, zero-padded.
fn write_digits(digits: &mut [u8], mut value: u32) {
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Bytes the writers above produced: digits and separators only.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("digits and separators are ASCII")
}

/// The 100 ns ticks of `nanos` with trailing zeros trimmed, and how many digits they take (0 for
/// zero ticks).
fn trimmed_ticks(nanos: u32) -> (u32, usize) {
    let mut ticks = (nanos % 1_000_000_000) / 100;
    if ticks == 0 {
        return (0, 0);
    }
    let mut width = 7;
    while ticks % 10 == 0 {
        ticks /= 10;
        width -= 1;
    }
    (ticks, width)
}

/// Splits an optional `.d{1,7}` off the front of `rest`, returning its value in nanoseconds.
fn parse_fraction(rest: &str) -> Result<(u32, &str), &'static str> {
    let Some(after_dot) = rest.strip_prefix('.') else {
        return Ok((0, rest));
    };
    let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("a '.' must be followed by digits");
    }
    if digits > MAX_FRACTION_DIGITS {
        return Err("more than 7 fractional digits");
    }
    let (fraction, rest) = after_dot.split_at(digits);
    let value: u32 = fraction.parse().map_err(|_| "bad fraction")?;
    Ok((value * 10u32.pow((9 - digits) as u32), rest))
}

/// `YYYY-MM-DDTHH:MM:SS`, exactly: two digits per field, four for the year (0001 to 9999, as
/// .NET's `DateTime`), a real date and a time of day without a leap second. Read digit by digit
/// rather than through chrono's `parse_from_str`, which parses its pattern on every call (every
/// event `send FILE` checks has several date-times) and lets a 60th second through.
fn parse_date_time(bytes: &[u8]) -> Option<NaiveDateTime> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', time @ ..] = bytes else {
        return None;
    };
    let year = number(&[*y0, *y1, *y2, *y3])?;
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).ok().filter(|year| *year > 0)?,
        number(&[*m0, *m1])?,
        number(&[*d0, *d1])?,
    )?;
    Some(date.and_time(parse_time(time)?))
}

/// `HH:MM:SS`, exactly (see [`parse_date_time`]).
fn parse_time(bytes: &[u8]) -> Option<NaiveTime> {
    let [h0, h1, b':', m0, m1, b':', s0, s1] = bytes else {
        return None;
    };
    NaiveTime::from_hms_opt(
        number(&[*h0, *h1])?,
        number(&[*m0, *m1])?,
        number(&[*s0, *s1])?,
    )
}

/// The value of ASCII decimal digits; `None` when one is not a digit.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |value, digit| {
        digit
            .is_ascii_digit()
            .then(|| value * 10 + u32::from(digit - b'0'))
    })
}

/// `+HH:MM` or `-HH:MM`, exactly (two digits each, as [`parse_date_time`] reads them).
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let [sign, h0, h1, b':', m0, m1] = text.as_bytes() else {
        return None;
    };
    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = number(&[*h0, *h1]).filter(|hours| *hours <= 23)?;
    let minutes = number(&[*m0, *m1]).filter(|minutes| *minutes <= 59)?;
    FixedOffset::east_opt(sign * i32::try_from(hours * 3600 + minutes * 60).ok()?)
}

fn fraction_digits(text: &str) -> usize {
    text.get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map_or(0, |fraction| {
            fraction.bytes().take_while(u8::is_ascii_digit).count()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_round_trip(text: &str, digits: usize) {
        let parsed: AworkDateTime = text.parse().unwrap();
        assert_eq!(parsed.as_str(), text);
        assert_eq!(parsed.fraction_digits(), digits);
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(json, format!("\"{text}\""));
    }

    #[test]
    fn accepts_every_form_awork_writes() {
        check_round_trip("2023-09-03T20:28:39.5966465+00:00", 7);
        check_round_trip("2023-09-03T20:28:40.017585Z", 6);
        check_round_trip("2021-03-18T09:17:22.893Z", 3);
        check_round_trip("2022-04-08T00:00:00Z", 0);
        check_round_trip("2022-09-21T00:00:00", 0);
        check_round_trip("2022-09-21T15:08:51.8220632", 7);
        check_round_trip("2022-09-21T15:08:51.8220632-05:30", 7);
    }

    #[test]
    fn writes_what_it_is_given_in_each_form() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let check = |written: AworkDateTime, expected: &str| {
            assert_eq!(written.as_str(), expected);
            assert_eq!(expected.parse::<AworkDateTime>().unwrap(), written);
        };
        check(
            AworkDateTime::zulu(at("2023-09-03T20:28:39.5966465Z")),
            "2023-09-03T20:28:39.5966465Z",
        );
        check(
            AworkDateTime::utc_with_offset(at("2023-09-03T20:28:39.59Z")),
            "2023-09-03T20:28:39.59+00:00",
        );
        check(
            AworkDateTime::zulu(at("0987-01-02T03:04:05.0000001Z")),
            "0987-01-02T03:04:05.0000001Z",
        );
        check(
            AworkDateTime::local(at("2022-09-21T00:00:00Z").naive_utc()),
            "2022-09-21T00:00:00",
        );
        // Past four-digit years every digit is still written, in ISO 8601's expanded form (no awork
        // date has one).
        let far = NaiveDate::from_ymd_opt(12345, 6, 7)
            .unwrap()
            .and_hms_nano_opt(8, 9, 10, 500_000_000)
            .unwrap();
        assert_eq!(
            AworkDateTime::zulu(far.and_utc()).as_str(),
            "+12345-06-07T08:09:10.5Z"
        );
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for text in [
            "",
            "yesterday",
            "2023-09-03",
            "2023-09-03 20:28:39Z",
            "2023-13-03T20:28:39Z",
            "2023-09-03T20:28:39.Z",
            "2023-09-03T20:28:39.12345678Z",
            "2023-09-03T20:28:39+0000",
            "2023-09-03T20:28:39Zjunk",
            "2023-09-03T20:28:39.5é",
            // A leap second, year 0 (before .NET's first), a 30 February, one-digit and signed
            // fields padded to the same length: chrono's pattern parser let the first and the
            // last through.
            "2016-12-31T23:59:60Z",
            "0000-01-01T00:00:00Z",
            "2023-02-30T10:00:00Z",
            "2023-9-03T20:28:39ZZ",
            "+2023-09-03T20:28:3Z",
            "02023-9-03T20:28:39Z",
            "2023-09-03T24:00:00Z",
            "2023-09-03T20:60:00Z",
            // A sign inside an offset's field, which `str::parse` took for the field's own.
            "2023-09-03T20:28:39++5:00",
            "2023-09-03T20:28:39+-5:00",
        ] {
            assert!(
                text.parse::<AworkDateTime>().is_err(),
                "{text:?} was accepted"
            );
        }
    }

    #[test]
    fn formats_like_dotnet() {
        let instant = "2023-09-03T20:28:40.0175850Z"
            .parse::<AworkDateTime>()
            .unwrap()
            .to_utc()
            .unwrap();
        assert_eq!(
            AworkDateTime::zulu(instant).as_str(),
            "2023-09-03T20:28:40.017585Z"
        );
        assert_eq!(
            AworkDateTime::utc_with_offset(instant).as_str(),
            "2023-09-03T20:28:40.017585+00:00"
        );
        let whole = "2022-04-08T00:00:00Z".parse::<AworkDateTime>().unwrap();
        assert_eq!(day_start(whole.naive().date()), whole);
        let time = NaiveTime::from_hms_nano_opt(13, 8, 51, 822_063_200).unwrap();
        assert_eq!(TimeOfDay::new(time).as_str(), "13:08:51.8220632");
    }

    #[test]
    fn resolves_offsets_to_utc() {
        let shifted: AworkDateTime = "2023-09-03T22:28:39+02:00".parse().unwrap();
        let zulu: AworkDateTime = "2023-09-03T20:28:39Z".parse().unwrap();
        assert_eq!(shifted.to_utc(), zulu.to_utc());
        assert_eq!(
            "2023-09-03T20:28:39"
                .parse::<AworkDateTime>()
                .unwrap()
                .to_utc(),
            None
        );
    }

    #[test]
    fn times_of_day_round_trip() {
        for text in ["13:08:51.8220632", "09:21:00", "23:59:59.9"] {
            assert_eq!(text.parse::<TimeOfDay>().unwrap().as_str(), text);
        }
        for text in ["9:21:00", "09:21", "25:00:00", "09:21:00Z"] {
            assert!(text.parse::<TimeOfDay>().is_err(), "{text:?} was accepted");
        }
    }
}
