//! What an address lookup answers, shared by the address page, the fields
//! that look up as the user types, and the API. An address typed for a
//! lookup is not stored nor tied to a person.

use crate::AppState;
use serde::{Deserialize, Serialize};
use tsunagaru_address::{PostalTown, Route, Status};
use utoipa::ToSchema;

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

/// The towns of a postal code, with the city to fill an address field.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PostalTowns)]
pub struct PostalAnswer {
    /// 半角7桁にした郵便番号
    pub postal_code: String,
    pub city: String,
    pub towns: Vec<PostalTown>,
}

/// The towns of a postal code, with the city prefix to fill an address field.
pub fn postal_answer(state: &AppState, code: &str) -> PostalAnswer {
    PostalAnswer {
        postal_code: tsunagaru_address::normalize_text(code)
            .chars()
            .filter(char::is_ascii_digit)
            .collect(),
        city: state.pack().municipality.name.clone(),
        towns: state.address().postal_towns(code),
    }
}
