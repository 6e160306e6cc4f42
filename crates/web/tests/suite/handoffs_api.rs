//! The closed-loop handoff through the API, on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};

fn sheet() -> Value {
    json!({"method": "phone", "received_on": "2026-11-20",
     "person": {"name": "盛岡 花子", "kana": "もりおか はなこ", "sex": "female", "birth_date": "S45.3.12",
                "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"}},
     "concerns": [{"category": "介護のこと", "main": true}, {"category": "収入・生活費のこと"}],
     "chief_complaint": "母の介護と生活費が心配",
     "household": [
       {"name": "盛岡 花子", "relationship": "本人", "consent": "yes"},
       {"name": "盛岡 キヨ", "relationship": "母", "sex": "female", "age": 84, "living": "together", "consent": "yes"},
       {"name": "盛岡 一郎", "relationship": "弟", "sex": "male", "age": 50, "living": "separate_in_city", "consent": "no"}]})
}

struct Setup {
    app: TestApp,
    sender: String,
    receiver: String,
    third: String,
    secretariat_staff: String,
    consultation: i64,
    person: i64,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("okuru", "staff", &[1]).await;
    app.create_user("ukeru", "staff", &[2]).await;
    app.create_user("tanin", "staff", &[3]).await;
    app.create_user("jimukyoku", "csw", &[secretariat]).await;
    let sender = app.token("okuru", USER_PASSWORD).await;
    let created = app
        .post_json("/api/v1/consultations", Some(&sender), &sheet())
        .await
        .json();
    Setup {
        receiver: app.token("ukeru", USER_PASSWORD).await,
        third: app.token("tanin", USER_PASSWORD).await,
        secretariat_staff: app.token("jimukyoku", USER_PASSWORD).await,
        consultation: created["id"].as_i64().unwrap(),
        person: created["person_id"].as_i64().unwrap(),
        sender,
        app,
    }
}

impl Setup {
    async fn step_raw(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.app.post_json(path, Some(token), &body).await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    }
    async fn send(&self, body: Value) -> Value {
        let r = self
            .app
            .post_json("/api/v1/handoffs", Some(&self.sender), &body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()
    }
    async fn step(&self, token: &str, id: i64, step: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .app
            .post_json(&format!("/api/v1/handoffs/{id}/{step}"), Some(token), &body)
            .await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    }
}

async fn the_loop_closes_send_receive_report_acknowledge(backend: Backend) {
    let s = setup(backend).await;
    // Ids written as whole floats (a client that keeps every number as a
    // float) read as the integers they are.
    let sent = s
        .send(json!({"consultation_id": s.consultation as f64, "to_agency_ids": [2.0], "urgency": "within_week",
                     "notes": {"done": "電話で状況を聞き取った", "requests": "訪問して母の状態を確認してほしい"}}))
        .await;
    assert_eq!(sent["handoffs"][0]["to_agency_id"], 2);
    assert_eq!(sent["handoffs"][0]["status"], "sent");
    let id = sent["handoffs"][0]["id"].as_i64().unwrap();
    let inbox = s
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&s.receiver))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(inbox[0]["id"], id);
    assert_eq!(inbox[0]["status_label"], "未受領", "the receiver's word");
    let outbox = s
        .app
        .get("/api/v1/handoffs?box=outbox", Some(&s.sender))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(outbox[0]["status_label"], "送付済", "the sender's word");
    assert_eq!(
        inbox[0]["notes"]["requests"],
        "訪問して母の状態を確認してほしい"
    );
    // A step with nothing to add may send `null`, as the document allows.
    assert_eq!(
        s.step(&s.receiver, id, "receive", Value::Null).await,
        (StatusCode::OK, json!({"id": id, "status": "received"}))
    );
    assert_eq!(
        s.step(&s.receiver, id, "start", json!({})).await.1["status"],
        "in_progress"
    );
    assert_eq!(
        s.step(
            &s.receiver,
            id,
            "report",
            json!({"response": "訪問し、介護認定の申請を支援します"})
        )
        .await
        .1["status"],
        "reported"
    );
    assert_eq!(
        s.step(&s.sender, id, "acknowledge", json!({})).await.1["status"],
        "completed"
    );
    let detail = s
        .app
        .get(&format!("/api/v1/handoffs/{id}"), Some(&s.sender))
        .await
        .json();
    assert_eq!(detail["response"], "訪問し、介護認定の申請を支援します");
    let steps: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["send", "receive", "start", "report", "acknowledge"]);
    // Each step names its handoff, who took it and when (in Japan).
    for e in detail["events"].as_array().unwrap() {
        assert_eq!(e["handoff_id"], detail["id"], "{e}");
        assert!(
            e["user_id"].is_i64() && e["at"].as_str().unwrap().ends_with("+09:00"),
            "{e}"
        );
    }
    assert!(detail["received_on"].is_string() && detail["report_received_on"].is_string());
    let actions = s.app.audit_actions().await;
    assert!(
        actions
            .iter()
            .any(|(a, w)| a == "handoff_sent" && w == "okuru")
    );
    assert_eq!(
        actions.iter().filter(|(a, _)| a == "handoff_step").count(),
        4
    );
    assert!(
        actions
            .iter()
            .any(|(a, w)| a == "handoffs_listed" && w == "ukeru"),
        "reading the inbox is audited"
    );
    let outbox = s
        .app
        .get(
            "/api/v1/handoffs?box=outbox&status=completed",
            Some(&s.sender),
        )
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(outbox.as_array().unwrap().len(), 1);
}

async fn illegal_steps_answer_409_and_the_wrong_side_403(backend: Backend) {
    let s = setup(backend).await;
    let id = s
        .send(json!({"consultation_id": s.consultation, "to_agency_ids": [2]}))
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    let (status, body) = s
        .step(&s.receiver, id, "report", json!({"response": "x"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"],
        "「送付済」の引継ぎは「報告」できません（先に受領してください）"
    );
    assert_eq!(
        s.step(&s.sender, id, "receive", json!({})).await.0,
        StatusCode::FORBIDDEN,
        "the sender does not receive"
    );
    assert_eq!(
        s.step(&s.receiver, id, "acknowledge", json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.step(&s.receiver, id, "receive", json!({})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.step(&s.receiver, id, "receive", json!({})).await.0,
        StatusCode::CONFLICT,
        "not twice"
    );
    let (status, body) = s
        .step(&s.receiver, id, "report", json!({"response": "  "}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "対応状況・方針を入力してください");
}

async fn a_returned_handoff_is_rerouted_or_closed_with_a_reason(backend: Backend) {
    let s = setup(backend).await;
    let id = s
        .send(json!({"consultation_id": s.consultation, "to_agency_ids": [2]}))
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        s.step(&s.receiver, id, "return", json!({})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let (status, body) = s
        .step(
            &s.receiver,
            id,
            "return",
            json!({"reason": "当センターの担当地区外です", "suggested_agency_id": 5}),
        )
        .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("returned"))
    );
    let outbox = s
        .app
        .get(
            "/api/v1/handoffs?box=outbox&status=returned",
            Some(&s.sender),
        )
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(outbox[0]["return_reason"], "当センターの担当地区外です");
    assert_eq!(outbox[0]["suggested_agency_id"], 5);
    // Returned: the receiver's access ended with it (no step, no record).
    assert_eq!(
        s.step(&s.receiver, id, "receive", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    // Re-routed to the suggested agency, and the returned one closed with a reason.
    s.send(json!({"consultation_id": s.consultation, "to_agency_ids": [5]}))
        .await;
    assert_eq!(
        s.step(&s.sender, id, "withdraw", json!({})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        s.step(
            &s.sender,
            id,
            "withdraw",
            json!({"reason": "五月園へ送り直した"})
        )
        .await
        .1["status"],
        "withdrawn"
    );
    assert_eq!(
        s.step(&s.sender, id, "withdraw", json!({"reason": "x"}))
            .await
            .0,
        StatusCode::CONFLICT
    );
}

async fn a_third_agency_gets_404_for_the_handoff_and_the_person(backend: Backend) {
    let s = setup(backend).await;
    let id = s
        .send(json!({"consultation_id": s.consultation, "to_agency_ids": [2]}))
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        s.app
            .get(&format!("/api/v1/handoffs/{id}"), Some(&s.third))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.app
            .get(&format!("/api/v1/persons/{}", s.person), Some(&s.third))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.step(&s.third, id, "receive", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.app
            .get("/api/v1/handoffs?box=inbox", Some(&s.third))
            .await
            .json()["handoffs"]
            .clone(),
        json!([])
    );
    // Only the 受付機関 sends handoffs of its consultation.
    let r = s
        .app
        .post_json(
            "/api/v1/handoffs",
            Some(&s.receiver),
            &json!({"consultation_id": s.consultation, "to_agency_ids": [3]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the receiver sees the person but sends only once it has received the handoff"
    );
    assert_eq!(
        r.json()["error"],
        "引継ぎを送れるのは、その相談の受付機関と、受領した引継機関の利用者だけです"
    );
}

async fn the_receiver_sees_consenting_members_only_unless_overridden(backend: Backend) {
    let s = setup(backend).await;
    s.send(json!({"consultation_id": s.consultation, "to_agency_ids": [2]}))
        .await;
    let seen = s
        .app
        .get(&format!("/api/v1/persons/{}", s.person), Some(&s.receiver))
        .await;
    assert_eq!(
        seen.status,
        StatusCode::OK,
        "the receiving agency gains access to the person"
    );
    let names: Vec<String> = seen.json()["household"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["盛岡 花子", "盛岡 キヨ"],
        "the brother did not consent"
    );
    assert!(!seen.body.contains("盛岡 一郎"));
    let sender_view = s
        .app
        .get(&format!("/api/v1/persons/{}", s.person), Some(&s.sender))
        .await;
    assert!(
        sender_view.body.contains("盛岡 一郎"),
        "the 受付機関 sees the whole household"
    );
    // The mother withdraws her consent: from now on the receiver no longer sees her.
    let consent = format!("/api/v1/consultations/{}/consent", s.consultation);
    let (status, _) = s
        .step_raw(
            &s.receiver,
            &consent,
            json!({"position": 2, "consent": "no"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the 受付機関 holds the sheet"
    );
    let (status, body) = s
        .step_raw(
            &s.sender,
            &consent,
            json!({"position": 2, "consent": "撤回"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = s
        .step_raw(&s.sender, &consent, json!({"position": 9, "consent": "no"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = s
        .step_raw(&s.sender, &consent, json!({"position": 2, "consent": "無"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = s
        .app
        .get(&format!("/api/v1/persons/{}", s.person), Some(&s.receiver))
        .await;
    assert!(
        !seen.body.contains("盛岡 キヨ"),
        "withdrawn consent is honoured at once"
    );
    let changes = s.app.repo().person_changes(s.person).await.unwrap();
    let change = changes
        .iter()
        .find(|c| c.field == "household_consent")
        .unwrap();
    assert_eq!(
        (change.before.as_deref(), change.after.as_deref()),
        (Some("盛岡 キヨ: 有"), Some("盛岡 キヨ: 無"))
    );
    assert!(
        s.app
            .audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "consent_changed")
    );
    let (status, _) = s
        .step_raw(&s.third, &consent, json!({"position": 2, "consent": "yes"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "out of scope");
    // An override with a reason (audited) shares everyone with that agency.
    s.send(json!({"consultation_id": s.consultation, "to_agency_ids": [3], "consent_override_reason": "弟からの経済的虐待の疑いがあり、支援方針の検討に必要"})).await;
    let third = s
        .app
        .get(&format!("/api/v1/persons/{}", s.person), Some(&s.third))
        .await;
    assert!(third.body.contains("盛岡 一郎"));
    let events = s.app.repo().recent_audit_events(5).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "handoff_sent" && e.detail.contains("同意のない家族も共有")),
        "{events:?}"
    );
}

async fn overdue_handoffs_stand_out_by_the_packs_limits(backend: Backend) {
    let s = setup(backend).await;
    let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    s.app.state.clock.set(thursday);
    let plain = s
        .send(json!({"consultation_id": s.consultation, "to_agency_ids": [2]}))
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    let urgent = s
        .send(json!({"consultation_id": s.consultation, "to_agency_ids": [5], "urgency": "within_week"}))
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    let overdue_of = |list: &Value, id: i64| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap()["overdue"]
            .clone()
    };
    // Monday: two business days after Thursday — still in time.
    s.app
        .state
        .clock
        .set(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    let outbox = s
        .app
        .get("/api/v1/handoffs?box=outbox", Some(&s.sender))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(overdue_of(&outbox, plain), Value::Null);
    // Tuesday: not received in time.
    s.app
        .state
        .clock
        .set(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    let outbox = s
        .app
        .get("/api/v1/handoffs?box=outbox", Some(&s.sender))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(
        overdue_of(&outbox, plain),
        json!("受領の期限（11月30日）を過ぎています")
    );
    // Received, but urgent (1週間以内) and not reported by 12月3日.
    let five = s
        .app
        .repo()
        .agencies()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id == 5)
        .unwrap();
    s.app.create_user("go-ban", "staff", &[five.id]).await;
    let token5 = s.app.token("go-ban", USER_PASSWORD).await;
    assert_eq!(
        s.step(&token5, urgent, "receive", json!({})).await.0,
        StatusCode::OK
    );
    s.app
        .state
        .clock
        .set(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    let inbox = s
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&token5))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(overdue_of(&inbox, urgent), Value::Null);
    s.app
        .state
        .clock
        .set(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
    let inbox = s
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&token5))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(
        overdue_of(&inbox, urgent),
        json!("報告の期限（12月03日）を過ぎています")
    );
}

async fn unknown_partner_and_multi_agency_go_to_the_secretariat(backend: Backend) {
    let s = setup(backend).await;
    let secretariat = s.app.secretariat_id().await;
    for purpose in ["unknown_partner", "multi_agency"] {
        let sent = s.send(json!({"consultation_id": s.consultation, "purpose": purpose, "to_agency_ids": [2]})).await;
        assert_eq!(sent["handoffs"].as_array().unwrap().len(), 1);
        assert_eq!(
            sent["handoffs"][0]["to_agency_id"], secretariat,
            "{purpose}"
        );
    }
    let inbox = s
        .app
        .get("/api/v1/handoffs?box=inbox", Some(&s.secretariat_staff))
        .await
        .json()["handoffs"]
        .clone();
    let purposes: Vec<&str> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["purpose_label"].as_str().unwrap())
        .collect();
    assert!(
        purposes.contains(&"連携先等不明") && purposes.contains(&"重層事業へつなぐ（会議開催等）")
    );
}

async fn suggestions_follow_the_address_and_the_concerns(backend: Backend) {
    let s = setup(backend).await;
    let suggested = s
        .app
        .get(
            &format!(
                "/api/v1/handoffs/suggestions?consultation_id={}",
                s.consultation
            ),
            Some(&s.sender),
        )
        .await
        .json();
    let names: Vec<&str> = suggested
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    // 介護 → the address's center and the 関係各課 of 介護; 収入・生活費 →
    // くらしの相談支援室 and 生活福祉課 (the pack's mapping).
    assert_eq!(
        names,
        [
            "仁王・上田地域包括支援センター",
            "保健福祉部 介護保険課",
            "保健福祉部 長寿社会課",
            "盛岡市くらしの相談支援室",
            "保健福祉部 生活福祉第一課・第二課",
        ],
        "{suggested}"
    );
    assert!(
        suggested[0]["reason"]
            .as_str()
            .unwrap()
            .contains("介護のこと")
    );
    assert_eq!(
        suggested[4]["reason"],
        "収入・生活費のこと（関係各課: 生活困窮・生活保護）"
    );
}

async fn the_pages_and_the_no3_print_follow_the_same_rules(backend: Backend) {
    let s = setup(backend).await;
    let id = s
        .send(json!({"consultation_id": s.consultation, "to_agency_ids": [2], "notes": {"requests": "訪問してほしい"}}))
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    let (third, _) = s.app.browser_sign_in("tanin", USER_PASSWORD).await;
    for path in [format!("/handoffs/{id}"), format!("/handoffs/{id}/print")] {
        assert_eq!(
            s.app.get_with_cookie(&path, &third).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (receiver, csrf) = s.app.browser_sign_in("ukeru", USER_PASSWORD).await;
    let home = s.app.get_with_cookie("/", &receiver).await;
    assert!(
        home.body
            .contains("<span class=\"number\">1</span> 件 対応待ち"),
        "{}",
        home.body
    );
    let print = s
        .app
        .get_with_cookie(&format!("/handoffs/{id}/print"), &receiver)
        .await;
    assert!(
        print.body.contains("包括的相談支援受付シート")
            && print.body.contains("(No.3)")
            && print.body.contains("訪問してほしい")
    );
    // A step the state does not allow is explained on the page, not a crash.
    let early = s
        .app
        .post_form_with_cookie(
            &format!("/handoffs/{id}/report"),
            &receiver,
            &[("csrf_token", &csrf), ("response", "対応します")],
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(
        early.body.contains("先に受領してください") && early.body.contains("対応します"),
        "what was typed stays"
    );
    let (sender, csrf_s) = s.app.browser_sign_in("okuru", USER_PASSWORD).await;
    let no_partner = s
        .app
        .post_form_with_cookie(
            &format!("/consultations/{}/handoffs", s.consultation),
            &sender,
            &[
                ("csrf_token", &csrf_s),
                ("purpose", "refer"),
                ("notes.requests", "書いた内容"),
            ],
        )
        .await;
    assert_eq!(no_partner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_partner.body.contains("引継機関を1つ以上選んでください")
            && no_partner.body.contains("書いた内容")
    );
    // Each side sees the person named on its list, the handoff's page and
    // its print (the names of a list are read at once).
    for (session, path) in [
        (&receiver, "/handoffs".to_owned()),
        (&sender, "/handoffs?box=outbox".to_owned()),
        (&receiver, format!("/handoffs/{id}")),
        (&sender, format!("/handoffs/{id}/print")),
    ] {
        let page = s.app.get_with_cookie(&path, session).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("盛岡 花子"), "{path}: {}", page.body);
    }
}

/// A 差戻し offers 「別の機関へ送り直す」: the form comes with the No.3
/// content and the agency the receiver suggested; sending closes the
/// returned handoff, saying it was sent again. The receiver cannot resend.
async fn a_returned_handoff_is_sent_again_from_its_page(backend: Backend) {
    let s = setup(backend).await;
    let id = s
        .send(
            json!({"consultation_id": s.consultation, "to_agency_ids": [2],
                     "notes": {"requests": "訪問して母の状態を確認してください"}}),
        )
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    let (status, _) = s
        .step(
            &s.receiver,
            id,
            "return",
            json!({"reason": "当センターの担当地区外です", "suggested_agency_id": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (session, csrf) = s.app.browser_sign_in("okuru", USER_PASSWORD).await;
    let page = s
        .app
        .get_with_cookie(&format!("/handoffs/{id}"), &session)
        .await;
    let link = format!("/consultations/{}/handoffs?resend={id}", s.consultation);
    assert!(page.body.contains(&link), "{}", page.body);
    let form = s.app.get_with_cookie(&link, &session).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("訪問して母の状態を確認してください"),
        "the No.3 is carried"
    );
    assert!(
        form.body
            .contains("name=\"to_agency_ids\" value=\"5\" checked"),
        "the suggested agency"
    );
    assert!(
        form.body
            .contains(&format!("name=\"resend_of\" value=\"{id}\""))
    );
    // The receiver has no resend.
    let (theirs, _) = s.app.browser_sign_in("ukeru", USER_PASSWORD).await;
    let refused = s.app.get_with_cookie(&link, &theirs).await;
    assert!(
        matches!(
            refused.status,
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
        ),
        "{}",
        refused.status
    );
    // Sent again to the suggested agency: the returned one closes.
    let resend_of = id.to_string();
    let r = s
        .app
        .post_form_with_cookie(
            &format!("/consultations/{}/handoffs", s.consultation),
            &session,
            &[
                ("csrf_token", &csrf),
                ("resend_of", &resend_of),
                ("purpose", "refer"),
                ("urgency", "none"),
                ("to_agency_ids", "5"),
                ("notes.requests", "訪問して母の状態を確認してください"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let old = s
        .app
        .get(&format!("/api/v1/handoffs/{id}"), Some(&s.sender))
        .await
        .json();
    assert_eq!(old["status"], "withdrawn");
    assert!(
        old["withdraw_reason"]
            .as_str()
            .unwrap()
            .contains("送り直した"),
        "{old}"
    );
    let outbox = s
        .app
        .get("/api/v1/handoffs?box=outbox&status=sent", Some(&s.sender))
        .await
        .json()["handoffs"]
        .clone();
    assert_eq!(outbox[0]["to_agency_id"], 5);
    // Once closed, there is nothing to send again.
    let again = s.app.get_with_cookie(&link, &session).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

/// The API's resend: the returned handoff's No.3 goes to the suggested
/// agency unless told otherwise, and the returned one closes; only its
/// sender resends it, once.
async fn a_returned_handoff_is_sent_again_through_the_api(backend: Backend) {
    let s = setup(backend).await;
    let id = s
        .send(
            json!({"consultation_id": s.consultation, "to_agency_ids": [2],
                     "notes": {"requests": "家計の相談を"}}),
        )
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/handoffs/{id}/resend");
    let early = s.app.post_json(&path, Some(&s.sender), &json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not returned yet");
    s.step(
        &s.receiver,
        id,
        "return",
        json!({"reason": "担当地区外", "suggested_agency_id": 5}),
    )
    .await;
    for (token, status) in [
        (&s.receiver, StatusCode::NOT_FOUND),
        (&s.third, StatusCode::NOT_FOUND),
    ] {
        assert_eq!(
            s.app.post_json(&path, Some(token), &json!({})).await.status,
            status
        );
    }
    let unknown = s
        .app
        .post_json(&path, Some(&s.sender), &json!({"consultation_id": 1}))
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::BAD_REQUEST,
        "an unknown field is refused"
    );
    let r = s.app.post_json(&path, Some(&s.sender), &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let new_id = r.json()["handoffs"][0]["id"].as_i64().unwrap();
    let new = s
        .app
        .get(&format!("/api/v1/handoffs/{new_id}"), Some(&s.sender))
        .await
        .json();
    assert_eq!(new["to_agency_id"], 5);
    assert_eq!(new["notes"]["requests"], "家計の相談を");
    let old = s
        .app
        .get(&format!("/api/v1/handoffs/{id}"), Some(&s.sender))
        .await
        .json();
    assert_eq!(old["status"], "withdrawn");
    let again = s.app.post_json(&path, Some(&s.sender), &json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

/// When 本人's 同意 is 無 or 不明 the sheet travels only with the sender's
/// reason, which the receiver sees and the audit trail keeps; the No.3
/// names each side with its phone (typed, or the agency's), the other
/// 引継機関 of the same sheet, and who received the report.
async fn sharing_without_consent_asks_a_reason_and_no3_names_each_side(backend: Backend) {
    let s = setup(backend).await;
    // Agency 2's phone, set by the administrator, is its side's default.
    let admin = s.app.admin_token().await;
    let r = s
        .app
        .request(
            axum::http::Request::put("/api/v1/agencies/2/contact")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {admin}"))
                .body(axum::body::Body::from(
                    json!({"phone": "019-222-0000", "extension": "22"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut refused = sheet();
    refused["household"][0]["consent"] = json!("no");
    let created = s
        .app
        .post_json("/api/v1/consultations", Some(&s.sender), &refused)
        .await
        .json();
    let consultation = created["id"].as_i64().unwrap();
    let body = json!({"consultation_id": consultation, "to_agency_ids": [2, 3],
                      "sender_phone": "０１９-６００-１２３４"});
    let (status, err) = s
        .step_raw(&s.sender, "/api/v1/handoffs", body.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["errors"][0]["field"], "self_consent_reason");
    assert!(
        err["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("本人の同意が「無」")
    );
    let mut bad_phone = body.clone();
    bad_phone["self_consent_reason"] = json!("生命の保護のため緊急");
    bad_phone["sender_phone"] = json!("600-1234");
    let (status, err) = s.step_raw(&s.sender, "/api/v1/handoffs", bad_phone).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["errors"][0]["field"], "sender_phone");
    let mut body = body;
    body["self_consent_reason"] = json!("生命の保護のため緊急");
    let sent = s.send(body).await;
    let id = sent["handoffs"][0]["id"].as_i64().unwrap();
    let detail = s
        .app
        .get(&format!("/api/v1/handoffs/{id}"), Some(&s.receiver))
        .await
        .json();
    assert_eq!(detail["self_consent_reason"], "生命の保護のため緊急");
    assert_eq!(detail["sender_phone"], "019-600-1234");
    assert_eq!(detail["sent_with"][0]["agency_id"], 3, "{detail}");
    let audit = s.app.repo().recent_audit_events(50).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "handoff_sent"
            && e.detail
                .contains("本人の同意「無」のまま提供（理由: 生命の保護のため緊急）")),
        "the reason is audited"
    );

    // Each step writes its side's phone: as typed, or the agency's.
    let (status, err) = s
        .step(&s.receiver, id, "receive", json!({"phone": "でんわ"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["errors"][0]["field"], "phone");
    s.step(&s.receiver, id, "receive", json!({"phone": "019-600-2222"}))
        .await;
    s.step(&s.receiver, id, "report", json!({"response": "訪問します"}))
        .await;
    let (status, _) = s
        .step(
            &s.sender,
            id,
            "acknowledge",
            json!({"phone": "019-600-1234 内線5"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let detail = s
        .app
        .get(&format!("/api/v1/handoffs/{id}"), Some(&s.sender))
        .await
        .json();
    assert_eq!(detail["receiver_phone"], "019-600-2222");
    assert_eq!(
        detail["reporter_phone"], "019-222-0000 内線22",
        "the agency's"
    );
    assert_eq!(detail["report_receiver_phone"], "019-600-1234 内線5");
    assert_eq!(detail["report_received_by"], detail["sent_by"]);

    // The page and the print name every side; the receiver sees the reason.
    let (receiver, _) = s.app.browser_sign_in("ukeru", USER_PASSWORD).await;
    let page = s
        .app
        .get_with_cookie(&format!("/handoffs/{id}"), &receiver)
        .await;
    for text in [
        "同意のないまま提供",
        "生命の保護のため緊急",
        "電話 019-600-1234",
        "電話 019-600-2222",
        "電話 019-222-0000 内線22",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let third_name = s
        .app
        .get("/api/v1/agencies/3", Some(&s.sender))
        .await
        .json()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(page.body.contains(&third_name), "the other 引継機関");
    let print = s
        .app
        .get_with_cookie(&format!("/handoffs/{id}/print"), &receiver)
        .await;
    assert!(print.body.contains(&format!("関係機関名（{third_name}）")));
    assert!(print.body.contains("電話 019-600-1234 内線5"));

    // On the page, the form asks for the reason and keeps what was typed.
    let (sender, csrf) = s.app.browser_sign_in("okuru", USER_PASSWORD).await;
    let path = format!("/consultations/{consultation}/handoffs");
    let form = s.app.get_with_cookie(&path, &sender).await;
    assert!(form.body.contains("本人の同意（個人情報の取扱い）が「無」"));
    // The other agencies come grouped by 分野, centers with their 担当地区,
    // the 関係各課 apart, behind a filter box.
    for text in [
        "data-picker-filter",
        "<legend>高齢",
        "<legend>関係各課",
        "担当地区: 米内・山岸",
        "消費生活センター",
    ] {
        assert!(form.body.contains(text), "{text}: {}", form.body);
    }
    let r = s
        .app
        .post_form_with_cookie(
            &path,
            &sender,
            &[
                ("csrf_token", &csrf),
                ("to_agency_ids", "2"),
                ("notes.requests", "見守りを頼みたい"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("見守りを頼みたい") && r.body.contains("id=\"self_consent_reason\""));

    // Sending a returned one again asks the reason again: it is not carried.
    let again = s
        .send(
            json!({"consultation_id": consultation, "to_agency_ids": [2],
                     "self_consent_reason": "生命の保護のため緊急"}),
        )
        .await["handoffs"][0]["id"]
        .as_i64()
        .unwrap();
    s.step(
        &s.receiver,
        again,
        "return",
        json!({"reason": "担当外", "suggested_agency_id": 3}),
    )
    .await;
    let resend = format!("/api/v1/handoffs/{again}/resend");
    let (status, err) = s.step_raw(&s.sender, &resend, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["errors"][0]["field"], "self_consent_reason");
    let (status, body) = s
        .step_raw(
            &s.sender,
            &resend,
            json!({"self_consent_reason": "本人から口頭で同意を得た"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

on_both_backends!(
    a_returned_handoff_is_sent_again_through_the_api,
    a_returned_handoff_is_sent_again_from_its_page,
    the_loop_closes_send_receive_report_acknowledge,
    illegal_steps_answer_409_and_the_wrong_side_403,
    a_returned_handoff_is_rerouted_or_closed_with_a_reason,
    a_third_agency_gets_404_for_the_handoff_and_the_person,
    the_receiver_sees_consenting_members_only_unless_overridden,
    overdue_handoffs_stand_out_by_the_packs_limits,
    unknown_partner_and_multi_agency_go_to_the_secretariat,
    suggestions_follow_the_address_and_the_concerns,
    the_pages_and_the_no3_print_follow_the_same_rules,
    sharing_without_consent_asks_a_reason_and_no3_names_each_side,
);
