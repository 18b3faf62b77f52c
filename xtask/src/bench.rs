//! `cargo xtask bench`: the figures of issue 7 in one run, printed, never asserted
//! (benchmarks measure; tests check behaviour).
//!
//! 1. sizes: the release package's runtime files raw, gzip -9 and brotli, and the total a
//!    page downloads before the English form can be used;
//! 2. open latency in headless Chromium, the SDK side by side with a vanilla-JS modal of
//!    the same three fields (tests/bench/page/vanilla.js): cold and warm, median and spread,
//!    and the ratio to vanilla;
//! 3. leaks after repeated open/close cycles: DOM nodes, listeners (CDP), JS heap, wasm memory;
//! 4. `validate()` calls per second and keystroke-to-feedback latency;
//! 5. the reference backend's loopback load run (`--example load`).
//!
//! The browser half is tests/bench/bench.mjs; this task builds, measures sizes and runs it.

use std::time::Instant;

use crate::util::{self, fail, root, Result};
use crate::{build, setup, size};

const USAGE: &str =
    "usage: cargo xtask bench [--runs N] [--cycles N] [--requests N] [--no-build] [--no-load]
  --runs N       opens per side for the cold and warm medians (default 41: the budgets want 20
                 or more, and on a 2-core machine medians of fewer move by a few ms)
  --cycles N     open/close cycles for the leak figures (default 1000)
  --requests N   connections created by the backend load run (default 500)
  --no-build     measure the pkg/ already built
  --no-load      skip the backend load run";

/// `cargo xtask bench [options]`.
pub fn run_task(args: &[String]) -> Result {
    let mut runs = String::from("41");
    let mut cycles = String::from("1000");
    let mut requests = String::from("500");
    let mut build_first = true;
    let mut load = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<String> {
            match args.next() {
                Some(value) if value.parse::<u32>().is_ok_and(|n| n > 0) => Ok(value.clone()),
                _ => fail(format!("{name} needs a positive number\n{USAGE}")),
            }
        };
        match arg.as_str() {
            "--runs" => runs = number("--runs")?,
            "--cycles" => cycles = number("--cycles")?,
            "--requests" => requests = number("--requests")?,
            "--no-build" => build_first = false,
            "--no-load" => load = false,
            other => return fail(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    let started = Instant::now();
    setup::chromium()?;
    setup::npm_packages()?;
    if build_first {
        build::package(true)?;
    }

    util::header("1. sizes of the release package (pkg/)");
    size::report()?;

    util::header("2-4. open latency, leaks, validation (tests/bench/bench.mjs, headless Chromium)");
    let mut browser = util::command("node");
    browser.current_dir(root().join("tests")).args([
        "bench/bench.mjs",
        "--runs",
        &runs,
        "--cycles",
        &cycles,
    ]);
    util::run(&mut browser)?;

    if load {
        util::header("5. reference backend: loopback load run (release build)");
        util::run(util::cargo().args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "entra-connect-server",
            "--example",
            "load",
            "--",
            "--requests",
            &requests,
        ]))?;
    }
    eprintln!("\nbench done in {}", util::seconds(started.elapsed()));
    Ok(())
}
