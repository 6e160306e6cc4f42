//! The directory's filters and labels, shared by the 機関一覧 page and the API.

use serde::Deserialize;
use tsunagaru_domain::{Field, Programme};
use tsunagaru_store::{Agency, Department};

/// The directory filters: 分野 and 事業 (第1号 … 第6号).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyFilter {
    #[param(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::Field>)]
    pub field: Option<String>,
    #[param(schema_with = programmes)]
    pub programme: Option<String>,
}

/// 事業 as the filter reads it: 第N号 as "1"–"6", or a programme's code.
fn programmes() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    let items = ["1", "2", "3", "4", "5", "6"]
        .into_iter()
        .chain(Programme::ALL.iter().map(|p| p.code()));
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(items))
            .build(),
    )
}

/// A filter after parsing; an empty select means "all".
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ParsedFilter {
    pub field: Option<Field>,
    pub programme_item: Option<u8>,
}

impl AgencyFilter {
    pub fn parse(&self) -> Result<ParsedFilter, String> {
        let field = match self.field.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(code.parse::<Field>().map_err(|e| e.to_string())?),
        };
        let programme_item = match self.programme.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => {
                // 第N号 as "N", or a programme code such as "1-i".
                let item = code
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=6).contains(n))
                    .or_else(|| code.parse::<Programme>().ok().map(Programme::item));
                Some(item.ok_or_else(|| {
                    format!(
                        "事業「{code}」は定義されていません（1〜6 または 1-i などの事業コード）"
                    )
                })?)
            }
        };
        Ok(ParsedFilter {
            field,
            programme_item,
        })
    }
}

impl ParsedFilter {
    pub fn matches(&self, agency: &Agency) -> bool {
        agency.active
            && !agency.is_department
            && self.field.is_none_or(|f| agency.fields.contains(&f))
            && self
                .programme_item
                .is_none_or(|n| agency.programmes.iter().any(|p| p.item() == n))
    }
}

pub fn department_label(departments: &[Department], no: i64) -> String {
    departments
        .iter()
        .find(|d| d.no == no)
        .map(|d| format!("{} {}", d.division, d.name))
        .unwrap_or_default()
}
