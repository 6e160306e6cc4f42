//! One helper builds a running app on a fresh database (SQLite or
//! PostgreSQL) with the 盛岡市 pack and an admin, so a test is a short story.
#![allow(dead_code)]

pub mod contract;

/// Where the server serves its OpenAPI document.
const OPENAPI: &str = "/api/openapi.json";

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;
use tsunagaru_pack::Pack;
use tsunagaru_store::Repository;
use tsunagaru_store_postgres::PgStore;
use tsunagaru_store_sqlite::SqliteStore;
use tsunagaru_web::bootstrap;
use tsunagaru_web::{AppState, WebConfig};

pub const ADMIN_PASSWORD: &str = "Kitakami-Kanri-2026!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A store of either kind, so tests can reach the database directly.
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Store {
    /// Runs SQL straight on the database, around the application.
    pub async fn execute_raw(&self, sql: &'static str) -> Result<(), sqlx::Error> {
        match self {
            Store::Sqlite(s) => sqlx::raw_sql(sql).execute(s.pool()).await.map(|_| ()),
            Store::Postgres(s) => sqlx::raw_sql(sql).execute(s.pool()).await.map(|_| ()),
        }
    }
}

pub struct TestApp {
    repo: Arc<dyn Repository>,
    pub state: AppState,
    pub store: Store,
    pub router: Router,
    pub dir: Option<TempDir>,
    pub database_url: Option<String>,
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty PostgreSQL database on the test cluster.
pub async fn fresh_postgres_url() -> String {
    let base = std::env::var("TSUNAGARU_TEST_POSTGRES_URL").expect(
        "TSUNAGARU_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL",
    );
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("connect to the test PostgreSQL");
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let (without_query, query) = match base.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (base.as_str(), String::new()),
    };
    let (prefix, _) = without_query
        .rsplit_once('/')
        .expect("a database URL ends in /<database>");
    format!("{prefix}/{name}{query}")
}

/// The date every test starts on: `TSUNAGARU_TODAY` (YYYY-MM-DD) when set,
/// else a fixed day, so that no test depends on the day it runs.
/// `scripts/test` runs the suite on the default and again on 2027-04-01.
pub fn test_today() -> chrono::NaiveDate {
    std::env::var("TSUNAGARU_TODAY")
        .ok()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date"))
}

fn test_clock() -> tsunagaru_store::Clock {
    tsunagaru_store::Clock::starting_on(test_today())
}

impl TestApp {
    /// 盛岡市's pack, except that no role must use a second factor: most
    /// tests are about other things and sign in with a password. The
    /// second factor's own tests use [`TestApp::as_shipped`].
    pub async fn new(backend: Backend) -> TestApp {
        let mut pack = Pack::morioka();
        pack.second_factor = Default::default();
        TestApp::with_pack(backend, pack).await
    }

    /// 盛岡市's pack as shipped: every role that sees persons must sign in
    /// with a second factor.
    pub async fn as_shipped(backend: Backend) -> TestApp {
        TestApp::with_pack(backend, Pack::morioka()).await
    }

    pub async fn with_pack(backend: Backend, pack: Pack) -> TestApp {
        let (repo, store, dir, database_url): (
            Arc<dyn Repository>,
            Store,
            Option<TempDir>,
            Option<String>,
        ) = match backend {
            Backend::Sqlite => {
                let dir = TempDir::new("tsunagaru-test");
                let store = SqliteStore::open_dir(&dir.0)
                    .await
                    .expect("open SQLite")
                    .with_clock(test_clock());
                (
                    Arc::new(store.clone()),
                    Store::Sqlite(store),
                    Some(dir),
                    None,
                )
            }
            Backend::Postgres => {
                let url = fresh_postgres_url().await;
                let store = PgStore::connect(&url)
                    .await
                    .expect("open PostgreSQL")
                    .with_clock(test_clock());
                (
                    Arc::new(store.clone()),
                    Store::Postgres(store),
                    None,
                    Some(url),
                )
            }
        };
        bootstrap::ensure_pack(repo.as_ref(), &pack).await.unwrap();
        bootstrap::ensure_admin(repo.as_ref(), &pack, Some(ADMIN_PASSWORD.into()))
            .await
            .unwrap();
        let state = AppState::new(repo.clone(), Arc::new(pack), WebConfig::default()).unwrap();
        let router = tsunagaru_web::app(state.clone());
        TestApp {
            repo,
            state,
            store,
            router,
            dir,
            database_url,
        }
    }

    /// A second server on the same database, as another process behind a
    /// load balancer would be: its own store handle (pool, and on SQLite
    /// its own write queue), its own application and memory, the same pack.
    #[allow(dead_code)]
    pub async fn another_instance(&self) -> TestApp {
        let (repo, store): (Arc<dyn Repository>, Store) = match (&self.dir, &self.database_url) {
            (Some(dir), _) => {
                let store = SqliteStore::open_dir(&dir.0)
                    .await
                    .expect("open SQLite again")
                    .with_clock(test_clock());
                (Arc::new(store.clone()), Store::Sqlite(store))
            }
            (None, Some(url)) => {
                let store = PgStore::connect(url)
                    .await
                    .expect("open PostgreSQL again")
                    .with_clock(test_clock());
                (Arc::new(store.clone()), Store::Postgres(store))
            }
            (None, None) => unreachable!("a test database is a directory or a URL"),
        };
        let state = AppState::new(repo.clone(), self.state.pack(), WebConfig::default()).unwrap();
        let router = tsunagaru_web::app(state.clone());
        TestApp {
            repo,
            state,
            store,
            router,
            dir: None,
            database_url: self.database_url.clone(),
        }
    }

    /// The store itself, for tests that set up or inspect what the app
    /// cannot be asked for (the application holds its own handle privately).
    pub fn repo(&self) -> &dyn Repository {
        self.repo.as_ref()
    }

    /// Sends a request through the whole router. After any request that
    /// may write, the scope index (`person_scope`, kept by the database on
    /// write) must still agree with the records it is made of: so every
    /// write of every test, on both backends, checks it.
    pub async fn request(&self, request: Request<Body>) -> Response {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let may_write = method != axum::http::Method::GET;
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if path.starts_with("/api/") && path != OPENAPI {
            let doc = self.served_document().await;
            if let Some(broken) = contract::violation(doc, &method, &path, status, &headers, &body)
            {
                panic!("{broken}\nthe answer: {body}");
            }
        }
        if may_write {
            self.assert_scope_index_agrees().await;
        }
        Response {
            status,
            headers,
            body,
        }
    }

    /// The OpenAPI document as the server serves it (read once).
    async fn served_document(&self) -> &'static Value {
        static DOCUMENT: tokio::sync::OnceCell<Value> = tokio::sync::OnceCell::const_new();
        DOCUMENT
            .get_or_init(|| async {
                let response = self
                    .router
                    .clone()
                    .oneshot(Request::get(OPENAPI).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                serde_json::from_slice(&bytes).expect("the served document is JSON")
            })
            .await
    }

    /// The scope index gives the answers the records give.
    pub async fn assert_scope_index_agrees(&self) {
        let differences = self.repo().person_scope_differences().await.unwrap();
        assert!(
            differences.is_empty(),
            "the scope index differs from the records at (person, agency): {differences:?}"
        );
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.request(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Signs in through the API and returns the token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.json()["token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user through the API as admin; returns the id.
    /// The id of the 事務局 agency (まるごとよりそいネットワーク).
    pub async fn secretariat_id(&self) -> i64 {
        self.repo()
            .agencies()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.secretariat)
            .expect("the pack names a 事務局")
            .id
    }

    pub async fn create_user(&self, username: &str, role: &str, agency_ids: &[i64]) -> i64 {
        let token = self.admin_token().await;
        let response = self
            .post_json(
                "/api/v1/users",
                Some(&token),
                &serde_json::json!({
                    "username": username,
                    "password": USER_PASSWORD,
                    "display_name": "見本 太郎",
                    "agency_ids": agency_ids,
                    "role": role,
                }),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
        response.json()["id"].as_i64().unwrap()
    }

    /// Signs in through the browser form; returns the session cookie and the
    /// CSRF token of the signed-in pages.
    pub async fn browser_sign_in(&self, username: &str, password: &str) -> (String, String) {
        let form = self.get("/login", None).await;
        let login_cookie = form
            .cookie("tsunagaru_login_csrf")
            .expect("the login form sets its CSRF cookie");
        let csrf = form
            .hidden_csrf()
            .expect("the login form carries a CSRF token");
        let body = serde_urlencoded::to_string([
            ("csrf_token", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .unwrap();
        let response = self
            .request(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(
                        header::COOKIE,
                        format!("tsunagaru_login_csrf={login_cookie}"),
                    )
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        let session = response
            .cookie("tsunagaru_session")
            .unwrap_or_else(|| panic!("a session cookie: {:?}", response.set_cookies()));
        let mut home = self.get_with_cookie("/", &session).await;
        // A user asked for a new password is sent to that form first.
        if let Some(to) = home
            .headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned)
        {
            home = self.get_with_cookie(&to, &session).await;
        }
        let csrf = home
            .hidden_csrf()
            .expect("signed-in pages carry the CSRF token");
        (session, csrf)
    }

    pub async fn get_with_cookie(&self, path: &str, session: &str) -> Response {
        self.request(
            Request::get(path)
                .header(header::COOKIE, format!("tsunagaru_session={session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Posts a page form as a browser does: a form that failed is redirected
    /// to its kept page (POST-redirect-GET), which is followed here, so the
    /// answer is that page with its status (422, 409, 400).
    pub async fn post_form_with_cookie(
        &self,
        path: &str,
        session: &str,
        form: &[(&str, &str)],
    ) -> Response {
        let response = self
            .request(
                Request::post(path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("tsunagaru_session={session}"))
                    .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
                    .unwrap(),
            )
            .await;
        self.follow_failed_form(response, session).await
    }

    /// The kept page of a failed form, if `response` redirects to one.
    pub async fn follow_failed_form(&self, response: Response, session: &str) -> Response {
        match response
            .headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
        {
            Some(to)
                if response.status == StatusCode::SEE_OTHER && to.starts_with("/forms/failed/") =>
            {
                let to = to.to_owned();
                self.get_with_cookie(&to, session).await
            }
            _ => response,
        }
    }

    /// Audit actions, oldest first.
    pub async fn audit_actions(&self) -> Vec<(String, String)> {
        self.repo()
            .audit_events(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.actor))
            .collect()
    }
}

pub const USER_PASSWORD: &str = "Sakura-Yama-2026#";

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find_map(|c| {
            let first = c.split(';').next()?.trim().to_owned();
            let (k, v) = first.split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_owned())
        })
    }

    pub fn hidden_csrf(&self) -> Option<String> {
        let marker = r#"name="csrf_token" value=""#;
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_owned())
    }
}

/// Declares each listed `async fn name(backend: Backend)` as a test on SQLite
/// and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::common::Backend::Postgres).await
                }
            )*
        }
    };
}
