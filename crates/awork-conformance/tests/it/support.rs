//! What the tests share: starting the example receivers, and running the suite against them.

use awork_conformance::{CaseId, CheckConfig, Outcome, Report};
use awork_delivery::AuthHeader;
use awork_example_receivers::{
    Mistake, ReceiverOptions, RunningReceiver, spawn_careless, spawn_correct,
};

/// The auth header the receivers expect in these tests.
pub const AUTH_NAME: &str = "X-Awork-Secret";
/// Its value; no report may contain it.
pub const AUTH_VALUE: &str = "kept-secret-5f3a9c";

fn options(auth: bool) -> ReceiverOptions {
    ReceiverOptions {
        auth: auth.then(|| (AUTH_NAME.to_owned(), AUTH_VALUE.to_owned())),
        ..ReceiverOptions::default()
    }
}

/// The correct example receiver, expecting the auth header.
pub async fn correct() -> RunningReceiver {
    spawn_correct(options(true))
        .await
        .expect("the correct receiver binds")
}

/// The careless example receiver making `mistake`, expecting the auth header (unless the mistake
/// is not to check it).
pub async fn careless(mistake: Mistake) -> RunningReceiver {
    spawn_careless(mistake, options(true))
        .await
        .expect("the careless receiver binds")
}

/// The suite's configuration for `receiver`, with the auth header it expects.
pub fn config(receiver: &RunningReceiver) -> CheckConfig {
    CheckConfig::new(&receiver.url())
        .expect("the receiver's URL is valid")
        .with_auth(AuthHeader::new(AUTH_NAME, AUTH_VALUE).expect("a valid header"))
}

/// Runs the suite.
pub async fn run(config: CheckConfig) -> Report {
    config.run().await.expect("the suite runs")
}

/// Checks how `case` ended, showing the whole text report when it differs.
#[track_caller]
pub fn assert_outcome(report: &Report, case: CaseId, outcome: Outcome) {
    let actual = report.case(case).expect("every case is reported").outcome;
    assert_eq!(actual, outcome, "{case}\n{}", report.to_text());
}
