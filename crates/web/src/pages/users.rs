//! ユーザー管理 (admin only): list, create, stop and resume users.

use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::PageError;
use crate::id::Id;
use crate::pages::templates::{
    AgencyChoice, Choice, FormErrors, Nav, NewUserPage, UserView, UsersPage,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_domain::{PasswordPolicy, Role, Username};

pub use tsunagaru_app::users::UserInput;

/// Reads a form where `agency_ids` repeats once per checked box.
fn user_input_from_form(body: &[u8]) -> UserInput {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut input = UserInput {
        password_confirmation: Some(String::new()),
        ..UserInput::default()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "username" => input.username = value,
            "password" => input.password = value,
            "password_confirmation" => input.password_confirmation = Some(value),
            "display_name" => input.display_name = value,
            "role" => input.role = value,
            // A value that is not a number cannot be a checked box of ours.
            "agency_ids" => input.agency_ids.extend(value.parse::<i64>().ok()),
            _ => {}
        }
    }
    input
}

/// The app's field problems, placed beside the form's fields.
pub fn form_errors(fields: Vec<tsunagaru_domain::intake::FieldError>) -> FormErrors {
    let mut errors = FormErrors::default();
    for f in fields {
        match f.field.as_str() {
            "username" => errors.username.push(f.message),
            "display_name" => errors.display_name.push(f.message),
            "role" => errors.role.push(f.message),
            "agency_ids" => errors.agencies.push(f.message),
            _ => errors.password.push(f.message),
        }
    }
    errors
}

pub fn policy_text(policy: &PasswordPolicy) -> String {
    let mut text = format!(
        "{}文字以上{}文字以内。英小文字・英大文字・数字・記号のうち{}種類以上。",
        policy.min_length, policy.max_length, policy.min_character_classes
    );
    if policy.forbid_username {
        text.push_str("ユーザー名を含めないでください。");
    }
    text.push_str(
        "よく使われるパスワード（password、qwerty など。数字・記号を足したものも）は使えません。",
    );
    if !policy.forbidden_words.is_empty() {
        text.push_str(&format!(
            "「{}」を含めないでください。",
            policy.forbidden_words.join("」「")
        ));
    }
    text
}

fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.role().can_manage_users() {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    created: Option<String>,
    #[serde(default)]
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&user)?;
    let agencies = state.app.agencies().await?;
    let users = state
        .app
        .staff()
        .await?
        .into_iter()
        .map(|u| UserView {
            agencies: agencies
                .iter()
                .filter(|a| u.agency_ids.contains(&a.id))
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            user: u,
        })
        .collect();
    let locks = state
        .app
        .login_locks(&user.actor())
        .await?
        .into_iter()
        .map(|l| {
            (
                l.username,
                l.locked_until
                    .map(crate::views::cases::moment_label)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let page = UsersPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        users,
        created: q.created,
        locks,
        notice: match q.done.as_str() {
            "lifted" => "ログイン停止を解除しました。",
            "password" => {
                "パスワードの変更を求めました。その利用者は次に使うとき、新しいパスワードを設定します。"
            }
            "totp" => {
                "確認コードの設定を解除しました。その利用者のセッションは終了し、次のログインで設定し直します。"
            }
            _ => "",
        },
    };
    Ok(Html(page.render()?))
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    input: &UserInput,
    errors: FormErrors,
) -> Result<String, PageError> {
    let agencies = state.app.agencies().await?;
    let page = NewUserPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        username: input.username.clone(),
        display_name: input.display_name.clone(),
        role_choices: Role::ALL
            .into_iter()
            .map(|r| Choice {
                value: r.code().into(),
                label: r.label().into(),
                selected: input.role == r.code(),
            })
            .collect(),
        agencies: agencies
            .into_iter()
            .filter(|a| a.active)
            .map(|a| AgencyChoice {
                checked: input.agency_ids.contains(&a.id),
                id: a.id,
                name: a.name,
            })
            .collect(),
        errors,
        policy_text: policy_text(&state.pack().password_policy),
    };
    Ok(page.render()?)
}

pub async fn new_form(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    require_admin(&user)?;
    let input = UserInput {
        role: Role::Staff.code().into(),
        ..UserInput::default()
    };
    Ok(Html(
        form_page(&state, &user, &input, FormErrors::default()).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let input = user_input_from_form(&body);
    match state.app.create_user(&user.actor(), &input).await {
        Ok(_) => {
            let to = format!(
                "/admin/users?created={}",
                Username::parse(&input.username)
                    .map(|u| u.to_string())
                    .unwrap_or_default()
            );
            Ok(Redirect::to(&to).into_response())
        }
        // Everything typed but the passwords comes back into the form.
        Err(e) => {
            let e = crate::error::FormFailure::of(e)?;
            let mut errors = form_errors(e.fields);
            if errors.is_empty() {
                errors.username.push(e.message);
            }
            Ok((
                e.status,
                Html(form_page(&state, &user, &input, errors).await?),
            )
                .into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::Form(form): axum::Form<ActiveForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    state
        .app
        .set_user_active(&user.actor(), id, form.active)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize)]
pub struct LiftForm {
    username: String,
}

/// 解除: lifts a sign-in lock before it expires.
pub async fn lift_lock(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    axum::Form(form): axum::Form<LiftForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    state
        .app
        .lift_login_lock(&user.actor(), &form.username)
        .await?;
    Ok(Redirect::to("/admin/users?done=lifted").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SessionsQuery {
    done: String,
}

/// A user's sessions: where they are signed in, since when, last used.
pub async fn sessions(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    Query(q): Query<SessionsQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&user)?;
    let sessions = state.app.user_sessions(&user.actor(), id).await?;
    let target = state
        .app
        .staff()
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or(PageError::NotFound)?;
    let page = crate::pages::templates::UserSessionsPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        user: target,
        sessions: sessions
            .iter()
            .map(|s| {
                (
                    if s.kind == "api" {
                        "API"
                    } else {
                        "ブラウザ"
                    },
                    crate::views::cases::moment_label(s.created_at),
                    crate::views::cases::moment_label(s.last_seen_at),
                )
            })
            .collect(),
        notice: match q.done.as_str() {
            "ended" => {
                "すべてのセッションを終了しました。この利用者は次に使うときにログインし直します。"
            }
            _ => "",
        },
    };
    Ok(Html(page.render()?))
}

/// Ends every session of the user.
pub async fn end_sessions(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    state.app.end_user_sessions(&user.actor(), id).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}/sessions?done=ended")).into_response())
}

/// The form to set one's own password (also where a user is sent when an
/// administrator asked for a new one).
#[derive(askama::Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub nav: Nav,
    pub required: bool,
    pub policy: String,
    pub message: String,
    pub errors: Vec<(String, String)>,
}

fn password_page(
    state: &AppState,
    user: &CurrentUser,
    message: String,
    errors: Vec<(String, String)>,
) -> PasswordPage {
    PasswordPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        required: user.user.must_change_password,
        policy: policy_text(&state.pack().password_policy),
        message,
        errors,
    }
}

pub async fn password_form(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        password_page(&state, &user, String::new(), Vec::new()).render()?,
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirmation: String,
}

/// Sets the new password; the other sessions end, this one stays. What was
/// typed is never sent back (passwords are not kept in a page).
pub async fn change_password(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    axum::Form(form): axum::Form<PasswordForm>,
) -> Result<Response, PageError> {
    let input = tsunagaru_app::users::PasswordChange {
        current_password: form.current_password,
        new_password: form.new_password,
        new_password_confirmation: Some(form.new_password_confirmation),
    };
    match state
        .app
        .change_own_password(&user.actor(), &user.session.token_hash, &input)
        .await
    {
        Ok(()) => Ok(Redirect::to("/?done=password").into_response()),
        Err(e) => {
            let failure = crate::error::FormFailure::of(e)?;
            let errors = failure.field_pairs();
            let page = password_page(&state, &user, failure.message, errors);
            Ok((failure.status, Html(page.render()?)).into_response())
        }
    }
}

/// 管理者: asks a user for a new password at their next use.
pub async fn require_password_change(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    state.app.require_password_change(&user.actor(), id).await?;
    Ok(Redirect::to("/admin/users?done=password").into_response())
}

/// 管理者: removes a user's second factor (a lost phone), audited.
pub async fn reset_totp(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    state.app.reset_second_factor(&user.actor(), id).await?;
    Ok(Redirect::to("/admin/users?done=totp").into_response())
}

/// 確認コード（二要素認証）: the user's own enrolment.
#[derive(askama::Template)]
#[template(path = "me_totp.html")]
pub struct TotpPage {
    pub nav: Nav,
    /// The pack requires it of this role and none is confirmed yet.
    pub required: bool,
    pub enabled: bool,
    pub recovery_codes_left: i64,
    pub pending: Option<tsunagaru_app::second_factor::Enrolment>,
    /// Shown once, after the confirmation.
    pub recovery_codes: Vec<String>,
    pub message: String,
    pub errors: Vec<(String, String)>,
}

async fn totp_page(
    state: &AppState,
    user: &CurrentUser,
    recovery_codes: Vec<String>,
    message: String,
    errors: Vec<(String, String)>,
) -> Result<TotpPage, PageError> {
    let actor = user.actor();
    // The user as stored now (the confirmation may have just enabled it).
    let enabled = !recovery_codes.is_empty() || user.user.totp_enabled;
    Ok(TotpPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        required: state.app.must_enrol_second_factor(&user.user) && !enabled,
        enabled,
        recovery_codes_left: state.app.recovery_codes_left(&actor).await?,
        pending: if recovery_codes.is_empty() {
            state.app.pending_totp_enrolment(&actor).await?
        } else {
            None
        },
        recovery_codes,
        message,
        errors,
    })
}

pub async fn totp_form(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    let page = totp_page(&state, &user, Vec::new(), String::new(), Vec::new()).await?;
    Ok(Html(page.render()?))
}

/// Shows a new secret (a QR code) to read into an authenticator app.
pub async fn begin_totp(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Response, PageError> {
    state.app.begin_totp_enrolment(&user.actor()).await?;
    Ok(Redirect::to("/me/totp#confirm").into_response())
}

#[derive(Deserialize)]
pub struct TotpConfirmForm {
    #[serde(default)]
    code: String,
}

/// Confirms the secret with a first code; the recovery codes are shown
/// this once (the page is not kept: `Cache-Control: no-store`).
pub async fn confirm_totp(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    axum::Form(form): axum::Form<TotpConfirmForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .confirm_totp_enrolment(&user.actor(), &form.code)
        .await
    {
        Ok(codes) => {
            let page = totp_page(&state, &user, codes, String::new(), Vec::new()).await?;
            Ok((
                [(axum::http::header::CACHE_CONTROL, "no-store")],
                Html(page.render()?),
            )
                .into_response())
        }
        Err(e) => {
            let failure = crate::error::FormFailure::of(e)?;
            let errors = failure.field_pairs();
            let page = totp_page(&state, &user, Vec::new(), failure.message, errors).await?;
            Ok((failure.status, Html(page.render()?)).into_response())
        }
    }
}
