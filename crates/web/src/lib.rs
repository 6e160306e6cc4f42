//! The web adapters: the pages (`pages`, server-rendered Japanese screens)
//! and the JSON API (`api`), over shared HTTP plumbing (sessions, CSRF,
//! security headers, errors) and shared views (`views`).
//!
//! A request passes, in order: a request that may write is put on a task of
//! its own, to run to its end if its client goes away ([`finish`]); the
//! security-header layer ([`security`]), the
//! CSRF check for browser form posts ([`csrf`]), the re-authentication layer
//! of the pages ([`reauth`]), the kept failed forms ([`failed_forms`]) and
//! idempotency keys ([`idempotency`]), an extractor that turns the
//! session cookie or bearer token into a signed-in [`auth::CurrentUser`] (or
//! refuses), then a short handler that calls the application layer
//! (`tsunagaru_app`) with the user as the actor and renders a template or
//! JSON. Handlers never touch the repository, never build an audit event and
//! never decide who may see or do what: the application layer does, once
//! for both adapters. Neither adapter imports the other.

mod api;
pub mod auth;
pub use tsunagaru_app::bootstrap;
mod csrf;
mod error;
mod failed_forms;
mod finish;
mod id;
mod idempotency;
mod pages;
mod reauth;
mod security;
mod views;

use std::sync::Arc;
use tsunagaru_address::{Router, RouterError};
use tsunagaru_pack::Pack;
use tsunagaru_store::Repository;

pub use error::{ApiError, PageError};
/// The 事業実績 JSON, for the CLI's `report annual` (the API's shape).
pub use views::reports::ReportAnswer;

/// Settings of the web layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Always mark cookies `Secure` (set when served over TLS, directly or
    /// behind a proxy). Without it, cookies are `Secure` when the request
    /// came through a proxy that says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The application layer: every read and write of the data goes
    /// through it (policy, audit, the clock).
    pub app: App,
    pub config: WebConfig,
    /// The one clock, shared with the store (`Repository::clock`).
    pub clock: Clock,
    /// Pages of forms that failed, for POST-redirect-GET (in memory only).
    pub failed_forms: Arc<failed_forms::FailedForms>,
}

use tsunagaru_app::App;
pub use tsunagaru_store::Clock;

impl AppState {
    /// Fails when the pack's address rules cannot be built into a router.
    pub fn new(
        repo: Arc<dyn Repository>,
        pack: Arc<Pack>,
        config: WebConfig,
    ) -> Result<Self, RouterError> {
        let app = App::new(repo, pack)?;
        let clock = app.clock().clone();
        Ok(AppState {
            app,
            config,
            clock,
            failed_forms: Arc::default(),
        })
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// The pack in use: the application's, which follows a pack load
    /// through any server ([`App::refresh_pack`]).
    pub fn pack(&self) -> Arc<Pack> {
        self.app.pack()
    }

    /// The address router built from the pack in use.
    pub fn address(&self) -> Arc<Router> {
        self.app.address()
    }
}

/// The whole application: pages, API and assets.
pub fn app(state: AppState) -> axum::Router {
    pages::router()
        .merge(api::router())
        .fallback(pages::assets::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::replay_or_run,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            failed_forms::keep,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            reauth::offer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::check,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(security::MAX_BODY))
        .layer(axum::middleware::from_fn(security::body_limit))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(finish::writes_to_the_end))
        .with_state(state)
}
