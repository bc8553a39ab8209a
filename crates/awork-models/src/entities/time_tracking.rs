//! Time entries (`awork/ENTITIES.md` §4.5).

use super::{Assignee, NestedProject, NestedUser, ParentTask, Tag, TaskStatus, TypeOfWork, model};
use crate::{AworkDateTime, TimeOfDay};

model! {
    /// A time entry (`TimeTracking`), the entity of the `time_tracking_*` events.
    pub struct TimeTracking {
        /// The entry's id.
        pub id: String,
        /// Whose time it is (absent if the user was deleted).
        pub user_id: Option<String>,
        /// That user.
        pub user: Option<NestedUser>,
        /// The task the time is booked on.
        pub task_id: Option<String>,
        /// That task.
        pub task: Option<NestedTask>,
        /// The project the time is booked on.
        pub project_id: Option<String>,
        /// That project.
        pub project: Option<NestedProject>,
        /// The type of work's id.
        pub type_of_work_id: String,
        /// The type of work.
        pub type_of_work: Option<TypeOfWork>,
        /// A note (`"First draft of the sitemap"`).
        pub note: Option<String>,
        /// Whether the time is billable.
        pub is_billable: Option<bool>,
        /// Whether the time has been billed.
        pub is_billed: Option<bool>,
        /// Start date in UTC (midnight).
        pub start_date_utc: Option<AworkDateTime>,
        /// Start time of day in UTC.
        pub start_time_utc: Option<TimeOfDay>,
        /// End date in UTC (absent while a timer runs).
        pub end_date_utc: Option<AworkDateTime>,
        /// End time of day in UTC.
        pub end_time_utc: Option<TimeOfDay>,
        /// Start date in the entry's time zone, without an offset.
        pub start_date_local: Option<AworkDateTime>,
        /// Start time of day in the entry's time zone.
        pub start_time_local: Option<TimeOfDay>,
        /// End date in the entry's time zone, without an offset.
        pub end_date_local: Option<AworkDateTime>,
        /// End time of day in the entry's time zone.
        pub end_time_local: Option<TimeOfDay>,
        /// The IANA time zone (`"Europe/Berlin"`).
        pub timezone: String,
        /// The tracked time, in seconds.
        pub duration: Option<i64>,
        /// Breaks, in seconds.
        pub break_duration: Option<i64>,
        /// The breaks.
        pub breaks: Option<Vec<Break>>,
        /// Version in .NET ticks.
        pub resource_version: Option<i64>,
        /// Whether the entry comes from another workspace.
        pub is_external: Option<bool>,
        /// When it was created.
        pub created_on: Option<AworkDateTime>,
        /// Who created it.
        pub created_by: Option<String>,
        /// When it was last changed.
        pub updated_on: Option<AworkDateTime>,
        /// Who last changed it.
        pub updated_by: Option<String>,
    }
}

model! {
    /// A break within a time entry.
    pub struct Break {
        /// When the break started.
        pub start_date: Option<AworkDateTime>,
        /// When it ended.
        pub end_date: Option<AworkDateTime>,
        /// Its length, in seconds.
        pub duration: Option<i64>,
    }
}

model! {
    /// A task as nested in a time entry.
    pub struct NestedTask {
        /// The task's id.
        pub id: String,
        /// Its name.
        pub name: Option<String>,
        /// `private` or `projecttask`.
        pub base_type: Option<String>,
        /// Project key and number (`"WEB-42"`).
        pub task_identifier: Option<String>,
        /// Its status's id.
        pub task_status_id: Option<String>,
        /// Its type of work's id.
        pub type_of_work_id: Option<String>,
        /// Its project's id.
        pub project_id: Option<String>,
        /// Its project.
        pub project: Option<NestedProject>,
        /// Its planned effort, in seconds.
        pub planned_duration: Option<i64>,
        /// When it was closed.
        pub closed_on: Option<AworkDateTime>,
        /// Its status.
        pub task_status: Option<TaskStatus>,
        /// Its assignees.
        pub assignees: Option<Vec<Assignee>>,
        /// Its tags.
        pub tags: Option<Vec<Tag>>,
        /// Who created it.
        pub created_by: Option<String>,
        /// The parent's id, or its own.
        pub correlation_id: Option<String>,
        /// Its parent's id.
        pub parent_id: Option<String>,
        /// Its parent.
        pub parent_task: Option<ParentTask>,
    }
}
