//! The directory: what every signed-in user reads because it holds no one's
//! personal data — agencies, 関係各課, the network's members, staff names,
//! 支援メニュー, community resources and events (counts only) — and the
//! audit log, which only auditors and administrators read.

use crate::{Actor, App, AppError};
use tsunagaru_domain::{AuditAction, AuditEvent};
use tsunagaru_store::{
    Agency, CommunityResource, Department, EventRow, NetworkMember, ParticipationMenu, User,
    VerifyError, verify_audit_log,
};

impl App {
    pub async fn agencies(&self) -> Result<Vec<Agency>, AppError> {
        Ok(self.repo.agencies().await?)
    }

    pub async fn agency(&self, id: i64) -> Result<Agency, AppError> {
        self.repo.agency(id).await?.ok_or(AppError::NotFound)
    }

    pub async fn departments(&self) -> Result<Vec<Department>, AppError> {
        Ok(self.repo.departments().await?)
    }

    /// The towns an agency's catchment covers (地域包括支援センター).
    pub async fn catchment_towns(&self, agency_id: i64) -> Result<Vec<String>, AppError> {
        Ok(self.repo.catchment_towns(agency_id).await?)
    }

    pub async fn network_members(&self) -> Result<Vec<NetworkMember>, AppError> {
        Ok(self.repo.network_members().await?)
    }

    /// Staff accounts (names, roles, agencies): shown as who did what and
    /// offered as meeting members. No credentials are in a `User`.
    pub async fn staff(&self) -> Result<Vec<User>, AppError> {
        Ok(self.repo.users().await?)
    }

    pub async fn menus(&self) -> Result<Vec<ParticipationMenu>, AppError> {
        Ok(self.repo.menus().await?)
    }

    pub async fn menu(&self, id: i64) -> Result<ParticipationMenu, AppError> {
        self.repo.menu(id).await?.ok_or(AppError::NotFound)
    }

    pub async fn resources(&self) -> Result<Vec<CommunityResource>, AppError> {
        Ok(self.repo.resources().await?)
    }

    pub async fn resource(&self, id: i64) -> Result<CommunityResource, AppError> {
        self.repo.resource(id).await?.ok_or(AppError::NotFound)
    }

    /// Events with the number of consultations each produced (no one named).
    pub async fn events(&self) -> Result<Vec<EventRow>, AppError> {
        Ok(self.repo.events().await?)
    }

    /// The audit log as auditors and administrators read it: the newest
    /// events and whether the chain holds (`Err` names the first bad event).
    /// Reading it is itself audited.
    pub async fn audit_log(&self, actor: &Actor, limit: i64) -> Result<AuditLog, AppError> {
        if !crate::policy::reads_audit_log(actor) {
            return Err(AppError::forbidden(
                "監査ログを見られるのは監査担当と管理者です",
            ));
        }
        self.repo
            .append_audit(actor.audit(AuditAction::AuditLogViewed))
            .await?;
        let chain = match verify_audit_log(self.repo.as_ref()).await {
            Ok(count) => Ok(count),
            Err(VerifyError::Broken(b)) => Err(b.to_string()),
            Err(VerifyError::Store(e)) => return Err(e.into()),
        };
        Ok(AuditLog {
            events: self.repo.recent_audit_events(limit).await?,
            chain,
        })
    }
}

pub struct AuditLog {
    pub events: Vec<AuditEvent>,
    /// The number of events checked, or where the chain breaks.
    pub chain: Result<i64, String>,
}
