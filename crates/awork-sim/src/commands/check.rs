//! `awork-sim check`: runs the conformance suite against a receiver and reports, as text or JSON on
//! stdout and optionally as JUnit XML in a file.
//!
//! Every option is resolved, and the JUnit file prepared ([`ReportFile`]: checked, nothing written
//! to it yet), before anything is sent. The suite itself is `awork_conformance`'s; this module only
//! configures it and writes its report. SIGINT or SIGTERM abandons the suite: no report, the JUnit
//! path left as it was, exit 130 or 143.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use awork_conformance::{CaseId, CheckConfig, DEFAULT_BURST, Report};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Outcome;
use crate::auth::AuthArgs;
use crate::generated::NamingArg;
use crate::open_files::make_room_for_connections;
use crate::policy::positive_timeout;
use crate::report_file::ReportFile;
use crate::signals::Signals;

/// Arguments of `awork-sim check`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("auth_header", |arg| arg.help(crate::auth::help("the header the receiver requires: the check sends it with every event, and tries calls without it and with a wrong value"))))]
pub struct Args {
    /// The receiver's URL (http or https).
    #[arg(long, value_name = "URL")]
    url: String,
    #[command(flatten)]
    auth: AuthArgs,
    /// How long each answer may take (`30s`, `250ms`). Default 30s, as awork.
    #[arg(long, value_name = "D")]
    timeout: Option<String>,
    /// How many events `accepts-burst` sends at once. Default 50.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    burst: Option<u32>,
    /// Run only this case (repeatable).
    #[arg(long, value_name = "ID")]
    only: Vec<CaseId>,
    /// Do not run this case (repeatable).
    #[arg(long, value_name = "ID")]
    skip: Vec<CaseId>,
    /// The report on stdout: `text` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a JUnit XML report to this file, for CI systems.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write the body of every request that failed its case to this directory, one JSON file
    /// each, to replay with `awork-sim send --url URL DIR/FILE`.
    #[arg(long, value_name = "DIR")]
    save_failed: Option<PathBuf>,
    /// The seed of the events; the same seed sends the same bytes. Default 1.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// The event names the cases send: `api` (what awork's webhooks carry), or the `spec`'s or
    /// the `docs`' spellings for a team that sees those on its wire; `accepts-other-spellings`
    /// sends the other families.
    #[arg(long, value_enum, value_name = "NAMING", default_value_t = NamingArg::Api)]
    naming: NamingArg,
    /// Accept any TLS certificate (for local https receivers).
    #[arg(long)]
    insecure: bool,
}

/// The formats of the report on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per case, then what failed and how to fix it.
    Text,
    /// `{"url", "passed", "causes": [...], "cases": [...]}`.
    Json,
}

/// A resolved `check`: the suite's configuration and where the reports go.
pub struct Config {
    check: CheckConfig,
    /// How many cases send requests.
    sending: usize,
    format: Format,
    junit: Option<ReportFile>,
    save_failed: Option<PathBuf>,
}

impl Args {
    /// Resolves and checks every option, and prepares the JUnit file: any problem is an error
    /// naming it, before anything is sent.
    pub fn resolve(self) -> anyhow::Result<Config> {
        let mut check = CheckConfig::new(&self.url)?;
        if let Some((auth, source)) = self.auth.resolve_with_source()? {
            check = check.with_auth(auth).with_auth_source(source);
        }
        if let Some(text) = &self.timeout {
            check = check.with_timeout(positive_timeout(text)?);
        }
        if let Some(burst) = self.burst {
            check = check.with_burst(burst as usize)?;
        }
        if let Some(seed) = self.seed {
            check = check.with_seed(seed);
        }
        check = check
            .with_naming(self.naming.into())
            .with_insecure(self.insecure)
            .only(self.only)
            .skip(self.skip);
        let sending = check.sending_cases()?.len();
        make_room_for_connections(
            "check",
            "--burst",
            self.burst.map_or(DEFAULT_BURST as u64, u64::from),
            check.most_connections() as u64,
        )?;
        let junit = self.junit.as_deref().map(ReportFile::prepare).transpose()?;
        if let Some(directory) = &self.save_failed {
            std::fs::create_dir_all(directory)
                .with_context(|| format!("{}: cannot create", directory.display()))?;
        }
        Ok(Config {
            check,
            sending,
            format: self.format,
            junit,
            save_failed: self.save_failed,
        })
    }
}

/// Runs the suite and writes its reports. Failures when a `must` case failed.
pub fn run(config: Config, signals: &Signals, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // A spinner naming the case being sent, on a terminal only; it is cleared before the report.
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("a valid template"),
    );
    let sending = config.sending;
    let mut started = 0;
    let suite = config.check.run_with_progress(|case| {
        started += 1;
        spinner.set_message(format!("{case} ({started} of at most {sending})"));
        spinner.enable_steady_tick(Duration::from_millis(120));
    });
    // A signal abandons the suite (the requests on the wire with it): a partial run says nothing
    // about the receiver, so there is no report, and the JUnit path is left as it was (dropping
    // the prepared file removes only the file of the run's own).
    let report = runtime.block_on(async {
        tokio::select! {
            report = suite => Ok(report),
            signal = signals.first() => Err(signal),
        }
    });
    spinner.finish_and_clear();
    let report = match report {
        Ok(report) => report?,
        Err(signal) => {
            eprintln!(
                "check: stopped by {} before the suite ended; no report",
                signal.name()
            );
            return Ok(Outcome::Stopped(signal));
        }
    };
    let outcome = if report.passed {
        Outcome::Success
    } else {
        Outcome::Failures
    };
    // The suite ran: from here on, a report that cannot be written is said and fails the run,
    // but it is not bad input, and the other reports are still written.
    let outcome = outcome.reported(|| match config.junit {
        Some(junit) => junit.write(report.to_junit().as_bytes()),
        None => Ok(()),
    });
    let outcome = outcome.reported(|| match &config.save_failed {
        Some(directory) => save_failed(&report, directory),
        None => Ok(()),
    });
    Ok(outcome.reported(|| {
        match config.format {
            Format::Text => out.write_all(report.to_text().as_bytes())?,
            Format::Json => writeln!(out, "{}", report.to_json())?,
        }
        Ok(out.flush()?)
    }))
}

/// Writes the body of every failed request to `directory`, byte for byte, and says so on stderr
/// (stdout holds only the report).
fn save_failed(report: &Report, directory: &Path) -> anyhow::Result<()> {
    let mut first = None;
    let mut count = 0;
    for (index, request) in report.failed_requests().enumerate() {
        let path = directory.join(format!(
            "{:03}-{}-{}.json",
            index + 1,
            request.case,
            request.event_type
        ));
        std::fs::write(&path, &request.body)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        first.get_or_insert(path);
        count += 1;
    }
    if let Some(path) = first {
        eprintln!(
            "wrote the bodies of {count} failed requests to {}; replay one with: awork-sim send --url {} {}",
            directory.display(),
            report.url,
            path.display()
        );
    }
    Ok(())
}
