//! The worker's desk as shown on the home page and in `GET /api/v1/me/desk`.

use crate::views::cases::moment_label;
use crate::views::intake::date_label;
use serde::Serialize;
use tsunagaru_app::desk::Desk;
use tsunagaru_store::Agency;

fn agency_name(agencies: &[Agency], id: i64) -> String {
    agencies
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize)]
pub struct DeskSheetView {
    pub consultation_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub received_on: chrono::NaiveDate,
    pub received_label: String,
    pub agency: String,
    /// Where it stands, in words: 引継ぎ中 2件・差戻しあり・ケース対応中・受付のみ.
    pub status: String,
    pub returned: bool,
    pub case_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeskHandoffView {
    pub handoff_id: i64,
    pub person_name: String,
    pub from_agency: String,
    pub state_label: &'static str,
    pub received_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeskCaseView {
    pub case_id: i64,
    pub person_name: String,
    pub state_label: &'static str,
    pub opened_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecentPersonView {
    pub person_id: i64,
    pub name: String,
    pub kana: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArrivalView {
    pub handoff_id: i64,
    pub at: String,
    pub at_label: String,
    /// send / report / return
    pub kind: String,
    /// 引継ぎが届きました / 報告が届きました / 差戻しがありました
    pub what: &'static str,
    /// The agency on the other side.
    pub agency: String,
    pub person_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeskView {
    pub sheets: Vec<DeskSheetView>,
    pub handoffs: Vec<DeskHandoffView>,
    pub cases: Vec<DeskCaseView>,
    pub recent_persons: Vec<RecentPersonView>,
    /// The sign-in before this one, RFC 3339 (+09:00).
    pub since: Option<String>,
    pub since_label: Option<String>,
    pub arrivals: Vec<ArrivalView>,
    /// For the 事務局: plans whose 次回見直し日 is within a week or passed.
    pub reviews: Vec<ReviewView>,
    /// For those who schedule meetings: the 年度's meeting cadence.
    pub cadence: Option<CadenceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    pub case_id: i64,
    pub person_name: String,
    pub plan_version: i64,
    pub next_review_on: chrono::NaiveDate,
    pub next_review_label: String,
    pub overdue: bool,
    pub due_label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct CadenceView {
    pub fiscal_year: i32,
    pub fiscal_year_label: String,
    /// `2026-05` for each month without a よりそい会議 (held or scheduled).
    pub months_without_case_conference: Vec<String>,
    pub months_without_label: String,
    pub plenaries: usize,
    pub plenaries_expected: usize,
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
                    let (what, other) = match a.item.step.as_str() {
                        "send" => ("引継ぎが届きました", h.from_agency_id),
                        "report" => ("報告が届きました", h.to_agency_id),
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
