//! Domain types and rules of Tsunagaru.
//!
//! This crate does no I/O: it holds the types that cannot hold invalid values
//! (parse, don't validate) and the rules that decide things (password policy,
//! sign-in lock-out, session limits, the audit hash chain). Storage and the web
//! layer call into it; it never calls out.

pub mod anchor;
pub mod audit;
pub mod case;
pub mod code;
pub mod contact;
pub mod directory;
pub mod era;
pub mod handoff;
pub mod holiday;
pub mod intake;
pub mod kana;
pub mod login;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod plan;
pub mod reach;
pub mod report;
pub mod user;

pub use audit::{AuditAction, AuditEvent, ChainBreak, ChainVerifier, GENESIS_HASH, NewAuditEvent};
pub use directory::{Field, HubType, Programme};
pub use login::{LoginPolicy, LoginThrottle, SecondFactorPolicy, SessionTimes};
pub use user::{PasswordPolicy, PasswordProblem, Role, Username, UsernameProblem};
