//! `cargo xtask test`: every test layer, in order, stopping at the first failure.
//!
//! Layers: formatting, clippy (native, and the SDK on wasm32), native tests, wasm tests in
//! headless Chromium, the package build and its type checks, end-to-end tests (node's test
//! runner + playwright-core against the reference backend), and consumer apps installing
//! the packed tarball. It ends with one line `N passed, M failed` summed over the runners.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::build;
use crate::setup;
use crate::util::{self, fail, root, Result};

/// The layers, in the order they run.
const LAYERS: &[&str] = &[
    "fmt",
    "clippy",
    "native",
    "wasm",
    "package",
    "e2e",
    "consumers",
];

const USAGE: &str = "usage: cargo xtask test [LAYER...]
  layers, run in this order: fmt clippy native wasm package e2e consumers
  (no layer: all of them; e2e and consumers also run `package`, which builds pkg/ and the server)";

/// Passed and failed test counts of a layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// What one layer did.
struct Outcome {
    layer: &'static str,
    took: Duration,
    counts: Counts,
    ok: bool,
}

/// `cargo xtask test [LAYER...]`.
pub fn run_task(args: &[String]) -> Result {
    let mut chosen: Vec<&'static str> = Vec::new();
    for arg in args {
        match LAYERS.iter().find(|layer| **layer == arg.as_str()) {
            Some(layer) => chosen.push(layer),
            None => return fail(format!("unknown layer `{arg}`\n{USAGE}")),
        }
    }
    if chosen.is_empty() {
        chosen = LAYERS.to_vec();
    }
    if chosen
        .iter()
        .any(|layer| *layer == "e2e" || *layer == "consumers")
    {
        chosen.push("package");
    }
    let selected: Vec<&'static str> = LAYERS
        .iter()
        .copied()
        .filter(|layer| chosen.contains(layer))
        .collect();

    let started = Instant::now();
    util::header("setup: tools the tests need");
    setup_for(&selected)?;

    let mut outcomes: Vec<Outcome> = Vec::new();
    for layer in selected {
        util::header(&format!("layer: {layer}"));
        let layer_started = Instant::now();
        let result = run_layer(layer);
        let took = layer_started.elapsed();
        let (ok, mut counts, error) = match result {
            Ok(counts) => (true, counts, None),
            Err((counts, error)) => (false, counts, Some(error)),
        };
        // A failing layer whose output showed no failed test (a compile error, a lint, a crash
        // of the runner) still counts as one failure, so the last line never reads "0 failed".
        if !ok && counts.failed == 0 {
            counts.failed = 1;
        }
        eprintln!(
            "--- {layer}: {} in {} ({} passed, {} failed)",
            if ok { "ok" } else { "FAILED" },
            util::seconds(took),
            counts.passed,
            counts.failed
        );
        outcomes.push(Outcome {
            layer,
            took,
            counts,
            ok,
        });
        if let Some(error) = error {
            summarize(&outcomes, started.elapsed());
            return fail(format!(
                "layer `{layer}` failed; the layers after it did not run.\n{error}"
            ));
        }
    }
    summarize(&outcomes, started.elapsed());
    Ok(())
}

/// Installs what the chosen layers need.
fn setup_for(layers: &[&str]) -> Result {
    let needs = |name: &str| layers.contains(&name);
    if needs("fmt") || needs("clippy") {
        setup::lint_components()?;
    }
    if needs("clippy") || needs("wasm") || needs("package") {
        setup::wasm_target()?;
    }
    if needs("wasm") || needs("package") {
        setup::wasm_bindgen_cli()?;
    }
    if needs("wasm") || needs("e2e") || needs("consumers") {
        setup::chromium()?;
    }
    if needs("package") || needs("e2e") || needs("consumers") {
        setup::npm_packages()?;
    }
    Ok(())
}

type LayerResult = std::result::Result<Counts, (Counts, String)>;

fn run_layer(layer: &str) -> LayerResult {
    match layer {
        "fmt" => gate(util::cargo().args(["fmt", "--all", "--check"])),
        "clippy" => {
            gate(util::cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            gate(util::cargo().args([
                "clippy",
                "-p",
                "entra-connect",
                "--target",
                setup::WASM_TARGET,
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        }
        "native" => counted(util::cargo().args(["test", "--workspace"]), cargo_counts),
        "wasm" => {
            let mut command = util::cargo();
            command.args([
                "test",
                "-p",
                "entra-connect",
                "--target",
                setup::WASM_TARGET,
                "--tests",
            ]);
            // wasm-bindgen-test-runner gives a whole test file 20 s and chromedriver 5 s to
            // start by default: too little on a loaded 2-core machine. The environment wins.
            for (name, default) in [
                ("CHROMEDRIVER", setup::CHROMEDRIVER),
                ("WASM_BINDGEN_TEST_TIMEOUT", "300"),
                ("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "30"),
            ] {
                if std::env::var_os(name).is_none() {
                    command.env(name, default);
                }
            }
            counted(&mut command, cargo_counts)
        }
        "package" => {
            build::package(true).map_err(|err| (Counts::default(), err.to_string()))?;
            util::header("reference backend: cargo build -p entra-connect-server");
            gate(util::cargo().args(["build", "-p", "entra-connect-server"]))?;
            util::header(
                "package checks: tsc --strict on tests/types, manifest, npm pack, size budget",
            );
            counted(&mut node_test("types/"), node_counts)
        }
        "e2e" => counted(&mut node_test("e2e/"), node_counts),
        "consumers" => counted(&mut node_test("consumers/"), node_counts),
        other => Err((Counts::default(), format!("no layer named {other}"))),
    }
}

/// `node --test` over a folder of tests/, one file at a time (they share ports and Chromium).
fn node_test(folder: &str) -> Command {
    let mut command = util::command("node");
    command.current_dir(root().join("tests")).args([
        "--test",
        "--test-concurrency=1",
        "--test-timeout=600000",
        "--test-reporter=spec",
        folder,
    ]);
    command
}

/// A command that has no test counts: it passes or fails.
fn gate(command: &mut Command) -> LayerResult {
    match util::run(command) {
        Ok(()) => Ok(Counts::default()),
        Err(err) => Err((Counts::default(), err.to_string())),
    }
}

/// A test runner: its output is shown live and its counts parsed.
fn counted(command: &mut Command, parse: fn(&str) -> Counts) -> LayerResult {
    let described = util::describe(command);
    let (status, output) =
        util::run_teed(command).map_err(|err| (Counts::default(), err.to_string()))?;
    let counts = parse(&output);
    if status.success() && counts.failed == 0 {
        Ok(counts)
    } else {
        Err((
            counts,
            format!("`{described}` failed ({status}); its output is above"),
        ))
    }
}

/// Sums cargo test's and wasm-bindgen-test-runner's `test result: ok. N passed; M failed` lines.
pub fn cargo_counts(output: &str) -> Counts {
    let mut total = Counts::default();
    for line in output.lines() {
        let Some(rest) = line.split("test result:").nth(1) else {
            continue;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(number)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => total.passed += number,
                "failed" => total.failed += number,
                _ => {}
            }
        }
    }
    total
}

/// Reads node --test's closing counts: `ℹ pass N` / `ℹ fail M` (spec) or `# pass N` (tap).
pub fn node_counts(output: &str) -> Counts {
    let mut total = Counts::default();
    for line in output.lines() {
        let line = line.trim();
        let line = line
            .strip_prefix("ℹ ")
            .or_else(|| line.strip_prefix("# "))
            .unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(label), Some(number), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(number) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "pass" => total.passed += number,
            "fail" => total.failed += number,
            _ => {}
        }
    }
    total
}

fn summarize(outcomes: &[Outcome], took: Duration) {
    let mut total = Counts::default();
    eprintln!();
    eprintln!("==> summary ({})", util::seconds(took));
    for outcome in outcomes {
        total += outcome.counts;
        eprintln!(
            "    {:<10} {:<6} {:>8}  {} passed, {} failed",
            outcome.layer,
            if outcome.ok { "ok" } else { "FAILED" },
            util::seconds(outcome.took),
            outcome.counts.passed,
            outcome.counts.failed
        );
    }
    println!("{} passed, {} failed", total.passed, total.failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_counts_sum_every_test_result_line() {
        let output = "\
running 3 tests
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
test result: FAILED. 10 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out; finished in 1.2s
   Doc-tests entra_connect
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        assert_eq!(
            cargo_counts(output),
            Counts {
                passed: 13,
                failed: 2
            }
        );
    }

    #[test]
    fn node_counts_read_spec_and_tap_summaries_only() {
        let spec = "✔ pass 3 widgets (2ms)\nℹ tests 5\nℹ pass 4\nℹ fail 1\nℹ duration_ms 10\n";
        assert_eq!(
            node_counts(spec),
            Counts {
                passed: 4,
                failed: 1
            }
        );
        let tap = "ok 1 - a\n# tests 2\n# pass 2\n# fail 0\n";
        assert_eq!(
            node_counts(tap),
            Counts {
                passed: 2,
                failed: 0
            }
        );
    }

    #[test]
    fn output_without_summaries_counts_nothing() {
        assert_eq!(
            cargo_counts("error[E0425]: cannot find value"),
            Counts::default()
        );
        assert_eq!(
            node_counts("SyntaxError: Unexpected token"),
            Counts::default()
        );
    }
}
