//! The shared SQL of the worker's desk.
//!
//! Expanded by [`crate::impl_sql_repository!`] inside its module (like
//! [`crate::case_sql!`]); the repository methods delegate to these functions.
//! Each query walks an index keyed by the user (or by time since the last
//! sign-in), so its cost is what the user has, not the size of the tables.

#[doc(hidden)]
#[macro_export]
macro_rules! desk_sql {
    ($store:ty, $db:ty) => {
        async fn sql_desk_of(
            pool: &sqlx::Pool<$db>,
            user_id: i64,
            recent_from: NaiveDate,
        ) -> Result<DeskRows, StoreError> {
            let sheets: Vec<DeskSheet> = sqlx::query_as(
                "SELECT c.id AS consultation_id, c.person_id, c.agency_id, c.received_on, \
                 (SELECT COUNT(*) FROM handoffs h WHERE h.consultation_id = c.id \
                   AND h.state IN ('sent', 'received', 'in_progress', 'reported')) AS open_handoffs, \
                 (SELECT COUNT(*) FROM handoffs h WHERE h.consultation_id = c.id AND h.state = 'returned') AS returned_handoffs, \
                 (SELECT MIN(k.id) FROM cases k WHERE k.consultation_id = c.id \
                   AND k.state NOT IN ('closed', 'returned')) AS open_case_id \
                 FROM consultations c WHERE c.user_id = $1 AND c.voided_at IS NULL AND ( \
                   c.received_on >= $2 \
                   OR EXISTS (SELECT 1 FROM handoffs h WHERE h.consultation_id = c.id \
                     AND h.state IN ('sent', 'received', 'in_progress', 'reported', 'returned')) \
                   OR EXISTS (SELECT 1 FROM cases k WHERE k.consultation_id = c.id \
                     AND k.state NOT IN ('closed', 'returned'))) \
                 ORDER BY c.received_on DESC, c.id DESC",
            )
            .bind(user_id)
            .bind(recent_from)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let handoffs: Vec<HandoffRow> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE received_by = $1 AND state IN ('received', 'in_progress') \
                 ORDER BY sent_on DESC, id DESC"
            )))
            .bind(user_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let cases: Vec<CaseRow> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE lead_user_id = $1 AND state NOT IN ('closed', 'returned') \
                 ORDER BY opened_on DESC, id DESC"
            )))
            .bind(user_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(DeskRows {
                sheets,
                handoffs: handoffs.into_iter().map(Handoff::from).collect(),
                cases: cases_from_rows(pool, cases).await?,
            })
        }

        async fn sql_arrivals(
            pool: &sqlx::Pool<$db>,
            agency_ids: &[i64],
            since: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<Arrival>, StoreError> {
            if agency_ids.is_empty() {
                return Ok(Vec::new());
            }
            let n = agency_ids.len();
            let sql = format!(
                "SELECT e.handoff_id, e.at, e.step FROM handoff_events e JOIN handoffs h ON h.id = e.handoff_id \
                 WHERE e.at > $1 AND ((e.step = 'send' AND h.to_agency_id IN ({})) \
                   OR (e.step IN ('report', 'return') AND h.from_agency_id IN ({}))) \
                 ORDER BY e.at DESC, e.id DESC LIMIT ${}",
                placeholders(2, n),
                placeholders(2 + n, n),
                2 + 2 * n
            );
            let mut q = sqlx::query_as::<_, (i64, DateTime<Utc>, String)>(AssertSqlSafe(sql)).bind(since);
            for a in agency_ids.iter().chain(agency_ids) {
                q = q.bind(*a);
            }
            let events = q.bind(limit).fetch_all(pool).await.map_err(db_error)?;
            if events.is_empty() {
                return Ok(Vec::new());
            }
            let mut ids: Vec<i64> = events.iter().map(|e| e.0).collect();
            ids.sort_unstable();
            ids.dedup();
            let sql = format!(
                "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE id IN ({})",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query_as::<_, HandoffRow>(AssertSqlSafe(sql));
            for id in &ids {
                q = q.bind(*id);
            }
            let handoffs: std::collections::HashMap<i64, Handoff> = q
                .fetch_all(pool)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(|r| (r.id, Handoff::from(r)))
                .collect();
            Ok(events
                .into_iter()
                .filter_map(|(id, at, step)| {
                    handoffs.get(&id).map(|h| Arrival { at, step, handoff: h.clone() })
                })
                .collect())
        }

        async fn sql_audit_events_of(
            pool: &sqlx::Pool<$db>,
            user_id: i64,
            action: tsunagaru_domain::AuditAction,
            limit: i64,
        ) -> Result<Vec<AuditEvent>, StoreError> {
            let rows: Vec<AuditRow> = sqlx::query_as(AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE actor_user_id = $1 AND action = $2 ORDER BY seq DESC LIMIT $3"
            )))
            .bind(user_id)
            .bind(action.code())
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(rows.into_iter().map(AuditEvent::from).collect())
        }
    };
}
