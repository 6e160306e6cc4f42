//! The SQL both backends share.
//!
//! SQLite and PostgreSQL accept the same `$1` placeholders, `ON CONFLICT …
//! DO UPDATE` and `RETURNING`, so the queries are written once here and
//! instantiated for each backend by [`impl_sql_repository!`]. What differs
//! stays in the backend crates: the schema (types, triggers), connection
//! settings, and how a write transaction is begun (`BEGIN IMMEDIATE` on
//! SQLite, an advisory lock on PostgreSQL), which is what keeps the audit
//! chain strictly sequential.

/// Implements [`crate::Repository`] for `$store`, a struct with a
/// `pool: sqlx::Pool<$db>` field and an inherent
/// `async fn begin_write(&self) -> Result<sqlx::Transaction<'static, $db>, sqlx::Error>`.
#[macro_export]
macro_rules! impl_sql_repository {
    ($store:ty, $db:ty, $backend:expr) => {
        mod __sql_repository {
            use super::*;
            use $crate::__private::*;

            type Tx = sqlx::Transaction<'static, $db>;

            fn db_error(e: sqlx::Error) -> StoreError {
                StoreError::Database(e.to_string())
            }

            /// Appends one event to the chain inside a write transaction.
            async fn append_in(tx: &mut Tx, event: NewAuditEvent) -> Result<AuditEvent, StoreError> {
                let head: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_error)?;
                let (seq, prev) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
                let sealed = event.seal(seq + 1, Utc::now(), &prev);
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
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
                sqlx::query(
                    "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) \
                     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                )
                .bind(sealed.seq)
                .bind(sealed.hash.clone())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
                Ok(sealed)
            }

            async fn agency_ids_of(pool: &sqlx::Pool<$db>, user_id: i64) -> Result<Vec<i64>, StoreError> {
                let rows: Vec<(i64,)> = sqlx::query_as(
                    "SELECT agency_id FROM user_agencies WHERE user_id = $1 ORDER BY agency_id",
                )
                .bind(user_id)
                .fetch_all(pool)
                .await
                .map_err(db_error)?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            const USER_COLUMNS: &str = "id, username, display_name, role, active, created_at";
            const AGENCY_SELECT: &str = "SELECT id, key, name, category, operator, address, fields, programmes, department_no, consultation, hub_type, catchment_areas, funding, secretariat, source, active FROM agencies";
            const AUDIT_SELECT: &str = "SELECT seq, at, actor_user_id, actor, action, record_type, record_id, detail, prev_hash, hash FROM audit_events";

            #[async_trait::async_trait]
            impl Repository for $store {
                fn backend(&self) -> Backend {
                    $backend
                }

                async fn load_pack(&self, pack: &Pack, audit: NewAuditEvent) -> Result<PackLoadReport, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let mut report = PackLoadReport::default();
                    for d in &pack.departments {
                        sqlx::query(
                            "INSERT INTO departments (no, group_name, division, name, main_content, consultation, community) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7) \
                             ON CONFLICT (no) DO UPDATE SET group_name = excluded.group_name, division = excluded.division, \
                             name = excluded.name, main_content = excluded.main_content, \
                             consultation = excluded.consultation, community = excluded.community",
                        )
                        .bind(i64::from(d.no))
                        .bind(d.group.clone())
                        .bind(d.division.clone())
                        .bind(d.name.clone())
                        .bind(d.main_content.clone())
                        .bind(d.consultation)
                        .bind(d.community)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        report.departments += 1;
                    }
                    let existing: Vec<(String, bool)> = sqlx::query_as("SELECT key, active FROM agencies")
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    for a in &pack.agencies {
                        sqlx::query(
                            "INSERT INTO agencies (key, name, category, operator, address, fields, programmes, department_no, \
                             consultation, hub_type, catchment_areas, funding, secretariat, source, active) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, TRUE) \
                             ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, \
                             operator = excluded.operator, address = excluded.address, fields = excluded.fields, \
                             programmes = excluded.programmes, department_no = excluded.department_no, \
                             consultation = excluded.consultation, hub_type = excluded.hub_type, \
                             catchment_areas = excluded.catchment_areas, funding = excluded.funding, \
                             secretariat = excluded.secretariat, source = excluded.source, active = TRUE",
                        )
                        .bind(a.key.clone())
                        .bind(a.name.clone())
                        .bind(a.category.clone())
                        .bind(a.operator.clone())
                        .bind(a.address.clone())
                        .bind(codes(&a.fields, Field::code))
                        .bind(codes(&a.programmes, Programme::code))
                        .bind(i64::from(a.department_no))
                        .bind(a.consultation)
                        .bind(a.hub_type.map(|h| h.code()))
                        .bind(a.catchment_areas.join("・"))
                        .bind(a.funding.clone())
                        .bind(a.secretariat)
                        .bind(a.source.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        if existing.iter().any(|(key, _)| key == &a.key) {
                            report.agencies_updated += 1;
                        } else {
                            report.agencies_added += 1;
                        }
                    }
                    for (key, active) in &existing {
                        if *active && !pack.agencies.iter().any(|a| &a.key == key) {
                            sqlx::query("UPDATE agencies SET active = FALSE WHERE key = $1")
                                .bind(key.clone())
                                .execute(&mut *tx)
                                .await
                                .map_err(db_error)?;
                            report.agencies_deactivated += 1;
                        }
                    }
                    sqlx::query("DELETE FROM catchment_towns").execute(&mut *tx).await.map_err(db_error)?;
                    for t in &pack.catchment_towns {
                        sqlx::query(
                            "INSERT INTO catchment_towns (agency_id, position, town) \
                             SELECT id, $2, $3 FROM agencies WHERE key = $1",
                        )
                        .bind(t.agency_key.clone())
                        .bind(i64::from(t.position))
                        .bind(t.town.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        report.catchment_towns += 1;
                    }
                    sqlx::query("DELETE FROM network_members").execute(&mut *tx).await.map_err(db_error)?;
                    for (i, m) in pack.network_members.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO network_members (position, field, organization, unit) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(i as i64 + 1)
                        .bind(m.field.clone())
                        .bind(m.organization.clone())
                        .bind(m.unit.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        report.network_members += 1;
                    }
                    sqlx::query(
                        "INSERT INTO settings (name, value) VALUES ('municipality', $1) \
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    )
                    .bind(pack.municipality.name.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    append_in(&mut tx, audit).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(report)
                }

                async fn loaded_municipality(&self) -> Result<Option<String>, StoreError> {
                    let row: Option<(String,)> =
                        sqlx::query_as("SELECT value FROM settings WHERE name = 'municipality'")
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(row.map(|(v,)| v))
                }

                async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
                    let rows: Vec<AgencyRow> =
                        sqlx::query_as(AssertSqlSafe(format!("{AGENCY_SELECT} ORDER BY id")))
                            .fetch_all(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(rows.into_iter().map(Agency::from).collect())
                }

                async fn agency(&self, id: i64) -> Result<Option<Agency>, StoreError> {
                    let row: Option<AgencyRow> =
                        sqlx::query_as(AssertSqlSafe(format!("{AGENCY_SELECT} WHERE id = $1")))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(row.map(Agency::from))
                }

                async fn departments(&self) -> Result<Vec<Department>, StoreError> {
                    sqlx::query_as(
                        "SELECT id, no, group_name, division, name, main_content, consultation, community \
                         FROM departments ORDER BY no",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn catchment_towns(&self, agency_id: i64) -> Result<Vec<String>, StoreError> {
                    let rows: Vec<(String,)> = sqlx::query_as(
                        "SELECT town FROM catchment_towns WHERE agency_id = $1 ORDER BY position",
                    )
                    .bind(agency_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    Ok(rows.into_iter().map(|(t,)| t).collect())
                }

                async fn network_members(&self) -> Result<Vec<NetworkMember>, StoreError> {
                    sqlx::query_as("SELECT position, field, organization, unit FROM network_members ORDER BY position")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_error)
                }

                async fn create_user(&self, user: NewUser, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = Utc::now();
                    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                        "INSERT INTO users (username, display_name, role, password_hash, active, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING id",
                    )
                    .bind(user.username.as_str().to_owned())
                    .bind(user.display_name.clone())
                    .bind(user.role.code())
                    .bind(user.password_hash.clone())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await;
                    let (id,) = match inserted {
                        Ok(row) => row,
                        Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                            return Err(StoreError::Conflict(format!(
                                "ユーザー名「{}」は既に使われています",
                                user.username
                            )));
                        }
                        Err(e) => return Err(db_error(e)),
                    };
                    for agency_id in &user.agency_ids {
                        sqlx::query("INSERT INTO user_agencies (user_id, agency_id) VALUES ($1, $2)")
                            .bind(id)
                            .bind(*agency_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    }
                    append_in(&mut tx, audit.record("user", id)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(id)
                }

                async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
                    let row: Option<UserRow> =
                        sqlx::query_as(AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    match row {
                        Some(row) => Ok(Some(row.into_user(agency_ids_of(&self.pool, id).await?))),
                        None => Ok(None),
                    }
                }

                async fn user_credentials(&self, username: &Username) -> Result<Option<UserCredentials>, StoreError> {
                    let row: Option<(String,)> =
                        sqlx::query_as("SELECT password_hash FROM users WHERE username = $1")
                            .bind(username.as_str().to_owned())
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    let Some((password_hash,)) = row else { return Ok(None) };
                    let user: UserRow =
                        sqlx::query_as(AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1")))
                            .bind(username.as_str().to_owned())
                            .fetch_one(&self.pool)
                            .await
                            .map_err(db_error)?;
                    let agencies = agency_ids_of(&self.pool, user.id).await?;
                    Ok(Some(UserCredentials { user: user.into_user(agencies), password_hash }))
                }

                async fn users(&self) -> Result<Vec<User>, StoreError> {
                    let rows: Vec<UserRow> =
                        sqlx::query_as(AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY id")))
                            .fetch_all(&self.pool)
                            .await
                            .map_err(db_error)?;
                    let memberships: Vec<(i64, i64)> =
                        sqlx::query_as("SELECT user_id, agency_id FROM user_agencies ORDER BY user_id, agency_id")
                            .fetch_all(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(rows
                        .into_iter()
                        .map(|row| {
                            let ids = memberships.iter().filter(|(u, _)| *u == row.id).map(|(_, a)| *a).collect();
                            row.into_user(ids)
                        })
                        .collect())
                }

                async fn set_user_active(&self, id: i64, active: bool, audit: NewAuditEvent) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let changed = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
                        .bind(active)
                        .bind(Utc::now())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected()
                        > 0;
                    if changed {
                        if !active {
                            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                                .bind(id)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_error)?;
                        }
                        append_in(&mut tx, audit.record("user", id)).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(changed)
                }

                async fn login_throttle(&self, username: &str) -> Result<LoginThrottle, StoreError> {
                    let row: Option<(i64, Option<DateTime<Utc>>)> =
                        sqlx::query_as("SELECT failures, locked_until FROM login_throttles WHERE username = $1")
                            .bind(username.to_owned())
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(row.map_or_else(LoginThrottle::default, |(failures, locked_until)| LoginThrottle {
                        failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        locked_until,
                    }))
                }

                async fn record_login_attempt(
                    &self,
                    username: &str,
                    throttle: LoginThrottle,
                    audit: Option<NewAuditEvent>,
                ) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query(
                        "INSERT INTO login_throttles (username, failures, locked_until) VALUES ($1, $2, $3) \
                         ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until",
                    )
                    .bind(username.to_owned())
                    .bind(i64::from(throttle.failures))
                    .bind(throttle.locked_until)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    if let Some(audit) = audit {
                        append_in(&mut tx, audit).await?;
                    }
                    tx.commit().await.map_err(db_error)
                }

                async fn create_session(&self, session: NewSession, audit: NewAuditEvent) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at) \
                         VALUES ($1, $2, $3, $4, $5, $5)",
                    )
                    .bind(session.token_hash.clone())
                    .bind(session.user_id)
                    .bind(session.kind.code())
                    .bind(session.csrf_token.clone())
                    .bind(truncate_to_micros(session.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    append_in(&mut tx, audit).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
                    sqlx::query_as(
                        "SELECT token_hash, user_id, kind, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
                    )
                    .bind(token_hash.to_owned())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                        .bind(truncate_to_micros(at))
                        .bind(token_hash.to_owned())
                        .execute(&self.pool)
                        .await
                        .map_err(db_error)?;
                    Ok(())
                }

                async fn delete_session(&self, token_hash: &str, audit: Option<NewAuditEvent>) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(token_hash.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    if let Some(audit) = audit {
                        append_in(&mut tx, audit).await?;
                    }
                    tx.commit().await.map_err(db_error)
                }

                async fn purge_sessions(
                    &self,
                    idle_before: DateTime<Utc>,
                    created_before: DateTime<Utc>,
                ) -> Result<u64, StoreError> {
                    Ok(sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                        .bind(truncate_to_micros(idle_before))
                        .bind(truncate_to_micros(created_before))
                        .execute(&self.pool)
                        .await
                        .map_err(db_error)?
                        .rows_affected())
                }

                async fn append_audit(&self, event: NewAuditEvent) -> Result<AuditEvent, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let sealed = append_in(&mut tx, event).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(sealed)
                }

                async fn audit_events(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
                    let rows: Vec<AuditRow> =
                        sqlx::query_as(AssertSqlSafe(format!("{AUDIT_SELECT} WHERE seq > $1 ORDER BY seq LIMIT $2")))
                            .bind(after_seq)
                            .bind(limit)
                            .fetch_all(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(rows.into_iter().map(AuditEvent::from).collect())
                }

                async fn recent_audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
                    let rows: Vec<AuditRow> =
                        sqlx::query_as(AssertSqlSafe(format!("{AUDIT_SELECT} ORDER BY seq DESC LIMIT $1")))
                            .bind(limit)
                            .fetch_all(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(rows.into_iter().map(AuditEvent::from).collect())
                }

                async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
                    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_error)
                }
            }
        }
    };
}

/// Names the macro's expansion uses, re-exported so backend crates need not
/// import them one by one.
#[doc(hidden)]
pub mod __private {
    pub use crate::{
        Agency, AgencyRow, AuditRow, Backend, Department, NetworkMember, NewSession, NewUser,
        PackLoadReport, Repository, Session, StoreError, User, UserCredentials, UserRow, codes,
    };
    pub use chrono::{DateTime, Utc};
    pub use sqlx::AssertSqlSafe;
    pub use tsunagaru_domain::audit::truncate_to_micros;
    pub use tsunagaru_domain::{
        AuditEvent, Field, GENESIS_HASH, LoginThrottle, NewAuditEvent, Programme, Username,
    };
    pub use tsunagaru_pack::Pack;
}
