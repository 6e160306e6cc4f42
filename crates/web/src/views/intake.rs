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

/// 障害手帳 in words: 「有 身体（1種2級）・療育（A）」 or 「無」.
pub fn disability_label(d: &tsunagaru_store::StoredDisability) -> String {
    let mut parts = Vec::new();
    if d.physical {
        parts.push(format!(
            "身体（{}種{}級）",
            d.physical_type.map(|t| t.to_string()).unwrap_or_default(),
            d.physical_grade.map(|g| g.to_string()).unwrap_or_default()
        ));
    }
    if let Some(i) = &d.intellectual {
        parts.push(format!("療育（{i}）"));
    }
    if let Some(g) = d.mental_grade {
        parts.push(format!("精神（{g}級）"));
    }
    if parts.is_empty() {
        "無".to_owned()
    } else {
        format!("有 {}", parts.join("・"))
    }
}

/// A value of a person's change history as a worker reads it: labels for
/// codes, 和暦 for dates, phones and 手帳 in words, never the stored JSON.
/// `users` names those a protection was given to.
pub fn history_value(field: &str, raw: Option<&str>, users: &[tsunagaru_store::User]) -> String {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return "（なし）".to_owned();
    };
    let label = |parse: fn(&str) -> Option<String>| parse(raw).unwrap_or_else(|| raw.to_owned());
    match field {
        "sex" => label(|c| tsunagaru_domain::intake::Sex::parse(c).map(|s| s.label().to_owned())),
        "care_level" => label(|c| CareLevel::parse(c).map(|s| s.label().to_owned())),
        "housing" => label(|c| Housing::parse(c).map(|s| s.label().to_owned())),
        "birth_date" => label(|c| c.parse::<NaiveDate>().ok().map(date_label)),
        "utilities" => raw
            .split_whitespace()
            .map(|c| Utility::parse(c).map_or_else(|| c.to_owned(), |u| u.label().to_owned()))
            .collect::<Vec<_>>()
            .join("・"),
        "phones" => match serde_json::from_str::<Vec<tsunagaru_store::StoredPhone>>(raw) {
            Ok(phones) if phones.is_empty() => "（なし）".to_owned(),
            Ok(phones) => phones
                .iter()
                .map(|p| {
                    let kind = tsunagaru_domain::intake::PhoneKind::parse(&p.kind)
                        .map_or_else(|| p.kind.clone(), |k| k.label().to_owned());
                    format!("{kind} {}", p.number)
                })
                .collect::<Vec<_>>()
                .join("、"),
            Err(_) => raw.to_owned(),
        },
        "disability" => serde_json::from_str::<tsunagaru_store::StoredDisability>(raw)
            .map(|d| disability_label(&d))
            .unwrap_or_else(|_| raw.to_owned()),
        // `true [3, 7]`: protected, and who sees the whereabouts.
        "protected" => {
            let mut parts = raw.splitn(2, ' ');
            let on = parts.next() == Some("true");
            let viewers: Vec<i64> = parts
                .next()
                .and_then(|ids| serde_json::from_str(ids).ok())
                .unwrap_or_default();
            if !on {
                "保護なし".to_owned()
            } else if viewers.is_empty() {
                "保護あり".to_owned()
            } else {
                let names: Vec<String> = viewers
                    .iter()
                    .map(|id| {
                        users
                            .iter()
                            .find(|u| u.id == *id)
                            .map_or_else(|| format!("利用者 {id}"), |u| u.display_name.clone())
                    })
                    .collect();
                format!("保護あり（住所・電話を見られる人: {}）", names.join("、"))
            }
        }
        _ => raw.to_owned(),
    }
}

pub fn person_json(person: &Person, today: NaiveDate) -> Value {
    json!({
        "id": person.id,
        // Sent back as If-Match with a correction of the 基本情報.
        "version": tsunagaru_store::version_of(Some(person.updated_at)),
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

#[cfg(test)]
mod tests {
    use super::history_value;

    #[test]
    fn history_values_read_as_words_not_stored_codes() {
        let users = [];
        for (field, raw, shown) in [
            ("sex", Some("female"), "女"),
            (
                "birth_date",
                Some("1970-03-12"),
                "昭和45年3月12日（1970年）",
            ),
            (
                "phones",
                Some(
                    r#"[{"kind":"home","number":"019-000-0000"},{"kind":"mobile","number":"090-0000-0000"}]"#,
                ),
                "自宅 019-000-0000、携帯 090-0000-0000",
            ),
            ("phones", Some("[]"), "（なし）"),
            ("utilities", Some("water gas"), "水道・ガス"),
            (
                "disability",
                Some(
                    r#"{"physical_type":1,"physical_grade":2,"physical":true,"intellectual":"A","mental_grade":null}"#,
                ),
                "有 身体（1種2級）・療育（A）",
            ),
            ("housing", Some("rented"), "賃貸"),
            ("protected", Some("false"), "保護なし"),
            ("address", None, "（なし）"),
            ("name", Some("盛岡 花子"), "盛岡 花子"),
        ] {
            assert_eq!(history_value(field, raw, &users), shown, "{field}");
        }
    }
}
