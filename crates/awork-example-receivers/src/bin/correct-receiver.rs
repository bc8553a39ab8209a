//! `correct-receiver`: the example receiver of awork webhooks that does everything right, for the
//! conformance suite to pass against and for people to copy.
//!
//! Prints `listening on http://127.0.0.1:PORT/webhooks/awork` once it accepts requests, then a line
//! per request on stderr; Ctrl-C stops it.

use anyhow::Context as _;
use awork_example_receivers::cli::{self, ServeArgs};
use clap::Parser;

/// Serves POST /webhooks/awork on 127.0.0.1 the way a receiver of awork webhooks should.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    cli::serve(None, &args.serve)
        .await
        .context("correct-receiver failed")
}
