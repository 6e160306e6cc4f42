//! 事業実績 as stored: what one 年度 holds, counted in SQL (grouped rows, never
//! the records themselves), for the application to shape into the report.

use chrono::NaiveDate;
use tsunagaru_domain::case::MeetingKind;
use tsunagaru_domain::handoff::{HandoffState, Purpose};
use tsunagaru_domain::intake::{Concern, Method, Urgency};

/// Whose work a report counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    /// The whole city (city staff, the 事務局).
    City,
    /// These agencies' own work.
    Agencies(Vec<i64>),
}

impl ReportScope {
    /// ` AND {column} IN (…)` for an agency scope (ids are integers, so the
    /// list is safe to write into the SQL); empty for the city.
    pub fn clause(&self, column: &str) -> String {
        match self {
            ReportScope::City => String::new(),
            ReportScope::Agencies(ids) if ids.is_empty() => " AND 1 = 0".to_owned(),
            ReportScope::Agencies(ids) => format!(
                " AND {column} IN ({})",
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Consultations received on one day, by method and 受付機関.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsultationDay {
    pub received_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub method: Method,
    pub agency_id: i64,
    pub count: i64,
}

/// One 相談内容: on how many sheets it was marked (○) and marked main (◎).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConcernCount {
    #[sqlx(try_from = "String")]
    pub code: Concern,
    pub any: i64,
    pub main: i64,
}

/// A count by a text key (sex, town, kind, menu …); `None` when not recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyCount {
    pub key: Option<String>,
    pub count: i64,
}

/// Consultations and persons of a span grouped by the person's sex, town
/// and age band.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonGroup {
    pub sex: Option<String>,
    pub town: Option<String>,
    pub band: Option<i64>,
    pub consultations: i64,
    pub persons: i64,
}

/// A handoff sent in the 年度, with the days its loop took.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HandoffFact {
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    pub to_agency_id: i64,
    #[sqlx(try_from = "String")]
    pub state: HandoffState,
    #[sqlx(try_from = "String")]
    pub urgency: Urgency,
    pub sent_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub reported_on: Option<NaiveDate>,
}

/// A meeting held in the 年度, with the cases on its agenda.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingFact {
    #[sqlx(try_from = "String")]
    pub kind: MeetingKind,
    pub starts_at: chrono::NaiveDateTime,
    pub cases: i64,
}

/// What one 年度 holds, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnnualFigures {
    pub consultation_days: Vec<ConsultationDay>,
    /// 実人数: distinct persons with a consultation in the 年度.
    pub consultation_persons: i64,
    pub concerns: Vec<ConcernCount>,
    /// Consultations by the person's sex, and by the town of their address.
    pub by_sex: Vec<KeyCount>,
    pub by_town: Vec<KeyCount>,
    /// Consultations by the person's age (満年齢 on their first consultation
    /// of the span; `None` without a birth date) in bands of ten years: key
    /// `0`, `10` …
    pub by_age_band: Vec<KeyCount>,
    pub handoffs: Vec<HandoffFact>,
    pub cases_opened: i64,
    /// Cases ended in the 年度 by their state (closed, returned).
    pub cases_ended: Vec<KeyCount>,
    pub cases_open_at_end: i64,
    /// The 終結時評価 of the cases closed in the span (cases are few: read
    /// whole, one row each).
    pub closures: Vec<tsunagaru_domain::plan::Closure>,
    /// Cases that entered モニタリング in the span.
    pub cases_monitored: i64,
    /// Plans agreed in the 年度: first versions, and later ones (再プラン).
    pub plans_agreed_first: i64,
    pub plans_agreed_again: i64,
    pub meetings: Vec<MeetingFact>,
    pub outreach_targets: i64,
    pub outreach_attempts: i64,
    pub outreach_connected: i64,
    pub matches: i64,
    pub matched_persons: i64,
    pub matches_by_menu: Vec<KeyCount>,
    /// Persons still taking part at the 年度's last day (定着).
    pub retained: i64,
    /// 受け入れ先 (協力事業者) of the menus matched in the 年度.
    pub hosts: i64,
    /// Community resources (拠点) open at the 年度's last day, by kind.
    pub resources_by_kind: Vec<KeyCount>,
    /// 拠点 opened (開設) and closed (廃止) in the 年度.
    pub resources_opened: i64,
    pub resources_closed: i64,
    pub events_held: i64,
    /// 参加者数 over the events that counted them.
    pub event_participants: i64,
    pub event_consultations: i64,
    /// Distinct organisations that attended the 年度's events.
    pub event_organisations: i64,
    /// 研修会・意見交換会 held, by kind.
    pub trainings_by_kind: Vec<KeyCount>,
    /// Distinct agencies and 関係各課 that took part in them.
    pub training_agencies: i64,
}

/// A 研修会・意見交換会 to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTraining {
    pub kind: tsunagaru_domain::reach::TrainingKind,
    pub held_on: NaiveDate,
    pub theme: String,
    pub note: String,
    pub agency_ids: Vec<i64>,
    pub created_by: i64,
}

/// A 研修会・意見交換会 as stored, with the number of agencies that took part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct TrainingRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: tsunagaru_domain::reach::TrainingKind,
    pub held_on: NaiveDate,
    pub theme: String,
    pub note: String,
    pub agencies: i64,
}
