//! The shared SQL of 事業実績: one 年度 counted with GROUP BY and COUNT,
//! never by loading the records. Expanded by [`crate::impl_sql_repository!`]
//! inside its module (like [`crate::case_sql!`]).

#[doc(hidden)]
#[macro_export]
macro_rules! report_sql {
    ($store:ty, $db:ty) => {
        async fn count_one(pool: &sqlx::Pool<$db>, sql: String, from: NaiveDate, to: NaiveDate) -> Result<i64, StoreError> {
            let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
                .bind(from)
                .bind(to)
                .fetch_one(pool)
                .await
                .map_err(db_error)?;
            Ok(n)
        }

        async fn key_counts(pool: &sqlx::Pool<$db>, sql: String, from: NaiveDate, to: NaiveDate) -> Result<Vec<KeyCount>, StoreError> {
            sqlx::query_as::<_, KeyCount>(AssertSqlSafe(sql))
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await
                .map_err(db_error)
        }

        async fn sql_create_training(store: &$store, t: &NewTraining, audit: NewAuditEvent) -> Result<i64, StoreError> {
            let mut tx = store.begin_write().await.map_err(db_error)?;
            let now = store.clock.now();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO trainings (kind, held_on, theme, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(t.kind.code())
            .bind(t.held_on)
            .bind(t.theme.clone())
            .bind(t.note.clone())
            .bind(t.created_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            for agency in &t.agency_ids {
                sqlx::query("INSERT INTO training_agencies (training_id, agency_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*agency)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            append_in(&store.clock, &mut tx, audit.record("training", id)).await?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        }

        async fn sql_annual_figures(
            store: &$store,
            from: NaiveDate,
            to: NaiveDate,
            scope: &ReportScope,
        ) -> Result<AnnualFigures, StoreError> {
            let pool = &store.pool;
            let in_consultations = scope.clause("c.agency_id");
            let consultation_days = sqlx::query_as::<_, ConsultationDay>(AssertSqlSafe(format!(
                "SELECT c.received_on, c.method, c.agency_id, COUNT(*) AS count FROM consultations c \
                 WHERE c.received_on BETWEEN $1 AND $2 AND c.voided_at IS NULL{in_consultations} \
                 GROUP BY c.received_on, c.method, c.agency_id ORDER BY c.received_on"
            )))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            // Who the consultations were for: grouped by person first (from the
            // covering index), then by the person's sex, town and age band (満年齢
            // on their first consultation of the span). One pass over the year.
            let age = match store.backend() {
                // Dates are stored as YYYY-MM-DD text: the year and the month-day
                // are read by position (cheaper than parsing each date).
                Backend::Sqlite => "(CAST(substr(x.first_on, 1, 4) AS INTEGER) - CAST(substr(p.birth_date, 1, 4) AS INTEGER) \
                     - (substr(x.first_on, 6, 5) < substr(p.birth_date, 6, 5)))",
                Backend::Postgres => "CAST(EXTRACT(YEAR FROM age(x.first_on, p.birth_date)) AS INTEGER)",
            };
            let who = sqlx::query_as::<_, PersonGroup>(AssertSqlSafe(format!(
                "SELECT p.sex, p.town, \
                 CAST(CASE WHEN p.birth_date IS NULL THEN NULL ELSE ({age} / 10) * 10 END AS BIGINT) AS band, \
                 CAST(SUM(x.n) AS BIGINT) AS consultations, COUNT(*) AS persons \
                 FROM (SELECT c.person_id, COUNT(*) AS n, MIN(c.received_on) AS first_on FROM consultations c \
                       WHERE c.received_on BETWEEN $1 AND $2 AND c.voided_at IS NULL{in_consultations} GROUP BY c.person_id) x \
                 JOIN persons p ON p.id = x.person_id GROUP BY 1, 2, 3"
            )))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let consultation_persons = who.iter().map(|g| g.persons).sum();
            let tally = |key: &dyn Fn(&PersonGroup) -> Option<String>| {
                let mut counts: std::collections::BTreeMap<Option<String>, i64> = std::collections::BTreeMap::new();
                for g in &who {
                    *counts.entry(key(g)).or_default() += g.consultations;
                }
                counts
                    .into_iter()
                    .map(|(key, count)| KeyCount { key, count })
                    .collect::<Vec<_>>()
            };
            let by_sex = tally(&|g| g.sex.clone());
            let by_town = tally(&|g| g.town.clone());
            let by_age_band = tally(&|g| g.band.map(|b| b.to_string()));
            let concerns = sqlx::query_as::<_, ConcernCount>(AssertSqlSafe(format!(
                "SELECT k.code, COUNT(*) AS any, SUM(CASE WHEN k.main THEN 1 ELSE 0 END) AS main \
                 FROM consultation_concerns k WHERE k.received_on BETWEEN $1 AND $2{} GROUP BY k.code ORDER BY k.code",
                scope.clause("k.agency_id")
            )))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let handoffs = sqlx::query_as::<_, HandoffFact>(AssertSqlSafe(format!(
                "SELECT purpose, to_agency_id, state, urgency, sent_on, received_on, reported_on FROM handoffs \
                 WHERE sent_on BETWEEN $1 AND $2{} ORDER BY sent_on, id",
                scope.clause("from_agency_id")
            )))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let in_cases = match scope {
                ReportScope::City => String::new(),
                ReportScope::Agencies(_) => format!(
                    " AND EXISTS (SELECT 1 FROM case_agencies ca WHERE ca.case_id = cases.id{})",
                    scope.clause("ca.agency_id")
                ),
            };
            let cases_opened = count_one(
                pool,
                format!("SELECT COUNT(*) FROM cases WHERE opened_on BETWEEN $1 AND $2{in_cases}"),
                from,
                to,
            )
            .await?;
            let cases_ended = key_counts(
                pool,
                format!(
                    "SELECT state AS key, COUNT(*) AS count FROM cases WHERE closed_on BETWEEN $1 AND $2{in_cases} \
                     GROUP BY state ORDER BY state"
                ),
                from,
                to,
            )
            .await?;
            let cases_open_at_end = count_one(
                pool,
                format!(
                    "SELECT COUNT(*) FROM cases WHERE opened_on <= $2 AND (closed_on IS NULL OR closed_on > $2) \
                     AND $1 <= $2{in_cases}"
                ),
                from,
                to,
            )
            .await?;
            let closure_rows: Vec<(Option<String>,)> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT closure FROM cases WHERE state = 'closed' AND closed_on BETWEEN $1 AND $2{in_cases}"
            )))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let closures = closure_rows
                .into_iter()
                .filter_map(|(c,)| c.and_then(|c| serde_json::from_str(&c).ok()))
                .collect();
            // Case events carry instants: the span's days in JST.
            let jst = |d: NaiveDate| {
                d.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(9)
            };
            let (cases_monitored,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT COUNT(DISTINCT e.case_id) FROM case_events e JOIN cases ON cases.id = e.case_id \
                 WHERE e.step = 'monitor' AND e.at >= $1 AND e.at < $2{in_cases}"
            )))
            .bind(chrono::DateTime::<Utc>::from_naive_utc_and_offset(jst(from), Utc))
            .bind(chrono::DateTime::<Utc>::from_naive_utc_and_offset(
                jst(to.succ_opt().unwrap_or(to)),
                Utc,
            ))
            .fetch_one(pool)
            .await
            .map_err(db_error)?;
            let plans_in = in_cases.replace("cases.id", "plans.case_id");
            let plans_agreed_first = count_one(
                pool,
                format!("SELECT COUNT(*) FROM plans WHERE agreed_on BETWEEN $1 AND $2 AND version = 1{plans_in}"),
                from,
                to,
            )
            .await?;
            let plans_agreed_again = count_one(
                pool,
                format!("SELECT COUNT(*) FROM plans WHERE agreed_on BETWEEN $1 AND $2 AND version > 1{plans_in}"),
                from,
                to,
            )
            .await?;
            // Meetings are the city's: counted for the city only.
            let meetings = if *scope == ReportScope::City {
                sqlx::query_as::<_, MeetingFact>(
                    "SELECT m.kind, m.starts_at, (SELECT COUNT(*) FROM agenda_items a WHERE a.meeting_id = m.id AND a.case_id IS NOT NULL) AS cases \
                     FROM meetings m WHERE m.starts_at >= $1 AND m.starts_at < $2 ORDER BY m.starts_at",
                )
                .bind(from.and_hms_opt(0, 0, 0).expect("midnight"))
                .bind(to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).expect("midnight"))
                .fetch_all(pool)
                .await
                .map_err(db_error)?
            } else {
                Vec::new()
            };
            let in_targets = scope.clause("t.agency_id");
            let outreach_targets = count_one(
                pool,
                format!("SELECT COUNT(*) FROM outreach_targets t WHERE t.created_on BETWEEN $1 AND $2{in_targets}"),
                from,
                to,
            )
            .await?;
            let outreach_attempts = count_one(
                pool,
                format!(
                    "SELECT COUNT(*) FROM outreach_attempts a JOIN outreach_targets t ON t.id = a.target_id \
                     WHERE a.on_date BETWEEN $1 AND $2{in_targets}"
                ),
                from,
                to,
            )
            .await?;
            let outreach_connected = count_one(
                pool,
                format!(
                    "SELECT COUNT(*) FROM outreach_targets t JOIN consultations c ON c.id = t.consultation_id \
                     WHERE c.received_on BETWEEN $1 AND $2{in_targets}"
                ),
                from,
                to,
            )
            .await?;
            let in_matches = scope.clause("m.agency_id");
            let matches = count_one(
                pool,
                format!("SELECT COUNT(*) FROM participation_matches m WHERE m.matched_on BETWEEN $1 AND $2{in_matches}"),
                from,
                to,
            )
            .await?;
            let matched_persons = count_one(
                pool,
                format!(
                    "SELECT COUNT(DISTINCT m.person_id) FROM participation_matches m \
                     WHERE m.matched_on BETWEEN $1 AND $2{in_matches}"
                ),
                from,
                to,
            )
            .await?;
            let matches_by_menu = key_counts(
                pool,
                format!(
                    "SELECT u.name AS key, COUNT(*) AS count FROM participation_matches m \
                     JOIN participation_menus u ON u.id = m.menu_id \
                     WHERE m.matched_on BETWEEN $1 AND $2{in_matches} GROUP BY u.name ORDER BY u.name"
                ),
                from,
                to,
            )
            .await?;
            // Still taking part on the last day: matched by then, not ended by then.
            let retained = count_one(
                pool,
                format!(
                    "SELECT COUNT(DISTINCT m.person_id) FROM participation_matches m \
                     WHERE m.matched_on <= $2 AND $1 <= $2 AND NOT EXISTS (SELECT 1 FROM follow_ups f \
                     WHERE f.match_id = m.id AND f.kind = 'ended' AND f.on_date <= $2){in_matches}"
                ),
                from,
                to,
            )
            .await?;
            let hosts = count_one(
                pool,
                format!(
                    "SELECT COUNT(DISTINCT u.host) FROM participation_matches m JOIN participation_menus u ON u.id = m.menu_id \
                     WHERE m.matched_on BETWEEN $1 AND $2{in_matches}"
                ),
                from,
                to,
            )
            .await?;
            let city = *scope == ReportScope::City;
            let event_participants = if city {
                count_one(
                    pool,
                    "SELECT CAST(COALESCE(SUM(participants), 0) AS BIGINT) FROM events WHERE held_on BETWEEN $1 AND $2"
                        .to_owned(),
                    from,
                    to,
                )
                .await?
            } else {
                0
            };
            let (resources_by_kind, events_held, event_consultations, event_organisations) = if city {
                (
                    // 拠点数 at the 年度's last day: opened by then (or before
                    // the records began) and not closed by then.
                    key_counts(
                        pool,
                        "SELECT kind AS key, COUNT(*) AS count FROM community_resources \
                         WHERE $1 <= $2 AND (opened_on IS NULL OR opened_on <= $2) AND (closed_on IS NULL OR closed_on > $2) \
                         GROUP BY kind ORDER BY kind"
                            .to_owned(),
                        from,
                        to,
                    )
                    .await?,
                    count_one(pool, "SELECT COUNT(*) FROM events WHERE held_on BETWEEN $1 AND $2".to_owned(), from, to).await?,
                    count_one(
                        pool,
                        "SELECT COUNT(*) FROM event_consultations ec JOIN events e ON e.id = ec.event_id \
                         WHERE e.held_on BETWEEN $1 AND $2"
                            .to_owned(),
                        from,
                        to,
                    )
                    .await?,
                    count_one(
                        pool,
                        "SELECT COUNT(DISTINCT a.organization) FROM event_attendees a JOIN events e ON e.id = a.event_id \
                         WHERE e.held_on BETWEEN $1 AND $2"
                            .to_owned(),
                        from,
                        to,
                    )
                    .await?,
                )
            } else {
                (Vec::new(), 0, 0, 0)
            };
            let (resources_opened, resources_closed) = if city {
                (
                    count_one(pool, "SELECT COUNT(*) FROM community_resources WHERE opened_on BETWEEN $1 AND $2".to_owned(), from, to)
                        .await?,
                    count_one(pool, "SELECT COUNT(*) FROM community_resources WHERE closed_on BETWEEN $1 AND $2".to_owned(), from, to)
                        .await?,
                )
            } else {
                (0, 0)
            };
            // 研修会・意見交換会 are the city's: counted for the city only.
            let (trainings_by_kind, training_agencies) = if city {
                (
                    key_counts(
                        pool,
                        "SELECT kind AS key, COUNT(*) AS count FROM trainings WHERE held_on BETWEEN $1 AND $2 \
                         GROUP BY kind ORDER BY kind"
                            .to_owned(),
                        from,
                        to,
                    )
                    .await?,
                    count_one(
                        pool,
                        "SELECT COUNT(DISTINCT a.agency_id) FROM training_agencies a JOIN trainings t ON t.id = a.training_id \
                         WHERE t.held_on BETWEEN $1 AND $2"
                            .to_owned(),
                        from,
                        to,
                    )
                    .await?,
                )
            } else {
                (Vec::new(), 0)
            };
            Ok(AnnualFigures {
                consultation_days,
                consultation_persons,
                concerns,
                by_sex,
                by_town,
                by_age_band,
                handoffs,
                cases_opened,
                cases_ended,
                cases_open_at_end,
                closures,
                cases_monitored,
                plans_agreed_first,
                plans_agreed_again,
                meetings,
                outreach_targets,
                outreach_attempts,
                outreach_connected,
                matches,
                matched_persons,
                matches_by_menu,
                retained,
                hosts,
                resources_by_kind,
                resources_opened,
                resources_closed,
                events_held,
                event_participants,
                event_consultations,
                event_organisations,
                trainings_by_kind,
                training_agencies,
            })
        }
    };
}
