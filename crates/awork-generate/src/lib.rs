//! Realistic awork webhook events: a seeded story of an agency's working day, told as the events
//! awork would send, and proptest strategies that add the awkward but legal shapes parsers must
//! survive.
//!
//! ```
//! use awork_generate::{Generator, GeneratorConfig};
//! use awork_models::{EventType, Naming};
//!
//! let config = GeneratorConfig { seed: 7, ..GeneratorConfig::default() };
//! let events: Vec<_> = Generator::new(config).take(50).collect();
//! // Every event is valid, and the story is the same for the same seed.
//! assert!(events.iter().all(|event| awork_models::validate(event).is_empty()));
//! let again: Vec<_> = Generator::new(GeneratorConfig { seed: 7, ..GeneratorConfig::default() }).take(50).collect();
//! assert_eq!(events, again);
//!
//! // One event type alone works too: what it needs is created behind the scenes.
//! let config = GeneratorConfig { event_types: vec![EventType::TaskStatusChanged], naming: Naming::Api, ..GeneratorConfig::default() };
//! let event = Generator::new(config).next().unwrap();
//! assert_eq!(event.event_type.as_str(), "task_status_changed");
//! ```
//!
//! Invariants: the same configuration gives the same events, byte for byte, on every machine (one
//! ChaCha8 stream seeded from the seed drives every choice, and no clock or hash order is read); an
//! event never mentions an entity the story has not created, or has deleted. A trace salt
//! ([`Generator::with_trace_salt`]) changes the trace ids alone, for runs of one seed that a
//! receiver must not take for copies of each other.

pub mod awkward;
mod calendar;
pub mod fixtures;
mod ids;
mod story;
#[cfg(feature = "proptest")]
pub mod strategies;
mod text;
pub mod world;
pub mod writes;

/// Ids as awork writes them, for code that bends generated events (the conformance suite).
pub use ids::{salted_trace_id, trace_id, uuid};

use awork_models::{AworkDateTime, Envelope, EventName, EventType, Naming};
use chrono::{DateTime, TimeDelta, Utc};
use fake::rand::{RngExt, SeedableRng};

/// The random generator behind every choice: ChaCha8, the same stream on every platform.
type Rng = fake::rand::rngs::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// The seed; the same seed gives the same events.
    pub seed: u64,
    /// The spelling of event names: the API's by default, as `awork-sim generate` spells them.
    pub naming: Naming,
    /// The event types to emit; empty means all of the naming's (the spec's 30, or the API's 35).
    /// Repeats are ignored.
    pub event_types: Vec<EventType>,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            seed: 1,
            naming: Naming::Api,
            event_types: Vec::new(),
        }
    }
}

/// How many needs [`Generator::next_events_of`] meets for one event before it gives up: a chain of
/// prerequisites is a few long (a task's project, its client); more means the needs do not help.
const MAX_NEEDS_MET: usize = 20;

/// An endless, seeded story of events in one workspace. It is an [`Iterator`] that never ends.
pub struct Generator {
    world: world::World,
    /// The seed, for a story that starts over at another time ([`Generator::with_start`]).
    seed: u64,
    naming: Naming,
    /// The event types to emit, each with its cumulative weight.
    wanted: Vec<(EventType, u32)>,
    /// The salt mixed into every trace id, if any (see [`Generator::with_trace_salt`]).
    trace_salt: Option<u128>,
    /// When the latest event's webhook fired: the next fires later, also when the story's clock
    /// moves by ticks at the wall clock (see [`Generator::follow_wall_clock`]).
    last_fired: Option<DateTime<Utc>>,
}

impl Generator {
    /// A new story.
    pub fn new(config: GeneratorConfig) -> Generator {
        let event_types = if config.event_types.is_empty() {
            match config.naming {
                Naming::Api => EventType::API.to_vec(),
                Naming::Spec | Naming::Docs => EventType::SPEC.to_vec(),
            }
        } else {
            config.event_types
        };
        // Each event type once, in the order first given: a repeat would only skew the weights.
        let mut wanted: Vec<(EventType, u32)> = Vec::new();
        let mut total = 0;
        for event in event_types {
            if !wanted.iter().any(|(seen, _)| *seen == event) {
                total += story::weight(event);
                wanted.push((event, total));
            }
        }
        Generator {
            world: world::World::new(Rng::seed_from_u64(config.seed), None),
            seed: config.seed,
            naming: config.naming,
            wanted,
            trace_salt: None,
            last_fired: None,
        }
    }

    /// The same story with its trace ids salted: every trace id is mixed with `salt`
    /// ([`salted_trace_id`]), and nothing else changes (entities, ids, timestamps, the order of
    /// events are the seed's, as the same random draws are made). Different salts give different
    /// trace ids, so runs of one seed with salts of their own share no trace id, and a receiver
    /// that deduplicates by `traceId` takes each run's events as new. `None` (the default) keeps
    /// the seed's trace ids: the same seed, the same bytes.
    pub fn with_trace_salt(mut self, salt: Option<u128>) -> Generator {
        self.trace_salt = salt;
        self
    }

    /// The same story, started over at `start` rather than at the seed's Monday morning of 2025:
    /// the same workspace (subdomain, team, names and ids), its events from `start` on. Call it on a
    /// new generator, before its first event; like the seed, the same start gives the same story.
    /// Without it, `generate`'s output for a seed stays what it was.
    pub fn with_start(mut self, start: DateTime<Utc>) -> Generator {
        self.world = world::World::new(Rng::seed_from_u64(self.seed), Some(start));
        self
    }

    /// Tells the story as it happens, at the wall clock's time `now`, for a caller that makes events
    /// on demand (`serve`): before each batch of events or writes, pass the time it is. The story's
    /// clock then never runs past `now`: its working-day pace goes on while it is behind, and once
    /// it reaches `now` (the evening, a weekend, or many events asked at once) every further event
    /// is stamped about `now` (a tick after the one before, and its webhook's usual delay of under a
    /// second). When the clock is more than
    /// [`world::WALL_CLOCK_LAG`] behind `now` (nobody asked for a while), it jumps forward to that
    /// much before `now`, as over a night. The clock never goes back, and nothing is drawn from the
    /// random source: replaying the same calls with the same times gives the same events.
    pub fn follow_wall_clock(&mut self, now: DateTime<Utc>) {
        self.world.follow_wall_clock(now);
    }

    /// Tells the story quietly from its start (see [`Generator::with_start`]) up to `until`: its
    /// events change the world but are not returned, as a workspace's history is there before
    /// anybody listens (`serve` starts its world some weeks before its first start, so its REST API
    /// finds clients, projects, tasks and time entries, and its people have worked before). The
    /// clock then stops at `until`, as [`Generator::follow_wall_clock`] would leave it.
    pub fn tell_history_until(&mut self, until: DateTime<Utc>) {
        self.world.stop_clock_at(until);
        while !self.world.at_wall_clock() {
            self.next_event();
        }
    }

    /// The workspace's subdomain (`<subdomain>.awork.com`).
    pub fn subdomain(&self) -> &str {
        &self.world.subdomain
    }

    /// The ids of the users who were in the workspace before the story started.
    pub fn initial_user_ids(&self) -> Vec<String> {
        self.world
            .users
            .iter()
            .map(|user| user.id.clone())
            .collect()
    }

    /// The workspace as the story has left it, for reading: its users, clients, projects (with their
    /// statuses, task statuses and lists), tasks, time entries, absences, comments, types of work and
    /// project types, each in the model its events carry, so that a read serializes as the event's
    /// entity did.
    pub fn world(&self) -> &world::World {
        &self.world
    }

    /// The next event of the story.
    pub fn next_event(&mut self) -> Envelope {
        let total = self.wanted.last().expect("at least one event type").1;
        let roll = self.world.rng.random_range(0..total);
        let mut event = self
            .wanted
            .iter()
            .find(|(_, cumulative)| roll < *cumulative)
            .expect("roll below total")
            .0;
        self.world.tick();
        loop {
            match story::produce(&mut self.world, event) {
                Ok(produced) => {
                    self.world.forget_old_work();
                    return self.envelope(event, produced);
                }
                Err(needed) if self.wants(needed) => event = needed,
                Err(needed) => self.happen_quietly(needed),
            }
        }
    }

    /// The next event of type `event` in this workspace, whatever the configured event types, after
    /// the events of whatever it needs first (a task needs a project, which may need a client): the
    /// prerequisites come first, each announced, so a receiver never hears of an entity it was not
    /// told about. Each event has a moment of its own on the story's clock. The story goes on from
    /// the changed world, and the same calls on the same seed give the same events. When the needs go
    /// round in a circle (every client has projects and the workspace is full of clients), the
    /// event cannot happen now, and only the prerequisites that did are returned. A story that
    /// follows the wall clock ([`Generator::follow_wall_clock`]) lets time pass beyond it when the
    /// event needs it: a time entry asked for when everybody has tracked their time up to now
    /// starts once somebody has had time free, and the clock goes on from there.
    pub fn next_events_of(&mut self, event: EventType) -> Vec<Envelope> {
        let mut events = Vec::new();
        let mut pending = vec![event];
        let mut met = 0;
        self.world.tick();
        // Asked for, the event happens even when it needs time to pass beyond the wall clock.
        self.world.may_run_ahead = true;
        while let Some(&wanted) = pending.last() {
            match story::produce(&mut self.world, wanted) {
                Ok(produced) => {
                    pending.pop();
                    self.world.forget_old_work();
                    events.push(self.envelope(wanted, produced));
                    if !pending.is_empty() {
                        self.world.tick();
                    }
                }
                // Needs that go round in a circle (a full workspace whose every client has
                // projects) cannot be met now: what happened so far is all there is.
                Err(needed) if pending.contains(&needed) => break,
                // A need met that does not help (time entries at a clock stopped at the wall
                // clock: everybody has tracked their time up to now, and the tasks made for them
                // give nobody more time) is not met again and again.
                Err(_) if met > MAX_NEEDS_MET => break,
                Err(needed) => {
                    met += 1;
                    pending.push(needed);
                }
            }
        }
        self.world.may_run_ahead = false;
        events
    }

    /// Applies a write of awork's REST API by the user with the id `actor_user_id` to the world the
    /// story tells of, and answers what awork answers: the entity (or nothing, for 204) and the
    /// webhook events the write causes, each `triggeredBy` the actor (see [`writes`] for each
    /// operation). A refused write ([`writes::Refused`]: 400 or 404, also when the actor is not a
    /// user) changes nothing. The story goes on from the changed world, and what a write does
    /// depends only on the world and the write, so replaying the same writes between the same story
    /// steps gives the same world and the same events.
    pub fn write(
        &mut self,
        actor_user_id: &str,
        write: &writes::Write,
    ) -> Result<writes::Written, writes::Refused> {
        let outcome = writes::apply(&mut self.world, actor_user_id, write)?;
        self.world.forget_old_work();
        let events = outcome
            .events
            .into_iter()
            .map(|(event, produced)| self.envelope(event, produced))
            .collect();
        Ok(writes::Written {
            response: outcome.response,
            events,
            partial: outcome.partial,
        })
    }

    fn wants(&self, event: EventType) -> bool {
        self.wanted.iter().any(|(wanted, _)| *wanted == event)
    }

    /// Makes `event` happen without emitting it, with whatever it needs in turn.
    fn happen_quietly(&mut self, mut event: EventType) {
        let mut pending = Vec::new();
        loop {
            match story::produce(&mut self.world, event) {
                Ok(_) => match pending.pop() {
                    Some(next) => event = next,
                    None => return,
                },
                Err(needed) => {
                    pending.push(event);
                    event = needed;
                }
            }
        }
    }

    fn envelope(&mut self, event: EventType, produced: story::Produced) -> Envelope {
        // awork fires the webhook a few hundred milliseconds after the change, at tick precision.
        let delay = TimeDelta::nanoseconds(self.world.rng.random_range(400_000..9_000_000) * 100);
        let tick = TimeDelta::nanoseconds(100);
        let mut fired = match self.last_fired {
            Some(last) if last >= self.world.now + delay => last + tick,
            _ => self.world.now + delay,
        };
        // A story told as it happens fires nothing after the wall clock (its events are sent at
        // once): the delay is cut to what is left before it, unless this event's change itself
        // ran ahead of it (a time entry nobody had time for). Still a tick after the last.
        if let Some(wall) = self.world.wall_clock() {
            let latest = wall.max(self.world.now);
            if fired > latest {
                fired = self
                    .last_fired
                    .map_or(latest, |last| latest.max(last + tick));
            }
        }
        self.last_fired = Some(fired);
        let entity_id = produced
            .entity
            .id()
            .expect("generated entities have ids")
            .to_owned();
        Envelope {
            timestamp: AworkDateTime::utc_with_offset(fired),
            event_type: EventName::new(event, self.naming),
            entity: produced.entity,
            entity_id,
            entity_type: event.entity_type().as_str().to_owned(),
            entity_link: produced.link,
            trace_id: Some(match self.trace_salt {
                None => trace_id(&mut self.world.rng),
                Some(salt) => salted_trace_id(&mut self.world.rng, salt),
            }),
            triggered_by: Some(produced.actor),
            changes: produced.changes,
            extra: serde_json::Map::new(),
        }
    }
}

impl Iterator for Generator {
    type Item = Envelope;

    fn next(&mut self) -> Option<Envelope> {
        Some(self.next_event())
    }
}
