//! Shrinks what wasm-bindgen writes, for the release package (`cargo xtask build`
//! without `--dev`):
//!
//! - import names: wasm-bindgen names each JavaScript import `__wbg_<method>_<16 hex
//!   digits>`, once in the wasm's import section and once in the glue's import object. The
//!   hashes do not compress (about 2 KB gzipped for 140 imports); both sides are renamed to
//!   `_0`, `_1`, ... together, and a name that is not found exactly once in the glue is kept;
//!   the same for the hashed names of the closure trampolines the glue calls (`wasm.<name>(`);
//! - JavaScript: the glue and the package entry go through terser (npm, pinned in
//!   tests/package.json): comments out, locals mangled, exports and property names kept.

use std::cell::RefCell;
use std::path::Path;

use crate::util::{self, fail, root, Failure, Result};

/// Renames the imports of `wasm` that come from the glue module, and the hashed closure
/// exports the glue calls, in `wasm` and `glue`. Returns how many were renamed.
pub fn import_names(wasm: &Path, glue: &Path) -> Result<usize> {
    let bytes = std::fs::read(wasm)?;
    let js = RefCell::new(util::read_text(glue)?);
    let renamed = std::cell::Cell::new(0);
    let rewritten = rewrite_names(
        &bytes,
        |module, name| {
            // Only the glue's own module ("./entra_connect_bg.js"), and only names the glue
            // defines exactly once as `name: function`.
            let mut js = js.borrow_mut();
            let key = format!("{name}: function");
            if !module.ends_with("_bg.js") || js.matches(name).count() != 1 || !js.contains(&key) {
                return None;
            }
            let short = short_name(renamed.get());
            *js = js.replacen(&key, &format!("{short}: function"), 1);
            renamed.set(renamed.get() + 1);
            Some(short)
        },
        |name| {
            // wasm-bindgen's closure trampolines (`..._invoke__h<16 hex digits>`), called by
            // the glue once as `wasm.<name>(`; every other export keeps its name.
            let bytes = name.as_bytes();
            let hashed = bytes.len() > 19
                && bytes[bytes.len() - 19..bytes.len() - 16] == *b"__h"
                && bytes[bytes.len() - 16..].iter().all(u8::is_ascii_hexdigit);
            let mut js = js.borrow_mut();
            let call = format!(".{name}(");
            // (The glue also names its JavaScript wrapper after it; terser renames that.)
            if !hashed || js.matches(&call).count() != 1 {
                return None;
            }
            let short = format!("_e{}", short_name(renamed.get()));
            *js = js.replacen(&call, &format!(".{short}("), 1);
            renamed.set(renamed.get() + 1);
            Some(short)
        },
    )
    .map_err(|why| Failure(format!("{}: {why}", wasm.display())))?;
    std::fs::write(wasm, rewritten)?;
    std::fs::write(glue, js.into_inner())?;
    Ok(renamed.get())
}

/// `_0`, `_1`, ..., `_z`, `_10`, ...: valid identifiers, never reserved words.
fn short_name(index: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    let mut rest = index;
    loop {
        digits.push(DIGITS[rest % 36]);
        rest /= 36;
        if rest == 0 {
            break;
        }
    }
    digits.push(b'_');
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Copies a wasm module, replacing the field name of each import for which `rename(module,
/// name)` gives a new one.
#[cfg(test)]
fn rewrite_imports(
    bytes: &[u8],
    rename: impl FnMut(&str, &str) -> Option<String>,
) -> std::result::Result<Vec<u8>, String> {
    rewrite_names(bytes, rename, |_| None)
}

/// Copies a wasm module, renaming imports (`rename_import(module, name)`) and exports
/// (`rename_export(name)`) where the functions give a new name.
fn rewrite_names(
    bytes: &[u8],
    mut rename: impl FnMut(&str, &str) -> Option<String>,
    mut rename_export: impl FnMut(&str) -> Option<String>,
) -> std::result::Result<Vec<u8>, String> {
    if bytes.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module (version 1)".into());
    }
    let mut out = bytes[..8].to_vec();
    let mut reader = Reader { bytes, at: 8 };
    while reader.at < bytes.len() {
        let id = reader.byte()?;
        let size = reader.leb()? as usize;
        let start = reader.at;
        let body = bytes
            .get(start..start + size)
            .ok_or("a section runs past the end")?;
        reader.at = start + size;
        if id == 7 {
            let mut section = Vec::new();
            let mut exports = Reader { bytes: body, at: 0 };
            let count = exports.leb()?;
            push_leb(&mut section, count);
            for _ in 0..count {
                let name = exports.name()?;
                let kind = exports.byte()?;
                let index = exports.leb()?;
                push_name(&mut section, rename_export(name).as_deref().unwrap_or(name));
                section.push(kind);
                push_leb(&mut section, index);
            }
            if exports.at != body.len() {
                return Err("unexpected bytes after the exports".into());
            }
            out.push(7);
            push_leb(&mut out, section.len() as u64);
            out.extend_from_slice(&section);
            continue;
        }
        if id != 2 {
            out.push(id);
            push_leb(&mut out, size as u64);
            out.extend_from_slice(body);
            continue;
        }
        let mut section = Vec::new();
        let mut imports = Reader { bytes: body, at: 0 };
        let count = imports.leb()?;
        push_leb(&mut section, count);
        for _ in 0..count {
            let module = imports.name()?;
            let name = imports.name()?;
            let description_start = imports.at;
            imports.skip_import_description()?;
            let new_name = rename(module, name);
            push_name(&mut section, module);
            push_name(&mut section, new_name.as_deref().unwrap_or(name));
            section.extend_from_slice(&body[description_start..imports.at]);
        }
        if imports.at != body.len() {
            return Err("unexpected bytes after the imports".into());
        }
        out.push(2);
        push_leb(&mut out, section.len() as u64);
        out.extend_from_slice(&section);
    }
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> std::result::Result<u8, String> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or("unexpected end of the module")?;
        self.at += 1;
        Ok(byte)
    }

    fn leb(&mut self) -> std::result::Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a LEB128 number is too long".into())
    }

    fn name(&mut self) -> std::result::Result<&'a str, String> {
        let len = self.leb()? as usize;
        let bytes = self
            .bytes
            .get(self.at..self.at + len)
            .ok_or("a name runs past the end")?;
        self.at += len;
        std::str::from_utf8(bytes).map_err(|_| "a name is not UTF-8".to_string())
    }

    fn limits(&mut self) -> std::result::Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }

    /// Skips the kind and type of one import (function, table, memory, global or tag).
    fn skip_import_description(&mut self) -> std::result::Result<(), String> {
        match self.byte()? {
            0 => self.leb().map(drop),
            1 => {
                self.byte()?;
                self.limits()
            }
            2 => self.limits(),
            3 => {
                self.byte()?;
                self.byte().map(drop)
            }
            4 => {
                self.byte()?;
                self.leb().map(drop)
            }
            kind => Err(format!("unknown import kind {kind}")),
        }
    }
}

fn push_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    push_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

/// The terser run: reads each file, minifies it as an ES module, writes it back.
const TERSER: &str = r#"
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';
for (const file of process.argv.slice(1)) {
  const result = await minify(readFileSync(file, 'utf8'), {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    // V8 compiles a file marked so eagerly, off the main thread, when it is loaded:
    // nearly every function of the glue and the entry runs when the first modal opens.
    format: { comments: false, preamble: '//# allFunctionsCalledOnLoad' },
  });
  writeFileSync(file, result.code + '\n');
}
"#;

/// Minifies ES modules in place with terser (from tests/node_modules).
pub fn javascript(files: &[&Path]) -> Result {
    let tests = root().join("tests");
    if !tests.join("node_modules/terser").is_dir() {
        return fail("terser is missing from tests/node_modules: run `npm ci` in tests/");
    }
    let mut command = util::command("node");
    command
        .current_dir(&tests)
        .args(["--input-type=module", "-e", TERSER]);
    command.args(files);
    // Echoed without the script, which would fill the screen.
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    eprintln!("$ node (terser) {}", names.join(" "));
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => fail(format!("terser failed ({status})")),
        Err(err) => fail(format!("could not run node: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..2000).map(short_name).collect();
        assert_eq!(&names[..3], ["_0", "_1", "_2"]);
        assert_eq!(names[36], "_10");
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }

    #[test]
    fn imports_are_renamed_and_everything_else_is_kept() {
        // (module (import "m_bg.js" "long_name" (func)) (import "env" "keep" (memory 1)))
        // with a custom section after the imports.
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
        let mut imports = vec![2];
        push_name(&mut imports, "m_bg.js");
        push_name(&mut imports, "long_name");
        imports.extend_from_slice(&[0, 0]);
        push_name(&mut imports, "env");
        push_name(&mut imports, "keep");
        imports.extend_from_slice(&[2, 0, 1]);
        module.push(2);
        push_leb(&mut module, imports.len() as u64);
        module.extend_from_slice(&imports);
        module.extend_from_slice(&[0, 3, 2, b'h', b'i']);

        let out = rewrite_imports(&module, |module, name| {
            (module == "m_bg.js").then(|| format!("{name}!"))
        })
        .unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("long_name!") && text.contains("keep") && !text.contains("keep!"));
        assert!(out.ends_with(&[0, 3, 2, b'h', b'i']));
        // Renaming back gives the original module.
        let back = rewrite_imports(&out, |_, name| name.strip_suffix('!').map(str::to_string));
        assert_eq!(back.unwrap(), module);
    }

    #[test]
    fn exports_are_renamed_with_their_kind_and_index() {
        // (export "f__h0123456789abcdef" (func 3)) (export "memory" (memory 0))
        let mut exports = vec![2];
        push_name(&mut exports, "f__h0123456789abcdef");
        exports.extend_from_slice(&[0, 3]);
        push_name(&mut exports, "memory");
        exports.extend_from_slice(&[2, 0]);
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.push(7);
        push_leb(&mut module, exports.len() as u64);
        module.extend_from_slice(&exports);
        let out = rewrite_names(
            &module,
            |_, _| None,
            |name| name.ends_with("cdef").then(|| "_e0".to_string()),
        )
        .unwrap();
        let mut expected = vec![2];
        push_name(&mut expected, "_e0");
        expected.extend_from_slice(&[0, 3]);
        push_name(&mut expected, "memory");
        expected.extend_from_slice(&[2, 0]);
        assert_eq!(
            out[9..],
            [&[expected.len() as u8], &expected[..]].concat()[..]
        );
    }

    #[test]
    fn a_truncated_module_is_refused() {
        assert!(rewrite_imports(b"\0asm\x01\0\0\0\x02\x05\x01", |_, _| None).is_err());
        assert!(rewrite_imports(b"not wasm", |_, _| None).is_err());
    }
}
