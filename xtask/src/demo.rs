//! `cargo xtask demo`: builds the package and runs the reference backend, which serves the
//! demo page (`www/`) and the package (`pkg/`) on http://127.0.0.1:8080.

use crate::build;
use crate::util::{self, fail, run, target_dir, Result};

const USAGE: &str = "usage: cargo xtask demo [--port N] [-- SERVER_FLAGS...]
  e.g. cargo xtask demo -- --entra-emulator     (offline, with the emulator's sample tenant)";

/// `cargo xtask demo [--port N] [-- FLAGS]`: flags after `--` go to `entra-connect-server`.
pub fn run_task(args: &[String]) -> Result {
    let (own, server_flags) = match args.iter().position(|arg| arg == "--") {
        Some(split) => (&args[..split], &args[split + 1..]),
        None => (args, &[][..]),
    };
    let mut port = String::from("8080");
    let mut own = own.iter();
    while let Some(arg) = own.next() {
        match arg.as_str() {
            "--port" | "-p" => match own.next() {
                Some(value) if value.parse::<u16>().is_ok() => port = value.clone(),
                _ => return fail(format!("--port needs a port number\n{USAGE}")),
            },
            other => return fail(format!("unknown option `{other}`\n{USAGE}")),
        }
    }

    build::package(true)?;
    util::header("reference backend: cargo build -p entra-connect-server");
    run(util::cargo().args(["build", "-p", "entra-connect-server"]))?;

    let mut server = util::command(target_dir().join("debug/entra-connect-server"));
    let has_listen = server_flags
        .iter()
        .any(|flag| flag == "--listen" || flag.starts_with("--listen="));
    if !has_listen {
        server.args(["--listen", &format!("127.0.0.1:{port}")]);
    }
    // The demo page mints its own sessions (account `demo`): no API key to set up.
    if !server_flags.iter().any(|flag| flag == "--demo") {
        server.arg("--demo");
    }
    server.args(server_flags);

    util::header("demo");
    if has_listen {
        eprintln!("the server prints its URL below (Ctrl-C stops it)");
    } else {
        eprintln!("open http://127.0.0.1:{port}/ (Ctrl-C stops the server)");
    }
    if !server_flags.iter().any(|flag| flag == "--entra-emulator") {
        eprintln!("tip: `cargo xtask demo -- --entra-emulator` runs offline against the Entra emulator's sample tenant");
    }
    run(&mut server)
}
