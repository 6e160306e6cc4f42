//! A real browser (headless Chromium through chromedriver) against a running
//! server: the walk a newcomer takes on the first day.

mod common;

use common::{ADMIN_PASSWORD, Backend, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_signs_in_filters_to_elderly_and_reads_a_centers_catchment() {
    let app = TestApp::new(Backend::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = walk(&client, &base).await;
    client.close().await.unwrap();
    outcome.unwrap();
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
    client
        .find(Locator::Css("#username"))
        .await?
        .send_keys("admin")
        .await?;
    client
        .find(Locator::Css("#password"))
        .await?
        .send_keys(ADMIN_PASSWORD)
        .await?;
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await?
        .click()
        .await?;
    assert_eq!(client.current_url().await?.path(), "/");
    assert!(
        client
            .find(Locator::Css("h1"))
            .await?
            .text()
            .await?
            .contains("ホーム")
    );

    // 機関一覧, filtered to 高齢.
    client
        .find(Locator::LinkText("機関一覧"))
        .await?
        .click()
        .await?;
    let all = client
        .find_all(Locator::Css("#agencies tbody tr"))
        .await?
        .len();
    assert!(all >= 30, "{all} agencies before filtering");
    client
        .find(Locator::Css("#field"))
        .await?
        .select_by_label("高齢")
        .await?;
    client
        .find(Locator::XPath("//button[normalize-space()='絞り込む']"))
        .await?
        .click()
        .await?;
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
        .find(Locator::LinkText("盛岡駅西口地域包括支援センター"))
        .await?
        .click()
        .await?;
    assert_eq!(
        client.find(Locator::Css("h1")).await?.text().await?,
        "盛岡駅西口地域包括支援センター"
    );
    let catchment = client
        .find(Locator::Css("#catchment"))
        .await?
        .text()
        .await?;
    assert!(catchment.contains("担当地区"), "{catchment}");
    assert!(catchment.contains("西厨川・桜城"), "{catchment}");
    assert!(
        catchment.contains("盛岡駅前通") && catchment.contains("大館町"),
        "{catchment}"
    );
    let facts = client.find(Locator::Css("dl.facts")).await?.text().await?;
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
    for _ in 0..50 {
        last = client.find(Locator::Css(css)).await?.text().await?;
        if ok(&last) {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} still shows {last:?}").into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postal_code_fills_the_town_and_the_center_appears_as_you_type() {
    let app = TestApp::new(Backend::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let profile = common::TempDir::new("tsunagaru-chromium");
    let (_driver, client) = browser(&profile.0).await;
    let outcome = async {
        client.goto(&format!("{base}/login")).await?;
        client
            .find(Locator::Css("#username"))
            .await?
            .send_keys("admin")
            .await?;
        client
            .find(Locator::Css("#password"))
            .await?
            .send_keys(ADMIN_PASSWORD)
            .await?;
        client
            .find(Locator::Css("main form button[type=submit]"))
            .await?
            .click()
            .await?;
        client
            .find(Locator::LinkText("担当地区を調べる"))
            .await?
            .click()
            .await?;

        client
            .find(Locator::Css("#postal_code"))
            .await?
            .send_keys("０２０－０１１４")
            .await?;
        let address = client.find(Locator::Css("#address")).await?;
        for _ in 0..50 {
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
            .find(Locator::XPath("//button[normalize-space()='調べる']"))
            .await?
            .click()
            .await?;
        let normalized = client
            .find(Locator::Css("#normalized"))
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
