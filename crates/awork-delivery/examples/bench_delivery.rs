//! Measures the engine's overhead: a bare hyper client loop against the engine (attempt log on,
//! written to a temp file), both POSTing the same bytes to a local receiver that answers 200.
//!
//! Run: `cargo run --release -p awork-delivery --example bench_delivery -- [--events N]`.
//! It is a measurement, not a test: it prints a table and checks nothing but delivery counts.

use std::convert::Infallible;
use std::fs::File;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use awork_delivery::{Event, JsonLinesWriter, Webhook, WebhookConfig};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

const BODY: &str = r#"{"type":"task_created","entity":{"id":"5b9c1c52-1f3b-4b7c-9c1e-0d2f3a4b5c6d","name":"Write the quarterly report","isPrio":false,"taskStatusId":"0d8c1b7e-7a3c-4f6e-9a0b-2c3d4e5f6a7b"}}"#;

fn main() -> anyhow::Result<()> {
    let events = parse_events()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(events))
}

fn parse_events() -> anyhow::Result<usize> {
    let mut args = std::env::args().skip(1);
    let mut events = 50_000;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => {
                events = args
                    .next()
                    .context("--events needs a number")?
                    .parse()
                    .context("--events needs a number")?;
            }
            other => bail!("unknown argument `{other}` (usage: bench_delivery [--events N])"),
        }
    }
    Ok(events)
}

async fn run(events: usize) -> anyhow::Result<()> {
    let addr = start_receiver().await?;
    let url = format!("http://{addr}/hook");
    let body = Bytes::from_static(BODY.as_bytes());
    let dir = std::env::temp_dir().join(format!("bench-delivery-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    println!("{events} events of {} bytes to {url}", body.len());
    println!(
        "{:<12} {:>11} {:>13} {:>14} {:>12}",
        "concurrency", "bare/s", "engine/s", "engine/bare", "log lines"
    );
    for concurrency in [1, 64] {
        let bare = bare_loop(&url, &body, events, concurrency).await?;
        let log_path = dir.join(format!("attempts-{concurrency}.jsonl"));
        let engine = engine_run(&url, &body, events, concurrency, &log_path).await?;
        let lines = std::fs::read_to_string(&log_path)?.lines().count();
        println!(
            "{concurrency:<12} {:>11.0} {:>13.0} {:>14.2} {lines:>12}",
            rate(events, bare),
            rate(events, engine),
            bare.as_secs_f64() / engine.as_secs_f64(),
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn rate(events: usize, took: Duration) -> f64 {
    events as f64 / took.as_secs_f64()
}

async fn start_receiver() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _nodelay = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|request: Request<hyper::body::Incoming>| async move {
                    let _body = request.into_body().collect().await;
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                });
                let _closed = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

async fn bare_loop(
    url: &str,
    body: &Bytes,
    events: usize,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let uri: hyper::Uri = url.parse()?;
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, uri, body, next) = (client.clone(), uri.clone(), body.clone(), next.clone());
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < events {
                let request = Request::post(uri.clone())
                    .header("content-type", "application/json")
                    .body(Full::new(body.clone()))?;
                let response = client.request(request).await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "status {}",
                    response.status()
                );
                response.into_body().collect().await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(worker) = workers.join_next().await {
        worker??;
    }
    Ok(start.elapsed())
}

async fn engine_run(
    url: &str,
    body: &Bytes,
    events: usize,
    concurrency: usize,
    log_path: &std::path::Path,
) -> anyhow::Result<Duration> {
    let config = WebhookConfig::new(url)?.with_concurrency(concurrency);
    let mut webhook = Webhook::new(config)?;
    let mut log = JsonLinesWriter::new(File::create(log_path)?);
    let stream = (0..events).map(|_| Event::new("task_created", body.clone()));
    let start = Instant::now();
    let run = webhook.deliver(stream, &mut log).await;
    log.finish()?;
    let took = start.elapsed();
    anyhow::ensure!(
        run.report.delivered == events as u64,
        "delivered {} of {events}",
        run.report.delivered
    );
    Ok(took)
}
