//! The HTTP API of the reference backend, end to end in-process: every status and error
//! code of `POST /api/sessions` and `/api/entra/connections`, with the Entra emulator (or a
//! scripted fake) as the identity platform.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{sample_body, temp_dir, test_config, Answer, FakeAuthority, Script, TestServer};
use entra_connect_server::config::{Limits, Rate};
use entra_connect_server::crypto::sha256_hex;
use entra_connect_server::emulator::{
    SAMPLE_APPS, SAMPLE_TENANT_ID, THROTTLED_TENANT, UNAVAILABLE_TENANT,
};
use entra_connect_server::store::SessionRecord;
use serde_json::{json, Value};

fn with(mut body: Value, field: &str, value: &str) -> Value {
    body[field] = Value::from(value);
    body
}

fn assert_error(answer: &Answer, status: u16, code: &str, field: &str) {
    assert_eq!(
        (answer.status, answer.code(), answer.field()),
        (status, code, field),
        "error body: {}",
        answer.body["error"]
    );
    assert!(answer.body["error"]["message"]
        .as_str()
        .is_some_and(|text| !text.is_empty()));
}

#[tokio::test]
async fn session_is_minted_with_a_random_token_and_fifteen_minute_expiry() {
    let server = TestServer::sqlite("session").await;
    let answer = server
        .send(server.client.post(server.url("/api/sessions")))
        .await;
    assert_eq!(answer.status, 201);
    let token = answer.body["token"].as_str().unwrap();
    assert_eq!(token.len(), 43);
    let stored = server
        .server
        .state
        .store
        .find_session(&sha256_hex(token.as_bytes()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.expires_at - stored.created_at, 15 * 60);
    assert_eq!(stored.origin, server.server.url);
    assert!(answer.body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        server
            .server
            .state
            .store
            .find_session(token)
            .await
            .unwrap()
            .is_none(),
        "only the hash is stored"
    );
    assert_ne!(server.session().await, server.session().await);
    server.stop().await;
}

#[tokio::test]
async fn sample_credentials_create_a_connection_with_granted_permissions() {
    let server = TestServer::sqlite("success").await;
    let token = server.session().await;
    let answer = server.connect(&token, &sample_body(), None).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(
        answer.body["tenant_id"], SAMPLE_TENANT_ID,
        "the domain resolves to the tenant GUID"
    );
    assert_eq!(answer.body["client_id"], SAMPLE_APPS[0].client_id);
    assert_eq!(answer.body["cloud"], "global");
    assert_eq!(answer.body["scope"], "https://graph.microsoft.com/.default");
    assert_eq!(
        answer.body["granted_permissions"],
        json!(["User.Read.All", "Mail.Read", "Calendars.ReadWrite"])
    );
    assert_eq!(answer.body["connection_id"].as_str().unwrap().len(), 36);

    let reader = json!({
        "tenant_id": SAMPLE_TENANT_ID.to_uppercase(),
        "client_id": SAMPLE_APPS[1].client_id,
        "client_secret": SAMPLE_APPS[1].client_secret,
        "scope": "",
        "cloud": "",
    });
    let answer = server.connect(&token, &reader, None).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.body["granted_permissions"], json!(["User.Read.All"]));
    assert_eq!(server.row_count().await, 2);

    let listed = server
        .send(
            server
                .client
                .get(server.url("/api/entra/connections"))
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(listed.status, 200);
    let connections = listed.body["connections"].as_array().unwrap();
    assert_eq!(connections.len(), 2);
    for connection in connections {
        let mut keys: Vec<&str> = connection
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "client_id",
                "cloud",
                "connection_id",
                "created_at",
                "credential_type",
                "credential_updated_at",
                "granted_permissions",
                "scope",
                "status",
                "tenant_id",
                "verified_at"
            ]
        );
    }
    let text = listed.body.to_string();
    assert!(
        !text.contains(SAMPLE_APPS[0].client_secret)
            && !text.contains(SAMPLE_APPS[1].client_secret)
    );
    server.stop().await;
}

#[tokio::test]
async fn missing_unknown_expired_and_foreign_tokens_are_invalid_sessions() {
    let server = TestServer::sqlite("tokens").await;
    let body = sample_body();
    let missing = server
        .send(
            server
                .client
                .post(server.url("/api/entra/connections"))
                .json(&body),
        )
        .await;
    assert_error(&missing, 401, "invalid_session", "");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_error(
        &server.connect("not-a-token", &body, None).await,
        401,
        "invalid_session",
        "",
    );
    let unknown = "A".repeat(43);
    assert_error(
        &server.connect(&unknown, &body, None).await,
        401,
        "invalid_session",
        "",
    );

    let expired = "E".repeat(43);
    let now = entra_connect_server::time::now_unix();
    let record = SessionRecord {
        token_hash: sha256_hex(expired.as_bytes()),
        account_id: "demo".into(),
        origin: server.server.url.clone(),
        created_at: now - 1000,
        expires_at: now - 1,
    };
    server
        .server
        .state
        .store
        .insert_session(&record)
        .await
        .unwrap();
    assert_error(
        &server.connect(&expired, &body, None).await,
        401,
        "invalid_session",
        "",
    );

    // A token minted for one allowed origin does not work from another.
    let minted = server
        .send(
            server
                .client
                .post(server.url("/api/sessions"))
                .header("Origin", "http://localhost:1"),
        )
        .await;
    assert_eq!(minted.status, 403, "localhost:1 is not an allowed origin");
    let own = server.server.url.clone();
    let other = format!("http://localhost:{}", server.server.addr.port());
    let minted = server
        .send(
            server
                .client
                .post(server.url("/api/sessions"))
                .header("Origin", &own),
        )
        .await;
    let token = minted.body["token"].as_str().unwrap();
    let foreign = server
        .send(
            server
                .client
                .post(server.url("/api/entra/connections"))
                .bearer_auth(token)
                .header("Origin", &other)
                .json(&body),
        )
        .await;
    assert_error(&foreign, 401, "invalid_session", "");
    let same = server
        .send(
            server
                .client
                .post(server.url("/api/entra/connections"))
                .bearer_auth(token)
                .header("Origin", &own)
                .json(&body),
        )
        .await;
    assert_eq!(same.status, 201);
    assert_eq!(server.row_count().await, 1);
    server.stop().await;
}

#[tokio::test]
async fn wrong_content_type_oversized_and_malformed_bodies_are_refused() {
    let server = TestServer::sqlite("bodies").await;
    let token = server.session().await;
    let url = server.url("/api/entra/connections");
    let form = server
        .send(
            server
                .client
                .post(&url)
                .bearer_auth(&token)
                .header("Content-Type", "text/plain")
                .body(sample_body().to_string()),
        )
        .await;
    assert_error(&form, 415, "unsupported_media_type", "");
    let huge = with(sample_body(), "client_secret", &"x".repeat(20_000));
    assert_error(
        &server.connect(&token, &huge, None).await,
        413,
        "payload_too_large",
        "",
    );
    // Without Content-Length, only the streaming limit can stop a large body.
    let status = raw_chunked_post(&server, &token, 20_000).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    let malformed = server
        .send(
            server
                .client
                .post(&url)
                .bearer_auth(&token)
                .header("Content-Type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_error(&malformed, 400, "invalid_json", "");
    let wrong_types = server
        .connect(&token, &json!({ "tenant_id": 5 }), None)
        .await;
    assert_error(&wrong_types, 400, "invalid_json", "");
    assert_eq!(server.row_count().await, 0);
    server.stop().await;
}

/// Posts a chunked JSON body of `size` bytes over a raw socket; returns the status line.
async fn raw_chunked_post(server: &TestServer, token: &str, size: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.server.addr)
        .await
        .unwrap();
    let head = format!(
        "POST /api/entra/connections HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.server.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 1000];
    for _ in 0..size / chunk.len() {
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn section_5_rules_run_again_on_the_server() {
    let server = TestServer::sqlite("rules").await;
    let token = server.session().await;
    let cases = [
        (
            with(sample_body(), "tenant_id", "common"),
            "tenantId",
            "tenant_common",
        ),
        (
            with(sample_body(), "tenant_id", ""),
            "tenantId",
            "tenant_required",
        ),
        (
            with(sample_body(), "client_id", "not-a-guid"),
            "clientId",
            "client_id_invalid",
        ),
        (
            with(
                sample_body(),
                "client_secret",
                "6f1c7a3e-2b0d-4e8f-9a51-3c2d1e0f4b7a",
            ),
            "clientSecret",
            "client_secret_is_secret_id",
        ),
        (
            with(sample_body(), "scope", "User.Read"),
            "scope",
            "scope_named",
        ),
        (
            with(sample_body(), "cloud", "mars"),
            "cloud",
            "cloud_unknown",
        ),
    ];
    for (body, field, rule) in cases {
        let answer = server.connect(&token, &body, None).await;
        assert_error(&answer, 422, "validation_failed", field);
        assert_eq!(answer.body["error"]["details"]["rule"], rule);
        assert!(answer.body["error"]["details"]["errors"]
            .as_array()
            .is_some_and(|errors| !errors.is_empty()));
    }
    assert_eq!(server.row_count().await, 0);
    server.stop().await;
}

#[tokio::test]
async fn hostile_tenants_never_change_the_token_request_host_or_path() {
    let authority = FakeAuthority::start(Script::answer(200, common::token_answer_body())).await;
    let data_dir = temp_dir("hostile");
    let mut config = test_config(&data_dir);
    config.entra_emulator = false;
    config.authority_url = Some(format!("{}/base", authority.url));
    let server = TestServer::start(config).await;
    let token = server.session().await;
    let hostile = [
        "../../evil.example.com",
        "contoso.onmicrosoft.com/../../x",
        "contoso.onmicrosoft.com?x=1",
        "contoso.onmicrosoft.com#frag",
        "attacker@evil.example.com",
        "evil.example.com%2f..%2f",
        "evil.example.com%2F",
        "https://login.microsoftonline.com/../../evil/oauth2/v2.0/token",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com@evil.example.com/oauth2",
        "contoso.onmicrosoft.com\\..\\x",
        "contoso.onmicrosoft.com/oauth2/v2.0/token?",
        "%2e%2e",
    ];
    for tenant in hostile {
        let answer = server
            .connect(&token, &with(sample_body(), "tenant_id", tenant), None)
            .await;
        assert!(
            matches!(answer.status, 201 | 422),
            "{tenant}: {}",
            answer.status
        );
    }
    for request in authority.requests.lock().unwrap().iter() {
        let tenant = request
            .path
            .strip_prefix("/base/")
            .and_then(|rest| rest.strip_suffix("/oauth2/v2.0/token"))
            .unwrap_or_else(|| panic!("unexpected path {}", request.path));
        assert!(
            entra_connect_server::identity::SafeTenant::new(tenant).is_some(),
            "{tenant}"
        );
        assert_eq!(request.query, None);
        let grant = request
            .form
            .iter()
            .find(|(name, _)| name == "grant_type")
            .map(|(_, value)| value.as_str());
        assert_eq!(grant, Some("client_credentials"));
    }
    server.stop().await;
}

#[tokio::test]
async fn identity_platform_rejections_map_to_codes_and_fields() {
    let server = TestServer::sqlite("aadsts").await;
    let token = server.session().await;
    let unknown_tenant = with(sample_body(), "tenant_id", "fabrikam.onmicrosoft.com");
    let answer = server.connect(&token, &unknown_tenant, None).await;
    assert_error(&answer, 422, "tenant_not_found", "tenantId");
    assert_eq!(answer.body["error"]["details"]["aadsts"], "AADSTS90002");
    assert!(answer.body["error"]["details"]["trace_id"].is_string());

    let unknown_app = with(
        sample_body(),
        "client_id",
        "7d3f9c1e-5a2b-4c8d-9e0f-1a2b3c4d5e6f",
    );
    assert_error(
        &server.connect(&token, &unknown_app, None).await,
        422,
        "app_not_found",
        "clientId",
    );

    let wrong_secret = with(
        sample_body(),
        "client_secret",
        "Emu8Q~WrongSecretValue-0123456789abcdefg",
    );
    let answer = server.connect(&token, &wrong_secret, None).await;
    assert_error(&answer, 422, "invalid_secret", "clientSecret");
    assert_eq!(
        answer.body["error"]["details"]["hint"],
        "secret_id_instead_of_value"
    );
    assert!(answer.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Secret ID"));

    let expired = json!({
        "tenant_id": SAMPLE_TENANT_ID,
        "client_id": SAMPLE_APPS[2].client_id,
        "client_secret": SAMPLE_APPS[2].client_secret,
        "scope": "", "cloud": "global",
    });
    assert_error(
        &server.connect(&token, &expired, None).await,
        422,
        "secret_expired",
        "clientSecret",
    );

    let unknown_resource = with(
        sample_body(),
        "scope",
        "api://5f2c8e1a-7b3d-4f6e-9a0c-2d4b6f8a1c3e/.default",
    );
    let answer = server.connect(&token, &unknown_resource, None).await;
    assert_error(&answer, 422, "invalid_scope", "scope");
    assert_eq!(answer.body["error"]["details"]["aadsts"], "AADSTS500011");

    let throttled = with(sample_body(), "tenant_id", THROTTLED_TENANT);
    let answer = server.connect(&token, &throttled, None).await;
    assert_error(&answer, 429, "rate_limited", "");
    assert_eq!(answer.header("retry-after"), Some("2"));

    let unavailable = with(sample_body(), "tenant_id", UNAVAILABLE_TENANT);
    assert_error(
        &server.connect(&token, &unavailable, None).await,
        503,
        "upstream_unavailable",
        "",
    );
    assert_eq!(server.row_count().await, 0);
    server.stop().await;
}

async fn scripted(script: Script, timeout: Duration) -> (TestServer, FakeAuthority) {
    let authority = FakeAuthority::start(script).await;
    let mut config = test_config(&temp_dir("scripted"));
    config.entra_emulator = false;
    config.authority_url = Some(authority.url.clone());
    config.upstream_timeout = timeout;
    (TestServer::start(config).await, authority)
}

#[tokio::test]
async fn scope_and_tenant_codes_the_rules_cannot_see_are_mapped() {
    let cases = [
        (
            Script::aadsts(400, "invalid_scope", 70011),
            "invalid_scope",
            "scope",
        ),
        (
            Script::aadsts(400, "invalid_scope", 1002012),
            "invalid_scope",
            "scope",
        ),
        (
            Script::aadsts(400, "invalid_request", 900023),
            "tenant_not_found",
            "tenantId",
        ),
        (
            Script::aadsts(401, "invalid_client", 7000222),
            "secret_expired",
            "clientSecret",
        ),
        (
            Script::answer(401, r#"{"error":"invalid_client"}"#),
            "invalid_secret",
            "clientSecret",
        ),
        (
            Script::aadsts(400, "invalid_request", 12345),
            "credentials_rejected",
            "",
        ),
    ];
    for (script, code, field) in cases {
        let (server, authority) = scripted(script, Duration::from_secs(5)).await;
        let token = server.session().await;
        assert_error(
            &server.connect(&token, &sample_body(), None).await,
            422,
            code,
            field,
        );
        assert_eq!(authority.count(), 1);
        let form = authority.requests.lock().unwrap()[0].form.clone();
        let names: Vec<&str> = form.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["grant_type", "client_id", "client_secret", "scope"]);
        assert_eq!(form[3].1, "https://graph.microsoft.com/.default");
        server.stop().await;
    }
}

#[tokio::test]
async fn upstream_failures_answer_upstream_unavailable_502_503_504() {
    let mut throttled = Script::answer(429, "{}");
    throttled.headers.push(("retry-after", "7".into()));
    let mut slow = Script::answer(200, common::token_answer_body());
    slow.delay = Duration::from_secs(3);
    let cases = [
        (Script::answer(500, "oops"), 502, "upstream_unavailable"),
        (Script::answer(502, ""), 502, "upstream_unavailable"),
        (Script::answer(503, "{}"), 503, "upstream_unavailable"),
        (Script::answer(504, ""), 504, "upstream_unavailable"),
        (
            Script::answer(400, "<html>not json</html>"),
            502,
            "upstream_unavailable",
        ),
        (
            Script::answer(200, r#"{"access_token":"not-a-jwt"}"#),
            502,
            "upstream_unavailable",
        ),
        (slow, 504, "upstream_unavailable"),
        (throttled, 429, "rate_limited"),
    ];
    for (script, status, code) in cases {
        let (server, _authority) = scripted(script, Duration::from_millis(400)).await;
        let token = server.session().await;
        let answer = server.connect(&token, &sample_body(), None).await;
        assert_error(&answer, status, code, "");
        if status == 429 {
            assert_eq!(answer.header("retry-after"), Some("7"));
        }
        assert_eq!(server.row_count().await, 0);
        server.stop().await;
    }

    // Nobody listening: connection refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut config = test_config(&temp_dir("refused"));
    config.entra_emulator = false;
    config.authority_url = Some(closed_url);
    let server = TestServer::start(config).await;
    let token = server.session().await;
    assert_error(
        &server.connect(&token, &sample_body(), None).await,
        502,
        "upstream_unavailable",
        "",
    );
    server.stop().await;
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let mut config = test_config(&temp_dir("limits"));
    config.limits = Limits {
        per_ip: None,
        per_session: Some(Rate {
            burst: 2,
            per_minute: 6,
        }),
    };
    let server = TestServer::start(config).await;
    let token = server.session().await;
    // The limit counts verifications with the identity platform (a refused secret is one);
    // a replay of a stored answer and a body the rules refuse are not.
    let created = server.connect(&token, &sample_body(), Some("k1")).await;
    assert_eq!(created.status, 201);
    for _ in 0..3 {
        assert_eq!(
            server
                .connect(&token, &sample_body(), Some("k1"))
                .await
                .status,
            201
        );
        let ruled_out = with(sample_body(), "tenant_id", "common");
        assert_eq!(server.connect(&token, &ruled_out, None).await.status, 422);
    }
    let bad = with(
        sample_body(),
        "client_secret",
        "Emu8Q~WrongSecretValue-0123456789abcdefgh",
    );
    assert_error(
        &server.connect(&token, &bad, None).await,
        422,
        "invalid_secret",
        "clientSecret",
    );
    let limited = server.connect(&token, &bad, None).await;
    assert_error(&limited, 429, "rate_limited", "");
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let other_session = server.session().await;
    assert_eq!(
        server.connect(&other_session, &bad, None).await.status,
        422,
        "limits are per session"
    );
    server.stop().await;

    let mut config = test_config(&temp_dir("ip-limits"));
    config.limits = Limits {
        per_ip: Some(Rate {
            burst: 3,
            per_minute: 1,
        }),
        per_session: None,
    };
    let server = TestServer::start(config).await;
    for _ in 0..3 {
        assert_eq!(
            server
                .send(server.client.post(server.url("/api/sessions")))
                .await
                .status,
            201
        );
    }
    let limited = server
        .send(server.client.get(server.url("/api/entra/connections")))
        .await;
    assert_error(&limited, 429, "rate_limited", "");
    assert!(limited.header("retry-after").is_some());
    server.stop().await;
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let server = TestServer::sqlite("idempotent").await;
    let token = server.session().await;
    let key = "0b7c2f4e-8d1a-4c3b-9e5f-6a7b8c9d0e1f";
    let first = server.connect(&token, &sample_body(), Some(key)).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let second = server.connect(&token, &sample_body(), Some(key)).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(server.row_count().await, 1);

    let other_body = json!({
        "tenant_id": SAMPLE_TENANT_ID,
        "client_id": SAMPLE_APPS[1].client_id,
        "client_secret": SAMPLE_APPS[1].client_secret,
        "scope": "", "cloud": "",
    });
    assert_error(
        &server.connect(&token, &other_body, Some(key)).await,
        422,
        "idempotency_key_reused",
        "",
    );
    // The same key from another session is another submission.
    let other_session = server.session().await;
    assert_eq!(
        server
            .connect(&other_session, &sample_body(), Some(key))
            .await
            .status,
        201
    );
    assert_eq!(server.row_count().await, 2);

    // A failure frees the key: the retry runs again instead of replaying the failure.
    let throttled = with(sample_body(), "tenant_id", THROTTLED_TENANT);
    let retry_key = "retry-key-1";
    assert_eq!(
        server
            .connect(&token, &throttled, Some(retry_key))
            .await
            .status,
        429
    );
    assert_eq!(
        server
            .connect(&token, &throttled, Some(retry_key))
            .await
            .status,
        429
    );
    assert_eq!(
        server
            .connect(&token, &sample_body(), Some(retry_key))
            .await
            .status,
        201
    );

    let bad_key = server
        .connect(&token, &sample_body(), Some(&"k".repeat(300)))
        .await;
    assert_error(&bad_key, 400, "invalid_idempotency_key", "");
    server.stop().await;
}

#[tokio::test]
async fn cors_and_origin_checks_follow_the_allowed_list() {
    let mut config = test_config(&temp_dir("cors"));
    config.allowed_origins = vec!["https://app.example.com".into()];
    let server = TestServer::start(config).await;
    let preflight = |origin: &str| {
        server
            .client
            .request(
                reqwest::Method::OPTIONS,
                server.url("/api/entra/connections"),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type,idempotency-key",
            )
    };
    let allowed = server.send(preflight("https://app.example.com")).await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("idempotency-key") && headers.contains("authorization"));
    let refused = server.send(preflight("https://evil.example.com")).await;
    assert_eq!(refused.header("access-control-allow-origin"), None);

    let foreign = server
        .send(
            server
                .client
                .post(server.url("/api/sessions"))
                .header("Origin", "https://evil.example.com"),
        )
        .await;
    assert_error(&foreign, 403, "origin_not_allowed", "");
    let minted = server
        .send(
            server
                .client
                .post(server.url("/api/sessions"))
                .header("Origin", "https://app.example.com"),
        )
        .await;
    assert_eq!(minted.status, 201);
    assert_eq!(
        minted.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let token = minted.body["token"].as_str().unwrap();
    let created = server
        .send(
            server
                .client
                .post(server.url("/api/entra/connections"))
                .header("Origin", "https://app.example.com")
                .bearer_auth(token)
                .json(&sample_body()),
        )
        .await;
    assert_eq!(created.status, 201);
    server.stop().await;
}

#[tokio::test]
async fn config_endpoint_tells_the_demo_page_about_the_emulator() {
    let server = TestServer::sqlite("config").await;
    let answer = server
        .send(server.client.get(server.url("/api/config")))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["entra_emulator"], true);
    assert_eq!(
        answer.body["sample"]["tenant_id"],
        "contoso.onmicrosoft.com"
    );
    assert_eq!(answer.body["sample"]["client_id"], SAMPLE_APPS[0].client_id);
    assert_eq!(
        answer.body["sample"]["client_secret"],
        SAMPLE_APPS[0].client_secret
    );
    let health = server
        .send(server.client.get(server.url("/api/health")))
        .await;
    assert_eq!(health.body["database"], "sqlite");
    let missing = server
        .send(server.client.get(server.url("/api/nope")))
        .await;
    assert_error(&missing, 404, "not_found", "");
    server.stop().await;

    let mut config = test_config(&temp_dir("config-real"));
    config.entra_emulator = false;
    let server = TestServer::start(config).await;
    let answer = server
        .send(server.client.get(server.url("/api/config")))
        .await;
    assert_eq!(answer.body["entra_emulator"], false);
    assert_eq!(answer.body["authority"], "microsoft");
    assert_eq!(answer.body["sample"], Value::Null);
    let emulator = server
        .send(
            server
                .client
                .post(server.url("/emulator/contoso.onmicrosoft.com/oauth2/v2.0/token")),
        )
        .await;
    assert_ne!(
        emulator.status, 200,
        "the emulator is only mounted with --entra-emulator"
    );
    server.stop().await;
}

#[tokio::test]
async fn static_files_have_content_types_and_security_headers() {
    let server = TestServer::sqlite("static").await;
    let page = server.send(server.client.get(server.url("/"))).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        page.header("content-security-policy"),
        Some(entra_connect_server::app::CONTENT_SECURITY_POLICY)
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let wasm = server
        .send(server.client.get(server.url("/pkg/entra_connect_bg.wasm")))
        .await;
    assert_eq!(
        (wasm.status, wasm.header("content-type")),
        (200, Some("application/wasm"))
    );
    let js = server
        .send(server.client.get(server.url("/pkg/entra_connect.js")))
        .await;
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(js.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(js.header("content-security-policy"), None);
    for path in [
        "/server/Cargo.toml",
        "/../Cargo.toml",
        "/%2e%2e/site/www/index.html",
        "/missing.js",
        "/.hidden",
    ] {
        let answer = server.send(server.client.get(server.url(path))).await;
        assert_eq!(answer.status, 404, "{path}");
    }
    server.stop().await;
}
