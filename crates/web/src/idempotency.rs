//! Idempotency keys for creating requests: the `Idempotency-Key` header
//! (API) or an `idempotency_key` form field (the consultation, handoff and
//! decision forms carry one per rendering). The first answer of a key is
//! kept and given again to the same request with the same key from the same
//! session; a failed request frees its key; a key used for another request
//! is refused (422). Requests without a key pass untouched.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie_value};
use crate::error::ApiError;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tsunagaru_store::{IdempotencyClaim, KeptResponse, SessionKind};

/// The header an API client sends.
pub const HEADER: &str = "idempotency-key";
/// The form field a page form carries.
pub const FIELD: &str = "idempotency_key";
/// The longest key taken.
const LONGEST_KEY: usize = 200;
/// An answer larger than this is not kept (the key is freed).
const LARGEST_ANSWER: usize = 1024 * 1024;

fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The caller's session token and its kind; its hash is the scope of the
/// session's keys (the token itself is never kept).
fn session_of(parts: &axum::http::request::Parts) -> Option<(String, SessionKind)> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match bearer {
        Some(token) => Some((token.to_owned(), SessionKind::Api)),
        None => {
            cookie_value(&parts.headers, SESSION_COOKIE).map(|t| (t.to_owned(), SessionKind::Web))
        }
    }
}

fn form_key(body: &[u8]) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

fn replay(kept: KeptResponse) -> Response {
    let mut response = Response::new(Body::from(kept.body));
    *response.status_mut() = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    if let Some(location) = kept.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(kind) = kept
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::CONTENT_TYPE, kind);
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// 422 naming the key as the field, like every other problem of input.
fn key_problem(message: String) -> Response {
    ApiError::fields(vec![tsunagaru_domain::intake::FieldError {
        field: HEADER.to_owned(),
        message,
    }])
    .into_response()
}

pub async fn replay_or_run(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Some((token, kind)) = session_of(&parts) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let scope = digest(token.as_bytes());
    let header_key = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned());
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if header_key.is_none() && !is_form {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let Ok(bytes) = to_bytes(body, crate::security::MAX_BODY).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "送信された内容が大きすぎます",
        )
        .into_response();
    };
    let key = header_key.or_else(|| form_key(&bytes).filter(|_| is_form));
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    if key.len() > LONGEST_KEY {
        return key_problem(format!(
            "Idempotency-Key は{LONGEST_KEY}文字までにしてください"
        ));
    }
    // The same request: the method, the path and the body (without the
    // form's CSRF token, which may be renewed between two sends).
    let stable_body: Vec<u8> = if is_form {
        let pairs: Vec<(String, String)> = form_urlencoded_pairs(&bytes)
            .into_iter()
            .filter(|(k, _)| k != "csrf_token")
            .collect();
        serde_urlencoded::to_string(pairs)
            .unwrap_or_default()
            .into_bytes()
    } else {
        bytes.to_vec()
    };
    let fingerprint = format!(
        "{} {} {}",
        parts.method,
        parts.uri.path(),
        digest(&stable_body)
    );
    match state
        .app
        .claim_idempotency_key(&scope, &key, &fingerprint)
        .await
    {
        Ok(IdempotencyClaim::New) => {}
        Ok(IdempotencyClaim::Done(kept)) => {
            // Only to the live session that made it, and audited: a session
            // ended since (its kept answers went with it) is refused by the
            // handler as any request is.
            let Ok((session, user)) = state.app.resume_session(&token, kind).await else {
                return next
                    .run(Request::from_parts(parts, Body::from(bytes)))
                    .await;
            };
            let actor = tsunagaru_app::Actor::user(&user, &session);
            let what = format!("{} {}", parts.method, parts.uri.path());
            if let Err(e) = state.app.audit_replay(&actor, &what).await {
                return ApiError::from(e).into_response();
            }
            return replay(kept);
        }
        Ok(IdempotencyClaim::Pending) => {
            return ApiError::new(
                StatusCode::CONFLICT,
                "同じ送信を処理しています。少し待ってから画面を開き直してください",
            )
            .into_response();
        }
        Ok(IdempotencyClaim::OtherRequest) => {
            return key_problem(
                "この Idempotency-Key は別の内容の送信で使われています。新しいキーで送ってください"
                    .into(),
            );
        }
        Err(e) => return ApiError::from(e).into_response(),
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    if !(status.is_success() || status.is_redirection()) {
        let _ = state.app.release_idempotency_key(&scope, &key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, LARGEST_ANSWER).await else {
        let _ = state.app.release_idempotency_key(&scope, &key).await;
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "応答を保存できません")
            .into_response();
    };
    let kept = KeptResponse {
        status: status.as_u16(),
        location: parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.to_vec(),
    };
    if state
        .app
        .keep_idempotent_response(&scope, &key, &kept)
        .await
        .is_err()
    {
        let _ = state.app.release_idempotency_key(&scope, &key).await;
    }
    Response::from_parts(parts, Body::from(body))
}
