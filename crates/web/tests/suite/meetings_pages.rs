//! The plan's meetings in full on the pages, on SQLite and PostgreSQL: an
//! アウトリーチ target on a 支援会議's agenda and its decision's task on the
//! agency's home page, 出欠 and attendees (what was typed kept on a refusal),
//! a link to the consultation the person later came to.

use crate::common;

use axum::http::{StatusCode, header};
use common::{Backend, TestApp, USER_PASSWORD};
use serde_json::json;

async fn a_support_conference_page_works_people_not_yet_consulted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    let worker_id = app.create_user("worker", "staff", &[1]).await;
    let worker_token = app.token("worker", USER_PASSWORD).await;
    let csw_token = app.token("csw", USER_PASSWORD).await;
    let target = app
        .post_json(
            "/api/v1/outreach",
            Some(&worker_token),
            &json!({"name": "上田 一郎", "address": "盛岡市上田三丁目2-1",
                    "description": "郵便物がたまっている", "found_via": "minsei"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let meeting = app
        .post_json(
            "/api/v1/meetings",
            Some(&csw_token),
            &json!({"kind": "support_conference", "starts_at": "2026-12-10T10:00", "member_user_ids": [worker_id]}),
        )
        .await
        .json()["ids"][0]
        .as_i64()
        .unwrap();
    let (session, csrf) = app.browser_sign_in("worker", USER_PASSWORD).await;
    let form = |pairs: &[(&str, String)]| {
        let mut all = vec![("csrf_token".to_owned(), csrf.clone())];
        all.extend(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        all
    };
    let post = |path: String, pairs: Vec<(String, String)>| {
        let app = &app;
        let session = session.clone();
        async move {
            let borrowed: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.post_form_with_cookie(&path, &session, &borrowed).await
        }
    };
    post(
        format!("/meetings/{meeting}/pledge"),
        form(&[("pledge", "yes".into())]),
    )
    .await;
    let page = app
        .get_with_cookie(&format!("/meetings/{meeting}"), &session)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("議題にするアウトリーチの対象"),
        "{}",
        page.body
    );
    assert!(page.body.contains("上田 一郎（郵便物がたまっている）"));
    // 本人 is not offered as an attendee of a 支援会議.
    assert!(page.body.contains("本人は出席できません"));
    let r = post(
        format!("/meetings/{meeting}/agenda"),
        form(&[("outreach_target_id", target.to_string())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get_with_cookie(&format!("/meetings/{meeting}?done=agenda"), &session)
        .await;
    assert!(page.body.contains("議題に追加しました"));
    assert!(
        page.body.contains("上田 一郎: 郵便物がたまっている"),
        "{}",
        page.body
    );
    assert!(page.body.contains("相談につながっていない人"));
    let item = app.repo().meeting(meeting).await.unwrap().unwrap().agenda[0].id;
    // A decision on it gives the agency a task, seen on the worker's home page.
    let r = post(
        format!("/meetings/{meeting}/decisions"),
        form(&[
            ("about", format!("topic:{item}")),
            ("text", "民生委員と訪問する".into()),
            ("task_agency_id", "1".into()),
            ("task_title", "自宅を訪ねる".into()),
            ("task_due_on", "R9.6.30".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = app.get_with_cookie("/", &session).await;
    assert!(home.body.contains("自宅を訪ねる"), "{}", home.body);
    // 出欠 and attendees are recorded from the meeting's day on.
    app.state.clock.set(
        chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
            .unwrap()
            .max(common::test_today()),
    );
    let r = post(
        format!("/meetings/{meeting}/attendance"),
        form(&[("attended_", "x".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let key = format!("attended_{worker_id}");
    let r = post(
        format!("/meetings/{meeting}/attendance"),
        form(&[(&key, "yes".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers.get(header::LOCATION).unwrap(),
        &format!("/meetings/{meeting}?done=attendance#attendance")
    );
    let page = app
        .get_with_cookie(&format!("/meetings/{meeting}"), &session)
        .await;
    assert!(
        page.body.contains(&format!(
            "name=\"attended_{worker_id}\" value=\"yes\" checked"
        )),
        "{}",
        page.body
    );
    // 本人 refused; the name typed stays in the form.
    let r = post(
        format!("/meetings/{meeting}/attendees"),
        form(&[("name", "上田 一郎".into()), ("role", "self".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("本人は出席できません"));
    assert!(r.body.contains("value=\"上田 一郎\""), "{}", r.body);
    let r = post(
        format!("/meetings/{meeting}/attendees"),
        form(&[
            ("name", "上田 民子".into()),
            ("role", "commissioner".into()),
            ("organisation", "上田地区".into()),
            ("attended", "yes".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let print = app
        .get_with_cookie(&format!("/meetings/{meeting}/print"), &session)
        .await;
    assert!(
        print
            .body
            .contains("上田 民子（民生委員・児童委員・上田地区） 出席"),
        "{}",
        print.body
    );
    assert!(print.body.contains("出席"));
    // The person comes to a consultation; a wrong number is refused in words.
    let r = post(
        format!("/meetings/{meeting}/links"),
        form(&[
            ("agenda_item_id", item.to_string()),
            ("consultation_id", "abc".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("相談の番号（相談 ID）を数字で入れてください")
    );
    let consultation = app
        .post_json(
            "/api/v1/consultations",
            Some(&worker_token),
            &json!({"method": "home_visit", "person": {"name": "上田 一郎", "kana": "うえだ いちろう"},
                    "concerns": [{"category": "病気や健康、障害のこと", "main": true}], "chief_complaint": "体調"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // Full-width digits are read.
    let typed: String = consultation
        .to_string()
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    let r = post(
        format!("/meetings/{meeting}/links"),
        form(&[
            ("agenda_item_id", item.to_string()),
            ("consultation_id", typed),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get_with_cookie(&format!("/meetings/{meeting}"), &session)
        .await;
    assert!(
        page.body.contains(&format!(
            "相談につながりました: <a href=\"/consultations/{consultation}\">"
        )),
        "{}",
        page.body
    );
}

on_both_backends!(a_support_conference_page_works_people_not_yet_consulted);
