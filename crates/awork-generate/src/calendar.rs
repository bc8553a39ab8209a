//! The agency's calendar: Berlin's time, Germany's public holidays, and the working day.
//!
//! The agency works in Berlin, Monday to Friday, on days that are not public holidays: the national
//! ones (Neujahr, Karfreitag, Ostermontag, Tag der Arbeit, Christi Himmelfahrt, Pfingstmontag, Tag
//! der Deutschen Einheit, the two Weihnachtstage) and Berlin's own (Internationaler Frauentag, 8
//! March). The Easter-based ones are computed (the Gregorian computus). A working day begins
//! between 08:00 and 09:00 local time, slows down over lunch (12:00 to 13:30) and towards the
//! evening (after 17:00), and ends at 18:00; the story's clock never stops on a weekend or a holiday.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};
use chrono::{Month, Weekday};

/// The local hour at which a working day begins: the earliest tracked time, and the earliest
/// event (the first comes within the hour after it).
pub const DAY_STARTS: u32 = 8;
/// The local hour at which a working day ends: no event comes later, and no tracked time ends
/// later. With [`DAY_STARTS`], no user-day exceeds ten hours.
pub const DAY_ENDS: u32 = 18;

/// Berlin's offset from UTC, in hours, at an instant, by the EU rule: summer time from the last
/// Sunday of March to the last Sunday of October, 01:00 UTC.
pub fn berlin_offset_hours(instant: DateTime<Utc>) -> i64 {
    // Only March and October need their last Sunday (the clock asks on every tick).
    match instant.month() {
        4..=9 => return 2,
        11 | 12 | 1 | 2 => return 1,
        _ => {}
    }
    let year = instant.year();
    let last_sunday = |month: Month| {
        let days = month.num_days(year).expect("a valid year");
        let last = NaiveDate::from_ymd_opt(year, month.number_from_month(), u32::from(days))
            .expect("valid date");
        last - TimeDelta::days(i64::from(last.weekday().num_days_from_sunday()))
    };
    let at_one = |date: NaiveDate| date.and_hms_opt(1, 0, 0).expect("valid").and_utc();
    let summer = at_one(last_sunday(Month::March))..at_one(last_sunday(Month::October));
    if summer.contains(&instant) { 2 } else { 1 }
}

/// An instant as Berlin's wall clock shows it.
pub fn local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.naive_utc() + TimeDelta::hours(berlin_offset_hours(instant))
}

/// The instant at which Berlin's wall clock shows `date` at `hour` o'clock (an hour of the working
/// day, never in the night hour that summer time skips or repeats).
pub fn at_local_hour(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let wall = date.and_hms_opt(hour, 0, 0).expect("valid").and_utc();
    // The offset a few hours earlier is the day's: the clocks change at night.
    wall - TimeDelta::hours(berlin_offset_hours(wall - TimeDelta::hours(3)))
}

/// Easter Sunday of a year (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let (a, b, c) = (year % 19, year / 100, year % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a date")
}

/// Whether a day is a public holiday in Berlin: a national one, or the Internationaler Frauentag.
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let fixed = matches!(
        (date.month(), date.day()),
        (1, 1) | (3, 8) | (5, 1) | (10, 3) | (12, 25) | (12, 26)
    );
    // Karfreitag, Ostermontag, Christi Himmelfahrt, Pfingstmontag: between 20 March and 14 June.
    fixed
        || (3..=6).contains(&date.month()) && {
            let from_easter = (date - easter_sunday(date.year())).num_days();
            matches!(from_easter, -2 | 1 | 39 | 50)
        }
}

/// Whether the agency works on a day: Monday to Friday, not a public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// `date` when the agency works on it, or else the next day it does.
pub fn working_day_from(date: NaiveDate) -> NaiveDate {
    let mut day = date;
    while !is_working_day(day) {
        day += TimeDelta::days(1);
    }
    day
}

/// Whether an instant is within a working day's hours (local [`DAY_STARTS`] to [`DAY_ENDS`]).
pub fn is_working_time(instant: DateTime<Utc>) -> bool {
    let wall = local(instant);
    is_working_day(wall.date()) && (DAY_STARTS..DAY_ENDS).contains(&wall.hour())
}

/// The start of the next working day after `instant` (the same day's, when it is a working day
/// that has not begun yet).
pub fn next_day_start(instant: DateTime<Utc>) -> DateTime<Utc> {
    let wall = local(instant);
    let day = if wall.hour() < DAY_STARTS {
        wall.date()
    } else {
        wall.date() + TimeDelta::days(1)
    };
    at_local_hour(working_day_from(day), DAY_STARTS)
}

/// How much slower than at full pace the workspace is at this local time of a working day: the
/// first hour (people arrive), lunch and the last hour are quieter.
pub fn slowness(wall: NaiveTime) -> i64 {
    let minutes = wall.hour() * 60 + wall.minute();
    match minutes {
        m if m < 9 * 60 => 2,
        m if (12 * 60..13 * 60 + 30).contains(&m) => 4,
        m if m >= 17 * 60 => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn easter_falls_where_the_almanac_has_it() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
    }

    #[test]
    fn the_holidays_of_2025_in_berlin() {
        let holidays: Vec<NaiveDate> = date(2025, 1, 1)
            .iter_days()
            .take(365)
            .filter(|day| is_public_holiday(*day))
            .collect();
        assert_eq!(
            holidays,
            [
                date(2025, 1, 1),
                date(2025, 3, 8),
                date(2025, 4, 18),
                date(2025, 4, 21),
                date(2025, 5, 1),
                date(2025, 5, 29),
                date(2025, 6, 9),
                date(2025, 10, 3),
                date(2025, 12, 25),
                date(2025, 12, 26),
            ]
        );
        assert!(!is_working_day(date(2025, 4, 19)), "a Saturday");
        assert_eq!(working_day_from(date(2025, 4, 18)), date(2025, 4, 22));
    }

    #[test]
    fn the_day_starts_at_eight_in_berlin_in_winter_and_in_summer() {
        assert_eq!(at_local_hour(date(2025, 1, 6), 8).hour(), 7);
        assert_eq!(at_local_hour(date(2025, 7, 7), 8).hour(), 6);
        // The Monday after the change to summer time.
        assert_eq!(at_local_hour(date(2025, 3, 31), 8).hour(), 6);
        let friday_evening = at_local_hour(date(2025, 4, 17), 19);
        assert_eq!(
            next_day_start(friday_evening),
            at_local_hour(date(2025, 4, 22), 8)
        );
    }
}
