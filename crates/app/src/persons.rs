//! 相談対象者: scope, protection (保護), merges, consent, and how a person's
//! sheets are shown to each agency.

use crate::{Actor, App, AppError, policy};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::intake::ConsentAnswer;
use tsunagaru_store::{Consultation, HandoffBox, MemberRow, Person, ProtectionSeen};

/// Most users one change of protection may name (those who may see a
/// protected person's whereabouts are a few workers, not a directory).
pub const MOST_NAMED_VIEWERS: usize = 100;

impl App {
    /// A person the actor may see, as they may see it (whereabouts removed
    /// when protected and the actor is not named). `NotFound` for anything
    /// else: absent, merged away, or outside the actor's scope. Writes no
    /// audit event: callers that show the person audit their view.
    pub async fn person_in_scope(&self, actor: &Actor, id: i64) -> Result<Person, AppError> {
        if !policy::works_with_persons(actor) {
            return Err(AppError::NotFound);
        }
        let person = self.repo.person(id).await?.ok_or(AppError::NotFound)?;
        if person.merged_into.is_some() || !self.repo.person_in_scope(id, &actor.agency_ids).await?
        {
            return Err(AppError::NotFound);
        }
        Ok(person.for_viewer(actor.id()))
    }

    /// [`App::person_in_scope`], with `None` for out of scope.
    pub async fn visible_person(&self, actor: &Actor, id: i64) -> Result<Option<Person>, AppError> {
        match self.person_in_scope(actor, id).await {
            Ok(p) => Ok(Some(p)),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// [`App::visible_person`] for many at once, in one read: those in the
    /// actor's scope (the same scope index, not merged), by id.
    pub async fn visible_persons(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Person>, AppError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if !policy::works_with_persons(actor) || ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let limit = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        let query = tsunagaru_store::PersonQuery {
            ids: Some(ids),
            ..tsunagaru_store::PersonQuery::default()
        };
        Ok(self
            .repo
            .search_persons(&actor.agency_ids, &query, limit)
            .await?
            .into_iter()
            .map(|p| (p.id, p.for_viewer(actor.id())))
            .collect())
    }

    /// The names of the persons of rows the actor already may show (a
    /// handoff of their side, a case they see), in one read.
    pub(crate) async fn person_names(
        &self,
        ids: impl Iterator<Item = i64>,
    ) -> Result<std::collections::HashMap<i64, String>, AppError> {
        let mut ids: Vec<i64> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(self.repo.person_names(&ids).await?.into_iter().collect())
    }

    /// Sets or lifts a person's protection (DV・虐待, 支援措置) and who is
    /// named to see the whereabouts. On a protected person only a named
    /// viewer may do this; whoever protects is named.
    pub async fn set_protection(
        &self,
        actor: &Actor,
        id: i64,
        protect: bool,
        requested_viewers: &[i64],
    ) -> Result<(), AppError> {
        if requested_viewers.len() > MOST_NAMED_VIEWERS {
            return Err(AppError::invalid(
                "viewer_user_ids",
                format!("閲覧を許可する利用者は {MOST_NAMED_VIEWERS} 人までにしてください"),
            ));
        }
        // The redacted copy keeps the protection and its named viewers.
        let person = self.person_in_scope(actor, id).await?;
        let viewers = policy::protection_change(
            actor,
            person.protected,
            &person.protected_viewers,
            protect,
            requested_viewers,
        )
        .map_err(|denied| AppError::forbidden(denied.message()))?;
        // Each viewer named must be an account (one read for the list).
        let known = self.repo.user_ids_among(&viewers).await?;
        if let Some(viewer) = viewers.iter().find(|v| known.binary_search(v).is_err()) {
            return Err(AppError::invalid(
                "viewer_user_ids",
                format!("閲覧を許可する利用者 ID {viewer} は登録されていません"),
            ));
        }
        self.require_recent_authentication(actor)?;
        self.repo
            .set_protection(
                id,
                &ProtectionSeen::of(&person),
                protect,
                &viewers,
                actor.id(),
                actor
                    .audit(AuditAction::ProtectionChanged)
                    .detail(format!("保護 {protect}")),
            )
            .await?;
        Ok(())
    }

    /// Merges `merged` into `kept`. Both must be in the actor's scope (the
    /// 事務局; the administrator, who sees no personal data, merges by id);
    /// on a protected record the actor must be named. The kept record takes
    /// the stricter protection and every named viewer of both.
    pub async fn merge_persons(
        &self,
        actor: &Actor,
        kept: i64,
        merged: i64,
    ) -> Result<(), AppError> {
        if !actor.role.can_merge_persons() {
            return Err(AppError::forbidden("記録を統合する権限がありません"));
        }
        let mut records = Vec::with_capacity(2);
        for id in [kept, merged] {
            let record = if policy::works_with_persons(actor) {
                self.person_in_scope(actor, id).await?
            } else {
                self.repo
                    .person(id)
                    .await?
                    .filter(|p| p.merged_into.is_none())
                    .ok_or(AppError::NotFound)?
            };
            records.push(record);
        }
        if kept == merged {
            return Err(AppError::Conflict(
                "同じ相談対象者どうしは統合できません".into(),
            ));
        }
        let (a, b) = (&records[0], &records[1]);
        let a_p = (a.protected, a.protected_viewers.as_slice());
        let b_p = (b.protected, b.protected_viewers.as_slice());
        if !policy::may_merge(actor, a_p, b_p) {
            return Err(AppError::forbidden(
                "保護の設定がある記録を統合できるのは、閲覧を許可された利用者だけです",
            ));
        }
        self.require_recent_authentication(actor)?;
        let (protected, viewers) = policy::merged_protection(a_p, b_p);
        self.repo
            .merge_persons(
                kept,
                merged,
                [&ProtectionSeen::of(a), &ProtectionSeen::of(b)],
                (protected, &viewers),
                actor.id(),
                actor
                    .audit(AuditAction::PersonsMerged)
                    .detail(format!("{merged} を {kept} に統合")),
            )
            .await?;
        Ok(())
    }

    /// Undoes the merge of `merged`. With `into`, the merge must have been
    /// into that person (the page's two-id route). Returns the person it had
    /// been merged into. A record outside scope, or not merged, is
    /// `NotFound` alike.
    pub async fn unmerge_person(
        &self,
        actor: &Actor,
        merged: i64,
        into: Option<i64>,
    ) -> Result<i64, AppError> {
        if !actor.role.can_merge_persons() {
            return Err(AppError::forbidden("記録の統合を取り消す権限がありません"));
        }
        let record = self.repo.person(merged).await?.ok_or(AppError::NotFound)?;
        let kept = record.merged_into.ok_or(AppError::NotFound)?;
        if into.is_some_and(|into| into != kept) {
            return Err(AppError::NotFound);
        }
        if policy::works_with_persons(actor) {
            self.person_in_scope(actor, kept).await?;
        }
        self.require_recent_authentication(actor)?;
        self.repo
            .unmerge_person(
                merged,
                actor.id(),
                actor
                    .audit(AuditAction::PersonsUnmerged)
                    .detail(format!("{merged} を {kept} から分離")),
            )
            .await?;
        Ok(kept)
    }

    /// Changes one household member's 同意 on a sheet (given later, or
    /// withdrawn). Only the sheet's 受付機関 may; the sheet must be in scope.
    /// `position` counts as on the sheet (1 = 本人). Answers the person and
    /// the 同意 as it now stands.
    pub async fn change_consent(
        &self,
        actor: &Actor,
        consultation_id: i64,
        position: i64,
        consent: &str,
    ) -> Result<(i64, ConsentAnswer), AppError> {
        let consultation = self
            .repo
            .consultation(consultation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.person_in_scope(actor, consultation.person_id).await?;
        if !policy::may_change_consent(actor, consultation.agency_id) {
            return Err(AppError::forbidden(
                "同意を変更できるのは、その受付シートの受付機関の利用者です",
            ));
        }
        let answer = ConsentAnswer::parse(consent).ok_or_else(|| {
            AppError::invalid(
                "consent",
                format!("同意「{consent}」は選べません（有・無・不明）"),
            )
        })?;
        // Rows are numbered as on the sheet (1 = 本人); stored from 0.
        let position = position - 1;
        if !consultation
            .household
            .iter()
            .any(|m| m.position == position)
        {
            return Err(AppError::invalid(
                "position",
                "その家族は受付シートにありません",
            ));
        }
        self.repo
            .set_member_consent(
                consultation_id,
                position,
                answer.code(),
                actor.id(),
                actor.audit(AuditAction::ConsentChanged).detail(format!(
                    "{} 行目の家族: {}",
                    position + 1,
                    answer.label()
                )),
            )
            .await?;
        Ok((consultation.person_id, answer))
    }

    /// A person's sheets as the actor may see them: each sheet's household
    /// per `policy::member_shared`, and the requester's whereabouts removed
    /// when the person is protected and the actor is not named.
    pub async fn consultations_shown(
        &self,
        actor: &Actor,
        person: &Person,
    ) -> Result<Vec<Consultation>, AppError> {
        Ok(self.sheets_and_household(actor, person).await?.0)
    }

    /// The person's sheets (as [`App::consultations_shown`]) and the
    /// person's household across them ([`household_of`]), each member as
    /// the actor may see them by what the newest sheet naming them says.
    pub async fn sheets_and_household(
        &self,
        actor: &Actor,
        person: &Person,
    ) -> Result<(Vec<Consultation>, Vec<HouseholdMember>), AppError> {
        let consultations = self.repo.consultations_of(person.id).await?;
        let overridden = self
            .overridden_sheets(actor, person, &consultations)
            .await?;
        let household = household_of(&consultations)
            .into_iter()
            .filter(|m| {
                let sheet = consultations.iter().find(|c| c.id == m.consultation_id);
                sheet.is_some_and(|c| {
                    policy::member_shared(
                        actor,
                        c.agency_id,
                        m.member.relationship.is_self(),
                        m.member.consent == ConsentAnswer::Yes,
                        overridden.contains(&c.id),
                    )
                })
            })
            .collect();
        let sheets = shape_with(actor, person, consultations, &overridden);
        Ok((sheets, household))
    }

    /// The sheets whose handoff to one of the actor's agencies carries a
    /// consent override (for that sheet only) while it stands.
    async fn overridden_sheets(
        &self,
        actor: &Actor,
        person: &Person,
        consultations: &[Consultation],
    ) -> Result<Vec<i64>, AppError> {
        if consultations.iter().all(|c| actor.belongs_to(c.agency_id)) {
            return Ok(Vec::new());
        }
        Ok(self
            .repo
            .handoffs_of_person(person.id)
            .await?
            .iter()
            .filter(|h| {
                actor.belongs_to(h.to_agency_id)
                    && h.consent_override_reason.is_some()
                    && policy::handoff_involves_receiver(h.state)
            })
            .map(|h| h.consultation_id)
            .collect())
    }

    /// One sheet as the actor may see it (see [`App::consultations_shown`]).
    pub async fn consultation_shown(
        &self,
        actor: &Actor,
        person: &Person,
        consultation: Consultation,
    ) -> Result<Consultation, AppError> {
        let mut shaped = self
            .shape_consultations(actor, person, vec![consultation])
            .await?;
        shaped.pop().ok_or(AppError::NotFound)
    }

    async fn shape_consultations(
        &self,
        actor: &Actor,
        person: &Person,
        consultations: Vec<Consultation>,
    ) -> Result<Vec<Consultation>, AppError> {
        let overridden = self
            .overridden_sheets(actor, person, &consultations)
            .await?;
        Ok(shape_with(actor, person, consultations, &overridden))
    }

    /// The handoffs of the actor's agencies in one box, as the actor may see
    /// them (a receiver no longer sees one withdrawn or returned). The list
    /// names persons: reading it writes one audit event.
    pub async fn handoff_box(
        &self,
        actor: &Actor,
        box_: HandoffBox,
        channel: &str,
    ) -> Result<Vec<tsunagaru_store::Handoff>, AppError> {
        if !policy::works_with_persons(actor) {
            return Ok(Vec::new());
        }
        let handoffs: Vec<_> = self
            .repo
            .handoffs_of(&actor.agency_ids, box_)
            .await?
            .into_iter()
            .filter(|h| {
                policy::handoff_side(actor, h.from_agency_id, h.to_agency_id, h.state).is_some()
            })
            .collect();
        let which = match box_ {
            HandoffBox::Inbox => "inbox",
            HandoffBox::Outbox => "outbox",
        };
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::HandoffsListed)
                    .detail(format!("{channel}{which} {} 件", handoffs.len())),
            )
            .await?;
        Ok(handoffs)
    }
}

/// A member of a person's household: what the newest sheet that names them
/// says (its values, its 同意 and its 受付機関 decide who sees them), with
/// the day of that sheet (an age is as of then) and the sheet that first
/// named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMember {
    pub member: MemberRow,
    pub consultation_id: i64,
    pub as_of: chrono::NaiveDate,
    pub first_consultation_id: i64,
}

/// The person's household across their sheets, oldest sheet first: a later
/// sheet (not voided) adds members, updates those it names again (same 続柄 and name,
/// spaces and widths aside; 本人 by 続柄) or marks them 転出・死亡, and a
/// member it leaves out stays. 本人 first, then in order of first mention.
pub fn household_of(consultations: &[Consultation]) -> Vec<HouseholdMember> {
    // A voided sheet (取消) says nothing of the household.
    let mut sheets: Vec<&Consultation> = consultations
        .iter()
        .filter(|c| c.voided.is_none())
        .collect();
    sheets.sort_by_key(|c| (c.received_on, c.id));
    let key = |m: &MemberRow| {
        if m.relationship.is_self() {
            String::from("本人")
        } else {
            format!(
                "{}:{}",
                m.relationship.as_str(),
                tsunagaru_domain::kana::fold_width(&m.name)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
            )
        }
    };
    let mut out: Vec<(String, HouseholdMember)> = Vec::new();
    for sheet in sheets {
        for m in &sheet.household {
            let k = key(m);
            let latest = HouseholdMember {
                member: m.clone(),
                consultation_id: sheet.id,
                as_of: sheet.received_on,
                first_consultation_id: sheet.id,
            };
            match out.iter_mut().find(|(known, _)| *known == k) {
                Some((_, known)) => {
                    *known = HouseholdMember {
                        first_consultation_id: known.first_consultation_id,
                        ..latest
                    }
                }
                None => out.push((k, latest)),
            }
        }
    }
    out.sort_by_key(|(_, m)| !m.member.relationship.is_self());
    out.into_iter().map(|(_, m)| m).collect()
}

/// Each sheet as the actor may see it (`policy::member_shared` per member,
/// the requester's whereabouts per `policy::sees_whereabouts`), given the
/// sheets whose handoff to the actor's agency carries a consent override.
fn shape_with(
    actor: &Actor,
    person: &Person,
    mut consultations: Vec<Consultation>,
    overridden_sheets: &[i64],
) -> Vec<Consultation> {
    let sees_whereabouts =
        policy::sees_whereabouts(actor, person.protected, &person.protected_viewers);
    for c in &mut consultations {
        let overridden = overridden_sheets.contains(&c.id);
        let sheet_agency = c.agency_id;
        c.household.retain(|m| {
            policy::member_shared(
                actor,
                sheet_agency,
                m.relationship.is_self(),
                m.consent == ConsentAnswer::Yes,
                overridden,
            )
        });
        if !sees_whereabouts && let Some(r) = c.requester.as_mut() {
            r.postal_code = None;
            r.address = None;
            r.phones.clear();
        }
    }
    consultations
}
