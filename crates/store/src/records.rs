//! What the repository stores and returns.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tsunagaru_domain::{AuditEvent, Field, HubType, Programme, Role, Username};

/// An agency as stored: the pack's data plus its database id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agency {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub category: String,
    pub operator: Option<String>,
    pub address: Option<String>,
    pub fields: Vec<Field>,
    pub programmes: Vec<Programme>,
    pub department_no: i64,
    pub consultation: bool,
    pub hub_type: Option<HubType>,
    pub catchment_areas: Vec<String>,
    pub funding: Option<String>,
    pub secretariat: bool,
    pub source: String,
    pub active: bool,
    /// A 関係各課 (it receives handoffs like an agency).
    pub is_department: bool,
    /// 電話・FAX・メール・受付時間・内線: the administrator's when set, else the pack's.
    pub contact: tsunagaru_domain::contact::Contact,
    /// When the administrator last set the contact details (`None`: the pack's).
    pub contact_updated_at: Option<DateTime<Utc>>,
}

/// The key of the agency row of a 関係各課.
pub fn department_agency_key(no: u32) -> String {
    format!("department-{no}")
}

/// The row form of [`Agency`], shared by the backends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub category: String,
    pub operator: Option<String>,
    pub address: Option<String>,
    /// space-separated field codes
    pub fields: String,
    /// space-separated programme codes
    pub programmes: String,
    pub department_no: i64,
    pub consultation: bool,
    pub hub_type: Option<String>,
    /// 担当地区 names joined with ・
    pub catchment_areas: String,
    pub funding: Option<String>,
    pub secretariat: bool,
    pub source: String,
    pub active: bool,
    pub kind: String,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    pub extension: Option<String>,
    pub contact_updated_at: Option<DateTime<Utc>>,
}

impl From<AgencyRow> for Agency {
    fn from(row: AgencyRow) -> Self {
        Agency {
            id: row.id,
            key: row.key,
            name: row.name,
            category: row.category,
            operator: row.operator,
            address: row.address,
            // Codes were written from the enums; anything else is skipped.
            fields: row
                .fields
                .split_whitespace()
                .filter_map(|c| c.parse().ok())
                .collect(),
            programmes: row
                .programmes
                .split_whitespace()
                .filter_map(|c| c.parse().ok())
                .collect(),
            department_no: row.department_no,
            consultation: row.consultation,
            hub_type: row.hub_type.and_then(|h| h.parse().ok()),
            catchment_areas: row
                .catchment_areas
                .split('・')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            funding: row.funding,
            secretariat: row.secretariat,
            source: row.source,
            active: row.active,
            is_department: row.kind == "department",
            contact: tsunagaru_domain::contact::Contact {
                phone: row.phone,
                fax: row.fax,
                email: row.email,
                hours: row.hours,
                extension: row.extension,
            },
            contact_updated_at: row.contact_updated_at,
        }
    }
}

/// Joins codes for the `fields` / `programmes` columns.
pub fn codes<T: Copy>(items: &[T], code: fn(T) -> &'static str) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(" ")
}

/// 関係各課: a division of the city that takes part in the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: i64,
    /// 計画の表の番号
    pub no: i64,
    pub group_name: String,
    /// 所属
    pub division: String,
    pub name: String,
    /// 主な内容
    pub main_content: String,
    /// 相談 ○
    pub consultation: bool,
    /// 地域づくり ○
    pub community: bool,
}

/// A member organisation of the network (the plan's table of 推進員).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkMember {
    /// 表の中の位置
    pub position: i64,
    /// 分野
    pub field: String,
    pub organization: String,
    pub unit: Option<String>,
}

/// What a pack load changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackLoadReport {
    pub agencies_added: usize,
    pub agencies_updated: usize,
    pub agencies_deactivated: usize,
    pub departments: usize,
    pub catchment_towns: usize,
    pub network_members: usize,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub agency_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub agency_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    /// An administrator asked for a new password: nothing else until it is set.
    pub must_change_password: bool,
    /// Signs in with a second factor (a confirmed TOTP enrolment).
    pub totp_enabled: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub must_change_password: bool,
    pub totp_enabled: bool,
}

impl UserRow {
    pub fn into_user(self, agency_ids: Vec<i64>) -> User {
        User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            // Written from Role::code; an unknown role falls back to the least privileged.
            role: self.role.parse().unwrap_or(Role::Staff),
            active: self.active,
            agency_ids,
            created_at: self.created_at,
            must_change_password: self.must_change_password,
            totp_enabled: self.totp_enabled,
        }
    }
}

/// What sign-in needs: the user and their password hash.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser session (cookie), with a CSRF token.
    Web,
    /// API token (Authorization: Bearer).
    Api,
}

impl SessionKind {
    pub fn code(&self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the token; the token itself is never stored.
    pub token_hash: String,
    pub user_id: i64,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When the user last proved who they are in this session (the sign-in,
    /// or a re-authentication since).
    pub authenticated_at: DateTime<Utc>,
}

/// A session joined with its user: one row per agency of the user (one
/// with no agency for a user of none), so a request's first read is one.
#[derive(sqlx::FromRow)]
pub struct SessionUserRow {
    #[sqlx(flatten)]
    pub session: Session,
    pub u_id: i64,
    pub u_username: String,
    pub u_display_name: String,
    pub u_role: String,
    pub u_active: bool,
    pub u_created_at: DateTime<Utc>,
    pub u_must_change_password: bool,
    pub u_totp_enabled: bool,
    pub agency_id: Option<i64>,
}

impl SessionUserRow {
    /// The session and its user, from the rows of one session.
    pub fn gather(rows: Vec<SessionUserRow>) -> Option<(Session, User)> {
        let agency_ids: Vec<i64> = rows.iter().filter_map(|r| r.agency_id).collect();
        let first = rows.into_iter().next()?;
        let user = UserRow {
            id: first.u_id,
            username: first.u_username,
            display_name: first.u_display_name,
            role: first.u_role,
            active: first.u_active,
            created_at: first.u_created_at,
            must_change_password: first.u_must_change_password,
            totp_enabled: first.u_totp_enabled,
        }
        .into_user(agency_ids);
        Some((first.session, user))
    }
}

/// A user's second factor as stored: the confirmed secret, one shown and
/// awaiting its first code, and how many recovery codes are left (the last
/// accepted time step is kept and compared in the store only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotpState {
    pub secret: Option<String>,
    pub pending_secret: Option<String>,
    pub unused_recovery_codes: i64,
}

/// A sign-in whose password was right, awaiting the second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInChallenge {
    pub user_id: i64,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

/// The row form of an audit event, shared by the backends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
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

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            seq: r.seq,
            at: r.at,
            actor_user_id: r.actor_user_id,
            actor: r.actor,
            action: r.action,
            record_type: r.record_type,
            record_id: r.record_id,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A name locked after repeated failed sign-ins (existing or not).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct LoginLock {
    pub username: String,
    pub failures: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
}

/// An answer kept for an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptResponse {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What a request with an idempotency key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use: the request runs, its answer is then kept.
    New,
    /// The same request is running now.
    Pending,
    /// Answered before: this is the answer.
    Done(KeptResponse),
    /// The key was used for a different request.
    OtherRequest,
}
