//! The classification of an answer: a success becomes the connection, a failure becomes
//! what to do next (retry, refresh the session, stop) and the failure to report.

use super::{decimal, Connection, Failure, Outgoing, Protocol};
use crate::contract::ServerCode;
use crate::error::ErrorCode;
use crate::rules::Field;

/// At most this many bytes of a response body are read; the rest is cancelled unread.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A server's `error.details` longer than this (as JSON text) is dropped rather than cut.
pub const MAX_DETAILS_BYTES: usize = 4096;
/// Longer server messages are cut (on a character boundary) before they reach the host.
const MAX_MESSAGE_BYTES: usize = 512;
/// Longer connection ids are rejected: no real backend needs them, and they end up in the DOM.
const MAX_CONNECTION_ID_BYTES: usize = 256;

/// The members of a success body (§6.2), already read out of the JSON: a member that is
/// missing or has the wrong type is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuccessFields {
    /// `connection_id` (Nango: `connectionId`).
    pub connection_id: Option<String>,
    /// `tenant_id`, possibly the resolved GUID.
    pub tenant_id: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `cloud`.
    pub cloud: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// The string members of `granted_permissions`.
    pub granted_permissions: Option<Vec<String>>,
}

/// Turns a 200/201 answer into the connection, filling members the server left out with
/// what was sent. `None` means the body was not a JSON object.
pub fn parse_success(
    protocol: Protocol,
    status: u16,
    fields: Option<SuccessFields>,
    sent: &Outgoing,
) -> Result<Connection, Failure> {
    let Some(fields) = fields else {
        return Err(server_failure(
            protocol,
            status,
            " but its body is not a JSON object; the connection may have been created.",
        ));
    };
    let connection_id = match fields.connection_id {
        Some(id) if !id.trim().is_empty() && id.len() <= MAX_CONNECTION_ID_BYTES => id,
        _ => {
            return Err(server_failure(
                protocol,
                status,
                " without a usable connection_id; the connection may have been created.",
            ))
        }
    };
    let or_sent = |value: Option<String>, sent: &str| match value {
        Some(value) if !value.is_empty() => value,
        _ => String::from(sent),
    };
    Ok(Connection {
        connection_id,
        tenant_id: or_sent(fields.tenant_id, sent.tenant_id),
        client_id: or_sent(fields.client_id, sent.client_id),
        cloud: or_sent(fields.cloud, sent.cloud),
        scope: or_sent(fields.scope, sent.scope),
        granted_permissions: fields
            .granted_permissions
            .unwrap_or_default()
            .into_iter()
            .filter(|permission| !permission.is_empty())
            .collect(),
    })
}

/// Whether the status is a §6.2 success.
pub fn is_success(status: u16) -> bool {
    status == 200 || status == 201
}

/// The `error` object of a failure body (§6.3), already read out of the JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorFields {
    /// `error.code` (`invalid_secret`, Nango's `client_credentials_fetch_error`, ...).
    pub code: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.field`, in wire (`tenant_id`) or JavaScript (`tenantId`) spelling.
    pub field: Option<String>,
    /// `error.details`, serialized back to JSON text.
    pub details: Option<String>,
}

/// What the transport could make of a failure body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Zero bytes.
    Empty,
    /// More than [`MAX_BODY_BYTES`]; reading stopped there.
    TooLarge,
    /// Not JSON, or JSON without an `error` object (an HTML error page, a proxy's answer).
    Unrecognized,
    /// A §6.3 `error` object.
    Error(ErrorFields),
}

/// What the transport does after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Wait (see [`retry_delay_ms`]) and send the same request again, same Idempotency-Key.
    Retry,
    /// Ask a `sessionToken` function once for a fresh token and send again at once;
    /// with a string token, or after one refresh, fail with `session_expired`.
    RefreshSession,
    /// Stop: the submission failed.
    Fail,
}

/// The classification of a failed attempt: what to do next, and the failure to report
/// if nothing more is tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Retry, refresh the session, or stop.
    pub next: Next,
    /// The failure the submission ends with if this was the last attempt.
    pub failure: Failure,
}

/// Classifies an answer that is not a §6.2 success, from its status, body and `Retry-After`.
///
/// - 401, or `invalid_session` (Nango: `unknown_connect_session_token`, ...): refresh the session.
/// - 429, 502, 503, 504: retry. With Nango only 429 and 503 are retried: Nango has no
///   idempotency keys, so a retry after a gateway error could create a second connection.
/// - Anything else fails at once with `server`, on the field the body or its code names.
pub fn classify_response(
    protocol: Protocol,
    status: u16,
    body: Body,
    retry_after_secs: Option<u32>,
) -> Verdict {
    let fields = match &body {
        Body::Error(fields) => Some(fields),
        _ => None,
    };
    let server_code = fields.and_then(|fields| non_empty(&fields.code));
    let session_refused = status == 401 || server_code.is_some_and(is_session_code);
    let next = if session_refused {
        Next::RefreshSession
    } else if is_retryable_status(protocol, status) {
        Next::Retry
    } else {
        Next::Fail
    };

    let mut failure = match (&body, fields) {
        (_, Some(fields)) => Failure {
            code: ErrorCode::Server,
            status: Some(status),
            server_code: server_code.map(String::from),
            message: server_message(protocol, status, fields),
            field: error_field(protocol, fields),
            retry_after: None,
            details: fields
                .details
                .as_ref()
                .filter(|details| details.len() <= MAX_DETAILS_BYTES)
                .cloned(),
        },
        (Body::Empty, None) => server_failure(protocol, status, " with an empty body."),
        (Body::TooLarge, None) => {
            server_failure(protocol, status, " with a body larger than 64 KB (not read).")
        }
        _ => server_failure(
            protocol,
            status,
            " with a body that is not the JSON error of the contract (an HTML error page or a proxy's answer?).",
        ),
    };
    failure.retry_after = retry_after_secs;
    if session_refused {
        failure.code = ErrorCode::SessionExpired;
        failure.field = None;
        if fields.and_then(|f| non_empty(&f.message)).is_none() {
            failure.message = String::from(
                "The session token was refused (HTTP 401): the user's session has expired.",
            );
        }
    }
    Verdict { next, failure }
}

/// Classifies a request that got no answer (offline, DNS, connection reset, CORS refusal).
/// A CORS refusal looks exactly like a network failure to the page, hence the hint.
pub fn classify_network_error(protocol: Protocol, cross_origin: bool) -> Verdict {
    let message = if cross_origin {
        match protocol {
            Protocol::Endpoint => "Could not reach the connection endpoint. It is on another origin: check that it is online and answers CORS requests from this page (Access-Control-Allow-Origin, and Access-Control-Allow-Headers with Authorization, Content-Type and Idempotency-Key).",
            Protocol::Nango => "Could not reach the Nango server. It is on another origin: check that it is online and that its CORS configuration allows this page.",
        }
    } else {
        match protocol {
            Protocol::Endpoint => "Could not reach the connection endpoint: the network failed or the connection was reset.",
            Protocol::Nango => "Could not reach the Nango server: the network failed or the connection was reset.",
        }
    };
    Verdict {
        // Without idempotency keys (Nango) the request may have been processed: never resend.
        next: match protocol {
            Protocol::Endpoint => Next::Retry,
            Protocol::Nango => Next::Fail,
        },
        failure: Failure {
            code: ErrorCode::Network,
            status: None,
            server_code: None,
            message: String::from(message),
            field: None,
            retry_after: None,
            details: None,
        },
    }
}

/// The failure when `timeoutMs` runs out with a request or a wait still pending.
pub fn timeout_failure(timeout_ms: u32) -> Failure {
    let mut message = String::from("No answer within timeoutMs (");
    message.push_str(&decimal(u64::from(timeout_ms)));
    message.push_str(" ms), retries included.");
    plain_failure(ErrorCode::Timeout, message)
}

/// The failure when the host's `signal` aborts the submission.
pub fn aborted_failure() -> Failure {
    plain_failure(
        ErrorCode::Aborted,
        String::from("The host aborted the request (its AbortSignal fired)."),
    )
}

/// The failure when a `sessionToken` function throws, rejects, or gives no usable string.
pub fn session_token_failure() -> Failure {
    plain_failure(
        ErrorCode::SessionExpired,
        String::from("The sessionToken function did not give a token (it threw, rejected, or returned no non-empty string)."),
    )
}

fn plain_failure(code: ErrorCode, message: String) -> Failure {
    Failure {
        code,
        status: None,
        server_code: None,
        message,
        field: None,
        retry_after: None,
        details: None,
    }
}

fn is_retryable_status(protocol: Protocol, status: u16) -> bool {
    match protocol {
        Protocol::Endpoint => matches!(status, 429 | 502 | 503 | 504),
        Protocol::Nango => matches!(status, 429 | 503),
    }
}

fn is_session_code(code: &str) -> bool {
    code == ServerCode::InvalidSession.as_str()
        || matches!(
            code,
            "unknown_connect_session_token"
                | "invalid_connect_session_token_format"
                | "missing_connect_session_token"
        )
}

/// The field a failure concerns: the body's own `field` first, else the one its code names.
fn error_field(protocol: Protocol, fields: &ErrorFields) -> Option<Field> {
    if let Some(field) = non_empty(&fields.field).and_then(Field::from_name) {
        return Some(field);
    }
    let code = non_empty(&fields.code)?;
    match protocol {
        Protocol::Endpoint => ServerCode::parse(code).and_then(ServerCode::field),
        Protocol::Nango => nango_field(code),
    }
}

/// The form field a Nango error code names, if any.
pub fn nango_field(code: &str) -> Option<Field> {
    match code {
        "missing_client_secret" | "invalid_client_secret" | "missing_oauth_client_secret" => {
            Some(Field::ClientSecret)
        }
        "missing_client_id" | "invalid_client_id" | "missing_oauth_client_id" => {
            Some(Field::ClientId)
        }
        "invalid_oauth_scopes" | "missing_scopes" => Some(Field::Scope),
        // tenantId is the only connection-config parameter the SDK sends.
        "missing_connection_config_param" | "invalid_connection_config" => Some(Field::TenantId),
        _ => None,
    }
}

fn server_message(protocol: Protocol, status: u16, fields: &ErrorFields) -> String {
    let code = non_empty(&fields.code);
    if protocol == Protocol::Nango && code == Some("client_credentials_fetch_error") {
        // Nango's own message ("Error fetching client credentials") hides the cause.
        return String::from("The Microsoft identity platform refused the credentials (Nango: client_credentials_fetch_error). Check the tenant, the client ID and the secret Value.");
    }
    if let Some(message) = non_empty(&fields.message) {
        return bounded(message);
    }
    let mut message = String::from(protocol.peer());
    message.push_str(" answered HTTP ");
    message.push_str(&decimal(u64::from(status)));
    match code {
        Some(code) => {
            message.push_str(" with error code ");
            message.push_str(&bounded(code));
            message.push('.');
        }
        None => message.push_str(" with an error object without a code or message."),
    }
    message
}

fn server_failure(protocol: Protocol, status: u16, what: &str) -> Failure {
    let mut message = String::from(protocol.peer());
    message.push_str(" answered HTTP ");
    message.push_str(&decimal(u64::from(status)));
    message.push_str(what);
    Failure {
        code: ErrorCode::Server,
        status: Some(status),
        server_code: None,
        message,
        field: None,
        retry_after: None,
        details: None,
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// `text` cut to [`MAX_MESSAGE_BYTES`] on a character boundary.
fn bounded(text: &str) -> String {
    let mut end = text.len().min(MAX_MESSAGE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::from(text.get(..end).unwrap_or(""));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// The failure when the server answers with a redirect. The SDK does not follow redirects
/// (`redirect: 'manual'`), so the secret in the body is never re-sent to another address.
pub fn redirect_failure(protocol: Protocol) -> Failure {
    let mut message = String::from(protocol.peer());
    message.push_str(" answered with a redirect, which the SDK does not follow so that the secret is never re-sent elsewhere: configure the final URL.");
    plain_failure(ErrorCode::Server, message)
}
