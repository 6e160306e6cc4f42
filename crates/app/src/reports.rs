//! 事業実績: what a 年度 achieved, counted from the records the system keeps.
//! Figures are counts, never names. The city's staff and the 事務局 see the
//! whole city; an agency's staff see their agencies' own work. Every view is
//! audited.

use crate::{Actor, App, AppError, policy};
use chrono::Datelike;
use std::collections::BTreeMap;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::Field;
use tsunagaru_domain::case::MeetingKind;
use tsunagaru_domain::handoff::{HandoffState, Purpose, overdue};
use tsunagaru_domain::intake::{Concern, Method, Sex};
use tsunagaru_domain::report::{FiscalYear, business_days_between, median_and_p90};
use tsunagaru_store::{AnnualFigures, ReportScope};

/// A figure with its label, in the order shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub count: i64,
}

fn row(key: impl Into<String>, label: impl Into<String>, count: i64) -> Row {
    Row {
        key: key.into(),
        label: label.into(),
        count,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernRow {
    pub concern: Concern,
    /// Sheets on which it was marked (○).
    pub any: i64,
    /// Sheets on which it was the main one (◎).
    pub main: i64,
}

/// 第1号 包括的相談支援.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Consultations {
    /// 相談受付件数 (延べ).
    pub total: i64,
    /// 実人数.
    pub persons: i64,
    /// April first.
    pub by_month: [i64; 12],
    pub by_quarter: [i64; 4],
    pub by_method: Vec<Row>,
    pub by_concern: Vec<ConcernRow>,
    pub by_agency: Vec<Row>,
    pub by_field: Vec<Row>,
    pub by_center: Vec<Row>,
    pub by_age_band: Vec<Row>,
    pub by_sex: Vec<Row>,
}

/// Days a part of the handoff loop took, in business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durations {
    pub median: i64,
    pub p90: i64,
    /// How many handoffs the figures come from.
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Handoffs {
    pub sent: i64,
    pub by_purpose: Vec<Row>,
    pub by_agency: Vec<Row>,
    pub by_state: Vec<Row>,
    /// 発出 → 受領.
    pub to_receipt: Option<Durations>,
    /// 発出 → 報告.
    pub to_report: Option<Durations>,
    /// Overdue by the pack's limits, on the 年度's last day (or today).
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outreach {
    pub targets: i64,
    pub attempts: i64,
    pub connected: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Participation {
    pub persons: i64,
    pub matches: i64,
    pub by_menu: Vec<Row>,
    /// 定着: still taking part on the 年度's last day.
    pub retained: i64,
    /// 受け入れ先 (協力事業者数).
    pub hosts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Community {
    /// 拠点数 at the 年度's last day, by kind.
    pub resources_by_kind: Vec<Row>,
    /// 拠点 opened (開設) and closed (廃止) in the 年度.
    pub resources_opened: i64,
    pub resources_closed: i64,
    pub events: i64,
    /// 参加者数 over the events that counted them.
    pub participants: i64,
    pub event_consultations: i64,
    pub organisations: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cases {
    /// つなぎ件数.
    pub opened: i64,
    pub plans_first: i64,
    pub plans_again: i64,
    pub closed: i64,
    /// 戻り.
    pub returned: i64,
    pub open_at_end: i64,
    /// Cases that entered モニタリング.
    pub monitored: i64,
    /// The goals of the closed cases by their 終結時評価 (達成 / 一部達成 / 未達成).
    pub goals: Vec<Row>,
    /// The closed cases by their 終結の理由.
    pub closed_by_reason: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub kind: MeetingKind,
    pub label: String,
    pub held: i64,
    /// Cases on their agendas.
    pub cases: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Meetings {
    pub by_kind: Vec<MeetingRow>,
    /// Months of the 年度 (so far) without a よりそい会議 (the plan's 月1回).
    pub months_without_case_conference: Vec<String>,
    /// Fewer than three 全体会 in the 年度 (the plan's 年3回).
    pub too_few_plenaries: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trainings {
    pub held: i64,
    pub by_kind: Vec<Row>,
    /// Agencies and 関係各課 that took part (distinct).
    pub agencies: i64,
}

/// One 評価指標 with its target, this 年度's figure and the previous one's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRow {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub target: Option<u64>,
    pub actual: i64,
    pub previous: i64,
}

/// Rates as the national surveys compute them: per 人口10万人・1か月.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub population: u64,
    /// 新規相談受付件数 per 10万人・1か月.
    pub consultations: f64,
    /// プラン作成件数 per 10万人・1か月.
    pub plans: f64,
}

/// The 年度's figures for one scope.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualReport {
    pub fiscal_year: FiscalYear,
    /// Whose work: 市全体 or the agencies' names.
    pub scope_label: String,
    pub whole_city: bool,
    pub consultations: Consultations,
    pub handoffs: Handoffs,
    pub outreach: Outreach,
    pub participation: Participation,
    pub community: Community,
    pub cases: Cases,
    pub meetings: Meetings,
    pub trainings: Trainings,
    pub indicators: Vec<IndicatorRow>,
    /// `None` until the pack gives the population.
    pub rates: Option<Rates>,
}

/// What a suppressed small count shows for publication.
pub const SUPPRESSED: &str = "＊";

/// A figure as published: a count of 1 or 2 is shown as [`SUPPRESSED`].
pub fn for_publication(figure: String) -> String {
    if matches!(figure.as_str(), "1" | "2") {
        SUPPRESSED.to_owned()
    } else {
        figure
    }
}

impl AnnualReport {
    /// The report as rows of (section, item, figure), for the CSV, the xlsx
    /// and the page. `publication` suppresses counts of 1 and 2 (shown as
    /// ＊) so that a small number cannot point to a person.
    pub fn rows(&self, publication: bool) -> Vec<[String; 3]> {
        let r = self;
        let mut out: Vec<[String; 3]> = Vec::new();
        let mut push = |section: &str, item: &str, value: String| {
            let value = if publication {
                for_publication(value)
            } else {
                value
            };
            out.push([section.to_owned(), item.to_owned(), value]);
        };
        let c = &r.consultations;
        let s = "第1号 包括的相談支援";
        push(s, "相談受付件数（延べ）", c.total.to_string());
        push(s, "実人数", c.persons.to_string());
        for (i, (y, m)) in r.fiscal_year.months().into_iter().enumerate() {
            push(s, &format!("{y}年{m}月"), c.by_month[i].to_string());
        }
        for (i, n) in c.by_quarter.iter().enumerate() {
            push(s, &format!("第{}四半期", i + 1), n.to_string());
        }
        for row in &c.by_method {
            push(
                s,
                &format!("相談方法: {}", row.label),
                row.count.to_string(),
            );
        }
        for k in &c.by_concern {
            push(
                s,
                &format!("相談内容（○）: {}", k.concern.label()),
                k.any.to_string(),
            );
            push(
                s,
                &format!("相談内容（◎）: {}", k.concern.label()),
                k.main.to_string(),
            );
        }
        for (prefix, rows) in [
            ("受付機関", &c.by_agency),
            ("分野", &c.by_field),
            ("担当地区", &c.by_center),
            ("年代", &c.by_age_band),
            ("性別", &c.by_sex),
        ] {
            for row in rows {
                push(
                    s,
                    &format!("{prefix}: {}", row.label),
                    row.count.to_string(),
                );
            }
        }
        let h = &r.handoffs;
        let s = "引継ぎ";
        push(s, "発出件数", h.sent.to_string());
        for (prefix, rows) in [
            ("シート利用目的", &h.by_purpose),
            ("引継機関", &h.by_agency),
            ("状態", &h.by_state),
        ] {
            for row in rows {
                push(
                    s,
                    &format!("{prefix}: {}", row.label),
                    row.count.to_string(),
                );
            }
        }
        for (what, d) in [("受領まで", h.to_receipt), ("報告まで", h.to_report)] {
            if let Some(d) = d {
                push(
                    s,
                    &format!("{what}の営業日数（中央値）"),
                    d.median.to_string(),
                );
                push(
                    s,
                    &format!("{what}の営業日数（90パーセンタイル）"),
                    d.p90.to_string(),
                );
            }
        }
        push(s, "期限超過", h.overdue.to_string());
        let s = "第4号 アウトリーチ";
        push(s, "対象者数", r.outreach.targets.to_string());
        push(s, "接触回数（延べ）", r.outreach.attempts.to_string());
        push(s, "相談につながった件数", r.outreach.connected.to_string());
        let p = &r.participation;
        let s = "第2号 参加支援";
        push(s, "支援対象者数", p.persons.to_string());
        push(s, "マッチング件数", p.matches.to_string());
        for row in &p.by_menu {
            push(
                s,
                &format!("メニュー: {}", row.label),
                row.count.to_string(),
            );
        }
        push(s, "定着（年度末に参加中）", p.retained.to_string());
        push(s, "受け入れ先（協力事業者数）", p.hosts.to_string());
        if r.whole_city {
            let m = &r.community;
            let s = "第3号 地域づくり";
            for row in &m.resources_by_kind {
                push(
                    s,
                    &format!("拠点（年度末）: {}", row.label),
                    row.count.to_string(),
                );
            }
            push(s, "拠点の開設", m.resources_opened.to_string());
            push(s, "拠点の廃止", m.resources_closed.to_string());
            push(s, "出前相談会などの開催", m.events.to_string());
            push(s, "参加者数", m.participants.to_string());
            push(s, "行事から生まれた相談", m.event_consultations.to_string());
            push(s, "参加機関数", m.organisations.to_string());
        }
        let k = &r.cases;
        let s = "第5号・第6号 多機関協働";
        push(s, "ケース開始（つなぎ件数）", k.opened.to_string());
        push(s, "支援プラン合意（新規）", k.plans_first.to_string());
        push(s, "支援プラン合意（再プラン）", k.plans_again.to_string());
        push(s, "モニタリング開始", k.monitored.to_string());
        push(s, "終結", k.closed.to_string());
        for reason in &k.closed_by_reason {
            push(
                s,
                &format!("終結の理由: {}", reason.label),
                reason.count.to_string(),
            );
        }
        for g in &k.goals {
            push(
                s,
                &format!("終結時評価: 目標{}", g.label),
                g.count.to_string(),
            );
        }
        push(s, "戻り", k.returned.to_string());
        push(s, "年度末に継続中", k.open_at_end.to_string());
        if r.whole_city {
            let s = "研修会・意見交換会";
            push(s, "開催", r.trainings.held.to_string());
            for row in &r.trainings.by_kind {
                push(s, &format!("{}の開催", row.label), row.count.to_string());
            }
            push(
                s,
                "参加した機関・関係各課",
                r.trainings.agencies.to_string(),
            );
        }
        let s = "評価指標";
        for i in &r.indicators {
            push(
                s,
                &format!("{}（{}）", i.name, i.unit),
                format!(
                    "実績 {} / 目標 {} / 前年度 {}",
                    i.actual,
                    i.target
                        .map_or_else(|| "未設定".to_owned(), |t| t.to_string()),
                    i.previous
                ),
            );
        }
        if let Some(x) = r.rates {
            let s = "人口10万人・1か月あたり";
            push(s, "新規相談受付件数", format!("{:.2}", x.consultations));
            push(s, "プラン作成件数", format!("{:.2}", x.plans));
        }
        if r.whole_city {
            let s = "会議";
            for m in &r.meetings.by_kind {
                push(s, &format!("{}（開催）", m.label), m.held.to_string());
                push(
                    s,
                    &format!("{}（検討したケース）", m.label),
                    m.cases.to_string(),
                );
            }
            if !r.meetings.months_without_case_conference.is_empty() {
                push(
                    s,
                    "よりそい会議のない月",
                    r.meetings.months_without_case_conference.join("・"),
                );
            }
        }
        out
    }

    /// A figure an indicator reads (`tsunagaru_domain::report::FIGURES`).
    pub fn figure(&self, key: &str) -> Option<i64> {
        Some(match key {
            "consultations.total" => self.consultations.total,
            "consultations.persons" => self.consultations.persons,
            "handoffs.sent" => self.handoffs.sent,
            "outreach.targets" => self.outreach.targets,
            "outreach.attempts" => self.outreach.attempts,
            "outreach.connected" => self.outreach.connected,
            "participation.persons" => self.participation.persons,
            "participation.matches" => self.participation.matches,
            "participation.retained" => self.participation.retained,
            "participation.hosts" => self.participation.hosts,
            "community.resources" => self
                .community
                .resources_by_kind
                .iter()
                .map(|r| r.count)
                .sum(),
            "community.events" => self.community.events,
            "community.participants" => self.community.participants,
            "community.event_consultations" => self.community.event_consultations,
            "cases.opened" => self.cases.opened,
            "cases.plans" => self.cases.plans_first + self.cases.plans_again,
            "cases.closed" => self.cases.closed,
            "trainings.held" => self.trainings.held,
            _ => return None,
        })
    }
}

impl App {
    /// The scope the actor's reports count: the whole city for city staff
    /// and the 事務局, their agencies' own work for agency staff.
    pub async fn report_scope(&self, actor: &Actor) -> Result<ReportScope, AppError> {
        let is_team = self.team_agency(actor).await?.is_some();
        policy::report_scope(actor, is_team).ok_or_else(|| {
            AppError::forbidden("事業実績を見られるのは、市・事務局と各機関の職員です")
        })
    }

    /// The 年度's report for the actor's scope, with the 評価指標 against their
    /// targets and the previous 年度; the view is audited once.
    pub async fn annual_report(
        &self,
        actor: &Actor,
        fiscal_year: FiscalYear,
    ) -> Result<AnnualReport, AppError> {
        self.annual_report_as(actor, fiscal_year, false).await
    }

    /// The report as a file to take away (CSV, xlsx): an export, a
    /// privileged action; audited as such.
    pub async fn export_annual_report(
        &self,
        actor: &Actor,
        fiscal_year: FiscalYear,
    ) -> Result<AnnualReport, AppError> {
        self.annual_report_as(actor, fiscal_year, true).await
    }

    async fn annual_report_as(
        &self,
        actor: &Actor,
        fiscal_year: FiscalYear,
        export: bool,
    ) -> Result<AnnualReport, AppError> {
        let scope = self.report_scope(actor).await?;
        if export {
            self.require_recent_authentication(actor)?;
        }
        let report = self.report_with_indicators(&scope, fiscal_year).await?;
        self.repo
            .append_audit(actor.audit(AuditAction::ReportViewed).detail(format!(
                "{} {}{}",
                fiscal_year.label(),
                report.scope_label,
                if export {
                    "（ファイル出力）"
                } else {
                    ""
                }
            )))
            .await?;
        Ok(report)
    }

    /// The 年度's figures for a scope with the 評価指標 against their targets
    /// and the previous 年度. Not audited: the caller audits the view.
    pub(crate) async fn report_with_indicators(
        &self,
        scope: &ReportScope,
        fiscal_year: FiscalYear,
    ) -> Result<AnnualReport, AppError> {
        let mut report = self.count_year(scope, fiscal_year).await?;
        let previous = self.count_year(scope, fiscal_year.previous()).await?;
        report.indicators = self
            .pack()
            .indicators
            .iter()
            .map(|i| IndicatorRow {
                key: i.key.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                target: i
                    .targets
                    .iter()
                    .find(|(y, _)| FiscalYear::parse(y).ok() == Some(fiscal_year))
                    .map(|(_, t)| *t),
                actual: report.figure(&i.figure).unwrap_or(0),
                previous: previous.figure(&i.figure).unwrap_or(0),
            })
            .collect();
        Ok(report)
    }

    /// Records a 研修会・意見交換会 (city staff, the 事務局).
    pub async fn record_training(
        &self,
        actor: &Actor,
        input: &tsunagaru_domain::reach::TrainingInput,
    ) -> Result<i64, AppError> {
        let is_team = self.team_agency(actor).await?.is_some();
        if !policy::may_record_trainings(actor, is_team) {
            return Err(AppError::forbidden(
                "研修会・意見交換会を記録できるのは、市と事務局の職員です",
            ));
        }
        let t = input.parse(self.today()).map_err(AppError::Invalid)?;
        let agencies = self.agencies().await?;
        if let Some(bad) = t
            .agency_ids
            .iter()
            .find(|id| !agencies.iter().any(|a| a.id == **id && a.active))
        {
            return Err(AppError::invalid(
                "agency_ids",
                format!("機関 ID {bad} は登録されていません"),
            ));
        }
        Ok(self
            .repo
            .create_training(
                &tsunagaru_store::NewTraining {
                    kind: t.kind,
                    held_on: t.held_on,
                    theme: t.theme,
                    note: t.note,
                    agency_ids: t.agency_ids,
                    created_by: actor.id(),
                },
                actor
                    .audit(AuditAction::TrainingRecorded)
                    .detail(t.kind.label()),
            )
            .await?)
    }

    /// The 研修会・意見交換会 of a 年度 (no personal data), for those who read 実績.
    pub async fn trainings(
        &self,
        actor: &Actor,
        fiscal_year: FiscalYear,
    ) -> Result<Vec<tsunagaru_store::TrainingRow>, AppError> {
        self.report_scope(actor).await?;
        Ok(self
            .repo
            .trainings(fiscal_year.first_day(), fiscal_year.last_day())
            .await?)
    }

    /// One 年度 counted for a scope (no audit: `annual_report` audits).
    async fn count_year(
        &self,
        scope: &ReportScope,
        fiscal_year: FiscalYear,
    ) -> Result<AnnualReport, AppError> {
        let scope = scope.clone();
        let figures = self
            .repo
            .annual_figures(fiscal_year.first_day(), fiscal_year.last_day(), &scope)
            .await?;
        let agencies = self.agencies().await?;
        let whole_city = scope == ReportScope::City;
        let scope_label = match &scope {
            ReportScope::City => format!("{}全体", self.pack().municipality.name),
            ReportScope::Agencies(ids) => agencies
                .iter()
                .filter(|a| ids.contains(&a.id))
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join("・"),
        };
        let today = self.today();
        let consultations = self.consultations(fiscal_year, &figures, &agencies);
        let cases = Cases {
            opened: figures.cases_opened,
            plans_first: figures.plans_agreed_first,
            plans_again: figures.plans_agreed_again,
            closed: count_of(&figures.cases_ended, "closed"),
            returned: count_of(&figures.cases_ended, "returned"),
            open_at_end: figures.cases_open_at_end,
            monitored: figures.cases_monitored,
            closed_by_reason: tsunagaru_domain::plan::ClosureReason::ALL
                .iter()
                .map(|r| {
                    let n = figures.closures.iter().filter(|c| c.reason == *r).count();
                    row(r.code(), r.label(), i64::try_from(n).unwrap_or(0))
                })
                .collect(),
            goals: tsunagaru_domain::plan::GoalOutcome::ALL
                .iter()
                .map(|o| {
                    let n = figures
                        .closures
                        .iter()
                        .flat_map(|c| &c.evaluations)
                        .filter(|e| e.outcome == *o)
                        .count();
                    row(o.code(), o.label(), i64::try_from(n).unwrap_or(0))
                })
                .collect(),
        };
        // Per 10万人・1か月 over the months of the 年度 that have begun.
        let months = fiscal_year
            .months()
            .iter()
            .filter(|(y, m)| chrono::NaiveDate::from_ymd_opt(*y, *m, 1).is_some_and(|d| d <= today))
            .count();
        #[allow(clippy::cast_precision_loss)]
        let rates = self
            .pack()
            .reporting
            .population
            .filter(|p| *p > 0 && months > 0 && whole_city)
            .map(|population| {
                let per = |n: i64| n as f64 * 100_000.0 / population as f64 / months as f64;
                Rates {
                    population,
                    consultations: per(consultations.total),
                    plans: per(cases.plans_first),
                }
            });
        let trainings = Trainings {
            held: figures.trainings_by_kind.iter().map(|r| r.count).sum(),
            by_kind: tsunagaru_domain::reach::TrainingKind::ALL
                .iter()
                .map(|k| {
                    row(
                        k.code(),
                        k.label(),
                        count_of(&figures.trainings_by_kind, k.code()),
                    )
                })
                .collect(),
            agencies: figures.training_agencies,
        };
        Ok(AnnualReport {
            trainings,
            indicators: Vec::new(),
            rates,
            fiscal_year,
            scope_label,
            whole_city,
            consultations,
            handoffs: self.handoffs(fiscal_year, &figures, &agencies, today),
            outreach: Outreach {
                targets: figures.outreach_targets,
                attempts: figures.outreach_attempts,
                connected: figures.outreach_connected,
            },
            participation: Participation {
                persons: figures.matched_persons,
                matches: figures.matches,
                by_menu: keyed(&figures.matches_by_menu, |k| k.to_owned()),
                retained: figures.retained,
                hosts: figures.hosts,
            },
            community: Community {
                resources_by_kind: keyed(&figures.resources_by_kind, |k| {
                    tsunagaru_domain::reach::ResourceKind::parse(k)
                        .map(|r| r.label().to_owned())
                        .unwrap_or_else(|| k.to_owned())
                }),
                resources_opened: figures.resources_opened,
                resources_closed: figures.resources_closed,
                events: figures.events_held,
                participants: figures.event_participants,
                event_consultations: figures.event_consultations,
                organisations: figures.event_organisations,
            },
            cases,
            meetings: self.meetings(fiscal_year, &figures, whole_city, today),
        })
    }

    fn consultations(
        &self,
        fy: FiscalYear,
        f: &AnnualFigures,
        agencies: &[tsunagaru_store::Agency],
    ) -> Consultations {
        let mut c = Consultations {
            persons: f.consultation_persons,
            ..Consultations::default()
        };
        let mut by_method: BTreeMap<usize, i64> = BTreeMap::new();
        let mut by_agency: BTreeMap<i64, i64> = BTreeMap::new();
        for d in &f.consultation_days {
            c.total += d.count;
            if let Some(m) = fy.month_index(d.received_on) {
                c.by_month[m] += d.count;
                c.by_quarter[m / 3] += d.count;
            }
            let i = Method::ALL.iter().position(|x| *x == d.method).unwrap_or(0);
            *by_method.entry(i).or_default() += d.count;
            *by_agency.entry(d.agency_id).or_default() += d.count;
        }
        c.by_method = Method::ALL
            .iter()
            .enumerate()
            .map(|(i, m)| row(m.code(), m.label(), by_method.get(&i).copied().unwrap_or(0)))
            .collect();
        c.by_concern = Concern::ALL
            .iter()
            .map(|k| {
                let found = f.concerns.iter().find(|x| x.code == *k);
                ConcernRow {
                    concern: *k,
                    any: found.map_or(0, |x| x.any),
                    main: found.map_or(0, |x| x.main),
                }
            })
            .collect();
        let name = |id: i64| {
            agencies
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| format!("機関 {id}"))
        };
        c.by_agency = by_agency
            .iter()
            .map(|(id, n)| row(id.to_string(), name(*id), *n))
            .collect();
        c.by_agency
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        // 分野 of the 受付機関: its first field; cross-field and none are その他.
        let mut by_field: BTreeMap<&'static str, i64> = BTreeMap::new();
        for (id, n) in &by_agency {
            let field = agencies
                .iter()
                .find(|a| a.id == *id)
                .and_then(|a| a.fields.first().copied())
                .filter(|f| *f != Field::CrossField);
            *by_field
                .entry(field.map_or("other", Field::code))
                .or_default() += n;
        }
        c.by_field = Field::ALL
            .iter()
            .filter(|f| **f != Field::CrossField)
            .map(|f| {
                row(
                    f.code(),
                    f.label(),
                    by_field.get(f.code()).copied().unwrap_or(0),
                )
            })
            .chain(std::iter::once(row(
                "other",
                "その他",
                by_field.get("other").copied().unwrap_or(0),
            )))
            .collect();
        // 担当地区: the 地域包括支援センター of the person's town.
        let mut by_center: BTreeMap<String, i64> = BTreeMap::new();
        for t in &f.by_town {
            let center = t
                .key
                .as_deref()
                .map(|town| {
                    self.address()
                        .route(&format!("{}{town}", self.pack().municipality.name))
                })
                .and_then(|r| r.center)
                .unwrap_or_else(|| "地区を特定できない住所・住所なし".to_owned());
            *by_center.entry(center).or_default() += t.count;
        }
        c.by_center = by_center
            .into_iter()
            .map(|(k, n)| row(k.clone(), k, n))
            .collect();
        c.by_age_band = f
            .by_age_band
            .iter()
            .map(
                |b| match b.key.as_deref().and_then(|k| k.parse::<i64>().ok()) {
                    Some(band) => row(band.to_string(), format!("{band}代"), b.count),
                    None => row("unknown", "不明（生年月日なし）", b.count),
                },
            )
            .collect();
        c.by_sex = f
            .by_sex
            .iter()
            .map(|s| match s.key.as_deref().and_then(Sex::parse) {
                Some(sex) => row(sex.code(), sex.label(), s.count),
                None => row("unknown", "不明", s.count),
            })
            .collect();
        c
    }

    fn handoffs(
        &self,
        fy: FiscalYear,
        f: &AnnualFigures,
        agencies: &[tsunagaru_store::Agency],
        today: chrono::NaiveDate,
    ) -> Handoffs {
        let as_of = today.min(fy.last_day());
        let mut h = Handoffs {
            sent: i64::try_from(f.handoffs.len()).unwrap_or(i64::MAX),
            ..Handoffs::default()
        };
        h.by_purpose = [
            Purpose::MultiAgency,
            Purpose::UnknownPartner,
            Purpose::Refer,
        ]
        .into_iter()
        .map(|p| {
            let n = f.handoffs.iter().filter(|x| x.purpose == p).count();
            row(p.code(), p.label(), i64::try_from(n).unwrap_or(0))
        })
        .collect();
        let mut by_agency: BTreeMap<i64, i64> = BTreeMap::new();
        for x in &f.handoffs {
            *by_agency.entry(x.to_agency_id).or_default() += 1;
        }
        h.by_agency = by_agency
            .into_iter()
            .map(|(id, n)| {
                let name = agencies
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                row(id.to_string(), name, n)
            })
            .collect();
        h.by_agency
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        h.by_state = HandoffState::ALL
            .into_iter()
            .map(|s| {
                let n = f.handoffs.iter().filter(|x| x.state == s).count();
                row(s.code(), s.label(), i64::try_from(n).unwrap_or(0))
            })
            .collect();
        let durations = |days: Vec<i64>| {
            let count = days.len();
            median_and_p90(days).map(|(median, p90)| Durations { median, p90, count })
        };
        h.to_receipt = durations(
            f.handoffs
                .iter()
                .filter_map(|x| x.received_on.map(|r| business_days_between(x.sent_on, r)))
                .collect(),
        );
        h.to_report = durations(
            f.handoffs
                .iter()
                .filter_map(|x| x.reported_on.map(|r| business_days_between(x.sent_on, r)))
                .collect(),
        );
        let policy = &self.pack().handoff.policy;
        h.overdue = i64::try_from(
            f.handoffs
                .iter()
                .filter(|x| {
                    overdue(x.state, x.sent_on, Some(x.urgency.code()), as_of, policy).is_some()
                })
                .count(),
        )
        .unwrap_or(0);
        h
    }

    fn meetings(
        &self,
        fy: FiscalYear,
        f: &AnnualFigures,
        whole_city: bool,
        today: chrono::NaiveDate,
    ) -> Meetings {
        if !whole_city {
            return Meetings::default();
        }
        let by_kind = MeetingKind::ALL
            .into_iter()
            .map(|k| {
                let of_kind = f.meetings.iter().filter(|m| m.kind == k);
                MeetingRow {
                    kind: k,
                    label: self.kind_name(k),
                    held: i64::try_from(of_kind.clone().count()).unwrap_or(0),
                    cases: of_kind.map(|m| m.cases).sum(),
                }
            })
            .collect();
        // Only months that have begun count as missing one.
        let months_without_case_conference = fy
            .months()
            .into_iter()
            .enumerate()
            .filter(|(_, (y, m))| {
                chrono::NaiveDate::from_ymd_opt(*y, *m, 1).is_some_and(|first| first <= today)
            })
            .filter(|(i, _)| {
                !f.meetings.iter().any(|m| {
                    m.kind == MeetingKind::CaseConference
                        && fy.month_index(m.starts_at.date()) == Some(*i)
                })
            })
            .map(|(_, (y, m))| format!("{y}年{m}月"))
            .collect();
        let plenaries = f
            .meetings
            .iter()
            .filter(|m| m.kind == MeetingKind::CouncilPlenary)
            .count();
        Meetings {
            by_kind,
            months_without_case_conference,
            too_few_plenaries: plenaries < 3,
        }
    }
}

fn keyed(rows: &[tsunagaru_store::KeyCount], label: impl Fn(&str) -> String) -> Vec<Row> {
    rows.iter()
        .map(|r| {
            let key = r.key.clone().unwrap_or_default();
            row(key.clone(), label(&key), r.count)
        })
        .collect()
}

fn count_of(rows: &[tsunagaru_store::KeyCount], key: &str) -> i64 {
    rows.iter()
        .filter(|r| r.key.as_deref() == Some(key))
        .map(|r| r.count)
        .sum()
}

/// This 年度 so far against the same days of the previous 年度.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSoFar {
    pub fiscal_year: FiscalYear,
    /// The days counted: 4月1日 to today, and the same span a year before.
    pub through: chrono::NaiveDate,
    /// (label, this 年度, the previous 年度 to the same day).
    pub rows: Vec<(&'static str, i64, i64)>,
}

impl App {
    /// For the city's staff (the home page): this 年度 so far against last
    /// 年度 to the same day, for the whole city; `None` for other roles. The
    /// read is audited like any report.
    pub async fn year_so_far(&self, actor: &Actor) -> Result<Option<YearSoFar>, AppError> {
        if actor.role != tsunagaru_domain::Role::City {
            return Ok(None);
        }
        let today = self.today();
        let fy = FiscalYear::of(today);
        let last_year_today = today
            .with_year(today.year() - 1)
            .or_else(|| today.pred_opt().and_then(|d| d.with_year(d.year() - 1)))
            .unwrap_or(today);
        let this = self
            .repo
            .annual_figures(fy.first_day(), today, &ReportScope::City)
            .await?;
        let last = self
            .repo
            .annual_figures(
                fy.previous().first_day(),
                last_year_today,
                &ReportScope::City,
            )
            .await?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::ReportViewed)
                    .detail(format!("{} ホーム（前年度同期比）", fy.label())),
            )
            .await?;
        let total = |f: &AnnualFigures| f.consultation_days.iter().map(|d| d.count).sum::<i64>();
        let len = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(Some(YearSoFar {
            fiscal_year: fy,
            through: today,
            rows: vec![
                ("相談受付件数（延べ）", total(&this), total(&last)),
                (
                    "実人数",
                    this.consultation_persons,
                    last.consultation_persons,
                ),
                (
                    "引継ぎの発出",
                    len(this.handoffs.len()),
                    len(last.handoffs.len()),
                ),
                (
                    "多機関協働ケースの開始",
                    this.cases_opened,
                    last.cases_opened,
                ),
                (
                    "アウトリーチで相談につながった",
                    this.outreach_connected,
                    last.outreach_connected,
                ),
                (
                    "参加支援の支援対象者",
                    this.matched_persons,
                    last.matched_persons,
                ),
            ],
        }))
    }
}
