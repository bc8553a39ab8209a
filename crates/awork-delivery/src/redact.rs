//! Keeping auth values out of what a receiver writes back: a debug error page or a login redirect
//! may echo the header it got (`302 Location: /login?auth=Bearer+s3cr3t`), and the answer's body
//! and `Location` reach summaries, logs and reports. A [`Redaction`] writes `***` for each value
//! it keeps secret wherever such text carries it: the value, the token after its scheme
//! (`s3cr3t` of `Bearer s3cr3t`), each but for its last character (which also covers a value with
//! its last character changed, as `check`'s wrong-auth case sends), percent- or form-encoded, and
//! a start of one that ends a body cut short.

/// What a match must be at least as long as (shorter values are redacted whole only, so that a
/// one-letter secret does not star every word).
const LEAST_PART: usize = 4;

/// The secrets to write `***` for.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    /// The texts replaced, longest first, each with whether it is a secret but for its last
    /// character (the character after it goes too).
    patterns: Vec<(String, bool)>,
}

impl Redaction {
    /// A redaction of each of `secrets` (auth header values).
    pub fn of<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redaction {
        let mut patterns = Vec::new();
        for secret in secrets {
            let token = secret.rsplit_once(' ').map(|(_, token)| token);
            for part in std::iter::once(secret).chain(token) {
                if part.len() < LEAST_PART {
                    patterns.push((part.to_owned(), false));
                    continue;
                }
                let mut end = part.len() - 1;
                while !part.is_char_boundary(end) {
                    end -= 1;
                }
                let core = &part[..end];
                patterns.push((core.to_owned(), true));
                patterns.push((encoded(core, false), true));
                patterns.push((encoded(core, true), true));
            }
        }
        patterns.retain(|(pattern, _)| !pattern.is_empty());
        patterns.sort_by_key(|(pattern, _)| std::cmp::Reverse(pattern.len()));
        patterns.dedup();
        Redaction { patterns }
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// `text` with every secret written `***`, and a start of one that ends it (a cut body).
    pub fn apply(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (pattern, core) in &self.patterns {
            if text.contains(pattern.as_str()) {
                text = starred(&text, pattern, *core);
            }
        }
        for (pattern, _) in &self.patterns {
            let longest = pattern.len().min(text.len());
            if let Some(length) = (LEAST_PART..=longest).rev().find(|&length| {
                pattern.is_char_boundary(length) && text.ends_with(&pattern[..length])
            }) {
                text.truncate(text.len() - length);
                text.push_str("***");
            }
        }
        text
    }
}

impl Redaction {
    /// `bytes` (an answer's body) with every secret written `***`, when it carries one; `None`
    /// when it carries none (the bytes stay as they came, invalid UTF-8 included).
    pub fn apply_to_bytes(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(bytes);
        let redacted = self.apply(&text);
        (redacted != text).then(|| redacted.into_bytes())
    }
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
/// byte but letters, digits and `-._~` as `%XX`.
fn encoded(text: &str, form: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_its_token_their_encodings_a_near_miss_and_a_cut_end_are_starred() {
        let redaction = Redaction::of(["Bearer s3cr3t/tok=x"]);
        for (echoed, shown) in [
            ("auth=Bearer s3cr3t/tok=x!", "auth=***!"),
            ("/login?auth=Bearer+s3cr3t%2Ftok%3Dx", "/login?auth=***"),
            (
                "/login?auth=Bearer%20s3cr3t%2Ftok%3Dx&x=1",
                "/login?auth=***&x=1",
            ),
            ("invalid token: s3cr3t/tok=y", "invalid token: ***"),
            (
                "expected s3cr3t/tok=x, got Bearer s3cr3t/tok=z",
                "expected ***, got ***",
            ),
            (
                "headers: Authorization: Bearer s3cr",
                "headers: Authorization: ***",
            ),
            ("nothing secret here", "nothing secret here"),
        ] {
            assert_eq!(redaction.apply(echoed), shown, "{echoed}");
        }
        // A short value is starred whole only.
        assert_eq!(Redaction::of(["ab"]).apply("cab ab"), "c*** ***");
        assert!(Redaction::of([]).is_empty());
    }
}
