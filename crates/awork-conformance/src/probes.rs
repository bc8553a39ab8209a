//! What each case sends: the requests ("probes") of every case, built from one seeded story of the
//! generator and then bent into the shape the case is about (unknown properties, absent optionals,
//! other timestamp forms, awkward text, a large body, ...).
//!
//! Every case's probes are built on every run, whichever cases are selected, so a case sends the
//! same bytes for the same seed whether it runs alone (`--only`) or with the others. This module
//! sends nothing and judges nothing.

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Envelope, EventType, Naming};
use bytes::Bytes;
use fake::Fake;
use fake::faker::lorem::en::Sentence;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::SeedableRng;
use fake::rand::rngs::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::cases::CaseId;

/// Which auth header a probe carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthSent {
    /// The configured header, or none when none is configured.
    Configured,
    /// No auth header, although one is configured.
    Missing,
    /// The configured header's name with a value unrelated to the right one.
    WrongUnrelated,
    /// The configured header's name with the right value, its last character changed.
    WrongLastCharacter,
}

impl AuthSent {
    /// How reports name it. The value itself is never shown.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthSent::Configured => "configured",
            AuthSent::Missing => "missing",
            AuthSent::WrongUnrelated => "wrong (an unrelated value)",
            AuthSent::WrongLastCharacter => {
                "wrong (the right value with its last character changed)"
            }
        }
    }
}

/// What answer a probe needs for its case to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A 2xx status.
    Success,
    /// 401 or 403.
    Refusal,
}

impl Expected {
    /// How reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Success => "2xx",
            Expected::Refusal => "401 or 403",
        }
    }

    /// Whether a status meets the expectation.
    pub fn is_met_by(self, status: u16) -> bool {
        match self {
            Expected::Success => (200..300).contains(&status),
            Expected::Refusal => matches!(status, 401 | 403),
        }
    }
}

/// One request of a case.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The `eventType` the body carries.
    pub event_type: String,
    /// What is special about this request, for the report.
    pub note: String,
    /// The body, sent byte for byte.
    pub body: Bytes,
    /// The auth header it carries.
    pub auth: AuthSent,
    /// The answer the case needs.
    pub expected: Expected,
}

/// Probes sent together; a case's steps are sent one after the other.
#[derive(Debug, Clone)]
pub struct Step {
    /// The probes of the step.
    pub probes: Vec<Probe>,
    /// How many of them may be in flight at once.
    pub concurrency: usize,
}

/// Everything one case sends.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The case.
    pub case: CaseId,
    /// Its steps, in order.
    pub steps: Vec<Step>,
}

/// How many requests of one step are in flight at once when order does not matter. A receiver is
/// asked for concurrency only by the burst; elsewhere a few in flight keep a slow receiver's run
/// short without testing anything else.
const BULK_CONCURRENCY: usize = 8;

/// The size the large payload reaches: 256 KiB.
pub const LARGE_PAYLOAD_BYTES: usize = 256 * 1024;

/// A name awork may give to an event type it adds later. awork's own README once listed "File
/// added" among its events (`awork/ENTITIES.md` §3.1, variant D), so this one is plausible.
pub const UNKNOWN_EVENT_TYPE: &str = "file_added";

/// Builds the scenarios of every sending case, in the suite's order.
pub fn build(seed: u64, burst: usize) -> Vec<Scenario> {
    let mut source = Source::new(seed);
    CaseId::ALL
        .iter()
        .filter(|case| case.sends_requests())
        .map(|&case| Scenario {
            case,
            steps: source.steps_for(case, burst),
        })
        .collect()
}

/// The story the probes come from, and the randomness that bends them.
struct Source {
    story: Generator,
    seed: u64,
    rng: ChaCha8Rng,
}

impl Source {
    fn new(seed: u64) -> Source {
        Source {
            story: Generator::new(GeneratorConfig {
                seed,
                ..GeneratorConfig::default()
            }),
            seed,
            // A stream of its own, so that bending one probe does not change the story's events.
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x636f_6e66_6f72_6d73),
        }
    }

    fn steps_for(&mut self, case: CaseId, burst: usize) -> Vec<Step> {
        match case {
            CaseId::AcceptsAllEventTypes => {
                let probes = self
                    .one_of_each_type()
                    .into_iter()
                    .map(|event| probe(&event, "a realistic event", AuthSent::Configured))
                    .collect();
                vec![bulk(probes)]
            }
            CaseId::RejectsMissingAuth => {
                let event = self.story.next_event();
                let mut probe = probe(&event, "no auth header", AuthSent::Missing);
                probe.expected = Expected::Refusal;
                vec![bulk(vec![probe])]
            }
            CaseId::RejectsWrongAuth => {
                let probes = [AuthSent::WrongUnrelated, AuthSent::WrongLastCharacter]
                    .into_iter()
                    .map(|auth| {
                        let event = self.story.next_event();
                        let mut probe = probe(&event, "a wrong auth header value", auth);
                        probe.expected = Expected::Refusal;
                        probe
                    })
                    .collect();
                vec![bulk(probes)]
            }
            CaseId::ToleratesUnknownFields => {
                let probes = self
                    .one_of_each_type()
                    .into_iter()
                    .map(|event| self.with_unknown_properties(&event))
                    .collect();
                vec![bulk(probes)]
            }
            CaseId::ToleratesMissingOptionals => {
                let probes = self
                    .one_of_each_type()
                    .into_iter()
                    .map(|event| without_optionals(&event))
                    .collect();
                vec![bulk(probes)]
            }
            CaseId::AcceptsDotnetTimestamps => vec![bulk(self.timestamp_forms())],
            CaseId::AcceptsUnicode => vec![bulk(self.unicode_texts())],
            CaseId::AcceptsRedelivery => {
                let event = self.story.next_event();
                let first = probe(&event, "the first delivery", AuthSent::Configured);
                let mut again = first.clone();
                again.note = "the same bytes again, as awork's retry sends them".to_owned();
                vec![bulk(vec![first]), bulk(vec![again])]
            }
            CaseId::AcceptsOutOfOrder => self.out_of_order(),
            CaseId::AcceptsBurst => {
                let probes: Vec<Probe> = (0..burst)
                    .map(|index| {
                        let event = self.story.next_event();
                        let note = format!("event {} of a burst of {burst}", index + 1);
                        probe(&event, &note, AuthSent::Configured)
                    })
                    .collect();
                vec![Step {
                    probes,
                    concurrency: burst.max(1),
                }]
            }
            CaseId::AcceptsLargePayload => vec![bulk(vec![self.large_payload()])],
            CaseId::ToleratesUnknownEventType => vec![bulk(vec![self.unknown_event_type()])],
            CaseId::AcceptsOtherSpellings => vec![bulk(self.other_spellings())],
            CaseId::RespondsInTime | CaseId::NoRedirect => Vec::new(),
        }
    }

    /// The next event of each of the spec's 30 types, in the order the story tells them.
    fn one_of_each_type(&mut self) -> Vec<Envelope> {
        let mut events: Vec<Envelope> = Vec::new();
        while events.len() < EventType::SPEC.len() {
            let event = self.story.next_event();
            let kind = event.event_type.event_type();
            if !events
                .iter()
                .any(|seen| seen.event_type.event_type() == kind)
            {
                events.push(event);
            }
        }
        events
    }

    fn with_unknown_properties(&mut self, event: &Envelope) -> Probe {
        let mut value = to_value(event);
        let envelope = value.as_object_mut().expect("an envelope is an object");
        envelope.insert("webhookId".to_owned(), Value::from(self.uuid()));
        envelope.insert("deliveryAttempt".to_owned(), Value::from(1));
        let custom_field = json!([{ "id": self.uuid(), "name": "Cost centre", "value": "K-204" }]);
        let entity = envelope["entity"]
            .as_object_mut()
            .expect("an entity is an object");
        entity.insert("customFieldValues".to_owned(), custom_field);
        entity.insert(
            "aiSummary".to_owned(),
            json!({ "text": "Waiting for the client's feedback.", "generatedOn": "2026-01-12T08:00:00Z" }),
        );
        if let Some(Value::Object(user)) = envelope.get_mut("triggeredBy") {
            user.insert("avatarColor".to_owned(), Value::from("#4bc0c0"));
        }
        from_value(
            event,
            value,
            "unknown properties: webhookId and deliveryAttempt in the envelope, customFieldValues and aiSummary in the entity, avatarColor in triggeredBy",
        )
    }

    fn timestamp_forms(&mut self) -> Vec<Probe> {
        const FORMS: [(usize, &str); 7] = [
            (7, "+00:00"),
            (7, "Z"),
            (6, "Z"),
            (3, "Z"),
            (3, "+00:00"),
            (0, "Z"),
            (0, "+00:00"),
        ];
        FORMS
            .into_iter()
            .map(|(digits, offset)| {
                let event = self.story.next_event();
                let mut value = to_value(&event);
                rewrite_timestamps(&mut value, digits, offset);
                let note = format!(
                    "every date-time written with {digits} fractional digits and `{offset}`"
                );
                from_value(&event, value, &note)
            })
            .collect()
    }

    fn unicode_texts(&mut self) -> Vec<Probe> {
        const TEXTS: [(&str, &str); 4] = [
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
                "She said \"ship it\" \\o/ in 'C:\\Users\\awork'\tthen\nleft",
            ),
        ];
        let mut probes: Vec<Probe> = TEXTS
            .into_iter()
            .map(|(what, text)| {
                let event = self.story.next_event();
                let mut value = to_value(&event);
                replace_texts(&mut value, text);
                from_value(&event, value, &format!("names and texts with {what}"))
            })
            .collect();
        let event = self.story.next_event();
        let mut value = to_value(&event);
        let all: Vec<&str> = TEXTS.iter().map(|(_, text)| *text).collect();
        replace_texts(&mut value, &all.join(" "));
        let body = escape_non_ascii(&serde_json::to_string(&value).expect("JSON serializes"));
        probes.push(Probe {
            event_type: event.event_type.as_str().to_owned(),
            note: "all of these texts, every non-ASCII character written as a `\\u` escape (emoji as surrogate pairs)".to_owned(),
            body: Bytes::from(body),
            auth: AuthSent::Configured,
            expected: Expected::Success,
        });
        probes
    }

    /// A task's change and deletion, then its addition.
    fn out_of_order(&mut self) -> Vec<Step> {
        let added = loop {
            let event = self.story.next_event();
            if event.event_type.event_type() == Some(EventType::ProjectTaskAdded) {
                break event;
            }
        };
        let mut steps = Vec::new();
        for (event_type, minutes, note) in [
            (
                EventType::TaskChanged,
                5,
                "the task's change, before its addition",
            ),
            (
                EventType::ProjectTaskDeleted,
                9,
                "the task's deletion, before its addition",
            ),
        ] {
            let mut value = to_value(&added);
            value["eventType"] = Value::from(event_type.spec_name());
            value["traceId"] = Value::from(self.trace_id());
            shift_event_time(&mut value, minutes);
            if event_type == EventType::TaskChanged {
                let name = value["entity"]["name"]
                    .as_str()
                    .unwrap_or("Task")
                    .to_owned();
                value["entity"]["name"] = Value::from(format!("{name} (v2)"));
            }
            let mut probe = from_value(&added, value, note);
            probe.event_type = event_type.spec_name().to_owned();
            steps.push(bulk(vec![probe]));
        }
        steps.push(bulk(vec![probe(
            &added,
            "the task's addition, after its change and deletion",
            AuthSent::Configured,
        )]));
        steps
    }

    fn large_payload(&mut self) -> Probe {
        let event = loop {
            let event = self.story.next_event();
            if event.event_type.event_type() == Some(EventType::ProjectAdded) {
                break event;
            }
        };
        let mut value = to_value(&event);
        let mut description = String::from("<h2>Scope</h2>");
        // awork allows 25000 characters of description; stay just below.
        while description.chars().count() < 24_000 {
            let sentence: String = Sentence(8..16).fake_with_rng(&mut self.rng);
            description.push_str("<p>");
            description.push_str(&sentence);
            description.push_str("</p>");
        }
        value["entity"]["description"] = Value::from(description);
        let project_id = value["entityId"].clone();
        let template = value["entity"]["members"]
            .as_array()
            .and_then(|members| members.first())
            .cloned()
            .unwrap_or_else(|| json!({ "isResponsible": false, "isDeactivated": false }));
        let mut size = serde_json::to_vec(&value).expect("JSON serializes").len();
        while size < LARGE_PAYLOAD_BYTES {
            let mut member = template.clone();
            member["id"] = Value::from(self.uuid());
            member["userId"] = Value::from(self.uuid());
            member["firstName"] =
                Value::from(FirstName().fake_with_rng::<String, _>(&mut self.rng));
            member["lastName"] = Value::from(LastName().fake_with_rng::<String, _>(&mut self.rng));
            member["isResponsible"] = Value::from(false);
            if member.get("projectId").is_some() {
                member["projectId"] = project_id.clone();
            }
            size += serde_json::to_vec(&member).expect("JSON serializes").len() + 1;
            value["entity"]["members"]
                .as_array_mut()
                .expect("members is an array")
                .push(member);
        }
        let members = value["entity"]["members"].as_array().map_or(0, Vec::len);
        let note = format!(
            "a project with a description of 24000 characters and {members} members, {} KiB",
            size / 1024
        );
        from_value(&event, value, &note)
    }

    fn unknown_event_type(&mut self) -> Probe {
        let event = self.story.next_event();
        let mut value = to_value(&event);
        let id = self.uuid();
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
        let mut probe = from_value(
            &event,
            value,
            "an event type awork does not send today, with an entity type it does not send either",
        );
        probe.event_type = UNKNOWN_EVENT_TYPE.to_owned();
        probe
    }

    /// For each naming other than the spec's, an event of each type whose name differs there.
    fn other_spellings(&mut self) -> Vec<Probe> {
        let mut probes = Vec::new();
        for (naming, index) in [(Naming::Docs, 1), (Naming::Api, 2)] {
            let differing: Vec<EventType> = EventType::SPEC
                .iter()
                .copied()
                .filter(|event| event.name_in(naming) != event.name_in(Naming::Spec))
                .collect();
            let mut story = Generator::new(GeneratorConfig {
                seed: self.seed.wrapping_add(index),
                naming,
                event_types: differing.clone(),
            });
            let mut pending = differing;
            while !pending.is_empty() {
                let event = story.next_event();
                if let Some(position) = pending
                    .iter()
                    .position(|wanted| event.event_type.event_type() == Some(*wanted))
                {
                    let wanted = pending.remove(position);
                    let note = format!(
                        "`{}` as awork's {} spell it (the spec says `{}`)",
                        event.event_type.as_str(),
                        match naming {
                            Naming::Docs => "published docs",
                            Naming::Api | Naming::Spec => "API and n8n node",
                        },
                        wanted.spec_name()
                    );
                    probes.push(probe(&event, &note, AuthSent::Configured));
                }
            }
        }
        // The docs' `client_*` names may come with the entity type `client` rather than `company`
        // (awork/ENTITIES.md §3.3).
        let mut story = Generator::new(GeneratorConfig {
            seed: self.seed.wrapping_add(3),
            naming: Naming::Docs,
            event_types: vec![EventType::ClientAdded],
        });
        let event = story.next_event();
        let mut value = to_value(&event);
        value["entityType"] = Value::from("client");
        probes.push(from_value(
            &event,
            value,
            "`client_added` with the entity type `client`, as the docs' naming may send it",
        ));
        probes
    }

    fn uuid(&mut self) -> String {
        awork_generate::uuid(&mut self.rng)
    }

    fn trace_id(&mut self) -> String {
        awork_generate::trace_id(&mut self.rng)
    }
}

/// A step whose probes may be sent a few at a time, in any order.
fn bulk(probes: Vec<Probe>) -> Step {
    Step {
        probes,
        concurrency: BULK_CONCURRENCY,
    }
}

fn to_value(event: &Envelope) -> Value {
    serde_json::to_value(event).expect("an envelope serializes")
}

/// A probe of an event as the generator wrote it.
fn probe(event: &Envelope, note: &str, auth: AuthSent) -> Probe {
    Probe {
        event_type: event.event_type.as_str().to_owned(),
        note: note.to_owned(),
        body: Bytes::from(serde_json::to_vec(event).expect("an envelope serializes")),
        auth,
        expected: Expected::Success,
    }
}

/// A probe of an event after changes to its JSON.
fn from_value(event: &Envelope, value: Value, note: &str) -> Probe {
    Probe {
        event_type: event.event_type.as_str().to_owned(),
        note: note.to_owned(),
        body: Bytes::from(serde_json::to_vec(&value).expect("JSON serializes")),
        auth: AuthSent::Configured,
        expected: Expected::Success,
    }
}

/// The properties the spec's envelope requires, which stay even when optionals go.
const REQUIRED_ENVELOPE: [&str; 6] = [
    "timestamp",
    "eventType",
    "entity",
    "entityId",
    "entityType",
    "traceId",
];

/// The event with every property left out that the models do not require: in the envelope, in
/// the entity, and in the objects nested in the entity.
fn without_optionals(event: &Envelope) -> Probe {
    let mut value = to_value(event);
    let parses = |value: &Value| Envelope::from_value(value.clone()).is_ok();
    let keys: Vec<String> = value
        .as_object()
        .expect("an envelope is an object")
        .keys()
        .filter(|key| !REQUIRED_ENVELOPE.contains(&key.as_str()))
        .cloned()
        .collect();
    let mut removed = 0;
    for key in keys {
        let kept = value[&key].take();
        value.as_object_mut().expect("object").remove(&key);
        if parses(&value) {
            removed += 1;
        } else {
            value[&key] = kept;
        }
    }
    removed += strip_object(&mut value, &["entity"], &parses);
    from_value(
        event,
        value,
        &format!("{removed} optional properties left out"),
    )
}

/// Leaves out every property of the object at `path` (and of the objects nested in it) whose
/// absence still `parses`; returns how many went.
fn strip_object(root: &mut Value, path: &[&str], parses: &impl Fn(&Value) -> bool) -> usize {
    let Some(keys) = pointer(root, path)
        .and_then(Value::as_object)
        .map(|object| object.keys().cloned().collect::<Vec<_>>())
    else {
        return 0;
    };
    let mut removed = 0;
    for key in keys {
        let object = pointer_mut(root, path).expect("the path exists");
        let kept = object.remove(&key).expect("the key exists");
        if parses(root) {
            removed += 1;
            continue;
        }
        let is_object = kept.is_object();
        pointer_mut(root, path)
            .expect("the path exists")
            .insert(key.clone(), kept);
        if is_object && path.len() < 3 {
            let mut nested: Vec<&str> = path.to_vec();
            nested.push(&key);
            removed += strip_object(root, &nested, parses);
        }
    }
    removed
}

fn pointer<'a>(root: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(root, |value, key| value.get(key))
}

fn pointer_mut<'a>(root: &'a mut Value, path: &[&str]) -> Option<&'a mut Map<String, Value>> {
    path.iter()
        .try_fold(root, |value, key| value.get_mut(key))
        .and_then(Value::as_object_mut)
}

/// Moves the event's time (its `timestamp`, and the entity's `updatedOn`) `minutes` later, keeping
/// how each is written (fraction and offset).
fn shift_event_time(value: &mut Value, minutes: i64) {
    let shift = |text: &str| -> Option<String> {
        let (seconds, rest) = text.split_at_checked(19)?;
        let time = chrono::NaiveDateTime::parse_from_str(seconds, "%Y-%m-%dT%H:%M:%S").ok()?;
        let shifted = time + chrono::TimeDelta::minutes(minutes);
        Some(format!("{}{rest}", shifted.format("%Y-%m-%dT%H:%M:%S")))
    };
    for path in ["/timestamp", "/entity/updatedOn"] {
        if let Some(place) = value.pointer_mut(path) {
            if let Some(shifted) = place.as_str().and_then(shift) {
                *place = Value::from(shifted);
            }
        }
    }
}

/// Rewrites every date-time with an offset, anywhere in `value`, with exactly `digits` fractional
/// digits and `offset` (`Z` or `+00:00`). Date-times without an offset (local times) stay.
fn rewrite_timestamps(value: &mut Value, digits: usize, offset: &str) {
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
fn with_fraction(text: &str, digits: usize, offset: &str) -> Option<String> {
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

/// The properties whose values are names and texts people type.
const TEXT_PROPERTIES: [&str; 7] = [
    "name",
    "description",
    "firstName",
    "lastName",
    "message",
    "note",
    "title",
];

/// Replaces every name and text in `value` (at any depth) with `text`.
fn replace_texts(value: &mut Value, text: &str) {
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

/// JSON text with every non-ASCII character written as a `\u` escape (UTF-16, so characters
/// beyond the Basic Multilingual Plane become surrogate pairs). Outside strings JSON is ASCII, so
/// the result means the same.
fn escape_non_ascii(json: &str) -> String {
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

    fn scenario(case: CaseId) -> Vec<Step> {
        build(3, 50)
            .into_iter()
            .find(|scenario| scenario.case == case)
            .expect("every sending case has a scenario")
            .steps
    }

    fn bodies(case: CaseId) -> Vec<Value> {
        scenario(case)
            .iter()
            .flat_map(|step| &step.probes)
            .map(|probe| serde_json::from_slice(&probe.body).expect("a probe is JSON"))
            .collect()
    }

    #[test]
    fn every_case_but_the_observers_sends_something_and_every_body_is_valid() {
        for scenario in build(3, 50) {
            assert!(!scenario.steps.is_empty(), "{}", scenario.case);
            for probe in scenario.steps.iter().flat_map(|step| &step.probes) {
                let value: Value = serde_json::from_slice(&probe.body).unwrap();
                assert_eq!(value["eventType"], probe.event_type.as_str());
                assert!(
                    awork_models::validate_value(value).is_ok(),
                    "{}: {}",
                    scenario.case,
                    probe.note
                );
            }
        }
    }

    #[test]
    fn all_types_cover_the_thirty_once() {
        let mut names: Vec<String> = bodies(CaseId::AcceptsAllEventTypes)
            .iter()
            .map(|body| body["eventType"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = EventType::SPEC
            .iter()
            .map(|event| event.spec_name().to_owned())
            .collect();
        expected.sort();
        assert_eq!(names, expected);
    }

    #[test]
    fn optionals_are_left_out_and_unknown_properties_added() {
        let plain = bodies(CaseId::AcceptsAllEventTypes);
        let stripped = bodies(CaseId::ToleratesMissingOptionals);
        let size =
            |bodies: &[Value]| -> usize { bodies.iter().map(|body| body.to_string().len()).sum() };
        assert!(
            size(&stripped) * 2 < size(&plain),
            "most of the bulk is optional"
        );
        for body in &stripped {
            assert!(body.get("triggeredBy").is_none() && body.get("entityLink").is_none());
            assert!(body.get("traceId").is_some(), "the spec requires traceId");
        }
        for body in bodies(CaseId::ToleratesUnknownFields) {
            assert!(body.get("webhookId").is_some() && body["entity"].get("aiSummary").is_some());
        }
    }

    #[test]
    fn the_out_of_order_steps_are_a_change_a_deletion_then_the_addition_of_one_task() {
        let events = bodies(CaseId::AcceptsOutOfOrder);
        let names: Vec<&str> = events
            .iter()
            .map(|event| event["eventType"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["task_changed", "project_task_deleted", "project_task_added"]
        );
        assert!(
            events
                .iter()
                .all(|event| event["entityId"] == events[2]["entityId"])
        );
        assert_eq!(
            scenario(CaseId::AcceptsOutOfOrder).len(),
            3,
            "one after the other"
        );
    }

    #[test]
    fn the_redelivery_is_the_same_bytes_twice() {
        let steps = scenario(CaseId::AcceptsRedelivery);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].probes[0].body, steps[1].probes[0].body);
    }

    #[test]
    fn the_large_payload_reaches_256_kib_within_awork_limits() {
        let steps = scenario(CaseId::AcceptsLargePayload);
        let probe = &steps[0].probes[0];
        assert!(probe.body.len() >= LARGE_PAYLOAD_BYTES);
        assert!(probe.body.len() < LARGE_PAYLOAD_BYTES + 4096);
        let value: Value = serde_json::from_slice(&probe.body).unwrap();
        assert!(
            value["entity"]["description"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 25_000
        );
    }

    #[test]
    fn other_spellings_cover_every_name_that_differs_from_the_spec() {
        let names: Vec<String> = bodies(CaseId::AcceptsOtherSpellings)
            .iter()
            .map(|body| body["eventType"].as_str().unwrap().to_owned())
            .collect();
        for naming in [Naming::Docs, Naming::Api] {
            for event in EventType::SPEC {
                let name = event.name(naming);
                if name != event.spec_name() {
                    assert!(names.iter().any(|sent| sent == name), "{name}");
                }
            }
        }
    }

    #[test]
    fn the_burst_is_sent_all_at_once() {
        let steps = scenario(CaseId::AcceptsBurst);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].probes.len(), 50);
        assert_eq!(steps[0].concurrency, 50);
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
}
