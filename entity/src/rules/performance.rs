//! The performance and money rules of SPEC §4: achievement, score, payable, and pro-rated
//! post funding. All arithmetic is in `Decimal`; rounding happens once, at the end of each
//! computation (half-up: to one decimal for a score, to fen for money).

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::rules::posts::{Span, filled_and_vacant};
use crate::rules::score::Score;
use crate::rules::vocab::{Comparator, Measure};

/// An indicator as the score needs it.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorSpec {
    /// Whether the value should reach the target (`at_least`) or stay under it (`at_most`).
    pub comparator: Comparator,
    /// Whether the value counts up over the period (`cumulative`) or is a level.
    pub measure: Measure,
    /// The target over the whole contract period.
    pub target: Decimal,
    /// Its share of the score, out of 100.
    pub weight: u32,
}

/// Rounds half-up to `dp` places, once. Decimal quotients such as 1/12 are cut at 28
/// digits, so a sum that is exactly on a midpoint can arrive a hair below it (75.2499…9);
/// settling to 18 places first removes that residue — exact inputs (at most 4 decimals,
/// whole days) cannot lie that close to a midpoint without being on it.
pub fn settle(v: Decimal, dp: u32) -> Decimal {
    v.round_dp_with_strategy(18, RoundingStrategy::MidpointAwayFromZero)
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Days from `from` to `to`, both inclusive (0 when `to` is before `from`).
fn days_incl(from: NaiveDate, to: NaiveDate) -> i64 {
    ((to - from).num_days() + 1).max(0)
}

/// The target a value is compared with at `due`: the target itself for a level, or the target
/// pro-rated over the contract's days for a cumulative count.
pub fn effective_target(
    spec: &IndicatorSpec,
    contract_start: NaiveDate,
    contract_end: NaiveDate,
    due: NaiveDate,
) -> Decimal {
    match spec.measure {
        Measure::Level => spec.target,
        Measure::Cumulative => {
            let total = days_incl(contract_start, contract_end).max(1);
            let elapsed = days_incl(contract_start, due.min(contract_end)).clamp(0, total);
            spec.target * Decimal::from(elapsed) / Decimal::from(total)
        }
    }
}

/// Achievement (0–1) of value `v` against target `t` (SPEC §4).
pub fn achievement(comparator: Comparator, t: Decimal, v: Decimal) -> Decimal {
    match comparator {
        Comparator::AtLeast => {
            if t <= Decimal::ZERO {
                Decimal::ONE
            } else {
                (v / t).min(Decimal::ONE)
            }
        }
        Comparator::AtMost => {
            if v <= t {
                Decimal::ONE
            } else if t.is_zero() {
                Decimal::ZERO
            } else {
                (Decimal::ONE - (v - t) / t).max(Decimal::ZERO)
            }
        }
    }
}

/// The score: Σ weight × achievement, rounded once half-up to one decimal; `None` without
/// indicators.
pub fn score(items: &[(u32, Decimal)]) -> Option<Score> {
    if items.is_empty() {
        return None;
    }
    let raw: Decimal = items.iter().map(|(w, a)| Decimal::from(*w) * *a).sum();
    let tenths = (settle(raw, 1) * Decimal::TEN)
        .trunc()
        .try_into()
        .unwrap_or(0i32);
    Some(Score::from_tenths(tenths))
}

/// What the score earns of `amount` fen under the contract's rule, before deductions (not
/// rounded).
pub fn earned(amount_fen: i64, score: Option<Score>, full_pay: Score, min_pay: Score) -> Decimal {
    let amount = Decimal::from(amount_fen);
    match score {
        None => amount,
        Some(s) if s >= full_pay => amount,
        Some(s) if s >= min_pay => amount * s.decimal() / Decimal::ONE_HUNDRED,
        Some(_) => Decimal::ZERO,
    }
}

/// A milestone's payable in fen: what the score earns less the vacancy deduction (fen, not
/// rounded), never below zero, rounded half-up to fen once.
pub fn payable_fen(
    amount_fen: i64,
    score: Option<Score>,
    full_pay: Score,
    min_pay: Score,
    deduction_fen: Decimal,
) -> i64 {
    round_fen((earned(amount_fen, score, full_pay, min_pay) - deduction_fen).max(Decimal::ZERO))
}

/// The number of days in a calendar year.
pub fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// Filled and vacant days of a post over `[from, to]`, per calendar year.
pub fn days_by_year(
    post_start: NaiveDate,
    post_end: NaiveDate,
    spans: &[Span],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(i32, i64, i64)> {
    let mut out = Vec::new();
    let mut y = from.year();
    while y <= to.year() {
        let (Some(jan1), Some(dec31)) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, 31),
        ) else {
            break;
        };
        let (filled, vacant) =
            filled_and_vacant(post_start, post_end, spans, from.max(jan1), to.min(dec31));
        if filled + vacant > 0 {
            out.push((y, filled, vacant));
        }
        y += 1;
    }
    out
}

/// `annual_fen × days / days in that calendar year`, summed over years (fen, not rounded).
pub fn pro_rata(annual_fen: i64, days: impl IntoIterator<Item = (i32, i64)>) -> Decimal {
    days.into_iter()
        .map(|(y, d)| Decimal::from(annual_fen) * Decimal::from(d) / Decimal::from(days_in_year(y)))
        .sum()
}

/// Rounds fen half-up to a whole fen.
pub fn round_fen(v: Decimal) -> i64 {
    settle(v, 0).try_into().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn achievement_follows_the_spec() {
        assert_eq!(
            achievement(Comparator::AtLeast, dec!(100), dec!(80)),
            dec!(0.8)
        );
        assert_eq!(
            achievement(Comparator::AtLeast, dec!(100), dec!(120)),
            dec!(1)
        );
        assert_eq!(achievement(Comparator::AtMost, dec!(10), dec!(5)), dec!(1));
        assert_eq!(
            achievement(Comparator::AtMost, dec!(10), dec!(15)),
            dec!(0.5)
        );
        assert_eq!(achievement(Comparator::AtMost, dec!(10), dec!(25)), dec!(0));
        assert_eq!(achievement(Comparator::AtMost, dec!(0), dec!(1)), dec!(0));
        assert_eq!(achievement(Comparator::AtMost, dec!(0), dec!(0)), dec!(1));
    }

    #[test]
    fn cumulative_targets_are_prorated_to_the_due_date() {
        let spec = IndicatorSpec {
            comparator: Comparator::AtLeast,
            measure: Measure::Cumulative,
            target: dec!(365),
            weight: 100,
        };
        assert_eq!(
            effective_target(&spec, d("2026-01-01"), d("2026-12-31"), d("2026-01-31")),
            dec!(31)
        );
        assert_eq!(
            effective_target(&spec, d("2026-01-01"), d("2026-12-31"), d("2027-06-30")),
            dec!(365)
        );
    }

    #[test]
    fn score_rounds_once_half_up() {
        // 60 × 0.8125 + 40 × 1 = 88.75 → 88.8
        assert_eq!(
            score(&[(60, dec!(0.8125)), (40, dec!(1))])
                .unwrap()
                .tenths(),
            888
        );
        assert!(score(&[]).is_none());
    }

    #[test]
    fn repeating_quotients_still_round_half_up() {
        // 27 × (1/12) + 73 = 75.25 exactly → 75.3.
        let a = achievement(Comparator::AtLeast, dec!(12), dec!(1));
        assert_eq!(score(&[(27, a), (73, dec!(1))]).unwrap().tenths(), 753);
        // 1/3 + 1/6 of a fen is exactly half a fen → 1.
        assert_eq!(round_fen(dec!(1) / dec!(3) + dec!(1) / dec!(6)), 1);
    }

    #[test]
    fn payable_by_rule() {
        let (full, min) = (Score::from_tenths(800), Score::from_tenths(600));
        assert_eq!(
            payable_fen(100_000, Some(Score::from_tenths(850)), full, min, dec!(0)),
            100_000
        );
        assert_eq!(
            payable_fen(100_000, Some(Score::from_tenths(725)), full, min, dec!(0)),
            72_500
        );
        assert_eq!(
            payable_fen(100_000, Some(Score::from_tenths(599)), full, min, dec!(0)),
            0
        );
        assert_eq!(payable_fen(100_000, None, full, min, dec!(1234.5)), 98_766);
        assert_eq!(payable_fen(100, None, full, min, dec!(1000)), 0);
        // 333.33 fen × 72.5 % = 241.66… fen, rounded once.
        assert_eq!(
            payable_fen(33_333, Some(Score::from_tenths(725)), full, min, dec!(0)),
            24_166
        );
    }

    #[test]
    fn pro_rata_splits_leap_years() {
        let days = days_by_year(
            d("2027-12-01"),
            d("2028-12-31"),
            &[],
            d("2027-12-31"),
            d("2028-01-01"),
        );
        assert_eq!(days, vec![(2027, 0, 1), (2028, 0, 1)]);
        let v = pro_rata(36_500_000, [(2027, 1), (2028, 1)]);
        assert_eq!(round_fen(v), 100_000 + 99_727);
    }

    proptest! {
        #[test]
        fn achievement_is_between_0_and_1(t in 0u32..1_000_000, v in 0u32..1_000_000, at_least in any::<bool>()) {
            let c = if at_least { Comparator::AtLeast } else { Comparator::AtMost };
            let a = achievement(c, Decimal::new(i64::from(t), 2), Decimal::new(i64::from(v), 2));
            prop_assert!(a >= Decimal::ZERO && a <= Decimal::ONE);
        }

        #[test]
        fn score_with_weights_summing_to_100_is_within_0_and_100(
            split in 0u32..=100, a1 in 0u32..=10_000, a2 in 0u32..=10_000,
        ) {
            let s = score(&[(split, Decimal::new(i64::from(a1), 4)), (100 - split, Decimal::new(i64::from(a2), 4))]).unwrap();
            prop_assert!((0..=1000).contains(&s.tenths()));
        }

        #[test]
        fn payable_never_exceeds_the_amount_nor_goes_negative(
            amount in 0i64..10_000_000_000, tenths in 0i32..=1000, full in 0i32..=1000, min in 0i32..=1000, ded in 0i64..10_000_000_000,
        ) {
            let (min, full) = (min.min(full), full.max(min));
            let p = payable_fen(amount, Some(Score::from_tenths(tenths)), Score::from_tenths(full), Score::from_tenths(min), Decimal::from(ded));
            prop_assert!(p >= 0 && p <= amount);
            // A higher score never pays less.
            let q = payable_fen(amount, Some(Score::from_tenths((tenths + 1).min(1000))), Score::from_tenths(full), Score::from_tenths(min), Decimal::from(ded));
            prop_assert!(q >= p || tenths + 1 >= min && tenths < min);
        }

        #[test]
        fn funding_plus_deduction_is_the_annual_share(annual in 0i64..100_000_000, filled in 0i64..=365, extra in 0i64..=365) {
            let vacant = extra.min(365 - filled);
            let f = pro_rata(annual, [(2026, filled)]);
            let v = pro_rata(annual, [(2026, vacant)]);
            // Exact up to Decimal's 28 significant digits.
            prop_assert!((f + v - pro_rata(annual, [(2026, filled + vacant)])).abs() < Decimal::new(1, 18));
            prop_assert!(round_fen(f + v) <= annual);
        }
    }
}
