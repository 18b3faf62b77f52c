//! Many instances on one PostgreSQL (SPEC §13), with real server processes: they behave as
//! one (sessions and idempotency live in the database, secrets open with the shared key
//! ring), and `rotate-key` re-seals every stored credential while they serve.
//!
//! Needs `DATABASE_URL`; without it the tests say they are skipped (and fail under CI=true).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{drop_schema, postgres_url, sample_body, temp_dir};
use entra_connect_server::crypto::{parse_key_ring, SecretBox};
use entra_connect_server::store::{ConnectionRecord, NewConnection, Store};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

const API_KEY: &str = "instances-api-key-0123456789abcdefghijklmnop";

fn old_ring() -> String {
    format!("k1:{}", "11".repeat(32))
}

fn new_ring() -> String {
    format!("k2:{},k1:{}", "22".repeat(32), "11".repeat(32))
}

/// One server process on `database_url` with the key ring `ring` and `args`; its log goes
/// to `server.log` in its data directory.
async fn instance_with(database_url: &str, ring: &str, args: &[&str]) -> (Child, String) {
    let (mut command, _) = common::server_command("instance");
    command
        .args(["--demo", "--entra-emulator", "--ip-rate-limit", "0"])
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("ENTRA_CONNECT_KEYS", ring)
        .env("ENTRA_CONNECT_API_KEYS", API_KEY);
    common::spawn_ready(command).await
}

/// One server process on `database_url` with the key ring `ring`.
async fn instance(database_url: &str, ring: &str) -> (Child, String) {
    instance_with(database_url, ring, &[]).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn session(client: &reqwest::Client, url: &str, account_id: &str) -> String {
    let answer = client
        .post(format!("{url}/api/sessions"))
        .bearer_auth(API_KEY)
        .json(&json!({ "account_id": account_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    answer.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn connect(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    key: &str,
) -> (u16, bool, Value) {
    let answer = client
        .post(format!("{url}/api/entra/connections"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&sample_body())
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let replayed = answer.headers().contains_key("idempotent-replayed");
    (status, replayed, answer.json().await.unwrap_or(Value::Null))
}

async fn database(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_behave_as_one() {
    let Some((url, schema)) = postgres_url("instances").await else {
        return;
    };
    let (_a, a) = instance(&url, &old_ring()).await;
    let (_b, b) = instance(&url, &old_ring()).await;
    let http = client();
    // A session minted on one instance works on the other.
    let token = session(&http, &a, "acme").await;

    // 50 identical requests at once, one Idempotency-Key, spread over both instances.
    let requests = (0..50u32).map(|index| {
        let (http, token) = (http.clone(), token.clone());
        let url = if index.is_multiple_of(2) {
            a.clone()
        } else {
            b.clone()
        };
        tokio::spawn(async move { connect(&http, &url, &token, "one-key-two-instances").await })
    });
    let answers: Vec<(u16, bool, Value)> = futures_join(requests).await;
    let first = &answers.iter().find(|(_, replayed, _)| !replayed).unwrap().2;
    for (status, _, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body, first, "every answer is the first one");
    }
    assert_eq!(
        answers.iter().filter(|(_, replayed, _)| !replayed).count(),
        1
    );
    let db = database(&url).await;
    let count: i64 = db
        .query_one("SELECT COUNT(*) FROM connections", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 1, "exactly one connection");

    // Created through one, read through the other.
    let id = first["connection_id"].as_str().unwrap();
    for url in [&a, &b] {
        let read = http
            .get(format!("{url}/api/entra/connections/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), 200);
        assert_eq!(read.json::<Value>().await.unwrap(), *first);
    }
    // Verified through the other: its key ring opens the secret the first one sealed.
    let verified = http
        .post(format!("{b}/api/entra/connections/{id}/verify"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 200);
    let verified: Value = verified.json().await.unwrap();
    assert_eq!(verified["status"], "active", "{verified}");
    assert_eq!(
        verified["granted_permissions"],
        first["granted_permissions"]
    );
    eprintln!(
        "two instances: 50 concurrent identical requests, 1 connection, 49 replays; read through both, verified through the other"
    );
    drop_schema(&schema).await;
}

/// Awaits every task, in order.
async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotate_key_reseals_every_credential_while_instances_serve() {
    const STORED: usize = 1000;
    let Some((url, schema)) = postgres_url("rotate").await else {
        return;
    };
    // 1,000 connections stored under the old key k1, as instances before the rotation did.
    let old = SecretBox::from_ring(parse_key_ring(&old_ring()).unwrap());
    let store = Store::open(Some(&url), &temp_dir("rotate-seed"))
        .await
        .unwrap();
    let secret = |index: usize| format!("Emu8Q~SeededSecret-{index:04}-0123456789abcdef");
    let mut seeded = Vec::new();
    for index in 0..STORED {
        let connection_id = format!("seed-{index:04}");
        let connection = NewConnection {
            client_secret_sealed: old.seal(secret(index).as_bytes(), connection_id.as_bytes()),
            session_hash: "seed".into(),
            record: ConnectionRecord {
                connection_id: connection_id.clone(),
                account_id: "acme".into(),
                tenant_id: "fc659cb7-0c66-4e32-9f96-c35c869581b6".into(),
                client_id: "38a6702a-fb0c-4495-976f-5e260e080751".into(),
                cloud: "global".into(),
                scope: "https://graph.microsoft.com/.default".into(),
                granted_permissions: vec!["User.Read.All".into()],
                credential_type: "client_secret".into(),
                problem: None,
                verified_at: 1_700_000_000 + index as i64,
                credential_updated_at: 1_700_000_000 + index as i64,
                credential_expires_at: None,
                created_at: 1_700_000_000 + index as i64,
            },
        };
        store.insert_connection(&connection, None).await.unwrap();
        seeded.push(connection_id);
    }

    // Both instances already hold the new ring (k2 first), then the rotation runs while
    // they serve reads and new connections.
    let (_a, a) = instance(&url, &new_ring()).await;
    let (_b, b) = instance(&url, &new_ring()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let load = {
        let (stop, served) = (Arc::clone(&stop), Arc::clone(&served));
        let seeded = seeded.clone();
        tokio::spawn(async move {
            let http = client();
            let mut failures = Vec::new();
            let mut round = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let url = if round.is_multiple_of(2) { &a } else { &b };
                let token = session(&http, url, "acme").await;
                let read = http
                    .get(format!(
                        "{url}/api/entra/connections/{}",
                        seeded[round * 37 % STORED]
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16();
                let (created, _, _) = connect(&http, url, &token, &format!("load-{round}")).await;
                if (read, created) != (200, 201) {
                    failures.push((round, read, created));
                }
                served.fetch_add(2, Ordering::Relaxed);
                round += 1;
            }
            failures
        })
    };
    while served.load(Ordering::Relaxed) < 4 {
        tokio::task::yield_now().await;
    }
    let before = served.load(Ordering::Relaxed);
    let started = Instant::now();
    let output = rotate(&url).await;
    let took = started.elapsed();
    let during = served.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    let failures = load.await.unwrap();
    assert!(
        failures.is_empty(),
        "requests failed during the rotation: {failures:?}"
    );
    assert!(
        output.contains(&format!("{STORED} re-sealed under key k2")),
        "{output}"
    );
    eprintln!(
        "rotate-key: {STORED} credentials re-sealed in {} ms while {during} requests were served; {}",
        took.as_millis(),
        output.trim()
    );

    // Every credential is now under k2 and opens to what was stored.
    let ring = SecretBox::from_ring(parse_key_ring(&new_ring()).unwrap());
    let mut checked = 0;
    let mut after = String::new();
    loop {
        let page = store.sealed_secrets_after(&after, 500).await.unwrap();
        let Some((last, _)) = page.last() else { break };
        after = last.clone();
        for (connection_id, sealed) in page {
            assert_eq!(SecretBox::key_id_of(&sealed), Some("k2"), "{connection_id}");
            let opened = ring.open(&sealed, connection_id.as_bytes()).unwrap();
            if let Some(index) = connection_id.strip_prefix("seed-") {
                assert_eq!(opened, secret(index.parse().unwrap()).as_bytes());
            }
            checked += 1;
        }
    }
    assert!(
        checked > STORED,
        "the seeded and the new connections were checked"
    );
    // A second run finds nothing to do.
    let again = rotate(&url).await;
    assert!(again.contains(" 0 re-sealed"), "{again}");
    drop_schema(&schema).await;
}

/// Runs `entra-connect-server rotate-key` with the new ring; its stdout.
async fn rotate(database_url: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_entra-connect-server"))
        .args(["rotate-key", "--data-dir"])
        .arg(temp_dir("rotate"))
        .env("DATABASE_URL", database_url)
        .env("ENTRA_CONNECT_KEYS", new_ring())
        .env_remove("ENTRA_CONNECT_KEY")
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "rotate-key failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A TCP relay in front of PostgreSQL that the test can take down (every relayed
/// connection cut, new ones closed at once) and bring back, as a database restart looks to
/// the server.
struct Relay {
    url: String,
    down: Arc<AtomicBool>,
    links: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(database_url: &str) -> Relay {
        let parsed = reqwest::Url::parse(database_url).unwrap();
        let upstream = format!(
            "{}:{}",
            parsed.host_str().unwrap(),
            parsed.port().unwrap_or(5432)
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = database_url.replacen(&upstream, &listener.local_addr().unwrap().to_string(), 1);
        let down = Arc::new(AtomicBool::new(false));
        let links = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (accepting_down, accepting_links) = (Arc::clone(&down), Arc::clone(&links));
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if accepting_down.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                accepting_links.lock().unwrap().push(link);
            }
        });
        Relay { url, down, links }
    }

    fn stop_database(&self) {
        self.down.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn start_database(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_answers_503_and_service_resumes_when_it_is_back() {
    let Some((url, schema)) = postgres_url("outage").await else {
        return;
    };
    let relay = Relay::start(&url).await;
    let mut config = common::test_config(&temp_dir("outage"));
    config.database_url = Some(relay.url.clone());
    config.encryption_keys = Some(old_ring());
    let server = common::TestServer::start(config).await;
    let token = server.session().await;
    assert_eq!(
        server
            .connect(&token, &sample_body(), Some("before"))
            .await
            .status,
        201
    );

    relay.stop_database();
    let list = |server: &common::TestServer, token: &str| {
        server
            .client
            .get(server.url("/api/entra/connections"))
            .bearer_auth(token.to_string())
    };
    for answer in [
        server.connect(&token, &sample_body(), Some("during")).await,
        server.send(list(&server, &token)).await,
        server
            .send(server.client.post(server.url("/api/sessions")))
            .await,
        server
            .send(server.client.get(server.url("/api/health")))
            .await,
    ] {
        assert_eq!(
            (answer.status, answer.code()),
            (503, "database_unavailable"),
            "{}",
            answer.body
        );
        assert_eq!(answer.header("retry-after"), Some("2"));
    }

    relay.start_database();
    // The store reconnects by itself: the next requests succeed, with no restart.
    let started = Instant::now();
    let mut attempts = 0;
    let listed = loop {
        attempts += 1;
        let answer = server.send(list(&server, &token)).await;
        if answer.status == 200 || started.elapsed() > Duration::from_secs(10) {
            break answer;
        }
    };
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["connections"].as_array().unwrap().len(), 1);
    // The submission refused during the outage succeeds when retried with its key.
    assert_eq!(
        server
            .connect(&token, &sample_body(), Some("during"))
            .await
            .status,
        201
    );
    eprintln!(
        "database outage: 503 database_unavailable while down; served again after {attempts} attempt(s), {} ms",
        started.elapsed().as_millis()
    );
    server.stop().await;
    drop_schema(&schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_between_verification_and_store_then_a_retry_gives_one_connection() {
    let Some((url, schema)) = postgres_url("kill9").await else {
        return;
    };
    // A short claim timeout, so the retry takes over the dead instance's claim in seconds.
    let timeouts = ["--upstream-timeout", "1", "--claim-timeout", "2"];
    let (mut a, a_url) = instance_with(&url, &old_ring(), &timeouts).await;
    let (_b, b_url) = instance_with(&url, &old_ring(), &timeouts).await;
    let http = client();
    let token = session(&http, &a_url, "acme").await;

    // Hold the connections table against writes (reads go on): the request verifies with
    // the identity platform, then blocks on its INSERT, exactly between the two.
    let lock = database(&url).await;
    lock.batch_execute("BEGIN; LOCK TABLE connections IN SHARE MODE")
        .await
        .unwrap();
    let request = {
        let (http, token, a_url) = (http.clone(), token.clone(), a_url.clone());
        tokio::spawn(async move {
            http.post(format!("{a_url}/api/entra/connections"))
                .bearer_auth(&token)
                .header("idempotency-key", "killed-mid-request")
                .json(&sample_body())
                .send()
                .await
        })
    };
    let watcher = database(&url).await;
    loop {
        let waiting: i64 = watcher
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO connections%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    a.start_kill().unwrap();
    a.wait().await.unwrap();
    lock.batch_execute("ROLLBACK").await.unwrap();
    assert!(
        request.await.unwrap().is_err(),
        "the killed instance never answered"
    );
    assert_eq!(connection_count(&watcher).await, 0, "nothing was stored");

    // The retry, same session and key, through the surviving instance.
    let (status, replayed, body) = connect(&http, &b_url, &token, "killed-mid-request").await;
    assert_eq!((status, replayed), (201, false), "{body}");
    let (status, replayed, again) = connect(&http, &b_url, &token, "killed-mid-request").await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(again, body);
    assert_eq!(
        connection_count(&watcher).await,
        1,
        "exactly one connection"
    );
    eprintln!("kill -9 between verification and store: the retry made the only connection");
    drop_schema(&schema).await;
}

async fn connection_count(db: &tokio_postgres::Client) -> i64 {
    db.query_one("SELECT COUNT(*) FROM connections", &[])
        .await
        .unwrap()
        .get(0)
}
