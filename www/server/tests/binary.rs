//! The `entra-connect-server` binary as an operator runs it: the ready line, the emulator
//! flag, logs that never contain a secret or a token, and a graceful SIGTERM that finishes
//! the request in flight.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{sample_body, temp_dir, FakeAuthority, Script};
use entra_connect_server::emulator::SAMPLE_APPS;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

const READY_PREFIX: &str = "entra-connect-server listening on http://127.0.0.1:";

/// Starts the binary with `args`, waits for the ready line, returns it and the child.
async fn spawn(args: &[&str], log_filter: &str) -> (Child, String, BufReader<ChildStdout>) {
    let data_dir = temp_dir("binary");
    let mut child = Command::new(env!("CARGO_BIN_EXE_entra-connect-server"))
        .args(["--listen", "127.0.0.1:0", "--demo", "--data-dir"])
        .arg(&data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("ENTRA_CONNECT_KEY")
        .env_remove("ENTRA_CONNECT_KEYS")
        .env_remove("ENTRA_CONNECT_API_KEYS")
        .env("RUST_LOG", log_filter)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut line))
        .await
        .expect("the ready line comes")
        .unwrap();
    let line = line.trim_end().to_string();
    assert!(line.starts_with(READY_PREFIX), "ready line: {line:?}");
    let port: u16 = line[READY_PREFIX.len()..]
        .parse()
        .expect("the ready line ends with the port");
    assert_ne!(port, 0, "the real bound port is printed");
    let url = line["entra-connect-server listening on ".len()..].to_string();
    (child, url, stdout)
}

fn terminate(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn finish(
    mut child: Child,
    mut stdout: BufReader<ChildStdout>,
) -> (std::process::ExitStatus, String, String) {
    let mut stderr = child.stderr.take().unwrap();
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the server stops after SIGTERM")
        .unwrap();
    let mut rest_of_stdout = String::new();
    stdout.read_to_string(&mut rest_of_stdout).await.unwrap();
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).await.unwrap();
    (status, rest_of_stdout, logs)
}

async fn post_json(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = client
        .post(format!("{url}/api/entra/connections"))
        .bearer_auth(token)
        .header("Idempotency-Key", "binary-test-key")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn session(client: &reqwest::Client, url: &str) -> String {
    let answer: Value = client
        .post(format!("{url}/api/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn emulator_run_prints_one_ready_line_and_never_logs_secrets_or_tokens() {
    let (child, url, stdout) = spawn(&["--entra-emulator"], "trace").await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let token = session(&client, &url).await;
    let (status, created) = post_json(&client, &url, &token, &sample_body()).await;
    assert_eq!(status, 201, "{created}");
    let mut wrong = sample_body();
    let wrong_secret = "Emu8Q~NotTheRightSecret-0123456789abcdefg";
    wrong["client_secret"] = Value::from(wrong_secret);
    let rejected = client
        .post(format!("{url}/api/entra/connections"))
        .bearer_auth(&token)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 422);
    let config: Value = client
        .get(format!("{url}/api/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["entra_emulator"], true);

    terminate(&child);
    let (status, rest_of_stdout, logs) = finish(child, stdout).await;
    assert!(status.success(), "exit status {status}");
    assert_eq!(rest_of_stdout, "", "stdout holds only the ready line");
    assert!(logs.contains("connection created"), "the logs are written");
    for secret in [SAMPLE_APPS[0].client_secret, wrong_secret, token.as_str()] {
        assert!(
            !logs.contains(secret),
            "a secret or token appears in the logs"
        );
    }
    let access_token_shape = logs.contains("eyJ0eXAiOiJKV1Qi");
    assert!(!access_token_shape, "an access token appears in the logs");
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish() {
    let mut slow = Script::answer(200, common::token_answer_body());
    slow.delay = Duration::from_millis(800);
    let authority = FakeAuthority::start(slow).await;
    let (child, url, stdout) = spawn(&["--authority-url", &authority.url], "info").await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let token = session(&client, &url).await;
    let in_flight = {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        tokio::spawn(async move { post_json(&client, &url, &token, &sample_body()).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(authority.count(), 1, "the request is in flight");
    terminate(&child);
    let (status, body) = in_flight.await.unwrap();
    assert_eq!(status, 201, "{body}");
    let (exit, _, logs) = finish(child, stdout).await;
    assert!(exit.success(), "exit status {exit}");
    assert!(logs.contains("shutting down"));
}

#[tokio::test]
async fn bad_arguments_exit_with_usage() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_entra-connect-server"))
        .arg("--no-such-flag")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--entra-emulator"));
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_entra-connect-server"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--authority-url"));
}
