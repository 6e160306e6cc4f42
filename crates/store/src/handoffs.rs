//! 引継ぎ as stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tsunagaru_domain::handoff::{HandoffState, HandoffStep, Purpose};
use tsunagaru_domain::intake::Urgency;

/// 受付機関からの連絡事項.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct HandoffNotes {
    /// すでに対応したこと
    pub done: String,
    /// 現在対応していること
    pub doing: String,
    /// 今後対応を予定していること
    pub planned: String,
    /// 受付機関としての困りごと
    pub difficulties: String,
    /// その他
    pub other: String,
    /// 引継機関に対応してもらいたいこと
    pub requests: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHandoff {
    pub consultation_id: i64,
    pub person_id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    pub purpose: Purpose,
    pub continue_at_origin: bool,
    pub urgency: Urgency,
    pub told_contact_name: Option<String>,
    pub told_contact_phone: Option<String>,
    pub notes: HandoffNotes,
    /// Share household members who did not consent, and why (audited).
    pub consent_override_reason: Option<String>,
    /// Shared although 本人's 同意 is 無 or 不明: the reason confirmed.
    pub self_consent_reason: Option<String>,
    /// 相談受付者の電話 (No.3).
    pub sender_phone: Option<String>,
    pub sent_on: NaiveDate,
    pub sent_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HandoffRow {
    pub id: i64,
    pub consultation_id: i64,
    pub person_id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    pub continue_at_origin: bool,
    #[sqlx(try_from = "String")]
    pub urgency: Urgency,
    pub told_contact_name: Option<String>,
    pub told_contact_phone: Option<String>,
    pub notes: String,
    pub consent_override_reason: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: HandoffState,
    pub sent_on: NaiveDate,
    pub sent_by: i64,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<i64>,
    pub response: Option<String>,
    pub reported_on: Option<NaiveDate>,
    pub reported_by: Option<i64>,
    pub report_received_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
    pub suggested_agency_id: Option<i64>,
    pub withdraw_reason: Option<String>,
    /// Shared although 本人's 同意 is 無 or 不明: the reason confirmed.
    pub self_consent_reason: Option<String>,
    /// 電話 of each side, as the paper No.3 has them: 相談受付者 (sending),
    /// 相談引継者 (at 受領), the 引継者 reporting, and the 受付者 who
    /// received the report (who, and their phone).
    pub sender_phone: Option<String>,
    pub receiver_phone: Option<String>,
    pub reporter_phone: Option<String>,
    pub report_received_by: Option<i64>,
    pub report_receiver_phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A handoff as stored, its notes decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handoff {
    pub id: i64,
    pub consultation_id: i64,
    pub person_id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    pub purpose: Purpose,
    pub continue_at_origin: bool,
    pub urgency: Urgency,
    pub told_contact_name: Option<String>,
    pub told_contact_phone: Option<String>,
    pub notes: HandoffNotes,
    pub consent_override_reason: Option<String>,
    pub state: HandoffState,
    pub sent_on: NaiveDate,
    pub sent_by: i64,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<i64>,
    pub response: Option<String>,
    pub reported_on: Option<NaiveDate>,
    pub reported_by: Option<i64>,
    pub report_received_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
    pub suggested_agency_id: Option<i64>,
    pub withdraw_reason: Option<String>,
    /// Shared although 本人's 同意 is 無 or 不明: the reason confirmed.
    pub self_consent_reason: Option<String>,
    /// 電話 of each side, as the paper No.3 has them: 相談受付者 (sending),
    /// 相談引継者 (at 受領), the 引継者 reporting, and the 受付者 who
    /// received the report (who, and their phone).
    pub sender_phone: Option<String>,
    pub receiver_phone: Option<String>,
    pub reporter_phone: Option<String>,
    pub report_received_by: Option<i64>,
    pub report_receiver_phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<HandoffRow> for Handoff {
    fn from(r: HandoffRow) -> Self {
        Handoff {
            id: r.id,
            consultation_id: r.consultation_id,
            person_id: r.person_id,
            from_agency_id: r.from_agency_id,
            to_agency_id: r.to_agency_id,
            purpose: r.purpose,
            continue_at_origin: r.continue_at_origin,
            urgency: r.urgency,
            told_contact_name: r.told_contact_name,
            told_contact_phone: r.told_contact_phone,
            notes: serde_json::from_str(&r.notes).unwrap_or_default(),
            consent_override_reason: r.consent_override_reason,
            state: r.state,
            sent_on: r.sent_on,
            sent_by: r.sent_by,
            received_on: r.received_on,
            received_by: r.received_by,
            response: r.response,
            reported_on: r.reported_on,
            reported_by: r.reported_by,
            report_received_on: r.report_received_on,
            return_reason: r.return_reason,
            suggested_agency_id: r.suggested_agency_id,
            withdraw_reason: r.withdraw_reason,
            self_consent_reason: r.self_consent_reason,
            sender_phone: r.sender_phone,
            receiver_phone: r.receiver_phone,
            reporter_phone: r.reporter_phone,
            report_received_by: r.report_received_by,
            report_receiver_phone: r.report_receiver_phone,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One step taken on a handoff, with what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffUpdate {
    /// The state the step starts from; the update fails if it changed meanwhile.
    pub from_state: HandoffState,
    pub to_state: HandoffState,
    pub step: HandoffStep,
    pub user_id: i64,
    pub on: NaiveDate,
    /// 対応状況・方針 (report), reason (return, withdraw).
    pub text: Option<String>,
    pub suggested_agency_id: Option<i64>,
    /// The phone of whoever takes the step (受領, 報告, 報告の受取).
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HandoffEvent {
    pub handoff_id: i64,
    pub user_id: i64,
    pub at: DateTime<Utc>,
    /// `send`, or the code of the step taken.
    pub step: String,
    #[sqlx(try_from = "String")]
    pub state: HandoffState,
    pub detail: Option<String>,
}

/// Which side of handoffs to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffBox {
    /// 届いた引継ぎ: to the agencies.
    Inbox,
    /// 送った引継ぎ: from the agencies.
    Outbox,
}

/// The handoff states that do not make the receiver involved
/// (`HandoffState::involves_receiver`), as an SQL list of codes.
pub fn states_not_involving_receiver() -> String {
    tsunagaru_domain::handoff::HandoffState::ALL
        .into_iter()
        .filter(|s| !s.involves_receiver())
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}
