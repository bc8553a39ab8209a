//! `responds-in-time` judges the whole response: a receiver on 127.0.0.1 that sends its 200 head
//! at once and trickles its body for 3 s has not answered within `--timeout 1s`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use awork_conformance::{CaseId, CheckConfig, Outcome};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::support::{assert_outcome, read_request, run};

/// How many requests, the first ones, get a trickled body; the rest are answered at once.
const TRICKLED_REQUESTS: usize = 3;
/// The trickled body's length; one byte goes out every [`TRICKLE_STEP`], 3 s in all.
const TRICKLED_BYTES: usize = 30;
const TRICKLE_STEP: Duration = Duration::from_millis(100);

/// A receiver answering `200` to every request: at once, except for the first
/// [`TRICKLED_REQUESTS`], whose head comes at once and whose body takes 3 s. Stops when dropped.
struct TricklingReceiver {
    url: String,
    task: JoinHandle<()>,
}

impl Drop for TricklingReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn trickling_receiver() -> TricklingReceiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/awork", listener.local_addr().unwrap());
    let answered = Arc::new(AtomicUsize::new(0));
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, Arc::clone(&answered)));
        }
    });
    TricklingReceiver { url, task }
}

/// Answers the requests of one connection until the client closes it or a body was trickled
/// (that answer closes the connection).
async fn serve(mut stream: TcpStream, answered: Arc<AtomicUsize>) {
    let mut received = Vec::new();
    while read_request(&mut stream, &mut received).await {
        let trickled = answered.fetch_add(1, Ordering::SeqCst) < TRICKLED_REQUESTS;
        if !trickled {
            let fast = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
            if stream.write_all(fast.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {TRICKLED_BYTES}\r\nconnection: close\r\n\r\n"
        );
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..TRICKLED_BYTES {
            tokio::time::sleep(TRICKLE_STEP).await;
            if stream.write_all(b"x").await.is_err() {
                return;
            }
        }
        return;
    }
}

#[tokio::test]
async fn a_body_trickled_past_the_timeout_fails_responds_in_time() {
    let receiver = trickling_receiver().await;
    let config = CheckConfig::new(&receiver.url)
        .unwrap()
        .with_timeout(Duration::from_secs(1));
    let report = run(config).await;
    assert_outcome(&report, CaseId::RespondsInTime, Outcome::Fail);
    assert!(!report.passed, "{}", report.to_text());
    let case = report.case(CaseId::RespondsInTime).unwrap();
    assert_eq!(case.requests.len(), TRICKLED_REQUESTS, "{}", case.detail);
    assert!(
        case.requests
            .iter()
            .all(|request| request.answer.is_timeout()),
        "{:#?}",
        case.requests
    );
    assert!(
        case.detail.starts_with(&format!("{TRICKLED_REQUESTS} of "))
            && case.detail.ends_with("requests not answered within 1s"),
        "{}",
        case.detail
    );
}
