//! CSRF protection for every state-changing browser request.
//!
//! Each browser session holds a random CSRF token; every form carries it in a
//! hidden `csrf_token` field, and this layer refuses any POST whose token does
//! not match, before a handler runs. The sign-in form has no session yet, so
//! it uses a double-submit cookie instead. The JSON API is exempt: it is
//! authenticated by a bearer token, which a browser never sends on its own.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie_value};
use crate::error::PageError;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const FIELD: &str = "csrf_token";
pub const LOGIN_COOKIE: &str = "tsunagaru_login_csrf";
/// Forms are small; anything larger is refused rather than buffered.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let state_changing = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !state_changing || path.starts_with("/api/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "送信された内容が大きすぎます",
        )
            .into_response();
    };
    let submitted = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    let expected = if parts.uri.path() == "/login" {
        cookie_value(&parts.headers, LOGIN_COOKIE).map(str::to_owned)
    } else {
        match cookie_value(&parts.headers, SESSION_COOKIE) {
            Some(token) => match state.app.session_csrf_token(token).await {
                Ok(csrf) => csrf,
                Err(e) => return PageError::from(e).into_response(),
            },
            None => None,
        }
    };
    match (submitted, expected) {
        (Some(submitted), Some(expected)) if same(&submitted, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        (_, None) if parts.uri.path() != "/login" => PageError::SignInRequired { expired: true }.into_response(),
        _ => PageError::BadRequest(
            "フォームの有効期限が切れたか、正しくない送信です。画面を読み込み直してから、もう一度操作してください。".into(),
        )
        .into_response(),
    }
}

/// Compares through digests so the time taken does not depend on where the
/// strings first differ.
fn same(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}
