//! Meetings in the browser: the list and the scheduling form, a meeting's
//! page (agenda, minutes, decisions), the 支援会議's pledge page, the A4
//! print of agenda and minutes, and marking a task done.

use super::cases::{Errors, errors_of, field, form_pairs, meeting_label, team_cases};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{FormFailure, PageError};
use crate::id::Id;
use crate::pages::templates::{Choice, Nav};
use crate::views::cases::{MeetingRef, MeetingView, meeting_view};
use crate::views::picker::{PickerPart, users_by_agency};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tsunagaru_app::Reading;
use tsunagaru_app::meetings::{DecisionInput, MeetingAccess, MeetingInput};
use tsunagaru_domain::case::{AttendeeInput, AttendeeRole, MeetingKind, TopicInput};
use tsunagaru_domain::intake::FieldError;

#[derive(Template)]
#[template(path = "meetings.html")]
pub struct MeetingsPage {
    pub nav: Nav,
    pub upcoming: Vec<MeetingRef>,
    pub past: Vec<MeetingRef>,
    pub can_schedule: bool,
    pub kinds: Vec<Choice>,
    pub repeats: Vec<Choice>,
    /// Members by agency, with a filter box (rendered).
    pub members: String,
    pub title: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub count: String,
    pub support_at: String,
    pub message: String,
    pub errors: Errors,
}

/// The scheduling form as typed.
#[derive(Default, Clone)]
pub struct ScheduleForm {
    pub kind: String,
    pub title: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub repeat: String,
    pub count: String,
    pub support_at: String,
    pub members: Vec<i64>,
}

async fn render_meetings(
    state: &AppState,
    user: &CurrentUser,
    form: ScheduleForm,
    message: String,
    errors: &[FieldError],
) -> Result<String, PageError> {
    let today = state.today();
    let (upcoming, past): (Vec<MeetingRef>, Vec<MeetingRef>) = state
        .app
        .meetings_of(&user.actor())
        .await?
        .iter()
        .map(|m| MeetingRef::of(m, state))
        .partition(|m| m.starts_at.date() >= today);
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    // Members are chosen by agency, then person (a whole agency at once).
    let candidates: Vec<&tsunagaru_store::User> = users
        .iter()
        .filter(|u| u.active && u.role.sits_on_meetings() && u.id != user.user.id)
        .collect();
    let members = PickerPart {
        groups: &users_by_agency(&candidates, &agencies, &form.members),
        name: "member_user_ids",
        picker_id: "member-picker",
    }
    .html();
    let page = MeetingsPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        upcoming,
        past: past.into_iter().rev().collect(),
        can_schedule: state.app.may_schedule(&user.actor()).await?,
        kinds: MeetingKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: state.app.kind_name(k),
                selected: form.kind == k.code(),
            })
            .collect(),
        repeats: [
            ("once", "随時開催（1回）"),
            ("monthly", "定期開催（毎月）"),
            ("three_times_a_year", "定期開催（年3回）"),
        ]
        .into_iter()
        .map(|(v, l)| Choice {
            value: v.into(),
            label: l.into(),
            selected: form.repeat == v,
        })
        .collect(),
        members,
        title: form.title,
        date: form.date,
        time: form.time,
        place: form.place,
        count: form.count,
        support_at: form.support_at,
        message,
        errors: errors_of(errors),
    };
    Ok(page.render()?)
}

pub async fn list(
    State(state): State<AppState>,
    WebUser(user): WebUser,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        render_meetings(&state, &user, ScheduleForm::default(), String::new(), &[]).await?,
    ))
}

pub async fn schedule(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let form = ScheduleForm {
        kind: field(&pairs, "kind"),
        title: field(&pairs, "title"),
        date: field(&pairs, "date"),
        time: field(&pairs, "time"),
        place: field(&pairs, "place"),
        repeat: field(&pairs, "repeat"),
        count: field(&pairs, "count"),
        support_at: field(&pairs, "support_conference_at"),
        members: pairs
            .iter()
            .filter(|(k, _)| k == "member_user_ids")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    };
    let count = tsunagaru_domain::kana::fold_width(form.count.trim());
    let input = MeetingInput {
        kind: form.kind.clone(),
        title: form.title.clone(),
        starts_at: format!("{} {}", form.date.trim(), form.time.trim()),
        place: form.place.clone(),
        member_user_ids: form.members.clone(),
        repeat: form.repeat.clone(),
        count: count.parse().ok(),
        support_conference_at: form.support_at.clone(),
    };
    match state.app.schedule(&user.actor(), &input).await {
        Ok(ids) => {
            Ok(Redirect::to(&format!("/meetings/{}?done=scheduled", ids[0])).into_response())
        }
        Err(e) => {
            let e = FormFailure::of(e)?;
            let html = render_meetings(&state, &user, form, e.message, &e.fields).await?;
            Ok((e.status, Html(html)).into_response())
        }
    }
}

/// The consent gate's refusal, with the meetings offered instead.
pub struct Refusal {
    pub message: String,
    pub case_id: i64,
    pub instead: Vec<Choice>,
    pub instead_kind: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub nav: Nav,
    pub m: MeetingView,
    pub refusal: Option<Refusal>,
    /// After an action: what happened.
    pub notice: Option<&'static str>,
    pub message: String,
    pub errors: Errors,
    pub cases: Vec<Choice>,
    /// What a decision can be about: `case:ID` or `topic:ID`.
    pub agenda_cases: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub minutes: String,
    pub decision: DecisionInput,
    /// The topic form as typed, when it failed.
    pub topic: TopicInput,
    /// アウトリーチ targets the member works, for a 支援会議's agenda.
    pub targets: Vec<Choice>,
    /// The attendee form as typed, when it failed.
    pub attendee: AttendeeInput,
    /// The minutes saved meanwhile by someone else, shown beside the typed ones.
    pub minutes_conflict: bool,
    pub attendee_roles: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "meeting_pledge.html")]
pub struct PledgePage {
    pub nav: Nav,
    pub m: MeetingRef,
    pub then_case_id: Option<i64>,
    pub message: String,
}

#[derive(Default)]
struct MeetingForms {
    refusal: Option<Refusal>,
    notice: Option<&'static str>,
    message: String,
    errors: Vec<FieldError>,
    minutes: Option<String>,
    decision: DecisionInput,
    topic: TopicInput,
    attendee: AttendeeInput,
    /// The minutes were saved by someone else meanwhile: both are shown.
    minutes_conflict: bool,
}

impl MeetingForms {
    /// A failed form: its reason and the fields it names.
    fn failed(e: FormFailure) -> MeetingForms {
        MeetingForms {
            message: e.message,
            errors: e.fields,
            ..MeetingForms::default()
        }
    }
}

async fn render_meeting(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    forms: MeetingForms,
) -> Result<Response, PageError> {
    match state.app.meeting_access(&user.actor(), id).await? {
        MeetingAccess::Open(_) => {}
        MeetingAccess::PledgeFirst(m) => {
            let page = PledgePage {
                nav: Nav::new(user, &state.pack().municipality.name),
                m: MeetingRef::of(&m.row, state),
                then_case_id: None,
                message: String::new(),
            };
            return Ok((StatusCode::FORBIDDEN, Html(page.render()?)).into_response());
        }
    }
    let record = state
        .app
        .meeting_record(&user.actor(), id, Reading::Screen)
        .await?;
    let view = meeting_view(state, &record).await?;
    let agencies = state.app.agencies().await?;
    let cases = team_cases(state, user)
        .await?
        .into_iter()
        .filter(|c| !view.agenda.iter().any(|a| a.case_id.to_string() == c.value))
        .collect();
    let agenda_cases = view
        .agenda
        .iter()
        .map(|a| Choice {
            value: format!("case:{}", a.case_id),
            label: format!("ケース {}: {}", a.case_id, a.person_name),
            selected: forms.decision.case_id == Some(a.case_id),
        })
        .chain(view.topics.iter().map(|t| Choice {
            value: format!("topic:{}", t.agenda_item_id),
            label: format!("議題 {}: {}", t.position, t.title),
            selected: forms.decision.agenda_item_id == Some(t.agenda_item_id),
        }))
        .chain(view.unconsulted.iter().map(|u| Choice {
            value: format!("topic:{}", u.agenda_item_id),
            label: format!("議題 {}: {}", u.position, u.situation),
            selected: forms.decision.agenda_item_id == Some(u.agenda_item_id),
        }))
        .collect();
    let targets = if view.takes_unconsulted {
        state
            .app
            .targets_seen(&user.actor())
            .await?
            .into_iter()
            // Not yet consulted, and not on this agenda already.
            .filter(|t| {
                t.consultation_id.is_none()
                    && !view
                        .unconsulted
                        .iter()
                        .any(|u| u.outreach_target_id == t.id)
            })
            .map(|t| Choice {
                value: t.id.to_string(),
                label: format!(
                    "{}（{}）",
                    t.name.clone().unwrap_or_else(|| "氏名不明".into()),
                    t.description.chars().take(30).collect::<String>()
                ),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let attendee_roles = AttendeeRole::ALL
        .iter()
        .filter(|r| view.admits_self || **r != AttendeeRole::SelfPerson)
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: AttendeeRole::parse(&forms.attendee.role) == Some(*r),
        })
        .collect();
    let page = MeetingPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        minutes: forms.minutes.unwrap_or_else(|| view.minutes.clone()),
        m: view,
        refusal: forms.refusal,
        notice: forms.notice,
        message: forms.message,
        errors: errors_of(&forms.errors),
        cases,
        agenda_cases,
        agencies: agencies
            .iter()
            .filter(|a| a.active)
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
                selected: forms.decision.task_agency_id == Some(a.id),
            })
            .collect(),
        decision: forms.decision,
        topic: forms.topic,
        targets,
        attendee: forms.attendee,
        attendee_roles,
        minutes_conflict: forms.minutes_conflict,
    };
    let status = if page.message.is_empty() && page.refusal.is_none() {
        StatusCode::OK
    } else if page.refusal.is_some() || page.minutes_conflict {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MeetingDone {
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::extract::Query(q): axum::extract::Query<MeetingDone>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_str() {
        "scheduled" => Some("会議を登録しました。"),
        "agenda" => Some("議題に追加しました。"),
        "minutes" => Some("議事録を保存しました。"),
        "decision" => Some("決定事項を記録しました。タスクは担当機関のホームに表示されます。"),
        "attendance" => Some("出欠を記録しました。"),
        "attendee" => Some("出席者を追加しました。"),
        "linked" => Some("議題を相談にひも付けました。"),
        _ => None,
    };
    let forms = MeetingForms {
        notice,
        ..MeetingForms::default()
    };
    render_meeting(&state, &user, id, forms).await
}

/// Puts a case on the agenda (from the meeting page or the case page). A
/// 支援会議 member who has not pledged gets the pledge page first, which
/// then adds the case. The consent gate's refusal shows the meetings
/// offered instead.
async fn agenda_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    case_id: i64,
) -> Result<Response, PageError> {
    if let MeetingAccess::PledgeFirst(m) = state.app.meeting_access(&user.actor(), id).await? {
        let page = PledgePage {
            nav: Nav::new(user, &state.pack().municipality.name),
            m: MeetingRef::of(&m.row, state),
            then_case_id: Some(case_id),
            message: String::new(),
        };
        return Ok((StatusCode::FORBIDDEN, Html(page.render()?)).into_response());
    }
    match state.app.add_agenda(&user.actor(), id, case_id).await {
        Ok(Ok(())) => Ok(Redirect::to(&format!("/meetings/{id}?done=agenda")).into_response()),
        Ok(Err(refused)) => {
            let today = state.today();
            let mut instead = Vec::new();
            if let Some(kind) = refused.instead {
                for m in state.app.meetings_of(&user.actor()).await? {
                    if m.kind == kind && m.starts_at.date() >= today {
                        instead.push(Choice {
                            value: m.id.to_string(),
                            label: meeting_label(state, &m),
                            selected: false,
                        });
                    }
                }
            }
            let forms = MeetingForms {
                refusal: Some(Refusal {
                    message: refused.message,
                    case_id,
                    instead,
                    instead_kind: refused
                        .instead
                        .map(|k| state.app.kind_name(k))
                        .unwrap_or_default(),
                }),
                ..MeetingForms::default()
            };
            render_meeting(state, user, id, forms).await
        }
        Err(e) => {
            let e = FormFailure::of(e)?;
            let forms = MeetingForms {
                message: e.message,
                ..MeetingForms::default()
            };
            render_meeting(state, user, id, forms).await
        }
    }
}

fn case_id_of(pairs: &[(String, String)]) -> Result<i64, PageError> {
    field(pairs, "case_id")
        .parse()
        .map_err(|_| PageError::BadRequest("議題にするケースを選んでください".into()))
}

/// The meeting page's 議題に追加: a case (`case_id`), or a topic (`topic`,
/// with the 年度 whose 事業実績 it brings).
pub async fn add_agenda(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    if pairs.iter().any(|(k, _)| k == "outreach_target_id") {
        let target_id: i64 = field(&pairs, "outreach_target_id").parse().map_err(|_| {
            PageError::BadRequest("議題にするアウトリーチの対象を選んでください".into())
        })?;
        return match state
            .app
            .add_outreach_item(&user.actor(), id, target_id)
            .await
        {
            Ok(item) => Ok(
                Redirect::to(&format!("/meetings/{id}?done=agenda#item-{item}")).into_response(),
            ),
            Err(e) => {
                let e = FormFailure::of(e)?;
                let forms = MeetingForms::failed(e);
                render_meeting(&state, &user, id, forms).await
            }
        };
    }
    if pairs.iter().any(|(k, _)| k == "topic") {
        let input = TopicInput {
            topic: field(&pairs, "topic"),
            fiscal_year: field(&pairs, "fiscal_year"),
        };
        return match state.app.add_topic(&user.actor(), id, &input).await {
            Ok(item) => Ok(
                Redirect::to(&format!("/meetings/{id}?done=agenda#topic-{item}")).into_response(),
            ),
            Err(e) => {
                let e = FormFailure::of(e)?;
                let forms = MeetingForms {
                    topic: input,
                    ..MeetingForms::failed(e)
                };
                render_meeting(&state, &user, id, forms).await
            }
        };
    }
    agenda_for(&state, &user, id, case_id_of(&pairs)?).await
}

/// The case page's 議題にする: the meeting comes in the form.
pub async fn add_agenda_from_case(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let meeting_id: i64 = field(&pairs, "meeting_id")
        .parse()
        .map_err(|_| PageError::BadRequest("会議を選んでください".into()))?;
    agenda_for(&state, &user, meeting_id, case_id_of(&pairs)?).await
}

pub async fn pledge(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let then_case_id = field(&pairs, "then_case_id").parse::<i64>().ok();
    if field(&pairs, "pledge") != "yes" {
        let m = match state.app.meeting_access(&user.actor(), id).await? {
            MeetingAccess::Open(m) | MeetingAccess::PledgeFirst(m) => m,
        };
        let page = PledgePage {
            nav: Nav::new(&user, &state.pack().municipality.name),
            m: MeetingRef::of(&m.row, &state),
            then_case_id,
            message: "守秘義務の内容を確認したら、チェックを入れてください".into(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    state
        .app
        .pledge(&user.actor(), id)
        .await
        .map_err(PageError::from)?;
    match then_case_id {
        Some(case_id) => agenda_for(&state, &user, id, case_id).await,
        None => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
    }
}

pub async fn minutes(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let text = field(&pairs, "minutes");
    let version = field(&pairs, "minutes_version");
    match state
        .app
        .save_minutes(&user.actor(), id, Some(version.as_str()), &text)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}?done=minutes#minutes")).into_response()),
        Err(e) => {
            // The minutes typed come back in the box with the reason.
            let e = FormFailure::of(e)?;
            let conflict = e.status == StatusCode::CONFLICT;
            let forms = MeetingForms {
                minutes: Some(text),
                minutes_conflict: conflict,
                ..MeetingForms::failed(e)
            };
            render_meeting(&state, &user, id, forms).await
        }
    }
}

pub async fn decision(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    // `about` is `case:ID` or `topic:ID`; a bare `case_id` is a case.
    let about = field(&pairs, "about");
    let (case_id, agenda_item_id) = match about.split_once(':') {
        Some(("case", id)) => (id.parse().ok(), None),
        Some(("topic", id)) => (None, id.parse().ok()),
        _ => (field(&pairs, "case_id").parse().ok(), None),
    };
    let input = DecisionInput {
        case_id,
        agenda_item_id,
        text: field(&pairs, "text"),
        task_agency_id: field(&pairs, "task_agency_id").parse().ok(),
        task_title: field(&pairs, "task_title"),
        task_due_on: field(&pairs, "task_due_on"),
        agree_plan: field(&pairs, "agree_plan") == "yes",
    };
    match state.app.add_decision(&user.actor(), id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meetings/{id}?done=decision#decisions")).into_response())
        }
        Err(e) => {
            let e = FormFailure::of(e)?;
            let forms = MeetingForms {
                decision: input,
                ..MeetingForms::failed(e)
            };
            render_meeting(&state, &user, id, forms).await
        }
    }
}

/// 出欠: one 出席/欠席 choice per member (`attended_{user id}` = yes / no);
/// members left unchosen stay as they were.
pub async fn attendance(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let marks: Vec<(i64, bool)> = pairs
        .iter()
        .filter_map(|(key, value)| {
            let user_id = key.strip_prefix("attended_")?.parse::<i64>().ok()?;
            match value.as_str() {
                "yes" => Some((user_id, true)),
                "no" => Some((user_id, false)),
                _ => None,
            }
        })
        .collect();
    if let Err(e) = state.app.record_attendance(&user.actor(), id, &marks).await {
        let e = FormFailure::of(e)?;
        let forms = MeetingForms::failed(e);
        return render_meeting(&state, &user, id, forms).await;
    }
    Ok(Redirect::to(&format!("/meetings/{id}?done=attendance#attendance")).into_response())
}

/// An attendee who is not a user.
pub async fn attendee(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let input = AttendeeInput {
        name: field(&pairs, "name"),
        role: field(&pairs, "role"),
        organisation: field(&pairs, "organisation"),
        attended: Some(field(&pairs, "attended") != "no"),
    };
    match state.app.add_attendee(&user.actor(), id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meetings/{id}?done=attendee#attendance")).into_response())
        }
        Err(e) => {
            let e = FormFailure::of(e)?;
            let forms = MeetingForms {
                attendee: input,
                ..MeetingForms::failed(e)
            };
            render_meeting(&state, &user, id, forms).await
        }
    }
}

/// Links an agenda item about someone not yet consulted to the consultation
/// (相談 ID) that person came to.
pub async fn link(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let item: i64 = field(&pairs, "agenda_item_id")
        .parse()
        .map_err(|_| PageError::BadRequest("議題を選んでください".into()))?;
    let typed = tsunagaru_domain::kana::fold_width(field(&pairs, "consultation_id").trim());
    let Ok(consultation_id) = typed.parse::<i64>() else {
        let forms = MeetingForms {
            message: "相談の番号（相談 ID）を数字で入れてください".into(),
            errors: vec![FieldError {
                field: format!("consultation-{item}"),
                message: "相談の番号（相談 ID）を数字で入れてください".into(),
            }],
            ..MeetingForms::default()
        };
        return render_meeting(&state, &user, id, forms).await;
    };
    match state
        .app
        .link_agenda_consultation(&user.actor(), id, item, consultation_id)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/meetings/{id}?done=linked#item-{item}")).into_response())
        }
        Err(e) => {
            let e = FormFailure::of(e)?;
            let forms = MeetingForms::failed(e);
            render_meeting(&state, &user, id, forms).await
        }
    }
}

#[derive(Template)]
#[template(path = "meeting_print.html")]
pub struct MeetingPrintPage {
    pub m: MeetingView,
    pub municipality: String,
}

pub async fn print(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    let record = state
        .app
        .meeting_record(&user.actor(), id, Reading::Print)
        .await?;
    let view = meeting_view(&state, &record).await?;
    let page = MeetingPrintPage {
        m: view,
        municipality: state.pack().municipality.name.clone(),
    };
    Ok(Html(page.render()?))
}

pub async fn task_done(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    state
        .app
        .complete_task(&user.actor(), id)
        .await
        .map_err(PageError::from)?;
    // The home page confirms it and offers the undo for a short while.
    Ok(Redirect::to(&format!("/?done=task&task={id}#notice")).into_response())
}

/// 完了 taken back (a slip of the finger), by whoever marked it, shortly after.
pub async fn task_undo(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    state
        .app
        .reopen_task(&user.actor(), id)
        .await
        .map_err(PageError::from)?;
    Ok(Redirect::to("/?done=task_reopened#tasks").into_response())
}
