//! A consultation and a person as the API and the pages show them: labels,
//! 和暦 and the person as the viewer may see them (protection applied by the app).

use chrono::NaiveDate;
use serde::Serialize;
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::{
    CareLevel, Concern, ConsentAnswer, Housing, Living, MemberStatus, Method, Relationship, Sex,
    SupportNeed, Urgency, Utility,
};
use tsunagaru_domain::openapi::{RecordId, code_list, codes, codes_or_null};
use tsunagaru_store::{
    Consultation, MemberRow, Note, Person, StoredDisability, StoredPhone, StoredRequester,
};
use utoipa::ToSchema;

pub fn date_label(date: NaiveDate) -> String {
    EraDate::from_date(date).label()
}

pub fn label_of<T: Copy>(
    code: Option<&str>,
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> String {
    code.and_then(parse)
        .map(label)
        .unwrap_or_default()
        .to_owned()
}

pub fn method_label(code: &str) -> String {
    label_of(Some(code), Method::parse, Method::label)
}

/// 障害手帳 in words: 「有 身体（1種2級）・療育（A）」 or 「無」.
pub fn disability_label(d: &tsunagaru_store::StoredDisability) -> String {
    let mut parts = Vec::new();
    if d.physical {
        parts.push(format!(
            "身体（{}種{}級）",
            d.physical_type.map(|t| t.to_string()).unwrap_or_default(),
            d.physical_grade.map(|g| g.to_string()).unwrap_or_default()
        ));
    }
    if let Some(i) = &d.intellectual {
        parts.push(format!("療育（{i}）"));
    }
    if let Some(g) = d.mental_grade {
        parts.push(format!("精神（{g}級）"));
    }
    if parts.is_empty() {
        "無".to_owned()
    } else {
        format!("有 {}", parts.join("・"))
    }
}

/// A value of a person's change history as a worker reads it: labels for
/// codes, 和暦 for dates, phones and 手帳 in words, never the stored JSON.
/// `users` names those a protection was given to.
pub fn history_value(field: &str, raw: Option<&str>, users: &[tsunagaru_store::User]) -> String {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return "（なし）".to_owned();
    };
    let label = |parse: fn(&str) -> Option<String>| parse(raw).unwrap_or_else(|| raw.to_owned());
    match field {
        "sex" => label(|c| tsunagaru_domain::intake::Sex::parse(c).map(|s| s.label().to_owned())),
        "care_level" => label(|c| CareLevel::parse(c).map(|s| s.label().to_owned())),
        "housing" => label(|c| Housing::parse(c).map(|s| s.label().to_owned())),
        "birth_date" => label(|c| c.parse::<NaiveDate>().ok().map(date_label)),
        "utilities" => raw
            .split_whitespace()
            .map(|c| Utility::parse(c).map_or_else(|| c.to_owned(), |u| u.label().to_owned()))
            .collect::<Vec<_>>()
            .join("・"),
        "phones" => match serde_json::from_str::<Vec<tsunagaru_store::StoredPhone>>(raw) {
            Ok(phones) if phones.is_empty() => "（なし）".to_owned(),
            Ok(phones) => phones
                .iter()
                .map(|p| {
                    let kind = tsunagaru_domain::intake::PhoneKind::parse(&p.kind)
                        .map_or_else(|| p.kind.clone(), |k| k.label().to_owned());
                    format!("{kind} {}", p.number)
                })
                .collect::<Vec<_>>()
                .join("、"),
            Err(_) => raw.to_owned(),
        },
        "disability" => serde_json::from_str::<tsunagaru_store::StoredDisability>(raw)
            .map(|d| disability_label(&d))
            .unwrap_or_else(|_| raw.to_owned()),
        // `true [3, 7]`: protected, and who sees the whereabouts.
        "protected" => {
            let mut parts = raw.splitn(2, ' ');
            let on = parts.next() == Some("true");
            let viewers: Vec<i64> = parts
                .next()
                .and_then(|ids| serde_json::from_str(ids).ok())
                .unwrap_or_default();
            if !on {
                "保護なし".to_owned()
            } else if viewers.is_empty() {
                "保護あり".to_owned()
            } else {
                let names: Vec<String> = viewers
                    .iter()
                    .map(|id| {
                        users
                            .iter()
                            .find(|u| u.id == *id)
                            .map_or_else(|| format!("利用者 {id}"), |u| u.display_name.clone())
                    })
                    .collect();
                format!("保護あり（住所・電話を見られる人: {}）", names.join("、"))
            }
        }
        _ => raw.to_owned(),
    }
}

/// A person as the API answers them (`Person` in the OpenAPI document,
/// whose schema is derived from this type), as the viewer may see them:
/// the application has already blanked protected whereabouts.
#[derive(Serialize, ToSchema)]
#[schema(as = Person)]
pub struct PersonAnswer {
    #[schema(value_type = RecordId)]
    pub id: i64,
    /// 基本情報を直すとき If-Match で送り返す版
    pub version: String,
    pub name: String,
    pub kana: Option<String>,
    #[schema(schema_with = codes_or_null::<Sex>)]
    pub sex: Option<Sex>,
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<NaiveDate>,
    /// 生年月日の和暦
    pub birth_date_label: Option<String>,
    /// その日（一覧では今日、受付シートでは受付日）の年齢
    #[schema(minimum = 0)]
    pub age: Option<u32>,
    pub address: AddressAnswer,
    pub phones: Vec<StoredPhone>,
    /// 関係機関
    pub other_agencies: Option<String>,
    #[schema(schema_with = codes_or_null::<CareLevel>)]
    pub care_level: Option<CareLevel>,
    pub care_level_label: &'static str,
    #[schema(schema_with = code_list::<Utility>)]
    pub utilities: Vec<Utility>,
    pub utilities_label: Vec<&'static str>,
    pub disability: StoredDisability,
    #[schema(schema_with = codes_or_null::<Housing>)]
    pub housing: Option<Housing>,
    pub housing_label: &'static str,
    pub housing_other: Option<String>,
    /// 支援措置（DV・虐待）: 住所・電話は名指しされた人にだけ見える
    pub protected: bool,
}

/// 住所: 郵便番号, the line as written, and the town the routing found.
#[derive(Serialize, ToSchema)]
#[schema(as = Address)]
pub struct AddressAnswer {
    pub postal_code: Option<String>,
    pub line: Option<String>,
    /// 町名（担当地区の判定に使ったもの）
    pub town: Option<String>,
}

impl PersonAnswer {
    /// `person` as the API shows them, their age on `on`.
    pub fn of(person: &Person, on: NaiveDate) -> PersonAnswer {
        let care_level = person.care_level.as_deref().and_then(CareLevel::parse);
        let housing = person.housing.as_deref().and_then(Housing::parse);
        let utilities: Vec<Utility> = person
            .utilities
            .iter()
            .filter_map(|u| Utility::parse(u))
            .collect();
        PersonAnswer {
            id: person.id,
            version: tsunagaru_store::version_of(Some(person.updated_at)),
            name: person.name.clone(),
            kana: person.kana.clone(),
            sex: person.sex.as_deref().and_then(Sex::parse),
            birth_date: person.birth_date,
            birth_date_label: person.birth_date.map(date_label),
            age: person
                .birth_date
                .and_then(|b| EraDate::from_date(b).age_on(on)),
            address: AddressAnswer {
                postal_code: person.postal_code.clone(),
                line: person.address.clone(),
                town: person.town.clone(),
            },
            phones: person.phones.clone(),
            other_agencies: person.other_agencies.clone(),
            care_level,
            care_level_label: care_level.map(CareLevel::label).unwrap_or_default(),
            utilities_label: utilities.iter().map(|u| u.label()).collect(),
            utilities,
            disability: person.disability.clone(),
            housing,
            housing_label: housing.map(Housing::label).unwrap_or_default(),
            housing_other: person.housing_other.clone(),
            protected: person.protected,
        }
    }
}

/// A 受付シート as the API answers it (`Consultation`).
#[derive(Serialize, ToSchema)]
#[schema(as = Consultation)]
pub struct ConsultationAnswer {
    #[schema(value_type = RecordId)]
    pub id: i64,
    /// 受付機関
    #[schema(value_type = RecordId)]
    pub agency_id: i64,
    #[schema(value_type = RecordId)]
    pub user_id: i64,
    /// 受付者
    pub receiver_name: Option<String>,
    #[schema(schema_with = codes_or_null::<Method>)]
    pub method: Option<Method>,
    pub method_label: &'static str,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// 受付日の和暦
    pub received_on_label: String,
    /// 相談者（本人でないとき）
    pub requester: Option<StoredRequester>,
    pub concerns: Vec<ConcernAnswer>,
    /// 主訴
    pub chief_complaint: String,
    /// 相談時の状況
    pub situation: String,
    #[schema(schema_with = codes_or_null::<Urgency>)]
    pub urgency: Option<Urgency>,
    pub urgency_label: &'static str,
    pub consent: ConsentConfirmation,
    pub household: Vec<MemberAnswer>,
    /// 取消されたとき、その記録
    pub voided: Option<VoidingAnswer>,
}

/// One 相談内容 of a sheet.
#[derive(Serialize, ToSchema)]
pub struct ConcernAnswer {
    /// 分類の名前
    pub category: &'static str,
    #[schema(schema_with = codes_or_null::<Concern>)]
    pub code: Option<Concern>,
    /// 主な相談内容か
    pub main: bool,
    pub text: Option<String>,
}

/// 同意の確認: who confirmed it, and when.
#[derive(Serialize, ToSchema)]
pub struct ConsentConfirmation {
    pub confirmed_by: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub confirmed_on: Option<NaiveDate>,
}

/// A sheet's 取消.
#[derive(Serialize, ToSchema)]
#[schema(as = Voiding)]
pub struct VoidingAnswer {
    /// 日本時間
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    #[schema(value_type = RecordId)]
    pub by: i64,
    pub reason: String,
}

impl ConsultationAnswer {
    pub fn of(c: &Consultation) -> ConsultationAnswer {
        let method = Method::parse(&c.method);
        let urgency = c.urgency.as_deref().and_then(Urgency::parse);
        ConsultationAnswer {
            id: c.id,
            agency_id: c.agency_id,
            user_id: c.user_id,
            receiver_name: c.receiver_name.clone(),
            method,
            method_label: method.map(Method::label).unwrap_or_default(),
            received_on: c.received_on,
            received_on_label: date_label(c.received_on),
            requester: c.requester.clone(),
            concerns: c
                .concerns
                .iter()
                .map(|x| {
                    let code = Concern::parse(&x.code);
                    ConcernAnswer {
                        category: code.map(Concern::label).unwrap_or_default(),
                        code,
                        main: x.main,
                        text: x.text.clone(),
                    }
                })
                .collect(),
            chief_complaint: c.chief_complaint.clone(),
            situation: c.situation.clone(),
            urgency,
            urgency_label: urgency.map(Urgency::label).unwrap_or_default(),
            consent: ConsentConfirmation {
                confirmed_by: c.consent_confirmed_by.clone(),
                confirmed_on: c.consent_confirmed_on,
            },
            household: c.household.iter().map(MemberAnswer::of).collect(),
            voided: c.voided.as_ref().map(|v| VoidingAnswer {
                at: tsunagaru_store::in_japan(v.at).to_rfc3339(),
                by: v.by,
                reason: v.reason.clone(),
            }),
        }
    }
}

/// A household member as a sheet records them.
#[derive(Serialize, ToSchema)]
#[schema(as = SheetMember)]
pub struct MemberAnswer {
    pub name: String,
    /// 続柄
    #[schema(value_type = String)]
    pub relationship: Relationship,
    #[schema(schema_with = codes_or_null::<Sex>)]
    pub sex: Option<Sex>,
    #[schema(minimum = 0)]
    pub age: Option<i64>,
    #[schema(schema_with = codes_or_null::<Living>)]
    pub living: Option<Living>,
    pub living_label: &'static str,
    /// 困りごと
    pub troubles: String,
    #[schema(schema_with = codes_or_null::<SupportNeed>)]
    pub support: Option<SupportNeed>,
    pub support_label: &'static str,
    /// 情報共有への同意
    #[schema(schema_with = codes::<ConsentAnswer>)]
    pub consent: ConsentAnswer,
    pub consent_label: &'static str,
    #[schema(schema_with = codes::<MemberStatus>)]
    pub status: MemberStatus,
    pub status_label: &'static str,
}

impl MemberAnswer {
    pub fn of(m: &MemberRow) -> MemberAnswer {
        let living = m.living.as_deref().and_then(Living::parse);
        let support = m.support.as_deref().and_then(SupportNeed::parse);
        MemberAnswer {
            name: m.name.clone(),
            relationship: m.relationship.clone(),
            sex: m.sex.as_deref().and_then(Sex::parse),
            age: m.age,
            living,
            living_label: living.map(Living::label).unwrap_or_default(),
            troubles: m.troubles.clone(),
            support,
            support_label: support.map(SupportNeed::label).unwrap_or_default(),
            consent: m.consent,
            consent_label: m.consent.label(),
            status: m.status,
            status_label: m.status.label(),
        }
    }
}

/// A 経過記録.
#[derive(Serialize, ToSchema)]
#[schema(as = Note)]
pub struct NoteAnswer {
    #[schema(value_type = RecordId)]
    pub id: i64,
    #[schema(value_type = RecordId)]
    pub agency_id: i64,
    #[schema(value_type = RecordId)]
    pub user_id: i64,
    #[schema(value_type = String, format = Date)]
    pub noted_on: NaiveDate,
    pub noted_on_label: String,
    /// 電話・来所・訪問・会議・その他
    #[schema(schema_with = tsunagaru_app::person_records::note_methods)]
    pub method: String,
    pub content: String,
}

impl NoteAnswer {
    pub fn of(n: &Note) -> NoteAnswer {
        NoteAnswer {
            id: n.id,
            agency_id: n.agency_id,
            user_id: n.user_id,
            noted_on: n.noted_on,
            noted_on_label: date_label(n.noted_on),
            method: n.method.clone(),
            content: n.content.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::history_value;

    #[test]
    fn history_values_read_as_words_not_stored_codes() {
        let users = [];
        for (field, raw, shown) in [
            ("sex", Some("female"), "女"),
            (
                "birth_date",
                Some("1970-03-12"),
                "昭和45年3月12日（1970年）",
            ),
            (
                "phones",
                Some(
                    r#"[{"kind":"home","number":"019-000-0000"},{"kind":"mobile","number":"090-0000-0000"}]"#,
                ),
                "自宅 019-000-0000、携帯 090-0000-0000",
            ),
            ("phones", Some("[]"), "（なし）"),
            ("utilities", Some("water gas"), "水道・ガス"),
            (
                "disability",
                Some(
                    r#"{"physical_type":1,"physical_grade":2,"physical":true,"intellectual":"A","mental_grade":null}"#,
                ),
                "有 身体（1種2級）・療育（A）",
            ),
            ("housing", Some("rented"), "賃貸"),
            ("protected", Some("false"), "保護なし"),
            ("address", None, "（なし）"),
            ("name", Some("盛岡 花子"), "盛岡 花子"),
        ] {
            assert_eq!(history_value(field, raw, &users), shown, "{field}");
        }
    }
}
