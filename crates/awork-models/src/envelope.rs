//! The envelope: the JSON object awork POSTs for every event, around the entity that triggered it.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::entities::{Entity, EntitySeed};
use crate::{AworkDateTime, EntityType, EventName, EventType, Problem};

/// One webhook event, as awork sends it.
///
/// Parsing dispatches the `entity` on the event type (or, for an event type this crate does not know,
/// on `entityType`), keeps every spelling and every unknown property, and serializing writes the event
/// back as it came.
///
/// Its `Debug` is the event's compact JSON body, as a receiver would read it: a failing test or
/// property case shows a body to replay rather than a dump of structs.
#[serde_with::skip_serializing_none]
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// When the event fired; awork writes 7 fractional digits and `+00:00`.
    pub timestamp: AworkDateTime,
    /// The event's name, in the spelling that arrived.
    pub event_type: EventName,
    /// The entity that triggered the event.
    pub entity: Entity,
    /// The entity's id; equal to `entity.id`.
    pub entity_id: String,
    /// The entity's type, lower-case and singular (`"project"`, `"timetracking"`).
    pub entity_type: String,
    /// A web link to the entity, or to the closest entity that has one.
    pub entity_link: Option<String>,
    /// An awork-internal id for support (32 hex digits; 16 in older payloads).
    pub trace_id: Option<String>,
    /// The user who caused the event.
    pub triggered_by: Option<TriggeredBy>,
    /// The properties the event changed (seen in real payloads; not in awork's docs).
    pub changes: Option<Vec<Change>>,
    /// Properties this model does not know, kept so that nothing received is lost.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The envelope before its entity is read into the model its type names: the entity is `E`, its
/// raw text (reading JSON text), a `serde_json::Value` (reading a value, with paths tracked), or
/// already its model ([`Envelope::from_json`], when `eventType` came first).
struct RawEnvelope<E> {
    timestamp: AworkDateTime,
    event_type: EventName,
    entity: E,
    entity_id: String,
    entity_type: String,
    entity_link: Option<String>,
    trace_id: Option<String>,
    triggered_by: Option<TriggeredBy>,
    changes: Option<Vec<Change>>,
    extra: Map<String, Value>,
}

crate::entities::model! {
    /// The user who caused an event. awork's docs show the id and names; older payloads carried the
    /// whole user model, whose other properties are kept in `extra`.
    pub struct TriggeredBy {
        /// The user's id.
        pub id: String,
        /// First name.
        pub first_name: Option<String>,
        /// Last name.
        pub last_name: Option<String>,
    }
}

crate::entities::model! {
    /// One changed property. Its `property` is a PascalCase C# name (`"TaskStatusId"`). awork has not
    /// documented the keys of the old and new values; [`Change::old_value`] and [`Change::new_value`]
    /// read both spellings seen in the wild.
    pub struct Change {
        /// The changed property (`"TaskStatusId"`, `"Duration"`).
        pub property: String,
    }
}

impl Change {
    /// The value before the change (`oldValue`, or `old`).
    pub fn old_value(&self) -> Option<&Value> {
        self.extra.get("oldValue").or_else(|| self.extra.get("old"))
    }

    /// The value after the change (`newValue`, or `new`).
    pub fn new_value(&self) -> Option<&Value> {
        self.extra.get("newValue").or_else(|| self.extra.get("new"))
    }
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_string(self) {
            Ok(json) => f.write_str(&json),
            Err(error) => write!(f, "<an envelope that does not serialize: {error}>"),
        }
    }
}

impl Envelope {
    /// Reads an event from its JSON text, as `serde_json::from_str` does, with the same result
    /// and the same error, in one pass over the entity when `eventType` comes before `entity` (as
    /// awork writes them): the entity is read straight into the model its event type names,
    /// rather than first as raw text (the derived reader's way, since the event type may come
    /// after it). Only text that fails is read again, to say where.
    pub fn from_json(text: &str) -> serde_json::Result<Envelope> {
        let read_once = || {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let raw = RawEnvelope::<EntityField>::deserialize(&mut deserializer)?;
            deserializer.end()?;
            raw.read_entity(|entity, kind| match entity {
                EntityField::Read(entity) => Ok(entity),
                EntityField::Later(text) => Entity::from_json(kind, text.get())
                    .map_err(serde_path_to_error::Error::into_inner),
            })
        };
        read_once().or_else(|_| serde_json::from_str(text))
    }

    /// The entity type that `entityType` names, when it names one.
    pub fn entity_kind(&self) -> Option<EntityType> {
        EntityType::from_wire(&self.entity_type)
    }

    /// Reads an event from JSON, reporting every property that is missing or of the wrong type with
    /// its path (`entity.members[0].userId`). This is [`crate::validate_value`] without the checks
    /// across properties.
    pub fn from_value(value: Value) -> Result<Envelope, Vec<Problem>> {
        let raw: RawEnvelope<Value> = serde_path_to_error::deserialize(value)
            .map_err(|error| vec![Problem::from_path_error("", &error)])?;
        raw.read_entity(|entity, kind| {
            Entity::from_value(kind, entity)
                .map_err(|error| vec![Problem::from_path_error("entity", &error)])
        })
    }
}

impl<E> RawEnvelope<E> {
    /// Which model the entity is read as: the event type's entity type, or for an unknown event
    /// type the one `entityType` names.
    fn kind(&self) -> Option<EntityType> {
        self.event_type
            .event_type()
            .map(|event| event.entity_type())
            .or_else(|| EntityType::from_wire(&self.entity_type))
    }

    /// The envelope, its entity read by `read` from what was kept of it and the entity type it
    /// is read as.
    fn read_entity<Error>(
        self,
        read: impl FnOnce(E, Option<EntityType>) -> Result<Entity, Error>,
    ) -> Result<Envelope, Error> {
        let kind = self.kind();
        Ok(Envelope {
            timestamp: self.timestamp,
            event_type: self.event_type,
            entity: read(self.entity, kind)?,
            entity_id: self.entity_id,
            entity_type: self.entity_type,
            entity_link: self.entity_link,
            trace_id: self.trace_id,
            triggered_by: self.triggered_by,
            changes: self.changes,
            extra: self.extra,
        })
    }
}

/// Reads the envelope's entity as raw JSON text, then straight into the model its event type
/// names: no `serde_json::Value` of the entity.
impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: RawEnvelope<Box<RawValue>> = RawEnvelope::deserialize(deserializer)?;
        raw.read_entity(|entity, kind| {
            Entity::from_json(kind, entity.get()).map_err(|error| {
                de::Error::custom(format_args!("entity.{}: {}", error.path(), error.inner()))
            })
        })
    }
}

/// How [`RawEnvelopeVisitor`] reads `entity`, given the entity type named by the properties
/// before it (if `eventType` came first and is one this crate knows).
trait ReadEntity<'de>: Sized {
    fn read<A: MapAccess<'de>>(map: &mut A, known: Option<EntityType>) -> Result<Self, A::Error>;
}

/// The entity kept as it came (its text, or its value), to read once every property is known.
impl<'de, E: Deserialize<'de>> ReadEntity<'de> for E {
    fn read<A: MapAccess<'de>>(map: &mut A, _: Option<EntityType>) -> Result<Self, A::Error> {
        map.next_value()
    }
}

/// The entity of [`Envelope::from_json`]: read into its model at once when the event type came
/// first, otherwise its text, read when the event type is known.
enum EntityField {
    Read(Entity),
    Later(Box<RawValue>),
}

impl<'de> ReadEntity<'de> for EntityField {
    fn read<A: MapAccess<'de>>(map: &mut A, known: Option<EntityType>) -> Result<Self, A::Error> {
        match known {
            Some(kind) => map.next_value_seed(EntitySeed(kind)).map(EntityField::Read),
            None => map.next_value().map(EntityField::Later),
        }
    }
}

/// Reads the envelope's properties one by one, the unknown ones into `extra`: by hand rather than
/// derived with `#[serde(flatten)]`, which buffers every property first and cannot hand the
/// entity on as raw text.
impl<'de, E: ReadEntity<'de>> Deserialize<'de> for RawEnvelope<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawEnvelopeVisitor(PhantomData))
    }
}

struct RawEnvelopeVisitor<E>(PhantomData<E>);

impl<'de, E: ReadEntity<'de>> Visitor<'de> for RawEnvelopeVisitor<E> {
    type Value = RawEnvelope<E>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("an awork event (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEnvelope<E>, A::Error> {
        /// A property read once at most.
        fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
            map: &mut A,
            slot: &mut Option<T>,
            name: &'static str,
        ) -> Result<(), A::Error> {
            if slot.is_some() {
                return Err(de::Error::duplicate_field(name));
            }
            *slot = Some(map.next_value()?);
            Ok(())
        }
        let mut timestamp = None;
        let mut event_type = None;
        let mut entity = None;
        let mut entity_id = None;
        let mut entity_type = None;
        let mut entity_link: Option<Option<String>> = None;
        let mut trace_id: Option<Option<String>> = None;
        let mut triggered_by: Option<Option<TriggeredBy>> = None;
        let mut changes: Option<Option<Vec<Change>>> = None;
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "timestamp" => once(&mut map, &mut timestamp, "timestamp")?,
                "eventType" => once(&mut map, &mut event_type, "eventType")?,
                "entity" => {
                    if entity.is_some() {
                        return Err(de::Error::duplicate_field("entity"));
                    }
                    let known = event_type
                        .as_ref()
                        .and_then(EventName::event_type)
                        .map(EventType::entity_type);
                    entity = Some(E::read(&mut map, known)?);
                }
                "entityId" => once(&mut map, &mut entity_id, "entityId")?,
                "entityType" => once(&mut map, &mut entity_type, "entityType")?,
                "entityLink" => once(&mut map, &mut entity_link, "entityLink")?,
                "traceId" => once(&mut map, &mut trace_id, "traceId")?,
                "triggeredBy" => once(&mut map, &mut triggered_by, "triggeredBy")?,
                "changes" => once(&mut map, &mut changes, "changes")?,
                _ => {
                    // A repeated key is refused here as the known ones are: parsers disagree on
                    // which value wins.
                    if extra.contains_key(key.as_ref()) {
                        return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                    let crate::entities::UniqueValue(value) = map.next_value()?;
                    extra.insert(key.into_owned(), value);
                }
            }
        }
        // The required properties, in the order a derived reader names the first one missing.
        let missing = de::Error::missing_field;
        Ok(RawEnvelope {
            timestamp: timestamp.ok_or_else(|| missing("timestamp"))?,
            event_type: event_type.ok_or_else(|| missing("eventType"))?,
            entity: entity.ok_or_else(|| missing("entity"))?,
            entity_id: entity_id.ok_or_else(|| missing("entityId"))?,
            entity_type: entity_type.ok_or_else(|| missing("entityType"))?,
            entity_link: entity_link.flatten(),
            trace_id: trace_id.flatten(),
            triggered_by: triggered_by.flatten(),
            changes: changes.flatten(),
            extra,
        })
    }
}
