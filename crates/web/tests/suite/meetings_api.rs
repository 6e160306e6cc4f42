//! The plan's meetings in full through the API, on SQLite and PostgreSQL:
//! the 支援会議 for people not yet consulted (アウトリーチ targets and
//! situations in words, their decisions' tasks, the later link to a
//! consultation), and who was at a meeting.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};

struct Setup {
    app: TestApp,
    /// The 事務局 CSW, who schedules.
    csw: String,
    /// Agency 1, who works the アウトリーチ target; a member.
    worker: String,
    worker_id: i64,
    /// Agency 1 too, not a member.
    colleague: String,
    /// Agency 3, a member.
    partner: String,
    /// Agency 2, not a member.
    stranger: String,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    let worker_id = app.create_user("worker", "staff", &[1]).await;
    app.create_user("colleague", "staff", &[1]).await;
    app.create_user("partner", "staff", &[3]).await;
    app.create_user("tanin", "staff", &[2]).await;
    Setup {
        csw: app.token("csw", USER_PASSWORD).await,
        worker: app.token("worker", USER_PASSWORD).await,
        worker_id,
        colleague: app.token("colleague", USER_PASSWORD).await,
        partner: app.token("partner", USER_PASSWORD).await,
        stranger: app.token("tanin", USER_PASSWORD).await,
        app,
    }
}

impl Setup {
    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.app.post_json(path, Some(token), &body).await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self.app.get(path, Some(token)).await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    }

    async fn schedule(&self, kind: &str, starts_at: &str, members: &[i64]) -> i64 {
        let (status, body) = self
            .post(
                &self.csw,
                "/api/v1/meetings",
                json!({"kind": kind, "starts_at": starts_at, "place": "市保健所 会議室",
                       "member_user_ids": members}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["ids"][0].as_i64().unwrap()
    }

    async fn member_ids(&self) -> Vec<i64> {
        let users = self.app.repo().users().await.unwrap();
        ["worker", "partner"]
            .iter()
            .map(|n| users.iter().find(|u| u.username.as_str() == *n).unwrap().id)
            .collect()
    }
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

async fn a_support_conference_takes_people_not_yet_consulted(backend: Backend) {
    let s = setup(backend).await;
    let members = s.member_ids().await;
    // Agency 1 knows of someone through a 民生委員, not yet consulted.
    let (status, body) = s
        .post(
            &s.worker,
            "/api/v1/outreach",
            json!({"name": "上田 一郎", "address": "盛岡市上田三丁目2-1",
                   "description": "高齢の男性が一人で暮らし、郵便物がたまっている",
                   "found_via": "minsei", "found_on": "令和8年11月20日"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let target = body["id"].as_i64().unwrap();
    let support = s
        .schedule("support_conference", "2026-12-10T10:00:00+09:00", &members)
        .await;
    let agenda = format!("/api/v1/meetings/{support}/agenda");
    // Members pledge first; others do not learn the meeting exists.
    let (status, body) = s
        .post(&s.worker, &agenda, json!({"outreach_target_id": target}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for token in [&s.worker, &s.partner] {
        let (status, _) = s
            .post(
                token,
                &format!("/api/v1/meetings/{support}/pledge"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = s
        .post(&s.stranger, &agenda, json!({"outreach_target_id": target}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A member who does not work the target cannot bring it.
    let (status, _) = s
        .post(&s.partner, &agenda, json!({"outreach_target_id": target}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s
        .post(&s.worker, &agenda, json!({"outreach_target_id": target}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let item = body["agenda_item_id"].as_i64().unwrap();
    let (status, _) = s
        .post(&s.worker, &agenda, json!({"outreach_target_id": target}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "once on an agenda");
    // Both at once is refused by name.
    let (status, body) = s
        .post(
            &s.worker,
            &agenda,
            json!({"outreach_target_id": target, "topic": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "outreach_target_id");
    // A situation described in words, with no target at all.
    let (status, body) = s
        .post(
            &s.worker,
            &agenda,
            json!({"topic": "本宮地区で、夜間に子どもだけで過ごしている世帯がある"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let situation = body["agenda_item_id"].as_i64().unwrap();
    // The よりそい会議 still refuses both (本人同意 is its condition).
    let conference = s
        .schedule("case_conference", "2026-12-10T13:30", &members)
        .await;
    let (status, body) = s
        .post(
            &s.worker,
            &format!("/api/v1/meetings/{conference}/agenda"),
            json!({"outreach_target_id": target}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(error(&body).contains("支援会議"), "{body}");
    let (status, _) = s
        .post(
            &s.worker,
            &format!("/api/v1/meetings/{conference}/agenda"),
            json!({"topic": "近所で心配されている世帯"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A decision on the target: who approaches, by when, as a task.
    let (status, body) = s
        .post(
            &s.worker,
            &format!("/api/v1/meetings/{support}/decisions"),
            json!({"agenda_item_id": item, "text": "地域包括が民生委員と訪問する",
                   "task_agency_id": 1, "task_title": "民生委員と自宅を訪問する", "task_due_on": "2027-06-30"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The task is the agency's, visible only to its pledged member.
    let titles = |token: &str| {
        let token = token.to_owned();
        let s = &s;
        async move {
            s.get(&token, "/api/v1/tasks").await.1["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(&s.worker).await, ["民生委員と自宅を訪問する"]);
    assert!(
        titles(&s.colleague).await.is_empty(),
        "same agency, not pledged"
    );
    let (_, desk) = s.get(&s.colleague, "/api/v1/me/desk").await;
    assert!(!desk.to_string().contains("民生委員と自宅を訪問する"));
    // The meeting lists the item; no consultation yet.
    let (status, view) = s
        .get(&s.partner, &format!("/api/v1/meetings/{support}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["unconsulted"][0]["outreach_target_id"], target);
    assert!(
        view["unconsulted"][0]["situation"]
            .as_str()
            .unwrap()
            .starts_with("上田 一郎: 高齢の男性"),
        "{view}"
    );
    assert_eq!(
        view["unconsulted"][0]["target_visible"], false,
        "the partner does not work it"
    );
    assert!(view["unconsulted"][0]["consultation_id"].is_null());
    assert_eq!(
        view["decisions"][0]["topic"],
        view["unconsulted"][0]["situation"]
    );
    // The person later comes to a consultation: the item links to it.
    let (status, body) = s
        .post(
            &s.worker,
            "/api/v1/consultations",
            json!({"method": "home_visit", "person": {"name": "上田 一郎", "kana": "うえだ いちろう"},
                   "concerns": [{"category": "病気や健康、障害のこと", "main": true}],
                   "chief_complaint": "体調が悪い", "outreach_target_id": target}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let consultation = body["id"].as_i64().unwrap();
    let (_, view) = s
        .get(&s.worker, &format!("/api/v1/meetings/{support}"))
        .await;
    assert_eq!(view["unconsulted"][0]["consultation_id"], consultation);
    // A situation in words is linked by a member who sees the consultation.
    let (status, body) = s
        .post(
            &s.worker,
            "/api/v1/consultations",
            json!({"method": "phone", "person": {"name": "本宮 花", "kana": "もとみや はな"},
                   "concerns": [{"category": "家族との関係について", "main": true}], "chief_complaint": "子育てがつらい"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let second = body["id"].as_i64().unwrap();
    let links = format!("/api/v1/meetings/{support}/links");
    let (status, _) = s
        .post(
            &s.partner,
            &links,
            json!({"agenda_item_id": situation, "consultation_id": second}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the partner does not see that consultation"
    );
    let (status, body) = s
        .post(
            &s.worker,
            &links,
            json!({"agenda_item_id": situation, "consultation_id": second}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = s
        .get(&s.worker, &format!("/api/v1/meetings/{support}"))
        .await;
    let topic = view["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["agenda_item_id"] == situation)
        .unwrap();
    assert_eq!(topic["consultation_id"], second);
    // A 全体会's theme is not a person: it links to nothing.
    let plenary = s
        .schedule("council_plenary", "2026-12-10T15:00", &members)
        .await;
    let (_, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{plenary}/agenda"),
            json!({"topic": "令和7年度 事業実績の評価"}),
        )
        .await;
    let theme = body["agenda_item_id"].as_i64().unwrap();
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{plenary}/links"),
            json!({"agenda_item_id": theme, "consultation_id": second}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let actions: Vec<String> = s
        .app
        .audit_actions()
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(actions.iter().any(|a| a == "agenda_linked"), "{actions:?}");
}

async fn attendees_and_attendance_are_recorded_and_printed(backend: Backend) {
    let s = setup(backend).await;
    let members = s.member_ids().await;
    let support = s
        .schedule("support_conference", "2026-12-10T10:00", &members)
        .await;
    let conference = s
        .schedule("case_conference", "2026-12-10T13:30", &members)
        .await;
    s.post(
        &s.worker,
        &format!("/api/v1/meetings/{support}/pledge"),
        json!({}),
    )
    .await;
    let attendees = |m: i64| format!("/api/v1/meetings/{m}/attendees");
    let commissioner = json!({"name": "上田 民子", "role": "民生委員・児童委員", "organisation": "上田地区", "attended": true});
    // Nothing is recorded before the meeting's day.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    if common::test_today() < day {
        let (status, body) = s
            .post(&s.worker, &attendees(support), commissioner.clone())
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(error(&body).contains("会議の日"), "{body}");
    }
    s.app.state.clock.set(day.max(common::test_today()));
    // 本人 cannot attend a 支援会議 (held without consent), in any spelling.
    for role in ["self", "本人"] {
        let (status, body) = s
            .post(
                &s.worker,
                &attendees(support),
                json!({"name": "上田 一郎", "role": role}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "role");
        assert!(
            error(&body).contains("本人は出席できません")
                || body.to_string().contains("本人は出席できません")
        );
    }
    let (status, body) = s.post(&s.worker, &attendees(support), commissioner).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &s.worker,
            &attendees(support),
            json!({"name": "中央 進", "role": "promoter", "organisation": "まるごとよりそいネットワーク", "attended": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Each member's 出席 / 欠席.
    let attendance = format!("/api/v1/meetings/{support}/attendance");
    let (status, _) = s
        .post(
            &s.worker,
            &attendance,
            json!({"user_id": s.worker_id, "attended": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .post(
            &s.worker,
            &attendance,
            json!({"user_id": 9999, "attended": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Someone who does not sit on the meeting records nothing.
    let (status, _) = s
        .post(
            &s.stranger,
            &attendance,
            json!({"user_id": s.worker_id, "attended": false}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, view) = s
        .get(&s.worker, &format!("/api/v1/meetings/{support}"))
        .await;
    let worker = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == s.worker_id)
        .unwrap();
    assert_eq!(worker["attended"], true);
    assert_eq!(worker["attendance_label"], "出席");
    let others: Vec<(&str, &str, &str)> = view["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["role"].as_str().unwrap(),
                a["attendance_label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        others,
        [
            ("上田 民子", "commissioner", "出席"),
            ("中央 進", "promoter", "欠席")
        ]
    );
    assert_eq!(view["admits_self"], false);
    // 本人 and family sit at a よりそい会議.
    let (status, body) = s
        .post(
            &s.csw,
            &attendees(conference),
            json!({"name": "盛岡 花子", "role": "self"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The minutes' print names who was there.
    let (page, _) = s.app.browser_sign_in("csw", USER_PASSWORD).await;
    let print = s
        .app
        .get_with_cookie(&format!("/meetings/{conference}/print"), &page)
        .await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(
        print.body.contains("盛岡 花子（本人） 出席"),
        "{}",
        print.body
    );
    let actions: Vec<String> = s
        .app
        .audit_actions()
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "attendance_recorded")
            .count(),
        4,
        "{actions:?}"
    );
    // The audit trail names the attendee's role, not the person.
    let events = s.app.repo().recent_audit_events(100).await.unwrap();
    let details: Vec<&str> = events
        .iter()
        .filter(|e| e.action == "attendance_recorded")
        .map(|e| e.detail.as_str())
        .collect();
    assert!(
        details.contains(&"利用者でない出席者（本人）: 出席"),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .all(|d| !d.contains("盛岡 花子") && !d.contains("上田 民子"))
    );
}

/// A 相談支援包括化推進員 holds an account tied to the network organisation:
/// sits on meetings, sees the meetings they sit on and the tasks given to
/// their organisation, and nothing of persons beyond the meeting.
async fn a_promoter_sits_on_meetings_and_sees_their_tasks(backend: Backend) {
    let s = setup(backend).await;
    let admin = s.app.admin_token().await;
    let (status, body) = s
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "suishin", "password": USER_PASSWORD, "display_name": "推進員 一",
                   "role": "promoter", "agency_ids": [8]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let promoter_id = body["id"].as_i64().unwrap();
    let promoter = s.app.token("suishin", USER_PASSWORD).await;
    let support = s
        .schedule("support_conference", "2026-12-10T10:00", &[promoter_id])
        .await;
    let other = s
        .schedule("case_conference", "2026-12-11T10:00", &[s.worker_id])
        .await;
    // The meetings they sit on, and only those.
    let (_, list) = s.get(&promoter, "/api/v1/meetings").await;
    let ids: Vec<i64> = list["meetings"]
        .as_array()
        .unwrap_or_else(|| list.as_array().unwrap())
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [support], "{list}");
    assert_eq!(
        s.get(&promoter, &format!("/api/v1/meetings/{other}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = s
        .post(
            &promoter,
            &format!("/api/v1/meetings/{support}/pledge"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{support}/pledge"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{support}/agenda"),
            json!({"topic": "上田地区で孤立している高齢者の世帯"}),
        )
        .await;
    let item = body["agenda_item_id"].as_i64().unwrap();
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{support}/decisions"),
            json!({"agenda_item_id": item, "text": "推進員が地区の民生委員と話す",
                   "task_agency_id": 8, "task_title": "民生委員と話す", "task_due_on": "2027-06-30"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The task given to their organisation, on the API and the home page.
    let (_, tasks) = s.get(&promoter, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"][0]["title"], "民生委員と話す", "{tasks}");
    let (page, _) = s.app.browser_sign_in("suishin", USER_PASSWORD).await;
    let home = s.app.get_with_cookie("/", &page).await;
    assert!(home.body.contains("民生委員と話す"), "{}", home.body);
    assert!(
        !home.body.contains("相談を受け付ける"),
        "they take no consultations"
    );
    // No consultations, no person search.
    let (status, _) = s
        .post(
            &promoter,
            "/api/v1/consultations",
            json!({"method": "phone", "person": {"name": "x"}, "chief_complaint": "x"}),
        )
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (status, _) = s.get(&promoter, "/api/v1/persons?q=上田").await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    // They mark their task done.
    let task = tasks["tasks"][0]["id"].as_i64().unwrap();
    let (status, body) = s
        .post(&promoter, &format!("/api/v1/tasks/{task}/done"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Two members edit the minutes at once: the second save, made over the
/// first, is refused (409 in the API with both versions, the page with both
/// texts), never a silent overwrite; sent again from what it now shows, it
/// is saved.
async fn a_second_save_of_the_minutes_does_not_overwrite_the_first(backend: Backend) {
    let s = setup(backend).await;
    let members = s.member_ids().await;
    let meeting = s
        .schedule("case_conference", "2026-12-01T10:00", &members)
        .await;
    s.app.state.clock.set(
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .max(common::test_today()),
    );
    let path = format!("/api/v1/meetings/{meeting}");
    let read_at = s.get(&s.worker, &path).await.1["minutes_version"]
        .as_str()
        .unwrap()
        .to_owned();
    let minutes = format!("{path}/minutes");
    let (status, _) = s
        .post(
            &s.worker,
            &minutes,
            json!({"minutes": "訪問の方針を確認した", "version": read_at}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The partner read it before and saves over it: 409 with both.
    let (status, body) = s
        .post(
            &s.partner,
            &minutes,
            json!({"minutes": "家計の見直しを決めた", "version": read_at}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["current"]["minutes"], "訪問の方針を確認した");
    assert_eq!(body["yours"]["minutes"], "家計の見直しを決めた");
    let (_, now) = s.get(&s.worker, &path).await;
    assert_eq!(now["minutes"], "訪問の方針を確認した", "not overwritten");
    // If-Match with the current version saves.
    let current = now["minutes_version"].as_str().unwrap().to_owned();
    let r = s
        .app
        .request(
            axum::http::Request::post(&minutes)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {}", s.partner))
                .header("if-match", format!("\"{current}\""))
                .body(axum::body::Body::from(
                    json!({"minutes": "訪問の方針を確認した。家計の見直しも決めた"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // On the page: two sessions open it, both save; the second sees both texts.
    let (first, first_csrf) = s.app.browser_sign_in("worker", USER_PASSWORD).await;
    let (second, second_csrf) = s.app.browser_sign_in("partner", USER_PASSWORD).await;
    let page = format!("/meetings/{meeting}");
    let version_in = |body: &str| {
        let marker = "name=\"minutes_version\" value=\"";
        let start = body.find(marker).unwrap() + marker.len();
        body[start..].split('"').next().unwrap().to_owned()
    };
    let v1 = version_in(&s.app.get_with_cookie(&page, &first).await.body);
    let v2 = version_in(&s.app.get_with_cookie(&page, &second).await.body);
    let saved = s
        .app
        .post_form_with_cookie(
            &format!("{page}/minutes"),
            &first,
            &[
                ("csrf_token", &first_csrf),
                ("minutes_version", &v1),
                ("minutes", "一人目の記録"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let refused = s
        .app
        .post_form_with_cookie(
            &format!("{page}/minutes"),
            &second,
            &[
                ("csrf_token", &second_csrf),
                ("minutes_version", &v2),
                ("minutes", "二人目の記録"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("一人目の記録") && refused.body.contains("二人目の記録"));
    let v3 = version_in(&refused.body);
    let merged = s
        .app
        .post_form_with_cookie(
            &format!("{page}/minutes"),
            &second,
            &[
                ("csrf_token", &second_csrf),
                ("minutes_version", &v3),
                ("minutes", "一人目の記録。二人目の記録"),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    assert_eq!(
        s.get(&s.worker, &path).await.1["minutes"],
        "一人目の記録。二人目の記録"
    );
}

on_both_backends!(
    a_support_conference_takes_people_not_yet_consulted,
    attendees_and_attendance_are_recorded_and_printed,
    a_promoter_sits_on_meetings_and_sees_their_tasks,
    a_second_save_of_the_minutes_does_not_overwrite_the_first,
);
