//! The embedded SQLite store: one connection in WAL mode behind a mutex, used from
//! blocking threads so the async runtime never waits on disk.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::migrations::{render, MIGRATIONS};
use super::{
    decode_permissions, decode_problem, encode_permissions, Claim, ConnectionRecord,
    IdempotencyScope, NewConnection, SessionRecord, StoreError, StoredResponse,
    IDEMPOTENCY_RETENTION_SECONDS,
};

fn sql_error(error: rusqlite::Error) -> StoreError {
    StoreError::new(format!("sqlite: {error}"))
}

/// An SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if needed, readable by the owner only) and migrates the file.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        let connection = tokio::task::spawn_blocking(move || -> Result<Connection, StoreError> {
            if let Some(parent) = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(|error| {
                    StoreError::new(format!("cannot create {}: {error}", parent.display()))
                })?;
            }
            let mut connection = Connection::open(&path).map_err(sql_error)?;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            connection
                .execute_batch(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA secure_delete = ON;
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(sql_error)?;
            connection
                .busy_timeout(std::time::Duration::from_secs(5))
                .map_err(sql_error)?;
            migrate(&mut connection)?;
            Ok(connection)
        })
        .await
        .map_err(|error| StoreError::new(format!("sqlite open task: {error}")))??;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut guard = connection
                .lock()
                .map_err(|_| StoreError::new("sqlite: a previous operation panicked"))?;
            work(&mut guard).map_err(sql_error)
        })
        .await
        .map_err(|error| StoreError::new(format!("sqlite task: {error}")))?
    }

    pub(super) async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let session = session.clone();
        self.run(move |connection| {
            connection.execute("DELETE FROM sessions WHERE expires_at < ?1", params![session.created_at])?;
            connection.execute(
                "DELETE FROM idempotency_keys WHERE created_at < ?1",
                params![session.created_at - IDEMPOTENCY_RETENTION_SECONDS],
            )?;
            connection.execute(
                "INSERT INTO sessions (token_hash, account_id, origin, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![session.token_hash, session.account_id, session.origin, session.created_at, session.expires_at],
            )?;
            Ok(())
        })
        .await
    }

    pub(super) async fn find_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let token_hash = token_hash.to_string();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT token_hash, account_id, origin, created_at, expires_at FROM sessions WHERE token_hash = ?1",
                    params![token_hash],
                    |row| {
                        Ok(SessionRecord {
                            token_hash: row.get(0)?,
                            account_id: row.get(1)?,
                            origin: row.get(2)?,
                            created_at: row.get(3)?,
                            expires_at: row.get(4)?,
                        })
                    },
                )
                .optional()
        })
        .await
    }

    pub(super) async fn claim_idempotency(
        &self,
        scope: &IdempotencyScope,
        fingerprint: &str,
        now: i64,
        stale_before: i64,
    ) -> Result<Claim, StoreError> {
        let scope = scope.clone();
        let fingerprint = fingerprint.to_string();
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = transaction.execute(
                "INSERT INTO idempotency_keys (session_hash, idempotency_key, fingerprint, state, created_at)
                 VALUES (?1, ?2, ?3, 'pending', ?4)
                 ON CONFLICT (session_hash, idempotency_key) DO NOTHING",
                params![scope.session_hash, scope.key, fingerprint, now],
            )?;
            let claim = if inserted == 1 {
                Claim::Owned
            } else {
                let taken_over = transaction.execute(
                    "UPDATE idempotency_keys SET created_at = ?4
                     WHERE session_hash = ?1 AND idempotency_key = ?2 AND fingerprint = ?3
                       AND state = 'pending' AND created_at < ?5",
                    params![scope.session_hash, scope.key, fingerprint, now, stale_before],
                )?;
                if taken_over == 1 {
                    Claim::Owned
                } else {
                    existing_claim(&transaction, &scope)?
                }
            };
            transaction.commit()?;
            Ok(claim)
        })
        .await
    }

    pub(super) async fn release_idempotency(
        &self,
        scope: &IdempotencyScope,
    ) -> Result<(), StoreError> {
        let scope = scope.clone();
        self.run(move |connection| {
            connection.execute(
                "DELETE FROM idempotency_keys
                 WHERE session_hash = ?1 AND idempotency_key = ?2 AND state = 'pending'",
                params![scope.session_hash, scope.key],
            )?;
            Ok(())
        })
        .await
    }

    pub(super) async fn insert_connection(
        &self,
        connection_row: &NewConnection,
        idempotency: Option<(&IdempotencyScope, &StoredResponse)>,
    ) -> Result<(), StoreError> {
        let row = connection_row.clone();
        let idempotency = idempotency.map(|(scope, response)| (scope.clone(), response.clone()));
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute(
                "INSERT INTO connections (connection_id, tenant_id, client_id, cloud, scope,
                     granted_permissions, client_secret_sealed, session_hash, created_at, account_id,
                     credential_type, verified_at, credential_updated_at, credential_expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    row.record.connection_id,
                    row.record.tenant_id,
                    row.record.client_id,
                    row.record.cloud,
                    row.record.scope,
                    encode_permissions(&row.record.granted_permissions),
                    row.client_secret_sealed,
                    row.session_hash,
                    row.record.created_at,
                    row.record.account_id,
                    row.record.credential_type,
                    row.record.verified_at,
                    row.record.credential_updated_at,
                    row.record.credential_expires_at
                ],
            )?;
            if let Some((scope, response)) = idempotency {
                complete_claim(&transaction, &scope, &response, &row.record.connection_id)?;
            }
            transaction.commit()
        })
        .await
    }

    pub(super) async fn list_connections(
        &self,
        account_id: &str,
        limit: u32,
    ) -> Result<Vec<ConnectionRecord>, StoreError> {
        let account_id = account_id.to_string();
        self.run(move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {CONNECTION_COLUMNS} FROM connections WHERE account_id = ?1
                 ORDER BY created_at DESC, connection_id LIMIT ?2"
            ))?;
            let rows = statement.query_map(params![account_id, limit], connection_record)?;
            rows.collect()
        })
        .await
    }

    pub(super) async fn find_connection(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let (account_id, connection_id) = (account_id.to_string(), connection_id.to_string());
        self.run(move |connection| {
            connection
                .query_row(
                    &format!(
                        "SELECT {CONNECTION_COLUMNS} FROM connections
                         WHERE account_id = ?1 AND connection_id = ?2"
                    ),
                    params![account_id, connection_id],
                    connection_record,
                )
                .optional()
        })
        .await
    }

    pub(super) async fn sealed_secrets_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let after = after.to_string();
        self.run(move |connection| {
            let mut statement = connection.prepare(
                "SELECT connection_id, client_secret_sealed FROM connections
                 WHERE connection_id > ?1 ORDER BY connection_id LIMIT ?2",
            )?;
            let rows =
                statement.query_map(params![after, limit], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        })
        .await
    }

    pub(super) async fn replace_sealed_secret(
        &self,
        connection_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let (connection_id, old, new) = (connection_id.to_string(), old.to_vec(), new.to_vec());
        self.run(move |connection| {
            let changed = connection.execute(
                "UPDATE connections SET client_secret_sealed = ?3
                 WHERE connection_id = ?1 AND client_secret_sealed = ?2",
                params![connection_id, old, new],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub(super) async fn record_verification(
        &self,
        account_id: &str,
        connection_id: &str,
        granted: Option<String>,
        problem: Option<String>,
        verified_at: i64,
    ) -> Result<bool, StoreError> {
        let (account_id, connection_id) = (account_id.to_string(), connection_id.to_string());
        self.run(move |connection| {
            let changed = connection.execute(
                "UPDATE connections
                 SET granted_permissions = COALESCE(?3, granted_permissions), problem = ?4, verified_at = ?5
                 WHERE account_id = ?1 AND connection_id = ?2",
                params![account_id, connection_id, granted, problem, verified_at],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub(super) async fn replace_credential(
        &self,
        record: &ConnectionRecord,
        sealed: &[u8],
        idempotency: Option<(&IdempotencyScope, &StoredResponse)>,
    ) -> Result<bool, StoreError> {
        let (record, sealed) = (record.clone(), sealed.to_vec());
        let idempotency = idempotency.map(|(scope, response)| (scope.clone(), response.clone()));
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = transaction.execute(
                "UPDATE connections
                 SET client_secret_sealed = ?3, credential_expires_at = ?4, granted_permissions = ?5,
                     problem = NULL, verified_at = ?6, credential_updated_at = ?7
                 WHERE account_id = ?1 AND connection_id = ?2",
                params![
                    record.account_id,
                    record.connection_id,
                    sealed,
                    record.credential_expires_at,
                    encode_permissions(&record.granted_permissions),
                    record.verified_at,
                    record.credential_updated_at
                ],
            )?;
            if changed == 1 {
                if let Some((scope, response)) = idempotency {
                    complete_claim(&transaction, &scope, &response, &record.connection_id)?;
                }
            }
            transaction.commit()?;
            Ok(changed == 1)
        })
        .await
    }

    pub(super) async fn delete_connection(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<bool, StoreError> {
        let (account_id, connection_id) = (account_id.to_string(), connection_id.to_string());
        self.run(move |connection| {
            let deleted = connection.execute(
                "DELETE FROM connections WHERE account_id = ?1 AND connection_id = ?2",
                params![account_id, connection_id],
            )?;
            if deleted == 1 {
                // secure_delete zeroed the freed space; the write-ahead log still holds the
                // page as it was until a checkpoint, so empty it now.
                connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            }
            Ok(deleted == 1)
        })
        .await
    }

    pub(super) async fn count_connections(&self) -> Result<i64, StoreError> {
        self.run(|connection| {
            connection.query_row("SELECT COUNT(*) FROM connections", [], |row| row.get(0))
        })
        .await
    }

    pub(super) async fn sealed_secret(
        &self,
        connection_id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let connection_id = connection_id.to_string();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT client_secret_sealed FROM connections WHERE connection_id = ?1",
                    params![connection_id],
                    |row| row.get(0),
                )
                .optional()
        })
        .await
    }
}

/// The columns [`connection_record`] reads, in its order.
const CONNECTION_COLUMNS: &str = "connection_id, account_id, tenant_id, client_id, cloud, scope, \
     granted_permissions, created_at, credential_type, problem, verified_at, \
     credential_updated_at, credential_expires_at";

fn connection_record(row: &rusqlite::Row<'_>) -> Result<ConnectionRecord, rusqlite::Error> {
    Ok(ConnectionRecord {
        connection_id: row.get(0)?,
        account_id: row.get(1)?,
        tenant_id: row.get(2)?,
        client_id: row.get(3)?,
        cloud: row.get(4)?,
        scope: row.get(5)?,
        granted_permissions: decode_permissions(&row.get::<_, String>(6)?),
        created_at: row.get(7)?,
        credential_type: row.get(8)?,
        problem: decode_problem(row.get(9)?),
        verified_at: row.get(10)?,
        credential_updated_at: row.get(11)?,
        credential_expires_at: row.get(12)?,
    })
}

/// Completes an idempotency claim with the answer to replay.
fn complete_claim(
    connection: &Connection,
    scope: &IdempotencyScope,
    response: &StoredResponse,
    connection_id: &str,
) -> Result<(), rusqlite::Error> {
    connection.execute(
        "UPDATE idempotency_keys
         SET state = 'completed', response_status = ?3, response_body = ?4, connection_id = ?5
         WHERE session_hash = ?1 AND idempotency_key = ?2",
        params![
            scope.session_hash,
            scope.key,
            response.status,
            response.body,
            connection_id
        ],
    )?;
    Ok(())
}

fn existing_claim(
    connection: &Connection,
    scope: &IdempotencyScope,
) -> Result<Claim, rusqlite::Error> {
    let row: Option<(String, String, Option<u16>, Option<String>)> = connection
        .query_row(
            "SELECT fingerprint, state, response_status, response_body FROM idempotency_keys
             WHERE session_hash = ?1 AND idempotency_key = ?2",
            params![scope.session_hash, scope.key],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    Ok(match row {
        Some((fingerprint, state, Some(status), Some(body))) if state == "completed" => {
            Claim::Completed {
                fingerprint,
                status,
                body,
            }
        }
        Some((fingerprint, _, _, _)) => Claim::Pending { fingerprint },
        // Cannot happen inside the transaction that just failed to insert it.
        None => Claim::Pending {
            fingerprint: String::new(),
        },
    })
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(sql_error)?;
    transaction
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            [],
        )
        .map_err(sql_error)?;
    for (version, statements) in MIGRATIONS {
        let applied: bool = transaction
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
                params![version],
                |row| row.get(0),
            )
            .map_err(sql_error)?;
        if applied {
            continue;
        }
        for statement in *statements {
            transaction
                .execute(&render(statement, "BLOB"), [])
                .map_err(sql_error)?;
        }
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, crate::time::now_unix()],
            )
            .map_err(sql_error)?;
        tracing::info!(version, "applied SQLite migration");
    }
    transaction.commit().map_err(sql_error)
}
