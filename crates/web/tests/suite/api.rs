//! The JSON API on SQLite and on PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::json;

const CENTERS: [&str; 11] = [
    "盛岡駅西口地域包括支援センター",
    "仁王・上田地域包括支援センター",
    "浅岸和敬荘地域包括支援センター",
    "松園・緑が丘地域包括支援センター",
    "五月園地域包括支援センター",
    "青山和敬荘地域包括支援センター",
    "みたけ・北厨川地域包括支援センター",
    "イーハトーブ地域包括支援センター",
    "地域包括支援センター川久保",
    "飯岡・永井地域包括支援センター",
    "玉山地域包括支援センター",
];

async fn agencies_lists_every_agency_of_the_plan(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let response = app.get("/api/v1/agencies", Some(&token)).await;
    assert_eq!(response.status, StatusCode::OK);
    let agencies = response.json();
    let agencies = agencies.as_array().unwrap();
    for a in agencies {
        for key in ["id", "name", "operator", "field", "programmes", "address"] {
            assert!(a.get(key).is_some(), "{key} missing in {a}");
        }
    }
    let consultation: Vec<_> = agencies
        .iter()
        .filter(|a| a["consultation"] == true)
        .collect();
    assert!(
        consultation.len() >= 17,
        "{} consultation agencies",
        consultation.len()
    );
    for center in CENTERS {
        let found = agencies
            .iter()
            .find(|a| a["name"] == center)
            .unwrap_or_else(|| panic!("{center} missing"));
        assert_eq!(found["field"], json!(["elderly"]));
        assert!(
            found["programmes"]
                .as_array()
                .unwrap()
                .contains(&json!("1-i"))
        );
    }
    let kurashi = agencies
        .iter()
        .find(|a| a["name"] == "盛岡市くらしの相談支援室")
        .unwrap();
    assert_eq!(kurashi["operator"], "(認定特非)インクルいわて");
    assert_eq!(kurashi["address"], "内丸");
    assert_eq!(kurashi["programmes"], json!(["1-ni"]));
    let hubs = agencies
        .iter()
        .filter(|a| a["programmes"] == json!(["3-ni"]))
        .count();
    assert_eq!(hubs, 9, "地域子育て支援拠点");
    let secretariat: Vec<_> = agencies
        .iter()
        .filter(|a| a["secretariat"] == true)
        .collect();
    assert_eq!(secretariat.len(), 1);
    assert_eq!(secretariat[0]["programmes"], json!(["5", "6"]));
}

async fn agencies_filter_by_field_and_programme(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let elderly = app
        .get("/api/v1/agencies?field=elderly", Some(&token))
        .await
        .json();
    let mut names: Vec<_> = elderly
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    let mut expected: Vec<_> = CENTERS.iter().map(|c| c.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    let by_label = app
        .get("/api/v1/agencies?field=%E9%AB%98%E9%BD%A2", Some(&token))
        .await
        .json();
    assert_eq!(
        by_label.as_array().unwrap().len(),
        11,
        "分野 by its Japanese label 高齢"
    );
    let outreach = app
        .get("/api/v1/agencies?programme=4", Some(&token))
        .await
        .json();
    assert_eq!(outreach.as_array().unwrap().len(), 1);
    let bad = app.get("/api/v1/agencies?programme=9", Some(&token)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("事業「9」"));
}

async fn agency_detail_has_its_catchment(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let all = app.get("/api/v1/agencies", Some(&token)).await.json();
    let id = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "玉山地域包括支援センター")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let detail = app
        .get(&format!("/api/v1/agencies/{id}"), Some(&token))
        .await
        .json();
    assert_eq!(
        detail["catchment_areas"],
        json!(["巻堀", "好摩", "渋民", "玉山", "藪川"])
    );
    let towns = detail["catchment_towns"].as_array().unwrap();
    assert_eq!(towns.len(), 16);
    assert_eq!(towns[0], "芋田字");
    assert!(towns.contains(&json!("玉山永井字")));
    let missing = app.get("/api/v1/agencies/99999", Some(&token)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn departments_answer_the_33_rows(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let departments = app.get("/api/v1/departments", Some(&token)).await.json();
    let rows = departments.as_array().unwrap();
    assert_eq!(rows.len(), 33);
    assert_eq!(rows[0]["name"], "地域福祉課");
    assert_eq!(rows[0]["main_content"], "重層事業の主管課・民生児童委員");
    assert_eq!(rows[14]["name"], "納税課");
    assert_eq!(rows[32]["division"], "上下水道部");
    let community_only: Vec<_> = rows
        .iter()
        .filter(|d| d["consultation"] == false)
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        community_only,
        [
            "都市戦略室",
            "市民協働推進課",
            "おでかけ支援対策室",
            "農政課"
        ]
    );
}

async fn the_api_requires_a_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    for path in [
        "/api/v1/agencies",
        "/api/v1/departments",
        "/api/v1/me",
        "/api/v1/users",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            response.json()["error"]
                .as_str()
                .unwrap()
                .contains("ログインが必要です")
        );
        let forged = app.get(path, Some("not-a-token")).await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

async fn a_wrong_password_answers_401_and_is_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let response = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"username": "admin", "password": "wrong"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json()["error"],
        "ユーザー名またはパスワードが違います。"
    );
    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"username": "nobody", "password": "x"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.json()["error"],
        response.json()["error"],
        "an unknown user looks the same"
    );
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&("login_failed".into(), "admin".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("login_failed".into(), "nobody".into())),
        "{actions:?}"
    );
    let malformed = app
        .post_json("/api/v1/auth/login", None, &json!({"user": "admin"}))
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let malformed = malformed.json();
    assert!(
        malformed["error"]
            .as_str()
            .unwrap()
            .starts_with("JSON の内容を読み取れません"),
        "{malformed}"
    );
    assert_eq!(malformed["errors"][0]["field"], "username");
    assert_eq!(
        malformed["errors"][0]["message"],
        "「username」を指定してください"
    );
}

async fn repeated_failures_lock_the_username(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..5 {
        let r = app
            .post_json(
                "/api/v1/auth/login",
                None,
                &json!({"username": "admin", "password": "wrong"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let with_right_password = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"username": "admin", "password": common::ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(with_right_password.status, StatusCode::UNAUTHORIZED);
    assert!(
        with_right_password.json()["error"]
            .as_str()
            .unwrap()
            .contains("一時的にログインできません")
    );
    let actions = app.audit_actions().await;
    assert!(
        actions.iter().any(|(a, _)| a == "login_locked"),
        "{actions:?}"
    );
}

/// An administrator sees the locked names and lifts a lock before it
/// expires; names that last failed a day ago are forgotten; an
/// administrator sees a user's sessions (never their tokens) and ends them.
async fn administrators_lift_locks_and_end_sessions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user_id = app.create_user("tanaka", "staff", &[1]).await;
    let staff = app.token("tanaka", USER_PASSWORD).await;
    let admin = app.admin_token().await;
    let login = |name: &str, password: &str| {
        let body = json!({"username": name, "password": password});
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", None, &body).await }
    };
    for _ in 0..5 {
        assert_eq!(
            login("tanaka", "wrong").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("tanaka", USER_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let locks = app.get("/api/v1/admin/locks", Some(&admin)).await;
    assert_eq!(locks.status, StatusCode::OK);
    let list = locks.json();
    assert_eq!(list["locks"][0]["username"], "tanaka", "{list}");
    assert!(
        list["locks"][0]["locked_until"]
            .as_str()
            .unwrap()
            .ends_with("+09:00")
    );
    assert_eq!(
        app.get("/api/v1/admin/locks", Some(&staff)).await.status,
        StatusCode::FORBIDDEN
    );
    // The administrator's page lists the lock with its 解除 button.
    let (page, csrf) = app.browser_sign_in("admin", common::ADMIN_PASSWORD).await;
    let users_page = app.get_with_cookie("/admin/users", &page).await;
    assert!(users_page.body.contains("ログイン停止中のユーザー名"));
    assert!(
        users_page
            .body
            .contains("name=\"username\" value=\"tanaka\""),
        "{}",
        users_page.body
    );
    let lift = app
        .post_json("/api/v1/admin/locks/tanaka/lift", Some(&admin), &json!({}))
        .await;
    assert_eq!(lift.status, StatusCode::OK, "{}", lift.body);
    assert_eq!(login("tanaka", USER_PASSWORD).await.status, StatusCode::OK);
    assert_eq!(
        app.post_json("/api/v1/admin/locks/tanaka/lift", Some(&admin), &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no lock to lift"
    );
    // Four failures are forgotten a day after the last one (sign-in limits
    // run on real time: the store is asked as of two days later).
    for _ in 0..4 {
        login("tanaka", "wrong").await;
    }
    let policy = tsunagaru_domain::LoginPolicy::default();
    let later = chrono::Utc::now() + chrono::Duration::days(2);
    let repo = app.repo();
    repo.reserve_login_attempt("someone-else", &policy, later)
        .await
        .unwrap()
        .unwrap();
    let next = repo
        .reserve_login_attempt("tanaka", &policy, later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.failures, 1, "the old failures were purged");
    repo.clear_login_throttle("tanaka").await.unwrap();
    // Sessions: two API sign-ins and a browser one, seen and ended.
    let first = app.token("tanaka", USER_PASSWORD).await;
    app.browser_sign_in("tanaka", USER_PASSWORD).await;
    let seen = app
        .get(&format!("/api/v1/users/{user_id}/sessions"), Some(&admin))
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    let sessions = seen.json()["sessions"].as_array().unwrap().clone();
    assert!(sessions.len() >= 3, "{sessions:?}");
    assert!(sessions.iter().any(|s| s["kind"] == "web"));
    assert!(
        !seen.body.contains("token"),
        "tokens are never shown: {}",
        seen.body
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{user_id}/sessions"), Some(&staff))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/users/99999/sessions", Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let sessions_page = app
        .get_with_cookie(&format!("/admin/users/{user_id}/sessions"), &page)
        .await;
    assert_eq!(sessions_page.status, StatusCode::OK);
    assert!(sessions_page.body.contains("ブラウザ") && sessions_page.body.contains("API"));
    let ended_page = app
        .post_form_with_cookie(
            &format!("/admin/users/{user_id}/sessions/end"),
            &page,
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(ended_page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let after = app
        .get_with_cookie(
            &format!("/admin/users/{user_id}/sessions?done=ended"),
            &page,
        )
        .await;
    assert!(after.body.contains("すべてのセッションを終了しました"));
    assert!(after.body.contains("使われているセッションはありません"));
    // Signed in again through the API, ended through the API.
    let first = app.token("tanaka", USER_PASSWORD).await;
    let ended = app
        .post_json(
            &format!("/api/v1/users/{user_id}/sessions/end"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.json()["ended"], 1);
    assert_eq!(
        app.get("/api/v1/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let actions: Vec<String> = app
        .audit_actions()
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(actions.iter().any(|a| a == "lock_lifted"), "{actions:?}");
    assert!(actions.iter().any(|a| a == "sessions_ended"), "{actions:?}");
}

/// An administrator asks a user for a new password: the user's sessions end,
/// and signed in again they can do nothing but set it (403 in the API, the
/// form in the browser); set, everything works again and the old password
/// no longer does.
async fn an_administrator_makes_a_user_change_their_password(backend: Backend) {
    let app = TestApp::new(backend).await;
    let user_id = app.create_user("tanaka", "staff", &[1]).await;
    let old = app.token("tanaka", USER_PASSWORD).await;
    let admin = app.admin_token().await;
    let staff_self = app
        .post_json(
            &format!("/api/v1/users/{user_id}/require-password-change"),
            Some(&old),
            &json!({}),
        )
        .await;
    assert_eq!(staff_self.status, StatusCode::FORBIDDEN);
    let asked = app
        .post_json(
            &format!("/api/v1/users/{user_id}/require-password-change"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert_eq!(
        app.get("/api/v1/me", Some(&old)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let token = app.token("tanaka", USER_PASSWORD).await;
    let blocked = app.get("/api/v1/cases", Some(&token)).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert!(
        blocked.body.contains("/api/v1/me/password"),
        "{}",
        blocked.body
    );
    let (page, csrf) = app.browser_sign_in("tanaka", USER_PASSWORD).await;
    let home = app.get_with_cookie("/", &page).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(
        home.headers.get(axum::http::header::LOCATION).unwrap(),
        "/me/password"
    );
    let form = app.get_with_cookie("/me/password", &page).await;
    assert!(form.body.contains("管理者がパスワードの変更を求めています"));
    // A wrong current password and a weak new one are named.
    let refused = app
        .post_json(
            "/api/v1/me/password",
            Some(&token),
            &json!({"current_password": "nope", "new_password": "P@ssw0rd-2026!"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("現在のパスワードが違います"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("よく使われるパスワード"),
        "{}",
        refused.body
    );
    // Set on the page: the browser session stays, the API token ends.
    let changed = app
        .post_form_with_cookie(
            "/me/password",
            &page,
            &[
                ("csrf_token", csrf.as_str()),
                ("current_password", USER_PASSWORD),
                ("new_password", "Kitakami-River-Walk-7"),
                ("new_password_confirmation", "Kitakami-River-Walk-7"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let home = app.get_with_cookie("/?done=password", &page).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("パスワードを変更しました"));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let old_password = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"username": "tanaka", "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(old_password.status, StatusCode::UNAUTHORIZED);
    let fresh = app.token("tanaka", "Kitakami-River-Walk-7").await;
    let me = app.get("/api/v1/me", Some(&fresh)).await.json();
    assert_eq!(me["must_change_password"], false);
    assert_eq!(
        app.get("/api/v1/cases", Some(&fresh)).await.status,
        StatusCode::OK
    );
}

async fn a_successful_sign_in_resets_the_failure_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let wrong = json!({"username": "admin", "password": "wrong"});
    for _ in 0..4 {
        app.post_json("/api/v1/auth/login", None, &wrong).await;
    }
    app.admin_token().await;
    for _ in 0..4 {
        app.post_json("/api/v1/auth/login", None, &wrong).await;
    }
    app.admin_token().await;
}

async fn admin_creates_a_user_who_can_sign_in(backend: Backend) {
    let app = TestApp::new(backend).await;
    let agencies = app
        .get("/api/v1/agencies", Some(&app.admin_token().await))
        .await
        .json();
    let center = agencies[0]["id"].as_i64().unwrap();
    let id = app.create_user("sato.hanako", "staff", &[center]).await;
    let token = app.token("sato.hanako", USER_PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&token)).await.json();
    assert_eq!(me["id"], id);
    assert_eq!(me["role"], "staff");
    assert_eq!(me["agency_ids"], json!([center]));
    // Staff cannot create users.
    let refused = app
        .post_json(
            "/api/v1/users",
            Some(&token),
            &json!({"username": "x-user", "password": USER_PASSWORD, "display_name": "x", "agency_ids": [center], "role": "admin"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&("user_created".into(), "admin".into())),
        "{actions:?}"
    );
}

async fn weak_passwords_and_taken_usernames_answer_422_in_japanese(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let weak = app
        .post_json(
            "/api/v1/users",
            Some(&token),
            &json!({"username": "tanaka", "password": "tanaka123", "display_name": "田中", "agency_ids": [1], "role": "staff"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = weak.json()["problems"].clone();
    assert!(
        problems
            .as_array()
            .unwrap()
            .contains(&json!("パスワードは12文字以上にしてください")),
        "{problems}"
    );
    assert!(
        problems
            .as_array()
            .unwrap()
            .contains(&json!("パスワードにユーザー名を含めることはできません"))
    );
    // The most common passwords, dressed up or not, and the city's name.
    for (password, says) in [
        ("P@ssw0rd-2026!", "よく使われるパスワード"),
        ("Qwerty123456!x", "よく使われるパスワード"),
        ("Morioka-Kita-2026!", "「morioka」を含めることはできません"),
        ("盛岡Kitakami#2026", "「盛岡」を含めることはできません"),
        ("Kitakami#Iwate-26", "「iwate」を含めることはできません"),
    ] {
        let refused = app
            .post_json(
                "/api/v1/users",
                Some(&token),
                &json!({"username": "kato", "password": password, "display_name": "加藤", "agency_ids": [1], "role": "staff"}),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        assert!(refused.body.contains(says), "{password}: {}", refused.body);
    }
    app.create_user("tanaka", "staff", &[1]).await;
    let taken = app
        .post_json(
            "/api/v1/users",
            Some(&token),
            &json!({"username": "ＴＡＮＡＫＡ", "password": USER_PASSWORD, "display_name": "田中", "agency_ids": [1], "role": "staff"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        taken.json()["error"],
        "ユーザー名「tanaka」は既に使われています"
    );
    let bad_role = app
        .post_json(
            "/api/v1/users",
            Some(&token),
            &json!({"username": "suzuki", "password": USER_PASSWORD, "display_name": "鈴木", "agency_ids": [99999], "role": "boss"}),
        )
        .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = bad_role.json()["error"].as_str().unwrap().to_owned();
    assert!(text.contains("役割「boss」は定義されていません"), "{text}");
    assert!(
        text.contains("所属機関 ID 99999 は登録されていません"),
        "{text}"
    );
}

async fn sessions_end_after_idle_and_absolute_limits(backend: Backend) {
    use chrono::{Duration, Utc};
    use tsunagaru_domain::{AuditAction, NewAuditEvent};
    use tsunagaru_store::{NewSession, SessionKind};
    use tsunagaru_web::auth::{new_token, token_hash};
    let app = TestApp::new(backend).await;
    let admin = app.repo().users().await.unwrap()[0].id;
    let mut tokens = Vec::new();
    for minutes_ago in [29, 31, 13 * 60, 45] {
        let token = new_token();
        app.repo()
            .create_session(
                NewSession {
                    token_hash: token_hash(&token),
                    user_id: admin,
                    kind: SessionKind::Api,
                    csrf_token: new_token(),
                    created_at: Utc::now() - Duration::minutes(minutes_ago),
                },
                NewAuditEvent::new(AuditAction::LoginSucceeded, "admin"),
            )
            .await
            .unwrap();
        tokens.push(token);
    }
    assert_eq!(
        app.get("/api/v1/me", Some(&tokens[0])).await.status,
        StatusCode::OK,
        "used 29 minutes ago"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&tokens[1])).await.status,
        StatusCode::UNAUTHORIZED,
        "idle 31 minutes"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&tokens[2])).await.status,
        StatusCode::UNAUTHORIZED,
        "13 hours old"
    );
}

async fn logout_ends_the_token(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let response = app
        .post_json("/api/v1/auth/logout", Some(&token), &json!({}))
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(app.audit_actions().await.iter().any(|(a, _)| a == "logout"));
}

/// Properties named as dates (`…_on`, `birth_date`) or instants (`…_at`,
/// `at`, `since`) without a `format`; a time of day (`support_conference_at`)
/// is not a date-time.
fn undeclared_dates(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                for (name, schema) in props {
                    let dated = name.ends_with("_on")
                        || name.ends_with("_at")
                        || matches!(name.as_str(), "on" | "at" | "since" | "birth_date");
                    let string = schema.get("type").and_then(|t| t.as_str()) == Some("string");
                    if dated
                        && string
                        && name != "support_conference_at"
                        && schema.get("format").is_none()
                    {
                        out.push(format!("{path}.{name}"));
                    }
                }
            }
            for (key, child) in map {
                undeclared_dates(child, &format!("{path}/{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                undeclared_dates(item, path, out);
            }
        }
        _ => {}
    }
}

async fn openapi_documents_every_route_it_names(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = app.get("/api/openapi.json", None).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/healthz", "get"),
        ("/api/openapi.json", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/desk", "get"),
        ("/api/v1/agencies", "get"),
        ("/api/v1/agencies/{id}/contact", "put"),
        ("/api/v1/agencies/{id}", "get"),
        ("/api/v1/departments", "get"),
        ("/api/v1/network-members", "get"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/audit-events", "get"),
        ("/api/v1/users/{id}/sessions", "get"),
        ("/api/v1/users/{id}/require-password-change", "post"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/me/totp", "post"),
        ("/api/v1/me/totp/confirm", "post"),
        ("/api/v1/me/reauthenticate", "post"),
        ("/api/v1/users/{id}/totp/reset", "post"),
        ("/api/v1/users/{id}/sessions/end", "post"),
        ("/api/v1/admin/locks", "get"),
        ("/api/v1/admin/locks/{username}/lift", "post"),
        ("/api/v1/address/route", "get"),
        ("/api/v1/address/postal/{code}", "get"),
        ("/api/v1/consultations", "post"),
        ("/api/v1/consultations/{id}", "get"),
        ("/api/v1/consultations/{id}/consent", "post"),
        ("/api/v1/persons", "get"),
        ("/api/v1/persons/{id}", "get"),
        ("/api/v1/persons/{id}", "put"),
        ("/api/v1/persons/{id}/notes", "post"),
        ("/api/v1/persons/{id}/protection", "post"),
        ("/api/v1/persons/merge", "post"),
        ("/api/v1/persons/{id}/unmerge", "post"),
        ("/api/v1/handoffs", "post"),
        ("/api/v1/handoffs", "get"),
        ("/api/v1/handoffs/{id}", "get"),
        ("/api/v1/handoffs/{id}/receive", "post"),
        ("/api/v1/handoffs/{id}/report", "post"),
        ("/api/v1/handoffs/{id}/acknowledge", "post"),
        ("/api/v1/handoffs/{id}/return", "post"),
        ("/api/v1/handoffs/{id}/withdraw", "post"),
        ("/api/v1/reports/annual", "get"),
        ("/api/v1/reports/annual.csv", "get"),
        ("/api/v1/trainings", "get"),
        ("/api/v1/trainings", "post"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases/{id}", "get"),
        ("/api/v1/cases/{id}/assessment", "post"),
        ("/api/v1/cases/{id}/plans", "post"),
        ("/api/v1/cases/{id}/consent", "post"),
        ("/api/v1/cases/{id}/monitoring", "post"),
        ("/api/v1/cases/{id}/resume", "post"),
        ("/api/v1/cases/{id}/close", "post"),
        ("/api/v1/cases/{id}/return", "post"),
        ("/api/v1/meetings", "post"),
        ("/api/v1/meetings", "get"),
        ("/api/v1/meetings/{id}", "get"),
        ("/api/v1/meetings/{id}/pledge", "post"),
        ("/api/v1/meetings/{id}/agenda", "post"),
        ("/api/v1/meetings/{id}/minutes", "post"),
        ("/api/v1/meetings/{id}/attendees", "post"),
        ("/api/v1/meetings/{id}/attendance", "post"),
        ("/api/v1/meetings/{id}/links", "post"),
        ("/api/v1/meetings/{id}/decisions", "post"),
        ("/api/v1/tasks", "get"),
        ("/api/v1/tasks/{id}/done", "post"),
        ("/api/v1/tasks/{id}/reopen", "post"),
        ("/api/v1/outreach", "get"),
        ("/api/v1/outreach", "post"),
        ("/api/v1/outreach/{id}", "get"),
        ("/api/v1/outreach/{id}/attempts", "post"),
        ("/api/v1/participation/menus", "get"),
        ("/api/v1/participation/menus", "post"),
        ("/api/v1/participation/menus/{id}", "get"),
        ("/api/v1/participation/menus/{id}/host-supports", "post"),
        ("/api/v1/participation/matches", "post"),
        ("/api/v1/participation/matches/{id}", "get"),
        ("/api/v1/participation/matches/{id}/follow-ups", "post"),
        ("/api/v1/resources", "get"),
        ("/api/v1/resources", "post"),
        ("/api/v1/resources/{id}", "get"),
        ("/api/v1/resources/hsds", "get"),
        ("/api/v1/resources/csv", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/events", "post"),
        ("/api/v1/events/{id}", "get"),
        ("/api/v1/events/{id}/consultations", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    // Every date and date-time the document names declares its format
    // (RFC 3339: `date-time` for instants and meeting starts, `date` for days).
    let mut undeclared = Vec::new();
    undeclared_dates(&doc, "", &mut undeclared);
    assert!(undeclared.is_empty(), "no format: {undeclared:?}");
    // Every documented GET is served: the API's answer for an unknown route
    // never comes back (a handler's own 404 for an absent record may).
    let token = app.admin_token().await;
    for (path, item) in paths {
        if item.get("get").is_some() {
            let concrete = path
                .replace("{id}", "1")
                .replace("{code}", "0200114")
                .replace("/route", "/route?q=x");
            let concrete = if concrete == "/api/v1/persons" {
                "/api/v1/persons?q=x".to_owned()
            } else {
                concrete
            };
            let response = app.get(&concrete, Some(&token)).await;
            assert!(
                !response.body.contains("この API はありません"),
                "{path} is documented but not served"
            );
        }
    }
    let unknown = app.get("/api/v1/nothing-here", Some(&token)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let message = unknown.json()["error"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("この API はありません"),
        "the API answers JSON, not a page: {message}"
    );
    // An id that is not a number names no record: 404, in Japanese, as JSON or a page.
    for path in [
        "/api/v1/cases/abc",
        "/api/v1/persons/99999999999999999999",
        "/api/v1/meetings/%E4%B8%80",
    ] {
        let r = app.get(path, Some(&token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json()["error"], "見つかりません", "{path}");
    }
    let (session, _) = app.browser_sign_in("admin", common::ADMIN_PASSWORD).await;
    let page = app.get_with_cookie("/agencies/abc", &session).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("ページが見つかりません"));
}

async fn auditors_read_the_log_and_staff_cannot(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("kansa", "auditor", &[]).await;
    app.create_user("staff-a", "staff", &[1]).await;
    let auditor = app.token("kansa", USER_PASSWORD).await;
    let events = app
        .get("/api/v1/audit-events?limit=5", Some(&auditor))
        .await;
    assert_eq!(events.status, StatusCode::OK);
    let events = events.json()["events"].clone();
    assert_eq!(events.as_array().unwrap().len(), 5);
    assert_eq!(
        events[0]["action"], "audit_log_viewed",
        "reading the log is itself audited"
    );
    let staff = app.token("staff-a", USER_PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/audit-events", Some(&staff)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/users", Some(&auditor)).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn the_address_api_routes_and_looks_up_postal_codes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let q = "〒020-0114 盛岡市高松４－５－１ 高松ハイツ１０１";
    let url = format!(
        "/api/v1/address/route?q={}",
        serde_urlencoded::to_string([("", q)])
            .unwrap()
            .trim_start_matches('=')
    );
    let route = app.get(&url, Some(&token)).await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    assert_eq!(
        route.json(),
        json!({
            "input": q,
            "status": "routed",
            "center": "松園・緑が丘地域包括支援センター",
            "candidates": ["松園・緑が丘地域包括支援センター"],
            "town": "高松",
            "normalized": "岩手県盛岡市高松四丁目5-1",
        })
    );
    let ambiguous = app
        .get(
            "/api/v1/address/route?q=%E7%9B%9B%E5%B2%A1%E5%B8%82%E9%AB%98%E6%9D%BE",
            Some(&token),
        )
        .await
        .json();
    assert_eq!(ambiguous["status"], "ambiguous");
    assert_eq!(ambiguous["candidates"].as_array().unwrap().len(), 2);
    let missing = app.get("/api/v1/address/route", Some(&token)).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("q に指定してください")
    );
    assert_eq!(
        app.get("/api/v1/address/route?q=x", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    let postal = app
        .get("/api/v1/address/postal/020-0204", Some(&token))
        .await;
    assert_eq!(postal.status, StatusCode::OK);
    assert_eq!(
        postal.json()["towns"],
        json!([{"town": "上田", "town_kana": "ウエダ", "note": "糠森、小野松"}])
    );
    let full_width = app.get("/api/v1/address/postal/%EF%BC%90%EF%BC%92%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%91%EF%BC%94", Some(&token)).await;
    assert_eq!(full_width.json()["towns"][0]["town"], "高松");
    let elsewhere = app
        .get("/api/v1/address/postal/1000001", Some(&token))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert!(
        elsewhere.json()["error"]
            .as_str()
            .unwrap()
            .contains("盛岡市の町名にありません")
    );
    assert_eq!(
        app.get("/api/v1/address/postal/12", Some(&token))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

/// Failures of the framework's extractors answer the same JSON as the
/// application's: a Japanese `error` and the field in `errors` — a query
/// string, a body, a content type, a path, a method.
async fn every_api_failure_is_json_in_japanese(backend: Backend) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let bearer = format!("Bearer {token}");
    let send = |request: axum::http::request::Builder, body: &'static str| {
        let request = request
            .header(header::AUTHORIZATION, bearer.clone())
            .body(Body::from(body))
            .unwrap();
        app.request(request)
    };
    let check = |r: &common::Response, status: StatusCode, field: Option<&str>| {
        assert_eq!(r.status, status, "{}", r.body);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{:?}",
            r.headers
        );
        let body = r.json();
        let error = body["error"].as_str().unwrap();
        assert!(!error.is_ascii() && !error.contains("Failed"), "{error}");
        if let Some(field) = field {
            assert_eq!(body["errors"][0]["field"], field, "{body}");
            assert!(
                !body["errors"][0]["message"].as_str().unwrap().is_ascii(),
                "{body}"
            );
        }
    };
    let r = send(Request::get("/api/v1/audit-events?limit=abc"), "").await;
    check(&r, StatusCode::BAD_REQUEST, Some("limit"));
    let r = send(
        Request::get("/api/v1/handoffs?status=sent&status=received"),
        "",
    )
    .await;
    check(&r, StatusCode::BAD_REQUEST, Some("status"));
    let r = send(Request::post("/api/v1/users"), "{}").await;
    check(&r, StatusCode::BAD_REQUEST, Some("content-type"));
    let r = send(
        Request::post("/api/v1/users").header(header::CONTENT_TYPE, "application/json"),
        "{\"username\": ",
    )
    .await;
    check(&r, StatusCode::BAD_REQUEST, Some("body"));
    let r = send(
        Request::post("/api/v1/users").header(header::CONTENT_TYPE, "application/json"),
        "{\"username\": 1}",
    )
    .await;
    check(&r, StatusCode::BAD_REQUEST, Some("username"));
    let r = send(Request::delete("/api/v1/users"), "").await;
    check(&r, StatusCode::METHOD_NOT_ALLOWED, None);
    assert!(
        r.headers.get(header::ALLOW).is_some(),
        "405 keeps its Allow"
    );
    let r = send(Request::get("/api/v1/users/abc/sessions"), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"], "見つかりません");
}

/// A signed-in request knows its user as stored: every agency of a user of
/// several (in order), none of the administrator, and the user's flags.
async fn a_session_carries_its_user_with_every_agency(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("both", "staff", &[3, 1]).await;
    let token = app.token("both", USER_PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["username"], "both");
    assert_eq!(me.json()["role"], "staff");
    assert_eq!(me.json()["agency_ids"], json!([1, 3]));
    assert_eq!(me.json()["totp_enabled"], false);
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/me", Some(&admin)).await;
    assert_eq!(me.json()["agency_ids"], json!([]));
    assert_eq!(me.json()["role"], "admin");
}

on_both_backends!(
    a_session_carries_its_user_with_every_agency,
    every_api_failure_is_json_in_japanese,
    agencies_lists_every_agency_of_the_plan,
    agencies_filter_by_field_and_programme,
    agency_detail_has_its_catchment,
    departments_answer_the_33_rows,
    the_api_requires_a_token,
    a_wrong_password_answers_401_and_is_audited,
    repeated_failures_lock_the_username,
    administrators_lift_locks_and_end_sessions,
    an_administrator_makes_a_user_change_their_password,
    a_successful_sign_in_resets_the_failure_count,
    admin_creates_a_user_who_can_sign_in,
    weak_passwords_and_taken_usernames_answer_422_in_japanese,
    sessions_end_after_idle_and_absolute_limits,
    logout_ends_the_token,
    openapi_documents_every_route_it_names,
    auditors_read_the_log_and_staff_cannot,
    the_address_api_routes_and_looks_up_postal_codes,
);
