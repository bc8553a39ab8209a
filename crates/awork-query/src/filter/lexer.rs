//! Splits a decoded `filterby` value into tokens, each with its column. Knows the shape of words,
//! numbers and quoted literals, not what they mean: keywords and properties are both words.

use crate::error::{Parameter, Problem, QueryError};

/// What a number literal looks like, for error messages.
pub(crate) const NUMBER_FORM: &str =
    "expected digits with an optional fraction, exponent and one of the suffixes L, f, d, M";

/// A token and the 1-based column (in characters) where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A property, keyword, function or lambda variable; may contain dots (`me.id`).
    Word(String),
    /// `'text'`, with `''` read as one quote.
    Text(String),
    /// A prefixed literal: `guid'…'`, `datetime'…'`.
    Typed {
        prefix: String,
        text: String,
    },
    /// A number as written, sign and suffix included: `-3`, `2.5`, `64L`, `2.345M`, `0x22`.
    Number(String),
    Slash,
    Comma,
    Colon,
    Open,
    Close,
    End,
}

impl TokenKind {
    /// How an error message shows the token.
    pub(crate) fn describe(&self) -> String {
        match self {
            TokenKind::Word(word) | TokenKind::Number(word) => format!("'{word}'"),
            TokenKind::Text(text) => format!("'{}'", text.replace('\'', "''")),
            TokenKind::Typed { prefix, text } => format!("{prefix}'{}'", text.replace('\'', "''")),
            TokenKind::Slash => "'/'".to_owned(),
            TokenKind::Comma => "','".to_owned(),
            TokenKind::Colon => "':'".to_owned(),
            TokenKind::Open => "'('".to_owned(),
            TokenKind::Close => "')'".to_owned(),
            TokenKind::End => "the end".to_owned(),
        }
    }
}

/// The tokens of `input`, ending with [`TokenKind::End`].
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut position = 0;
    while position < chars.len() {
        let start = position;
        let current = chars[position];
        let error = |problem| QueryError::new(Parameter::FilterBy, problem, Some(start + 1));
        let kind = match current {
            _ if current.is_whitespace() => {
                position += 1;
                continue;
            }
            '/' | ',' | ':' | '(' | ')' => {
                position += 1;
                match current {
                    '/' => TokenKind::Slash,
                    ',' => TokenKind::Comma,
                    ':' => TokenKind::Colon,
                    '(' => TokenKind::Open,
                    _ => TokenKind::Close,
                }
            }
            '\'' => {
                let (text, end) =
                    quoted(&chars, position).ok_or(error(Problem::UnterminatedString))?;
                position = end;
                TokenKind::Text(text)
            }
            _ if current.is_ascii_digit()
                || (current == '-'
                    && chars.get(position + 1).is_some_and(char::is_ascii_digit)) =>
            {
                position = number_end(&chars, position);
                let text: String = chars[start..position].iter().collect();
                if chars.get(position).is_some_and(|next| is_word_char(*next)) {
                    let end = word_end(&chars, position);
                    return Err(error(Problem::InvalidLiteral {
                        kind: "number",
                        text: chars[start..end].iter().collect(),
                        expected: NUMBER_FORM,
                    }));
                }
                TokenKind::Number(text)
            }
            _ if is_word_start(current) => {
                // From the second character: `$` starts a word but does not continue one.
                position = word_end(&chars, position + 1);
                let word: String = chars[start..position].iter().collect();
                if chars.get(position) == Some(&'\'') {
                    let (text, end) =
                        quoted(&chars, position).ok_or(error(Problem::UnterminatedString))?;
                    position = end;
                    TokenKind::Typed { prefix: word, text }
                } else {
                    TokenKind::Word(word)
                }
            }
            _ => return Err(error(Problem::UnexpectedCharacter(current))),
        };
        tokens.push(Token {
            kind,
            column: start + 1,
        });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        column: chars.len() + 1,
    });
    Ok(tokens)
}

fn is_word_start(character: char) -> bool {
    character.is_alphabetic() || character == '_' || character == '$'
}

fn is_word_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_' || character == '.'
}

fn word_end(chars: &[char], mut position: usize) -> usize {
    while chars.get(position).is_some_and(|next| is_word_char(*next)) {
        position += 1;
    }
    position
}

/// Reads the quoted text opening at `open`; returns it unescaped and the position after the
/// closing quote, or `None` when it is never closed.
fn quoted(chars: &[char], open: usize) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut position = open + 1;
    loop {
        match chars.get(position)? {
            '\'' if chars.get(position + 1) == Some(&'\'') => {
                text.push('\'');
                position += 2;
            }
            '\'' => return Some((text, position + 1)),
            other => {
                text.push(*other);
                position += 1;
            }
        }
    }
}

/// The end of the number starting at `start`: `0x` and hex digits, or an optional `-`, digits,
/// an optional fraction and exponent, and an optional type suffix.
fn number_end(chars: &[char], start: usize) -> usize {
    let digits_from = |mut position: usize| {
        while chars.get(position).is_some_and(char::is_ascii_digit) {
            position += 1;
        }
        position
    };
    if chars.get(start) == Some(&'0') && matches!(chars.get(start + 1), Some('x' | 'X')) {
        let mut position = start + 2;
        while chars.get(position).is_some_and(char::is_ascii_hexdigit) {
            position += 1;
        }
        return position;
    }
    let mut position = digits_from(if chars[start] == '-' {
        start + 1
    } else {
        start
    });
    if chars.get(position) == Some(&'.')
        && chars.get(position + 1).is_some_and(char::is_ascii_digit)
    {
        position = digits_from(position + 1);
    }
    if matches!(chars.get(position), Some('e' | 'E')) {
        let sign = usize::from(matches!(chars.get(position + 1), Some('+' | '-')));
        if chars
            .get(position + 1 + sign)
            .is_some_and(char::is_ascii_digit)
        {
            position = digits_from(position + 1 + sign);
        }
    }
    if matches!(
        chars.get(position),
        Some('L' | 'l' | 'F' | 'f' | 'D' | 'd' | 'M' | 'm')
    ) {
        position += 1;
    }
    position
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokenKind> {
        tokenize(input)
            .expect("tokens")
            .into_iter()
            .map(|token| token.kind)
            .collect()
    }

    #[test]
    fn words_literals_and_punctuation() {
        use TokenKind::*;
        assert_eq!(
            kinds("a/any(v: v/id eq guid'X''y') and me.id ne -2.5M"),
            [
                Word("a".into()),
                Slash,
                Word("any".into()),
                Open,
                Word("v".into()),
                Colon,
                Word("v".into()),
                Slash,
                Word("id".into()),
                Word("eq".into()),
                Typed {
                    prefix: "guid".into(),
                    text: "X'y".into()
                },
                Close,
                Word("and".into()),
                Word("me.id".into()),
                Word("ne".into()),
                Number("-2.5M".into()),
                End,
            ]
        );
    }

    #[test]
    fn number_forms() {
        for number in [
            "32", "64L", "2.029", "2.0f", "2.345M", "0x22", "1e3", "1E-2d", "-7",
        ] {
            assert_eq!(
                kinds(number),
                [TokenKind::Number(number.into()), TokenKind::End]
            );
        }
    }

    #[test]
    fn columns_count_characters() {
        let tokens = tokenize("é eq 'ü' ").expect("tokens");
        let columns: Vec<usize> = tokens.iter().map(|token| token.column).collect();
        assert_eq!(columns, [1, 3, 6, 10]);
    }
}
