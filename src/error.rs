//! The error codes a `connect()` Promise can reject with (SPEC §3), shared by the
//! browser shell and its tests.

/// Why `connect()` rejected: the `code` of the JavaScript `ConnectError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The modal was closed without a successful submission and no submission failed.
    Cancelled,
    /// An option passed to `connect()` is missing or malformed; nothing was drawn.
    InvalidOptions,
    /// The backend rejected a string session token (it cannot be refreshed).
    SessionExpired,
    /// The request could not reach the backend (offline, DNS, CORS, connection reset).
    Network,
    /// `timeoutMs` elapsed before the backend answered.
    Timeout,
    /// The host's `AbortSignal` fired.
    Aborted,
    /// The backend answered with an error (§6.3).
    Server,
    /// Another `connect()` modal is already open.
    AlreadyOpen,
}

impl ErrorCode {
    /// The stable string JavaScript sees in `ConnectError.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::Server => "server",
            ErrorCode::AlreadyOpen => "already_open",
        }
    }
}
