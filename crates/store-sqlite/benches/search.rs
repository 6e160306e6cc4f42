//! Person search: the FTS5 trigram index against a plain `LIKE '%…%'` scan,
//! on the same database in the same process. `cargo bench -p tsunagaru-store-sqlite`.
//!
//! Fills a throwaway database with synthetic persons (made-up names from a
//! few common family and given names, no real data), then times the two ways
//! of finding a key part of three characters or more.

use sqlx::Row;
use std::time::{Duration, Instant};
use tsunagaru_domain::kana::search_key;
use tsunagaru_store_sqlite::SqliteStore;

const PERSONS: usize = 50_000;
const ROUNDS: u32 = 20;

const FAMILY: [(&str, &str); 12] = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("佐々木", "ささき"),
];
const GIVEN: [(&str, &str); 10] = [
    ("花子", "はなこ"),
    ("太郎", "たろう"),
    ("一郎", "いちろう"),
    ("美咲", "みさき"),
    ("健太", "けんた"),
    ("陽菜", "ひな"),
    ("翔太", "しょうた"),
    ("結衣", "ゆい"),
    ("大輝", "だいき"),
    ("千尋", "ちひろ"),
];

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = std::env::temp_dir().join(format!("tsunagaru-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open_dir(&dir).await.expect("a database");
    let pool = store.pool();
    let mut conn = pool.acquire().await.expect("a connection");
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
    let started = Instant::now();
    for i in 0..PERSONS {
        let (family, family_kana) = FAMILY[i % FAMILY.len()];
        let (given, given_kana) = GIVEN[(i / FAMILY.len()) % GIVEN.len()];
        // A number in the name keeps every row distinct, as real names are.
        let name = format!("{family} {given}{}", i % 997);
        let kana = format!("{family_kana} {given_kana}");
        sqlx::query(
            "INSERT INTO persons (name, kana, name_key, kana_key, phones, phone_keys, utilities, disability, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, '[]', '', '[]', '{}', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        )
        .bind(&name)
        .bind(&kana)
        .bind(search_key(&name))
        .bind(search_key(&kana))
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    println!(
        "{PERSONS} persons loaded in {:.1?} (index kept by triggers)",
        started.elapsed()
    );

    let queries = [
        "たかはし",
        "ささきち",
        "なかむらしょう",
        "こばやしゆ",
        "佐々木千",
    ];
    let mut fts_total = Duration::ZERO;
    let mut like_total = Duration::ZERO;
    for q in queries {
        let key = search_key(q);
        let phrase = format!("\"{}\"", key.replace('"', "\"\""));
        let like = format!("%{key}%");
        let (mut fts_n, mut like_n) = (0, 0);
        let t = Instant::now();
        for _ in 0..ROUNDS {
            fts_n = sqlx::query("SELECT COUNT(*) FROM persons WHERE id IN (SELECT rowid FROM persons_fts WHERE persons_fts MATCH $1)")
                .bind(&phrase)
                .fetch_one(&mut *conn)
                .await
                .unwrap()
                .get::<i64, _>(0);
        }
        let fts = t.elapsed() / ROUNDS;
        let t = Instant::now();
        for _ in 0..ROUNDS {
            like_n = sqlx::query(
                "SELECT COUNT(*) FROM persons WHERE name_key LIKE $1 OR kana_key LIKE $1",
            )
            .bind(&like)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get::<i64, _>(0);
        }
        let scan = t.elapsed() / ROUNDS;
        assert_eq!(fts_n, like_n, "{q}: both ways find the same persons");
        println!(
            "{q:<10} {fts_n:>6} found   trigram index {fts:>10.1?}   LIKE scan {scan:>10.1?}   scan/index {:>6.1}×",
            scan.as_secs_f64() / fts.as_secs_f64()
        );
        fts_total += fts;
        like_total += scan;
    }
    println!(
        "all queries: LIKE scan takes {:.1}× the time of the trigram index",
        like_total.as_secs_f64() / fts_total.as_secs_f64()
    );
    drop(conn);
    let _ = std::fs::remove_dir_all(&dir);
}
