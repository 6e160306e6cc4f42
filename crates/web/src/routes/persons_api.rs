//! The intake sheet's API: consultations, persons, progress notes.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use crate::intake::{
    consultation_json, intake_agency, note_json, person_json, possible_duplicates, save_intake,
    view_detail, visible_person,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{FieldError, IntakeInput};
use tsunagaru_store::{NewNote, PersonQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consultations", post(create))
        .route("/consultations/{id}", get(consultation))
        .route("/consultations/{id}/consent", post(consent))
        .route("/persons", get(search))
        .route("/persons/{id}", get(person).put(update))
        .route("/persons/{id}/notes", post(add_note))
        .route("/persons/{id}/protection", post(protection))
        .route("/persons/merge", post(merge))
        .route("/persons/{id}/unmerge", post(unmerge))
}

fn unprocessable(errors: Vec<FieldError>) -> ApiError {
    ApiError::fields(errors)
}

#[derive(Deserialize)]
struct NewConsultation {
    #[serde(flatten)]
    sheet: IntakeInput,
    /// The 受付機関 (one of the user's agencies; default: the first).
    agency_id: Option<i64>,
    /// Attach to this existing person (chosen among the possible duplicates).
    person_id: Option<i64>,
    /// The アウトリーチ target this consultation connects.
    #[serde(default)]
    outreach_target_id: Option<i64>,
    /// The event (出前相談会) where it was taken.
    #[serde(default)]
    event_id: Option<i64>,
}

async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<NewConsultation>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    let agency_id = intake_agency(&user, input.agency_id)
        .map_err(|m| ApiError::new(StatusCode::FORBIDDEN, m))?;
    let sheet = input.sheet.parse(state.today()).map_err(unprocessable)?;
    if let Some(id) = input.person_id
        && visible_person(&state, &user, id).await?.is_none()
    {
        return Err(unprocessable(vec![FieldError {
            field: "person_id".into(),
            message: "指定した相談対象者は見つかりません".into(),
        }]));
    }
    let duplicates = if input.person_id.is_none() {
        possible_duplicates(&state, &user, &sheet).await?
    } else {
        Vec::new()
    };
    if let Some(target) = input.outreach_target_id {
        crate::reach::connectable_target(&state, &user, target).await?;
    }
    if let Some(event) = input.event_id
        && state.repo.event(event).await?.is_none()
    {
        return Err(unprocessable(vec![FieldError {
            field: "event_id".into(),
            message: "指定した行事は見つかりません".into(),
        }]));
    }
    let links = crate::intake::IntakeLinks {
        existing_person_id: input.person_id,
        outreach_target_id: input.outreach_target_id,
        event_id: input.event_id,
    };
    let ids = save_intake(&state, &user, sheet, agency_id, links)
        .await
        .map_err(crate::cases::conflict)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": ids.consultation_id,
            "person_id": ids.person_id,
            "possible_duplicates": duplicates.iter().filter(|d| d.id != ids.person_id).map(|d| json!({"id": d.id, "name": d.name, "kana": d.kana, "birth_date": d.birth_date})).collect::<Vec<_>>(),
        })),
    ))
}

async fn consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let consultation = state
        .repo
        .consultation(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let person = visible_person(&state, &user, consultation.person_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let consultation = state
        .app
        .consultation_shown(&user.actor(), &person, consultation)
        .await?;
    state
        .repo
        .append_audit(
            user.audit(AuditAction::ConsultationViewed)
                .record("consultation", id)
                .detail(view_detail(&person, &user, "API")),
        )
        .await?;
    let mut value = consultation_json(&consultation);
    value["person"] = person_json(&person, consultation.received_on);
    Ok(Json(value))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    birth_date: Option<String>,
    phone: Option<String>,
}

pub fn person_query(
    q: Option<&str>,
    birth_date: Option<&str>,
    phone: Option<&str>,
) -> Result<PersonQuery, String> {
    let birth_date = match birth_date.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => Some(
            EraDate::parse(b)
                .map_err(|e| format!("生年月日: {e}"))?
                .date(),
        ),
        None => None,
    };
    let query = PersonQuery {
        text: q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
        birth_date,
        phone: phone
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    };
    if query == PersonQuery::default() {
        return Err("氏名・ふりがな、生年月日、電話番号のどれかを指定してください".into());
    }
    Ok(query)
}

async fn search(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    if !user.role().works_with_persons() {
        return Err(ApiError::forbidden());
    }
    let query = person_query(q.q.as_deref(), q.birth_date.as_deref(), q.phone.as_deref())
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let found = crate::routes::persons::search_visible(&state, &user, &query).await?;
    let today = state.today();
    Ok(Json(json!(
        found
            .iter()
            .map(|p| person_json(p, today))
            .collect::<Vec<_>>()
    )))
}

async fn person(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let person = visible_person(&state, &user, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    state
        .repo
        .append_audit(
            user.audit(AuditAction::PersonViewed)
                .record("person", id)
                .detail(view_detail(&person, &user, "API")),
        )
        .await?;
    let consultations = state
        .app
        .consultations_shown(&user.actor(), &person)
        .await?;
    let notes = state.repo.notes_of(id).await?;
    let mut value = person_json(&person, state.today());
    value["household"] = consultations
        .first()
        .map(|c| consultation_json(c)["household"].clone())
        .unwrap_or(json!([]));
    value["consents"] = json!(consultations.first().map(|c| c.household.iter().map(|m| json!({"name": m.name, "relationship": m.relationship, "consent": m.consent})).collect::<Vec<_>>()).unwrap_or_default());
    value["consultations"] = json!(
        consultations
            .iter()
            .map(consultation_json)
            .collect::<Vec<_>>()
    );
    value["notes"] = json!(notes.iter().map(note_json).collect::<Vec<_>>());
    Ok(Json(value))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteInput {
    pub noted_on: String,
    pub method: String,
    pub content: String,
    pub agency_id: Option<i64>,
}

pub const NOTE_METHODS: [&str; 5] = ["電話", "来所", "訪問", "会議", "その他"];

/// Checks a progress note; problems per field.
pub fn parse_note(
    input: &NoteInput,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let noted_on = if input.noted_on.trim().is_empty() {
        Some(today)
    } else {
        EraDate::parse_happened(&input.noted_on, today, "記録日")
            .map_err(|message| {
                errors.push(FieldError {
                    field: "noted_on".into(),
                    message,
                })
            })
            .ok()
    };
    let method = input.method.trim();
    if !NOTE_METHODS.contains(&method) {
        errors.push(FieldError {
            field: "method".into(),
            message: "方法は 電話・来所・訪問・会議・その他 から選んでください".into(),
        });
    }
    if input.content.trim().is_empty() {
        errors.push(FieldError {
            field: "content".into(),
            message: "内容を入力してください".into(),
        });
    }
    match (noted_on, errors.is_empty()) {
        (Some(d), true) => Ok((d, method.to_owned(), input.content.trim().to_owned())),
        _ => Err(errors),
    }
}

async fn add_note(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<NoteInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    visible_person(&state, &user, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let agency_id = intake_agency(&user, input.agency_id)
        .map_err(|m| ApiError::new(StatusCode::FORBIDDEN, m))?;
    let (noted_on, method, content) = parse_note(&input, state.today()).map_err(unprocessable)?;
    let note = NewNote {
        person_id: id,
        agency_id,
        user_id: user.user.id,
        noted_on,
        method,
        content,
    };
    let note_id = state
        .repo
        .add_note(
            &note,
            user.audit(AuditAction::NoteAdded)
                .detail(format!("相談対象者 {id}")),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": note_id }))))
}

#[derive(Deserialize)]
struct ProtectionInput {
    protected: bool,
    #[serde(default)]
    viewer_user_ids: Vec<i64>,
}

async fn protection(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ProtectionInput>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let input = body(input)?;
    state
        .app
        .set_protection(&user.actor(), id, input.protected, &input.viewer_user_ids)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct MergeInput {
    keep_person_id: i64,
    merge_person_id: i64,
}

async fn merge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<MergeInput>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let input = body(input)?;
    state
        .app
        .merge_persons(&user.actor(), input.keep_person_id, input.merge_person_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The town the router finds for an address (kept for lists and catchment).
pub fn town_of(state: &AppState, postal_code: Option<&str>, line: Option<&str>) -> Option<String> {
    line.and_then(|line| {
        state
            .address
            .route(&format!("{} {line}", postal_code.unwrap_or_default()))
            .town
    })
}

/// `PUT /api/v1/persons/{id}`: corrects the 基本情報; the history keeps what changed.
async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<tsunagaru_domain::intake::PersonInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    let current = visible_person(&state, &user, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !current.whereabouts_visible_to(user.user.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "保護対象の方の基本情報は、記録に名前のある利用者だけが修正できます",
        ));
    }
    let sheet = input.parse().map_err(|errors| {
        unprocessable(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: format!("person.{}", e.field.trim_start_matches("person.")),
                    message: e.message,
                })
                .collect(),
        )
    })?;
    let town = town_of(
        &state,
        sheet.postal_code.as_deref(),
        sheet.address.as_deref(),
    );
    let changed = state
        .repo
        .update_person(
            id,
            &sheet,
            town,
            user.user.id,
            user.audit(AuditAction::PersonUpdated),
        )
        .await?;
    Ok(Json(json!({ "changed": changed })))
}

/// `POST /api/v1/persons/{id}/unmerge`: undoes the merge of this record.
async fn unmerge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let kept = state.app.unmerge_person(&user.actor(), id, None).await?;
    Ok(Json(json!({ "id": id, "was_merged_into": kept })))
}

#[derive(Deserialize)]
struct ConsentChange {
    /// The member's row on the sheet (1 = 本人).
    position: i64,
    /// yes / no / unknown (有 / 無 / 不明).
    consent: String,
}

async fn consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ConsentChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    state
        .app
        .change_consent(&user.actor(), id, input.position, &input.consent)
        .await?;
    Ok(Json(
        json!({"consultation_id": id, "position": input.position, "consent": tsunagaru_domain::intake::ConsentAnswer::parse(&input.consent).map(|c| c.code())}),
    ))
}
