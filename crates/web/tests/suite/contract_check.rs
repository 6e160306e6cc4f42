//! The check every API answer of the suite goes through
//! (`common::contract`) finds what breaks the document.

use crate::common::contract::violation;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::json;

fn doc() -> serde_json::Value {
    json!({
        "paths": {
            "/api/v1/things/{id}": {"get": {"responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "404": {"$ref": "#/components/responses/Error"}
            }}},
            "/api/v1/things/count": {"get": {"responses": {
                "200": {"content": {"application/json": {"schema": {"type": "integer"}}}}
            }}}
        },
        "components": {
            "responses": {"Error": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}
            }}}}},
            "schemas": {"Thing": {
                "type": "object",
                "required": ["id", "on"],
                "properties": {
                    "id": {"type": "integer"},
                    "on": {"type": "string", "format": "date"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "note": {"type": ["string", "null"]},
                    "codes": {"type": "array", "items": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}}
                }
            }}
        }
    })
}

fn json_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h
}

fn answer(path: &str, status: StatusCode, body: &str) -> Option<String> {
    violation(&doc(), &Method::GET, path, status, &json_headers(), body)
}

#[test]
fn a_fitting_answer_passes() {
    let body =
        r#"{"id":1,"on":"2026-12-03","status":"open","note":null,"codes":["2026-04"],"more":true}"#;
    assert_eq!(answer("/api/v1/things/1?x=1", StatusCode::OK, body), None);
    assert_eq!(
        answer(
            "/api/v1/things/1",
            StatusCode::NOT_FOUND,
            r#"{"error":"ありません"}"#
        ),
        None
    );
    // A literal segment wins over a parameter.
    assert_eq!(answer("/api/v1/things/count", StatusCode::OK, "3"), None);
    // A route the document does not have is not judged here.
    assert_eq!(answer("/api/v1/other", StatusCode::OK, "{}"), None);
}

#[test]
fn each_kind_of_break_is_named() {
    let cases = [
        (StatusCode::CONFLICT, r#"{"error":"x"}"#, "does not list"),
        (StatusCode::OK, r#"{"id":"1","on":"2026-12-03"}"#, "$.id"),
        (StatusCode::OK, r#"{"id":1}"#, "on is required"),
        (StatusCode::OK, r#"{"id":1,"on":"2026-13-03"}"#, "is not a"),
        (
            StatusCode::OK,
            r#"{"id":1,"on":"2026-12-03","status":"lost"}"#,
            "not one of",
        ),
        (
            StatusCode::OK,
            r#"{"id":1,"on":"2026-12-03","note":3}"#,
            "string or null",
        ),
        (
            StatusCode::OK,
            r#"{"id":1,"on":"2026-12-03","codes":["2026-4"]}"#,
            "does not match",
        ),
        (
            StatusCode::NOT_FOUND,
            r#"{"message":"x"}"#,
            "error is required",
        ),
    ];
    for (status, body, named) in cases {
        let found = answer("/api/v1/things/7", status, body)
            .unwrap_or_else(|| panic!("{status} {body} passed"));
        assert!(found.contains(named), "{body}: {found}");
    }
    let mut csv = HeaderMap::new();
    csv.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
    let found = violation(
        &doc(),
        &Method::GET,
        "/api/v1/things/7",
        StatusCode::OK,
        &csv,
        "a,b",
    )
    .expect("a content type the document does not list");
    assert!(found.contains("content type"), "{found}");
}
