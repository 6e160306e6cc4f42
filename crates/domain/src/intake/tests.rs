use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

const SAMPLE: &str = r#"{"method": "phone", "received_on": "2026-11-20",
 "person": {"name": "盛岡 花子", "kana": "ﾓﾘｵｶ ﾊﾅｺ", "sex": "female",
            "birth_date": "S45.3.12",
            "address": {"postal_code": "020-0066", "line": "盛岡市上田三丁目2-1"},
            "phones": [{"kind": "mobile", "number": "090-0000-0000"}]},
 "concerns": [{"category": "介護のこと", "main": true}, {"category": "収入・生活費のこと"}],
 "chief_complaint": "母の介護と生活費が心配", "situation": "…",
 "household": [
   {"name": "盛岡 花子", "relationship": "本人", "sex": "female", "age": 56},
   {"name": "盛岡 キヨ", "relationship": "母", "sex": "female", "age": 84,
    "living": "together", "support": "needed", "consent": "yes"}],
 "urgency": "within_month"}"#;

#[test]
fn the_api_sample_is_accepted_as_is() {
    let input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    let sheet = input.parse(today()).unwrap();
    assert_eq!(sheet.method, Method::Phone);
    assert_eq!(
        sheet.person.kana.as_ref().unwrap().as_str(),
        "もりおか はなこ"
    );
    assert_eq!(
        sheet.person.birth_date.unwrap().label(),
        "昭和45年3月12日（1970年）"
    );
    assert_eq!(sheet.age(), Some(56));
    assert_eq!(sheet.person.postal_code.as_deref(), Some("020-0066"));
    assert_eq!(sheet.main_concern(), Some(Concern::Care));
    assert_eq!(sheet.household.len(), 2);
    assert_eq!(sheet.household[1].consent, ConsentAnswer::Yes);
    assert_eq!(sheet.household[1].living, Some(Living::Together));
    assert_eq!(sheet.urgency, Some(Urgency::WithinMonth));
}

#[test]
fn every_problem_comes_back_with_its_field() {
    let input = IntakeInput {
        method: "fax".into(),
        person: PersonInput {
            name: String::new(),
            kana: "盛岡".into(),
            birth_date: "昭和64年1月8日".into(),
            phones: vec![PhoneInput {
                kind: "mobile".into(),
                number: "090".into(),
            }],
            ..PersonInput::default()
        },
        concerns: vec![
            ConcernInput {
                category: "介護のこと".into(),
                ..Default::default()
            },
            ConcernInput {
                category: "債務について".into(),
                ..Default::default()
            },
        ],
        ..IntakeInput::default()
    };
    let errors = input.parse(today()).unwrap_err();
    let find = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    };
    assert_eq!(find("method"), Some("相談方法「fax」は選べません"));
    assert_eq!(find("person.name"), Some("氏名を入力してください"));
    assert_eq!(
        find("person.kana"),
        Some("ふりがなは、ひらがな・カタカナで入力してください（「盛」は使えません）")
    );
    assert_eq!(
        find("person.birth_date"),
        Some("昭和64年1月8日はありません（昭和は昭和64年1月7日まで）")
    );
    assert!(
        find("person.phones[0].number")
            .unwrap()
            .contains("10桁または11桁")
    );
    assert_eq!(
        find("concerns"),
        Some("一番の困りごと（◎）を1つ選んでください")
    );
    assert_eq!(find("chief_complaint"), Some("主訴を入力してください"));
}

#[test]
fn concerns_are_the_sheets_fifteen_and_other() {
    assert_eq!(Concern::ALL.len(), 16);
    assert_eq!(Concern::ALL[0].label(), "病気や健康、障害のこと");
    assert_eq!(Concern::ALL[14].label(), "食べるものがない");
    let mut input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    input.concerns = vec![ConcernInput {
        category: "その他".into(),
        main: true,
        text: String::new(),
    }];
    let errors = input.parse(today()).unwrap_err();
    assert_eq!(
        errors[0].message,
        "相談内容「その他」の内容を入力してください"
    );
    input.concerns = vec![
        ConcernInput {
            category: "food".into(),
            main: true,
            ..Default::default()
        },
        ConcernInput {
            category: "DV・虐待".into(),
            main: true,
            ..Default::default()
        },
    ];
    assert_eq!(
        input.parse(today()).unwrap_err()[0].message,
        "一番の困りごと（◎）は1つだけ選んでください"
    );
    input.concerns = vec![ConcernInput {
        category: "食べるものがない".into(),
        ..Default::default()
    }];
    assert_eq!(
        input.parse(today()).unwrap().main_concern(),
        Some(Concern::Food),
        "a single concern is the main one"
    );
}

#[test]
fn the_household_has_no_cap_and_the_person_comes_first() {
    let mut input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    input.household = (0..9)
        .map(|i| MemberInput {
            name: format!("家族{i}"),
            relationship: "子".into(),
            consent: "有".into(),
            ..Default::default()
        })
        .collect();
    let sheet = input.parse(today()).unwrap();
    assert_eq!(
        sheet.household.len(),
        10,
        "9 members + 本人, more than the paper's 6 rows"
    );
    assert!(sheet.household[0].is_self());
    assert_eq!(sheet.household[0].name, "盛岡 花子");
    assert_eq!(
        sheet.household[0].sex,
        Some(Sex::Female),
        "本人's row takes the sheet's 性別"
    );
    assert_eq!(
        sheet.household[0].age,
        Some(56),
        "and the age at the 受付日"
    );
    assert_eq!(sheet.household[1].consent, ConsentAnswer::Yes);
}

#[test]
fn a_future_intake_date_is_refused() {
    let mut input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    input.received_on = "R9.1.1".into();
    assert_eq!(
        input.parse(today()).unwrap_err()[0].message,
        "受付年月日が未来の日付です"
    );
}

#[test]
fn a_birth_date_must_be_a_day_someone_alive_was_born() {
    let sheet = |birth: &str, received: &str| {
        let mut input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
        input.person.birth_date = birth.into();
        input.received_on = received.into();
        input.parse(today())
    };
    let message = |birth: &str, received: &str| {
        sheet(birth, received)
            .unwrap_err()
            .into_iter()
            .find(|e| e.field == "person.birth_date")
            .map(|e| e.message)
            .unwrap_or_default()
    };
    assert!(message("2070-01-01", "").contains("より後です"));
    assert!(message("R99999.1.1", "").contains("範囲外"));
    // Born after the day of the sheet, though before today.
    assert!(message("2026-11-25", "2026-11-20").contains("令和8年11月20日"));
    assert!(message("1880-01-01", "").contains("130歳"));
    assert!(sheet("2026-11-20", "2026-11-20").is_ok(), "born that day");
    assert!(sheet("1900-01-01", "").is_ok(), "126 years old");
    // A later correction of 基本情報 is checked against today.
    let later = PersonInput {
        name: "盛岡 花子".into(),
        birth_date: "R9.1.1".into(),
        ..PersonInput::default()
    };
    assert_eq!(
        later.parse(today()).unwrap_err()[0].field,
        "person.birth_date"
    );
}

#[test]
fn a_sheet_refuses_text_and_rows_beyond_what_its_boxes_hold() {
    let mut input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    input.chief_complaint = "あ".repeat(1_000_000);
    input.household = vec![input.household[0].clone(); 5000];
    let errors = input.parse(today()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"chief_complaint"), "{fields:?}");
    assert!(fields.contains(&"household"), "{fields:?}");
    let message = &errors
        .iter()
        .find(|e| e.field == "chief_complaint")
        .unwrap()
        .message;
    assert_eq!(message, "主訴は4000文字までです（1000000文字あります）");
    let mut fits: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    fits.chief_complaint = "あ".repeat(MAX_TEXT);
    assert!(fits.parse(today()).is_ok());
}

#[test]
fn a_correction_changes_only_what_is_given_by_the_sheets_rules() {
    let fix: CorrectionInput = serde_json::from_value(serde_json::json!({
        "received_on": "R8.11.19", "chief_complaint": " 母の介護 ",
        "concerns": [{"category": "care", "main": true}, {"category": "income"}]
    }))
    .unwrap();
    let c = fix.parse(today()).unwrap();
    assert_eq!(c.received_on, NaiveDate::from_ymd_opt(2026, 11, 19));
    assert_eq!(c.chief_complaint.as_deref(), Some("母の介護"));
    assert_eq!(c.method, None, "not given, not changed");
    assert_eq!(c.concerns.unwrap().len(), 2);
    let bad: CorrectionInput = serde_json::from_value(serde_json::json!({
        "received_on": "2027-01-01", "method": "fax", "chief_complaint": " ",
        "concerns": [{"category": "care"}, {"category": "income"}]
    }))
    .unwrap();
    let fields: Vec<String> = bad
        .parse(today())
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        vec!["received_on", "method", "chief_complaint", "concerns"]
    );
    assert!(
        CorrectionInput::default().parse(today()).is_err(),
        "nothing to correct"
    );
    assert!(
        serde_json::from_value::<CorrectionInput>(serde_json::json!({"person": {}})).is_err(),
        "an unknown field is refused, not ignored"
    );
}

#[test]
fn the_self_row_is_filled_from_the_basic_facts_and_never_refuses_the_save() {
    let mut input: IntakeInput = serde_json::from_str(SAMPLE).unwrap();
    input.household = vec![
        MemberInput {
            relationship: "本人".into(),
            ..MemberInput::default()
        },
        MemberInput {
            name: "盛岡 キヨ".into(),
            relationship: "母".into(),
            ..MemberInput::default()
        },
    ];
    let sheet = input.parse(today()).unwrap();
    assert_eq!(sheet.household[0].name, "盛岡 花子");
    assert_eq!(sheet.household[0].sex, Some(Sex::Female), "from 基本情報");
    assert!(sheet.household[0].age.is_some(), "from the birth date");
    // A family row without a name is still asked for one.
    input.household[1].name = String::new();
    let errors = input.parse(today()).unwrap_err();
    assert_eq!(errors[0].field, "household[1].name");
}
