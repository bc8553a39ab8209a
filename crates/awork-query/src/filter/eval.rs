//! Evaluating a parsed filter against one JSON entity.
//!
//! Semantics are those of awork's SQL Server behind Entity Framework, as far as a mock can tell:
//! text compares case-insensitively; date-time strings compare by instant whatever their offset;
//! numbers numerically; `null` and an absent property are the same; and logic is two-valued, as
//! in C#: `eq null` matches null, `ne 'x'` matches null too, and an ordering comparison with
//! null is false. A property compared with a literal of another type is refused when the filter is
//! parsed (`name eq 5`), where the vocabulary knows the property's type; otherwise (an open
//! vocabulary, two properties) values of different types are unequal and unordered.

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, Months, TimeDelta, Utc};
use serde_json::Value;

use super::{Expression, Literal, Operand, Operator, Path, PathStart, RelativeDate, TextFunction};
use crate::context::QueryContext;
use crate::json::{Numeric, compare_text, follow, parse_instant};

/// The relative dates and the caller, resolved once per evaluation of a list.
pub(super) struct Moments {
    now: DateTime<Utc>,
    today: DateTime<Utc>,
    start_of_week: DateTime<Utc>,
    end_of_week: DateTime<Utc>,
    start_of_month: DateTime<Utc>,
    end_of_month: DateTime<Utc>,
    current_user_id: String,
}

/// The last tick (100 ns, .NET's resolution) before an instant: awork's "end of" a period.
const TICK: TimeDelta = TimeDelta::nanoseconds(100);

impl Moments {
    pub(super) fn at(context: &QueryContext) -> Moments {
        let now = context.now;
        let today = now.date_naive();
        let today_start = today.and_time(chrono::NaiveTime::MIN).and_utc();
        let start_of_week =
            today_start - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
        let start_of_month = today_start - TimeDelta::days(i64::from(today.day0()));
        let next_month = start_of_month
            .checked_add_months(Months::new(1))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        Moments {
            now,
            today: today_start,
            start_of_week,
            end_of_week: start_of_week + TimeDelta::days(7) - TICK,
            start_of_month,
            end_of_month: next_month - TICK,
            current_user_id: context.current_user_id.clone(),
        }
    }
}

/// A value as a comparison sees it.
#[derive(Debug, Clone, Copy)]
enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Numeric),
    Text(&'a str),
    Instant(DateTime<Utc>),
    /// A whole UTC day from its midnight: `today`.
    Day(DateTime<Utc>),
    /// An array or object: equal to nothing.
    Structured,
}

/// Whether `expression` holds for `entity`.
pub(super) fn holds(expression: &Expression, entity: &Value, moments: &Moments) -> bool {
    Evaluation {
        entity,
        moments,
        elements: Vec::new(),
    }
    .holds(expression)
}

struct Evaluation<'a> {
    entity: &'a Value,
    moments: &'a Moments,
    /// The elements bound by the enclosing `any` lambdas, outermost first.
    elements: Vec<&'a Value>,
}

impl<'a> Evaluation<'a> {
    fn holds(&mut self, expression: &'a Expression) -> bool {
        match expression {
            Expression::And(left, right) => self.holds(left) && self.holds(right),
            Expression::Or(left, right) => self.holds(left) || self.holds(right),
            Expression::Not(inner) => !self.holds(inner),
            Expression::Compare {
                left,
                operator,
                right,
            } => {
                let ordering = compare(self.scalar(left), self.scalar(right));
                operator.accepts(ordering)
            }
            Expression::Text {
                function,
                subject,
                fragment,
            } => {
                let (Scalar::Text(subject), Scalar::Text(fragment)) =
                    (self.scalar(subject), self.scalar(fragment))
                else {
                    return false;
                };
                let (subject, fragment) = (subject.to_lowercase(), fragment.to_lowercase());
                match function {
                    TextFunction::StartsWith => subject.starts_with(&fragment),
                    TextFunction::EndsWith => subject.ends_with(&fragment),
                    TextFunction::Contains => subject.contains(&fragment),
                }
            }
            Expression::Any {
                collection,
                predicate,
            } => {
                let Some(Value::Array(elements)) = self.follow(collection) else {
                    return false;
                };
                let Some(predicate) = predicate else {
                    return !elements.is_empty();
                };
                elements.iter().any(|element| {
                    self.elements.push(element);
                    let holds = self.holds(predicate);
                    self.elements.pop();
                    holds
                })
            }
        }
    }

    fn follow(&self, path: &Path) -> Option<&'a Value> {
        let start = match path.start {
            PathStart::Entity => self.entity,
            PathStart::Variable(depth) => self.elements[depth],
        };
        follow(start, &path.segments)
    }

    fn scalar(&self, operand: &'a Operand) -> Scalar<'a> {
        match operand {
            Operand::Property(path) => match self.follow(path) {
                None | Some(Value::Null) => Scalar::Null,
                Some(Value::Bool(flag)) => Scalar::Bool(*flag),
                Some(Value::Number(number)) => Scalar::Number(Numeric::of(number)),
                Some(Value::String(text)) => Scalar::Text(text),
                Some(Value::Array(_) | Value::Object(_)) => Scalar::Structured,
            },
            Operand::Count(path) => match self.follow(path) {
                Some(Value::Array(elements)) => Scalar::Number(Numeric::Integer(
                    i128::try_from(elements.len()).unwrap_or(i128::MAX),
                )),
                _ => Scalar::Null,
            },
            Operand::Literal(literal) => match literal {
                Literal::Null => Scalar::Null,
                Literal::Bool(flag) => Scalar::Bool(*flag),
                Literal::Number(number) => Scalar::Number(*number),
                Literal::Text(text) | Literal::Id(text) => Scalar::Text(text),
                Literal::Instant(instant) => Scalar::Instant(*instant),
                Literal::CurrentUserId => Scalar::Text(&self.moments.current_user_id),
                Literal::Relative(relative) => self.relative(*relative),
            },
        }
    }

    fn relative(&self, relative: RelativeDate) -> Scalar<'a> {
        let moments = self.moments;
        match relative {
            RelativeDate::Now => Scalar::Instant(moments.now),
            RelativeDate::Today => Scalar::Day(moments.today),
            RelativeDate::StartOfWeek => Scalar::Instant(moments.start_of_week),
            RelativeDate::EndOfWeek => Scalar::Instant(moments.end_of_week),
            RelativeDate::StartOfMonth => Scalar::Instant(moments.start_of_month),
            RelativeDate::EndOfMonth => Scalar::Instant(moments.end_of_month),
        }
    }
}

/// How two values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// Both null.
    BothNull,
    Ordered(Ordering),
    /// One null, or values of different types.
    Unrelated,
}

impl Operator {
    fn accepts(self, comparison: Comparison) -> bool {
        match comparison {
            Comparison::BothNull => self == Operator::Eq,
            Comparison::Unrelated => self == Operator::Ne,
            Comparison::Ordered(ordering) => match self {
                Operator::Eq => ordering.is_eq(),
                Operator::Ne => ordering.is_ne(),
                Operator::Gt => ordering.is_gt(),
                Operator::Ge => ordering.is_ge(),
                Operator::Lt => ordering.is_lt(),
                Operator::Le => ordering.is_le(),
            },
        }
    }
}

fn compare(left: Scalar<'_>, right: Scalar<'_>) -> Comparison {
    let ordering = match (left, right) {
        (Scalar::Null, Scalar::Null) => return Comparison::BothNull,
        (Scalar::Null, _) | (_, Scalar::Null) => None,
        (Scalar::Day(day), other) => {
            instant(other).map(|instant| within_day(instant, day).reverse())
        }
        (other, Scalar::Day(day)) => instant(other).map(|instant| within_day(instant, day)),
        (Scalar::Bool(left), Scalar::Bool(right)) => Some(left.cmp(&right)),
        (Scalar::Number(left), Scalar::Number(right)) => left.compare(right),
        (Scalar::Text(left), Scalar::Text(right)) => {
            // Two date-times in different forms (offset or not, fractions or not) are compared
            // as instants, as SQL Server would convert them; any other text as text.
            match (parse_instant(left), parse_instant(right)) {
                (Some(left), Some(right)) => Some(left.cmp(&right)),
                _ => Some(compare_text(left, right)),
            }
        }
        (Scalar::Instant(_) | Scalar::Text(_), Scalar::Instant(_) | Scalar::Text(_)) => {
            instant(left)
                .zip(instant(right))
                .map(|(left, right)| left.cmp(&right))
        }
        _ => None,
    };
    ordering.map_or(Comparison::Unrelated, Comparison::Ordered)
}

fn instant(scalar: Scalar<'_>) -> Option<DateTime<Utc>> {
    match scalar {
        Scalar::Instant(instant) => Some(instant),
        Scalar::Text(text) => parse_instant(text),
        _ => None,
    }
}

/// Where `instant` lies relative to the UTC day starting at `day`: before it, within it, after it.
fn within_day(instant: DateTime<Utc>, day: DateTime<Utc>) -> Ordering {
    if instant < day {
        Ordering::Less
    } else if instant < day + TimeDelta::days(1) {
        Ordering::Equal
    } else {
        Ordering::Greater
    }
}
