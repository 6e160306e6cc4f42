//! The JSON API under `/api/v1`, described by `/api/openapi.json`. Handlers
//! read the request, call the application layer and answer JSON; statuses
//! come from `From<AppError> for ApiError`. Nothing here is imported by the
//! pages.

/// The API's routes: the OpenAPI document and everything under `/api/v1`.
pub fn router() -> Router<AppState> {
    // Joined once, before the first request asks for it.
    LazyLock::force(&doc::DOCUMENT);
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .nest(
            "/api/v1",
            v1().merge(persons::router())
                .merge(handoffs::router())
                .merge(cases::router())
                .merge(reach::router())
                .merge(reports::router())
                .layer(axum::middleware::from_fn(numbers::whole_numbers)),
        )
        .layer(axum::middleware::map_response(rejection::json_errors))
}

mod cases;
pub mod doc;
mod handoffs;
mod numbers;
mod page;
mod persons;
mod reach;
pub(crate) mod rejection;
pub(crate) mod reports;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body};
use crate::id::Id;
use crate::views::directory::{AgencyFilter, department_label};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::LazyLock;
use tsunagaru_app::users::UserInput;
use tsunagaru_domain::Field;
use tsunagaru_store::{Agency, SessionKind, User};

/// The answer to a request that made one record: its id.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Created {
    /// 作成したレコードの ID
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    id: i64,
}

/// 201 Created with the new record's id.
pub(crate) fn created(id: i64) -> (StatusCode, Json<Created>) {
    (StatusCode::CREATED, Json(Created { id }))
}

/// The routes under `/api/v1`; unknown paths there answer a JSON 404.
fn v1() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/desk", get(desk))
        .route("/agencies", get(agencies))
        .route("/agencies/{id}", get(agency))
        .route("/agencies/{id}/contact", axum::routing::put(agency_contact))
        .route("/departments", get(departments))
        .route("/network-members", get(network_members))
        .route("/users", get(users).post(create))
        .route("/me/password", post(change_password))
        .route("/me/totp", post(begin_totp))
        .route("/me/totp/confirm", post(confirm_totp))
        .route("/me/reauthenticate", post(reauthenticate))
        .route("/users/{id}/totp/reset", post(reset_totp))
        .route(
            "/users/{id}/require-password-change",
            post(require_password_change),
        )
        .route("/users/{id}/sessions", get(user_sessions))
        .route("/users/{id}/sessions/end", post(end_user_sessions))
        .route("/admin/locks", get(login_locks))
        .route("/admin/locks/{username}/lift", post(lift_login_lock))
        .route("/audit-events", get(audit_events))
        .route("/address/route", get(address_route))
        .route("/address/postal/{code}", get(address_postal))
        .fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "この API はありません（/api/openapi.json を参照してください）",
            )
        })
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc::DOCUMENT.as_str(),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LoginBody {
    #[schema(min_length = 1)]
    username: String,
    #[schema(format = Password, min_length = 1)]
    password: String,
    /// The second factor: six digits from the app, or a recovery code.
    #[serde(default)]
    #[schema(
        pattern = r"^([0-9０-９]{6}|[a-hjkmnp-zA-HJKMNP-Z2-9]{4}(-?[a-hjkmnp-zA-HJKMNP-Z2-9]{4}){3})$"
    )]
    otp: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginBody,
    responses((status = 200, body = SignedIn)))]
async fn login(
    State(state): State<AppState>,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Json<SignedIn>, ApiError> {
    let body = json_body(body)?;
    match state
        .app
        .sign_in(
            &body.username,
            &body.password,
            body.otp.as_deref(),
            SessionKind::Api,
        )
        .await
    {
        Ok(signed_in) => Ok(Json(SignedIn {
            token: signed_in.token,
            expires_after_idle_minutes: state.pack.login.session_idle_minutes,
            user: UserAnswer::of(&signed_in.user),
        })),
        Err(crate::auth::SignInError::Internal(detail)) => {
            tracing::error!(%detail, "sign-in failed");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "処理中にエラーが発生しました",
            ))
        }
        Err(e @ crate::auth::SignInError::SecondFactorRequired { .. }) => {
            Err(ApiError::second_factor_required(e.message()))
        }
        Err(e) => Err(ApiError::new(StatusCode::UNAUTHORIZED, e.message())),
    }
}

async fn logout(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<StatusCode, ApiError> {
    state.app.sign_out(&user.actor(), &user.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A signed-in API session: the token to send as `Authorization: Bearer`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = LoginResult)]
struct SignedIn {
    token: String,
    /// 操作のないまま、この分数が過ぎるとトークンは無効になる
    expires_after_idle_minutes: u32,
    user: UserAnswer,
}

/// An account as the API shows it (`User` in the document).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = User)]
struct UserAnswer {
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    id: i64,
    username: String,
    display_name: String,
    #[schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::Role>)]
    role: &'static str,
    #[schema(value_type = Vec<tsunagaru_domain::openapi::RecordId>)]
    agency_ids: Vec<i64>,
    active: bool,
    /// 管理者がパスワードの変更を求めている
    must_change_password: bool,
    /// 確認コード（二要素認証）を設定済み
    totp_enabled: bool,
}

impl UserAnswer {
    fn of(user: &User) -> UserAnswer {
        UserAnswer {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.code(),
            agency_ids: user.agency_ids.clone(),
            active: user.active,
            must_change_password: user.must_change_password,
            totp_enabled: user.totp_enabled,
        }
    }
}

/// The caller's own account, and whether its role must use a second factor.
#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    #[serde(flatten)]
    user: UserAnswer,
    /// この役割では確認コード（二要素認証）が必須
    totp_required: bool,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me)))]
async fn me(State(state): State<AppState>, ApiUser(user): ApiUser) -> Json<Me> {
    Json(Me {
        user: UserAnswer::of(&user.user),
        totp_required: state.app.second_factor_required(&user.user),
    })
}

/// Begins (or renews) the caller's second factor: the secret to put in an
/// authenticator app, by hand or as the `otpauth://` URI.
async fn begin_totp(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let enrolment = state.app.begin_totp_enrolment(&user.actor()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "secret": enrolment.secret,
            "otpauth_uri": enrolment.otpauth_uri,
        })),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CodeBody {
    #[schema(pattern = r"^[0-9０-９]{6}$")]
    code: String,
}

/// Confirms the secret with a first code: the ten recovery codes, once.
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", request_body = CodeBody)]
async fn confirm_totp(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<CodeBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body)?;
    let codes = state
        .app
        .confirm_totp_enrolment(&user.actor(), &body.code)
        .await?;
    Ok(Json(
        json!({ "totp_enabled": true, "recovery_codes": codes }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ReauthBody {
    #[serde(default)]
    #[schema(format = Password, min_length = 1)]
    password: Option<String>,
    /// Six digits from the app, or a recovery code (`xxxx-xxxx-xxxx-xxxx`).
    #[serde(default)]
    #[schema(
        pattern = r"^([0-9０-９]{6}|[a-hjkmnp-zA-HJKMNP-Z2-9]{4}(-?[a-hjkmnp-zA-HJKMNP-Z2-9]{4}){3})$"
    )]
    otp: Option<String>,
}

/// Proves who the caller is again, for the privileged actions of the next
/// ten minutes.
#[utoipa::path(post, path = "/api/v1/me/reauthenticate", request_body = ReauthBody)]
async fn reauthenticate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<ReauthBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let body = json_body(body)?;
    state
        .app
        .reauthenticate(
            &user.actor(),
            &user.session,
            body.password.as_deref(),
            body.otp.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 管理者: removes a user's second factor; their sessions end.
async fn reset_totp(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    state.app.reset_second_factor(&user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's desk: sheets, handoffs and cases in hand, the persons opened
/// lately, and what arrived since the sign-in before this one (for an API
/// session, the last sign-in to the pages).
async fn desk(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<crate::views::desk::DeskView>, ApiError> {
    let desk = state.app.desk(&user.actor(), false).await?;
    let agencies = state.app.agencies().await?;
    Ok(Json(crate::views::desk::DeskView::of(&desk, &agencies)))
}

#[derive(Serialize)]
struct AgencyJson<'a> {
    id: i64,
    key: &'a str,
    name: &'a str,
    category: &'a str,
    operator: Option<&'a str>,
    address: Option<&'a str>,
    field: Vec<&'static str>,
    field_labels: Vec<&'static str>,
    programmes: Vec<&'static str>,
    programme_clauses: Vec<&'static str>,
    department: String,
    department_no: i64,
    consultation: bool,
    hub_type: Option<&'static str>,
    catchment_areas: &'a [String],
    funding: Option<&'a str>,
    secretariat: bool,
    active: bool,
    /// 電話・FAX・メール・受付時間・内線 (the administrator's, else the pack's).
    contact: &'a tsunagaru_domain::contact::Contact,
}

fn agency_json<'a>(a: &'a Agency, departments: &[tsunagaru_store::Department]) -> AgencyJson<'a> {
    AgencyJson {
        id: a.id,
        key: &a.key,
        name: &a.name,
        category: &a.category,
        operator: a.operator.as_deref(),
        address: a.address.as_deref(),
        field: a.fields.iter().map(|f: &Field| f.code()).collect(),
        field_labels: a.fields.iter().map(|f| f.label()).collect(),
        programmes: a.programmes.iter().map(|p| p.code()).collect(),
        programme_clauses: a.programmes.iter().map(|p| p.clause()).collect(),
        department: department_label(departments, a.department_no),
        department_no: a.department_no,
        consultation: a.consultation,
        hub_type: a.hub_type.map(|h| h.code()),
        catchment_areas: &a.catchment_areas,
        funding: a.funding.as_deref(),
        secretariat: a.secretariat,
        active: a.active,
        contact: &a.contact,
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", params(AgencyFilter))]
async fn agencies(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Query(filter): Query<AgencyFilter>,
) -> Result<Json<Value>, ApiError> {
    let parsed = filter
        .parse()
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let departments = state.app.departments().await?;
    let agencies = state.app.agencies().await?;
    let list: Vec<_> = agencies
        .iter()
        .filter(|a| parsed.matches(a))
        .map(|a| agency_json(a, &departments))
        .collect();
    Ok(Json(json!(list)))
}

async fn agency(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let agency = state.app.agency(id).await?;
    agency_detail(&state, &user, agency).await
}

async fn agency_detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    agency: Agency,
) -> Result<Json<Value>, ApiError> {
    let departments = state.app.departments().await?;
    let towns = state.app.catchment_towns(agency.id).await?;
    let mut value = json!(agency_json(&agency, &departments));
    value["catchment_towns"] = json!(towns);
    // Sent back as If-Match with a change of the contact details.
    value["contact_version"] = json!(tsunagaru_store::version_of(agency.contact_updated_at));
    // Where in the plan the row comes from: an internal note for the administrator.
    if tsunagaru_app::policy::reads_source_notes(&user.actor()) {
        value["source"] = json!(agency.source);
    }
    Ok(Json(value))
}

/// The version a client read a record at, sent back as `If-Match`
/// (`"123"`, `W/"123"` or bare): a save over someone else's since is then
/// refused instead of overwriting it.
pub(crate) fn if_match(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        })
        .filter(|v| !v.is_empty())
}

/// The administrator sets an agency's (or 関係各課's) contact details;
/// they are kept when the pack is loaded again.
#[utoipa::path(put, path = "/api/v1/agencies/{id}/contact", request_body = tsunagaru_domain::contact::ContactInput)]
async fn agency_contact(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    body: Result<Json<tsunagaru_domain::contact::ContactInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = json_body(body)?;
    // `If-Match` with the `contact_version` read: a change over another
    // administrator's since answers 409.
    let version = if_match(&headers);
    let agency = state
        .app
        .set_agency_contact(&user.actor(), id, version.as_deref(), &input)
        .await?;
    agency_detail(&state, &user, agency).await
}

async fn departments(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.app.departments().await?)))
}

async fn network_members(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.app.network_members().await?)))
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = Vec<UserAnswer>)))]
async fn users(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<UserAnswer>>, ApiError> {
    if !user.role().can_manage_users() {
        return Err(ApiError::forbidden());
    }
    Ok(Json(
        state
            .app
            .staff()
            .await?
            .iter()
            .map(UserAnswer::of)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = UserInput,
    responses((status = 201, body = Created)))]
async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<UserInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = json_body(body)?;
    let id = state.app.create_user(&user.actor(), &input).await?;
    Ok(created(id))
}

/// Sets the caller's own password (`current_password`, `new_password`); the
/// caller's other sessions end, this token stays.
#[utoipa::path(post, path = "/api/v1/me/password", request_body = tsunagaru_app::users::PasswordChange)]
async fn change_password(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<tsunagaru_app::users::PasswordChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = json_body(body)?;
    state
        .app
        .change_own_password(&user.actor(), &user.session.token_hash, &input)
        .await?;
    Ok(Json(json!({ "changed": true })))
}

async fn require_password_change(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::id::Id(id): crate::id::Id,
) -> Result<Json<Value>, ApiError> {
    state.app.require_password_change(&user.actor(), id).await?;
    Ok(Json(json!({ "user_id": id, "must_change_password": true })))
}

/// A session as an administrator sees it: its kind and times, never its token.
fn session_json(s: &tsunagaru_store::Session) -> Value {
    json!({
        "kind": s.kind,
        "created_at": tsunagaru_store::in_japan(s.created_at).to_rfc3339(),
        "last_seen_at": tsunagaru_store::in_japan(s.last_seen_at).to_rfc3339(),
    })
}

async fn user_sessions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::id::Id(id): crate::id::Id,
) -> Result<Json<Value>, ApiError> {
    let sessions = state.app.user_sessions(&user.actor(), id).await?;
    Ok(Json(json!({
        "user_id": id,
        "sessions": sessions.iter().map(session_json).collect::<Vec<_>>(),
    })))
}

async fn end_user_sessions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::id::Id(id): crate::id::Id,
) -> Result<Json<Value>, ApiError> {
    let ended = state.app.end_user_sessions(&user.actor(), id).await?;
    Ok(Json(json!({ "user_id": id, "ended": ended })))
}

async fn login_locks(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let locks = state.app.login_locks(&user.actor()).await?;
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| tsunagaru_store::in_japan(t).to_rfc3339())
    };
    Ok(Json(json!({
        "locks": locks.iter().map(|l| json!({
            "username": l.username,
            "locked_until": at(l.locked_until),
            "last_failure_at": at(l.last_failure_at),
        })).collect::<Vec<_>>(),
    })))
}

async fn lift_login_lock(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state.app.lift_login_lock(&user.actor(), &username).await?;
    Ok(Json(json!({ "username": username, "lifted": true })))
}

/// The audit trail, newest first, a page at a time (the cursor stands for
/// the oldest event given; the sequence numbers have no gaps).
#[utoipa::path(get, path = "/api/v1/audit-events", params(page::PageQuery))]
async fn audit_events(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<page::PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = i64::try_from(q.limit()?).unwrap_or(100);
    let before = match q.after_text()? {
        Some(key) => Some(
            key.parse::<i64>()
                .ok()
                .and_then(|k| i64::MAX.checked_sub(k))
                .ok_or_else(page::unusable_cursor)?,
        ),
        None => None,
    };
    let page = state
        .app
        .audit_events_page(&user.actor(), before, limit)
        .await?;
    let next_cursor = page
        .last()
        .filter(|oldest| oldest.seq > 1 && page.len() as i64 == limit)
        .map(|oldest| hex::encode(page::descending(oldest.seq)));
    // The instant in Japan's time (RFC 3339, +09:00), as every date-time
    // the API answers; the chain's hash is over the stored instant.
    let events: Vec<Value> = page
        .iter()
        .map(|e| {
            let mut v = json!(e);
            v["at"] = json!(tsunagaru_store::in_japan(e.at).to_rfc3339());
            v
        })
        .collect();
    Ok(Json(
        json!({ "events": events, "next_cursor": next_cursor }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RouteQuery {
    #[param(required = true, min_length = 1)]
    q: Option<String>,
}

/// `GET /api/v1/address/route?q=…`: the same object as `tsunagaru address route`.
#[utoipa::path(get, path = "/api/v1/address/route", params(RouteQuery))]
async fn address_route(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Query(query): Query<RouteQuery>,
) -> Result<Json<tsunagaru_address::Route>, ApiError> {
    let q = query.q.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "住所を q に指定してください（例: ?q=盛岡市高松四丁目5-1）",
        )
    })?;
    Ok(Json(state.address.route(&q)))
}

/// `GET /api/v1/address/postal/{code}`: the towns of a postal code.
async fn address_postal(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let answer = crate::views::address::postal_answer(&state, &code);
    let digits = answer["postal_code"].as_str().unwrap_or_default();
    if digits.len() != 7 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("郵便番号「{code}」は7桁の数字で指定してください"),
        ));
    }
    if answer["towns"].as_array().is_none_or(Vec::is_empty) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "郵便番号 {digits} は{}の町名にありません",
                state.pack.municipality.name
            ),
        ));
    }
    Ok(Json(answer))
}

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    login,
    me,
    users,
    confirm_totp,
    reauthenticate,
    agencies,
    agency_contact,
    create,
    change_password,
    audit_events,
    address_route
))]
pub(super) struct Inputs;
