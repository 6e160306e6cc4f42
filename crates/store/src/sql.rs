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
/// `async fn begin_write(&self) -> Result<WriteTx<$db>, sqlx::Error>` (writers in
/// one order: the audit chain), `begin_append` (an ordered write of one
/// statement: an audit event) and `begin_unordered_write` (writes of their own
/// rows that need no order among writers, such as a session's last use).
#[macro_export]
macro_rules! impl_sql_repository {
    ($store:ty, $db:ty, $backend:expr) => {
        mod __sql_repository {
            use super::*;
            use $crate::__private::*;

            type Tx = $crate::WriteTx<$db>;

            fn db_error(e: sqlx::Error) -> StoreError {
                StoreError::Database(e.to_string())
            }

            /// Appends one event to the chain inside a write transaction: the
            /// head is read (or known from the group's last append), the
            /// sealed event inserted, and the head follows it by trigger.
            pub(crate) async fn append_in(clock: &$crate::Clock, tx: &mut Tx, event: NewAuditEvent) -> Result<AuditEvent, StoreError> {
                let head = match tx.known_audit_head() {
                    Some(head) => Some(head),
                    None => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_error)?,
                };
                let (seq, prev) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
                let sealed = event.seal(seq + 1, clock.now(), &prev);
                // Unknown until the insert is done: an append stopped midway
                // leaves the head to be read again.
                tx.note_audit_head(None);
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
                // The head moves with the insert (trigger `audit_events_move_head`).
                tx.note_audit_head(Some((sealed.seq, sealed.hash.clone())));
                Ok(sealed)
            }

            /// Consultations read together with their household rows (ordered
            /// by consultation, then position), each given its own.
            fn with_households(rows: Vec<ConsultationRow>, members: &[MemberRow]) -> Vec<Consultation> {
                rows.into_iter()
                    .map(|row| {
                        let household = members.iter().filter(|m| m.consultation_id == row.id).cloned().collect();
                        Consultation::from_row(row, household)
                    })
                    .collect()
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

            /// The answers kept for repeated requests (idempotency keys) of a
            /// user's sessions, forgotten with the sessions.
            const FORGET_ANSWERS_OF_USER: &str =
                "DELETE FROM idempotency_keys WHERE scope IN (SELECT token_hash FROM sessions WHERE user_id = $1)";
            const USER_COLUMNS: &str = "id, username, display_name, role, active, created_at, must_change_password, \
                totp_secret IS NOT NULL AS totp_enabled";
            const SESSION_COLUMNS: &str = "token_hash, user_id, kind, csrf_token, created_at, last_seen_at, \
                COALESCE(authenticated_at, created_at) AS authenticated_at";
            /// An agency with its contact details: the administrator's when set
            /// (kept across pack loads), else the pack's.
            const AGENCY_SELECT: &str = "SELECT a.id, a.key, a.name, a.category, a.operator, a.address, a.fields, a.programmes, \
                a.department_no, a.consultation, a.hub_type, a.catchment_areas, a.funding, a.secretariat, a.source, a.active, a.kind, \
                CASE WHEN c.agency_id IS NULL THEN a.phone ELSE c.phone END AS phone, \
                CASE WHEN c.agency_id IS NULL THEN a.fax ELSE c.fax END AS fax, \
                CASE WHEN c.agency_id IS NULL THEN a.email ELSE c.email END AS email, \
                CASE WHEN c.agency_id IS NULL THEN a.hours ELSE c.hours END AS hours, \
                CASE WHEN c.agency_id IS NULL THEN a.extension ELSE c.extension END AS extension, \
                c.updated_at AS contact_updated_at \
                FROM agencies a LEFT JOIN agency_contacts c ON c.agency_id = a.id";
            const AUDIT_SELECT: &str = "SELECT seq, at, actor_user_id, actor, action, record_type, record_id, detail, prev_hash, hash FROM audit_events";

            const PERSON_COLUMNS: &str = "id, name, kana, sex, birth_date, postal_code, address, town, phones, other_agencies, \
                care_level, utilities, disability, housing, housing_other, protected, merged_into, created_at, updated_at";
            const CONSULTATION_COLUMNS: &str = "id, person_id, agency_id, user_id, receiver_name, method, method_other, received_on, \
                requester, concerns, chief_complaint, situation, urgency, consent_confirmed_by, consent_confirmed_on, created_at, \
                voided_at, voided_by, void_reason";
            const MEMBER_COLUMNS: &str =
                "consultation_id, position, name, relationship, sex, age, living, troubles, support, consent, status";

            /// `$from, $from+1, …` for an IN list of `count` values.
            fn placeholders(from: usize, count: usize) -> String {
                (from..from + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
            }

            fn escape_like(text: &str) -> String {
                text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
            }

            async fn viewers_of(pool: &sqlx::Pool<$db>, person_id: i64, protected: bool) -> Result<Vec<i64>, StoreError> {
                if !protected {
                    return Ok(Vec::new());
                }
                let rows: Vec<(i64,)> =
                    sqlx::query_as("SELECT user_id FROM protected_person_users WHERE person_id = $1 ORDER BY user_id")
                        .bind(person_id)
                        .fetch_all(pool)
                        .await
                        .map_err(db_error)?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            /// Sets a person's protection and replaces the named viewers.
            /// Refuses the write if the person's protection is no longer what
            /// the caller decided on.
            async fn check_protection_seen(tx: &mut Tx, person_id: i64, seen: &ProtectionSeen) -> Result<(), StoreError> {
                let row: Option<(bool,)> = sqlx::query_as("SELECT protected FROM persons WHERE id = $1")
                    .bind(person_id)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_error)?;
                let Some((protected,)) = row else {
                    return Err(StoreError::Conflict(Conflict::PersonGone));
                };
                let viewers: Vec<(i64,)> =
                    sqlx::query_as("SELECT user_id FROM protected_person_users WHERE person_id = $1 ORDER BY user_id")
                        .bind(person_id)
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(db_error)?;
                let now: Vec<i64> = viewers.into_iter().map(|(v,)| v).collect();
                let mut then = seen.viewers.clone();
                then.sort_unstable();
                then.dedup();
                if protected != seen.protected || now != then {
                    return Err(StoreError::Conflict(Conflict::Stale(Stale::Person)));
                }
                Ok(())
            }

            async fn write_protection(
                tx: &mut Tx,
                person_id: i64,
                protected: bool,
                viewer_ids: &[i64],
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE persons SET protected = $1, updated_at = $2 WHERE id = $3")
                    .bind(protected)
                    .bind(now)
                    .bind(person_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                sqlx::query("DELETE FROM protected_person_users WHERE person_id = $1")
                    .bind(person_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                for user in viewer_ids {
                    sqlx::query("INSERT INTO protected_person_users (person_id, user_id) VALUES ($1, $2)")
                        .bind(person_id)
                        .bind(*user)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_error)?;
                }
                Ok(())
            }

            /// Tells every server that the directory (agencies, departments)
            /// changed, in the transaction that changes it.
            async fn raise_directory_version(tx: &mut Tx) -> Result<(), StoreError> {
                sqlx::query("UPDATE directory_version SET version = version + 1 WHERE id = 1")
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }

            /// Keeps `person_phones` (one row per phone key: the index a
            /// duplicate check asks) in step with `persons.phone_keys`, in the
            /// transaction that writes them.
            /// The person's phone keys in `person_phones`, in one statement;
            /// a person already indexed (`replace`) loses its old keys first.
            async fn index_phones(tx: &mut Tx, person_id: i64, phone_keys: &str, replace: bool) -> Result<(), StoreError> {
                if replace {
                    sqlx::query("DELETE FROM person_phones WHERE person_id = $1")
                        .bind(person_id)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_error)?;
                }
                let mut keys: Vec<&str> = phone_keys.split_whitespace().collect();
                keys.sort_unstable();
                keys.dedup();
                if keys.is_empty() {
                    return Ok(());
                }
                let rows: Vec<String> = (0..keys.len()).map(|i| format!("(${}, $1)", i + 2)).collect();
                let sql = format!("INSERT INTO person_phones (phone_key, person_id) VALUES {}", rows.join(", "));
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(person_id);
                for key in keys {
                    q = q.bind(key.to_owned());
                }
                q.execute(&mut **tx).await.map_err(db_error)?;
                Ok(())
            }

            async fn record_change(
                tx: &mut Tx,
                person_id: i64,
                user_id: i64,
                at: DateTime<Utc>,
                field: &str,
                before: Option<String>,
                after: Option<String>,
            ) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO person_changes (person_id, user_id, at, field, before, after) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(person_id)
                    .bind(user_id)
                    .bind(at)
                    .bind(field.to_owned())
                    .bind(before)
                    .bind(after)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }

            const HANDOFF_COLUMNS: &str = "id, consultation_id, person_id, from_agency_id, to_agency_id, purpose, continue_at_origin, \
                urgency, told_contact_name, told_contact_phone, notes, consent_override_reason, state, sent_on, sent_by, received_on, \
                received_by, response, reported_on, reported_by, report_received_on, return_reason, suggested_agency_id, \
                withdraw_reason, self_consent_reason, sender_phone, receiver_phone, reporter_phone, report_received_by, \
                report_receiver_phone, created_at, updated_at";

            async fn record_handoff_event(
                tx: &mut Tx,
                handoff_id: i64,
                user_id: i64,
                at: DateTime<Utc>,
                step: &str,
                state: &str,
                detail: Option<String>,
            ) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO handoff_events (handoff_id, user_id, at, step, state, detail) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(handoff_id)
                    .bind(user_id)
                    .bind(at)
                    .bind(step.to_owned())
                    .bind(state.to_owned())
                    .bind(detail)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }

            /// One intake's rows (the person unless it is on record, the
            /// sheet, its concerns and household, its links), in `tx`.
            async fn insert_intake(
                clock: &$crate::Clock,
                tx: &mut Tx,
                sheet: &IntakeSheet,
                ctx: &IntakeContext,
                now: DateTime<Utc>,
            ) -> Result<IntakeIds, StoreError> {
                let person_id = match ctx.existing_person_id {
                    Some(id) => {
                        let found: Option<(i64,)> =
                            sqlx::query_as("SELECT id FROM persons WHERE id = $1 AND merged_into IS NULL")
                                .bind(id)
                                .fetch_optional(&mut **tx)
                                .await
                                .map_err(db_error)?;
                        found.ok_or_else(|| StoreError::Conflict(Conflict::PersonGone))?.0
                    }
                    None => {
                        let c = person_columns(sheet);
                        let phone_keys = c.phone_keys.clone();
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO persons (name, kana, name_key, kana_key, sex, birth_date, postal_code, address, town, \
                             phones, phone_keys, other_agencies, care_level, utilities, disability, housing, housing_other, \
                             protected, created_by, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, FALSE, $18, $19, $19) \
                             RETURNING id",
                        )
                        .bind(c.name)
                        .bind(c.kana)
                        .bind(c.name_key)
                        .bind(c.kana_key)
                        .bind(c.sex)
                        .bind(c.birth_date)
                        .bind(c.postal_code)
                        .bind(c.address)
                        .bind(ctx.town.clone())
                        .bind(c.phones)
                        .bind(c.phone_keys)
                        .bind(c.other_agencies)
                        .bind(c.care_level)
                        .bind(c.utilities)
                        .bind(c.disability)
                        .bind(c.housing)
                        .bind(c.housing_other)
                        .bind(ctx.user_id)
                        .bind(now)
                        .fetch_one(&mut **tx)
                        .await
                        .map_err(db_error)?;
                        index_phones(tx, id, &phone_keys, false).await?;
                        id
                    }
                };
                let (consultation_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO consultations (person_id, agency_id, user_id, receiver_name, method, method_other, received_on, \
                     requester, concerns, chief_complaint, situation, urgency, consent_confirmed_by, consent_confirmed_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
                )
                .bind(person_id)
                .bind(ctx.agency_id)
                .bind(ctx.user_id)
                .bind(sheet.receiver_name.clone())
                .bind(sheet.method.code())
                .bind(sheet.method_other.clone())
                .bind(sheet.received_on)
                .bind(requester_json(sheet))
                .bind(concerns_json(sheet))
                .bind(sheet.chief_complaint.clone())
                .bind(sheet.situation.clone())
                .bind(sheet.urgency.map(|u| u.code()))
                .bind(sheet.consent_confirmed_by.clone())
                .bind(sheet.consent_confirmed_on)
                .bind(now)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_error)?;
                // The 相談内容 as rows too, for counting (事業実績), in one statement.
                if !sheet.concerns.is_empty() {
                    let rows: Vec<String> = (0..sheet.concerns.len())
                        .map(|i| format!("($1, ${}, ${}, $2, $3)", 2 * i + 4, 2 * i + 5))
                        .collect();
                    let sql = format!(
                        "INSERT INTO consultation_concerns (consultation_id, code, main, received_on, agency_id) VALUES {}",
                        rows.join(", ")
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql))
                        .bind(consultation_id)
                        .bind(sheet.received_on)
                        .bind(ctx.agency_id);
                    for c in &sheet.concerns {
                        q = q.bind(c.concern.code()).bind(c.main);
                    }
                    q.execute(&mut **tx).await.map_err(db_error)?;
                }
                for (position, m) in sheet.household.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO household_members (consultation_id, position, name, relationship, sex, age, living, troubles, support, consent, status) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(consultation_id)
                    .bind(position as i64)
                    .bind(m.name.clone())
                    .bind(m.relationship.as_str())
                    .bind(m.sex.map(|s| s.code()))
                    .bind(m.age.map(i64::from))
                    .bind(m.living.map(|l| l.code()))
                    .bind(m.troubles.clone())
                    .bind(m.support.map(|s| s.code()))
                    .bind(m.consent.code())
                    .bind(m.status.code())
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                }
                if let Some(target) = ctx.outreach_target_id {
                    connect_target(clock, tx, target, consultation_id, person_id).await?;
                }
                if let Some(event) = ctx.event_id {
                    sqlx::query("INSERT INTO event_consultations (event_id, consultation_id, linked_by, linked_at) VALUES ($1, $2, $3, $4)")
                        .bind(event)
                        .bind(consultation_id)
                        .bind(ctx.user_id)
                        .bind(now)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_error)?;
                }
                Ok(IntakeIds { consultation_id, person_id })
            }

            /// One 経過記録, in `tx`.
            async fn insert_note(tx: &mut Tx, note: &NewNote, now: DateTime<Utc>) -> Result<i64, StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO progress_notes (person_id, agency_id, user_id, noted_on, method, content, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(note.person_id)
                .bind(note.agency_id)
                .bind(note.user_id)
                .bind(note.noted_on)
                .bind(note.method.clone())
                .bind(note.content.clone())
                .bind(now)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_error)?;
                Ok(id)
            }

            /// Sends one handoff inside a transaction, with its first event.
            async fn insert_handoff(tx: &mut Tx, h: &NewHandoff, now: DateTime<Utc>) -> Result<i64, StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO handoffs (consultation_id, person_id, from_agency_id, to_agency_id, purpose, continue_at_origin, \
                     urgency, told_contact_name, told_contact_phone, notes, consent_override_reason, state, sent_on, sent_by, \
                     created_at, updated_at, self_consent_reason, sender_phone) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sent', $12, $13, $14, $14, $15, $16) RETURNING id",
                )
                .bind(h.consultation_id)
                .bind(h.person_id)
                .bind(h.from_agency_id)
                .bind(h.to_agency_id)
                .bind(h.purpose.code())
                .bind(h.continue_at_origin)
                .bind(h.urgency.code())
                .bind(h.told_contact_name.clone())
                .bind(h.told_contact_phone.clone())
                .bind(serde_json::to_string(&h.notes).expect("notes serialize"))
                .bind(h.consent_override_reason.clone())
                .bind(h.sent_on)
                .bind(h.sent_by)
                .bind(now)
                .bind(h.self_consent_reason.clone())
                .bind(h.sender_phone.clone())
                .fetch_one(&mut **tx)
                .await
                .map_err(db_error)?;
                let detail = [
                    h.self_consent_reason.as_ref().map(|r| format!("本人の同意なく共有: {r}")),
                    h.consent_override_reason.as_ref().map(|r| format!("同意のない家族も共有: {r}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
                let detail = (!detail.is_empty()).then(|| detail.join(" / "));
                record_handoff_event(tx, id, h.sent_by, now, "send", "sent", detail).await?;
                Ok(id)
            }

            $crate::case_sql!($store, $db);
            $crate::desk_sql!($store, $db);
            $crate::reach_sql!($store, $db);
            $crate::report_sql!($store, $db);

            #[async_trait::async_trait]
            impl Repository for $store {
                fn clock(&self) -> &$crate::Clock {
                    &self.clock
                }

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
                    let existing: Vec<(String, bool)> = sqlx::query_as("SELECT key, active FROM agencies WHERE kind = 'agency'")
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    for a in &pack.agencies {
                        sqlx::query(
                            "INSERT INTO agencies (key, name, category, operator, address, fields, programmes, department_no, \
                             consultation, hub_type, catchment_areas, funding, secretariat, source, active, \
                             phone, fax, email, hours, extension) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, TRUE, $15, $16, $17, $18, $19) \
                             ON CONFLICT (key) DO UPDATE SET name = excluded.name, category = excluded.category, \
                             operator = excluded.operator, address = excluded.address, fields = excluded.fields, \
                             programmes = excluded.programmes, department_no = excluded.department_no, \
                             consultation = excluded.consultation, hub_type = excluded.hub_type, \
                             catchment_areas = excluded.catchment_areas, funding = excluded.funding, \
                             secretariat = excluded.secretariat, source = excluded.source, active = TRUE, \
                             phone = excluded.phone, fax = excluded.fax, email = excluded.email, hours = excluded.hours, \
                             extension = excluded.extension",
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
                        .bind(a.contact().phone)
                        .bind(a.contact().fax)
                        .bind(a.contact().email)
                        .bind(a.contact().hours)
                        .bind(a.contact().extension)
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
                    // Each 関係各課 gets its own agency row, so it has users and an inbox
                    // (after the pack's agencies, whose ids come first).
                    for d in &pack.departments {
                        sqlx::query(
                            "INSERT INTO agencies (key, name, category, operator, address, fields, programmes, department_no, \
                             consultation, hub_type, catchment_areas, funding, secretariat, source, active, kind, \
                             phone, fax, email, hours, extension) \
                             VALUES ($1, $2, '関係各課', NULL, NULL, '', '', $3, FALSE, NULL, '', NULL, FALSE, $4, TRUE, 'department', \
                             $5, $6, $7, $8, $9) \
                             ON CONFLICT (key) DO UPDATE SET name = excluded.name, department_no = excluded.department_no, \
                             source = excluded.source, active = TRUE, kind = 'department', phone = excluded.phone, \
                             fax = excluded.fax, email = excluded.email, hours = excluded.hours, extension = excluded.extension",
                        )
                        .bind(department_agency_key(d.no))
                        .bind(format!("{} {}", d.division, d.name))
                        .bind(i64::from(d.no))
                        .bind(format!("資料編4 重層事業盛岡市関係各課一覧 {}", d.no))
                        .bind(d.contact().phone)
                        .bind(d.contact().fax)
                        .bind(d.contact().email)
                        .bind(d.contact().hours)
                        .bind(d.contact().extension)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    }
                    // A department the pack no longer lists receives nothing more.
                    let kept: Vec<String> = pack.departments.iter().map(|d| department_agency_key(d.no)).collect();
                    let sql = format!(
                        "UPDATE agencies SET active = FALSE WHERE kind = 'department' AND active = TRUE AND key NOT IN ({})",
                        if kept.is_empty() { "''".to_owned() } else { placeholders(1, kept.len()) }
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for key in kept {
                        q = q.bind(key);
                    }
                    report.agencies_deactivated += q.execute(&mut *tx).await.map_err(db_error)?.rows_affected() as usize;
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
                    sync_reach(&self.clock, &mut tx, pack).await?;
                    let sources = serde_json::to_string(pack.sources()).map_err(|e| StoreError::Database(e.to_string()))?;
                    sqlx::query(
                        "INSERT INTO pack_sources (id, version, sources) VALUES (1, 1, $1) \
                         ON CONFLICT (id) DO UPDATE SET version = pack_sources.version + 1, sources = excluded.sources",
                    )
                    .bind(sources)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    raise_directory_version(&mut tx).await?;
                    append_in(&self.clock, &mut tx, audit).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(report)
                }

                async fn directory_version(&self) -> Result<i64, StoreError> {
                    let (version,): (i64,) = sqlx::query_as("SELECT version FROM directory_version WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db_error)?;
                    Ok(version)
                }

                async fn pack_version(&self) -> Result<Option<i64>, StoreError> {
                    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM pack_sources WHERE id = 1")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_error)?;
                    Ok(row.map(|(version,)| version))
                }

                async fn stored_pack(&self) -> Result<Option<(i64, Result<PackSources, String>)>, StoreError> {
                    let row: Option<(i64, String)> = sqlx::query_as("SELECT version, sources FROM pack_sources WHERE id = 1")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_error)?;
                    Ok(row.map(|(version, sources)| {
                        (version, serde_json::from_str(&sources).map_err(|e| format!("pack_sources: {e}")))
                    }))
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
                        sqlx::query_as(AssertSqlSafe(format!("{AGENCY_SELECT} ORDER BY a.id")))
                            .fetch_all(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(rows.into_iter().map(Agency::from).collect())
                }

                async fn agency(&self, id: i64) -> Result<Option<Agency>, StoreError> {
                    let row: Option<AgencyRow> =
                        sqlx::query_as(AssertSqlSafe(format!("{AGENCY_SELECT} WHERE a.id = $1")))
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
                    let now = self.clock.now();
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
                            return Err(StoreError::Conflict(Conflict::UsernameTaken(user.username.to_string())));
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
                    append_in(&self.clock, &mut tx, audit.record("user", id)).await?;
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

                async fn user_ids_among(&self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let sql = format!("SELECT id FROM users WHERE id IN ({}) ORDER BY id", placeholders(1, ids.len()));
                    let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
                    for id in ids {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&self.pool).await.map_err(db_error)
                }

                async fn person_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let sql = format!("SELECT id, name FROM persons WHERE id IN ({})", placeholders(1, ids.len()));
                    let mut q = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql));
                    for id in ids {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&self.pool).await.map_err(db_error)
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
                        .bind(self.clock.now())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected()
                        > 0;
                    if changed {
                        if !active {
                            for sql in [FORGET_ANSWERS_OF_USER, "DELETE FROM sessions WHERE user_id = $1"] {
                                sqlx::query(sql).bind(id).execute(&mut *tx).await.map_err(db_error)?;
                            }
                        }
                        append_in(&self.clock, &mut tx, audit.record("user", id)).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(changed)
                }

                async fn reserve_login_attempt(
                    &self,
                    username: &str,
                    policy: &tsunagaru_domain::LoginPolicy,
                    now: DateTime<Utc>,
                ) -> Result<std::result::Result<LoginThrottle, LoginThrottle>, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let row: Option<(i64, Option<DateTime<Utc>>)> =
                        sqlx::query_as("SELECT failures, locked_until FROM login_throttles WHERE username = $1")
                            .bind(username.to_owned())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    let current = row.map_or_else(LoginThrottle::default, |(failures, locked_until)| LoginThrottle {
                        failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        locked_until,
                    });
                    if current.is_locked(now) {
                        return Ok(Err(current));
                    }
                    let next = current.after_failure(now, policy);
                    sqlx::query(
                        "INSERT INTO login_throttles (username, failures, locked_until, last_failure_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, \
                         last_failure_at = excluded.last_failure_at",
                    )
                    .bind(username.to_owned())
                    .bind(i64::from(next.failures))
                    .bind(next.locked_until)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    // Names that last failed a day ago and are not locked are
                    // forgotten (the index on last_failure_at keeps this to
                    // the rows it removes; rows from before it was kept go too).
                    sqlx::query(
                        "DELETE FROM login_throttles WHERE (last_failure_at IS NULL OR last_failure_at < $1) \
                         AND (locked_until IS NULL OR locked_until < $2)",
                    )
                    .bind(now - chrono::Duration::days(1))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(Ok(next))
                }

                async fn set_password(
                    &self,
                    user_id: i64,
                    password_hash: &str,
                    keep_session: Option<&str>,
                    audit: NewAuditEvent,
                ) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = FALSE, updated_at = $2 WHERE id = $3")
                        .bind(password_hash.to_owned())
                        .bind(self.clock.now())
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    // Every other session of the user ends with the old password.
                    for sql in [
                        "DELETE FROM idempotency_keys WHERE scope IN \
                         (SELECT token_hash FROM sessions WHERE user_id = $1 AND token_hash <> $2)",
                        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                    ] {
                        sqlx::query(sql)
                            .bind(user_id)
                            .bind(keep_session.unwrap_or_default().to_owned())
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    }
                    append_in(&self.clock, &mut tx, audit.record("user", user_id)).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn require_password_change(&self, user_id: i64, audit: NewAuditEvent) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let changed = sqlx::query("UPDATE users SET must_change_password = TRUE, updated_at = $1 WHERE id = $2")
                        .bind(self.clock.now())
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected()
                        > 0;
                    if changed {
                        append_in(&self.clock, &mut tx, audit.record("user", user_id)).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(changed)
                }

                async fn claim_idempotency_key(
                    &self,
                    scope: &str,
                    key: &str,
                    request: &str,
                    now: DateTime<Utc>,
                ) -> Result<IdempotencyClaim, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    // A day's keys are kept (the index on created_at bounds this to the expired rows).
                    sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                        .bind(now - chrono::Duration::days(1))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    let inserted = sqlx::query(
                        "INSERT INTO idempotency_keys (scope, key, request, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (scope, key) DO NOTHING",
                    )
                    .bind(scope.to_owned())
                    .bind(key.to_owned())
                    .bind(request.to_owned())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
                    let claim = if inserted == 1 {
                        IdempotencyClaim::New
                    } else {
                        let (kept_request, status, location, content_type, body): (String, Option<i64>, Option<String>, Option<String>, Option<Vec<u8>>) =
                            sqlx::query_as("SELECT request, status, location, content_type, body FROM idempotency_keys WHERE scope = $1 AND key = $2")
                                .bind(scope.to_owned())
                                .bind(key.to_owned())
                                .fetch_one(&mut *tx)
                                .await
                                .map_err(db_error)?;
                        match status {
                            _ if kept_request != request => IdempotencyClaim::OtherRequest,
                            None => IdempotencyClaim::Pending,
                            Some(status) => IdempotencyClaim::Done(KeptResponse {
                                status: u16::try_from(status).unwrap_or(200),
                                location,
                                content_type,
                                body: body.unwrap_or_default(),
                            }),
                        }
                    };
                    tx.commit().await.map_err(db_error)?;
                    Ok(claim)
                }

                async fn complete_idempotency_key(&self, scope: &str, key: &str, response: &KeptResponse) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query(
                        "UPDATE idempotency_keys SET status = $1, location = $2, content_type = $3, body = $4 WHERE scope = $5 AND key = $6",
                    )
                    .bind(i64::from(response.status))
                    .bind(response.location.clone())
                    .bind(response.content_type.clone())
                    .bind(response.body.clone())
                    .bind(scope.to_owned())
                    .bind(key.to_owned())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)
                }

                async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL")
                        .bind(scope.to_owned())
                        .bind(key.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)
                }

                async fn login_locks(&self, now: DateTime<Utc>) -> Result<Vec<LoginLock>, StoreError> {
                    sqlx::query_as(
                        "SELECT username, failures, locked_until, last_failure_at FROM login_throttles \
                         WHERE locked_until > $1 ORDER BY locked_until DESC",
                    )
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn lift_login_lock(&self, username: &str, audit: NewAuditEvent) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let lifted = sqlx::query("DELETE FROM login_throttles WHERE username = $1")
                        .bind(username.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected()
                        > 0;
                    if lifted {
                        append_in(&self.clock, &mut tx, audit).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(lifted)
                }

                async fn sessions_of_user(&self, user_id: i64) -> Result<Vec<Session>, StoreError> {
                    sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC"
                    )))
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn end_sessions_of_user(&self, user_id: i64, audit: NewAuditEvent) -> Result<u64, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query(FORGET_ANSWERS_OF_USER).bind(user_id).execute(&mut *tx).await.map_err(db_error)?;
                    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected();
                    append_in(&self.clock, &mut tx, audit.record("user", user_id).detail(format!("セッション {ended} 件を終了"))).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(ended)
                }

                async fn clear_login_throttle(&self, username: &str) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("DELETE FROM login_throttles WHERE username = $1")
                        .bind(username.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)
                }

                async fn create_session(&self, session: NewSession, audit: NewAuditEvent) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at, authenticated_at) \
                         VALUES ($1, $2, $3, $4, $5, $5, $5)",
                    )
                    .bind(session.token_hash.clone())
                    .bind(session.user_id)
                    .bind(session.kind.code())
                    .bind(session.csrf_token.clone())
                    .bind(truncate_to_micros(session.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    append_in(&self.clock, &mut tx, audit).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
                    sqlx::query_as(AssertSqlSafe(format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1")))
                    .bind(token_hash.to_owned())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn session_with_user(&self, token_hash: &str) -> Result<Option<(Session, User)>, StoreError> {
                    let rows: Vec<SessionUserRow> = sqlx::query_as(
                        "SELECT s.token_hash, s.user_id, s.kind, s.csrf_token, s.created_at, s.last_seen_at, \
                         COALESCE(s.authenticated_at, s.created_at) AS authenticated_at, \
                         u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name, u.role AS u_role, \
                         u.active AS u_active, u.created_at AS u_created_at, u.must_change_password AS u_must_change_password, \
                         u.totp_secret IS NOT NULL AS u_totp_enabled, a.agency_id \
                         FROM sessions s JOIN users u ON u.id = s.user_id \
                         LEFT JOIN user_agencies a ON a.user_id = u.id \
                         WHERE s.token_hash = $1 ORDER BY a.agency_id",
                    )
                    .bind(token_hash.to_owned())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    Ok(SessionUserRow::gather(rows))
                }

                async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
                    let mut tx = self.begin_unordered_write().await.map_err(db_error)?;
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                        .bind(truncate_to_micros(at))
                        .bind(token_hash.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)
                }

                async fn delete_session(&self, token_hash: &str, audit: Option<NewAuditEvent>) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    for sql in ["DELETE FROM idempotency_keys WHERE scope = $1", "DELETE FROM sessions WHERE token_hash = $1"] {
                        sqlx::query(sql).bind(token_hash.to_owned()).execute(&mut *tx).await.map_err(db_error)?;
                    }
                    if let Some(audit) = audit {
                        append_in(&self.clock, &mut tx, audit).await?;
                    }
                    tx.commit().await.map_err(db_error)
                }

                async fn purge_sessions(
                    &self,
                    idle_before: DateTime<Utc>,
                    created_before: DateTime<Utc>,
                ) -> Result<u64, StoreError> {
                    // The answers kept for a session's repeated requests go with it.
                    let mut tx = self.begin_unordered_write().await.map_err(db_error)?;
                    sqlx::query(
                        "DELETE FROM idempotency_keys WHERE scope IN \
                         (SELECT token_hash FROM sessions WHERE last_seen_at < $1 OR created_at < $2)",
                    )
                    .bind(truncate_to_micros(idle_before))
                    .bind(truncate_to_micros(created_before))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let purged = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                        .bind(truncate_to_micros(idle_before))
                        .bind(truncate_to_micros(created_before))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected();
                    tx.commit().await.map_err(db_error)?;
                    Ok(purged)
                }

                async fn mark_authenticated(&self, token_hash: &str, at: DateTime<Utc>, audit: NewAuditEvent) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("UPDATE sessions SET authenticated_at = $1 WHERE token_hash = $2")
                        .bind(truncate_to_micros(at))
                        .bind(token_hash.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    append_in(&self.clock, &mut tx, audit).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn totp_state(&self, user_id: i64) -> Result<TotpState, StoreError> {
                    let row: Option<(Option<String>, Option<String>)> =
                        sqlx::query_as("SELECT totp_secret, totp_pending_secret FROM users WHERE id = $1")
                            .bind(user_id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    let (secret, pending_secret) = row.unwrap_or_default();
                    let (unused,): (i64,) =
                        sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                            .bind(user_id)
                            .fetch_one(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(TotpState { secret, pending_secret, unused_recovery_codes: unused })
                }

                async fn begin_totp(&self, user_id: i64, pending_secret: &str, audit: NewAuditEvent) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("UPDATE users SET totp_pending_secret = $1, updated_at = $2 WHERE id = $3")
                        .bind(pending_secret.to_owned())
                        .bind(self.clock.now())
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    append_in(&self.clock, &mut tx, audit.record("user", user_id)).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn confirm_totp(
                    &self,
                    user_id: i64,
                    secret: &str,
                    step: i64,
                    recovery_code_hashes: &[String],
                    audit: NewAuditEvent,
                ) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    // Only the secret shown is confirmed (a second enrolment
                    // begun since replaces it).
                    let confirmed = sqlx::query(
                        "UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $1, \
                         updated_at = $2 WHERE id = $3 AND totp_pending_secret = $4",
                    )
                    .bind(step)
                    .bind(self.clock.now())
                    .bind(user_id)
                    .bind(secret.to_owned())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected()
                        == 1;
                    if confirmed {
                        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                            .bind(user_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                        for hash in recovery_code_hashes {
                            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                                .bind(user_id)
                                .bind(hash.clone())
                                .execute(&mut *tx)
                                .await
                                .map_err(db_error)?;
                        }
                        append_in(&self.clock, &mut tx, audit.record("user", user_id)).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(confirmed)
                }

                async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let accepted = sqlx::query(
                        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_secret IS NOT NULL \
                         AND (totp_last_step IS NULL OR totp_last_step < $1)",
                    )
                    .bind(step)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected()
                        == 1;
                    tx.commit().await.map_err(db_error)?;
                    Ok(accepted)
                }

                async fn use_recovery_code(&self, user_id: i64, code_hash: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let used = sqlx::query(
                        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                    )
                    .bind(at)
                    .bind(user_id)
                    .bind(code_hash.to_owned())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected()
                        == 1;
                    tx.commit().await.map_err(db_error)?;
                    Ok(used)
                }

                async fn reset_totp(&self, user_id: i64, audit: NewAuditEvent) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let reset = sqlx::query(
                        "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL, updated_at = $1 WHERE id = $2",
                    )
                    .bind(self.clock.now())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected()
                        == 1;
                    if reset {
                        for sql in [
                            "DELETE FROM recovery_codes WHERE user_id = $1",
                            "DELETE FROM sign_in_challenges WHERE user_id = $1",
                            FORGET_ANSWERS_OF_USER,
                            "DELETE FROM sessions WHERE user_id = $1",
                        ] {
                            sqlx::query(sql).bind(user_id).execute(&mut *tx).await.map_err(db_error)?;
                        }
                        append_in(&self.clock, &mut tx, audit.record("user", user_id)).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(reset)
                }

                async fn create_sign_in_challenge(
                    &self,
                    token_hash: &str,
                    user_id: i64,
                    kind: &SessionKind,
                    at: DateTime<Utc>,
                ) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    // Challenges five minutes old are forgotten (the index on
                    // created_at keeps this to the rows it removes).
                    sqlx::query("DELETE FROM sign_in_challenges WHERE created_at < $1")
                        .bind(at - chrono::Duration::minutes(5))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    sqlx::query("INSERT INTO sign_in_challenges (token_hash, user_id, kind, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(token_hash.to_owned())
                        .bind(user_id)
                        .bind(kind.code())
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)
                }

                async fn sign_in_challenge(&self, token_hash: &str) -> Result<Option<SignInChallenge>, StoreError> {
                    let row: Option<(i64, String, DateTime<Utc>)> =
                        sqlx::query_as("SELECT user_id, kind, created_at FROM sign_in_challenges WHERE token_hash = $1")
                            .bind(token_hash.to_owned())
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(row.map(|(user_id, kind, created_at)| SignInChallenge { user_id, kind, created_at }))
                }

                async fn delete_sign_in_challenge(&self, token_hash: &str) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
                        .bind(token_hash.to_owned())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)
                }

                async fn append_audit(&self, event: NewAuditEvent) -> Result<AuditEvent, StoreError> {
                    // One statement (the head is read only at a group's start).
                    let mut tx = self.begin_append().await.map_err(db_error)?;
                    let sealed = append_in(&self.clock, &mut tx, event).await?;
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

                async fn create_intake(
                    &self,
                    sheet: &IntakeSheet,
                    ctx: &IntakeContext,
                    audit: NewAuditEvent,
                ) -> Result<IntakeIds, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let ids = insert_intake(&self.clock, &mut tx, sheet, ctx, self.clock.now()).await?;
                    append_in(&self.clock, &mut tx, audit.record("consultation", ids.consultation_id)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(ids)
                }

                async fn settle_after_load(&self) -> Result<(), StoreError> {
                    if $backend == Backend::Sqlite {
                        // A write to the index: in the writers' turn.
                        let mut tx = self.begin_write().await.map_err(db_error)?;
                        sqlx::query("INSERT INTO persons_fts (persons_fts) VALUES ('optimize')")
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                        tx.commit().await.map_err(db_error)?;
                        sqlx::query("PRAGMA optimize").execute(&self.pool).await.map_err(db_error)?;
                    } else {
                        sqlx::query("ANALYZE").execute(&self.pool).await.map_err(db_error)?;
                    }
                    Ok(())
                }

                async fn import_intakes(
                    &self,
                    intakes: &[ImportedIntake],
                    audit: NewAuditEvent,
                ) -> Result<Vec<IntakeIds>, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    let mut written = Vec::with_capacity(intakes.len());
                    for intake in intakes {
                        let ids = insert_intake(&self.clock, &mut tx, &intake.sheet, &intake.ctx, now).await?;
                        for note in &intake.notes {
                            insert_note(&mut tx, &NewNote {
                                person_id: ids.person_id,
                                agency_id: intake.ctx.agency_id,
                                user_id: intake.ctx.user_id,
                                noted_on: note.noted_on,
                                method: note.method.clone(),
                                content: note.content.clone(),
                            }, now).await?;
                        }
                        for handoff in &intake.handoffs {
                            let handoff = NewHandoff {
                                consultation_id: ids.consultation_id,
                                person_id: ids.person_id,
                                ..handoff.clone()
                            };
                            insert_handoff(&mut tx, &handoff, now).await?;
                        }
                        written.push(ids);
                    }
                    let ids_text = written.iter().map(|i| i.consultation_id.to_string()).collect::<Vec<_>>().join(",");
                    append_in(&self.clock, &mut tx, audit.record("consultation", ids_text)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(written)
                }

                async fn person(&self, id: i64) -> Result<Option<Person>, StoreError> {
                    let row: Option<PersonRow> =
                        sqlx::query_as(AssertSqlSafe(format!("SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1")))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    match row {
                        Some(row) => {
                            let viewers = viewers_of(&self.pool, row.id, row.protected).await?;
                            Ok(Some(Person::from_row(row, viewers)))
                        }
                        None => Ok(None),
                    }
                }

                async fn person_in_scope(&self, id: i64, agency_ids: &[i64]) -> Result<bool, StoreError> {
                    if agency_ids.is_empty() {
                        return Ok(false);
                    }
                    // Involved: took a consultation, received a handoff that stands
                    // (`HandoffState::involves_receiver`), or is involved in a case
                    // (事務局, or a role in an agreed plan): one probe per agency of
                    // the scope index (`person_scope`, kept on write).
                    let sql = format!(
                        "SELECT COUNT(*) FROM person_scope WHERE person_id = $1 AND agency_id IN ({})",
                        placeholders(2, agency_ids.len())
                    );
                    let mut query = sqlx::query_as::<_, (i64,)>(AssertSqlSafe(sql)).bind(id);
                    for agency in agency_ids {
                        query = query.bind(*agency);
                    }
                    let (count,) = query.fetch_one(&self.pool).await.map_err(db_error)?;
                    Ok(count > 0)
                }

                async fn born_on(&self, date: NaiveDate, limit: i64) -> Result<Vec<NameKeys>, StoreError> {
                    sqlx::query_as(
                        "SELECT id, name_key, kana_key FROM persons WHERE birth_date = $1 AND merged_into IS NULL LIMIT $2",
                    )
                    .bind(date)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn person_scope_differences(&self) -> Result<Vec<(i64, i64)>, StoreError> {
                    let records = format!(
                        "SELECT person_id, agency_id FROM consultations \
                         UNION SELECT person_id, to_agency_id FROM handoffs WHERE state NOT IN ({}) \
                         UNION SELECT k.person_id, ca.agency_id FROM cases k JOIN case_agencies ca ON ca.case_id = k.id",
                        states_not_involving_receiver()
                    );
                    let sql = format!(
                        "SELECT person_id, agency_id FROM \
                         (SELECT person_id, agency_id FROM ({records}) r EXCEPT SELECT person_id, agency_id FROM person_scope) missing \
                         UNION ALL SELECT person_id, agency_id FROM \
                         (SELECT person_id, agency_id FROM person_scope EXCEPT SELECT person_id, agency_id FROM ({records}) r) extra \
                         ORDER BY 1, 2"
                    );
                    sqlx::query_as::<_, (i64, i64)>(AssertSqlSafe(sql))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_error)
                }

                async fn search_persons(
                    &self,
                    agency_ids: &[i64],
                    query: &PersonQuery,
                    limit: i64,
                ) -> Result<Vec<Person>, StoreError> {
                    if agency_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    // In scope: from the scope index, one probe per agency.
                    let mut sql = format!(
                        "SELECT {PERSON_COLUMNS} FROM persons p WHERE p.merged_into IS NULL AND EXISTS \
                         (SELECT 1 FROM person_scope s WHERE s.person_id = p.id AND s.agency_id IN ({list}))",
                        list = placeholders(1, agency_ids.len()),
                    );
                    let mut next = agency_ids.len() + 1;
                    let text = query.text.as_deref().map(search_key).filter(|t| !t.is_empty());
                    let phone = query.phone.as_deref().map(phone_key).filter(|p| !p.is_empty());
                    // Three characters or more: SQLite asks its FTS5 trigram
                    // index; PostgreSQL's pg_trgm index serves the LIKE itself.
                    let fts = text.as_ref().is_some_and(|t| $backend == Backend::Sqlite && t.chars().count() >= 3);
                    if fts {
                        sql.push_str(&format!(" AND p.id IN (SELECT rowid FROM persons_fts WHERE persons_fts MATCH ${next})"));
                        next += 1;
                    } else if text.is_some() {
                        sql.push_str(&format!(" AND (p.name_key LIKE ${next} ESCAPE '\\' OR p.kana_key LIKE ${next} ESCAPE '\\')"));
                        next += 1;
                    }
                    if query.birth_date.is_some() {
                        sql.push_str(&format!(" AND p.birth_date = ${next}"));
                        next += 1;
                    }
                    if phone.is_some() {
                        sql.push_str(&format!(" AND p.phone_keys LIKE ${next} ESCAPE '\\'"));
                        next += 1;
                    }
                    let same_phone = query.same_phone.as_deref().map(phone_key).filter(|p| !p.is_empty());
                    if same_phone.is_some() {
                        // The whole number, from its index: no scan of persons.
                        sql.push_str(&format!(" AND p.id IN (SELECT person_id FROM person_phones WHERE phone_key = ${next})"));
                        next += 1;
                    }
                    if let Some(ids) = &query.ids {
                        if ids.is_empty() {
                            return Ok(Vec::new());
                        }
                        sql.push_str(&format!(" AND p.id IN ({})", placeholders(next, ids.len())));
                        next += ids.len();
                    }
                    if query.after.is_some() {
                        sql.push_str(&format!(
                            " AND (p.updated_at < ${next} OR (p.updated_at = ${next} AND p.id < ${}))",
                            next + 1
                        ));
                        next += 2;
                    }
                    sql.push_str(&format!(" ORDER BY p.updated_at DESC, p.id DESC LIMIT ${next}"));
                    let mut q = sqlx::query_as::<_, PersonRow>(AssertSqlSafe(sql));
                    for agency in agency_ids {
                        q = q.bind(*agency);
                    }
                    if let Some(text) = text {
                        q = q.bind(if fts {
                            // One phrase: the whole key, quotes doubled.
                            format!("\"{}\"", text.replace('"', "\"\""))
                        } else {
                            format!("%{}%", escape_like(&text))
                        });
                    }
                    if let Some(date) = query.birth_date {
                        q = q.bind(date);
                    }
                    if let Some(phone) = phone {
                        q = q.bind(format!("%{}%", escape_like(&phone)));
                    }
                    if let Some(key) = same_phone {
                        q = q.bind(key);
                    }
                    for id in query.ids.iter().flatten() {
                        q = q.bind(*id);
                    }
                    if let Some((updated_at, id)) = query.after {
                        q = q.bind(updated_at).bind(id);
                    }
                    let rows = q.bind(limit).fetch_all(&self.pool).await.map_err(db_error)?;
                    let mut persons = Vec::with_capacity(rows.len());
                    for row in rows {
                        let viewers = viewers_of(&self.pool, row.id, row.protected).await?;
                        persons.push(Person::from_row(row, viewers));
                    }
                    Ok(persons)
                }

                async fn consultations_of(&self, person_id: i64) -> Result<Vec<Consultation>, StoreError> {
                    let rows: Vec<ConsultationRow> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE person_id = $1 ORDER BY received_on DESC, id DESC"
                    )))
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    let members: Vec<MemberRow> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {MEMBER_COLUMNS} FROM household_members WHERE consultation_id IN \
                         (SELECT id FROM consultations WHERE person_id = $1) ORDER BY consultation_id, position"
                    )))
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    Ok(with_households(rows, &members))
                }

                async fn consultations_among(&self, ids: &[i64]) -> Result<Vec<Consultation>, StoreError> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let list = placeholders(1, ids.len());
                    let mut rows = sqlx::query_as::<_, ConsultationRow>(AssertSqlSafe(format!(
                        "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id IN ({list}) ORDER BY id"
                    )));
                    let mut members = sqlx::query_as::<_, MemberRow>(AssertSqlSafe(format!(
                        "SELECT {MEMBER_COLUMNS} FROM household_members WHERE consultation_id IN ({list}) \
                         ORDER BY consultation_id, position"
                    )));
                    for id in ids {
                        rows = rows.bind(*id);
                        members = members.bind(*id);
                    }
                    let rows = rows.fetch_all(&self.pool).await.map_err(db_error)?;
                    let members = members.fetch_all(&self.pool).await.map_err(db_error)?;
                    Ok(with_households(rows, &members))
                }

                async fn consultation(&self, id: i64) -> Result<Option<Consultation>, StoreError> {
                    let row: Option<ConsultationRow> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {CONSULTATION_COLUMNS} FROM consultations WHERE id = $1"
                    )))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_error)?;
                    let Some(row) = row else { return Ok(None) };
                    let members: Vec<MemberRow> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {MEMBER_COLUMNS} FROM household_members WHERE consultation_id = $1 ORDER BY position"
                    )))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    Ok(Some(Consultation::from_row(row, members)))
                }

                async fn correct_consultation(&self, id: i64, c: &SheetCorrection, audit: NewAuditEvent) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    let concerns = serde_json::to_string(&c.concerns).map_err(|e| StoreError::Database(e.to_string()))?;
                    let changed = sqlx::query(
                        "UPDATE consultations SET received_on = $1, method = $2, method_other = $3, receiver_name = $4, \
                         chief_complaint = $5, situation = $6, urgency = $7, concerns = $8 WHERE id = $9 AND voided_at IS NULL",
                    )
                    .bind(c.received_on)
                    .bind(c.method.clone())
                    .bind(c.method_other.clone())
                    .bind(c.receiver_name.clone())
                    .bind(c.chief_complaint.clone())
                    .bind(c.situation.clone())
                    .bind(c.urgency.clone())
                    .bind(concerns)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::Conflict(Conflict::ConsultationVoided));
                    }
                    // The report's rows of 相談内容 follow the sheet (its day, its items).
                    sqlx::query("DELETE FROM consultation_concerns WHERE consultation_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    for k in &c.concerns {
                        sqlx::query(
                            "INSERT INTO consultation_concerns (consultation_id, code, main, received_on, agency_id) \
                             SELECT id, $1, $2, received_on, agency_id FROM consultations WHERE id = $3",
                        )
                        .bind(k.code.clone())
                        .bind(k.main)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    }
                    for (field, before, after) in &c.changes {
                        sqlx::query(
                            "INSERT INTO consultation_changes (consultation_id, field, before, after, user_id, at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(id)
                        .bind(field.clone())
                        .bind(before.clone())
                        .bind(after.clone())
                        .bind(c.user_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    }
                    append_in(&self.clock, &mut tx, audit.record("consultation", id)).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn void_consultation(&self, id: i64, by_user: i64, reason: &str, audit: NewAuditEvent) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let changed = sqlx::query(
                        "UPDATE consultations SET voided_at = $1, voided_by = $2, void_reason = $3 WHERE id = $4 AND voided_at IS NULL",
                    )
                    .bind(self.clock.now())
                    .bind(by_user)
                    .bind(reason.to_owned())
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::Conflict(Conflict::ConsultationVoided));
                    }
                    sqlx::query("DELETE FROM consultation_concerns WHERE consultation_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    append_in(&self.clock, &mut tx, audit.record("consultation", id)).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn consultation_changes(&self, id: i64) -> Result<Vec<ConsultationChange>, StoreError> {
                    sqlx::query_as(
                        "SELECT consultation_id, field, before, after, user_id, at FROM consultation_changes \
                         WHERE consultation_id = $1 ORDER BY id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn add_note(&self, note: &NewNote, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let id = insert_note(&mut tx, note, self.clock.now()).await?;
                    append_in(&self.clock, &mut tx, audit.record("progress_note", id)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(id)
                }

                async fn notes_of(&self, person_id: i64) -> Result<Vec<Note>, StoreError> {
                    sqlx::query_as(
                        "SELECT id, person_id, agency_id, user_id, noted_on, method, content, created_at \
                         FROM progress_notes WHERE person_id = $1 ORDER BY noted_on DESC, id DESC",
                    )
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn person_changes(&self, person_id: i64) -> Result<Vec<PersonChange>, StoreError> {
                    sqlx::query_as(
                        "SELECT person_id, user_id, at, field, before, after FROM person_changes \
                         WHERE person_id = $1 ORDER BY at, id",
                    )
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn set_protection(
                    &self,
                    person_id: i64,
                    seen: &ProtectionSeen,
                    protected: bool,
                    viewer_ids: &[i64],
                    by_user: i64,
                    audit: NewAuditEvent,
                ) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    check_protection_seen(&mut tx, person_id, seen).await?;
                    let before: Option<(bool,)> = sqlx::query_as("SELECT protected FROM persons WHERE id = $1")
                        .bind(person_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    let Some((before,)) = before else {
                        return Err(StoreError::Conflict(Conflict::PersonGone));
                    };
                    write_protection(&mut tx, person_id, protected, viewer_ids, now).await?;
                    let after = format!("{protected} {viewer_ids:?}");
                    record_change(&mut tx, person_id, by_user, now, "protected", Some(before.to_string()), Some(after)).await?;
                    append_in(&self.clock, &mut tx, audit.record("person", person_id)).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn update_person(
                    &self,
                    person_id: i64,
                    expected_version: Option<&str>,
                    person: &PersonSheet,
                    town: Option<String>,
                    by_user: i64,
                    audit: NewAuditEvent,
                ) -> Result<Vec<String>, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    let row: Option<PersonRow> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1 AND merged_into IS NULL"
                    )))
                    .bind(person_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let Some(row) = row else {
                        return Err(StoreError::Conflict(Conflict::PersonGone));
                    };
                    if expected_version.is_some_and(|v| $crate::version_of(Some(row.updated_at)) != v) {
                        return Err(StoreError::Conflict(Conflict::Stale(Stale::PersonRecord)));
                    }
                    let before = Person::from_row(row, Vec::new()).history_values();
                    let c = person_sheet_columns(person);
                    let after = c.history_values();
                    let mut changed = Vec::new();
                    for ((field, old), (_, new)) in before.into_iter().zip(after) {
                        if old != new {
                            record_change(&mut tx, person_id, by_user, now, field, old, new).await?;
                            changed.push(field.to_owned());
                        }
                    }
                    if !changed.is_empty() {
                        index_phones(&mut tx, person_id, &c.phone_keys, true).await?;
                        sqlx::query(
                            "UPDATE persons SET name = $1, kana = $2, name_key = $3, kana_key = $4, sex = $5, birth_date = $6, \
                             postal_code = $7, address = $8, town = $9, phones = $10, phone_keys = $11, other_agencies = $12, \
                             care_level = $13, utilities = $14, disability = $15, housing = $16, housing_other = $17, updated_at = $18 \
                             WHERE id = $19",
                        )
                        .bind(c.name)
                        .bind(c.kana)
                        .bind(c.name_key)
                        .bind(c.kana_key)
                        .bind(c.sex)
                        .bind(c.birth_date)
                        .bind(c.postal_code)
                        .bind(c.address)
                        .bind(town)
                        .bind(c.phones)
                        .bind(c.phone_keys)
                        .bind(c.other_agencies)
                        .bind(c.care_level)
                        .bind(c.utilities)
                        .bind(c.disability)
                        .bind(c.housing)
                        .bind(c.housing_other)
                        .bind(now)
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        append_in(&self.clock, &mut tx, audit.record("person", person_id).detail(format!("変更: {}", changed.join(", ")))).await?;
                    }
                    tx.commit().await.map_err(db_error)?;
                    Ok(changed)
                }

                async fn unmerge_person(&self, merged: i64, by_user: i64, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    let last: Option<(Option<String>,)> = sqlx::query_as(
                        "SELECT after FROM person_changes WHERE person_id = $1 AND field = 'merged_into' ORDER BY id DESC LIMIT 1",
                    )
                    .bind(merged)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let record: MergeRecord = last
                        .and_then(|(after,)| after)
                        .and_then(|after| serde_json::from_str(&after).ok())
                        .ok_or_else(|| StoreError::Conflict(Conflict::NoMergeHistory))?;
                    let current: Option<(Option<i64>,)> = sqlx::query_as("SELECT merged_into FROM persons WHERE id = $1")
                        .bind(merged)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    if current.and_then(|(m,)| m) != Some(record.kept) {
                        return Err(StoreError::Conflict(Conflict::NotMerged));
                    }
                    for id in &record.consultations {
                        sqlx::query("UPDATE consultations SET person_id = $1 WHERE id = $2 AND person_id = $3")
                            .bind(merged)
                            .bind(*id)
                            .bind(record.kept)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    }
                    for id in &record.notes {
                        sqlx::query("UPDATE progress_notes SET person_id = $1 WHERE id = $2 AND person_id = $3")
                            .bind(merged)
                            .bind(*id)
                            .bind(record.kept)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    }
                    sqlx::query("UPDATE persons SET merged_into = NULL, updated_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(merged)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    let text = serde_json::to_string(&record).expect("merge record serializes");
                    record_change(&mut tx, merged, by_user, now, "unmerged", Some(text.clone()), None).await?;
                    record_change(&mut tx, record.kept, by_user, now, "split", Some(text), None).await?;
                    append_in(&self.clock, &mut tx, audit.record("person", merged)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(record.kept)
                }

                async fn create_handoffs(&self, handoffs: &[NewHandoff], audit: NewAuditEvent) -> Result<Vec<i64>, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    let mut ids = Vec::with_capacity(handoffs.len());
                    for h in handoffs {
                        let id = insert_handoff(&mut tx, h, now).await?;
                        ids.push(id);
                    }
                    let ids_text = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                    append_in(&self.clock, &mut tx, audit.record("handoff", ids_text)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(ids)
                }

                async fn handoff(&self, id: i64) -> Result<Option<Handoff>, StoreError> {
                    let row: Option<HandoffRow> =
                        sqlx::query_as(AssertSqlSafe(format!("SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE id = $1")))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(db_error)?;
                    Ok(row.map(Handoff::from))
                }

                async fn handoffs_of(&self, agency_ids: &[i64], box_: HandoffBox) -> Result<Vec<Handoff>, StoreError> {
                    if agency_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let column = match box_ {
                        HandoffBox::Inbox => "to_agency_id",
                        HandoffBox::Outbox => "from_agency_id",
                    };
                    let sql = format!(
                        "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE {column} IN ({}) ORDER BY sent_on DESC, id DESC",
                        placeholders(1, agency_ids.len())
                    );
                    let mut q = sqlx::query_as::<_, HandoffRow>(AssertSqlSafe(sql));
                    for a in agency_ids {
                        q = q.bind(*a);
                    }
                    Ok(q.fetch_all(&self.pool).await.map_err(db_error)?.into_iter().map(Handoff::from).collect())
                }

                async fn handoffs_of_person(&self, person_id: i64) -> Result<Vec<Handoff>, StoreError> {
                    let rows: Vec<HandoffRow> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE person_id = $1 ORDER BY sent_on DESC, id DESC"
                    )))
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    Ok(rows.into_iter().map(Handoff::from).collect())
                }

                async fn step_handoff(&self, id: i64, u: &HandoffUpdate, audit: NewAuditEvent) -> Result<Handoff, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    // Each step sets its own columns: $1 state, $2 updated_at, then the step's values.
                    use tsunagaru_domain::handoff::HandoffStep;
                    let set: &[&str] = match u.step {
                        HandoffStep::Receive => &["received_on", "received_by", "receiver_phone"],
                        HandoffStep::Start => &[],
                        HandoffStep::Report => &["response", "reported_on", "reported_by", "reporter_phone"],
                        HandoffStep::Acknowledge => &["report_received_on", "report_received_by", "report_receiver_phone"],
                        HandoffStep::Return => &["return_reason", "suggested_agency_id"],
                        HandoffStep::Withdraw => &["withdraw_reason"],
                    };
                    let mut sql = String::from("UPDATE handoffs SET state = $1, updated_at = $2");
                    for (k, column) in set.iter().enumerate() {
                        sql.push_str(&format!(", {column} = ${}", k + 3));
                    }
                    sql.push_str(&format!(" WHERE id = ${} AND state = ${}", set.len() + 3, set.len() + 4));
                    let query = sqlx::query(AssertSqlSafe(sql)).bind(u.to_state.code()).bind(now);
                    let query = match u.step {
                        HandoffStep::Receive => query.bind(u.on).bind(u.user_id).bind(u.phone.clone()),
                        HandoffStep::Report => query.bind(u.text.clone()).bind(u.on).bind(u.user_id).bind(u.phone.clone()),
                        HandoffStep::Acknowledge => query.bind(u.on).bind(u.user_id).bind(u.phone.clone()),
                        HandoffStep::Return => query.bind(u.text.clone()).bind(u.suggested_agency_id),
                        HandoffStep::Withdraw => query.bind(u.text.clone()),
                        HandoffStep::Start => query,
                    };
                    let changed = query
                        .bind(id)
                        .bind(u.from_state.code())
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::Conflict(Conflict::Stale(Stale::Handoff)));
                    }
                    record_handoff_event(&mut tx, id, u.user_id, now, u.step.code(), u.to_state.code(), u.text.clone()).await?;
                    append_in(&self.clock, &mut tx, audit.record("handoff", id)).await?;
                    let row: HandoffRow =
                        sqlx::query_as(AssertSqlSafe(format!("SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE id = $1")))
                            .bind(id)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(row.into())
                }

                async fn handoff_events(&self, id: i64) -> Result<Vec<HandoffEvent>, StoreError> {
                    sqlx::query_as(
                        "SELECT handoff_id, user_id, at, step, state, detail FROM handoff_events WHERE handoff_id = $1 ORDER BY at, id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn set_agency_contact(
                    &self,
                    agency_id: i64,
                    expected_version: Option<&str>,
                    contact: &tsunagaru_domain::contact::Contact,
                    by_user: i64,
                    audit: NewAuditEvent,
                ) -> Result<bool, StoreError> {
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM agencies WHERE id = $1")
                        .bind(agency_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    if exists.is_none() {
                        return Ok(false);
                    }
                    if let Some(expected) = expected_version {
                        let set: Option<(DateTime<Utc>,)> =
                            sqlx::query_as("SELECT updated_at FROM agency_contacts WHERE agency_id = $1")
                                .bind(agency_id)
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(db_error)?;
                        if $crate::version_of(set.map(|(at,)| at)) != expected {
                            return Err(StoreError::Conflict(Conflict::Stale(Stale::Contact)));
                        }
                    }
                    sqlx::query(
                        "INSERT INTO agency_contacts (agency_id, phone, fax, email, hours, extension, updated_by, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT (agency_id) DO UPDATE SET phone = excluded.phone, fax = excluded.fax, email = excluded.email, \
                         hours = excluded.hours, extension = excluded.extension, updated_by = excluded.updated_by, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(agency_id)
                    .bind(contact.phone.clone())
                    .bind(contact.fax.clone())
                    .bind(contact.email.clone())
                    .bind(contact.hours.clone())
                    .bind(contact.extension.clone())
                    .bind(by_user)
                    .bind(self.clock.now())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    raise_directory_version(&mut tx).await?;
                    append_in(&self.clock, &mut tx, audit.record("agency", agency_id)).await?;
                    tx.commit().await.map_err(db_error)?;
                    Ok(true)
                }

                async fn desk_of(&self, user_id: i64, recent_from: NaiveDate) -> Result<DeskRows, StoreError> {
                    sql_desk_of(&self.pool, user_id, recent_from).await
                }

                async fn arrivals(&self, agency_ids: &[i64], since: DateTime<Utc>, limit: i64) -> Result<Vec<Arrival>, StoreError> {
                    sql_arrivals(&self.pool, agency_ids, since, limit).await
                }

                async fn audit_events_of(&self, user_id: i64, action: tsunagaru_domain::AuditAction, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
                    sql_audit_events_of(&self.pool, user_id, action, limit).await
                }

                async fn merge_persons(&self, kept: i64, merged: i64, seen: [&ProtectionSeen; 2], protection: (bool, &[i64]), by_user: i64, audit: NewAuditEvent) -> Result<(), StoreError> {
                    if kept == merged {
                        return Err(StoreError::Conflict(Conflict::SamePerson));
                    }
                    let mut tx = self.begin_write().await.map_err(db_error)?;
                    let now = self.clock.now();
                    check_protection_seen(&mut tx, kept, seen[0]).await?;
                    check_protection_seen(&mut tx, merged, seen[1]).await?;
                    let live: Vec<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE id IN ($1, $2) AND merged_into IS NULL")
                        .bind(kept)
                        .bind(merged)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    if live.len() != 2 {
                        return Err(StoreError::Conflict(Conflict::MergeTargetGone));
                    }
                    let moved_consultations: Vec<(i64,)> = sqlx::query_as("SELECT id FROM consultations WHERE person_id = $1")
                        .bind(merged)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    let moved_notes: Vec<(i64,)> = sqlx::query_as("SELECT id FROM progress_notes WHERE person_id = $1")
                        .bind(merged)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    for table in ["consultations", "progress_notes"] {
                        sqlx::query(AssertSqlSafe(format!("UPDATE {table} SET person_id = $1 WHERE person_id = $2")))
                            .bind(kept)
                            .bind(merged)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    }
                    sqlx::query("UPDATE persons SET merged_into = $1, updated_at = $2 WHERE id = $3")
                        .bind(kept)
                        .bind(now)
                        .bind(merged)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    // The kept record takes the protection the policy decided.
                    write_protection(&mut tx, kept, protection.0, protection.1, now).await?;
                    // What moved, so the merge can be undone from the history.
                    let moved = MergeRecord {
                        kept,
                        merged,
                        consultations: moved_consultations.iter().map(|(id,)| *id).collect(),
                        notes: moved_notes.iter().map(|(id,)| *id).collect(),
                    };
                    let moved = serde_json::to_string(&moved).expect("merge record serializes");
                    record_change(&mut tx, merged, by_user, now, "merged_into", None, Some(moved.clone())).await?;
                    record_change(&mut tx, kept, by_user, now, "absorbed", None, Some(moved)).await?;
                    append_in(&self.clock, &mut tx, audit.record("person", kept)).await?;
                    tx.commit().await.map_err(db_error)
                }

                async fn set_member_consent(
                    &self,
                    consultation_id: i64,
                    position: i64,
                    consent: &str,
                    by_user: i64,
                    audit: NewAuditEvent,
                ) -> Result<(), StoreError> {
                    sql_set_member_consent(self, consultation_id, position, consent, by_user, audit).await
                }
                async fn create_case(&self, case: &NewCase, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_case(self, case, audit).await
                }
                async fn case(&self, id: i64) -> Result<Option<Case>, StoreError> {
                    sql_case(&self.pool, id).await
                }
                async fn cases_of(&self, agency_ids: &[i64]) -> Result<Vec<Case>, StoreError> {
                    sql_cases_of(&self.pool, agency_ids).await
                }
                async fn cases_of_person(&self, person_id: i64) -> Result<Vec<Case>, StoreError> {
                    sql_cases_of_person(&self.pool, person_id).await
                }
                async fn update_case(&self, id: i64, change: &CaseChange, audit: NewAuditEvent) -> Result<Case, StoreError> {
                    sql_update_case(self, id, change, audit).await
                }
                async fn case_events(&self, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
                    sql_case_events(&self.pool, case_id).await
                }
                async fn create_plan(
                    &self,
                    case_id: i64,
                    plan: &tsunagaru_domain::plan::Plan,
                    based_on: Option<i64>,
                    by_user: i64,
                    state: Option<CaseChange>,
                    audit: NewAuditEvent,
                ) -> Result<(i64, i64), StoreError> {
                    sql_create_plan(self, case_id, plan, based_on, by_user, state, audit).await
                }
                async fn plans_of(&self, case_id: i64) -> Result<Vec<PlanVersion>, StoreError> {
                    sql_plans_of(&self.pool, case_id).await
                }
                async fn create_meetings(&self, meetings: &[NewMeeting], audit: NewAuditEvent) -> Result<Vec<i64>, StoreError> {
                    sql_create_meetings(self, meetings, audit).await
                }
                async fn meeting(&self, id: i64) -> Result<Option<Meeting>, StoreError> {
                    sql_meeting(&self.pool, id).await
                }
                async fn meetings_of_user(&self, user_id: i64) -> Result<Vec<MeetingRow>, StoreError> {
                    sql_meetings_of_user(&self.pool, user_id).await
                }
                async fn meetings_with_case(&self, case_id: i64) -> Result<Vec<MeetingRow>, StoreError> {
                    sql_meetings_with_case(&self.pool, case_id).await
                }
                async fn pledge(&self, meeting_id: i64, user_id: i64, audit: NewAuditEvent) -> Result<(), StoreError> {
                    sql_pledge(self, meeting_id, user_id, audit).await
                }
                async fn add_agenda_item(&self, meeting_id: i64, case_id: i64, by_user: i64, audit: NewAuditEvent) -> Result<(), StoreError> {
                    sql_add_agenda_item(self, meeting_id, case_id, by_user, audit).await
                }
                async fn add_agenda_topic(&self, meeting_id: i64, topic: &tsunagaru_domain::case::Topic, by_user: i64, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_add_agenda_topic(self, meeting_id, topic, by_user, audit).await
                }
                async fn add_agenda_outreach(&self, meeting_id: i64, target_id: i64, situation: &str, by_user: i64, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_add_agenda_outreach(self, meeting_id, target_id, situation, by_user, audit).await
                }
                async fn link_agenda_consultation(&self, item_id: i64, consultation_id: i64, audit: NewAuditEvent) -> Result<(), StoreError> {
                    sql_link_agenda_consultation(self, item_id, consultation_id, audit).await
                }
                async fn record_attendance(&self, meeting_id: i64, user_id: i64, attended: bool, audit: NewAuditEvent) -> Result<(), StoreError> {
                    sql_record_attendance(self, meeting_id, user_id, attended, audit).await
                }
                async fn add_attendee(&self, meeting_id: i64, attendee: &tsunagaru_domain::case::Attendee, by_user: i64, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_add_attendee(self, meeting_id, attendee, by_user, audit).await
                }
                async fn review_due_plans(&self, secretariat_ids: &[i64], until: chrono::NaiveDate) -> Result<Vec<ReviewDuePlan>, StoreError> {
                    sql_review_due_plans(&self.pool, secretariat_ids, until).await
                }
                async fn meeting_days(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<(tsunagaru_domain::case::MeetingKind, chrono::NaiveDate)>, StoreError> {
                    sql_meeting_days(&self.pool, from, to).await
                }
                async fn save_minutes(&self, meeting_id: i64, expected_version: Option<&str>, minutes: &str, by_user: i64, audit: NewAuditEvent) -> Result<(), StoreError> {
                    sql_save_minutes(self, meeting_id, expected_version, minutes, by_user, audit).await
                }
                async fn add_decision(&self, decision: &NewDecision, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_add_decision(self, decision, audit).await
                }
                async fn task(&self, id: i64) -> Result<Option<Task>, StoreError> {
                    sql_task(&self.pool, id).await
                }
                async fn open_tasks_of(&self, agency_ids: &[i64]) -> Result<Vec<Task>, StoreError> {
                    sql_open_tasks_of(&self.pool, agency_ids).await
                }
                async fn tasks_of_case(&self, case_id: i64) -> Result<Vec<Task>, StoreError> {
                    sql_tasks_where(&self.pool, "case_id", case_id).await
                }
                async fn tasks_of_meeting(&self, meeting_id: i64) -> Result<Vec<Task>, StoreError> {
                    sql_tasks_where(&self.pool, "meeting_id", meeting_id).await
                }
                async fn complete_task(&self, id: i64, by_user: i64, on: chrono::NaiveDate, audit: NewAuditEvent) -> Result<Task, StoreError> {
                    sql_complete_task(self, id, by_user, on, audit).await
                }
                async fn reopen_task(&self, id: i64, by_user: i64, done_since: DateTime<Utc>, audit: NewAuditEvent) -> Result<Task, StoreError> {
                    sql_reopen_task(self, id, by_user, done_since, audit).await
                }

                async fn create_target(&self, t: &NewTarget, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_target(self, t, audit).await
                }
                async fn target(&self, id: i64) -> Result<Option<OutreachTarget>, StoreError> {
                    sql_target(&self.pool, id).await
                }
                async fn targets_of(&self, agency_ids: &[i64]) -> Result<Vec<OutreachTarget>, StoreError> {
                    sql_targets_of(&self.pool, agency_ids).await
                }
                async fn add_attempt(&self, a: &NewAttempt, audit: NewAuditEvent) -> Result<OutreachTarget, StoreError> {
                    sql_add_attempt(self, a, audit).await
                }
                async fn attempts_of(&self, target_id: i64) -> Result<Vec<OutreachAttempt>, StoreError> {
                    sql_attempts_of(&self.pool, target_id).await
                }
                async fn menus(&self) -> Result<Vec<ParticipationMenu>, StoreError> {
                    sql_menus(&self.pool).await
                }
                async fn menu(&self, id: i64) -> Result<Option<ParticipationMenu>, StoreError> {
                    sql_menu(&self.pool, id).await
                }
                async fn create_menu(&self, m: &NewMenu, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_menu(self, m, audit).await
                }
                async fn create_match(&self, m: &NewMatch, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_match(self, m, audit).await
                }
                async fn participation_match(&self, id: i64) -> Result<Option<ParticipationMatch>, StoreError> {
                    sql_match(&self.pool, id).await
                }
                async fn matches_of_menu(&self, menu_id: i64) -> Result<Vec<ParticipationMatch>, StoreError> {
                    sql_matches_where(&self.pool, "menu_id", menu_id).await
                }
                async fn matches_of_person(&self, person_id: i64) -> Result<Vec<ParticipationMatch>, StoreError> {
                    sql_matches_where(&self.pool, "person_id", person_id).await
                }
                async fn active_matches_of(&self, agency_ids: &[i64]) -> Result<Vec<ParticipationMatch>, StoreError> {
                    sql_active_matches_of(&self.pool, agency_ids).await
                }
                async fn add_follow_up(&self, f: &NewFollowUp, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_add_follow_up(self, f, audit).await
                }
                async fn follow_ups_of(&self, match_id: i64) -> Result<Vec<FollowUpRecord>, StoreError> {
                    sql_follow_ups_of(&self.pool, match_id).await
                }
                async fn add_host_support(
                    &self,
                    menu_id: i64,
                    on: chrono::NaiveDate,
                    note: &str,
                    user_id: i64,
                    audit: NewAuditEvent,
                ) -> Result<i64, StoreError> {
                    sql_add_host_support(self, menu_id, on, note, user_id, audit).await
                }
                async fn host_supports_of(&self, menu_id: i64) -> Result<Vec<HostSupport>, StoreError> {
                    sql_host_supports_of(&self.pool, menu_id).await
                }
                async fn resources(&self) -> Result<Vec<CommunityResource>, StoreError> {
                    sql_resources(&self.pool).await
                }
                async fn resource(&self, id: i64) -> Result<Option<CommunityResource>, StoreError> {
                    sql_resource(&self.pool, id).await
                }
                async fn close_resource(&self, id: i64, closing: &ResourceClosing, audit: NewAuditEvent) -> Result<(), StoreError> {
                    sql_close_resource(self, id, closing, audit).await
                }
                async fn create_resource(&self, r: &NewResource, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_resource(self, r, audit).await
                }
                async fn create_event(&self, e: &NewEvent, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_event(self, e, audit).await
                }
                async fn create_training(&self, t: &NewTraining, audit: NewAuditEvent) -> Result<i64, StoreError> {
                    sql_create_training(self, t, audit).await
                }

                async fn trainings(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<TrainingRow>, StoreError> {
                    sqlx::query_as::<_, TrainingRow>(
                        "SELECT t.id, t.kind, t.held_on, t.theme, t.note, \
                         (SELECT COUNT(*) FROM training_agencies a WHERE a.training_id = t.id) AS agencies \
                         FROM trainings t WHERE t.held_on BETWEEN $1 AND $2 ORDER BY t.held_on DESC, t.id DESC",
                    )
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)
                }

                async fn annual_figures(&self, from: NaiveDate, to: NaiveDate, scope: &ReportScope) -> Result<AnnualFigures, StoreError> {
                    sql_annual_figures(self, from, to, scope).await
                }

                async fn events(&self) -> Result<Vec<EventRow>, StoreError> {
                    sql_events(&self.pool).await
                }
                async fn event(&self, id: i64) -> Result<Option<EventDetail>, StoreError> {
                    sql_event(&self.pool, id).await
                }
                async fn link_event_consultation(
                    &self,
                    event_id: i64,
                    consultation_id: i64,
                    user_id: i64,
                    audit: NewAuditEvent,
                ) -> Result<(), StoreError> {
                    sql_link_event_consultation(self, event_id, consultation_id, user_id, audit).await
                }
            }
        }
    };
}

/// Names the macro's expansion uses, re-exported so backend crates need not
/// import them one by one.
#[doc(hidden)]
pub mod __private {
    pub use crate::department_agency_key;
    pub use crate::states_not_involving_receiver;
    pub use crate::{
        Agency, AgencyRow, AuditRow, Backend, Conflict, Consultation, ConsultationChange,
        ConsultationRow, Department, IdempotencyClaim, ImportedIntake, IntakeContext, IntakeIds,
        KeptResponse, LoginLock, MemberRow, NameKeys, NetworkMember, NewNote, NewSession, NewUser,
        Note, PackLoadReport, Person, PersonChange, PersonQuery, PersonRow, ProtectionSeen,
        Repository, Session, SessionKind, SessionUserRow, SheetCorrection, SignInChallenge, Stale,
        StoreError, TotpState, User, UserCredentials, UserRow, codes, concerns_json,
        person_columns, requester_json,
    };
    pub use crate::{
        AgendaItem, AgendaRow, Case, CaseChange, CaseEvent, CaseRow, Decision, Meeting,
        MeetingAttendee, MeetingMember, MeetingRow, NewCase, NewDecision, NewMeeting, NewTask,
        PlanRow, PlanVersion, ReviewDuePlan, Task, json_text,
    };
    pub use crate::{
        AnnualFigures, ConcernCount, ConsultationDay, HandoffFact, KeyCount, MeetingFact,
        NewTraining, PersonGroup, ReportScope, TrainingRow,
    };
    pub use crate::{Arrival, DeskRows, DeskSheet};
    pub use crate::{
        CommunityResource, EventAttendee, EventDetail, EventRow, FollowUpRecord, HostSupport,
        NewAttempt, NewEvent, NewFollowUp, NewMatch, NewMenu, NewResource, NewTarget,
        OutreachAttempt, OutreachTarget, ParticipationMatch, ParticipationMenu, ResourceClosing,
    };
    pub use crate::{
        Handoff, HandoffBox, HandoffEvent, HandoffRow, HandoffUpdate, MergeRecord, NewHandoff,
        person_sheet_columns,
    };
    pub use chrono::{DateTime, NaiveDate, Utc};
    pub use sqlx::AssertSqlSafe;
    pub use tsunagaru_domain::audit::truncate_to_micros;
    pub use tsunagaru_domain::intake::{IntakeSheet, PersonSheet};
    pub use tsunagaru_domain::kana::{phone_key, search_key};
    pub use tsunagaru_domain::{
        AuditEvent, Field, GENESIS_HASH, LoginThrottle, NewAuditEvent, Programme, Username,
    };
    pub use tsunagaru_pack::{Pack, PackSources};
}
