//! アウトリーチ, 参加支援 and 地域づくり's pages: scope, forms that keep what
//! was typed, the directory's downloads — on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Backend, TestApp, USER_PASSWORD};

async fn pages_keep_scope_and_what_was_typed(backend: Backend) {
    let app = TestApp::new(backend).await;
    // The story below happens on dated days: the clock starts on the day it is set.
    app.state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    app.create_user("staff", "staff", &[1]).await;
    app.create_user("tanin", "staff", &[2]).await;
    let (staff, csrf) = app.browser_sign_in("staff", USER_PASSWORD).await;
    let (stranger, _) = app.browser_sign_in("tanin", USER_PASSWORD).await;
    // A form with a problem comes back with what was typed.
    let r = app
        .post_form_with_cookie(
            "/outreach",
            &staff,
            &[
                ("csrf_token", &csrf),
                ("description", "雨戸が閉まったままの家"),
                ("found_via", "neighbour"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("雨戸が閉まったままの家"));
    assert!(r.body.contains("住所か場所の手がかり"));
    let r = app
        .post_form_with_cookie(
            "/outreach",
            &staff,
            &[
                ("csrf_token", &csrf),
                ("address", "盛岡市本宮五丁目"),
                ("description", "雨戸が閉まったままの家"),
                ("found_via", "neighbour"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let target = r.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(
        app.get_with_cookie(&target, &staff).await.status,
        StatusCode::OK
    );
    // Another agency: 404 for the target and for the sheet pre-filled from it.
    assert_eq!(
        app.get_with_cookie(&target, &stranger).await.status,
        StatusCode::NOT_FOUND
    );
    let id = target.rsplit('/').next().unwrap();
    let r = app
        .get_with_cookie(
            &format!("/consultations/new?outreach_target_id={id}"),
            &stranger,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("雨戸"));
    let r = app
        .get_with_cookie(
            &format!("/consultations/new?outreach_target_id={id}"),
            &staff,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("雨戸が閉まったままの家") && r.body.contains("盛岡市本宮五丁目"));
    let r = app.get_with_cookie("/outreach", &stranger).await;
    assert!(!r.body.contains("本宮五丁目"));
    let r = app
        .post_form_with_cookie(
            &format!("{target}/attempts"),
            &staff,
            &[
                ("csrf_token", &csrf),
                ("on", "令和8年2月30日"),
                ("note", "インターホンに応答なし"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("インターホンに応答なし"));
    // Weeks without contact: the home page says so (a count, no names).
    app.state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap());
    let home = app.get_with_cookie("/", &staff).await;
    assert!(
        home.body
            .contains("30日以上接触のないアウトリーチ対象者 1 件"),
        "{}",
        home.body
    );
    let home = app.get_with_cookie("/", &stranger).await;
    assert!(!home.body.contains("アウトリーチ対象者"));
    // The directory and its downloads.
    let r = app.get_with_cookie("/resources", &staff).await;
    assert!(r.body.contains("地域子育て支援拠点") && r.body.contains("ほのぼのホーム"));
    let csv = app.get_with_cookie("/resources/export.csv", &staff).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'));
    // Named in Japanese with the day in 和暦 (the app's clock), ASCII beside it.
    let day = tsunagaru_domain::era::EraDate::from_date(app.state.clock.today()).era_label();
    let encoded: String = format!("地域資源_{day}.csv")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename=\"community_resources_"),
        "{disposition}"
    );
    assert!(
        disposition.contains(&format!("filename*=UTF-8''{encoded}")),
        "{disposition}"
    );
    let hsds = app.get_with_cookie("/resources/hsds.json", &staff).await;
    let json: serde_json::Value = serde_json::from_str(&hsds.body).unwrap();
    assert!(json["services"].as_array().unwrap().len() > 10);
    let r = app.get_with_cookie("/participation", &staff).await;
    assert!(r.body.contains("畑づくり") && r.body.contains("住まいるプロジェクト"));
    // Only the 事務局 sees the form for new menus.
    assert!(!r.body.contains("新しい支援メニューを登録する"));
    let secretariat = app.secretariat_id().await;
    app.create_user("csw", "csw", &[secretariat]).await;
    let (csw, _) = app.browser_sign_in("csw", USER_PASSWORD).await;
    let r = app.get_with_cookie("/participation", &csw).await;
    assert!(r.body.contains("新しい支援メニューを登録する"));
    let r = app
        .post_form_with_cookie(
            "/events",
            &staff,
            &[
                ("csrf_token", &csrf),
                ("kind", "pop_up_consultation"),
                ("place", "上田公民館"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("上田公民館") && r.body.contains("開催日を入れてください"));
}

/// A 拠点 registered with its 開設日 is closed from its row: a mistake comes
/// back on that row with what was typed, the 廃止 ends with a notice, and the
/// 拠点 leaves the list.
async fn a_hub_is_closed_from_its_row(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.create_user("staff", "staff", &[1]).await;
    let (staff, csrf) = app.browser_sign_in("staff", USER_PASSWORD).await;
    let r = app
        .post_form_with_cookie(
            "/resources",
            &staff,
            &[
                ("csrf_token", &csrf),
                ("name", "月が丘ふれあいサロン"),
                ("kind", "salon"),
                ("opened_on", "令和７年４月１日"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get_with_cookie("/resources", &staff).await;
    assert!(page.body.contains("令和7年4月1日"), "開設日 in 和暦");
    let id = app
        .get(
            "/api/v1/resources",
            Some(&app.token("staff", USER_PASSWORD).await),
        )
        .await
        .json()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "月が丘ふれあいサロン")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/resources/{id}/close");
    let r = app
        .post_form_with_cookie(
            &path,
            &staff,
            &[
                ("csrf_token", &csrf),
                ("closed_on", "令和7年3月31日"),
                ("reason", "会場の閉鎖"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("開設日") && r.body.contains("会場の閉鎖"),
        "{}",
        r.body
    );
    assert!(r.body.contains("令和7年3月31日"), "what was typed stays");
    let r = app
        .post_form_with_cookie(
            &path,
            &staff,
            &[
                ("csrf_token", &csrf),
                ("closed_on", "令和8年3月31日"),
                ("reason", "会場の閉鎖"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers["location"].to_str().unwrap().to_owned();
    let page = app.get_with_cookie(&to, &staff).await;
    assert!(
        page.body
            .contains("「月が丘ふれあいサロン」を廃止として記録しました"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<td>月が丘ふれあいサロン</td>"));
}

on_both_backends!(
    pages_keep_scope_and_what_was_typed,
    a_hub_is_closed_from_its_row
);
