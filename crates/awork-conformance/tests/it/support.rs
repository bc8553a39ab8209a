//! What the tests share: starting the example receivers, running the suite against them, and
//! reading requests off a bare TCP stream for the tests' own receivers.

use awork_conformance::{CaseId, CheckConfig, Outcome, Report};
use awork_delivery::AuthHeader;
use awork_example_receivers::{
    Mistake, ReceiverOptions, RunningReceiver, spawn_careless, spawn_correct,
};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

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

/// Reads one whole request (head and `Content-Length` body) off `stream`, keeping any bytes of
/// the next one in `received`; false when the connection ends first.
pub async fn read_request(stream: &mut TcpStream, received: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            if received.len() >= total {
                received.drain(..total);
                return true;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(read) => received.extend_from_slice(&chunk[..read]),
        }
    }
}
