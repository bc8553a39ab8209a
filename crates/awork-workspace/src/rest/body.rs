//! A write's request body read as its form, as awork's ASP.NET Core reads it: a UTF-8 byte order
//! mark is skipped, property names match whatever their case (`{"Name": …}` is `name`), and an id
//! is a GUID in any case (`.NET`'s `Guid` parses `A1B2…` as `a1b2…`, the case awork's ids are
//! written in). A body that is not the form's JSON is a 400 `invalid-model` naming the property
//! it stumbled on.

use axum::body::{Body, Bytes};
use http::StatusCode;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::answer::{self, Answer, read_body};

/// What a write's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A JSON object.
    Object,
    /// A JSON object, or nothing (the form's default).
    ObjectOrEmpty,
    /// A JSON array.
    List,
}

/// A request body as the form `T`, of the `shape` its model has. serde would read a struct from
/// a JSON array too (its fields in order); awork's API answers 400 to an array where the model
/// is an object, and so does this one.
pub(super) async fn form<T: DeserializeOwned + Default>(
    body: Body,
    shape: Shape,
) -> Result<T, Answer> {
    let bytes: Bytes = read_body(body).await?;
    read_form(&bytes, shape).map_err(|problem| {
        answer::error(
            StatusCode::BAD_REQUEST,
            "invalid-model",
            &format!("The request body is not the operation's model: {problem}."),
            &[],
        )
    })
}

/// The form `T` from `bytes`, or what is wrong with them.
fn read_form<T: DeserializeOwned + Default>(bytes: &[u8], shape: Shape) -> Result<T, String> {
    let bytes = without_bom(bytes);
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    match (shape, first) {
        (Shape::ObjectOrEmpty, None) => return Ok(T::default()),
        (Shape::Object | Shape::ObjectOrEmpty, Some(b'[')) => {
            return Err("a JSON array, where the model is an object".to_owned());
        }
        _ => {}
    }
    let mut value: Value = serde_json::from_slice(bytes).map_err(|failure| failure.to_string())?;
    let names = property_names::<T>();
    match &mut value {
        Value::Object(object) => canonical(object, names),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(object) => canonical(object, names),
                    // A list of ids (`setassignees`).
                    Value::String(text) => lowercase_guid(text),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    serde_path_to_error::deserialize(value).map_err(|failure| {
        let path = failure.path().to_string();
        let inner = failure.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })
}

/// `bytes` without a UTF-8 byte order mark at their start, which .NET's reader skips.
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Renames each property of `object` that matches one of `names` but for its case to that name (a
/// later spelling wins over an earlier one, as in .NET's reader), and writes the GUIDs of its id
/// properties in lowercase.
pub(crate) fn canonical(object: &mut Map<String, Value>, names: &[&str]) {
    let mut renamed = Map::with_capacity(object.len());
    for (key, mut value) in std::mem::take(object) {
        let name = names
            .iter()
            .find(|name| name.eq_ignore_ascii_case(&key))
            .map_or(key, |name| (*name).to_owned());
        canonical_value(&name, &mut value);
        renamed.insert(name, value);
    }
    *object = renamed;
}

/// Writes the GUIDs of `value` in lowercase when property `name` holds ids, and makes the objects
/// nested in it canonical (`lists: [{"Id": …}]`): their names are not asked of serde, so a
/// PascalCase name, as .NET clients write them, becomes its camelCase.
fn canonical_value(name: &str, value: &mut Value) {
    match value {
        Value::String(text) if holds_ids(name) => lowercase_guid(text),
        Value::Array(items) => {
            for item in items {
                canonical_value(name, item);
            }
        }
        Value::Object(nested) => {
            let mut renamed = Map::with_capacity(nested.len());
            for (key, mut inner) in std::mem::take(nested) {
                let key = camel_case(key);
                canonical_value(&key, &mut inner);
                renamed.insert(key, inner);
            }
            *nested = renamed;
        }
        _ => {}
    }
}

/// `Name` as `name` (and `ID` as `id`): a PascalCase property name in the camelCase serde reads.
fn camel_case(name: String) -> String {
    if name.chars().all(|c| c.is_ascii_uppercase()) {
        return name.to_ascii_lowercase();
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() => {
            first.to_ascii_lowercase().to_string() + chars.as_str()
        }
        _ => name,
    }
}

/// Whether a form's property holds ids: `id`, `…Id`, `…Ids`, and `moveToCompany` (a `Guid` too).
fn holds_ids(name: &str) -> bool {
    name == "id" || name.ends_with("Id") || name.ends_with("Ids") || name == "moveToCompany"
}

/// `text` in lowercase when it is a GUID (`8-4-4-4-12` hex digits); anything else as it is.
fn lowercase_guid(text: &mut str) {
    if awork_query::is_guid(text) {
        text.make_ascii_lowercase();
    }
}

/// The property names of form `T` (of its items, for a list), as serde reads them; none for a
/// form that is not a struct. Asked of serde itself: deserializing `T` from [`Introspect`] hands
/// it the struct's field names and stops.
fn property_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut found = None;
    let _ = T::deserialize(Introspect { found: &mut found });
    found.unwrap_or_default()
}

/// A deserializer that holds nothing: it notes the field names of the first struct asked of it
/// (looking into a sequence's first item and an option's value) and fails every other request.
struct Introspect<'found> {
    found: &'found mut Option<&'static [&'static str]>,
}

impl<'de> Deserializer<'de> for Introspect<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.found = Some(fields);
        Err(de::Error::custom("noted"))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_seq(FirstItem { found: self.found })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct map enum identifier ignored_any
    }
}

/// The items of a sequence [`Introspect`] looks into: its first, introspected.
struct FirstItem<'found> {
    found: &'found mut Option<&'static [&'static str]>,
}

impl<'de> SeqAccess<'de> for FirstItem<'_> {
    type Error = de::value::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        seed.deserialize(Introspect { found: self.found }).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use awork_generate::writes::{ChangeStatusForm, GeneralTaskPostForm, TasksDeleteForm};

    use super::*;

    const GUID: &str = "3405704A-563D-EC11-981F-501AC527B592";

    #[test]
    fn serde_names_a_forms_properties_and_its_items() {
        let names = property_names::<GeneralTaskPostForm>();
        assert!(
            names.contains(&"entityId") && names.contains(&"baseType"),
            "{names:?}"
        );
        let items = property_names::<Vec<ChangeStatusForm>>();
        assert!(
            items.contains(&"taskId") && items.contains(&"statusId"),
            "{items:?}"
        );
        assert!(property_names::<Vec<String>>().is_empty());
    }

    #[test]
    fn property_names_match_in_any_case_and_ids_in_any_case() {
        let body = format!(
            "\u{feff}{{\"NAME\": \"A task\", \"BaseType\": \"projecttask\", \"EntityId\": \"{GUID}\", \
             \"Description\": \"{GUID}\"}}"
        );
        let form: GeneralTaskPostForm = read_form(body.as_bytes(), Shape::Object).unwrap();
        assert_eq!(form.name.as_deref(), Some("A task"));
        assert_eq!(form.base_type.as_deref(), Some("projecttask"));
        assert_eq!(
            form.entity_id.as_deref(),
            Some(GUID.to_lowercase().as_str())
        );
        // Text that is not an id is kept as written.
        assert_eq!(form.description.as_deref(), Some(GUID));
        let body = format!("[{{\"TaskId\": \"{GUID}\", \"statusid\": \"not-a-guid\"}}]");
        let forms: Vec<ChangeStatusForm> = read_form(body.as_bytes(), Shape::List).unwrap();
        assert_eq!(
            forms[0].task_id.as_deref(),
            Some(GUID.to_lowercase().as_str())
        );
        assert_eq!(forms[0].status_id.as_deref(), Some("not-a-guid"));
        let body =
            format!("{{\"name\": \"x\", \"Lists\": [{{\"ID\": \"{GUID}\", \"Order\": 2}}]}}");
        let form: GeneralTaskPostForm = read_form(body.as_bytes(), Shape::Object).unwrap();
        let lists = serde_json::to_value(&form.lists).unwrap();
        assert_eq!(lists[0]["id"], GUID.to_lowercase(), "{lists}");
        assert_eq!(lists[0]["order"], 2, "{lists}");
        let body = format!("{{\"taskIds\": [\"{GUID}\"]}}");
        let form: TasksDeleteForm = read_form(body.as_bytes(), Shape::Object).unwrap();
        assert_eq!(form.task_ids, Some(vec![GUID.to_lowercase()]));
        let ids: Vec<String> = read_form(format!("[\"{GUID}\"]").as_bytes(), Shape::List).unwrap();
        assert_eq!(ids, [GUID.to_lowercase()]);
    }

    #[test]
    fn a_body_that_is_not_the_form_names_the_property() {
        let problem =
            read_form::<GeneralTaskPostForm>(br#"{"Name": 3}"#, Shape::Object).unwrap_err();
        assert!(
            problem.starts_with("name: invalid type: integer `3`"),
            "{problem}"
        );
        let problem =
            read_form::<GeneralTaskPostForm>(br#"["A task"]"#, Shape::Object).unwrap_err();
        assert!(problem.contains("array"), "{problem}");
        let problem = read_form::<GeneralTaskPostForm>(b"{", Shape::Object).unwrap_err();
        assert!(problem.contains("line 1 column 1"), "{problem}");
    }
}
