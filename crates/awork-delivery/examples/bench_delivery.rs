//! Measures the engine's overhead in-process (`cargo xtask bench --in-process`; the end-to-end
//! figures of the binary are `cargo xtask bench`'s own): the engine (attempt log on, written to a
//! temp file) beside a bare hyper-util client loop, both POSTing the same bytes to the same local
//! receiver that answers 200, at concurrency 1 and 64. (`wrk` is the end-to-end bench's baseline.)
//!
//! Run: `cargo run --release -p awork-delivery --example bench_delivery -- [--events N]
//! [--rounds R]`. It is a measurement, not a test: it prints a table and checks
//! nothing but delivery counts.
//!
//! The machine is shared and its load changes from second to second, so the contenders run in
//! `R` rounds, back to back within a round (in alternating order), and ratios are taken within a
//! round, where the load was about the same for all: the table shows the round with the median
//! engine/bare ratio, and the ratio of every round below it. The bare loop and the engine use the same client settings
//! (hyper-util's pooled client, HTTP/1.1, `TCP_NODELAY`) and run as tasks of the same runtime.

use std::convert::Infallible;
use std::fs::File;
use std::net::SocketAddr;
use std::path::Path;
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

/// What the command line asks for.
struct Options {
    events: usize,
    rounds: usize,
}

fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(&options))
}

fn parse_options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        events: 50_000,
        rounds: 5,
    };
    let usage = "usage: bench_delivery [--events N] [--rounds R]";
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> anyhow::Result<u64> {
            let value = args
                .next()
                .with_context(|| format!("{name} needs a number"))?;
            let value: u64 = value
                .parse()
                .with_context(|| format!("{name} needs a number"))?;
            anyhow::ensure!(value > 0, "{name} must be at least 1");
            Ok(value)
        };
        match arg.as_str() {
            "--events" => options.events = usize::try_from(number("--events")?)?,
            "--rounds" => options.rounds = usize::try_from(number("--rounds")?)?,
            other => bail!("unknown argument `{other}` ({usage})"),
        }
    }
    Ok(options)
}

async fn run(options: &Options) -> anyhow::Result<()> {
    let addr = start_receiver().await?;
    let url = format!("http://{addr}/hook");
    let body = Bytes::from_static(BODY.as_bytes());
    let dir = std::env::temp_dir().join(format!("bench-delivery-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    println!(
        "{} events of {} bytes to {url}, the median of {} rounds",
        options.events,
        body.len(),
        options.rounds,
    );
    println!(
        "{:<12} {:>10} {:>10} {:>12}",
        "concurrency", "bare/s", "engine/s", "engine/bare"
    );
    for concurrency in [1, 64] {
        let log_path = dir.join(format!("attempts-{concurrency}.jsonl"));
        let mut rounds = Vec::with_capacity(options.rounds);
        for round in 0..options.rounds {
            // Alternate who goes first, so a trend in the load favours neither.
            let mut bare = None;
            if round % 2 == 0 {
                bare = Some(bare_loop(&url, &body, options.events, concurrency).await?);
            }
            let engine = engine_run(&url, &body, options.events, concurrency, &log_path).await?;
            let lines = std::fs::read_to_string(&log_path)?.lines().count();
            anyhow::ensure!(lines == options.events, "the attempt log has {lines} lines");
            let bare = match bare {
                Some(bare) => bare,
                None => bare_loop(&url, &body, options.events, concurrency).await?,
            };
            rounds.push(Round {
                bare: rate(options.events, bare),
                engine: rate(options.events, engine),
            });
        }
        // The round with the median engine/bare ratio, whole, so that every figure in the line
        // comes from the same few seconds.
        rounds.sort_by(|a, b| (a.engine / a.bare).total_cmp(&(b.engine / b.bare)));
        let Round { bare, engine } = rounds[(rounds.len() - 1) / 2];
        println!(
            "{concurrency:<12} {bare:>10.0} {engine:>10.0} {:>12.2}",
            engine / bare,
        );
        let ratios: Vec<String> = rounds
            .iter()
            .map(|round| format!("{:.2}", round.engine / round.bare))
            .collect();
        println!(
            "{:<12} engine/bare of every round: {}",
            "",
            ratios.join(" ")
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The rates (per second) one round measured.
#[derive(Clone, Copy)]
struct Round {
    bare: f64,
    engine: f64,
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
    log_path: &Path,
) -> anyhow::Result<Duration> {
    let config = WebhookConfig::new(url)?.with_concurrency(concurrency);
    let mut webhook = Webhook::new(config)?;
    let mut log = JsonLinesWriter::new(File::create(log_path)?);
    let body = body.clone();
    let stream = (0..events).map(move |_| Event::new("task_created", body.clone()));
    // A task of the runtime, like the bare loop's workers, rather than the thread blocked on it.
    let delivery = tokio::spawn(async move {
        let start = Instant::now();
        let run = webhook.deliver(stream, &mut log).await;
        let flushed = log.finish();
        (start.elapsed(), run, flushed)
    });
    let (took, run, flushed) = delivery.await?;
    flushed?;
    anyhow::ensure!(
        run.report.delivered == events as u64,
        "delivered {} of {events}",
        run.report.delivered
    );
    Ok(took)
}
