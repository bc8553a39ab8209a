//! The event types awork sends, the entity type of each, and every spelling awork has used for them.
//!
//! The spec (`spec/awork-webhooks.md`) lists 30 event types. awork has written their names in several
//! ways over the years (see README, "Event-name spellings"): the spec's draft list ([`Naming::Spec`]),
//! the published docs ([`Naming::Docs`]) and the names its API registers today ([`Naming::Api`]), which
//! add five event types of their own. Every spelling parses to its [`EventType`]; an [`EventName`]
//! keeps the spelling that arrived, so a payload re-serializes as it came, and a name awork adds later
//! parses as an unknown event that keeps its name.
//!
//! This module knows names only; the entity models live in [`crate::entities`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A family of event-name spellings awork has used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Naming {
    /// The 30 names of the spec (`spec/awork-webhooks.md`; awork's first docs draft, 2023-09-04).
    Spec,
    /// The names of awork's published webhook docs from 2023-09-05 on (`client_updated`,
    /// `projectmember_added`, `task_list_updated`, …).
    Docs,
    /// The names awork's API registers and sends today (`company_added`, `task_added`, `tasklist_added`,
    /// `timetracking_added`, …), which include five event types the spec does not list.
    Api,
}

impl Naming {
    /// Every naming, in the order names are looked up.
    pub const ALL: [Naming; 3] = [Naming::Spec, Naming::Docs, Naming::Api];
}

/// The kind of entity an event is about, written in the envelope's `entityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// A time off of a user (`absence`).
    Absence,
    /// A client (`company`; awork's API calls clients companies).
    Company,
    /// A comment on a project or task (`comment`).
    Comment,
    /// A project (`project`).
    Project,
    /// A user's membership in a project (`projectmember`).
    ProjectMember,
    /// A task (`task`).
    Task,
    /// A user's assignment to a task (`taskassignment`).
    TaskAssignment,
    /// A list of tasks within a project (`tasklist`).
    TaskList,
    /// A time entry (`timetracking`).
    TimeTracking,
    /// A user of the workspace (`user`).
    User,
}

impl EntityType {
    /// The name awork writes in `entityType`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityType::Absence => "absence",
            EntityType::Company => "company",
            EntityType::Comment => "comment",
            EntityType::Project => "project",
            EntityType::ProjectMember => "projectmember",
            EntityType::Task => "task",
            EntityType::TaskAssignment => "taskassignment",
            EntityType::TaskList => "tasklist",
            EntityType::TimeTracking => "timetracking",
            EntityType::User => "user",
        }
    }

    /// Parses an `entityType` value. Besides the names of [`EntityType::as_str`] this accepts `client`,
    /// which the docs' spelling of the client events suggests awork may send for companies.
    pub fn from_wire(name: &str) -> Option<EntityType> {
        Some(match name {
            "absence" => EntityType::Absence,
            "company" | "client" => EntityType::Company,
            "comment" => EntityType::Comment,
            "project" => EntityType::Project,
            "projectmember" => EntityType::ProjectMember,
            "task" => EntityType::Task,
            "taskassignment" => EntityType::TaskAssignment,
            "tasklist" => EntityType::TaskList,
            "timetracking" => EntityType::TimeTracking,
            "user" => EntityType::User,
            _ => return None,
        })
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`EventType`] with, per variant: the spec's name, the docs' name, the API's name, and the
/// entity type. `None` marks a naming that has no name for the event.
macro_rules! event_types {
    ($( $(#[$doc:meta])* $variant:ident => $spec:expr, $docs:expr, $api:expr, $entity:ident; )*) => {
        /// An event type awork sends: the 30 of the spec, then the five more that awork's API registers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $( $(#[$doc])* $variant, )*
        }

        impl EventType {
            /// Every known event type: the spec's 30 in the spec's order, then the API's extra five.
            pub const ALL: &'static [EventType] = &[ $( EventType::$variant, )* ];

            /// The name of this event type under `naming`, or `None` when that naming has none (the
            /// API's extra event types have no spec or docs name).
            pub const fn name_in(self, naming: Naming) -> Option<&'static str> {
                match (self, naming) {
                    $(
                        (EventType::$variant, Naming::Spec) => $spec,
                        (EventType::$variant, Naming::Docs) => $docs,
                        (EventType::$variant, Naming::Api) => $api,
                    )*
                }
            }

            /// The kind of entity the event carries.
            pub const fn entity_type(self) -> EntityType {
                match self {
                    $( EventType::$variant => EntityType::$entity, )*
                }
            }
        }
    };
}

event_types! {
    /// An absence was added.
    AbsenceAdded => Some("absence_added"), Some("absence_added"), Some("absence_added"), Absence;
    /// An absence was changed.
    AbsenceUpdated => Some("absence_updated"), Some("absence_updated"), Some("absence_updated"), Absence;
    /// An absence was deleted.
    AbsenceDeleted => Some("absence_deleted"), Some("absence_deleted"), Some("absence_deleted"), Absence;
    /// A client was added.
    ClientAdded => Some("client_added"), Some("client_added"), Some("company_added"), Company;
    /// A client was changed.
    ClientChanged => Some("client_changed"), Some("client_updated"), Some("company_updated"), Company;
    /// A client was deleted.
    ClientDeleted => Some("client_deleted"), Some("client_deleted"), Some("company_deleted"), Company;
    /// A project was added.
    ProjectAdded => Some("project_added"), Some("project_added"), Some("project_added"), Project;
    /// A project was changed.
    ProjectChanged => Some("project_changed"), Some("project_updated"), Some("project_updated"), Project;
    /// A comment was added to a project.
    ProjectCommentAdded => Some("project_comment_added"), Some("project_comment_added"), Some("project_comment_added"), Comment;
    /// A project was deleted.
    ProjectDeleted => Some("project_deleted"), Some("project_deleted"), Some("project_deleted"), Project;
    /// A user became a member of a project.
    ProjectMemberAdded => Some("project_member_added"), Some("projectmember_added"), Some("projectmember_added"), ProjectMember;
    /// A user stopped being a member of a project.
    ProjectMemberDeleted => Some("project_member_deleted"), Some("projectmember_deleted"), Some("projectmember_deleted"), ProjectMember;
    /// A project's status changed.
    ProjectStatusChanged => Some("project_status_changed"), Some("project_status_changed"), Some("project_status_changed"), Project;
    /// A task was added to a project.
    ProjectTaskAdded => Some("project_task_added"), Some("project_task_added"), Some("task_added"), Task;
    /// A task was deleted from a project.
    ProjectTaskDeleted => Some("project_task_deleted"), Some("project_task_deleted"), Some("task_deleted"), Task;
    /// A user was assigned to a task.
    TaskAssignmentAdded => Some("task_assignment_added"), Some("taskassignment_added"), Some("taskassignment_added"), TaskAssignment;
    /// A user was unassigned from a task.
    TaskAssignmentDeleted => Some("task_assignment_deleted"), Some("taskassignment_deleted"), Some("taskassignment_deleted"), TaskAssignment;
    /// A task was changed.
    TaskChanged => Some("task_changed"), Some("task_updated"), Some("task_updated"), Task;
    /// A comment was added to a task.
    TaskCommentAdded => Some("task_comment_added"), Some("task_comment_added"), Some("task_comment_added"), Comment;
    /// A task list was added.
    TaskListAdded => Some("task_list_added"), Some("task_list_added"), Some("tasklist_added"), TaskList;
    /// A task list was changed.
    TaskListChanged => Some("task_list_changed"), Some("task_list_updated"), Some("tasklist_updated"), TaskList;
    /// A task list was deleted.
    TaskListDeleted => Some("task_list_deleted"), Some("task_list_deleted"), Some("tasklist_deleted"), TaskList;
    /// A task's status changed.
    TaskStatusChanged => Some("task_status_changed"), Some("task_status_changed"), Some("task_status_changed"), Task;
    /// Time was tracked.
    TimeTrackingAdded => Some("time_tracking_added"), Some("timetracking_added"), Some("timetracking_added"), TimeTracking;
    /// A time entry was changed.
    TimeTrackingChanged => Some("time_tracking_changed"), Some("timetracking_updated"), Some("timetracking_updated"), TimeTracking;
    /// A time entry was deleted.
    TimeTrackingDeleted => Some("time_tracking_deleted"), Some("timetracking_deleted"), Some("timetracking_deleted"), TimeTracking;
    /// A user was activated or deactivated.
    UserActivationChanged => Some("user_activation_changed"), Some("user_activation_changed"), Some("user_activation_changed"), User;
    /// A user was added to the workspace.
    UserAdded => Some("user_added"), Some("user_added"), Some("user_added"), User;
    /// A user was deleted from the workspace.
    UserDeleted => Some("user_deleted"), Some("user_deleted"), Some("user_deleted"), User;
    /// A user's status changed (for example, the invitation was accepted).
    UserStatusChanged => Some("user_status_changed"), Some("user_status_changed"), Some("user_status_changed"), User;
    /// A client's type changed (API only).
    CompanyTypeChanged => None, None, Some("company_type_changed"), Company;
    /// A project's type changed (API only).
    ProjectTypeChanged => None, None, Some("project_type_changed"), Project;
    /// A task's type of work changed (API only).
    TaskTypeChanged => None, None, Some("task_type_changed"), Task;
    /// A time entry's type of work changed (API only).
    TimeTrackingTypeChanged => None, None, Some("timetracking_type_changed"), TimeTracking;
    /// A user was changed (API only).
    UserUpdated => None, None, Some("user_updated"), User;
}

impl EventType {
    /// The 30 event types of the spec, in the spec's order.
    pub const SPEC: &'static [EventType] = EventType::ALL.split_at(30).0;

    /// The event types awork's API registers (35): the spec's 30 and the API's extra five.
    pub const API: &'static [EventType] = EventType::ALL;

    /// The name this event type has under `naming`; for an event only the API knows, its API name.
    pub fn name(self, naming: Naming) -> &'static str {
        self.name_in(naming)
            .or(self.name_in(Naming::Api))
            .expect("every event type has an API name")
    }

    /// The spec's name (`project_member_added`); for an event only the API knows, its API name.
    pub fn spec_name(self) -> &'static str {
        self.name(Naming::Spec)
    }

    /// Whether the spec lists this event type.
    pub fn in_spec(self) -> bool {
        self.name_in(Naming::Spec).is_some()
    }

    /// Looks a name up in every naming; returns the event type and the first naming that spells it so.
    pub fn lookup(name: &str) -> Option<(EventType, Naming)> {
        Naming::ALL.into_iter().find_map(|naming| {
            EventType::ALL
                .iter()
                .find(|event| event.name_in(naming) == Some(name))
                .map(|event| (*event, naming))
        })
    }
}

impl fmt::Display for EventType {
    /// Writes the spec's name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec_name())
    }
}

/// Why a text names no known event type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type {0:?}")]
pub struct UnknownEventType(pub String);

impl FromStr for EventType {
    type Err = UnknownEventType;

    /// Parses a name in any of awork's spellings.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        EventType::lookup(name)
            .map(|(event, _)| event)
            .ok_or_else(|| UnknownEventType(name.to_owned()))
    }
}

/// The envelope's `eventType`: the name as it arrived, and the event type it denotes, if known.
///
/// Parsing never fails: a name awork adds later is kept as an unknown event.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EventName {
    name: Box<str>,
    known: Option<EventType>,
}

impl EventName {
    /// The name of `event` under `naming`.
    pub fn new(event: EventType, naming: Naming) -> Self {
        Self {
            name: event.name(naming).into(),
            known: Some(event),
        }
    }

    /// Parses any name: a known spelling gives its event type; anything else is kept as unknown.
    pub fn parse(name: &str) -> Self {
        Self {
            name: name.into(),
            known: EventType::lookup(name).map(|(event, _)| event),
        }
    }

    /// The name exactly as it arrived.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The event type, or `None` for a name this crate does not know.
    pub fn event_type(&self) -> Option<EventType> {
        self.known
    }
}

impl From<EventType> for EventName {
    /// The spec's name of the event type.
    fn from(event: EventType) -> Self {
        EventName::new(event, Naming::Spec)
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.name, f)
    }
}

impl Serialize for EventName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for EventName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(EventName::parse(&name))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_spec_lists_thirty_event_types_in_its_order() {
        assert_eq!(EventType::SPEC.len(), 30);
        assert!(EventType::SPEC.iter().all(|event| event.in_spec()));
        assert!(EventType::ALL[30..].iter().all(|event| !event.in_spec()));
        assert_eq!(EventType::SPEC[0].spec_name(), "absence_added");
        assert_eq!(EventType::SPEC[29].spec_name(), "user_status_changed");
    }

    #[test]
    fn every_name_in_every_naming_parses_back_to_its_event() {
        for &event in EventType::ALL {
            for naming in Naming::ALL {
                if let Some(name) = event.name_in(naming) {
                    assert_eq!(name.parse::<EventType>(), Ok(event), "{name}");
                    let parsed = EventName::parse(name);
                    assert_eq!(parsed.as_str(), name);
                    assert_eq!(parsed.event_type(), Some(event));
                }
            }
        }
    }

    #[test]
    fn no_name_means_two_event_types() {
        let mut seen = std::collections::HashMap::new();
        for &event in EventType::ALL {
            for naming in Naming::ALL {
                if let Some(name) = event.name_in(naming) {
                    assert_eq!(
                        *seen.entry(name).or_insert(event),
                        event,
                        "{name} is ambiguous"
                    );
                }
            }
        }
        assert_eq!(
            seen.len(),
            30 + 11 + 8 + 5,
            "names: {:?}",
            seen.keys().collect::<HashSet<_>>()
        );
    }

    #[test]
    fn unknown_names_are_kept() {
        let name = EventName::parse("workspace_added");
        assert_eq!(name.event_type(), None);
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"workspace_added\"");
        assert!("workspace_added".parse::<EventType>().is_err());
    }

    #[test]
    fn entity_types_parse_from_the_wire() {
        for &event in EventType::ALL {
            let entity = event.entity_type();
            assert_eq!(EntityType::from_wire(entity.as_str()), Some(entity));
        }
        assert_eq!(EntityType::from_wire("client"), Some(EntityType::Company));
        assert_eq!(EntityType::from_wire("Project"), None);
    }
}
