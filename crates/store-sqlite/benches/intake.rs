//! Intake writes at scale, as ratios measured in one run.
//! `cargo bench -p tsunagaru-store-sqlite --bench intake`
//! (`TSUNAGARU_BENCH_PERSONS` persons on record, default 100,000).
//!
//! 1. **Flat in the number of persons.** One intake is what the application
//!    does for a sheet: the duplicate checks (the names of everyone born the
//!    same day, from one index range, and the near ones read in the taker's
//!    scope; the same phone, from `person_phones`), then the write.
//!    It is timed into an empty database and into one that holds the
//!    persons (each with a consultation and a phone), and the second rate
//!    is printed as a share of the first.
//! 2. **One writer in order.** 16 tasks write intakes at once: p50 and p99
//!    of one write, and the rate as a share of raw durable SQLite writing
//!    the same rows (a person and a consultation per transaction, one
//!    connection, `synchronous=FULL`) in the same run.
//!
//! Synthetic rows only (made-up names, no real data).

#[path = "../../store/benches/shared/runtime.rs"]
mod runtime;
#[path = "../../store/benches/shared/intake.rs"]
mod shared;

use std::sync::Arc;
use std::time::Instant;
use tsunagaru_store::Repository;
use tsunagaru_store_sqlite::SqliteStore;

fn main() {
    runtime::block_on(run());
}

async fn run() {
    let persons = shared::persons(100_000);
    let (empty, empty_dir) = fresh("empty").await;
    let (full, full_dir) = fresh("full").await;
    let started = Instant::now();
    load_persons(&full, persons).await;
    println!(
        "{persons} persons on record loaded in {:.1?}",
        started.elapsed()
    );

    shared::measure(&empty, &full, persons, "raw durable SQLite", async |n| {
        raw_rate(&empty, n).await
    })
    .await;
    drop((empty, full));
    let _ = std::fs::remove_dir_all(empty_dir);
    let _ = std::fs::remove_dir_all(full_dir);
}

async fn fresh(name: &str) -> (Arc<SqliteStore>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "tsunagaru-intake-bench-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open_dir(&dir).await.expect("a database");
    shared::prepare(&store).await;
    (Arc::new(store), dir)
}

/// Persons on record, each with a consultation at one of the first agencies
/// and a phone of its own, written in one transaction, then settled as the
/// server settles its own loads (`synth`, the Excel import):
/// `Repository::settle_after_load` merges the trigram index's segments.
/// Without it the writes measured would pay for merging what the raw load
/// left (FTS5 merges a little in each write): a debt that no load by the
/// server leaves, which made one writer's rate at 1,000,000 persons look
/// 62–76% of the rate at 0. Grown one write at a time instead, the index
/// costs a write the same at 100,000 persons and at 1,100,000.
async fn load_persons(store: &SqliteStore, n: i64) {
    let mut conn = store.pool().acquire().await.unwrap();
    for sql in ["PRAGMA foreign_keys = OFF", "BEGIN"] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    for sql in [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             INSERT INTO persons (name, kana, name_key, kana_key, sex, birth_date, phones, phone_keys, utilities, disability, \
             created_by, created_at, updated_at) \
             SELECT '見本 ' || i, 'みほん', 'みほん' || i, 'みほん', 'female', date('1940-01-01', '+' || (i % 25000) || ' days'), \
             '[]', '019' || printf('%07d', i), '[]', '{{}}', 1, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z' FROM n"
        ),
        "INSERT INTO person_phones (phone_key, person_id) SELECT phone_keys, id FROM persons".to_owned(),
        "INSERT INTO consultations (person_id, agency_id, user_id, method, received_on, concerns, chief_complaint, situation, created_at) \
         SELECT id, (id % 3) + 1, 1, 'phone', '2025-06-01', '[]', '', '', '2025-06-01T00:00:00Z' FROM persons".to_owned(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.unwrap();
    }
    sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    store.settle_after_load().await.expect("the load settles");
    sqlx::query("ANALYZE").execute(&mut *conn).await.unwrap();
    // The load's log written back, as a database at rest would be: else the
    // measurement would pay for copying the whole load.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Raw durable SQLite: a person and a consultation per transaction on one
/// connection of the same database, `synchronous=FULL` as the store sets it.
async fn raw_rate(store: &SqliteStore, n: usize) -> f64 {
    let mut conn = store.pool().acquire().await.unwrap();
    let started = Instant::now();
    for i in 0..n {
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .unwrap();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO persons (name, kana, name_key, kana_key, sex, birth_date, phones, phone_keys, utilities, disability, \
             created_by, created_at, updated_at) VALUES ($1, 'けいそく', $1, 'けいそく', 'male', '1960-05-05', '[]', '', '[]', '{}', 1, \
             '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z') RETURNING id",
        )
        .bind(format!("生 {i}"))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO consultations (person_id, agency_id, user_id, method, received_on, concerns, chief_complaint, situation, created_at) \
             VALUES ($1, 1, 1, 'phone', '2026-11-20', '[]', '計測用の主訴', '', '2026-12-01T00:00:00Z')",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
