//! `cargo xtask schema`: writes the entity definitions of the JSON Schema that `awork-sim schema`
//! prints (`crates/awork-models/src/json_schema.json`), from awork's OpenAPI document and the
//! models.
//!
//! Each entity type's schema is awork's OpenAPI model for it (the same the OpenAPI checks use),
//! with every model it refers to, turned into JSON Schema 2020-12: `nullable` becomes a `null`
//! type, `format: date-time` becomes the pattern of every date-time form awork writes, and
//! `additionalProperties` is left open everywhere, since receivers must tolerate the properties
//! awork adds. What an entity requires is what `awork-models` requires (found by leaving each
//! property of a generated entity out); nested models require nothing, as awork leaves out their
//! null properties (`awork/ENTITIES.md` §2).

use std::collections::BTreeMap;

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Entity, EntityType, EventType, Naming};
use serde_json::{Map, Value, json};

/// awork's OpenAPI document, as committed.
const OPENAPI: &str = include_str!("../../spec/openapi.json");

/// Where the definitions go, from the workspace root.
pub const PATH: &str = "crates/awork-models/src/json_schema.json";

/// Every form of date-time awork writes: 0 to 7 fractional digits, `Z`, an offset, or none (local
/// times of time trackings).
const DATE_TIME_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})?$";

/// The OpenAPI model of each entity type's entity (as in `awork_openapi::OpenApi`).
const ENTITY_MODELS: [(EntityType, &str); 10] = [
    (EntityType::Absence, "Absence"),
    (EntityType::Company, "Company"),
    (EntityType::Comment, "CommentEventModel"),
    (EntityType::Project, "Project"),
    (EntityType::ProjectMember, "ProjectMember"),
    (EntityType::Task, "TaskModel"),
    (EntityType::TaskAssignment, "NestedUserModelForTasks"),
    (EntityType::TaskList, "TaskList"),
    (EntityType::TimeTracking, "TimeTracking"),
    (EntityType::User, "User"),
];

/// The definitions, as the committed file holds them (pretty JSON, a final newline).
pub fn definitions() -> String {
    let document: Value = serde_json::from_str(OPENAPI).expect("spec/openapi.json is JSON");
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .expect("spec/openapi.json has components.schemas");
    let mut converter = Converter {
        schemas,
        done: BTreeMap::new(),
        queue: ENTITY_MODELS
            .iter()
            .map(|(_, model)| (*model).to_owned())
            .collect(),
    };
    while let Some(name) = converter.queue.pop() {
        if converter.done.contains_key(&name) {
            continue;
        }
        let schema = converter.schemas.get(&name).cloned().unwrap_or_default();
        let converted = converter.convert(&schema);
        converter.done.insert(name, converted);
    }
    let required = required_by_models();
    let mut defs: Map<String, Value> = converter.done.into_iter().collect();
    for (entity, model) in ENTITY_MODELS {
        defs.insert(
            format!("entity-{}", entity.as_str()),
            json!({
                "$ref": format!("#/$defs/{model}"),
                "required": required.get(entity.as_str()).cloned().unwrap_or_default(),
            }),
        );
    }
    let mut text = serde_json::to_string_pretty(&json!({ "$defs": defs })).expect("serializes");
    text.push('\n');
    text
}

/// Turns OpenAPI 3.0 schemas into JSON Schema 2020-12, collecting the models they refer to.
struct Converter<'a> {
    schemas: &'a Map<String, Value>,
    done: BTreeMap<String, Value>,
    queue: Vec<String>,
}

impl Converter<'_> {
    fn convert(&mut self, schema: &Value) -> Value {
        let Some(schema) = schema.as_object() else {
            return json!({});
        };
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or(reference).to_owned();
            let converted = json!({ "$ref": format!("#/$defs/{name}") });
            self.queue.push(name);
            return if nullable {
                json!({ "anyOf": [converted, { "type": "null" }] })
            } else {
                converted
            };
        }
        let mut out = Map::new();
        for (key, value) in schema {
            match key.as_str() {
                "type" => {
                    let kind = value.clone();
                    out.insert(
                        "type".to_owned(),
                        if nullable {
                            json!([kind, "null"])
                        } else {
                            kind
                        },
                    );
                }
                "enum" => {
                    let mut values = value.as_array().cloned().unwrap_or_default();
                    if nullable {
                        values.push(Value::Null);
                    }
                    out.insert("enum".to_owned(), Value::Array(values));
                }
                "format" if value == "date-time" => {
                    out.insert("pattern".to_owned(), Value::from(DATE_TIME_PATTERN));
                }
                "properties" => {
                    let properties = value
                        .as_object()
                        .map(|properties| {
                            properties
                                .iter()
                                .map(|(name, property)| (name.clone(), self.convert(property)))
                                .collect::<Map<_, _>>()
                        })
                        .unwrap_or_default();
                    out.insert("properties".to_owned(), Value::Object(properties));
                }
                "items" => {
                    let items = self.convert(value);
                    out.insert("items".to_owned(), items);
                }
                "additionalProperties" if value.is_object() => {
                    let converted = self.convert(value);
                    out.insert("additionalProperties".to_owned(), converted);
                }
                "example" => {
                    out.insert("examples".to_owned(), json!([value]));
                }
                "format" | "maxLength" | "minLength" | "description" | "deprecated"
                | "readOnly" => {
                    out.insert(key.clone(), value.clone());
                }
                // `nullable` is in the type; `required` and `additionalProperties: false` are left
                // out, as the module's documentation says.
                _ => {}
            }
        }
        Value::Object(out)
    }
}

/// Per entity type, the properties its model in `awork-models` requires: those without which a
/// generated entity no longer reads.
fn required_by_models() -> BTreeMap<&'static str, Vec<String>> {
    let mut required = BTreeMap::new();
    let mut story = Generator::new(GeneratorConfig {
        naming: Naming::Api,
        ..GeneratorConfig::default()
    });
    while required.len() < ENTITY_MODELS.len() {
        let event = story.next().expect("the story never ends");
        let Some(kind) = event.event_type.event_type().map(EventType::entity_type) else {
            continue;
        };
        if required.contains_key(kind.as_str()) {
            continue;
        }
        let entity = serde_json::to_value(&event.entity).expect("an entity serializes");
        let keys: Vec<String> = entity
            .as_object()
            .map(|object| object.keys().cloned().collect())
            .unwrap_or_default();
        let needed: Vec<String> = keys
            .into_iter()
            .filter(|key| {
                let mut without = entity.clone();
                if let Some(object) = without.as_object_mut() {
                    object.remove(key);
                }
                Entity::from_value(Some(kind), without).is_err()
            })
            .collect();
        required.insert(kind.as_str(), needed);
    }
    required
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_definitions_are_up_to_date() {
        let committed = std::fs::read_to_string(crate::root().join(super::PATH))
            .expect("the definitions are committed");
        assert!(
            committed == super::definitions(),
            "{} is out of date: run `cargo xtask schema`",
            super::PATH
        );
    }
}
