//! `tsunagaru audit verify`: walks the whole log in pages, against its hash
//! chain and, where the installation keeps them, its signed checkpoints.

use crate::{Repository, StoreError};
use tsunagaru_domain::anchor::{AnchorBreak, AnchorVerifier, Checkpoint, ForgedCheckpoint};
use tsunagaru_domain::{ChainBreak, ChainVerifier};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    #[error(transparent)]
    Anchor(#[from] AnchorBreak),
    #[error(transparent)]
    Forged(#[from] ForgedCheckpoint),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verifies the hash chain of the whole audit log in constant memory and
/// returns the number of events.
pub async fn verify_audit_log(repo: &dyn Repository) -> Result<i64, VerifyError> {
    verify_audit_log_anchored(repo, Vec::new()).await
}

/// Verifies the chain and compares it with the checkpoints written outside
/// the database: a checkpoint whose hash differs names a rewrite (rows
/// deleted or changed and the chain recomputed), one beyond the last row a
/// truncation. Returns the number of events.
pub async fn verify_audit_log_anchored(
    repo: &dyn Repository,
    checkpoints: Vec<Checkpoint>,
) -> Result<i64, VerifyError> {
    const PAGE: i64 = 1000;
    let head = repo.audit_head().await?;
    let mut verifier = ChainVerifier::default();
    let mut anchors = AnchorVerifier::new(checkpoints);
    let mut after = 0;
    loop {
        let page = repo.audit_events(after, PAGE).await?;
        for event in &page {
            // The checkpoints first: a recomputed chain is consistent in
            // itself, and only they tell where it was rewritten.
            anchors.check(event.seq, &event.hash)?;
            verifier.check(event)?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    anchors.finish()?;
    Ok(verifier.finish(head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())))?)
}
