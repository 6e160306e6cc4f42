//! Intake writes at scale on PostgreSQL, as ratios measured in one run:
//! the same steps as the SQLite bench (`store/benches/shared/intake.rs`).
//!
//! `TSUNAGARU_BENCH_POSTGRES_URL=postgres://… cargo bench -p tsunagaru-store-postgres --bench intake`
//! (`TSUNAGARU_BENCH_PERSONS` persons on record, default 100,000). It
//! creates two throwaway databases beside the one the URL names and drops
//! them at the end.
//!
//! 1. **Flat in the number of persons**: the rate of one writer into an
//!    empty database and into one that holds the persons (each with a
//!    consultation at one of the first agencies and a phone of its own).
//! 2. **Many writers**: 16 tasks write intakes at once (the store orders
//!    writes with an advisory lock); p50 and p99 of one intake, and the rate
//!    as a share of raw PostgreSQL writing a person and a consultation per
//!    transaction on one connection, in the same run, at the server's own
//!    `synchronous_commit`.
//!
//! Synthetic rows only (made-up names, no real data).

#[path = "../../store/benches/shared/runtime.rs"]
mod runtime;
#[path = "../../store/benches/shared/intake.rs"]
mod shared;

use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use std::time::Instant;
use tsunagaru_store::Repository;
use tsunagaru_store_postgres::PgStore;

fn main() {
    let Ok(url) = std::env::var("TSUNAGARU_BENCH_POSTGRES_URL") else {
        eprintln!(
            "Set TSUNAGARU_BENCH_POSTGRES_URL=postgres://user@host:port/db (a server where the user may create databases)."
        );
        std::process::exit(2);
    };
    runtime::block_on(run(&url));
}

async fn run(url: &str) {
    let persons = shared::persons(100_000);
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("PostgreSQL answers at TSUNAGARU_BENCH_POSTGRES_URL");
    let (empty, empty_name) = fresh(&admin, url, "empty").await;
    let (full, full_name) = fresh(&admin, url, "full").await;
    let started = Instant::now();
    load_persons(&full, persons).await;
    println!(
        "{persons} persons on record loaded in {:.1?}",
        started.elapsed()
    );

    shared::measure(&empty, &full, persons, "raw PostgreSQL", async |n| {
        raw_rate(&empty, n).await
    })
    .await;
    empty.pool().close().await;
    full.pool().close().await;
    for name in [empty_name, full_name] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&admin)
        .await
        .expect("drop a bench database");
    }
}

/// A new database beside the URL's, migrated, with the pack and one user.
async fn fresh(admin: &sqlx::PgPool, url: &str, part: &str) -> (Arc<PgStore>, String) {
    let name = format!("tsunagaru_intake_bench_{part}_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(admin)
            .await
            .expect("create a bench database");
    }
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    let store = PgStore::connect(&format!("{base}/{name}"))
        .await
        .expect("a database");
    shared::prepare(&store).await;
    (Arc::new(store), name)
}

/// Persons on record, each with a consultation at one of the first agencies
/// and a phone of its own, written in one transaction (the scope index is
/// kept by its triggers, as for any write).
async fn load_persons(store: &PgStore, n: i64) {
    let mut tx = store.pool().begin().await.unwrap();
    for sql in [
        format!(
            "INSERT INTO persons (name, kana, name_key, kana_key, sex, birth_date, phones, phone_keys, utilities, disability, \
             created_by, created_at, updated_at) \
             SELECT '見本 ' || i, 'みほん', 'みほん' || i, 'みほん', 'female', DATE '1940-01-01' + (i % 25000)::int, \
             '[]', '019' || lpad(i::text, 7, '0'), '[]', '{{}}', 1, TIMESTAMPTZ '2025-01-01T00:00:00Z', \
             TIMESTAMPTZ '2025-01-01T00:00:00Z' FROM generate_series(1, {n}) AS i"
        ),
        "INSERT INTO person_phones (phone_key, person_id) SELECT phone_keys, id FROM persons".to_owned(),
        "INSERT INTO consultations (person_id, agency_id, user_id, method, received_on, concerns, chief_complaint, situation, created_at) \
         SELECT id, (id % 3) + 1, 1, 'phone', DATE '2025-06-01', '[]', '', '', TIMESTAMPTZ '2025-06-01T00:00:00Z' FROM persons".to_owned(),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    // As the server settles its own loads (`ANALYZE` here).
    store.settle_after_load().await.expect("the load settles");
}

/// Raw PostgreSQL: a person and a consultation per transaction on one
/// connection of the same database.
async fn raw_rate(store: &PgStore, n: usize) -> f64 {
    let mut conn = store.pool().acquire().await.unwrap();
    let started = Instant::now();
    for i in 0..n {
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await.unwrap();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO persons (name, kana, name_key, kana_key, sex, birth_date, phones, phone_keys, utilities, disability, \
             created_by, created_at, updated_at) VALUES ($1, 'けいそく', $1, 'けいそく', 'male', DATE '1960-05-05', '[]', '', '[]', '{}', 1, \
             TIMESTAMPTZ '2026-12-01T00:00:00Z', TIMESTAMPTZ '2026-12-01T00:00:00Z') RETURNING id",
        )
        .bind(format!("生 {i}"))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO consultations (person_id, agency_id, user_id, method, received_on, concerns, chief_complaint, situation, created_at) \
             VALUES ($1, 1, 1, 'phone', DATE '2026-11-20', '[]', '計測用の主訴', '', TIMESTAMPTZ '2026-12-01T00:00:00Z')",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
