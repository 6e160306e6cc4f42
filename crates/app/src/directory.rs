//! The directory: what every signed-in user reads because it holds no one's
//! personal data — agencies, 関係各課, the network's members, staff names,
//! 支援メニュー, community resources and events (counts only) — and the
//! audit log, which only auditors and administrators read.

use crate::{Actor, App, AppError};
use std::sync::Arc;
use tsunagaru_domain::contact::{Contact, ContactInput};
use tsunagaru_domain::{AuditAction, AuditEvent};
use tsunagaru_store::{
    Agency, CommunityResource, Department, EventRow, NetworkMember, ParticipationMenu, User,
    VerifyError, verify_audit_log,
};

/// The directory held in memory: agencies and 関係各課 as read at
/// `version` of the store's directory.
pub(crate) struct Held {
    version: i64,
    agencies: Vec<Agency>,
    departments: Vec<Department>,
}

impl App {
    /// The directory from memory. One cheap read asks whether it changed
    /// since (a pack load or contact details, through any server on the
    /// database); only then are agencies and departments read again.
    async fn held_directory(&self) -> Result<Arc<Held>, AppError> {
        let version = self.repo.directory_version().await?;
        let current = self
            .directory
            .read()
            .ok()
            .and_then(|held| held.clone())
            .filter(|held| held.version == version);
        if let Some(held) = current {
            return Ok(held);
        }
        let held = Arc::new(Held {
            version,
            agencies: self.repo.agencies().await?,
            departments: self.repo.departments().await?,
        });
        if let Ok(mut slot) = self.directory.write() {
            // A newer read by another request wins.
            if slot.as_ref().is_none_or(|h| h.version <= version) {
                *slot = Some(held.clone());
            }
        }
        Ok(held)
    }

    pub async fn agencies(&self) -> Result<Vec<Agency>, AppError> {
        Ok(self.held_directory().await?.agencies.clone())
    }

    pub async fn agency(&self, id: i64) -> Result<Agency, AppError> {
        self.held_directory()
            .await?
            .agencies
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .ok_or(AppError::NotFound)
    }

    /// Sets an agency's (or 関係各課's) contact details; the administrator's
    /// entries stay across pack loads. Every problem is named by its field.
    /// With `version` (as the details were read), a change over another
    /// administrator's since is refused (409).
    pub async fn set_agency_contact(
        &self,
        actor: &Actor,
        agency_id: i64,
        version: Option<&str>,
        input: &ContactInput,
    ) -> Result<Agency, AppError> {
        if !crate::policy::may_edit_directory(actor) {
            return Err(AppError::forbidden("連絡先を変更できるのは管理者です"));
        }
        let contact = Contact::parse(input).map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(field, message)| crate::FieldError {
                        field: field.to_owned(),
                        message,
                    })
                    .collect(),
            )
        })?;
        let before = self.agency(agency_id).await?;
        let changed = |label: &str, a: &Option<String>, b: &Option<String>| {
            (a != b).then(|| {
                format!(
                    "{label}: {} → {}",
                    a.as_deref().unwrap_or("（なし）"),
                    b.as_deref().unwrap_or("（なし）")
                )
            })
        };
        let detail: Vec<String> = [
            changed("電話", &before.contact.phone, &contact.phone),
            changed("FAX", &before.contact.fax, &contact.fax),
            changed("メール", &before.contact.email, &contact.email),
            changed("受付時間", &before.contact.hours, &contact.hours),
            changed("内線", &before.contact.extension, &contact.extension),
        ]
        .into_iter()
        .flatten()
        .collect();
        let audit = actor.audit(AuditAction::ContactChanged).detail(format!(
            "{}: {}",
            before.name,
            if detail.is_empty() {
                "変更なし".to_owned()
            } else {
                detail.join("、")
            }
        ));
        if !self
            .repo
            .set_agency_contact(
                agency_id,
                version.map(str::trim).filter(|v| !v.is_empty()),
                &contact,
                actor.id(),
                audit,
            )
            .await?
        {
            return Err(AppError::NotFound);
        }
        self.agency(agency_id).await
    }

    pub async fn departments(&self) -> Result<Vec<Department>, AppError> {
        Ok(self.held_directory().await?.departments.clone())
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

    /// Lets auditors and administrators read the audit log, and records
    /// that they did (every way of reading it goes through here).
    async fn open_audit_log(&self, actor: &Actor) -> Result<(), AppError> {
        if !crate::policy::reads_audit_log(actor) {
            return Err(AppError::forbidden(
                "監査ログを見られるのは監査担当と管理者です",
            ));
        }
        self.repo
            .append_audit(actor.audit(AuditAction::AuditLogViewed))
            .await?;
        Ok(())
    }

    /// The audit log as auditors and administrators read it: the newest
    /// events and whether the chain holds (`Err` names the first bad event).
    /// Reading it is itself audited.
    pub async fn audit_log(&self, actor: &Actor, limit: i64) -> Result<AuditLog, AppError> {
        self.open_audit_log(actor).await?;
        let chain = match verify_audit_log(self.repo.as_ref()).await {
            Ok(count) => Ok(count),
            Err(VerifyError::Store(e)) => return Err(e.into()),
            Err(broken) => Err(broken.to_string()),
        };
        Ok(AuditLog {
            events: self.repo.recent_audit_events(limit).await?,
            chain,
        })
    }
}

impl App {
    /// A page of the audit trail for the API: the `limit` events before
    /// `before` (or the newest), newest first. Reading it is audited.
    pub async fn audit_events_page(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<tsunagaru_domain::AuditEvent>, AppError> {
        self.open_audit_log(actor).await?;
        let mut events = match before {
            None => self.repo.recent_audit_events(limit).await?,
            // The sequence has no gaps: the `limit` events before `before`
            // start right after `before - 1 - limit`.
            Some(before) => {
                let mut older = self
                    .repo
                    .audit_events((before - 1 - limit).max(0), limit)
                    .await?;
                older.retain(|e| e.seq < before);
                older.reverse();
                older
            }
        };
        events.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(events)
    }
}

pub struct AuditLog {
    pub events: Vec<AuditEvent>,
    /// The number of events checked, or where the chain breaks.
    pub chain: Result<i64, String>,
}
