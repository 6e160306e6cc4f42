//! 事業実績 at scale: one 年度 counted over 1,000,000 consultations, against a
//! plain `COUNT(*)` over the same table in the same run.
//! `cargo bench -p tsunagaru-store-sqlite --bench annual`.
//!
//! Fills a throwaway database with synthetic rows (no real data): 200,000
//! persons, 1,000,000 consultations over two 年度, one or two 相談内容 each.
//! Prints the time of `Repository::annual_figures` as a ratio to `COUNT(*)`,
//! and the peak memory of the process while the report is counted
//! (Linux: `VmHWM` after resetting it through `/proc/self/clear_refs`).

use std::time::{Duration, Instant};
use tsunagaru_store::{ReportScope, Repository};
use tsunagaru_store_sqlite::SqliteStore;

const PERSONS: i64 = 200_000;
const CONSULTATIONS: i64 = 1_000_000;
const ROUNDS: u32 = 5;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

/// Peak resident memory of this process in kB, if the kernel says.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() {
    // "5" resets the peak resident set size (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn run() {
    let dir = std::env::temp_dir().join(format!("tsunagaru-annual-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open_dir(&dir).await.expect("a database");
    let pool = store.pool();
    let mut conn = pool.acquire().await.expect("a connection");
    for sql in [
        "PRAGMA foreign_keys = OFF",
        "PRAGMA synchronous = OFF",
        "BEGIN",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    let started = Instant::now();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PERSONS}) \
         INSERT INTO persons (name, kana, name_key, kana_key, sex, birth_date, town, phones, phone_keys, utilities, disability, \
         created_by, created_at, updated_at) \
         SELECT '見本 ' || i, 'みほん', 'みほん' || i, 'みほん', CASE i % 2 WHEN 0 THEN 'female' ELSE 'male' END, \
         date('1940-01-01', '+' || (i % 20000) || ' days'), CASE i % 3 WHEN 0 THEN '上田' WHEN 1 THEN '本宮' ELSE '津志田' END, \
         '[]', '', '[]', '{{}}', 1, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z' FROM n"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CONSULTATIONS}) \
         INSERT INTO consultations (person_id, agency_id, user_id, method, received_on, concerns, chief_complaint, situation, created_at) \
         SELECT (i % {PERSONS}) + 1, (i % 17) + 1, 1, CASE i % 4 WHEN 0 THEN 'phone' WHEN 1 THEN 'in_person' WHEN 2 THEN 'home_visit' ELSE 'other' END, \
         date('2024-04-01', '+' || (i % 730) || ' days'), '[]', '', '', '2025-01-01T00:00:00Z' FROM n"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO consultation_concerns (consultation_id, code, main, received_on, agency_id) \
         SELECT id, CASE id % 5 WHEN 0 THEN 'care' WHEN 1 THEN 'income' WHEN 2 THEN 'health' WHEN 3 THEN 'housing' ELSE 'family' END, 1, \
         received_on, agency_id FROM consultations",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO consultation_concerns (consultation_id, code, main, received_on, agency_id) \
         SELECT id, 'debt', 0, received_on, agency_id FROM consultations WHERE id % 3 = 0",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    for sql in ["COMMIT", "ANALYZE"] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    println!(
        "filled {PERSONS} persons and {CONSULTATIONS} consultations in {:.1?}",
        started.elapsed()
    );

    let from = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let mut count_total = Duration::ZERO;
    let mut report_total = Duration::ZERO;
    let mut peak = 0;
    let mut counted = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM consultations")
            .fetch_one(pool)
            .await
            .unwrap();
        count_total += t.elapsed();
        assert_eq!(n, CONSULTATIONS);
        reset_peak();
        let t = Instant::now();
        let figures = store
            .annual_figures(from, to, &ReportScope::City)
            .await
            .unwrap();
        report_total += t.elapsed();
        peak = peak.max(peak_kb().unwrap_or(0));
        counted = figures
            .consultation_days
            .iter()
            .map(|d| d.count)
            .sum::<i64>();
    }
    let count = count_total / ROUNDS;
    let report = report_total / ROUNDS;
    println!("COUNT(*) over all consultations: {count:.2?} per round");
    println!(
        "annual report (one 年度, {counted} consultations, every section): {report:.2?} per round, {:.1}× COUNT(*)",
        report.as_secs_f64() / count.as_secs_f64()
    );
    if peak > 0 {
        println!("peak resident memory while counting: {} MB", peak / 1024);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
