//! `awork-sim serve` as awork's REST API: the operations integrations call, answered from the
//! workspace's world, writes that emit the webhooks awork would emit, awork's conventions (paging,
//! `filterby`, `orderby`, case-insensitive paths and query names, `//`), and a 501 naming every
//! operation of awork's document that awork-sim does not simulate.

use serde_json::json;

use crate::cli_serve::{Http, Serve, data_dir};

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
