//! The worker's desk on the home page and in `GET /api/v1/me/desk`: what
//! the worker has in hand, the persons they opened lately, what arrived
//! since the sign-in before this one, and the undo of a task's 完了 — on
//! SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};

fn sheet(name: &str, kana: &str, received_on: &str) -> Value {
    json!({"method": "phone", "received_on": received_on,
     "person": {"name": name, "kana": kana},
     "concerns": [{"category": "収入・生活費のこと", "main": true}],
     "chief_complaint": "生活費が心配",
     "household": [{"name": name, "relationship": "本人", "consent": "yes"}]})
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.post_json(path, Some(token), &body).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.body);
    r.json()
}

async fn desk(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/me/desk", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_desk_shows_what_is_in_hand_and_what_arrived(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.state
        .clock
        .set(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    app.create_user("okuru", "staff", &[1]).await;
    app.create_user("ukeru", "staff", &[2]).await;
    app.create_user("kaesu", "staff", &[3]).await;
    app.create_user("tanin", "staff", &[4]).await;
    let okuru = app.token("okuru", USER_PASSWORD).await;
    let ukeru = app.token("ukeru", USER_PASSWORD).await;
    let kaesu = app.token("kaesu", USER_PASSWORD).await;
    let tanin = app.token("tanin", USER_PASSWORD).await;

    // First sign-ins to the pages: nothing has arrived "since" yet.
    let (okuru_page, _) = app.browser_sign_in("okuru", USER_PASSWORD).await;
    let (ukeru_page, _) = app.browser_sign_in("ukeru", USER_PASSWORD).await;
    let home = app.get_with_cookie("/", &okuru_page).await;
    assert!(
        home.body.contains("はじめてのログインです"),
        "{}",
        home.body
    );
    assert!(home.body.contains("対応中の相談はありません"));

    // Three sheets: one sent on, one returned by its receiver, one old and
    // done with at the desk (not in hand any more).
    let sent = post(
        &app,
        &okuru,
        "/api/v1/consultations",
        sheet("盛岡 花子", "もりおか はなこ", "2026-11-20"),
    )
    .await;
    let returned = post(
        &app,
        &okuru,
        "/api/v1/consultations",
        sheet("上田 次郎", "うえだ じろう", "2026-11-25"),
    )
    .await;
    let old = post(
        &app,
        &okuru,
        "/api/v1/consultations",
        sheet("古川 三郎", "ふるかわ さぶろう", "2026-09-01"),
    )
    .await;
    let to_two = post(&app, &okuru, "/api/v1/handoffs",
        json!({"consultation_id": sent["id"], "to_agency_ids": [2], "notes": {"requests": "訪問をお願いします"}})).await;
    let to_two = to_two["handoffs"][0]["id"].as_i64().unwrap();
    let to_three = post(
        &app,
        &okuru,
        "/api/v1/handoffs",
        json!({"consultation_id": returned["id"], "to_agency_ids": [3]}),
    )
    .await;
    let to_three = to_three["handoffs"][0]["id"].as_i64().unwrap();

    let mine = desk(&app, &okuru).await;
    let sheets = &mine["sheets"];
    assert_eq!(
        names(sheets, "person_name"),
        ["上田 次郎", "盛岡 花子"],
        "newest first; the old sheet without handoff or case is not in hand: {mine}"
    );
    assert_eq!(sheets[1]["status"], "引継ぎ中 1件");
    assert!(
        sheets[1]["received_label"]
            .as_str()
            .unwrap()
            .starts_with("令和8年11月20日")
    );
    assert!(!names(sheets, "person_name").contains(&"古川 三郎".to_owned()));
    assert!(old["id"].is_i64());

    // The receiver takes it: it is in their hand until they report.
    post(
        &app,
        &ukeru,
        &format!("/api/v1/handoffs/{to_two}/receive"),
        json!({}),
    )
    .await;
    let theirs = desk(&app, &ukeru).await;
    assert_eq!(theirs["handoffs"][0]["handoff_id"], to_two);
    assert_eq!(theirs["handoffs"][0]["person_name"], "盛岡 花子");
    assert_eq!(theirs["handoffs"][0]["state_label"], "受領");
    // In the API session, "since" is the last sign-in to the pages.
    assert_eq!(theirs["arrivals"][0]["kind"], "send", "{theirs}");
    assert_eq!(theirs["arrivals"][0]["what"], "引継ぎが届きました");
    assert!(theirs["since"].as_str().unwrap().ends_with("+09:00"));
    post(
        &app,
        &ukeru,
        &format!("/api/v1/handoffs/{to_two}/report"),
        json!({"response": "12月1日に訪問します"}),
    )
    .await;
    assert_eq!(desk(&app, &ukeru).await["handoffs"], json!([]));
    post(
        &app,
        &kaesu,
        &format!("/api/v1/handoffs/{to_three}/return"),
        json!({"reason": "当機関の対象ではありません", "suggested_agency_id": 2}),
    )
    .await;

    // Since okuru's sign-in to the pages, the report and the 差戻し arrived.
    let mine = desk(&app, &okuru).await;
    let arrivals = &mine["arrivals"];
    assert_eq!(names(arrivals, "kind"), ["return", "report"], "{mine}");
    assert_eq!(arrivals[0]["person_name"], "上田 次郎");
    let agency_two = app.get("/api/v1/agencies/2", Some(&okuru)).await.json();
    assert_eq!(
        arrivals[1]["agency"], agency_two["name"],
        "from the receiver"
    );
    assert_eq!(mine["sheets"][0]["status"], "差戻しあり");
    // On the pages, "since" is the sign-in before this one.
    let (okuru_page, _) = app.browser_sign_in("okuru", USER_PASSWORD).await;
    let home = app.get_with_cookie("/", &okuru_page).await;
    assert_eq!(home.status, StatusCode::OK);
    for text in [
        "前回のログイン",
        "報告が届きました（盛岡 花子 さん）",
        "差戻しがありました（上田 次郎 さん）",
        "自分の対応中の相談",
        "差戻しあり",
        &format!("href=\"/consultations/{}\"", returned["id"]),
    ] {
        assert!(home.body.contains(text), "{text}");
    }

    // Persons opened lately, the latest first; each once.
    let hanako = sent["person_id"].as_i64().unwrap();
    let jiro = returned["person_id"].as_i64().unwrap();
    for id in [hanako, jiro, hanako] {
        let r = app
            .get_with_cookie(&format!("/persons/{id}"), &okuru_page)
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let mine = desk(&app, &okuru).await;
    assert_eq!(
        names(&mine["recent_persons"], "name"),
        ["盛岡 花子", "上田 次郎"]
    );
    let home = app.get_with_cookie("/", &okuru_page).await;
    assert!(home.body.contains(&format!(
        "href=\"/persons/{hanako}\">盛岡 花子</a> <small>（もりおか はなこ）"
    )));

    // Another agency's worker has none of it, and reading a desk is audited.
    let other = desk(&app, &tanin).await;
    assert_eq!(other["sheets"], json!([]));
    assert_eq!(other["arrivals"], json!([]));
    assert_eq!(other["recent_persons"], json!([]));
    let viewed = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(a, _)| a == "desk_viewed")
        .count();
    assert!(viewed >= 6, "{viewed}");
    // The receiver's second sign-in to the pages starts a new "since".
    drop(ukeru_page);
    let (ukeru_page, _) = app.browser_sign_in("ukeru", USER_PASSWORD).await;
    let home = app.get_with_cookie("/", &ukeru_page).await;
    assert!(home.body.contains("引継ぎが届きました（盛岡 花子 さん）"));
    let (ukeru_page, _) = app.browser_sign_in("ukeru", USER_PASSWORD).await;
    let home = app.get_with_cookie("/", &ukeru_page).await;
    assert!(
        home.body
            .contains("前回のログイン以降に届いたものはありません")
    );
}

/// 完了 on the home page is confirmed with the task's name and can be taken
/// back from the notice for a while.
async fn a_task_done_by_mistake_is_taken_back_from_the_notice(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("shi", "city", &[]).await;
    app.create_user("okuru", "staff", &[1]).await;
    let city = app.token("shi", USER_PASSWORD).await;
    let today = app.state.clock.today();
    let meeting = post(&app, &city, "/api/v1/meetings",
        json!({"kind": "council_plenary", "starts_at": format!("{} 14:00", today), "place": "市役所"})).await;
    let meeting = meeting["ids"][0].as_i64().unwrap();
    let item = post(
        &app,
        &city,
        &format!("/api/v1/meetings/{meeting}/agenda"),
        json!({"topic": "参加支援の受け入れ先"}),
    )
    .await;
    post(
        &app,
        &city,
        &format!("/api/v1/meetings/{meeting}/decisions"),
        json!({"agenda_item_id": item["agenda_item_id"], "text": "受け入れ先を広げる",
               "task_agency_id": 1, "task_title": "受け入れ先の候補を挙げる",
               "task_due_on": (today + chrono::Days::new(30)).to_string()}),
    )
    .await;
    let (session, csrf) = app.browser_sign_in("okuru", USER_PASSWORD).await;
    let home = app.get_with_cookie("/", &session).await;
    assert!(home.body.contains("受け入れ先の候補を挙げる"));
    let task = app.repo().open_tasks_of(&[1]).await.unwrap()[0].id;
    let r = app
        .post_form_with_cookie(
            &format!("/tasks/{task}/done"),
            &session,
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/?done=task&task={task}#notice"));
    let home = app
        .get_with_cookie(to.split('#').next().unwrap(), &session)
        .await;
    assert!(
        home.body
            .contains("タスク「受け入れ先の候補を挙げる」を完了にしました")
    );
    assert!(
        home.body
            .contains(&format!("action=\"/tasks/{task}/undo\""))
    );
    assert!(home.body.contains("未完了のタスクはありません"));
    let r = app
        .post_form_with_cookie(
            &format!("/tasks/{task}/undo"),
            &session,
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let home = app.get_with_cookie("/?done=task_reopened", &session).await;
    assert!(home.body.contains("タスクの完了を取り消しました"));
    assert!(
        home.body
            .contains("「受け入れ先の候補を挙げる」を完了にする"),
        "back on the list"
    );
    // After the window, the notice offers no undo and the undo is refused.
    app.post_form_with_cookie(
        &format!("/tasks/{task}/done"),
        &session,
        &[("csrf_token", &csrf)],
    )
    .await;
    let clock = &app.state.clock;
    clock.set_now(clock.now() + chrono::Duration::minutes(11));
    let home = app
        .get_with_cookie(&format!("/?done=task&task={task}"), &session)
        .await;
    assert!(!home.body.contains("/undo\""));
    let r = app
        .post_form_with_cookie(
            &format!("/tasks/{task}/undo"),
            &session,
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("10分以内"));
    let actions: Vec<String> = app
        .audit_actions()
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(actions.iter().any(|a| a == "task_reopened"));
}

on_both_backends!(
    the_desk_shows_what_is_in_hand_and_what_arrived,
    a_task_done_by_mistake_is_taken_back_from_the_notice,
);
