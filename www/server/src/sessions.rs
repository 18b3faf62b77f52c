//! Session tokens: what a SaaS backend hands its signed-in user's page so the SDK may call
//! the connection endpoint. Random 256-bit tokens, stored only as SHA-256 hashes, expiring
//! after 15 minutes, bound to the origin of the page that asked for them.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::api_error::ApiError;
use crate::app::SharedState;
use crate::crypto::{random_bytes, sha256_hex};
use crate::store::SessionRecord;
use crate::time::{now_unix, rfc3339};

/// Length of a token's text: 32 bytes in unpadded base64url.
const TOKEN_LEN: usize = 43;

/// `POST /api/sessions`: mints a token bound to the caller's origin (the server's own when
/// the request has no `Origin`, as from curl). Answers `201 {"token","expires_at"}`.
pub async fn create_session(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let now = now_unix();
    let record = SessionRecord {
        token_hash: sha256_hex(token.as_bytes()),
        origin: request_origin(&headers).unwrap_or_else(|| state.own_origin.clone()),
        created_at: now,
        expires_at: now + state.config.session_lifetime.as_secs() as i64,
    };
    if let Err(error) = state.store.insert_session(&record).await {
        return ApiError::internal(&error).into_response();
    }
    tracing::info!(origin = %record.origin, "session created");
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
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
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
        .map_err(|error| ApiError::internal(&error))?
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
