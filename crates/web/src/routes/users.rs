//! ユーザー管理 (admin only): list, create, stop and resume users.

use crate::AppState;
use crate::auth::{CurrentUser, WebUser, hash_password};
use crate::error::PageError;
use crate::id::Id;
use crate::templates::{AgencyChoice, Choice, FormErrors, Nav, NewUserPage, UserView, UsersPage};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_domain::{AuditAction, PasswordPolicy, Role, Username};
use tsunagaru_store::{NewUser, StoreError};

/// What an admin typed to create a user (form or API).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct UserInput {
    pub username: String,
    pub password: String,
    /// The form asks twice; the API does not.
    #[serde(default)]
    pub password_confirmation: Option<String>,
    pub display_name: String,
    #[serde(default)]
    pub agency_ids: Vec<i64>,
    pub role: String,
}

impl UserInput {
    /// Reads a form where `agency_ids` repeats once per checked box.
    fn from_form(body: &[u8]) -> UserInput {
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
}

/// Checks the input and creates the user, writing the audit event with it.
/// Problems come back per field, in Japanese.
pub async fn create_user(
    state: &AppState,
    admin: &CurrentUser,
    input: &UserInput,
) -> Result<i64, FormErrors> {
    let mut errors = FormErrors::default();
    let username = Username::parse(&input.username).map_err(|e| e.to_string());
    if let Err(e) = &username {
        errors.username.push(e.clone());
    }
    let display_name = input.display_name.trim();
    if display_name.is_empty() {
        errors.display_name.push("氏名を入力してください".into());
    } else if display_name.chars().count() > 100 {
        errors
            .display_name
            .push("氏名は100文字以内で入力してください".into());
    }
    let role = input
        .role
        .parse::<Role>()
        .map_err(|e| errors.role.push(e))
        .ok();
    let known = state.repo.agencies().await.map_err(|e| {
        let mut errors = FormErrors::default();
        errors.agencies.push(e.to_string());
        errors
    })?;
    let mut agency_ids = input.agency_ids.clone();
    agency_ids.sort_unstable();
    agency_ids.dedup();
    if let Some(unknown) = agency_ids
        .iter()
        .find(|id| !known.iter().any(|a| a.id == **id && a.active))
    {
        errors
            .agencies
            .push(format!("所属機関 ID {unknown} は登録されていません"));
    }
    if agency_ids.is_empty() && matches!(role, Some(Role::Staff | Role::Csw)) {
        errors
            .agencies
            .push("受付職員と事務局・CSWは所属機関を1つ以上選んでください".into());
    }
    errors.password.extend(
        state
            .pack
            .password_policy
            .check(&input.password, username.as_ref().ok())
            .iter()
            .map(ToString::to_string),
    );
    if input
        .password_confirmation
        .as_ref()
        .is_some_and(|c| c != &input.password)
    {
        errors
            .password
            .push("パスワード（確認）が一致しません".into());
    }
    let (Ok(username), Some(role), true) = (username, role, errors.is_empty()) else {
        return Err(errors);
    };
    let Ok(password_hash) = hash_password(input.password.clone()).await else {
        errors
            .password
            .push("パスワードを処理できませんでした。もう一度お試しください".into());
        return Err(errors);
    };
    let new = NewUser {
        username,
        display_name: display_name.to_owned(),
        role,
        password_hash,
        agency_ids,
    };
    let audit = admin.audit(AuditAction::UserCreated).detail(format!(
        "ユーザー名 {} / 役割 {} / 所属 {:?}",
        new.username,
        role.code(),
        new.agency_ids
    ));
    match state.repo.create_user(new, audit).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict(message)) => {
            errors.username.push(message);
            Err(errors)
        }
        Err(e) => {
            errors.username.push(format!("保存できませんでした: {e}"));
            Err(errors)
        }
    }
}

pub fn policy_text(policy: &PasswordPolicy) -> String {
    let mut text = format!(
        "{}文字以上{}文字以内。英小文字・英大文字・数字・記号のうち{}種類以上。",
        policy.min_length, policy.max_length, policy.min_character_classes
    );
    if policy.forbid_username {
        text.push_str("ユーザー名を含めないでください。");
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
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&user)?;
    let agencies = state.repo.agencies().await?;
    let users = state
        .repo
        .users()
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
    let page = UsersPage {
        nav: Nav::new(&user, &state.pack.municipality.name),
        users,
        created: q.created,
    };
    Ok(Html(page.render()?))
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    input: &UserInput,
    errors: FormErrors,
) -> Result<String, PageError> {
    let agencies = state.repo.agencies().await?;
    let page = NewUserPage {
        nav: Nav::new(user, &state.pack.municipality.name),
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
        policy_text: policy_text(&state.pack.password_policy),
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
    let input = UserInput::from_form(&body);
    match create_user(&state, &user, &input).await {
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
        Err(errors) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(form_page(&state, &user, &input, errors).await?),
        )
            .into_response()),
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
    if id == user.user.id && !form.active {
        return Err(PageError::BadRequest(
            "自分自身の利用を停止することはできません。".into(),
        ));
    }
    let action = if form.active {
        "利用再開"
    } else {
        "利用停止"
    };
    let changed = state
        .repo
        .set_user_active(
            id,
            form.active,
            user.audit(AuditAction::UserUpdated).detail(action),
        )
        .await?;
    if !changed {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/admin/users").into_response())
}
