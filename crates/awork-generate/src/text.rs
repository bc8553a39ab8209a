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

/// Names of the agency's own projects.
const INTERNAL_PROJECT_NAMES: &[&str] = &[
    "Agentur-Website",
    "Weiterbildung",
    "Interne Organisation",
    "Akquise und Pitches",
    "Portfolio",
    "Recruiting",
];

const TASK_NAMES: &[&str] = &[
    "Logo-Konzept erstellen",
    "Sitemap entwerfen",
    "Kundenworkshop vorbereiten",
    "Texte für die Landingpage schreiben",
    "Startseite gestalten",
    "Staging-Umgebung aufsetzen",
    "Farbpalette mit dem Kunden abstimmen",
    "Fotografen briefen",
    "Druckdaten exportieren",
    "Redaktionsplan erstellen",
    "Sprachaufnahme",
    "Erster Rohschnitt",
    "Feedback der Stakeholder einholen",
    "Styleguide aktualisieren",
    "Newsletter-Template bauen",
    "Mobile Ansicht testen",
    "Meilenstein 1 abrechnen",
    "Kickoff-Termin organisieren",
    "Blogartikel migrieren",
    "Präsentation vorbereiten",
    "Bildrechte prüfen",
    "Kontaktformular reparieren",
    "Pressemitteilung schreiben",
    "Tracking einrichten",
];

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
    "Sitemap, Design und Assets für den neuen Webauftritt.",
    "Alle Leistungen laut Angebot vom letzten Monat.",
    "Phase eins umfasst Konzept und Design, die Umsetzung folgt nach Freigabe.",
    "Laufende Betreuung mit monatlichem Stundenkontingent.",
    "Kickoff mit dem Marketing-Team, danach wöchentliche Abstimmung.",
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

/// Job titles in the gender-inclusive form German agencies write (`Designer:in`): a name drawn
/// from the locale's list does not say whom it belongs to, so a gendered title could contradict it.
const POSITIONS: &[&str] = &[
    "Art Director",
    "Projektmanager:in",
    "Senior Projektmanager:in",
    "Designer:in",
    "Junior Designer:in",
    "Webentwickler:in",
    "Texter:in",
    "Kundenberater:in",
    "Motion Designer:in",
    "Geschäftsführer:in",
    "Social-Media-Manager:in",
    "Werkstudent:in",
];

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

/// Picks one of `items`.
pub fn pick<'a, T: ?Sized>(rng: &mut Rng, items: &'a [&'a T]) -> &'a T {
    items.choose(rng).expect("lists are not empty")
}

/// A person's first and last name, German.
pub fn person(rng: &mut Rng) -> (String, String) {
    (
        FirstName().fake_with_rng(rng),
        LastName().fake_with_rng(rng),
    )
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
    let family: String = LastName().fake_with_rng(rng);
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

/// An industry of an agency's clients (`"Maschinenbau"`).
pub fn industry(rng: &mut Rng) -> &'static str {
    CLIENTS.choose(rng).expect("not empty").0
}

/// A project name that none of `taken` (the names of the client's other projects, or of the
/// agency's own) has; past the list, a name gets the next number (`"Imagefilm 2"`).
pub fn project_name<'a>(
    rng: &mut Rng,
    client: bool,
    taken: impl Iterator<Item = &'a str>,
) -> String {
    let names = if client {
        PROJECT_NAMES
    } else {
        INTERNAL_PROJECT_NAMES
    };
    // Gathered once: each name is checked against all of them.
    let taken: Vec<&str> = taken.collect();
    let free: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !taken.contains(name))
        .collect();
    if let Some(name) = free.choose(rng) {
        return (*name).to_owned();
    }
    let base = pick(rng, names);
    (2..)
        .map(|number| format!("{base} {number}"))
        .find(|name| !taken.contains(&name.as_str()))
        .expect("some number is free")
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

/// A job title.
pub fn position(rng: &mut Rng) -> &'static str {
    pick(rng, POSITIONS)
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
    let name: String = LastName().fake_with_rng(rng);
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
