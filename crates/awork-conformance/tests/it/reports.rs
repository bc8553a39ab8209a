//! The three reports: the JSON report's shape (a public contract), the JUnit XML as a CI system
//! parses it, the text report's rerun command, and the auth header's value in none of them.

use awork_conformance::{CaseId, Outcome, Report};
use awork_example_receivers::Mistake;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

use crate::support::{AUTH_VALUE, careless, config, correct, run};

/// A run with a failure (the duplicate is refused) and a case skipped on request.
async fn report_with_a_failure() -> Report {
    let receiver = careless(Mistake::DuplicateRefused).await;
    run(config(&receiver).skip([CaseId::AcceptsBurst])).await
}

#[tokio::test]
async fn the_json_report_has_the_documented_shape() {
    let report = report_with_a_failure().await;
    let json: Value = serde_json::from_str(&report.to_json()).expect("the JSON report parses");
    assert_eq!(json["url"], report.url.as_str());
    assert_eq!(json["passed"], false);
    let cases = json["cases"].as_array().expect("cases is an array");
    let ids: Vec<&str> = cases
        .iter()
        .map(|case| case["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = CaseId::ALL.iter().map(|case| case.id()).collect();
    assert_eq!(ids, expected);
    for case in cases {
        for key in ["id", "level", "outcome", "detail", "requests"] {
            assert!(case.get(key).is_some(), "{key} missing in {case}");
        }
        assert!(["must", "should"].contains(&case["level"].as_str().unwrap()));
        assert!(["pass", "fail", "warn", "skip"].contains(&case["outcome"].as_str().unwrap()));
    }
    let by_id = |id: &str| cases.iter().find(|case| case["id"] == id).unwrap();
    assert_eq!(by_id("accepts-redelivery")["outcome"], "fail");
    assert_eq!(by_id("accepts-burst")["outcome"], "skip");
    assert_eq!(by_id("accepts-all-event-types")["outcome"], "pass");
    let second = &by_id("accepts-redelivery")["requests"][1];
    assert_eq!(second["answer"]["status"], 409);
    assert_eq!(second["ok"], false);
    assert_eq!(second["expected"], "2xx");
    assert!(second["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(
        by_id("accepts-all-event-types")["requests"]
            .as_array()
            .unwrap()
            .len(),
        35
    );
    // One cause, the refused redelivery, with its fix.
    let causes = json["causes"].as_array().expect("causes is an array");
    assert_eq!(causes.len(), 1, "{causes:?}");
    assert_eq!(
        causes[0]["cases"],
        serde_json::json!(["accepts-redelivery"])
    );
    assert!(
        causes[0]["summary"].as_str().unwrap().contains("409"),
        "{causes:?}"
    );
    assert!(
        causes[0]["fix"].as_str().unwrap().contains("idempotent"),
        "{causes:?}"
    );
}

/// One `<testcase>` of a JUnit report.
#[derive(Debug)]
struct TestCase {
    name: String,
    classname: String,
    /// `failure`, `skipped` or `system-out`, when the test case has such a child.
    child: Option<String>,
}

fn parse_junit(xml: &str) -> (Vec<(String, String)>, Vec<TestCase>) {
    let mut reader = Reader::from_str(xml);
    let mut suite_attributes = Vec::new();
    let mut cases: Vec<TestCase> = Vec::new();
    let attribute = |element: &quick_xml::events::BytesStart, name: &str| {
        element
            .try_get_attribute(name)
            .expect("well-formed attributes")
            .map(|value| {
                value
                    .unescape_value()
                    .expect("escaped correctly")
                    .into_owned()
            })
    };
    loop {
        match reader
            .read_event()
            .expect("the JUnit report is well-formed XML")
        {
            Event::Start(element) | Event::Empty(element) => match element.name().as_ref() {
                b"testsuites" => {
                    for name in ["tests", "failures", "skipped"] {
                        suite_attributes
                            .push((name.to_owned(), attribute(&element, name).unwrap()));
                    }
                }
                b"testcase" => cases.push(TestCase {
                    name: attribute(&element, "name").unwrap(),
                    classname: attribute(&element, "classname").unwrap(),
                    child: None,
                }),
                child @ (b"failure" | b"skipped" | b"system-out") => {
                    cases.last_mut().expect("inside a testcase").child =
                        Some(String::from_utf8(child.to_vec()).unwrap());
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (suite_attributes, cases)
}

#[tokio::test]
async fn the_junit_report_has_one_testcase_per_case() {
    let report = report_with_a_failure().await;
    let (totals, cases) = parse_junit(&report.to_junit());
    assert_eq!(
        totals,
        [("tests", "16"), ("failures", "1"), ("skipped", "2")]
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
    );
    let names: Vec<&str> = cases.iter().map(|case| case.name.as_str()).collect();
    let expected: Vec<&str> = CaseId::ALL.iter().map(|case| case.id()).collect();
    assert_eq!(names, expected);
    for case in &cases {
        let child = match case.name.as_str() {
            "accepts-redelivery" => Some("failure"),
            "accepts-burst" | "requires-auth" => Some("skipped"),
            _ => None,
        };
        assert_eq!(case.child.as_deref(), child, "{case:?}");
        assert!(case.classname.starts_with("awork-sim.check."));
    }
}

#[tokio::test]
async fn a_warning_passes_in_junit_with_its_explanation() {
    let receiver = careless(Mistake::SmallBodyLimit).await;
    let report = run(config(&receiver)).await;
    let xml = report.to_junit();
    let (totals, cases) = parse_junit(&xml);
    assert_eq!(totals[1], ("failures".to_owned(), "0".to_owned()));
    let large = cases
        .iter()
        .find(|case| case.name == "accepts-large-payload")
        .unwrap();
    assert_eq!(large.child.as_deref(), Some("system-out"));
    assert!(xml.contains("warning: warn accepts-large-payload (should)"));
}

#[tokio::test]
async fn the_text_report_explains_the_failure_and_ends_with_the_rerun_command() {
    let report = report_with_a_failure().await;
    let text = report.to_text();
    assert!(text.contains("FAIL  accepts-redelivery"), "{text}");
    assert!(text.contains("expected 2xx, got 409 Conflict"), "{text}");
    assert!(
        text.contains("in production: awork retries an event"),
        "{text}"
    );
    assert!(text.contains("fix: make processing idempotent"), "{text}");
    let command = report.rerun_command().expect("a case failed");
    assert!(
        command.ends_with(" --seed 1 --only accepts-redelivery"),
        "{command}"
    );
    assert!(
        command.contains("--auth-header 'X-Awork-Secret: <value>'"),
        "{command}"
    );
    assert!(text.trim_end().ends_with(&command), "{text}");
}

#[tokio::test]
async fn no_report_shows_the_auth_header_value() {
    // The wrong value the suite sends is the right one with its last character changed, so even
    // most of the secret must not appear.
    let almost_the_secret = &AUTH_VALUE[..AUTH_VALUE.len() - 1];
    for receiver in [correct().await, careless(Mistake::NoAuthCheck).await] {
        let report = run(config(&receiver)).await;
        assert!(report.case(CaseId::RejectsWrongAuth).unwrap().outcome != Outcome::Skip);
        for text in [
            report.to_text(),
            report.to_json(),
            report.to_junit(),
            format!("{report:?}"),
        ] {
            assert!(!text.contains(almost_the_secret), "{text}");
        }
    }
}
