//! Hostile requests to the reference backend (issue 8): forged, expired and foreign session
//! tokens, oversized, deeply nested and malformed bodies, wrong content types, invalid
//! UTF-8, duplicate and extra keys, slow bodies, hostile headers, and tenants that try to
//! escape the token endpoint's URL. Each request is written byte for byte on a loopback
//! socket, so nothing (no client library) cleans it up first.
//!
//! Every case has one expected status and error code; the table of outcomes is printed
//! (`cargo test -p entra-connect-server --test hostile_requests -- --nocapture`). Nothing a
//! refused request sends is stored, and no token or client secret reaches the logs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::{sample_body, temp_dir, test_config, FakeAuthority, Script, TestServer};
use entra_connect_server::crypto::sha256_hex;
use entra_connect_server::emulator::SAMPLE_APPS;
use entra_connect_server::identity::SafeTenant;
use entra_connect_server::store::SessionRecord;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------
// Log capture: every test of this file logs into one buffer, searched for tokens and secrets.

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs (once) a debug-level subscriber that writes every log line into a buffer.
fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    })
}

fn log_text() -> String {
    String::from_utf8_lossy(&logs().0.lock().unwrap()).into_owned()
}

/// Asserts that none of `needles` was ever logged (the needles themselves are not printed).
fn assert_never_logged(needles: &[(&str, &str)]) {
    let text = log_text();
    assert!(!text.is_empty(), "the log capture works");
    for (what, needle) in needles {
        assert!(!text.contains(needle), "the logs contain a {what}");
    }
}

// ---------------------------------------------------------------------------------------
// Raw HTTP/1.1 on a loopback socket.

/// What the server answered on the socket (`status` 0: it closed without an answer).
struct RawAnswer {
    status: u16,
    body: Value,
}

impl RawAnswer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// Writes `request`, reads until the server closes (at most `limit`), parses the answer.
async fn exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> RawAnswer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before reading everything (413): ignore write errors.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await;
    parse_answer(&answer)
}

fn parse_answer(answer: &[u8]) -> RawAnswer {
    let text = String::from_utf8_lossy(answer);
    let status = text
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .and_then(|body| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    RawAnswer { status, body }
}

/// A request on the wire: a method, a path, raw header lines and a raw body.
struct Wire {
    method: &'static str,
    path: &'static str,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    /// Send `Content-Length` for the body (else the caller sets framing headers).
    content_length: bool,
}

impl Wire {
    /// `POST /api/entra/connections` as the SDK sends it, with `token` and `body`.
    fn connect(token: &str, body: impl Into<Vec<u8>>) -> Wire {
        Wire {
            method: "POST",
            path: "/api/entra/connections",
            headers: vec![
                (
                    "Authorization".into(),
                    format!("Bearer {token}").into_bytes(),
                ),
                ("Content-Type".into(), b"application/json".to_vec()),
            ],
            body: body.into(),
            content_length: true,
        }
    }

    /// Replaces (or removes, with `None`) every header called `name`.
    fn header(mut self, name: &str, value: Option<&[u8]>) -> Wire {
        self.headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            self.headers.push((name.to_string(), value.to_vec()));
        }
        self
    }

    fn method(mut self, method: &'static str) -> Wire {
        self.method = method;
        self
    }

    fn bytes(&self, addr: SocketAddr) -> Vec<u8> {
        let mut out =
            format!("{} {} HTTP/1.1\r\nHost: {addr}\r\n", self.method, self.path).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        if self.content_length {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// One row of the table.
struct Case {
    group: &'static str,
    name: String,
    wire: Wire,
    status: u16,
    code: &'static str,
}

fn case(
    group: &'static str,
    name: impl Into<String>,
    wire: Wire,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        group,
        name: name.into(),
        wire,
        status,
        code,
    }
}

/// Runs every case in order, prints the table, and fails listing every mismatch.
async fn run_table(addr: SocketAddr, cases: Vec<Case>) -> usize {
    let mut mismatches = Vec::new();
    let mut created = 0;
    println!("| group | request | status | code |");
    println!("|---|---|---|---|");
    for case in cases {
        let answer = exchange(addr, &case.wire.bytes(addr), Duration::from_secs(20)).await;
        let code = answer.code().to_string();
        println!(
            "| {} | {} | {} | {} |",
            case.group, case.name, answer.status, code
        );
        if answer.status == 201 {
            created += 1;
        }
        if (answer.status, code.as_str()) != (case.status, case.code) {
            mismatches.push(format!(
                "{}: expected {} {:?}, got {} {:?}",
                case.name, case.status, case.code, answer.status, code
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    created
}

fn sample_text() -> String {
    sample_body().to_string()
}

/// The sample body with `field` set to raw JSON text (not re-encoded by serde).
fn with_raw(field: &str, raw_json_value: &[u8]) -> Vec<u8> {
    let mut body = sample_body();
    body[field] = Value::from("\u{1}PLACEHOLDER\u{1}");
    let text = body.to_string();
    let placeholder = "\"\\u0001PLACEHOLDER\\u0001\"";
    let (before, after) = text.split_once(placeholder).unwrap();
    [before.as_bytes(), raw_json_value, after.as_bytes()].concat()
}

fn with(field: &str, value: &str) -> Vec<u8> {
    let mut body = sample_body();
    body[field] = Value::from(value);
    body.to_string().into_bytes()
}

// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn hostile_session_tokens_are_refused() {
    logs();
    let mut config = test_config(&temp_dir("hostile-tokens"));
    config.allowed_origins = vec![
        "http://app.example.test".into(),
        "http://other.example.test".into(),
    ];
    let server = TestServer::start(config).await;
    let addr = server.server.addr;
    let own = server.server.url.clone();
    let token = server.session().await;
    let app_token = server
        .send(
            server
                .client
                .post(server.url("/api/sessions"))
                .header("Origin", "http://app.example.test"),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let expired = "E".repeat(43);
    let now = entra_connect_server::time::now_unix();
    server
        .server
        .state
        .store
        .insert_session(&SessionRecord {
            token_hash: sha256_hex(expired.as_bytes()),
            account_id: "demo".into(),
            origin: own.clone(),
            created_at: now - 1000,
            expires_at: now - 1,
        })
        .await
        .unwrap();
    let body = sample_text();
    let auth = |value: &[u8]| Wire::connect("", body.clone()).header("Authorization", Some(value));
    let g = "session token";
    let cases = vec![
        case(
            g,
            "no Authorization header",
            Wire::connect("", body.clone()).header("Authorization", None),
            401,
            "invalid_session",
        ),
        case(
            g,
            "`Bearer` without a token",
            auth(b"Bearer"),
            401,
            "invalid_session",
        ),
        case(
            g,
            "`Bearer ` and spaces",
            auth(b"Bearer    "),
            401,
            "invalid_session",
        ),
        case(
            g,
            "Basic credentials",
            auth(b"Basic dXNlcjpwYXNzd29yZA=="),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token in another scheme (`Token x`)",
            auth(format!("Token {token}").as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token one character short",
            auth(format!("Bearer {}", &token[1..]).as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token one character long",
            auth(format!("Bearer {token}A").as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token with a character outside base64url",
            auth(format!("Bearer !{}", &token[1..]).as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "well-formed unknown token",
            auth(format!("Bearer {}", "A".repeat(43)).as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "expired token",
            auth(format!("Bearer {expired}").as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "10 KB token",
            auth(format!("Bearer {}", "A".repeat(10_000)).as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token with invalid UTF-8 bytes",
            auth(&[b"Bearer ".as_slice(), &[0xff; 43]].concat()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token as SQL (`' OR 1=1 --`)",
            auth(b"Bearer ' OR '1'='1' --"),
            401,
            "invalid_session",
        ),
        case(
            g,
            "the token's SHA-256 hash instead of the token",
            auth(format!("Bearer {}", sha256_hex(token.as_bytes())).as_bytes()),
            401,
            "invalid_session",
        ),
        case(
            g,
            "two Authorization headers",
            Wire {
                headers: vec![
                    ("Authorization".into(), b"Bearer x".to_vec()),
                    (
                        "Authorization".into(),
                        format!("Bearer {token}").into_bytes(),
                    ),
                    ("Content-Type".into(), b"application/json".to_vec()),
                ],
                ..Wire::connect("", body.clone())
            },
            401,
            "invalid_session",
        ),
        case(
            g,
            "own-origin token from an allowed other origin",
            Wire::connect(&token, body.clone()).header("Origin", Some(b"http://app.example.test")),
            401,
            "invalid_session",
        ),
        case(
            g,
            "app-origin token from another allowed origin",
            Wire::connect(&app_token, body.clone())
                .header("Origin", Some(b"http://other.example.test")),
            401,
            "invalid_session",
        ),
        case(
            g,
            "token from an origin not allowed at all",
            Wire::connect(&token, body.clone()).header("Origin", Some(b"http://evil.example")),
            403,
            "origin_not_allowed",
        ),
        case(
            g,
            "origin differing only by a trailing dot",
            Wire::connect(&app_token, body.clone())
                .header("Origin", Some(b"http://app.example.test.")),
            403,
            "origin_not_allowed",
        ),
        case(
            g,
            "origin differing only by port",
            Wire::connect(&app_token, body.clone())
                .header("Origin", Some(b"http://app.example.test:8080")),
            403,
            "origin_not_allowed",
        ),
        case(
            g,
            "origin with https instead of http",
            Wire::connect(&app_token, body.clone())
                .header("Origin", Some(b"https://app.example.test")),
            403,
            "origin_not_allowed",
        ),
        case(
            g,
            "app-origin token from its own origin (control)",
            Wire::connect(&app_token, body.clone())
                .header("Origin", Some(b"http://app.example.test")),
            201,
            "",
        ),
        case(
            g,
            "own-origin token from its own origin (control)",
            Wire::connect(&token, body.clone()).header("Origin", Some(own.as_bytes())),
            201,
            "",
        ),
        case(
            g,
            "lowercase `bearer` scheme (control)",
            auth(format!("bearer {token}").as_bytes()),
            201,
            "",
        ),
    ];
    let created = run_table(addr, cases).await;
    assert_eq!(server.row_count().await, created as i64);
    assert_eq!(created, 3);

    // A page of a foreign origin cannot even send the request: its preflight gets no CORS grant.
    for origin in [
        "http://evil.example",
        "null",
        "http://app.example.test.evil.example",
    ] {
        let preflight = Wire {
            method: "OPTIONS",
            path: "/api/entra/connections",
            headers: vec![
                ("Origin".into(), origin.as_bytes().to_vec()),
                ("Access-Control-Request-Method".into(), b"POST".to_vec()),
                (
                    "Access-Control-Request-Headers".into(),
                    b"authorization,content-type".to_vec(),
                ),
            ],
            body: Vec::new(),
            content_length: false,
        };
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(&preflight.bytes(addr)).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        assert!(
            !text.contains("access-control-allow-origin"),
            "{origin} got a CORS grant"
        );
    }
    assert_never_logged(&[
        ("session token", &token),
        ("session token", &app_token),
        ("client secret", SAMPLE_APPS[0].client_secret),
    ]);
    server.stop().await;
}

#[tokio::test]
async fn hostile_bodies_and_headers_are_refused_and_create_nothing() {
    logs();
    let server = TestServer::sqlite("hostile-bodies").await;
    let addr = server.server.addr;
    let token = server.session().await;
    let ok = sample_text();
    let post = |body: Vec<u8>| Wire::connect(&token, body);
    let typed = |content_type: &[u8]| {
        post(ok.clone().into_bytes()).header("Content-Type", Some(content_type))
    };
    let mega = vec![b'a'; 1 << 20];
    let mega_json = [b"{\"tenant_id\":\"".as_slice(), &mega, b"\"}"].concat();
    let chunked = {
        let mut wire = post(Vec::new()).header("Transfer-Encoding", Some(b"chunked"));
        wire.content_length = false;
        for chunk in mega_json.chunks(8192) {
            wire.body
                .extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            wire.body.extend_from_slice(chunk);
            wire.body.extend_from_slice(b"\r\n");
        }
        wire.body.extend_from_slice(b"0\r\n\r\n");
        wire
    };
    let lying_length = {
        let mut wire = post(ok.clone().into_bytes()).header("Content-Length", Some(b"20"));
        wire.content_length = false;
        wire
    };
    let nested_arrays = [vec![b'['; 6000], vec![b']'; 6000]].concat();
    let nested_objects = [b"{\"a\":".repeat(2000), b"1".to_vec(), b"}".repeat(2000)].concat();
    let many_keys = {
        let mut body = sample_body();
        for index in 0..600 {
            body[format!("k{index}")] = Value::from(index);
        }
        body.to_string().into_bytes()
    };
    let secret = SAMPLE_APPS[0].client_secret;
    let duplicated = |field: &str, first: &str| {
        let text = sample_text();
        text.replacen('{', &format!("{{\"{field}\":\"{first}\","), 1)
            .into_bytes()
    };
    let extra = json!({
        "tenant_id": "contoso.onmicrosoft.com",
        "client_id": SAMPLE_APPS[0].client_id,
        "client_secret": secret,
        "scope": "", "cloud": "",
        "connection_id": "attacker-chosen-id",
        "granted_permissions": ["Directory.ReadWrite.All"],
        "__proto__": { "admin": true },
        "constructor": { "prototype": { "admin": true } },
        "created_at": "1970-01-01T00:00:00Z",
        "tenant": "evil.example.com",
    })
    .to_string()
    .into_bytes();
    let many_headers = {
        let mut wire = post(ok.clone().into_bytes());
        for index in 0..150 {
            wire.headers
                .push((format!("X-Filler-{index}"), b"x".to_vec()));
        }
        wire
    };
    let g = "content type";
    let b = "body";
    let h = "headers";
    let mut cases = vec![
        case(
            g,
            "no Content-Type",
            post(ok.clone().into_bytes()).header("Content-Type", None),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "text/plain",
            typed(b"text/plain"),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "application/x-www-form-urlencoded",
            typed(b"application/x-www-form-urlencoded"),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "multipart/form-data",
            typed(b"multipart/form-data; boundary=x"),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "application/json-patch+json",
            typed(b"application/json-patch+json"),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "application/jsonp",
            typed(b"application/jsonp"),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "`application/json` in another header's value",
            typed(b"text/html, application/json"),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "Content-Type with invalid UTF-8",
            typed(&[0xff, 0xfe]),
            415,
            "unsupported_media_type",
        ),
        case(
            g,
            "application/json; charset=utf-8 (control)",
            typed(b"application/json; charset=utf-8"),
            201,
            "",
        ),
        case(
            g,
            "APPLICATION/JSON (control)",
            typed(b"APPLICATION/JSON"),
            201,
            "",
        ),
        case(
            b,
            "1 MB body with Content-Length",
            post(mega_json.clone()),
            413,
            "payload_too_large",
        ),
        case(
            b,
            "1 MB body, chunked (no length)",
            chunked,
            413,
            "payload_too_large",
        ),
        case(
            b,
            "Content-Length smaller than the body",
            lying_length,
            400,
            "invalid_json",
        ),
        case(
            b,
            "Content-Length not a number",
            {
                let mut w = post(ok.clone().into_bytes()).header("Content-Length", Some(b"12abc"));
                w.content_length = false;
                w
            },
            400,
            "",
        ),
        case(
            b,
            "6000 nested arrays",
            post(nested_arrays),
            400,
            "invalid_json",
        ),
        case(
            b,
            "2000 nested objects in an unknown key (skipped without recursion)",
            post(nested_objects),
            422,
            "validation_failed",
        ),
        case(
            b,
            "2000 nested arrays in tenant_id",
            post(with_raw(
                "tenant_id",
                &[vec![b'['; 2000], vec![b']'; 2000]].concat(),
            )),
            400,
            "invalid_json",
        ),
        case(b, "empty body", post(Vec::new()), 400, "invalid_json"),
        case(
            b,
            "white space only",
            post(b"  \r\n\t ".to_vec()),
            400,
            "invalid_json",
        ),
        case(b, "JSON array", post(b"[]".to_vec()), 400, "invalid_json"),
        case(
            b,
            "JSON array of the five values in order",
            post(
                json!([
                    "contoso.onmicrosoft.com",
                    SAMPLE_APPS[0].client_id,
                    secret,
                    "",
                    ""
                ])
                .to_string()
                .into_bytes(),
            ),
            400,
            "invalid_json",
        ),
        case(
            b,
            "JSON string",
            post(b"\"tenant_id\"".to_vec()),
            400,
            "invalid_json",
        ),
        case(b, "JSON null", post(b"null".to_vec()), 400, "invalid_json"),
        case(
            b,
            "JSON number",
            post(b"1e999999".to_vec()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "byte-order mark before the JSON",
            post([b"\xef\xbb\xbf".as_slice(), ok.as_bytes()].concat()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "trailing garbage after the object",
            post(format!("{ok}x").into_bytes()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "two objects",
            post(format!("{ok}{ok}").into_bytes()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "truncated object",
            post(ok.as_bytes()[..ok.len() / 2].to_vec()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "single quotes",
            post(ok.replace('"', "'").into_bytes()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "comments",
            post(format!("/* x */{ok}").into_bytes()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "invalid UTF-8 in a string",
            post(with_raw("tenant_id", b"\"contoso\xff.onmicrosoft.com\"")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "overlong UTF-8 slash in a string",
            post(with_raw("tenant_id", b"\"contoso\xc0\xaf..\"")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "UTF-16 surrogate bytes in a string",
            post(with_raw("client_secret", b"\"\xed\xa0\x80abc\"")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "lone surrogate escape",
            post(with_raw("client_secret", b"\"\\ud800\"")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "invalid UTF-8 outside strings",
            post([b"\xff".as_slice(), ok.as_bytes()].concat()),
            400,
            "invalid_json",
        ),
        case(
            b,
            "raw control character in a string",
            post(with_raw("tenant_id", b"\"contoso\x01.onmicrosoft.com\"")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "duplicate tenant_id (evil first)",
            post(duplicated("tenant_id", "evil.example.com")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "duplicate client_secret",
            post(duplicated("client_secret", "other")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "tenant_id as a number",
            post(with_raw("tenant_id", b"5")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "tenant_id as null",
            post(with_raw("tenant_id", b"null")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "client_secret as an array",
            post(with_raw("client_secret", b"[\"a\",\"b\"]")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "client_secret as an object",
            post(with_raw("client_secret", b"{\"$ne\":null}")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "cloud as a boolean",
            post(with_raw("cloud", b"true")),
            400,
            "invalid_json",
        ),
        case(
            b,
            "NUL in tenant_id",
            post(with("tenant_id", "contoso\0.onmicrosoft.com")),
            422,
            "validation_failed",
        ),
        case(
            b,
            "RTL override in tenant_id (stripped as invisible, then unknown)",
            post(with("tenant_id", "contoso\u{202e}moc.tfosorcimno")),
            422,
            "tenant_not_found",
        ),
        case(
            b,
            "script tag in tenant_id",
            post(with("tenant_id", "<script>alert(1)</script>")),
            422,
            "validation_failed",
        ),
        case(
            b,
            "SQL in client_id",
            post(with("client_id", "'; DROP TABLE connections; --")),
            422,
            "validation_failed",
        ),
        case(
            b,
            "3000-character secret",
            post(with("client_secret", &"s".repeat(3000))),
            422,
            "validation_failed",
        ),
        case(
            b,
            "NUL in the secret",
            post(with("client_secret", &format!("{secret}\0"))),
            422,
            "invalid_secret",
        ),
        case(
            b,
            "unknown cloud `../global`",
            post(with("cloud", "../global")),
            422,
            "validation_failed",
        ),
        case(
            b,
            "scope with a second resource",
            post(with(
                "scope",
                "https://graph.microsoft.com/.default https://evil.example/.default",
            )),
            422,
            "validation_failed",
        ),
        case(b, "600 unknown keys (ignored)", post(many_keys), 201, ""),
        case(
            b,
            "attacker-chosen connection_id, permissions, __proto__ (ignored)",
            post(extra),
            201,
            "",
        ),
        case(
            b,
            "huge number in an unknown key (ignored)",
            post(with_raw("extra", b"1e999999")),
            201,
            "",
        ),
        case(
            h,
            "Idempotency-Key of 256 characters",
            post(ok.clone().into_bytes())
                .header("Idempotency-Key", Some("k".repeat(256).as_bytes())),
            400,
            "invalid_idempotency_key",
        ),
        case(
            h,
            "Idempotency-Key with a space inside",
            post(ok.clone().into_bytes()).header("Idempotency-Key", Some(b"a b")),
            400,
            "invalid_idempotency_key",
        ),
        case(
            h,
            "Idempotency-Key with non-ASCII bytes",
            post(ok.clone().into_bytes())
                .header("Idempotency-Key", Some("\u{e9}t\u{e9}".as_bytes())),
            400,
            "invalid_idempotency_key",
        ),
        case(
            h,
            "empty Idempotency-Key",
            post(ok.clone().into_bytes()).header("Idempotency-Key", Some(b"")),
            400,
            "invalid_idempotency_key",
        ),
        case(h, "150 extra headers", many_headers, 431, ""),
        case(
            h,
            "one 1 MB header",
            post(ok.clone().into_bytes()).header("X-Big", Some(&mega)),
            431,
            "",
        ),
        case(
            h,
            "PUT instead of POST",
            post(ok.clone().into_bytes()).method("PUT"),
            405,
            "",
        ),
        case(h, "DELETE", post(Vec::new()).method("DELETE"), 405, ""),
    ];
    // The SDK's own shape last, as a control that the token still works.
    cases.push(case(
        b,
        "the SDK's request (control)",
        post(ok.clone().into_bytes()).header(
            "Idempotency-Key",
            Some(b"0b7c2f4e-8d1a-4c3b-9e5f-6a7b8c9d0e1f"),
        ),
        201,
        "",
    ));
    let created = run_table(addr, cases).await;
    assert_eq!(created, 6);
    assert_eq!(server.row_count().await, created as i64);

    // The ignored extra fields changed nothing that was stored.
    let token = server.session().await;
    let listed = server
        .send(
            server
                .client
                .get(server.url("/api/entra/connections"))
                .bearer_auth(&token),
        )
        .await;
    for connection in listed.body["connections"].as_array().unwrap() {
        assert_ne!(connection["connection_id"], "attacker-chosen-id");
        assert_eq!(
            connection["tenant_id"],
            entra_connect_server::emulator::SAMPLE_TENANT_ID
        );
        let granted = connection["granted_permissions"].to_string();
        assert!(!granted.contains("Directory.ReadWrite.All"), "{granted}");
        assert!(connection.get("client_secret").is_none());
    }
    assert_never_logged(&[("session token", &token), ("client secret", secret)]);
    server.stop().await;
}

/// Slow-loris bodies: a client trickling its body may not hold a request open for long,
/// and while it trickles, everyone else is served.
#[tokio::test]
async fn slow_bodies_are_cut_off_and_do_not_block_others() {
    logs();
    let mut config = test_config(&temp_dir("hostile-slow"));
    config.body_timeout = Duration::from_secs(2);
    let server = TestServer::start(config).await;
    let addr = server.server.addr;
    let token = server.session().await;
    let body = sample_text();
    let head = {
        let mut wire = Wire::connect(&token, Vec::new());
        wire.content_length = false;
        wire = wire.header("Content-Length", Some(body.len().to_string().as_bytes()));
        wire.bytes(addr)
    };

    // 20 clients, each sending one byte of the body every 200 ms (a 30 s upload).
    let mut trickles = Vec::new();
    for _ in 0..20 {
        let head = head.clone();
        let body = body.clone().into_bytes();
        trickles.push(tokio::spawn(async move {
            let started = Instant::now();
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(&head).await.unwrap();
            let (mut reader, mut writer) = stream.into_split();
            let writing = tokio::spawn(async move {
                for byte in body {
                    if writer.write_all(&[byte]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
            let mut answer = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(15), reader.read_to_end(&mut answer))
                .await;
            writing.abort();
            (parse_answer(&answer), started.elapsed())
        }));
    }
    // Meanwhile a normal request is served at once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let normal = exchange(
        addr,
        &Wire::connect(&token, body.clone()).bytes(addr),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(normal.status, 201);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a normal request waited {:?}",
        started.elapsed()
    );

    for trickle in trickles {
        let (answer, took) = trickle.await.unwrap();
        assert_eq!((answer.status, answer.code()), (408, "body_timeout"));
        assert!(
            took < Duration::from_secs(6),
            "a slow body held the request for {took:?}"
        );
    }
    println!(
        "| body | 20 bodies trickled at 1 byte / 200 ms (body timeout 2 s) | 408 | body_timeout |"
    );
    assert_eq!(server.row_count().await, 1);
    assert_never_logged(&[("session token", &token)]);
    server.stop().await;
}

/// Tenants that try to leave the token endpoint's path: whatever the rules let through, the
/// identity platform is called at `{authority}/{tenant}/oauth2/v2.0/token` and nowhere else.
#[tokio::test]
async fn hostile_tenants_never_change_the_host_or_path_the_server_calls() {
    logs();
    let authority = FakeAuthority::start(Script::answer(200, common::token_answer_body())).await;
    let mut config = test_config(&temp_dir("hostile-tenants"));
    config.entra_emulator = false;
    config.authority_url = Some(format!("{}/base", authority.url));
    let server = TestServer::start(config).await;
    let token = server.session().await;
    let tenants = [
        "../evil.example.com",
        "../../evil.example.com",
        "..",
        ".",
        "contoso.onmicrosoft.com/..",
        "contoso.onmicrosoft.com/../../x",
        "contoso.onmicrosoft.com/",
        "/contoso.onmicrosoft.com",
        "//evil.example.com",
        "contoso.onmicrosoft.com?",
        "contoso.onmicrosoft.com?x=1",
        "contoso.onmicrosoft.com?client_id=evil",
        "contoso.onmicrosoft.com#",
        "contoso.onmicrosoft.com#frag",
        "#contoso.onmicrosoft.com",
        "?contoso.onmicrosoft.com",
        "@evil.example.com",
        "attacker@evil.example.com",
        "contoso.onmicrosoft.com@evil.example.com",
        "user:pass@evil.example.com",
        "evil.example.com:443",
        "evil.example.com:80@contoso.onmicrosoft.com",
        "evil.example.com%2f..%2f",
        "evil.example.com%2F",
        "contoso.onmicrosoft.com%2F..%2F..%2Fevil",
        "%2e%2e",
        "%2e%2e%2fevil.example.com",
        "%252e%252e%252f",
        "contoso.onmicrosoft.com%23x",
        "contoso.onmicrosoft.com%3Fx",
        "contoso.onmicrosoft.com%40evil.example.com",
        "contoso.onmicrosoft.com%00",
        "contoso.onmicrosoft.com\0evil",
        "contoso.onmicrosoft.com\\..\\x",
        "\\\\evil.example.com\\x",
        "contoso.onmicrosoft.com\r\nHost: evil.example.com",
        "contoso.onmicrosoft.com\nX: y",
        "contoso.onmicrosoft.com\t",
        "contoso．onmicrosoft．com",
        "contoso。onmicrosoft。com",
        "contoso.onmicrosoft.com／..／evil",
        "contoso.onmicrosoft.com\u{2215}..",
        "contoso.onmicrosoft.com\u{202e}",
        "xn--80ak6aa92e.com",
        "127.0.0.1",
        "localhost",
        "[::1]",
        "169.254.169.254",
        "0x7f.0.0.1",
        "http://evil.example.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "https://evil.example.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        "https://login.microsoftonline.com/../../evil/oauth2/v2.0/token",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com@evil.example.com/oauth2",
        "https://login.microsoftonline.com@evil.example.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "https://login.microsoftonline.com.evil.example.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "https://login.microsoftonline.com/%2e%2e/evil.example.com/oauth2/v2.0/token",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com%2F..%2Fevil/oauth2/v2.0/token",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com?x=/../evil",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com#/../evil",
        "javascript:alert(1)//contoso.onmicrosoft.com",
        "file:///etc/passwd",
        "contoso.onmicrosoft.com/oauth2/v2.0/token?",
        "fc659cb7-0c66-4e32-9f96-c35c869581b6/../../evil",
        "{fc659cb7-0c66-4e32-9f96-c35c869581b6}",
        "FC659CB7-0C66-4E32-9F96-C35C869581B6",
        "contoso.onmicrosoft.com",
    ];
    let mut created = 0;
    for tenant in tenants {
        let answer = server
            .connect(
                &token,
                &json!({
                    "tenant_id": tenant,
                    "client_id": SAMPLE_APPS[0].client_id,
                    "client_secret": SAMPLE_APPS[0].client_secret,
                    "scope": "", "cloud": "",
                }),
                None,
            )
            .await;
        // 201: the rules accepted it and the fake authority was called; 422: refused before
        // any call. An escaped host would be unreachable (502/503/504) or another server.
        assert!(
            matches!(answer.status, 201 | 422),
            "{tenant:?}: {}",
            answer.status
        );
        if answer.status == 201 {
            created += 1;
        }
    }
    let requests = authority.requests.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        created,
        "one token request per accepted tenant"
    );
    assert!(
        created >= 6,
        "the GUID and domain forms are accepted ({created})"
    );
    for request in &requests {
        let tenant = request
            .path
            .strip_prefix("/base/")
            .and_then(|rest| rest.strip_suffix("/oauth2/v2.0/token"))
            .unwrap_or_else(|| panic!("the server called {}", request.path));
        assert!(SafeTenant::new(tenant).is_some(), "{tenant}");
        assert!(!tenant.contains(".."), "{tenant}");
        assert_eq!(request.query, None);
        let names: Vec<&str> = request.form.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["grant_type", "client_id", "client_secret", "scope"]);
    }
    println!(
        "| tenant | {} hostile tenants (../, ?, #, @, %2f, \\\\, CRLF, URLs of other hosts) | 201 x{created} on the fixed path, 422 x{} | |",
        tenants.len(),
        tenants.len() - created
    );
    assert_never_logged(&[
        ("session token", &token),
        ("client secret", SAMPLE_APPS[0].client_secret),
    ]);
    server.stop().await;
}
