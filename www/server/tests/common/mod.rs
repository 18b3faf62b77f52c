//! Helpers shared by the backend's integration tests: an in-process server with the
//! Entra emulator as its authority, a scriptable fake authority, and request shortcuts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use entra_connect_server::config::Limits;
use entra_connect_server::emulator::{SAMPLE_APPS, SAMPLE_TENANT_DOMAIN};
use entra_connect_server::{start, Config, Server};
use serde_json::{json, Value};

/// A fresh directory under the system temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "entra-connect-server-{label}-{}",
        entra_connect_server::crypto::random_uuid()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small site: `index.html`, a `.js` and a `.wasm` file in `pkg/`.
pub fn site_dirs(base: &Path) -> (PathBuf, PathBuf) {
    let www = base.join("www");
    let pkg = base.join("pkg");
    std::fs::create_dir_all(www.join("server")).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(www.join("app.js"), "export {};").unwrap();
    std::fs::write(www.join("server").join("Cargo.toml"), "[package]").unwrap();
    std::fs::write(pkg.join("entra_connect.js"), "export default 1;").unwrap();
    std::fs::write(pkg.join("entra_connect_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    (www, pkg)
}

/// A test configuration under `base`: emulator on, no rate limits, the data directory
/// `base/data` and a small site in `base/site`.
pub fn test_config(base: &Path) -> Config {
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), base.join("data"));
    config.demo = true;
    config.entra_emulator = true;
    config.limits = Limits {
        per_ip: None,
        per_session: None,
    };
    config.upstream_timeout = Duration::from_secs(5);
    let (www, pkg) = site_dirs(&base.join("site"));
    config.www_dir = www;
    config.pkg_dir = pkg;
    config
}

/// The first sample row of SPEC §7.2, as the SDK would send it.
pub fn sample_body() -> Value {
    json!({
        "tenant_id": SAMPLE_TENANT_DOMAIN,
        "client_id": SAMPLE_APPS[0].client_id,
        "client_secret": SAMPLE_APPS[0].client_secret,
        "scope": "https://graph.microsoft.com/.default",
        "cloud": "global",
    })
}

/// An answer from the server, body parsed as JSON (`Null` when it is not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// `error.code` of a failure answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// `error.field` of a failure answer.
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }

    /// A header's text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// An in-process server and an HTTP client for it.
pub struct TestServer {
    pub server: Server,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
}

impl TestServer {
    /// Starts a server with `config`.
    pub async fn start(config: Config) -> TestServer {
        let data_dir = config.data_dir.clone();
        let server = start(config).await.expect("the server starts");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        TestServer {
            server,
            client,
            data_dir,
        }
    }

    /// Starts the default test server (SQLite in a fresh data directory).
    pub async fn sqlite(label: &str) -> TestServer {
        TestServer::start(test_config(&temp_dir(label))).await
    }

    /// An absolute URL on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    /// Mints a session token.
    pub async fn session(&self) -> String {
        let answer = self.send(self.client.post(self.url("/api/sessions"))).await;
        assert_eq!(answer.status, 201);
        answer.body["token"].as_str().unwrap().to_string()
    }

    /// Sends any request and reads the answer.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// `POST /api/entra/connections` with a JSON body, a token and an optional key.
    pub async fn connect(
        &self,
        token: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut request = self
            .client
            .post(self.url("/api/entra/connections"))
            .bearer_auth(token)
            .json(body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    /// Number of stored connections.
    pub async fn row_count(&self) -> i64 {
        self.server.state.store.count_connections().await.unwrap()
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}

/// What a fake authority answers.
#[derive(Clone)]
pub struct Script {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Script {
    /// An answer with a JSON or text body and no delay.
    pub fn answer(status: u16, body: impl Into<String>) -> Script {
        Script {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// An AADSTS error answer in the identity platform's shape.
    pub fn aadsts(status: u16, error: &str, code: u64) -> Script {
        Script::answer(
            status,
            json!({
                "error": error,
                "error_description": format!("AADSTS{code}: scripted.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333"),
                "error_codes": [code],
                "timestamp": "2016-01-09 02:02:12Z",
                "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333",
                "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
            })
            .to_string(),
        )
    }
}

/// A request the fake authority received.
#[derive(Clone)]
pub struct Recorded {
    pub path: String,
    pub query: Option<String>,
    pub form: Vec<(String, String)>,
}

/// A local token endpoint that answers a fixed script and records every request.
pub struct FakeAuthority {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<Script>>,
}

impl FakeAuthority {
    /// Starts one on 127.0.0.1:0.
    pub async fn start(script: Script) -> FakeAuthority {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorder = Arc::clone(&requests);
        let script = Arc::new(Mutex::new(script));
        let current = Arc::clone(&script);
        let handler = move |uri: Uri, _headers: HeaderMap, body: Bytes| {
            let script = current.lock().unwrap().clone();
            let recorder = Arc::clone(&recorder);
            async move {
                recorder.lock().unwrap().push(Recorded {
                    path: uri.path().to_string(),
                    query: uri.query().map(str::to_string),
                    form: form_urlencoded::parse(&body).into_owned().collect(),
                });
                tokio::time::sleep(script.delay).await;
                let mut response =
                    (StatusCode::from_u16(script.status).unwrap(), script.body).into_response();
                response
                    .headers_mut()
                    .insert("content-type", "application/json".parse().unwrap());
                for (name, value) in script.headers {
                    response.headers_mut().insert(name, value.parse().unwrap());
                }
                response
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, axum::Router::new().fallback(handler))
                .await
                .unwrap();
        });
        FakeAuthority {
            url,
            requests,
            script,
        }
    }

    /// Answers `script` from now on.
    pub fn answer_with(&self, script: Script) {
        *self.script.lock().unwrap() = script;
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// A successful token answer for the first sample app, made by the emulator itself.
pub fn token_answer_body() -> String {
    let app = SAMPLE_APPS[0];
    let parameters = [
        ("grant_type", "client_credentials"),
        ("client_id", app.client_id),
        ("client_secret", app.client_secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect();
    entra_connect_server::emulator::answer(SAMPLE_TENANT_DOMAIN, &parameters)
        .body
        .to_string()
}

/// A PostgreSQL URL with its own fresh schema, or `None` to skip: the tests use
/// `DATABASE_URL`; outside CI they skip without it, in CI (`CI=true`) they fail.
pub async fn postgres_url(label: &str) -> Option<(String, String)> {
    let Some(base) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        if std::env::var("CI").is_ok_and(|value| value == "true") {
            panic!(
                "CI=true but DATABASE_URL is not set: the PostgreSQL tests cannot be skipped in CI"
            );
        }
        eprintln!("skipping the PostgreSQL part of {label}: DATABASE_URL is not set");
        return None;
    };
    let schema = format!(
        "test_{}_{}",
        label,
        &entra_connect_server::crypto::random_uuid()[..8]
    );
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .expect("DATABASE_URL must name a reachable PostgreSQL server");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    Some((
        format!("{base}{separator}options=-csearch_path%3D{schema}"),
        schema,
    ))
}

/// Drops a schema made by [`postgres_url`].
pub async fn drop_schema(schema: &str) {
    let base = std::env::var("DATABASE_URL").unwrap();
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}

/// Starts the server binary as `command` describes (stdout piped), waits for its ready line
/// and returns the child and its URL; stdout is drained from then on so the server never
/// blocks on a full pipe.
pub async fn spawn_ready(mut command: tokio::process::Command) -> (tokio::process::Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(30), stdout.read_line(&mut line))
        .await
        .expect("the ready line comes")
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("entra-connect-server listening on ")
        .unwrap_or_else(|| panic!("ready line: {line:?}"))
        .to_string();
    tokio::spawn(async move {
        while stdout
            .read_line(&mut String::new())
            .await
            .is_ok_and(|n| n > 0)
        {}
    });
    (child, url)
}

/// The server binary, listening on 127.0.0.1:0 with a fresh data directory, its log
/// (stderr) in `{data dir}/server.log`, and no database or key settings inherited.
pub fn server_command(label: &str) -> (tokio::process::Command, PathBuf) {
    let data_dir = temp_dir(label);
    let log = std::fs::File::create(data_dir.join("server.log")).unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_entra-connect-server"));
    command
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("ENTRA_CONNECT_KEY")
        .env_remove("ENTRA_CONNECT_KEYS")
        .env_remove("ENTRA_CONNECT_API_KEYS")
        .stderr(log);
    (command, data_dir)
}
