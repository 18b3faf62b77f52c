//! Session tokens: what a SaaS backend hands its signed-in user's page so the SDK may call
//! the connection endpoint. Random 256-bit tokens, stored only as SHA-256 hashes, expiring
//! after 15 minutes, bound to the origin of the page that asked for them and to an account
//! (SPEC §11.1): the SaaS backend mints them with an API key for one of its customers; with
//! `--demo` the browser may mint them itself, for the account `demo`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use crate::api_error::ApiError;
use crate::app::SharedState;
use crate::config::parse_origin;
use crate::crypto::{random_bytes, sha256_hex};
use crate::store::SessionRecord;
use crate::time::{now_unix, rfc3339};

/// Length of a token's text: 32 bytes in unpadded base64url.
const TOKEN_LEN: usize = 43;
/// The account of sessions the browser mints under `--demo`.
pub const DEMO_ACCOUNT: &str = "demo";
/// Longest account id.
const MAX_ACCOUNT_ID_LEN: usize = 128;
/// Largest body of a session request.
const SESSION_BODY_LIMIT: usize = 4 * 1024;

/// What the SaaS backend sends with its API key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    account_id: String,
    #[serde(default)]
    origin: Option<String>,
}

/// `POST /api/sessions`. With `Authorization: Bearer {API key}` and
/// `{"account_id","origin"?}` it mints a token for that account, bound to `origin` (this
/// server's own when absent). Without a key it answers 401, unless the server runs with
/// `--demo`: then the token is for the account `demo`, bound to the caller's origin.
/// Answers `201 {"token","expires_at"}`.
pub async fn create_session(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (account_id, origin) = match session_owner(&state, &headers, body).await {
        Ok(owner) => owner,
        Err(error) => return error.into_response(),
    };
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let now = now_unix();
    let record = SessionRecord {
        token_hash: sha256_hex(token.as_bytes()),
        account_id,
        origin,
        created_at: now,
        expires_at: now + state.config.session_lifetime.as_secs() as i64,
    };
    if let Err(error) = state.store.insert_session(&record).await {
        return ApiError::store(&error).into_response();
    }
    tracing::info!(account_id = %record.account_id, origin = %record.origin, "session created");
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({ "token": token, "expires_at": rfc3339(record.expires_at) })),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Who the session is for: `(account_id, origin)`.
async fn session_owner(
    state: &SharedState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, String), ApiError> {
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        if state.config.demo {
            let origin = request_origin(headers).unwrap_or_else(|| state.own_origin.clone());
            return Ok((DEMO_ACCOUNT.to_string(), origin));
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "api_key_required",
            "Sessions are minted by your backend with an API key: Authorization: Bearer {key from ENTRA_CONNECT_API_KEYS}.",
        ));
    };
    let key = bearer(authorization.to_str().unwrap_or_default()).unwrap_or_default();
    if key.is_empty() || !state.config.is_api_key(key) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "The API key is not one of ENTRA_CONNECT_API_KEYS.",
        ));
    }
    let invalid = |message: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_session_request",
            message.to_string(),
        )
    };
    let bytes = axum::body::to_bytes(body, SESSION_BODY_LIMIT)
        .await
        .map_err(|_| invalid("The body must be a JSON object of at most 4 KB."))?;
    // serde would also read the struct from an array (`["acme"]`): only an object is one.
    let is_object = bytes.trim_ascii_start().first() == Some(&b'{');
    let parsed = is_object
        .then(|| serde_json::from_slice::<SessionRequest>(&bytes).ok())
        .flatten();
    let request = parsed.ok_or_else(|| {
        invalid(r#"The body must be {"account_id": "...", "origin": "https://app.example.com"} (origin optional)."#)
    })?;
    let account_id = request.account_id.trim();
    let valid_account = (1..=MAX_ACCOUNT_ID_LEN).contains(&account_id.len())
        && account_id.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-' | b':' | b'@')
        });
    if !valid_account {
        return Err(invalid(
            "account_id must be 1 to 128 letters, digits, '.', '_', '-', ':' or '@'.",
        ));
    }
    let origin = match request.origin.as_deref() {
        Some(origin) => parse_origin(origin).map_err(|_| {
            invalid("origin must be the page's origin, like https://app.example.com.")
        })?,
        None => state.own_origin.clone(),
    };
    Ok((account_id.to_string(), origin))
}

/// The credential of an `Authorization: Bearer {credential}` value.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, credential) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credential.trim())
}

/// The request's `Origin`, lowercased, when it sent a real one.
pub fn request_origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .filter(|origin| !origin.is_empty() && *origin != "null")
        .map(|origin| origin.trim_end_matches('/').to_ascii_lowercase())
}

/// Checks `Authorization: Bearer {token}`: it must name a stored, unexpired session, and a
/// browser request must come from the origin the session was minted for.
pub async fn authenticate(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<SessionRecord, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer)
        .ok_or_else(|| {
            ApiError::invalid_session("A session token is required (Authorization: Bearer ...).")
        })?;
    let well_formed = token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    let unknown =
        || ApiError::invalid_session("The session token is unknown or has expired. Sign in again.");
    if !well_formed {
        return Err(unknown());
    }
    let session = state
        .store
        .find_session(&sha256_hex(token.as_bytes()))
        .await
        .map_err(|error| ApiError::store(&error))?
        .ok_or_else(unknown)?;
    if session.expires_at <= now_unix() {
        return Err(unknown());
    }
    if let Some(origin) = request_origin(headers) {
        if origin != session.origin {
            return Err(ApiError::invalid_session(
                "The session token was issued to another origin.",
            ));
        }
    }
    Ok(session)
}
