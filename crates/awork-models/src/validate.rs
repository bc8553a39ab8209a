//! Validation: the problems a receiver would care about in an event, each a typed value with a
//! message that names the property, and the warnings about what is valid but unusual.
//!
//! [`validate_value`] reports every problem of an event, not the first one only: the envelope's
//! properties are read one by one, and inside the entity a property with a bad value is set aside
//! and the entity read again, so that one bad value does not hide the next. [`duplicate_keys`]
//! works on the text, since a parsed [`Value`] has already dropped the first of two equal keys.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::entities::Entity;
use crate::envelope::{Change, TriggeredBy};
use crate::time::OffsetStyle;
use crate::{AworkDateTime, EntityType, Envelope, EventName, EventType};

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
    /// An object has the same key twice. JSON parsers disagree on which value wins (most keep the
    /// last, some the first, some refuse), so receivers would read different events.
    #[error("{path}: the key appears more than once in its object")]
    DuplicateKey {
        /// The repeated key's path (`entity.name`).
        path: String,
    },
}

impl Problem {
    /// The property the problem is about, as a path from the envelope (`entity.createdOn`).
    pub fn path(&self) -> &str {
        match self {
            Problem::MissingField { path }
            | Problem::InvalidValue { path, .. }
            | Problem::DuplicateKey { path } => path,
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

/// Something valid but unusual in an event: a receiver will read it, and may not expect it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Warning {
    /// `eventType` is none of the names awork has used (the spec's, the docs' or the API's). A
    /// receiver reads it as an unknown event type; a typo in a hand-written fixture looks the same.
    #[error(
        "eventType: {name:?} is not a name awork has used; receivers will read it as an unknown event type"
    )]
    UnknownEventName {
        /// The name as it arrived.
        name: String,
    },
}

/// Reads an event from JSON and checks it: every problem a receiver would care about, or the event.
///
/// The problems come in the order of the envelope's properties (`timestamp`, `eventType`, `entityId`,
/// `entityType`, the optional ones, then the entity), followed by the checks across properties.
pub fn validate_value(value: Value) -> Result<Envelope, Vec<Problem>> {
    use serde::Deserialize;
    // The common case, a valid event, is read once; only an invalid one is read again, property by
    // property, to find all of its problems.
    match Envelope::deserialize(&value) {
        Ok(envelope) => {
            let problems = validate(&envelope);
            if problems.is_empty() {
                Ok(envelope)
            } else {
                Err(problems)
            }
        }
        Err(_) => Err(every_problem(&value)),
    }
}

/// The warnings about an event that may otherwise be valid.
pub fn warnings(value: &Value) -> Vec<Warning> {
    name_warnings(value.get("eventType").and_then(Value::as_str))
}

/// [`warnings`] about an event already read: the same, from its model.
pub fn envelope_warnings(event: &Envelope) -> Vec<Warning> {
    name_warnings(Some(event.event_type.as_str()))
}

fn name_warnings(event_name: Option<&str>) -> Vec<Warning> {
    match event_name {
        Some(name) if EventType::lookup(name).is_none() => vec![Warning::UnknownEventName {
            name: name.to_owned(),
        }],
        _ => Vec::new(),
    }
}

/// The event of a JSON `text` that is a valid awork event (it reads into the models, through
/// [`Envelope::from_json`], and [`validate`] finds nothing), or `None`: the quick way to tell the
/// common case, valid events, from their text; [`validate_value`] names the problems of the rest.
pub fn valid_event(text: &str) -> Option<Envelope> {
    Envelope::from_json(text)
        .ok()
        .filter(|envelope| validate(envelope).is_empty())
}

/// Checks what a parsed event's types cannot: that `entityId` is the entity's id and that
/// `entityType` fits the event type.
pub fn validate(envelope: &Envelope) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_forms(
        Some(&envelope.timestamp),
        Some(&envelope.entity_id),
        envelope.triggered_by.as_ref(),
        &mut problems,
    );
    if let Some(own_id) = envelope.entity.id() {
        check_entity_id(&envelope.entity_id, own_id, &mut problems);
    }
    if let Some(event) = envelope.event_type.event_type() {
        check_entity_type(
            event,
            envelope.event_type.as_str(),
            &envelope.entity_type,
            &mut problems,
        );
    }
    problems
}

/// What the JSON Schema (`awork-sim schema`) refuses by pattern where the models take any
/// string: the envelope's ids as .NET writes GUIDs, and a timestamp without its offset.
fn check_forms(
    timestamp: Option<&AworkDateTime>,
    entity_id: Option<&str>,
    actor: Option<&TriggeredBy>,
    problems: &mut Vec<Problem>,
) {
    if timestamp.is_some_and(|timestamp| timestamp.offset_style() == OffsetStyle::Local) {
        problems.push(Problem::InvalidValue {
            path: "timestamp".to_owned(),
            reason: "no offset: awork writes the event's time with one (`+00:00`)".to_owned(),
        });
    }
    if let Some(entity_id) = entity_id {
        check_guid("entityId", entity_id, problems);
    }
    if let Some(actor) = actor {
        check_guid("triggeredBy.id", &actor.id, problems);
    }
}

/// A GUID as .NET writes it: `8-4-4-4-12` lowercase hexadecimal digits.
fn check_guid(path: &str, id: &str, problems: &mut Vec<Problem>) {
    let bytes = id.as_bytes();
    let is_guid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(byte),
        });
    if !is_guid {
        problems.push(Problem::InvalidValue {
            path: path.to_owned(),
            reason: format!("{id:?} is not a GUID (lowercase 8-4-4-4-12 hexadecimal digits)"),
        });
    }
}

fn check_entity_id(entity_id: &str, own_id: &str, problems: &mut Vec<Problem>) {
    if own_id != entity_id {
        problems.push(Problem::EntityIdMismatch {
            entity_id: entity_id.to_owned(),
            entity_own_id: own_id.to_owned(),
        });
    }
}

fn check_entity_type(
    event: EventType,
    event_name: &str,
    entity_type: &str,
    problems: &mut Vec<Problem>,
) {
    let expected = event.entity_type();
    if EntityType::from_wire(entity_type) != Some(expected) {
        problems.push(Problem::EntityTypeMismatch {
            event_type: event_name.to_owned(),
            entity_type: entity_type.to_owned(),
            expected: expected.as_str(),
        });
    }
}

/// How many times a bad entity is read again, each time without the property that was at fault.
const MAX_ENTITY_PROBLEMS: usize = 32;

/// Every problem of an event, found by reading its properties one by one.
fn every_problem(value: &Value) -> Vec<Problem> {
    let Some(object) = value.as_object() else {
        return vec![Problem::InvalidValue {
            path: "(event)".to_owned(),
            reason: format!("expected an event object, found {}", kind_of(value)),
        }];
    };
    let mut problems = Vec::new();
    let mut envelope = EnvelopeReader {
        object,
        problems: &mut problems,
    };
    let timestamp = envelope.required::<AworkDateTime>("timestamp");
    let event_name = envelope.required::<EventName>("eventType");
    let entity_id = envelope.required::<String>("entityId");
    let entity_type = envelope.required::<String>("entityType");
    envelope.optional::<String>("entityLink");
    envelope.optional::<String>("traceId");
    let actor = envelope.optional::<TriggeredBy>("triggeredBy");
    envelope.optional::<Vec<Change>>("changes");
    check_forms(
        timestamp.as_ref(),
        entity_id.as_deref(),
        actor.as_ref(),
        &mut problems,
    );
    match object.get("entity") {
        None => problems.push(Problem::MissingField {
            path: "entity".to_owned(),
        }),
        Some(entity) => {
            let kind = event_name
                .as_ref()
                .and_then(EventName::event_type)
                .map(EventType::entity_type)
                .or_else(|| entity_type.as_deref().and_then(EntityType::from_wire));
            entity_problems(kind, entity.clone(), &mut problems);
            let own_id = entity.get("id").and_then(Value::as_str);
            if let (Some(entity_id), Some(own_id)) = (&entity_id, own_id) {
                check_entity_id(entity_id, own_id, &mut problems);
            }
        }
    }
    if let (Some(name), Some(entity_type)) = (&event_name, &entity_type) {
        if let Some(event) = name.event_type() {
            check_entity_type(event, name.as_str(), entity_type, &mut problems);
        }
    }
    problems
}

/// Reads the envelope's properties one at a time, noting each one's problem.
struct EnvelopeReader<'a> {
    object: &'a Map<String, Value>,
    problems: &'a mut Vec<Problem>,
}

impl EnvelopeReader<'_> {
    /// The property `key`, which must be present.
    fn required<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        match self.object.get(key) {
            None => {
                self.problems.push(Problem::MissingField {
                    path: key.to_owned(),
                });
                None
            }
            Some(value) => self.read(key, value),
        }
    }

    /// The property `key`, which may be absent or `null`.
    fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => self.read(key, value),
        }
    }

    fn read<T: DeserializeOwned>(&mut self, key: &str, value: &Value) -> Option<T> {
        serde_path_to_error::deserialize(value)
            .map_err(|error| self.problems.push(Problem::from_path_error(key, &error)))
            .ok()
    }
}

/// The problems of an entity: read it; while a property has a bad value, note it, set the property
/// aside and read the entity again. A missing property ends the search (there is nothing to set
/// aside), as does a bad element of an array (setting it aside would shift the paths of the rest).
fn entity_problems(kind: Option<EntityType>, mut entity: Value, problems: &mut Vec<Problem>) {
    let mut set_aside: Vec<String> = Vec::new();
    for _ in 0..MAX_ENTITY_PROBLEMS {
        let Err(error) = Entity::from_value(kind, entity.clone()) else {
            return;
        };
        let problem = Problem::from_path_error("entity", &error);
        if let Problem::MissingField { path } = &problem {
            // A required property with a bad value was set aside: its problem is already noted.
            if !set_aside.contains(path) {
                problems.push(problem);
            }
            return;
        }
        let removed = remove_at(&mut entity, error.path());
        set_aside.push(problem.path().to_owned());
        problems.push(problem);
        if !removed {
            return;
        }
    }
}

/// Removes the object property at `path` from `value`; false when the path does not end at one.
fn remove_at(value: &mut Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut current = value;
    for segment in parents {
        current = match (segment, current) {
            (Segment::Map { key }, Value::Object(object)) => match object.get_mut(key) {
                Some(next) => next,
                None => return false,
            },
            (Segment::Seq { index }, Value::Array(items)) => match items.get_mut(*index) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    current
        .as_object_mut()
        .is_some_and(|object| object.remove(key).is_some())
}

/// `a number`, `an array`, … for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Every problem of an event, its JSON `text` and the `value` read from it: the keys it repeats
/// first (which the value, the last of each winning, no longer shows), then what
/// [`validate_value`] finds. Empty for a valid event.
pub fn problems_of(text: &str, value: Value) -> Vec<Problem> {
    let mut problems = duplicate_keys(text);
    if let Err(found) = validate_value(value) {
        problems.extend(found);
    }
    problems
}

/// The keys that appear more than once in an object of the JSON `text`, as problems with their paths.
/// A text that is not JSON has none (reading it is another check's job).
pub fn duplicate_keys(text: &str) -> Vec<Problem> {
    let mut walk = KeyWalk::default();
    let mut reader = serde_json::Deserializer::from_str(text);
    let _ = KeyWalker(&mut walk).deserialize(&mut reader);
    walk.duplicates
        .into_iter()
        .map(|path| Problem::DuplicateKey { path })
        .collect()
}

/// Where a [`KeyWalker`] is, and the paths of the repeated keys it met. The path is kept as its
/// steps and written out only for a repeated key: most texts have none, and writing every path
/// made the walk cost more than reading the event into its models.
#[derive(Default)]
struct KeyWalk {
    steps: Vec<Step>,
    duplicates: Vec<String>,
}

/// One step of a path: a key of an object or an index of an array.
enum Step {
    Key(String),
    Index(usize),
}

impl KeyWalk {
    /// The path of the current step: `entity.members[0].id`.
    fn path(&self) -> String {
        let mut path = String::new();
        for step in &self.steps {
            match step {
                Step::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Step::Index(index) => {
                    path.push('[');
                    path.push_str(&index.to_string());
                    path.push(']');
                }
            }
        }
        path
    }
}

/// Walks a JSON value, noting the path of every key seen twice in one object.
struct KeyWalker<'a>(&'a mut KeyWalk);

impl<'de> DeserializeSeed<'de> for KeyWalker<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyWalker<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let walk = self.0;
        let mut index = 0;
        loop {
            walk.steps.push(Step::Index(index));
            let item = items.next_element_seed(KeyWalker(walk));
            walk.steps.pop();
            if item?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<(), A::Error> {
        /// Past this many keys an object's keys are looked up in a hash set, not one by one.
        const FEW: usize = 16;
        let walk = self.0;
        let mut seen: Vec<String> = Vec::new();
        let mut many: HashSet<String> = HashSet::new();
        while let Some(key) = entries.next_key::<String>()? {
            let repeated = if many.is_empty() {
                seen.contains(&key)
            } else {
                many.contains(&key)
            };
            walk.steps.push(Step::Key(key));
            if repeated {
                walk.duplicates.push(walk.path());
            }
            let value = entries.next_value_seed(KeyWalker(walk));
            let Some(Step::Key(key)) = walk.steps.pop() else {
                unreachable!("the step pushed above")
            };
            value?;
            if many.is_empty() && seen.len() < FEW {
                seen.push(key);
            } else {
                many.extend(seen.drain(..));
                many.insert(key);
            }
        }
        Ok(())
    }
}
