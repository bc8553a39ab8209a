//! A receiver with a small accept queue, as Python's `http.server` has (5): the real client opens
//! many connections at once to a bare receiver on 127.0.0.1 that takes them off the queue one at a
//! time, a little slowly, and serves each on a thread of its own. Every request is answered well
//! within a timeout shorter than the second the kernel waits before it sends a dropped SYN again:
//! the client does not leave its connections to that timer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use awork_delivery::{AttemptOutcome, HttpTransport, Transport, WebhookConfig};
use bytes::Bytes;
use tokio::net::TcpSocket;
use tokio::task::JoinSet;

/// The accept queue `socketserver.TCPServer` asks for (`request_queue_size`).
const PYTHON_ACCEPT_QUEUE: u32 = 5;

/// How long the receiver takes between two accepts: Python starting a thread for a connection.
const ACCEPT_WORK: Duration = Duration::from_millis(2);

/// How many requests are sent at once.
const AT_ONCE: usize = 30;

/// Shorter than the kernel's SYN timer (1 s), long enough for the receiver to accept every
/// connection one by one (`AT_ONCE` × `ACCEPT_WORK` = 60 ms) several times over.
const TIMEOUT: Duration = Duration::from_millis(700);

/// Starts the receiver on a thread; returns its address.
fn start_receiver() -> SocketAddr {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(PYTHON_ACCEPT_QUEUE).unwrap();
    let listener = listener.into_std().unwrap();
    listener.set_nonblocking(false).unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            thread::sleep(ACCEPT_WORK);
            thread::spawn(move || serve(stream));
        }
    });
    address
}

/// Answers `200` to each request of a connection until the client closes it.
fn serve(stream: TcpStream) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err()
            || writer
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .is_err()
        {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_connections_at_once_to_a_small_accept_queue_are_all_answered_in_time() {
    let address = start_receiver();
    let config = WebhookConfig::new(&format!("http://{address}/hook")).unwrap();
    let transport = Arc::new(HttpTransport::new(&config).unwrap());
    let mut sends = JoinSet::new();
    for index in 0..AT_ONCE {
        let transport = Arc::clone(&transport);
        sends.spawn(async move {
            let body = Bytes::from(format!(r#"{{"index":{index}}}"#));
            transport.send(body, TIMEOUT).await
        });
    }
    let outcomes = sends.join_all().await;
    let answered = outcomes
        .iter()
        .filter(|outcome| **outcome == AttemptOutcome::status(200))
        .count();
    assert_eq!(answered, AT_ONCE, "{outcomes:?}");
}
