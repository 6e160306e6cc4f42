//! 事業実績 as the API and the pages show it: JSON, the rows of the CSV, and
//! the labels. The figures and who may see them come from the application
//! layer (`App::annual_report`).

use crate::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use tsunagaru_app::reports::{AnnualReport, Durations, Row};
use tsunagaru_domain::report::FiscalYear;

fn rows_json(rows: &[Row]) -> Value {
    json!(
        rows.iter()
            .map(|r| json!({"key": r.key, "label": r.label, "count": r.count}))
            .collect::<Vec<_>>()
    )
}

fn durations_json(d: Option<Durations>) -> Value {
    d.map_or(
        Value::Null,
        |d| json!({"median": d.median, "p90": d.p90, "handoffs": d.count}),
    )
}

pub fn report_json(r: &AnnualReport) -> Value {
    let fy = r.fiscal_year;
    let c = &r.consultations;
    json!({
        "fiscal_year": fy.start_year(),
        "label": fy.label(),
        "from": fy.first_day(),
        "to": fy.last_day(),
        "scope": r.scope_label,
        "whole_city": r.whole_city,
        "consultations": {
            "total": c.total,
            "persons": c.persons,
            "by_month": c.by_month,
            "by_quarter": c.by_quarter,
            "by_method": rows_json(&c.by_method),
            "by_concern": c.by_concern.iter().map(|k| json!({
                "key": k.concern.code(), "label": k.concern.label(), "any": k.any, "main": k.main,
            })).collect::<Vec<_>>(),
            "by_agency": rows_json(&c.by_agency),
            "by_field": rows_json(&c.by_field),
            "by_center": rows_json(&c.by_center),
            "by_age_band": rows_json(&c.by_age_band),
            "by_sex": rows_json(&c.by_sex),
        },
        "handoffs": {
            "sent": r.handoffs.sent,
            "by_purpose": rows_json(&r.handoffs.by_purpose),
            "by_agency": rows_json(&r.handoffs.by_agency),
            "by_state": rows_json(&r.handoffs.by_state),
            "business_days_to_receipt": durations_json(r.handoffs.to_receipt),
            "business_days_to_report": durations_json(r.handoffs.to_report),
            "overdue": r.handoffs.overdue,
        },
        "outreach": {
            "targets": r.outreach.targets,
            "attempts": r.outreach.attempts,
            "connected": r.outreach.connected,
        },
        "participation": {
            "persons": r.participation.persons,
            "matches": r.participation.matches,
            "by_menu": rows_json(&r.participation.by_menu),
            "retained": r.participation.retained,
            "hosts": r.participation.hosts,
        },
        "community": {
            "resources_by_kind": rows_json(&r.community.resources_by_kind),
            "resources_opened": r.community.resources_opened,
            "resources_closed": r.community.resources_closed,
            "events": r.community.events,
            "participants": r.community.participants,
            "event_consultations": r.community.event_consultations,
            "organisations": r.community.organisations,
        },
        "cases": {
            "opened": r.cases.opened,
            "plans_first": r.cases.plans_first,
            "plans_again": r.cases.plans_again,
            "closed": r.cases.closed,
            "returned": r.cases.returned,
            "open_at_end": r.cases.open_at_end,
            "monitored": r.cases.monitored,
            "goals": rows_json(&r.cases.goals),
            "closed_by_reason": rows_json(&r.cases.closed_by_reason),
        },
        "meetings": {
            "by_kind": r.meetings.by_kind.iter().map(|m| json!({
                "key": m.kind.code(), "label": m.label, "held": m.held, "cases": m.cases,
            })).collect::<Vec<_>>(),
            "months_without_case_conference": r.meetings.months_without_case_conference,
            "too_few_plenaries": r.meetings.too_few_plenaries,
        },
        "trainings": {
            "held": r.trainings.held,
            "by_kind": rows_json(&r.trainings.by_kind),
            "agencies": r.trainings.agencies,
        },
        "indicators": r.indicators.iter().map(|i| json!({
            "key": i.key, "name": i.name, "unit": i.unit,
            "target": i.target, "actual": i.actual, "previous": i.previous,
        })).collect::<Vec<_>>(),
        "rates": r.rates.map(|x| json!({
            "population": x.population,
            "consultations_per_100k_month": (x.consultations * 100.0).round() / 100.0,
            "plans_per_100k_month": (x.plans * 100.0).round() / 100.0,
        })),
    })
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
