//! Random (version 4) UUIDs for `Idempotency-Key`, where `crypto.randomUUID()` is missing.

/// A random (version 4) UUID from 16 random bytes, in the lowercase hyphenated form of
/// `crypto.randomUUID()`; used where that function is missing (insecure contexts).
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut uuid = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            uuid.push('-');
        }
        uuid.push(char::from(HEX[usize::from(byte >> 4)]));
        uuid.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    uuid
}
