//! awork's rate limits on its API, when asked for (`serve --api-rate-limit`): a number of
//! requests a second and a minute for the whole workspace (awork: Premium 500/s and 1000/min,
//! Enterprise 500/s and 3000/min; `awork/API.md` §1.5, EVIDENCE), counted in fixed windows that
//! start on the clock's whole seconds and minutes, as the Kong gateway in front of awork's API
//! counts them. Every answer of the API then carries Kong's headers (`X-RateLimit-Limit-Second`,
//! `X-RateLimit-Remaining-Second`, the same for the minute, and `RateLimit-Limit`,
//! `RateLimit-Remaining`, `RateLimit-Reset` for the window nearest its end); a request over a
//! limit is answered 429 with Kong's body and `Retry-After` beside `RateLimit-Reset`, as n8n reads
//! the one and awork's CLI the other (INFERRED: both). A refused request does not count.

use std::fmt;
use std::sync::Mutex;

use http::{HeaderName, HeaderValue};

/// Requests allowed a second and a minute (either may be unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests a second, if limited.
    pub per_second: Option<u32>,
    /// Requests a minute, if limited.
    pub per_minute: Option<u32>,
}

impl RateLimit {
    /// awork's Premium plan: 500 a second, 1,000 a minute.
    pub const PREMIUM: RateLimit = RateLimit {
        per_second: Some(500),
        per_minute: Some(1000),
    };
    /// awork's Enterprise plan: 500 a second, 3,000 a minute.
    pub const ENTERPRISE: RateLimit = RateLimit {
        per_second: Some(500),
        per_minute: Some(3000),
    };
}

/// Why a rate limit could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRateLimit(String);

impl fmt::Display for BadRateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: give premium, enterprise, off, or limits such as 10/s,100/min",
            self.0
        )
    }
}

impl std::error::Error for BadRateLimit {}

/// Reads `premium`, `enterprise`, `off` (`None`), or `N/s`, `M/min` or both, comma-separated.
pub fn parse(text: &str) -> Result<Option<RateLimit>, BadRateLimit> {
    let bad = |why: &str| BadRateLimit(format!("`{text}` {why}"));
    match text.trim().to_ascii_lowercase().as_str() {
        "off" => return Ok(None),
        "premium" => return Ok(Some(RateLimit::PREMIUM)),
        "enterprise" => return Ok(Some(RateLimit::ENTERPRISE)),
        _ => {}
    }
    let mut limit = RateLimit {
        per_second: None,
        per_minute: None,
    };
    for part in text.split(',') {
        let (count, unit) = part
            .trim()
            .split_once('/')
            .ok_or_else(|| bad("is not a limit"))?;
        let count: u32 = count
            .trim()
            .parse()
            .ok()
            .filter(|count| *count > 0)
            .ok_or_else(|| bad("needs a whole number of requests, 1 or more"))?;
        let slot = match unit.trim() {
            "s" | "sec" | "second" => &mut limit.per_second,
            "min" | "minute" => &mut limit.per_minute,
            _ => return Err(bad("counts per s or per min")),
        };
        if slot.replace(count).is_some() {
            return Err(bad("gives a window twice"));
        }
    }
    Ok(Some(limit))
}

/// The limit applied: the requests counted in the current second and minute.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    windows: Mutex<Windows>,
}

/// The current windows (their starts, in whole seconds since the Unix epoch) and their counts.
#[derive(Debug, Default)]
struct Windows {
    second: (u64, u32),
    minute: (u64, u32),
}

/// What the limiter says of one request: whether it may go on, and the headers of its answer.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) allowed: bool,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

/// One window's part of a verdict: its headers' names, limit, requests left, seconds left.
struct Window {
    limit_header: &'static str,
    remaining_header: &'static str,
    limit: u32,
    remaining: u32,
    reset: u64,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            windows: Mutex::new(Windows::default()),
        }
    }

    /// Counts a request made at `now_ms` (milliseconds since the Unix epoch) if the windows
    /// have room for it.
    pub(crate) fn take(&self, now_ms: i64) -> Verdict {
        let second = u64::try_from(now_ms / 1000).unwrap_or(0);
        let minute = second - second % 60;
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Windows only move forward: a request whose clock was read just before another's, in
        // the window before, counts in the current one rather than start the old one afresh.
        if second > windows.second.0 {
            windows.second = (second, 0);
        }
        if minute > windows.minute.0 {
            windows.minute = (minute, 0);
        }
        let (second, minute) = (windows.second.0, windows.minute.0);
        let full = |limit: Option<u32>, count: u32| limit.is_some_and(|limit| count >= limit);
        let over_second = full(self.limit.per_second, windows.second.1);
        let over_minute = full(self.limit.per_minute, windows.minute.1);
        let allowed = !over_second && !over_minute;
        if allowed {
            windows.second.1 += 1;
            windows.minute.1 += 1;
        }
        let mut limits = Vec::new();
        if let Some(limit) = self.limit.per_second {
            limits.push(Window {
                limit_header: "x-ratelimit-limit-second",
                remaining_header: "x-ratelimit-remaining-second",
                limit,
                remaining: limit.saturating_sub(windows.second.1),
                reset: 1,
            });
        }
        if let Some(limit) = self.limit.per_minute {
            limits.push(Window {
                limit_header: "x-ratelimit-limit-minute",
                remaining_header: "x-ratelimit-remaining-minute",
                limit,
                remaining: limit.saturating_sub(windows.minute.1),
                reset: minute + 60 - second,
            });
        }
        drop(windows);
        let mut headers = Vec::new();
        for window in &limits {
            headers.push(header(window.limit_header, window.limit.into()));
            headers.push(header(window.remaining_header, window.remaining.into()));
        }
        // The window nearest its limit (the longer one on a tie, since it holds longer).
        let nearest = limits
            .iter()
            .min_by_key(|window| (window.remaining, std::cmp::Reverse(window.reset)));
        if let Some(window) = nearest {
            headers.push(header("ratelimit-limit", window.limit.into()));
            headers.push(header("ratelimit-remaining", window.remaining.into()));
            headers.push(header("ratelimit-reset", window.reset));
            if !allowed {
                headers.push(header("retry-after", window.reset));
            }
        }
        Verdict { allowed, headers }
    }
}

/// A header of a number.
fn header(name: &'static str, value: u64) -> (HeaderName, HeaderValue) {
    (HeaderName::from_static(name), HeaderValue::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(verdict: &Verdict) -> Vec<(String, String)> {
        verdict
            .headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect()
    }

    fn value(verdict: &Verdict, name: &str) -> String {
        headers(verdict)
            .into_iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value)
            .unwrap_or_else(|| panic!("no {name}: {verdict:?}"))
    }

    #[test]
    fn limits_are_read_from_plans_and_counts() {
        assert_eq!(parse("off"), Ok(None));
        assert_eq!(parse("Premium"), Ok(Some(RateLimit::PREMIUM)));
        assert_eq!(parse("enterprise"), Ok(Some(RateLimit::ENTERPRISE)));
        assert_eq!(
            parse("10/s, 100/min"),
            Ok(Some(RateLimit {
                per_second: Some(10),
                per_minute: Some(100)
            }))
        );
        assert_eq!(
            parse("5/min"),
            Ok(Some(RateLimit {
                per_second: None,
                per_minute: Some(5)
            }))
        );
        for bad in ["", "fast", "0/s", "-1/s", "10/h", "10/s,20/s", "10"] {
            let error = parse(bad).unwrap_err().to_string();
            assert!(error.starts_with(&format!("`{bad}` ")), "{error}");
        }
    }

    #[test]
    fn a_window_full_refuses_until_it_ends_and_a_refusal_does_not_count() {
        let limiter = Limiter::new(RateLimit {
            per_second: Some(3),
            per_minute: Some(5),
        });
        // 1,000,040.2 s since the epoch: 20 s into a minute.
        let at: i64 = 1_000_040_200;
        for left in [2, 1, 0] {
            let verdict = limiter.take(at);
            assert!(verdict.allowed);
            assert_eq!(
                value(&verdict, "x-ratelimit-remaining-second"),
                left.to_string()
            );
            assert_eq!(value(&verdict, "x-ratelimit-limit-second"), "3");
            assert_eq!(value(&verdict, "x-ratelimit-limit-minute"), "5");
        }
        let refused = limiter.take(at + 500);
        assert!(!refused.allowed);
        // The second is the window nearest its limit, and ends in a second.
        assert_eq!(value(&refused, "ratelimit-limit"), "3");
        assert_eq!(value(&refused, "ratelimit-remaining"), "0");
        assert_eq!(value(&refused, "retry-after"), "1");
        // The next second has room; the minute has 2 left, then none, for 40 s.
        assert!(limiter.take(at + 1_000).allowed);
        let last = limiter.take(at + 1_100);
        assert!(last.allowed);
        assert_eq!(value(&last, "x-ratelimit-remaining-minute"), "0");
        assert_eq!(value(&last, "ratelimit-reset"), "39");
        let refused = limiter.take(at + 2_000);
        assert!(!refused.allowed);
        assert_eq!(value(&refused, "ratelimit-limit"), "5");
        assert_eq!(value(&refused, "retry-after"), "38");
        // The next minute starts afresh.
        let next = limiter.take(1_000_080_000);
        assert!(next.allowed);
        assert_eq!(value(&next, "x-ratelimit-remaining-minute"), "4");
        // A request whose clock was read just before the window moved on counts in the current
        // window; it does not start the old one afresh (and lose the current one's count).
        let racing = Limiter::new(RateLimit {
            per_second: Some(2),
            per_minute: None,
        });
        assert!(racing.take(1_000_041_000).allowed);
        let late = racing.take(1_000_040_999);
        assert!(late.allowed);
        assert_eq!(value(&late, "x-ratelimit-remaining-second"), "0");
        assert!(!racing.take(1_000_041_500).allowed);
        // Without a minute's limit, only the second's headers.
        let per_second = Limiter::new(RateLimit {
            per_second: Some(2),
            per_minute: None,
        });
        let names: Vec<String> = headers(&per_second.take(at))
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            names,
            [
                "x-ratelimit-limit-second",
                "x-ratelimit-remaining-second",
                "ratelimit-limit",
                "ratelimit-remaining",
                "ratelimit-reset"
            ]
        );
    }
}
