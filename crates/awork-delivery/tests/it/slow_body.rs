//! The timeout covers the whole response: a receiver on 127.0.0.1 that sends its 200 head at once
//! and then trickles its body for 3 s has not answered within a 1 s timeout.

use std::time::Duration;

use awork_delivery::{Webhook, WebhookConfig};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::support::{events, read_request};

/// The body's length; one byte goes out every [`TRICKLE_STEP`], 3 s in all.
const TRICKLED_BYTES: usize = 30;
const TRICKLE_STEP: Duration = Duration::from_millis(100);

/// A receiver that answers every request with a `200` head at once and a body trickled byte by
/// byte over 3 s. Stops when dropped.
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
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(trickle(stream));
        }
    });
    TricklingReceiver { url, task }
}

/// Reads one request (head and `Content-Length` body), then answers it slowly.
async fn trickle(mut stream: TcpStream) {
    if !read_request(&mut stream).await {
        return;
    }
    let head =
        format!("HTTP/1.1 200 OK\r\ncontent-length: {TRICKLED_BYTES}\r\nconnection: close\r\n\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    for _ in 0..TRICKLED_BYTES {
        tokio::time::sleep(TRICKLE_STEP).await;
        if stream.write_all(b"x").await.is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn a_body_trickled_past_the_timeout_is_a_timeout() {
    let receiver = trickling_receiver().await;
    let config = WebhookConfig::new(&receiver.url)
        .unwrap()
        .with_timeout(Duration::from_secs(1))
        .with_max_retries(0);
    let mut log = Vec::new();
    let run = Webhook::new(config)
        .unwrap()
        .deliver(events(1), &mut log)
        .await;
    assert_eq!((run.report.delivered, run.report.failed), (0, 1));
    assert_eq!(log.len(), 1);
    // A timeout that says what came: the head, not the whole body.
    assert_eq!(
        log[0].outcome.to_string(),
        format!(
            "timeout: the answer's head came (200), but its body did not end: it said \
             Content-Length: {TRICKLED_BYTES}, and not all of them came in time"
        )
    );
    assert!(
        log[0].to_json_line().contains(r#""error":"timeout""#),
        "{}",
        log[0].to_json_line()
    );
    // Cut at the timeout, not at the end of the 3 s body.
    let latency = log[0].latency;
    assert!(
        latency >= Duration::from_secs(1) && latency < Duration::from_millis(2500),
        "{latency:?}"
    );
}

/// A receiver that answers each request with `head` and keeps the connection open, as Python's
/// `http.server` does when told to speak HTTP/1.1 and no `Content-Length` is sent.
async fn never_ending(head: &'static str) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            if read_request(&mut stream).await && stream.write_all(head.as_bytes()).await.is_ok() {
                open.push(stream);
            }
        }
    });
    (url, task)
}

#[tokio::test]
async fn a_2xx_whose_body_never_ends_is_a_timeout_that_says_its_head_came() {
    for (head, why) in [
        (
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nok",
            "it has neither Content-Length nor chunked encoding, so its body ends when the \
             connection closes, and the receiver did not close it in time",
        ),
        (
            "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n",
            "its chunked body's last, empty chunk did not come in time",
        ),
    ] {
        let (url, task) = never_ending(head).await;
        let config = WebhookConfig::new(&url)
            .unwrap()
            .with_timeout(Duration::from_millis(300))
            .with_max_retries(0);
        let mut log = Vec::new();
        let run = Webhook::new(config)
            .unwrap()
            .deliver(events(1), &mut log)
            .await;
        task.abort();
        assert_eq!((run.report.delivered, run.report.failed), (0, 1));
        let outcome = &log[0].outcome;
        assert_eq!(outcome.error_kind(), Some("timeout"));
        let status = &head[9..12];
        assert_eq!(
            outcome.to_string(),
            format!("timeout: the answer's head came ({status}), but its body did not end: {why}")
        );
        let line = log[0].to_json_line();
        assert!(
            line.contains(r#""error":"timeout","message":"the answer's head came"#),
            "{line}"
        );
    }
}
