//! アウトリーチ, 参加支援 and 地域づくり as stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tsunagaru_domain::reach::{
    ContactOutcome, ContactWay, EventKind, FollowUpKind, FoundVia, MatchState, OutreachStage,
    ResourceKind,
};

#[derive(Debug, Clone)]
pub struct NewTarget {
    /// The agency that works the target (the creator's).
    pub agency_id: i64,
    pub name: Option<String>,
    pub kana: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    pub description: String,
    pub found_via: FoundVia,
    pub found_via_detail: Option<String>,
    pub created_by: i64,
    pub created_on: NaiveDate,
}

/// An アウトリーチ target: a person or household, named or not yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OutreachTarget {
    pub id: i64,
    pub agency_id: i64,
    pub name: Option<String>,
    pub kana: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub found_via: FoundVia,
    pub found_via_detail: Option<String>,
    #[sqlx(try_from = "String")]
    pub stage: OutreachStage,
    pub consultation_id: Option<i64>,
    pub person_id: Option<i64>,
    pub created_by: i64,
    pub created_on: NaiveDate,
    pub last_contact_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attempt_count: i64,
}

impl OutreachTarget {
    /// The day contact was last tried (or the day it became known).
    pub fn last_touch(&self) -> NaiveDate {
        self.last_contact_on.unwrap_or(self.created_on)
    }
}

#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub target_id: i64,
    /// The stage the target was in when the attempt was typed: the store
    /// refuses the attempt if it changed meanwhile.
    pub from_stage: OutreachStage,
    pub on_date: NaiveDate,
    pub way: ContactWay,
    pub who: String,
    pub outcome: ContactOutcome,
    pub note: String,
    pub stage: OutreachStage,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OutreachAttempt {
    pub id: i64,
    pub target_id: i64,
    pub on_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub way: ContactWay,
    pub who: String,
    #[sqlx(try_from = "String")]
    pub outcome: ContactOutcome,
    pub note: String,
    #[sqlx(try_from = "String")]
    pub stage: OutreachStage,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewMenu {
    pub name: String,
    pub description: String,
    pub host: String,
    pub place: String,
    pub schedule: String,
    pub capacity: Option<i64>,
    pub suits: String,
    pub created_by: i64,
}

/// A 支援メニュー of 参加支援.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ParticipationMenu {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub description: String,
    pub host: String,
    pub host_agency_id: Option<i64>,
    pub place: String,
    pub schedule: String,
    pub capacity: Option<i64>,
    pub suits: String,
    /// The plan's section for a pack menu; 新たな社会資源 for one the 事務局 made.
    pub source: String,
    pub active: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewMatch {
    pub menu_id: i64,
    pub person_id: i64,
    pub case_id: Option<i64>,
    pub agency_id: i64,
    pub reasons: String,
    pub matched_on: NaiveDate,
    pub matched_by: i64,
    pub next_follow_up_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ParticipationMatch {
    pub id: i64,
    pub menu_id: i64,
    pub person_id: i64,
    pub case_id: Option<i64>,
    pub agency_id: i64,
    pub reasons: String,
    pub matched_on: NaiveDate,
    pub matched_by: i64,
    /// active, ended
    #[sqlx(try_from = "String")]
    pub state: MatchState,
    pub next_follow_up_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub match_id: i64,
    pub on_date: NaiveDate,
    pub kind: FollowUpKind,
    pub note: String,
    pub next_on: Option<NaiveDate>,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FollowUpRecord {
    pub id: i64,
    pub match_id: i64,
    pub on_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub kind: FollowUpKind,
    pub note: String,
    pub next_on: Option<NaiveDate>,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
}

/// 受け入れ先への支援.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HostSupport {
    pub id: i64,
    pub menu_id: i64,
    pub on_date: NaiveDate,
    pub note: String,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewResource {
    pub name: String,
    pub kind: ResourceKind,
    pub description: String,
    pub address: Option<String>,
    pub schedule: String,
    pub operator: String,
    pub audience: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 開設日.
    pub opened_on: NaiveDate,
    pub created_by: i64,
}

/// A 拠点's 廃止: the day it closed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceClosing {
    pub closed_on: NaiveDate,
    pub reason: String,
}

/// A place or activity of 地域づくり.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CommunityResource {
    pub id: i64,
    /// The pack agency's key for the agencies of 第3号.
    pub key: Option<String>,
    pub agency_id: Option<i64>,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: ResourceKind,
    pub description: String,
    pub address: Option<String>,
    pub schedule: String,
    pub operator: String,
    pub audience: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub source: String,
    pub active: bool,
    /// 開設日; none for a 拠点 open before the records began.
    pub opened_on: Option<NaiveDate>,
    /// 廃止日.
    pub closed_on: Option<NaiveDate>,
    pub closed_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub note: String,
    /// (position in the network table, organization) of each 推進員 who attended.
    pub attendees: Vec<(i64, String)>,
    /// 参加者数, if counted.
    pub participants: Option<i64>,
    pub created_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub note: String,
    pub participants: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    /// The consultations linked to it (taken there).
    pub consultation_count: i64,
}

/// A 推進員 who attended an event: their row in the network table and
/// organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventAttendee {
    pub position: i64,
    pub organization: String,
}

/// An event with who attended and the consultations it produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventDetail {
    #[serde(flatten)]
    pub row: EventRow,
    pub attendees: Vec<EventAttendee>,
    pub consultation_ids: Vec<i64>,
}
