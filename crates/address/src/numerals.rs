//! 漢数字 ⇄ 算用数字.

/// The value of one kanji digit, or of 十/百/千 as a multiplier.
fn digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壱' => 1,
        '二' | '弐' => 2,
        '三' | '参' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn multiplier(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

pub fn is_kanji_numeral(c: char) -> bool {
    digit(c).is_some() || multiplier(c).is_some()
}

/// Reads a run of kanji numerals: 二十六 = 26, 十一 = 11, 二〇 = 20 (digit by
/// digit when there is no 十/百/千), 百五 = 105. `None` for an empty run or a
/// value above 99,999.
pub fn parse_kanji(run: &str) -> Option<u32> {
    if run.is_empty() {
        return None;
    }
    if run.chars().all(|c| digit(c).is_some()) {
        // 二〇 → 20: positional.
        let mut value: u32 = 0;
        for c in run.chars() {
            value = value.checked_mul(10)?.checked_add(digit(c)?)?;
        }
        return (value <= 99_999).then_some(value);
    }
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    for c in run.chars() {
        if let Some(d) = digit(c) {
            current = Some(current.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
        } else if let Some(m) = multiplier(c) {
            total = total.checked_add(current.unwrap_or(1).checked_mul(m)?)?;
            current = None;
        } else {
            return None;
        }
    }
    let value = total.checked_add(current.unwrap_or(0))?;
    (value <= 99_999).then_some(value)
}

/// 26 → 二十六, as 丁目 are written in official addresses.
pub fn to_kanji(mut n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "〇".into();
    }
    let mut out = String::new();
    for (unit, mark) in [(1000, '千'), (100, '百'), (10, '十')] {
        let d = n / unit;
        if d > 0 {
            if d > 1 {
                out.push(DIGITS[d as usize % 10]);
            }
            out.push(mark);
        }
        n %= unit;
    }
    if n > 0 {
        out.push(DIGITS[n as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kanji_numerals_both_ways() {
        for (kanji, n) in [
            ("一", 1),
            ("四", 4),
            ("十", 10),
            ("十一", 11),
            ("二十", 20),
            ("二十六", 26),
            ("百五", 105),
            ("二〇", 20),
            ("千二百", 1200),
        ] {
            assert_eq!(parse_kanji(kanji), Some(n), "{kanji}");
        }
        for n in 1..=200 {
            assert_eq!(parse_kanji(&to_kanji(n)), Some(n), "{n}");
        }
        assert_eq!(to_kanji(26), "二十六");
        assert_eq!(parse_kanji(""), None);
        assert_eq!(parse_kanji("丁"), None);
    }
}
