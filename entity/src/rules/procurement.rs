//! Rules of tenders and contracts (SPEC §2–§3) that need no database.

use chrono::{Days, Months, NaiveDate};

use crate::rules::vocab::{MilestoneStatus, OrgStatus};

/// Whether a milestone due on `due` is overdue on `today`: its day has passed and it is
/// neither accepted nor cancelled (SPEC §3: `overdue` is derived, never stored).
pub fn milestone_overdue(due: NaiveDate, status: MilestoneStatus, today: NaiveDate) -> bool {
    due < today
        && !matches!(
            status,
            MilestoneStatus::Accepted | MilestoneStatus::Cancelled
        )
}

/// The last allowed end date of a service period starting on `start`: one year less a day,
/// or three years less a day with a multi-year reason (MOF Order No. 102, 2020).
pub fn max_end_date(start: NaiveDate, multi_year: bool) -> Option<NaiveDate> {
    let months = if multi_year { 36 } else { 12 };
    start
        .checked_add_months(Months::new(months))?
        .checked_sub_days(Days::new(1))
}

/// Why a service period is not allowed, if it is not.
pub fn period_problem(start: NaiveDate, end: NaiveDate, multi_year: bool) -> Option<&'static str> {
    if end < start {
        return Some("must not be before the start date");
    }
    match max_end_date(start, multi_year) {
        Some(max) if end <= max => None,
        _ if multi_year => Some("a service period runs at most three years"),
        _ => Some("a service period runs at most one year, or three with a multi_year_reason"),
    }
}

/// Whether amendments that raise a contract by `increases_fen` in total (each counted when it
/// raises the value) stay within 10 % of the signed value (Government Procurement Law, art. 49).
pub fn increases_within_limit(signed_value_fen: i64, increases_fen: i64) -> bool {
    i128::from(increases_fen) * 10 <= i128::from(signed_value_fen)
}

/// An organisation's status on `today` (SPEC §2): a suspension or blacklisting with an end
/// date (`status_until`) ends by itself after that day.
pub fn org_status_on(stored: OrgStatus, until: Option<NaiveDate>, today: NaiveDate) -> OrgStatus {
    match until {
        Some(last) if stored != OrgStatus::Active && today > last => OrgStatus::Active,
        _ => stored,
    }
}

/// The minimum bid periods in days per method, from `HUIMIN_MIN_BID_DAYS`
/// (`open=20,invited=20,…`); unknown names are an error.
pub fn parse_min_bid_days(
    spec: &str,
) -> Result<Vec<(crate::rules::vocab::TenderMethod, i64)>, String> {
    use crate::rules::vocab::TenderMethod;
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, days) = part
            .split_once('=')
            .ok_or_else(|| format!("expected method=days, got {part:?}"))?;
        let method =
            TenderMethod::parse(name.trim()).ok_or_else(|| format!("unknown method {name:?}"))?;
        let days: i64 = days
            .trim()
            .parse()
            .map_err(|_| format!("bad number of days in {part:?}"))?;
        if days < 0 {
            return Err(format!("negative days in {part:?}"));
        }
        out.push((method, days));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods() {
        assert_eq!(max_end_date(d("2026-01-01"), false), Some(d("2026-12-31")));
        assert_eq!(max_end_date(d("2024-02-29"), false), Some(d("2025-02-27")));
        assert_eq!(max_end_date(d("2026-03-01"), true), Some(d("2029-02-28")));
        assert!(period_problem(d("2026-01-01"), d("2026-12-31"), false).is_none());
        assert!(period_problem(d("2026-01-01"), d("2027-01-01"), false).is_some());
        assert!(period_problem(d("2026-01-01"), d("2027-01-01"), true).is_none());
        assert!(period_problem(d("2026-01-02"), d("2026-01-01"), false).is_some());
    }

    #[test]
    fn ten_percent_rule() {
        assert!(increases_within_limit(100_000, 10_000));
        assert!(!increases_within_limit(100_000, 10_001));
    }

    #[test]
    fn a_status_with_an_end_lapses_after_its_last_day() {
        let until = Some(d("2026-06-30"));
        for s in [OrgStatus::Suspended, OrgStatus::Blacklisted] {
            assert_eq!(org_status_on(s, until, d("2026-06-30")), s);
            assert_eq!(org_status_on(s, until, d("2026-07-01")), OrgStatus::Active);
            assert_eq!(org_status_on(s, None, d("2099-01-01")), s);
        }
        assert_eq!(
            org_status_on(OrgStatus::Active, None, d("2026-07-01")),
            OrgStatus::Active
        );
    }

    #[test]
    fn min_bid_days() {
        let v = parse_min_bid_days("open=20, inquiry=0").unwrap();
        assert_eq!(v.len(), 2);
        assert!(parse_min_bid_days("auction=3").is_err());
        assert!(parse_min_bid_days("open=-1").is_err());
    }
}
