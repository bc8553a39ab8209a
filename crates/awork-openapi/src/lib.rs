//! Checks JSON values against the schemas of awork's OpenAPI document (`spec/openapi.json`, MIT,
//! copied from awork's own repository), so tests can hold fixtures and generated entities to the
//! truth awork publishes.
//!
//! The checker covers the part of OpenAPI 3.0 that awork's schemas use: `$ref`, `type`, `nullable`,
//! `enum`, `format` (`uuid`, `date-time`, `int32`, `int64`), `required`, `properties`, `items`,
//! `maxLength` and `additionalProperties: false`, on every nested model: awork serializes each nested
//! model with its own class, so a nested object carries its own schema's properties and no others. A
//! receiver whose types are generated from the document refuses anything more.
//!
//! Where awork's real payloads are known to carry a property its schema does not declare, the
//! property is allowed, and only then: [`EVIDENCED_EXTRAS`] lists each such exception with the
//! evidence for it (`awork/ENTITIES.md`). Everything else that is not declared is a violation.
//!
//! Not a general JSON-Schema validator, and not used at run time by the tool itself.

use std::fmt;

use serde_json::{Map, Value};

/// awork's OpenAPI document, as committed in this repository.
const DOCUMENT: &str = include_str!("../../../spec/openapi.json");

/// A property awork sends although the schema it is checked against does not declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidencedExtra {
    /// The OpenAPI schema (`ProjectMember`).
    pub schema: &'static str,
    /// The undeclared property (`projectId`).
    pub property: &'static str,
    /// Where the evidence is, and what it shows.
    pub evidence: &'static str,
}

/// The one table of properties allowed beyond their schema's `properties`, each with its evidence.
/// Anything not declared and not listed here breaks `additionalProperties: false`.
pub const EVIDENCED_EXTRAS: &[EvidencedExtra] = &[
    EvidencedExtra {
        schema: "ProjectMember",
        property: "projectId",
        evidence: "ENTITIES.md §4.1d and §4.9: the real 2022 project_status_changed webhook [PHP-FIX] has \
                   `projectId` on its nested members (\"83343fb9-…\"), as does the API fixture member.json; \
                   a project_member event needs it to name the project",
    },
    EvidencedExtra {
        schema: "ProjectMember",
        property: "timeBudget",
        evidence: "ENTITIES.md §4.1d: the real 2022 webhook [PHP-FIX] has `timeBudget: 0` on its members",
    },
    EvidencedExtra {
        schema: "Project",
        property: "key",
        evidence: "ENTITIES.md §2 and §4.1: the legacy project key (`\"key\": \"WR\"`) in the real 2022 \
                   webhook [PHP-FIX], removed on 2023-05-26 [CHG]",
    },
    EvidencedExtra {
        schema: "TaskModel",
        property: "key",
        evidence: "ENTITIES.md §2 and §4.2: the legacy task key (`\"HS-01\"`) [PHP-SDK], removed on \
                   2023-05-26 [CHG]",
    },
    EvidencedExtra {
        schema: "User",
        property: "key",
        evidence: "ENTITIES.md §4.6: the legacy user key (`\"JD\"`) [PHP-SDK], pre-2023",
    },
    EvidencedExtra {
        schema: "User",
        property: "capacityPerWeek",
        evidence: "ENTITIES.md §1 and §4.6: `capacityPerWeek` (seconds) on users in the 2022 webhook \
                   [PHP-FIX], pre-2023",
    },
    EvidencedExtra {
        schema: "NestedUserModelForTasks",
        property: "taskId",
        evidence: "ENTITIES.md §4.10 (b): a task assignment has no model of its own; it is most likely \
                   the assignee record, \"probably with a `taskId`\" (INFERRED: without it the event \
                   cannot name its task)",
    },
];

/// Whether `property` is allowed on `schema` by [`EVIDENCED_EXTRAS`].
pub fn is_evidenced_extra(schema: &str, property: &str) -> bool {
    EVIDENCED_EXTRAS
        .iter()
        .any(|extra| extra.schema == schema && extra.property == property)
}

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
        self.check_at(
            schema,
            Some(schema_name),
            value,
            &mut String::new(),
            &mut violations,
        );
        violations
    }

    /// The schema a `$ref` points to, with its name; any other schema as it is, unnamed.
    fn resolve<'a>(
        &'a self,
        schema: &'a Value,
        name: Option<&'a str>,
    ) -> (&'a Value, Option<&'a str>) {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .rsplit('/')
                    .next()
                    .expect("rsplit yields at least one part");
                let schema = self
                    .schemas
                    .get(name)
                    .unwrap_or_else(|| panic!("dangling $ref {reference}"));
                (schema, Some(name))
            }
            None => (schema, name),
        }
    }

    fn check_at(
        &self,
        schema: &Value,
        name: Option<&str>,
        value: &Value,
        path: &mut String,
        violations: &mut Vec<Violation>,
    ) {
        let (schema, name) = self.resolve(schema, name);
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
                            self.check_at(item_schema, None, item, path, violations);
                            path.truncate(length);
                        }
                    }
                }
            },
            Some("object") | None if schema.get("properties").is_some() => {
                self.check_object(schema, name, value, path, violations)
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
        name: Option<&str>,
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
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (property, property_value) in object {
            match properties.and_then(|properties| properties.get(property)) {
                Some(property_schema) => {
                    let mut property_path = child(path, property);
                    self.check_at(
                        property_schema,
                        None,
                        property_value,
                        &mut property_path,
                        violations,
                    );
                }
                None if closed && !name.is_some_and(|name| is_evidenced_extra(name, property)) => {
                    violations.push(Violation {
                        path: child(path, property),
                        message: format!(
                            "not a property of {} (additionalProperties: false)",
                            name.unwrap_or("its schema")
                        ),
                    });
                }
                None => {}
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
        // Sorted: the order of an object's keys depends on serde_json's `preserve_order`, which
        // another crate of the build may switch on.
        let mut messages: Vec<String> = api
            .check("Project", &project)
            .iter()
            .map(ToString::to_string)
            .collect();
        messages.sort();
        assert_eq!(
            messages,
            [
                "id: \"not-a-uuid\" is not a uuid",
                "isPrivate: expected a boolean, got a string",
                "name: required property missing",
                "startDate: \"tomorrow\" is not a date-time",
                "tags[0].name: expected a string, got a number",
                "timeBudget: expected an integer, got a number",
            ]
        );
    }

    #[test]
    fn accepts_a_valid_entity() {
        let api = OpenApi::load();
        let task_list =
            json!({"id": "3405704a-563d-ec11-981f-501ac527b592", "name": "Sprint 1", "order": 1.5});
        assert_eq!(api.check("TaskList", &task_list), []);
        let task = json!({"name": "Logo", "baseType": "other"});
        assert_eq!(api.check("TaskModel", &task).len(), 1);
    }

    #[test]
    fn refuses_a_planted_extra_property_at_any_depth() {
        let api = OpenApi::load();
        let task_list = json!({"id": "3405704a-563d-ec11-981f-501ac527b592", "legacy": true});
        assert_eq!(
            api.check("TaskList", &task_list)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["legacy: not a property of TaskList (additionalProperties: false)"]
        );
        // A property of the full model in a nested one, as the issue found in time trackings.
        let entry = json!({
            "id": "2a408383-ae39-ed11-ae83-38563d6848fe",
            "typeOfWorkId": "2a408383-ae39-ed11-ae83-38563d6848fe",
            "timezone": "Europe/Berlin",
            "task": {"id": "2a408383-ae39-ed11-ae83-38563d6848fe", "project": {
                "id": "2a408383-ae39-ed11-ae83-38563d6848fe", "color": "red",
                "projectStatus": {"id": "2a408383-ae39-ed11-ae83-38563d6848fe", "typeOrder": 2}}},
        });
        assert_eq!(
            api.check("TimeTracking", &entry)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "task.project.color: not a property of ProjectModelForTimeTrackings (additionalProperties: false)",
                "task.project.projectStatus.typeOrder: not a property of NestedStatusModel (additionalProperties: false)",
            ]
        );
    }

    #[test]
    fn allows_exactly_the_evidenced_extras() {
        let api = OpenApi::load();
        let member = json!({"id": "043a32e9-1a41-48d0-9e05-e5967ea849cc",
            "projectId": "83343fb9-1a41-48d0-9e05-e5967ea849cc", "timeBudget": 0});
        assert_eq!(api.check("ProjectMember", &member), []);
        // The same property on another schema is not excused.
        let list = json!({"id": "043a32e9-1a41-48d0-9e05-e5967ea849cc", "projectId": "83343fb9-1a41-48d0-9e05-e5967ea849cc"});
        assert_eq!(api.check("TaskList", &list).len(), 1);
        for extra in EVIDENCED_EXTRAS {
            let schema = &api.schemas[extra.schema];
            assert_eq!(
                schema["additionalProperties"], false,
                "{} needs no exception",
                extra.schema
            );
            assert!(
                schema["properties"].get(extra.property).is_none(),
                "{}.{} is declared",
                extra.schema,
                extra.property
            );
            assert!(extra.evidence.contains("ENTITIES.md"), "{extra:?}");
        }
    }
}
