//! ホーム, 機関一覧, 機関詳細, 関係各課一覧, 推進員: the municipality's directory.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::PageError;
use crate::id::Id;
use crate::pages::templates::{
    AgenciesPage, AgencyPage, AgencyRowView, Choice, DepartmentsPage, HomePage, Nav, NetworkPage,
};
use crate::views::directory::{AgencyFilter, ParsedFilter, department_label};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use tsunagaru_domain::contact::ContactInput;
use tsunagaru_domain::{Field, Programme};
use tsunagaru_store::{Agency, Department};

fn row_view(agency: Agency, departments: &[Department]) -> AgencyRowView {
    AgencyRowView {
        fields: agency
            .fields
            .iter()
            .map(|f| f.label())
            .collect::<Vec<_>>()
            .join("・"),
        programmes: agency
            .programmes
            .iter()
            .map(|p| p.clause())
            .collect::<Vec<_>>()
            .join("・"),
        department: department_label(departments, agency.department_no),
        agency,
    }
}

/// What the home page was sent back after: `?done=task&task=ID` offers the
/// undo of that task's 完了.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct HomeQuery {
    done: String,
    task: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<HomeQuery>,
) -> Result<Html<String>, PageError> {
    let agencies = state.app.agencies().await?;
    let desk = state.app.desk(&user.actor(), true).await?;
    let desk = crate::views::desk::DeskView::of(&desk, &agencies);
    let undo = match (q.done.as_str(), q.task.and_then(|t| t.parse::<i64>().ok())) {
        ("task", Some(id)) => state
            .app
            .undoable_task(&user.actor(), id)
            .await?
            .map(|t| (t.id, t.title)),
        _ => None,
    };
    let notice = match (q.done.as_str(), &undo) {
        ("task", Some((_, title))) => format!("タスク「{title}」を完了にしました。"),
        ("task", None) => "タスクを完了にしました。".to_owned(),
        ("task_reopened", _) => "タスクの完了を取り消しました。未完了に戻っています。".to_owned(),
        ("password", _) => {
            "パスワードを変更しました。ほかの端末のログインは終了しました。".to_owned()
        }
        _ => String::new(),
    };
    let departments = state.app.departments().await?;
    let today = state.today();
    let counts = state.app.handoff_counts(&user.actor()).await?;
    // Tasks from agreed plans and meeting decisions, overdue first.
    let tasks = state.app.open_tasks(&user.actor()).await?;
    let mut tasks: Vec<crate::views::cases::TaskView> = tasks
        .iter()
        .map(|t| crate::views::cases::TaskView::of(t, &agencies, today))
        .collect();
    tasks.sort_by_key(|t| !t.overdue);
    let meetings: Vec<crate::views::cases::MeetingRef> = state
        .app
        .meetings_of(&user.actor())
        .await?
        .iter()
        .filter(|m| m.starts_at.date() >= today)
        .take(5)
        .map(|m| crate::views::cases::MeetingRef::of(m, &state))
        .collect();
    let (outreach_alerts, follow_ups_due) = state
        .app
        .home_counts(&user.actor())
        .await
        .map_err(PageError::from)?;
    let year_so_far = state.app.year_so_far(&user.actor()).await?.map(|y| {
        (
            format!(
                "{}（{}まで）と前年度の同じ時期",
                y.fiscal_year.label(),
                crate::views::intake::date_label(y.through)
            ),
            y.rows,
        )
    });
    let page = HomePage {
        desk,
        notice,
        undo_task: undo.map(|(id, _)| id),
        undo_minutes: tsunagaru_domain::case::TASK_UNDO_MINUTES,
        year_so_far,
        outreach_alerts,
        follow_ups_due,
        alert_days: state.pack().outreach.no_contact_alert_days,
        tasks,
        meetings,
        inbox_open: counts.inbox_open,
        inbox_overdue: counts.inbox_overdue,
        outbox_open: counts.outbox_open,
        outbox_overdue: counts.outbox_overdue,
        outbox_returned: counts.outbox_returned,
        works_with_persons: user.role().works_with_persons(),
        sits_on_meetings: user.role().sits_on_meetings(),
        nav: Nav::new(&user, &state.pack().municipality.name),
        my_agencies: agencies
            .iter()
            .filter(|a| user.user.agency_ids.contains(&a.id))
            .cloned()
            .collect(),
        plan_title: state.pack().municipality.plan_title.clone(),
        hub_type_name: state
            .pack()
            .hub_type_name(state.pack().chosen_hub_type)
            .to_owned(),
        agency_count: agencies
            .iter()
            .filter(|a| a.active && !a.is_department)
            .count(),
        consultation_count: agencies
            .iter()
            .filter(|a| a.active && a.consultation)
            .count(),
        department_count: departments.len(),
    };
    Ok(Html(page.render()?))
}

pub async fn agencies(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(filter): Query<AgencyFilter>,
) -> Result<Html<String>, PageError> {
    let parsed = filter.parse().map_err(PageError::BadRequest)?;
    let departments = state.app.departments().await?;
    let rows = state
        .app
        .agencies()
        .await?
        .into_iter()
        .filter(|a| parsed.matches(a))
        .map(|a| row_view(a, &departments))
        .collect();
    let page = AgenciesPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        field_choices: Field::ALL
            .into_iter()
            .map(|f| Choice {
                value: f.code().into(),
                label: f.label().into(),
                selected: parsed.field == Some(f),
            })
            .collect(),
        programme_choices: (1..=6u8)
            .map(|n| Choice {
                value: n.to_string(),
                label: programme_item_label(n),
                selected: parsed.programme_item == Some(n),
            })
            .collect(),
        rows,
        filtered: parsed != ParsedFilter::default(),
    };
    Ok(Html(page.render()?))
}

/// 第N号 and its programme's name.
fn programme_item_label(n: u8) -> String {
    let names: Vec<&str> = Programme::ALL
        .into_iter()
        .filter(|p| p.item() == n)
        .map(Programme::name)
        .collect();
    let mut unique = names.clone();
    unique.dedup();
    format!("第{n}号 {}", unique.join("・"))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AgencyQuery {
    done: String,
}

pub async fn agency(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    Query(q): Query<AgencyQuery>,
) -> Result<Html<String>, PageError> {
    let notice = if q.done == "contact" {
        "連絡先を保存しました。自治体パックを読み込み直しても、この内容が使われます。"
    } else {
        ""
    };
    Ok(Html(
        agency_page(&state, &user, id, None, Vec::new(), notice).await?,
    ))
}

/// The contact details as the administrator saves them.
pub async fn agency_contact(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::Form(form): axum::Form<ContactForm>,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let input = ContactInput {
        phone: form.phone,
        fax: form.fax,
        email: form.email,
        hours: form.hours,
        extension: form.extension,
    };
    match state
        .app
        .set_agency_contact(&user.actor(), id, Some(form.version.as_str()), &input)
        .await
    {
        Ok(_) => Ok(
            axum::response::Redirect::to(&format!("/agencies/{id}?done=contact#contact"))
                .into_response(),
        ),
        Err(tsunagaru_app::AppError::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(agency_page(&state, &user, id, Some(input), errors, "").await?),
        )
            .into_response()),
        // Changed meanwhile: the page shows the details as they are now, the
        // form what was typed, with the reason.
        Err(tsunagaru_app::AppError::Conflict(message)) => Ok((
            axum::http::StatusCode::CONFLICT,
            Html(
                agency_page(
                    &state,
                    &user,
                    id,
                    Some(input),
                    vec![tsunagaru_app::FieldError {
                        field: "phone".into(),
                        message,
                    }],
                    "",
                )
                .await?,
            ),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    /// The version the details were shown at.
    version: String,
    phone: String,
    fax: String,
    email: String,
    hours: String,
    extension: String,
}

async fn agency_page(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: i64,
    typed: Option<ContactInput>,
    contact_errors: Vec<tsunagaru_app::FieldError>,
    notice: &str,
) -> Result<String, PageError> {
    let agency = state.app.agency(id).await?;
    let departments = state.app.departments().await?;
    let towns = state.app.catchment_towns(agency.id).await?;
    let pack = state.pack();
    let programme_lines = agency
        .programmes
        .iter()
        .map(|p| {
            let scheme = pack
                .programmes
                .iter()
                .find(|info| info.code == *p)
                .map(|info| info.scheme.as_str());
            match scheme {
                Some(scheme) => format!("法第106条の4第2項{} {}（{scheme}）", p.clause(), p.name()),
                None => format!("法第106条の4第2項{} {}", p.clause(), p.name()),
            }
        })
        .collect();
    let stored = &agency.contact;
    let contact = typed.unwrap_or_else(|| ContactInput {
        phone: stored.phone.clone().unwrap_or_default(),
        fax: stored.fax.clone().unwrap_or_default(),
        email: stored.email.clone().unwrap_or_default(),
        hours: stored.hours.clone().unwrap_or_default(),
        extension: stored.extension.clone().unwrap_or_default(),
    });
    let page = AgencyPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        contact,
        contact_errors,
        notice: notice.to_owned(),
        contact_updated: agency
            .contact_updated_at
            .map(crate::views::cases::moment_label),
        contact_version: tsunagaru_store::version_of(agency.contact_updated_at),
        hub_type: agency
            .hub_type
            .map(|h| state.pack().hub_type_name(h).to_owned()),
        prefix: format!(
            "{}{}",
            state.pack().municipality.prefecture,
            state.pack().municipality.name
        ),
        row: row_view(agency, &departments),
        programme_lines,
        towns,
    };
    Ok(page.render()?)
}

pub async fn departments(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    let agencies = state.app.agencies().await?;
    let page = DepartmentsPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        departments: state
            .app
            .departments()
            .await?
            .into_iter()
            .map(|d| {
                let agency = agencies
                    .iter()
                    .find(|a| a.is_department && a.department_no == d.no)
                    .cloned();
                (d, agency)
            })
            .collect(),
    };
    Ok(Html(page.render()?))
}

pub async fn network(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    let page = NetworkPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        network_name: state.pack().network.name.clone(),
        coordinator_title: state.pack().network.coordinator_title.clone(),
        members: state.app.network_members().await?,
    };
    Ok(Html(page.render()?))
}
