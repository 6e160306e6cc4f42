//! Who acts: a signed-in user.

use tsunagaru_domain::{AuditAction, NewAuditEvent, Role};
use tsunagaru_store::{Session, User};

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
    /// When the user last proved who they are in this session (sign-in or
    /// re-authentication). `None` when no session acts: the command line,
    /// run on the server by whoever holds its files.
    pub authenticated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Actor {
    /// The command line, run on the server by whoever holds its files: no
    /// user and no session, acting as `role` over no agency.
    pub fn command_line(role: Role) -> Actor {
        Actor {
            user_id: None,
            name: "cli".into(),
            role,
            agency_ids: Vec::new(),
            authenticated_at: None,
        }
    }

    /// A signed-in user acting in `session`.
    pub fn user(user: &User, session: &Session) -> Actor {
        Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            role: user.role,
            agency_ids: user.agency_ids.clone(),
            authenticated_at: Some(session.authenticated_at),
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
