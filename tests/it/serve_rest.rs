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
fn an_operation_awork_sim_does_not_simulate_is_a_501_naming_it_after_the_token_and_an_unknown_path_a_404()
 {
    let http = Http::new();
    let data = data_dir("not-simulated");
    let serve = Serve::start(&data, &[]);
    let answer = http.api(&serve, "GET", "/api/v1/documents", None);
    assert_eq!(answer.status, 501, "{answer:?}");
    assert_eq!(answer.body["code"], "not-simulated");
    // Every answer of the API carries a Trace-Id (API.md 1.6), an error's the one of its body.
    let trace_id = |answer: &crate::cli_serve::Answer| {
        let value = answer.headers["trace-id"].to_str().unwrap().to_owned();
        assert!(
            value.len() == 32 && value.bytes().all(|byte| byte.is_ascii_hexdigit()),
            "{value}"
        );
        value
    };
    assert_eq!(trace_id(&answer), answer.body["traceId"]);
    let users = http.api(&serve, "GET", "/api/v1/users", None);
    let again = http.api(&serve, "GET", "/api/v1/users", None);
    assert_ne!(trace_id(&users), trace_id(&again), "one a request");
    let refused = http.call("GET", &format!("{}/api/v1/users", serve.url), None, None);
    assert_eq!(refused.status, 401);
    assert_eq!(trace_id(&refused), refused.body["traceId"]);
    // Authorized before it is run: without a token, not a word about the operation.
    let refused = http.call(
        "GET",
        &format!("{}/api/v1/documents", serve.url),
        None,
        None,
    );
    assert_eq!(refused.status, 401, "{refused:?}");
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
fn the_assigned_task_lists_take_their_own_parameters() {
    let http = Http::new();
    let data = data_dir("assigned");
    let serve = Serve::start(&data, &[]);
    let made = http.api(&serve, "POST", "/sim/events", Some(&json!({"count": 300})));
    assert_eq!(made.status, 200);
    let me = http.api(&serve, "GET", "/api/v1/users/me", None).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for base in [
        "/api/v1/me/assignedtasks".to_owned(),
        format!("/api/v1/users/{me}/assignedtasks"),
    ] {
        let list = |query: &str| http.api(&serve, "GET", &format!("{base}{query}"), None);
        let all = list("?pageSize=1000").body;
        let all = all.as_array().unwrap();
        assert!(!all.is_empty(), "{base}: the owner has tasks");
        // The assignment's date (the assignee's updatedOn) within the bounds, both included.
        let assigned_on = |task: &Value| {
            task["assignees"]
                .as_array()
                .unwrap()
                .iter()
                .find(|assignee| assignee["id"] == me.as_str())
                .and_then(|assignee| assignee["updatedOn"].as_str())
                .map(|on| time_of(&json!(on)))
        };
        let mut dates: Vec<_> = all.iter().filter_map(assigned_on).collect();
        dates.sort();
        let middle = dates[dates.len() / 2];
        let from = list(&format!(
            "?pageSize=1000&assignedOnFrom={}",
            middle.format("%Y-%m-%dT%H:%M:%S%.fZ")
        ));
        assert_eq!(from.status, 200, "{from:?}");
        let expected = dates.iter().filter(|on| **on >= middle).count();
        assert_eq!(from.body.as_array().unwrap().len(), expected, "{base}");
        assert!(
            expected > 0 && expected < all.len() || dates.len() == 1,
            "{base}"
        );
        let none = list("?assignedOnTo=2000-01-01");
        assert_eq!(none.body, json!([]), "{base}");
        let none = list("?AssignedOnFrom=2099-01-01T00:00:00Z");
        assert_eq!(none.body, json!([]), "{base}");
        // Only the project tasks of projects in progress (as the task's project summary says).
        let running = list("?pageSize=1000&inProgress=true").body;
        let in_progress: Vec<&Value> = all
            .iter()
            .filter(|task| task["project"]["projectStatus"]["type"] == "progress")
            .collect();
        assert_eq!(ids(&running), ids(&json!(in_progress)), "{base}");
        assert_eq!(
            list("?pageSize=1000&inProgress=false")
                .body
                .as_array()
                .unwrap()
                .len(),
            all.len()
        );
        // A value that does not bind is a 400 naming the parameter.
        for (query, property) in [
            ("?assignedOnFrom=garbage", "AssignedOnFrom"),
            ("?assignedOnTo=yesterday", "AssignedOnTo"),
            ("?inProgress=maybe", "InProgress"),
        ] {
            let refused = list(query);
            assert_eq!(refused.status, 400, "{query}: {refused:?}");
            assert_eq!(refused.body["code"], "validation-failed");
            assert_eq!(refused.body["validationErrors"][0]["property"], property);
        }
    }
}

#[test]
fn awork_s_rate_limits_answer_429_with_the_headers_clients_wait_by() {
    let http = Http::new();
    let data = data_dir("rate-limit");
    // Five a minute: twelve quick requests fall in one minute's window, or two at most.
    let serve = Serve::start(&data, &["--api-rate-limit", "5/min"]);
    let mut allowed = 0;
    let mut refused = None;
    for _ in 0..12 {
        let answer = http.api(&serve, "GET", "/api/v1/users", None);
        assert_eq!(answer.headers["x-ratelimit-limit-minute"], "5");
        assert_eq!(answer.headers["ratelimit-limit"], "5");
        match answer.status {
            200 => allowed += 1,
            429 => refused = refused.or(Some(answer)),
            other => panic!("{other}: {answer:?}"),
        }
    }
    assert!((5..=10).contains(&allowed), "{allowed} allowed");
    let refused = refused.expect("a request over the limit");
    // Kong's body, and both headers a client may wait by (n8n reads RateLimit-Reset).
    assert_eq!(refused.body, json!({"message": "API rate limit exceeded"}));
    assert_eq!(refused.headers["ratelimit-remaining"], "0");
    let reset: u64 = refused.headers["ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&reset), "{reset}");
    assert_eq!(
        refused.headers["retry-after"],
        refused.headers["ratelimit-reset"]
    );
    assert!(refused.headers.contains_key("trace-id"));
    // awork-sim's own paths are not awork's API, and are not limited.
    for _ in 0..3 {
        assert_eq!(http.api(&serve, "GET", "/sim/status", None).status, 200);
    }
    // Without the option (the default), no limit and no such headers.
    let unlimited = Serve::start(&data_dir("no-rate-limit"), &[]);
    let answer = http.api(&unlimited, "GET", "/api/v1/users", None);
    assert!(
        !answer.headers.contains_key("ratelimit-limit"),
        "{answer:?}"
    );
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
fn every_read_and_write_answers_awork_models_with_only_their_declared_properties_over_a_long_story()
{
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
    // The writes' answers too.
    let project_id = ids(&projects)[0].clone();
    let me = http.api(&serve, "GET", "/api/v1/me", None).body;
    let mut write = |path: &str, body: Value, model: &'static str| {
        let answer = http.api(&serve, "POST", path, Some(&body));
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        answers.push((model, answer.body.clone()));
        answer.body
    };
    let task = write(
        "/api/v1/tasks",
        json!({"name": "Moodboard", "baseType": "projecttask", "entityId": project_id}),
        "TaskModel",
    );
    let task_id = task["id"].as_str().unwrap().to_owned();
    write(
        &format!("/api/v1/tasks/{task_id}/comments"),
        json!({"message": "Gefällt mir"}),
        "Comment",
    );
    write(
        "/api/v1/timeentries",
        json!({"userId": me["id"], "taskId": task_id, "typeOfWorkId": ids(&kinds)[0],
            "timezone": "Europe/Berlin", "startDateUtc": "2020-01-06T00:00:00Z",
            "startTimeUtc": "08:00:00", "duration": 1800}),
        "TimeTracking",
    );
    write(
        "/api/v1/projects",
        json!({"name": "Messestand 2027"}),
        "Project",
    );
    write(
        "/api/v1/companies",
        json!({"name": "Seeblick Pension"}),
        "Company",
    );
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
        // As instants: awork's seven-digit fractions drop trailing zeros, so the texts of times
        // within one second do not sort as the times do.
        let created: Vec<_> = items
            .iter()
            .filter(|item| item["createdOn"].is_string())
            .map(|item| time_of(&item["createdOn"]))
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
    // Raycast's task search matches the task's name or its project's.
    let project_name = tasks[0]["project"]["name"].as_str().unwrap();
    assert_eq!(tasks[0]["project"]["id"], tasks[0]["projectId"]);
    let in_project = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|task| task["project"]["name"] == project_name)
        .count();
    assert!(in_project > 0);
    assert_eq!(
        by_name(format!(
            "substringof('{}',project/name)",
            project_name.replace('\'', "''")
        )),
        in_project
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

/// The events a receiver got, in order, as JSON.
fn received(receiver: &awork_delivery::receiver::Receiver) -> Vec<Value> {
    receiver
        .requests()
        .iter()
        .map(|request| serde_json::from_slice(&request.body).unwrap())
        .collect()
}

/// The first event of `event_type` about `entity_id` the receiver got, once it has.
#[track_caller]
fn event_about(
    receiver: &awork_delivery::receiver::Receiver,
    event_type: &str,
    entity_id: &str,
) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(event) = received(receiver)
            .into_iter()
            .find(|event| event["eventType"] == event_type && event["entityId"] == entity_id)
        {
            return event;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {event_type} about {entity_id}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Whether `read`'s properties all have the event entity's values.
#[track_caller]
fn same_entity(read: &Value, entity: &Value) {
    for (key, value) in read.as_object().unwrap() {
        if key == "project" && read["baseType"].is_string() && entity.get(key).is_none() {
            // A task read through the API carries its project's summary, which clients filter
            // on; the webhook's task leaves it out (it is nullable: ENTITIES.md 4.2c).
            assert_eq!(value["id"], read["projectId"]);
            continue;
        }
        assert_eq!(
            &entity[key], value,
            "{key}: GET {read:#}\nwebhook {entity:#}"
        );
    }
}

#[test]
fn writes_change_the_world_and_send_the_webhooks_awork_would() {
    let http = Http::new();
    let receiver = http.receiver(awork_delivery::receiver::Behaviour::status(200));
    let data = data_dir("writes");
    let serve = Serve::start(&data, &[]);
    let all_events = crate::cli_serve::all_event_names(&http, &serve);
    let hook = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&crate::cli_serve::n8n_form(&receiver.url(), &all_events)),
    );
    assert_eq!(hook.status, 200, "{hook:?}");
    http.api(
        &serve,
        "POST",
        "/sim/events",
        Some(&json!({"eventType": "project_added"})),
    );
    let me = http.api(&serve, "GET", "/api/v1/me", None).body;
    let me_id = me["id"].as_str().unwrap().to_owned();
    let project = http.api(&serve, "GET", "/api/v1/projects", None).body[0].clone();
    let project_id = project["id"].as_str().unwrap();

    // POST /tasks: task_added, whose entity is what GET /tasks/{id} answers.
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/tasks",
        Some(&json!({"name": "Briefing lesen", "baseType": "projecttask", "entityId": project_id})),
    );
    assert_eq!(created.status, 200, "{created:?}");
    let api = OpenApi::load();
    conforms(&api, "TaskModel", &created.body);
    let task_id = created.body["id"].as_str().unwrap().to_owned();
    let added = event_about(&receiver, "task_added", &task_id);
    assert_eq!(added["triggeredBy"]["id"], me_id.as_str());
    let read = http
        .api(&serve, "GET", &format!("/api/v1/tasks/{task_id}"), None)
        .body;
    same_entity(&read, &added["entity"]);
    assert_eq!(read["name"], "Briefing lesen");

    // PUT: task_updated with a change of Name.
    let renamed = http.api(
        &serve,
        "PUT",
        &format!("/api/v1/tasks/{task_id}"),
        Some(&json!({"name": "Briefing lesen und abstimmen"})),
    );
    assert_eq!(renamed.status, 200, "{renamed:?}");
    conforms(&api, "TaskModel", &renamed.body);
    let updated = event_about(&receiver, "task_updated", &task_id);
    let changes = updated["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|change| change["property"]
            .as_str()
            .is_some_and(|property| property.eq_ignore_ascii_case("name"))
            && change["newValue"] == "Briefing lesen und abstimmen"),
        "{changes:?}"
    );

    // POST /tasks/changestatuses: task_status_changed.
    let statuses = http
        .api(
            &serve,
            "GET",
            &format!("/api/v1/projects/{project_id}/taskstatuses"),
            None,
        )
        .body;
    let done = statuses
        .as_array()
        .unwrap()
        .iter()
        .find(|status| status["type"] == "done")
        .expect("a done status");
    let changed = http.api(
        &serve,
        "POST",
        "/api/v1/tasks/changestatuses",
        Some(&json!([{"taskId": task_id, "statusId": done["id"]}])),
    );
    assert_eq!(changed.status, 204, "{changed:?}");
    let status_changed = event_about(&receiver, "task_status_changed", &task_id);
    assert_eq!(status_changed["entity"]["taskStatus"]["id"], done["id"]);

    // A comment: task_comment_added.
    let comment = http.api(
        &serve,
        "POST",
        &format!("/api/v1/tasks/{task_id}/comments"),
        Some(&json!({"message": "Passt so."})),
    );
    assert_eq!(comment.status, 200, "{comment:?}");
    conforms(&api, "Comment", &comment.body);
    let comment_id = comment.body["id"].as_str().unwrap().to_owned();
    event_about(&receiver, "task_comment_added", &comment_id);
    let comments = http
        .api(
            &serve,
            "GET",
            &format!("/api/v1/tasks/{task_id}/comments"),
            None,
        )
        .body;
    assert!(
        comments
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == comment_id.as_str())
    );

    // POST /timeentries: timetracking_added, and the task's tracked time grows by its duration.
    let before = read["trackedDuration"].as_i64().unwrap_or(0);
    let type_of_work = http.api(&serve, "GET", "/api/v1/typeofwork", None).body[0]["id"].clone();
    let entry = http.api(
        &serve,
        "POST",
        "/api/v1/timeentries",
        Some(&json!({
            "userId": me_id, "taskId": task_id, "typeOfWorkId": type_of_work,
            "timezone": "Europe/Berlin", "startDateUtc": "2020-01-06T00:00:00Z",
            "startTimeUtc": "08:00:00", "duration": 5400, "note": "Abstimmung",
        })),
    );
    assert_eq!(entry.status, 200, "{entry:?}");
    conforms(&api, "TimeTracking", &entry.body);
    let entry_id = entry.body["id"].as_str().unwrap().to_owned();
    event_about(&receiver, "timetracking_added", &entry_id);
    let tracked = http
        .api(&serve, "GET", &format!("/api/v1/tasks/{task_id}"), None)
        .body;
    assert_eq!(
        tracked["trackedDuration"].as_i64().unwrap_or(0),
        before + 5400
    );
    // An entry that starts in the future is not the user's last (awork's document: ignored).
    let last = |http: &Http| {
        http.api(
            &serve,
            "GET",
            &format!("/api/v1/users/{me_id}/timeentries/last"),
            None,
        )
        .body[0]["id"]
            .clone()
    };
    let last_before = last(&http);
    let future = http.api(
        &serve,
        "POST",
        "/api/v1/timeentries",
        Some(&json!({
            "userId": me_id, "taskId": task_id, "typeOfWorkId": type_of_work,
            "timezone": "UTC", "startDateUtc": "2099-01-05T00:00:00Z",
            "startTimeUtc": "10:00:00", "duration": 600,
        })),
    );
    assert_eq!(future.status, 200, "{future:?}");
    assert_ne!(last_before, future.body["id"]);
    assert_eq!(last(&http), last_before);

    // POST /tasks/delete: task_deleted, and the task is gone.
    let deleted = http.api(
        &serve,
        "POST",
        "/api/v1/tasks/delete",
        Some(&json!({"taskIds": [task_id], "deleteTimeTrackings": true})),
    );
    assert_eq!(deleted.status, 204, "{deleted:?}");
    event_about(&receiver, "task_deleted", &task_id);
    let gone = http.api(&serve, "GET", &format!("/api/v1/tasks/{task_id}"), None);
    assert_eq!(gone.status, 404, "{gone:?}");

    // A write awork refuses names the property, and changes nothing.
    let refused = http.api(
        &serve,
        "POST",
        "/api/v1/tasks",
        Some(&json!({"baseType": "projecttask", "entityId": project_id})),
    );
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.body["validationErrors"][0]["property"], "Name");
    // An array where the model is an object is not read as its fields in order (serde would);
    // where the model is a list, it is the body.
    let array = http.api(
        &serve,
        "POST",
        "/api/v1/tasks",
        // GeneralTaskPostForm's fields in order: name, ten left out, entityId, baseType, two more.
        Some(&json!([
            "A task",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            project_id,
            "projecttask",
            null,
            null
        ])),
    );
    assert_eq!(array.status, 400, "{array:?}");
    assert_eq!(array.body["code"], "invalid-model", "{array:?}");
    let object = http.api(
        &serve,
        "POST",
        "/api/v1/tasks/changestatuses",
        Some(&json!({"taskId": "x"})),
    );
    assert_eq!(object.status, 400, "{object:?}");
}

#[test]
fn what_the_api_wrote_survives_kill_9_and_its_undelivered_webhooks_are_delivered() {
    let http = Http::new();
    let receiver = http.receiver(awork_delivery::receiver::Behaviour::status(503));
    let data = data_dir("writes-crash");
    let options = [
        "--retry-schedule",
        "10ms",
        "--max-retries",
        "50",
        "--pause-after",
        "100",
    ];
    let serve = Serve::start(&data, &options);
    let hook = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&crate::cli_serve::n8n_form(
            &receiver.url(),
            "company_added",
        )),
    );
    assert_eq!(hook.status, 200);
    let created = http.api(
        &serve,
        "POST",
        "/api/v1/companies",
        Some(&json!({"name": "Nordlicht Bäckerei GmbH", "industry": "Lebensmittel"})),
    );
    assert_eq!(created.status, 200, "{created:?}");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let task = http.api(
        &serve,
        "POST",
        "/api/v1/tasks",
        Some(&json!({"name": "Brötchen zählen", "baseType": "private"})),
    );
    assert_eq!(task.status, 200, "{task:?}");
    let task_path = format!("/api/v1/tasks/{}", task.body["id"].as_str().unwrap());
    let task_before = http.api(&serve, "GET", &task_path, None);
    http.wait_for_requests(&receiver, 1);
    serve.kill();
    receiver.set_behaviour(awork_delivery::receiver::Behaviour::status(200));
    let serve = Serve::start(&data, &options);
    let read = http.api(&serve, "GET", &format!("/api/v1/companies/{id}"), None);
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.body["name"], "Nordlicht Bäckerei GmbH");
    // Told again to the tick: `createdOn` and `resourceVersion` have seven decimal places.
    assert_eq!(read.body, created.body);
    let task_after = http.api(&serve, "GET", &task_path, None);
    assert_eq!(task_after.body, task_before.body);
    let delivered = event_about(&receiver, "company_added", &id);
    assert_eq!(delivered["entity"]["name"], "Nordlicht Bäckerei GmbH");
    // The world goes on from there: a later event of the story is new, not a replay.
    let more = http.api(
        &serve,
        "POST",
        "/sim/events",
        Some(&json!({"eventType": "company_added"})),
    );
    let new_id = more.body["events"].as_array().unwrap().last().unwrap()["traceId"].clone();
    assert_ne!(new_id, delivered["traceId"]);
}

#[test]
fn after_1000_delivered_events_each_entity_reads_back_as_its_latest_state() {
    let http = Http::new();
    let receiver = http.receiver(awork_delivery::receiver::Behaviour::status(200));
    let data = data_dir("read-back");
    let serve = Serve::start(&data, &[]);
    let all_events = crate::cli_serve::all_event_names(&http, &serve);
    http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&crate::cli_serve::n8n_form(&receiver.url(), &all_events)),
    );
    http.api(&serve, "POST", "/sim/events", Some(&json!({"count": 1000})));
    http.wait_for_requests(&receiver, 1000);
    // The latest event about each entity that is still there, by entity type.
    let mut latest: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut deleted: Vec<(String, String)> = Vec::new();
    for event in received(&receiver) {
        let key = (
            event["entityType"].as_str().unwrap().to_owned(),
            event["entityId"].as_str().unwrap().to_owned(),
        );
        if event["eventType"].as_str().unwrap().ends_with("_deleted") {
            deleted.push(key.clone());
        }
        latest.insert(key, event);
    }
    let mut checked = 0;
    for ((entity_type, id), event) in &latest {
        let path = match entity_type.as_str() {
            "task" => format!("/api/v1/tasks/{id}"),
            "project" => format!("/api/v1/projects/{id}"),
            "timetracking" => format!("/api/v1/timeentries/{id}"),
            "company" => format!("/api/v1/companies/{id}"),
            "user" => format!("/api/v1/users/{id}"),
            "absence" => format!("/api/v1/absences/{id}"),
            _ => continue,
        };
        let answer = http.api(&serve, "GET", &path, None);
        if deleted.contains(&(entity_type.clone(), id.clone())) {
            assert_eq!(answer.status, 404, "{path} was deleted");
            continue;
        }
        if answer.status == 404 {
            // Forgotten old work: the story keeps a bounded workspace (README).
            continue;
        }
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        assert_eq!(answer.body["id"], id.as_str());
        if let Some(version) = event["entity"]["resourceVersion"].as_i64() {
            let now = answer.body["resourceVersion"].as_i64().unwrap();
            assert!(
                now >= version,
                "{path}: {now} older than the webhook's {version}"
            );
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} entities read back");
}

/// The README's count of simulated operations: "N operations of awork's OpenAPI document are
/// simulated".
fn readme_count() -> usize {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let marker = "operations of awork's OpenAPI document are simulated";
    let text = readme.replace('\n', " ");
    let before = &text[..text
        .find(marker)
        .unwrap_or_else(|| panic!("README says how many {marker}"))];
    before
        .split_whitespace()
        .last()
        .and_then(|word| word.parse().ok())
        .expect("a number stands before the marker")
}

#[test]
fn every_operation_of_awoks_document_is_simulated_or_a_501_and_the_readme_counts_them() {
    let http = Http::new();
    let data = data_dir("count");
    let serve = Serve::start(&data, &[]);
    let table =
        std::fs::read_to_string(workspace_root().join("crates/awork-workspace/src/operations.txt"))
            .unwrap();
    let placeholder = "0b5f2f0e-5a44-4f37-9c39-7c7f2f1a6d31";
    let mut simulated = Vec::new();
    let mut operations = 0;
    for line in table.lines() {
        let mut parts = line.split(' ');
        let (method, template, id) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        operations += 1;
        let path: Vec<&str> = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    placeholder
                } else {
                    segment
                }
            })
            .collect();
        let body = (method != "GET" && method != "DELETE").then(|| json!({}));
        let answer = http.api(
            &serve,
            method,
            &format!("/api/v1{}", path.join("/")),
            body.as_ref(),
        );
        assert!(
            answer.status < 500 || answer.status == 501,
            "{method} {template}: {answer:?}"
        );
        if answer.status == 501 {
            // It names the operation (or, for two templates of one shape such as
            // `/roles/{roleId}` and `/roles/{roleName}`, the first of them).
            let description = answer.body["description"].as_str().unwrap();
            assert!(
                description.contains("does not simulate") && description.contains(method),
                "{method} {template}: {answer:?}"
            );
        } else {
            simulated.push(id);
        }
    }
    assert_eq!(operations, 672);
    let mut listed: Vec<&str> = awork_workspace::catalogue::SIMULATED.to_vec();
    listed.sort_unstable();
    let mut answered = simulated.clone();
    answered.sort_unstable();
    assert_eq!(
        answered, listed,
        "the operations answered are those serve lists"
    );
    assert_eq!(
        readme_count(),
        simulated.len(),
        "the README's count; simulated: {simulated:?}"
    );
}

#[test]
fn every_event_serve_makes_belongs_to_its_one_workspace_happens_now_and_me_is_who_triggers_writes()
{
    let http = Http::new();
    let receiver = http.receiver(awork_delivery::receiver::Behaviour::status(200));
    let data = data_dir("one-workspace");
    let serve = Serve::start(&data, &[]);
    let all_events = crate::cli_serve::all_event_names(&http, &serve);
    let hook = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&crate::cli_serve::n8n_form(&receiver.url(), &all_events)),
    );
    let hook_id = hook.body["id"].as_str().unwrap().to_owned();
    let created_on = time_of(&hook.body["createdOn"]);
    // The story's choice, events of asked types, and a test event.
    http.api(&serve, "POST", "/sim/events", Some(&json!({"count": 60})));
    for event_type in ["task_added", "timetracking_added", "project_comment_added"] {
        http.api(
            &serve,
            "POST",
            "/sim/events",
            Some(&json!({"eventType": event_type, "count": 3})),
        );
    }
    let tested = http.api(
        &serve,
        "POST",
        &format!("/sim/webhooks/{hook_id}/test"),
        None,
    );
    assert_eq!(tested.body["isSuccessful"], true, "{tested:?}");
    let me = http.api(&serve, "GET", "/api/v1/me", None).body;
    let url = me["workspace"]["url"].as_str().unwrap().to_owned();
    // Everything queued is delivered (and the test event came on its own).
    crate::cli_serve::wait_until("an empty outbox", || {
        let status = http.api(&serve, "GET", "/sim/status", None);
        let webhook = &status.body["webhooks"][0];
        (webhook["pending"] == 0
            && webhook["delivered"].as_u64() == Some(receiver.request_count() as u64 - 1))
        .then_some(())
    });
    // Every link is of this workspace, and every actor one of its users (now, or until deleted).
    let users: Vec<String> = http
        .api(&serve, "GET", "/api/v1/users", None)
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_owned())
        .collect();
    let gone: Vec<String> = received(&receiver)
        .iter()
        .filter(|event| event["eventType"] == "user_deleted")
        .map(|event| event["entityId"].as_str().unwrap().to_owned())
        .collect();
    // The workspace lives now: every event happened within minutes of the webhook's creation
    // (the story's clock follows the wall clock, at most `WALL_CLOCK_LAG` behind it), none later
    // than the moment it was received, but for the under a second awork's webhooks fire after
    // the change they tell of.
    let delivered = chrono::Utc::now() + chrono::TimeDelta::seconds(1);
    let lag = awork_generate::world::WALL_CLOCK_LAG + chrono::TimeDelta::seconds(5);
    for event in received(&receiver) {
        let at = time_of(&event["timestamp"]);
        assert!(
            at >= created_on - lag && at <= delivered,
            "{at} is not within minutes of {created_on}: {event}"
        );
        if let Some(link) = event["entityLink"].as_str() {
            assert!(link.starts_with(&url), "{link} is not of {url}");
        }
        let actor = &event["triggeredBy"];
        if actor["id"] == me["id"] {
            assert_eq!(actor["firstName"], me["firstName"], "{event}");
            assert_eq!(actor["lastName"], me["lastName"], "{event}");
        }
        let id = actor["id"].as_str().unwrap();
        assert!(
            users.iter().any(|user| user == id) || gone.contains(&id.to_owned()),
            "an actor of no user of this workspace: {event}"
        );
    }
    // A write is triggered by the API key's user, under the name /me gives.
    let company = http.api(
        &serve,
        "POST",
        "/api/v1/companies",
        Some(&json!({"name": "Kranich Verlag"})),
    );
    let id = company.body["id"].as_str().unwrap().to_owned();
    let added = event_about(&receiver, "company_added", &id);
    assert_eq!(added["triggeredBy"]["id"], me["id"]);
    assert_eq!(added["triggeredBy"]["firstName"], me["firstName"]);
}

/// A date-time of an answer or an event, as an instant.
fn time_of(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("no date-time: {value}"));
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|failure| panic!("{text}: {failure}"))
        .to_utc()
}

#[test]
fn project_and_company_writes_answer_their_models_and_send_their_webhooks() {
    let http = Http::new();
    let receiver = http.receiver(awork_delivery::receiver::Behaviour::status(200));
    let data = data_dir("project-writes");
    let serve = Serve::start(&data, &[]);
    let all_events = crate::cli_serve::all_event_names(&http, &serve);
    http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(&crate::cli_serve::n8n_form(&receiver.url(), &all_events)),
    );
    let api = OpenApi::load();
    let company = http.api(
        &serve,
        "POST",
        "/api/v1/companies",
        Some(&json!({"name": "Hafenblick Hotel KG", "industry": "Hotellerie"})),
    );
    assert_eq!(company.status, 200, "{company:?}");
    conforms(&api, "Company", &company.body);
    let company_id = company.body["id"].as_str().unwrap().to_owned();
    let project = http.api(
        &serve,
        "POST",
        "/api/v1/projects",
        Some(&json!({"name": "Relaunch Website", "companyId": company_id})),
    );
    assert_eq!(project.status, 200, "{project:?}");
    conforms(&api, "Project", &project.body);
    let project_id = project.body["id"].as_str().unwrap().to_owned();
    event_about(&receiver, "project_added", &project_id);
    let renamed = http.api(
        &serve,
        "PUT",
        &format!("/api/v1/projects/{project_id}"),
        Some(&json!({"name": "Relaunch Website 2027"})),
    );
    assert_eq!(renamed.status, 200, "{renamed:?}");
    conforms(&api, "Project", &renamed.body);
    event_about(&receiver, "project_updated", &project_id);
    let statuses = http
        .api(
            &serve,
            "GET",
            &format!("/api/v1/projects/{project_id}/projectstatuses"),
            None,
        )
        .body;
    // Each names its project, and the workspace's list filters on it to the same statuses.
    let filtered = http
        .api(
            &serve,
            "GET",
            &format!("/api/v1/projectstatuses?filterby=projectId%20eq%20guid'{project_id}'"),
            None,
        )
        .body;
    assert_eq!(filtered, statuses);
    assert!(
        statuses
            .as_array()
            .unwrap()
            .iter()
            .all(|status| status["projectId"] == project_id.as_str()),
        "{statuses:#}"
    );
    // Another status than the project's (the list is in id order, and the world's ids depend on
    // when the workspace first started, so the last may be the one it has).
    let current = renamed.body["projectStatusId"].clone();
    let other = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|status| status["id"].clone())
        .find(|id| *id != current)
        .expect("a project has more than one status");
    let changed = http.api(
        &serve,
        "POST",
        &format!("/api/v1/projects/{project_id}/changestatus"),
        Some(&json!({"projectStatusId": other})),
    );
    assert_eq!(changed.status, 204, "{changed:?}");
    event_about(&receiver, "project_status_changed", &project_id);
    let comment = http.api(
        &serve,
        "POST",
        &format!("/api/v1/projects/{project_id}/comments"),
        Some(&json!({"message": "Kick-off am Montag"})),
    );
    assert_eq!(comment.status, 200, "{comment:?}");
    conforms(&api, "Comment", &comment.body);
    let deleted = http.api(
        &serve,
        "POST",
        &format!("/api/v1/projects/{project_id}/delete"),
        None,
    );
    assert_eq!(deleted.status, 204, "{deleted:?}");
    event_about(&receiver, "project_deleted", &project_id);
    assert_eq!(
        http.api(
            &serve,
            "GET",
            &format!("/api/v1/projects/{project_id}"),
            None
        )
        .status,
        404
    );
    let updated = http.api(
        &serve,
        "PUT",
        &format!("/api/v1/companies/{company_id}"),
        Some(&json!({"name": "Hafenblick Hotel GmbH & Co. KG", "industry": "Hotellerie"})),
    );
    assert_eq!(updated.status, 200, "{updated:?}");
    conforms(&api, "Company", &updated.body);
    event_about(&receiver, "company_updated", &company_id);
    let gone = http.api(
        &serve,
        "POST",
        &format!("/api/v1/companies/{company_id}/delete"),
        None,
    );
    assert_eq!(gone.status, 204, "{gone:?}");
    event_about(&receiver, "company_deleted", &company_id);
}

#[test]
fn bodies_are_read_as_asp_net_core_reads_them_names_and_ids_in_any_case_and_a_bom() {
    let http = Http::new();
    let data = data_dir("body-case");
    let serve = Serve::start(&data, &[]);
    let company = http.api(
        &serve,
        "POST",
        "/api/v1/companies",
        Some(&json!({"Name": "Hafenblick Hotel KG"})),
    );
    assert_eq!(company.status, 200, "{company:?}");
    assert_eq!(company.body["name"], "Hafenblick Hotel KG");
    let company_id = company.body["id"].as_str().unwrap().to_owned();
    let project = http.api(
        &serve,
        "POST",
        "/api/v1/projects",
        Some(&json!({"name": "Relaunch", "CompanyId": company_id.to_uppercase(), "TimeBudget": 3600})),
    );
    assert_eq!(project.status, 200, "{project:?}");
    let project_id = project.body["id"].as_str().unwrap().to_owned();
    // A PUT replaces the project: properties in another case are not dropped (they were, and the
    // company and budget silently cleared).
    let put = http.api(
        &serve,
        "PUT",
        &format!("/api/v1/projects/{project_id}"),
        Some(&json!({"NAME": "Relaunch 2027", "companyId": company_id.to_uppercase(), "timebudget": 7200})),
    );
    assert_eq!(put.status, 200, "{put:?}");
    assert_eq!(put.body["name"], "Relaunch 2027");
    assert_eq!(put.body["companyId"], company_id.as_str());
    assert_eq!(put.body["timeBudget"], 7200);
    // A BOM before the JSON, as .NET writers put it, and an upper-case GUID.
    let body = format!(
        "\u{feff}{{\"Name\": \"Logo\", \"BaseType\": \"projecttask\", \"EntityId\": \"{}\"}}",
        project_id.to_uppercase()
    );
    let task = http.call_raw(
        "POST",
        &format!("{}/api/v1/tasks", serve.url),
        "test-token",
        &body,
    );
    assert_eq!(task.status, 200, "{task:?}");
    assert_eq!(task.body["projectId"], project_id.as_str());
    let task_id = task.body["id"].as_str().unwrap();
    let deleted = http.api(
        &serve,
        "POST",
        "/api/v1/tasks/delete",
        Some(&json!({"TaskIds": [task_id.to_uppercase()]})),
    );
    assert_eq!(deleted.status, 204, "{deleted:?}");
    // A property of another type is named.
    let wrong = http.api(
        &serve,
        "POST",
        "/api/v1/companies",
        Some(&json!({"Name": 3})),
    );
    assert_eq!(wrong.status, 400, "{wrong:?}");
    assert!(
        wrong.body["description"]
            .as_str()
            .unwrap()
            .contains("name: invalid type"),
        "{wrong:?}"
    );
    // The webhook configuration's form too.
    let hook = http.api(
        &serve,
        "POST",
        "/api/v1/webhooks",
        Some(
            &json!({"Name": "n8n", "URI": "http://127.0.0.1:9/", "Events": "task_added",
            "IsActive": false, "AuthenticationType": "none"}),
        ),
    );
    assert_eq!(hook.status, 200, "{hook:?}");
    assert_eq!(hook.body["uri"], "http://127.0.0.1:9/");
}

#[test]
fn a_list_awork_does_not_page_is_whole_whatever_the_query() {
    let http = Http::new();
    let data = data_dir("unpaged");
    let serve = Serve::start(&data, &[]);
    let projects = http.api(&serve, "GET", "/api/v1/projects", None).body;
    let members = ids(&projects)
        .iter()
        .map(|id| format!("/api/v1/projects/{id}/members"))
        .find(|path| {
            let members = http.api(&serve, "GET", path, None).body;
            !members.as_array().unwrap().is_empty()
        })
        .expect("a project has members");
    let whole = http.api(&serve, "GET", &members, None);
    assert!(!whole.headers.contains_key("aw-page"), "{whole:?}");
    // n8n asks for page 2, 3, … until an empty page: against awork it would get the list again.
    for query in [
        "?page=2",
        "?page=2&pageSize=1",
        "?filterby=no%20such%20thing",
    ] {
        let paged = http.api(&serve, "GET", &format!("{members}{query}"), None);
        assert_eq!(paged.status, 200, "{query}: {paged:?}");
        assert_eq!(paged.body, whole.body, "{query}");
    }
}

#[test]
fn a_companys_project_counts_and_a_task_lists_tracked_time_are_the_worlds() {
    let http = Http::new();
    let data = data_dir("counted");
    let serve = Serve::start(&data, &[]);
    let all = |path: &str| {
        http.api(&serve, "GET", &format!("{path}?pageSize=1000"), None)
            .body
    };
    let projects = all("/api/v1/projects");
    let projects = projects.as_array().unwrap();
    let companies = all("/api/v1/companies");
    let mut counted_some = false;
    for company in companies.as_array().unwrap() {
        let of_it: Vec<&Value> = projects
            .iter()
            .filter(|project| project["companyId"] == company["id"])
            .collect();
        let in_progress = of_it
            .iter()
            .filter(|project| project["projectStatus"]["type"] == "progress")
            .count();
        assert_eq!(company["projectsCount"], of_it.len(), "{company}");
        assert_eq!(company["projectsInProgressCount"], in_progress, "{company}");
        counted_some |= !of_it.is_empty();
    }
    assert!(counted_some, "some client has projects");
    let mut tracked_some = false;
    for project in projects {
        let id = project["id"].as_str().unwrap();
        let tasks = all(&format!("/api/v1/projects/{id}/projecttasks"));
        for list in all(&format!("/api/v1/projects/{id}/tasklists"))
            .as_array()
            .unwrap()
        {
            let tracked: i64 = tasks
                .as_array()
                .unwrap()
                .iter()
                .filter(|task| {
                    task["lists"]
                        .as_array()
                        .is_some_and(|lists| lists.iter().any(|entry| entry["id"] == list["id"]))
                })
                .filter_map(|task| task["trackedDuration"].as_i64())
                .sum();
            assert_eq!(list["trackedDuration"], tracked, "{list}");
            tracked_some |= tracked > 0;
        }
    }
    assert!(tracked_some, "time is tracked on some list's tasks");
}

#[test]
fn a_time_entrys_task_and_project_and_a_comments_names_read_as_they_are_now() {
    let http = Http::new();
    let data = data_dir("nested-now");
    let serve = Serve::start(&data, &[]);
    let api = |method: &str, path: &str, body: Option<Value>| {
        let answer = http.api(&serve, method, path, body.as_ref());
        assert!(answer.status < 300, "{method} {path}: {answer:?}");
        answer.body
    };
    let me = api("GET", "/api/v1/users/me", None)["id"].clone();
    let type_of_work = api("GET", "/api/v1/typeofwork", None)[0]["id"].clone();
    let project = api("POST", "/api/v1/projects", Some(json!({"name": "Stale P"})));
    let project_id = project["id"].as_str().unwrap().to_owned();
    let task = api(
        "POST",
        "/api/v1/tasks",
        Some(json!({"name": "Stale T", "baseType": "projecttask", "entityId": project_id})),
    );
    let task_id = task["id"].as_str().unwrap().to_owned();
    let entry = api(
        "POST",
        "/api/v1/timeentries",
        Some(
            json!({"userId": me, "typeOfWorkId": type_of_work, "taskId": task_id,
            "timezone": "UTC", "startDateUtc": "2026-10-05T00:00:00Z",
            "startTimeUtc": "10:00:00", "duration": 600}),
        ),
    );
    let entry_id = entry["id"].as_str().unwrap().to_owned();
    api(
        "POST",
        &format!("/api/v1/tasks/{task_id}/comments"),
        Some(json!({"message": "c"})),
    );
    api(
        "POST",
        &format!("/api/v1/projects/{project_id}/comments"),
        Some(json!({"message": "p"})),
    );
    api(
        "PUT",
        &format!("/api/v1/projects/{project_id}"),
        Some(json!({"name": "P renamed"})),
    );
    api(
        "PUT",
        &format!("/api/v1/tasks/{task_id}"),
        Some(json!({"name": "T renamed"})),
    );
    let statuses = api(
        "GET",
        &format!("/api/v1/projects/{project_id}/taskstatuses"),
        None,
    );
    let done = statuses
        .as_array()
        .unwrap()
        .iter()
        .find(|status| status["type"] == "done")
        .unwrap()["id"]
        .clone();
    api(
        "POST",
        "/api/v1/tasks/changestatuses",
        Some(json!([{"taskId": task_id, "statusId": done}])),
    );
    let read = api("GET", &format!("/api/v1/timeentries/{entry_id}"), None);
    assert_eq!(read["task"]["name"], "T renamed", "{read}");
    assert_eq!(read["task"]["taskStatus"]["type"], "done", "{read}");
    assert_eq!(
        read["task"]["closedOn"],
        api("GET", &format!("/api/v1/tasks/{task_id}"), None)["closedOn"],
        "{read}"
    );
    assert!(read["task"]["closedOn"].is_string(), "{read}");
    assert_eq!(read["project"]["name"], "P renamed", "{read}");
    let found = api(
        "GET",
        &format!(
            "/api/v1/timeentries?filterby={}",
            urlencode("task/name eq 'T renamed'")
        ),
        None,
    );
    assert_eq!(ids(&found), [entry_id]);
    let listed = api("GET", &format!("/api/v1/tasks/{task_id}/timeentries"), None);
    assert_eq!(listed[0]["task"]["name"], "T renamed");
    let comment = &api("GET", &format!("/api/v1/tasks/{task_id}/comments"), None)[0];
    assert_eq!(comment["task"]["name"], "T renamed", "{comment}");
    let comment = &api(
        "GET",
        &format!("/api/v1/projects/{project_id}/comments"),
        None,
    )[0];
    assert_eq!(comment["project"]["name"], "P renamed", "{comment}");
}
