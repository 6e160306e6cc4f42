//! Whole numbers written with a fraction (`12.0`) read as integers.
//!
//! JSON Schema counts `12.0` as an integer, and so do clients that keep every
//! number as a float (Python's `float`, spreadsheets); serde does not. This
//! layer rewrites such numbers in a JSON body before any handler reads it,
//! once for every route, so that an id or a count given as `12.0` means 12.
//! A body that is not JSON, or not readable, goes on untouched and the
//! handler answers for it.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Number, Value};

/// The layer: a JSON body with a whole number written as a float is passed
/// on with that number as an integer.
pub async fn whole_numbers(request: Request, next: Next) -> Response {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, crate::security::MAX_BODY).await else {
        return super::ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, crate::security::TOO_LARGE)
            .into_response();
    };
    let rewritten = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|mut value| as_integers(&mut value).then(|| value.to_string()));
    let body = match rewritten {
        Some(text) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(text)
        }
        None => Body::from(bytes),
    };
    next.run(Request::from_parts(parts, body)).await
}

/// Rewrites every whole number written as a float within `i64`; true when
/// one was.
fn as_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(n) => match whole(n) {
            Some(i) => {
                *n = Number::from(i);
                true
            }
            None => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |any, v| as_integers(v) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, v| as_integers(v) | any),
        _ => false,
    }
}

fn whole(n: &Number) -> Option<i64> {
    if n.is_i64() || n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    // Exactly representable and whole: |f| < 2^53 keeps every such float exact.
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_floats_become_integers_and_nothing_else_changes() {
        let mut v = json!({"id": 12.0, "ids": [1.0, 2, -3.0], "ratio": 0.5,
                           "name": "12.0", "big": 1e300, "nested": {"n": 7.0}});
        assert!(as_integers(&mut v));
        assert_eq!(
            v,
            json!({"id": 12, "ids": [1, 2, -3], "ratio": 0.5,
                   "name": "12.0", "big": 1e300, "nested": {"n": 7}})
        );
        let mut plain = json!({"id": 12, "name": "x"});
        assert!(!as_integers(&mut plain), "nothing to rewrite");
    }
}
