//! The careless receivers: each shows its one mistake, and is otherwise the correct receiver.

use awork_example_receivers::{
    Mistake, ReceiverOptions, RunningReceiver, SLOW_ANSWER_DELAY, spawn_careless,
};
use bytes::Bytes;
use http::StatusCode;
use serde_json::json;

use crate::support::{Client, body, fixture, fixture_json, python_friendly, wait_until};

async fn careless(mistake: Mistake) -> RunningReceiver {
    spawn_careless(mistake, ReceiverOptions::default())
        .await
        .expect("the receiver starts")
}

// The paused clock lets the slow mistakes do their work (35 s, 1 s) at once.
#[tokio::test(start_paused = true)]
async fn every_mistake_but_the_redirect_accepts_an_ordinary_addition() {
    // An addition (for out-of-order), with Python-friendly timestamps (for the 7-digit mistake).
    let event = body(&python_friendly(&fixture_json("project_added")));
    let client = Client::new();
    for mistake in Mistake::ALL {
        let receiver = careless(mistake).await;
        let answer = client.post(&receiver.url(), event.clone()).await;
        if mistake == Mistake::Redirect {
            assert_eq!(answer.status, StatusCode::TEMPORARY_REDIRECT, "{answer:?}");
        } else {
            assert!(answer.status.is_success(), "{mistake:?}: {answer:?}");
            assert_eq!(receiver.accepted(), 1, "{mistake:?}");
        }
    }
}

#[test]
fn every_mistake_is_described_and_named_in_kebab_case() {
    use clap::ValueEnum as _;
    for mistake in Mistake::ALL {
        assert!(!mistake.describe().is_empty());
        let name = mistake
            .to_possible_value()
            .expect("every mistake has a name")
            .get_name()
            .to_owned();
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name}"
        );
        assert_eq!(Mistake::from_str(&name, false), Ok(mistake));
    }
    assert_eq!(
        Mistake::from_str("seven-digit-timestamps-refused", false),
        Ok(Mistake::SevenDigitTimestampsRefused)
    );
}

#[tokio::test(start_paused = true)]
async fn slow_answers_process_before_answering() {
    let receiver = careless(Mistake::SlowAnswers).await;
    let answer = Client::new()
        .post(&receiver.url(), fixture("task_changed"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    // The work was done before the answer (the correct receiver answers first, then works).
    assert_eq!(receiver.processed(), 1);
    assert!(SLOW_ANSWER_DELAY.as_secs() > 30, "past awork's 30 s");
}

#[tokio::test]
async fn redirect_answers_307_to_the_same_url_under_v2() {
    let receiver = careless(Mistake::Redirect).await;
    let answer = Client::new()
        .post(&receiver.url(), fixture("task_changed"))
        .await;
    assert_eq!(answer.status, StatusCode::TEMPORARY_REDIRECT, "{answer:?}");
    assert_eq!(
        answer.headers["location"],
        format!("{}/v2", receiver.url()).as_str()
    );
    assert_eq!(receiver.accepted(), 0);
}

#[tokio::test]
async fn no_auth_check_accepts_requests_without_or_with_a_wrong_header() {
    let receiver = spawn_careless(
        Mistake::NoAuthCheck,
        ReceiverOptions {
            auth: Some(("X-Awork-Token".to_owned(), "s3cret".to_owned())),
            ..ReceiverOptions::default()
        },
    )
    .await
    .expect("the receiver starts");
    let client = Client::new();
    let missing = client.post(&receiver.url(), fixture("task_changed")).await;
    assert_eq!(missing.status, StatusCode::ACCEPTED, "{missing:?}");
    let wrong = client
        .post_with(
            &receiver.url(),
            &[("X-Awork-Token", "guess")],
            fixture("project_added"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::ACCEPTED, "{wrong:?}");
}

#[tokio::test]
async fn strict_fields_refuses_unknown_properties_in_envelope_and_entity() {
    let receiver = careless(Mistake::StrictFields).await;
    let client = Client::new();
    let known = client.post(&receiver.url(), fixture("task_changed")).await;
    assert_eq!(known.status, StatusCode::ACCEPTED, "{known:?}");

    let mut in_envelope = fixture_json("project_added");
    in_envelope["deliveryAttempt"] = json!(1);
    let answer = client.post(&receiver.url(), body(&in_envelope)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
    assert!(answer.body.contains("deliveryAttempt"), "{answer:?}");

    let mut in_entity = fixture_json("client_added");
    in_entity["entity"]["aiSummary"] = json!("new");
    let answer = client.post(&receiver.url(), body(&in_entity)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
    assert!(answer.body.contains("entity.aiSummary"), "{answer:?}");
}

#[tokio::test]
async fn seven_digit_timestamps_are_refused_as_python_3_10_would() {
    let receiver = careless(Mistake::SevenDigitTimestampsRefused).await;
    let client = Client::new();
    // awork's own payloads: 7 digits and +00:00 in the envelope, Z in the entity.
    let dotnet = client.post(&receiver.url(), fixture("task_changed")).await;
    assert_eq!(dotnet.status, StatusCode::BAD_REQUEST, "{dotnet:?}");
    assert!(dotnet.body.contains("isoformat"), "{dotnet:?}");

    let friendly = python_friendly(&fixture_json("task_changed"));
    let answer = client.post(&receiver.url(), body(&friendly)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");

    // Only the entity's dates are .NET's: still refused.
    let mut zulu = python_friendly(&fixture_json("project_added"));
    zulu["entity"]["createdOn"] = json!("2023-09-03T20:28:39.596182Z");
    let answer = client.post(&receiver.url(), body(&zulu)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
    assert!(
        answer.body.contains("2023-09-03T20:28:39.596182Z"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn duplicate_refused_answers_409_to_a_redelivery() {
    let receiver = careless(Mistake::DuplicateRefused).await;
    let client = Client::new();
    let event = fixture("task_changed");
    let first = client.post(&receiver.url(), event.clone()).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{first:?}");
    let again = client.post(&receiver.url(), event).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    assert_eq!(receiver.accepted(), 1);
}

#[tokio::test]
async fn out_of_order_refused_answers_404_until_the_addition_arrived() {
    let receiver = careless(Mistake::OutOfOrderRefused).await;
    let client = Client::new();
    let change = fixture_json("task_changed");
    let task_id = change["entityId"].clone();
    let mut deletion = fixture_json("project_task_deleted");
    deletion["entityId"] = task_id.clone();
    deletion["entity"]["id"] = task_id.clone();
    let mut addition = change.clone();
    addition["eventType"] = json!("project_task_added");
    addition["traceId"] = json!("00000000000000000000000000000002");

    for early in [&change, &deletion] {
        let answer = client.post(&receiver.url(), body(early)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{answer:?}");
        assert!(answer.body.contains("unknown entity"), "{answer:?}");
    }
    let answer = client.post(&receiver.url(), body(&addition)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
    // Retried after the addition, the change goes through.
    let answer = client.post(&receiver.url(), body(&change)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
}

#[tokio::test]
async fn one_at_a_time_does_not_answer_a_request_while_another_is_in_flight() {
    let receiver = careless(Mistake::OneAtATime).await;
    let client = Client::new();
    let first_event = fixture("task_changed");
    let (first_half, second_half) = first_event.split_at(first_event.len() / 2);

    let (mut held, first) = client.post_held(&receiver.url());
    held.send_data(Bytes::copy_from_slice(first_half.as_bytes()))
        .await
        .expect("the body is being sent");
    wait_until("the first request arrives", || receiver.received() == 1).await;

    let second = {
        let client = client.clone();
        let url = receiver.url();
        tokio::spawn(async move { client.post(&url, fixture("project_added")).await })
    };
    wait_until("the second request arrives", || receiver.received() == 2).await;
    // The second request has arrived, but the first holds the receiver until its body is complete:
    // nothing has been answered or processed. (The correct receiver answers the second here: see
    // `correct::answers_a_request_while_another_is_still_in_flight`.)
    assert!(
        !second.is_finished(),
        "the second request waits for the first"
    );
    assert_eq!(receiver.processed(), 0);

    held.send_data(Bytes::copy_from_slice(second_half.as_bytes()))
        .await
        .expect("the body is being sent");
    drop(held);
    let first = first.await.expect("the first request ends");
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let second = second.await.expect("the second request ends");
    assert_eq!(second.status, StatusCode::OK, "{second:?}");
    assert_eq!(receiver.processed(), 2);
}

#[tokio::test]
async fn small_body_limit_refuses_a_large_event_with_413() {
    let receiver = careless(Mistake::SmallBodyLimit).await;
    let client = Client::new();
    let mut large = fixture_json("task_changed");
    large["entity"]["description"] = json!("A long description. ".repeat(5_000));
    let large = body(&large);
    assert!(large.len() > 64 * 1024 && large.len() < 256 * 1024);
    let answer = client.post(&receiver.url(), large).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{answer:?}");
    // An ordinary event still fits.
    let answer = client.post(&receiver.url(), fixture("task_changed")).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
}

#[tokio::test]
async fn unknown_event_type_refused_answers_400() {
    let receiver = careless(Mistake::UnknownEventTypeRefused).await;
    let client = Client::new();
    let mut unknown = fixture_json("project_added");
    unknown["eventType"] = json!("workspace_added");
    unknown["entityType"] = json!("workspace");
    let answer = client.post(&receiver.url(), body(&unknown)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
    assert!(answer.body.contains("workspace_added"), "{answer:?}");
    // Every spelling of a known type is known.
    let mut api_spelling = fixture_json("project_task_added");
    api_spelling["eventType"] = json!("task_added");
    let answer = client.post(&receiver.url(), body(&api_spelling)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
}
