//! How a write of awork's REST API is answered: the body read as its form ([`super::body`]), the
//! write applied to the world by the user behind the
//! API key, the events it caused queued with the write in the journal (one transaction: a crash
//! keeps both or neither), and awork's answer: the entity (cut to its response model), 204, 207
//! when some items of a batch failed, or the refusal as awork's `ErrorResponse`.

use std::sync::Arc;

use awork_generate::writes::{Refused, Write};
use http::StatusCode;

use super::schemas;
use crate::Shared;
use crate::answer::{self, Answer};
use crate::story::Step;

/// Applies `write` and answers it; the entity answered is of the response model `model`.
pub(super) fn perform(shared: &Arc<Shared>, write: Write, model: Option<&str>) -> Answer {
    let mut story = shared.lock_story();
    let at = chrono::Utc::now();
    let written = match story.write(&shared.admin_id, &write, Some(at)) {
        Ok(written) => written,
        Err(refused) => return refusal(&refused),
    };
    let step = Step::Write {
        actor: shared.admin_id.clone(),
        write: Box::new(write),
    };
    if let Err(failure) = crate::api::record(shared, &step, at, &written.events, None) {
        // The world changed but the journal did not take it (a full disk, a removed database):
        // the world goes back to what the journal tells, so the refused write leaves no trace.
        shared.rewind(&mut story);
        return answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "database-commit",
            &failure.to_string(),
            &[],
        );
    }
    drop(story);
    // A task answers with its project's summary, as it reads back: the world's task carries it.
    match (written.response, model) {
        (Some(mut entity), Some(model)) => {
            schemas::keep_declared(&mut entity, model);
            answer::ok(&entity)
        }
        _ if written.partial => answer::json(StatusCode::MULTI_STATUS, &serde_json::json!([])),
        _ => answer::no_content(),
    }
}

/// awork's `ErrorResponse` for a refused write: 400 with `validationErrors`, or 404.
fn refusal(refused: &Refused) -> Answer {
    let invalid: Vec<(String, String)> = match refused {
        Refused::Invalid(errors) => errors
            .iter()
            .map(|error| (error.property.clone(), error.message.clone()))
            .collect(),
        Refused::NotFound { .. } => Vec::new(),
    };
    let status = StatusCode::from_u16(refused.status()).unwrap_or(StatusCode::BAD_REQUEST);
    answer::error(status, refused.code(), &refused.to_string(), &invalid)
}
