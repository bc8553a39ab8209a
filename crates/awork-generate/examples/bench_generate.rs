//! Throughput of the generator: events generated and serialized per second, beside the rate of
//! serializing one fixed event with serde_json in the same run (the baseline: what serialization
//! alone costs). Run by `cargo xtask bench`; `--events N` sets the count.
//!
//! The fixed event is awork's own documented example (`fixtures/awork-docs-example.json`), which
//! `cargo xtask fixtures` never rewrites, so the baseline stays the same when the generator
//! changes and ratios from different versions compare.

use std::hint::black_box;
use std::time::{Duration, Instant};

use awork_generate::{Generator, GeneratorConfig};

/// The allocator of the `awork-sim` binary, so the bench measures generation as `awork-sim
/// generate` runs it. (With the system allocator, the ratio below is 0.33 to 0.36.)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let events: usize = std::env::args()
        .skip_while(|arg| arg != "--events")
        .nth(1)
        .map_or(200_000, |count| {
            count.parse().expect("--events takes a number")
        });
    let fixed: serde_json::Value =
        serde_json::from_str(include_str!("../../../fixtures/awork-docs-example.json"))
            .expect("awork's example is JSON");
    let mut buffer = Vec::with_capacity(16 * 1024);

    // Warm up both paths, then alternate measurements so that both see the same machine state.
    let mut generator = Generator::new(GeneratorConfig::default());
    let (mut generate_time, mut baseline_time, mut generated_bytes, mut baseline_bytes) =
        (Duration::ZERO, Duration::ZERO, 0, 0);
    for _ in 0..1000 {
        serde_json::to_writer(&mut buffer, &generator.next_event()).expect("serializes");
        buffer.clear();
    }
    let rounds = 10;
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..events / rounds {
            serde_json::to_writer(&mut buffer, &generator.next_event()).expect("serializes");
            generated_bytes += buffer.len();
            buffer.clear();
        }
        generate_time += start.elapsed();
        let start = Instant::now();
        for _ in 0..events / rounds {
            serde_json::to_writer(&mut buffer, black_box(&fixed)).expect("serializes");
            baseline_bytes += buffer.len();
            buffer.clear();
        }
        baseline_time += start.elapsed();
    }
    let per_second = |time: Duration| events as f64 / time.as_secs_f64();
    let (generate_rate, baseline_rate) = (per_second(generate_time), per_second(baseline_time));
    // The default config: the API's 35 event types, as `awork-sim generate` makes them.
    println!("generation ({events} events, seed 1, the API's 35 types)");
    println!(
        "  {:<44} {:>12.0} events/s  {:>6.0} B/event",
        "generate + serialize (awork-generate)",
        generate_rate,
        generated_bytes as f64 / events as f64
    );
    println!(
        "  {:<44} {:>12.0} events/s  {:>6.0} B/event",
        "baseline: serde_json of one fixed event",
        baseline_rate,
        baseline_bytes as f64 / events as f64
    );
    println!(
        "  ratio generate/baseline: {:.2}",
        generate_rate / baseline_rate
    );
}
