//! The correct example receiver passes every case; each classic mistake of the careless one is
//! caught by the case written for it: a failure for a `must` case, a warning for a `should` case.

use awork_conformance::{CaseId, Outcome};
use awork_example_receivers::{Mistake, ONE_AT_A_TIME_WORK, SLOW_ANSWER_DELAY};

use crate::support::{assert_outcome, careless, config, correct, run};

#[tokio::test]
async fn the_correct_receiver_passes_every_case() {
    let receiver = correct().await;
    let report = run(config(&receiver)).await;
    for case in CaseId::ALL {
        // With an auth header given, its two cases check it and `requires-auth` does not run.
        let expected = if *case == CaseId::RequiresAuth {
            Outcome::Skip
        } else {
            Outcome::Pass
        };
        assert_outcome(&report, *case, expected);
    }
    assert!(report.passed);
    assert!(report.causes.is_empty());
    assert!(report.rerun_command().is_none());
}

// Every mistake is caught by the default check (awork's 30 s); the paused clock lets the receiver's
// slow work and the suite's timeouts pass at once.
#[tokio::test(start_paused = true)]
async fn slow_answers_fail_responds_in_time_under_the_default_check() {
    let receiver = careless(Mistake::SlowAnswers).await;
    assert!(awork_conformance::DEFAULT_TIMEOUT < SLOW_ANSWER_DELAY);
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::RespondsInTime, Outcome::Fail);
    let late = &report.case(CaseId::RespondsInTime).unwrap().requests;
    assert!(late.len() > 10, "{}", late.len());
    assert!(late.iter().all(|request| request.answer.is_timeout()));
    assert!(!report.passed);
    // One cause: nothing answered in time.
    assert_eq!(report.causes.len(), 1, "{:#?}", report.causes);
    assert!(report.causes[0].cases.contains(&CaseId::RespondsInTime));
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

#[tokio::test(start_paused = true)]
async fn serving_one_request_at_a_time_fails_accepts_burst_under_the_default_check() {
    let receiver = careless(Mistake::OneAtATime).await;
    // 50 requests of 1 s each, one after the other, take 50 s: more than awork's 30 s.
    assert!(ONE_AT_A_TIME_WORK * 50 > awork_conformance::DEFAULT_TIMEOUT);
    let report = run(config(&receiver)).await;
    assert_outcome(&report, CaseId::AcceptsBurst, Outcome::Fail);
    assert_outcome(&report, CaseId::RespondsInTime, Outcome::Fail);
    let burst = &report.case(CaseId::AcceptsBurst).unwrap().requests;
    assert!(
        burst.iter().any(|request| request.ok),
        "the first ones are served"
    );
    assert!(burst.iter().any(|request| request.answer.is_timeout()));
    // The cases before the burst, sent a few at a time, are answered in time.
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Pass);
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

/// The case that catches each mistake, and how.
fn caught_by(mistake: Mistake) -> &'static [(CaseId, Outcome)] {
    match mistake {
        Mistake::SlowAnswers => &[(CaseId::RespondsInTime, Outcome::Fail)],
        Mistake::Redirect => &[(CaseId::NoRedirect, Outcome::Fail)],
        Mistake::NoAuthCheck => &[
            (CaseId::RejectsMissingAuth, Outcome::Fail),
            (CaseId::RejectsWrongAuth, Outcome::Fail),
        ],
        Mistake::StrictFields => &[(CaseId::ToleratesUnknownFields, Outcome::Fail)],
        Mistake::SevenDigitTimestampsRefused => &[(CaseId::AcceptsDotnetTimestamps, Outcome::Fail)],
        Mistake::DuplicateRefused => &[(CaseId::AcceptsRedelivery, Outcome::Fail)],
        Mistake::OutOfOrderRefused => &[(CaseId::AcceptsOutOfOrder, Outcome::Fail)],
        Mistake::OneAtATime => &[(CaseId::AcceptsBurst, Outcome::Fail)],
        Mistake::SmallBodyLimit => &[(CaseId::AcceptsLargePayload, Outcome::Warn)],
        Mistake::UnknownEventTypeRefused => &[(CaseId::ToleratesUnknownEventType, Outcome::Warn)],
    }
}

// The check as a CI job runs it, with nothing but the URL and the auth header: each mistake the
// careless receiver's help names is caught. The paused clock lets 30 s timeouts pass at once.
#[tokio::test(start_paused = true)]
async fn every_mistake_is_caught_by_the_default_check() {
    for mistake in Mistake::ALL {
        let receiver = careless(mistake).await;
        let report = run(config(&receiver)).await;
        for (case, outcome) in caught_by(mistake) {
            assert_outcome(&report, *case, *outcome);
        }
        let fails = caught_by(mistake)
            .iter()
            .any(|(_, outcome)| *outcome == Outcome::Fail);
        assert_eq!(report.passed, !fails, "{mistake:?}\n{}", report.to_text());
        assert!(!report.causes.is_empty(), "{mistake:?}: a cause is named");
    }
}
