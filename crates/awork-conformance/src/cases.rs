//! The cases of the suite: their public ids, their levels, and the words the reports use for them
//! (what a case sends, when it passes, what a failure costs in production, how to fix it).
//!
//! This module is data only: what a case sends is built in [`crate::probes`], and how its outcome is
//! decided lives in [`crate::runner`].

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// How much a case matters: a failed `must` case fails the run, a failed `should` case warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A receiver that fails it loses events, gets its integration paused or accepts forged calls.
    Must,
    /// A receiver that fails it works today but breaks on something awork does or may do.
    Should,
}

impl Level {
    /// `must` or `should`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
        }
    }
}

/// Declares [`CaseId`] with, per case: its public id, its level, and its texts.
macro_rules! cases {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $id:literal, $level:ident,
            sends: $sends:literal,
            passes: $passes:literal,
            cost: $cost:literal,
            advice: $advice:literal;
    )*) => {
        /// A case of the suite. Its [`CaseId::id`] is a public contract: scripts select cases by it
        /// (`--only`, `--skip`) and read it from the JSON and JUnit reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CaseId {
            $( $(#[$doc])* $variant, )*
        }

        impl CaseId {
            /// Every case, in the order the suite runs and reports them.
            pub const ALL: &'static [CaseId] = &[ $( CaseId::$variant, )* ];

            /// The public id, such as `accepts-burst`.
            pub const fn id(self) -> &'static str {
                match self { $( CaseId::$variant => $id, )* }
            }

            /// Whether a failure fails the run or warns.
            pub const fn level(self) -> Level {
                match self { $( CaseId::$variant => Level::$level, )* }
            }

            /// What the case sends, as a phrase.
            pub const fn sends(self) -> &'static str {
                match self { $( CaseId::$variant => $sends, )* }
            }

            /// When the case passes, as a phrase.
            pub const fn passes_when(self) -> &'static str {
                match self { $( CaseId::$variant => $passes, )* }
            }

            /// What a failure of this case costs once the receiver is connected to awork.
            pub const fn cost(self) -> &'static str {
                match self { $( CaseId::$variant => $cost, )* }
            }

            /// How receivers usually fix a failure of this case.
            pub const fn advice(self) -> &'static str {
                match self { $( CaseId::$variant => $advice, )* }
            }
        }
    };
}

cases! {
    /// One realistic event of each event type, under the names awork's webhooks carry.
    AcceptsAllEventTypes = "accepts-all-event-types", Must,
        sends: "one realistic event of each event type, under the names the run uses (by default the 35 that awork's API registers and its webhooks carry)",
        passes: "each is answered 2xx",
        cost: "awork retries each refused event up to 10 times; after more than 10 failed attempts in a row it pauses the integration, and no event reaches the receiver until someone enables it again",
        advice: "answer 2xx to every event you receive, including the types you do not act on; parse only what you use";
    /// Every request of every case is answered within the timeout.
    RespondsInTime = "responds-in-time", Must,
        sends: "every request of every case",
        passes: "each is answered within the timeout",
        cost: "awork counts an answer that comes after the timeout as a failed attempt even if the work was done: the event is retried (processed again) up to 10 times, and more than 10 failures in a row pause the integration",
        advice: "answer 2xx as soon as the event is stored or queued, and do the work afterwards, in the background";
    /// No request is answered with a redirect.
    NoRedirect = "no-redirect", Must,
        sends: "every request of every case meant to be accepted (a forged call is the auth cases' to judge)",
        passes: "no such request is answered 3xx",
        cost: "awork does not follow redirects: every redirected event is a failed attempt, retried up to 10 times, and the integration is paused after more than 10 in a row",
        advice: "register the final URL in awork (scheme, host, path and trailing slash exactly as the server expects it)";
    /// An event without the auth header is refused.
    RejectsMissingAuth = "rejects-missing-auth", Must,
        sends: "an event without the auth header",
        passes: "it is answered 401 or 403",
        cost: "a call without the auth header was not refused with 401 or 403 (its answer is above): if the receiver took it, anyone who finds the URL can make that call, and nothing tells a forged call from awork's; if it refused it another way (a redirect to a login page, a 422), it should say so with 401 or 403",
        advice: "answer 401 or 403 to every request whose auth header is missing, before reading the body, so that forged calls are visibly refused";
    /// An event with a wrong auth header value is refused.
    RejectsWrongAuth = "rejects-wrong-auth", Must,
        sends: "events whose auth header has a wrong value (an unrelated one, and the right one with its last character changed)",
        passes: "each is answered 401 or 403",
        cost: "a call with a wrong header value was not refused with 401 or 403 (its answer is above): if the receiver took it, anyone who finds the URL can make that call with any value; if it refused it another way (a redirect to a login page, a 422), it should say so with 401 or 403",
        advice: "compare the whole header value with the configured secret, in constant time, and answer 401 or 403 when they differ, so that forged calls are visibly refused";
    /// Without a configured auth header: an event without one is refused.
    RequiresAuth = "requires-auth", Should,
        sends: "an event without any auth header (run when no --auth-header is given)",
        passes: "it is answered 401 or 403",
        cost: "the receiver accepted an event with no auth header: anyone who finds the URL can send it events that look like awork's, and it cannot tell them apart",
        advice: "configure an auth header on the webhook in awork (Settings > Integrations > Webhooks), refuse requests without it with 401, and run the check with --auth-header (or AWORK_SIM_AUTH_HEADER)";
    /// Unknown properties in the envelope and in the entity are ignored.
    ToleratesUnknownFields = "tolerates-unknown-fields", Must,
        sends: "events with unknown properties added to the envelope and to the entity",
        passes: "each is answered 2xx",
        cost: "awork adds properties to its models without notice; from that day every event is refused, retried 10 times, and the integration is paused",
        advice: "let the JSON parser ignore unknown properties (no `deny_unknown_fields`, no `additionalProperties: false`, no strict schema validation)";
    /// Events with the properties awork leaves out when they have no value absent are accepted.
    ToleratesMissingOptionals = "tolerates-missing-optionals", Must,
        sends: "events of each type without the properties awork leaves out when they have no value (ENTITIES.md: nullable or sometimes absent)",
        passes: "each is answered 2xx",
        cost: "awork omits properties that have no value instead of sending null; every such event is refused, retried 10 times, and can pause the integration",
        advice: "treat an absent property like null: make every property optional except the few the spec requires";
    /// Timestamps in every form .NET writes are accepted.
    AcceptsDotnetTimestamps = "accepts-dotnet-timestamps", Must,
        sends: "timestamps with 7, 6, 3 and 0 fractional digits, with `+00:00` and `Z`",
        passes: "each is answered 2xx",
        cost: "awork writes timestamps with .NET's 7 fractional digits (and sometimes fewer); a parser that refuses them refuses nearly every event, and the integration is paused",
        advice: "parse timestamps as RFC 3339 with any number of fractional digits and either `Z` or an offset (Python before 3.11: not `datetime.fromisoformat`)";
    /// Unicode in names and texts is accepted.
    AcceptsUnicode = "accepts-unicode", Must,
        sends: "names and texts with emoji, right-to-left text, combining marks, quotes, backslashes and `\\u` escapes",
        passes: "each is answered 2xx",
        cost: "every event about an entity with such a name is refused, retried 10 times, and can pause the integration",
        advice: "read the body as UTF-8 with a real JSON parser, and store text in a Unicode-safe column";
    /// The same event twice, as a retry would send it, is accepted both times.
    AcceptsRedelivery = "accepts-redelivery", Must,
        sends: "the same event twice, as a retry would",
        passes: "both are answered 2xx",
        cost: "awork retries an event whose answer it did not get in time; refusing the second copy makes the retry fail too, up to 10 times, and can pause the integration",
        advice: "make processing idempotent (remember the traceId, or upsert by entity id) and answer 2xx to a copy you already have";
    /// Events that arrive before the addition of their entity are accepted.
    AcceptsOutOfOrder = "accepts-out-of-order", Must,
        sends: "a change and a deletion that arrive before the addition of their entity",
        passes: "each is answered 2xx",
        cost: "awork delivers events concurrently and retries them later, so order is not guaranteed; refusing one retries it 10 times, and can pause the integration",
        advice: "accept the event and reconcile: upsert on a change, record a deletion for an entity you have not seen, or fetch the entity from awork's API";
    /// A burst of events at once is answered in time.
    AcceptsBurst = "accepts-burst", Must,
        sends: "a burst of events at once",
        passes: "all are answered 2xx within the timeout",
        cost: "a bulk change in awork (moving 50 tasks) fires events at once; the ones that wait too long in a queue are failed attempts, retried, and can pause the integration",
        advice: "serve requests concurrently and keep each answer fast; do the work behind a queue";
    /// An event of about 256 KiB is accepted.
    AcceptsLargePayload = "accepts-large-payload", Should,
        sends: "an event of about 256 KiB (a long description, many members)",
        passes: "it is answered 2xx",
        cost: "events about large projects or long descriptions are refused with 413, retried 10 times, and can pause the integration",
        advice: "allow request bodies of at least 1 MiB on this route (web frameworks often default to 100 KiB or less)";
    /// An event type awork may add later is accepted.
    ToleratesUnknownEventType = "tolerates-unknown-event-type", Should,
        sends: "an event of a type awork may add later",
        passes: "it is answered 2xx",
        cost: "an error makes awork retry the event and, after 10 more, pause the integration: one new event type in awork stops every event",
        advice: "answer 2xx to event types you do not know, and ignore them (log them if you like)";
    /// Events under the other names awork has used are accepted.
    AcceptsOtherSpellings = "accepts-other-spellings", Should,
        sends: "events under the other names awork has used for the same event types (ENTITIES.md §3.2)",
        passes: "each is answered 2xx",
        cost: "awork's own docs have used these names (the first draft of its webhook docs, and its published docs: `client_changed`, `client_updated` for the API's `company_updated`); its webhooks carry the API's names today, but a receiver that knows one spelling refuses the others, should they ever be sent",
        advice: "map every known spelling to one event type (awork-models' `EventType::lookup` does), and answer 2xx to the rest";
}

impl CaseId {
    /// Whether the case sends requests of its own; the others judge the requests of every case.
    pub const fn sends_requests(self) -> bool {
        !matches!(self, CaseId::RespondsInTime | CaseId::NoRedirect)
    }

    /// Whether the case needs an auth header to be configured (`requires-auth` needs the opposite).
    pub const fn needs_auth(self) -> bool {
        matches!(self, CaseId::RejectsMissingAuth | CaseId::RejectsWrongAuth)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for CaseId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// A name that is not the id of a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown case {name:?}; the cases are: {}", CaseId::ALL.iter().map(|case| case.id()).collect::<Vec<_>>().join(", "))]
pub struct UnknownCase {
    /// The name given.
    pub name: String,
}

impl FromStr for CaseId {
    type Err = UnknownCase;

    fn from_str(name: &str) -> Result<CaseId, UnknownCase> {
        CaseId::ALL
            .iter()
            .copied()
            .find(|case| case.id() == name)
            .ok_or_else(|| UnknownCase {
                name: name.to_owned(),
            })
    }
}
