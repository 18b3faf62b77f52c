//! §5.6 Admin consent URL.
use super::Cloud;
/// Builds the admin consent URL for a tenant and client (values already normalized).
pub fn admin_consent_url(cloud: Cloud, tenant_id: &str, client_id: &str, scope: &str, redirect_uri: Option<&str>, state: &str) -> String { todo!("{cloud:?}{tenant_id}{client_id}{scope}{redirect_uri:?}{state}") }
