//! §5.6 Admin consent URL: where an administrator grants the app's application
//! permissions for the whole tenant (the v2.0 `adminconsent` endpoint).

use super::Cloud;

/// Builds the admin consent URL for a tenant and client (values already normalized).
///
/// Every value is percent-encoded; `redirect_uri` is left out when `None` (Microsoft then
/// uses the app's first registered redirect URI).
pub fn admin_consent_url(
    cloud: Cloud,
    tenant_id: &str,
    client_id: &str,
    scope: &str,
    redirect_uri: Option<&str>,
    state: &str,
) -> String {
    let mut url = String::with_capacity(160);
    url.push_str("https://");
    url.push_str(cloud.authority_host());
    url.push('/');
    percent_encode(&mut url, tenant_id);
    url.push_str("/v2.0/adminconsent?client_id=");
    percent_encode(&mut url, client_id);
    url.push_str("&scope=");
    percent_encode(&mut url, scope);
    if let Some(redirect_uri) = redirect_uri {
        url.push_str("&redirect_uri=");
        percent_encode(&mut url, redirect_uri);
    }
    url.push_str("&state=");
    percent_encode(&mut url, state);
    url
}

/// Appends `text` to `out`, keeping RFC 3986 unreserved characters and encoding every
/// other byte of its UTF-8 as `%XX`.
fn percent_encode(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0F));
        }
    }
}

/// The uppercase hex digit of the low four bits of `nibble`.
fn hex_digit(nibble: u8) -> char {
    let nibble = nibble & 0x0F;
    char::from(if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' + (nibble - 10)
    })
}
