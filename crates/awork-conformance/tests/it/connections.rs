//! How many connections the suite opens, counted by a bare TCP receiver on 127.0.0.1: a step sent
//! in turn reuses one kept-alive connection per auth header, as a delivery does, and sends beside
//! it only when the receiver leaves a request unanswered.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use awork_conformance::{CaseId, CheckConfig, Outcome};
use awork_delivery::AuthHeader;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;
use tokio::task::JoinHandle;

use crate::support::{AUTH_NAME, AUTH_VALUE, assert_outcome, read_request, run};

/// How a [`CountingReceiver`] answers.
#[derive(Clone)]
enum Answering {
    /// `200` to every request, at once.
    AtOnce,
    /// `401` to each request, once this many requests are waiting for their answer together.
    WhenTogether(Arc<Barrier>),
}

/// A receiver that counts the connections it accepts and the requests it reads, and keeps every
/// connection open until the client closes it. Stops when dropped.
struct CountingReceiver {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for CountingReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CountingReceiver {
    async fn start(answering: Answering) -> CountingReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/awork", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (accepted, read) = (Arc::clone(&connections), Arc::clone(&requests));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, answering.clone(), Arc::clone(&read)));
            }
        });
        CountingReceiver {
            url,
            connections,
            requests,
            task,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Answers the requests of one connection, keeping it open, until the client closes it.
async fn serve(mut stream: TcpStream, answering: Answering, requests: Arc<AtomicUsize>) {
    let mut received = Vec::new();
    while read_request(&mut stream, &mut received).await {
        requests.fetch_add(1, Ordering::SeqCst);
        let answer: &[u8] = match &answering {
            Answering::AtOnce => b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
            Answering::WhenTogether(together) => {
                together.wait().await;
                b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n"
            }
        };
        if stream.write_all(answer).await.is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn cases_sent_in_turn_use_one_connection_per_auth_header() {
    let receiver = CountingReceiver::start(Answering::AtOnce).await;
    let cases = [
        CaseId::AcceptsAllEventTypes,
        CaseId::ToleratesUnknownFields,
        CaseId::RejectsMissingAuth,
        CaseId::RequiresAuth,
        CaseId::RejectsWrongAuth,
    ];
    let report = run(config_for(&receiver).only(cases)).await;
    let sent: usize = cases
        .iter()
        .map(|&case| report.case(case).unwrap().requests.len())
        .sum();
    assert!(sent >= 70, "{sent} requests: {}", report.to_text());
    assert_eq!(receiver.requests(), sent);
    // The configured header, none, and the two wrong values: one connection each, and the one
    // that checks something accepts connections at the URL before any case.
    assert_eq!(receiver.connections(), 4 + 1, "{}", report.to_text());
}

#[tokio::test]
async fn a_receiver_that_leaves_a_request_unanswered_gets_the_next_beside_it() {
    // Answers only once both of `rejects-wrong-auth`'s requests are waiting: sent strictly in
    // turn, the first would time out.
    let together = Arc::new(Barrier::new(2));
    let receiver = CountingReceiver::start(Answering::WhenTogether(together)).await;
    let config = config_for(&receiver)
        .with_timeout(Duration::from_secs(20))
        .only([CaseId::RejectsWrongAuth]);
    let report = run(config).await;
    assert_outcome(&report, CaseId::RejectsWrongAuth, Outcome::Pass);
    assert_eq!(receiver.requests(), 2);
}

/// The suite's configuration for `receiver`, with an auth header (which it does not check).
fn config_for(receiver: &CountingReceiver) -> CheckConfig {
    CheckConfig::new(&receiver.url)
        .unwrap()
        .with_auth(AuthHeader::new(AUTH_NAME, AUTH_VALUE).unwrap())
}
