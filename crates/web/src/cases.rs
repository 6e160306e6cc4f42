//! 多機関協働 as both the API and the pages use it: who may open and work a
//! case, who sees it, the consent gate, meetings and their access rules.
//!
//! Every function checks access first and answers 404 for what the user may
//! not see; each change writes its audit event through the store.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::intake::visible_person;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::case::{
    CaseState, CaseStep, MeetingKind, Recurrence, agenda_gate, paired_support_conference,
    parse_meeting_start, parse_meeting_time,
};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::FieldError;
use tsunagaru_domain::plan::{AssessmentInput, ClosureInput, PlanInput};
use tsunagaru_store::{
    Case, CaseChange, Meeting, NewCase, NewDecision, NewMeeting, NewTask, PlanAgreement,
    PlanVersion, StoreError,
};

/// A store conflict (someone else moved the record) answers 409.
pub fn conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, message),
        other => other.into(),
    }
}

/// The 事務局 agency through which the user works 多機関協働, if any: the
/// 多機関協働 team is the 事務局's staff (CSW, 推進員 with an account there).
pub async fn team_agency(state: &AppState, user: &CurrentUser) -> Result<Option<i64>, ApiError> {
    if !user.role().works_with_persons() {
        return Ok(None);
    }
    let agencies = state.repo.agencies().await?;
    Ok(agencies
        .iter()
        .find(|a| a.secretariat && a.active && user.user.agency_ids.contains(&a.id))
        .map(|a| a.id))
}

/// The pack's name of a meeting kind (よりそい会議 …).
pub fn kind_name(state: &AppState, kind: MeetingKind) -> String {
    state
        .pack
        .meeting_kind(kind.code())
        .map(|k| k.name.clone())
        .unwrap_or_else(|| kind.code().to_owned())
}

/// A case the user may see: their agency is involved in it (受付機関, 事務局,
/// a role in an agreed plan), or they sit on a meeting that needs consent
/// and has the case on its agenda. A 支援会議 gives no access outside itself.
pub async fn visible_case(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<Case>, ApiError> {
    if !user.role().works_with_persons() {
        return Ok(None);
    }
    let Some(case) = state.repo.case(id).await? else {
        return Ok(None);
    };
    if case
        .agency_ids
        .iter()
        .any(|a| user.user.agency_ids.contains(a))
    {
        return Ok(Some(case));
    }
    let on_agenda = state.repo.meetings_with_case(id).await?;
    let sits_on = state.repo.meetings_of_user(user.user.id).await?;
    let seen = on_agenda.iter().any(|m| {
        MeetingKind::parse(&m.kind).is_some_and(|k| k.requires_consent())
            && sits_on.iter().any(|mine| mine.id == m.id)
    });
    Ok(seen.then_some(case))
}

/// A case the user may work on (the 多機関協働 team of its 事務局 and the
/// lead CSW); others who see it get 403 with the reason.
pub async fn workable_case(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Case, ApiError> {
    let case = visible_case(state, user, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if case.lead_user_id == user.user.id
        || user.user.agency_ids.contains(&case.secretariat_agency_id)
    {
        Ok(case)
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ケースを更新できるのは、担当CSWと多機関協働（事務局）の職員です",
        ))
    }
}

fn case_state(case: &Case) -> Result<CaseState, ApiError> {
    CaseState::parse(&case.state).ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ケースの状態を読み取れません",
        )
    })
}

fn refused(e: tsunagaru_domain::case::CaseStepRefused) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, e.message)
}

/// Whether the case's person consents now: 本人's 同意 on the intake sheet
/// (recording consent on the case sets it; a withdrawal there unsets it).
pub async fn person_consented(state: &AppState, case: &Case) -> Result<bool, ApiError> {
    let consultation = state.repo.consultation(case.consultation_id).await?;
    Ok(consultation.as_ref().is_some_and(self_consented))
}

/// 本人's 同意 on a sheet.
pub fn self_consented(consultation: &tsunagaru_store::Consultation) -> bool {
    consultation
        .household
        .iter()
        .any(|m| m.relationship == "本人" && m.consent == "yes")
}

/// Opens a case from a consultation the 事務局 received (sent to 重層事業 or
/// taken at its own counter).
pub async fn open_case(
    state: &AppState,
    user: &CurrentUser,
    consultation_id: i64,
) -> Result<i64, ApiError> {
    let consultation = state
        .repo
        .consultation(consultation_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    visible_person(state, user, consultation.person_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let Some(team) = team_agency(state, user).await? else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "多機関協働のケースを開けるのは事務局（多機関協働）の職員です",
        ));
    };
    let id = state
        .repo
        .create_case(
            &NewCase {
                consultation_id,
                person_id: consultation.person_id,
                origin_agency_id: consultation.agency_id,
                secretariat_agency_id: team,
                lead_user_id: user.user.id,
                opened_on: state.today(),
                opened_by: user.user.id,
            },
            user.audit(AuditAction::CaseOpened)
                .detail(format!("相談 ID {consultation_id}")),
        )
        .await
        .map_err(conflict)?;
    Ok(id)
}

/// Saves the アセスメント; a case in 受付 moves to アセスメント.
pub async fn save_assessment(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    input: &AssessmentInput,
) -> Result<Case, ApiError> {
    let case = workable_case(state, user, case_id).await?;
    let current = case_state(&case)?;
    let assessment = input.parse().map_err(ApiError::fields)?;
    let next = match current {
        CaseState::Intake => current
            .after(CaseStep::StartAssessment, false)
            .map_err(refused)?,
        s if s.is_open() => s,
        _ => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "このケースは終わっているため、アセスメントを変更できません",
            ));
        }
    };
    let mut change = CaseChange::new(
        current.code(),
        next.code(),
        "assess",
        user.user.id,
        state.today(),
    );
    change.assessment = Some(assessment);
    state
        .repo
        .update_case(
            case.id,
            &change,
            user.audit(AuditAction::CaseUpdated).detail("アセスメント"),
        )
        .await
        .map_err(conflict)
}

/// Checks a plan's agencies against the directory.
async fn check_agencies(state: &AppState, ids: &[i64]) -> Result<(), ApiError> {
    let agencies = state.repo.agencies().await?;
    let unknown: Vec<FieldError> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !agencies.iter().any(|a| a.id == **id && a.active))
        .map(|(i, id)| FieldError {
            field: format!("assignments[{i}].agency_id"),
            message: format!("機関 ID {id} は登録されていません"),
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::fields(unknown))
    }
}

/// Saves a new plan version (a draft). A case in アセスメント moves to
/// プラン作成; one in 受付 must be assessed first.
pub async fn save_plan(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    input: &PlanInput,
) -> Result<(i64, i64), ApiError> {
    let case = workable_case(state, user, case_id).await?;
    let current = case_state(&case)?;
    let plan = input.parse().map_err(ApiError::fields)?;
    check_agencies(state, &plan.agency_ids()).await?;
    let change = match current {
        CaseState::Intake => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "先にアセスメントを記録してください（支援プランはアセスメントの後に作ります）",
            ));
        }
        CaseState::Assessment => {
            let next = current
                .after(CaseStep::StartPlanning, false)
                .map_err(refused)?;
            Some(CaseChange::new(
                current.code(),
                next.code(),
                "plan",
                user.user.id,
                state.today(),
            ))
        }
        s if s.is_open() => None,
        _ => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "このケースは終わっているため、支援プランを作れません",
            ));
        }
    };
    state
        .repo
        .create_plan(
            case.id,
            &plan,
            user.user.id,
            change,
            user.audit(AuditAction::PlanSaved),
        )
        .await
        .map_err(conflict)
}

/// The plan in force: the newest agreed version.
pub fn agreed_plan(plans: &[PlanVersion]) -> Option<&PlanVersion> {
    plans.iter().find(|p| p.is_agreed())
}

/// モニタリング開始 / 支援再開.
pub async fn step_case(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    step: CaseStep,
) -> Result<Case, ApiError> {
    let case = workable_case(state, user, case_id).await?;
    let current = case_state(&case)?;
    let plans = state.repo.plans_of(case.id).await?;
    let next = current
        .after(step, agreed_plan(&plans).is_some())
        .map_err(refused)?;
    let code = match step {
        CaseStep::StartMonitoring => "monitor",
        CaseStep::ResumeSupport => "resume",
        _ => "step",
    };
    state
        .repo
        .update_case(
            case.id,
            &CaseChange::new(
                current.code(),
                next.code(),
                code,
                user.user.id,
                state.today(),
            ),
            user.audit(AuditAction::CaseUpdated).detail(step.label()),
        )
        .await
        .map_err(conflict)
}

/// 終結 with the 終結時評価 of every goal of the plan in force.
pub async fn close_case(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    input: &ClosureInput,
) -> Result<Case, ApiError> {
    let case = workable_case(state, user, case_id).await?;
    let current = case_state(&case)?;
    let plans = state.repo.plans_of(case.id).await?;
    let next = current
        .after(CaseStep::Close, agreed_plan(&plans).is_some())
        .map_err(refused)?;
    let goals = agreed_plan(&plans)
        .map(|p| p.plan.goals.clone())
        .unwrap_or_default();
    let closure = input.parse(&goals).map_err(ApiError::fields)?;
    let mut change = CaseChange::new(
        current.code(),
        next.code(),
        "close",
        user.user.id,
        state.today(),
    );
    change.closure = Some(closure);
    state
        .repo
        .update_case(
            case.id,
            &change,
            user.audit(AuditAction::CaseUpdated).detail("終結"),
        )
        .await
        .map_err(conflict)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReturnInput {
    pub agency_id: Option<i64>,
    pub reason: String,
}

/// 戻り: back to one agency, with the reason.
pub async fn return_case(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    input: &ReturnInput,
) -> Result<Case, ApiError> {
    let case = workable_case(state, user, case_id).await?;
    let current = case_state(&case)?;
    let next = current
        .after(CaseStep::ReturnToAgency, false)
        .map_err(refused)?;
    let mut problems = Vec::new();
    let agencies = state.repo.agencies().await?;
    match input.agency_id {
        None => problems.push(FieldError {
            field: "agency_id".into(),
            message: "戻す機関を選んでください".into(),
        }),
        Some(id) if !agencies.iter().any(|a| a.id == id && a.active) => problems.push(FieldError {
            field: "agency_id".into(),
            message: format!("機関 ID {id} は登録されていません"),
        }),
        Some(_) => {}
    }
    if input.reason.trim().is_empty() {
        problems.push(FieldError {
            field: "reason".into(),
            message: "戻りの理由を書いてください".into(),
        });
    }
    if !problems.is_empty() {
        return Err(ApiError::fields(problems));
    }
    let mut change = CaseChange::new(
        current.code(),
        next.code(),
        "return",
        user.user.id,
        state.today(),
    );
    change.returned_to = input.agency_id.map(|a| (a, input.reason.trim().to_owned()));
    state
        .repo
        .update_case(
            case.id,
            &change,
            user.audit(AuditAction::CaseUpdated).detail("戻り"),
        )
        .await
        .map_err(conflict)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConsentInput {
    /// 和暦 or 西暦.
    pub confirmed_on: String,
    pub confirmed_by: String,
}

/// Records the person's consent given after the intake (for よりそい会議): it
/// becomes 本人's 同意 on the sheet, in the same transaction.
pub async fn record_consent(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    input: &ConsentInput,
) -> Result<Case, ApiError> {
    let case = workable_case(state, user, case_id).await?;
    let current = case_state(&case)?;
    if !current.is_open() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "このケースは終わっています",
        ));
    }
    let mut problems = Vec::new();
    let on = EraDate::parse_happened(&input.confirmed_on, state.today(), "同意を確認した日")
        .map_err(|message| {
            problems.push(FieldError {
                field: "confirmed_on".into(),
                message,
            })
        })
        .ok();
    if input.confirmed_by.trim().is_empty() {
        problems.push(FieldError {
            field: "confirmed_by".into(),
            message: "同意を確認した人を書いてください".into(),
        });
    }
    let Some(on) = on.filter(|_| problems.is_empty()) else {
        return Err(ApiError::fields(problems));
    };
    let mut change = CaseChange::new(
        current.code(),
        current.code(),
        "consent",
        user.user.id,
        state.today(),
    );
    change.consent = Some((on, input.confirmed_by.trim().to_owned()));
    state
        .repo
        .update_case(
            case.id,
            &change,
            user.audit(AuditAction::CaseUpdated)
                .detail("本人同意の記録"),
        )
        .await
        .map_err(conflict)
}

// ---------------------------------------------------------------- meetings --

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    pub kind: String,
    /// Left empty: the pack's name of the kind.
    pub title: String,
    /// `2026-12-10T13:30`, `2026-12-10 13:30` or 和暦 date + `time`.
    pub starts_at: String,
    pub place: String,
    pub member_user_ids: Vec<i64>,
    /// once / monthly / three_times_a_year
    pub repeat: String,
    pub count: Option<u32>,
    /// For a よりそい会議: the time of the 支援会議 held the same day.
    pub support_conference_at: String,
}

/// Who may schedule meetings: the 多機関協働 team and city staff.
pub async fn may_schedule(state: &AppState, user: &CurrentUser) -> Result<bool, ApiError> {
    Ok(user.role() == tsunagaru_domain::Role::City || team_agency(state, user).await?.is_some())
}

/// Schedules a meeting, a series, and for a よりそい会議 optionally the
/// 支援会議 of the same day. Returns the ids, the first first.
pub async fn schedule(
    state: &AppState,
    user: &CurrentUser,
    input: &MeetingInput,
) -> Result<Vec<i64>, ApiError> {
    if !may_schedule(state, user).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
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
    let starts_at = parse_meeting_start(&input.starts_at, state.today())
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
    let users = state.repo.users().await?;
    for id in &input.member_user_ids {
        match users.iter().find(|u| u.id == *id && u.active) {
            None => problems.push(field(
                "member_user_ids",
                format!("利用者 ID {id} は登録されていません"),
            )),
            // Members see personal data: only roles that work with persons sit on a meeting.
            Some(u) if !u.role.works_with_persons() => problems.push(field(
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
        return Err(ApiError::fields(problems));
    };
    let mut meetings = Vec::new();
    for at in recurrence.occurrences(starts_at) {
        let title = match input.title.trim() {
            "" => kind_name(state, kind),
            t => t.to_owned(),
        };
        meetings.push(NewMeeting {
            kind: kind.code().into(),
            title,
            starts_at: at,
            place: input.place.trim().to_owned(),
            created_by: user.user.id,
            member_user_ids: input.member_user_ids.clone(),
        });
        if let Some(time) = paired {
            match paired_support_conference(at, time) {
                Ok(support_at) => meetings.push(NewMeeting {
                    kind: MeetingKind::SupportConference.code().into(),
                    title: kind_name(state, MeetingKind::SupportConference),
                    starts_at: support_at,
                    place: input.place.trim().to_owned(),
                    created_by: user.user.id,
                    member_user_ids: input.member_user_ids.clone(),
                }),
                Err(m) => {
                    problems.push(field("support_conference_at", m));
                    break;
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::fields(problems));
    }
    let ids = state
        .repo
        .create_meetings(
            &meetings,
            user.audit(AuditAction::MeetingScheduled).detail(format!(
                "{} {} 件",
                kind.code(),
                meetings.len()
            )),
        )
        .await?;
    Ok(ids)
}

/// A meeting as the user may open it.
pub enum MeetingAccess {
    /// A member who may open the material.
    Open(Meeting),
    /// A member of a 支援会議 who has not pledged yet.
    PledgeFirst(Meeting),
}

/// Non-members get 404 (the meeting's existence is not disclosed).
pub async fn meeting_access(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<MeetingAccess, ApiError> {
    if !user.role().works_with_persons() {
        return Err(ApiError::not_found());
    }
    let meeting = state
        .repo
        .meeting(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let Some(member) = meeting.member(user.user.id) else {
        return Err(ApiError::not_found());
    };
    let needs_pledge = MeetingKind::parse(&meeting.row.kind).is_some_and(|k| k.requires_pledge());
    if needs_pledge && member.pledged_at.is_none() {
        Ok(MeetingAccess::PledgeFirst(meeting))
    } else {
        Ok(MeetingAccess::Open(meeting))
    }
}

pub const PLEDGE_REQUIRED: &str =
    "支援会議の資料を開く前に、守秘義務の確認（法第106条の6第6項）を記録してください";

/// The meeting's material, for members who may open it; 403 with the reason
/// for a member of a 支援会議 who has not pledged.
pub async fn open_meeting(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Meeting, ApiError> {
    match meeting_access(state, user, id).await? {
        MeetingAccess::Open(m) => Ok(m),
        MeetingAccess::PledgeFirst(_) => Err(ApiError::new(StatusCode::FORBIDDEN, PLEDGE_REQUIRED)),
    }
}

pub async fn pledge(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), ApiError> {
    let meeting = match meeting_access(state, user, id).await? {
        MeetingAccess::Open(m) | MeetingAccess::PledgeFirst(m) => m,
    };
    if !MeetingKind::parse(&meeting.row.kind).is_some_and(|k| k.requires_pledge()) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "守秘義務の確認が必要なのは支援会議だけです",
        ));
    }
    state
        .repo
        .pledge(id, user.user.id, user.audit(AuditAction::MeetingPledged))
        .await
        .map_err(conflict)
}

/// Why the consent gate refused, with the kind offered instead.
pub struct GateRefusal {
    pub message: String,
    pub instead: Option<MeetingKind>,
}

/// Puts a case on the agenda: the user must see the case through their own
/// involvement (not through another meeting) and be able to open the meeting.
/// The consent gate refuses an unconsented case for a meeting that needs consent.
pub async fn add_agenda(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
    case_id: i64,
) -> Result<Result<(), GateRefusal>, ApiError> {
    let meeting = open_meeting(state, user, meeting_id).await?;
    let case = state
        .repo
        .case(case_id)
        .await?
        .filter(|c| {
            c.agency_ids
                .iter()
                .any(|a| user.user.agency_ids.contains(a))
        })
        .ok_or_else(ApiError::not_found)?;
    if !case_state(&case)?.is_open() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "終わったケースは議題にできません",
        ));
    }
    let kind = MeetingKind::parse(&meeting.row.kind).ok_or_else(ApiError::not_found)?;
    let consented = person_consented(state, &case).await?;
    if let Err(refused) = agenda_gate(kind, consented, |k| kind_name(state, k)) {
        state
            .repo
            .append_audit(
                user.audit(AuditAction::AgendaRefused)
                    .record("meeting", meeting_id)
                    .detail(format!("ケース ID {case_id}: 本人同意なし")),
            )
            .await?;
        return Ok(Err(GateRefusal {
            message: refused.message,
            instead: refused.instead,
        }));
    }
    state
        .repo
        .add_agenda_item(
            meeting_id,
            case_id,
            user.user.id,
            user.audit(AuditAction::AgendaAdded)
                .detail(format!("ケース ID {case_id}")),
        )
        .await
        .map_err(conflict)?;
    Ok(Ok(()))
}

pub async fn save_minutes(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
    minutes: &str,
) -> Result<(), ApiError> {
    open_meeting(state, user, meeting_id).await?;
    state
        .repo
        .save_minutes(
            meeting_id,
            minutes.trim(),
            user.user.id,
            user.audit(AuditAction::MinutesSaved),
        )
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub case_id: Option<i64>,
    pub text: String,
    /// A task for an agency (all three or none).
    pub task_agency_id: Option<i64>,
    pub task_title: String,
    /// 和暦 or 西暦.
    pub task_due_on: String,
    /// Agree the case's newest plan version (よりそい会議 only).
    pub agree_plan: bool,
}

/// Records a decision: its task for an agency, and/or the agreement of the
/// case's newest plan version at a よりそい会議.
pub async fn add_decision(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
    input: &DecisionInput,
) -> Result<i64, ApiError> {
    let meeting = open_meeting(state, user, meeting_id).await?;
    let kind = MeetingKind::parse(&meeting.row.kind).ok_or_else(ApiError::not_found)?;
    let mut problems = Vec::new();
    let field = |f: &str, m: &str| FieldError {
        field: f.into(),
        message: m.into(),
    };
    if let Some(case_id) = input.case_id
        && !meeting.agenda.iter().any(|a| a.case_id == case_id)
    {
        problems.push(field("case_id", "このケースはこの会議の議題にありません"));
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
        let agencies = state.repo.agencies().await?;
        match input.task_agency_id {
            Some(id) if agencies.iter().any(|a| a.id == id && a.active) => {}
            Some(_) => problems.push(field("task_agency_id", "タスクの機関が登録されていません")),
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
                    kind_name(state, MeetingKind::CaseConference)
                ),
            )),
            Some(case_id) => {
                match plan_agreement(state, case_id, meeting.row.starts_at.date()).await {
                    Ok(a) => agreement = Some(a),
                    Err(m) => problems.push(field("agree_plan", &m)),
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::fields(problems));
    }
    let text = if text.is_empty() {
        "支援プランを合意した".to_owned()
    } else {
        text.to_owned()
    };
    state
        .repo
        .add_decision(
            &NewDecision {
                meeting_id,
                case_id: input.case_id,
                text,
                created_by: user.user.id,
                task,
                agreement,
            },
            user.audit(AuditAction::DecisionRecorded)
                .detail(match input.case_id {
                    Some(c) => format!("ケース ID {c}"),
                    None => String::new(),
                }),
        )
        .await
        .map_err(conflict)
}

/// What agreeing the case's newest plan version does, or why it cannot be.
async fn plan_agreement(
    state: &AppState,
    case_id: i64,
    on: NaiveDate,
) -> Result<PlanAgreement, String> {
    let case = state
        .repo
        .case(case_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("ケースが見つかりません")?;
    let consented = person_consented(state, &case)
        .await
        .map_err(|e| e.message)?;
    if !consented {
        return Err("本人の同意が確認できないケースの支援プランは合意できません".into());
    }
    let plans = state
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
    let current = CaseState::parse(&case.state).ok_or("ケースの状態を読み取れません")?;
    let case_state = match current {
        CaseState::Planning => {
            let next = current
                .after(CaseStep::StartSupport, true)
                .map_err(|e| e.message)?;
            Some((current.code().to_owned(), next.code().to_owned()))
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

/// Marks a task of one of the user's agencies done.
pub async fn complete_task(
    state: &AppState,
    user: &CurrentUser,
    task_id: i64,
) -> Result<tsunagaru_store::Task, ApiError> {
    let task = state
        .repo
        .task(task_id)
        .await?
        .filter(|t| user.role().works_with_persons() && user.user.agency_ids.contains(&t.agency_id))
        .ok_or_else(ApiError::not_found)?;
    state
        .repo
        .complete_task(
            task.id,
            user.user.id,
            state.today(),
            user.audit(AuditAction::TaskCompleted),
        )
        .await
        .map_err(conflict)
}
