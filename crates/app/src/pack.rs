//! The pack held in memory, and how every server follows a pack load.
//!
//! Each server parses the pack once and keeps it, with the address router
//! built from it. A pack load (`tsunagaru pack reload`, through any server
//! or machine on the database) stores the pack's files and raises a version;
//! [`App::refresh_pack`] asks only that version and parses the stored files
//! again when it has moved. `tsunagaru serve` asks every
//! [`App::PACK_CHECK_EVERY`], so every server follows within that time,
//! without a restart.

use crate::{App, AppError};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tsunagaru_address::Router;
use tsunagaru_pack::Pack;

/// The pack in use, the router built from it, and the stored version it was
/// read at (`None` for the pack given at start, before any refresh).
pub(crate) struct Held {
    pub(crate) version: Option<i64>,
    pub(crate) pack: Arc<Pack>,
    pub(crate) address: Arc<Router>,
}

/// What one refresh did.
#[derive(Debug, PartialEq, Eq)]
pub enum PackRefresh {
    /// The pack held is the stored one (or nothing is stored yet).
    Current,
    /// The stored pack, at this version, replaced the one held.
    Replaced { version: i64, municipality: String },
    /// The stored pack cannot be used by this server (it fails this
    /// build's checks, e.g. written by a newer version): the pack held
    /// stays, and the reason is given for the operator, once per load.
    Refused { version: i64, reason: String },
}

impl App {
    /// How often `tsunagaru serve` asks whether the pack was loaded again.
    pub const PACK_CHECK_EVERY: Duration = Duration::from_secs(5);

    fn held_pack(&self) -> Arc<Held> {
        match self.held.read() {
            Ok(held) => held.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The pack in use (the stored one once [`App::refresh_pack`] has run).
    pub fn pack(&self) -> Arc<Pack> {
        self.held_pack().pack.clone()
    }

    /// The address router built from the pack in use.
    pub fn address(&self) -> Arc<Router> {
        self.held_pack().address.clone()
    }

    /// Follows the stored pack: one cheap read of its version; only when it
    /// moved are the stored files read, parsed and checked as a pack from
    /// files would be, and put in use with a new router. A stored pack this
    /// build refuses leaves the held one in use.
    pub async fn refresh_pack(&self) -> Result<PackRefresh, AppError> {
        let held = self.held_pack();
        let Some(version) = self.repo.pack_version().await? else {
            return Ok(PackRefresh::Current);
        };
        if held.version == Some(version) || self.refused_pack.load(Ordering::SeqCst) == version {
            return Ok(PackRefresh::Current);
        }
        let Some((version, sources)) = self.repo.stored_pack().await? else {
            return Ok(PackRefresh::Current);
        };
        let refused = |reason: String| {
            self.refused_pack.store(version, Ordering::SeqCst);
            Ok(PackRefresh::Refused { version, reason })
        };
        let sources = match sources {
            Ok(sources) => sources,
            Err(e) => return refused(e),
        };
        let pack = match Pack::parse(&sources) {
            Ok(pack) => pack,
            Err(e) => return refused(e.to_string()),
        };
        let address = match Router::from_pack(&pack) {
            Ok(router) => router,
            Err(e) => return refused(e.to_string()),
        };
        let municipality = pack.municipality.name.clone();
        let fresh = Arc::new(Held {
            version: Some(version),
            pack: Arc::new(pack),
            address: Arc::new(address),
        });
        let mut slot = match self.held.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A newer version put in use by another request meanwhile wins.
        if slot.version.is_some_and(|v| v >= version) {
            return Ok(PackRefresh::Current);
        }
        *slot = fresh;
        Ok(PackRefresh::Replaced {
            version,
            municipality,
        })
    }

    /// Whether the pack in use was parsed from these files (a server started
    /// with files the database does not hold tells its operator so).
    pub fn pack_is(&self, sources: &tsunagaru_pack::PackSources) -> bool {
        self.pack().sources() == sources
    }
}
