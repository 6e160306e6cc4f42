//! The application layer of Tsunagaru.
//!
//! Every rule of who may see or do what lives here, once, and every front end
//! (the JSON API, the pages, prints, exports, the CLI) goes through it:
//!
//! - [`Actor`] is who acts: a signed-in user or the system.
//! - [`policy`] holds every "who may" rule as a plain function over the actor
//!   and the record, tested as tables.
//! - Each area module (`persons`, `sessions`, …) offers the use cases. Every
//!   public function takes the actor first, asks `policy`, writes its audit
//!   event exactly once (reads of personal data included) and runs its writes
//!   in one transaction (the store's write methods take the audit event).
//! - [`AppError`] is the one error every adapter turns into its own answer
//!   (one `From<AppError>` per adapter).
//!
//! This crate knows nothing of HTTP, templates or JSON views.

mod actor;
pub mod bootstrap;
pub mod cases;
pub mod community;
pub mod desk;
pub mod directory;
mod error;
pub mod export;
pub mod handoffs;
pub mod idempotency;
pub mod intake;
pub mod meetings;
pub mod outreach;
pub mod pack;
pub mod participation;
pub mod person_records;
pub mod persons;
pub mod policy;
pub mod reports;
pub mod second_factor;
pub mod sessions;
pub mod users;

pub use actor::Actor;
pub use error::{AppError, FieldError};
pub use tsunagaru_store::{Clock, jst};

use std::sync::Arc;
use tsunagaru_address::Router;
use tsunagaru_pack::Pack;
use tsunagaru_store::Repository;

/// How personal data is read, for the audit trail: on screen (or as JSON),
/// or printed on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Screen,
    Print,
}

/// The application: the repository (reached only through this crate's use
/// cases, and through [`App::repository_unchecked`] while the remaining
/// areas move here), the municipality pack with the address router built
/// from it (shared by clones, followed across servers: [`pack`]) and the
/// clock.
#[derive(Clone)]
pub struct App {
    repo: Arc<dyn Repository>,
    held: Arc<std::sync::RwLock<Arc<pack::Held>>>,
    /// The stored pack's version this build refused last (0: none), not
    /// parsed again until another load.
    refused_pack: Arc<std::sync::atomic::AtomicI64>,
    clock: Clock,
    /// The directory as last read, with the version it was read at
    /// (shared by clones; see [`App::agencies`]).
    directory: Arc<std::sync::RwLock<Option<Arc<directory::Held>>>>,
}

impl App {
    /// Fails when the pack's address rules cannot be built into a router.
    pub fn new(
        repo: Arc<dyn Repository>,
        pack: Arc<Pack>,
    ) -> Result<App, tsunagaru_address::RouterError> {
        let address = Arc::new(Router::from_pack(&pack)?);
        let clock = repo.clock().clone();
        Ok(App {
            repo,
            held: Arc::new(std::sync::RwLock::new(Arc::new(pack::Held {
                version: None,
                pack,
                address,
            }))),
            refused_pack: Arc::default(),
            clock,
            directory: Arc::default(),
        })
    }

    /// The one clock: the store stamps rows with it.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Today's date in Japan, from the application's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// The town of an address (for search and the 担当地区), from the router.
    pub fn town_of(&self, postal_code: Option<&str>, line: Option<&str>) -> Option<String> {
        line.and_then(|line| {
            self.address()
                .route(&format!("{} {line}", postal_code.unwrap_or_default()))
                .town
        })
    }
}
