//! The time entry writes: create, update and delete, and what becomes of a time entry whose task
//! or project is deleted. The tracked time of the entry's task and project follows each, and a
//! user's entries never overlap.

use awork_models::entities::{Entity, TimeTracking, TypeOfWork};
use awork_models::{AworkDateTime, EventType, TriggeredBy};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Check, Outcome, Refused, WRITE_SECONDS, changes_between, event};
use crate::world::{self, Kept, TimeEntryRecord, World, local_clock, local_to_utc, time_zone};
use crate::{ids, story};

/// The body of `POST /timeentries` (awork's `TimeEntryPostForm`). `userId`, `typeOfWorkId` and
/// `timezone` are required; so is a start (`startDateUtc`, with `startTimeUtc` or its own time, or
/// the local ones in `timezone`), and `duration` or an end. `breakDuration` cannot be set through
/// the API and is ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntryPostForm {
    /// Whether it is billable; the project's default when absent.
    pub is_billable: Option<bool>,
    /// Whether it is billed.
    pub is_billed: Option<bool>,
    /// The task it is booked on (it is then booked on the task's project).
    pub task_id: Option<String>,
    /// The project it is booked on (required without a task, but to leave an entry booked on no
    /// project, its project deleted, as it is).
    pub project_id: Option<String>,
    /// The note.
    pub note: Option<String>,
    /// The day it started, in UTC.
    pub start_date_utc: Option<String>,
    /// The time it started, in UTC.
    pub start_time_utc: Option<String>,
    /// The day it ended, in UTC (its start's when absent).
    pub end_date_utc: Option<String>,
    /// The time it ended, in UTC.
    pub end_time_utc: Option<String>,
    /// The day it started, in `timezone`.
    pub start_date_local: Option<String>,
    /// The time it started, in `timezone`.
    pub start_time_local: Option<String>,
    /// The day it ended, in `timezone`.
    pub end_date_local: Option<String>,
    /// The time it ended, in `timezone`.
    pub end_time_local: Option<String>,
    /// Its IANA time zone (required): `Europe/Berlin`, `America/New_York`, `UTC`.
    pub timezone: Option<String>,
    /// How long it took, in seconds (required without an end).
    pub duration: Option<i64>,
    /// Ignored: "cannot be set via API".
    pub break_duration: Option<i64>,
    /// Its type of work (required).
    pub type_of_work_id: Option<String>,
    /// Whose time it is (required when created).
    pub user_id: Option<String>,
}

/// The body of `PUT /timeentries/{timeEntryId}` (awork's `TimeTrackingPutForm`): the properties of
/// [`TimeEntryPostForm`], a full replacement, except that an absent `userId` keeps the user.
pub type TimeTrackingPutForm = TimeEntryPostForm;

/// The properties a time entry update changes, as `changes` name them.
const UPDATED: &[&str] = &[
    "UserId",
    "TaskId",
    "ProjectId",
    "TypeOfWorkId",
    "Note",
    "IsBillable",
    "IsBilled",
    "Timezone",
    "StartDateUtc",
    "StartTimeUtc",
    "EndDateUtc",
    "EndTimeUtc",
    "Duration",
];

/// A time entry as a form describes it, checked against the world.
struct Described {
    user: usize,
    task: Option<usize>,
    project: Option<usize>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    timezone: String,
    type_of_work: TypeOfWork,
    note: Option<String>,
    is_billable: bool,
    is_billed: bool,
}

/// `POST /timeentries`.
pub(super) fn create(
    world: &mut World,
    actor: TriggeredBy,
    form: &TimeEntryPostForm,
) -> Result<Outcome, Refused> {
    let described = describe(world, form, None)?;
    world.advance(WRITE_SECONDS);
    let id = world.id();
    let entry = world.record_time_entry(record(id, described, &actor.id));
    world.time_entries.push(Kept::time_entry(Box::new(entry)));
    let entry = world.time_entries.last().expect("just kept").to_model();
    let added = event(
        EventType::TimeTrackingAdded,
        &actor,
        Entity::TimeTracking(entry.clone()),
        Some(world.time_entry_link(&entry)),
        None,
    );
    Ok(Outcome::answer(&entry, vec![added]))
}

/// `PUT /timeentries/{timeEntryId}`.
pub(super) fn update(
    world: &mut World,
    actor: TriggeredBy,
    time_entry_id: &str,
    form: &TimeTrackingPutForm,
) -> Result<Outcome, Refused> {
    let index = world
        .time_entry_index(time_entry_id)
        .ok_or_else(|| Refused::not_found("time entry", time_entry_id))?;
    let old = world.time_entries[index].to_model();
    let described = describe(world, form, Some(&old))?;
    let unchanged = old.user_id.as_ref() == Some(&world.users[described.user].id)
        && old.task_id.as_ref() == described.task.map(|task| &world.tasks[task].id)
        && old.project_id.as_ref()
            == described
                .project
                .map(|project| &world.projects[project].project.id)
        && old.type_of_work_id == described.type_of_work.id
        && old.note == described.note
        && old.is_billable == Some(described.is_billable)
        && old.is_billed == Some(described.is_billed)
        && old.timezone == described.timezone
        && world::entry_start(&old) == Some(described.start)
        && world::entry_end(&old) == Some(described.end);
    if unchanged {
        return Ok(Outcome::answer(&world.current_time_entry(&old), Vec::new()));
    }
    world.advance(WRITE_SECONDS);
    // Its old time no longer counts, nor does its timer keep its user busy; then it is recorded
    // anew under its own id, as created when and by whom it was.
    let removed = world.remove_time_entry(index);
    let creator = removed
        .created_by
        .clone()
        .unwrap_or_else(|| actor.id.clone());
    let mut entry = world.record_time_entry(record(removed.id.clone(), described, &creator));
    entry.created_on = removed.created_on.clone();
    entry.updated_by = Some(actor.id.clone());
    let changes = changes_between(&removed, &entry, UPDATED);
    world
        .time_entries
        .insert(index, Kept::time_entry(Box::new(entry)));
    let entry = world.time_entries[index].to_model();
    let updated = event(
        EventType::TimeTrackingChanged,
        &actor,
        Entity::TimeTracking(entry.clone()),
        Some(world.time_entry_link(&entry)),
        Some(changes),
    );
    Ok(Outcome::answer(&entry, vec![updated]))
}

/// `DELETE /timeentries/{timeEntryId}`.
pub(super) fn delete(
    world: &mut World,
    actor: TriggeredBy,
    time_entry_id: &str,
) -> Result<Outcome, Refused> {
    let index = world
        .time_entry_index(time_entry_id)
        .ok_or_else(|| Refused::not_found("time entry", time_entry_id))?;
    world.advance(WRITE_SECONDS);
    Ok(Outcome::no_content(vec![deleted(world, index, &actor)]))
}

/// Deletes a time entry (an index of `time_entries`): its `timetracking_deleted`.
pub(super) fn deleted(
    world: &mut World,
    index: usize,
    actor: &TriggeredBy,
) -> (EventType, super::Produced) {
    let removed = world.remove_time_entry(index);
    let entry = Box::new(world.current_time_entry(&removed));
    let link = world.time_entry_link(&entry);
    event(
        EventType::TimeTrackingDeleted,
        actor,
        Entity::TimeTracking(entry),
        Some(link),
        None,
    )
}

/// Keeps a time entry (an index of `time_entries`) whose task or project is being deleted, booked
/// on no task and no project, as awork keeps it unless asked to delete it (`deleteTimeTrackings`):
/// its `timetracking_updated`, with a change of each reference cleared.
pub(super) fn unbooked(
    world: &mut World,
    index: usize,
    actor: &TriggeredBy,
    now: &AworkDateTime,
) -> (EventType, super::Produced) {
    let duration = world.time_entries[index].duration.unwrap_or(0);
    let mut entry = world.time_entries[index].to_model();
    world.add_tracked(
        entry.task_id.as_deref(),
        entry.project_id.as_deref(),
        -duration,
    );
    let mut changes = Vec::new();
    if entry.project_id.is_some() {
        changes.push(story::change(
            "ProjectId",
            entry.project_id.take(),
            Value::Null,
        ));
    }
    if entry.task_id.is_some() {
        changes.push(story::change("TaskId", entry.task_id.take(), Value::Null));
    }
    entry.project = None;
    entry.task = None;
    entry.updated_on = Some(now.clone());
    entry.updated_by = Some(actor.id.clone());
    entry.resource_version = Some(ids::ticks(world.now));
    let link = world.time_entry_link(&entry);
    // Its keys change with its task and project: kept anew.
    world.time_entries[index] = Kept::time_entry(entry.clone());
    event(
        EventType::TimeTrackingChanged,
        actor,
        Entity::TimeTracking(entry),
        Some(link),
        Some(changes),
    )
}

/// The record of a described entry, created by `creator`.
fn record(id: String, described: Described, creator: &str) -> TimeEntryRecord {
    TimeEntryRecord {
        id,
        task: described.task,
        project: described.project,
        user: described.user,
        start: described.start,
        end: Some(described.end),
        keep_fractions: true,
        breaks: None,
        timezone: described.timezone,
        type_of_work: described.type_of_work,
        note: described.note,
        is_billable: described.is_billable,
        is_billed: described.is_billed,
        creator: creator.to_owned(),
    }
}

/// Checks a form against the world: `existing` is the entry an update replaces (its user stays
/// when the form names none, and it may overlap itself).
fn describe(
    world: &World,
    form: &TimeEntryPostForm,
    existing: Option<&TimeTracking>,
) -> Result<Described, Refused> {
    let mut check = Check::default();
    let user_id = form
        .user_id
        .as_ref()
        .or(existing.and_then(|entry| entry.user_id.as_ref()));
    let user = check
        .required("UserId", user_id)
        .and_then(|id| check.exists("UserId", world.user_index(id), "user"));
    let type_of_work = check
        .required("TypeOfWorkId", form.type_of_work_id.as_ref())
        .and_then(|id| {
            let found = world.types_of_work.iter().find(|kind| kind.id == *id);
            check.exists("TypeOfWorkId", found.cloned(), "type of work")
        });
    let timezone = check.required_text("Timezone", form.timezone.as_deref(), 100);
    let zone = time_zone(timezone);
    if !timezone.is_empty() && zone.is_none() {
        check.fail(
            "Timezone",
            format!("'Timezone' must be an IANA time zone (Europe/Berlin, America/New_York, UTC): '{timezone}' is none."),
        );
    }
    let to_utc = |local| local_to_utc(zone, local);
    let to_local = |instant| local_clock(zone, instant);
    // The start, in UTC or local time.
    let utc_start = form.start_date_utc.is_some() || form.start_time_utc.is_some();
    let start = if utc_start {
        moment(
            &mut check,
            ("StartDateUtc", form.start_date_utc.as_deref()),
            ("StartTimeUtc", form.start_time_utc.as_deref()),
            None,
        )
    } else if form.start_date_local.is_some() || form.start_time_local.is_some() {
        moment(
            &mut check,
            ("StartDateLocal", form.start_date_local.as_deref()),
            ("StartTimeLocal", form.start_time_local.as_deref()),
            None,
        )
        .map(to_utc)
    } else {
        check.missing("StartDateUtc");
        None
    };
    // The end: after `duration`, or at the end's date and time (the start's day when no date).
    check.seconds("Duration", form.duration);
    let end = match (form.duration, start) {
        (Some(duration), Some(start)) => {
            let end = TimeDelta::try_seconds(duration)
                .and_then(|duration| start.checked_add_signed(duration));
            // One problem a property: a duration past int32 was refused already.
            if end.is_none() && i32::try_from(duration).is_ok() {
                check.fail("Duration", "'Duration' is too long.".to_owned());
            }
            end
        }
        (Some(_), None) => None,
        (None, start) if form.end_date_utc.is_some() || form.end_time_utc.is_some() => moment(
            &mut check,
            ("EndDateUtc", form.end_date_utc.as_deref()),
            ("EndTimeUtc", form.end_time_utc.as_deref()),
            start,
        ),
        (None, start) if form.end_date_local.is_some() || form.end_time_local.is_some() => moment(
            &mut check,
            ("EndDateLocal", form.end_date_local.as_deref()),
            ("EndTimeLocal", form.end_time_local.as_deref()),
            start.map(to_local),
        )
        .map(to_utc),
        (None, _) => {
            check.missing("Duration");
            None
        }
    };
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            check.fail(
                "Duration",
                "'Duration' must be greater than '0'.".to_owned(),
            );
        }
        // awork's dates are .NET's, which end with the year 9999.
        if start.year() < 1 || to_local(end).year() > 9999 || end.year() > 9999 {
            check.fail(
                "Duration",
                "The time entry must start and end between the years 1 and 9999.".to_owned(),
            );
        }
    }
    // What it is booked on: a task of a project, or a project.
    let task = form.task_id.as_deref().and_then(|id| {
        let found = world
            .task_index(id)
            .filter(|&task| world.tasks[task].project_id.is_some());
        check.exists("TaskId", found, "task of a project")
    });
    let project = match (task, form.project_id.as_deref()) {
        (Some(task), named) => {
            let project = world.tasks[task]
                .project_id
                .as_deref()
                .and_then(|id| world.project_index(id));
            if named.is_some_and(|named| Some(named) != world.tasks[task].project_id.as_deref()) {
                check.fail(
                    "ProjectId",
                    "'Project Id' must be the project of the task.".to_owned(),
                );
            }
            project
        }
        (None, Some(id)) => check.exists("ProjectId", world.project_index(id), "project"),
        // An entry whose project was deleted may stay booked on none.
        (None, None) if existing.is_some_and(|entry| entry.project_id.is_none()) => None,
        (None, None) if form.task_id.is_none() => {
            check.missing("ProjectId");
            None
        }
        (None, None) => None,
    };
    // Never at the same time as another entry of the same user (a running timer lasts on).
    if let (Some(user), Some(start), Some(end)) = (user, start, end) {
        let user_id = &world.users[user].id;
        let clash = world.time_entries.iter().find(|entry| {
            entry.user_id.as_ref() == Some(user_id)
                && existing.is_none_or(|existing| existing.id != entry.id)
                && world::entry_start(entry).is_some_and(|other_start| other_start < end)
                && world::entry_end(entry).is_none_or(|other_end| start < other_end)
        });
        if let Some(clash) = clash {
            check.fail(
                "StartTimeUtc",
                format!(
                    "The time entry overlaps the time entry {} of the same user.",
                    clash.id
                ),
            );
        }
    }
    check.finish()?;
    let is_billable = form.is_billable.unwrap_or_else(|| match project {
        Some(project) => world.projects[project].project.is_billable_by_default == Some(true),
        None => existing.is_some_and(|entry| entry.is_billable == Some(true)),
    });
    Ok(Described {
        user: user.expect("checked"),
        task,
        project,
        start: start.expect("checked"),
        end: end.expect("checked"),
        timezone: timezone.to_owned(),
        type_of_work: type_of_work.expect("checked"),
        note: form.note.clone(),
        is_billable,
        is_billed: form.is_billed.unwrap_or(false),
    })
}

/// A moment from a date property and a time property (`…Date…` and `…Time…` of a time entry): the
/// date's day (or `after`'s, when there is no date) at the time (or the date's own time). An end on
/// `after`'s day but before it is on the next day.
fn moment(
    check: &mut Check,
    (date_property, date): (&str, Option<&str>),
    (time_property, time): (&str, Option<&str>),
    after: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let date = check.date_time(date_property, date);
    let time = check.time_of_day(time_property, time);
    let day: NaiveDate = match (date, after) {
        (Some(date), _) => date.date_naive(),
        (None, Some(after)) => after.date_naive(),
        (None, None) => {
            check.missing(date_property);
            return None;
        }
    };
    let time: NaiveTime = time.or(date.map(|date| date.time()))?;
    let instant = day.and_time(time).and_utc();
    Some(match after {
        Some(after) if date.is_none() && instant <= after => instant + TimeDelta::days(1),
        _ => instant,
    })
}
