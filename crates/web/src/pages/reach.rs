//! アウトリーチ, 参加支援 and 地域づくり in the browser. Forms that fail come
//! back with what was typed and the messages beside the fields.

use super::cases::{Errors, errors_of, field, form_pairs};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{FormFailure, PageError};
use crate::id::Id;
use crate::pages::intake_form::choices;
use crate::pages::templates::{Choice, Nav};
use crate::views::download::resources_file_name;
use crate::views::intake::date_label;
use crate::views::reach::{
    self, FollowUpView, MenuView, ResourceView, TargetView, follow_up_views, menu_view,
    resource_view, target_view,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_app::participation::{HostSupportInput, MatchInput};
use tsunagaru_domain::intake::FieldError;
use tsunagaru_domain::reach::{
    AttemptInput, ContactOutcome, ContactWay, EventInput, EventKind, FollowUpInput, FollowUpKind,
    FoundVia, MenuInput, OutreachStage, ResourceClosingInput, ResourceInput, ResourceKind,
    TargetInput,
};

// ------------------------------------------------------------- outreach ----

#[derive(Template)]
#[template(path = "outreach.html")]
pub struct OutreachPage {
    pub nav: Nav,
    pub targets: Vec<TargetView>,
    pub alert_days: u32,
    pub found_via: Vec<Choice>,
    pub input: TargetInput,
    pub message: String,
    pub errors: Errors,
}

async fn render_outreach(
    state: &AppState,
    user: &CurrentUser,
    input: TargetInput,
    message: String,
    errors: &[FieldError],
) -> Result<String, PageError> {
    let targets = reach::target_list(state, user).await?;
    let page = OutreachPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        targets,
        alert_days: state.pack().outreach.no_contact_alert_days,
        found_via: choices(
            FoundVia::ALL,
            FoundVia::code,
            FoundVia::label,
            &[input.found_via.as_str()],
        ),
        input,
        message,
        errors: errors_of(errors),
    };
    Ok(page.render()?)
}

pub async fn outreach(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_outreach(&state, &user, TargetInput::default(), String::new(), &[]).await?,
    ))
}

pub async fn create_target(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = TargetInput {
        name: field(&p, "name"),
        kana: field(&p, "kana"),
        address: field(&p, "address"),
        description: field(&p, "description"),
        found_via: field(&p, "found_via"),
        found_via_detail: field(&p, "found_via_detail"),
        found_on: field(&p, "found_on"),
    };
    match state.app.create_target(&user.actor(), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/outreach/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let html = render_outreach(&state, &user, input, message, &fields).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "outreach_target.html")]
pub struct TargetPage {
    pub nav: Nav,
    pub t: TargetView,
    pub ways: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    pub stages: Vec<Choice>,
    pub input: AttemptInput,
    pub message: String,
    pub errors: Errors,
}

async fn render_target(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    input: AttemptInput,
    message: String,
    errors: &[FieldError],
) -> Result<String, PageError> {
    let (t, attempts) = state.app.target_record(&user.actor(), id).await?;
    let agencies = state.app.agencies().await?;
    // 相談につながった is reached only through the intake sheet.
    let stages: Vec<OutreachStage> = OutreachStage::ALL
        .iter()
        .copied()
        .filter(|s| *s != OutreachStage::Connected)
        .collect();
    let page = TargetPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        t: target_view(state, &t, &agencies, &attempts),
        ways: choices(
            ContactWay::ALL,
            ContactWay::code,
            ContactWay::label,
            &[input.way.as_str()],
        ),
        outcomes: choices(
            ContactOutcome::ALL,
            ContactOutcome::code,
            ContactOutcome::label,
            &[input.outcome.as_str()],
        ),
        stages: choices(
            &stages,
            OutreachStage::code,
            OutreachStage::label,
            &[input.stage.as_str()],
        ),
        input,
        message,
        errors: errors_of(errors),
    };
    Ok(page.render()?)
}

pub async fn target(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_target(
            &state,
            &user,
            id,
            AttemptInput::default(),
            String::new(),
            &[],
        )
        .await?,
    ))
}

pub async fn attempt(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = AttemptInput {
        on: field(&p, "on"),
        way: field(&p, "way"),
        who: field(&p, "who"),
        outcome: field(&p, "outcome"),
        note: field(&p, "note"),
        stage: field(&p, "stage"),
    };
    match state.app.add_attempt(&user.actor(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/outreach/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let html = render_target(&state, &user, id, input, message, &fields).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

// -------------------------------------------------------- participation ----

#[derive(Template)]
#[template(path = "participation.html")]
pub struct ParticipationPage {
    pub nav: Nav,
    pub menus: Vec<MenuView>,
    pub is_team: bool,
    pub input: MenuInput,
    pub message: String,
    pub errors: Errors,
}

async fn render_participation(
    state: &AppState,
    user: &CurrentUser,
    input: MenuInput,
    message: String,
    errors: &[FieldError],
) -> Result<String, PageError> {
    let today = state.today();
    let menus = state
        .app
        .menu_records(&user.actor())
        .await?
        .iter()
        .map(|r| menu_view(r, today))
        .collect();
    let page = ParticipationPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        menus,
        is_team: state.app.team_agency(&user.actor()).await?.is_some(),
        input,
        message,
        errors: errors_of(errors),
    };
    Ok(page.render()?)
}

pub async fn participation(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_participation(&state, &user, MenuInput::default(), String::new(), &[]).await?,
    ))
}

pub async fn create_menu(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = MenuInput {
        name: field(&p, "name"),
        description: field(&p, "description"),
        host: field(&p, "host"),
        place: field(&p, "place"),
        schedule: field(&p, "schedule"),
        capacity: field(&p, "capacity"),
        suits: field(&p, "suits"),
    };
    match state.app.create_menu(&user.actor(), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/participation/menus/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let html = render_participation(&state, &user, input, message, &fields).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "participation_menu.html")]
pub struct MenuPage {
    pub nav: Nav,
    pub m: MenuView,
    pub is_team: bool,
    pub supports: Vec<(String, String)>,
    pub support_on: String,
    pub support_note: String,
    pub message: String,
}

pub async fn menu(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_menu(
            &state,
            &user,
            id,
            HostSupportInput::default(),
            String::new(),
        )
        .await?,
    ))
}

async fn render_menu(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    input: HostSupportInput,
    message: String,
) -> Result<String, PageError> {
    let record = state.app.menu_record(&user.actor(), id).await?;
    let m = menu_view(&record, state.today());
    let is_team = state.app.team_agency(&user.actor()).await?.is_some();
    let supports = if is_team {
        record
            .host_supports
            .iter()
            .map(|h| (date_label(h.on_date), h.note.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let page = MenuPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        m,
        is_team,
        supports,
        support_on: input.on,
        support_note: input.note,
        message,
    };
    Ok(page.render()?)
}

pub async fn host_support(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = HostSupportInput {
        on: field(&p, "on"),
        note: field(&p, "note"),
    };
    match state.app.add_host_support(&user.actor(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/participation/menus/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status, message, ..
            } = FormFailure::of(e)?;
            let html = render_menu(&state, &user, id, input, message).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

/// つなぐ from the person page.
pub async fn create_match(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = MatchInput {
        menu_id: field(&p, "menu_id").parse().ok(),
        person_id: field(&p, "person_id").parse().ok(),
        case_id: field(&p, "case_id").parse().ok(),
        reasons: field(&p, "reasons"),
    };
    match state.app.create_match(&user.actor(), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/participation/matches/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status, message, ..
            } = FormFailure::of(e)?;
            // Back to the person page with the message and the reasons kept.
            let person = input.person_id.ok_or(PageError::NotFound)?;
            let html = crate::pages::persons::render_with_match_error(
                &state,
                &user,
                person,
                message,
                input.reasons.clone(),
                input.menu_id,
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "participation_match.html")]
pub struct MatchPage {
    pub nav: Nav,
    pub id: i64,
    pub menu_id: i64,
    pub menu: String,
    pub person_id: i64,
    pub person_name: String,
    pub matched_label: String,
    pub reasons: String,
    pub active: bool,
    pub next_label: String,
    pub due: bool,
    pub follow_ups: Vec<FollowUpView>,
    pub kinds: Vec<Choice>,
    pub input: FollowUpInput,
    pub message: String,
    pub errors: Errors,
}

async fn render_match(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    input: FollowUpInput,
    message: String,
    errors: &[FieldError],
) -> Result<String, PageError> {
    let tsunagaru_app::participation::MatchRecord {
        matched: m,
        person,
        menu,
        follow_ups,
    } = state.app.match_record(&user.actor(), id).await?;
    let page = MatchPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        id,
        menu_id: m.menu_id,
        menu: menu.map(|m| m.name).unwrap_or_default(),
        person_id: m.person_id,
        person_name: person.name,
        matched_label: date_label(m.matched_on),
        reasons: m.reasons.clone(),
        active: m.state == tsunagaru_domain::reach::MatchState::Active,
        next_label: m.next_follow_up_on.map(date_label).unwrap_or_default(),
        due: m.state == tsunagaru_domain::reach::MatchState::Active
            && tsunagaru_domain::reach::follow_up_due(m.next_follow_up_on, state.today()),
        follow_ups: follow_up_views(&follow_ups),
        kinds: choices(
            FollowUpKind::ALL,
            FollowUpKind::code,
            FollowUpKind::label,
            &[input.kind.as_str()],
        ),
        input,
        message,
        errors: errors_of(errors),
    };
    Ok(page.render()?)
}

pub async fn participation_match(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_match(
            &state,
            &user,
            id,
            FollowUpInput::default(),
            String::new(),
            &[],
        )
        .await?,
    ))
}

pub async fn follow_up(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = FollowUpInput {
        on: field(&p, "on"),
        kind: field(&p, "kind"),
        note: field(&p, "note"),
        next_on: field(&p, "next_on"),
    };
    match state.app.add_follow_up(&user.actor(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/participation/matches/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let html = render_match(&state, &user, id, input, message, &fields).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

// ------------------------------------------------------ community building --

#[derive(Template)]
#[template(path = "resources.html")]
pub struct ResourcesPage {
    pub nav: Nav,
    pub resources: Vec<ResourceView>,
    pub kinds: Vec<Choice>,
    pub input: ResourceInput,
    pub message: String,
    pub errors: Errors,
    /// The 廃止 form that failed: which 拠点, what was typed, why.
    pub closing_id: i64,
    pub closing: ResourceClosingInput,
    pub closing_message: String,
    pub closing_errors: Errors,
    /// After an action.
    pub notice: String,
}

/// A failed 廃止 form, shown again on its row.
#[derive(Default)]
struct FailedClosing {
    id: i64,
    input: ResourceClosingInput,
    message: String,
    errors: Vec<FieldError>,
}

async fn render_resources(
    state: &AppState,
    user: &CurrentUser,
    input: ResourceInput,
    message: String,
    errors: &[FieldError],
    closing: FailedClosing,
    notice: String,
) -> Result<String, PageError> {
    let resources = state
        .app
        .resources()
        .await?
        .iter()
        .filter(|r| r.active)
        .map(|r| resource_view(state, r))
        .collect();
    let page = ResourcesPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        resources,
        kinds: choices(
            ResourceKind::ALL,
            ResourceKind::code,
            ResourceKind::label,
            &[input.kind.as_str()],
        ),
        input,
        message,
        errors: errors_of(errors),
        closing_id: closing.id,
        closing: closing.input,
        closing_message: closing.message,
        closing_errors: errors_of(&closing.errors),
        notice,
    };
    Ok(page.render()?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResourcesQuery {
    closed: String,
}

pub async fn resources(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<ResourcesQuery>,
) -> Result<Html<String>, PageError> {
    // `?closed=<id>` after a 廃止: the notice names the 拠点 as stored.
    let notice = match q.closed.trim().parse::<i64>() {
        Ok(id) => match state.app.resource(id).await {
            Ok(r) if r.closed_on.is_some() => format!("「{}」を廃止として記録しました", r.name),
            _ => String::new(),
        },
        Err(_) => String::new(),
    };
    Ok(Html(
        render_resources(
            &state,
            &user,
            ResourceInput::default(),
            String::new(),
            &[],
            FailedClosing::default(),
            notice,
        )
        .await?,
    ))
}

/// 廃止 of a registered 拠点 from its row.
pub async fn close_resource(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = ResourceClosingInput {
        closed_on: field(&p, "closed_on"),
        reason: field(&p, "reason"),
    };
    match state.app.close_resource(&user.actor(), id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/resources?closed={id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let closing = FailedClosing {
                id,
                input,
                message,
                errors: fields,
            };
            let html = render_resources(
                &state,
                &user,
                ResourceInput::default(),
                String::new(),
                &[],
                closing,
                String::new(),
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

pub async fn create_resource(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = ResourceInput {
        name: field(&p, "name"),
        kind: field(&p, "kind"),
        description: field(&p, "description"),
        address: field(&p, "address"),
        schedule: field(&p, "schedule"),
        operator: field(&p, "operator"),
        audience: field(&p, "audience"),
        phone: field(&p, "phone"),
        email: field(&p, "email"),
        opened_on: field(&p, "opened_on"),
    };
    match state.app.create_resource(&user.actor(), &input).await {
        Ok(_) => Ok(Redirect::to("/resources").into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let html = render_resources(
                &state,
                &user,
                input,
                message,
                &fields,
                FailedClosing::default(),
                String::new(),
            )
            .await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

pub async fn export_csv(
    State(state): State<AppState>,
    WebUser(_user): WebUser,
) -> Result<Response, PageError> {
    let body = crate::views::hsds::csv(&state)
        .await
        .map_err(PageError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                resources_file_name(&state, "地域資源", "community_resources", "csv"),
            ),
        ],
        body,
    )
        .into_response())
}

pub async fn export_hsds(
    State(state): State<AppState>,
    WebUser(_user): WebUser,
) -> Result<Response, PageError> {
    let body = crate::views::hsds::export(&state)
        .await
        .map_err(PageError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                resources_file_name(&state, "地域資源_HSDS", "community_resources_hsds", "json"),
            ),
        ],
        serde_json::to_string_pretty(&body).unwrap_or_default(),
    )
        .into_response())
}

pub struct EventRowView {
    pub id: i64,
    pub held_label: String,
    pub kind_label: String,
    pub title: String,
    pub place: String,
    pub consultations: usize,
}

pub struct MemberChoice {
    pub position: i64,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "events.html")]
pub struct EventsPage {
    pub nav: Nav,
    pub events: Vec<EventRowView>,
    pub kinds: Vec<Choice>,
    pub members: Vec<MemberChoice>,
    pub input: EventInput,
    pub message: String,
    pub errors: Errors,
}

async fn render_events(
    state: &AppState,
    user: &CurrentUser,
    input: EventInput,
    message: String,
    errors: &[FieldError],
) -> Result<String, PageError> {
    let mut events = Vec::new();
    for e in state.app.events().await? {
        events.push(EventRowView {
            id: e.id,
            held_label: date_label(e.held_on),
            kind_label: e.kind.label().to_owned(),
            title: e.title,
            place: e.place,
            consultations: usize::try_from(e.consultation_count).unwrap_or_default(),
        });
    }
    let members = state
        .app
        .network_members()
        .await?
        .into_iter()
        .map(|m| MemberChoice {
            position: m.position,
            label: format!("{}（{}）", m.organization, m.field),
            checked: input.attendee_positions.contains(&m.position),
        })
        .collect();
    let page = EventsPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        events,
        kinds: choices(
            EventKind::ALL,
            EventKind::code,
            EventKind::label,
            &[input.kind.as_str()],
        ),
        members,
        input,
        message,
        errors: errors_of(errors),
    };
    Ok(page.render()?)
}

pub async fn events(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_events(&state, &user, EventInput::default(), String::new(), &[]).await?,
    ))
}

pub async fn create_event(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let input = EventInput {
        kind: field(&p, "kind"),
        title: field(&p, "title"),
        held_on: field(&p, "held_on"),
        place: field(&p, "place"),
        note: field(&p, "note"),
        attendee_positions: p
            .iter()
            .filter(|(k, _)| k == "attendee_positions")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        participants: serde_json::Value::String(field(&p, "participants")),
    };
    match state.app.create_event(&user.actor(), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/events/{id}")).into_response()),
        Err(e) => {
            let FormFailure {
                status,
                message,
                fields,
            } = FormFailure::of(e)?;
            let html = render_events(&state, &user, input, message, &fields).await?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "event.html")]
pub struct EventPage {
    pub nav: Nav,
    pub kind_label: String,
    pub title: String,
    pub held_label: String,
    pub place: String,
    pub note: String,
    pub attendees: Vec<String>,
    pub consultation_count: usize,
    /// (person id, name, received) of the consultations the user may see.
    pub consultations: Vec<(i64, String, String)>,
}

pub async fn event(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    let record = state.app.event_record(&user.actor(), id).await?;
    let consultations = record
        .seen
        .into_iter()
        .map(|(c, p)| (p.id, p.name, date_label(c.received_on)))
        .collect();
    let e = record.event;
    let page = EventPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        kind_label: e.row.kind.label().to_owned(),
        title: e.row.title,
        held_label: date_label(e.row.held_on),
        place: e.row.place,
        note: e.row.note,
        attendees: e.attendees.into_iter().map(|a| a.organization).collect(),
        consultation_count: e.consultation_ids.len(),
        consultations,
    };
    Ok(Html(page.render()?))
}
