//! The client side of the Microsoft identity platform: requests a token with the client
//! credentials grant to verify what the admin entered, maps the platform's answer
//! (`error`, AADSTS `error_codes`) to the §6.3 codes and fields, and reads the granted
//! application permissions from the access token's `roles` claim.

use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use entra_connect::contract::ServerCode;
use entra_connect::protocol::{ms_to_secs_ceil, parse_retry_after as parse_retry_after_ms};
use entra_connect::rules::{is_domain, Cloud};
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
    /// Accepts only a GUID or a domain name of ASCII letters, digits, hyphens and dots
    /// (the core's checks, which the tenant rule's normalized value already passed).
    pub fn new(normalized: &str) -> Option<SafeTenant> {
        (is_guid(normalized) || is_domain(normalized)).then(|| SafeTenant(normalized.to_string()))
    }

    /// The tenant text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lowercase hyphenated GUID (the core's check, shared with the emulator).
pub use entra_connect::rules::is_canonical_guid as is_guid;

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
        return ApiError::contract(ServerCode::RateLimited)
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
        Some((code, hint)) => {
            if let Some(hint) = hint {
                details["hint"] = Value::from(hint);
            }
            ApiError::contract(code).with_details(details)
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

/// A §6.3 code, and a `details.hint` naming the likely mistake.
type Rejection = (ServerCode, Option<&'static str>);

/// AADSTS codes with their own §6.3 code (which names the field and the explanation).
fn rejection_for_code(code: u64) -> Option<Rejection> {
    Some(match code {
        // AADSTS90002: tenant not found; AADSTS900023: not a valid tenant identifier;
        // AADSTS50059: no tenant-identifying information (`common`/`organizations`).
        90002 | 900023 | 50059 => (ServerCode::TenantNotFound, None),
        // AADSTS700016: application not found in the directory.
        700016 => (ServerCode::AppNotFound, None),
        // AADSTS7000215: invalid client secret, most often the Secret ID pasted instead of the Value.
        7000215 => (
            ServerCode::InvalidSecret,
            Some("secret_id_instead_of_value"),
        ),
        // AADSTS7000222: the client secret has expired.
        7000222 => (ServerCode::SecretExpired, None),
        // AADSTS70011: invalid scope; AADSTS1002012: client credentials need `/.default`.
        70011 | 1002012 => (ServerCode::InvalidScope, None),
        // AADSTS500011: resource principal not found in the tenant.
        500011 => (ServerCode::InvalidScope, Some("resource_not_found")),
        _ => return None,
    })
}

/// The OAuth `error` value when no known AADSTS code came with it.
fn rejection_for_error(error: &str) -> Option<Rejection> {
    Some(match error {
        "invalid_client" => (ServerCode::InvalidSecret, None),
        "unauthorized_client" => (ServerCode::AppNotFound, None),
        "invalid_scope" | "invalid_resource" => (ServerCode::InvalidScope, None),
        _ => return None,
    })
}

fn is_guid_any_case(text: &str) -> bool {
    is_guid(&text.to_ascii_lowercase())
}

/// `Retry-After` in whole seconds (delay or HTTP date, read by the core), kept within 1..=300.
fn parse_retry_after(value: Option<&str>) -> Option<u64> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    let wait_ms = parse_retry_after_ms(value?, now_ms)?;
    Some(u64::from(ms_to_secs_ceil(wait_ms)).clamp(1, 300))
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
    let mut error = ApiError::contract(ServerCode::UpstreamUnavailable)
        .with_details(json!({ "reason": reason }));
    error.status = status;
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
    use entra_connect::rules::Field;

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
    fn every_emitted_contract_error_is_the_cores_code_field_status_and_text() {
        // Every answer of the identity platform the server maps, and the server's own
        // limits and session refusals: what goes on the wire is what the SDK parses.
        let mut emitted: Vec<ApiError> = [
            90002, 900023, 50059, 700016, 7000215, 7000222, 70011, 1002012, 500011,
        ]
        .iter()
        .map(|&aadsts| mapped(400, &[aadsts], "invalid_request"))
        .collect();
        for error in [
            "invalid_client",
            "unauthorized_client",
            "invalid_scope",
            "invalid_resource",
        ] {
            emitted.push(mapped(400, &[], error));
        }
        emitted.push(map_error_answer(429, Some("3"), b""));
        for status in [500, 503, 504] {
            emitted.push(map_error_answer(status, None, b""));
        }
        emitted.push(map_error_answer(400, None, b"not json"));
        emitted.push(ApiError::rate_limited(1));
        emitted.push(ApiError::invalid_session("expired"));
        let mut seen = Vec::new();
        for error in &emitted {
            let code = ServerCode::parse(error.code).expect(error.code);
            assert_eq!(error.message, code.english(), "{code:?}");
            assert_eq!(error.field, code.field(), "{code:?}");
            match code.status() {
                Some(status) => assert_eq!(error.status.as_u16(), status, "{code:?}"),
                None => assert!([502, 503, 504].contains(&error.status.as_u16())),
            }
            seen.push(code);
        }
        for code in ServerCode::ALL {
            // validation_failed is emitted by the §5 rules (connections.rs), with the
            // failing rule's own text and field.
            if *code != ServerCode::ValidationFailed {
                assert!(seen.contains(code), "{code:?} is never emitted here");
            }
        }
    }

    #[test]
    fn retry_after_is_read_by_the_core_as_seconds_or_http_date() {
        assert_eq!(parse_retry_after(Some(" 2 ")), Some(2));
        assert_eq!(parse_retry_after(Some("0")), Some(1));
        assert_eq!(parse_retry_after(Some("100000")), Some(300));
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(None), None);
        // A date in the past means no wait, kept at the 1 s floor.
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(1)
        );
    }

    #[test]
    fn safe_tenants_use_the_cores_checks_including_numeric_top_level_labels() {
        assert!(SafeTenant::new("contoso.onmicrosoft.com").is_some());
        assert!(SafeTenant::new("fc659cb7-0c66-4e32-9f96-c35c869581b6").is_some());
        assert_eq!(SafeTenant::new("10.0.0.1"), None);
        assert_eq!(
            SafeTenant::new("FC659CB7-0C66-4E32-9F96-C35C869581B6"),
            None
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
