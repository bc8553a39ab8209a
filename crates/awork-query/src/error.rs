//! The one error of this crate: which query parameter is wrong, what is wrong with it, and where.
//!
//! The mock answers it with 400 and puts its one-line `Display` into the `description` of an
//! `ErrorResponse`; choosing the `code` (`invalid-filter-or-order` for `filterby` and `orderby`)
//! is the caller's business, which is why [`QueryError::parameter`] is public.

use std::fmt;

/// A query parameter this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// `filterby`.
    FilterBy,
    /// `orderby`.
    OrderBy,
    /// `page`.
    Page,
    /// `pageSize`.
    PageSize,
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Parameter::FilterBy => "filterby",
            Parameter::OrderBy => "orderby",
            Parameter::Page => "page",
            Parameter::PageSize => "pageSize",
        })
    }
}

/// A query the list cannot be answered with, e.g. `filterby: unknown property 'nmae' at column 1`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{parameter}: {problem}{}", AtColumn(*column))]
pub struct QueryError {
    parameter: Parameter,
    problem: Problem,
    /// 1-based, in characters of the decoded value; `None` when the whole value is meant.
    column: Option<usize>,
}

impl QueryError {
    pub(crate) fn new(parameter: Parameter, problem: Problem, column: Option<usize>) -> Self {
        QueryError {
            parameter,
            problem,
            column,
        }
    }

    /// The parameter whose value is wrong.
    pub fn parameter(&self) -> Parameter {
        self.parameter
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Where in the decoded value (1-based, in characters), when a place can be named.
    pub fn column(&self) -> Option<usize> {
        self.column
    }
}

/// Writes ` at column N` when there is a column.
struct AtColumn(Option<usize>);

impl fmt::Display for AtColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(column) => write!(f, " at column {column}"),
            None => Ok(()),
        }
    }
}

/// What is wrong with a parameter's value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The listed entity has no property of this name.
    #[error("unknown property '{0}'")]
    UnknownProperty(String),
    /// A path goes on below a property that holds a plain value.
    #[error("'{0}' has no properties")]
    NotAnObject(String),
    /// A path goes on below a collection without `any(…)` or `count()`.
    #[error("'{0}' is a collection: use {0}/any(…) or {0}/count()")]
    CollectionNeedsLambda(String),
    /// `any(…)` or `count()` on a property that is not a collection.
    #[error("'{0}' is not a collection")]
    NotACollection(String),
    /// `orderby` names an object or a collection rather than a value.
    #[error("'{0}' is not a value that can be ordered by")]
    NotOrderable(String),
    /// Something else was expected here.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the grammar allows here, e.g. "a comparison operator".
        expected: &'static str,
        /// What the value has instead, quoted, or "the end".
        found: String,
    },
    /// A character that starts no token.
    #[error("unexpected character '{0}'")]
    UnexpectedCharacter(char),
    /// A `'` that is never closed.
    #[error("unterminated string literal")]
    UnterminatedString,
    /// A literal of a known type whose text is not of that type.
    #[error("invalid {kind} literal '{text}': {expected}")]
    InvalidLiteral {
        /// The literal's type: `guid`, `datetime`, `number`, ….
        kind: &'static str,
        /// The literal as written.
        text: String,
        /// What the text should look like.
        expected: &'static str,
    },
    /// A feature awork had, then removed.
    #[error("'{feature}' was removed from awork's filter syntax in {year}")]
    Removed {
        /// The removed function or operator as written.
        feature: String,
        /// The year awork's documentation dropped it.
        year: u16,
    },
    /// OData syntax that awork does not document and this mock does not implement.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// Parentheses, `not` or `any` nested deeper than the parser follows.
    #[error("nested more than {0} levels deep")]
    TooDeep(usize),
    /// A property compared with a literal of another type.
    #[error("'{property}' holds {holds}, which cannot be compared with {literal}")]
    TypeMismatch {
        /// The property's path, as JSON spells it.
        property: String,
        /// What it holds: `text`, `an id`, `a date`, `a number`, `a boolean`, `an object`, ….
        holds: &'static str,
        /// The literal: `a number`, `text`, `text that is not a date`, ….
        literal: &'static str,
    },
    /// A text function of a property that does not hold text.
    #[error("'{property}' holds {holds}: {function} takes text")]
    NotText {
        /// The property's path, as JSON spells it.
        property: String,
        /// What it holds: `a number`, `an id`, ….
        holds: &'static str,
        /// The function as written.
        function: String,
    },
    /// `page` or `pageSize` is not a whole number.
    #[error("'{0}' is not a whole number")]
    NotANumber(String),
}
