//! 事業実績 through the API and the pages, on SQLite and PostgreSQL: the 年度
//! boundary (3月31日 / 4月1日), 延べ and 実人数, 相談内容 ○ and ◎, scope (an
//! agency counts its own work, the city everything), the CSV for Excel, and
//! the audit trail.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::{Value, json};

fn sheet(name: &str, received_on: &str, concerns: Value) -> Value {
    json!({"method": "phone", "received_on": received_on,
     "person": {"name": name, "kana": "もりおか", "sex": "female", "birth_date": "1970-03-12",
                "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"}},
     "concerns": concerns,
     "chief_complaint": "相談",
     "household": [{"name": name, "relationship": "本人", "consent": "yes"}]})
}

struct World {
    app: TestApp,
    first: String,
    second: String,
    city: String,
    auditor: String,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::new(backend).await;
    app.create_user("r-first", "staff", &[1]).await;
    app.create_user("r-second", "staff", &[2]).await;
    app.create_user("r-city", "city", &[]).await;
    app.create_user("r-audit", "auditor", &[]).await;
    let first = app.token("r-first", USER_PASSWORD).await;
    let second = app.token("r-second", USER_PASSWORD).await;
    let take = |token: &str, body: Value| {
        let app = &app;
        let token = token.to_owned();
        async move {
            let r = app
                .post_json("/api/v1/consultations", Some(&token), &body)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()
        }
    };
    let care = json!([{"category": "care", "main": true}]);
    // Person A: on the first and the last day of 令和7年度 (2025).
    let a = take(&first, sheet("盛岡 一子", "2025-04-01", care.clone())).await;
    let mut again = sheet(
        "盛岡 一子",
        "2026-03-31",
        json!([
        {"category": "care", "main": true}, {"category": "income"}]),
    );
    again["person_id"] = a["person_id"].clone();
    take(&first, again).await;
    // The day before the 年度 and the day after it.
    take(&first, sheet("盛岡 二子", "2025-03-31", care.clone())).await;
    take(&second, sheet("盛岡 三子", "2026-04-01", care)).await;
    World {
        city: app.token("r-city", USER_PASSWORD).await,
        auditor: app.token("r-audit", USER_PASSWORD).await,
        first,
        second,
        app,
    }
}

impl World {
    async fn report(&self, token: &str, year: &str) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/v1/reports/annual?fiscal_year={year}"),
                Some(token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()
    }
}

fn concern(report: &Value, key: &str) -> (i64, i64) {
    let k = report["consultations"]["by_concern"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {report}"));
    (k["any"].as_i64().unwrap(), k["main"].as_i64().unwrap())
}

async fn a_fiscal_year_counts_april_to_march_with_persons_once(backend: Backend) {
    let w = world(backend).await;
    let r = w.report(&w.first, "2025").await;
    assert_eq!(r["fiscal_year"], 2025);
    assert_eq!(r["label"], "令和7年度");
    assert_eq!(r["from"], "2025-04-01");
    assert_eq!(r["to"], "2026-03-31");
    let c = &r["consultations"];
    assert_eq!(c["total"], 2, "延べ: {c}");
    assert_eq!(c["persons"], 1, "実人数");
    let months = c["by_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0], 1, "April first");
    assert_eq!(months[11], 1, "March last");
    assert_eq!(months.iter().filter_map(Value::as_i64).sum::<i64>(), 2);
    assert_eq!(c["by_quarter"], json!([1, 0, 0, 1]));
    assert_eq!(concern(&r, "care"), (2, 2));
    assert_eq!(concern(&r, "income"), (1, 0));
    assert_eq!(concern(&r, "debt"), (0, 0));
    let phone = c["by_method"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == "phone")
        .unwrap();
    assert_eq!(phone["count"], 2);
    let sex = c["by_sex"].as_array().unwrap();
    assert_eq!(
        sex,
        &vec![json!({"key": "female", "label": "女", "count": 2})]
    );
    // Born 1970-03-12: 55 on both days.
    assert_eq!(c["by_age_band"][0]["key"], "50");
    assert_eq!(c["by_age_band"][0]["count"], 2);
    // 上田三丁目 is in the catchment of one center.
    let centers = c["by_center"].as_array().unwrap();
    assert_eq!(centers.len(), 1, "{centers:?}");
    assert_eq!(centers[0]["count"], 2);
    // The years around it.
    let before = w.report(&w.first, "令和6年度").await;
    assert_eq!(before["consultations"]["total"], 1);
    assert_eq!(before["fiscal_year"], 2024);
}

async fn an_agency_counts_its_own_work_and_the_city_everything(backend: Backend) {
    let w = world(backend).await;
    let second_2025 = w.report(&w.second, "2025").await;
    assert_eq!(second_2025["consultations"]["total"], 0);
    assert_eq!(second_2025["whole_city"], false);
    let second_2026 = w.report(&w.second, "2026").await;
    assert_eq!(second_2026["consultations"]["total"], 1);
    let city_2025 = w.report(&w.city, "2025").await;
    assert_eq!(city_2025["whole_city"], true);
    assert_eq!(city_2025["consultations"]["total"], 2);
    let by_agency = city_2025["consultations"]["by_agency"].as_array().unwrap();
    assert_eq!(by_agency.len(), 1);
    assert_eq!(by_agency[0]["key"], "1");
    let city_2026 = w.report(&w.city, "2026").await;
    assert_eq!(city_2026["consultations"]["total"], 1);
    // Meetings are counted for the city only.
    assert!(city_2026["meetings"]["by_kind"].as_array().unwrap().len() == 5);
    assert!(
        second_2026["meetings"]["by_kind"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Administration and audit roles do not read 実績.
    let refused = w
        .app
        .get("/api/v1/reports/annual?fiscal_year=2025", Some(&w.auditor))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = w
        .app
        .get("/api/v1/reports/annual?fiscal_year=来年", Some(&w.city))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("年度"), "{}", bad.body);
    // Every view is audited, without names.
    let views: Vec<_> = w
        .app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(action, _)| action == "report_viewed")
        .collect();
    assert_eq!(views.len(), 4);
}

async fn handoffs_are_counted_with_the_days_their_loop_took(backend: Backend) {
    let w = world(backend).await;
    // A consultation of this 年度 (the clock's) sent to agency 2 and received.
    let today = common::test_today();
    let taken = w
        .app
        .post_json(
            "/api/v1/consultations",
            Some(&w.first),
            &sheet(
                "盛岡 四子",
                &today.to_string(),
                json!([{"category": "housing", "main": true}]),
            ),
        )
        .await
        .json();
    let sent = w
        .app
        .post_json(
            "/api/v1/handoffs",
            Some(&w.first),
            &json!({"consultation_id": taken["id"], "to_agency_ids": [2], "purpose": "refer"}),
        )
        .await
        .json();
    let id = sent["handoffs"][0]["id"].as_i64().unwrap();
    let received = w
        .app
        .post_json(
            &format!("/api/v1/handoffs/{id}/receive"),
            Some(&w.second),
            &json!({}),
        )
        .await;
    assert_eq!(received.status, StatusCode::OK, "{}", received.body);
    let year = tsunagaru_domain::report::FiscalYear::of(today).start_year();
    let r = w.report(&w.first, &year.to_string()).await;
    let h = &r["handoffs"];
    assert_eq!(h["sent"], 1);
    let refer = h["by_purpose"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "refer")
        .unwrap();
    assert_eq!(refer["count"], 1);
    let state = h["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "received")
        .unwrap();
    assert_eq!(state["count"], 1);
    assert_eq!(
        h["business_days_to_receipt"]["median"], 0,
        "received the same day"
    );
    assert_eq!(h["business_days_to_report"], Value::Null);
    // The receiving agency's report counts what it sent: nothing.
    let theirs = w.report(&w.second, &year.to_string()).await;
    assert_eq!(theirs["handoffs"]["sent"], 0);
}

async fn the_csv_is_for_excel_and_the_page_shows_the_year(backend: Backend) {
    let w = world(backend).await;
    let csv = w
        .app
        .get("/api/v1/reports/annual.csv?fiscal_year=2025", Some(&w.city))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'), "BOM for Excel");
    assert!(csv.body.contains("区分,項目,件数\r\n"));
    assert!(
        csv.body
            .contains("第1号 包括的相談支援,相談受付件数（延べ）,2\r\n")
    );
    assert!(csv.body.contains("第1号 包括的相談支援,実人数,1\r\n"));
    assert!(!csv.body.contains("盛岡 一子"), "counts, never names");
    let (session, _) = w.app.browser_sign_in("r-city", USER_PASSWORD).await;
    let page = w
        .app
        .get_with_cookie("/reports?fiscal_year=令和7年度", &session)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("事業実績 令和7年度（2025年度）"));
    assert!(page.body.contains("<svg"), "the monthly chart");
    assert!(page.body.contains("相談受付件数（延べ）"));
    assert!(!page.body.contains("盛岡 一子"));
    let download = w
        .app
        .get_with_cookie("/reports/annual.csv?fiscal_year=2025", &session)
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.body.contains("実人数,1"));
}

/// The xlsx: one sheet per section, figures as numbers; for publication the
/// counts of 1–2 are suppressed.
async fn the_xlsx_has_a_sheet_per_section_and_suppresses_small_counts(backend: Backend) {
    use std::io::Read;
    let w = world(backend).await;
    let read = |bytes: &[u8], name: &str| {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let get = |path: &'static str| {
        let app = &w.app;
        let token = w.city.clone();
        async move {
            let request = axum::http::Request::get(path)
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let response = tower::ServiceExt::oneshot(app.router.clone(), request)
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(kind.contains("spreadsheetml"), "{kind}");
            // 事業実績_令和7年度(_公表用).xlsx, percent-encoded (RFC 6266).
            let name = response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_owned();
            let japanese = if path.contains("publication=1") {
                "%E4%BA%8B%E6%A5%AD%E5%AE%9F%E7%B8%BE_%E4%BB%A4%E5%92%8C7%E5%B9%B4%E5%BA%A6_%E5%85%AC%E8%A1%A8%E7%94%A8.xlsx"
            } else {
                "%E4%BA%8B%E6%A5%AD%E5%AE%9F%E7%B8%BE_%E4%BB%A4%E5%92%8C7%E5%B9%B4%E5%BA%A6.xlsx"
            };
            assert!(
                name.ends_with(&format!("filename*=UTF-8''{japanese}")),
                "{name}"
            );
            http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes()
        }
    };
    let full = get("/api/v1/reports/annual.xlsx?fiscal_year=2025").await;
    let workbook = read(&full, "xl/workbook.xml");
    assert!(workbook.contains("第1号 包括的相談支援"), "{workbook}");
    assert!(workbook.contains("引継ぎ"));
    let strings = read(&full, "xl/sharedStrings.xml");
    assert!(strings.contains("相談受付件数（延べ）"));
    assert!(!strings.contains("盛岡 一子"), "counts, never names");
    // Number cells (those without t="s") and their values.
    let numbers = |sheet: &str| -> Vec<String> {
        sheet
            .split("<c r=\"")
            .skip(1)
            .filter(|cell| !cell.split('>').next().unwrap_or("").contains("t=\"s\""))
            .filter_map(|cell| {
                let v = cell.split("<v>").nth(1)?;
                Some(v.split("</v>").next()?.to_owned())
            })
            .collect()
    };
    let sheet = read(&full, "xl/worksheets/sheet1.xml");
    // 延べ 2 is written as a number cell.
    assert!(numbers(&sheet).contains(&"2".to_owned()), "{sheet}");
    let public = get("/api/v1/reports/annual.xlsx?fiscal_year=2025&publication=1").await;
    let strings = read(&public, "xl/sharedStrings.xml");
    assert!(strings.contains("＊"), "small counts suppressed");
    let sheet = read(&public, "xl/worksheets/sheet1.xml");
    let shown = numbers(&sheet);
    assert!(!shown.iter().any(|v| v == "1" || v == "2"), "{shown:?}");
    // The CSV for publication too.
    let csv = w
        .app
        .get(
            "/api/v1/reports/annual.csv?fiscal_year=2025&publication=1",
            Some(&w.city),
        )
        .await;
    assert!(
        csv.body.contains("第1号 包括的相談支援,実人数,＊\r\n"),
        "{}",
        csv.body
    );
}

/// The city's home page: this 年度 so far against last 年度 to the same day.
async fn the_city_home_page_compares_the_year_so_far(backend: Backend) {
    use chrono::Datelike;
    let w = world(backend).await;
    let today = common::test_today();
    let fy = tsunagaru_domain::report::FiscalYear::of(today);
    let last_day = today.with_year(today.year() - 1).unwrap();
    let days = ["2025-04-01", "2026-03-31", "2025-03-31", "2026-04-01"]
        .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    let this = days
        .iter()
        .filter(|d| fy.first_day() <= **d && **d <= today)
        .count();
    let last = days
        .iter()
        .filter(|d| fy.previous().first_day() <= **d && **d <= last_day)
        .count();
    let (session, _) = w.app.browser_sign_in("r-city", USER_PASSWORD).await;
    let home = w.app.get_with_cookie("/", &session).await;
    assert!(home.body.contains("id=\"year-so-far\""), "{}", home.body);
    let expected = format!(
        "<td>相談受付件数（延べ）</td><td class=\"num\">{this}</td><td class=\"num\">{last}</td>"
    );
    assert!(home.body.contains(&expected), "{expected} in {}", home.body);
    let (staff, _) = w.app.browser_sign_in("r-first", USER_PASSWORD).await;
    let theirs = w.app.get_with_cookie("/", &staff).await;
    assert!(
        !theirs.body.contains("year-so-far"),
        "agency staff see their desk"
    );
}

on_both_backends!(
    the_city_home_page_compares_the_year_so_far,
    the_xlsx_has_a_sheet_per_section_and_suppresses_small_counts,
    a_fiscal_year_counts_april_to_march_with_persons_once,
    an_agency_counts_its_own_work_and_the_city_everything,
    handoffs_are_counted_with_the_days_their_loop_took,
    the_csv_is_for_excel_and_the_page_shows_the_year,
    trainings_are_recorded_by_the_city_and_counted,
    the_hubs_are_counted_as_they_stood_on_march_31,
    the_plenary_takes_the_years_report_as_a_topic,
);

/// The 全体会 evaluates the 年度: its agenda carries a topic with the 年度's
/// 事業実績 attached (the whole city's counts, 1–2 suppressed), decisions and
/// tasks on that topic, all on the page and the A4 print; a よりそい会議
/// takes no topics, and a decision cannot name another meeting's topic.
async fn the_plenary_takes_the_years_report_as_a_topic(backend: Backend) {
    let w = world(backend).await;
    let first_id = w
        .app
        .repo()
        .users()
        .await
        .unwrap()
        .iter()
        .find(|u| u.username.as_str() == "r-first")
        .unwrap()
        .id;
    let schedule = |kind: &str| {
        let app = &w.app;
        let token = w.city.clone();
        let body = json!({"kind": kind, "starts_at": "令和8年5月20日 14:00", "place": "市役所",
                          "member_user_ids": [first_id]});
        async move {
            let r = app.post_json("/api/v1/meetings", Some(&token), &body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["ids"][0].as_i64().unwrap()
        }
    };
    let plenary = schedule("council_plenary").await;
    let conference = schedule("case_conference").await;
    let agenda = format!("/api/v1/meetings/{plenary}/agenda");
    let topic = w
        .app
        .post_json(
            &agenda,
            Some(&w.city),
            &json!({"topic": "令和7年度 事業実績の評価", "fiscal_year": "令和７年度"}),
        )
        .await;
    assert_eq!(topic.status, StatusCode::CREATED, "{}", topic.body);
    let item = topic.json()["agenda_item_id"].as_i64().unwrap();
    let plain = w
        .app
        .post_json(&agenda, Some(&w.first), &json!({"topic": "次年度の重点"}))
        .await;
    assert_eq!(
        plain.status,
        StatusCode::CREATED,
        "a member adds a topic too"
    );
    for (body, field) in [
        (json!({"topic": " "}), "topic"),
        (json!({"topic": "評価", "fiscal_year": 1850}), "fiscal_year"),
        (json!({}), "case_id"),
    ] {
        let r = w.app.post_json(&agenda, Some(&w.city), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
    }
    let refused = w
        .app
        .post_json(
            &format!("/api/v1/meetings/{conference}/agenda"),
            Some(&w.city),
            &json!({"topic": "令和7年度 事業実績の評価", "fiscal_year": 2025}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("本人の同意"), "{}", refused.body);
    let outsider = w
        .app
        .post_json(&agenda, Some(&w.second), &json!({"topic": "x"}))
        .await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);

    // The evaluation decided on the topic, with a task for an agency; a
    // deadline that has already passed is refused.
    let decisions = format!("/api/v1/meetings/{plenary}/decisions");
    let today = common::test_today();
    let decide = |due: chrono::NaiveDate| {
        let app = &w.app;
        let token = w.city.clone();
        let body = json!({"agenda_item_id": item, "text": "相談受付は前年度を上回った。参加支援の受け入れ先を広げる",
                          "task_agency_id": 1, "task_title": "受け入れ先の候補を挙げる",
                          "task_due_on": due.to_string()});
        let path = decisions.clone();
        async move { app.post_json(&path, Some(&token), &body).await }
    };
    let late = decide(today.pred_opt().unwrap()).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late.json()["errors"][0]["field"], "task_due_on");
    assert!(late.body.contains("過ぎています"), "{}", late.body);
    let decided = decide(today + chrono::Days::new(60)).await;
    assert_eq!(decided.status, StatusCode::CREATED, "{}", decided.body);
    let elsewhere = w
        .app
        .post_json(
            &format!("/api/v1/meetings/{conference}/decisions"),
            Some(&w.city),
            &json!({"agenda_item_id": item, "text": "x"}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(elsewhere.json()["errors"][0]["field"], "agenda_item_id");

    let m = w
        .app
        .get(&format!("/api/v1/meetings/{plenary}"), Some(&w.first))
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let m = m.json();
    let topics = m["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 2);
    assert_eq!(topics[0]["title"], "令和7年度 事業実績の評価");
    assert_eq!(topics[0]["fiscal_year"], 2025);
    assert_eq!(
        topics[1]["figures"].as_array().unwrap().len(),
        0,
        "no 年度, no report"
    );
    // The whole city's 延べ in 令和7年度 is 2 (person A twice): shown as ＊.
    let consultations = topics[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "consultations")
        .unwrap();
    assert_eq!(consultations["actual"], "＊", "{consultations}");
    let total = topics[0]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["item"] == "相談受付件数（延べ）")
        .unwrap_or_else(|| panic!("{}", topics[0]["figures"]));
    assert_eq!(total["value"], "＊");
    assert!(!m.to_string().contains("盛岡 一子"), "counts, never names");
    assert_eq!(m["decisions"][0]["agenda_item_id"], item);
    assert_eq!(m["decisions"][0]["topic"], "令和7年度 事業実績の評価");
    assert_eq!(m["tasks"][0]["title"], "受け入れ先の候補を挙げる");

    // The page and the A4 print carry the topic, its material and the decision.
    let (session, _) = w.app.browser_sign_in("r-first", USER_PASSWORD).await;
    let page = w
        .app
        .get_with_cookie(&format!("/meetings/{plenary}"), &session)
        .await;
    assert!(page.body.contains("令和7年度 事業実績の評価") && page.body.contains("評価指標"));
    assert!(
        page.body
            .contains("令和7年度 事業実績の評価: 相談受付は前年度を上回った")
    );
    let print = w
        .app
        .get_with_cookie(&format!("/meetings/{plenary}/print"), &session)
        .await;
    assert!(
        print.body.contains("資料 1: 令和7年度 事業実績"),
        "{}",
        print.body
    );
    // The view is audited, naming the report it showed.
    let audit = w.app.repo().audit_events(0, 10_000).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "meeting_viewed" && e.detail.contains("令和7年度の事業実績")),
        "{audit:?}"
    );
}

fn hubs(report: &Value, kind: &str) -> i64 {
    report["community"]["resources_by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == kind)
        .map_or(0, |r| r["count"].as_i64().unwrap())
}

/// 拠点数 at 3月31日: a 拠点 closed after the 年度 still counts for it, one
/// closed within it does not, one opened after it does not; a closing day
/// before the opening or in the future is refused, and so is closing twice.
async fn the_hubs_are_counted_as_they_stood_on_march_31(backend: Backend) {
    let w = world(backend).await;
    let before = hubs(&w.report(&w.city, "2025").await, "salon");
    let mut ids = Vec::new();
    for (name, opened_on) in [
        ("上田サロン", "令和7年4月1日"),
        ("本宮サロン", "R7.5.1"),
        ("青山サロン", "2025-06-01"),
        ("仙北サロン", "2026-05-01"),
    ] {
        let r = w
            .app
            .post_json(
                "/api/v1/resources",
                Some(&w.first),
                &json!({"name": name, "kind": "salon", "opened_on": opened_on}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let close = |id: i64, body: Value| {
        let app = &w.app;
        let token = w.first.clone();
        async move {
            app.post_json(
                &format!("/api/v1/resources/{id}/close"),
                Some(&token),
                &body,
            )
            .await
        }
    };
    // 本宮 closes within 令和7年度, 青山 after it.
    let closed = close(
        ids[1],
        json!({"closed_on": "令和8年3月30日", "reason": "担い手の転居"}),
    )
    .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.json()["closed_on"], "2026-03-30");
    assert_eq!(closed.json()["closed_reason"], "担い手の転居");
    let r = close(
        ids[2],
        json!({"closed_on": "2026-04-01", "reason": "会場の閉鎖"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = close(ids[2], json!({"closed_on": "2026-04-02", "reason": "x"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let too_early = close(ids[3], json!({"closed_on": "2026-04-30", "reason": "x"})).await;
    assert_eq!(too_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_early.body.contains("開設日"), "{}", too_early.body);
    let future = close(ids[3], json!({"closed_on": "2099-01-01", "reason": "x"})).await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = close(999_999, json!({"closed_on": "2026-04-30", "reason": "x"})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let fy2025 = w.report(&w.city, "2025").await;
    assert_eq!(
        hubs(&fy2025, "salon") - before,
        2,
        "上田 and 青山 stood on 3月31日"
    );
    assert_eq!(fy2025["community"]["resources_opened"], 3);
    assert_eq!(fy2025["community"]["resources_closed"], 1);
    let fy2026 = w.report(&w.city, "2026").await;
    assert_eq!(hubs(&fy2026, "salon") - before, 2, "上田 and 仙北");
    assert_eq!(fy2026["community"]["resources_closed"], 1);
    // The list shows what is open now.
    let list = w.app.get("/api/v1/resources", Some(&w.first)).await.json();
    let names: Vec<&str> = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&"上田サロン") && !names.contains(&"本宮サロン"));
}

async fn trainings_are_recorded_by_the_city_and_counted(backend: Backend) {
    let w = world(backend).await;
    let body = json!({"kind": "training", "held_on": "令和7年6月10日", "theme": "重層事業の連携",
                      "agency_ids": [1, 2, 2]});
    let staff = w
        .app
        .post_json("/api/v1/trainings", Some(&w.first), &body)
        .await;
    assert_eq!(staff.status, StatusCode::FORBIDDEN);
    let created = w
        .app
        .post_json("/api/v1/trainings", Some(&w.city), &body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let future = w
        .app
        .post_json(
            "/api/v1/trainings",
            Some(&w.city),
            &json!({"kind": "exchange", "held_on": "2099-01-01", "theme": "x", "agency_ids": [1]}),
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An 出前相談会 with its 参加者数, and one that did not count them.
    for participants in [json!(18), Value::Null] {
        let event = w
            .app
            .post_json(
                "/api/v1/events",
                Some(&w.first),
                &json!({"kind": "pop_up_consultation", "held_on": "令和7年11月15日", "place": "上田公民館",
                        "participants": participants}),
            )
            .await;
        assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
    }
    let r = w.report(&w.city, "2025").await;
    assert_eq!(r["community"]["events"], 2);
    assert_eq!(r["community"]["participants"], 18);
    let participants = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "community_participants")
        .unwrap();
    assert_eq!(participants["actual"], 18);
    assert_eq!(r["trainings"]["held"], 1);
    assert_eq!(r["trainings"]["agencies"], 2, "agencies counted once each");
    let list = w
        .app
        .get("/api/v1/trainings?fiscal_year=2025", Some(&w.first))
        .await
        .json();
    assert_eq!(list["trainings"][0]["theme"], "重層事業の連携");
    assert_eq!(list["trainings"][0]["agencies"], 2);
    // The indicators read the figures, this 年度 and the previous one; the
    // pack sets no targets yet.
    let consultations = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "consultations")
        .unwrap();
    assert_eq!(consultations["actual"], 2);
    assert_eq!(consultations["previous"], 1);
    assert_eq!(consultations["target"], Value::Null);
    assert_eq!(
        r["rates"],
        Value::Null,
        "no population in the pack, no rates"
    );
}
