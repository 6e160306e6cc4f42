//! 包括的相談支援受付シート No.1–2: what staff type, and the checked sheet.
//!
//! [`IntakeInput`] is what arrives (the API's JSON, or the web form turned into
//! the same shape); [`IntakeInput::parse`] either returns an [`IntakeSheet`]
//! whose every value is valid, or every problem at once, each tied to its
//! field so the form can show it in place.

use crate::era::EraDate;
use crate::kana::{Kana, phone_key};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: code (API/storage) ⇄ label (the sheet's words).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            /// Accepts the code or the sheet's label.
            pub fn parse(text: &str) -> Option<$name> {
                let text = text.trim();
                $name::ALL.iter().copied().find(|v| v.code() == text || v.label() == text)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::code::UnknownCode;
            fn try_from(code: String) -> Result<Self, Self::Error> {
                $name::parse(&code).ok_or($crate::code::UnknownCode {
                    vocabulary: stringify!($name),
                    code,
                })
            }
        }

        $crate::code::listed_codes!($name);
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// 相談方法
    Method { Phone = "phone", "電話"; InPerson = "in_person", "来談"; HomeVisit = "home_visit", "訪問"; Other = "other", "その他"; }
);
vocabulary!(
    /// 性別 (No.1: 男/女/左記以外; No.2: 男/女/不明)
    Sex { Male = "male", "男"; Female = "female", "女"; Other = "other", "左記以外"; Unknown = "unknown", "不明"; }
);
vocabulary!(
    /// 介護認定
    CareLevel {
        None = "none", "無";
        Support1 = "support_1", "要支援1"; Support2 = "support_2", "要支援2";
        Care1 = "care_1", "要介護1"; Care2 = "care_2", "要介護2"; Care3 = "care_3", "要介護3";
        Care4 = "care_4", "要介護4"; Care5 = "care_5", "要介護5";
    }
);
vocabulary!(
    /// ライフライン停止状況
    Utility { Water = "water", "水道"; Electricity = "electricity", "電気"; Gas = "gas", "ガス"; }
);
vocabulary!(
    /// 住居
    Housing { Owned = "owned", "持家"; Rented = "rented", "賃貸"; Other = "other", "その他"; }
);
vocabulary!(
    /// 療育手帳の区分
    IntellectualGrade { A = "A", "A"; B = "B", "B"; }
);
vocabulary!(
    /// 同居/別居
    Living { Together = "together", "同居"; SeparateInCity = "separate_in_city", "別居(市内)"; SeparateOutside = "separate_outside", "別居(市外)"; }
);
vocabulary!(
    /// Where a household member stands now: still in the household, or
    /// marked on a later sheet as moved out (転出) or deceased (死亡). A member
    /// is never dropped silently: a later sheet that leaves them out keeps them.
    MemberStatus { Current = "current", "世帯員"; MovedOut = "moved_out", "転出"; Deceased = "deceased", "死亡"; }
);
vocabulary!(
    /// 支援 必要/不要/不明
    SupportNeed { Needed = "needed", "必要"; NotNeeded = "not_needed", "不要"; Unknown = "unknown", "不明"; }
);
vocabulary!(
    /// 同意 有/無/不明
    ConsentAnswer { Yes = "yes", "有"; No = "no", "無"; Unknown = "unknown", "不明"; }
);
vocabulary!(
    /// 緊急の必要性
    Urgency { WithinWeek = "within_week", "1週間以内"; WithinMonth = "within_month", "1か月以内"; None = "none", "無"; }
);
vocabulary!(
    /// 電話の種類
    PhoneKind { Home = "home", "自宅"; Mobile = "mobile", "携帯"; }
);
vocabulary!(
    /// 相談内容: the sheet's 15 categories, in its order, and その他.
    Concern {
        Health = "health", "病気や健康、障害のこと";
        Housing = "housing", "住まいについて";
        Income = "income", "収入・生活費のこと";
        RentLoan = "rent_loan", "家賃やローンの支払いのこと";
        TaxUtilities = "tax_utilities", "税金や公共料金等の支払いについて";
        Debt = "debt", "債務について";
        JobSearch = "job_search", "仕事探し、就職について";
        WorkTrouble = "work_trouble", "仕事上の不安やトラブル";
        Community = "community", "地域との関係について";
        Family = "family", "家族との関係について";
        ChildRearing = "child_rearing", "子育てのこと";
        Care = "care", "介護のこと";
        Withdrawal = "withdrawal", "ひきこもり・不登校";
        Abuse = "abuse", "DV・虐待";
        Food = "food", "食べるものがない";
        Other = "other", "その他";
    }
);

// ---------------------------------------------------------------- input ----

/// The sheet as typed. Every field is text or optional, so nothing typed is
/// lost before it is checked.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IntakeInput {
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<Method>))]
    pub method: String,
    pub method_other: String,
    /// 受付年月日: YYYY-MM-DD or 和暦 (令和7年4月1日), not after today; empty for today.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub received_on: String,
    pub receiver_name: String,
    pub person: PersonInput,
    pub requester: Option<RequesterInput>,
    #[cfg_attr(feature = "openapi", schema(required = true, min_items = 1))]
    pub concerns: Vec<ConcernInput>,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S", max_length = 4000)
    )]
    pub chief_complaint: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub situation: String,
    #[cfg_attr(feature = "openapi", schema(max_items = 30))]
    pub household: Vec<MemberInput>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Urgency>))]
    pub urgency: String,
    pub consent: ConsentInput,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PersonInput {
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S", max_length = 100)
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, pattern = r"^[ぁ-ゖァ-ヺー・ 　]*$")
    )]
    pub kana: String,
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::person_sex))]
    pub sex: String,
    /// 生年月日: YYYY-MM-DD or 和暦, not after today.
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub birth_date: String,
    pub address: AddressInput,
    pub phones: Vec<PhoneInput>,
    /// 他支援機関等への相談の有無: the agencies, empty for 無.
    pub other_agencies: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<CareLevel>))]
    pub care_level: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::code_list::<Utility>))]
    pub utilities: Vec<String>,
    pub disability: DisabilityInput,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Housing>))]
    pub housing: String,
    pub housing_other: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AddressInput {
    #[cfg_attr(feature = "openapi", schema(pattern = r"^([0-9]{3}-?[0-9]{4})?$"))]
    pub postal_code: String,
    pub line: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PhoneInput {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<PhoneKind>))]
    pub kind: String,
    /// 市外局番から10桁または11桁 (hyphens are read too).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^0[0-9]{9,10}$"))]
    pub number: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DisabilityInput {
    /// 身体 種
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[1-2]?$"))]
    pub physical_type: String,
    /// 身体 級
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[1-7]?$"))]
    pub physical_grade: String,
    /// 療育 A/B
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<IntellectualGrade>))]
    pub intellectual: String,
    /// 精神 級
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[1-3]?$"))]
    pub mental_grade: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RequesterInput {
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, pattern = r"^[ぁ-ゖァ-ヺー・ 　]*$")
    )]
    pub kana: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Sex>))]
    pub sex: String,
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub birth_date: String,
    pub address: AddressInput,
    pub phones: Vec<PhoneInput>,
    /// 家族 (with 続柄) or その他 (with what).
    pub relationship: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ConcernInput {
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<Concern>))]
    pub category: String,
    pub main: bool,
    /// その他 (…)
    pub text: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MemberInput {
    pub name: String,
    pub relationship: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Sex>))]
    pub sex: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u8>, maximum = 130))]
    pub age: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Living>))]
    pub living: String,
    pub troubles: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<SupportNeed>))]
    pub support: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<ConsentAnswer>))]
    pub consent: String,
    /// Empty (in the household), 転出 / moved_out or 死亡 / deceased.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<MemberStatus>))]
    pub status: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ConsentInput {
    /// Who confirmed the 個人情報の取扱い with the household.
    pub confirmed_by: String,
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub confirmed_on: String,
}

// ---------------------------------------------------------------- sheet ----

/// A problem with one field, in Japanese, and where it is (`person.birth_date`,
/// `household[1].consent` …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub kind: PhoneKind,
    /// As typed (trimmed).
    pub number: String,
}

impl Phone {
    pub fn key(&self) -> String {
        phone_key(&self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Disability {
    pub physical: Option<(Option<u8>, Option<u8>)>,
    pub intellectual: Option<IntellectualGrade>,
    pub mental: Option<u8>,
}

impl Disability {
    pub fn is_none(&self) -> bool {
        self.physical.is_none() && self.intellectual.is_none() && self.mental.is_none()
    }

    /// 身体（1種2級）・療育（A）・精神（2級）, or 無.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some((kind, grade)) = self.physical {
            let kind = kind.map(|k| format!("{k}種")).unwrap_or_default();
            let grade = grade.map(|g| format!("{g}級")).unwrap_or_default();
            parts.push(format!("身体（{kind}{grade}）"));
        }
        if let Some(grade) = self.intellectual {
            parts.push(format!("療育（{}）", grade.label()));
        }
        if let Some(grade) = self.mental {
            parts.push(format!("精神（{grade}級）"));
        }
        if parts.is_empty() {
            "無".into()
        } else {
            parts.join("・")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSheet {
    pub name: String,
    pub kana: Option<Kana>,
    pub sex: Option<Sex>,
    pub birth_date: Option<EraDate>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phones: Vec<Phone>,
    pub other_agencies: Option<String>,
    pub care_level: Option<CareLevel>,
    pub utilities: Vec<Utility>,
    pub disability: Disability,
    pub housing: Option<Housing>,
    pub housing_other: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub name: String,
    pub kana: Option<Kana>,
    pub sex: Option<Sex>,
    pub birth_date: Option<EraDate>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phones: Vec<Phone>,
    pub relationship: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenConcern {
    pub concern: Concern,
    pub main: bool,
    pub text: Option<String>,
}

/// 続柄 as written on the sheet (free text: 母, 長男, 内縁の夫 …, never
/// empty); 本人 is the person the sheet is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Relationship(String);

impl Relationship {
    const SELF: &'static str = "本人";

    /// The person themself (本人).
    pub fn itself() -> Relationship {
        Relationship(Relationship::SELF.to_owned())
    }

    /// Trimmed, full-width spaces included; `None` when nothing is written.
    pub fn parse(text: &str) -> Option<Relationship> {
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        (!text.is_empty()).then(|| Relationship(text.to_owned()))
    }

    pub fn is_self(&self) -> bool {
        self.0 == Relationship::SELF
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Relationship {
    type Error = crate::code::UnknownCode;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Relationship::parse(&text).ok_or(crate::code::UnknownCode {
            vocabulary: "Relationship",
            code: text,
        })
    }
}

impl std::fmt::Display for Relationship {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 本人's 同意 in a household: the answer on the 本人 row, 不明 when the
/// household has none. What lets a sheet travel in a handoff.
pub fn self_consent<'a>(
    members: impl IntoIterator<Item = (&'a Relationship, ConsentAnswer)>,
) -> ConsentAnswer {
    members
        .into_iter()
        .find(|(relationship, _)| relationship.is_self())
        .map_or(ConsentAnswer::Unknown, |(_, consent)| consent)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub relationship: Relationship,
    pub sex: Option<Sex>,
    pub age: Option<u32>,
    pub living: Option<Living>,
    pub troubles: String,
    pub support: Option<SupportNeed>,
    pub consent: ConsentAnswer,
    pub status: MemberStatus,
}

impl Member {
    pub fn is_self(&self) -> bool {
        self.relationship.is_self()
    }
}

/// A checked sheet: every value valid, exactly one main concern, the person
/// first in the household as 本人.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeSheet {
    pub method: Method,
    pub method_other: Option<String>,
    pub received_on: NaiveDate,
    pub receiver_name: Option<String>,
    pub person: PersonSheet,
    pub requester: Option<Requester>,
    pub concerns: Vec<ChosenConcern>,
    pub chief_complaint: String,
    pub situation: String,
    pub household: Vec<Member>,
    pub urgency: Option<Urgency>,
    pub consent_confirmed_by: Option<String>,
    pub consent_confirmed_on: Option<NaiveDate>,
}

impl IntakeSheet {
    /// 年齢 at the 受付日.
    pub fn age(&self) -> Option<u32> {
        self.person
            .birth_date
            .and_then(|b| b.age_on(self.received_on))
    }

    pub fn main_concern(&self) -> Option<Concern> {
        self.concerns.iter().find(|c| c.main).map(|c| c.concern)
    }
}

/// Collects problems while reading the input.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn pick<T>(
    problems: &mut Problems,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        problems.add(field, format!("{what}「{value}」は選べません"));
    }
    parsed
}

fn date(problems: &mut Problems, field: &str, value: &str) -> Option<EraDate> {
    if value.trim().is_empty() {
        return None;
    }
    EraDate::parse(value)
        .map_err(|e| problems.add(field, e.to_string()))
        .ok()
}

/// The longest 主訴 or 経緯 a sheet takes (about four A4 pages).
pub const MAX_TEXT: usize = 4000;
/// The most household rows a sheet takes.
pub const MAX_HOUSEHOLD: usize = 30;

/// Refuses text longer than `max` characters, saying how long it is.
fn within(problems: &mut Problems, field: &str, label: &str, value: &str, max: usize) {
    let n = value.chars().count();
    if n > max {
        problems.add(
            field,
            format!("{label}は{max}文字までです（{n}文字あります）"),
        );
    }
}

/// The oldest age a birth date may give.
const OLDEST: u32 = 130;

/// A 生年月日: a date, not after `on` (the day of the sheet, or today) and
/// not more than [`OLDEST`] years before it.
fn birth_date(problems: &mut Problems, field: &str, value: &str, on: NaiveDate) -> Option<EraDate> {
    let born = date(problems, field, value)?;
    if born.date() > on {
        problems.add(
            field,
            format!(
                "生年月日（{}）が{}より後です",
                born.label(),
                EraDate::from_date(on).label()
            ),
        );
        return None;
    }
    if born.age_on(on).is_none_or(|age| age > OLDEST) {
        problems.add(
            field,
            format!(
                "生年月日（{}）では{OLDEST}歳を超えます。確認してください",
                born.label()
            ),
        );
        return None;
    }
    Some(born)
}

fn phones(problems: &mut Problems, field: &str, input: &[PhoneInput]) -> Vec<Phone> {
    input
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.number.trim().is_empty())
        .filter_map(|(i, p)| {
            let kind = if p.kind.trim().is_empty() {
                Some(PhoneKind::Home)
            } else {
                PhoneKind::parse(&p.kind)
            };
            let digits = phone_key(&p.number);
            match kind {
                None => problems.add(
                    format!("{field}[{i}].kind"),
                    format!("電話の種類「{}」は選べません", p.kind),
                ),
                Some(_) if !(10..=11).contains(&digits.len()) => problems.add(
                    format!("{field}[{i}].number"),
                    format!(
                        "電話番号「{}」は市外局番から10桁または11桁で入力してください",
                        p.number.trim()
                    ),
                ),
                Some(kind) => {
                    return Some(Phone {
                        kind,
                        number: p.number.trim().to_owned(),
                    });
                }
            }
            None
        })
        .collect()
}

fn postal(problems: &mut Problems, field: &str, value: &str) -> Option<String> {
    let digits = phone_key(value);
    if value.trim().is_empty() {
        return None;
    }
    if digits.len() != 7 {
        problems.add(
            field,
            format!("郵便番号「{}」は7桁で入力してください", value.trim()),
        );
        return None;
    }
    Some(format!("{}-{}", &digits[..3], &digits[3..]))
}

fn kana(problems: &mut Problems, field: &str, value: &str) -> Option<Kana> {
    Kana::parse(value)
        .map_err(|e| problems.add(field, e.to_string()))
        .ok()
        .flatten()
}

fn small_number(
    problems: &mut Problems,
    field: &str,
    value: &str,
    max: u8,
    what: &str,
) -> Option<u8> {
    let digits = phone_key(value);
    if value.trim().is_empty() {
        return None;
    }
    match digits.parse::<u8>() {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            problems.add(field, format!("{what}は1〜{max}の数字で入力してください"));
            None
        }
    }
}

/// A correction of a saved sheet's own fields: only those given change
/// (the person's 基本情報 is corrected on the person; the household on a
/// later sheet).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CorrectionInput {
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub received_on: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Method>))]
    pub method: Option<String>,
    pub method_other: Option<String>,
    pub receiver_name: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, pattern = r"\S", max_length = 4000)
    )]
    pub chief_complaint: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub situation: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::codes::<Urgency>))]
    pub urgency: Option<String>,
    pub concerns: Option<Vec<ConcernInput>>,
}

/// A correction, checked by the sheet's own rules. `None`: unchanged; an
/// inner `None`: cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correction {
    pub received_on: Option<NaiveDate>,
    pub method: Option<Method>,
    pub method_other: Option<Option<String>>,
    pub receiver_name: Option<Option<String>>,
    pub chief_complaint: Option<String>,
    pub situation: Option<String>,
    pub urgency: Option<Option<Urgency>>,
    pub concerns: Option<Vec<ChosenConcern>>,
}

impl CorrectionInput {
    pub fn is_empty(&self) -> bool {
        self.received_on.is_none()
            && self.method.is_none()
            && self.method_other.is_none()
            && self.receiver_name.is_none()
            && self.chief_complaint.is_none()
            && self.situation.is_none()
            && self.urgency.is_none()
            && self.concerns.is_none()
    }

    /// Checks what is given as the intake sheet does: a 受付年月日 that has
    /// come, a 相談方法 of the sheet, 主訴 not emptied, text within
    /// [`MAX_TEXT`], 相談内容 with one ◎.
    pub fn parse(&self, today: NaiveDate) -> Result<Correction, Vec<FieldError>> {
        let mut p = Problems::default();
        if self.is_empty() {
            p.add("", "修正する項目がありません");
        }
        let received_on = self.received_on.as_deref().and_then(|v| {
            if v.trim().is_empty() {
                p.add("received_on", "受付年月日を入力してください");
                return None;
            }
            let day = date(&mut p, "received_on", v)?.date();
            if day > today {
                p.add("received_on", "受付年月日が未来の日付です");
                return None;
            }
            Some(day)
        });
        let method = self.method.as_deref().and_then(|v| {
            if v.trim().is_empty() {
                p.add("method", "相談方法を選んでください");
                None
            } else {
                pick(&mut p, "method", v, Method::parse, "相談方法")
            }
        });
        for (field, label, value) in [
            ("chief_complaint", "主訴", &self.chief_complaint),
            ("situation", "現在の状況・経緯", &self.situation),
        ] {
            if let Some(v) = value {
                within(&mut p, field, label, v, MAX_TEXT);
            }
        }
        if self
            .chief_complaint
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            p.add("chief_complaint", "主訴を入力してください");
        }
        let urgency = self.urgency.as_deref().map(|v| {
            if v.trim().is_empty() {
                None
            } else {
                pick(&mut p, "urgency", v, Urgency::parse, "緊急の必要性")
            }
        });
        let concerns = self.concerns.as_ref().map(|given| {
            IntakeInput {
                concerns: given.clone(),
                ..IntakeInput::default()
            }
            .parse_concerns(&mut p)
        });
        if !p.0.is_empty() {
            return Err(p.0);
        }
        Ok(Correction {
            received_on,
            method,
            method_other: self.method_other.as_deref().map(text),
            receiver_name: self.receiver_name.as_deref().map(text),
            chief_complaint: self.chief_complaint.as_deref().map(|c| c.trim().to_owned()),
            situation: self.situation.as_deref().map(|c| c.trim().to_owned()),
            urgency,
            concerns,
        })
    }
}

impl PersonInput {
    /// Checks the 基本情報 alone (a later edit of the person, on `today`).
    pub fn parse(&self, today: NaiveDate) -> Result<PersonSheet, Vec<FieldError>> {
        let mut p = Problems::default();
        let holder = IntakeInput {
            person: self.clone(),
            ..IntakeInput::default()
        };
        let sheet = holder.parse_person(&mut p, today);
        if p.0.is_empty() { Ok(sheet) } else { Err(p.0) }
    }
}

impl IntakeInput {
    /// Checks the whole sheet. `today` is used when 受付年月日 is left empty.
    pub fn parse(&self, today: NaiveDate) -> Result<IntakeSheet, Vec<FieldError>> {
        let mut p = Problems::default();
        let method = if self.method.trim().is_empty() {
            p.add("method", "相談方法を選んでください");
            None
        } else {
            pick(&mut p, "method", &self.method, Method::parse, "相談方法")
        };
        let received_on = if self.received_on.trim().is_empty() {
            Some(today)
        } else {
            date(&mut p, "received_on", &self.received_on).map(EraDate::date)
        };
        if let Some(day) = received_on
            && day > today
        {
            p.add("received_on", "受付年月日が未来の日付です");
        }
        let person = self.parse_person(&mut p, received_on.unwrap_or(today));
        let requester = self
            .requester
            .as_ref()
            .filter(|r| !r.name.trim().is_empty() || !r.relationship.trim().is_empty())
            .map(|r| {
                if r.name.trim().is_empty() {
                    p.add("requester.name", "相談者の氏名を入力してください");
                }
                if r.relationship.trim().is_empty() {
                    p.add(
                        "requester.relationship",
                        "相談対象者との関係を入力してください",
                    );
                }
                Requester {
                    name: r.name.trim().to_owned(),
                    kana: kana(&mut p, "requester.kana", &r.kana),
                    sex: pick(&mut p, "requester.sex", &r.sex, Sex::parse, "性別"),
                    birth_date: birth_date(
                        &mut p,
                        "requester.birth_date",
                        &r.birth_date,
                        received_on.unwrap_or(today),
                    ),
                    postal_code: postal(
                        &mut p,
                        "requester.address.postal_code",
                        &r.address.postal_code,
                    ),
                    address: text(&r.address.line),
                    phones: phones(&mut p, "requester.phones", &r.phones),
                    relationship: r.relationship.trim().to_owned(),
                }
            });
        let concerns = self.parse_concerns(&mut p);
        if self.chief_complaint.trim().is_empty() {
            p.add("chief_complaint", "主訴を入力してください");
        }
        // What a sheet's boxes hold: long text and rows beyond these are
        // typing or pasting mistakes, refused before anything is stored.
        for (field, label, value) in [
            ("chief_complaint", "主訴", &self.chief_complaint),
            ("situation", "現在の状況・経緯", &self.situation),
            (
                "person.other_agencies",
                "関わっている機関",
                &self.person.other_agencies,
            ),
            ("person.address.line", "住所", &self.person.address.line),
        ] {
            let max = if field.starts_with("person.") {
                500
            } else {
                MAX_TEXT
            };
            within(&mut p, field, label, value, max);
        }
        if self.household.len() > MAX_HOUSEHOLD {
            p.add(
                "household",
                format!(
                    "世帯の欄は{MAX_HOUSEHOLD}人までです（{}行あります）",
                    self.household.len()
                ),
            );
        }
        let household = self.parse_household(&mut p, &person, received_on.unwrap_or(today));
        let urgency = pick(
            &mut p,
            "urgency",
            &self.urgency,
            Urgency::parse,
            "緊急の必要性",
        );
        let consent_confirmed_on =
            date(&mut p, "consent.confirmed_on", &self.consent.confirmed_on).map(EraDate::date);
        if !p.0.is_empty() {
            return Err(p.0);
        }
        Ok(IntakeSheet {
            method: method.expect("checked above"),
            method_other: text(&self.method_other),
            received_on: received_on.expect("checked above"),
            receiver_name: text(&self.receiver_name),
            person,
            requester,
            concerns,
            chief_complaint: self.chief_complaint.trim().to_owned(),
            situation: self.situation.trim().to_owned(),
            household,
            urgency,
            consent_confirmed_by: text(&self.consent.confirmed_by),
            consent_confirmed_on,
        })
    }

    fn parse_person(&self, p: &mut Problems, on: NaiveDate) -> PersonSheet {
        let input = &self.person;
        let name = input.name.trim();
        if name.is_empty() {
            p.add("person.name", "氏名を入力してください");
        } else if name.chars().count() > 100 {
            p.add("person.name", "氏名は100文字以内で入力してください");
        }
        let sex = pick(p, "person.sex", &input.sex, Sex::parse, "性別");
        if sex == Some(Sex::Unknown) {
            p.add(
                "person.sex",
                "相談対象者の性別は 男・女・左記以外 から選んでください",
            );
        }
        let mut utilities = Vec::new();
        for u in &input.utilities {
            if matches!(u.trim(), "none" | "無" | "") {
                continue;
            }
            if let Some(u) = pick(p, "person.utilities", u, Utility::parse, "ライフライン")
                && !utilities.contains(&u)
            {
                utilities.push(u);
            }
        }
        let d = &input.disability;
        let physical_type = small_number(
            p,
            "person.disability.physical_type",
            &d.physical_type,
            2,
            "身体障害者手帳の種",
        );
        let physical_grade = small_number(
            p,
            "person.disability.physical_grade",
            &d.physical_grade,
            7,
            "身体障害者手帳の級",
        );
        let housing = pick(p, "person.housing", &input.housing, Housing::parse, "住居");
        PersonSheet {
            name: name.to_owned(),
            kana: kana(p, "person.kana", &input.kana),
            sex,
            birth_date: birth_date(p, "person.birth_date", &input.birth_date, on),
            postal_code: postal(p, "person.address.postal_code", &input.address.postal_code),
            address: text(&input.address.line),
            phones: phones(p, "person.phones", &input.phones),
            other_agencies: text(&input.other_agencies),
            care_level: pick(
                p,
                "person.care_level",
                &input.care_level,
                CareLevel::parse,
                "介護認定",
            ),
            utilities,
            disability: Disability {
                physical: (physical_type.is_some() || physical_grade.is_some())
                    .then_some((physical_type, physical_grade)),
                intellectual: pick(
                    p,
                    "person.disability.intellectual",
                    &d.intellectual,
                    IntellectualGrade::parse,
                    "療育手帳の区分",
                ),
                mental: small_number(
                    p,
                    "person.disability.mental_grade",
                    &d.mental_grade,
                    3,
                    "精神障害者保健福祉手帳の級",
                ),
            },
            housing_other: if housing == Some(Housing::Other) {
                text(&input.housing_other)
            } else {
                None
            },
            housing,
        }
    }

    fn parse_concerns(&self, p: &mut Problems) -> Vec<ChosenConcern> {
        let mut chosen: Vec<ChosenConcern> = Vec::new();
        for (i, c) in self.concerns.iter().enumerate() {
            if c.category.trim().is_empty() {
                continue;
            }
            let Some(concern) = Concern::parse(&c.category) else {
                p.add(
                    format!("concerns[{i}]"),
                    format!(
                        "相談内容「{}」はシートの項目にありません",
                        c.category.trim()
                    ),
                );
                continue;
            };
            if concern == Concern::Other && c.text.trim().is_empty() {
                p.add(
                    format!("concerns[{i}]"),
                    "相談内容「その他」の内容を入力してください",
                );
            }
            if chosen.iter().any(|x| x.concern == concern) {
                continue;
            }
            chosen.push(ChosenConcern {
                concern,
                main: c.main,
                text: text(&c.text),
            });
        }
        let mains = chosen.iter().filter(|c| c.main).count();
        if chosen.is_empty() {
            p.add("concerns", "相談内容を1つ以上選んでください");
        } else if mains == 0 && chosen.len() == 1 {
            chosen[0].main = true;
        } else if mains == 0 {
            p.add("concerns", "一番の困りごと（◎）を1つ選んでください");
        } else if mains > 1 {
            p.add("concerns", "一番の困りごと（◎）は1つだけ選んでください");
        }
        chosen
    }

    fn parse_household(
        &self,
        p: &mut Problems,
        person: &PersonSheet,
        received_on: NaiveDate,
    ) -> Vec<Member> {
        let mut members: Vec<Member> = Vec::new();
        for (i, m) in self.household.iter().enumerate() {
            let blank = m.name.trim().is_empty()
                && m.relationship.trim().is_empty()
                && m.troubles.trim().is_empty();
            if blank {
                continue;
            }
            let field = |f: &str| format!("household[{i}].{f}");
            // 本人's row is 基本情報's: an empty name there is the person's.
            let is_self_row = Relationship::parse(&m.relationship).is_some_and(|r| r.is_self());
            if m.name.trim().is_empty() && !is_self_row {
                p.add(
                    field("name"),
                    "家族の氏名を入力してください（わからない場合は「不明」）",
                );
            }
            let relationship = Relationship::parse(&m.relationship);
            if relationship.is_none() {
                p.add(field("relationship"), "続柄を入力してください");
            }
            let age = match &m.age {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Number(n)) => n
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n <= 130)
                    .or_else(|| {
                        p.add(field("age"), "年齢は0〜130の数字で入力してください");
                        None
                    }),
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
                Some(serde_json::Value::String(s)) => phone_key(s)
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 130 && !phone_key(s).is_empty())
                    .or_else(|| {
                        p.add(field("age"), "年齢は0〜130の数字で入力してください");
                        None
                    }),
                Some(_) => {
                    p.add(field("age"), "年齢は0〜130の数字で入力してください");
                    None
                }
            };
            let consent = if m.consent.trim().is_empty() {
                ConsentAnswer::Unknown
            } else {
                pick(
                    p,
                    &field("consent"),
                    &m.consent,
                    ConsentAnswer::parse,
                    "同意",
                )
                .unwrap_or(ConsentAnswer::Unknown)
            };
            // A member without 続柄 has been refused above.
            let Some(relationship) = relationship else {
                continue;
            };
            members.push(Member {
                name: if m.name.trim().is_empty() && relationship.is_self() {
                    person.name.clone()
                } else {
                    m.name.trim().to_owned()
                },
                relationship,
                sex: pick(p, &field("sex"), &m.sex, Sex::parse, "性別"),
                age,
                living: pick(p, &field("living"), &m.living, Living::parse, "同居/別居"),
                troubles: m.troubles.trim().to_owned(),
                support: pick(p, &field("support"), &m.support, SupportNeed::parse, "支援"),
                consent,
                status: if m.status.trim().is_empty() {
                    MemberStatus::Current
                } else {
                    pick(p, &field("status"), &m.status, MemberStatus::parse, "状況")
                        .unwrap_or(MemberStatus::Current)
                },
            });
        }
        // The person is always row 1, as 本人.
        match members.iter().position(Member::is_self) {
            Some(0) => {}
            Some(i) => {
                let me = members.remove(i);
                members.insert(0, me);
            }
            None => members.insert(
                0,
                Member {
                    name: person.name.clone(),
                    relationship: Relationship::itself(),
                    sex: person.sex,
                    age: None,
                    living: None,
                    troubles: String::new(),
                    support: None,
                    consent: ConsentAnswer::Unknown,
                    status: MemberStatus::Current,
                },
            ),
        }
        if members
            .first()
            .is_some_and(|me| me.status != MemberStatus::Current)
        {
            p.add(
                "household",
                "本人の行は「転出」「死亡」にできません（基本情報と相談の記録で扱います）",
            );
        }
        if members.iter().filter(|m| m.is_self()).count() > 1 {
            p.add("household", "続柄「本人」は1人だけにしてください");
        }
        // 本人's row shows what the sheet already says of them.
        if let Some(me) = members.first_mut() {
            me.sex = me.sex.or(person.sex);
            me.age = me
                .age
                .or_else(|| person.birth_date.and_then(|b| b.age_on(received_on)));
        }
        members
    }
}

#[cfg(test)]
mod tests;
