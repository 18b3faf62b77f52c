//! `cargo xtask size`: the transfer size of the package's runtime, file by file.
//!
//! Runtime files are what a browser downloads: the JavaScript (`.js`, `.mjs`) and the
//! WebAssembly of `pkg/`; declarations, the README and package.json are not shipped to users.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::build::pkg_dir;
use crate::util::{fail, Result};

/// One runtime file and its sizes in bytes.
struct FileSize {
    name: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

/// What a page downloads before the English form can be used: the entry, the glue and
/// the wasm (translations are loaded on demand, the React hook only by React apps).
pub const ENGLISH_FORM: &[&str] = &["index.js", "entra_connect.js", "entra_connect_bg.wasm"];

/// The size budget of [`ENGLISH_FORM`], gzipped (issue 7: 60 KB).
pub const ENGLISH_FORM_BUDGET_GZIP: usize = 60 * 1024;

/// `cargo xtask size`: needs a built `pkg/` (`cargo xtask build`).
pub fn run_task(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return fail(format!("unknown option for `cargo xtask size`: {arg}"));
    }
    report().map(drop)
}

/// Prints the size table of `pkg/` and returns the gzipped total of [`ENGLISH_FORM`].
pub fn report() -> Result<usize> {
    let pkg = pkg_dir();
    if !pkg.join("package.json").exists() {
        return fail("pkg/ is not built: run `cargo xtask build` first");
    }
    let mut files = Vec::new();
    collect_runtime_files(&pkg, &mut files)?;
    files.sort();
    let mut sizes = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path)?;
        let name = path
            .strip_prefix(&pkg)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        sizes.push(FileSize {
            name,
            raw: bytes.len(),
            gzip: gzip_len(&bytes)?,
            brotli: brotli_len(&bytes)?,
        });
    }
    print_table(&sizes);
    let english: Vec<&FileSize> = sizes
        .iter()
        .filter(|s| ENGLISH_FORM.contains(&s.name.as_str()))
        .collect();
    let english_gzip = english.iter().map(|s| s.gzip).sum();
    println!(
        "{:<width$} {:>10} {:>10} {:>10}   (budget {} gzip: {})",
        "English form (entry+glue+wasm)",
        english.iter().map(|s| s.raw).sum::<usize>(),
        english_gzip,
        english.iter().map(|s| s.brotli).sum::<usize>(),
        ENGLISH_FORM_BUDGET_GZIP,
        if english_gzip <= ENGLISH_FORM_BUDGET_GZIP {
            "within"
        } else {
            "OVER"
        },
        width = 30,
    );
    print_catalogs(&sizes, english_gzip)?;
    Ok(english_gzip)
}

/// One line per translated catalog (`locales/<tag>.js`, loaded on demand), and what a form
/// in the largest of them downloads in all.
fn print_catalogs(sizes: &[FileSize], english_gzip: usize) -> Result {
    let catalogs: Vec<&FileSize> = sizes
        .iter()
        .filter(|s| s.name.starts_with("locales/") || s.name.starts_with("locales\\"))
        .collect();
    let expected = entra_connect::messages::Locale::ALL.len() - 1;
    if catalogs.len() != expected {
        return fail(format!(
            "pkg/locales/ holds {} catalogs, the SDK has {expected} translations: rebuild with `cargo xtask build`",
            catalogs.len()
        ));
    }
    println!("catalogs (gzip, loaded only by a form in that language):");
    for catalog in &catalogs {
        println!("  {:<26} {:>6}", catalog.name, catalog.gzip);
    }
    if let Some(largest) = catalogs.iter().max_by_key(|s| s.gzip) {
        println!(
            "English form + largest catalog ({}): {} gzip",
            largest.name,
            english_gzip + largest.gzip
        );
    }
    Ok(())
}

fn collect_runtime_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_runtime_files(&path, files)?;
        } else if is_runtime(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn is_runtime(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.ends_with(".d.ts")
        && (name.ends_with(".js") || name.ends_with(".mjs") || name.ends_with(".wasm"))
}

/// gzip at level 9, as a static host would pre-compress.
fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

/// brotli at quality 11 with a 4 MiB window, as a static host would pre-compress.
fn brotli_len(bytes: &[u8]) -> Result<usize> {
    let mut output = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut output, 4096, 11, 22);
        writer.write_all(bytes)?;
        writer.flush()?;
    }
    Ok(output.len())
}

fn print_table(sizes: &[FileSize]) {
    let width = sizes.iter().map(|s| s.name.len()).max().unwrap_or(4).max(5);
    println!(
        "{:<width$} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    for size in sizes {
        println!(
            "{:<width$} {:>10} {:>10} {:>10}",
            size.name, size.raw, size.gzip, size.brotli
        );
    }
    let total = |pick: fn(&FileSize) -> usize, only_core: bool| -> usize {
        sizes
            .iter()
            .filter(|s| !only_core || s.name != "react.js")
            .map(pick)
            .sum()
    };
    println!(
        "{:<width$} {:>10} {:>10} {:>10}",
        "total",
        total(|s| s.raw, false),
        total(|s| s.gzip, false),
        total(|s| s.brotli, false)
    );
    if sizes.iter().any(|s| s.name == "react.js") {
        println!(
            "{:<width$} {:>10} {:>10} {:>10}",
            "total without react.js",
            total(|s| s.raw, true),
            total(|s| s.gzip, true),
            total(|s| s.brotli, true)
        );
    }
}
