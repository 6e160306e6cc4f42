//! The audit chain's checkpoints on disk: a key that is not in the database
//! and an append-only file of signed checkpoints beside it (see
//! [`tsunagaru_domain::anchor`]).

use crate::{Repository, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};
use tsunagaru_domain::anchor::{Checkpoint, ForgedCheckpoint};

/// The key and the checkpoint file of one installation.
#[derive(Debug, Clone)]
pub struct AuditAnchors {
    key: Vec<u8>,
    log: PathBuf,
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Database(format!("{}: {e}", path.display()))
}

impl AuditAnchors {
    /// The key's file in the data directory (mode 0600), unless
    /// `TSUNAGARU_AUDIT_KEY_FILE` puts it elsewhere (another disk, a
    /// secrets mount).
    pub const KEY_FILE: &'static str = "audit.key";
    /// The checkpoints, one signed line each, only ever appended.
    pub const LOG_FILE: &'static str = "audit-checkpoints.log";

    fn key_path(dir: &Path) -> PathBuf {
        std::env::var_os("TSUNAGARU_AUDIT_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.join(Self::KEY_FILE))
    }

    /// The anchors of a data directory, the key created (32 random bytes)
    /// on first use; for the server and `audit checkpoint`.
    pub fn open_or_create(dir: &Path) -> Result<AuditAnchors, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let key_path = Self::key_path(dir);
        if !key_path.exists() {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key)
                .map_err(|e| StoreError::Database(format!("乱数を得られません: {e}")))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&key_path).map_err(|e| io(&key_path, e))?;
            file.write_all(hex::encode(key).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| io(&key_path, e))?;
        }
        Self::existing(dir)?
            .ok_or_else(|| StoreError::Database(format!("{} を読めません", key_path.display())))
    }

    /// The anchors if the data directory has a key (for `audit verify`,
    /// which never creates one).
    pub fn existing(dir: &Path) -> Result<Option<AuditAnchors>, StoreError> {
        let key_path = Self::key_path(dir);
        if !key_path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&key_path).map_err(|e| io(&key_path, e))?;
        let key = hex::decode(text.trim()).map_err(|_| {
            StoreError::Database(format!("{} は鍵の形式ではありません", key_path.display()))
        })?;
        Ok(Some(AuditAnchors {
            key,
            log: dir.join(Self::LOG_FILE),
        }))
    }

    /// Every checkpoint written, each line's signature checked.
    pub fn read(&self) -> Result<Result<Vec<Checkpoint>, ForgedCheckpoint>, StoreError> {
        let text = match std::fs::read_to_string(&self.log) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(Vec::new())),
            Err(e) => return Err(io(&self.log, e)),
        };
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| Checkpoint::parse(line, &self.key, i + 1))
            .collect())
    }

    /// Appends a checkpoint of the chain's head if it moved since the last
    /// one (`last`), synced to disk; returns what it wrote.
    pub async fn checkpoint(
        &self,
        repo: &dyn Repository,
        last: Option<i64>,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let Some((seq, hash)) = repo.audit_head().await? else {
            return Ok(None);
        };
        if last.is_some_and(|l| l >= seq) {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            seq,
            hash,
            at: repo.clock().now(),
        };
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.log)
            .map_err(|e| io(&self.log, e))?;
        writeln!(file, "{}", checkpoint.line(&self.key))
            .and_then(|()| file.sync_all())
            .map_err(|e| io(&self.log, e))?;
        Ok(Some(checkpoint))
    }
}
