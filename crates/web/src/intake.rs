//! What the intake sheet routes share: who may take a consultation, the scope
//! check, and how a stored person is shown (和暦, labels, protection).

use crate::AppState;
use crate::auth::CurrentUser;
use chrono::NaiveDate;
use serde_json::{Value, json};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{
    CareLevel, Concern, ConsentAnswer, Housing, Living, Method, SupportNeed, Urgency, Utility,
};
use tsunagaru_store::{Consultation, Note, Person, StoreError};

/// The agency a user takes a consultation for: the one asked for, if theirs,
/// else their first. `None` when they may not take consultations.
pub fn intake_agency(user: &CurrentUser, asked: Option<i64>) -> Result<i64, &'static str> {
    if !user.role().works_with_persons() {
        return Err("この役割では相談を受け付けられません");
    }
    match asked {
        Some(id) if user.user.agency_ids.contains(&id) => Ok(id),
        Some(_) => Err("受付機関は自分の所属機関から選んでください"),
        None => user
            .user
            .agency_ids
            .first()
            .copied()
            .ok_or("所属機関がないため相談を受け付けられません"),
    }
}

/// A person the user may see, as they may see it (`App::visible_person`).
/// `None` for anything else, so the caller answers 404 either way.
pub async fn visible_person(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<Person>, tsunagaru_app::AppError> {
    state.app.visible_person(&user.actor(), id).await
}

/// The audit detail of viewing a person: protected views are marked.
pub fn view_detail(person: &Person, user: &CurrentUser, what: &str) -> String {
    if person.protected && person.whereabouts_visible_to(user.user.id) {
        format!("{what}（保護対象: 閲覧を許可された利用者による閲覧）")
    } else {
        what.to_owned()
    }
}

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
        "household": c.household.iter().map(|m| json!({
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
            "consent_label": label_of(Some(&m.consent), ConsentAnswer::parse, ConsentAnswer::label),
        })).collect::<Vec<_>>(),
    })
}

pub fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id, "agency_id": n.agency_id, "user_id": n.user_id, "noted_on": n.noted_on,
        "noted_on_label": date_label(n.noted_on), "method": n.method, "content": n.content,
    })
}

/// Possible duplicates of the sheet's person among those the user may see:
/// the same birth date and a similar name or ふりがな, or the same phone (not
/// for protected persons whose whereabouts the user may not see).
pub async fn possible_duplicates(
    state: &AppState,
    user: &CurrentUser,
    sheet: &tsunagaru_domain::intake::IntakeSheet,
) -> Result<Vec<Person>, StoreError> {
    use tsunagaru_domain::kana::{search_key, similar};
    use tsunagaru_store::PersonQuery;
    let agencies = &user.user.agency_ids;
    let mut found: Vec<Person> = Vec::new();
    let name_key = search_key(&sheet.person.name);
    let kana_key = sheet.person.kana.as_ref().map(|k| search_key(k.as_str()));
    if let Some(birth) = sheet.person.birth_date {
        let query = PersonQuery {
            birth_date: Some(birth.date()),
            ..PersonQuery::default()
        };
        for person in state.repo.search_persons(agencies, &query, 200).await? {
            let same_name = similar(&search_key(&person.name), &name_key);
            let same_kana = match (&kana_key, &person.kana) {
                (Some(a), Some(b)) => similar(a, &search_key(b)),
                _ => false,
            };
            if same_name || same_kana {
                found.push(person);
            }
        }
    }
    for phone in &sheet.person.phones {
        let query = PersonQuery {
            phone: Some(phone.key()),
            ..PersonQuery::default()
        };
        for person in state.repo.search_persons(agencies, &query, 20).await? {
            let exact = person
                .phones
                .iter()
                .any(|p| tsunagaru_domain::kana::phone_key(&p.number) == phone.key());
            if exact
                && person.whereabouts_visible_to(user.user.id)
                && !found.iter().any(|f| f.id == person.id)
            {
                found.push(person);
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|p| p.for_viewer(user.user.id))
        .collect())
}

/// Saves a checked sheet for the user's agency: the town from the address
/// router, 受付者 defaulting to the user, and the audit event, in one go.
/// What a new consultation is tied to besides its 受付機関 (each checked by
/// the caller against the user's scope).
#[derive(Debug, Clone, Copy, Default)]
pub struct IntakeLinks {
    /// Attach to this person (chosen among the possible duplicates).
    pub existing_person_id: Option<i64>,
    /// The アウトリーチ target it connects.
    pub outreach_target_id: Option<i64>,
    /// The event (出前相談会) where it was taken.
    pub event_id: Option<i64>,
}

pub async fn save_intake(
    state: &AppState,
    user: &CurrentUser,
    mut sheet: tsunagaru_domain::intake::IntakeSheet,
    agency_id: i64,
    links: IntakeLinks,
) -> Result<tsunagaru_store::IntakeIds, StoreError> {
    let town = crate::routes::persons_api::town_of(
        state,
        sheet.person.postal_code.as_deref(),
        sheet.person.address.as_deref(),
    );
    // 受付者: who typed it, unless the sheet names someone else.
    sheet
        .receiver_name
        .get_or_insert_with(|| user.user.display_name.clone());
    let ctx = tsunagaru_store::IntakeContext {
        agency_id,
        user_id: user.user.id,
        town,
        existing_person_id: links.existing_person_id,
        outreach_target_id: links.outreach_target_id,
        event_id: links.event_id,
    };
    let audit = user
        .audit(tsunagaru_domain::AuditAction::ConsultationCreated)
        .detail(format!("受付機関 {agency_id}"));
    state.repo.create_intake(&sheet, &ctx, audit).await
}
