//! Creating requests sent twice with the same key are answered once, on
//! SQLite and PostgreSQL: the API's `Idempotency-Key`, and the key a
//! consultation form carries (a double click on 保存).

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::json;

fn sheet(name: &str) -> serde_json::Value {
    json!({"method": "phone", "person": {"name": name, "kana": "もりおか たろう"},
           "concerns": [{"category": "withdrawal", "main": true}], "chief_complaint": "外に出られない"})
}

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> common::Response {
    let mut request = axum::http::Request::post("/api/v1/consultations")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    app.request(
        request
            .body(axum::body::Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// Keys on record, answered or claimed.
async fn keys_on_record(app: &TestApp) -> i64 {
    match &app.store {
        common::Store::Sqlite(s) => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM idempotency_keys")
                .fetch_one(s.pool())
                .await
                .unwrap()
        }
        common::Store::Postgres(s) => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM idempotency_keys")
                .fetch_one(s.pool())
                .await
                .unwrap()
        }
    }
}

/// Sheets saved so far (each writes one `consultation_created` event).
async fn consultations_of(app: &TestApp, _token: &str) -> usize {
    app.audit_actions()
        .await
        .iter()
        .filter(|(a, _)| a == "consultation_created")
        .count()
}

async fn a_repeated_key_is_answered_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let token = app.token("staff", USER_PASSWORD).await;
    let first = post_with_key(&app, &token, Some("sheet-0001"), &sheet("盛岡 太郎")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = post_with_key(&app, &token, Some("sheet-0001"), &sheet("盛岡 太郎")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], first.json()["id"], "the same answer");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(consultations_of(&app, &token).await, 1, "saved once");
    // The same key for another sheet is refused by name.
    let other = post_with_key(&app, &token, Some("sheet-0001"), &sheet("盛岡 次郎")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(other.body.contains("別の内容の送信"), "{}", other.body);
    // A request that failed frees its key: corrected, it is saved.
    let bad = post_with_key(
        &app,
        &token,
        Some("sheet-0002"),
        &json!({"method": "phone"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fixed = post_with_key(&app, &token, Some("sheet-0002"), &sheet("盛岡 三郎")).await;
    assert_eq!(fixed.status, StatusCode::CREATED, "{}", fixed.body);
    // Without a key, two sends are two sheets.
    post_with_key(&app, &token, None, &sheet("盛岡 四郎")).await;
    post_with_key(&app, &token, None, &sheet("盛岡 四郎")).await;
    assert_eq!(consultations_of(&app, &token).await, 4);
    // Keys belong to the session: another session's same key is its own.
    let second = app.token("staff", USER_PASSWORD).await;
    let theirs = post_with_key(&app, &second, Some("sheet-0001"), &sheet("盛岡 五郎")).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.json()["id"], first.json()["id"]);
}

async fn a_double_click_on_the_sheet_saves_it_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let token = app.token("staff", USER_PASSWORD).await;
    let (session, csrf) = app.browser_sign_in("staff", USER_PASSWORD).await;
    let form = app.get_with_cookie("/consultations/new", &session).await;
    let marker = "name=\"idempotency_key\" value=\"";
    let start = form.body.find(marker).expect("the sheet carries a key") + marker.len();
    let key = form.body[start..].split('"').next().unwrap().to_owned();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("method", "phone"),
        ("person.name", "盛岡 太郎"),
        ("person.kana", "もりおか たろう"),
        ("concerns", "withdrawal"),
        ("chief_complaint", "外に出られない"),
        ("household[0].name", "盛岡 太郎"),
        ("household[0].relationship", "本人"),
    ];
    let first = app
        .post_form_with_cookie("/consultations", &session, &fields)
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = app
        .post_form_with_cookie("/consultations", &session, &fields)
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(second.headers["location"], first.headers["location"]);
    assert_eq!(consultations_of(&app, &token).await, 1, "one sheet");
    // Each rendering of the form has a key of its own.
    let again = app.get_with_cookie("/consultations/new", &session).await;
    assert!(!again.body.contains(&key));
}

/// The kept answer goes to the live session that made the request, and
/// each time it is given again the audit trail says so; when the session
/// ends (sign-out), its kept answers go with it.
async fn kept_answers_live_with_their_session_and_replays_are_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let token = app.token("staff", USER_PASSWORD).await;
    let first = post_with_key(&app, &token, Some("sheet-0009"), &sheet("盛岡 太郎")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = post_with_key(&app, &token, Some("sheet-0009"), &sheet("盛岡 太郎")).await;
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let replays: Vec<(String, String)> = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(a, _)| a == "request_replayed")
        .collect();
    assert_eq!(
        replays,
        vec![("request_replayed".to_owned(), "staff".to_owned())]
    );
    let out = app
        .post_json("/api/v1/auth/logout", Some(&token), &json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = post_with_key(&app, &token, Some("sheet-0009"), &sheet("盛岡 太郎")).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    assert!(after.headers.get("idempotent-replayed").is_none());
    let kept = keys_on_record(&app).await;
    assert_eq!(kept, 0, "the session's kept answers went with it");
}

/// A client that goes away while its keyed request is saved (a dropped
/// connection: the very moment a client sends the key again) is given, when
/// it sends again, the answer of the one save: the key is not left claimed
/// (409 for a day) by the request nobody waited for.
async fn a_request_dropped_while_saving_is_answered_when_sent_again(backend: Backend) {
    use std::future::Future;
    use tower::ServiceExt;
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let token = app.token("staff", USER_PASSWORD).await;
    let request = axum::http::Request::post("/api/v1/consultations")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", "sheet-0042")
        .body(axum::body::Body::from(sheet("盛岡 太郎").to_string()))
        .unwrap();
    let mut sending = Box::pin(app.router.clone().oneshot(request));
    // Step the request until its key is claimed, then drop it.
    for _ in 0..10_000 {
        let done =
            std::future::poll_fn(|cx| std::task::Poll::Ready(sending.as_mut().poll(cx).is_ready()))
                .await;
        if done || keys_on_record(&app).await > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    drop(sending);
    let mut again = post_with_key(&app, &token, Some("sheet-0042"), &sheet("盛岡 太郎")).await;
    for _ in 0..50 {
        if again.status != StatusCode::CONFLICT {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        again = post_with_key(&app, &token, Some("sheet-0042"), &sheet("盛岡 太郎")).await;
    }
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(consultations_of(&app, &token).await, 1, "saved once");
}

on_both_backends!(
    a_request_dropped_while_saving_is_answered_when_sent_again,
    kept_answers_live_with_their_session_and_replays_are_audited,
    a_repeated_key_is_answered_once,
    a_double_click_on_the_sheet_saves_it_once,
);
