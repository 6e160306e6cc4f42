//! The SQLite backend: one file, WAL, `synchronous=FULL`, foreign keys on,
//! migrations applied at start.
//!
//! `synchronous=FULL` in WAL mode syncs the log on every commit, so a write
//! the server acknowledged survives a crash or power cut.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite, SqlitePool};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tsunagaru_store::{Backend, Clock, GroupCommit, StoreError, WriteTx};

mod migrations;

/// The repository on SQLite.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    clock: Clock,
    /// One writer at a time, in the order they asked, the writers queued
    /// behind each other committing together (shared by clones).
    writers: GroupCommit<Sqlite>,
    /// Writes the log back into the database file off the write path
    /// (stopped by `close`, or when the last clone goes).
    checkpoints: Arc<Checkpointer>,
}

/// The log pages beyond which a committing connection writes the log back
/// itself: a backstop only, as [`Checkpointer`] does it every
/// [`CHECKPOINT_EVERY`]. (SQLite's default is 1,000 pages, which at a
/// million persons puts a checkpoint of scattered index pages, tens of
/// milliseconds, in a writer's commit every few dozen writes.)
const CHECKPOINT_BACKSTOP_PAGES: &str = "16000";
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// A task on a connection of its own that writes the log back into the
/// database file (`wal_checkpoint(PASSIVE)`: writers and readers go on
/// meanwhile), so that no writer's commit waits for it.
struct Checkpointer {
    stop: tokio::sync::watch::Sender<bool>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Checkpointer {
    fn start(mut conn: SqliteConnection) -> Checkpointer {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        // A failed checkpoint is taken again at the next
                        // tick, or by the backstop.
                        let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                            .execute(&mut conn)
                            .await;
                    }
                    _ = stopped.changed() => break,
                }
            }
            let _ = conn.close().await;
        });
        Checkpointer {
            stop,
            task: std::sync::Mutex::new(Some(task)),
        }
    }

    /// Stops the task and closes its connection.
    async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().ok().and_then(|mut task| task.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // The task closes its connection and ends.
        let _ = self.stop.send(true);
    }
}

/// The writers' connection's page cache: 16 MiB (SQLite's default is 2).
const WRITER_CACHE: &str = "PRAGMA cache_size = -16384";

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
    ///
    /// Every write goes through one connection (the writers' group), whose
    /// page cache no other connection's write empties: it gets a larger
    /// cache ([`WRITER_CACHE`]) to keep the upper pages of the indexes a
    /// write touches; the readers keep SQLite's default.
    pub async fn open(file: &Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("wal_autocheckpoint", CHECKPOINT_BACKSTOP_PAGES);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // An embedded database has no connection to lose: no ping
            // before each use (a round trip to the connection's thread).
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Database(format!("{}: {e}", file.display())))?;
        migrations::run(&pool).await?;
        let checkpoints = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| StoreError::Database(format!("{}: {e}", file.display())))?;
        Ok(SqliteStore {
            checkpoints: Arc::new(Checkpointer::start(checkpoints)),
            writers: GroupCommit::new(pool.clone()).with_setup(WRITER_CACHE),
            pool,
            clock: Clock::system(),
        })
    }

    /// A write: this writer's turn in the queue first, then a savepoint in
    /// the group's transaction, which holds SQLite's write lock from its
    /// first statement (so that reading the audit head and appending after
    /// it cannot interleave with another writer, including another process
    /// on the same file).
    async fn begin_write(&self) -> Result<WriteTx<Sqlite>, sqlx::Error> {
        self.writers.begin("BEGIN IMMEDIATE").await
    }

    /// An append of one statement (an audit event): the same turn, without
    /// a savepoint (`GroupCommit::begin_append`).
    async fn begin_append(&self) -> Result<WriteTx<Sqlite>, sqlx::Error> {
        self.writers.begin_append("BEGIN IMMEDIATE").await
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
        self.checkpoints.stop().await;
        self.writers.close().await;
        self.pool.close().await;
    }

    /// The pool, for tests and tools that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

tsunagaru_store::impl_sql_repository!(SqliteStore, Sqlite, Backend::Sqlite);

#[cfg(test)]
mod tests {
    use super::SqliteStore;
    use crate::migrations::tests::ScratchDir;
    use std::time::Duration;

    /// A store in a directory of its own (removed when the directory is
    /// dropped), with a table `t` to write to.
    async fn scratch(name: &str) -> (ScratchDir, SqliteStore) {
        let dir = ScratchDir::new(name);
        let store = SqliteStore::open_dir(&dir).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (n INTEGER NOT NULL)")
            .execute(store.pool())
            .await
            .unwrap();
        (dir, store)
    }

    /// Writes `n` in the writer's transaction.
    async fn insert(tx: &mut tsunagaru_store::WriteTx<sqlx::Sqlite>, n: i64) {
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(&mut **tx)
            .await
            .unwrap();
    }

    async fn stored(store: &SqliteStore) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    /// The log is written back into the database file by the store's own
    /// task, not in a writer's commit: the writers' connections leave it to
    /// the backstop of 16,000 pages, which these writes stay far below.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_is_written_back_off_the_write_path() {
        let dir = ScratchDir::new("checkpoints");
        let store = SqliteStore::open_dir(&dir).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (n INTEGER NOT NULL)")
            .execute(store.pool())
            .await
            .unwrap();
        let file = dir.join(SqliteStore::FILE_NAME);
        let backstop: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(backstop, 16_000);
        // Let any checkpoint of the migrations pass, then write.
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        let before = std::fs::metadata(&file).unwrap().len();
        for n in 0..200_i64 {
            let mut tx = store.begin_write().await.unwrap();
            sqlx::query("INSERT INTO t (n) VALUES ($1)")
                .bind(n)
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("INSERT INTO t (n) SELECT n + 1000000 FROM t WHERE n < 40")
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let mut grew = false;
        for _ in 0..50 {
            if std::fs::metadata(&file).unwrap().len() > before {
                grew = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(grew, "the database file took the log's pages within 5 s");
        store.close().await;
    }

    /// Writers that queue behind each other each see their own write
    /// durable (readable from another connection) when `commit` returns,
    /// and many writers at once all land.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn each_writer_s_commit_returns_once_its_write_is_committed() {
        let (_dir, store) = scratch("group-commit").await;
        let mut writers = Vec::new();
        for n in 0..40_i64 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                insert(&mut tx, n).await;
                tx.commit().await.unwrap();
                // Seen from a connection of the pool, not the writer's.
                let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM t WHERE n = $1")
                    .bind(n)
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
                assert_eq!(seen, 1, "writer {n} is committed when commit returns");
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        assert_eq!(stored(&store).await, (0..40).collect::<Vec<_>>());
    }

    /// Writers that queued while one wrote share one commit (one sync of
    /// the log) instead of one each.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writers_queued_behind_one_commit_together() {
        let (_dir, store) = scratch("group-share").await;
        // Read while no one holds the turn (it is the group's lock).
        let before = store.writers.commits().await;
        let mut first = store.begin_write().await.unwrap();
        insert(&mut first, 0).await;
        let mut queued = Vec::new();
        for n in 1..=5_i64 {
            let store = store.clone();
            queued.push(tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                insert(&mut tx, n).await;
                tx.commit().await.unwrap();
            }));
        }
        while store.writers.waiting() < 5 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        first.commit().await.unwrap();
        for w in queued {
            w.await.unwrap();
        }
        assert_eq!(stored(&store).await, (0..=5).collect::<Vec<_>>());
        assert_eq!(
            store.writers.commits().await - before,
            1,
            "six writes, one commit"
        );
    }

    /// A writer dropped without committing (an error returned early) undoes
    /// its own write only; the writer before it in the same group, waiting
    /// for the group's commit, lands.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_dropped_writer_undoes_only_its_own_write() {
        let (_dir, store) = scratch("group-rollback").await;
        let mut first = store.begin_write().await.unwrap();
        insert(&mut first, 1).await;
        // The second writer queues behind the first: the first's commit
        // waits for the group.
        let second = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                insert(&mut tx, 2).await;
                drop(tx);
            })
        };
        while store.writers.waiting() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        first.commit().await.unwrap();
        second.await.unwrap();
        // The dropped writer's savepoint is rolled back on a task.
        let mut third = store.begin_write().await.unwrap();
        insert(&mut third, 3).await;
        third.commit().await.unwrap();
        assert_eq!(stored(&store).await, vec![1, 3]);
    }

    /// Writers whose requests are dropped at any point (a client that went
    /// away, a timeout) leave the turn as it was: no write fails because of
    /// them, the next writes land at once, and every write whose commit
    /// returned is stored.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writers_dropped_at_any_point_leave_the_turn_usable() {
        let (_dir, store) = scratch("group-cancel").await;
        let mut committed = Vec::new();
        for round in 0..150_i64 {
            let writers: Vec<_> = (0..4_i64)
                .map(|k| {
                    let store = store.clone();
                    let n = round * 4 + k;
                    tokio::spawn(async move {
                        let mut tx = store.begin_write().await?;
                        insert(&mut tx, n).await;
                        tx.commit().await.map(|()| n)
                    })
                })
                .collect();
            // Two of the four are dropped after a varying number of steps.
            for _ in 0..(round % 37) {
                tokio::task::yield_now().await;
            }
            writers[(round % 4) as usize].abort();
            writers[((round + 1) % 4) as usize].abort();
            for writer in writers {
                match writer.await {
                    Ok(outcome) => {
                        committed.push(outcome.expect("a write beside dropped ones lands"))
                    }
                    Err(e) => assert!(e.is_cancelled()),
                }
            }
        }
        for n in 10_000..10_010_i64 {
            tokio::time::timeout(Duration::from_secs(3), async {
                let mut tx = store.begin_write().await.unwrap();
                insert(&mut tx, n).await;
                tx.commit().await.unwrap();
            })
            .await
            .expect("a write after the dropped ones lands at once");
            committed.push(n);
        }
        let stored = stored(&store).await;
        for n in &committed {
            assert!(stored.contains(n), "write {n} was told committed");
        }
    }

    fn event(detail: &str) -> tsunagaru_domain::audit::NewAuditEvent {
        tsunagaru_domain::audit::NewAuditEvent::new(
            tsunagaru_domain::audit::AuditAction::PersonSearched,
            "system",
        )
        .detail(detail)
    }

    async fn details(store: &SqliteStore) -> Vec<String> {
        sqlx::query_scalar("SELECT detail FROM audit_events ORDER BY seq")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    /// Appends in one group take the chain's head from the append before
    /// them: the chain verifies, with writers dropped after their append
    /// (their event undone with their savepoint) and appends dropped at any
    /// point among them; every append that returned is kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn appends_in_one_group_chain_on_each_other() {
        use tsunagaru_store::Repository;
        let (_dir, store) = scratch("group-audit").await;
        let mut tasks = Vec::new();
        for k in 0..300_u32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                if k % 5 == 0 {
                    let mut tx = store.begin_write().await.unwrap();
                    crate::__sql_repository::append_in(&store.clock, &mut tx, event("dropped"))
                        .await
                        .unwrap();
                    drop(tx);
                    None
                } else {
                    store.append_audit(event("kept")).await.unwrap();
                    Some(())
                }
            }));
            if k % 7 == 1 {
                for _ in 0..(k % 23) {
                    tokio::task::yield_now().await;
                }
                tasks.last().unwrap().abort();
            }
        }
        let mut returned = 0;
        let mut aborted = 0;
        for task in tasks {
            match task.await {
                Ok(Some(())) => returned += 1,
                Ok(None) => {}
                Err(e) if e.is_cancelled() => aborted += 1,
                Err(e) => panic!("{e}"),
            }
        }
        // Let the dropped writers' rollbacks and the last commit land.
        let mut tx = store.begin_write().await.unwrap();
        crate::__sql_repository::append_in(&store.clock, &mut tx, event("last"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let events = tsunagaru_store::verify_audit_log(&store)
            .await
            .expect("the chain verifies");
        let details = details(&store).await;
        assert_eq!(events, i64::try_from(details.len()).unwrap());
        assert!(!details.iter().any(|d| d == "dropped"));
        let kept = details.iter().filter(|d| *d == "kept").count();
        assert!(
            kept >= returned && kept <= returned + aborted,
            "{kept} kept, {returned} returned, {aborted} dropped"
        );
    }

    /// Another process appending to the same file between two groups (the
    /// command line while the server runs) is followed: the next group reads
    /// the head again, and the chain verifies.
    #[tokio::test]
    async fn an_append_of_another_process_between_groups_is_followed() {
        use tsunagaru_store::Repository;
        let dir = ScratchDir::new("group-audit-two");
        let server = SqliteStore::open_dir(&dir).await.unwrap();
        let command_line = SqliteStore::open_dir(&dir).await.unwrap();
        for _ in 0..20 {
            server.append_audit(event("server")).await.unwrap();
            command_line
                .append_audit(event("command line"))
                .await
                .unwrap();
        }
        assert_eq!(
            tsunagaru_store::verify_audit_log(&server).await.unwrap(),
            40
        );
        command_line.close().await;
        server.close().await;
    }

    /// Closing the store rolls back nothing anyone was told was committed,
    /// and gives the writer's connection back, so the pool closes.
    #[tokio::test]
    async fn the_store_closes_with_a_writer_s_connection_taken() {
        let (_dir, store) = scratch("group-close").await;
        let mut tx = store.begin_write().await.unwrap();
        insert(&mut tx, 7).await;
        tx.commit().await.unwrap();
        assert_eq!(stored(&store).await, vec![7]);
        tokio::time::timeout(Duration::from_secs(10), store.close())
            .await
            .expect("the pool closes");
    }
}
