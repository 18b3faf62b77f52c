//! Persistence of sessions, connections and idempotency keys: embedded SQLite by default,
//! PostgreSQL when a `postgres://` URL is given. Both run the same numbered migrations and
//! offer the same operations; the client secret only ever reaches them sealed.

mod migrations;
mod postgres;
mod sqlite;

use std::path::Path;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// SQLite file name inside the data directory.
pub const SQLITE_FILE_NAME: &str = "entra-connect.sqlite3";

/// A storage failure; its text is for the server log (it never contains a secret).
#[derive(Debug)]
pub struct StoreError {
    message: String,
    unavailable: bool,
}

impl StoreError {
    /// A failure of the operation itself.
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            unavailable: false,
        }
    }

    /// The database cannot be reached (down, restarting, network): the same request may
    /// succeed once it is back, and the store reconnects by itself.
    pub fn unavailable(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            unavailable: true,
        }
    }

    /// Whether the database could not be reached (see [`StoreError::unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// A session token's stored form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// The account every call made with the token is scoped to (SPEC §11.1).
    pub account_id: String,
    /// The origin the token is bound to.
    pub origin: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// Why a connection needs attention (SPEC §9.1): a §6.3 code, its words, and the form
/// field it concerns.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The §6.3 code (`secret_expired`, `invalid_secret`, `app_not_found`, ...).
    pub code: String,
    /// The message, in English.
    pub message: String,
    /// The field (`clientSecret`, ...), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The outcome of a verification to record on a connection.
#[derive(Clone, Debug)]
pub enum Verified {
    /// A token came: the permissions it grants; the connection is active.
    Granted(Vec<String>),
    /// The identity platform refused the stored credential: why.
    Refused(Problem),
}

/// A verified connection to be stored: what is listed later, and what is not.
#[derive(Clone, Debug)]
pub struct NewConnection {
    /// The stored connection as it is listed (the tenant resolved to its GUID from the
    /// token when a domain was entered; the permissions from its `roles` claim).
    pub record: ConnectionRecord,
    /// The client secret sealed with AES-256-GCM (never the plaintext).
    pub client_secret_sealed: Vec<u8>,
    /// Hash of the session token that created it.
    pub session_hash: String,
}

/// A stored connection without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionRecord {
    /// Random UUID.
    pub connection_id: String,
    /// The account that owns it (SPEC §11.1).
    pub account_id: String,
    /// The tenant GUID (or domain, when the token carried no `tid`).
    pub tenant_id: String,
    /// Application (client) ID.
    pub client_id: String,
    /// Cloud name.
    pub cloud: String,
    /// Scope.
    pub scope: String,
    /// Application permissions granted.
    pub granted_permissions: Vec<String>,
    /// `client_secret` (SPEC §9.1; §10 adds `certificate` and `federated`).
    pub credential_type: String,
    /// Why the connection needs attention; `None` while it is active.
    pub problem: Option<Problem>,
    /// When a token was last acquired with it (or refused), Unix seconds.
    pub verified_at: i64,
    /// When its credential was last set, Unix seconds.
    pub credential_updated_at: i64,
    /// When its credential lapses, as the admin entered it, Unix seconds.
    pub credential_expires_at: Option<i64>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
}

/// Identifies one idempotent submission: a key is scoped to the session that sent it.
#[derive(Clone, Debug)]
pub struct IdempotencyScope {
    /// Hash of the session token.
    pub session_hash: String,
    /// The `Idempotency-Key` header value.
    pub key: String,
}

/// The answer to "may this request run?" for an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request now owns the key and must run, then complete or release it.
    Owned,
    /// Another request with this key is running.
    Pending {
        /// Fingerprint of that request's body.
        fingerprint: String,
    },
    /// A request with this key already succeeded: replay its answer.
    Completed {
        /// Fingerprint of that request's body.
        fingerprint: String,
        /// HTTP status it answered.
        status: u16,
        /// JSON body it answered.
        body: String,
    },
}

/// The answer stored with a completed idempotency key.
#[derive(Clone, Debug)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

/// How long an idempotency row is kept: a retry a day later is a new request (SPEC §13).
/// Rows are pruned when sessions are minted, so the table stays bounded without a job.
pub const IDEMPOTENCY_RETENTION_SECONDS: i64 = 24 * 60 * 60;

/// Whether a database URL names PostgreSQL (a database instances may share).
pub fn is_postgres_url(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The configured database.
pub enum Store {
    /// Embedded SQLite.
    Sqlite(SqliteStore),
    /// PostgreSQL.
    Postgres(PostgresStore),
}

impl Store {
    /// Opens the database named by `database_url`, or the SQLite file in `data_dir`, and
    /// applies pending migrations.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Store, StoreError> {
        match database_url.filter(|url| !url.trim().is_empty()) {
            Some(url) if is_postgres_url(url) => {
                Ok(Store::Postgres(PostgresStore::connect(url).await?))
            }
            Some(url) => match url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
            {
                Some(path) => Ok(Store::Sqlite(SqliteStore::open(Path::new(path)).await?)),
                None => Err(StoreError::new(
                    "the database URL must start with postgres://, postgresql:// or sqlite:",
                )),
            },
            None => Ok(Store::Sqlite(
                SqliteStore::open(&data_dir.join(SQLITE_FILE_NAME)).await?,
            )),
        }
    }

    /// `sqlite` or `postgres`, for the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Stores a new session (and prunes expired sessions and idempotency rows older than
    /// [`IDEMPOTENCY_RETENTION_SECONDS`]).
    pub async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(store) => store.insert_session(session).await,
            Store::Postgres(store) => store.insert_session(session).await,
        }
    }

    /// Finds a session by token hash (expired ones included; the caller checks expiry).
    pub async fn find_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        match self {
            Store::Sqlite(store) => store.find_session(token_hash).await,
            Store::Postgres(store) => store.find_session(token_hash).await,
        }
    }

    /// Claims an idempotency key for a request with `fingerprint` (see [`Claim`]). A pending
    /// claim made before `stale_before` belongs to a request whose server died (`kill -9`
    /// between verification and store): this request takes it over.
    pub async fn claim_idempotency(
        &self,
        scope: &IdempotencyScope,
        fingerprint: &str,
        now: i64,
        stale_before: i64,
    ) -> Result<Claim, StoreError> {
        match self {
            Store::Sqlite(store) => {
                store
                    .claim_idempotency(scope, fingerprint, now, stale_before)
                    .await
            }
            Store::Postgres(store) => {
                store
                    .claim_idempotency(scope, fingerprint, now, stale_before)
                    .await
            }
        }
    }

    /// Gives up a claim after a failure, so a retry with the same key runs again.
    pub async fn release_idempotency(&self, scope: &IdempotencyScope) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(store) => store.release_idempotency(scope).await,
            Store::Postgres(store) => store.release_idempotency(scope).await,
        }
    }

    /// Inserts the connection and, in the same transaction, completes the idempotency
    /// claim with the answer to replay.
    pub async fn insert_connection(
        &self,
        connection: &NewConnection,
        idempotency: Option<(&IdempotencyScope, &StoredResponse)>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(store) => store.insert_connection(connection, idempotency).await,
            Store::Postgres(store) => store.insert_connection(connection, idempotency).await,
        }
    }

    /// The account's most recent connections, newest first, without secrets.
    pub async fn list_connections(
        &self,
        account_id: &str,
        limit: u32,
    ) -> Result<Vec<ConnectionRecord>, StoreError> {
        match self {
            Store::Sqlite(store) => store.list_connections(account_id, limit).await,
            Store::Postgres(store) => store.list_connections(account_id, limit).await,
        }
    }

    /// One of the account's connections; `None` for an unknown id and for another
    /// account's, alike.
    pub async fn find_connection(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        match self {
            Store::Sqlite(store) => store.find_connection(account_id, connection_id).await,
            Store::Postgres(store) => store.find_connection(account_id, connection_id).await,
        }
    }

    /// Up to `limit` sealed secrets of connections whose id sorts after `after`, in id
    /// order: `rotate-key` walks the table with it, a page at a time.
    pub async fn sealed_secrets_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        match self {
            Store::Sqlite(store) => store.sealed_secrets_after(after, limit).await,
            Store::Postgres(store) => store.sealed_secrets_after(after, limit).await,
        }
    }

    /// Replaces a connection's sealed secret with `new` only if it still is `old` (a
    /// compare-and-swap, so a re-seal never overwrites a secret changed meanwhile).
    /// Whether it was replaced.
    pub async fn replace_sealed_secret(
        &self,
        connection_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(store) => store.replace_sealed_secret(connection_id, old, new).await,
            Store::Postgres(store) => store.replace_sealed_secret(connection_id, old, new).await,
        }
    }

    /// Records a verification of one of the account's connections at `verified_at`;
    /// whether the connection exists.
    pub async fn record_verification(
        &self,
        account_id: &str,
        connection_id: &str,
        verified: &Verified,
        verified_at: i64,
    ) -> Result<bool, StoreError> {
        let (granted, problem) = match verified {
            Verified::Granted(roles) => (Some(encode_permissions(roles)), None),
            Verified::Refused(problem) => (None, Some(encode_problem(problem))),
        };
        match self {
            Store::Sqlite(store) => {
                store
                    .record_verification(account_id, connection_id, granted, problem, verified_at)
                    .await
            }
            Store::Postgres(store) => {
                store
                    .record_verification(account_id, connection_id, granted, problem, verified_at)
                    .await
            }
        }
    }

    /// Replaces a connection's credential after it verified: the sealed secret, its expiry,
    /// the permissions, `problem` cleared, `verified_at` and `credential_updated_at` as in
    /// `record`; in the same transaction completes the idempotency claim with the answer to
    /// replay. Whether the connection (of `record.account_id`) exists.
    pub async fn replace_credential(
        &self,
        record: &ConnectionRecord,
        sealed: &[u8],
        idempotency: Option<(&IdempotencyScope, &StoredResponse)>,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(store) => store.replace_credential(record, sealed, idempotency).await,
            Store::Postgres(store) => store.replace_credential(record, sealed, idempotency).await,
        }
    }

    /// Deletes one of the account's connections with its sealed credential (SQLite
    /// overwrites the freed pages and empties its write-ahead log); whether it existed.
    pub async fn delete_connection(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(store) => store.delete_connection(account_id, connection_id).await,
            Store::Postgres(store) => store.delete_connection(account_id, connection_id).await,
        }
    }

    /// Number of stored connections.
    pub async fn count_connections(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(store) => store.count_connections().await,
            Store::Postgres(store) => store.count_connections().await,
        }
    }

    /// The sealed secret of a connection (for a job that calls Microsoft Graph later).
    pub async fn sealed_secret(&self, connection_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Store::Sqlite(store) => store.sealed_secret(connection_id).await,
            Store::Postgres(store) => store.sealed_secret(connection_id).await,
        }
    }
}

/// Encodes permissions for the `granted_permissions` text column.
fn encode_permissions(permissions: &[String]) -> String {
    serde_json::to_string(permissions).unwrap_or_else(|_| "[]".into())
}

/// Encodes a problem for the `problem` text column.
fn encode_problem(problem: &Problem) -> String {
    serde_json::to_string(problem).unwrap_or_else(|_| "{}".into())
}

/// Decodes the `problem` text column (a row whose problem cannot be read still needs
/// attention).
fn decode_problem(text: Option<String>) -> Option<Problem> {
    text.map(|text| {
        serde_json::from_str(&text).unwrap_or(Problem {
            code: "internal_error".into(),
            message: "The connection's last check could not be read.".into(),
            field: None,
        })
    })
}

/// Decodes the `granted_permissions` text column.
fn decode_permissions(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}
