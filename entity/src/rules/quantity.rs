//! Quantities: indicator targets and measured values, non-negative decimals with at most four
//! places, stored exactly as an integer of ten-thousandths (`*_e4`). JSON may carry them as
//! numbers (`95.5`) or strings (`"95.5"`); a number is accepted only when it is exactly such a
//! decimal.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The largest quantity: 10^11.
const MAX_E4: i64 = 1_000_000_000_000_000;

/// Ten-thousandths in one.
const E4: i64 = 10_000;

/// A non-negative decimal with at most four places.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(i64);

impl Quantity {
    /// From stored ten-thousandths.
    pub fn from_e4(v: i64) -> Self {
        Quantity(v)
    }

    /// The stored ten-thousandths.
    pub fn e4(self) -> i64 {
        self.0
    }

    /// The exact decimal value.
    pub fn decimal(self) -> Decimal {
        Decimal::new(self.0, 4).normalize()
    }

    /// From a decimal with at most four places, not negative, not above 10^11.
    pub fn from_decimal(d: Decimal) -> Option<Self> {
        let d = d.normalize();
        if d.scale() > 4 || d.is_sign_negative() && !d.is_zero() {
            return None;
        }
        let e4 = (d * Decimal::new(E4, 0)).trunc();
        i64::try_from(e4)
            .ok()
            .filter(|v| (0..=MAX_E4).contains(v))
            .map(Quantity)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.decimal())
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A JSON number, written from the exact decimal text.
        let n: serde_json::Number = self
            .decimal()
            .to_string()
            .parse()
            .map_err(serde::ser::Error::custom)?;
        n.serialize(s)
    }
}

/// The refusal of a measured value that is not a number ≥ 0 with at most 4 decimals.
pub const QUANTITY_PROBLEM: &str = "must be a number ≥ 0 with at most 4 decimals";

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const MSG: &str = QUANTITY_PROBLEM;
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(MSG)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Quantity::from_decimal(Decimal::from(v)).ok_or_else(|| E::custom(MSG))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Quantity::from_decimal(Decimal::from(v)).ok_or_else(|| E::custom(MSG))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                // Shortest round-trip text of the f64, e.g. 95.5 → "95.5".
                self.visit_str(&v.to_string())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                let d: Decimal = v.trim().parse().map_err(|_| E::custom(MSG))?;
                Quantity::from_decimal(d).ok_or_else(|| E::custom(MSG))
            }
        }
        d.deserialize_any(V)
    }
}

/// In the API document: a number from 0 to 10^11 in steps of 0.0001 (a string of such a
/// number is accepted too).
impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .minimum(Some(0))
            .maximum(Some(MAX_E4 / E4))
            .multiple_of(Some(1.0 / E4 as f64))
            .description(Some("A number ≥ 0 with at most four decimals."))
            .examples([95.5])
            .into()
    }
}

impl utoipa::ToSchema for Quantity {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_or_refused() {
        assert_eq!(
            serde_json::from_str::<Quantity>("95.5").unwrap().e4(),
            955_000
        );
        assert_eq!(
            serde_json::from_str::<Quantity>("\"0.0001\"").unwrap().e4(),
            1
        );
        assert_eq!(
            serde_json::from_str::<Quantity>("120").unwrap().e4(),
            1_200_000
        );
        assert!(serde_json::from_str::<Quantity>("0.00001").is_err());
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
        assert!(serde_json::from_str::<Quantity>("true").is_err());
        assert_eq!(
            serde_json::to_string(&Quantity::from_e4(955_000)).unwrap(),
            "95.5"
        );
        assert_eq!(serde_json::to_string(&Quantity::from_e4(0)).unwrap(), "0");
    }
}
