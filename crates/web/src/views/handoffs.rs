//! The views of a handoff that the screens and the API share. Which side a
//! user is on, the steps and what each side sees are decided in the
//! application layer (`tsunagaru_app::handoffs`).

use crate::AppState;
use crate::views::intake::person_json;
use chrono::NaiveDate;
use serde_json::{Value, json};
use tsunagaru_app::handoffs::Suggestion;
use tsunagaru_domain::handoff::overdue;
use tsunagaru_store::{Agency, Consultation, Handoff, Person};

/// The handoff as `viewer` (the agencies of the user reading) sees it: the
/// receiving side reads 「未受領」 where the sender reads 「送付済」.
pub fn handoff_json(
    state: &AppState,
    h: &Handoff,
    agencies: &[Agency],
    today: NaiveDate,
    viewer: &[i64],
) -> Value {
    let receiving = viewer.contains(&h.to_agency_id) && !viewer.contains(&h.from_agency_id);
    let name = |id: i64| {
        agencies
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let status = h.state;
    let late = overdue(
        status,
        h.sent_on,
        Some(h.urgency.code()),
        today,
        &state.pack.handoff.policy,
    );
    json!({
        "id": h.id,
        "consultation_id": h.consultation_id,
        "person_id": h.person_id,
        "from_agency_id": h.from_agency_id,
        "from_agency": name(h.from_agency_id),
        "to_agency_id": h.to_agency_id,
        "to_agency": name(h.to_agency_id),
        "purpose": h.purpose,
        "purpose_label": h.purpose.label(),
        "continue_at_origin": h.continue_at_origin,
        "urgency": h.urgency,
        "urgency_label": h.urgency.label(),
        "told_contact_name": h.told_contact_name,
        "told_contact_phone": h.told_contact_phone,
        "notes": h.notes,
        "status": h.state,
        "status_label": if receiving { status.label_for_receiver() } else { status.label() },
        "sent_on": h.sent_on,
        "received_on": h.received_on,
        "response": h.response,
        "reported_on": h.reported_on,
        "report_received_on": h.report_received_on,
        "return_reason": h.return_reason,
        "suggested_agency_id": h.suggested_agency_id,
        "withdraw_reason": h.withdraw_reason,
        "consent_override": h.consent_override_reason.is_some(),
        "self_consent_reason": h.self_consent_reason,
        "sent_by": h.sent_by,
        "sender_phone": h.sender_phone,
        "received_by": h.received_by,
        "receiver_phone": h.receiver_phone,
        "reported_by": h.reported_by,
        "reporter_phone": h.reporter_phone,
        "report_received_by": h.report_received_by,
        "report_receiver_phone": h.report_receiver_phone,
        "overdue": late.as_ref().map(|o| o.message()),
    })
}

/// The person as the handoff's side may see them (`App::handoff_record`).
pub fn shared_person_json(
    shared: Option<&(Person, Option<Consultation>)>,
    today: NaiveDate,
) -> Value {
    let Some((person, consultation)) = shared else {
        return Value::Null;
    };
    let mut value = person_json(person, today);
    value["consultation"] = consultation
        .as_ref()
        .map(crate::views::intake::consultation_json)
        .unwrap_or(Value::Null);
    value
}

pub fn suggestion_json(s: &Suggestion) -> Value {
    json!({"agency_id": s.agency_id, "name": s.name, "reason": s.reason})
}
