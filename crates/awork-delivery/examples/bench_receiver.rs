//! A bare, fast HTTP/1.1 receiver for `cargo xtask bench`: one separate process that answers
//! `200` with an empty body to every request, after reading the request's body whole. `wrk` and
//! `awork-sim send` post to the same one, so neither is measured against a receiver of its own.
//!
//! Run: `cargo run --release -p awork-delivery --example bench_receiver`. It listens on
//! 127.0.0.1 on a free port, prints its URL (`http://127.0.0.1:PORT/hook`) as the first line of
//! stdout, and serves until its stdin ends (so it ends with the bench that started it), then
//! prints `received N` and exits. It records nothing, prints nothing per request and checks
//! nothing: any cost of its own would be measured as the sender's.

use std::convert::Infallible;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let received = Arc::new(AtomicU64::new(0));
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "http://{}/hook", listener.local_addr()?)?;
    stdout.flush()?;
    let counted = Arc::clone(&received);
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _nodelay = stream.set_nodelay(true);
            let counted = Arc::clone(&counted);
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let counted = Arc::clone(&counted);
                    async move {
                        let _body = request.into_body().collect().await;
                        counted.fetch_add(1, Ordering::Relaxed);
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                    }
                });
                let _closed = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    // Serve until stdin ends: whatever is read is ignored.
    let mut sink = Vec::new();
    std::io::stdin().lock().read_to_end(&mut sink)?;
    writeln!(stdout, "received {}", received.load(Ordering::Relaxed))?;
    Ok(())
}
