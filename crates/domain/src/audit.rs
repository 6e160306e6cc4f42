//! The audit log: append-only events, each hash-chained to the one before.
//!
//! `hash = SHA-256(prev_hash ‖ seq ‖ at ‖ actor ‖ action ‖ record ‖ detail)`
//! over a length-prefixed encoding, so no two different events encode alike.
//! Editing any stored field, deleting a row or reordering rows breaks the
//! chain, and [`verify_chain`] names the first event that does not fit.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first event chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. Stored as its code; the log keeps codes it does not know
/// (from newer versions) and verifies them all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    LoginLocked,
    Logout,
    UserCreated,
    UserUpdated,
    /// An administrator lifted a sign-in lock.
    LockLifted,
    /// An administrator ended a user's sessions.
    SessionsEnded,
    /// A user was shown a new second-factor secret to enrol.
    TotpEnrolmentBegun,
    /// A user confirmed a second factor (and received recovery codes).
    TotpEnrolled,
    /// An administrator removed a user's second factor.
    TotpReset,
    /// A user proved who they are again before a privileged action.
    Reauthenticated,
    /// A repeated request (the same idempotency key) was given the kept answer.
    RequestReplayed,
    AdminBootstrapped,
    PackLoaded,
    ContactChanged,
    AuditLogViewed,
    ConsultationCreated,
    /// Intakes written together from the command line (a data migration,
    /// or a synthetic data set): one event per batch.
    IntakesImported,
    ConsultationCorrected,
    ConsultationVoided,
    ConsultationViewed,
    ConsultationPrinted,
    PersonViewed,
    PersonSearched,
    NoteAdded,
    ProtectionChanged,
    PersonsMerged,
    PersonUpdated,
    PersonsUnmerged,
    HandoffSent,
    HandoffViewed,
    HandoffStep,
    HandoffsListed,
    CaseOpened,
    CaseViewed,
    CasesListed,
    CaseUpdated,
    PlanSaved,
    MeetingScheduled,
    MeetingViewed,
    MeetingPrinted,
    MeetingPledged,
    AgendaAdded,
    AgendaRefused,
    /// An agenda item linked to the consultation its person came to.
    AgendaLinked,
    MinutesSaved,
    /// 出席 / 欠席 of a member, or an attendee who is not a user.
    AttendanceRecorded,
    DecisionRecorded,
    TaskCompleted,
    TaskReopened,
    DeskViewed,
    ConsentChanged,
    OutreachRecorded,
    OutreachViewed,
    ParticipationRecorded,
    ParticipationViewed,
    CommunityRecorded,
    CommunityViewed,
    /// 事業実績 read (on screen, JSON or a download).
    ReportViewed,
    /// A consistent copy of the database taken (`tsunagaru backup`).
    BackupCreated,
    /// A database restored from a backup, after its checks (`tsunagaru restore`).
    BackupRestored,
    TrainingRecorded,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "login_succeeded",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::LoginLocked => "login_locked",
            AuditAction::Logout => "logout",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserUpdated => "user_updated",
            AuditAction::LockLifted => "lock_lifted",
            AuditAction::SessionsEnded => "sessions_ended",
            AuditAction::TotpEnrolmentBegun => "totp_enrolment_begun",
            AuditAction::TotpEnrolled => "totp_enrolled",
            AuditAction::TotpReset => "totp_reset",
            AuditAction::Reauthenticated => "reauthenticated",
            AuditAction::RequestReplayed => "request_replayed",
            AuditAction::AdminBootstrapped => "admin_bootstrapped",
            AuditAction::PackLoaded => "pack_loaded",
            AuditAction::ContactChanged => "contact_changed",
            AuditAction::AuditLogViewed => "audit_log_viewed",
            AuditAction::ConsultationCreated => "consultation_created",
            AuditAction::IntakesImported => "intakes_imported",
            AuditAction::ConsultationCorrected => "consultation_corrected",
            AuditAction::ConsultationVoided => "consultation_voided",
            AuditAction::ConsultationViewed => "consultation_viewed",
            AuditAction::ConsultationPrinted => "consultation_printed",
            AuditAction::PersonViewed => "person_viewed",
            AuditAction::PersonSearched => "person_searched",
            AuditAction::NoteAdded => "note_added",
            AuditAction::ProtectionChanged => "protection_changed",
            AuditAction::PersonsMerged => "persons_merged",
            AuditAction::PersonUpdated => "person_updated",
            AuditAction::PersonsUnmerged => "persons_unmerged",
            AuditAction::HandoffSent => "handoff_sent",
            AuditAction::HandoffViewed => "handoff_viewed",
            AuditAction::HandoffStep => "handoff_step",
            AuditAction::HandoffsListed => "handoffs_listed",
            AuditAction::CaseOpened => "case_opened",
            AuditAction::CaseViewed => "case_viewed",
            AuditAction::CasesListed => "cases_listed",
            AuditAction::CaseUpdated => "case_updated",
            AuditAction::PlanSaved => "plan_saved",
            AuditAction::MeetingScheduled => "meeting_scheduled",
            AuditAction::MeetingViewed => "meeting_viewed",
            AuditAction::MeetingPrinted => "meeting_printed",
            AuditAction::MeetingPledged => "meeting_pledged",
            AuditAction::AgendaAdded => "agenda_added",
            AuditAction::AgendaRefused => "agenda_refused",
            AuditAction::AgendaLinked => "agenda_linked",
            AuditAction::MinutesSaved => "minutes_saved",
            AuditAction::AttendanceRecorded => "attendance_recorded",
            AuditAction::DecisionRecorded => "decision_recorded",
            AuditAction::TaskCompleted => "task_completed",
            AuditAction::TaskReopened => "task_reopened",
            AuditAction::DeskViewed => "desk_viewed",
            AuditAction::ConsentChanged => "consent_changed",
            AuditAction::OutreachRecorded => "outreach_recorded",
            AuditAction::OutreachViewed => "outreach_viewed",
            AuditAction::ParticipationRecorded => "participation_recorded",
            AuditAction::ParticipationViewed => "participation_viewed",
            AuditAction::CommunityRecorded => "community_recorded",
            AuditAction::ReportViewed => "report_viewed",
            AuditAction::BackupCreated => "backup_created",
            AuditAction::BackupRestored => "backup_restored",
            AuditAction::TrainingRecorded => "training_recorded",
            AuditAction::CommunityViewed => "community_viewed",
        }
    }

    /// Japanese label for the audit screen; unknown codes show as themselves.
    pub fn label_of(code: &str) -> &str {
        match code {
            "login_succeeded" => "ログイン",
            "login_failed" => "ログイン失敗",
            "login_locked" => "ログイン停止（連続失敗）",
            "logout" => "ログアウト",
            "user_created" => "ユーザー作成",
            "user_updated" => "ユーザー変更",
            "lock_lifted" => "ログイン停止の解除",
            "sessions_ended" => "セッションの終了",
            "totp_enrolment_begun" => "確認コード（二要素認証）の設定開始",
            "totp_enrolled" => "確認コード（二要素認証）の設定",
            "totp_reset" => "確認コード（二要素認証）の解除",
            "reauthenticated" => "再認証",
            "request_replayed" => "同じ送信への同じ応答（二重送信の防止）",
            "admin_bootstrapped" => "初期管理者作成",
            "pack_loaded" => "自治体パック読込",
            "contact_changed" => "機関の連絡先の変更",
            "audit_log_viewed" => "監査ログ閲覧",
            "consultation_created" => "相談受付",
            "intakes_imported" => "受付の一括登録（コマンド）",
            "consultation_viewed" => "受付シート閲覧",
            "consultation_printed" => "受付シート印刷",
            "person_viewed" => "相談対象者の閲覧",
            "person_searched" => "相談対象者の検索",
            "note_added" => "支援経過記録の追加",
            "protection_changed" => "保護設定の変更",
            "persons_merged" => "相談対象者の統合",
            "person_updated" => "相談対象者の基本情報の変更",
            "persons_unmerged" => "相談対象者の統合の取り消し",
            "handoff_sent" => "引継ぎの送付",
            "handoff_viewed" => "引継ぎの閲覧",
            "handoff_step" => "引継ぎの手続き",
            "handoffs_listed" => "引継ぎ一覧の閲覧",
            "case_opened" => "ケースの開始",
            "case_viewed" => "ケースの閲覧",
            "cases_listed" => "ケース一覧の閲覧",
            "case_updated" => "ケースの更新",
            "plan_saved" => "支援プランの作成",
            "meeting_scheduled" => "会議の予定登録",
            "meeting_viewed" => "会議資料の閲覧",
            "meeting_printed" => "会議次第・議事録の印刷",
            "meeting_pledged" => "守秘義務の確認",
            "agenda_added" => "議題の追加",
            "agenda_refused" => "議題の追加（同意なしで不可）",
            "agenda_linked" => "議題と相談のひも付け",
            "minutes_saved" => "議事録の保存",
            "attendance_recorded" => "出欠の記録",
            "decision_recorded" => "決定事項の記録",
            "task_completed" => "タスクの完了",
            "task_reopened" => "タスクの完了の取消",
            "desk_viewed" => "ホーム（自分の対応中の相談）の閲覧",
            "consent_changed" => "同意の変更",
            "outreach_recorded" => "アウトリーチの記録",
            "outreach_viewed" => "アウトリーチ対象者の閲覧",
            "participation_recorded" => "参加支援の記録",
            "participation_viewed" => "参加支援の閲覧",
            "community_recorded" => "地域づくりの記録",
            "community_viewed" => "行事と相談の閲覧",
            "report_viewed" => "事業実績の閲覧",
            "backup_created" => "バックアップの作成",
            "backup_restored" => "バックアップからの復元",
            "training_recorded" => "研修会・意見交換会の記録",
            other => other,
        }
    }
}

/// An event about to be appended: the store assigns `seq`, `at` and the hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// The user who acted, if signed in.
    pub actor_user_id: Option<i64>,
    /// Who acted, as written at the time: a username, or `system`.
    pub actor: String,
    pub action: AuditAction,
    /// The kind of record touched (`user`, `session`, `pack` …).
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    /// A short description without personal data (no names, no addresses).
    pub detail: String,
}

impl NewAuditEvent {
    pub fn new(action: AuditAction, actor: impl Into<String>) -> Self {
        NewAuditEvent {
            actor_user_id: None,
            actor: actor.into(),
            action,
            record_type: None,
            record_id: None,
            detail: String::new(),
        }
    }

    pub fn by_user(mut self, user_id: i64) -> Self {
        self.actor_user_id = Some(user_id);
        self
    }

    pub fn record(mut self, record_type: &str, record_id: impl ToString) -> Self {
        self.record_type = Some(record_type.to_owned());
        self.record_id = Some(record_id.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Seals the event as number `seq` after `prev_hash`.
    pub fn seal(self, seq: i64, at: DateTime<Utc>, prev_hash: &str) -> AuditEvent {
        let mut event = AuditEvent {
            seq,
            at: truncate_to_micros(at),
            actor_user_id: self.actor_user_id,
            actor: self.actor,
            action: self.action.code().to_owned(),
            record_type: self.record_type,
            record_id: self.record_id,
            detail: self.detail,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// 1, 2, 3 … with no gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let actor_user_id = self.actor_user_id.map(|id| id.to_string());
        let fields: [Option<&str>; 9] = [
            Some(&self.prev_hash),
            Some(&self.seq.to_string()),
            Some(&self.at.to_rfc3339_opts(SecondsFormat::Micros, true)),
            actor_user_id.as_deref(),
            Some(&self.actor),
            Some(&self.action),
            self.record_type.as_deref(),
            self.record_id.as_deref(),
            Some(&self.detail),
        ];
        for field in fields {
            match field {
                // "-" for absent, "<len>:<bytes>" for present: unambiguous.
                None => hasher.update(b"-"),
                Some(value) => {
                    hasher.update(value.len().to_string().as_bytes());
                    hasher.update(b":");
                    hasher.update(value.as_bytes());
                }
            }
        }
        hex::encode(hasher.finalize())
    }

    pub fn action_label(&self) -> &str {
        AuditAction::label_of(&self.action)
    }
}

/// Stored timestamps keep microseconds (PostgreSQL's precision); the hash is
/// computed over the stored value.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The first event that does not fit the chain, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("監査ログの改ざんを検出しました: 通番 {seq} — {reason}")]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// Walks events in `seq` order, carrying the state between pages, so a log of
/// any length is verified in constant memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainBreak> {
        let broken = |reason: &str| ChainBreak {
            seq: event.seq,
            reason: reason.to_owned(),
        };
        if event.seq != self.expected_seq {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!(
                    "通番 {} の行がありません（削除された可能性があります。次の行は通番 {}）",
                    self.expected_seq, event.seq
                ),
            });
        }
        if event.prev_hash != self.prev_hash {
            return Err(broken("直前の行のハッシュと一致しません"));
        }
        if event.compute_hash() != event.hash {
            return Err(broken(
                "行の内容がハッシュと一致しません（内容が変更されています）",
            ));
        }
        self.expected_seq += 1;
        self.prev_hash = event.hash.clone();
        Ok(())
    }

    /// Checks the end of the log against the head recorded apart from it, so
    /// that deleting the newest rows is detected too.
    pub fn finish(&self, head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        match head {
            None if last_seq == 0 => Ok(0),
            None => Err(ChainBreak {
                seq: last_seq,
                reason: "監査ログの先頭記録がありません".to_owned(),
            }),
            Some((seq, hash)) if seq == last_seq && hash == self.prev_hash => Ok(last_seq),
            Some((seq, _)) => Err(ChainBreak {
                seq: last_seq + 1,
                reason: format!(
                    "最後の行が通番 {last_seq} ですが、記録された末尾は通番 {seq} です（末尾の行が削除または変更されています）"
                ),
            }),
        }
    }
}

/// Verifies a whole chain held in memory.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    head: Option<(i64, &str)>,
) -> Result<i64, ChainBreak> {
    let mut verifier = ChainVerifier::default();
    for event in events {
        verifier.check(event)?;
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        let at = DateTime::from_timestamp(1_800_000_000, 123_456_789).unwrap();
        (1..=n)
            .map(|seq| {
                let event = NewAuditEvent::new(AuditAction::LoginFailed, "yamada")
                    .record("user", seq)
                    .seal(seq, at, &prev);
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    fn head(events: &[AuditEvent]) -> Option<(i64, &str)> {
        events.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain(5);
        assert_eq!(verify_chain(&events, head(&events)), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
    }

    #[test]
    fn an_edited_row_is_named() {
        let mut events = chain(5);
        let head_before = (events[4].seq, events[4].hash.clone());
        events[2].actor = "someone-else".into();
        let err = verify_chain(&events, Some((head_before.0, &head_before.1))).unwrap_err();
        assert_eq!(err.seq, 3);
    }

    #[test]
    fn a_deleted_row_is_named() {
        let mut events = chain(5);
        let head_before = (events[4].seq, events[4].hash.clone());
        events.remove(1);
        let err = verify_chain(&events, Some((head_before.0, &head_before.1))).unwrap_err();
        assert_eq!(err.seq, 2);
    }

    #[test]
    fn deleting_the_newest_row_is_detected_by_the_head() {
        let mut events = chain(5);
        let head_before = (events[4].seq, events[4].hash.clone());
        events.pop();
        let err = verify_chain(&events, Some((head_before.0, &head_before.1))).unwrap_err();
        assert_eq!(err.seq, 5);
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let a = NewAuditEvent::new(AuditAction::Logout, "x").seal(1, at, GENESIS_HASH);
        let b = NewAuditEvent::new(AuditAction::Logout, "x")
            .record("", "")
            .seal(1, at, GENESIS_HASH);
        assert_ne!(a.hash, b.hash);
    }
}
