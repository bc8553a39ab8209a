//! How the real client reads the answers receivers give, from a bare TCP receiver on 127.0.0.1
//! that writes each answer byte for byte (in the pieces a test gives, each written on its own):
//! every framing HTTP/1.1 allows is read whole, its status and first bytes kept, and its
//! connection reused unless the answer ends it; an answer that comes before the request was
//! read whole is read; an answer that is not HTTP is a failure that says so.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awork_delivery::transport::BODY_EXCERPT_LIMIT;
use awork_delivery::{AttemptOutcome, HttpTransport, Transport, WebhookConfig};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::read_request;

/// A receiver that answers every request with the same pieces, written one after the other (and
/// flushed each), then closes the connection if `close`; it counts the connections it accepted.
struct ScriptedReceiver {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl ScriptedReceiver {
    async fn start(pieces: Vec<Vec<u8>>, close: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        let pieces = Arc::new(pieces);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let _nodelay = stream.set_nodelay(true);
                let pieces = Arc::clone(&pieces);
                tokio::spawn(async move {
                    while read_request(&mut stream).await {
                        for piece in pieces.iter() {
                            if stream.write_all(piece).await.is_err()
                                || stream.flush().await.is_err()
                            {
                                return;
                            }
                            tokio::task::yield_now().await;
                        }
                        if close {
                            let _ = stream.shutdown().await;
                            return;
                        }
                    }
                });
            }
        });
        Self { url, connections }
    }

    /// The outcomes of `attempts` attempts sent one after the other, and how many connections
    /// they took.
    async fn attempts(&self, attempts: usize) -> (Vec<AttemptOutcome>, usize) {
        let transport = HttpTransport::new(&WebhookConfig::new(&self.url).unwrap()).unwrap();
        let mut outcomes = Vec::new();
        for n in 0..attempts {
            let body = Bytes::from(format!(r#"{{"n":{n}}}"#));
            outcomes.push(transport.send(body, Duration::from_secs(10)).await);
        }
        (outcomes, self.connections.load(Ordering::SeqCst))
    }
}

fn pieces(pieces: &[&str]) -> Vec<Vec<u8>> {
    pieces
        .iter()
        .map(|piece| piece.as_bytes().to_vec())
        .collect()
}

fn status(code: u16, body: &str) -> AttemptOutcome {
    AttemptOutcome::Status {
        code: code.try_into().unwrap(),
        location: None,
        body: Bytes::copy_from_slice(body.as_bytes()),
    }
}

#[tokio::test]
async fn every_framing_is_read_whole_and_its_connection_reused() {
    let answers: [(&str, Vec<&str>, AttemptOutcome); 7] = [
        (
            "content-length, head and body apart",
            vec!["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "ok"],
            status(200, "ok"),
        ),
        (
            "chunked, with an extension and a trailer, in pieces",
            vec![
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhel",
                "lo\r\n",
                "6\r\n world\r\n0\r\nx-checksum: 1\r\n",
                "\r\n",
            ],
            status(200, "hello world"),
        ),
        (
            "an informational answer first",
            vec!["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n"],
            status(201, ""),
        ),
        (
            "204 without a body, whatever its content-length says",
            vec!["HTTP/1.1 204 No Content\r\ncontent-length: 7\r\n\r\n"],
            status(204, ""),
        ),
        (
            "HTTP/1.0 asking to keep the connection",
            vec!["HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"],
            status(200, ""),
        ),
        (
            "a failure with its reason",
            vec!["HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\n\r\noops"],
            status(500, "oops"),
        ),
        (
            "a redirect, recorded",
            vec!["HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\ncontent-length: 0\r\n\r\n"],
            AttemptOutcome::Status {
                code: 302.try_into().unwrap(),
                location: Some("/elsewhere".to_owned()),
                body: Bytes::new(),
            },
        ),
    ];
    for (what, answer, expected) in answers {
        let receiver = ScriptedReceiver::start(pieces(&answer), false).await;
        let (outcomes, connections) = receiver.attempts(3).await;
        assert_eq!(outcomes, vec![expected; 3], "{what}");
        assert_eq!(connections, 1, "{what}");
    }
}

#[tokio::test]
async fn an_answer_that_ends_its_connection_is_read_and_the_next_attempt_opens_another() {
    let answers: [(&str, Vec<&str>, &str); 4] = [
        (
            "Connection: close",
            vec!["HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 2\r\n\r\nok"],
            "ok",
        ),
        (
            "HTTP/1.0 without keep-alive",
            vec!["HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok"],
            "ok",
        ),
        (
            "a body without a length, to the close",
            vec!["HTTP/1.1 200 OK\r\n\r\nall of ", "it"],
            "all of it",
        ),
        (
            "a transfer coding other than chunked, to the close",
            vec!["HTTP/1.1 200 OK\r\ntransfer-encoding: identity\r\n\r\nraw"],
            "raw",
        ),
    ];
    for (what, answer, body) in answers {
        let receiver = ScriptedReceiver::start(pieces(&answer), true).await;
        let (outcomes, connections) = receiver.attempts(3).await;
        assert_eq!(outcomes, vec![status(200, body); 3], "{what}");
        assert_eq!(connections, 3, "{what}");
    }
}

#[tokio::test]
async fn a_long_body_is_read_to_its_end_keeping_its_first_bytes_and_its_connection() {
    let body = "x".repeat(1024 * 1024);
    let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
    let receiver = ScriptedReceiver::start(vec![head.into_bytes(), body.into_bytes()], false).await;
    let (outcomes, connections) = receiver.attempts(2).await;
    assert_eq!(
        outcomes,
        vec![status(200, &"x".repeat(BODY_EXCERPT_LIMIT)); 2]
    );
    assert_eq!(connections, 1);
}

#[tokio::test]
async fn a_2xx_whose_body_is_cut_short_is_a_failed_attempt() {
    for (what, answer) in [
        (
            "content-length, 7 bytes of 100",
            vec!["HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\naccepte"],
        ),
        (
            "the head alone",
            vec!["HTTP/1.1 202 Accepted\r\ncontent-length: 50\r\n\r\n"],
        ),
        (
            "chunked, before its last chunk",
            vec!["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n"],
        ),
    ] {
        let receiver = ScriptedReceiver::start(pieces(&answer), true).await;
        let (outcomes, connections) = receiver.attempts(2).await;
        for outcome in &outcomes {
            assert!(!outcome.is_success(), "{what}: {outcome:?}");
            match outcome {
                AttemptOutcome::Other(message) => assert!(
                    message.contains("answer's body was cut short: the connection closed"),
                    "{what}: {message}"
                ),
                other => panic!("{what}: {other:?}"),
            }
        }
        assert_eq!(connections, 2, "{what}");
    }
}

#[tokio::test]
async fn a_body_cut_short_keeps_its_status_and_its_connection_is_left() {
    for (what, answer) in [
        (
            "content-length",
            vec!["HTTP/1.1 503 Service Unavailable\r\ncontent-length: 100\r\n\r\nbusy"],
        ),
        (
            "chunked",
            vec![
                "HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n4\r\nbusy\r\n",
            ],
        ),
    ] {
        let receiver = ScriptedReceiver::start(pieces(&answer), true).await;
        let (outcomes, connections) = receiver.attempts(2).await;
        assert_eq!(outcomes, vec![status(503, "busy"); 2], "{what}");
        assert_eq!(connections, 2, "{what}");
    }
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_a_failure_that_says_so() {
    for (what, answer, says) in [
        (
            "another protocol",
            "SSH-2.0-OpenSSH_9.2\r\n",
            "the answer is not valid HTTP/1.1: invalid HTTP version",
        ),
        (
            "content-lengths that differ",
            "HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nok",
            "content-lengths that differ",
        ),
        (
            "a chunk size that is not a number",
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            "",
        ),
    ] {
        let receiver = ScriptedReceiver::start(pieces(&[answer]), true).await;
        let (outcomes, _) = receiver.attempts(1).await;
        match &outcomes[0] {
            AttemptOutcome::Other(message) if !says.is_empty() => {
                assert!(message.contains(says), "{what}: {message}");
            }
            // A bad chunk comes after the status: the 2xx does not count, and says why.
            AttemptOutcome::Other(message) => assert!(
                message.contains("body was cut short: a chunk's size is not a hexadecimal"),
                "{what}: {message}"
            ),
            outcome => panic!("{what}: {outcome:?}"),
        }
    }
    // More header lines than hyper allows is HTTP all the same (no RFC limits their number).
    let crowded = format!(
        "HTTP/1.1 200 OK\r\n{}content-length: 0\r\n\r\n",
        "x-header: 1\r\n".repeat(150)
    );
    let receiver = ScriptedReceiver::start(pieces(&[crowded.as_str()]), true).await;
    let (outcomes, _) = receiver.attempts(1).await;
    assert!(outcomes[0].is_success(), "{:?}", outcomes[0]);
}

/// A receiver that reads a request's head only and answers `413` at once, then holds the
/// connection without reading on (`close: false`) or closes it, its body unread (which resets it).
async fn refusing_receiver(close: bool) -> (String, Arc<Mutex<Vec<TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let holding = Arc::clone(&held);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut chunk = [0u8; 1024];
            while !head.windows(4).any(|window| window == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(read) => head.extend_from_slice(&chunk[..read]),
                }
            }
            let answer = b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 8\r\n\r\ntoo big!";
            if stream.write_all(answer).await.is_ok() && !close {
                holding.lock().unwrap().push(stream);
            }
        }
    });
    (url, held)
}

#[tokio::test]
async fn an_answer_before_the_body_is_read_is_the_outcome_not_a_reset_or_a_timeout() {
    // Far more than the two sockets' buffers hold, so the receiver's refusal stops the writing.
    let body = Bytes::from(vec![b' '; 32 * 1024 * 1024]);
    for close in [false, true] {
        let (url, _held) = refusing_receiver(close).await;
        let transport = HttpTransport::new(&WebhookConfig::new(&url).unwrap()).unwrap();
        let outcome = transport.send(body.clone(), Duration::from_secs(10)).await;
        assert_eq!(outcome, status(413, "too big!"), "closed: {close}");
    }
}

/// What [`acknowledging_receiver`] does after its early answer.
#[derive(Clone, Copy, PartialEq)]
enum Then {
    /// Reads the body to its end, then closes.
    ReadsOn,
    /// Stops reading and closes.
    Closes,
    /// Stops reading and keeps the connection open.
    Holds,
    /// Reads the body to its end and keeps the connection open.
    ReadsOnAndHolds,
}

/// A receiver that answers `answer` as soon as a request's head is in, then does `then`; it
/// sends back how many body bytes it read.
async fn acknowledging_receiver(
    answer: &'static str,
    then: Then,
) -> (String, tokio::sync::mpsc::Receiver<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (read_bytes, counts) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut received = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let head_end = loop {
            if let Some(at) = received.windows(4).position(|window| window == b"\r\n\r\n") {
                break at + 4;
            }
            let read = stream.read(&mut chunk).await.unwrap();
            received.extend_from_slice(&chunk[..read]);
        };
        stream.write_all(answer.as_bytes()).await.unwrap();
        let length: usize = String::from_utf8_lossy(&received[..head_end])
            .lines()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .and_then(|value| value.trim().parse().ok())
            .unwrap();
        let mut body = received.len() - head_end;
        // Reads to the body's end, then closes (which ends an answer framed by the close).
        while matches!(then, Then::ReadsOn | Then::ReadsOnAndHolds) && body < length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(read) => body += read,
            }
        }
        read_bytes.send(body).await.unwrap();
        if matches!(then, Then::Holds | Then::ReadsOnAndHolds) {
            std::future::pending::<()>().await;
        }
        drop(stream);
    });
    (url, counts)
}

#[tokio::test]
async fn a_2xx_before_the_body_is_read_gets_the_whole_body_or_is_a_failure() {
    // Far more than the two sockets' buffers hold: the 202 comes while the body is being sent.
    let length = 16 * 1024 * 1024;
    let body = Bytes::from(vec![b' '; length]);
    // Acknowledged first, then read: the body goes on to its end, as awork's client sends it,
    // whether the answer keeps its connection or closes it.
    for answer in [
        "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
        "HTTP/1.1 202 Accepted\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
        "HTTP/1.0 202 Accepted\r\n\r\n",
    ] {
        let (url, mut counts) = acknowledging_receiver(answer, Then::ReadsOn).await;
        let transport = HttpTransport::new(&WebhookConfig::new(&url).unwrap()).unwrap();
        let outcome = transport.send(body.clone(), Duration::from_secs(10)).await;
        assert!(outcome.is_success(), "{answer:?}: {outcome:?}");
        drop(transport);
        assert_eq!(counts.recv().await, Some(length), "{answer:?}");
    }
    // Acknowledged, and the rest never read: not a delivery.
    let (url, mut counts) = acknowledging_receiver(
        "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
        Then::Closes,
    )
    .await;
    let transport = HttpTransport::new(&WebhookConfig::new(&url).unwrap()).unwrap();
    let outcome = transport.send(body.clone(), Duration::from_secs(10)).await;
    let not_sent_whole = "error: the receiver answered 202 before it had read the whole event, \
                          then stopped reading it: the event was not sent whole";
    assert_eq!(outcome.to_string(), not_sent_whole);
    assert!(counts.recv().await.unwrap() < length);
    // Acknowledged, the rest never read, the connection kept open: the deadline ends the
    // attempt, which says the 202 came (not "no answer").
    let (url, mut counts) = acknowledging_receiver(
        "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
        Then::Holds,
    )
    .await;
    let transport = HttpTransport::new(&WebhookConfig::new(&url).unwrap()).unwrap();
    let outcome = transport
        .send(body.clone(), Duration::from_millis(500))
        .await;
    assert_eq!(outcome.to_string(), not_sent_whole);
    assert!(counts.recv().await.unwrap() < length);
    // Acknowledged early with a body that ends at the close, the event read whole, the
    // connection kept open: the event was sent; what never ended is the answer's body.
    let (url, mut counts) =
        acknowledging_receiver("HTTP/1.1 200 OK\r\n\r\nok", Then::ReadsOnAndHolds).await;
    let transport = HttpTransport::new(&WebhookConfig::new(&url).unwrap()).unwrap();
    let outcome = transport.send(body, Duration::from_millis(500)).await;
    assert_eq!(counts.recv().await, Some(length));
    assert!(
        outcome
            .to_string()
            .starts_with("timeout: the answer's head came (200), but its body did not end"),
        "{outcome}"
    );
}

/// The request's head as a receiver reads it off the wire: the headers named as awork's .NET
/// client names them, the auth header in the case it was given (a receiver that looks it up
/// case-sensitively, as PHP's `getallheaders()` does, finds it).
#[tokio::test]
async fn the_request_head_names_its_headers_in_their_usual_case_and_the_auth_header_as_given() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let receiving = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        while !received.windows(4).any(|window| window == b"\r\n\r\n") {
            let read = stream.read(&mut chunk).await.unwrap();
            assert!(read > 0, "closed before the head");
            received.extend_from_slice(&chunk[..read]);
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8(received).unwrap()
    });
    let config = WebhookConfig::new(&format!("http://{address}/hook"))
        .unwrap()
        .with_auth(awork_delivery::AuthHeader::parse("X-Awork-Token: s3cret").unwrap());
    let transport = HttpTransport::new(&config).unwrap();
    let outcome = transport
        .send(Bytes::from_static(b"{}"), Duration::from_secs(5))
        .await;
    assert!(outcome.is_success(), "{outcome:?}");
    let received = receiving.await.unwrap();
    let head = received.split("\r\n\r\n").next().unwrap();
    assert_eq!(
        head.lines().collect::<Vec<_>>(),
        [
            "POST /hook HTTP/1.1".to_owned(),
            format!("Host: {address}"),
            "Content-Type: application/json".to_owned(),
            format!("User-Agent: {}", awork_delivery::USER_AGENT),
            "X-Awork-Token: s3cret".to_owned(),
            "Content-Length: 2".to_owned(),
        ]
    );
}
