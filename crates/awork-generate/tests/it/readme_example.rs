//! Property tests of a parser of awork webhooks: the README's example, run as written.

use awork_generate::strategies::{self, EventOptions};
use awork_models::Naming;
use proptest::prelude::*;

/// The parser under test: it reads what the receiver needs, and nothing more.
fn parse(body: &str) -> Result<(String, String), String> {
    let event: serde_json::Value = serde_json::from_str(body).map_err(|error| error.to_string())?;
    let name = event["eventType"].as_str().ok_or("no eventType")?;
    let id = event["entityId"].as_str().ok_or("no entityId")?;
    Ok((name.to_owned(), id.to_owned()))
}

proptest! {
    // Every event type under the names awork's webhooks carry, awkward text, unknown properties,
    // every timestamp form, optionals left out, and now and then a type awork may add later.
    #[test]
    fn reads_every_event_awork_may_send(event in strategies::any_event_with(EventOptions {
        naming: Naming::Api,
        unknown_event_types: true,
    })) {
        // A failing case prints as this body: save it and replay it with `awork-sim send`.
        let body = serde_json::to_string(&event).unwrap();
        let (name, id) = parse(&body).unwrap();
        prop_assert_eq!(name, event.event_type.as_str());
        prop_assert_eq!(id, event.entity_id);
    }
}
