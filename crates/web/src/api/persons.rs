//! The intake sheet's API: consultations, persons, progress notes.

use super::{Created, created};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use crate::views::intake::{consultation_json, member_json, note_json, person_json};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tsunagaru_app::Reading;
use tsunagaru_app::intake::IntakeLinks;
use tsunagaru_app::person_records::{NoteInput, person_query};
use tsunagaru_domain::intake::{FieldError, IntakeInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consultations", post(create))
        .route(
            "/consultations/{id}",
            get(consultation).put(correct_consultation),
        )
        .route("/consultations/{id}/void", post(void_consultation))
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

#[derive(Deserialize, utoipa::ToSchema)]
struct NewConsultation {
    #[serde(flatten)]
    sheet: IntakeInput,
    /// The 受付機関 (one of the user's agencies; default: the first).
    #[schema(value_type = Option<tsunagaru_domain::openapi::RecordId>)]
    agency_id: Option<i64>,
    /// Attach to this existing person (chosen among the possible duplicates).
    #[schema(value_type = Option<tsunagaru_domain::openapi::RecordId>)]
    person_id: Option<i64>,
    /// The アウトリーチ target this consultation connects.
    #[serde(default)]
    #[schema(value_type = Option<tsunagaru_domain::openapi::RecordId>)]
    outreach_target_id: Option<i64>,
    /// The event (出前相談会) where it was taken.
    #[serde(default)]
    #[schema(value_type = Option<tsunagaru_domain::openapi::RecordId>)]
    event_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/consultations", request_body = NewConsultation)]
async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<NewConsultation>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = body(input)?;
    let actor = user.actor();
    tsunagaru_app::intake::intake_agency(&actor, input.agency_id)?;
    let sheet = input.sheet.parse(state.today()).map_err(unprocessable)?;
    let duplicates = if input.person_id.is_none() {
        state.app.possible_duplicates(&actor, &sheet).await?
    } else {
        Vec::new()
    };
    let links = IntakeLinks {
        existing_person_id: input.person_id,
        outreach_target_id: input.outreach_target_id,
        event_id: input.event_id,
    };
    let ids = state
        .app
        .take_consultation(
            &actor,
            sheet,
            input.agency_id,
            &user.user.display_name,
            links,
        )
        .await?;
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
    let (consultation, person) = state
        .app
        .consultation_record(&user.actor(), id, Reading::Screen)
        .await?;
    let history = state.app.sheet_history(&consultation).await?;
    let mut value = consultation_json(&consultation);
    value["person"] = person_json(&person, consultation.received_on);
    value["history"] = json!(
        history
            .changes
            .iter()
            .map(|c| json!({"field": c.field, "before": c.before, "after": c.after,
                            "user_id": c.user_id, "at": tsunagaru_store::in_japan(c.at).to_rfc3339()}))
            .collect::<Vec<_>>()
    );
    Ok(Json(value))
}

/// Corrects a sheet's own fields: only those given change, each change kept
/// in `history`. Answers the sheet as it now reads.
#[utoipa::path(put, path = "/api/v1/consultations/{id}", request_body = tsunagaru_domain::intake::CorrectionInput)]
async fn correct_consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<tsunagaru_domain::intake::CorrectionInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    state
        .app
        .correct_consultation(&user.actor(), id, &input)
        .await?;
    consultation(State(state), ApiUser(user), Id(id)).await
}

#[derive(Deserialize, utoipa::ToSchema)]
struct VoidInput {
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"\S", max_length = 500)]
    reason: String,
}

/// 取消 of a sheet taken by mistake: `{"reason": "…"}`.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/void", request_body = VoidInput)]
async fn void_consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<VoidInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    state
        .app
        .void_consultation(&user.actor(), id, &input.reason)
        .await?;
    consultation(State(state), ApiUser(user), Id(id)).await
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    q: Option<String>,
    #[param(format = Date)]
    birth_date: Option<String>,
    phone: Option<String>,
}

/// A search, newest first, a page at a time (the cursor stands for the
/// last person read: when they were last changed, and their id).
#[utoipa::path(
    get,
    path = "/api/v1/persons",
    params(SearchQuery, super::page::PageQuery)
)]
async fn search(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<SearchQuery>,
    Query(page): Query<super::page::PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut query = person_query(q.q.as_deref(), q.birth_date.as_deref(), q.phone.as_deref())
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let limit = page.limit()?;
    if let Some(key) = page.after_text()? {
        let after = key
            .split_once(':')
            .and_then(|(nanos, id)| Some((nanos.parse::<i64>().ok()?, id.parse::<i64>().ok()?)))
            .map(|(nanos, id)| (chrono::DateTime::from_timestamp_nanos(nanos), id))
            .ok_or_else(super::page::unusable_cursor)?;
        query.after = Some(after);
    }
    let (found, next) = state
        .app
        .search_persons_page(&user.actor(), &query, limit)
        .await?;
    let next_cursor = next.and_then(|(at, id)| {
        at.timestamp_nanos_opt()
            .map(|nanos| hex::encode(format!("{nanos}:{id}")))
    });
    let today = state.today();
    let persons: Vec<Value> = found.iter().map(|p| person_json(p, today)).collect();
    Ok(Json(
        json!({ "persons": persons, "next_cursor": next_cursor }),
    ))
}

async fn person(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Value>, ApiError> {
    let record = state.app.person_record(&user.actor(), id, "API").await?;
    let (person, consultations, notes) = (record.person, record.consultations, record.notes);
    let mut value = person_json(&person, state.today());
    // The person's household across the sheets (a later sheet that leaves a
    // member out keeps them; 転出・死亡 are marked).
    value["household"] = json!(
        record
            .household
            .iter()
            .map(|h| {
                let mut m = member_json(&h.member);
                m["status"] = json!(h.member.status);
                m["status_label"] = json!(h.member.status.label());
                m["as_of"] = json!(h.as_of);
                m["consultation_id"] = json!(h.consultation_id);
                m["first_consultation_id"] = json!(h.first_consultation_id);
                m
            })
            .collect::<Vec<_>>()
    );
    value["consents"] = json!(
        record
            .household
            .iter()
            .map(|h| json!({"name": h.member.name, "relationship": h.member.relationship, "consent": h.member.consent}))
            .collect::<Vec<_>>()
    );
    value["consultations"] = json!(
        consultations
            .iter()
            .map(consultation_json)
            .collect::<Vec<_>>()
    );
    value["notes"] = json!(notes.iter().map(note_json).collect::<Vec<_>>());
    Ok(Json(value))
}

#[utoipa::path(post, path = "/api/v1/persons/{id}/notes", request_body = NoteInput,
    responses((status = 201, body = Created)))]
async fn add_note(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<NoteInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    let note_id = state.app.add_note(&user.actor(), id, &input).await?;
    Ok(created(note_id))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ProtectionInput {
    protected: bool,
    #[serde(default)]
    #[schema(value_type = Vec<tsunagaru_domain::openapi::RecordId>)]
    viewer_user_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/persons/{id}/protection", request_body = ProtectionInput)]
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

#[derive(Deserialize, utoipa::ToSchema)]
struct MergeInput {
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    keep_person_id: i64,
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    merge_person_id: i64,
}

#[utoipa::path(post, path = "/api/v1/persons/merge", request_body = MergeInput)]
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

/// `PUT /api/v1/persons/{id}`: corrects the 基本情報; the history keeps what
/// changed. `If-Match` with the `version` the record was read at refuses a
/// correction over someone else's since (409).
#[utoipa::path(put, path = "/api/v1/persons/{id}", request_body = tsunagaru_domain::intake::PersonInput)]
async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    input: Result<Json<tsunagaru_domain::intake::PersonInput>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let input = body(input)?;
    let version = super::if_match(&headers);
    let changed = state
        .app
        .update_person(&user.actor(), id, version.as_deref(), &input)
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

#[derive(Deserialize, utoipa::ToSchema)]
struct ConsentChange {
    /// The member's row on the sheet (1 = 本人).
    #[schema(minimum = 0)]
    position: i64,
    /// yes / no / unknown (有 / 無 / 不明).
    #[schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::intake::ConsentAnswer>)]
    consent: String,
}

#[utoipa::path(post, path = "/api/v1/consultations/{id}/consent", request_body = ConsentChange)]
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

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create,
    correct_consultation,
    void_consultation,
    search,
    add_note,
    protection,
    merge,
    update,
    consent
))]
pub(super) struct Inputs;
