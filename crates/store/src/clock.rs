//! The one clock of the application.
//!
//! Every business date ("today", business days, overdue, ages, "not in the
//! future" checks) and every timestamp a write stores comes from one `Clock`:
//! the store stamps its rows with it and the application layer reads "today"
//! from the same value (`Repository::clock`), so the two can never disagree.
//!
//! Business dates are Japanese dates: "today" is the date in JST (UTC+9),
//! whatever time zone the server runs in.
//!
//! Tests set the clock to a date; from then on it runs forward from 10:00 JST
//! of that date with real elapsed time, so rows written one after the other
//! keep their order.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Japan Standard Time.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// A stored instant as the time in Japan: how timestamps are dated and shown.
pub fn in_japan(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&jst())
}

/// A set clock: the instant it was set to, and when (to run on from there).
type SetAt = Option<(DateTime<Utc>, Instant)>;

#[derive(Clone, Default)]
pub struct Clock(Arc<Mutex<SetAt>>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that starts at 10:00 JST on `date`.
    pub fn starting_on(date: NaiveDate) -> Clock {
        let clock = Clock::default();
        clock.set(date);
        clock
    }

    /// Now, as stored in timestamps.
    pub fn now(&self) -> DateTime<Utc> {
        let fixed = *self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match fixed {
            None => Utc::now(),
            Some((at, since)) => {
                at + Duration::from_std(since.elapsed()).unwrap_or_else(|_| Duration::zero())
            }
        }
    }

    /// Today's date in Japan.
    pub fn today(&self) -> NaiveDate {
        in_japan(self.now()).date_naive()
    }

    /// Makes every clone of this clock run from 10:00 JST on `date`.
    pub fn set(&self, date: NaiveDate) {
        let at = jst()
            .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("10:00")))
            .single()
            .expect("JST has no gaps")
            .with_timezone(&Utc);
        self.set_now(at);
    }

    /// Makes every clone of this clock run from `at`.
    pub fn set_now(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((at, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_date_in_japan() {
        let clock = Clock::default();
        // 2026-12-01 20:30 UTC is already 12月2日 in Japan.
        clock.set_now(Utc.with_ymd_and_hms(2026, 12, 1, 20, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        clock.set_now(Utc.with_ymd_and_hms(2026, 12, 1, 14, 59, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    }

    #[test]
    fn a_set_clock_is_shared_by_its_clones_and_runs_forward() {
        let clock = Clock::default();
        let other = clock.clone();
        let date = NaiveDate::from_ymd_opt(2027, 4, 1).unwrap();
        clock.set(date);
        assert_eq!(other.today(), date);
        let a = other.now();
        let b = other.now();
        assert!(b >= a);
    }
}
