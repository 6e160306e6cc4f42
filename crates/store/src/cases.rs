//! 多機関協働 as stored: cases, plan versions, meetings and tasks.

use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use tsunagaru_domain::case::{AgendaSubject, AttendeeRole, CaseState, MeetingKind, Topic};
use tsunagaru_domain::plan::{Assessment, Closure, Plan, TaskState};
use tsunagaru_domain::report::FiscalYear;

#[derive(Debug, Clone)]
pub struct NewCase {
    pub consultation_id: i64,
    pub person_id: i64,
    /// The consultation's 受付機関.
    pub origin_agency_id: i64,
    /// The 事務局 agency of the 多機関協働 team.
    pub secretariat_agency_id: i64,
    pub lead_user_id: i64,
    pub opened_on: NaiveDate,
    pub opened_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub consultation_id: i64,
    pub person_id: i64,
    pub origin_agency_id: i64,
    pub secretariat_agency_id: i64,
    pub lead_user_id: i64,
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    pub opened_on: NaiveDate,
    pub assessment: Option<String>,
    pub assessment_at: Option<DateTime<Utc>>,
    pub consent_on: Option<NaiveDate>,
    pub consent_by: Option<String>,
    pub closure: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub return_agency_id: Option<i64>,
    pub return_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closure_meeting_id: Option<i64>,
    pub closure_decision_id: Option<i64>,
    pub return_handoff_id: Option<i64>,
}

/// A case as stored, with the agencies involved in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: i64,
    pub consultation_id: i64,
    pub person_id: i64,
    pub origin_agency_id: i64,
    pub secretariat_agency_id: i64,
    pub lead_user_id: i64,
    pub state: CaseState,
    pub opened_on: NaiveDate,
    pub assessment: Option<Assessment>,
    /// When the アセスメント was last saved (its version, [`crate::version_of`]).
    pub assessment_at: Option<DateTime<Utc>>,
    /// 本人同意 recorded on the case (after the intake).
    pub consent_on: Option<NaiveDate>,
    pub consent_by: Option<String>,
    pub closure: Option<Closure>,
    pub closed_on: Option<NaiveDate>,
    pub return_agency_id: Option<i64>,
    pub return_reason: Option<String>,
    /// The よりそい会議 where the 終結 was agreed, and its decision.
    pub closure_meeting_id: Option<i64>,
    pub closure_decision_id: Option<i64>,
    /// The handoff that took the case back to the agency (戻り).
    pub return_handoff_id: Option<i64>,
    /// 受付機関, 事務局 and the agencies with a role in an agreed plan.
    pub agency_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Case {
    pub fn from_row(r: CaseRow, agency_ids: Vec<i64>) -> Case {
        Case {
            id: r.id,
            consultation_id: r.consultation_id,
            person_id: r.person_id,
            origin_agency_id: r.origin_agency_id,
            secretariat_agency_id: r.secretariat_agency_id,
            lead_user_id: r.lead_user_id,
            state: r.state,
            opened_on: r.opened_on,
            assessment: r.assessment.and_then(|a| serde_json::from_str(&a).ok()),
            assessment_at: r.assessment_at,
            consent_on: r.consent_on,
            consent_by: r.consent_by,
            closure: r.closure.and_then(|c| serde_json::from_str(&c).ok()),
            closed_on: r.closed_on,
            return_agency_id: r.return_agency_id,
            return_reason: r.return_reason,
            closure_meeting_id: r.closure_meeting_id,
            closure_decision_id: r.closure_decision_id,
            return_handoff_id: r.return_handoff_id,
            agency_ids,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One change of a case, taken only if the case is still in `from_state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    pub from_state: CaseState,
    pub to_state: CaseState,
    /// The step's code (assess, plan, monitor, resume, close, return, consent).
    pub step: String,
    pub user_id: i64,
    pub on: NaiveDate,
    pub assessment: Option<Assessment>,
    /// With an assessment: the version it was edited from; a save since by
    /// someone else refuses the change (`Stale::Assessment`).
    pub assessment_version: Option<String>,
    pub consent: Option<(NaiveDate, String)>,
    pub closure: Option<Closure>,
    /// The よりそい会議 and its decision where the 終結 was agreed.
    pub closure_meeting: Option<(i64, i64)>,
    pub returned_to: Option<(i64, String)>,
    /// 戻り: the handoff to the agency, sent in the same transaction.
    pub return_handoff: Option<crate::NewHandoff>,
    /// The case's open tasks end with this reason (終結・戻り).
    pub end_tasks: Option<String>,
}

impl CaseChange {
    pub fn new(
        from: CaseState,
        to: CaseState,
        step: &str,
        user_id: i64,
        on: NaiveDate,
    ) -> CaseChange {
        CaseChange {
            from_state: from,
            to_state: to,
            step: step.into(),
            user_id,
            on,
            assessment: None,
            assessment_version: None,
            consent: None,
            closure: None,
            closure_meeting: None,
            returned_to: None,
            return_handoff: None,
            end_tasks: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseEvent {
    pub case_id: i64,
    pub user_id: i64,
    pub at: DateTime<Utc>,
    pub step: String,
    pub state: String,
    pub detail: Option<String>,
    /// The meeting the event comes from, if any.
    pub meeting_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub case_id: i64,
    pub version: i64,
    pub body: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub agreed_meeting_id: Option<i64>,
    pub agreed_on: Option<NaiveDate>,
}

/// One version of a case's 支援プラン: a draft until agreed at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanVersion {
    pub id: i64,
    pub case_id: i64,
    pub version: i64,
    pub plan: Plan,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub agreed_meeting_id: Option<i64>,
    pub agreed_on: Option<NaiveDate>,
}

impl PlanVersion {
    /// Rows whose body no longer reads are skipped by the caller.
    pub fn from_row(r: PlanRow) -> Option<PlanVersion> {
        Some(PlanVersion {
            plan: serde_json::from_str(&r.body).ok()?,
            id: r.id,
            case_id: r.case_id,
            version: r.version,
            created_by: r.created_by,
            created_at: r.created_at,
            agreed_meeting_id: r.agreed_meeting_id,
            agreed_on: r.agreed_on,
        })
    }

    pub fn is_agreed(&self) -> bool {
        self.agreed_meeting_id.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub created_by: i64,
    /// The creator is a member whether listed or not.
    pub member_user_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub created_by: i64,
    pub minutes: String,
    pub minutes_by: Option<i64>,
    pub minutes_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MeetingMember {
    pub user_id: i64,
    /// 守秘義務の確認, for a 支援会議.
    pub pledged_at: Option<DateTime<Utc>>,
    /// 出席 / 欠席 (`None`: not recorded yet).
    pub attended: Option<bool>,
}

/// Someone at the meeting who is not a user (本人, family, 民生委員 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MeetingAttendee {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: AttendeeRole,
    pub organisation: String,
    pub attended: bool,
    pub added_by: i64,
    pub added_at: DateTime<Utc>,
}

/// A plan in force whose 次回見直し日 is near or passed, for the 事務局.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReviewDuePlan {
    pub case_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub version: i64,
    pub next_review_on: NaiveDate,
}

/// An item of a meeting's agenda: a case or a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub id: i64,
    pub subject: AgendaSubject,
    /// The consultation the person of the item later came to.
    pub consultation_id: Option<i64>,
    pub position: i64,
    pub added_by: i64,
    pub added_at: DateTime<Utc>,
}

impl AgendaItem {
    pub fn case_id(&self) -> Option<i64> {
        match self.subject {
            AgendaSubject::Case(id) => Some(id),
            AgendaSubject::Topic(_) | AgendaSubject::Outreach { .. } => None,
        }
    }
}

/// An agenda row as stored; the table's CHECK keeps exactly one of case and topic.
#[derive(sqlx::FromRow)]
#[doc(hidden)]
pub struct AgendaRow {
    pub id: i64,
    pub case_id: Option<i64>,
    pub topic: Option<String>,
    pub fiscal_year: Option<i64>,
    pub outreach_target_id: Option<i64>,
    pub consultation_id: Option<i64>,
    pub position: i64,
    pub added_by: i64,
    pub added_at: DateTime<Utc>,
}

impl TryFrom<AgendaRow> for AgendaItem {
    type Error = StoreError;
    fn try_from(r: AgendaRow) -> Result<AgendaItem, StoreError> {
        let subject = match (r.case_id, r.topic) {
            (Some(case_id), None) => AgendaSubject::Case(case_id),
            (None, Some(situation)) if r.outreach_target_id.is_some() => AgendaSubject::Outreach {
                target_id: r.outreach_target_id.expect("checked"),
                situation,
            },
            (None, Some(title)) => AgendaSubject::Topic(Topic {
                title,
                fiscal_year: match r.fiscal_year {
                    None => None,
                    Some(y) => Some(i32::try_from(y).ok().and_then(FiscalYear::new).ok_or_else(
                        || StoreError::Database(format!("agenda item {}: 年度 {y}", r.id)),
                    )?),
                },
            }),
            _ => {
                return Err(StoreError::Database(format!(
                    "agenda item {} is neither a case nor a topic",
                    r.id
                )));
            }
        };
        Ok(AgendaItem {
            id: r.id,
            subject,
            consultation_id: r.consultation_id,
            position: r.position,
            added_by: r.added_by,
            added_at: r.added_at,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub meeting_id: i64,
    pub case_id: Option<i64>,
    /// The topic it was decided on, if it was.
    pub agenda_item_id: Option<i64>,
    pub text: String,
    /// The plan version this decision agreed, if it did.
    pub agreed_plan_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// A meeting with its members, agenda and decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub row: MeetingRow,
    pub members: Vec<MeetingMember>,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<Decision>,
    pub attendees: Vec<MeetingAttendee>,
}

impl Meeting {
    pub fn member(&self, user_id: i64) -> Option<&MeetingMember> {
        self.members.iter().find(|m| m.user_id == user_id)
    }
}

/// A task for an agency: from an agreed plan or a meeting's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub agency_id: i64,
    pub title: String,
    pub due_on: Option<NaiveDate>,
}

/// Agreeing a plan version at a meeting: the plan's tasks go live, the
/// agencies with a role join the case and a case in プラン作成 moves to 支援中.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAgreement {
    pub plan_id: i64,
    pub agreed_on: NaiveDate,
    pub tasks: Vec<NewTask>,
    pub agency_ids: Vec<i64>,
    /// `(from, to)` when the case's state moves.
    pub case_state: Option<(CaseState, CaseState)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    pub meeting_id: i64,
    pub case_id: Option<i64>,
    /// A topic of the meeting's agenda.
    pub agenda_item_id: Option<i64>,
    pub text: String,
    pub created_by: i64,
    pub task: Option<NewTask>,
    pub agreement: Option<PlanAgreement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub case_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub decision_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub agency_id: i64,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    /// open, done, superseded (by a newer agreed plan)
    #[sqlx(try_from = "String")]
    pub state: TaskState,
    pub done_on: Option<NaiveDate>,
    pub done_by: Option<i64>,
    /// When it was marked done (the undo window runs from here).
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Why the task ended without being done (終結・戻り).
    pub end_reason: Option<String>,
}

/// Case data as the JSON text stored in its column.
#[doc(hidden)]
pub fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("case data serializes")
}
