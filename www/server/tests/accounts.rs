//! Accounts and API keys (SPEC §11.1): sessions are minted with an API key for an account,
//! every read is scoped to the session's account, and only `--demo` lets the browser mint
//! sessions without a key.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{sample_body, temp_dir, test_config, Answer, TestServer};
use entra_connect_server::{start, Config};
use serde_json::{json, Value};

const API_KEY: &str = "test-api-key-0123456789abcdefghijklmnopqrstuv";

fn config_with_key(label: &str) -> Config {
    let mut config = test_config(&temp_dir(label));
    config.api_keys = vec![API_KEY.to_string()];
    config
}

/// `POST /api/sessions` with `key` (none: no Authorization) and `body`.
async fn mint(server: &TestServer, key: Option<&str>, body: Option<Value>) -> Answer {
    let mut request = server.client.post(server.url("/api/sessions"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    server.send(request).await
}

async fn session_for(server: &TestServer, account_id: &str) -> String {
    let answer = mint(
        server,
        Some(API_KEY),
        Some(json!({ "account_id": account_id })),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body["token"].as_str().unwrap().to_string()
}

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> Answer {
    let mut request = server.client.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    server.send(request).await
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|connection| connection["connection_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn outside_demo_sessions_need_an_api_key() {
    let mut config = config_with_key("no-demo");
    config.demo = false;
    config.entra_emulator = false;
    let server = TestServer::start(config).await;
    let keyless = mint(&server, None, None).await;
    assert_eq!(keyless.status, 401);
    assert_eq!(keyless.code(), "api_key_required");
    let wrong = mint(
        &server,
        Some(&API_KEY.replace('0', "1")),
        Some(json!({ "account_id": "acme" })),
    )
    .await;
    assert_eq!((wrong.status, wrong.code()), (401, "invalid_api_key"));
    let short = mint(&server, Some("x"), Some(json!({ "account_id": "acme" }))).await;
    assert_eq!((short.status, short.code()), (401, "invalid_api_key"));
    let not_bearer = server
        .send(
            server
                .client
                .post(server.url("/api/sessions"))
                .header("authorization", format!("Basic {API_KEY}"))
                .json(&json!({ "account_id": "acme" })),
        )
        .await;
    assert_eq!(not_bearer.status, 401);
    for body in [
        json!({}),
        json!({ "account_id": "" }),
        json!({ "account_id": "a b" }),
        json!({ "account_id": "x".repeat(129) }),
        json!({ "account_id": "acme", "origin": "app.example.com" }),
        json!({ "account_id": "acme", "role": "admin" }),
        json!(["acme"]),
    ] {
        let refused = mint(&server, Some(API_KEY), Some(body.clone())).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "invalid_session_request"),
            "{body}"
        );
    }
    let minted = mint(
        &server,
        Some(API_KEY),
        Some(json!({ "account_id": "acme", "origin": "https://App.example.com/" })),
    )
    .await;
    assert_eq!(minted.status, 201, "{}", minted.body);
    // The session is bound to the origin it was minted for.
    let token = minted.body["token"].as_str().unwrap();
    let elsewhere = server
        .send(
            server
                .client
                .get(server.url("/api/entra/connections"))
                .header("origin", "https://evil.example.com")
                .bearer_auth(token),
        )
        .await;
    assert_eq!(elsewhere.status, 401);
    let from_the_app = server
        .send(
            server
                .client
                .get(server.url("/api/entra/connections"))
                .header("origin", "https://app.example.com")
                .bearer_auth(token),
        )
        .await;
    assert_eq!(from_the_app.status, 200, "{}", from_the_app.body);
    server.stop().await;
}

#[tokio::test]
async fn the_server_refuses_to_start_without_a_way_to_mint_sessions() {
    let mut config = test_config(&temp_dir("refuse"));
    config.demo = false;
    config.entra_emulator = false;
    let error = start(config.clone()).await.err().unwrap();
    assert!(error.contains("ENTRA_CONNECT_API_KEYS"), "{error}");
    assert!(error.contains("--demo"), "{error}");
    config.api_keys = vec![API_KEY.to_string()];
    config.entra_emulator = true;
    let error = start(config).await.err().unwrap();
    assert!(
        error.contains("--entra-emulator") && error.contains("--demo"),
        "{error}"
    );
}

#[tokio::test]
async fn an_account_never_sees_another_accounts_connections() {
    let server = TestServer::start(config_with_key("accounts")).await;
    let alpha = session_for(&server, "alpha").await;
    let beta = session_for(&server, "beta").await;
    let demo = server.session().await;

    // The same Idempotency-Key in two accounts makes two connections.
    let created = server
        .connect(&alpha, &sample_body(), Some("same-key"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let alphas = created.body["connection_id"].as_str().unwrap().to_string();
    let created = server
        .connect(&beta, &sample_body(), Some("same-key"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let betas = created.body["connection_id"].as_str().unwrap().to_string();
    assert_ne!(alphas, betas);

    assert_eq!(
        ids(&get(&server, "/api/entra/connections", Some(&alpha)).await),
        [alphas.as_str()]
    );
    assert_eq!(
        ids(&get(&server, "/api/entra/connections", Some(&beta)).await),
        [betas.as_str()]
    );
    assert!(ids(&get(&server, "/api/entra/connections", Some(&demo)).await).is_empty());

    let own = get(
        &server,
        &format!("/api/entra/connections/{alphas}"),
        Some(&alpha),
    )
    .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["connection_id"], alphas.as_str());
    assert!(own.body.get("account_id").is_none() && own.body.get("client_secret").is_none());

    // Another account's id answers exactly as an id that does not exist.
    let foreign = get(
        &server,
        &format!("/api/entra/connections/{alphas}"),
        Some(&beta),
    )
    .await;
    let unknown = get(
        &server,
        &format!(
            "/api/entra/connections/{}",
            entra_connect_server::crypto::random_uuid()
        ),
        Some(&beta),
    )
    .await;
    assert_eq!((foreign.status, foreign.code()), (404, "not_found"));
    assert_eq!(
        (foreign.status, &foreign.body),
        (unknown.status, &unknown.body)
    );

    // Nor verified or deleted: the same 404, and alpha's connection is untouched.
    let verify = |token: &str| {
        server
            .client
            .post(server.url(&format!("/api/entra/connections/{alphas}/verify")))
            .bearer_auth(token.to_string())
    };
    let delete = |token: &str| {
        server
            .client
            .delete(server.url(&format!("/api/entra/connections/{alphas}")))
            .bearer_auth(token.to_string())
    };
    let rotate = |token: &str| {
        server
            .client
            .put(server.url(&format!("/api/entra/connections/{alphas}/credentials")))
            .bearer_auth(token.to_string())
            .json(&json!({ "client_secret": sample_body()["client_secret"] }))
    };
    for request in [verify(&beta), delete(&beta), rotate(&beta)] {
        let foreign = server.send(request).await;
        assert_eq!((foreign.status, &foreign.body), (404, &unknown.body));
    }
    let rotated = server.send(rotate(&alpha)).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let verified = server.send(verify(&alpha)).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["status"], "active");

    // Without a session nothing is read.
    for path in [
        "/api/entra/connections".to_string(),
        format!("/api/entra/connections/{alphas}"),
    ] {
        let anonymous = get(&server, &path, None).await;
        assert_eq!(
            (anonymous.status, anonymous.code()),
            (401, "invalid_session"),
            "{path}"
        );
        let forged = get(&server, &path, Some(&"A".repeat(43))).await;
        assert_eq!(forged.status, 401, "{path}");
    }
    for request in [
        server
            .client
            .post(server.url(&format!("/api/entra/connections/{alphas}/verify"))),
        server
            .client
            .delete(server.url(&format!("/api/entra/connections/{alphas}"))),
    ] {
        assert_eq!(server.send(request).await.status, 401);
    }
    let deleted = server.send(delete(&alpha)).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        get(
            &server,
            &format!("/api/entra/connections/{alphas}"),
            Some(&alpha)
        )
        .await
        .status,
        404
    );
    server.stop().await;
}
