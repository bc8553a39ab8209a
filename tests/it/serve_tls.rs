//! `awork-sim serve` as `https://api.awork.com` for integrations that hard-code it: the local CA in
//! `--data`, the TLS port, the proxy for awork's host only on the plain port, and `awork-sim env`'s
//! exports used by real clients (curl, Python's requests, Node's fetch where Node has
//! `NODE_USE_ENV_PROXY`).
//!
//! No test lets `api.awork.com` resolve to a real address: curl gets `--resolve` to loopback,
//! Python a resolver that maps the name to 127.0.0.1, and a broken proxy setting would therefore
//! reach a closed local port, never the network.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use crate::cli_serve::{Serve, data_dir};
use crate::support::python_with;

/// The exports `awork-sim env --data` prints, as a map (the `sh` form: `export NAME='value'`).
fn exports(data: &std::path::Path) -> HashMap<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(["env", "--data"])
        .arg(data)
        .output()
        .expect("awork-sim env runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (name, value) = line.strip_prefix("export ")?.split_once('=')?;
            Some((name.to_owned(), value.trim_matches('\'').to_owned()))
        })
        .collect()
}

/// The command without the proxy and CA variables of the environment the tests run in: what
/// reaches the client is `env`'s exports alone.
fn without_proxies(command: &mut Command) -> &mut Command {
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        command.env_remove(name);
    }
    command
}

/// Sends `request` raw to `addr` and reads until the server closes or 5 s pass.
fn raw(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("serve accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn authority(serve: &Serve) -> String {
    serve.url.trim_start_matches("http://").to_owned()
}

#[test]
fn curl_with_envs_exports_reaches_serve_as_api_awork_com_with_verification_on() {
    let data = data_dir("tls-curl");
    let serve = Serve::start(&data, &[]);
    let exports = exports(&data);
    assert_eq!(exports["HTTPS_PROXY"], serve.url);
    assert_eq!(exports["NODE_USE_ENV_PROXY"], "1");
    let output = Command::new("curl")
        .args(["-sS", "-f", "--max-time", "10"])
        // A broken proxy setting would try 127.0.0.1:443, never the network.
        .args(["--resolve", "api.awork.com:443:127.0.0.1"])
        .args(["-H", "Authorization: Bearer x"])
        .arg("https://api.awork.com/api/v1/users/me")
        .env_clear()
        .envs(&exports)
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "{output:?}");
    let me: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(me["id"].as_str().is_some_and(|id| id.len() == 36), "{me}");
    assert!(me["workspace"]["url"].is_string(), "{me}");
}

#[test]
fn python_requests_with_only_envs_environment_gets_the_35_event_types() {
    if !python_with("requests", "requests") {
        return;
    }
    let data = data_dir("tls-python");
    let serve = Serve::start(&data, &[]);
    let environment = exports(&data);
    let script = r#"
import socket, requests
real = socket.getaddrinfo
def loopback(host, *args, **kwargs):
    # api.awork.com never resolves to a real address here.
    return real("127.0.0.1" if host == "api.awork.com" else host, *args, **kwargs)
socket.getaddrinfo = loopback
answer = requests.get("https://api.awork.com/api/v1/webhooks/eventtypes",
                      headers={"Authorization": "Bearer x"}, timeout=10)
answer.raise_for_status()
print(len(answer.json()))
"#;
    let output = without_proxies(Command::new("python3").args(["-c", script]))
        .envs(&environment)
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "35");
    drop(serve);
}

#[test]
fn node_fetch_with_envs_environment_gets_the_35_event_types_where_node_has_env_proxies() {
    // `.ci/run` installs a Node 24 from the npm registry and names it in AWORK_SIM_NODE.
    let node = std::env::var_os("AWORK_SIM_NODE").unwrap_or_else(|| "node".into());
    let version = Command::new(&node).arg("--version").output();
    let major = version
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| {
            text.trim()
                .trim_start_matches('v')
                .split('.')
                .next()?
                .parse::<u32>()
                .ok()
        });
    if major.is_none_or(|major| major < 24) {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED node_fetch_with_envs_environment_gets_the_35_event_types_where_node_has_env_proxies: \
             Node 24 or newer (NODE_USE_ENV_PROXY) is neither in AWORK_SIM_NODE nor on the PATH \
             (found {major:?}; .ci/run installs one)"
        );
        return;
    }
    let data = data_dir("tls-node");
    let serve = Serve::start(&data, &[]);
    let environment = exports(&data);
    let script = r#"
const dns = require("node:dns");
const lookup = dns.lookup;
dns.lookup = (host, ...rest) => lookup(host === "api.awork.com" ? "127.0.0.1" : host, ...rest);
fetch("https://api.awork.com/api/v1/webhooks/eventtypes", {headers: {Authorization: "Bearer x"}})
  .then((answer) => answer.json()).then((names) => console.log(names.length));
"#;
    let output = without_proxies(Command::new(&node).args(["-e", script]))
        .envs(&environment)
        .output()
        .expect("node runs");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "35");
    drop(serve);
}

#[test]
fn an_absolute_form_request_for_api_awork_com_is_answered() {
    let data = data_dir("tls-absolute");
    let serve = Serve::start(&data, &[]);
    let answer = raw(
        &authority(&serve),
        "GET https://api.awork.com/api/v1/users/me HTTP/1.1\r\nHost: api.awork.com\r\n\
         Authorization: Bearer x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"workspace\""), "{answer}");
}

#[test]
fn every_other_proxy_target_is_refused_and_never_connected_to() {
    let data = data_dir("tls-refused");
    let serve = Serve::start(&data, &[]);
    let bystander = TcpListener::bind("127.0.0.1:0").unwrap();
    bystander.set_nonblocking(true).unwrap();
    let port = bystander.local_addr().unwrap().port();
    for request in [
        format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
        format!("CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"),
        format!(
            "GET http://127.0.0.1:{port}/anything HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Connection: close\r\n\r\n"
        ),
        format!(
            "GET http://localhost:{port}/ HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: \
             close\r\n\r\n"
        ),
        "CONNECT api.awork.com:8443 HTTP/1.1\r\nHost: api.awork.com:8443\r\n\r\n".to_owned(),
    ] {
        let answer = raw(&authority(&serve), &request);
        // The advice in the status line, which clients show for a refused CONNECT: for awork's
        // host on another port the port, since NO_PROXY would send it to the real awork.
        let reason = if request.contains("api.awork.com") {
            "awork-sim answers for api.awork.com:443 only"
        } else {
            "awork-sim answers for api.awork.com only; add this host to NO_PROXY"
        };
        assert!(
            answer.starts_with(&format!("HTTP/1.1 403 Forbidden: {reason}\r\n")),
            "{request}: {answer}"
        );
    }
    match bystander.accept() {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("serve connected to the bystander: {other:?}"),
    }
}

#[test]
fn the_tls_port_serves_the_page_to_a_client_trusting_the_local_ca() {
    let data = data_dir("tls-port");
    let serve = Serve::start(&data, &["--tls-port", "0"]);
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("serve.json")).unwrap()).unwrap();
    let tls = info["tls_address"]
        .as_str()
        .expect("a TLS address")
        .to_owned();
    let output = Command::new("curl")
        .args(["-sS", "-f", "--max-time", "10", "--cacert"])
        .arg(data.join("ca.pem"))
        .arg(format!("https://{tls}/"))
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Webhooks"));
    // Without the local CA, verification fails: it is not a certificate anyone else trusts.
    let untrusted = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .arg(format!("https://{tls}/"))
        .output()
        .expect("curl runs");
    assert!(!untrusted.status.success());
    // `check` against it (as against any receiver with a private CA's certificate) says what
    // the TLS error is and what to do: --insecure, not "serve HTTP at the URL".
    let run = crate::support::check(
        &[
            "check",
            "--url",
            &format!("https://{tls}/hooks"),
            "--timeout",
            "5s",
        ],
        "",
        1,
    );
    assert!(
        run.stdout.contains(
            "fix: fix what the TLS error above names: a self-signed or private-CA certificate is \
             taken with --insecure"
        ),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("serves HTTP at the URL"),
        "{}",
        run.stdout
    );
    drop(serve);
}

#[test]
fn the_ca_key_is_its_owners_only_and_a_restart_reuses_the_ca() {
    use std::os::unix::fs::PermissionsExt;
    let data = data_dir("tls-ca");
    let serve = Serve::start(&data, &[]);
    let key = std::fs::metadata(data.join("ca-key.pem")).unwrap();
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    let folder = std::fs::metadata(&*data).unwrap();
    assert_eq!(
        folder.permissions().mode() & 0o077,
        0,
        "the data folder is owner-only"
    );
    let first = std::fs::read(data.join("ca.pem")).unwrap();
    serve.kill();
    // A folder that others may read (it existed before, or was opened up since) keeps its
    // permissions, but the files holding secrets are made owner-only again: the CA's key, and
    // the database with the webhooks' auth values.
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode();
    let set = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set(&data, 0o755);
    set(&data.join("ca-key.pem"), 0o644);
    set(&data.join("workspace.sqlite3"), 0o644);
    let serve = Serve::start(&data, &[]);
    assert_eq!(std::fs::read(data.join("ca.pem")).unwrap(), first);
    assert_eq!(mode(&data) & 0o777, 0o755);
    for secret in ["ca-key.pem", "workspace.sqlite3"] {
        assert_eq!(mode(&data.join(secret)) & 0o777, 0o600, "{secret}");
    }
    drop(serve);
}
