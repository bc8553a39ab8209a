//! Running the binary, and the inputs the tests share: the workspace's files and temporary files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use awork_delivery::receiver::{Behaviour, Receiver};
use serde_json::Value;
use tokio::runtime::Runtime;

/// What a run of `awork-sim` did.
#[derive(Debug)]
pub struct Run {
    /// The exit status; `None` when a signal ended the process.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// Starts `awork-sim` with `args` in the workspace root (so relative paths such as `fixtures/…`
/// work), its stdin, stdout and stderr piped.
#[track_caller]
pub fn spawn_piped(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_awork-sim"))
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("awork-sim starts")
}

/// Runs `awork-sim` with `args` and `stdin`, in the workspace root.
#[track_caller]
pub fn awork_sim(args: &[&str], stdin: &str) -> Run {
    let mut child = spawn_piped(args);
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_owned();
    // Written from a thread, so that a large input cannot block against a full stdout.
    let writer = std::thread::spawn(move || {
        // The program may exit without reading all of it (a usage error); that is not the test's concern.
        let _ = pipe.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("awork-sim runs");
    writer.join().expect("the stdin writer does not panic");
    Run::from(output)
}

/// Runs `awork-sim` with `args` under bash's `ulimit` with `limit` (`-n 64`: the soft and hard
/// limits of open files; `-Sn 64`: the soft one alone), nothing on stdin.
#[track_caller]
pub fn awork_sim_under_ulimit(limit: &str, args: &[&str]) -> Run {
    Command::new("bash")
        .args(["-c", &format!("ulimit {limit} && exec \"$0\" \"$@\"")])
        .arg(env!("CARGO_BIN_EXE_awork-sim"))
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .expect("bash runs")
        .into()
}

/// Runs `awork-sim` and checks its exit status, showing the whole run when it differs.
#[track_caller]
pub fn check(args: &[&str], stdin: &str, code: i32) -> Run {
    let run = awork_sim(args, stdin);
    assert_eq!(
        run.code,
        Some(code),
        "awork-sim {}\n{run:#?}",
        args.join(" ")
    );
    run
}

/// Runs `awork-sim COMMAND ARGS…` for each `(ARGS, named)` and checks that it exits 2 with nothing
/// on stdout and a one-line error on stderr that contains `named` (clap's usage errors too).
#[track_caller]
pub fn check_usage_errors(command: &str, cases: Vec<(Vec<&str>, &str)>) {
    for (args, named) in cases {
        let mut all = vec![command];
        all.extend_from_slice(&args);
        let run = check(&all, "", 2);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
    }
}

/// A receiver on a free port of 127.0.0.1 answering as `behaviour` says, with the runtime that
/// serves it: keep both for as long as the test needs the receiver.
pub fn local_receiver(behaviour: Behaviour) -> (Receiver, Runtime) {
    let runtime = Runtime::new().expect("a tokio runtime starts");
    let receiver = runtime
        .block_on(Receiver::start("127.0.0.1:0".parse().unwrap(), behaviour))
        .expect("the receiver binds");
    (receiver, runtime)
}

/// The workspace root: where `fixtures/` and `spec/` are.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// awork's documented example event (`fixtures/awork-docs-example.json`).
pub fn docs_example() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("fixtures/awork-docs-example.json"))
        .expect("the fixture exists");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

/// One line of NDJSON per event.
pub fn ndjson(events: &[Value]) -> String {
    events.iter().map(|event| format!("{event}\n")).collect()
}

/// A file in the temporary directory, removed when dropped.
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// A new file holding `contents`; `name` ends its file name, to tell the tests' files apart.
    #[track_caller]
    pub fn new(name: &str, contents: &str) -> TempFile {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let unique = format!(
            "awork-sim-it-{}-{}-{name}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::write(&path, contents).expect("the temporary file is written");
        TempFile { path }
    }

    /// The path, as a command-line argument.
    pub fn arg(&self) -> &str {
        self.path
            .to_str()
            .expect("the temporary directory's path is UTF-8")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether `python3` can import every module of `imports` (`"jsonschema"`, `"hypothesis,
/// hypothesis_jsonschema"`). When it cannot, says the test is skipped and how to install what is
/// missing (`.ci/run` installs it, so CI always runs such tests).
pub fn python_with(imports: &str, install: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", &format!("import {imports}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        eprintln!(
            "SKIPPED: python3 cannot import {imports} (pip install {install}); .ci/run installs it"
        );
    }
    found
}

/// Runs one of the Python scripts in `tests/it/python` with `args`; panics when it fails, and
/// returns its stdout.
pub fn run_python(script: &str, args: &[&str]) -> String {
    let output = Command::new("python3")
        .arg(workspace_root().join("tests/it/python").join(script))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// A fresh, missing directory in the temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("awork-sim-it-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    pub fn arg(&self) -> &str {
        self.0
            .to_str()
            .expect("the temporary directory's path is UTF-8")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The names of the entries of `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the directory is read")
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Makes a named pipe at `path` (with `mkfifo`).
pub fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Reads the named pipe at `path` to its end on a thread of its own: a writer opening it then
/// does not wait for a reader.
pub fn read_fifo(path: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let path = path.to_owned();
    std::thread::spawn(move || std::fs::read(path).expect("the pipe is read"))
}
