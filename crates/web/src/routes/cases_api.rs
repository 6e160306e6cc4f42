//! 多機関協働 through the API: cases, plan versions, meetings (agenda,
//! pledges, minutes, decisions) and the tasks they give agencies.

use crate::AppState;
use crate::auth::ApiUser;
use crate::case_views::{MeetingRef, TaskView, case_view, meeting_view};
use crate::cases::{self, ConsentInput, DecisionInput, MeetingInput, ReturnInput, visible_case};
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::case::CaseStep;
use tsunagaru_domain::plan::{AssessmentInput, ClosureInput, PlanInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", post(open).get(list))
        .route("/cases/{id}", get(detail))
        .route("/cases/{id}/assessment", post(assessment))
        .route("/cases/{id}/plans", post(plan))
        .route("/cases/{id}/consent", post(consent))
        .route(
            "/cases/{id}/monitoring",
            post(|s, u, p| step(s, u, p, CaseStep::StartMonitoring)),
        )
        .route(
            "/cases/{id}/resume",
            post(|s, u, p| step(s, u, p, CaseStep::ResumeSupport)),
        )
        .route("/cases/{id}/close", post(close))
        .route("/cases/{id}/return", post(return_case))
        .route("/meetings", post(schedule).get(meetings))
        .route("/meetings/{id}", get(meeting))
        .route("/meetings/{id}/pledge", post(pledge))
        .route("/meetings/{id}/agenda", post(agenda))
        .route("/meetings/{id}/minutes", post(minutes))
        .route("/meetings/{id}/decisions", post(decision))
        .route("/tasks", get(tasks))
        .route("/tasks/{id}/done", post(task_done))
}

#[derive(Deserialize)]
struct OpenInput {
    consultation_id: i64,
}

async fn open(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<OpenInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    let id = cases::open_case(&state, &user, input.consultation_id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    if !user.role().works_with_persons() {
        return Ok(Json(json!({ "cases": [] })));
    }
    let cases = state.repo.cases_of(&user.user.agency_ids).await?;
    state
        .repo
        .append_audit(
            user.audit(AuditAction::CasesListed)
                .detail(format!("{} 件", cases.len())),
        )
        .await?;
    let mut rows = Vec::with_capacity(cases.len());
    for case in &cases {
        let person = state.repo.person(case.person_id).await?;
        rows.push(json!({
            "id": case.id,
            "state": case.state,
            "person_id": case.person_id,
            "person_name": person.map(|p| p.name).unwrap_or_default(),
            "opened_on": case.opened_on,
            "lead_user_id": case.lead_user_id,
        }));
    }
    Ok(Json(json!({ "cases": rows })))
}

async fn detail(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let case = visible_case(&state, &user, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let view = case_view(&state, &user, &case).await?;
    state
        .repo
        .append_audit(user.audit(AuditAction::CaseViewed).record("case", id))
        .await?;
    Ok(Json(serde_json::to_value(view).unwrap_or(Value::Null)))
}

async fn case_answer(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    case: &tsunagaru_store::Case,
) -> Result<Json<Value>, ApiError> {
    let view = case_view(state, user, case).await?;
    Ok(Json(serde_json::to_value(view).unwrap_or(Value::Null)))
}

async fn assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<AssessmentInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    let case = cases::save_assessment(&state, &user, id, &input).await?;
    case_answer(&state, &user, &case).await
}

async fn plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<PlanInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    let (plan_id, version) = cases::save_plan(&state, &user, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": plan_id, "version": version })),
    ))
}

async fn consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ConsentInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    let case = cases::record_consent(&state, &user, id, &input).await?;
    case_answer(&state, &user, &case).await
}

async fn step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    step: CaseStep,
) -> Result<Json<Value>, ApiError> {
    let case = cases::step_case(&state, &user, id, step).await?;
    case_answer(&state, &user, &case).await
}

async fn close(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ClosureInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    let case = cases::close_case(&state, &user, id, &input).await?;
    case_answer(&state, &user, &case).await
}

async fn return_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ReturnInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    let case = cases::return_case(&state, &user, id, &input).await?;
    case_answer(&state, &user, &case).await
}

async fn schedule(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<MeetingInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    let ids = cases::schedule(&state, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": ids.first(), "ids": ids })),
    ))
}

async fn meetings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let rows = state.repo.meetings_of_user(user.user.id).await?;
    let list: Vec<MeetingRef> = rows.iter().map(|m| MeetingRef::of(m, &state)).collect();
    Ok(Json(json!({ "meetings": list })))
}

async fn meeting(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let meeting = cases::open_meeting(&state, &user, id).await?;
    let view = meeting_view(&state, &meeting).await?;
    state
        .repo
        .append_audit(
            user.audit(AuditAction::MeetingViewed)
                .record("meeting", id)
                .detail(format!("議題 {} 件", view.agenda.len())),
        )
        .await?;
    Ok(Json(serde_json::to_value(view).unwrap_or(Value::Null)))
}

async fn pledge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    cases::pledge(&state, &user, id).await?;
    Ok(Json(json!({ "pledged": true })))
}

#[derive(Deserialize)]
struct AgendaInput {
    case_id: i64,
}

async fn agenda(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<AgendaInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    match cases::add_agenda(&state, &user, id, input.case_id).await? {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(json!({ "meeting_id": id, "case_id": input.case_id })),
        )),
        Err(refused) => Ok((
            StatusCode::CONFLICT,
            Json(json!({
                "error": refused.message,
                "instead": refused.instead.map(|k| k.code()),
            })),
        )),
    }
}

#[derive(Deserialize)]
struct MinutesInput {
    minutes: String,
}

async fn minutes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<MinutesInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    cases::save_minutes(&state, &user, id, &input.minutes).await?;
    Ok(Json(json!({ "saved": true })))
}

async fn decision(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<DecisionInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    let decision_id = cases::add_decision(&state, &user, id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": decision_id }))))
}

async fn tasks(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    if !user.role().works_with_persons() {
        return Ok(Json(json!({ "tasks": [] })));
    }
    let tasks = state.repo.open_tasks_of(&user.user.agency_ids).await?;
    let tasks = state.app.tasks_visible(&user.actor(), tasks).await?;
    let agencies = state.repo.agencies().await?;
    let today = state.today();
    let mut views: Vec<TaskView> = tasks
        .iter()
        .map(|t| TaskView::of(t, &agencies, today))
        .collect();
    views.sort_by_key(|t| !t.overdue);
    Ok(Json(json!({ "tasks": views })))
}

async fn task_done(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let task = cases::complete_task(&state, &user, id).await?;
    let agencies = state.repo.agencies().await?;
    Ok(Json(
        serde_json::to_value(TaskView::of(&task, &agencies, state.today())).unwrap_or(Value::Null),
    ))
}
