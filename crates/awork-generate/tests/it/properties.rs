//! Property tests: whatever the strategies make parses, validates and round-trips byte for byte.

use awork_generate::strategies;
use awork_models::{EntityType, EventType};
use proptest::prelude::*;

fn round_trips(event: &awork_models::Envelope) -> Result<(), TestCaseError> {
    let bytes = serde_json::to_string(event).unwrap();
    let value: serde_json::Value = serde_json::from_str(&bytes).unwrap();
    let parsed = awork_models::validate_value(value)
        .map_err(|problems| TestCaseError::fail(format!("{problems:?}")))?;
    prop_assert_eq!(serde_json::to_string(&parsed).unwrap(), bytes);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_event_parses_validates_and_round_trips(event in strategies::any_event()) {
        round_trips(&event)?;
    }

    #[test]
    fn events_of_a_type_keep_their_type(event in strategies::event_of_type(EventType::TimeTrackingAdded)) {
        prop_assert_eq!(event.event_type.event_type(), Some(EventType::TimeTrackingAdded));
        round_trips(&event)?;
    }

    #[test]
    fn entities_of_a_type_have_that_type(entity in strategies::entity_of_type(EntityType::Task)) {
        prop_assert_eq!(entity.entity_type(), Some(EntityType::Task));
        let bytes = serde_json::to_string(&entity).unwrap();
        let again = awork_models::Entity::from_value(Some(EntityType::Task), serde_json::from_str(&bytes).unwrap()).unwrap();
        prop_assert_eq!(serde_json::to_string(&again).unwrap(), bytes);
    }
}

#[test]
fn any_event_reaches_the_api_s_five_extra_types_and_on_request_unknown_types() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let draw =
        |strategy: &dyn Fn(&mut TestRunner) -> awork_models::Envelope,
         runner: &mut TestRunner,
         count: usize| { (0..count).map(|_| strategy(runner)).collect::<Vec<_>>() };
    // Draws until each of the five has come up: a time entry's type changes only once the story
    // has time entries, which takes it a few events (a project, a task, time to pass).
    let mut plain = Vec::new();
    let seen_all = |events: &[awork_models::Envelope]| {
        EventType::API[30..].iter().all(|extra| {
            events
                .iter()
                .any(|event| event.event_type.event_type() == Some(*extra))
        })
    };
    while plain.len() < 20_000 && (plain.len() < 600 || plain.len() % 100 != 0 || !seen_all(&plain))
    {
        plain.push(
            strategies::any_event()
                .new_tree(&mut runner)
                .unwrap()
                .current(),
        );
    }
    for extra in &EventType::API[30..] {
        assert!(
            plain
                .iter()
                .any(|event| event.event_type.event_type() == Some(*extra)),
            "{extra:?} never drawn"
        );
    }
    assert!(
        plain
            .iter()
            .all(|event| event.event_type.event_type().is_some())
    );

    let options = strategies::EventOptions {
        naming: awork_models::Naming::Api,
        unknown_event_types: true,
    };
    let with_unknown = draw(
        &|runner| {
            strategies::any_event_with(options)
                .new_tree(runner)
                .unwrap()
                .current()
        },
        &mut runner,
        300,
    );
    let unknown: Vec<&str> = with_unknown
        .iter()
        .filter(|event| event.event_type.event_type().is_none())
        .map(|event| event.event_type.as_str())
        .collect();
    assert!(unknown.len() > 10, "{}", unknown.len());
    assert!(unknown.contains(&"file_added"), "{unknown:?}");
    for event in &with_unknown {
        round_trips(event).unwrap();
    }
}

#[test]
fn a_failing_case_prints_its_json_body_and_text_shrinks_towards_ascii() {
    use proptest::test_runner::{Config, TestError, TestRunner};

    // A parser that chokes on any non-ASCII name: the minimal case keeps one awkward character.
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(
        &strategies::event_of_type(EventType::ProjectAdded),
        |event| {
            let body = serde_json::to_value(&event).unwrap();
            let name = body["entity"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            prop_assert!(name.is_ascii(), "non-ASCII name");
            Ok(())
        },
    );
    let Err(TestError::Fail(_, minimal)) = result else {
        panic!("the planted bug is found: {result:?}");
    };
    let printed = format!("{minimal:?}");
    assert!(printed.starts_with("{\"timestamp\":"), "{printed}");
    let body: serde_json::Value = serde_json::from_str(&printed).expect("Debug is the JSON body");
    let name = body["entity"]["name"].as_str().unwrap();
    assert!(!name.is_ascii());
    // Shrunk: the name is short, not a pile of awkward pieces.
    assert!(name.chars().count() <= 60, "{name}");
}
