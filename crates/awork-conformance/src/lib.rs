//! The conformance suite: cases that say whether a receiver of awork webhooks is safe to connect to
//! awork — that it will not lose events, will not get its integration paused, and will not accept
//! forged calls. It speaks only HTTP, so it checks a receiver written in any language; `awork-sim
//! check` runs it from the command line, and this library runs it from Rust tests.
//!
//! ```
//! use awork_conformance::{CaseId, CheckConfig, Outcome};
//! use awork_delivery::AuthHeader;
//! use awork_example_receivers::{ReceiverOptions, spawn_correct};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Your receiver, started in the test on a free port (here: the workspace's correct example).
//! let receiver = spawn_correct(ReceiverOptions {
//!     auth: Some(("X-Awork-Secret".into(), "s3cret".into())),
//!     ..ReceiverOptions::default()
//! })
//! .await?;
//!
//! let report = CheckConfig::new(&receiver.url())?
//!     .with_auth(AuthHeader::parse("X-Awork-Secret: s3cret")?)
//!     .run()
//!     .await?;
//! // The text report says what failed, what it costs in production and how to fix it.
//! assert!(report.passed, "{}", report.to_text());
//! assert_eq!(report.case(CaseId::RejectsWrongAuth).unwrap().outcome, Outcome::Pass);
//! # Ok(())
//! # }
//! ```
//!
//! The case ids ([`CaseId::id`]) and the JSON report's shape are public contracts. The events come
//! from `awork-generate`'s seeded story, so the same seed sends the same bytes.

mod cases;
mod causes;
mod probes;
mod report;
mod runner;

use std::time::Duration;

use awork_delivery::{AuthHeader, ConfigError, TransportError, WebhookUrl};
use awork_models::Naming;

pub use awork_generate::awkward::UNKNOWN_EVENT_TYPE;
pub use cases::{CaseId, Level, UnknownCase};
pub use causes::Cause;
pub use probes::LARGE_PAYLOAD_BYTES;
pub use report::{Answer, AuthSource, CaseReport, Outcome, Report, RequestRecord, Settings};

/// How long a receiver has to answer, as awork gives it: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How many events the burst sends at once.
pub const DEFAULT_BURST: usize = 50;
/// The seed of the events when none is given.
pub const DEFAULT_SEED: u64 = 1;

/// How `--naming` writes a family of event names: `api`, `spec` or `docs`.
pub fn naming_arg(naming: Naming) -> &'static str {
    match naming {
        Naming::Api => "api",
        Naming::Spec => "spec",
        Naming::Docs => "docs",
    }
}

/// Why the suite could not run. A run that finds failures is not an error: it is a [`Report`]
/// that did not pass.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The URL is not a usable http or https URL.
    #[error(transparent)]
    Url(#[from] ConfigError),
    /// The burst has no events.
    #[error("the burst must send at least 1 event")]
    EmptyBurst,
    /// No case would send a request: a run would check nothing and pass.
    #[error("no case left to run: {0}")]
    NothingToRun(String),
    /// Nothing accepts connections at the URL.
    #[error("nothing answers at {url}: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What connecting to it gave.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the http client")]
    Client(#[source] TransportError),
}

/// What to check and how: the receiver's URL, its auth header, the timeout, the burst size, the
/// seed, and which cases run.
#[derive(Debug, Clone)]
#[must_use = "a configuration does nothing until `run` is called"]
pub struct CheckConfig {
    url: WebhookUrl,
    url_text: String,
    auth: Option<AuthHeader>,
    auth_source: AuthSource,
    timeout: Duration,
    burst: usize,
    seed: u64,
    naming: Naming,
    insecure: bool,
    only: Vec<CaseId>,
    skip: Vec<CaseId>,
}

impl CheckConfig {
    /// Checks the receiver at `url`, with the defaults: no auth header, 30 s, a burst of 50, seed 1,
    /// the API's event names, every case.
    pub fn new(url: &str) -> Result<CheckConfig, CheckError> {
        Ok(CheckConfig {
            url: WebhookUrl::parse(url)?,
            url_text: url.to_owned(),
            auth: None,
            auth_source: AuthSource::Argument,
            timeout: DEFAULT_TIMEOUT,
            burst: DEFAULT_BURST,
            seed: DEFAULT_SEED,
            naming: Naming::Api,
            insecure: false,
            only: Vec::new(),
            skip: Vec::new(),
        })
    }

    /// The auth header the receiver expects; it enables `rejects-missing-auth` and
    /// `rejects-wrong-auth`.
    pub fn with_auth(mut self, auth: AuthHeader) -> CheckConfig {
        self.auth = Some(auth);
        self
    }

    /// Where the auth header came from (default: the command line), so that the report's rerun
    /// command gives it the same way.
    pub fn with_auth_source(mut self, source: AuthSource) -> CheckConfig {
        self.auth_source = source;
        self
    }

    /// How long each answer may take (awork: 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> CheckConfig {
        self.timeout = timeout;
        self
    }

    /// How many events `accepts-burst` sends at once; at least 1.
    pub fn with_burst(mut self, burst: usize) -> Result<CheckConfig, CheckError> {
        if burst == 0 {
            return Err(CheckError::EmptyBurst);
        }
        self.burst = burst;
        Ok(self)
    }

    /// The seed of the events; the same seed sends the same bytes.
    pub fn with_seed(mut self, seed: u64) -> CheckConfig {
        self.seed = seed;
        self
    }

    /// The family of event names `accepts-all-event-types` and the other cases send (default: the
    /// API's 35, which awork's webhooks carry, `ENTITIES.md` §3.1); `accepts-other-spellings` sends
    /// the other families' names.
    pub fn with_naming(mut self, naming: Naming) -> CheckConfig {
        self.naming = naming;
        self
    }

    /// Accepts any TLS certificate (for self-signed development certificates).
    pub fn with_insecure(mut self, insecure: bool) -> CheckConfig {
        self.insecure = insecure;
        self
    }

    /// Runs only these cases (added to any given before). `responds-in-time` and `no-redirect` judge
    /// the requests of the cases that run; selected alone, they run every sending case.
    pub fn only(mut self, cases: impl IntoIterator<Item = CaseId>) -> CheckConfig {
        self.only.extend(cases);
        self
    }

    /// Does not run these cases (added to any given before).
    pub fn skip(mut self, cases: impl IntoIterator<Item = CaseId>) -> CheckConfig {
        self.skip.extend(cases);
        self
    }

    /// The most connections a run holds open at once: the burst's when it runs, each on a
    /// connection of its own, or the 8 a slow receiver can keep busy (whichever is more), and one
    /// for each forged call's header (none, and two wrong values). A caller that raises its limit
    /// of open files needs room for these.
    pub fn most_connections(&self) -> usize {
        let burst = match self.reason_to_skip(CaseId::AcceptsBurst) {
            None => self.burst,
            Some(_) => 0,
        };
        runner::most_connections(burst)
    }

    /// The cases that send requests in a run, in the suite's order (`responds-in-time` and
    /// `no-redirect` judge theirs). An error when there is none, as with `only` and `skip` of one
    /// case, or `only` of a case the auth header given (or not given) skips: the run would check
    /// nothing, and pass.
    pub fn sending_cases(&self) -> Result<Vec<CaseId>, CheckError> {
        let sending: Vec<CaseId> = CaseId::ALL
            .iter()
            .copied()
            .filter(|case| case.sends_requests() && self.reason_to_skip(*case).is_none())
            .collect();
        if !sending.is_empty() {
            return Ok(sending);
        }
        let selected: Vec<CaseId> = CaseId::ALL
            .iter()
            .copied()
            .filter(|case| case.sends_requests() && self.reason_unselected(*case).is_none())
            .collect();
        let why = if selected.is_empty() && self.only.is_empty() {
            "--skip skips every case that sends requests".to_owned()
        } else if selected.is_empty() {
            "--only and --skip leave no case that sends requests".to_owned()
        } else {
            selected
                .iter()
                .map(|case| match case {
                    CaseId::RequiresAuth => format!(
                        "{case} runs only without an auth header ({} and {} check the one given)",
                        CaseId::RejectsMissingAuth,
                        CaseId::RejectsWrongAuth
                    ),
                    _ => format!(
                        "{case} needs the auth header the receiver requires (--auth-header, --auth-header-file or AWORK_SIM_AUTH_HEADER)"
                    ),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        Err(CheckError::NothingToRun(why))
    }

    /// Runs the suite. `Err` only when it cannot run at all; failures are in the [`Report`].
    pub async fn run(&self) -> Result<Report, CheckError> {
        runner::run(self, &mut |_| {}).await
    }

    /// Runs the suite like [`CheckConfig::run`], calling `on_case` with each case as it starts
    /// sending (for a progress display: against a receiver that times out, a case can take
    /// minutes).
    pub async fn run_with_progress(
        &self,
        mut on_case: impl FnMut(CaseId),
    ) -> Result<Report, CheckError> {
        runner::run(self, &mut on_case).await
    }

    /// Why `skip` or `only` leaves `case` out, or `None` when they select it.
    fn reason_unselected(&self, case: CaseId) -> Option<&'static str> {
        if self.skip.contains(&case) {
            return Some("skipped (--skip)");
        }
        if !self.only.is_empty() && !self.only.contains(&case) {
            let only_observers = self.only.iter().all(|selected| !selected.sends_requests());
            if !(only_observers && case.sends_requests()) {
                return Some("not selected (--only)");
            }
        }
        None
    }

    /// Why `case` does not run, or `None` when it does.
    fn reason_to_skip(&self, case: CaseId) -> Option<String> {
        if let Some(reason) = self.reason_unselected(case) {
            return Some(reason.to_owned());
        }
        if case.needs_auth() && self.auth.is_none() {
            return Some(
                "no --auth-header given, so a wrong or missing header was not tried (requires-auth tried a call without one)"
                    .to_owned(),
            );
        }
        if case == CaseId::RequiresAuth && self.auth.is_some() {
            return Some(
                "an auth header was given: rejects-missing-auth and rejects-wrong-auth check it"
                    .to_owned(),
            );
        }
        None
    }
}
