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

use std::sync::Arc;
use std::time::{Duration, Instant};
use tsunagaru_domain::audit::{AuditAction, NewAuditEvent};
use tsunagaru_domain::intake::{IntakeInput, IntakeSheet};
use tsunagaru_domain::kana::{search_key, similar};
use tsunagaru_domain::user::{Role, Username};
use tsunagaru_store::{IntakeContext, NewUser, PersonQuery, Repository};
use tsunagaru_store_sqlite::SqliteStore;

/// Intakes per measurement (`TSUNAGARU_BENCH_INTAKES`, default 400).
fn intakes() -> usize {
    std::env::var("TSUNAGARU_BENCH_INTAKES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}
const WRITERS: usize = 16;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let persons: i64 = std::env::var("TSUNAGARU_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (empty, empty_dir) = fresh("empty").await;
    let (full, full_dir) = fresh("full").await;
    let started = Instant::now();
    load_persons(&full, persons).await;
    println!(
        "{persons} persons on record loaded in {:.1?}",
        started.elapsed()
    );

    // 1. One writer: the rate into an empty database and into a full one.
    let at_zero = rate(&empty, intakes(), 0).await;
    let at_n = rate(&full, intakes(), 0).await;
    println!(
        "intake (duplicate checks + write): {:.0}/s at 0 persons, {:.0}/s at {persons}: {:.0}% of the rate at 0",
        at_zero.per_second,
        at_n.per_second,
        100.0 * at_n.per_second / at_zero.per_second
    );
    println!(
        "  checks {:.0?} + write {:.0?} at 0 persons; checks {:.0?} + write {:.0?} at {persons}",
        at_zero.checks, at_zero.write, at_n.checks, at_n.write
    );

    // 2. Sixteen writers at once, against raw SQLite writing the same rows.
    let latencies = concurrent(&empty, WRITERS, intakes() / WRITERS).await;
    let total: Duration = latencies.iter().sum();
    let wall = latencies.wall;
    let mut sorted = latencies.each.clone();
    sorted.sort_unstable();
    let p = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    let concurrent_rate = sorted.len() as f64 / wall.as_secs_f64();
    let raw = raw_rate(&empty, intakes()).await;
    println!(
        "{WRITERS} writers: p50 {:.1?}, p99 {:.1?}, {concurrent_rate:.0}/s; raw durable SQLite {raw:.0}/s: {:.0}% of raw (mean {:.1?})",
        p(0.50),
        p(0.99),
        100.0 * concurrent_rate / raw,
        total / sorted.len() as u32
    );
    drop((empty, full));
    let _ = std::fs::remove_dir_all(empty_dir);
    let _ = std::fs::remove_dir_all(full_dir);
}

struct Latencies {
    each: Vec<Duration>,
    wall: Duration,
}

impl Latencies {
    fn iter(&self) -> impl Iterator<Item = &Duration> {
        self.each.iter()
    }
}

async fn fresh(name: &str) -> (Arc<SqliteStore>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "tsunagaru-intake-bench-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open_dir(&dir).await.expect("a database");
    store
        .load_pack(
            &tsunagaru_pack::Pack::morioka(),
            NewAuditEvent::new(AuditAction::PackLoaded, "system"),
        )
        .await
        .expect("the pack loads");
    store
        .create_user(
            NewUser {
                username: Username::parse("bench").unwrap(),
                display_name: "計測".into(),
                role: Role::Staff,
                password_hash: "x".into(),
                agency_ids: vec![1],
            },
            NewAuditEvent::new(AuditAction::UserCreated, "system"),
        )
        .await
        .expect("a user");
    (Arc::new(store), dir)
}

/// Persons on record, each with a consultation at one of the first agencies
/// and a phone of its own, written in one transaction.
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
    sqlx::query("ANALYZE").execute(&mut *conn).await.unwrap();
}

fn sheet(i: usize) -> IntakeSheet {
    let input: IntakeInput = serde_json::from_value(serde_json::json!({
        "method": "phone", "received_on": "2026-11-20",
        "person": {"name": format!("計測 太郎{i}"), "kana": "けいそく たろう", "sex": "male",
                   "birth_date": (chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap()
                                  + chrono::Days::new((i % 25_000) as u64)).to_string(),
                   "phones": [{"kind": "home", "number": format!("0198{:06}", i % 1_000_000)}]},
        "concerns": [{"category": "care", "main": true}],
        "chief_complaint": "計測用の主訴"
    }))
    .unwrap();
    input
        .parse(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        .expect("the sheet is valid")
}

/// One intake as the application does it: both duplicate checks, then the
/// write. Returns how long each part took.
async fn intake(store: &SqliteStore, i: usize) -> (Duration, Duration) {
    let sheet = sheet(i);
    let started = Instant::now();
    let agencies = [1_i64];
    // As `App::possible_duplicates`: the names of everyone born that day,
    // then the near ones read in scope.
    let name_key = search_key(&sheet.person.name);
    let born = store
        .born_on(sheet.person.birth_date.unwrap().date(), 5_000)
        .await
        .unwrap();
    let near: Vec<i64> = born
        .into_iter()
        .filter(|c| similar(&c.name_key, &name_key))
        .map(|c| c.id)
        .collect();
    if !near.is_empty() {
        let by_name = PersonQuery {
            ids: Some(near),
            ..PersonQuery::default()
        };
        store
            .search_persons(&agencies, &by_name, 200)
            .await
            .unwrap();
    }
    for phone in &sheet.person.phones {
        let by_phone = PersonQuery {
            same_phone: Some(phone.key()),
            ..PersonQuery::default()
        };
        store
            .search_persons(&agencies, &by_phone, 20)
            .await
            .unwrap();
    }
    let checked = Instant::now();
    let ctx = IntakeContext {
        agency_id: 1,
        user_id: 1,
        town: None,
        existing_person_id: None,
        outreach_target_id: None,
        event_id: None,
    };
    store
        .create_intake(
            &sheet,
            &ctx,
            NewAuditEvent::new(AuditAction::ConsultationCreated, "bench").by_user(1),
        )
        .await
        .unwrap();
    (checked - started, checked.elapsed())
}

/// One writer's rate, and the mean time of the checks and of the write.
struct Rate {
    per_second: f64,
    checks: Duration,
    write: Duration,
}

async fn rate(store: &SqliteStore, n: usize, offset: usize) -> Rate {
    let started = Instant::now();
    let (mut checks, mut write) = (Duration::ZERO, Duration::ZERO);
    for i in 0..n {
        let (c, w) = intake(store, offset + i).await;
        checks += c;
        write += w;
    }
    Rate {
        per_second: n as f64 / started.elapsed().as_secs_f64(),
        checks: checks / n as u32,
        write: write / n as u32,
    }
}

async fn concurrent(store: &Arc<SqliteStore>, writers: usize, each: usize) -> Latencies {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(each);
            for k in 0..each {
                let t = Instant::now();
                let _ = intake(&store, 10_000 + w * each + k).await;
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut each_time = Vec::new();
    for t in tasks {
        each_time.extend(t.await.unwrap());
    }
    Latencies {
        each: each_time,
        wall: started.elapsed(),
    }
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
