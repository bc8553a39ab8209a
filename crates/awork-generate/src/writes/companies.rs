//! The company (client) writes: create, update and delete.

use awork_models::entities::{Company, Entity};
use awork_models::{EventType, TriggeredBy};
use serde::{Deserialize, Serialize};

use super::{
    Check, DESCRIPTION_MAX, NAME_MAX, Outcome, Refused, WRITE_SECONDS, changes_between, event,
    projects,
};
use crate::ids;
use crate::world::{World, nested_company};

/// The body of `POST /companies` and `PUT /companies/{companyId}` (awork's `CompanyForm`). `name`
/// is required; an update replaces all three.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyForm {
    /// The name (required, at most 1000 characters).
    pub name: Option<String>,
    /// The description (at most 25,000 characters).
    pub description: Option<String>,
    /// The industry (at most 1000 characters).
    pub industry: Option<String>,
}

/// The body of `POST /companies/{companyId}/delete` (awork's `CompanyDeleteForm`): what becomes of
/// the company's projects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyDeleteForm {
    /// The company the projects move to, for `move`.
    pub move_to_company: Option<String>,
    /// `move` (to `moveToCompany`), `delete-only-company` (the default: the projects lose their
    /// client), `delete-all` (the projects are deleted, with their tasks and time entries) or
    /// `delete-all-without-timeentries` (the same, but the time entries stay, booked on no
    /// project).
    pub delete_operation: Option<String>,
}

/// The properties a company update changes, as `changes` name them.
const UPDATED: &[&str] = &["Name", "Description", "Industry"];

/// Checks the company form.
fn check_form(form: &CompanyForm) -> Result<String, Refused> {
    let mut check = Check::default();
    let name = check.required_text("Name", form.name.as_deref(), NAME_MAX);
    check.max_length("Description", form.description.as_deref(), DESCRIPTION_MAX);
    check.max_length("Industry", form.industry.as_deref(), NAME_MAX);
    check.finish()?;
    Ok(name.to_owned())
}

/// `POST /companies`.
pub(super) fn create(
    world: &mut World,
    actor: TriggeredBy,
    form: &CompanyForm,
) -> Result<Outcome, Refused> {
    let name = check_form(form)?;
    world.advance(WRITE_SECONDS);
    let created = world.stamp();
    let company = Company {
        id: world.id(),
        name,
        description: form.description.clone(),
        industry: form.industry.clone(),
        has_image: Some(false),
        company_contact_infos: Some(Vec::new()),
        tags: Some(Vec::new()),
        projects_count: Some(0),
        projects_in_progress_count: Some(0),
        resource_version: Some(ids::ticks(world.now)),
        is_external: Some(false),
        created_on: Some(created.clone()),
        created_by: Some(actor.id.clone()),
        updated_on: Some(created),
        updated_by: Some(actor.id.clone()),
        ..Company::default()
    };
    world.companies.push(company.clone());
    let link = world.company_link(&company.id);
    let added = event(
        EventType::ClientAdded,
        &actor,
        Entity::Company(Box::new(company.clone())),
        Some(link),
        None,
    );
    Ok(Outcome::answer(&company, vec![added]))
}

/// `PUT /companies/{companyId}`. The company's projects show its new name and description.
pub(super) fn update(
    world: &mut World,
    actor: TriggeredBy,
    company_id: &str,
    form: &CompanyForm,
) -> Result<Outcome, Refused> {
    let index = company_index(world, company_id)?;
    let name = check_form(form)?;
    let old = &world.companies[index];
    let new = Company {
        name,
        description: form.description.clone(),
        industry: form.industry.clone(),
        ..old.clone()
    };
    let changes = changes_between(old, &new, UPDATED);
    if changes.is_empty() {
        return Ok(Outcome::answer(&world.counted_company(old), Vec::new()));
    }
    world.advance(WRITE_SECONDS);
    let version = ids::ticks(world.now);
    let company = Company {
        updated_on: Some(world.stamp()),
        updated_by: Some(actor.id.clone()),
        resource_version: Some(version),
        ..new
    };
    world.companies[index] = company.clone();
    for state in &mut world.projects {
        if state.project.company_id.as_deref() == Some(company_id) {
            state.project.company = Some(nested_company(&company));
            state.project.resource_version = Some(version);
        }
    }
    let company = world.counted_company(&company);
    let link = world.company_link(company_id);
    let updated = event(
        EventType::ClientChanged,
        &actor,
        Entity::Company(Box::new(company.clone())),
        Some(link),
        Some(changes),
    );
    Ok(Outcome::answer(&company, vec![updated]))
}

/// `POST /companies/{companyId}/delete`.
pub(super) fn delete(
    world: &mut World,
    actor: TriggeredBy,
    company_id: &str,
    form: &CompanyDeleteForm,
) -> Result<Outcome, Refused> {
    company_index(world, company_id)?;
    let mut check = Check::default();
    let mut target = None;
    let mut delete_time_entries = false;
    let delete_projects = match form.delete_operation.as_deref() {
        None | Some("delete-only-company") => false,
        Some("delete-all-without-timeentries") => true,
        Some("delete-all") => {
            delete_time_entries = true;
            true
        }
        Some("move") => {
            target = check
                .required("MoveToCompany", form.move_to_company.as_ref())
                .and_then(|id| {
                    let found = world
                        .company(id)
                        .filter(|other| other.id != company_id)
                        .cloned();
                    check.exists("MoveToCompany", found, "other company")
                });
            false
        }
        Some(_) => {
            check.fail(
                "DeleteOperation",
                "'Delete Operation' must be one of 'move', 'delete-only-company', 'delete-all', \
                 'delete-all-without-timeentries'."
                    .to_owned(),
            );
            false
        }
    };
    check.finish()?;
    world.advance(WRITE_SECONDS);
    let mut events = Vec::new();
    while let Some(index) = world
        .projects
        .iter()
        .position(|state| state.project.company_id.as_deref() == Some(company_id))
    {
        if delete_projects {
            events.extend(projects::deleted(world, index, &actor, delete_time_entries));
            continue;
        }
        let changes = projects::change_company(world, index, target.as_ref(), &actor);
        let project = world.project_entity(index);
        let link = world.project_link(&project.id);
        events.push(event(
            EventType::ProjectChanged,
            &actor,
            Entity::Project(project),
            Some(link),
            Some(changes),
        ));
    }
    let index = company_index(world, company_id)?;
    let company = world.companies.remove(index);
    events.push(event(
        EventType::ClientDeleted,
        &actor,
        Entity::Company(Box::new(company)),
        None,
        None,
    ));
    Ok(Outcome::no_content(events))
}

/// The index of the company a path names, or 404.
fn company_index(world: &World, company_id: &str) -> Result<usize, Refused> {
    world
        .companies
        .iter()
        .position(|company| company.id == company_id)
        .ok_or_else(|| Refused::not_found("company", company_id))
}
