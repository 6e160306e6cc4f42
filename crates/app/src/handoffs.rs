//! 引継ぎ (No.3, the closed loop): sending, who is on which side, each step
//! of the loop with what it needs, what the receiving side sees, and the
//! suggested 引継機関.

use crate::policy::{HandoffSide as Side, handoff_side};
use crate::{Actor, App, AppError, Reading};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::contact::OfficePhone;
use tsunagaru_domain::handoff::{HandoffState, HandoffStep, Purpose};
use tsunagaru_domain::intake::{Concern, ConsentAnswer, Urgency};
use tsunagaru_store::{
    Agency, Consultation, Handoff, HandoffEvent, HandoffNotes, HandoffUpdate, NewHandoff, Person,
};

/// The actor's side of a handoff (`policy::handoff_side`); `None` when it is
/// not theirs to see: neither sender nor receiver, or a receiver after the
/// handoff was withdrawn or returned.
pub fn handoff_side_of(actor: &Actor, h: &Handoff) -> Option<Side> {
    handoff_side(actor, h.from_agency_id, h.to_agency_id, h.state)
}

/// An agency suggested as 引継機関, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub agency_id: i64,
    pub name: String,
    pub reason: String,
}

/// A handoff as one of its sides reads it.
pub struct HandoffRecord {
    pub handoff: Handoff,
    pub side: Side,
    pub events: Vec<HandoffEvent>,
    /// The person and the sheet as this side may see them (consent-filtered
    /// household, protected whereabouts removed); `None` once out of scope.
    pub person: Option<(Person, Option<Consultation>)>,
    /// The other 引継機関 the same No.3 was sent to at the same time (the
    /// paper's 「複数の関係機関に引継ぐ場合 関係機関名」).
    pub sent_with: Vec<i64>,
}
/// The update a step makes, or why it cannot be taken.
pub fn step_rules(
    h: &Handoff,
    side: Side,
    step: HandoffStep,
    input: &StepInput,
    user_id: i64,
    today: NaiveDate,
) -> Result<HandoffUpdate, AppError> {
    let allowed = match side {
        Side::Both => true,
        Side::Receiver => step.by_receiver(),
        Side::Sender => !step.by_receiver(),
    };
    if !allowed {
        let who = if step.by_receiver() {
            "引継機関"
        } else {
            "受付機関"
        };
        return Err(AppError::forbidden(format!(
            "「{}」は{who}が行います",
            step.label()
        )));
    }
    let state = h.state;
    let next = state
        .after(step)
        .map_err(|e| AppError::conflict(e.to_string()))?;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let text = match step {
        HandoffStep::Report => Some(
            text(&input.response)
                .ok_or_else(|| AppError::invalid("response", "対応状況・方針を入力してください"))?,
        ),
        HandoffStep::Return => Some(
            text(&input.reason)
                .ok_or_else(|| AppError::invalid("reason", "差戻しの理由を入力してください"))?,
        ),
        HandoffStep::Withdraw => Some(
            text(&input.reason)
                .ok_or_else(|| AppError::invalid("reason", "取消の理由を入力してください"))?,
        ),
        _ => None,
    };
    Ok(HandoffUpdate {
        from_state: state,
        to_state: next,
        step,
        user_id,
        on: today,
        text,
        phone: None,
        suggested_agency_id: if step == HandoffStep::Return {
            input.suggested_agency_id
        } else {
            None
        },
    })
}

#[derive(Debug, Deserialize, Clone, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendInput {
    #[cfg_attr(feature = "openapi", schema(value_type = tsunagaru_domain::openapi::RecordId))]
    pub consultation_id: i64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<tsunagaru_domain::openapi::RecordId>))]
    pub to_agency_ids: Vec<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::handoff::Purpose>))]
    pub purpose: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::intake::Urgency>))]
    pub urgency: Option<String>,
    #[serde(default)]
    pub continue_at_origin: bool,
    #[serde(default)]
    pub told_contact_name: Option<String>,
    #[serde(default)]
    pub told_contact_phone: Option<String>,
    #[serde(default)]
    pub notes: HandoffNotes,
    /// Share household members without consent: the reason (audited).
    #[serde(default)]
    pub consent_override_reason: Option<String>,
    /// Share although 本人's 同意 is 無 or 不明: the reason, which is the
    /// sender's confirmation (audited). Required then, ignored otherwise.
    #[serde(default)]
    pub self_consent_reason: Option<String>,
    /// 相談受付者の電話 (No.3); the agency's phone when left out.
    #[serde(default)]
    pub sender_phone: Option<String>,
}

/// 本人's 同意 on a sheet: 有, 無, or 不明 (also when the sheet has no 本人 row).
pub fn self_consent_of(consultation: &Consultation) -> ConsentAnswer {
    tsunagaru_domain::intake::self_consent(
        consultation
            .household
            .iter()
            .map(|m| (&m.relationship, m.consent)),
    )
}

/// The reason a handoff carries for sharing the sheet: none when 本人's 同意
/// is 有; otherwise the reason given (trimmed), or the question asking for
/// it. The one rule for a worker's handoff and an imported one.
pub fn self_consent_reason(
    consent: ConsentAnswer,
    given: Option<&str>,
) -> Result<Option<String>, String> {
    match consent {
        ConsentAnswer::Yes => Ok(None),
        other => given
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| Some(r.to_owned()))
            .ok_or_else(|| self_consent_question(other)),
    }
}

/// The message that asks for the reason when 本人's 同意 is not 有.
pub fn self_consent_question(consent: ConsentAnswer) -> String {
    format!(
        "本人の同意が「{}」です。同意のないまま引継機関へ情報を提供するには、その理由を書いてください（例: 生命・身体の保護のために緊急に必要、支援会議での検討のため）",
        consent.label()
    )
}

#[derive(Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepInput {
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub suggested_agency_id: Option<i64>,
    /// The phone of whoever takes the step (受領・報告: 相談引継者, 報告の受取:
    /// 相談受付者), as on the paper No.3; the agency's phone when left out.
    #[serde(default)]
    pub phone: Option<String>,
}

impl App {
    /// Checks and sends: the user's agency must be the consultation's 受付機関.
    pub async fn send_handoffs(
        &self,
        actor: &Actor,
        input: SendInput,
    ) -> Result<Vec<(i64, i64)>, AppError> {
        let consultation = self
            .repo
            .consultation(input.consultation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.visible_person(actor, consultation.person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // The 受付機関 sends; so does an agency that received a handoff of this
        // consultation and routes it onward (the 事務局 for 連携先等不明).
        let from_agency_id = if actor.agency_ids.contains(&consultation.agency_id) {
            consultation.agency_id
        } else {
            let received = self.repo.handoffs_of_person(consultation.person_id).await?;
            received
                .iter()
                .find(|h| {
                    h.consultation_id == consultation.id
                        && actor.agency_ids.contains(&h.to_agency_id)
                        && !matches!(h.state, HandoffState::Sent | HandoffState::Withdrawn)
                })
                .map(|h| h.to_agency_id)
                .ok_or_else(|| {
                    AppError::forbidden("引継ぎを送れるのは、その相談の受付機関と、受領した引継機関の利用者だけです",
                    )
                })?
        };
        let purpose = match input.purpose.as_deref() {
            None | Some("") => Purpose::Refer,
            Some(p) => Purpose::parse(p).ok_or_else(|| {
                AppError::invalid("purpose", format!("シート利用目的「{p}」は選べません"))
            })?,
        };
        let urgency = match input.urgency.as_deref() {
            None | Some("") => Urgency::None,
            Some(u) => Urgency::parse(u).ok_or_else(|| {
                AppError::invalid("urgency", format!("緊急の必要性「{u}」は選べません"))
            })?,
        };
        let agencies = self.agencies().await?;
        let targets: Vec<i64> = if purpose.goes_to_secretariat() {
            agencies
                .iter()
                .filter(|a| a.secretariat && a.active)
                .map(|a| a.id)
                .collect()
        } else {
            let mut ids = input.to_agency_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                return Err(AppError::invalid(
                    "to_agency_ids",
                    "引継機関を1つ以上選んでください",
                ));
            }
            if let Some(bad) = ids
                .iter()
                .find(|id| !agencies.iter().any(|a| a.id == **id && a.active))
            {
                return Err(AppError::invalid(
                    "to_agency_ids",
                    format!("引継機関 ID {bad} は登録されていません"),
                ));
            }
            if ids.contains(&from_agency_id) {
                return Err(AppError::invalid(
                    "to_agency_ids",
                    "自分の機関には引き継げません",
                ));
            }
            ids
        };
        let override_reason = input
            .consent_override_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        // 本人's 同意 is what lets the sheet travel; without it the sender
        // confirms with a reason (which the audit trail and both sides keep).
        let self_consent = self_consent_of(&consultation);
        let self_consent_reason =
            self_consent_reason(self_consent, input.self_consent_reason.as_deref())
                .map_err(|question| AppError::invalid("self_consent_reason", question))?;
        // Sharing what consent does not cover is a privileged action.
        if override_reason.is_some() || self_consent_reason.is_some() {
            self.require_recent_authentication(actor)?;
        }
        let sender_phone = self.phone_of_side(
            &input.sender_phone,
            "sender_phone",
            from_agency_id,
            &agencies,
        )?;
        let new: Vec<NewHandoff> = targets
            .iter()
            .map(|to| NewHandoff {
                consultation_id: consultation.id,
                person_id: consultation.person_id,
                from_agency_id,
                to_agency_id: *to,
                purpose,
                continue_at_origin: input.continue_at_origin,
                urgency,
                told_contact_name: input.told_contact_name.clone(),
                told_contact_phone: input.told_contact_phone.clone(),
                notes: input.notes.clone(),
                consent_override_reason: override_reason.clone(),
                self_consent_reason: self_consent_reason.clone(),
                sender_phone: sender_phone.clone(),
                sent_on: self.today(),
                sent_by: actor.id(),
            })
            .collect();
        let mut detail = format!("{} 件", new.len());
        if let Some(r) = &self_consent_reason {
            detail.push_str(&format!(
                " / 本人の同意「{}」のまま提供（理由: {r}）",
                self_consent.label()
            ));
        }
        if let Some(r) = &override_reason {
            detail.push_str(&format!(" / 同意のない家族も共有（理由: {r}）"));
        }
        let ids = self
            .repo
            .create_handoffs(&new, actor.audit(AuditAction::HandoffSent).detail(detail))
            .await?;
        Ok(ids.into_iter().zip(targets).collect())
    }

    /// Takes a step for the user: on their side of the handoff, allowed by the
    /// state, with what the step needs.
    pub async fn take_step(
        &self,
        actor: &Actor,
        id: i64,
        step: HandoffStep,
        input: StepInput,
    ) -> Result<tsunagaru_store::Handoff, AppError> {
        let handoff = self.repo.handoff(id).await?.ok_or(AppError::NotFound)?;
        let side = handoff_side_of(actor, &handoff).ok_or(AppError::NotFound)?;
        let mut update = step_rules(&handoff, side, step, &input, actor.id(), self.today())?;
        // 受領 and 報告 are the 引継機関's, 報告の受取 the 受付機関's: each
        // writes the phone of its side, as the paper No.3 does.
        let side_agency = match step {
            HandoffStep::Receive | HandoffStep::Report => Some(handoff.to_agency_id),
            HandoffStep::Acknowledge => Some(handoff.from_agency_id),
            _ => None,
        };
        if let Some(agency_id) = side_agency {
            let agencies = self.agencies().await?;
            update.phone = self.phone_of_side(&input.phone, "phone", agency_id, &agencies)?;
        }
        let audit = actor.audit(AuditAction::HandoffStep).detail(format!(
            "{} → {}",
            step.label(),
            update.to_state.code()
        ));
        self.repo
            .step_handoff(id, &update, audit)
            .await
            .map_err(AppError::from)
    }
}

impl App {
    /// A handoff for one of its sides, with its record and what that side may
    /// see of the person; audited as read on screen or printed.
    pub async fn handoff_record(
        &self,
        actor: &Actor,
        id: i64,
        reading: Reading,
    ) -> Result<HandoffRecord, AppError> {
        let handoff = self.repo.handoff(id).await?.ok_or(AppError::NotFound)?;
        let side = handoff_side_of(actor, &handoff).ok_or(AppError::NotFound)?;
        let audit = actor
            .audit(AuditAction::HandoffViewed)
            .record("handoff", id);
        self.repo
            .append_audit(match reading {
                Reading::Screen => audit,
                Reading::Print => audit.detail("印刷表示"),
            })
            .await?;
        let events = self.repo.handoff_events(id).await?;
        let person = match self.visible_person(actor, handoff.person_id).await? {
            Some(person) => {
                let consultation = match self.repo.consultation(handoff.consultation_id).await? {
                    Some(c) => Some(self.consultation_shown(actor, &person, c).await?),
                    None => None,
                };
                Some((person, consultation))
            }
            None => None,
        };
        // Sent together: one write, so one timestamp, sender and sheet.
        let sent_with = self
            .repo
            .handoffs_of_person(handoff.person_id)
            .await?
            .into_iter()
            .filter(|o| {
                o.id != handoff.id
                    && o.consultation_id == handoff.consultation_id
                    && o.sent_by == handoff.sent_by
                    && o.created_at == handoff.created_at
            })
            .map(|o| o.to_agency_id)
            .collect();
        Ok(HandoffRecord {
            handoff,
            side,
            events,
            person,
            sent_with,
        })
    }

    /// What the No.3 form starts from: the sheet and its person as the actor
    /// may see them, with the suggested 引継機関 (the address is read to
    /// find the center: audited like any read).
    pub async fn handoff_draft(
        &self,
        actor: &Actor,
        consultation_id: i64,
        where_: &str,
    ) -> Result<(Consultation, Person, Vec<Suggestion>), AppError> {
        let consultation = self
            .repo
            .consultation(consultation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = self
            .visible_person(actor, consultation.person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::PersonViewed)
                    .record("person", person.id)
                    .detail(where_.to_owned()),
            )
            .await?;
        let suggested = self.suggestions(&person, &consultation).await?;
        let consultation = self
            .consultation_shown(actor, &person, consultation)
            .await?;
        Ok((consultation, person, suggested))
    }

    /// 引継機関 suggestions for a consultation: the 地域包括支援センター of the
    /// address, and agencies by 相談内容 from the pack's mapping.
    async fn suggestions(
        &self,
        person: &Person,
        c: &Consultation,
    ) -> Result<Vec<Suggestion>, AppError> {
        let agencies = self.agencies().await?;
        let departments = self.departments().await?;
        let mut out: Vec<Suggestion> = Vec::new();
        let mut add = |agency: &Agency, reason: String| {
            if agency.id != c.agency_id && !out.iter().any(|s| s.agency_id == agency.id) {
                out.push(Suggestion {
                    agency_id: agency.id,
                    name: agency.name.clone(),
                    reason,
                });
            }
        };
        let catchment = person.address.as_deref().map(|line| {
            self.address().route(&format!(
                "{} {line}",
                person.postal_code.as_deref().unwrap_or_default()
            ))
        });
        let pack = self.pack();
        for concern in &c.concerns {
            let Some(targets) = pack.handoff.suggestions.get(&concern.code) else {
                continue;
            };
            let label = Concern::parse(&concern.code)
                .map(Concern::label)
                .unwrap_or_default();
            for target in targets {
                if target == "catchment" {
                    if let Some(center) = catchment.as_ref().and_then(|r| r.center.clone())
                        && let Some(a) = agencies.iter().find(|a| a.name == center)
                    {
                        add(a, format!("{label}（住所の担当地域包括支援センター）"));
                    }
                } else if let Some(a) = agencies.iter().find(|a| &a.key == target && a.active) {
                    // A 関係各課 says what it takes (its 主な内容).
                    match departments
                        .iter()
                        .find(|d| a.is_department && d.no == a.department_no)
                    {
                        Some(d) => add(a, format!("{label}（関係各課: {}）", d.main_content)),
                        None => add(a, label.to_owned()),
                    }
                }
            }
        }
        if let Some(center) = catchment.and_then(|r| r.center)
            && let Some(a) = agencies.iter().find(|a| a.name == center)
        {
            add(a, "住所の担当地域包括支援センター".into());
        }
        Ok(out)
    }
}

impl App {
    /// The names of handoffs' persons, by handoff id, for the handoffs the
    /// actor is a side of (lists and prints that the caller has audited),
    /// read at once; any other handoff names nobody.
    pub async fn handoff_person_names(
        &self,
        actor: &Actor,
        handoffs: &[&Handoff],
    ) -> Result<HashMap<i64, String>, AppError> {
        let sides: Vec<&Handoff> = handoffs
            .iter()
            .copied()
            .filter(|h| handoff_side_of(actor, h).is_some())
            .collect();
        let names = self.person_names(sides.iter().map(|h| h.person_id)).await?;
        Ok(sides
            .into_iter()
            .filter_map(|h| Some((h.id, names.get(&h.person_id)?.clone())))
            .collect())
    }
}

/// The handoff counts on the worker's desk (no one named).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandoffCounts {
    pub inbox_open: usize,
    pub inbox_overdue: usize,
    pub outbox_open: usize,
    pub outbox_overdue: usize,
    pub outbox_returned: usize,
}

impl App {
    /// How many handoffs of the actor's agencies are open, overdue (by the
    /// pack's limits, on the application's clock) or returned.
    pub async fn handoff_counts(&self, actor: &Actor) -> Result<HandoffCounts, AppError> {
        if !actor.role.works_with_persons() {
            return Ok(HandoffCounts::default());
        }
        let today = self.today();
        let policy = &self.pack().handoff.policy;
        let count = |list: &[Handoff]| {
            let mine: Vec<(&Handoff, HandoffState)> = list
                .iter()
                .filter(|h| handoff_side_of(actor, h).is_some())
                .map(|h| (h, h.state))
                .collect();
            let open = mine.iter().filter(|(_, s)| s.is_open()).count();
            let late = mine
                .iter()
                .filter(|(h, s)| {
                    tsunagaru_domain::handoff::overdue(
                        *s,
                        h.sent_on,
                        Some(h.urgency.code()),
                        today,
                        policy,
                    )
                    .is_some()
                })
                .count();
            let returned = mine
                .iter()
                .filter(|(_, s)| *s == HandoffState::Returned)
                .count();
            (open, late, returned)
        };
        let inbox = self
            .repo
            .handoffs_of(&actor.agency_ids, tsunagaru_store::HandoffBox::Inbox)
            .await?;
        let outbox = self
            .repo
            .handoffs_of(&actor.agency_ids, tsunagaru_store::HandoffBox::Outbox)
            .await?;
        let (inbox_open, inbox_overdue, _) = count(&inbox);
        let (outbox_open, outbox_overdue, outbox_returned) = count(&outbox);
        Ok(HandoffCounts {
            inbox_open,
            inbox_overdue,
            outbox_open,
            outbox_overdue,
            outbox_returned,
        })
    }
}

impl App {
    /// A returned (差戻し) handoff the actor's agency sent, for sending again.
    async fn returned_of_sender(
        &self,
        actor: &Actor,
        returned_id: i64,
    ) -> Result<tsunagaru_store::Handoff, AppError> {
        let h = self
            .repo
            .handoff(returned_id)
            .await?
            .ok_or(AppError::NotFound)?;
        match handoff_side_of(actor, &h) {
            None => Err(AppError::NotFound),
            Some(Side::Receiver) => Err(AppError::forbidden(
                "送り直せるのは、引継ぎを送った機関の利用者です",
            )),
            Some(_) if h.state != HandoffState::Returned => Err(AppError::conflict(
                "送り直せるのは、差戻しになった引継ぎです",
            )),
            Some(_) => Ok(h),
        }
    }

    /// The No.3 of a returned handoff as the draft of its resend: the same
    /// content, to the agency the receiver suggested when it returned it.
    /// The consent override is not carried: it is given again, with its reason.
    pub async fn resend_draft(
        &self,
        actor: &Actor,
        returned_id: i64,
    ) -> Result<SendInput, AppError> {
        let h = self.returned_of_sender(actor, returned_id).await?;
        Ok(SendInput {
            consultation_id: h.consultation_id,
            to_agency_ids: h.suggested_agency_id.into_iter().collect(),
            purpose: Some(h.purpose.code().to_owned()),
            urgency: Some(h.urgency.code().to_owned()),
            continue_at_origin: h.continue_at_origin,
            told_contact_name: h.told_contact_name.clone(),
            told_contact_phone: h.told_contact_phone.clone(),
            notes: h.notes.clone(),
            consent_override_reason: None,
            self_consent_reason: None,
            sender_phone: h.sender_phone.clone(),
        })
    }

    /// The phone a side writes on the No.3: as typed (checked), or the
    /// agency's own (with its 内線) when left empty.
    fn phone_of_side(
        &self,
        typed: &Option<String>,
        field: &str,
        agency_id: i64,
        agencies: &[tsunagaru_store::Agency],
    ) -> Result<Option<String>, AppError> {
        match OfficePhone::parse(typed.as_deref().unwrap_or_default()) {
            Ok(Some(phone)) => Ok(Some(phone.into_string())),
            Ok(None) => Ok(agencies
                .iter()
                .find(|a| a.id == agency_id)
                .and_then(|a| a.contact.phone_with_extension())),
            Err(message) => Err(AppError::invalid(field, message)),
        }
    }

    /// Sends a returned handoff's consultation again (to another agency, as
    /// typed) and closes the returned one, saying it was sent again.
    pub async fn resend_handoff(
        &self,
        actor: &Actor,
        returned_id: i64,
        input: SendInput,
    ) -> Result<Vec<(i64, i64)>, AppError> {
        let returned = self.returned_of_sender(actor, returned_id).await?;
        if input.consultation_id != returned.consultation_id {
            return Err(AppError::invalid(
                "consultation_id",
                "送り直すのは、差し戻された引継ぎと同じ相談です",
            ));
        }
        let sent = self.send_handoffs(actor, input).await?;
        let ids: Vec<String> = sent.iter().map(|(id, _)| id.to_string()).collect();
        self.take_step(
            actor,
            returned_id,
            HandoffStep::Withdraw,
            StepInput {
                reason: Some(format!(
                    "別の機関へ送り直した（引継ぎ ID {}）",
                    ids.join("・")
                )),
                ..StepInput::default()
            },
        )
        .await?;
        Ok(sent)
    }
}
