//! A request that may write runs to its end, whether or not its client
//! still waits for the answer.
//!
//! hyper drops a request's future when the client goes away (a closed
//! tab, a dropped connection, a proxy's timeout). A request that writes in
//! several steps (an idempotency key claimed, then the write it guards, then
//! the answer kept) would stop between two of them: the client that sends
//! again with the same key would find its key claimed and nothing answered.
//! So every request but `GET`, `HEAD` and `OPTIONS` runs on a task of its
//! own, which the dropped future leaves running.

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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{StatusCode, header};
    use axum::routing::post;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn broken() -> &'static str {
        panic!("a handler's bug")
    }

    /// A write whose handler panics is answered 500 in the form its caller
    /// reads (JSON for the API, a page for the browser), not a cut
    /// connection; the details stay out of the answer.
    #[tokio::test]
    async fn a_handler_that_panics_is_answered_500_in_the_adapters_form() {
        let app = Router::new()
            .route("/api/v1/broken", post(broken))
            .route("/broken", post(broken))
            .layer(axum::middleware::from_fn(writes_to_the_end));
        for (path, json) in [("/api/v1/broken", true), ("/broken", false)] {
            let answer = app
                .clone()
                .oneshot(Request::post(path).body(Body::empty()).expect("a request"))
                .await
                .expect("an answer");
            assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            let kind = answer.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_owned();
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            let body = String::from_utf8(body.to_vec()).unwrap();
            assert!(!body.contains("a handler's bug"), "{path}: {body}");
            if json {
                assert!(kind.contains("json"), "{path}: {kind}");
                let value: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(value["error"], "処理中にエラーが発生しました", "{body}");
            } else {
                assert!(kind.starts_with("text/html"), "{path}: {kind}");
                assert!(body.contains("システムエラー"), "{body}");
            }
        }
    }
}
