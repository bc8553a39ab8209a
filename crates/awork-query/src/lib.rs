//! awork's list conventions over JSON values: `filterby`, `orderby`, `page` and `pageSize`
//! (API.md §2 and §3), so that any list endpoint of the mock is "collect the entities as JSON,
//! then apply the query".
//!
//! ```
//! use awork_query::{ListEndpoint, QueryContext, Vocabulary};
//! use serde_json::json;
//!
//! // Once per endpoint: which properties the entity has, and the order when none is asked for.
//! let document = json!({"components": {"schemas": {"Task": {"type": "object", "properties": {
//!     "id": {"type": "string"}, "name": {"type": "string"}, "createdOn": {"type": "string"},
//! }}}}});
//! let tasks = ListEndpoint::new(Vocabulary::from_openapi(&document, "Task").unwrap(), "createdOn,id")
//!     .unwrap();
//!
//! // Per request: parse the query string (a 400 `invalid-filter-or-order` when it fails), then
//! // apply it to the entities as awork's JSON.
//! let query = tasks.parse("filterBy=startswith(Name,'Logo')&orderby=name+desc&pageSize=1").unwrap();
//! let context = QueryContext { now: chrono::Utc::now(), current_user_id: "u1".into() };
//! let page = query.apply(
//!     vec![
//!         json!({"id": "1", "name": "Logo A", "createdOn": "2024-01-01T00:00:00Z"}),
//!         json!({"id": "2", "name": "logo B", "createdOn": "2024-01-02T00:00:00Z"}),
//!         json!({"id": "3", "name": "Website", "createdOn": "2024-01-03T00:00:00Z"}),
//!     ],
//!     &context,
//! );
//! assert_eq!(page.items, vec![json!({"id": "2", "name": "logo B", "createdOn": "2024-01-02T00:00:00Z"})]);
//! assert_eq!(
//!     page.headers(),
//!     [("aw-page", "1".to_owned()), ("aw-pagesize", "1".to_owned()),
//!      ("aw-totalitems", "2".to_owned()), ("aw-items", "1".to_owned())],
//! );
//!
//! // Errors name the parameter, the problem and the column.
//! let error = tasks.parse("filterby=nmae eq 'x'").unwrap_err();
//! assert_eq!(error.to_string(), "filterby: unknown property 'nmae' at column 1");
//! ```
//!
//! Invariant: no I/O and no HTTP types; the clock and the caller come in a [`QueryContext`].
//! Invariant: parsing never panics, whatever the query string (a proptest holds it).

mod context;
mod error;
mod filter;
mod json;
mod order;
mod query_string;
mod vocabulary;

use serde_json::Value;

pub use context::QueryContext;
pub use error::{Parameter, Problem, QueryError};
pub use json::is_guid;
pub use query_string::parameter;
pub use vocabulary::{Vocabulary, VocabularyError};

use filter::Filter;
use order::Order;
use query_string::{ListParameters, whole_number};

/// The largest `pageSize` awork answers; larger requests are clamped to it.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The page size when a request gives none: awork's documentation says "1000 by default"
/// (its OpenAPI document says 10; API.md §2.1 explains the choice).
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// A list endpoint: the properties its entities have, its order when none is requested, and its
/// page size when none is given. Built once, used for every request.
#[derive(Debug, Clone)]
pub struct ListEndpoint {
    vocabulary: Vocabulary,
    default_order: Order,
    default_page_size: u32,
}

impl ListEndpoint {
    /// An endpoint whose entities have the properties of `vocabulary`, listed in `default_order`
    /// (an `orderby` value, e.g. `"createdOn,id"`) unless a request asks otherwise, and with the
    /// default page size [`DEFAULT_PAGE_SIZE`]. Fails when `default_order` names a property the
    /// vocabulary does not have.
    pub fn new(vocabulary: Vocabulary, default_order: &str) -> Result<ListEndpoint, QueryError> {
        let default_order = Order::parse(default_order, &vocabulary)?;
        Ok(ListEndpoint {
            vocabulary,
            default_order,
            default_page_size: DEFAULT_PAGE_SIZE,
        })
    }

    /// The page size for requests without `pageSize`, clamped to `1..=`[`MAX_PAGE_SIZE`].
    #[must_use = "the endpoint is returned, not changed in place"]
    pub fn with_default_page_size(self, page_size: u32) -> ListEndpoint {
        ListEndpoint {
            default_page_size: page_size.clamp(1, MAX_PAGE_SIZE),
            ..self
        }
    }

    /// Reads a request's raw query string (with or without `?`; other parameters are ignored).
    ///
    /// Parameter names match in any case; values are percent-decoded with `+` as a space. An
    /// empty value is the same as none. `page` below 1 is 1, a huge `page` saturates; `pageSize`
    /// is clamped to `1..=1000`. A `page` or `pageSize` that is not a whole number is an error
    /// (ASP.NET's model binding answers 400 to it).
    pub fn parse(&self, query_string: &str) -> Result<ListQuery, QueryError> {
        let parameters = ListParameters::read(query_string);
        let filter = parameters
            .filter_by
            .map(|text| Filter::parse(&text, &self.vocabulary))
            .transpose()?;
        let order = match parameters.order_by {
            Some(text) => Order::parse(&text, &self.vocabulary)?.then(&self.default_order),
            None => self.default_order.clone(),
        };
        let page = match parameters.page {
            Some(text) => whole_number(Parameter::Page, &text)?,
            None => 1,
        };
        let page_size = match parameters.page_size {
            Some(text) => {
                let requested = whole_number(Parameter::PageSize, &text)?;
                u32::try_from(requested.min(u64::from(MAX_PAGE_SIZE))).unwrap_or(MAX_PAGE_SIZE)
            }
            None => self.default_page_size,
        };
        Ok(ListQuery {
            filter,
            order,
            page,
            page_size,
        })
    }
}

/// A parsed request for one page of a list.
#[derive(Debug, Clone)]
pub struct ListQuery {
    filter: Option<Filter>,
    order: Order,
    page: u64,
    page_size: u32,
}

impl ListQuery {
    /// The page of `items` this query asks for: filtered, then ordered (requested keys, then the
    /// endpoint's default order, then the order of `items`), then paged. A page past the end is
    /// empty.
    pub fn apply(&self, mut items: Vec<Value>, context: &QueryContext) -> ListPage {
        if let Some(filter) = &self.filter {
            let matches = filter.matcher(context);
            items.retain(|item| matches(item));
        }
        let total_items = items.len();
        let skipped = self
            .page
            .saturating_sub(1)
            .saturating_mul(u64::from(self.page_size));
        let items = self
            .order
            .sort(items)
            .into_iter()
            .skip(usize::try_from(skipped).unwrap_or(usize::MAX))
            .take(usize::try_from(self.page_size).unwrap_or(usize::MAX))
            .collect();
        ListPage {
            items,
            page: self.page,
            page_size: self.page_size,
            total_items,
        }
    }

    /// The 1-based page asked for.
    pub fn page(&self) -> u64 {
        self.page
    }

    /// The page size in effect.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }
}

/// One page of a list, and what awork's paging headers say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    /// The entities on this page, in order: the response body as a JSON array.
    pub items: Vec<Value>,
    /// The 1-based page number (`aw-page`).
    pub page: u64,
    /// The page size in effect (`aw-pagesize`).
    pub page_size: u32,
    /// How many entities matched the filter, on all pages (`aw-totalitems`).
    pub total_items: usize,
}

impl ListPage {
    /// The response headers `aw-page`, `aw-pagesize`, `aw-totalitems` and `aw-items`.
    pub fn headers(&self) -> [(&'static str, String); 4] {
        [
            ("aw-page", self.page.to_string()),
            ("aw-pagesize", self.page_size.to_string()),
            ("aw-totalitems", self.total_items.to_string()),
            ("aw-items", self.items.len().to_string()),
        ]
    }
}
