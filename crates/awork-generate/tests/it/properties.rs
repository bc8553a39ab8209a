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
