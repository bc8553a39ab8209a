//! The entities awork puts in an event's `entity`: one type per entity, with the fields
//! `awork/ENTITIES.md` documents, typed as awork writes them.
//!
//! Conventions shared by every model here:
//! - Fields awork may leave out are `Option`s, and absent values are omitted on output (awork sends no
//!   `null`s). An incoming `null` reads as absent.
//! - Durations are integer seconds (`i64`), `resourceVersion` is an `i64` of .NET ticks, orders are
//!   [`Double`]s, dates are [`AworkDateTime`](crate::AworkDateTime)s that keep their exact text.
//! - Properties a model does not know are kept in its `extra` map and written back after the known
//!   ones, so nothing a receiver got is lost on a round trip.
//!
//! Which entity an envelope carries is decided by [`crate::Envelope`], not here.

mod comment;
mod common;
mod people;
mod project;
mod task;
mod time_tracking;

pub use comment::{Comment, CommentedEntity, Reaction};
pub use common::{ContactInfo, CustomField, Double, NestedUser, Tag, TagObject, Team, TypeOfWork};
pub use people::{Absence, Company, User, UserStatus};
pub use project::{NestedCompany, Project, ProjectMember, ProjectStatus, ProjectType};
pub use task::{Assignee, NestedProject, ParentTask, Task, TaskAssignment, TaskList, TaskStatus};
pub use time_tracking::{Break, NestedTask, TimeTracking};

use std::marker::PhantomData;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::EntityType;

/// Declares a model struct: serde in camelCase, `None`s skipped on output, and an `extra` map that
/// keeps unknown properties.
macro_rules! model {
    ($(#[$meta:meta])* pub struct $name:ident { $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty, )* }) => {
        $(#[$meta])*
        #[serde_with::skip_serializing_none]
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
            /// Properties this model does not know, kept so that nothing received is lost.
            #[serde(flatten, deserialize_with = "crate::entities::unique_keys")]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    };
}
pub(crate) use model;

/// Reads a model's unknown properties (`extra`), refusing a key given twice, there or in any
/// object within their values, as serde refuses a known property given twice: JSON parsers
/// disagree on which value wins, so receivers would read different events (`validate` names the
/// key; see [`crate::duplicate_keys`]).
pub(crate) fn unique_keys<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    <UniqueObject as serde::Deserialize>::deserialize(deserializer).map(|object| object.0)
}

/// A JSON object whose keys each come once, at any depth (see [`UniqueValue`]): the entity of
/// an event type this crate does not know.
pub(crate) struct UniqueObject(pub(crate) Map<String, Value>);

impl<'de> serde::Deserialize<'de> for UniqueObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_map(UniqueKeys)? {
            Value::Object(map) => Ok(UniqueObject(map)),
            _ => unreachable!("UniqueKeys makes an object of a map"),
        }
    }
}

/// A JSON value whose objects have each key once: read as `serde_json::Value` is, but a repeated
/// key is an error rather than the last one winning.
pub(crate) struct UniqueValue(pub(crate) Value);

impl<'de> serde::Deserialize<'de> for UniqueValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeys).map(UniqueValue)
    }
}

/// The visitor of [`UniqueValue`] (and of [`unique_keys`]' map).
struct UniqueKeys;

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut values = Vec::new();
        while let Some(UniqueValue(value)) = items.next_element()? {
            values.push(value);
        }
        Ok(Value::Array(values))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate field `{key}`"
                )));
            }
            let UniqueValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// The entity of an event, typed by the event's entity type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Entity {
    /// `absence_*` events.
    Absence(Box<Absence>),
    /// `client_*` events.
    Company(Box<Company>),
    /// `*_comment_added` events.
    Comment(Box<Comment>),
    /// `project_*` events.
    Project(Box<Project>),
    /// `project_member_*` events.
    ProjectMember(Box<ProjectMember>),
    /// `project_task_*`, `task_changed` and `task_status_changed` events.
    Task(Box<Task>),
    /// `task_assignment_*` events.
    TaskAssignment(Box<TaskAssignment>),
    /// `task_list_*` events.
    TaskList(Box<TaskList>),
    /// `time_tracking_*` events.
    TimeTracking(Box<TimeTracking>),
    /// `user_*` events.
    User(Box<User>),
    /// The entity of an event type this crate does not know, kept as it came.
    Other(Map<String, Value>),
}

impl Entity {
    /// Reads an entity of the given type from JSON; `None` keeps it as [`Entity::Other`]. Errors carry
    /// the path of the offending property within the entity.
    pub fn from_value(
        entity_type: Option<EntityType>,
        value: Value,
    ) -> Result<Entity, serde_path_to_error::Error<serde_json::Error>> {
        Entity::read(entity_type, Tracked::new(value))
    }

    /// [`Entity::from_value`] from the entity's JSON text, without building a
    /// [`serde_json::Value`] of it first, and without tracking the path of each property: only
    /// text that fails is read again, to say where.
    pub fn from_json(
        entity_type: Option<EntityType>,
        text: &str,
    ) -> Result<Entity, serde_path_to_error::Error<serde_json::Error>> {
        Entity::read(entity_type, Untracked(text)).or_else(|_| {
            Entity::read(
                entity_type,
                Tracked::new(&mut serde_json::Deserializer::from_str(text)),
            )
        })
    }

    fn read<R: ModelReader>(
        entity_type: Option<EntityType>,
        reader: R,
    ) -> Result<Entity, R::Error> {
        Ok(match entity_type {
            Some(EntityType::Absence) => Entity::Absence(reader.read()?),
            Some(EntityType::Company) => Entity::Company(reader.read()?),
            Some(EntityType::Comment) => Entity::Comment(reader.read()?),
            Some(EntityType::Project) => Entity::Project(reader.read()?),
            Some(EntityType::ProjectMember) => Entity::ProjectMember(reader.read()?),
            Some(EntityType::Task) => Entity::Task(reader.read()?),
            Some(EntityType::TaskAssignment) => Entity::TaskAssignment(reader.read()?),
            Some(EntityType::TaskList) => Entity::TaskList(reader.read()?),
            Some(EntityType::TimeTracking) => Entity::TimeTracking(reader.read()?),
            Some(EntityType::User) => Entity::User(reader.read()?),
            None => Entity::Other(reader.read::<UniqueObject>()?.0),
        })
    }

    /// The entity's `id`, when it has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Entity::Absence(entity) => Some(&entity.id),
            Entity::Company(entity) => Some(&entity.id),
            Entity::Comment(entity) => Some(&entity.id),
            Entity::Project(entity) => Some(&entity.id),
            Entity::ProjectMember(entity) => Some(&entity.id),
            Entity::Task(entity) => Some(&entity.id),
            Entity::TaskAssignment(entity) => Some(&entity.id),
            Entity::TaskList(entity) => Some(&entity.id),
            Entity::TimeTracking(entity) => Some(&entity.id),
            Entity::User(entity) => Some(&entity.id),
            Entity::Other(map) => map.get("id").and_then(Value::as_str),
        }
    }

    /// The entity type this value was read as, or `None` for [`Entity::Other`].
    pub fn entity_type(&self) -> Option<EntityType> {
        Some(match self {
            Entity::Absence(_) => EntityType::Absence,
            Entity::Company(_) => EntityType::Company,
            Entity::Comment(_) => EntityType::Comment,
            Entity::Project(_) => EntityType::Project,
            Entity::ProjectMember(_) => EntityType::ProjectMember,
            Entity::Task(_) => EntityType::Task,
            Entity::TaskAssignment(_) => EntityType::TaskAssignment,
            Entity::TaskList(_) => EntityType::TaskList,
            Entity::TimeTracking(_) => EntityType::TimeTracking,
            Entity::User(_) => EntityType::User,
            Entity::Other(_) => return None,
        })
    }
}

/// Reads an entity of a known type straight from a deserializer, without tracking paths: the
/// entity of [`crate::Envelope::from_json`] when its event type came first.
pub(crate) struct EntitySeed(pub(crate) EntityType);

impl<'de> serde::de::DeserializeSeed<'de> for EntitySeed {
    type Value = Entity;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Entity, D::Error> {
        Entity::read(Some(self.0), Plain(deserializer, PhantomData))
    }
}

/// Reads one model of an entity, whichever the entity type names.
trait ModelReader {
    type Error;
    fn read<T: serde::de::DeserializeOwned>(self) -> Result<Box<T>, Self::Error>;
}

/// Reads with the path of each property tracked, for the error.
struct Tracked<'de, D>(D, PhantomData<&'de ()>);

impl<'de, D: serde::Deserializer<'de>> Tracked<'de, D> {
    fn new(deserializer: D) -> Self {
        Tracked(deserializer, PhantomData)
    }
}

impl<'de, D: serde::Deserializer<'de>> ModelReader for Tracked<'de, D> {
    type Error = serde_path_to_error::Error<D::Error>;
    fn read<T: serde::de::DeserializeOwned>(self) -> Result<Box<T>, Self::Error> {
        serde_path_to_error::deserialize(self.0).map(Box::new)
    }
}

/// Reads from a deserializer, without tracking paths.
struct Plain<'de, D>(D, PhantomData<&'de ()>);

impl<'de, D: serde::Deserializer<'de>> ModelReader for Plain<'de, D> {
    type Error = D::Error;
    fn read<T: serde::de::DeserializeOwned>(self) -> Result<Box<T>, Self::Error> {
        T::deserialize(self.0).map(Box::new)
    }
}

/// Reads JSON text, without tracking paths.
struct Untracked<'a>(&'a str);

impl ModelReader for Untracked<'_> {
    type Error = serde_json::Error;
    fn read<T: serde::de::DeserializeOwned>(self) -> Result<Box<T>, Self::Error> {
        serde_json::from_str(self.0).map(Box::new)
    }
}
