//! What the real client sends and loads before sending: a `User-Agent` of `awork-sim/VERSION`
//! unless the configured header is one, one `Host` naming the URL's host and port, bodies large
//! and small byte for byte, and the platform's root certificates only for `https`.

use std::sync::{Mutex, Once};
use std::thread::{self, ThreadId};
use std::time::Duration;

use awork_delivery::receiver::{Behaviour, Receiver};
use awork_delivery::{
    AttemptOutcome, AuthHeader, HttpTransport, Transport, TransportError, USER_AGENT, Webhook,
    WebhookConfig,
};
use bytes::Bytes;

use crate::support::events;

#[tokio::test]
async fn every_request_carries_the_awork_sim_user_agent() {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), Behaviour::status(200))
        .await
        .unwrap();
    let config = WebhookConfig::new(&receiver.url()).unwrap();
    let run = Webhook::new(config)
        .unwrap()
        .deliver(events(2), &mut ())
        .await;
    assert_eq!(run.report.delivered, 2);
    assert_eq!(USER_AGENT, concat!("awork-sim/", env!("CARGO_PKG_VERSION")));
    for request in receiver.requests() {
        let agents: Vec<_> = request.headers.get_all("user-agent").iter().collect();
        assert_eq!(agents, [USER_AGENT]);
    }
}

#[tokio::test]
async fn every_request_carries_one_host_header_with_the_port() {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), Behaviour::status(200))
        .await
        .unwrap();
    let config = WebhookConfig::new(&receiver.url()).unwrap();
    let run = Webhook::new(config)
        .unwrap()
        .deliver(events(2), &mut ())
        .await;
    assert_eq!(run.report.delivered, 2);
    let expected = format!("127.0.0.1:{}", receiver.addr().port());
    for request in receiver.requests() {
        let hosts: Vec<_> = request.headers.get_all("host").iter().collect();
        assert_eq!(hosts, [expected.as_str()]);
    }
}

#[tokio::test]
async fn a_configured_user_agent_replaces_the_default() {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), Behaviour::status(200))
        .await
        .unwrap();
    let config = WebhookConfig::new(&receiver.url())
        .unwrap()
        .with_auth(AuthHeader::parse("User-Agent: awork/1.0").unwrap());
    let run = Webhook::new(config)
        .unwrap()
        .deliver(events(1), &mut ())
        .await;
    assert_eq!(run.report.delivered, 1);
    let request = &receiver.requests()[0];
    let agents: Vec<_> = request.headers.get_all("user-agent").iter().collect();
    assert_eq!(agents, ["awork/1.0"]);
}

/// The log records of hyper-rustls, with the thread that logged them.
static RECORDS: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("hyper_rustls")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = record.args().to_string();
            RECORDS.lock().unwrap().push((thread::current().id(), line));
        }
    }

    fn flush(&self) {}
}

/// What hyper-rustls logged on this test's thread while `build` ran.
fn logged_while(build: impl FnOnce()) -> Vec<String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&Capture).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Debug);
    });
    let me = thread::current().id();
    let take = || {
        let mut records = RECORDS.lock().unwrap();
        let (mine, others) = records.drain(..).partition(|(thread, _)| *thread == me);
        *records = others;
        mine.into_iter().map(|(_, line)| line).collect::<Vec<_>>()
    };
    take();
    build();
    take()
}

#[test]
fn root_certificates_are_loaded_only_for_https() {
    let plain = WebhookConfig::new("http://127.0.0.1:9/hook").unwrap();
    let logged = logged_while(|| {
        HttpTransport::new(&plain).unwrap();
    });
    assert_eq!(
        logged,
        Vec::<String>::new(),
        "an http URL read the root store"
    );

    let insecure = WebhookConfig::new("https://127.0.0.1:9/hook")
        .unwrap()
        .with_insecure(true);
    let logged = logged_while(|| {
        HttpTransport::new(&insecure).unwrap();
    });
    assert_eq!(
        logged,
        Vec::<String>::new(),
        "--insecure read the root store"
    );

    // The control: an https URL does read it (hyper-rustls logs how many it loaded), or fails
    // because the platform has none.
    let secure = WebhookConfig::new("https://127.0.0.1:9/hook").unwrap();
    let mut built = None;
    let logged = logged_while(|| built = Some(HttpTransport::new(&secure)));
    match built.unwrap() {
        Ok(_) => assert!(
            logged
                .iter()
                .any(|line| line.starts_with("with_native_roots processed")),
            "{logged:?}"
        ),
        Err(TransportError::NativeRoots(_)) => {}
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn bodies_large_and_small_arrive_byte_for_byte_on_one_connection() {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), Behaviour::status(200))
        .await
        .unwrap();
    let transport = HttpTransport::new(&WebhookConfig::new(&receiver.url()).unwrap()).unwrap();
    // Past the size copied after the head: written from where it is, after the head.
    let large: Bytes = (0..3 * 1024 * 1024)
        .map(|n: u32| b"0123456789abcdef"[(n % 16) as usize])
        .collect();
    let small = Bytes::from_static(br#"{"n":1}"#);
    for body in [large.clone(), small.clone(), large.clone()] {
        let outcome = transport.send(body, Duration::from_secs(10)).await;
        assert_eq!(outcome, AttemptOutcome::status(200));
    }
    let bodies: Vec<Bytes> = receiver.requests().into_iter().map(|r| r.body).collect();
    assert!(
        bodies == [large.clone(), small, large],
        "a body arrived altered"
    );
}
