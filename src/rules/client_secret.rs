//! §5.3 Client secret: the *Value* of a secret from the app's "Certificates & secrets" page.
//!
//! The value is never echoed anywhere but `normalized` (what is sent), and this module
//! never formats or logs it.

use super::text::clean;
use super::{guid, Code, FieldCheck, MAX_INPUT_LEN};

/// Below this many characters a secret is suspicious (current ones have 40).
const SHORT_SECRET_CHARS: usize = 16;

/// Checks a client secret Value.
pub fn check_client_secret(raw: &str) -> FieldCheck {
    if raw.len() > MAX_INPUT_LEN {
        return FieldCheck::rejected(String::new(), Code::ClientSecretTooLong);
    }
    let secret = clean(raw);
    if secret.is_empty() {
        return FieldCheck::rejected(String::new(), Code::ClientSecretRequired);
    }
    // The portal shows the Secret ID (a GUID) next to the Value; the Value is only shown
    // once, so the ID is a frequent paste. Microsoft answers it with AADSTS7000215
    // ("Invalid client secret provided").
    let error = guid::parse(secret).map(|_| Code::ClientSecretIsSecretId);
    let warning = if secret.len() != raw.len() {
        Some(Code::ClientSecretWhitespace)
    } else if secret.chars().take(SHORT_SECRET_CHARS).count() < SHORT_SECRET_CHARS {
        Some(Code::ClientSecretShort)
    } else {
        None
    };
    FieldCheck {
        normalized: secret.to_string(),
        error,
        warning,
    }
}
