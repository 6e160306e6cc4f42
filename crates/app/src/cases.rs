//! 多機関協働: who may open and work a case, who sees it, its course
//! (アセスメント, 支援プラン, モニタリング, 終結, 戻り) and the consent recorded on it.
//!
//! Every function checks access first and answers not found for what the
//! actor may not see; each change writes its audit event in the store's
//! transaction.

use crate::{Actor, App, AppError, FieldError, policy};
use serde::Deserialize;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::case::{CaseState, CaseStep, MeetingKind};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::ConsentAnswer;
use tsunagaru_domain::plan::{AssessmentInput, ClosureInput, PlanInput};
use tsunagaru_store::{
    Case, CaseChange, CaseEvent, Consultation, MeetingRow, NewCase, Person, PlanVersion, Task,
};

pub(crate) fn case_state(case: &Case) -> Result<CaseState, AppError> {
    Ok(case.state)
}

fn refused(e: tsunagaru_domain::case::CaseStepRefused) -> AppError {
    AppError::conflict(e.message)
}

/// 本人's 同意 on a sheet.
pub fn self_consented(consultation: &tsunagaru_store::Consultation) -> bool {
    consultation
        .household
        .iter()
        .any(|m| m.relationship.is_self() && m.consent == ConsentAnswer::Yes)
}

/// The plan in force: the newest agreed version.
pub fn agreed_plan(plans: &[PlanVersion]) -> Option<&PlanVersion> {
    plans.iter().find(|p| p.is_agreed())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReturnInput {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub agency_id: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseConsentInput))]
#[serde(default)]
pub struct ConsentInput {
    /// 和暦 or 西暦.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub confirmed_on: String,
    pub confirmed_by: String,
}

impl App {
    /// The 事務局 agency through which the user works 多機関協働, if any: the
    /// 多機関協働 team is the 事務局's staff (CSW, 推進員 with an account there).
    pub async fn team_agency(&self, actor: &Actor) -> Result<Option<i64>, AppError> {
        if !actor.role.works_with_persons() {
            return Ok(None);
        }
        let agencies = self.agencies().await?;
        Ok(agencies
            .iter()
            .find(|a| a.secretariat && a.active && actor.agency_ids.contains(&a.id))
            .map(|a| a.id))
    }

    /// The pack's name of a meeting kind (よりそい会議 …).
    pub fn kind_name(&self, kind: MeetingKind) -> String {
        self.pack()
            .meeting_kind(kind.code())
            .map(|k| k.name.clone())
            .unwrap_or_else(|| kind.code().to_owned())
    }

    /// A case the user may see: their agency is involved in it (受付機関, 事務局,
    /// a role in an agreed plan), or they sit on a meeting that needs consent
    /// and has the case on its agenda while 本人 consents. A 支援会議 gives no
    /// access outside itself.
    pub async fn visible_case(&self, actor: &Actor, id: i64) -> Result<Option<Case>, AppError> {
        if !policy::works_with_persons(actor) {
            return Ok(None);
        }
        let Some(case) = self.repo.case(id).await? else {
            return Ok(None);
        };
        self.case_if_visible(actor, case).await
    }

    /// A case already read, kept if the actor may see it by the rule of
    /// [`App::visible_case`] (which reads it first): for lists whose rows
    /// came with the case.
    pub(crate) async fn case_if_visible(
        &self,
        actor: &Actor,
        case: Case,
    ) -> Result<Option<Case>, AppError> {
        if !policy::works_with_persons(actor) {
            return Ok(None);
        }
        let id = case.id;
        if policy::sees_case(actor, &case.agency_ids, false) {
            return Ok(Some(case));
        }
        let on_agenda = self.repo.meetings_with_case(id).await?;
        let sits_on = self.repo.meetings_of_user(actor.id()).await?;
        let on_a_meeting = on_agenda
            .iter()
            .any(|m| m.kind.requires_consent() && sits_on.iter().any(|mine| mine.id == m.id));
        // A withdrawal of consent ends what the よりそい会議 gave, at once.
        let via_meeting = on_a_meeting && self.person_consented(&case).await?;
        Ok(policy::sees_case(actor, &case.agency_ids, via_meeting).then_some(case))
    }

    /// A case the user may work on (the 多機関協働 team of its 事務局 and the
    /// lead CSW); others who see it get 403 with the reason.
    pub async fn workable_case(&self, actor: &Actor, id: i64) -> Result<Case, AppError> {
        let case = self
            .visible_case(actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if policy::may_work_case(actor, case.lead_user_id, case.secretariat_agency_id) {
            Ok(case)
        } else {
            Err(AppError::forbidden(
                "ケースを更新できるのは、担当CSWと多機関協働（事務局）の職員です",
            ))
        }
    }

    /// Whether the case's person consents now: 本人's 同意 on the intake sheet
    /// (recording consent on the case sets it; a withdrawal there unsets it).
    pub async fn person_consented(&self, case: &Case) -> Result<bool, AppError> {
        let consultation = self.repo.consultation(case.consultation_id).await?;
        Ok(consultation.as_ref().is_some_and(self_consented))
    }

    /// Opens a case from a consultation the 事務局 received (sent to 重層事業 or
    /// taken at its own counter).
    pub async fn open_case(&self, actor: &Actor, consultation_id: i64) -> Result<i64, AppError> {
        let consultation = self
            .repo
            .consultation(consultation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.visible_person(actor, consultation.person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let Some(team) = self.team_agency(actor).await? else {
            return Err(AppError::forbidden(
                "多機関協働のケースを開けるのは事務局（多機関協働）の職員です",
            ));
        };
        let id = self
            .repo
            .create_case(
                &NewCase {
                    consultation_id,
                    person_id: consultation.person_id,
                    origin_agency_id: consultation.agency_id,
                    secretariat_agency_id: team,
                    lead_user_id: actor.id(),
                    opened_on: self.today(),
                    opened_by: actor.id(),
                },
                actor
                    .audit(AuditAction::CaseOpened)
                    .detail(format!("相談 ID {consultation_id}")),
            )
            .await?;
        Ok(id)
    }

    /// Saves the アセスメント; a case in 受付 moves to アセスメント. With
    /// `version` (the `assessment_version` it was edited from), a save over
    /// someone else's since is refused (409).
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &AssessmentInput,
        version: Option<&str>,
    ) -> Result<Case, AppError> {
        let case = self.workable_case(actor, case_id).await?;
        let current = case_state(&case)?;
        let assessment = input.parse().map_err(AppError::Invalid)?;
        let next = match current {
            CaseState::Intake => current
                .after(CaseStep::StartAssessment, false)
                .map_err(refused)?,
            s if s.is_open() => s,
            _ => {
                return Err(AppError::conflict(
                    "このケースは終わっているため、アセスメントを変更できません",
                ));
            }
        };
        let mut change = CaseChange::new(current, next, "assess", actor.id(), self.today());
        change.assessment = Some(assessment);
        change.assessment_version = version.map(str::to_owned);
        self.repo
            .update_case(
                case.id,
                &change,
                actor.audit(AuditAction::CaseUpdated).detail("アセスメント"),
            )
            .await
            .map_err(AppError::from)
    }

    /// Checks a plan's agencies against the directory.
    async fn check_agencies(&self, ids: &[i64]) -> Result<(), AppError> {
        let agencies = self.agencies().await?;
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
            Err(AppError::Invalid(unknown))
        }
    }

    /// Saves a new plan version (a draft). A case in アセスメント moves to
    /// プラン作成; one in 受付 must be assessed first. With `based_on` (the
    /// newest version when the plan was opened, 0 for none), a version saved
    /// by someone else since refuses it (409).
    pub async fn save_plan(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &PlanInput,
        based_on: Option<i64>,
    ) -> Result<(i64, i64), AppError> {
        let case = self.workable_case(actor, case_id).await?;
        let current = case_state(&case)?;
        let plan = input.parse().map_err(AppError::Invalid)?;
        self.check_agencies(&plan.agency_ids()).await?;
        let change = match current {
            CaseState::Intake => {
                return Err(AppError::conflict(
                    "先にアセスメントを記録してください（支援プランはアセスメントの後に作ります）",
                ));
            }
            CaseState::Assessment => {
                let next = current
                    .after(CaseStep::StartPlanning, false)
                    .map_err(refused)?;
                Some(CaseChange::new(
                    current,
                    next,
                    "plan",
                    actor.id(),
                    self.today(),
                ))
            }
            s if s.is_open() => None,
            _ => {
                return Err(AppError::conflict(
                    "このケースは終わっているため、支援プランを作れません",
                ));
            }
        };
        self.repo
            .create_plan(
                case.id,
                &plan,
                based_on,
                actor.id(),
                change,
                actor.audit(AuditAction::PlanSaved),
            )
            .await
            .map_err(AppError::from)
    }

    /// モニタリング開始 / 支援再開.
    pub async fn step_case(
        &self,
        actor: &Actor,
        case_id: i64,
        step: CaseStep,
    ) -> Result<Case, AppError> {
        let case = self.workable_case(actor, case_id).await?;
        let current = case_state(&case)?;
        let plans = self.repo.plans_of(case.id).await?;
        let next = current
            .after(step, agreed_plan(&plans).is_some())
            .map_err(refused)?;
        let code = match step {
            CaseStep::StartMonitoring => "monitor",
            CaseStep::ResumeSupport => "resume",
            _ => "step",
        };
        self.repo
            .update_case(
                case.id,
                &CaseChange::new(current, next, code, actor.id(), self.today()),
                actor.audit(AuditAction::CaseUpdated).detail(step.label()),
            )
            .await
            .map_err(AppError::from)
    }

    /// 終結 with the 終結時評価 of every goal of the plan in force, agreed at a
    /// よりそい会議 (§3(5)エ(ア)「終結時等の評価」): the meeting must have had the
    /// case on its agenda, been held, and recorded a decision on it. The
    /// case's open tasks end with it.
    pub async fn close_case(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &ClosureInput,
    ) -> Result<Case, AppError> {
        let case = self.workable_case(actor, case_id).await?;
        let current = case_state(&case)?;
        let plans = self.repo.plans_of(case.id).await?;
        let next = current
            .after(CaseStep::Close, agreed_plan(&plans).is_some())
            .map_err(refused)?;
        let conference = self.kind_name(MeetingKind::CaseConference);
        let Some(meeting_id) = input.meeting_id else {
            return Err(AppError::conflict(format!(
                "終結は{conference}で評価して決めます。終結を決めた{conference}を選んでください"
            )));
        };
        let meeting = self.open_meeting(actor, meeting_id).await?;
        let decision = meeting
            .decisions
            .iter()
            .rfind(|d| d.case_id == Some(case.id));
        tsunagaru_domain::case::closure_at_meeting(
            meeting.row.kind,
            meeting.row.starts_at.date(),
            self.today(),
            meeting.agenda.iter().any(|a| a.case_id() == Some(case.id)),
            decision.is_some(),
            |k| self.kind_name(k),
        )
        .map_err(AppError::conflict)?;
        let goals = agreed_plan(&plans)
            .map(|p| p.plan.goals.clone())
            .unwrap_or_default();
        let closure = input.parse(&goals).map_err(AppError::Invalid)?;
        let on = self.today();
        let mut change = CaseChange::new(current, next, "close", actor.id(), on);
        change.closure = Some(closure);
        change.closure_meeting = decision.map(|d| (meeting_id, d.id));
        change.end_tasks = Some(format!("終結（{}）", EraDate::from_date(on).label()));
        self.repo
            .update_case(
                case.id,
                &change,
                actor
                    .audit(AuditAction::CaseUpdated)
                    .detail(format!("終結（会議 ID {meeting_id}）")),
            )
            .await
            .map_err(AppError::from)
    }

    /// 戻り: back to one agency, with the reason.
    pub async fn return_case(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &ReturnInput,
    ) -> Result<Case, AppError> {
        let case = self.workable_case(actor, case_id).await?;
        let current = case_state(&case)?;
        let next = current
            .after(CaseStep::ReturnToAgency, false)
            .map_err(refused)?;
        let mut problems = Vec::new();
        let agencies = self.agencies().await?;
        match input.agency_id {
            None => problems.push(FieldError {
                field: "agency_id".into(),
                message: "戻す機関を選んでください".into(),
            }),
            Some(id) if !agencies.iter().any(|a| a.id == id && a.active) => {
                problems.push(FieldError {
                    field: "agency_id".into(),
                    message: format!("機関 ID {id} は登録されていません"),
                })
            }
            Some(_) => {}
        }
        if input.reason.trim().is_empty() {
            problems.push(FieldError {
                field: "reason".into(),
                message: "戻りの理由を書いてください".into(),
            });
        }
        if input.agency_id == Some(case.secretariat_agency_id) {
            problems.push(FieldError {
                field: "agency_id".into(),
                message: "戻り先は事務局以外の機関を選んでください".into(),
            });
        }
        let (Some(agency_id), true) = (input.agency_id, problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let reason = input.reason.trim().to_owned();
        let on = self.today();
        let mut change = CaseChange::new(current, next, "return", actor.id(), on);
        change.return_handoff = Some(
            self.return_handoff(actor, &case, agency_id, &reason)
                .await?,
        );
        change.returned_to = Some((agency_id, reason.clone()));
        change.end_tasks = Some(format!(
            "戻り（{}）: {reason}",
            EraDate::from_date(on).label()
        ));
        self.repo
            .update_case(
                case.id,
                &change,
                actor.audit(AuditAction::CaseUpdated).detail("戻り"),
            )
            .await
            .map_err(AppError::from)
    }

    /// 戻り as a handoff (No.3) from the 事務局 to the agency, carrying the
    /// plan in force and the reason, so the agency receives and reports on it
    /// as on every handoff.
    async fn return_handoff(
        &self,
        actor: &Actor,
        case: &Case,
        agency_id: i64,
        reason: &str,
    ) -> Result<tsunagaru_store::NewHandoff, AppError> {
        let plans = self.repo.plans_of(case.id).await?;
        let plan_text = match agreed_plan(&plans).or(plans.first()) {
            Some(p) => {
                let goals: Vec<String> = p
                    .plan
                    .goals
                    .iter()
                    .map(|g| format!("{}: {}", g.term.label(), g.text))
                    .collect();
                let mut text = format!("支援プラン 第{}版\n{}", p.version, goals.join("\n"));
                if !p.plan.direction.trim().is_empty() {
                    text.push_str(&format!("\n支援の方向性: {}", p.plan.direction.trim()));
                }
                text
            }
            None => "支援プランはまだありません".to_owned(),
        };
        let consented = self.person_consented(case).await?;
        Ok(tsunagaru_store::NewHandoff {
            consultation_id: case.consultation_id,
            person_id: case.person_id,
            from_agency_id: case.secretariat_agency_id,
            to_agency_id: agency_id,
            purpose: tsunagaru_domain::handoff::Purpose::Refer,
            continue_at_origin: false,
            urgency: tsunagaru_domain::intake::Urgency::WithinWeek,
            told_contact_name: None,
            told_contact_phone: None,
            notes: tsunagaru_store::HandoffNotes {
                done: plan_text,
                other: format!(
                    "多機関協働（ケース ID {}）からの戻り。理由: {reason}",
                    case.id
                ),
                ..Default::default()
            },
            consent_override_reason: None,
            self_consent_reason: (!consented).then(|| format!("多機関協働からの戻り: {reason}")),
            sender_phone: None,
            sent_on: self.today(),
            sent_by: actor.id(),
        })
    }

    /// Records the person's consent given after the intake (for よりそい会議): it
    /// becomes 本人's 同意 on the sheet, in the same transaction.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &ConsentInput,
    ) -> Result<Case, AppError> {
        let case = self.workable_case(actor, case_id).await?;
        let current = case_state(&case)?;
        if !current.is_open() {
            return Err(AppError::conflict("このケースは終わっています"));
        }
        let mut problems = Vec::new();
        let on = EraDate::parse_happened(&input.confirmed_on, self.today(), "同意を確認した日")
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
            return Err(AppError::Invalid(problems));
        };
        let mut change = CaseChange::new(current, current, "consent", actor.id(), self.today());
        change.consent = Some((on, input.confirmed_by.trim().to_owned()));
        self.repo
            .update_case(
                case.id,
                &change,
                actor
                    .audit(AuditAction::CaseUpdated)
                    .detail("本人同意の記録"),
            )
            .await
            .map_err(AppError::from)
    }
}

/// A case as the actor may see it.
pub struct CaseRecord {
    pub case: Case,
    /// The person as the actor may see them (protected whereabouts removed).
    pub person: Option<Person>,
    pub consultation: Option<Consultation>,
    /// 本人's 同意 now (a withdrawal counts at once).
    pub consented: bool,
    pub plans: Vec<PlanVersion>,
    /// The case's tasks and record, without what a 支援会議 the actor did
    /// not pledge for produced.
    pub tasks: Vec<Task>,
    pub events: Vec<CaseEvent>,
    /// The meetings with this case on their agenda that the actor sits on.
    pub meetings: Vec<MeetingRow>,
    /// Whether the actor may work the case (担当CSW, 事務局).
    pub workable: bool,
    /// The meetings the events come from, to name them (kind, title, day).
    pub event_meetings: Vec<MeetingRow>,
}

impl App {
    /// The cases of the actor's agencies with each person's name, listed (audited).
    pub async fn cases_listed(&self, actor: &Actor) -> Result<Vec<(Case, String)>, AppError> {
        if !actor.role.works_with_persons() {
            return Ok(Vec::new());
        }
        let cases = self.repo.cases_of(&actor.agency_ids).await?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::CasesListed)
                    .detail(format!("{} 件", cases.len())),
            )
            .await?;
        let names = self.person_names(cases.iter().map(|c| c.person_id)).await?;
        Ok(cases
            .into_iter()
            .map(|case| {
                let name = names.get(&case.person_id).cloned().unwrap_or_default();
                (case, name)
            })
            .collect())
    }

    /// The whole case for an actor who may see it; the view is audited.
    pub async fn case_record(
        &self,
        actor: &Actor,
        id: i64,
        reading: crate::Reading,
    ) -> Result<CaseRecord, AppError> {
        let case = self
            .visible_case(actor, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = match self.visible_person(actor, case.person_id).await? {
            Some(p) => Some(p),
            // Seen through a meeting: the person as any unnamed user sees them.
            None => self
                .repo
                .person(case.person_id)
                .await?
                .map(|p| p.for_viewer(actor.id())),
        };
        let consultation = self.repo.consultation(case.consultation_id).await?;
        let plans = self.repo.plans_of(case.id).await?;
        let (tasks, events) = self.case_tasks_and_events(actor, case.id).await?;
        let sits_on = self.repo.meetings_of_user(actor.id()).await?;
        let meetings = self
            .repo
            .meetings_with_case(case.id)
            .await?
            .into_iter()
            .filter(|m| sits_on.iter().any(|mine| mine.id == m.id))
            .collect();
        let workable = self.workable_case(actor, id).await.is_ok();
        let mut event_meetings: Vec<MeetingRow> = Vec::new();
        for meeting_id in events.iter().filter_map(|e| e.meeting_id) {
            if event_meetings.iter().any(|m| m.id == meeting_id) {
                continue;
            }
            if let Some(m) = self.repo.meeting(meeting_id).await? {
                event_meetings.push(m.row);
            }
        }
        self.repo
            .append_audit({
                let event = actor.audit(AuditAction::CaseViewed).record("case", id);
                match reading {
                    crate::Reading::Screen => event,
                    crate::Reading::Print => event.detail("支援プランの印刷表示"),
                }
            })
            .await?;
        Ok(CaseRecord {
            consented: consultation.as_ref().is_some_and(self_consented),
            case,
            person,
            consultation,
            plans,
            tasks,
            events,
            meetings,
            workable,
            event_meetings,
        })
    }

    /// The cases of a person the actor may see that the actor may open.
    pub async fn cases_of_person(
        &self,
        actor: &Actor,
        person_id: i64,
    ) -> Result<Vec<Case>, AppError> {
        let mut out = Vec::new();
        for c in self.repo.cases_of_person(person_id).await? {
            if let Some(c) = self.case_if_visible(actor, c).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Open cases the 事務局 could put on an agenda: its agencies' cases.
    pub async fn team_cases(&self, actor: &Actor) -> Result<Vec<(Case, String)>, AppError> {
        if self.team_agency(actor).await?.is_none() {
            return Ok(Vec::new());
        }
        self.cases_listed(actor).await
    }
}
