//! Projects and what is nested in them: status, type, client and members (`awork/ENTITIES.md` §4.1,
//! §4.9).

use super::{CustomField, Tag, Team, model};
use crate::AworkDateTime;

model! {
    /// A project (`Project`), the entity of the `project_*` events.
    ///
    /// The fields come first in the order of awork's documented example, so a generated project reads
    /// like a real one.
    pub struct Project {
        /// The project's id.
        pub id: String,
        /// Whether the project has an image.
        pub has_image: Option<bool>,
        /// When the project was created.
        pub created_on: Option<AworkDateTime>,
        /// Who created it.
        pub created_by: Option<String>,
        /// When it was last changed.
        pub updated_on: Option<AworkDateTime>,
        /// Who last changed it.
        pub updated_by: Option<String>,
        /// The current status.
        pub project_status: Option<ProjectStatus>,
        /// Tags, as objects or bare names.
        pub tags: Option<Vec<Tag>>,
        /// Sum of the tasks' planned time, in seconds.
        pub planned_duration: Option<i64>,
        /// Number of tasks.
        pub tasks_count: Option<i64>,
        /// Number of tasks done.
        pub tasks_done_count: Option<i64>,
        /// The members.
        pub members: Option<Vec<ProjectMember>>,
        /// Time tracked on the project, in seconds.
        pub tracked_duration: Option<i64>,
        /// The teams the project belongs to.
        pub teams: Option<Vec<Team>>,
        /// The id of the current status.
        pub project_status_id: Option<String>,
        /// The name (at most 1000 characters).
        pub name: String,
        /// Whether only members see the project.
        pub is_private: Option<bool>,
        /// The time budget, in seconds.
        pub time_budget: Option<i64>,
        /// Whether time tracked on the project is billable by default.
        pub is_billable_by_default: Option<bool>,
        /// The description (at most 25000 characters).
        pub description: Option<String>,
        /// The start date (midnight UTC).
        pub start_date: Option<AworkDateTime>,
        /// The due date (midnight UTC).
        pub due_date: Option<AworkDateTime>,
        /// The client's id.
        pub company_id: Option<String>,
        /// The client.
        pub company: Option<NestedCompany>,
        /// The project type's id.
        pub project_type_id: Option<String>,
        /// The project type.
        pub project_type: Option<ProjectType>,
        /// One of awork's colour names (`"purple"`).
        pub color: Option<String>,
        /// Whether non-billable time is deducted from budgets.
        pub deduct_non_billable_hours: Option<bool>,
        /// Whether the project key is shown; absent means the workspace default.
        pub is_project_key_visible: Option<bool>,
        /// The project key (`"WEB"`): uppercase letters, digits and dashes.
        pub project_key: Option<String>,
        /// The old project key, removed by awork in 2023 (`"WR"`).
        pub key: Option<String>,
        /// When the project was closed.
        pub closed_on: Option<AworkDateTime>,
        /// Who closed it.
        pub closed_by: Option<String>,
        /// The template the project was created from.
        pub created_by_project_template_id: Option<String>,
        /// The template used at creation.
        pub project_template_id: Option<String>,
        /// The public template used at creation.
        pub public_project_template_id: Option<String>,
        /// The workflow of the project.
        pub workflow_id: Option<String>,
        /// Planned time including the task-list hierarchy, in seconds.
        pub total_planned_duration_with_hierarchy: Option<i64>,
        /// Custom field values.
        pub custom_fields: Option<Vec<CustomField>>,
        /// Version in .NET ticks.
        pub resource_version: Option<i64>,
        /// Whether the project comes from another workspace (awork Connect).
        pub is_external: Option<bool>,
        /// Whether it is a retainer project.
        pub is_retainer: Option<bool>,
        /// Whether its tasks may have several assignees.
        pub is_multi_assignment_allowed: Option<bool>,
    }
}

model! {
    /// A project status as nested in a project (`ExtendedProjectStatusModel`).
    pub struct ProjectStatus {
        /// The position of the status type (2 for `not-started`).
        pub type_order: Option<i64>,
        /// Whether the status is archived.
        pub is_archived: Option<bool>,
        /// `progress`, `not-started`, `closed` or `stuck`.
        #[serde(rename = "type")]
        pub kind: Option<String>,
        /// The status name (`"Not started"`).
        pub name: Option<String>,
        /// The status's id.
        pub id: String,
        /// A description.
        pub description: Option<String>,
        /// Whether it comes from another workspace.
        pub is_external: Option<bool>,
    }
}

model! {
    /// A project type (`"Kundenprojekt"`).
    pub struct ProjectType {
        /// The type's id.
        pub id: String,
        /// Its name.
        pub name: Option<String>,
        /// A Material icon name (`"work"`).
        pub icon: Option<String>,
        /// Whether it is archived.
        pub is_archived: Option<bool>,
    }
}

model! {
    /// A client as nested in a project.
    pub struct NestedCompany {
        /// The client's id.
        pub id: String,
        /// Its name (`"Acme Inc"`).
        pub name: Option<String>,
        /// Whether it has a logo.
        pub has_image: Option<bool>,
        /// A description.
        pub description: Option<String>,
        /// Its tags.
        pub tags: Option<Vec<Tag>>,
    }
}

model! {
    /// A user's membership in a project (`ProjectMember`): nested in projects, and the entity of the
    /// `project_member_*` events, whose exact shape awork has not published (unknown properties are
    /// kept in `extra`).
    pub struct ProjectMember {
        /// The membership's id (not the user's).
        pub id: String,
        /// The user.
        pub user_id: Option<String>,
        /// The user's first name.
        pub first_name: Option<String>,
        /// The user's last name.
        pub last_name: Option<String>,
        /// Whether the user has a profile image.
        pub has_image: Option<bool>,
        /// The project role.
        pub project_role_id: Option<String>,
        /// The role's name (`"Project Manager"`).
        pub project_role_name: Option<String>,
        /// Whether the member is the responsible person.
        pub is_responsible: Option<bool>,
        /// Whether the user is deactivated.
        pub is_deactivated: Option<bool>,
        /// Whether the user comes from another workspace.
        pub is_external: Option<bool>,
        /// The project.
        pub project_id: Option<String>,
        /// The member's time budget, in seconds.
        pub time_budget: Option<i64>,
    }
}
