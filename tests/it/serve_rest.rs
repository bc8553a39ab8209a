//! `awork-sim serve` as awork's REST API: the operations integrations call, answered from the
//! workspace's world, writes that emit the webhooks awork would emit, awork's conventions (paging,
//! `filterby`, `orderby`, case-insensitive paths and query names, `//`), and a 501 naming every
//! operation of awork's document that awork-sim does not simulate.

use std::collections::BTreeMap;

use awork_openapi::OpenApi;
use serde_json::{Value, json};

use crate::cli_serve::{Http, Serve, conforms, data_dir};
use crate::support::{TempFile, python_with, run_python, workspace_root};

/// Every answer of a read, by the model it is of: `(model, entity)`.
type Read = Vec<(&'static str, Value)>;

/// GETs `path` and files its answer (an object or each item of an array) under `model`.
fn read(http: &Http, serve: &Serve, path: &str, model: &'static str, into: &mut Read) -> Value {
    let answer = http.api(serve, "GET", path, None);
    assert_eq!(answer.status, 200, "{path}: {answer:?}");
    match &answer.body {
        Value::Array(items) => into.extend(items.iter().map(|item| (model, item.clone()))),
        other => into.push((model, other.clone())),
    }
    answer.body
}

/// The ids of the items of a list answer.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn an_operation_awork_sim_does_not_simulate_is_a_501_naming_it_and_an_unknown_path_a_404() {
    let http = Http::new();
    let data = data_dir("not-simulated");
    let serve = Serve::start(&data, &[]);
    let answer = http.api(&serve, "GET", "/api/v1/documents", None);
    assert_eq!(answer.status, 501, "{answer:?}");
    assert_eq!(answer.body["code"], "not-simulated");
    assert!(
        answer.body["description"]
            .as_str()
            .unwrap()
            .contains("GetDocuments"),
        "{answer:?}"
    );
    let answer = http.api(&serve, "POST", "/api/v1/absenceregions", Some(&json!({})));
    assert_eq!(answer.status, 501, "{answer:?}");
    let answer = http.api(&serve, "GET", "/api/v1/no/such/thing", None);
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.body["code"], "not-found");
}

#[test]
fn paths_are_case_insensitive_and_repeated_slashes_are_one() {
    let http = Http::new();
    let data = data_dir("paths");
    let serve = Serve::start(&data, &[]);
    for path in [
        "/api/v1//webhooks/eventtypes",
        "/api/v1/Webhooks/EventTypes",
        "/API/V1/webhooks/eventTypes",
    ] {
        let answer = http.api(&serve, "GET", path, None);
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        assert_eq!(answer.body.as_array().unwrap().len(), 35, "{path}");
    }
}

#[test]
fn every_read_answers_awork_models_with_only_their_declared_properties_over_a_long_story() {
    let http = Http::new();
    let data = data_dir("reads");
    let serve = Serve::start(&data, &[]);
    let made = http.api(&serve, "POST", "/sim/events", Some(&json!({"count": 2000})));
    assert_eq!(made.status, 200);
    let mut answers: Read = Vec::new();
    read(
        &http,
        &serve,
        "/api/v1/me",
        "UserAndWorkspace",
        &mut answers,
    );
    read(
        &http,
        &serve,
        "/api/v1/users/me",
        "UserAndWorkspace",
        &mut answers,
    );
    let users = read(&http, &serve, "/api/v1/users", "User", &mut answers);
    let projects = read(&http, &serve, "/api/v1/projects", "Project", &mut answers);
    let tasks = read(
        &http,
        &serve,
        "/api/v1/me/projecttasks",
        "TaskModel",
        &mut answers,
    );
    read(
        &http,
        &serve,
        "/api/v1/me/assignedtasks",
        "TaskModel",
        &mut answers,
    );
    let entries = read(
        &http,
        &serve,
        "/api/v1/timeentries",
        "TimeTracking",
        &mut answers,
    );
    let absences = read(&http, &serve, "/api/v1/absences", "Absence", &mut answers);
    let companies = read(&http, &serve, "/api/v1/companies", "Company", &mut answers);
    let kinds = read(
        &http,
        &serve,
        "/api/v1/typeofwork",
        "TypeOfWork",
        &mut answers,
    );
    let statuses = read(
        &http,
        &serve,
        "/api/v1/projectstatuses",
        "ProjectStatus",
        &mut answers,
    );
    let types = read(
        &http,
        &serve,
        "/api/v1/projecttypes",
        "ProjectType",
        &mut answers,
    );
    for (list, name) in [
        (&users, "users"),
        (&projects, "projects"),
        (&tasks, "tasks"),
        (&entries, "time entries"),
        (&companies, "companies"),
        (&kinds, "types of work"),
    ] {
        assert!(!ids(list).is_empty(), "2,000 events leave some {name}");
    }
    for id in ids(&users).iter().take(10) {
        read(
            &http,
            &serve,
            &format!("/api/v1/users/{id}"),
            "User",
            &mut answers,
        );
        read(
            &http,
            &serve,
            &format!("/api/v1/users/{id}/assignedtasks"),
            "TaskModel",
            &mut answers,
        );
        let last = http.api(
            &serve,
            "GET",
            &format!("/api/v1/users/{id}/timeentries/last"),
            None,
        );
        assert!(matches!(last.status, 200 | 204), "{last:?}");
        if let Value::Array(items) = last.body {
            answers.extend(items.into_iter().map(|item| ("TimeTracking", item)));
        }
    }
    for id in ids(&projects).iter().take(8) {
        for (path, model) in [
            ("", "Project"),
            ("/projecttasks", "TaskModel"),
            ("/taskstatuses", "TaskStatus"),
            ("/tasklists", "TaskList"),
            ("/members", "ProjectMember"),
            ("/comments", "Comment"),
            ("/projectstatuses", "ProjectStatus"),
        ] {
            read(
                &http,
                &serve,
                &format!("/api/v1/projects/{id}{path}"),
                model,
                &mut answers,
            );
        }
    }
    for id in ids(&tasks).iter().take(30) {
        read(
            &http,
            &serve,
            &format!("/api/v1/tasks/{id}"),
            "TaskModel",
            &mut answers,
        );
        read(
            &http,
            &serve,
            &format!("/api/v1/tasks/{id}/comments"),
            "Comment",
            &mut answers,
        );
        read(
            &http,
            &serve,
            &format!("/api/v1/tasks/{id}/timeentries"),
            "TimeTracking",
            &mut answers,
        );
    }
    for (list, path, model) in [
        (&entries, "timeentries", "TimeTracking"),
        (&absences, "absences", "Absence"),
        (&companies, "companies", "Company"),
        (&kinds, "typeofwork", "TypeOfWork"),
        (&statuses, "projectstatuses", "ProjectStatus"),
        (&types, "projecttypes", "ProjectType"),
    ] {
        for id in ids(list).iter().take(5) {
            read(
                &http,
                &serve,
                &format!("/api/v1/{path}/{id}"),
                model,
                &mut answers,
            );
        }
    }
    // The project's own checker, with additionalProperties as declared, at every depth.
    let api = OpenApi::load();
    let mut per_model: BTreeMap<&str, usize> = BTreeMap::new();
    for (model, entity) in &answers {
        conforms(&api, model, entity);
        *per_model.entry(model).or_default() += 1;
    }
    assert_eq!(
        per_model.len(),
        14,
        "every response model is read: {per_model:?}"
    );
    // And the independent validator, where Python has it.
    if python_with("openapi_schema_validator", "openapi-schema-validator") {
        let lines: String = answers
            .iter()
            .map(|(model, entity)| {
                json!({"entityType": model, "entity": entity}).to_string() + "\n"
            })
            .collect();
        let file = TempFile::new("rest-answers.ndjson", &lines);
        let schemas: serde_json::Map<String, Value> = per_model
            .keys()
            .map(|model| ((*model).to_owned(), Value::from(*model)))
            .collect();
        let config = TempFile::new(
            "rest-openapi-config.json",
            &json!({"schemas": schemas, "extras": []}).to_string(),
        );
        let document = workspace_root().join("spec/openapi.json");
        let report = run_python(
            "validate_with_openapi.py",
            &[document.to_str().unwrap(), config.arg(), file.arg()],
        );
        assert!(
            report
                .trim_end()
                .ends_with(&format!("{} events, 0 invalid", answers.len())),
            "{report}"
        );
    }
}

#[test]
fn pipedreams_deploy_hook_calls_answer_200_in_order_and_n8ns_paging_loop_ends() {
    let http = Http::new();
    let data = data_dir("pipedream");
    let serve = Serve::start(&data, &[]);
    http.api(&serve, "POST", "/sim/events", Some(&json!({"count": 600})));
    // Exactly as Pipedream's sources send them (the double slash included).
    for path in [
        "/api/v1/me/projecttasks?pageSize=10&orderby=CreatedOn%20DESC",
        "/api/v1//timeentries?pageSize=10&orderby=CreatedOn%20DESC",
        "/api/v1/projects?pageSize=10&orderby=CreatedOn%20DESC",
    ] {
        let answer = http.api(&serve, "GET", path, None);
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        let items = answer.body.as_array().unwrap();
        assert!(items.len() <= 10, "{path}");
        let created: Vec<&str> = items
            .iter()
            .filter_map(|item| item["createdOn"].as_str())
            .collect();
        let mut sorted = created.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(created, sorted, "{path}: newest first");
    }
    // n8n sets only `page` and stops at an empty page: every list ends.
    for path in [
        "/api/v1/users",
        "/api/v1/projects",
        "/api/v1/timeentries",
        "/api/v1/me/projecttasks",
    ] {
        let mut seen = 0;
        for page in 1.. {
            assert!(page < 100, "{path} never ends");
            let answer = http.api(
                &serve,
                "GET",
                &format!("{path}?page={page}&pageSize=25"),
                None,
            );
            let items = answer.body.as_array().unwrap().len();
            if items == 0 {
                break;
            }
            seen += items;
        }
        let all = http.api(&serve, "GET", path, None);
        assert_eq!(seen, all.body.as_array().unwrap().len(), "{path}");
    }
}

#[test]
fn filterby_works_on_strings_guids_dates_and_booleans_and_names_what_it_cannot_do() {
    let http = Http::new();
    let data = data_dir("filterby");
    let serve = Serve::start(&data, &[]);
    http.api(&serve, "POST", "/sim/events", Some(&json!({"count": 800})));
    let all = http.api(&serve, "GET", "/api/v1/timeentries", None).body;
    let entries = all.as_array().unwrap();
    let first = &entries[0];
    let user = first["userId"].as_str().unwrap();
    let count = |filter: &str| -> usize {
        let path = format!("/api/v1/timeentries?filterby={}", urlencode(filter));
        let answer = http.api(&serve, "GET", &path, None);
        assert_eq!(answer.status, 200, "{filter}: {answer:?}");
        answer.body.as_array().unwrap().len()
    };
    let expected =
        |keep: &dyn Fn(&Value) -> bool| entries.iter().filter(|entry| keep(entry)).count();
    assert_eq!(
        count(&format!("userId eq guid'{user}'")),
        expected(&|entry| entry["userId"] == user)
    );
    assert_eq!(
        count(&format!("userId ne guid'{user}'")),
        expected(&|entry| entry["userId"] != user)
    );
    assert_eq!(
        count("isBillable eq true"),
        expected(&|entry| entry["isBillable"] == true)
    );
    // A whole second, as clients write datetime literals; entries compare by their instant.
    let moment = first["createdOn"].as_str().unwrap();
    let plain = &moment[..19];
    let cut = chrono::NaiveDateTime::parse_from_str(plain, "%Y-%m-%dT%H:%M:%S")
        .unwrap()
        .and_utc();
    let instant = |entry: &Value| {
        chrono::DateTime::parse_from_rfc3339(entry["createdOn"].as_str().unwrap())
            .unwrap()
            .to_utc()
    };
    assert_eq!(
        count(&format!("createdOn gt datetime'{plain}'")),
        expected(&|entry| instant(entry) > cut)
    );
    assert_eq!(
        count(&format!(
            "createdOn lt datetime'{plain}' or isBillable eq false"
        )),
        expected(&|entry| instant(entry) < cut || entry["isBillable"] == false)
    );
    let tasks = http
        .api(&serve, "GET", "/api/v1/me/projecttasks", None)
        .body;
    let name = tasks[0]["name"].as_str().unwrap();
    let word: String = name.chars().take(4).collect();
    let by_name = |filter: String| {
        let answer = http.api(
            &serve,
            "GET",
            &format!("/api/v1/me/projecttasks?filterBy={}", urlencode(&filter)),
            None,
        );
        assert_eq!(answer.status, 200, "{filter}: {answer:?}");
        answer.body.as_array().unwrap().len()
    };
    let lower = word.to_lowercase();
    let starting = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|task| {
            task["name"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .starts_with(&lower)
        })
        .count();
    assert_eq!(
        by_name(format!("startswith(name,'{}')", word.replace('\'', "''"))),
        starting
    );
    assert!(by_name(format!("substringof('{}',name)", word.replace('\'', "''"))) >= starting);
    assert_eq!(
        by_name(format!(
            "name eq '{}' and not (name ne '{}')",
            name.replace('\'', "''"),
            name.replace('\'', "''")
        )),
        tasks
            .as_array()
            .unwrap()
            .iter()
            .filter(|task| task["name"] == name)
            .count()
    );
    // What it cannot do is a 400 naming it, never a silently ignored filter.
    for filter in [
        "nosuchproperty eq 1",
        "members/all(m: m/id eq 'x')",
        "name eq",
    ] {
        let answer = http.api(
            &serve,
            "GET",
            &format!("/api/v1/me/projecttasks?filterby={}", urlencode(filter)),
            None,
        );
        assert_eq!(answer.status, 400, "{filter}: {answer:?}");
        assert_eq!(answer.body["code"], "invalid-filter-or-order");
    }
}

/// `text` percent-encoded for a query string.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
