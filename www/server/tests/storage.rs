//! Storage behaviour on SQLite and on a real PostgreSQL server (`DATABASE_URL`): restarts
//! lose nothing, secrets are sealed at rest, and an Idempotency-Key creates exactly one
//! connection under 50 concurrent identical requests.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;

use common::{drop_schema, postgres_url, sample_body, temp_dir, test_config, TestServer};
use entra_connect_server::emulator::SAMPLE_APPS;
use entra_connect_server::Config;

/// A config on `base`, with PostgreSQL when `database_url` is given.
fn config_for(base: &Path, database_url: Option<&str>) -> Config {
    let mut config = test_config(base);
    config.database_url = database_url.map(str::to_string);
    if database_url.is_some() {
        // PostgreSQL is shared, so the server refuses to generate a key of its own.
        config.encryption_keys = Some(format!("test:{}", "5a".repeat(32)));
    }
    config
}

async fn restart_loses_nothing(database_url: Option<&str>, expected_kind: &str) {
    let base = temp_dir("restart");
    let server = TestServer::start(config_for(&base, database_url)).await;
    assert_eq!(server.server.state.store.kind(), expected_kind);
    let token = server.session().await;
    let key = "restart-key";
    let first = server.connect(&token, &sample_body(), Some(key)).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let connection_id = first.body["connection_id"].as_str().unwrap().to_string();
    server.stop().await;

    let server = TestServer::start(config_for(&base, database_url)).await;
    let reader = server.session().await;
    let listed = server
        .send(
            server
                .client
                .get(server.url("/api/entra/connections"))
                .bearer_auth(&reader),
        )
        .await;
    let ids: Vec<&str> = listed.body["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|connection| connection["connection_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [connection_id.as_str()]);
    // The session and the idempotency record survived too: the retry replays.
    let replay = server.connect(&token, &sample_body(), Some(key)).await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.body, first.body);
    assert_eq!(server.row_count().await, 1);
    // The key survived: the sealed secret still opens, and only with its own row's ID.
    let state = &server.server.state;
    let sealed = state
        .store
        .sealed_secret(&connection_id)
        .await
        .unwrap()
        .unwrap();
    let opened = state
        .secret_box
        .open(&sealed, connection_id.as_bytes())
        .unwrap();
    assert!(
        opened == SAMPLE_APPS[0].client_secret.as_bytes(),
        "the sealed secret opens to the original"
    );
    assert!(state
        .secret_box
        .open(&sealed, b"another-connection")
        .is_err());
    assert!(!sealed
        .windows(SAMPLE_APPS[0].client_secret.len())
        .any(|window| window == SAMPLE_APPS[0].client_secret.as_bytes()));
    server.stop().await;
}

async fn fifty_identical_requests_create_one_connection(database_url: Option<&str>) {
    let base = temp_dir("concurrent");
    let server = std::sync::Arc::new(TestServer::start(config_for(&base, database_url)).await);
    let token = server.session().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let server = std::sync::Arc::clone(&server);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            server
                .connect(&token, &sample_body(), Some("one-submission"))
                .await
        }));
    }
    let mut connection_ids = Vec::new();
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, 201, "{}", answer.body);
        connection_ids.push(answer.body["connection_id"].as_str().unwrap().to_string());
    }
    connection_ids.dedup();
    assert_eq!(
        connection_ids.len(),
        1,
        "every answer names the same connection"
    );
    assert_eq!(server.row_count().await, 1, "exactly one row");
    std::sync::Arc::into_inner(server).unwrap().stop().await;
}

#[tokio::test]
async fn sqlite_restart_loses_nothing() {
    restart_loses_nothing(None, "sqlite").await;
}

#[tokio::test]
async fn sqlite_fifty_identical_requests_create_one_connection() {
    fifty_identical_requests_create_one_connection(None).await;
}

#[tokio::test]
async fn postgres_restart_loses_nothing() {
    let Some((url, schema)) = postgres_url("restart").await else {
        return;
    };
    restart_loses_nothing(Some(&url), "postgres").await;
    drop_schema(&schema).await;
}

#[tokio::test]
async fn postgres_fifty_identical_requests_create_one_connection() {
    let Some((url, schema)) = postgres_url("concurrent").await else {
        return;
    };
    fifty_identical_requests_create_one_connection(Some(&url)).await;
    drop_schema(&schema).await;
}

#[tokio::test]
async fn postgres_migrations_run_once_for_servers_starting_together() {
    let Some((url, schema)) = postgres_url("migrate").await else {
        return;
    };
    let (first, second) = tokio::join!(
        TestServer::start(config_for(&temp_dir("migrate-a"), Some(&url))),
        TestServer::start(config_for(&temp_dir("migrate-b"), Some(&url))),
    );
    let token = first.session().await;
    assert_eq!(
        first.connect(&token, &sample_body(), None).await.status,
        201
    );
    assert_eq!(
        second.row_count().await,
        1,
        "both servers see the same database"
    );
    first.stop().await;
    second.stop().await;
    drop_schema(&schema).await;
}

#[tokio::test]
async fn sqlite_file_never_holds_the_secret_in_plaintext() {
    let base = temp_dir("plaintext");
    let server = TestServer::start(config_for(&base, None)).await;
    let token = server.session().await;
    assert_eq!(
        server.connect(&token, &sample_body(), None).await.status,
        201
    );
    let data_dir = server.data_dir.clone();
    server.stop().await;
    let secret = SAMPLE_APPS[0].client_secret.as_bytes();
    let mut files = 0;
    for entry in std::fs::read_dir(&data_dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        assert!(
            !bytes.windows(secret.len()).any(|window| window == secret),
            "{} holds the secret in plaintext",
            path.display()
        );
        assert!(
            !bytes
                .windows(token.len())
                .any(|window| window == token.as_bytes()),
            "{} holds the session token",
            path.display()
        );
    }
    assert!(files >= 2, "the SQLite file and the key file were checked");
    assert!(data_dir
        .join(entra_connect_server::store::SQLITE_FILE_NAME)
        .exists());
}

#[tokio::test]
async fn key_from_the_environment_replaces_the_key_file() {
    let base = temp_dir("env-key");
    let mut config = config_for(&base, None);
    config.encryption_key = Some("11".repeat(32));
    let server = TestServer::start(config.clone()).await;
    let token = server.session().await;
    let created = server.connect(&token, &sample_body(), None).await;
    let connection_id = created.body["connection_id"].as_str().unwrap().to_string();
    assert!(!server.data_dir.join("encryption.key").exists());
    server.stop().await;

    config.encryption_key = Some("22".repeat(32));
    let server = TestServer::start(config).await;
    let sealed = server
        .server
        .state
        .store
        .sealed_secret(&connection_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        server
            .server
            .state
            .secret_box
            .open(&sealed, connection_id.as_bytes())
            .is_err(),
        "a wrong key cannot open it"
    );
    server.stop().await;
}

/// A day-old idempotency row is pruned when the next session is minted; a fresh one stays.
async fn idempotency_rows_are_pruned_after_a_day(database_url: Option<&str>) {
    use entra_connect_server::store::{
        Claim, IdempotencyScope, SessionRecord, Store, IDEMPOTENCY_RETENTION_SECONDS,
    };
    let store = Store::open(database_url, &temp_dir("prune")).await.unwrap();
    let now = 1_800_000_000;
    let scope = |key: &str| IdempotencyScope {
        session_hash: "prune-session".into(),
        key: key.into(),
    };
    let claim = |key: &'static str, at: i64| {
        let store = &store;
        async move {
            store
                .claim_idempotency(&scope(key), "fingerprint", at, at - 120)
                .await
                .unwrap()
        }
    };
    let old = now - IDEMPOTENCY_RETENTION_SECONDS - 1;
    assert_eq!(claim("old", old).await, Claim::Owned);
    assert_eq!(claim("recent", now - 60).await, Claim::Owned);
    store
        .insert_session(&SessionRecord {
            token_hash: "prune-token".into(),
            account_id: "acme".into(),
            origin: "http://127.0.0.1".into(),
            created_at: now,
            expires_at: now + 900,
        })
        .await
        .unwrap();
    // The old row is gone, so its key is free again; the recent one is still held.
    assert_eq!(claim("old", now).await, Claim::Owned);
    assert_eq!(
        claim("recent", now).await,
        Claim::Pending {
            fingerprint: "fingerprint".into()
        }
    );
}

#[tokio::test]
async fn sqlite_idempotency_rows_are_pruned_after_a_day() {
    idempotency_rows_are_pruned_after_a_day(None).await;
}

#[tokio::test]
async fn postgres_idempotency_rows_are_pruned_after_a_day() {
    let Some((url, schema)) = postgres_url("prune").await else {
        return;
    };
    idempotency_rows_are_pruned_after_a_day(Some(&url)).await;
    drop_schema(&schema).await;
}
