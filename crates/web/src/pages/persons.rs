//! Person pages (web): search and the person's page. Shared search logic.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::id::Id;

use crate::auth::WebUser;
use crate::error::{FormFailure, PageError};
use crate::pages::templates::{
    AgencyChoice, ChangeView, FactView, Nav, PersonPage, PersonRowView, PersonsPage, TimelineEntry,
};
use crate::views::intake::history_value;
use crate::views::intake::{date_label, label_of, method_label};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tsunagaru_app::person_records::person_query;
use tsunagaru_app::person_records::{NOTE_METHODS, NoteInput};
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{CareLevel, Housing, Sex, Utility};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    birth_date: String,
    phone: String,
}

pub async fn search_page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, PageError> {
    // The search is for roles that work with persons; the app refuses the
    // query itself to anyone else.
    if !tsunagaru_app::policy::works_with_persons(&user.actor()) {
        return Err(PageError::Forbidden);
    }
    let asked = !(form.q.trim().is_empty()
        && form.birth_date.trim().is_empty()
        && form.phone.trim().is_empty());
    let (results, error) = if asked {
        match person_query(Some(&form.q), Some(&form.birth_date), Some(&form.phone)) {
            Ok(query) => {
                let found = state.app.search_persons(&user.actor(), &query).await?;
                let rows = found
                    .into_iter()
                    .map(|p| PersonRowView {
                        id: p.id,
                        name: p.name,
                        kana: p.kana.unwrap_or_default(),
                        birth_date: p.birth_date.map(date_label).unwrap_or_default(),
                        address: p.address.unwrap_or_default(),
                    })
                    .collect();
                (Some(rows), None)
            }
            Err(message) => (None, Some(message)),
        }
    } else {
        (None, None)
    };
    let page = PersonsPage {
        nav: Nav::new(&user, &state.pack().municipality.name),
        q: form.q,
        birth_date: form.birth_date,
        phone: form.phone,
        error,
        results,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize, Default)]
pub struct PersonQueryString {
    created: Option<String>,
    /// What was just done, for the notice.
    done: Option<String>,
}

/// The notice after an action on the person page.
fn person_notice(q: &PersonQueryString) -> Option<&'static str> {
    if q.created.is_some() {
        return Some("相談を受け付けました。");
    }
    Some(match q.done.as_deref()? {
        "note" => "支援経過を記録しました。",
        "edited" => "基本情報を修正しました。修正の履歴に残っています。",
        "protection" => "保護の設定を保存しました。",
        "merged" => "記録を統合しました。",
        "unmerged" => "記録の統合を取り消しました。",
        "consent" => "同意を変更しました。",
        _ => return None,
    })
}

/// What a note form carried back after an error.
#[derive(Default)]
struct NoteDraft {
    errors: Vec<String>,
    input: NoteInput,
    /// The 参加支援 form's message and what was typed.
    match_message: String,
    match_reasons: String,
    match_menu: Option<i64>,
}

/// The person page again, with the 参加支援 form's error and what was typed.
pub async fn render_with_match_error(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    message: String,
    reasons: String,
    menu: Option<i64>,
) -> Result<String, PageError> {
    let draft = NoteDraft {
        match_message: message,
        match_reasons: reasons,
        match_menu: menu,
        ..NoteDraft::default()
    };
    person_page(state, user, id, None, draft).await
}

async fn person_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<&'static str>,
    draft: NoteDraft,
) -> Result<String, PageError> {
    let record = state.app.person_record(&user.actor(), id, "画面").await?;
    let person = record.person;
    let consultations = record.consultations;
    let notes = record.notes;
    let handoffs = record.handoffs;
    let agencies = state.app.agencies().await?;
    let users = state.app.staff().await?;
    let agency_name = |agency_id: i64| {
        agencies
            .iter()
            .find(|a| a.id == agency_id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    let hidden = !person.whereabouts_visible_to(user.user.id);
    let whereabouts = |value: String| {
        if hidden {
            "（保護のため表示しません）".to_owned()
        } else {
            value
        }
    };
    let today = state.today();
    let facts = vec![
        FactView {
            label: "性別",
            value: label_of(person.sex.as_deref(), Sex::parse, Sex::label),
        },
        FactView {
            label: "生年月日",
            value: person
                .birth_date
                .map(|b| {
                    let d = EraDate::from_date(b);
                    format!("{}　{}歳", d.label(), d.age_on(today).unwrap_or_default())
                })
                .unwrap_or_default(),
        },
        FactView {
            label: "住所",
            value: whereabouts(format!(
                "{}{}",
                person
                    .postal_code
                    .as_deref()
                    .map(|p| format!("〒{p} "))
                    .unwrap_or_default(),
                person.address.clone().unwrap_or_default()
            )),
        },
        FactView {
            label: "担当地域包括支援センター",
            value: whereabouts(
                person
                    .address
                    .as_deref()
                    .map(|a| {
                        crate::views::address::route_message(&state.address().route(&format!(
                            "{} {a}",
                            person.postal_code.as_deref().unwrap_or_default()
                        )))
                    })
                    .unwrap_or_default(),
            ),
        },
        FactView {
            label: "電話",
            value: whereabouts(
                person
                    .phones
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}",
                            if p.kind == "home" { "自宅" } else { "携帯" },
                            p.number
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("　"),
            ),
        },
        FactView {
            label: "介護認定",
            value: label_of(
                person.care_level.as_deref(),
                CareLevel::parse,
                CareLevel::label,
            ),
        },
        FactView {
            label: "ライフライン停止状況",
            value: if person.utilities.is_empty() {
                "無".into()
            } else {
                person
                    .utilities
                    .iter()
                    .map(|u| label_of(Some(u), Utility::parse, Utility::label))
                    .collect::<Vec<_>>()
                    .join("・")
            },
        },
        FactView {
            label: "住居",
            value: label_of(person.housing.as_deref(), Housing::parse, Housing::label),
        },
        FactView {
            label: "他支援機関等への相談",
            value: person.other_agencies.clone().unwrap_or_else(|| "無".into()),
        },
    ];
    let mut timeline: Vec<TimelineEntry> = consultations
        .iter()
        .map(|c| TimelineEntry {
            date: date_label(c.received_on),
            sort_key: c.received_on,
            kind: if c.voided.is_some() {
                "相談受付（取消）"
            } else {
                "相談受付"
            },
            method: method_label(&c.method),
            agency: agency_name(c.agency_id),
            text: c.chief_complaint.clone(),
            print_link: Some(format!("/consultations/{}", c.id)),
            handoff_link: (c.voided.is_none() && user.user.agency_ids.contains(&c.agency_id))
                .then(|| format!("/consultations/{}/handoffs", c.id)),
        })
        .chain(notes.iter().map(|n| TimelineEntry {
            date: date_label(n.noted_on),
            sort_key: n.noted_on,
            kind: "支援経過",
            method: n.method.clone(),
            agency: agency_name(n.agency_id),
            text: n.content.clone(),
            print_link: None,
            handoff_link: None,
        }))
        .chain(handoffs.iter().map(|h| TimelineEntry {
            date: date_label(h.sent_on),
            sort_key: h.sent_on,
            kind: "引継ぎ",
            method: h.state.label().to_owned(),
            agency: format!(
                "{} → {}",
                agency_name(h.from_agency_id),
                agency_name(h.to_agency_id)
            ),
            text: h.notes.requests.clone(),
            print_link: Some(format!("/handoffs/{}", h.id)),
            handoff_link: None,
        }))
        .collect();
    timeline.sort_by_key(|t| std::cmp::Reverse(t.sort_key));
    // The person's household across the sheets: a row from an older sheet
    // says which day it is as of.
    let newest = consultations.first().map(|c| c.id);
    let members: Vec<crate::pages::print::PrintMember> = record
        .household
        .iter()
        .map(|h| {
            let mut row = crate::pages::print::PrintMember::of(&h.member);
            if Some(h.consultation_id) != newest {
                row.as_of = date_label(h.as_of);
            }
            row
        })
        .collect();
    let household_rows: Vec<tsunagaru_store::MemberRow> =
        record.household.iter().map(|h| h.member.clone()).collect();
    // Users of the agencies involved may be named to see a protected person's whereabouts.
    let involved: Vec<i64> = consultations.iter().map(|c| c.agency_id).collect();
    let viewers = users
        .iter()
        .filter(|u| {
            u.active
                && u.role.works_with_persons()
                && u.agency_ids.iter().any(|a| involved.contains(a))
        })
        .map(|u| AgencyChoice {
            id: u.id,
            name: format!("{}（{}）", u.display_name, u.username),
            checked: person.protected_viewers.contains(&u.id),
        })
        .collect();
    let mut changes: Vec<ChangeView> = record
        .changes
        .into_iter()
        .map(|c| {
            let merge: Option<tsunagaru_store::MergeRecord> = c
                .after
                .as_deref()
                .or(c.before.as_deref())
                .and_then(|t| serde_json::from_str(t).ok());
            ChangeView {
                at: crate::views::cases::moment_label(c.at),
                user: users
                    .iter()
                    .find(|u| u.id == c.user_id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                unmerge: merge
                    .as_ref()
                    .filter(|_| c.field == "absorbed")
                    .map(|m| m.merged),
                after: match (&merge, c.field.as_str()) {
                    (Some(m), _) => format!(
                        "記録 {} を記録 {} に（相談 {} 件・支援経過 {} 件）",
                        m.merged,
                        m.kept,
                        m.consultations.len(),
                        m.notes.len()
                    ),
                    (None, field)
                        if hidden && tsunagaru_store::WHEREABOUTS_FIELDS.contains(&field) =>
                    {
                        "（保護のため表示しません）".into()
                    }
                    (None, field) => format!(
                        "{} → {}",
                        history_value(field, c.before.as_deref(), &users),
                        history_value(field, c.after.as_deref(), &users)
                    ),
                },
                field: match c.field.as_str() {
                    "protected" => "保護の設定".into(),
                    "merged_into" => "他の記録へ統合".into(),
                    "absorbed" => "他の記録を統合".into(),
                    "unmerged" => "統合の取り消し".into(),
                    "split" => "統合した記録の分離".into(),
                    "name" => "氏名".into(),
                    "kana" => "ふりがな".into(),
                    "sex" => "性別".into(),
                    "birth_date" => "生年月日".into(),
                    "postal_code" => "郵便番号".into(),
                    "address" => "住所".into(),
                    "phones" => "電話".into(),
                    "other_agencies" => "他支援機関等への相談".into(),
                    "care_level" => "介護認定".into(),
                    "utilities" => "ライフライン停止状況".into(),
                    "disability" => "障害手帳".into(),
                    "housing" => "住居".into(),
                    "housing_other" => "住居（その他）".into(),
                    "household_consent" => "家族の同意".into(),
                    other => other.into(),
                },
            }
        })
        .collect();
    // Only a merge still in place can be undone.
    for change in &mut changes {
        if change
            .unmerge
            .is_some_and(|merged| !record.undoable_merges.contains(&merged))
        {
            change.unmerge = None;
        }
    }
    // 多機関協働: the cases the user may see, and (for the 事務局) the
    // consultations a case can be opened from.
    let mut cases = Vec::new();
    for c in &record.cases {
        {
            cases.push(crate::pages::templates::Choice {
                value: c.id.to_string(),
                label: format!(
                    "ケース {}（{}・{}開始）",
                    c.id,
                    c.state.label(),
                    date_label(c.opened_on)
                ),
                selected: false,
            });
        }
    }
    let is_team = state.app.team_agency(&user.actor()).await?.is_some();
    let case_openers = if is_team {
        consultations
            .iter()
            .filter(|c| !record.consultations_with_open_case.contains(&c.id))
            .map(|c| crate::pages::templates::Choice {
                value: c.id.to_string(),
                label: format!(
                    "{}の相談（{}）",
                    date_label(c.received_on),
                    c.chief_complaint
                ),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    // 参加支援: the menus this person takes part in, and the form to match.
    let menus = state.app.menus().await?;
    let participations = record
        .matches
        .iter()
        .map(|m| crate::pages::templates::Choice {
            value: m.id.to_string(),
            label: format!(
                "{}（{}から{}）",
                menus
                    .iter()
                    .find(|x| x.id == m.menu_id)
                    .map(|x| x.name.as_str())
                    .unwrap_or_default(),
                date_label(m.matched_on),
                if m.state == tsunagaru_domain::reach::MatchState::Active {
                    "参加中"
                } else {
                    "・終了"
                }
            ),
            selected: false,
        })
        .collect();
    let open_case_id = record
        .cases
        .iter()
        .find(|c| c.state.is_open())
        .map(|c| c.id);
    // 同意 can be changed (given later, withdrawn) by the 受付機関 of the sheet.
    let consent_form = consultations
        .iter()
        .find(|c| user.user.agency_ids.contains(&c.agency_id) && !c.household.is_empty())
        .map(|c| crate::pages::templates::ConsentForm {
            consultation_id: c.id,
            members: c
                .household
                .iter()
                .map(|m| crate::pages::templates::Choice {
                    value: (m.position + 1).to_string(),
                    label: format!(
                        "{}（{}）: 同意 {}",
                        m.name,
                        m.relationship,
                        m.consent.label()
                    ),
                    selected: false,
                })
                .collect(),
        });
    let page = PersonPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        consent_form,
        participations,
        menus: menus
            .iter()
            .filter(|m| m.active)
            .map(|m| crate::pages::templates::Choice {
                value: m.id.to_string(),
                label: m.name.clone(),
                selected: Some(m.id) == draft.match_menu,
            })
            .collect(),
        match_message: draft.match_message,
        match_reasons: draft.match_reasons,
        open_case_id,
        cases,
        case_openers,
        id,
        kana: person.kana.clone().unwrap_or_default(),
        protected: person.protected,
        hidden,
        notice,
        facts,
        genogram: if household_rows.is_empty() {
            String::new()
        } else {
            crate::pages::genogram::svg(&household_rows)
        },
        members,
        timeline,
        note_methods: NOTE_METHODS.to_vec(),
        note_errors: draft.errors,
        note_content: draft.input.content,
        note_date: draft.input.noted_on,
        note_method: draft.input.method,
        viewers,
        changes,
        can_merge: user.role().can_merge_persons(),
        name: person.name,
    };
    Ok(page.render()?)
}

pub async fn page(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    Query(q): Query<PersonQueryString>,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        person_page(&state, &user, id, person_notice(&q), NoteDraft::default()).await?,
    ))
}

pub async fn add_note(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::Form(input): axum::Form<NoteInput>,
) -> Result<Response, PageError> {
    match state.app.add_note(&user.actor(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}?done=note#timeline")).into_response()),
        Err(e) => {
            let e = FormFailure::of(e)?;
            let errors = if e.fields.is_empty() {
                vec![e.message]
            } else {
                e.fields.into_iter().map(|f| f.message).collect()
            };
            let draft = NoteDraft {
                errors,
                input,
                ..NoteDraft::default()
            };
            Ok((
                e.status,
                Html(person_page(&state, &user, id, None, draft).await?),
            )
                .into_response())
        }
    }
}

pub async fn protection(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let protected = pairs.iter().any(|(k, v)| k == "protected" && v == "true");
    let viewers: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "viewer_user_ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    state
        .app
        .set_protection(&user.actor(), id, protected, &viewers)
        .await?;
    Ok(Redirect::to(&format!("/persons/{id}?done=protection")).into_response())
}

#[derive(Deserialize)]
pub struct MergeForm {
    merge_person_id: String,
}

pub async fn merge(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    axum::Form(form): axum::Form<MergeForm>,
) -> Result<Response, PageError> {
    let other: i64 = tsunagaru_domain::kana::phone_key(&form.merge_person_id)
        .parse()
        .map_err(|_| PageError::BadRequest("統合する記録の番号を数字で入力してください".into()))?;
    state.app.merge_persons(&user.actor(), id, other).await?;
    Ok(Redirect::to(&format!("/persons/{id}?done=merged")).into_response())
}

fn edit_page(
    user: &CurrentUser,
    state: &AppState,
    id: i64,
    (version, current): (String, Vec<(String, String)>),
    p: tsunagaru_domain::intake::PersonInput,
    errors: std::collections::BTreeMap<String, Vec<String>>,
) -> Result<String, PageError> {
    use crate::pages::intake_form::choices;
    use tsunagaru_domain::intake::IntellectualGrade;
    let phone = |i: usize| {
        p.phones
            .get(i)
            .map(|x| x.number.clone())
            .unwrap_or_default()
    };
    let utilities: Vec<&str> = p.utilities.iter().map(String::as_str).collect();
    let page = crate::pages::templates::PersonEditPage {
        nav: Nav::new(user, &state.pack().municipality.name),
        id,
        version,
        current,
        phone_home: phone(0),
        phone_mobile: phone(1),
        sexes: choices(
            &[Sex::Male, Sex::Female, Sex::Other],
            Sex::code,
            Sex::label,
            &[p.sex.as_str()],
        ),
        care_levels: choices(
            CareLevel::ALL,
            CareLevel::code,
            CareLevel::label,
            &[p.care_level.as_str()],
        ),
        utilities: choices(Utility::ALL, Utility::code, Utility::label, &utilities),
        housings: choices(
            Housing::ALL,
            Housing::code,
            Housing::label,
            &[p.housing.as_str()],
        ),
        intellectual: choices(
            IntellectualGrade::ALL,
            IntellectualGrade::code,
            IntellectualGrade::label,
            &[p.disability.intellectual.as_str()],
        ),
        errors,
        p,
    };
    Ok(page.render()?)
}

pub async fn edit_form(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
) -> Result<Html<String>, PageError> {
    let actor = user.actor();
    state.app.editable_person(&actor, id).await?;
    let person = state.app.read_person(&actor, id, "修正画面").await?;
    Ok(Html(edit_page(
        &user,
        &state,
        id,
        (
            tsunagaru_store::version_of(Some(person.updated_at)),
            Vec::new(),
        ),
        tsunagaru_app::person_records::person_input(&person),
        Default::default(),
    )?))
}

pub async fn edit(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: Bytes,
) -> Result<Response, PageError> {
    // Someone who may not correct the record gets the reason, not the form.
    state.app.editable_person(&user.actor(), id).await?;
    let (input, _) = crate::pages::intake_form::read_form(&body);
    let person_input = input.person;
    let version: String = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v)
        .unwrap_or_default();
    match state
        .app
        .update_person(&user.actor(), id, Some(version.as_str()), &person_input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}?done=edited")).into_response()),
        Err(e) => {
            // What was typed comes back with the reasons beside the fields.
            let e = FormFailure::of(e)?;
            let mut errors = crate::pages::intake_form::errors_by_field(&e.fields);
            if errors.is_empty() {
                errors.insert("form".to_owned(), vec![e.message.clone()]);
            }
            // Changed meanwhile: the record as it is now, beside what was typed.
            let (version, current) = if e.status == axum::http::StatusCode::CONFLICT {
                let now = state
                    .app
                    .read_person(&user.actor(), id, "修正画面（競合）")
                    .await?;
                let saved = tsunagaru_app::person_records::person_input(&now);
                let current = vec![
                    ("氏名".to_owned(), saved.name),
                    ("ふりがな".to_owned(), saved.kana),
                    ("生年月日".to_owned(), saved.birth_date),
                    ("郵便番号".to_owned(), saved.address.postal_code),
                    ("住所".to_owned(), saved.address.line),
                    (
                        "電話".to_owned(),
                        saved
                            .phones
                            .iter()
                            .map(|p| p.number.clone())
                            .collect::<Vec<_>>()
                            .join("・"),
                    ),
                ];
                (tsunagaru_store::version_of(Some(now.updated_at)), current)
            } else {
                (version, Vec::new())
            };
            Ok((
                e.status,
                Html(edit_page(
                    &user,
                    &state,
                    id,
                    (version, current),
                    person_input,
                    errors,
                )?),
            )
                .into_response())
        }
    }
}

pub async fn unmerge(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Path((id, merged)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (Ok(id), Ok(merged)) = (id.parse::<i64>(), merged.parse::<i64>()) else {
        return Err(PageError::NotFound);
    };
    state
        .app
        .unmerge_person(&user.actor(), merged, Some(id))
        .await?;
    Ok(Redirect::to(&format!("/persons/{id}?done=unmerged")).into_response())
}

/// 同意の変更 from the person page: back to the page, or the reason.
pub async fn change_consent(
    State(state): State<AppState>,
    WebUser(user): WebUser,
    Id(id): Id,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let pairs = super::cases::form_pairs(&body);
    let position: i64 = super::cases::field(&pairs, "position")
        .parse()
        .map_err(|_| PageError::BadRequest("同意を変更する家族を選んでください".into()))?;
    let consent = super::cases::field(&pairs, "consent");
    let (person, _) = state
        .app
        .change_consent(&user.actor(), id, position, &consent)
        .await?;
    Ok(Redirect::to(&format!("/persons/{person}?done=consent#household")).into_response())
}
