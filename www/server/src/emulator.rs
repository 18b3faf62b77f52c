//! The Entra emulator: a local stand-in for the identity platform's token endpoint
//! (`POST /emulator/{tenant}/oauth2/v2.0/token`) that answers the client credentials grant
//! for the fixed sample data of SPEC §7.2 with the real service's JSON shapes, documented
//! AADSTS errors included, so the demo runs offline and tests exercise the whole loop.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};

use crate::crypto::{random_bytes, random_uuid};
use crate::identity::is_guid;
use crate::time::{aadsts_timestamp, now_unix};

/// The sample tenant's domain.
pub const SAMPLE_TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
/// The sample tenant's GUID.
pub const SAMPLE_TENANT_ID: &str = "fc659cb7-0c66-4e32-9f96-c35c869581b6";
/// A tenant that always answers 429 with `Retry-After: 2`.
pub const THROTTLED_TENANT: &str = "throttled.onmicrosoft.com";
/// A tenant that always answers 503.
pub const UNAVAILABLE_TENANT: &str = "unavailable.onmicrosoft.com";

/// One sample application registration.
#[derive(Clone, Copy, Debug)]
pub struct SampleApp {
    /// What the sample demonstrates.
    pub label: &'static str,
    /// Application (client) ID.
    pub client_id: &'static str,
    /// The client secret Value (a fake, published sample).
    pub client_secret: &'static str,
    /// Roles granted; `None` means the secret has expired (AADSTS7000222).
    pub roles: Option<&'static [&'static str]>,
}

/// The sample applications of SPEC §7.2, first one shown by the demo page.
pub const SAMPLE_APPS: [SampleApp; 3] = [
    SampleApp {
        label: "Contoso CRM sync: three application permissions granted",
        client_id: "38a6702a-fb0c-4495-976f-5e260e080751",
        client_secret: "Emu8Q~ContosoSampleSecret-0123456789abcd",
        roles: Some(&["User.Read.All", "Mail.Read", "Calendars.ReadWrite"]),
    },
    SampleApp {
        label: "Directory reader: only User.Read.All granted",
        client_id: "06d6ac2d-092b-4ab0-ab89-651b9b1dd32d",
        client_secret: "Emu8Q~ReaderSampleSecret-0123456789abcde",
        roles: Some(&["User.Read.All"]),
    },
    SampleApp {
        label: "Expired secret (AADSTS7000222)",
        client_id: "f8f13583-c5a3-412a-9edc-4e6d1f79f2eb",
        client_secret: "Emu8Q~ExpiredSampleSecret-0123456789abcd",
        roles: None,
    },
];

/// Resources the sample tenant knows (every cloud's Graph, and Azure Resource Manager).
const KNOWN_RESOURCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    "https://management.azure.com",
    "00000003-0000-0000-c000-000000000000",
];

/// The emulator's answer, before it becomes an HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After` seconds, when throttling.
    pub retry_after: Option<u64>,
    /// JSON body.
    pub body: Value,
}

fn failure(status: u16, error: &str, code: u64, text: &str) -> Answer {
    let now = now_unix();
    let trace_id = random_uuid();
    let correlation_id = random_uuid();
    let timestamp = aadsts_timestamp(now);
    let description = if code == 0 {
        format!("{text}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}")
    } else {
        format!("AADSTS{code}: {text}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}")
    };
    Answer {
        status,
        retry_after: None,
        body: json!({
            "error": error,
            "error_description": description,
            "error_codes": if code == 0 { vec![] } else { vec![code] },
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        }),
    }
}

fn missing_parameter(name: &str) -> Answer {
    failure(
        400,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn is_dns_name(text: &str) -> bool {
    text.len() <= 253
        && text.contains('.')
        && text.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        })
}

/// Answers one token request for `tenant` (the path segment) with form `parameters`.
pub fn answer(tenant: &str, parameters: &HashMap<String, String>) -> Answer {
    let tenant = tenant.to_ascii_lowercase();
    let tenant = tenant.trim_start_matches('{').trim_end_matches('}');
    if tenant == THROTTLED_TENANT {
        let mut answer = failure(
            429,
            "temporarily_unavailable",
            90055,
            "There are too many incoming requests for this tenant. Retry after 2 seconds.",
        );
        answer.retry_after = Some(2);
        return answer;
    }
    if tenant == UNAVAILABLE_TENANT {
        return failure(
            503,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        );
    }
    let parameter = |name: &str| {
        parameters
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    let Some(grant_type) = parameter("grant_type") else {
        return missing_parameter("grant_type");
    };
    if grant_type != "client_credentials" {
        return failure(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    if matches!(tenant, "common" | "organizations") {
        return failure(
            400,
            "invalid_request",
            50059,
            "No tenant-identifying information found in either the request or implied by any provided credentials.",
        );
    }
    if !is_guid(tenant) && !is_dns_name(tenant) {
        return failure(
            400,
            "invalid_request",
            900023,
            &format!("Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain."),
        );
    }
    if tenant != SAMPLE_TENANT_DOMAIN && tenant != SAMPLE_TENANT_ID {
        return failure(
            400,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
        );
    }
    let Some(scope) = parameter("scope") else {
        return missing_parameter("scope");
    };
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let resources: Vec<&str> = scopes
        .iter()
        .filter_map(|scope| scope.strip_suffix("/.default"))
        .collect();
    if scopes.len() > 1 {
        return failure(
            400,
            "invalid_scope",
            70011,
            &format!("The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid. .default scope can't be combined with resource-specific scopes."),
        );
    }
    let Some(resource) = resources.first().copied() else {
        return failure(
            400,
            "invalid_scope",
            1002012,
            &format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        );
    };
    let Some(client_id) = parameter("client_id") else {
        return missing_parameter("client_id");
    };
    let client_id = client_id.to_ascii_lowercase();
    let Some(app) = SAMPLE_APPS.iter().find(|app| app.client_id == client_id) else {
        return failure(
            400,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        );
    };
    let Some(secret) = parameter("client_secret") else {
        return failure(
            400,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
    };
    if secret != app.client_secret {
        return failure(
            401,
            "invalid_client",
            7000215,
            &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
        );
    }
    let Some(roles) = app.roles else {
        return failure(
            401,
            "invalid_client",
            7000222,
            &format!("The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."),
        );
    };
    if !KNOWN_RESOURCES.contains(&resource.trim_end_matches('/')) {
        return failure(
            400,
            "invalid_resource",
            500011,
            &format!("The resource principal named {resource} was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."),
        );
    }
    Answer {
        status: 200,
        retry_after: None,
        body: json!({
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": access_token(resource, &client_id, roles),
        }),
    }
}

/// A JWT-shaped access token like the ones Microsoft issues for app-only access; its
/// signature is random bytes (nothing should ever accept it as a credential).
fn access_token(resource: &str, client_id: &str, roles: &[&str]) -> String {
    let encode =
        |value: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
    let now = now_unix();
    let header = json!({ "typ": "JWT", "alg": "RS256", "kid": "entra-connect-emulator" });
    let claims = json!({
        "aud": resource.trim_end_matches('/'),
        "iss": format!("https://sts.windows.net/{SAMPLE_TENANT_ID}/"),
        "iat": now,
        "nbf": now,
        "exp": now + 3599,
        "app_displayname": "Contoso sample app",
        "appid": client_id,
        "appidacr": "1",
        "idp": format!("https://sts.windows.net/{SAMPLE_TENANT_ID}/"),
        "idtyp": "app",
        "oid": random_uuid(),
        "roles": roles,
        "sub": random_uuid(),
        "tid": SAMPLE_TENANT_ID,
        "ver": "1.0",
    });
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    format!("{}.{}.{signature}", encode(&header), encode(&claims))
}

/// `POST /emulator/{tenant}/oauth2/v2.0/token`.
pub async fn token_endpoint(
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let parameters: HashMap<String, String> = if is_form {
        form_urlencoded::parse(&body).into_owned().collect()
    } else {
        HashMap::new()
    };
    let answer = answer(&tenant, &parameters);
    let code = answer.body["error_codes"][0].as_u64().unwrap_or(0);
    tracing::debug!(status = answer.status, aadsts = code, "emulator answered");
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(answer.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Some(seconds) = answer.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// What `GET /api/config` reports about the emulator: the sample values for the demo page.
pub fn sample_config() -> Value {
    json!({
        "tenant_id": SAMPLE_TENANT_DOMAIN,
        "tenant_guid": SAMPLE_TENANT_ID,
        "client_id": SAMPLE_APPS[0].client_id,
        "client_secret": SAMPLE_APPS[0].client_secret,
        "cloud": "global",
        "scope": "https://graph.microsoft.com/.default",
        "apps": SAMPLE_APPS.iter().map(|app| json!({
            "label": app.label,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "granted_permissions": app.roles,
        })).collect::<Vec<_>>(),
        "special_tenants": {
            "throttled": THROTTLED_TENANT,
            "unavailable": UNAVAILABLE_TENANT,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(tenant: &str, client_id: &str, secret: &str, scope: &str) -> Answer {
        let parameters = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", scope),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
        answer(tenant, &parameters)
    }

    const GRAPH: &str = "https://graph.microsoft.com/.default";

    fn aadsts(answer: &Answer) -> u64 {
        answer.body["error_codes"][0].as_u64().unwrap_or(0)
    }

    #[test]
    fn sample_apps_get_tokens_with_their_roles_in_both_tenant_forms() {
        for tenant in [
            SAMPLE_TENANT_DOMAIN,
            SAMPLE_TENANT_ID,
            "FC659CB7-0C66-4E32-9F96-C35C869581B6",
        ] {
            let app = SAMPLE_APPS[0];
            let answer = request(tenant, app.client_id, app.client_secret, GRAPH);
            assert_eq!(answer.status, 200);
            let token = answer.body["access_token"].as_str().unwrap();
            let read = crate::identity::read_access_token(token).unwrap();
            assert_eq!(
                read.roles,
                ["User.Read.All", "Mail.Read", "Calendars.ReadWrite"]
            );
            assert_eq!(read.tenant_guid.as_deref(), Some(SAMPLE_TENANT_ID));
        }
        let reader = SAMPLE_APPS[1];
        let answer = request(
            SAMPLE_TENANT_DOMAIN,
            reader.client_id,
            reader.client_secret,
            GRAPH,
        );
        let read =
            crate::identity::read_access_token(answer.body["access_token"].as_str().unwrap())
                .unwrap();
        assert_eq!(read.roles, ["User.Read.All"]);
    }

    #[test]
    fn documented_errors_have_the_real_shape() {
        let app = SAMPLE_APPS[0];
        let cases = [
            (
                request(
                    "nowhere.onmicrosoft.com",
                    app.client_id,
                    app.client_secret,
                    GRAPH,
                ),
                400,
                90002,
                "invalid_request",
            ),
            (
                request("not_a_domain", app.client_id, app.client_secret, GRAPH),
                400,
                900023,
                "invalid_request",
            ),
            (
                request("common", app.client_id, app.client_secret, GRAPH),
                400,
                50059,
                "invalid_request",
            ),
            (
                request("organizations", app.client_id, app.client_secret, GRAPH),
                400,
                50059,
                "invalid_request",
            ),
            (
                request(
                    SAMPLE_TENANT_ID,
                    "11111111-1111-1111-1111-111111111111",
                    "x",
                    GRAPH,
                ),
                400,
                700016,
                "unauthorized_client",
            ),
            (
                request(SAMPLE_TENANT_ID, app.client_id, "wrong", GRAPH),
                401,
                7000215,
                "invalid_client",
            ),
            (
                request(
                    SAMPLE_TENANT_ID,
                    SAMPLE_APPS[2].client_id,
                    SAMPLE_APPS[2].client_secret,
                    GRAPH,
                ),
                401,
                7000222,
                "invalid_client",
            ),
            (
                request(
                    SAMPLE_TENANT_ID,
                    app.client_id,
                    app.client_secret,
                    "User.Read",
                ),
                400,
                1002012,
                "invalid_scope",
            ),
            (
                request(
                    SAMPLE_TENANT_ID,
                    app.client_id,
                    app.client_secret,
                    "https://graph.microsoft.com/.default https://management.azure.com/.default",
                ),
                400,
                70011,
                "invalid_scope",
            ),
            (
                request(
                    SAMPLE_TENANT_ID,
                    app.client_id,
                    app.client_secret,
                    "https://evil.example.com/.default",
                ),
                400,
                500011,
                "invalid_resource",
            ),
            (
                request(THROTTLED_TENANT, "", "", ""),
                429,
                90055,
                "temporarily_unavailable",
            ),
            (
                request(UNAVAILABLE_TENANT, "", "", ""),
                503,
                90033,
                "temporarily_unavailable",
            ),
        ];
        for (answer, status, code, error) in cases {
            assert_eq!(
                (answer.status, aadsts(&answer)),
                (status, code),
                "{}",
                answer.body
            );
            assert_eq!(answer.body["error"], error);
            let description = answer.body["error_description"].as_str().unwrap();
            assert!(
                description.starts_with(&format!("AADSTS{code}: ")),
                "{description}"
            );
            assert!(
                description.contains("\r\nTrace ID: ")
                    && description.contains("\r\nCorrelation ID: ")
            );
            for field in ["timestamp", "trace_id", "correlation_id"] {
                assert!(answer.body[field].is_string(), "{field}");
            }
            assert!(!description.contains(app.client_secret));
        }
        assert_eq!(request(THROTTLED_TENANT, "", "", "").retry_after, Some(2));
    }

    #[test]
    fn missing_grant_type_is_refused() {
        let answer = answer(SAMPLE_TENANT_ID, &HashMap::new());
        assert_eq!((answer.status, aadsts(&answer)), (400, 900144));
    }
}
