//! Every answer of the API in the tests is checked against the OpenAPI
//! document the server serves: its status is one the operation lists, its
//! content type is one listed for that status, and a JSON body fits the
//! listed schema. The fuzz (`scripts/api-fuzz`) checks the same with
//! generated requests, which mostly meet empty records; here every request of
//! the suite, on both backends, with the records its test built.
//!
//! The schema keywords the document uses are checked: `$ref`, `allOf`,
//! `oneOf`, `anyOf`, `type` (one or a list), `properties`, `required`,
//! `items`, `enum`, `format` (`date`, `date-time`, `int64`), `maxLength`,
//! `minItems`, `maxItems` and `pattern` (the few patterns the answers use,
//! by their meaning).

use axum::http::{HeaderMap, Method, StatusCode, header};
use serde_json::Value;

/// What breaks the contract in one answer, if anything.
pub fn violation(
    doc: &Value,
    method: &Method,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
) -> Option<String> {
    let (template, item) = operation_path(doc, path)?;
    let op = item.get(method.as_str().to_ascii_lowercase())?;
    let responses = op.get("responses")?.as_object()?;
    let Some(response) = responses
        .get(status.as_str())
        .or_else(|| responses.get("default"))
    else {
        return Some(format!(
            "{method} {template}: answered {status}, which the document does not list (it lists {:?})",
            responses.keys().collect::<Vec<_>>()
        ));
    };
    let response = resolve(doc, response);
    // An answer without content (204) says nothing more.
    let content = response.get("content").and_then(Value::as_object)?;
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if body.is_empty() && given.is_empty() {
        return None;
    }
    let Some(media) = content.get(&given) else {
        return Some(format!(
            "{method} {template} {status}: content type {given:?}, the document lists {:?}",
            content.keys().collect::<Vec<_>>()
        ));
    };
    if given != "application/json" {
        return None;
    }
    let schema = media.get("schema")?;
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return Some(format!("{method} {template} {status}: not JSON ({e})")),
    };
    let mut problems = Vec::new();
    check(doc, schema, &value, "$", &mut problems);
    if problems.is_empty() {
        None
    } else {
        Some(format!(
            "{method} {template} {status}: the answer does not fit the document:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// The document's path that `path` (without its query) is an instance of;
/// a literal segment wins over a `{parameter}`.
fn operation_path<'a>(doc: &'a Value, path: &str) -> Option<(&'a str, &'a Value)> {
    let path = path.split('?').next().unwrap_or(path);
    let given: Vec<&str> = path.split('/').collect();
    doc.get("paths")?
        .as_object()?
        .iter()
        .filter_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != given.len() {
                return None;
            }
            let mut literal = 0;
            for (t, g) in parts.iter().zip(&given) {
                if t.starts_with('{') && t.ends_with('}') {
                    if g.is_empty() {
                        return None;
                    }
                } else if t == g {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, template.as_str(), item))
        })
        .max_by_key(|(literal, _, _)| *literal)
        .map(|(_, template, item)| (template, item))
}

fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    while let Some(r) = node.get("$ref").and_then(Value::as_str) {
        match doc.pointer(r.trim_start_matches('#')) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        match doc.pointer(r.trim_start_matches('#')) {
            Some(target) => check(doc, target, value, at, problems),
            None => problems.push(format!("{at}: {r} is not in the document")),
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            check(doc, s, value, at, problems);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema.get(key).and_then(Value::as_array) {
            let fits = any
                .iter()
                .filter(|s| {
                    let mut p = Vec::new();
                    check(doc, s, value, at, &mut p);
                    p.is_empty()
                })
                .count();
            if fits == 0 || (key == "oneOf" && fits > 1) {
                problems.push(format!("{at}: fits {fits} of the {key} schemas: {value}"));
            }
        }
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.iter().any(|t| is_type(value, t)) {
            problems.push(format!("{at}: {value} is not {}", types.join(" or ")));
            return;
        }
    }
    if let Some(words) = schema.get("enum").and_then(Value::as_array)
        && !words.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {words:?}"));
    }
    match value {
        Value::String(s) => check_string(schema, s, at, problems),
        Value::Array(items) => {
            let count = items.len() as u64;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                && count < min
            {
                problems.push(format!("{at}: {count} items, fewer than {min}"));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && count > max
            {
                problems.push(format!("{at}: {count} items, more than {max}"));
            }
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    check(doc, item, v, &format!("{at}[{i}]"), problems);
                }
            }
        }
        Value::Object(map) => {
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(name) {
                    problems.push(format!("{at}: {name} is required and missing"));
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, s) in properties {
                    if let Some(v) = map.get(name) {
                        check(doc, s, v, &format!("{at}.{name}"), problems);
                    }
                }
            }
        }
        _ => {}
    }
}

fn is_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

fn check_string(schema: &Value, s: &str, at: &str, problems: &mut Vec<String>) {
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && s.chars().count() as u64 > max
    {
        problems.push(format!("{at}: longer than {max}"));
    }
    let fits = match schema.get("format").and_then(Value::as_str) {
        Some("date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        _ => true,
    };
    if !fits {
        problems.push(format!("{at}: {s:?} is not a {}", schema["format"]));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && !fits_pattern(pattern, s)
    {
        problems.push(format!("{at}: {s:?} does not match {pattern}"));
    }
}

/// The patterns the answers use, by what they mean (the tests carry no
/// regular-expression engine). An unknown pattern fails, so that a new one
/// is added here.
fn fits_pattern(pattern: &str, s: &str) -> bool {
    match pattern {
        // A recovery code: four groups of four of a–z and 2–9.
        r"^[a-z2-9]{4}(-[a-z2-9]{4}){3}$" => {
            let groups: Vec<&str> = s.split('-').collect();
            groups.len() == 4
                && groups.iter().all(|g| {
                    g.len() == 4
                        && g.chars()
                            .all(|c| c.is_ascii_lowercase() || ('2'..='9').contains(&c))
                })
        }
        // A month: YYYY-MM.
        r"^\d{4}-\d{2}$" => {
            s.len() == 7
                && s.char_indices()
                    .all(|(i, c)| if i == 4 { c == '-' } else { c.is_ascii_digit() })
        }
        // A UUID in lower-case hex (the HSDS export's ids).
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" => {
            let groups: Vec<&str> = s.split('-').collect();
            groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
                && groups.iter().all(|g| {
                    g.chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
                })
        }
        _ => false,
    }
}
