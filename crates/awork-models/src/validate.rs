//! Validation: the problems a receiver would care about in an event, each a typed value with a
//! message that names the property.

use serde_json::Value;

use crate::{EntityType, Envelope};

/// A problem found in an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A required property is absent.
    #[error("{path}: missing")]
    MissingField {
        /// Where the property should be (`entity.name`).
        path: String,
    },
    /// A property has a value of the wrong type or form (a timestamp that is not one, a string where
    /// a number belongs, …).
    #[error("{path}: {reason}")]
    InvalidValue {
        /// The property (`timestamp`, `entity.members[0].isResponsible`).
        path: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// `entityId` is not the entity's own `id`.
    #[error("entityId: {entity_id:?} differs from entity.id {entity_own_id:?}")]
    EntityIdMismatch {
        /// The envelope's `entityId`.
        entity_id: String,
        /// The entity's `id`.
        entity_own_id: String,
    },
    /// `entityType` does not fit the event type.
    #[error(
        "entityType: {entity_type:?} does not fit eventType {event_type:?}, which carries a {expected:?}"
    )]
    EntityTypeMismatch {
        /// The envelope's `eventType`.
        event_type: String,
        /// The envelope's `entityType`.
        entity_type: String,
        /// The entity type the event type carries.
        expected: &'static str,
    },
}

impl Problem {
    /// The property the problem is about, as a path from the envelope (`entity.createdOn`).
    pub fn path(&self) -> &str {
        match self {
            Problem::MissingField { path } | Problem::InvalidValue { path, .. } => path,
            Problem::EntityIdMismatch { .. } => "entityId",
            Problem::EntityTypeMismatch { .. } => "entityType",
        }
    }

    /// A problem from a serde error at a path below `prefix` (`""` for the envelope itself).
    pub(crate) fn from_path_error(
        prefix: &str,
        error: &serde_path_to_error::Error<serde_json::Error>,
    ) -> Problem {
        let inner = error.path().to_string();
        let mut path = match (prefix, inner.as_str()) {
            (prefix, ".") => prefix.to_owned(),
            ("", inner) => inner.to_owned(),
            (prefix, inner) if inner.starts_with('[') => format!("{prefix}{inner}"),
            (prefix, inner) => format!("{prefix}.{inner}"),
        };
        let message = error.inner().to_string();
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(field);
            return Problem::MissingField { path };
        }
        if path.is_empty() {
            path.push_str("(event)");
        }
        Problem::InvalidValue {
            path,
            reason: message,
        }
    }
}

/// Reads an event from JSON and checks it: every problem a receiver would care about, or the event.
pub fn validate_value(value: Value) -> Result<Envelope, Vec<Problem>> {
    let envelope = Envelope::from_value(value)?;
    let problems = validate(&envelope);
    if problems.is_empty() {
        Ok(envelope)
    } else {
        Err(problems)
    }
}

/// Checks what a parsed event's types cannot: that `entityId` is the entity's id and that
/// `entityType` fits the event type.
pub fn validate(envelope: &Envelope) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(own_id) = envelope.entity.id() {
        if own_id != envelope.entity_id {
            problems.push(Problem::EntityIdMismatch {
                entity_id: envelope.entity_id.clone(),
                entity_own_id: own_id.to_owned(),
            });
        }
    }
    if let Some(event) = envelope.event_type.event_type() {
        let expected = event.entity_type();
        if EntityType::from_wire(&envelope.entity_type) != Some(expected) {
            problems.push(Problem::EntityTypeMismatch {
                event_type: envelope.event_type.as_str().to_owned(),
                entity_type: envelope.entity_type.clone(),
                expected: expected.as_str(),
            });
        }
    }
    problems
}
