//! A JSON Schema (2020-12) of awork's webhook events, for tools in any language that read schemas
//! (validators, `hypothesis-jsonschema`, code generators): the envelope, and for each event type the
//! entity it carries, as [`json_schema`] builds it for one family of event names.
//!
//! Required is what these models require, and nothing more: awork leaves out what has no value.
//! Every object is open (`additionalProperties` is not restricted), since awork adds properties to
//! its models without notice and a receiver must tolerate them. An event type the schema does not
//! know carries any entity object. The entity definitions come from awork's OpenAPI document
//! (`json_schema.json`, written by `cargo xtask schema`); this module adds the envelope and the
//! mapping from event names to entities.
//!
//! Strings whose form awork fixes are held to it by a `pattern` that validators read whether or not
//! they check `format` (see [`patterns`]): date-times are real dates and times of day, as RFC 3339
//! and .NET allow them, ids are lowercase GUIDs. Where the value has an offset, `format: date-time`
//! says so as well, for tools that know formats (code generators, validators that check formats);
//! ids carry `format: uuid`.

use serde_json::{Map, Value, json};

use crate::{EntityType, EventType, Naming};

/// The entity definitions, from awork's OpenAPI document.
const DEFINITIONS: &str = include_str!("json_schema.json");

pub mod patterns {
    //! The patterns of the strings whose form awork fixes, as `cargo xtask schema` and the envelope
    //! use them. Each is an ECMA-262 regular expression (JSON Schema's dialect) that Python's `re`
    //! reads alike, anchored at both ends, and exact on its own, without `format`:
    //!
    //! - dates: years 0001 to 9999 (.NET's `DateTime`, like Python's `datetime`, has no year 0);
    //!   months 01 to 12; days 01 to the month's length, 29 February in leap years only (every
    //!   fourth year, of centuries every fourth);
    //! - times: hours 00 to 23, minutes and seconds 00 to 59 (no leap second: .NET cannot hold one,
    //!   so awork never writes 60), then a fraction of 1 to 7 digits or none (.NET's ticks are
    //!   100 ns);
    //! - offsets: `Z`, or `+hh:mm`/`-hh:mm` with hours 00 to 23 and minutes 00 to 59, as RFC 3339
    //!   and the models' parser read them (awork itself writes only `Z` and `+00:00`);
    //! - ids: lowercase GUIDs, 8-4-4-4-12 hexadecimal digits, as .NET writes a `Guid`.

    /// Years 0001 to 9999.
    macro_rules! year {
        () => {
            "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
        };
    }

    /// The years with a 29 February: divisible by 4, and of centuries those divisible by 400.
    macro_rules! leap_year {
        () => {
            "([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
        };
    }

    /// `YYYY-MM-DD`, a day that exists.
    macro_rules! date {
        () => {
            concat!(
                "(",
                year!(),
                "-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)|",
                leap_year!(),
                "-02-29)"
            )
        };
    }

    /// `hh:mm:ss` and an optional fraction of 1 to 7 digits.
    macro_rules! time {
        () => {
            "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,7})?"
        };
    }

    /// A date-time with `Z` or an offset: the envelope's `timestamp`, entity dates (`createdOn`).
    pub const DATE_TIME: &str = concat!(
        "^",
        date!(),
        "T",
        time!(),
        "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    );

    /// A local date-time, without offset: the `*DateLocal` properties of time entries.
    pub const LOCAL_DATE_TIME: &str = concat!("^", date!(), "T", time!(), "$");

    /// A time of day: the `*TimeUtc` and `*TimeLocal` properties of time entries.
    pub const TIME_OF_DAY: &str = concat!("^", time!(), "$");

    /// A GUID as .NET writes it: lowercase.
    pub const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
}

/// The JSON Schema of an event whose name is spelled as `naming` spells it. Names of other
/// families read as unknown event types, whose entity may be any object.
pub fn json_schema(naming: Naming) -> Value {
    let (mut schema, names, rules) = (base(naming), names_of(naming), rules_of(naming));
    schema["properties"]["eventType"]["examples"] = json!(names);
    schema["allOf"] = Value::Array(rules);
    schema
}

/// The JSON Schema of one event type's events, its name spelled as `naming` spells it (or, for a
/// type the naming has no name for, as the API spells it): simpler than [`json_schema`], for tools
/// that draw events from a schema (`hypothesis-jsonschema`).
pub fn json_schema_of(event: EventType, naming: Naming) -> Value {
    let mut schema = base(naming);
    let entity = event.entity_type();
    schema["$id"] = Value::from(format!(
        "https://github.com/awork-sim/awork-sim/schema/{}.json",
        event.name(naming)
    ));
    schema["properties"]["eventType"] = json!({ "const": event.name(naming) });
    schema["properties"]["entityType"] = json!({ "enum": entity_types(entity) });
    schema["properties"]["entity"] =
        json!({ "$ref": format!("#/$defs/entity-{}", entity.as_str()) });
    schema
}

/// The values `entityType` takes for an entity type.
fn entity_types(entity: EntityType) -> Vec<&'static str> {
    match entity {
        // The docs' `client_*` names may come with `client` (`ENTITIES.md` §3.3).
        EntityType::Company => vec!["company", "client"],
        other => vec![other.as_str()],
    }
}

/// The names of `naming`, in order.
fn names_of(naming: Naming) -> Vec<&'static str> {
    EventType::ALL
        .iter()
        .filter_map(|event| event.name_in(naming))
        .collect()
}

/// One `if`/`then` per entity type: its event names carry its entity.
fn rules_of(naming: Naming) -> Vec<Value> {
    ENTITY_TYPES
        .iter()
        .filter_map(|entity| {
            let of_entity: Vec<&str> = EventType::ALL
                .iter()
                .filter(|event| event.entity_type() == *entity)
                .filter_map(|event| event.name_in(naming))
                .collect();
            if of_entity.is_empty() {
                return None;
            }
            Some(json!({
                "if": {
                    "properties": { "eventType": { "enum": of_entity } },
                    "required": ["eventType"],
                },
                "then": {
                    "properties": {
                        "entityType": { "enum": entity_types(*entity) },
                        "entity": { "$ref": format!("#/$defs/entity-{}", entity.as_str()) },
                    },
                },
            }))
        })
        .collect()
}

/// The envelope, with every definition, and no mapping from names to entities yet.
fn base(naming: Naming) -> Value {
    let mut definitions: Value =
        serde_json::from_str(DEFINITIONS).expect("the committed definitions are JSON");
    let defs = definitions["$defs"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut defs: Map<String, Value> = defs;
    defs.insert(
        "TriggeredBy".to_owned(),
        json!({
            "description": "The user who caused the event.",
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": { "type": "string", "format": "uuid", "pattern": patterns::UUID },
                "firstName": { "type": ["string", "null"] },
                "lastName": { "type": ["string", "null"] },
            },
        }),
    );
    defs.insert(
        "Change".to_owned(),
        json!({
            "description": "One changed property: its PascalCase C# name, and the old and new values (keys not documented by awork: `oldValue`/`newValue` or `old`/`new`).",
            "type": "object",
            "required": ["property"],
            "properties": { "property": { "type": "string" } },
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("https://github.com/awork-sim/awork-sim/schema/webhook-event-{}.json", naming_name(naming)),
        "title": "awork webhook event",
        "description": format!(
            "The body of an awork webhook POST, with event names as the {} family spells them. Generated by awork-sim from awork's OpenAPI document; objects are open, as awork adds properties without notice.",
            naming_name(naming)
        ),
        "type": "object",
        "required": ["timestamp", "eventType", "entity", "entityId", "entityType"],
        "properties": {
            "timestamp": {
                "type": "string",
                "format": "date-time",
                "pattern": patterns::DATE_TIME,
            },
            "eventType": { "type": "string", "minLength": 1 },
            "entity": { "type": "object" },
            "entityId": { "type": "string", "format": "uuid", "pattern": patterns::UUID },
            "entityType": { "type": "string", "minLength": 1 },
            "entityLink": { "type": ["string", "null"] },
            "traceId": { "type": ["string", "null"] },
            "triggeredBy": {
                "anyOf": [{ "$ref": "#/$defs/TriggeredBy" }, { "type": "null" }],
            },
            "changes": {
                "type": ["array", "null"],
                "items": { "$ref": "#/$defs/Change" },
            },
        },
        "$defs": defs,
    })
}

/// The entity types, in the order the schema's rules list them.
const ENTITY_TYPES: [EntityType; 10] = [
    EntityType::Absence,
    EntityType::Company,
    EntityType::Comment,
    EntityType::Project,
    EntityType::ProjectMember,
    EntityType::Task,
    EntityType::TaskAssignment,
    EntityType::TaskList,
    EntityType::TimeTracking,
    EntityType::User,
];

fn naming_name(naming: Naming) -> &'static str {
    match naming {
        Naming::Api => "api",
        Naming::Spec => "spec",
        Naming::Docs => "docs",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of `schema` (and below) whose form awork fixes, as (property name, schema).
    fn strings<'a>(name: &str, schema: &'a Value, found: &mut Vec<(String, &'a Value)>) {
        match schema {
            Value::Object(object) => {
                if object.contains_key("format") || object.contains_key("pattern") {
                    found.push((name.to_owned(), schema));
                }
                for (key, value) in object {
                    let name = if key == "properties" { name } else { key };
                    strings(name, value, found);
                }
            }
            Value::Array(values) => values.iter().for_each(|value| strings(name, value, found)),
            _ => {}
        }
    }

    #[test]
    fn every_date_time_time_of_day_and_id_carries_its_exact_pattern() {
        let schema = json_schema(Naming::Api);
        let mut found = Vec::new();
        strings("", &schema, &mut found);
        let mut counts = [0; 4];
        for (name, string) in found {
            let pattern = string["pattern"].as_str();
            let (kind, expected_format, expected) = match string["format"].as_str() {
                Some("date-time") => (0, Some("date-time"), patterns::DATE_TIME),
                Some("uuid") => (1, Some("uuid"), patterns::UUID),
                None if name.ends_with("DateLocal") => (2, None, patterns::LOCAL_DATE_TIME),
                None if name.ends_with("TimeUtc") || name.ends_with("TimeLocal") => {
                    (3, None, patterns::TIME_OF_DAY)
                }
                _ => {
                    assert!(pattern.is_none(), "{name}: an unexpected pattern");
                    continue;
                }
            };
            counts[kind] += 1;
            assert_eq!(string["format"].as_str(), expected_format, "{name}");
            assert_eq!(pattern, Some(expected), "{name}");
        }
        // 45 date-times with offset and 161 ids (the envelope's among them) when this was written;
        // the two local date-times and four times of day of time entries.
        let [date_times, ids, local, times] = counts;
        assert!(date_times > 40 && ids > 150, "{counts:?}");
        assert_eq!([local, times], [2, 4]);
        for (model, property) in [
            ("NestedUserModelForTasks", "taskId"),
            ("ProjectMember", "projectId"),
        ] {
            let extra = &schema["$defs"][model]["properties"][property];
            assert_eq!(extra["pattern"], patterns::UUID, "{model}.{property}");
        }
        assert_eq!(schema["properties"]["entityId"]["pattern"], patterns::UUID);
        assert_eq!(schema["properties"]["timestamp"]["format"], "date-time");
    }

    #[test]
    fn every_event_name_of_the_naming_maps_to_its_entity() {
        for (naming, count) in [(Naming::Api, 35), (Naming::Spec, 30), (Naming::Docs, 30)] {
            let schema = json_schema(naming);
            let mapped: usize = schema["allOf"]
                .as_array()
                .unwrap()
                .iter()
                .map(|rule| {
                    rule["if"]["properties"]["eventType"]["enum"]
                        .as_array()
                        .unwrap()
                        .len()
                })
                .sum();
            assert_eq!(mapped, count, "{naming:?}");
            let defs = schema["$defs"].as_object().unwrap();
            for rule in schema["allOf"].as_array().unwrap() {
                let reference = rule["then"]["properties"]["entity"]["$ref"]
                    .as_str()
                    .unwrap();
                let name = reference.strip_prefix("#/$defs/").unwrap();
                assert!(defs.contains_key(name), "{name}");
            }
        }
    }
}
