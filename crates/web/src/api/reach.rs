//! アウトリーチ, 参加支援 and 地域づくり through the API, with the directory's
//! HSDS 3.0 and CSV exports.

use super::page::{PageQuery, ascending, paginate};
use super::{Created, created};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, json_body as body};
use crate::id::Id;
use crate::views::download::resources_file_name;
use crate::views::intake::date_label;
use crate::views::reach::{
    self, FollowUpView, MenuView, ResourceView, TargetView, follow_up_views, menu_view,
    resource_view, target_view,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use tsunagaru_app::participation::{HostSupportInput, MatchInput, MatchRecord};
use tsunagaru_domain::openapi::{RecordId, codes};
use tsunagaru_domain::reach::{
    AttemptInput, EventInput, EventKind, FollowUpInput, MatchState, MenuInput,
    ResourceClosingInput, ResourceInput, TargetInput,
};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outreach", get(targets).post(create_target))
        .route("/outreach/{id}", get(target))
        .route("/outreach/{id}/attempts", post(attempt))
        .route("/participation/menus", get(menus).post(create_menu))
        .route("/participation/menus/{id}", get(menu))
        .route(
            "/participation/menus/{id}/host-supports",
            post(host_support),
        )
        .route("/participation/matches", post(create_match))
        .route("/participation/matches/{id}", get(participation_match))
        .route("/participation/matches/{id}/follow-ups", post(follow_up))
        .route("/resources", get(resources).post(create_resource))
        .route("/resources/hsds", get(hsds))
        .route("/resources/csv", get(csv))
        .route("/resources/{id}", get(resource))
        .route("/resources/{id}/close", post(close_resource))
        .route("/events", get(events).post(create_event))
        .route("/events/{id}", get(event))
        .route("/events/{id}/consultations", post(link_consultation))
}

/// The アウトリーチ targets the caller works as the list page shows them
/// (those past the no-contact alert first, then open ones, then longest
/// without contact), a page at a time.
/// One page of the targets the caller works.
#[derive(Serialize, ToSchema)]
struct TargetPage {
    /// 接触のない日数がこれを超えると no_contact_alert
    no_contact_alert_days: i64,
    targets: Vec<TargetView>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/outreach", params(PageQuery),
    responses((status = 200, body = TargetPage)))]
async fn targets(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<TargetPage>, ApiError> {
    let list = reach::target_list(&state, &user).await?;
    let page = paginate(
        list,
        |t| {
            let last = t.last_contact_on.unwrap_or(t.created_on);
            format!(
                "{}{}{}{}",
                u8::from(!t.no_contact_alert),
                u8::from(!t.open),
                ascending(i64::from(last.num_days_from_ce())),
                ascending(t.id)
            )
        },
        &q,
    )?;
    Ok(Json(TargetPage {
        no_contact_alert_days: i64::from(state.pack().outreach.no_contact_alert_days),
        targets: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/api/v1/outreach", request_body = TargetInput,
    responses((status = 201, body = Created)))]
async fn create_target(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<TargetInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(
        state.app.create_target(&user.actor(), &input).await?,
    ))
}

async fn target_answer(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: i64,
) -> Result<Json<TargetView>, ApiError> {
    let (t, attempts) = state.app.target_record(&user.actor(), id).await?;
    let agencies = state.app.agencies().await?;
    Ok(Json(target_view(state, &t, &agencies, &attempts)))
}

#[utoipa::path(get, path = "/api/v1/outreach/{id}",
    responses((status = 200, body = TargetView)))]
async fn target(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<TargetView>, ApiError> {
    target_answer(&state, &user, id).await
}

#[utoipa::path(post, path = "/api/v1/outreach/{id}/attempts", request_body = AttemptInput,
    responses((status = 201, body = TargetView)))]
async fn attempt(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<AttemptInput>, JsonRejection>,
) -> Result<(StatusCode, Json<TargetView>), ApiError> {
    let input = body(input)?;
    state.app.add_attempt(&user.actor(), id, &input).await?;
    let view = target_answer(&state, &user, id).await?;
    Ok((StatusCode::CREATED, view))
}

/// The 支援メニュー with their counts.
#[derive(Serialize, ToSchema)]
struct MenuList {
    menus: Vec<MenuView>,
}

#[utoipa::path(get, path = "/api/v1/participation/menus",
    responses((status = 200, body = MenuList)))]
async fn menus(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MenuList>, ApiError> {
    // The list gives counts; the participants are on each menu.
    let today = state.today();
    let views: Vec<_> = state
        .app
        .menu_records(&user.actor())
        .await?
        .iter()
        .map(|r| {
            let mut v = menu_view(r, today);
            v.visible_participants.clear();
            v
        })
        .collect();
    Ok(Json(MenuList { menus: views }))
}

#[utoipa::path(post, path = "/api/v1/participation/menus", request_body = MenuInput,
    responses((status = 201, body = Created)))]
async fn create_menu(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<MenuInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(state.app.create_menu(&user.actor(), &input).await?))
}

/// A menu with its participants and the support given to its host.
#[derive(Serialize, ToSchema)]
struct MenuRecordAnswer {
    #[serde(flatten)]
    menu: MenuView,
    /// 受け入れ先への支援の記録
    host_supports: Vec<HostSupportAnswer>,
}

#[derive(Serialize, ToSchema)]
struct HostSupportAnswer {
    #[schema(value_type = String, format = Date)]
    on_date: chrono::NaiveDate,
    on_label: String,
    note: String,
}

#[utoipa::path(get, path = "/api/v1/participation/menus/{id}",
    responses((status = 200, body = MenuRecordAnswer)))]
async fn menu(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<MenuRecordAnswer>, ApiError> {
    let record = state.app.menu_record(&user.actor(), id).await?;
    Ok(Json(MenuRecordAnswer {
        menu: menu_view(&record, state.today()),
        host_supports: record
            .host_supports
            .iter()
            .map(|h| HostSupportAnswer {
                on_date: h.on_date,
                on_label: date_label(h.on_date),
                note: h.note.clone(),
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/participation/menus/{id}/host-supports", request_body = HostSupportInput,
    responses((status = 201, body = Created)))]
async fn host_support(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<HostSupportInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(
        state
            .app
            .add_host_support(&user.actor(), id, &input)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/participation/matches", request_body = MatchInput,
    responses((status = 201, body = Created)))]
async fn create_match(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<MatchInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(
        state.app.create_match(&user.actor(), &input).await?,
    ))
}

/// A person matched to a 支援メニュー, with the 定着支援 since.
#[derive(Serialize, ToSchema)]
#[schema(as = ParticipationMatch)]
struct MatchAnswer {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(value_type = RecordId)]
    menu_id: i64,
    /// メニューの名前
    menu: Option<String>,
    #[schema(value_type = RecordId)]
    person_id: i64,
    person_name: String,
    #[schema(value_type = Option<RecordId>)]
    case_id: Option<i64>,
    reasons: String,
    #[schema(value_type = String, format = Date)]
    matched_on: chrono::NaiveDate,
    #[schema(schema_with = codes::<MatchState>)]
    state: MatchState,
    #[schema(value_type = Option<String>, format = Date)]
    next_follow_up_on: Option<chrono::NaiveDate>,
    /// 次の定着支援の日を過ぎている
    follow_up_due: bool,
    follow_ups: Vec<FollowUpView>,
}

#[utoipa::path(get, path = "/api/v1/participation/matches/{id}",
    responses((status = 200, body = MatchAnswer)))]
async fn participation_match(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<MatchAnswer>, ApiError> {
    let MatchRecord {
        matched: m,
        person,
        menu,
        follow_ups,
    } = state.app.match_record(&user.actor(), id).await?;
    Ok(Json(MatchAnswer {
        id: m.id,
        menu_id: m.menu_id,
        menu: menu.map(|m| m.name),
        person_id: m.person_id,
        person_name: person.name,
        case_id: m.case_id,
        follow_up_due: m.state == MatchState::Active
            && tsunagaru_domain::reach::follow_up_due(m.next_follow_up_on, state.today()),
        reasons: m.reasons,
        matched_on: m.matched_on,
        state: m.state,
        next_follow_up_on: m.next_follow_up_on,
        follow_ups: follow_up_views(&follow_ups),
    }))
}

#[utoipa::path(post, path = "/api/v1/participation/matches/{id}/follow-ups", request_body = FollowUpInput,
    responses((status = 201, body = Created)))]
async fn follow_up(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<FollowUpInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(
        state.app.add_follow_up(&user.actor(), id, &input).await?,
    ))
}

/// The active 地域資源 by kind, a page at a time.
/// One page of the active 地域資源, by kind.
#[derive(Serialize, ToSchema)]
struct ResourcePage {
    resources: Vec<ResourceView>,
    /// 次のページの cursor。最後のページでは null
    next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/resources", params(PageQuery),
    responses((status = 200, body = ResourcePage)))]
async fn resources(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<ResourcePage>, ApiError> {
    let active: Vec<_> = state
        .app
        .resources()
        .await?
        .into_iter()
        .filter(|r| r.active)
        .collect();
    let page = paginate(
        active,
        |r| format!("{}\u{1f}{}", r.kind.code(), ascending(r.id)),
        &q,
    )?;
    let list: Vec<_> = page
        .items
        .iter()
        .map(|r| resource_view(&state, r))
        .collect();
    Ok(Json(ResourcePage {
        resources: list,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/api/v1/resources", request_body = ResourceInput,
    responses((status = 201, body = Created)))]
async fn create_resource(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<ResourceInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(
        state.app.create_resource(&user.actor(), &input).await?,
    ))
}

/// 廃止 of a registered 拠点: `{"closed_on": "…", "reason": "…"}`.
#[utoipa::path(post, path = "/api/v1/resources/{id}/close", request_body = ResourceClosingInput,
    responses((status = 200, body = ResourceView)))]
async fn close_resource(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<ResourceClosingInput>, JsonRejection>,
) -> Result<Json<ResourceView>, ApiError> {
    let input = body(input)?;
    state.app.close_resource(&user.actor(), id, &input).await?;
    let r = state.app.resource(id).await?;
    Ok(Json(resource_view(&state, &r)))
}

#[utoipa::path(get, path = "/api/v1/resources/{id}",
    responses((status = 200, body = ResourceView)))]
async fn resource(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    Id(id): Id,
) -> Result<Json<ResourceView>, ApiError> {
    let r = state.app.resource(id).await?;
    Ok(Json(resource_view(&state, &r)))
}

#[utoipa::path(get, path = "/api/v1/resources/hsds",
    responses((status = 200, body = crate::views::hsds::HsdsExport)))]
async fn hsds(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<crate::views::hsds::HsdsExport>, ApiError> {
    Ok(Json(crate::views::hsds::export(&state).await?))
}

async fn csv(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<impl IntoResponse, ApiError> {
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                resources_file_name(&state, "地域資源", "community_resources", "csv"),
            ),
        ],
        crate::views::hsds::csv(&state).await?,
    ))
}

/// The city's events (地域づくり), with how many consultations each led to.
#[derive(Serialize, ToSchema)]
struct EventList {
    events: Vec<EventListed>,
}

#[derive(Serialize, ToSchema)]
struct EventListed {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(schema_with = codes::<EventKind>)]
    kind: EventKind,
    kind_label: &'static str,
    title: String,
    #[schema(value_type = String, format = Date)]
    held_on: chrono::NaiveDate,
    place: String,
    /// そこで受けた相談の件数
    #[schema(minimum = 0)]
    consultations: i64,
}

#[utoipa::path(get, path = "/api/v1/events",
    responses((status = 200, body = EventList)))]
async fn events(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<EventList>, ApiError> {
    let events = state
        .app
        .events()
        .await?
        .into_iter()
        .map(|e| EventListed {
            id: e.id,
            kind: e.kind,
            kind_label: e.kind.label(),
            title: e.title,
            held_on: e.held_on,
            place: e.place,
            consultations: e.consultation_count,
        })
        .collect();
    Ok(Json(EventList { events }))
}

#[utoipa::path(post, path = "/api/v1/events", request_body = EventInput,
    responses((status = 201, body = Created)))]
async fn create_event(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    input: Result<Json<EventInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = body(input)?;
    Ok(created(
        state.app.create_event(&user.actor(), &input).await?,
    ))
}

/// An event: who attended, how many consultations it led to, and those the
/// reader may see.
#[derive(Serialize, ToSchema)]
#[schema(as = Event)]
struct EventAnswer {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(schema_with = codes::<EventKind>)]
    kind: EventKind,
    kind_label: &'static str,
    title: String,
    #[schema(value_type = String, format = Date)]
    held_on: chrono::NaiveDate,
    held_label: String,
    place: String,
    note: String,
    /// 出席した推進員
    attendees: Vec<tsunagaru_store::EventAttendee>,
    /// そこで受けた相談の件数（見られないものも数える）
    consultation_count: usize,
    /// そのうち利用者が見られる相談
    consultations: Vec<EventConsultation>,
}

#[derive(Serialize, ToSchema)]
struct EventConsultation {
    #[schema(value_type = RecordId)]
    id: i64,
    #[schema(value_type = RecordId)]
    person_id: i64,
    #[schema(value_type = String, format = Date)]
    received_on: chrono::NaiveDate,
}

#[utoipa::path(get, path = "/api/v1/events/{id}",
    responses((status = 200, body = EventAnswer)))]
async fn event(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
) -> Result<Json<EventAnswer>, ApiError> {
    // Every consultation counts; only those the user may see are listed.
    let record = state.app.event_record(&user.actor(), id).await?;
    let consultations = record
        .seen
        .iter()
        .map(|(c, _)| EventConsultation {
            id: c.id,
            person_id: c.person_id,
            received_on: c.received_on,
        })
        .collect();
    let e = record.event;
    Ok(Json(EventAnswer {
        id: e.row.id,
        kind: e.row.kind,
        kind_label: e.row.kind.label(),
        held_label: date_label(e.row.held_on),
        title: e.row.title,
        held_on: e.row.held_on,
        place: e.row.place,
        note: e.row.note,
        attendees: e.attendees,
        consultation_count: e.consultation_ids.len(),
        consultations,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = EventLinkInput)]
struct LinkInput {
    #[schema(value_type = tsunagaru_domain::openapi::RecordId)]
    consultation_id: i64,
}

/// A consultation linked to the event where it was taken.
#[derive(Serialize, ToSchema)]
struct EventLinked {
    #[schema(value_type = RecordId)]
    event_id: i64,
    #[schema(value_type = RecordId)]
    consultation_id: i64,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/consultations", request_body = LinkInput,
    responses((status = 201, body = EventLinked)))]
async fn link_consultation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Id(id): Id,
    input: Result<Json<LinkInput>, JsonRejection>,
) -> Result<(StatusCode, Json<EventLinked>), ApiError> {
    let input = body(input)?;
    state
        .app
        .link_consultation(&user.actor(), id, input.consultation_id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EventLinked {
            event_id: id,
            consultation_id: input.consultation_id,
        }),
    ))
}

/// The request side of these routes, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    targets,
    create_target,
    target,
    attempt,
    menus,
    create_menu,
    menu,
    host_support,
    create_match,
    participation_match,
    follow_up,
    resources,
    create_resource,
    resource,
    close_resource,
    hsds,
    events,
    create_event,
    event,
    link_consultation
))]
pub(super) struct Inputs;
