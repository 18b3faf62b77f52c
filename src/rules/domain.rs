//! DNS host names as Microsoft Entra ID accepts them for verified domains and resource
//! URIs: ASCII letters, digits and hyphens only (internationalized names in their
//! punycode `xn--` form).

/// The longest domain name (RFC 1035), without a trailing dot.
const MAX_DOMAIN_LEN: usize = 253;
/// The longest label (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// True for a lowercase host name: at least two labels of 1-63 ASCII letters, digits and
/// hyphens, not starting or ending with a hyphen, 253 characters at most, and a top-level
/// label that is not all digits (so `10.0.0.1` is not taken for a domain).
pub fn is_domain(host: &str) -> bool {
    if host.is_empty() || host.len() > MAX_DOMAIN_LEN {
        return false;
    }
    let mut labels = 0usize;
    let mut last_is_numeric = false;
    for label in host.split('.') {
        let bytes = label.as_bytes();
        let well_formed = !bytes.is_empty()
            && bytes.len() <= MAX_LABEL_LEN
            && bytes.first() != Some(&b'-')
            && bytes.last() != Some(&b'-')
            && bytes
                .iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed {
            return false;
        }
        labels += 1;
        last_is_numeric = bytes.iter().all(u8::is_ascii_digit);
    }
    labels >= 2 && !last_is_numeric
}
