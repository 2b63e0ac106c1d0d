//! Scores: 0–100 with at most one decimal, stored as an integer of tenths. In JSON a score is a
//! number (`80`, `72.5`); it is read through `f64` but only accepted when it is exactly a
//! number of tenths, so nothing imprecise is ever stored.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A score between 0 and 100 in tenths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(i32);

impl Score {
    /// From stored tenths (0..=1000).
    pub fn from_tenths(t: i32) -> Self {
        Score(t.clamp(0, 1000))
    }

    /// The stored tenths.
    pub fn tenths(self) -> i32 {
        self.0
    }

    /// The value as a decimal with one place.
    pub fn decimal(self) -> Decimal {
        Decimal::new(i64::from(self.0), 1)
    }

    /// Parses a number of tenths from `f64` when exact; else `None`.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "tenths is a whole number within 0..=1000 before it is cast"
    )]
    pub fn from_f64(v: f64) -> Option<Self> {
        let tenths = (v * 10.0).round();
        let exact = ((tenths / 10.0) - v).abs() < 1e-9;
        (exact && (0.0..=1000.0).contains(&tenths)).then_some(Score(tenths as i32))
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.decimal().normalize())
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 10 == 0 {
            s.serialize_i32(self.0 / 10)
        } else {
            s.serialize_f64(f64::from(self.0) / 10.0)
        }
    }
}

/// The refusal of a score that is not 0–100 with at most one decimal.
pub const SCORE_PROBLEM: &str = "must be a number from 0 to 100 with at most one decimal";

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Score::from_f64(v).ok_or_else(|| de::Error::custom(SCORE_PROBLEM))
    }
}

/// In the API document: a number from 0 to 100 in steps of 0.1.
impl utoipa::PartialSchema for Score {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .minimum(Some(0))
            .maximum(Some(100))
            .multiple_of(Some(0.1))
            .description(Some("A score from 0 to 100 with at most one decimal."))
            .examples([86.5])
            .into()
    }
}

impl utoipa::ToSchema for Score {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_tenths_only() {
        assert_eq!(Score::from_f64(72.3).unwrap().tenths(), 723);
        assert_eq!(Score::from_f64(100.0).unwrap().tenths(), 1000);
        assert!(Score::from_f64(72.35).is_none());
        assert!(Score::from_f64(100.1).is_none());
        assert!(Score::from_f64(-0.1).is_none());
        assert_eq!(
            serde_json::to_string(&Score::from_tenths(800)).unwrap(),
            "80"
        );
        assert_eq!(
            serde_json::to_string(&Score::from_tenths(725)).unwrap(),
            "72.5"
        );
    }
}
