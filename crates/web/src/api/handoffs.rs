//! 引継ぎ through the API: send, the inbox and outbox, and each step of the loop.

use super::page::{PageQuery, descending, paginate};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use crate::views::handoffs::{HandoffAnswer, SharedPerson, SuggestionAnswer};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use tsunagaru_app::Reading;
use tsunagaru_app::handoffs::{SendInput, StepInput};
use tsunagaru_domain::handoff::{HandoffState, HandoffStep};
use tsunagaru_domain::openapi::{RecordId, codes};
use tsunagaru_store::HandoffBox;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/handoffs", post(send).get(list))
        .route("/handoffs/suggestions", get(suggest))
        .route("/handoffs/{id}", get(detail))
        .route("/handoffs/{id}/receive", post(receive))
        .route("/handoffs/{id}/start", post(start))
        .route("/handoffs/{id}/report", post(report))
        .route("/handoffs/{id}/acknowledge", post(acknowledge))
        .route("/handoffs/{id}/return", post(return_handoff))
        .route("/handoffs/{id}/withdraw", post(withdraw))
        .route("/handoffs/{id}/resend", post(resend))
}

/// What a resend changes from the returned handoff's No.3; every field left
/// out is carried (`to_agency_ids`: the agency the receiver suggested).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ResendInput {
    #[schema(value_type = Option<Vec<tsunagaru_domain::openapi::RecordId>>)]
    to_agency_ids: Option<Vec<i64>>,
    #[schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::handoff::Purpose>)]
    purpose: Option<String>,
    #[schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::intake::Urgency>)]
    urgency: Option<String>,
    continue_at_origin: Option<bool>,
    told_contact_name: Option<String>,
    told_contact_phone: Option<String>,
    notes: Option<tsunagaru_store::HandoffNotes>,
    consent_override_reason: Option<String>,
    /// Given again when 本人's 同意 is 無 or 不明 (it is not carried).
    self_consent_reason: Option<String>,
    sender_phone: Option<String>,
}

/// 差戻し → 送り直し: sends the returned handoff's consultation again and
/// closes the returned one.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/resend", request_body = ResendInput,
    responses((status = 201, body = Resent)))]
async fn resend(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ResendInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Resent>), ApiError> {
    let given = body(input)?;
    let actor = user.actor();
    let mut draft = state.app.resend_draft(&actor, id).await?;
    if let Some(v) = given.to_agency_ids {
        draft.to_agency_ids = v;
    }
    if given.purpose.is_some() {
        draft.purpose = given.purpose;
    }
    if given.urgency.is_some() {
        draft.urgency = given.urgency;
    }
    if let Some(v) = given.continue_at_origin {
        draft.continue_at_origin = v;
    }
    if given.told_contact_name.is_some() {
        draft.told_contact_name = given.told_contact_name;
    }
    if given.told_contact_phone.is_some() {
        draft.told_contact_phone = given.told_contact_phone;
    }
    if let Some(n) = given.notes {
        draft.notes = n;
    }
    draft.consent_override_reason = given.consent_override_reason;
    draft.self_consent_reason = given.self_consent_reason;
    if given.sender_phone.is_some() {
        draft.sender_phone = given.sender_phone;
    }
    let sent = state.app.resend_handoff(&actor, id, draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(Resent {
            handoffs: Sent::each(&sent),
            closed: id,
        }),
    ))
}

/// A handoff just sent: its id, the agency it went to, and its state
/// (`sent`).
#[derive(Serialize, ToSchema)]
struct Sent {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(value_type = RecordId)]
    to_agency_id: i64,
    #[schema(schema_with = codes::<HandoffState>)]
    status: HandoffState,
}

impl Sent {
    fn each(sent: &[(i64, i64)]) -> Vec<Sent> {
        sent.iter()
            .map(|&(id, to_agency_id)| Sent {
                id,
                to_agency_id,
                status: HandoffState::Sent,
            })
            .collect()
    }
}

/// The handoffs a No.3 was sent as, one per 引継機関.
#[derive(Serialize, ToSchema)]
struct SentHandoffs {
    handoffs: Vec<Sent>,
}

/// The handoffs a returned one was sent again as, and the returned one,
/// now closed.
#[derive(Serialize, ToSchema)]
struct Resent {
    handoffs: Vec<Sent>,
    #[schema(value_type = RecordId)]
    closed: i64,
}

#[utoipa::path(post, path = "/api/v1/handoffs", request_body = SendInput,
    responses((status = 201, body = SentHandoffs)))]
async fn send(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<SendInput>, JsonRejection>,
) -> Result<(StatusCode, Json<SentHandoffs>), ApiError> {
    let sent = state.app.send_handoffs(&user.actor(), body(input)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(SentHandoffs {
            handoffs: Sent::each(&sent),
        }),
    ))
}

/// The two boxes a list reads: 受信 (`inbox`, the default) and 送信 (`outbox`).
const BOXES: [&str; 2] = ["inbox", "outbox"];

fn boxes() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::one_of_strings(&BOXES)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[serde(rename = "box")]
    #[param(schema_with = boxes)]
    box_: Option<String>,
    #[param(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::handoff::HandoffState>)]
    status: Option<String>,
}

/// One page of a box, newest first.
#[derive(Serialize, ToSchema)]
struct HandoffPage {
    handoffs: Vec<HandoffAnswer>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/handoffs", params(ListQuery, PageQuery),
    responses((status = 200, body = HandoffPage)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ListQuery>,
    Query(page_query): Query<PageQuery>,
) -> Result<Json<HandoffPage>, ApiError> {
    let box_ = match q.box_.as_deref().unwrap_or(BOXES[0]) {
        b if b == BOXES[0] => HandoffBox::Inbox,
        b if b == BOXES[1] => HandoffBox::Outbox,
        other => {
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
    let handoffs: Vec<_> = state
        .app
        .handoff_box(&user.actor(), box_, "API ")
        .await?
        .into_iter()
        .filter(|h| status.is_none_or(|s| h.state == s))
        .collect();
    // Newest first, as the inbox and outbox pages show them.
    let page = paginate(
        handoffs,
        |h| {
            let day = i64::from(h.sent_on.num_days_from_ce());
            format!("{}{}", descending(day), descending(h.id))
        },
        &page_query,
    )?;
    let agencies = state.app.agencies().await?;
    let today = state.today();
    let handoffs = page
        .items
        .iter()
        .map(|h| HandoffAnswer::of(&state, h, &agencies, today, &user.user.agency_ids))
        .collect();
    Ok(Json(HandoffPage {
        handoffs,
        next_cursor: page.next_cursor,
    }))
}

/// A handoff with its history, the other 引継機関 of the same No.3 and the
/// person as this side may see them.
#[derive(Serialize, ToSchema)]
struct HandoffDetail {
    #[serde(flatten)]
    handoff: HandoffAnswer,
    events: Vec<StepTaken>,
    /// 同じ No.3 を同時に送ったほかの引継機関
    sent_with: Vec<SentWith>,
    /// 共有される相談対象者の情報（この側に共有されないときは null）
    person: Option<SharedPerson>,
}

/// One step of the loop as it was taken.
#[derive(Serialize, ToSchema)]
struct StepTaken {
    #[schema(value_type = RecordId)]
    handoff_id: i64,
    #[schema(value_type = RecordId)]
    user_id: i64,
    /// 日本時間
    #[schema(value_type = String, format = DateTime)]
    at: String,
    /// `send`、または手続きのコード
    step: String,
    #[schema(schema_with = codes::<HandoffState>)]
    state: HandoffState,
    detail: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct SentWith {
    #[schema(value_type = RecordId)]
    agency_id: i64,
    name: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/handoffs/{id}",
    responses((status = 200, body = HandoffDetail)))]
async fn detail(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<HandoffDetail>, ApiError> {
    let record = state
        .app
        .handoff_record(&user.actor(), id, Reading::Screen)
        .await?;
    let agencies = state.app.agencies().await?;
    let today = state.today();
    Ok(Json(HandoffDetail {
        handoff: HandoffAnswer::of(
            &state,
            &record.handoff,
            &agencies,
            today,
            &user.user.agency_ids,
        ),
        events: record
            .events
            .iter()
            .map(|e| StepTaken {
                handoff_id: e.handoff_id,
                user_id: e.user_id,
                at: tsunagaru_store::in_japan(e.at).to_rfc3339(),
                step: e.step.clone(),
                state: e.state,
                detail: e.detail.clone(),
            })
            .collect(),
        sent_with: record
            .sent_with
            .iter()
            .map(|id| SentWith {
                agency_id: *id,
                name: agencies
                    .iter()
                    .find(|a| a.id == *id)
                    .map(|a| a.name.clone()),
            })
            .collect(),
        person: SharedPerson::of(record.person.as_ref(), today),
    }))
}

// One handler per step, so that each route documents its own input.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/receive", request_body = Option<StepInput>,
    responses((status = 200, body = StepDone)))]
async fn receive(
    s: State<AppState>,
    u: ApiUser,
    p: Id,
    b: axum::body::Bytes,
) -> Result<Json<StepDone>, ApiError> {
    step(s, u, p, b, HandoffStep::Receive).await
}

#[utoipa::path(post, path = "/api/v1/handoffs/{id}/start", request_body = Option<StepInput>,
    responses((status = 200, body = StepDone)))]
async fn start(
    s: State<AppState>,
    u: ApiUser,
    p: Id,
    b: axum::body::Bytes,
) -> Result<Json<StepDone>, ApiError> {
    step(s, u, p, b, HandoffStep::Start).await
}

#[utoipa::path(post, path = "/api/v1/handoffs/{id}/acknowledge", request_body = Option<StepInput>,
    responses((status = 200, body = StepDone)))]
async fn acknowledge(
    s: State<AppState>,
    u: ApiUser,
    p: Id,
    b: axum::body::Bytes,
) -> Result<Json<StepDone>, ApiError> {
    step(s, u, p, b, HandoffStep::Acknowledge).await
}

#[utoipa::path(post, path = "/api/v1/handoffs/{id}/report", request_body = StepInput,
    responses((status = 200, body = StepDone)))]
async fn report(
    s: State<AppState>,
    u: ApiUser,
    p: Id,
    b: Result<Json<StepInput>, JsonRejection>,
) -> Result<Json<StepDone>, ApiError> {
    step_with(s, u, p, b, HandoffStep::Report).await
}

#[utoipa::path(post, path = "/api/v1/handoffs/{id}/return", request_body = StepInput,
    responses((status = 200, body = StepDone)))]
async fn return_handoff(
    s: State<AppState>,
    u: ApiUser,
    p: Id,
    b: Result<Json<StepInput>, JsonRejection>,
) -> Result<Json<StepDone>, ApiError> {
    step_with(s, u, p, b, HandoffStep::Return).await
}

#[utoipa::path(post, path = "/api/v1/handoffs/{id}/withdraw", request_body = StepInput,
    responses((status = 200, body = StepDone)))]
async fn withdraw(
    s: State<AppState>,
    u: ApiUser,
    p: Id,
    b: Result<Json<StepInput>, JsonRejection>,
) -> Result<Json<StepDone>, ApiError> {
    step_with(s, u, p, b, HandoffStep::Withdraw).await
}

/// A step whose body is optional (受領, 対応開始, 報告の受取): nothing, or
/// JSON such as `{"phone": "019-651-4111"}`.
async fn step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    bytes: axum::body::Bytes,
    step: HandoffStep,
) -> Result<Json<StepDone>, ApiError> {
    // No body, or `null`, is a step with nothing to add.
    let input = if bytes.iter().all(u8::is_ascii_whitespace) {
        StepInput::default()
    } else {
        serde_json::from_slice::<Option<StepInput>>(&bytes)
            .map_err(|e| super::rejection::json_shape(&e))?
            .unwrap_or_default()
    };
    let handoff = state.app.take_step(&user.actor(), id, step, input).await?;
    Ok(Json(StepDone::of(&handoff)))
}

/// The handoff's state after a step.
#[derive(Serialize, ToSchema)]
struct StepDone {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(schema_with = codes::<HandoffState>)]
    status: HandoffState,
}

impl StepDone {
    fn of(handoff: &tsunagaru_store::Handoff) -> StepDone {
        StepDone {
            id: handoff.id,
            status: handoff.state,
        }
    }
}

async fn step_with(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<StepInput>, JsonRejection>,
    step: HandoffStep,
) -> Result<Json<StepDone>, ApiError> {
    let handoff = state
        .app
        .take_step(&user.actor(), id, step, body(input)?)
        .await?;
    Ok(Json(StepDone::of(&handoff)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SuggestQuery {
    #[param(value_type = tsunagaru_domain::openapi::RecordId)]
    consultation_id: i64,
}

#[utoipa::path(get, path = "/api/v1/handoffs/suggestions", params(SuggestQuery),
    responses((status = 200, body = Vec<SuggestionAnswer>)))]
async fn suggest(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<SuggestQuery>,
) -> Result<Json<Vec<SuggestionAnswer>>, ApiError> {
    let (_, _, suggested) = state
        .app
        .handoff_draft(&user.actor(), q.consultation_id, "引継機関の候補")
        .await?;
    Ok(Json(suggested.iter().map(SuggestionAnswer::from).collect()))
}

/// These routes' part of the OpenAPI document: what each takes and, where
/// its answer is a type of its own, what it answers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    resend,
    send,
    list,
    detail,
    suggest,
    receive,
    start,
    acknowledge,
    report,
    return_handoff,
    withdraw
))]
pub(super) struct Inputs;
