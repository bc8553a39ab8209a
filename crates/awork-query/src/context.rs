//! What a filter needs to know about the request that its text does not say: the caller and the
//! time. Kept apart so that a parsed query stays a pure function of the query string.

use chrono::{DateTime, Utc};

/// The request a query is evaluated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryContext {
    /// The instant of the request: `now`, and the day, week and month of `today`, `sow`, `eow`,
    /// `som` and `eom` (in UTC).
    pub now: DateTime<Utc>,
    /// The id of the user behind the bearer token, compared with `me.id`.
    pub current_user_id: String,
}
