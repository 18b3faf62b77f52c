//! Makes sure the tools a task needs are present, installing what can be installed
//! (rustup targets and components, cargo binaries, npm packages, apt packages as root),
//! and otherwise stopping with the exact command to run.

use std::path::PathBuf;
use std::process::Command;

use crate::util::{self, fail, output_of, root, run, Failure, Result};

/// The wasm target the SDK is compiled for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The oldest Node.js the test tooling runs on (Vite 8's floor).
const NODE_MIN: (u32, u32) = (20, 19);

/// Debian's Chromium and its matching driver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// See [`CHROMIUM`].
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The workspace version (`[workspace.package] version` in the root Cargo.toml).
pub fn workspace_version() -> Result<String> {
    let manifest = util::read_text(&root().join("Cargo.toml"))?;
    let mut section = "";
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if section == "[workspace.package]" || section == "[package]" {
            if let Some(value) = line.strip_prefix("version") {
                if let Some(version) = quoted_value(value) {
                    return Ok(version);
                }
            }
        }
    }
    fail("no `version = \"...\"` in [workspace.package] or [package] of Cargo.toml")
}

/// The version of a package recorded in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = util::read_text(&root().join("Cargo.lock"))?;
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            if let Some(version) = lines
                .next()
                .and_then(|next| next.trim().strip_prefix("version"))
                .and_then(quoted_value)
            {
                return Ok(version);
            }
        }
    }
    fail(format!("{package} is not in Cargo.lock"))
}

/// `= "1.2.3"` → `1.2.3`.
fn quoted_value(rest: &str) -> Option<String> {
    let value = rest.trim_start().strip_prefix('=')?.trim();
    let value = value.strip_prefix('"')?;
    let end = value.find('"')?;
    Some(value[..end].to_string())
}

/// Adds the wasm32 target with rustup when it is missing.
pub fn wasm_target() -> Result {
    let installed = output_of(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|line| line.trim() == WASM_TARGET) => Ok(()),
        Some(_) => run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        None => {
            // No rustup: accept a toolchain that ships the target's standard library.
            let sysroot = output_of(util::command("rustc").args(["--print", "sysroot"]));
            let has_target = sysroot
                .map(|dir| {
                    PathBuf::from(dir)
                        .join("lib/rustlib")
                        .join(WASM_TARGET)
                        .is_dir()
                })
                .unwrap_or(false);
            if has_target {
                Ok(())
            } else {
                fail(format!(
                    "the {WASM_TARGET} target is missing and rustup is not available: \
                     install rustup (https://rustup.rs), then run `rustup target add {WASM_TARGET}`"
                ))
            }
        }
    }
}

/// Adds rustfmt and clippy with rustup when `cargo fmt` / `cargo clippy` are missing.
pub fn lint_components() -> Result {
    for (subcommand, component) in [("fmt", "rustfmt"), ("clippy", "clippy")] {
        if output_of(util::cargo().args([subcommand, "--version"])).is_none() {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// Installs `wasm-bindgen-cli` at exactly the version of the `wasm-bindgen` crate in
/// Cargo.lock (the CLI and the crate must agree byte for byte on the ABI).
pub fn wasm_bindgen_cli() -> Result {
    let wanted = locked_version("wasm-bindgen")?;
    let installed = |program: &str| {
        output_of(Command::new(program).arg("--version"))
            .and_then(|text| text.split_whitespace().nth(1).map(str::to_string))
    };
    let current = installed("wasm-bindgen");
    let runner = installed("wasm-bindgen-test-runner");
    if current.as_deref() == Some(wanted.as_str()) && runner.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    eprintln!(
        "wasm-bindgen-cli {wanted} is needed (Cargo.lock); found {}: installing it",
        current.as_deref().unwrap_or("none")
    );
    let install = |locked: bool| {
        let mut command = util::cargo();
        command.args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--no-default-features",
            "--force",
        ]);
        if locked {
            command.arg("--locked");
        }
        run(&mut command)
    };
    install(true).or_else(|_| install(false))?;
    if installed("wasm-bindgen").as_deref() != Some(wanted.as_str()) {
        return fail(format!(
            "wasm-bindgen {wanted} was installed but another version comes first on PATH: \
             put ~/.cargo/bin first on PATH (`export PATH=\"$HOME/.cargo/bin:$PATH\"`)"
        ));
    }
    Ok(())
}

/// Checks that Node.js and npm are present and recent enough.
pub fn node() -> Result {
    let version = output_of(Command::new("node").arg("--version"));
    let Some(version) = version else {
        return fail(format!(
            "Node.js {}.{} or newer is needed (Vite 8, playwright-core) and `node` was not found: \
             install it, e.g. from https://nodejs.org or Debian's `nodejs` package if recent enough",
            NODE_MIN.0, NODE_MIN.1
        ));
    };
    let mut parts = version
        .trim_start_matches('v')
        .split('.')
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < NODE_MIN {
        return fail(format!(
            "Node.js {}.{} or newer is needed; found {version}",
            NODE_MIN.0, NODE_MIN.1
        ));
    }
    if util::which("npm").is_none() {
        return fail("npm was not found next to node: install npm (Debian: `apt-get install npm`)");
    }
    Ok(())
}

/// Installs the test tooling of `tests/package.json` (playwright-core, binaryen, vite, ...)
/// with `npm ci` when `tests/node_modules` is missing or older than the lockfile.
pub fn npm_packages() -> Result {
    node()?;
    let tests = root().join("tests");
    let lock = tests.join("package-lock.json");
    let installed = tests.join("node_modules/.package-lock.json");
    let modified = |path: &PathBuf| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if fresh && tests.join("node_modules/.bin/wasm-opt").exists() {
        return Ok(());
    }
    run(util::command("npm")
        .current_dir(&tests)
        .args(["ci", "--no-audit", "--no-fund"]))
    .map_err(|failure| {
        Failure(format!(
            "{failure}\nnpm ci installs exactly tests/package-lock.json: if it says the lockfile is out of \
             sync, run `cd tests && npm install` and commit tests/package-lock.json"
        ))
    })
}

/// The pinned `wasm-opt` from the npm package `binaryen` (tests/package.json).
pub fn wasm_opt() -> Result<PathBuf> {
    npm_packages()?;
    let path = root().join("tests/node_modules/.bin/wasm-opt");
    if path.exists() {
        Ok(path)
    } else {
        fail("tests/node_modules/.bin/wasm-opt is missing after `npm ci`: is `binaryen` still in tests/package.json?")
    }
}

/// A font with Chinese, Japanese and Korean glyphs, so the screenshots of those catalogs
/// show text rather than empty boxes.
const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

/// Installs Debian's Chromium, chromedriver and a CJK font with apt when absent (as root),
/// else says how.
pub fn chromium() -> Result {
    let missing: Vec<&str> = [
        (CHROMIUM, "chromium"),
        (CHROMEDRIVER, "chromium-driver"),
        (CJK_FONT, "fonts-wqy-zenhei"),
    ]
    .into_iter()
    .filter(|(path, _)| !std::path::Path::new(path).exists())
    .map(|(_, package)| package)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing)
}

/// Installs Debian packages as root; otherwise stops with the command to run.
pub fn apt_install(packages: &[&str]) -> Result {
    let list = packages.join(" ");
    if !util::is_root() {
        return fail(format!(
            "missing Debian packages: {list}. Run `sudo apt-get update && sudo apt-get install -y {list}` and try again"
        ));
    }
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
    .map_err(|err| Failure(format!("apt-get could not install {list}: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_value_reads_a_toml_string_after_the_equals_sign() {
        assert_eq!(quoted_value(" = \"0.2.130\"").as_deref(), Some("0.2.130"));
        assert_eq!(
            quoted_value("= \"1.0.0\" # pinned").as_deref(),
            Some("1.0.0")
        );
        assert_eq!(quoted_value(".workspace = true"), None);
        assert_eq!(quoted_value(" = 3"), None);
    }

    #[test]
    fn the_lockfile_pins_the_wasm_bindgen_the_cli_must_match() {
        let version = locked_version("wasm-bindgen").unwrap_or_else(|failure| panic!("{failure}"));
        let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap_or_default();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={version}\"")),
            "Cargo.toml pins wasm-bindgen to the locked {version}"
        );
    }

    #[test]
    fn the_workspace_version_is_read_from_cargo_toml() {
        let version = workspace_version().unwrap_or_else(|failure| panic!("{failure}"));
        assert_eq!(version.split('.').count(), 3, "{version} is semver");
    }
}
