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
    (27, include_str!("../migrations/0027_person_scope.sql")),
    (
        28,
        include_str!("../migrations/0028_persons_born_names.sql"),
    ),
    (29, include_str!("../migrations/0029_pack_sources.sql")),
    (
        30,
        include_str!("../migrations/0030_audit_head_follows.sql"),
    ),
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
pub(crate) mod tests {
    use crate::SqliteStore;

    /// A database directory of its own for one test, removed with
    /// everything in it when dropped (also when the test fails).
    pub(crate) struct ScratchDir(std::path::PathBuf);

    impl ScratchDir {
        pub(crate) fn new(name: &str) -> ScratchDir {
            ScratchDir(std::env::temp_dir().join(format!(
                "tsunagaru-{name}-{}-{}",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
            )))
        }
    }

    impl std::ops::Deref for ScratchDir {
        type Target = std::path::Path;
        fn deref(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The scope index's view and triggers leave out the handoff states the
    /// domain says do not involve the receiver, and only those.
    #[test]
    fn the_scope_index_leaves_out_the_states_the_domain_does() {
        let sql = include_str!("../migrations/0027_person_scope.sql");
        let list = format!(
            "state NOT IN ({})",
            tsunagaru_store::states_not_involving_receiver()
        );
        assert!(sql.contains(&list), "{list}");
        assert_eq!(
            sql.matches("state NOT IN (").count(),
            sql.matches(&list).count()
        );
    }

    /// Migration 25 indexes the phones of the persons already stored: one row
    /// per distinct key, none for a person without a phone.
    #[tokio::test]
    async fn the_phone_index_is_filled_from_the_persons_on_record() {
        let dir = ScratchDir::new("migration-phones");
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
    }

    /// Migration 27 fills the scope index from the records on record: the
    /// agencies of consultations, of handoffs that stand (not one returned)
    /// and of cases, and the index then agrees with them.
    #[tokio::test]
    async fn the_scope_index_is_filled_from_the_records_on_record() {
        use tsunagaru_store::Repository;
        let dir = ScratchDir::new("migration-scope");
        let store = SqliteStore::open_dir(&dir).await.unwrap();
        store
            .load_pack(
                &tsunagaru_pack::Pack::morioka(),
                tsunagaru_domain::audit::NewAuditEvent::new(
                    tsunagaru_domain::audit::AuditAction::PackLoaded,
                    "system",
                ),
            )
            .await
            .unwrap();
        let pool = store.pool();
        // A database from before the index: no table, no view, no triggers.
        let triggers: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name <> 'person_scope' AND sql LIKE '%person_scope%'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert_eq!(triggers.len(), 11, "{triggers:?}");
        for (name,) in triggers {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TRIGGER {name}")))
                .execute(pool)
                .await
                .unwrap();
        }
        sqlx::raw_sql(
            "DROP VIEW person_scope_sources;
             DROP TABLE person_scope;
             DELETE FROM schema_migrations WHERE version = 27;
             INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, updated_at) \
             VALUES (7, 'worker', '見本', 'staff', 'x', TRUE, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
             INSERT INTO persons (id, name, name_key, phones, phone_keys, utilities, disability, created_by, created_at, updated_at) \
             VALUES (1, '甲', '甲', '[]', '', '[]', '{}', 7, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
                    (2, '乙', '乙', '[]', '', '[]', '{}', 7, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
             INSERT INTO consultations (id, person_id, agency_id, user_id, method, received_on, concerns, chief_complaint, situation, created_at) \
             VALUES (1, 1, 1, 7, 'phone', '2026-11-01', '[]', '', '', '2026-11-01T00:00:00Z'),
                    (2, 2, 2, 7, 'phone', '2026-11-01', '[]', '', '', '2026-11-01T00:00:00Z');
             INSERT INTO handoffs (consultation_id, person_id, from_agency_id, to_agency_id, purpose, continue_at_origin, urgency, notes, \
                                   state, sent_on, sent_by, created_at, updated_at) \
             VALUES (1, 1, 1, 3, 'referral', FALSE, 'normal', '', 'returned', '2026-11-02', 7, '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z'),
                    (1, 1, 1, 4, 'referral', FALSE, 'normal', '', 'in_progress', '2026-11-02', 7, '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z');
             INSERT INTO cases (id, consultation_id, person_id, origin_agency_id, secretariat_agency_id, lead_user_id, state, opened_on, \
                                created_at, updated_at) \
             VALUES (1, 2, 2, 2, 5, 7, 'open', '2026-11-03', '2026-11-03T00:00:00Z', '2026-11-03T00:00:00Z');
             INSERT INTO case_agencies (case_id, agency_id) VALUES (1, 5);",
        )
        .execute(pool)
        .await
        .unwrap();
        super::run(pool).await.unwrap();
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT person_id, agency_id FROM person_scope ORDER BY 1, 2")
                .fetch_all(pool)
                .await
                .unwrap();
        assert_eq!(rows, vec![(1, 1), (1, 4), (2, 2), (2, 5)]);
        assert_eq!(store.person_scope_differences().await.unwrap(), vec![]);
        // And the check names a pair the index lost or holds wrongly.
        sqlx::raw_sql(
            "DELETE FROM person_scope WHERE person_id = 1 AND agency_id = 4;
             INSERT INTO person_scope (person_id, agency_id) VALUES (2, 3);",
        )
        .execute(pool)
        .await
        .unwrap();
        assert_eq!(
            store.person_scope_differences().await.unwrap(),
            vec![(1, 4), (2, 3)]
        );
    }

    /// Migration 19 rebuilds the users table: on a database whose users are
    /// referenced (a session here; agencies, consultations … alike), the references
    /// still hold after it and the new role is accepted.
    #[tokio::test]
    async fn rebuilding_users_keeps_every_reference() {
        let dir = ScratchDir::new("migration");
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
    }
}
