//! Paginated lists through the API, on SQLite and PostgreSQL: every record
//! appears once across the pages while records are added between page
//! requests, `next_cursor` is absent on the last page, and a limit or a
//! cursor that cannot be used is named.

mod common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn pages_of(
    app: &TestApp,
    token: &str,
    path: &str,
    field: &str,
    during: impl AsyncFn(usize),
) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for round in 0.. {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=2&cursor={c}"),
            None => format!("{path}?limit=2"),
        };
        let page = app.get(&url, Some(token)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let page: Value = page.json();
        let items = page[field].as_array().unwrap();
        assert!(items.len() <= 2, "{page}");
        seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        during(round).await;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    seen
}

async fn every_meeting_appears_once_while_meetings_are_added(backend: Backend) {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    let csw = app.token("csw", USER_PASSWORD).await;
    let schedule = |day: u32| {
        let (app, csw) = (&app, csw.clone());
        async move {
            let r = app
                .post_json(
                    "/api/v1/meetings",
                    Some(&csw),
                    &json!({"kind": "case_conference", "starts_at": format!("2026-12-{day:02}T10:00:00+09:00"), "place": "市保健所"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["ids"][0].as_i64().unwrap()
        }
    };
    let mut before = BTreeSet::new();
    for day in [3, 5, 7, 9, 11, 13, 15] {
        before.insert(schedule(day).await);
    }
    // Between pages, one meeting earlier than all and one later are added.
    let seen = pages_of(&app, &csw, "/api/v1/meetings", "meetings", async |round| {
        if round < 3 {
            schedule(1).await;
            schedule(28).await;
        }
    })
    .await;
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no meeting twice: {seen:?}");
    assert!(
        before.is_subset(&unique),
        "every meeting there at the start: {seen:?}"
    );
}

async fn limits_and_cursors_that_cannot_be_used_are_named(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let token = app.token("staff", USER_PASSWORD).await;
    for path in [
        "/api/v1/cases",
        "/api/v1/meetings",
        "/api/v1/tasks",
        "/api/v1/outreach",
        "/api/v1/resources",
    ] {
        let all = app.get(path, Some(&token)).await;
        assert_eq!(all.status, StatusCode::OK, "{path}: {}", all.body);
        assert!(all.json()["next_cursor"].is_null(), "{path}: one page");
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=abc", "limit"),
            ("cursor=zz", "cursor"),
        ] {
            let r = app.get(&format!("{path}?{query}"), Some(&token)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}?{query}");
            assert_eq!(
                r.json()["errors"][0]["field"],
                field,
                "{path}?{query}: {}",
                r.body
            );
        }
    }
    let r = app.get("/api/v1/resources?limit=１", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "full-width digits are read");
}

on_both_backends!(
    every_meeting_appears_once_while_meetings_are_added,
    limits_and_cursors_that_cannot_be_used_are_named,
);
