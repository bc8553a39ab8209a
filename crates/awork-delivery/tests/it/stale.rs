//! Pooled connections the receiver closed while they were idle: the real client against a bare
//! TCP receiver on 127.0.0.1 that answers `200` (keep-alive, no `Connection: close`) and then
//! closes the connection. No such close may turn into a failed attempt, nor send an event twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use awork_delivery::{HttpTransport, Transport, Webhook, WebhookConfig};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::support::events;

/// A receiver that reads one request on each connection, answers `200` with keep-alive headers
/// and closes the connection; it counts the requests and reports each close on `closed`.
struct ClosingReceiver {
    url: String,
    requests: Arc<AtomicU64>,
    closed: mpsc::UnboundedReceiver<()>,
}

impl ClosingReceiver {
    async fn start() -> Self {
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
                    if answer_one(stream).await {
                        counted.fetch_add(1, Ordering::SeqCst);
                    }
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

/// Reads one request (its head, then `Content-Length` bytes of body), answers `200` and closes;
/// `true` when a whole request was read.
async fn answer_one(mut stream: TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let answered = stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        .await
        .is_ok();
    let _ = stream.shutdown().await;
    answered
}

#[tokio::test]
async fn a_receiver_closing_after_every_answer_gets_every_event_once_with_one_attempt_each() {
    let receiver = ClosingReceiver::start().await;
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
    let mut receiver = ClosingReceiver::start().await;
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
