//! The project writes: create, update, change status, delete, comment, and add and remove
//! members.

use awork_models::entities::{Company, Entity, Project, ProjectType};
use awork_models::{EventType, TriggeredBy};
use serde::{Deserialize, Serialize};

use super::tasks::{CommentForm, check_comment};
use super::time_entries;
use super::{
    Check, DESCRIPTION_MAX, NAME_MAX, Outcome, Refused, WRITE_SECONDS, changes_between,
    display_name, event, zulu,
};
use crate::story::{self, comment_on_project};
use crate::world::{ProjectState, World, nested_company};
use crate::{ids, text};

/// The body of `POST /projects` (awork's `ExtendedProjectForm`). Only `name` is required. The
/// template, workflow, status and reference-date properties are accepted and ignored: a new
/// project gets the workspace's statuses and starts in the first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtendedProjectForm {
    /// The name (required, at most 1000 characters).
    pub name: Option<String>,
    /// Whether only its members see it (default false).
    pub is_private: Option<bool>,
    /// The description (at most 25,000 characters).
    pub description: Option<String>,
    /// When it starts.
    pub start_date: Option<String>,
    /// When it is due.
    pub due_date: Option<String>,
    /// Its client.
    pub company_id: Option<String>,
    /// Its time budget, in seconds.
    pub time_budget: Option<i64>,
    /// Whether its time is billable by default (default: whether it has a client).
    pub is_billable_by_default: Option<bool>,
    /// Its project type.
    pub project_type_id: Option<String>,
    /// Its colour (at most 14 characters).
    pub color: Option<String>,
    /// Whether non-billable hours count against its budget (default false).
    pub deduct_non_billable_hours: Option<bool>,
    /// Whether its key shows (ignored).
    pub is_project_key_visible: Option<bool>,
    /// The status it starts in: one of the workspace's project statuses (of any project, as
    /// `GET /projectstatuses` lists them); the new project gets its own statuses, and starts in
    /// its own of that one's type. Without it, in its first (`not-started`).
    pub project_status_id: Option<String>,
    /// A project template: refused when given, as the workspace has none.
    pub project_template_id: Option<String>,
    /// A public project template: refused when given, as the workspace has none.
    pub public_project_template_id: Option<String>,
    /// A workflow: refused when given, as the workspace has none.
    pub workflow_id: Option<String>,
    /// Checked against awork's values (`today`, `start`, `end`, `custom`), then ignored.
    pub reference_date_type: Option<String>,
    /// Checked against awork's values (`starts_on_reference_date`, `ends_on_reference_date`), then
    /// ignored.
    pub reference_date_anchor: Option<String>,
    /// Ignored.
    pub custom_reference_date: Option<String>,
}

/// The body of `PUT /projects/{projectId}` (awork's `ProjectPutForm`): a full replacement. An
/// absent text, date, id or budget becomes none; an absent flag keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectPutForm {
    /// The name (required, at most 1000 characters).
    pub name: Option<String>,
    /// Whether only its members see it.
    pub is_private: Option<bool>,
    /// The description (at most 25,000 characters).
    pub description: Option<String>,
    /// When it starts.
    pub start_date: Option<String>,
    /// When it is due.
    pub due_date: Option<String>,
    /// Its client.
    pub company_id: Option<String>,
    /// Its time budget, in seconds.
    pub time_budget: Option<i64>,
    /// Whether its time is billable by default.
    pub is_billable_by_default: Option<bool>,
    /// Its project type.
    pub project_type_id: Option<String>,
    /// Its colour (at most 14 characters).
    pub color: Option<String>,
    /// Whether non-billable hours count against its budget.
    pub deduct_non_billable_hours: Option<bool>,
    /// Whether its key shows (ignored).
    pub is_project_key_visible: Option<bool>,
}

/// The body of `POST /projects/{projectId}/changestatus` (awork's `ChangeProjectStatusForm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeProjectStatusForm {
    /// The status, one of the project's (required).
    pub project_status_id: Option<String>,
}

/// The body of `POST /projects/{projectId}/delete` (awork's `ProjectDeleteForm`). The project's
/// tasks go with it; its time entries too when `deleteTimeTrackings` is true, and otherwise (no
/// body included) they stay, booked on no project and no task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectDeleteForm {
    /// Whether its time entries go too (see above; `false` when absent).
    pub delete_time_trackings: Option<bool>,
}

/// The body of `POST /projects/{projectId}/addprojectmember` (awork's `ProjectMemberForm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectMemberForm {
    /// The user (required), not yet a member.
    pub user_id: Option<String>,
    /// The project role (required): one of the workspace's.
    pub project_role_id: Option<String>,
    /// Whether the member is responsible for the project (default false).
    pub is_responsible: Option<bool>,
}

/// The body of `POST /projects/{projectId}/removeprojectmember` (awork's `ProjectMemberRemoveForm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectMemberRemoveForm {
    /// The member's user (required).
    pub user_id: Option<String>,
}

/// The longest colour name.
const COLOR_MAX: usize = 14;

/// The properties a project update changes, as `changes` name them.
const UPDATED: &[&str] = &[
    "Name",
    "Description",
    "StartDate",
    "DueDate",
    "CompanyId",
    "TimeBudget",
    "IsBillableByDefault",
    "ProjectTypeId",
    "IsRetainer",
    "Color",
    "IsPrivate",
    "DeductNonBillableHours",
];

/// What the properties of a project form say, checked against the world.
struct Described {
    name: String,
    start_date: Option<chrono::DateTime<chrono::Utc>>,
    due_date: Option<chrono::DateTime<chrono::Utc>>,
    company: Option<Company>,
    project_type: Option<ProjectType>,
}

/// Checks the properties both project forms have.
fn describe(
    world: &World,
    check: &mut Check,
    (name, description, color): (Option<&str>, Option<&str>, Option<&str>),
    (start_date, due_date): (Option<&str>, Option<&str>),
    (company_id, project_type_id, time_budget): (Option<&str>, Option<&str>, Option<i64>),
) -> Described {
    let name = check.required_text("Name", name, NAME_MAX).to_owned();
    check.max_length("Description", description, DESCRIPTION_MAX);
    check.max_length("Color", color, COLOR_MAX);
    check.seconds("TimeBudget", time_budget);
    let start_date = check.date_time("StartDate", start_date);
    let due_date = check.date_time("DueDate", due_date);
    let company = company_id.and_then(|id| check.exists("CompanyId", world.company(id), "company"));
    let project_type = project_type_id.and_then(|id| {
        let found = world.project_types.iter().find(|kind| kind.id == id);
        check.exists("ProjectTypeId", found, "project type")
    });
    Described {
        name,
        start_date,
        due_date,
        company: company.cloned(),
        project_type: project_type.cloned(),
    }
}

/// Gives a project its client and project type (whether it is a retainer follows the type).
fn assign(project: &mut Project, company: Option<&Company>, project_type: Option<ProjectType>) {
    project.company_id = company.map(|company| company.id.clone());
    project.company = company.map(nested_company);
    project.is_retainer =
        Some(project_type.as_ref().and_then(|kind| kind.name.as_deref()) == Some(text::RETAINER));
    project.project_type_id = project_type.as_ref().map(|kind| kind.id.clone());
    project.project_type = project_type;
}

/// `POST /projects`.
pub(super) fn create(
    world: &mut World,
    actor: TriggeredBy,
    form: &ExtendedProjectForm,
) -> Result<Outcome, Refused> {
    let mut check = Check::default();
    let described = describe(
        world,
        &mut check,
        (
            form.name.as_deref(),
            form.description.as_deref(),
            form.color.as_deref(),
        ),
        (form.start_date.as_deref(), form.due_date.as_deref()),
        (
            form.company_id.as_deref(),
            form.project_type_id.as_deref(),
            form.time_budget,
        ),
    );
    // The type of status it starts in (INFERRED: a project's statuses are its own copies, so a
    // given status names the type to start in).
    let start_type = form.project_status_id.as_deref().and_then(|id| {
        let status = world
            .projects
            .iter()
            .flat_map(|project| &project.statuses)
            .find(|status| status.id == id);
        check
            .exists("ProjectStatusId", status, "project status")?
            .kind
            .clone()
    });
    // Templates and workflows are not simulated: an id of one cannot name anything here, and
    // leaving it out silently would make a project other than the one asked for.
    for (property, id, what) in [
        (
            "ProjectTemplateId",
            &form.project_template_id,
            "project template",
        ),
        (
            "PublicProjectTemplateId",
            &form.public_project_template_id,
            "public project template",
        ),
        ("WorkflowId", &form.workflow_id, "workflow"),
    ] {
        if id.is_some() {
            check.fail(
                property,
                format!(
                    "'{}' must be the id of an existing {what}; this workspace has none.",
                    display_name(property)
                ),
            );
        }
    }
    // The schedule's reference date is not simulated, but its values are awork's enums (read
    // case-insensitively, as .NET reads an enum's name).
    for (property, value, values) in [
        (
            "ReferenceDateType",
            &form.reference_date_type,
            &["today", "start", "end", "custom"][..],
        ),
        (
            "ReferenceDateAnchor",
            &form.reference_date_anchor,
            &["starts_on_reference_date", "ends_on_reference_date"][..],
        ),
    ] {
        if let Some(value) = value
            && !values.iter().any(|known| known.eq_ignore_ascii_case(value))
        {
            check.fail(
                property,
                format!(
                    "'{}' has a range of values which does not include '{value}'.",
                    display_name(property)
                ),
            );
        }
    }
    check.finish()?;
    world.advance(WRITE_SECONDS);
    let id = world.id();
    let created = world.stamp();
    let (statuses, task_statuses) = world.new_statuses(&id, &actor.id);
    let start = start_type
        .and_then(|kind| {
            statuses
                .iter()
                .position(|status| status.kind.as_deref() == Some(kind.as_str()))
        })
        .unwrap_or(0);
    // Its creator is its responsible manager, as in awork's example.
    let creator = world.user_index(&actor.id).expect("the actor is a user");
    let members = vec![world.member(&id, creator, 0, true)];
    let mut project = Project {
        id,
        has_image: Some(false),
        created_on: Some(created.clone()),
        created_by: Some(actor.id.clone()),
        updated_on: Some(created),
        updated_by: Some(actor.id.clone()),
        project_status: Some(statuses[start].clone()),
        project_status_id: Some(statuses[start].id.clone()),
        tags: Some(Vec::new()),
        members: Some(members),
        teams: Some(Vec::new()),
        project_key: Some(world.new_project_key(&described.name)),
        name: described.name.clone(),
        is_private: Some(form.is_private.unwrap_or(false)),
        time_budget: form.time_budget,
        is_billable_by_default: Some(
            form.is_billable_by_default
                .unwrap_or(described.company.is_some()),
        ),
        description: form.description.clone(),
        start_date: described.start_date.map(zulu),
        due_date: described.due_date.map(zulu),
        color: form.color.clone(),
        deduct_non_billable_hours: Some(form.deduct_non_billable_hours.unwrap_or(false)),
        planned_duration: Some(0),
        tasks_count: Some(0),
        tasks_done_count: Some(0),
        tracked_duration: Some(0),
        resource_version: Some(ids::ticks(world.now)),
        is_external: Some(false),
        is_multi_assignment_allowed: Some(true),
        ..Project::default()
    };
    assign(
        &mut project,
        described.company.as_ref(),
        described.project_type,
    );
    world.projects.push(ProjectState {
        project,
        statuses,
        task_statuses,
        lists: Vec::new(),
        next_task_number: 1,
    });
    let project = world.project_entity(world.projects.len() - 1);
    let link = world.project_link(&project.id);
    let added = event(
        EventType::ProjectAdded,
        &actor,
        Entity::Project(project.clone()),
        Some(link),
        None,
    );
    Ok(Outcome::answer(&project, vec![added]))
}

/// `PUT /projects/{projectId}`.
pub(super) fn update(
    world: &mut World,
    actor: TriggeredBy,
    project_id: &str,
    form: &ProjectPutForm,
) -> Result<Outcome, Refused> {
    let index = project_index(world, project_id)?;
    let mut check = Check::default();
    let described = describe(
        world,
        &mut check,
        (
            form.name.as_deref(),
            form.description.as_deref(),
            form.color.as_deref(),
        ),
        (form.start_date.as_deref(), form.due_date.as_deref()),
        (
            form.company_id.as_deref(),
            form.project_type_id.as_deref(),
            form.time_budget,
        ),
    );
    check.finish()?;
    let old = &world.projects[index].project;
    // The same moment in another spelling is no change.
    let same_moment = |old: &Option<awork_models::AworkDateTime>, new: Option<_>| match old {
        Some(date) if date.to_utc() == new => old.clone(),
        _ => new.map(zulu),
    };
    let mut new = Project {
        name: described.name,
        description: form.description.clone(),
        start_date: same_moment(&old.start_date, described.start_date),
        due_date: same_moment(&old.due_date, described.due_date),
        time_budget: form.time_budget,
        is_billable_by_default: form.is_billable_by_default.or(old.is_billable_by_default),
        color: form.color.clone(),
        is_private: form.is_private.or(old.is_private),
        deduct_non_billable_hours: form
            .deduct_non_billable_hours
            .or(old.deduct_non_billable_hours),
        ..old.clone()
    };
    assign(&mut new, described.company.as_ref(), described.project_type);
    let changes = changes_between(old, &new, UPDATED);
    if changes.is_empty() {
        return Ok(Outcome::answer(old, Vec::new()));
    }
    world.advance(WRITE_SECONDS);
    store(world, index, new, &actor);
    let project = world.project_entity(index);
    let link = world.project_link(&project.id);
    let updated = event(
        EventType::ProjectChanged,
        &actor,
        Entity::Project(project.clone()),
        Some(link),
        Some(changes),
    );
    Ok(Outcome::answer(&project, vec![updated]))
}

/// Stores a changed project (an index of `projects`), changed now by `actor`.
pub(super) fn store(world: &mut World, index: usize, project: Project, actor: &TriggeredBy) {
    world.projects[index].project = Project {
        updated_on: Some(world.stamp()),
        updated_by: Some(actor.id.clone()),
        resource_version: Some(ids::ticks(world.now)),
        ..project
    };
}

/// A project's client, as a company's deletion leaves it (`None`: it has none any more); the
/// changes, or none when it already had that client.
pub(super) fn change_company(
    world: &mut World,
    index: usize,
    company: Option<&Company>,
    actor: &TriggeredBy,
) -> Vec<awork_models::Change> {
    let old = &world.projects[index].project;
    let mut new = old.clone();
    assign(&mut new, company, old.project_type.clone());
    let changes = changes_between(old, &new, UPDATED);
    if !changes.is_empty() {
        store(world, index, new, actor);
    }
    changes
}

/// `POST /projects/{projectId}/changestatus`.
pub(super) fn change_status(
    world: &mut World,
    actor: TriggeredBy,
    project_id: &str,
    form: &ChangeProjectStatusForm,
) -> Result<Outcome, Refused> {
    let index = project_index(world, project_id)?;
    let mut check = Check::default();
    let status = check
        .required("ProjectStatusId", form.project_status_id.as_ref())
        .and_then(|id| {
            let found = world.projects[index]
                .statuses
                .iter()
                .position(|status| status.id == *id);
            check.exists("ProjectStatusId", found, "status of the project")
        });
    check.finish()?;
    let status = status.expect("checked");
    let state = &world.projects[index];
    if state.project.project_status_id.as_ref() == Some(&state.statuses[status].id) {
        return Ok(Outcome::no_content(Vec::new()));
    }
    world.advance(WRITE_SECONDS);
    let old = world.set_project_status(index, status, &actor.id);
    let new = world.projects[index].project.project_status_id.clone();
    let changed = story::change("ProjectStatusId", old, new);
    let project = world.project_entity(index);
    let link = world.project_link(&project.id);
    let changed = event(
        EventType::ProjectStatusChanged,
        &actor,
        Entity::Project(project),
        Some(link),
        Some(vec![changed]),
    );
    Ok(Outcome::no_content(vec![changed]))
}

/// `POST /projects/{projectId}/delete`.
pub(super) fn delete(
    world: &mut World,
    actor: TriggeredBy,
    project_id: &str,
    form: &ProjectDeleteForm,
) -> Result<Outcome, Refused> {
    let index = project_index(world, project_id)?;
    world.advance(WRITE_SECONDS);
    let delete_time_entries = form.delete_time_trackings.unwrap_or(false);
    Ok(Outcome::no_content(deleted(
        world,
        index,
        &actor,
        delete_time_entries,
    )))
}

/// Deletes a project (an index of `projects`) with its tasks, and its time entries when
/// `delete_time_entries` (otherwise they stay, booked on no project and no task): the events of
/// its time entries (`timetracking_deleted`, or `timetracking_updated` with the references
/// cleared, as a task's delete announces them), then `project_deleted`.
pub(super) fn deleted(
    world: &mut World,
    index: usize,
    actor: &TriggeredBy,
    delete_time_entries: bool,
) -> Vec<(EventType, super::Produced)> {
    let project_id = world.projects[index].project.id.clone();
    let now = world.stamp();
    let mut events = Vec::new();
    while let Some(entry) = world
        .time_entries
        .iter()
        .position(|entry| entry.in_project(&project_id))
    {
        events.push(if delete_time_entries {
            time_entries::deleted(world, entry, actor)
        } else {
            time_entries::unbooked(world, entry, actor, &now)
        });
    }
    let project = Box::new(world.remove_project(index));
    events.push(event(
        EventType::ProjectDeleted,
        actor,
        Entity::Project(project),
        None,
        None,
    ));
    events
}

/// `POST /projects/{projectId}/comments`.
pub(super) fn comment(
    world: &mut World,
    actor: TriggeredBy,
    project_id: &str,
    form: &CommentForm,
) -> Result<Outcome, Refused> {
    let index = project_index(world, project_id)?;
    let (message, author) = check_comment(world, &actor, form)?;
    world.advance(WRITE_SECONDS);
    let comment = comment_on_project(world, index, &author, Some(&message));
    let link = world.project_link(project_id);
    let added = event(
        EventType::ProjectCommentAdded,
        &actor,
        Entity::Comment(Box::new(comment.clone())),
        Some(link),
        None,
    );
    Ok(Outcome::answer(&comment, vec![added]))
}

/// `POST /projects/{projectId}/addprojectmember`.
pub(super) fn add_member(
    world: &mut World,
    actor: TriggeredBy,
    project_id: &str,
    form: &ProjectMemberForm,
) -> Result<Outcome, Refused> {
    let index = project_index(world, project_id)?;
    let mut check = Check::default();
    let user = check
        .required("UserId", form.user_id.as_ref())
        .and_then(|id| check.exists("UserId", world.user_index(id), "user"));
    let role = check
        .required("ProjectRoleId", form.project_role_id.as_ref())
        .and_then(|id| {
            let found = world.roles.iter().position(|(role, _)| role == id);
            check.exists("ProjectRoleId", found, "project role")
        });
    if let Some(user) = user {
        if member_position(world, index, &world.users[user].id).is_some() {
            check.fail(
                "UserId",
                "The user is already a member of the project.".to_owned(),
            );
        }
    }
    check.finish()?;
    world.advance(WRITE_SECONDS);
    let responsible = form.is_responsible.unwrap_or(false);
    let member = world.member(
        project_id,
        user.expect("checked"),
        role.expect("checked"),
        responsible,
    );
    let version = ids::ticks(world.now);
    let project = &mut world.projects[index].project;
    project.members.get_or_insert_default().push(member.clone());
    project.resource_version = Some(version);
    let link = world.project_link(project_id);
    let added = event(
        EventType::ProjectMemberAdded,
        &actor,
        Entity::ProjectMember(Box::new(member.clone())),
        Some(link),
        None,
    );
    Ok(Outcome::answer(&member, vec![added]))
}

/// `POST /projects/{projectId}/removeprojectmember`.
pub(super) fn remove_member(
    world: &mut World,
    actor: TriggeredBy,
    project_id: &str,
    form: &ProjectMemberRemoveForm,
) -> Result<Outcome, Refused> {
    let index = project_index(world, project_id)?;
    let mut check = Check::default();
    let position = check
        .required("UserId", form.user_id.as_ref())
        .and_then(|id| {
            let found = member_position(world, index, id);
            check.exists("UserId", found, "member of the project")
        });
    check.finish()?;
    world.advance(WRITE_SECONDS);
    let version = ids::ticks(world.now);
    let project = &mut world.projects[index].project;
    let mut member = project
        .members
        .as_mut()
        .expect("it has the member")
        .remove(position.expect("checked"));
    project.resource_version = Some(version);
    member.project_id = Some(project.id.clone());
    let link = world.project_link(project_id);
    let removed = event(
        EventType::ProjectMemberDeleted,
        &actor,
        Entity::ProjectMember(Box::new(member)),
        Some(link),
        None,
    );
    Ok(Outcome::no_content(vec![removed]))
}

/// The index of the project a path names, or 404.
fn project_index(world: &World, project_id: &str) -> Result<usize, Refused> {
    world
        .project_index(project_id)
        .ok_or_else(|| Refused::not_found("project", project_id))
}

/// Where the user with this id is among a project's (an index of `projects`) members.
fn member_position(world: &World, index: usize, user_id: &str) -> Option<usize> {
    world.projects[index]
        .project
        .members
        .iter()
        .flatten()
        .position(|member| member.user_id.as_deref() == Some(user_id))
}
