//! Keeping auth values out of what a receiver writes back: a debug error page or a login redirect
//! may echo the header it got (`302 Location: /login?auth=Bearer+s3cr3t`), and the answer's body
//! and `Location` reach summaries, logs and reports. A [`Redaction`] writes `***` for each value
//! it keeps secret wherever such text carries it: the whole value, and for a long enough value or
//! token (the part after its scheme, `s3cr3t…` of `Bearer s3cr3t…`) also that but for its last
//! character with whatever character follows (which covers a value with its last character
//! changed, as `check`'s wrong-auth case sends); each as written, percent-encoded (either case of
//! hex digits, a space as `+` or `%20`) and JSON-escaped (`\/`, `\u002B`); and, in a body cut at
//! its excerpt's limit, a start of one of them that ends it.

use std::borrow::Cow;

use crate::transport::BODY_EXCERPT_LIMIT;

/// How long a value or token must be for its near misses and its starts to be starred (shorter
/// ones are starred whole only, so that a short secret does not star every word holding it).
const LEAST_PART: usize = 8;

/// The shortest start of a secret that ends a cut body and is starred.
const LEAST_START: usize = 6;

/// The secrets to write `***` for.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    /// The texts replaced, longest first.
    patterns: Vec<Pattern>,
}

/// A text to star, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    text: String,
    /// A secret but for its last character: the character after it goes too.
    core: bool,
    /// A start of it that ends a cut body is starred: a token, or a value without a scheme
    /// (a value's start is its scheme, `Bearer`, which ordinary text ends with too).
    at_the_end: bool,
}

impl Redaction {
    /// A redaction of each of `secrets` (auth header values, as bytes: a value need not be UTF-8).
    pub fn of<'a>(secrets: impl IntoIterator<Item = &'a [u8]>) -> Redaction {
        let mut patterns = Vec::new();
        for secret in secrets {
            let secret = String::from_utf8_lossy(secret);
            let secret = secret.trim();
            let token = secret
                .rsplit_once(char::is_whitespace)
                .map(|(_, token)| token.trim())
                .filter(|token| token.len() >= LEAST_PART);
            if !secret.is_empty() {
                for text in forms(secret) {
                    patterns.push(Pattern {
                        text,
                        core: false,
                        at_the_end: false,
                    });
                }
            }
            let parts = [(secret, token.is_none())]
                .into_iter()
                .chain(token.map(|token| (token, true)));
            for (part, at_the_end) in parts {
                if part.len() < LEAST_PART {
                    continue;
                }
                let mut end = part.len() - 1;
                while !part.is_char_boundary(end) {
                    end -= 1;
                }
                for text in forms(&part[..end]) {
                    patterns.push(Pattern {
                        text,
                        core: true,
                        at_the_end,
                    });
                }
            }
        }
        patterns.retain(|pattern| !pattern.text.is_empty());
        patterns.sort_by_key(|pattern| std::cmp::Reverse(pattern.text.len()));
        patterns.dedup();
        Redaction { patterns }
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// `text` with every secret written `***`; borrowed as it is when it carries none (the
    /// common case, on every attempt's answer: nothing is copied).
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for pattern in &self.patterns {
            if text.contains(pattern.text.as_str()) {
                text = Cow::Owned(starred(&text, &pattern.text, pattern.core));
            }
        }
        text
    }

    /// [`Redaction::apply`] for a text cut at a limit: a start of a secret that ends it is
    /// starred too.
    fn apply_cut<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = self.apply(text);
        for pattern in self.patterns.iter().filter(|pattern| pattern.at_the_end) {
            let pattern = &pattern.text;
            let longest = pattern.len().min(text.len());
            let start = (LEAST_START..=longest).rev().find(|&length| {
                pattern.is_char_boundary(length) && text.ends_with(&pattern[..length])
            });
            if let Some(length) = start {
                let owned = text.to_mut();
                owned.truncate(owned.len() - length);
                owned.push_str("***");
            }
        }
        text
    }

    /// An answer's body excerpt (cut when it reached [`BODY_EXCERPT_LIMIT`]) with every secret
    /// written `***`, when it carries one; `None` when it carries none (the bytes stay as they
    /// came, invalid UTF-8 included).
    pub fn apply_to_body(&self, body: &[u8]) -> Option<Vec<u8>> {
        if self.is_empty() || body.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(body);
        let redacted = if body.len() >= BODY_EXCERPT_LIMIT {
            self.apply_cut(&text)
        } else {
            self.apply(&text)
        };
        match redacted {
            Cow::Borrowed(_) => None,
            Cow::Owned(redacted) => Some(redacted.into_bytes()),
        }
    }
}

/// The forms `text` is echoed in: as it is, percent-encoded as a URL's query writes it (hex digits
/// in upper or lower case, a space as `+` or `%20`), and JSON-escaped (`/` as `\/`, `+` as
/// `\u002B` or `\u002b`).
fn forms(text: &str) -> Vec<String> {
    let mut forms = vec![text.to_owned()];
    for upper in [true, false] {
        for form in [true, false] {
            forms.push(percent_encoded(text, form, upper));
        }
    }
    forms.push(text.replace('/', "\\/"));
    for plus in ["\\u002B", "\\u002b"] {
        forms.push(text.replace('+', plus));
        forms.push(text.replace('/', "\\/").replace('+', plus));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// `text` with each `pattern` written `***`; when it is a secret but for its last character
/// (`core`), with the character that follows it (the secret's last, or the one a near miss has
/// there; `%XX` when encoded).
fn starred(text: &str, pattern: &str, core: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(pattern) {
        out.push_str(&rest[..at]);
        out.push_str("***");
        let after = &rest[at + pattern.len()..];
        let bytes = after.as_bytes();
        let next = if !core {
            0
        } else if bytes.first() == Some(&b'%')
            && bytes.len() >= 3
            && bytes[1..3].iter().all(u8::is_ascii_hexdigit)
        {
            3
        } else {
            after.chars().next().map_or(0, char::len_utf8)
        };
        rest = &after[next..];
    }
    out.push_str(rest);
    out
}

/// `text` percent-encoded as a URL's query writes it: a space as `+` (`form`) or `%20`, and every
/// byte but letters, digits and `-._~` as `%XX` (hex digits in `upper` case or not).
fn percent_encoded(text: &str, form: bool, upper: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' if form => out.push('+'),
            _ if upper => out.push_str(&format!("%{byte:02X}")),
            _ => out.push_str(&format!("%{byte:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_its_token_their_encodings_and_a_near_miss_are_starred() {
        let redaction = Redaction::of([&b"Bearer s3cr3t/tok=x+y"[..]]);
        for (echoed, shown) in [
            ("auth=Bearer s3cr3t/tok=x+y!", "auth=***!"),
            ("/login?auth=Bearer+s3cr3t%2Ftok%3Dx%2By", "/login?auth=***"),
            (
                "/login?auth=Bearer%20s3cr3t%2ftok%3dx%2by&x=1",
                "/login?auth=***&x=1",
            ),
            (
                r#"{"auth":"Bearer s3cr3t\/tok=x\u002By"}"#,
                r#"{"auth":"***"}"#,
            ),
            ("invalid token: s3cr3t/tok=x+z", "invalid token: ***"),
            (
                "expected s3cr3t/tok=x+y, got Bearer s3cr3t/tok=x+q",
                "expected ***, got ***",
            ),
            ("use the scheme Bearer", "use the scheme Bearer"),
            ("nothing secret here", "nothing secret here"),
        ] {
            assert_eq!(redaction.apply(echoed), shown, "{echoed}");
        }
        // A cut body: a start of the token that ends it.
        assert_eq!(
            redaction.apply_cut("headers: Authorization: Bearer s3cr3t/t"),
            "headers: Authorization: Bearer ***"
        );
        let plain = Redaction::of([&b"s3cr3t-token-value"[..]]);
        assert_eq!(plain.apply_cut("token: s3cr3t-"), "token: ***");
        assert_eq!(
            redaction.apply_cut("use the scheme Bearer"),
            "use the scheme Bearer"
        );
    }

    #[test]
    fn a_short_value_is_starred_whole_and_nothing_else() {
        let redaction = Redaction::of([&b"Bearer test"[..]]);
        assert_eq!(
            redaction.apply("latest tests, Bearer test"),
            "latest tests, ***"
        );
        assert_eq!(Redaction::of([&b"k3y"[..]]).apply("a k3y"), "a ***");
        assert!(Redaction::of([]).is_empty());
    }
}
