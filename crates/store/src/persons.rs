//! Persons, consultations, households and progress notes as stored.
//!
//! Structured parts with no query of their own (phones, 障害手帳, 相談内容,
//! the requester) are JSON text columns; everything searched or joined on is
//! a column of its own.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tsunagaru_domain::intake::{
    ConsentAnswer, IntakeSheet, MemberStatus, PersonSheet, Relationship,
};
use tsunagaru_domain::kana::{phone_key, search_key};

/// 電話: its kind (自宅・携帯) and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Phone))]
pub struct StoredPhone {
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::intake::PhoneKind>))]
    pub kind: String,
    pub number: String,
}

/// 障害手帳: 身体（種・級）, 療育（区分）, 精神（級）.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Disability))]
pub struct StoredDisability {
    pub physical_type: Option<u8>,
    pub physical_grade: Option<u8>,
    pub physical: bool,
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::codes_or_null::<tsunagaru_domain::intake::IntellectualGrade>))]
    pub intellectual: Option<String>,
    pub mental_grade: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredConcern {
    pub code: String,
    pub main: bool,
    pub text: Option<String>,
}

/// 相談者 when it is not 本人.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Requester))]
pub struct StoredRequester {
    pub name: String,
    pub kana: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::codes_or_null::<tsunagaru_domain::intake::Sex>))]
    pub sex: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub birth_date: Option<NaiveDate>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phones: Vec<StoredPhone>,
    pub relationship: String,
}

/// Where a new consultation comes from.
#[derive(Debug, Clone)]
pub struct IntakeContext {
    /// The 受付機関: the user's agency that takes the consultation.
    pub agency_id: i64,
    pub user_id: i64,
    /// The town the address router found, for lists and catchment.
    pub town: Option<String>,
    /// Attach to this person instead of creating one (chosen among the
    /// possible duplicates).
    pub existing_person_id: Option<i64>,
    /// The アウトリーチ target this consultation connects (it becomes
    /// 相談につながった in the same transaction).
    pub outreach_target_id: Option<i64>,
    /// The event (出前相談会) where the consultation was taken.
    pub event_id: Option<i64>,
}

/// One intake of a batch written together (a data migration, or a
/// synthetic data set): the sheet as `create_intake` writes it, with the
/// progress notes and the handoffs that follow it. The handoffs' consultation
/// and person are the ones this intake writes, whatever they name.
#[derive(Debug, Clone)]
pub struct ImportedIntake {
    pub sheet: IntakeSheet,
    pub ctx: IntakeContext,
    /// 経過記録 of the person, by the intake's agency and user.
    pub notes: Vec<ImportedNote>,
    pub handoffs: Vec<crate::NewHandoff>,
}

#[derive(Debug, Clone)]
pub struct ImportedNote {
    pub noted_on: NaiveDate,
    pub method: String,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IntakeIds {
    pub consultation_id: i64,
    pub person_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub kana: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    pub phones: String,
    pub other_agencies: Option<String>,
    pub care_level: Option<String>,
    pub utilities: String,
    pub disability: String,
    pub housing: Option<String>,
    pub housing_other: Option<String>,
    pub protected: bool,
    pub merged_into: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A person as stored, with the parts decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub kana: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub town: Option<String>,
    pub phones: Vec<StoredPhone>,
    pub other_agencies: Option<String>,
    pub care_level: Option<String>,
    pub utilities: Vec<String>,
    pub disability: StoredDisability,
    pub housing: Option<String>,
    pub housing_other: Option<String>,
    /// 支援措置 / DV・虐待: address, phones and whereabouts only for the named users.
    pub protected: bool,
    pub protected_viewers: Vec<i64>,
    pub merged_into: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Person {
    pub fn from_row(row: PersonRow, protected_viewers: Vec<i64>) -> Person {
        Person {
            id: row.id,
            name: row.name,
            kana: row.kana,
            sex: row.sex,
            birth_date: row.birth_date,
            postal_code: row.postal_code,
            address: row.address,
            town: row.town,
            phones: serde_json::from_str(&row.phones).unwrap_or_default(),
            other_agencies: row.other_agencies,
            care_level: row.care_level,
            utilities: row
                .utilities
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            disability: serde_json::from_str(&row.disability).unwrap_or_default(),
            housing: row.housing,
            housing_other: row.housing_other,
            protected: row.protected,
            protected_viewers,
            merged_into: row.merged_into,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    /// Whether this user may see the address, phones and whereabouts.
    pub fn whereabouts_visible_to(&self, user_id: i64) -> bool {
        !self.protected || self.protected_viewers.contains(&user_id)
    }

    /// The copy a user may see: for a protected person and a user not named
    /// on the record, address, postal code, town and phones are removed.
    pub fn for_viewer(mut self, user_id: i64) -> Person {
        if !self.whereabouts_visible_to(user_id) {
            self.postal_code = None;
            self.address = None;
            self.town = None;
            self.phones.clear();
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsultationRow {
    pub id: i64,
    pub person_id: i64,
    pub agency_id: i64,
    pub user_id: i64,
    pub receiver_name: Option<String>,
    pub method: String,
    pub method_other: Option<String>,
    pub received_on: NaiveDate,
    pub requester: Option<String>,
    pub concerns: String,
    pub chief_complaint: String,
    pub situation: String,
    pub urgency: Option<String>,
    pub consent_confirmed_by: Option<String>,
    pub consent_confirmed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_by: Option<i64>,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    pub consultation_id: i64,
    pub position: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub relationship: Relationship,
    pub sex: Option<String>,
    pub age: Option<i64>,
    pub living: Option<String>,
    pub troubles: String,
    pub support: Option<String>,
    #[sqlx(try_from = "String")]
    pub consent: ConsentAnswer,
    #[sqlx(try_from = "String")]
    pub status: MemberStatus,
}

/// One 受付シート as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consultation {
    pub id: i64,
    pub person_id: i64,
    pub agency_id: i64,
    pub user_id: i64,
    pub receiver_name: Option<String>,
    pub method: String,
    pub method_other: Option<String>,
    pub received_on: NaiveDate,
    pub requester: Option<StoredRequester>,
    pub concerns: Vec<StoredConcern>,
    pub chief_complaint: String,
    pub situation: String,
    pub urgency: Option<String>,
    pub consent_confirmed_by: Option<String>,
    pub consent_confirmed_on: Option<NaiveDate>,
    pub household: Vec<MemberRow>,
    pub created_at: DateTime<Utc>,
    /// 取消: kept, hidden from the counts.
    pub voided: Option<Voiding>,
}

/// A sheet's 取消: when, by whom and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voiding {
    pub at: DateTime<Utc>,
    pub by: i64,
    pub reason: String,
}

/// A correction of a sheet's own fields: the new values of all of them, and
/// the changes (field, before, after, in words) to keep in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetCorrection {
    pub received_on: NaiveDate,
    pub method: String,
    pub method_other: Option<String>,
    pub receiver_name: Option<String>,
    pub chief_complaint: String,
    pub situation: String,
    pub urgency: Option<String>,
    pub concerns: Vec<StoredConcern>,
    pub changes: Vec<(String, Option<String>, Option<String>)>,
    pub user_id: i64,
}

/// One field's change on a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ConsultationChange {
    pub consultation_id: i64,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub user_id: i64,
    pub at: DateTime<Utc>,
}

impl Consultation {
    pub fn from_row(row: ConsultationRow, household: Vec<MemberRow>) -> Consultation {
        Consultation {
            id: row.id,
            person_id: row.person_id,
            agency_id: row.agency_id,
            user_id: row.user_id,
            receiver_name: row.receiver_name,
            method: row.method,
            method_other: row.method_other,
            received_on: row.received_on,
            requester: row.requester.and_then(|r| serde_json::from_str(&r).ok()),
            concerns: serde_json::from_str(&row.concerns).unwrap_or_default(),
            chief_complaint: row.chief_complaint,
            situation: row.situation,
            urgency: row.urgency,
            consent_confirmed_by: row.consent_confirmed_by,
            consent_confirmed_on: row.consent_confirmed_on,
            household,
            created_at: row.created_at,
            voided: match (row.voided_at, row.voided_by) {
                (Some(at), Some(by)) => Some(Voiding {
                    at,
                    by,
                    reason: row.void_reason.unwrap_or_default(),
                }),
                _ => None,
            },
        }
    }
}

/// 支援経過記録.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub person_id: i64,
    pub agency_id: i64,
    pub user_id: i64,
    pub noted_on: NaiveDate,
    pub method: String,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewNote {
    pub person_id: i64,
    pub agency_id: i64,
    pub user_id: i64,
    pub noted_on: NaiveDate,
    pub method: String,
    pub content: String,
}

/// A change to a person record, for the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonChange {
    pub person_id: i64,
    pub user_id: i64,
    pub at: DateTime<Utc>,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a person search asks for; every part given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonQuery {
    /// 氏名 or ふりがな, any kana form or width, spaces ignored.
    pub text: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Digits of a phone number, or part of it.
    pub phone: Option<String>,
    /// A whole phone number (its digits): the persons who have exactly it,
    /// found through its index (duplicate checks on intake).
    pub same_phone: Option<String>,
    /// A page after this one: the last person given (`updated_at`, id) in
    /// the search's order, newest first.
    pub after: Option<(DateTime<Utc>, i64)>,
    /// Only these persons (the near names a duplicate check found).
    pub ids: Option<Vec<i64>>,
}

/// A person's search keys, for comparing names (a duplicate check): no
/// other field, and not for showing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NameKeys {
    pub id: i64,
    pub name_key: String,
    pub kana_key: Option<String>,
}

/// The column values of a person, from a checked sheet.
pub struct PersonColumns {
    pub name: String,
    pub kana: Option<String>,
    pub name_key: String,
    pub kana_key: Option<String>,
    pub sex: Option<&'static str>,
    pub birth_date: Option<NaiveDate>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phones: String,
    pub phone_keys: String,
    pub other_agencies: Option<String>,
    pub care_level: Option<&'static str>,
    pub utilities: String,
    pub disability: String,
    pub housing: Option<&'static str>,
    pub housing_other: Option<String>,
}

pub fn person_columns(sheet: &IntakeSheet) -> PersonColumns {
    person_sheet_columns(&sheet.person)
}

pub fn person_sheet_columns(p: &PersonSheet) -> PersonColumns {
    let phones: Vec<StoredPhone> = p
        .phones
        .iter()
        .map(|ph| StoredPhone {
            kind: ph.kind.code().into(),
            number: ph.number.clone(),
        })
        .collect();
    let disability = StoredDisability {
        physical: p.disability.physical.is_some(),
        physical_type: p.disability.physical.and_then(|(t, _)| t),
        physical_grade: p.disability.physical.and_then(|(_, g)| g),
        intellectual: p.disability.intellectual.map(|g| g.code().into()),
        mental_grade: p.disability.mental,
    };
    PersonColumns {
        name: p.name.clone(),
        kana: p.kana.as_ref().map(|k| k.as_str().to_owned()),
        name_key: search_key(&p.name),
        kana_key: p.kana.as_ref().map(|k| search_key(k.as_str())),
        sex: p.sex.map(|s| s.code()),
        birth_date: p.birth_date.map(|d| d.date()),
        postal_code: p.postal_code.clone(),
        address: p.address.clone(),
        phones: serde_json::to_string(&phones).expect("phones serialize"),
        phone_keys: p
            .phones
            .iter()
            .map(|ph| phone_key(&ph.number))
            .collect::<Vec<_>>()
            .join(" "),
        other_agencies: p.other_agencies.clone(),
        care_level: p.care_level.map(|c| c.code()),
        utilities: p
            .utilities
            .iter()
            .map(|u| u.code())
            .collect::<Vec<_>>()
            .join(" "),
        disability: serde_json::to_string(&disability).expect("disability serializes"),
        housing: p.housing.map(|h| h.code()),
        housing_other: p.housing_other.clone(),
    }
}

pub fn concerns_json(sheet: &IntakeSheet) -> String {
    let concerns: Vec<StoredConcern> = sheet
        .concerns
        .iter()
        .map(|c| StoredConcern {
            code: c.concern.code().into(),
            main: c.main,
            text: c.text.clone(),
        })
        .collect();
    serde_json::to_string(&concerns).expect("concerns serialize")
}

pub fn requester_json(sheet: &IntakeSheet) -> Option<String> {
    sheet.requester.as_ref().map(|r| {
        serde_json::to_string(&StoredRequester {
            name: r.name.clone(),
            kana: r.kana.as_ref().map(|k| k.as_str().to_owned()),
            sex: r.sex.map(|s| s.code().to_owned()),
            birth_date: r.birth_date.map(|d| d.date()),
            postal_code: r.postal_code.clone(),
            address: r.address.clone(),
            phones: r
                .phones
                .iter()
                .map(|ph| StoredPhone {
                    kind: ph.kind.code().into(),
                    number: ph.number.clone(),
                })
                .collect(),
            relationship: r.relationship.clone(),
        })
        .expect("requester serializes")
    })
}

impl PersonColumns {
    /// The columns as (name, value) text for the history, in a fixed order.
    pub fn history_values(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("name", Some(self.name.clone())),
            ("kana", self.kana.clone()),
            ("sex", self.sex.map(str::to_owned)),
            ("birth_date", self.birth_date.map(|d| d.to_string())),
            ("postal_code", self.postal_code.clone()),
            ("address", self.address.clone()),
            ("phones", Some(self.phones.clone())),
            ("other_agencies", self.other_agencies.clone()),
            ("care_level", self.care_level.map(str::to_owned)),
            ("utilities", Some(self.utilities.clone())),
            ("disability", Some(self.disability.clone())),
            ("housing", self.housing.map(str::to_owned)),
            ("housing_other", self.housing_other.clone()),
        ]
    }
}

impl Person {
    /// The same (name, value) text as [`PersonColumns::history_values`].
    pub fn history_values(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("name", Some(self.name.clone())),
            ("kana", self.kana.clone()),
            ("sex", self.sex.clone()),
            ("birth_date", self.birth_date.map(|d| d.to_string())),
            ("postal_code", self.postal_code.clone()),
            ("address", self.address.clone()),
            (
                "phones",
                Some(serde_json::to_string(&self.phones).expect("phones serialize")),
            ),
            ("other_agencies", self.other_agencies.clone()),
            ("care_level", self.care_level.clone()),
            ("utilities", Some(self.utilities.join(" "))),
            (
                "disability",
                Some(serde_json::to_string(&self.disability).expect("disability serializes")),
            ),
            ("housing", self.housing.clone()),
            ("housing_other", self.housing_other.clone()),
        ]
    }
}

/// Fields whose values are whereabouts: hidden in the history like anywhere else.
pub const WHEREABOUTS_FIELDS: [&str; 3] = ["postal_code", "address", "phones"];

/// What a merge moved, kept in the history so it can be undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub kept: i64,
    pub merged: i64,
    pub consultations: Vec<i64>,
    pub notes: Vec<i64>,
}

impl MergeRecord {
    /// The record a merge left in a person's history (`absorbed`, `merged_into`).
    pub fn from_change(change: &PersonChange) -> Option<MergeRecord> {
        change
            .after
            .as_deref()
            .or(change.before.as_deref())
            .and_then(|t| serde_json::from_str(t).ok())
    }
}
