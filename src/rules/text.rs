//! Cleaning pasted text: surrounding white space and the invisible characters people paste
//! (zero-width spaces, non-breaking spaces, byte-order marks).

/// Trims white space and invisible characters from both ends of `raw`.
pub fn clean(raw: &str) -> &str {
    todo!("rules helper")
}
