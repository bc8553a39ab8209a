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

use serde_json::{Map, Value, json};

use crate::{EntityType, EventType, Naming};

/// The entity definitions, from awork's OpenAPI document.
const DEFINITIONS: &str = include_str!("json_schema.json");

/// Every form of date-time awork writes in the envelope: 0 to 7 fractional digits, then `Z` or an
/// offset.
const TIMESTAMP_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$";

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
                "id": { "type": "string" },
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
            "timestamp": { "type": "string", "pattern": TIMESTAMP_PATTERN },
            "eventType": { "type": "string", "minLength": 1 },
            "entity": { "type": "object" },
            "entityId": { "type": "string" },
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
