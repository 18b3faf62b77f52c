//! What one submission sends: the JSON body's members, the headers, and Nango's URL.

use super::Protocol;
use crate::rules::push_percent_encoded;

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
