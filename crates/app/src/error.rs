//! The one error of the application. Each adapter turns it into its answer
//! in one place (`From<AppError>`): 404 page or JSON, 403, 422 with the field
//! errors, 409 with the reason.

pub use tsunagaru_domain::intake::FieldError;
use tsunagaru_store::{Conflict, Stale, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// Absent, or outside the actor's scope: the same answer for both, so that
    /// nothing shows that a record exists.
    #[error("見つかりません")]
    NotFound,
    /// The record is in scope but this action is not the actor's to take.
    #[error("{0}")]
    Forbidden(String),
    /// What was typed does not parse; every problem tied to its field.
    #[error("入力内容を確認してください")]
    Invalid(Vec<FieldError>),
    /// The record is not in a state that allows this (taken already, a race).
    #[error("{0}")]
    Conflict(String),
    /// A gate refused: the reason, and what may be used instead.
    #[error("{reason}")]
    Refused {
        reason: String,
        instead: Option<&'static str>,
    },
    /// A privileged action, and the user last proved who they are more than
    /// ten minutes ago: the password (or the second factor) again first.
    #[error(
        "この操作の前に、もう一度パスワードか確認コードを入力してください（前回の確認から{}分を過ぎています）",
        tsunagaru_domain::login::REAUTHENTICATION_MINUTES
    )]
    Reauthenticate,
    /// A failure of the system; the detail goes to the log, never to the user.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::Forbidden(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::Conflict(message.into())
    }

    /// A fault of the system, described for the log.
    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError::Internal(detail.into())
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => AppError::Conflict(conflict_message(&c)),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// What a user reads when what is stored refuses a write: the one place
/// the store's reasons are worded.
pub fn conflict_message(c: &Conflict) -> String {
    const RELOAD: &str = "画面を読み込み直してください";
    match c {
        Conflict::UsernameTaken(name) => format!("ユーザー名「{name}」は既に使われています"),
        Conflict::PersonGone => "選んだ相談対象者が見つかりません".into(),
        Conflict::SamePerson => "同じ相談対象者どうしは統合できません".into(),
        Conflict::MergeTargetGone => {
            "統合する相談対象者が見つからないか、すでに統合されています".into()
        }
        Conflict::NoMergeHistory => "この記録には統合の履歴がありません".into(),
        Conflict::NotMerged => "この記録は統合されていません".into(),
        Conflict::Stale(Stale::Person) => {
            format!("この相談対象者の保護の設定は他の利用者が先に変更しました。{RELOAD}")
        }
        Conflict::Stale(Stale::Handoff) => {
            format!("この引継ぎは他の利用者が先に更新しました。{RELOAD}")
        }
        Conflict::Stale(Stale::Case) => {
            format!("このケースは他の利用者が先に更新しました。{RELOAD}")
        }
        Conflict::Stale(Stale::OutreachTarget) => {
            format!("この対象者は他の利用者が先に更新しました。{RELOAD}")
        }
        Conflict::Stale(Stale::Minutes) => {
            "議事録は、開いた後に他の利用者が保存しました。保存された内容と入力した内容を見比べて、まとめてから保存してください".into()
        }
        Conflict::Stale(Stale::Contact) => {
            "連絡先は、開いた後に他の管理者が変更しました。いまの内容を確かめてから保存してください".into()
        }
        Conflict::Stale(Stale::Assessment) => {
            "アセスメントは、開いた後に他の利用者が保存しました。保存された内容と入力した内容を見比べて、まとめてから保存してください".into()
        }
        Conflict::Stale(Stale::Plan) => {
            "支援プランは、開いた後に他の利用者が新しい版を保存しました。保存された版と入力した内容を見比べて、まとめてから保存してください".into()
        }
        Conflict::Stale(Stale::PersonRecord) => {
            "基本情報は、開いた後に他の利用者が変更しました。変更された内容と入力した内容を見比べてから保存してください".into()
        }
        Conflict::CaseAlreadyOpen { case_id } => {
            format!("この相談にはすでにケース（ID {case_id}）があります")
        }
        Conflict::NoSuchMember => "その家族は受付シートにありません".into(),
        Conflict::NotAMeetingMember => "この会議の構成員ではありません".into(),
        Conflict::AlreadyOnAgenda => "このケースはすでにこの会議の議題です".into(),
        Conflict::PlanAlreadyAgreed => "この支援プランはすでに合意されています".into(),
        Conflict::TaskClosed => {
            "このタスクはすでに完了しているか、新しいプランに置き換わりました".into()
        }
        Conflict::TaskUndoExpired => format!(
            "完了を取り消せるのは、完了にした本人が{}分以内に行う場合だけです",
            tsunagaru_domain::case::TASK_UNDO_MINUTES
        ),
        Conflict::TargetClosed => {
            "このアウトリーチ対象者は、すでに相談につながったか終了しています".into()
        }
        Conflict::MenuGone => "支援メニューが見つかりません".into(),
        Conflict::MenuFull => "このメニューは定員に達しています".into(),
        Conflict::AlreadyParticipating => "この人はすでにこのメニューに参加しています".into(),
        Conflict::ParticipationEnded => "この参加は終了しています".into(),
        Conflict::AlreadyLinked => "この相談はすでにこの相談会に結びついています".into(),
        Conflict::ResourceClosed => "この拠点はすでに廃止として記録されています".into(),
        Conflict::ConsultationVoided => "この受付シートは取り消されています".into(),
    }
}
