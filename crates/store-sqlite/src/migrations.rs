//! Schema migrations, applied in order at start, each in its own transaction.

use sqlx::SqlitePool;
use tsunagaru_store::StoreError;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/0001_directory_users_audit.sql"),
    ),
    (
        2,
        include_str!("../migrations/0002_persons_consultations.sql"),
    ),
    (3, include_str!("../migrations/0003_handoffs.sql")),
    (
        4,
        include_str!("../migrations/0004_department_agencies.sql"),
    ),
    (5, include_str!("../migrations/0005_cases_meetings.sql")),
    (
        6,
        include_str!("../migrations/0006_outreach_participation_community.sql"),
    ),
    (
        7,
        include_str!("../migrations/0007_person_search_index.sql"),
    ),
    (8, include_str!("../migrations/0008_case_event_meeting.sql")),
    (9, include_str!("../migrations/0009_report_indexes.sql")),
    (10, include_str!("../migrations/0010_trainings.sql")),
    (
        11,
        include_str!("../migrations/0011_event_participants.sql"),
    ),
    (12, include_str!("../migrations/0012_resource_history.sql")),
    (13, include_str!("../migrations/0013_agenda_topics.sql")),
    (14, include_str!("../migrations/0014_member_status.sql")),
    (
        15,
        include_str!("../migrations/0015_consultation_corrections.sql"),
    ),
    (16, include_str!("../migrations/0016_desk.sql")),
    (17, include_str!("../migrations/0017_no3_contacts.sql")),
    (18, include_str!("../migrations/0018_meetings_in_full.sql")),
    (19, include_str!("../migrations/0019_promoter_role.sql")),
    (20, include_str!("../migrations/0020_login_locks.sql")),
    (21, include_str!("../migrations/0021_password_change.sql")),
    (22, include_str!("../migrations/0022_idempotency_keys.sql")),
    (23, include_str!("../migrations/0023_second_factor.sql")),
    (
        24,
        include_str!("../migrations/0024_assessment_version.sql"),
    ),
    (25, include_str!("../migrations/0025_person_phones.sql")),
    (26, include_str!("../migrations/0026_directory_version.sql")),
];

pub(crate) async fn run(pool: &SqlitePool) -> Result<(), StoreError> {
    let fail = |e: sqlx::Error| StoreError::Migration(e.to_string());
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .execute(pool)
    .await
    .map_err(fail)?;
    for (version, sql) in MIGRATIONS {
        // SQLite's way to rebuild a table others reference (a CHECK cannot
        // be altered): foreign keys off outside the transaction, checked
        // with `foreign_key_check` before the commit, on again after it.
        let mut conn = pool.acquire().await.map_err(fail)?;
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut *conn)
            .await
            .map_err(fail)?;
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(fail)?;
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail)?;
        if done.is_none() {
            sqlx::raw_sql(*sql).execute(&mut *tx).await.map_err(fail)?;
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(fail)?;
            if let Some((table,)) = broken.first() {
                return Err(StoreError::Migration(format!(
                    "migration {version} leaves a broken reference in {table}"
                )));
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(chrono::Utc::now())
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        tx.commit().await.map_err(fail)?;
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut *conn)
            .await
            .map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;

    /// A database directory of its own for one test.
    fn scratch_dir(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "tsunagaru-{name}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ))
    }

    /// Migration 25 indexes the phones of the persons already stored: one row
    /// per distinct key, none for a person without a phone.
    #[tokio::test]
    async fn the_phone_index_is_filled_from_the_persons_on_record() {
        let dir = scratch_dir("migration-phones");
        let store = SqliteStore::open_dir(&dir).await.unwrap();
        let pool = store.pool();
        sqlx::raw_sql(
            "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, updated_at) \
             VALUES (7, 'worker', '見本', 'staff', 'x', TRUE, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
             INSERT INTO persons (id, name, name_key, phones, phone_keys, utilities, disability, created_by, created_at, updated_at) \
             VALUES (1, '甲', '甲', '[]', '0196001234 09011112222 0196001234', '[]', '{}', 7, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
                    (2, '乙', '乙', '[]', '', '[]', '{}', 7, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
             DROP TABLE person_phones;
             DELETE FROM schema_migrations WHERE version = 25;",
        )
        .execute(pool)
        .await
        .unwrap();
        super::run(pool).await.unwrap();
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT phone_key, person_id FROM person_phones ORDER BY phone_key")
                .fetch_all(pool)
                .await
                .unwrap();
        assert_eq!(
            rows,
            vec![("0196001234".to_owned(), 1), ("09011112222".to_owned(), 1)]
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Migration 19 rebuilds the users table: on a database whose users are
    /// referenced (a session here; agencies, consultations … alike), the references
    /// still hold after it and the new role is accepted.
    #[tokio::test]
    async fn rebuilding_users_keeps_every_reference() {
        let dir = scratch_dir("migration");
        let store = SqliteStore::open_dir(&dir).await.unwrap();
        let pool = store.pool();
        sqlx::raw_sql(
            "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, updated_at) \
             VALUES (7, 'worker', '見本', 'staff', 'x', TRUE, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
             INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at) \
             VALUES ('h', 7, 'web', 'c', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
             DELETE FROM schema_migrations WHERE version = 19;",
        )
        .execute(pool)
        .await
        .unwrap();
        super::run(pool).await.unwrap();
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(pool)
                .await
                .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
        let (linked,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = 7")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(linked, 1);
        sqlx::raw_sql(
            "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) \
             VALUES ('suishin', '推進員', 'promoter', 'x', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')",
        )
        .execute(pool)
        .await
        .unwrap();
        assert!(
            sqlx::raw_sql(
                "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) \
                 VALUES ('x', 'x', 'boss', 'x', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')",
            )
            .execute(pool)
            .await
            .is_err(),
            "the CHECK still holds"
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
