//! Secrets at rest and random identifiers: AES-256-GCM sealing of client secrets, the
//! key's loading (environment or a generated key file), hashing of session tokens and
//! idempotency fingerprints.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Name of the generated key file inside the data directory.
pub const KEY_FILE_NAME: &str = "encryption.key";

/// Version byte in front of every sealed value, so the format can change later.
const SEALED_FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// Fills an array with bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// A random (version 4) UUID in its lowercase hyphenated form.
pub fn random_uuid() -> String {
    let mut bytes = random_bytes::<16>();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = to_hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Lowercase hexadecimal text of some bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    text
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

/// SHA-256 of some bytes, as lowercase hex. Session tokens are stored this way: a
/// 256-bit random token needs no salt or slow hash, and a database leak reveals no token.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// Parses a 256-bit key given as 64 hex characters or as base64 (standard or URL-safe,
/// padded or not).
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        from_hex(text)
    } else {
        let unpadded = text.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(unpadded)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(unpadded))
            .ok()
    };
    bytes
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| {
            "the key must be 32 bytes, written as 64 hex characters or as base64".to_string()
        })
}

/// Where the encryption key came from (logged at start, never the key itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The `ENTRA_CONNECT_KEY` environment variable.
    Environment,
    /// An existing key file in the data directory.
    KeyFile,
    /// A key file generated on this start.
    GeneratedKeyFile,
}

/// Seals and opens client secrets with AES-256-GCM, and derives keyed fingerprints.
pub struct SecretBox {
    cipher: Aes256Gcm,
    fingerprint_key: [u8; 32],
}

impl SecretBox {
    /// A box for a raw 256-bit key.
    pub fn new(key: [u8; 32]) -> SecretBox {
        // The fingerprint key is derived, so the AES key itself is used for one thing only.
        let mut hasher = Sha256::new();
        hasher.update(b"entra-connect idempotency fingerprint v1\0");
        hasher.update(key);
        SecretBox {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
            fingerprint_key: hasher.finalize().into(),
        }
    }

    /// Loads the key from `env_key` (the value of `ENTRA_CONNECT_KEY`) when set, else from
    /// `{data_dir}/encryption.key`, generating that file (mode 0600) on first start.
    pub fn load(data_dir: &Path, env_key: Option<&str>) -> Result<(SecretBox, KeySource), String> {
        if let Some(text) = env_key.filter(|text| !text.trim().is_empty()) {
            let key = parse_key(text).map_err(|reason| format!("ENTRA_CONNECT_KEY: {reason}"))?;
            return Ok((SecretBox::new(key), KeySource::Environment));
        }
        let path = data_dir.join(KEY_FILE_NAME);
        match fs::read_to_string(&path) {
            Ok(text) => {
                warn_if_readable_by_others(&path);
                let key =
                    parse_key(&text).map_err(|reason| format!("{}: {reason}", path.display()))?;
                Ok((SecretBox::new(key), KeySource::KeyFile))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = random_bytes::<32>();
                match write_new_key_file(data_dir, &path, &key) {
                    Ok(()) => Ok((SecretBox::new(key), KeySource::GeneratedKeyFile)),
                    // Another process created it first: use theirs.
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                        SecretBox::load(data_dir, None)
                    }
                    Err(error) => Err(format!("cannot create {}: {error}", path.display())),
                }
            }
            Err(error) => Err(format!("cannot read {}: {error}", path.display())),
        }
    }

    /// Encrypts `plaintext`; `context` (the connection ID) is bound as associated data, so
    /// a sealed secret copied onto another row does not open.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = random_bytes::<NONCE_LEN>();
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("AES-GCM encryption of a small value cannot fail");
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(SEALED_FORMAT_V1);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Decrypts a value made by [`SecretBox::seal`] with the same `context`.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, String> {
        let (version, rest) = sealed.split_first().ok_or("empty sealed value")?;
        if *version != SEALED_FORMAT_V1 || rest.len() < NONCE_LEN {
            return Err("unknown sealed value format".into());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| "the sealed value does not open with this key".to_string())
    }

    /// A keyed SHA-256 over length-prefixed parts, as hex: it identifies a request body
    /// (secret included) without storing anything from which the secret could be guessed.
    pub fn fingerprint(&self, parts: &[&[u8]]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.fingerprint_key);
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        to_hex(&hasher.finalize())
    }
}

fn write_new_key_file(data_dir: &Path, path: &Path, key: &[u8; 32]) -> std::io::Result<()> {
    fs::create_dir_all(data_dir)?;
    // Written under a temporary name, then hard-linked into place: the link fails if the
    // file exists, so two servers starting at once never see a half-written key.
    let temporary = data_dir.join(format!(".{KEY_FILE_NAME}.{}", to_hex(&random_bytes::<6>())));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(to_hex(key).as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::hard_link(&temporary, path)
    })();
    let _ = fs::remove_file(&temporary);
    result
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(metadata) = fs::metadata(path) {
        if metadata.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the encryption key file is readable by other users; chmod 600 it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secret_opens_only_with_the_same_key_and_context() {
        let secret_box = SecretBox::new([7; 32]);
        let sealed = secret_box.seal(b"Emu8Q~value", b"connection-1");
        assert!(!sealed.windows(11).any(|window| window == b"Emu8Q~value"));
        assert_eq!(
            secret_box.open(&sealed, b"connection-1").unwrap(),
            b"Emu8Q~value"
        );
        assert!(secret_box.open(&sealed, b"connection-2").is_err());
        assert!(SecretBox::new([8; 32])
            .open(&sealed, b"connection-1")
            .is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(secret_box.open(&tampered, b"connection-1").is_err());
    }

    #[test]
    fn sealing_twice_uses_fresh_nonces() {
        let secret_box = SecretBox::new([7; 32]);
        assert_ne!(
            secret_box.seal(b"same", b"c"),
            secret_box.seal(b"same", b"c")
        );
    }

    #[test]
    fn keys_parse_from_hex_and_base64() {
        let hex = "00".repeat(31) + "ff";
        assert_eq!(parse_key(&hex).unwrap()[31], 0xff);
        let base64 = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert_eq!(parse_key(&base64).unwrap(), [9u8; 32]);
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xfbu8; 32]);
        assert_eq!(parse_key(&url_safe).unwrap(), [0xfbu8; 32]);
        assert!(parse_key("abcd").is_err());
        assert!(parse_key(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn key_file_is_generated_once_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("entra-connect-key-{}", random_uuid()));
        let (first, source) = SecretBox::load(&dir, None).unwrap();
        assert_eq!(source, KeySource::GeneratedKeyFile);
        let mode = fs::metadata(dir.join(KEY_FILE_NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let (second, source) = SecretBox::load(&dir, None).unwrap();
        assert_eq!(source, KeySource::KeyFile);
        let sealed = first.seal(b"x", b"c");
        assert_eq!(second.open(&sealed, b"c").unwrap(), b"x");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn uuids_are_version_4() {
        let uuid = random_uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        assert!(matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }
}
