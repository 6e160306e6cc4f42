//! 多機関協働 through the API: cases, plan versions, meetings (agenda,
//! pledges, minutes, decisions) and the tasks they give agencies.

use super::page::{PageQuery, ascending, descending, paginate};
use super::{Created, created};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use crate::views::cases::{CaseView, MeetingRef, MeetingView, TaskView, case_view, meeting_view};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsunagaru_app::AppError;
use tsunagaru_app::cases::{ConsentInput, ReturnInput};
use tsunagaru_app::meetings::{DecisionInput, MeetingInput};
use tsunagaru_domain::case::{AttendeeInput, CaseState, CaseStep, MeetingKind, TopicInput};
use tsunagaru_domain::openapi::{RecordId, codes, codes_or_null};
use tsunagaru_domain::plan::{AssessmentInput, ClosureInput, PlanInput};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", post(open).get(list))
        .route("/cases/{id}", get(detail))
        .route("/cases/{id}/assessment", post(assessment))
        .route("/cases/{id}/plans", post(plan))
        .route("/cases/{id}/consent", post(consent))
        .route("/cases/{id}/monitoring", post(monitoring))
        .route("/cases/{id}/resume", post(resume))
        .route("/cases/{id}/close", post(close))
        .route("/cases/{id}/return", post(return_case))
        .route("/meetings", post(schedule).get(meetings))
        .route("/meetings/{id}", get(meeting))
        .route("/meetings/{id}/pledge", post(pledge))
        .route("/meetings/{id}/agenda", post(agenda))
        .route("/meetings/{id}/links", post(link))
        .route("/meetings/{id}/attendees", post(attendee))
        .route("/meetings/{id}/attendance", post(attendance))
        .route("/meetings/{id}/minutes", post(minutes))
        .route("/meetings/{id}/decisions", post(decision))
        .route("/tasks", get(tasks))
        .route("/tasks/{id}/done", post(task_done))
        .route("/tasks/{id}/reopen", post(task_reopen))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct OpenInput {
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    consultation_id: i64,
}

#[utoipa::path(post, path = "/api/v1/cases", request_body = OpenInput,
    responses((status = 201, body = Created)))]
async fn open(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<OpenInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    let id = state
        .app
        .open_case(&user.actor(), input.consultation_id)
        .await?;
    Ok(created(id))
}

/// The cases the caller may see, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/cases", params(PageQuery),
    responses((status = 200, body = CasePage)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let page = paginate(
        state.app.cases_listed(&user.actor()).await?,
        |(case, _)| {
            let day = i64::from(case.opened_on.num_days_from_ce());
            format!("{}{}", descending(day), descending(case.id))
        },
        &q,
    )?;
    Ok(Json(CasePage {
        cases: page
            .items
            .into_iter()
            .map(|(case, person_name)| CaseListed {
                id: case.id,
                state: case.state,
                person_id: case.person_id,
                person_name,
                opened_on: case.opened_on,
                lead_user_id: case.lead_user_id,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One page of the cases the caller may see, newest first.
#[derive(Serialize, ToSchema)]
struct CasePage {
    cases: Vec<CaseListed>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

/// A case as the list shows it.
#[derive(Serialize, ToSchema)]
struct CaseListed {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(schema_with = codes::<CaseState>)]
    state: CaseState,
    #[schema(value_type = RecordId)]
    person_id: i64,
    person_name: String,
    #[schema(value_type = String, format = Date)]
    opened_on: chrono::NaiveDate,
    #[schema(value_type = RecordId)]
    lead_user_id: i64,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}",
    responses((status = 200, body = CaseView)))]
async fn detail(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<CaseView>, ApiError> {
    case_answer(&state, &user, id).await
}

/// The case as the user may see it (the view is audited by the app).
async fn case_answer(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: i64,
) -> Result<Json<CaseView>, ApiError> {
    let record = state
        .app
        .case_record(&user.actor(), id, tsunagaru_app::Reading::Screen)
        .await?;
    Ok(Json(case_view(state, &record).await?))
}

/// An アセスメント with the version it was made from (the case's
/// `assessment_version`; `If-Match` wins over the body's field).
#[derive(Deserialize, utoipa::ToSchema)]
struct AssessmentEdit {
    #[serde(flatten)]
    input: AssessmentInput,
    #[serde(default)]
    version: Option<String>,
}

/// A plan with the version it was based on (the case's
/// `latest_plan_version`, 0 for none; `If-Match` wins over the body).
#[derive(Deserialize, utoipa::ToSchema)]
struct PlanEdit {
    #[serde(flatten)]
    input: PlanInput,
    #[serde(default)]
    #[schema(minimum = 0)]
    based_on_version: Option<i64>,
    /// The same as `based_on_version` (an earlier name).
    #[serde(default)]
    #[schema(minimum = 0)]
    version: Option<i64>,
}

/// 409 for an edit over someone else's: the case as it is now (its
/// アセスメント and plan versions) and what was sent.
async fn stale_answer(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: i64,
    message: String,
    yours: Value,
) -> Result<Response, ApiError> {
    let Json(current) = case_answer(state, user, id).await?;
    Ok((
        StatusCode::CONFLICT,
        Json(StaleCase {
            error: message,
            current: Some(Box::new(current)),
            yours: Some(yours),
        }),
    )
        .into_response())
}

/// A step the case's state does not allow, or an edit over someone else's
/// since: then the case as it is now and what was sent come too.
#[derive(Serialize, ToSchema)]
struct StaleCase {
    error: String,
    /// いまのケース（版を送っていて衝突したとき）
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<Box<CaseView>>,
    /// 送った内容
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    yours: Option<Value>,
}

/// Saves the アセスメント. The `assessment_version` it was edited from comes
/// as `If-Match` or `"version"`; given, a save over someone else's since
/// answers 409 with the case as it is now.
#[utoipa::path(post, path = "/api/v1/cases/{id}/assessment", request_body = AssessmentEdit,
    responses((status = 200, body = CaseView), (status = 409, body = StaleCase)))]
async fn assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    raw: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let raw = body(raw)?;
    let sent: AssessmentEdit = from_json(&raw)?;
    let version = super::if_match(&headers).or(sent.version);
    match state
        .app
        .save_assessment(&user.actor(), id, &sent.input, version.as_deref())
        .await
    {
        Ok(case) => Ok(case_answer(&state, &user, case.id).await?.into_response()),
        Err(AppError::Conflict(message)) if version.is_some() => {
            stale_answer(&state, &user, id, message, raw).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves a new plan version. The newest version when the plan was opened
/// comes as `If-Match` or `"based_on_version"` (0: none yet); given, a
/// version saved since by someone else answers 409 with the case as it is now.
#[utoipa::path(post, path = "/api/v1/cases/{id}/plans", request_body = PlanEdit,
    responses((status = 201, body = PlanSaved), (status = 409, body = StaleCase)))]
async fn plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    raw: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let raw = body(raw)?;
    let sent: PlanEdit = from_json(&raw)?;
    let based_on = match super::if_match(&headers) {
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "If-Match には支援プランの版の番号（まだなければ 0）を指定してください",
            )
        })?),
        None => sent.based_on_version.or(sent.version),
    };
    match state
        .app
        .save_plan(&user.actor(), id, &sent.input, based_on)
        .await
    {
        Ok((plan_id, version)) => Ok((
            StatusCode::CREATED,
            Json(PlanSaved {
                id: plan_id,
                version,
            }),
        )
            .into_response()),
        Err(AppError::Conflict(message)) if based_on.is_some() => {
            stale_answer(&state, &user, id, message, raw).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A plan version just saved.
#[derive(Serialize, ToSchema)]
struct PlanSaved {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(minimum = 1)]
    version: i64,
}

/// A JSON value read as `T`: a body of the wrong shape is 400 in Japanese.
fn from_json<T: serde::de::DeserializeOwned>(raw: &Value) -> Result<T, ApiError> {
    serde_json::from_value(raw.clone()).map_err(|e| super::rejection::json_shape(&e))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/consent", request_body = ConsentInput,
    responses((status = 200, body = CaseView)))]
async fn consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ConsentInput>, JsonRejection>,
) -> Result<Json<CaseView>, ApiError> {
    let input = body(input)?;
    let case = state.app.record_consent(&user.actor(), id, &input).await?;
    case_answer(&state, &user, case.id).await
}

/// モニタリング開始.
#[utoipa::path(post, path = "/api/v1/cases/{id}/monitoring",
    responses((status = 200, body = CaseView)))]
async fn monitoring(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<CaseView>, ApiError> {
    step(&state, &user, id, CaseStep::StartMonitoring).await
}

/// 支援再開.
#[utoipa::path(post, path = "/api/v1/cases/{id}/resume",
    responses((status = 200, body = CaseView)))]
async fn resume(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<CaseView>, ApiError> {
    step(&state, &user, id, CaseStep::ResumeSupport).await
}

async fn step(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: i64,
    step: CaseStep,
) -> Result<Json<CaseView>, ApiError> {
    let case = state.app.step_case(&user.actor(), id, step).await?;
    case_answer(state, user, case.id).await
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/close", request_body = ClosureInput,
    responses((status = 200, body = CaseView)))]
async fn close(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ClosureInput>, JsonRejection>,
) -> Result<Json<CaseView>, ApiError> {
    let input = body(input)?;
    let case = state.app.close_case(&user.actor(), id, &input).await?;
    case_answer(&state, &user, case.id).await
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/return", request_body = ReturnInput,
    responses((status = 200, body = CaseView)))]
async fn return_case(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ReturnInput>, JsonRejection>,
) -> Result<Json<CaseView>, ApiError> {
    let input = body(input)?;
    let case = state.app.return_case(&user.actor(), id, &input).await?;
    case_answer(&state, &user, case.id).await
}

/// The meetings just scheduled: a repeating meeting is one per date.
#[derive(Serialize, ToSchema)]
struct Scheduled {
    /// 最初の会議
    #[schema(value_type = Option<RecordId>)]
    id: Option<i64>,
    #[schema(value_type = Vec<RecordId>)]
    ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/meetings", request_body = MeetingInput,
    responses((status = 201, body = Scheduled)))]
async fn schedule(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<MeetingInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Scheduled>), ApiError> {
    let input = body(input)?;
    let ids = state.app.schedule(&user.actor(), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Scheduled {
            id: ids.first().copied(),
            ids,
        }),
    ))
}

/// The caller's meetings in the order they are held, a page at a time.
#[utoipa::path(get, path = "/api/v1/meetings", params(PageQuery),
    responses((status = 200, body = MeetingPage)))]
async fn meetings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<MeetingPage>, ApiError> {
    let rows = state.app.meetings_of(&user.actor()).await?;
    let page = paginate(
        rows,
        |m| {
            format!(
                "{}{}",
                ascending(m.starts_at.and_utc().timestamp()),
                ascending(m.id)
            )
        },
        &q,
    )?;
    Ok(Json(MeetingPage {
        meetings: page
            .items
            .iter()
            .map(|m| MeetingRef::of(m, &state))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One page of the caller's meetings, in the order they are held.
#[derive(Serialize, ToSchema)]
struct MeetingPage {
    meetings: Vec<MeetingRef>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}",
    responses((status = 200, body = MeetingView)))]
async fn meeting(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<MeetingView>, ApiError> {
    let record = state
        .app
        .meeting_record(&user.actor(), id, tsunagaru_app::Reading::Screen)
        .await?;
    Ok(Json(meeting_view(&state, &record).await?))
}

/// 守秘の誓約: given once per meeting by each member.
#[derive(Serialize, ToSchema)]
struct Pledged {
    pledged: bool,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/pledge",
    responses((status = 200, body = Pledged)))]
async fn pledge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Pledged>, ApiError> {
    state.app.pledge(&user.actor(), id).await?;
    Ok(Json(Pledged { pledged: true }))
}

/// `{"case_id": …}`, or `{"topic": "…", "fiscal_year": 2025}` (the 年度
/// as a number or as typed: 令和7年度).
#[derive(Deserialize)]
struct AgendaInput {
    case_id: Option<i64>,
    outreach_target_id: Option<i64>,
    topic: Option<String>,
    #[serde(default)]
    fiscal_year: Value,
}

/// Exactly one of the three (the handler refuses two at once by name), so
/// the schema is a `oneOf` rather than what a derive would give.
impl utoipa::PartialSchema for AgendaInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use tsunagaru_domain::case::Topic;
        use tsunagaru_domain::openapi::RecordId;
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        let by_id = |field: &str, description: &str| {
            ObjectBuilder::new()
                .property(field, RecordId::schema())
                .required(field)
                .description(Some(description))
        };
        let topic = ObjectBuilder::new()
            .property(
                "topic",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(Topic::MAX_TITLE))
                    .pattern(Some(r"\S")),
            )
            .required("topic")
            .property(
                "fiscal_year",
                OneOfBuilder::new()
                    .item(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(2000))
                            .maximum(Some(2100)),
                    )
                    .item(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(r"^令和([1-9]|[1-7][0-9]|8[0-2]|元)年度$")),
                    )
                    .description(Some("添付する事業実績の年度（任意）")),
            )
            .description(Some("テーマ（事業実績の年度を添えられる）"));
        OneOfBuilder::new()
            .item(by_id("case_id", "ケース"))
            .item(by_id(
                "outreach_target_id",
                "アウトリーチの対象（議題にする構成員が担当する対象）",
            ))
            .item(topic)
            .into()
    }
}

impl utoipa::ToSchema for AgendaInput {}

/// What was put on the agenda: a case (`case_id`), a theme
/// (`agenda_item_id`) or someone not yet consulted (both `agenda_item_id`
/// and `outreach_target_id`).
#[derive(Serialize, ToSchema, Default)]
struct AgendaAdded {
    #[schema(value_type = RecordId)]
    meeting_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RecordId>)]
    case_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RecordId>)]
    agenda_item_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RecordId>)]
    outreach_target_id: Option<i64>,
}

/// A case this meeting cannot take: without 本人's 同意 it goes to a
/// 支援会議 instead (`instead`), or it is on the agenda already.
#[derive(Serialize, ToSchema)]
struct AgendaRefused {
    error: String,
    /// 代わりに議題にできる会議の種類
    #[schema(schema_with = codes_or_null::<MeetingKind>)]
    instead: Option<MeetingKind>,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda", request_body = AgendaInput,
    responses((status = 201, body = AgendaAdded), (status = 409, body = AgendaRefused)))]
async fn agenda(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<AgendaInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input = body(input)?;
    if let Some(target_id) = input.outreach_target_id {
        if input.case_id.is_some() || input.topic.is_some() {
            return Err(AppError::invalid(
                "outreach_target_id",
                "議題にするのはケース（case_id）・アウトリーチの対象（outreach_target_id）・テーマ（topic）のどれか一つです",
            )
            .into());
        }
        let item = state
            .app
            .add_outreach_item(&user.actor(), id, target_id)
            .await?;
        return Ok((
            StatusCode::CREATED,
            Json(AgendaAdded {
                meeting_id: id,
                agenda_item_id: Some(item),
                outreach_target_id: Some(target_id),
                ..AgendaAdded::default()
            }),
        )
            .into_response());
    }
    let case_id = match (input.case_id, input.topic) {
        (Some(case_id), None) => case_id,
        (None, Some(topic)) => {
            let fiscal_year = match input.fiscal_year {
                Value::Null => String::new(),
                Value::String(s) => s,
                other => other.to_string(),
            };
            let item = state
                .app
                .add_topic(&user.actor(), id, &TopicInput { topic, fiscal_year })
                .await?;
            return Ok((
                StatusCode::CREATED,
                Json(AgendaAdded {
                    meeting_id: id,
                    agenda_item_id: Some(item),
                    ..AgendaAdded::default()
                }),
            )
                .into_response());
        }
        (Some(_), Some(_)) => {
            return Err(AppError::invalid(
                "topic",
                "議題にするのはケース（case_id）かテーマ（topic）のどちらか一方です",
            )
            .into());
        }
        (None, None) => {
            return Err(AppError::invalid(
                "case_id",
                "議題にするケース（case_id）・アウトリーチの対象（outreach_target_id）・テーマ（topic）のどれかを指定してください",
            )
            .into());
        }
    };
    match state.app.add_agenda(&user.actor(), id, case_id).await? {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(AgendaAdded {
                meeting_id: id,
                case_id: Some(case_id),
                ..AgendaAdded::default()
            }),
        )
            .into_response()),
        Err(refused) => Ok((
            StatusCode::CONFLICT,
            Json(AgendaRefused {
                error: refused.message,
                instead: refused.instead,
            }),
        )
            .into_response()),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AgendaLinkInput)]
struct LinkInput {
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    agenda_item_id: i64,
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    consultation_id: i64,
}

/// Links an agenda item about someone not yet consulted to the consultation
/// that person came to.
/// An agenda item linked to the consultation its person came to.
#[derive(Serialize, ToSchema)]
struct Linked {
    #[schema(value_type = RecordId)]
    agenda_item_id: i64,
    #[schema(value_type = RecordId)]
    consultation_id: i64,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/links", request_body = LinkInput,
    responses((status = 200, body = Linked)))]
async fn link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<LinkInput>, JsonRejection>,
) -> Result<Json<Linked>, ApiError> {
    let input = body(input)?;
    state
        .app
        .link_agenda_consultation(
            &user.actor(),
            id,
            input.agenda_item_id,
            input.consultation_id,
        )
        .await?;
    Ok(Json(Linked {
        agenda_item_id: input.agenda_item_id,
        consultation_id: input.consultation_id,
    }))
}

/// An attendee who is not a user, just added.
#[derive(Serialize, ToSchema)]
struct AttendeeAdded {
    #[schema(value_type = RecordId)]
    meeting_id: i64,
    #[schema(value_type = RecordId)]
    attendee_id: i64,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendees", request_body = AttendeeInput,
    responses((status = 201, body = AttendeeAdded)))]
async fn attendee(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<AttendeeInput>, JsonRejection>,
) -> Result<(StatusCode, Json<AttendeeAdded>), ApiError> {
    let input = body(input)?;
    let attendee_id = state.app.add_attendee(&user.actor(), id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttendeeAdded {
            meeting_id: id,
            attendee_id,
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AttendanceInput {
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    user_id: i64,
    attended: bool,
}

/// A member's attendance as recorded.
#[derive(Serialize, ToSchema)]
struct Attendance {
    #[schema(value_type = RecordId)]
    user_id: i64,
    attended: bool,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendance", request_body = AttendanceInput,
    responses((status = 200, body = Attendance)))]
async fn attendance(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<AttendanceInput>, JsonRejection>,
) -> Result<Json<Attendance>, ApiError> {
    let input = body(input)?;
    state
        .app
        .record_attendance(&user.actor(), id, &[(input.user_id, input.attended)])
        .await?;
    Ok(Json(Attendance {
        user_id: input.user_id,
        attended: input.attended,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct MinutesInput {
    minutes: String,
    /// The `minutes_version` the minutes were read at.
    #[serde(default)]
    version: Option<String>,
}

/// Saves the minutes. The version they were read at (`minutes_version` of
/// the meeting) comes as `If-Match` or `"version"`; given, a save over
/// someone else's since answers 409 with the minutes saved meanwhile.
/// The minutes saved.
#[derive(Serialize, ToSchema)]
struct MinutesSaved {
    saved: bool,
}

/// Minutes someone else saved since they were read: theirs and what was sent
/// (nothing is overwritten).
#[derive(Serialize, ToSchema)]
struct StaleMinutes {
    error: String,
    current: CurrentMinutes,
    yours: SentMinutes,
}

#[derive(Serialize, ToSchema)]
struct CurrentMinutes {
    minutes: String,
    version: String,
    /// 保存した人
    by: String,
}

#[derive(Serialize, ToSchema)]
struct SentMinutes {
    minutes: String,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes", request_body = MinutesInput,
    responses((status = 200, body = MinutesSaved), (status = 409, body = StaleMinutes)))]
async fn minutes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    input: Result<Json<MinutesInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input = body(input)?;
    let version = super::if_match(&headers).or(input.version.clone());
    match state
        .app
        .save_minutes(&user.actor(), id, version.as_deref(), &input.minutes)
        .await
    {
        Ok(()) => Ok(Json(MinutesSaved { saved: true }).into_response()),
        Err(AppError::Conflict(message)) if version.is_some() => {
            // Both versions: the one saved meanwhile, and what was sent.
            let current = state
                .app
                .meeting_record(&user.actor(), id, tsunagaru_app::Reading::Screen)
                .await?;
            let view = meeting_view(&state, &current).await?;
            Ok((
                StatusCode::CONFLICT,
                Json(StaleMinutes {
                    error: message,
                    current: CurrentMinutes {
                        minutes: view.minutes,
                        version: view.minutes_version,
                        by: view.minutes_by,
                    },
                    yours: SentMinutes {
                        minutes: input.minutes,
                    },
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", request_body = DecisionInput,
    responses((status = 201, body = Created)))]
async fn decision(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<DecisionInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    let decision_id = state.app.add_decision(&user.actor(), id, &input).await?;
    Ok(created(decision_id))
}

/// The open tasks given to the caller's agencies: overdue first, then by
/// deadline (none last), a page at a time.
/// One page of the caller's open tasks, overdue first, then by due date.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct TaskPage {
    tasks: Vec<TaskView>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/tasks", params(PageQuery),
    responses((status = 200, body = TaskPage)))]
async fn tasks(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    let tasks = state.app.open_tasks(&user.actor()).await?;
    let agencies = state.app.agencies().await?;
    let today = state.today();
    let views: Vec<TaskView> = tasks
        .iter()
        .map(|t| TaskView::of(t, &agencies, today))
        .collect();
    let page = paginate(
        views,
        |t| {
            let due = t
                .due_on
                .map_or(i64::MAX, |d| i64::from(d.num_days_from_ce()));
            format!(
                "{}{}{}",
                u8::from(!t.overdue),
                ascending(due),
                ascending(t.id)
            )
        },
        &q,
    )?;
    Ok(Json(TaskPage {
        tasks: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Takes back a 完了 marked by the caller less than ten minutes ago.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reopen",
    responses((status = 200, body = TaskView)))]
async fn task_reopen(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<TaskView>, ApiError> {
    let task = state.app.reopen_task(&user.actor(), id).await?;
    let agencies = state.app.agencies().await?;
    Ok(Json(TaskView::of(&task, &agencies, state.today())))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/done",
    responses((status = 200, body = TaskView)))]
async fn task_done(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<TaskView>, ApiError> {
    let task = state.app.complete_task(&user.actor(), id).await?;
    let agencies = state.app.agencies().await?;
    Ok(Json(TaskView::of(&task, &agencies, state.today())))
}

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    open,
    list,
    detail,
    assessment,
    plan,
    consent,
    monitoring,
    resume,
    close,
    return_case,
    schedule,
    meetings,
    meeting,
    pledge,
    agenda,
    link,
    attendee,
    attendance,
    minutes,
    decision,
    tasks,
    task_done,
    task_reopen
))]
pub(super) struct Inputs;
