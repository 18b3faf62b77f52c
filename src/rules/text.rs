//! Cleaning pasted text: surrounding white space and the invisible characters people paste
//! (zero-width spaces, non-breaking spaces, byte-order marks, bidirectional marks).
//!
//! The character lists are explicit and small on purpose: they are what copy and paste
//! from the Microsoft Entra admin center, e-mail, chat, PDFs and right-to-left pages adds,
//! and a short `matches!` costs far less wasm than general Unicode tables.

use std::borrow::Cow;

/// Trims white space and invisible characters from both ends of `raw`.
pub fn clean(raw: &str) -> &str {
    raw.trim_matches(is_blank)
}

/// White space: ASCII blanks and the Unicode space separators that look like a space
/// (non-breaking U+00A0, figure U+2007, narrow no-break U+202F, ideographic U+3000 ...).
pub(crate) fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\n'
            | '\r'
            | '\u{0B}'
            | '\u{0C}'
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Invisible format characters: zero-width space/joiners (U+200B..U+200D), word joiner
/// (U+2060), byte-order mark (U+FEFF), soft hyphen, and bidirectional marks (pasted from
/// right-to-left pages).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `text` split around the last `byte` (an ASCII byte, so both parts are on character
/// boundaries). Like `rsplit_once(char)`, without the reverse UTF-8 searcher in the wasm.
pub(crate) fn rsplit_once_ascii(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().rposition(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The byte index of the first of the ASCII `stops` in `text` (a character boundary).
pub(crate) fn find_ascii(text: &str, stops: &[u8]) -> Option<usize> {
    text.bytes().position(|b| stops.contains(&b))
}

/// The part of `text` before the first of the ASCII `stops`, or all of it; like
/// `split([...]).next()` without a char-array searcher per array length in the wasm.
pub(crate) fn before_ascii<'a>(text: &'a str, stops: &[u8]) -> &'a str {
    find_ascii(text, stops)
        .and_then(|end| text.get(..end))
        .unwrap_or(text)
}

fn is_blank(c: char) -> bool {
    is_space(c) || is_invisible(c)
}

/// [`clean`]s `raw` and also removes invisible characters inside it, which a person can
/// neither see nor delete, from values where they can never belong (IDs, domains, scopes).
pub(crate) fn clean_all(raw: &str) -> Cow<'_, str> {
    let trimmed = clean(raw);
    if trimmed.contains(is_invisible) {
        Cow::Owned(trimmed.chars().filter(|&c| !is_invisible(c)).collect())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// Folds full-width ASCII look-alikes (U+FF01..U+FF5E, typed by Japanese, Chinese and
/// Korean input methods) to ASCII; `None` when `text` has none.
pub(crate) fn fold_fullwidth(text: &str) -> Option<String> {
    let is_fullwidth = |c: char| ('\u{FF01}'..='\u{FF5E}').contains(&c);
    if !text.contains(is_fullwidth) {
        return None;
    }
    let folded = text
        .chars()
        .map(|c| {
            if is_fullwidth(c) {
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    Some(folded)
}

/// Appends `text` to `out` percent-encoded for a URL path segment or query value: RFC 3986
/// unreserved characters are kept, every other byte of its UTF-8 becomes `%XX`. Used for
/// the admin consent URL and the Nango URL, so no value can add a path, query or fragment.
pub(crate) fn push_percent_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}
