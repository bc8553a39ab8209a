//! awork's response models of the simulated operations (`schemas.json`, written by `cargo xtask
//! operations` from `spec/openapi.json`): what an answer may carry. The world keeps entities in
//! the model their webhooks carry, which has a few properties more (a comment's richer nested
//! task and project, the members' `projectId`: `awork/ENTITIES.md`); an answer keeps only what
//! its model declares, at every depth, so every answer validates with `additionalProperties` as
//! awork's document declares them.

use std::sync::LazyLock;

use serde_json::Value;

/// The models, as `{"components": {"schemas": …}}`.
const DOCUMENT: &str = include_str!("schemas.json");

static PARSED: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(DOCUMENT).expect("schemas.json is JSON"));

/// The models, as a document `awork_query::Vocabulary::from_openapi` reads.
pub(super) fn document() -> &'static Value {
    &PARSED
}

/// The schema of model `name`.
fn model(name: &str) -> &'static Value {
    let schema = &document()["components"]["schemas"][name];
    assert!(schema.is_object(), "schemas.json has no model {name}");
    schema
}

/// Removes from `value` every property model `name` does not declare, at every depth.
pub(super) fn keep_declared(value: &mut Value, name: &str) {
    keep(value, model(name));
}

fn keep(value: &mut Value, schema: &Value) {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => model(reference.rsplit('/').next().unwrap_or(reference)),
        None => schema,
    };
    match value {
        Value::Object(object) => {
            let Some(properties) = schema["properties"].as_object() else {
                return;
            };
            object.retain(|key, _| properties.contains_key(key));
            for (key, inner) in object.iter_mut() {
                keep(inner, &properties[key]);
            }
        }
        Value::Array(items) => {
            for item in items {
                keep(item, &schema["items"]);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_models_are_the_documents() {
        let openapi: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../spec/openapi.json"
            ))
            .unwrap(),
        )
        .unwrap();
        for (name, schema) in document()["components"]["schemas"].as_object().unwrap() {
            assert_eq!(
                schema, &openapi["components"]["schemas"][name],
                "{name}: schemas.json is stale, run `cargo xtask operations`"
            );
        }
    }

    #[test]
    fn undeclared_properties_go_at_every_depth() {
        let mut comment = json!({
            "id": "c", "message": "hi", "isExternal": false,
            "task": {"id": "t", "name": "Logo", "baseType": "projecttask"},
        });
        keep_declared(&mut comment, "Comment");
        assert_eq!(
            comment,
            json!({"id": "c", "message": "hi", "task": {"id": "t", "name": "Logo"}})
        );
    }
}
