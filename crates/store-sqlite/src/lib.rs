//! The SQLite backend: one file, WAL, `synchronous=FULL`, foreign keys on,
//! migrations applied at start.
//!
//! `synchronous=FULL` in WAL mode syncs the log on every commit, so a write
//! the server acknowledged survives a crash or power cut.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::path::Path;
use std::time::Duration;
use tsunagaru_store::{Backend, Clock, StoreError, WriteQueue, WriteTx};

mod migrations;

/// The repository on SQLite.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    clock: Clock,
    /// One writer at a time, in the order they asked (shared by clones).
    writers: WriteQueue,
}

impl SqliteStore {
    /// The database file inside a data directory.
    pub const FILE_NAME: &'static str = "tsunagaru.sqlite3";

    /// Opens (creating if needed) the database in `dir` and migrates it.
    pub async fn open_dir(dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Database(format!(
                "データディレクトリ {} を作成できません: {e}",
                dir.display()
            ))
        })?;
        SqliteStore::open(&dir.join(Self::FILE_NAME)).await
    }

    /// Opens (creating if needed) the database file and migrates it.
    pub async fn open(file: &Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // An embedded database has no connection to lose: no ping
            // before each use (a round trip to the connection's thread).
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Database(format!("{}: {e}", file.display())))?;
        migrations::run(&pool).await?;
        Ok(SqliteStore {
            pool,
            clock: Clock::system(),
            writers: WriteQueue::default(),
        })
    }

    /// A write transaction: this writer's turn in the queue first, then
    /// SQLite's write lock from the first statement (so that reading the
    /// audit head and appending after it cannot interleave with another
    /// writer, including another process on the same file).
    async fn begin_write(&self) -> Result<WriteTx<Sqlite>, sqlx::Error> {
        let turn = self.writers.turn().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx::new(tx, Some(turn)))
    }

    /// SQLite has one writer whatever is written: the same queue.
    async fn begin_unordered_write(&self) -> Result<WriteTx<Sqlite>, sqlx::Error> {
        self.begin_write().await
    }

    /// Stamps rows with `clock` (shared with the application, which reads
    /// "today" from it) instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Writes a consistent copy of the database to `output` while others
    /// keep writing (`VACUUM INTO` reads one snapshot), then makes it
    /// durable. `output` must not exist.
    pub async fn backup_into(&self, output: &Path) -> Result<(), StoreError> {
        let path = output.to_str().ok_or_else(|| {
            StoreError::Database(format!(
                "{} は UTF-8 のパスではありません",
                output.display()
            ))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_owned())
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("{}: {e}", output.display())))?;
        std::fs::File::open(output)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::Database(format!("{}: {e}", output.display())))
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): `Ok` when
    /// it answers "ok", else what it found.
    pub async fn integrity_check(&self) -> Result<Result<(), String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let found: Vec<String> = rows.into_iter().map(|(r,)| r).collect();
        if found == ["ok"] {
            Ok(Ok(()))
        } else {
            Ok(Err(found.join("; ")))
        }
    }

    /// Closes the pool (every connection, the WAL checkpointed).
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The pool, for tests and tools that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

tsunagaru_store::impl_sql_repository!(SqliteStore, Sqlite, Backend::Sqlite);
