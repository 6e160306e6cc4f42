//! Contact details of agencies and 関係各課: given by the pack, set by the
//! administrator (on the page or through the API), kept when the pack is
//! loaded again; and the directory's internal notes (出典) for the
//! administrator only — on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};
use tsunagaru_app::bootstrap;
use tsunagaru_pack::Pack;

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> common::Response {
    use axum::body::Body;
    use axum::http::{Request, header};
    app.request(
        Request::put(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// A pack whose first agency and 関係各課 No.20 give their phones (and, as
/// in `TestApp::new`, no role must use a second factor).
fn pack_with_contacts() -> Pack {
    let mut pack = Pack::morioka();
    pack.second_factor = Default::default();
    pack.agencies[0].contact.phone = "019-000-1111".into();
    pack.agencies[0].contact.hours = "平日 8:30〜17:15".into();
    let d = pack
        .departments
        .iter_mut()
        .find(|d| d.no == 20)
        .expect("消費生活センター");
    d.phone = "019-000-2020".into();
    d.extension = "2020".into();
    pack
}

async fn the_administrator_keeps_contacts_across_pack_loads(backend: Backend) {
    let app = TestApp::with_pack(backend, pack_with_contacts()).await;
    app.create_user("staff1", "staff", &[1]).await;
    let admin = app.admin_token().await;
    let staff = app.token("staff1", USER_PASSWORD).await;
    let agencies = app.get("/api/v1/agencies", Some(&staff)).await.json();
    let first = &agencies[0];
    assert_eq!(first["contact"]["phone"], "019-000-1111", "the pack's");
    assert_eq!(first["contact"]["hours"], "平日 8:30〜17:15");
    let id = first["id"].as_i64().unwrap();
    let path = format!("/api/v1/agencies/{id}/contact");

    // Only the administrator changes them; every bad field is named.
    let body = json!({"phone": "０１９－６５１－４１１１", "extension": "１２３４",
                      "fax": "019-651-4112", "email": "soudan@city.morioka.example.jp",
                      "hours": "平日 8:30〜17:15（祝日・年末年始を除く）"});
    assert_eq!(
        put(&app, &staff, &path, &body).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = put(
        &app,
        &admin,
        &path,
        &json!({"phone": "651-4111", "email": "soudan"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["phone", "email"]);
    let unknown = put(&app, &admin, &path, &json!({"telephone": "019-651-4111"})).await;
    assert_ne!(unknown.status, StatusCode::OK, "unknown fields are refused");
    let saved = put(&app, &admin, &path, &body).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let saved = saved.json();
    assert_eq!(saved["contact"]["phone"], "019-651-4111", "半角で保存");
    assert_eq!(saved["contact"]["extension"], "1234");
    assert!(saved["source"].is_string(), "the administrator reads 出典");
    assert_eq!(
        put(&app, &admin, "/api/v1/agencies/999999/contact", &body)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Loading the pack again keeps what the administrator set.
    bootstrap::load_pack(app.repo(), &pack_with_contacts(), "test")
        .await
        .unwrap();
    let after = app
        .get(&format!("/api/v1/agencies/{id}"), Some(&staff))
        .await
        .json();
    assert_eq!(after["contact"]["phone"], "019-651-4111");
    assert_eq!(after["contact"]["email"], "soudan@city.morioka.example.jp");
    assert!(
        after.get("source").is_none(),
        "出典 is the administrator's note: {after}"
    );
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|(a, _)| a == "contact_changed"));

    // The 関係各課 list shows the pack's phone with its 内線, linking its page.
    let (session, _) = app.browser_sign_in("staff1", USER_PASSWORD).await;
    let list = app.get_with_cookie("/departments", &session).await;
    assert!(list.body.contains("019-000-2020（2020）"), "{}", list.body);
    let page = app
        .get_with_cookie(&format!("/agencies/{id}"), &session)
        .await;
    assert!(page.body.contains("019-651-4111") && page.body.contains("（内線 1234）"));
    assert!(!page.body.contains("出典"), "not for staff");
    assert!(!page.body.contains("連絡先を変更する"));
}

async fn the_contact_form_keeps_what_was_typed_and_links_each_error(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (session, csrf) = app.browser_sign_in("admin", common::ADMIN_PASSWORD).await;
    let page = app.get_with_cookie("/agencies/1", &session).await;
    assert!(page.body.contains("連絡先を変更する") && page.body.contains("出典"));
    let r = app
        .post_form_with_cookie(
            "/agencies/1/contact",
            &session,
            &[
                ("csrf_token", &csrf),
                ("phone", "019-651"),
                ("hours", "平日 9時〜17時"),
                ("email", "a@b"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"019-651\"") && r.body.contains("value=\"平日 9時〜17時\""));
    assert!(
        r.body.contains("href=\"#contact-phone\"") && r.body.contains("href=\"#contact-email\"")
    );
    let r = app
        .post_form_with_cookie(
            "/agencies/1/contact",
            &session,
            &[
                ("csrf_token", &csrf),
                ("phone", "019-651-4111"),
                ("hours", "平日 9時〜17時"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app
        .get_with_cookie(r.headers["location"].to_str().unwrap(), &session)
        .await;
    assert!(page.body.contains("連絡先を保存しました"));
    assert!(page.body.contains("平日 9時〜17時"));
}

/// Two administrators change the same agency's contact details: the second,
/// made over the first with the version both read, is refused (409 in the
/// API; on the page the details as they are now above the typed form).
async fn a_contact_change_over_anothers_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = app.admin_token().await;
    let read = app.get("/api/v1/agencies/1", Some(&admin)).await.json();
    let version = read["contact_version"]
        .as_str()
        .expect("a version")
        .to_owned();
    let put_matching = |phone: &str, version: &str| {
        use axum::body::Body;
        use axum::http::{Request, header};
        let request = Request::put("/api/v1/agencies/1/contact")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::IF_MATCH, format!("\"{version}\""))
            .body(Body::from(json!({"phone": phone}).to_string()))
            .unwrap();
        let app = &app;
        async move { app.request(request).await }
    };
    let first = put_matching("019-000-1234", &version).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = put_matching("019-000-9999", &version).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let now = app.get("/api/v1/agencies/1", Some(&admin)).await.json();
    assert_eq!(now["contact"]["phone"], "019-000-1234", "not overwritten");
    // On the page, with the version the form was shown at.
    let (session, csrf) = app.browser_sign_in("admin", common::ADMIN_PASSWORD).await;
    let refused = app
        .post_form_with_cookie(
            "/agencies/1/contact",
            &session,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("phone", "019-000-5555"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("他の管理者が変更しました"));
    assert!(refused.body.contains("019-000-1234") && refused.body.contains("019-000-5555"));
    // Sent again from what the page shows now, it is saved.
    let current = now["contact_version"].as_str().unwrap().to_owned();
    let saved = app
        .post_form_with_cookie(
            "/agencies/1/contact",
            &session,
            &[
                ("csrf_token", &csrf),
                ("version", &current),
                ("phone", "019-000-5555"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

on_both_backends!(
    a_contact_change_over_anothers_is_refused,
    the_administrator_keeps_contacts_across_pack_loads,
    the_contact_form_keeps_what_was_typed_and_links_each_error,
);
