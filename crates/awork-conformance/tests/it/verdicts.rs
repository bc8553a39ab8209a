//! The verdicts follow the wire and point at one root cause: receivers that act only on some
//! spellings, a wrong path, missing auth, a model that requires `triggeredBy`. The receivers here
//! are wiremock servers whose mocks say exactly what they act on, and expect to be called.

use awork_conformance::{CaseId, CheckConfig, Outcome, Report};
use awork_models::{EventType, Naming};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

use crate::support::{assert_outcome, run};

/// A receiver that answers 200 to the event names of `namings` and 400 to every other event.
async fn acting_on(namings: &[Naming]) -> MockServer {
    let server = MockServer::start().await;
    let mut names: Vec<&str> = Vec::new();
    for naming in namings {
        for event in EventType::ALL {
            if let Some(name) = event.name_in(*naming) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    for name in names {
        Mock::given(method("POST"))
            .and(body_partial_json(json!({ "eventType": name })))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("unknown event type"))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

fn check(server: &MockServer) -> CheckConfig {
    CheckConfig::new(&format!("{}/hooks/awork", server.uri())).expect("a valid URL")
}

fn json(report: &Report) -> Value {
    serde_json::from_str(&report.to_json()).expect("the JSON report parses")
}

#[tokio::test]
async fn a_receiver_acting_only_on_the_spec_s_names_fails_with_one_cause_naming_the_refused() {
    let server = acting_on(&[Naming::Spec]).await;
    let report = run(check(&server)).await;
    assert!(!report.passed, "{}", report.to_text());
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Fail);
    let causes: Vec<_> = report
        .causes
        .iter()
        .filter(|cause| cause.cases.contains(&CaseId::AcceptsAllEventTypes))
        .collect();
    assert_eq!(causes.len(), 1, "{:#?}", report.causes);
    // Every API name the spec spells otherwise is named as refused.
    for event in EventType::ALL {
        let api = event.name(Naming::Api);
        if event.name_in(Naming::Spec) != Some(api) {
            assert!(
                causes[0].summary.contains(&format!("`{api}`"))
                    || causes[0].summary.contains("more"),
                "{api}: {}",
                causes[0].summary
            );
        }
    }
    assert!(
        causes[0].summary.contains("`company_updated`"),
        "{}",
        causes[0].summary
    );
}

#[tokio::test]
async fn a_receiver_acting_only_on_the_api_s_names_passes_with_other_spellings_warned() {
    let server = acting_on(&[Naming::Api]).await;
    let report = run(check(&server)).await;
    assert!(report.passed, "{}", report.to_text());
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Pass);
    assert_outcome(&report, CaseId::AcceptsOtherSpellings, Outcome::Warn);
    let text = report.to_text();
    assert!(
        text.contains("awork's own docs have used these names"),
        "{text}"
    );
    assert_eq!(
        report
            .case(CaseId::AcceptsAllEventTypes)
            .unwrap()
            .requests
            .len(),
        35
    );
}

#[tokio::test]
async fn a_receiver_accepting_every_spelling_passes_and_check_naming_spec_sends_the_spec_s() {
    let server = acting_on(&Naming::ALL).await;
    let report = run(check(&server)).await;
    assert!(report.passed, "{}", report.to_text());
    assert_outcome(&report, CaseId::AcceptsOtherSpellings, Outcome::Pass);

    let spec_only = acting_on(&[Naming::Spec]).await;
    let report = run(check(&spec_only).with_naming(Naming::Spec)).await;
    assert_outcome(&report, CaseId::AcceptsAllEventTypes, Outcome::Pass);
    assert_outcome(&report, CaseId::AcceptsOtherSpellings, Outcome::Warn);
    assert!(
        report.to_text().contains("event names: spec"),
        "{}",
        report.to_text()
    );
    assert!(report.rerun_command().unwrap().contains("--naming spec"));
}

#[tokio::test]
async fn a_404_on_everything_is_one_cause_naming_the_404_and_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1..)
        .mount(&server)
        .await;
    let report = run(check(&server)).await;
    assert!(!report.passed);
    let json = json(&report);
    let causes = json["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 1, "{causes:#?}");
    let troubled: Vec<&str> = report.troubled().map(|case| case.id.id()).collect();
    assert_eq!(causes[0]["cases"], json!(troubled));
    let summary = causes[0]["summary"].as_str().unwrap();
    assert!(summary.contains("404 Not Found"), "{summary}");
    assert!(summary.contains("`/hooks/awork`"), "{summary}");
    assert!(causes[0]["fix"].as_str().unwrap().contains("path"));
}

#[tokio::test]
async fn a_401_on_everything_with_the_header_given_says_the_header_is_wrong() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let config = check(&server)
        .with_auth(awork_delivery::AuthHeader::parse("X-Awork-Token: s3cret-value").unwrap());
    let report = run(config).await;
    assert_eq!(report.causes.len(), 1, "{:#?}", report.causes);
    let cause = &report.causes[0];
    assert!(
        cause.summary.contains("401 Unauthorized"),
        "{}",
        cause.summary
    );
    assert!(
        cause.summary.contains("`X-Awork-Token`"),
        "{}",
        cause.summary
    );
    assert!(!report.to_text().contains("s3cret-value"));
    assert!(!report.to_json().contains("s3cret-value"));
}

#[tokio::test]
async fn without_an_auth_header_nothing_says_configured_and_requires_auth_warns() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let report = run(check(&server)).await;
    assert!(report.passed, "{}", report.to_text());
    assert_outcome(&report, CaseId::RequiresAuth, Outcome::Warn);
    let json = report.to_json();
    assert!(
        !json.contains("\"configured\""),
        "a request says configured"
    );
    assert!(json.contains("\"auth\": \"none\""));
    let warned = report.case(CaseId::RequiresAuth).unwrap();
    assert!(
        warned
            .detail
            .contains("accepted an event with no auth header"),
        "{}",
        warned.detail
    );
    assert!(!report.to_text().contains("auth header configured"));
}

/// Matches events that carry `triggeredBy`.
struct HasTriggeredBy;

impl Match for HasTriggeredBy {
    fn matches(&self, request: &Request) -> bool {
        serde_json::from_slice::<Value>(&request.body)
            .is_ok_and(|event| event.get("triggeredBy").is_some_and(Value::is_object))
    }
}

#[tokio::test]
async fn a_receiver_that_requires_triggered_by_passes_tolerates_missing_optionals() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(HasTriggeredBy)
        .respond_with(ResponseTemplate::new(200))
        .expect(35..)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_string("triggeredBy: field required"))
        .with_priority(10)
        .mount(&server)
        .await;
    let report = run(check(&server).only([CaseId::ToleratesMissingOptionals])).await;
    assert_outcome(&report, CaseId::ToleratesMissingOptionals, Outcome::Pass);
    let case = report.case(CaseId::ToleratesMissingOptionals).unwrap();
    assert!(
        case.requests
            .iter()
            .any(|request| request.note.starts_with("left out: ")
                && request.note.contains("entity.")),
        "each request names what it left out"
    );
}
