//! Property tests of the parsers people type into: whatever arrives, they
//! answer (a value or a reason) and never panic; what the system writes
//! reads back as the same value. (The address parser has its own, in
//! `crates/address/tests/properties.rs`.)

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use tsunagaru_domain::case::{
    AttendeeInput, MeetingKind, TopicInput, parse_meeting_start, parse_meeting_time,
};
use tsunagaru_domain::contact::OfficePhone;
use tsunagaru_domain::era::EraDate;
use tsunagaru_domain::intake::IntakeInput;
use tsunagaru_domain::kana::{Kana, fold_width, search_key, to_hiragana};
use tsunagaru_domain::report::FiscalYear;

/// Days from 明治 (1868-01-25) to 2100-12-31.
fn any_day() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1868, 1, 25).unwrap();
    let last = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();
    (0..=(last - first).num_days()).prop_map(move |n| first + chrono::Duration::days(n))
}

/// Text people might type: anything, or Japanese dates, or kana and
/// letters of any width.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[0-9０-９年月日.\\-/ 　SHTRMshtrm昭和平成令和大正明治元（）()]{0,24}",
        "[ぁ-んァ-ヶｦ-ﾟー・ 　A-Za-zＡ-Ｚ]{0,30}",
    ]
}

fn full_width_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            c => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_date_reads_back_from_each_form_the_system_writes(day in any_day()) {
        let date = EraDate::from_date(day);
        for written in [date.label(), date.era_label(), date.short(), day.to_string()] {
            let back = EraDate::parse(&written).map(EraDate::date);
            prop_assert_eq!(back, Ok(day), "{}", written);
            let wide = full_width_digits(&written);
            prop_assert_eq!(EraDate::parse(&wide).map(EraDate::date), Ok(day), "{}", wide);
        }
    }

    #[test]
    fn a_date_parser_answers_anything_and_what_it_takes_writes_again(text in typed()) {
        if let Ok(date) = EraDate::parse(&text) {
            let day = date.date();
            prop_assert_eq!(EraDate::parse(&date.label()).map(EraDate::date), Ok(day));
        }
    }

    #[test]
    fn kana_folding_is_stable_and_never_panics(text in typed()) {
        let hira = to_hiragana(&text);
        prop_assert_eq!(to_hiragana(&hira), hira.clone());
        let folded = fold_width(&text);
        prop_assert_eq!(fold_width(&folded), folded);
        let key = search_key(&text);
        prop_assert_eq!(search_key(&key), key);
        let _ = Kana::parse(&text);
    }

    #[test]
    fn meeting_times_answer_anything_and_rfc3339_reads_as_japan(
        text in typed(),
        day in any_day(),
        hour in 0u32..24,
        minute in 0u32..60,
    ) {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let _ = parse_meeting_start(&text, today);
        let _ = parse_meeting_time(&text);
        let at = day.and_hms_opt(hour, minute, 0).unwrap();
        let in_japan = format!("{}+09:00", at.format("%Y-%m-%dT%H:%M:%S"));
        match parse_meeting_start(&in_japan, today) {
            Ok(read) => prop_assert_eq!(read, at),
            // Outside 2000 … five years ahead: refused with the reason.
            Err(reason) => prop_assert!(
                day.year() < 2000 || day.year() > today.year() + 5,
                "{}",
                reason
            ),
        }
    }

    #[test]
    fn phones_topics_attendees_and_years_answer_anything(text in typed()) {
        let _ = OfficePhone::parse(&text);
        let _ = FiscalYear::parse(&text);
        let _ = TopicInput { topic: text.clone(), fiscal_year: text.clone() }.parse();
        for kind in MeetingKind::ALL {
            let _ = AttendeeInput {
                name: text.clone(),
                role: text.clone(),
                organisation: text.clone(),
                attended: None,
            }
            .parse(kind);
        }
    }

    #[test]
    fn an_intake_sheet_of_any_content_is_answered(json in "\\{.{0,200}\\}", text in typed()) {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        if let Ok(input) = serde_json::from_str::<IntakeInput>(&json) {
            let _ = input.parse(today);
        }
        // Every field of the sheet filled with what anyone might type.
        let sheet = serde_json::json!({
            "method": text, "received_on": text, "chief_complaint": text, "situation": text,
            "person": {"name": text, "kana": text, "birth_date": text, "phone": text,
                       "address": {"postal_code": text, "line": text}},
            "concerns": [{"category": text, "main": true}],
            "household": [{"name": text, "relationship": text, "consent": text, "age": 200}],
        });
        if let Ok(input) = serde_json::from_value::<IntakeInput>(sheet) {
            let _ = input.parse(today);
        }
    }
}
