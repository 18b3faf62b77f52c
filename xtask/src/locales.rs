//! `pkg/locales/<tag>.js`: the translated catalogs as ES modules, written natively from the
//! SDK's own Rust catalogs (`src/messages/`), so the browser build can leave them out of
//! the wasm and the package entry imports only the one a modal needs.
//!
//! Each file is `export default {"key":"text",...};`, data only (no code runs), so it loads
//! under a `script-src 'self'` Content-Security-Policy, and bundlers make each a chunk.

use std::path::Path;

use entra_connect::messages::{text, Locale, Msg};

use crate::util::Result;

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
    Ok(())
}

/// The ES module of one catalog.
fn module(locale: Locale) -> String {
    let mut out = String::from("export default{");
    for (index, &msg) in Msg::ALL.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_js_string(&mut out, msg.key());
        out.push(':');
        push_js_string(&mut out, text(locale, msg));
    }
    out.push_str("};\n");
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
    fn every_translated_locale_has_every_key() {
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            let module = module(locale);
            assert!(module.starts_with("export default{"));
            for &msg in Msg::ALL {
                let mut key = String::new();
                push_js_string(&mut key, msg.key());
                key.push(':');
                assert!(module.contains(&key), "{locale:?} lacks {}", msg.key());
            }
        }
    }
}
