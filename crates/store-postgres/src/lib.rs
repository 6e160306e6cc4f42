//! The PostgreSQL backend, for a municipality that outgrows one machine or a
//! host that serves many municipalities. Same schema, same tests.

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};
use std::time::Duration;
use tsunagaru_store::{Backend, Clock, StoreError, WriteTx};

mod migrations;

/// Every write transaction takes this transaction-scoped advisory lock, so
/// the audit chain is appended strictly in order by every process.
const WRITE_LOCK: i64 = 0x7473_756e_6167; // "tsunag"

/// The repository on PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    clock: Clock,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) and migrates the database.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
        migrations::run(&pool).await?;
        Ok(PgStore {
            pool,
            clock: Clock::system(),
        })
    }

    async fn begin_write(&self) -> Result<WriteTx<Postgres>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(WriteTx::new(tx))
    }

    /// An append of one statement (an audit event): an ordered write.
    async fn begin_append(&self) -> Result<WriteTx<Postgres>, sqlx::Error> {
        self.begin_write().await
    }

    /// A write of rows no other writer orders itself after (a session's
    /// last use): no advisory lock, PostgreSQL's row locks suffice.
    async fn begin_unordered_write(&self) -> Result<WriteTx<Postgres>, sqlx::Error> {
        Ok(WriteTx::new(self.pool.begin().await?))
    }

    /// Stamps rows with `clock` (shared with the application, which reads
    /// "today" from it) instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The pool, for tests and tools that inspect the database directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

tsunagaru_store::impl_sql_repository!(PgStore, Postgres, Backend::Postgres);
