//! Typed models of the webhook events awork sends: the envelope, the event types with every spelling
//! awork has used, the entity of each event type, and validation.
//!
//! ```
//! use awork_models::{Entity, Envelope, EventType};
//!
//! let json = include_str!("../../../fixtures/awork-docs-example.json");
//! let event: Envelope = serde_json::from_str(json).unwrap();
//! assert_eq!(event.event_type.event_type(), Some(EventType::ProjectAdded));
//! let Entity::Project(project) = &event.entity else { panic!("a project event carries a project") };
//! assert_eq!(project.name, "Website Design");
//! assert!(awork_models::validate(&event).is_empty());
//! // Serializing writes the event back as it came.
//! let again: serde_json::Value = serde_json::to_value(&event).unwrap();
//! assert_eq!(again, serde_json::from_str::<serde_json::Value>(json).unwrap());
//! ```
//!
//! Invariant: this crate does no I/O, and nothing from tokio, hyper or clap is in its dependency tree.
//!
//! Features: `preserve_order` (off by default) switches on serde_json's feature of that name, so
//! that unknown properties re-serialize in the order they arrived and a payload comes back byte for
//! byte; without it they come back sorted by name. The crate does not switch it on in your
//! serde_json by itself.

pub mod entities;
mod envelope;
mod event_type;
mod json_schema;
mod time;
mod validate;

pub use entities::Entity;
pub use envelope::{Change, Envelope, TriggeredBy};
pub use event_type::{EntityType, EventName, EventType, Naming, UnknownEventType};
pub use json_schema::{json_schema, json_schema_of, patterns as schema_patterns};
pub use time::{
    AworkDateTime, MAX_FRACTION_DIGITS, OffsetStyle, TimeOfDay, TimestampError, day_start,
};
pub use validate::{
    Problem, Warning, duplicate_keys, envelope_warnings, problems_of, valid_event, validate,
    validate_value, warnings,
};
