//! The correct example receiver passes every case; each classic mistake of the careless one is
//! caught by the case written for it: a failure for a `must` case, a warning for a `should` case.

use std::time::Duration;

use awork_conformance::{CaseId, Outcome};
use awork_example_receivers::{Mistake, SLOW_ANSWER_DELAY};

use crate::support::{assert_outcome, careless, config, correct, run};

#[tokio::test]
async fn the_correct_receiver_passes_every_case() {
    let receiver = correct().await;
    let report = run(config(&receiver)).await;
    for case in CaseId::ALL {
        assert_outcome(&report, *case, Outcome::Pass);
    }
    assert!(report.passed);
    assert!(report.rerun_command().is_none());
}

#[tokio::test]
async fn slow_answers_fail_responds_in_time() {
    let receiver = careless(Mistake::SlowAnswers).await;
    let timeout = Duration::from_millis(200);
    assert!(timeout < SLOW_ANSWER_DELAY);
    // One sending case is enough to show it, and keeps the test from waiting out every timeout.
    let report = run(config(&receiver)
        .with_timeout(timeout)
        .only([CaseId::RespondsInTime, CaseId::AcceptsDotnetTimestamps]))
    .await;
    assert_outcome(&report, CaseId::RespondsInTime, Outcome::Fail);
    let late = &report.case(CaseId::RespondsInTime).unwrap().requests;
    assert_eq!(late.len(), 7, "every request of the case timed out");
    assert!(late.iter().all(|request| request.answer.is_timeout()));
    assert!(!report.passed);
}

#[tokio::test]
async fn a_redirect_fails_no_redirect() {
    let receiver = careless(Mistake::Redirect).await;
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::NoRedirect, Outcome::Fail);
    let redirected = &report.case(CaseId::NoRedirect).unwrap().requests;
    assert!(!redirected.is_empty());
    assert!(
        redirected
            .iter()
            .all(|request| request.answer.is_redirect())
    );
    assert!(report.to_text().contains("awork does not follow redirects"));
    assert!(!report.passed);
}

#[tokio::test]
async fn no_auth_check_fails_both_auth_cases() {
    let receiver = careless(Mistake::NoAuthCheck).await;
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::RejectsMissingAuth, Outcome::Fail);
    assert_outcome(&report, CaseId::RejectsWrongAuth, Outcome::Fail);
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Pass);
    assert!(!report.passed);
}

#[tokio::test]
async fn strict_parsing_fails_tolerates_unknown_fields() {
    let receiver = careless(Mistake::StrictFields).await;
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::ToleratesUnknownFields, Outcome::Fail);
    let refused = &report
        .case(CaseId::ToleratesUnknownFields)
        .unwrap()
        .requests;
    assert!(
        refused
            .iter()
            .all(|request| request.answer.status() == Some(400))
    );
    // Realistic events carry no unknown property, so the receiver takes them.
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Pass);
    assert!(!report.passed);
}

#[tokio::test]
async fn refusing_seven_digit_timestamps_fails_accepts_dotnet_timestamps() {
    let receiver = careless(Mistake::SevenDigitTimestampsRefused).await;
    let report = run(config(&receiver).only([CaseId::AcceptsDotnetTimestamps])).await;
    assert_outcome(&report, CaseId::AcceptsDotnetTimestamps, Outcome::Fail);
    let requests = &report
        .case(CaseId::AcceptsDotnetTimestamps)
        .unwrap()
        .requests;
    for request in requests {
        let python_reads_it = request
            .note
            .contains("with 3 fractional digits and `+00:00`")
            || request
                .note
                .contains("with 6 fractional digits and `+00:00`")
            || request
                .note
                .contains("with 0 fractional digits and `+00:00`");
        assert_eq!(request.ok, python_reads_it, "{request:?}");
    }
}

#[tokio::test]
async fn refusing_a_duplicate_fails_accepts_redelivery() {
    let receiver = careless(Mistake::DuplicateRefused).await;
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::AcceptsRedelivery, Outcome::Fail);
    let requests = &report.case(CaseId::AcceptsRedelivery).unwrap().requests;
    assert!(
        requests[0]
            .answer
            .status()
            .is_some_and(|status| (200..300).contains(&status))
    );
    assert_eq!(requests[1].answer.status(), Some(409));
    assert!(requests[0].ok && !requests[1].ok);
    assert!(!report.passed);
}

#[tokio::test]
async fn refusing_out_of_order_events_fails_accepts_out_of_order() {
    let receiver = careless(Mistake::OutOfOrderRefused).await;
    let report = run(config(&receiver).only([CaseId::AcceptsOutOfOrder])).await;
    assert_outcome(&report, CaseId::AcceptsOutOfOrder, Outcome::Fail);
    let oks: Vec<bool> = report
        .case(CaseId::AcceptsOutOfOrder)
        .unwrap()
        .requests
        .iter()
        .map(|request| request.ok)
        .collect();
    // The change and the deletion are refused; the addition, last, is taken.
    assert_eq!(oks, [false, false, true]);
}

#[tokio::test]
async fn serving_one_request_at_a_time_fails_accepts_burst() {
    let receiver = careless(Mistake::OneAtATime).await;
    // 50 requests of 40 ms each, one after the other, take 2 s: more than the 1 s allowed.
    let report = run(config(&receiver)
        .with_timeout(Duration::from_secs(1))
        .only([CaseId::AcceptsBurst, CaseId::RespondsInTime]))
    .await;
    assert_outcome(&report, CaseId::AcceptsBurst, Outcome::Fail);
    assert_outcome(&report, CaseId::RespondsInTime, Outcome::Fail);
    let burst = &report.case(CaseId::AcceptsBurst).unwrap().requests;
    assert_eq!(burst.len(), 50);
    assert!(
        burst.iter().any(|request| request.ok),
        "the first ones are served"
    );
    assert!(burst.iter().any(|request| request.answer.is_timeout()));
}

#[tokio::test]
async fn a_small_body_limit_warns_on_accepts_large_payload() {
    let receiver = careless(Mistake::SmallBodyLimit).await;
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::AcceptsLargePayload, Outcome::Warn);
    let large = &report.case(CaseId::AcceptsLargePayload).unwrap().requests[0];
    assert_eq!(large.answer.status(), Some(413));
    assert!(large.bytes >= awork_conformance::LARGE_PAYLOAD_BYTES);
    // A warning does not fail the run.
    assert!(report.passed, "{}", report.to_text());
}

#[tokio::test]
async fn refusing_an_unknown_event_type_warns_on_tolerates_unknown_event_type() {
    let receiver = careless(Mistake::UnknownEventTypeRefused).await;
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::ToleratesUnknownEventType, Outcome::Warn);
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Pass);
    assert!(report.passed, "{}", report.to_text());
}
