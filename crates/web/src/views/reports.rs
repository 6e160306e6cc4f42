//! 事業実績 as the API and the pages show it: JSON, the rows of the CSV, and
//! the labels. The figures and who may see them come from the application
//! layer (`App::annual_report`).

use crate::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::Serialize;
use tsunagaru_app::reports::{AnnualReport, Durations, Row};
use tsunagaru_domain::case::MeetingKind;
use tsunagaru_domain::intake::Concern;
use tsunagaru_domain::openapi::codes;
use tsunagaru_domain::report::FiscalYear;
use utoipa::ToSchema;

/// A count by one key: its code or name, its label and the count.
#[derive(Serialize, ToSchema)]
#[schema(as = ReportRow)]
pub struct RowAnswer {
    pub key: String,
    pub label: String,
    pub count: i64,
}

fn rows(rows: &[Row]) -> Vec<RowAnswer> {
    rows.iter()
        .map(|r| RowAnswer {
            key: r.key.clone(),
            label: r.label.clone(),
            count: r.count,
        })
        .collect()
}

/// 営業日で数えた日数の中央値と90パーセンタイル、その数の引継ぎ.
#[derive(Serialize, ToSchema)]
pub struct DurationsAnswer {
    pub median: i64,
    pub p90: i64,
    pub handoffs: usize,
}

impl DurationsAnswer {
    fn of(d: Option<Durations>) -> Option<DurationsAnswer> {
        d.map(|d| DurationsAnswer {
            median: d.median,
            p90: d.p90,
            handoffs: d.count,
        })
    }
}

/// 事業実績 of a 年度 as the reader may see it: the whole city for the city
/// and the 事務局, the reader's agencies otherwise.
#[derive(Serialize, ToSchema)]
#[schema(as = AnnualReport)]
pub struct ReportAnswer {
    /// 年度（始まる年）
    pub fiscal_year: i32,
    /// 令和7年度
    pub label: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// 集計の範囲（市全体、または機関名）
    pub scope: String,
    pub whole_city: bool,
    pub consultations: ConsultationFigures,
    pub handoffs: HandoffFigures,
    pub outreach: OutreachFigures,
    pub participation: ParticipationFigures,
    pub community: CommunityFigures,
    pub cases: CaseFigures,
    pub meetings: MeetingFigures,
    pub trainings: TrainingFigures,
    /// 成果指標（目標・実績・前年度）
    pub indicators: Vec<IndicatorAnswer>,
    /// 人口10万人あたり・月あたりの件数（人口を設定していなければ null）
    pub rates: Option<RatesAnswer>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationFigures {
    pub total: i64,
    /// 相談した人の数
    pub persons: i64,
    /// 4月から3月まで
    pub by_month: [i64; 12],
    pub by_quarter: [i64; 4],
    pub by_method: Vec<RowAnswer>,
    pub by_concern: Vec<ConcernFigure>,
    pub by_agency: Vec<RowAnswer>,
    pub by_field: Vec<RowAnswer>,
    /// 地域包括支援センターの担当地区ごと
    pub by_center: Vec<RowAnswer>,
    pub by_age_band: Vec<RowAnswer>,
    pub by_sex: Vec<RowAnswer>,
}

/// 相談内容ごと: 挙がった件数と主な相談内容だった件数.
#[derive(Serialize, ToSchema)]
pub struct ConcernFigure {
    #[schema(schema_with = codes::<Concern>)]
    pub key: Concern,
    pub label: &'static str,
    pub any: i64,
    pub main: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HandoffFigures {
    pub sent: i64,
    pub by_purpose: Vec<RowAnswer>,
    pub by_agency: Vec<RowAnswer>,
    pub by_state: Vec<RowAnswer>,
    /// 受領までの営業日
    pub business_days_to_receipt: Option<DurationsAnswer>,
    /// 結果報告までの営業日
    pub business_days_to_report: Option<DurationsAnswer>,
    /// 期限切れ
    pub overdue: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OutreachFigures {
    pub targets: i64,
    pub attempts: i64,
    /// 相談につながった対象
    pub connected: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipationFigures {
    pub persons: i64,
    pub matches: i64,
    pub by_menu: Vec<RowAnswer>,
    /// 定着した人
    pub retained: i64,
    /// 受け入れ先への支援
    pub hosts: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityFigures {
    pub resources_by_kind: Vec<RowAnswer>,
    pub resources_opened: i64,
    pub resources_closed: i64,
    pub events: i64,
    pub participants: i64,
    pub event_consultations: i64,
    pub organisations: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CaseFigures {
    pub opened: i64,
    /// 初回の支援プラン
    pub plans_first: i64,
    /// 再プラン
    pub plans_again: i64,
    pub closed: i64,
    pub returned: i64,
    pub open_at_end: i64,
    pub monitored: i64,
    pub goals: Vec<RowAnswer>,
    pub closed_by_reason: Vec<RowAnswer>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingFigures {
    pub by_kind: Vec<MeetingFigure>,
    /// よりそい会議が開かれなかった月（「2026年5月」の形）
    pub months_without_case_conference: Vec<String>,
    /// 全体会が年3回に満たない
    pub too_few_plenaries: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingFigure {
    #[schema(schema_with = codes::<MeetingKind>)]
    pub key: MeetingKind,
    pub label: String,
    pub held: i64,
    /// 議題にしたケース
    pub cases: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrainingFigures {
    pub held: i64,
    pub by_kind: Vec<RowAnswer>,
    /// 参加した機関
    pub agencies: i64,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorAnswer {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub target: Option<u64>,
    pub actual: i64,
    pub previous: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RatesAnswer {
    pub population: u64,
    pub consultations_per_100k_month: f64,
    pub plans_per_100k_month: f64,
}

impl ReportAnswer {
    pub fn of(r: &AnnualReport) -> ReportAnswer {
        let fy = r.fiscal_year;
        let c = &r.consultations;
        ReportAnswer {
            fiscal_year: fy.start_year(),
            label: fy.label(),
            from: fy.first_day(),
            to: fy.last_day(),
            scope: r.scope_label.clone(),
            whole_city: r.whole_city,
            consultations: ConsultationFigures {
                total: c.total,
                persons: c.persons,
                by_month: c.by_month,
                by_quarter: c.by_quarter,
                by_method: rows(&c.by_method),
                by_concern: c
                    .by_concern
                    .iter()
                    .map(|k| ConcernFigure {
                        key: k.concern,
                        label: k.concern.label(),
                        any: k.any,
                        main: k.main,
                    })
                    .collect(),
                by_agency: rows(&c.by_agency),
                by_field: rows(&c.by_field),
                by_center: rows(&c.by_center),
                by_age_band: rows(&c.by_age_band),
                by_sex: rows(&c.by_sex),
            },
            handoffs: HandoffFigures {
                sent: r.handoffs.sent,
                by_purpose: rows(&r.handoffs.by_purpose),
                by_agency: rows(&r.handoffs.by_agency),
                by_state: rows(&r.handoffs.by_state),
                business_days_to_receipt: DurationsAnswer::of(r.handoffs.to_receipt),
                business_days_to_report: DurationsAnswer::of(r.handoffs.to_report),
                overdue: r.handoffs.overdue,
            },
            outreach: OutreachFigures {
                targets: r.outreach.targets,
                attempts: r.outreach.attempts,
                connected: r.outreach.connected,
            },
            participation: ParticipationFigures {
                persons: r.participation.persons,
                matches: r.participation.matches,
                by_menu: rows(&r.participation.by_menu),
                retained: r.participation.retained,
                hosts: r.participation.hosts,
            },
            community: CommunityFigures {
                resources_by_kind: rows(&r.community.resources_by_kind),
                resources_opened: r.community.resources_opened,
                resources_closed: r.community.resources_closed,
                events: r.community.events,
                participants: r.community.participants,
                event_consultations: r.community.event_consultations,
                organisations: r.community.organisations,
            },
            cases: CaseFigures {
                opened: r.cases.opened,
                plans_first: r.cases.plans_first,
                plans_again: r.cases.plans_again,
                closed: r.cases.closed,
                returned: r.cases.returned,
                open_at_end: r.cases.open_at_end,
                monitored: r.cases.monitored,
                goals: rows(&r.cases.goals),
                closed_by_reason: rows(&r.cases.closed_by_reason),
            },
            meetings: MeetingFigures {
                by_kind: r
                    .meetings
                    .by_kind
                    .iter()
                    .map(|m| MeetingFigure {
                        key: m.kind,
                        label: m.label.clone(),
                        held: m.held,
                        cases: m.cases,
                    })
                    .collect(),
                months_without_case_conference: r.meetings.months_without_case_conference.clone(),
                too_few_plenaries: r.meetings.too_few_plenaries,
            },
            trainings: TrainingFigures {
                held: r.trainings.held,
                by_kind: rows(&r.trainings.by_kind),
                agencies: r.trainings.agencies,
            },
            indicators: r
                .indicators
                .iter()
                .map(|i| IndicatorAnswer {
                    key: i.key.clone(),
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    target: i.target,
                    actual: i.actual,
                    previous: i.previous,
                })
                .collect(),
            rates: r.rates.map(|x| RatesAnswer {
                population: x.population,
                consultations_per_100k_month: (x.consultations * 100.0).round() / 100.0,
                plans_per_100k_month: (x.plans * 100.0).round() / 100.0,
            }),
        }
    }
}

/// The 年度 asked for (`2025`, `令和7年度` …), or the current one.
pub fn fiscal_year(state: &AppState, asked: Option<&str>) -> Result<FiscalYear, String> {
    match asked.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => FiscalYear::parse(text),
        None => Ok(FiscalYear::of(state.today())),
    }
}

/// The words that ask for the figures for publication.
const PUBLICATION_FLAGS: [&str; 3] = ["1", "true", "yes"];

fn publication_flags() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::one_of_strings(&PUBLICATION_FLAGS)
}

/// What a download asks for: the 年度, and whether it is for publication
/// (counts of 1–2 suppressed).
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// 年度: 2025, 令和7年度 (R7, ２０２５年度 are read too); the current one if omitted.
    #[serde(default)]
    #[param(pattern = r"^(20[0-9]{2}|令和([1-9]|[1-7][0-9]|8[0-2]|元)年度)$")]
    pub fiscal_year: Option<String>,
    /// `1` (or `true`, `yes`): the figures for publication, small counts hidden.
    #[serde(default)]
    #[param(schema_with = publication_flags)]
    pub publication: Option<String>,
}

impl ReportQuery {
    pub fn publication(&self) -> bool {
        self.publication
            .as_deref()
            .is_some_and(|p| PUBLICATION_FLAGS.contains(&p))
    }
}

/// `事業実績_令和7年度.csv`, `事業実績_令和7年度_公表用.xlsx`.
fn file_name(report: &AnnualReport, publication: bool, ext: &str) -> String {
    crate::views::download::disposition(
        &format!(
            "事業実績_{}{}",
            report.fiscal_year.label(),
            if publication { "_公表用" } else { "" }
        ),
        &format!(
            "jigyo_jisseki_{}{}",
            report.fiscal_year.start_year(),
            if publication { "_kohyo" } else { "" }
        ),
        ext,
    )
}

/// The CSV download: UTF-8 with BOM, CRLF, formulas neutralised.
pub fn csv_answer(report: &AnnualReport, publication: bool) -> impl IntoResponse + use<> {
    let rows = report.rows(publication);
    let body = tsunagaru_app::export::csv_document(
        &["区分", "項目", "件数"],
        rows.iter().map(|r| r.iter().map(String::as_str)),
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                file_name(report, publication, "csv"),
            ),
        ],
        body,
    )
}

/// The xlsx download: one sheet per section, for the 全体会 資料.
pub fn xlsx_answer(
    report: &AnnualReport,
    publication: bool,
) -> Result<impl IntoResponse + use<>, tsunagaru_app::AppError> {
    let title = format!(
        "事業実績 {}（{}）",
        report.fiscal_year.full_label(),
        report.scope_label
    );
    let body = tsunagaru_app::export::xlsx_document(&title, &report.rows(publication))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                file_name(report, publication, "xlsx"),
            ),
        ],
        body,
    ))
}
