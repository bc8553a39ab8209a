//! Which cases run (`only`, `skip`, the auth cases without an auth header), what is sent (the same
//! bytes for the same seed, valid events), and a URL where nothing answers.

use std::net::TcpListener;

use awork_conformance::{CaseId, CheckConfig, CheckError, Outcome};
use awork_delivery::receiver::{Behaviour, Receiver};

use crate::support::{assert_outcome, config, correct, run};

/// Runs the suite against a receiver that answers 200 to everything, and returns every body it
/// got, sorted (requests in flight together arrive in any order).
async fn bodies_sent(config: impl FnOnce(CheckConfig) -> CheckConfig) -> Vec<Vec<u8>> {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), Behaviour::status(200))
        .await
        .expect("the receiver binds");
    let report = run(config(CheckConfig::new(&receiver.url()).unwrap())).await;
    assert!(report.passed, "{}", report.to_text());
    let mut bodies: Vec<Vec<u8>> = receiver
        .requests()
        .into_iter()
        .map(|request| request.body.to_vec())
        .collect();
    bodies.sort();
    bodies
}

#[tokio::test]
async fn the_same_seed_sends_the_same_bytes_whatever_runs_with_it() {
    let first = bodies_sent(|config| config.with_seed(5)).await;
    let again = bodies_sent(|config| config.with_seed(5)).await;
    assert_eq!(first, again);
    let alone = bodies_sent(|config| config.with_seed(5).only([CaseId::AcceptsUnicode])).await;
    assert_eq!(alone.len(), 5);
    assert!(alone.iter().all(|body| first.contains(body)));
    let other = bodies_sent(|config| config.with_seed(6)).await;
    assert_eq!(other.len(), first.len());
    let shared: Vec<String> = other
        .iter()
        .filter(|body| first.contains(body))
        .map(|body| String::from_utf8_lossy(body).chars().take(400).collect())
        .collect();
    assert!(shared.is_empty(), "{shared:#?}");
}

#[tokio::test]
async fn every_body_sent_is_an_event_the_models_accept() {
    let bodies = bodies_sent(|config| config).await;
    assert!(bodies.len() > 150);
    for body in bodies {
        let value: serde_json::Value = serde_json::from_slice(&body).expect("a body is JSON");
        if let Err(problems) = awork_models::validate_value(value) {
            panic!("{problems:?}\n{}", String::from_utf8_lossy(&body));
        }
    }
}

#[tokio::test]
async fn only_and_skip_select_cases_and_say_why_the_others_did_not_run() {
    let receiver = correct().await;
    let report = run(config(&receiver).only([CaseId::AcceptsBurst])).await;
    assert_outcome(&report, CaseId::AcceptsBurst, Outcome::Pass);
    let skipped: Vec<&str> = report
        .with_outcome(Outcome::Skip)
        .map(|case| case.detail.as_str())
        .collect();
    assert_eq!(skipped.len(), 15, "{skipped:?}");
    assert_eq!(
        skipped
            .iter()
            .filter(|detail| **detail == "not selected (--only)")
            .count(),
        15
    );

    let report = run(config(&receiver).skip([CaseId::AcceptsBurst])).await;
    assert_outcome(&report, CaseId::AcceptsBurst, Outcome::Skip);
    // Every case but the burst and requires-auth (an auth header is given).
    assert_eq!(report.with_outcome(Outcome::Pass).count(), 14);
    assert_outcome(&report, CaseId::RequiresAuth, Outcome::Skip);

    // Selected alone, the cases that judge every request run the cases that send them.
    let report = run(config(&receiver).only([CaseId::RespondsInTime])).await;
    assert_eq!(report.with_outcome(Outcome::Pass).count(), 14);
    assert_outcome(&report, CaseId::NoRedirect, Outcome::Skip);
}

#[tokio::test]
async fn a_selection_that_leaves_nothing_to_send_is_an_error_not_a_passing_report() {
    let receiver = correct().await;
    let error = config(&receiver)
        .only([CaseId::AcceptsBurst])
        .skip([CaseId::AcceptsBurst])
        .run()
        .await
        .unwrap_err();
    assert!(matches!(error, CheckError::NothingToRun(_)), "{error}");
    // `requires-auth` alone, with an auth header: it runs only without one.
    let error = config(&receiver)
        .only([CaseId::RequiresAuth])
        .sending_cases()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no case left to run: requires-auth runs only without an auth header \
         (rejects-missing-auth and rejects-wrong-auth check the one given)"
    );
    // The cases that send, but requires-auth (an auth header is given) and the burst.
    assert_eq!(
        config(&receiver)
            .only([CaseId::RespondsInTime])
            .skip([CaseId::AcceptsBurst])
            .sending_cases()
            .unwrap()
            .len(),
        12
    );
}

#[tokio::test]
async fn the_auth_cases_are_skipped_without_an_auth_header() {
    let receiver = awork_example_receivers::spawn_correct(Default::default())
        .await
        .unwrap();
    let report = run(CheckConfig::new(&receiver.url()).unwrap()).await;
    assert_outcome(&report, CaseId::RejectsMissingAuth, Outcome::Skip);
    assert_outcome(&report, CaseId::RejectsWrongAuth, Outcome::Skip);
    assert!(report.passed);
}

#[tokio::test]
async fn the_burst_has_the_size_asked_for() {
    let receiver = correct().await;
    let report = run(config(&receiver)
        .with_burst(7)
        .unwrap()
        .only([CaseId::AcceptsBurst]))
    .await;
    assert_eq!(report.case(CaseId::AcceptsBurst).unwrap().requests.len(), 7);
    assert!(matches!(
        config(&receiver).with_burst(0),
        Err(CheckError::EmptyBurst)
    ));
}

#[tokio::test]
async fn a_url_where_nothing_answers_is_an_error_not_a_report() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/webhooks/awork");
    let error = CheckConfig::new(&url).unwrap().run().await.unwrap_err();
    assert!(matches!(error, CheckError::Unreachable { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("nothing answers at {url}: ")),
        "{error}"
    );
}

#[tokio::test]
async fn the_suite_stops_sending_when_the_receiver_stops_answering() {
    // A receiver that accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/awork", listener.local_addr().unwrap());
    let _hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    });
    let config = CheckConfig::new(&url)
        .unwrap()
        .with_timeout(std::time::Duration::from_millis(50));
    let report = run(config).await;
    assert!(!report.passed);
    assert_outcome(&report, CaseId::RespondsInTime, Outcome::Fail);
    let first = report.case(CaseId::AcceptsAllEventTypes).unwrap();
    assert_eq!(first.outcome, Outcome::Fail);
    let sent = first.requests.len();
    assert!((11..35).contains(&sent), "{sent} sent");
    assert!(
        first
            .requests
            .iter()
            .all(|request| request.answer.is_timeout())
    );
    assert!(
        first.detail.contains(&format!("{} not sent", 35 - sent)),
        "{}",
        first.detail
    );
    let later = report.case(CaseId::AcceptsBurst).unwrap();
    assert_eq!(later.outcome, Outcome::Skip);
    assert!(
        later.detail.contains("awork pauses the integration"),
        "{}",
        later.detail
    );
}
