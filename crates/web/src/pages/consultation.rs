//! A saved 受付シート on screen: what it says, its correction history, and
//! for the 受付機関 the correction (訂正) and 取消 forms. A form that fails
//! comes back with what was typed and the reasons.

use super::cases::{Errors, errors_of, field, form_pairs};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{FormFailure, PageError};
use crate::id::Id;
use crate::pages::print::PrintPage;
use crate::pages::templates::{Choice, Nav};
use crate::views::cases::{moment_label, user_name};
use crate::views::intake::date_label;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_app::Reading;
use tsunagaru_domain::intake::{
    Concern, ConcernInput, CorrectionInput, FieldError, Method, Urgency,
};

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The correction form as typed (or as the sheet reads).
#[derive(Default)]
pub struct CorrectionForm {
    pub received_on: String,
    pub method: String,
    pub method_other: String,
    pub receiver_name: String,
    pub chief_complaint: String,
    pub situation: String,
    pub urgency: String,
    pub concerns: Vec<String>,
    pub main_concern: String,
    /// The words of 相談内容「その他」.
    pub concern_other: String,
}

#[derive(Template)]
#[template(path = "consultation.html")]
pub struct ConsultationPage {
    pub nav: Nav,
    pub id: i64,
    pub sheet: PrintPage,
    pub voided: Option<(String, String, String)>,
    pub history: Vec<HistoryRow>,
    pub may_change: bool,
    pub form: CorrectionForm,
    pub methods: Vec<Choice>,
    pub urgencies: Vec<Choice>,
    pub concern_choices: Vec<(Choice, bool)>,
    /// Which form failed (`correct` or `void`), its message and fields.
    pub failed: &'static str,
    pub message: String,
    pub errors: Errors,
    pub void_reason: String,
    pub notice: String,
}

#[derive(Default)]
struct Failure {
    status: Option<axum::http::StatusCode>,
    failed: &'static str,
    message: String,
    errors: Vec<FieldError>,
    form: Option<CorrectionForm>,
    void_reason: String,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    failure: Failure,
    notice: String,
) -> Result<Response, PageError> {
    let actor = user.actor();
    let failure_status = failure.status;
    let (consultation, person) = state
        .app
        .consultation_record(&actor, id, Reading::Screen)
        .await?;
    let history = state.app.sheet_history(&consultation).await?;
    let staff = state.app.staff().await?;
    let name_of = |id: i64| user_name(&staff, id);
    let agency = state
        .app
        .agency(consultation.agency_id)
        .await
        .map(|a| a.name)
        .unwrap_or_default();
    let may_change = consultation.voided.is_none()
        && tsunagaru_app::policy::may_correct_sheet(&actor, consultation.agency_id);
    let voided = consultation
        .voided
        .as_ref()
        .map(|v| (moment_label(v.at), name_of(v.by), v.reason.clone()));
    let form = failure.form.unwrap_or_else(|| CorrectionForm {
        received_on: date_label(consultation.received_on),
        method: consultation.method.clone(),
        method_other: consultation.method_other.clone().unwrap_or_default(),
        receiver_name: consultation.receiver_name.clone().unwrap_or_default(),
        chief_complaint: consultation.chief_complaint.clone(),
        situation: consultation.situation.clone(),
        urgency: consultation.urgency.clone().unwrap_or_default(),
        concerns: consultation
            .concerns
            .iter()
            .map(|c| c.code.clone())
            .collect(),
        main_concern: consultation
            .concerns
            .iter()
            .find(|c| c.main)
            .map(|c| c.code.clone())
            .unwrap_or_default(),
        concern_other: consultation
            .concerns
            .iter()
            .find(|c| c.code == Concern::Other.code())
            .and_then(|c| c.text.clone())
            .unwrap_or_default(),
    });
    let page = ConsultationPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        id,
        history: history
            .changes
            .iter()
            .map(|c| HistoryRow {
                at: moment_label(c.at),
                by: name_of(c.user_id),
                field: c.field.clone(),
                before: c.before.clone().unwrap_or_default(),
                after: c.after.clone().unwrap_or_default(),
            })
            .collect(),
        sheet: PrintPage::new(state, user, person, consultation, agency),
        voided,
        may_change,
        methods: Method::ALL
            .iter()
            .map(|m| Choice {
                value: m.code().into(),
                label: m.label().into(),
                selected: form.method == m.code(),
            })
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| Choice {
                value: u.code().into(),
                label: u.label().into(),
                selected: form.urgency == u.code(),
            })
            .collect(),
        concern_choices: Concern::ALL
            .iter()
            .map(|c| {
                (
                    Choice {
                        value: c.code().into(),
                        label: c.label().into(),
                        selected: form.concerns.iter().any(|x| x == c.code()),
                    },
                    form.main_concern == c.code(),
                )
            })
            .collect(),
        form,
        failed: failure.failed,
        message: failure.message,
        errors: errors_of(&failure.errors),
        void_reason: failure.void_reason,
        notice,
    };
    let status = failure_status.unwrap_or(axum::http::StatusCode::OK);
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_str() {
        "corrected" => "受付シートを修正しました。修正の履歴に残っています",
        "voided" => "受付シートを取り消しました。記録は残り、件数からは外れます",
        _ => "",
    };
    render(&state, &user, id, Failure::default(), notice.to_owned()).await
}

/// The correction form: every field of the form is sent; only those that
/// differ from the sheet change (the app compares and keeps the history).
pub async fn correct(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let concerns: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "concerns")
        .map(|(_, v)| v.clone())
        .collect();
    let form = CorrectionForm {
        received_on: field(&pairs, "received_on"),
        method: field(&pairs, "method"),
        method_other: field(&pairs, "method_other"),
        receiver_name: field(&pairs, "receiver_name"),
        chief_complaint: field(&pairs, "chief_complaint"),
        situation: field(&pairs, "situation"),
        urgency: field(&pairs, "urgency"),
        main_concern: field(&pairs, "main_concern"),
        concern_other: field(&pairs, "concern_other"),
        concerns,
    };
    let words_of = |code: &str| {
        if code == Concern::Other.code() {
            form.concern_other.clone()
        } else {
            String::new()
        }
    };
    let mut chosen: Vec<ConcernInput> = form
        .concerns
        .iter()
        .map(|code| ConcernInput {
            category: code.clone(),
            main: *code == form.main_concern,
            text: words_of(code),
        })
        .collect();
    if !form.main_concern.is_empty() && !form.concerns.contains(&form.main_concern) {
        chosen.push(ConcernInput {
            category: form.main_concern.clone(),
            main: true,
            text: words_of(&form.main_concern),
        });
    }
    let input = CorrectionInput {
        received_on: Some(form.received_on.clone()),
        method: Some(form.method.clone()),
        method_other: Some(form.method_other.clone()),
        receiver_name: Some(form.receiver_name.clone()),
        chief_complaint: Some(form.chief_complaint.clone()),
        situation: Some(form.situation.clone()),
        urgency: Some(form.urgency.clone()),
        concerns: Some(chosen),
    };
    match state
        .app
        .correct_consultation(&user.actor(), id, &input)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/consultations/{id}?done=corrected")).into_response()),
        Err(e) => {
            let e = FormFailure::of(e)?;
            let failure = Failure {
                status: Some(e.status),
                failed: "correct",
                message: e.message,
                errors: e.fields,
                form: Some(form),
                ..Failure::default()
            };
            render(&state, &user, id, failure, String::new()).await
        }
    }
}

pub async fn void(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let reason = field(&pairs, "reason");
    match state
        .app
        .void_consultation(&user.actor(), id, &reason)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/consultations/{id}?done=voided")).into_response()),
        Err(e) => {
            let e = FormFailure::of(e)?;
            let failure = Failure {
                status: Some(e.status),
                failed: "void",
                message: e.message,
                errors: e.fields,
                void_reason: reason,
                ..Failure::default()
            };
            render(&state, &user, id, failure, String::new()).await
        }
    }
}
