//! 相談を受け付ける: the intake sheet form (GET, POST) and its A4 print view.

use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{FormFailure, PageError};
use crate::id::Id;
use crate::pages::intake_form::{
    FormExtras, errors_by_field, member_rows, read_form, sheet_choices,
};
use crate::pages::templates::{CONSENT_CLAUSE, Choice, DuplicateView, IntakePage, Nav};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use tsunagaru_app::Reading;
use tsunagaru_app::intake::{IntakeLinks, intake_agency};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{Concern, IntakeInput};
use tsunagaru_store::Person;

async fn render(
    state: &AppState,
    user: &CurrentUser,
    input: &IntakeInput,
    extras: &FormExtras,
    errors: BTreeMap<String, Vec<String>>,
    duplicates: &[Person],
) -> Result<String, PageError> {
    let agencies = state.app.agencies().await?;
    let chosen_agency = extras.agency_id.or(user.user.agency_ids.first().copied());
    let requester = input.requester.clone().unwrap_or_default();
    let phone = |phones: &[tsunagaru_domain::intake::PhoneInput], i: usize| {
        phones.get(i).map(|p| p.number.clone()).unwrap_or_default()
    };
    let wanted_rows = extras.household_rows + usize::from(extras.add_row);
    let page = IntakePage {
        nav: Nav::new(user, &state.pack().municipality.name),
        c: sheet_choices(input),
        rows: member_rows(input, wanted_rows, &errors),
        agencies: agencies
            .iter()
            .filter(|a| user.user.agency_ids.contains(&a.id))
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
                selected: Some(a.id) == chosen_agency,
            })
            .collect(),
        duplicates: duplicates
            .iter()
            .map(|d| DuplicateView {
                id: d.id,
                name: d.name.clone(),
                kana: d.kana.clone().unwrap_or_default(),
                birth_date: d
                    .birth_date
                    .map(|b| EraDate::from_date(b).label())
                    .unwrap_or_default(),
                selected: extras.person_choice == d.id.to_string(),
            })
            .collect(),
        concern_other: input
            .concerns
            .iter()
            .find(|c| c.category == Concern::Other.code())
            .map(|c| c.text.clone())
            .unwrap_or_default(),
        person_phone_home: phone(&input.person.phones, 0),
        person_phone_mobile: phone(&input.person.phones, 1),
        requester_phone_home: phone(&requester.phones, 0),
        requester_phone_mobile: phone(&requester.phones, 1),
        requester,
        consent_clause: CONSENT_CLAUSE,
        person_choice: extras.person_choice.clone(),
        outreach_target_id: extras.outreach_target_id,
        events: recent_events(state, extras.event_id).await?,
        input: input.clone(),
        errors,
    };
    Ok(page.render()?)
}

/// The events of the last 60 days (and coming ones), to say the sheet was
/// taken at one (出前相談会).
async fn recent_events(state: &AppState, chosen: Option<i64>) -> Result<Vec<Choice>, PageError> {
    let today = state.today();
    Ok(state
        .app
        .events()
        .await?
        .into_iter()
        .filter(|e| (today - e.held_on).num_days() <= 60)
        .map(|e| Choice {
            value: e.id.to_string(),
            label: format!(
                "{} {}（{}）",
                crate::views::intake::date_label(e.held_on),
                e.title,
                e.place
            ),
            selected: Some(e.id) == chosen,
        })
        .collect())
}

fn require_intake(user: &CurrentUser) -> Result<(), PageError> {
    intake_agency(&user.actor(), None)
        .map(|_| ())
        .map_err(PageError::from)
}

#[derive(serde::Deserialize, Default)]
pub struct NewFormQuery {
    /// Pre-fill the sheet from this アウトリーチ target.
    #[serde(default)]
    outreach_target_id: Option<i64>,
    /// A person on record: the sheet starts from their 基本情報 and household.
    person_id: Option<i64>,
}

pub async fn new_form(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    axum::extract::Query(q): axum::extract::Query<NewFormQuery>,
) -> Result<Html<String>, PageError> {
    require_intake(&user)?;
    let mut input = IntakeInput::default();
    let mut extras = FormExtras::default();
    if let Some(id) = q.outreach_target_id {
        input = state.app.intake_from_target(&user.actor(), id).await?;
        extras.outreach_target_id = Some(id);
    } else if let Some(id) = q.person_id {
        // From the person's page: filled from the record, tied to it.
        input = state.app.intake_for_person(&user.actor(), id).await?;
        extras.person_choice = id.to_string();
        extras.household_rows = input.household.len();
    }
    Ok(Html(
        render(&state, &user, &input, &extras, BTreeMap::new(), &[]).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    require_intake(&user)?;
    let (input, mut extras) = read_form(&body);
    if extras.add_row {
        return Ok(
            Html(render(&state, &user, &input, &extras, BTreeMap::new(), &[]).await?)
                .into_response(),
        );
    }
    let agency_id = match intake_agency(&user.actor(), extras.agency_id) {
        Ok(id) => id,
        Err(e) => {
            let errors = BTreeMap::from([("agency_id".to_owned(), vec![e.to_string()])]);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&state, &user, &input, &extras, errors, &[]).await?),
            )
                .into_response());
        }
    };
    let sheet = match input.parse(state.today()) {
        Ok(sheet) => sheet,
        Err(problems) => {
            let errors = errors_by_field(&problems);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&state, &user, &input, &extras, errors, &[]).await?),
            )
                .into_response());
        }
    };
    // Possible duplicates are shown once, before a new person is created.
    let existing_person_id = match extras.person_choice.as_str() {
        "new" => None,
        "" => {
            let duplicates = state.app.possible_duplicates(&user.actor(), &sheet).await?;
            if !duplicates.is_empty() {
                extras.household_rows = extras.household_rows.max(input.household.len());
                return Ok(Html(
                    render(&state, &user, &input, &extras, BTreeMap::new(), &duplicates).await?,
                )
                .into_response());
            }
            None
        }
        id => {
            let id: i64 = id
                .parse()
                .map_err(|_| PageError::BadRequest("相談対象者の選択が正しくありません".into()))?;
            Some(id)
        }
    };
    let links = IntakeLinks {
        existing_person_id,
        outreach_target_id: extras.outreach_target_id,
        event_id: extras.event_id,
    };
    let saved = state
        .app
        .take_consultation(
            &user.actor(),
            sheet,
            Some(agency_id),
            &user.user.display_name,
            links,
        )
        .await;
    let ids = match saved {
        Ok(ids) => ids,
        Err(e) => {
            // Nothing typed is lost: the sheet comes back with the reason.
            let e = FormFailure::of(e)?;
            let mut errors = errors_by_field(&e.fields);
            if errors.is_empty() {
                errors.insert("form".to_owned(), vec![e.message]);
            }
            return Ok((
                e.status,
                Html(render(&state, &user, &input, &extras, errors, &[]).await?),
            )
                .into_response());
        }
    };
    Ok(Redirect::to(&format!(
        "/persons/{}?created={}",
        ids.person_id, ids.consultation_id
    ))
    .into_response())
}

pub async fn print(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    let (consultation, person) = state
        .app
        .consultation_record(&user.actor(), id, Reading::Print)
        .await?;
    let agency = state
        .app
        .agency(consultation.agency_id)
        .await
        .map(|a| a.name)
        .unwrap_or_default();
    let page = crate::pages::print::PrintPage::new(&state, &user, person, consultation, agency);
    Ok(Html(page.render()?))
}
