//! 事業実績 through the API: the 年度's figures as JSON and as CSV for Excel.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::views::reports::{csv_answer, fiscal_year, report_json};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/annual", get(annual))
        .route("/reports/annual.csv", get(annual_csv))
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub fiscal_year: Option<String>,
}

async fn annual(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, ApiError> {
    let fy = fiscal_year(&state, q.fiscal_year.as_deref())
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let report = state.app.annual_report(&user.actor(), fy).await?;
    Ok(Json(report_json(&report)))
}

async fn annual_csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<YearQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let fy = fiscal_year(&state, q.fiscal_year.as_deref())
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let report = state.app.annual_report(&user.actor(), fy).await?;
    Ok(csv_answer(&report))
}
