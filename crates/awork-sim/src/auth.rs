//! The auth header of `send`, `check` and `listen`, from one of three places: `--auth-header`, the
//! environment variable `AWORK_SIM_AUTH_HEADER`, or the first line of `--auth-header-file`.
//!
//! The variable and the file keep the secret out of the process's arguments, which `ps` and CI logs
//! show. At most one of the three may be given. A malformed header is an error that names its source
//! and the problem, never the text: neither its value nor anything else of it is printed.

use std::path::PathBuf;

use anyhow::{Context, bail};
use awork_conformance::AuthSource;
use awork_delivery::{AuthHeader, ConfigError};

/// The environment variable holding the auth header, as `Name: value`.
pub const ENV: &str = "AWORK_SIM_AUTH_HEADER";

/// The options giving the auth header; flattened into the commands that use one.
#[derive(Debug, Clone, clap::Args)]
pub struct AuthArgs {
    /// The auth header, as `Name: value`. Its value is never printed. On the command line it shows
    /// in `ps` and CI logs: prefer the environment variable AWORK_SIM_AUTH_HEADER or
    /// --auth-header-file. At most one of the three. Each command's help says what it does with
    /// the header (see `help`).
    #[arg(long, value_name = "'Name: value'")]
    auth_header: Option<String>,
    /// Read the auth header (`Name: value`) from the first line of this file.
    #[arg(long, value_name = "PATH")]
    auth_header_file: Option<PathBuf>,
}

/// The help of `--auth-header` for a command, `does` saying what the command does with the header:
/// `sent with every request`.
pub fn help(does: &str) -> String {
    format!(
        "The auth header, as `Name: value`: {does}. Its value is never printed. On the command \
         line it shows in `ps` and CI logs: prefer the environment variable {ENV} or \
         --auth-header-file. At most one of the three"
    )
}

impl AuthArgs {
    /// The auth header given, if any: from `--auth-header`, `AWORK_SIM_AUTH_HEADER` or
    /// `--auth-header-file`. More than one of them, an empty or unreadable one, or a malformed
    /// header is an error.
    pub fn resolve(&self) -> anyhow::Result<Option<AuthHeader>> {
        Ok(self.resolve_with_source()?.map(|(header, _)| header))
    }

    /// The auth header given, if any, as [`AuthArgs::resolve`], and where it came from: `check`'s
    /// rerun command gives it the same way.
    pub fn resolve_with_source(&self) -> anyhow::Result<Option<(AuthHeader, AuthSource)>> {
        self.resolve_with(std::env::var_os(ENV))
    }

    fn resolve_with(
        &self,
        env: Option<std::ffi::OsString>,
    ) -> anyhow::Result<Option<(AuthHeader, AuthSource)>> {
        let mut given = Vec::new();
        if self.auth_header.is_some() {
            given.push("--auth-header");
        }
        if env.is_some() {
            given.push(ENV);
        }
        if self.auth_header_file.is_some() {
            given.push("--auth-header-file");
        }
        if given.len() > 1 {
            bail!(
                "the auth header is given {} times ({}): give it once",
                given.len(),
                given.join(", ")
            );
        }
        let (source, named, text) = if let Some(text) = &self.auth_header {
            (
                AuthSource::Argument,
                "--auth-header".to_owned(),
                text.clone(),
            )
        } else if let Some(env) = env {
            let text = env
                .into_string()
                .map_err(|_| anyhow::anyhow!("{ENV}: not UTF-8"))?;
            (AuthSource::Environment, ENV.to_owned(), text)
        } else if let Some(path) = &self.auth_header_file {
            let named = format!("--auth-header-file {}", path.display());
            let text =
                std::fs::read_to_string(path).with_context(|| format!("{named}: cannot read"))?;
            // An editor's byte order mark is not part of the header.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let first = text.lines().next().unwrap_or_default().to_owned();
            (AuthSource::File(path.clone()), named, first)
        } else {
            return Ok(None);
        };
        parse(&text)
            .map(|header| Some((header, source)))
            .map_err(|problem| anyhow::anyhow!("{named}: {problem}"))
    }
}

/// Parses `Name: value`; the problem named quotes at most the name, never the value.
fn parse(text: &str) -> Result<AuthHeader, String> {
    if text.trim().is_empty() {
        return Err("empty; the auth header is `Name: value`".to_owned());
    }
    let Some((name, value)) = text.split_once(':') else {
        return Err("the auth header is `Name: value`; found no `:`".to_owned());
    };
    let name = name.trim();
    if name.is_empty() {
        return Err("the auth header is `Name: value`; found no name before the `:`".to_owned());
    }
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        // The name is not quoted: a header given without its `:` (`Authorization Bearer t0k:en`)
        // has the value before the first `:`.
        return Err(format!(
            "the auth header's name (the text before the first `:`) is not an HTTP header name: \
             it holds {} (a name is letters, digits and `-`; is the `:` after it missing?)",
            first_character_not_in_a_name(name)
        ));
    }
    if value.trim().is_empty() {
        return Err(format!("the auth header's value for `{name}` is empty"));
    }
    AuthHeader::new(name, value).map_err(|error| match error {
        reserved @ ConfigError::AuthReservedName { .. } => reserved.to_string(),
        _ => format!(
            "the auth header's value for `{name}` is not a valid HTTP header value (it holds a control character)"
        ),
    })
}

/// The first character of `name` a header name cannot hold, described without quoting the rest.
fn first_character_not_in_a_name(name: &str) -> String {
    let allowed = |character: char| {
        character.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(character)
    };
    match name.chars().find(|character| !allowed(*character)) {
        Some(character) if character.is_whitespace() => "a space".to_owned(),
        Some(character) if character.is_ascii_graphic() => format!("`{character}`"),
        Some(character) if character.is_control() => "a control character".to_owned(),
        _ => "a character outside ASCII".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(header: Option<&str>, file: Option<&str>) -> AuthArgs {
        AuthArgs {
            auth_header: header.map(str::to_owned),
            auth_header_file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn one_source_gives_the_header_and_is_named() {
        let (header, source) = args(Some("X-Key: s3cret"), None)
            .resolve_with(None)
            .unwrap()
            .unwrap();
        assert_eq!(header.name().as_str(), "x-key");
        assert_eq!(header.value().as_bytes(), b"s3cret");
        assert_eq!(source, AuthSource::Argument);
        let (header, source) = args(None, None)
            .resolve_with(Some("X-Key: from-env".into()))
            .unwrap()
            .unwrap();
        assert_eq!(header.value().as_bytes(), b"from-env");
        assert_eq!(source, AuthSource::Environment);
        assert!(args(None, None).resolve_with(None).unwrap().is_none());
    }

    #[test]
    fn two_sources_are_refused_naming_both() {
        let error = args(Some("X-Key: a"), None)
            .resolve_with(Some("X-Key: b".into()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--auth-header, AWORK_SIM_AUTH_HEADER"),
            "{error}"
        );
    }

    #[test]
    fn problems_are_named_without_the_text() {
        for (text, problem) in [
            ("s3cret-without-colon", "found no `:`"),
            (
                "Bad Name: s3cret",
                "not an HTTP header name: it holds a space",
            ),
            // The `:` after the name forgotten, and one in the value: nothing of it is shown.
            (
                "Authorization Bearer s3cret:more",
                "not an HTTP header name: it holds a space",
            ),
            ("X=s3cret: value", "it holds `=`"),
            (": s3cret", "no name"),
            ("X-Key:   ", "value for `X-Key` is empty"),
            ("X-Key: s3cret\u{7f}", "not a valid HTTP header value"),
            ("", "empty"),
            (
                "Content-Length: s3cret",
                "Content-Length is a framing header that awork-sim sets itself; it cannot be the auth header",
            ),
            (
                "proxy-authorization: s3cret",
                "proxy-authorization is meant for a proxy",
            ),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(problem), "{text:?}: {error}");
            assert!(!error.contains("s3cret"), "{text:?}: {error}");
        }
    }
}
