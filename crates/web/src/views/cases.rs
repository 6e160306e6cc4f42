//! Cases, plans, meetings and tasks as shown: one view type each, serialized
//! for the API and rendered by the templates, with labels and 和暦 dates.

use crate::AppState;
use crate::views::intake::date_label;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use tsunagaru_app::AppError;
use tsunagaru_app::cases::CaseRecord;
use tsunagaru_app::meetings::{MeetingRecord, TopicRecord};
use tsunagaru_app::reports::for_publication;
use tsunagaru_domain::case::{AttendeeRole, CaseState, MeetingKind};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::Concern;
use tsunagaru_domain::openapi::{RecordId, codes, one_of_strings};
use tsunagaru_domain::plan::{
    Assessment, AssessmentArea, ClosureReason, GoalOutcome, GoalTerm, TaskState, task_overdue,
};
use tsunagaru_domain::report::FiscalYear;
use tsunagaru_store::{Agency, MeetingRow, PlanVersion, Task, User};
use utoipa::ToSchema;

/// A plan version is a draft (案) until a よりそい会議 agrees it.
const PLAN_STATUSES: [&str; 2] = ["draft", "agreed"];

fn plan_statuses() -> utoipa::openapi::Schema {
    one_of_strings(&PLAN_STATUSES)
}

fn concern_codes() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::code_list::<Concern>()
}

/// 終結の理由's code, or empty while the case is not closed.
fn closure_reason_or_empty() -> utoipa::openapi::Schema {
    use tsunagaru_domain::code::Vocabulary;
    let mut codes: Vec<&'static str> = ClosureReason::all().iter().map(|r| r.code()).collect();
    codes.push("");
    one_of_strings(&codes)
}

fn agency_name(agencies: &[Agency], id: i64) -> String {
    agencies
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| format!("機関 ID {id}"))
}

pub fn user_name(users: &[User], id: i64) -> String {
    users
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.display_name.clone())
        .unwrap_or_default()
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date_label).unwrap_or_default()
}

/// A stored instant as read in Japan: `令和8年12月10日（2026年） 13:30`.
pub fn moment_label(at: chrono::DateTime<chrono::Utc>) -> String {
    datetime_label(tsunagaru_store::in_japan(at).naive_local())
}

/// The day of a stored instant in Japan: `令和8年12月10日（2026年）`.
pub fn day_label(at: chrono::DateTime<chrono::Utc>) -> String {
    date_label(tsunagaru_store::in_japan(at).date_naive())
}

/// `令和8年12月10日 13:30`
pub fn datetime_label(at: NaiveDateTime) -> String {
    format!(
        "{} {}",
        EraDate::from_date(at.date()).label(),
        at.format("%H:%M")
    )
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyRef {
    #[schema(value_type = RecordId)]
    pub id: i64,
    pub name: String,
}

/// アセスメントの領域 and what was written of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AssessmentAreaNote)]
pub struct AreaView {
    #[schema(schema_with = codes::<AssessmentArea>)]
    pub area: &'static str,
    pub label: &'static str,
    pub text: String,
}

/// The アセスメント as saved.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Assessment)]
pub struct AssessmentView {
    pub areas: Vec<AreaView>,
    /// 相談内容のコード
    #[schema(schema_with = concern_codes)]
    pub concerns: Vec<String>,
    pub concern_labels: Vec<&'static str>,
    pub strengths: String,
    pub risks: String,
}

impl AssessmentView {
    pub fn of(a: &Assessment) -> AssessmentView {
        AssessmentView {
            areas: a
                .areas
                .iter()
                .map(|n| AreaView {
                    area: n.area.code(),
                    label: n.area.label(),
                    text: n.text.clone(),
                })
                .collect(),
            concerns: a.concerns.clone(),
            concern_labels: a
                .concerns
                .iter()
                .filter_map(|c| Concern::parse(c))
                .map(Concern::label)
                .collect(),
            strengths: a.strengths.clone(),
            risks: a.risks.clone(),
        }
    }
}

/// 短期目標 or 長期目標 of a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Goal)]
pub struct GoalView {
    #[schema(schema_with = codes::<GoalTerm>)]
    pub term: &'static str,
    pub term_label: &'static str,
    pub text: String,
}

/// A task a plan gives an agency.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PlannedTask)]
pub struct PlannedTaskView {
    pub title: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    pub due_label: String,
}

/// 役割分担: an agency's role in a plan and its tasks.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Assignment)]
pub struct AssignmentView {
    #[schema(value_type = RecordId)]
    pub agency_id: i64,
    pub agency: String,
    pub role: String,
    pub tasks: Vec<PlannedTaskView>,
}

/// One version of a 支援プラン.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PlanVersion)]
pub struct PlanView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(minimum = 1)]
    pub version: i64,
    /// draft（案）/ agreed（合意）
    #[schema(schema_with = plan_statuses)]
    pub status: &'static str,
    pub status_label: String,
    /// 合意したよりそい会議
    #[schema(value_type = Option<RecordId>)]
    pub agreed_meeting_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub agreed_on: Option<NaiveDate>,
    pub goals: Vec<GoalView>,
    pub assignments: Vec<AssignmentView>,
    /// 支援の方向性
    pub direction: String,
    /// 次の評価日
    #[schema(value_type = Option<String>, format = Date)]
    pub next_review_on: Option<NaiveDate>,
    pub next_review_label: String,
    pub created_by: String,
    /// The day this version was written (和暦).
    pub created_label: String,
}

impl PlanView {
    pub fn of(p: &PlanVersion, agencies: &[Agency], users: &[User], state: &AppState) -> PlanView {
        PlanView {
            id: p.id,
            version: p.version,
            status: if p.is_agreed() {
                PLAN_STATUSES[1]
            } else {
                PLAN_STATUSES[0]
            },
            status_label: match p.agreed_on {
                Some(on) => format!(
                    "{}で合意（{}）",
                    state.app.kind_name(MeetingKind::CaseConference),
                    date_label(on)
                ),
                None => "案（未合意）".into(),
            },
            agreed_meeting_id: p.agreed_meeting_id,
            agreed_on: p.agreed_on,
            goals: p
                .plan
                .goals
                .iter()
                .map(|g| GoalView {
                    term: g.term.code(),
                    term_label: g.term.label(),
                    text: g.text.clone(),
                })
                .collect(),
            assignments: p
                .plan
                .assignments
                .iter()
                .map(|a| AssignmentView {
                    agency_id: a.agency_id,
                    agency: agency_name(agencies, a.agency_id),
                    role: a.role.clone(),
                    tasks: a
                        .tasks
                        .iter()
                        .map(|t| PlannedTaskView {
                            title: t.title.clone(),
                            due_on: t.due_on,
                            due_label: opt_date(t.due_on),
                        })
                        .collect(),
                })
                .collect(),
            direction: p.plan.direction.clone(),
            next_review_on: p.plan.next_review_on,
            next_review_label: opt_date(p.plan.next_review_on),
            created_by: user_name(users, p.created_by),
            created_label: day_label(p.created_at),
        }
    }
}

/// A task given to an agency, as the pages show it and the API answers it
/// (`Task` in the OpenAPI document, derived from this type).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Task)]
pub struct TaskView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(value_type = RecordId)]
    pub agency_id: i64,
    pub agency: String,
    pub title: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    /// 期限の和暦表示（期限のないときは空）
    pub due_label: String,
    pub overdue: bool,
    #[schema(schema_with = codes::<TaskState>)]
    pub state: String,
    pub state_label: &'static str,
    #[schema(value_type = Option<RecordId>)]
    pub case_id: Option<i64>,
    #[schema(value_type = Option<RecordId>)]
    pub meeting_id: Option<i64>,
    /// plan (役割分担 of an agreed plan) / decision (a meeting's decision)
    #[schema(schema_with = task_sources)]
    pub source: &'static str,
    pub source_label: &'static str,
    /// Why it ended without being done (終結・戻り).
    pub end_reason: String,
}

/// Where a task comes from: an agreed plan's 役割分担 or a meeting's
/// decision.
const TASK_SOURCES: [&str; 2] = ["plan", "decision"];

fn task_sources() -> utoipa::openapi::Schema {
    one_of_strings(&TASK_SOURCES)
}

impl TaskView {
    pub fn of(t: &Task, agencies: &[Agency], today: NaiveDate) -> TaskView {
        let open = t.state == TaskState::Open;
        TaskView {
            id: t.id,
            agency_id: t.agency_id,
            agency: agency_name(agencies, t.agency_id),
            title: t.title.clone(),
            due_on: t.due_on,
            due_label: opt_date(t.due_on),
            overdue: open && task_overdue(t.due_on, today),
            state: t.state.code().to_owned(),
            state_label: t.state.label(),
            case_id: t.case_id,
            meeting_id: t.meeting_id,
            source: if t.plan_id.is_some() {
                TASK_SOURCES[0]
            } else {
                TASK_SOURCES[1]
            },
            source_label: if t.plan_id.is_some() {
                "支援プランの役割分担"
            } else {
                "会議の決定事項"
            },
            end_reason: t.end_reason.clone().unwrap_or_default(),
        }
    }
}

/// A meeting's local time written as RFC 3339 in Japan's offset
/// (`2026-12-10T13:30:00+09:00`).
pub fn japan_rfc3339<S: serde::Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{}+09:00", at.format("%Y-%m-%dT%H:%M:%S")))
}

/// A meeting named by its kind, title, time and place.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MeetingHead)]
pub struct MeetingRef {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(schema_with = codes::<MeetingKind>)]
    pub kind: String,
    /// この市での会議の呼び名
    pub kind_name: String,
    pub title: String,
    /// 開始日時（RFC 3339、+09:00）
    #[serde(serialize_with = "japan_rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: NaiveDateTime,
    pub starts_label: String,
    pub place: String,
}

impl MeetingRef {
    pub fn of(m: &MeetingRow, state: &AppState) -> MeetingRef {
        MeetingRef {
            id: m.id,
            kind: m.kind.code().to_owned(),
            kind_name: state.app.kind_name(m.kind),
            title: m.title.clone(),
            starts_at: m.starts_at,
            starts_label: datetime_label(m.starts_at),
            place: m.place.clone(),
        }
    }
}

/// One step in a case's history, in words.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CaseEvent)]
pub struct CaseEventView {
    /// 日本時間
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    /// 日時（和暦）
    pub at_label: String,
    /// 手続きの名前
    pub step: String,
    pub user: String,
    pub detail: String,
}

/// 終結のときの目標ごとの評価.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Evaluation)]
pub struct EvaluationView {
    pub goal: String,
    #[schema(schema_with = codes::<GoalOutcome>)]
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub change: String,
}

/// 多機関協働のケース。表示用のラベルと和暦つき。
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Case)]
pub struct CaseView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(schema_with = codes::<CaseState>)]
    pub state: String,
    pub state_label: &'static str,
    pub open: bool,
    #[schema(value_type = RecordId)]
    pub consultation_id: i64,
    #[schema(value_type = RecordId)]
    pub person_id: i64,
    pub person_name: String,
    pub person_kana: String,
    /// 主訴
    pub chief_complaint: String,
    /// 担当者
    #[schema(value_type = RecordId)]
    pub lead_user_id: i64,
    pub lead: String,
    #[schema(value_type = String, format = Date)]
    pub opened_on: NaiveDate,
    pub opened_label: String,
    /// 事務局の機関
    #[schema(value_type = RecordId)]
    pub secretariat_agency_id: i64,
    pub agencies: Vec<AgencyRef>,
    /// 本人同意（受付シートの本人の同意、またはケースで記録した同意）
    pub consented: bool,
    pub consent_label: String,
    pub assessment: Option<AssessmentView>,
    /// アセスメントの版（保存時に送り返す）
    pub assessment_version: String,
    /// 新しい版から
    pub plans: Vec<PlanView>,
    /// いちばん新しい支援プランの版（なければ 0）
    #[schema(minimum = 0)]
    pub latest_plan_version: i64,
    /// 終結の理由のコード（終結していなければ空）
    #[schema(schema_with = closure_reason_or_empty)]
    pub closure_reason: String,
    pub closure_reason_label: String,
    pub closure_detail: String,
    pub evaluations: Vec<EvaluationView>,
    pub closed_label: String,
    /// 終結を決めたよりそい会議
    #[schema(value_type = Option<RecordId>)]
    pub closure_meeting_id: Option<i64>,
    /// その会議の名前と日時
    pub closure_meeting: String,
    /// その会議の決定事項
    #[schema(value_type = Option<RecordId>)]
    pub closure_decision_id: Option<i64>,
    pub returned_to: String,
    #[schema(value_type = Option<RecordId>)]
    pub return_agency_id: Option<i64>,
    pub return_reason: String,
    /// 戻りの引継ぎ（No.3）
    #[schema(value_type = Option<RecordId>)]
    pub return_handoff_id: Option<i64>,
    pub tasks: Vec<TaskView>,
    /// 利用者が構成員である会議だけ
    pub meetings: Vec<MeetingRef>,
    pub events: Vec<CaseEventView>,
}

fn step_label(step: &str) -> &str {
    match step {
        "open" => "ケース開始",
        "assess" => "アセスメント",
        "plan" => "プラン作成開始",
        "plan_version" => "支援プラン作成",
        "plan_agreed" => "支援プラン合意",
        "agenda" => "会議の議題に追加",
        "task" => "タスク",
        "task_done" => "タスク完了",
        "task_reopened" => "タスク完了の取消",
        "monitor" => "モニタリング開始",
        "resume" => "支援再開",
        "close" => "終結",
        "return" => "戻り",
        "consent" => "本人同意の記録",
        other => other,
    }
}

/// A meeting named by its kind, title and day: 「よりそい会議（令和8年12月10日 13:30）」.
fn meeting_name(m: &MeetingRow, state: &AppState) -> String {
    let kind = state.app.kind_name(m.kind);
    let title = if m.title == kind || m.title.is_empty() {
        String::new()
    } else {
        format!("「{}」", m.title)
    };
    format!("{kind}{title}（{}）", datetime_label(m.starts_at))
}

/// The whole case as `App::case_record` gave it; meetings are those the user
/// sits on.
pub async fn case_view(state: &AppState, record: &CaseRecord) -> Result<CaseView, AppError> {
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    let case = &record.case;
    let (person_name, person_kana) = match &record.person {
        Some(p) => (p.name.clone(), p.kana.clone().unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let consultation = record.consultation.clone();
    let plans = &record.plans;
    let tasks = &record.tasks;
    let events = &record.events;
    let meetings = record
        .meetings
        .iter()
        .map(|m| MeetingRef::of(m, state))
        .collect();
    let consented = record.consented;
    let today = state.today();
    Ok(CaseView {
        id: case.id,
        state: case.state.code().to_owned(),
        state_label: case.state.label(),
        open: case.state.is_open(),
        consultation_id: case.consultation_id,
        person_id: case.person_id,
        person_name,
        person_kana,
        chief_complaint: consultation.map(|c| c.chief_complaint).unwrap_or_default(),
        lead_user_id: case.lead_user_id,
        lead: user_name(&users, case.lead_user_id),
        opened_on: case.opened_on,
        opened_label: date_label(case.opened_on),
        secretariat_agency_id: case.secretariat_agency_id,
        agencies: case
            .agency_ids
            .iter()
            .map(|id| AgencyRef {
                id: *id,
                name: agency_name(&agencies, *id),
            })
            .collect(),
        consented,
        consent_label: match (&case.consent_on, &case.consent_by) {
            (Some(_), _) if !consented => "同意なし（撤回）".into(),
            (Some(on), by) => format!(
                "同意あり（{}確認{}）",
                date_label(*on),
                by.as_deref().map(|b| format!("・{b}")).unwrap_or_default()
            ),
            _ if consented => "同意あり（受付シート）".into(),
            _ => "同意なし・未確認".into(),
        },
        assessment: case.assessment.as_ref().map(AssessmentView::of),
        assessment_version: tsunagaru_store::version_of(case.assessment_at),
        latest_plan_version: plans.iter().map(|p| p.version).max().unwrap_or(0),
        plans: plans
            .iter()
            .map(|p| PlanView::of(p, &agencies, &users, state))
            .collect(),
        closure_reason: case
            .closure
            .as_ref()
            .map(|c| c.reason.code().to_owned())
            .unwrap_or_default(),
        closure_reason_label: case
            .closure
            .as_ref()
            .map(|c| c.reason.label().to_owned())
            .unwrap_or_default(),
        closure_detail: case
            .closure
            .as_ref()
            .map(|c| c.detail.clone())
            .unwrap_or_default(),
        evaluations: case
            .closure
            .as_ref()
            .map(|c| {
                c.evaluations
                    .iter()
                    .map(|e| EvaluationView {
                        goal: e.goal.text.clone(),
                        outcome: e.outcome.code(),
                        outcome_label: e.outcome.label(),
                        change: e.change.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        closed_label: opt_date(case.closed_on),
        closure_meeting_id: case.closure_meeting_id,
        closure_meeting: case
            .closure_meeting_id
            .and_then(|id| record.event_meetings.iter().find(|m| m.id == id))
            .map(|m| meeting_name(m, state))
            .unwrap_or_default(),
        closure_decision_id: case.closure_decision_id,
        return_agency_id: case.return_agency_id,
        return_handoff_id: case.return_handoff_id,
        returned_to: case
            .return_agency_id
            .map(|id| agency_name(&agencies, id))
            .unwrap_or_default(),
        return_reason: case.return_reason.clone().unwrap_or_default(),
        tasks: tasks
            .iter()
            .map(|t| TaskView::of(t, &agencies, today))
            .collect(),
        meetings,
        events: events
            .iter()
            .map(|e| {
                // A meeting is named by its kind, title and day, not its id.
                let meeting = e
                    .meeting_id
                    .and_then(|id| record.event_meetings.iter().find(|m| m.id == id))
                    .map(|m| meeting_name(m, state));
                let detail = e
                    .detail
                    .clone()
                    .filter(|d| !d.starts_with("会議 ID "))
                    .unwrap_or_default();
                CaseEventView {
                    at: tsunagaru_store::in_japan(e.at).to_rfc3339(),
                    at_label: moment_label(e.at),
                    step: step_label(&e.step).to_owned(),
                    user: user_name(&users, e.user_id),
                    detail: match (meeting, detail.is_empty()) {
                        (Some(m), true) => m,
                        (Some(m), false) => format!("{detail}（{m}）"),
                        (None, _) => detail,
                    },
                }
            })
            .collect(),
    })
}

/// A member of a meeting (a user).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MeetingMember)]
pub struct MemberView {
    #[schema(value_type = RecordId)]
    pub user_id: i64,
    pub name: String,
    /// 所属機関の名前
    pub agencies: Vec<String>,
    /// 守秘の誓約をしたか
    pub pledged: bool,
    /// 出席（true）・欠席（false）・未記録（null）
    pub attended: Option<bool>,
    #[schema(schema_with = attendance_labels)]
    pub attendance_label: &'static str,
}

/// How attendance reads: 出席, 欠席, or 未記録 while not recorded.
const ATTENDANCE_LABELS: [&str; 3] = ["出席", "欠席", "未記録"];

fn attendance_labels() -> utoipa::openapi::Schema {
    one_of_strings(&ATTENDANCE_LABELS)
}

fn attendance_label(attended: Option<bool>) -> &'static str {
    match attended {
        Some(true) => ATTENDANCE_LABELS[0],
        Some(false) => ATTENDANCE_LABELS[1],
        None => ATTENDANCE_LABELS[2],
    }
}

/// Someone at the meeting who is not a user.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Attendee)]
pub struct AttendeeView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    pub name: String,
    #[schema(schema_with = codes::<AttendeeRole>)]
    pub role: &'static str,
    pub role_label: &'static str,
    /// 所属
    pub organisation: String,
    pub attended: bool,
    #[schema(schema_with = attendance_labels)]
    pub attendance_label: &'static str,
}

/// Someone not yet consulted on a 支援会議's agenda (an アウトリーチ target).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = UnconsultedItem)]
pub struct UnconsultedView {
    #[schema(value_type = RecordId)]
    pub agenda_item_id: i64,
    #[schema(minimum = 1)]
    pub position: i64,
    #[schema(value_type = RecordId)]
    pub outreach_target_id: i64,
    /// 議題にしたときの状況
    pub situation: String,
    /// The target's stage, for members who work the target.
    pub stage_label: String,
    /// 対象の記録を開けるか（担当機関・事務局）
    pub target_visible: bool,
    /// その人がのちに受けた相談
    #[schema(value_type = Option<RecordId>)]
    pub consultation_id: Option<i64>,
}

/// A case as it is shared on a meeting's agenda, for that meeting only.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = AgendaCase)]
pub struct AgendaView {
    #[schema(minimum = 1)]
    pub position: i64,
    #[schema(value_type = RecordId)]
    pub case_id: i64,
    pub person_name: String,
    pub person_kana: String,
    #[schema(minimum = 0)]
    pub age: Option<u32>,
    pub state_label: &'static str,
    pub consented: bool,
    pub chief_complaint: String,
    pub situation: String,
    pub concern_labels: Vec<String>,
    pub plan: Option<PlanView>,
}

/// A topic on the agenda; with a 年度, that 年度's 事業実績 for the whole
/// city as meeting material: counts only, cells of 1–2 suppressed (＊), as
/// for publication, since the 全体会's members come from many organisations.
/// A theme on the agenda, with its 年度's figures when it names one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Topic)]
pub struct TopicView {
    #[schema(value_type = RecordId)]
    pub agenda_item_id: i64,
    #[schema(minimum = 1)]
    pub position: i64,
    pub title: String,
    /// 年度（始まる年）
    pub fiscal_year: Option<i32>,
    pub fiscal_year_label: String,
    pub indicators: Vec<TopicIndicator>,
    pub figures: Vec<TopicFigure>,
    /// 支援会議の事案: その人がのちに受けた相談
    #[schema(value_type = Option<RecordId>)]
    pub consultation_id: Option<i64>,
    pub links_consultation: bool,
}

/// An indicator of the 年度 (target, actual, the year before; ＊ for 1–2).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicIndicator {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub target: String,
    pub actual: String,
    pub previous: String,
}

/// A count of the 年度's 事業実績 (＊ for 1–2).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicFigure {
    pub section: String,
    pub item: String,
    pub value: String,
}

impl TopicView {
    fn of(t: &TopicRecord) -> TopicView {
        let shown = |n: i64| for_publication(n.to_string());
        TopicView {
            agenda_item_id: t.item_id,
            position: t.position,
            title: t.title.clone(),
            fiscal_year: t.fiscal_year.map(FiscalYear::start_year),
            fiscal_year_label: t.fiscal_year.map(FiscalYear::label).unwrap_or_default(),
            indicators: t
                .report
                .iter()
                .flat_map(|r| &r.indicators)
                .map(|i| TopicIndicator {
                    key: i.key.clone(),
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    target: i.target.map(|t| t.to_string()).unwrap_or_default(),
                    actual: shown(i.actual),
                    previous: shown(i.previous),
                })
                .collect(),
            figures: t
                .report
                .iter()
                .flat_map(|r| r.rows(true))
                .map(|[section, item, value]| TopicFigure {
                    section,
                    item,
                    value,
                })
                .collect(),
            consultation_id: t.consultation_id,
            links_consultation: t.links_consultation,
        }
    }
}

/// A meeting's 決定事項.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Decision)]
pub struct DecisionView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(value_type = Option<RecordId>)]
    pub case_id: Option<i64>,
    #[schema(value_type = Option<RecordId>)]
    pub agenda_item_id: Option<i64>,
    /// テーマ（または支援会議の事案）の議題の名前
    pub topic: Option<String>,
    pub text: String,
    /// この決定で合意した支援プラン
    #[schema(value_type = Option<RecordId>)]
    pub agreed_plan_id: Option<i64>,
    /// 記録した人
    pub by: String,
}

/// A meeting and its material as the member reading may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Meeting)]
pub struct MeetingView {
    #[serde(flatten)]
    pub head: MeetingRef,
    pub requires_pledge: bool,
    pub requires_consent: bool,
    pub agrees_plans: bool,
    pub members: Vec<MemberView>,
    /// Attendees who are not users, with their attendance.
    pub attendees: Vec<AttendeeView>,
    /// Whether 本人 can attend (not at a 支援会議).
    pub admits_self: bool,
    pub agenda: Vec<AgendaView>,
    pub topics: Vec<TopicView>,
    /// People not yet consulted (支援会議).
    pub unconsulted: Vec<UnconsultedView>,
    /// Whether topics can be put on this kind's agenda.
    pub takes_topics: bool,
    /// Whether アウトリーチ targets can be (支援会議).
    pub takes_unconsulted: bool,
    /// 本人が同意を取り下げたため示さない議題のケースの数
    pub withheld: usize,
    pub minutes: String,
    pub minutes_by: String,
    /// The version the minutes are read at, to send back with a save.
    pub minutes_version: String,
    pub decisions: Vec<DecisionView>,
    pub tasks: Vec<TaskView>,
}

/// The meeting's material as `App::meeting_record` gave it.
pub async fn meeting_view(
    state: &AppState,
    record: &MeetingRecord,
) -> Result<MeetingView, AppError> {
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    let meeting = &record.meeting;
    let kind = meeting.row.kind;
    let on = meeting.row.starts_at.date();
    let agenda = record
        .agenda
        .iter()
        .map(|item| {
            let person = item.person.as_ref();
            let consultation = item.consultation.as_ref();
            AgendaView {
                position: item.position,
                case_id: item.case.id,
                person_name: person.map(|p| p.name.clone()).unwrap_or_default(),
                person_kana: person.and_then(|p| p.kana.clone()).unwrap_or_default(),
                age: person
                    .and_then(|p| p.birth_date)
                    .and_then(|b| EraDate::from_date(b).age_on(on)),
                state_label: item.case.state.label(),
                consented: item.consented,
                chief_complaint: consultation
                    .map(|c| c.chief_complaint.clone())
                    .unwrap_or_default(),
                situation: consultation
                    .map(|c| c.situation.clone())
                    .unwrap_or_default(),
                concern_labels: consultation
                    .map(|c| {
                        c.concerns
                            .iter()
                            .filter_map(|x| Concern::parse(&x.code))
                            .map(|x| x.label().to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
                plan: item
                    .plans
                    .first()
                    .map(|p| PlanView::of(p, &agencies, &users, state)),
            }
        })
        .collect();
    let tasks = &record.tasks;
    let today = state.today();
    Ok(MeetingView {
        head: MeetingRef::of(&meeting.row, state),
        requires_pledge: kind.requires_pledge(),
        requires_consent: kind.requires_consent(),
        agrees_plans: kind.agrees_plans(),
        members: meeting
            .members
            .iter()
            .map(|m| {
                let u = users.iter().find(|u| u.id == m.user_id);
                MemberView {
                    user_id: m.user_id,
                    name: u.map(|u| u.display_name.clone()).unwrap_or_default(),
                    agencies: u
                        .map(|u| {
                            u.agency_ids
                                .iter()
                                .map(|a| agency_name(&agencies, *a))
                                .collect()
                        })
                        .unwrap_or_default(),
                    pledged: m.pledged_at.is_some(),
                    attended: m.attended,
                    attendance_label: attendance_label(m.attended),
                }
            })
            .collect(),
        attendees: meeting
            .attendees
            .iter()
            .map(|a| AttendeeView {
                id: a.id,
                name: a.name.clone(),
                role: a.role.code(),
                role_label: a.role.label(),
                organisation: a.organisation.clone(),
                attended: a.attended,
                attendance_label: attendance_label(Some(a.attended)),
            })
            .collect(),
        admits_self: kind.admits_self(),
        agenda,
        topics: record.topics.iter().map(TopicView::of).collect(),
        unconsulted: record
            .unconsulted
            .iter()
            .map(|u| UnconsultedView {
                agenda_item_id: u.item_id,
                position: u.position,
                outreach_target_id: u.target_id,
                situation: u.situation.clone(),
                stage_label: u
                    .target
                    .as_ref()
                    .map(|t| t.stage.label().to_owned())
                    .unwrap_or_default(),
                target_visible: u.target.is_some(),
                consultation_id: u.consultation_id,
            })
            .collect(),
        takes_topics: kind.takes_topics(),
        takes_unconsulted: kind.takes_unconsulted(),
        withheld: record.withheld,
        minutes: meeting.row.minutes.clone(),
        minutes_version: tsunagaru_store::version_of(meeting.row.minutes_at),
        minutes_by: meeting
            .row
            .minutes_by
            .map(|id| user_name(&users, id))
            .unwrap_or_default(),
        decisions: meeting
            .decisions
            .iter()
            .map(|d| DecisionView {
                id: d.id,
                case_id: d.case_id,
                agenda_item_id: d.agenda_item_id,
                topic: d.agenda_item_id.and_then(|item| {
                    record
                        .topics
                        .iter()
                        .find(|t| t.item_id == item)
                        .map(|t| t.title.clone())
                        .or_else(|| {
                            record
                                .unconsulted
                                .iter()
                                .find(|u| u.item_id == item)
                                .map(|u| u.situation.clone())
                        })
                }),
                text: d.text.clone(),
                agreed_plan_id: d.agreed_plan_id,
                by: user_name(&users, d.created_by),
            })
            .collect(),
        tasks: tasks
            .iter()
            .map(|t| TaskView::of(t, &agencies, today))
            .collect(),
    })
}
