//! 住所から担当地域包括支援センターを調べる: the page, and the JSON it and
//! every address field use as the user types.
//!
//! An address typed here is not stored and not tied to a person, so the
//! lookups write no audit event and are never logged.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::PageError;
use crate::pages::templates::{AddressPage, Nav};
use crate::views::address::{AddressQuery, PostalAnswer, postal_answer, route_message};
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use serde_json::{Value, json};

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<AddressQuery>,
) -> Result<Html<String>, PageError> {
    let route = (!q.q.trim().is_empty()).then(|| state.address().route(&q.q));
    let page = AddressPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        message: route.as_ref().map(route_message),
        normalized: route.as_ref().and_then(|r| r.normalized.clone()),
        q: q.q,
        postal_code: q.postal_code,
    };
    Ok(Html(page.render()?))
}

/// `GET /address/route.json?q=…` for the signed-in browser.
pub async fn route_json(
    State(state): State<AppState>,
    WebUser(_user): WebUser,
    Query(q): Query<AddressQuery>,
) -> Json<Value> {
    let route = state.address().route(&q.q);
    let message = if q.q.trim().is_empty() {
        String::new()
    } else {
        route_message(&route)
    };
    let mut value = json!(route);
    value["message"] = json!(message);
    Json(value)
}

/// `GET /address/postal.json?postal_code=…` for the signed-in browser.
pub async fn postal_json(
    State(state): State<AppState>,
    WebUser(_user): WebUser,
    Query(q): Query<AddressQuery>,
) -> Json<PostalAnswer> {
    Json(postal_answer(&state, &q.postal_code))
}
