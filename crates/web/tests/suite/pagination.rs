//! Paginated lists through the API, on SQLite and PostgreSQL: every record
//! appears once across the pages while records are added between page
//! requests, `next_cursor` is absent on the last page, and a limit or a
//! cursor that cannot be used is named.

use crate::common;

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
        let join = if path.contains('?') { "&" } else { "?" };
        let url = match &cursor {
            Some(c) => format!("{path}{join}limit=2&cursor={c}"),
            None => format!("{path}{join}limit=2"),
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

/// The audit trail pages newest first by sequence: every event there when
/// the reading began appears once, though each page read adds one.
async fn the_audit_trail_pages_back_to_its_first_event(backend: Backend) {
    let app = TestApp::new(backend).await;
    for name in ["a1", "a2", "a3"] {
        app.create_user(&format!("staff-{name}"), "staff", &[1])
            .await;
    }
    let token = app.admin_token().await;
    let existing: BTreeSet<i64> = app
        .repo()
        .audit_events(0, 10_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/audit-events?limit=4&cursor={c}"),
            None => "/api/v1/audit-events?limit=4".to_owned(),
        };
        let page = app.get(&url, Some(&token)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let page = page.json();
        let seqs: Vec<i64> = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert!(
            seqs.windows(2).all(|w| w[0] > w[1]),
            "newest first: {seqs:?}"
        );
        seen.extend(seqs);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    assert!(
        existing.is_subset(&unique),
        "back to the first event: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&1));
}

/// An inbox pages newest first while new handoffs arrive.
async fn an_inbox_pages_while_handoffs_arrive(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("sender", "staff", &[1]).await;
    app.create_user("receiver", "staff", &[2]).await;
    let sender = app.token("sender", USER_PASSWORD).await;
    let receiver = app.token("receiver", USER_PASSWORD).await;
    let send = || {
        let (app, sender) = (&app, sender.clone());
        async move {
            let sheet = json!({"method": "phone", "person": {"name": "盛岡 花子", "kana": "もりおか はなこ"},
                "concerns": [{"category": "介護のこと", "main": true}], "chief_complaint": "母の介護",
                "household": [{"name": "盛岡 花子", "relationship": "本人", "consent": "yes"}]});
            let c = app
                .post_json("/api/v1/consultations", Some(&sender), &sheet)
                .await
                .json();
            let r = app
                .post_json(
                    "/api/v1/handoffs",
                    Some(&sender),
                    &json!({"consultation_id": c["id"], "to_agency_ids": [2]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["handoffs"][0]["id"].as_i64().unwrap()
        }
    };
    let mut before = BTreeSet::new();
    for _ in 0..5 {
        before.insert(send().await);
    }
    let seen = pages_of(
        &app,
        &receiver,
        "/api/v1/handoffs",
        "handoffs",
        async |round| {
            if round < 2 {
                send().await;
            }
        },
    )
    .await;
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no handoff twice: {seen:?}");
    assert!(
        before.is_subset(&unique),
        "every handoff there at the start: {seen:?}"
    );
}

/// A person search pages newest first while new persons are taken in.
async fn a_person_search_pages_while_persons_are_added(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let staff = app.token("staff", USER_PASSWORD).await;
    let names = [
        "一郎", "二郎", "三郎", "四郎", "五郎", "六郎", "七郎", "八郎", "九郎", "十郎",
    ];
    let take_in = |i: usize| {
        let (app, staff) = (&app, staff.clone());
        async move {
            let name = format!("盛岡 {}", names[i % names.len()]);
            let sheet = json!({"method": "phone", "person": {"name": name, "kana": "もりおか"},
                "concerns": [{"category": "介護のこと", "main": true}], "chief_complaint": "介護",
                "household": [{"name": name, "relationship": "本人", "consent": "yes"}]});
            let r = app
                .post_json("/api/v1/consultations", Some(&staff), &sheet)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["person_id"].as_i64().unwrap()
        }
    };
    let mut before = BTreeSet::new();
    for i in 0..7 {
        before.insert(take_in(i).await);
    }
    let seen = pages_of(
        &app,
        &staff,
        "/api/v1/persons?q=盛岡",
        "persons",
        async |round| {
            if round < 2 {
                take_in(7 + round).await;
            }
        },
    )
    .await;
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no person twice: {seen:?}");
    assert!(
        before.is_subset(&unique),
        "every person there at the start: {seen:?}"
    );
    let bad = app
        .get("/api/v1/persons?q=盛岡&cursor=00", Some(&staff))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["errors"][0]["field"], "cursor");
}

on_both_backends!(
    a_person_search_pages_while_persons_are_added,
    the_audit_trail_pages_back_to_its_first_event,
    an_inbox_pages_while_handoffs_arrive,
    every_meeting_appears_once_while_meetings_are_added,
    limits_and_cursors_that_cannot_be_used_are_named,
);
