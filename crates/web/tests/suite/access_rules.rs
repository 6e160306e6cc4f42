//! The access rules of the application layer (`tsunagaru_app::policy`),
//! through HTTP, on SQLite and PostgreSQL: 保護, merges, consent per sheet,
//! handoff access that ends, 404 for what is out of scope, exports, sign-in.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};

fn sheet() -> Value {
    json!({"method": "phone", "received_on": "2026-11-20",
     "person": {"name": "盛岡 花子", "kana": "もりおか はなこ", "sex": "female", "birth_date": "S45.3.12",
                "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"},
                "phones": [{"kind": "mobile", "number": "090-1111-2222"}]},
     "requester": {"name": "盛岡 キヨ", "relationship": "母",
                   "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"},
                   "phones": [{"kind": "home", "number": "019-333-4444"}]},
     "concerns": [{"category": "介護のこと", "main": true}],
     "chief_complaint": "母の介護が心配",
     "household": [
       {"name": "盛岡 花子", "relationship": "本人", "consent": "yes"},
       {"name": "盛岡 キヨ", "relationship": "母", "consent": "yes"},
       {"name": "盛岡 一郎", "relationship": "弟", "consent": "no"}]})
}

struct World {
    app: TestApp,
    /// Staff of agency 1 (the 受付機関), and a colleague there.
    first: String,
    first_id: i64,
    colleague: String,
    colleague_id: i64,
    /// Staff of agency 2 (a receiving agency), and of agency 3 (unrelated).
    second: String,
    third: String,
    /// Two CSWs of the 事務局 (also of agency 1, so they see its persons).
    csw: String,
    csw_id: i64,
    other_csw: String,
    consultation: i64,
    person: i64,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    let first_id = app.create_user("uketsuke", "staff", &[1]).await;
    let colleague_id = app.create_user("douryou", "staff", &[1]).await;
    app.create_user("hikitsugi", "staff", &[2]).await;
    app.create_user("kankeinai", "staff", &[3]).await;
    let csw_id = app.create_user("csw-a", "csw", &[secretariat, 1]).await;
    app.create_user("csw-b", "csw", &[secretariat, 1]).await;
    let first = app.token("uketsuke", USER_PASSWORD).await;
    let created = app
        .post_json("/api/v1/consultations", Some(&first), &sheet())
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    World {
        colleague: app.token("douryou", USER_PASSWORD).await,
        second: app.token("hikitsugi", USER_PASSWORD).await,
        third: app.token("kankeinai", USER_PASSWORD).await,
        csw: app.token("csw-a", USER_PASSWORD).await,
        other_csw: app.token("csw-b", USER_PASSWORD).await,
        consultation: created["id"].as_i64().unwrap(),
        person: created["person_id"].as_i64().unwrap(),
        first,
        first_id,
        colleague_id,
        csw_id,
        app,
    }
}

impl World {
    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.app.post_json(path, Some(token), &body).await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    }

    async fn person(&self, token: &str, id: i64) -> (StatusCode, String) {
        let r = self
            .app
            .get(&format!("/api/v1/persons/{id}"), Some(token))
            .await;
        (r.status, r.body)
    }

    async fn protect(&self, token: &str, id: i64, protected: bool, viewers: &[i64]) -> StatusCode {
        self.post(
            token,
            &format!("/api/v1/persons/{id}/protection"),
            json!({"protected": protected, "viewer_user_ids": viewers}),
        )
        .await
        .0
    }
}

async fn only_a_named_viewer_changes_or_lifts_protection(backend: Backend) {
    let w = world(backend).await;
    let id = w.person;
    assert_eq!(
        w.protect(&w.first, id, true, &[]).await,
        StatusCode::NO_CONTENT
    );
    // The colleague sees the person but is not named: they cannot name
    // themselves, replace the list, or lift the protection.
    for (protected, viewers) in [
        (true, vec![w.first_id, w.colleague_id]),
        (true, vec![w.colleague_id]),
        (false, vec![]),
    ] {
        assert_eq!(
            w.protect(&w.colleague, id, protected, &viewers).await,
            StatusCode::FORBIDDEN
        );
    }
    // The same in the browser.
    let (session, csrf) = w.app.browser_sign_in("douryou", USER_PASSWORD).await;
    let page = w
        .app
        .post_form_with_cookie(
            &format!("/persons/{id}/protection"),
            &session,
            &[("csrf_token", &csrf), ("protected", "false")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let (status, body) = w.person(&w.colleague, id).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !body.contains("上田三丁目"),
        "still hidden from the colleague"
    );
    assert!(!body.contains("090-1111-2222"));
    // A named viewer adds the colleague; then the colleague sees it.
    assert_eq!(
        w.protect(&w.first, id, true, &[w.colleague_id]).await,
        StatusCode::NO_CONTENT
    );
    let (_, body) = w.person(&w.colleague, id).await;
    assert!(body.contains("上田三丁目"));
    // An unrelated agency still gets 404, not 403.
    assert_eq!(
        w.protect(&w.third, id, false, &[]).await,
        StatusCode::NOT_FOUND
    );
}

async fn the_requester_block_does_not_carry_a_protected_address(backend: Backend) {
    let w = world(backend).await;
    assert_eq!(
        w.protect(&w.first, w.person, true, &[]).await,
        StatusCode::NO_CONTENT
    );
    let (session, _) = w.app.browser_sign_in("douryou", USER_PASSWORD).await;
    for path in [
        format!("/api/v1/persons/{}", w.person),
        format!("/api/v1/consultations/{}", w.consultation),
    ] {
        let r = w.app.get(&path, Some(&w.colleague)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        for secret in ["上田三丁目", "019-333-4444", "020-0066"] {
            assert!(!r.body.contains(secret), "{path} shows {secret}");
        }
    }
    for path in [
        format!("/persons/{}", w.person),
        format!("/consultations/{}/print", w.consultation),
    ] {
        let r = w.app.get_with_cookie(&path, &session).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        for secret in ["上田三丁目", "019-333-4444", "020-0066"] {
            assert!(!r.body.contains(secret), "{path} shows {secret}");
        }
    }
    // The named user sees the requester's phone.
    let r = w
        .app
        .get(
            &format!("/api/v1/consultations/{}", w.consultation),
            Some(&w.first),
        )
        .await;
    assert!(r.body.contains("019-333-4444"));
}

async fn a_merge_keeps_the_stricter_protection_and_every_named_viewer(backend: Backend) {
    let w = world(backend).await;
    // A second, unprotected record of the same person.
    let mut second = sheet();
    second["person"]["address"] = json!({"line": "盛岡市本宮五丁目1"});
    second["person"]["phones"] = json!([]);
    second["requester"] = Value::Null;
    let other = w
        .app
        .post_json("/api/v1/consultations", Some(&w.first), &second)
        .await
        .json()["person_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        w.protect(&w.first, w.person, true, &[w.csw_id]).await,
        StatusCode::NO_CONTENT
    );
    // A CSW not named on the protected record may not merge it.
    let (status, _) = w
        .post(
            &w.other_csw,
            "/api/v1/persons/merge",
            json!({"keep_person_id": other, "merge_person_id": w.person}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The named CSW merges the protected record into the unprotected one.
    let (status, body) = w
        .post(
            &w.csw,
            "/api/v1/persons/merge",
            json!({"keep_person_id": other, "merge_person_id": w.person}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = w.person(&w.colleague, other).await;
    assert_eq!(status, StatusCode::OK);
    let kept: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(kept["protected"], true, "the stricter protection is kept");
    assert!(!body.contains("本宮五丁目"), "hidden from those not named");
    for named in [&w.first, &w.csw] {
        let (_, body) = w.person(named, other).await;
        assert!(
            body.contains("本宮五丁目"),
            "every named viewer stays named"
        );
    }
}

async fn a_withdrawn_or_returned_handoff_ends_the_receivers_access(backend: Backend) {
    let w = world(backend).await;
    let send = || async {
        let (status, body) = w
            .post(
                &w.first,
                "/api/v1/handoffs",
                json!({"consultation_id": w.consultation, "to_agency_ids": [2]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["handoffs"][0]["id"].as_i64().unwrap()
    };
    // Misdirected and withdrawn by the sender.
    let id = send().await;
    assert_eq!(w.person(&w.second, w.person).await.0, StatusCode::OK);
    let (status, body) = w
        .post(
            &w.first,
            &format!("/api/v1/handoffs/{id}/withdraw"),
            json!({"reason": "送り先の誤り"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(w.person(&w.second, w.person).await.0, StatusCode::NOT_FOUND);
    let handoff = w
        .app
        .get(&format!("/api/v1/handoffs/{id}"), Some(&w.second))
        .await;
    assert_eq!(handoff.status, StatusCode::NOT_FOUND);
    let inbox = w
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&w.second))
        .await;
    assert_eq!(inbox.json()["handoffs"].clone(), json!([]));
    let found = w
        .app
        .get(
            "/api/v1/persons?q=%E3%82%82%E3%82%8A%E3%81%8A%E3%81%8B",
            Some(&w.second),
        )
        .await;
    assert_eq!(
        found.json()["persons"].clone(),
        json!([]),
        "not found by search either"
    );
    // Returned by the receiver as not theirs: access ends there too.
    let id = send().await;
    let (status, body) = w
        .post(
            &w.second,
            &format!("/api/v1/handoffs/{id}/return"),
            json!({"reason": "担当地区が違います"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(w.person(&w.second, w.person).await.0, StatusCode::NOT_FOUND);
    // A handoff that stands (received) keeps the person visible.
    let id = send().await;
    let (status, _) = w
        .post(
            &w.second,
            &format!("/api/v1/handoffs/{id}/receive"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(w.person(&w.second, w.person).await.0, StatusCode::OK);
}

async fn an_agencys_own_sheet_does_not_open_another_agencys_household(backend: Backend) {
    let w = world(backend).await;
    w.post(
        &w.first,
        "/api/v1/handoffs",
        json!({"consultation_id": w.consultation, "to_agency_ids": [2]}),
    )
    .await;
    // The receiving agency takes a consultation of its own for the person.
    let mut own = sheet();
    own["person_id"] = json!(w.person);
    own["requester"] = Value::Null;
    own["household"] = json!([{"name": "盛岡 花子", "relationship": "本人", "consent": "yes"}]);
    let r = w
        .app
        .post_json("/api/v1/consultations", Some(&w.second), &own)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (status, body) = w.person(&w.second, w.person).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("盛岡 キヨ"),
        "the consenting mother is shared"
    );
    assert!(
        !body.contains("盛岡 一郎"),
        "the brother who did not consent stays with agency 1's sheet"
    );
    // Only agency 1 may change the consent it recorded.
    let (status, _) = w
        .post(
            &w.second,
            &format!("/api/v1/consultations/{}/consent", w.consultation),
            json!({"position": 3, "consent": "yes"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .post(
            &w.first,
            &format!("/api/v1/consultations/{}/consent", w.consultation),
            json!({"position": 3, "consent": "yes"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = w.person(&w.second, w.person).await;
    assert!(body.contains("盛岡 一郎"), "shared once he consents");
}

async fn records_out_of_scope_answer_404_on_two_id_and_merge_routes(backend: Backend) {
    let w = world(backend).await;
    let secretariat = w.app.secretariat_id().await;
    w.app.create_user("csw-yoso", "csw", &[secretariat]).await;
    let stranger_csw = w.app.token("csw-yoso", USER_PASSWORD).await;
    // A record that exists, is not merged, and is outside their scope: the
    // same 404 as a record that does not exist.
    for id in [w.person, 999_999] {
        let (status, _) = w
            .post(
                &stranger_csw,
                &format!("/api/v1/persons/{id}/unmerge"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "unmerge {id}");
        let (status, _) = w
            .post(
                &stranger_csw,
                "/api/v1/persons/merge",
                json!({"keep_person_id": id, "merge_person_id": 999_998}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "merge {id}");
    }
    let (session, csrf) = w.app.browser_sign_in("csw-yoso", USER_PASSWORD).await;
    for path in [
        format!("/persons/{}/unmerge/{}", w.person, w.person + 1),
        format!("/persons/{}/unmerge/abc", w.person),
        "/persons/abc/unmerge/1".to_owned(),
    ] {
        let r = w
            .app
            .post_form_with_cookie(&path, &session, &[("csrf_token", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
}

async fn exports_write_formulas_as_text(backend: Backend) {
    let w = world(backend).await;
    let (status, body) = w
        .post(
            &w.csw,
            "/api/v1/resources",
            json!({"name": "=HYPERLINK(\"http://example.invalid\",\"開く\")", "kind": "サロン",
                   "address": "上田三丁目2-1", "operator": "@SUM(A1)", "phone": "+81-19-000-0000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let csv = w.app.get("/api/v1/resources/csv", Some(&w.csw)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("\"'=HYPERLINK("), "{}", csv.body);
    assert!(csv.body.contains(",'@SUM(A1),"));
    assert!(csv.body.contains(",'+81-19-000-0000,"));
    for line in csv.body.split("\r\n") {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a cell a spreadsheet would evaluate: {cell}"
            );
        }
    }
}

async fn parallel_wrong_passwords_count_like_serial_ones(backend: Backend) {
    let w = world(backend).await;
    let max = w.app.state.pack().login.max_failures as usize;
    let guesses = (0..max * 3).map(|i| {
        let app = &w.app;
        async move {
            app.post_json(
                "/api/v1/auth/login",
                None,
                &json!({"username": "uketsuke", "password": format!("wrong-{i}")}),
            )
            .await
            .status
        }
    });
    let answers = futures_join_all(guesses).await;
    assert!(answers.iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    // However they interleaved, the limit was reached: the name is locked,
    // and even the right password is refused for now.
    let r = w
        .app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"username": "uketsuke", "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("一時的にログインできません")
    );
    // Nothing typed in the password field reached the audit trail.
    let events = w.app.repo().recent_audit_events(500).await.unwrap();
    assert!(
        events
            .iter()
            .all(|e| !e.detail.contains("wrong-") && !e.actor.contains("wrong-"))
    );
}

/// Runs the futures concurrently on this task (no extra dependency).
async fn futures_join_all<F: std::future::Future<Output = StatusCode>>(
    futures: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut out = Vec::with_capacity(handles.len());
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out
}

/// A protection change is decided on the list the actor saw; if another
/// named viewer changed the list meanwhile, the store refuses the write
/// instead of applying the decision to the newer list.
async fn a_protection_decision_on_a_list_changed_meanwhile_is_refused(backend: Backend) {
    use tsunagaru_store::{Conflict, ProtectionSeen, Stale, StoreError};
    let w = world(backend).await;
    let id = w.person;
    assert_eq!(
        w.protect(&w.first, id, true, &[w.first_id, w.colleague_id])
            .await,
        StatusCode::NO_CONTENT
    );
    // What the colleague saw before the first user removed them.
    let seen_then = ProtectionSeen {
        protected: true,
        viewers: vec![w.first_id, w.colleague_id],
    };
    assert_eq!(
        w.protect(&w.first, id, true, &[w.first_id]).await,
        StatusCode::NO_CONTENT
    );
    let late = w
        .app
        .repo()
        .set_protection(
            id,
            &seen_then,
            false,
            &[],
            w.colleague_id,
            tsunagaru_domain::NewAuditEvent::new(
                tsunagaru_domain::AuditAction::ProtectionChanged,
                "douryou",
            ),
        )
        .await;
    assert!(
        matches!(
            late,
            Err(StoreError::Conflict(Conflict::Stale(Stale::Person)))
        ),
        "{late:?}"
    );
    let (status, body) = w.person(&w.colleague, id).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("上田三丁目"), "still protected");
    // The list as it is now is accepted.
    let now = ProtectionSeen {
        protected: true,
        viewers: vec![w.first_id],
    };
    let fresh = w
        .app
        .repo()
        .set_protection(
            id,
            &now,
            true,
            &[w.first_id],
            w.first_id,
            tsunagaru_domain::NewAuditEvent::new(
                tsunagaru_domain::AuditAction::ProtectionChanged,
                "uketsuke",
            ),
        )
        .await;
    assert!(fresh.is_ok(), "{fresh:?}");
}

on_both_backends!(
    only_a_named_viewer_changes_or_lifts_protection,
    the_requester_block_does_not_carry_a_protected_address,
    a_merge_keeps_the_stricter_protection_and_every_named_viewer,
    a_withdrawn_or_returned_handoff_ends_the_receivers_access,
    an_agencys_own_sheet_does_not_open_another_agencys_household,
    records_out_of_scope_answer_404_on_two_id_and_merge_routes,
    exports_write_formulas_as_text,
    parallel_wrong_passwords_count_like_serial_ones,
    a_protection_decision_on_a_list_changed_meanwhile_is_refused,
);
