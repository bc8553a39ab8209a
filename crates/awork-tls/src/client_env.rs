//! What points an unchanged client at the running workspace: the serve info file `serve` writes in
//! its data folder when it listens ([`ServeInfo`]), and the exports `awork-sim env` prints from it
//! ([`ClientEnvironment`]) for a shell ([`Shell`]).
//!
//! The exports send HTTPS through the workspace's plain port as a proxy (`HTTPS_PROXY`; it answers
//! only for `api.awork.com`), keep loopback direct (`NO_PROXY`, so an integration still reaches
//! its own local receiver), and make the local CA trusted: the trust bundle (the platform's roots,
//! then the CA) for OpenSSL, Python and curl, the CA alone for Node, which adds it to its own roots.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ca::{CA_CERTIFICATE_FILE, TRUST_BUNDLE_FILE};
use crate::{Error, io_error, write_file};

/// The serve info file in the data folder.
pub const SERVE_INFO_FILE: &str = "serve.json";

/// The hosts clients reach directly, never through the proxy.
pub const NO_PROXY: &str = "localhost,127.0.0.1,::1";

/// Where a running `serve` listens, as it writes it in its data folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServeInfo {
    /// The plain port: awork's API over HTTP, and the proxy for `api.awork.com`.
    pub address: SocketAddr,
    /// The TLS port (awork's API over HTTPS with the local certificate), if `serve` has one.
    pub tls_address: Option<SocketAddr>,
    /// The process of the `serve` that wrote the file (absent from older versions' files): a
    /// file left by a `serve` that was killed names a process that has ended, even when another
    /// `serve` now listens on the same port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

impl ServeInfo {
    /// The file's path in `data_dir`.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(SERVE_INFO_FILE)
    }

    /// Writes the file in `data_dir` (whole or not at all: a reader never sees half of it).
    pub fn write(&self, data_dir: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).expect("addresses serialize");
        text.push('\n');
        write_file(&Self::path(data_dir), text.as_bytes(), false)
    }

    /// Reads the file of `data_dir`; `None` when there is none (`serve` is not running there).
    pub fn read(data_dir: &Path) -> Result<Option<ServeInfo>, Error> {
        let path = Self::path(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error(&path, "read")(error)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| Error::Damaged {
                path,
                problem: format!("not a serve info file ({error}); start `awork-sim serve` again"),
            })
    }

    /// Removes the file of `data_dir`, when `serve` stops; a missing file is not an error.
    pub fn remove(data_dir: &Path) -> Result<(), Error> {
        let path = Self::path(data_dir);
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error(&path, "remove")(error))
            }
            Ok(()) | Err(_) => Ok(()),
        }
    }

    /// The address a client on this machine connects to for the plain port: loopback when `serve`
    /// listens on every address (`0.0.0.0`, `::`).
    pub fn local_address(&self) -> SocketAddr {
        let ip = match self.address.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        SocketAddr::new(ip, self.address.port())
    }

    /// The proxy URL clients are given: `http://` and [`ServeInfo::local_address`].
    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.local_address())
    }
}

/// `text` as a word to paste into a POSIX shell: as it is when that is safe, else quoted (as
/// [`Shell::quote`] quotes), for the commands serve and env print.
pub fn sh_word(text: &str) -> String {
    let plain =
        |character: char| character.is_ascii_alphanumeric() || "._/-+=:,@".contains(character);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        Shell::Sh.quote(text)
    }
}

/// A shell the exports are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// POSIX shells (sh, bash, zsh): `export NAME='value'`.
    Sh,
    /// fish: `set -gx NAME 'value'`.
    Fish,
    /// PowerShell: `$env:NAME = 'value'`.
    PowerShell,
}

impl Shell {
    /// How the printed exports are applied in this shell.
    pub fn apply_hint(self, data_dir: &str) -> String {
        let data = self.quote(data_dir);
        match self {
            Shell::Sh => format!("eval \"$(awork-sim env --data {data})\""),
            Shell::Fish => format!("awork-sim env --shell fish --data {data} | source"),
            Shell::PowerShell => format!(
                "awork-sim env --shell powershell --data {data} | Out-String | Invoke-Expression"
            ),
        }
    }

    /// `value` as one literal word of this shell: single quotes, with the quotes (and for fish the
    /// backslashes) inside escaped, so that spaces, `$`, `;` and newlines stay text.
    pub fn quote(self, value: &str) -> String {
        let mut quoted = String::with_capacity(value.len() + 2);
        quoted.push('\'');
        for character in value.chars() {
            match (self, character) {
                (Shell::Sh, '\'') => quoted.push_str("'\\''"),
                (Shell::Fish, '\'' | '\\') => {
                    quoted.push('\\');
                    quoted.push(character);
                }
                // PowerShell ends a single-quoted string at any of its four single quotes, and
                // reads each one doubled as itself.
                (Shell::PowerShell, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') => {
                    quoted.push(character);
                    quoted.push(character);
                }
                _ => quoted.push(character),
            }
        }
        quoted.push('\'');
        quoted
    }

    /// The line that sets the environment variable `name` (a plain identifier) to `value`.
    fn assignment(self, name: &str, value: &str) -> String {
        let value = self.quote(value);
        match self {
            Shell::Sh => format!("export {name}={value}"),
            Shell::Fish => format!("set -gx {name} {value}"),
            Shell::PowerShell => format!("$env:{name} = {value}"),
        }
    }
}

/// The environment that points unchanged clients at a running workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnvironment {
    /// The workspace's folder, absolute: the hint to apply the exports names it.
    data_dir: String,
    proxy_url: String,
    ca_certificate: String,
    trust_bundle: String,
}

impl ClientEnvironment {
    /// The environment for the workspace of `data_dir` that `info` describes; the files are named
    /// by absolute paths, so that the exports work from any folder.
    pub fn new(data_dir: &Path, info: &ServeInfo) -> Result<ClientEnvironment, Error> {
        let data_dir = std::path::absolute(data_dir).map_err(io_error(data_dir, "resolve"))?;
        let Some(data_text) = data_dir.to_str().map(str::to_owned) else {
            return Err(Error::Damaged {
                problem: "not UTF-8, so it cannot be written in an export: use a --data folder \
                          with a UTF-8 path"
                    .to_owned(),
                path: data_dir,
            });
        };
        // UTF-8, as the folder's path is.
        let text = |file: &str| data_dir.join(file).to_string_lossy().into_owned();
        Ok(ClientEnvironment {
            data_dir: data_text,
            proxy_url: info.proxy_url(),
            ca_certificate: text(CA_CERTIFICATE_FILE),
            trust_bundle: text(TRUST_BUNDLE_FILE),
        })
    }

    /// The variables and their values, in the order they are printed.
    pub fn variables(&self) -> [(&'static str, &str); 9] {
        [
            ("HTTPS_PROXY", &self.proxy_url),
            ("https_proxy", &self.proxy_url),
            ("NO_PROXY", NO_PROXY),
            ("no_proxy", NO_PROXY),
            ("SSL_CERT_FILE", &self.trust_bundle),
            ("REQUESTS_CA_BUNDLE", &self.trust_bundle),
            ("CURL_CA_BUNDLE", &self.trust_bundle),
            ("NODE_EXTRA_CA_CERTS", &self.ca_certificate),
            ("NODE_USE_ENV_PROXY", "1"),
        ]
    }

    /// The exports for `shell`: a comment saying how to apply them, then one line per variable.
    pub fn render(&self, shell: Shell) -> String {
        let mut text = format!(
            "# HTTPS clients reach api.awork.com at awork-sim serve ({}); apply with: {}\n",
            self.proxy_url,
            shell.apply_hint(&self.data_dir)
        );
        for (name, value) in self.variables() {
            text.push_str(&shell.assignment(name, value));
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWKWARD: &str = "/home/a b/it's $HOME; `x` \\ \u{2019}";

    #[test]
    fn sh_quotes_in_single_quotes_and_closes_them_around_a_quote() {
        assert_eq!(Shell::Sh.quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(
            Shell::Sh.quote(AWKWARD),
            "'/home/a b/it'\\''s $HOME; `x` \\ \u{2019}'"
        );
    }

    #[test]
    fn fish_escapes_quotes_and_backslashes() {
        assert_eq!(Shell::Fish.quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(
            Shell::Fish.quote(AWKWARD),
            "'/home/a b/it\\'s $HOME; `x` \\\\ \u{2019}'"
        );
    }

    #[test]
    fn powershell_doubles_every_single_quote() {
        assert_eq!(
            Shell::PowerShell.quote("C:\\Users\\a b"),
            "'C:\\Users\\a b'"
        );
        assert_eq!(
            Shell::PowerShell.quote(AWKWARD),
            "'/home/a b/it''s $HOME; `x` \\ \u{2019}\u{2019}'"
        );
    }

    #[test]
    fn a_quoted_value_reads_back_in_sh() {
        // The shell itself is the judge of sh quoting, where one is installed.
        let Ok(output) = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", Shell::Sh.quote(AWKWARD)))
            .output()
        else {
            return;
        };
        assert_eq!(String::from_utf8(output.stdout).unwrap(), AWKWARD);
    }

    fn environment() -> ClientEnvironment {
        let info = ServeInfo {
            address: "0.0.0.0:8787".parse().unwrap(),
            tls_address: Some("0.0.0.0:8443".parse().unwrap()),
            pid: None,
        };
        ClientEnvironment::new(Path::new("/srv/my data"), &info).unwrap()
    }

    #[test]
    fn the_exports_point_at_loopback_and_the_data_folder() {
        let text = environment().render(Shell::Sh);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("# "), "{text}");
        // The hint applies these exports again, from any folder: it names the data folder.
        assert!(
            lines[0].ends_with("apply with: eval \"$(awork-sim env --data '/srv/my data')\""),
            "{text}"
        );
        assert_eq!(
            lines[1..],
            [
                "export HTTPS_PROXY='http://127.0.0.1:8787'",
                "export https_proxy='http://127.0.0.1:8787'",
                "export NO_PROXY='localhost,127.0.0.1,::1'",
                "export no_proxy='localhost,127.0.0.1,::1'",
                "export SSL_CERT_FILE='/srv/my data/trust-bundle.pem'",
                "export REQUESTS_CA_BUNDLE='/srv/my data/trust-bundle.pem'",
                "export CURL_CA_BUNDLE='/srv/my data/trust-bundle.pem'",
                "export NODE_EXTRA_CA_CERTS='/srv/my data/ca.pem'",
                "export NODE_USE_ENV_PROXY='1'",
            ]
        );
    }

    #[test]
    fn each_shell_has_its_assignment() {
        let environment = environment();
        let fish = environment.render(Shell::Fish);
        assert!(
            fish.contains("\nset -gx NODE_EXTRA_CA_CERTS '/srv/my data/ca.pem'\n"),
            "{fish}"
        );
        let powershell = environment.render(Shell::PowerShell);
        assert!(
            powershell.contains("\n$env:HTTPS_PROXY = 'http://127.0.0.1:8787'\n"),
            "{powershell}"
        );
    }

    #[test]
    fn an_ipv6_address_is_bracketed() {
        let info = ServeInfo {
            address: "[::]:8787".parse().unwrap(),
            tls_address: None,
            pid: None,
        };
        assert_eq!(info.proxy_url(), "http://[::1]:8787");
    }

    #[test]
    fn the_serve_info_file_is_written_read_and_removed() {
        let data =
            std::env::temp_dir().join(format!("awork-tls-serve-info-{}", std::process::id()));
        std::fs::create_dir_all(&data).unwrap();
        assert_eq!(ServeInfo::read(&data).unwrap(), None);
        let info = ServeInfo {
            address: "127.0.0.1:8787".parse().unwrap(),
            tls_address: None,
            pid: Some(std::process::id()),
        };
        info.write(&data).unwrap();
        assert_eq!(ServeInfo::read(&data).unwrap(), Some(info));
        std::fs::write(ServeInfo::path(&data), "{").unwrap();
        let error = ServeInfo::read(&data).unwrap_err().to_string();
        assert!(error.contains(SERVE_INFO_FILE), "{error}");
        ServeInfo::remove(&data).unwrap();
        ServeInfo::remove(&data).unwrap();
        assert_eq!(ServeInfo::read(&data).unwrap(), None);
        std::fs::remove_dir_all(&data).unwrap();
    }
}
