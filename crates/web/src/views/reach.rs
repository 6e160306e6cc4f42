//! The views of アウトリーチ, 参加支援 and 地域づくり that the API and the pages
//! share (labels, 和暦). Who sees what is decided in the application layer
//! (`tsunagaru_app::{outreach, participation, community}`); these functions
//! only shape what it returned.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::views::intake::date_label;
use chrono::NaiveDate;
use serde::Serialize;
use tsunagaru_app::participation::MenuRecord;
use tsunagaru_domain::openapi::{RecordId, codes};
use tsunagaru_domain::reach::{
    ContactOutcome, ContactWay, FollowUpKind, FoundVia, MatchState, OutreachStage, ResourceKind,
    capacity_left, contact_overdue, follow_up_due,
};
use tsunagaru_store::{CommunityResource, OutreachAttempt, OutreachTarget, ParticipationMatch};
use utoipa::ToSchema;

/// One attempt to reach an アウトリーチ target.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OutreachAttempt)]
pub struct AttemptView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(value_type = String, format = Date)]
    pub on_date: NaiveDate,
    pub on_label: String,
    #[schema(schema_with = codes::<ContactWay>)]
    pub way: String,
    pub way_label: String,
    /// 誰が（職員・民生委員など）
    pub who: String,
    #[schema(schema_with = codes::<ContactOutcome>)]
    pub outcome: String,
    pub outcome_label: String,
    pub note: String,
    /// その後の段階
    pub stage_label: String,
}

impl AttemptView {
    pub fn of(a: &OutreachAttempt) -> AttemptView {
        AttemptView {
            id: a.id,
            on_date: a.on_date,
            on_label: date_label(a.on_date),
            way: a.way.code().to_owned(),
            way_label: a.way.label().to_owned(),
            who: a.who.clone(),
            outcome: a.outcome.code().to_owned(),
            outcome_label: a.outcome.label().to_owned(),
            note: a.note.clone(),
            stage_label: a.stage.label().to_owned(),
        }
    }
}

/// An アウトリーチ target: someone not (yet) consulting, and the attempts
/// to reach them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OutreachTarget)]
pub struct TargetView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    /// 担当機関
    #[schema(value_type = RecordId)]
    pub agency_id: i64,
    pub agency: String,
    /// 氏名、または氏名不明のあいだ対象を見分ける言葉
    pub display_name: String,
    pub name: Option<String>,
    pub kana: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    /// 状況
    pub description: String,
    #[schema(schema_with = codes::<FoundVia>)]
    pub found_via: String,
    pub found_via_label: String,
    pub found_via_detail: Option<String>,
    #[schema(schema_with = codes::<OutreachStage>)]
    pub stage: String,
    pub stage_label: String,
    pub open: bool,
    #[schema(value_type = String, format = Date)]
    pub created_on: NaiveDate,
    pub created_label: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_contact_on: Option<NaiveDate>,
    pub last_contact_label: String,
    pub attempt_count: usize,
    /// 接触のない日数が市の定める日数を超えた
    pub no_contact_alert: bool,
    /// つながった相談
    #[schema(value_type = Option<RecordId>)]
    pub consultation_id: Option<i64>,
    #[schema(value_type = Option<RecordId>)]
    pub person_id: Option<i64>,
    /// 接触の記録（一覧では空）
    pub attempts: Vec<AttemptView>,
}

pub fn target_view(
    state: &AppState,
    t: &OutreachTarget,
    agencies: &[tsunagaru_store::Agency],
    attempts: &[OutreachAttempt],
) -> TargetView {
    let stage = t.stage;
    let open = stage.is_open();
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
        found_via: t.found_via.code().to_owned(),
        found_via_label: t.found_via.label().to_owned(),
        found_via_detail: t.found_via_detail.clone(),
        stage: t.stage.code().to_owned(),
        stage_label: stage.label().to_owned(),
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
                state.pack().outreach.no_contact_alert_days,
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
) -> Result<Vec<TargetView>, tsunagaru_app::AppError> {
    let targets = state.app.targets_seen(&user.actor()).await?;
    let agencies = state.app.agencies().await?;
    // The list counts attempts (read with the targets); it does not show them.
    let mut views: Vec<TargetView> = targets
        .iter()
        .map(|t| target_view(state, t, &agencies, &[]))
        .collect();
    views.sort_by_key(|v| (!v.no_contact_alert, !v.open));
    Ok(views)
}

/// A participant of a 支援メニュー whom the reader may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Participant)]
pub struct ParticipantView {
    #[schema(value_type = RecordId)]
    pub match_id: i64,
    #[schema(value_type = RecordId)]
    pub person_id: i64,
    pub name: String,
    pub matched_label: String,
    pub reasons: String,
    #[schema(schema_with = codes::<MatchState>)]
    pub state: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_follow_up_on: Option<NaiveDate>,
    pub next_follow_up_label: String,
    pub follow_up_due: bool,
}

/// A 参加支援 menu: counts for everyone, names only of those the reader may
/// see.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ParticipationMenu)]
pub struct MenuView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    /// 資源パックのキー（市が登録したものは null）
    pub key: Option<String>,
    pub name: String,
    pub description: String,
    pub host: String,
    pub place: String,
    pub schedule: String,
    #[schema(minimum = 0)]
    pub capacity: Option<i64>,
    pub suits: String,
    pub source: String,
    /// Active participants, all of them (counted whether or not the user may see them).
    pub participants: usize,
    pub capacity_left: Option<i64>,
    pub follow_ups_due: usize,
    /// 利用者が見られる人だけ（一覧では空）
    pub visible_participants: Vec<ParticipantView>,
}

/// A menu with its participants: counts for everyone, names only of the
/// persons the user may see (`App::menu_record` decides which).
pub fn menu_view(record: &MenuRecord, today: NaiveDate) -> MenuView {
    let menu = &record.menu;
    let active: Vec<&ParticipationMatch> = record
        .matches
        .iter()
        .filter(|m| m.state == tsunagaru_domain::reach::MatchState::Active)
        .collect();
    let visible = record
        .seen
        .iter()
        .map(|(m, p)| ParticipantView {
            match_id: m.id,
            person_id: m.person_id,
            name: p.name.clone(),
            matched_label: date_label(m.matched_on),
            reasons: m.reasons.clone(),
            state: m.state.code().to_owned(),
            next_follow_up_on: m.next_follow_up_on,
            next_follow_up_label: m.next_follow_up_on.map(date_label).unwrap_or_default(),
            follow_up_due: m.state == tsunagaru_domain::reach::MatchState::Active
                && follow_up_due(m.next_follow_up_on, today),
        })
        .collect();
    MenuView {
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
    }
}

/// A 定着支援 record after matching.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FollowUp)]
pub struct FollowUpView {
    pub on_label: String,
    #[schema(schema_with = codes::<FollowUpKind>)]
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
            kind: f.kind.code().to_owned(),
            kind_label: f.kind.label().to_owned(),
            note: f.note.clone(),
            next_label: f.next_on.map(date_label).unwrap_or_default(),
        })
        .collect()
}

/// A 地域資源.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CommunityResource)]
pub struct ResourceView {
    #[schema(value_type = RecordId)]
    pub id: i64,
    pub key: Option<String>,
    pub name: String,
    #[schema(schema_with = codes::<ResourceKind>)]
    pub kind: String,
    pub kind_label: String,
    pub description: String,
    pub address: Option<String>,
    /// 住所から求めた担当地域包括支援センター
    pub catchment: Option<String>,
    pub schedule: String,
    pub operator: String,
    pub audience: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub source: String,
    /// 開設日（記録開始前からの拠点は null）
    #[schema(value_type = Option<String>, format = Date)]
    pub opened_on: Option<NaiveDate>,
    /// 廃止日
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<NaiveDate>,
    pub closed_reason: Option<String>,
    /// 開設日 in 和暦, for the page.
    #[serde(skip)]
    pub opened_label: String,
    /// A registered 拠点 (the pack's agencies close by leaving the pack).
    #[serde(skip)]
    pub registered: bool,
}

pub fn resource_view(state: &AppState, r: &CommunityResource) -> ResourceView {
    let city = &state.pack().municipality.name;
    let catchment = r.address.as_deref().and_then(|a| {
        let line = if a.contains(city.as_str()) {
            a.to_owned()
        } else {
            format!("{city}{a}")
        };
        state.address().route(&line).center
    });
    ResourceView {
        id: r.id,
        key: r.key.clone(),
        name: r.name.clone(),
        kind: r.kind.code().to_owned(),
        kind_label: r.kind.label().to_owned(),
        description: r.description.clone(),
        address: r.address.clone(),
        catchment,
        schedule: r.schedule.clone(),
        operator: r.operator.clone(),
        audience: r.audience.clone(),
        phone: r.phone.clone(),
        email: r.email.clone(),
        source: r.source.clone(),
        opened_on: r.opened_on,
        closed_on: r.closed_on,
        closed_reason: r.closed_reason.clone(),
        opened_label: r.opened_on.map(date_label).unwrap_or_default(),
        registered: r.agency_id.is_none(),
    }
}
