//! The settings page as the place to watch a receiver fail and recover, driven in a headless
//! Chromium through WebDriver (skipped, saying so, when Chromium or chromedriver is absent): live
//! updates that keep an open body open and the user's place, results next to what caused them, a
//! failing webhook's consecutive failures and next attempt before it pauses, "Retry now",
//! "Resend", the pause and the recovery, a banner while serve is stopped; and screenshots at
//! 1280 and 800 px wide (`target/page-1280.png`, `target/page-800.png`, kept by CI) with no
//! horizontal overflow at 800 px.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use awork_delivery::receiver::Behaviour;
use serde_json::{Value, json};

use crate::cli_serve::{Browser, Http, Serve, browser_tools, data_dir, n8n_form, wait_until};

/// Runs `script` in the page (WebDriver's `execute/sync`) and returns its value.
fn run(browser: &Browser<'_>, script: &str) -> Value {
    let answer = browser.command(
        "POST",
        "/execute/sync",
        &json!({"script": script, "args": []}),
    );
    assert_eq!(answer.status, 200, "{script}: {answer:?}");
    answer.body["value"].clone()
}

/// Whether the element matching `css` is shown and wholly inside the viewport.
fn in_viewport(browser: &Browser<'_>, css: &str) -> bool {
    let script = format!(
        "const e = document.querySelector({css:?}); if (!e || e.offsetParent === null) return false; \
         const r = e.getBoundingClientRect(); \
         return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;"
    );
    run(browser, &script) == Value::Bool(true)
}

/// How many live updates the page has made.
fn updates(browser: &Browser<'_>) -> u64 {
    run(
        browser,
        "return Number(document.getElementById('live').dataset.updates || 0);",
    )
    .as_u64()
    .unwrap_or(0)
}

/// The text of the first element matching `css`, or empty.
fn text(browser: &Browser<'_>, css: &str) -> String {
    browser.texts(css).into_iter().next().unwrap_or_default()
}

/// Waits until the first element matching `css` has a text for which `good` holds; returns it.
#[track_caller]
fn wait_for_text(browser: &Browser<'_>, css: &str, good: impl Fn(&str) -> bool) -> String {
    wait_until(css, || Some(text(browser, css)).filter(|text| good(text)))
}

/// The window `width` wide and as tall as the page, for a screenshot of all of it.
fn whole_page_at(browser: &Browser<'_>, width: u64) {
    let rect = |height: u64| {
        let answer = browser.command(
            "POST",
            "/window/rect",
            &json!({"width": width, "height": height}),
        );
        assert_eq!(answer.status, 200, "{answer:?}");
    };
    rect(900);
    let height = run(browser, "return document.documentElement.scrollHeight;")
        .as_u64()
        .unwrap_or(900);
    rect(height.clamp(900, 6000) + 120);
    run(browser, "window.scrollTo(0, 0);");
}

/// Saves a screenshot of the viewport as `target/NAME`.
fn screenshot(browser: &Browser<'_>, name: &str) -> PathBuf {
    let answer = browser.command("GET", "/screenshot", &json!({}));
    assert_eq!(answer.status, 200, "{answer:?}");
    let png = decode_base64(answer.body["value"].as_str().expect("base64 PNG"));
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp is in target/")
        .join(name);
    std::fs::write(&target, png).expect("the screenshot is written");
    target
}

/// Standard base64, as WebDriver's screenshot is.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |byte: u8| match byte {
        b'A'..=b'Z' => u32::from(byte - b'A'),
        b'a'..=b'z' => u32::from(byte - b'a') + 26,
        b'0'..=b'9' => u32::from(byte - b'0') + 52,
        b'+' => 62,
        b'/' => 63,
        other => panic!("not base64: {other}"),
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let data: Vec<u32> = chunk
            .iter()
            .filter(|&&byte| byte != b'=')
            .map(|&byte| value(byte))
            .collect();
        let joined = data
            .iter()
            .enumerate()
            .fold(0u32, |all, (index, six)| all | (six << (18 - 6 * index)));
        let [_, a, b, c] = joined.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..data.len().saturating_sub(1)]);
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(decode_base64("aGVsbG8="), b"hello");
    assert_eq!(decode_base64("aGk="), b"hi");
    assert_eq!(decode_base64("YWJj"), b"abc");
}

#[test]
fn the_settings_page_shows_a_receiver_fail_and_recover_live_in_chromium() {
    let Some((chromedriver, chromium)) =
        browser_tools("the_settings_page_shows_a_receiver_fail_and_recover_live_in_chromium")
    else {
        return;
    };
    let http = Http::new();
    let good = http.receiver(Behaviour::status(200));
    let failing = http.receiver(Behaviour::status(500));
    // Retries an hour apart: only "Retry now" makes the next attempt in the test's time. The
    // third failure in a row pauses.
    let options = [
        "--retry-schedule",
        "1h",
        "--pause-after",
        "2",
        "--max-retries",
        "5",
    ];
    let data = data_dir("page-live");
    let serve = Serve::start(&data, &options);
    let create = |name: &str, uri: &str, events: &str| {
        let mut form = n8n_form(uri, events);
        form["name"] = name.into();
        let created = http.api(&serve, "POST", "/api/v1/webhooks", Some(&form));
        assert_eq!(created.status, 200, "{created:?}");
        created.body["id"].as_str().unwrap().to_owned()
    };
    // The world first makes what the events below need (a company, a project, a task), while
    // no webhook hears of it.
    for event in ["project_added", "task_added", "task_comment_added"] {
        let made = http.api(
            &serve,
            "POST",
            "/sim/events",
            Some(&json!({"eventType": event})),
        );
        assert_eq!(made.status, 200, "{made:?}");
    }
    let good_id = create("Good receiver", &good.url(), "task_added");
    let flaky_id = create("Flaky receiver", &failing.url(), "project_added");
    // A receiver nobody listens for: it stays retrying, an hour away.
    create(
        "Down receiver",
        "http://127.0.0.1:9/hooks",
        "task_comment_added",
    );
    let make = |event: &str, count: u64| {
        let made = http.api(
            &serve,
            "POST",
            "/sim/events",
            Some(&json!({"eventType": event, "count": count})),
        );
        assert_eq!(made.status, 200, "{made:?}");
    };
    make("task_added", 3);
    make("task_comment_added", 1);
    http.wait_for_requests(&good, 3);

    let browser = Browser::start(&http, &chromedriver, &chromium);
    let size = browser.command(
        "POST",
        "/window/rect",
        &json!({"width": 1280, "height": 900}),
    );
    assert_eq!(size.status, 200, "{size:?}");
    browser.open(&format!("{}/?poll=300", serve.url));
    let flaky = format!("article.webhook[data-id='{flaky_id}']");
    let good_card = format!("article.webhook[data-id='{good_id}']");

    // A failing webhook says so before it pauses: failures in a row, the next attempt's time.
    make("project_added", 1);
    http.wait_for_requests(&failing, 1);
    let state = wait_for_text(&browser, &format!("{flaky} .state"), |text| {
        text.contains("1 failed in a row")
    });
    assert!(state.starts_with("Retrying"), "{state}");
    assert!(state.contains("next attempt at"), "{state}");
    assert!(state.contains("in 60 min"), "{state}");
    assert!(state.contains("pauses after 2 more failures"), "{state}");
    let status = http.api(&serve, "GET", "/sim/status", None);
    let row = status.body["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == flaky_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["isActive"], true);
    assert_eq!(row["consecutiveFailures"], 1);
    assert!(row["nextAttemptAt"].is_string(), "{row}");
    assert_eq!(row["lastHour"]["failed"][59], 1, "{row}");

    // "Retry now" makes the next attempt at once, not in an hour; its result shows beside it.
    browser.click(&format!("{flaky} button.retry"));
    http.wait_for_requests(&failing, 2);
    wait_for_text(&browser, &format!("{flaky} .state"), |text| {
        text.contains("2 failed in a row")
    });
    assert!(text(&browser, &format!("{flaky} .result")).starts_with("Retrying now"));

    // The log opens where it is seen; Resend makes a new attempt, a new line on top.
    browser.click(&format!("{good_card} button.logs"));
    wait_until("three log lines", || {
        (browser.find_all("tr.log-row").len() >= 3).then_some(())
    });
    assert!(
        in_viewport(&browser, "#log-section h2"),
        "the log is scrolled to"
    );
    browser.click("tr.log-row button.resend");
    http.wait_for_requests(&good, 4);
    let newest = wait_for_text(&browser, "tr.log-row", |text| text.contains("resend"));
    assert!(
        newest.contains("task_added") && newest.contains("200"),
        "{newest}"
    );
    wait_until("the result beside Resend", || {
        browser
            .texts("tr.log-row .result")
            .iter()
            .any(|text| text.starts_with("Resent: delivered (200)"))
            .then_some(())
    });

    // A body stays open, in its place, across 10 s of live updates, and typed input is kept.
    browser.type_into("#name", "half-typed");
    let oldest = browser.find_all("tr.log-row button.body");
    let last = oldest.last().expect("a body button").clone();
    let clicked = browser.command("POST", &format!("/element/{last}/click"), &json!({}));
    assert_eq!(clicked.status, 200, "{clicked:?}");
    let pre = wait_until("the open body", || browser.find_all("pre.body").pop());
    let body = text(&browser, "pre.body");
    assert!(
        body.contains("\n  \"eventType\": \"task_added\""),
        "pretty: {body}"
    );
    run(
        &browser,
        "document.querySelector('tr.body-row').scrollIntoView({block: 'center'});",
    );
    let top = |browser: &Browser<'_>| {
        run(
            browser,
            "return document.querySelector('pre.body').getBoundingClientRect().top;",
        )
        .as_f64()
        .unwrap()
    };
    let (before_top, before_updates) = (top(&browser), updates(&browser));
    let before_rows = browser.find_all("tr.log-row").len();
    let start = Instant::now();
    let mut made = 0;
    while start.elapsed() < Duration::from_secs(10) {
        make("task_added", 1);
        made += 1;
        std::thread::sleep(Duration::from_millis(700));
        let shown = browser.command("GET", &format!("/element/{pre}/displayed"), &json!({}));
        assert_eq!(
            shown.body["value"],
            true,
            "the body stays open (the same element) after {:?}: {shown:?}",
            start.elapsed()
        );
    }
    http.wait_for_requests(&good, 4 + made);
    wait_until("the new lines", || {
        (browser.find_all("tr.log-row").len() >= before_rows + made).then_some(())
    });
    let after_updates = updates(&browser);
    assert!(
        after_updates >= before_updates + 10,
        "several live updates: {before_updates} then {after_updates}"
    );
    let moved = (top(&browser) - before_top).abs();
    assert!(
        moved <= 4.0,
        "the open body stayed in place: moved {moved} px"
    );
    assert_eq!(
        browser.find_all("pre.body"),
        [pre],
        "still the one open body"
    );
    let typed = run(&browser, "return document.getElementById('name').value;");
    assert_eq!(typed, "half-typed");

    // Edit scrolls to the form; an error after Save shows by its field, in view, in words.
    browser.click(&format!("{good_card} button.edit"));
    wait_until("the form in view", || {
        in_viewport(&browser, "#form-title").then_some(())
    });
    browser.on("#uri", |element| {
        browser.command("POST", &format!("/element/{element}/clear"), &json!({}))
    });
    browser.type_into("#uri", &format!("{}/hooks", serve.url));
    browser.click("#save");
    let error = wait_for_text(&browser, "#uri-error", |text| !text.is_empty());
    assert!(error.contains("serve itself"), "{error}");
    assert!(!error.contains("uri:"), "in the form's words: {error}");
    assert!(in_viewport(&browser, "#uri-error"), "the error is in view");
    assert!(text(&browser, "#form-result").starts_with("Not saved"));

    // The third failure in a row pauses it, saying since when and why.
    browser.click(&format!("{flaky} button.retry"));
    http.wait_for_requests(&failing, 3);
    let paused = wait_for_text(&browser, &format!("{flaky} .state"), |text| {
        text.starts_with("Paused since")
    });
    assert!(paused.contains("the receiver answered 500"), "{paused}");
    let refused = http.api(
        &serve,
        "POST",
        &format!("/sim/webhooks/{flaky_id}/retry"),
        None,
    );
    assert_eq!(
        refused.status, 409,
        "a paused webhook is enabled, not retried"
    );
    let gone = format!("/sim/webhooks/{good_id}/logs/999999/resend");
    assert_eq!(http.api(&serve, "POST", &gone, None).status, 404);

    // Screenshots of this state: one retrying, one paused, the log with an open body.
    whole_page_at(&browser, 1280);
    screenshot(&browser, "page-1280.png");
    whole_page_at(&browser, 800);
    let overflow = run(
        &browser,
        "const d = document.documentElement; return [d.scrollWidth, d.clientWidth];",
    );
    assert!(
        overflow[0].as_u64() <= overflow[1].as_u64(),
        "no horizontal overflow at 800 px: {overflow}"
    );
    screenshot(&browser, "page-800.png");

    // Fixed receiver, Enable: the kept event is delivered and the webhook is active again.
    failing.set_behaviour(Behaviour::status(200));
    browser.click(&format!("{flaky} button.enable"));
    http.wait_for_requests(&failing, 4);
    // Every kept event is delivered (the story may have made more than one of its type).
    wait_for_text(&browser, &format!("{flaky} .counts"), |text| {
        text.starts_with("0 pending") && !text.contains(" 0 delivered")
    });
    assert!(
        text(&browser, &format!("{flaky} .state")).starts_with("Up to date"),
        "recovered"
    );

    // Serve stops: a banner says so, and goes once serve is back on its port.
    let url = serve.url.clone();
    let port = url.rsplit(':').next().unwrap().to_owned();
    serve.kill();
    let banner = wait_for_text(&browser, "#offline", |text| !text.is_empty());
    assert!(banner.contains("does not answer"), "{banner}");
    let again = Serve::adopt(
        std::process::Command::new(env!("CARGO_BIN_EXE_awork-sim"))
            .args(["serve", "--port", &port, "--data"])
            .arg(&*data)
            .args(options)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("awork-sim starts again"),
    );
    assert_eq!(again.url, url);
    wait_until("the banner to go", || {
        browser.texts("#offline").concat().is_empty().then_some(())
    });
}

/// What the page does not edit stays as it was, a refused header name is said by its field, a
/// body shows as it was sent, and a log whose webhook is deleted elsewhere closes while the rest
/// goes on updating (it stopped every update).
#[test]
fn the_page_keeps_what_it_does_not_edit_and_outlives_a_log_deleted_elsewhere() {
    let Some((chromedriver, chromium)) =
        browser_tools("the_page_keeps_what_it_does_not_edit_and_outlives_a_log_deleted_elsewhere")
    else {
        return;
    };
    let http = Http::new();
    let good = http.receiver(Behaviour::status(200));
    let data = data_dir("page-keeps");
    let serve = Serve::start(&data, &[]);
    let create = |name: &str, extra: Value| {
        let mut form = n8n_form(&good.url(), "task_added");
        form["name"] = name.into();
        for (key, value) in extra.as_object().unwrap() {
            form[key] = value.clone();
        }
        let created = http.api(&serve, "POST", "/api/v1/webhooks", Some(&form));
        assert_eq!(created.status, 200, "{created:?}");
        created.body["id"].as_str().unwrap().to_owned()
    };
    let kept = create(
        "Kept",
        json!({"language": "de", "onlyTriggerForMainEntityChanges": true, "isActive": false}),
    );
    let other = create("Other", json!({}));
    let browser = Browser::start(&http, &chromedriver, &chromium);
    browser.open(&format!("{}/?poll=300", serve.url));

    // Enable sends the whole form back: language and onlyTriggerForMainEntityChanges stay.
    browser.click(&format!("article.webhook[data-id='{kept}'] button.enable"));
    let enabled = wait_until("the webhook enabled", || {
        let hook = http.api(&serve, "GET", &format!("/api/v1/webhooks/{kept}"), None);
        (hook.body["isActive"] == true).then_some(hook.body)
    });
    assert_eq!(enabled["language"], "de", "{enabled}");
    assert_eq!(
        enabled["onlyTriggerForMainEntityChanges"], true,
        "{enabled}"
    );

    // A header name with `=` would be read as another name and value: refused by its field.
    browser.type_into("#name", "Equals");
    browser.type_into("#uri", &good.url());
    browser.type_into("#auth-name", "X-Api-Key=abc");
    browser.type_into("#auth-value", "s3cret");
    browser.click("#events-all");
    browser.click("#save");
    let said = wait_for_text(&browser, "#auth-name-error", |text| !text.is_empty());
    assert!(
        said.contains("no spaces, colons, = or other separators"),
        "{said}"
    );
    assert_eq!(
        run(
            &browser,
            "return document.getElementById('auth-name').getAttribute('aria-invalid');"
        ),
        "true"
    );

    // A body shows as it was sent: numbers, escapes and a key given twice as they are.
    let shown = run(
        &browser,
        r#"return indented('{"a":12345678901234567891,"b":[1.10, 1.5e3,{ }],"a":"\\u00e4 ,:{"}');"#,
    );
    assert_eq!(
        shown,
        "{\n  \"a\": 12345678901234567891,\n  \"b\": [\n    1.10,\n    1.5e3,\n    {}\n  ],\n  \
         \"a\": \"\\u00e4 ,:{\"\n}"
    );

    // The log of a webhook another client deletes: the log closes, the list goes on updating.
    browser.click(&format!("article.webhook[data-id='{other}'] button.logs"));
    wait_until("the log", || {
        (run(
            &browser,
            "return document.getElementById('log-section').hidden;",
        ) == false)
            .then_some(())
    });
    let deleted = http.api(&serve, "DELETE", &format!("/api/v1/webhooks/{other}"), None);
    assert!(deleted.status < 300, "{deleted:?}");
    let later = create("Later", json!({}));
    wait_until("the later webhook's card", || {
        (!browser
            .find_all(&format!("article.webhook[data-id='{later}']"))
            .is_empty())
        .then_some(())
    });
    assert_eq!(
        run(
            &browser,
            "return document.getElementById('log-section').hidden;"
        ),
        true
    );
    let told = wait_for_text(&browser, "#list-result", |text| !text.is_empty());
    assert!(told.contains("no longer exists"), "{told}");
    assert!(text(&browser, "#live").starts_with("Live"));
}
