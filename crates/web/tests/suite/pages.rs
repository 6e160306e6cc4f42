//! The browser-facing pages: sign-in, CSRF, cookies, headers, forms.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{ADMIN_PASSWORD, Backend, TestApp, USER_PASSWORD};

async fn pages_require_sign_in(backend: Backend) {
    let app = TestApp::new(backend).await;
    for path in [
        "/",
        "/agencies",
        "/agencies/1",
        "/departments",
        "/network",
        "/admin/users",
        "/audit",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers[header::LOCATION], "/login", "{path}");
    }
}

async fn session_cookie_is_httponly_lax_and_secure_over_tls(backend: Backend) {
    let app = TestApp::new(backend).await;
    let form = app.get("/login", None).await;
    let login_cookie = form.cookie("tsunagaru_login_csrf").unwrap();
    let csrf = form.hidden_csrf().unwrap();
    let body = serde_urlencoded::to_string([
        ("csrf_token", csrf.as_str()),
        ("username", "admin"),
        ("password", ADMIN_PASSWORD),
    ])
    .unwrap();
    let post = |proto: Option<&str>| {
        let mut request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                header::COOKIE,
                format!("tsunagaru_login_csrf={login_cookie}"),
            );
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        request.body(Body::from(body.clone())).unwrap()
    };
    let plain = app.request(post(None)).await;
    let cookie = plain
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tsunagaru_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cannot carry a Secure cookie: {cookie}"
    );
    let tls = app.request(post(Some("https"))).await;
    let cookie = tls
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tsunagaru_session="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

async fn the_login_form_refuses_a_post_without_its_csrf_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let body =
        serde_urlencoded::to_string([("username", "admin"), ("password", ADMIN_PASSWORD)]).unwrap();
    let response = app
        .request(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.contains("画面を読み込み直してから"));
    assert!(response.cookie("tsunagaru_session").is_none());
}

async fn a_wrong_password_keeps_the_username_and_says_why(backend: Backend) {
    let app = TestApp::new(backend).await;
    let form = app.get("/login", None).await;
    let login_cookie = form.cookie("tsunagaru_login_csrf").unwrap();
    let csrf = form.hidden_csrf().unwrap();
    let body = serde_urlencoded::to_string([
        ("csrf_token", csrf.as_str()),
        ("username", "admin"),
        ("password", "nope"),
    ])
    .unwrap();
    let response = app
        .request(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(
                    header::COOKIE,
                    format!("tsunagaru_login_csrf={login_cookie}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(
        response
            .body
            .contains("ユーザー名またはパスワードが違います。")
    );
    assert!(
        response.body.contains(r#"value="admin""#),
        "the username stays in the form"
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&("login_failed".into(), "admin".into()))
    );
}

async fn state_changing_posts_need_the_sessions_csrf_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (session, csrf) = app.browser_sign_in("admin", ADMIN_PASSWORD).await;
    let fields = [
        ("username", "yamada"),
        ("display_name", "山田 花子"),
        ("role", "city"),
        ("password", USER_PASSWORD),
        ("password_confirmation", USER_PASSWORD),
    ];
    let forged = app
        .post_form_with_cookie("/admin/users", &session, &fields)
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "no token");
    let mut wrong = fields.to_vec();
    wrong.push(("csrf_token", "0000"));
    assert_eq!(
        app.post_form_with_cookie("/admin/users", &session, &wrong)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        app.repo()
            .users()
            .await
            .unwrap()
            .iter()
            .all(|u| u.username != "yamada"),
        "nothing was created"
    );
    let mut right = fields.to_vec();
    right.push(("csrf_token", csrf.as_str()));
    let created = app
        .post_form_with_cookie("/admin/users", &session, &right)
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(
        app.repo()
            .users()
            .await
            .unwrap()
            .iter()
            .any(|u| u.username == "yamada")
    );
}

async fn the_user_form_keeps_what_was_typed_on_error(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (session, csrf) = app.browser_sign_in("admin", ADMIN_PASSWORD).await;
    let response = app
        .post_form_with_cookie(
            "/admin/users",
            &session,
            &[
                ("csrf_token", csrf.as_str()),
                ("username", "ｋｉｍｕｒａ"),
                ("display_name", "木村 一郎"),
                ("role", "staff"),
                ("agency_ids", "3"),
                ("agency_ids", "12"),
                ("password", "short"),
                ("password_confirmation", "other"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .body
            .contains("パスワードは12文字以上にしてください")
    );
    assert!(response.body.contains("パスワード（確認）が一致しません"));
    assert!(response.body.contains(r#"value="ｋｉｍｕｒａ""#));
    assert!(response.body.contains(r#"value="木村 一郎""#));
    assert!(
        response.body.contains(r#"value="3" checked"#)
            && response.body.contains(r#"value="12" checked"#)
    );
    assert!(
        !response.body.contains("short"),
        "passwords are never sent back"
    );
}

async fn staff_cannot_open_user_administration(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff-b", "staff", &[2]).await;
    let (session, _) = app.browser_sign_in("staff-b", USER_PASSWORD).await;
    assert_eq!(
        app.get_with_cookie("/admin/users", &session).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_with_cookie("/audit", &session).await.status,
        StatusCode::FORBIDDEN
    );
    let home = app.get_with_cookie("/", &session).await;
    assert!(
        !home.body.contains("/admin/users"),
        "the menu does not offer it"
    );
    assert!(
        home.body.contains("仁王・上田地域包括支援センター"),
        "home shows the user's agency"
    );
}

async fn every_page_carries_the_security_headers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (session, _) = app.browser_sign_in("admin", ADMIN_PASSWORD).await;
    for response in [
        app.get("/login", None).await,
        app.get_with_cookie("/agencies", &session).await,
        app.get("/api/v1/agencies", None).await,
        app.get("/no-such-page", None).await,
    ] {
        let csp = response.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(response.headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(response.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    let page = app.get_with_cookie("/agencies", &session).await;
    assert!(
        !page.body.contains("<script>") && !page.body.contains("style=\""),
        "no inline script or style"
    );
}

async fn the_directory_pages_show_the_plan(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (session, _) = app.browser_sign_in("admin", ADMIN_PASSWORD).await;
    let elderly = app
        .get_with_cookie("/agencies?field=elderly", &session)
        .await;
    assert!(
        elderly
            .body
            .contains(r#"<span id="agency-count">11</span>"#),
        "{}",
        elderly.body
    );
    let all = app.get_with_cookie("/agencies", &session).await;
    assert!(all.body.contains("もりおか子育て応援プラザ ma*mall"));
    let departments = app.get_with_cookie("/departments", &session).await;
    assert!(
        departments
            .body
            .contains(r#"<span id="department-count">33</span>"#)
    );
    assert!(departments.body.contains("水道料金の支払い"));
    let network = app.get_with_cookie("/network", &session).await;
    assert!(network.body.contains("ひきこもり支援室“ゆきわり”"));
    let missing = app.get_with_cookie("/agencies/99999", &session).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("ページが見つかりません"));
    let bad_filter = app.get_with_cookie("/agencies?field=space", &session).await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_filter
            .body
            .contains("分野のコード「space」は定義されていません")
    );
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (session, csrf) = app.browser_sign_in("admin", ADMIN_PASSWORD).await;
    let out = app
        .post_form_with_cookie("/logout", &session, &[("csrf_token", &csrf)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.headers[header::LOCATION], "/login?logged_out=1");
    let after = app.get_with_cookie("/", &session).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

async fn a_stopped_user_cannot_sign_in(backend: Backend) {
    let app = TestApp::new(backend).await;
    let id = app.create_user("leaving", "staff", &[1]).await;
    let token = app.token("leaving", USER_PASSWORD).await;
    let (session, csrf) = app.browser_sign_in("admin", ADMIN_PASSWORD).await;
    let stop = app
        .post_form_with_cookie(
            &format!("/admin/users/{id}/active"),
            &session,
            &[("csrf_token", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(stop.status, StatusCode::SEE_OTHER, "{}", stop.body);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED,
        "open sessions end"
    );
    let again = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"username": "leaving", "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "user_updated")
    );
}

on_both_backends!(
    pages_require_sign_in,
    session_cookie_is_httponly_lax_and_secure_over_tls,
    the_login_form_refuses_a_post_without_its_csrf_token,
    a_wrong_password_keeps_the_username_and_says_why,
    state_changing_posts_need_the_sessions_csrf_token,
    the_user_form_keeps_what_was_typed_on_error,
    staff_cannot_open_user_administration,
    every_page_carries_the_security_headers,
    the_directory_pages_show_the_plan,
    signing_out_ends_the_session,
    a_stopped_user_cannot_sign_in,
);
