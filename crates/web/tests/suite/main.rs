//! The web crate's tests against the whole server on SQLite and on
//! PostgreSQL, as one test binary: each binary links the whole server, so
//! one binary instead of one per file saves most of the build's linking and,
//! in an optimized build, most of its code generation. The browser walks
//! stay in their own binary (`tests/browser.rs`), which nextest runs one at a
//! time.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod access_rules;
mod api;
mod audit_and_pack;
mod cases_api;
mod cases_pages;
mod contract_check;
mod desk;
mod directory_contacts;
mod handoffs_api;
mod idempotency;
mod import;
mod instances;
mod meetings_api;
mod meetings_pages;
mod pages;
mod pagination;
mod persons_api;
mod reach_api;
mod reach_pages;
mod reports_api;
mod route_matrix;
mod second_factor;
