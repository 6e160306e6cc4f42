//! The router over every town of the 盛岡市 pack and every way of writing an address.

use std::sync::LazyLock;
use tsunagaru_address::{Route, Router, Status};
use tsunagaru_pack::Pack;

static PACK: LazyLock<Pack> = LazyLock::new(Pack::morioka);
static ROUTER: LazyLock<Router> = LazyLock::new(|| Router::from_pack(&PACK).unwrap());

fn route(address: &str) -> Route {
    ROUTER.route(address)
}

fn center_name(key: &str) -> &'static str {
    &PACK.agencies.iter().find(|a| a.key == key).unwrap().name
}

#[track_caller]
fn routed(address: &str, center: &str) -> Route {
    let r = route(address);
    assert_eq!(r.status, Status::Routed, "{address}: {r:?}");
    assert_eq!(r.center.as_deref(), Some(center), "{address}");
    assert_eq!(r.candidates, [center], "{address}");
    r
}

#[track_caller]
fn ambiguous(address: &str, candidates: &[&str]) {
    let r = route(address);
    assert_eq!(r.status, Status::Ambiguous, "{address}: {r:?}");
    assert_eq!(r.center, None);
    assert_eq!(r.candidates, candidates, "{address}");
}

const NISHIGUCHI: &str = "盛岡駅西口地域包括支援センター";
const NIO: &str = "仁王・上田地域包括支援センター";
const ASAGISHI: &str = "浅岸和敬荘地域包括支援センター";
const MATSUZONO: &str = "松園・緑が丘地域包括支援センター";
const SATSUKIEN: &str = "五月園地域包括支援センター";
const IHATOV: &str = "イーハトーブ地域包括支援センター";
const KAWAKUBO: &str = "地域包括支援センター川久保";
const IIOKA: &str = "飯岡・永井地域包括支援センター";
const TAMAYAMA: &str = "玉山地域包括支援センター";

#[test]
fn every_town_of_the_plans_table_reaches_its_center() {
    for row in &PACK.catchment_towns {
        let center = center_name(&row.agency_key);
        let entry = row.town.as_str();
        // A town with finer rules: the center keeps a rule there (tested by name below).
        if let Some(rule) = PACK
            .catchment_rules
            .iter()
            .find(|r| entry.starts_with(r.town.as_str()))
        {
            let (_, centers) = ROUTER.towns().find(|(t, _)| *t == rule.town).unwrap();
            assert!(centers.contains(&center), "{entry} of {center}");
            continue;
        }
        let addresses: Vec<String> = if let Some(town) = entry.strip_suffix('字') {
            vec![
                format!("盛岡市{town}字見本1"),
                format!("岩手県盛岡市{town}字見本12-3"),
            ]
        } else if let Some((town, range)) = entry
            .split_once(|c: char| c.is_ascii_digit())
            .map(|(t, _)| (t, &entry[t.len()..]))
        {
            let (from, to) = range.split_once('～').unwrap_or((range, range));
            (from.parse::<u32>().unwrap()..=to.parse::<u32>().unwrap())
                .flat_map(|n| [format!("盛岡市{town}{n}丁目1-1"), format!("{town}{n}-1-1")])
                .collect()
        } else {
            vec![
                format!("盛岡市{entry}1番地"),
                format!("〒000-0000 盛岡市{entry}"),
            ]
        };
        for address in addresses {
            let r = route(&address);
            assert!(
                r.candidates.iter().any(|c| c == center),
                "{address} ({entry} of {center}) → {r:?}"
            );
            assert!(
                matches!(r.status, Status::Routed | Status::Ambiguous),
                "{address}: {r:?}"
            );
        }
    }
}

#[test]
fn towns_with_one_center_route_however_they_are_written() {
    let mut checked = 0;
    for (town, centers) in ROUTER.towns() {
        let mut unique = centers.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != 1 {
            continue;
        }
        for address in [
            town.to_string(),
            format!("盛岡市{town}"),
            format!("岩手県盛岡市{town}1-2"),
            format!("〒020-0000　岩手県盛岡市{town}１２番地３　コーポ盛岡２０１"),
            format!("盛岡市 {town} 字見本 5番1号"),
        ] {
            let r = routed(&address, unique[0]);
            assert_eq!(r.town.as_deref(), Some(town));
        }
        checked += 1;
    }
    assert!(checked > 140, "{checked} towns");
}

#[test]
fn fine_rules_decide_what_the_table_cannot() {
    // 高松1〜3 / 高松4
    for chome in ["一", "二", "三"] {
        routed(&format!("盛岡市高松{chome}丁目5-1"), NIO);
    }
    routed("盛岡市高松四丁目5-1", MATSUZONO);
    routed("高松4-5-1", MATSUZONO);
    routed("高松２－５", NIO);
    ambiguous("盛岡市高松", &[NIO, MATSUZONO]);
    let nonexistent = route("盛岡市高松九丁目1");
    assert_eq!(nonexistent.status, Status::Unregistered);
    // 加賀野: 丁目 → 五月園, 字 → 浅岸和敬荘
    routed("盛岡市加賀野三丁目1-1", SATSUKIEN);
    routed("盛岡市加賀野3-1-1", SATSUKIEN);
    routed("盛岡市加賀野字桜山1", ASAGISHI);
    routed("盛岡市加賀野桜山1", ASAGISHI);
    ambiguous("盛岡市加賀野", &[ASAGISHI, SATSUKIEN]);
    // 上田: 丁目 → 仁王・上田; 字 → 松園・緑が丘, but 糠森・小野松 (旧玉山区) → 玉山
    routed("盛岡市上田四丁目1-1", NIO);
    routed("盛岡市上田字松屋敷11-14", MATSUZONO);
    routed("上田松屋敷11-14", MATSUZONO);
    routed("盛岡市上田字糠森5", TAMAYAMA);
    routed("盛岡市玉山区上田字小野松12", TAMAYAMA);
    ambiguous("盛岡市上田", &[NIO, MATSUZONO, TAMAYAMA]);
    // 〜通り is 〜通.
    routed("盛岡市大通り二丁目3-1", NISHIGUCHI);
    routed("盛岡市盛岡駅前通り1-1", NISHIGUCHI);
    // The longest town name wins.
    routed("盛岡市玉山永井字東田1", TAMAYAMA);
    routed("盛岡市永井19地割10-1", IIOKA);
    routed("盛岡市湯沢東二丁目1-1", IIOKA);
    routed("盛岡市湯沢10地割1", IIOKA);
    routed("盛岡市上田堤一丁目1-1", NIO);
    routed("盛岡市川目町1-1", SATSUKIEN);
    routed("盛岡市東中野町1-1", SATSUKIEN);
    routed("盛岡市上鹿妻字小和田1", IHATOV);
    // 太田 is a 担当地区 name of イーハトーブ, not in the town list.
    routed("盛岡市太田一丁目1", IHATOV);
    // Served by two centers with nothing in the address to decide.
    ambiguous("盛岡市北飯岡四丁目8番50号", &[IHATOV, IIOKA]);
    ambiguous("盛岡市向中野三丁目1-1", &[IHATOV, IIOKA]);
    routed("盛岡市向中野字八幡1", IHATOV);
}

#[test]
fn every_form_of_numbers_and_width() {
    let expected = "岩手県盛岡市本町通三丁目19-1";
    for address in [
        "盛岡市本町通三丁目19番1号",
        "盛岡市本町通3丁目19番1号",
        "盛岡市本町通3-19-1",
        "盛岡市本町通３－１９－１",
        "盛岡市本町通３ー１９ー１",
        "盛岡市本町通3‐19―1",
        "盛岡市本町通3−19−1",
        "盛岡市本町通り三丁目十九番一号",
        "岩手県　盛岡市　本町通　３丁目　１９－１",
        "〒020-0015 盛岡市本町通3-19-1",
        "〒０２０－００１５ 岩手県盛岡市本町通三丁目19-1",
        "0200015盛岡市本町通3丁目19-1 本町ビル 3F",
        "本町通3-19-1",
        "盛岡市本町通3-19-1 ハイツ本町101号室",
    ] {
        let r = routed(address, NIO);
        assert_eq!(r.normalized.as_deref(), Some(expected), "{address}");
    }
    for (address, normalized) in [
        ("盛岡市津志田26地割1-1", "岩手県盛岡市津志田26地割1-1"),
        ("盛岡市津志田第26地割1番地1", "岩手県盛岡市津志田26地割1-1"),
        (
            "盛岡市津志田二十六地割五番地一",
            "岩手県盛岡市津志田26地割5-1",
        ),
        ("盛岡市津志田二十六地割5の1", "岩手県盛岡市津志田26地割5-1"),
        ("盛岡市下飯岡十一地割12-3", "岩手県盛岡市下飯岡11地割12-3"),
        ("盛岡市好摩字夏間木70-190", "岩手県盛岡市好摩字夏間木70-190"),
        (
            "盛岡市好摩夏間木70番地190",
            "岩手県盛岡市好摩字夏間木70-190",
        ),
        ("盛岡市繫字舘市1", "岩手県盛岡市繋字舘市1"),
    ] {
        assert_eq!(
            route(address).normalized.as_deref(),
            Some(normalized),
            "{address}"
        );
    }
}

#[test]
fn variant_characters_and_misprints() {
    for (address, town, center) in [
        ("盛岡市繫字舘市1", "繋", IHATOV),
        ("盛岡市繋字舘市1", "繋", IHATOV),
        ("盛岡市藪川字外山1", "薮川", TAMAYAMA),
        ("盛岡市薮川字外山1", "薮川", TAMAYAMA),
        ("盛岡市大ヶ生1地割1", "大ケ生", KAWAKUBO),
        ("盛岡市大ケ生1地割1", "大ケ生", KAWAKUBO),
        ("盛岡市大が生1地割1", "大ケ生", KAWAKUBO),
        ("盛岡市紅葉ヶ丘1-1", "紅葉が丘", ASAGISHI),
        ("盛岡市緑ケ丘2-1-1", "緑が丘", MATSUZONO),
        ("盛岡市中の橋通1-1-1", "中ノ橋通", SATSUKIEN),
        ("盛岡市髙松1-1-1", "高松", NIO),
        ("盛岡市鉦屋町1-1", "鉈屋町", SATSUKIEN),
        ("盛岡市築川5地割1", "簗川", SATSUKIEN),
        ("盛岡市ﾂﾂｼﾞｶﾞ丘", "つつじが丘", SATSUKIEN),
    ] {
        let r = route(address);
        assert_eq!(r.town.as_deref(), Some(town), "{address}: {r:?}");
        assert_eq!(r.center.as_deref(), Some(center), "{address}");
    }
}

#[test]
fn the_old_tamayama_forms_still_route() {
    for (address, town, normalized) in [
        (
            "盛岡市玉山区渋民字鶴塚1-1",
            "渋民",
            "岩手県盛岡市渋民字鶴塚1-1",
        ),
        (
            "岩手県盛岡市玉山区好摩字夏間木70-190",
            "好摩",
            "岩手県盛岡市好摩字夏間木70-190",
        ),
        ("盛岡市玉山区玉山字下田1", "玉山", "岩手県盛岡市玉山字下田1"),
        (
            "盛岡市玉山区永井字東田10",
            "玉山永井",
            "岩手県盛岡市玉山永井字東田10",
        ),
        (
            "盛岡市玉山区馬場字上馬場3",
            "玉山馬場",
            "岩手県盛岡市玉山馬場字上馬場3",
        ),
        (
            "岩手県岩手郡玉山村大字永井12",
            "玉山永井",
            "岩手県盛岡市玉山永井12",
        ),
        ("岩手郡玉山村渋民字渋民1", "渋民", "岩手県盛岡市渋民字渋民1"),
    ] {
        let r = routed(address, TAMAYAMA);
        assert_eq!(r.town.as_deref(), Some(town), "{address}");
        assert_eq!(r.normalized.as_deref(), Some(normalized), "{address}");
    }
    // 永井 without the former prefix is 盛岡市永井.
    routed("盛岡市永井12地割1", IIOKA);
}

#[test]
fn outside_unregistered_and_invalid() {
    for address in [
        "滝沢市鵜飼笹森1",
        "岩手県滝沢市鵜飼1",
        "岩手県岩手郡雫石町1",
        "紫波郡矢巾町1",
        "東京都千代田区霞が関1-1",
        "宮城県仙台市",
        "北海道札幌市",
        "〒100-8914 千代田区1",
    ] {
        let r = route(address);
        assert_eq!(r.status, Status::Outside, "{address}: {r:?}");
        assert_eq!((r.town, r.normalized, r.center), (None, None, None));
    }
    for (address, town) in [
        ("盛岡市愛宕下1-10", Some("愛宕下")),
        ("盛岡市平賀新田字高柳1", Some("平賀新田")),
        ("盛岡市存在しない町1", None),
        ("盛岡市", None),
    ] {
        let r = route(address);
        assert_eq!(r.status, Status::Unregistered, "{address}: {r:?}");
        assert_eq!(r.town.as_deref(), town, "{address}");
    }
    for address in [
        "",
        "   ",
        "あいうえお",
        "12345",
        "S45.3.12",
        "--",
        "\u{0}\u{1}",
    ] {
        assert_eq!(route(address).status, Status::Invalid, "{address:?}");
    }
}

#[test]
fn a_postal_code_alone_names_its_town() {
    let r = route("〒020-0114");
    assert_eq!(r.town.as_deref(), Some("高松"));
    assert_eq!(r.status, Status::Ambiguous);
    routed("〒020-0866", IHATOV);
    let towns = ROUTER.postal_towns("０２０－０２０４");
    assert_eq!(towns.len(), 1);
    assert_eq!(towns[0].town, "上田");
    assert_eq!(towns[0].note.as_deref(), Some("糠森、小野松"));
    assert!(ROUTER.postal_towns("1000001").is_empty());
}

#[test]
fn the_discrepancies_are_the_ones_recorded_in_address_notes() {
    let mut found: Vec<String> = ROUTER
        .discrepancies()
        .iter()
        .map(|d| format!("{}: {}", d.kind, d.subject))
        .collect();
    found.sort();
    let mut expected = [
        "異体字: 計画の「繫字」（イーハトーブ地域包括支援センター）",
        "異体字: 計画の「大ヶ生」（地域包括支援センター川久保）",
        "異体字: 計画の「藪川字」（玉山地域包括支援センター）",
        "表記の読み替え: 計画の「東中野下道」（五月園地域包括支援センター）",
        "表記の読み替え: 計画の「築川」（五月園地域包括支援センター）",
        "表記の読み替え: 計画の「鉦屋町」（五月園地域包括支援センター）",
        "複数のセンターに掲載: 「北飯岡」（イーハトーブ地域包括支援センター・飯岡・永井地域包括支援センター）",
        "複数のセンターに掲載: 「向中野」（イーハトーブ地域包括支援センター・飯岡・永井地域包括支援センター）",
        "計画にない町名: 日本郵便の「平賀新田」",
        "計画にない町名: 日本郵便の「愛宕下」",
    ];
    expected.sort();
    assert_eq!(found, expected);
    let notes = include_str!("../../../packs/morioka/ADDRESS_NOTES.md");
    for d in ROUTER.discrepancies() {
        let name = d.subject.split(['「', '」']).nth(1).unwrap();
        assert!(
            notes.contains(name),
            "ADDRESS_NOTES.md does not mention {name}"
        );
    }
}
