//! アウトリーチ, 参加支援 and 地域づくり as both the API and the pages use them:
//! who sees what, the checks, and the views (labels, 和暦).
//!
//! Outreach targets and participation records are personal data: a target is
//! seen by its agency and the 事務局, a participant by whoever may see the
//! person; anything else answers 404. Menus, community resources and events
//! are the directory: every signed-in user reads them.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::cases::{conflict, team_agency};
use crate::error::ApiError;
use crate::intake::{date_label, visible_person};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::intake::FieldError;
use tsunagaru_domain::reach::{
    AttemptInput, ContactOutcome, ContactWay, EventInput, EventKind, FollowUpInput, FollowUpKind,
    FoundVia, MenuInput, OutreachStage, ResourceInput, ResourceKind, TargetInput, capacity_left,
    check_match, contact_overdue, follow_up_due,
};
use tsunagaru_store::{
    CommunityResource, NewAttempt, NewEvent, NewFollowUp, NewMatch, NewMenu, NewResource,
    NewTarget, OutreachAttempt, OutreachTarget, ParticipationMatch, ParticipationMenu,
};

fn label<T: Copy>(
    code: &str,
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> String {
    parse(code).map(label).unwrap_or(code).to_owned()
}

// ------------------------------------------------------------- outreach ----

/// The agency a user works outreach for: their first agency.
fn outreach_agency(user: &CurrentUser) -> Result<i64, ApiError> {
    if !user.role().works_with_persons() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "この役割ではアウトリーチの記録はできません",
        ));
    }
    user.user.agency_ids.first().copied().ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "所属機関がないためアウトリーチの記録はできません",
        )
    })
}

/// A target the user may see: their agency works it, or they are the 事務局.
pub async fn visible_target(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<OutreachTarget>, ApiError> {
    if !user.role().works_with_persons() {
        return Ok(None);
    }
    let Some(target) = state.repo.target(id).await? else {
        return Ok(None);
    };
    if user.user.agency_ids.contains(&target.agency_id) || team_agency(state, user).await?.is_some()
    {
        Ok(Some(target))
    } else {
        Ok(None)
    }
}

/// The agencies whose targets the user sees.
async fn target_agencies(state: &AppState, user: &CurrentUser) -> Result<Vec<i64>, ApiError> {
    if !user.role().works_with_persons() {
        return Ok(Vec::new());
    }
    if team_agency(state, user).await?.is_some() {
        return Ok(state.repo.agencies().await?.iter().map(|a| a.id).collect());
    }
    Ok(user.user.agency_ids.clone())
}

pub async fn create_target(
    state: &AppState,
    user: &CurrentUser,
    input: &TargetInput,
) -> Result<i64, ApiError> {
    let agency_id = outreach_agency(user)?;
    let target = input.parse().map_err(ApiError::fields)?;
    let town = crate::routes::persons_api::town_of(state, None, target.address.as_deref());
    let id = state
        .repo
        .create_target(
            &NewTarget {
                agency_id,
                name: target.name,
                kana: target.kana,
                address: target.address,
                town,
                description: target.description,
                found_via: target.found_via.code().into(),
                found_via_detail: target.found_via_detail,
                created_by: user.user.id,
                created_on: state.today(),
            },
            user.audit(AuditAction::OutreachRecorded)
                .detail("対象者の登録"),
        )
        .await?;
    Ok(id)
}

pub async fn add_attempt(
    state: &AppState,
    user: &CurrentUser,
    target_id: i64,
    input: &AttemptInput,
) -> Result<OutreachTarget, ApiError> {
    let target = visible_target(state, user, target_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let current = OutreachStage::parse(&target.stage).unwrap_or(OutreachStage::Identified);
    let attempt = input
        .parse(current, state.today())
        .map_err(ApiError::fields)?;
    state
        .repo
        .add_attempt(
            &NewAttempt {
                target_id,
                from_stage: current.code().into(),
                on_date: attempt.on,
                way: attempt.way.code().into(),
                who: attempt.who,
                outcome: attempt.outcome.code().into(),
                note: attempt.note,
                stage: attempt.stage.code().into(),
                user_id: user.user.id,
            },
            user.audit(AuditAction::OutreachRecorded)
                .detail("接触の記録"),
        )
        .await
        .map_err(conflict)
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub id: i64,
    pub on_date: NaiveDate,
    pub on_label: String,
    pub way: String,
    pub way_label: String,
    pub who: String,
    pub outcome: String,
    pub outcome_label: String,
    pub note: String,
    pub stage_label: String,
}

impl AttemptView {
    pub fn of(a: &OutreachAttempt) -> AttemptView {
        AttemptView {
            id: a.id,
            on_date: a.on_date,
            on_label: date_label(a.on_date),
            way: a.way.clone(),
            way_label: label(&a.way, ContactWay::parse, ContactWay::label),
            who: a.who.clone(),
            outcome: a.outcome.clone(),
            outcome_label: label(&a.outcome, ContactOutcome::parse, ContactOutcome::label),
            note: a.note.clone(),
            stage_label: label(&a.stage, OutreachStage::parse, OutreachStage::label),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub id: i64,
    pub agency_id: i64,
    pub agency: String,
    /// The name, or what identifies the target while the name is unknown.
    pub display_name: String,
    pub name: Option<String>,
    pub kana: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    pub description: String,
    pub found_via: String,
    pub found_via_label: String,
    pub found_via_detail: Option<String>,
    pub stage: String,
    pub stage_label: String,
    pub open: bool,
    pub created_on: NaiveDate,
    pub created_label: String,
    pub last_contact_on: Option<NaiveDate>,
    pub last_contact_label: String,
    pub attempt_count: usize,
    /// No contact for longer than the pack allows.
    pub no_contact_alert: bool,
    pub consultation_id: Option<i64>,
    pub person_id: Option<i64>,
    pub attempts: Vec<AttemptView>,
}

pub fn target_view(
    state: &AppState,
    t: &OutreachTarget,
    agencies: &[tsunagaru_store::Agency],
    attempts: &[OutreachAttempt],
) -> TargetView {
    let stage = OutreachStage::parse(&t.stage);
    let open = stage.is_some_and(OutreachStage::is_open);
    TargetView {
        id: t.id,
        agency_id: t.agency_id,
        agency: agencies
            .iter()
            .find(|a| a.id == t.agency_id)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        display_name: t.name.clone().unwrap_or_else(|| {
            format!(
                "氏名不明（{}）",
                t.address
                    .clone()
                    .unwrap_or_else(|| t.description.chars().take(20).collect())
            )
        }),
        name: t.name.clone(),
        kana: t.kana.clone(),
        address: t.address.clone(),
        town: t.town.clone(),
        description: t.description.clone(),
        found_via: t.found_via.clone(),
        found_via_label: label(&t.found_via, FoundVia::parse, FoundVia::label),
        found_via_detail: t.found_via_detail.clone(),
        stage: t.stage.clone(),
        stage_label: stage.map(OutreachStage::label).unwrap_or("").to_owned(),
        open,
        created_on: t.created_on,
        created_label: date_label(t.created_on),
        last_contact_on: t.last_contact_on,
        last_contact_label: t
            .last_contact_on
            .map(date_label)
            .unwrap_or_else(|| "未接触".into()),
        attempt_count: usize::try_from(t.attempt_count).unwrap_or_default(),
        no_contact_alert: open
            && contact_overdue(
                t.last_touch(),
                state.today(),
                state.pack.outreach.no_contact_alert_days,
            ),
        consultation_id: t.consultation_id,
        person_id: t.person_id,
        attempts: attempts.iter().map(AttemptView::of).collect(),
    }
}

/// The targets the user sees, those without contact for too long first.
pub async fn target_list(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<TargetView>, ApiError> {
    let agencies_seen = target_agencies(state, user).await?;
    let targets = state.repo.targets_of(&agencies_seen).await?;
    let agencies = state.repo.agencies().await?;
    let mut views = Vec::with_capacity(targets.len());
    for t in &targets {
        // The list counts attempts (read with the targets); it does not show them.
        views.push(target_view(state, t, &agencies, &[]));
    }
    views.sort_by_key(|v| (!v.no_contact_alert, !v.open));
    state
        .repo
        .append_audit(
            user.audit(AuditAction::OutreachViewed)
                .detail(format!("一覧 {} 件", views.len())),
        )
        .await?;
    Ok(views)
}

/// For the home page: how many targets the user sees have had no contact for
/// too long, and how many of their agencies' participants are due a follow-up.
/// Counts only, no personal data.
pub async fn home_counts(state: &AppState, user: &CurrentUser) -> Result<(usize, usize), ApiError> {
    let today = state.today();
    let days = state.pack.outreach.no_contact_alert_days;
    let agencies = target_agencies(state, user).await?;
    let alerts = state
        .repo
        .targets_of(&agencies)
        .await?
        .iter()
        .filter(|t| {
            OutreachStage::parse(&t.stage).is_some_and(OutreachStage::is_open)
                && contact_overdue(t.last_touch(), today, days)
        })
        .count();
    let due = if user.role().works_with_persons() {
        state
            .repo
            .active_matches_of(&user.user.agency_ids)
            .await?
            .iter()
            .filter(|m| follow_up_due(m.next_follow_up_on, today))
            .count()
    } else {
        0
    };
    Ok((alerts, due))
}

/// The intake sheet pre-filled from an open target (nothing retyped).
pub fn intake_from_target(
    t: &OutreachTarget,
    attempts: &[OutreachAttempt],
) -> tsunagaru_domain::intake::IntakeInput {
    let mut input = tsunagaru_domain::intake::IntakeInput {
        method: "home_visit".into(),
        ..Default::default()
    };
    input.person.name = t.name.clone().unwrap_or_default();
    input.person.kana = t.kana.clone().unwrap_or_default();
    input.person.address.line = t.address.clone().unwrap_or_default();
    let mut situation = format!(
        "【アウトリーチで把握】{}（把握の経路: {}{}）",
        t.description,
        label(&t.found_via, FoundVia::parse, FoundVia::label),
        t.found_via_detail
            .as_deref()
            .map(|d| format!("・{d}"))
            .unwrap_or_default()
    );
    for a in attempts {
        situation.push_str(&format!(
            "\n{} {} {}: {}{}",
            tsunagaru_domain::era::EraDate::from_date(a.on_date).short(),
            label(&a.way, ContactWay::parse, ContactWay::label),
            a.who,
            label(&a.outcome, ContactOutcome::parse, ContactOutcome::label),
            if a.note.is_empty() {
                String::new()
            } else {
                format!("（{}）", a.note)
            }
        ));
    }
    input.situation = situation;
    input
}

/// Checks that a consultation may connect this target: seen by the user and open.
pub async fn connectable_target(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<OutreachTarget, ApiError> {
    let target = visible_target(state, user, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !OutreachStage::parse(&target.stage).is_some_and(OutreachStage::is_open) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "このアウトリーチ対象者は、すでに相談につながったか終了しています",
        ));
    }
    Ok(target)
}

// -------------------------------------------------------- participation ----

/// Who may add menus and record support for hosts: the 事務局.
async fn require_team(state: &AppState, user: &CurrentUser, what: &str) -> Result<i64, ApiError> {
    team_agency(state, user).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            format!("{what}は事務局（まるごとよりそいネットワーク）の職員が行います"),
        )
    })
}

pub async fn create_menu(
    state: &AppState,
    user: &CurrentUser,
    input: &MenuInput,
) -> Result<i64, ApiError> {
    require_team(state, user, "支援メニューの登録").await?;
    let menu = input.parse().map_err(ApiError::fields)?;
    Ok(state
        .repo
        .create_menu(
            &NewMenu {
                name: menu.name,
                description: menu.description,
                host: menu.host,
                place: menu.place,
                schedule: menu.schedule,
                capacity: menu.capacity.map(i64::from),
                suits: menu.suits,
                created_by: user.user.id,
            },
            user.audit(AuditAction::ParticipationRecorded)
                .detail("支援メニューの登録"),
        )
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MatchInput {
    pub menu_id: Option<i64>,
    pub person_id: Option<i64>,
    pub case_id: Option<i64>,
    pub reasons: String,
}

/// Matches a person the user may see to a menu, with the reasons.
pub async fn create_match(
    state: &AppState,
    user: &CurrentUser,
    input: &MatchInput,
) -> Result<i64, ApiError> {
    let person_id = input.person_id.ok_or_else(|| {
        ApiError::fields(vec![FieldError {
            field: "person_id".into(),
            message: "つなぐ人を選んでください".into(),
        }])
    })?;
    visible_person(state, user, person_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let agency_id = *user
        .user
        .agency_ids
        .first()
        .ok_or_else(ApiError::forbidden)?;
    let menu = match input.menu_id {
        Some(id) => state.repo.menu(id).await?.filter(|m| m.active),
        None => None,
    }
    .ok_or_else(|| {
        ApiError::fields(vec![FieldError {
            field: "menu_id".into(),
            message: "支援メニューを選んでください".into(),
        }])
    })?;
    if let Some(case_id) = input.case_id {
        let case = crate::cases::visible_case(state, user, case_id)
            .await?
            .filter(|c| c.person_id == person_id);
        if case.is_none() {
            return Err(ApiError::fields(vec![FieldError {
                field: "case_id".into(),
                message: "この人のケースではありません".into(),
            }]));
        }
    }
    let active = state
        .repo
        .matches_of_menu(menu.id)
        .await?
        .iter()
        .filter(|m| m.state == "active")
        .count();
    let capacity = menu.capacity.and_then(|c| u32::try_from(c).ok());
    let reasons =
        check_match(&input.reasons, capacity, active).map_err(|e| ApiError::fields(vec![e]))?;
    let today = state.today();
    state
        .repo
        .create_match(
            &NewMatch {
                menu_id: menu.id,
                person_id,
                case_id: input.case_id,
                agency_id,
                reasons,
                matched_on: today,
                matched_by: user.user.id,
                next_follow_up_on: today.checked_add_days(chrono::Days::new(u64::from(
                    state.pack.outreach.follow_up_every_days,
                ))),
            },
            user.audit(AuditAction::ParticipationRecorded)
                .detail(format!("支援メニュー ID {} につなぐ", menu.id)),
        )
        .await
        .map_err(conflict)
}

/// A match the user may see: they may see its person.
pub async fn visible_match(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<ParticipationMatch>, ApiError> {
    let Some(m) = state.repo.participation_match(id).await? else {
        return Ok(None);
    };
    Ok(visible_person(state, user, m.person_id).await?.map(|_| m))
}

pub async fn add_follow_up(
    state: &AppState,
    user: &CurrentUser,
    match_id: i64,
    input: &FollowUpInput,
) -> Result<i64, ApiError> {
    let m = visible_match(state, user, match_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut f = input.parse(state.today()).map_err(ApiError::fields)?;
    // Without a date for the next one, the pack's interval proposes it.
    if f.next_on.is_none() && f.kind != FollowUpKind::Ended {
        f.next_on = f.on.checked_add_days(chrono::Days::new(u64::from(
            state.pack.outreach.follow_up_every_days,
        )));
    }
    state
        .repo
        .add_follow_up(
            &NewFollowUp {
                match_id: m.id,
                on_date: f.on,
                kind: f.kind.code().into(),
                note: f.note,
                next_on: f.next_on,
                user_id: user.user.id,
            },
            user.audit(AuditAction::ParticipationRecorded)
                .detail("定着支援の記録"),
        )
        .await
        .map_err(conflict)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HostSupportInput {
    pub on: String,
    pub note: String,
}

pub async fn add_host_support(
    state: &AppState,
    user: &CurrentUser,
    menu_id: i64,
    input: &HostSupportInput,
) -> Result<i64, ApiError> {
    require_team(state, user, "受け入れ先への支援の記録").await?;
    state
        .repo
        .menu(menu_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut problems = Vec::new();
    let on = tsunagaru_domain::era::EraDate::parse_happened(&input.on, state.today(), "日付")
        .map_err(|message| {
            problems.push(FieldError {
                field: "on".into(),
                message,
            })
        })
        .ok();
    if input.note.trim().is_empty() {
        problems.push(FieldError {
            field: "note".into(),
            message: "受け入れ先への支援の内容を書いてください".into(),
        });
    }
    let Some(on) = on.filter(|_| problems.is_empty()) else {
        return Err(ApiError::fields(problems));
    };
    Ok(state
        .repo
        .add_host_support(
            menu_id,
            on,
            input.note.trim(),
            user.user.id,
            user.audit(AuditAction::ParticipationRecorded)
                .detail("受け入れ先への支援"),
        )
        .await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantView {
    pub match_id: i64,
    pub person_id: i64,
    pub name: String,
    pub matched_label: String,
    pub reasons: String,
    pub state: String,
    pub next_follow_up_on: Option<NaiveDate>,
    pub next_follow_up_label: String,
    pub follow_up_due: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MenuView {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub description: String,
    pub host: String,
    pub place: String,
    pub schedule: String,
    pub capacity: Option<i64>,
    pub suits: String,
    pub source: String,
    /// Active participants, all of them (counted whether or not the user may see them).
    pub participants: usize,
    pub capacity_left: Option<i64>,
    pub follow_ups_due: usize,
    /// The participants the user may see.
    pub visible_participants: Vec<ParticipantView>,
}

/// A menu with its participants: counts for everyone, names only of the
/// persons the user may see.
pub async fn menu_view(
    state: &AppState,
    user: &CurrentUser,
    menu: &ParticipationMenu,
) -> Result<MenuView, ApiError> {
    let matches = state.repo.matches_of_menu(menu.id).await?;
    let today = state.today();
    let active: Vec<&ParticipationMatch> = matches.iter().filter(|m| m.state == "active").collect();
    let mut visible = Vec::new();
    for m in &matches {
        if let Some(p) = visible_person(state, user, m.person_id).await? {
            visible.push(ParticipantView {
                match_id: m.id,
                person_id: m.person_id,
                name: p.name,
                matched_label: date_label(m.matched_on),
                reasons: m.reasons.clone(),
                state: m.state.clone(),
                next_follow_up_on: m.next_follow_up_on,
                next_follow_up_label: m.next_follow_up_on.map(date_label).unwrap_or_default(),
                follow_up_due: m.state == "active" && follow_up_due(m.next_follow_up_on, today),
            });
        }
    }
    Ok(MenuView {
        id: menu.id,
        key: menu.key.clone(),
        name: menu.name.clone(),
        description: menu.description.clone(),
        host: menu.host.clone(),
        place: menu.place.clone(),
        schedule: menu.schedule.clone(),
        capacity: menu.capacity,
        suits: menu.suits.clone(),
        source: menu.source.clone(),
        participants: active.len(),
        capacity_left: capacity_left(
            menu.capacity.and_then(|c| u32::try_from(c).ok()),
            active.len(),
        ),
        follow_ups_due: active
            .iter()
            .filter(|m| follow_up_due(m.next_follow_up_on, today))
            .count(),
        visible_participants: visible,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowUpView {
    pub on_label: String,
    pub kind: String,
    pub kind_label: String,
    pub note: String,
    pub next_label: String,
}

pub fn follow_up_views(records: &[tsunagaru_store::FollowUpRecord]) -> Vec<FollowUpView> {
    records
        .iter()
        .map(|f| FollowUpView {
            on_label: date_label(f.on_date),
            kind: f.kind.clone(),
            kind_label: label(&f.kind, FollowUpKind::parse, FollowUpKind::label),
            note: f.note.clone(),
            next_label: f.next_on.map(date_label).unwrap_or_default(),
        })
        .collect()
}

// ------------------------------------------------------ community building --

pub async fn create_resource(
    state: &AppState,
    user: &CurrentUser,
    input: &ResourceInput,
) -> Result<i64, ApiError> {
    if !user.role().works_with_persons() && user.role() != tsunagaru_domain::Role::Admin {
        return Err(ApiError::forbidden());
    }
    let r = input.parse().map_err(ApiError::fields)?;
    Ok(state
        .repo
        .create_resource(
            &NewResource {
                name: r.name,
                kind: r.kind.code().into(),
                description: r.description,
                address: r.address,
                schedule: r.schedule,
                operator: r.operator,
                audience: r.audience,
                phone: r.phone,
                email: r.email,
                created_by: user.user.id,
            },
            user.audit(AuditAction::CommunityRecorded)
                .detail("地域資源の登録"),
        )
        .await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceView {
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub description: String,
    pub address: Option<String>,
    /// The 担当地区 the address falls in (地域包括支援センター), from the router.
    pub catchment: Option<String>,
    pub schedule: String,
    pub operator: String,
    pub audience: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub source: String,
}

pub fn resource_view(state: &AppState, r: &CommunityResource) -> ResourceView {
    let catchment = r.address.as_deref().and_then(|a| {
        let line = if a.contains("盛岡市") {
            a.to_owned()
        } else {
            format!("盛岡市{a}")
        };
        state.address.route(&line).center
    });
    ResourceView {
        id: r.id,
        key: r.key.clone(),
        name: r.name.clone(),
        kind: r.kind.clone(),
        kind_label: label(&r.kind, ResourceKind::parse, ResourceKind::label),
        description: r.description.clone(),
        address: r.address.clone(),
        catchment,
        schedule: r.schedule.clone(),
        operator: r.operator.clone(),
        audience: r.audience.clone(),
        phone: r.phone.clone(),
        email: r.email.clone(),
        source: r.source.clone(),
    }
}

pub async fn create_event(
    state: &AppState,
    user: &CurrentUser,
    input: &EventInput,
) -> Result<i64, ApiError> {
    if !user.role().works_with_persons() {
        return Err(ApiError::forbidden());
    }
    let e = input.parse().map_err(ApiError::fields)?;
    let members = state.repo.network_members().await?;
    let mut attendees = Vec::new();
    for position in &e.attendee_positions {
        match members.iter().find(|m| m.position == *position) {
            Some(m) => attendees.push((*position, m.organization.clone())),
            None => {
                return Err(ApiError::fields(vec![FieldError {
                    field: "attendee_positions".into(),
                    message: format!("推進員の番号 {position} はありません"),
                }]));
            }
        }
    }
    Ok(state
        .repo
        .create_event(
            &NewEvent {
                kind: e.kind.code().into(),
                title: e.title,
                held_on: e.held_on,
                place: e.place,
                note: e.note,
                attendees,
                created_by: user.user.id,
            },
            user.audit(AuditAction::CommunityRecorded)
                .detail("行事の登録"),
        )
        .await?)
}

/// Links a consultation the event produced (the user must see its person).
pub async fn link_consultation(
    state: &AppState,
    user: &CurrentUser,
    event_id: i64,
    consultation_id: i64,
) -> Result<(), ApiError> {
    state
        .repo
        .event(event_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let consultation = state
        .repo
        .consultation(consultation_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    visible_person(state, user, consultation.person_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    state
        .repo
        .link_event_consultation(
            event_id,
            consultation_id,
            user.user.id,
            user.audit(AuditAction::CommunityRecorded)
                .detail(format!("相談 ID {consultation_id} を結びつけ")),
        )
        .await
        .map_err(conflict)
}

pub fn event_kind_label(code: &str) -> String {
    label(code, EventKind::parse, EventKind::label)
}
