//! 住所から担当地域包括支援センターを調べる: the page, and the JSON it and
//! every address field use as the user types.
//!
//! An address typed here is not stored and not tied to a person, so the
//! lookups write no audit event and are never logged.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::PageError;
use crate::templates::{AddressPage, Nav};
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use serde_json::{Value, json};
use tsunagaru_address::{Route, Status};

#[derive(Debug, Default, Deserialize)]
pub struct AddressQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub postal_code: String,
}

/// What a route means, in the words shown under an address field.
pub fn route_message(route: &Route) -> String {
    match route.status {
        Status::Routed => format!("担当: {}", route.center.as_deref().unwrap_or_default()),
        Status::Ambiguous => format!(
            "担当の候補: {}（丁目・字・地割まで入力すると決まります）",
            route.candidates.join("、")
        ),
        Status::Unregistered => {
            "盛岡市の住所ですが、担当地区の表にない町名です。事務局に確認してください。".into()
        }
        Status::Outside => "盛岡市外の住所です。".into(),
        Status::Invalid => "住所として読み取れません。".into(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<AddressQuery>,
) -> Result<Html<String>, PageError> {
    let route = (!q.q.trim().is_empty()).then(|| state.address.route(&q.q));
    let page = AddressPage {
        nav: Nav::new(&user, &state.pack.municipality.name),
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
    let route = state.address.route(&q.q);
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
) -> Json<Value> {
    Json(postal_answer(&state, &q.postal_code))
}

/// The towns of a postal code, with the city prefix to fill an address field.
pub fn postal_answer(state: &AppState, code: &str) -> Value {
    let towns = state.address.postal_towns(code);
    let digits: String = tsunagaru_address::normalize_text(code)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    json!({
        "postal_code": digits,
        "city": state.pack.municipality.name,
        "towns": towns,
    })
}
