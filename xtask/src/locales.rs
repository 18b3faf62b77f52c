//! `pkg/locales/<tag>.js`: the translated catalogs as ES modules, written natively from the
//! SDK's own Rust catalogs (`src/messages/`), so the browser build can leave them out of
//! the wasm and the package entry imports only the one a modal needs.
//!
//! Each file is `export default{"locale":"de","texts":["…",…]};`: the locale the package
//! entry chose (the wasm takes it from here rather than negotiating again) and every text
//! in `Msg::ALL` order (read by position, not looked up key by key). Data only (no code
//! runs), so it loads under a `script-src 'self'` Content-Security-Policy, and bundlers
//! make each a chunk.
//!
//! The build also writes a pseudo-locale for tests only (`target/test-locales/qps-ploc.json`,
//! never in `pkg/`): every English text accented and 40% longer, the way German or Finnish
//! texts run long, so the layout test can show that no state clips or overlaps its text.

use std::path::Path;

use entra_connect::messages::{text, Locale, Msg};

use crate::util::{target_dir, Result};

/// How much longer the pseudo-locale makes every text (German runs about 30% longer than
/// English; 40% leaves a margin).
const PSEUDO_GROWTH_PERCENT: usize = 40;

/// Writes `locales/<tag>.js` under `pkg` for every locale but English (built into the wasm).
pub fn write(pkg: &Path) -> Result {
    let dir = pkg.join("locales");
    std::fs::create_dir_all(&dir)?;
    for locale in Locale::ALL {
        if locale == Locale::En {
            continue;
        }
        let path = dir.join(format!("{}.js", locale.tag()));
        std::fs::write(path, module(locale))?;
    }
    let test_dir = target_dir().join("test-locales");
    std::fs::create_dir_all(&test_dir)?;
    std::fs::write(test_dir.join("qps-ploc.json"), pseudo_catalog())?;
    Ok(())
}

/// The pseudo-locale as a JSON object `{ key: text }`, for the `messages` option.
fn pseudo_catalog() -> String {
    let mut out = String::from("{");
    for (index, msg) in Msg::all().enumerate() {
        if index > 0 {
            out.push_str(",\n");
        }
        push_js_string(&mut out, msg.key());
        out.push(':');
        push_js_string(&mut out, &pseudo(text(Locale::En, msg)));
    }
    out.push_str("}\n");
    out
}

/// `english` with its letters accented and padded to 40% more characters, in brackets so a
/// cut at either end shows; `{placeholders}` are kept as they are. Separators shorter than
/// three characters (", ") are only accented: they join other texts that are padded already.
fn pseudo(english: &str) -> String {
    let mut out = String::from("[");
    let mut in_placeholder = false;
    for c in english.chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            _ => {}
        }
        out.push(if in_placeholder { c } else { accented(c) });
    }
    let length = english.chars().count();
    if length >= 3 {
        let target = length + (length * PSEUDO_GROWTH_PERCENT).div_ceil(100);
        // Padding in words, so it wraps like real text does.
        const PAD: [&str; 4] = ["ŵőŕđ", "ļőńĝêŕ", "ţêхţ", "ħêŕê"];
        let mut added = 0;
        let mut next = 0;
        while length + 2 + added < target {
            out.push(' ');
            let word = PAD[next % PAD.len()];
            out.push_str(word);
            added += 1 + word.chars().count();
            next += 1;
        }
    }
    out.push(']');
    out
}

/// An accented look-alike of an ASCII letter, else `c`.
fn accented(c: char) -> char {
    const FROM: &str = "aceinorsuyzACEINORSUYZ";
    const TO: &str = "áçéîñöŕšüýžÁÇÉÎÑÖŔŠÜÝŽ";
    FROM.chars()
        .position(|from| from == c)
        .and_then(|index| TO.chars().nth(index))
        .unwrap_or(c)
}

/// The ES module of one catalog.
fn module(locale: Locale) -> String {
    let mut out = String::from("export default{\"locale\":");
    push_js_string(&mut out, locale.tag());
    out.push_str(",\"texts\":[");
    for (index, msg) in Msg::all().enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_js_string(&mut out, text(locale, msg));
    }
    out.push_str("]};\n");
    out
}

/// Appends `value` as a double-quoted JavaScript string literal (also valid JSON).
fn push_js_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // Control characters, and the two line terminators older engines refuse in literals.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_javascript_literals() {
        let mut out = String::new();
        push_js_string(&mut out, "a\"b\\c\nd\u{1}e\u{2028}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001e\u2028é""#);
    }

    #[test]
    fn pseudo_texts_are_longer_accented_and_keep_placeholders() {
        for msg in Msg::all() {
            let english = text(Locale::En, msg);
            let pseudo = pseudo(english);
            let (english_len, pseudo_len) = (english.chars().count(), pseudo.chars().count());
            if english_len >= 3 {
                assert!(
                    pseudo_len * 100 >= english_len * 140,
                    "{}: {pseudo}",
                    msg.key()
                );
            }
            assert!(pseudo.starts_with('[') && pseudo.ends_with(']'));
            for name in ["{appName}", "{tenant}", "{when}", "{fields}"] {
                assert_eq!(
                    english.contains(name),
                    pseudo.contains(name),
                    "{}",
                    msg.key()
                );
            }
        }
        assert_eq!(pseudo("Connect"), "[Çöññéçt ŵőŕđ]");
        assert_eq!(pseudo(", "), "[, ]");
    }

    /// The locale tag and the texts of a written module, parsed back.
    fn parse_module(module: &str) -> (String, Vec<String>) {
        let body = module
            .strip_prefix("export default")
            .and_then(|rest| rest.trim_end().strip_suffix(';'))
            .expect("export default{...};");
        let rest = body
            .strip_prefix("{\"locale\":")
            .expect("the locale comes first");
        let (tag, rest) = parse_string(rest);
        let mut rest = rest.strip_prefix(",\"texts\":[").expect("then the texts");
        let mut texts = Vec::new();
        while !rest.starts_with(']') {
            let (text, after) = parse_string(rest.trim_start_matches(','));
            texts.push(text);
            rest = after;
        }
        assert_eq!(rest, "]}", "nothing after the texts");
        (tag, texts)
    }

    /// One string literal as [`push_js_string`] writes it, and what follows it.
    fn parse_string(literal: &str) -> (String, &str) {
        let mut chars = literal.char_indices();
        assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{literal:.20}");
        let mut out = String::new();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => return (out, &literal[at + 1..]),
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('u') => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next())
                            .map(|(_, c)| c)
                            .collect();
                        let code = u32::from_str_radix(&hex, 16).expect("\\uXXXX");
                        out.push(char::from_u32(code).expect("a character"));
                    }
                    Some(c) => out.push(c),
                    None => panic!("a dangling escape"),
                },
                c => out.push(c),
            }
        }
        panic!("an unterminated string")
    }

    #[test]
    fn every_catalog_names_its_locale_and_holds_every_text_in_order() {
        for locale in Locale::ALL {
            let (tag, texts) = parse_module(&module(locale));
            assert_eq!(tag, locale.tag());
            assert_eq!(texts.len(), Msg::COUNT, "{locale:?}");
            for (msg, written) in Msg::all().zip(&texts) {
                assert_eq!(written, text(locale, msg), "{locale:?} {}", msg.key());
            }
        }
        // A positive control: a module missing a text is told apart.
        let short = module(Locale::De).replacen("\"Schließen\",", "", 1);
        assert_eq!(parse_module(&short).1.len(), Msg::COUNT - 1);
    }

    #[test]
    fn escaped_texts_parse_back() {
        let mut out = String::new();
        push_js_string(&mut out, "a\"b\\c\nd\u{1}e\u{2028}é");
        assert_eq!(
            parse_string(&out),
            ("a\"b\\c\nd\u{1}e\u{2028}é".to_string(), "")
        );
    }
}
