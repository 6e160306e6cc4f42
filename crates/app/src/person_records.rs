//! A person's record as each actor may read it (the person page, the API,
//! the edit form), the search, progress notes (支援経過) and corrections of
//! the 基本情報.

use crate::intake::{intake_agency, view_detail};
use crate::{Actor, App, AppError, FieldError, policy};
use serde::Deserialize;
use tsunagaru_domain::AuditAction;
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::PersonInput;
use tsunagaru_store::{
    Case, Consultation, Handoff, MergeRecord, NewNote, Note, ParticipationMatch, Person,
    PersonChange, PersonQuery, WHEREABOUTS_FIELDS,
};

/// Everything on a person's page, as the actor may see it.
pub struct PersonRecord {
    pub person: Person,
    /// The person's sheets, each shaped for the actor (`consultations_shown`).
    pub consultations: Vec<Consultation>,
    /// The person's household across the sheets, as the actor may see it.
    pub household: Vec<crate::persons::HouseholdMember>,
    pub notes: Vec<Note>,
    /// The handoffs the actor's agencies send or (while they stand) receive.
    pub handoffs: Vec<Handoff>,
    /// The history; protected whereabouts are blanked for unnamed actors.
    pub changes: Vec<PersonChange>,
    /// Records merged into this one whose merge can still be undone.
    pub undoable_merges: Vec<i64>,
    /// The person's cases the actor may open.
    pub cases: Vec<Case>,
    /// Sheets a case is open from (not offered to open another).
    pub consultations_with_open_case: Vec<i64>,
    pub matches: Vec<ParticipationMatch>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NoteInput {
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub noted_on: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::person_records::note_methods))]
    pub method: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub content: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<tsunagaru_domain::openapi::RecordId>))]
    pub agency_id: Option<i64>,
}

pub const NOTE_METHODS: [&str; 5] = ["電話", "来所", "訪問", "会議", "その他"];

/// The methods a note takes, for the API's document.
#[cfg(feature = "openapi")]
pub fn note_methods() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::one_of_strings(&NOTE_METHODS)
}

/// Checks a progress note; problems per field. A date in the future is refused.
pub fn parse_note(
    input: &NoteInput,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let noted_on = if input.noted_on.trim().is_empty() {
        Some(today)
    } else {
        EraDate::parse_happened(&input.noted_on, today, "記録日")
            .map_err(|message| {
                errors.push(FieldError {
                    field: "noted_on".into(),
                    message,
                })
            })
            .ok()
    };
    let method = input.method.trim();
    errors.extend(note_problems(method, &input.content));
    match (noted_on, errors.is_empty()) {
        (Some(d), true) => Ok((d, method.to_owned(), input.content.trim().to_owned())),
        _ => Err(errors),
    }
}

/// What is wrong with a note's method and content (trimmed), by field.
pub fn note_problems(method: &str, content: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !NOTE_METHODS.contains(&method) {
        errors.push(FieldError {
            field: "method".into(),
            message: "方法は 電話・来所・訪問・会議・その他 から選んでください".into(),
        });
    }
    let length = content.trim().chars().count();
    if length == 0 {
        errors.push(FieldError {
            field: "content".into(),
            message: "内容を入力してください".into(),
        });
    } else if length > tsunagaru_domain::intake::MAX_TEXT {
        errors.push(FieldError {
            field: "content".into(),
            message: format!(
                "内容は{}文字までです（{length}文字あります）。長い記録は分けてください",
                tsunagaru_domain::intake::MAX_TEXT
            ),
        });
    }
    errors
}

/// A person search from what was typed: any of 氏名・ふりがな, 生年月日
/// (和暦 or 西暦), 電話番号; at least one.
pub fn person_query(
    q: Option<&str>,
    birth_date: Option<&str>,
    phone: Option<&str>,
) -> Result<PersonQuery, String> {
    let birth_date = match birth_date.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => Some(
            EraDate::parse(b)
                .map_err(|e| format!("生年月日: {e}"))?
                .date(),
        ),
        None => None,
    };
    let query = PersonQuery {
        text: q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
        birth_date,
        phone: phone
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        ..PersonQuery::default()
    };
    if query == PersonQuery::default() {
        return Err("氏名・ふりがな、生年月日、電話番号のどれかを指定してください".into());
    }
    Ok(query)
}

impl App {
    /// A person as the actor may see them, audited as read `where_` (画面,
    /// API, 修正画面 …); a named user's read of a protected person is marked.
    pub async fn read_person(
        &self,
        actor: &Actor,
        id: i64,
        where_: &str,
    ) -> Result<Person, AppError> {
        let person = self.person_in_scope(actor, id).await?;
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::PersonViewed)
                    .record("person", id)
                    .detail(view_detail(&person, actor, where_)),
            )
            .await?;
        Ok(person)
    }

    /// The whole person page, audited as one read.
    pub async fn person_record(
        &self,
        actor: &Actor,
        id: i64,
        where_: &str,
    ) -> Result<PersonRecord, AppError> {
        let person = self.read_person(actor, id, where_).await?;
        let (consultations, household) = self.sheets_and_household(actor, &person).await?;
        let notes = self.repo.notes_of(id).await?;
        let handoffs = self
            .repo
            .handoffs_of_person(id)
            .await?
            .into_iter()
            .filter(|h| {
                policy::handoff_side(actor, h.from_agency_id, h.to_agency_id, h.state).is_some()
            })
            .collect();
        let hidden = !policy::sees_whereabouts(actor, person.protected, &person.protected_viewers);
        let changes: Vec<PersonChange> = self
            .repo
            .person_changes(id)
            .await?
            .into_iter()
            .map(|mut c| {
                if hidden && WHEREABOUTS_FIELDS.contains(&c.field.as_str()) {
                    c.before = None;
                    c.after = None;
                }
                c
            })
            .collect();
        let mut undoable_merges = Vec::new();
        for c in changes.iter().filter(|c| c.field == "absorbed") {
            if let Some(m) = MergeRecord::from_change(c)
                && self
                    .repo
                    .person(m.merged)
                    .await?
                    .and_then(|p| p.merged_into)
                    == Some(id)
            {
                undoable_merges.push(m.merged);
            }
        }
        let all_cases = self.repo.cases_of_person(id).await?;
        let consultations_with_open_case = all_cases
            .iter()
            .filter(|k| k.state.is_open())
            .map(|k| k.consultation_id)
            .collect();
        let mut cases = Vec::new();
        for c in all_cases {
            if let Some(c) = self.case_if_visible(actor, c).await? {
                cases.push(c);
            }
        }
        let matches = self.repo.matches_of_person(id).await?;
        Ok(PersonRecord {
            person,
            consultations,
            household,
            notes,
            handoffs,
            changes,
            undoable_merges,
            cases,
            consultations_with_open_case,
            matches,
        })
    }

    /// Searches the persons the actor may see; a protected person is found by
    /// phone only by a user named on the record; whereabouts are hidden as for
    /// any view. The search is audited (without what was searched for).
    pub async fn search_persons(
        &self,
        actor: &Actor,
        query: &PersonQuery,
    ) -> Result<Vec<Person>, AppError> {
        Ok(self.search_persons_page(actor, query, 100).await?.0)
    }

    /// One page of a search, newest first: the persons, and where the next
    /// page starts (`query.after` of the next call) if there is one.
    pub async fn search_persons_page(
        &self,
        actor: &Actor,
        query: &PersonQuery,
        limit: usize,
    ) -> Result<(Vec<Person>, Option<(chrono::DateTime<chrono::Utc>, i64)>), AppError> {
        if !actor.role.works_with_persons() {
            return Err(AppError::forbidden(
                "この役割では相談対象者を検索できません",
            ));
        }
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let mut rows = self
            .repo
            .search_persons(&actor.agency_ids, query, fetch)
            .await?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        // The next page starts after the last row read, whether or not it is shown.
        let next = if more {
            rows.last().map(|p| (p.updated_at, p.id))
        } else {
            None
        };
        let found: Vec<Person> = rows
            .into_iter()
            .filter(|p| query.phone.is_none() || p.whereabouts_visible_to(actor.id()))
            .map(|p| p.for_viewer(actor.id()))
            .collect();
        self.repo
            .append_audit(
                actor
                    .audit(AuditAction::PersonSearched)
                    .detail(format!("{} 件", found.len())),
            )
            .await?;
        Ok((found, next))
    }

    /// Adds a progress note (支援経過) to a person the actor may see, for one
    /// of the actor's agencies.
    pub async fn add_note(
        &self,
        actor: &Actor,
        person_id: i64,
        input: &NoteInput,
    ) -> Result<i64, AppError> {
        self.person_in_scope(actor, person_id).await?;
        let agency_id = intake_agency(actor, input.agency_id)?;
        let (noted_on, method, content) =
            parse_note(input, self.today()).map_err(AppError::Invalid)?;
        let note = NewNote {
            person_id,
            agency_id,
            user_id: actor.id(),
            noted_on,
            method,
            content,
        };
        Ok(self
            .repo
            .add_note(
                &note,
                actor
                    .audit(AuditAction::NoteAdded)
                    .detail(format!("相談対象者 {person_id}")),
            )
            .await?)
    }

    /// The person whose 基本情報 the actor may correct: on a protected
    /// person, only a user named on the record.
    pub async fn editable_person(&self, actor: &Actor, id: i64) -> Result<Person, AppError> {
        let person = self.person_in_scope(actor, id).await?;
        if !policy::sees_whereabouts(actor, person.protected, &person.protected_viewers) {
            return Err(AppError::forbidden(
                "保護対象の方の基本情報は、記録に名前のある利用者だけが修正できます",
            ));
        }
        Ok(person)
    }

    /// Corrects the 基本情報; the history keeps what changed (field, before,
    /// after, who, when). Returns the fields that changed.
    /// Corrects the 基本情報. With `version` (as the record was read), a
    /// correction over someone else's since is refused (409), never applied
    /// over it.
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<&str>,
        input: &PersonInput,
    ) -> Result<Vec<String>, AppError> {
        self.editable_person(actor, id).await?;
        let sheet = input.parse(self.today()).map_err(|errors| {
            AppError::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldError {
                        field: format!("person.{}", e.field.trim_start_matches("person.")),
                        message: e.message,
                    })
                    .collect(),
            )
        })?;
        let town = self.town_of(sheet.postal_code.as_deref(), sheet.address.as_deref());
        Ok(self
            .repo
            .update_person(
                id,
                version.map(str::trim).filter(|v| !v.is_empty()),
                &sheet,
                town,
                actor.id(),
                actor.audit(AuditAction::PersonUpdated),
            )
            .await?)
    }
}

/// The stored person as the sheet's 基本情報 input (to edit it, or to
/// start a new sheet from it).
pub fn person_input(person: &tsunagaru_store::Person) -> tsunagaru_domain::intake::PersonInput {
    use tsunagaru_domain::intake::{AddressInput, DisabilityInput, PersonInput, PhoneInput};
    let phone = |kind: &str| PhoneInput {
        kind: kind.into(),
        number: person
            .phones
            .iter()
            .find(|p| p.kind == kind)
            .map(|p| p.number.clone())
            .unwrap_or_default(),
    };
    let d = &person.disability;
    PersonInput {
        name: person.name.clone(),
        kana: person.kana.clone().unwrap_or_default(),
        sex: person.sex.clone().unwrap_or_default(),
        birth_date: person
            .birth_date
            .map(|b| tsunagaru_domain::era::EraDate::from_date(b).era_label())
            .unwrap_or_default(),
        address: AddressInput {
            postal_code: person.postal_code.clone().unwrap_or_default(),
            line: person.address.clone().unwrap_or_default(),
        },
        phones: vec![phone("home"), phone("mobile")],
        other_agencies: person.other_agencies.clone().unwrap_or_default(),
        care_level: person.care_level.clone().unwrap_or_default(),
        utilities: person.utilities.clone(),
        disability: DisabilityInput {
            physical_type: d.physical_type.map(|t| t.to_string()).unwrap_or_default(),
            physical_grade: d.physical_grade.map(|g| g.to_string()).unwrap_or_default(),
            intellectual: d.intellectual.clone().unwrap_or_default(),
            mental_grade: d.mental_grade.map(|g| g.to_string()).unwrap_or_default(),
        },
        housing: person.housing.clone().unwrap_or_default(),
        housing_other: person.housing_other.clone().unwrap_or_default(),
    }
}

impl App {
    /// A new sheet for a person already on record: 基本情報 and the
    /// household as the actor may see them, tied to the person (no
    /// duplicate question). Reading the person to fill it is audited.
    pub async fn intake_for_person(
        &self,
        actor: &Actor,
        person_id: i64,
    ) -> Result<tsunagaru_domain::intake::IntakeInput, AppError> {
        let person = self.read_person(actor, person_id, "受付シートへ").await?;
        let (_, household) = self.sheets_and_household(actor, &person).await?;
        let mut input = tsunagaru_domain::intake::IntakeInput {
            person: person_input(&person),
            ..Default::default()
        };
        input.household = household
            .iter()
            .map(|h| {
                let m = &h.member;
                tsunagaru_domain::intake::MemberInput {
                    name: m.name.clone(),
                    relationship: m.relationship.to_string(),
                    sex: m.sex.clone().unwrap_or_default(),
                    // An age recorded on an earlier sheet is as of then:
                    // left for the worker to confirm, except 本人's (from 基本情報).
                    age: None,
                    living: m.living.clone().unwrap_or_default(),
                    troubles: m.troubles.clone(),
                    support: m.support.clone().unwrap_or_default(),
                    // 同意 is given to the agency of each sheet: asked again.
                    consent: String::new(),
                    status: match m.status {
                        tsunagaru_domain::intake::MemberStatus::Current => String::new(),
                        other => other.code().to_owned(),
                    },
                }
            })
            .collect();
        Ok(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_dated_not_in_the_future_and_bounded_in_length() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let note = |noted_on: &str, content: String| NoteInput {
            noted_on: noted_on.into(),
            method: "電話".into(),
            content,
            agency_id: None,
        };
        assert!(parse_note(&note("", "様子を確認した".into()), today).is_ok());
        let future = parse_note(&note("2026-12-04", "x".into()), today).unwrap_err();
        assert_eq!(future[0].field, "noted_on");
        let long = "あ".repeat(tsunagaru_domain::intake::MAX_TEXT + 1);
        let refused = parse_note(&note("", long), today).unwrap_err();
        assert_eq!(refused[0].field, "content");
        assert!(
            refused[0].message.contains("4001文字"),
            "{}",
            refused[0].message
        );
    }
}
