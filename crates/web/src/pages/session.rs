//! ログイン / ログアウト.

use crate::AppState;
use crate::auth::{self, SESSION_COOKIE, WebUser, clear_cookie};
use crate::csrf::LOGIN_COOKIE;
use crate::error::PageError;
use crate::pages::templates::LoginPage;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_store::SessionKind;

#[derive(Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    logged_out: Option<String>,
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    username: String,
    challenge: Option<String>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let token = auth::new_token();
    let status = if error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    let page = LoginPage {
        csrf_token: token.clone(),
        challenge,
        username,
        error,
        notice,
        municipality: state.pack().municipality.name.clone(),
    };
    let secure = if auth::is_secure(state, headers) {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{secure}");

    Ok((status, [(header::SET_COOKIE, cookie)], Html(page.render()?)).into_response())
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let notice = if q.expired.is_some() {
        Some("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。")
    } else if q.logged_out.is_some() {
        Some("ログアウトしました。")
    } else {
        None
    };
    login_page(&state, &headers, String::new(), None, None, notice)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The second step: the sign-in awaiting its code, and the code.
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    code: String,
}

/// Signs in: the username and password, then (for a user with a second
/// factor) the code on a second form, which carries the sign-in by a
/// challenge and never the password.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let outcome = if form.challenge.is_empty() {
        state
            .app
            .sign_in(&form.username, &form.password, None, SessionKind::Web)
            .await
    } else {
        state
            .app
            .complete_sign_in(&form.challenge, &form.code, SessionKind::Web)
            .await
    };
    match outcome {
        Ok(signed_in) => {
            let secure = auth::is_secure(&state, &headers);
            Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        auth::session_cookie(&signed_in.token, secure),
                    ),
                    (
                        header::SET_COOKIE,
                        clear_cookie(LOGIN_COOKIE, secure).replace("Path=/", "Path=/login"),
                    ),
                ]),
                Redirect::to("/"),
            )
                .into_response())
        }
        Err(auth::SignInError::Internal(detail)) => Err(PageError::Internal(detail)),
        Err(auth::SignInError::SecondFactorRequired { challenge }) => {
            login_page(&state, &headers, form.username, Some(challenge), None, None)
        }
        // A wrong code: the same step again, while the sign-in waits.
        Err(e @ auth::SignInError::BadSecondFactor) => login_page(
            &state,
            &headers,
            form.username,
            Some(form.challenge),
            Some(e.message()),
            None,
        ),
        // The username stays in the form; the password never comes back.
        Err(e) => login_page(
            &state,
            &headers,
            form.username,
            None,
            Some(e.message()),
            None,
        ),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    WebUser(user): WebUser,
) -> Result<Response, PageError> {
    state.app.sign_out(&user.actor(), &user.session).await?;
    Ok((
        [(
            header::SET_COOKIE,
            clear_cookie(SESSION_COOKIE, auth::is_secure(&state, &headers)),
        )],
        Redirect::to("/login?logged_out=1"),
    )
        .into_response())
}
