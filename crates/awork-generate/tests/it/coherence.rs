//! The story is coherent: no event mentions an entity that does not exist at that point.

use std::collections::HashSet;

use awork_generate::{Generator, GeneratorConfig};
use awork_models::entities::Entity;
use awork_models::{Envelope, EventType, Naming};

/// What exists at a point of the story, as the events tell it.
#[derive(Default)]
pub(crate) struct Ledger {
    users: HashSet<String>,
    deactivated: HashSet<String>,
    clients: HashSet<String>,
    projects: HashSet<String>,
    tasks: HashSet<String>,
    lists: HashSet<String>,
    time_entries: HashSet<String>,
    absences: HashSet<String>,
}

impl Ledger {
    /// The ledger of a workspace whose users, before any event, are these.
    pub(crate) fn of(generator: &Generator) -> Ledger {
        Ledger {
            users: generator.initial_user_ids().into_iter().collect(),
            ..Ledger::default()
        }
    }

    #[track_caller]
    fn exists(set: &HashSet<String>, id: &str, what: &str, index: usize) {
        assert!(
            set.contains(id),
            "event {index} mentions {what} {id}, which does not exist at that point"
        );
    }

    /// Checks that the event (the `index`th) mentions only what exists and is done by an active
    /// user, and records what it adds and deletes.
    #[track_caller]
    pub(crate) fn follow(&mut self, event: &Envelope, index: usize) {
        let kind = event
            .event_type
            .event_type()
            .expect("generated types are known");
        let actor = &event
            .triggered_by
            .as_ref()
            .expect("generated events name their actor")
            .id;
        Ledger::exists(&self.users, actor, "the acting user", index);
        assert!(
            !self.deactivated.contains(actor),
            "event {index}: a deactivated user acts"
        );
        check(self, kind, &event.entity, index);
    }
}

#[test]
fn no_event_refers_to_an_entity_that_does_not_exist() {
    for seed in [1, 2] {
        let mut generator = Generator::new(GeneratorConfig {
            seed,
            naming: Naming::Api,
            ..GeneratorConfig::default()
        });
        let mut ledger = Ledger::of(&generator);
        for index in 0..3000 {
            let event = generator.next_event();
            ledger.follow(&event, index);
        }
    }
}

fn check(ledger: &mut Ledger, kind: EventType, entity: &Entity, index: usize) {
    use EventType::*;
    let name = format!("{kind:?}");
    let (added, deleted) = (name.ends_with("Added"), name.ends_with("Deleted"));
    match entity {
        Entity::Project(project) => {
            if let Some(client) = &project.company_id {
                Ledger::exists(&ledger.clients, client, "client", index);
            }
            for member in project.members.iter().flatten() {
                Ledger::exists(
                    &ledger.users,
                    member.user_id.as_ref().unwrap(),
                    "member",
                    index,
                );
            }
            track(
                &mut ledger.projects,
                &project.id,
                kind == ProjectAdded,
                kind == ProjectDeleted,
                "project",
                index,
            );
            if kind == ProjectDeleted {
                // Its tasks go with it; the story never mentions them again.
            }
        }
        Entity::Task(task) => {
            // A project's task, or a user's private one.
            match &task.project_id {
                Some(project) => Ledger::exists(&ledger.projects, project, "project", index),
                None => {
                    assert_eq!(task.base_type.as_deref(), Some("private"), "event {index}");
                    Ledger::exists(
                        &ledger.users,
                        task.user_id.as_ref().unwrap(),
                        "owner",
                        index,
                    );
                }
            }
            for assignee in task.assignees.iter().flatten() {
                Ledger::exists(&ledger.users, &assignee.id, "assignee", index);
            }
            for list in task.lists.iter().flatten() {
                Ledger::exists(&ledger.lists, &list.id, "task list", index);
            }
            track(
                &mut ledger.tasks,
                &task.id,
                kind == ProjectTaskAdded,
                kind == ProjectTaskDeleted,
                "task",
                index,
            );
        }
        Entity::TaskList(list) => track(
            &mut ledger.lists,
            &list.id,
            added,
            deleted,
            "task list",
            index,
        ),
        Entity::Company(company) => track(
            &mut ledger.clients,
            &company.id,
            added,
            deleted,
            "client",
            index,
        ),
        Entity::User(user) => {
            track(&mut ledger.users, &user.id, added, deleted, "user", index);
            if user.is_deactivated == Some(true) {
                ledger.deactivated.insert(user.id.clone());
            } else {
                ledger.deactivated.remove(&user.id);
            }
        }
        Entity::Absence(absence) => {
            Ledger::exists(
                &ledger.users,
                absence.user_id.as_ref().unwrap(),
                "absent user",
                index,
            );
            track(
                &mut ledger.absences,
                &absence.id,
                added,
                deleted,
                "absence",
                index,
            );
        }
        Entity::TimeTracking(entry) => {
            // On a task, on the project alone, or, kept when its project was deleted, on neither.
            if let Some(task) = &entry.task_id {
                Ledger::exists(&ledger.tasks, task, "task", index);
            }
            match &entry.project_id {
                Some(project) => Ledger::exists(&ledger.projects, project, "project", index),
                None => assert!(
                    entry.task_id.is_none() && kind != TimeTrackingAdded,
                    "event {index}: a time entry on a task without its project, or added on none"
                ),
            }
            Ledger::exists(
                &ledger.users,
                entry.user_id.as_ref().unwrap(),
                "user",
                index,
            );
            track(
                &mut ledger.time_entries,
                &entry.id,
                added,
                deleted,
                "time entry",
                index,
            );
        }
        Entity::Comment(comment) => {
            let target = comment.entity_id.as_ref().unwrap();
            let set = if kind == TaskCommentAdded {
                &ledger.tasks
            } else {
                &ledger.projects
            };
            Ledger::exists(set, target, "commented entity", index);
        }
        Entity::ProjectMember(member) => {
            Ledger::exists(
                &ledger.projects,
                member.project_id.as_ref().unwrap(),
                "project",
                index,
            );
            Ledger::exists(
                &ledger.users,
                member.user_id.as_ref().unwrap(),
                "member",
                index,
            );
        }
        Entity::TaskAssignment(assignment) => {
            Ledger::exists(
                &ledger.tasks,
                assignment.task_id.as_ref().unwrap(),
                "task",
                index,
            );
            Ledger::exists(&ledger.users, &assignment.id, "assigned user", index);
        }
        Entity::Other(_) => panic!("event {index}: the generator wrote an untyped entity"),
    }
}

#[track_caller]
fn track(
    set: &mut HashSet<String>,
    id: &str,
    added: bool,
    deleted: bool,
    what: &str,
    index: usize,
) {
    if added {
        assert!(
            set.insert(id.to_owned()),
            "event {index}: {what} {id} added twice"
        );
    } else {
        Ledger::exists(set, id, what, index);
        if deleted {
            set.remove(id);
        }
    }
}
