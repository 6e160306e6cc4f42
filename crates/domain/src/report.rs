//! 年度 and the rules of counting a year's work: which days a 年度 holds,
//! its months (April first) and quarters, and how it is named in 和暦.

use crate::era::Era;
use crate::kana::fold_width;
use chrono::{Datelike, NaiveDate};

/// The report's figures an indicator (評価指標) may read, by key.
pub const FIGURES: &[&str] = &[
    "consultations.total",
    "consultations.persons",
    "handoffs.sent",
    "outreach.targets",
    "outreach.attempts",
    "outreach.connected",
    "participation.persons",
    "participation.matches",
    "participation.retained",
    "participation.hosts",
    "community.resources",
    "community.events",
    "community.participants",
    "community.event_consultations",
    "cases.opened",
    "cases.plans",
    "cases.closed",
    "trainings.held",
];

/// 年度: 4月1日 to 3月31日 of the next year, named by the year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

impl FiscalYear {
    /// Years the system reports on.
    const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

    pub fn new(start_year: i32) -> Option<FiscalYear> {
        FiscalYear::YEARS
            .contains(&start_year)
            .then_some(FiscalYear(start_year))
    }

    /// The 年度 a day belongs to.
    pub fn of(date: NaiveDate) -> FiscalYear {
        if date.month() >= 4 {
            FiscalYear(date.year())
        } else {
            FiscalYear(date.year() - 1)
        }
    }

    /// Reads `2025`, `２０２５年度`, `令和7年度`, `R7`, `令和元年度`.
    pub fn parse(text: &str) -> Result<FiscalYear, String> {
        let folded = fold_width(text.trim());
        let t = folded
            .trim_end_matches("年度")
            .trim_end_matches('年')
            .trim();
        let year = match Era::strip_from(t) {
            Some((era, rest)) => {
                let rest = rest.trim();
                let n = if rest == "元" {
                    1
                } else {
                    rest.parse::<i32>()
                        .map_err(|_| format!("年度「{}」を読み取れません", text.trim()))?
                };
                if n < 1 {
                    return Err(format!("年度「{}」を読み取れません", text.trim()));
                }
                era.western_year(n)
            }
            None => t.parse::<i32>().map_err(|_| {
                format!(
                    "年度「{}」を読み取れません（例: 2025、令和7年度）",
                    text.trim()
                )
            })?,
        };
        FiscalYear::new(year).ok_or_else(|| format!("{year}年度は対象外です（2000〜2100年度）"))
    }

    pub fn start_year(self) -> i32 {
        self.0
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).expect("4月1日 exists")
    }

    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).expect("3月31日 exists")
    }

    pub fn previous(self) -> FiscalYear {
        FiscalYear(self.0 - 1)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        FiscalYear::of(date) == self
    }

    /// 0 for April … 11 for March; `None` outside the 年度.
    pub fn month_index(self, date: NaiveDate) -> Option<usize> {
        self.contains(date)
            .then(|| usize::try_from((date.month() + 8) % 12).expect("a month index"))
    }

    /// 0 for 第1四半期 (4〜6月) … 3 for 第4四半期 (1〜3月).
    pub fn quarter(self, date: NaiveDate) -> Option<usize> {
        self.month_index(date).map(|m| m / 3)
    }

    /// The months in order, as (year, month): April first.
    pub fn months(self) -> [(i32, u32); 12] {
        std::array::from_fn(|i| {
            let m = u32::try_from(i).expect("a month") + 4;
            if m > 12 {
                (self.0 + 1, m - 12)
            } else {
                (self.0, m)
            }
        })
    }

    /// 令和7年度 (the era in which the 年度 starts; 元 for its first year).
    pub fn label(self) -> String {
        match Era::of(self.first_day()) {
            Some(era) => match era.year_of(self.0) {
                1 => format!("{}元年度", era.name()),
                n => format!("{}{n}年度", era.name()),
            },
            None => format!("{}年度", self.0),
        }
    }

    /// 令和7年度（2025年度）.
    pub fn full_label(self) -> String {
        format!("{}（{}年度）", self.label(), self.0)
    }
}

impl std::fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Business days after `from` up to and including `to` (0 for the same
/// day): weekends, national holidays and 12月29日〜1月3日 do not count.
pub fn business_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| crate::holiday::is_business_day(*d))
        .count()
        .try_into()
        .unwrap_or(i64::MAX)
}

/// The median and the 90th percentile of a list of day counts (nearest
/// rank: the smallest value with at least p% of the values at or below it).
pub fn median_and_p90(mut days: Vec<i64>) -> Option<(i64, i64)> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let rank = |p: usize| {
        let n = days.len();
        let k = (p * n).div_ceil(100).max(1);
        days[k - 1]
    };
    Some((rank(50), rank(90)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_fiscal_year_runs_from_april_to_march() {
        let fy = FiscalYear::new(2025).unwrap();
        assert_eq!(FiscalYear::of(day(2026, 3, 31)), fy);
        assert_eq!(FiscalYear::of(day(2025, 4, 1)), fy);
        assert_eq!(FiscalYear::of(day(2025, 3, 31)), fy.previous());
        assert_eq!(FiscalYear::of(day(2026, 4, 1)).start_year(), 2026);
        assert_eq!(fy.first_day(), day(2025, 4, 1));
        assert_eq!(fy.last_day(), day(2026, 3, 31));
        assert_eq!(fy.month_index(day(2025, 4, 30)), Some(0));
        assert_eq!(fy.month_index(day(2025, 12, 1)), Some(8));
        assert_eq!(fy.month_index(day(2026, 3, 31)), Some(11));
        assert_eq!(fy.month_index(day(2026, 4, 1)), None);
        assert_eq!(fy.quarter(day(2026, 1, 5)), Some(3));
        assert_eq!(fy.months()[0], (2025, 4));
        assert_eq!(fy.months()[11], (2026, 3));
    }

    #[test]
    fn a_fiscal_year_is_named_in_the_era_it_starts_in() {
        assert_eq!(FiscalYear::new(2025).unwrap().label(), "令和7年度");
        assert_eq!(FiscalYear::new(2020).unwrap().label(), "令和2年度");
        // 2019年4月1日 is still 平成: 平成31年度 (令和元年度 is not a 年度 name then).
        assert_eq!(FiscalYear::new(2019).unwrap().label(), "平成31年度");
        assert_eq!(
            FiscalYear::new(2025).unwrap().full_label(),
            "令和7年度（2025年度）"
        );
    }

    #[test]
    fn what_people_type_for_a_year() {
        for (text, year) in [
            ("2025", 2025),
            ("２０２５年度", 2025),
            ("令和7年度", 2025),
            ("令和７年度", 2025),
            ("R7", 2025),
            ("r7", 2025),
            ("令和元年度", 2019),
            ("平成30年度", 2018),
        ] {
            assert_eq!(
                FiscalYear::parse(text).map(FiscalYear::start_year),
                Ok(year),
                "{text}"
            );
        }
        for bad in ["", "来年", "R0", "1999", "令和x年度"] {
            assert!(FiscalYear::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn business_days_skip_weekends_holidays_and_the_year_end() {
        // Friday 2025-11-21 → Tuesday 11-25: Mon 24 is 振替休日 (勤労感謝の日 on Sunday).
        assert_eq!(
            business_days_between(day(2025, 11, 21), day(2025, 11, 25)),
            1
        );
        assert_eq!(business_days_between(day(2025, 12, 26), day(2026, 1, 5)), 1);
        assert_eq!(business_days_between(day(2026, 3, 2), day(2026, 3, 2)), 0);
        assert_eq!(business_days_between(day(2026, 3, 2), day(2026, 3, 6)), 4);
    }

    #[test]
    fn median_and_90th_percentile_by_nearest_rank() {
        assert_eq!(median_and_p90(vec![]), None);
        assert_eq!(median_and_p90(vec![4]), Some((4, 4)));
        assert_eq!(median_and_p90(vec![5, 1, 3, 2, 4]), Some((3, 5)));
        assert_eq!(median_and_p90((1..=10).collect()), Some((5, 9)));
    }
}
