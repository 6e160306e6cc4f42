//! The one error of the application. Each adapter turns it into its answer
//! in one place (`From<AppError>`): 404 page or JSON, 403, 422 with the field
//! errors, 409 with the reason.

pub use tsunagaru_domain::intake::FieldError;
use tsunagaru_store::StoreError;

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
            StoreError::Conflict(message) => AppError::Conflict(message),
            other => AppError::Internal(other.to_string()),
        }
    }
}
