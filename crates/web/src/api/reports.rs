//! 事業実績 through the API: the 年度's figures as JSON and as CSV for Excel,
//! and the 研修会・意見交換会 it counts.

use super::{Created, created};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body};
use crate::views::reports::{ReportAnswer, ReportQuery, csv_answer, fiscal_year, xlsx_answer};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tsunagaru_app::reports::AnnualReport;
use tsunagaru_domain::openapi::{RecordId, codes};
use tsunagaru_domain::reach::{TrainingInput, TrainingKind};
use tsunagaru_domain::report::FiscalYear;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/annual", get(annual))
        .route("/reports/annual.csv", get(annual_csv))
        .route("/reports/annual.xlsx", get(annual_xlsx))
        .route("/trainings", get(trainings).post(record_training))
}

/// The 年度 asked for (or the current one); a 年度 that cannot be read is 400.
fn year(state: &AppState, q: &ReportQuery) -> Result<FiscalYear, ApiError> {
    fiscal_year(state, q.fiscal_year.as_deref())
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))
}

/// The report of the 年度 asked for, as the user may see it.
async fn report(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    q: &ReportQuery,
    export: bool,
) -> Result<AnnualReport, ApiError> {
    let fy = year(state, q)?;
    let actor = user.actor();
    Ok(if export {
        state.app.export_annual_report(&actor, fy).await?
    } else {
        state.app.annual_report(&actor, fy).await?
    })
}

#[utoipa::path(get, path = "/api/v1/reports/annual", params(ReportQuery),
    responses((status = 200, body = ReportAnswer)))]
async fn annual(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<Json<ReportAnswer>, ApiError> {
    Ok(Json(ReportAnswer::of(
        &report(&state, &user, &q, false).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/reports/annual.csv", params(ReportQuery))]
async fn annual_csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(csv_answer(
        &report(&state, &user, &q, true).await?,
        q.publication(),
    ))
}

#[utoipa::path(get, path = "/api/v1/reports/annual.xlsx", params(ReportQuery))]
async fn annual_xlsx(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(xlsx_answer(
        &report(&state, &user, &q, true).await?,
        q.publication(),
    )?)
}

/// The 研修会・意見交換会 of a 年度.
#[derive(Serialize, ToSchema)]
struct TrainingList {
    /// 年度（始まる年）
    fiscal_year: i32,
    trainings: Vec<TrainingAnswer>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Training)]
struct TrainingAnswer {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(schema_with = codes::<TrainingKind>)]
    kind: TrainingKind,
    kind_label: &'static str,
    #[schema(value_type = String, format = Date)]
    held_on: chrono::NaiveDate,
    theme: String,
    note: String,
    /// 参加した機関の数
    #[schema(minimum = 0)]
    agencies: i64,
}

#[utoipa::path(get, path = "/api/v1/trainings", params(ReportQuery),
    responses((status = 200, body = TrainingList)))]
async fn trainings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<ReportQuery>,
) -> Result<Json<TrainingList>, ApiError> {
    let fy = year(&state, &q)?;
    let list = state.app.trainings(&user.actor(), fy).await?;
    Ok(Json(TrainingList {
        fiscal_year: fy.start_year(),
        trainings: list
            .into_iter()
            .map(|t| TrainingAnswer {
                id: t.id,
                kind: t.kind,
                kind_label: t.kind.label(),
                held_on: t.held_on,
                theme: t.theme,
                note: t.note,
                agencies: t.agencies,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/trainings", request_body = TrainingInput,
    responses((status = 201, body = Created)))]
async fn record_training(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<TrainingInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = json_body(input)?;
    let id = state.app.record_training(&user.actor(), &input).await?;
    Ok(created(id))
}

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(annual, annual_csv, annual_xlsx, trainings, record_training))]
pub(super) struct Inputs;
