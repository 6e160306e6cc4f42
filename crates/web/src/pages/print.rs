//! The A4 print view of a 受付シート (No.1–2), laid out like the paper.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::pages::genogram;
use crate::views::intake::{date_label, label_of};
use askama::Template;
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{
    CareLevel, Concern, Housing, Living, Method, Sex, SupportNeed, Utility,
};
use tsunagaru_store::{Consultation, Person};

pub struct Mark {
    pub label: &'static str,
    pub on: bool,
}

pub struct PrintMember {
    pub name: String,
    pub relationship: String,
    pub sex: String,
    pub age: String,
    pub living: String,
    pub troubles: String,
    pub support: String,
    pub consent: String,
    /// 転出 / 死亡 (empty: in the household).
    pub status: String,
    /// On the person page: the day of the sheet the row comes from, when it
    /// is not the newest sheet (an age is as of then).
    pub as_of: String,
}

impl PrintMember {
    pub fn of(m: &tsunagaru_store::MemberRow) -> PrintMember {
        PrintMember {
            name: m.name.clone(),
            relationship: m.relationship.to_string(),
            sex: label_of(m.sex.as_deref(), Sex::parse, Sex::label),
            age: m.age.map(|a| a.to_string()).unwrap_or_default(),
            living: label_of(m.living.as_deref(), Living::parse, Living::label),
            troubles: m.troubles.clone(),
            support: label_of(m.support.as_deref(), SupportNeed::parse, SupportNeed::label),
            consent: m.consent.label().to_owned(),
            status: match m.status {
                tsunagaru_domain::intake::MemberStatus::Current => String::new(),
                other => other.label().to_owned(),
            },
            as_of: String::new(),
        }
    }
}

pub struct PrintConcern {
    pub label: &'static str,
    /// ○, ◎ or empty
    pub mark: &'static str,
}

#[derive(Template)]
#[template(path = "print.html")]
pub struct PrintPage {
    pub person_id: i64,
    pub municipality: String,
    pub methods: Vec<Mark>,
    pub method_other: String,
    pub received_on: String,
    pub agency: String,
    pub receiver: String,
    pub kana: String,
    pub name: String,
    pub sexes: Vec<Mark>,
    pub birth_date: String,
    pub age: String,
    pub postal_code: String,
    pub address: String,
    pub hidden: bool,
    pub phone_home: String,
    pub phone_mobile: String,
    pub other_agencies: String,
    pub care_level: String,
    pub utilities: String,
    pub disability: String,
    pub housing: String,
    pub requester: Option<tsunagaru_store::StoredRequester>,
    pub requester_sex: String,
    pub requester_birth: String,
    pub concerns: Vec<PrintConcern>,
    pub concern_other: String,
    pub situation: String,
    pub chief_complaint: String,
    pub members: Vec<PrintMember>,
    pub genogram: String,
    pub consent_clause: &'static str,
    pub consent: String,
    pub printed_by: String,
}

impl PrintPage {
    pub fn new(
        state: &AppState,
        user: &CurrentUser,
        person: Person,
        c: Consultation,
        agency: String,
    ) -> PrintPage {
        let phone = |kind: &str| {
            person
                .phones
                .iter()
                .find(|p| p.kind == kind)
                .map(|p| p.number.clone())
                .unwrap_or_default()
        };
        let disability = crate::views::intake::disability_label(&person.disability);
        let concerns = Concern::ALL
            .iter()
            .filter(|k| **k != Concern::Other)
            .map(|k| {
                let chosen = c.concerns.iter().find(|x| x.code == k.code());
                PrintConcern {
                    label: k.label(),
                    mark: chosen.map_or("", |x| if x.main { "◎" } else { "○" }),
                }
            })
            .collect();
        let other = c.concerns.iter().find(|x| x.code == Concern::Other.code());
        let hidden = !person.whereabouts_visible_to(user.user.id);
        PrintPage {
            person_id: person.id,
            municipality: state.pack().municipality.name.clone(),
            methods: Method::ALL
                .iter()
                .map(|m| Mark {
                    label: m.label(),
                    on: m.code() == c.method,
                })
                .collect(),
            method_other: c.method_other.clone().unwrap_or_default(),
            received_on: date_label(c.received_on),
            agency,
            receiver: c.receiver_name.clone().unwrap_or_default(),
            kana: person.kana.clone().unwrap_or_default(),
            name: person.name.clone(),
            sexes: [Sex::Male, Sex::Female, Sex::Other]
                .iter()
                .map(|s| Mark {
                    label: s.label(),
                    on: person.sex.as_deref() == Some(s.code()),
                })
                .collect(),
            birth_date: person.birth_date.map(date_label).unwrap_or_default(),
            age: person
                .birth_date
                .and_then(|b| EraDate::from_date(b).age_on(c.received_on))
                .map(|a| a.to_string())
                .unwrap_or_default(),
            postal_code: person.postal_code.clone().unwrap_or_default(),
            address: person.address.clone().unwrap_or_default(),
            hidden,
            phone_home: phone("home"),
            phone_mobile: phone("mobile"),
            other_agencies: person
                .other_agencies
                .clone()
                .map_or("無".into(), |o| format!("有（{o}）")),
            care_level: label_of(
                person.care_level.as_deref(),
                CareLevel::parse,
                CareLevel::label,
            ),
            utilities: if person.utilities.is_empty() {
                "無".into()
            } else {
                person
                    .utilities
                    .iter()
                    .map(|u| label_of(Some(u), Utility::parse, Utility::label))
                    .collect::<Vec<_>>()
                    .join("・")
            },
            disability,
            housing: match (
                label_of(person.housing.as_deref(), Housing::parse, Housing::label),
                &person.housing_other,
            ) {
                (h, Some(o)) => format!("{h}（{o}）"),
                (h, None) => h,
            },
            requester_sex: label_of(
                c.requester.as_ref().and_then(|r| r.sex.as_deref()),
                Sex::parse,
                Sex::label,
            ),
            requester_birth: c
                .requester
                .as_ref()
                .and_then(|r| r.birth_date)
                .map(date_label)
                .unwrap_or_default(),
            requester: c.requester.clone(),
            concerns,
            concern_other: other
                .and_then(|o| o.text.clone())
                .map(|t| {
                    format!(
                        "{}{t}",
                        if other.is_some_and(|o| o.main) {
                            "◎ "
                        } else {
                            "○ "
                        }
                    )
                })
                .unwrap_or_default(),
            situation: c.situation.clone(),
            chief_complaint: c.chief_complaint.clone(),
            members: c.household.iter().map(PrintMember::of).collect(),
            genogram: genogram::svg(&c.household),
            consent_clause: crate::pages::templates::CONSENT_CLAUSE,
            consent: match (&c.consent_confirmed_by, c.consent_confirmed_on) {
                (Some(by), Some(on)) => format!("確認者 {by}（{}）", date_label(on)),
                (Some(by), None) => format!("確認者 {by}"),
                (None, Some(on)) => format!("確認日 {}", date_label(on)),
                (None, None) => String::new(),
            },
            printed_by: user.user.display_name.clone(),
        }
    }
}
