//! POST-redirect-GET for forms that come back with an error.
//!
//! A form that fails (422: what was typed does not parse, 409: the record
//! moved meanwhile, 400) is answered with its page, the typed content kept.
//! Served straight to the POST, a reload would send the form again. Instead
//! the page is kept in memory for a short while, bound to the session that
//! posted it, and the browser is sent to `GET /forms/failed/{id}`, which shows
//! it (reloads too) with its status. Nothing is written to disk; another
//! session, an unknown or an expired id get 404.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie_value};
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a failed form's page stays available.
const KEPT_FOR: Duration = Duration::from_secs(30 * 60);
/// At most this many pages are kept; the oldest go first.
const KEPT_AT_MOST: usize = 500;
/// A page larger than this is served straight (it is not kept).
const LARGEST: usize = 4 * 1024 * 1024;

struct Kept {
    session: String,
    status: StatusCode,
    html: axum::body::Bytes,
    at: Instant,
}

#[derive(Default)]
pub struct FailedForms(Mutex<HashMap<String, Kept>>);

impl FailedForms {
    fn keep(&self, kept: Kept) -> String {
        let id = tsunagaru_app::sessions::new_token();
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, k| k.at.elapsed() < KEPT_FOR);
        while map.len() >= KEPT_AT_MOST {
            let Some(oldest) = map
                .iter()
                .min_by_key(|(_, k)| k.at)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(id.clone(), kept);
        id
    }

    fn take_view(&self, id: &str, session: &str) -> Option<(StatusCode, axum::body::Bytes)> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id)
            .filter(|k| k.session == session && k.at.elapsed() < KEPT_FOR)
            .map(|k| (k.status, k.html.clone()))
    }
}

fn kept_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
    )
}

/// Keeps the page of a page form that failed and redirects to it.
pub async fn keep(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if request.method() != Method::POST || path.starts_with("/api/") || path == "/login" {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Some(session) =
        cookie_value(&parts.headers, SESSION_COOKIE).map(tsunagaru_app::sessions::token_hash)
    else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !kept_status(response.status()) || !html {
        return response;
    }
    let status = response.status();
    let Ok(bytes) = to_bytes(response.into_body(), LARGEST).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "処理中にエラーが発生しました",
        )
            .into_response();
    };
    let id = state.failed_forms.keep(Kept {
        session,
        status,
        html: bytes,
        at: Instant::now(),
    });
    let mut redirect = Response::new(Body::empty());
    *redirect.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(location) = HeaderValue::from_str(&format!("/forms/failed/{id}")) {
        redirect.headers_mut().insert(header::LOCATION, location);
    }
    redirect
}

/// The kept page of a failed form, for the session that posted it.
pub async fn show(
    State(state): State<AppState>,
    crate::auth::WebUser(user): crate::auth::WebUser,
    Path(id): Path<String>,
) -> Result<Response, crate::error::PageError> {
    let session = user.session.token_hash.clone();
    match state.failed_forms.take_view(&id, &session) {
        Some((status, html)) => Ok((
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response()),
        None => Err(crate::error::PageError::NotFound),
    }
}
