//! 和暦: dates written as 昭和45年3月12日, S45.3.12, s45/3/12, 1970-03-12,
//! 1970/3/12, full-width forms; shown as 昭和45年3月12日（1970年）.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// A Japanese era (元号) since 明治.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl Era {
    const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    pub fn name(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The first day of the era (the day of 改元).
    fn first_day(self) -> NaiveDate {
        let (y, m, d) = match self {
            Era::Meiji => (1868, 1, 25), // 明治元年1月1日 (旧暦) as used by civil registries
            Era::Taisho => (1912, 7, 30),
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        };
        NaiveDate::from_ymd_opt(y, m, d).expect("era start dates are valid")
    }

    fn next(self) -> Option<Era> {
        let i = Era::ALL.iter().position(|e| *e == self)?;
        Era::ALL.get(i + 1).copied()
    }

    /// The era of a date, if it is 明治 or later.
    pub fn of(date: NaiveDate) -> Option<Era> {
        Era::ALL.into_iter().rev().find(|e| date >= e.first_day())
    }

    /// The 西暦 year in which the era's year `n` falls (令和7 → 2025).
    pub fn western_year(self, n: i32) -> i32 {
        self.first_day().year() + n - 1
    }

    /// The era's year of a 西暦 year counted from the era's first year.
    pub fn year_of(self, western: i32) -> i32 {
        western - self.first_day().year() + 1
    }

    /// Reads 令和, R or r at the start of `text`; the rest follows.
    pub fn strip_from(text: &str) -> Option<(Era, &str)> {
        Era::parse_name(text)
    }

    fn parse_name(text: &str) -> Option<(Era, &str)> {
        for era in Era::ALL {
            if let Some(rest) = text.strip_prefix(era.name()) {
                return Some((era, rest));
            }
            let mut chars = text.chars();
            if let Some(c) = chars.next()
                && c.to_ascii_uppercase() == era.letter()
            {
                return Some((era, chars.as_str()));
            }
        }
        None
    }
}

/// A calendar date entered by a person, in 和暦 or 西暦.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EraDate(NaiveDate);

/// Why a date was refused, in the words shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateProblem {
    #[error("日付を入力してください")]
    Empty,
    #[error("日付として読み取れません（例: 昭和45年3月12日、S45.3.12、1970-03-12）")]
    Unreadable,
    #[error("{0}は存在しない日付です")]
    NoSuchDay(String),
    #[error("{era}{year}年{month}月{day}日はありません（{era}は{last}まで）")]
    AfterEra {
        era: &'static str,
        year: String,
        month: u32,
        day: u32,
        last: String,
    },
    #[error("{0}は扱える日付（1868年〜2100年）の範囲外です")]
    OutOfRange(String),
    #[error("{era}{year}年{month}月{day}日はありません（{era}は{first}から）")]
    BeforeEra {
        era: &'static str,
        year: String,
        month: u32,
        day: u32,
        first: String,
    },
}

impl EraDate {
    pub fn from_date(date: NaiveDate) -> EraDate {
        EraDate(date)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// Reads 昭和45年3月12日, 昭和元年…, S45.3.12, s45/3/12, S45-03-12,
    /// 1970-03-12, 1970/3/12, 1970年3月12日, 19700312, full-width or not.
    /// An era date that the era did not reach (昭和64年1月8日, 平成31年5月1日,
    /// 令和元年4月30日) is refused with the reason.
    pub fn parse(input: &str) -> Result<EraDate, DateProblem> {
        // The system's own label, 令和8年11月20日（2026年）, reads back: the
        // year in brackets must agree with the date.
        let trimmed = input.trim();
        for (open, close) in [('（', "年）"), ('(', "年)")] {
            if let Some(body) = trimmed.strip_suffix(close)
                && let Some((date, year)) = body.rsplit_once(open)
            {
                let parsed = EraDate::parse(date)?;
                let year: String = year
                    .chars()
                    .map(|c| match c {
                        '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                        c => c,
                    })
                    .collect();
                return match year.trim().parse::<i32>() {
                    Ok(y) if y == parsed.0.year() => Ok(parsed),
                    _ => Err(DateProblem::Unreadable),
                };
            }
        }
        let text: String = input
            .chars()
            .map(|c| match c {
                '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
                }
                '．' | '。' | '・' => '.',
                '／' => '/',
                '－' | 'ー' | '‐' | '−' | '―' => '-',
                c => c,
            })
            .filter(|c| !c.is_whitespace())
            .collect();
        if text.is_empty() {
            return Err(DateProblem::Empty);
        }
        if let Some((era, rest)) = Era::parse_name(&text) {
            let rest = rest.replacen('元', "1", 1);
            let [year, month, day] = numbers(&rest).ok_or(DateProblem::Unreadable)?;
            return EraDate::from_era(era, year, month, day);
        }
        if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit()) {
            let (y, rest) = text.split_at(4);
            let (m, d) = rest.split_at(2);
            let parse = |s: &str| s.parse::<u32>().map_err(|_| DateProblem::Unreadable);
            return EraDate::from_western(parse(y)?, parse(m)?, parse(d)?);
        }
        let [year, month, day] = numbers(&text).ok_or(DateProblem::Unreadable)?;
        if year < 1000 {
            return Err(DateProblem::Unreadable);
        }
        EraDate::from_western(year, month, day)
    }

    /// The years a date of this system can fall in: from 明治 to the end of
    /// the 年度 the reports cover. A date beyond is a typing mistake.
    pub const YEARS: std::ops::RangeInclusive<u32> = 1868..=2100;

    fn from_western(year: u32, month: u32, day: u32) -> Result<EraDate, DateProblem> {
        if !EraDate::YEARS.contains(&year) {
            return Err(DateProblem::OutOfRange(format!("{year}年{month}月{day}日")));
        }
        let year_i = i32::try_from(year).map_err(|_| DateProblem::Unreadable)?;
        NaiveDate::from_ymd_opt(year_i, month, day)
            .map(EraDate)
            .ok_or_else(|| DateProblem::NoSuchDay(format!("{year}年{month}月{day}日")))
    }

    fn from_era(era: Era, year: u32, month: u32, day: u32) -> Result<EraDate, DateProblem> {
        if year == 0 {
            return Err(DateProblem::Unreadable);
        }
        let era_label = || format!("{}{}年{month}月{day}日", era.name(), year_label(year));
        let western = (era.first_day().year() as u32)
            .checked_add(year - 1)
            .filter(|y| EraDate::YEARS.contains(y))
            .ok_or_else(|| DateProblem::OutOfRange(era_label()))?;
        let date = EraDate::from_western(western, month, day)
            .map_err(|_| {
                DateProblem::NoSuchDay(format!(
                    "{}{}年{month}月{day}日",
                    era.name(),
                    year_label(year)
                ))
            })?
            .0;
        if date < era.first_day() {
            return Err(DateProblem::BeforeEra {
                era: era.name(),
                year: year_label(year),
                month,
                day,
                first: EraDate(era.first_day()).era_label(),
            });
        }
        if let Some(next) = era.next()
            && date >= next.first_day()
        {
            let last = next
                .first_day()
                .pred_opt()
                .expect("a day before an era start");
            return Err(DateProblem::AfterEra {
                era: era.name(),
                year: year_label(year),
                month,
                day,
                last: EraDate(last).era_label(),
            });
        }
        Ok(EraDate(date))
    }

    /// A date of something that happened: required, 和暦 or 西暦, not after
    /// `today`. `what` names the field in the messages (日付, 同意を確認した日 …).
    pub fn parse_happened(input: &str, today: NaiveDate, what: &str) -> Result<NaiveDate, String> {
        if input.trim().is_empty() {
            return Err(format!("{what}を入れてください"));
        }
        match EraDate::parse(input) {
            Ok(d) if d.0 > today => Err(format!("{what}に未来の日付は入れられません")),
            Ok(d) => Ok(d.0),
            Err(e) => Err(e.to_string()),
        }
    }

    /// 昭和45年3月12日 (元年 for the first year); 西暦 before 明治.
    pub fn era_label(self) -> String {
        match Era::of(self.0) {
            Some(era) => {
                let year = (self.0.year() - era.first_day().year() + 1) as u32;
                format!(
                    "{}{}年{}月{}日",
                    era.name(),
                    year_label(year),
                    self.0.month(),
                    self.0.day()
                )
            }
            None => format!("{}年{}月{}日", self.0.year(), self.0.month(), self.0.day()),
        }
    }

    /// 昭和45年3月12日（1970年）: 和暦 with 西暦 beside.
    pub fn label(self) -> String {
        format!("{}（{}年）", self.era_label(), self.0.year())
    }

    /// S45.3.12, the short form staff write on paper.
    pub fn short(self) -> String {
        match Era::of(self.0) {
            Some(era) => format!(
                "{}{}.{}.{}",
                era.letter(),
                self.0.year() - era.first_day().year() + 1,
                self.0.month(),
                self.0.day()
            ),
            None => self.iso(),
        }
    }

    pub fn iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// Age in whole years on `on` (満年齢: a birthday on 2月29日 counts from 3月1日 in other years).
    pub fn age_on(self, on: NaiveDate) -> Option<u32> {
        let mut age = on.year() - self.0.year();
        if (on.month(), on.day()) < (self.0.month(), self.0.day()) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }
}

impl fmt::Display for EraDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

fn year_label(year: u32) -> String {
    if year == 1 {
        "元".to_owned()
    } else {
        year.to_string()
    }
}

/// Three numbers separated by . / - or 年 月 (日).
fn numbers(text: &str) -> Option<[u32; 3]> {
    let text = text.trim_end_matches('日');
    let parts: Vec<&str> = text.split(['.', '/', '-', '年', '月']).collect();
    match parts.as_slice() {
        [y, m, d] => Some([y.parse().ok()?, m.parse().ok()?, d.parse().ok()?]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_systems_own_label_reads_back() {
        let day = date(2026, 11, 20);
        let label = EraDate::from_date(day).label();
        assert_eq!(label, "令和8年11月20日（2026年）");
        assert_eq!(EraDate::parse(&label).unwrap().date(), day);
        assert_eq!(
            EraDate::parse("令和8年11月20日(2026年)").unwrap().date(),
            day
        );
        assert!(
            EraDate::parse("令和8年11月20日（2025年）").is_err(),
            "years disagree"
        );
    }

    #[test]
    fn years_no_one_means_are_refused_without_overflow() {
        for typed in [
            "R99999.1.1",
            "令和99999年1月1日",
            "R4294967295.1.1",
            "99999-01-01",
            "2101-01-01",
            "1800-01-01",
        ] {
            assert!(
                matches!(EraDate::parse(typed), Err(DateProblem::OutOfRange(_))),
                "{typed}: {:?}",
                EraDate::parse(typed)
            );
        }
        assert_eq!(
            EraDate::parse("R99999.1.1").unwrap_err().to_string(),
            "令和99999年1月1日は扱える日付（1868年〜2100年）の範囲外です"
        );
        assert_eq!(
            EraDate::parse("2100-12-31").unwrap().date(),
            date(2100, 12, 31)
        );
        assert_eq!(
            EraDate::parse("R82.12.31").unwrap().date(),
            date(2100, 12, 31)
        );
    }

    #[test]
    fn every_written_form_reads_the_same_day() {
        for input in [
            "昭和45年3月12日",
            "S45.3.12",
            "s45/3/12",
            "S45-03-12",
            "1970-03-12",
            "1970/3/12",
            "1970年3月12日",
            "19700312",
            "Ｓ４５．３．１２",
            "昭和４５年３月１２日",
            "１９７０－０３－１２",
            " 昭和 45 年 3 月 12 日 ",
        ] {
            assert_eq!(
                EraDate::parse(input).map(EraDate::date),
                Ok(date(1970, 3, 12)),
                "{input}"
            );
        }
        assert_eq!(
            EraDate::parse("令和元年5月1日").unwrap().date(),
            date(2019, 5, 1)
        );
        assert_eq!(EraDate::parse("H1.1.8").unwrap().date(), date(1989, 1, 8));
        assert_eq!(
            EraDate::parse("T15.12.24").unwrap().date(),
            date(1926, 12, 24)
        );
    }

    #[test]
    fn dates_the_era_did_not_reach_are_refused_with_the_reason() {
        assert_eq!(
            EraDate::parse("昭和64年1月8日").unwrap_err().to_string(),
            "昭和64年1月8日はありません（昭和は昭和64年1月7日まで）"
        );
        assert_eq!(
            EraDate::parse("平成31年5月1日").unwrap_err().to_string(),
            "平成31年5月1日はありません（平成は平成31年4月30日まで）"
        );
        assert_eq!(
            EraDate::parse("令和元年4月30日").unwrap_err().to_string(),
            "令和元年4月30日はありません（令和は令和元年5月1日から）"
        );
        assert_eq!(
            EraDate::parse("S45.2.30").unwrap_err().to_string(),
            "昭和45年2月30日は存在しない日付です"
        );
        assert_eq!(
            EraDate::parse("昭和64年1月7日").unwrap().date(),
            date(1989, 1, 7)
        );
        assert_eq!(EraDate::parse("").unwrap_err(), DateProblem::Empty);
        assert_eq!(
            EraDate::parse("むかし").unwrap_err(),
            DateProblem::Unreadable
        );
    }

    #[test]
    fn shown_in_era_with_western_year_beside() {
        let d = EraDate::parse("1970-03-12").unwrap();
        assert_eq!(d.label(), "昭和45年3月12日（1970年）");
        assert_eq!(d.short(), "S45.3.12");
        assert_eq!(
            EraDate::parse("2019-05-01").unwrap().era_label(),
            "令和元年5月1日"
        );
    }

    #[test]
    fn age_is_counted_at_the_intake_date() {
        let birth = EraDate::parse("S45.3.12").unwrap();
        assert_eq!(birth.age_on(date(2026, 3, 11)), Some(55));
        assert_eq!(birth.age_on(date(2026, 3, 12)), Some(56));
        assert_eq!(birth.age_on(date(1960, 1, 1)), None);
    }
}
