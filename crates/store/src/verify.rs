//! `tsunagaru audit verify`: walks the whole log in pages.

use crate::{Repository, StoreError};
use tsunagaru_domain::{ChainBreak, ChainVerifier};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verifies the hash chain of the whole audit log in constant memory and
/// returns the number of events.
pub async fn verify_audit_log(repo: &dyn Repository) -> Result<i64, VerifyError> {
    const PAGE: i64 = 1000;
    let head = repo.audit_head().await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = repo.audit_events(after, PAGE).await?;
        for event in &page {
            verifier.check(event)?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    Ok(verifier.finish(head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())))?)
}
