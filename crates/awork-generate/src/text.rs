//! The words of a German design agency's working life, in a de-DE workspace: project, task and list
//! names, comments, notes, clients and their industries, addresses, colours and icons. People's
//! names come from the `fake` crate's German locale; everything else is curated here, so that
//! generated events read like a real agency's workspace rather than lorem ipsum or a US faker's.
//!
//! Nothing here holds state; every choice is drawn from the caller's random generator. The curated
//! phrases are handed out as `&'static str`, so that a caller allocates only the ones it keeps.

use fake::Fake;
use fake::faker::name::de_de::{FirstName, LastName};
use fake::rand::RngExt;
use fake::rand::seq::IndexedRandom;

use crate::Rng;

/// awork's colour names, as its API writes them.
pub const COLORS: &[&str] = &[
    "red", "coral", "yellow", "green", "teal", "blue", "azure", "purple", "pink", "gray",
];

/// Names of client projects; a client's projects have different names.
const PROJECT_NAMES: &[&str] = &[
    "Website-Relaunch",
    "Corporate Design",
    "Frühjahrskampagne",
    "Imagefilm",
    "Social-Media-Betreuung",
    "Geschäftsbericht",
    "Messestand",
    "Newsletter-Redesign",
    "Onboarding-App",
    "SEO-Audit",
    "Verpackungsdesign",
    "Employer Branding",
    "Onlineshop",
    "Fotoshooting",
    "Kundenportal",
    "Podcast, Staffel 2",
];

/// The agency's own projects (no client, type "Intern"): each name with the tasks such a project
/// has and the notes its time entries carry, so that time on "Weiterbildung" reads as training
/// and never as a client meeting. Each name is one project at a time.
const INTERNAL_PROJECTS: &[(&str, &[&str], &[&str])] = &[
    (
        "Agentur-Website",
        &[
            "Case Study schreiben",
            "Teamseite aktualisieren",
            "Blogbeitrag veröffentlichen",
        ],
        &["Case Study", "Teamseite", "Blogbeitrag"],
    ),
    (
        "Weiterbildung",
        &[
            "Figma-Schulung",
            "Konferenz nachbereiten",
            "Online-Kurs Barrierefreiheit",
        ],
        &["Schulung", "Konferenzvortrag", "Online-Kurs"],
    ),
    (
        "Interne Organisation",
        &[
            "Teammeeting vorbereiten",
            "Urlaubsplanung",
            "Quartalsplanung",
        ],
        &["Teammeeting", "Interne Orga", "Buchhaltung"],
    ),
    (
        "Akquise und Pitches",
        &[
            "Pitch-Präsentation erstellen",
            "Angebot schreiben",
            "Referenzen zusammenstellen",
        ],
        &["Akquise", "Pitch", "Angebot geschrieben"],
    ),
    (
        "Portfolio",
        &["Projektfotos auswählen", "Portfolio aktualisieren"],
        &["Portfolio gepflegt", "Projektfotos"],
    ),
    (
        "Recruiting",
        &[
            "Stellenanzeige schreiben",
            "Bewerbungsgespräche führen",
            "Onboarding vorbereiten",
        ],
        &["Bewerbungsgespräch", "Stellenanzeige", "Onboarding"],
    ),
];

/// The tasks of client projects, each with the two types of work it can be (the first is the
/// usual one): a task's type of work, and so its time entries' notes, fit its name.
const CLIENT_TASKS: &[(&str, [&str; 2])] = &[
    ("Logo-Konzept erstellen", [DESIGN, COPYWRITING]),
    ("Sitemap entwerfen", [COPYWRITING, DEVELOPMENT]),
    (
        "Kundenworkshop vorbereiten",
        [CONSULTING, PROJECT_MANAGEMENT],
    ),
    (
        "Texte für die Landingpage schreiben",
        [COPYWRITING, CONSULTING],
    ),
    ("Startseite gestalten", [DESIGN, DEVELOPMENT]),
    (
        "Staging-Umgebung aufsetzen",
        [DEVELOPMENT, PROJECT_MANAGEMENT],
    ),
    ("Farbpalette mit dem Kunden abstimmen", [DESIGN, CONSULTING]),
    ("Fotografen briefen", [PROJECT_MANAGEMENT, DESIGN]),
    ("Druckdaten exportieren", [DESIGN, PROJECT_MANAGEMENT]),
    (
        "Redaktionsplan erstellen",
        [COPYWRITING, PROJECT_MANAGEMENT],
    ),
    ("Sprachaufnahme", [COPYWRITING, PROJECT_MANAGEMENT]),
    ("Erster Rohschnitt", [DESIGN, COPYWRITING]),
    (
        "Feedback der Stakeholder einholen",
        [PROJECT_MANAGEMENT, CONSULTING],
    ),
    ("Styleguide aktualisieren", [DESIGN, COPYWRITING]),
    ("Newsletter-Template bauen", [DEVELOPMENT, DESIGN]),
    ("Mobile Ansicht testen", [DEVELOPMENT, DESIGN]),
    ("Meilenstein 1 abrechnen", [PROJECT_MANAGEMENT, CONSULTING]),
    (
        "Kickoff-Termin organisieren",
        [PROJECT_MANAGEMENT, CONSULTING],
    ),
    ("Blogartikel migrieren", [DEVELOPMENT, COPYWRITING]),
    ("Präsentation vorbereiten", [CONSULTING, DESIGN]),
    ("Bildrechte prüfen", [PROJECT_MANAGEMENT, COPYWRITING]),
    (
        "Kontaktformular reparieren",
        [DEVELOPMENT, PROJECT_MANAGEMENT],
    ),
    ("Pressemitteilung schreiben", [COPYWRITING, CONSULTING]),
    ("Tracking einrichten", [DEVELOPMENT, CONSULTING]),
];

/// What a rename adds to a task's name: the same task, a later round of it.
const TASK_QUALIFIERS: &[&str] = &[
    " (2. Runde)",
    " – nach Kundenfeedback",
    " – finale Version",
    " (verschoben)",
];

/// What a rename adds to a task list's name.
const LIST_QUALIFIERS: &[&str] = &[" (Phase 2)", " – erledigt", " – Archiv"];

const TASK_LIST_NAMES: &[&str] = &[
    "Kickoff",
    "Konzept",
    "Design",
    "Entwicklung",
    "Inhalte",
    "Abnahme",
    "Launch",
    "Backlog",
    "Kundenfeedback",
    "Sprint 1",
    "Sprint 2",
];

const COMMENTS: &[&str] = &[
    "Der Kunde ist begeistert von den neuen Entwürfen!",
    "Können wir die Abnahme auf Donnerstag schieben? Der Kunde ist Mittwoch unterwegs.",
    "Neue Version ist hochgeladen, schaut bitte mal drüber.",
    "Feedback vom Kunden: Die Headline soll kürzer werden.",
    "Von meiner Seite erledigt, ab jetzt bei dir.",
    "Wer hat die finalen Logo-Dateien? Im Ordner finde ich sie nicht.",
    "Lasst uns das morgen im Daily besprechen.",
    "Achtung, das Budget für diese Phase ist fast aufgebraucht.",
    "Super Arbeit, vielen Dank!",
    "Ich hänge, bis die Texte vom Kunden da sind.",
    "Die Links zu den Referenzseiten sind ergänzt.",
    "Bitte vor dem Versand noch einmal die Druckspezifikation prüfen.",
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
/// shared by two types (internal work on the agency's own projects has the project's notes,
/// [`INTERNAL_PROJECTS`]; these are for internal work elsewhere).
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
    (INTERNAL_WORK, &["Interne Abstimmung", "Übergabe im Team"]),
];

/// Project descriptions by project type: a retainer's speaks of its monthly hours, an internal
/// project's of no client.
const PROJECT_DESCRIPTIONS: &[(&str, &[&str])] = &[
    (
        CLIENT_PROJECT,
        &[
            "Alle Leistungen laut Angebot vom letzten Monat.",
            "Phase eins umfasst Konzept und Design, die Umsetzung folgt nach Freigabe.",
            "Kickoff mit dem Marketing-Team, danach wöchentliche Abstimmung.",
            "Festpreisprojekt, Abnahme in zwei Meilensteinen.",
        ],
    ),
    (
        RETAINER,
        &[
            "Laufende Betreuung mit monatlichem Stundenkontingent.",
            "Monatliches Kontingent, nicht genutzte Stunden verfallen zum Quartalsende.",
            "Betreuung im Rahmenvertrag, Abrechnung monatlich nach Aufwand.",
        ],
    ),
    (
        INTERNAL_PROJECT,
        &[
            "Interne Zeit, nicht abrechenbar.",
            "Für das ganze Team, Stunden bitte hier erfassen.",
            "Intern, Budget mit der Geschäftsführung abgestimmt.",
        ],
    ),
];

/// Task descriptions.
const TASK_DESCRIPTIONS: &[&str] = &[
    "Details siehe Briefing im Projektordner.",
    "Bitte mit der Projektleitung abstimmen, bevor es an den Kunden geht.",
    "Vorlage aus dem letzten Projekt verwenden.",
    "Abnahme durch den Kunden nötig.",
];

const CLIENT_DESCRIPTIONS: &[&str] = &[
    "Kunde seit der Gründung der Agentur.",
    "Rahmenvertrag, Abrechnung monatlich.",
    "Ansprechpartnerin ist die Marketingleitung.",
    "Kommt über eine Empfehlung.",
    "Abrechnung nach Aufwand, Freigaben über den Einkauf.",
];

/// Absence reasons, with how many working days such an absence lasts (at least, at most).
const ABSENCES: &[(&str, u32, u32)] = &[
    ("Urlaub", 1, 10),
    ("Krank", 1, 3),
    ("Elternzeit", 20, 40),
    ("Konferenz", 1, 3),
    ("Workation", 5, 10),
    ("Fortbildung", 1, 2),
    ("Brückentag", 1, 1),
];

/// The title of the workspace's owner, who runs the agency (no one else holds it).
pub const OWNER_POSITION: &str = "Geschäftsführer:in";

/// The team's job titles, in the gender-inclusive form German agencies write (`Designer:in`): a
/// name drawn from the locale's list does not say whom it belongs to, so a gendered title could
/// contradict it. Designers are the most, as in a design agency.
const POSITIONS: &[&str] = &[
    "Art Director",
    "Projektmanager:in",
    "Senior Projektmanager:in",
    "Designer:in",
    "Designer:in",
    "Junior Designer:in",
    "Webentwickler:in",
    "Webentwickler:in",
    "Texter:in",
    "Kundenberater:in",
    "Motion Designer:in",
    "Social-Media-Manager:in",
    "Werkstudent:in",
];

/// Promotions: a title and the one it leads to. A title changes only this way, and once: no title
/// a promotion leads to leads further.
const PROMOTIONS: &[(&str, &str)] = &[
    ("Junior Designer:in", "Designer:in"),
    ("Projektmanager:in", "Senior Projektmanager:in"),
    ("Werkstudent:in", "Webentwickler:in"),
    ("Texter:in", "Senior Texter:in"),
];

/// Family names of the locale's list that are specimens on German and Finnish ID cards, not
/// people's names.
const SPECIMEN_NAMES: &[&str] = &["Mustermann", "Musterfrau", "Meikäläinen"];

/// The tags a workspace picks its own from.
const TAGS: &[&str] = &[
    "Print",
    "Web",
    "Social Media",
    "Video",
    "Dringend",
    "Intern",
    "Pitch",
    "Relaunch",
    "Branding",
    "Kampagne",
    "Fotografie",
    "Illustration",
    "SEO",
    "Newsletter",
    "Messe",
    "Abrechnung",
];

/// German cities with postcodes within them.
const DE_CITIES: &[(&str, &[&str])] = &[
    ("Berlin", &["10115", "10178", "10405", "10961", "12043"]),
    ("Hamburg", &["20095", "20357", "22765"]),
    ("München", &["80331", "80469", "81675"]),
    ("Köln", &["50667", "50823", "51063"]),
    ("Frankfurt am Main", &["60311", "60318", "60487"]),
    ("Stuttgart", &["70173", "70180"]),
    ("Düsseldorf", &["40213", "40477"]),
    ("Leipzig", &["04109", "04275"]),
    ("Dresden", &["01067", "01099"]),
    ("Hannover", &["30159", "30161"]),
    ("Nürnberg", &["90402", "90419"]),
    ("Bremen", &["28195", "28203"]),
    ("Münster", &["48143", "48155"]),
    ("Freiburg im Breisgau", &["79098", "79102"]),
    ("Mainz", &["55116", "55118"]),
];

/// Austrian cities with their postcodes (four digits): a few clients are across the border.
const AT_CITIES: &[(&str, &[&str])] = &[
    ("Wien", &["1010", "1070"]),
    ("Salzburg", &["5020"]),
    ("Graz", &["8010"]),
];

const STREETS: &[&str] = &[
    "Torstraße",
    "Schönhauser Allee",
    "Hauptstraße",
    "Bahnhofstraße",
    "Lindenstraße",
    "Gartenstraße",
    "Schillerstraße",
    "Goethestraße",
    "Am Markt",
    "Kastanienallee",
    "Friedrichstraße",
    "Mühlenweg",
];

/// The industries of an agency's clients, each with the names such clients have: `{}` is a family
/// name, `{city}` the client's city.
const CLIENTS: &[(&str, &[&str])] = &[
    (
        "Einzelhandel",
        &["Modehaus {}", "{} Einrichtungen", "Buchhandlung {}"],
    ),
    ("Gastronomie", &["Café {}", "Restaurant {}", "{} Brauhaus"]),
    (
        "Maschinenbau",
        &["{} Maschinenbau GmbH", "{} Antriebstechnik GmbH"],
    ),
    ("Gesundheitswesen", &["Praxis Dr. {}", "Physiotherapie {}"]),
    ("Immobilien", &["{} Immobilien GmbH", "{} Hausverwaltung"]),
    (
        "Kultur",
        &["Kunstverein {city}", "Theater {city}", "Galerie {}"],
    ),
    ("Bildung", &["Volkshochschule {city}", "Sprachschule {}"]),
    ("Tourismus", &["Hotel {}", "{city} Tourismus e. V."]),
    (
        "Lebensmittel",
        &["Bäckerei {}", "{} Feinkost", "Weingut {}"],
    ),
    ("Mode", &["{} Textil GmbH", "Atelier {}"]),
    ("Software", &["{} Software GmbH", "{} IT-Service"]),
    ("Energie", &["Stadtwerke {city}", "{} Solar GmbH"]),
];

/// Each industry and the one next to it: a client whose type changes moves there (a café that
/// becomes a bakery's outlet), not to an unrelated industry.
const NEIGHBOURING_INDUSTRIES: &[(&str, &str)] = &[
    ("Einzelhandel", "Mode"),
    ("Mode", "Einzelhandel"),
    ("Gastronomie", "Lebensmittel"),
    ("Lebensmittel", "Gastronomie"),
    ("Maschinenbau", "Energie"),
    ("Energie", "Maschinenbau"),
    ("Gesundheitswesen", "Bildung"),
    ("Bildung", "Kultur"),
    ("Kultur", "Bildung"),
    ("Immobilien", "Tourismus"),
    ("Tourismus", "Gastronomie"),
    ("Software", "Bildung"),
];

/// Picks one of `items`.
pub fn pick<'a, T: ?Sized>(rng: &mut Rng, items: &'a [&'a T]) -> &'a T {
    items.choose(rng).expect("lists are not empty")
}

/// A person's first and last name, German.
pub fn person(rng: &mut Rng) -> (String, String) {
    (FirstName().fake_with_rng(rng), family_name(rng))
}

/// A German family name, never an ID card's specimen.
fn family_name(rng: &mut Rng) -> String {
    loop {
        let name: String = LastName().fake_with_rng(rng);
        if !SPECIMEN_NAMES.contains(&name.as_str()) {
            return name;
        }
    }
}

/// A client: its name, its industry, and its address (street line, postcode, city, country).
pub fn client(rng: &mut Rng) -> (String, &'static str, [String; 4]) {
    let (industry, names) = CLIENTS.choose(rng).expect("not empty");
    let pattern = pick(rng, names);
    let austrian = rng.random_bool(0.1);
    let (city, zips) = if austrian { AT_CITIES } else { DE_CITIES }
        .choose(rng)
        .expect("not empty");
    let zip = pick(rng, zips);
    let family = family_name(rng);
    let name = pattern.replace("{city}", city).replace("{}", &family);
    let street = format!("{} {}", pick(rng, STREETS), rng.random_range(1..120));
    let country = if austrian { "AT" } else { "DE" };
    (
        name,
        industry,
        [
            street,
            (*zip).to_owned(),
            (*city).to_owned(),
            country.to_owned(),
        ],
    )
}

/// The industry next to this one (`"Mode"` for `"Einzelhandel"`), where a client whose type
/// changes moves.
pub fn neighbouring_industry(industry: &str) -> &'static str {
    NEIGHBOURING_INDUSTRIES
        .iter()
        .find(|(from, _)| *from == industry)
        .map_or(NEIGHBOURING_INDUSTRIES[0].0, |(_, to)| to)
}

/// A name for a client's project that none of `taken` (the names of the client's other projects)
/// has; past the list, a name gets the next number (`"Imagefilm 2"`).
pub fn client_project_name<'a>(rng: &mut Rng, taken: impl Iterator<Item = &'a str>) -> String {
    // Gathered once: each name is checked against all of them.
    let taken: Vec<&str> = taken.collect();
    let free: Vec<&str> = PROJECT_NAMES
        .iter()
        .copied()
        .filter(|name| !taken.contains(name))
        .collect();
    if let Some(name) = free.choose(rng) {
        return (*name).to_owned();
    }
    let base = pick(rng, PROJECT_NAMES);
    (2..)
        .map(|number| format!("{base} {number}"))
        .find(|name| !taken.contains(&name.as_str()))
        .expect("some number is free")
}

/// The name of one of the agency's own projects that none of `taken` has, or `None` when the agency
/// has them all.
pub fn internal_project_name<'a>(
    rng: &mut Rng,
    taken: impl Iterator<Item = &'a str>,
) -> Option<&'static str> {
    let taken: Vec<&str> = taken.collect();
    let free: Vec<&'static str> = INTERNAL_PROJECTS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| !taken.contains(name))
        .collect();
    free.choose(rng).copied()
}

/// The key awork derives from a project's name: the initials of its words, or the first three
/// letters of a one-word name, upper case (`"WR"` for "Website-Relaunch", `"POR"` for
/// "Portfolio"). The caller makes it unique.
pub fn project_key(name: &str) -> String {
    let words: Vec<&str> = name
        .split([' ', '-', ','])
        .filter(|word| word.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let letters: String = match words.as_slice() {
        [] => "P".to_owned(),
        [word] => word.chars().take(3).collect(),
        _ => words
            .iter()
            .filter_map(|word| word.chars().next())
            .collect(),
    };
    // Keys are upper-case ASCII letters: an umlaut is its vowel.
    letters
        .chars()
        .map(|letter| match letter {
            'ä' | 'Ä' => 'A',
            'ö' | 'Ö' => 'O',
            'ü' | 'Ü' => 'U',
            letter => letter.to_ascii_uppercase(),
        })
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// A task of a project (`internal`: the agency's own project named `project`): its name and its
/// type of work.
pub fn task(rng: &mut Rng, project: &str, internal: bool) -> (&'static str, &'static str) {
    if internal {
        let tasks = INTERNAL_PROJECTS
            .iter()
            .find(|(name, _, _)| *name == project)
            .map_or(INTERNAL_PROJECTS[0].1, |(_, tasks, _)| tasks);
        return (pick(rng, tasks), INTERNAL_WORK);
    }
    let (name, kinds) = CLIENT_TASKS.choose(rng).expect("not empty");
    // The usual type of work three times in four.
    (name, kinds[usize::from(rng.random_bool(0.25))])
}

/// A private task's name: something of one's own to do.
pub fn private_task_name(rng: &mut Rng) -> &'static str {
    pick(
        rng,
        &[
            "Reisekosten abrechnen",
            "Feedbackgespräch vorbereiten",
            "Zeiten der Woche nachtragen",
            "Laptop zur IT bringen",
        ],
    )
}

/// The type of work a client task of this name (renamed or not) can have other than `current`:
/// `None` for another task.
pub fn other_task_type(name: &str, current: Option<&str>) -> Option<&'static str> {
    let (_, kinds) = CLIENT_TASKS
        .iter()
        .find(|(task, _)| name.starts_with(task))?;
    kinds.iter().copied().find(|kind| Some(*kind) != current)
}

/// A task's new name: its original name with a qualifier it does not have yet (`"Startseite
/// gestalten (2. Runde)"`).
pub fn renamed_task(rng: &mut Rng, name: &str) -> String {
    renamed(rng, name, TASK_QUALIFIERS)
}

/// A task list's new name: its original name with a qualifier it does not have yet.
pub fn renamed_list(rng: &mut Rng, name: &str) -> String {
    renamed(rng, name, LIST_QUALIFIERS)
}

fn renamed(rng: &mut Rng, name: &str, qualifiers: &[&str]) -> String {
    let base = qualifiers
        .iter()
        .find_map(|qualifier| name.strip_suffix(qualifier))
        .unwrap_or(name);
    let fresh: Vec<&str> = qualifiers
        .iter()
        .copied()
        .filter(|qualifier| !name.ends_with(qualifier))
        .collect();
    format!("{base}{}", pick(rng, &fresh))
}

/// A task list name.
pub fn task_list_name(rng: &mut Rng) -> &'static str {
    pick(rng, TASK_LIST_NAMES)
}

/// A comment.
pub fn comment(rng: &mut Rng) -> &'static str {
    pick(rng, COMMENTS)
}

/// A time-entry note: on one of the agency's own projects (named `internal_project`), one of that
/// project's; on a client's, one that fits the type of work of this name.
pub fn note(
    rng: &mut Rng,
    internal_project: Option<&str>,
    type_of_work: Option<&str>,
) -> &'static str {
    let notes = match internal_project {
        Some(project) => INTERNAL_PROJECTS
            .iter()
            .find(|(name, _, _)| *name == project)
            .map_or(INTERNAL_PROJECTS[0].2, |(_, _, notes)| notes),
        None => NOTES
            .iter()
            .find(|(name, _)| Some(*name) == type_of_work)
            .map_or(NOTES[0].1, |(_, notes)| notes),
    };
    pick(rng, notes)
}

/// A client's description.
pub fn client_description(rng: &mut Rng) -> &'static str {
    pick(rng, CLIENT_DESCRIPTIONS)
}

/// A description of a project of this type (a client's project without a type is a one-off).
pub fn project_description(rng: &mut Rng, project_type: Option<&str>) -> &'static str {
    let descriptions = PROJECT_DESCRIPTIONS
        .iter()
        .find(|(kind, _)| Some(*kind) == project_type)
        .map_or(PROJECT_DESCRIPTIONS[0].1, |(_, descriptions)| descriptions);
    pick(rng, descriptions)
}

/// A task description.
pub fn task_description(rng: &mut Rng) -> &'static str {
    pick(rng, TASK_DESCRIPTIONS)
}

/// An absence reason, and how many working days the absence lasts.
pub fn absence(rng: &mut Rng) -> (&'static str, u32) {
    let (reason, least, most) = ABSENCES.choose(rng).expect("not empty");
    (reason, rng.random_range(*least..=*most))
}

/// The absence reasons that last this many working days.
pub fn absence_reasons_lasting(days: u32) -> impl Iterator<Item = &'static str> {
    ABSENCES
        .iter()
        .filter(move |(_, least, most)| (*least..=*most).contains(&days))
        .map(|(reason, _, _)| *reason)
}

/// A team member's job title (never the owner's).
pub fn position(rng: &mut Rng) -> &'static str {
    pick(rng, POSITIONS)
}

/// The title a promotion from `position` leads to, if any.
pub fn promotion(position: &str) -> Option<&'static str> {
    PROMOTIONS
        .iter()
        .find(|(from, _)| *from == position)
        .map(|(_, to)| *to)
}

/// A workspace's tags: most of the list.
pub fn tags(rng: &mut Rng) -> Vec<&'static str> {
    let count = rng.random_range(10..=TAGS.len());
    let mut tags: Vec<&'static str> = TAGS.sample(rng, count).copied().collect();
    tags.sort_unstable();
    tags
}

/// A colour name.
pub fn color(rng: &mut Rng) -> &'static str {
    pick(rng, COLORS)
}

/// A workspace subdomain from an agency name (`"schuster-design"`).
pub fn subdomain(rng: &mut Rng) -> String {
    let name = family_name(rng);
    let suffix = pick(
        rng,
        &["design", "studio", "digital", "kreativ", "media", "agentur"],
    );
    format!("{}-{suffix}", ascii(&name))
}

/// A name in lower-case ASCII, for e-mail addresses and subdomains: umlauts and ß written out as
/// Germans do (`"Müller"` → `"mueller"`), other letters without their accents.
pub fn ascii(name: &str) -> String {
    let mut text = String::with_capacity(name.len() + 2);
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => text.push_str("ae"),
            'ö' => text.push_str("oe"),
            'ü' => text.push_str("ue"),
            'ß' => text.push_str("ss"),
            'à' | 'á' | 'â' => text.push('a'),
            'è' | 'é' | 'ê' | 'ë' => text.push('e'),
            'ì' | 'í' | 'î' | 'ï' => text.push('i'),
            'ò' | 'ó' | 'ô' => text.push('o'),
            'ù' | 'ú' | 'û' => text.push('u'),
            'ç' => text.push('c'),
            c if c.is_ascii_alphanumeric() => text.push(c),
            _ => {}
        }
    }
    text
}
