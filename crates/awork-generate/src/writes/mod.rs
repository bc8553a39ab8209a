//! The writes of awork's REST API against the simulated workspace: the request forms (awork's own
//! schemas, by their names in its OpenAPI document), one [`Write`] per operation, and what each
//! does to the world and which webhook events it sends.
//!
//! [`crate::Generator::write`] applies a write. A write is checked first, against the world as it
//! is: a refused write ([`Refused`]) changes nothing, not even the clock. An accepted one moves the
//! story's clock a few seconds on, changes the world with the helpers the story uses (so derived
//! numbers, versions and the story's invariants hold), and answers what awork answers: the entity
//! (`response`) or nothing (204), and the events, in the order awork sends them. A write that
//! changes nothing (a `PUT` of the same values) sends no event and leaves the world as it was.
//!
//! Writes are data ([`Write`] serializes to JSON with an `operation` tag), and what one does
//! depends only on the world and the write: ids come from the world's random source and times from
//! its clock. So a journal of writes, replayed in order between the same story steps, rebuilds the
//! same world and the same events.
//!
//! Every property of a form is optional in Rust, the ones awork requires too: a missing one is a
//! validation error in awork's words (`'Name' should not be empty.`), not a parse error. Unknown
//! properties are ignored, as awork ignores them.

mod companies;
mod projects;
mod tasks;
mod time_entries;

use std::fmt;

use awork_models::{AworkDateTime, Change, EventType, TriggeredBy};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use companies::{CompanyDeleteForm, CompanyForm};
pub use projects::{
    ChangeProjectStatusForm, ExtendedProjectForm, ProjectDeleteForm, ProjectMemberForm,
    ProjectMemberRemoveForm, ProjectPutForm,
};
pub use tasks::{
    ChangeStatusForm, CommentForm, GeneralTaskForm, GeneralTaskPostForm, ListAssignment,
    TasksDeleteForm,
};
pub use time_entries::{TimeEntryPostForm, TimeTrackingPutForm};

use crate::story::Produced;
use crate::world::World;

/// One write of awork's REST API: the operation, the ids in its path, and its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "operation",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Write {
    /// `POST /tasks` → `task_added`; answers the task.
    CreateTask {
        /// The body.
        form: GeneralTaskPostForm,
    },
    /// `PUT /tasks/{taskId}` → `task_updated` with a change per changed property; answers the task.
    UpdateTask {
        /// The task.
        task_id: String,
        /// The body: a full replacement of the seven properties it has.
        form: GeneralTaskForm,
    },
    /// `POST /tasks/changestatuses` → `task_status_changed` per task whose status changed; 204, or
    /// 207 when some items fail.
    ChangeTaskStatuses {
        /// The body.
        forms: Vec<ChangeStatusForm>,
    },
    /// `POST /tasks/{taskId}/setassignees` → `taskassignment_deleted` per removed user, then
    /// `taskassignment_added` per added one; 204.
    SetTaskAssignees {
        /// The task.
        task_id: String,
        /// The body: the ids of the users who are to be its assignees.
        user_ids: Vec<String>,
    },
    /// `POST /tasks/delete` → per task (its subtasks first): its time entries'
    /// `timetracking_deleted` (or `timetracking_updated`, booked on no task and no project), then
    /// `task_deleted`; 204, or 207 when some tasks do not exist.
    DeleteTasks {
        /// The body.
        form: TasksDeleteForm,
    },
    /// `POST /tasks/{taskId}/comments` → `task_comment_added`; answers the comment.
    CommentOnTask {
        /// The task.
        task_id: String,
        /// The body.
        form: CommentForm,
    },
    /// `POST /timeentries` → `timetracking_added`; answers the time entry.
    CreateTimeEntry {
        /// The body.
        form: TimeEntryPostForm,
    },
    /// `PUT /timeentries/{timeEntryId}` → `timetracking_updated`; answers the time entry.
    UpdateTimeEntry {
        /// The time entry.
        time_entry_id: String,
        /// The body.
        form: TimeTrackingPutForm,
    },
    /// `DELETE /timeentries/{timeEntryId}` → `timetracking_deleted`; 204.
    DeleteTimeEntry {
        /// The time entry.
        time_entry_id: String,
    },
    /// `POST /projects` → `project_added`; answers the project.
    CreateProject {
        /// The body.
        form: ExtendedProjectForm,
    },
    /// `PUT /projects/{projectId}` → `project_updated`; answers the project.
    UpdateProject {
        /// The project.
        project_id: String,
        /// The body.
        form: ProjectPutForm,
    },
    /// `POST /projects/{projectId}/changestatus` → `project_status_changed`; 204.
    ChangeProjectStatus {
        /// The project.
        project_id: String,
        /// The body.
        form: ChangeProjectStatusForm,
    },
    /// `POST /projects/{projectId}/delete` → its time entries' `timetracking_deleted` (or
    /// `timetracking_updated`, booked on no task and no project), then `project_deleted`; 204.
    DeleteProject {
        /// The project.
        project_id: String,
        /// The body (an absent body is the default form).
        form: ProjectDeleteForm,
    },
    /// `POST /projects/{projectId}/comments` → `project_comment_added`; answers the comment.
    CommentOnProject {
        /// The project.
        project_id: String,
        /// The body.
        form: CommentForm,
    },
    /// `POST /projects/{projectId}/addprojectmember` → `projectmember_added`; answers the member.
    AddProjectMember {
        /// The project.
        project_id: String,
        /// The body.
        form: ProjectMemberForm,
    },
    /// `POST /projects/{projectId}/removeprojectmember` → `projectmember_deleted`; 204.
    RemoveProjectMember {
        /// The project.
        project_id: String,
        /// The body.
        form: ProjectMemberRemoveForm,
    },
    /// `POST /companies` → `company_added`; answers the company.
    CreateCompany {
        /// The body.
        form: CompanyForm,
    },
    /// `PUT /companies/{companyId}` → `company_updated`; answers the company.
    UpdateCompany {
        /// The company.
        company_id: String,
        /// The body: a full replacement of its name, description and industry.
        form: CompanyForm,
    },
    /// `POST /companies/{companyId}/delete` → per project of the company, as `deleteOperation`
    /// says, `project_updated`, or its time entries' events and `project_deleted` (as
    /// [`Write::DeleteProject`]); then `company_deleted`; 204.
    DeleteCompany {
        /// The company.
        company_id: String,
        /// The body (an absent body is the default form).
        form: CompanyDeleteForm,
    },
}

/// What an accepted write answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The entity the operation answers with 200 (a `TaskModel`, a `Project`, …, as JSON, the same
    /// serialization as the webhook's entity), or `None` for 204 (and 207).
    pub response: Option<Value>,
    /// The webhook events the write caused, in the order awork sends them (API names, or the
    /// generator's naming), each `triggeredBy` the acting user.
    pub events: Vec<awork_models::Envelope>,
    /// Whether some items of a batch (`changestatuses`, `tasks/delete`) failed while others
    /// succeeded: awork answers 207.
    pub partial: bool,
}

/// Why a write was refused. A refused write changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// 400 `validation-failed`: the body breaks these rules.
    Invalid(Vec<ValidationError>),
    /// 404 `not-found`: the entity a path (or the acting user) names does not exist.
    NotFound {
        /// What kind of entity: `task`, `project`, `time entry`, `company`, `user`.
        entity: &'static str,
        /// The id that names none.
        id: String,
    },
}

impl Refused {
    /// The HTTP status awork answers with: 400 or 404.
    pub fn status(&self) -> u16 {
        match self {
            Refused::Invalid(_) => 400,
            Refused::NotFound { .. } => 404,
        }
    }

    /// awork's error `code`: `validation-failed` or `not-found`.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::Invalid(_) => "validation-failed",
            Refused::NotFound { .. } => "not-found",
        }
    }

    fn not_found(entity: &'static str, id: &str) -> Refused {
        Refused::NotFound {
            entity,
            id: id.to_owned(),
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Invalid(errors) => {
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                write!(f, "{}", messages.join(" "))
            }
            Refused::NotFound { entity, id } => write!(f, "The {entity} {id} does not exist."),
        }
    }
}

impl std::error::Error for Refused {}

/// One broken rule, as awork's `validationErrors` items write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    /// The property, PascalCase as awork writes it (`Name`, `TypeOfWorkId`).
    pub property: String,
    /// FluentValidation's message (`'Name' should not be empty.`).
    pub message: String,
}

/// The longest name of a task, project or company.
const NAME_MAX: usize = 1000;
/// The longest description of a task, project or company.
const DESCRIPTION_MAX: usize = 25_000;
/// The longest comment.
const COMMENT_MAX: usize = 65_000;
/// How far the story's clock moves on for an accepted write, in seconds: a request takes a moment,
/// and every change needs a version above the last.
const WRITE_SECONDS: std::ops::Range<i64> = 1..20;

/// What a write did, before its events have envelopes.
pub(crate) struct Outcome {
    pub response: Option<Value>,
    pub events: Vec<(EventType, Produced)>,
    pub partial: bool,
}

impl Outcome {
    /// An answer of 204 with these events.
    fn no_content(events: Vec<(EventType, Produced)>) -> Outcome {
        Outcome {
            response: None,
            events,
            partial: false,
        }
    }

    /// An answer of 200 with `entity` and these events.
    fn answer(entity: &impl Serialize, events: Vec<(EventType, Produced)>) -> Outcome {
        Outcome {
            response: Some(serde_json::to_value(entity).expect("models serialize")),
            events,
            partial: false,
        }
    }
}

/// Applies `write` by the user with the id `actor`.
pub(crate) fn apply(world: &mut World, actor: &str, write: &Write) -> Result<Outcome, Refused> {
    let actor = world
        .user(actor)
        .map(crate::world::triggered_by)
        .ok_or_else(|| Refused::not_found("user", actor))?;
    match write {
        Write::CreateTask { form } => tasks::create(world, actor, form),
        Write::UpdateTask { task_id, form } => tasks::update(world, actor, task_id, form),
        Write::ChangeTaskStatuses { forms } => tasks::change_statuses(world, actor, forms),
        Write::SetTaskAssignees { task_id, user_ids } => {
            tasks::set_assignees(world, actor, task_id, user_ids)
        }
        Write::DeleteTasks { form } => tasks::delete(world, actor, form),
        Write::CommentOnTask { task_id, form } => tasks::comment(world, actor, task_id, form),
        Write::CreateTimeEntry { form } => time_entries::create(world, actor, form),
        Write::UpdateTimeEntry {
            time_entry_id,
            form,
        } => time_entries::update(world, actor, time_entry_id, form),
        Write::DeleteTimeEntry { time_entry_id } => {
            time_entries::delete(world, actor, time_entry_id)
        }
        Write::CreateProject { form } => projects::create(world, actor, form),
        Write::UpdateProject { project_id, form } => {
            projects::update(world, actor, project_id, form)
        }
        Write::ChangeProjectStatus { project_id, form } => {
            projects::change_status(world, actor, project_id, form)
        }
        Write::DeleteProject { project_id, form } => {
            projects::delete(world, actor, project_id, form)
        }
        Write::CommentOnProject { project_id, form } => {
            projects::comment(world, actor, project_id, form)
        }
        Write::AddProjectMember { project_id, form } => {
            projects::add_member(world, actor, project_id, form)
        }
        Write::RemoveProjectMember { project_id, form } => {
            projects::remove_member(world, actor, project_id, form)
        }
        Write::CreateCompany { form } => companies::create(world, actor, form),
        Write::UpdateCompany { company_id, form } => {
            companies::update(world, actor, company_id, form)
        }
        Write::DeleteCompany { company_id, form } => {
            companies::delete(world, actor, company_id, form)
        }
    }
}

/// An event of a write: its type, and what the story's events are made of.
fn event(
    event: EventType,
    actor: &TriggeredBy,
    entity: awork_models::entities::Entity,
    link: Option<String>,
    changes: Option<Vec<Change>>,
) -> (EventType, Produced) {
    let produced = Produced {
        entity,
        link,
        actor: actor.clone(),
        changes,
    };
    (event, produced)
}

/// The changes between two states of an entity, one per property of `properties` (PascalCase, as
/// `changes` name them) whose JSON value differs, old and new as the entity's JSON writes them.
fn changes_between(old: &impl Serialize, new: &impl Serialize, properties: &[&str]) -> Vec<Change> {
    let old = serde_json::to_value(old).expect("models serialize");
    let new = serde_json::to_value(new).expect("models serialize");
    properties
        .iter()
        .filter_map(|property| {
            let key = camel_case(property);
            let (before, after) = (&old[key.as_str()], &new[key.as_str()]);
            (before != after).then(|| crate::story::change(property, before.clone(), after.clone()))
        })
        .collect()
}

/// `TypeOfWorkId` as its JSON key: `typeOfWorkId`.
fn camel_case(property: &str) -> String {
    let mut chars = property.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The rules a body is checked against, and what broke them.
#[derive(Default)]
struct Check {
    errors: Vec<ValidationError>,
}

impl Check {
    /// Notes a broken rule of `property`.
    fn fail(&mut self, property: &str, message: String) {
        self.errors.push(ValidationError {
            property: property.to_owned(),
            message,
        });
    }

    /// A text that must be there (not empty) and at most `max` characters long.
    fn required_text<'a>(&mut self, property: &str, value: Option<&'a str>, max: usize) -> &'a str {
        match value {
            Some(text) if !text.trim().is_empty() => {
                self.max_length(property, Some(text), max);
                text
            }
            _ => {
                self.missing(property);
                ""
            }
        }
    }

    /// Notes that a required property is missing.
    fn missing(&mut self, property: &str) {
        self.fail(
            property,
            format!("'{}' should not be empty.", display_name(property)),
        );
    }

    /// A value that must be there.
    fn required<'a, T>(&mut self, property: &str, value: Option<&'a T>) -> Option<&'a T> {
        if value.is_none() {
            self.missing(property);
        }
        value
    }

    /// A text of at most `max` characters, when there, counted as .NET counts a string's length
    /// (UTF-16 code units: an emoji is two).
    fn max_length(&mut self, property: &str, value: Option<&str>, max: usize) {
        let length = value.map_or(0, |text| text.encode_utf16().count());
        if length > max {
            self.fail(
                property,
                format!(
                    "The length of '{}' must be {max} characters or fewer. You entered {length} characters.",
                    display_name(property)
                ),
            );
        }
    }

    /// A number of seconds, when there: not negative, and an `int32` as awork's forms declare
    /// (a larger one would come back in answers that typed clients cannot read).
    fn seconds(&mut self, property: &str, value: Option<i64>) {
        if value.is_some_and(|value| value < 0) {
            // One problem a property: a negative number is told as such, whatever its size.
            self.fail(
                property,
                format!(
                    "'{}' must be greater than or equal to '0'.",
                    display_name(property)
                ),
            );
        } else {
            self.int32(property, value);
        }
    }

    /// A number awork's forms declare `int32`, when there.
    fn int32(&mut self, property: &str, value: Option<i64>) {
        let Some(value) = value else { return };
        let (bound, limit) = if value > i64::from(i32::MAX) {
            ("less", i32::MAX)
        } else if value < i64::from(i32::MIN) {
            ("greater", i32::MIN)
        } else {
            return;
        };
        self.fail(
            property,
            format!(
                "'{}' must be {bound} than or equal to '{limit}'.",
                display_name(property)
            ),
        );
    }

    /// A date-time, when there: ISO 8601 with or without an offset, a fraction and the seconds
    /// (without an offset it is taken as UTC), or a bare date (its midnight in UTC).
    fn date_time(&mut self, property: &str, value: Option<&str>) -> Option<DateTime<Utc>> {
        let text = value?;
        let parsed = text
            .parse::<AworkDateTime>()
            .ok()
            .or_else(|| with_seconds(text)?.parse::<AworkDateTime>().ok())
            .map(|date| date.to_utc().unwrap_or_else(|| date.naive().and_utc()))
            .or_else(|| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()
                    .map(|date| date.and_time(NaiveTime::MIN).and_utc())
            });
        if parsed.is_none() {
            self.fail(
                property,
                format!("'{}' is not a valid date-time.", display_name(property)),
            );
        }
        parsed
    }

    /// A time of day (`09:21:00`, with or without a fraction), when there.
    fn time_of_day(&mut self, property: &str, value: Option<&str>) -> Option<NaiveTime> {
        let parsed = value?
            .parse::<awork_models::TimeOfDay>()
            .ok()
            .map(|time| time.time());
        if parsed.is_none() {
            self.fail(
                property,
                format!("'{}' is not a valid time of day.", display_name(property)),
            );
        }
        parsed
    }

    /// `found`, or a broken rule of the body `property` that names no `what`.
    fn exists<T>(&mut self, property: &str, found: Option<T>, what: &str) -> Option<T> {
        if found.is_none() {
            self.fail(
                property,
                format!(
                    "'{}' must be the id of an existing {what}.",
                    display_name(property)
                ),
            );
        }
        found
    }

    /// Whether nothing broke a rule; otherwise the refusal that lists every broken rule.
    fn finish(self) -> Result<(), Refused> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Refused::Invalid(self.errors))
        }
    }
}

/// `2026-12-25T10:00` (with or without an offset) as `2026-12-25T10:00:00`: .NET's JSON reader
/// takes a date-time without its seconds.
fn with_seconds(text: &str) -> Option<String> {
    let (minutes, rest) = text.split_at_checked(16)?;
    let shape = minutes.as_bytes();
    (shape[10] == b'T' && shape[13] == b':' && !rest.starts_with(':'))
        .then(|| format!("{minutes}:00{rest}"))
}

/// A property's name as FluentValidation writes it in messages: `TypeOfWorkId` as `Type Of Work Id`.
fn display_name(property: &str) -> String {
    let mut name = String::with_capacity(property.len() + 4);
    for (index, character) in property.chars().enumerate() {
        if index > 0 && character.is_ascii_uppercase() {
            name.push(' ');
        }
        name.push(character);
    }
    name
}

/// A moment as awork writes entity dates.
fn zulu(instant: DateTime<Utc>) -> AworkDateTime {
    AworkDateTime::zulu(instant)
}
