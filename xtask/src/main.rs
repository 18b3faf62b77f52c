//! `cargo xtask <task>`: the project's build, demo, test and size chores, in Rust so they
//! run the same on every machine. One module per task; `setup` installs missing tools.

mod bench;
mod build;
mod demo;
mod fuzz;
mod locales;
mod minify;
mod setup;
mod size;
mod test;
mod util;

use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <task> [options]

tasks:
  build [--dev]        build the npm package into pkg/ (--dev: skip wasm-opt)
  demo [--port N] [-- FLAGS]
                       build pkg/, run the reference backend on http://127.0.0.1:8080
                       (FLAGS go to entra-connect-server, e.g. -- --entra-emulator)
  test [LAYER...]      every test layer in order: fmt clippy native wasm package e2e consumers
  size                 gzip and brotli sizes of every runtime file in pkg/, and the
                       English form's total against its 60 KB budget
  bench [--runs N] [--cycles N] [--requests N] [--no-build] [--no-load]
                       release build, then sizes, open latency (cold/warm) against a
                       vanilla modal, leaks over open/close cycles, validate() rate,
                       keystroke feedback, and the backend load run; prints figures
  fuzz [--cases N] [--requests M]
                       the rules, protocol and backend request property tests in release
                       mode at high case counts; prints the number of executions
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match task {
        "build" => build::run_task(rest),
        "demo" => demo::run_task(rest),
        "test" => test::run_task(rest),
        "size" => size::run_task(rest),
        "bench" => bench::run_task(rest),
        "fuzz" => fuzz::run_task(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => util::fail(format!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("\nerror: {failure}");
            ExitCode::FAILURE
        }
    }
}
