//! A write transaction that holds the store's turn to write.
//!
//! SQLite takes one writer at a time; left to itself, a second writer sleeps
//! and retries on `SQLITE_BUSY`, so under load writes wait longer than they
//! take and in no order. The SQLite store therefore hands out one turn at a
//! time from a fair queue (`tokio::sync::Mutex`, first come first served),
//! and every write of the store goes through it. PostgreSQL orders its
//! writers with an advisory lock inside the transaction and takes no turn
//! here.
//!
//! The writers that queue up behind each other also share one commit
//! ([`GroupCommit`]): each writes inside a savepoint of one open
//! transaction on the writer's connection, and the transaction commits (one
//! sync of the log) when nobody else is waiting for the turn, or, while
//! writers keep arriving, once those that were waiting have had theirs.
//! Each writer's `commit` returns only after that commit, so what it
//! acknowledges is as durable as before; a writer that fails or is dropped
//! rolls back its savepoint only.

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// A write transaction: a transaction of its own, or a grouped write
/// holding the writers' turn until commit or drop (a dropped transaction
/// rolls back, as sqlx's does).
pub struct WriteTx<DB: Database>(Option<Inner<DB>>);

enum Inner<DB: Database> {
    /// A transaction of its own (PostgreSQL).
    Own(Transaction<'static, DB>),
    /// A savepoint in the group's transaction (or, for an append of one
    /// statement, no savepoint: see [`GroupCommit::begin_append`]).
    Grouped {
        group: OwnedMutexGuard<Group<DB>>,
        commit: GroupCommit<DB>,
        savepoint: bool,
        /// Rolls the savepoint back on a task, for a write dropped before
        /// `commit` (`Drop` cannot wait for the database).
        abandon: fn(GroupCommit<DB>, OwnedMutexGuard<Group<DB>>, bool),
    },
}

impl<DB: Database> WriteTx<DB> {
    /// A transaction of its own.
    pub fn new(tx: Transaction<'static, DB>) -> Self {
        WriteTx(Some(Inner::Own(tx)))
    }

    // The inner part is taken only by `commit`, which consumes the
    // transaction, and a grouped write holds the connection (it is given up
    // only by a failure, with the turn): both are invariants, not input.
    fn connection(&self) -> &DB::Connection {
        match &self.0 {
            Some(Inner::Own(tx)) => tx,
            Some(Inner::Grouped { group, .. }) => group
                .conn
                .as_deref()
                .expect("a grouped write holds the writer's connection"),
            None => unreachable!("a committed transaction is not used"),
        }
    }

    fn connection_mut(&mut self) -> &mut DB::Connection {
        match &mut self.0 {
            Some(Inner::Own(tx)) => tx,
            Some(Inner::Grouped { group, .. }) => group
                .conn
                .as_deref_mut()
                .expect("a grouped write holds the writer's connection"),
            None => unreachable!("a committed transaction is not used"),
        }
    }
}

impl<DB: Database> WriteTx<DB> {
    /// The audit chain's head as this group's transaction left it, when it
    /// is known without reading: only the group's own appends move it while
    /// its transaction holds the write lock. `None` for a transaction of its
    /// own, and at the start of each group.
    pub fn known_audit_head(&self) -> Option<(i64, String)> {
        match &self.0 {
            Some(Inner::Grouped { group, .. }) => group.audit_head.clone(),
            _ => None,
        }
    }

    /// Notes the head an append is about to move (`None`: unknown until it
    /// has, so an append stopped midway leaves it to be read again) or has
    /// moved.
    pub fn note_audit_head(&mut self, head: Option<(i64, String)>) {
        if let Some(Inner::Grouped { group, .. }) = &mut self.0 {
            group.audit_head = head;
        }
    }
}

impl<DB: Database> Deref for WriteTx<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        self.connection()
    }
}

impl<DB: Database> DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.connection_mut()
    }
}

/// The writers of one store that commit together (see the module).
pub struct GroupCommit<DB: Database> {
    group: Arc<Mutex<Group<DB>>>,
    /// Writers waiting for the turn (a writer that sees none commits).
    waiting: Arc<AtomicUsize>,
    pool: Pool<DB>,
    /// Run once on the writers' connection when it is taken from the pool.
    setup: Option<&'static str>,
}

impl<DB: Database> Clone for GroupCommit<DB> {
    fn clone(&self) -> Self {
        GroupCommit {
            group: self.group.clone(),
            waiting: self.waiting.clone(),
            pool: self.pool.clone(),
            setup: self.setup,
        }
    }
}

/// The shared transaction and those whose writes in it wait for its commit.
pub struct Group<DB: Database> {
    conn: Option<PoolConnection<DB>>,
    /// `BEGIN IMMEDIATE` was issued and not yet committed.
    open: bool,
    /// Writers whose savepoint was released, each told how the commit went.
    members: Vec<oneshot::Sender<Result<(), String>>>,
    /// A task is queued for the turn to commit the members.
    finisher_queued: bool,
    /// The audit chain's head after the group's last append, while its
    /// transaction is open ([`WriteTx::known_audit_head`]).
    audit_head: Option<(i64, String)>,
    /// Commits so far (each may carry many writes).
    commits: u64,
}

/// Counts a writer waiting for the turn while it waits (also when its
/// future is dropped meanwhile).
struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    fn new(count: &Arc<AtomicUsize>) -> Waiting {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Most writes one commit carries; more start the next group.
const MOST_IN_GROUP: usize = 64;

impl<DB: Database> GroupCommit<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    pub fn new(pool: Pool<DB>) -> GroupCommit<DB> {
        GroupCommit {
            group: Arc::new(Mutex::new(Group {
                conn: None,
                open: false,
                members: Vec::new(),
                finisher_queued: false,
                audit_head: None,
                commits: 0,
            })),
            waiting: Arc::new(AtomicUsize::new(0)),
            pool,
            setup: None,
        }
    }

    /// Runs `sql` on the writers' connection each time one is taken from
    /// the pool (SQLite: a page cache of its own size, which only its own
    /// writes touch, so it stays warm).
    pub fn with_setup(mut self, sql: &'static str) -> GroupCommit<DB> {
        self.setup = Some(sql);
        self
    }

    /// This writer's turn, in the group's transaction (begun with
    /// `begin` — SQLite's `BEGIN IMMEDIATE` — if none is open).
    pub async fn begin(&self, begin: &'static str) -> Result<WriteTx<DB>, sqlx::Error> {
        self.turn(begin, true).await
    }

    /// This writer's turn for an append of one statement (an audit event
    /// of a read), without a savepoint: a statement that fails undoes
    /// itself, and one that ran is committed with the group, even if its
    /// writer is dropped before `commit`. Two round trips less than
    /// [`GroupCommit::begin`].
    pub async fn begin_append(&self, begin: &'static str) -> Result<WriteTx<DB>, sqlx::Error> {
        self.turn(begin, false).await
    }

    /// Waits for the turn (cancel-safe), then takes it on a task of its own.
    async fn turn(&self, begin: &'static str, savepoint: bool) -> Result<WriteTx<DB>, sqlx::Error> {
        let group = {
            let _waiting = Waiting::new(&self.waiting);
            self.group.clone().lock_owned().await
        };
        let commit = self.clone();
        to_the_end(async move { commit.take_turn(group, begin, savepoint).await }).await
    }

    async fn take_turn(
        &self,
        mut group: OwnedMutexGuard<Group<DB>>,
        begin: &'static str,
        savepoint: bool,
    ) -> Result<WriteTx<DB>, sqlx::Error> {
        if group.conn.is_none() {
            let mut conn = self.pool.acquire().await?;
            if let Some(setup) = self.setup {
                sqlx::raw_sql(setup).execute(&mut *conn).await?;
            }
            group.conn = Some(conn);
        }
        if !group.open {
            if let Err(e) = execute(&mut group, begin).await {
                // The next writer begins on a fresh connection.
                discard_connection(&mut group);
                return Err(e);
            }
            group.open = true;
            group.audit_head = None;
        }
        if savepoint && let Err(e) = execute(&mut group, "SAVEPOINT write").await {
            self.settle(group).await;
            return Err(e);
        }
        Ok(WriteTx(Some(Inner::Grouped {
            group,
            commit: self.clone(),
            savepoint,
            abandon: |commit, group, savepoint| {
                tokio::spawn(async move { commit.roll_back(group, savepoint).await });
            },
        })))
    }

    /// How many commits the writers have made so far.
    pub async fn commits(&self) -> u64 {
        self.group.lock().await.commits
    }

    /// How many writers wait for the turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Gives the writer's connection back to the pool (before the pool
    /// closes); an open group is rolled back, as no one was told it
    /// committed.
    pub async fn close(&self) {
        let mut group = self.group.lock().await;
        if group.open && execute(&mut group, "ROLLBACK").await.is_err() {
            discard_connection(&mut group);
        }
        group.open = false;
        group.audit_head = None;
        group.conn = None;
    }

    /// The turn is given up: commit now if nobody waits for it, else leave
    /// the commit to those who do, with a finisher queued behind them.
    async fn settle(&self, mut group: OwnedMutexGuard<Group<DB>>) {
        if group.members.is_empty() && !group.open {
            return;
        }
        let nobody_waits = self.waiting.load(Ordering::SeqCst) == 0;
        if nobody_waits || group.members.len() >= MOST_IN_GROUP {
            finish(&mut group).await;
        } else if !group.finisher_queued {
            group.finisher_queued = true;
            drop(group);
            let commit = self.clone();
            tokio::spawn(async move {
                let mut group = commit.group.clone().lock_owned().await;
                group.finisher_queued = false;
                finish(&mut group).await;
            });
        }
    }
}

impl<DB: Database> WriteTx<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    /// Commits this writer's work: at once for a transaction of its own;
    /// for a grouped one, when its group commits.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        match self.0.take() {
            None => Ok(()),
            Some(Inner::Own(tx)) => tx.commit().await,
            Some(Inner::Grouped {
                mut group,
                commit,
                savepoint,
                ..
            }) => {
                let outcome = to_the_end(async move {
                    if savepoint
                        && let Err(e) = execute(&mut group, "RELEASE SAVEPOINT write").await
                    {
                        let _ = execute(&mut group, "ROLLBACK TO SAVEPOINT write").await;
                        let _ = execute(&mut group, "RELEASE SAVEPOINT write").await;
                        group.audit_head = None;
                        commit.settle(group).await;
                        return Err(e);
                    }
                    let (told, outcome) = oneshot::channel();
                    group.members.push(told);
                    commit.settle(group).await;
                    Ok(outcome)
                })
                .await?;
                match outcome.await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(message)) => Err(sqlx::Error::Protocol(message)),
                    Err(_) => Err(sqlx::Error::Protocol(
                        "書き込みの確定を待つ間に接続が閉じられました".into(),
                    )),
                }
            }
        }
    }
}

impl<DB: Database> Drop for WriteTx<DB> {
    fn drop(&mut self) {
        // A grouped write dropped before `commit`: its savepoint rolls back
        // and the turn is settled, on a task since that needs the database.
        if let Some(Inner::Grouped {
            group,
            commit,
            savepoint,
            abandon,
        }) = self.0.take()
        {
            abandon(commit, group, savepoint);
        }
    }
}

impl<DB: Database> GroupCommit<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    /// Undoes a dropped writer's savepoint; an append without one has
    /// nothing to undo (its statement ran whole or not at all).
    async fn roll_back(&self, mut group: OwnedMutexGuard<Group<DB>>, savepoint: bool) {
        if savepoint {
            group.audit_head = None;
            let undone = execute(&mut group, "ROLLBACK TO SAVEPOINT write").await;
            let released = execute(&mut group, "RELEASE SAVEPOINT write").await;
            if undone.is_err() || released.is_err() {
                fail(&mut group, "書き込みを取り消せませんでした".into()).await;
            }
        }
        self.settle(group).await;
    }
}

/// Runs `work` on a task of its own and waits for it. The turn's
/// statements and the state that records them (`open`, the members) change
/// together even if the writer stops waiting (its request dropped: a client
/// gone, a timeout); a `WriteTx` the task hands to nobody is dropped, and so
/// rolled back.
async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T, sqlx::Error> {
    tokio::spawn(work)
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("書き込みの処理が中断されました: {e}")))?
}

/// Closes the writers' connection instead of giving it back to the pool: it
/// may still be inside a transaction the group could not end, and a pooled
/// connection in one would hold the database's write lock for good.
fn discard_connection<DB: Database>(group: &mut Group<DB>) {
    if let Some(mut conn) = group.conn.take() {
        conn.close_on_drop();
    }
}

async fn execute<DB: Database>(group: &mut Group<DB>, sql: &'static str) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let conn = group.conn.as_deref_mut().ok_or(sqlx::Error::PoolClosed)?;
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

/// Commits the group's transaction and tells each member how it went.
async fn finish<DB: Database>(group: &mut Group<DB>)
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    if !group.open {
        return;
    }
    // Once committed, another process may append before the next group.
    group.audit_head = None;
    match execute(group, "COMMIT").await {
        Ok(()) => {
            group.open = false;
            group.commits += 1;
            for member in group.members.drain(..) {
                let _ = member.send(Ok(()));
            }
        }
        Err(e) => fail(group, format!("書き込みを確定できませんでした: {e}")).await,
    }
}

/// The group's transaction cannot go on: it is rolled back, every member
/// is told, and the connection is given up.
async fn fail<DB: Database>(group: &mut Group<DB>, message: String)
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let _ = execute(group, "ROLLBACK").await;
    group.open = false;
    group.audit_head = None;
    discard_connection(group);
    for member in group.members.drain(..) {
        let _ = member.send(Err(message.clone()));
    }
}
