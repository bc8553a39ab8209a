//! proptest strategies for property-testing parsers of awork webhooks.
//!
//! Each strategy starts from an event of the seeded story (so the event is realistic and coherent)
//! and then makes it awkward in the ways awork is allowed to be: optional properties left out,
//! unknown properties added to the envelope and the entity, text full of emoji, right-to-left
//! scripts, combining marks, quotes, backslashes and control characters, timestamps with 0 or 7
//! fractional digits, and empty or very long arrays and strings. Every value is still a valid event:
//! it parses, validates, and round-trips byte for byte.
//!
//! ```
//! use awork_generate::strategies;
//! use proptest::prelude::*;
//!
//! /// The user's own parser: here, one that only needs the event name and the entity id.
//! fn my_parser(body: &str) -> Result<(String, String), String> {
//!     let value: serde_json::Value = serde_json::from_str(body).map_err(|error| error.to_string())?;
//!     let name = value["eventType"].as_str().ok_or("no eventType")?;
//!     let id = value["entityId"].as_str().ok_or("no entityId")?;
//!     Ok((name.to_owned(), id.to_owned()))
//! }
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(16))]
//!     # /*
//!     #[test]
//!     # */
//!     fn my_parser_reads_every_event(event in strategies::any_event()) {
//!         let body = serde_json::to_string(&event).unwrap();
//!         let (name, id) = my_parser(&body).unwrap();
//!         prop_assert_eq!(name, event.event_type.as_str());
//!         prop_assert_eq!(id, event.entity_id);
//!     }
//! }
//! # my_parser_reads_every_event();
//! ```
//!
//! The shapes are drawn by proptest, so a failure shrinks towards fewer awkward changes.

use awork_models::entities::Entity;
use awork_models::{AworkDateTime, EntityType, Envelope, EventType, Naming};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::{Generator, GeneratorConfig};

/// Any event of the spec's 30 types, made awkward.
pub fn any_event() -> impl Strategy<Value = Envelope> {
    events(EventType::SPEC.to_vec())
}

/// An event of one type, made awkward.
pub fn event_of_type(event: EventType) -> impl Strategy<Value = Envelope> {
    events(vec![event])
}

/// An entity of one type, made awkward.
pub fn entity_of_type(entity: EntityType) -> impl Strategy<Value = Entity> {
    let types: Vec<EventType> = EventType::API
        .iter()
        .copied()
        .filter(|event| event.entity_type() == entity)
        .collect();
    events(types).prop_map(|event| event.entity)
}

/// Which awkward changes to make.
#[derive(Debug, Clone)]
struct Awkwardness {
    /// Optional properties of the entity to leave out, one bit each, in the entity's order.
    omit: u64,
    /// Unknown properties to add to the envelope.
    envelope_extras: Vec<(String, Value)>,
    /// Unknown properties to add to the entity.
    entity_extras: Vec<(String, Value)>,
    /// Text to put into the entity's texts.
    texts: Vec<String>,
    /// How many fractional digits timestamps get: `None` leaves them, else 0 or 7.
    fraction_digits: Option<usize>,
    /// Replacement tags: `None` leaves them; else this many (0 is the empty array).
    tags: Option<(usize, bool)>,
}

fn events(event_types: Vec<EventType>) -> impl Strategy<Value = Envelope> {
    let naming = prop_oneof![Just(Naming::Spec), Just(Naming::Docs), Just(Naming::Api)];
    (any::<u64>(), 0..8usize, naming, awkwardness()).prop_map(
        move |(seed, skip, naming, awkward)| {
            let config = GeneratorConfig {
                seed,
                naming,
                event_types: event_types.clone(),
            };
            let event = Generator::new(config)
                .nth(skip)
                .expect("the story never ends");
            make_awkward(event, &awkward)
        },
    )
}

fn awkwardness() -> impl Strategy<Value = Awkwardness> {
    (
        any::<u64>(),
        proptest::collection::vec((extra_name(), extra_value()), 0..4),
        proptest::collection::vec((extra_name(), extra_value()), 0..4),
        proptest::collection::vec(awkward_text(), 1..4),
        prop_oneof![Just(None), Just(Some(0)), Just(Some(7))],
        prop_oneof![Just(None), (0..300usize, any::<bool>()).prop_map(Some)],
    )
        .prop_map(
            |(omit, envelope_extras, entity_extras, texts, fraction_digits, tags)| Awkwardness {
                omit,
                envelope_extras,
                entity_extras,
                texts,
                fraction_digits,
                tags,
            },
        )
}

/// A property name no model knows: models' names never start with `x` and a capital.
fn extra_name() -> impl Strategy<Value = String> {
    "x[A-Z][a-zA-Z0-9]{0,12}"
}

/// A value for an unknown property. Floats are left out: JSON does not promise to keep their digits.
fn extra_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        awkward_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::vec(("[a-z]{1,8}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Text a parser has to survive.
fn awkward_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("🚀 Launch 👩‍💻🇩🇪".to_owned()),
        Just("مرحبا بالعالم".to_owned()),
        Just("שלום עולם".to_owned()),
        Just("e\u{301}\u{308}a\u{300}".to_owned()),
        Just("\"quoted\" and 'single'".to_owned()),
        Just("C:\\path\\to\\file \\u0041".to_owned()),
        Just("line\nbreak\ttab\r\u{7}\u{1b}".to_owned()),
        Just("\u{2028}\u{2029}\u{feff}\u{200d}".to_owned()),
        Just("</script><b>html</b> &amp;".to_owned()),
        Just(String::new()),
        "\\PC{0,20}",
        (1usize..3).prop_map(|kib| "Ä long description. ".repeat(kib * 1024 / 20 * 10)),
    ];
    proptest::collection::vec(piece, 1..4).prop_map(|pieces| pieces.concat())
}

/// Applies the awkward changes, keeping the event valid.
fn make_awkward(event: Envelope, awkward: &Awkwardness) -> Envelope {
    let mut value = serde_json::to_value(&event).expect("events serialize");
    let object = value.as_object_mut().expect("an event is an object");
    if let Some(digits) = awkward.fraction_digits {
        rewrite_timestamp(object, "timestamp", digits);
    }
    let entity = object
        .get_mut("entity")
        .and_then(Value::as_object_mut)
        .expect("an event has an entity object");
    for (index, key) in [
        "name",
        "description",
        "message",
        "note",
        "firstName",
        "lastName",
    ]
    .into_iter()
    .enumerate()
    {
        if entity.get(key).is_some_and(Value::is_string) {
            entity.insert(
                key.into(),
                Value::from(awkward.texts[index % awkward.texts.len()].clone()),
            );
        }
    }
    if let Some(digits) = awkward.fraction_digits {
        for key in ["createdOn", "updatedOn", "closedOn", "dueOn", "startOn"] {
            rewrite_timestamp(entity, key, digits);
        }
    }
    if let (Some((count, bare)), true) = (awkward.tags, entity.contains_key("tags")) {
        let tags = (0..count)
            .map(|index| {
                let name = format!(
                    "tag {index} {}",
                    awkward.texts[index % awkward.texts.len()]
                        .chars()
                        .take(20)
                        .collect::<String>()
                );
                if bare {
                    Value::from(name)
                } else {
                    serde_json::json!({"name": name, "color": "purple"})
                }
            })
            .collect();
        entity.insert("tags".into(), Value::Array(tags));
    }
    for (name, extra) in &awkward.entity_extras {
        entity.insert(name.clone(), extra.clone());
    }
    for (name, extra) in &awkward.envelope_extras {
        object.insert(name.clone(), extra.clone());
    }
    omit_optionals(&mut value, awkward.omit);
    Envelope::from_value(value)
        .unwrap_or_else(|problems| panic!("an awkward event stays valid: {problems:?}"))
}

/// Leaves out the entity's properties whose bit is set, where the event stays valid without them.
fn omit_optionals(event: &mut Value, omit: u64) {
    let keys: Vec<String> = event["entity"]
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    for (bit, key) in keys.iter().enumerate() {
        if key == "id" || omit & (1 << (bit % 64)) == 0 {
            continue;
        }
        let removed = event["entity"]
            .as_object_mut()
            .expect("object")
            .shift_remove(key)
            .expect("present");
        if Envelope::from_value(event.clone()).is_err() {
            event["entity"]
                .as_object_mut()
                .expect("object")
                .insert(key.clone(), removed);
        }
    }
}

/// Rewrites a date-time property with exactly `digits` fractional digits, keeping its offset style.
fn rewrite_timestamp(object: &mut Map<String, Value>, key: &str, digits: usize) {
    let Some(text) = object.get(key).and_then(Value::as_str) else {
        return;
    };
    let parsed: AworkDateTime = text.parse().expect("generated timestamps parse");
    let whole = &text[..19];
    let rest = text[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let fraction = if digits == 0 {
        String::new()
    } else {
        let nanos = parsed.naive().and_utc().timestamp_subsec_nanos();
        format!(".{:07}", nanos / 100)
    };
    object.insert(key.into(), Value::from(format!("{whole}{fraction}{rest}")));
}
