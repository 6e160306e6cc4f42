//! Pickers that scale: checkboxes in groups (agencies by 分野, 関係各課 apart,
//! centers with their 担当地区; meeting members by agency), with a filter
//! box and, where it helps, a whole group at once (`/assets/picker.js`).
//! Without the script every checkbox still works.

use tsunagaru_domain::Field;
use tsunagaru_store::{Agency, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerOption {
    pub value: i64,
    pub label: String,
    /// Shown beside the label and searched (担当地区, 所属).
    pub hint: String,
    pub checked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerGroup {
    pub label: String,
    pub options: Vec<PickerOption>,
    /// Whether the group offers 「まとめて選ぶ」 (members of one agency).
    pub whole: bool,
}

/// Agencies grouped by their first 分野, centers with their 担当地区, and the
/// 関係各課 last; `keep` decides which are offered.
pub fn agencies_by_field(
    agencies: &[Agency],
    keep: impl Fn(&Agency) -> bool,
    checked: &[i64],
) -> Vec<PickerGroup> {
    let option = |a: &Agency| PickerOption {
        value: a.id,
        label: a.name.clone(),
        hint: if a.catchment_areas.is_empty() {
            a.category.clone()
        } else {
            format!("担当地区: {}", a.catchment_areas.join("・"))
        },
        checked: checked.contains(&a.id),
    };
    let mut groups: Vec<PickerGroup> = Field::ALL
        .into_iter()
        .map(|f| PickerGroup {
            label: f.label().to_owned(),
            options: agencies
                .iter()
                .filter(|a| !a.is_department && a.fields.first() == Some(&f) && keep(a))
                .map(option)
                .collect(),
            whole: false,
        })
        .collect();
    groups.push(PickerGroup {
        label: "関係各課".to_owned(),
        options: agencies
            .iter()
            .filter(|a| a.is_department && keep(a))
            .map(option)
            .collect(),
        whole: false,
    });
    groups.retain(|g| !g.options.is_empty());
    groups
}

/// Users grouped by their agency (a user of two agencies is under each),
/// each group offering its whole staff at once.
pub fn users_by_agency(users: &[&User], agencies: &[Agency], checked: &[i64]) -> Vec<PickerGroup> {
    let mut groups: Vec<PickerGroup> = agencies
        .iter()
        .filter_map(|a| {
            let options: Vec<PickerOption> = users
                .iter()
                .filter(|u| u.agency_ids.contains(&a.id))
                .map(|u| PickerOption {
                    value: u.id,
                    label: u.display_name.clone(),
                    hint: a.name.clone(),
                    checked: checked.contains(&u.id),
                })
                .collect();
            (!options.is_empty()).then(|| PickerGroup {
                label: a.name.clone(),
                options,
                whole: true,
            })
        })
        .collect();
    let without: Vec<PickerOption> = users
        .iter()
        .filter(|u| u.agency_ids.is_empty())
        .map(|u| PickerOption {
            value: u.id,
            label: u.display_name.clone(),
            hint: u.role.label().to_owned(),
            checked: checked.contains(&u.id),
        })
        .collect();
    if !without.is_empty() {
        groups.push(PickerGroup {
            label: "所属機関なし（市の職員など）".to_owned(),
            options: without,
            whole: true,
        });
    }
    groups
}

/// A picker rendered on its own, for a page to place (`{{ picker|safe }}`;
/// everything in it is escaped by its own template).
#[derive(askama::Template)]
#[template(path = "picker.html")]
pub struct PickerPart<'a> {
    pub groups: &'a [PickerGroup],
    /// The form field each checkbox sends (`to_agency_ids`).
    pub name: &'a str,
    pub picker_id: &'a str,
}

impl PickerPart<'_> {
    pub fn html(&self) -> String {
        askama::Template::render(self).unwrap_or_default()
    }
}
