//! Meetings (よりそい会議, 支援会議, 全体会 …): scheduling, who may open
//! them (members; a 支援会議 only after the member's 守秘義務の確認), the
//! agenda with the consent gate, minutes, decisions and the tasks they give,
//! and what a meeting's output lets each actor see.

use crate::cases::case_state;
use crate::{Actor, App, AppError, FieldError, Reading, policy};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::case::{
    AgendaSubject, AttendeeInput, Cadence, CaseState, CaseStep, MeetingKind, Recurrence, ReviewDue,
    TopicInput, agenda_gate, paired_support_conference, parse_meeting_start, parse_meeting_time,
};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::report::FiscalYear;
use tsunagaru_store::{
    Case, CaseEvent, Consultation, Meeting, MeetingRow, NewDecision, NewMeeting, NewTask,
    OutreachTarget, Person, PlanAgreement, PlanVersion, ReviewDuePlan, Task,
};

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MeetingInput {
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::case::MeetingKind>))]
    pub kind: String,
    /// Left empty: the pack's name of the kind.
    pub title: String,
    /// `2026-12-10T13:30`, `2026-12-10 13:30` or 和暦 date + `time`.
    #[cfg_attr(feature = "openapi", schema(required = true, format = DateTime))]
    pub starts_at: String,
    pub place: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<tsunagaru_domain::openapi::RecordId>))]
    pub member_user_ids: Vec<i64>,
    /// once / monthly / three_times_a_year
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::recurrence_codes))]
    pub repeat: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 24))]
    pub count: Option<u32>,
    /// For a よりそい会議: the time of the 支援会議 held the same day.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub support_conference_at: String,
}

/// A meeting as the user may open it.
pub enum MeetingAccess {
    /// A member who may open the material.
    Open(Meeting),
    /// A member of a 支援会議 who has not pledged yet.
    PledgeFirst(Meeting),
}

pub const PLEDGE_REQUIRED: &str =
    "支援会議の資料を開く前に、守秘義務の確認（法第106条の6第6項）を記録してください";

/// Why the consent gate refused, with the kind offered instead.
pub struct GateRefusal {
    pub message: String,
    pub instead: Option<MeetingKind>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DecisionInput {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub case_id: Option<i64>,
    /// A topic of the agenda the decision is on (instead of a case).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub agenda_item_id: Option<i64>,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub text: String,
    /// A task for an agency (all three or none).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub task_agency_id: Option<i64>,
    pub task_title: String,
    /// 和暦 or 西暦.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub task_due_on: String,
    /// Agree the case's newest plan version (よりそい会議 only).
    pub agree_plan: bool,
}

impl App {
    /// Who may schedule meetings: the 多機関協働 team and city staff.
    pub async fn may_schedule(&self, actor: &Actor) -> Result<bool, AppError> {
        let is_team = self.team_agency(actor).await?.is_some();
        Ok(policy::may_schedule_meetings(actor, is_team))
    }

    /// Schedules a meeting, a series, and for a よりそい会議 optionally the
    /// 支援会議 of the same day. Returns the ids, the first first.
    pub async fn schedule(
        &self,
        actor: &Actor,
        input: &MeetingInput,
    ) -> Result<Vec<i64>, AppError> {
        if !self.may_schedule(actor).await? {
            return Err(AppError::forbidden(
                "会議を登録できるのは事務局（多機関協働）と市の職員です",
            ));
        }
        let mut problems = Vec::new();
        let field = |f: &str, m: String| FieldError {
            field: f.into(),
            message: m,
        };
        let kind = MeetingKind::parse(input.kind.trim());
        if kind.is_none() {
            problems.push(field(
                "kind",
                if input.kind.trim().is_empty() {
                    "会議の種類を選んでください".into()
                } else {
                    format!("会議の種類「{}」はありません", input.kind.trim())
                },
            ));
        }
        let starts_at = parse_meeting_start(&input.starts_at, self.today())
            .map_err(|m| problems.push(field("starts_at", m)))
            .ok();
        let recurrence = Recurrence::parse(&input.repeat, input.count)
            .map_err(|m| problems.push(field("repeat", m)))
            .ok();
        let paired = if input.support_conference_at.trim().is_empty() {
            None
        } else if kind != Some(MeetingKind::CaseConference) {
            problems.push(field(
                "support_conference_at",
                "同日の支援会議は、よりそい会議を登録するときに指定します".into(),
            ));
            None
        } else {
            parse_meeting_time(&input.support_conference_at)
                .map_err(|m| problems.push(field("support_conference_at", m)))
                .ok()
        };
        let users = self.repo.users().await?;
        // A person ticked twice (under two of their agencies) sits once.
        let mut member_ids = input.member_user_ids.clone();
        member_ids.sort_unstable();
        member_ids.dedup();
        for id in &member_ids {
            match users.iter().find(|u| u.id == *id && u.active) {
                None => problems.push(field(
                    "member_user_ids",
                    format!("利用者 ID {id} は登録されていません"),
                )),
                // Members see personal data: only the roles the plan names sit on a meeting.
                Some(u) if !u.role.sits_on_meetings() => problems.push(field(
                    "member_user_ids",
                    format!(
                        "{}（{}）は会議の構成員にできません",
                        u.display_name,
                        u.role.label()
                    ),
                )),
                Some(_) => {}
            }
        }
        let (Some(kind), Some(starts_at), Some(recurrence)) = (kind, starts_at, recurrence) else {
            return Err(AppError::Invalid(problems));
        };
        let mut meetings = Vec::new();
        for at in recurrence.occurrences(starts_at) {
            let title = match input.title.trim() {
                "" => self.kind_name(kind),
                t => t.to_owned(),
            };
            meetings.push(NewMeeting {
                kind,
                title,
                starts_at: at,
                place: input.place.trim().to_owned(),
                created_by: actor.id(),
                member_user_ids: member_ids.clone(),
            });
            if let Some(time) = paired {
                match paired_support_conference(at, time) {
                    Ok(support_at) => meetings.push(NewMeeting {
                        kind: MeetingKind::SupportConference,
                        title: self.kind_name(MeetingKind::SupportConference),
                        starts_at: support_at,
                        place: input.place.trim().to_owned(),
                        created_by: actor.id(),
                        member_user_ids: member_ids.clone(),
                    }),
                    Err(m) => {
                        problems.push(field("support_conference_at", m));
                        break;
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let ids = self
            .repo
            .create_meetings(
                &meetings,
                actor.audit(AuditAction::MeetingScheduled).detail(format!(
                    "{} {} 件",
                    kind.code(),
                    meetings.len()
                )),
            )
            .await?;
        Ok(ids)
    }

    /// Non-members get 404 (the meeting's existence is not disclosed).
    pub async fn meeting_access(&self, actor: &Actor, id: i64) -> Result<MeetingAccess, AppError> {
        if !policy::sits_on_meetings(actor) {
            return Err(AppError::NotFound);
        }
        let meeting = self.repo.meeting(id).await?.ok_or(AppError::NotFound)?;
        let member = meeting.member(actor.id()).map(|m| m.pledged_at.is_some());
        match policy::meeting_access(actor, member, meeting.row.kind.requires_pledge()) {
            policy::MeetingAccess::Hidden => Err(AppError::NotFound),
            policy::MeetingAccess::PledgeFirst => Ok(MeetingAccess::PledgeFirst(meeting)),
            policy::MeetingAccess::Open => Ok(MeetingAccess::Open(meeting)),
        }
    }

    /// The meeting's material, for members who may open it; 403 with the reason
    /// for a member of a 支援会議 who has not pledged.
    pub async fn open_meeting(&self, actor: &Actor, id: i64) -> Result<Meeting, AppError> {
        match self.meeting_access(actor, id).await? {
            MeetingAccess::Open(m) => Ok(m),
            MeetingAccess::PledgeFirst(_) => Err(AppError::forbidden(PLEDGE_REQUIRED)),
        }
    }

    pub async fn pledge(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let meeting = match self.meeting_access(actor, id).await? {
            MeetingAccess::Open(m) | MeetingAccess::PledgeFirst(m) => m,
        };
        if !meeting.row.kind.requires_pledge() {
            return Err(AppError::conflict(
                "守秘義務の確認が必要なのは支援会議だけです",
            ));
        }
        self.repo
            .pledge(id, actor.id(), actor.audit(AuditAction::MeetingPledged))
            .await
            .map_err(AppError::from)
    }

    /// Puts a case on the agenda: the user must see the case through their own
    /// involvement (not through another meeting) and be able to open the meeting.
    /// The consent gate refuses an unconsented case for a meeting that needs consent.
    pub async fn add_agenda(
        &self,
        actor: &Actor,
        meeting_id: i64,
        case_id: i64,
    ) -> Result<Result<(), GateRefusal>, AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let case = self
            .repo
            .case(case_id)
            .await?
            .filter(|c| c.agency_ids.iter().any(|a| actor.agency_ids.contains(a)))
            .ok_or(AppError::NotFound)?;
        if !case_state(&case)?.is_open() {
            return Err(AppError::conflict("終わったケースは議題にできません"));
        }
        let kind = meeting.row.kind;
        let consented = self.person_consented(&case).await?;
        if let Err(refused) = agenda_gate(kind, consented, |k| self.kind_name(k)) {
            self.repo
                .append_audit(
                    actor
                        .audit(AuditAction::AgendaRefused)
                        .record("meeting", meeting_id)
                        .detail(format!("ケース ID {case_id}: 本人同意なし")),
                )
                .await?;
            return Ok(Err(GateRefusal {
                message: refused.message,
                instead: refused.instead,
            }));
        }
        self.repo
            .add_agenda_item(
                meeting_id,
                case_id,
                actor.id(),
                actor
                    .audit(AuditAction::AgendaAdded)
                    .detail(format!("ケース ID {case_id}")),
            )
            .await?;
        Ok(Ok(()))
    }

    /// Puts a topic on the agenda: a theme in words, with the 年度 whose
    /// 事業実績 it brings before the meeting. Not on a よりそい会議 (cases with
    /// 本人同意 only).
    pub async fn add_topic(
        &self,
        actor: &Actor,
        meeting_id: i64,
        input: &TopicInput,
    ) -> Result<i64, AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let kind = meeting.row.kind;
        if !kind.takes_topics() {
            return Err(AppError::conflict(format!(
                "{}の議題は、本人の同意があるケースだけです。テーマは{}・{}で取り上げてください",
                self.kind_name(kind),
                self.kind_name(MeetingKind::CouncilPlenary),
                self.kind_name(MeetingKind::CouncilWorkingGroup)
            )));
        }
        let topic = input.parse().map_err(AppError::Invalid)?;
        Ok(self
            .repo
            .add_agenda_topic(
                meeting_id,
                &topic,
                actor.id(),
                actor
                    .audit(AuditAction::AgendaAdded)
                    .detail(match topic.fiscal_year {
                        Some(y) => format!("議題（{}の事業実績）", y.label()),
                        None => "議題".to_owned(),
                    }),
            )
            .await?)
    }

    /// Puts someone not yet consulted on a 支援会議's agenda: an アウトリーチ
    /// target the actor works (others: not found), with its situation in
    /// words. Other kinds refuse (本人同意 is their condition).
    pub async fn add_outreach_item(
        &self,
        actor: &Actor,
        meeting_id: i64,
        target_id: i64,
    ) -> Result<i64, AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let target = self
            .visible_target(actor, target_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let kind = meeting.row.kind;
        if !kind.takes_unconsulted() {
            return Err(AppError::conflict(format!(
                "相談につながっていない人（アウトリーチの対象）を取り上げるのは{}（法第106条の6）です。{}の議題にはできません",
                self.kind_name(MeetingKind::SupportConference),
                self.kind_name(kind)
            )));
        }
        let situation = match target.name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => format!("{name}: {}", target.description),
            _ => target.description.clone(),
        };
        self.repo
            .add_agenda_outreach(
                meeting_id,
                target.id,
                &situation,
                actor.id(),
                actor
                    .audit(AuditAction::AgendaAdded)
                    .detail(format!("アウトリーチ対象 ID {}", target.id)),
            )
            .await
            .map_err(AppError::from)
    }

    /// Links an agenda item about someone not yet consulted (an アウトリーチ
    /// target, or a situation at a 支援会議) to the consultation that person
    /// came to. The actor must open the meeting and see the consultation's
    /// person (others: not found).
    pub async fn link_agenda_consultation(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item_id: i64,
        consultation_id: i64,
    ) -> Result<(), AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let item = meeting
            .agenda
            .iter()
            .find(|a| a.id == item_id)
            .ok_or(AppError::NotFound)?;
        if !item.subject.may_link_consultation(meeting.row.kind) {
            return Err(AppError::conflict(
                "相談とひも付けられるのは、相談につながっていない人の議題（支援会議）だけです",
            ));
        }
        self.consultation_person_id(actor, consultation_id).await?;
        self.repo
            .link_agenda_consultation(
                item_id,
                consultation_id,
                actor
                    .audit(AuditAction::AgendaLinked)
                    .record("meeting", meeting_id)
                    .detail(format!("議題 ID {item_id} → 相談 ID {consultation_id}")),
            )
            .await
            .map_err(AppError::from)
    }

    /// 出席 / 欠席 of members (`(user id, attended)`), from the meeting's
    /// day on; each is written with its own audit event. The meeting is
    /// opened first, so an empty list still answers not found to those
    /// who may not open it.
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        meeting_id: i64,
        marks: &[(i64, bool)],
    ) -> Result<(), AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        if marks.is_empty() {
            return Ok(());
        }
        self.held_yet(&meeting, "出欠")?;
        if let Some((user_id, _)) = marks.iter().find(|(u, _)| meeting.member(*u).is_none()) {
            return Err(AppError::invalid(
                "user_id",
                format!("利用者 ID {user_id} はこの会議の構成員ではありません"),
            ));
        }
        for &(user_id, attended) in marks {
            self.repo
                .record_attendance(
                    meeting_id,
                    user_id,
                    attended,
                    actor.audit(AuditAction::AttendanceRecorded).detail(format!(
                        "利用者 ID {user_id}: {}",
                        if attended { "出席" } else { "欠席" }
                    )),
                )
                .await?;
        }
        Ok(())
    }

    /// An attendee who is not a user (本人, family, 推進員, 民生委員, an
    /// outside professional), from the meeting's day on; 本人 not at a 支援会議.
    pub async fn add_attendee(
        &self,
        actor: &Actor,
        meeting_id: i64,
        input: &AttendeeInput,
    ) -> Result<i64, AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let attendee = input.parse(meeting.row.kind).map_err(AppError::Invalid)?;
        self.held_yet(&meeting, "出席者")?;
        self.repo
            .add_attendee(
                meeting_id,
                &attendee,
                actor.id(),
                // The audit trail names the role, not the person.
                actor.audit(AuditAction::AttendanceRecorded).detail(format!(
                    "利用者でない出席者（{}）: {}",
                    attendee.role.label(),
                    if attendee.attended {
                        "出席"
                    } else {
                        "欠席"
                    }
                )),
            )
            .await
            .map_err(AppError::from)
    }

    /// What happened at a meeting is recorded from its day on.
    fn held_yet(&self, meeting: &Meeting, what: &str) -> Result<(), AppError> {
        let held_on = meeting.row.starts_at.date();
        if held_on > self.today() {
            return Err(AppError::conflict(format!(
                "{what}は会議の日（{}）から記録できます",
                EraDate::from_date(held_on).label()
            )));
        }
        Ok(())
    }

    /// Saves the minutes; with `version` (as the minutes were read), a save
    /// over someone else's since is refused (409) instead of overwriting it.
    pub async fn save_minutes(
        &self,
        actor: &Actor,
        meeting_id: i64,
        version: Option<&str>,
        minutes: &str,
    ) -> Result<(), AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        // Minutes record what was said: not before the meeting's day.
        let held_on = meeting.row.starts_at.date();
        if held_on > self.today() && !minutes.trim().is_empty() {
            return Err(AppError::invalid(
                "minutes",
                format!(
                    "議事録は会議の日（{}）から記録できます",
                    EraDate::from_date(held_on).label()
                ),
            ));
        }
        self.repo
            .save_minutes(
                meeting_id,
                version.map(str::trim).filter(|v| !v.is_empty()),
                minutes.trim(),
                actor.id(),
                actor.audit(AuditAction::MinutesSaved),
            )
            .await?;
        Ok(())
    }

    /// Records a decision: its task for an agency, and/or the agreement of the
    /// case's newest plan version at a よりそい会議.
    pub async fn add_decision(
        &self,
        actor: &Actor,
        meeting_id: i64,
        input: &DecisionInput,
    ) -> Result<i64, AppError> {
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let kind = meeting.row.kind;
        let mut problems = Vec::new();
        let field = |f: &str, m: &str| FieldError {
            field: f.into(),
            message: m.into(),
        };
        if let Some(case_id) = input.case_id
            && !meeting.agenda.iter().any(|a| a.case_id() == Some(case_id))
        {
            problems.push(field("case_id", "このケースはこの会議の議題にありません"));
        }
        if let Some(item_id) = input.agenda_item_id {
            let is_topic = meeting.agenda.iter().any(|a| {
                a.id == item_id
                    && matches!(
                        a.subject,
                        AgendaSubject::Topic(_) | AgendaSubject::Outreach { .. }
                    )
            });
            if !is_topic {
                problems.push(field("agenda_item_id", "この議題はこの会議にありません"));
            } else if input.case_id.is_some() {
                problems.push(field(
                    "agenda_item_id",
                    "決定事項はケースか議題のどちらか一方について記録します",
                ));
            }
        }
        let text = input.text.trim();
        if text.is_empty() && !input.agree_plan {
            problems.push(field("text", "決定事項を書いてください"));
        }
        let task_given = input.task_agency_id.is_some()
            || !input.task_title.trim().is_empty()
            || !input.task_due_on.trim().is_empty();
        let mut task = None;
        if task_given {
            let agencies = self.agencies().await?;
            match input.task_agency_id {
                Some(id) if agencies.iter().any(|a| a.id == id && a.active) => {}
                Some(_) => {
                    problems.push(field("task_agency_id", "タスクの機関が登録されていません"))
                }
                None => problems.push(field(
                    "task_agency_id",
                    "タスクを担当する機関を選んでください",
                )),
            }
            if input.task_title.trim().is_empty() {
                problems.push(field("task_title", "タスクの内容を書いてください"));
            }
            let due_on = if input.task_due_on.trim().is_empty() {
                None
            } else {
                EraDate::parse(&input.task_due_on)
                    .map_err(|e| problems.push(field("task_due_on", &e.to_string())))
                    .ok()
                    .map(EraDate::date)
            };
            // A deadline given today cannot already have passed.
            if let Some(due) = due_on
                && due < self.today()
            {
                problems.push(field(
                    "task_due_on",
                    &format!(
                        "期限（{}）はもう過ぎています",
                        EraDate::from_date(due).label()
                    ),
                ));
            }
            if let Some(agency_id) = input.task_agency_id {
                task = Some(NewTask {
                    agency_id,
                    title: input.task_title.trim().to_owned(),
                    due_on,
                });
            }
        }
        let mut agreement = None;
        if input.agree_plan {
            match input.case_id {
                None => problems.push(field(
                    "case_id",
                    "合意する支援プランのケースを選んでください",
                )),
                Some(_) if !kind.agrees_plans() => problems.push(field(
                    "agree_plan",
                    &format!(
                        "支援プランの合意は{}で行います",
                        self.kind_name(MeetingKind::CaseConference)
                    ),
                )),
                Some(case_id) => {
                    match self
                        .plan_agreement(case_id, meeting.row.starts_at.date())
                        .await
                    {
                        Ok(a) => agreement = Some(a),
                        Err(m) => problems.push(field("agree_plan", &m)),
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let text = if text.is_empty() {
            "支援プランを合意した".to_owned()
        } else {
            text.to_owned()
        };
        self.repo
            .add_decision(
                &NewDecision {
                    meeting_id,
                    case_id: input.case_id,
                    agenda_item_id: input.agenda_item_id,
                    text,
                    created_by: actor.id(),
                    task,
                    agreement,
                },
                actor
                    .audit(AuditAction::DecisionRecorded)
                    .detail(match input.case_id {
                        Some(c) => format!("ケース ID {c}"),
                        None => String::new(),
                    }),
            )
            .await
            .map_err(AppError::from)
    }

    /// What agreeing the case's newest plan version does, or why it cannot be.
    async fn plan_agreement(&self, case_id: i64, on: NaiveDate) -> Result<PlanAgreement, String> {
        let case = self
            .repo
            .case(case_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("ケースが見つかりません")?;
        let consented = self
            .person_consented(&case)
            .await
            .map_err(|e| e.to_string())?;
        if !consented {
            return Err("本人の同意が確認できないケースの支援プランは合意できません".into());
        }
        let plans = self
            .repo
            .plans_of(case_id)
            .await
            .map_err(|e| e.to_string())?;
        let newest = plans
            .first()
            .ok_or("このケースにはまだ支援プランがありません")?;
        if newest.is_agreed() {
            return Err(format!(
                "支援プラン 第{}版はすでに合意されています",
                newest.version
            ));
        }
        let current = case.state;
        let case_state = match current {
            CaseState::Planning => {
                let next = current
                    .after(CaseStep::StartSupport, true)
                    .map_err(|e| e.message)?;
                Some((current, next))
            }
            CaseState::Support | CaseState::Monitoring => None,
            other => {
                return Err(format!(
                    "「{}」のケースの支援プランは合意できません",
                    other.label()
                ));
            }
        };
        Ok(PlanAgreement {
            plan_id: newest.id,
            agreed_on: on,
            tasks: newest
                .plan
                .assignments
                .iter()
                .flat_map(|a| {
                    a.tasks.iter().map(|t| NewTask {
                        agency_id: a.agency_id,
                        title: t.title.clone(),
                        due_on: t.due_on,
                    })
                })
                .collect(),
            agency_ids: newest.plan.agency_ids(),
            case_state,
        })
    }

    /// Marks a task of one of the actor's agencies done; a task a 支援会議
    /// gave only by a member who pledged (others are answered not found).
    pub async fn complete_task(
        &self,
        actor: &Actor,
        task_id: i64,
    ) -> Result<tsunagaru_store::Task, AppError> {
        let task = self.repo.task(task_id).await?.ok_or(AppError::NotFound)?;
        // A 支援会議's task is done only by those who may see it: pledged members.
        let sees_output = self.meeting_output(actor).visible(task.meeting_id).await?;
        if !policy::may_complete_task(actor, task.agency_id, sees_output) {
            return Err(AppError::NotFound);
        }
        self.repo
            .complete_task(
                task.id,
                actor.id(),
                self.today(),
                actor.audit(AuditAction::TaskCompleted),
            )
            .await
            .map_err(AppError::from)
    }

    /// The task the actor just marked 完了, while it can still be undone
    /// (for the notice that offers the undo); `None` otherwise.
    pub async fn undoable_task(
        &self,
        actor: &Actor,
        task_id: i64,
    ) -> Result<Option<tsunagaru_store::Task>, AppError> {
        let Some(task) = self.repo.task(task_id).await? else {
            return Ok(None);
        };
        let sees_output = self.meeting_output(actor).visible(task.meeting_id).await?;
        let window = chrono::Duration::minutes(tsunagaru_domain::case::TASK_UNDO_MINUTES);
        let undoable = policy::may_complete_task(actor, task.agency_id, sees_output)
            && task.state == tsunagaru_domain::plan::TaskState::Done
            && task.done_by == Some(actor.id())
            && task
                .done_at
                .is_some_and(|at| at >= self.clock().now() - window);
        Ok(undoable.then_some(task))
    }

    /// Opens again a task the actor marked 完了 less than
    /// [`TASK_UNDO_MINUTES`](tsunagaru_domain::case::TASK_UNDO_MINUTES) ago
    /// (a slip of the finger). Anyone who may not complete it gets not
    /// found; a task done by another, or too long ago, is a conflict.
    pub async fn reopen_task(
        &self,
        actor: &Actor,
        task_id: i64,
    ) -> Result<tsunagaru_store::Task, AppError> {
        let task = self.repo.task(task_id).await?.ok_or(AppError::NotFound)?;
        let sees_output = self.meeting_output(actor).visible(task.meeting_id).await?;
        if !policy::may_complete_task(actor, task.agency_id, sees_output) {
            return Err(AppError::NotFound);
        }
        let window = chrono::Duration::minutes(tsunagaru_domain::case::TASK_UNDO_MINUTES);
        self.repo
            .reopen_task(
                task.id,
                actor.id(),
                self.clock().now() - window,
                actor.audit(AuditAction::TaskReopened),
            )
            .await
            .map_err(AppError::from)
    }
}

/// Whether the actor sees each meeting's output, asked once per meeting.
struct MeetingOutput<'a> {
    app: &'a App,
    actor: &'a Actor,
    known: HashMap<i64, bool>,
}

impl MeetingOutput<'_> {
    async fn visible(&mut self, meeting_id: Option<i64>) -> Result<bool, AppError> {
        let Some(id) = meeting_id else {
            return Ok(true);
        };
        if let Some(v) = self.known.get(&id) {
            return Ok(*v);
        }
        let v = self.app.sees_meeting_output(self.actor, id).await?;
        self.known.insert(id, v);
        Ok(v)
    }
}

impl App {
    fn meeting_output<'a>(&'a self, actor: &'a Actor) -> MeetingOutput<'a> {
        MeetingOutput {
            app: self,
            actor,
            known: HashMap::new(),
        }
    }

    /// Keeps the tasks the actor may see (home page, API, case page).
    pub async fn tasks_visible(
        &self,
        actor: &Actor,
        tasks: Vec<Task>,
    ) -> Result<Vec<Task>, AppError> {
        let mut output = self.meeting_output(actor);
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            if output.visible(task.meeting_id).await? {
                out.push(task);
            }
        }
        Ok(out)
    }

    /// A case's tasks and its record (経過) as the actor may see them.
    pub async fn case_tasks_and_events(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> Result<(Vec<Task>, Vec<CaseEvent>), AppError> {
        let mut output = self.meeting_output(actor);
        let mut tasks = Vec::new();
        for task in self.repo.tasks_of_case(case_id).await? {
            if output.visible(task.meeting_id).await? {
                tasks.push(task);
            }
        }
        let mut events = Vec::new();
        for event in self.repo.case_events(case_id).await? {
            if output.visible(event.meeting_id).await? {
                events.push(event);
            }
        }
        Ok((tasks, events))
    }

    /// Whether the actor sees what this meeting produced.
    pub async fn sees_meeting_output(
        &self,
        actor: &Actor,
        meeting_id: i64,
    ) -> Result<bool, AppError> {
        let Some(meeting) = self.repo.meeting(meeting_id).await? else {
            return Ok(false);
        };
        let requires_pledge = meeting.row.kind.requires_pledge();
        let pledged = actor
            .user_id
            .and_then(|id| meeting.member(id))
            .is_some_and(|m| m.pledged_at.is_some());
        Ok(policy::sees_meeting_output(requires_pledge, pledged))
    }
}

/// A case on a meeting's agenda, as shared in that meeting.
pub struct AgendaRecord {
    pub position: i64,
    pub case: Case,
    pub person: Option<Person>,
    pub consultation: Option<Consultation>,
    /// 本人's 同意 now.
    pub consented: bool,
    pub plans: Vec<PlanVersion>,
}

/// A topic on a meeting's agenda, with the 年度's 事業実績 it brings (the
/// whole city's, as the 全体会 evaluates it).
pub struct TopicRecord {
    pub item_id: i64,
    pub position: i64,
    pub title: String,
    pub fiscal_year: Option<FiscalYear>,
    pub report: Option<crate::reports::AnnualReport>,
    /// A situation at a 支援会議: the consultation its person came to.
    pub consultation_id: Option<i64>,
    /// Whether the item can be linked to a consultation (支援会議).
    pub links_consultation: bool,
}

/// Someone not yet consulted on a 支援会議's agenda: an アウトリーチ target.
pub struct UnconsultedRecord {
    pub item_id: i64,
    pub position: i64,
    pub target_id: i64,
    /// The situation in words, as put on the agenda.
    pub situation: String,
    /// The target, when the actor works it (their agency or the 事務局).
    pub target: Option<OutreachTarget>,
    /// The consultation the person came to (linked, or the target's own).
    pub consultation_id: Option<i64>,
}

/// A meeting's material for a member who may open it.
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaRecord>,
    pub topics: Vec<TopicRecord>,
    /// People not yet consulted (支援会議).
    pub unconsulted: Vec<UnconsultedRecord>,
    /// Cases on the agenda withheld because 本人 withdrew consent after they
    /// were put on it (a meeting that requires consent shows them no more).
    pub withheld: usize,
    pub tasks: Vec<Task>,
}

impl App {
    /// The meetings the actor sits on.
    pub async fn meetings_of(&self, actor: &Actor) -> Result<Vec<MeetingRow>, AppError> {
        if !policy::sits_on_meetings(actor) {
            return Ok(Vec::new());
        }
        Ok(self.repo.meetings_of_user(actor.id()).await?)
    }

    /// The open tasks of the actor's agencies that the actor may see.
    pub async fn open_tasks(&self, actor: &Actor) -> Result<Vec<Task>, AppError> {
        if !policy::sits_on_meetings(actor) {
            return Ok(Vec::new());
        }
        let tasks = self.repo.open_tasks_of(&actor.agency_ids).await?;
        self.tasks_visible(actor, tasks).await
    }

    /// The meeting's material (members; a 支援会議 after the member's
    /// pledge); the view is audited. On a meeting that requires consent, a
    /// case whose person withdrew consent is withheld.
    pub async fn meeting_record(
        &self,
        actor: &Actor,
        id: i64,
        reading: Reading,
    ) -> Result<MeetingRecord, AppError> {
        let meeting = self.open_meeting(actor, id).await?;
        let kind = meeting.row.kind;
        let mut agenda = Vec::new();
        let mut topics = Vec::new();
        let mut unconsulted = Vec::new();
        let mut reports: HashMap<FiscalYear, crate::reports::AnnualReport> = HashMap::new();
        let mut withheld = 0;
        for item in &meeting.agenda {
            let case_id = match &item.subject {
                AgendaSubject::Case(id) => *id,
                AgendaSubject::Topic(topic) => {
                    // Each 年度 is counted once however many topics bring it.
                    let report = match topic.fiscal_year {
                        Some(year) => Some(match reports.get(&year) {
                            Some(r) => r.clone(),
                            None => {
                                let r = self
                                    .report_with_indicators(
                                        &tsunagaru_store::ReportScope::City,
                                        year,
                                    )
                                    .await?;
                                reports.insert(year, r.clone());
                                r
                            }
                        }),
                        None => None,
                    };
                    topics.push(TopicRecord {
                        item_id: item.id,
                        position: item.position,
                        title: topic.title.clone(),
                        fiscal_year: topic.fiscal_year,
                        report,
                        consultation_id: item.consultation_id,
                        links_consultation: item.subject.may_link_consultation(kind),
                    });
                    continue;
                }
                AgendaSubject::Outreach {
                    target_id,
                    situation,
                } => {
                    // The target's own connection counts as the item's link.
                    let target = self.repo.target(*target_id).await?;
                    let consultation_id = item
                        .consultation_id
                        .or(target.as_ref().and_then(|t| t.consultation_id));
                    let target = match target {
                        Some(t) => self.target_if_visible(actor, t).await?,
                        None => None,
                    };
                    unconsulted.push(UnconsultedRecord {
                        item_id: item.id,
                        position: item.position,
                        target_id: *target_id,
                        situation: situation.clone(),
                        target,
                        consultation_id,
                    });
                    continue;
                }
            };
            let Some(case) = self.repo.case(case_id).await? else {
                continue;
            };
            let consultation = self.repo.consultation(case.consultation_id).await?;
            let consented = consultation
                .as_ref()
                .is_some_and(crate::cases::self_consented);
            if kind.requires_consent() && !consented {
                withheld += 1;
                continue;
            }
            let person = self
                .repo
                .person(case.person_id)
                .await?
                .map(|p| p.for_viewer(actor.id()));
            let plans = self.repo.plans_of(case.id).await?;
            agenda.push(AgendaRecord {
                position: item.position,
                case,
                person,
                consultation,
                consented,
                plans,
            });
        }
        let tasks = self.repo.tasks_of_meeting(id).await?;
        self.repo
            .append_audit(
                actor
                    .audit(match reading {
                        Reading::Screen => AuditAction::MeetingViewed,
                        Reading::Print => AuditAction::MeetingPrinted,
                    })
                    .record("meeting", id)
                    .detail({
                        let reports: Vec<String> = topics
                            .iter()
                            .filter_map(|t| t.fiscal_year)
                            .map(|y| format!("{}の事業実績", y.label()))
                            .collect();
                        let items = agenda.len() + topics.len() + unconsulted.len();
                        if reports.is_empty() {
                            format!("議題 {items} 件")
                        } else {
                            format!("議題 {items} 件（{}）", reports.join("・"))
                        }
                    }),
            )
            .await?;
        Ok(MeetingRecord {
            meeting,
            agenda,
            topics,
            unconsulted,
            withheld,
            tasks,
        })
    }
}

/// A plan in force whose 次回見直し日 is near or passed, with the person's name.
#[derive(Debug, Clone)]
pub struct ReviewReminder {
    pub plan: ReviewDuePlan,
    pub person_name: String,
    pub due: ReviewDue,
}

impl App {
    /// The 事務局's reminders: plans in force of its open cases whose
    /// 次回見直し日 is within a week or passed. Empty for everyone else.
    /// Read as part of the desk, whose audit event counts them.
    pub(crate) async fn review_reminders(
        &self,
        actor: &Actor,
    ) -> Result<Vec<ReviewReminder>, AppError> {
        let Some(team) = self.team_agency(actor).await? else {
            return Ok(Vec::new());
        };
        let today = self.today();
        let until = today + chrono::Duration::days(tsunagaru_domain::case::REVIEW_REMINDER_DAYS);
        let due = self.repo.review_due_plans(&[team], until).await?;
        let mut out = Vec::with_capacity(due.len());
        for plan in due {
            let Some(due) = ReviewDue::of(plan.next_review_on, today) else {
                continue;
            };
            let person_name = plan.person_name.clone();
            out.push(ReviewReminder {
                plan,
                person_name,
                due,
            });
        }
        Ok(out)
    }

    /// The meeting cadence of the current 年度, for the 事務局 and city staff
    /// (who schedule meetings); `None` for everyone else.
    pub async fn meeting_cadence(&self, actor: &Actor) -> Result<Option<Cadence>, AppError> {
        if !self.may_schedule(actor).await? {
            return Ok(None);
        }
        let today = self.today();
        let year = FiscalYear::of(today);
        let days = self
            .repo
            .meeting_days(year.first_day(), year.last_day())
            .await?;
        Ok(Some(Cadence::of(year, today, &days)))
    }
}
