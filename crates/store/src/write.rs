//! A write transaction that holds the store's turn to write.
//!
//! SQLite takes one writer at a time; left to itself, a second writer sleeps
//! and retries on `SQLITE_BUSY`, so under load writes wait longer than they
//! take and in no order. The SQLite store therefore hands out one turn at a
//! time from a fair queue (`tokio::sync::Mutex`, first come first served)
//! before it begins a transaction, and every write of the store goes through
//! it. PostgreSQL orders its writers with an advisory lock inside the
//! transaction and takes no turn here.

use sqlx::{Database, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The queue of writers: one turn at a time, in the order they asked.
#[derive(Clone, Debug, Default)]
pub struct WriteQueue(Arc<Mutex<()>>);

impl WriteQueue {
    /// Waits for this writer's turn.
    pub async fn turn(&self) -> WriteTurn {
        WriteTurn(self.0.clone().lock_owned().await)
    }
}

/// One writer's turn; the next writer's begins when it is dropped.
#[derive(Debug)]
pub struct WriteTurn(#[allow(dead_code)] OwnedMutexGuard<()>);

/// A write transaction, with the turn it holds until commit or drop (a
/// dropped transaction rolls back, as sqlx's does).
pub struct WriteTx<DB: Database> {
    tx: Transaction<'static, DB>,
    _turn: Option<WriteTurn>,
}

impl<DB: Database> WriteTx<DB> {
    pub fn new(tx: Transaction<'static, DB>, turn: Option<WriteTurn>) -> Self {
        WriteTx { tx, _turn: turn }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl<DB: Database> Deref for WriteTx<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: Database> DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}
