//! Creating requests sent twice with the same key — a double click, a
//! client retrying after an answer was lost — are answered once: the first
//! answer is kept (a day) and given again; the same key for a different
//! request is refused. Keys are scoped to the caller's session and go with
//! it (sign-out, expiry, an administrator ending it); a repeat is given the
//! kept answer only while the session lives, and is audited.

use crate::{Actor, App, AppError};
use tsunagaru_domain::AuditAction;
use tsunagaru_store::{IdempotencyClaim, KeptResponse};

impl App {
    pub async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request: &str,
    ) -> Result<IdempotencyClaim, AppError> {
        Ok(self
            .repo
            .claim_idempotency_key(scope, key, request, chrono::Utc::now())
            .await?)
    }

    pub async fn keep_idempotent_response(
        &self,
        scope: &str,
        key: &str,
        response: &KeptResponse,
    ) -> Result<(), AppError> {
        Ok(self
            .repo
            .complete_idempotency_key(scope, key, response)
            .await?)
    }

    /// Records that the kept answer of `what` (method and path) was given again.
    pub async fn audit_replay(&self, actor: &Actor, what: &str) -> Result<(), AppError> {
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::RequestReplayed)
                    .detail(what.to_owned()),
            )
            .await?;
        Ok(())
    }

    pub async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<(), AppError> {
        Ok(self.repo.release_idempotency_key(scope, key).await?)
    }
}
