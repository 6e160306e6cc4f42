//! The binary as an administrator scripts it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tsunagaru(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsunagaru"))
        .args(args)
        .env_remove("TSUNAGARU_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run tsunagaru")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "tsunagaru-cli-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sqlite_file(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("tsunagaru.sqlite3").display())
}

#[tokio::test]
async fn audit_verify_passes_then_names_the_edited_row_on_sqlite() {
    let dir = TempDir::new("verify");
    let data = dir.0.to_str().unwrap();
    for _ in 0..3 {
        let reload = tsunagaru(&["pack", "reload", "--data", data]);
        assert!(reload.status.success(), "{}", text(&reload.stderr));
        assert!(text(&reload.stdout).contains("盛岡市 のパックを読み込みました"));
    }
    let ok = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("3 件"), "{}", text(&ok.stdout));

    let pool = sqlx::SqlitePool::connect(&sqlite_file(&dir.0))
        .await
        .unwrap();
    sqlx::raw_sql("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET detail = 'edited' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let broken = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(broken.status.code(), Some(2));
    let message = text(&broken.stderr);
    assert!(message.contains("通番 2"), "{message}");
}

#[tokio::test]
async fn audit_verify_works_on_postgres_through_database_url() {
    let base = std::env::var("TSUNAGARU_TEST_POSTGRES_URL")
        .expect("TSUNAGARU_TEST_POSTGRES_URL is not set: run the tests with scripts/test");
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    let name = format!(
        "cli_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let url = format!("{prefix}/{name}");
    let reload = tsunagaru(&["pack", "reload", "--database", &url]);
    assert!(reload.status.success(), "{}", text(&reload.stderr));
    assert_eq!(
        tsunagaru(&["audit", "verify", "--database", &url])
            .status
            .code(),
        Some(0)
    );
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql("ALTER TABLE audit_events DISABLE TRIGGER USER; UPDATE audit_events SET actor = 'x' WHERE seq = 1")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let broken = tsunagaru(&["audit", "verify", "--database", &url]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        text(&broken.stderr).contains("通番 1"),
        "{}",
        text(&broken.stderr)
    );
}

#[test]
fn a_database_url_that_is_not_postgres_is_refused_clearly() {
    let out = tsunagaru(&["audit", "verify", "--database", "mysql://x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("postgres:// で始まる URL を指定してください"));
}

#[test]
fn pack_check_reads_a_municipalitys_own_pack_directory() {
    let ok = tsunagaru(&["pack", "check"]);
    assert!(ok.status.success());
    assert!(
        text(&ok.stdout).contains("盛岡市: 機関 34、関係各課 33"),
        "{}",
        text(&ok.stdout)
    );
    let dir = TempDir::new("pack");
    let packs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/morioka");
    for file in std::fs::read_dir(&packs).unwrap() {
        let file = file.unwrap().path();
        std::fs::copy(&file, dir.0.join(file.file_name().unwrap())).unwrap();
    }
    let csv = std::fs::read_to_string(dir.0.join("catchment_towns.csv")).unwrap();
    std::fs::write(
        dir.0.join("catchment_towns.csv"),
        format!("{csv}no-such-center,1,どこか町\n"),
    )
    .unwrap();
    let bad = tsunagaru(&["pack", "check", "--pack", dir.0.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("catchment_towns.csv: 機関 key「no-such-center」（町名 どこか町）が agencies.toml にありません"), "{}", text(&bad.stderr));
}

#[test]
fn serve_starts_creates_the_admin_and_answers_health() {
    let dir = TempDir::new("serve");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagaru"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data",
            dir.0.to_str().unwrap(),
        ])
        .env_remove("TSUNAGARU_DATABASE_URL")
        .env_remove("TSUNAGARU_ADMIN_PASSWORD")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut answered = false;
    for _ in 0..100 {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            answered = response.starts_with("HTTP/1.1 200") && response.ends_with("ok");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(answered, "the server answered /healthz");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(
            "管理者ユーザー admin を作成しました。初期パスワード（この一度だけ表示します）: Tg-"
        ),
        "{stdout}"
    );
    assert!(dir.0.join("tsunagaru.sqlite3").exists());
    // The chain's head was signed outside the database at start.
    let checkpoints = std::fs::read_to_string(dir.0.join("audit-checkpoints.log")).unwrap();
    assert_eq!(checkpoints.lines().count(), 1, "{checkpoints}");
    assert!(dir.0.join("audit.key").exists());
}

#[test]
fn address_route_reads_stdin_and_writes_one_json_object_per_line() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagaru"))
        .args(["address", "route"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            "盛岡市高松四丁目5-1\r\n岩手県滝沢市鵜飼\n\n盛岡市北飯岡四丁目8番50号\n".as_bytes(),
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["routed", "outside", "invalid", "ambiguous"]);
    assert_eq!(lines[0]["center"], "松園・緑が丘地域包括支援センター");
    assert_eq!(lines[0]["input"], "盛岡市高松四丁目5-1");
    assert_eq!(lines[3]["candidates"].as_array().unwrap().len(), 2);
}

#[test]
fn address_check_lists_the_discrepancies_with_their_decisions() {
    let out = tsunagaru(&["address", "check"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("[表記の読み替え] 計画の「鉦屋町」"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[計画にない町名] 日本郵便の「愛宕下」 → unregistered と答える"),
        "{stdout}"
    );
}

#[test]
fn report_annual_writes_the_year_as_json_csv_and_xlsx_and_is_audited() {
    let dir = TempDir::new("report");
    let data = dir.0.to_str().unwrap();
    let reload = tsunagaru(&["pack", "reload", "--data", data]);
    assert!(reload.status.success(), "{}", text(&reload.stderr));
    let json = tsunagaru(&[
        "report",
        "annual",
        "--fiscal-year",
        "令和7年度",
        "--format",
        "json",
        "--data",
        data,
    ]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["fiscal_year"], 2025);
    assert_eq!(value["from"], "2025-04-01");
    assert_eq!(value["whole_city"], true);
    assert_eq!(value["consultations"]["total"], 0);
    let csv = tsunagaru(&[
        "report",
        "annual",
        "--fiscal-year",
        "2025",
        "--format",
        "csv",
        "--data",
        data,
    ]);
    assert!(csv.status.success());
    assert!(text(&csv.stdout).starts_with('\u{feff}'));
    assert!(text(&csv.stdout).contains("区分,項目,件数\r\n"));
    let out = dir.0.join("jisseki.xlsx");
    let xlsx = tsunagaru(&[
        "report",
        "annual",
        "--fiscal-year",
        "R7",
        "--format",
        "xlsx",
        "--output",
        out.to_str().unwrap(),
        "--data",
        data,
    ]);
    assert!(xlsx.status.success(), "{}", text(&xlsx.stderr));
    assert_eq!(&std::fs::read(&out).unwrap()[..2], b"PK");
    let bad = tsunagaru(&["report", "annual", "--fiscal-year", "来年", "--data", data]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("年度"), "{}", text(&bad.stderr));
    // The three reads are in the audit trail, and it still verifies.
    let ok = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("4 件"), "{}", text(&ok.stdout));
}

/// `tsunagaru backup` while another writer keeps writing, then `restore`:
/// every write acknowledged before the backup began is in the restored
/// database and its audit chain verifies; a restore never overwrites, and
/// a tampered backup is refused with nothing placed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_record() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use tsunagaru_domain::{AuditAction, NewAuditEvent};
    use tsunagaru_store::Repository;
    use tsunagaru_store_sqlite::SqliteStore;

    let dir = TempDir::new("backup");
    let data = dir.0.join("data");
    let store = Arc::new(SqliteStore::open_dir(&data).await.unwrap());
    let acked = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
        async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                store
                    .append_audit(
                        NewAuditEvent::new(AuditAction::ReportViewed, "load")
                            .detail(format!("{n}")),
                    )
                    .await
                    .unwrap();
                n += 1;
                acked.store(n, Ordering::SeqCst);
            }
        }
    });
    while acked.load(Ordering::SeqCst) < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before = acked.load(Ordering::SeqCst);
    let backup_file = dir.0.join("backup.sqlite3");
    let (data_arg, out_arg) = (
        data.to_str().unwrap().to_owned(),
        backup_file.to_str().unwrap().to_owned(),
    );
    let taken = tokio::task::spawn_blocking(move || {
        tsunagaru(&["backup", "--data", &data_arg, "--output", &out_arg])
    })
    .await
    .unwrap();
    let during = acked.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(taken.status.success(), "{}", text(&taken.stderr));
    assert!(
        text(&taken.stdout).contains("バックアップを作成しました"),
        "{}",
        text(&taken.stdout)
    );
    assert!(during > before, "the writer kept writing during the backup");
    // Never over an existing file.
    let again = tsunagaru(&[
        "backup",
        "--data",
        data.to_str().unwrap(),
        "--output",
        backup_file.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("上書きしない"));

    let restored = dir.0.join("restored");
    let done = tsunagaru(&[
        "restore",
        "--input",
        backup_file.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert!(text(&done.stdout).contains("ハッシュチェーンを確認しました"));
    let pool = sqlx::SqlitePool::connect(&sqlite_file(&restored))
        .await
        .unwrap();
    let loads: Vec<(String,)> =
        sqlx::query_as("SELECT detail FROM audit_events WHERE actor = 'load'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let present: std::collections::HashSet<i64> =
        loads.iter().filter_map(|(d,)| d.parse().ok()).collect();
    for n in 0..before {
        assert!(
            present.contains(&n),
            "acknowledged write {n} is missing from the backup"
        );
    }
    let actions: Vec<(String,)> = sqlx::query_as(
        "SELECT action FROM audit_events WHERE action IN ('backup_created', 'backup_restored') ORDER BY seq",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            ("backup_created".to_owned(),),
            ("backup_restored".to_owned(),)
        ]
    );
    pool.close().await;
    let verified = tsunagaru(&["audit", "verify", "--data", restored.to_str().unwrap()]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    // A restore never overwrites a database.
    let over = tsunagaru(&[
        "restore",
        "--input",
        backup_file.to_str().unwrap(),
        "--data",
        restored.to_str().unwrap(),
    ]);
    assert!(!over.status.success());
    assert!(
        text(&over.stderr).contains("上書きしない"),
        "{}",
        text(&over.stderr)
    );

    // A backup whose audit trail was edited is refused, and nothing is placed.
    let tampered = dir.0.join("tampered.sqlite3");
    std::fs::copy(&backup_file, &tampered).unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", tampered.display()))
        .await
        .unwrap();
    sqlx::raw_sql("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET detail = 'edited' WHERE seq = 5")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let elsewhere = dir.0.join("elsewhere");
    let refused = tsunagaru(&[
        "restore",
        "--input",
        tampered.to_str().unwrap(),
        "--data",
        elsewhere.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stdout));
    assert!(
        text(&refused.stderr).contains("監査ログの検査で問題"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!elsewhere.join("tsunagaru.sqlite3").exists());
    // A file that is not a database is refused too.
    let junk = dir.0.join("junk.sqlite3");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let refused = tsunagaru(&[
        "restore",
        "--input",
        junk.to_str().unwrap(),
        "--data",
        elsewhere.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!elsewhere.join("tsunagaru.sqlite3").exists());
}

/// Rows deleted at the end with the head rewritten, or a row deleted and the
/// chain recomputed, pass the chain's own check; the checkpoints signed
/// outside the database find both and say from which row. A forged
/// checkpoint line is refused.
#[tokio::test]
async fn audit_verify_finds_truncation_and_recomputation_against_the_checkpoints() {
    use tsunagaru_domain::AuditEvent;
    use tsunagaru_store::Repository;

    let reload = |data: &str, times: usize| {
        for _ in 0..times {
            let r = tsunagaru(&["pack", "reload", "--data", data]);
            assert!(r.status.success(), "{}", text(&r.stderr));
        }
    };
    let checkpoint = |data: &str| {
        let r = tsunagaru(&["audit", "checkpoint", "--data", data]);
        assert!(r.status.success(), "{}", text(&r.stderr));
        text(&r.stdout)
    };
    // Truncation: rows 4 and 5 deleted, the head set back to row 3.
    let dir = TempDir::new("anchor-cut");
    let data = dir.0.to_str().unwrap();
    reload(data, 3);
    assert!(checkpoint(data).contains("通番 3"));
    reload(data, 2);
    checkpoint(data);
    assert!(checkpoint(data).contains("増えていません"));
    let ok = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("チェックポイント 2 件と照合"),
        "{}",
        text(&ok.stdout)
    );
    let pool = sqlx::SqlitePool::connect(&sqlite_file(&dir.0))
        .await
        .unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq > 3; \
         UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_events WHERE seq = 3)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let cut = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(cut.status.code(), Some(2), "{}", text(&cut.stdout));
    assert!(
        text(&cut.stderr).contains("通番 4 以降が削除"),
        "{}",
        text(&cut.stderr)
    );

    // Recomputation: row 2 deleted, the later rows renumbered and rehashed.
    let dir = TempDir::new("anchor-rewrite");
    let data = dir.0.to_str().unwrap();
    reload(data, 3);
    checkpoint(data);
    reload(data, 2);
    checkpoint(data);
    let store = tsunagaru_store_sqlite::SqliteStore::open_dir(&dir.0)
        .await
        .unwrap();
    let events: Vec<AuditEvent> = store.audit_events(0, 100).await.unwrap();
    let pool = store.pool().clone();
    sqlx::raw_sql("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events")
        .execute(&pool)
        .await
        .unwrap();
    let mut prev = tsunagaru_domain::GENESIS_HASH.to_owned();
    let mut seq = 0;
    for mut e in events.into_iter().filter(|e| e.seq != 2) {
        seq += 1;
        e.seq = seq;
        e.prev_hash = prev.clone();
        e.hash = e.compute_hash();
        prev = e.hash.clone();
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor_user_id, actor, action, record_type, record_id, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.seq)
        .bind(e.at)
        .bind(e.actor_user_id)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.record_type)
        .bind(e.record_id)
        .bind(e.detail)
        .bind(e.prev_hash)
        .bind(e.hash)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2")
        .bind(seq)
        .bind(prev)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // Without the checkpoints the rewritten chain would pass.
    let key = dir.0.join("audit.key");
    let hidden = dir.0.join("audit.key.away");
    std::fs::rename(&key, &hidden).unwrap();
    let unanchored = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(
        unanchored.status.code(),
        Some(0),
        "{}",
        text(&unanchored.stderr)
    );
    std::fs::rename(&hidden, &key).unwrap();
    let rewritten = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(
        rewritten.status.code(),
        Some(2),
        "{}",
        text(&rewritten.stdout)
    );
    let message = text(&rewritten.stderr);
    assert!(
        message.contains("通番 3 のハッシュがチェックポイントと一致しません"),
        "{message}"
    );
    assert!(message.contains("通番 1 から 3 の間"), "{message}");

    // A checkpoint line edited without the key is refused.
    let log = dir.0.join("audit-checkpoints.log");
    let lines = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, lines.replacen("\t", "\t0", 1)).unwrap();
    let forged = tsunagaru(&["audit", "verify", "--data", data]);
    assert_eq!(forged.status.code(), Some(2));
    assert!(
        text(&forged.stderr).contains("1 行目は署名が合いません"),
        "{}",
        text(&forged.stderr)
    );
}

/// One HTTP/1.1 request with `Connection: close`: the status and the body.
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn start_server(data: &Path, port: u16) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagaru"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data",
            data.to_str().unwrap(),
        ])
        .env_remove("TSUNAGARU_DATABASE_URL")
        .env("TSUNAGARU_ADMIN_PASSWORD", "Kitakami-Kanri-2026!")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// Writes under load, `SIGKILL`, restart: every write the server
/// acknowledged is there and the audit chain (with its checkpoints) verifies.
#[test]
fn every_acknowledged_write_survives_sigkill() {
    let dir = TempDir::new("crash");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = start_server(&dir.0, port);
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/auth/login",
        None,
        r#"{"username": "admin", "password": "Kitakami-Kanri-2026!"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let token: String = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Two writers create users until the server is killed under them.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (token, acknowledged) = (token.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let name = format!("crash-{w}-{i}");
                    let body = format!(
                        r#"{{"username": "{name}", "password": "Sakura-Yama-2026#", "display_name": "試験", "role": "staff", "agency_ids": [1]}}"#
                    );
                    let (status, _) = http(port, "POST", "/api/v1/users", Some(&token), &body);
                    if status != 201 {
                        break;
                    }
                    acknowledged.lock().unwrap().push(name);
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 40 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    // Restart: the server comes up on the same data and answers.
    let mut again = start_server(&dir.0, port);
    let (status, _) = http(port, "GET", "/healthz", None, "");
    assert_eq!(status, 200);
    again.kill().unwrap();
    again.wait().unwrap();
    let verified = tsunagaru(&["audit", "verify", "--data", dir.0.to_str().unwrap()]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    assert!(
        text(&verified.stdout).contains("チェックポイント"),
        "{}",
        text(&verified.stdout)
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let names: Vec<(String,)> = runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&sqlite_file(&dir.0))
            .await
            .unwrap();
        let rows = sqlx::query_as("SELECT username FROM users WHERE username LIKE 'crash-%'")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows
    });
    let present: std::collections::HashSet<String> = names.into_iter().map(|(n,)| n).collect();
    for name in &acknowledged {
        assert!(
            present.contains(name),
            "{name} was acknowledged but is gone"
        );
    }
    assert!(acknowledged.len() >= 40);
}

/// The day the synth runs take as today: long past, so that a run that
/// ignored it and dated the sheets by the system's date would fail.
const SYNTH_TODAY: &str = "2024-03-29";

/// `tsunagaru synth`: fictional persons written in batches through the
/// application, as a saved sheet leaves them; the same seed gives the same
/// data set, and the audit chain holds one event per batch and verifies.
#[tokio::test]
async fn synth_writes_a_fictional_data_set_in_batches_and_the_same_seed_gives_the_same() {
    let first = TempDir::new("synth-a");
    let second = TempDir::new("synth-b");
    let other = TempDir::new("synth-c");
    let run = |dir: &TempDir, seed: &str| {
        tsunagaru(&[
            "synth",
            "--persons",
            "120",
            "--notes-per-person",
            "2",
            "--batch",
            "50",
            "--seed",
            seed,
            "--today",
            SYNTH_TODAY,
            "--data",
            dir.0.to_str().unwrap(),
        ])
    };
    let out = run(&first, "7");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("架空の相談対象者 120 人"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("120 / 120 人"),
        "progress: {}",
        text(&out.stderr)
    );
    assert!(run(&second, "7").status.success());
    assert!(run(&other, "8").status.success());

    let persons = |dir: &TempDir| {
        let url = sqlite_file(&dir.0);
        async move {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let rows: Vec<(String, String, String, String)> =
                sqlx::query_as("SELECT name, kana, birth_date, address FROM persons ORDER BY id")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            pool.close().await;
            rows
        }
    };
    let a = persons(&first).await;
    assert_eq!(a.len(), 120);
    assert_eq!(a, persons(&second).await, "the same seed, the same persons");
    assert_ne!(a, persons(&other).await, "another seed, other persons");
    assert!(a.iter().all(|(name, kana, _, address)| name.contains(' ')
        && kana.chars().all(|c| c == ' ' || ('ぁ'..='ゖ').contains(&c))
        && address.starts_with("盛岡市")));

    let pool = sqlx::SqlitePool::connect(&sqlite_file(&first.0))
        .await
        .unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
            n
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM consultations").await, 120);
    assert_eq!(count("SELECT COUNT(*) FROM progress_notes").await, 240);
    // Every person is in the scope of the agency that took the sheet.
    assert_eq!(
        count("SELECT COUNT(*) FROM consultations c WHERE NOT EXISTS \
               (SELECT 1 FROM person_scope s WHERE s.person_id = c.person_id AND s.agency_id = c.agency_id)")
            .await,
        0
    );
    // Three batches (50, 50, 20), one event each; the sheets are spread over
    // three 年度 and none lies after today.
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_events WHERE action = 'intakes_imported'").await,
        3
    );
    // "Today" is the one the run was given (`--today`): the application's
    // clock stamps the sheets on that day (10:00 in Japan is 01:00 UTC), and
    // the sheets lie in the three 年度 up to it, whatever day this test runs.
    let (first_day, last_day, written_at): (String, String, String) = sqlx::query_as(
        "SELECT MIN(received_on), MAX(received_on), MAX(created_at) FROM consultations",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert!(
        written_at.starts_with(&format!("{SYNTH_TODAY}T01:")),
        "{written_at}"
    );
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let today = day(SYNTH_TODAY);
    assert!(day(&last_day) <= today, "{last_day} after {today}");
    assert!(
        day(&first_day) >= today - chrono::Days::new(3 * 365),
        "{first_day} before the three 年度"
    );
    assert!(
        (day(&last_day) - day(&first_day)).num_days() > 365,
        "{first_day}..{last_day}"
    );
    let verify = tsunagaru(&["audit", "verify", "--data", first.0.to_str().unwrap()]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stderr));
}

/// A running server follows `pack reload` (by any process on the
/// database) without a restart, and a server started later with other files
/// keeps the stored pack and says so.
#[test]
fn a_running_server_follows_a_pack_reload_and_a_restart_keeps_the_stored_pack() {
    let dir = TempDir::new("follow-pack");
    let data = dir.0.to_str().unwrap();
    // The city's edited pack: the embedded files with another name.
    let edited = dir.0.join("pack");
    std::fs::create_dir_all(&edited).unwrap();
    let packs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/morioka");
    for entry in std::fs::read_dir(&packs).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, edited.join(path.file_name().unwrap())).unwrap();
    }
    let toml = std::fs::read_to_string(edited.join("municipality.toml")).unwrap();
    assert!(toml.contains("name = \"盛岡市\""));
    std::fs::write(
        edited.join("municipality.toml"),
        toml.replacen("name = \"盛岡市\"", "name = \"もりおか市\"", 1),
    )
    .unwrap();

    let server = Server::start(data, &[]);
    assert!(server.login_page().contains("盛岡市"));
    let reload = tsunagaru(&[
        "pack",
        "reload",
        "--data",
        data,
        "--pack",
        edited.to_str().unwrap(),
    ]);
    assert!(reload.status.success(), "{}", text(&reload.stderr));
    assert!(text(&reload.stdout).contains("秒以内にこのパックを使います"));
    // Within the check interval (5 s), with room for a slow machine.
    let followed = (0..300).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        server.login_page().contains("もりおか市")
    });
    let output = server.stop();
    assert!(
        followed,
        "the running server took up the stored pack: {output}"
    );
    assert!(
        output.contains("もりおか市 の自治体パック（版 2）を使います"),
        "{output}"
    );

    // Started again with the embedded files: the stored pack stays in use.
    let server = Server::start(data, &[]);
    let page = server.login_page();
    let output = server.stop();
    assert!(page.contains("もりおか市"), "{page}");
    assert!(
        output.contains("データベースに読み込まれているパックと異なります"),
        "{output}"
    );
}

/// `tsunagaru serve` on a data directory and a free port, stopped (and its
/// output read) by [`Server::stop`].
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(data: &str, extra: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_tsunagaru"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data",
                data,
            ])
            .args(extra)
            .env_remove("TSUNAGARU_DATABASE_URL")
            .env_remove("TSUNAGARU_ADMIN_PASSWORD")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the server did not start: {}", server.stop());
    }

    /// The sign-in page's HTML, which names the municipality.
    fn login_page(&self) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    /// Stops the server and gives what it printed.
    fn stop(mut self) -> String {
        self.child.kill().unwrap();
        let output = self.child.wait_with_output().unwrap();
        text(&output.stdout)
    }
}
