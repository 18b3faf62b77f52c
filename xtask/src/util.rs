//! Shared plumbing for the tasks: repository paths, the task error type, and running
//! commands with a readable echo of what runs.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

/// Why a task stopped: a sentence for the person at the terminal.
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure(err.to_string())
    }
}

/// The result of a task step.
pub type Result<T = ()> = std::result::Result<T, Failure>;

/// Builds a [`Failure`] from anything printable.
pub fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(Failure(message.into()))
}

/// The repository root (the folder holding the workspace Cargo.toml).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// The shared cargo target directory.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The `cargo` that runs this xtask (so the same toolchain builds everything).
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// A command run from the repository root.
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root());
    command
}

/// Describes a command the way a person would type it.
pub fn describe(command: &Command) -> String {
    let mut text = String::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            text.push_str(&key.to_string_lossy());
            text.push('=');
            text.push_str(&value.to_string_lossy());
            text.push(' ');
        }
    }
    text.push_str(&command.get_program().to_string_lossy());
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs a command with inherited output; a non-zero exit is a [`Failure`].
pub fn run(command: &mut Command) -> Result {
    eprintln!("$ {}", describe(command));
    let status = spawn_status(command)?;
    if status.success() {
        Ok(())
    } else {
        fail(format!("`{}` failed ({status})", describe(command)))
    }
}

fn spawn_status(command: &mut Command) -> Result<ExitStatus> {
    command.status().map_err(|err| {
        Failure(format!(
            "could not run `{}`: {err}",
            command.get_program().to_string_lossy()
        ))
    })
}

/// Runs a command whose output is both shown live and kept for parsing.
/// Returns the exit status and the combined stdout and stderr text.
pub fn run_teed(command: &mut Command) -> Result<(ExitStatus, String)> {
    eprintln!("$ {}", describe(command));
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            Failure(format!(
                "could not run `{}`: {err}",
                command.get_program().to_string_lossy()
            ))
        })?;
    let captured = Arc::new(Mutex::new(String::new()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let readers = [
        tee(stdout, Arc::clone(&captured), false),
        tee(stderr, Arc::clone(&captured), true),
    ];
    let status = child.wait()?;
    for reader in readers {
        let _ = reader.join();
    }
    let text = captured.lock().map(|text| text.clone()).unwrap_or_default();
    Ok((status, text))
}

fn tee(
    stream: impl Read + Send + 'static,
    captured: Arc<Mutex<String>>,
    to_stderr: bool,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        while let Ok(read) = reader.read_until(b'\n', &mut line) {
            if read == 0 {
                break;
            }
            if to_stderr {
                let _ = std::io::stderr().write_all(&line);
            } else {
                let _ = std::io::stdout().write_all(&line);
            }
            if let Ok(mut text) = captured.lock() {
                text.push_str(&String::from_utf8_lossy(&line));
            }
            line.clear();
        }
    })
}

/// Runs a command quietly and returns its trimmed stdout, or `None` if it cannot run or fails.
pub fn output_of(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Whether the task runs as root (and may use apt-get).
pub fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// Finds an executable on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Prints a section header for a step of a task.
pub fn header(title: &str) {
    eprintln!();
    eprintln!("==> {title}");
}

/// Formats a duration as seconds with one decimal.
pub fn seconds(duration: std::time::Duration) -> String {
    let tenths = duration.as_millis() / 100;
    format!("{}.{}s", tenths / 10, tenths % 10)
}

/// Copies a directory tree (files and sub-folders) into `to`, creating it.
pub fn copy_tree(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Reads a file as text, naming it in the error.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|err| Failure(format!("cannot read {}: {err}", path.display())))
}
