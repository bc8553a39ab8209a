//! The awkward but legal shapes of awork events, in one place: the conformance suite's probes, the
//! proptest `strategies` (feature `proptest`) and `awork-sim generate --awkward` all bend events
//! with these.
//!
//! Every shape keeps the event valid (it parses and validates with `awork-models`): text with emoji,
//! right-to-left scripts, combining marks, quotes, backslashes and control characters; unknown
//! properties in the envelope and the entity; every form of date-time awork writes (0 to 7
//! fractional digits, `Z` or `+00:00`); the properties awork leaves out when they have no value,
//! left out (per `awork/ENTITIES.md`); event types awork may add later; and bodies whose non-ASCII
//! characters are all `\u` escapes. [`Awkward`] draws a mix of them per event from a seed.

use awork_models::{EntityType, Envelope, EventType};
use fake::rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};

use crate::Rng;

/// Awkward texts, each with what makes it awkward. Plain text comes first: shrinking and simple
/// choices start from it.
pub const TEXTS: [(&str, &str); 10] = [
    ("plain ASCII", "Kick-off workshop"),
    ("emoji", "Launch 🚀 review 🎉 with 👩🏽‍💻 and 🇩🇪 flags"),
    (
        "right-to-left text",
        "مراجعة العقد مع العميل · פגישה עם הלקוח",
    ),
    (
        "combining marks",
        "Cafe\u{301} in Zu\u{308}rich, A\u{30a}lesund and Ng\u{303}",
    ),
    (
        "quotes and backslashes",
        "She said \"ship it\" \\o/ in 'C:\\Users\\awork' \\u0041",
    ),
    ("control characters", "line\nbreak\ttab\r\u{7}\u{1b}"),
    (
        "invisible separators",
        "zero\u{200d}width\u{2028}line\u{2029}par\u{feff}bom",
    ),
    ("markup", "</script><b>html</b> &amp; <!-- comment -->"),
    ("German umlauts", "Größenänderung für Müller & Söhne"),
    ("an empty text", ""),
];

/// The properties whose values are names and texts people type.
pub const TEXT_PROPERTIES: [&str; 7] = [
    "name",
    "description",
    "firstName",
    "lastName",
    "message",
    "note",
    "title",
];

/// Replaces every name and text in `value` (at any depth) with `text`.
pub fn replace_texts(value: &mut Value, text: &str) {
    match value {
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                if TEXT_PROPERTIES.contains(&key.as_str()) && item.is_string() {
                    *item = Value::from(text);
                } else {
                    replace_texts(item, text);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| replace_texts(item, text)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

/// The forms of date-time awork writes: 7, 6, 3 and 0 fractional digits, with `+00:00` and `Z`.
pub const TIMESTAMP_FORMS: [(usize, &str); 7] = [
    (7, "+00:00"),
    (7, "Z"),
    (6, "Z"),
    (3, "Z"),
    (3, "+00:00"),
    (0, "Z"),
    (0, "+00:00"),
];

/// Rewrites every UTC date-time, anywhere in `value`, with exactly `digits` fractional digits and
/// `offset` (`Z` or `+00:00`). Date-times without an offset (local times) stay.
pub fn rewrite_timestamps(value: &mut Value, digits: usize, offset: &str) {
    match value {
        Value::String(text) => {
            if let Some(rewritten) = with_fraction(text, digits, offset) {
                *text = rewritten;
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_timestamps(item, digits, offset)),
        Value::Object(object) => object
            .values_mut()
            .for_each(|item| rewrite_timestamps(item, digits, offset)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `text` rewritten, when it is a UTC date-time (`YYYY-MM-DDTHH:MM:SS[.f…](Z|+00:00)`).
pub fn with_fraction(text: &str, digits: usize, offset: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !shape_ok {
        return None;
    }
    let rest = &text[19..];
    let zone_start = rest.find(['Z', '+'])?;
    let (fraction, zone) = rest.split_at(zone_start);
    if !matches!(zone, "Z" | "+00:00") {
        return None;
    }
    let fraction = fraction.strip_prefix('.').unwrap_or(fraction);
    if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let mut written: String = fraction.chars().take(digits).collect();
    while written.len() < digits {
        written.push('0');
    }
    let dot = if digits == 0 { "" } else { "." };
    Some(format!("{}{dot}{written}{offset}", &text[..19]))
}

/// JSON text with every non-ASCII character written as a `\u` escape (UTF-16, so characters
/// beyond the Basic Multilingual Plane become surrogate pairs). Outside strings JSON is ASCII, so
/// the result means the same.
pub fn escape_non_ascii(json: &str) -> String {
    let mut escaped = String::with_capacity(json.len() * 2);
    for character in json.chars() {
        if character.is_ascii() {
            escaped.push(character);
        } else {
            let mut units = [0u16; 2];
            for unit in character.encode_utf16(&mut units) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    escaped
}

/// Adds properties no model knows, as awork may add them to its models any day: `webhookId` and
/// `deliveryAttempt` to the envelope, `customFieldValues` and `aiSummary` to the entity,
/// `avatarColor` to `triggeredBy`. Returns the sentence that names them.
pub fn add_unknown_properties(event: &mut Value, rng: &mut Rng) -> &'static str {
    let webhook_id = crate::uuid(rng);
    let field_id = crate::uuid(rng);
    let Some(envelope) = event.as_object_mut() else {
        return "";
    };
    envelope.insert("webhookId".to_owned(), Value::from(webhook_id));
    envelope.insert("deliveryAttempt".to_owned(), Value::from(1));
    if let Some(entity) = envelope.get_mut("entity").and_then(Value::as_object_mut) {
        entity.insert(
            "customFieldValues".to_owned(),
            json!([{ "id": field_id, "name": "Cost centre", "value": "K-204" }]),
        );
        entity.insert(
            "aiSummary".to_owned(),
            json!({ "text": "Waiting for the client's feedback.", "generatedOn": "2026-01-12T08:00:00Z" }),
        );
    }
    if let Some(Value::Object(user)) = envelope.get_mut("triggeredBy") {
        user.insert("avatarColor".to_owned(), Value::from("#4bc0c0"));
    }
    "unknown properties: webhookId and deliveryAttempt in the envelope, customFieldValues and aiSummary in the entity, avatarColor in triggeredBy"
}

/// The envelope's properties awork may leave out: `entityLink` ("where available") and `changes`
/// (`awork/ENTITIES.md` §1). `triggeredBy` stays: awork documents it as metadata of every event, and
/// every sample has it.
pub const OMITTED_FROM_ENVELOPE: [&str; 2] = ["entityLink", "changes"];

/// The entity properties awork leaves out when they have no value, per entity type: the ones marked
/// `null` (nullable in awork's OpenAPI) or `opt` (sometimes absent) in the field tables of
/// `awork/ENTITIES.md` §4, since awork omits null-valued properties instead of sending `null` (§2:
/// the docs' project sample has no `description`, `startDate`, `dueDate`, `companyId`, `color`, ...).
/// Left out of the lists are those the tables say are always set in context: a project's
/// `projectStatusId` ("always set in samples") and a project task's `projectId` and `project` ("set
/// for project tasks"). §4.9 and §4.10 mark nothing for project members and task assignments.
pub const OMITTED_WHEN_EMPTY: [(EntityType, &[&str]); 8] = [
    (
        EntityType::Project,
        &[
            "description",
            "startDate",
            "dueDate",
            "companyId",
            "company",
            "projectTypeId",
            "projectType",
            "timeBudget",
            "isBillableByDefault",
            "color",
            "isProjectKeyVisible",
            "projectKey",
            "key",
            "closedOn",
            "closedBy",
            "createdByProjectTemplateId",
            "projectTemplateId",
            "publicProjectTemplateId",
            "workflowId",
            "plannedDuration",
            "totalPlannedDurationWithHierarchy",
            "tasksCount",
            "tasksDoneCount",
            "trackedDuration",
            "customFields",
            "resourceVersion",
            "isExternal",
            "isRetainer",
            "isMultiAssignmentAllowed",
        ],
    ),
    (
        EntityType::Task,
        &[
            "description",
            "startOn",
            "dueOn",
            "userId",
            "entityId",
            "taskNumber",
            "taskIdentifier",
            "parentId",
            "parentTask",
            "numberOfSubtasks",
            "primaryTaskListId",
            "closedOn",
            "closedBy",
            "subtaskOrder",
            "createdFromTaskId",
            "customFields",
            "trackedDuration",
            "totalTrackedDuration",
            "totalPlannedDuration",
            "totalPlannedDurationWithHierarchy",
            "deriveDatesFromSubtasks",
            "createdVia",
        ],
    ),
    (
        EntityType::TaskList,
        &[
            "name",
            "order",
            "plannedDuration",
            "totalPlannedDuration",
            "totalPlannedDurationWithHierarchy",
        ],
    ),
    (
        EntityType::Company,
        &["description", "industry", "companyContactInfos"],
    ),
    (
        EntityType::TimeTracking,
        &[
            "userId",
            "user",
            "taskId",
            "projectId",
            "task",
            "project",
            "note",
            "startDateUtc",
            "startTimeUtc",
            "endDateUtc",
            "endTimeUtc",
            "startDateLocal",
            "startTimeLocal",
            "endDateLocal",
            "endTimeLocal",
            "duration",
            "breakDuration",
            "breaks",
        ],
    ),
    (
        EntityType::User,
        &[
            "firstName",
            "lastName",
            "birthDate",
            "gender",
            "title",
            "position",
            "language",
            "deactivatedOn",
            "deletedOn",
            "userContactInfos",
        ],
    ),
    (
        EntityType::Absence,
        &[
            "userId",
            "description",
            "externalProvider",
            "deletedOn",
            "deletedBy",
        ],
    ),
    (
        EntityType::Comment,
        &[
            "entity",
            "project",
            "task",
            "document",
            "message",
            "formattedMessage",
            "plainFormattedMessage",
            "userId",
            "user",
            "mentions",
            "reactions",
            "previews",
            "isResolved",
            "inReplyToCommentId",
        ],
    ),
];

/// Leaves out of `event` the properties awork leaves out when they have no value
/// ([`OMITTED_FROM_ENVELOPE`], and [`OMITTED_WHEN_EMPTY`] for its entity type) for which `choose`
/// says yes, as long as the event stays valid. Returns the paths left out (`entityLink`,
/// `entity.description`), in that order.
pub fn leave_out_optionals(event: &mut Value, mut choose: impl FnMut(&str) -> bool) -> Vec<String> {
    let valid = |value: &Value| awork_models::validate_value(value.clone()).is_ok();
    let kind = event
        .get("eventType")
        .and_then(Value::as_str)
        .and_then(EventType::lookup)
        .map(|(event, _)| event.entity_type())
        .or_else(|| {
            event
                .get("entityType")
                .and_then(Value::as_str)
                .and_then(EntityType::from_wire)
        });
    let entity_keys: &[&str] = OMITTED_WHEN_EMPTY
        .iter()
        .find(|(entity, _)| Some(*entity) == kind)
        .map_or(&[], |(_, keys)| keys);
    let candidates = (OMITTED_FROM_ENVELOPE.iter().map(|key| (false, *key)))
        .chain(entity_keys.iter().map(|key| (true, *key)));
    // Every chosen property goes at once; only when that leaves the event invalid (a model that
    // requires one of them) is each put back and tried alone.
    let mut removed: Vec<(bool, &str, Value)> = Vec::new();
    for (in_entity, key) in candidates {
        let path = if in_entity {
            format!("entity.{key}")
        } else {
            key.to_owned()
        };
        if let Some(object) = holder(event, in_entity) {
            if object.contains_key(key) && choose(&path) {
                let kept = object.remove(key).unwrap_or_default();
                removed.push((in_entity, key, kept));
            }
        }
    }
    if !valid(event) {
        for (in_entity, key, kept) in &removed {
            if let Some(object) = holder(event, *in_entity) {
                object.insert((*key).to_owned(), kept.clone());
            }
        }
        removed.retain(|(in_entity, key, kept)| {
            let Some(object) = holder(event, *in_entity) else {
                return false;
            };
            object.remove(*key);
            if valid(event) {
                return true;
            }
            if let Some(object) = holder(event, *in_entity) {
                object.insert((*key).to_owned(), kept.clone());
            }
            false
        });
    }
    removed
        .into_iter()
        .map(|(in_entity, key, _)| {
            if in_entity {
                format!("entity.{key}")
            } else {
                key.to_owned()
            }
        })
        .collect()
}

/// The object that holds a property: the entity, or the envelope.
fn holder(event: &mut Value, in_entity: bool) -> Option<&mut Map<String, Value>> {
    if in_entity {
        event.get_mut("entity").and_then(Value::as_object_mut)
    } else {
        event.as_object_mut()
    }
}

/// A name awork may give to an event type it adds later. awork's own README once listed "File
/// added" among its events (`awork/ENTITIES.md` §3.1, variant D), so this one is plausible.
pub const UNKNOWN_EVENT_TYPE: &str = "file_added";

/// Per entity type, an event name awork has never used but may add (none of them is in any
/// naming): a receiver must answer 2xx to it and may ignore it.
pub const FUTURE_EVENT_TYPES: [(EntityType, &str); 10] = [
    (EntityType::Absence, "absence_approved"),
    (EntityType::Company, "company_merged"),
    (EntityType::Comment, "comment_reaction_added"),
    (EntityType::Project, "project_archived"),
    (EntityType::ProjectMember, "projectmember_role_changed"),
    (EntityType::Task, "task_moved"),
    (EntityType::TaskAssignment, "taskassignment_updated"),
    (EntityType::TaskList, "tasklist_archived"),
    (EntityType::TimeTracking, "timetracking_approved"),
    (EntityType::User, "user_role_changed"),
];

/// The event as an event type awork may add later: the same entity under a future name for its
/// entity type ([`FUTURE_EVENT_TYPES`]). Returns the name.
pub fn as_future_event_type(event: &mut Value) -> Option<&'static str> {
    let kind = event
        .get("entityType")
        .and_then(Value::as_str)
        .and_then(EntityType::from_wire)?;
    let name = FUTURE_EVENT_TYPES
        .iter()
        .find(|(entity, _)| *entity == kind)
        .map(|(_, name)| *name)?;
    event["eventType"] = Value::from(name);
    Some(name)
}

/// An event of [`UNKNOWN_EVENT_TYPE`], with an entity type awork does not send either, made from
/// `event`'s time and actor.
pub fn unknown_file_event(event: &Value, rng: &mut Rng) -> Value {
    let mut value = event.clone();
    let id = crate::uuid(rng);
    let created = value["timestamp"].clone();
    let creator = value["triggeredBy"]["id"].clone();
    value["eventType"] = Value::from(UNKNOWN_EVENT_TYPE);
    value["entityType"] = Value::from("file");
    value["entityId"] = Value::from(id.clone());
    value["entity"] = json!({
        "id": id,
        "name": "Kick-off brief.pdf",
        "fileName": "kick-off-brief.pdf",
        "mimeType": "application/pdf",
        "size": 482_133,
        "createdOn": created,
        "createdBy": creator,
    });
    if let Some(envelope) = value.as_object_mut() {
        envelope.remove("changes");
        envelope.remove("entityLink");
    }
    value
}

/// Draws awkward shapes for events from a seed, for `awork-sim generate --awkward`: each event
/// gets each shape with its own chance, so a corpus has every shape, often several in one event.
#[derive(Debug)]
pub struct Awkward {
    rng: Rng,
    /// Whether an event may be renamed to an event type awork may add later (not when only
    /// events of given types were asked for).
    future_types: bool,
}

/// How often each shape is drawn, in percent.
const TEXT_CHANCE: u32 = 35;
const TIMESTAMP_CHANCE: u32 = 40;
const UNKNOWN_PROPERTIES_CHANCE: u32 = 25;
const LEAVE_OUT_CHANCE: u32 = 30;
const FUTURE_TYPE_CHANCE: u32 = 4;
const ESCAPED_CHANCE: u32 = 5;

impl Awkward {
    /// The shapes drawn from `seed`; the same seed and events give the same bytes.
    pub fn new(seed: u64) -> Awkward {
        Awkward {
            // A stream of its own, so that bending does not change the story's events.
            rng: Rng::seed_from_u64(seed ^ 0x6177_6b77_6172_6421),
            future_types: true,
        }
    }

    /// The same, but every event keeps its event type: for a corpus of given event types
    /// (`generate --event`), whose events must all be of them.
    #[must_use = "the shapes are returned, not changed in place"]
    pub fn keeping_event_types(self) -> Awkward {
        Awkward {
            future_types: false,
            ..self
        }
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    /// `event` with a draw of awkward shapes, still a valid awork event (or one of a type awork may
    /// add later), as JSON.
    pub fn bend(&mut self, event: &Envelope) -> Value {
        let mut value = serde_json::to_value(event).expect("an envelope serializes");
        if self.chance(FUTURE_TYPE_CHANCE) && self.future_types {
            if self.chance(20) {
                value = unknown_file_event(&value, &mut self.rng);
            } else {
                as_future_event_type(&mut value);
            }
        }
        if self.chance(TEXT_CHANCE) {
            let (_, text) = TEXTS[self.rng.random_range(1..TEXTS.len())];
            replace_texts(&mut value, text);
        }
        if self.chance(TIMESTAMP_CHANCE) {
            let (digits, offset) = TIMESTAMP_FORMS[self.rng.random_range(0..TIMESTAMP_FORMS.len())];
            // Every count of digits from 0 to 7 occurs, not only the forms awork's samples show.
            let digits = if self.chance(50) {
                self.rng.random_range(0..=7)
            } else {
                digits
            };
            rewrite_timestamps(&mut value, digits, offset);
        }
        if self.chance(UNKNOWN_PROPERTIES_CHANCE) {
            add_unknown_properties(&mut value, &mut self.rng);
        }
        if self.chance(LEAVE_OUT_CHANCE) {
            let rng = &mut self.rng;
            leave_out_optionals(&mut value, |_| rng.random_range(0..100) < 60);
        }
        value
    }

    /// `event` bent as [`Awkward::bend`] does, written as compact JSON; now and then with every
    /// non-ASCII character as a `\u` escape.
    pub fn body(&mut self, event: &Envelope) -> String {
        let value = self.bend(event);
        let text = serde_json::to_string(&value).expect("JSON serializes");
        if self.chance(ESCAPED_CHANCE) {
            escape_non_ascii(&text)
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_rewritten_and_other_text_is_left() {
        let check = |text: &str, digits, offset, expected: Option<&str>| {
            assert_eq!(
                with_fraction(text, digits, offset).as_deref(),
                expected,
                "{text}"
            );
        };
        check(
            "2023-09-03T20:28:39.5966465+00:00",
            3,
            "Z",
            Some("2023-09-03T20:28:39.596Z"),
        );
        check(
            "2023-09-03T20:28:39Z",
            7,
            "+00:00",
            Some("2023-09-03T20:28:39.0000000+00:00"),
        );
        check(
            "2023-09-03T20:28:39.59Z",
            0,
            "Z",
            Some("2023-09-03T20:28:39Z"),
        );
        check("2022-09-21T00:00:00", 3, "Z", None);
        check("Website Design", 3, "Z", None);
    }

    #[test]
    fn escaping_keeps_the_meaning_and_leaves_only_ascii() {
        let json = r#"{"name":"Café 🚀 مراجعة"}"#;
        let escaped = escape_non_ascii(json);
        assert!(escaped.is_ascii());
        assert!(escaped.contains(r"\ud83d\ude80"), "{escaped}");
        let back: Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
    }

    #[test]
    fn future_event_types_are_names_awork_has_never_used() {
        for (_, name) in FUTURE_EVENT_TYPES {
            assert!(EventType::lookup(name).is_none(), "{name}");
        }
        assert!(EventType::lookup(UNKNOWN_EVENT_TYPE).is_none());
    }

    #[test]
    fn bent_events_stay_valid_and_the_same_seed_bends_alike() {
        let events: Vec<Envelope> = crate::Generator::new(crate::GeneratorConfig {
            naming: awork_models::Naming::Api,
            ..crate::GeneratorConfig::default()
        })
        .take(300)
        .collect();
        let bodies = |seed| {
            let mut awkward = Awkward::new(seed);
            events
                .iter()
                .map(|event| awkward.body(event))
                .collect::<Vec<_>>()
        };
        let first = bodies(3);
        assert_eq!(first, bodies(3));
        assert_ne!(first, bodies(4));
        for body in &first {
            let value: Value = serde_json::from_str(body).unwrap();
            if let Err(problems) = awork_models::validate_value(value) {
                panic!("{problems:?}\n{body}");
            }
        }
    }
}
