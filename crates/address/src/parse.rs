//! Reading an address: prefixes (〒, 岩手県, 盛岡市, a former ward), the town,
//! then 丁目 / 地割 / 字 and the block numbers; what follows is the building.

use crate::numerals::{is_kanji_numeral, parse_kanji, to_kanji};
use crate::rules::{Index, Town};
use crate::text::normalize_text;

/// An address as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub postal_code: Option<String>,
    /// Says it is in this city (盛岡市 or a former ward/village of it).
    pub in_city: bool,
    /// Written in the form of the former ward/village.
    pub former: bool,
    /// Says it is in another prefecture or municipality.
    pub outside: bool,
    pub town: Option<usize>,
    pub chome: Option<u32>,
    pub chiwari: Option<u32>,
    pub aza: Option<String>,
    /// `字` was written (even if no name followed).
    pub aza_marked: bool,
    pub numbers: Vec<u32>,
    pub building: Option<String>,
    /// Nothing but spaces.
    pub empty: bool,
}

impl Parsed {
    /// The canonical form: 岩手県盛岡市 + town + 漢数字丁目 + N地割 + 字… + 5-1.
    pub fn normalized(&self, index: &Index) -> Option<String> {
        let town = &index.towns[self.town?];
        let mut out = format!("{}{}{}", index.prefecture, index.city, town.name);
        if let Some(chome) = self.chome {
            out.push_str(&to_kanji(chome));
            out.push_str("丁目");
        }
        if let Some(chiwari) = self.chiwari {
            out.push_str(&format!("{chiwari}地割"));
        }
        if let Some(aza) = &self.aza {
            out.push('字');
            out.push_str(aza);
        }
        let numbers: Vec<String> = self.numbers.iter().map(u32::to_string).collect();
        out.push_str(&numbers.join("-"));
        Some(out)
    }
}

pub(crate) fn parse(input: &str, index: &Index) -> Parsed {
    let text = normalize_text(input);
    let mut p = Parsed {
        empty: text.is_empty(),
        ..Parsed::default()
    };
    let mut rest = text.trim_start_matches(['〒', ' ']);
    if let Some((code, after)) = postal_prefix(rest) {
        p.postal_code = Some(code);
        rest = after;
    }
    // Spaces mean nothing before the numbers start (盛岡市 高松 4-5-1).
    let digit_at = rest
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(rest.len());
    let compact: String = rest[..digit_at]
        .chars()
        .filter(|c| *c != ' ')
        .chain(rest[digit_at..].chars())
        .collect();
    let mut rest = compact.as_str();
    rest = rest
        .strip_prefix("日本国")
        .or_else(|| rest.strip_prefix("日本"))
        .unwrap_or(rest);
    if let Some(after) = rest.strip_prefix(index.prefecture.as_str()) {
        rest = after;
    } else if other_prefecture(rest) {
        p.outside = true;
        return p;
    }
    if let Some(after) = rest.strip_prefix(index.city.as_str()) {
        p.in_city = true;
        rest = after;
    }
    for former in &index.former_names {
        if let Some(after) = rest.strip_prefix(former.as_str()) {
            p.in_city = true;
            p.former = true;
            rest = after;
            break;
        }
    }
    rest = rest.strip_prefix("大字").unwrap_or(rest);
    match index.match_town(rest, p.former) {
        Some((town, taken)) => {
            p.town = Some(town);
            let at = rest
                .char_indices()
                .nth(taken)
                .map_or(rest.len(), |(i, _)| i);
            parse_locator(&rest[at..], &index.towns[town], &mut p);
        }
        None if !p.in_city && other_municipality(rest) => p.outside = true,
        None => {}
    }
    p
}

/// `020-0114`, `0200114`, `〒020 0114` at the start.
fn postal_prefix(text: &str) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    if !digits(0..3) {
        return None;
    }
    let (second, end) = match bytes.get(3) {
        Some(b'-' | b' ') => (4..8, 8),
        _ => (3..7, 7),
    };
    if !digits(second.clone()) || bytes.get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let code = format!("{}{}", &text[0..3], &text[second]);
    Some((code, text[end..].trim_start()))
}

/// 東京都…, 宮城県…, 北海道…: a prefecture that is not ours.
fn other_prefecture(text: &str) -> bool {
    if text.starts_with("北海道") {
        return true;
    }
    text.chars()
        .take(4)
        .enumerate()
        .any(|(i, c)| i >= 1 && matches!(c, '都' | '府' | '県'))
}

/// 滝沢市…, 岩手郡雫石町…, 紫波町…: another municipality's name.
fn other_municipality(text: &str) -> bool {
    text.chars()
        .take(6)
        .enumerate()
        .any(|(i, c)| i >= 1 && matches!(c, '市' | '郡' | '町' | '村'))
        && !text.starts_with(|c: char| c.is_ascii_digit())
}

/// A 字 name without what cannot end or begin one: a long-vowel mark (a
/// hyphen next to a digit) or a trailing 第 (which belongs to 第N地割).
fn clean_name(name: &str) -> &str {
    name.trim_start_matches('ー').trim_end_matches(['ー', '第'])
}

/// Characters of a place name: kanji, kana, 々, ヶ.
fn is_name_char(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}'
        | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | 'ー' | '々' | '〆')
}

/// Kanji numerals that stand for numbers (二丁目, 五番地一, 第二十六地割)
/// become digits; those in names (三本柳, 字一本木) stay.
fn arabicize(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_kanji_numeral(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_kanji_numeral(chars[i]) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let before = start.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i).copied();
        let digit_like =
            |c: Option<&char>| c.is_some_and(|c| c.is_ascii_digit() || is_kanji_numeral(*c));
        // の joins numbers only between numbers (5の1), not in names (一の渡).
        let numeric_after = matches!(after, None | Some('丁' | '番' | '号' | '-' | ' '))
            || (after == Some('の') && digit_like(chars.get(i + 1)))
            || (after == Some('地') && chars.get(i + 1) == Some(&'割'));
        let before_before = start.checked_sub(2).map(|j| chars[j]);
        let numeric_before = matches!(before, Some('番' | '-' | '第' | '号'))
            || (before == Some('地') && before_before == Some('番'))
            || (before == Some('の') && before_before.is_some_and(|c| c.is_ascii_digit()));
        match parse_kanji(&run) {
            Some(n) if numeric_after || numeric_before => out.push_str(&n.to_string()),
            _ => out.push_str(&run),
        }
    }
    out
}

fn parse_locator(text: &str, town: &Town, p: &mut Parsed) {
    let text = arabicize(text);
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize, pattern: &str| {
        pattern
            .chars()
            .enumerate()
            .all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    let is_digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let read_number = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while is_digit(*i) {
            *i += 1;
        }
        let digits: String = chars[start..*i].iter().collect();
        // Longer runs are not house numbers (a phone number, a typo).
        if *i - start > 6 {
            None
        } else {
            digits.parse().ok()
        }
    };
    // A 字 name: kanji and kana, up to the numbers. A long-vowel mark at
    // either end is not part of it (before a digit it is a hyphen).
    let read_name = |i: &mut usize| -> String {
        let start = *i;
        while *i < chars.len()
            && is_name_char(chars[*i])
            && !(chars[*i] == '第' && is_digit(*i + 1))
        {
            *i += 1;
        }
        let name: String = chars[start..*i].iter().collect();
        clean_name(&name).to_owned()
    };
    let mut i = 0;
    loop {
        while chars.get(i) == Some(&' ') && p.numbers.is_empty() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        if at(i, "大字") {
            i += 2;
            continue;
        }
        if at(i, "小字") || chars[i] == '字' {
            i += if chars[i] == '字' { 1 } else { 2 };
            p.aza_marked = true;
            let name = read_name(&mut i);
            if !name.is_empty() && p.aza.is_none() {
                p.aza = Some(name);
            }
            continue;
        }
        if chars[i] == '第' && is_digit(i + 1) {
            i += 1;
            continue;
        }
        if is_digit(i) {
            let Some(n) = read_number(&mut i) else { break };
            let plausible = (1..=99).contains(&n);
            if plausible && (at(i, "丁目") || (at(i, "丁") && p.chome.is_none())) {
                p.chome = Some(n);
                i += if at(i, "丁目") { 2 } else { 1 };
                continue;
            }
            if plausible && at(i, "地割") {
                p.chiwari = Some(n);
                i += 2;
                continue;
            }
            p.numbers.push(n);
            loop {
                let separator = ["番地の", "番地", "番の", "番", "の", "-"]
                    .into_iter()
                    .find(|s| at(i, s));
                if at(i, "号") {
                    i += 1;
                    break;
                }
                let Some(separator) = separator else { break };
                if !is_digit(i + separator.chars().count()) {
                    i += separator.chars().count();
                    break;
                }
                i += separator.chars().count();
                match read_number(&mut i) {
                    Some(n) => p.numbers.push(n),
                    None => break,
                }
            }
            break;
        }
        // A name straight after the town is a 字 (or 小字) written without 字:
        // 上田松屋敷, 上田堤頭.
        let nothing_yet =
            p.aza.is_none() && p.chome.is_none() && p.chiwari.is_none() && p.numbers.is_empty();
        if nothing_yet && chars[i] != '-' {
            let name = read_name(&mut i);
            if !name.is_empty() {
                p.aza = Some(name);
                continue;
            }
        }
        break;
    }
    // A 字 name that ends in a numeral with nothing after it (字外山一) ends
    // in its number, as it would read the second time.
    if p.numbers.is_empty()
        && let Some(aza) = &p.aza
    {
        let name_len = aza.trim_end_matches(is_kanji_numeral).len();
        if name_len < aza.len()
            && let Some(n) = parse_kanji(&aza[name_len..])
        {
            p.numbers.push(n);
            let name = clean_name(&aza[..name_len]);
            p.aza = (!name.is_empty()).then(|| name.to_owned());
        }
    }
    let building: String = chars[i.min(chars.len())..]
        .iter()
        .collect::<String>()
        .trim()
        .trim_start_matches('-')
        .trim()
        .to_owned();
    if !building.is_empty() {
        p.building = Some(building);
    }
    // 高松4-5-1: the first number of three is the 丁目 in a town with 丁目;
    // of two, only where the town has no 字 addresses to confuse it with.
    if p.chome.is_none() && p.chiwari.is_none() && p.aza.is_none() && town.has_chome {
        let enough = p.numbers.len() >= 3 || (p.numbers.len() == 2 && !town.has_aza);
        if enough && (1..=30).contains(&p.numbers[0]) {
            p.chome = Some(p.numbers.remove(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_in_any_form() {
        assert_eq!(
            postal_prefix("020-0114 高松"),
            Some(("0200114".into(), "高松"))
        );
        assert_eq!(
            postal_prefix("0200114盛岡市"),
            Some(("0200114".into(), "盛岡市"))
        );
        assert_eq!(postal_prefix("020 0114"), Some(("0200114".into(), "")));
        assert_eq!(postal_prefix("02001145"), None);
        assert_eq!(postal_prefix("高松"), None);
    }

    #[test]
    fn numerals_in_numbers_only() {
        assert_eq!(arabicize("二丁目五番地一"), "2丁目5番地1");
        assert_eq!(arabicize("第二十六地割"), "第26地割");
        assert_eq!(arabicize("字一本木十番"), "字一本木10番");
        assert_eq!(arabicize("字三ツ家"), "字三ツ家");
    }
}
