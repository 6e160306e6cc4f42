//! The audit events of reads at 16 connections, as ratios in one run.
//! `cargo bench -p tsunagaru-store-sqlite --bench audit`
//! (`TSUNAGARU_BENCH_EVENTS` events, default 3,200).
//!
//! Every read of personal data appends one event to the hash chain before
//! it answers, so 16 workers searching at once are 16 appends at once. They
//! go through the writers' turn as one statement each
//! (`Repository::append_audit`), sharing commits. Printed: p50 and p99 of
//! one append, and the rate as a share of raw durable SQLite appending the
//! same rows (read the head, insert, one transaction each, one connection,
//! `synchronous=FULL`) in the same run.
//!
//! Synthetic events only (no personal data: an audit detail never holds any).

#[path = "../../store/benches/shared/runtime.rs"]
mod runtime;

use std::sync::Arc;
use std::time::Instant;
use tsunagaru_domain::audit::{AuditAction, NewAuditEvent};
use tsunagaru_store::Repository;
use tsunagaru_store_sqlite::SqliteStore;

const WRITERS: usize = 16;

fn main() {
    runtime::block_on(run());
}

fn events() -> usize {
    std::env::var("TSUNAGARU_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_200)
}

fn event(i: usize) -> NewAuditEvent {
    NewAuditEvent::new(AuditAction::PersonSearched, "bench").detail(format!("{} 件", i % 7))
}

async fn run() {
    let dir = std::env::temp_dir().join(format!("tsunagaru-audit-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(SqliteStore::open_dir(&dir).await.expect("a database"));
    let n = events();
    let raw = raw_rate(&store, n).await;
    let mut each = Vec::with_capacity(n);
    let started = Instant::now();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for i in (w..n).step_by(WRITERS) {
                let t = Instant::now();
                store.append_audit(event(i)).await.expect("appended");
                times.push(t.elapsed());
            }
            times
        }));
    }
    for w in writers {
        each.extend(w.await.expect("a writer"));
    }
    let wall = started.elapsed();
    each.sort_unstable();
    let p = |q: f64| each[((each.len() as f64 - 1.0) * q).round() as usize];
    let rate = n as f64 / wall.as_secs_f64();
    println!(
        "{WRITERS} readers' audit events: p50 {:.1?}, p99 {:.1?}, {rate:.0}/s; raw durable SQLite {raw:.0}/s: {:.0}% of raw",
        p(0.50),
        p(0.99),
        100.0 * rate / raw
    );
    let verified = tsunagaru_store::verify_audit_log(&*store)
        .await
        .expect("the chain verifies");
    assert_eq!(verified, i64::try_from(2 * n).unwrap());
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}

/// Raw durable SQLite: the head read and the event inserted, one
/// transaction each, on one connection of the same database (the chain
/// goes on from these rows: the store's appends follow them).
async fn raw_rate(store: &SqliteStore, n: usize) -> f64 {
    let mut conn = store.pool().acquire().await.unwrap();
    let clock = tsunagaru_store::Clock::system();
    let started = Instant::now();
    for i in 0..n {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .unwrap();
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await
                .unwrap();
        let (seq, prev) = head.unwrap_or((0, tsunagaru_domain::audit::GENESIS_HASH.to_owned()));
        let sealed = event(i).seal(seq + 1, clock.now(), &prev);
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor_user_id, actor, action, record_type, record_id, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(sealed.seq)
        .bind(sealed.at)
        .bind(sealed.actor_user_id)
        .bind(sealed.actor.clone())
        .bind(sealed.action.clone())
        .bind(sealed.record_type.clone())
        .bind(sealed.record_id.clone())
        .bind(sealed.detail.clone())
        .bind(sealed.prev_hash.clone())
        .bind(sealed.hash.clone())
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
