//! The intake sheet's API: consultations, persons, progress notes.

use super::{Created, created};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use crate::views::intake::{ConsultationAnswer, MemberAnswer, NoteAnswer, PersonAnswer};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tsunagaru_app::Reading;
use tsunagaru_app::intake::IntakeLinks;
use tsunagaru_app::person_records::{NoteInput, person_query};
use tsunagaru_domain::intake::{ConsentAnswer, FieldError, IntakeInput};
use tsunagaru_domain::openapi::RecordId;
use utoipa::ToSchema;

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

/// A sheet just taken: its id, the person's, and the others in the agency's
/// reach who may be the same person.
#[derive(Serialize, ToSchema)]
struct Taken {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(value_type = RecordId)]
    person_id: i64,
    /// 同一人物かもしれない人（確かめて統合できる）
    possible_duplicates: Vec<PossibleDuplicate>,
}

#[derive(Serialize, ToSchema)]
struct PossibleDuplicate {
    #[schema(value_type = RecordId)]
    id: i64,
    name: String,
    kana: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    birth_date: Option<chrono::NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/consultations", request_body = NewConsultation,
    responses((status = 201, body = Taken)))]
async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<NewConsultation>, JsonRejection>,
) -> Result<(StatusCode, Json<Taken>), ApiError> {
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
        Json(Taken {
            id: ids.consultation_id,
            person_id: ids.person_id,
            possible_duplicates: duplicates
                .iter()
                .filter(|d| d.id != ids.person_id)
                .map(|d| PossibleDuplicate {
                    id: d.id,
                    name: d.name.clone(),
                    kana: d.kana.clone(),
                    birth_date: d.birth_date,
                })
                .collect(),
        }),
    ))
}

/// A sheet with the person as it names them (their age on the day it was
/// taken) and the history of its corrections.
#[derive(Serialize, ToSchema)]
struct ConsultationRecord {
    #[serde(flatten)]
    consultation: ConsultationAnswer,
    person: PersonAnswer,
    history: Vec<SheetChange>,
}

/// One correction of one field of a sheet.
#[derive(Serialize, ToSchema)]
struct SheetChange {
    field: String,
    before: Option<String>,
    after: Option<String>,
    #[schema(value_type = RecordId)]
    user_id: i64,
    /// 日本時間
    #[schema(value_type = String, format = DateTime)]
    at: String,
}

#[utoipa::path(get, path = "/api/v1/consultations/{id}",
    responses((status = 200, body = ConsultationRecord)))]
async fn consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<ConsultationRecord>, ApiError> {
    let (consultation, person) = state
        .app
        .consultation_record(&user.actor(), id, Reading::Screen)
        .await?;
    let history = state.app.sheet_history(&consultation).await?;
    Ok(Json(ConsultationRecord {
        person: PersonAnswer::of(&person, consultation.received_on),
        consultation: ConsultationAnswer::of(&consultation),
        history: history
            .changes
            .iter()
            .map(|c| SheetChange {
                field: c.field.clone(),
                before: c.before.clone(),
                after: c.after.clone(),
                user_id: c.user_id,
                at: tsunagaru_store::in_japan(c.at).to_rfc3339(),
            })
            .collect(),
    }))
}

/// Corrects a sheet's own fields: only those given change, each change kept
/// in `history`. Answers the sheet as it now reads.
#[utoipa::path(put, path = "/api/v1/consultations/{id}", request_body = tsunagaru_domain::intake::CorrectionInput,
    responses((status = 200, body = ConsultationRecord)))]
async fn correct_consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<tsunagaru_domain::intake::CorrectionInput>, JsonRejection>,
) -> Result<Json<ConsultationRecord>, ApiError> {
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
#[utoipa::path(post, path = "/api/v1/consultations/{id}/void", request_body = VoidInput,
    responses((status = 200, body = ConsultationRecord)))]
async fn void_consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<VoidInput>, JsonRejection>,
) -> Result<Json<ConsultationRecord>, ApiError> {
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
    params(SearchQuery, super::page::PageQuery),
    responses((status = 200, body = PersonPage))
)]
async fn search(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<SearchQuery>,
    Query(page): Query<super::page::PageQuery>,
) -> Result<Json<PersonPage>, ApiError> {
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
    Ok(Json(PersonPage {
        persons: found.iter().map(|p| PersonAnswer::of(p, today)).collect(),
        next_cursor,
    }))
}

/// One page of a search.
#[derive(Serialize, ToSchema)]
struct PersonPage {
    persons: Vec<PersonAnswer>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

/// A person's record: who they are, their household across the sheets,
/// the sheets and the 経過記録, as the reader may see them.
#[derive(Serialize, ToSchema)]
struct PersonRecord {
    #[serde(flatten)]
    person: PersonAnswer,
    /// 世帯（後のシートが載せなかった人も残り、転出・死亡は印がつく）
    household: Vec<HouseholdEntry>,
    /// 世帯員それぞれの情報共有への同意
    consents: Vec<ConsentEntry>,
    consultations: Vec<ConsultationAnswer>,
    notes: Vec<NoteAnswer>,
}

/// A household member as the latest sheet that names them records them.
#[derive(Serialize, ToSchema)]
struct HouseholdEntry {
    #[serde(flatten)]
    member: MemberAnswer,
    /// その記載のシートの受付日
    #[schema(value_type = String, format = Date)]
    as_of: chrono::NaiveDate,
    /// その記載のシート
    #[schema(value_type = RecordId)]
    consultation_id: i64,
    /// 初めて載ったシート
    #[schema(value_type = RecordId)]
    first_consultation_id: i64,
}

#[derive(Serialize, ToSchema)]
struct ConsentEntry {
    name: String,
    #[schema(value_type = String)]
    relationship: tsunagaru_domain::intake::Relationship,
    #[schema(schema_with = tsunagaru_domain::openapi::codes::<ConsentAnswer>)]
    consent: ConsentAnswer,
}

#[utoipa::path(get, path = "/api/v1/persons/{id}",
    responses((status = 200, body = PersonRecord)))]
async fn person(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<PersonRecord>, ApiError> {
    let record = state.app.person_record(&user.actor(), id, "API").await?;
    Ok(Json(PersonRecord {
        person: PersonAnswer::of(&record.person, state.today()),
        household: record
            .household
            .iter()
            .map(|h| HouseholdEntry {
                member: MemberAnswer::of(&h.member),
                as_of: h.as_of,
                consultation_id: h.consultation_id,
                first_consultation_id: h.first_consultation_id,
            })
            .collect(),
        consents: record
            .household
            .iter()
            .map(|h| ConsentEntry {
                name: h.member.name.clone(),
                relationship: h.member.relationship.clone(),
                consent: h.member.consent,
            })
            .collect(),
        consultations: record
            .consultations
            .iter()
            .map(ConsultationAnswer::of)
            .collect(),
        notes: record.notes.iter().map(NoteAnswer::of).collect(),
    }))
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
    /// At most `tsunagaru_app::persons::MOST_NAMED_VIEWERS`.
    #[serde(default)]
    #[schema(value_type = Vec<tsunagaru_domain::openapi::RecordId>, max_items = 100)]
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
#[utoipa::path(put, path = "/api/v1/persons/{id}", request_body = tsunagaru_domain::intake::PersonInput,
    responses((status = 200, body = Corrected)))]
async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    input: Result<Json<tsunagaru_domain::intake::PersonInput>, JsonRejection>,
) -> Result<Json<Corrected>, ApiError> {
    let input = body(input)?;
    let version = super::if_match(&headers);
    let changed = state
        .app
        .update_person(&user.actor(), id, version.as_deref(), &input)
        .await?;
    Ok(Json(Corrected { changed }))
}

/// What a correction of the 基本情報 changed.
#[derive(Serialize, ToSchema)]
struct Corrected {
    /// 変わった項目
    changed: Vec<String>,
}

/// A record separated again from the one it had been merged into.
#[derive(Serialize, ToSchema)]
struct Unmerged {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(value_type = RecordId)]
    was_merged_into: i64,
}

/// `POST /api/v1/persons/{id}/unmerge`: undoes the merge of this record.
#[utoipa::path(post, path = "/api/v1/persons/{id}/unmerge",
    responses((status = 200, body = Unmerged)))]
async fn unmerge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<Unmerged>, ApiError> {
    let kept = state.app.unmerge_person(&user.actor(), id, None).await?;
    Ok(Json(Unmerged {
        id,
        was_merged_into: kept,
    }))
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

/// A member's 同意 as it now stands on the sheet.
#[derive(Serialize, ToSchema)]
struct ConsentChanged {
    #[schema(value_type = RecordId)]
    consultation_id: i64,
    position: i64,
    #[schema(schema_with = tsunagaru_domain::openapi::codes::<ConsentAnswer>)]
    consent: ConsentAnswer,
}

#[utoipa::path(post, path = "/api/v1/consultations/{id}/consent", request_body = ConsentChange,
    responses((status = 200, body = ConsentChanged)))]
async fn consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ConsentChange>, JsonRejection>,
) -> Result<Json<ConsentChanged>, ApiError> {
    let input = body(input)?;
    let (_, consent) = state
        .app
        .change_consent(&user.actor(), id, input.position, &input.consent)
        .await?;
    Ok(Json(ConsentChanged {
        consultation_id: id,
        position: input.position,
        consent,
    }))
}

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create,
    consultation,
    correct_consultation,
    void_consultation,
    search,
    person,
    add_note,
    protection,
    merge,
    update,
    unmerge,
    consent
))]
pub(super) struct Inputs;
