//! The second factor (TOTP) and re-authentication, on SQLite and
//! PostgreSQL: enrolment, sign-in with a code (each code once), recovery
//! codes, the lock, an administrator's reset, the browser's two steps, and
//! privileged actions asking for the password again after ten minutes, in
//! the API and on the pages (keeping what was typed).

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::{ADMIN_PASSWORD, Backend, TestApp, USER_PASSWORD};
use serde_json::json;
use tsunagaru_app::second_factor::code_at;
use tsunagaru_domain::{AuditAction, NewAuditEvent};
use tsunagaru_store::{NewSession, SessionKind};
use tsunagaru_web::auth::{new_token, token_hash};

async fn login(
    app: &TestApp,
    username: &str,
    password: &str,
    otp: Option<&str>,
) -> common::Response {
    let mut body = json!({"username": username, "password": password});
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    app.post_json("/api/v1/auth/login", None, &body).await
}

/// Enrols the user of `token`; answers the secret and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let begun = app
        .post_json("/api/v1/me/totp", Some(token), &json!({}))
        .await;
    assert_eq!(begun.status, StatusCode::CREATED, "{}", begun.body);
    let secret = begun.json()["secret"].as_str().unwrap().to_owned();
    let code = code_at(&secret, Utc::now()).unwrap();
    let confirmed = app
        .post_json(
            "/api/v1/me/totp/confirm",
            Some(token),
            &json!({"code": code}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let codes = confirmed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// A session of `user_id` whose sign-in was `minutes_ago` (used just now
/// enough to be alive): its token and CSRF token.
async fn session_signed_in_ago(
    app: &TestApp,
    user_id: i64,
    kind: SessionKind,
    minutes_ago: i64,
) -> (String, String) {
    let token = new_token();
    let csrf = new_token();
    app.repo()
        .create_session(
            NewSession {
                token_hash: token_hash(&token),
                user_id,
                kind,
                csrf_token: csrf.clone(),
                created_at: Utc::now() - Duration::minutes(minutes_ago),
            },
            NewAuditEvent::new(AuditAction::LoginSucceeded, "test"),
        )
        .await
        .unwrap();
    (token, csrf)
}

/// An attribute's text as the browser reads it (the entities askama writes).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|e| i + e).unwrap_or(i);
        let entity = &rest[i + 1..end.max(i + 1)];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) if end > i => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

async fn staff_must_enrol_before_anything_else(backend: Backend) {
    let app = TestApp::as_shipped(backend).await;
    app.create_user("sato.staff", "staff", &[1]).await;
    let token = app.token("sato.staff", USER_PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["totp_required"], true);
    assert_eq!(me.json()["totp_enabled"], false);
    let persons = app.get("/api/v1/persons?q=盛岡", Some(&token)).await;
    assert_eq!(persons.status, StatusCode::FORBIDDEN, "{}", persons.body);
    assert_eq!(persons.json()["totp_enrolment_required"], true);
    // A code for another secret, or not six digits, is refused by field.
    let begun = app
        .post_json("/api/v1/me/totp", Some(&token), &json!({}))
        .await;
    assert_eq!(begun.status, StatusCode::CREATED);
    let begun = begun.json();
    let secret = begun["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let uri = begun["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(
        uri.contains(&format!("secret={secret}")) && uri.contains(":sato.staff?"),
        "{uri}"
    );
    for wrong in ["12345", "000000"] {
        let r = app
            .post_json(
                "/api/v1/me/totp/confirm",
                Some(&token),
                &json!({"code": wrong}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{wrong}: {}",
            r.body
        );
        assert_eq!(r.json()["errors"][0]["field"], "code");
    }
    // The code typed in full-width digits is read.
    let code: String = code_at(secret, Utc::now())
        .unwrap()
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let confirmed = app
        .post_json(
            "/api/v1/me/totp/confirm",
            Some(&token),
            &json!({"code": code}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(
        confirmed.json()["recovery_codes"].as_array().unwrap().len(),
        10
    );
    assert_eq!(
        app.get("/api/v1/persons?q=盛岡", Some(&token)).await.status,
        StatusCode::OK
    );
    let actions: Vec<String> = app
        .audit_actions()
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(actions.contains(&"totp_enrolment_begun".to_owned()));
    assert!(actions.contains(&"totp_enrolled".to_owned()));
    // The administrator and the auditor see no persons: not required of them.
    let admin = app.admin_token().await;
    assert_eq!(
        app.get("/api/v1/users", Some(&admin)).await.status,
        StatusCode::OK
    );
}

async fn sign_in_asks_for_the_code_and_takes_each_code_once(backend: Backend) {
    let app = TestApp::as_shipped(backend).await;
    app.create_user("sato.staff", "staff", &[1]).await;
    let token = app.token("sato.staff", USER_PASSWORD).await;
    let (secret, recovery) = enrol(&app, &token).await;
    let without = login(&app, "sato.staff", USER_PASSWORD, None).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    assert_eq!(without.json()["mfa_required"], true);
    assert!(without.json().get("token").is_none());
    // A wrong password with a code is just a wrong password.
    let next = code_at(&secret, Utc::now() + Duration::seconds(30)).unwrap();
    let wrong_password = login(&app, "sato.staff", "Wrong-Password-2026!", Some(&next)).await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert!(wrong_password.json().get("mfa_required").is_none());
    // The code of the next step is accepted (one step of allowance) ...
    let signed_in = login(&app, "sato.staff", USER_PASSWORD, Some(&next)).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    // ... once: the same code again is refused (RFC 6238 §5.2).
    let replay = login(&app, "sato.staff", USER_PASSWORD, Some(&next)).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(
        replay.json()["error"]
            .as_str()
            .unwrap()
            .contains("確認コードが違います")
    );
    // A recovery code works once, written any way.
    let spaced = recovery[0].to_uppercase().replace('-', " ");
    assert_eq!(
        login(&app, "sato.staff", USER_PASSWORD, Some(&spaced))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        login(&app, "sato.staff", USER_PASSWORD, Some(&recovery[0]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let details: Vec<String> = app
        .repo()
        .recent_audit_events(30)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "login_succeeded")
        .map(|e| e.detail)
        .collect();
    assert!(
        details.iter().any(|d| d.contains("回復コード（残り9件）")),
        "{details:?}"
    );
    // Nothing typed in the code box is written to the audit trail.
    let everything = format!("{:?}", app.repo().recent_audit_events(100).await.unwrap());
    assert!(!everything.contains(&next) && !everything.contains(&recovery[0]));
}

async fn wrong_codes_lock_the_username(backend: Backend) {
    let app = TestApp::as_shipped(backend).await;
    app.create_user("sato.staff", "staff", &[1]).await;
    let token = app.token("sato.staff", USER_PASSWORD).await;
    let (secret, _) = enrol(&app, &token).await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(login(&app, "sato.staff", USER_PASSWORD, Some("000000")).await);
    }
    let last = last.unwrap();
    assert!(
        last.json()["error"]
            .as_str()
            .unwrap()
            .contains("一時的にログインできません"),
        "{}",
        last.body
    );
    let right = code_at(&secret, Utc::now() + Duration::seconds(30)).unwrap();
    let locked = login(&app, "sato.staff", USER_PASSWORD, Some(&right)).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(
        locked.json()["error"]
            .as_str()
            .unwrap()
            .contains("一時的にログインできません")
    );
}

async fn an_administrator_resets_a_lost_second_factor(backend: Backend) {
    let app = TestApp::as_shipped(backend).await;
    let id = app.create_user("sato.staff", "staff", &[1]).await;
    let token = app.token("sato.staff", USER_PASSWORD).await;
    enrol(&app, &token).await;
    app.create_user("kudo.staff", "staff", &[1]).await;
    let other_token = app.token("kudo.staff", USER_PASSWORD).await;
    let refused = app
        .post_json(
            &format!("/api/v1/users/{id}/totp/reset"),
            Some(&other_token),
            &json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let admin = app.admin_token().await;
    let reset = app
        .post_json(
            &format!("/api/v1/users/{id}/totp/reset"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED,
        "the user's sessions end"
    );
    // The password alone signs in again, to the enrolment only.
    let again = login(&app, "sato.staff", USER_PASSWORD, None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let again = again.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/api/v1/persons?q=盛岡", Some(&again)).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "totp_reset")
    );
    assert_eq!(
        app.post_json("/api/v1/users/99999/totp/reset", Some(&admin), &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn the_browser_signs_in_in_two_steps(backend: Backend) {
    let app = TestApp::as_shipped(backend).await;
    app.create_user("sato.staff", "staff", &[1]).await;
    let token = app.token("sato.staff", USER_PASSWORD).await;
    let (secret, _) = enrol(&app, &token).await;
    let form = app.get("/login", None).await;
    let login_cookie = form.cookie("tsunagaru_login_csrf").unwrap();
    let csrf = form.hidden_csrf().unwrap();
    let post = |cookie: &str, fields: Vec<(&'static str, String)>| {
        let body = serde_urlencoded::to_string(&fields).unwrap();
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("tsunagaru_login_csrf={cookie}"))
            .body(Body::from(body))
            .unwrap()
    };
    let step_one = app
        .request(post(
            &login_cookie,
            vec![
                ("csrf_token", csrf.clone()),
                ("username", "sato.staff".into()),
                ("password", USER_PASSWORD.into()),
            ],
        ))
        .await;
    assert_eq!(step_one.status, StatusCode::OK, "{}", step_one.body);
    assert!(step_one.cookie("tsunagaru_session").is_none());
    assert!(step_one.body.contains("確認コード") && !step_one.body.contains(USER_PASSWORD));
    let marker = "name=\"challenge\" value=\"";
    let start = step_one.body.find(marker).unwrap() + marker.len();
    let challenge = step_one.body[start..start + 64].to_owned();
    // Each form the sign-in shows carries a fresh CSRF pair, as a browser keeps it.
    let csrf = step_one.hidden_csrf().unwrap();
    let cookie = step_one.cookie("tsunagaru_login_csrf").unwrap();
    let wrong = app
        .request(post(
            &cookie,
            vec![
                ("csrf_token", csrf.clone()),
                ("challenge", challenge.clone()),
                ("code", "000000".into()),
            ],
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("確認コードが違います") && wrong.body.contains(&challenge));
    let csrf = wrong.hidden_csrf().unwrap();
    let cookie = wrong.cookie("tsunagaru_login_csrf").unwrap();
    let forged = app
        .request(post(
            &cookie,
            vec![
                ("csrf_token", csrf.clone()),
                ("challenge", "0".repeat(64)),
                ("code", code_at(&secret, Utc::now()).unwrap()),
            ],
        ))
        .await;
    assert!(
        forged.body.contains("ユーザー名とパスワードからもう一度"),
        "{}",
        forged.body
    );
    assert!(forged.cookie("tsunagaru_session").is_none());
    let csrf = forged.hidden_csrf().unwrap();
    let cookie = forged.cookie("tsunagaru_login_csrf").unwrap();
    let right = app
        .request(post(
            &cookie,
            vec![
                ("csrf_token", csrf),
                ("challenge", challenge),
                (
                    "code",
                    code_at(&secret, Utc::now() + Duration::seconds(30)).unwrap(),
                ),
            ],
        ))
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.body);
    let session = right.cookie("tsunagaru_session").expect("signed in");
    assert_eq!(
        app.get_with_cookie("/", &session).await.status,
        StatusCode::OK
    );
}

async fn the_enrolment_page_shows_a_qr_code_and_the_recovery_codes(backend: Backend) {
    let app = TestApp::as_shipped(backend).await;
    app.create_user("sato.staff", "staff", &[1]).await;
    let (session, csrf) = app.browser_sign_in("sato.staff", USER_PASSWORD).await;
    // Every page leads to the enrolment first.
    let home = app.get_with_cookie("/persons", &session).await;
    assert_eq!(home.headers[header::LOCATION], "/me/totp");
    let page = app.get_with_cookie("/me/totp", &session).await;
    assert!(page.body.contains("id=\"required\""), "{}", page.body);
    let begun = app
        .post_form_with_cookie("/me/totp", &session, &[("csrf_token", &csrf)])
        .await;
    assert_eq!(begun.status, StatusCode::SEE_OTHER);
    let page = app.get_with_cookie("/me/totp", &session).await;
    assert!(
        page.body
            .contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{}",
        page.body
    );
    let marker = "<code id=\"secret\">";
    let start = page.body.find(marker).unwrap() + marker.len();
    let end = start + page.body[start..].find('<').unwrap();
    let secret = page.body[start..end].replace('-', "");
    let wrong = app
        .post_form_with_cookie(
            "/me/totp/confirm",
            &session,
            &[("csrf_token", &csrf), ("code", "123")],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?} {}",
        wrong.headers,
        wrong.body
    );
    assert!(wrong.body.contains("6桁の数字を入力してください") && wrong.body.contains("<svg"));
    let code = code_at(&secret, Utc::now()).unwrap();
    let done = app
        .post_form_with_cookie(
            "/me/totp/confirm",
            &session,
            &[("csrf_token", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(done.body.matches("<li><code>").count(), 10, "{}", done.body);
    assert_eq!(
        app.get_with_cookie("/persons", &session).await.status,
        StatusCode::OK
    );
}

async fn privileged_api_actions_ask_again_after_ten_minutes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin_id = app.repo().users().await.unwrap()[0].id;
    let (old, _) = session_signed_in_ago(&app, admin_id, SessionKind::Api, 11).await;
    let user = json!({"username": "kudo.staff", "password": USER_PASSWORD, "display_name": "工藤 一", "agency_ids": [1], "role": "staff"});
    let refused = app.post_json("/api/v1/users", Some(&old), &user).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(refused.json()["reauthentication_required"], true);
    assert!(
        refused.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .contains("insufficient_user_authentication")
    );
    // Reading is not privileged: the session is alive.
    assert_eq!(
        app.get("/api/v1/users", Some(&old)).await.status,
        StatusCode::OK
    );
    let wrong = app
        .post_json(
            "/api/v1/me/reauthenticate",
            Some(&old),
            &json!({"password": "Not-The-Password-1"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["errors"][0]["field"], "password");
    let renewed = app
        .post_json(
            "/api/v1/me/reauthenticate",
            Some(&old),
            &json!({"password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(renewed.status, StatusCode::NO_CONTENT, "{}", renewed.body);
    assert_eq!(
        app.post_json("/api/v1/users", Some(&old), &user)
            .await
            .status,
        StatusCode::CREATED
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "reauthenticated")
    );
    // Nine minutes is within the window.
    let (recent, _) = session_signed_in_ago(&app, admin_id, SessionKind::Api, 9).await;
    let id = app
        .repo()
        .users()
        .await
        .unwrap()
        .iter()
        .find(|u| u.username == "kudo.staff")
        .unwrap()
        .id;
    assert_eq!(
        app.post_json(
            &format!("/api/v1/users/{id}/require-password-change"),
            Some(&recent),
            &json!({})
        )
        .await
        .status,
        StatusCode::OK
    );
}

async fn protection_merges_consent_overrides_and_exports_ask_again(backend: Backend) {
    let app = TestApp::new(backend).await;
    let csw_id = app
        .create_user("csw", "csw", &[app.secretariat_id().await])
        .await;
    let staff_id = app.create_user("sato.staff", "staff", &[1]).await;
    let staff = app.token("sato.staff", USER_PASSWORD).await;
    let csw = app.token("csw", USER_PASSWORD).await;
    let sheet = |name: &str, consent: &str| {
        json!({"method": "phone", "person": {"name": name, "kana": "もりおか はなこ"},
               "concerns": [{"category": "介護のこと", "main": true}], "chief_complaint": "母の介護",
               "household": [{"name": name, "relationship": "本人", "consent": consent}]})
    };
    let first = app
        .post_json(
            "/api/v1/consultations",
            Some(&staff),
            &sheet("盛岡 花子", "no"),
        )
        .await
        .json();
    let second = app
        .post_json(
            "/api/v1/consultations",
            Some(&csw),
            &sheet("盛岡 花子", "yes"),
        )
        .await
        .json();
    let (person, consultation) = (
        first["person_id"].as_i64().unwrap(),
        first["id"].as_i64().unwrap(),
    );
    let (old_staff, _) = session_signed_in_ago(&app, staff_id, SessionKind::Api, 15).await;
    let (old_csw, _) = session_signed_in_ago(&app, csw_id, SessionKind::Api, 15).await;
    let asks = |r: &common::Response| {
        r.status == StatusCode::UNAUTHORIZED && r.json()["reauthentication_required"] == true
    };
    let protect = app
        .post_json(
            &format!("/api/v1/persons/{person}/protection"),
            Some(&old_staff),
            &json!({"protected": true, "viewer_user_ids": []}),
        )
        .await;
    assert!(asks(&protect), "protection: {}", protect.body);
    let handoff = json!({"consultation_id": consultation, "to_agency_ids": [2], "self_consent_reason": "生命の保護のため緊急"});
    let sent = app
        .post_json("/api/v1/handoffs", Some(&old_staff), &handoff)
        .await;
    assert!(asks(&sent), "handoff without consent: {}", sent.body);
    let csv = app
        .get("/api/v1/reports/annual.csv", Some(&old_staff))
        .await;
    assert!(asks(&csv), "export: {}", csv.body);
    let xlsx = app
        .get("/api/v1/reports/annual.xlsx", Some(&old_staff))
        .await;
    assert!(asks(&xlsx), "export: {}", xlsx.body);
    assert_eq!(
        app.get("/api/v1/reports/annual", Some(&old_staff))
            .await
            .status,
        StatusCode::OK,
        "viewing is not an export"
    );
    let third = app
        .post_json(
            "/api/v1/consultations",
            Some(&csw),
            &sheet("盛岡 はな子", "yes"),
        )
        .await
        .json();
    let merge =
        json!({"keep_person_id": second["person_id"], "merge_person_id": third["person_id"]});
    let merged = app
        .post_json("/api/v1/persons/merge", Some(&old_csw), &merge)
        .await;
    assert!(asks(&merged), "merge: {}", merged.body);
    // Out of scope stays 404, whatever the session's age.
    let (old_other, _) = {
        let other = app.create_user("kudo.staff", "staff", &[3]).await;
        session_signed_in_ago(&app, other, SessionKind::Api, 15).await
    };
    assert_eq!(
        app.post_json(
            &format!("/api/v1/persons/{person}/protection"),
            Some(&old_other),
            &json!({"protected": true, "viewer_user_ids": []})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Fresh sessions do each of them.
    assert_eq!(
        app.post_json(
            &format!("/api/v1/persons/{person}/protection"),
            Some(&staff),
            &json!({"protected": false, "viewer_user_ids": []})
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post_json("/api/v1/handoffs", Some(&staff), &handoff)
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.get("/api/v1/reports/annual.csv", Some(&staff))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post_json("/api/v1/persons/merge", Some(&csw), &merge)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

async fn pages_ask_for_the_password_and_keep_what_was_typed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin_id = app.repo().users().await.unwrap()[0].id;
    let (session, csrf) = session_signed_in_ago(&app, admin_id, SessionKind::Web, 12).await;
    let typed = [
        ("csrf_token", csrf.as_str()),
        ("username", "kudo.staff"),
        ("display_name", "工藤 一"),
        ("role", "staff"),
        ("agency_ids", "1"),
        ("password", USER_PASSWORD),
        ("password_confirmation", USER_PASSWORD),
    ];
    let asked = app
        .post_form_with_cookie("/admin/users", &session, &typed)
        .await;
    assert_eq!(
        asked.status,
        StatusCode::UNAUTHORIZED,
        "{:?} {}",
        asked.headers,
        &asked.body[asked.body.len().saturating_sub(1500)..]
    );
    assert!(
        asked.body.contains("本人確認") && asked.body.contains("action=\"/me/reauthenticate\"")
    );
    let field = |body: &str, name: &str| -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = body
            .find(&marker)
            .unwrap_or_else(|| panic!("{name} in {body}"))
            + marker.len();
        let end = start + body[start..].find('"').unwrap();
        unescape(&body[start..end])
    };
    let continue_body = field(&asked.body, "continue_body");
    assert!(continue_body.contains("kudo.staff"), "{continue_body}");
    assert!(
        !continue_body.contains("password"),
        "passwords are not carried: {continue_body}"
    );
    assert!(
        !continue_body.contains(&csrf),
        "the CSRF token is not carried in the form"
    );
    assert_eq!(field(&asked.body, "continue_to"), "/admin/users");
    let wrong = app
        .post_form_with_cookie(
            "/me/reauthenticate",
            &session,
            &[
                ("csrf_token", &csrf),
                ("password", "nope"),
                ("continue_to", "/admin/users"),
                ("continue_method", "post"),
                ("continue_body", &continue_body),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("パスワードが違います") && wrong.body.contains("kudo.staff"));
    let go_on = app
        .post_form_with_cookie(
            "/me/reauthenticate",
            &session,
            &[
                ("csrf_token", &csrf),
                ("password", ADMIN_PASSWORD),
                ("continue_to", "/admin/users"),
                ("continue_method", "post"),
                ("continue_body", &continue_body),
            ],
        )
        .await;
    assert_eq!(go_on.status, StatusCode::OK, "{}", go_on.body);
    assert!(
        go_on.body.contains("action=\"/admin/users\"") && go_on.body.contains("value=\"工藤 一\""),
        "{}",
        go_on.body
    );
    // The form as offered carries what was typed but the passwords, which
    // no page sends back: asked for them again, the user is created.
    assert!(
        !go_on.body.contains(USER_PASSWORD),
        "no password in the page"
    );
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut rest = go_on.body.as_str();
    while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[i + 27..];
        let name = rest[..rest.find('"').unwrap()].to_owned();
        let v = rest.find("value=\"").unwrap() + 7;
        let value = unescape(&rest[v..v + rest[v..].find('"').unwrap()]);
        fields.push((name, value));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let without_password = app
        .post_form_with_cookie("/admin/users", &session, &pairs)
        .await;
    assert_eq!(
        without_password.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        without_password.body
    );
    assert!(
        without_password.body.contains("工藤 一") && without_password.body.contains("kudo.staff")
    );
    let mut pairs = pairs;
    pairs.extend([
        ("password", USER_PASSWORD),
        ("password_confirmation", USER_PASSWORD),
    ]);
    let created = app
        .post_form_with_cookie("/admin/users", &session, &pairs)
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(
        app.repo()
            .users()
            .await
            .unwrap()
            .iter()
            .any(|u| u.username == "kudo.staff" && u.display_name == "工藤 一")
    );
    // A download asked again goes straight on after the password; never off the site.
    let city = app.create_user("city", "city", &[]).await;
    let (city_session, city_csrf) = session_signed_in_ago(&app, city, SessionKind::Web, 12).await;
    let download = app
        .get_with_cookie("/reports/annual.csv?fiscal_year=2026", &city_session)
        .await;
    assert_eq!(
        download.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        download.body
    );
    assert_eq!(field(&download.body, "continue_method"), "get");
    for (to, expected) in [
        (
            "/reports/annual.csv?fiscal_year=2026",
            "/reports/annual.csv?fiscal_year=2026",
        ),
        ("//evil.example/", "/"),
    ] {
        let r = app
            .post_form_with_cookie(
                "/me/reauthenticate",
                &city_session,
                &[
                    ("csrf_token", &city_csrf),
                    ("password", USER_PASSWORD),
                    ("continue_to", to),
                    ("continue_method", "get"),
                    ("continue_body", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers[header::LOCATION], expected);
    }
    assert_eq!(
        app.get_with_cookie("/reports/annual.csv?fiscal_year=2026", &city_session)
            .await
            .status,
        StatusCode::OK
    );
}

on_both_backends!(
    staff_must_enrol_before_anything_else,
    sign_in_asks_for_the_code_and_takes_each_code_once,
    wrong_codes_lock_the_username,
    an_administrator_resets_a_lost_second_factor,
    the_browser_signs_in_in_two_steps,
    the_enrolment_page_shows_a_qr_code_and_the_recovery_codes,
    privileged_api_actions_ask_again_after_ten_minutes,
    protection_merges_consent_overrides_and_exports_ask_again,
    pages_ask_for_the_password_and_keep_what_was_typed,
);
