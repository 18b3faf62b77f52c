//! The connection endpoint of SPEC §6: `POST /api/entra/connections` checks the session,
//! the request and the §5 rules, verifies the credentials with the identity platform,
//! stores the connection with its secret sealed, and honours `Idempotency-Key`;
//! `GET /api/entra/connections` and `GET /api/entra/connections/{id}` read the session's
//! account's connections without secrets (another account's are `404`, like unknown ids).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use entra_connect::protocol::http_date::parse_expiry;
use entra_connect::rules::{self, Cloud, Code, Field, Input, Report};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::app::SharedState;
use crate::crypto::random_uuid;
use crate::identity::SafeTenant;
use crate::sessions;
use crate::store::{
    Claim, ConnectionRecord, IdempotencyScope, NewConnection, Problem, StoredResponse, Verified,
};
use crate::time::{now_unix, rfc3339};

/// How many connections `GET` lists at most (newest first).
const LIST_LIMIT: u32 = 100;
/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// The request body of §6.1; absent fields count as empty, like in the form.
/// No `Debug`: it holds the client secret, which must never reach a log line.
#[derive(Default, Deserialize)]
struct ConnectionRequest {
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

/// The English explanation of a rule code: the browser's own catalog, so the admin reads
/// the same sentence whichever side caught the mistake.
fn rule_message(code: Code) -> String {
    entra_connect::messages::english_text(code).to_string()
}

/// `POST /api/entra/connections`.
pub async fn create_connection(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match create(&state, &headers, body).await {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(
                code = error.code,
                status = error.status.as_u16(),
                "connection refused"
            );
            error.into_response()
        }
    }
}

async fn create(
    state: &SharedState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let session = sessions::authenticate(state, headers).await?;
    let bytes = read_body(state, headers, body).await?;
    // serde would also read a struct from a JSON array (`["t","c","s","",""]`): the
    // contract (§6.1) is an object, so only an object is read.
    let is_object = bytes.trim_ascii_start().first() == Some(&b'{');
    let parsed = if is_object {
        serde_json::from_slice::<ConnectionRequest>(&bytes).ok()
    } else {
        None
    };
    let request = parsed.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "The body must be a JSON object with string fields tenant_id, client_id, client_secret, scope and cloud.",
        )
    })?;

    // The same rules the browser ran (SPEC §5), compiled natively: never trust the client.
    let report = rules::validate(&Input {
        tenant_id: &request.tenant_id,
        client_id: &request.client_id,
        client_secret: &request.client_secret,
        scope: &request.scope,
        cloud: &request.cloud,
    });
    if let Some(error) = rule_failure(&report) {
        return Err(error);
    }
    let tenant = SafeTenant::new(&report.tenant_id.normalized).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            rule_message(Code::TenantInvalid),
        )
        .with_field(Field::TenantId)
        .with_details(json!({ "rule": Code::TenantInvalid.as_str() }))
    })?;
    let cloud = Cloud::from_name(&report.cloud.normalized).unwrap_or_default();
    let client_id = report.client_id.normalized.as_str();
    let client_secret = report.client_secret.normalized.as_str();
    let scope = report.scope.normalized.as_str();

    let idempotency = idempotency_scope(headers, &session.token_hash)?;
    if let Some(scope_of_key) = &idempotency {
        let fingerprint = state.secret_box.fingerprint(&[
            tenant.as_str().as_bytes(),
            client_id.as_bytes(),
            client_secret.as_bytes(),
            scope.as_bytes(),
            cloud.name().as_bytes(),
        ]);
        if let Some(replay) = claim(state, scope_of_key, &fingerprint).await? {
            return Ok(replay);
        }
    }

    let outcome = async {
        // The per-session limit counts verifications, the identity platform calls a session
        // makes: a replay of an answer already stored (on any instance) costs none.
        if let Some(limiter) = &state.session_limiter {
            limiter
                .check(&session.token_hash)
                .map_err(ApiError::rate_limited)?;
        }
        let verified = state
            .identity
            .verify(cloud, &tenant, client_id, client_secret, scope)
            .await?;
        let connection_id = random_uuid();
        let created_at = now_unix();
        let connection = NewConnection {
            client_secret_sealed: state
                .secret_box
                .seal(client_secret.as_bytes(), connection_id.as_bytes()),
            session_hash: session.token_hash.clone(),
            record: ConnectionRecord {
                account_id: session.account_id.clone(),
                tenant_id: verified
                    .tenant_guid
                    .unwrap_or_else(|| tenant.as_str().to_string()),
                client_id: client_id.to_string(),
                cloud: cloud.name().to_string(),
                scope: scope.to_string(),
                granted_permissions: verified.roles,
                credential_type: CLIENT_SECRET.to_string(),
                problem: None,
                verified_at: created_at,
                credential_updated_at: created_at,
                credential_expires_at: None,
                created_at,
                connection_id,
            },
        };
        let body = connection_json(&connection.record);
        let stored = StoredResponse {
            status: 201,
            body: body.to_string(),
        };
        state
            .store
            .insert_connection(
                &connection,
                idempotency.as_ref().map(|scope| (scope, &stored)),
            )
            .await
            .map_err(|error| ApiError::store(&error))?;
        tracing::info!(
            connection_id = %connection.record.connection_id,
            tenant_id = %connection.record.tenant_id,
            client_id = %connection.record.client_id,
            granted = connection.record.granted_permissions.len(),
            "connection created"
        );
        Ok::<_, ApiError>(stored)
    }
    .await;

    match outcome {
        Ok(stored) => Ok(json_response(stored.status, stored.body, false)),
        Err(error) => {
            // Nothing was created: free the key so a retry (same key) runs again.
            if let Some(scope_of_key) = &idempotency {
                if let Err(release_error) = state.store.release_idempotency(scope_of_key).await {
                    tracing::error!(%release_error, "could not release an idempotency key");
                }
            }
            Err(error)
        }
    }
}

/// The §5 rules' first failure as the 422 `validation_failed` answer, with every failing
/// field in `details.errors`; `None` when the input passes.
fn rule_failure(report: &Report) -> Option<ApiError> {
    let (field, code) = report.first_error()?;
    let errors: Vec<Value> = report
        .fields()
        .into_iter()
        .filter_map(|(field, check)| {
            check
                .error
                .map(|code| json!({ "field": field.js_name(), "rule": code.as_str() }))
        })
        .collect();
    Some(
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            rule_message(code),
        )
        .with_field(field)
        .with_details(json!({ "rule": code.as_str(), "errors": errors })),
    )
}

/// The request body: JSON by its Content-Type, at most `--body-limit` bytes, arrived within
/// the body timeout (a body that trickles in may not hold the request open).
async fn read_body(
    state: &SharedState,
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the connection as JSON (Content-Type: application/json).",
        ));
    }
    let limit = state.config.body_limit;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body is larger than {limit} bytes."),
        )
    };
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    tokio::time::timeout(state.config.body_timeout, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                "The request body did not arrive in time. Try again.",
            )
        })?
        .map_err(|_| too_large())
}

/// The request's idempotency scope, when it sent an `Idempotency-Key`.
fn idempotency_scope(
    headers: &HeaderMap,
    session_hash: &str,
) -> Result<Option<IdempotencyScope>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    let valid = !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && key.bytes().all(|byte| byte.is_ascii_graphic());
    if !valid {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters (a random UUID is best).",
        ));
    }
    Ok(Some(IdempotencyScope {
        session_hash: session_hash.to_string(),
        key: key.to_string(),
    }))
}

/// Claims the key; returns the first answer to replay when the key already succeeded,
/// waits while an identical request with the key is running.
async fn claim(
    state: &SharedState,
    scope: &IdempotencyScope,
    fingerprint: &str,
) -> Result<Option<Response>, ApiError> {
    let deadline = Instant::now() + state.config.upstream_timeout + Duration::from_secs(5);
    let mut pause = Duration::from_millis(5);
    loop {
        let claim = state
            .store
            .claim_idempotency(
                scope,
                fingerprint,
                now_unix(),
                now_unix() - state.config.claim_timeout.as_secs() as i64,
            )
            .await
            .map_err(|error| ApiError::store(&error))?;
        let first_fingerprint = match &claim {
            Claim::Owned => return Ok(None),
            Claim::Pending { fingerprint } | Claim::Completed { fingerprint, .. } => fingerprint,
        };
        if !first_fingerprint.is_empty() && first_fingerprint != fingerprint {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request. Send a new key for a new submission.",
            ));
        }
        if let Claim::Completed { status, body, .. } = claim {
            tracing::info!("idempotent replay");
            return Ok(Some(json_response(status, body, true)));
        }
        if Instant::now() >= deadline {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed. Retry shortly.",
            )
            .with_retry_after(1));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

fn json_response(status: u16, body: String, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The only credential type until SPEC §10's certificates and federated credentials.
const CLIENT_SECRET: &str = "client_secret";

/// The Connection object of SPEC §9.1, as the 201 answer, the list, the get and verify
/// show it, without secret.
fn connection_json(record: &ConnectionRecord) -> Value {
    let mut connection = json!({
        "connection_id": record.connection_id,
        "tenant_id": record.tenant_id,
        "client_id": record.client_id,
        "cloud": record.cloud,
        "scope": record.scope,
        "credential_type": record.credential_type,
        "granted_permissions": record.granted_permissions,
        "status": if record.problem.is_some() { "needs_attention" } else { "active" },
        "created_at": rfc3339(record.created_at),
        "verified_at": rfc3339(record.verified_at),
        "credential_updated_at": rfc3339(record.credential_updated_at),
    });
    if let Some(problem) = &record.problem {
        connection["problem"] = json!(problem);
    }
    if let Some(expires_at) = record.credential_expires_at {
        connection["credential_expires_at"] = json!(rfc3339(expires_at));
    }
    connection
}

/// `GET /api/entra/connections`: the session's account's newest connections, without
/// secrets.
pub async fn list_connections(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let listed = async {
        let session = sessions::authenticate(&state, &headers).await?;
        state
            .store
            .list_connections(&session.account_id, LIST_LIMIT)
            .await
            .map_err(|error| ApiError::store(&error))
    };
    match listed.await {
        Ok(records) => {
            let connections: Vec<Value> = records.iter().map(connection_json).collect();
            axum::Json(json!({ "connections": connections })).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// `GET /api/entra/connections/{connection_id}`: one of the session's account's
/// connections. Another account's answers exactly as an unknown id does.
pub async fn get_connection(
    State(state): State<SharedState>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let found = async {
        let session = sessions::authenticate(&state, &headers).await?;
        state
            .store
            .find_connection(&session.account_id, &connection_id)
            .await
            .map_err(|error| ApiError::store(&error))?
            .ok_or_else(not_found)
    };
    match found.await {
        Ok(record) => axum::Json(connection_json(&record)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `POST /api/entra/connections/{connection_id}/verify` (SPEC §9.2): acquires a fresh
/// token with the stored credential now, records the permissions it grants, or, when the
/// identity platform refuses the credential, why the connection needs attention, and
/// answers the Connection. A transient failure (429, 5xx, timeout) is answered as such and
/// changes nothing.
pub async fn verify_connection(
    State(state): State<SharedState>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match verify(&state, &connection_id, &headers).await {
        Ok(record) => axum::Json(connection_json(&record)).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn verify(
    state: &SharedState,
    connection_id: &str,
    headers: &HeaderMap,
) -> Result<ConnectionRecord, ApiError> {
    let session = sessions::authenticate(state, headers).await?;
    let store_error = |error: crate::store::StoreError| ApiError::store(&error);
    let record = state
        .store
        .find_connection(&session.account_id, connection_id)
        .await
        .map_err(store_error)?
        .ok_or_else(not_found)?;
    if let Some(limiter) = &state.session_limiter {
        limiter
            .check(&session.token_hash)
            .map_err(ApiError::rate_limited)?;
    }
    let sealed = state
        .store
        .sealed_secret(connection_id)
        .await
        .map_err(store_error)?
        .ok_or_else(not_found)?;
    let unreadable = || {
        tracing::error!(%connection_id, "a stored credential does not open with the key ring");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The stored credential could not be opened.",
        )
    };
    let secret = state
        .secret_box
        .open(&sealed, connection_id.as_bytes())
        .map_err(|_| unreadable())?;
    let secret = zeroize::Zeroizing::new(secret);
    let secret = std::str::from_utf8(&secret).map_err(|_| unreadable())?;
    let tenant = SafeTenant::new(&record.tenant_id).ok_or_else(unreadable)?;
    let cloud = Cloud::from_name(&record.cloud).unwrap_or_default();
    let verified = match state
        .identity
        .verify(cloud, &tenant, &record.client_id, secret, &record.scope)
        .await
    {
        Ok(verified) => Verified::Granted(verified.roles),
        // A refusal of the credential itself (§6.3, 422): the connection needs attention.
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => {
            Verified::Refused(Problem {
                code: error.code.to_string(),
                message: error.message,
                field: error.field.map(|field| field.js_name().to_string()),
            })
        }
        Err(error) => return Err(error),
    };
    let verified_at = now_unix();
    let found = state
        .store
        .record_verification(&session.account_id, connection_id, &verified, verified_at)
        .await
        .map_err(store_error)?;
    if !found {
        return Err(not_found()); // deleted meanwhile
    }
    tracing::info!(
        %connection_id,
        outcome = match &verified {
            Verified::Granted(_) => "active",
            Verified::Refused(problem) => problem.code.as_str(),
        },
        "connection verified"
    );
    let mut record = record;
    match verified {
        Verified::Granted(roles) => {
            record.granted_permissions = roles;
            record.problem = None;
        }
        Verified::Refused(problem) => record.problem = Some(problem),
    }
    record.verified_at = verified_at;
    Ok(record)
}

/// `DELETE /api/entra/connections/{connection_id}` (SPEC §9.2): `204`, the row and its
/// sealed credential destroyed; every later call on the id is `404`.
pub async fn delete_connection(
    State(state): State<SharedState>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let deleted = async {
        let session = sessions::authenticate(&state, &headers).await?;
        let existed = state
            .store
            .delete_connection(&session.account_id, &connection_id)
            .await
            .map_err(|error| ApiError::store(&error))?;
        if !existed {
            return Err(not_found());
        }
        tracing::info!(%connection_id, "connection deleted");
        Ok(())
    };
    match deleted.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

/// The body of `PUT {id}/credentials`: the new client secret, and when it lapses.
#[derive(Deserialize)]
struct CredentialRequest {
    client_secret: String,
    #[serde(default)]
    credential_expires_at: Option<String>,
}

/// `PUT /api/entra/connections/{connection_id}/credentials` (SPEC §9.2): verifies the new
/// client secret against the connection's tenant, app and scope first, and only on success
/// replaces the stored one (same id, `active`, `credential_updated_at` now). A refusal is the
/// §6.3 error, and the stored credential and status stay exactly as they were. Idempotent
/// under `Idempotency-Key` like creation.
pub async fn replace_credentials(
    State(state): State<SharedState>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match replace(&state, &connection_id, &headers, body).await {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(
                %connection_id,
                code = error.code,
                status = error.status.as_u16(),
                "credential rotation refused"
            );
            error.into_response()
        }
    }
}

async fn replace(
    state: &SharedState,
    connection_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let session = sessions::authenticate(state, headers).await?;
    let bytes = read_body(state, headers, body).await?;
    let is_object = bytes.trim_ascii_start().first() == Some(&b'{');
    let request = is_object
        .then(|| serde_json::from_slice::<CredentialRequest>(&bytes).ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body must be a JSON object with the string client_secret and, optionally, credential_expires_at (2026-05-12 or 2026-05-12T08:30:00Z).",
            )
        })?;
    let CredentialRequest {
        client_secret,
        credential_expires_at: expires_text,
    } = request;
    let client_secret = zeroize::Zeroizing::new(client_secret);
    let credential_expires_at = match expires_text.as_deref() {
        None => None,
        Some(text) => Some(parse_expiry(text).map(|seconds| seconds as i64).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "credential_expires_at must be a date like 2026-05-12 or an instant like 2026-05-12T08:30:00Z.",
            )
        })?),
    };
    let record = state
        .store
        .find_connection(&session.account_id, connection_id)
        .await
        .map_err(|error| ApiError::store(&error))?
        .ok_or_else(not_found)?;
    // The same rules as creation, on the stored tenant, app and scope with the new secret.
    let report = rules::validate(&Input {
        tenant_id: &record.tenant_id,
        client_id: &record.client_id,
        client_secret: &client_secret,
        scope: &record.scope,
        cloud: &record.cloud,
    });
    if let Some(error) = rule_failure(&report) {
        return Err(error);
    }
    let client_secret = report.client_secret.normalized.as_str();
    // Stored tenants passed the same check when they were stored.
    let tenant = SafeTenant::new(&record.tenant_id).ok_or_else(|| {
        tracing::error!(%connection_id, "a stored tenant does not pass the tenant check");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The stored connection could not be read.",
        )
    })?;
    let cloud = Cloud::from_name(&record.cloud).unwrap_or_default();

    let idempotency = idempotency_scope(headers, &session.token_hash)?;
    if let Some(scope_of_key) = &idempotency {
        let expires = credential_expires_at.unwrap_or(-1).to_string();
        let fingerprint = state.secret_box.fingerprint(&[
            b"credentials",
            connection_id.as_bytes(),
            client_secret.as_bytes(),
            expires.as_bytes(),
        ]);
        if let Some(replay) = claim(state, scope_of_key, &fingerprint).await? {
            return Ok(replay);
        }
    }
    let outcome = async {
        if let Some(limiter) = &state.session_limiter {
            limiter
                .check(&session.token_hash)
                .map_err(ApiError::rate_limited)?;
        }
        let verified = state
            .identity
            .verify(
                cloud,
                &tenant,
                &record.client_id,
                client_secret,
                &record.scope,
            )
            .await?;
        let now = now_unix();
        let mut updated = record.clone();
        updated.granted_permissions = verified.roles;
        updated.problem = None;
        updated.verified_at = now;
        updated.credential_updated_at = now;
        updated.credential_expires_at = credential_expires_at;
        let stored = StoredResponse {
            status: 200,
            body: connection_json(&updated).to_string(),
        };
        let sealed = state
            .secret_box
            .seal(client_secret.as_bytes(), connection_id.as_bytes());
        let found = state
            .store
            .replace_credential(
                &updated,
                &sealed,
                idempotency.as_ref().map(|scope| (scope, &stored)),
            )
            .await
            .map_err(|error| ApiError::store(&error))?;
        if !found {
            return Err(not_found()); // deleted meanwhile
        }
        tracing::info!(%connection_id, "credential rotated");
        Ok::<_, ApiError>(stored)
    }
    .await;
    match outcome {
        Ok(stored) => Ok(json_response(stored.status, stored.body, false)),
        Err(error) => {
            if let Some(scope_of_key) = &idempotency {
                if let Err(release_error) = state.store.release_idempotency(scope_of_key).await {
                    tracing::error!(%release_error, "could not release an idempotency key");
                }
            }
            Err(error)
        }
    }
}

/// The answer for an id the session's account has no connection with.
pub fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no connection with this id.",
    )
}
