//! Text clean-up shared by every address: NFKC, hyphens, spaces, and the
//! folding of variant characters for matching town names.

use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width digits and letters to half-width, half-width katakana to
/// full-width), every dash-like character to `-` (the long-vowel mark only
/// between digits, since town names such as 流通センター北 contain it), and
/// runs of whitespace to one space. Idempotent.
pub fn normalize_text(input: &str) -> String {
    // Most addresses are kanji, kana, ASCII and full-width ASCII, which NFKC
    // maps one character to one; only other text needs the full algorithm.
    if input.chars().all(|c| simple_nfkc(c).is_some()) {
        clean(input.chars().filter_map(simple_nfkc), input.len())
    } else {
        clean(input.nfkc(), input.len())
    }
}

/// NFKC of characters it maps to one character without composition, or
/// `None` (checked against unicode-normalization in the tests).
fn simple_nfkc(c: char) -> Option<char> {
    match c {
        '\u{20}'..='\u{7E}' | '\t' | '\n' | '\r' => Some(c),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        '\u{3001}'..='\u{3007}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3012}'
        | '\u{3013}'
        | '\u{3014}'..='\u{301F}' => Some(c),
        '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FE}' => Some(c),
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => Some(c),
        '\u{2010}' | '\u{2012}'..='\u{2015}' | '\u{2212}' => Some(c),
        _ => None,
    }
}

fn clean(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut chars = chars.peekable();
    let mut pending_space = false;
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        let c = match c {
            '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{2043}'
            | '\u{FE58}'
            | '\u{FE63}'
            | '\u{FF0D}' => '-',
            '\u{30FC}' | '\u{FF70}' | '\u{2500}' | '\u{2501}' => {
                let digit_before = !pending_space && previous.is_some_and(|p| p.is_ascii_digit());
                let digit_after = chars.peek().is_some_and(char::is_ascii_digit);
                if digit_before || digit_after { '-' } else { c }
            }
            other => other,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// Folds characters that are written several ways in real records, for
/// comparing town names only (one character to one, so positions align).
pub(crate) fn fold(c: char) -> char {
    match c {
        '繫' => '繋',
        '藪' | '籔' => '薮',
        // 大ヶ生 / 大ケ生 / 大が生, 紅葉が丘 / 紅葉ヶ丘 / 紅葉ケ丘
        'ヶ' | 'ヵ' | 'ケ' | 'け' | 'が' | 'ガ' => 'け',
        'ノ' | '之' => 'の',
        // Katakana to hiragana: つつじが丘 / ツツジガ丘 / ﾂﾂｼﾞｶﾞ丘 (after NFKC).
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        '舘' => '館',
        '髙' => '高',
        '澤' => '沢',
        '﨑' | '嵜' => '崎',
        '嶋' => '島',
        '邊' | '邉' => '辺',
        '濱' => '浜',
        '冨' => '富',
        '瀨' => '瀬',
        other => other,
    }
}

pub(crate) fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_is_nfkc() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if let Some(fast) = simple_nfkc(c) {
                let nfkc: String = c.to_string().nfkc().collect();
                assert_eq!(nfkc, fast.to_string(), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn width_hyphens_and_spaces() {
        assert_eq!(normalize_text("盛岡市　高松４－５－１"), "盛岡市 高松4-5-1");
        assert_eq!(normalize_text("高松4ー5ｰ1"), "高松4-5-1");
        assert_eq!(normalize_text("高松4‐5―1"), "高松4-5-1");
        assert_eq!(normalize_text("流通センター北1-8"), "流通センター北1-8");
        assert_eq!(normalize_text("ﾓﾘｵｶ  ｴｷ"), "モリオカ エキ");
        assert_eq!(normalize_text("  盛岡市\t大通  "), "盛岡市 大通");
    }
}
