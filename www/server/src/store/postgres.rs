//! The PostgreSQL store: a small fixed pool of `tokio-postgres` clients, each reconnected
//! when its connection drops. Connections are made without TLS: run the database on the
//! same host or a private network (a TLS connector is a drop-in change here).

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::{Client, NoTls};

use super::migrations::{render, MIGRATIONS};
use super::{
    decode_permissions, decode_problem, encode_permissions, Claim, ConnectionRecord,
    IdempotencyScope, NewConnection, SessionRecord, StoreError, StoredResponse,
    IDEMPOTENCY_RETENTION_SECONDS,
};

const POOL_SIZE: usize = 4;

fn pg_error(error: tokio_postgres::Error) -> StoreError {
    // A lost or refused connection, or the server shutting down (SQLSTATE classes 08 and
    // 57P), is the database being unavailable; anything else is the statement's failure.
    let lost = error.is_closed()
        || std::error::Error::source(&error).is_some_and(|source| source.is::<std::io::Error>())
        || error.code().is_some_and(|state| {
            let code = state.code();
            code.starts_with("08") || code.starts_with("57P")
        });
    let message = format!("postgres: {error}");
    if lost {
        StoreError::unavailable(message)
    } else {
        StoreError::new(message)
    }
}

/// A PostgreSQL database.
pub struct PostgresStore {
    url: String,
    clients: Vec<Mutex<Option<Client>>>,
    next: AtomicUsize,
}

impl PostgresStore {
    /// Connects and applies pending migrations (serialised across servers by an advisory lock).
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let store = PostgresStore {
            url: url.to_string(),
            clients: (0..POOL_SIZE).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        };
        let mut slot = store.client().await?;
        let client = slot.as_mut().expect("client() fills the slot");
        migrate(client).await?;
        drop(slot);
        Ok(store)
    }

    async fn open_client(&self) -> Result<Client, StoreError> {
        let (client, connection) = tokio_postgres::connect(&self.url, NoTls)
            .await
            .map_err(pg_error)?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "PostgreSQL connection closed");
            }
        });
        Ok(client)
    }

    /// A pooled client, reconnected if its connection was lost.
    async fn client(&self) -> Result<MutexGuard<'_, Option<Client>>, StoreError> {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len();
        let mut slot = self.clients[index].lock().await;
        if slot.as_ref().is_none_or(Client::is_closed) {
            *slot = Some(self.open_client().await?);
        }
        Ok(slot)
    }

    pub(super) async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let mut slot = self.client().await?;
        let client = slot.as_mut().expect("client() fills the slot");
        client
            .execute(
                "DELETE FROM sessions WHERE expires_at < $1",
                &[&session.created_at],
            )
            .await
            .map_err(pg_error)?;
        client
            .execute(
                "DELETE FROM idempotency_keys WHERE created_at < $1",
                &[&(session.created_at - IDEMPOTENCY_RETENTION_SECONDS)],
            )
            .await
            .map_err(pg_error)?;
        client
            .execute(
                "INSERT INTO sessions (token_hash, account_id, origin, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&session.token_hash, &session.account_id, &session.origin, &session.created_at, &session.expires_at],
            )
            .await
            .map_err(pg_error)?;
        Ok(())
    }

    pub(super) async fn find_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let row = client
            .query_opt(
                "SELECT token_hash, account_id, origin, created_at, expires_at FROM sessions WHERE token_hash = $1",
                &[&token_hash],
            )
            .await
            .map_err(pg_error)?;
        Ok(row.map(|row| SessionRecord {
            token_hash: row.get(0),
            account_id: row.get(1),
            origin: row.get(2),
            created_at: row.get(3),
            expires_at: row.get(4),
        }))
    }

    pub(super) async fn claim_idempotency(
        &self,
        scope: &IdempotencyScope,
        fingerprint: &str,
        now: i64,
        stale_before: i64,
    ) -> Result<Claim, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let inserted = client
            .execute(
                "INSERT INTO idempotency_keys (session_hash, idempotency_key, fingerprint, state, created_at)
                 VALUES ($1, $2, $3, 'pending', $4)
                 ON CONFLICT (session_hash, idempotency_key) DO NOTHING",
                &[&scope.session_hash, &scope.key, &fingerprint, &now],
            )
            .await
            .map_err(pg_error)?;
        if inserted == 1 {
            return Ok(Claim::Owned);
        }
        let taken_over = client
            .execute(
                "UPDATE idempotency_keys SET created_at = $4
                 WHERE session_hash = $1 AND idempotency_key = $2 AND fingerprint = $3
                   AND state = 'pending' AND created_at < $5",
                &[
                    &scope.session_hash,
                    &scope.key,
                    &fingerprint,
                    &now,
                    &stale_before,
                ],
            )
            .await
            .map_err(pg_error)?;
        if taken_over == 1 {
            return Ok(Claim::Owned);
        }
        let row = client
            .query_opt(
                "SELECT fingerprint, state, response_status, response_body FROM idempotency_keys
                 WHERE session_hash = $1 AND idempotency_key = $2",
                &[&scope.session_hash, &scope.key],
            )
            .await
            .map_err(pg_error)?;
        Ok(match row {
            Some(row) => {
                let fingerprint: String = row.get(0);
                let state: String = row.get(1);
                let status: Option<i32> = row.get(2);
                let body: Option<String> = row.get(3);
                match (state.as_str(), status, body) {
                    ("completed", Some(status), Some(body)) => Claim::Completed {
                        fingerprint,
                        status: u16::try_from(status).unwrap_or(500),
                        body,
                    },
                    _ => Claim::Pending { fingerprint },
                }
            }
            // Released between our INSERT and SELECT: the caller asks again.
            None => Claim::Pending {
                fingerprint: fingerprint.to_string(),
            },
        })
    }

    pub(super) async fn release_idempotency(
        &self,
        scope: &IdempotencyScope,
    ) -> Result<(), StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        client
            .execute(
                "DELETE FROM idempotency_keys
                 WHERE session_hash = $1 AND idempotency_key = $2 AND state = 'pending'",
                &[&scope.session_hash, &scope.key],
            )
            .await
            .map_err(pg_error)?;
        Ok(())
    }

    pub(super) async fn insert_connection(
        &self,
        row: &NewConnection,
        idempotency: Option<(&IdempotencyScope, &StoredResponse)>,
    ) -> Result<(), StoreError> {
        let mut slot = self.client().await?;
        let client = slot.as_mut().expect("client() fills the slot");
        let transaction = client.transaction().await.map_err(pg_error)?;
        transaction
            .execute(
                "INSERT INTO connections (connection_id, tenant_id, client_id, cloud, scope,
                     granted_permissions, client_secret_sealed, session_hash, created_at, account_id,
                     credential_type, verified_at, credential_updated_at, credential_expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                &[
                    &row.record.connection_id,
                    &row.record.tenant_id,
                    &row.record.client_id,
                    &row.record.cloud,
                    &row.record.scope,
                    &encode_permissions(&row.record.granted_permissions),
                    &row.client_secret_sealed,
                    &row.session_hash,
                    &row.record.created_at,
                    &row.record.account_id,
                    &row.record.credential_type,
                    &row.record.verified_at,
                    &row.record.credential_updated_at,
                    &row.record.credential_expires_at,
                ],
            )
            .await
            .map_err(pg_error)?;
        if let Some((scope, response)) = idempotency {
            complete_claim(&transaction, scope, response, &row.record.connection_id).await?;
        }
        transaction.commit().await.map_err(pg_error)
    }

    pub(super) async fn list_connections(
        &self,
        account_id: &str,
        limit: u32,
    ) -> Result<Vec<ConnectionRecord>, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let rows = client
            .query(
                &format!(
                    "SELECT {CONNECTION_COLUMNS} FROM connections WHERE account_id = $1
                     ORDER BY created_at DESC, connection_id LIMIT $2"
                ),
                &[&account_id, &i64::from(limit)],
            )
            .await
            .map_err(pg_error)?;
        Ok(rows.iter().map(connection_record).collect())
    }

    pub(super) async fn find_connection(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let row = client
            .query_opt(
                &format!(
                    "SELECT {CONNECTION_COLUMNS} FROM connections
                     WHERE account_id = $1 AND connection_id = $2"
                ),
                &[&account_id, &connection_id],
            )
            .await
            .map_err(pg_error)?;
        Ok(row.as_ref().map(connection_record))
    }

    pub(super) async fn sealed_secrets_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let rows = client
            .query(
                "SELECT connection_id, client_secret_sealed FROM connections
                 WHERE connection_id > $1 ORDER BY connection_id LIMIT $2",
                &[&after, &i64::from(limit)],
            )
            .await
            .map_err(pg_error)?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    pub(super) async fn replace_sealed_secret(
        &self,
        connection_id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let changed = client
            .execute(
                "UPDATE connections SET client_secret_sealed = $3
                 WHERE connection_id = $1 AND client_secret_sealed = $2",
                &[&connection_id, &old, &new],
            )
            .await
            .map_err(pg_error)?;
        Ok(changed == 1)
    }

    pub(super) async fn record_verification(
        &self,
        account_id: &str,
        connection_id: &str,
        granted: Option<String>,
        problem: Option<String>,
        verified_at: i64,
    ) -> Result<bool, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let changed = client
            .execute(
                "UPDATE connections
                 SET granted_permissions = COALESCE($3, granted_permissions), problem = $4, verified_at = $5
                 WHERE account_id = $1 AND connection_id = $2",
                &[&account_id, &connection_id, &granted, &problem, &verified_at],
            )
            .await
            .map_err(pg_error)?;
        Ok(changed == 1)
    }

    pub(super) async fn replace_credential(
        &self,
        record: &ConnectionRecord,
        sealed: &[u8],
        idempotency: Option<(&IdempotencyScope, &StoredResponse)>,
    ) -> Result<bool, StoreError> {
        let mut slot = self.client().await?;
        let client = slot.as_mut().expect("client() fills the slot");
        let transaction = client.transaction().await.map_err(pg_error)?;
        let changed = transaction
            .execute(
                "UPDATE connections
                 SET client_secret_sealed = $3, credential_expires_at = $4, granted_permissions = $5,
                     problem = NULL, verified_at = $6, credential_updated_at = $7
                 WHERE account_id = $1 AND connection_id = $2",
                &[
                    &record.account_id,
                    &record.connection_id,
                    &sealed,
                    &record.credential_expires_at,
                    &encode_permissions(&record.granted_permissions),
                    &record.verified_at,
                    &record.credential_updated_at,
                ],
            )
            .await
            .map_err(pg_error)?;
        if changed == 1 {
            if let Some((scope, response)) = idempotency {
                complete_claim(&transaction, scope, response, &record.connection_id).await?;
            }
        }
        transaction.commit().await.map_err(pg_error)?;
        Ok(changed == 1)
    }

    pub(super) async fn delete_connection(
        &self,
        account_id: &str,
        connection_id: &str,
    ) -> Result<bool, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let deleted = client
            .execute(
                "DELETE FROM connections WHERE account_id = $1 AND connection_id = $2",
                &[&account_id, &connection_id],
            )
            .await
            .map_err(pg_error)?;
        Ok(deleted == 1)
    }

    pub(super) async fn count_connections(&self) -> Result<i64, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let row = client
            .query_one("SELECT COUNT(*) FROM connections", &[])
            .await
            .map_err(pg_error)?;
        Ok(row.get(0))
    }

    pub(super) async fn sealed_secret(
        &self,
        connection_id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let slot = self.client().await?;
        let client = slot.as_ref().expect("client() fills the slot");
        let row = client
            .query_opt(
                "SELECT client_secret_sealed FROM connections WHERE connection_id = $1",
                &[&connection_id],
            )
            .await
            .map_err(pg_error)?;
        Ok(row.map(|row| row.get(0)))
    }
}

/// The columns [`connection_record`] reads, in its order.
const CONNECTION_COLUMNS: &str = "connection_id, account_id, tenant_id, client_id, cloud, scope, \
     granted_permissions, created_at, credential_type, problem, verified_at, \
     credential_updated_at, credential_expires_at";

fn connection_record(row: &tokio_postgres::Row) -> ConnectionRecord {
    ConnectionRecord {
        connection_id: row.get(0),
        account_id: row.get(1),
        tenant_id: row.get(2),
        client_id: row.get(3),
        cloud: row.get(4),
        scope: row.get(5),
        granted_permissions: decode_permissions(row.get(6)),
        created_at: row.get(7),
        credential_type: row.get(8),
        problem: decode_problem(row.get(9)),
        verified_at: row.get(10),
        credential_updated_at: row.get(11),
        credential_expires_at: row.get(12),
    }
}

/// Completes an idempotency claim with the answer to replay.
async fn complete_claim(
    transaction: &tokio_postgres::Transaction<'_>,
    scope: &IdempotencyScope,
    response: &StoredResponse,
    connection_id: &str,
) -> Result<(), StoreError> {
    transaction
        .execute(
            "UPDATE idempotency_keys
             SET state = 'completed', response_status = $3, response_body = $4, connection_id = $5
             WHERE session_hash = $1 AND idempotency_key = $2",
            &[
                &scope.session_hash,
                &scope.key,
                &i32::from(response.status),
                &response.body,
                &connection_id,
            ],
        )
        .await
        .map_err(pg_error)?;
    Ok(())
}

async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let transaction = client.transaction().await.map_err(pg_error)?;
    // Two servers starting at once take turns; the lock ends with the transaction.
    transaction
        .execute("SELECT pg_advisory_xact_lock(7316411024)", &[])
        .await
        .map_err(pg_error)?;
    transaction
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            &[],
        )
        .await
        .map_err(pg_error)?;
    for (version, statements) in MIGRATIONS {
        let applied = transaction
            .query_opt(
                "SELECT 1 FROM schema_migrations WHERE version = $1",
                &[version],
            )
            .await
            .map_err(pg_error)?
            .is_some();
        if applied {
            continue;
        }
        for statement in *statements {
            transaction
                .batch_execute(&render(statement, "BYTEA"))
                .await
                .map_err(pg_error)?;
        }
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &crate::time::now_unix()],
            )
            .await
            .map_err(pg_error)?;
        tracing::info!(version, "applied PostgreSQL migration");
    }
    transaction.commit().await.map_err(pg_error)
}
