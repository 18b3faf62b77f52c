//! Secrets at rest and random identifiers: AES-256-GCM sealing of client secrets under a
//! key ring (SPEC §13: every sealed value names the key that sealed it; the first key of
//! the ring seals, every key opens), the ring's loading (environment or a generated key
//! file), hashing of session tokens and idempotency fingerprints.

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

/// Version byte of the first format: `1, nonce, ciphertext`, from before the key ring. Such
/// values still open (with whichever key of the ring opens them) until `rotate-key`
/// re-seals them.
const SEALED_FORMAT_V1: u8 = 1;
/// The key ring's format: `2, id length, id, nonce, ciphertext`.
const SEALED_FORMAT_V2: u8 = 2;
/// Id of a key given alone (`ENTRA_CONNECT_KEY` or the generated key file).
pub const DEFAULT_KEY_ID: &str = "default";
/// Longest key id.
const MAX_KEY_ID_LEN: usize = 32;
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

/// SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares two digests without stopping at the first difference, so the time taken
/// says nothing about where they differ.
pub fn constant_time_eq(left: &[u8; 32], right: &[u8; 32]) -> bool {
    let difference = left
        .iter()
        .zip(right)
        .fold(0u8, |difference, (a, b)| difference | (a ^ b));
    std::hint::black_box(difference) == 0
}

/// Parses a key ring, `id:key` pairs separated by commas (blanks ignored): ids of 1 to 32
/// characters `A-Z a-z 0-9 . _ -`, each once; keys as [`parse_key`] reads them.
pub fn parse_key_ring(text: &str) -> Result<Vec<(String, [u8; 32])>, String> {
    let mut ring: Vec<(String, [u8; 32])> = Vec::new();
    for (position, entry) in text
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .enumerate()
    {
        let number = position + 1;
        let (id, key) = entry.split_once(':').ok_or_else(|| {
            format!("entry {number} is not ID:KEY (e.g. 2026-12:<64 hex characters>)")
        })?;
        let id = id.trim();
        let valid_id = (1..=MAX_KEY_ID_LEN).contains(&id.len())
            && id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
        if !valid_id {
            return Err(format!(
                "entry {number}: the id must be 1 to {MAX_KEY_ID_LEN} letters, digits, '.', '_' or '-'"
            ));
        }
        if ring.iter().any(|(known, _)| known == id) {
            return Err(format!("entry {number}: the id {id:?} appears twice"));
        }
        let key = parse_key(key).map_err(|reason| format!("entry {number} ({id}): {reason}"))?;
        ring.push((id.to_string(), key));
    }
    if ring.is_empty() {
        return Err("no key: write ID:KEY pairs separated by commas".into());
    }
    Ok(ring)
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

/// Where the key ring came from (logged at start, never a key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The `ENTRA_CONNECT_KEYS` environment variable.
    KeyRing,
    /// The `ENTRA_CONNECT_KEY` environment variable (one key, id `default`).
    Environment,
    /// An existing key file in the data directory.
    KeyFile,
    /// A key file generated on this start.
    GeneratedKeyFile,
}

/// One key of the ring.
struct RingKey {
    id: String,
    cipher: Aes256Gcm,
}

/// Seals and opens client secrets with AES-256-GCM under a key ring, and derives keyed
/// fingerprints.
pub struct SecretBox {
    /// The first seals; all open.
    keys: Vec<RingKey>,
    fingerprint_key: [u8; 32],
}

impl SecretBox {
    /// A box with one raw 256-bit key, id `default`.
    pub fn new(key: [u8; 32]) -> SecretBox {
        SecretBox::from_ring(vec![(DEFAULT_KEY_ID.to_string(), key)])
    }

    /// A box for a ring (the first key seals). Panics on an empty ring, which
    /// [`parse_key_ring`] never returns.
    pub fn from_ring(ring: Vec<(String, [u8; 32])>) -> SecretBox {
        // The fingerprint key is derived from the *last* key: during a rolling rotation
        // instances hold `new,old` and `old`, and both must fingerprint a retried request
        // alike. Derived, so no AES key is used for two things.
        let (_, oldest) = ring.last().expect("a key ring has at least one key");
        let mut hasher = Sha256::new();
        hasher.update(b"entra-connect idempotency fingerprint v1\0");
        hasher.update(oldest);
        SecretBox {
            fingerprint_key: hasher.finalize().into(),
            keys: ring
                .into_iter()
                .map(|(id, key)| RingKey {
                    id,
                    cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
                })
                .collect(),
        }
    }

    /// Loads the ring: `ENTRA_CONNECT_KEYS` (`ring`) when set, else the single key
    /// `ENTRA_CONNECT_KEY` (`single`), else `{data_dir}/encryption.key`, generated (mode
    /// 0600) on first start. A database shared by instances (`shared`) needs a configured
    /// key: a generated per-instance file would leave each unable to open the others'
    /// secrets.
    pub fn load(
        data_dir: &Path,
        ring: Option<&str>,
        single: Option<&str>,
        shared: bool,
    ) -> Result<(SecretBox, KeySource), String> {
        let ring = ring.filter(|text| !text.trim().is_empty());
        let single = single.filter(|text| !text.trim().is_empty());
        match (ring, single) {
            (Some(_), Some(_)) => Err("both ENTRA_CONNECT_KEYS and ENTRA_CONNECT_KEY are set: keep only ENTRA_CONNECT_KEYS (write the single key into it as default:KEY)".into()),
            (Some(text), None) => {
                let ring = parse_key_ring(text).map_err(|reason| format!("ENTRA_CONNECT_KEYS: {reason}"))?;
                Ok((SecretBox::from_ring(ring), KeySource::KeyRing))
            }
            (None, Some(text)) => {
                let key = parse_key(text).map_err(|reason| format!("ENTRA_CONNECT_KEY: {reason}"))?;
                Ok((SecretBox::new(key), KeySource::Environment))
            }
            (None, None) if shared => Err("PostgreSQL is shared by every instance, so they need the same encryption keys: set ENTRA_CONNECT_KEYS=ID:KEY (KEY is 32 bytes as 64 hex characters, e.g. `openssl rand -hex 32`) on each".into()),
            (None, None) => SecretBox::load_key_file(data_dir),
        }
    }

    fn load_key_file(data_dir: &Path) -> Result<(SecretBox, KeySource), String> {
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
                        SecretBox::load_key_file(data_dir)
                    }
                    Err(error) => Err(format!("cannot create {}: {error}", path.display())),
                }
            }
            Err(error) => Err(format!("cannot read {}: {error}", path.display())),
        }
    }

    /// The id of the key that seals.
    pub fn sealing_key_id(&self) -> &str {
        &self.keys[0].id
    }

    /// The id of the key a value was sealed under; `None` for the first format, which
    /// names none.
    pub fn key_id_of(sealed: &[u8]) -> Option<&str> {
        let (&SEALED_FORMAT_V2, rest) = sealed.split_first()? else {
            return None;
        };
        let (&length, rest) = rest.split_first()?;
        std::str::from_utf8(rest.get(..usize::from(length))?).ok()
    }

    /// Encrypts `plaintext`; `context` (the connection ID) is bound as associated data, so
    /// a sealed secret copied onto another row does not open.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = random_bytes::<NONCE_LEN>();
        let key = &self.keys[0];
        let ciphertext = key
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("AES-GCM encryption of a small value cannot fail");
        let mut sealed = Vec::with_capacity(2 + key.id.len() + NONCE_LEN + ciphertext.len());
        sealed.push(SEALED_FORMAT_V2);
        // Ids are at most 32 bytes (parse_key_ring), so the length fits a byte.
        sealed.push(key.id.len() as u8);
        sealed.extend_from_slice(key.id.as_bytes());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Decrypts a value made by [`SecretBox::seal`] with the same `context`, with the key
    /// it names (a first-format value: with whichever key of the ring opens it).
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, String> {
        let (version, rest) = sealed.split_first().ok_or("empty sealed value")?;
        let (candidates, rest): (Vec<&RingKey>, &[u8]) = match *version {
            SEALED_FORMAT_V1 => (self.keys.iter().collect(), rest),
            SEALED_FORMAT_V2 => {
                let id = SecretBox::key_id_of(sealed).ok_or("malformed sealed value")?;
                let key = self.keys.iter().find(|key| key.id == id).ok_or_else(|| {
                    format!("the value was sealed under key {id:?}, which is not in the key ring")
                })?;
                (vec![key], &rest[1 + id.len()..])
            }
            _ => return Err("unknown sealed value format".into()),
        };
        if rest.len() < NONCE_LEN {
            return Err("malformed sealed value".into());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        candidates
            .iter()
            .find_map(|key| {
                key.cipher
                    .decrypt(
                        Nonce::from_slice(nonce),
                        Payload {
                            msg: ciphertext,
                            aad: context,
                        },
                    )
                    .ok()
            })
            .ok_or_else(|| "the sealed value does not open with its key".to_string())
    }

    /// Whether `sealed` is already sealed under the sealing key (nothing to re-seal).
    pub fn is_current(&self, sealed: &[u8]) -> bool {
        SecretBox::key_id_of(sealed) == Some(self.sealing_key_id())
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
        let (first, source) = SecretBox::load(&dir, None, None, false).unwrap();
        assert_eq!(source, KeySource::GeneratedKeyFile);
        let mode = fs::metadata(dir.join(KEY_FILE_NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let (second, source) = SecretBox::load(&dir, None, None, false).unwrap();
        assert_eq!(source, KeySource::KeyFile);
        let sealed = first.seal(b"x", b"c");
        assert_eq!(second.open(&sealed, b"c").unwrap(), b"x");
        fs::remove_dir_all(&dir).unwrap();
    }

    fn ring(text: &str) -> SecretBox {
        SecretBox::from_ring(parse_key_ring(text).unwrap())
    }

    #[test]
    fn the_first_key_of_the_ring_seals_and_the_value_names_it() {
        let old = ring(&format!("k1:{}", "11".repeat(32)));
        let both = ring(&format!("k2:{}, k1:{}", "22".repeat(32), "11".repeat(32)));
        let sealed_old = old.seal(b"Emu8Q~value", b"c");
        assert_eq!(SecretBox::key_id_of(&sealed_old), Some("k1"));
        let sealed_new = both.seal(b"Emu8Q~value", b"c");
        assert_eq!(SecretBox::key_id_of(&sealed_new), Some("k2"));
        assert!(both.is_current(&sealed_new) && !both.is_current(&sealed_old));
        // The new ring opens both; the old one cannot open what the new key sealed, and
        // says which key it lacks.
        assert_eq!(both.open(&sealed_old, b"c").unwrap(), b"Emu8Q~value");
        assert_eq!(both.open(&sealed_new, b"c").unwrap(), b"Emu8Q~value");
        let refused = old.open(&sealed_new, b"c").unwrap_err();
        assert!(refused.contains("\"k2\""), "{refused}");
        // The id is bound too: relabelling a value with another key's id does not open it.
        let mut relabelled = sealed_new.clone();
        relabelled[2..4].copy_from_slice(b"k1");
        assert!(both.open(&relabelled, b"c").is_err());
    }

    #[test]
    fn values_sealed_before_the_ring_still_open() {
        // The first format: version 1, nonce, ciphertext, no key id.
        let key = [5u8; 32];
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key));
        let nonce = [9u8; NONCE_LEN];
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: b"legacy",
                    aad: b"c",
                },
            )
            .unwrap();
        let mut sealed = vec![SEALED_FORMAT_V1];
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        let box_ = ring(&format!(
            "new:{},default:{}",
            "33".repeat(32),
            "05".repeat(32)
        ));
        assert_eq!(SecretBox::key_id_of(&sealed), None);
        assert!(!box_.is_current(&sealed));
        assert_eq!(box_.open(&sealed, b"c").unwrap(), b"legacy");
        assert!(ring(&format!("new:{}", "33".repeat(32)))
            .open(&sealed, b"c")
            .is_err());
    }

    #[test]
    fn fingerprints_follow_the_oldest_key_so_a_rolling_rotation_agrees() {
        let old = ring(&format!("k1:{}", "11".repeat(32)));
        let both = ring(&format!("k2:{},k1:{}", "22".repeat(32), "11".repeat(32)));
        assert_eq!(old.fingerprint(&[b"a"]), both.fingerprint(&[b"a"]));
        assert_ne!(
            ring(&format!("k2:{}", "22".repeat(32))).fingerprint(&[b"a"]),
            old.fingerprint(&[b"a"])
        );
    }

    #[test]
    fn key_rings_are_parsed_strictly() {
        let key = "11".repeat(32);
        assert_eq!(
            parse_key_ring(&format!(" a:{key} ,, b.2_x-y:{key}"))
                .unwrap()
                .len(),
            2
        );
        for (text, says) in [
            (String::new(), "no key"),
            (key.clone(), "is not ID:KEY"),
            (format!(":{key}"), "the id must be"),
            (format!("{}:{key}", "x".repeat(33)), "the id must be"),
            (format!("a b:{key}"), "the id must be"),
            (format!("a:{key},a:{key}"), "appears twice"),
            ("a:abcd".to_string(), "32 bytes"),
        ] {
            let error = parse_key_ring(&text).unwrap_err();
            assert!(error.contains(says), "{text:?}: {error}");
            assert!(!error.contains(&key), "a key never appears in an error");
        }
    }

    #[test]
    fn a_shared_database_needs_a_configured_key() {
        let dir = std::env::temp_dir().join(format!("entra-connect-key-{}", random_uuid()));
        let refused = SecretBox::load(&dir, None, None, true).err().unwrap();
        assert!(refused.contains("ENTRA_CONNECT_KEYS"), "{refused}");
        assert!(
            !dir.exists(),
            "no key file is generated for a shared database"
        );
        let key = "11".repeat(32);
        let (_, source) = SecretBox::load(&dir, Some(&format!("a:{key}")), None, true).unwrap();
        assert_eq!(source, KeySource::KeyRing);
        let (_, source) = SecretBox::load(&dir, None, Some(&key), true).unwrap();
        assert_eq!(source, KeySource::Environment);
        assert!(SecretBox::load(&dir, Some(&format!("a:{key}")), Some(&key), false).is_err());
    }

    #[test]
    fn digests_compare_equal_only_when_equal() {
        let a = sha256(b"a");
        assert!(constant_time_eq(&a, &sha256(b"a")));
        let mut b = a;
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
    }

    #[test]
    fn uuids_are_version_4() {
        let uuid = random_uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        assert!(matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }
}
