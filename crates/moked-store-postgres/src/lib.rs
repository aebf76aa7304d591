//! The PostgreSQL backend of the Moked [`Store`](moked_store::Store), for
//! production installations (`moked serve --database-url postgres://...`).
//!
//! Durability is PostgreSQL's default: a transaction is acknowledged after
//! its commit record is flushed to the write-ahead log (`synchronous_commit
//! = on`), so an acknowledged write survives a crash of the server or of
//! the database.
//!
//! The queries are shared with the SQLite backend
//! ([`moked_store::impl_store_with_sqlx!`]) and bound at run time, so
//! building needs no database; the schema comes from `migrations/`,
//! applied on connect.

use moked_store::StoreResult;
use moked_store::sqlx_errors::backend;
use sqlx::postgres::{PgPool, PgPoolOptions};

/// Connections kept by default: enough for the server's request handlers
/// without exhausting a shared database's connection limit.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

/// A [`Store`](moked_store::Store) in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:pass@host:port/db`) and brings
    /// the schema up to date.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(DEFAULT_MAX_CONNECTIONS)
            .connect(url)
            .await
            .map_err(backend)?;
        PostgresStore::with_pool(pool).await
    }

    /// Uses an existing pool and brings the schema up to date.
    pub async fn with_pool(pool: PgPool) -> StoreResult<PostgresStore> {
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for health checks.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// PostgreSQL's MVCC lets reads and writes share one pool.
    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }
}

moked_store::impl_store_with_sqlx! {
    store: PostgresStore,
    database: sqlx::Postgres,
    json_cast: "::jsonb",
    json_as_text: "::text",
    snapshot_setup: "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
}
