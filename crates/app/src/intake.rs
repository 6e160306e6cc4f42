//! 相談受付 (the intake sheet No.1–2): who may take a consultation and for
//! which agency, the possible duplicates shown before a new person is
//! created, saving a checked sheet with what it is tied to, and reading a
//! saved sheet (on screen or printed).

use crate::{Actor, App, AppError, Reading};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::intake::{IntakeInput, IntakeSheet};
use tsunagaru_store::{Consultation, IntakeContext, IntakeIds, Person, PersonQuery};

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
            let query = PersonQuery {
                birth_date: Some(birth.date()),
                ..PersonQuery::default()
            };
            for person in self.repo.search_persons(agencies, &query, 200).await? {
                let same_name = similar(&search_key(&person.name), &name_key);
                let same_kana = match (&kana_key, &person.kana) {
                    (Some(a), Some(b)) => similar(a, &search_key(b)),
                    _ => false,
                };
                if same_name || same_kana {
                    found.push(person);
                }
            }
        }
        for phone in &sheet.person.phones {
            let query = PersonQuery {
                phone: Some(phone.key()),
                ..PersonQuery::default()
            };
            for person in self.repo.search_persons(agencies, &query, 20).await? {
                let exact = person
                    .phones
                    .iter()
                    .any(|p| tsunagaru_domain::kana::phone_key(&p.number) == phone.key());
                if exact
                    && person.whereabouts_visible_to(actor.id())
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
        if let Some(target) = links.outreach_target_id {
            self.connectable_target(actor, target).await?;
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
