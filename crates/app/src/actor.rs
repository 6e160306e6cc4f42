//! Who acts: a signed-in user.

use tsunagaru_domain::{AuditAction, NewAuditEvent, Role};
use tsunagaru_store::User;

/// The acting user of one call into the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` when no user acts (none yet: the CLI will act as the system).
    pub user_id: Option<i64>,
    /// As written in the audit trail: the username.
    pub name: String,
    pub role: Role,
    /// The agencies the user belongs to; their involvement is the user's scope.
    pub agency_ids: Vec<i64>,
}

impl Actor {
    pub fn user(user: &User) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            role: user.role,
            agency_ids: user.agency_ids.clone(),
        }
    }

    /// The user's id, or 0 when no user acts (which no user has).
    pub fn id(&self) -> i64 {
        self.user_id.unwrap_or(0)
    }

    pub fn belongs_to(&self, agency_id: i64) -> bool {
        self.agency_ids.contains(&agency_id)
    }

    /// The audit event of an action by this actor.
    pub fn audit(&self, action: AuditAction) -> NewAuditEvent {
        let event = NewAuditEvent::new(action, self.name.clone());
        match self.user_id {
            Some(id) => event.by_user(id),
            None => event,
        }
    }
}
