//! The views of a handoff that the screens and the API share. Which side a
//! user is on, the steps and what each side sees are decided in the
//! application layer (`tsunagaru_app::handoffs`).

use crate::AppState;
use crate::views::intake::{ConsultationAnswer, PersonAnswer};
use chrono::NaiveDate;
use serde::Serialize;
use tsunagaru_app::handoffs::Suggestion;
use tsunagaru_domain::handoff::{HandoffState, Purpose, overdue};
use tsunagaru_domain::intake::Urgency;
use tsunagaru_domain::openapi::{RecordId, codes};
use tsunagaru_store::{Agency, Consultation, Handoff, HandoffNotes, Person};
use utoipa::ToSchema;

/// A handoff as the API answers it (`Handoff` in the OpenAPI document,
/// whose schema is derived from this type).
#[derive(Serialize, ToSchema)]
#[schema(as = Handoff)]
pub struct HandoffAnswer {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(value_type = RecordId)]
    pub consultation_id: i64,
    #[schema(value_type = RecordId)]
    pub person_id: i64,
    #[schema(value_type = RecordId)]
    pub from_agency_id: i64,
    /// 送り側の機関名
    pub from_agency: String,
    #[schema(value_type = RecordId)]
    pub to_agency_id: i64,
    /// 引継機関名
    pub to_agency: String,
    #[schema(schema_with = codes::<Purpose>)]
    pub purpose: Purpose,
    pub purpose_label: &'static str,
    pub continue_at_origin: bool,
    #[schema(schema_with = codes::<Urgency>)]
    pub urgency: Urgency,
    pub urgency_label: &'static str,
    pub told_contact_name: Option<String>,
    pub told_contact_phone: Option<String>,
    pub notes: HandoffNotes,
    #[schema(schema_with = codes::<HandoffState>)]
    pub status: HandoffState,
    /// 状態の表示（受け側には「未受領」など、その側の言い方）
    pub status_label: &'static str,
    #[schema(value_type = String, format = Date)]
    pub sent_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub received_on: Option<NaiveDate>,
    pub response: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub report_received_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
    #[schema(value_type = Option<RecordId>)]
    pub suggested_agency_id: Option<i64>,
    pub withdraw_reason: Option<String>,
    /// 同意のない情報提供として送られたか
    pub consent_override: bool,
    pub self_consent_reason: Option<String>,
    #[schema(value_type = RecordId)]
    pub sent_by: i64,
    pub sender_phone: Option<String>,
    #[schema(value_type = Option<RecordId>)]
    pub received_by: Option<i64>,
    pub receiver_phone: Option<String>,
    #[schema(value_type = Option<RecordId>)]
    pub reported_by: Option<i64>,
    pub reporter_phone: Option<String>,
    #[schema(value_type = Option<RecordId>)]
    pub report_received_by: Option<i64>,
    pub report_receiver_phone: Option<String>,
    /// 期限切れのとき、その内容
    pub overdue: Option<String>,
}

impl HandoffAnswer {
    /// The handoff as `viewer` (the agencies of the user reading) sees it:
    /// the receiving side reads 「未受領」 where the sender reads 「送付済」.
    pub fn of(
        state: &AppState,
        h: &Handoff,
        agencies: &[Agency],
        today: NaiveDate,
        viewer: &[i64],
    ) -> HandoffAnswer {
        let receiving = viewer.contains(&h.to_agency_id) && !viewer.contains(&h.from_agency_id);
        let name = |id: i64| {
            agencies
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        let late = overdue(
            h.state,
            h.sent_on,
            Some(h.urgency.code()),
            today,
            &state.pack().handoff.policy,
        );
        HandoffAnswer {
            id: h.id,
            consultation_id: h.consultation_id,
            person_id: h.person_id,
            from_agency_id: h.from_agency_id,
            from_agency: name(h.from_agency_id),
            to_agency_id: h.to_agency_id,
            to_agency: name(h.to_agency_id),
            purpose: h.purpose,
            purpose_label: h.purpose.label(),
            continue_at_origin: h.continue_at_origin,
            urgency: h.urgency,
            urgency_label: h.urgency.label(),
            told_contact_name: h.told_contact_name.clone(),
            told_contact_phone: h.told_contact_phone.clone(),
            notes: h.notes.clone(),
            status: h.state,
            status_label: if receiving {
                h.state.label_for_receiver()
            } else {
                h.state.label()
            },
            sent_on: h.sent_on,
            received_on: h.received_on,
            response: h.response.clone(),
            reported_on: h.reported_on,
            report_received_on: h.report_received_on,
            return_reason: h.return_reason.clone(),
            suggested_agency_id: h.suggested_agency_id,
            withdraw_reason: h.withdraw_reason.clone(),
            consent_override: h.consent_override_reason.is_some(),
            self_consent_reason: h.self_consent_reason.clone(),
            sent_by: h.sent_by,
            sender_phone: h.sender_phone.clone(),
            received_by: h.received_by,
            receiver_phone: h.receiver_phone.clone(),
            reported_by: h.reported_by,
            reporter_phone: h.reporter_phone.clone(),
            report_received_by: h.report_received_by,
            report_receiver_phone: h.report_receiver_phone.clone(),
            overdue: late.as_ref().map(|o| o.message()),
        }
    }
}

/// The person as the handoff's side may see them (`App::handoff_record`),
/// with the sheet the handoff sends.
#[derive(Serialize, ToSchema)]
pub struct SharedPerson {
    #[serde(flatten)]
    pub person: PersonAnswer,
    /// 送られた受付シート（この側に見えないときは null）
    pub consultation: Option<ConsultationAnswer>,
}

impl SharedPerson {
    pub fn of(
        shared: Option<&(Person, Option<Consultation>)>,
        today: NaiveDate,
    ) -> Option<SharedPerson> {
        let (person, consultation) = shared?;
        Some(SharedPerson {
            person: PersonAnswer::of(person, today),
            consultation: consultation.as_ref().map(ConsultationAnswer::of),
        })
    }
}

/// An agency the routing suggests for a consultation, and why.
#[derive(Serialize, ToSchema)]
pub struct SuggestionAnswer {
    #[schema(value_type = RecordId)]
    pub agency_id: i64,
    pub name: String,
    pub reason: String,
}

impl From<&Suggestion> for SuggestionAnswer {
    fn from(s: &Suggestion) -> Self {
        SuggestionAnswer {
            agency_id: s.agency_id,
            name: s.name.clone(),
            reason: s.reason.clone(),
        }
    }
}
