//! `entra-connect-server`: the reference backend of entra-connect (SPEC §7). It serves the
//! demo page and the built package, mints session tokens, and implements the connection
//! endpoint of §6 for real: the §5 rules (the SDK's own Rust code), verification with the
//! Microsoft identity platform, AES-256-GCM sealed secrets in SQLite or PostgreSQL, and
//! idempotent retries. `--entra-emulator` mounts a local token endpoint with sample data.
//!
//! The library exists so tests and the load run can start the server in-process:
//!
//! ```no_run
//! # async fn example() -> Result<(), String> {
//! use entra_connect_server::{start, Config};
//! let mut config = Config::new("127.0.0.1:0".parse().unwrap(), "/tmp/entra-data".into());
//! config.demo = true;
//! config.entra_emulator = true;
//! let server = start(config).await?;
//! println!("{}", server.url);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod api_error;
pub mod app;
pub mod client_address;
pub mod config;
pub mod connections;
pub mod crypto;
pub mod emulator;
pub mod identity;
pub mod rate_limit;
pub mod rotate;
pub mod sessions;
pub mod static_files;
pub mod store;
pub mod time;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Service;

use client_address::{client_address, ClientAddress};

pub use app::{AppState, SharedState};
pub use config::Config;

/// A running server.
pub struct Server {
    /// The bound address (the real port when `:0` was asked for).
    pub addr: SocketAddr,
    /// `http://{addr}`.
    pub url: String,
    /// The shared state (tests inspect the store through it).
    pub state: SharedState,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops accepting connections, lets requests in flight finish (at most
    /// `--shutdown-grace`), and waits.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "server stopped with an error"),
            Err(error) => tracing::error!(%error, "server task failed"),
        }
    }
}

/// `entra-connect-server rotate-key`: loads the key ring and the database `config`
/// names and re-seals every stored secret under the ring's first key.
pub async fn rotate_key(config: &Config) -> Result<(rotate::Rotation, String), String> {
    let (secret_box, _) = load_keys(config)?;
    let store = store::Store::open(config.database_url.as_deref(), &config.data_dir)
        .await
        .map_err(|error| error.to_string())?;
    let rotation = rotate::rotate_key(&store, &secret_box).await?;
    Ok((rotation, secret_box.sealing_key_id().to_string()))
}

/// Opens the storage, loads the key, binds the listener and starts serving.
pub async fn start(config: Config) -> Result<Server, String> {
    config.check()?;
    let (secret_box, key_source) = load_keys(&config)?;
    let store = store::Store::open(config.database_url.as_deref(), &config.data_dir)
        .await
        .map_err(|error| error.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let addr = listener.local_addr().map_err(|error| error.to_string())?;
    tracing::info!(
        database = store.kind(),
        key_source = ?key_source,
        sealing_key = secret_box.sealing_key_id(),
        demo = config.demo,
        emulator = config.entra_emulator,
        "storage ready"
    );
    let state = Arc::new(AppState::new(config, store, secret_box, addr));
    let router = app::router(Arc::clone(&state));
    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, router, Arc::clone(&state), async move {
        let _ = shutdown_signal.await;
    }));
    Ok(Server {
        url: format!("http://{addr}"),
        addr,
        state,
        shutdown,
        task,
    })
}

/// The key ring `config` names (a PostgreSQL database, shared, needs a configured one).
fn load_keys(config: &Config) -> Result<(crypto::SecretBox, crypto::KeySource), String> {
    let shared = config
        .database_url
        .as_deref()
        .is_some_and(store::is_postgres_url);
    crypto::SecretBox::load(
        &config.data_dir,
        config.encryption_keys.as_deref(),
        config.encryption_key.as_deref(),
        shared,
    )
}

/// The accept loop: hyper's HTTP/1.1 server with its header-read timeout, which runs from the
/// moment a connection is accepted (a client that sends nothing, or half a header, is closed),
/// each request told its peer and client address, and a drain bounded by `--shutdown-grace`
/// once `shutdown` resolves.
///
/// HTTP/1.1 only: the version-detecting builder reads the first bytes before any timer runs,
/// so a silent client, or one that stops inside the HTTP/2 preface, would be held forever. A
/// load balancer in front speaks HTTP/2 to browsers and HTTP/1.1 to this server.
async fn serve(
    listener: TcpListener,
    router: axum::Router,
    state: SharedState,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let edge = &state.config.edge;
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(edge.header_read_timeout);
    let trusted: Arc<[client_address::Cidr]> = edge.trusted_proxies.clone().into();
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors (EMFILE) and the like: the sockets in hand time out
                    // and free some; do not spin meanwhile.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let trusted = Arc::clone(&trusted);
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                let client = client_address(peer.ip(), request.headers(), &trusted);
                request.extensions_mut().insert(ConnectInfo(peer));
                request.extensions_mut().insert(ClientAddress(client));
                router.clone().call(request)
            },
        );
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that hangs up or times out is not the server's error.
            let _ = connection.await;
        });
    }
    drop(listener);
    let grace = edge.shutdown_grace;
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("requests in flight finished"),
        () = tokio::time::sleep(grace) => tracing::warn!(
            grace_seconds = grace.as_secs_f64(),
            "shutdown grace over: closing connections with requests still in flight"
        ),
    }
    Ok(())
}
