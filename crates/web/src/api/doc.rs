//! The OpenAPI document served at `/api/openapi.json`.
//!
//! What a request may carry and what the server answers are derived from
//! the types the handlers read and return: each handler names them in its
//! `#[utoipa::path]` (`request_body`, `params`, `responses`), and those types
//! describe themselves (`ToSchema`, `IntoParams`) with the limits their
//! parsing applies — a vocabulary's codes, ids, dates, lengths. Every
//! failure answers [`crate::error::ErrorBody`]. `openapi.json` beside this
//! crate holds the rest, written for readers: summaries, the statuses each
//! route answers, their descriptions, and the answers that are not JSON
//! (CSV, xlsx). It holds no request body, no query parameter and no shape of
//! a JSON answer (tests say so); the two are joined once, at start.

use serde_json::{Map, Value};
use std::sync::LazyLock;
use utoipa::OpenApi;

/// The document as served.
pub static DOCUMENT: LazyLock<String> = LazyLock::new(|| document().to_string());

/// The answers and the prose: everything but the request side.
const ANSWERS: &str = include_str!("../../openapi.json");

/// The request side of every route, from the handlers' own types.
pub fn requests() -> utoipa::openapi::OpenApi {
    let mut doc = super::Inputs::openapi();
    doc.merge(super::cases::Inputs::openapi());
    doc.merge(super::handoffs::Inputs::openapi());
    doc.merge(super::persons::Inputs::openapi());
    doc.merge(super::reach::Inputs::openapi());
    doc.merge(super::reports::Inputs::openapi());
    doc
}

/// The written document with each operation's request body and query
/// parameters taken from [`requests`], and their schemas added.
pub fn document() -> Value {
    let mut doc: Value =
        serde_json::from_str(ANSWERS).unwrap_or_else(|_| Value::Object(Map::new()));
    let generated = serde_json::to_value(requests()).unwrap_or(Value::Null);
    if let Some(paths) = generated.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                join_operation(&mut doc, path, method, op);
            }
        }
    }
    every_operation_may_be_too_large(&mut doc);
    every_id_is_a_record_id(&mut doc);
    if let Some(schemas) = generated
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        let target = doc
            .as_object_mut()
            .map(|d| {
                d.entry("components")
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .and_then(Value::as_object_mut)
            .map(|c| {
                c.entry("schemas")
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .and_then(Value::as_object_mut);
        if let Some(target) = target {
            for (name, schema) in schemas {
                target.insert(name.clone(), schema.clone());
            }
        }
    }
    doc
}

/// Every operation of the document, to change in place.
fn operations_mut(doc: &mut Value) -> impl Iterator<Item = &mut Value> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
}

/// A body declared larger than the limit is refused before any route is
/// reached (`security::body_limit`), so every operation may answer 413.
fn every_operation_may_be_too_large(doc: &mut Value) {
    for op in operations_mut(doc) {
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            responses
                .entry("413")
                .or_insert_with(|| serde_json::json!({"$ref": "#/components/responses/TooLarge"}));
        }
    }
}

/// Every `{id}` of a path is read by `crate::id::Id` as a record's id: its
/// schema is [`RecordId`](tsunagaru_domain::openapi::RecordId)'s.
fn every_id_is_a_record_id(doc: &mut Value) {
    use utoipa::PartialSchema;
    let id =
        serde_json::to_value(tsunagaru_domain::openapi::RecordId::schema()).unwrap_or(Value::Null);
    for op in operations_mut(doc) {
        for p in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if p["in"] == "path" && p["name"] == "id" {
                p["schema"] = id.clone();
            }
        }
    }
}

fn join_operation(doc: &mut Value, path: &str, method: &str, generated: &Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let item = paths
        .entry(path.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(item) = item.as_object_mut() else {
        return;
    };
    let op = item
        .entry(method.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(op) = op.as_object_mut() else { return };
    if let Some(body) = generated.get("requestBody") {
        op.insert("requestBody".into(), body.clone());
    }
    // An answer whose type the handler names: its content is derived; the
    // written description stays.
    if let Some(answers) = generated.get("responses").and_then(Value::as_object) {
        let written = op
            .entry("responses")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(written) = written.as_object_mut() {
            for (status, answer) in answers {
                let Some(content) = answer.get("content") else {
                    continue;
                };
                let entry = written.entry(status.clone()).or_insert_with(|| {
                    serde_json::json!({"description": answer.get("description").cloned().unwrap_or_default()})
                });
                if let Some(entry) = entry.as_object_mut() {
                    entry.insert("content".into(), content.clone());
                }
            }
        }
    }
    let query: Vec<Value> = generated
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if !query.is_empty() {
        let params = op
            .entry("parameters")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(params) = params.as_array_mut() {
            params.extend(query);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn written() -> Value {
        serde_json::from_str(ANSWERS).expect("openapi.json is JSON")
    }

    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                ops.push((path.clone(), method.clone(), op.clone()));
            }
        }
        ops
    }

    #[test]
    fn the_written_part_holds_no_request_side() {
        for (path, method, op) in operations(&written()) {
            assert!(
                op.get("requestBody").is_none(),
                "{method} {path}: its body belongs to the handler's type"
            );
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert_ne!(
                    p["in"], "query",
                    "{method} {path}: its query belongs to the handler's type"
                );
            }
        }
    }

    #[test]
    fn a_derived_answer_is_not_written_too() {
        let written = written();
        let generated = serde_json::to_value(requests()).unwrap();
        let mut derived = 0;
        for (path, method, op) in operations(&generated) {
            for (status, answer) in op["responses"].as_object().into_iter().flatten() {
                if answer.get("content").is_none() {
                    continue;
                }
                derived += 1;
                let answer = &written["paths"][&path][&method]["responses"][status];
                assert!(
                    answer.get("content").is_none(),
                    "{method} {path} {status}: its shape belongs to the handler's type"
                );
                assert!(
                    answer["description"].is_string(),
                    "{method} {path} {status} is described in openapi.json"
                );
            }
        }
        assert!(derived > 0, "some answers are derived");
    }

    #[test]
    fn no_json_answer_is_written_by_hand() {
        // The written part may name the error shapes (derived from
        // `ErrorBody`), and the document itself is just an object.
        let shared = [
            "#/components/schemas/Error",
            "#/components/schemas/FieldErrors",
        ];
        for (path, method, op) in operations(&written()) {
            for (status, answer) in op["responses"].as_object().into_iter().flatten() {
                let Some(schema) = answer.pointer("/content/application~1json/schema") else {
                    continue;
                };
                let by_reference = schema["$ref"].as_str().is_some_and(|r| shared.contains(&r));
                assert!(
                    by_reference || path == "/api/openapi.json",
                    "{method} {path} {status}: its shape belongs to the handler's type, not openapi.json: {schema}"
                );
            }
        }
        let written = written();
        let schemas: Vec<&String> = written["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            schemas,
            ["FieldErrors"],
            "only the 422 body is written, over Error"
        );
    }

    #[test]
    fn every_id_in_a_path_is_a_record_id() {
        let doc = document();
        let mut ids = 0;
        for (path, method, op) in operations(&doc) {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" && p["name"] == "id" {
                    ids += 1;
                    assert_eq!(p["schema"]["minimum"], 1, "{method} {path}");
                    assert_eq!(
                        p["schema"]["maximum"],
                        tsunagaru_domain::openapi::MAX_RECORD_ID,
                        "{method} {path}"
                    );
                }
            }
        }
        assert!(ids > 40, "{ids} ids");
    }

    #[test]
    fn the_error_body_is_derived() {
        let doc = document();
        let error = &doc["components"]["schemas"]["Error"];
        assert_eq!(error["required"], serde_json::json!(["error"]), "{error}");
        for flag in [
            "mfa_required",
            "reauthentication_required",
            "totp_enrolment_required",
        ] {
            assert_eq!(error["properties"][flag]["type"], "boolean", "{flag}");
        }
        assert_eq!(
            error["properties"]["errors"]["items"]["$ref"],
            "#/components/schemas/FieldError"
        );
    }

    #[test]
    fn a_derived_answer_is_served_with_its_schema() {
        let doc = document();
        let list = &doc["paths"]["/api/v1/handoffs"]["get"]["responses"]["200"];
        assert!(list["description"].is_string(), "{list}");
        let schema = &list["content"]["application/json"]["schema"];
        let reference = schema["$ref"]
            .as_str()
            .expect("a reference to the page type");
        let page = doc
            .pointer(reference.trim_start_matches('#'))
            .expect("the page type");
        assert_eq!(
            page["properties"]["handoffs"]["items"]["$ref"],
            "#/components/schemas/Handoff"
        );
        let handoff = &doc["components"]["schemas"]["Handoff"];
        let states: Vec<&str> = handoff["properties"]["status"]["enum"]
            .as_array()
            .expect("the states")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let all: Vec<&str> = tsunagaru_domain::handoff::HandoffState::ALL
            .iter()
            .map(|s| s.code())
            .collect();
        assert_eq!(states, all);
        assert!(
            handoff["required"]
                .as_array()
                .is_some_and(|r| r.contains(&Value::from("sent_on"))),
            "{handoff}"
        );
    }

    #[test]
    fn every_route_with_an_input_type_is_described_in_words_too() {
        let written = written();
        let generated = serde_json::to_value(requests()).unwrap();
        for (path, method, _) in operations(&generated) {
            let op = &written["paths"][&path][&method];
            assert!(
                op["summary"].is_string() && op["responses"].is_object(),
                "{method} {path} has a summary and its answers in openapi.json"
            );
        }
    }

    #[test]
    fn no_two_input_types_share_a_name() {
        let parts = [
            super::super::Inputs::openapi(),
            super::super::cases::Inputs::openapi(),
            super::super::handoffs::Inputs::openapi(),
            super::super::persons::Inputs::openapi(),
            super::super::reach::Inputs::openapi(),
            super::super::reports::Inputs::openapi(),
        ];
        let mut seen: BTreeMap<String, Value> = BTreeMap::new();
        for part in parts {
            let part = serde_json::to_value(part).unwrap();
            for (name, schema) in part
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(earlier) = seen.insert(name.clone(), schema.clone()) {
                    assert_eq!(&earlier, schema, "two types are both called {name}");
                }
            }
        }
        let written = written();
        for name in seen.keys() {
            assert!(
                written["components"]["schemas"].get(name).is_none(),
                "{name} is both written and derived"
            );
        }
    }

    #[test]
    fn every_reference_of_the_served_document_resolves() {
        fn walk(doc: &Value, node: &Value, at: &str) {
            match node {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        let pointer = r.trim_start_matches('#');
                        assert!(doc.pointer(pointer).is_some(), "{at}: {r} is not there");
                    }
                    for (k, v) in map {
                        walk(doc, v, &format!("{at}/{k}"));
                    }
                }
                Value::Array(items) => items.iter().for_each(|v| walk(doc, v, at)),
                _ => {}
            }
        }
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        walk(&doc, &doc, "");
    }

    #[test]
    fn every_route_that_reads_a_body_documents_it() {
        // The routes that take no body: a step needs only the path.
        let bodiless = [
            "post /api/v1/auth/logout",
            "post /api/v1/me/totp",
            "post /api/v1/users/{id}/totp/reset",
            "post /api/v1/users/{id}/require-password-change",
            "post /api/v1/users/{id}/sessions/end",
            "post /api/v1/admin/locks/{username}/lift",
            "post /api/v1/persons/{id}/unmerge",
            "post /api/v1/cases/{id}/monitoring",
            "post /api/v1/cases/{id}/resume",
            "post /api/v1/meetings/{id}/pledge",
            "post /api/v1/tasks/{id}/done",
            "post /api/v1/tasks/{id}/reopen",
        ];
        let doc = document();
        for (path, method, op) in operations(&doc) {
            let key = format!("{method} {path}");
            if (method == "post" || method == "put") && !bodiless.contains(&key.as_str()) {
                assert!(
                    op["requestBody"]["content"]["application/json"]["schema"].is_object(),
                    "{key} documents its body"
                );
            }
        }
    }

    #[test]
    fn a_vocabulary_field_lists_the_codes_its_parsing_takes() {
        use tsunagaru_domain::code::Vocabulary;
        let doc = document();
        let listed = |pointer: &str| -> Vec<String> {
            doc.pointer(pointer)
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{pointer}"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let kinds = listed("/components/schemas/EventInput/properties/kind/enum");
        let codes: Vec<String> = tsunagaru_domain::reach::EventKind::all()
            .iter()
            .map(|k| k.code().to_owned())
            .collect();
        assert_eq!(kinds, codes);
        let roles = listed("/components/schemas/UserInput/properties/role/enum");
        assert!(
            roles
                .iter()
                .all(|r| r.parse::<tsunagaru_domain::Role>().is_ok())
        );
        assert_eq!(roles.len(), tsunagaru_domain::Role::ALL.len());
    }
}
