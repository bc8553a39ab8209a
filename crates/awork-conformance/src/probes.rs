//! What each case sends: the requests ("probes") of every case, built from one seeded story of the
//! generator and then bent into the shape the case is about (unknown properties, absent optionals,
//! other timestamp forms, awkward text, a large body, ...).
//!
//! Every case's probes are built on every run, whichever cases are selected, so a case sends the
//! same bytes for the same seed whether it runs alone (`--only`) or with the others. This module
//! sends nothing and judges nothing.

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{EntityType, Envelope, EventType, Naming};
use bytes::Bytes;
use fake::Fake;
use fake::faker::lorem::en::Sentence;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::SeedableRng;
use fake::rand::rngs::ChaCha8Rng;
use serde_json::{Value, json};

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
    /// How reports name it, given whether an auth header was configured. The value itself is never
    /// shown.
    pub fn as_str(self, configured: bool) -> &'static str {
        match self {
            AuthSent::Configured if configured => "configured",
            AuthSent::Configured => "none",
            AuthSent::Missing if configured => "missing",
            AuthSent::Missing => "none",
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

/// Builds the scenarios of every sending case, in the suite's order, with event names of `naming`.
pub fn build(seed: u64, burst: usize, naming: Naming) -> Vec<Scenario> {
    let mut source = Source::new(seed, naming);
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
    naming: Naming,
    rng: ChaCha8Rng,
}

impl Source {
    fn new(seed: u64, naming: Naming) -> Source {
        Source {
            story: Generator::new(GeneratorConfig {
                seed,
                naming,
                ..GeneratorConfig::default()
            }),
            seed,
            naming,
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
            CaseId::RejectsMissingAuth | CaseId::RequiresAuth => {
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

    /// The next event of each type the naming has a name for (the API: 35; the spec and the docs:
    /// 30), in the order the story tells them.
    fn one_of_each_type(&mut self) -> Vec<Envelope> {
        let mut events: Vec<Envelope> = Vec::new();
        let types = EventType::ALL
            .iter()
            .filter(|event| event.name_in(self.naming).is_some())
            .count();
        while events.len() < types {
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
            let name = event_type.name(self.naming);
            let mut value = to_value(&added);
            value["eventType"] = Value::from(name);
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
            probe.event_type = name.to_owned();
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

    /// For each other naming, an event of each type whose name differs there from the run's.
    fn other_spellings(&mut self) -> Vec<Probe> {
        let mut probes = Vec::new();
        let others = Naming::ALL
            .into_iter()
            .filter(|naming| *naming != self.naming);
        for (naming, index) in others.zip(1..) {
            let differing: Vec<EventType> = EventType::ALL
                .iter()
                .copied()
                .filter(|event| {
                    event.name_in(naming).is_some()
                        && event.name_in(naming) != event.name_in(self.naming)
                })
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
                        "`{}` as {} spell it (this run's names say `{}`)",
                        event.event_type.as_str(),
                        family(naming),
                        wanted.name(self.naming)
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

/// Who spelled event names this way, for the report.
pub fn family(naming: Naming) -> &'static str {
    match naming {
        Naming::Spec => "awork's first webhook docs (the draft of 2023-09-04, this project's spec)",
        Naming::Docs => "awork's published webhook docs",
        Naming::Api => "awork's API, its webhooks and its n8n node",
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

/// The envelope's properties awork may leave out: `entityLink` ("where available") and `changes`
/// (`awork/ENTITIES.md` §1). `triggeredBy` stays: awork documents it as metadata of every event, and
/// every sample has it.
const OMITTED_FROM_ENVELOPE: [&str; 2] = ["entityLink", "changes"];

/// The entity properties awork leaves out when they have no value, per entity type: the ones marked
/// `null` (nullable in awork's OpenAPI) or `opt` (sometimes absent) in the field tables of
/// `awork/ENTITIES.md` §4, since awork omits null-valued properties instead of sending `null` (§2:
/// the docs' project sample has no `description`, `startDate`, `dueDate`, `companyId`, `color`, ...).
/// Left out are those the tables say are always set in context: a project's `projectStatusId`
/// ("always set in samples") and a project task's `projectId` and `project` ("set for project
/// tasks"). §4.9 and §4.10 mark nothing for project members and task assignments.
const OMITTED_WHEN_EMPTY: [(EntityType, &[&str]); 8] = [
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

/// The event without the properties awork leaves out when they have no value
/// ([`OMITTED_FROM_ENVELOPE`], [`OMITTED_WHEN_EMPTY`]), as long as the event stays valid; the note
/// names each property left out.
fn without_optionals(event: &Envelope) -> Probe {
    let mut value = to_value(event);
    let valid = |value: &Value| awork_models::validate_value(value.clone()).is_ok();
    let entity_keys: &[&str] = event
        .event_type
        .event_type()
        .map(EventType::entity_type)
        .and_then(|kind| {
            OMITTED_WHEN_EMPTY
                .iter()
                .find(|(entity, _)| *entity == kind)
        })
        .map_or(&[], |(_, keys)| keys);
    let candidates = (OMITTED_FROM_ENVELOPE.iter().map(|key| (false, *key)))
        .chain(entity_keys.iter().map(|key| (true, *key)));
    let mut left_out: Vec<String> = Vec::new();
    for (in_entity, key) in candidates {
        let object = if in_entity {
            value["entity"].as_object_mut()
        } else {
            value.as_object_mut()
        };
        let Some(kept) = object.and_then(|object| object.remove(key)) else {
            continue;
        };
        if valid(&value) {
            left_out.push(if in_entity {
                format!("entity.{key}")
            } else {
                key.to_owned()
            });
        } else if in_entity {
            value["entity"][key] = kept;
        } else {
            value[key] = kept;
        }
    }
    let note = if left_out.is_empty() {
        "no property it carries is one awork leaves out".to_owned()
    } else {
        format!("left out: {}", left_out.join(", "))
    };
    from_value(event, value, &note)
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
        build(3, 50, Naming::Api)
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
        for scenario in build(3, 50, Naming::Api)
            .into_iter()
            .chain(build(3, 50, Naming::Spec))
        {
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
    fn all_types_cover_the_namings_names_once() {
        for (naming, count) in [(Naming::Api, 35), (Naming::Spec, 30), (Naming::Docs, 30)] {
            let mut names: Vec<String> = build(3, 50, naming)
                .into_iter()
                .find(|scenario| scenario.case == CaseId::AcceptsAllEventTypes)
                .unwrap()
                .steps
                .iter()
                .flat_map(|step| &step.probes)
                .map(|probe| probe.event_type.clone())
                .collect();
            names.sort();
            let mut expected: Vec<String> = EventType::ALL
                .iter()
                .filter_map(|event| event.name_in(naming).map(str::to_owned))
                .collect();
            expected.sort();
            assert_eq!(expected.len(), count);
            assert_eq!(names, expected, "{naming:?}");
        }
    }

    #[test]
    fn optionals_awork_omits_are_left_out_and_named_and_unknown_properties_added() {
        let plain = bodies(CaseId::AcceptsAllEventTypes);
        let stripped = bodies(CaseId::ToleratesMissingOptionals);
        let size =
            |bodies: &[Value]| -> usize { bodies.iter().map(|body| body.to_string().len()).sum() };
        assert!(size(&stripped) < size(&plain), "something was left out");
        for body in &stripped {
            assert!(body.get("entityLink").is_none());
            assert!(body.get("traceId").is_some(), "the spec requires traceId");
            assert!(
                body.get("triggeredBy").is_some(),
                "awork documents triggeredBy as metadata of every event"
            );
        }
        let steps = scenario(CaseId::ToleratesMissingOptionals);
        let project = steps[0]
            .probes
            .iter()
            .find(|probe| probe.event_type == "project_added")
            .expect("a project_added event");
        assert!(
            project.note.starts_with("left out: entityLink"),
            "{}",
            project.note
        );
        assert!(
            project.note.contains("entity.description") || project.note.contains("entity.color"),
            "{}",
            project.note
        );
        assert!(!project.note.contains("entity.name"), "{}", project.note);
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
        assert_eq!(names, ["task_updated", "task_deleted", "task_added"]);
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
    fn other_spellings_cover_every_name_that_differs_from_the_runs() {
        let names: Vec<String> = bodies(CaseId::AcceptsOtherSpellings)
            .iter()
            .map(|body| body["eventType"].as_str().unwrap().to_owned())
            .collect();
        for naming in [Naming::Spec, Naming::Docs] {
            for event in EventType::SPEC {
                let name = event.name(naming);
                if name != event.name(Naming::Api) {
                    assert!(names.iter().any(|sent| sent == name), "{name}");
                }
            }
        }
        assert!(
            !names.iter().any(|sent| sent == "company_updated"),
            "{names:?}"
        );
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
