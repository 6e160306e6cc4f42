//! Embedded assets, the health check and the 404 page.

use crate::error::PageError;
use axum::http::header;
use axum::response::IntoResponse;

/// The デジタル庁デザインシステム tokens (vendored), then the app's rules, which
/// use only those tokens.
const APP_CSS: &str = concat!(
    include_str!("../../assets/tokens.css"),
    include_str!("../../assets/app.css")
);

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
}

const PRINT_CSS: &str = include_str!("../../assets/print.css");

pub async fn print_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PRINT_CSS,
    )
}

const ADDRESS_JS: &str = include_str!("../../assets/address.js");

pub async fn address_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        ADDRESS_JS,
    )
}

const FORMS_JS: &str = include_str!("../../assets/forms.js");

pub async fn forms_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        FORMS_JS,
    )
}

const PICKER_JS: &str = include_str!("../../assets/picker.js");

pub async fn picker_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PICKER_JS,
    )
}

pub async fn health() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok")
}

pub async fn not_found() -> PageError {
    PageError::NotFound
}
