//! 相談受付 (the intake sheet No.1–2): who may take a consultation and for
//! which agency, the possible duplicates shown before a new person is
//! created, saving a checked sheet with what it is tied to, and reading a
//! saved sheet (on screen or printed).

use crate::{Actor, App, AppError, Reading, policy};
use chrono::NaiveDate;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{IntakeInput, IntakeSheet};
use tsunagaru_store::{Consultation, IntakeContext, IntakeIds, Person, PersonQuery};

/// The most persons born on one day a duplicate check compares names with
/// (about 35 a day in a population of a million; a data set with a default
/// date could hold many more).
const SAME_BIRTH_DATE_LIMIT: i64 = 5_000;

/// What a new consultation is tied to besides its 受付機関.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntakeLinks {
    /// Attach to this person (chosen among the possible duplicates).
    pub existing_person_id: Option<i64>,
    /// The アウトリーチ target it connects.
    pub outreach_target_id: Option<i64>,
    /// The event (出前相談会) where it was taken.
    pub event_id: Option<i64>,
}

/// The agency the actor takes a consultation for: the one asked for, if
/// theirs, else their first.
pub fn intake_agency(actor: &Actor, asked: Option<i64>) -> Result<i64, AppError> {
    if !actor.role.works_with_persons() {
        return Err(AppError::forbidden("この役割では相談を受け付けられません"));
    }
    match asked {
        Some(id) if actor.belongs_to(id) => Ok(id),
        Some(_) => Err(AppError::forbidden(
            "受付機関は自分の所属機関から選んでください",
        )),
        None => actor
            .agency_ids
            .first()
            .copied()
            .ok_or_else(|| AppError::forbidden("所属機関がないため相談を受け付けられません")),
    }
}

/// The audit detail of reading a person: a protected person's record read
/// by a user named on it is marked.
pub fn view_detail(person: &Person, actor: &Actor, what: &str) -> String {
    if person.protected && person.whereabouts_visible_to(actor.id()) {
        format!("{what}（保護対象: 閲覧を許可された利用者による閲覧）")
    } else {
        what.to_owned()
    }
}

impl App {
    /// Which person a consultation is about, for a user who may see that
    /// person (others: not found). Nothing personal is read out, so the
    /// lookup is not audited; the person page audits its own view.
    pub async fn consultation_person_id(
        &self,
        actor: &Actor,
        consultation_id: i64,
    ) -> Result<i64, AppError> {
        let consultation = self
            .repo
            .consultation(consultation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.person_in_scope(actor, consultation.person_id).await?;
        Ok(consultation.person_id)
    }

    /// Possible duplicates of the sheet's person among those the actor may
    /// see: the same birth date and a similar name or ふりがな, or the same
    /// phone (not for protected persons whose whereabouts the actor may not
    /// see). Each as the actor may see them.
    pub async fn possible_duplicates(
        &self,
        actor: &Actor,
        sheet: &IntakeSheet,
    ) -> Result<Vec<Person>, AppError> {
        use tsunagaru_domain::kana::{search_key, similar};
        if !actor.role.works_with_persons() {
            return Ok(Vec::new());
        }
        let agencies = &actor.agency_ids;
        let mut found: Vec<Person> = Vec::new();
        let name_key = search_key(&sheet.person.name);
        let kana_key = sheet.person.kana.as_ref().map(|k| search_key(k.as_str()));
        if let Some(birth) = sheet.person.birth_date {
            // Everyone born that day, by their search keys only (one range
            // of an index); then the near names alone are read, in scope.
            let near: Vec<i64> = self
                .repo
                .born_on(birth.date(), SAME_BIRTH_DATE_LIMIT)
                .await?
                .into_iter()
                .filter(|c| {
                    similar(&c.name_key, &name_key)
                        || matches!((&kana_key, &c.kana_key), (Some(a), Some(b)) if similar(a, b))
                })
                .map(|c| c.id)
                .collect();
            if !near.is_empty() {
                let query = PersonQuery {
                    ids: Some(near),
                    ..PersonQuery::default()
                };
                found.extend(self.repo.search_persons(agencies, &query, 200).await?);
            }
        }
        for phone in &sheet.person.phones {
            let query = PersonQuery {
                same_phone: Some(phone.key()),
                ..PersonQuery::default()
            };
            for person in self.repo.search_persons(agencies, &query, 20).await? {
                if person.whereabouts_visible_to(actor.id())
                    && !found.iter().any(|f| f.id == person.id)
                {
                    found.push(person);
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|p| p.for_viewer(actor.id()))
            .collect())
    }

    /// Saves a checked sheet for one of the actor's agencies, with the town
    /// from the address router, 受付者 defaulting to the actor, what it is
    /// tied to (each checked against the actor's scope) and the audit event,
    /// in one transaction.
    pub async fn take_consultation(
        &self,
        actor: &Actor,
        mut sheet: IntakeSheet,
        agency_id: Option<i64>,
        receiver_name: &str,
        links: IntakeLinks,
    ) -> Result<IntakeIds, AppError> {
        let agency_id = intake_agency(actor, agency_id)?;
        if let Some(id) = links.existing_person_id
            && self.visible_person(actor, id).await?.is_none()
        {
            return Err(AppError::invalid(
                "person_id",
                "指定した相談対象者は見つかりません",
            ));
        }
        // Every link the sheet names is refused by field when there is no
        // such record in the actor's scope (the same answer either way).
        if let Some(target) = links.outreach_target_id {
            match self.connectable_target(actor, target).await {
                Err(AppError::NotFound) => {
                    return Err(AppError::invalid(
                        "outreach_target_id",
                        "指定したアウトリーチの対象は見つかりません",
                    ));
                }
                other => {
                    other?;
                }
            }
        }
        if let Some(event) = links.event_id
            && self.repo.event(event).await?.is_none()
        {
            return Err(AppError::invalid(
                "event_id",
                "指定した行事は見つかりません",
            ));
        }
        let town = self.town_of(
            sheet.person.postal_code.as_deref(),
            sheet.person.address.as_deref(),
        );
        // 受付者: who typed it, unless the sheet names someone else.
        sheet
            .receiver_name
            .get_or_insert_with(|| receiver_name.to_owned());
        let ctx = IntakeContext {
            agency_id,
            user_id: actor.id(),
            town,
            existing_person_id: links.existing_person_id,
            outreach_target_id: links.outreach_target_id,
            event_id: links.event_id,
        };
        let audit = actor
            .audit(AuditAction::ConsultationCreated)
            .detail(format!("受付機関 {agency_id}"));
        Ok(self.repo.create_intake(&sheet, &ctx, audit).await?)
    }

    /// A saved sheet with its person, as the actor may see them (the
    /// household and requester shaped by `consultation_shown`); audited as
    /// read on screen or printed.
    pub async fn consultation_record(
        &self,
        actor: &Actor,
        id: i64,
        reading: Reading,
    ) -> Result<(Consultation, Person), AppError> {
        let consultation = self
            .repo
            .consultation(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = self
            .visible_person(actor, consultation.person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let consultation = self
            .consultation_shown(actor, &person, consultation)
            .await?;
        let (action, what) = match reading {
            Reading::Screen => (AuditAction::ConsultationViewed, "表示"),
            Reading::Print => (AuditAction::ConsultationPrinted, "印刷表示"),
        };
        self.repo
            .append_audit(
                actor
                    .audit(action)
                    .record("consultation", id)
                    .detail(view_detail(&person, actor, what)),
            )
            .await?;
        Ok((consultation, person))
    }

    /// The intake sheet pre-filled from an open アウトリーチ target the
    /// actor sees (nothing retyped); the read is audited.
    pub async fn intake_from_target(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<IntakeInput, AppError> {
        let target = self.connectable_target(actor, id).await?;
        let attempts = self.repo.attempts_of(id).await?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::OutreachViewed)
                    .record("outreach_target", id)
                    .detail("受付シートへ"),
            )
            .await?;
        Ok(crate::outreach::intake_from_target(&target, &attempts))
    }
}

/// A sheet's correction history, in words.
pub struct SheetHistory {
    pub changes: Vec<tsunagaru_store::ConsultationChange>,
}

impl App {
    /// Corrects a saved sheet's own fields (the 受付機関's staff; others who
    /// see it: 403; out of scope: 404). Each changed field is kept in the
    /// sheet's history with who, when, before and after; the view of the
    /// person stays as it was for every other rule.
    pub async fn correct_consultation(
        &self,
        actor: &Actor,
        id: i64,
        input: &tsunagaru_domain::intake::CorrectionInput,
    ) -> Result<(), AppError> {
        let current = self.sheet_for_change(actor, id).await?;
        let fix = input.parse(self.today()).map_err(AppError::Invalid)?;
        let concern_words = |list: &[tsunagaru_store::StoredConcern]| {
            list.iter()
                .map(|k| {
                    let label = tsunagaru_domain::intake::Concern::parse(&k.code)
                        .map_or(k.code.clone(), |c| c.label().to_owned());
                    let other = k
                        .text
                        .as_deref()
                        .map(|t| format!("（{t}）"))
                        .unwrap_or_default();
                    format!("{label}{other}{}", if k.main { "◎" } else { "" })
                })
                .collect::<Vec<_>>()
                .join("、")
        };
        let method_words = |code: &str| {
            tsunagaru_domain::intake::Method::parse(code)
                .map_or(code.to_owned(), |m| m.label().to_owned())
        };
        let urgency_words = |code: Option<&str>| {
            code.and_then(tsunagaru_domain::intake::Urgency::parse)
                .map(|u| u.label().to_owned())
        };
        let day_words = |d: NaiveDate| EraDate::from_date(d).label();
        let mut next = tsunagaru_store::SheetCorrection {
            received_on: current.received_on,
            method: current.method.clone(),
            method_other: current.method_other.clone(),
            receiver_name: current.receiver_name.clone(),
            chief_complaint: current.chief_complaint.clone(),
            situation: current.situation.clone(),
            urgency: current.urgency.clone(),
            concerns: current.concerns.clone(),
            changes: Vec::new(),
            user_id: actor.id(),
        };
        let change = |field: &str, before: Option<String>, after: Option<String>| {
            (before != after).then(|| (field.to_owned(), before, after))
        };
        let mut changes = Vec::new();
        if let Some(day) = fix.received_on {
            changes.extend(change(
                "受付年月日",
                Some(day_words(current.received_on)),
                Some(day_words(day)),
            ));
            next.received_on = day;
        }
        if let Some(m) = fix.method {
            changes.extend(change(
                "相談方法",
                Some(method_words(&current.method)),
                Some(m.label().to_owned()),
            ));
            next.method = m.code().to_owned();
        }
        if let Some(other) = fix.method_other {
            changes.extend(change(
                "相談方法（その他）",
                current.method_other.clone(),
                other.clone(),
            ));
            next.method_other = other;
        }
        if let Some(name) = fix.receiver_name {
            changes.extend(change(
                "受付者",
                current.receiver_name.clone(),
                name.clone(),
            ));
            next.receiver_name = name;
        }
        if let Some(text) = fix.chief_complaint {
            changes.extend(change(
                "主訴",
                Some(current.chief_complaint.clone()),
                Some(text.clone()),
            ));
            next.chief_complaint = text;
        }
        if let Some(text) = fix.situation {
            changes.extend(change(
                "現在の状況・経緯",
                Some(current.situation.clone()),
                Some(text.clone()),
            ));
            next.situation = text;
        }
        if let Some(u) = fix.urgency {
            changes.extend(change(
                "緊急の必要性",
                urgency_words(current.urgency.as_deref()),
                u.map(|u| u.label().to_owned()),
            ));
            next.urgency = u.map(|u| u.code().to_owned());
        }
        if let Some(list) = fix.concerns {
            let stored: Vec<tsunagaru_store::StoredConcern> = list
                .iter()
                .map(|c| tsunagaru_store::StoredConcern {
                    code: c.concern.code().to_owned(),
                    main: c.main,
                    text: c.text.clone(),
                })
                .collect();
            changes.extend(change(
                "相談内容",
                Some(concern_words(&current.concerns)),
                Some(concern_words(&stored)),
            ));
            next.concerns = stored;
        }
        if changes.is_empty() {
            return Err(AppError::invalid("", "修正した内容が、今の記録と同じです"));
        }
        let fields: Vec<&str> = changes.iter().map(|(f, _, _)| f.as_str()).collect();
        let detail = format!("修正: {}", fields.join("・"));
        next.changes = changes;
        self.repo
            .correct_consultation(
                id,
                &next,
                actor
                    .audit(AuditAction::ConsultationCorrected)
                    .detail(detail),
            )
            .await?;
        Ok(())
    }

    /// Voids (取消) a sheet taken by mistake, with the reason: it is kept,
    /// marked, and left out of the counts. Not while a handoff of it stands
    /// or a case from it is open.
    pub async fn void_consultation(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        let sheet = self.sheet_for_change(actor, id).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "取消の理由を書いてください"));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "取消の理由は500文字までです"));
        }
        let standing = self
            .repo
            .handoffs_of_person(sheet.person_id)
            .await?
            .iter()
            .any(|h| h.consultation_id == id && policy::handoff_involves_receiver(h.state));
        if standing {
            return Err(AppError::conflict(
                "この受付シートの引継ぎが続いています。先に引継ぎを取り消してください",
            ));
        }
        let open_case = self
            .repo
            .cases_of_person(sheet.person_id)
            .await?
            .iter()
            .any(|c| c.consultation_id == id && c.state.is_open());
        if open_case {
            return Err(AppError::conflict(
                "この受付シートから開いたケースが続いています",
            ));
        }
        self.repo
            .void_consultation(
                id,
                actor.id(),
                reason,
                actor
                    .audit(AuditAction::ConsultationVoided)
                    .detail(reason.to_owned()),
            )
            .await?;
        Ok(())
    }

    /// The correction history of a sheet the actor has opened.
    pub async fn sheet_history(
        &self,
        consultation: &Consultation,
    ) -> Result<SheetHistory, AppError> {
        Ok(SheetHistory {
            changes: self.repo.consultation_changes(consultation.id).await?,
        })
    }

    /// A sheet the actor may change: in scope (else 404), of the actor's
    /// agency (else 403), not voided (else 409).
    async fn sheet_for_change(&self, actor: &Actor, id: i64) -> Result<Consultation, AppError> {
        let sheet = self
            .repo
            .consultation(id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.person_in_scope(actor, sheet.person_id).await?;
        if !policy::may_correct_sheet(actor, sheet.agency_id) {
            return Err(AppError::forbidden(
                "受付シートを修正・取消できるのは、受け付けた機関の職員です",
            ));
        }
        if sheet.voided.is_some() {
            return Err(AppError::conflict("この受付シートは取り消されています"));
        }
        Ok(sheet)
    }
}

impl App {
    /// After a bulk import (from the command line only, as the import): the
    /// search index merged and the planner's statistics refreshed, so that
    /// searches over the loaded records run as over records written one by
    /// one. Changes no record, so it writes no audit event.
    pub async fn settle_after_import(&self, actor: &Actor) -> Result<(), AppError> {
        if !policy::may_import(actor) {
            return Err(AppError::Forbidden(
                "一括登録はサーバーのコマンドからのみ行えます".into(),
            ));
        }
        Ok(self.repo.settle_after_load().await?)
    }

    /// Intakes written together in one transaction, from the command line
    /// only ([`policy::may_import`]): a data migration, or a synthetic data
    /// set. Each is written as a saved sheet is, with its notes and handoffs;
    /// every agency and user they name must be on record, and no date may
    /// lie after today by the application's clock. One audit event for the
    /// batch names every consultation.
    pub async fn import_intakes(
        &self,
        actor: &Actor,
        intakes: &[tsunagaru_store::ImportedIntake],
    ) -> Result<Vec<IntakeIds>, AppError> {
        if !policy::may_import(actor) {
            return Err(AppError::Forbidden(
                "一括登録はサーバーのコマンドからのみ行えます".into(),
            ));
        }
        let today = self.today();
        let agencies: std::collections::HashSet<i64> =
            self.agencies().await?.iter().map(|a| a.id).collect();
        // The accounts on record and their agencies, read once for the
        // whole batch.
        let users: std::collections::HashMap<i64, Vec<i64>> = self
            .staff()
            .await?
            .iter()
            .map(|u| (u.id, u.agency_ids.clone()))
            .collect();
        let invalid = |field: String, message: String| AppError::invalid(&field, message);
        for (n, intake) in intakes.iter().enumerate() {
            let at = |what: &str| format!("intakes[{n}].{what}");
            let mut named = vec![intake.ctx.agency_id];
            for h in &intake.handoffs {
                named.extend([h.from_agency_id, h.to_agency_id]);
            }
            if let Some(a) = named.iter().find(|a| !agencies.contains(a)) {
                return Err(invalid(
                    at("agency_id"),
                    format!("機関 {a} は登録されていません"),
                ));
            }
            for (k, note) in intake.notes.iter().enumerate() {
                if let Some(problem) =
                    crate::person_records::note_problems(&note.method, &note.content)
                        .into_iter()
                        .next()
                {
                    return Err(invalid(
                        at(&format!("notes[{k}].{}", problem.field)),
                        problem.message,
                    ));
                }
            }
            // No day after today, by the application's clock, wherever it is.
            let mut dates = vec![("received_on".to_owned(), intake.sheet.received_on)];
            for (k, note) in intake.notes.iter().enumerate() {
                dates.push((format!("notes[{k}].noted_on"), note.noted_on));
            }
            for (k, h) in intake.handoffs.iter().enumerate() {
                dates.push((format!("handoffs[{k}].sent_on"), h.sent_on));
            }
            if let Some((field, _)) = dates.iter().find(|(_, d)| *d > today) {
                return Err(invalid(
                    at(field),
                    "今日より後の日付は登録できません".into(),
                ));
            }
            // A handoff shares the sheet: without 本人's 同意, only with the
            // reason a worker would have to give.
            let self_consent = tsunagaru_domain::intake::self_consent(
                intake
                    .sheet
                    .household
                    .iter()
                    .map(|m| (&m.relationship, m.consent)),
            );
            for (k, h) in intake.handoffs.iter().enumerate() {
                crate::handoffs::self_consent_reason(
                    self_consent,
                    h.self_consent_reason.as_deref(),
                )
                .map_err(|question| {
                    invalid(at(&format!("handoffs[{k}].self_consent_reason")), question)
                })?;
            }
            // Who took the sheet works at the agency that took it; who sent
            // a handoff, at the agency that sent it.
            let workers = std::iter::once((
                "user_id".to_owned(),
                intake.ctx.user_id,
                intake.ctx.agency_id,
            ))
            .chain(intake.handoffs.iter().enumerate().map(|(k, h)| {
                (
                    format!("handoffs[{k}].sent_by"),
                    h.sent_by,
                    h.from_agency_id,
                )
            }));
            for (field, user_id, agency_id) in workers {
                match users.get(&user_id) {
                    None => {
                        return Err(invalid(
                            at(&field),
                            format!("ユーザー {user_id} は登録されていません"),
                        ));
                    }
                    Some(agency_ids) if !agency_ids.contains(&agency_id) => {
                        return Err(invalid(
                            at(&field),
                            format!("ユーザー {user_id} は機関 {agency_id} の職員ではありません"),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        let audit = actor
            .audit(AuditAction::IntakesImported)
            .detail(format!("{}件", intakes.len()));
        Ok(self.repo.import_intakes(intakes, audit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagaru_domain::Role;

    fn actor(role: Role, agencies: &[i64]) -> Actor {
        Actor {
            user_id: Some(7),
            name: "u".into(),
            role,
            agency_ids: agencies.to_vec(),
            authenticated_at: None,
        }
    }

    #[test]
    fn a_consultation_is_taken_for_one_of_the_actors_agencies() {
        let staff = actor(Role::Staff, &[3, 5]);
        assert_eq!(intake_agency(&staff, None), Ok(3));
        assert_eq!(intake_agency(&staff, Some(5)), Ok(5));
        assert!(matches!(
            intake_agency(&staff, Some(9)),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            intake_agency(&actor(Role::Staff, &[]), None),
            Err(AppError::Forbidden(_))
        ));
        for role in [Role::Auditor, Role::Admin] {
            assert!(matches!(
                intake_agency(&actor(role, &[3]), None),
                Err(AppError::Forbidden(_))
            ));
        }
    }
}
