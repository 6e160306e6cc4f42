//! A real browser (headless Chromium through chromedriver) against a running
//! server: the walk a newcomer takes on the first day.

mod common;

use common::{ADMIN_PASSWORD, Backend, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long to wait for an element of a page still loading.
const WAIT: Duration = Duration::from_secs(15);

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and a headless Chromium session. Fails (does not
/// skip) when they are missing: scripts/test installs them.
async fn browser(profile: &std::path::Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is not installed: run scripts/test, or apt-get install chromium chromium-driver");
    let driver = Driver(child);
    let mut options = serde_json::json!({
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=1280,1024", "--lang=ja",
            format!("--user-data-dir={}", profile.display()),
        ]
    });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        options["binary"] = "/usr/bin/chromium".into();
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("could not start a Chromium session through chromedriver on port {port}");
}

/// On a 支援会議's pledge page: confirms the 守秘義務 and opens the material.
async fn pledge(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    wait_for_text(client, "main h1", |t| t.starts_with("守秘義務の確認")).await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("pledge"))
        .await?
        .click()
        .await?;
    click_button(client, "確認して資料を開く").await?;
    wait_for_text(client, "main h1", |t| t == "支援会議").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_signs_in_filters_to_elderly_and_reads_a_centers_catchment() {
    let app = TestApp::new(Backend::Sqlite).await;
    let base = serve(&app).await;

    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = walk(&client, &base).await;
    client.close().await.unwrap();
    outcome.unwrap();
}

/// Serves the app on a free local port; returns its base URL.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// Signs in through the real form.
async fn sign_in(
    client: &Client,
    base: &str,
    username: &str,
    password: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    client.goto(&format!("{base}/login")).await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#username"))
        .await?
        .send_keys(username)
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#password"))
        .await?
        .send_keys(password)
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("main form button[type=submit]"))
        .await?
        .click()
        .await?;
    // Signed in once the browser has left the form and the header names the user.
    for _ in 0..150 {
        let left = client
            .current_url()
            .await
            .map(|u| u.path() != "/login")
            .unwrap_or(false);
        if left && client.find(Locator::Css(".who")).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{username} is still not signed in").into())
}

/// With `TSUNAGARU_SCREENSHOTS=DIR`, saves what the browser shows, for a
/// person to look at.
async fn snap(client: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("TSUNAGARU_SCREENSHOTS")
        && let Ok(png) = client.screenshot().await
    {
        let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png);
    }
}

async fn walk(client: &Client, base: &str) -> Result<(), Box<dyn std::error::Error>> {
    // Any page sends a stranger to the sign-in form.
    client.goto(&format!("{base}/agencies")).await?;
    assert_eq!(client.current_url().await?.path(), "/login");
    snap(client, "1-login").await;
    sign_in(client, base, "admin", ADMIN_PASSWORD).await?;
    assert_eq!(client.current_url().await?.path(), "/");
    assert!(
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("h1"))
            .await?
            .text()
            .await?
            .contains("ホーム")
    );

    // 機関一覧, filtered to 高齢.
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::LinkText("機関一覧"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#agencies"))
        .await?;
    let all = client
        .find_all(Locator::Css("#agencies tbody tr"))
        .await?
        .len();
    assert!(all >= 30, "{all} agencies before filtering");
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#field"))
        .await?
        .select_by_label("高齢")
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//button[normalize-space()='絞り込む']"))
        .await?
        .click()
        .await?;
    wait_for_text(client, "#agency-count", |t| t == "11").await?;
    let rows = client
        .find_all(Locator::Css("#agencies tbody tr td:first-child a"))
        .await?;
    let mut names = Vec::new();
    for row in rows {
        names.push(row.text().await?);
    }
    assert_eq!(names.len(), 11, "{names:?}");
    assert!(
        names.iter().all(|n| n.contains("地域包括支援センター")),
        "{names:?}"
    );
    assert!(names.contains(&"地域包括支援センター川久保".to_owned()));
    snap(client, "3-agencies-elderly").await;

    // One center and its 担当地区.
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::LinkText("盛岡駅西口地域包括支援センター"))
        .await?
        .click()
        .await?;
    let catchment = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#catchment"))
        .await?
        .text()
        .await?;
    assert_eq!(
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("h1"))
            .await?
            .text()
            .await?,
        "盛岡駅西口地域包括支援センター"
    );
    assert!(catchment.contains("担当地区"), "{catchment}");
    assert!(catchment.contains("西厨川・桜城"), "{catchment}");
    assert!(
        catchment.contains("盛岡駅前通") && catchment.contains("大館町"),
        "{catchment}"
    );
    let facts = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("dl.facts"))
        .await?
        .text()
        .await?;
    assert!(
        facts.contains("(福)盛岡市社会福祉協議会")
            && facts.contains("岩手県盛岡市盛岡駅西通一丁目"),
        "{facts}"
    );
    Ok(())
}

/// Polls the text of an element until it satisfies `ok` (scripts answer
/// asynchronously), failing with what it last saw.
async fn wait_for_text(
    client: &Client,
    css: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut last = String::new();
    for _ in 0..150 {
        // The page may be replaced between finding the element and reading
        // it (a form was just submitted): then read again.
        let read = match client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element.text().await.ok(),
            Err(_) => None,
        };
        if let Some(text) = read {
            if ok(&text) {
                return Ok(text);
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} still shows {last:?}").into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postal_code_fills_the_town_and_the_center_appears_as_you_type() {
    let app = TestApp::new(Backend::Sqlite).await;
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        sign_in(&client, &base, "admin", ADMIN_PASSWORD).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("担当地区を調べる"))
            .await?
            .click()
            .await?;

        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#postal_code"))
            .await?
            .send_keys("０２０－０１１４")
            .await?;
        let address = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#address"))
            .await?;
        for _ in 0..150 {
            if address.prop("value").await?.as_deref() == Some("盛岡市高松") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            address.prop("value").await?.as_deref(),
            Some("盛岡市高松"),
            "the postal code filled the town"
        );
        let shown = wait_for_text(&client, "#address-route", |t| t.contains("担当の候補")).await?;
        assert!(
            shown.contains("仁王・上田地域包括支援センター")
                && shown.contains("松園・緑が丘地域包括支援センター"),
            "{shown}"
        );
        snap(&client, "5-address-ambiguous").await;

        address.send_keys("四丁目5-1").await?;
        let shown = wait_for_text(&client, "#address-route", |t| t.starts_with("担当:")).await?;
        assert_eq!(shown, "担当: 松園・緑が丘地域包括支援センター");
        snap(&client, "6-address-routed").await;

        // Without the script, the form answers the same on submit.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//button[normalize-space()='調べる']"))
            .await?
            .click()
            .await?;
        let normalized = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#normalized"))
            .await?
            .text()
            .await?;
        assert_eq!(normalized, "岩手県盛岡市高松四丁目5-1");
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

/// The field whose `<label>` says exactly `label` (the sheet's own term).
async fn field(
    client: &Client,
    label: &str,
) -> Result<fantoccini::elements::Element, Box<dyn std::error::Error>> {
    let label_el = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            // A required field's label ends with its 必須 mark.
            "//label[normalize-space(.)='{label}' or normalize-space(.)='{label} 必須']"
        )))
        .await?;
    let id = label_el
        .attr("for")
        .await?
        .ok_or_else(|| format!("label {label} has no for"))?;
    Ok(client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id(&id))
        .await?)
}

async fn choose(
    client: &Client,
    legend: &str,
    option: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let xpath = format!(
        "//fieldset[legend[normalize-space(.)='{legend}' or normalize-space(.)='{legend} 必須']]//label[normalize-space(.)='{option}']/input"
    );
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_fill_the_whole_sheet_fix_an_error_save_find_and_print() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.create_user("uketsuke", "staff", &[1]).await;
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        sign_in(&client, &base, "uketsuke", common::USER_PASSWORD).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("相談を受け付ける"))
            .await?
            .click()
            .await?;

        choose(&client, "相談方法", "電話").await?;
        field(&client, "ふりがな")
            .await?
            .send_keys("ﾓﾘｵｶ ﾊﾅｺ")
            .await?;
        field(&client, "氏名").await?.send_keys("盛岡 花子").await?;
        choose(&client, "性別", "女").await?;
        field(&client, "生年月日")
            .await?
            .send_keys("昭和64年1月8日")
            .await?;
        field(&client, "郵便番号")
            .await?
            .send_keys("0200066")
            .await?;
        let address = field(&client, "住所").await?;
        for _ in 0..150 {
            if address.prop("value").await?.as_deref() == Some("盛岡市上田") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        address.send_keys("三丁目2-1").await?;
        field(&client, "携帯")
            .await?
            .send_keys("090-0000-0000")
            .await?;
        field(&client, "介護認定")
            .await?
            .select_by_label("要介護1")
            .await?;
        choose(&client, "ライフライン停止状況", "電気").await?;
        field(&client, "精神 級").await?.send_keys("2").await?;
        choose(&client, "住居", "賃貸").await?;
        field(&client, "介護のこと").await?.click().await?;
        field(&client, "収入・生活費のこと").await?.click().await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("input[name=main_concern][value=care]"))
            .await?
            .click()
            .await?;
        field(&client, "現在の状況・経緯")
            .await?
            .send_keys("母（84歳）の物忘れが増え、仕事を休みがちで収入が減っている。")
            .await?;
        field(&client, "主訴")
            .await?
            .send_keys("母の介護と生活費が心配")
            .await?;
        field(&client, "氏名（1）")
            .await?
            .send_keys("盛岡 花子")
            .await?;
        field(&client, "氏名（2）")
            .await?
            .send_keys("盛岡 キヨ")
            .await?;
        field(&client, "続柄（2）").await?.send_keys("母").await?;
        field(&client, "性別（2）")
            .await?
            .select_by_label("女")
            .await?;
        field(&client, "年齢（2）").await?.send_keys("84").await?;
        field(&client, "同居/別居（2）")
            .await?
            .select_by_label("同居")
            .await?;
        field(&client, "支援（2）")
            .await?
            .select_by_label("必要")
            .await?;
        field(&client, "同意（2）")
            .await?
            .select_by_label("有")
            .await?;
        field(&client, "同意を確認した者")
            .await?
            .send_keys("受付 太郎")
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//button[normalize-space()='保存する']"))
            .await?
            .click()
            .await?;

        // The impossible era date is refused next to the field; nothing typed is lost.
        let error = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//input[@id='person.birth_date']/following-sibling::p[@class='field-error']",
            ))
            .await?
            .text()
            .await?;
        assert_eq!(
            error,
            "昭和64年1月8日はありません（昭和は昭和64年1月7日まで）"
        );
        assert_eq!(
            field(&client, "氏名")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("盛岡 花子")
        );
        assert_eq!(
            field(&client, "住所")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("盛岡市上田三丁目2-1")
        );
        assert_eq!(
            field(&client, "主訴")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("母の介護と生活費が心配")
        );
        assert_eq!(
            field(&client, "氏名（2）")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("盛岡 キヨ")
        );
        assert_eq!(
            field(&client, "介護のこと")
                .await?
                .prop("checked")
                .await?
                .as_deref(),
            Some("true")
        );
        snap(&client, "7-intake-error").await;

        let birth = field(&client, "生年月日").await?;
        birth.clear().await?;
        birth.send_keys("S45.3.12").await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//button[normalize-space()='保存する']"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("dl.facts"))
            .await?;
        assert!(client.current_url().await?.path().starts_with("/persons/"));
        assert_eq!(
            client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css("h1"))
                .await?
                .text()
                .await?,
            "盛岡 花子 もりおか はなこ"
        );
        let facts = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("dl.facts"))
            .await?
            .text()
            .await?;
        assert!(facts.contains("昭和45年3月12日（1970年）"), "{facts}");
        assert!(
            facts.contains("担当: 仁王・上田地域包括支援センター"),
            "{facts}"
        );
        assert!(
            client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(".genogram-box svg"))
                .await
                .is_ok()
        );
        snap(&client, "8-person").await;

        // Found again by half-width katakana.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("相談対象者を探す"))
            .await?
            .click()
            .await?;
        field(&client, "氏名・ふりがな")
            .await?
            .send_keys("ﾓﾘｵｶﾊﾅｺ")
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//button[normalize-space()='探す']"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("盛岡 花子"))
            .await?
            .click()
            .await?;

        // And from the search box in the header, on any page.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#header-search-q"))
            .await?
            .send_keys("もりおか はなこ")
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//form[@role='search']//button[normalize-space()='検索']",
            ))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("盛岡 花子"))
            .await?
            .click()
            .await?;

        // The sheet on screen: a correction of the 主訴, kept in its history.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("受付シートを開く"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='受付シートを修正する']",
            ))
            .await?
            .click()
            .await?;
        let complaint = field(&client, "主訴").await?;
        complaint.clear().await?;
        complaint.send_keys("母の介護と生活費、息子の仕事").await?;
        click_button(&client, "修正を保存").await?;
        wait_for_text(&client, "#notice", |t| t.contains("修正しました")).await?;
        let history = wait_for_text(&client, "#history-table", |t| t.contains("主訴")).await?;
        assert!(
            history.contains("母の介護と生活費、息子の仕事"),
            "{history}"
        );
        assert_eq!(
            wait_for_text(&client, "#chief-complaint", |t| !t.is_empty()).await?,
            "母の介護と生活費、息子の仕事"
        );
        snap(&client, "8b-sheet-corrected").await;
        // The A4 print view, with the genogram.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("A4 で印刷"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("body.print-sheet"))
            .await?;
        let sheet = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("body"))
            .await?
            .text()
            .await?;
        assert!(sheet.contains("包括的相談支援受付シート"));
        assert!(sheet.contains("◎"), "the main concern is marked");
        assert!(sheet.contains("盛岡市上田三丁目2-1"));
        assert!(
            client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(".genogram-box svg circle"))
                .await
                .is_ok()
        );
        snap(&client, "9-print").await;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

async fn sign_out(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//button[normalize-space()='ログアウト']"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#username"))
        .await?;
    Ok(())
}

async fn click_button(client: &Client, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//button[normalize-space()='{text}']"
        )))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agencies_close_the_loop_and_one_handoff_is_returned() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.create_user("okuru", "staff", &[1]).await;
    app.create_user("ukeru", "staff", &[2]).await;
    let token = app.token("okuru", common::USER_PASSWORD).await;
    let sheet = serde_json::json!({"method": "phone", "person": {"name": "盛岡 花子", "kana": "もりおか はなこ",
        "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"}},
        "concerns": [{"category": "介護のこと", "main": true}], "chief_complaint": "母の介護が心配"});
    let created = app
        .post_json("/api/v1/consultations", Some(&token), &sheet)
        .await
        .json();
    let person = created["person_id"].as_i64().unwrap();
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        // The 受付機関 fills No.3 and sends it to the suggested center.
        sign_in(&client, &base, "okuru", common::USER_PASSWORD).await?;
        client.goto(&format!("{base}/persons/{person}")).await?;
        client.wait().at_most(WAIT).for_element(Locator::LinkText("引継ぎ（No.3）を作成")).await?.click().await?;
        client.wait().at_most(WAIT).for_element(Locator::XPath("//div[contains(@class,'suggested')]//label[contains(.,'仁王・上田地域包括支援センター')]/input")).await?.click().await?;
        choose(&client, "緊急の必要性", "有（1週間以内）").await?;
        field(&client, "引継機関に対応してもらいたいこと").await?.send_keys("訪問して母の状態を確認してください").await?;
        // 本人's 同意 was not recorded on the sheet: the form asks why it is shared anyway.
        click_button(&client, "引継ぎを送る").await?;
        let asked = client.wait().at_most(WAIT).for_element(Locator::Css("#self-consent .warning")).await?.text().await?;
        assert!(asked.contains("「不明」"), "{asked}");
        field(&client, "同意のないまま提供する理由").await?.send_keys("本人から電話で口頭の同意を得た（書面は訪問時）").await?;
        field(&client, "相談受付者（あなた）の電話").await?.send_keys("019-651-4111 内線1234").await?;
        click_button(&client, "引継ぎを送る").await?;
        assert_eq!(wait_for_text(&client, "#handoff-status", |t| !t.is_empty()).await?, "送付済");
        assert!(wait_for_text(&client, "#sender", |t| !t.is_empty()).await?.contains("電話 019-651-4111 内線1234"));
        let handoff_url = client.current_url().await?;
        sign_out(&client).await?;

        // The 引継機関 sees it on its home page, receives it and reports.
        sign_in(&client, &base, "ukeru", common::USER_PASSWORD).await?;
        let inbox = client.wait().at_most(WAIT).for_element(Locator::Css("#inbox-count")).await?.text().await?;
        assert!(inbox.contains("1 件 対応待ち"), "{inbox}");
        client.wait().at_most(WAIT).for_element(Locator::Css("#inbox-count")).await?.click().await?;
        client.wait().at_most(WAIT).for_element(Locator::LinkText("盛岡 花子")).await?.click().await?;
        click_button(&client, "受領する（受取日を記録）").await?;
        wait_for_text(&client, "#handoff-status", |t| t == "受領").await?;
        click_button(&client, "対応を始める").await?;
        wait_for_text(&client, "#handoff-status", |t| t == "対応中").await?;
        field(&client, "対応状況・方針").await?.send_keys("訪問し、介護認定の申請を支援します").await?;
        click_button(&client, "受付機関へ報告する").await?;
        wait_for_text(&client, "#handoff-status", |t| t == "報告済").await?;
        snap(&client, "10-handoff-reported").await;
        sign_out(&client).await?;

        // The 受付機関 records that it received the report: the loop is closed.
        sign_in(&client, &base, "okuru", common::USER_PASSWORD).await?;
        client.goto(handoff_url.as_str()).await?;
        assert_eq!(wait_for_text(&client, "#handoff-response", |t| !t.is_empty()).await?, "訪問し、介護認定の申請を支援します");
        click_button(&client, "報告を受け取った（完了）").await?;
        wait_for_text(&client, "#handoff-status", |t| t == "完了").await?;

        // A second handoff, declined by the receiver with a reason.
        client.goto(&format!("{base}/consultations/{}/handoffs", created["id"])).await?;
        client.wait().at_most(WAIT).for_element(Locator::XPath("//div[contains(@class,'suggested')]//label[contains(.,'仁王・上田地域包括支援センター')]/input")).await?.click().await?;
        field(&client, "同意のないまま提供する理由").await?.send_keys("本人から電話で口頭の同意を得た").await?;
        click_button(&client, "引継ぎを送る").await?;
        wait_for_text(&client, "#handoff-status", |t| t == "送付済").await?;
        let second = client.current_url().await?;
        sign_out(&client).await?;
        sign_in(&client, &base, "ukeru", common::USER_PASSWORD).await?;
        client.goto(second.as_str()).await?;
        client.wait().at_most(WAIT).for_element(Locator::XPath("//summary[normalize-space()='差し戻す']")).await?.click().await?;
        field(&client, "差戻しの理由").await?.send_keys("同じ内容で対応済みのため").await?;
        click_button(&client, "差し戻す").await?;
        // Returned: the handoff and the person are no longer the receiver's.
        wait_for_text(&client, "#notice", |t| t.contains("差し戻しました")).await?;
        client.goto(second.as_str()).await?;
        wait_for_text(&client, "h1", |t| t == "ページが見つかりません").await?;
        client.goto(&format!("{base}/")).await?;
        sign_out(&client).await?;
        sign_in(&client, &base, "okuru", common::USER_PASSWORD).await?;
        let outbox = client.wait().at_most(WAIT).for_element(Locator::Css("#outbox-count")).await?.text().await?;
        assert!(outbox.contains("差戻し 1 件"), "{outbox}");
        client.goto(second.as_str()).await?;
        assert_eq!(wait_for_text(&client, "#return-reason", |t| !t.is_empty()).await?, "同じ内容で対応済みのため");
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csw_plans_a_case_is_refused_at_the_case_conference_and_a_decision_reaches_a_partner() {
    let app = TestApp::new(Backend::Sqlite).await;
    // The story below happens on dated days: the clock starts on the day it is set.
    app.state
        .clock
        .set(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    let secretariat = app.secretariat_id().await;
    app.create_user("uketsuke", "staff", &[1]).await;
    app.create_user("csw", "csw", &[secretariat]).await;
    let partner = app.create_user("partner", "staff", &[3]).await;
    // A consultation whose person has not consented, sent to 重層事業.
    let token = app.token("uketsuke", common::USER_PASSWORD).await;
    let sheet = serde_json::json!({"method": "in_person", "person": {"name": "盛岡 花子", "kana": "もりおか はなこ"},
        "concerns": [{"category": "債務について", "main": true}], "chief_complaint": "借金と息子のひきこもり",
        "household": [{"name": "盛岡 花子", "relationship": "本人", "consent": "no"}]});
    let created = app
        .post_json("/api/v1/consultations", Some(&token), &sheet)
        .await
        .json();
    let person = created["person_id"].as_i64().unwrap();
    let sent = app
        .post_json(
            "/api/v1/handoffs",
            Some(&token),
            &serde_json::json!({"consultation_id": created["id"], "purpose": "multi_agency",
                "self_consent_reason": "支援会議（社会福祉法第106条の6）で検討するため"}),
        )
        .await;
    assert_eq!(
        sent.status,
        axum::http::StatusCode::CREATED,
        "{}",
        sent.body
    );
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        // The CSW opens the case from the person's page and assesses.
        sign_in(&client, &base, "csw", common::USER_PASSWORD).await?;
        client.goto(&format!("{base}/persons/{person}")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//button[starts-with(normalize-space(),'ケースを開く')]",
            ))
            .await?
            .click()
            .await?;
        assert_eq!(
            wait_for_text(&client, "#case-state", |t| !t.is_empty()).await?,
            "受付"
        );
        let case_url = client.current_url().await?;
        let case_id: i64 = case_url.path().rsplit('/').next().unwrap().parse()?;
        field(&client, "経済・就労")
            .await?
            .send_keys("家賃を3か月滞納している")
            .await?;
        choose(&client, "相談内容", "債務について").await?;
        field(&client, "強み")
            .await?
            .send_keys("本人は相談に前向き")
            .await?;
        click_button(&client, "アセスメントを保存").await?;
        wait_for_text(&client, "#case-state", |t| t == "アセスメント").await?;

        // The plan: a goal and an agency's role with a task. A wrong date is
        // named and what was typed stays.
        field(&client, "短期目標 1")
            .await?
            .send_keys("家賃の滞納を解消する")
            .await?;
        field(&client, "機関 1").await?.select_by_value("3").await?;
        field(&client, "役割 1")
            .await?
            .send_keys("家計相談")
            .await?;
        field(&client, "機関 1 のタスク 1")
            .await?
            .send_keys("家計表を作る")
            .await?;
        field(&client, "期限")
            .await?
            .send_keys("令和8年2月30日")
            .await?;
        click_button(&client, "支援プランを保存（案）").await?;
        wait_for_text(&client, "#case-error", |t| !t.is_empty()).await?;
        assert_eq!(
            field(&client, "短期目標 1")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("家賃の滞納を解消する")
        );
        let due = field(&client, "期限").await?;
        due.clear().await?;
        due.send_keys("令和8年12月10日").await?;
        click_button(&client, "支援プランを保存（案）").await?;
        wait_for_text(&client, "#case-state", |t| t == "プラン作成").await?;
        wait_for_text(&client, "#plan-1", |t| {
            t.contains("案（未合意）") && t.contains("家計表を作る")
        })
        .await?;
        snap(&client, "20-case-plan").await;

        // A よりそい会議 with the 支援会議 the same day at 15:00.
        client.goto(&format!("{base}/meetings")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='会議を登録する']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "会議の種類")
            .await?
            .select_by_value("case_conference")
            .await?;
        field(&client, "開催日")
            .await?
            .send_keys("令和8年12月10日")
            .await?;
        field(&client, "開始時刻")
            .await?
            .send_keys("１３：３０")
            .await?;
        field(&client, "場所")
            .await?
            .send_keys("市保健所 会議室")
            .await?;
        field(&client, "同じ日の支援会議の開始時刻（よりそい会議のとき）")
            .await?
            .send_keys("15:00")
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(&format!(
                "//input[@name='member_user_ids' and @value='{partner}']"
            )))
            .await?
            .click()
            .await?;
        click_button(&client, "会議を登録").await?;
        wait_for_text(&client, "main h1", |t| t == "よりそい会議").await?;

        // The case has no consent: the よりそい会議 refuses it and offers the 支援会議.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#agenda-case"))
            .await?
            .select_by_value(&case_id.to_string())
            .await?;
        click_button(&client, "議題に追加").await?;
        let refused = wait_for_text(&client, "#agenda-refused", |t| !t.is_empty()).await?;
        assert!(
            refused.contains("本人の同意が確認できないため"),
            "{refused}"
        );
        snap(&client, "21-consent-gate").await;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//div[@id='agenda-refused']//button[contains(.,'支援会議')]",
            ))
            .await?
            .click()
            .await?;
        // The 支援会議's material opens only after the pledge.
        pledge(&client).await?;
        wait_for_text(&client, &format!("#agenda-{case_id}"), |t| {
            t.contains("盛岡 花子") && t.contains("本人同意なし")
        })
        .await?;

        // On the meeting's day: minutes and a decision that becomes a task
        // for agency 3.
        app.state
            .clock
            .set(chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
        field(&client, "議事録")
            .await?
            .send_keys("見守りと訪問を続ける方針を確認した")
            .await?;
        click_button(&client, "議事録を保存").await?;
        wait_for_text(&client, "#minutes-by", |t| t.starts_with("記録")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='決定事項を記録する']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "ケース・議題")
            .await?
            .select_by_value(&format!("case:{case_id}"))
            .await?;
        field(&client, "決定事項")
            .await?
            .send_keys("関係機関が月1回訪問する")
            .await?;
        field(&client, "担当機関")
            .await?
            .select_by_value("3")
            .await?;
        field(&client, "タスクの内容")
            .await?
            .send_keys("月1回訪問する")
            .await?;
        field(&client, "期限").await?.send_keys("R8.12.20").await?;
        click_button(&client, "決定事項を記録").await?;
        wait_for_text(&client, "ol.decisions", |t| {
            t.contains("関係機関が月1回訪問する")
        })
        .await?;
        assert_eq!(
            field(&client, "議事録")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("見守りと訪問を続ける方針を確認した")
        );
        snap(&client, "22-support-conference").await;
        let meeting_url = client.current_url().await?;
        // The meeting's own address, without the notice's query or the anchor.
        let meeting_page = format!("{}{}", base, meeting_url.path());
        client.goto(&format!("{meeting_page}/print")).await?;
        let printed = wait_for_text(&client, "body", |t| t.contains("議事録")).await?;
        assert!(
            printed.contains("見守りと訪問を続ける方針を確認した") && printed.contains("取扱注意"),
            "{printed}"
        );
        client.goto(&format!("{base}/")).await?;
        sign_out(&client).await?;

        // The partner sits on the 支援会議: what it decided reaches them once
        // they have pledged (not before), then the task is on their home page.
        sign_in(&client, &base, "partner", common::USER_PASSWORD).await?;
        wait_for_text(&client, "main h1", |t| !t.is_empty()).await?;
        let home = client.find(Locator::Css("main")).await?.text().await?;
        assert!(!home.contains("月1回訪問する"), "{home}");
        client.goto(&meeting_page).await?;
        pledge(&client).await?;
        client.goto(&format!("{base}/")).await?;
        let tasks = wait_for_text(&client, "#task-list", |t| t.contains("月1回訪問する")).await?;
        assert!(tasks.contains("令和8年12月20日"), "{tasks}");
        snap(&client, "23-partner-home").await;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outreach_target_becomes_a_consultation_and_joins_the_field_work() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.create_user("uketsuke", "staff", &[1]).await;
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        sign_in(&client, &base, "uketsuke", common::USER_PASSWORD).await?;
        // A household known only by its address, from the 民生委員.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("アウトリーチ"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='対象者を登録する']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "住所・場所の手がかり")
            .await?
            .send_keys("盛岡市上田三丁目2-1")
            .await?;
        field(&client, "わかっていること")
            .await?
            .send_keys("若い男性が何年も家から出ていないらしい")
            .await?;
        field(&client, "把握の経路")
            .await?
            .select_by_value("minsei")
            .await?;
        field(&client, "把握日（空欄は今日）")
            .await?
            .send_keys("R8.10.28")
            .await?;
        click_button(&client, "対象者を登録").await?;
        assert_eq!(
            wait_for_text(&client, "#target-stage", |t| !t.is_empty()).await?,
            "把握"
        );
        // Three attempts over the weeks.
        for (i, (on, way, outcome)) in [
            ("R8.11.2", "visit", "absent"),
            ("R8.11.9", "letter", "left_message"),
            ("R8.11.16", "visit", "met"),
        ]
        .into_iter()
        .enumerate()
        {
            field(&client, "日付").await?.send_keys(on).await?;
            field(&client, "方法").await?.select_by_value(way).await?;
            field(&client, "誰が").await?.send_keys("CSW 佐藤").await?;
            field(&client, "結果")
                .await?
                .select_by_value(outcome)
                .await?;
            click_button(&client, "接触を記録").await?;
            let n = i + 1;
            wait_for_text(&client, "main h2", |t| t == format!("接触の記録（{n}回）")).await?;
        }
        assert_eq!(
            wait_for_text(&client, "#target-stage", |t| !t.is_empty()).await?,
            "接触"
        );
        snap(&client, "30-outreach-attempts").await;

        // The person connects: the sheet comes pre-filled, nothing retyped.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Id("connect"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#from-outreach", |t| t.contains("アウトリーチ")).await?;
        let situation = field(&client, "現在の状況・経緯")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(
            situation.contains("若い男性が何年も家から出ていない")
                && situation.contains("R8.11.16 訪問 CSW 佐藤: 会えた"),
            "{situation}"
        );
        assert_eq!(
            field(&client, "住所")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("盛岡市上田三丁目2-1")
        );
        field(&client, "氏名").await?.send_keys("上田 一郎").await?;
        field(&client, "ふりがな")
            .await?
            .send_keys("うえだ いちろう")
            .await?;
        field(&client, "ひきこもり・不登校").await?.click().await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("input[name=main_concern][value=withdrawal]"))
            .await?
            .click()
            .await?;
        field(&client, "主訴")
            .await?
            .send_keys("外に出るきっかけがほしい")
            .await?;
        field(&client, "氏名（1）")
            .await?
            .send_keys("上田 一郎")
            .await?;
        click_button(&client, "保存する").await?;
        wait_for_text(&client, "main h1", |t| t.starts_with("上田 一郎")).await?;
        let person_url = client.current_url().await?;

        // Matched to 畑づくり, and a follow-up recorded.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='支援メニューにつなぐ']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "支援メニュー")
            .await?
            .select_by_label("畑づくり")
            .await?;
        field(&client, "つなぐ理由")
            .await?
            .send_keys("土に触れる作業なら行けそうと本人")
            .await?;
        click_button(&client, "支援メニューにつなぐ").await?;
        wait_for_text(&client, "#match-state", |t| t == "参加中").await?;
        field(&client, "日付").await?.send_keys("R8.11.25").await?;
        field(&client, "種類")
            .await?
            .select_by_value("participation")
            .await?;
        field(&client, "様子")
            .await?
            .send_keys("2時間作業し、帰りに笑顔が見られた")
            .await?;
        click_button(&client, "定着支援を記録").await?;
        let records = wait_for_text(&client, "#follow-ups", |t| t.contains("2時間作業")).await?;
        assert!(records.contains("参加"), "{records}");
        snap(&client, "31-follow-up").await;

        // The person page lists the participation; the target is connected.
        client.goto(person_url.as_str()).await?;
        wait_for_text(&client, "#participation", |t| {
            t.contains("畑づくり") && t.contains("参加中")
        })
        .await?;
        client.goto(&format!("{base}/outreach")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#targets a"))
            .await?
            .click()
            .await?;
        assert_eq!(
            wait_for_text(&client, "#target-stage", |t| !t.is_empty()).await?,
            "相談につながった"
        );
        wait_for_text(&client, "#connected", |t| {
            t.contains("相談につながりました")
        })
        .await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

/// The city's official opens 事業実績 from the menu, reads the 年度, and
/// downloads the xlsx for the 全体会 資料.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_reads_the_years_figures_and_downloads_the_xlsx() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.create_user("uketsuke", "staff", &[1]).await;
    app.create_user("shiyakusho", "city", &[]).await;
    let staff = app.token("uketsuke", common::USER_PASSWORD).await;
    let today = common::test_today().to_string();
    let taken = app
        .post_json(
            "/api/v1/consultations",
            Some(&staff),
            &serde_json::json!({"method": "phone", "received_on": today,
                "person": {"name": "盛岡 花子", "kana": "もりおか はなこ"},
                "concerns": [{"category": "care", "main": true}],
                "chief_complaint": "介護のこと",
                "household": [{"name": "盛岡 花子", "relationship": "本人"}]}),
        )
        .await;
    assert_eq!(
        taken.status,
        axum::http::StatusCode::CREATED,
        "{}",
        taken.body
    );
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        sign_in(&client, &base, "shiyakusho", common::USER_PASSWORD).await?;
        // The home page compares this 年度 so far with the last one.
        wait_for_text(&client, "#year-so-far h2", |t| t == "今年度の実績").await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText("事業実績"))
            .await?
            .click()
            .await?;
        let heading = wait_for_text(&client, "main h1", |t| t.starts_with("事業実績")).await?;
        assert!(heading.contains("年度"), "{heading}");
        snap(&client, "reports").await;
        let chart = client.find(Locator::Css("figure.chart svg")).await?;
        assert!(chart.attr("aria-label").await?.unwrap_or_default().contains("月別"));
        let body = client.find(Locator::Css("main")).await?.text().await?;
        assert!(body.contains("相談受付件数（延べ）"), "{body}");
        assert!(!body.contains("盛岡 花子"), "counts, never names");
        // The download, fetched as the browser would with its session.
        let got = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const a = [...document.querySelectorAll('a')].find(x => x.textContent.includes('Excel（xlsx）'));
                 fetch(a.getAttribute('href'))
                   .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),
                     r.headers.get('content-disposition'), Array.from(new Uint8Array(b).slice(0, 2))])))
                   .catch(e => done(String(e)));",
                vec![],
            )
            .await?;
        assert_eq!(got[0], 200, "{got}");
        assert!(got[1].as_str().unwrap_or_default().contains("spreadsheetml"), "{got}");
        assert!(got[2].as_str().unwrap_or_default().contains(".xlsx"), "{got}");
        assert_eq!(got[3], serde_json::json!([80, 75]), "a zip: {got}");
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

/// A second consultation from the person's page needs no retyping, and the
/// mother recorded on the first sheet stays in the household when the second
/// lists only 本人; a returned handoff is sent again to the agency the
/// receiver suggested, with the No.3 carried over, the choice of other
/// agencies narrowed by the filter box.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sheet_keeps_the_mother_and_a_returned_handoff_is_sent_again() {
    let app = TestApp::new(Backend::Sqlite).await;
    app.create_user("okuru", "staff", &[1]).await;
    app.create_user("ukeru", "staff", &[2]).await;
    let token = app.token("okuru", common::USER_PASSWORD).await;
    let receiver = app.token("ukeru", common::USER_PASSWORD).await;
    let sheet = serde_json::json!({"method": "phone", "person": {"name": "盛岡 花子", "kana": "もりおか はなこ", "sex": "female",
        "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"}},
        "concerns": [{"category": "介護のこと", "main": true}], "chief_complaint": "母の介護が心配",
        "household": [{"name": "盛岡 花子", "relationship": "本人", "consent": "yes"},
                      {"name": "盛岡 キヨ", "relationship": "母", "sex": "female", "age": 84, "living": "together", "consent": "yes"}]});
    let created = app
        .post_json("/api/v1/consultations", Some(&token), &sheet)
        .await
        .json();
    let person = created["person_id"].as_i64().unwrap();
    // Sent to agency 2, which returns it and names agency 3.
    let sent = app
        .post_json(
            "/api/v1/handoffs",
            Some(&token),
            &serde_json::json!({"consultation_id": created["id"], "to_agency_ids": [2],
                "notes": {"requests": "訪問して母の状態を確認してください"}}),
        )
        .await
        .json();
    let returned = sent["handoffs"][0]["id"].as_i64().unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/handoffs/{returned}/return"),
            Some(&receiver),
            &serde_json::json!({"reason": "担当地区外のため", "suggested_agency_id": 3}),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        sign_in(&client, &base, "okuru", common::USER_PASSWORD).await?;
        // 新しい相談を受け付ける: the sheet comes filled from the record.
        client.goto(&format!("{base}/persons/{person}")).await?;
        client.wait().at_most(WAIT).for_element(Locator::LinkText("新しい相談を受け付ける")).await?.click().await?;
        wait_for_text(&client, "#from-person", |t| t.contains("記録にある方")).await?;
        assert_eq!(field(&client, "氏名").await?.prop("value").await?.as_deref(), Some("盛岡 花子"));
        assert_eq!(field(&client, "氏名（2）").await?.prop("value").await?.as_deref(), Some("盛岡 キヨ"));
        // This sheet lists only 本人: every field of the mother's row is emptied.
        client
            .execute(
                "document.querySelectorAll('[name^=\"household[1]\"]').forEach(function (e) { e.value = ''; });",
                vec![],
            )
            .await?;
        choose(&client, "相談方法", "来談").await?;
        client.find(Locator::Css("#concern-income")).await?.click().await?;
        client.find(Locator::Css("input[name=main_concern][value=income]")).await?.click().await?;
        field(&client, "主訴").await?.send_keys("生活費のこと").await?;
        field(&client, "同意（1）").await?.select_by_label("有").await?;
        client.wait().at_most(WAIT).for_element(Locator::XPath("//button[normalize-space()='保存する']")).await?.click().await?;
        // Still her household: the mother stays, on the page and in the genogram.
        let household = wait_for_text(&client, "#household table", |t| t.contains("盛岡 花子")).await?;
        assert!(household.contains("盛岡 キヨ"), "{household}");
        let genogram = client.find(Locator::Css("#household svg.genogram")).await?.html(false).await?;
        assert!(genogram.contains("盛岡 キヨ"), "{genogram}");
        snap(&client, "20-second-sheet-keeps-mother").await;

        // 差戻し → 別の機関へ送り直す, with the No.3 and the suggested agency.
        client.goto(&format!("{base}/handoffs/{returned}")).await?;
        client.wait().at_most(WAIT).for_element(Locator::Css("#resend")).await?.click().await?;
        wait_for_text(&client, "#resending", |t| t.contains("送り直します")).await?;
        assert_eq!(
            field(&client, "引継機関に対応してもらいたいこと").await?.prop("value").await?.as_deref(),
            Some("訪問して母の状態を確認してください")
        );
        let suggested = client.find(Locator::Css("#other-agencies input[name=to_agency_ids][value='3']")).await?;
        assert_eq!(suggested.prop("checked").await?.as_deref(), Some("true"));
        // The filter box narrows the other agencies.
        let filter = field(&client, "絞り込み").await?;
        filter.send_keys("消費").await?;
        let shown = |label: &'static str| {
            let client = client.clone();
            async move {
                let item = client
                    .find(Locator::XPath(&format!("//div[@id='agency-picker']//label[@data-picker-item][contains(., '{label}')]")))
                    .await?;
                Ok::<bool, Box<dyn std::error::Error>>(item.is_displayed().await?)
            }
        };
        assert!(shown("消費生活センター").await?);
        assert!(!shown("子育て世代包括支援センター").await?);
        filter.clear().await?;
        click_button(&client, "引継ぎを送る").await?;
        assert_eq!(wait_for_text(&client, "#handoff-status", |t| !t.is_empty()).await?, "送付済");
        client.goto(&format!("{base}/handoffs/{returned}")).await?;
        assert_eq!(wait_for_text(&client, "#handoff-status", |t| !t.is_empty()).await?, "取消");
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

/// The 支援会議 takes someone not yet consulted: an アウトリーチ target goes on
/// its agenda, a decision gives agency 1 a task that reaches its worker's
/// home page once they pledged; then a case is closed at the よりそい会議
/// that decided it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_conference_takes_an_outreach_target_and_a_case_closes_at_a_case_conference() {
    use serde_json::json;
    let app = TestApp::new(Backend::Sqlite).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    app.state.clock.set(day(11, 27));
    let secretariat = app.secretariat_id().await;
    let worker = app.create_user("worker", "staff", &[1]).await;
    app.create_user("csw", "csw", &[secretariat]).await;
    let staff = app.token("worker", common::USER_PASSWORD).await;
    let csw = app.token("csw", common::USER_PASSWORD).await;
    let post = |token: &str, path: &str, body: serde_json::Value| {
        let (app, token, path) = (&app, token.to_owned(), path.to_owned());
        async move {
            let r = app.post_json(&path, Some(&token), &body).await;
            assert!(r.status.is_success(), "{path}: {}", r.body);
            r.json()
        }
    };
    post(
        &staff,
        "/api/v1/outreach",
        json!({"name": "上田 一郎", "address": "盛岡市上田三丁目2-1",
               "description": "郵便物がたまっている", "found_via": "minsei"}),
    )
    .await;
    let support = post(
        &csw,
        "/api/v1/meetings",
        json!({"kind": "support_conference", "starts_at": "2026-12-10T10:00:00+09:00",
               "place": "市保健所", "member_user_ids": [worker]}),
    )
    .await["ids"][0]
        .as_i64()
        .unwrap();
    // A case with a plan agreed at the よりそい会議 of 12月3日.
    let sheet = json!({"method": "in_person", "person": {"name": "盛岡 花子", "kana": "もりおか はなこ"},
        "concerns": [{"category": "債務について", "main": true}], "chief_complaint": "借金",
        "household": [{"name": "盛岡 花子", "relationship": "本人", "consent": "yes"}]});
    let consultation = post(&staff, "/api/v1/consultations", sheet).await["id"].clone();
    post(
        &staff,
        "/api/v1/handoffs",
        json!({"consultation_id": consultation, "purpose": "multi_agency"}),
    )
    .await;
    let case = post(
        &csw,
        "/api/v1/cases",
        json!({"consultation_id": consultation}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post(
        &csw,
        &format!("/api/v1/cases/{case}/assessment"),
        json!({"areas": [["livelihood", "家賃を滞納"]], "concerns": ["debt"]}),
    )
    .await;
    post(
        &csw,
        &format!("/api/v1/cases/{case}/plans"),
        json!({"short_term_goals": ["家賃の滞納を解消する"], "direction": "住まいを守る",
               "assignments": [{"agency_id": 1, "role": "家計相談", "tasks": [{"title": "家計表を作る"}]}]}),
    )
    .await;
    let conference = post(
        &csw,
        "/api/v1/meetings",
        json!({"kind": "case_conference", "starts_at": "2026-12-03T13:30", "place": "市保健所"}),
    )
    .await["ids"][0]
        .as_i64()
        .unwrap();
    post(
        &csw,
        &format!("/api/v1/meetings/{conference}/agenda"),
        json!({"case_id": case}),
    )
    .await;
    post(
        &csw,
        &format!("/api/v1/meetings/{conference}/decisions"),
        json!({"case_id": case, "agree_plan": true, "text": "第1版で支援を始める"}),
    )
    .await;
    post(&csw, &format!("/api/v1/cases/{case}/monitoring"), json!({})).await;
    app.state.clock.set(day(12, 10));

    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        // The 事務局 puts the target on the 支援会議's agenda and decides who goes.
        sign_in(&client, &base, "csw", common::USER_PASSWORD).await?;
        client.goto(&format!("{base}/meetings/{support}")).await?;
        pledge(&client).await?;
        field(
            &client,
            "議題にするアウトリーチの対象（相談につながっていない人）",
        )
        .await?
        .select_by_index(0)
        .await?;
        client
            .find(Locator::Css("#outreach-agenda button"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, ".agenda-unconsulted", |t| {
            t.contains("上田 一郎: 郵便物がたまっている")
        })
        .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='決定事項を記録する']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "ケース・議題")
            .await?
            .select_by_index(1)
            .await?;
        field(&client, "決定事項")
            .await?
            .send_keys("地域包括が民生委員と訪問する")
            .await?;
        field(&client, "担当機関")
            .await?
            .select_by_value("1")
            .await?;
        field(&client, "タスクの内容")
            .await?
            .send_keys("民生委員と自宅を訪ねる")
            .await?;
        field(&client, "期限").await?.send_keys("R8.12.24").await?;
        click_button(&client, "決定事項を記録").await?;
        wait_for_text(&client, "ol.decisions", |t| {
            t.contains("上田 一郎: 郵便物がたまっている: 地域包括が民生委員と訪問する")
        })
        .await?;
        snap(&client, "40-support-conference-outreach").await;

        // The よりそい会議 of 12月3日 decides the closure; the case closes there.
        client
            .goto(&format!("{base}/meetings/{conference}"))
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='決定事項を記録する']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "ケース・議題")
            .await?
            .select_by_value(&format!("case:{case}"))
            .await?;
        field(&client, "決定事項")
            .await?
            .send_keys("目標を達成したため終結とする")
            .await?;
        click_button(&client, "決定事項を記録").await?;
        wait_for_text(&client, "ol.decisions", |t| t.contains("終結とする")).await?;
        client.goto(&format!("{base}/cases/{case}")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(
                "//summary[normalize-space()='終結する（終結時評価）']",
            ))
            .await?
            .click()
            .await?;
        field(&client, "終結を決めたよりそい会議")
            .await?
            .select_by_value(&conference.to_string())
            .await?;
        field(&client, "評価")
            .await?
            .select_by_value("achieved")
            .await?;
        field(&client, "終結の理由")
            .await?
            .select_by_value("goals_met")
            .await?;
        click_button(&client, "終結する").await?;
        wait_for_text(&client, "#case-state", |t| t == "終結").await?;
        let facts = wait_for_text(&client, "dl.facts", |t| t.contains("終結を決めた会議")).await?;
        assert!(facts.contains("よりそい会議（令和8年12月3日"), "{facts}");
        let tasks = client.find(Locator::Css("main")).await?.text().await?;
        assert!(tasks.contains("ケースの終了により終了"), "{tasks}");
        snap(&client, "41-case-closed-at-conference").await;
        sign_out(&client).await?;

        // The worker's home page: nothing before the pledge, the task after it.
        sign_in(&client, &base, "worker", common::USER_PASSWORD).await?;
        wait_for_text(&client, "main h1", |t| !t.is_empty()).await?;
        let home = client.find(Locator::Css("main")).await?.text().await?;
        assert!(!home.contains("民生委員と自宅を訪ねる"), "{home}");
        client.goto(&format!("{base}/meetings/{support}")).await?;
        pledge(&client).await?;
        client.goto(&format!("{base}/")).await?;
        let tasks = wait_for_text(&client, "#task-list", |t| {
            t.contains("民生委員と自宅を訪ねる")
        })
        .await?;
        assert!(tasks.contains("令和8年12月24日"), "{tasks}");
        snap(&client, "42-worker-home-task").await;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}

/// A 受付職員 under 盛岡市's pack as shipped: the first sign-in leads to the
/// enrolment, the QR code is shown in the page, the first code confirms it
/// and the recovery codes are shown once; the next sign-in asks for the
/// code on a second form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_enrols_a_second_factor_and_signs_in_with_it() {
    let app = TestApp::as_shipped(Backend::Sqlite).await;
    app.create_user("sato.staff", "staff", &[1]).await;
    let base = serve(&app).await;
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        sign_in(&client, &base, "sato.staff", common::USER_PASSWORD).await?;
        assert_eq!(client.current_url().await?.path(), "/me/totp");
        click_button(&client, "設定を始める").await?;
        wait_for_text(&client, "#confirm h2", |t| t == "認証アプリに登録する").await?;
        assert!(
            client.find(Locator::Css("#confirm svg path")).await.is_ok(),
            "the QR code is drawn"
        );
        let secret = client
            .find(Locator::Css("#secret"))
            .await?
            .text()
            .await?
            .replace('-', "");
        let code = tsunagaru_app::second_factor::code_at(&secret, chrono::Utc::now())?;
        client
            .find(Locator::Css("#code"))
            .await?
            .send_keys(&code)
            .await?;
        click_button(&client, "確認して設定する").await?;
        wait_for_text(&client, "#recovery-codes h2", |t| t == "回復コード").await?;
        assert_eq!(
            client
                .find_all(Locator::Css(".recovery-codes li"))
                .await?
                .len(),
            10
        );
        snap(&client, "totp-recovery-codes").await;
        // Signed out, the sign-in asks for the code after the password.
        client.goto(&format!("{base}/login")).await?;
        client.delete_all_cookies().await?;
        client.goto(&format!("{base}/login")).await?;
        client
            .find(Locator::Css("#username"))
            .await?
            .send_keys("sato.staff")
            .await?;
        client
            .find(Locator::Css("#password"))
            .await?
            .send_keys(common::USER_PASSWORD)
            .await?;
        client
            .find(Locator::Css("main form button[type=submit]"))
            .await?
            .click()
            .await?;
        let code_box = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#code"))
            .await?;
        let next = tsunagaru_app::second_factor::code_at(
            &secret,
            chrono::Utc::now() + chrono::Duration::seconds(30),
        )?;
        code_box.send_keys(&next).await?;
        client
            .find(Locator::Css("main form button[type=submit]"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(".who"))
            .await?;
        assert_eq!(client.current_url().await?.path(), "/");
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    client.close().await.unwrap();
    outcome.unwrap();
}
