//! Checkpoints of the audit chain kept outside the database.
//!
//! The hash chain shows an edited row, but someone who can write the
//! database file can delete the newest rows and rewrite the head, or delete
//! a row and recompute every later hash. A checkpoint — the sequence number
//! and hash of the newest event at a moment — is signed with a key that is
//! not in the database (HMAC-SHA256, RFC 2104) and appended to a file beside
//! it; `audit verify` then finds truncation, deletion and recomputation
//! against it, and says from which row.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The newest event of the chain at a moment: its sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// A line of the checkpoint file that is not one this system signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "チェックポイントの {line} 行目は署名が合いません（書き換えられたか、別の鍵で書かれています）"
)]
pub struct ForgedCheckpoint {
    pub line: usize,
}

impl Checkpoint {
    fn signed_text(&self) -> String {
        format!("{}\t{}\t{}", self.seq, self.hash, self.at.to_rfc3339())
    }

    /// The line appended to the file: the fields and their MAC, tab-separated.
    pub fn line(&self, key: &[u8]) -> String {
        let text = self.signed_text();
        let mac = hex::encode(hmac_sha256(key, text.as_bytes()));
        format!("{text}\t{mac}")
    }

    /// Reads a line back, checking its MAC; `line_no` counts from 1.
    pub fn parse(text: &str, key: &[u8], line_no: usize) -> Result<Checkpoint, ForgedCheckpoint> {
        let forged = ForgedCheckpoint { line: line_no };
        let fields: Vec<&str> = text.trim_end().split('\t').collect();
        let [seq, hash, at, mac] = fields[..] else {
            return Err(forged);
        };
        let checkpoint = Checkpoint {
            seq: seq.parse().map_err(|_| forged.clone())?,
            hash: hash.to_owned(),
            at: DateTime::parse_from_rfc3339(at)
                .map_err(|_| forged.clone())?
                .with_timezone(&Utc),
        };
        let expected = hex::encode(hmac_sha256(key, checkpoint.signed_text().as_bytes()));
        // Compared in full whatever differs, so timing tells nothing.
        let same = expected.len() == mac.len()
            && expected
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same { Ok(checkpoint) } else { Err(forged) }
    }
}

/// Where the database departs from its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorBreak {
    #[error(
        "監査ログの改ざんを検出しました: チェックポイントは通番 {checkpoint} までありますが、データベースの監査ログは通番 {last} までです（通番 {} 以降が削除されています）",
        last + 1
    )]
    Truncated { checkpoint: i64, last: i64 },
    #[error(
        "監査ログの改ざんを検出しました: 通番 {checkpoint} のハッシュがチェックポイントと一致しません（{}。その間の行が削除・変更され、ハッシュが計算し直されています）",
        match matched { Some(m) => format!("通番 {m} までは一致、通番 {} から {checkpoint} の間で書き換え", m + 1), None => format!("通番 1 から {checkpoint} の間で書き換え") }
    )]
    Rewritten {
        checkpoint: i64,
        matched: Option<i64>,
    },
}

/// Compares the events, in `seq` order, with the checkpoints, in any order;
/// fed one event at a time so that a log of any length is checked in
/// constant memory beside the chain's own check.
#[derive(Debug, Clone)]
pub struct AnchorVerifier {
    /// Sorted by `seq`.
    checkpoints: Vec<Checkpoint>,
    next: usize,
    matched: Option<i64>,
    last: i64,
}

impl AnchorVerifier {
    pub fn new(mut checkpoints: Vec<Checkpoint>) -> AnchorVerifier {
        checkpoints.sort_by_key(|c| c.seq);
        AnchorVerifier {
            checkpoints,
            next: 0,
            matched: None,
            last: 0,
        }
    }

    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    pub fn check(&mut self, seq: i64, hash: &str) -> Result<(), AnchorBreak> {
        self.last = seq;
        while let Some(c) = self.checkpoints.get(self.next) {
            if c.seq > seq {
                break;
            }
            if c.seq == seq && c.hash != hash {
                return Err(AnchorBreak::Rewritten {
                    checkpoint: c.seq,
                    matched: self.matched,
                });
            }
            if c.seq == seq {
                self.matched = Some(seq);
            }
            self.next += 1;
        }
        Ok(())
    }

    /// After the last event: a checkpoint beyond it means rows were cut off.
    pub fn finish(&self) -> Result<(), AnchorBreak> {
        match self.checkpoints.last() {
            Some(c) if c.seq > self.last => Err(AnchorBreak::Truncated {
                checkpoint: c.seq,
                last: self.last,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test cases 2 and 6 (a key longer than the block).
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T10:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_line_reads_back_only_under_its_key_and_unchanged() {
        let c = Checkpoint {
            seq: 42,
            hash: "ab".repeat(32),
            at: at(),
        };
        let line = c.line(b"key");
        assert_eq!(Checkpoint::parse(&line, b"key", 1).unwrap(), c);
        assert_eq!(
            Checkpoint::parse(&line, b"other", 3),
            Err(ForgedCheckpoint { line: 3 })
        );
        let edited = line.replacen("42", "41", 1);
        assert!(Checkpoint::parse(&edited, b"key", 1).is_err());
        assert!(Checkpoint::parse("garbage", b"key", 1).is_err());
    }

    fn cp(seq: i64, hash: &str) -> Checkpoint {
        Checkpoint {
            seq,
            hash: hash.into(),
            at: at(),
        }
    }

    #[test]
    fn truncation_and_rewriting_are_named_from_the_right_row() {
        let checkpoints = vec![cp(5, "h5"), cp(2, "h2"), cp(8, "h8")];
        // Intact.
        let mut v = AnchorVerifier::new(checkpoints.clone());
        for seq in 1..=9 {
            v.check(seq, &format!("h{seq}")).unwrap();
        }
        v.finish().unwrap();
        // The newest rows cut off after 6.
        let mut v = AnchorVerifier::new(checkpoints.clone());
        for seq in 1..=6 {
            v.check(seq, &format!("h{seq}")).unwrap();
        }
        let cut = v.finish().unwrap_err();
        assert_eq!(
            cut,
            AnchorBreak::Truncated {
                checkpoint: 8,
                last: 6
            }
        );
        assert!(cut.to_string().contains("通番 7 以降が削除"));
        // A row deleted after 2 and the chain recomputed: 5 no longer matches.
        let mut v = AnchorVerifier::new(checkpoints);
        let mut outcome = Ok(());
        for seq in 1..=8 {
            let hash = if seq <= 3 {
                format!("h{seq}")
            } else {
                format!("x{seq}")
            };
            outcome = v.check(seq, &hash);
            if outcome.is_err() {
                break;
            }
        }
        let rewritten = outcome.unwrap_err();
        assert_eq!(
            rewritten,
            AnchorBreak::Rewritten {
                checkpoint: 5,
                matched: Some(2)
            }
        );
        assert!(
            rewritten.to_string().contains("通番 3 から 5 の間"),
            "{rewritten}"
        );
    }
}
