//! Users, their absences, and clients (`awork/ENTITIES.md` §4.4, §4.6, §4.7).

use super::{ContactInfo, Tag, Team, model};
use crate::AworkDateTime;

model! {
    /// A user of the workspace (`User`), the entity of the `user_*` events.
    pub struct User {
        /// The user's id.
        pub id: String,
        /// First name.
        pub first_name: Option<String>,
        /// Last name.
        pub last_name: Option<String>,
        /// Birth date (midnight UTC).
        pub birth_date: Option<AworkDateTime>,
        /// Gender (`"female"`).
        pub gender: Option<String>,
        /// Title (`"Dr."`).
        pub title: Option<String>,
        /// Position (`"Art Director"`).
        pub position: Option<String>,
        /// UI language (`"de-DE"`).
        pub language: Option<String>,
        /// Invitation and activation state.
        pub status: Option<UserStatus>,
        /// Whether the user is deactivated.
        pub is_deactivated: Option<bool>,
        /// When the user was deactivated.
        pub deactivated_on: Option<AworkDateTime>,
        /// Whether the user is archived.
        pub is_archived: Option<bool>,
        /// When the user was deleted.
        pub deleted_on: Option<AworkDateTime>,
        /// Whether the user has a profile image.
        pub has_image: Option<bool>,
        /// Whether the user should move to awork Connect.
        pub should_migrate_to_connect: Option<bool>,
        /// Phone numbers, e-mail addresses and the like.
        pub user_contact_infos: Option<Vec<ContactInfo>>,
        /// Tags.
        pub tags: Option<Vec<Tag>>,
        /// Teams.
        pub teams: Option<Vec<Team>>,
        /// Version in .NET ticks.
        pub resource_version: Option<i64>,
        /// Whether the user comes from another workspace.
        pub is_external: Option<bool>,
        /// When the user was created.
        pub created_on: Option<AworkDateTime>,
        /// Who created the user.
        pub created_by: Option<String>,
        /// When the user was last changed.
        pub updated_on: Option<AworkDateTime>,
        /// Who last changed the user.
        pub updated_by: Option<String>,
        /// The old user key, removed by awork in 2023 (`"JD"`).
        pub key: Option<String>,
        /// The old weekly capacity, in seconds.
        pub capacity_per_week: Option<i64>,
    }
}

model! {
    /// A user's invitation and activation state.
    pub struct UserStatus {
        /// Whether the user accepted the invitation.
        pub invitation_accepted: Option<bool>,
        /// Whether the user is deactivated.
        pub is_deactivated: Option<bool>,
    }
}

model! {
    /// A user's time off (`Absence`), the entity of the `absence_*` events.
    pub struct Absence {
        /// The absence's id.
        pub id: String,
        /// The absent user.
        pub user_id: Option<String>,
        /// First day (00:00 or 12:00 UTC).
        pub start_on: Option<AworkDateTime>,
        /// Last day (12:00 or 23:59:59 UTC).
        pub end_on: Option<AworkDateTime>,
        /// The reason (`"Vacation"`).
        pub description: Option<String>,
        /// The system the absence comes from, which makes it read-only in awork.
        pub external_provider: Option<String>,
        /// Whether the absence is read-only.
        pub is_read_only: Option<bool>,
        /// Whether the first day is a half day.
        pub is_half_day_on_start: Option<bool>,
        /// Whether the last day is a half day.
        pub is_half_day_on_end: Option<bool>,
        /// When the absence was deleted.
        pub deleted_on: Option<AworkDateTime>,
        /// Who deleted it.
        pub deleted_by: Option<String>,
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
    /// A client (`Company`), the entity of the `client_*` events.
    pub struct Company {
        /// The client's id.
        pub id: String,
        /// Its name (`"Acme Inc"`).
        pub name: String,
        /// A description.
        pub description: Option<String>,
        /// Its industry (`"Brand Agency"`).
        pub industry: Option<String>,
        /// Whether it has a logo.
        pub has_image: Option<bool>,
        /// Addresses, phone numbers and e-mail addresses.
        pub company_contact_infos: Option<Vec<ContactInfo>>,
        /// Tags.
        pub tags: Option<Vec<Tag>>,
        /// Number of its projects.
        pub projects_count: Option<i64>,
        /// Number of its projects in progress.
        pub projects_in_progress_count: Option<i64>,
        /// Version in .NET ticks.
        pub resource_version: Option<i64>,
        /// Whether it comes from another workspace.
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
