//! `awork-sim env`: prints the shell exports that point unchanged HTTPS clients at the running
//! `serve` of a data folder: `HTTPS_PROXY` at its plain port (which answers for `api.awork.com`
//! only), `NO_PROXY` for loopback, and the local CA for OpenSSL, Python, curl and Node.
//!
//! `serve` writes where it listens in its data folder, and its process; this module reads it,
//! checks that the process still runs and that something listens there, and prints `awork_tls::client_env`'s exports for the shell asked for.

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use awork_tls::client_env::{ClientEnvironment, SERVE_INFO_FILE, ServeInfo, Shell, sh_word};

use super::Outcome;

/// How long `env` waits for the plain port to accept a connection before it calls it closed.
const LISTENING_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// The shells `--shell` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellArg {
    /// sh, bash, zsh: `eval "$(awork-sim env)"`.
    #[value(alias = "bash", alias = "zsh", alias = "dash", alias = "ksh")]
    Sh,
    /// fish: `awork-sim env --shell fish | source`.
    Fish,
    /// PowerShell: `awork-sim env --shell powershell | Out-String | Invoke-Expression`.
    #[value(alias = "pwsh")]
    Powershell,
}

/// Arguments of `awork-sim env`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The data folder of the running `awork-sim serve` (its `--data`).
    // The same default as `serve --data`; a test compares the two helps.
    #[arg(long, value_name = "DIR", default_value = ".awork-sim")]
    data: PathBuf,
    /// The shell the exports are written for.
    #[arg(long, value_enum, value_name = "SHELL", default_value_t = ShellArg::Sh)]
    shell: ShellArg,
}

/// Prints the exports for the `serve` running on `args.data`; a data folder where `serve` is not
/// running is an error that says how to start it.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let data = args.data.display();
    let start = format!(
        "start it with `awork-sim serve --data {}`",
        sh_word(&data.to_string())
    );
    let Some(info) = ServeInfo::read(&args.data)? else {
        bail!("awork-sim serve is not running on --data {data}: {start}");
    };
    if let Some(pid) = info.pid
        && !is_running(pid)
    {
        bail!(
            "awork-sim serve is not running on --data {data}: the serve that wrote \
             {SERVE_INFO_FILE} there (process {pid}) has ended; {start}"
        );
    }
    let address = info.local_address();
    if TcpStream::connect_timeout(&address, LISTENING_CHECK_TIMEOUT).is_err() {
        bail!(
            "awork-sim serve is not running on --data {data}: nothing listens at {address}, \
             where it last did; {start}"
        );
    }
    let shell = match args.shell {
        ShellArg::Sh => Shell::Sh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let exports = ClientEnvironment::new(&args.data, &info)?.render(shell);
    out.write_all(exports.as_bytes())?;
    Ok(Outcome::Success)
}

/// Whether process `pid` runs (one this user may not signal runs too).
#[cfg(unix)]
fn is_running(pid: u32) -> bool {
    use rustix::process::{Pid, test_kill_process};
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return false;
    };
    test_kill_process(pid) != Err(rustix::io::Errno::SRCH)
}

/// Where a process cannot be asked about, it is taken to run: the port check still applies.
#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}
