//! The SQLite backend of the Moked [`Store`](moked_store::Store): the default, one file under
//! the server's data folder, nothing to install.
//!
//! Durability: the database runs in WAL mode with `synchronous=FULL`. WAL
//! lets readers work while the writer commits; `FULL` makes every commit
//! wait for the WAL to reach the disk (fsync). With `NORMAL`, WAL is still
//! never corrupted and survives a killed process, but the last commits can
//! be lost if the machine loses power; "acknowledged means kept" is the
//! contract, so we pay one fsync per commit.
//!
//! Writes go through a single connection, so writers queue in the process
//! instead of polling SQLite's lock; reads use a small pool of their own.
//! The queries are shared with the PostgreSQL backend
//! ([`moked_store::impl_store_with_sqlx!`]) and bound at run time, so
//! building needs no database; the schema comes from `migrations/`,
//! applied on open.

use moked_store::StoreResult;
use moked_store::sqlx_errors::backend;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Name of the database file inside the data folder.
pub const DATABASE_FILE_NAME: &str = "moked.sqlite3";
/// Reading connections: enough for concurrent page loads on a small server.
pub const READ_CONNECTIONS: u32 = 4;
/// How long a statement waits for a lock held by another process (a backup
/// tool, the `sqlite3` shell) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Store`](moked_store::Store) in an SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in the data folder `dir`,
    /// creating the folder too.
    pub async fn open_in_dir(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        SqliteStore::open(&dir.join(DATABASE_FILE_NAME)).await
    }

    /// Opens (creating if needed) the database file at `path` and brings
    /// the schema up to date.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        migrate(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(SqliteStore { writer, reader })
    }

    /// A fresh, empty database in memory, gone when the store is dropped:
    /// for tests. It has a single connection (each in-memory connection
    /// would otherwise see its own database).
    pub async fn open_in_memory() -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(backend)?
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(backend)?;
        migrate(&pool).await?;
        Ok(SqliteStore {
            writer: pool.clone(),
            reader: pool,
        })
    }

    /// Closes every connection, checkpointing the WAL into the database file.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// The journal mode and synchronous level the writer connection runs
    /// with (`("wal", 2)` for a file: 2 is `FULL`), for the server's startup
    /// log and for tests.
    pub async fn durability(&self) -> StoreResult<(String, i64)> {
        let mut connection = self.writer.acquire().await.map_err(backend)?;
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *connection)
            .await
            .map_err(backend)?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *connection)
            .await
            .map_err(backend)?;
        Ok((journal_mode, synchronous))
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

async fn migrate(pool: &SqlitePool) -> StoreResult<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .map_err(backend)
}

moked_store::impl_store_with_sqlx! {
    store: SqliteStore,
    database: sqlx::Sqlite,
    json_cast: "",
    json_as_text: "",
    snapshot_setup: "",
}
