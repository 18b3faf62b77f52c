//! §5.2 Application (client) ID.
use super::FieldCheck;
/// Checks a client ID; `tenant_normalized` is the tenant's normalized value, for the
/// "Directory ID pasted twice" warning.
pub fn check_client_id(raw: &str, tenant_normalized: &str) -> FieldCheck { todo!("{raw}{tenant_normalized}") }
