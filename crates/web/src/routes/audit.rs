//! 監査ログ: the newest events and the chain check, for admins and auditors.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::PageError;
use crate::templates::{AuditPage, Nav};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use tsunagaru_domain::AuditAction;
use tsunagaru_store::{VerifyError, verify_audit_log};

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    if !user.role().can_read_audit_log() {
        return Err(PageError::Forbidden);
    }
    state
        .repo
        .append_audit(user.audit(AuditAction::AuditLogViewed))
        .await?;
    let chain = match verify_audit_log(state.repo.as_ref()).await {
        Ok(count) => Ok(count),
        Err(VerifyError::Broken(b)) => Err(b.to_string()),
        Err(VerifyError::Store(e)) => return Err(e.into()),
    };
    let page = AuditPage {
        nav: Nav::new(&user, &state.pack.municipality.name),
        events: state.repo.recent_audit_events(200).await?,
        chain,
    };
    Ok(Html(page.render()?))
}
