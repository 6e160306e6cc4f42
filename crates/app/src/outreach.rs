//! アウトリーチ (第4号): targets known perhaps only by an address or a
//! description, the attempts to reach them, and the sheet they lead to.
//!
//! A target is personal data: seen by the agency that works it and by the
//! 事務局; anyone else gets not found. Once a target is connected to a
//! person, that person's protection covers the target's address too.

use crate::{Actor, App, AppError, policy};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::reach::{AttemptInput, TargetInput, contact_overdue, follow_up_due};
use tsunagaru_store::{NewAttempt, NewTarget, OutreachAttempt, OutreachTarget};

// ------------------------------------------------------------- outreach ----

/// The agency a user works outreach for: their first agency.
fn outreach_agency(actor: &Actor) -> Result<i64, AppError> {
    if !actor.role.works_with_persons() {
        return Err(AppError::forbidden(
            "この役割ではアウトリーチの記録はできません",
        ));
    }
    actor
        .agency_ids
        .first()
        .copied()
        .ok_or_else(|| AppError::forbidden("所属機関がないためアウトリーチの記録はできません"))
}

/// The intake sheet pre-filled from an open target (nothing retyped).
pub fn intake_from_target(
    t: &OutreachTarget,
    attempts: &[OutreachAttempt],
) -> tsunagaru_domain::intake::IntakeInput {
    let mut input = tsunagaru_domain::intake::IntakeInput {
        method: "home_visit".into(),
        ..Default::default()
    };
    input.person.name = t.name.clone().unwrap_or_default();
    input.person.kana = t.kana.clone().unwrap_or_default();
    input.person.address.line = t.address.clone().unwrap_or_default();
    let mut situation = format!(
        "【アウトリーチで把握】{}（把握の経路: {}{}）",
        t.description,
        t.found_via.label(),
        t.found_via_detail
            .as_deref()
            .map(|d| format!("・{d}"))
            .unwrap_or_default()
    );
    for a in attempts {
        situation.push_str(&format!(
            "\n{} {} {}: {}{}",
            tsunagaru_domain::era::EraDate::from_date(a.on_date).short(),
            a.way.label(),
            a.who,
            a.outcome.label(),
            if a.note.is_empty() {
                String::new()
            } else {
                format!("（{}）", a.note)
            }
        ));
    }
    input.situation = situation;
    input
}

impl App {
    /// A target the user may see: their agency works it, or they are the 事務局.
    /// Once the target is a person who is protected, its address and town
    /// reach only the users named on the person's record.
    pub async fn visible_target(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Option<OutreachTarget>, AppError> {
        if !actor.role.works_with_persons() {
            return Ok(None);
        }
        let Some(target) = self.repo.target(id).await? else {
            return Ok(None);
        };
        self.target_if_visible(actor, target).await
    }

    /// A target already read, as the actor may see it by the rule of
    /// [`App::visible_target`] (which reads it first).
    pub(crate) async fn target_if_visible(
        &self,
        actor: &Actor,
        target: OutreachTarget,
    ) -> Result<Option<OutreachTarget>, AppError> {
        if !actor.role.works_with_persons() {
            return Ok(None);
        }
        let is_team = self.team_agency(actor).await?.is_some();
        if policy::sees_target(actor, target.agency_id, is_team) {
            Ok(Some(self.shield_target(actor, target).await?))
        } else {
            Ok(None)
        }
    }

    /// A target with its attempts, as the actor may see it; the view is audited.
    pub async fn target_record(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(OutreachTarget, Vec<OutreachAttempt>), AppError> {
        let target = self
            .visible_target(actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let attempts = self.repo.attempts_of(id).await?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::OutreachViewed)
                    .record("outreach_target", id),
            )
            .await?;
        Ok((target, attempts))
    }

    /// The targets the actor sees (their agencies', all for the 事務局); the
    /// list is audited.
    pub async fn targets_seen(&self, actor: &Actor) -> Result<Vec<OutreachTarget>, AppError> {
        let agencies = self.target_agencies(actor).await?;
        let mut seen = Vec::new();
        for t in self.repo.targets_of(&agencies).await? {
            seen.push(self.shield_target(actor, t).await?);
        }
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::OutreachViewed)
                    .detail(format!("一覧 {} 件", seen.len())),
            )
            .await?;
        Ok(seen)
    }

    /// The target's address and town are the person's whereabouts once the
    /// target is connected to a person: protected, they reach named users only.
    async fn shield_target(
        &self,
        actor: &Actor,
        mut target: OutreachTarget,
    ) -> Result<OutreachTarget, AppError> {
        if let Some(person_id) = target.person_id {
            let person = self.repo.person(person_id).await?;
            if person.is_some_and(|p| {
                !crate::policy::sees_whereabouts(actor, p.protected, &p.protected_viewers)
            }) {
                target.address = None;
                target.town = None;
            }
        }
        Ok(target)
    }

    /// The agencies whose targets the user sees.
    async fn target_agencies(&self, actor: &Actor) -> Result<Vec<i64>, AppError> {
        if !actor.role.works_with_persons() {
            return Ok(Vec::new());
        }
        if self.team_agency(actor).await?.is_some() {
            return Ok(self.agencies().await?.iter().map(|a| a.id).collect());
        }
        Ok(actor.agency_ids.clone())
    }

    pub async fn create_target(&self, actor: &Actor, input: &TargetInput) -> Result<i64, AppError> {
        let agency_id = outreach_agency(actor)?;
        let target = input.parse(self.today()).map_err(AppError::Invalid)?;
        let town = self.town_of(None, target.address.as_deref());
        let id = self
            .repo
            .create_target(
                &NewTarget {
                    agency_id,
                    name: target.name,
                    kana: target.kana,
                    address: target.address,
                    town,
                    description: target.description,
                    found_via: target.found_via,
                    found_via_detail: target.found_via_detail,
                    created_by: actor.id(),
                    created_on: target.found_on,
                },
                actor
                    .audit(AuditAction::OutreachRecorded)
                    .detail("対象者の登録"),
            )
            .await?;
        Ok(id)
    }

    pub async fn add_attempt(
        &self,
        actor: &Actor,
        target_id: i64,
        input: &AttemptInput,
    ) -> Result<OutreachTarget, AppError> {
        let target = self
            .visible_target(actor, target_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let current = target.stage;
        let attempt = input
            .parse(current, target.created_on, self.today())
            .map_err(AppError::Invalid)?;
        self.repo
            .add_attempt(
                &NewAttempt {
                    target_id,
                    from_stage: current,
                    on_date: attempt.on,
                    way: attempt.way,
                    who: attempt.who,
                    outcome: attempt.outcome,
                    note: attempt.note,
                    stage: attempt.stage,
                    user_id: actor.id(),
                },
                actor
                    .audit(AuditAction::OutreachRecorded)
                    .detail("接触の記録"),
            )
            .await
            .map_err(AppError::from)
    }

    /// For the home page: how many targets the user sees have had no contact for
    /// too long, and how many of their agencies' participants are due a follow-up.
    /// Counts only, no personal data.
    pub async fn home_counts(&self, actor: &Actor) -> Result<(usize, usize), AppError> {
        let today = self.today();
        let days = self.pack().outreach.no_contact_alert_days;
        let agencies = self.target_agencies(actor).await?;
        let alerts = self
            .repo
            .targets_of(&agencies)
            .await?
            .iter()
            .filter(|t| t.stage.is_open() && contact_overdue(t.last_touch(), today, days))
            .count();
        let due = if actor.role.works_with_persons() {
            self.repo
                .active_matches_of(&actor.agency_ids)
                .await?
                .iter()
                .filter(|m| follow_up_due(m.next_follow_up_on, today))
                .count()
        } else {
            0
        };
        Ok((alerts, due))
    }

    /// Checks that a consultation may connect this target: seen by the user and open.
    pub async fn connectable_target(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<OutreachTarget, AppError> {
        let target = self
            .visible_target(actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !target.stage.is_open() {
            return Err(AppError::conflict(
                "このアウトリーチ対象者は、すでに相談につながったか終了しています",
            ));
        }
        Ok(target)
    }
}
