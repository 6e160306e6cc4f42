//! A request that may write runs to its end, whether or not its client
//! still waits for the answer.
//!
//! hyper drops a request's future when the client goes away (a closed
//! tab, a dropped connection, a proxy's timeout). A request that writes in
//! several steps (an idempotency key claimed, then the write it guards, then
//! the answer kept) would stop between two of them: the client that sends
//! again with the same key would find its key claimed and nothing answered. So every request but `GET`, `HEAD` and `OPTIONS`
//! runs on a task of its own, which the dropped future leaves running.

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn writes_to_the_end(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let api = request.uri().path().starts_with("/api/");
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        // The handler panicked: a 500 in the adapter's own form, not a cut
        // connection.
        Err(e) => {
            let detail = format!("要求の処理が異常終了しました: {e}");
            if api {
                crate::error::ApiError::from(tsunagaru_app::AppError::Internal(detail))
                    .into_response()
            } else {
                crate::error::PageError::Internal(detail).into_response()
            }
        }
    }
}
