//! Pooled connections the receiver closes: the real client against a bare TCP receiver on
//! 127.0.0.1 that answers `200` (keep-alive, no `Connection: close`) and then closes the
//! connection, at once or only once the next request has arrived. A connection closed while idle
//! is replaced, never a failed attempt; one closed after the next request arrived, without an
//! answer, is a failed attempt and that request is not sent again unseen (as .NET's client, which
//! awork's is, and Go's have it for a POST whose body was sent: the receiver may have read it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use awork_delivery::{HttpTransport, Transport, Webhook, WebhookConfig};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::support::{events, read_request};

/// A receiver that reads one request on each connection, answers `200` with keep-alive headers
/// and closes the connection (at once, or `on_next_request`: when the next request's first bytes
/// arrive, unanswered); it counts the requests it answered and reports each close on `closed`.
struct ClosingReceiver {
    url: String,
    requests: Arc<AtomicU64>,
    closed: mpsc::UnboundedReceiver<()>,
}

impl ClosingReceiver {
    async fn start(on_next_request: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicU64::new(0));
        let (closes, closed) = mpsc::unbounded_channel();
        let counted = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counted = Arc::clone(&counted);
                let closes = closes.clone();
                tokio::spawn(async move {
                    answer_one(stream, on_next_request, &counted).await;
                    let _ = closes.send(());
                });
            }
        });
        Self {
            url,
            requests,
            closed,
        }
    }
}

/// An answer of `200` that keeps the connection open.
const OK_KEEP_ALIVE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";

/// Reads one request, answers `200` and closes (`on_next_request`: once more bytes arrive),
/// counting the answer in `answered`.
async fn answer_one(mut stream: TcpStream, on_next_request: bool, answered: &AtomicU64) {
    if !read_request(&mut stream).await {
        return;
    }
    if stream.write_all(OK_KEEP_ALIVE).await.is_ok() {
        answered.fetch_add(1, Ordering::SeqCst);
    }
    if on_next_request {
        let _next = stream.read(&mut [0u8; 4096]).await;
    }
    let _ = stream.shutdown().await;
}

#[tokio::test]
async fn a_receiver_closing_after_every_answer_gets_every_event_once_with_one_attempt_each() {
    let receiver = ClosingReceiver::start(false).await;
    let config = WebhookConfig::new(&receiver.url)
        .unwrap()
        .with_concurrency(4);
    let run = Webhook::new(config)
        .unwrap()
        .deliver(events(200), &mut ())
        .await;
    assert_eq!(run.report.delivered, 200);
    assert_eq!(run.report.failed, 0);
    assert_eq!(run.report.attempts, 200);
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 200);
}

#[tokio::test]
async fn a_connection_closed_while_idle_is_replaced_not_failed() {
    let mut receiver = ClosingReceiver::start(false).await;
    let config = WebhookConfig::new(&receiver.url).unwrap();
    let transport = HttpTransport::new(&config).unwrap();
    for sent in 1..=20u64 {
        let outcome = transport
            .send(Bytes::from_static(b"{}"), Duration::from_secs(10))
            .await;
        assert!(outcome.is_success(), "attempt {sent}: {outcome}");
        // The receiver has closed the connection the client keeps idle for the next attempt.
        receiver.closed.recv().await.unwrap();
        assert_eq!(receiver.requests.load(Ordering::SeqCst), sent);
    }
}

#[tokio::test]
async fn a_connection_closed_once_the_next_request_arrived_is_a_failed_attempt_not_resent() {
    let receiver = ClosingReceiver::start(true).await;
    let config = WebhookConfig::new(&receiver.url).unwrap();
    let transport = HttpTransport::new(&config).unwrap();
    let send = || transport.send(Bytes::from_static(b"{}"), Duration::from_secs(10));
    // Each connection answers its first request and drops the second unanswered, after its
    // first bytes arrived: the request the receiver took is a failed attempt, and the next one
    // goes on a fresh connection.
    for round in 1..=5u64 {
        let answered = send().await;
        assert!(answered.is_success(), "round {round}: {answered}");
        let dropped = send().await;
        assert_eq!(
            dropped,
            awork_delivery::AttemptOutcome::ConnectionReset,
            "round {round}"
        );
        assert_eq!(receiver.requests.load(Ordering::SeqCst), round);
    }
}

/// How long the receiver below takes over a request it loses and over one it answers.
const SLOW: Duration = Duration::from_millis(300);

/// A receiver whose first connection answers its first request and then, `SLOW` after reading the
/// second, closes without answering it; every later connection answers each request `SLOW` after
/// reading it. It counts the requests it read.
async fn start_losing_second_request(requests: Arc<AtomicU64>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut first, _) = listener.accept().await.unwrap();
        let counted = Arc::clone(&requests);
        tokio::spawn(async move {
            if read_request(&mut first).await {
                counted.fetch_add(1, Ordering::SeqCst);
                first.write_all(OK_KEEP_ALIVE).await.unwrap();
            }
            if read_request(&mut first).await {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(SLOW).await;
            }
            let _ = first.shutdown().await;
        });
        while let Ok((mut stream, _)) = listener.accept().await {
            let counted = Arc::clone(&requests);
            tokio::spawn(async move {
                while read_request(&mut stream).await {
                    counted.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(SLOW).await;
                    if stream.write_all(OK_KEEP_ALIVE).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_request_read_and_dropped_on_a_kept_alive_connection_fails_within_its_timeout() {
    let requests = Arc::new(AtomicU64::new(0));
    let url = start_losing_second_request(Arc::clone(&requests)).await;
    let config = WebhookConfig::new(&url).unwrap();
    let transport = HttpTransport::new(&config).unwrap();
    let timeout = Duration::from_millis(500);

    let first = transport.send(Bytes::from_static(b"{}"), timeout).await;
    assert!(first.is_success(), "{first}");

    // The kept-alive connection reads the second request and closes it `SLOW` later, unanswered:
    // a failed attempt, not sent again on a fresh connection.
    let started = tokio::time::Instant::now();
    let second = transport.send(Bytes::from_static(b"{}"), timeout).await;
    assert_eq!(second, awork_delivery::AttemptOutcome::ConnectionReset);
    assert!(started.elapsed() >= SLOW, "{:?}", started.elapsed());
    assert_eq!(requests.load(Ordering::SeqCst), 2, "read once each");
    // The next attempt opens a fresh connection, which answers.
    let third = transport.send(Bytes::from_static(b"{}"), timeout).await;
    assert!(third.is_success(), "{third}");
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}
