//! Events asked for by type: from the same world as the story, announced with what they need.

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Envelope, EventType, Naming};

use crate::assert_valid_and_round_trips;
use crate::coherence::Ledger;

fn api_generator(seed: u64) -> Generator {
    Generator::new(GeneratorConfig {
        seed,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    })
}

#[test]
fn each_type_asked_for_comes_last_after_what_it_needs() {
    for &wanted in EventType::API {
        let mut generator = api_generator(8);
        let mut ledger = Ledger::of(&generator);
        let mut index = 0;
        for _ in 0..3 {
            let events = generator.next_events_of(wanted);
            let last = events.last().expect("an event of the type");
            assert_eq!(last.event_type.event_type(), Some(wanted));
            for event in &events {
                assert_valid_and_round_trips(event);
                ledger.follow(event, index);
                index += 1;
            }
        }
    }
}

#[test]
fn a_task_in_a_new_workspace_comes_after_its_project() {
    let mut generator = api_generator(3);
    let events = generator.next_events_of(EventType::TaskStatusChanged);
    let names: Vec<&str> = events
        .iter()
        .map(|event| event.event_type.as_str())
        .collect();
    assert!(names.contains(&"project_added"), "{names:?}");
    assert!(names.contains(&"task_added"), "{names:?}");
    assert_eq!(names.last(), Some(&"task_status_changed"));
    // Each event has its own moment.
    for pair in events.windows(2) {
        assert!(pair[0].timestamp.to_utc() < pair[1].timestamp.to_utc());
    }
}

/// A mix of the story's events and events asked for by type, from one seed.
fn mixed(seed: u64) -> Vec<Envelope> {
    let mut generator = api_generator(seed);
    let mut events = Vec::new();
    for round in 0..400 {
        if round % 3 == 0 {
            let wanted = EventType::API[round % EventType::API.len()];
            events.extend(generator.next_events_of(wanted));
        } else {
            events.push(generator.next_event());
        }
    }
    events
}

#[test]
fn asked_events_and_the_story_share_one_coherent_deterministic_world() {
    let events = mixed(4);
    let generator = api_generator(4);
    let mut ledger = Ledger::of(&generator);
    for (index, event) in events.iter().enumerate() {
        assert_valid_and_round_trips(event);
        ledger.follow(event, index);
    }
    assert_eq!(events, mixed(4));
}

/// (Read as awork reads: what it computes or nests from other entities, as they are now.)
#[test]
fn the_world_reads_as_the_events_left_it() {
    let mut generator = api_generator(6);
    for _ in 0..200 {
        let event = generator.next_event();
        let world = generator.world();
        let entity = serde_json::to_value(&event.entity).unwrap();
        let id = event.entity_id.as_str();
        let read = match event.event_type.as_str() {
            "task_added" | "task_updated" | "task_status_changed" | "task_type_changed" => world
                .task_index(id)
                .map(|index| serde_json::to_value(world.task_entity(index)).unwrap()),
            "timetracking_added" | "timetracking_updated" | "timetracking_type_changed" => world
                .time_entry(id)
                .map(|entry| serde_json::to_value(world.current_time_entry(entry)).unwrap()),
            "company_added" | "company_updated" | "company_type_changed" => world
                .company(id)
                .map(|company| serde_json::to_value(world.counted_company(company)).unwrap()),
            "task_comment_added" | "project_comment_added" => world
                .comments
                .iter()
                .find(|comment| comment.id == id)
                .map(|comment| serde_json::to_value(world.current_comment(comment)).unwrap()),
            "user_added" | "user_updated" => world
                .user(id)
                .map(|user| serde_json::to_value(user).unwrap()),
            _ => continue,
        };
        assert_eq!(read, Some(entity), "{}", event.event_type);
    }
}
