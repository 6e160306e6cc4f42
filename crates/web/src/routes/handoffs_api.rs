//! 引継ぎ through the API: send, the inbox and outbox, and each step of the loop.

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, json_body as body};
use crate::handoffs::{handoff_json, involved, step_rules, suggestions};
use crate::id::Id;
use crate::intake::visible_person;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::handoff::{HandoffState, HandoffStep, Purpose};
use tsunagaru_domain::intake::Urgency;
use tsunagaru_store::{HandoffBox, HandoffNotes, NewHandoff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/handoffs", post(send).get(list))
        .route("/handoffs/suggestions", get(suggest))
        .route("/handoffs/{id}", get(detail))
        .route(
            "/handoffs/{id}/receive",
            post(|s, u, p| step(s, u, p, HandoffStep::Receive)),
        )
        .route(
            "/handoffs/{id}/start",
            post(|s, u, p| step(s, u, p, HandoffStep::Start)),
        )
        .route(
            "/handoffs/{id}/report",
            post(|s, u, p, b| step_with(s, u, p, b, HandoffStep::Report)),
        )
        .route(
            "/handoffs/{id}/acknowledge",
            post(|s, u, p| step(s, u, p, HandoffStep::Acknowledge)),
        )
        .route(
            "/handoffs/{id}/return",
            post(|s, u, p, b| step_with(s, u, p, b, HandoffStep::Return)),
        )
        .route(
            "/handoffs/{id}/withdraw",
            post(|s, u, p, b| step_with(s, u, p, b, HandoffStep::Withdraw)),
        )
}

#[derive(Deserialize, Clone)]
pub struct SendInput {
    pub consultation_id: i64,
    #[serde(default)]
    pub to_agency_ids: Vec<i64>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub urgency: Option<String>,
    #[serde(default)]
    pub continue_at_origin: bool,
    #[serde(default)]
    pub told_contact_name: Option<String>,
    #[serde(default)]
    pub told_contact_phone: Option<String>,
    #[serde(default)]
    pub notes: HandoffNotes,
    /// Share household members without consent: the reason (audited).
    #[serde(default)]
    pub consent_override_reason: Option<String>,
}

/// Checks and sends: the user's agency must be the consultation's 受付機関.
pub async fn send_handoffs(
    state: &AppState,
    user: &CurrentUser,
    input: SendInput,
) -> Result<Vec<(i64, i64)>, ApiError> {
    let consultation = state
        .repo
        .consultation(input.consultation_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    visible_person(state, user, consultation.person_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // The 受付機関 sends; so does an agency that received a handoff of this
    // consultation and routes it onward (the 事務局 for 連携先等不明).
    let from_agency_id = if user.user.agency_ids.contains(&consultation.agency_id) {
        consultation.agency_id
    } else {
        let received = state
            .repo
            .handoffs_of_person(consultation.person_id)
            .await?;
        received
            .iter()
            .find(|h| {
                h.consultation_id == consultation.id
                    && user.user.agency_ids.contains(&h.to_agency_id)
                    && !matches!(h.state.as_str(), "sent" | "withdrawn")
            })
            .map(|h| h.to_agency_id)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "引継ぎを送れるのは、その相談の受付機関と、受領した引継機関の利用者だけです",
                )
            })?
    };
    let purpose = match input.purpose.as_deref() {
        None | Some("") => Purpose::Refer,
        Some(p) => Purpose::parse(p).ok_or_else(|| {
            ApiError::unprocessable(format!("シート利用目的「{p}」は選べません"), vec![])
        })?,
    };
    let urgency = match input.urgency.as_deref() {
        None | Some("") => Urgency::None,
        Some(u) => Urgency::parse(u).ok_or_else(|| {
            ApiError::unprocessable(format!("緊急の必要性「{u}」は選べません"), vec![])
        })?,
    };
    let agencies = state.repo.agencies().await?;
    let targets: Vec<i64> = if purpose.goes_to_secretariat() {
        agencies
            .iter()
            .filter(|a| a.secretariat && a.active)
            .map(|a| a.id)
            .collect()
    } else {
        let mut ids = input.to_agency_ids.clone();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Err(ApiError::unprocessable(
                "引継機関を1つ以上選んでください",
                vec![],
            ));
        }
        if let Some(bad) = ids
            .iter()
            .find(|id| !agencies.iter().any(|a| a.id == **id && a.active))
        {
            return Err(ApiError::unprocessable(
                format!("引継機関 ID {bad} は登録されていません"),
                vec![],
            ));
        }
        if ids.contains(&from_agency_id) {
            return Err(ApiError::unprocessable(
                "自分の機関には引き継げません",
                vec![],
            ));
        }
        ids
    };
    let override_reason = input
        .consent_override_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let new: Vec<NewHandoff> = targets
        .iter()
        .map(|to| NewHandoff {
            consultation_id: consultation.id,
            person_id: consultation.person_id,
            from_agency_id,
            to_agency_id: *to,
            purpose: purpose.code().into(),
            continue_at_origin: input.continue_at_origin,
            urgency: urgency.code().into(),
            told_contact_name: input.told_contact_name.clone(),
            told_contact_phone: input.told_contact_phone.clone(),
            notes: input.notes.clone(),
            consent_override_reason: override_reason.clone(),
            sent_on: state.today(),
            sent_by: user.user.id,
        })
        .collect();
    let detail = match &override_reason {
        Some(r) => format!("{} 件 / 同意のない家族も共有（理由: {r}）", new.len()),
        None => format!("{} 件", new.len()),
    };
    let ids = state
        .repo
        .create_handoffs(&new, user.audit(AuditAction::HandoffSent).detail(detail))
        .await?;
    Ok(ids.into_iter().zip(targets).collect())
}

async fn send(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<SendInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let sent = send_handoffs(&state, &user, body(input)?).await?;
    let list: Vec<Value> = sent
        .iter()
        .map(|(id, to)| json!({"id": id, "to_agency_id": to, "status": "sent"}))
        .collect();
    Ok((StatusCode::CREATED, Json(json!({ "handoffs": list }))))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(rename = "box")]
    box_: Option<String>,
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let box_ = match q.box_.as_deref() {
        Some("inbox") | None => HandoffBox::Inbox,
        Some("outbox") => HandoffBox::Outbox,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("box「{other}」は inbox か outbox です"),
            ));
        }
    };
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(HandoffState::parse(s).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("status「{s}」は定義されていません"),
            )
        })?),
    };
    let handoffs = state.app.handoff_box(&user.actor(), box_, "API ").await?;
    let agencies = state.repo.agencies().await?;
    let today = state.today();
    let list: Vec<Value> = handoffs
        .iter()
        .filter(|h| status.is_none_or(|s| h.state == s.code()))
        .map(|h| handoff_json(&state, h, &agencies, today))
        .collect();
    Ok(Json(json!(list)))
}

async fn detail(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let handoff = state
        .repo
        .handoff(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if involved(&user, &handoff).is_none() {
        return Err(ApiError::not_found());
    }
    state
        .repo
        .append_audit(user.audit(AuditAction::HandoffViewed).record("handoff", id))
        .await?;
    let agencies = state.repo.agencies().await?;
    let mut value = handoff_json(&state, &handoff, &agencies, state.today());
    value["events"] = json!(state.repo.handoff_events(id).await?);
    value["person"] = crate::handoffs::shared_person(&state, &user, &handoff).await?;
    Ok(Json(value))
}

#[derive(Deserialize, Default)]
pub struct StepInput {
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub suggested_agency_id: Option<i64>,
}

/// Takes a step for the user: on their side of the handoff, allowed by the
/// state, with what the step needs.
pub async fn take_step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    step: HandoffStep,
    input: StepInput,
) -> Result<tsunagaru_store::Handoff, ApiError> {
    let handoff = state
        .repo
        .handoff(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let side = involved(user, &handoff).ok_or_else(ApiError::not_found)?;
    let update = step_rules(&handoff, side, step, &input, user.user.id, state.today())
        .map_err(|(status, message)| ApiError::new(status, message))?;
    let audit = user.audit(AuditAction::HandoffStep).detail(format!(
        "{} → {}",
        step.label(),
        update.to_state
    ));
    state
        .repo
        .step_handoff(id, &update, audit)
        .await
        .map_err(|e| match e {
            tsunagaru_store::StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            other => other.into(),
        })
}

async fn step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    step: HandoffStep,
) -> Result<Json<Value>, ApiError> {
    let handoff = take_step(&state, &user, id, step, StepInput::default()).await?;
    Ok(Json(json!({"id": handoff.id, "status": handoff.state})))
}

async fn step_with(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<StepInput>, JsonRejection>,
    step: HandoffStep,
) -> Result<Json<Value>, ApiError> {
    let handoff = take_step(&state, &user, id, step, body(input)?).await?;
    Ok(Json(json!({"id": handoff.id, "status": handoff.state})))
}

#[derive(Deserialize)]
struct SuggestQuery {
    consultation_id: i64,
}

async fn suggest(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<SuggestQuery>,
) -> Result<Json<Value>, ApiError> {
    let consultation = state
        .repo
        .consultation(q.consultation_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let person = visible_person(&state, &user, consultation.person_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // The address was read to find the center: audited like any read.
    state
        .repo
        .append_audit(
            user.audit(AuditAction::PersonViewed)
                .record("person", person.id)
                .detail("引継機関の候補"),
        )
        .await?;
    Ok(Json(json!(
        suggestions(&state, &person, &consultation).await?
    )))
}
