//! Several servers on one database (behind a load balancer): sessions, the
//! audit chain's order and the directory live in the database, so each
//! server sees every write once — on SQLite (two handles on one file, as two
//! processes) and on PostgreSQL.

use crate::common;

use axum::http::{Request, StatusCode, header};
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};
use std::sync::Arc;
use tsunagaru_app::pack::PackRefresh;
use tsunagaru_pack::{Pack, PackSources};

fn sheet(n: usize) -> Value {
    json!({"method": "phone", "received_on": "2026-11-20",
     "person": {"name": format!("二台 {n}郎"), "sex": "male", "birth_date": "1970-01-01",
                "phones": [{"kind": "home", "number": format!("019-7{:02}-{:04}", n % 100, n)}]},
     "concerns": [{"category": "care", "main": true}],
     "chief_complaint": "二台のサーバーで受け付けた相談"})
}

async fn intakes(app: &TestApp, token: &str, from: usize, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in from..from + count {
        let r = app
            .post_json("/api/v1/consultations", Some(token), &sheet(n))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    ids
}

async fn two_servers_share_every_write_and_one_audit_chain(backend: Backend) {
    let first = TestApp::new(backend).await;
    let second = first.another_instance().await;
    first.create_user("futatsu", "staff", &[1]).await;
    // A session begun on one server is good on the other.
    let token = first.token("futatsu", USER_PASSWORD).await;
    assert_eq!(
        second.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
    let other_token = second.token("futatsu", USER_PASSWORD).await;
    // Both take sheets at once.
    let (a, b) = tokio::join!(
        intakes(&first, &token, 0, 12),
        intakes(&second, &other_token, 100, 12)
    );
    let mut all: Vec<i64> = a.into_iter().chain(b).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 24, "every write once");
    for id in &all {
        assert_eq!(
            first
                .get(&format!("/api/v1/consultations/{id}"), Some(&other_token))
                .await
                .status,
            StatusCode::OK,
            "{id} through either server"
        );
    }
    // One chain, in one order, whoever wrote.
    let events = tsunagaru_store::verify_audit_log(first.repo())
        .await
        .expect("the chain verifies");
    assert!(events >= 24, "{events}");
    let created = first
        .repo()
        .audit_events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "consultation_created")
        .count();
    assert_eq!(created, 24);
}

async fn a_directory_change_through_one_server_shows_through_the_other(backend: Backend) {
    let first = TestApp::new(backend).await;
    let second = first.another_instance().await;
    let admin = first.admin_token().await;
    let before = first.get("/api/v1/agencies/1", Some(&admin)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let name = before.json()["name"].clone();
    // Changed around the application (no version raised): the first
    // server answers from the directory it holds in memory.
    first
        .store
        .execute_raw("UPDATE agencies SET name = '書き換えた名前' WHERE id = 1")
        .await
        .unwrap();
    assert_eq!(
        first.get("/api/v1/agencies/1", Some(&admin)).await.json()["name"],
        name,
        "from memory, not read again"
    );
    let changed = second
        .request(
            Request::put("/api/v1/agencies/1/contact")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .body(axum::body::Body::from(
                    json!({"phone": "019-600-7777"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    // The first server held the directory in memory; it reads it again
    // because the directory's version moved.
    let after = first.get("/api/v1/agencies/1", Some(&admin)).await.json();
    assert_eq!(after["contact"]["phone"], "019-600-7777");
    assert_eq!(
        after["name"], "書き換えた名前",
        "the whole directory read again"
    );
    let listed = first.get("/api/v1/agencies", Some(&admin)).await.json();
    assert_eq!(listed[0]["id"], 1);
}

async fn a_pack_reload_through_one_server_reaches_the_other(backend: Backend) {
    let first = TestApp::new(backend).await;
    let second = first.another_instance().await;
    first.create_user("futatsu", "staff", &[1]).await;
    let token = first.token("futatsu", USER_PASSWORD).await;
    // A sign-in answers how long a session lasts idle (the pack's limit).
    let idle_minutes = async |app: &TestApp| {
        let signed_in = app
            .post_json(
                "/api/v1/auth/login",
                None,
                &json!({"username": "futatsu", "password": USER_PASSWORD}),
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
        signed_in.json()["expires_after_idle_minutes"].clone()
    };
    // 架空町 is not a town of the city: the router says so.
    let route = async |app: &TestApp| {
        let q: String = "盛岡市架空町1-1"
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        let r = app
            .get(&format!("/api/v1/address/route?q={q}"), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["status"].clone()
    };
    assert_eq!(idle_minutes(&second).await, 30);
    let unknown = route(&second).await;

    // The city edits its pack — a longer idle limit and a town alias — and
    // loads it through the first server's database.
    // (No second factor, as in the pack these tests start with.)
    let mut sources = PackSources::morioka();
    sources.municipality_toml = sources
        .municipality_toml
        .replacen("session_idle_minutes = 30", "session_idle_minutes = 45", 1)
        .replacen(
            r#"required_roles = ["staff", "csw", "city"]"#,
            "required_roles = []",
            1,
        );
    sources.town_aliases_csv = format!(
        "{}\n架空町,本宮,misprint,試しの読み替え\n",
        sources.town_aliases_csv.trim_end()
    );
    let edited = Pack::parse(&sources).expect("the edited pack parses");
    assert_eq!(edited.login.session_idle_minutes, 45);
    assert!(edited.second_factor.required_roles.is_empty());
    tsunagaru_app::bootstrap::load_pack(first.repo(), &edited, "test")
        .await
        .unwrap();

    // The second server answers from the pack it holds until it asks…
    assert_eq!(idle_minutes(&second).await, 30, "held in memory");
    match second.state.app.refresh_pack().await.unwrap() {
        PackRefresh::Replaced { municipality, .. } => assert_eq!(municipality, "盛岡市"),
        other => panic!("the stored pack replaces the held one: {other:?}"),
    }
    // …then from the stored one: its settings and its address rules.
    assert_eq!(idle_minutes(&second).await, 45);
    assert_ne!(route(&second).await, unknown, "the new alias routes");
    // Asked again, only the version is read: nothing to replace.
    assert_eq!(
        second.state.app.refresh_pack().await.unwrap(),
        PackRefresh::Current
    );
    // The first server follows the same way.
    first.state.app.refresh_pack().await.unwrap();
    assert_eq!(idle_minutes(&first).await, 45);
}

/// A stored pack this build cannot use (files it cannot read, or that fail
/// its checks) leaves the pack in use as it was, and is reported once.
async fn a_stored_pack_this_server_refuses_leaves_the_held_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let held = app.state.pack();
    // Files that fail the pack's checks (an agency's department that does
    // not exist), stored as a load by another build might have.
    let mut sources = PackSources::morioka();
    sources.agencies_toml =
        sources
            .agencies_toml
            .replacen("department_no = ", "department_no = 9999 #", 1);
    assert!(Pack::parse(&sources).is_err(), "the edit breaks the pack");
    let stored = serde_json::to_string(&sources).unwrap().replace('\'', "''");
    let sql = format!("UPDATE pack_sources SET version = version + 1, sources = '{stored}'");
    app.store
        .execute_raw(Box::leak(sql.into_boxed_str()))
        .await
        .unwrap();
    match app.state.app.refresh_pack().await.unwrap() {
        PackRefresh::Refused { reason, .. } => {
            assert!(reason.contains("agencies.toml"), "{reason}")
        }
        other => panic!("refused: {other:?}"),
    }
    assert!(Arc::ptr_eq(&app.state.pack(), &held), "the held pack stays");
    // Told once: the same version is not parsed again.
    assert_eq!(
        app.state.app.refresh_pack().await.unwrap(),
        PackRefresh::Current
    );
    // Text that is not the pack's files at all.
    app.store
        .execute_raw("UPDATE pack_sources SET version = version + 1, sources = '{\"files\": 1}'")
        .await
        .unwrap();
    assert!(matches!(
        app.state.app.refresh_pack().await.unwrap(),
        PackRefresh::Refused { .. }
    ));
    assert!(Arc::ptr_eq(&app.state.pack(), &held));
}

on_both_backends!(
    a_stored_pack_this_server_refuses_leaves_the_held_one,
    two_servers_share_every_write_and_one_audit_chain,
    a_directory_change_through_one_server_shows_through_the_other,
    a_pack_reload_through_one_server_reaches_the_other,
);
