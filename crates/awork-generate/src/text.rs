//! The words of an agency's working life: project, task and list names, comments, notes, colours and
//! icons. People, client names, cities and addresses come from the `fake` crate; the phrases here are
//! curated so that generated events read like a real workspace rather than lorem ipsum.
//!
//! Nothing here holds state; every choice is drawn from the caller's random generator. The curated
//! phrases are handed out as `&'static str`, so that a caller allocates only the ones it keeps.

use fake::Fake;
use fake::faker::address::en::{CityName, StreetName, ZipCode};
use fake::faker::company::en::CompanyName;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::RngExt;
use fake::rand::seq::IndexedRandom;

use crate::Rng;

/// awork's colour names, as its API writes them.
pub const COLORS: &[&str] = &[
    "red", "coral", "yellow", "green", "teal", "blue", "azure", "purple", "pink", "gray",
];

/// Project name patterns; `{}` is replaced by the client's short name.
const PROJECT_NAMES: &[&str] = &[
    "Website Relaunch",
    "Brand Identity",
    "Spring Campaign",
    "Product Launch Video",
    "Social Media Retainer",
    "Annual Report",
    "Trade Fair Booth",
    "Newsletter Redesign",
    "Onboarding App",
    "SEO Audit",
    "Packaging Design",
    "Employer Branding",
    "Online Shop",
    "Photo Shoot",
    "Customer Portal",
    "Podcast Season 2",
];

const TASK_NAMES: &[&str] = &[
    "Create logo concept",
    "Draft sitemap",
    "Prepare client workshop",
    "Write copy for landing page",
    "Design homepage mockup",
    "Set up staging environment",
    "Review colour palette with client",
    "Brief the photographer",
    "Export assets for print",
    "Plan content calendar",
    "Record voice-over",
    "Cut first edit",
    "Collect feedback from stakeholders",
    "Update style guide",
    "Build newsletter template",
    "QA on mobile devices",
    "Invoice milestone 1",
    "Book meeting room for kickoff",
    "Migrate blog posts",
    "Prepare presentation deck",
    "Check image rights",
    "Fix contact form",
    "Write press release",
    "Set up analytics tracking",
];

const TASK_LIST_NAMES: &[&str] = &[
    "Kickoff",
    "Concept",
    "Design",
    "Development",
    "Content",
    "Review",
    "Launch",
    "Backlog",
    "Client feedback",
    "Sprint 1",
    "Sprint 2",
    "Product and Marketing To-Dos",
];

const COMMENTS: &[&str] = &[
    "Hey team, the customer loved the latest designs!",
    "Can we move the review to Thursday? The client is travelling on Wednesday.",
    "I uploaded the new version, please have a look.",
    "Feedback from the client: the headline should be shorter.",
    "Done from my side, over to you.",
    "Who has the final logo files? I can't find them in the folder.",
    "Let's discuss this in tomorrow's stand-up.",
    "The budget for this phase is almost used up, heads-up.",
    "Great work, thanks a lot!",
    "I'm blocked until we get the copy from the client.",
    "Added the links to the reference sites.",
    "Please double-check the print specs before sending.",
];

/// The project type of a client's one-off project.
pub const CLIENT_PROJECT: &str = "Kundenprojekt";
/// The project type of a project without a client.
pub const INTERNAL_PROJECT: &str = "Intern";
/// The project type of a client's ongoing project with a monthly budget (`isRetainer`).
pub const RETAINER: &str = "Retainer";

/// The type of work of design.
pub const DESIGN: &str = "Design";
/// The type of work of organising a project.
pub const PROJECT_MANAGEMENT: &str = "Projektmanagement";
/// The type of work of building websites and apps.
pub const DEVELOPMENT: &str = "Entwicklung";
/// The type of work of writing.
pub const COPYWRITING: &str = "Text & Konzept";
/// The type of work of advising clients.
pub const CONSULTING: &str = "Beratung";
/// The type of work that no client pays for.
pub const INTERNAL_WORK: &str = "Intern";

/// Time-entry notes by type of work: a note always fits its entry's type of work, and no note is
/// shared by two types.
const NOTES: &[(&str, &[&str])] = &[
    (
        DESIGN,
        &[
            "Moodboard und Recherche",
            "Entwürfe Startseite",
            "Korrekturen nach Feedback",
            "Reinzeichnung",
            "Bildbearbeitung",
            "Icons und Illustrationen",
            "Layout Broschüre",
        ],
    ),
    (
        PROJECT_MANAGEMENT,
        &[
            "Abstimmung mit dem Kunden",
            "Jour fixe",
            "Angebot und Planung",
            "Abstimmung mit der Druckerei",
            "Ressourcenplanung",
            "Statusbericht",
        ],
    ),
    (
        DEVELOPMENT,
        &[
            "Staging-Umgebung aufgesetzt",
            "Kontaktformular repariert",
            "Templates umgesetzt",
            "Code-Review",
            "Performance-Optimierung",
            "CMS eingerichtet",
        ],
    ),
    (
        COPYWRITING,
        &[
            "Texte Landingpage",
            "Sitemap, erster Entwurf",
            "Lektorat",
            "Pressemitteilung",
            "Kampagnenkonzept",
            "Claims und Headlines",
        ],
    ),
    (
        CONSULTING,
        &[
            "Kundenworkshop",
            "Workshop-Vorbereitung",
            "Markenstrategie",
            "Kundentermin",
            "Telefonat mit dem Kunden",
        ],
    ),
    (
        INTERNAL_WORK,
        &[
            "Teammeeting",
            "Weiterbildung",
            "Interne Orga",
            "Portfolio gepflegt",
            "Akquise",
            "Buchhaltung",
        ],
    ),
];

const DESCRIPTIONS: &[&str] = &[
    "Sitemap, design and assets for the new online presence.",
    "All deliverables as agreed in the offer from last month.",
    "Phase one covers concept and design; development follows after sign-off.",
    "Ongoing support with a monthly time budget.",
    "Kick-off with the marketing team, then weekly check-ins.",
];

const CLIENT_DESCRIPTIONS: &[&str] = &[
    "Kunde seit der Gründung der Agentur.",
    "Rahmenvertrag, Abrechnung monatlich.",
    "Ansprechpartnerin ist die Marketingleitung.",
    "Kommt über eine Empfehlung.",
    "Abrechnung nach Aufwand, Freigaben über den Einkauf.",
];

/// Industries of an agency's clients.
const INDUSTRIES: &[&str] = &[
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

const ABSENCE_REASONS: &[&str] = &[
    "Vacation",
    "Sick leave",
    "Parental leave",
    "Conference",
    "Workation",
    "Training",
    "Public holiday bridge day",
];

const POSITIONS: &[&str] = &[
    "Art Director",
    "Project Manager",
    "Designer",
    "Developer",
    "Copywriter",
    "Account Manager",
    "Motion Designer",
    "Managing Director",
    "Social Media Manager",
    "Working Student",
];

const TAGS: &[&str] = &[
    "design", "urgent", "client", "internal", "billable", "retainer", "print", "web", "video",
    "social",
];

/// Picks one of `items`.
pub fn pick<'a, T: ?Sized>(rng: &mut Rng, items: &'a [&'a T]) -> &'a T {
    items.choose(rng).expect("lists are not empty")
}

/// A person's first and last name.
pub fn person(rng: &mut Rng) -> (String, String) {
    (
        FirstName().fake_with_rng(rng),
        LastName().fake_with_rng(rng),
    )
}

/// A client's name, and the short form used in project names.
pub fn client_name(rng: &mut Rng) -> String {
    CompanyName().fake_with_rng(rng)
}

/// An industry (`"Marketing & Advertising"`).
pub fn industry(rng: &mut Rng) -> &'static str {
    pick(rng, INDUSTRIES)
}

/// A city, street line and postal code.
pub fn address(rng: &mut Rng) -> (String, String, String) {
    let street: String = StreetName().fake_with_rng(rng);
    let number = rng.random_range(1..200);
    (
        CityName().fake_with_rng(rng),
        format!("{street} {number}"),
        ZipCode().fake_with_rng(rng),
    )
}

/// A project name for a client.
pub fn project_name(rng: &mut Rng, client: Option<&str>) -> String {
    let name = pick(rng, PROJECT_NAMES);
    match client {
        Some(client) => format!("{} – {name}", short_name(client)),
        None => name.to_owned(),
    }
}

/// The first word of a company name, without punctuation (`"Schmidt"` of `"Schmidt, Lang and Co"`).
pub fn short_name(company: &str) -> &str {
    company.split([' ', ',']).next().unwrap_or(company)
}

/// A project key from a name: its initials or first letters, upper case (`"WEB"`).
pub fn project_key(name: &str, number: usize) -> String {
    let letters: String = name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .collect::<String>()
        .to_uppercase();
    if letters.is_empty() {
        format!("P{number}")
    } else {
        format!("{letters}{number}")
    }
}

/// A task name.
pub fn task_name(rng: &mut Rng) -> &'static str {
    pick(rng, TASK_NAMES)
}

/// A task list name.
pub fn task_list_name(rng: &mut Rng) -> &'static str {
    pick(rng, TASK_LIST_NAMES)
}

/// A comment.
pub fn comment(rng: &mut Rng) -> &'static str {
    pick(rng, COMMENTS)
}

/// A time-entry note that fits the type of work of this name.
pub fn note(rng: &mut Rng, type_of_work: Option<&str>) -> &'static str {
    let notes = NOTES
        .iter()
        .find(|(name, _)| Some(*name) == type_of_work)
        .map_or(NOTES[0].1, |(_, notes)| notes);
    pick(rng, notes)
}

/// A client's description.
pub fn client_description(rng: &mut Rng) -> &'static str {
    pick(rng, CLIENT_DESCRIPTIONS)
}

/// A project or task description.
pub fn description(rng: &mut Rng) -> &'static str {
    pick(rng, DESCRIPTIONS)
}

/// An absence reason.
pub fn absence_reason(rng: &mut Rng) -> &'static str {
    pick(rng, ABSENCE_REASONS)
}

/// A job title.
pub fn position(rng: &mut Rng) -> &'static str {
    pick(rng, POSITIONS)
}

/// A tag name.
pub fn tag(rng: &mut Rng) -> &'static str {
    pick(rng, TAGS)
}

/// A colour name.
pub fn color(rng: &mut Rng) -> &'static str {
    pick(rng, COLORS)
}

/// A workspace subdomain from an agency name (`"brightwave-studio"`).
pub fn subdomain(rng: &mut Rng) -> String {
    let name: String = LastName().fake_with_rng(rng);
    let suffix = pick(
        rng,
        &["design", "studio", "digital", "creative", "media", "agency"],
    );
    let name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    format!("{name}-{suffix}")
}
