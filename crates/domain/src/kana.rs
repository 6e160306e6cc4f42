//! ふりがな and other text that people type in several ways.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A reading in hiragana (the sheet's ふりがな), from hiragana, katakana or
/// half-width katakana, with spaces between family and given names kept as
/// one half-width space.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kana(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaProblem {
    #[error("ふりがなは、ひらがな・カタカナで入力してください（「{0}」は使えません）")]
    NotKana(char),
    #[error("ふりがなは100文字以内で入力してください")]
    TooLong,
}

impl Kana {
    pub fn parse(input: &str) -> Result<Option<Kana>, KanaProblem> {
        let text = to_hiragana(&input.nfkc().collect::<String>());
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Ok(None);
        }
        let joined = words.join(" ");
        if let Some(bad) = joined.chars().find(|c| !is_hiragana(*c) && *c != ' ') {
            return Err(KanaProblem::NotKana(bad));
        }
        if joined.chars().count() > 100 {
            return Err(KanaProblem::TooLong);
        }
        Ok(Some(Kana(joined)))
    }

    /// Restores a value read from storage (already in the stored form).
    pub fn from_stored(value: String) -> Kana {
        Kana(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kana {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | 'ー' | 'ゝ' | 'ゞ' | '・')
}

/// Katakana to hiragana (ヴ → ゔ); other characters unchanged.
pub fn to_hiragana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            'ヽ' => 'ゝ',
            'ヾ' => 'ゞ',
            c => c,
        })
        .collect()
}

/// 全角 letters, digits, colons and spaces as 半角 (NFKC): what a form reads
/// dates and times in.
pub fn fold_width(text: &str) -> String {
    text.nfkc().collect()
}

/// The form text is compared in for search: NFKC, katakana as hiragana, no
/// spaces, lower-case. 「ﾓﾘｵｶ ﾊﾅｺ」, 「もりおか　はなこ」 and 「モリオカハナコ」 meet.
pub fn search_key(text: &str) -> String {
    let key: String = to_hiragana(&text.nfkc().collect::<String>())
        .chars()
        // Control characters (a NUL among them, which would cut the FTS5
        // query short) are no part of a name.
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '・')
        .flat_map(char::to_lowercase)
        .collect();
    // Dropping a space or lower-casing can bring a combining mark next to a
    // letter (K´ → k + ◌́): normalized once more, the key of a key is itself.
    key.nfkc().collect()
}

/// A phone number as digits only, for comparing (090-0000-0000 = ０９０００００００００).
pub fn phone_key(text: &str) -> String {
    text.nfkc().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_no_part_of_a_key() {
        assert_eq!(search_key("もり\0おか\u{7}\u{95}"), "もりおか");
        assert_eq!(search_key("\0"), "");
    }

    #[test]
    fn any_kana_is_stored_as_hiragana() {
        for input in [
            "もりおか はなこ",
            "モリオカ ハナコ",
            "ﾓﾘｵｶ ﾊﾅｺ",
            "もりおか　　はなこ",
            " ﾓﾘｵｶ　ﾊﾅｺ ",
        ] {
            assert_eq!(
                Kana::parse(input).unwrap().unwrap().as_str(),
                "もりおか はなこ",
                "{input}"
            );
        }
        assert_eq!(
            Kana::parse("ｳﾞｧｲｵﾘﾝ").unwrap().unwrap().as_str(),
            "ゔぁいおりん"
        );
        assert_eq!(Kana::parse("").unwrap(), None);
        assert_eq!(Kana::parse("盛岡").unwrap_err(), KanaProblem::NotKana('盛'));
    }

    #[test]
    fn search_keys_meet_across_forms() {
        assert_eq!(search_key("ﾓﾘｵｶ ﾊﾅｺ"), search_key("もりおか　はなこ"));
        assert_eq!(search_key("モリオカハナコ"), "もりおかはなこ");
        assert_eq!(phone_key("０９０－１２３４－５６７８"), "09012345678");
    }
}

/// Whether two search keys probably name the same person: equal, or within a
/// small edit distance (a typo, 斉藤/斎藤-style kanji aside, a missed small
/// kana): at most 1 edit for short keys, 2 for keys of 6 characters or more.
pub fn similar(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let allowed = if a.len().min(b.len()) >= 6 { 2 } else { 1 };
    if a.len().abs_diff(b.len()) > allowed {
        return false;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()] <= allowed
}

#[cfg(test)]
mod similar_tests {
    use super::*;

    #[test]
    fn near_names_are_similar() {
        assert!(similar(
            &search_key("もりおか はなこ"),
            &search_key("ﾓﾘｵｶﾊﾅｺ")
        ));
        assert!(similar("もりおかはなこ", "もりおかはなご"));
        assert!(similar("盛岡花子", "盛岡華子"));
        assert!(!similar("盛岡花子", "仙台太郎"));
        assert!(!similar("", ""));
    }
}
