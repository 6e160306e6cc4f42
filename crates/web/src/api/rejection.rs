//! One error shape for every failure of every `/api` route, those of the
//! framework's extractors included: a query string, a path or a body that
//! does not parse, a missing `Content-Type`, a method the route does not
//! take. They answer the same JSON as the application's own failures — a
//! Japanese `error` and, for input, `errors: [{field, message}]` — from
//! one layer over the API router ([`json_errors`]), so no route can forget.

use crate::error::ApiError;
use axum::body::to_bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tsunagaru_domain::intake::FieldError;

/// An extractor's English text is at most this long.
const LONGEST_TEXT: usize = 64 * 1024;

/// Turns any failure of an `/api` route that is not already our JSON into it.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = match to_bytes(response.into_body(), LONGEST_TEXT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let mut answer = from_text(status, &text).into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

/// The Japanese error for an extractor's (or the framework's) text.
pub fn from_text(status: StatusCode, text: &str) -> ApiError {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
        return input_error("クエリ文字列を読み取れません", rest);
    }
    if let Some(rest) = text.strip_prefix("Failed to deserialize form body: ") {
        return input_error("フォームの内容を読み取れません", rest);
    }
    if let Some(rest) =
        text.strip_prefix("Failed to deserialize the JSON body into the target type: ")
    {
        return input_error("JSON の内容を読み取れません", rest);
    }
    if let Some(rest) = text.strip_prefix("Failed to parse the request body as JSON: ") {
        return ApiError::unreadable(
            "JSON の書き方が正しくありません",
            FieldError {
                field: "body".into(),
                message: format!("JSON として読めません（{}）", where_in(rest)),
            },
        );
    }
    if text.contains("Content-Type: application/json")
        || status == StatusCode::UNSUPPORTED_MEDIA_TYPE
    {
        return ApiError::unreadable(
            "本文は JSON で、Content-Type: application/json を付けて送ってください",
            FieldError {
                field: "content-type".into(),
                message: "Content-Type: application/json を付けてください".into(),
            },
        );
    }
    if text.starts_with("Invalid URL") || text.starts_with("Wrong number of path arguments") {
        return ApiError::unreadable(
            "URL の ID を読み取れません",
            FieldError {
                field: "path".into(),
                message: "ID は数字で指定してください".into(),
            },
        );
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "この API はこのメソッドに対応していません（Allow を参照してください）"
        }
        StatusCode::NOT_FOUND => "見つかりません",
        StatusCode::PAYLOAD_TOO_LARGE => crate::security::TOO_LARGE,
        StatusCode::UNAUTHORIZED => "ログインが必要です（Authorization: Bearer <token>）",
        StatusCode::FORBIDDEN => "この操作を行う権限がありません",
        s if s.is_server_error() => "処理中にエラーが発生しました",
        _ => "リクエストを読み取れません",
    };
    ApiError::new(status, message)
}

/// 400 for a JSON value that is not of the shape asked for (read after the
/// body, as some handlers do).
pub fn json_shape(e: &serde_json::Error) -> ApiError {
    input_error("JSON の内容を読み取れません", &e.to_string())
}

/// 400 with the field named, in Japanese, from serde's `field: problem`.
fn input_error(summary: &str, detail: &str) -> ApiError {
    let (field, problem) = split_field(detail);
    ApiError::unreadable(
        summary,
        FieldError {
            field: field.unwrap_or_else(|| "body".into()),
            message: problem_in_japanese(problem),
        },
    )
}

/// serde's error names the field as a path (`person.name: …`) or in
/// backticks (`missing field \`x\``).
fn split_field(detail: &str) -> (Option<String>, &str) {
    let detail = detail.trim();
    for marker in ["missing field `", "duplicate field `", "unknown field `"] {
        if let Some(i) = detail.find(marker) {
            let rest = &detail[i + marker.len()..];
            if let Some(end) = rest.find('`') {
                return (Some(rest[..end].to_owned()), &detail[i..]);
            }
        }
    }
    match detail.split_once(": ") {
        Some((path, problem))
            if !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']')) =>
        {
            (Some(path.to_owned()), problem)
        }
        _ => (None, detail),
    }
}

fn problem_in_japanese(problem: &str) -> String {
    let problem = problem.trim();
    let named = |marker: &str| {
        problem
            .find(marker)
            .map(|i| &problem[i + marker.len()..])
            .and_then(|rest| rest.find('`').map(|end| rest[..end].to_owned()))
    };
    if let Some(f) = named("missing field `") {
        return format!("「{f}」を指定してください");
    }
    if let Some(f) = named("duplicate field `") {
        return format!("「{f}」は1回だけ指定してください");
    }
    if let Some(f) = named("unknown field `") {
        return format!("「{f}」という項目はありません");
    }
    if problem.starts_with("invalid digit") || problem.contains("cannot parse integer") {
        return "整数で指定してください".into();
    }
    if problem.starts_with("number too large") || problem.starts_with("number too small") {
        return "数が大きすぎるか小さすぎます".into();
    }
    if problem.contains("provided string was not `true` or `false`") {
        return "true か false で指定してください".into();
    }
    if let Some(rest) = problem.strip_prefix("invalid type: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return format!(
            "形式が違います（{}で指定してください）",
            expected_in_japanese(expected)
        );
    }
    if let Some(rest) = problem.strip_prefix("invalid value: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
        return format!(
            "値が正しくありません（{}で指定してください）",
            expected_in_japanese(expected)
        );
    }
    if problem.starts_with("unknown variant") {
        let allowed = problem.split_once("expected ").map_or("", |(_, e)| e);
        return format!(
            "選べない値です（{}のいずれか）",
            allowed.replace('`', "").replace(" or ", ", ")
        );
    }
    format!("読み取れません（{}）", where_in(problem))
}

fn expected_in_japanese(expected: &str) -> String {
    let expected = expected.split(" at line").next().unwrap_or(expected).trim();
    match expected {
        "a string" => "文字列".into(),
        "i64" | "i32" | "u32" | "u64" | "an integer" | "usize" | "u16" => "整数".into(),
        "a boolean" => "true か false".into(),
        "a sequence" => "配列".into(),
        "f64" | "a number" => "数".into(),
        e if e.starts_with("struct ") || e == "a map" => "オブジェクト".into(),
        "" => "正しい形式".into(),
        other => other.replace('`', ""),
    }
}

/// serde's position (`at line 1 column 13`) in Japanese, or the text.
fn where_in(detail: &str) -> String {
    match detail.rsplit_once(" at line ") {
        Some((_, place)) => match place.split_once(" column ") {
            Some((line, column)) => format!("{line}行目 {column}文字目"),
            None => detail.to_owned(),
        },
        None => detail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(e: ApiError) -> serde_json::Value {
        let response = e.into_response();
        let body = futures_body(response);
        serde_json::from_slice(&body).unwrap()
    }

    fn futures_body(response: Response) -> Vec<u8> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                to_bytes(response.into_body(), 1 << 20)
                    .await
                    .unwrap()
                    .to_vec()
            })
    }

    #[test]
    fn query_strings_that_do_not_parse_name_their_field_in_japanese() {
        let e = json(from_text(
            StatusCode::BAD_REQUEST,
            "Failed to deserialize query string: limit: invalid digit found in string",
        ));
        assert_eq!(e["errors"][0]["field"], "limit");
        assert_eq!(e["errors"][0]["message"], "整数で指定してください");
        let e = json(from_text(
            StatusCode::BAD_REQUEST,
            "Failed to deserialize query string: duplicate field `status`",
        ));
        assert_eq!(e["errors"][0]["field"], "status");
        assert_eq!(
            e["errors"][0]["message"],
            "「status」は1回だけ指定してください"
        );
        let e = json(from_text(
            StatusCode::BAD_REQUEST,
            "Failed to deserialize query string: missing field `consultation_id`",
        ));
        assert_eq!(e["errors"][0]["field"], "consultation_id");
    }

    #[test]
    fn json_bodies_of_the_wrong_shape_name_the_path() {
        let e = json(from_text(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize the JSON body into the target type: person.name: invalid type: integer `1`, expected a string at line 1 column 20",
        ));
        assert_eq!(e["errors"][0]["field"], "person.name");
        assert_eq!(
            e["errors"][0]["message"],
            "形式が違います（文字列で指定してください）"
        );
        assert!(e["error"].as_str().unwrap().starts_with("JSON の内容"));
        let e = json(from_text(
            StatusCode::BAD_REQUEST,
            "Failed to parse the request body as JSON: EOF while parsing an object at line 1 column 1",
        ));
        assert_eq!(
            e["errors"][0]["message"],
            "JSON として読めません（1行目 1文字目）"
        );
    }

    #[test]
    fn other_failures_are_json_with_a_japanese_message() {
        for (status, text) in [
            (StatusCode::METHOD_NOT_ALLOWED, ""),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`",
            ),
            (
                StatusCode::BAD_REQUEST,
                "Invalid URL: Cannot parse `abc` to a `i64`",
            ),
        ] {
            let e = json(from_text(status, text));
            let message = e["error"].as_str().unwrap();
            assert!(
                !message.is_empty() && !message.is_ascii(),
                "{status}: {message}"
            );
        }
    }
}
