//! 多機関協働 in the browser: the case page with its forms (アセスメント,
//! 支援プラン, 本人同意, モニタリング, 終結, 戻り), opening a case from a
//! consultation, and the case list. A form with errors comes back with what
//! was typed and the messages beside the fields.

use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{FormFailure, PageError};
use crate::id::Id;
use crate::pages::templates::{Choice, Nav};
use crate::views::cases::{CaseView, MeetingRef, case_view, datetime_label};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use tsunagaru_app::AppError;
use tsunagaru_app::cases::{ConsentInput, ReturnInput, agreed_plan};
use tsunagaru_domain::case::{CaseStep, MeetingKind};
use tsunagaru_domain::intake::{Concern, FieldError};
use tsunagaru_domain::plan::{
    AssessmentArea, AssessmentInput, AssignmentInput, ClosureInput, ClosureReason, EvaluationInput,
    GoalOutcome, GoalTerm, PlanInput, TaskInput,
};

pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// Messages by form field, for the templates: `errors.of("name")`.
#[derive(Default)]
pub struct Errors(BTreeMap<String, Vec<String>>);

impl Errors {
    pub fn of(&self, field: &str) -> Vec<String> {
        self.0.get(field).cloned().unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each error with its field, for an error summary's links.
    pub fn links(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .flat_map(|(field, messages)| messages.iter().map(|m| (field.clone(), m.clone())))
            .collect()
    }
}

pub fn errors_of(fields: &[FieldError]) -> Errors {
    Errors(crate::pages::intake_form::errors_by_field(fields))
}

const SHORT_GOALS: usize = 3;
const LONG_GOALS: usize = 2;
const PLAN_ROWS: usize = 4;
const ROW_TASKS: usize = 2;

pub struct AreaRow {
    pub code: &'static str,
    pub label: &'static str,
    pub text: String,
}

pub struct CheckChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct TaskRow {
    pub title_name: String,
    pub due_name: String,
    pub title: String,
    pub due_on: String,
}

pub struct PlanRow {
    pub index: usize,
    pub agency_name: String,
    pub role_name: String,
    pub agencies: Vec<Choice>,
    pub role: String,
    pub tasks: Vec<TaskRow>,
}

pub struct GoalEval {
    pub index: usize,
    pub goal: String,
    pub term: &'static str,
    pub outcome: String,
    pub change: String,
}

/// What every form on the case page holds: the stored values, or what was
/// typed when saving failed.
#[derive(Default)]
pub struct CaseForms {
    pub areas: Vec<(String, String)>,
    pub concerns: Vec<String>,
    pub strengths: String,
    pub risks: String,
    pub plan: Option<PlanInput>,
    pub consent: ConsentInput,
    pub evaluations: Vec<EvaluationInput>,
    pub closure_reason: String,
    pub closure_detail: String,
    pub closure_meeting: Option<i64>,
    pub ret: ReturnInput,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub nav: Nav,
    pub c: CaseView,
    pub can_work: bool,
    /// Which form failed (its section opens), and the messages.
    pub failed: &'static str,
    pub message: String,
    pub errors: Errors,
    pub area_rows: Vec<AreaRow>,
    pub concern_choices: Vec<CheckChoice>,
    pub strengths: String,
    pub risks: String,
    pub short_goals: Vec<String>,
    pub long_goals: Vec<String>,
    pub plan_rows: Vec<PlanRow>,
    pub direction: String,
    pub next_review_on: String,
    pub consent_on: String,
    pub consent_by: String,
    pub goal_evals: Vec<GoalEval>,
    pub outcomes: Vec<Choice>,
    /// 終結の理由 to choose from, with the one chosen.
    pub closure_reasons: Vec<Choice>,
    pub closure_detail: String,
    /// The よりそい会議 held with this case on the agenda, where 終結 is agreed.
    pub closure_meetings: Vec<Choice>,
    pub return_agencies: Vec<Choice>,
    pub return_reason: String,
    pub meetings: Vec<MeetingRef>,
    pub can_monitor: bool,
    pub can_resume: bool,
    pub can_close: bool,
}

fn plan_input_of(plan: &tsunagaru_domain::plan::Plan) -> PlanInput {
    let goals = |term| {
        plan.goals
            .iter()
            .filter(|g| g.term == term)
            .map(|g| g.text.clone())
            .collect::<Vec<_>>()
    };
    PlanInput {
        short_term_goals: goals(GoalTerm::Short),
        long_term_goals: goals(GoalTerm::Long),
        assignments: plan
            .assignments
            .iter()
            .map(|a| AssignmentInput {
                agency_id: Some(a.agency_id),
                role: a.role.clone(),
                tasks: a
                    .tasks
                    .iter()
                    .map(|t| TaskInput {
                        title: t.title.clone(),
                        due_on: t
                            .due_on
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
        direction: plan.direction.clone(),
        next_review_on: plan
            .next_review_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    }
}

fn padded(mut v: Vec<String>, n: usize) -> Vec<String> {
    if v.len() < n {
        v.resize(n, String::new());
    }
    v
}

pub async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    forms: Option<CaseForms>,
    failed: &'static str,
    errors: &[FieldError],
    message: String,
) -> Result<String, PageError> {
    let record = state
        .app
        .case_record(&user.actor(), case_id, tsunagaru_app::Reading::Screen)
        .await?;
    let c = case_view(state, &record).await?;
    let can_work = record.workable && c.open;
    let case = &record.case;
    let plans = &record.plans;
    let forms = match forms {
        Some(f) => f,
        None => CaseForms {
            areas: case
                .assessment
                .as_ref()
                .map(|a| {
                    a.areas
                        .iter()
                        .map(|n| (n.area.code().to_owned(), n.text.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            concerns: case
                .assessment
                .as_ref()
                .map(|a| a.concerns.clone())
                .unwrap_or_default(),
            strengths: case
                .assessment
                .as_ref()
                .map(|a| a.strengths.clone())
                .unwrap_or_default(),
            risks: case
                .assessment
                .as_ref()
                .map(|a| a.risks.clone())
                .unwrap_or_default(),
            // A new version starts from the newest one.
            plan: plans.first().map(|p| plan_input_of(&p.plan)),
            ..CaseForms::default()
        },
    };
    let agencies = state.app.agencies().await?;
    let agency_choices = |selected: Option<i64>| -> Vec<Choice> {
        agencies
            .iter()
            .filter(|a| a.active)
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
                selected: Some(a.id) == selected,
            })
            .collect()
    };
    let plan = forms.plan.clone().unwrap_or_default();
    let plan_rows = (0..PLAN_ROWS.max(plan.assignments.len()))
        .map(|i| {
            let a = plan.assignments.get(i).cloned().unwrap_or_default();
            PlanRow {
                index: i,
                agency_name: format!("assignments[{i}].agency_id"),
                role_name: format!("assignments[{i}].role"),
                agencies: agency_choices(a.agency_id),
                role: a.role.clone(),
                tasks: (0..ROW_TASKS.max(a.tasks.len()))
                    .map(|j| {
                        let t = a.tasks.get(j).cloned().unwrap_or_default();
                        TaskRow {
                            title_name: format!("assignments[{i}].tasks[{j}].title"),
                            due_name: format!("assignments[{i}].tasks[{j}].due_on"),
                            title: t.title,
                            due_on: t.due_on,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let in_force = agreed_plan(plans);
    let goal_evals = in_force
        .map(|p| {
            p.plan
                .goals
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let typed = forms.evaluations.get(i).cloned().unwrap_or_default();
                    GoalEval {
                        index: i,
                        goal: g.text.clone(),
                        term: g.term.label(),
                        outcome: typed.outcome,
                        change: typed.change,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let today = state.today();
    let mut meetings = Vec::new();
    for m in state.app.meetings_of(&user.actor()).await? {
        if m.starts_at.date() >= today && !c.meetings.iter().any(|x| x.id == m.id) {
            meetings.push(MeetingRef::of(&m, state));
        }
    }
    let page = CasePage {
        nav: Nav::new(user, &state.pack().municipality.name),
        can_work,
        failed,
        message,
        errors: errors_of(errors),
        area_rows: AssessmentArea::ALL
            .into_iter()
            .map(|a| AreaRow {
                code: a.code(),
                label: a.label(),
                text: forms
                    .areas
                    .iter()
                    .find(|(code, _)| code == a.code())
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        concern_choices: Concern::ALL
            .iter()
            .map(|k| CheckChoice {
                value: k.code(),
                label: k.label(),
                checked: forms.concerns.iter().any(|c| c == k.code()),
            })
            .collect(),
        strengths: forms.strengths.clone(),
        risks: forms.risks.clone(),
        short_goals: padded(plan.short_term_goals.clone(), SHORT_GOALS),
        long_goals: padded(plan.long_term_goals.clone(), LONG_GOALS),
        plan_rows,
        direction: plan.direction.clone(),
        next_review_on: plan.next_review_on.clone(),
        consent_on: forms.consent.confirmed_on.clone(),
        consent_by: forms.consent.confirmed_by.clone(),
        goal_evals,
        outcomes: GoalOutcome::ALL
            .into_iter()
            .map(|o| Choice {
                value: o.code().into(),
                label: o.label().into(),
                selected: false,
            })
            .collect(),
        closure_reasons: ClosureReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.code().into(),
                label: r.label().into(),
                selected: ClosureReason::parse(&forms.closure_reason) == Some(*r),
            })
            .collect(),
        closure_detail: forms.closure_detail.clone(),
        closure_meetings: c
            .meetings
            .iter()
            .filter(|m| {
                m.kind == MeetingKind::CaseConference.code() && m.starts_at.date() <= state.today()
            })
            .map(|m| Choice {
                value: m.id.to_string(),
                label: format!("{}「{}」{}", m.kind_name, m.title, m.starts_label),
                selected: forms.closure_meeting == Some(m.id),
            })
            .collect(),
        return_agencies: agency_choices(forms.ret.agency_id),
        return_reason: forms.ret.reason.clone(),
        meetings,
        can_monitor: c.state == "support",
        can_resume: c.state == "monitoring",
        can_close: matches!(c.state.as_str(), "support" | "monitoring") && in_force.is_some(),
        c,
    };
    Ok(page.render()?)
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_case(&state, &user, id, None, "", &[], String::new()).await?,
    ))
}

#[derive(Template)]
#[template(path = "plan_print.html")]
pub struct PlanPrintPage {
    pub c: crate::views::cases::CaseView,
    pub plan: crate::views::cases::PlanView,
    pub municipality: String,
    pub printed_on: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PlanPrintQuery {
    version: String,
}

/// 支援プラン on A4: the plan in force (or `?version=N`), with the
/// assessment it rests on, the roles, and lines to sign. Audited as printed.
pub async fn plan_print(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::extract::Query(q): axum::extract::Query<PlanPrintQuery>,
) -> Result<Html<String>, PageError> {
    let record = state
        .app
        .case_record(&user.actor(), id, tsunagaru_app::Reading::Print)
        .await?;
    let c = case_view(&state, &record).await?;
    let wanted: Option<i64> = tsunagaru_domain::kana::fold_width(&q.version)
        .trim()
        .parse()
        .ok();
    let plan = match wanted {
        Some(v) => c.plans.iter().find(|p| p.version == v),
        // The plan in force, else the newest draft.
        None => c
            .plans
            .iter()
            .find(|p| p.status == "agreed")
            .or_else(|| c.plans.first()),
    }
    .cloned()
    .ok_or(PageError::NotFound)?;
    let page = PlanPrintPage {
        plan,
        municipality: state.pack().municipality.name.clone(),
        printed_on: crate::views::intake::date_label(state.today()),
        c,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub nav: Nav,
    pub rows: Vec<CaseRowView>,
}

pub struct CaseRowView {
    pub id: i64,
    pub person_name: String,
    pub state_label: &'static str,
    pub open: bool,
    pub opened: String,
    pub lead: String,
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    let cases = state.app.cases_listed(&user.actor()).await?;
    let users = state.app.staff().await?;
    let mut rows = Vec::with_capacity(cases.len());
    for (c, person_name) in cases {
        rows.push(CaseRowView {
            id: c.id,
            person_name,
            state_label: c.state.label(),
            open: c.state.is_open(),
            opened: crate::views::intake::date_label(c.opened_on),
            lead: users
                .iter()
                .find(|u| u.id == c.lead_user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
        });
    }
    rows.sort_by_key(|r| !r.open);
    let page = CasesPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        rows,
    };
    Ok(Html(page.render()?))
}

/// ケースを開く from a consultation (the person page's button).
pub async fn open(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let consultation_id = form_pairs(&body)
        .into_iter()
        .find(|(k, _)| k == "consultation_id")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .ok_or_else(|| PageError::BadRequest("相談が指定されていません".into()))?;
    let id = state
        .app
        .open_case(&user.actor(), consultation_id)
        .await
        .map_err(PageError::from)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

fn read_assessment(pairs: &[(String, String)]) -> AssessmentInput {
    let mut input = AssessmentInput::default();
    for (k, v) in pairs {
        if let Some(code) = k.strip_prefix("areas.") {
            input.areas.push((code.to_owned(), v.clone()));
        }
        match k.as_str() {
            "concerns" => input.concerns.push(v.clone()),
            "strengths" => input.strengths = v.clone(),
            "risks" => input.risks = v.clone(),
            _ => {}
        }
    }
    input
}

/// `assignments[1].tasks[0].title` → (1, Some(0), "title").
fn row_key(key: &str) -> Option<(usize, Option<usize>, &str)> {
    let rest = key.strip_prefix("assignments[")?;
    let (i, rest) = rest.split_once("].")?;
    let i: usize = i.parse().ok().filter(|i| *i < 50)?;
    if let Some(rest) = rest.strip_prefix("tasks[") {
        let (j, field) = rest.split_once("].")?;
        let j: usize = j.parse().ok().filter(|j| *j < 50)?;
        return Some((i, Some(j), field));
    }
    Some((i, None, rest))
}

pub fn read_plan(pairs: &[(String, String)]) -> PlanInput {
    let mut input = PlanInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "short_term_goals" => input.short_term_goals.push(v.clone()),
            "long_term_goals" => input.long_term_goals.push(v.clone()),
            "direction" => input.direction = v.clone(),
            "next_review_on" => input.next_review_on = v.clone(),
            _ => {
                let Some((i, task, field)) = row_key(k) else {
                    continue;
                };
                if input.assignments.len() <= i {
                    input.assignments.resize(i + 1, AssignmentInput::default());
                }
                let row = &mut input.assignments[i];
                match (task, field) {
                    (None, "agency_id") => row.agency_id = v.parse().ok(),
                    (None, "role") => row.role = v.clone(),
                    (Some(j), f) => {
                        if row.tasks.len() <= j {
                            row.tasks.resize(j + 1, TaskInput::default());
                        }
                        match f {
                            "title" => row.tasks[j].title = v.clone(),
                            "due_on" => row.tasks[j].due_on = v.clone(),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    input
}

fn read_closure(pairs: &[(String, String)]) -> ClosureInput {
    let mut input = ClosureInput::default();
    for (k, v) in pairs {
        if k == "reason" {
            input.reason = v.clone();
            continue;
        }
        if k == "detail" {
            input.detail = v.clone();
            continue;
        }
        if k == "meeting_id" {
            input.meeting_id = v.trim().parse().ok();
            continue;
        }
        let Some(rest) = k.strip_prefix("evaluations[") else {
            continue;
        };
        let Some((i, field)) = rest.split_once("].") else {
            continue;
        };
        let Some(i) = i.parse::<usize>().ok().filter(|i| *i < 50) else {
            continue;
        };
        if input.evaluations.len() <= i {
            input.evaluations.resize(i + 1, EvaluationInput::default());
        }
        match field {
            "outcome" => input.evaluations[i].outcome = v.clone(),
            "change" => input.evaluations[i].change = v.clone(),
            _ => {}
        }
    }
    input
}

pub fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every form of the case page posts here with its `action`.
pub async fn act(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let mut forms = CaseForms::default();
    let (failed, result): (&'static str, Result<(), AppError>) = match action.as_str() {
        "assessment" => {
            let input = read_assessment(&pairs);
            let version = field(&pairs, "version");
            forms.areas = input.areas.clone();
            forms.concerns = input
                .concerns
                .iter()
                .filter_map(|c| Concern::parse(c).map(|k| k.code().to_owned()))
                .collect();
            forms.strengths = input.strengths.clone();
            forms.risks = input.risks.clone();
            (
                "assessment",
                state
                    .app
                    .save_assessment(
                        &user.actor(),
                        id,
                        &input,
                        Some(version.as_str()).filter(|v| !v.is_empty()),
                    )
                    .await
                    .map(drop),
            )
        }
        "plans" => {
            let input = read_plan(&pairs);
            forms.plan = Some(input.clone());
            (
                "plan",
                state
                    .app
                    .save_plan(
                        &user.actor(),
                        id,
                        &input,
                        field(&pairs, "based_on_version").parse().ok(),
                    )
                    .await
                    .map(drop),
            )
        }
        "consent" => {
            let input = ConsentInput {
                confirmed_on: field(&pairs, "confirmed_on"),
                confirmed_by: field(&pairs, "confirmed_by"),
            };
            forms.consent = input.clone();
            (
                "consent",
                state
                    .app
                    .record_consent(&user.actor(), id, &input)
                    .await
                    .map(drop),
            )
        }
        "monitoring" => (
            "step",
            state
                .app
                .step_case(&user.actor(), id, CaseStep::StartMonitoring)
                .await
                .map(drop),
        ),
        "resume" => (
            "step",
            state
                .app
                .step_case(&user.actor(), id, CaseStep::ResumeSupport)
                .await
                .map(drop),
        ),
        "close" => {
            let input = read_closure(&pairs);
            forms.evaluations = input.evaluations.clone();
            forms.closure_reason = input.reason.clone();
            forms.closure_detail = input.detail.clone();
            forms.closure_meeting = input.meeting_id;
            (
                "close",
                state
                    .app
                    .close_case(&user.actor(), id, &input)
                    .await
                    .map(drop),
            )
        }
        "return" => {
            let input = ReturnInput {
                agency_id: field(&pairs, "agency_id").parse().ok(),
                reason: field(&pairs, "reason"),
            };
            forms.ret = input.clone();
            (
                "return",
                state
                    .app
                    .return_case(&user.actor(), id, &input)
                    .await
                    .map(drop),
            )
        }
        _ => return Err(PageError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) => {
            let e = FormFailure::of(e)?;
            let keep_plan = forms.plan.is_some();
            let html = render_case(
                &state,
                &user,
                id,
                Some(forms).filter(|_| failed != "step" || keep_plan),
                failed,
                &e.fields,
                e.message,
            )
            .await?;
            Ok((e.status, Html(html)).into_response())
        }
    }
}

/// The team's open cases, for a meeting's agenda select.
pub async fn team_cases(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, PageError> {
    let mut choices = Vec::new();
    for (c, name) in state.app.team_cases(&user.actor()).await? {
        if !c.state.is_open() {
            continue;
        }
        choices.push(Choice {
            value: c.id.to_string(),
            label: format!("ケース {}: {}", c.id, name),
            selected: false,
        });
    }
    Ok(choices)
}

/// The label of a meeting for a button or select (支援会議 令和8年12月10日 15:00).
pub fn meeting_label(state: &AppState, m: &tsunagaru_store::MeetingRow) -> String {
    let kind = state.app.kind_name(m.kind);
    if m.title == kind {
        format!("{kind}（{}）", datetime_label(m.starts_at))
    } else {
        format!("{kind}「{}」（{}）", m.title, datetime_label(m.starts_at))
    }
}
