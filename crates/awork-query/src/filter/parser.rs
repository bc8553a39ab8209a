//! A recursive-descent parser from tokens to an [`Expression`], resolving every property path in
//! the vocabulary as it goes.
//!
//! Grammar (keywords in any case):
//!
//! ```text
//! or         = and { "or" and }
//! and        = unary { "and" unary }
//! unary      = "not" unary | "(" or ")" | comparison
//! comparison = operand [ ("eq"|"ne"|"gt"|"ge"|"lt"|"le") operand ]
//!            | text-function [ ("eq"|"ne") ("true"|"false") ]
//!            | path "/any(" [ variable ":" or ] ")"
//! operand    = literal | "me.id" | relative-date | path [ "/count()" ]
//! ```
//!
//! A comparison without an operator is a boolean property (`isPrio` = `isPrio eq true`).

use chrono::{DateTime, Utc};

use super::lexer::{NUMBER_FORM, Token, TokenKind, tokenize};
use super::{
    Expression, Holds, Literal, Operand, Operator, Path, PathStart, RelativeDate, TextFunction,
};
use crate::error::{Parameter, Problem, QueryError};
use crate::json::{Numeric, is_guid, parse_instant};
use crate::vocabulary::{Kind, Scalar, Step, Vocabulary};

/// How deeply parentheses, `not` and `any` may nest: deep enough for any real filter, shallow
/// enough that recursion cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Parses a decoded `filterby` value.
pub(super) fn parse(text: &str, vocabulary: &Vocabulary) -> Result<Expression, QueryError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        position: 0,
        vocabulary,
        variables: Vec::new(),
        depth: 0,
    };
    let expression = parser.disjunction()?;
    parser.expect_end()?;
    Ok(expression)
}

struct Parser<'v> {
    tokens: Vec<Token>,
    position: usize,
    vocabulary: &'v Vocabulary,
    /// The lambda variables in scope, outermost first: lower-case name and element kind.
    variables: Vec<(String, Kind)>,
    depth: usize,
}

/// What an operand position turned out to hold.
enum Parsed {
    Value(Operand),
    /// A text function or `any(…)`: already a condition.
    Condition(Expression),
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.position]
    }

    fn peek_second(&self) -> &TokenKind {
        let next = (self.position + 1).min(self.tokens.len() - 1);
        &self.tokens[next].kind
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.position].clone();
        if self.position + 1 < self.tokens.len() {
            self.position += 1;
        }
        token
    }

    /// Whether the next token is the keyword `keyword` (in any case); consumes it if so.
    fn keyword(&mut self, keyword: &str) -> bool {
        let found = matches!(&self.peek().kind, TokenKind::Word(word) if word.eq_ignore_ascii_case(keyword));
        if found {
            self.advance();
        }
        found
    }

    fn error(&self, problem: Problem, column: usize) -> QueryError {
        QueryError::new(Parameter::FilterBy, problem, Some(column))
    }

    fn expected(&self, expected: &'static str) -> QueryError {
        let token = self.peek();
        self.error(
            Problem::Expected {
                expected,
                found: token.kind.describe(),
            },
            token.column,
        )
    }

    fn expect(&mut self, kind: &TokenKind, expected: &'static str) -> Result<(), QueryError> {
        if &self.peek().kind == kind {
            self.advance();
            Ok(())
        } else {
            Err(self.expected(expected))
        }
    }

    fn expect_end(&self) -> Result<(), QueryError> {
        if self.peek().kind == TokenKind::End {
            Ok(())
        } else {
            Err(self.expected("'and', 'or' or the end"))
        }
    }

    /// Runs `parse` one nesting level deeper, refusing to go past [`MAX_DEPTH`]; `column` is
    /// where the new level opens.
    fn nested<T>(
        &mut self,
        column: usize,
        parse: impl FnOnce(&mut Self) -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error(Problem::TooDeep(MAX_DEPTH), column));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn disjunction(&mut self) -> Result<Expression, QueryError> {
        let mut left = self.conjunction()?;
        while self.keyword("or") {
            let right = self.conjunction()?;
            left = Expression::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Result<Expression, QueryError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            let right = self.unary()?;
            left = Expression::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expression, QueryError> {
        let column = self.peek().column;
        if self.keyword("not") {
            return self.nested(column, |parser| {
                Ok(Expression::Not(Box::new(parser.unary()?)))
            });
        }
        if self.peek().kind == TokenKind::Open {
            self.advance();
            let inner = self.nested(column, Self::disjunction)?;
            self.expect(&TokenKind::Close, "')'")?;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expression, QueryError> {
        let start = self.peek().column;
        let left = match self.operand()? {
            Parsed::Condition(condition) => return self.condition_compared(condition),
            Parsed::Value(operand) => operand,
        };
        if let Some(operator) = self.operator()? {
            let right_column = self.peek().column;
            let right = self.value_operand("a value to compare with")?;
            self.comparable(&left, &right, start, right_column)?;
            return Ok(Expression::Compare {
                left,
                operator,
                right,
            });
        }
        let ends_here = match &self.peek().kind {
            TokenKind::End | TokenKind::Close => true,
            TokenKind::Word(word) => ["and", "or"].iter().any(|k| word.eq_ignore_ascii_case(k)),
            _ => false,
        };
        match left {
            Operand::Property(_) if ends_here => Ok(Expression::Compare {
                left,
                operator: Operator::Eq,
                right: Operand::Literal(Literal::Bool(true)),
            }),
            Operand::Literal(Literal::Bool(_)) if ends_here => Err(self.error(
                Problem::Unsupported("a constant condition".to_owned()),
                start,
            )),
            _ => Err(self.expected("a comparison operator")),
        }
    }

    /// Refuses a comparison of a property with a literal of another type (`firstName eq 3`,
    /// `isPrio eq 'yes'`, `createdOn gt 'yesterday'`, `taskStatus eq 'done'`), which awork's API
    /// refuses too rather than matching nothing. `null` compares with anything; text with an id
    /// when it is a GUID and with a date when it reads as one; `me.id` only with ids; dates and
    /// `now`, `today`, … only with dates.
    fn comparable(
        &self,
        left: &Operand,
        right: &Operand,
        left_column: usize,
        right_column: usize,
    ) -> Result<(), QueryError> {
        let (operand, literal, column) = match (left, right) {
            (operand, Operand::Literal(literal)) => (operand, literal, right_column),
            (Operand::Literal(literal), operand) => (operand, literal, left_column),
            _ => return Ok(()),
        };
        let (property, holds) = match operand {
            Operand::Property(path) => (path.segments.join("/"), path.holds),
            Operand::Count(path) => (
                format!("{}/count()", path.segments.join("/")),
                Holds::Value(Scalar::Number),
            ),
            Operand::Literal(_) => return Ok(()),
        };
        let fits = match (holds, literal) {
            (Holds::Unknown, _) | (_, Literal::Null) => true,
            (Holds::Object | Holds::Collection, _) => false,
            (Holds::Value(scalar), literal) => match literal {
                Literal::Null => true,
                Literal::Bool(_) => scalar == Scalar::Boolean,
                Literal::Number(_) => scalar == Scalar::Number,
                Literal::Text(text) => match scalar {
                    Scalar::Text => true,
                    Scalar::Id => is_guid(text),
                    Scalar::Instant => parse_instant(text).is_some(),
                    Scalar::Number | Scalar::Boolean => false,
                },
                Literal::Id(_) | Literal::CurrentUserId => scalar == Scalar::Id,
                Literal::Instant(_) | Literal::Relative(_) => scalar == Scalar::Instant,
            },
        };
        if fits {
            return Ok(());
        }
        Err(self.error(
            Problem::TypeMismatch {
                property,
                holds: holds.describe(),
                literal: match literal {
                    Literal::Text(_) if holds == Holds::Value(Scalar::Id) => {
                        "text that is not an id"
                    }
                    Literal::Text(_) if holds == Holds::Value(Scalar::Instant) => {
                        "text that is not a date"
                    }
                    other => other.describe(),
                },
            },
            column,
        ))
    }

    /// Refuses a text function (`startswith`, …) of a property that does not hold text
    /// (`startswith(plannedDuration, '2')`), as awork's typed OData does.
    fn text_subject(
        &self,
        subject: &Operand,
        function: &str,
        column: usize,
    ) -> Result<(), QueryError> {
        let Operand::Property(path) = subject else {
            return Ok(());
        };
        if matches!(path.holds, Holds::Unknown | Holds::Value(Scalar::Text)) {
            return Ok(());
        }
        Err(self.error(
            Problem::NotText {
                property: path.segments.join("/"),
                holds: path.holds.describe(),
                function: function.to_owned(),
            },
            column,
        ))
    }

    /// `startswith(…) eq false` and the like: OData v2 writes text functions compared with a
    /// boolean as often as alone.
    fn condition_compared(&mut self, condition: Expression) -> Result<Expression, QueryError> {
        let negate = if self.keyword("eq") {
            false
        } else if self.keyword("ne") {
            true
        } else {
            return Ok(condition);
        };
        let token = self.peek().clone();
        let wanted = match self.value_operand("true or false")? {
            Operand::Literal(Literal::Bool(wanted)) => wanted,
            _ => {
                return Err(self.error(
                    Problem::Expected {
                        expected: "true or false",
                        found: token.kind.describe(),
                    },
                    token.column,
                ));
            }
        };
        Ok(if wanted != negate {
            condition
        } else {
            Expression::Not(Box::new(condition))
        })
    }

    fn operator(&mut self) -> Result<Option<Operator>, QueryError> {
        let token = self.peek().clone();
        let TokenKind::Word(word) = &token.kind else {
            return Ok(None);
        };
        let operator = match word.to_ascii_lowercase().as_str() {
            "eq" => Operator::Eq,
            "ne" => Operator::Ne,
            "gt" => Operator::Gt,
            "ge" => Operator::Ge,
            "lt" => Operator::Lt,
            "le" => Operator::Le,
            "add" | "sub" | "mul" | "div" | "mod" | "has" | "in" => {
                return Err(self.error(
                    Problem::Unsupported(format!("the operator '{word}'")),
                    token.column,
                ));
            }
            _ => return Ok(None),
        };
        self.advance();
        Ok(Some(operator))
    }

    /// An operand that must be a value (not a condition).
    fn value_operand(&mut self, expected: &'static str) -> Result<Operand, QueryError> {
        let start = self.peek().clone();
        match self.operand()? {
            Parsed::Value(operand) => Ok(operand),
            Parsed::Condition(_) => Err(self.error(
                Problem::Expected {
                    expected,
                    found: start.kind.describe(),
                },
                start.column,
            )),
        }
    }

    fn operand(&mut self) -> Result<Parsed, QueryError> {
        let token = self.peek().clone();
        let literal = match &token.kind {
            TokenKind::Text(text) => Literal::Text(text.clone()),
            TokenKind::Typed { prefix, text } => typed_literal(prefix, text, token.column)?,
            TokenKind::Number(text) => Literal::Number(number(text, token.column)?),
            TokenKind::Word(word) => match keyword_literal(word) {
                Some(literal) => literal,
                None if *self.peek_second() == TokenKind::Open => {
                    self.advance();
                    return self.function(word, token.column);
                }
                None => {
                    self.advance();
                    return self.path(word, token.column);
                }
            },
            _ => return Err(self.expected("a property, a literal or a function")),
        };
        self.advance();
        Ok(Parsed::Value(Operand::Literal(literal)))
    }

    /// A function call; `name` has been read and `(` is next.
    fn function(&mut self, name: &str, column: usize) -> Result<Parsed, QueryError> {
        let lower = name.to_ascii_lowercase();
        let function = match lower.as_str() {
            "startswith" => TextFunction::StartsWith,
            "endswith" => TextFunction::EndsWith,
            "substringof" | "contains" => TextFunction::Contains,
            "min" | "max" | "sum" | "average" => return Err(removed(name, 2023, column)),
            "all" => return Err(removed(name, 2022, column)),
            _ => {
                return Err(self.error(
                    Problem::Unsupported(format!("the function '{name}'")),
                    column,
                ));
            }
        };
        self.advance();
        let first = self.value_operand("a property or a literal")?;
        self.expect(&TokenKind::Comma, "','")?;
        let second = self.value_operand("a property or a literal")?;
        self.expect(&TokenKind::Close, "')'")?;
        // substringof('x', Prop) is the one with the fragment first.
        let (subject, fragment) = if lower == "substringof" {
            (second, first)
        } else {
            (first, second)
        };
        self.text_subject(&subject, name, column)?;
        Ok(Parsed::Condition(Expression::Text {
            function,
            subject,
            fragment,
        }))
    }

    /// A property path starting with `first` (already read), possibly ending in `/any(…)` or
    /// `/count()`.
    fn path(&mut self, first: &str, column: usize) -> Result<Parsed, QueryError> {
        let variable = self
            .variables
            .iter()
            .rposition(|(name, _)| name.eq_ignore_ascii_case(first));
        let mut segments = Vec::new();
        // The path as written so far, for error messages.
        let mut written = String::new();
        let (start, mut kind) = match variable {
            Some(depth) => {
                written.push_str(first);
                (PathStart::Variable(depth), self.variables[depth].1.clone())
            }
            None => {
                let root = self.vocabulary.root();
                let kind = self.step(&root, &mut segments, &mut written, first, column)?;
                (PathStart::Entity, kind)
            }
        };
        while self.peek().kind == TokenKind::Slash {
            self.advance();
            let token = self.peek().clone();
            let TokenKind::Word(segment) = &token.kind else {
                return Err(self.expected("a property name after '/'"));
            };
            self.advance();
            if self.peek().kind == TokenKind::Open {
                let path = Path {
                    start,
                    segments,
                    holds: Holds::Collection,
                };
                return self.collection_method(path, &kind, &written, segment, token.column);
            }
            kind = self.step(&kind, &mut segments, &mut written, segment, token.column)?;
        }
        let holds = match kind {
            Kind::Value(scalar) => Holds::Value(scalar),
            Kind::Object(_) => Holds::Object,
            Kind::Collection(_) => Holds::Collection,
            Kind::Open => Holds::Unknown,
        };
        Ok(Parsed::Value(Operand::Property(Path {
            start,
            segments,
            holds,
        })))
    }

    /// Resolves `segment` below `parent`, appends its JSON spelling to `segments` and to the
    /// path as written (for messages), and returns its kind.
    fn step(
        &self,
        parent: &Kind,
        segments: &mut Vec<String>,
        written: &mut String,
        segment: &str,
        column: usize,
    ) -> Result<Kind, QueryError> {
        let parent_path = written.clone();
        if !written.is_empty() {
            written.push('/');
        }
        written.push_str(segment);
        let (name, kind) = match self.vocabulary.step(parent, segment) {
            Step::Found { name, kind } => (name.to_owned(), kind),
            Step::Unchecked => (segment.to_owned(), Kind::Open),
            Step::Unknown => {
                return Err(self.error(Problem::UnknownProperty(written.clone()), column));
            }
            Step::BelowValue => return Err(self.error(Problem::NotAnObject(parent_path), column)),
            Step::BelowCollection => {
                return Err(self.error(Problem::CollectionNeedsLambda(parent_path), column));
            }
        };
        segments.push(name);
        Ok(kind)
    }

    /// `any(…)`, `count()` or a removed or unknown method on the collection at `path`; `method`
    /// has been read and `(` is next.
    fn collection_method(
        &mut self,
        path: Path,
        kind: &Kind,
        written: &str,
        method: &str,
        column: usize,
    ) -> Result<Parsed, QueryError> {
        let lower = method.to_ascii_lowercase();
        match lower.as_str() {
            "any" | "count" => {}
            "all" => return Err(removed(method, 2022, column)),
            "min" | "max" | "sum" | "average" => return Err(removed(method, 2023, column)),
            _ => {
                return Err(self.error(
                    Problem::Unsupported(format!("the collection function '{method}'")),
                    column,
                ));
            }
        }
        let element = match kind {
            Kind::Collection(element) => (**element).clone(),
            Kind::Open => Kind::Open,
            Kind::Value(_) | Kind::Object(_) => {
                return Err(self.error(Problem::NotACollection(written.to_owned()), column));
            }
        };
        self.advance();
        if lower == "count" {
            self.expect(&TokenKind::Close, "')' (count takes no arguments)")?;
            return Ok(Parsed::Value(Operand::Count(path)));
        }
        if self.peek().kind == TokenKind::Close {
            self.advance();
            return Ok(Parsed::Condition(Expression::Any {
                collection: path,
                predicate: None,
            }));
        }
        let TokenKind::Word(variable) = self.peek().kind.clone() else {
            return Err(self.expected("a lambda variable"));
        };
        self.advance();
        self.expect(&TokenKind::Colon, "':' after the lambda variable")?;
        self.variables.push((variable, element));
        let predicate = self.nested(column, Self::disjunction);
        self.variables.pop();
        let predicate = predicate?;
        self.expect(&TokenKind::Close, "')'")?;
        Ok(Parsed::Condition(Expression::Any {
            collection: path,
            predicate: Some(Box::new(predicate)),
        }))
    }
}

fn removed(feature: &str, year: u16, column: usize) -> QueryError {
    QueryError::new(
        Parameter::FilterBy,
        Problem::Removed {
            feature: feature.to_owned(),
            year,
        },
        Some(column),
    )
}

/// The literal a word stands for, if it is one: `true`, `false`, `null`, `me.id` or a relative
/// date (in any case).
fn keyword_literal(word: &str) -> Option<Literal> {
    Some(match word.to_ascii_lowercase().as_str() {
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        "null" => Literal::Null,
        "me.id" => Literal::CurrentUserId,
        "now" => Literal::Relative(RelativeDate::Now),
        "today" => Literal::Relative(RelativeDate::Today),
        "sow" => Literal::Relative(RelativeDate::StartOfWeek),
        "eow" => Literal::Relative(RelativeDate::EndOfWeek),
        "som" => Literal::Relative(RelativeDate::StartOfMonth),
        "eom" => Literal::Relative(RelativeDate::EndOfMonth),
        _ => return None,
    })
}

fn invalid(kind: &'static str, text: &str, expected: &'static str, column: usize) -> QueryError {
    QueryError::new(
        Parameter::FilterBy,
        Problem::InvalidLiteral {
            kind,
            text: text.to_owned(),
            expected,
        },
        Some(column),
    )
}

/// `guid'…'`, `datetime'…'` or `datetimeoffset'…'`.
fn typed_literal(prefix: &str, text: &str, column: usize) -> Result<Literal, QueryError> {
    match prefix.to_ascii_lowercase().as_str() {
        "guid" if is_guid(text) => Ok(Literal::Id(text.to_owned())),
        "guid" => Err(invalid(
            "guid",
            text,
            "expected 8-4-4-4-12 hexadecimal digits",
            column,
        )),
        "datetime" | "datetimeoffset" => instant(text).map(Literal::Instant).ok_or_else(|| {
            invalid(
                "datetime",
                text,
                "expected yyyy-mm-ddThh:mm, seconds, fraction and offset optional",
                column,
            )
        }),
        _ => Err(QueryError::new(
            Parameter::FilterBy,
            Problem::Unsupported(format!("the literal type '{prefix}'")),
            Some(column),
        )),
    }
}

/// A `datetime'…'` value: a date with a time (a bare date is not an OData datetime).
fn instant(text: &str) -> Option<DateTime<Utc>> {
    if text.contains(['T', 't']) {
        parse_instant(text)
    } else {
        None
    }
}

/// `32`, `-5`, `64L`, `2.029`, `2.0f`, `2.345M`, `1e3`, `0x22`.
fn number(text: &str, column: usize) -> Result<Numeric, QueryError> {
    let bad = || invalid("number", text, NUMBER_FORM, column);
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return i128::from_str_radix(hex, 16)
            .map(Numeric::Integer)
            .map_err(|_| bad());
    }
    let (digits, decimal_suffix) = match text.char_indices().last() {
        Some((at, 'L' | 'l')) => (&text[..at], false),
        Some((at, 'F' | 'f' | 'D' | 'd' | 'M' | 'm')) => (&text[..at], true),
        _ => (text, false),
    };
    if !decimal_suffix && !digits.contains(['.', 'e', 'E']) {
        if let Ok(integer) = digits.parse::<i128>() {
            return Ok(Numeric::Integer(integer));
        }
    }
    match digits.parse::<f64>() {
        Ok(decimal) if decimal.is_finite() => Ok(Numeric::Decimal(decimal)),
        _ => Err(bad()),
    }
}
