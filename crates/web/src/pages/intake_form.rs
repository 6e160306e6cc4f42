//! The intake sheet as an HTML form: reading the posted fields into the
//! sheet's input, and the view of the form with its choices and errors.

use crate::pages::templates::Choice;
use std::collections::BTreeMap;
use tsunagaru_domain::intake::{
    CareLevel, Concern, ConsentAnswer, FieldError, Housing, IntakeInput, IntellectualGrade, Living,
    MemberInput, MemberStatus, Method, PhoneInput, RequesterInput, Sex, SupportNeed, Utility,
};

/// The rows the paper has; the form always offers at least these, and more
/// on request.
pub const PAPER_ROWS: usize = 6;

/// What the form posted besides the sheet.
#[derive(Debug, Default)]
pub struct FormExtras {
    pub agency_id: Option<i64>,
    /// The アウトリーチ target the sheet connects (the form came pre-filled from it).
    pub outreach_target_id: Option<i64>,
    /// The event (出前相談会) where the sheet was taken.
    pub event_id: Option<i64>,
    /// `new`, or the id of an existing person chosen among the duplicates.
    pub person_choice: String,
    /// The 行を追加 button: re-show the form with one more household row.
    pub add_row: bool,
    pub household_rows: usize,
}

/// Reads the posted form (repeated keys for checkboxes) into the sheet input.
pub fn read_form(body: &[u8]) -> (IntakeInput, FormExtras) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut input = IntakeInput::default();
    let mut extras = FormExtras::default();
    let mut requester = RequesterInput::default();
    let mut person_phones = [
        PhoneInput {
            kind: "home".into(),
            ..Default::default()
        },
        PhoneInput {
            kind: "mobile".into(),
            ..Default::default()
        },
    ];
    let mut requester_phones = person_phones.clone();
    let mut concerns: Vec<String> = Vec::new();
    let mut main_concern = String::new();
    let mut concern_other = String::new();
    let mut household: BTreeMap<usize, MemberInput> = BTreeMap::new();
    for (key, value) in pairs {
        let p = &mut input.person;
        match key.as_str() {
            "method" => input.method = value,
            "method_other" => input.method_other = value,
            "received_on" => input.received_on = value,
            "receiver_name" => input.receiver_name = value,
            "agency_id" => extras.agency_id = value.parse().ok(),
            "outreach_target_id" => extras.outreach_target_id = value.parse().ok(),
            "event_id" => extras.event_id = value.parse().ok(),
            "person_choice" => extras.person_choice = value,
            "add_row" => extras.add_row = true,
            "household_rows" => extras.household_rows = value.parse().unwrap_or(0).min(100),
            "person.name" => p.name = value,
            "person.kana" => p.kana = value,
            "person.sex" => p.sex = value,
            "person.birth_date" => p.birth_date = value,
            "person.postal_code" => p.address.postal_code = value,
            "person.address" => p.address.line = value,
            "person.phone_home" => person_phones[0].number = value,
            "person.phone_mobile" => person_phones[1].number = value,
            "person.other_agencies" => p.other_agencies = value,
            "person.care_level" => p.care_level = value,
            "person.utilities" => p.utilities.push(value),
            "person.physical_type" => p.disability.physical_type = value,
            "person.physical_grade" => p.disability.physical_grade = value,
            "person.intellectual" => p.disability.intellectual = value,
            "person.mental_grade" => p.disability.mental_grade = value,
            "person.housing" => p.housing = value,
            "person.housing_other" => p.housing_other = value,
            "requester.name" => requester.name = value,
            "requester.kana" => requester.kana = value,
            "requester.sex" => requester.sex = value,
            "requester.birth_date" => requester.birth_date = value,
            "requester.postal_code" => requester.address.postal_code = value,
            "requester.address" => requester.address.line = value,
            "requester.phone_home" => requester_phones[0].number = value,
            "requester.phone_mobile" => requester_phones[1].number = value,
            "requester.relationship" => requester.relationship = value,
            "concerns" => concerns.push(value),
            "main_concern" => main_concern = value,
            "concern_other" => concern_other = value,
            "chief_complaint" => input.chief_complaint = value,
            "situation" => input.situation = value,
            "consent.confirmed_by" => input.consent.confirmed_by = value,
            "consent.confirmed_on" => input.consent.confirmed_on = value,
            other => {
                if let Some((index, field)) = household_key(other) {
                    let m = household.entry(index).or_default();
                    match field {
                        "name" => m.name = value,
                        "relationship" => m.relationship = value,
                        "sex" => m.sex = value,
                        "age" => m.age = Some(serde_json::Value::String(value)),
                        "living" => m.living = value,
                        "troubles" => m.troubles = value,
                        "support" => m.support = value,
                        "consent" => m.consent = value,
                        "status" => m.status = value,
                        _ => {}
                    }
                }
            }
        }
    }
    input.person.phones = person_phones.to_vec();
    requester.phones = requester_phones.to_vec();
    input.requester = Some(requester);
    input.concerns = concerns
        .into_iter()
        .map(|code| tsunagaru_domain::intake::ConcernInput {
            main: code == main_concern,
            text: if code == Concern::Other.code() {
                concern_other.clone()
            } else {
                String::new()
            },
            category: code,
        })
        .collect();
    // A ◎ on a category left without ○ still counts as chosen.
    if !main_concern.is_empty() && !input.concerns.iter().any(|c| c.category == main_concern) {
        input.concerns.push(tsunagaru_domain::intake::ConcernInput {
            category: main_concern.clone(),
            main: true,
            text: concern_other,
        });
    }
    input.household = household.into_values().collect();
    (input, extras)
}

fn household_key(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix("household[")?;
    let (index, field) = rest.split_once("].")?;
    Some((index.parse().ok().filter(|i| *i < 100)?, field))
}

/// The form field an error belongs to.
pub fn form_field(field: &str) -> String {
    match field {
        "person.address.postal_code" => "person.postal_code".into(),
        "person.phones[0].number" | "person.phones[0].kind" => "person.phone_home".into(),
        "person.phones[1].number" | "person.phones[1].kind" => "person.phone_mobile".into(),
        "requester.address.postal_code" => "requester.postal_code".into(),
        "requester.phones[0].number" => "requester.phone_home".into(),
        "requester.phones[1].number" => "requester.phone_mobile".into(),
        f if f.starts_with("person.disability.") => f.replace("person.disability.", "person."),
        f if f.starts_with("concerns") => "concerns".into(),
        f => f.into(),
    }
}

pub fn errors_by_field(errors: &[FieldError]) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in errors {
        map.entry(form_field(&e.field))
            .or_default()
            .push(e.message.clone());
    }
    map
}

pub fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    selected: &[&str],
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).into(),
            label: label(*v).into(),
            selected: selected.contains(&code(*v)),
        })
        .collect()
}

/// One household row of the form.
pub struct MemberRowView {
    pub index: usize,
    pub name: String,
    pub relationship: String,
    pub age: String,
    pub troubles: String,
    pub sex: Vec<Choice>,
    pub living: Vec<Choice>,
    pub support: Vec<Choice>,
    pub consent: Vec<Choice>,
    /// 転出 / 死亡 on a later sheet (empty: in the household).
    pub status: Vec<Choice>,
    pub errors: Vec<String>,
}

pub fn member_rows(
    input: &IntakeInput,
    wanted: usize,
    errors: &BTreeMap<String, Vec<String>>,
) -> Vec<MemberRowView> {
    let count = wanted.max(input.household.len()).max(PAPER_ROWS);
    (0..count)
        .map(|i| {
            let m = input
                .household
                .get(i)
                .cloned()
                .unwrap_or_else(|| MemberInput {
                    relationship: if i == 0 {
                        "本人".into()
                    } else {
                        String::new()
                    },
                    ..Default::default()
                });
            let age = match &m.age {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let member_sexes = [Sex::Male, Sex::Female, Sex::Unknown];
            MemberRowView {
                index: i,
                sex: choices(&member_sexes, Sex::code, Sex::label, &[m.sex.as_str()]),
                living: choices(
                    Living::ALL,
                    Living::code,
                    Living::label,
                    &[m.living.as_str()],
                ),
                support: choices(
                    SupportNeed::ALL,
                    SupportNeed::code,
                    SupportNeed::label,
                    &[m.support.as_str()],
                ),
                consent: choices(
                    ConsentAnswer::ALL,
                    ConsentAnswer::code,
                    ConsentAnswer::label,
                    &[m.consent.as_str()],
                ),
                status: choices(
                    &[MemberStatus::MovedOut, MemberStatus::Deceased],
                    MemberStatus::code,
                    MemberStatus::label,
                    &[m.status.as_str()],
                ),
                errors: errors
                    .iter()
                    .filter(|(k, _)| k.starts_with(&format!("household[{i}].")))
                    .flat_map(|(_, v)| v.clone())
                    .collect(),
                name: m.name,
                relationship: m.relationship,
                age,
                troubles: m.troubles,
            }
        })
        .collect()
}

/// Every choice group of the sheet, with what is selected.
pub struct SheetChoices {
    pub methods: Vec<Choice>,
    pub person_sexes: Vec<Choice>,
    pub requester_sexes: Vec<Choice>,
    pub care_levels: Vec<Choice>,
    pub utilities: Vec<Choice>,
    pub housings: Vec<Choice>,
    pub intellectual: Vec<Choice>,
    pub concerns: Vec<Choice>,
    pub main_concern: Vec<Choice>,
}

pub fn sheet_choices(input: &IntakeInput) -> SheetChoices {
    let sexes = [Sex::Male, Sex::Female, Sex::Other];
    let chosen: Vec<&str> = input.concerns.iter().map(|c| c.category.as_str()).collect();
    let main: Vec<&str> = input
        .concerns
        .iter()
        .filter(|c| c.main)
        .map(|c| c.category.as_str())
        .collect();
    let utilities: Vec<&str> = input.person.utilities.iter().map(String::as_str).collect();
    let requester_sex = input
        .requester
        .as_ref()
        .map(|r| r.sex.as_str())
        .unwrap_or_default();
    SheetChoices {
        methods: choices(
            Method::ALL,
            Method::code,
            Method::label,
            &[input.method.as_str()],
        ),
        person_sexes: choices(&sexes, Sex::code, Sex::label, &[input.person.sex.as_str()]),
        requester_sexes: choices(&sexes, Sex::code, Sex::label, &[requester_sex]),
        care_levels: choices(
            CareLevel::ALL,
            CareLevel::code,
            CareLevel::label,
            &[input.person.care_level.as_str()],
        ),
        utilities: choices(Utility::ALL, Utility::code, Utility::label, &utilities),
        housings: choices(
            Housing::ALL,
            Housing::code,
            Housing::label,
            &[input.person.housing.as_str()],
        ),
        intellectual: choices(
            IntellectualGrade::ALL,
            IntellectualGrade::code,
            IntellectualGrade::label,
            &[input.person.disability.intellectual.as_str()],
        ),
        concerns: choices(Concern::ALL, Concern::code, Concern::label, &chosen),
        main_concern: choices(Concern::ALL, Concern::code, Concern::label, &main),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_form_becomes_the_sheet_input() {
        let body = "method=phone&person.name=%E7%9B%9B%E5%B2%A1&person.utilities=water&person.utilities=gas\
                    &concerns=care&concerns=income&main_concern=care&household%5B0%5D.name=A&household%5B0%5D.relationship=%E6%9C%AC%E4%BA%BA\
                    &household%5B7%5D.name=B&household%5B7%5D.age=12&person.phone_mobile=090";
        let (input, extras) = read_form(body.as_bytes());
        assert_eq!(input.method, "phone");
        assert_eq!(input.person.utilities, ["water", "gas"]);
        assert_eq!(input.concerns.len(), 2);
        assert!(input.concerns[0].main && !input.concerns[1].main);
        assert_eq!(
            input.household.len(),
            2,
            "rows beyond the paper's six are kept"
        );
        assert_eq!(input.household[1].name, "B");
        assert_eq!(input.person.phones[1].number, "090");
        assert!(!extras.add_row);
        assert_eq!(form_field("person.phones[1].number"), "person.phone_mobile");
    }
}
