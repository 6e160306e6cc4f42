//! アウトリーチ, 参加支援 and 地域づくり through the API, on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};
use std::collections::HashSet;

struct Setup {
    app: TestApp,
    /// 事務局 CSW.
    csw: String,
    /// Agency 1 staff.
    staff: String,
    /// Agency 2 staff: not involved.
    stranger: String,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    app.create_user("staff", "staff", &[1]).await;
    app.create_user("tanin", "staff", &[2]).await;
    Setup {
        csw: app.token("csw", USER_PASSWORD).await,
        staff: app.token("staff", USER_PASSWORD).await,
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
    async fn consultation(&self, token: &str, name: &str) -> (i64, i64) {
        let (status, body) = self
            .post(
                token,
                "/api/v1/consultations",
                json!({"method": "phone", "person": {"name": name, "kana": "もりおか たろう"},
                       "concerns": [{"category": "withdrawal", "main": true}], "chief_complaint": "外に出られない"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["id"].as_i64().unwrap(),
            body["person_id"].as_i64().unwrap(),
        )
    }
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn an_outreach_target_is_contacted_and_turns_into_a_consultation(backend: Backend) {
    let s = setup(backend).await;
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/outreach",
            json!({"found_via": "民生委員・児童委員"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["description", "address"]);
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/outreach",
            json!({"address": "盛岡市上田三丁目2-1", "description": "高齢の男性が一人で暮らし、郵便物がたまっている",
                   "found_via": "minsei", "found_via_detail": "上田地区の民生委員",
                   "found_on": "令和8年10月30日"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let target = body["id"].as_i64().unwrap();
    let path = format!("/api/v1/outreach/{target}");
    let (status, view) = s.get(&s.staff, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["stage"], "identified");
    assert_eq!(view["town"], "上田");
    assert!(
        view["display_name"]
            .as_str()
            .unwrap()
            .starts_with("氏名不明")
    );
    // Out of scope: another agency gets 404; the 事務局 sees it.
    assert_eq!(s.get(&s.stranger, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&s.csw, &path).await.0, StatusCode::OK);
    let attempts = format!("{path}/attempts");
    // A contact before the day the target was found is refused.
    let (status, body) = s
        .post(
            &s.staff,
            &attempts,
            json!({"on": "2026-10-29", "way": "visit", "who": "担当 佐藤", "outcome": "absent"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("把握した日"), "{body}");
    for (on, way, outcome) in [
        ("令和8年11月2日", "visit", "absent"),
        ("2026-11-09", "letter", "left_message"),
        ("R8.11.16", "訪問", "会えた"),
    ] {
        let (status, body) = s
            .post(
                &s.staff,
                &attempts,
                json!({"on": on, "way": way, "who": "担当 佐藤", "outcome": outcome}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, view) = s.get(&s.staff, &path).await;
    assert_eq!(view["attempt_count"], 3);
    assert_eq!(view["stage"], "contacted");
    assert_eq!(view["last_contact_on"], "2026-11-16");
    assert_eq!(view["attempts"][1]["way_label"], "手紙");
    // 相談につながった only by the intake sheet; future dates refused.
    let (status, body) = s
        .post(
            &s.staff,
            &attempts,
            json!({"on": "2026-11-20", "way": "visit", "outcome": "met", "stage": "connected"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["stage"]);
    let (status, body) = s
        .post(
            &s.staff,
            &attempts,
            json!({"on": "2099-01-01", "way": "visit", "outcome": "met"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["on"]);
    assert_eq!(
        s.post(
            &s.stranger,
            &attempts,
            json!({"on": "2026-11-20", "way": "visit", "outcome": "met"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // The person connects: the consultation names the target.
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/consultations",
            json!({"method": "home_visit", "person": {"name": "上田 一郎", "kana": "うえだ いちろう"},
                   "concerns": [{"category": "病気や健康、障害のこと", "main": true}], "chief_complaint": "体調が悪い",
                   "outreach_target_id": target}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let consultation = body["id"].as_i64().unwrap();
    let (_, view) = s.get(&s.staff, &path).await;
    assert_eq!(view["stage"], "connected");
    assert_eq!(view["consultation_id"], consultation);
    assert_eq!(view["open"], false);
    let (status, _) = s
        .post(
            &s.staff,
            "/api/v1/consultations",
            json!({"method": "home_visit", "person": {"name": "上田 一郎"},
                   "concerns": [{"category": "病気や健康、障害のこと", "main": true}], "chief_complaint": "x",
                   "outreach_target_id": target}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = s
        .post(
            &s.staff,
            &attempts,
            json!({"on": "2026-11-20", "way": "visit", "outcome": "met"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn targets_without_contact_stand_out(backend: Backend) {
    let s = setup(backend).await;
    let found_on = s.app.state.today();
    for description in [
        "A さん宅、雨戸が閉まったまま",
        "B さん宅、新聞がたまっている",
    ] {
        let (status, _) = s
            .post(
                &s.staff,
                "/api/v1/outreach",
                json!({"address": "盛岡市本宮五丁目", "description": description, "found_via": "neighbour"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, list) = s.get(&s.staff, "/api/v1/outreach").await;
    let second = list["targets"][1]["id"].as_i64().unwrap();
    // Two days later, one of them is called.
    let called_on = found_on + chrono::Days::new(2);
    s.app.state.clock.set(called_on);
    let (status, _) = s
        .post(
            &s.staff,
            &format!("/api/v1/outreach/{second}/attempts"),
            json!({"on": called_on.to_string(), "way": "phone", "outcome": "talked"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // 31 days after the call (33 after finding them): both are overdue.
    s.app.state.clock.set(called_on + chrono::Days::new(31));
    let (_, list) = s.get(&s.staff, "/api/v1/outreach").await;
    assert_eq!(list["no_contact_alert_days"], 30);
    let alerts: Vec<bool> = list["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["no_contact_alert"].as_bool().unwrap())
        .collect();
    assert_eq!(alerts, vec![true, true]);
    // 29 days after the call (31 after finding them): only the one never
    // contacted stands out.
    s.app.state.clock.set(called_on + chrono::Days::new(29));
    let (_, list) = s.get(&s.staff, "/api/v1/outreach").await;
    let alerts: Vec<(i64, bool)> = list["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["no_contact_alert"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        alerts.iter().all(|&(id, alert)| alert == (id != second)),
        "{alerts:?}"
    );
    // 13 days after: none.
    s.app.state.clock.set(found_on + chrono::Days::new(13));
    let (_, list) = s.get(&s.staff, "/api/v1/outreach").await;
    assert!(
        list["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["no_contact_alert"] == false)
    );
    let (_, list) = s.get(&s.stranger, "/api/v1/outreach").await;
    assert_eq!(list["targets"].as_array().unwrap().len(), 0);
}

async fn people_are_matched_to_menus_and_followed_up(backend: Backend) {
    let s = setup(backend).await;
    // The story below happens on dated days: the clock starts on the day it is set.
    s.app
        .state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    let (_, menus) = s.get(&s.staff, "/api/v1/participation/menus").await;
    let names: Vec<&str> = menus["menus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "Book and Bookenergy in Morioka (BBM)",
            "住まいるプロジェクト",
            "畑づくり"
        ]
    );
    let hatake = menus["menus"][2]["id"].as_i64().unwrap();
    assert_eq!(menus["menus"][2]["suits"], "ひきこもり経験者等");
    // New menus (新たな社会資源の開拓) come from the 事務局.
    let menu = json!({"name": "こども食堂ボランティア", "host": "上田地区社会福祉協議会", "capacity": "1"});
    let (status, _) = s
        .post(&s.staff, "/api/v1/participation/menus", menu.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = s
        .post(&s.csw, "/api/v1/participation/menus", json!({"name": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["name", "host"]);
    let (status, body) = s.post(&s.csw, "/api/v1/participation/menus", menu).await;
    assert_eq!(status, StatusCode::CREATED);
    let small = body["id"].as_i64().unwrap();
    // Match a person the staff see, with the reasons.
    let (_, person) = s.consultation(&s.staff, "盛岡 太郎").await;
    let (_, other) = s.consultation(&s.staff, "盛岡 次郎").await;
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/participation/matches",
            json!({"menu_id": hatake, "person_id": person, "reasons": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["reasons"]);
    let (status, _) = s
        .post(
            &s.stranger,
            "/api/v1/participation/matches",
            json!({"menu_id": hatake, "person_id": person, "reasons": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/participation/matches",
            json!({"menu_id": hatake, "person_id": person, "reasons": "土に触れる作業なら続けられそうと本人が話した"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let matched = body["id"].as_i64().unwrap();
    let (status, _) = s
        .post(
            &s.staff,
            "/api/v1/participation/matches",
            json!({"menu_id": hatake, "person_id": person, "reasons": "again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A full menu refuses.
    s.post(
        &s.staff,
        "/api/v1/participation/matches",
        json!({"menu_id": small, "person_id": person, "reasons": "料理が好き"}),
    )
    .await;
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/participation/matches",
            json!({"menu_id": small, "person_id": other, "reasons": "料理が好き"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["menu_id"]);
    // Follow-ups (定着支援): participation dates and how it goes.
    let follow_ups = format!("/api/v1/participation/matches/{matched}/follow-ups");
    let (status, body) = s
        .post(
            &s.staff,
            &follow_ups,
            json!({"on": "令和8年11月25日", "kind": "participation", "note": "2時間作業できた"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &s.staff,
            &follow_ups,
            json!({"on": "2026-11-26", "kind": "interview"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["note"]);
    let (_, m) = s
        .get(
            &s.staff,
            &format!("/api/v1/participation/matches/{matched}"),
        )
        .await;
    assert_eq!(m["follow_ups"][0]["kind_label"], "参加");
    // The next follow-up: 14 days (the pack) after the record.
    assert_eq!(m["next_follow_up_on"], "2026-12-09");
    assert_eq!(m["follow_up_due"], false);
    assert_eq!(
        s.get(
            &s.stranger,
            &format!("/api/v1/participation/matches/{matched}")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Per menu: participants, capacity left, follow-ups due; names only for those who may see them.
    s.app
        .state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 12, 9).unwrap());
    let (_, view) = s
        .get(&s.staff, &format!("/api/v1/participation/menus/{hatake}"))
        .await;
    assert_eq!(view["participants"], 1);
    assert_eq!(view["follow_ups_due"], 1);
    let (session, _) = s.app.browser_sign_in("staff", USER_PASSWORD).await;
    let home = s.app.get_with_cookie("/", &session).await;
    assert!(home.body.contains("定着支援の予定日が来た参加者 1 名"));
    assert_eq!(view["visible_participants"][0]["name"], "盛岡 太郎");
    let (_, view) = s
        .get(
            &s.stranger,
            &format!("/api/v1/participation/menus/{hatake}"),
        )
        .await;
    assert_eq!(view["participants"], 1);
    assert_eq!(view["visible_participants"].as_array().unwrap().len(), 0);
    let (_, view) = s
        .get(&s.staff, &format!("/api/v1/participation/menus/{small}"))
        .await;
    assert_eq!(view["capacity_left"], 0);
    // Support for the host, by the 事務局.
    let supports = format!("/api/v1/participation/menus/{hatake}/host-supports");
    let body = json!({"on": "2026-12-01", "note": "受け入れ時の声かけについて助言"});
    assert_eq!(
        s.post(&s.staff, &supports, body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.post(&s.csw, &supports, body).await.0, StatusCode::CREATED);
    let (_, view) = s
        .get(&s.csw, &format!("/api/v1/participation/menus/{hatake}"))
        .await;
    assert_eq!(
        view["host_supports"][0]["note"],
        "受け入れ時の声かけについて助言"
    );
    // 利用終了 ends the match.
    let (status, _) = s
        .post(
            &s.staff,
            &follow_ups,
            json!({"on": "2026-12-05", "kind": "ended", "note": "就労につながり卒業"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, view) = s
        .get(&s.staff, &format!("/api/v1/participation/menus/{hatake}"))
        .await;
    assert_eq!(view["participants"], 0);
    let (status, _) = s
        .post(
            &s.staff,
            &follow_ups,
            json!({"on": "2026-12-06", "kind": "participation"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

fn uuid_like(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    let parts: Vec<usize> = s.split('-').map(str::len).collect();
    parts == vec![8, 4, 4, 4, 12] && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

async fn the_directory_exports_as_hsds_and_csv(backend: Backend) {
    let s = setup(backend).await;
    let (_, list) = s.get(&s.staff, "/api/v1/resources").await;
    let resources = list["resources"].as_array().unwrap();
    // The pack's agencies of 第3号 are there from the start.
    let koma = resources
        .iter()
        .find(|r| r["name"] == "好摩保育所 地域子育て支援センター")
        .expect("a 地域子育て支援拠点 of the pack");
    assert_eq!(koma["kind"], "childcare_hub");
    assert_eq!(koma["kind_label"], "地域子育て支援拠点");
    assert!(
        resources
            .iter()
            .any(|r| r["kind"] == "activity_center" && r["name"] == "ほのぼのホーム")
    );
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/resources",
            json!({"name": "上田ふれあいサロン", "kind": "サロン", "address": "上田三丁目2-1",
                   "schedule": "毎週火曜 10:00〜12:00", "operator": "上田地区社会福祉協議会", "audience": "地域の高齢者",
                   "phone": "019-000-0000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let salon = body["id"].as_i64().unwrap();
    let (_, r) = s.get(&s.staff, &format!("/api/v1/resources/{salon}")).await;
    assert_eq!(r["catchment"], "仁王・上田地域包括支援センター");
    let (status, body) = s
        .post(&s.staff, "/api/v1/resources", json!({"kind": "宇宙"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["name", "kind"]);

    // A 出前相談会 and a 参加支援 menu the 事務局 adds (新たな社会資源).
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/events",
            json!({"kind": "pop_up_consultation", "title": "困りごとまるごと無料相談会", "held_on": "令和8年11月15日", "place": "上田公民館"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &s.csw,
            "/api/v1/participation/menus",
            json!({"name": "こども食堂の手伝い", "description": "調理と配膳の手伝い", "host": "上田こども食堂",
                   "place": "上田地区活動センター", "schedule": "毎月第2土曜 10:00〜13:00", "suits": "人と話すのが苦手でない人"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, hsds) = s.get(&s.staff, "/api/v1/resources/hsds").await;
    assert_eq!(status, StatusCode::OK);
    let ids = |key: &str| -> HashSet<String> {
        hsds[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (orgs, services, locations) = (ids("organizations"), ids("services"), ids("locations"));
    // The 拠点 (and the new salon), the pack's three menus and the new one,
    // and the 出前相談会 service.
    assert_eq!(services.len(), resources.len() + 1 + 4 + 1);
    let service_named = |name: &str| {
        hsds["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|sv| sv["name"] == name)
            .unwrap_or_else(|| panic!("no service {name}"))
            .clone()
    };
    let org_named = |id: &Value| {
        hsds["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| &o["id"] == id)
            .unwrap()["name"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for menu in [
        "Book and Bookenergy in Morioka (BBM)",
        "住まいるプロジェクト",
        "畑づくり",
    ] {
        let sv = service_named(menu);
        assert_eq!(
            org_named(&sv["organization_id"]),
            "盛岡市社会福祉協議会",
            "{menu}"
        );
        assert!(
            sv["description"]
                .as_str()
                .unwrap()
                .starts_with("参加支援メニュー")
        );
    }
    let kitchen = service_named("こども食堂の手伝い");
    assert_eq!(org_named(&kitchen["organization_id"]), "上田こども食堂");
    assert_eq!(
        kitchen["eligibility_description"],
        "人と話すのが苦手でない人"
    );
    assert!(
        hsds["schedules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|sch| sch["service_id"] == kitchen["id"]
                && sch["description"] == "毎月第2土曜 10:00〜13:00")
    );
    let pop_up = service_named("出前相談会（困りごとまるごと無料相談会）");
    let dated: Vec<&Value> = hsds["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|sch| sch["service_id"] == pop_up["id"])
        .collect();
    assert_eq!(dated.len(), 1, "one schedule per 出前相談会");
    assert_eq!(dated[0]["valid_from"], "2026-11-15");
    assert_eq!(dated[0]["valid_to"], "2026-11-15");
    assert_eq!(dated[0]["timezone"], 9);
    assert!(
        dated[0]["description"]
            .as_str()
            .unwrap()
            .contains("困りごとまるごと無料相談会")
    );
    let venue = dated[0]["location_id"].as_str().unwrap();
    assert!(
        hsds["locations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == venue && l["name"] == "上田公民館")
    );
    // HSDS 3.0: every schedule has a UUID id and names a service that exists;
    // every service has id, name and a status of the schema's enum.
    for sch in hsds["schedules"].as_array().unwrap() {
        assert!(uuid_like(&sch["id"]), "{sch}");
        assert!(
            services.contains(sch["service_id"].as_str().unwrap()),
            "{sch}"
        );
    }
    for sv in hsds["services"].as_array().unwrap() {
        assert!(sv["name"].is_string());
        assert!(
            ["active", "inactive", "defunct", "temporarily closed"]
                .contains(&sv["status"].as_str().unwrap())
        );
    }
    for o in hsds["organizations"].as_array().unwrap() {
        assert!(uuid_like(&o["id"]) && o["name"].is_string() && o["description"].is_string());
    }
    for service in hsds["services"].as_array().unwrap() {
        assert!(uuid_like(&service["id"]));
        assert_eq!(service["status"], "active");
        assert!(orgs.contains(service["organization_id"].as_str().unwrap()));
        for phone in service["phones"].as_array().into_iter().flatten() {
            assert!(uuid_like(&phone["id"]) && phone["number"].is_string());
        }
    }
    // A 拠点 with an address has it in full; a menu's place or an event's
    // venue is a named place (HSDS requires only id and location_type).
    let addressed = hsds["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l.get("addresses").is_some())
        .count();
    assert!(
        addressed
            >= resources
                .iter()
                .filter(|r| r["address"].is_string())
                .count()
    );
    for l in hsds["locations"].as_array().unwrap() {
        assert_eq!(l["location_type"], "physical");
        assert!(uuid_like(&l["id"]) && l["name"].is_string(), "{l}");
        let Some(a) = l["addresses"].get(0) else {
            continue;
        };
        for field in [
            "id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ] {
            assert!(a[field].is_string(), "{field}");
        }
        assert_eq!(a["country"], "JP");
        assert_eq!(a["city"], "盛岡市");
        assert_eq!(a["state_province"], "岩手県");
    }
    for sal in hsds["service_at_locations"].as_array().unwrap() {
        assert!(services.contains(sal["service_id"].as_str().unwrap()));
        assert!(locations.contains(sal["location_id"].as_str().unwrap()));
    }
    let schedule = hsds["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sch| sch["description"] == "毎週火曜 10:00〜12:00")
        .expect("the salon's schedule");
    assert!(services.contains(schedule["service_id"].as_str().unwrap()));
    // The same export twice names things the same way.
    let (_, again) = s.get(&s.staff, "/api/v1/resources/hsds").await;
    assert_eq!(hsds, again);

    let csv = s.app.get("/api/v1/resources/csv", Some(&s.staff)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("\u{feff}名前,種類,内容,住所,担当地域包括支援センター")
    );
    assert!(csv.body.contains("上田ふれあいサロン,サロン,,上田三丁目2-1,仁王・上田地域包括支援センター,毎週火曜 10:00〜12:00"));
    assert!(csv.body.contains("\r\n"));
    assert!(
        csv.body.contains("畑づくり,参加支援メニュー,"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("こども食堂の手伝い,参加支援メニュー,調理と配膳の手伝い,上田地区活動センター,,毎月第2土曜 10:00〜13:00,上田こども食堂"));
    assert!(
        csv.body
            .contains("困りごとまるごと無料相談会,出前相談会,,上田公民館,,令和8年11月15日"),
        "{}",
        csv.body
    );
}

async fn events_count_the_consultations_they_produce(backend: Backend) {
    let s = setup(backend).await;
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/events",
            json!({"kind": "pop_up_consultation", "held_on": "令和8年11月15日", "place": "上田公民館",
                   "attendee_positions": [1, 2]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let event = body["id"].as_i64().unwrap();
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/events",
            json!({"kind": "pop_up_consultation", "attendee_positions": [999]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["held_on", "place"]);
    let (consultation, person) = s.consultation(&s.staff, "盛岡 三郎").await;
    let link = format!("/api/v1/events/{event}/consultations");
    assert_eq!(
        s.post(&s.stranger, &link, json!({"consultation_id": consultation}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.post(&s.staff, &link, json!({"consultation_id": consultation}))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        s.post(&s.staff, &link, json!({"consultation_id": consultation}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let (_, view) = s.get(&s.staff, &format!("/api/v1/events/{event}")).await;
    assert_eq!(view["title"], "出前相談会（困りごとまるごと無料相談会）");
    assert_eq!(view["attendees"].as_array().unwrap().len(), 2);
    assert_eq!(view["consultation_count"], 1);
    assert_eq!(view["consultations"][0]["id"], consultation);
    let (_, view) = s.get(&s.stranger, &format!("/api/v1/events/{event}")).await;
    assert_eq!(view["consultation_count"], 1);
    assert_eq!(view["consultations"].as_array().unwrap().len(), 0);
    // A sheet taken at the event names it and is counted in the same save.
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/consultations",
            json!({"method": "in_person", "person": {"name": "盛岡 四郎"},
                   "concerns": [{"category": "debt", "main": true}], "chief_complaint": "借金",
                   "event_id": event}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let at_the_event = (
        body["id"].as_i64().unwrap(),
        body["person_id"].as_i64().unwrap(),
    );
    let (status, body) = s
        .post(
            &s.staff,
            "/api/v1/consultations",
            json!({"method": "in_person", "person": {"name": "盛岡 五郎"},
                   "concerns": [{"category": "debt", "main": true}], "chief_complaint": "借金",
                   "event_id": 99999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["event_id"]);
    let (_, list) = s.get(&s.staff, "/api/v1/events").await;
    assert_eq!(list["events"][0]["consultations"], 2);
    // The event's sheets in the order they were linked, each with its person.
    let (_, view) = s.get(&s.staff, &format!("/api/v1/events/{event}")).await;
    let shown: Vec<(i64, i64)> = view["consultations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["person_id"].as_i64().unwrap()))
        .collect();
    assert_eq!(shown, vec![(consultation, person), at_the_event], "{view}");
}

on_both_backends!(
    an_outreach_target_is_contacted_and_turns_into_a_consultation,
    targets_without_contact_stand_out,
    people_are_matched_to_menus_and_followed_up,
    the_directory_exports_as_hsds_and_csv,
    events_count_the_consultations_they_produce,
);
