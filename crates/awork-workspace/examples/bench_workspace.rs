//! Memory of a workspace under load: 10 webhooks subscribed to every event type, 100,000 events
//! made through `POST /sim/events` and delivered to a local receiver that answers 200, so a
//! million deliveries, each one recorded in the SQLite store.
//!
//! Run: `cargo run --release -p awork-workspace --example bench_workspace -- [--events N]
//! [--webhooks W]`. It prints the process's peak resident memory (`VmHWM`, Linux) after a tenth
//! of the events and at the end: flat memory means the two are about the same. The server, the
//! receiver and this client share the process, so the figure is an upper bound for the server.
//! It is a measurement, not a test: it checks only that every delivery happened.

use std::time::{Duration, Instant};

use awork_delivery::receiver::{Behaviour, Receiver};
use awork_models::{EventType, Naming};
use awork_workspace::{Config, Server};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// Events per `POST /sim/events`.
const CHUNK: u64 = 1_000;
/// The producer waits while more deliveries than this are queued, so the outbox stays small.
const QUEUED: u64 = 20_000;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Failure> {
    let mut events = 100_000u64;
    let mut webhooks = 10u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value: u64 = args
            .next()
            .and_then(|value| value.parse().ok())
            .ok_or(format!("{arg} needs a number"))?;
        match arg.as_str() {
            "--events" => events = value.max(CHUNK),
            "--webhooks" => webhooks = value.max(1),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(events, webhooks))
}

/// The peak resident memory of this process, in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: &Value) -> Result<Value, Failure> {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", "Bearer bench")
            .body(Full::new(Bytes::from(body.to_string())))?;
        let response = self.client.request(request).await?;
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Deliveries done, and deliveries queued.
    async fn counts(&self) -> Result<(u64, u64), Failure> {
        let status = self.call("GET", "/sim/status", &Value::Null).await?;
        let mut delivered = 0;
        let mut pending = 0;
        for webhook in status["webhooks"].as_array().into_iter().flatten() {
            delivered += webhook["delivered"].as_u64().unwrap_or(0);
            pending += webhook["pending"].as_u64().unwrap_or(0);
        }
        Ok((delivered, pending))
    }
}

async fn run(events: u64, webhooks: u64) -> Result<(), Failure> {
    let receiver = Receiver::builder(Behaviour::status(200))
        .record(false)
        .bind("127.0.0.1:0".parse()?)
        .await?;
    let data = std::env::temp_dir().join(format!("awork-workspace-bench-{}", std::process::id()));
    let server = Server::bind(Config::new(data.clone()), "127.0.0.1:0".parse()?).await?;
    let api = Api {
        client: Client::builder(TokioExecutor::new()).build_http(),
        base: format!("http://{}", server.local_addr()),
    };
    tokio::spawn(server.run(std::future::pending()));
    let all: Vec<&str> = EventType::API
        .iter()
        .map(|event| event.name(Naming::Api))
        .collect();
    for index in 0..webhooks {
        let form = json!({"name": format!("bench {index}"), "uri": format!("{}?webhook={index}", receiver.url()),
            "events": all.join(","), "isActive": true, "authenticationType": "none"});
        api.call("POST", "/api/v1/webhooks", &form).await?;
    }
    let started = Instant::now();
    let mut made = 0;
    let mut early = None;
    while made < events {
        let count = CHUNK.min(events - made);
        api.call("POST", "/sim/events", &json!({"count": count}))
            .await?;
        made += count;
        while api.counts().await?.1 > QUEUED {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if early.is_none() && made >= events / 10 {
            early = Some(peak_mib());
        }
    }
    let total = events * webhooks;
    while api.counts().await?.0 < total {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{events} events to {webhooks} webhooks: {total} deliveries in {elapsed:.1} s ({:.0}/s)",
        total as f64 / elapsed
    );
    println!(
        "peak resident memory: {:.1} MiB after {} events, {:.1} MiB after {events}",
        early.unwrap_or(f64::NAN),
        events / 10,
        peak_mib()
    );
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}
