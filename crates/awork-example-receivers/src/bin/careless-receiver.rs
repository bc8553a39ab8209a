//! `careless-receiver`: an example receiver of awork webhooks that makes one classic mistake
//! (`--mistake`), for the conformance suite to catch.
//!
//! Prints `listening on http://127.0.0.1:PORT/webhooks/awork` once it accepts requests, then a line
//! per request on stderr; Ctrl-C stops it.

use anyhow::Context as _;
use awork_example_receivers::Mistake;
use awork_example_receivers::cli::{self, ServeArgs};
use clap::Parser;

/// Serves POST /webhooks/awork on 127.0.0.1 like the correct receiver, but with one mistake.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The mistake to make.
    #[arg(long, value_enum)]
    mistake: Mistake,
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    eprintln!("careless receiver: {}", args.mistake.describe());
    cli::serve(Some(args.mistake), &args.serve)
        .await
        .context("careless-receiver failed")
}
