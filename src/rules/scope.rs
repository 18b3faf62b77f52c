//! §5.4 Scope.
use super::{Cloud, FieldCheck};
/// Checks a scope for `cloud`; empty means the cloud's default scope.
pub fn check_scope(raw: &str, cloud: Cloud) -> FieldCheck { todo!("{raw}{cloud:?}") }
