//! The client side of the Microsoft identity platform: requests a token with the client
//! credentials grant to verify what the admin entered, maps the platform's answer
//! (`error`, AADSTS `error_codes`) to the §6.3 codes and fields, and reads the granted
//! application permissions from the access token's `roles` claim.

use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use entra_connect::rules::{Cloud, Field};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_error::ApiError;

/// Largest token endpoint answer read (real ones are a few KiB).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A tenant that is safe to put in a URL path: a lowercase hyphenated GUID or a
/// lowercase DNS name. Built only from the rules' normalized value and re-checked here, so
/// no input (`../`, `?`, `#`, `@`, `%2f`, ...) can change the token request's host or path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeTenant(String);

impl SafeTenant {
    /// Accepts only a GUID or a domain name of ASCII letters, digits, hyphens and dots.
    pub fn new(normalized: &str) -> Option<SafeTenant> {
        (is_guid(normalized) || is_domain(normalized)).then(|| SafeTenant(normalized.to_string()))
    }

    /// The tenant text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lowercase hyphenated GUID.
pub fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte),
        })
}

fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        })
}

/// The token endpoint of `tenant` under an authority base such as
/// `https://login.microsoftonline.com`.
pub fn token_url(authority_base: &str, tenant: &SafeTenant) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        authority_base.trim_end_matches('/'),
        tenant.as_str()
    )
}

/// What a successful token request proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCredentials {
    /// The tenant GUID from the token's `tid` claim, when present and well-formed.
    pub tenant_guid: Option<String>,
    /// Application permissions granted (the `roles` claim).
    pub roles: Vec<String>,
}

/// The claims of an access token that the server reads.
#[derive(Debug, Default, Deserialize)]
struct AccessTokenClaims {
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    tid: Option<String>,
}

/// Reads `roles` and `tid` from a JWT access token's payload.
///
/// The signature is deliberately not verified: the token came straight from the
/// authority over TLS in answer to our own request, and it is only read here to report the
/// granted permissions, never accepted as proof of anyone's identity. (Microsoft also warns
/// that Graph access tokens are not meant to be validated by their clients.)
pub fn read_access_token(access_token: &str) -> Option<VerifiedCredentials> {
    let mut parts = access_token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: AccessTokenClaims = serde_json::from_slice(&bytes).ok()?;
    Some(VerifiedCredentials {
        tenant_guid: claims
            .tid
            .map(|tid| tid.to_ascii_lowercase())
            .filter(|tid| is_guid(tid)),
        roles: claims.roles,
    })
}

/// The identity platform's error answer (RFC 6749 §5.2 plus Microsoft's fields).
#[derive(Debug, Default, Deserialize)]
struct ErrorAnswer {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_codes: Vec<u64>,
    #[serde(default)]
    trace_id: Option<String>,
    #[serde(default)]
    correlation_id: Option<String>,
}

/// No `Debug`: the access token grants the tenant's data and must never reach a log line.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

/// Maps a non-success answer of the token endpoint to the §6.3 error the SDK shows.
pub fn map_error_answer(status: u16, retry_after: Option<&str>, body: &[u8]) -> ApiError {
    if status == 429 {
        let seconds = parse_retry_after(retry_after).unwrap_or(5);
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Microsoft is throttling sign-in requests for this tenant. Wait a moment and try again.",
        )
        .with_retry_after(seconds)
        .with_details(json!({ "source": "identity_platform" }));
    }
    if status >= 500 {
        return upstream_unavailable(
            status,
            "identity_platform_error",
            parse_retry_after(retry_after),
        );
    }
    let Ok(answer) = serde_json::from_slice::<ErrorAnswer>(body) else {
        return upstream_unavailable(502, "unexpected_answer", None);
    };
    let mut details = json!({ "error": answer.error });
    if let Some(code) = answer.error_codes.first() {
        details["aadsts"] = Value::from(format!("AADSTS{code}"));
    }
    if let Some(trace_id) = answer.trace_id.as_deref().filter(|id| is_guid_any_case(id)) {
        details["trace_id"] = Value::from(trace_id);
    }
    if let Some(correlation_id) = answer
        .correlation_id
        .as_deref()
        .filter(|id| is_guid_any_case(id))
    {
        details["correlation_id"] = Value::from(correlation_id);
    }
    let by_code = answer
        .error_codes
        .iter()
        .find_map(|code| rejection_for_code(*code));
    let rejection = by_code.or_else(|| rejection_for_error(&answer.error));
    match rejection {
        Some((code, field, message, hint)) => {
            if let Some(hint) = hint {
                details["hint"] = Value::from(hint);
            }
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
                .with_field(field)
                .with_details(details)
        }
        None if answer.error == "temporarily_unavailable" => upstream_unavailable(
            503,
            "identity_platform_error",
            parse_retry_after(retry_after),
        ),
        None => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "credentials_rejected",
            "Microsoft rejected these credentials. The details name the AADSTS error to look up.",
        )
        .with_details(details),
    }
}

type Rejection = (&'static str, Field, &'static str, Option<&'static str>);

const TENANT_NOT_FOUND: &str = "Microsoft could not find this tenant. Copy the Directory (tenant) ID from the app registration's Overview page, and check that the right cloud is selected.";
const APP_NOT_FOUND: &str = "No application with this Application (client) ID exists in the tenant. Copy the ID from the app registration's Overview page, and check that the app is registered in this tenant.";
const INVALID_SECRET: &str = "Microsoft rejected the client secret. Paste the secret's Value, not its Secret ID; if the Value is no longer shown, create a new client secret under Certificates & secrets.";
const SECRET_EXPIRED: &str = "This client secret has expired. Create a new client secret under Certificates & secrets and paste its Value.";
const INVALID_SCOPE: &str = "Microsoft rejected the scope. Use exactly one resource followed by /.default, for example https://graph.microsoft.com/.default.";
const RESOURCE_NOT_FOUND: &str = "The scope's resource does not exist in this tenant. Check the resource in the scope and the selected cloud.";

/// AADSTS codes with their own field and explanation.
fn rejection_for_code(code: u64) -> Option<Rejection> {
    Some(match code {
        // AADSTS90002: tenant not found; AADSTS900023: not a valid tenant identifier;
        // AADSTS50059: no tenant-identifying information (`common`/`organizations`).
        90002 | 900023 | 50059 => ("tenant_not_found", Field::TenantId, TENANT_NOT_FOUND, None),
        // AADSTS700016: application not found in the directory.
        700016 => ("app_not_found", Field::ClientId, APP_NOT_FOUND, None),
        // AADSTS7000215: invalid client secret, most often the Secret ID pasted instead of the Value.
        7000215 => (
            "invalid_secret",
            Field::ClientSecret,
            INVALID_SECRET,
            Some("secret_id_instead_of_value"),
        ),
        // AADSTS7000222: the client secret has expired.
        7000222 => ("secret_expired", Field::ClientSecret, SECRET_EXPIRED, None),
        // AADSTS70011: invalid scope; AADSTS1002012: client credentials need `/.default`.
        70011 | 1002012 => ("invalid_scope", Field::Scope, INVALID_SCOPE, None),
        // AADSTS500011: resource principal not found in the tenant.
        500011 => ("invalid_scope", Field::Scope, RESOURCE_NOT_FOUND, None),
        _ => return None,
    })
}

/// The OAuth `error` value when no known AADSTS code came with it.
fn rejection_for_error(error: &str) -> Option<Rejection> {
    Some(match error {
        "invalid_client" => ("invalid_secret", Field::ClientSecret, INVALID_SECRET, None),
        "unauthorized_client" => ("app_not_found", Field::ClientId, APP_NOT_FOUND, None),
        "invalid_scope" | "invalid_resource" => {
            ("invalid_scope", Field::Scope, INVALID_SCOPE, None)
        }
        _ => return None,
    })
}

fn is_guid_any_case(text: &str) -> bool {
    is_guid(&text.to_ascii_lowercase())
}

/// `Retry-After` in seconds (HTTP dates are not worth the code here), kept within 1..=300.
fn parse_retry_after(value: Option<&str>) -> Option<u64> {
    value?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|seconds| seconds.clamp(1, 300))
}

/// 502/503/504 `upstream_unavailable`.
pub fn upstream_unavailable(
    status: u16,
    reason: &'static str,
    retry_after: Option<u64>,
) -> ApiError {
    let status = match status {
        503 => StatusCode::SERVICE_UNAVAILABLE,
        504 => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    };
    let error = ApiError::new(
        status,
        "upstream_unavailable",
        "The Microsoft identity platform could not be reached to verify the credentials. Try again in a moment.",
    )
    .with_details(json!({ "reason": reason }));
    match retry_after {
        Some(seconds) => error.with_retry_after(seconds),
        None => error,
    }
}

/// The token endpoint client.
pub struct IdentityPlatform {
    http: reqwest::Client,
    authority_override: Option<String>,
}

impl IdentityPlatform {
    /// A client for the real clouds, or for `authority_override` (tests, the emulator).
    pub fn new(authority_override: Option<String>, timeout: Duration) -> IdentityPlatform {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            // The token endpoint never redirects; following one could leak the secret.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("entra-connect-server/", env!("CARGO_PKG_VERSION")));
        if authority_override.is_some() {
            // A local authority (tests, emulator) must never go through a proxy.
            builder = builder.no_proxy();
        }
        IdentityPlatform {
            http: builder
                .build()
                .expect("the HTTP client configuration is valid"),
            authority_override,
        }
    }

    /// The authority base URL used for `cloud`.
    pub fn authority_base(&self, cloud: Cloud) -> String {
        match &self.authority_override {
            Some(base) => base.clone(),
            None => format!("https://{}", cloud.authority_host()),
        }
    }

    /// Requests a token with the client credentials grant; success proves the tenant, the
    /// application and the secret, and tells which application permissions were granted.
    pub async fn verify(
        &self,
        cloud: Cloud,
        tenant: &SafeTenant,
        client_id: &str,
        client_secret: &str,
        scope: &str,
    ) -> Result<VerifiedCredentials, ApiError> {
        let url = token_url(&self.authority_base(cloud), tenant);
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", client_id)
            .append_pair("client_secret", client_secret)
            .append_pair("scope", scope)
            .finish();
        let started = std::time::Instant::now();
        let sent = self
            .http
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form)
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return Err(transport_failure(&error)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_ANSWER_BYTES => {
                    body.extend_from_slice(&chunk)
                }
                Ok(Some(_)) => return Err(upstream_unavailable(502, "answer_too_large", None)),
                Ok(None) => break,
                Err(error) => return Err(transport_failure(&error)),
            }
        }
        tracing::info!(
            tenant = tenant.as_str(),
            %client_id,
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "token endpoint answered"
        );
        if status != 200 {
            return Err(map_error_answer(status, retry_after.as_deref(), &body));
        }
        serde_json::from_slice::<TokenAnswer>(&body)
            .ok()
            .and_then(|answer| read_access_token(&answer.access_token))
            .ok_or_else(|| upstream_unavailable(502, "unreadable_token", None))
    }
}

fn transport_failure(error: &reqwest::Error) -> ApiError {
    // reqwest's error text names the URL (tenant only), never the form body.
    tracing::warn!(%error, timeout = error.is_timeout(), "token endpoint unreachable");
    if error.is_timeout() {
        upstream_unavailable(504, "timeout", None)
    } else {
        upstream_unavailable(502, "connection_failed", None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_tenants_never_reach_a_url() {
        for hostile in [
            "../evil",
            "a/b",
            "contoso.com/../x",
            "evil.com?x=",
            "evil.com#x",
            "user@evil.com",
            "evil.com%2f..",
            "evil%2Ecom",
            "x.com:443",
            "",
            ".",
            "a..b",
            "-a.com",
            "a-.com",
            "CONTOSO.COM",
            "contoso",
            "{fc659cb7-0c66-4e32-9f96-c35c869581b6}",
            "evil.com\\x",
            "evil.com\n",
            "ev il.com",
        ] {
            assert_eq!(
                SafeTenant::new(hostile),
                None,
                "{hostile:?} must be refused"
            );
        }
    }

    #[test]
    fn token_url_keeps_host_and_path() {
        for tenant in [
            "fc659cb7-0c66-4e32-9f96-c35c869581b6",
            "contoso.onmicrosoft.com",
        ] {
            let tenant = SafeTenant::new(tenant).unwrap();
            let url =
                reqwest::Url::parse(&token_url("https://login.microsoftonline.com/", &tenant))
                    .unwrap();
            assert_eq!(url.host_str(), Some("login.microsoftonline.com"));
            assert_eq!(
                url.path(),
                format!("/{}/oauth2/v2.0/token", tenant.as_str())
            );
            assert_eq!(url.query(), None);
            assert_eq!(url.fragment(), None);
            assert_eq!(url.username(), "");
        }
    }

    fn payload(claims: &str) -> String {
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!("{}.{}.sig", encode(r#"{"alg":"RS256"}"#), encode(claims))
    }

    #[test]
    fn roles_and_tenant_are_read_from_the_token() {
        let token = payload(
            r#"{"roles":["User.Read.All","Mail.Read"],"tid":"FC659CB7-0C66-4E32-9F96-C35C869581B6"}"#,
        );
        let read = read_access_token(&token).unwrap();
        assert_eq!(read.roles, ["User.Read.All", "Mail.Read"]);
        assert_eq!(
            read.tenant_guid.as_deref(),
            Some("fc659cb7-0c66-4e32-9f96-c35c869581b6")
        );
        let no_roles = read_access_token(&payload(r#"{"tid":"x"}"#)).unwrap();
        assert!(no_roles.roles.is_empty() && no_roles.tenant_guid.is_none());
        assert!(read_access_token("not-a-jwt").is_none());
        assert!(read_access_token("a.!!!.c").is_none());
    }

    fn mapped(status: u16, codes: &[u64], error: &str) -> ApiError {
        let body = json!({ "error": error, "error_codes": codes, "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333" });
        map_error_answer(status, None, body.to_string().as_bytes())
    }

    #[test]
    fn aadsts_codes_map_to_codes_and_fields() {
        let cases: &[(u64, &str, &str, Field)] = &[
            (
                90002,
                "invalid_request",
                "tenant_not_found",
                Field::TenantId,
            ),
            (
                900023,
                "invalid_request",
                "tenant_not_found",
                Field::TenantId,
            ),
            (
                700016,
                "unauthorized_client",
                "app_not_found",
                Field::ClientId,
            ),
            (
                7000215,
                "invalid_client",
                "invalid_secret",
                Field::ClientSecret,
            ),
            (
                7000222,
                "invalid_client",
                "secret_expired",
                Field::ClientSecret,
            ),
            (70011, "invalid_scope", "invalid_scope", Field::Scope),
            (1002012, "invalid_scope", "invalid_scope", Field::Scope),
            (500011, "invalid_resource", "invalid_scope", Field::Scope),
        ];
        for (aadsts, error, code, field) in cases {
            let mapped = mapped(400, &[*aadsts], error);
            assert_eq!(
                (mapped.code, mapped.field, mapped.status.as_u16()),
                (*code, Some(*field), 422)
            );
            let details = mapped.details.unwrap();
            assert_eq!(details["aadsts"], format!("AADSTS{aadsts}"));
            assert_eq!(details["trace_id"], "0000aaaa-11bb-cccc-dd22-eeeeee333333");
        }
        assert_eq!(
            mapped(401, &[7000215], "invalid_client").details.unwrap()["hint"],
            "secret_id_instead_of_value"
        );
    }

    #[test]
    fn unknown_answers_still_map_clearly() {
        assert_eq!(mapped(401, &[], "invalid_client").code, "invalid_secret");
        assert_eq!(
            mapped(400, &[12345], "invalid_request").code,
            "credentials_rejected"
        );
        let throttled = map_error_answer(429, Some("2"), b"");
        assert_eq!(
            (throttled.code, throttled.retry_after),
            ("rate_limited", Some(2))
        );
        assert_eq!(map_error_answer(503, None, b"<html>").status.as_u16(), 503);
        assert_eq!(map_error_answer(500, None, b"").status.as_u16(), 502);
        assert_eq!(map_error_answer(504, None, b"").status.as_u16(), 504);
        let garbage = map_error_answer(400, None, b"<html>oops</html>");
        assert_eq!(
            (garbage.code, garbage.status.as_u16()),
            ("upstream_unavailable", 502)
        );
    }
}
