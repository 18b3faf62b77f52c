//! §5.1 Directory (tenant) ID.
use super::FieldCheck;
/// Checks a tenant: GUID, domain name, or a pasted login URL that contains one.
pub fn check_tenant(raw: &str) -> FieldCheck { todo!("{raw}") }
