//! Errors as users see them: a Japanese page for the browser, a JSON body
//! with a Japanese message for the API. Internal details go to the log (which
//! never holds personal data), not to the user.

use crate::pages::templates::ErrorPage;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use tsunagaru_app::AppError;

/// An error while serving a page.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session ended): go to the sign-in page.
    SignInRequired {
        expired: bool,
    },
    /// An administrator asked for a new password: the form to set it first.
    PasswordChangeRequired,
    /// The pack requires a second factor of this role: its enrolment first.
    SecondFactorEnrolmentRequired,
    /// A privileged action after more than ten minutes: the password again
    /// (the [`crate::reauth`] layer turns this into its form, keeping what
    /// was typed).
    ReauthenticationRequired,
    /// Out of scope or absent: both answer 404, so that nothing leaks.
    NotFound,
    Forbidden,
    /// Forbidden, saying why (the record is in scope; the action is not theirs).
    ForbiddenBecause(String),
    /// The record's state does not allow it (taken already, a race).
    Conflict(String),
    BadRequest(String),
    Internal(String),
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PageError::SignInRequired { expired } => {
                let to = if expired {
                    "/login?expired=1"
                } else {
                    "/login"
                };
                return Redirect::to(to).into_response();
            }
            PageError::PasswordChangeRequired => {
                return Redirect::to("/me/password").into_response();
            }
            PageError::SecondFactorEnrolmentRequired => {
                return Redirect::to("/me/totp").into_response();
            }
            PageError::ReauthenticationRequired => {
                let mut response = (
                    StatusCode::UNAUTHORIZED,
                    "この操作の前に、もう一度パスワードを入力してください",
                )
                    .into_response();
                response
                    .extensions_mut()
                    .insert(crate::reauth::NeedsReauthentication);
                return response;
            }
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "ページが見つかりません",
                "お探しのページは存在しないか、閲覧できる範囲にありません。".to_owned(),
            ),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "この操作はできません",
                "この画面を利用する権限がありません。必要な場合は管理者にご相談ください。"
                    .to_owned(),
            ),
            PageError::ForbiddenBecause(message) => {
                (StatusCode::FORBIDDEN, "この操作はできません", message)
            }
            PageError::Conflict(message) => (StatusCode::CONFLICT, "この操作はできません", message),
            PageError::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                "入力内容を確認してください",
                message,
            ),
            PageError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "システムエラー",
                    "処理中にエラーが発生しました。時間をおいてもう一度お試しください。続く場合は管理者にご連絡ください。".to_owned(),
                )
            }
        };
        let page = ErrorPage {
            title,
            message: &message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    }
}

/// An error from the JSON API: `{"error": "<Japanese message>"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Per-field problems for 422 answers.
    pub problems: Vec<String>,
    /// Problems tied to fields of a sheet.
    pub fields: Vec<tsunagaru_domain::intake::FieldError>,
    /// A flag a client acts on (`"mfa_required": true`, …).
    pub flag: Option<Flag>,
}

/// What a client must do before it sends the request again (the body says
/// `"<name>_required": true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// The password was right; the code from the app is missing.
    SecondFactor,
    /// The role needs a second factor and the user has none yet.
    TotpEnrolment,
    /// A privileged action, more than ten minutes after the last proof.
    Reauthentication,
}

/// Every failure of every `/api` route answers this body (`Error` in the
/// OpenAPI document, derived from this type).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// 日本語のメッセージ
    pub error: String,
    /// 項目ごとの問題（入力の誤り、読み取れないリクエスト）
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<tsunagaru_domain::intake::FieldError>,
    /// 問題の一覧（errors と同じ内容を文だけで）
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// パスワードは正しく、確認コードが必要（POST /api/v1/auth/login に otp を付けて送り直す）
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mfa_required: bool,
    /// 特権操作（利用者管理・保護の設定・同意のない情報提供・統合・ファイル出力）の前の本人確認から10分を過ぎている。POST /api/v1/me/reauthenticate のあと送り直す
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reauthentication_required: bool,
    /// この役割では確認コードが必要で、まだ設定していない（POST /api/v1/me/totp → /me/totp/confirm）
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub totp_enrolment_required: bool,
}

impl ErrorBody {
    /// A body with the message only.
    pub fn message(error: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: error.into(),
            errors: Vec::new(),
            problems: Vec::new(),
            mfa_required: false,
            reauthentication_required: false,
            totp_enrolment_required: false,
        }
    }
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
            fields: Vec::new(),
            flag: None,
        }
    }

    fn flagged(mut self, flag: Flag) -> Self {
        self.flag = Some(flag);
        self
    }

    /// 401 `"mfa_required": true`: the password was right, the code is missing.
    pub fn second_factor_required(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, message).flagged(Flag::SecondFactor)
    }

    /// 403 `"totp_enrolment_required": true` until the user enrols.
    pub fn enrolment_required() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "この役割では確認コード（二要素認証）が必要です。POST /api/v1/me/totp で設定を始め、POST /api/v1/me/totp/confirm で確認してください",
        )
        .flagged(Flag::TotpEnrolment)
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "ログインが必要です（Authorization: Bearer <token>）",
        )
    }
    /// 403 until the user sets the new password an administrator asked for.
    pub fn password_change_required() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "管理者がパスワードの変更を求めています。POST /api/v1/me/password で新しいパスワードを設定してください",
        )
    }
    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "見つかりません")
    }
    pub fn forbidden() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "この操作を行う権限がありません")
    }
    /// 422 with `{"errors": [{"field": …, "message": …}]}` (the intake sheet).
    pub fn fields(errors: Vec<tsunagaru_domain::intake::FieldError>) -> Self {
        let message = errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" / ");
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message,
            problems: Vec::new(),
            fields: errors,
            flag: None,
        }
    }

    /// 400: the request could not be read (a query string, a body or a path
    /// that does not parse), with the field it names.
    pub fn unreadable(
        message: impl Into<String>,
        field: tsunagaru_domain::intake::FieldError,
    ) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            problems: Vec::new(),
            fields: vec![field],
            flag: None,
        }
    }

    pub fn unprocessable(message: impl Into<String>, problems: Vec<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
            problems,
            fields: Vec::new(),
            flag: None,
        }
    }
}

/// A check shared with the API, failing on a page: absent or out of scope is
/// the not-found page, a server fault is logged, anything else says why.
impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => PageError::NotFound,
            StatusCode::FORBIDDEN => PageError::ForbiddenBecause(e.message),
            StatusCode::CONFLICT => PageError::Conflict(e.message),
            StatusCode::INTERNAL_SERVER_ERROR => PageError::Internal(e.message),
            _ => PageError::BadRequest(e.message),
        }
    }
}

/// A failed action shown again on its form, with what the API answers for
/// the same failure (status, message, field errors), so the browser and the
/// API agree. Not found and faults of the system get pages of their own.
#[derive(Debug)]
pub struct FormFailure {
    pub status: StatusCode,
    pub message: String,
    pub fields: Vec<tsunagaru_domain::intake::FieldError>,
}

impl FormFailure {
    /// The field errors as (field, message), as the simple forms list them.
    pub fn field_pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .map(|f| (f.field.clone(), f.message.clone()))
            .collect()
    }

    pub fn of(e: AppError) -> Result<FormFailure, PageError> {
        match e {
            AppError::NotFound => Err(PageError::NotFound),
            AppError::Internal(detail) => Err(PageError::Internal(detail)),
            AppError::Reauthenticate => Err(PageError::ReauthenticationRequired),
            other => {
                let api = ApiError::from(other);
                Ok(FormFailure {
                    status: api.status,
                    message: api.message,
                    fields: api.fields,
                })
            }
        }
    }
}

/// A JSON body that could not be read answers 400 with a Japanese message.
pub fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|Json(v)| v).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, crate::security::TOO_LARGE);
        }
        crate::api::rejection::from_text(e.status(), &e.body_text())
    })
}

/// The application's answer in the browser: the one place where pages decide
/// a status from an `AppError`.
impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => PageError::NotFound,
            AppError::Forbidden(message) => PageError::ForbiddenBecause(message),
            AppError::Invalid(errors) => PageError::BadRequest(
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join(" / "),
            ),
            AppError::Conflict(message) => PageError::Conflict(message),
            AppError::Refused { reason, .. } => PageError::Conflict(reason),
            AppError::Reauthenticate => PageError::ReauthenticationRequired,
            AppError::Internal(detail) => PageError::Internal(detail),
        }
    }
}

/// The application's answer in the API: the one place where the API decides
/// a status from an `AppError`.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::not_found(),
            AppError::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, message),
            AppError::Invalid(errors) => ApiError::fields(errors),
            AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, message),
            AppError::Refused { reason, .. } => ApiError::new(StatusCode::CONFLICT, reason),
            // RFC 9470's step-up: the token is good, its proof of identity too old.
            e @ AppError::Reauthenticate => ApiError::new(StatusCode::UNAUTHORIZED, e.to_string())
                .flagged(Flag::Reauthentication),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "処理中にエラーが発生しました",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // With field problems, `problems` lists the same messages, for
        // clients that read them.
        let problems = if self.fields.is_empty() {
            self.problems
        } else {
            self.fields.iter().map(|f| f.message.clone()).collect()
        };
        let body = ErrorBody {
            error: self.message,
            errors: self.fields,
            problems,
            mfa_required: self.flag == Some(Flag::SecondFactor),
            reauthentication_required: self.flag == Some(Flag::Reauthentication),
            totp_enrolment_required: self.flag == Some(Flag::TotpEnrolment),
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.flag == Some(Flag::Reauthentication) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static(
                    "Bearer error=\"insufficient_user_authentication\", max_age=600",
                ),
            );
        }
        response
    }
}
