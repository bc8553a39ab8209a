//! Tasks and what is nested in them, task lists, and task assignments (`awork/ENTITIES.md` §4.2,
//! §4.3, §4.10).

use super::{
    CustomField, Double, NestedCompany, ProjectMember, ProjectStatus, ProjectType, Tag, Team,
    TypeOfWork, model,
};
use crate::AworkDateTime;

model! {
    /// A task (`TaskModel`), the entity of `project_task_*`, `task_changed` and `task_status_changed`.
    pub struct Task {
        /// The task's id.
        pub id: String,
        /// The name (at most 1000 characters).
        pub name: String,
        /// The description, HTML or text (at most 25000 characters).
        pub description: Option<String>,
        /// Whether the task is marked as a priority.
        pub is_prio: Option<bool>,
        /// Planned start.
        pub start_on: Option<AworkDateTime>,
        /// Due date.
        pub due_on: Option<AworkDateTime>,
        /// Vertical position on the board.
        pub lane_order: Option<i64>,
        /// Planned effort, in seconds.
        pub planned_duration: Option<i64>,
        /// `private` or `projecttask`.
        pub base_type: Option<String>,
        /// The current status's id.
        pub task_status_id: Option<String>,
        /// The current status.
        pub task_status: Option<TaskStatus>,
        /// The type of work's id.
        pub type_of_work_id: Option<String>,
        /// The type of work.
        pub type_of_work: Option<TypeOfWork>,
        /// The assigned users.
        pub assignees: Option<Vec<Assignee>>,
        /// The owning project (project tasks).
        pub project_id: Option<String>,
        /// A summary of the owning project.
        pub project: Option<NestedProject>,
        /// The owner of a private task.
        pub user_id: Option<String>,
        /// Deprecated: the project id or user id.
        pub entity_id: Option<String>,
        /// Sequential number within the project.
        pub task_number: Option<i64>,
        /// Project key and number (`"WEB-42"`).
        pub task_identifier: Option<String>,
        /// The parent's id, or the task's own.
        pub correlation_id: Option<String>,
        /// The parent task (subtasks).
        pub parent_id: Option<String>,
        /// A summary of the parent task.
        pub parent_task: Option<ParentTask>,
        /// Whether this is a subtask.
        pub is_subtask: Option<bool>,
        /// Number of subtasks (absent when none).
        pub number_of_subtasks: Option<i64>,
        /// Whether files are attached.
        pub has_attachment: Option<bool>,
        /// The task lists the task is on.
        pub lists: Option<Vec<TaskList>>,
        /// The primary task list.
        pub primary_task_list_id: Option<String>,
        /// Tags.
        pub tags: Option<Vec<Tag>>,
        /// When the task was created.
        pub created_on: Option<AworkDateTime>,
        /// Who created it.
        pub created_by: Option<String>,
        /// When it was last changed.
        pub updated_on: Option<AworkDateTime>,
        /// Who last changed it.
        pub updated_by: Option<String>,
        /// When it reached a done status.
        pub closed_on: Option<AworkDateTime>,
        /// Who closed it.
        pub closed_by: Option<String>,
        /// Order within the status column.
        pub order: Option<Double>,
        /// Order among the parent's subtasks.
        pub subtask_order: Option<Double>,
        /// The recurrence template the task came from.
        pub created_from_task_id: Option<String>,
        /// Whether the task is a recurrence template.
        pub is_recurring: Option<bool>,
        /// Custom field values.
        pub custom_fields: Option<Vec<CustomField>>,
        /// Time tracked on this task, in seconds.
        pub tracked_duration: Option<i64>,
        /// Time tracked including subtasks, in seconds.
        pub total_tracked_duration: Option<i64>,
        /// Planned time including subtasks, in seconds.
        pub total_planned_duration: Option<i64>,
        /// Planned time including the hierarchy, in seconds.
        pub total_planned_duration_with_hierarchy: Option<i64>,
        /// Whether dates follow the subtasks.
        pub derive_dates_from_subtasks: Option<bool>,
        /// Version in .NET ticks.
        pub resource_version: Option<i64>,
        /// Checklist items.
        pub checklist_items_count: Option<i64>,
        /// Checklist items done.
        pub checklist_items_done_count: Option<i64>,
        /// Scheduled blocks.
        pub task_schedules_count: Option<i64>,
        /// Whether the planned effort is fully scheduled.
        pub is_completely_scheduled: Option<bool>,
        /// Number of comments.
        pub comment_count: Option<i64>,
        /// How the task was created, set by awork.
        pub created_via: Option<String>,
        /// Whether the task comes from another workspace.
        pub is_external: Option<bool>,
        /// Whether guests from other workspaces do not see it.
        pub is_hidden_for_connect_users: Option<bool>,
        /// The old task key, removed by awork in 2023 (`"HS-01"`).
        pub key: Option<String>,
    }
}

model! {
    /// A task status (`TaskStatus`).
    pub struct TaskStatus {
        /// The status's id.
        pub id: String,
        /// Its name (`"To do"`).
        pub name: Option<String>,
        /// `todo`, `progress`, `review`, `stuck` or `done`.
        #[serde(rename = "type")]
        pub kind: Option<String>,
        /// Position among the project's statuses.
        pub order: Option<Double>,
        /// A Material icon name.
        pub icon: Option<String>,
        /// The project the status belongs to.
        pub project_id: Option<String>,
        /// The project type the status belongs to.
        pub project_type_id: Option<String>,
        /// The workflow the status belongs to.
        pub workflow_id: Option<String>,
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
    /// An assigned user (`NestedUserModelForTasks`).
    pub struct Assignee {
        /// The user's id.
        pub id: String,
        /// First name.
        pub first_name: Option<String>,
        /// Last name.
        pub last_name: Option<String>,
        /// Whether the user has a profile image.
        pub has_image: Option<bool>,
        /// The user's planned effort on the task, in seconds.
        pub planned_effort: Option<i64>,
        /// Whether the task's effort is split among assignees.
        pub is_distributed_planned_effort: Option<bool>,
        /// When the assignment last changed.
        pub updated_on: Option<AworkDateTime>,
        /// The user's tags (no longer filled in by awork since 2023).
        pub tags: Option<Vec<Tag>>,
        /// The user's teams (no longer filled in by awork since 2023).
        pub teams: Option<Vec<Team>>,
        /// Whether the user comes from another workspace.
        pub is_external: Option<bool>,
    }
}

model! {
    /// A project as nested in tasks and time entries (`NestedProjectModelForTasks`).
    pub struct NestedProject {
        /// The project's id.
        pub id: String,
        /// Its name.
        pub name: Option<String>,
        /// Its key (`"WEB"`).
        pub project_key: Option<String>,
        /// Its status.
        pub project_status: Option<ProjectStatus>,
        /// Its client.
        pub company: Option<NestedCompany>,
        /// Its client's id.
        pub company_id: Option<String>,
        /// Its type.
        pub project_type: Option<ProjectType>,
        /// Whether it has an image.
        pub has_image: Option<bool>,
        /// Whether it is private.
        pub is_private: Option<bool>,
        /// Whether its time is billable by default.
        pub is_billable_by_default: Option<bool>,
        /// Its colour.
        pub color: Option<String>,
        /// Who created it.
        pub created_by: Option<String>,
        /// Its members.
        pub members: Option<Vec<ProjectMember>>,
        /// Its tags.
        pub tags: Option<Vec<Tag>>,
        /// Its teams.
        pub teams: Option<Vec<Team>>,
        /// Its custom field values.
        pub custom_fields: Option<Vec<CustomField>>,
        /// Whether it comes from another workspace.
        pub is_external: Option<bool>,
    }
}

model! {
    /// The parent of a subtask.
    pub struct ParentTask {
        /// The parent's id.
        pub id: String,
        /// Its name.
        pub name: Option<String>,
        /// Who created it.
        pub created_by: Option<String>,
        /// The owner of a private parent.
        pub user_id: Option<String>,
        /// Its assignees.
        pub assignee_ids: Option<Vec<String>>,
    }
}

model! {
    /// A task list (`TaskList`), the entity of the `task_list_*` events, and an entry of a task's
    /// `lists` (`TaskOrderList`, which adds `orderOfTask`). awork's model has no project id.
    pub struct TaskList {
        /// The list's id.
        pub id: String,
        /// Its name.
        pub name: Option<String>,
        /// Position in the project.
        pub order: Option<Double>,
        /// Whether it is archived.
        pub is_archived: Option<bool>,
        /// Whether guests from other workspaces do not see it.
        pub is_hidden_for_connect_users: Option<bool>,
        /// Planned time of the list itself, in seconds.
        pub planned_duration: Option<i64>,
        /// Planned time including its primary tasks, in seconds.
        pub total_planned_duration: Option<i64>,
        /// Planned time including the hierarchy, in seconds.
        pub total_planned_duration_with_hierarchy: Option<i64>,
        /// Time tracked on its tasks, in seconds.
        pub tracked_duration: Option<i64>,
        /// The task's position in this list (only within a task's `lists`).
        pub order_of_task: Option<Double>,
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
    /// A user's assignment to a task, the entity of the `task_assignment_*` events.
    ///
    /// awork has published neither a sample nor a model for it. This model takes the most likely
    /// shape, an assignee record (`NestedUserModelForTasks`) with the task's id; whatever else arrives
    /// is kept in `extra`.
    pub struct TaskAssignment {
        /// The assignment's id.
        pub id: String,
        /// The task.
        pub task_id: Option<String>,
        /// The assigned user.
        pub user_id: Option<String>,
        /// The user's first name.
        pub first_name: Option<String>,
        /// The user's last name.
        pub last_name: Option<String>,
        /// Whether the user has a profile image.
        pub has_image: Option<bool>,
        /// The user's planned effort on the task, in seconds.
        pub planned_effort: Option<i64>,
        /// Whether the task's effort is split among assignees.
        pub is_distributed_planned_effort: Option<bool>,
        /// When the assignment last changed.
        pub updated_on: Option<AworkDateTime>,
    }
}
