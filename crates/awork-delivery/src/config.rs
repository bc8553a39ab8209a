//! Webhook configuration as data: the receiver URL, the auth header, and the delivery policy
//! (timeout, retries, retry schedule, pause threshold, concurrency, rate).
//!
//! This module only parses and validates values. It does no I/O and knows nothing of how the
//! policy is carried out; that is the engine's job.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use http::uri::{Scheme, Uri};

/// An error in a configuration value, naming the text that was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The webhook URL is not an absolute `http` or `https` URL with a host. When the scheme is
    /// missing and `http://` in front would make a URL, the message suggests it.
    #[error("invalid webhook url `{url}`: {reason}{}", with_scheme(.url))]
    InvalidUrl {
        /// The rejected text.
        url: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The auth header has no `:` between its name and its value.
    #[error("invalid auth header: expected `Name: value`, found no colon")]
    AuthMissingColon,
    /// The auth header's name is not a valid HTTP header name. The name is not shown: given
    /// without its `:`, a header's value would be in it.
    #[error("invalid auth header name")]
    AuthInvalidName {
        /// The rejected name.
        name: String,
        /// The underlying parse error.
        #[source]
        source: http::header::InvalidHeaderName,
    },
    /// The auth header's name is one awork-sim sets itself (the request's framing or host) or one
    /// that belongs to a single hop (`Connection`, `Proxy-*`, ...), which would break the request
    /// or never reach the receiver.
    #[error("{name} {reason}; it cannot be the auth header")]
    AuthReservedName {
        /// The refused name, as given.
        name: String,
        /// What the header is for, as the rest of a sentence that starts with its name.
        reason: &'static str,
    },
    /// The auth header's value is not a valid HTTP header value. The value itself is not shown,
    /// because it is a secret.
    #[error("invalid auth header value for `{name}`")]
    AuthInvalidValue {
        /// The header name whose value was rejected.
        name: String,
        /// The underlying parse error.
        #[source]
        source: http::header::InvalidHeaderValue,
    },
    /// A duration could not be parsed.
    #[error(transparent)]
    Duration(#[from] DurationError),
    /// A retry schedule list was empty.
    #[error("empty retry schedule")]
    EmptySchedule,
    /// An exponential retry schedule has a factor below 1 or not finite.
    #[error("invalid exponential factor {0}: must be finite and at least 1")]
    InvalidFactor(f64),
}

/// A duration written as `<digits><unit>` with unit `ms`, `s`, `m` or `h` could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration `{text}`: {reason}")]
pub struct DurationError {
    /// The rejected text.
    pub text: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

/// Parses a duration written as `250ms`, `30s`, `2m` or `1h` (a whole number and a unit).
///
/// ```
/// # use std::time::Duration;
/// use awork_delivery::parse_duration;
/// assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
/// assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
/// assert!(parse_duration("2 minutes").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = |reason| DurationError {
        text: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(error(
            "negative; a duration is 0 or more, such as 250ms or 30s",
        ));
    }
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .ok_or_else(|| error("missing unit (ms, s, m or h)"))?;
    let (number, unit) = trimmed.split_at(split);
    // Decimals too (`1.5s`), as `--rate` takes them, down to the millisecond.
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(error("missing number"));
    }
    if fraction.contains('.') {
        return Err(error("not a number"));
    }
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(error("unknown unit (expected ms, s, m or h)")),
    };
    let whole: u64 = match whole {
        "" => 0,
        digits => digits.parse().map_err(|_| error("number too large"))?,
    };
    let fraction_millis = match fraction.trim_end_matches('0') {
        "" => 0,
        digits if digits.len() > 9 => return Err(error("finer than a millisecond")),
        digits => {
            let scale = 10_u64.pow(u32::try_from(digits.len()).unwrap_or(9));
            let scaled = digits.parse::<u64>().unwrap_or(0) * millis_per_unit;
            if scaled % scale != 0 {
                return Err(error("finer than a millisecond"));
            }
            scaled / scale
        }
    };
    let millis = whole
        .checked_mul(millis_per_unit)
        .and_then(|millis| millis.checked_add(fraction_millis))
        .ok_or_else(|| error("number too large"))?;
    Ok(Duration::from_millis(millis))
}

/// Formats a duration in the syntax [`parse_duration`] reads, with the largest exact unit.
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 {
        "0s".to_owned()
    } else if millis % 3_600_000 == 0 {
        format!("{}h", millis / 3_600_000)
    } else if millis % 60_000 == 0 {
        format!("{}m", millis / 60_000)
    } else if millis % 1_000 == 0 {
        format!("{}s", millis / 1_000)
    } else {
        format!("{millis}ms")
    }
}

/// `; did you mean `http://127.0.0.1:8787/hooks`?` when `text` has no scheme and `http://` in
/// front of it makes a valid URL; otherwise nothing.
fn with_scheme(text: &str) -> String {
    if text.contains("://") {
        return String::new();
    }
    let guess = format!("http://{}", text.trim());
    match guess.parse::<Uri>() {
        Ok(uri) if uri.host().is_some_and(|host| !host.is_empty()) => {
            format!("; did you mean `{guess}`?")
        }
        _ => String::new(),
    }
}

/// The port of a URL as written (after the host's `:`), if it has one.
fn port_text(uri: &Uri) -> Option<&str> {
    let authority = uri.authority()?.as_str();
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let after_host = host_and_port
        .rfind(']')
        .map_or(host_and_port, |end| &host_and_port[end + 1..]);
    after_host.split_once(':').map(|(_, port)| port)
}

/// A port number that can be connected to: 1 to 65535.
fn port_number(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|port| *port != 0)
}

/// A validated absolute `http` or `https` URL with a host. Its `Debug` and `Display` hide a
/// password in it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(Uri);

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({self})")
    }
}

impl WebhookUrl {
    /// Parses and validates `text`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let error = |reason| ConfigError::InvalidUrl {
            url: text.to_owned(),
            reason,
        };
        if !text.contains("://") {
            return Err(error("the scheme is missing (http:// or https://)"));
        }
        let uri: Uri = percent_encoded_path(text)
            .parse()
            .map_err(|_| error("not a valid url"))?;
        match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTP || *scheme == Scheme::HTTPS => {}
            Some(_) => return Err(error("scheme must be http or https")),
            None => return Err(error("missing scheme (http:// or https://)")),
        }
        match uri.host() {
            Some(host) if !host.is_empty() => {}
            _ => return Err(error("missing host")),
        }
        // `http::Uri` takes any digits as the port (and then has none): a connection would take
        // port 80 or 443 for one that does not fit 16 bits, and reach another service.
        if port_text(&uri).is_some_and(|port| !port.is_empty() && port_number(port).is_none()) {
            return Err(error("the port must be a number from 1 to 65535"));
        }
        Ok(Self(uri))
    }

    /// The URL as an [`http::Uri`].
    pub fn as_uri(&self) -> &Uri {
        &self.0
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == Some(&Scheme::HTTPS)
    }
}

impl FromStr for WebhookUrl {
    type Err = ConfigError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// The URL as given, but for a password in it (`http://user:***@host/`): reports and logs show
/// the URL, and a password is a secret. (Like awork's client, awork-sim sends no credentials
/// from the URL.)
impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&without_password(&self.0.to_string()))
    }
}

/// `text` with every byte past ASCII in its path, query and fragment percent-encoded, as .NET's
/// `Uri` (awork's client) sends it: `http::Uri` would take `/€` as it is and put raw UTF-8 on the
/// request line. The host is left as it is (a name past ASCII is not a valid URL here).
fn percent_encoded_path(text: &str) -> std::borrow::Cow<'_, str> {
    let authority = text.find("://").map_or(0, |at| at + 3);
    let path = text[authority..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |at| authority + at);
    if text[path..].is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut encoded = String::with_capacity(text.len() + 16);
    encoded.push_str(&text[..path]);
    for byte in text[path..].bytes() {
        if byte.is_ascii() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    std::borrow::Cow::Owned(encoded)
}

/// `url` with the password of its user information, if any, shown as `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, password)) if !password.is_empty() => {
                format!("{scheme}://{user}:***@{host}{after}")
            }
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The header sent with every attempt so the receiver can authenticate the sender.
///
/// Its `Debug` and `Display` show `Name: ***`: the value is a secret and is never printed or
/// logged. The value is also marked sensitive for hyper.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthHeader {
    name: HeaderName,
    /// The name as it was given: how it goes on the wire, since awork's .NET client keeps the
    /// case of a header it is given (`HeaderName` is lowercase).
    spelling: String,
    value: HeaderValue,
}

impl AuthHeader {
    /// Builds a header from a name and a value. Refuses (in any case) the names awork-sim sets
    /// itself, `Content-Length`, `Transfer-Encoding`, `Host` and `Content-Type`, and the hop-by-hop ones,
    /// `Connection`, `Keep-Alive`, `TE`, `Trailer`, `Upgrade` and every `Proxy-*`.
    pub fn new(name: &str, value: &str) -> Result<Self, ConfigError> {
        let name_text = name.trim();
        let name =
            HeaderName::from_str(name_text).map_err(|source| ConfigError::AuthInvalidName {
                name: name_text.to_owned(),
                source,
            })?;
        if let Some(reason) = reserved_reason(&name) {
            return Err(ConfigError::AuthReservedName {
                name: name_text.to_owned(),
                reason,
            });
        }
        let mut value = HeaderValue::from_str(value.trim()).map_err(|source| {
            ConfigError::AuthInvalidValue {
                name: name.as_str().to_owned(),
                source,
            }
        })?;
        value.set_sensitive(true);
        Ok(Self {
            name,
            spelling: name_text.to_owned(),
            value,
        })
    }

    /// Parses `"Name: value"`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let (name, value) = text.split_once(':').ok_or(ConfigError::AuthMissingColon)?;
        Self::new(name, value)
    }

    /// The header name, to compare with others (in lowercase).
    pub fn name(&self) -> &HeaderName {
        &self.name
    }

    /// The header name as it was given, in its case: as it is sent and shown.
    pub fn spelling(&self) -> &str {
        &self.spelling
    }

    /// The header value (a secret: do not print it).
    pub fn value(&self) -> &HeaderValue {
        &self.value
    }
}

/// Why `name` cannot be the auth header, if it cannot: awork-sim sets the framing headers and
/// `Host` itself (a second `Content-Length` would frame the body wrongly), and a hop-by-hop header
/// is meant for the connection or a proxy, not the receiver.
fn reserved_reason(name: &HeaderName) -> Option<&'static str> {
    const FRAMING: &str = "is a framing header that awork-sim sets itself";
    const HOST: &str = "is the request's host, which awork-sim sets from the URL";
    const BODY_TYPE: &str = "is the body's type, which awork-sim sets itself (application/json)";
    const HOP_BY_HOP: &str =
        "is a hop-by-hop header, meant for one connection and removed by proxies";
    const PROXY: &str = "is meant for a proxy, which removes it before the receiver";
    match name.as_str() {
        "content-length" | "transfer-encoding" => Some(FRAMING),
        "host" => Some(HOST),
        // As the auth header it would replace `application/json` on the wire.
        "content-type" => Some(BODY_TYPE),
        "connection" | "keep-alive" | "te" | "trailer" | "upgrade" => Some(HOP_BY_HOP),
        other if other.starts_with("proxy-") => Some(PROXY),
        _ => None,
    }
}

impl FromStr for AuthHeader {
    type Err = ConfigError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthHeader({}: ***)", self.spelling)
    }
}

impl fmt::Display for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ***", self.spelling)
    }
}

/// How long to wait before each retry.
///
/// The default is an assumption, because awork does not publish its schedule: exponential,
/// starting at 10 s and doubling up to 10 min (10 s, 20 s, 40 s, 80 s, 160 s, 320 s, then 600 s),
/// about 47 minutes over the default 10 retries.
#[derive(Debug, Clone, PartialEq)]
pub enum RetrySchedule {
    /// The delay before retry `n` is element `n - 1`; past the end, the last element repeats (so a
    /// single value is a fixed delay). Must not be empty.
    Schedule(Vec<Duration>),
    /// The delay before retry `n` is `initial * factor^(n - 1)`, capped at `max`.
    Exponential {
        /// The delay before the first retry.
        initial: Duration,
        /// The growth factor, at least 1.
        factor: f64,
        /// The largest delay.
        max: Duration,
    },
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self::Exponential {
            initial: Duration::from_secs(10),
            factor: 2.0,
            max: Duration::from_secs(600),
        }
    }
}

impl RetrySchedule {
    /// The name of the preset for a receiver on the developer's machine: `--retry-schedule local`.
    pub const LOCAL: &'static str = "local";

    /// The preset for local work, [`RetrySchedule::LOCAL`]: 500 ms, 1 s, then 2 s between attempts,
    /// so a receiver that is down pauses the webhook within seconds rather than the default
    /// schedule's 50 minutes.
    pub fn local() -> Self {
        Self::Schedule(vec![
            Duration::from_millis(500),
            Duration::from_secs(1),
            Duration::from_secs(2),
        ])
    }

    /// The delay before retry number `retry` (1 for the first retry, that is the second attempt).
    pub fn delay(&self, retry: u32) -> Duration {
        let index = retry.saturating_sub(1);
        match self {
            Self::Schedule(delays) => delays
                .get(index as usize)
                .or_else(|| delays.last())
                .copied()
                .unwrap_or_default(),
            Self::Exponential {
                initial,
                factor,
                max,
            } => {
                let exponent = i32::try_from(index).unwrap_or(i32::MAX);
                let seconds = initial.as_secs_f64() * factor.powi(exponent);
                if seconds.is_finite() && seconds < max.as_secs_f64() {
                    Duration::from_secs_f64(seconds)
                } else {
                    *max
                }
            }
        }
    }

    /// Checks the invariants the variants document (a non-empty list, a factor of at least 1).
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            Self::Schedule(delays) if delays.is_empty() => Err(ConfigError::EmptySchedule),
            Self::Schedule(_) => Ok(()),
            Self::Exponential { factor, .. } if !factor.is_finite() || *factor < 1.0 => {
                Err(ConfigError::InvalidFactor(*factor))
            }
            Self::Exponential { .. } => Ok(()),
        }
    }
}

/// Parses the command-line syntax `D[,D…]`, for example `10ms` or `1m,5m,30m`, or the preset
/// `local` ([`RetrySchedule::local`]).
impl FromStr for RetrySchedule {
    type Err = ConfigError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().is_empty() {
            return Err(ConfigError::EmptySchedule);
        }
        if text.trim().eq_ignore_ascii_case(Self::LOCAL) {
            return Ok(Self::local());
        }
        let delays = text
            .split(',')
            .map(parse_duration)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Schedule(delays))
    }
}

impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Schedule(delays) => {
                let parts: Vec<String> = delays.iter().copied().map(format_duration).collect();
                write!(f, "{}", parts.join(","))
            }
            Self::Exponential {
                initial,
                factor,
                max,
            } => write!(
                f,
                "exponential from {} x{factor} up to {}",
                format_duration(*initial),
                format_duration(*max)
            ),
        }
    }
}

/// Everything that decides how events reach one webhook.
///
/// Build it with [`WebhookConfig::new`], which sets awork's documented defaults, then change
/// fields directly or with the `with_*` methods.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Where events are POSTed.
    pub url: WebhookUrl,
    /// A header sent with every attempt, if any.
    pub auth: Option<AuthHeader>,
    /// An attempt succeeds only if a 2xx response arrives whole within this time, counted from
    /// the start of the attempt (connect, send, response head and body). Default 30 s.
    pub timeout: Duration,
    /// How many times a failed event is retried. Default 10, so at most 11 attempts.
    pub max_retries: u32,
    /// How long to wait before each retry.
    pub retry_schedule: RetrySchedule,
    /// The webhook pauses when its count of consecutive failed attempts goes above this. Default
    /// 10: the 11th consecutive failure pauses it.
    pub pause_after: u32,
    /// How many events may be in delivery (attempting or waiting to retry) at once. Default 1,
    /// which delivers strictly in order.
    pub concurrency: NonZeroUsize,
    /// At most this many new events are started per second, if set: a finite number above 0
    /// (`0.5` is one every 2 s).
    pub rate: Option<f64>,
    /// Accept any TLS certificate (for self-signed development certificates).
    pub insecure: bool,
}

impl WebhookConfig {
    /// The default per-attempt timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default number of retries.
    pub const DEFAULT_MAX_RETRIES: u32 = 10;
    /// The default pause threshold.
    pub const DEFAULT_PAUSE_AFTER: u32 = 10;

    /// A configuration for `url` with the defaults.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            url: WebhookUrl::parse(url)?,
            auth: None,
            timeout: Self::DEFAULT_TIMEOUT,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            retry_schedule: RetrySchedule::default(),
            pause_after: Self::DEFAULT_PAUSE_AFTER,
            concurrency: NonZeroUsize::MIN,
            rate: None,
            insecure: false,
        })
    }

    /// Sets the auth header.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_auth(mut self, auth: AuthHeader) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets the per-attempt timeout.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the number of retries.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets the retry schedule.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_retry_schedule(mut self, schedule: RetrySchedule) -> Self {
        self.retry_schedule = schedule;
        self
    }

    /// Sets the pause threshold.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_pause_after(mut self, pause_after: u32) -> Self {
        self.pause_after = pause_after;
        self
    }

    /// Sets the number of deliveries in flight; 0 is treated as 1.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = NonZeroUsize::new(concurrency).unwrap_or(NonZeroUsize::MIN);
        self
    }

    /// Limits new events to `rate` per second (`0.5`: one every 2 s); `None`, or a rate that is not
    /// a finite number above 0, removes the limit.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_rate(mut self, rate: Option<f64>) -> Self {
        self.rate = rate.filter(|rate| rate.is_finite() && *rate > 0.0);
        self
    }

    /// How long after an attempt that failed the webhook pauses if every attempt from then on
    /// fails, one delivery at a time: `consecutive` is the count of failed attempts in a row with
    /// that one, `attempt` its number for its event. A failed event is followed at once by the next
    /// one (there is always a next one). `None` when the webhook has paused already, or when
    /// `pause_after` is so large that it would not pause within a million attempts.
    pub fn time_to_pause(&self, consecutive: u32, attempt: u32) -> Option<Duration> {
        const MOST: u32 = 1_000_000;
        if consecutive > self.pause_after || self.pause_after >= MOST {
            return None;
        }
        let mut waited = Duration::ZERO;
        let (mut count, mut attempt) = (consecutive, attempt);
        while count <= self.pause_after {
            if attempt > self.max_retries {
                // The event failed; the next one's first attempt goes at once.
                attempt = 1;
            } else {
                waited = waited.saturating_add(self.retry_schedule.delay(attempt));
                attempt += 1;
            }
            count += 1;
        }
        Some(waited)
    }

    /// Accepts any TLS certificate.
    #[must_use = "the builder returns the changed configuration"]
    pub fn with_insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(
            parse_duration("-1s")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        // Decimals, down to the millisecond.
        for (text, millis) in [
            ("1.5s", 1500),
            ("0.25m", 15_000),
            (".5s", 500),
            ("2.50s", 2500),
        ] {
            assert_eq!(
                parse_duration(text).unwrap(),
                Duration::from_millis(millis),
                "{text}"
            );
        }
        for (text, reason) in [
            ("1.0001s", "finer than a millisecond"),
            ("0.5ms", "finer than a millisecond"),
            ("1.2.3s", "not a number"),
            (".s", "missing number"),
        ] {
            let error = parse_duration(text).unwrap_err().to_string();
            assert!(error.ends_with(reason), "{text}: {error}");
        }
        for bad in [
            "",
            "s",
            "10",
            "10x",
            "1.5.s",
            "-1s",
            "99999999999999999999s",
        ] {
            let error = parse_duration(bad).unwrap_err();
            assert_eq!(error.text, bad);
        }
    }

    #[test]
    fn durations_format_back_to_the_same_text() {
        for text in ["0s", "250ms", "30s", "2m", "1h", "90s"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }

    #[test]
    fn schedule_repeats_its_last_element() {
        let schedule: RetrySchedule = "1m,5m,30m".parse().unwrap();
        let delays: Vec<u64> = (1..=5).map(|n| schedule.delay(n).as_secs()).collect();
        assert_eq!(delays, [60, 300, 1800, 1800, 1800]);
        assert_eq!(schedule.to_string(), "1m,5m,30m");
        let error = "1m,,5m".parse::<RetrySchedule>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid duration ``: missing unit (ms, s, m or h)"
        );
    }

    #[test]
    fn default_schedule_doubles_up_to_ten_minutes() {
        let schedule = RetrySchedule::default();
        let delays: Vec<u64> = (1..=10).map(|n| schedule.delay(n).as_secs()).collect();
        assert_eq!(delays, [10, 20, 40, 80, 160, 320, 600, 600, 600, 600]);
        assert_eq!(schedule.delay(u32::MAX), Duration::from_secs(600));
    }

    #[test]
    fn the_local_preset_is_seconds() {
        let local: RetrySchedule = "local".parse().unwrap();
        assert_eq!(local, RetrySchedule::local());
        assert_eq!(local.to_string(), "500ms,1s,2s");
    }

    #[test]
    fn the_time_to_pause_follows_the_schedule() {
        let config = WebhookConfig::new("http://localhost/").unwrap();
        // From the first failure: 10 s + 20 s + … + 600 s × 4, about 50 minutes.
        assert_eq!(config.time_to_pause(1, 1), Some(Duration::from_secs(3030)));
        // The 10th failure in a row, on the event's 10th attempt: one wait of 10 minutes.
        assert_eq!(config.time_to_pause(10, 10), Some(Duration::from_secs(600)));
        assert_eq!(config.time_to_pause(11, 11), None);
        let local = config.clone().with_retry_schedule(RetrySchedule::local());
        assert_eq!(
            local.time_to_pause(1, 1),
            Some(Duration::from_millis(17_500))
        );
        // Fewer retries than the threshold: a failed event is followed at once by the next.
        let few = config.with_max_retries(2);
        // 10 s, 20 s, the next event at once, …: three times 30 s, then 10 s.
        assert_eq!(few.time_to_pause(1, 1), Some(Duration::from_secs(100)));
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/hook").is_ok());
        assert!(WebhookUrl::parse("http://[::1]:65535/hook").is_ok());
        let with_password = WebhookUrl::parse("http://user:hunter2@127.0.0.1:1/hook").unwrap();
        assert_eq!(
            with_password.to_string(),
            "http://user:***@127.0.0.1:1/hook"
        );
        assert!(!format!("{with_password:?}").contains("hunter2"));
        assert_eq!(
            without_password("https://me:p@ss:w0rd@example.test/x?a=b@c"),
            "https://me:***@example.test/x?a=b@c"
        );
        assert_eq!(
            without_password("http://127.0.0.1:1/x"),
            "http://127.0.0.1:1/x"
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:/hook").is_ok());
        assert!(WebhookUrl::parse("https://example.com").unwrap().is_https());
        // Past ASCII, the path, query and fragment are sent percent-encoded, as .NET's Uri does.
        assert_eq!(
            WebhookUrl::parse("http://127.0.0.1:1/hooks/€?für=ü")
                .unwrap()
                .as_uri()
                .path_and_query()
                .unwrap()
                .as_str(),
            "/hooks/%E2%82%AC?f%C3%BCr=%C3%BC"
        );
        for bad in [
            "ftp://example.com",
            "example.com/hook",
            "/hook",
            "http://",
            "not a url",
            "http://127.0.0.1:99999/x",
            "http://127.0.0.1:65536/x",
            "https://example.com:0/",
            "http://[::1]:70000/",
        ] {
            let error = WebhookUrl::parse(bad).unwrap_err();
            assert!(
                error.to_string().starts_with("invalid webhook url"),
                "{error}"
            );
        }
        for (bad, guess) in [
            ("localhost:8787", "http://localhost:8787"),
            ("127.0.0.1:8787/hooks", "http://127.0.0.1:8787/hooks"),
            ("example.com/hook", "http://example.com/hook"),
        ] {
            assert_eq!(
                WebhookUrl::parse(bad).unwrap_err().to_string(),
                format!(
                    "invalid webhook url `{bad}`: the scheme is missing (http:// or https://); did \
                     you mean `{guess}`?"
                )
            );
        }
        assert_eq!(
            WebhookUrl::parse("/hook").unwrap_err().to_string(),
            "invalid webhook url `/hook`: the scheme is missing (http:// or https://)"
        );
    }

    #[test]
    fn auth_header_hides_its_value() {
        let auth = AuthHeader::parse("X-Secret: hunter2").unwrap();
        assert_eq!(auth.name().as_str(), "x-secret");
        assert_eq!(auth.spelling(), "X-Secret");
        assert_eq!(auth.value(), "hunter2");
        assert!(auth.value().is_sensitive());
        assert_eq!(format!("{auth}"), "X-Secret: ***");
        assert!(!format!("{auth:?}").contains("hunter2"));
        let config = WebhookConfig::new("http://localhost/")
            .unwrap()
            .with_auth(auth);
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn auth_header_errors_are_typed() {
        assert!(matches!(
            AuthHeader::parse("no colon"),
            Err(ConfigError::AuthMissingColon)
        ));
        assert!(matches!(
            AuthHeader::parse("bad name: v"),
            Err(ConfigError::AuthInvalidName { .. })
        ));
        let error = AuthHeader::parse("X-Key: bad\u{7f}secret").unwrap_err();
        assert!(matches!(error, ConfigError::AuthInvalidValue { .. }));
        assert!(!error.to_string().contains("secret"));
    }

    #[test]
    fn framing_host_and_hop_by_hop_headers_are_refused_as_the_auth_header() {
        for (text, reason) in [
            ("Content-Length: 0", "a framing header"),
            ("transfer-encoding: chunked", "a framing header"),
            ("HOST: s3cret.example", "the request's host"),
            ("Content-Type: text/plain", "the body's type"),
            ("Connection: s3cret", "a hop-by-hop header"),
            ("Keep-Alive: s3cret", "a hop-by-hop header"),
            ("TE: s3cret", "a hop-by-hop header"),
            ("Trailer: s3cret", "a hop-by-hop header"),
            ("Upgrade: s3cret", "a hop-by-hop header"),
            ("Proxy-Authorization: Bearer s3cret", "meant for a proxy"),
            ("proxy-anything: s3cret", "meant for a proxy"),
        ] {
            let error = AuthHeader::parse(text).unwrap_err();
            assert!(
                matches!(error, ConfigError::AuthReservedName { .. }),
                "{text}: {error:?}"
            );
            let message = error.to_string();
            let name = text.split_once(':').unwrap().0;
            assert!(message.starts_with(name), "{text}: {message}");
            assert!(message.contains(reason), "{text}: {message}");
            assert!(
                message.ends_with("; it cannot be the auth header"),
                "{message}"
            );
            assert!(!message.contains("s3cret"), "{message}");
            assert!(!message.contains('\n'), "{message}");
        }
        assert_eq!(
            AuthHeader::parse("Content-Length: 0")
                .unwrap_err()
                .to_string(),
            "Content-Length is a framing header that awork-sim sets itself; it cannot be the auth header"
        );
        // Names that merely contain a reserved one are ordinary headers.
        for text in [
            "X-Content-Length: 1",
            "X-Proxy-Key: 1",
            "Hosts: 1",
            "Authorization: 1",
        ] {
            assert!(AuthHeader::parse(text).is_ok(), "{text}");
        }
    }
}
