//! `awork-sim env`: the exports for the `serve` whose serve info file is in `--data` (written here
//! through awork-tls, as `serve` writes it), for each shell; and the one-line error, exit 2, when
//! `serve` is not running there.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use awork_tls::client_env::ServeInfo;

use crate::support::{awork_sim, check};

/// A data folder whose path has a space and a quote, removed when dropped.
struct DataFolder(PathBuf);

impl DataFolder {
    fn new(name: &str) -> DataFolder {
        let path = std::env::temp_dir().join(format!(
            "awork-sim-it-{}-env {name}'s data",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("the data folder is created");
        DataFolder(path)
    }

    fn arg(&self) -> &str {
        self.0
            .to_str()
            .expect("the temporary directory's path is UTF-8")
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for DataFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes the serve info file of a `serve` listening on `listener` into `data`.
fn serving(data: &Path, listener: &TcpListener) {
    ServeInfo {
        address: listener.local_addr().unwrap(),
        tls_address: None,
        pid: Some(std::process::id()),
    }
    .write(data)
    .expect("the serve info file is written");
}

#[test]
fn env_prints_the_exports_for_the_running_serve() {
    let data = DataFolder::new("exports");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    serving(&data.0, &listener);
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let bundle = data.file("trust-bundle.pem").replace('\'', "'\\''");
    let ca = data.file("ca.pem").replace('\'', "'\\''");

    let run = check(&["env", "--data", data.arg()], "", 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("# ") && lines[0].contains(&proxy),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines[1..],
        [
            format!("export HTTPS_PROXY='{proxy}'"),
            format!("export https_proxy='{proxy}'"),
            "export NO_PROXY='localhost,127.0.0.1,::1'".to_owned(),
            "export no_proxy='localhost,127.0.0.1,::1'".to_owned(),
            format!("export SSL_CERT_FILE='{bundle}'"),
            format!("export REQUESTS_CA_BUNDLE='{bundle}'"),
            format!("export CURL_CA_BUNDLE='{bundle}'"),
            format!("export NODE_EXTRA_CA_CERTS='{ca}'"),
            "export NODE_USE_ENV_PROXY='1'".to_owned(),
        ]
    );
    assert_eq!(run.stderr, "");

    let fish = check(&["env", "--data", data.arg(), "--shell", "fish"], "", 0);
    let fish_ca = data.file("ca.pem").replace('\'', "\\'");
    assert!(
        fish.stdout
            .contains(&format!("\nset -gx NODE_EXTRA_CA_CERTS '{fish_ca}'\n")),
        "{}",
        fish.stdout
    );
    let powershell = check(
        &["env", "--data", data.arg(), "--shell", "powershell"],
        "",
        0,
    );
    let powershell_ca = data.file("ca.pem").replace('\'', "''");
    assert!(
        powershell
            .stdout
            .contains(&format!("\n$env:NODE_EXTRA_CA_CERTS = '{powershell_ca}'\n")),
        "{}",
        powershell.stdout
    );
}

#[test]
fn the_exports_read_back_in_sh() {
    let data = DataFolder::new("sh");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    serving(&data.0, &listener);
    let run = check(&["env", "--data", data.arg()], "", 0);
    let Ok(output) = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{}printf %s \"$NODE_EXTRA_CA_CERTS\"", run.stdout))
        .output()
    else {
        eprintln!("SKIPPED: no sh");
        return;
    };
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        data.file("ca.pem")
    );
}

#[test]
fn env_without_a_running_serve_is_one_line_saying_how_to_start_it() {
    let data = DataFolder::new("absent");
    let run = check(&["env", "--data", data.arg()], "", 2);
    assert_eq!(run.stdout, "");
    // The path has a space and a quote: the command to paste quotes it.
    assert_eq!(
        run.stderr,
        format!(
            "error: awork-sim serve is not running on --data {}: start it with `awork-sim serve \
             --data '{}'`\n",
            data.arg(),
            data.arg().replace('\'', "'\\''")
        )
    );

    // A serve info file left by a `serve` that no longer listens.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    serving(&data.0, &listener);
    let address = listener.local_addr().unwrap();
    drop(listener);
    let run = check(&["env", "--data", data.arg()], "", 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains(&format!("nothing listens at {address}")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn env_refuses_a_serve_info_file_whose_serve_has_ended_though_its_port_is_taken() {
    // A serve killed without removing its file; another process (another workspace's serve)
    // now listens on its port.
    let data = DataFolder::new("ended");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    ended.wait().unwrap();
    ServeInfo {
        address: listener.local_addr().unwrap(),
        tls_address: None,
        pid: Some(ended.id()),
    }
    .write(&data.0)
    .unwrap();
    let run = check(&["env", "--data", data.arg()], "", 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with(&format!(
            "error: awork-sim serve is not running on --data {}: the serve that wrote serve.json \
             there (process {}) has ended; start it with",
            data.arg(),
            ended.id()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn env_and_serve_default_to_the_same_data_folder() {
    let default_of = |command: &str| {
        let help = awork_sim(&[command, "--help"], "").stdout;
        let data = help
            .split("--data <DIR>")
            .nth(1)
            .unwrap_or_else(|| panic!("{command} --help: {help}"));
        let default = data.split("[default: ").nth(1).unwrap();
        default[..default.find(']').unwrap()].to_owned()
    };
    assert_eq!(default_of("env"), default_of("serve"));
}
