//! 事業実績 in the browser: one 年度 of figures (counts, never names) for the
//! user's scope, a monthly bar chart drawn as inline SVG, the CSV download,
//! and the record of 研修会・意見交換会.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{FormFailure, PageError};
use crate::pages::cases::{Errors, errors_of, field, form_pairs};
use crate::pages::templates::Nav;
use crate::views::reports::{ReportQuery, csv_answer, fiscal_year, xlsx_answer};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tsunagaru_domain::reach::TrainingInput;
use tsunagaru_domain::report::FiscalYear;

pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

pub struct YearChoice {
    pub value: i32,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub nav: Nav,
    pub label: String,
    pub fiscal_year: i32,
    pub scope: String,
    pub years: Vec<YearChoice>,
    pub sections: Vec<Section>,
    /// The monthly consultations as an SVG bar chart (no script, no fetch).
    pub chart: String,
    pub warnings: Vec<String>,
}

/// Twelve bars, April first, labelled with the month and the count.
fn month_chart(fy: FiscalYear, counts: &[i64; 12]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, top, bottom) = (40_i64, 160_i64, 20_i64, 24_i64);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" \
         aria-label=\"{}の月別相談受付件数\" class=\"chart\">",
        w * 12,
        h + top + bottom,
        fy.label()
    );
    for (i, ((_, month), n)) in fy.months().into_iter().zip(counts).enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let bar = h * n / max;
        let x = i * w + 6;
        let y = top + h - bar;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{bar}\" fill=\"#2b6cb0\"><title>{month}月 {n}件</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{month}月</text>",
            w - 12,
            x + (w - 12) / 2,
            y - 4,
            x + (w - 12) / 2,
            top + h + 16,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The report of the 年度 asked for, as the user may see it.
async fn report_for(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    q: &ReportQuery,
    export: bool,
) -> Result<tsunagaru_app::reports::AnnualReport, PageError> {
    let fy = fiscal_year(state, q.fiscal_year.as_deref()).map_err(PageError::BadRequest)?;
    let actor = user.actor();
    Ok(if export {
        state.app.export_annual_report(&actor, fy).await?
    } else {
        state.app.annual_report(&actor, fy).await?
    })
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<ReportQuery>,
) -> Result<Html<String>, PageError> {
    let report = report_for(&state, &user, &q, false).await?;
    let fy = report.fiscal_year;
    let mut sections: Vec<Section> = Vec::new();
    for [section, item, value] in report.rows(false) {
        match sections.last_mut() {
            Some(s) if s.title == section => s.rows.push((item, value)),
            _ => sections.push(Section {
                title: section,
                rows: vec![(item, value)],
            }),
        }
    }
    let mut warnings = Vec::new();
    if report.whole_city {
        if !report.meetings.months_without_case_conference.is_empty() {
            warnings.push(format!(
                "よりそい会議（月1回）が開かれていない月があります: {}",
                report.meetings.months_without_case_conference.join("・")
            ));
        }
        if report.meetings.too_few_plenaries {
            warnings.push("全体会（年3回）の登録が3回に届いていません".to_owned());
        }
    }
    let current = FiscalYear::of(state.today());
    let years = (0..5)
        .map(|back| FiscalYear::new(current.start_year() - back).unwrap_or(current))
        .map(|y| YearChoice {
            value: y.start_year(),
            label: y.full_label(),
            selected: y == fy,
        })
        .collect();
    let page = ReportsPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        label: fy.full_label(),
        fiscal_year: fy.start_year(),
        scope: report.scope_label.clone(),
        years,
        chart: month_chart(fy, &report.consultations.by_month),
        sections,
        warnings,
    };
    Ok(Html(page.render()?))
}

pub async fn csv(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let report = report_for(&state, &user, &q, true).await?;
    Ok(csv_answer(&report, q.publication()).into_response())
}

pub async fn xlsx(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let report = report_for(&state, &user, &q, true).await?;
    Ok(xlsx_answer(&report, q.publication())?.into_response())
}

// ------------------------------------------------- 研修会・意見交換会 ----

#[derive(Template)]
#[template(path = "trainings.html")]
pub struct TrainingsPage {
    pub nav: Nav,
    pub label: String,
    pub rows: Vec<TrainingRowView>,
    pub can_record: bool,
    pub kinds: Vec<crate::pages::templates::Choice>,
    pub agencies: Vec<crate::pages::templates::AgencyChoice>,
    pub input: TrainingInput,
    pub message: String,
    pub errors: Errors,
    pub notice: bool,
}

pub struct TrainingRowView {
    pub held: String,
    pub kind: &'static str,
    pub theme: String,
    pub agencies: i64,
}

async fn render_trainings(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    input: TrainingInput,
    message: String,
    errors: &[tsunagaru_domain::intake::FieldError],
    notice: bool,
) -> Result<String, PageError> {
    let actor = user.actor();
    let fy = FiscalYear::of(state.today());
    let rows = state
        .app
        .trainings(&actor, fy)
        .await?
        .into_iter()
        .map(|t| TrainingRowView {
            held: crate::views::intake::date_label(t.held_on),
            kind: t.kind.label(),
            theme: t.theme,
            agencies: t.agencies,
        })
        .collect();
    let is_team = state.app.team_agency(&actor).await?.is_some();
    let agencies = state
        .app
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| crate::pages::templates::AgencyChoice {
            checked: input.agency_ids.contains(&a.id),
            id: a.id,
            name: a.name,
        })
        .collect();
    let page = TrainingsPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        label: fy.full_label(),
        rows,
        can_record: tsunagaru_app::policy::may_record_trainings(&actor, is_team),
        kinds: crate::pages::intake_form::choices(
            tsunagaru_domain::reach::TrainingKind::ALL,
            tsunagaru_domain::reach::TrainingKind::code,
            tsunagaru_domain::reach::TrainingKind::label,
            &[input.kind.as_str()],
        ),
        agencies,
        input,
        message,
        errors: errors_of(errors),
        notice,
    };
    Ok(page.render()?)
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

pub async fn trainings(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_trainings(
            &state,
            &user,
            TrainingInput::default(),
            String::new(),
            &[],
            q.done.is_some(),
        )
        .await?,
    ))
}

pub async fn record_training(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = TrainingInput {
        kind: field(&p, "kind"),
        held_on: field(&p, "held_on"),
        theme: field(&p, "theme"),
        note: field(&p, "note"),
        agency_ids: p
            .iter()
            .filter(|(k, _)| k == "agency_ids")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    };
    match state.app.record_training(&user.actor(), &input).await {
        Ok(_) => Ok(axum::response::Redirect::to("/trainings?done=1").into_response()),
        Err(e) => {
            let e = FormFailure::of(e)?;
            let html = render_trainings(&state, &user, input, e.message, &e.fields, false).await?;
            Ok((e.status, Html(html)).into_response())
        }
    }
}
