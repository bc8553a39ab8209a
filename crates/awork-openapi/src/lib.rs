//! Checks JSON values against the schemas of awork's OpenAPI document (`spec/openapi.json`, MIT,
//! copied from awork's own repository), so tests can hold fixtures and generated entities to the
//! truth awork publishes.
//!
//! The checker covers the part of OpenAPI 3.0 that awork's schemas use: `$ref`, `type`, `nullable`,
//! `enum`, `format` (`uuid`, `date-time`, `int32`, `int64`), `required`, `properties`, `items` and
//! `maxLength`. It deliberately does not enforce `additionalProperties: false`: awork sends
//! properties its schemas do not list (legacy `key`, the back-reference `projectId` of members), and
//! receivers must tolerate them.
//!
//! Not a general JSON-Schema validator, and not used at run time by the tool itself.

use std::fmt;

use serde_json::{Map, Value};

/// awork's OpenAPI document, as committed in this repository.
const DOCUMENT: &str = include_str!("../../../spec/openapi.json");

/// The schemas of awork's OpenAPI document.
pub struct OpenApi {
    schemas: Map<String, Value>,
}

/// One way a value breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a path from the checked value (`members[0].userId`; empty for the value itself).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(value)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

impl OpenApi {
    /// Parses the committed document.
    ///
    /// # Panics
    /// If the committed document is not the OpenAPI JSON it should be.
    pub fn load() -> OpenApi {
        let mut document: Value =
            serde_json::from_str(DOCUMENT).expect("spec/openapi.json is JSON");
        let schemas = document
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
            .map(std::mem::take)
            .expect("spec/openapi.json has components.schemas");
        OpenApi { schemas }
    }

    /// The schema awork's API uses for the entity of an envelope's `entityType`.
    ///
    /// A task assignment has no model of its own; it is checked as the assignee record it most likely
    /// is (`NestedUserModelForTasks`). A comment is checked as `CommentEventModel`, the model no
    /// endpoint returns and which is therefore most likely the webhook's.
    pub fn schema_for_entity_type(entity_type: &str) -> Option<&'static str> {
        Some(match entity_type {
            "absence" => "Absence",
            "company" | "client" => "Company",
            "comment" => "CommentEventModel",
            "project" => "Project",
            "projectmember" => "ProjectMember",
            "task" => "TaskModel",
            "taskassignment" => "NestedUserModelForTasks",
            "tasklist" => "TaskList",
            "timetracking" => "TimeTracking",
            "user" => "User",
            _ => return None,
        })
    }

    /// Checks `value` against the named schema and returns every violation.
    ///
    /// # Panics
    /// If the document has no schema of that name.
    pub fn check(&self, schema_name: &str, value: &Value) -> Vec<Violation> {
        let schema = self
            .schemas
            .get(schema_name)
            .unwrap_or_else(|| panic!("no schema named {schema_name}"));
        let mut violations = Vec::new();
        self.check_at(schema, value, &mut String::new(), &mut violations);
        violations
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .rsplit('/')
                    .next()
                    .expect("rsplit yields at least one part");
                self.schemas
                    .get(name)
                    .unwrap_or_else(|| panic!("dangling $ref {reference}"))
            }
            None => schema,
        }
    }

    fn check_at(
        &self,
        schema: &Value,
        value: &Value,
        path: &mut String,
        violations: &mut Vec<Violation>,
    ) {
        let schema = self.resolve(schema);
        let mut violate = |message: String| {
            violations.push(Violation {
                path: path.clone(),
                message,
            })
        };
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) {
                violate("null where the schema does not allow it".into());
            }
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                violate(format!("{value} is not one of {allowed:?}"));
            }
        }
        let format = schema.get("format").and_then(Value::as_str);
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => match value.as_str() {
                None => violate(format!("expected a string, got {}", kind(value))),
                Some(text) => {
                    if format == Some("uuid") && !is_uuid(text) {
                        violate(format!("{text:?} is not a uuid"));
                    }
                    if format == Some("date-time") && !is_date_time(text) {
                        violate(format!("{text:?} is not a date-time"));
                    }
                    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                        if text.chars().count() as u64 > max {
                            violate(format!("longer than {max} characters"));
                        }
                    }
                }
            },
            Some("integer") => {
                if !(value.is_i64() || value.is_u64()) {
                    violate(format!("expected an integer, got {}", kind(value)));
                } else if format == Some("int32")
                    && value
                        .as_i64()
                        .is_none_or(|number| i32::try_from(number).is_err())
                {
                    violate(format!("{value} does not fit an int32"));
                }
            }
            Some("number") if !value.is_number() => {
                violate(format!("expected a number, got {}", kind(value)))
            }
            Some("boolean") if !value.is_boolean() => {
                violate(format!("expected a boolean, got {}", kind(value)))
            }
            Some("array") => match value.as_array() {
                None => violate(format!("expected an array, got {}", kind(value))),
                Some(items) => {
                    if let Some(item_schema) = schema.get("items") {
                        for (index, item) in items.iter().enumerate() {
                            let length = path.len();
                            path.push_str(&format!("[{index}]"));
                            self.check_at(item_schema, item, path, violations);
                            path.truncate(length);
                        }
                    }
                }
            },
            Some("object") | None if schema.get("properties").is_some() => {
                self.check_object(schema, value, path, violations)
            }
            Some("object") if !value.is_object() => {
                violate(format!("expected an object, got {}", kind(value)))
            }
            _ => {}
        }
    }

    fn check_object(
        &self,
        schema: &Value,
        value: &Value,
        path: &mut String,
        violations: &mut Vec<Violation>,
    ) {
        let Some(object) = value.as_object() else {
            violations.push(Violation {
                path: path.clone(),
                message: format!("expected an object, got {}", kind(value)),
            });
            return;
        };
        let child = |path: &String, name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().expect("required names are strings");
            if !object.contains_key(name) {
                violations.push(Violation {
                    path: child(path, name),
                    message: "required property missing".into(),
                });
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, property_value) in object {
            if let Some(property_schema) = properties.and_then(|properties| properties.get(name)) {
                let mut property_path = child(path, name);
                self.check_at(
                    property_schema,
                    property_value,
                    &mut property_path,
                    violations,
                );
            }
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.bytes().all(|byte| byte.is_ascii_hexdigit())
        })
}

/// `YYYY-MM-DDTHH:MM:SS`, then anything (fraction and offset are checked by the models).
fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    bytes.len() >= shape.len()
        && shape
            .iter()
            .zip(bytes)
            .all(|(expected, actual)| match expected {
                b'd' => actual.is_ascii_digit(),
                other => other == actual,
            })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn catches_each_kind_of_violation() {
        let api = OpenApi::load();
        let project = json!({
            "id": "not-a-uuid",
            "isPrivate": "no",
            "timeBudget": 1.5,
            "startDate": "tomorrow",
            "tags": [{"id": "8293ac0e-0aaa-468c-b3fc-480b2d7200f0", "name": 5}],
        });
        let messages: Vec<String> = api
            .check("Project", &project)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "name: required property missing",
                "id: \"not-a-uuid\" is not a uuid",
                "isPrivate: expected a boolean, got a string",
                "timeBudget: expected an integer, got a number",
                "startDate: \"tomorrow\" is not a date-time",
                "tags[0].name: expected a string, got a number",
            ]
        );
    }

    #[test]
    fn accepts_a_valid_entity_and_unknown_properties() {
        let api = OpenApi::load();
        let task_list = json!({"id": "3405704a-563d-ec11-981f-501ac527b592", "name": "Sprint 1", "order": 1.5, "legacy": true});
        assert_eq!(api.check("TaskList", &task_list), []);
        let task = json!({"name": "Logo", "baseType": "other"});
        assert_eq!(api.check("TaskModel", &task).len(), 1);
    }
}
