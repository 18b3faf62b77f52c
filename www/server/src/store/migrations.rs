//! The schema, as numbered migrations applied in order and recorded in
//! `schema_migrations`. The same statements serve SQLite and PostgreSQL; only the binary
//! column type differs (`{blob}`).

/// `(version, statements)`, oldest first. Never edit a released migration: add one.
pub const MIGRATIONS: &[(i64, &[&str])] = &[
    (
        1,
        &[
            "CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        )",
            "CREATE INDEX sessions_expires_at ON sessions (expires_at)",
            "CREATE TABLE connections (
            connection_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            client_id TEXT NOT NULL,
            cloud TEXT NOT NULL,
            scope TEXT NOT NULL,
            granted_permissions TEXT NOT NULL,
            client_secret_sealed {blob} NOT NULL,
            session_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )",
            "CREATE INDEX connections_created_at ON connections (created_at)",
            // The primary key is what makes a key single-use under concurrency: of two
            // identical requests arriving at once, exactly one INSERT succeeds.
            "CREATE TABLE idempotency_keys (
            session_hash TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            state TEXT NOT NULL,
            response_status INTEGER,
            response_body TEXT,
            connection_id TEXT,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (session_hash, idempotency_key)
        )",
        ],
    ),
    // Accounts (SPEC §11.1): rows stored before accounts existed were all made by the demo
    // page's sessions, so they become the account `demo`.
    (
        2,
        &[
            "ALTER TABLE sessions ADD COLUMN account_id TEXT NOT NULL DEFAULT 'demo'",
            "ALTER TABLE connections ADD COLUMN account_id TEXT NOT NULL DEFAULT 'demo'",
            "CREATE INDEX connections_account_created_at ON connections (account_id, created_at)",
        ],
    ),
    // A connection's life (SPEC §9.1): its credential's kind and dates, when it was last
    // verified, and why it needs attention (a JSON problem; none means active). Rows from
    // before were verified when they were created.
    (
        3,
        &[
            "ALTER TABLE connections ADD COLUMN credential_type TEXT NOT NULL DEFAULT 'client_secret'",
            "ALTER TABLE connections ADD COLUMN problem TEXT",
            "ALTER TABLE connections ADD COLUMN verified_at BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE connections ADD COLUMN credential_updated_at BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE connections ADD COLUMN credential_expires_at BIGINT",
            "UPDATE connections SET verified_at = created_at, credential_updated_at = created_at",
        ],
    ),
];

/// The statement text for one database (`blob` is `BLOB` or `BYTEA`).
pub fn render(statement: &str, blob: &str) -> String {
    statement.replace("{blob}", blob)
}
