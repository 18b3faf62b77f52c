//! The `entra-connect-server` binary: parses the command line, logs to stderr, prints one
//! ready line on stdout, and shuts down gracefully on Ctrl-C or SIGTERM. `rotate-key`
//! re-seals the stored secrets under the first key of the ring and exits.

use std::io::Write;

use entra_connect_server::{start, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rotate = args.first().is_some_and(|arg| arg == "rotate-key");
    if rotate {
        args.remove(0);
    }
    let config = match Config::from_args(args, |name| std::env::var(name).ok()) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{}", entra_connect_server::config::USAGE);
            return;
        }
        Err(message) => {
            eprintln!(
                "entra-connect-server: {message}\n\n{}",
                entra_connect_server::config::USAGE
            );
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    if rotate {
        match entra_connect_server::rotate_key(&config).await {
            Ok((rotation, key_id)) => println!(
                "rotate-key: {} stored credentials: {} re-sealed under key {key_id}, {} already were, {} changed meanwhile (left as they are)",
                rotation.seen(),
                rotation.resealed,
                rotation.current,
                rotation.changed_meanwhile
            ),
            Err(message) => {
                eprintln!("entra-connect-server rotate-key: {message}");
                std::process::exit(1);
            }
        }
        return;
    }
    let server = match start(config).await {
        Ok(server) => server,
        Err(message) => {
            eprintln!("entra-connect-server: {message}");
            std::process::exit(1);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "entra-connect-server listening on {}", server.url);
    let _ = stdout.flush();
    drop(stdout);
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    server.shutdown().await;
    tracing::info!("stopped");
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("can listen for SIGTERM");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
