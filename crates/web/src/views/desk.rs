//! The worker's desk as shown on the home page and in `GET /api/v1/me/desk`.

use crate::views::cases::moment_label;
use crate::views::intake::date_label;
use serde::Serialize;
use tsunagaru_app::desk::Desk;
use tsunagaru_domain::openapi::{RecordId, one_of_strings};
use tsunagaru_store::Agency;
use utoipa::ToSchema;

/// What arrived: a handoff sent, a report, or a return.
const ARRIVAL_KINDS: [&str; 3] = ["send", "report", "return"];

fn arrival_kinds() -> utoipa::openapi::Schema {
    one_of_strings(&ARRIVAL_KINDS)
}

fn due_labels() -> utoipa::openapi::Schema {
    one_of_strings(&tsunagaru_domain::case::ReviewDue::ALL.map(|d| d.label()))
}

fn agency_name(agencies: &[Agency], id: i64) -> String {
    agencies
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeskSheet)]
pub struct DeskSheetView {
    #[schema(value_type = RecordId)]
    pub consultation_id: i64,
    #[schema(value_type = RecordId)]
    pub person_id: i64,
    pub person_name: String,
    #[schema(value_type = String, format = Date)]
    pub received_on: chrono::NaiveDate,
    pub received_label: String,
    pub agency: String,
    /// Where it stands, in words: 引継ぎ中 2件・差戻しあり・ケース対応中・受付のみ.
    pub status: String,
    pub returned: bool,
    #[schema(value_type = Option<RecordId>)]
    pub case_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeskHandoff)]
pub struct DeskHandoffView {
    #[schema(value_type = RecordId)]
    pub handoff_id: i64,
    pub person_name: String,
    pub from_agency: String,
    pub state_label: &'static str,
    pub received_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeskCase)]
pub struct DeskCaseView {
    #[schema(value_type = RecordId)]
    pub case_id: i64,
    pub person_name: String,
    pub state_label: &'static str,
    pub opened_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RecentPerson)]
pub struct RecentPersonView {
    #[schema(value_type = RecordId)]
    pub person_id: i64,
    pub name: String,
    pub kana: Option<String>,
}

/// A handoff, report or return that arrived since the sign-in before.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Arrival)]
pub struct ArrivalView {
    #[schema(value_type = RecordId)]
    pub handoff_id: i64,
    /// 日本時間
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub at_label: String,
    /// send / report / return
    #[schema(schema_with = arrival_kinds)]
    pub kind: String,
    /// 引継ぎが届きました / 報告が届きました / 差戻しがありました
    pub what: &'static str,
    /// The agency on the other side.
    pub agency: String,
    pub person_name: String,
}

/// The caller's desk: what is in hand, and what arrived since the sign-in
/// before this one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Desk)]
pub struct DeskView {
    /// 自分が受け付けた相談のうち、引継ぎ・ケースが続いているもの、または30日以内のもの（新しい順）
    pub sheets: Vec<DeskSheetView>,
    /// 自分が受領し、まだ報告していない引継ぎ
    pub handoffs: Vec<DeskHandoffView>,
    /// 自分が担当している多機関協働ケース（終結・戻りを除く）
    pub cases: Vec<DeskCaseView>,
    /// 最近開いた相談対象者（最大8名、新しい順）
    pub recent_persons: Vec<RecentPersonView>,
    /// 前回の画面へのログイン（API では最後の画面へのログイン）
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    pub since_label: Option<String>,
    /// それ以降に届いた引継ぎ・報告・差戻し（新しい順、最大30件）
    pub arrivals: Vec<ArrivalView>,
    /// 事務局: 次回見直し日が1週間以内・過ぎた支援プラン
    pub reviews: Vec<ReviewView>,
    /// 会議を登録する人（事務局・市職員）: この年度の会議の開催状況
    pub cadence: Option<CadenceView>,
}

/// A plan whose 次回見直し日 is near or past.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Review)]
pub struct ReviewView {
    #[schema(value_type = RecordId)]
    pub case_id: i64,
    pub person_name: String,
    pub plan_version: i64,
    #[schema(value_type = String, format = Date)]
    pub next_review_on: chrono::NaiveDate,
    pub next_review_label: String,
    pub overdue: bool,
    #[schema(schema_with = due_labels)]
    pub due_label: &'static str,
}

/// The 年度's meetings against the plan's cadence.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Cadence)]
pub struct CadenceView {
    pub fiscal_year: i32,
    pub fiscal_year_label: String,
    /// よりそい会議が開かれていない（予定もない）月（4月から今月まで）、`2026-05` の形
    #[schema(schema_with = tsunagaru_domain::openapi::month_list)]
    pub months_without_case_conference: Vec<String>,
    pub months_without_label: String,
    pub plenaries: usize,
    pub plenaries_expected: usize,
    /// 全体会が年3回に満たない
    pub plenary_shortfall: bool,
}

impl CadenceView {
    fn of(c: &tsunagaru_domain::case::Cadence) -> CadenceView {
        CadenceView {
            fiscal_year: c.year.start_year(),
            fiscal_year_label: c.year.label(),
            months_without_case_conference: c
                .months_without_conference
                .iter()
                .map(|(y, m)| format!("{y}-{m:02}"))
                .collect(),
            months_without_label: c
                .months_without_conference
                .iter()
                .map(|(_, m)| format!("{m}月"))
                .collect::<Vec<_>>()
                .join("・"),
            plenaries: c.plenaries,
            plenaries_expected: tsunagaru_domain::case::PLENARIES_A_YEAR,
            plenary_shortfall: c.plenary_shortfall(),
        }
    }
}

impl DeskView {
    pub fn of(desk: &Desk, agencies: &[Agency]) -> DeskView {
        DeskView {
            sheets: desk
                .sheets
                .iter()
                .map(|s| {
                    let d = &s.item;
                    let mut status = Vec::new();
                    if d.open_handoffs > 0 {
                        status.push(format!("引継ぎ中 {}件", d.open_handoffs));
                    }
                    if d.returned_handoffs > 0 {
                        status.push("差戻しあり".to_owned());
                    }
                    if d.open_case_id.is_some() {
                        status.push("多機関協働ケース対応中".to_owned());
                    }
                    if status.is_empty() {
                        status.push("受付のみ（自機関で対応）".to_owned());
                    }
                    DeskSheetView {
                        consultation_id: d.consultation_id,
                        person_id: d.person_id,
                        person_name: s.person_name.clone(),
                        received_on: d.received_on,
                        received_label: date_label(d.received_on),
                        agency: agency_name(agencies, d.agency_id),
                        status: status.join("・"),
                        returned: d.returned_handoffs > 0,
                        case_id: d.open_case_id,
                    }
                })
                .collect(),
            handoffs: desk
                .handoffs
                .iter()
                .map(|h| DeskHandoffView {
                    handoff_id: h.item.id,
                    person_name: h.person_name.clone(),
                    from_agency: agency_name(agencies, h.item.from_agency_id),
                    state_label: h.item.state.label_for_receiver(),
                    received_label: h.item.received_on.map(date_label).unwrap_or_default(),
                })
                .collect(),
            cases: desk
                .cases
                .iter()
                .map(|c| DeskCaseView {
                    case_id: c.item.id,
                    person_name: c.person_name.clone(),
                    state_label: c.item.state.label(),
                    opened_label: date_label(c.item.opened_on),
                })
                .collect(),
            recent_persons: desk
                .recent_persons
                .iter()
                .map(|p| RecentPersonView {
                    person_id: p.id,
                    name: p.name.clone(),
                    kana: p.kana.clone(),
                })
                .collect(),
            since: desk
                .since
                .map(|at| tsunagaru_store::in_japan(at).to_rfc3339()),
            since_label: desk.since.map(moment_label),
            arrivals: desk
                .arrivals
                .iter()
                .map(|a| {
                    let h = &a.item.handoff;
                    // The app gives the three of ARRIVAL_KINDS only.
                    let (what, other) = match a.item.step.as_str() {
                        k if k == ARRIVAL_KINDS[0] => ("引継ぎが届きました", h.from_agency_id),
                        k if k == ARRIVAL_KINDS[1] => ("報告が届きました", h.to_agency_id),
                        _ => ("差戻しがありました", h.to_agency_id),
                    };
                    ArrivalView {
                        handoff_id: h.id,
                        at: tsunagaru_store::in_japan(a.item.at).to_rfc3339(),
                        at_label: moment_label(a.item.at),
                        kind: a.item.step.clone(),
                        what,
                        agency: agency_name(agencies, other),
                        person_name: a.person_name.clone(),
                    }
                })
                .collect(),
            reviews: desk
                .reviews
                .iter()
                .map(|r| ReviewView {
                    case_id: r.plan.case_id,
                    person_name: r.person_name.clone(),
                    plan_version: r.plan.version,
                    next_review_on: r.plan.next_review_on,
                    next_review_label: date_label(r.plan.next_review_on),
                    overdue: r.due == tsunagaru_domain::case::ReviewDue::Overdue,
                    due_label: r.due.label(),
                })
                .collect(),
            cadence: desk.cadence.as_ref().map(CadenceView::of),
        }
    }
}
