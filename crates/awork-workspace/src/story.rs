//! The workspace's one world: awork-generate's seeded [`Generator`], running inside the server and
//! spelling event names as awork's API does. The story's own events, events of a type asked for,
//! test events and the REST API's reads and writes all use this one world, so every event belongs
//! to the same agency and mentions only what the workspace has announced.
//!
//! Durability is a journal of [`Step`]s: each step that changed the world is stored (in the same
//! store transaction that queues its events), and a restart replays the journal from the seed, so
//! the world is again what it was and the story goes on where it stopped. The generator is
//! deterministic, so a replay makes the same changes with the same ids. Memory is bounded: the
//! generator forgets old work.
//!
//! The world lives now: it begins [`HISTORY`] before the workspace's first start (kept in its
//! database), told quietly up to that start, so the REST API finds an agency at work and its people
//! have worked before; from then on each step follows the wall clock of the moment it was taken
//! (kept with it in the journal, so a replay tells the same story), and events carry the time they
//! happen.

use awork_generate::writes::{Refused, Write, Written};
use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Envelope, EventType, Naming};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// One change of the world, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "step"
)]
pub enum Step {
    /// `count` events of the story's choice.
    Story {
        /// How many.
        count: u64,
    },
    /// `count` events of one type (each after the events of what it needs first).
    Of {
        /// The event type's API name.
        event_type: String,
        /// How many.
        count: u64,
    },
    /// A write of awork's REST API that was accepted, by the user `actor`.
    Write {
        /// The acting user's id.
        actor: String,
        /// The write (boxed: forms are large, story steps small).
        write: Box<Write>,
    },
}

/// How long before the workspace's first start its world begins: four weeks of an agency's work
/// (about 1,200 events, told in some tens of milliseconds at every start) give it clients,
/// projects, tasks, time entries and comments before anybody listens.
pub const HISTORY: TimeDelta = TimeDelta::weeks(4);

/// The world and the story that changes it.
pub struct Story {
    generator: Generator,
}

impl Story {
    /// The world of `seed` as it starts, its trace ids salted with `trace_salt` (the workspace's
    /// own, kept in its database: the same across restarts, different for every new workspace).
    /// With `started`, the workspace's first start, the world's history up to that moment is
    /// told first (see [`HISTORY`]); without it (a workspace of a version before the world lived
    /// now), the story begins at the seed's Monday of 2025, as it did then.
    pub fn new(seed: u64, trace_salt: u128, started: Option<DateTime<Utc>>) -> Story {
        let config = GeneratorConfig {
            seed,
            naming: Naming::Api,
            event_types: Vec::new(),
        };
        let mut generator = Generator::new(config).with_trace_salt(Some(trace_salt));
        if let Some(started) = started {
            generator = generator.with_start(started - HISTORY);
            generator.tell_history_until(started);
        }
        Story { generator }
    }

    /// The id of the workspace's admin (its first user, who is never deactivated or deleted:
    /// the user behind the API key) and the workspace's URL (`https://<subdomain>.awork.com`, as
    /// the events' links have it).
    pub fn admin_and_url(&self) -> (String, String) {
        let world = self.generator.world();
        let admin = world
            .users
            .first()
            .map(|user| user.id.clone())
            .unwrap_or_default();
        (admin, format!("https://{}.awork.com", world.subdomain))
    }

    /// The world, for reading.
    pub fn world(&self) -> &awork_generate::world::World {
        self.generator.world()
    }

    /// Applies a write of awork's REST API by the user `actor`, at the wall clock's time `at`:
    /// what it answers and the events it made, or why it was refused (then nothing changed). An
    /// accepted write is a [`Step::Write`] for the journal, kept with `at`.
    pub fn write(
        &mut self,
        actor: &str,
        write: &Write,
        at: Option<DateTime<Utc>>,
    ) -> Result<Written, Refused> {
        self.follow(at);
        self.generator.write(actor, write)
    }

    /// Takes `step` at the wall clock's time `at` (the events happen then; `None`, for a step a
    /// version before the world lived now journaled, at the story's own pace): changes the world
    /// and returns the events it made, in order. An event type the API does not know makes
    /// nothing (the API refuses such names before they reach here), and neither does a write
    /// that is refused (only accepted writes are journaled).
    pub fn take(&mut self, step: &Step, at: Option<DateTime<Utc>>) -> Vec<Envelope> {
        self.follow(at);
        match step {
            Step::Story { count } => (0..*count).map(|_| self.generator.next_event()).collect(),
            Step::Of { event_type, count } => match EventType::lookup(event_type) {
                Some((event, _)) => (0..*count)
                    .flat_map(|_| self.generator.next_events_of(event))
                    .collect(),
                None => Vec::new(),
            },
            Step::Write { actor, write } => self
                .generator
                .write(actor, write)
                .map(|written| written.events)
                .unwrap_or_default(),
        }
    }

    fn follow(&mut self, at: Option<DateTime<Utc>>) {
        if let Some(at) = at {
            self.generator.follow_wall_clock(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaying_the_journal_gives_the_same_world_and_the_same_next_events() {
        let steps = [
            Step::Story { count: 40 },
            Step::Of {
                event_type: "task_added".into(),
                count: 3,
            },
            Step::Story { count: 10 },
        ];
        let mut first = Story::new(7, 42, None);
        let mut told = Vec::new();
        for step in &steps {
            told.extend(first.take(step, None));
        }
        let mut again = Story::new(7, 42, None);
        let mut retold = Vec::new();
        for step in &steps {
            retold.extend(again.take(step, None));
        }
        assert_eq!(told, retold);
        let next = Step::Story { count: 5 };
        assert_eq!(first.take(&next, None), again.take(&next, None));
    }

    #[test]
    fn events_of_a_type_come_from_the_same_world_after_what_they_need() {
        let mut story = Story::new(1, 0, None);
        let made = story.take(
            &Step::Of {
                event_type: "task_added".into(),
                count: 2,
            },
            None,
        );
        let names: Vec<&str> = made.iter().map(|event| event.event_type.as_str()).collect();
        assert_eq!(
            names.iter().filter(|name| **name == "task_added").count(),
            2
        );
        let (_, url) = story.admin_and_url();
        for event in &made {
            if let Some(link) = &event.entity_link {
                assert!(link.starts_with(&url), "{link} is not of {url}");
            }
        }
    }

    #[test]
    fn a_step_reads_back_from_its_journal_text() {
        let step = Step::Of {
            event_type: "project_added".into(),
            count: 2,
        };
        let text = serde_json::to_string(&step).unwrap();
        assert_eq!(
            text,
            r#"{"step":"of","eventType":"project_added","count":2}"#
        );
        assert_eq!(serde_json::from_str::<Step>(&text).unwrap(), step);
    }
}
