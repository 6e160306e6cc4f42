//! Creating requests sent twice with the same key — a double click, a
//! client retrying after an answer was lost — are answered once: the first
//! answer is kept (a day) and given again; the same key for a different
//! request is refused. Keys are scoped to the caller's session.

use crate::{App, AppError};
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

    pub async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<(), AppError> {
        Ok(self.repo.release_idempotency_key(scope, key).await?)
    }
}
