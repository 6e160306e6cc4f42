//! 監査ログ: the newest events and the chain check, for admins and auditors.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::PageError;
use crate::pages::templates::{AuditPage, Nav};
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    let log = state.app.audit_log(&user.actor(), 200).await?;
    let page = AuditPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        events: log.events,
        chain: log.chain,
    };
    Ok(Html(page.render()?))
}
