//! `filterby`: awork's subset of OData v2 filter expressions, parsed into a tree once per request
//! and evaluated against each JSON entity (API.md §3.1).
//!
//! The tree holds property paths already resolved to their JSON spelling, literals already typed,
//! and relative dates and `me.id` still symbolic: those are resolved from the [`QueryContext`] of
//! the evaluation, so a parsed filter does not depend on the clock.
//!
//! [`QueryContext`]: crate::QueryContext

mod eval;
mod lexer;
mod parser;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::context::QueryContext;
use crate::error::QueryError;
use crate::json::Numeric;
use crate::vocabulary::{Scalar, Vocabulary};

/// A parsed `filterby` expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    root: Expression,
}

impl Filter {
    /// Parses a decoded `filterby` value, resolving its properties in `vocabulary`.
    pub(crate) fn parse(text: &str, vocabulary: &Vocabulary) -> Result<Filter, QueryError> {
        parser::parse(text, vocabulary).map(|root| Filter { root })
    }

    /// A predicate over entities, with `me.id` and the relative dates taken from `context`.
    pub(crate) fn matcher(&self, context: &QueryContext) -> impl Fn(&Value) -> bool {
        let moments = eval::Moments::at(context);
        move |entity| eval::holds(&self.root, entity, &moments)
    }
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
enum Expression {
    And(Box<Expression>, Box<Expression>),
    Or(Box<Expression>, Box<Expression>),
    Not(Box<Expression>),
    Compare {
        left: Operand,
        operator: Operator,
        right: Operand,
    },
    /// `startswith`, `endswith`, `substringof` and `contains`, arguments in (subject, fragment)
    /// order whatever the order written.
    Text {
        function: TextFunction,
        subject: Operand,
        fragment: Operand,
    },
    /// `collection/any(v: predicate)`; the element is lambda variable number `depth` while the
    /// predicate is evaluated. `any()` without a predicate asks for a non-empty collection.
    Any {
        collection: Path,
        predicate: Option<Box<Expression>>,
    },
}

/// A value a comparison or text function reads.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Property(Path),
    /// `collection/count()`.
    Count(Path),
    Literal(Literal),
}

/// Where a path starts, and the JSON property names below it.
#[derive(Debug, Clone, PartialEq)]
struct Path {
    start: PathStart,
    segments: Vec<String>,
    /// What the property holds, as far as the vocabulary knows.
    holds: Holds,
}

/// What a path's property holds, as far as its vocabulary knows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Holds {
    /// A plain value of this type.
    Value(Scalar),
    /// An object: equal to nothing but `null`.
    Object,
    /// A collection: equal to nothing but `null`.
    Collection,
    /// The vocabulary does not say.
    Unknown,
}

impl Holds {
    /// As a filter's message names it.
    fn describe(self) -> &'static str {
        match self {
            Holds::Value(scalar) => scalar.describe(),
            Holds::Object => "an object",
            Holds::Collection => "a collection",
            Holds::Unknown => "a value",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PathStart {
    /// The listed entity.
    Entity,
    /// The element bound by the lambda variable of this nesting depth (0 = outermost `any`).
    Variable(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Null,
    Bool(bool),
    Number(Numeric),
    /// A string.
    Text(String),
    /// `guid'…'` (compared as text, case-insensitively).
    Id(String),
    /// `datetime'…'`.
    Instant(DateTime<Utc>),
    /// `me.id`.
    CurrentUserId,
    Relative(RelativeDate),
}

impl Literal {
    /// What the literal is, as a filter's message names it.
    fn describe(&self) -> &'static str {
        match self {
            Literal::Null => "null",
            Literal::Bool(_) => "a boolean",
            Literal::Number(_) => "a number",
            Literal::Text(_) => "text",
            Literal::Id(_) | Literal::CurrentUserId => "an id",
            Literal::Instant(_) | Literal::Relative(_) => "a date",
        }
    }
}

/// awork's relative dates, in UTC, weeks starting on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelativeDate {
    /// `now`: the instant of the request.
    Now,
    /// `today`: the whole UTC day, so `eq today` is any time today.
    Today,
    /// `sow`: Monday 00:00.
    StartOfWeek,
    /// `eow`: Sunday 23:59:59.9999999.
    EndOfWeek,
    /// `som`: the 1st, 00:00.
    StartOfMonth,
    /// `eom`: the last day of the month, 23:59:59.9999999.
    EndOfMonth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextFunction {
    StartsWith,
    EndsWith,
    Contains,
}
