//! The connection endpoint contract of SPEC §6, as pure Rust: what is sent, how every
//! answer is classified (success, retry, session refresh, failure on which field), the
//! retry policy and `Retry-After` parsing, and the Nango mapping of §6.4. One job a file:
//! [`request`] shapes what is sent, [`origin`] compares origins, [`classify`] judges an
//! answer, [`retry`] decides when to try again, [`http_date`] reads HTTP dates, [`uuid`]
//! makes idempotency keys and [`decimal`] writes numbers.
//!
//! The browser transport (`src/web/transport.rs`) only moves bytes and reads JSON members;
//! every decision is made here, so it is tested natively (`tests/protocol.rs`).

pub mod classify;
pub mod decimal;
pub mod http_date;
pub mod origin;
pub mod request;
pub mod retry;
pub mod uuid;

pub use classify::{
    aborted_failure, classify_network_error, classify_response, is_success, nango_field,
    parse_success, redirect_failure, session_token_failure, timeout_failure, Body, ErrorFields,
    Next, SuccessFields, Verdict, MAX_BODY_BYTES, MAX_DETAILS_BYTES,
};
pub use decimal::decimal;
pub use origin::is_cross_origin;
pub use request::{body_fields, nango_url, request_headers, Outgoing};
pub use retry::{
    ms_to_secs_ceil, parse_retry_after, retry_delay_ms, BASE_DELAY_MS, DEFAULT_TIMEOUT_MS,
    MAX_ATTEMPTS, MAX_DELAY_MS,
};
pub use uuid::uuid_v4_from_bytes;

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

/// Which API the SDK speaks to create the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// The connection endpoint contract of §6.1-§6.3 (the reference backend, or any backend).
    Endpoint,
    /// Nango's client credentials API for the `microsoft-oauth2-cc` provider (§6.4).
    Nango,
}

impl Protocol {
    /// How messages name the server the SDK talks to.
    fn peer(self) -> &'static str {
        match self {
            Protocol::Endpoint => "The connection endpoint",
            Protocol::Nango => "The Nango server",
        }
    }
}
