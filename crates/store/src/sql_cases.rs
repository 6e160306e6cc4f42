//! The shared SQL of 多機関協働 (cases, plans, meetings, tasks).
//!
//! Expanded by [`crate::impl_sql_repository!`] inside its module, so these
//! functions use its helpers (`append_in`, `db_error`, `placeholders`) and the
//! repository methods delegate to them.

#[doc(hidden)]
#[macro_export]
macro_rules! case_sql {
    ($store:ty, $db:ty) => {
        const CASE_COLUMNS: &str = "id, consultation_id, person_id, origin_agency_id, secretariat_agency_id, lead_user_id, state, \
            opened_on, assessment, assessment_at, consent_on, consent_by, closure, closed_on, return_agency_id, return_reason, created_at, updated_at, \
            closure_meeting_id, closure_decision_id, return_handoff_id";
        const PLAN_COLUMNS: &str = "id, case_id, version, body, created_by, created_at, agreed_meeting_id, agreed_on";
        const MEETING_COLUMNS: &str = "id, kind, title, starts_at, place, created_by, minutes, minutes_by, minutes_at, created_at";
        const TASK_COLUMNS: &str = "id, case_id, plan_id, decision_id, meeting_id, agency_id, title, due_on, state, done_on, done_by, done_at, created_at, end_reason";

        async fn case_with_agencies(pool: &sqlx::Pool<$db>, row: CaseRow) -> Result<Case, StoreError> {
            let agencies: Vec<(i64,)> =
                sqlx::query_as("SELECT agency_id FROM case_agencies WHERE case_id = $1 ORDER BY agency_id")
                    .bind(row.id)
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            Ok(Case::from_row(row, agencies.into_iter().map(|(a,)| a).collect()))
        }

        /// The cases of a list with their agencies, read in one query.
        async fn cases_from_rows(pool: &sqlx::Pool<$db>, rows: Vec<CaseRow>) -> Result<Vec<Case>, StoreError> {
            if rows.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT case_id, agency_id FROM case_agencies WHERE case_id IN ({}) ORDER BY agency_id",
                placeholders(1, rows.len())
            );
            let mut q = sqlx::query_as::<_, (i64, i64)>(AssertSqlSafe(sql));
            for row in &rows {
                q = q.bind(row.id);
            }
            let links = q.fetch_all(pool).await.map_err(db_error)?;
            Ok(rows
                .into_iter()
                .map(|row| {
                    let agencies = links.iter().filter(|(c, _)| *c == row.id).map(|(_, a)| *a).collect();
                    Case::from_row(row, agencies)
                })
                .collect())
        }

        async fn record_case_event(tx: &mut Tx, e: CaseEvent) -> Result<(), StoreError> {
            sqlx::query("INSERT INTO case_events (case_id, user_id, at, step, state, detail, meeting_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(e.case_id)
                .bind(e.user_id)
                .bind(e.at)
                .bind(e.step)
                .bind(e.state)
                .bind(e.detail)
                .bind(e.meeting_id)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            Ok(())
        }

        async fn involve_agency(tx: &mut Tx, case_id: i64, agency_id: i64) -> Result<(), StoreError> {
            sqlx::query("INSERT INTO case_agencies (case_id, agency_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(case_id)
                .bind(agency_id)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            Ok(())
        }

        /// The position after the agenda's last item.
        async fn next_agenda_position(tx: &mut Tx, meeting_id: i64) -> Result<i64, StoreError> {
            let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(position) FROM agenda_items WHERE meeting_id = $1")
                .bind(meeting_id)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_error)?;
            Ok(last.unwrap_or(0) + 1)
        }

        /// Moves a case from one state to another inside a transaction.
        async fn move_case(tx: &mut Tx, case_id: i64, from: tsunagaru_domain::case::CaseState, to: tsunagaru_domain::case::CaseState, now: DateTime<Utc>) -> Result<(), StoreError> {
            let changed = sqlx::query("UPDATE cases SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
                .bind(to.code())
                .bind(now)
                .bind(case_id)
                .bind(from.code())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::Stale(Stale::Case)));
            }
            Ok(())
        }

        async fn insert_task(
            tx: &mut Tx,
            task: &NewTask,
            case_id: Option<i64>,
            plan_id: Option<i64>,
            decision_id: Option<i64>,
            meeting_id: Option<i64>,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO tasks (case_id, plan_id, decision_id, meeting_id, agency_id, title, due_on, state, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
            )
            .bind(case_id)
            .bind(plan_id)
            .bind(decision_id)
            .bind(meeting_id)
            .bind(task.agency_id)
            .bind(task.title.clone())
            .bind(task.due_on)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            Ok(())
        }

        /// Sets a household member's consent inside a transaction, with the
        /// change in the person's history.
        async fn member_consent_in(
            tx: &mut Tx,
            consultation_id: i64,
            position: Option<i64>,
            consent: &str,
            by_user: i64,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            // `None`: 本人's row.
            let member: Option<(i64, i64, String, String)> = match position {
                Some(p) => sqlx::query_as(
                    "SELECT c.person_id, m.position, m.name, m.consent FROM household_members m \
                     JOIN consultations c ON c.id = m.consultation_id WHERE m.consultation_id = $1 AND m.position = $2",
                )
                .bind(consultation_id)
                .bind(p),
                None => sqlx::query_as(
                    "SELECT c.person_id, m.position, m.name, m.consent FROM household_members m \
                     JOIN consultations c ON c.id = m.consultation_id WHERE m.consultation_id = $1 AND m.relationship = '本人' \
                     ORDER BY m.position LIMIT 1",
                )
                .bind(consultation_id),
            }
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
            let Some((person_id, position, name, before)) = member else {
                return Err(StoreError::Conflict(Conflict::NoSuchMember));
            };
            if before == consent {
                return Ok(());
            }
            sqlx::query("UPDATE household_members SET consent = $1 WHERE consultation_id = $2 AND position = $3")
                .bind(consent.to_owned())
                .bind(consultation_id)
                .bind(position)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            let label = |code: &str| {
                tsunagaru_domain::intake::ConsentAnswer::parse(code)
                    .map(|c| c.label())
                    .unwrap_or(code)
                    .to_owned()
            };
            record_change(
                tx,
                person_id,
                by_user,
                now,
                "household_consent",
                Some(format!("{name}: {}", label(&before))),
                Some(format!("{name}: {}", label(consent))),
            )
            .await
        }

        async fn sql_set_member_consent(
            store: &$store,
            consultation_id: i64,
            position: i64,
            consent: &str,
            by_user: i64,
            audit: NewAuditEvent,
        ) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            member_consent_in(&mut tx, consultation_id, Some(position), consent, by_user, store.clock.now()).await?;
            append_in(&store.clock, &mut tx, audit.record("consultation", consultation_id)).await?;
            tx.commit().await.map_err(db_error)
        }

        async fn sql_create_case(store: &$store, c: &NewCase, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let open: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM cases WHERE consultation_id = $1 AND state NOT IN ('closed', 'returned')",
            )
            .bind(c.consultation_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            if let Some((id,)) = open {
                return Err(StoreError::Conflict(Conflict::CaseAlreadyOpen { case_id: id }));
            }
            let now = store.clock.now();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO cases (consultation_id, person_id, origin_agency_id, secretariat_agency_id, lead_user_id, state, \
                 opened_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'intake', $6, $7, $7) RETURNING id",
            )
            .bind(c.consultation_id)
            .bind(c.person_id)
            .bind(c.origin_agency_id)
            .bind(c.secretariat_agency_id)
            .bind(c.lead_user_id)
            .bind(c.opened_on)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            involve_agency(&mut tx, id, c.origin_agency_id).await?;
            involve_agency(&mut tx, id, c.secretariat_agency_id).await?;
            record_case_event(&mut tx, CaseEvent { case_id: id, user_id: c.opened_by, at: now, step: "open".into(), state: "intake".into(), detail: None, meeting_id: None }).await?;
            append_in(&store.clock, &mut tx, audit.record("case", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_case(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<Case>, StoreError> {
            let row: Option<CaseRow> =
                sqlx::query_as(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?;
            match row {
                Some(row) => Ok(Some(case_with_agencies(pool, row).await?)),
                None => Ok(None),
            }
        }

        async fn sql_cases_of(pool: &sqlx::Pool<$db>, agency_ids: &[i64]) -> Result<Vec<Case>, StoreError> {
            if agency_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE id IN (SELECT case_id FROM case_agencies WHERE agency_id IN ({})) \
                 ORDER BY opened_on DESC, id DESC",
                placeholders(1, agency_ids.len())
            );
            let mut q = sqlx::query_as::<_, CaseRow>(AssertSqlSafe(sql));
            for a in agency_ids {
                q = q.bind(*a);
            }
            let rows = q.fetch_all(pool).await.map_err(db_error)?;
            cases_from_rows(pool, rows).await
        }

        async fn sql_cases_of_person(pool: &sqlx::Pool<$db>, person_id: i64) -> Result<Vec<Case>, StoreError> {
            let rows: Vec<CaseRow> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE person_id = $1 ORDER BY opened_on DESC, id DESC"
            )))
            .bind(person_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            cases_from_rows(pool, rows).await
        }

        async fn sql_update_case(store: &$store, id: i64, c: &CaseChange, audit: NewAuditEvent) -> Result<Case, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let closed_on = (!c.to_state.is_open()).then_some(c.on);
            if let (Some(_), Some(expected)) = (&c.assessment, &c.assessment_version) {
                let row: Option<(Option<DateTime<Utc>>,)> = sqlx::query_as("SELECT assessment_at FROM cases WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                if row.is_some_and(|(at,)| $crate::version_of(at) != *expected) {
                    return Err(StoreError::Conflict(Conflict::Stale(Stale::Assessment)));
                }
            }
            let changed = sqlx::query(
                "UPDATE cases SET state = $1, updated_at = $2, \
                 assessment = COALESCE($3, assessment), \
                 assessment_at = CASE WHEN $3 IS NULL THEN assessment_at ELSE $2 END, \
                 consent_on = COALESCE($4, consent_on), consent_by = COALESCE($5, consent_by), \
                 closure = COALESCE($6, closure), closed_on = COALESCE($7, closed_on), \
                 return_agency_id = COALESCE($8, return_agency_id), return_reason = COALESCE($9, return_reason) \
                 WHERE id = $10 AND state = $11",
            )
            .bind(c.to_state.code())
            .bind(now)
            .bind(c.assessment.as_ref().map(json_text))
            .bind(c.consent.as_ref().map(|(on, _)| *on))
            .bind(c.consent.as_ref().map(|(_, by)| by.clone()))
            .bind(c.closure.as_ref().map(json_text))
            .bind(closed_on)
            .bind(c.returned_to.as_ref().map(|(a, _)| *a))
            .bind(c.returned_to.as_ref().map(|(_, r)| r.clone()))
            .bind(id)
            .bind(c.from_state.code())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::Stale(Stale::Case)));
            }
            if let Some((meeting_id, decision_id)) = c.closure_meeting {
                sqlx::query("UPDATE cases SET closure_meeting_id = $1, closure_decision_id = $2 WHERE id = $3")
                    .bind(meeting_id)
                    .bind(decision_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            if let Some(handoff) = &c.return_handoff {
                let handoff_id = insert_handoff(&mut tx, handoff, now).await?;
                sqlx::query("UPDATE cases SET return_handoff_id = $1 WHERE id = $2")
                    .bind(handoff_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            if let Some(reason) = &c.end_tasks {
                // The case's open tasks end with it, the reason kept (tasks_case index).
                sqlx::query("UPDATE tasks SET state = 'ended', end_reason = $1, done_on = $2 WHERE case_id = $3 AND state = 'open'")
                    .bind(reason.clone())
                    .bind(c.on)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            if c.consent.is_some() {
                // The consent confirmed on the case is 本人's 同意 from now on.
                let (consultation_id,): (i64,) = sqlx::query_as("SELECT consultation_id FROM cases WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                member_consent_in(&mut tx, consultation_id, None, "yes", c.user_id, now).await?;
            }
            let detail = c.returned_to.as_ref().map(|(_, reason)| reason.clone());
            let meeting_id = c.closure_meeting.map(|(m, _)| m);
            record_case_event(&mut tx, CaseEvent { case_id: id, user_id: c.user_id, at: now, step: c.step.clone(), state: c.to_state.code().into(), detail, meeting_id }).await?;
            append_in(&store.clock, &mut tx, audit.record("case", id)).await?;
            tx.commit().await.map_err(db_error)?;
            sql_case(&store.pool, id).await?.ok_or_else(|| StoreError::Database("case vanished".into()))
        }

        async fn sql_case_events(pool: &sqlx::Pool<$db>, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
            sqlx::query_as("SELECT case_id, user_id, at, step, state, detail, meeting_id FROM case_events WHERE case_id = $1 ORDER BY id")
                .bind(case_id)
                .fetch_all(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_create_plan(
            store: &$store,
            case_id: i64,
            plan: &tsunagaru_domain::plan::Plan,
            based_on: Option<i64>,
            by_user: i64,
            state: Option<CaseChange>,
            audit: NewAuditEvent,
        ) -> Result<(i64, i64), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM plans WHERE case_id = $1")
                .bind(case_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
            if based_on.is_some_and(|b| b != last.unwrap_or(0)) {
                return Err(StoreError::Conflict(Conflict::Stale(Stale::Plan)));
            }
            let version = last.unwrap_or(0) + 1;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO plans (case_id, version, body, created_by, created_at, next_review_on) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(case_id)
            .bind(version)
            .bind(json_text(plan))
            .bind(by_user)
            .bind(now)
            .bind(plan.next_review_on)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            if let Some(change) = state {
                move_case(&mut tx, case_id, change.from_state, change.to_state, now).await?;
                record_case_event(&mut tx, CaseEvent { case_id, user_id: by_user, at: now, step: change.step.clone(), state: change.to_state.code().into(), detail: None, meeting_id: None }).await?;
            }
            record_case_event(&mut tx, CaseEvent { case_id, user_id: by_user, at: now, step: "plan_version".into(), state: String::new(), detail: Some(format!("第{version}版")), meeting_id: None }).await?;
            append_in(&store.clock, &mut tx, audit.record("case", case_id).detail(format!("支援プラン 第{version}版"))).await?;
            tx.commit().await.map_err(db_error)?;
            Ok((id, version))
        }

        async fn sql_plans_of(pool: &sqlx::Pool<$db>, case_id: i64) -> Result<Vec<PlanVersion>, StoreError> {
            let rows: Vec<PlanRow> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {PLAN_COLUMNS} FROM plans WHERE case_id = $1 ORDER BY version DESC"
            )))
            .bind(case_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(rows.into_iter().filter_map(PlanVersion::from_row).collect())
        }

        async fn sql_create_meetings(store: &$store, meetings: &[NewMeeting], audit: NewAuditEvent) -> Result<Vec<i64>, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let mut ids = Vec::with_capacity(meetings.len());
            for m in meetings {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO meetings (kind, title, starts_at, place, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(m.kind.code())
                .bind(m.title.clone())
                .bind(m.starts_at)
                .bind(m.place.clone())
                .bind(m.created_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                let mut members = m.member_user_ids.clone();
                members.push(m.created_by);
                members.sort_unstable();
                members.dedup();
                for user_id in members {
                    sqlx::query("INSERT INTO meeting_members (meeting_id, user_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                ids.push(id);
            }
            let ids_text = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            append_in(&store.clock, &mut tx, audit.record("meeting", ids_text)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(ids)
        }

        async fn sql_meeting(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<Meeting>, StoreError> {
            let row: Option<MeetingRow> =
                sqlx::query_as(AssertSqlSafe(format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?;
            let Some(row) = row else { return Ok(None) };
            let members: Vec<MeetingMember> =
                sqlx::query_as("SELECT user_id, pledged_at, attended FROM meeting_members WHERE meeting_id = $1 ORDER BY user_id")
                    .bind(id)
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            let agenda = sqlx::query_as::<_, AgendaRow>(
                "SELECT id, case_id, topic, fiscal_year, outreach_target_id, consultation_id, position, added_by, added_at FROM agenda_items \
                 WHERE meeting_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(AgendaItem::try_from)
            .collect::<Result<Vec<_>, _>>()?;
            let decisions: Vec<Decision> = sqlx::query_as(
                "SELECT id, meeting_id, case_id, agenda_item_id, text, agreed_plan_id, created_by, created_at FROM decisions \
                 WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let attendees: Vec<MeetingAttendee> = sqlx::query_as(
                "SELECT id, name, role, organisation, attended, added_by, added_at FROM meeting_attendees \
                 WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(Some(Meeting { row, members, agenda, decisions, attendees }))
        }

        async fn sql_meetings_of_user(pool: &sqlx::Pool<$db>, user_id: i64) -> Result<Vec<MeetingRow>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {MEETING_COLUMNS} FROM meetings WHERE id IN (SELECT meeting_id FROM meeting_members WHERE user_id = $1) \
                 ORDER BY starts_at, id"
            )))
            .bind(user_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        async fn sql_meetings_with_case(pool: &sqlx::Pool<$db>, case_id: i64) -> Result<Vec<MeetingRow>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {MEETING_COLUMNS} FROM meetings WHERE id IN (SELECT meeting_id FROM agenda_items WHERE case_id = $1) \
                 ORDER BY starts_at, id"
            )))
            .bind(case_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        async fn sql_pledge(store: &$store, meeting_id: i64, user_id: i64, audit: NewAuditEvent) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query(
                "UPDATE meeting_members SET pledged_at = COALESCE(pledged_at, $1) WHERE meeting_id = $2 AND user_id = $3",
            )
            .bind(store.clock.now())
            .bind(meeting_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::NotAMeetingMember));
            }
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)
        }

        async fn sql_add_agenda_item(
            store: &$store,
            meeting_id: i64,
            case_id: i64,
            by_user: i64,
            audit: NewAuditEvent,
        ) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let there: Option<(i64,)> =
                sqlx::query_as("SELECT position FROM agenda_items WHERE meeting_id = $1 AND case_id = $2")
                    .bind(meeting_id)
                    .bind(case_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            if there.is_some() {
                return Err(StoreError::Conflict(Conflict::AlreadyOnAgenda));
            }
            let position = next_agenda_position(&mut tx, meeting_id).await?;
            let now = store.clock.now();
            sqlx::query("INSERT INTO agenda_items (meeting_id, case_id, position, added_by, added_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(meeting_id)
                .bind(case_id)
                .bind(position)
                .bind(by_user)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            record_case_event(&mut tx, CaseEvent { case_id, user_id: by_user, at: now, step: "agenda".into(), state: String::new(), detail: None, meeting_id: Some(meeting_id) }).await?;
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)
        }

        async fn sql_add_agenda_topic(
            store: &$store,
            meeting_id: i64,
            topic: &tsunagaru_domain::case::Topic,
            by_user: i64,
            audit: NewAuditEvent,
        ) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let position = next_agenda_position(&mut tx, meeting_id).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO agenda_items (meeting_id, topic, fiscal_year, position, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(meeting_id)
            .bind(topic.title.clone())
            .bind(topic.fiscal_year.map(|y| i64::from(y.start_year())))
            .bind(position)
            .bind(by_user)
            .bind(store.clock.now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_add_agenda_outreach(
            store: &$store,
            meeting_id: i64,
            target_id: i64,
            situation: &str,
            by_user: i64,
            audit: NewAuditEvent,
        ) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let there: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM agenda_items WHERE meeting_id = $1 AND outreach_target_id = $2")
                    .bind(meeting_id)
                    .bind(target_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            if there.is_some() {
                return Err(StoreError::Conflict(Conflict::AlreadyOnAgenda));
            }
            let position = next_agenda_position(&mut tx, meeting_id).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO agenda_items (meeting_id, topic, outreach_target_id, position, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(meeting_id)
            .bind(situation.to_owned())
            .bind(target_id)
            .bind(position)
            .bind(by_user)
            .bind(store.clock.now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_link_agenda_consultation(
            store: &$store,
            item_id: i64,
            consultation_id: i64,
            audit: NewAuditEvent,
        ) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            sqlx::query("UPDATE agenda_items SET consultation_id = $1 WHERE id = $2")
                .bind(consultation_id)
                .bind(item_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit).await?;
            tx.commit().await.map_err(db_error)
        }

        async fn sql_record_attendance(
            store: &$store,
            meeting_id: i64,
            user_id: i64,
            attended: bool,
            audit: NewAuditEvent,
        ) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query("UPDATE meeting_members SET attended = $1 WHERE meeting_id = $2 AND user_id = $3")
                .bind(attended)
                .bind(meeting_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::NotAMeetingMember));
            }
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)
        }

        async fn sql_add_attendee(
            store: &$store,
            meeting_id: i64,
            attendee: &tsunagaru_domain::case::Attendee,
            by_user: i64,
            audit: NewAuditEvent,
        ) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO meeting_attendees (meeting_id, name, role, organisation, attended, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(meeting_id)
            .bind(attendee.name.clone())
            .bind(attendee.role.code())
            .bind(attendee.organisation.clone())
            .bind(attendee.attended)
            .bind(by_user)
            .bind(store.clock.now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        /// Plans in force (the newest agreed version) of the open cases these
        /// 事務局 agencies hold, whose 次回見直し日 is on or before `until`,
        /// with the person's name (one read, not one per plan).
        async fn sql_review_due_plans(
            pool: &sqlx::Pool<$db>,
            secretariat_ids: &[i64],
            until: chrono::NaiveDate,
        ) -> Result<Vec<ReviewDuePlan>, StoreError> {
            if secretariat_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT c.id AS case_id, c.person_id, pe.name AS person_name, p.version, p.next_review_on FROM cases c \
                 JOIN persons pe ON pe.id = c.person_id \
                 JOIN plans p ON p.case_id = c.id AND p.agreed_meeting_id IS NOT NULL \
                 AND p.version = (SELECT MAX(p2.version) FROM plans p2 WHERE p2.case_id = c.id AND p2.agreed_meeting_id IS NOT NULL) \
                 WHERE c.secretariat_agency_id IN ({}) AND c.state IN ('support', 'monitoring') \
                 AND p.next_review_on IS NOT NULL AND p.next_review_on <= ${} \
                 ORDER BY p.next_review_on, c.id",
                placeholders(1, secretariat_ids.len()),
                secretariat_ids.len() + 1
            );
            let mut q = sqlx::query_as::<_, ReviewDuePlan>(AssertSqlSafe(sql));
            for a in secretariat_ids {
                q = q.bind(*a);
            }
            q.bind(until).fetch_all(pool).await.map_err(db_error)
        }

        /// The kind and day of every meeting from `from` to `to` (both included).
        async fn sql_meeting_days(
            pool: &sqlx::Pool<$db>,
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        ) -> Result<Vec<(tsunagaru_domain::case::MeetingKind, chrono::NaiveDate)>, StoreError> {
            let start = from.and_hms_opt(0, 0, 0).expect("midnight");
            let end = to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).expect("midnight");
            let rows: Vec<(String, chrono::NaiveDateTime)> =
                sqlx::query_as("SELECT kind, starts_at FROM meetings WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at")
                    .bind(start)
                    .bind(end)
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            Ok(rows
                .into_iter()
                .filter_map(|(kind, at)| Some((tsunagaru_domain::case::MeetingKind::parse(&kind)?, at.date())))
                .collect())
        }

        async fn sql_save_minutes(
            store: &$store,
            meeting_id: i64,
            expected_version: Option<&str>,
            minutes: &str,
            by_user: i64,
            audit: NewAuditEvent,
        ) -> Result<(), StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            if let Some(expected) = expected_version {
                let (saved_at,): (Option<DateTime<Utc>>,) = sqlx::query_as("SELECT minutes_at FROM meetings WHERE id = $1")
                    .bind(meeting_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                if $crate::version_of(saved_at) != expected {
                    return Err(StoreError::Conflict(Conflict::Stale(Stale::Minutes)));
                }
            }
            sqlx::query("UPDATE meetings SET minutes = $1, minutes_by = $2, minutes_at = $3 WHERE id = $4")
                .bind(minutes.to_owned())
                .bind(by_user)
                .bind(store.clock.now())
                .bind(meeting_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            append_in(&store.clock, &mut tx, audit.record("meeting", meeting_id)).await?;
            tx.commit().await.map_err(db_error)
        }

        async fn sql_add_decision(store: &$store, d: &NewDecision, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO decisions (meeting_id, case_id, agenda_item_id, text, agreed_plan_id, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(d.meeting_id)
            .bind(d.case_id)
            .bind(d.agenda_item_id)
            .bind(d.text.clone())
            .bind(d.agreement.as_ref().map(|a| a.plan_id))
            .bind(d.created_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            if let Some(task) = &d.task {
                insert_task(&mut tx, task, d.case_id, None, Some(id), Some(d.meeting_id), now).await?;
                if let Some(case_id) = d.case_id {
                    record_case_event(&mut tx, CaseEvent { case_id, user_id: d.created_by, at: now, step: "task".into(), state: String::new(), detail: Some(task.title.clone()), meeting_id: Some(d.meeting_id) }).await?;
                }
            }
            if let (Some(a), Some(case_id)) = (&d.agreement, d.case_id) {
                let agreed = sqlx::query(
                    "UPDATE plans SET agreed_meeting_id = $1, agreed_on = $2 WHERE id = $3 AND case_id = $4 AND agreed_meeting_id IS NULL",
                )
                .bind(d.meeting_id)
                .bind(a.agreed_on)
                .bind(a.plan_id)
                .bind(case_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
                if agreed == 0 {
                    return Err(StoreError::Conflict(Conflict::PlanAlreadyAgreed));
                }
                // The tasks of earlier versions give way to the agreed plan's.
                sqlx::query("UPDATE tasks SET state = 'superseded' WHERE case_id = $1 AND plan_id IS NOT NULL AND state = 'open'")
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                for task in &a.tasks {
                    insert_task(&mut tx, task, Some(case_id), Some(a.plan_id), Some(id), Some(d.meeting_id), now).await?;
                }
                for agency in &a.agency_ids {
                    involve_agency(&mut tx, case_id, *agency).await?;
                }
                if let Some((from, to)) = a.case_state {
                    move_case(&mut tx, case_id, from, to, now).await?;
                }
                let state = a.case_state.map(|(_, to)| to.code()).unwrap_or("");
                record_case_event(&mut tx, CaseEvent { case_id, user_id: d.created_by, at: now, step: "plan_agreed".into(), state: state.to_owned(), detail: None, meeting_id: Some(d.meeting_id) }).await?;
            }
            append_in(&store.clock, &mut tx, audit.record("meeting", d.meeting_id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_task(pool: &sqlx::Pool<$db>, id: i64) -> Result<Option<Task>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_open_tasks_of(pool: &sqlx::Pool<$db>, agency_ids: &[i64]) -> Result<Vec<Task>, StoreError> {
            if agency_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE state = 'open' AND agency_id IN ({}) \
                 ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, id",
                placeholders(1, agency_ids.len())
            );
            let mut q = sqlx::query_as::<_, Task>(AssertSqlSafe(sql));
            for a in agency_ids {
                q = q.bind(*a);
            }
            q.fetch_all(pool).await.map_err(db_error)
        }

        async fn sql_tasks_where(pool: &sqlx::Pool<$db>, column: &str, id: i64) -> Result<Vec<Task>, StoreError> {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE {column} = $1 ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, id"
            )))
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        }

        /// The task after a change of its state: the case's 経過 records the
        /// step, the audit event is written, and the change is committed.
        async fn finish_task_change(
            store: &$store,
            mut tx: Tx,
            id: i64,
            by_user: i64,
            step: &str,
            audit: NewAuditEvent,
        ) -> Result<Task, StoreError> {
            let task: Task = sqlx::query_as(AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1")))
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
            if let Some(case_id) = task.case_id {
                record_case_event(&mut tx, CaseEvent { case_id, user_id: by_user, at: store.clock.now(), step: step.into(), state: String::new(), detail: Some(task.title.clone()), meeting_id: task.meeting_id }).await?;
            }
            append_in(&store.clock, &mut tx, audit.record("task", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(task)
        }

        async fn sql_complete_task(
            store: &$store,
            id: i64,
            by_user: i64,
            on: chrono::NaiveDate,
            audit: NewAuditEvent,
        ) -> Result<Task, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query("UPDATE tasks SET state = 'done', done_on = $1, done_by = $2, done_at = $4 WHERE id = $3 AND state = 'open'")
                .bind(on)
                .bind(by_user)
                .bind(id)
                .bind(store.clock.now())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::TaskClosed));
            }
            finish_task_change(store, tx, id, by_user, "task_done", audit).await
        }

        async fn sql_reopen_task(
            store: &$store,
            id: i64,
            by_user: i64,
            done_since: DateTime<Utc>,
            audit: NewAuditEvent,
        ) -> Result<Task, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query(
                "UPDATE tasks SET state = 'open', done_on = NULL, done_by = NULL, done_at = NULL \
                 WHERE id = $1 AND state = 'done' AND done_by = $2 AND done_at >= $3",
            )
            .bind(id)
            .bind(by_user)
            .bind(done_since)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Conflict(Conflict::TaskUndoExpired));
            }
            finish_task_change(store, tx, id, by_user, "task_reopened", audit).await
        }
    };
}
