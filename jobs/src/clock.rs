//! Time comes from a [`Clock`], so tests can move through days without sleeping. SQL never
//! calls `now()`: callers bind the clock's instant (UTC) and local date as parameters.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;

/// The source of "now" for the whole application.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, truncated to microseconds (what both databases store).
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stands still until moved: for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(at.trunc_subsecs(6))))
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }

    /// Sets the clock.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at.trunc_subsecs(6);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Today's date in the installation's time zone (`HUIMIN_TZ`), not in UTC.
pub fn local_today(clock: &dyn Clock, tz: Tz) -> NaiveDate {
    clock.now().with_timezone(&tz).date_naive()
}

/// The instant a local date begins in the time zone (its earliest midnight: a day that starts
/// in a daylight-saving gap begins at its first existing instant).
pub fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

/// How many local days something has waited since `since`, on local date `today`: the days
/// between the two local dates (0 on the day it began), the count the payment request
/// reminders, the spending report and the dossier share.
pub fn days_waited(since: DateTime<Utc>, today: NaiveDate, tz: Tz) -> i64 {
    (today - since.with_timezone(&tz).date_naive()).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_local() {
        // 20:00 UTC on 28 Nov is 04:00 on 29 Nov in Shanghai.
        let c = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 28, 20, 0, 0).unwrap());
        assert_eq!(
            local_today(&c, chrono_tz::Asia::Shanghai).to_string(),
            "2026-11-29"
        );
        c.advance(Duration::hours(-13));
        assert_eq!(
            local_today(&c, chrono_tz::Asia::Shanghai).to_string(),
            "2026-11-28"
        );
    }

    #[test]
    fn days_waited_count_local_dates() {
        let tz = chrono_tz::Asia::Shanghai;
        // 23:00 on 1 March in Shanghai; on 6 March that is 5 days.
        let since = Utc.with_ymd_and_hms(2026, 3, 1, 15, 0, 0).unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(days_waited(since, d("2026-03-06"), tz), 5);
        assert_eq!(days_waited(since, d("2026-03-01"), tz), 0);
        // The start of 1 March in Shanghai is 16:00 UTC on 28 February.
        assert_eq!(
            day_start(d("2026-03-01"), tz),
            Utc.with_ymd_and_hms(2026, 2, 28, 16, 0, 0).unwrap()
        );
    }
}
