//! §5.3 Client secret.
use super::FieldCheck;
/// Checks a client secret Value.
pub fn check_client_secret(raw: &str) -> FieldCheck { todo!("{raw}") }
