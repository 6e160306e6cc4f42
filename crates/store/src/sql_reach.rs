//! The shared SQL of アウトリーチ, 参加支援 and 地域づくり.
//!
//! Expanded by [`crate::impl_sql_repository!`] inside its module (like
//! [`crate::case_sql!`]); the repository methods delegate to these functions.

#[doc(hidden)]
#[macro_export]
macro_rules! reach_sql {
    ($store:ty, $db:ty) => {
        const TARGET_COLUMNS: &str = "id, agency_id, name, kana, address, town, description, found_via, found_via_detail, stage, \
            consultation_id, person_id, created_by, created_on, last_contact_on, created_at, updated_at, \
            (SELECT COUNT(*) FROM outreach_attempts a WHERE a.target_id = outreach_targets.id) AS attempt_count";
        const MENU_COLUMNS: &str = "id, key, name, description, host, host_agency_id, place, schedule, capacity, suits, source, active, \
            created_by, created_at";
        const MATCH_COLUMNS: &str = "id, menu_id, person_id, case_id, agency_id, reasons, matched_on, matched_by, state, \
            next_follow_up_on, created_at";
        const RESOURCE_COLUMNS: &str = "id, key, agency_id, name, kind, description, address, schedule, operator, audience, phone, email, \
            source, active, opened_on, closed_on, closed_reason, created_by, created_at, updated_at";
        const EVENT_COLUMNS: &str = "id, kind, title, held_on, place, note, participants, created_by, created_at, \
            (SELECT COUNT(*) FROM event_consultations ec WHERE ec.event_id = events.id) AS consultation_count";

        /// The pack's 支援メニュー (by key) and its agencies of 第3号 as
        /// community resources (by the agency's key); nothing is deleted.
        async fn sync_reach(clock: &$crate::Clock, tx: &mut Tx, pack: &Pack) -> Result<(), StoreError> {
            let now = clock.now();
            for m in &pack.participation_menus {
                let host_agency: Option<(i64,)> = match &m.host_agency_key {
                    Some(key) => sqlx::query_as("SELECT id FROM agencies WHERE key = $1")
                        .bind(key.clone())
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_error)?,
                    None => None,
                };
                sqlx::query(
                    "INSERT INTO participation_menus (key, name, description, host, host_agency_id, place, schedule, capacity, suits, \
                     source, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11) \
                     ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description, host = excluded.host, \
                     host_agency_id = excluded.host_agency_id, suits = excluded.suits, source = excluded.source, active = TRUE",
                )
                .bind(m.key.clone())
                .bind(m.name.clone())
                .bind(m.description.clone())
                .bind(m.host.clone())
                .bind(host_agency.map(|(id,)| id))
                .bind(m.place.clone())
                .bind(m.schedule.clone())
                .bind(m.capacity.map(i64::from))
                .bind(m.suits.clone())
                .bind(m.source.clone())
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            }
            for a in pack
                .agencies
                .iter()
                .filter(|a| a.programmes.iter().any(|p| p.code().starts_with('3')))
            {
                let (agency_id,): (i64,) = sqlx::query_as("SELECT id FROM agencies WHERE key = $1")
                    .bind(a.key.clone())
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(db_error)?;
                let kind = tsunagaru_domain::reach::ResourceKind::of_category(&a.category);
                let description = a
                    .programmes
                    .iter()
                    .filter(|p| p.code().starts_with('3'))
                    .map(|p| format!("{}（{}）", p.name(), p.clause()))
                    .collect::<Vec<_>>()
                    .join("、");
                sqlx::query(
                    "INSERT INTO community_resources (key, agency_id, name, kind, description, address, schedule, operator, audience, \
                     source, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', $7, '', $8, TRUE, $9, $9) \
                     ON CONFLICT (key) DO UPDATE SET agency_id = excluded.agency_id, name = excluded.name, kind = excluded.kind, \
                     description = excluded.description, address = excluded.address, operator = excluded.operator, \
                     source = excluded.source, active = TRUE, closed_on = NULL, closed_reason = NULL, \
                     updated_at = excluded.updated_at",
                )
                .bind(a.key.clone())
                .bind(agency_id)
                .bind(a.name.clone())
                .bind(kind.code())
                .bind(description)
                .bind(a.address.clone())
                .bind(a.operator.clone().unwrap_or_default())
                .bind(a.source.clone())
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            }
            // Agencies a pack no longer lists under 第3号 leave the directory.
            let keys: Vec<String> = pack
                .agencies
                .iter()
                .filter(|a| a.programmes.iter().any(|p| p.code().starts_with('3')))
                .map(|a| a.key.clone())
                .collect();
            let sql = format!(
                "UPDATE community_resources SET active = FALSE, closed_on = COALESCE(closed_on, $1), \
                 closed_reason = COALESCE(closed_reason, '市町村パックから外れた') \
                 WHERE agency_id IS NOT NULL AND key NOT IN ({})",
                if keys.is_empty() { "''".to_owned() } else { placeholders(2, keys.len()) }
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(clock.today());
            for k in keys {
                q = q.bind(k);
            }
            q.execute(&mut **tx).await.map_err(db_error)?;
            Ok(())
        }

        /// Marks a target connected to its consultation (inside create_intake).
        async fn connect_target(clock: &$crate::Clock, tx: &mut Tx, target_id: i64, consultation_id: i64, person_id: i64) -> Result<(), StoreError> {
            let changed = sqlx::query(
                "UPDATE outreach_targets SET stage = 'connected', consultation_id = $1, person_id = $2, updated_at = $3 \
                 WHERE id = $4 AND stage NOT IN ('connected', 'ended')",
            )
            .bind(consultation_id)
            .bind(person_id)
            .bind(clock.now())
            .bind(target_id)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::TargetClosed));
            }
            Ok(())
        }

        async fn sql_create_target(store: &$store, t: &NewTarget, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO outreach_targets (agency_id, name, kana, address, town, description, found_via, found_via_detail, stage, \
                 created_by, created_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'identified', $9, $10, $11, $11) \
                 RETURNING id",
            )
            .bind(t.agency_id)
            .bind(t.name.clone())
            .bind(t.kana.clone())
            .bind(t.address.clone())
            .bind(t.town.clone())
            .bind(t.description.clone())
            .bind(t.found_via.code())
            .bind(t.found_via_detail.clone())
            .bind(t.created_by)
            .bind(t.created_on)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("outreach_target", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_target(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<OutreachTarget>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {TARGET_COLUMNS} FROM outreach_targets WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_targets_of(pool: &sqlx::Pool<$db>, agency_ids: &[i64]) -> Result<Vec<OutreachTarget>, StoreError> {
            if agency_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {TARGET_COLUMNS} FROM outreach_targets WHERE agency_id IN ({}) \
                 ORDER BY COALESCE(last_contact_on, created_on), id",
                placeholders(1, agency_ids.len())
            );
            let mut q = sqlx::query_as::<_, OutreachTarget>(AssertSqlSafe(sql));
            for a in agency_ids {
                q = q.bind(*a);
            }
            q.fetch_all(pool).await.map_err(db_error)
        }

        async fn sql_add_attempt(store: &$store, a: &NewAttempt, audit: NewAuditEvent) -> Result<OutreachTarget, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let changed = sqlx::query(
                "UPDATE outreach_targets SET stage = $1, updated_at = $2, \
                 last_contact_on = CASE WHEN last_contact_on IS NULL OR last_contact_on < $3 THEN $3 ELSE last_contact_on END \
                 WHERE id = $4 AND stage = $5",
            )
            .bind(a.stage.code())
            .bind(now)
            .bind(a.on_date)
            .bind(a.target_id)
            .bind(a.from_stage.code())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::Stale(Stale::OutreachTarget)));
            }
            sqlx::query(
                "INSERT INTO outreach_attempts (target_id, on_date, way, who, outcome, note, stage, user_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(a.target_id)
            .bind(a.on_date)
            .bind(a.way.code())
            .bind(a.who.clone())
            .bind(a.outcome.code())
            .bind(a.note.clone())
            .bind(a.stage.code())
            .bind(a.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("outreach_target", a.target_id)).await?;
            let target: OutreachTarget =
                sqlx::query_as(AssertSqlSafe(format!("SELECT {TARGET_COLUMNS} FROM outreach_targets WHERE id = $1")))
                    .bind(a.target_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            Ok(target)
        }

        async fn sql_attempts_of(pool: &sqlx::Pool<$db>, target_id: i64) -> Result<Vec<OutreachAttempt>, StoreError> {
            sqlx::query_as(
                "SELECT id, target_id, on_date, way, who, outcome, note, stage, user_id, created_at FROM outreach_attempts \
                 WHERE target_id = $1 ORDER BY on_date, id",
            )
            .bind(target_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        async fn sql_menus(pool: &sqlx::Pool<$db>) -> Result<Vec<ParticipationMenu>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {MENU_COLUMNS} FROM participation_menus ORDER BY id")))
                .fetch_all(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_menu(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<ParticipationMenu>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {MENU_COLUMNS} FROM participation_menus WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_create_menu(store: &$store, m: &NewMenu, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO participation_menus (name, description, host, place, schedule, capacity, suits, source, active, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, '新たな社会資源の開拓', TRUE, $8, $9) RETURNING id",
            )
            .bind(m.name.clone())
            .bind(m.description.clone())
            .bind(m.host.clone())
            .bind(m.place.clone())
            .bind(m.schedule.clone())
            .bind(m.capacity)
            .bind(m.suits.clone())
            .bind(m.created_by)
            .bind(store.clock.now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("participation_menu", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_create_match(store: &$store, m: &NewMatch, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let menu: Option<(Option<i64>,)> = sqlx::query_as("SELECT capacity FROM participation_menus WHERE id = $1")
                .bind(m.menu_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
            let Some((capacity,)) = menu else {
                return Err(StoreError::Conflict(Conflict::MenuGone));
            };
            let (active,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM participation_matches WHERE menu_id = $1 AND state = 'active'")
                    .bind(m.menu_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
            if capacity.is_some_and(|c| active >= c) {
                return Err(StoreError::Conflict(Conflict::MenuFull));
            }
            let (already,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM participation_matches WHERE menu_id = $1 AND person_id = $2 AND state = 'active'",
            )
            .bind(m.menu_id)
            .bind(m.person_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            if already > 0 {
                return Err(StoreError::Conflict(Conflict::AlreadyParticipating));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO participation_matches (menu_id, person_id, case_id, agency_id, reasons, matched_on, matched_by, state, \
                 next_follow_up_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9) RETURNING id",
            )
            .bind(m.menu_id)
            .bind(m.person_id)
            .bind(m.case_id)
            .bind(m.agency_id)
            .bind(m.reasons.clone())
            .bind(m.matched_on)
            .bind(m.matched_by)
            .bind(m.next_follow_up_on)
            .bind(store.clock.now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("participation_match", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_match(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<ParticipationMatch>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {MATCH_COLUMNS} FROM participation_matches WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_matches_where(pool: &sqlx::Pool<$db>, column: &str, id: i64) -> Result<Vec<ParticipationMatch>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {MATCH_COLUMNS} FROM participation_matches WHERE {column} = $1 ORDER BY matched_on, id"
            )))
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        async fn sql_active_matches_of(pool: &sqlx::Pool<$db>, agency_ids: &[i64]) -> Result<Vec<ParticipationMatch>, StoreError> {
            if agency_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {MATCH_COLUMNS} FROM participation_matches WHERE state = 'active' AND agency_id IN ({}) ORDER BY id",
                placeholders(1, agency_ids.len())
            );
            let mut q = sqlx::query_as::<_, ParticipationMatch>(AssertSqlSafe(sql));
            for a in agency_ids {
                q = q.bind(*a);
            }
            q.fetch_all(pool).await.map_err(db_error)
        }

        async fn sql_add_follow_up(store: &$store, f: &NewFollowUp, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let state = f.kind.match_state();
            let changed = sqlx::query(
                "UPDATE participation_matches SET state = $1, next_follow_up_on = $2 WHERE id = $3 AND state = 'active'",
            )
            .bind(state.code())
            .bind(if state == tsunagaru_domain::reach::MatchState::Ended { None } else { f.next_on })
            .bind(f.match_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::ParticipationEnded));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO follow_ups (match_id, on_date, kind, note, next_on, user_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(f.match_id)
            .bind(f.on_date)
            .bind(f.kind.code())
            .bind(f.note.clone())
            .bind(f.next_on)
            .bind(f.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("participation_match", f.match_id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_follow_ups_of(pool: &sqlx::Pool<$db>, match_id: i64) -> Result<Vec<FollowUpRecord>, StoreError> {
            sqlx::query_as(
                "SELECT id, match_id, on_date, kind, note, next_on, user_id, created_at FROM follow_ups WHERE match_id = $1 \
                 ORDER BY on_date, id",
            )
            .bind(match_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        async fn sql_add_host_support(
            store: &$store,
            menu_id: i64,
            on: chrono::NaiveDate,
            note: &str,
            user_id: i64,
            audit: NewAuditEvent,
        ) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO host_supports (menu_id, on_date, note, user_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(menu_id)
            .bind(on)
            .bind(note.to_owned())
            .bind(user_id)
            .bind(store.clock.now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("participation_menu", menu_id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_host_supports_of(pool: &sqlx::Pool<$db>, menu_id: i64) -> Result<Vec<HostSupport>, StoreError> {
            sqlx::query_as(
                "SELECT id, menu_id, on_date, note, user_id, created_at FROM host_supports WHERE menu_id = $1 ORDER BY on_date, id",
            )
            .bind(menu_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        async fn sql_resources(pool: &sqlx::Pool<$db>) -> Result<Vec<CommunityResource>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {RESOURCE_COLUMNS} FROM community_resources ORDER BY kind, id")))
                .fetch_all(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_resource(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<CommunityResource>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {RESOURCE_COLUMNS} FROM community_resources WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_create_resource(store: &$store, r: &NewResource, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO community_resources (name, kind, description, address, schedule, operator, audience, phone, email, \
                 source, active, opened_on, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '地域の社会資源（登録）', TRUE, $10, $11, $12, $12) RETURNING id",
            )
            .bind(r.name.clone())
            .bind(r.kind.code())
            .bind(r.description.clone())
            .bind(r.address.clone())
            .bind(r.schedule.clone())
            .bind(r.operator.clone())
            .bind(r.audience.clone())
            .bind(r.phone.clone())
            .bind(r.email.clone())
            .bind(r.opened_on)
            .bind(r.created_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("community_resource", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_close_resource(store: &$store, id: i64, closing: &ResourceClosing, audit: NewAuditEvent) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query(
                "UPDATE community_resources SET active = FALSE, closed_on = $1, closed_reason = $2, updated_at = $3 \
                 WHERE id = $4 AND closed_on IS NULL",
            )
            .bind(closing.closed_on)
            .bind(closing.reason.clone())
            .bind(store.clock.now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::ResourceClosed));
            }
            append_in(&store.clock, &mut tx, audit.record("community_resource", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(())
        }

        async fn sql_create_event(store: &$store, e: &NewEvent, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO events (kind, title, held_on, place, note, created_by, created_at, participants) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(e.kind.code())
            .bind(e.title.clone())
            .bind(e.held_on)
            .bind(e.place.clone())
            .bind(e.note.clone())
            .bind(e.created_by)
            .bind(store.clock.now())
            .bind(e.participants)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            for (position, organization) in &e.attendees {
                sqlx::query("INSERT INTO event_attendees (event_id, position, organization) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(*position)
                    .bind(organization.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            append_in(&store.clock, &mut tx, audit.record("event", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_events(pool: &sqlx::Pool<$db>) -> Result<Vec<EventRow>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY held_on DESC, id DESC")))
                .fetch_all(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_event(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<EventDetail>, StoreError> {
            let row: Option<EventRow> =
                sqlx::query_as(AssertSqlSafe(format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?;
            let Some(row) = row else { return Ok(None) };
            let attendees: Vec<EventAttendee> =
                sqlx::query_as("SELECT position, organization FROM event_attendees WHERE event_id = $1 ORDER BY position")
                    .bind(id)
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            let consultations: Vec<(i64,)> = sqlx::query_as(
                "SELECT consultation_id FROM event_consultations WHERE event_id = $1 ORDER BY consultation_id",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(Some(EventDetail {
                row,
                attendees,
                consultation_ids: consultations.into_iter().map(|(c,)| c).collect(),
            }))
        }

        async fn sql_link_event_consultation(
            store: &$store,
            event_id: i64,
            consultation_id: i64,
            user_id: i64,
            audit: NewAuditEvent,
        ) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let there: Option<(i64,)> = sqlx::query_as(
                "SELECT event_id FROM event_consultations WHERE event_id = $1 AND consultation_id = $2",
            )
            .bind(event_id)
            .bind(consultation_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            if there.is_some() {
                return Err(StoreError::Conflict(Conflict::AlreadyLinked));
            }
            sqlx::query("INSERT INTO event_consultations (event_id, consultation_id, linked_by, linked_at) VALUES ($1, $2, $3, $4)")
                .bind(event_id)
                .bind(consultation_id)
                .bind(user_id)
                .bind(store.clock.now())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("event", event_id)).await?;
            tx.commit().await.map_err(db_error)
        }
    };
}
