//! The connection endpoint contract of SPEC §6, as pure Rust: what is sent, how every
//! answer is classified (success, retry, session refresh, failure on which field), the
//! retry policy and `Retry-After` parsing, and the Nango mapping of §6.4.
//!
//! The browser transport (`src/web/transport.rs`) only moves bytes and reads JSON members;
//! every decision is made here, so it is tested natively (`tests/protocol.rs`).

use crate::error::ErrorCode;
use crate::rules::{before_ascii, push_percent_encoded, rsplit_once_ascii, Field};

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

/// At most this many bytes of a response body are read; the rest is cancelled unread.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Attempts per submission, the first included (three retries, the Azure SDKs' default).
pub const MAX_ATTEMPTS: u32 = 4;
/// The first backoff step; each retry doubles it.
pub const BASE_DELAY_MS: u32 = 500;
/// No computed backoff step exceeds this.
pub const MAX_DELAY_MS: u32 = 8_000;
/// The whole-submission budget when the host sets no `timeoutMs`.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// A server's `error.details` longer than this (as JSON text) is dropped rather than cut.
pub const MAX_DETAILS_BYTES: usize = 4096;
/// Longer server messages are cut (on a character boundary) before they reach the host.
const MAX_MESSAGE_BYTES: usize = 512;
/// Longer connection ids are rejected: no real backend needs them, and they end up in the DOM.
const MAX_CONNECTION_ID_BYTES: usize = 256;

/// The normalized form values of one submission, exactly as sent.
///
/// Deliberately not `Debug`: it holds the client secret.
#[derive(Clone, Copy)]
pub struct Outgoing<'a> {
    /// Normalized tenant (GUID or domain).
    pub tenant_id: &'a str,
    /// Normalized client ID.
    pub client_id: &'a str,
    /// The client secret Value.
    pub client_secret: &'a str,
    /// The `{resource}/.default` scope.
    pub scope: &'a str,
    /// The cloud name.
    pub cloud: &'a str,
}

/// The JSON body's members, in order: the five §6.1 fields, or Nango's two (§6.4).
///
/// The secret goes here and nowhere else (never in the URL or a header).
pub fn body_fields<'a>(protocol: Protocol, values: &Outgoing<'a>) -> Vec<(&'static str, &'a str)> {
    match protocol {
        Protocol::Endpoint => vec![
            ("tenant_id", values.tenant_id),
            ("client_id", values.client_id),
            ("client_secret", values.client_secret),
            ("scope", values.scope),
            ("cloud", values.cloud),
        ],
        Protocol::Nango => vec![
            ("client_id", values.client_id),
            ("client_secret", values.client_secret),
        ],
    }
}

/// The request headers of §6.1 (`Authorization: Bearer`, `Idempotency-Key`).
///
/// Nango gets only what its own frontend SDK sends (`Content-Type`): its token travels in
/// the query string (§6.4), it has no idempotency keys, and any other header would need
/// its CORS configuration to allow it.
pub fn request_headers(
    protocol: Protocol,
    session_token: &str,
    idempotency_key: &str,
) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("Content-Type", String::from("application/json")),
        ("Accept", String::from("application/json")),
    ];
    if protocol == Protocol::Endpoint {
        let mut bearer = String::from("Bearer ");
        bearer.push_str(session_token);
        headers.push(("Authorization", bearer));
        headers.push(("Idempotency-Key", String::from(idempotency_key)));
    }
    headers
}

/// Nango's URL for creating a `microsoft-oauth2-cc` connection (§6.4):
/// `{host}/oauth2/auth/{providerConfigKey}?connect_session_token=…&params[tenantId]=…&params[oauth_scopes]=…`.
///
/// Every value is percent-encoded (RFC 3986 unreserved characters kept); trailing slashes of `host` are dropped.
pub fn nango_url(
    host: &str,
    provider_config_key: &str,
    session_token: &str,
    tenant_id: &str,
    scope: &str,
) -> String {
    let mut host = host;
    while let Some(shorter) = host.strip_suffix('/') {
        host = shorter;
    }
    let mut url = String::from(host);
    url.push_str("/oauth2/auth/");
    push_percent_encoded(&mut url, provider_config_key);
    url.push_str("?connect_session_token=");
    push_percent_encoded(&mut url, session_token);
    url.push_str("&params[tenantId]=");
    push_percent_encoded(&mut url, tenant_id);
    url.push_str("&params[oauth_scopes]=");
    push_percent_encoded(&mut url, scope);
    url
}

/// Whether `endpoint` is on another origin than the page (`page_origin`, e.g.
/// `https://app.example.com`), so that a failed request may be a CORS refusal.
/// Relative endpoints are same-origin; default ports compare equal to none.
pub fn is_cross_origin(endpoint: &str, page_origin: &str) -> bool {
    let endpoint = endpoint.trim();
    let absolute = if let Some(rest) = endpoint.strip_prefix("//") {
        // Scheme-relative: inherits the page's scheme.
        let scheme = split_around(page_origin, "//").map_or("", |(scheme, _)| scheme);
        let mut url = String::from(scheme);
        url.push_str("//");
        url.push_str(rest);
        url
    } else if has_http_scheme(endpoint) {
        String::from(endpoint)
    } else {
        return false;
    };
    match (origin_of(&absolute), origin_of(page_origin)) {
        (Some(a), Some(b)) => a != b,
        _ => true,
    }
}

/// `text` split around the first `needle`. Written out because `str::split_once` with a
/// `&str` needle pulls the two-way searcher and panic formatting into the wasm (~5 KB).
fn split_around<'a>(text: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = text
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())?;
    Some((text.get(..at)?, text.get(at + needle.len()..)?))
}

fn has_http_scheme(url: &str) -> bool {
    split_around(url, "://").is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// `(scheme, host, port)` of an absolute http(s) URL, lowercased, with the default port filled in.
fn origin_of(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = split_around(url, "://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = before_ascii(rest, b"/?#");
    let host_port = rsplit_once_ascii(authority, b'@').map_or(authority, |(_, host)| host);
    // A port follows the last ':' unless that ':' is inside an IPv6 literal.
    let (host, port) = match rsplit_once_ascii(host_port, b':') {
        Some((host, port)) if !port.contains(']') => (host, port.parse::<u16>().ok()?),
        _ => (host_port, default_port),
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme, host.to_ascii_lowercase(), port))
}

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
    matches!(
        code,
        "invalid_session"
            | "unknown_connect_session_token"
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
        Protocol::Endpoint => match code {
            "tenant_not_found" => Some(Field::TenantId),
            "app_not_found" => Some(Field::ClientId),
            "invalid_secret" | "secret_expired" => Some(Field::ClientSecret),
            "invalid_scope" => Some(Field::Scope),
            _ => None,
        },
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

/// Decimal text of `n`, without the formatting machinery (it is heavy in wasm).
pub fn decimal(mut n: u64) -> String {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits
        .get(start..)
        .and_then(|ascii| String::from_utf8(ascii.to_vec()).ok())
        .unwrap_or_default()
}

/// How long to wait before the next attempt, or `None` to stop and report the last failure.
///
/// `failed_attempt` is the number (1, 2, ...) of the attempt that just failed; `jitter`
/// is a random number in `[0, 1)`; `retry_after_ms` is the server's `Retry-After`;
/// `remaining_ms` is what is left of `timeoutMs`.
///
/// The step doubles from [`BASE_DELAY_MS`] up to [`MAX_DELAY_MS`], with "equal jitter"
/// (half fixed, half random) so retries after a 5xx are never fast and clients spread out.
/// A `Retry-After` is honoured as a minimum, as Microsoft's throttling guidance asks.
/// No retry after [`MAX_ATTEMPTS`] attempts, nor when the wait would not fit in the budget.
pub fn retry_delay_ms(
    failed_attempt: u32,
    jitter: f64,
    retry_after_ms: Option<u64>,
    remaining_ms: u64,
) -> Option<u32> {
    if failed_attempt == 0 || failed_attempt >= MAX_ATTEMPTS {
        return None;
    }
    let step = BASE_DELAY_MS
        .saturating_mul(1u32 << (failed_attempt - 1).min(16))
        .min(MAX_DELAY_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = step / 2;
    // jitter < 1, so the random half stays below `half`; the cast truncates toward zero.
    let backoff = u64::from(half) + (f64::from(half) * jitter) as u64;
    let delay = backoff.max(retry_after_ms.unwrap_or(0));
    if delay > remaining_ms {
        return None;
    }
    u32::try_from(delay).ok()
}

/// Parses a `Retry-After` header into milliseconds from `now_ms` (Unix time in ms).
///
/// Accepts delta-seconds (`120`) and the IMF-fixdate form of an HTTP date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7); a date in the past means 0.
/// Anything else is `None`.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        let mut seconds: u64 = 0;
        for byte in value.bytes() {
            seconds = seconds
                .saturating_mul(10)
                .saturating_add(u64::from(byte - b'0'));
        }
        return Some(seconds.saturating_mul(1000));
    }
    let at_ms = parse_imf_fixdate(value)?;
    Some(at_ms.saturating_sub(now_ms))
}

/// Rounds milliseconds up to whole seconds, for `ConnectError.retryAfter`.
pub fn ms_to_secs_ceil(ms: u64) -> u32 {
    u32::try_from(ms.div_ceil(1000)).unwrap_or(u32::MAX)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` → Unix time in milliseconds.
fn parse_imf_fixdate(text: &str) -> Option<u64> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (day_name, rest) = split_around(text, ", ")?;
    if !DAYS.contains(&day_name) {
        return None;
    }
    let mut parts = rest.split(' ');
    let day = fixed_number(parts.next()?, 2)?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|name| *name == month_name)? as u64 + 1;
    let year = fixed_number(parts.next()?, 4)?;
    let mut clock = parts.next()?.split(':');
    let hour = fixed_number(clock.next()?, 2)?;
    let minute = fixed_number(clock.next()?, 2)?;
    let second = fixed_number(clock.next()?, 2)?;
    if clock.next().is_some() || parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    if year < 1970 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // 60 allows a leap second.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(seconds * 1000)
}

/// Exactly `width` ASCII digits.
fn fixed_number(text: &str, width: usize) -> Option<u64> {
    if text.len() != width || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(
        text.bytes()
            .fold(0, |total, byte| total * 10 + u64::from(byte - b'0')),
    )
}

fn is_leap_year(year: u64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (year ≥ 1970), by Howard Hinnant's
/// `days_from_civil`.
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The failure when the server answers with a redirect. The SDK does not follow redirects
/// (`redirect: 'manual'`), so the secret in the body is never re-sent to another address.
pub fn redirect_failure(protocol: Protocol) -> Failure {
    let mut message = String::from(protocol.peer());
    message.push_str(" answered with a redirect, which the SDK does not follow so that the secret is never re-sent elsewhere: configure the final URL.");
    plain_failure(ErrorCode::Server, message)
}

/// A random (version 4) UUID from 16 random bytes, in the lowercase hyphenated form of
/// `crypto.randomUUID()`; used where that function is missing (insecure contexts).
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut uuid = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            uuid.push('-');
        }
        uuid.push(char::from(HEX[usize::from(byte >> 4)]));
        uuid.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    uuid
}
