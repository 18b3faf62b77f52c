//! Property test of the reference backend's request handling (issue 8): arbitrary bytes,
//! JSON-ish bodies, mutated SDK requests and hostile headers go through the real router
//! in-process (`tower::ServiceExt::oneshot`, no sockets), against a live store and the Entra
//! emulator. For every request: no panic, only 2xx or 4xx answers, every `/api/` failure in
//! the §6.3 shape, a connection only for the sample credentials, and no client secret,
//! session token or backend file in any answer.
//!
//! The number of requests comes from `PROPTEST_CASES` (256 when unset); `cargo xtask fuzz`
//! runs millions in release mode. The test prints how many it executed.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use axum::Router;
use common::{temp_dir, test_config};
use entra_connect::rules;
use entra_connect_server::emulator::{SAMPLE_APPS, SAMPLE_TENANT_DOMAIN, SAMPLE_TENANT_ID};
use entra_connect_server::{start, Server};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

/// The five request fields of §6.1.
const FIELDS: [&str; 5] = ["tenant_id", "client_id", "client_secret", "scope", "cloud"];

/// Fragments that reach the interesting parts of the parser, the rules and the identity
/// platform client.
const PIECES: &[&str] = &[
    "contoso.onmicrosoft.com",
    "fc659cb7-0c66-4e32-9f96-c35c869581b6",
    "38a6702a-fb0c-4495-976f-5e260e080751",
    "06d6ac2d-092b-4ab0-ab89-651b9b1dd32d",
    "00000000-0000-0000-0000-000000000000",
    "Emu8Q~ContosoSampleSecret-0123456789abcd",
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
    "https://graph.microsoft.com/.default",
    "https://graph.microsoft.us/.default",
    "api://38a6702a-fb0c-4495-976f-5e260e080751/.default",
    "User.Read",
    "global",
    "usgov",
    "usgov-dod",
    "china",
    "common",
    "fabrikam.onmicrosoft.com",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "../",
    "..%2f",
    "%2F",
    "?",
    "#",
    "@",
    "\\",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\0",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "\u{a0}",
    "\r\n",
    "ｃｏｎｔｏｓｏ",
    "例え",
    "\u{1f600}",
    "' OR '1'='1",
    "${7*7}",
    "{{7*7}}",
    " ",
    "a",
    "0",
    "-",
    ".",
];

/// A string made of pieces, arbitrary characters, or a long repetition.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(PIECES).prop_map(str::to_string),
        3 => prop::collection::vec(prop::sample::select(PIECES), 0..6).prop_map(|pieces| pieces.concat()),
        2 => any::<String>(),
        1 => (prop::sample::select(PIECES), 1usize..3000)
            .prop_map(|(piece, count)| piece.repeat(count.min(6000 / piece.len().max(1)))),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter("JSON has no NaN or infinity", |n| n.is_finite()).prop_map(Value::from),
        4 => text().prop_map(Value::from),
    ]
    .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(&FIELDS[..]).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

/// Any JSON value, up to four levels deep.
fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..7)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// How a field of an SDK-shaped body is filled.
#[derive(Clone, Debug)]
enum Slot {
    /// The first sample row's value (§7.2).
    Sample,
    /// The request's unique secret marker (for `client_secret`) or a text.
    Text(String),
    /// Another JSON value (usually the wrong type).
    Other(Value),
    /// Left out.
    Missing,
}

fn slot() -> BoxedStrategy<Slot> {
    prop_oneof![
        4 => Just(Slot::Sample),
        3 => text().prop_map(Slot::Text),
        1 => json_value().prop_map(Slot::Other),
        1 => Just(Slot::Missing),
    ]
    .boxed()
}

/// An edit applied to a serialized body.
#[derive(Clone, Debug)]
enum Edit {
    /// Overwrite the byte at (position modulo length).
    Set(usize, u8),
    /// Cut the body at (position modulo length).
    Truncate(usize),
    /// Insert bytes at (position modulo length).
    Insert(usize, Vec<u8>),
    /// Repeat the first field (a duplicate key).
    DuplicateFirstKey,
}

fn edit() -> BoxedStrategy<Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Set(at, byte)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        Just(Edit::DuplicateFirstKey),
    ]
    .boxed()
}

fn apply(mut body: Vec<u8>, edit: &Edit) -> Vec<u8> {
    let len = body.len().max(1);
    match edit {
        Edit::Set(at, byte) => {
            if let Some(slot) = body.get_mut(at % len) {
                *slot = *byte;
            }
        }
        Edit::Truncate(at) => body.truncate(at % len),
        Edit::Insert(at, bytes) => {
            let at = (at % len).min(body.len());
            body.splice(at..at, bytes.iter().copied());
        }
        Edit::DuplicateFirstKey => {
            if let Some(end) = body.iter().position(|&byte| byte == b',') {
                let first = body[1..=end].to_vec();
                body.splice(1..1, first);
            }
        }
    }
    body
}

/// The request body.
#[derive(Clone, Debug)]
enum BodySpec {
    /// Arbitrary bytes.
    Bytes(Vec<u8>),
    /// Any JSON value.
    Json(Value),
    /// An object shaped like the SDK's, each field filled by a [`Slot`], plus extra keys,
    /// then edited.
    Shaped([Slot; 5], Vec<(String, Value)>, Vec<Edit>),
    /// Around the body size limit.
    Large(usize, u8),
}

fn body_spec() -> BoxedStrategy<BodySpec> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..1024).prop_map(BodySpec::Bytes),
        2 => json_value().prop_map(BodySpec::Json),
        6 => (
            [slot(), slot(), slot(), slot(), slot()],
            prop::collection::vec((key(), json_leaf()), 0..3),
            prop::collection::vec(edit(), 0..3),
        )
            .prop_map(|(slots, extra, edits)| BodySpec::Shaped(slots, extra, edits)),
        1 => ((16 * 1024 - 64)..(16 * 1024 + 64usize), any::<u8>()).prop_map(|(size, byte)| BodySpec::Large(size, byte)),
    ]
    .boxed()
}

/// The `Authorization` header.
#[derive(Clone, Debug)]
enum Auth {
    /// `Bearer {a valid session token}`.
    Valid,
    /// No header.
    Missing,
    /// `Bearer {text}`.
    Bearer(String),
    /// Any bytes.
    Raw(Vec<u8>),
}

fn auth() -> BoxedStrategy<Auth> {
    prop_oneof![
        8 => Just(Auth::Valid),
        1 => Just(Auth::Missing),
        1 => text().prop_map(Auth::Bearer),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Auth::Raw),
    ]
    .boxed()
}

fn header_bytes() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        text().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
    .boxed()
}

fn content_type() -> BoxedStrategy<Option<Vec<u8>>> {
    prop_oneof![
        8 => Just(Some(b"application/json".to_vec())),
        1 => prop::sample::select(&[
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json, text/plain",
            "application/jsonp",
            "",
        ][..])
        .prop_map(|value| Some(value.as_bytes().to_vec())),
        1 => Just(None),
        1 => header_bytes().prop_map(Some),
    ]
    .boxed()
}

fn origin() -> BoxedStrategy<Option<Vec<u8>>> {
    prop_oneof![
        8 => Just(None),
        1 => Just(Some(b"OWN".to_vec())),
        1 => prop::sample::select(&["null", "http://evil.example", "http://localhost:1", ""][..])
            .prop_map(|value| Some(value.as_bytes().to_vec())),
        1 => header_bytes().prop_map(Some),
    ]
    .boxed()
}

fn path() -> BoxedStrategy<String> {
    prop_oneof![
        20 => Just("/api/entra/connections".to_string()),
        4 => prop::sample::select(&[
            "/api/entra/connections/",
            "/api/entra/connections?x=1",
            "/api/sessions",
            "/api/health",
            "/api/config",
            "/api/nope",
            "/",
            "/index.html",
            "/pkg/entra_connect.js",
            "/server/Cargo.toml",
            "/pkg/../server/Cargo.toml",
            "/..%2fserver%2fCargo.toml",
            "/%2e%2e/data/connections.sqlite3",
            "/pkg/%2e%2e%2f%2e%2e%2fdata",
            "/.git/config",
            "/emulator/contoso.onmicrosoft.com/oauth2/v2.0/token",
        ][..])
        .prop_map(str::to_string),
        1 => prop::collection::vec(text(), 1..4).prop_map(|segments| {
            segments
                .iter()
                .map(|segment| format!("/{}", utf8_percent_encode(segment, NON_ALPHANUMERIC)))
                .collect()
        }),
    ]
    .boxed()
}

fn method() -> BoxedStrategy<Method> {
    prop_oneof![
        12 => Just(Method::POST),
        1 => prop::sample::select(&[
            Method::GET,
            Method::PUT,
            Method::DELETE,
            Method::HEAD,
            Method::OPTIONS,
            Method::PATCH,
        ][..]),
    ]
    .boxed()
}

/// One generated request.
#[derive(Clone, Debug)]
struct Spec {
    method: Method,
    path: String,
    auth: Auth,
    content_type: Option<Vec<u8>>,
    origin: Option<Vec<u8>>,
    idempotency_key: Option<Vec<u8>>,
    extra_headers: Vec<(String, Vec<u8>)>,
    body: BodySpec,
    /// The unique client secret of this request (used when a `client_secret` slot is a text).
    marker: String,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (method(), path(), auth(), content_type(), origin()),
        (
            prop_oneof![4 => Just(None), 1 => header_bytes().prop_map(Some)],
            prop::collection::vec(("[a-z][a-z0-9-]{0,12}", header_bytes()), 0..3),
            body_spec(),
            "[A-Za-z0-9]{24}",
        ),
    )
        .prop_map(
            |(
                (method, path, auth, content_type, origin),
                (idempotency_key, extra_headers, body, marker),
            )| Spec {
                method,
                path,
                auth,
                content_type,
                origin,
                idempotency_key,
                extra_headers,
                body,
                marker: format!("FuzzSecret{marker}"),
            },
        )
}

/// What the request body turned out to be.
struct Built {
    request: Request<Body>,
    /// The body bytes sent.
    body: Vec<u8>,
}

fn sample_value(field: &str) -> &'static str {
    match field {
        "tenant_id" => SAMPLE_TENANT_DOMAIN,
        "client_id" => SAMPLE_APPS[0].client_id,
        "client_secret" => SAMPLE_APPS[0].client_secret,
        "scope" => "https://graph.microsoft.com/.default",
        _ => "global",
    }
}

fn build(spec: &Spec, token: &str, own_origin: &str) -> Option<Built> {
    let body = match &spec.body {
        BodySpec::Bytes(bytes) => bytes.clone(),
        BodySpec::Json(value) => value.to_string().into_bytes(),
        BodySpec::Large(size, byte) => {
            let mut body = json!({ "tenant_id": "" }).to_string().into_bytes();
            body.splice(14..14, std::iter::repeat_n(*byte, *size));
            body
        }
        BodySpec::Shaped(slots, extra, edits) => {
            let mut object = Map::new();
            for (field, slot) in FIELDS.iter().zip(slots) {
                let value = match slot {
                    Slot::Sample => Value::from(sample_value(field)),
                    Slot::Text(_) if *field == "client_secret" => Value::from(spec.marker.as_str()),
                    Slot::Text(text) => Value::from(text.as_str()),
                    Slot::Other(value) => value.clone(),
                    Slot::Missing => continue,
                };
                object.insert(field.to_string(), value);
            }
            for (name, value) in extra {
                object.entry(name.clone()).or_insert_with(|| value.clone());
            }
            edits
                .iter()
                .fold(Value::Object(object).to_string().into_bytes(), apply)
        }
    };
    let mut builder = Request::builder()
        .method(spec.method.clone())
        .uri(spec.path.as_str());
    let headers = builder.headers_mut()?;
    let mut set = |name: &str, value: &[u8]| {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    };
    match &spec.auth {
        Auth::Valid => set("authorization", format!("Bearer {token}").as_bytes()),
        Auth::Missing => {}
        Auth::Bearer(text) => set("authorization", format!("Bearer {text}").as_bytes()),
        Auth::Raw(bytes) => set("authorization", bytes),
    }
    if let Some(content_type) = &spec.content_type {
        set("content-type", content_type);
    }
    match spec.origin.as_deref() {
        Some(b"OWN") => set("origin", own_origin.as_bytes()),
        Some(origin) => set("origin", origin),
        None => {}
    }
    if let Some(key) = &spec.idempotency_key {
        set("idempotency-key", key);
    }
    for (name, value) in &spec.extra_headers {
        set(name, value);
    }
    let request = builder.body(Body::from(body.clone())).ok()?;
    Some(Built { request, body })
}

/// The five fields of a body; unknown keys are skipped (not parsed into values, so a
/// number beyond `f64` or a deeply nested value there does not matter, as on the server).
#[derive(Deserialize)]
struct Fields {
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    cloud: String,
}

/// Whether `body` is a JSON object whose fields, normalized by the §5 rules, are the first
/// sample row's tenant, client ID and secret: the only credentials the emulator accepts.
fn holds_sample_credentials(body: &[u8]) -> bool {
    if body.trim_ascii_start().first() != Some(&b'{') {
        return false;
    }
    let Ok(fields) = serde_json::from_slice::<Fields>(body) else {
        return false;
    };
    let report = rules::validate(&rules::Input {
        tenant_id: &fields.tenant_id,
        client_id: &fields.client_id,
        client_secret: &fields.client_secret,
        scope: &fields.scope,
        cloud: &fields.cloud,
    });
    report.is_valid()
        && [SAMPLE_TENANT_DOMAIN, SAMPLE_TENANT_ID].contains(&report.tenant_id.normalized.as_str())
        && report.client_id.normalized == SAMPLE_APPS[0].client_id
        && report.client_secret.normalized == SAMPLE_APPS[0].client_secret
}

/// Files of the test site that must never be served (the backend's own sources).
const CANARY: &[u8] = b"[package]";

/// Sends one request through the router and checks the answer.
async fn check(
    router: Router,
    spec: &Spec,
    token: &str,
    own_origin: &str,
) -> Result<u16, TestCaseError> {
    let Some(built) = build(spec, token, own_origin) else {
        // Not expressible as an HTTP request (e.g. a path the URI parser refuses).
        return Ok(0);
    };
    let response = router.oneshot(built.request).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|error| TestCaseError::fail(format!("the answer's body failed: {error}")))?;
    prop_assert!(
        (200..300).contains(&status) || (400..500).contains(&status),
        "status {status} for {} {}",
        spec.method,
        spec.path
    );
    let contains = |needle: &[u8]| body.windows(needle.len()).any(|window| window == needle);
    prop_assert!(
        !contains(spec.marker.as_bytes()),
        "an answer contains the client secret"
    );
    // `/api/config` publishes the emulator's sample rows for the demo page on purpose.
    prop_assert!(
        spec.path.starts_with("/api/config") || !contains(SAMPLE_APPS[0].client_secret.as_bytes()),
        "an answer contains the sample secret"
    );
    prop_assert!(
        !contains(token.as_bytes()),
        "an answer contains the session token"
    );
    prop_assert!(!contains(CANARY), "a backend source file was served");
    // HEAD answers have no body; 405 comes from the router itself.
    if spec.path.starts_with("/api/")
        && spec.method != Method::HEAD
        && status >= 400
        && status != 405
    {
        let parsed: Value = serde_json::from_slice(&body).map_err(|_| {
            TestCaseError::fail(format!(
                "{status}: the failure is not JSON: {:?}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ))
        })?;
        prop_assert!(parsed["error"]["code"].is_string(), "{status}: {parsed}");
        prop_assert!(parsed["error"]["message"].is_string(), "{status}: {parsed}");
    }
    if status == 201 && spec.path.starts_with("/api/entra/connections") {
        prop_assert!(
            holds_sample_credentials(&built.body),
            "a connection was created from a body without the sample's credentials"
        );
        let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        prop_assert_eq!(&parsed["tenant_id"], SAMPLE_TENANT_ID);
        prop_assert!(parsed["connection_id"].is_string());
    }
    Ok(status)
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    server: Server,
    router: Router,
    token: String,
}

fn fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime
        .block_on(start(test_config(&temp_dir("fuzz"))))
        .expect("the server starts");
    let router = entra_connect_server::app::router(Arc::clone(&server.state));
    let token = runtime.block_on(async {
        let response = router
            .clone()
            .oneshot(Request::post("/api/sessions").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let parsed: Value = serde_json::from_slice(&body).unwrap();
        parsed["token"].as_str().unwrap().to_string()
    });
    Fixture {
        runtime,
        server,
        router,
        token,
    }
}

#[test]
fn connection_endpoint_answers_any_request_with_2xx_or_4xx_and_leaks_nothing() {
    let fixture = fixture();
    let own_origin = fixture.server.url.clone();
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let cases = config.cases;
    let statuses: RefCell<BTreeMap<u16, u64>> = RefCell::new(BTreeMap::new());
    let mut runner = TestRunner::new(config);
    let result = runner.run(&spec(), |spec| {
        let status = fixture.runtime.block_on(check(
            fixture.router.clone(),
            &spec,
            &fixture.token,
            &own_origin,
        ))?;
        *statuses.borrow_mut().entry(status).or_default() += 1;
        Ok(())
    });
    let statuses = statuses.into_inner();
    let executed: u64 = statuses
        .iter()
        .filter(|(status, _)| **status != 0)
        .map(|(_, count)| count)
        .sum();
    let created = fixture
        .runtime
        .block_on(fixture.server.state.store.count_connections())
        .unwrap();
    fixture.runtime.block_on(fixture.server.shutdown());
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let histogram: Vec<String> = statuses
        .iter()
        .map(|(status, count)| {
            if *status == 0 {
                format!("not an HTTP request: {count}")
            } else {
                format!("{status}: {count}")
            }
        })
        .collect();
    println!(
        "fuzz_requests: executed {executed} requests ({cases} cases asked), {created} connections created; statuses {}",
        histogram.join(", ")
    );
    // Every generated case is a sendable request (paths are percent-encoded).
    assert_eq!(executed, u64::from(cases), "{histogram:?}");
    // The generator reaches every layer: refusals before and after authentication, the
    // rules, the identity platform, and success.
    if cases >= 2000 {
        for status in [201, 400, 401, 415, 422] {
            assert!(
                statuses.contains_key(&status),
                "no request answered {status}"
            );
        }
    }
}
