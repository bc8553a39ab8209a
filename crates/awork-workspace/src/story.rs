//! The workspace's story: awork-generate's seeded [`Generator`], running inside the server and
//! spelling event names as awork's API does.
//!
//! Events "for the story's choice" come from one stream seeded with the seed; events of one asked
//! type come from a stream of that type alone (its own seeded story, so that asking for
//! `task_added` three times gives three tasks, not whatever the main story does next). The store
//! remembers how many events each stream produced, and a restart replays each stream that far
//! before going on, so the story continues instead of starting again. Memory is bounded: the
//! generator forgets old work, and there are at most 36 streams.

use std::collections::BTreeMap;

use awork_generate::{Generator, GeneratorConfig};
use awork_models::{Envelope, EventType, Naming};

use crate::store::{self, Store};

/// The name of the stream of the story's own choices.
const STORY: &str = "story";

/// How far a stream has gone: the events it has produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The stream's name: `story`, or an event type's API name.
    pub stream: &'static str,
    /// Events produced.
    pub taken: u64,
}

/// The streams, created when first asked.
pub struct Story {
    seed: u64,
    /// Mixed into every trace id, so that two workspaces of one seed share none.
    trace_salt: u128,
    streams: BTreeMap<&'static str, Stream>,
}

struct Stream {
    generator: Generator,
    taken: u64,
}

impl Story {
    /// The story of `seed`, its trace ids salted with `trace_salt` (the workspace's own, kept in
    /// its database: the same across restarts, different for every new workspace).
    pub fn new(seed: u64, trace_salt: u128) -> Story {
        Story {
            seed,
            trace_salt,
            streams: BTreeMap::new(),
        }
    }

    /// The id of the workspace's admin (the first user of the main story) and the workspace's
    /// URL (`https://<subdomain>.awork.com`, as the events' links have it).
    pub fn admin_and_url(&self) -> (String, String) {
        let generator = Generator::new(self.config(None));
        let admin = generator
            .initial_user_ids()
            .into_iter()
            .next()
            .unwrap_or_default();
        (
            admin,
            format!("https://{}.awork.com", generator.subdomain()),
        )
    }

    /// The next `count` events: of `event` alone, or of the story's choice, with how far their
    /// stream has now gone, for the store to record in the transaction that queues them (so a
    /// crash cannot skip events that were never queued).
    pub fn make(
        &mut self,
        store: &Store,
        event: Option<EventType>,
        count: u64,
    ) -> store::Result<(Vec<Envelope>, Progress)> {
        let name = event.map_or(STORY, |event| event.name(Naming::Api));
        if !self.streams.contains_key(name) {
            let mut generator =
                Generator::new(self.config(event)).with_trace_salt(Some(self.trace_salt));
            let taken = store.stream_taken(name)?;
            for _ in 0..taken {
                generator.next_event();
            }
            self.streams.insert(name, Stream { generator, taken });
        }
        let stream = self
            .streams
            .get_mut(name)
            .expect("the stream was inserted above");
        let events: Vec<Envelope> = (0..count).map(|_| stream.generator.next_event()).collect();
        stream.taken += count;
        Ok((
            events,
            Progress {
                stream: name,
                taken: stream.taken,
            },
        ))
    }

    fn config(&self, event: Option<EventType>) -> GeneratorConfig {
        let seed = match event {
            None => self.seed,
            // A different stream per type, still determined by the seed.
            Some(event) => {
                let index = EventType::ALL.iter().position(|known| *known == event);
                self.seed.wrapping_add(
                    (index.unwrap_or(0) as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                )
            }
        };
        GeneratorConfig {
            seed,
            naming: Naming::Api,
            event_types: event.into_iter().collect(),
        }
    }
}
