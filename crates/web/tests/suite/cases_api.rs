//! 多機関協働 through the API: cases, plans, meetings, the consent gate and
//! the 支援会議's pledge, on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};

fn sheet(self_consent: &str) -> Value {
    json!({"method": "in_person", "received_on": "2026-11-20",
     "person": {"name": "盛岡 花子", "kana": "もりおか はなこ", "sex": "female", "birth_date": "S45.3.12",
                "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"}},
     "concerns": [{"category": "債務について", "main": true}, {"category": "家族との関係について"}],
     "chief_complaint": "借金と息子のひきこもり",
     "situation": "家賃を3か月滞納している",
     "household": [
       {"name": "盛岡 花子", "relationship": "本人", "consent": self_consent},
       {"name": "盛岡 太郎", "relationship": "子", "sex": "male", "age": 24, "living": "together", "consent": "no"}]})
}

fn plan(agency: i64) -> Value {
    json!({
        "short_term_goals": ["家賃の滞納を解消する"],
        "long_term_goals": ["息子が社会とつながる"],
        "direction": "住まいを守り、息子の居場所につなぐ",
        "next_review_on": "令和9年1月20日",
        "assignments": [{"agency_id": agency, "role": "家計相談",
                         "tasks": [{"title": "家計表を作る", "due_on": "2026-12-10"}]}]
    })
}

struct Setup {
    app: TestApp,
    /// The 多機関協働 team (事務局 CSW).
    csw: String,
    /// The 受付機関 (agency 1), where the consultation was taken.
    origin: String,
    /// Agency 3: a plan role / meeting member.
    partner: String,
    partner_id: i64,
    /// Agency 2: not involved.
    stranger: String,
    partner_agency: i64,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    app.create_user("uketsuke", "staff", &[1]).await;
    let partner_id = app.create_user("partner", "staff", &[3]).await;
    app.create_user("tanin", "staff", &[2]).await;
    Setup {
        csw: app.token("csw", USER_PASSWORD).await,
        origin: app.token("uketsuke", USER_PASSWORD).await,
        partner: app.token("partner", USER_PASSWORD).await,
        partner_id,
        stranger: app.token("tanin", USER_PASSWORD).await,
        partner_agency: 3,
        app,
    }
}

impl Setup {
    /// A consultation at agency 1, sent to 重層事業 (the 事務局).
    async fn escalated(&self, self_consent: &str) -> i64 {
        let r = self
            .app
            .post_json(
                "/api/v1/consultations",
                Some(&self.origin),
                &sheet(self_consent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let consultation = r.json()["id"].as_i64().unwrap();
        let mut handoff = json!({"consultation_id": consultation, "purpose": "multi_agency"});
        if self_consent != "yes" {
            // Without 本人's 同意 the sender confirms with a reason.
            let r = self
                .app
                .post_json("/api/v1/handoffs", Some(&self.origin), &handoff)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert_eq!(r.json()["errors"][0]["field"], "self_consent_reason");
            handoff["self_consent_reason"] =
                json!("支援会議（社会福祉法第106条の6）で検討するため");
        }
        let r = self
            .app
            .post_json("/api/v1/handoffs", Some(&self.origin), &handoff)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        consultation
    }

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

    async fn open_case(&self, consultation: i64) -> i64 {
        let (status, body) = self
            .post(
                &self.csw,
                "/api/v1/cases",
                json!({"consultation_id": consultation}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    async fn assessed_and_planned(&self, case: i64) {
        let (status, body) = self
            .post(
                &self.csw,
                &format!("/api/v1/cases/{case}/assessment"),
                json!({"areas": [["livelihood", "家賃を3か月滞納"], ["family", "息子が3年ひきこもっている"]],
                       "concerns": ["debt", "family"], "strengths": "本人は相談に前向き", "risks": "立ち退きのおそれ"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "assessment");
        let (status, body) = self
            .post(
                &self.csw,
                &format!("/api/v1/cases/{case}/plans"),
                plan(self.partner_agency),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["version"], 1);
    }

    async fn meeting_at(&self, kind: &str, starts_at: &str) -> Vec<i64> {
        let (status, body) = self
            .post(
                &self.csw,
                "/api/v1/meetings",
                json!({"kind": kind, "starts_at": starts_at, "place": "市役所"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    }

    async fn meeting(&self, kind: &str, members: &[i64]) -> Vec<i64> {
        let (status, body) = self
            .post(
                &self.csw,
                "/api/v1/meetings",
                json!({"kind": kind, "starts_at": "2026-12-10T13:30", "place": "市保健所 会議室",
                       "member_user_ids": members}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    }
}

async fn a_case_runs_from_consultation_to_closure(backend: Backend) {
    let s = setup(backend).await;
    let consultation = s.escalated("yes").await;
    let case = s.open_case(consultation).await;
    // One open case per consultation.
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/cases",
            json!({"consultation_id": consultation}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The course: no plan before the アセスメント.
    let (status, body) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/plans"), plan(3))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"].as_str().unwrap().contains("アセスメント"));
    s.assessed_and_planned(case).await;
    let (_, view) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(view["state"], "planning");
    assert_eq!(view["state_label"], "プラン作成");
    assert_eq!(view["plans"][0]["status"], "draft");
    assert_eq!(view["plans"][0]["next_review_on"], "2027-01-20");
    assert_eq!(view["assessment"]["areas"][0]["label"], "経済・就労");
    // The plan's agency sees nothing while the plan is a draft.
    let (status, _) = s.get(&s.partner, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let person = view["person_id"].as_i64().unwrap();
    let (status, _) = s
        .get(&s.partner, &format!("/api/v1/persons/{person}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Support waits for a plan agreed at a よりそい会議.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/monitoring"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"].as_str().unwrap().contains("モニタリング開始"));
    // The partner does not sit on the meeting: what it gains, it gains by its role.
    let ids = s.meeting("case_conference", &[]).await;
    let meeting = ids[0];
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{meeting}/agenda"),
            json!({"case_id": case}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{meeting}/decisions"),
            json!({"case_id": case, "agree_plan": true, "text": "第1版で支援を始める"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, view) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(view["state"], "support");
    assert_eq!(view["plans"][0]["status"], "agreed");
    assert_eq!(view["plans"][0]["agreed_meeting_id"], meeting);
    assert_eq!(view["plans"][0]["agreed_on"], "2026-12-10");
    // The role's agency now holds the task and sees the case.
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"][0]["title"], "家計表を作る");
    assert_eq!(tasks["tasks"][0]["due_on"], "2026-12-10");
    assert_eq!(tasks["tasks"][0]["source"], "plan");
    let (status, _) = s.get(&s.partner, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .get(&s.partner, &format!("/api/v1/persons/{person}"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a role in an agreed plan involves the agency"
    );
    // The plan in force prints on A4, for whoever may see the case.
    let (csw_page, _) = s.app.browser_sign_in("csw", USER_PASSWORD).await;
    let print = s
        .app
        .get_with_cookie(&format!("/cases/{case}/plan/print"), &csw_page)
        .await;
    assert_eq!(print.status, StatusCode::OK);
    for text in [
        "支援プラン",
        "（第1版）",
        "盛岡 花子",
        "よりそい会議で合意（令和8年12月10日",
        "家計表を作る（令和8年12月10日（2026年））",
        "次回見直し日",
        "令和9年1月20日",
        "家賃を3か月滞納",
        "氏名＿＿",
    ] {
        assert!(print.body.contains(text), "{text}: {}", print.body);
    }
    let (stranger_page, _) = s.app.browser_sign_in("tanin", USER_PASSWORD).await;
    assert_eq!(
        s.app
            .get_with_cookie(&format!("/cases/{case}/plan/print"), &stranger_page)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.app
            .get_with_cookie(&format!("/cases/{case}/plan/print?version=9"), &csw_page)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let printed = s.app.repo().recent_audit_events(20).await.unwrap();
    assert!(
        printed
            .iter()
            .any(|e| e.action == "case_viewed" && e.detail == "支援プランの印刷表示")
    );
    // …but may not change it.
    let (status, body) = s
        .post(&s.partner, &format!("/api/v1/cases/{case}/plans"), plan(3))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Agreeing the same plan twice is refused.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{meeting}/decisions"),
            json!({"case_id": case, "agree_plan": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("すでに合意"));
    // A new version is a draft; the agreed one stays in force.
    let (status, body) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/plans"), plan(5))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["version"], 2);
    let (_, view) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(view["plans"][0]["status"], "draft");
    assert_eq!(view["plans"][1]["status"], "agreed");
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/monitoring"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // 終結 is evaluated at a よりそい会議: without one, 409 with the reason.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            json!({"evaluations": [{"outcome": "achieved"}, {"outcome": "partly"}], "reason": "goals_met"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("よりそい会議"),
        "{body}"
    );
    // The よりそい会議 of 2026-12-10 decides it once it has been held.
    let held = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    if common::test_today() < held {
        let (status, body) = s
            .post(
                &s.csw,
                &format!("/api/v1/cases/{case}/close"),
                json!({"meeting_id": meeting, "evaluations": [{"outcome": "achieved"}, {"outcome": "partly"}], "reason": "goals_met"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("まだ開かれていません"),
            "{body}"
        );
        s.app.state.clock.set(held);
    }
    let open_tasks = |token: &str| {
        let token = token.to_owned();
        let s = &s;
        async move {
            s.get(&token, "/api/v1/tasks").await.1["tasks"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(open_tasks(&s.partner).await, 1, "the plan's task is open");
    // 終結時評価: every goal of the plan in force.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            json!({"meeting_id": meeting, "evaluations": [{"outcome": "achieved"}], "reason": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["evaluations", "reason"]);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            json!({"meeting_id": meeting,
                   "evaluations": [{"outcome": "achieved", "change": "滞納が解消した"},
                                   {"outcome": "一部達成", "change": "週1回外出するようになった"}],
                   "reason": "地域での見守りへ移行", "detail": "目標を概ね達成し、地域包括で見守る"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "closed");
    // The closure records the meeting and its decision; the plan's open task ends with it.
    assert_eq!(body["closure_meeting_id"], meeting);
    assert!(body["closure_decision_id"].as_i64().is_some(), "{body}");
    assert!(
        body["closure_meeting"]
            .as_str()
            .unwrap()
            .starts_with("よりそい会議"),
        "{body}"
    );
    assert_eq!(
        open_tasks(&s.partner).await,
        0,
        "no task left open after 終結"
    );
    let ended = &body["tasks"][0];
    assert_eq!(ended["state"], "ended", "{body}");
    assert!(
        ended["end_reason"].as_str().unwrap().starts_with("終結"),
        "{ended}"
    );
    assert_eq!(body["closure_reason"], "community_watch");
    assert_eq!(body["closure_detail"], "目標を概ね達成し、地域包括で見守る");
    assert_eq!(body["evaluations"][1]["outcome_label"], "一部達成");
    assert_eq!(body["evaluations"][1]["goal"], "息子が社会とつながる");
    // 事業実績 counts the case: opened, monitored and closed today, its goals
    // by their 終結時評価; the plan agreed at the よりそい会議 of 2026-12-10
    // (the 事務局 sees the whole city).
    let report_of = |day: chrono::NaiveDate| {
        let year = tsunagaru_domain::report::FiscalYear::of(day).start_year();
        let s = &s;
        async move {
            let (status, report) = s
                .get(
                    &s.csw,
                    &format!("/api/v1/reports/annual?fiscal_year={year}"),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{report}");
            report
        }
    };
    let report = report_of(common::test_today()).await;
    let cases = &report["cases"];
    assert_eq!(cases["opened"], 1, "{cases}");
    assert_eq!(cases["monitored"], 1);
    assert_eq!(cases["closed"], 1);
    assert_eq!(cases["open_at_end"], 0);
    let goals: Vec<i64> = cases["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_i64().unwrap())
        .collect();
    assert_eq!(goals, vec![1, 1, 0], "達成, 一部達成, 未達成");
    let by_reason: Vec<(&str, i64)> = cases["closed_by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["count"].as_i64().unwrap() > 0)
        .map(|r| (r["key"].as_str().unwrap(), r["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(by_reason, vec![("community_watch", 1)]);
    let meeting_day = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    let report = report_of(meeting_day).await;
    assert_eq!(report["cases"]["plans_first"], 1, "{}", report["cases"]);
    assert_eq!(
        report["cases"]["plans_again"], 0,
        "version 2 is still a draft"
    );
    let conference = report["meetings"]["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == "case_conference")
        .unwrap()
        .clone();
    assert!(conference["held"].as_i64().unwrap() >= 1, "{conference}");
    assert!(conference["cases"].as_i64().unwrap() >= 1, "{conference}");
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/return"),
            json!({"agency_id": 1, "reason": "x"}),
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
    for action in [
        "case_opened",
        "case_updated",
        "plan_saved",
        "meeting_scheduled",
        "agenda_added",
        "decision_recorded",
        "case_viewed",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

async fn the_consent_gate_offers_the_support_conference(backend: Backend) {
    let s = setup(backend).await;
    // The story happens on dated days (the meetings of 2026-12-10, a task due
    // 12月20日): the clock starts on the day it is set.
    s.app
        .state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    let consultation = s.escalated("no").await;
    let case = s.open_case(consultation).await;
    // The よりそい会議 and, the same day at another time, the 支援会議.
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "case_conference", "starts_at": "２０２６－１２－１０　１３：３０",
                   "support_conference_at": "15:00", "member_user_ids": [s.partner_id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids: Vec<i64> = body["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let (conference, support) = (ids[0], ids[1]);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{conference}/agenda"),
            json!({"case_id": case}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"],
        "本人の同意が確認できないため、このケースはよりそい会議の議題にできません。同意なしで扱える支援会議（法第106条の6）の議題にしてください。"
    );
    assert_eq!(body["instead"], "support_conference");
    assert!(
        s.app
            .audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "agenda_refused")
    );
    // The 支援会議: 404 for non-members, 403 until the member pledges.
    let path = format!("/api/v1/meetings/{support}");
    let (status, _) = s.get(&s.stranger, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s.get(&s.csw, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"].as_str().unwrap().contains("守秘義務の確認"));
    let (status, _) = s
        .post(&s.csw, &format!("{path}/agenda"), json!({"case_id": case}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .post(&s.stranger, &format!("{path}/pledge"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.post(&s.csw, &format!("{path}/pledge"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .post(&s.csw, &format!("{path}/agenda"), json!({"case_id": case}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, view) = s.get(&s.csw, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["kind_name"], "支援会議");
    assert_eq!(view["starts_at"], "2026-12-10T15:00:00+09:00");
    assert_eq!(view["agenda"][0]["person_name"], "盛岡 花子");
    assert_eq!(view["agenda"][0]["consented"], false);
    // The partner is a member: the material opens only after their pledge,
    // and only in this meeting (the case itself stays closed to them).
    let (status, _) = s.get(&s.partner, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.post(&s.partner, &format!("{path}/pledge"), json!({}))
        .await;
    let (status, view) = s.get(&s.partner, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        view["agenda"][0]["chief_complaint"],
        "借金と息子のひきこもり"
    );
    let (status, _) = s.get(&s.partner, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A decision becomes a task for the partner's agency.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("{path}/decisions"),
            json!({"case_id": case, "text": "見守りを続け、訪問で関係をつくる",
                   "task_agency_id": 3, "task_title": "月1回訪問する", "task_due_on": "令和8年12月20日"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"][0]["title"], "月1回訪問する");
    assert_eq!(tasks["tasks"][0]["source"], "decision");
    assert_eq!(tasks["tasks"][0]["meeting_id"], support);
    // What the 支援会議 decided reaches its pledged members only: not a
    // colleague of the partner's agency through the task list, and not the
    // 事務局's other staff, who see the case, through the case page.
    let secretariat = s.app.secretariat_id().await;
    s.app.create_user("partner-b", "staff", &[3]).await;
    s.app.create_user("csw-b", "csw", &[secretariat]).await;
    let partner_colleague = s.app.token("partner-b", USER_PASSWORD).await;
    let other_csw = s.app.token("csw-b", USER_PASSWORD).await;
    let (_, tasks) = s.get(&partner_colleague, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"], json!([]), "{tasks}");
    let (status, case_view) = s.get(&other_csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !case_view.to_string().contains("月1回訪問する"),
        "{case_view}"
    );
    let event_details = |view: &Value| -> Vec<String> {
        view["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert!(
        !event_details(&case_view)
            .iter()
            .any(|d| d.contains("支援会議")),
        "that the 支援会議 had the case on its agenda stays with its members: {case_view}"
    );
    let (_, case_view) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert!(
        case_view.to_string().contains("月1回訪問する"),
        "the pledged member sees it on the case"
    );
    // The 経過 names the meeting by its kind and day, never by an id.
    let details = event_details(&case_view);
    assert!(
        details.iter().any(|d| d.starts_with("支援会議（令和")),
        "{details:?}"
    );
    assert!(!case_view.to_string().contains("会議 ID"), "{case_view}");
    // No plan is agreed at a 支援会議.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("{path}/decisions"),
            json!({"case_id": case, "agree_plan": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "agree_plan");
    // Minutes wait for the meeting's day.
    let minutes = json!({"minutes": "訪問を続ける方針を確認した"});
    let (status, body) = s
        .post(&s.csw, &format!("{path}/minutes"), minutes.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("令和8年12月10日"), "{body}");
    s.app
        .state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
    let (status, body) = s.post(&s.csw, &format!("{path}/minutes"), minutes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Once the person consents, the よりそい会議 takes the case; a consent
    // dated in the future is refused.
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/consent"),
            json!({"confirmed_on": "2099-01-01", "confirmed_by": "CSW 佐藤"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/consent"),
            json!({"confirmed_on": "令和8年11月26日", "confirmed_by": "CSW 佐藤"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["consented"], true);
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{conference}/agenda"),
            json!({"case_id": case}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // The consent is now 本人's on the sheet; withdrawn there, the gate closes again.
    let (status, body) = s
        .post(
            &s.origin,
            &format!("/api/v1/consultations/{consultation}/consent"),
            json!({"position": 1, "consent": "no"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(view["consented"], false);
    assert_eq!(view["consent_label"], "同意なし（撤回）");
    let later = s.meeting("case_conference", &[]).await[0];
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{later}/agenda"),
            json!({"case_id": case}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn meetings_repeat_and_bad_input_is_named(backend: Backend) {
    let s = setup(backend).await;
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "case_conference", "starts_at": "令和9年1月15日 13:30",
                   "repeat": "monthly", "count": 3, "support_conference_at": "15:30"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["ids"].as_array().unwrap().len(), 6);
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "council_plenary", "starts_at": "2027-05-20 10:00", "repeat": "three_times_a_year"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, list) = s.get(&s.csw, "/api/v1/meetings").await;
    let starts: Vec<&str> = list["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "council_plenary")
        .map(|m| m["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        vec![
            "2027-05-20T10:00:00+09:00",
            "2027-09-20T10:00:00+09:00",
            "2028-01-20T10:00:00+09:00"
        ]
    );
    let supports: Vec<&str> = list["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "support_conference")
        .map(|m| m["starts_label"].as_str().unwrap())
        .collect();
    assert_eq!(supports[1], "令和9年2月15日（2027年） 15:30");
    // RFC 3339 is read as the time in Japan, and answered with +09:00.
    let ids = s.meeting_at("case_review", "2026-12-10T01:00:00Z").await;
    let (_, view) = s.get(&s.csw, &format!("/api/v1/meetings/{}", ids[0])).await;
    assert_eq!(view["starts_at"], "2026-12-10T10:00:00+09:00", "{view}");
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "tea_party", "starts_at": "明日", "repeat": "weekly",
                   "member_user_ids": [9999]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["kind", "starts_at", "repeat", "member_user_ids"]
    );
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "case_conference", "starts_at": "2027-01-15 13:30", "support_conference_at": "13:30"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("開始時刻をずらしてください")
    );
    // Members see personal data: an auditor cannot sit on a meeting.
    let auditor = s.app.create_user("kansa", "auditor", &[]).await;
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "case_review", "starts_at": "2027-01-15 13:30", "member_user_ids": [auditor]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "member_user_ids");
    // Only the team and city staff schedule.
    let (status, _) = s
        .post(
            &s.stranger,
            "/api/v1/meetings",
            json!({"kind": "case_review", "starts_at": "2027-01-15 13:30"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn cases_are_scoped_and_only_the_team_works_them(backend: Backend) {
    let s = setup(backend).await;
    let consultation = s.escalated("yes").await;
    // Only the 事務局 opens cases; others do not learn of consultations they cannot see.
    let (status, _) = s
        .post(
            &s.origin,
            "/api/v1/cases",
            json!({"consultation_id": consultation}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .post(
            &s.stranger,
            "/api/v1/cases",
            json!({"consultation_id": consultation}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .post(&s.csw, "/api/v1/cases", json!({"consultation_id": 99999}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let case = s.open_case(consultation).await;
    let path = format!("/api/v1/cases/{case}");
    let (status, _) = s.get(&s.stranger, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.get(&s.stranger, "/api/v1/cases/99999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, view) = s.get(&s.origin, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["person_name"], "盛岡 花子");
    let (status, _) = s
        .post(
            &s.origin,
            &format!("{path}/assessment"),
            json!({"areas": [["housing", "x"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .post(
            &s.stranger,
            &format!("{path}/assessment"),
            json!({"areas": [["housing", "x"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let admin = s.app.admin_token().await;
    let (status, _) = s.get(&admin, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = s.get(&s.stranger, "/api/v1/cases").await;
    assert_eq!(listed["cases"].as_array().unwrap().len(), 0);
    let (_, listed) = s.get(&s.csw, "/api/v1/cases").await;
    assert_eq!(listed["cases"][0]["id"], case);
    assert_eq!(listed["cases"][0]["person_name"], "盛岡 花子", "{listed}");
    // Bad input: the アセスメント and plan name their fields; nothing is stored.
    let (status, body) = s
        .post(&s.csw, &format!("{path}/assessment"), json!({"areas": []}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "areas");
    let (status, _) = s
        .post(&s.csw, &format!("{path}/assessment"), json!("x"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.assessed_and_planned(case).await;
    let (status, body) = s
        .post(
            &s.csw,
            &format!("{path}/plans"),
            json!({"short_term_goals": ["x"], "assignments": [{"agency_id": 9999, "role": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "assignments[0].agency_id");
    // Return to one agency, with the reason.
    let (status, body) = s
        .post(&s.csw, &format!("{path}/return"), json!({"reason": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("{path}/return"),
            json!({"agency_id": 1, "reason": "単独の機関で支援できる"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "returned");
    assert_eq!(body["return_reason"], "単独の機関で支援できる");
    // Once returned, a new case may be opened from the consultation.
    s.open_case(consultation).await;
}

async fn tasks_are_done_by_their_agency(backend: Backend) {
    let s = setup(backend).await;
    let consultation = s.escalated("yes").await;
    let case = s.open_case(consultation).await;
    s.assessed_and_planned(case).await;
    let meeting = s.meeting("case_conference", &[]).await[0];
    s.post(
        &s.csw,
        &format!("/api/v1/meetings/{meeting}/agenda"),
        json!({"case_id": case}),
    )
    .await;
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{meeting}/decisions"),
            json!({"case_id": case, "agree_plan": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The meeting's material is for members only.
    let (status, _) = s
        .get(&s.partner, &format!("/api/v1/meetings/{meeting}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.app
        .state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap());
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    let task = &tasks["tasks"][0];
    assert_eq!(task["overdue"], true);
    let id = task["id"].as_i64().unwrap();
    let (status, _) = s
        .post(&s.stranger, &format!("/api/v1/tasks/{id}/done"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s
        .post(&s.partner, &format!("/api/v1/tasks/{id}/done"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "done");
    let (status, _) = s
        .post(&s.partner, &format!("/api/v1/tasks/{id}/done"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 0);

    // 完了 by a slip of the finger is taken back shortly after, by whoever
    // marked it; the undo is hidden from those who may not see the task, and
    // refused to a colleague of the agency (it was not their click).
    s.app.create_user("partner2", "staff", &[3]).await;
    let colleague = s.app.token("partner2", USER_PASSWORD).await;
    let undo = format!("/api/v1/tasks/{id}/reopen");
    assert_eq!(
        s.post(&s.stranger, &undo, json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = s.post(&colleague, &undo, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("10分以内"),
        "{body}"
    );
    let (status, body) = s.post(&s.partner, &undo, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "open");
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"][0]["id"], id, "back on the list");
    // An open task has nothing to take back.
    assert_eq!(
        s.post(&s.partner, &undo, json!({})).await.0,
        StatusCode::CONFLICT
    );
    // Done again; eleven minutes later the 完了 stands.
    let (status, _) = s
        .post(&s.partner, &format!("/api/v1/tasks/{id}/done"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let clock = &s.app.state.clock;
    clock.set_now(clock.now() + chrono::Duration::minutes(11));
    assert_eq!(
        s.post(&s.partner, &undo, json!({})).await.0,
        StatusCode::CONFLICT
    );
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 0);
}

/// A case with a plan agreed at the よりそい会議 of 2026-12-10 (the
/// partner's task open); returns (case, meeting).
async fn agreed_case(s: &Setup) -> (i64, i64) {
    let consultation = s.escalated("yes").await;
    let case = s.open_case(consultation).await;
    s.assessed_and_planned(case).await;
    let meeting = s.meeting("case_conference", &[]).await[0];
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{meeting}/agenda"),
            json!({"case_id": case}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{meeting}/decisions"),
            json!({"case_id": case, "agree_plan": true, "text": "第1版で支援を始める"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (case, meeting)
}

async fn a_returned_case_is_a_handoff_in_the_agencys_inbox(backend: Backend) {
    let s = setup(backend).await;
    let (case, _) = agreed_case(&s).await;
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 1);
    // Not to the 事務局 itself, and never without a reason.
    let secretariat = s.app.secretariat_id().await;
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/return"),
            json!({"agency_id": secretariat, "reason": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["reason", "agency_id"]);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/return"),
            json!({"agency_id": 1, "reason": "家計の立て直しが済み、受付機関での見守りに戻す"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "returned");
    let handoff = body["return_handoff_id"].as_i64().expect("a handoff");
    // The agency's inbox holds it, with the plan and the reason, as every handoff.
    let r = s
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&s.origin))
        .await;
    let inbox = r.json()["handoffs"].clone();
    let item = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == handoff)
        .unwrap_or_else(|| panic!("not in the inbox: {inbox}"))
        .clone();
    assert_eq!(item["status_label"], "未受領");
    assert_eq!(item["from_agency_id"], secretariat);
    assert!(
        item["notes"]["other"]
            .as_str()
            .unwrap()
            .contains("受付機関での見守りに戻す"),
        "{item}"
    );
    assert!(
        item["notes"]["done"]
            .as_str()
            .unwrap()
            .contains("家賃の滞納を解消する"),
        "{item}"
    );
    // The loop closes there: the agency receives it.
    let (status, body) = s
        .post(
            &s.origin,
            &format!("/api/v1/handoffs/{handoff}/receive"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The case's open tasks ended with the reason.
    let (_, tasks) = s.get(&s.partner, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 0);
    let (_, view) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(view["tasks"][0]["state"], "ended");
    assert!(
        view["tasks"][0]["end_reason"]
            .as_str()
            .unwrap()
            .contains("戻り"),
        "{view}"
    );
    // Another agency sees neither the case nor the handoff.
    let r = s
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&s.stranger))
        .await;
    assert!(
        !r.body.contains(&format!("\"id\":{handoff},")),
        "{}",
        r.body
    );
}

async fn closure_is_agreed_only_at_a_case_conference_with_a_decision(backend: Backend) {
    let s = setup(backend).await;
    let (case, conference) = agreed_case(&s).await;
    s.app
        .state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 12, 20).unwrap());
    let closing = |meeting: i64| {
        json!({"meeting_id": meeting, "reason": "goals_met",
               "evaluations": [{"outcome": "achieved"}, {"outcome": "achieved"}]})
    };
    // A 支援会議 does not decide a closure, even with the case on its agenda.
    let support = s.meeting("support_conference", &[]).await[0];
    s.post(
        &s.csw,
        &format!("/api/v1/meetings/{support}/pledge"),
        json!({}),
    )
    .await;
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{support}/agenda"),
            json!({"case_id": case}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            closing(support),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("終結はよりそい会議"),
        "{body}"
    );
    // A よりそい会議 without the case on its agenda does not either.
    let other = s.meeting_at("case_conference", "2026-12-15T10:00").await[0];
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            closing(other),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("議題にありません"),
        "{body}"
    );
    // With the case on it but no decision on it yet: still 409.
    s.post(
        &s.csw,
        &format!("/api/v1/meetings/{other}/agenda"),
        json!({"case_id": case}),
    )
    .await;
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            closing(other),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("決定事項がありません"),
        "{body}"
    );
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/meetings/{other}/decisions"),
            json!({"case_id": case, "text": "目標を達成したため終結とする"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let decision = body["id"].as_i64().expect("the decision's id");
    // A meeting the user cannot open is not found.
    let (status, _) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            closing(9999),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/close"),
            closing(other),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["closure_meeting_id"], other);
    assert_eq!(body["closure_decision_id"], decision);
    // The first よりそい会議 is where the plan was agreed, not where it closed.
    assert_ne!(body["closure_meeting_id"], conference);
    let events: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["step"] == "終結")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(events[0].contains("令和8年12月15日"), "{events:?}");
}

async fn the_secretariat_is_reminded_of_reviews_and_meeting_cadence(backend: Backend) {
    let s = setup(backend).await;
    // The plan's 次回見直し日 is 令和9年1月20日.
    agreed_case(&s).await;
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let desk = |token: &str| {
        let token = token.to_owned();
        let s = &s;
        async move { s.get(&token, "/api/v1/me/desk").await.1 }
    };
    s.app.state.clock.set(day(2027, 1, 12));
    assert_eq!(desk(&s.csw).await["reviews"].as_array().unwrap().len(), 0);
    s.app.state.clock.set(day(2027, 1, 13));
    let d = desk(&s.csw).await;
    assert_eq!(d["reviews"][0]["next_review_on"], "2027-01-20", "{d}");
    assert_eq!(d["reviews"][0]["person_name"], "盛岡 花子");
    // The case the CSW leads, with its person's name.
    assert_eq!(d["cases"][0]["person_name"], "盛岡 花子", "{d}");
    assert_eq!(d["reviews"][0]["overdue"], false);
    assert_eq!(d["reviews"][0]["due_label"], "見直し日が近い");
    s.app.state.clock.set(day(2027, 1, 21));
    let d = desk(&s.csw).await;
    assert_eq!(d["reviews"][0]["overdue"], true);
    assert_eq!(d["reviews"][0]["due_label"], "見直し日を過ぎています");
    // Only the 事務局 is reminded.
    assert_eq!(
        desk(&s.partner).await["reviews"].as_array().unwrap().len(),
        0
    );
    // The page shows it, standing out once passed.
    let (csw_page, _) = s.app.browser_sign_in("csw", USER_PASSWORD).await;
    let home = s.app.get_with_cookie("/", &csw_page).await;
    assert!(
        home.body.contains("見直し日を過ぎています"),
        "{}",
        home.body
    );
    // Cadence: 令和8年度 so far has one よりそい会議 (December) and no 全体会.
    let cadence = &d["cadence"];
    assert_eq!(cadence["fiscal_year"], 2026, "{d}");
    let months: Vec<&str> = cadence["months_without_case_conference"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        months.contains(&"2026-04") && months.contains(&"2027-01"),
        "{months:?}"
    );
    assert!(!months.contains(&"2026-12"), "{months:?}");
    assert!(
        !months.contains(&"2027-02"),
        "months ahead are not yet missed"
    );
    assert_eq!(cadence["plenaries"], 0);
    assert_eq!(cadence["plenary_shortfall"], true);
    assert!(
        home.body.contains("よりそい会議が開かれていない"),
        "{}",
        home.body
    );
    assert!(
        desk(&s.partner).await["cadence"].is_null(),
        "staff do not schedule"
    );
    // Three 全体会 in the 年度 end the shortfall.
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/meetings",
            json!({"kind": "council_plenary", "starts_at": "2026-05-20T14:00", "repeat": "three_times_a_year"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let d = desk(&s.csw).await;
    assert_eq!(d["cadence"]["plenaries"], 3);
    assert_eq!(d["cadence"]["plenary_shortfall"], false);
}

/// Two people editing the アセスメント or the plan: the second save from an
/// older version is refused with both versions, the next save from what
/// is shown goes through (If-Match or a field in the body).
async fn a_second_save_over_anothers_assessment_or_plan_is_refused(backend: Backend) {
    let s = setup(backend).await;
    let consultation = s.escalated("yes").await;
    let case = s.open_case(consultation).await;
    let (_, opened) = s.get(&s.csw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(opened["assessment_version"], "0", "never saved");
    assert_eq!(opened["latest_plan_version"], 0);
    let first = json!({"areas": [["livelihood", "家賃を3か月滞納"]], "concerns": ["debt"],
                       "strengths": "前向き", "risks": "", "version": "0"});
    let (status, saved) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/assessment"), first)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let seen = saved["assessment_version"].as_str().unwrap().to_owned();
    assert_ne!(seen, "0");
    // A colleague who opened it before that save sends the version "0".
    let late =
        json!({"areas": [["family", "息子がひきこもり"]], "concerns": ["family"], "version": "0"});
    let (status, refused) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/assessment"), late)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("アセスメントは、開いた後に")
    );
    assert_eq!(refused["current"]["assessment_version"], seen.as_str());
    assert_eq!(
        refused["current"]["assessment"]["strengths"], "前向き",
        "{refused}"
    );
    assert_eq!(refused["yours"]["areas"][0][1], "息子がひきこもり");
    // Through If-Match with the version now shown, it goes through.
    let response = s
        .app
        .request(
            axum::http::Request::post(format!("/api/v1/cases/{case}/assessment"))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {}", s.csw))
                .header("if-match", format!("\"{seen}\""))
                .body(axum::body::Body::from(
                    json!({"areas": [["family", "息子がひきこもり"]], "concerns": ["family"]})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    // Plans: a version based on 0 after version 1 exists is refused.
    let mut v1 = plan(s.partner_agency);
    v1["based_on_version"] = json!(0);
    let (status, body) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/plans"), v1.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, refused) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/plans"), v1)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("新しい版を保存しました")
    );
    assert_eq!(refused["current"]["latest_plan_version"], 1);
    let mut v2 = plan(s.partner_agency);
    v2["based_on_version"] = json!(1);
    v2["direction"] = json!("住まいを守る");
    let (status, body) = s
        .post(&s.csw, &format!("/api/v1/cases/{case}/plans"), v2)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], 2);
    // Without a version, as before: saved on top.
    let (status, body) = s
        .post(
            &s.csw,
            &format!("/api/v1/cases/{case}/plans"),
            plan(s.partner_agency),
        )
        .await;
    assert_eq!(
        (status, body["version"].as_i64()),
        (StatusCode::CREATED, Some(3))
    );
}

on_both_backends!(
    a_second_save_over_anothers_assessment_or_plan_is_refused,
    a_returned_case_is_a_handoff_in_the_agencys_inbox,
    closure_is_agreed_only_at_a_case_conference_with_a_decision,
    the_secretariat_is_reminded_of_reviews_and_meeting_cadence,
    a_case_runs_from_consultation_to_closure,
    the_consent_gate_offers_the_support_conference,
    meetings_repeat_and_bad_input_is_named,
    cases_are_scoped_and_only_the_team_works_them,
    tasks_are_done_by_their_agency,
);
