//! POSTs normalized credentials to the connection endpoint (SPEC §6) with gloo-net, with
//! retries that never create a connection twice. (Owned by the transport helper.)

use crate::protocol::{Connection, Failure};

/// Where the credentials go.
pub(crate) enum Target {
    /// The §6 connection endpoint (relative or absolute URL).
    Endpoint { url: String },
    /// A Nango server (§6.4).
    Nango { host: String, provider_config_key: String },
}

/// Normalized values from the rules, exactly what is sent.
pub(crate) struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
    pub cloud: String,
}

/// The host's `sessionToken` option.
pub(crate) enum SessionToken {
    /// A string: cannot be refreshed; a 401 ends in `session_expired`.
    Fixed(String),
    /// A function returning a string or a Promise of one: called for each submission,
    /// and once more after a 401 `invalid_session`.
    Provider(js_sys::Function),
}

/// One submission (one click on Connect); its retries share `idempotency_key`.
pub(crate) struct Submission<'a> {
    pub target: &'a Target,
    pub credentials: &'a Credentials,
    pub session_token: &'a SessionToken,
    /// A random UUID (`crypto.randomUUID()`), the same across retries.
    pub idempotency_key: String,
    /// Budget for the whole submission, retries included.
    pub timeout_ms: u32,
    /// The host's `signal`, if any: aborts the request in flight.
    pub signal: Option<&'a web_sys::AbortSignal>,
    /// Called before each retry with the attempt number (2, 3, ...) and the delay in ms.
    pub on_retry: &'a dyn Fn(u32, u32),
}

/// Sends the submission, retrying per §6.3, and returns the created connection or why not.
pub(crate) async fn submit(submission: Submission<'_>) -> Result<Connection, Failure> {
    todo!("transport helper: {}", submission.idempotency_key)
}
