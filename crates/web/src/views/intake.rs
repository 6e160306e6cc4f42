//! A consultation and a person as the API and the pages show them: labels,
//! 和暦 and the person as the viewer may see them (protection applied by the app).

use chrono::NaiveDate;
use serde_json::{Value, json};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{
    CareLevel, Concern, Housing, Living, Method, SupportNeed, Urgency, Utility,
};
use tsunagaru_store::{Consultation, MemberRow, Note, Person};

pub fn date_label(date: NaiveDate) -> String {
    EraDate::from_date(date).label()
}

pub fn label_of<T: Copy>(
    code: Option<&str>,
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> String {
    code.and_then(parse)
        .map(label)
        .unwrap_or_default()
        .to_owned()
}

pub fn method_label(code: &str) -> String {
    label_of(Some(code), Method::parse, Method::label)
}

pub fn concern_label(code: &str) -> String {
    label_of(Some(code), Concern::parse, Concern::label)
}

pub fn person_json(person: &Person, today: NaiveDate) -> Value {
    json!({
        "id": person.id,
        "name": person.name,
        "kana": person.kana,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "birth_date_label": person.birth_date.map(date_label),
        "age": person.birth_date.and_then(|b| EraDate::from_date(b).age_on(today)),
        "address": {"postal_code": person.postal_code, "line": person.address, "town": person.town},
        "phones": person.phones,
        "other_agencies": person.other_agencies,
        "care_level": person.care_level,
        "care_level_label": label_of(person.care_level.as_deref(), CareLevel::parse, CareLevel::label),
        "utilities": person.utilities,
        "utilities_label": person.utilities.iter().map(|u| label_of(Some(u), Utility::parse, Utility::label)).collect::<Vec<_>>(),
        "disability": person.disability,
        "housing": person.housing,
        "housing_label": label_of(person.housing.as_deref(), Housing::parse, Housing::label),
        "housing_other": person.housing_other,
        "protected": person.protected,
    })
}

pub fn consultation_json(c: &Consultation) -> Value {
    json!({
        "id": c.id,
        "agency_id": c.agency_id,
        "user_id": c.user_id,
        "receiver_name": c.receiver_name,
        "method": c.method,
        "method_label": method_label(&c.method),
        "received_on": c.received_on,
        "received_on_label": date_label(c.received_on),
        "requester": c.requester,
        "concerns": c.concerns.iter().map(|x| json!({"category": concern_label(&x.code), "code": x.code, "main": x.main, "text": x.text})).collect::<Vec<_>>(),
        "chief_complaint": c.chief_complaint,
        "situation": c.situation,
        "urgency": c.urgency,
        "urgency_label": label_of(c.urgency.as_deref(), Urgency::parse, Urgency::label),
        "consent": {"confirmed_by": c.consent_confirmed_by, "confirmed_on": c.consent_confirmed_on},
        "household": c.household.iter().map(member_json).collect::<Vec<_>>(),
        "voided": c.voided.as_ref().map(|v| json!({
            "at": tsunagaru_store::in_japan(v.at).to_rfc3339(),
            "by": v.by,
            "reason": v.reason,
        })),
    })
}

/// A household member as a sheet records them.
pub fn member_json(m: &MemberRow) -> Value {
    json!({
        "name": m.name,
        "relationship": m.relationship,
        "sex": m.sex,
        "age": m.age,
        "living": m.living,
        "living_label": label_of(m.living.as_deref(), Living::parse, Living::label),
        "troubles": m.troubles,
        "support": m.support,
        "support_label": label_of(m.support.as_deref(), SupportNeed::parse, SupportNeed::label),
        "consent": m.consent,
        "consent_label": m.consent.label().to_owned(),
        "status": m.status,
        "status_label": m.status.label(),
    })
}

pub fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id, "agency_id": n.agency_id, "user_id": n.user_id, "noted_on": n.noted_on,
        "noted_on_label": date_label(n.noted_on), "method": n.method, "content": n.content,
    })
}
