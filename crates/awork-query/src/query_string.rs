//! Reading the list parameters out of a request's raw query string: names in any case, values
//! percent-decoded with `+` as a space, and `page` / `pageSize` as numbers. Knows nothing of the
//! filter and order grammars.

use crate::error::{Parameter, Problem, QueryError};

/// The values of the list parameters, decoded; `None` when absent or empty.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ListParameters {
    pub(crate) filter_by: Option<String>,
    pub(crate) order_by: Option<String>,
    pub(crate) page: Option<String>,
    pub(crate) page_size: Option<String>,
}

impl ListParameters {
    /// Reads `query` (with or without its leading `?`). Other parameters are ignored; of a
    /// parameter given twice the first non-empty value counts, as ASP.NET binds a single value.
    pub(crate) fn read(query: &str) -> ListParameters {
        let mut parameters = ListParameters::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match decode(name).to_ascii_lowercase().as_str() {
                "filterby" => &mut parameters.filter_by,
                "orderby" => &mut parameters.order_by,
                "page" => &mut parameters.page,
                "pagesize" => &mut parameters.page_size,
                _ => continue,
            };
            let value = decode(value);
            if slot.is_none() && !value.trim().is_empty() {
                *slot = Some(value);
            }
        }
        parameters
    }
}

/// The value of the query parameter `name` (in any case) in `query`, decoded: the first non-empty
/// one, as ASP.NET binds a single value; `None` when absent or empty. For an operation's own
/// parameters beside the list's.
pub fn parameter(query: &str, name: &str) -> Option<String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .filter(|(key, _)| decode(key).eq_ignore_ascii_case(name))
        .map(|(_, value)| decode(value))
        .find(|value| !value.trim().is_empty())
}

/// Percent-decodes `text` and reads `+` as a space. A `%` not followed by two hex digits stays as
/// it is, and bytes that are not UTF-8 become U+FFFD, as ASP.NET decodes them.
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut position = 0;
    while position < bytes.len() {
        let byte = bytes[position];
        let escaped = (byte == b'%')
            .then(|| bytes.get(position + 1..position + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (_, Some(escaped)) => {
                decoded.push(escaped);
                position += 3;
            }
            (b'+', None) => {
                decoded.push(b' ');
                position += 1;
            }
            (byte, None) => {
                decoded.push(byte);
                position += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// A `page` or `pageSize` value: an optional sign and decimal digits around optional spaces.
/// Values below 1 read as 1; values too large for a `u64` saturate.
pub(crate) fn whole_number(parameter: Parameter, text: &str) -> Result<u64, QueryError> {
    let not_a_number = || QueryError::new(parameter, Problem::NotANumber(text.to_owned()), None);
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(not_a_number());
    }
    if negative {
        return Ok(1);
    }
    let value = digits.bytes().fold(0_u64, |value, digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    });
    Ok(value.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_plus_and_raw_spaces() {
        assert_eq!(decode("name+eq+%27a%20b%27"), "name eq 'a b'");
        assert_eq!(decode("name eq 'x'"), "name eq 'x'");
        assert_eq!(decode("%2B%26%3D%25"), "+&=%");
        assert_eq!(decode("%C3%A9t%C3%A9"), "été");
    }

    #[test]
    fn keeps_malformed_escapes_and_replaces_bad_utf8() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn reads_names_in_any_case_and_encoded() {
        let parameters = ListParameters::read("?FilterBy=a&ORDERBY=b&Page=2&page%53ize=3");
        assert_eq!(parameters.filter_by.as_deref(), Some("a"));
        assert_eq!(parameters.order_by.as_deref(), Some("b"));
        assert_eq!(parameters.page.as_deref(), Some("2"));
        assert_eq!(parameters.page_size.as_deref(), Some("3"));
    }

    #[test]
    fn whole_numbers_saturate_and_floor_at_one() {
        assert_eq!(whole_number(Parameter::Page, " 7 "), Ok(7));
        assert_eq!(whole_number(Parameter::Page, "+7"), Ok(7));
        assert_eq!(whole_number(Parameter::Page, "0"), Ok(1));
        assert_eq!(
            whole_number(Parameter::Page, "-99999999999999999999999"),
            Ok(1)
        );
        assert_eq!(
            whole_number(Parameter::Page, "99999999999999999999999"),
            Ok(u64::MAX)
        );
        assert!(whole_number(Parameter::Page, "1e3").is_err());
        assert!(whole_number(Parameter::Page, "-").is_err());
    }
}
