//! Money: CNY with two decimals, a [`Decimal`] in code and API, an `i64` of fen in the
//! database (SQLite has no exact decimal type, see STACK.md pitfall 1).
//!
//! [`Money`] is the API type: it serialises as a JSON string with exactly two decimals and
//! accepts only strings (a JSON number passes through `f64` and is refused), with at most two
//! decimals, never negative, and small enough that its fen fit any SQL `BIGINT` sum.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The largest amount accepted: 9,999,999,999,999.99 yuan. Sums of many such values still fit
/// in an `i64` of fen.
pub const MAX_YUAN: i64 = 9_999_999_999_999;

/// A non-negative amount of CNY with at most two decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a decimal number in a string.
    #[error("must be a decimal number written as a string, e.g. \"1234.50\"")]
    NotANumber,
    /// More than two decimal places (finer than a fen).
    #[error("must have at most 2 decimal places")]
    TooPrecise,
    /// Below zero.
    #[error("must not be negative")]
    Negative,
    /// Above the largest amount Huimin keeps.
    #[error("is too large")]
    TooLarge,
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Checks a decimal against the money rules (scale ≤ 2, ≥ 0, ≤ [`MAX_YUAN`]).
    pub fn new(value: Decimal) -> Result<Self, MoneyError> {
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative);
        }
        if value > Decimal::new(MAX_YUAN, 0) + Decimal::new(99, 2) {
            return Err(MoneyError::TooLarge);
        }
        let mut v = value;
        v.rescale(2);
        Ok(Money(v))
    }

    /// Rounds a computed decimal half-up to fen: the one place rounding happens (SPEC §4).
    pub fn round_half_up(value: Decimal) -> Result<Self, MoneyError> {
        Money::new(value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// The amount from a number of fen as stored in the database.
    pub fn from_fen(fen: i64) -> Self {
        let mut d = Decimal::new(fen, 2);
        d.rescale(2);
        Money(d)
    }

    /// The amount as an integer number of fen, for storage and SQL sums.
    pub fn fen(self) -> i64 {
        let mut d = self.0;
        d.rescale(2);
        // Range is bounded by `new`: at most 10^15 fen, far inside i64.
        i64::try_from(d.mantissa()).unwrap_or(i64::MAX)
    }

    /// The decimal value.
    pub fn decimal(self) -> Decimal {
        self.0
    }
}

impl std::str::FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        // Decimal::from_str accepts forms like "1e3" only via from_scientific; reject signs
        // other than a leading '-' (reported as negative) and anything not plain digits.
        let body = t.strip_prefix('-').unwrap_or(t);
        let valid = !body.is_empty()
            && body.chars().all(|c| c.is_ascii_digit() || c == '.')
            && body.chars().filter(|&c| c == '.').count() <= 1
            && !body.starts_with('.')
            && !body.ends_with('.');
        if !valid || t != s {
            return Err(MoneyError::NotANumber);
        }
        let d: Decimal = t.parse().map_err(|_| MoneyError::NotANumber)?;
        Money::new(d)
    }
}

impl Money {
    /// Writes the amount with always two decimals, from the integer of fen, its digits by
    /// `itoa` rather than through the formatting machinery: a page of 50 budget lines writes
    /// 250 amounts (formatting them was 8 % of the server's CPU on that page).
    fn write_text(self, out: &mut impl fmt::Write) -> fmt::Result {
        let fen = self.fen();
        let abs = fen.unsigned_abs();
        let mut digits = itoa::Buffer::new();
        if fen < 0 {
            out.write_char('-')?;
        }
        out.write_str(digits.format(abs / 100))?;
        out.write_str(if abs % 100 < 10 { ".0" } else { "." })?;
        out.write_str(digits.format(abs % 100))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl Serialize for Money {
    /// The [`Display`](fmt::Display) text, as a JSON string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(24);
        self.write_text(&mut text)
            .map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of money as a string with at most 2 decimals")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                v.parse().map_err(|e: MoneyError| E::custom(e))
            }
        }
        d.deserialize_str(V)
    }
}

/// The number of digits of [`MAX_YUAN`].
const MAX_YUAN_DIGITS: u32 = MAX_YUAN.ilog10() + 1;

/// The amounts the API document advertises, as a pattern: digits without sign or leading
/// zeros, at most as many as [`MAX_YUAN`] has, and at most two decimals. Every text it matches
/// is an amount [`Money`] accepts (which also takes a few forms it does not advertise, such
/// as `7.500`).
pub fn pattern() -> String {
    format!(
        r"^(0|[1-9][0-9]{{0,{}}})(\.[0-9]{{1,2}})?$",
        MAX_YUAN_DIGITS - 1
    )
}

/// [`pattern`] without zero, for the amounts that must be more than 0 (a ceiling, a bid, a
/// contract's value, a milestone, a payment request).
pub fn positive_pattern() -> String {
    format!(
        r"^([1-9][0-9]{{0,{}}}(\.[0-9]{{1,2}})?|0\.(0[1-9]|[1-9][0-9]?))$",
        MAX_YUAN_DIGITS - 1
    )
}

/// The schema of an amount: a string of [`pattern`]'s shape.
pub fn schema(pattern: String, example: &str) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .description(Some(
            "An amount of CNY as a string (a JSON number is refused), at most two decimals.",
        ))
        .examples([example])
        .build()
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(schema(
            pattern(),
            "1200000.00",
        )))
    }
}

impl utoipa::ToSchema for Money {}

impl From<Money> for Decimal {
    fn from(m: Money) -> Decimal {
        m.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn fen_round_trip_is_exact() {
        for s in ["12345678.91", "0.01", "99999999999.99", "0.00", "4500.50"] {
            let m: Money = s.parse().unwrap();
            assert_eq!(Money::from_fen(m.fen()).to_string(), s);
        }
        assert_eq!(
            "99999999999.99".parse::<Money>().unwrap().fen(),
            9_999_999_999_999
        );
    }

    #[test]
    fn refuses_bad_amounts() {
        assert_eq!("1.005".parse::<Money>(), Err(MoneyError::TooPrecise));
        assert_eq!("-1.00".parse::<Money>(), Err(MoneyError::Negative));
        assert_eq!("1e3".parse::<Money>(), Err(MoneyError::NotANumber));
        assert_eq!(" 1".parse::<Money>(), Err(MoneyError::NotANumber));
        assert_eq!("".parse::<Money>(), Err(MoneyError::NotANumber));
        assert_eq!(
            "10000000000000.00".parse::<Money>(),
            Err(MoneyError::TooLarge)
        );
        assert_eq!("1.50".parse::<Money>().unwrap().to_string(), "1.50");
        assert_eq!("7".parse::<Money>().unwrap().to_string(), "7.00");
    }

    #[test]
    fn json_numbers_are_refused() {
        assert!(serde_json::from_str::<Money>("12.5").is_err());
        assert_eq!(
            serde_json::from_str::<Money>("\"12.5\"")
                .unwrap()
                .to_string(),
            "12.50"
        );
        assert_eq!(
            serde_json::to_string(&Money::from_fen(1)).unwrap(),
            "\"0.01\""
        );
    }

    #[test]
    fn display_has_two_decimals_whatever_the_sign() {
        for fen in [0, 5, 10, 99, 100, 123_456, -5, -105] {
            let m = Money::from_fen(fen);
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
        assert_eq!(Money::from_fen(123_456).to_string(), "1234.56");
        assert_eq!(Money::from_fen(5).to_string(), "0.05");
        assert_eq!(Money::from_fen(-105).to_string(), "-1.05");
    }

    #[test]
    fn the_documented_patterns_match_what_is_accepted() {
        let all = regex::Regex::new(&pattern()).unwrap();
        let positive = regex::Regex::new(&positive_pattern()).unwrap();
        for s in [
            "0",
            "0.00",
            "7",
            "1.5",
            "0.05",
            "9999999999999.99",
            "1200000.00",
        ] {
            assert!(all.is_match(s), "{s}");
            assert!(s.parse::<Money>().is_ok(), "{s}");
            assert_eq!(
                positive.is_match(s),
                s.parse::<Money>().unwrap().fen() > 0,
                "{s}"
            );
        }
        for s in [
            "",
            "-1",
            "1.005",
            "10000000000000",
            "01",
            "1e3",
            " 1",
            "1.",
            ".5",
        ] {
            assert!(!all.is_match(s), "{s}");
        }
    }

    /// A whole-string pattern without its anchors, which proptest's generator does not take.
    fn unanchored(p: &str) -> &str {
        p.trim_start_matches('^').trim_end_matches('$')
    }

    proptest::proptest! {
        #[test]
        fn every_text_of_the_patterns_is_accepted(
            s in proptest::string::string_regex(unanchored(&pattern())).unwrap(),
            p in proptest::string::string_regex(unanchored(&positive_pattern())).unwrap(),
        ) {
            proptest::prop_assert!(s.parse::<Money>().is_ok(), "{}", s);
            proptest::prop_assert!(p.parse::<Money>().map(Money::fen).unwrap_or(0) > 0, "{}", p);
        }
    }

    proptest::proptest! {
        #[test]
        fn json_is_the_display_text_in_quotes(fen in -MAX_YUAN * 100 - 99..=MAX_YUAN * 100 + 99) {
            let m = Money::from_fen(fen);
            proptest::prop_assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
    }

    #[test]
    fn rounding_is_half_up_to_fen() {
        assert_eq!(
            Money::round_half_up(dec!(0.005)).unwrap().to_string(),
            "0.01"
        );
        assert_eq!(
            Money::round_half_up(dec!(0.0049)).unwrap().to_string(),
            "0.00"
        );
    }
}
