//! GUIDs as people paste them: 32 hexadecimal digits, either bare or hyphenated
//! 8-4-4-4-12, any case, optionally in braces; canonically lowercase and hyphenated.

/// The nil GUID, never a real tenant or application.
pub(crate) const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// Parses a GUID and returns its canonical form (`fc659cb7-0c66-4e32-9f96-c35c869581b6`).
///
/// Typographic hyphens (U+2010..U+2013, U+2212), which word processors and chat apps
/// substitute for `-`, are read as hyphens; anything else that is not a hex digit, or a
/// hyphen out of place, is not a GUID.
pub(crate) fn parse(text: &str) -> Option<String> {
    let inner = match text.strip_prefix('{') {
        Some(rest) => rest.strip_suffix('}')?,
        None => text,
    };
    let mut digits = [0u8; 32];
    let mut count = 0usize;
    // Bit n is set when the hyphen after digit 8 + 4n was seen.
    let mut hyphens = 0u8;
    for c in inner.chars() {
        if c.is_ascii_hexdigit() {
            *digits.get_mut(count)? = c.to_ascii_lowercase() as u8;
            count += 1;
        } else if is_hyphen(c) {
            let bit = match count {
                8 => 1,
                12 => 2,
                16 => 4,
                20 => 8,
                _ => return None,
            };
            if hyphens & bit != 0 {
                return None;
            }
            hyphens |= bit;
        } else {
            return None;
        }
    }
    if count != 32 || !(hyphens == 0 || hyphens == 0b1111) {
        return None;
    }
    let mut canonical = String::with_capacity(36);
    for (index, digit) in digits.iter().enumerate() {
        if matches!(index, 8 | 12 | 16 | 20) {
            canonical.push('-');
        }
        canonical.push(char::from(*digit));
    }
    Some(canonical)
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2013}' | '\u{2212}')
}

/// True when `text` would be a GUID if its full-width characters were ASCII.
pub(crate) fn is_fullwidth_guid(text: &str) -> bool {
    super::text::fold_fullwidth(text)
        .and_then(|folded| parse(&folded))
        .is_some()
}
