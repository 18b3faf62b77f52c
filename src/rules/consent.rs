//! §5.6 Admin consent URL: where an administrator grants the app's application
//! permissions for the whole tenant (the v2.0 `adminconsent` endpoint).

use super::text::push_percent_encoded as percent_encode;
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
