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

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
    /// Stops accepting connections, lets requests in flight finish, and waits.
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
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = shutdown_signal.await;
        })
        .await
    });
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
