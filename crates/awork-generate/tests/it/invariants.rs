//! The story's numbers are what awork would derive from it, over long runs of several seeds: each
//! invariant is checked against a ledger that only the emitted events build, so a test fails as
//! soon as an event contradicts the events before it.

use std::collections::{BTreeMap, HashMap};

use awork_generate::{Generator, GeneratorConfig};
use awork_models::entities::{Entity, TimeTracking};
use awork_models::{Envelope, Naming};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::Value;

/// Events per seed.
const EVENTS: usize = 20_000;
/// The seeds the invariants are checked on.
const SEEDS: [u64; 3] = [1, 2, 3];

/// A story of `EVENTS` events of all the API's types.
fn story(seed: u64) -> impl Iterator<Item = Envelope> {
    Generator::new(GeneratorConfig {
        seed,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    })
    .take(EVENTS)
}

/// A live time entry, as the events told it.
#[derive(Debug, Clone)]
struct Entry {
    user: Option<String>,
    task: Option<String>,
    project: Option<String>,
    duration: i64,
    start: DateTime<Utc>,
    /// `None` while the timer runs.
    end: Option<DateTime<Utc>>,
    /// The local day it started on.
    day: NaiveDate,
}

fn utc(date: Option<&awork_models::AworkDateTime>) -> Option<DateTime<Utc>> {
    date?.to_utc()
}

fn entry_of(entry: &TimeTracking) -> Entry {
    let at = |date: Option<&awork_models::AworkDateTime>,
              time: Option<&awork_models::TimeOfDay>| {
        Some(utc(date)?.date_naive().and_time(time?.time()).and_utc())
    };
    let day = entry
        .start_date_local
        .as_ref()
        .map(|date| date.naive().date())
        .expect("a local start date");
    Entry {
        user: entry.user_id.clone(),
        task: entry.task_id.clone(),
        project: entry.project_id.clone(),
        duration: entry.duration.unwrap_or(0),
        start: at(entry.start_date_utc.as_ref(), entry.start_time_utc.as_ref()).expect("a start"),
        end: at(entry.end_date_utc.as_ref(), entry.end_time_utc.as_ref()),
        day,
    }
}

/// Whether two stretches of time share a moment (a running timer lasts until further notice).
fn overlap(a: &Entry, b: &Entry) -> bool {
    let forever = DateTime::<Utc>::MAX_UTC;
    a.start < b.end.unwrap_or(forever) && b.start < a.end.unwrap_or(forever)
}

#[test]
fn resource_versions_increase_on_every_change_of_an_entity() {
    for seed in SEEDS {
        check_versions(seed, story(seed));
    }
}

/// Every change of an entity gives it a higher `resourceVersion` (`seed` names the run in messages).
pub(crate) fn check_versions(seed: u64, events: impl Iterator<Item = Envelope>) {
    // The last version and content (without the version) of each entity, by type and id.
    let mut seen: HashMap<(String, String), (i64, Value)> = HashMap::new();
    for (index, event) in events.enumerate() {
        let mut entity = serde_json::to_value(&event.entity).unwrap();
        let Some(version) = entity
            .as_object_mut()
            .and_then(|object| object.remove("resourceVersion"))
            .and_then(|version| version.as_i64())
        else {
            continue;
        };
        // A task's (or a time entry's) `project` is its project's summary, read with it: a
        // change of the project is the project's, and leaves the entity's version as it was.
        if let Some(object) = entity.as_object_mut() {
            object.remove("project");
            // What awork computes as it reads (a client's project counts, a task list's tracked
            // time) changes with other entities, not with this one's version.
            object.remove("projectsCount");
            object.remove("projectsInProgressCount");
            if event.entity_type == "tasklist" {
                object.remove("trackedDuration");
            }
            // A time entry's task, like its project, is the task's summary read with it.
            if event.entity_type == "timetracking" {
                object.remove("task");
            }
        }
        let key = (event.entity_type.clone(), event.entity_id.clone());
        if let Some((last, content)) = seen.get(&key) {
            if *content != entity {
                assert!(
                    version > *last,
                    "seed {seed}, event {index} ({}): {} {} changed but its version {version} is not above {last}",
                    event.event_type,
                    event.entity_type,
                    event.entity_id
                );
            } else {
                assert!(
                    version >= *last,
                    "seed {seed}, event {index}: version went back"
                );
            }
            let change = event.event_type.as_str();
            if change.ends_with("_updated")
                || change.ends_with("_changed")
                || change.ends_with("_type_changed")
            {
                assert!(
                    version > *last,
                    "seed {seed}, event {index}: {change} kept version {version}"
                );
            }
        }
        seen.insert(key, (version, entity));
    }
}

#[test]
fn tracked_time_is_the_sum_of_the_live_time_entries() {
    for seed in SEEDS {
        let (tasks_checked, nonzero) = check_tracked_time(seed, story(seed));
        assert!(
            tasks_checked > 1000 && nonzero > 100,
            "seed {seed}: {tasks_checked} tasks, {nonzero} with tracked time"
        );
    }
}

/// Every task's and project's tracked time is the sum of the live time entries on it. Returns how
/// many tasks were checked, and how many of them had tracked time.
pub(crate) fn check_tracked_time(
    seed: u64,
    events: impl Iterator<Item = Envelope>,
) -> (usize, usize) {
    let mut entries: HashMap<String, Entry> = HashMap::new();
    // The parent of each subtask.
    let mut parents: HashMap<String, String> = HashMap::new();
    let (mut tasks_checked, mut nonzero) = (0, 0);
    for (index, event) in events.enumerate() {
        let kind = event.event_type.as_str().to_owned();
        let sum = |entries: &HashMap<String, Entry>, pick: &dyn Fn(&Entry) -> bool| -> i64 {
            entries
                .values()
                .filter(|entry| pick(entry))
                .map(|entry| entry.duration)
                .sum()
        };
        match &event.entity {
            Entity::TimeTracking(entry) => {
                if kind.ends_with("_deleted") {
                    entries.remove(&entry.id);
                } else {
                    entries.insert(entry.id.clone(), entry_of(entry));
                }
            }
            Entity::Task(task) => {
                if let Some(parent) = &task.parent_id {
                    parents.insert(task.id.clone(), parent.clone());
                }
                let expected = sum(&entries, &|entry| entry.task.as_ref() == Some(&task.id));
                assert_eq!(
                    task.tracked_duration,
                    Some(expected),
                    "seed {seed}, event {index} ({kind}): task {}",
                    task.id
                );
                // With its subtasks'.
                let total = sum(&entries, &|entry| {
                    entry
                        .task
                        .as_ref()
                        .is_some_and(|on| *on == task.id || parents.get(on) == Some(&task.id))
                });
                assert_eq!(
                    task.total_tracked_duration,
                    Some(total),
                    "seed {seed}, event {index} ({kind}): task {} with subtasks",
                    task.id
                );
                tasks_checked += 1;
                nonzero += usize::from(expected > 0);
            }
            Entity::Project(project) => {
                let expected = sum(&entries, &|entry| {
                    entry.project.as_ref() == Some(&project.id)
                });
                assert_eq!(
                    project.tracked_duration,
                    Some(expected),
                    "seed {seed}, event {index} ({kind}): project {}",
                    project.id
                );
                if kind == "project_deleted" {
                    entries.retain(|_, entry| entry.project.as_ref() != Some(&project.id));
                }
            }
            _ => {}
        }
    }
    (tasks_checked, nonzero)
}

#[test]
fn the_assignees_planned_effort_adds_up_to_the_planned_duration() {
    for seed in SEEDS {
        let shared = check_planned_effort(seed, story(seed));
        assert!(
            shared > 50,
            "seed {seed}: {shared} tasks with shared effort"
        );
    }
}

/// The assignees' planned effort adds up to the task's planned duration. Returns how many tasks
/// shared it among several assignees.
pub(crate) fn check_planned_effort(seed: u64, events: impl Iterator<Item = Envelope>) -> usize {
    let mut shared = 0;
    for (index, event) in events.enumerate() {
        let Entity::Task(task) = &event.entity else {
            continue;
        };
        let assignees = task.assignees.as_deref().unwrap_or_default();
        if assignees.is_empty() {
            continue;
        }
        let effort: i64 = assignees.iter().filter_map(|a| a.planned_effort).sum();
        assert_eq!(
            Some(effort),
            task.planned_duration,
            "seed {seed}, event {index} ({}): {assignees:?}",
            event.event_type
        );
        for assignee in assignees {
            assert_eq!(
                assignee.is_distributed_planned_effort,
                Some(assignees.len() > 1)
            );
        }
        shared += usize::from(assignees.len() > 1);
    }
    shared
}

#[test]
fn no_change_has_an_old_value_equal_to_its_new_value() {
    for seed in SEEDS {
        let changes = check_no_no_op_changes(seed, story(seed));
        assert!(changes > 5000, "seed {seed}: {changes} changes");
    }
}

/// No change has an old value equal to its new value. Returns how many changes there were.
pub(crate) fn check_no_no_op_changes(seed: u64, events: impl Iterator<Item = Envelope>) -> usize {
    let mut changes = 0;
    for (index, event) in events.enumerate() {
        for change in event.changes.iter().flatten() {
            changes += 1;
            let (old, new) = (change.extra.get("oldValue"), change.extra.get("newValue"));
            assert!(
                old != new,
                "seed {seed}, event {index} ({}): no-op change of {}: {old:?}",
                event.event_type,
                change.property
            );
        }
    }
    changes
}

#[test]
fn time_entries_are_a_plausible_working_life() {
    for seed in SEEDS {
        let (running, breaks, without_task, billable) = check_working_life(seed, story(seed));
        assert!(
            running > 0 && breaks > 0 && without_task > 0 && billable > 0,
            "seed {seed}: {running} running timers, {breaks} entries with breaks, \
             {without_task} without a task, {billable} billable"
        );
    }
}

/// Time entries are a plausible working life: none before what it is booked on, none overlapping
/// another of its user, no user-day above ten hours, durations that add up, notes that fit their
/// type of work, no billing on internal projects. Returns how many were running timers, had
/// breaks, had no task, and were billable.
pub(crate) fn check_working_life(
    seed: u64,
    events: impl Iterator<Item = Envelope>,
) -> (usize, usize, usize, usize) {
    let ten_hours = 10 * 3600;
    let mut entries: HashMap<String, Entry> = HashMap::new();
    let mut created: HashMap<String, DateTime<Utc>> = HashMap::new();
    // The type of work each note was written under.
    let mut notes: BTreeMap<String, String> = BTreeMap::new();
    let (mut running, mut breaks, mut without_task, mut billable) = (0, 0, 0, 0);
    for (index, event) in events.enumerate() {
        let kind = event.event_type.as_str();
        let context = format!("seed {seed}, event {index} ({kind})");
        match &event.entity {
            Entity::Task(task) if kind == "task_added" => {
                created.insert(task.id.clone(), utc(task.created_on.as_ref()).unwrap());
            }
            Entity::Project(project) if kind == "project_added" => {
                created.insert(
                    project.id.clone(),
                    utc(project.created_on.as_ref()).unwrap(),
                );
            }
            Entity::TimeTracking(entry) if kind.ends_with("_deleted") => {
                entries.remove(&entry.id);
            }
            Entity::TimeTracking(entry) => {
                let live = entry_of(entry);
                // Not before what it is booked on existed (on nothing when its project was
                // deleted and it was kept).
                let on = entry.task_id.as_ref().or(entry.project_id.as_ref());
                if let Some((on, since)) = on.and_then(|on| Some((on, created.get(on)?))) {
                    assert!(
                        live.start >= *since,
                        "{context}: starts before {on} existed"
                    );
                }
                // Never at the same time as another entry of the same user.
                for (id, other) in &entries {
                    if *id != entry.id && other.user == live.user {
                        assert!(
                            !overlap(other, &live),
                            "{context}: {} overlaps {id}: {live:?} {other:?}",
                            entry.id
                        );
                    }
                }
                // Within a plausible working day.
                let day: i64 = entries
                    .iter()
                    .filter(|(id, other)| {
                        **id != entry.id && other.user == live.user && other.day == live.day
                    })
                    .map(|(_, other)| other.duration)
                    .sum::<i64>()
                    + live.duration;
                assert!(day <= ten_hours, "{context}: a user-day of {day} s");
                if let Some(end) = live.end {
                    let breaks: i64 = entry
                        .breaks
                        .iter()
                        .flatten()
                        .filter_map(|pause| pause.duration)
                        .sum();
                    assert_eq!(entry.break_duration, Some(breaks), "{context}");
                    assert_eq!((end - live.start).num_seconds() - breaks, live.duration);
                    assert!(end - live.start <= TimeDelta::hours(10), "{context}");
                } else {
                    assert_eq!(entry.duration, None, "{context}: a running timer");
                }
                // A note fits its type of work: no note is written under two types.
                let type_name = entry.type_of_work.as_ref().unwrap().name.clone().unwrap();
                if let Some(note) = &entry.note {
                    let first = notes.entry(note.clone()).or_insert(type_name.clone());
                    assert_eq!(*first, type_name, "{context}: note {note:?}");
                }
                // Internal projects bill nothing. An entry kept when its project was deleted is
                // booked on none.
                match (&entry.project_id, &entry.project) {
                    (Some(_), Some(project)) => {
                        if project.is_billable_by_default != Some(true) {
                            assert_eq!(entry.is_billable, Some(false), "{context}");
                        }
                    }
                    (None, None) => assert_eq!(entry.task_id, None, "{context}"),
                    _ => panic!("{context}: projectId and project disagree"),
                }
                billable += usize::from(entry.is_billable == Some(true));
                running += usize::from(live.end.is_none());
                breaks += usize::from(entry.breaks.is_some());
                without_task += usize::from(entry.task_id.is_none());
                entries.insert(entry.id.clone(), live);
            }
            _ => {}
        }
    }
    (running, breaks, without_task, billable)
}

#[test]
fn project_types_agree_with_the_project() {
    for seed in SEEDS {
        for (index, event) in story(seed).enumerate() {
            let Entity::Project(project) = &event.entity else {
                continue;
            };
            let type_name = project
                .project_type
                .as_ref()
                .and_then(|kind| kind.name.as_deref());
            assert_eq!(
                type_name == Some("Retainer"),
                project.is_retainer == Some(true),
                "seed {seed}, event {index}: {type_name:?}"
            );
            if project.company_id.is_none() {
                assert_eq!(type_name, Some("Intern"), "seed {seed}, event {index}");
                assert_eq!(project.is_billable_by_default, Some(false));
            }
        }
    }
}

#[test]
fn the_workspace_reads_like_a_german_design_agency() {
    use chrono::{Datelike, Weekday};
    let industries = [
        "Einzelhandel",
        "Gastronomie",
        "Maschinenbau",
        "Gesundheitswesen",
        "Immobilien",
        "Kultur",
        "Bildung",
        "Tourismus",
        "Lebensmittel",
        "Mode",
        "Software",
        "Energie",
    ];
    for seed in SEEDS {
        // The live projects' names, by client ("" for the agency's own).
        let mut projects: HashMap<String, (String, String)> = HashMap::new();
        let mut tags: BTreeMap<String, String> = BTreeMap::new();
        let (mut german, mut users) = (0, 0);
        for (index, event) in story(seed).enumerate() {
            let kind = event.event_type.as_str();
            let context = format!("seed {seed}, event {index} ({kind})");
            match &event.entity {
                Entity::Company(company) => {
                    let industry = company.industry.as_deref().unwrap();
                    assert!(industries.contains(&industry), "{context}: {industry}");
                    assert!(
                        !company.name.contains(" and "),
                        "{context}: {}",
                        company.name
                    );
                    for address in company.company_contact_infos.iter().flatten() {
                        let zip = address.zip_code.as_deref().unwrap();
                        let digits = match address.country.as_deref() {
                            Some("DE") => 5,
                            Some("AT") => 4,
                            other => panic!("{context}: a client in {other:?}"),
                        };
                        assert!(
                            zip.len() == digits && zip.bytes().all(|b| b.is_ascii_digit()),
                            "{context}: postcode {zip}"
                        );
                    }
                }
                Entity::Project(project) => {
                    for tag in project.tags.iter().flatten() {
                        if let awork_models::entities::Tag::Object(tag) = tag {
                            tags.insert(tag.id.clone().unwrap(), tag.name.clone());
                        }
                    }
                    let client = project.company_id.clone().unwrap_or_default();
                    let closed = project
                        .project_status
                        .as_ref()
                        .and_then(|s| s.kind.as_deref())
                        == Some("closed");
                    // A closed project's name is free again (next year's "Weiterbildung").
                    if kind == "project_deleted" || closed {
                        projects.remove(&project.id);
                    } else if kind == "project_added" {
                        let clash = projects
                            .values()
                            .any(|(other, name)| *other == client && *name == project.name);
                        assert!(!clash, "{context}: {} twice for one client", project.name);
                        projects.insert(project.id.clone(), (client, project.name.clone()));
                    }
                }
                Entity::Absence(absence) if kind != "absence_deleted" => {
                    let start = utc(absence.start_on.as_ref()).unwrap();
                    let end = utc(absence.end_on.as_ref()).unwrap();
                    assert!(
                        !matches!(start.weekday(), Weekday::Sat | Weekday::Sun),
                        "{context}: starts on a {}",
                        start.weekday()
                    );
                    if absence.description.as_deref() == Some("Brückentag") {
                        assert_eq!(start.date_naive(), end.date_naive(), "{context}");
                    }
                }
                Entity::User(user) if kind == "user_added" => {
                    users += 1;
                    german += usize::from(user.language.as_deref() == Some("de-DE"));
                }
                _ => {}
            }
        }
        assert!(tags.len() >= 10, "seed {seed}: {} tags in use", tags.len());
        assert!(
            german * 2 > users,
            "seed {seed}: {german} of {users} use German"
        );
    }
}

#[test]
fn the_story_sends_the_shapes_awork_sends() {
    for seed in SEEDS {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut count = |what: &'static str, yes: bool| {
            *seen.entry(what).or_default() += usize::from(yes);
        };
        for event in story(seed) {
            match &event.entity {
                Entity::Task(task) => {
                    let subtask = task.parent_id.is_some();
                    assert_eq!(task.is_subtask, Some(subtask));
                    if subtask {
                        assert_eq!(task.correlation_id, task.parent_id);
                        assert_eq!(
                            task.parent_task.as_ref().map(|p| &p.id),
                            task.parent_id.as_ref()
                        );
                    }
                    count("subtask", subtask);
                    let private = task.base_type.as_deref() == Some("private");
                    assert_eq!(private, task.project_id.is_none());
                    assert_eq!(private, task.user_id.is_some());
                    count("private task", private);
                    count("task with subtasks", task.number_of_subtasks.is_some());
                    count("task with a start", task.start_on.is_some());
                    count("task with custom fields", task.custom_fields.is_some());
                }
                Entity::Project(project) => {
                    count("project without a start", project.start_date.is_none());
                    count("project without a due date", project.due_date.is_none());
                    count("project without a colour", project.color.is_none());
                    count("project without a type", project.project_type.is_none());
                    count(
                        "project with custom fields",
                        project.custom_fields.is_some(),
                    );
                }
                Entity::Comment(comment) => {
                    count("comment with a mention", comment.mentions.is_some());
                }
                _ => {}
            }
        }
        let missing: Vec<_> = seen.iter().filter(|(_, n)| **n == 0).collect();
        assert!(missing.is_empty(), "seed {seed}: never {missing:?}");
        assert_eq!(seen.len(), 11);
    }
}
