//! 引継ぎ in the browser: the No.3 form, the inbox and outbox, a handoff's
//! page with the steps open to the user, and its A4 print.

use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{FormFailure, PageError};
use crate::id::Id;
use crate::pages::templates::{
    AgencyChoice, Choice, EventView, HandoffNewPage, HandoffPage, HandoffPrintPage, HandoffView,
    HandoffsPage, Nav,
};
use crate::views::cases::{moment_label, user_name};
use crate::views::handoffs::HandoffAnswer;
use crate::views::intake::date_label;
use crate::views::picker::{PickerPart, agencies_by_field};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_app::Reading;
use tsunagaru_app::handoffs::{SendInput, StepInput, handoff_side_of, self_consent_of};
use tsunagaru_app::policy::HandoffSide as Side;
use tsunagaru_domain::handoff::{HandoffState, HandoffStep, Purpose};
use tsunagaru_domain::intake::{ConsentAnswer, Urgency};
use tsunagaru_store::{Agency, Handoff, HandoffBox, HandoffNotes};

/// The persons' names of the handoffs shown, by handoff id, read at once
/// (`App::handoff_person_names`).
type Names = std::collections::HashMap<i64, String>;

fn view(
    state: &AppState,
    user: &CurrentUser,
    h: &Handoff,
    agencies: &[Agency],
    users: &[tsunagaru_store::User],
    names: &Names,
) -> HandoffView {
    let side = |user: Option<i64>, phone: &Option<String>| {
        (
            user.map(|id| user_name(users, id)).unwrap_or_default(),
            phone.clone().unwrap_or_default(),
        )
    };
    let answer = HandoffAnswer::of(state, h, agencies, state.today(), &user.user.agency_ids);
    let date = |d: Option<chrono::NaiveDate>| d.map(date_label).unwrap_or_default();
    HandoffView {
        id: h.id,
        consultation_id: h.consultation_id,
        person_id: h.person_id,
        person_name: names.get(&h.id).cloned().unwrap_or_default(),
        from_agency: answer.from_agency,
        to_agency: answer.to_agency,
        purpose: answer.purpose_label.to_owned(),
        urgency: answer.urgency_label.to_owned(),
        status: answer.status_label.to_owned(),
        status_code: h.state.code().to_owned(),
        sent_on: date_label(h.sent_on),
        received_on: date(h.received_on),
        reported_on: date(h.reported_on),
        report_received_on: date(h.report_received_on),
        overdue: answer.overdue,
        continue_at_origin: h.continue_at_origin,
        told_contact: [h.told_contact_name.clone(), h.told_contact_phone.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("　"),
        notes: h.notes.clone(),
        response: h.response.clone().unwrap_or_default(),
        return_reason: h.return_reason.clone().unwrap_or_default(),
        suggested_agency: h
            .suggested_agency_id
            .and_then(|id| agencies.iter().find(|a| a.id == id))
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        withdraw_reason: h.withdraw_reason.clone().unwrap_or_default(),
        consent_override: h.consent_override_reason.is_some(),
        self_consent_reason: h.self_consent_reason.clone().unwrap_or_default(),
        sender: side(Some(h.sent_by), &h.sender_phone),
        receiver: side(h.received_by, &h.receiver_phone),
        reporter: side(h.reported_by, &h.reporter_phone),
        report_receiver: side(h.report_received_by, &h.report_receiver_phone),
        sent_with: String::new(),
    }
}

/// The names of the other 引継機関 of the same No.3, joined with 、.
fn agency_names(ids: &[i64], agencies: &[Agency]) -> String {
    ids.iter()
        .filter_map(|id| agencies.iter().find(|a| a.id == *id))
        .map(|a| a.name.clone())
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Deserialize, Default)]
pub struct BoxQuery {
    #[serde(rename = "box", default)]
    box_: String,
    /// What was just done, for the notice (`returned`).
    #[serde(default)]
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(q): Query<BoxQuery>,
) -> Result<Html<String>, PageError> {
    let inbox = q.box_ != "outbox";
    let box_ = if inbox {
        HandoffBox::Inbox
    } else {
        HandoffBox::Outbox
    };
    // The list names persons: reading it is audited like any view.
    let handoffs = state.app.handoff_box(&user.actor(), box_, "").await?;
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    let names = state
        .app
        .handoff_person_names(&user.actor(), &handoffs.iter().collect::<Vec<_>>())
        .await?;
    let mut rows: Vec<HandoffView> = handoffs
        .iter()
        .map(|h| view(&state, &user, h, &agencies, &users, &names))
        .collect();
    // What needs acting on first: overdue, then open ones.
    rows.sort_by_key(|r| {
        (
            r.overdue.is_none(),
            !HandoffState::parse(&r.status_code).is_some_and(HandoffState::is_open),
        )
    });
    let page = HandoffsPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        inbox,
        rows,
        notice: (q.done == "returned")
            .then_some("引継ぎを差し戻しました。送付元の機関に知らされます。"),
    };
    Ok(Html(page.render()?))
}

async fn handoff_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
    text: String,
    notice: Option<&'static str>,
) -> Result<String, PageError> {
    let record = state
        .app
        .handoff_record(&user.actor(), id, Reading::Screen)
        .await?;
    let (h, side) = (record.handoff, record.side);
    let names = state.app.handoff_person_names(&user.actor(), &[&h]).await?;
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    let status = h.state;
    let may = |step: HandoffStep| {
        let mine = match side {
            Side::Both => true,
            Side::Receiver => step.by_receiver(),
            Side::Sender => !step.by_receiver(),
        };
        mine && status.after(step).is_ok()
    };
    let events = record
        .events
        .into_iter()
        .map(|e| EventView {
            at: moment_label(e.at),
            user: users
                .iter()
                .find(|u| u.id == e.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
            step: e.state.label().to_owned(),
            detail: e.detail.unwrap_or_default(),
        })
        .collect();
    let page = HandoffPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        h: HandoffView {
            sent_with: agency_names(&record.sent_with, &agencies),
            ..view(state, user, &h, &agencies, &users, &names)
        },
        events,
        can_receive: may(HandoffStep::Receive),
        can_start: may(HandoffStep::Start),
        can_report: may(HandoffStep::Report),
        can_return: may(HandoffStep::Return),
        can_acknowledge: may(HandoffStep::Acknowledge),
        can_withdraw: may(HandoffStep::Withdraw),
        forward_link: (side != Side::Sender
            && !matches!(status, HandoffState::Sent | HandoffState::Withdrawn))
        .then(|| format!("/consultations/{}/handoffs", h.consultation_id)),
        agencies: agencies
            .iter()
            .filter(|a| a.active && a.id != h.to_agency_id && a.id != h.from_agency_id)
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
                selected: false,
            })
            .collect(),
        error,
        text,
        notice,
    };
    Ok(page.render()?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HandoffDone {
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::extract::Query(q): axum::extract::Query<HandoffDone>,
) -> Result<Html<String>, PageError> {
    // After an action: what happened, in words.
    let notice = match q.done.as_str() {
        "sent" => Some("引継ぎを送りました。引継機関が受領すると、ここに表示されます。"),
        "receive" => Some("受領しました。送付元の機関に知らされます。"),
        "start" => Some("対応を始めました。"),
        "report" => Some("報告しました。送付元の機関に知らされます。"),
        "acknowledge" => Some("報告を受け取りました。この引継ぎは完了です。"),
        "withdraw" => Some("引継ぎを取り消しました。"),
        _ => None,
    };
    Ok(Html(
        handoff_page(&state, &user, id, None, String::new(), notice).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    response: String,
    reason: String,
    suggested_agency_id: String,
    phone: String,
}

pub async fn step(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Path((id, step)): Path<(i64, String)>,
    axum::Form(form): axum::Form<StepForm>,
) -> Result<Response, PageError> {
    let step = match step.as_str() {
        "receive" => HandoffStep::Receive,
        "start" => HandoffStep::Start,
        "report" => HandoffStep::Report,
        "acknowledge" => HandoffStep::Acknowledge,
        "return" => HandoffStep::Return,
        "withdraw" => HandoffStep::Withdraw,
        _ => return Err(PageError::NotFound),
    };
    let input = StepInput {
        response: Some(form.response.clone()),
        reason: Some(form.reason.clone()),
        suggested_agency_id: form.suggested_agency_id.parse().ok(),
        phone: Some(form.phone.clone()),
    };
    match state.app.take_step(&user.actor(), id, step, input).await {
        // A return ends the receiver's access: back to the inbox, saying so.
        Ok(h) if handoff_side_of(&user.actor(), &h).is_none() => {
            Ok(Redirect::to("/handoffs?box=inbox&done=returned").into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/handoffs/{id}?done={}", step.code())).into_response()),
        Err(e) => {
            let e = FormFailure::of(e)?;
            let typed = if form.response.is_empty() {
                form.reason
            } else {
                form.response
            };
            Ok((
                e.status,
                Html(handoff_page(&state, &user, id, Some(e.message), typed, None).await?),
            )
                .into_response())
        }
    }
}

pub async fn print(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    let record = state
        .app
        .handoff_record(&user.actor(), id, Reading::Print)
        .await?;
    let names = state
        .app
        .handoff_person_names(&user.actor(), &[&record.handoff])
        .await?;
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    let page = HandoffPrintPage {
        municipality: state.pack().municipality.name.clone(),
        h: HandoffView {
            sent_with: agency_names(&record.sent_with, &agencies),
            ..view(&state, &user, &record.handoff, &agencies, &users, &names)
        },
    };
    Ok(Html(page.render()?))
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    consultation_id: i64,
    typed: &SendInput,
    errors: Vec<String>,
    resend_of: Option<i64>,
) -> Result<String, PageError> {
    let (consultation, person, suggested) = state
        .app
        .handoff_draft(&user.actor(), consultation_id, "引継ぎ（No.3）作成画面")
        .await?;
    let agencies = state.app.agencies().await?;
    let suggested_ids: Vec<i64> = suggested.iter().map(|s| s.agency_id).collect();
    let purpose = typed
        .purpose
        .clone()
        .unwrap_or_else(|| Purpose::Refer.code().into());
    let urgency = typed
        .urgency
        .clone()
        .unwrap_or_else(|| Urgency::None.code().into());
    let page = HandoffNewPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        consultation_id,
        person_id: person.id,
        person_name: person.name.clone(),
        from_agency: agencies
            .iter()
            .find(|a| a.id == consultation.agency_id)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        purposes: [
            Purpose::MultiAgency,
            Purpose::UnknownPartner,
            Purpose::Refer,
        ]
        .into_iter()
        .map(|p| Choice {
            value: p.code().into(),
            label: p.label().into(),
            selected: p.code() == purpose,
        })
        .collect(),
        urgencies: [Urgency::WithinWeek, Urgency::WithinMonth, Urgency::None]
            .into_iter()
            .map(|u| Choice {
                value: u.code().into(),
                label: if u == Urgency::None {
                    "無".into()
                } else {
                    format!("有（{}）", u.label())
                },
                selected: u.code() == urgency,
            })
            .collect(),
        continue_at_origin: typed.continue_at_origin,
        suggested: suggested
            .iter()
            .map(|s| AgencyChoice {
                id: s.agency_id,
                name: s.name.clone(),
                checked: typed.to_agency_ids.contains(&s.agency_id),
            })
            .collect(),
        suggestion_reasons: suggested
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason))
            .collect(),
        others_open: typed
            .to_agency_ids
            .iter()
            .any(|id| !suggested_ids.contains(id)),
        others: PickerPart {
            groups: &agencies_by_field(
                &agencies,
                |a| a.active && a.id != consultation.agency_id && !suggested_ids.contains(&a.id),
                &typed.to_agency_ids,
            ),
            name: "to_agency_ids",
            picker_id: "agency-picker",
        }
        .html(),
        told_contact_name: typed.told_contact_name.clone().unwrap_or_default(),
        told_contact_phone: typed.told_contact_phone.clone().unwrap_or_default(),
        notes: typed.notes.clone(),
        consent_override_reason: typed.consent_override_reason.clone().unwrap_or_default(),
        self_consent: match self_consent_of(&consultation) {
            ConsentAnswer::Yes => None,
            other => Some(other.label().to_owned()),
        },
        self_consent_reason: typed.self_consent_reason.clone().unwrap_or_default(),
        sender_phone: typed.sender_phone.clone().unwrap_or_default(),
        agency_phone: agencies
            .iter()
            .find(|a| a.id == consultation.agency_id)
            .and_then(|a| a.contact.phone_with_extension())
            .unwrap_or_default(),
        errors,
        resend_of,
    };
    Ok(page.render()?)
}

fn empty_input(consultation_id: i64) -> SendInput {
    SendInput {
        consultation_id,
        to_agency_ids: Vec::new(),
        purpose: None,
        urgency: None,
        continue_at_origin: false,
        told_contact_name: None,
        told_contact_phone: None,
        notes: HandoffNotes::default(),
        consent_override_reason: None,
        self_consent_reason: None,
        sender_phone: None,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewHandoffQuery {
    /// A returned handoff to send again: its No.3 fills the form.
    resend: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::extract::Query(q): axum::extract::Query<NewHandoffQuery>,
) -> Result<Html<String>, PageError> {
    if let Ok(returned) = q.resend.trim().parse::<i64>() {
        let draft = state.app.resend_draft(&user.actor(), returned).await?;
        if draft.consultation_id != id {
            return Err(PageError::NotFound);
        }
        return Ok(Html(
            new_page(&state, &user, id, &draft, Vec::new(), Some(returned)).await?,
        ));
    }
    Ok(Html(
        new_page(&state, &user, id, &empty_input(id), Vec::new(), None).await?,
    ))
}

pub async fn send(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let resend_of = pairs
        .iter()
        .find(|(k, _)| k == "resend_of")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let mut input = empty_input(id);
    for (k, v) in pairs {
        let n = &mut input.notes;
        match k.as_str() {
            "purpose" => input.purpose = Some(v),
            "urgency" => input.urgency = Some(v),
            "continue_at_origin" => input.continue_at_origin = v == "true",
            "told_contact_name" => input.told_contact_name = Some(v),
            "told_contact_phone" => input.told_contact_phone = Some(v),
            "to_agency_ids" => input.to_agency_ids.extend(v.parse::<i64>().ok()),
            "consent_override_reason" => input.consent_override_reason = Some(v),
            "self_consent_reason" => input.self_consent_reason = Some(v),
            "sender_phone" => input.sender_phone = Some(v),
            "notes.done" => n.done = v,
            "notes.doing" => n.doing = v,
            "notes.planned" => n.planned = v,
            "notes.difficulties" => n.difficulties = v,
            "notes.other" => n.other = v,
            "notes.requests" => n.requests = v,
            _ => {}
        }
    }
    let typed = input.clone();
    let sent = match resend_of {
        Some(returned) => {
            state
                .app
                .resend_handoff(&user.actor(), returned, input)
                .await
        }
        None => state.app.send_handoffs(&user.actor(), input).await,
    };
    match sent {
        Ok(sent) => {
            let first = sent.first().map(|(id, _)| *id).unwrap_or_default();
            Ok(Redirect::to(&format!("/handoffs/{first}?done=sent")).into_response())
        }
        Err(e) => {
            let e = FormFailure::of(e)?;
            Ok((
                e.status,
                Html(new_page(&state, &user, id, &typed, vec![e.message], resend_of).await?),
            )
                .into_response())
        }
    }
}
