//! §5.2 Application (client) ID: the app registration's GUID, shown on its Overview page.

use super::text::clean_all;
use super::{guid, Code, FieldCheck, MAX_INPUT_LEN};

/// Checks a client ID; `tenant_normalized` is the tenant's normalized value, for the
/// "Directory ID pasted twice" warning.
pub fn check_client_id(raw: &str, tenant_normalized: &str) -> FieldCheck {
    if raw.len() > MAX_INPUT_LEN {
        return FieldCheck::rejected(String::new(), Code::ClientIdTooLong);
    }
    let cleaned = clean_all(raw);
    if cleaned.is_empty() {
        return FieldCheck::rejected(String::new(), Code::ClientIdRequired);
    }
    let Some(client_id) = guid::parse(&cleaned) else {
        let code = if guid::is_fullwidth_guid(&cleaned) {
            Code::ClientIdFullwidth
        } else {
            Code::ClientIdInvalid
        };
        return FieldCheck::rejected(cleaned, code);
    };
    if client_id == guid::NIL {
        return FieldCheck::rejected(client_id, Code::ClientIdNilGuid);
    }
    // The Directory (tenant) ID sits right above the Application (client) ID on the app's
    // Overview page; the same GUID in both fields is almost always a copy slip. Microsoft
    // would answer AADSTS700016 (application not found in the directory).
    let same_as_tenant = guid::parse(tenant_normalized).is_some_and(|tenant| tenant == client_id);
    let mut check = FieldCheck::ok(client_id);
    if same_as_tenant {
        check.warning = Some(Code::ClientIdSameAsTenant);
    }
    check
}
