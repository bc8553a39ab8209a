//! `cargo xtask schema`: writes the entity definitions of the JSON Schema that `awork-sim schema`
//! prints (`crates/awork-models/src/json_schema.json`), from awork's OpenAPI document and the
//! models.
//!
//! Each entity type's schema is awork's OpenAPI model for it (the same the OpenAPI checks use),
//! with every model it refers to, turned into JSON Schema 2020-12: `nullable` becomes a `null`
//! type, and `additionalProperties` is left open everywhere, since receivers must tolerate the
//! properties awork adds. Strings whose form awork fixes get the exact patterns of
//! `awork_models::schema_patterns`: a `format: date-time` keeps its format and gets the pattern of
//! a date-time with `Z` or an offset, except the `*DateLocal` properties of time entries, which
//! awork writes without offset (`awork/ENTITIES.md` §4.8), and so get the local pattern and no
//! format (`date-time` requires an offset); the time-of-day strings of time entries (`*TimeUtc`,
//! `*TimeLocal`, bare strings in the document) get the time-of-day pattern; a `format: uuid` gets the
//! lowercase GUID pattern. A tag may be a bare name as well as the model's object, as awork's
//! documented example writes it (`awork/ENTITIES.md` §2). The properties awork sends beyond its models
//! (`awork_openapi::EVIDENCED_EXTRAS`) are declared with their types ([`EXTRAS`]). What an entity
//! and each model nested in it require is what `awork-models` requires there, and nothing more
//! (awork leaves out what has no value, `awork/ENTITIES.md` §2): found by leaving each property of
//! generated entities out, at the top and in every nested object (a model the story never fills
//! in, an object made from its schema where the entity leaves its place empty), and reading the
//! entity again; a property the models require is not `null` either.
//! So every event the schema accepts reads into the models, as far as JSON Schema can say it (an
//! integer written `9000.0` is an integer to JSON Schema, not to the models); integers are
//! bounded to the models' 64 bits.

use std::collections::{BTreeMap, BTreeSet};

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Entity, EntityType, EventType, Naming, schema_patterns};
use serde_json::{Map, Value, json};

/// awork's OpenAPI document, as committed.
const OPENAPI: &str = include_str!("../../spec/openapi.json");

/// Where the definitions go, from the workspace root.
pub const PATH: &str = "crates/awork-models/src/json_schema.json";

/// The properties awork sends beyond its OpenAPI models, one for each of
/// `awork_openapi::EVIDENCED_EXTRAS` (where their evidence is), with their types: model, property,
/// schema. Ids are GUIDs; an incoming `null` reads as absent, as for every optional property.
const EXTRAS: [(&str, &str, ExtraType); 7] = [
    ("ProjectMember", "projectId", ExtraType::Uuid),
    ("ProjectMember", "timeBudget", ExtraType::Integer),
    ("Project", "key", ExtraType::Text),
    ("TaskModel", "key", ExtraType::Text),
    ("User", "key", ExtraType::Text),
    ("User", "capacityPerWeek", ExtraType::Integer),
    ("NestedUserModelForTasks", "taskId", ExtraType::Uuid),
];

/// The type of an extra property.
#[derive(Clone, Copy)]
enum ExtraType {
    Uuid,
    Integer,
    Text,
}

impl ExtraType {
    fn schema(self) -> Value {
        let description =
            "Not in awork's OpenAPI model, but in awork's payloads (awork-sim's EVIDENCED_EXTRAS).";
        match self {
            Self::Uuid => json!({
                "type": ["string", "null"],
                "format": "uuid",
                "pattern": schema_patterns::UUID,
                "description": description,
            }),
            Self::Integer => json!({ "type": ["integer", "null"], "description": description }),
            Self::Text => json!({ "type": ["string", "null"], "description": description }),
        }
    }
}

/// The form of a string whose form awork fixes, by its format and the property's name.
#[derive(Clone, Copy)]
enum Form {
    /// A date-time with `Z` or an offset.
    DateTime,
    /// A date-time without offset (`startDateLocal`).
    LocalDateTime,
    /// A time of day (`startTimeUtc`).
    TimeOfDay,
    /// A GUID.
    Uuid,
}

impl Form {
    /// The form of the property `name` (if it is one) whose OpenAPI schema is `schema`.
    fn of(name: Option<&str>, schema: &Map<String, Value>) -> Option<Self> {
        let name = name.unwrap_or_default();
        match schema.get("format").and_then(Value::as_str) {
            Some("date-time") if name.ends_with("DateLocal") => Some(Self::LocalDateTime),
            Some("date-time") => Some(Self::DateTime),
            Some("uuid") => Some(Self::Uuid),
            None if schema.get("type") == Some(&json!("string"))
                && (name.ends_with("TimeUtc") || name.ends_with("TimeLocal")) =>
            {
                Some(Self::TimeOfDay)
            }
            _ => None,
        }
    }

    /// Its `format` (none for the forms JSON Schema has no format for) and `pattern`.
    fn keywords(self) -> (Option<&'static str>, &'static str) {
        match self {
            Self::DateTime => (Some("date-time"), schema_patterns::DATE_TIME),
            Self::LocalDateTime => (None, schema_patterns::LOCAL_DATE_TIME),
            Self::TimeOfDay => (None, schema_patterns::TIME_OF_DAY),
            Self::Uuid => (Some("uuid"), schema_patterns::UUID),
        }
    }
}

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
        let converted = converter.convert(None, &schema);
        converter.done.insert(name, converted);
    }
    for (model, property, kind) in EXTRAS {
        let properties = converter
            .done
            .get_mut(model)
            .and_then(|schema| schema["properties"].as_object_mut())
            .unwrap_or_else(|| panic!("the extra {model}.{property} is on a converted model"));
        properties.insert(property.to_owned(), kind.schema());
    }
    let samples = samples();
    let required = required_by_models(&samples);
    let mut defs: Map<String, Value> = converter.done.into_iter().collect();
    for (model, properties) in nested_required_by_models(&samples, &defs) {
        if let Some(schema) = defs.get_mut(&model).and_then(Value::as_object_mut) {
            schema.insert("required".to_owned(), json!(properties));
        }
        not_null(&mut defs, &model, &properties);
    }
    // An entity's required properties are not null either (its model's fields that are no
    // `Option` refuse `null` as they refuse absence).
    for (entity, model) in ENTITY_MODELS {
        let properties = required.get(entity.as_str()).cloned().unwrap_or_default();
        not_null(&mut defs, model, &properties);
    }
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
    /// Converts `schema`, the schema of the property `name` if it is one.
    fn convert(&mut self, name: Option<&str>, schema: &Value) -> Value {
        let Some(schema) = schema.as_object() else {
            return json!({});
        };
        let form = Form::of(name, schema);
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
                    if kind == "integer" {
                        // The models read integers as 64 bits.
                        out.insert("minimum".to_owned(), json!(i64::MIN));
                        out.insert("maximum".to_owned(), json!(i64::MAX));
                    }
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
                "format" => match form {
                    Some(form) => insert_form(&mut out, form),
                    // `int32`, `double`: kept.
                    None => {
                        out.insert(key.clone(), value.clone());
                    }
                },
                "properties" => {
                    let properties = value
                        .as_object()
                        .map(|properties| {
                            properties
                                .iter()
                                .map(|(name, property)| {
                                    (name.clone(), self.convert(Some(name), property))
                                })
                                .collect::<Map<_, _>>()
                        })
                        .unwrap_or_default();
                    out.insert("properties".to_owned(), Value::Object(properties));
                }
                "items" => {
                    let items = self.convert(None, value);
                    out.insert("items".to_owned(), items);
                }
                "additionalProperties" if value.is_object() => {
                    let converted = self.convert(None, value);
                    out.insert("additionalProperties".to_owned(), converted);
                }
                "example" => {
                    out.insert("examples".to_owned(), json!([value]));
                }
                "maxLength" | "minLength" | "description" | "deprecated" | "readOnly" => {
                    out.insert(key.clone(), value.clone());
                }
                // `nullable` is in the type; `required` and `additionalProperties: false` are left
                // out, as the module's documentation says.
                _ => {}
            }
        }
        // A form without `format` in the document (a time of day) goes last.
        if let Some(form) = form.filter(|_| !out.contains_key("pattern")) {
            insert_form(&mut out, form);
        }
        // Tags are the models' objects or bare names: awork's documented example writes
        // `"tags": ["design"]` (`awork/ENTITIES.md` §2, "Accept both shapes"), and the models read
        // both (`awork_models::entities::Tag`).
        if name == Some("tags")
            && let Some(items) = out.remove("items")
        {
            out.insert(
                "items".to_owned(),
                json!({ "anyOf": [items, { "type": "string" }] }),
            );
        }
        Value::Object(out)
    }
}

/// Inserts the `format` (if JSON Schema has one for it) and the `pattern` of `form`.
fn insert_form(out: &mut Map<String, Value>, form: Form) {
    let (format, pattern) = form.keywords();
    if let Some(format) = format {
        out.insert("format".to_owned(), Value::from(format));
    }
    out.insert("pattern".to_owned(), Value::from(pattern));
}

/// How many generated entities of each entity type the requirements are read from: enough for
/// the nested objects that only some entities carry (a task's parent, a time entry's task).
const SAMPLES_PER_TYPE: usize = 40;

/// Generated entities of every entity type ([`SAMPLES_PER_TYPE`] of each), as JSON.
fn samples() -> Vec<(EntityType, Value)> {
    let mut story = Generator::new(GeneratorConfig {
        naming: Naming::Api,
        ..GeneratorConfig::default()
    });
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    let mut samples = Vec::new();
    while count.len() < ENTITY_MODELS.len() || count.values().any(|&taken| taken < SAMPLES_PER_TYPE)
    {
        let event = story.next().expect("the story never ends");
        let Some(kind) = event.event_type.event_type().map(EventType::entity_type) else {
            continue;
        };
        let taken = count.entry(kind.as_str()).or_default();
        if *taken < SAMPLES_PER_TYPE {
            *taken += 1;
            samples.push((
                kind,
                serde_json::to_value(&event.entity).expect("serializes"),
            ));
        }
    }
    samples
}

/// Whether `entity` (of `kind`) no longer reads into its model with the property at `path` (a
/// JSON pointer) left out.
fn needs(kind: EntityType, entity: &Value, path: &str, key: &str) -> bool {
    let mut without = entity.clone();
    if let Some(object) = without.pointer_mut(path).and_then(Value::as_object_mut) {
        object.remove(key);
    }
    Entity::from_value(Some(kind), without).is_err()
}

/// Per entity type, the properties its model in `awork-models` requires: those without which a
/// generated entity no longer reads.
fn required_by_models(samples: &[(EntityType, Value)]) -> BTreeMap<&'static str, Vec<String>> {
    let mut required = BTreeMap::new();
    for (kind, entity) in samples {
        if required.contains_key(kind.as_str()) {
            continue;
        }
        let keys = entity
            .as_object()
            .map(|object| object.keys().cloned().collect::<Vec<_>>());
        let needed = keys
            .unwrap_or_default()
            .into_iter()
            .filter(|key| needs(*kind, entity, "", key))
            .collect();
        required.insert(kind.as_str(), needed);
    }
    required
}

/// Per model nested in an entity (by its name among the definitions `defs`), the properties the
/// models require wherever the samples carry it: those without which the entity no longer reads.
/// A model the samples never carry (a team, a tag object: the generator leaves those lists
/// empty, as awork does since 2023) is tried where the samples leave its place empty, as an
/// object made from its schema ([`made_from_schema`]).
fn nested_required_by_models(
    samples: &[(EntityType, Value)],
    defs: &Map<String, Value>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut required: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Places a model could be but is not: the sample, the pointer of the object holding it, the
    // property, its model, and whether the property is an array of them.
    let mut gaps: Vec<(usize, String, String, String, bool)> = Vec::new();
    for (sample, (kind, entity)) in samples.iter().enumerate() {
        let model = ENTITY_MODELS
            .iter()
            .find(|(entity_type, _)| entity_type == kind)
            .map(|(_, model)| *model)
            .expect("every entity type has a model");
        // The objects nested in the entity, each with its pointer and its model.
        let mut nested: Vec<(String, String)> = Vec::new();
        let mut queue = vec![(String::new(), model.to_owned())];
        while let Some((path, model)) = queue.pop() {
            let Some(object) = entity.pointer(&path).and_then(Value::as_object) else {
                continue;
            };
            let properties = defs
                .get(&model)
                .and_then(|schema| schema.get("properties")?.as_object());
            for (key, property) in properties.into_iter().flatten() {
                let at = format!("{path}/{key}");
                let (inner, is_array) = match model_of(property) {
                    Some(inner) => (inner, false),
                    None => match property.get("items").and_then(model_of) {
                        Some(inner) => (inner, true),
                        None => continue,
                    },
                };
                match object.get(key) {
                    Some(Value::Object(_)) if !is_array => {
                        nested.push((at.clone(), inner.clone()));
                        queue.push((at, inner));
                    }
                    Some(Value::Array(items)) if is_array && !items.is_empty() => {
                        for (index, item) in items.iter().enumerate() {
                            if item.is_object() {
                                let at = format!("{at}/{index}");
                                nested.push((at.clone(), inner.clone()));
                                queue.push((at, inner.clone()));
                            }
                        }
                    }
                    None | Some(Value::Null) | Some(Value::Array(_)) => {
                        gaps.push((sample, path.clone(), key.clone(), inner, is_array));
                    }
                    Some(_) => {}
                }
            }
        }
        for (path, model) in nested {
            let keys = entity.pointer(&path).and_then(Value::as_object);
            let needed = keys
                .into_iter()
                .flat_map(|object| object.keys())
                .filter(|key| needs(*kind, entity, &path, key))
                .cloned();
            required.entry(model).or_default().extend(needed);
        }
    }
    for (sample, path, key, model, is_array) in gaps {
        if required.contains_key(&model) {
            continue;
        }
        let Some(made) = made_from_schema(defs, &model) else {
            continue;
        };
        let (kind, entity) = &samples[sample];
        let mut with = entity.clone();
        let Some(holder) = with.pointer_mut(&path).and_then(Value::as_object_mut) else {
            continue;
        };
        let at = if is_array {
            holder.insert(key.clone(), json!([made]));
            format!("{path}/{key}/0")
        } else {
            holder.insert(key.clone(), made);
            format!("{path}/{key}")
        };
        // Only a place where the made object reads tells what its model requires.
        if Entity::from_value(Some(*kind), with.clone()).is_err() {
            continue;
        }
        let keys = with.pointer(&at).and_then(Value::as_object);
        let needed: BTreeSet<String> = keys
            .into_iter()
            .flat_map(|object| object.keys())
            .filter(|key| needs(*kind, &with, &at, key))
            .cloned()
            .collect();
        required.insert(model, needed);
    }
    required.retain(|_, properties| !properties.is_empty());
    required
}

/// An object of the model `name` made from its schema: each property of a plain type with a
/// value of its form (a GUID, a date-time, a time of day, the first of an enum, text, 1, true,
/// an empty list); nested models are left out.
fn made_from_schema(defs: &Map<String, Value>, name: &str) -> Option<Value> {
    let properties = defs.get(name)?.get("properties")?.as_object()?;
    let mut made = Map::new();
    for (key, property) in properties {
        let kind = match property.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|kind| *kind != "null")
                .unwrap_or("null"),
            _ => continue,
        };
        let pattern = property.get("pattern").and_then(Value::as_str);
        let value = match kind {
            "string" => match (property.get("enum"), pattern) {
                (Some(Value::Array(values)), _) => values.first().cloned().unwrap_or_default(),
                (_, Some(pattern)) if pattern == schema_patterns::UUID => {
                    json!("6f3c1e2a-0b4d-4c8e-9a7f-2d5b8c1e4f60")
                }
                (_, Some(pattern)) if pattern == schema_patterns::DATE_TIME => {
                    json!("2025-03-03T08:00:00Z")
                }
                (_, Some(pattern)) if pattern == schema_patterns::LOCAL_DATE_TIME => {
                    json!("2025-03-03T08:00:00")
                }
                (_, Some(pattern)) if pattern == schema_patterns::TIME_OF_DAY => json!("08:00:00"),
                _ => json!("x"),
            },
            "integer" => json!(1),
            "number" => json!(1.5),
            "boolean" => json!(true),
            "array" => json!([]),
            _ => continue,
        };
        made.insert(key.clone(), value);
    }
    Some(Value::Object(made))
}

/// Makes the properties `names` of the model `model` refuse `null`: a property the models
/// require is a field that is no `Option`, which refuses `null` as it refuses absence (awork's
/// document marks many of them nullable).
fn not_null<'a>(
    defs: &mut Map<String, Value>,
    model: &str,
    names: impl IntoIterator<Item = &'a String>,
) {
    let Some(properties) = defs
        .get_mut(model)
        .and_then(|schema| schema.get_mut("properties"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for name in names {
        let Some(property) = properties.get_mut(name) else {
            continue;
        };
        if let Some(Value::Array(kinds)) = property.get_mut("type") {
            kinds.retain(|kind| kind != "null");
            if kinds.len() == 1 {
                property["type"] = kinds[0].clone();
            }
        }
        if let Some(Value::Array(values)) = property.get_mut("enum") {
            values.retain(|value| !value.is_null());
        }
        if let Some(Value::Array(options)) = property.get("anyOf") {
            let options: Vec<Value> = options
                .iter()
                .filter(|option| **option != json!({"type": "null"}))
                .cloned()
                .collect();
            if let [only] = options.as_slice() {
                *property = only.clone();
            } else {
                property["anyOf"] = Value::Array(options);
            }
        }
    }
}

/// The name of the model a property's schema refers to (`$ref`, or the first `anyOf` that is a
/// `$ref`, as a nullable reference is converted).
fn model_of(schema: &Value) -> Option<String> {
    let reference = schema.get("$ref").or_else(|| {
        schema
            .get("anyOf")?
            .as_array()?
            .iter()
            .find_map(|option| option.get("$ref"))
    })?;
    Some(reference.as_str()?.rsplit('/').next()?.to_owned())
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
