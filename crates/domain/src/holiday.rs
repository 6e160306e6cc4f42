//! 国民の祝日 and the days municipal offices close, computed by the rules of
//! 国民の祝日に関する法律 (as amended up to 2018, valid from 2020) and
//! 行政機関の休日に関する法律 (12月29日〜1月3日). 春分・秋分 follow the usual
//! astronomical approximation for 1980–2099 (the 官報 announces them a year
//! ahead; the formula has matched every announcement in that range).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The name of the national holiday on `date`, if it is one (振替休日 and
/// 国民の休日 included).
pub fn national_holiday(date: NaiveDate) -> Option<&'static str> {
    if let Some(name) = named_holiday(date) {
        return Some(name);
    }
    // 振替休日: the first non-holiday after a holiday that fell on a Sunday.
    let mut back = date - Duration::days(1);
    while named_holiday(back).is_some() {
        if back.weekday() == Weekday::Sun {
            return Some("休日（振替休日）");
        }
        back -= Duration::days(1);
    }
    // 国民の休日: a day between two holidays.
    if date.weekday() != Weekday::Sun
        && named_holiday(date - Duration::days(1)).is_some()
        && named_holiday(date + Duration::days(1)).is_some()
    {
        return Some("国民の休日");
    }
    None
}

/// Whether offices are open: not a weekend, a national holiday, or 年末年始.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && national_holiday(date).is_none()
        && !year_end(date)
}

/// 12月29日〜1月3日.
fn year_end(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

/// The `n`th `weekday` of a month.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n as u8)
}

/// A (month, day) a special law moved a holiday to.
type MovedTo = Option<(u32, u32)>;

fn equinox_day(year: i32, base: f64) -> u32 {
    let y = f64::from(year - 1980);
    (base + 0.242194 * y - (y / 4.0).floor()).floor() as u32
}

/// The holidays the law names by date or rule (without 振替休日 / 国民の休日).
fn named_holiday(date: NaiveDate) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let is = |month: u32, weekday: Weekday, n: u32| {
        m == month && nth_weekday(y, month, weekday, n) == Some(date)
    };
    // The Olympic years moved three holidays by special law.
    let (marine, sports, mountain): (MovedTo, MovedTo, MovedTo) = match y {
        2020 => (Some((7, 23)), Some((7, 24)), Some((8, 10))),
        2021 => (Some((7, 22)), Some((7, 23)), Some((8, 8))),
        _ => (None, None, None),
    };
    let special = |moved: MovedTo, month: u32, weekday: Weekday, n: u32| match moved {
        Some(md) => (m, d) == md,
        None => is(month, weekday, n),
    };
    match (m, d) {
        (1, 1) => Some("元日"),
        (2, 11) => Some("建国記念の日"),
        (2, 23) if y >= 2020 => Some("天皇誕生日"),
        (4, 29) => Some("昭和の日"),
        (5, 3) => Some("憲法記念日"),
        (5, 4) => Some("みどりの日"),
        (5, 5) => Some("こどもの日"),
        (11, 3) => Some("文化の日"),
        (11, 23) => Some("勤労感謝の日"),
        _ if is(1, Weekday::Mon, 2) => Some("成人の日"),
        _ if special(marine, 7, Weekday::Mon, 3) => Some("海の日"),
        _ if y >= 2016 && mountain.map_or((m, d) == (8, 11), |md| (m, d) == md) => Some("山の日"),
        _ if is(9, Weekday::Mon, 3) => Some("敬老の日"),
        _ if special(sports, 10, Weekday::Mon, 2) => Some("スポーツの日"),
        (3, _) if (1980..=2099).contains(&y) && d == equinox_day(y, 20.8431) => Some("春分の日"),
        (9, _) if (1980..=2099).contains(&y) && d == equinox_day(y, 23.2488) => Some("秋分の日"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_holidays_of_2026_as_the_cabinet_office_lists_them() {
        let holidays: Vec<String> = (0..365)
            .map(|i| day(2026, 1, 1) + Duration::days(i))
            .filter(|d| national_holiday(*d).is_some())
            .map(|d| d.format("%m-%d").to_string())
            .collect();
        assert_eq!(
            holidays,
            vec![
                "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05",
                "05-06", "07-20", "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23"
            ]
        );
        assert_eq!(national_holiday(day(2026, 5, 6)), Some("休日（振替休日）"));
        assert_eq!(national_holiday(day(2026, 9, 22)), Some("国民の休日"));
    }

    #[test]
    fn equinoxes_and_olympic_moves() {
        assert_eq!(national_holiday(day(2025, 3, 20)), Some("春分の日"));
        assert_eq!(national_holiday(day(2025, 9, 23)), Some("秋分の日"));
        assert_eq!(national_holiday(day(2027, 3, 21)), Some("春分の日"));
        assert_eq!(national_holiday(day(2027, 3, 22)), Some("休日（振替休日）"));
        assert_eq!(national_holiday(day(2021, 7, 22)), Some("海の日"));
        assert_eq!(national_holiday(day(2021, 7, 19)), None);
        assert_eq!(national_holiday(day(2021, 8, 9)), Some("休日（振替休日）"));
    }

    #[test]
    fn offices_close_at_the_year_end() {
        assert!(!is_business_day(day(2026, 12, 29)));
        assert!(!is_business_day(day(2027, 1, 4 - 1)));
        assert!(is_business_day(day(2027, 1, 4)));
        assert!(!is_business_day(day(2026, 11, 23)));
        assert!(is_business_day(day(2026, 11, 24)));
    }
}
