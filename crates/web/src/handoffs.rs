//! What the handoff screens and API share: which side a user is on, the rules
//! of each step, what the receiving agency may see, and the suggestions.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::intake::{person_json, visible_person};
use crate::routes::handoffs_api::StepInput;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde_json::{Value, json};
use tsunagaru_domain::handoff::{HandoffState, HandoffStep, Purpose, overdue};
use tsunagaru_domain::intake::{Concern, Urgency};
use tsunagaru_store::{Agency, Consultation, Handoff, HandoffUpdate, Person, StoreError};

pub use tsunagaru_app::policy::HandoffSide as Side;

/// The user's side of a handoff (`policy::handoff_side`); `None` when it is
/// not theirs to see: neither sender nor receiver, or a receiver after the
/// handoff was withdrawn or returned.
pub fn involved(user: &CurrentUser, h: &Handoff) -> Option<Side> {
    let state = HandoffState::parse(&h.state)?;
    tsunagaru_app::policy::handoff_side(&user.actor(), h.from_agency_id, h.to_agency_id, state)
}

/// The update a step makes, or why it cannot be taken (status, message).
pub fn step_rules(
    h: &Handoff,
    side: Side,
    step: HandoffStep,
    input: &StepInput,
    user_id: i64,
    today: NaiveDate,
) -> Result<HandoffUpdate, (StatusCode, String)> {
    let allowed = match side {
        Side::Both => true,
        Side::Receiver => step.by_receiver(),
        Side::Sender => !step.by_receiver(),
    };
    if !allowed {
        let who = if step.by_receiver() {
            "引継機関"
        } else {
            "受付機関"
        };
        return Err((
            StatusCode::FORBIDDEN,
            format!("「{}」は{who}が行います", step.label()),
        ));
    }
    let state = HandoffState::parse(&h.state)
        .ok_or((StatusCode::CONFLICT, "引継ぎの状態が読めません".to_owned()))?;
    let next = state
        .after(step)
        .map_err(|e| (StatusCode::CONFLICT, e.to_string()))?;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let text = match step {
        HandoffStep::Report => Some(text(&input.response).ok_or((
            StatusCode::UNPROCESSABLE_ENTITY,
            "対応状況・方針を入力してください".to_owned(),
        ))?),
        HandoffStep::Return => Some(text(&input.reason).ok_or((
            StatusCode::UNPROCESSABLE_ENTITY,
            "差戻しの理由を入力してください".to_owned(),
        ))?),
        HandoffStep::Withdraw => Some(text(&input.reason).ok_or((
            StatusCode::UNPROCESSABLE_ENTITY,
            "取消の理由を入力してください".to_owned(),
        ))?),
        _ => None,
    };
    Ok(HandoffUpdate {
        from_state: state.code().into(),
        to_state: next.code().into(),
        step: step_code(step).into(),
        user_id,
        on: today,
        text,
        suggested_agency_id: if step == HandoffStep::Return {
            input.suggested_agency_id
        } else {
            None
        },
    })
}

pub fn step_code(step: HandoffStep) -> &'static str {
    match step {
        HandoffStep::Receive => "receive",
        HandoffStep::Start => "start",
        HandoffStep::Report => "report",
        HandoffStep::Acknowledge => "acknowledge",
        HandoffStep::Return => "return",
        HandoffStep::Withdraw => "withdraw",
    }
}

pub fn handoff_json(state: &AppState, h: &Handoff, agencies: &[Agency], today: NaiveDate) -> Value {
    let name = |id: i64| {
        agencies
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let status = HandoffState::parse(&h.state);
    let late = status.and_then(|s| {
        overdue(
            s,
            h.sent_on,
            Some(&h.urgency),
            today,
            &state.pack.handoff.policy,
        )
    });
    json!({
        "id": h.id,
        "consultation_id": h.consultation_id,
        "person_id": h.person_id,
        "from_agency_id": h.from_agency_id,
        "from_agency": name(h.from_agency_id),
        "to_agency_id": h.to_agency_id,
        "to_agency": name(h.to_agency_id),
        "purpose": h.purpose,
        "purpose_label": Purpose::parse(&h.purpose).map(Purpose::label),
        "continue_at_origin": h.continue_at_origin,
        "urgency": h.urgency,
        "urgency_label": Urgency::parse(&h.urgency).map(Urgency::label),
        "told_contact_name": h.told_contact_name,
        "told_contact_phone": h.told_contact_phone,
        "notes": h.notes,
        "status": h.state,
        "status_label": status.map(HandoffState::label),
        "sent_on": h.sent_on,
        "received_on": h.received_on,
        "response": h.response,
        "reported_on": h.reported_on,
        "report_received_on": h.report_received_on,
        "return_reason": h.return_reason,
        "suggested_agency_id": h.suggested_agency_id,
        "withdraw_reason": h.withdraw_reason,
        "consent_override": h.consent_override_reason.is_some(),
        "overdue": late.as_ref().map(|o| o.message()),
    })
}

/// The person as the handoff's receiving side may see them (the sender sees
/// what any involved agency sees).
pub async fn shared_person(
    state: &AppState,
    user: &CurrentUser,
    h: &Handoff,
) -> Result<Value, tsunagaru_app::AppError> {
    let Some(person) = visible_person(state, user, h.person_id).await? else {
        return Ok(Value::Null);
    };
    let consultation = match state.repo.consultation(h.consultation_id).await? {
        Some(c) => Some(
            state
                .app
                .consultation_shown(&user.actor(), &person, c)
                .await?,
        ),
        None => None,
    };
    let mut value = person_json(&person, state.today());
    value["consultation"] = consultation
        .as_ref()
        .map(crate::intake::consultation_json)
        .unwrap_or(Value::Null);
    Ok(value)
}

/// 引継機関 suggestions for a consultation: the 地域包括支援センター of the
/// address, and agencies by 相談内容 from the pack's mapping.
pub async fn suggestions(
    state: &AppState,
    person: &Person,
    c: &Consultation,
) -> Result<Vec<Value>, StoreError> {
    let agencies = state.repo.agencies().await?;
    let mut out: Vec<Value> = Vec::new();
    let mut add = |agency: &Agency, reason: String| {
        if agency.id != c.agency_id && !out.iter().any(|v| v["agency_id"] == agency.id) {
            out.push(json!({"agency_id": agency.id, "name": agency.name, "reason": reason}));
        }
    };
    let catchment = person.address.as_deref().map(|line| {
        state.address.route(&format!(
            "{} {line}",
            person.postal_code.as_deref().unwrap_or_default()
        ))
    });
    for concern in &c.concerns {
        let Some(targets) = state.pack.handoff.suggestions.get(&concern.code) else {
            continue;
        };
        let label = Concern::parse(&concern.code)
            .map(Concern::label)
            .unwrap_or_default();
        for target in targets {
            if target == "catchment" {
                if let Some(center) = catchment.as_ref().and_then(|r| r.center.clone())
                    && let Some(a) = agencies.iter().find(|a| a.name == center)
                {
                    add(a, format!("{label}（住所の担当地域包括支援センター）"));
                }
            } else if let Some(a) = agencies.iter().find(|a| &a.key == target && a.active) {
                add(a, label.to_owned());
            }
        }
    }
    if let Some(center) = catchment.and_then(|r| r.center)
        && let Some(a) = agencies.iter().find(|a| a.name == center)
    {
        add(a, "住所の担当地域包括支援センター".into());
    }
    Ok(out)
}
