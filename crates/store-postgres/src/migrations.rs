//! Schema migrations, applied in order at start under the write lock.

use sqlx::PgPool;
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
    (
        29,
        include_str!("../migrations/0029_person_scope_insert_adds.sql"),
    ),
    (30, include_str!("../migrations/0030_pack_sources.sql")),
    (
        31,
        include_str!("../migrations/0031_audit_head_follows.sql"),
    ),
];

pub(crate) async fn run(pool: &PgPool) -> Result<(), StoreError> {
    let fail = |e: sqlx::Error| StoreError::Migration(e.to_string());
    let mut tx = pool.begin().await.map_err(fail)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(super::WRITE_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    )
    .execute(&mut *tx)
    .await
    .map_err(fail)?;
    for (version, sql) in MIGRATIONS {
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail)?;
        if done.is_none() {
            sqlx::raw_sql(*sql).execute(&mut *tx).await.map_err(fail)?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())")
                .bind(*version)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
    }
    tx.commit().await.map_err(fail)
}

#[cfg(test)]
mod tests {
    /// The scope index's view and triggers leave out the handoff states the
    /// domain says do not involve the receiver, and only those.
    #[test]
    fn the_scope_index_leaves_out_the_states_the_domain_does() {
        let list = format!(
            "state NOT IN ({})",
            tsunagaru_store::states_not_involving_receiver()
        );
        for sql in [
            include_str!("../migrations/0027_person_scope.sql"),
            include_str!("../migrations/0029_person_scope_insert_adds.sql"),
        ] {
            assert!(sql.contains(&list), "{list}");
            assert_eq!(
                sql.matches("state NOT IN (").count(),
                sql.matches(&list).count()
            );
        }
    }
}
