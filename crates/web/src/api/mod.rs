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
use crate::views::address::PostalAnswer;
use crate::views::directory::{AgencyFilter, department_label};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use tsunagaru_app::users::UserInput;
use tsunagaru_domain::Field;
use tsunagaru_domain::directory::{HubType, Programme};
use tsunagaru_domain::openapi::{RecordId, code_list, codes_or_null};
use tsunagaru_store::{Agency, SessionKind, User};
use utoipa::ToSchema;

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
            expires_after_idle_minutes: state.pack().login.session_idle_minutes,
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
/// The secret of a second factor being set up.
#[derive(Serialize, ToSchema)]
struct TotpEnrolment {
    /// 認証アプリに手で入れるときの鍵（Base32）
    secret: String,
    /// 認証アプリが読む otpauth:// の URI（QR コードにする）
    otpauth_uri: String,
}

#[utoipa::path(post, path = "/api/v1/me/totp",
    responses((status = 201, body = TotpEnrolment)))]
async fn begin_totp(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<(StatusCode, Json<TotpEnrolment>), ApiError> {
    let enrolment = state.app.begin_totp_enrolment(&user.actor()).await?;
    Ok((
        StatusCode::CREATED,
        Json(TotpEnrolment {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CodeBody {
    #[schema(pattern = r"^[0-9０-９]{6}$")]
    code: String,
}

/// Confirms the secret with a first code: the ten recovery codes, once.
/// A second factor in use, and its recovery codes, shown this once.
#[derive(Serialize, ToSchema)]
struct TotpConfirmed {
    totp_enabled: bool,
    /// 回復コード（1回ずつ使える。この一度だけ示す）
    #[schema(schema_with = recovery_codes)]
    recovery_codes: Vec<String>,
}

/// The recovery codes: always as many, each four groups of four.
fn recovery_codes() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let n = tsunagaru_app::second_factor::RECOVERY_CODES;
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^[a-z2-9]{4}(-[a-z2-9]{4}){3}$")),
        )
        .min_items(Some(n))
        .max_items(Some(n))
        .into()
}

#[utoipa::path(post, path = "/api/v1/me/totp/confirm", request_body = CodeBody,
    responses((status = 200, body = TotpConfirmed)))]
async fn confirm_totp(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<CodeBody>, JsonRejection>,
) -> Result<Json<TotpConfirmed>, ApiError> {
    let body = json_body(body)?;
    let codes = state
        .app
        .confirm_totp_enrolment(&user.actor(), &body.code)
        .await?;
    Ok(Json(TotpConfirmed {
        totp_enabled: true,
        recovery_codes: codes,
    }))
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
#[utoipa::path(get, path = "/api/v1/me/desk",
    responses((status = 200, body = crate::views::desk::DeskView)))]
async fn desk(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<crate::views::desk::DeskView>, ApiError> {
    let desk = state.app.desk(&user.actor(), false).await?;
    let agencies = state.app.agencies().await?;
    Ok(Json(crate::views::desk::DeskView::of(&desk, &agencies)))
}

/// An agency of the network (or a 関係各課's office) as the directory
/// lists it.
#[derive(Serialize, ToSchema)]
#[schema(as = Agency)]
struct AgencyAnswer {
    #[schema(value_type = RecordId)]
    id: i64,
    /// 資源パックのキー
    key: String,
    name: String,
    category: String,
    /// 受託法人等
    operator: Option<String>,
    /// 所在地（市名を除く）
    address: Option<String>,
    /// 分野
    #[schema(schema_with = code_list::<Field>)]
    field: Vec<Field>,
    field_labels: Vec<&'static str>,
    /// 法第106条の4第2項の事業
    #[schema(schema_with = code_list::<Programme>)]
    programmes: Vec<Programme>,
    programme_clauses: Vec<&'static str>,
    /// 担当課
    department: String,
    department_no: i64,
    /// 包括的相談支援（第1号）の機関
    consultation: bool,
    /// 地域包括支援センターの型
    #[schema(schema_with = codes_or_null::<HubType>)]
    hub_type: Option<&'static str>,
    /// 担当地区
    catchment_areas: Vec<String>,
    funding: Option<String>,
    secretariat: bool,
    active: bool,
    /// 電話・FAX・メール・受付時間・内線（管理者の設定があればそれ、なければ自治体パックの値）
    contact: tsunagaru_domain::contact::Contact,
}

impl AgencyAnswer {
    fn of(a: &Agency, departments: &[tsunagaru_store::Department]) -> AgencyAnswer {
        AgencyAnswer {
            id: a.id,
            key: a.key.clone(),
            name: a.name.clone(),
            category: a.category.clone(),
            operator: a.operator.clone(),
            address: a.address.clone(),
            field: a.fields.clone(),
            field_labels: a.fields.iter().map(|f| f.label()).collect(),
            programmes: a.programmes.clone(),
            programme_clauses: a.programmes.iter().map(|p| p.clause()).collect(),
            department: department_label(departments, a.department_no),
            department_no: a.department_no,
            consultation: a.consultation,
            hub_type: a.hub_type.map(|h| h.code()),
            catchment_areas: a.catchment_areas.clone(),
            funding: a.funding.clone(),
            secretariat: a.secretariat,
            active: a.active,
            contact: a.contact.clone(),
        }
    }
}

/// An agency with its towns and the version its contact details are read at.
#[derive(Serialize, ToSchema)]
struct AgencyDetail {
    #[serde(flatten)]
    agency: AgencyAnswer,
    /// 主な町名
    catchment_towns: Vec<String>,
    /// 連絡先を変えるとき If-Match で送り返す版
    contact_version: String,
    /// 出典（計画の該当箇所）。管理者にだけ返す
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/agencies", params(AgencyFilter),
    responses((status = 200, body = Vec<AgencyAnswer>)))]
async fn agencies(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Query(filter): Query<AgencyFilter>,
) -> Result<Json<Vec<AgencyAnswer>>, ApiError> {
    let parsed = filter
        .parse()
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let departments = state.app.departments().await?;
    let agencies = state.app.agencies().await?;
    Ok(Json(
        agencies
            .iter()
            .filter(|a| parsed.matches(a))
            .map(|a| AgencyAnswer::of(a, &departments))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/agencies/{id}",
    responses((status = 200, body = AgencyDetail)))]
async fn agency(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<AgencyDetail>, ApiError> {
    let agency = state.app.agency(id).await?;
    agency_detail(&state, &user, agency).await
}

async fn agency_detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    agency: Agency,
) -> Result<Json<AgencyDetail>, ApiError> {
    let departments = state.app.departments().await?;
    let catchment_towns = state.app.catchment_towns(agency.id).await?;
    Ok(Json(AgencyDetail {
        agency: AgencyAnswer::of(&agency, &departments),
        catchment_towns,
        contact_version: tsunagaru_store::version_of(agency.contact_updated_at),
        // Where in the plan the row comes from: an internal note for the administrator.
        source: tsunagaru_app::policy::reads_source_notes(&user.actor())
            .then(|| agency.source.clone()),
    }))
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
#[utoipa::path(put, path = "/api/v1/agencies/{id}/contact", request_body = tsunagaru_domain::contact::ContactInput,
    responses((status = 200, body = AgencyDetail)))]
async fn agency_contact(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    body: Result<Json<tsunagaru_domain::contact::ContactInput>, JsonRejection>,
) -> Result<Json<AgencyDetail>, ApiError> {
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

#[utoipa::path(get, path = "/api/v1/departments",
    responses((status = 200, body = Vec<tsunagaru_store::Department>)))]
async fn departments(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Vec<tsunagaru_store::Department>>, ApiError> {
    Ok(Json(state.app.departments().await?))
}

#[utoipa::path(get, path = "/api/v1/network-members",
    responses((status = 200, body = Vec<tsunagaru_store::NetworkMember>)))]
async fn network_members(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Vec<tsunagaru_store::NetworkMember>>, ApiError> {
    Ok(Json(state.app.network_members().await?))
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
/// The caller's password changed.
#[derive(Serialize, ToSchema)]
struct PasswordChanged {
    changed: bool,
}

#[utoipa::path(post, path = "/api/v1/me/password", request_body = tsunagaru_app::users::PasswordChange,
    responses((status = 200, body = PasswordChanged)))]
async fn change_password(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<Json<tsunagaru_app::users::PasswordChange>, JsonRejection>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let input = json_body(body)?;
    state
        .app
        .change_own_password(&user.actor(), &user.session.token_hash, &input)
        .await?;
    Ok(Json(PasswordChanged { changed: true }))
}

/// A user who must set a new password at the next sign-in.
#[derive(Serialize, ToSchema)]
struct PasswordChangeRequired {
    #[schema(value_type = RecordId)]
    user_id: i64,
    must_change_password: bool,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/require-password-change",
    responses((status = 200, body = PasswordChangeRequired)))]
async fn require_password_change(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::id::Id(id): crate::id::Id,
) -> Result<Json<PasswordChangeRequired>, ApiError> {
    state.app.require_password_change(&user.actor(), id).await?;
    Ok(Json(PasswordChangeRequired {
        user_id: id,
        must_change_password: true,
    }))
}

/// A user's sessions as an administrator sees them: kind and times, never
/// a token.
#[derive(Serialize, ToSchema)]
struct UserSessions {
    #[schema(value_type = RecordId)]
    user_id: i64,
    sessions: Vec<SessionAnswer>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Session)]
struct SessionAnswer {
    /// 画面（web）か API か
    #[schema(schema_with = session_kinds)]
    kind: String,
    /// 日本時間
    #[schema(value_type = String, format = DateTime)]
    created_at: String,
    #[schema(value_type = String, format = DateTime)]
    last_seen_at: String,
}

#[utoipa::path(get, path = "/api/v1/users/{id}/sessions",
    responses((status = 200, body = UserSessions)))]
async fn user_sessions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::id::Id(id): crate::id::Id,
) -> Result<Json<UserSessions>, ApiError> {
    let sessions = state.app.user_sessions(&user.actor(), id).await?;
    Ok(Json(UserSessions {
        user_id: id,
        sessions: sessions
            .iter()
            .map(|s| SessionAnswer {
                kind: s.kind.clone(),
                created_at: tsunagaru_store::in_japan(s.created_at).to_rfc3339(),
                last_seen_at: tsunagaru_store::in_japan(s.last_seen_at).to_rfc3339(),
            })
            .collect(),
    }))
}

fn session_kinds() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::one_of_strings(&[SessionKind::Web.code(), SessionKind::Api.code()])
}

/// How many of a user's sessions were ended.
#[derive(Serialize, ToSchema)]
struct SessionsEnded {
    #[schema(value_type = RecordId)]
    user_id: i64,
    ended: u64,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/sessions/end",
    responses((status = 200, body = SessionsEnded)))]
async fn end_user_sessions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::id::Id(id): crate::id::Id,
) -> Result<Json<SessionsEnded>, ApiError> {
    let ended = state.app.end_user_sessions(&user.actor(), id).await?;
    Ok(Json(SessionsEnded { user_id: id, ended }))
}

/// The user names locked out (or near it) after failed sign-ins.
#[derive(Serialize, ToSchema)]
struct LoginLocks {
    locks: Vec<LoginLock>,
}

#[derive(Serialize, ToSchema)]
struct LoginLock {
    username: String,
    /// ロックが解けるとき（ロックされていなければ null）
    #[schema(value_type = Option<String>, format = DateTime)]
    locked_until: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_failure_at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/locks",
    responses((status = 200, body = LoginLocks)))]
async fn login_locks(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<LoginLocks>, ApiError> {
    let locks = state.app.login_locks(&user.actor()).await?;
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| tsunagaru_store::in_japan(t).to_rfc3339())
    };
    Ok(Json(LoginLocks {
        locks: locks
            .iter()
            .map(|l| LoginLock {
                username: l.username.clone(),
                locked_until: at(l.locked_until),
                last_failure_at: at(l.last_failure_at),
            })
            .collect(),
    }))
}

/// A user name whose lock was lifted.
#[derive(Serialize, ToSchema)]
struct LockLifted {
    username: String,
    lifted: bool,
}

#[utoipa::path(post, path = "/api/v1/admin/locks/{username}/lift",
    responses((status = 200, body = LockLifted)))]
async fn lift_login_lock(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(username): Path<String>,
) -> Result<Json<LockLifted>, ApiError> {
    state.app.lift_login_lock(&user.actor(), &username).await?;
    Ok(Json(LockLifted {
        username,
        lifted: true,
    }))
}

/// The audit trail, newest first, a page at a time (the cursor stands for
/// the oldest event given; the sequence numbers have no gaps).
/// One page of the audit trail, newest first.
#[derive(Serialize, ToSchema)]
struct AuditPage {
    events: Vec<AuditEventAnswer>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

/// One event of the audit trail, chained to the one before by its hash.
#[derive(Serialize, ToSchema)]
#[schema(as = AuditEvent)]
struct AuditEventAnswer {
    /// 1, 2, 3 … と欠番なく続く番号
    #[schema(minimum = 1)]
    seq: i64,
    /// 日本時間（RFC 3339、+09:00）
    #[schema(value_type = String, format = DateTime)]
    at: String,
    #[schema(value_type = Option<RecordId>)]
    actor_user_id: Option<i64>,
    actor: String,
    action: String,
    record_type: Option<String>,
    record_id: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
}

#[utoipa::path(get, path = "/api/v1/audit-events", params(page::PageQuery),
    responses((status = 200, body = AuditPage)))]
async fn audit_events(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<page::PageQuery>,
) -> Result<Json<AuditPage>, ApiError> {
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
    let events = page
        .into_iter()
        .map(|e| AuditEventAnswer {
            seq: e.seq,
            at: tsunagaru_store::in_japan(e.at).to_rfc3339(),
            actor_user_id: e.actor_user_id,
            actor: e.actor,
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            detail: e.detail,
            prev_hash: e.prev_hash,
            hash: e.hash,
        })
        .collect();
    Ok(Json(AuditPage {
        events,
        next_cursor,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RouteQuery {
    #[param(required = true, min_length = 1)]
    q: Option<String>,
}

/// `GET /api/v1/address/route?q=…`: the same object as `tsunagaru address route`.
#[utoipa::path(get, path = "/api/v1/address/route", params(RouteQuery),
    responses((status = 200, body = tsunagaru_address::Route)))]
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
    Ok(Json(state.address().route(&q)))
}

/// `GET /api/v1/address/postal/{code}`: the towns of a postal code.
#[utoipa::path(get, path = "/api/v1/address/postal/{code}",
    responses((status = 200, body = PostalAnswer)))]
async fn address_postal(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<PostalAnswer>, ApiError> {
    let answer = crate::views::address::postal_answer(&state, &code);
    let digits = &answer.postal_code;
    if digits.len() != 7 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("郵便番号「{code}」は7桁の数字で指定してください"),
        ));
    }
    if answer.towns.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "郵便番号 {digits} は{}の町名にありません",
                state.pack().municipality.name
            ),
        ));
    }
    Ok(Json(answer))
}

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        login,
        me,
        desk,
        users,
        begin_totp,
        confirm_totp,
        reauthenticate,
        agencies,
        agency,
        agency_contact,
        departments,
        network_members,
        create,
        change_password,
        require_password_change,
        user_sessions,
        end_user_sessions,
        login_locks,
        lift_login_lock,
        audit_events,
        address_route,
        address_postal
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub(super) struct Inputs;
