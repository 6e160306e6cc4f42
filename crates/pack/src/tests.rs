use super::*;

#[test]
fn morioka_pack_holds_the_plans_directory() {
    let pack = Pack::morioka();
    assert_eq!(pack.municipality.name, "盛岡市");
    assert_eq!(pack.chosen_hub_type, HubType::Basic);
    assert_eq!(pack.departments.len(), 33);
    let consultation = pack.agencies.iter().filter(|a| a.consultation).count();
    assert_eq!(
        consultation, 17,
        "11 地域包括 + 4 障がい + 子育て世代包括 + くらしの相談支援室"
    );
    let centers: Vec<_> = pack
        .agencies
        .iter()
        .filter(|a| a.programmes.contains(&Programme::ConsultationElderly))
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(centers.len(), 11);
    assert!(centers.contains(&"地域包括支援センター川久保"));
    let hubs = pack
        .agencies
        .iter()
        .filter(|a| a.programmes.contains(&Programme::CommunityChildRearingHub))
        .count();
    assert_eq!(hubs, 9);
    assert_eq!(
        pack.meeting_kind("case_conference").unwrap().name,
        "よりそい会議"
    );
    assert!(
        !pack
            .meeting_kind("support_conference")
            .unwrap()
            .consent_required
    );
}

#[test]
fn every_center_has_its_catchment_towns() {
    let pack = Pack::morioka();
    for center in pack
        .agencies
        .iter()
        .filter(|a| a.programmes.contains(&Programme::ConsultationElderly))
    {
        assert!(!center.catchment_areas.is_empty(), "{}", center.name);
        assert!(pack.towns_of(&center.key).count() >= 3, "{}", center.name);
    }
    let kawakubo: Vec<_> = pack.towns_of("houkatsu-09-kawakubo").collect();
    assert_eq!(kawakubo.first(), Some(&"三本柳"));
    assert!(kawakubo.contains(&"大ヶ生"));
}

#[test]
fn departments_keep_the_plans_marks() {
    let pack = Pack::morioka();
    let water = pack.department(33).unwrap();
    assert_eq!(
        (water.division.as_str(), water.name.as_str()),
        ("上下水道部", "経営企画課")
    );
    assert!(water.consultation && !water.community);
    let strategy = pack.department(13).unwrap();
    assert!(!strategy.consultation && strategy.community);
}

#[test]
fn a_dangling_department_reference_is_refused_with_its_place() {
    let mut sources = PackSources::morioka();
    sources.agencies_toml =
        sources
            .agencies_toml
            .replacen("department_no = 5", "department_no = 99", 1);
    let err = Pack::parse(&sources).unwrap_err();
    assert_eq!(
        err.to_string(),
        "agencies.toml: 盛岡駅西口地域包括支援センター の担当課番号 99 が departments.csv にありません"
    );
}

#[test]
fn a_bad_mark_in_a_csv_is_refused_with_its_row() {
    let mut sources = PackSources::morioka();
    sources.departments_csv = sources.departments_csv.replacen(
        "重層事業の主管課・民生児童委員,○,○",
        "重層事業の主管課・民生児童委員,はい,○",
        1,
    );
    let err = Pack::parse(&sources).unwrap_err().to_string();
    assert!(err.starts_with("departments.csv: 1行目のデータ"), "{err}");
    assert!(err.contains("「はい」は ○ か空欄にしてください"), "{err}");
}

#[test]
fn a_csv_saved_by_excel_with_a_bom_is_read() {
    let mut sources = PackSources::morioka();
    sources.departments_csv = format!("\u{feff}{}", sources.departments_csv);
    assert_eq!(Pack::parse(&sources).unwrap().departments.len(), 33);
}

#[test]
fn handoff_suggestions_must_name_real_agencies_or_departments() {
    let pack = Pack::morioka();
    assert_eq!(pack.handoff.policy.receive_within_business_days, 2);
    assert_eq!(
        pack.handoff.suggestions["tax_utilities"],
        ["department-15", "department-16", "department-33"]
    );
    let mut sources = PackSources::morioka();
    sources.municipality_toml = sources.municipality_toml.replace(
        r#"housing = ["department-25"]"#,
        r#"housing = ["department-99"]"#,
    );
    let err = Pack::parse(&sources).unwrap_err().to_string();
    assert_eq!(
        err,
        "municipality.toml: [handoff.suggestions] の機関 key「department-99」が agencies.toml にありません"
    );
}

#[test]
fn morioka_asks_a_second_factor_of_every_role_that_sees_persons() {
    use tsunagaru_domain::Role;
    let pack = Pack::morioka();
    for role in Role::ALL {
        assert_eq!(
            pack.second_factor.requires(role),
            role.works_with_persons(),
            "{role:?}"
        );
    }
}
