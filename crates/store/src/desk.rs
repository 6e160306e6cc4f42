//! The worker's desk: what one user has in hand and what came to their
//! agencies. Rows only; who may see each is the application's rule.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Case, Handoff};

/// A sheet the user took that is still in hand: a handoff from it is open
/// or was returned, a case from it is open, or it is recent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeskSheet {
    pub consultation_id: i64,
    pub person_id: i64,
    pub agency_id: i64,
    pub received_on: NaiveDate,
    /// Handoffs from the sheet still on their way (送付済 … 報告済).
    pub open_handoffs: i64,
    /// Handoffs from the sheet the receiver returned (差戻し), not yet re-sent.
    pub returned_handoffs: i64,
    /// The open case (多機関協働) the sheet led to.
    pub open_case_id: Option<i64>,
}

/// What one user has in hand.
#[derive(Debug, Clone, Default)]
pub struct DeskRows {
    /// Sheets they took, newest first.
    pub sheets: Vec<DeskSheet>,
    /// Handoffs they received (受領) and have not reported on yet.
    pub handoffs: Vec<Handoff>,
    /// Open cases they lead.
    pub cases: Vec<Case>,
}

/// A step of a handoff that concerns an agency on the other side: a handoff
/// sent to it, or a report or a 差戻し of one it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub at: DateTime<Utc>,
    /// `send`, `report` or `return`.
    pub step: String,
    pub handoff: Handoff,
}
