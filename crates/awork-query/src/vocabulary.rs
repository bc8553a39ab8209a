//! Which properties a listed entity has, so that a filter on a misspelled property is refused even
//! when the list is empty, and so that names written in any case resolve to the JSON spelling.
//!
//! A vocabulary is built from awork's OpenAPI document (a component schema, following `$ref` into
//! `components/schemas` and `items` of arrays), from example objects, or left open to accept every
//! name. It knows shapes (value, object, collection) and, for a plain value, whether it is text,
//! an id, a date, a number or a boolean (from the document's `type` and `format`, or from how an
//! example's string reads), so that a filter comparing a property with a literal of another kind
//! (`firstName eq 3`, `createdOn gt 'yesterday'`, `taskStatus eq 'done'`) is refused rather than
//! matching nothing.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

/// The properties of a listed entity, down through nested objects and collections.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Every object shape; `Kind::Object` holds an index into it, so recursive schemas
    /// (a task's `parentTask` is a task) are a cycle of indices rather than an endless tree.
    shapes: Vec<Shape>,
    root: Kind,
}

/// An object's properties by lower-case name.
type Shape = BTreeMap<String, Property>;

#[derive(Debug, Clone)]
struct Property {
    /// The JSON spelling, e.g. `taskStatusId`.
    name: String,
    kind: Kind,
}

/// What a property holds, as far as paths are concerned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A string, number or boolean.
    Value(Scalar),
    /// An object with known properties: an index into `Vocabulary::shapes`.
    Object(usize),
    /// An array of elements of this kind.
    Collection(Box<Kind>),
    /// Unknown: every path below it is accepted.
    Open,
}

/// What a plain value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// A string.
    Text,
    /// A string holding an id (`format: uuid`).
    Id,
    /// A string holding a date or a date-time (`format: date-time` or `date`).
    Instant,
    /// An integer or a number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl Scalar {
    /// The scalar of a JSON Schema `type` and `format`.
    fn of_type(name: &str, format: Option<&str>) -> Option<Scalar> {
        match (name, format) {
            ("string", Some("uuid")) => Some(Scalar::Id),
            ("string", Some("date-time" | "date")) => Some(Scalar::Instant),
            ("string", _) => Some(Scalar::Text),
            ("integer" | "number", _) => Some(Scalar::Number),
            ("boolean", _) => Some(Scalar::Boolean),
            _ => None,
        }
    }

    /// The scalar of an example string: an id or a date when it reads as one.
    fn of_example(text: &str) -> Scalar {
        if crate::json::is_guid(text) {
            Scalar::Id
        } else if crate::json::parse_instant(text).is_some() {
            Scalar::Instant
        } else {
            Scalar::Text
        }
    }

    /// As a filter's message names it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Scalar::Text => "text",
            Scalar::Id => "an id",
            Scalar::Instant => "a date",
            Scalar::Number => "a number",
            Scalar::Boolean => "a boolean",
        }
    }
}

/// One step of a path, resolved.
pub(crate) enum Step<'v> {
    /// The property exists: its JSON spelling and what it holds.
    Found { name: &'v str, kind: Kind },
    /// The parent is open: the name is taken as written.
    Unchecked,
    /// The parent is an object without this property.
    Unknown,
    /// The parent holds a plain value.
    BelowValue,
    /// The parent is a collection.
    BelowCollection,
}

/// Why a vocabulary cannot be read from an OpenAPI document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    /// `components.schemas` has no schema of this name.
    #[error("the OpenAPI document has no schema '{0}' in components/schemas")]
    UnknownSchema(String),
    /// A `$ref` points somewhere other than `#/components/schemas/…`.
    #[error("unsupported $ref '{0}': only #/components/schemas/… is followed")]
    UnsupportedReference(String),
    /// The named schema describes no object.
    #[error("schema '{0}' is not an object")]
    NotAnObject(String),
}

impl Vocabulary {
    /// A vocabulary that accepts every property name (the check is skipped); names are then
    /// resolved case-insensitively against each JSON object as it is evaluated.
    pub fn open() -> Self {
        Vocabulary {
            shapes: Vec::new(),
            root: Kind::Open,
        }
    }

    /// The properties of `components.schemas.<schema>` in an OpenAPI 3 document, e.g.
    /// `TaskModel` in awork's `spec/openapi.json`. A schema that is neither a reference, an
    /// array, an object with properties nor a plain type (`allOf`, a free-form object) is open.
    pub fn from_openapi(document: &Value, schema: &str) -> Result<Self, VocabularyError> {
        let mut reader = OpenApiReader {
            schemas: document
                .pointer("/components/schemas")
                .and_then(Value::as_object),
            shapes: Vec::new(),
            named: HashMap::new(),
        };
        let root = reader.named_kind(schema)?;
        if !matches!(root, Kind::Object(_) | Kind::Open) {
            return Err(VocabularyError::NotAnObject(schema.to_owned()));
        }
        Ok(Vocabulary {
            shapes: reader.shapes,
            root,
        })
    }

    /// The union of the properties of example objects, e.g. one entity of each form the list can
    /// hold. A property that is `null` in every example, or holds different shapes in different
    /// examples, is open.
    pub fn from_examples<'a>(examples: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut vocabulary = Vocabulary {
            shapes: Vec::new(),
            root: Kind::Open,
        };
        let mut root: Option<Kind> = None;
        for example in examples {
            let kind = vocabulary.example_kind(example);
            root = Some(match root {
                None => kind,
                Some(known) => vocabulary.merge(known, kind),
            });
        }
        vocabulary.root = root.unwrap_or(Kind::Open);
        vocabulary
    }

    fn example_kind(&mut self, example: &Value) -> Kind {
        match example {
            Value::Null => Kind::Open,
            Value::Bool(_) => Kind::Value(Scalar::Boolean),
            Value::Number(_) => Kind::Value(Scalar::Number),
            Value::String(text) => Kind::Value(Scalar::of_example(text)),
            Value::Array(elements) => {
                let mut element_kind: Option<Kind> = None;
                for element in elements {
                    let kind = self.example_kind(element);
                    element_kind = Some(match element_kind {
                        None => kind,
                        Some(known) => self.merge(known, kind),
                    });
                }
                Kind::Collection(Box::new(element_kind.unwrap_or(Kind::Open)))
            }
            Value::Object(object) => {
                let mut shape = Shape::new();
                for (name, value) in object {
                    let kind = self.example_kind(value);
                    shape.insert(
                        name.to_lowercase(),
                        Property {
                            name: name.clone(),
                            kind,
                        },
                    );
                }
                self.shapes.push(shape);
                Kind::Object(self.shapes.len() - 1)
            }
        }
    }

    /// The kind that covers both: objects keep the properties of both, differing kinds are open.
    fn merge(&mut self, left: Kind, right: Kind) -> Kind {
        match (left, right) {
            (Kind::Object(into), Kind::Object(from)) => {
                let incoming = std::mem::take(&mut self.shapes[from]);
                for (key, property) in incoming {
                    let merged = match self.shapes[into].remove(&key) {
                        Some(known) => Property {
                            name: known.name,
                            kind: self.merge(known.kind, property.kind),
                        },
                        None => property,
                    };
                    self.shapes[into].insert(key, merged);
                }
                Kind::Object(into)
            }
            (Kind::Collection(left), Kind::Collection(right)) => {
                Kind::Collection(Box::new(self.merge(*left, *right)))
            }
            (left, right) if left == right => left,
            _ => Kind::Open,
        }
    }

    /// The kind of the listed entity itself.
    pub(crate) fn root(&self) -> Kind {
        self.root.clone()
    }

    /// Resolves `segment` (any case) below a property of kind `parent`.
    pub(crate) fn step(&self, parent: &Kind, segment: &str) -> Step<'_> {
        match parent {
            Kind::Open => Step::Unchecked,
            Kind::Value(_) => Step::BelowValue,
            Kind::Collection(_) => Step::BelowCollection,
            Kind::Object(shape) => match self.shapes[*shape].get(&segment.to_lowercase()) {
                Some(property) => Step::Found {
                    name: &property.name,
                    kind: property.kind.clone(),
                },
                None => Step::Unknown,
            },
        }
    }
}

/// Reads schemas of an OpenAPI document into shapes, each named schema once.
struct OpenApiReader<'d> {
    schemas: Option<&'d Map<String, Value>>,
    shapes: Vec<Shape>,
    /// The kind of every named schema read so far (or being read: recursion ends here).
    named: HashMap<String, Kind>,
}

impl OpenApiReader<'_> {
    fn named_kind(&mut self, name: &str) -> Result<Kind, VocabularyError> {
        if let Some(kind) = self.named.get(name) {
            return Ok(kind.clone());
        }
        let schema = self
            .schemas
            .and_then(|schemas| schemas.get(name))
            .ok_or_else(|| VocabularyError::UnknownSchema(name.to_owned()))?;
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            let kind = self.kind(schema)?;
            self.named.insert(name.to_owned(), kind.clone());
            return Ok(kind);
        };
        // Registered before its properties are read, so that a property referring back to this
        // schema finds it.
        self.shapes.push(Shape::new());
        let index = self.shapes.len() - 1;
        self.named.insert(name.to_owned(), Kind::Object(index));
        self.shapes[index] = self.shape(properties)?;
        Ok(Kind::Object(index))
    }

    fn shape(&mut self, properties: &Map<String, Value>) -> Result<Shape, VocabularyError> {
        let mut shape = Shape::new();
        for (name, schema) in properties {
            let kind = self.kind(schema)?;
            shape.insert(
                name.to_lowercase(),
                Property {
                    name: name.clone(),
                    kind,
                },
            );
        }
        Ok(shape)
    }

    fn kind(&mut self, schema: &Value) -> Result<Kind, VocabularyError> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| VocabularyError::UnsupportedReference(reference.to_owned()))?;
            return self.named_kind(name);
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            let shape = self.shape(properties)?;
            self.shapes.push(shape);
            return Ok(Kind::Object(self.shapes.len() - 1));
        }
        Ok(match schema.get("type").and_then(Value::as_str) {
            Some("array") => Kind::Collection(Box::new(match schema.get("items") {
                Some(items) => self.kind(items)?,
                None => Kind::Open,
            })),
            Some(name) => {
                let format = schema.get("format").and_then(Value::as_str);
                Scalar::of_type(name, format).map_or(Kind::Open, Kind::Value)
            }
            None => Kind::Open,
        })
    }
}
