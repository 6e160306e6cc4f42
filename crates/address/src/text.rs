//! Text clean-up shared by every address: NFKC, hyphens, spaces, and the
//! folding of variant characters for matching town names.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// NFKC (full-width digits and letters to half-width, half-width katakana to
/// full-width), every dash-like character to `-` (the long-vowel mark only
/// between digits, since town names such as 流通センター北 contain it), and
/// runs of whitespace to one space. Idempotent.
pub fn normalize_text(input: &str) -> String {
    let nfkc: std::borrow::Cow<'_, str> = if is_nfkc_quick(input.chars()) == IsNormalized::Yes {
        input.into()
    } else {
        input.nfkc().collect::<String>().into()
    };
    let chars: Vec<char> = nfkc.chars().collect();
    let mut out = String::with_capacity(nfkc.len());
    let mut pending_space = false;
    for (i, &c) in chars.iter().enumerate() {
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
                let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
                let digit_after = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                if digit_before || digit_after { '-' } else { c }
            }
            other => other,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
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
    fn width_hyphens_and_spaces() {
        assert_eq!(normalize_text("盛岡市　高松４－５－１"), "盛岡市 高松4-5-1");
        assert_eq!(normalize_text("高松4ー5ｰ1"), "高松4-5-1");
        assert_eq!(normalize_text("高松4‐5―1"), "高松4-5-1");
        assert_eq!(normalize_text("流通センター北1-8"), "流通センター北1-8");
        assert_eq!(normalize_text("ﾓﾘｵｶ  ｴｷ"), "モリオカ エキ");
        assert_eq!(normalize_text("  盛岡市\t大通  "), "盛岡市 大通");
    }
}
