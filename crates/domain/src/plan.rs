//! 多機関協働's written work: the アセスメント, the 支援プラン (one version) and
//! the 終結時評価. Each is parsed from what a user typed into a value that
//! cannot be incomplete; problems come back per field, in Japanese.

use crate::era::EraDate;
use crate::intake::{Concern, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A field of the household's life the アセスメント looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentArea {
    /// 健康・障がい
    Health,
    /// 経済・就労
    Livelihood,
    /// 住まい
    Housing,
    /// 家族関係・養育・介護
    Family,
    /// 日常生活
    DailyLife,
    /// 地域・社会とのつながり
    Community,
}

impl AssessmentArea {
    pub const ALL: [AssessmentArea; 6] = [
        AssessmentArea::Health,
        AssessmentArea::Livelihood,
        AssessmentArea::Housing,
        AssessmentArea::Family,
        AssessmentArea::DailyLife,
        AssessmentArea::Community,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AssessmentArea::Health => "health",
            AssessmentArea::Livelihood => "livelihood",
            AssessmentArea::Housing => "housing",
            AssessmentArea::Family => "family",
            AssessmentArea::DailyLife => "daily_life",
            AssessmentArea::Community => "community",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AssessmentArea::Health => "健康・障がい",
            AssessmentArea::Livelihood => "経済・就労",
            AssessmentArea::Housing => "住まい",
            AssessmentArea::Family => "家族関係・養育・介護",
            AssessmentArea::DailyLife => "日常生活",
            AssessmentArea::Community => "地域・社会とのつながり",
        }
    }

    pub fn parse(code: &str) -> Option<AssessmentArea> {
        AssessmentArea::ALL
            .into_iter()
            .find(|a| a.code() == code.trim() || a.label() == code.trim())
    }
}

/// The アセスメント as typed: free text per area (by area code), concern
/// categories (codes or the sheet's labels), strengths and risks.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AssessmentInput {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::area_notes))]
    pub areas: Vec<(String, String)>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::code_list::<crate::intake::Concern>))]
    pub concerns: Vec<String>,
    pub strengths: String,
    pub risks: String,
}

/// A checked アセスメント: at least one area described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub areas: Vec<AreaNote>,
    /// Concern codes (see [`Concern`]).
    pub concerns: Vec<String>,
    pub strengths: String,
    pub risks: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaNote {
    pub area: AssessmentArea,
    pub text: String,
}

impl AssessmentInput {
    pub fn parse(&self) -> Result<Assessment, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut areas: Vec<AreaNote> = Vec::new();
        for (code, text) in &self.areas {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match AssessmentArea::parse(code) {
                Some(area) if areas.iter().any(|n| n.area == area) => problems.push(error(
                    format!("areas.{}", area.code()),
                    format!("「{}」が2回書かれています", area.label()),
                )),
                Some(area) => areas.push(AreaNote {
                    area,
                    text: text.to_owned(),
                }),
                None => problems.push(error(
                    "areas",
                    format!("アセスメントの分野「{code}」はありません"),
                )),
            }
        }
        areas.sort_by_key(|n| AssessmentArea::ALL.iter().position(|a| *a == n.area));
        let mut concerns: Vec<String> = Vec::new();
        for c in self.concerns.iter().filter(|c| !c.trim().is_empty()) {
            match Concern::parse(c) {
                Some(concern) if !concerns.iter().any(|x| x == concern.code()) => {
                    concerns.push(concern.code().to_owned())
                }
                Some(_) => {}
                None => problems.push(error("concerns", format!("相談内容「{c}」は選べません"))),
            }
        }
        if areas.is_empty() && problems.is_empty() {
            problems.push(error(
                "areas",
                "世帯の状況を少なくとも1つの分野について書いてください",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Assessment {
            areas,
            concerns,
            strengths: self.strengths.trim().to_owned(),
            risks: self.risks.trim().to_owned(),
        })
    }
}

/// 短期目標 or 長期目標.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalTerm {
    Short,
    Long,
}

crate::code::listed_codes!(GoalTerm, AssessmentArea);

impl GoalTerm {
    pub const ALL: [GoalTerm; 2] = [GoalTerm::Short, GoalTerm::Long];

    /// The code it is stored and answered with (`short`, `long`).
    pub fn code(self) -> &'static str {
        match self {
            GoalTerm::Short => "short",
            GoalTerm::Long => "long",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalTerm::Short => "短期目標",
            GoalTerm::Long => "長期目標",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub term: GoalTerm,
    pub text: String,
}

/// 役割分担: one agency's role in the plan and its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub agency_id: i64,
    pub role: String,
    pub tasks: Vec<PlannedTask>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTask {
    pub title: String,
    pub due_on: Option<NaiveDate>,
}

/// One version of a 支援プラン, checked: at least one goal, at least one
/// agency with a role, each agency once, every task named, dates real.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub goals: Vec<Goal>,
    pub assignments: Vec<Assignment>,
    /// 支援の方向性
    pub direction: String,
    /// 次回見直し日
    pub next_review_on: Option<NaiveDate>,
}

impl Plan {
    /// The agencies that hold a role.
    pub fn agency_ids(&self) -> Vec<i64> {
        self.assignments.iter().map(|a| a.agency_id).collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PlanInput {
    pub short_term_goals: Vec<String>,
    pub long_term_goals: Vec<String>,
    pub assignments: Vec<AssignmentInput>,
    pub direction: String,
    /// 和暦 or 西暦.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub next_review_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AssignmentInput {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::RecordId>))]
    pub agency_id: Option<i64>,
    pub role: String,
    pub tasks: Vec<TaskInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TaskInput {
    pub title: String,
    /// 和暦 or 西暦.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub due_on: String,
}

impl TaskInput {
    fn is_blank(&self) -> bool {
        self.title.trim().is_empty() && self.due_on.trim().is_empty()
    }

    /// A task named and dated (the date optional), or the problems.
    pub fn parse(&self, field: &str) -> Result<PlannedTask, Vec<FieldError>> {
        let mut problems = Vec::new();
        let due_on = parse_date(&mut problems, &format!("{field}.due_on"), &self.due_on);
        if self.title.trim().is_empty() {
            problems.push(error(
                format!("{field}.title"),
                "期限を書いたタスクには内容を書いてください",
            ));
        }
        if problems.is_empty() {
            Ok(PlannedTask {
                title: self.title.trim().to_owned(),
                due_on,
            })
        } else {
            Err(problems)
        }
    }
}

impl AssignmentInput {
    fn is_blank(&self) -> bool {
        self.agency_id.is_none()
            && self.role.trim().is_empty()
            && self.tasks.iter().all(TaskInput::is_blank)
    }
}

impl PlanInput {
    pub fn parse(&self) -> Result<Plan, Vec<FieldError>> {
        let mut problems = Vec::new();
        let goals: Vec<Goal> = [
            (GoalTerm::Short, &self.short_term_goals),
            (GoalTerm::Long, &self.long_term_goals),
        ]
        .into_iter()
        .flat_map(|(term, texts)| {
            texts
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(move |t| Goal {
                    term,
                    text: t.to_owned(),
                })
        })
        .collect();
        if goals.is_empty() {
            problems.push(error(
                "short_term_goals",
                "目標（短期目標か長期目標）を1つ以上書いてください",
            ));
        }
        let mut assignments: Vec<Assignment> = Vec::new();
        for (i, a) in self.assignments.iter().enumerate() {
            if a.is_blank() {
                continue;
            }
            let field = format!("assignments[{i}]");
            let Some(agency_id) = a.agency_id else {
                problems.push(error(
                    format!("{field}.agency_id"),
                    "役割分担の機関を選んでください",
                ));
                continue;
            };
            if assignments.iter().any(|x| x.agency_id == agency_id) {
                problems.push(error(
                    format!("{field}.agency_id"),
                    "同じ機関が役割分担に2回あります（1行にまとめてください）",
                ));
                continue;
            }
            if a.role.trim().is_empty() {
                problems.push(error(format!("{field}.role"), "機関の役割を書いてください"));
            }
            let mut tasks = Vec::new();
            for (j, t) in a.tasks.iter().enumerate() {
                if t.is_blank() {
                    continue;
                }
                match t.parse(&format!("{field}.tasks[{j}]")) {
                    Ok(task) => tasks.push(task),
                    Err(mut p) => problems.append(&mut p),
                }
            }
            assignments.push(Assignment {
                agency_id,
                role: a.role.trim().to_owned(),
                tasks,
            });
        }
        if assignments.is_empty() {
            problems.push(error("assignments", "役割分担を1機関以上書いてください"));
        }
        let next_review_on = parse_date(&mut problems, "next_review_on", &self.next_review_on);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Plan {
            goals,
            assignments,
            direction: self.direction.trim().to_owned(),
            next_review_on,
        })
    }
}

/// 終結時評価 of one goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalOutcome {
    Achieved,
    Partly,
    NotAchieved,
}

crate::code::listed_codes!(GoalOutcome);

impl GoalOutcome {
    pub const ALL: [GoalOutcome; 3] = [
        GoalOutcome::Achieved,
        GoalOutcome::Partly,
        GoalOutcome::NotAchieved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "achieved",
            GoalOutcome::Partly => "partly",
            GoalOutcome::NotAchieved => "not_achieved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "達成",
            GoalOutcome::Partly => "一部達成",
            GoalOutcome::NotAchieved => "未達成",
        }
    }

    pub fn parse(code: &str) -> Option<GoalOutcome> {
        GoalOutcome::ALL
            .into_iter()
            .find(|o| o.code() == code.trim() || o.label() == code.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalEvaluation {
    pub goal: Goal,
    pub outcome: GoalOutcome,
    /// What changed.
    pub change: String,
}

crate::intake::vocabulary!(
    /// 終結の理由, coded so the 年度's closures can be counted by reason
    /// (as the 支援状況調査 counts its 終結).
    ClosureReason {
        GoalsMet = "goals_met", "目標の達成（課題の解決）";
        CommunityWatch = "community_watch", "地域での見守りへ移行";
        OtherService = "other_service", "他の制度・機関の支援へ移行";
        MovedAway = "moved_away", "転出";
        Deceased = "deceased", "死亡";
        Declined = "declined", "本人の申出（支援の辞退）";
        LostContact = "lost_contact", "連絡が取れなくなった";
        Other = "other", "その他";
    }
);

/// The 終結時評価: every goal of the plan evaluated, why the case ends (a
/// coded reason) and what the worker adds in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredClosure")]
pub struct Closure {
    pub evaluations: Vec<GoalEvaluation>,
    pub reason: ClosureReason,
    /// 理由の詳細 (needed for その他).
    pub detail: String,
}

/// A closure as stored: records written before the reasons were coded hold
/// the reason in words only; they read as その他 with those words kept.
#[derive(Deserialize)]
struct StoredClosure {
    evaluations: Vec<GoalEvaluation>,
    reason: String,
    #[serde(default)]
    detail: String,
}

impl From<StoredClosure> for Closure {
    fn from(s: StoredClosure) -> Closure {
        match ClosureReason::parse(&s.reason) {
            Some(reason) => Closure {
                evaluations: s.evaluations,
                reason,
                detail: s.detail,
            },
            None => Closure {
                evaluations: s.evaluations,
                reason: ClosureReason::Other,
                detail: [s.reason, s.detail]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            },
        }
    }
}

impl<'de> Deserialize<'de> for ClosureReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        ClosureReason::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown closure reason {code}")))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ClosureInput {
    /// One per goal of the plan, in the plan's order.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub evaluations: Vec<EvaluationInput>,
    /// The code (`goals_met` …) or the label of a [`ClosureReason`].
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<ClosureReason>))]
    pub reason: String,
    /// 理由の詳細: what the worker adds; required for その他.
    pub detail: String,
    /// The よりそい会議 where the 終結 was evaluated and agreed.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = crate::openapi::RecordId))]
    pub meeting_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EvaluationInput {
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<GoalOutcome>))]
    pub outcome: String,
    pub change: String,
}

impl ClosureInput {
    /// Checks the evaluation against the goals of the plan in force.
    pub fn parse(&self, goals: &[Goal]) -> Result<Closure, Vec<FieldError>> {
        let mut problems = Vec::new();
        if self.evaluations.len() != goals.len() {
            problems.push(error(
                "evaluations",
                format!(
                    "支援プランの目標 {} 件それぞれを評価してください（評価は {} 件です）",
                    goals.len(),
                    self.evaluations.len()
                ),
            ));
        }
        let mut evaluations = Vec::new();
        for (i, (goal, e)) in goals.iter().zip(&self.evaluations).enumerate() {
            match GoalOutcome::parse(&e.outcome) {
                Some(outcome) => evaluations.push(GoalEvaluation {
                    goal: goal.clone(),
                    outcome,
                    change: e.change.trim().to_owned(),
                }),
                None if e.outcome.trim().is_empty() => problems.push(error(
                    format!("evaluations[{i}].outcome"),
                    format!(
                        "目標「{}」の評価（達成・一部達成・未達成）を選んでください",
                        goal.text
                    ),
                )),
                None => problems.push(error(
                    format!("evaluations[{i}].outcome"),
                    format!("評価「{}」は選べません", e.outcome.trim()),
                )),
            }
        }
        let reason = ClosureReason::parse(&self.reason);
        let choices = || {
            ClosureReason::ALL
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("・")
        };
        let detail = self.detail.trim().to_owned();
        match reason {
            None if self.reason.trim().is_empty() => problems.push(error(
                "reason",
                format!("終結の理由を選んでください（{}）", choices()),
            )),
            None => problems.push(error(
                "reason",
                format!(
                    "終結の理由「{}」は選べません（{}）",
                    self.reason.trim(),
                    choices()
                ),
            )),
            Some(ClosureReason::Other) if detail.is_empty() => problems.push(error(
                "detail",
                "終結の理由が「その他」のときは、詳細を書いてください",
            )),
            Some(_) => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Closure {
            evaluations,
            reason: reason.expect("checked"),
            detail,
        })
    }
}

crate::intake::vocabulary!(
    /// Where a task given to an agency (役割分担, a meeting's decision) is.
    TaskState {
        Open = "open", "未完了";
        Done = "done", "完了";
        Superseded = "superseded", "新しいプランに置き換え";
        Ended = "ended", "ケースの終了により終了";
    }
);

/// A task is overdue once its due date has passed.
pub fn task_overdue(due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    due_on.is_some_and(|d| d < today)
}

fn error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn parse_date(problems: &mut Vec<FieldError>, field: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    EraDate::parse(value)
        .map_err(|e| problems.push(error(field, e.to_string())))
        .ok()
        .map(EraDate::date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_goal_term_is_answered_with_the_code_it_is_stored_with() {
        for term in GoalTerm::ALL {
            let stored = serde_json::to_value(term).unwrap();
            assert_eq!(stored, term.code(), "{term:?}");
        }
    }

    fn task(title: &str, due_on: &str) -> TaskInput {
        TaskInput {
            title: title.into(),
            due_on: due_on.into(),
        }
    }

    fn plan_input() -> PlanInput {
        PlanInput {
            short_term_goals: vec!["家賃の滞納を解消する".into(), "  ".into()],
            long_term_goals: vec!["地域で安心して暮らす".into()],
            assignments: vec![
                AssignmentInput {
                    agency_id: Some(3),
                    role: "家計の相談".into(),
                    tasks: vec![task("家計表を作る", "令和8年12月10日"), task("", "")],
                },
                AssignmentInput::default(),
            ],
            direction: "住まいを守り、就労につなぐ".into(),
            next_review_on: "2027-01-20".into(),
        }
    }

    #[test]
    fn a_plan_keeps_goals_roles_and_dates() {
        let plan = plan_input().parse().unwrap();
        assert_eq!(plan.goals.len(), 2);
        assert_eq!(plan.goals[0].term, GoalTerm::Short);
        assert_eq!(plan.agency_ids(), vec![3]);
        assert_eq!(
            plan.assignments[0].tasks,
            vec![PlannedTask {
                title: "家計表を作る".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 12, 10)
            }]
        );
        assert_eq!(plan.next_review_on, NaiveDate::from_ymd_opt(2027, 1, 20));
    }

    #[test]
    fn a_plan_without_goals_or_roles_says_what_is_missing() {
        let errors = PlanInput::default().parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["short_term_goals", "assignments"]);
        let mut input = plan_input();
        input.assignments[1] = AssignmentInput {
            agency_id: Some(3),
            role: "重複".into(),
            tasks: vec![],
        };
        input.assignments[0].tasks = vec![task("", "令和8年2月30日")];
        input.next_review_on = "昭和64年1月8日".into();
        let errors = input.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "assignments[0].tasks[0].due_on",
                "assignments[0].tasks[0].title",
                "assignments[1].agency_id",
                "next_review_on"
            ]
        );
    }

    #[test]
    fn an_assessment_needs_one_area_and_knows_the_concerns() {
        let input = AssessmentInput {
            areas: vec![
                ("housing".into(), "家賃を3か月滞納".into()),
                ("健康・障がい".into(), "通院が途切れている".into()),
                ("family".into(), " ".into()),
            ],
            concerns: vec!["債務について".into(), "debt".into(), "housing".into()],
            strengths: "近所に頼れる友人がいる".into(),
            risks: "".into(),
        };
        let a = input.parse().unwrap();
        assert_eq!(
            a.areas.iter().map(|n| n.area).collect::<Vec<_>>(),
            vec![AssessmentArea::Health, AssessmentArea::Housing]
        );
        assert_eq!(a.concerns, vec!["debt", "housing"]);
        let errors = AssessmentInput::default().parse().unwrap_err();
        assert_eq!(errors[0].field, "areas");
        let bad = AssessmentInput {
            concerns: vec!["宇宙".into()],
            ..input
        };
        assert_eq!(
            bad.parse().unwrap_err()[0].message,
            "相談内容「宇宙」は選べません"
        );
    }

    #[test]
    fn closure_evaluates_every_goal() {
        let plan = plan_input().parse().unwrap();
        let input = ClosureInput {
            evaluations: vec![
                EvaluationInput {
                    outcome: "達成".into(),
                    change: "滞納が解消した".into(),
                },
                EvaluationInput {
                    outcome: "partly".into(),
                    change: String::new(),
                },
            ],
            reason: "地域での見守りへ移行".into(),
            detail: "目標を概ね達成し、地域包括で見守る".into(),
            meeting_id: None,
        };
        let closure = input.parse(&plan.goals).unwrap();
        assert_eq!(closure.evaluations[0].outcome, GoalOutcome::Achieved);
        assert_eq!(closure.evaluations[1].goal.text, "地域で安心して暮らす");
        assert_eq!(closure.reason, ClosureReason::CommunityWatch);
        let short = ClosureInput {
            evaluations: vec![EvaluationInput::default()],
            ..ClosureInput::default()
        };
        let errors = short.parse(&plan.goals).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["evaluations", "evaluations[0].outcome", "reason"]
        );
        // その他 needs words; an unknown reason is refused with the choices.
        let other = ClosureInput {
            reason: "other".into(),
            detail: " ".into(),
            ..input.clone()
        };
        assert_eq!(other.parse(&plan.goals).unwrap_err()[0].field, "detail");
        let unknown = ClosureInput {
            reason: "なんとなく".into(),
            ..input
        };
        let refused = unknown.parse(&plan.goals).unwrap_err();
        assert!(refused[0].message.contains("目標の達成（課題の解決）"));
    }

    #[test]
    fn a_closure_stored_before_reasons_were_coded_reads_as_other_with_its_words() {
        let old = r#"{"evaluations": [], "reason": "目標を概ね達成し、地域包括で見守る"}"#;
        let closure: Closure = serde_json::from_str(old).unwrap();
        assert_eq!(closure.reason, ClosureReason::Other);
        assert_eq!(closure.detail, "目標を概ね達成し、地域包括で見守る");
        let now = Closure {
            evaluations: Vec::new(),
            reason: ClosureReason::MovedAway,
            detail: "県外へ".into(),
        };
        let back: Closure = serde_json::from_str(&serde_json::to_string(&now).unwrap()).unwrap();
        assert_eq!(back, now);
    }

    #[test]
    fn a_task_is_overdue_after_its_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert!(!task_overdue(Some(day), day));
        assert!(task_overdue(day.pred_opt(), day));
        assert!(!task_overdue(None, day));
    }
}
