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
//! The shapes are drawn by proptest, so a failure shrinks towards fewer awkward changes, and text
//! towards plain ASCII; an event prints (`Debug`) as its compact JSON body, so a failing case is a
//! body to replay (`awork-sim send --url URL FILE`). The shapes are [`crate::awkward`]'s, the same
//! the conformance suite sends and `awork-sim generate --awkward` writes.
//!
//! [`any_event`] covers the 35 event types under the API's names (what awork's webhooks carry);
//! [`any_event_in`] takes another naming, and [`any_event_with`] can add event types awork may add
//! later.

use awork_models::entities::Entity;
use awork_models::{EntityType, Envelope, EventType, Naming};
use fake::rand::SeedableRng;
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::{Generator, GeneratorConfig, Rng, awkward};

/// Any event of the 35 types, under the names awork's API registers and its webhooks carry, made
/// awkward.
pub fn any_event() -> impl Strategy<Value = Envelope> {
    any_event_in(Naming::Api)
}

/// Any event of the types `naming` has names for (the API: 35; the spec and the docs: 30), under
/// those names, made awkward.
pub fn any_event_in(naming: Naming) -> impl Strategy<Value = Envelope> {
    any_event_with(EventOptions {
        naming,
        unknown_event_types: false,
    })
}

/// What [`any_event_with`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventOptions {
    /// The names of the event types.
    pub naming: Naming,
    /// Whether one event in about eight is of a type awork may add later (`project_archived`,
    /// `file_added`, …), which a receiver must accept and may ignore.
    pub unknown_event_types: bool,
}

/// Any event as `options` says, made awkward.
pub fn any_event_with(options: EventOptions) -> impl Strategy<Value = Envelope> {
    let types: Vec<EventType> = EventType::ALL
        .iter()
        .copied()
        .filter(|event| event.name_in(options.naming).is_some())
        .collect();
    let future = if options.unknown_event_types {
        prop_oneof![7 => Just(Future::No), 1 => Just(Future::SameEntity), 1 => Just(Future::File)]
            .boxed()
    } else {
        Just(Future::No).boxed()
    };
    (events(types, Just(options.naming)), future, any::<u64>()).prop_map(|(event, future, seed)| {
        match future {
            Future::No => event,
            Future::SameEntity | Future::File => {
                let mut value = serde_json::to_value(&event).expect("events serialize");
                if future == Future::File {
                    value = awkward::unknown_file_event(&value, &mut Rng::seed_from_u64(seed));
                } else {
                    awkward::as_future_event_type(&mut value);
                }
                Envelope::from_value(value)
                    .unwrap_or_else(|problems| panic!("a future event stays valid: {problems:?}"))
            }
        }
    })
}

/// Whether an event becomes one of a type awork may add later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Future {
    No,
    SameEntity,
    File,
}

/// An event of one type, made awkward, under any naming that has a name for it.
pub fn event_of_type(event: EventType) -> impl Strategy<Value = Envelope> {
    let namings: Vec<Naming> = Naming::ALL
        .into_iter()
        .filter(|naming| event.name_in(*naming).is_some())
        .collect();
    events(vec![event], proptest::sample::select(namings))
}

/// An entity of one type, made awkward.
pub fn entity_of_type(entity: EntityType) -> impl Strategy<Value = Entity> {
    let types: Vec<EventType> = EventType::API
        .iter()
        .copied()
        .filter(|event| event.entity_type() == entity)
        .collect();
    events(types, Just(Naming::Api)).prop_map(|event| event.entity)
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
    /// How many fractional digits timestamps get and with which offset: `None` leaves them.
    fraction_digits: Option<(usize, &'static str)>,
    /// Replacement tags: `None` leaves them; else this many (0 is the empty array).
    tags: Option<(usize, bool)>,
}

fn events(
    event_types: Vec<EventType>,
    naming: impl Strategy<Value = Naming>,
) -> impl Strategy<Value = Envelope> {
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
        prop_oneof![
            Just(None),
            (0..=7usize, prop_oneof![Just("Z"), Just("+00:00")]).prop_map(Some)
        ],
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

/// Text a parser has to survive. Plain ASCII comes first, so a failing case shrinks towards it and
/// keeps only the awkward piece that matters.
fn awkward_text() -> impl Strategy<Value = String> {
    let awkward = proptest::sample::select(
        awkward::TEXTS[1..]
            .iter()
            .map(|(_, text)| (*text).to_owned())
            .collect::<Vec<_>>(),
    );
    // A long text, 10 or 20 KiB. A failing case shrinks from it to its one sentence first: from
    // the long text, shrinking tries the piece before it only once, and when that one happens to
    // pass (a `\PC` draw that is empty or ASCII) the 20 KiB used to stay in the minimal case.
    let long = prop_oneof![
        1 => Just(1usize),
        999 => (1usize..3).prop_map(|kib| kib * 1024 / 20 * 10),
    ]
    .prop_map(|sentences| "Ä long description. ".repeat(sentences));
    let piece = prop_oneof!["[a-zA-Z0-9 ]{0,24}", awkward, "\\PC{0,20}", long];
    proptest::collection::vec(piece, 1..4).prop_map(|pieces| pieces.concat())
}

/// The texts an awkward event rewrites, with awork's limit on each (its OpenAPI document's
/// `maxLength`, in characters, which the JSON Schema carries): awork sends no longer name.
const AWKWARD_TEXTS: [(&str, Option<usize>); 6] = [
    ("name", Some(1000)),
    ("description", Some(25_000)),
    ("message", None),
    ("note", None),
    ("firstName", Some(1000)),
    ("lastName", Some(1000)),
];

/// Applies the awkward changes, keeping the event valid.
fn make_awkward(event: Envelope, awkward: &Awkwardness) -> Envelope {
    let mut value = serde_json::to_value(&event).expect("events serialize");
    let object = value.as_object_mut().expect("an event is an object");
    if let Some((digits, offset)) = awkward.fraction_digits {
        rewrite_timestamp(object, "timestamp", digits, offset);
    }
    let entity = object
        .get_mut("entity")
        .and_then(Value::as_object_mut)
        .expect("an event has an entity object");
    for (index, (key, limit)) in AWKWARD_TEXTS.into_iter().enumerate() {
        if entity.get(key).is_some_and(Value::is_string) {
            let text = &awkward.texts[index % awkward.texts.len()];
            let text = match limit {
                Some(limit) => text.chars().take(limit).collect(),
                None => text.clone(),
            };
            entity.insert(key.into(), Value::from(text));
        }
    }
    if let Some((digits, offset)) = awkward.fraction_digits {
        for key in ["createdOn", "updatedOn", "closedOn", "dueOn", "startOn"] {
            rewrite_timestamp(entity, key, digits, offset);
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

/// Rewrites a UTC date-time property with exactly `digits` fractional digits and `offset`.
fn rewrite_timestamp(object: &mut Map<String, Value>, key: &str, digits: usize, offset: &str) {
    let Some(text) = object.get(key).and_then(Value::as_str) else {
        return;
    };
    if let Some(rewritten) = awkward::with_fraction(text, digits, offset) {
        object.insert(key.into(), Value::from(rewritten));
    }
}
