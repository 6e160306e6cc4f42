//! Security headers on every response.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style, nothing from other origins, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// The largest request body taken (a sheet with its household is a few KB).
pub const MAX_BODY: usize = 1024 * 1024;

pub const TOO_LARGE: &str =
    "送られた内容が大きすぎます（上限 1MB）。長い文章は分けて記録してください";

/// Refuses a body declared larger than [`MAX_BODY`] before it is read, in
/// Japanese: JSON for the API, a page for the browser. Bodies sent without a
/// length are cut at the same size by `DefaultBodyLimit`.
pub async fn body_limit(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return too_large(request.uri().path().starts_with("/api/"));
    }
    next.run(request).await
}

pub fn too_large(api: bool) -> Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
    if api {
        (
            status,
            axum::Json(crate::error::ErrorBody::message(TOO_LARGE)),
        )
            .into_response()
    } else {
        (
            status,
            axum::response::Html(format!(
                "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>送信できません | つながる</title></head>\
                 <body><h1>送信できません</h1><p>{TOO_LARGE}</p><p>ブラウザの「戻る」で入力画面に戻れます。</p></body></html>"
            )),
        )
            .into_response()
    }
}

pub async fn headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset {
        // Pages may hold personal data: never store them in a shared cache or on disk.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
