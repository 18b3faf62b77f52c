//! §5.1 Directory (tenant) ID: a GUID, a verified domain name, or a pasted login URL that
//! contains one (the token endpoint or OpenID metadata URL from the app registration's
//! Endpoints pane, or a token issuer such as `https://sts.windows.net/{tenant}/`).

use super::domain::is_domain;
use super::text::clean_all;
use super::{guid, Cloud, Code, FieldCheck, MAX_INPUT_LEN};

/// `9188040d-6c67-4c5b-b112-36a304b66dad`: the tenant that personal Microsoft accounts
/// sign in to; it holds no organisation's apps.
const CONSUMER_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Identity platform hosts, besides each cloud's authority (§5.5), whose URLs carry the
/// tenant as their first path segment: v1 and issuer hosts, and older aliases.
const OTHER_LOGIN_HOSTS: [&str; 5] = [
    "login.windows.net",
    "sts.windows.net",
    "login.microsoft.com",
    "sts.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
];

/// Checks a tenant: GUID, domain name, or a pasted login URL that contains one.
pub fn check_tenant(raw: &str) -> FieldCheck {
    if raw.len() > MAX_INPUT_LEN {
        return FieldCheck::rejected(String::new(), Code::TenantTooLong);
    }
    let cleaned = clean_all(raw);
    if cleaned.is_empty() {
        return FieldCheck::rejected(String::new(), Code::TenantRequired);
    }
    match login_url_tenant(&cleaned) {
        LoginUrl::NotUrl => check_bare_tenant(&cleaned),
        LoginUrl::WithoutTenant => FieldCheck::rejected(cleaned, Code::TenantUrlWithoutTenant),
        LoginUrl::Tenant(segment) => {
            let check = check_bare_tenant(segment);
            match check.error {
                None => check,
                // `/oauth2/...` right after the host: the URL has no tenant in it.
                Some(Code::TenantInvalid) => {
                    FieldCheck::rejected(cleaned.as_ref(), Code::TenantUrlWithoutTenant)
                }
                // Keep what was pasted; checking it again gives the same error.
                Some(code) => FieldCheck::rejected(cleaned.as_ref(), code),
            }
        }
    }
}

/// Checks a tenant that is not a URL.
fn check_bare_tenant(text: &str) -> FieldCheck {
    let lower = text.to_ascii_lowercase();
    // Endpoint aliases, not tenants. Client credentials over `/common` or `/consumers`
    // fail with AADSTS9001023 ("The grant type is not supported over the /common or
    // /consumers endpoints"); MSAL refuses `/organizations` for this grant as well, since
    // the token must be issued by the organisation's own tenant.
    let alias = match lower.as_str() {
        "common" => Some(Code::TenantCommon),
        "organizations" => Some(Code::TenantOrganizations),
        "consumers" => Some(Code::TenantConsumers),
        _ => None,
    };
    if let Some(code) = alias {
        return FieldCheck::rejected(lower, code);
    }
    if let Some(tenant) = guid::parse(text) {
        return match tenant.as_str() {
            guid::NIL => FieldCheck::rejected(tenant, Code::TenantNilGuid),
            CONSUMER_TENANT => FieldCheck::rejected(tenant, Code::TenantConsumerGuid),
            _ => FieldCheck::ok(tenant),
        };
    }
    if !text.is_ascii() {
        let code = if guid::is_fullwidth_guid(text) {
            Code::TenantFullwidth
        } else if text.contains(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}']) {
            // Looks like a domain: an internationalized one must be given as punycode.
            Code::TenantNotAscii
        } else {
            Code::TenantInvalid
        };
        return FieldCheck::rejected(text, code);
    }
    // A fully qualified name's trailing dot is dropped.
    let domain = lower.strip_suffix('.').unwrap_or(&lower);
    if is_domain(domain) {
        FieldCheck::ok(domain)
    } else {
        FieldCheck::rejected(text, Code::TenantInvalid)
    }
}

/// What a pasted value is, as a URL.
enum LoginUrl<'a> {
    /// Not a URL: check it as a tenant.
    NotUrl,
    /// A URL, but not an identity platform URL with a tenant segment.
    WithoutTenant,
    /// The first path segment of an identity platform URL.
    Tenant(&'a str),
}

/// Finds the tenant in `https://{login host}/{tenant}/...`. Text without `://` is a URL
/// only when it starts with a login host and a slash (the scheme was left out).
fn login_url_tenant(text: &str) -> LoginUrl<'_> {
    // A byte search for "://" (not `split_once("://")`, whose substring searcher costs
    // about 2 KB of wasm); the match is ASCII, so both slices are on char boundaries.
    let scheme_end = text
        .as_bytes()
        .windows(3)
        .position(|window| window == b"://");
    let split = scheme_end.and_then(|at| Some((text.get(..at)?, text.get(at + 3..)?)));
    let rest = match split {
        Some((scheme, rest)) => {
            if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
                return LoginUrl::WithoutTenant;
            }
            rest
        }
        None => match text.split_once('/') {
            Some((host, _)) if is_login_host(host) => text,
            _ => return LoginUrl::NotUrl,
        },
    };
    let (authority, path) = match super::text::find_ascii(rest, b"/?#") {
        Some(end) => rest.split_at_checked(end).unwrap_or((rest, "")),
        None => (rest, ""),
    };
    if !is_login_host(authority) {
        return LoginUrl::WithoutTenant;
    }
    let segment = path
        .strip_prefix('/')
        .map(|path| super::text::before_ascii(path, b"/?#"))
        .unwrap_or("");
    if segment.is_empty() {
        LoginUrl::WithoutTenant
    } else {
        LoginUrl::Tenant(segment)
    }
}

/// True for an identity platform host, in any case, with an optional port or trailing dot.
fn is_login_host(authority: &str) -> bool {
    let host = match super::text::rsplit_once_ascii(authority, b':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    Cloud::ALL
        .iter()
        .map(|cloud| cloud.authority_host())
        .chain(OTHER_LOGIN_HOSTS)
        .any(|known| known.eq_ignore_ascii_case(host))
}
