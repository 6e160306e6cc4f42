//! Re-authentication in the browser, keeping what was typed.
//!
//! The application refuses a privileged action when the user last proved
//! who they are more than ten minutes ago ([`tsunagaru_app::AppError::Reauthenticate`]).
//! A page answers that with [`NeedsReauthentication`]; this layer, which saw
//! the request, turns it into the password form, carrying the action's
//! address and its form fields. After the password `POST /me/reauthenticate`
//! offers the same form again, filled (passwords left out, as every page
//! leaves them out), with one button to go on (a download goes straight
//! on). Nothing is kept on the server.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, WebUser, cookie_value};
use crate::error::{FormFailure, PageError};
use askama::Template;
use axum::Form;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_domain::login::REAUTHENTICATION_MINUTES;

/// Marks a page's answer that needs the password again first.
#[derive(Debug, Clone, Copy)]
pub struct NeedsReauthentication;

/// Whether a field is carried over: never a password (no page sends one
/// back; the form asks for it again), nor the CSRF token (the session's own
/// is put in).
fn carried(name: &str) -> bool {
    name != crate::csrf::FIELD && !name.contains("password")
}

#[derive(Template)]
#[template(path = "reauthenticate.html")]
struct ReauthPage<'a> {
    municipality: &'a str,
    csrf_token: String,
    continue_to: String,
    continue_method: &'static str,
    continue_body: String,
    error: Option<String>,
    minutes: i64,
}

#[derive(Template)]
#[template(path = "reauth_continue.html")]
struct ContinuePage<'a> {
    municipality: &'a str,
    csrf_token: String,
    action: String,
    fields: Vec<(String, String)>,
    minutes: i64,
}

fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// A path of this site only (no scheme, no `//host`), else `/`.
fn local_path(target: &str) -> &str {
    let local = target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(char::is_control);
    if local { target } else { "/" }
}

/// Offers the password form in place of a page answer that needs it.
pub async fn offer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/login" {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let session = cookie_value(request.headers(), SESSION_COOKIE).map(str::to_owned);
    let (request, fields) = if method == Method::POST && is_form(&request) {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, crate::security::MAX_BODY).await else {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "送信された内容が大きすぎます",
            )
                .into_response();
        };
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        (Request::from_parts(parts, Body::from(bytes)), fields)
    } else {
        (request, Vec::new())
    };
    let response = next.run(request).await;
    if response
        .extensions()
        .get::<NeedsReauthentication>()
        .is_none()
    {
        return response;
    }
    let csrf_token = match session {
        Some(token) => match state.app.session_csrf_token(&token).await {
            Ok(Some(csrf)) => csrf,
            Ok(None) => return PageError::SignInRequired { expired: true }.into_response(),
            Err(e) => return PageError::from(e).into_response(),
        },
        None => return PageError::SignInRequired { expired: false }.into_response(),
    };
    let kept: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| carried(k)).collect();
    let page = ReauthPage {
        municipality: &state.pack().municipality.name,
        csrf_token,
        continue_to: target,
        continue_method: if method == Method::POST {
            "post"
        } else {
            "get"
        },
        continue_body: serde_urlencoded::to_string(&kept).unwrap_or_default(),
        error: None,
        minutes: REAUTHENTICATION_MINUTES,
    };
    match page.render() {
        Ok(html) => (StatusCode::UNAUTHORIZED, Html(html)).into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ReauthForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    continue_to: String,
    #[serde(default)]
    continue_method: String,
    #[serde(default)]
    continue_body: String,
}

/// `POST /me/reauthenticate`: checks the password (or a code), then goes on
/// with the action it was asked for.
pub async fn reauthenticate(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Form(form): Form<ReauthForm>,
) -> Result<Response, PageError> {
    let continue_to = local_path(&form.continue_to).to_owned();
    let post = form.continue_method == "post";
    match state
        .app
        .reauthenticate(
            &user.actor(),
            &user.session,
            Some(form.password.as_str()),
            Some(form.code.as_str()),
        )
        .await
    {
        Ok(()) if post => {
            let page = ContinuePage {
                municipality: &state.pack().municipality.name,
                csrf_token: user.session.csrf_token.clone(),
                action: continue_to,
                fields: serde_urlencoded::from_str(&form.continue_body).unwrap_or_default(),
                minutes: REAUTHENTICATION_MINUTES,
            };
            Ok(Html(page.render()?).into_response())
        }
        Ok(()) => Ok(Redirect::to(&continue_to).into_response()),
        Err(e) => {
            let failure = FormFailure::of(e)?;
            let page = ReauthPage {
                municipality: &state.pack().municipality.name,
                csrf_token: user.session.csrf_token.clone(),
                continue_to,
                continue_method: if post { "post" } else { "get" },
                continue_body: form.continue_body,
                error: Some(failure.message),
                minutes: REAUTHENTICATION_MINUTES,
            };
            Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_this_sites_paths_are_followed() {
        assert_eq!(local_path("/persons/3/protection"), "/persons/3/protection");
        assert_eq!(
            local_path("/reports/annual.csv?fiscal_year=2026"),
            "/reports/annual.csv?fiscal_year=2026"
        );
        for outside in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(outside), "/", "{outside}");
        }
    }
}
