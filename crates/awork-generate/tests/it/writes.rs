//! The REST API's writes: the events each sends, the world read afterwards, validation, and
//! determinism and the story's invariants with writes among the story's events.

use awork_generate::writes::{
    ChangeProjectStatusForm, ChangeStatusForm, CommentForm, CompanyDeleteForm, CompanyForm,
    ExtendedProjectForm, GeneralTaskForm, GeneralTaskPostForm, ProjectDeleteForm,
    ProjectMemberForm, ProjectMemberRemoveForm, ProjectPutForm, Refused, TasksDeleteForm,
    TimeEntryPostForm, Write, Written,
};
use awork_generate::{Generator, GeneratorConfig};
use awork_models::entities::Entity;
use awork_models::{Envelope, EventType, Naming};
use awork_openapi::OpenApi;
use serde_json::{Value, json};

use crate::assert_valid_and_round_trips;
use crate::coherence::Ledger;
use crate::invariants;

/// A workspace a story of `steps` events into, and its owner (who acts).
fn workspace(seed: u64, steps: usize) -> (Generator, String) {
    let mut generator = Generator::new(GeneratorConfig {
        seed,
        naming: Naming::Api,
        ..GeneratorConfig::default()
    });
    for _ in 0..steps {
        generator.next_event();
    }
    let owner = generator.initial_user_ids()[0].clone();
    (generator, owner)
}

/// Applies a write that must be accepted, and checks every event it sends: valid, of awork's
/// schemas, triggered by the actor.
#[track_caller]
fn write(generator: &mut Generator, actor: &str, write: Write) -> Written {
    let written = generator
        .write(actor, &write)
        .unwrap_or_else(|refused| panic!("{write:?} refused: {refused:?}"));
    static API: std::sync::LazyLock<OpenApi> = std::sync::LazyLock::new(OpenApi::load);
    for event in &written.events {
        assert_valid_and_round_trips(event);
        assert_eq!(event.triggered_by.as_ref().unwrap().id, actor);
        let schema = OpenApi::schema_for_entity_type(&event.entity_type).unwrap();
        let entity = serde_json::to_value(&event.entity).unwrap();
        let violations = API.check(schema, &entity);
        assert!(
            violations.is_empty(),
            "{schema}: {violations:?}\n{entity:#}"
        );
    }
    written
}

/// The event types of some events, by their API names.
fn names(events: &[Envelope]) -> Vec<&str> {
    events
        .iter()
        .map(|event| event.event_type.as_str())
        .collect()
}

/// The world's current state of an event's entity, as JSON, if the world has it.
fn read_back(generator: &Generator, event: &Envelope) -> Option<Value> {
    let world = generator.world();
    let id = event.entity_id.as_str();
    let value = match &event.entity {
        Entity::Task(_) => serde_json::to_value(world.task_entity(world.task_index(id)?)),
        Entity::Project(_) => serde_json::to_value(&world.project(id)?.project),
        Entity::TimeTracking(_) => {
            serde_json::to_value(world.current_time_entry(world.time_entry(id)?))
        }
        Entity::Company(_) => serde_json::to_value(world.counted_company(world.company(id)?)),
        Entity::Comment(_) => {
            serde_json::to_value(world.current_comment(world.comments.iter().find(|c| c.id == id)?))
        }
        _ => return None,
    };
    Some(value.unwrap())
}

/// The event's entity is what the world reads now.
#[track_caller]
fn assert_reads_back(generator: &Generator, event: &Envelope) {
    let entity = serde_json::to_value(&event.entity).unwrap();
    assert_eq!(
        read_back(generator, event),
        Some(entity),
        "{}",
        event.event_type
    );
}

/// The property names of a refusal's validation errors.
#[track_caller]
fn invalid_properties(refused: Refused) -> Vec<String> {
    match refused {
        Refused::Invalid(errors) => errors.into_iter().map(|error| error.property).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

/// The id of an open project of the world with at least two active members.
fn open_project(generator: &Generator) -> String {
    let world = generator.world();
    world
        .projects
        .iter()
        .find(|state| {
            state.project.closed_on.is_none()
                && state.project.members.as_ref().is_some_and(|m| m.len() >= 2)
        })
        .expect("an open project")
        .project
        .id
        .clone()
}

/// A new project task by the owner, with its id.
fn new_task(generator: &mut Generator, owner: &str, project: &str) -> String {
    let written = write(
        generator,
        owner,
        Write::CreateTask {
            form: GeneralTaskPostForm {
                name: Some("Moodboard abstimmen".into()),
                base_type: Some("projecttask".into()),
                entity_id: Some(project.into()),
                planned_duration: Some(7200),
                ..GeneralTaskPostForm::default()
            },
        },
    );
    written.events[0].entity_id.clone()
}

#[test]
fn creating_a_task_announces_it_and_reads_back() {
    let (mut generator, owner) = workspace(1, 300);
    let project = open_project(&generator);
    let before = generator.world().project(&project).unwrap().project.clone();
    let written = write(
        &mut generator,
        &owner,
        Write::CreateTask {
            form: GeneralTaskPostForm {
                name: Some("Logo-Entwürfe".into()),
                description: Some("Drei Richtungen".into()),
                base_type: Some("projecttask".into()),
                entity_id: Some(project.clone()),
                due_on: Some("2025-03-18T17:00:00Z".into()),
                planned_duration: Some(3600),
                ..GeneralTaskPostForm::default()
            },
        },
    );
    assert_eq!(names(&written.events), ["task_added"]);
    let event = &written.events[0];
    assert_eq!(
        written.response.as_ref(),
        Some(&serde_json::to_value(&event.entity).unwrap())
    );
    assert_reads_back(&generator, event);
    let task = generator.world().task(&event.entity_id).unwrap();
    assert_eq!(task.name, "Logo-Entwürfe");
    assert_eq!(task.project_id.as_deref(), Some(project.as_str()));
    assert_eq!(
        task.task_status.as_ref().unwrap().kind.as_deref(),
        Some("todo")
    );
    assert_eq!(task.created_by.as_deref(), Some(owner.as_str()));
    let after = &generator.world().project(&project).unwrap().project;
    assert_eq!(after.tasks_count, before.tasks_count.map(|n| n + 1));
    assert_eq!(
        after.planned_duration,
        before.planned_duration.map(|n| n + 3600)
    );
    assert!(after.resource_version > before.resource_version);

    // A private task is the owner's, assigned to them.
    let written = write(
        &mut generator,
        &owner,
        Write::CreateTask {
            form: GeneralTaskPostForm {
                name: Some("Steuerunterlagen".into()),
                base_type: Some("private".into()),
                ..GeneralTaskPostForm::default()
            },
        },
    );
    let task = generator
        .world()
        .task(&written.events[0].entity_id)
        .unwrap();
    assert_eq!(task.user_id.as_deref(), Some(owner.as_str()));
    assert_eq!(task.assignees.as_ref().unwrap()[0].id, owner);
    // In the workspace's first `todo` status of private tasks (GeneralTaskPostForm's default),
    // which changestatuses moves it out of, to the private `done` one.
    let statuses = generator.world().private_task_statuses.clone();
    let todo = statuses
        .iter()
        .find(|status| status.kind.as_deref() == Some("todo"))
        .unwrap();
    let done = statuses
        .iter()
        .find(|status| status.kind.as_deref() == Some("done"))
        .unwrap();
    assert_eq!(task.task_status_id.as_ref(), Some(&todo.id));
    assert_eq!(task.task_status.as_ref(), Some(todo));
    let private = task.id.clone();
    let written = write(
        &mut generator,
        &owner,
        Write::ChangeTaskStatuses {
            forms: vec![ChangeStatusForm {
                task_id: Some(private.clone()),
                status_id: Some(done.id.clone()),
                order: None,
            }],
        },
    );
    assert_eq!(names(&written.events), ["task_status_changed"]);
    assert_reads_back(&generator, &written.events[0]);
    let task = generator.world().task(&private).unwrap();
    assert_eq!(task.task_status_id.as_ref(), Some(&done.id));
    assert!(task.closed_on.is_some());
    // A project's status is not a private task's, and a private status not a project task's.
    let project_status = generator.world().project(&project).unwrap().task_statuses[0].clone();
    for (base_type, entity_id, status) in [
        ("private", None, &project_status.id),
        ("projecttask", Some(project.clone()), &todo.id),
    ] {
        let refused = generator
            .write(
                &owner,
                &Write::CreateTask {
                    form: GeneralTaskPostForm {
                        name: Some("Falscher Status".into()),
                        base_type: Some(base_type.into()),
                        entity_id,
                        task_status_id: Some(status.clone()),
                        ..GeneralTaskPostForm::default()
                    },
                },
            )
            .unwrap_err();
        assert_eq!(invalid_properties(refused), ["TaskStatusId"], "{base_type}");
    }
}

#[test]
fn updating_a_task_sends_a_change_per_changed_property() {
    let (mut generator, owner) = workspace(2, 300);
    let project = open_project(&generator);
    let task = new_task(&mut generator, &owner, &project);
    let planned_before = generator
        .world()
        .project(&project)
        .unwrap()
        .project
        .planned_duration;
    let form = GeneralTaskForm {
        name: Some("Moodboard final".into()),
        planned_duration: Some(9000),
        due_on: Some("2025-06-01T17:00:00".into()),
        ..GeneralTaskForm::default()
    };
    let update = Write::UpdateTask {
        task_id: task.clone(),
        form,
    };
    let written = write(&mut generator, &owner, update.clone());
    assert_eq!(names(&written.events), ["task_updated"]);
    let event = &written.events[0];
    let changes: Vec<(&str, Option<&Value>, Option<&Value>)> = event
        .changes
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| (c.property.as_str(), c.old_value(), c.new_value()))
        .collect();
    assert_eq!(
        changes,
        [
            (
                "Name",
                Some(&json!("Moodboard abstimmen")),
                Some(&json!("Moodboard final"))
            ),
            ("DueOn", None, Some(&json!("2025-06-01T17:00:00Z"))),
            ("PlannedDuration", Some(&json!(7200)), Some(&json!(9000))),
        ]
    );
    assert_reads_back(&generator, event);
    let after = generator
        .world()
        .project(&project)
        .unwrap()
        .project
        .planned_duration;
    assert_eq!(after, planned_before.map(|n| n + 1800));
    // The same body again changes nothing and sends nothing.
    let again = write(&mut generator, &owner, update.clone());
    assert!(again.events.is_empty());
    assert_eq!(again.response.as_ref().unwrap()["name"], "Moodboard final");
    // So does the same time written without its seconds, or at another offset (.NET reads both).
    for due_on in ["2025-06-01T17:00", "2025-06-01T19:00+02:00"] {
        let Write::UpdateTask { task_id, mut form } = update.clone() else {
            unreachable!()
        };
        form.due_on = Some(due_on.into());
        let same = write(&mut generator, &owner, Write::UpdateTask { task_id, form });
        assert!(same.events.is_empty(), "{due_on}");
    }
}

#[test]
fn changing_statuses_sends_one_event_per_changed_task_and_207_for_failures() {
    let (mut generator, owner) = workspace(3, 300);
    let project = open_project(&generator);
    let task = new_task(&mut generator, &owner, &project);
    let done = generator.world().project(&project).unwrap().task_statuses[3].clone();
    let done_before = generator
        .world()
        .project(&project)
        .unwrap()
        .project
        .tasks_done_count;
    let written = write(
        &mut generator,
        &owner,
        Write::ChangeTaskStatuses {
            forms: vec![
                ChangeStatusForm {
                    task_id: Some(task.clone()),
                    status_id: Some(done.id.clone()),
                    order: None,
                },
                ChangeStatusForm {
                    task_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    status_id: Some(done.id.clone()),
                    order: None,
                },
            ],
        },
    );
    assert!(written.partial && written.response.is_none());
    assert_eq!(names(&written.events), ["task_status_changed"]);
    let event = &written.events[0];
    let change = &event.changes.as_ref().unwrap()[0];
    assert_eq!(change.property, "TaskStatusId");
    assert_eq!(change.new_value(), Some(&json!(done.id)));
    assert_reads_back(&generator, event);
    let task_model = generator.world().task(&task).unwrap();
    assert_eq!(task_model.closed_by.as_deref(), Some(owner.as_str()));
    let done_after = generator
        .world()
        .project(&project)
        .unwrap()
        .project
        .tasks_done_count;
    assert_eq!(done_after, done_before.map(|n| n + 1));
    // All failing: the first failure.
    let refused = generator
        .write(
            &owner,
            &Write::ChangeTaskStatuses {
                forms: vec![ChangeStatusForm {
                    task_id: Some(task),
                    status_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    order: None,
                }],
            },
        )
        .unwrap_err();
    assert_eq!(invalid_properties(refused), ["StatusId"]);
}

#[test]
fn setting_assignees_sends_one_event_per_added_and_removed_user() {
    let (mut generator, owner) = workspace(4, 300);
    let project = open_project(&generator);
    let task = new_task(&mut generator, &owner, &project);
    let members: Vec<String> = generator
        .world()
        .project(&project)
        .unwrap()
        .project
        .members
        .iter()
        .flatten()
        .filter_map(|member| member.user_id.clone())
        .take(2)
        .collect();
    let written = write(
        &mut generator,
        &owner,
        Write::SetTaskAssignees {
            task_id: task.clone(),
            user_ids: members.clone(),
        },
    );
    assert_eq!(
        names(&written.events),
        ["taskassignment_added", "taskassignment_added"]
    );
    let ids: Vec<&str> = written
        .events
        .iter()
        .map(|e| e.entity_id.as_str())
        .collect();
    assert_eq!(ids, [members[0].as_str(), members[1].as_str()]);
    let task_model = generator.world().task(&task).unwrap();
    let efforts: i64 = task_model
        .assignees
        .iter()
        .flatten()
        .filter_map(|a| a.planned_effort)
        .sum();
    assert_eq!(Some(efforts), task_model.planned_duration);
    let written = write(
        &mut generator,
        &owner,
        Write::SetTaskAssignees {
            task_id: task.clone(),
            user_ids: vec![members[1].clone()],
        },
    );
    assert_eq!(names(&written.events), ["taskassignment_deleted"]);
    assert_eq!(written.events[0].entity_id, members[0]);
    let task_model = generator.world().task(&task).unwrap();
    assert_eq!(
        task_model.assignees.as_ref().unwrap()[0].planned_effort,
        Some(7200)
    );
    // The same list again: nothing.
    let again = write(
        &mut generator,
        &owner,
        Write::SetTaskAssignees {
            task_id: task,
            user_ids: vec![members[1].clone()],
        },
    );
    assert!(again.events.is_empty());
}

/// A finished time entry of `user` on `task`, `minutes` long, in the user's free time today.
fn time_entry_form(
    generator: &Generator,
    user: &str,
    task: &str,
    minutes: i64,
) -> TimeEntryPostForm {
    let world = generator.world();
    let from = world.free_from(user, None).expect("the user has time");
    let start = from + chrono::TimeDelta::seconds(1);
    TimeEntryPostForm {
        user_id: Some(user.into()),
        task_id: Some(task.into()),
        type_of_work_id: Some(world.types_of_work[0].id.clone()),
        timezone: Some("Europe/Berlin".into()),
        start_date_utc: Some(start.format("%Y-%m-%dT00:00:00Z").to_string()),
        start_time_utc: Some(start.format("%H:%M:%S").to_string()),
        duration: Some(minutes * 60),
        note: Some("Abstimmung per API".into()),
        ..TimeEntryPostForm::default()
    }
}

/// A user who can track time now (active, free for a while, no timer running).
fn free_user(generator: &mut Generator) -> String {
    loop {
        let world = generator.world();
        let free = world.users.iter().find(|user| {
            awork_generate::world::is_active(user)
                && world
                    .free_from(&user.id, None)
                    .is_some_and(|from| world.now - from > chrono::TimeDelta::hours(1))
        });
        if let Some(user) = free {
            return user.id.clone();
        }
        generator.next_event();
    }
}

#[test]
fn time_entries_add_to_and_take_from_the_tracked_time() {
    let (mut generator, owner) = workspace(5, 300);
    let project = open_project(&generator);
    let task = new_task(&mut generator, &owner, &project);
    let user = free_user(&mut generator);
    let tracked = |generator: &Generator| {
        let world = generator.world();
        (
            world.task(&task).unwrap().tracked_duration.unwrap(),
            world
                .project(&project)
                .unwrap()
                .project
                .tracked_duration
                .unwrap(),
        )
    };
    let (task_before, project_before) = tracked(&generator);
    let form = time_entry_form(&generator, &user, &task, 30);
    let written = write(
        &mut generator,
        &owner,
        Write::CreateTimeEntry { form: form.clone() },
    );
    assert_eq!(names(&written.events), ["timetracking_added"]);
    let event = &written.events[0];
    assert_reads_back(&generator, event);
    let entry_id = event.entity_id.clone();
    assert_eq!(
        tracked(&generator),
        (task_before + 1800, project_before + 1800)
    );
    let entry = generator.world().time_entry(&entry_id).unwrap();
    assert_eq!(entry.user_id.as_deref(), Some(user.as_str()));
    assert_eq!(
        entry.is_billable,
        generator
            .world()
            .project(&project)
            .unwrap()
            .project
            .is_billable_by_default
    );
    // The same time again overlaps it.
    let refused = generator
        .write(&owner, &Write::CreateTimeEntry { form: form.clone() })
        .unwrap_err();
    assert_eq!(invalid_properties(refused), ["StartTimeUtc"]);
    // Shorter: the tracked time shrinks by the difference.
    let shorter = TimeEntryPostForm {
        duration: Some(20 * 60),
        ..form.clone()
    };
    let written = write(
        &mut generator,
        &owner,
        Write::UpdateTimeEntry {
            time_entry_id: entry_id.clone(),
            form: shorter,
        },
    );
    assert_eq!(names(&written.events), ["timetracking_updated"]);
    let properties: Vec<&str> = written.events[0]
        .changes
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.property.as_str())
        .collect();
    assert_eq!(properties, ["EndTimeUtc", "Duration"]);
    assert_reads_back(&generator, &written.events[0]);
    assert_eq!(
        tracked(&generator),
        (task_before + 1200, project_before + 1200)
    );
    // Deleted: gone, and its time with it.
    let written = write(
        &mut generator,
        &owner,
        Write::DeleteTimeEntry {
            time_entry_id: entry_id.clone(),
        },
    );
    assert_eq!(names(&written.events), ["timetracking_deleted"]);
    assert!(written.response.is_none());
    assert!(generator.world().time_entry(&entry_id).is_none());
    assert_eq!(tracked(&generator), (task_before, project_before));
    let refused = generator
        .write(
            &owner,
            &Write::DeleteTimeEntry {
                time_entry_id: entry_id,
            },
        )
        .unwrap_err();
    assert_eq!(refused.status(), 404);
}

#[test]
fn a_time_entry_is_booked_in_any_iana_time_zone_its_local_times_at_their_offsets() {
    let (mut generator, owner) = workspace(5, 300);
    let project = open_project(&generator);
    let task = new_task(&mut generator, &owner, &project);
    let user = free_user(&mut generator);
    let base = time_entry_form(&generator, &user, &task, 30);
    // The 4th of July 2025, 09:15 in New York (EDT, UTC-4) and in Kolkata (IST, UTC+5:30), and
    // 01:30 on the 9th of March 2025 in New York, an hour before its clocks went forward.
    for (zone, local_date, local_time, utc) in [
        (
            "America/New_York",
            "2025-07-04",
            "09:15:00",
            "2025-07-04T13:15:00Z",
        ),
        (
            "Asia/Kolkata",
            "2025-07-04",
            "09:15:00",
            "2025-07-04T03:45:00Z",
        ),
        (
            "America/New_York",
            "2025-03-09",
            "01:30:00",
            "2025-03-09T06:30:00Z",
        ),
    ] {
        let form = TimeEntryPostForm {
            timezone: Some(zone.into()),
            start_date_utc: None,
            start_time_utc: None,
            start_date_local: Some(format!("{local_date}T00:00:00")),
            start_time_local: Some(local_time.into()),
            duration: Some(3600),
            ..base.clone()
        };
        let written = write(&mut generator, &owner, Write::CreateTimeEntry { form });
        assert_reads_back(&generator, &written.events[0]);
        let entry = generator
            .world()
            .time_entry(&written.events[0].entity_id)
            .unwrap()
            .clone();
        let start = awork_generate::world::entry_start(&entry).unwrap();
        assert_eq!(
            start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            utc,
            "{zone}"
        );
        assert_eq!(entry.timezone, zone);
        let local = |time: &Option<awork_models::TimeOfDay>| time.as_ref().unwrap().to_string();
        assert_eq!(local(&entry.start_time_local), local_time, "{zone}");
        if local_date == "2025-03-09" {
            // An hour later the clocks say 03:30, not 02:30: the end is at its own offset.
            assert_eq!(local(&entry.end_time_local), "03:30:00");
        }
    }
    // A zone the tz database does not have, a duration no clock holds, an end past the year 9999:
    // refused, naming the property, nothing written.
    let before = generator.world().time_entries.len();
    for (refused_write, properties) in [
        (
            Write::CreateTimeEntry {
                form: TimeEntryPostForm {
                    timezone: Some("Mars/Olympus_Mons".into()),
                    ..base.clone()
                },
            },
            vec!["Timezone"],
        ),
        (
            Write::CreateTimeEntry {
                form: TimeEntryPostForm {
                    duration: Some(i64::MAX),
                    ..base.clone()
                },
            },
            vec!["Duration"],
        ),
        (
            // Past .NET's last year, 9999.
            Write::CreateTimeEntry {
                form: TimeEntryPostForm {
                    start_date_utc: Some("9999-12-31T00:00:00Z".into()),
                    start_time_utc: Some("20:00:00".into()),
                    duration: Some(5 * 3600),
                    ..base.clone()
                },
            },
            vec!["Duration"],
        ),
    ] {
        let refused = generator.write(&owner, &refused_write).unwrap_err();
        assert_eq!(invalid_properties(refused), properties, "{refused_write:?}");
    }
    assert_eq!(generator.world().time_entries.len(), before);
}

#[test]
fn deleting_a_task_its_project_or_its_client_deletes_or_keeps_its_time_entries() {
    // What is deleted, and whether the time entry goes with it: the forms' defaults (no body)
    // keep it, booked on no task and no project (openapi: TasksDeleteForm, ProjectDeleteForm,
    // CompanyDeleteForm).
    let deletes: [(&str, DeleteOf, bool); 8] = [
        (
            "task, true",
            |task, _, _| delete_task(task, Some(true)),
            true,
        ),
        (
            "task, false",
            |task, _, _| delete_task(task, Some(false)),
            false,
        ),
        ("task, no body", |task, _, _| delete_task(task, None), false),
        (
            "project, true",
            |_, project, _| delete_project(project, Some(true)),
            true,
        ),
        (
            "project, false",
            |_, project, _| delete_project(project, Some(false)),
            false,
        ),
        (
            "project, no body",
            |_, project, _| delete_project(project, None),
            false,
        ),
        (
            "client, delete-all",
            |_, _, client| delete_client(client, "delete-all"),
            true,
        ),
        (
            "client, delete-all-without-timeentries",
            |_, _, client| delete_client(client, "delete-all-without-timeentries"),
            false,
        ),
    ];
    for (case, delete, entry_goes) in deletes {
        let (mut generator, owner) = workspace(6, 300);
        let client = write(
            &mut generator,
            &owner,
            Write::CreateCompany {
                form: CompanyForm {
                    name: Some("Bäckerei Sonnenschein".into()),
                    ..CompanyForm::default()
                },
            },
        )
        .events[0]
            .entity_id
            .clone();
        let project = write(
            &mut generator,
            &owner,
            Write::CreateProject {
                form: ExtendedProjectForm {
                    name: Some("Brot-Kampagne".into()),
                    company_id: Some(client.clone()),
                    ..ExtendedProjectForm::default()
                },
            },
        )
        .events[0]
            .entity_id
            .clone();
        let task = new_task(&mut generator, &owner, &project);
        let user = free_user(&mut generator);
        let form = time_entry_form(&generator, &user, &task, 15);
        let entry = write(&mut generator, &owner, Write::CreateTimeEntry { form }).events[0]
            .entity_id
            .clone();
        let written = write(&mut generator, &owner, delete(&task, &project, &client));
        assert!(generator.world().task(&task).is_none(), "{case}");
        let about_entry: Vec<&Envelope> = written
            .events
            .iter()
            .filter(|event| event.entity_id == entry)
            .collect();
        assert_eq!(about_entry.len(), 1, "{case}: {:?}", names(&written.events));
        let kept = generator.world().time_entry(&entry);
        if entry_goes {
            assert_eq!(
                about_entry[0].event_type.as_str(),
                "timetracking_deleted",
                "{case}"
            );
            assert!(kept.is_none(), "{case}");
        } else {
            assert_eq!(
                about_entry[0].event_type.as_str(),
                "timetracking_updated",
                "{case}"
            );
            assert_reads_back(&generator, about_entry[0]);
            // Cleared: the old value, and no new one (awork leaves out what is absent).
            let cleared: Vec<(&str, Option<&Value>, Option<&Value>)> = about_entry[0]
                .changes
                .as_ref()
                .unwrap()
                .iter()
                .map(|change| {
                    let property = change.property.as_str();
                    (property, change.old_value(), change.new_value())
                })
                .collect();
            let (project_id, task_id) = (json!(project), json!(task));
            assert_eq!(
                cleared,
                [
                    ("ProjectId", Some(&project_id), None),
                    ("TaskId", Some(&task_id), None)
                ],
                "{case}"
            );
            let kept = kept.unwrap_or_else(|| panic!("{case}: the time entry is gone"));
            assert_eq!((&kept.task_id, &kept.project_id), (&None, &None), "{case}");
            assert_eq!(kept.duration, Some(900), "{case}");
            // It stays the user's to change: booked on another project, say.
            let other = open_project(&generator);
            let form = TimeEntryPostForm {
                task_id: None,
                project_id: Some(other),
                ..time_entry_form(&generator, &user, &task, 15)
            };
            let start = kept.start_date_utc.clone();
            let rebooked = TimeEntryPostForm {
                start_date_utc: start.map(|date| date.to_string()),
                start_time_utc: kept.start_time_utc.as_ref().map(ToString::to_string),
                ..form
            };
            let written = write(
                &mut generator,
                &owner,
                Write::UpdateTimeEntry {
                    time_entry_id: entry.clone(),
                    form: rebooked,
                },
            );
            assert_eq!(names(&written.events), ["timetracking_updated"], "{case}");
            assert_reads_back(&generator, &written.events[0]);
        }
        // Nothing of the project's is left booked on it.
        let world = generator.world();
        if world.project(&project).is_none() {
            assert!(
                world
                    .time_entries
                    .iter()
                    .all(|kept| kept.project_id.as_deref() != Some(project.as_str())),
                "{case}"
            );
        }
    }
}

/// A delete of the task, the project or the client (by their ids, in that order).
type DeleteOf = fn(&str, &str, &str) -> Write;

fn delete_task(task: &str, delete_time_trackings: Option<bool>) -> Write {
    Write::DeleteTasks {
        form: TasksDeleteForm {
            task_ids: Some(vec![task.to_owned()]),
            delete_time_trackings,
        },
    }
}

fn delete_project(project: &str, delete_time_trackings: Option<bool>) -> Write {
    Write::DeleteProject {
        project_id: project.to_owned(),
        form: ProjectDeleteForm {
            delete_time_trackings,
        },
    }
}

fn delete_client(client: &str, operation: &str) -> Write {
    Write::DeleteCompany {
        company_id: client.to_owned(),
        form: CompanyDeleteForm {
            delete_operation: Some(operation.to_owned()),
            ..CompanyDeleteForm::default()
        },
    }
}

#[test]
fn comments_are_announced_kept_and_read_back() {
    let (mut generator, owner) = workspace(7, 300);
    let project = open_project(&generator);
    let task = new_task(&mut generator, &owner, &project);
    let written = write(
        &mut generator,
        &owner,
        Write::CommentOnTask {
            task_id: task.clone(),
            form: CommentForm {
                message: Some("Kunde findet's gut <3".into()),
                user_id: None,
            },
        },
    );
    assert_eq!(names(&written.events), ["task_comment_added"]);
    assert_reads_back(&generator, &written.events[0]);
    let comments: Vec<_> = generator.world().comments_on(&task).collect();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].formatted_message.as_deref(),
        Some("<p>Kunde findet&#39;s gut &lt;3</p>")
    );
    assert_eq!(
        generator.world().task(&task).unwrap().comment_count,
        Some(1)
    );
    let written = write(
        &mut generator,
        &owner,
        Write::CommentOnProject {
            project_id: project.clone(),
            form: CommentForm {
                message: Some("Kick-off am Montag".into()),
                user_id: None,
            },
        },
    );
    assert_eq!(names(&written.events), ["project_comment_added"]);
    assert_reads_back(&generator, &written.events[0]);
    let refused = generator
        .write(
            &owner,
            &Write::CommentOnTask {
                task_id: task,
                form: CommentForm::default(),
            },
        )
        .unwrap_err();
    assert_eq!(invalid_properties(refused), ["Message"]);
}

#[test]
fn the_project_writes_announce_each_change() {
    let (mut generator, owner) = workspace(8, 200);
    let company = generator.world().companies[0].id.clone();
    let written = write(
        &mut generator,
        &owner,
        Write::CreateProject {
            form: ExtendedProjectForm {
                name: Some("Relaunch Website".into()),
                company_id: Some(company.clone()),
                ..ExtendedProjectForm::default()
            },
        },
    );
    assert_eq!(names(&written.events), ["project_added"]);
    let event = &written.events[0];
    assert_reads_back(&generator, event);
    let project = event.entity_id.clone();
    let model = generator.world().project(&project).unwrap().project.clone();
    let members = model.members.as_ref().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].user_id.as_deref(), Some(owner.as_str()));
    assert_eq!(members[0].is_responsible, Some(true));
    assert_eq!(model.is_billable_by_default, Some(true));
    let kind = |model: &awork_models::entities::Project| {
        model.project_status.as_ref().unwrap().kind.clone().unwrap()
    };
    assert_eq!(kind(&model), "not-started");

    // Given another project's status, a new project starts in its own status of that type.
    let running = generator
        .world()
        .projects
        .iter()
        .flat_map(|state| &state.statuses)
        .find(|status| status.kind.as_deref() == Some("progress"))
        .unwrap()
        .clone();
    let written = write(
        &mut generator,
        &owner,
        Write::CreateProject {
            form: ExtendedProjectForm {
                name: Some("Kampagne".into()),
                project_status_id: Some(running.id.clone()),
                ..ExtendedProjectForm::default()
            },
        },
    );
    let state = generator
        .world()
        .project(&written.events[0].entity_id)
        .unwrap();
    assert_eq!(kind(&state.project), "progress");
    let own = state.project.project_status_id.as_ref().unwrap();
    assert!(state.statuses.iter().any(|status| status.id == *own));

    let written = write(
        &mut generator,
        &owner,
        Write::UpdateProject {
            project_id: project.clone(),
            form: ProjectPutForm {
                name: Some("Relaunch Website 2025".into()),
                company_id: Some(company),
                time_budget: Some(36_000),
                ..ProjectPutForm::default()
            },
        },
    );
    assert_eq!(names(&written.events), ["project_updated"]);
    let properties: Vec<&str> = written.events[0]
        .changes
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.property.as_str())
        .collect();
    assert_eq!(properties, ["Name", "TimeBudget"]);
    assert_reads_back(&generator, &written.events[0]);

    let closed = generator.world().project(&project).unwrap().statuses[3]
        .id
        .clone();
    let written = write(
        &mut generator,
        &owner,
        Write::ChangeProjectStatus {
            project_id: project.clone(),
            form: ChangeProjectStatusForm {
                project_status_id: Some(closed),
            },
        },
    );
    assert_eq!(names(&written.events), ["project_status_changed"]);
    assert_reads_back(&generator, &written.events[0]);
    assert!(
        generator
            .world()
            .project(&project)
            .unwrap()
            .project
            .closed_on
            .is_some()
    );

    let other = generator.world().users[1].id.clone();
    let member_role = generator.world().roles[1].0.clone();
    let written = write(
        &mut generator,
        &owner,
        Write::AddProjectMember {
            project_id: project.clone(),
            form: ProjectMemberForm {
                user_id: Some(other.clone()),
                project_role_id: Some(member_role.clone()),
                is_responsible: None,
            },
        },
    );
    assert_eq!(names(&written.events), ["projectmember_added"]);
    let refused = generator
        .write(
            &owner,
            &Write::AddProjectMember {
                project_id: project.clone(),
                form: ProjectMemberForm {
                    user_id: Some(other.clone()),
                    project_role_id: Some(member_role),
                    is_responsible: None,
                },
            },
        )
        .unwrap_err();
    assert_eq!(invalid_properties(refused), ["UserId"]);
    let written = write(
        &mut generator,
        &owner,
        Write::RemoveProjectMember {
            project_id: project.clone(),
            form: ProjectMemberRemoveForm {
                user_id: Some(other),
            },
        },
    );
    assert_eq!(names(&written.events), ["projectmember_deleted"]);

    let written = write(
        &mut generator,
        &owner,
        Write::DeleteProject {
            project_id: project.clone(),
            form: ProjectDeleteForm::default(),
        },
    );
    assert_eq!(names(&written.events), ["project_deleted"]);
    assert!(generator.world().project(&project).is_none());
    let refused = generator
        .write(
            &owner,
            &Write::UpdateProject {
                project_id: project,
                form: ProjectPutForm::default(),
            },
        )
        .unwrap_err();
    assert_eq!(refused.status(), 404);
}

#[test]
fn the_company_writes_announce_each_change() {
    let (mut generator, owner) = workspace(9, 100);
    let form = CompanyForm {
        name: Some("Bäckerei Sonnenschein".into()),
        description: None,
        industry: Some("Lebensmittel".into()),
    };
    let written = write(
        &mut generator,
        &owner,
        Write::CreateCompany { form: form.clone() },
    );
    assert_eq!(names(&written.events), ["company_added"]);
    assert_reads_back(&generator, &written.events[0]);
    let company = written.events[0].entity_id.clone();
    let written = write(
        &mut generator,
        &owner,
        Write::UpdateCompany {
            company_id: company.clone(),
            form: CompanyForm {
                description: Some("Drei Filialen".into()),
                ..form
            },
        },
    );
    assert_eq!(names(&written.events), ["company_updated"]);
    assert_eq!(
        written.events[0].changes.as_ref().unwrap()[0].property,
        "Description"
    );
    assert_reads_back(&generator, &written.events[0]);
    // A project of the company loses its client when the company goes.
    let project = write(
        &mut generator,
        &owner,
        Write::CreateProject {
            form: ExtendedProjectForm {
                name: Some("Brot-Kampagne".into()),
                company_id: Some(company.clone()),
                ..ExtendedProjectForm::default()
            },
        },
    )
    .events[0]
        .entity_id
        .clone();
    let written = write(
        &mut generator,
        &owner,
        Write::DeleteCompany {
            company_id: company.clone(),
            form: CompanyDeleteForm::default(),
        },
    );
    assert_eq!(
        names(&written.events),
        ["project_updated", "company_deleted"]
    );
    assert_reads_back(&generator, &written.events[0]);
    assert_eq!(
        generator
            .world()
            .project(&project)
            .unwrap()
            .project
            .company_id,
        None
    );
    assert!(generator.world().company(&company).is_none());
}

#[test]
fn validation_errors_name_the_property_and_change_nothing() {
    let (mut generator, owner) = workspace(10, 200);
    let (mut untouched, _) = workspace(10, 200);
    let project = open_project(&generator);
    let refusals = [
        (
            Write::CreateTask {
                form: GeneralTaskPostForm::default(),
            },
            vec!["Name", "BaseType"],
        ),
        (
            Write::CreateTask {
                form: GeneralTaskPostForm {
                    name: Some("x".repeat(1001)),
                    description: Some("x".repeat(25_001)),
                    base_type: Some("projecttask".into()),
                    entity_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    ..GeneralTaskPostForm::default()
                },
            },
            vec!["Name", "Description", "EntityId"],
        ),
        (
            // Lengths as .NET counts them: 600 emoji are 1,200 UTF-16 code units.
            Write::CreateTask {
                form: GeneralTaskPostForm {
                    name: Some("😀".repeat(600)),
                    base_type: Some("private".into()),
                    ..GeneralTaskPostForm::default()
                },
            },
            vec!["Name"],
        ),
        // Numbers awork declares int32 (a larger one would come back in answers that clients
        // generated from the document cannot read).
        (
            Write::CreateTask {
                form: GeneralTaskPostForm {
                    name: Some("Groß".into()),
                    base_type: Some("private".into()),
                    planned_duration: Some(i64::from(i32::MAX) + 1),
                    lane_order: Some(i64::from(i32::MIN) - 1),
                    ..GeneralTaskPostForm::default()
                },
            },
            vec!["PlannedDuration", "LaneOrder"],
        ),
        (
            // Negative past int32: one problem, not two.
            Write::CreateTask {
                form: GeneralTaskPostForm {
                    name: Some("Negativ".into()),
                    base_type: Some("private".into()),
                    planned_duration: Some(-3_000_000_000),
                    ..GeneralTaskPostForm::default()
                },
            },
            vec!["PlannedDuration"],
        ),
        (
            Write::CreateProject {
                form: ExtendedProjectForm {
                    name: Some("  ".into()),
                    ..ExtendedProjectForm::default()
                },
            },
            vec!["Name"],
        ),
        (
            Write::CreateProject {
                form: ExtendedProjectForm {
                    name: Some("Budget".into()),
                    time_budget: Some(99_999_999_999),
                    ..ExtendedProjectForm::default()
                },
            },
            vec!["TimeBudget"],
        ),
        (
            Write::CreateProject {
                form: ExtendedProjectForm {
                    name: Some("Schedule".into()),
                    reference_date_type: Some("bogus".into()),
                    reference_date_anchor: Some("Starts_On_Reference_Date".into()),
                    ..ExtendedProjectForm::default()
                },
            },
            vec!["ReferenceDateType"],
        ),
        // A status that does not exist, and templates and workflows, which the workspace has
        // none of: refused rather than left out.
        (
            Write::CreateProject {
                form: ExtendedProjectForm {
                    name: Some("Vorlage".into()),
                    project_status_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    project_template_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    public_project_template_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    workflow_id: Some("00000000-0000-0000-0000-000000000000".into()),
                    ..ExtendedProjectForm::default()
                },
            },
            vec![
                "ProjectStatusId",
                "ProjectTemplateId",
                "PublicProjectTemplateId",
                "WorkflowId",
            ],
        ),
        (
            Write::CreateTimeEntry {
                form: TimeEntryPostForm {
                    project_id: Some(project.clone()),
                    ..TimeEntryPostForm::default()
                },
            },
            vec![
                "UserId",
                "TypeOfWorkId",
                "Timezone",
                "StartDateUtc",
                "Duration",
            ],
        ),
        (
            Write::CreateCompany {
                form: CompanyForm::default(),
            },
            vec!["Name"],
        ),
    ];
    for (refused_write, properties) in refusals {
        let refused = generator.write(&owner, &refused_write).unwrap_err();
        assert_eq!(refused.status(), 400);
        assert_eq!(
            invalid_properties(refused.clone()),
            properties,
            "{refused_write:?}"
        );
        if let Refused::Invalid(errors) = &refused {
            assert!(
                errors
                    .iter()
                    .all(|e| e.message.starts_with('\'') || e.message.starts_with("The ")),
                "{errors:?}"
            );
        }
    }
    let refused = generator
        .write(
            &owner,
            &Write::CreateTask {
                form: GeneralTaskPostForm::default(),
            },
        )
        .unwrap_err();
    let Refused::Invalid(errors) = refused else {
        panic!()
    };
    assert_eq!(errors[0].message, "'Name' should not be empty.");
    let refused = generator
        .write(
            &owner,
            &Write::UpdateTask {
                task_id: "00000000-0000-0000-0000-000000000000".into(),
                form: GeneralTaskForm::default(),
            },
        )
        .unwrap_err();
    assert_eq!(refused.status(), 404);
    let refused = generator
        .write(
            "nobody",
            &Write::CreateCompany {
                form: CompanyForm::default(),
            },
        )
        .unwrap_err();
    assert_eq!(
        refused,
        Refused::NotFound {
            entity: "user",
            id: "nobody".into()
        }
    );
    // Nothing changed: the story goes on as in a workspace nobody wrote to.
    let next: Vec<Envelope> = (0..50).map(|_| generator.next_event()).collect();
    let expected: Vec<Envelope> = (0..50).map(|_| untouched.next_event()).collect();
    assert_eq!(next, expected);
}

#[test]
fn writes_are_data_that_round_trip_through_json() {
    let write = Write::UpdateTask {
        task_id: "t".into(),
        form: GeneralTaskForm {
            name: Some("n".into()),
            ..GeneralTaskForm::default()
        },
    };
    let text = serde_json::to_string(&write).unwrap();
    assert!(
        text.starts_with(r#"{"operation":"updateTask","taskId":"t","form":{"name":"n""#),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<Write>(&text).unwrap(), write);
    // Unknown properties are ignored, as awork ignores them.
    let form: GeneralTaskForm =
        serde_json::from_value(json!({"name": "n", "colour": "red"})).unwrap();
    assert_eq!(form.name.as_deref(), Some("n"));
}

/// A small deterministic random source for choosing writes (the test's own, apart from the
/// world's).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A write the world allows now, chosen by the dice; `None` when the chosen kind has nothing to
/// act on.
fn random_write(generator: &Generator, dice: &mut Dice, serial: usize) -> Option<Write> {
    let world = generator.world();
    let pick = |dice: &mut Dice, n: usize| (n > 0).then(|| dice.below(n));
    let project = pick(dice, world.projects.len()).map(|i| &world.projects[i]);
    let task = pick(dice, world.tasks.len()).map(|i| &*world.tasks[i]);
    let entry = pick(dice, world.time_entries.len()).map(|i| &*world.time_entries[i]);
    let company = pick(dice, world.companies.len()).map(|i| &world.companies[i]);
    Some(match dice.below(16) {
        0 => Write::CreateTask {
            form: GeneralTaskPostForm {
                name: Some(format!("API-Aufgabe {serial}")),
                base_type: Some("projecttask".into()),
                entity_id: Some(project?.project.id.clone()),
                planned_duration: Some(1800 * dice.below(6) as i64),
                ..GeneralTaskPostForm::default()
            },
        },
        1 => Write::UpdateTask {
            task_id: task?.id.clone(),
            form: GeneralTaskForm {
                name: Some(format!("API-Aufgabe {serial}")),
                planned_duration: Some(1800 * dice.below(6) as i64),
                is_prio: Some(dice.below(2) == 0),
                ..GeneralTaskForm::default()
            },
        },
        2 => {
            let task = task.filter(|task| task.project_id.is_some())?;
            let state = world.project(task.project_id.as_deref()?)?;
            let status = &state.task_statuses[dice.below(state.task_statuses.len())];
            Write::ChangeTaskStatuses {
                forms: vec![ChangeStatusForm {
                    task_id: Some(task.id.clone()),
                    status_id: Some(status.id.clone()),
                    order: None,
                }],
            }
        }
        3 => {
            let task = task.filter(|task| task.project_id.is_some())?;
            let state = world.project(task.project_id.as_deref()?)?;
            let members: Vec<String> = state
                .project
                .members
                .iter()
                .flatten()
                .filter(|_| dice.below(2) == 0)
                .filter_map(|member| member.user_id.clone())
                .collect();
            Write::SetTaskAssignees {
                task_id: task.id.clone(),
                user_ids: members,
            }
        }
        4 => Write::DeleteTasks {
            form: TasksDeleteForm {
                task_ids: Some(vec![task?.id.clone()]),
                delete_time_trackings: Some(dice.below(2) == 0),
            },
        },
        5 => Write::CommentOnTask {
            task_id: task?.id.clone(),
            form: CommentForm {
                message: Some(format!("Kommentar {serial}")),
                user_id: None,
            },
        },
        6 | 7 => {
            // On a task, by one of its assignees who is free, from when the task exists.
            let task = task.filter(|task| task.project_id.is_some())?;
            let since = task.created_on.as_ref()?.to_utc();
            let user = task.assignees.iter().flatten().find(|a| {
                world
                    .user(&a.id)
                    .is_some_and(awork_generate::world::is_active)
                    && world.free_from(&a.id, since).is_some()
            })?;
            let from = world.free_from(&user.id, since)? + chrono::TimeDelta::seconds(1);
            let free = (world.now - from).num_seconds() - 60;
            let kind = task.type_of_work_id.clone()?;
            Write::CreateTimeEntry {
                form: TimeEntryPostForm {
                    user_id: Some(user.id.clone()),
                    task_id: Some(task.id.clone()),
                    type_of_work_id: Some(kind),
                    timezone: Some("Europe/Berlin".into()),
                    start_date_utc: Some(from.format("%Y-%m-%dT00:00:00Z").to_string()),
                    start_time_utc: Some(from.format("%H:%M:%S").to_string()),
                    duration: Some(free.min(3600)),
                    note: Some(format!("API-Notiz {serial}")),
                    ..TimeEntryPostForm::default()
                },
            }
        }
        8 => {
            // A new note, the same time.
            let entry = entry.filter(|entry| entry.duration.is_some())?;
            Write::UpdateTimeEntry {
                time_entry_id: entry.id.clone(),
                form: TimeEntryPostForm {
                    user_id: entry.user_id.clone(),
                    task_id: entry.task_id.clone(),
                    project_id: entry.project_id.clone(),
                    type_of_work_id: Some(entry.type_of_work_id.clone()),
                    timezone: Some(entry.timezone.clone()),
                    is_billable: entry.is_billable,
                    start_date_utc: entry.start_date_utc.as_ref().map(ToString::to_string),
                    start_time_utc: entry.start_time_utc.as_ref().map(ToString::to_string),
                    duration: entry.duration,
                    note: Some(format!("API-Notiz {serial}")),
                    ..TimeEntryPostForm::default()
                },
            }
        }
        9 => Write::DeleteTimeEntry {
            time_entry_id: entry?.id.clone(),
        },
        10 => Write::CreateProject {
            form: ExtendedProjectForm {
                name: Some(format!("API-Projekt {serial}")),
                ..ExtendedProjectForm::default()
            },
        },
        11 => {
            let project = &project?.project;
            Write::UpdateProject {
                project_id: project.id.clone(),
                form: ProjectPutForm {
                    name: Some(format!("API-Projekt {serial}")),
                    company_id: project.company_id.clone(),
                    project_type_id: project.project_type_id.clone(),
                    time_budget: Some(3600 * dice.below(100) as i64),
                    ..ProjectPutForm::default()
                },
            }
        }
        12 => {
            let state = project?;
            Write::ChangeProjectStatus {
                project_id: state.project.id.clone(),
                form: ChangeProjectStatusForm {
                    project_status_id: Some(state.statuses[dice.below(4)].id.clone()),
                },
            }
        }
        13 => Write::CommentOnProject {
            project_id: project?.project.id.clone(),
            form: CommentForm {
                message: Some(format!("Projektkommentar {serial}")),
                user_id: None,
            },
        },
        14 => Write::CreateCompany {
            form: CompanyForm {
                name: Some(format!("API-Kunde {serial}")),
                description: None,
                industry: Some("Software".into()),
            },
        },
        _ => {
            let company = company?;
            if dice.below(3) == 0 {
                Write::DeleteCompany {
                    company_id: company.id.clone(),
                    form: CompanyDeleteForm::default(),
                }
            } else {
                Write::UpdateCompany {
                    company_id: company.id.clone(),
                    form: CompanyForm {
                        name: Some(company.name.clone()),
                        description: Some(format!("Beschreibung {serial}")),
                        industry: company.industry.clone(),
                    },
                }
            }
        }
    })
}

/// A story of `steps` steps with a write after every other one, every write accepted: the events,
/// and the world's entities as JSON at the end.
fn mixed(seed: u64, steps: usize) -> (Vec<Envelope>, Value) {
    let (mut generator, owner) = workspace(seed, 0);
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut events = Vec::new();
    let mut writes = 0;
    for step in 0..steps {
        events.push(generator.next_event());
        if step % 2 == 1 {
            if let Some(chosen) = random_write(&generator, &mut dice, step) {
                let written = write(&mut generator, &owner, chosen);
                for event in &written.events {
                    let readable = !matches!(
                        event.entity,
                        Entity::TaskAssignment(_) | Entity::ProjectMember(_)
                    );
                    if readable && !event.event_type.as_str().ends_with("_deleted") {
                        assert_reads_back(&generator, event);
                    }
                }
                events.extend(written.events);
                writes += 1;
            }
        }
    }
    assert!(writes > steps / 4, "{writes} writes");
    let world = generator.world();
    let state = json!({
        "tasks": world.tasks.iter().map(|task| &**task).collect::<Vec<_>>(),
        "timeEntries": world.time_entries.iter().map(|entry| &**entry).collect::<Vec<_>>(),
        "projects": world.projects.iter().map(|state| &state.project).collect::<Vec<_>>(),
        "companies": world.companies,
        "comments": world.comments,
        "now": world.now.to_rfc3339(),
    });
    (events, state)
}

#[test]
fn writes_among_the_story_keep_its_invariants_and_its_determinism() {
    for seed in [1, 2] {
        let (events, world) = mixed(seed, 3000);
        let kinds: std::collections::BTreeSet<&str> =
            events.iter().map(|e| e.event_type.as_str()).collect();
        for expected in [
            "timetracking_added",
            "task_deleted",
            "company_deleted",
            "project_status_changed",
        ] {
            assert!(kinds.contains(expected), "seed {seed}: no {expected}");
        }
        let generator = workspace(seed, 0).0;
        let mut ledger = Ledger::of(&generator);
        for (index, event) in events.iter().enumerate() {
            assert_valid_and_round_trips(event);
            ledger.follow(event, index);
        }
        invariants::check_versions(seed, events.iter().cloned());
        invariants::check_tracked_time(seed, events.iter().cloned());
        invariants::check_planned_effort(seed, events.iter().cloned());
        invariants::check_no_no_op_changes(seed, events.iter().cloned());
        invariants::check_working_life(seed, events.iter().cloned());
        // The same seed and writes: the same events and the same world.
        let (again, world_again) = mixed(seed, 3000);
        assert_eq!(events, again);
        assert_eq!(world, world_again);
    }
}

#[test]
fn asked_events_and_writes_share_the_world() {
    let (mut generator, owner) = workspace(11, 0);
    let events = generator.next_events_of(EventType::ProjectTaskAdded);
    let task = events.last().unwrap().entity_id.clone();
    let written = write(
        &mut generator,
        &owner,
        Write::CommentOnTask {
            task_id: task,
            form: CommentForm {
                message: Some("Passt".into()),
                user_id: None,
            },
        },
    );
    assert_eq!(names(&written.events), ["task_comment_added"]);
}
