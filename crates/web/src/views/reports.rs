//! 事業実績 as the API and the pages show it: JSON, the rows of the CSV, and
//! the labels. The figures and who may see them come from the application
//! layer (`App::annual_report`).

use crate::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use tsunagaru_app::reports::{AnnualReport, Durations, Row};
use tsunagaru_domain::report::FiscalYear;

fn rows_json(rows: &[Row]) -> Value {
    json!(
        rows.iter()
            .map(|r| json!({"key": r.key, "label": r.label, "count": r.count}))
            .collect::<Vec<_>>()
    )
}

fn durations_json(d: Option<Durations>) -> Value {
    d.map_or(
        Value::Null,
        |d| json!({"median": d.median, "p90": d.p90, "handoffs": d.count}),
    )
}

pub fn report_json(r: &AnnualReport) -> Value {
    let fy = r.fiscal_year;
    let c = &r.consultations;
    json!({
        "fiscal_year": fy.start_year(),
        "label": fy.label(),
        "from": fy.first_day(),
        "to": fy.last_day(),
        "scope": r.scope_label,
        "whole_city": r.whole_city,
        "consultations": {
            "total": c.total,
            "persons": c.persons,
            "by_month": c.by_month,
            "by_quarter": c.by_quarter,
            "by_method": rows_json(&c.by_method),
            "by_concern": c.by_concern.iter().map(|k| json!({
                "key": k.concern.code(), "label": k.concern.label(), "any": k.any, "main": k.main,
            })).collect::<Vec<_>>(),
            "by_agency": rows_json(&c.by_agency),
            "by_field": rows_json(&c.by_field),
            "by_center": rows_json(&c.by_center),
            "by_age_band": rows_json(&c.by_age_band),
            "by_sex": rows_json(&c.by_sex),
        },
        "handoffs": {
            "sent": r.handoffs.sent,
            "by_purpose": rows_json(&r.handoffs.by_purpose),
            "by_agency": rows_json(&r.handoffs.by_agency),
            "by_state": rows_json(&r.handoffs.by_state),
            "business_days_to_receipt": durations_json(r.handoffs.to_receipt),
            "business_days_to_report": durations_json(r.handoffs.to_report),
            "overdue": r.handoffs.overdue,
        },
        "outreach": {
            "targets": r.outreach.targets,
            "attempts": r.outreach.attempts,
            "connected": r.outreach.connected,
        },
        "participation": {
            "persons": r.participation.persons,
            "matches": r.participation.matches,
            "by_menu": rows_json(&r.participation.by_menu),
            "retained": r.participation.retained,
            "hosts": r.participation.hosts,
        },
        "community": {
            "resources_by_kind": rows_json(&r.community.resources_by_kind),
            "events": r.community.events,
            "event_consultations": r.community.event_consultations,
            "organisations": r.community.organisations,
        },
        "cases": {
            "opened": r.cases.opened,
            "plans_first": r.cases.plans_first,
            "plans_again": r.cases.plans_again,
            "closed": r.cases.closed,
            "returned": r.cases.returned,
            "open_at_end": r.cases.open_at_end,
        },
        "meetings": {
            "by_kind": r.meetings.by_kind.iter().map(|m| json!({
                "key": m.kind.code(), "label": m.label, "held": m.held, "cases": m.cases,
            })).collect::<Vec<_>>(),
            "months_without_case_conference": r.meetings.months_without_case_conference,
            "too_few_plenaries": r.meetings.too_few_plenaries,
        },
        "trainings": {
            "held": r.trainings.held,
            "by_kind": rows_json(&r.trainings.by_kind),
            "agencies": r.trainings.agencies,
        },
        "indicators": r.indicators.iter().map(|i| json!({
            "key": i.key, "name": i.name, "unit": i.unit,
            "target": i.target, "actual": i.actual, "previous": i.previous,
        })).collect::<Vec<_>>(),
        "rates": r.rates.map(|x| json!({
            "population": x.population,
            "consultations_per_100k_month": (x.consultations * 100.0).round() / 100.0,
            "plans_per_100k_month": (x.plans * 100.0).round() / 100.0,
        })),
    })
}

/// The report as rows of (section, item, figure), for the CSV and the page.
pub fn report_rows(r: &AnnualReport) -> Vec<[String; 3]> {
    let mut out: Vec<[String; 3]> = Vec::new();
    let mut push = |section: &str, item: &str, value: String| {
        out.push([section.to_owned(), item.to_owned(), value]);
    };
    let c = &r.consultations;
    let s = "第1号 包括的相談支援";
    push(s, "相談受付件数（延べ）", c.total.to_string());
    push(s, "実人数", c.persons.to_string());
    for (i, (y, m)) in r.fiscal_year.months().into_iter().enumerate() {
        push(s, &format!("{y}年{m}月"), c.by_month[i].to_string());
    }
    for (i, n) in c.by_quarter.iter().enumerate() {
        push(s, &format!("第{}四半期", i + 1), n.to_string());
    }
    for row in &c.by_method {
        push(
            s,
            &format!("相談方法: {}", row.label),
            row.count.to_string(),
        );
    }
    for k in &c.by_concern {
        push(
            s,
            &format!("相談内容（○）: {}", k.concern.label()),
            k.any.to_string(),
        );
        push(
            s,
            &format!("相談内容（◎）: {}", k.concern.label()),
            k.main.to_string(),
        );
    }
    for (prefix, rows) in [
        ("受付機関", &c.by_agency),
        ("分野", &c.by_field),
        ("担当地区", &c.by_center),
        ("年代", &c.by_age_band),
        ("性別", &c.by_sex),
    ] {
        for row in rows {
            push(
                s,
                &format!("{prefix}: {}", row.label),
                row.count.to_string(),
            );
        }
    }
    let h = &r.handoffs;
    let s = "引継ぎ";
    push(s, "発出件数", h.sent.to_string());
    for (prefix, rows) in [
        ("シート利用目的", &h.by_purpose),
        ("引継機関", &h.by_agency),
        ("状態", &h.by_state),
    ] {
        for row in rows {
            push(
                s,
                &format!("{prefix}: {}", row.label),
                row.count.to_string(),
            );
        }
    }
    for (what, d) in [("受領まで", h.to_receipt), ("報告まで", h.to_report)] {
        if let Some(d) = d {
            push(
                s,
                &format!("{what}の営業日数（中央値）"),
                d.median.to_string(),
            );
            push(
                s,
                &format!("{what}の営業日数（90パーセンタイル）"),
                d.p90.to_string(),
            );
        }
    }
    push(s, "期限超過", h.overdue.to_string());
    let s = "第4号 アウトリーチ";
    push(s, "対象者数", r.outreach.targets.to_string());
    push(s, "接触回数（延べ）", r.outreach.attempts.to_string());
    push(s, "相談につながった件数", r.outreach.connected.to_string());
    let p = &r.participation;
    let s = "第2号 参加支援";
    push(s, "支援対象者数", p.persons.to_string());
    push(s, "マッチング件数", p.matches.to_string());
    for row in &p.by_menu {
        push(
            s,
            &format!("メニュー: {}", row.label),
            row.count.to_string(),
        );
    }
    push(s, "定着（年度末に参加中）", p.retained.to_string());
    push(s, "受け入れ先（協力事業者数）", p.hosts.to_string());
    if r.whole_city {
        let m = &r.community;
        let s = "第3号 地域づくり";
        for row in &m.resources_by_kind {
            push(s, &format!("拠点: {}", row.label), row.count.to_string());
        }
        push(s, "出前相談会などの開催", m.events.to_string());
        push(s, "行事から生まれた相談", m.event_consultations.to_string());
        push(s, "参加機関数", m.organisations.to_string());
    }
    let k = &r.cases;
    let s = "第5号・第6号 多機関協働";
    push(s, "ケース開始（つなぎ件数）", k.opened.to_string());
    push(s, "支援プラン合意（新規）", k.plans_first.to_string());
    push(s, "支援プラン合意（再プラン）", k.plans_again.to_string());
    push(s, "終結", k.closed.to_string());
    push(s, "戻り", k.returned.to_string());
    push(s, "年度末に継続中", k.open_at_end.to_string());
    if r.whole_city {
        let s = "研修会・意見交換会";
        push(s, "開催", r.trainings.held.to_string());
        for row in &r.trainings.by_kind {
            push(s, &format!("{}の開催", row.label), row.count.to_string());
        }
        push(
            s,
            "参加した機関・関係各課",
            r.trainings.agencies.to_string(),
        );
    }
    let s = "評価指標";
    for i in &r.indicators {
        push(
            s,
            &format!("{}（{}）", i.name, i.unit),
            format!(
                "実績 {} / 目標 {} / 前年度 {}",
                i.actual,
                i.target
                    .map_or_else(|| "未設定".to_owned(), |t| t.to_string()),
                i.previous
            ),
        );
    }
    if let Some(x) = r.rates {
        let s = "人口10万人・1か月あたり";
        push(s, "新規相談受付件数", format!("{:.2}", x.consultations));
        push(s, "プラン作成件数", format!("{:.2}", x.plans));
    }
    if r.whole_city {
        let s = "会議";
        for m in &r.meetings.by_kind {
            push(s, &format!("{}（開催）", m.label), m.held.to_string());
            push(
                s,
                &format!("{}（検討したケース）", m.label),
                m.cases.to_string(),
            );
        }
        if !r.meetings.months_without_case_conference.is_empty() {
            push(
                s,
                "よりそい会議のない月",
                r.meetings.months_without_case_conference.join("・"),
            );
        }
    }
    out
}

/// The 年度 asked for (`2025`, `令和7年度` …), or the current one.
pub fn fiscal_year(state: &AppState, asked: Option<&str>) -> Result<FiscalYear, String> {
    match asked.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => FiscalYear::parse(text),
        None => Ok(FiscalYear::of(state.today())),
    }
}

/// The CSV download: UTF-8 with BOM, CRLF, formulas neutralised.
pub fn csv_answer(report: &AnnualReport) -> impl IntoResponse + use<> {
    let rows = report_rows(report);
    let body = tsunagaru_app::export::csv_document(
        &["区分", "項目", "件数"],
        rows.iter().map(|r| r.iter().map(String::as_str)),
    );
    let name = format!(
        "attachment; filename=\"jigyo_jisseki_{}.csv\"",
        report.fiscal_year.start_year()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
}
