//! 多機関協働's pages: scope (404), the 支援会議's pledge (403 until given),
//! forms that keep what was typed, and the A4 print — on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::json;

struct Setup {
    app: TestApp,
    csw: (String, String),
    partner: (String, String),
    stranger: (String, String),
    partner_id: i64,
    case: i64,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    app.create_user("uketsuke", "staff", &[1]).await;
    let partner_id = app.create_user("partner", "staff", &[3]).await;
    app.create_user("tanin", "staff", &[2]).await;
    let origin = app.token("uketsuke", USER_PASSWORD).await;
    let created = app
        .post_json(
            "/api/v1/consultations",
            Some(&origin),
            &json!({"method": "phone", "person": {"name": "盛岡 花子", "kana": "もりおか はなこ"},
                    "concerns": [{"category": "債務について", "main": true}], "chief_complaint": "借金の相談",
                    "household": [{"name": "盛岡 花子", "relationship": "本人", "consent": "no"}]}),
        )
        .await
        .json();
    app.post_json(
        "/api/v1/handoffs",
        Some(&origin),
        &json!({"consultation_id": created["id"], "purpose": "multi_agency", "self_consent_reason": "支援会議で検討するため"}),
    )
    .await;
    let token = app.token("csw", USER_PASSWORD).await;
    let case = app
        .post_json(
            "/api/v1/cases",
            Some(&token),
            &json!({"consultation_id": created["id"]}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    Setup {
        csw: app.browser_sign_in("csw", USER_PASSWORD).await,
        partner: app.browser_sign_in("partner", USER_PASSWORD).await,
        stranger: app.browser_sign_in("tanin", USER_PASSWORD).await,
        partner_id,
        case,
        app,
    }
}

async fn pages_keep_their_scope_and_the_pledge_comes_first(backend: Backend) {
    let s = setup(backend).await;
    let case_path = format!("/cases/{}", s.case);
    let r = s.app.get_with_cookie(&case_path, &s.csw.0).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("盛岡 花子") && r.body.contains("同意なし・未確認"));
    let r = s.app.get_with_cookie(&case_path, &s.stranger.0).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("盛岡"));
    // The person page links the case and offers no second one while it is open.
    let person = s.app.repo().case(s.case).await.unwrap().unwrap().person_id;
    let r = s
        .app
        .get_with_cookie(&format!("/persons/{person}"), &s.csw.0)
        .await;
    assert!(r.body.contains(&format!("href=\"/cases/{}\"", s.case)));
    assert!(!r.body.contains("ケースを開く"));
    // Only the 受付機関 may change 同意 on its sheet; the form says so by being there.
    assert!(!r.body.contains("同意を変更する"));
    let (origin, origin_csrf) = s.app.browser_sign_in("uketsuke", USER_PASSWORD).await;
    let page = s
        .app
        .get_with_cookie(&format!("/persons/{person}"), &origin)
        .await;
    assert!(
        page.body.contains("同意を変更する") && page.body.contains("盛岡 花子（本人）: 同意 無")
    );
    let consultation = s
        .app
        .repo()
        .case(s.case)
        .await
        .unwrap()
        .unwrap()
        .consultation_id;
    let r2 = s
        .app
        .post_form_with_cookie(
            &format!("/consultations/{consultation}/consent"),
            &origin,
            &[
                ("csrf_token", &origin_csrf),
                ("position", "1"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(r2.status, StatusCode::SEE_OTHER);
    let case_page = s.app.get_with_cookie(&case_path, &s.csw.0).await;
    assert!(case_page.body.contains("同意あり（受付シート）"));
    let cases = s.app.get_with_cookie("/cases", &s.csw.0).await;
    assert!(cases.body.contains(&format!("/cases/{}", s.case)));
    let cases = s.app.get_with_cookie("/cases", &s.stranger.0).await;
    assert!(!cases.body.contains("盛岡 花子"));

    // Members are chosen by agency, then person.
    let meetings = s.app.get_with_cookie("/meetings", &s.csw.0).await;
    assert!(meetings.body.contains("まとめて選ぶ") && meetings.body.contains("data-picker-group"));
    // A 支援会議 with the partner as a member.
    let partner = s.partner_id.to_string();
    let r = s
        .app
        .post_form_with_cookie(
            "/meetings",
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("kind", "support_conference"),
                ("date", "令和8年12月10日"),
                ("time", "15:00"),
                ("place", "市役所"),
                ("repeat", "once"),
                ("member_user_ids", &partner),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The meeting's address, without the notice after scheduling.
    let meeting = r.headers["location"].to_str().unwrap().to_owned();
    assert!(meeting.ends_with("?done=scheduled"), "{meeting}");
    // A 支援会議 opens with the pledge, even for whoever scheduled it.
    let first = s.app.get_with_cookie(&meeting, &s.csw.0).await;
    assert_eq!(first.status, StatusCode::FORBIDDEN);
    let meeting = meeting.split('?').next().unwrap().to_owned();
    // Non-members: 404. Members before the pledge: the pledge page (403).
    let r = s.app.get_with_cookie(&meeting, &s.stranger.0).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s.app.get_with_cookie(&meeting, &s.csw.0).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("守秘義務の確認"));
    let r = s
        .app
        .get_with_cookie(&format!("{meeting}/print"), &s.csw.0)
        .await;
    assert_ne!(r.status, StatusCode::OK);
    assert!(!r.body.contains("盛岡 花子"));
    // The case goes on the agenda through the pledge page: unticked, refused.
    let case = s.case.to_string();
    let r = s
        .app
        .post_form_with_cookie(
            &format!("{meeting}/agenda"),
            &s.csw.0,
            &[("csrf_token", &s.csw.1), ("case_id", &case)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains(&format!("name=\"then_case_id\" value=\"{case}\""))
    );
    let r = s
        .app
        .post_form_with_cookie(
            &format!("{meeting}/pledge"),
            &s.csw.0,
            &[("csrf_token", &s.csw.1), ("then_case_id", &case)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = s
        .app
        .post_form_with_cookie(
            &format!("{meeting}/pledge"),
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("then_case_id", &case),
                ("pledge", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = s.app.get_with_cookie(&meeting, &s.csw.0).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("盛岡 花子") && r.body.contains("借金の相談"));
    let r = s
        .app
        .get_with_cookie(&format!("{meeting}/print"), &s.csw.0)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("取扱注意") && r.body.contains("盛岡 花子"));
    // The partner must pledge too; even then, the case page stays closed.
    let r = s.app.get_with_cookie(&meeting, &s.partner.0).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("盛岡 花子"));
    let r = s.app.get_with_cookie(&case_path, &s.partner.0).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = s
        .app
        .audit_actions()
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    for action in [
        "meeting_pledged",
        "agenda_added",
        "meeting_viewed",
        "meeting_printed",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

async fn forms_with_errors_keep_what_was_typed(backend: Backend) {
    let s = setup(backend).await;
    // The scheduling form: a bad date is named, the rest stays.
    let r = s
        .app
        .post_form_with_cookie(
            "/meetings",
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("kind", "case_conference"),
                ("title", "12月定例よりそい会議"),
                ("date", "令和8年13月1日"),
                ("time", "13:30"),
                ("place", "市保健所"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("12月定例よりそい会議") && r.body.contains("市保健所"));
    assert!(r.body.contains("開始日時"));
    // The アセスメント: nothing described, the strengths typed are kept.
    let path = format!("/cases/{}/assessment", s.case);
    let r = s
        .app
        .post_form_with_cookie(
            &path,
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("strengths", "近所に頼れる友人がいる"),
                ("concerns", "debt"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("近所に頼れる友人がいる"));
    assert!(r.body.contains("少なくとも1つの分野"));
    assert!(r.body.contains("value=\"debt\" checked"));
    // Another agency's staff may look but not work the case.
    let r = s
        .app
        .post_form_with_cookie(
            &path,
            &s.stranger.0,
            &[("csrf_token", &s.stranger.1), ("areas.housing", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Saved: the case moves on and the page shows it.
    let r = s
        .app
        .post_form_with_cookie(
            &path,
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("areas.housing", "家賃を3か月滞納"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = s
        .app
        .get_with_cookie(&format!("/cases/{}", s.case), &s.csw.0)
        .await;
    assert!(page.body.contains("家賃を3か月滞納"));
    assert!(page.body.contains(">アセスメント</span>"));
}

/// Two workers on the アセスメント: the one who opened the page before the
/// other's save sees the saved text above their own, kept in the form, and
/// saves again from there.
async fn an_assessment_saved_meanwhile_is_shown_beside_what_was_typed(backend: Backend) {
    let s = setup(backend).await;
    let case_page = format!("/cases/{}", s.case);
    let page = s.app.get_with_cookie(&case_page, &s.csw.0).await;
    let marker = "name=\"version\" value=\"";
    let at = page
        .body
        .find(marker)
        .expect("the form carries its version")
        + marker.len();
    let opened = page.body[at..at + page.body[at..].find('"').unwrap()].to_owned();
    let path = format!("/cases/{}/assessment", s.case);
    let first = s
        .app
        .post_form_with_cookie(
            &path,
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("version", &opened),
                ("areas.housing", "家賃を3か月滞納"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let late = s
        .app
        .post_form_with_cookie(
            &path,
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("version", &opened),
                ("areas.housing", "電気が止まりそう"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        late.body
            .contains("アセスメントは、開いた後に他の利用者が保存しました")
    );
    assert!(late.body.contains("家賃を3か月滞納"), "what is saved now");
    assert!(late.body.contains("電気が止まりそう"), "what was typed");
    let at = late.body.find(marker).unwrap() + marker.len();
    let now = late.body[at..at + late.body[at..].find('"').unwrap()].to_owned();
    assert_ne!(now, opened, "the form now carries the saved version");
    let again = s
        .app
        .post_form_with_cookie(
            &path,
            &s.csw.0,
            &[
                ("csrf_token", &s.csw.1),
                ("version", &now),
                ("areas.housing", "家賃を滞納、電気が止まりそう"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(
        s.app
            .get_with_cookie(&case_page, &s.csw.0)
            .await
            .body
            .contains("家賃を滞納、電気が止まりそう")
    );
}

on_both_backends!(
    an_assessment_saved_meanwhile_is_shown_beside_what_was_typed,
    pages_keep_their_scope_and_the_pledge_comes_first,
    forms_with_errors_keep_what_was_typed,
);
