//! A connection's life after it is created (SPEC §9.2), on the backend: `verify` acquires a
//! fresh token with the stored credential and records what it found, and `DELETE` destroys
//! the stored credential, on SQLite and on PostgreSQL.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    drop_schema, postgres_url, sample_body, temp_dir, test_config, token_answer_body, Answer,
    FakeAuthority, Script, TestServer,
};
use entra_connect_server::Config;

fn verify(server: &TestServer, token: &str, id: &str) -> reqwest::RequestBuilder {
    server
        .client
        .post(server.url(&format!("/api/entra/connections/{id}/verify")))
        .bearer_auth(token)
}

async fn read(server: &TestServer, token: &str, id: &str) -> Answer {
    server
        .send(
            server
                .client
                .get(server.url(&format!("/api/entra/connections/{id}")))
                .bearer_auth(token),
        )
        .await
}

#[tokio::test]
async fn verify_records_a_refused_credential_and_a_transient_failure_changes_nothing() {
    let authority = FakeAuthority::start(Script::answer(200, token_answer_body())).await;
    let mut config = test_config(&temp_dir("lifecycle-verify"));
    config.entra_emulator = false;
    config.authority_url = Some(authority.url.clone());
    let server = TestServer::start(config).await;
    let token = server.session().await;
    let created = server.connect(&token, &sample_body(), None).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["connection_id"].as_str().unwrap().to_string();
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["credential_type"], "client_secret");
    assert_eq!(created.body["verified_at"], created.body["created_at"]);
    assert_eq!(
        created.body["credential_updated_at"],
        created.body["created_at"]
    );
    assert!(created.body.get("problem").is_none());

    // The secret lapsed since: the check says so, on the field to fix.
    authority.answer_with(Script::aadsts(401, "invalid_client", 7000222));
    let before = authority.count();
    let expired = server.send(verify(&server, &token, &id)).await;
    assert_eq!(expired.status, 200, "{}", expired.body);
    assert_eq!(
        authority.count(),
        before + 1,
        "a fresh token request, no cache"
    );
    let sent = authority
        .requests
        .lock()
        .unwrap()
        .last()
        .unwrap()
        .form
        .clone();
    let sent_secret = sent
        .iter()
        .find(|(name, _)| name == "client_secret")
        .unwrap();
    assert_eq!(
        sent_secret.1,
        sample_body()["client_secret"].as_str().unwrap(),
        "the stored secret, opened"
    );
    assert_eq!(expired.body["status"], "needs_attention");
    assert_eq!(expired.body["problem"]["code"], "secret_expired");
    assert_eq!(expired.body["problem"]["field"], "clientSecret");
    assert!(!expired.body["problem"]["message"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(read(&server, &token, &id).await.body, expired.body);

    // Microsoft is down: the answer says so and the stored state stays as it was.
    authority.answer_with(Script::answer(503, "{}"));
    let down = server.send(verify(&server, &token, &id)).await;
    assert_eq!((down.status, down.code()), (503, "upstream_unavailable"));
    assert_eq!(read(&server, &token, &id).await.body, expired.body);

    // Fixed on Microsoft's side: active again, the problem gone.
    authority.answer_with(Script::answer(200, token_answer_body()));
    let fixed = server.send(verify(&server, &token, &id)).await;
    assert_eq!(fixed.status, 200);
    assert_eq!(fixed.body["status"], "active");
    assert!(fixed.body.get("problem").is_none());
    assert_eq!(
        fixed.body["granted_permissions"],
        created.body["granted_permissions"]
    );

    // An id that is not there.
    let unknown = server.send(verify(&server, &token, "no-such-id")).await;
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));
    server.stop().await;
}

fn rotate(
    server: &TestServer,
    token: &str,
    id: &str,
    body: serde_json::Value,
) -> reqwest::RequestBuilder {
    server
        .client
        .put(server.url(&format!("/api/entra/connections/{id}/credentials")))
        .bearer_auth(token)
        .json(&body)
}

const NEW_SECRET: &str = "Nw8Q~RotatedSecretValue-0123456789abcdefg";

#[tokio::test]
async fn a_rotation_verifies_first_and_replaces_only_on_success() {
    let authority = FakeAuthority::start(Script::answer(200, token_answer_body())).await;
    let base = temp_dir("lifecycle-rotate");
    let mut config = test_config(&base);
    config.entra_emulator = false;
    config.authority_url = Some(authority.url.clone());
    let server = TestServer::start(config).await;
    let token = server.session().await;
    let created = server.connect(&token, &sample_body(), None).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["connection_id"].as_str().unwrap().to_string();
    // Made a day ago, so that the rotation's time is visibly later.
    let database =
        rusqlite::Connection::open(base.join("data").join("entra-connect.sqlite3")).unwrap();
    database
        .execute(
            "UPDATE connections SET created_at = created_at - 86400, verified_at = verified_at - 86400,
             credential_updated_at = credential_updated_at - 86400",
            [],
        )
        .unwrap();
    let before = read(&server, &token, &id).await.body;
    let sealed = || async {
        server
            .server
            .state
            .store
            .sealed_secret(&id)
            .await
            .unwrap()
            .unwrap()
    };
    let sealed_before = sealed().await;

    // A wrong secret: the §6.3 refusal on the secret field, and nothing changes.
    authority.answer_with(Script::aadsts(401, "invalid_client", 7000215));
    let refused = server
        .send(rotate(
            &server,
            &token,
            &id,
            serde_json::json!({ "client_secret": NEW_SECRET }),
        ))
        .await;
    assert_eq!(
        (refused.status, refused.code(), refused.field()),
        (422, "invalid_secret", "clientSecret")
    );
    assert_eq!(read(&server, &token, &id).await.body, before);
    assert_eq!(sealed().await, sealed_before);
    // The stored credential still verifies.
    authority.answer_with(Script::answer(200, token_answer_body()));
    let still = server.send(verify(&server, &token, &id)).await;
    assert_eq!(
        (still.status, &still.body["status"]),
        (200, &serde_json::json!("active"))
    );
    let sent = |index: usize| {
        authority.requests.lock().unwrap()[index]
            .form
            .iter()
            .find(|(name, _)| name == "client_secret")
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(
        sent(authority.count() - 1),
        sample_body()["client_secret"].as_str().unwrap()
    );

    // Rules first: a secret ID instead of its value never reaches Microsoft.
    let count = authority.count();
    let secret_id = server
        .send(rotate(
            &server,
            &token,
            &id,
            serde_json::json!({ "client_secret": "0c5f4b8e-8a66-4d4d-9a8f-3f0f7f8b9a10" }),
        ))
        .await;
    assert_eq!(
        (secret_id.status, secret_id.code(), secret_id.field()),
        (422, "validation_failed", "clientSecret")
    );
    for body in [
        serde_json::json!({}),
        serde_json::json!({ "client_secret": 5 }),
        serde_json::json!([NEW_SECRET]),
        serde_json::json!({ "client_secret": NEW_SECRET, "credential_expires_at": "12/05/2027" }),
    ] {
        let bad = server
            .send(rotate(&server, &token, &id, body.clone()))
            .await;
        assert_eq!((bad.status, bad.code()), (400, "invalid_json"), "{body}");
    }
    assert_eq!(authority.count(), count);

    // The right one, with its expiry and an Idempotency-Key: replaced, same id.
    let body =
        serde_json::json!({ "client_secret": NEW_SECRET, "credential_expires_at": "2027-06-30" });
    let rotated = server
        .send(rotate(&server, &token, &id, body.clone()).header("idempotency-key", "rotate-1"))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_eq!(
        sent(authority.count() - 1),
        NEW_SECRET,
        "the new secret was verified"
    );
    assert_eq!(rotated.body["connection_id"], id.as_str());
    assert_eq!(rotated.body["status"], "active");
    assert_eq!(
        rotated.body["credential_expires_at"],
        "2027-06-30T23:59:59Z"
    );
    assert_eq!(rotated.body["created_at"], before["created_at"]);
    assert!(
        rotated.body["credential_updated_at"].as_str() > before["credential_updated_at"].as_str()
    );
    assert_eq!(read(&server, &token, &id).await.body, rotated.body);
    let opened = server
        .server
        .state
        .secret_box
        .open(&sealed().await, id.as_bytes())
        .unwrap();
    assert_eq!(opened, NEW_SECRET.as_bytes());
    // Its retry replays the answer without asking Microsoft again.
    let count = authority.count();
    let replayed = server
        .send(rotate(&server, &token, &id, body).header("idempotency-key", "rotate-1"))
        .await;
    assert_eq!((replayed.status, &replayed.body), (200, &rotated.body));
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(authority.count(), count);

    let unknown = server
        .send(rotate(
            &server,
            &token,
            "no-such-id",
            serde_json::json!({ "client_secret": NEW_SECRET }),
        ))
        .await;
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));
    server.stop().await;
}

/// Creates a connection, deletes it, and checks it is gone for every call and from the
/// database's bytes; the database file paths to search are given by `files`.
async fn delete_destroys_the_credential(config: Config) -> (TestServer, Vec<u8>) {
    let server = TestServer::start(config).await;
    let token = server.session().await;
    let created = server
        .connect(&token, &sample_body(), Some("delete-me"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["connection_id"].as_str().unwrap().to_string();
    let sealed = server
        .server
        .state
        .store
        .sealed_secret(&id)
        .await
        .unwrap()
        .unwrap();
    let delete = || {
        server
            .client
            .delete(server.url(&format!("/api/entra/connections/{id}")))
            .bearer_auth(&token)
    };
    let deleted = server.send(delete()).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(server.send(delete()).await.status, 404);
    assert_eq!(read(&server, &token, &id).await.status, 404);
    assert_eq!(server.send(verify(&server, &token, &id)).await.status, 404);
    assert!(server
        .server
        .state
        .store
        .sealed_secret(&id)
        .await
        .unwrap()
        .is_none());
    (server, sealed)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn sqlite_delete_leaves_no_trace_of_the_sealed_credential_in_the_files() {
    let base = temp_dir("lifecycle-delete");
    let (server, sealed) = delete_destroys_the_credential(test_config(&base)).await;
    let mut searched = 0;
    for entry in std::fs::read_dir(base.join("data")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("entra-connect.sqlite3") {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !contains(&bytes, &sealed),
                "{name} still holds the sealed credential"
            );
            searched += 1;
        }
    }
    assert!(searched >= 1, "the database file was searched");
    server.stop().await;
}

#[tokio::test]
async fn postgres_delete_removes_the_row() {
    let Some((url, schema)) = postgres_url("delete").await else {
        return;
    };
    let mut config = test_config(&temp_dir("lifecycle-delete-pg"));
    config.database_url = Some(url.clone());
    config.encryption_keys = Some(format!("test:{}", "5a".repeat(32)));
    let (server, _) = delete_destroys_the_credential(config).await;
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM connections", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
    server.stop().await;
    drop_schema(&schema).await;
}
