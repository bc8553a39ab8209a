//! Comments on projects and tasks (`awork/ENTITIES.md` §4.8: `CommentEventModel`).

use super::{NestedUser, model};
use crate::AworkDateTime;

model! {
    /// A comment (`CommentEventModel`), the entity of `project_comment_added` and `task_comment_added`.
    pub struct Comment {
        /// The comment's id.
        pub id: String,
        /// The commented task's or project's id.
        pub entity_id: Option<String>,
        /// `tasks` or `projects`: plural here, unlike the envelope's `entityType`.
        pub entity_type: Option<String>,
        /// The commented entity.
        pub entity: Option<CommentedEntity>,
        /// The project (project comments, and the task's project for task comments).
        pub project: Option<serde_json::Value>,
        /// The task (task comments).
        pub task: Option<serde_json::Value>,
        /// The document (document comments, which have no webhook event).
        pub document: Option<serde_json::Value>,
        /// The raw text.
        pub message: Option<String>,
        /// The text with mentions resolved, as HTML.
        pub formatted_message: Option<String>,
        /// The text with mentions resolved, as plain text.
        pub plain_formatted_message: Option<String>,
        /// The author's id.
        pub user_id: Option<String>,
        /// The author.
        pub user: Option<NestedUser>,
        /// The users mentioned.
        pub mentions: Option<serde_json::Value>,
        /// Emoji reactions.
        pub reactions: Option<Vec<Reaction>>,
        /// Link previews, as URLs.
        pub previews: Option<Vec<String>>,
        /// Whether guests from other workspaces do not see it.
        pub is_hidden_for_connect_users: Option<bool>,
        /// Whether the comment is resolved (documents only).
        pub is_resolved: Option<bool>,
        /// The comment this one replies to.
        pub in_reply_to_comment_id: Option<String>,
        /// Version in .NET ticks.
        pub resource_version: Option<i64>,
        /// Whether it comes from another workspace.
        pub is_external: Option<bool>,
        /// When it was written.
        pub created_on: Option<AworkDateTime>,
        /// Who wrote it.
        pub created_by: Option<String>,
        /// When it was last edited.
        pub updated_on: Option<AworkDateTime>,
        /// Who last edited it.
        pub updated_by: Option<String>,
    }
}

model! {
    /// The entity a comment is on.
    pub struct CommentedEntity {
        /// Its id.
        pub id: Option<String>,
        /// Its name.
        pub name: Option<String>,
    }
}

model! {
    /// An emoji reaction to a comment.
    pub struct Reaction {
        /// Who reacted.
        pub user_id: Option<String>,
        /// The emoji (`"👍"`).
        pub emoji: Option<String>,
    }
}
