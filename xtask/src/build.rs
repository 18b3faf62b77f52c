//! `cargo xtask build`: the npm package in `pkg/`.
//!
//! Release wasm (`--profile wasm-release`) → `wasm-bindgen --target web` without the names
//! and producers sections → `wasm-opt -Oz` (npm `binaryen`, pinned in tests/package.json) →
//! `pkg/` = the glue, the wasm, and the hand-kept files of `pkg-template/` with the
//! version of Cargo.toml written into package.json.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::setup;
use crate::util::{self, fail, root, run, target_dir, Result};

/// The placeholder pkg-template/package.json carries instead of a version.
const VERSION_PLACEHOLDER: &str = "\"version\": \"0.0.0-set-by-cargo-xtask-build\"";

/// Features the Rust wasm32 target emits by default; wasm-opt must accept them and may use them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The folder the package is assembled in.
pub fn pkg_dir() -> PathBuf {
    root().join("pkg")
}

/// `cargo xtask build [--dev]`: `--dev` skips wasm-opt (faster, larger; for iterating).
pub fn run_task(args: &[String]) -> Result {
    let mut optimize = true;
    for arg in args {
        match arg.as_str() {
            "--dev" => optimize = false,
            other => return fail(format!("unknown option for `cargo xtask build`: {other}")),
        }
    }
    package(optimize)
}

/// Builds `pkg/` from scratch. Prints each step and its duration.
pub fn package(optimize: bool) -> Result {
    let started = Instant::now();
    setup::wasm_target()?;
    setup::wasm_bindgen_cli()?;
    let wasm_opt = if optimize {
        Some(setup::wasm_opt()?)
    } else {
        None
    };

    util::header("wasm: cargo build --profile wasm-release");
    let step = Instant::now();
    run(util::cargo().args([
        "build",
        "--profile",
        "wasm-release",
        "--target",
        setup::WASM_TARGET,
        "-p",
        "entra-connect",
    ]))?;
    eprintln!("   took {}", util::seconds(step.elapsed()));
    let wasm = target_dir()
        .join(setup::WASM_TARGET)
        .join("wasm-release/entra_connect.wasm");

    util::header("wasm-bindgen --target web");
    let step = Instant::now();
    let glue = target_dir().join("entra-connect-bindgen");
    if glue.exists() {
        std::fs::remove_dir_all(&glue)?;
    }
    run(util::command("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--out-name",
            "entra_connect",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(&glue)
        .arg(&wasm))?;
    eprintln!("   took {}", util::seconds(step.elapsed()));

    let glue_wasm = glue.join("entra_connect_bg.wasm");
    if let Some(wasm_opt) = wasm_opt {
        util::header("wasm-opt -Oz (binaryen from tests/package.json)");
        let step = Instant::now();
        let before = file_len(&glue_wasm);
        let optimized = glue.join("entra_connect_bg.opt.wasm");
        run(util::command(&wasm_opt)
            .arg(&glue_wasm)
            // Flattening and re-deriving the control flow first lets -Oz find about
            // 0.3 KB (gzipped) more than -Oz alone, at no cost in speed (measured).
            .args(["--flatten", "--rereloop", "-Oz", "-Oz"])
            // Repeat while it still shrinks; browsers ignore the target features section.
            .args(["--converge", "--strip-target-features"])
            .args(WASM_FEATURES)
            .arg("-o")
            .arg(&optimized))?;
        std::fs::rename(&optimized, &glue_wasm)?;
        eprintln!(
            "   {} → {} bytes, took {}",
            before,
            file_len(&glue_wasm),
            util::seconds(step.elapsed())
        );

        util::header("minify: short import names, terser on the glue");
        let step = Instant::now();
        let glue_js = glue.join("entra_connect.js");
        let renamed = crate::minify::import_names(&glue_wasm, &glue_js)?;
        crate::minify::javascript(&[&glue_js])?;
        eprintln!(
            "   {renamed} imports and exports renamed; wasm {} bytes, glue {} bytes, took {}",
            file_len(&glue_wasm),
            file_len(&glue_js),
            util::seconds(step.elapsed())
        );
    }

    util::header("assemble pkg/");
    assemble(&glue)?;
    if optimize {
        // The readable source stays in pkg-template/; the package ships it minified.
        crate::minify::javascript(&[&pkg_dir().join("index.js")])?;
    }
    eprintln!(
        "built {} (version {}) in {}",
        pkg_dir().display(),
        setup::workspace_version()?,
        util::seconds(started.elapsed())
    );
    Ok(())
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
}

/// Replaces `pkg/` with the template files, the glue and the wasm.
fn assemble(glue: &Path) -> Result {
    let pkg = pkg_dir();
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg)?;
    }
    let template = root().join("pkg-template");
    util::copy_tree(&template, &pkg)?;
    util::copy_tree(glue, &pkg)?;
    crate::locales::write(&pkg)?;

    let manifest_path = pkg.join("package.json");
    let manifest = util::read_text(&manifest_path)?;
    if !manifest.contains(VERSION_PLACEHOLDER) {
        return fail(format!(
            "pkg-template/package.json must contain {VERSION_PLACEHOLDER} (the build writes Cargo.toml's version there)"
        ));
    }
    let version = setup::workspace_version()?;
    let manifest = manifest.replace(VERSION_PLACEHOLDER, &format!("\"version\": \"{version}\""));
    std::fs::write(&manifest_path, manifest)?;

    for required in [
        "package.json",
        "README.md",
        "index.js",
        "index.d.ts",
        "entra_connect.js",
        "entra_connect_bg.wasm",
    ] {
        if !pkg.join(required).is_file() {
            return fail(format!("pkg/{required} is missing after assembly"));
        }
    }
    Ok(())
}
