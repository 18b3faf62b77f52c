//! `entra-connect-server rotate-key` (SPEC §13): re-seals every stored client secret under
//! the first key of the ring, so an old key can then be retired.
//!
//! It walks the connections in id order, a page at a time, and replaces each sealed
//! value with a compare-and-swap: a row changed meanwhile (its credential replaced by a
//! serving instance, which already seals under the first key) is left as it now is. So
//! it is idempotent (values already under the first key are skipped), resumable (stopped
//! half way, a second run finishes the rest) and safe while instances serve.

use crate::crypto::SecretBox;
use crate::store::Store;

/// Rows read per page.
const PAGE: u32 = 200;

/// What a rotation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// Values re-sealed under the first key.
    pub resealed: u64,
    /// Values that already were.
    pub current: u64,
    /// Values that changed between being read and being replaced (left as they are).
    pub changed_meanwhile: u64,
}

impl Rotation {
    /// Every stored value seen.
    pub fn seen(&self) -> u64 {
        self.resealed + self.current + self.changed_meanwhile
    }
}

/// Re-seals every stored secret not yet under `secret_box`'s sealing key. Stops at the
/// first value that does not open (its key is not in the ring), naming its connection:
/// nothing is lost, and a run with the missing key added resumes.
pub async fn rotate_key(store: &Store, secret_box: &SecretBox) -> Result<Rotation, String> {
    let mut rotation = Rotation::default();
    let mut after = String::new();
    loop {
        let page = store
            .sealed_secrets_after(&after, PAGE)
            .await
            .map_err(|error| error.to_string())?;
        let Some((last, _)) = page.last() else {
            return Ok(rotation);
        };
        after = last.clone();
        for (connection_id, sealed) in page {
            if secret_box.is_current(&sealed) {
                rotation.current += 1;
                continue;
            }
            let mut plaintext = secret_box
                .open(&sealed, connection_id.as_bytes())
                .map_err(|reason| format!("connection {connection_id}: {reason}"))?;
            let resealed = secret_box.seal(&plaintext, connection_id.as_bytes());
            plaintext.fill(0);
            let replaced = store
                .replace_sealed_secret(&connection_id, &sealed, &resealed)
                .await
                .map_err(|error| error.to_string())?;
            if replaced {
                rotation.resealed += 1;
            } else {
                rotation.changed_meanwhile += 1;
            }
        }
    }
}
