//! 地域づくり (第3号): community resources (拠点) and events (出前相談会)
//! with the consultations they produced.

use crate::{Actor, App, AppError, FieldError, policy};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::reach::{EventInput, ResourceClosingInput, ResourceInput};
use tsunagaru_store::{Consultation, EventDetail, NewEvent, NewResource, Person, ResourceClosing};

impl App {
    // ------------------------------------------------------ community building --

    pub async fn create_resource(
        &self,
        actor: &Actor,
        input: &ResourceInput,
    ) -> Result<i64, AppError> {
        if !policy::may_register_resources(actor) {
            return Err(AppError::forbidden("この操作を行う権限がありません"));
        }
        let r = input.parse(self.today()).map_err(AppError::Invalid)?;
        Ok(self
            .repo
            .create_resource(
                &NewResource {
                    name: r.name,
                    kind: r.kind,
                    description: r.description,
                    address: r.address,
                    schedule: r.schedule,
                    operator: r.operator,
                    audience: r.audience,
                    phone: r.phone,
                    email: r.email,
                    opened_on: r.opened_on,
                    created_by: actor.id(),
                },
                actor
                    .audit(AuditAction::CommunityRecorded)
                    .detail("地域資源の登録"),
            )
            .await?)
    }

    /// Records a registered 拠点's 廃止 (the day and why), so the 拠点数 at a
    /// 年度's 3月31日 stays countable afterwards. The pack's agencies close by
    /// leaving the pack.
    pub async fn close_resource(
        &self,
        actor: &Actor,
        id: i64,
        input: &ResourceClosingInput,
    ) -> Result<(), AppError> {
        if !policy::may_register_resources(actor) {
            return Err(AppError::forbidden("この操作を行う権限がありません"));
        }
        let resource = self.repo.resource(id).await?.ok_or(AppError::NotFound)?;
        if resource.agency_id.is_some() {
            return Err(AppError::conflict(
                "市町村パックの機関は、パックから外すと廃止として記録されます",
            ));
        }
        if resource.closed_on.is_some() {
            return Err(AppError::conflict(
                "この拠点はすでに廃止として記録されています",
            ));
        }
        let (closed_on, reason) = input
            .parse(resource.opened_on, self.today())
            .map_err(AppError::Invalid)?;
        self.repo
            .close_resource(
                id,
                &ResourceClosing { closed_on, reason },
                actor
                    .audit(AuditAction::CommunityRecorded)
                    .detail("地域資源の廃止"),
            )
            .await
            .map_err(AppError::from)
    }

    pub async fn create_event(&self, actor: &Actor, input: &EventInput) -> Result<i64, AppError> {
        if !policy::may_record_events(actor) {
            return Err(AppError::forbidden("この操作を行う権限がありません"));
        }
        let e = input.parse().map_err(AppError::Invalid)?;
        let members = self.repo.network_members().await?;
        let mut attendees = Vec::new();
        for position in &e.attendee_positions {
            match members.iter().find(|m| m.position == *position) {
                Some(m) => attendees.push((*position, m.organization.clone())),
                None => {
                    return Err(AppError::Invalid(vec![FieldError {
                        field: "attendee_positions".into(),
                        message: format!("推進員の番号 {position} はありません"),
                    }]));
                }
            }
        }
        Ok(self
            .repo
            .create_event(
                &NewEvent {
                    kind: e.kind,
                    title: e.title,
                    held_on: e.held_on,
                    place: e.place,
                    note: e.note,
                    attendees,
                    participants: e.participants.map(i64::from),
                    created_by: actor.id(),
                },
                actor
                    .audit(AuditAction::CommunityRecorded)
                    .detail("行事の登録"),
            )
            .await?)
    }

    /// Links a consultation the event produced (the user must see its person).
    pub async fn link_consultation(
        &self,
        actor: &Actor,
        event_id: i64,
        consultation_id: i64,
    ) -> Result<(), AppError> {
        if !policy::may_record_events(actor) {
            return Err(AppError::NotFound);
        }
        self.repo.event(event_id).await?.ok_or(AppError::NotFound)?;
        let consultation = self
            .repo
            .consultation(consultation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.visible_person(actor, consultation.person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.repo
            .link_event_consultation(
                event_id,
                consultation_id,
                actor.id(),
                actor
                    .audit(AuditAction::CommunityRecorded)
                    .detail(format!("相談 ID {consultation_id} を結びつけ")),
            )
            .await
            .map_err(AppError::from)
    }
}

/// An event with the consultations it produced: all counted, those whose
/// person the actor may see listed with the person.
pub struct EventRecord {
    pub event: EventDetail,
    pub seen: Vec<(Consultation, Person)>,
}

impl App {
    /// An event; naming anyone it led to a consultation is audited.
    pub async fn event_record(&self, actor: &Actor, id: i64) -> Result<EventRecord, AppError> {
        let event = self.repo.event(id).await?.ok_or(AppError::NotFound)?;
        // The sheets taken at the event and their persons, each read once
        // for them all; shown only where the person is (`visible_persons`).
        let consultations = self
            .repo
            .consultations_among(&event.consultation_ids)
            .await?;
        let persons = self
            .visible_persons(
                actor,
                &consultations
                    .iter()
                    .map(|c| c.person_id)
                    .collect::<Vec<_>>(),
            )
            .await?;
        let mut seen = Vec::new();
        for id in &event.consultation_ids {
            if let Some(consultation) = consultations.iter().find(|c| c.id == *id)
                && let Some(p) = persons.get(&consultation.person_id)
            {
                seen.push((consultation.clone(), p.clone()));
            }
        }
        if !seen.is_empty() {
            self.repo
                .append_audit(
                    actor
                        .audit(AuditAction::CommunityViewed)
                        .record("event", id),
                )
                .await?;
        }
        Ok(EventRecord { event, seen })
    }
}
