//! Person pages (web): search and the person's page. Shared search logic.

use crate::AppState;
use crate::auth::CurrentUser;
use tsunagaru_domain::AuditAction;
use tsunagaru_store::{Person, PersonQuery, StoreError};

/// Searches the persons the user may see; a protected person is found by
/// phone only by a user named on the record; whereabouts are hidden as for
/// any view. The search itself is audited (without what was searched for).
pub async fn search_visible(
    state: &AppState,
    user: &CurrentUser,
    query: &PersonQuery,
) -> Result<Vec<Person>, StoreError> {
    let found = state
        .repo
        .search_persons(&user.user.agency_ids, query, 100)
        .await?;
    let found: Vec<Person> = found
        .into_iter()
        .filter(|p| query.phone.is_none() || p.whereabouts_visible_to(user.user.id))
        .map(|p| p.for_viewer(user.user.id))
        .collect();
    state
        .repo
        .append_audit(
            user.audit(AuditAction::PersonSearched)
                .detail(format!("{} 件", found.len())),
        )
        .await?;
    Ok(found)
}
