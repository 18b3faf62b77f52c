//! The connection endpoint contract of SPEC §6, as pure Rust: the outcome types the
//! browser shell and its tests share. (The transport helper extends this module with the
//! response classification, retry policy and Nango mapping.)

use crate::error::ErrorCode;
use crate::rules::Field;

/// A connection the backend created (§6.2), as the SDK hands it to the host.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Connection {
    /// The backend's identifier of the stored connection.
    pub connection_id: String,
    /// The tenant, possibly resolved by the backend to its GUID.
    pub tenant_id: String,
    /// The application (client) ID.
    pub client_id: String,
    /// The cloud name (`global`, ...).
    pub cloud: String,
    /// The scope the credentials were verified with.
    pub scope: String,
    /// Application permissions the token actually carries (its `roles` claim).
    pub granted_permissions: Vec<String>,
}

/// Why a submission failed, after any retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// `network`, `timeout`, `aborted`, `server` or `session_expired`.
    pub code: ErrorCode,
    /// The HTTP status of the last answer, when there was one.
    pub status: Option<u16>,
    /// The backend's §6.3 error code (`invalid_secret`, ...), when it sent one.
    pub server_code: Option<String>,
    /// A developer-facing explanation (the backend's message, or the SDK's own).
    pub message: String,
    /// The form field the failure concerns, when known.
    pub field: Option<Field>,
    /// Seconds the backend asked to wait (`Retry-After`), when it said so.
    pub retry_after: Option<u32>,
    /// The backend's `error.details`, as JSON text (bounded), when it sent any.
    pub details: Option<String>,
}
