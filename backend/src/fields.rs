//! The rules of request fields that their Rust types do not carry — lengths, the shapes of
//! codes and e-mail addresses, amounts above zero, page sizes — each stated once, as a type
//! here: the services validate with its constants (`c.text("title", v, Title::MAX)`) and the
//! API document describes the field with it (`#[schema(value_type = fields::Title)]`), so what
//! the document promises is what the validation accepts. Value types with rules of their own
//! (money, scores, quantities, the word lists) state their schema beside their parsers, in
//! `entity::rules`.
//!
//! These types are never built: they exist for their constants and their schemas.

use std::borrow::Cow;

use entity::rules::{codes, money};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A text field's rule: at most `MAX` characters and, when `REQUIRED`, not blank (what
/// [`crate::error::Checks::text`] checks; otherwise [`crate::error::Checks::max_chars`]).
pub trait Text {
    /// The most characters (Unicode scalar values) the field takes.
    const MAX: usize;
    /// Whether the field must hold something other than white space.
    const REQUIRED: bool;
}

/// The schema of a [`Text`] field.
fn text_schema<T: Text>(example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .examples([example])
        .min_length(T::REQUIRED.then_some(1))
        .max_length(Some(T::MAX))
        // Something other than white space somewhere (`trim()` must leave a character).
        .pattern(T::REQUIRED.then_some(r"\S"))
        .into()
}

/// Declares [`Text`] rules with their schemas.
macro_rules! text_fields {
    ($($(#[$m:meta])* $name:ident: $max:expr, $required:expr, example $example:expr;)+) => {
        $(
            $(#[$m])*
            #[derive(Debug)]
            pub enum $name {}

            impl $name {
                /// The most characters the field takes.
                pub const MAX: usize = $max;
            }

            impl Text for $name {
                const MAX: usize = $max;
                const REQUIRED: bool = $required;
            }

            impl PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    text_schema::<$name>($example)
                }
            }

            impl ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(concat!(stringify!($name), "Text"))
                }
            }
        )+
    };
}

text_fields! {
    /// A name or a title (a party, a user, a budget line, a tender, a contract, a milestone,
    /// a post, an indicator): 1–200 characters, not blank.
    Title: 200, true, example "农村留守老人关爱服务";
    /// A short code or number (a budget line's or an indicator's code, a voucher or invoice
    /// number): 1–64 characters, not blank.
    Code: 64, true, example "2026-MZ-001";
    /// A certificate number: at most 64 characters.
    CertificateNo: 64, false, example "S2024410500123";
    /// A person's name (a post's worker): 1–100 characters, not blank.
    PersonName: 100, true, example "王芳";
    /// A reason or a comment that must be given (a cancellation, a direct award, a return):
    /// 1–2000 characters, not blank.
    Reason: 2000, true, example "服务需求已变化";
    /// A note or a reason that may be left out: at most 2000 characters.
    Note: 2000, false, example "按合同第三条执行";
    /// A finding's text: 1–5000 characters, not blank.
    FindingText: 5000, true, example "付款凭证与发票金额不符";
    /// A reviewer's comment that may be left out: at most 5000 characters.
    Comment: 5000, false, example "材料齐全";
    /// A long text that must be given (a proposal, a report's summary): 1–20000 characters,
    /// not blank.
    LongText: 20_000, true, example "本季度完成入户走访 120 次。";
    /// A description that may be empty: at most 20000 characters.
    Description: 20_000, false, example "为辖区留守老人提供探访与照料服务。";
    /// An indicator's unit: at most 32 characters.
    Unit: 32, false, example "%";
}

/// Declares a string field's schema from a pattern, an example and, for a code whose check
/// character no pattern states, the name of its format (the contract run's hooks,
/// `tests/contract/hooks.py`, draw valid codes for it).
macro_rules! pattern_fields {
    ($($(#[$m:meta])* $name:ident = $pattern:expr, example $example:expr $(, format $format:expr)?;)+) => {
        $(
            $(#[$m])*
            #[derive(Debug)]
            pub enum $name {}

            impl PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    let format: Option<&str> = None $(.or(Some($format)))?;
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some($pattern))
                        .format(format.map(|f| SchemaFormat::Custom(f.into())))
                        .examples([$example])
                        .into()
                }
            }

            impl ToSchema for $name {}
        )+
    };
}

pattern_fields! {
    /// A unified social credit code (GB 32100-2015): its shape; the last character must be
    /// the code's check character (`is_valid_credit_code`).
    CreditCode = codes::CREDIT_CODE_PATTERN, example example_credit_code(), format "credit-code";
    /// A division code: 6 digits (county), 9 (township) or 12 (village).
    DivisionCode = codes::DIVISION_CODE_PATTERN, example "410523";
    /// A township (9 digits) or village (12 digits) code.
    LocalDivisionCode = codes::LOCAL_DIVISION_CODE_PATTERN, example "410523100";
    /// The first digits of a division code: a county, a township, a village, or any prefix.
    DivisionPrefix = DIVISION_PREFIX_PATTERN, example "410523";
    /// A national ID number (GB 11643): its shape; the last character must be the number's
    /// check character (`is_valid_id_number`).
    IdNumber = codes::ID_NUMBER_PATTERN, example "11010519491231002X", format "id-number";
    /// An opaque page cursor, as a list's `next_cursor` gave it.
    Cursor = CURSOR_PATTERN, example "AZrKNf4fd7qKSvvXVxr2Ug";
    /// The audit trail's cursor: the `seq` of the last event of the previous page.
    SeqCursor = "^[0-9]{1,18}$", example "1024";
    /// A file's SHA-256, in lowercase hexadecimal.
    Sha256 = SHA256_PATTERN, example "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    /// An `Idempotency-Key` header: 1 to [`IDEMPOTENCY_KEY_MAX`] visible ASCII characters.
    IdempotencyKey = format!("^[!-~]{{1,{IDEMPOTENCY_KEY_MAX}}}$"), example "report-2026-05-01-1";
    /// An amount of CNY above zero, as a string, at most two decimals.
    PositiveMoney = money::positive_pattern(), example "280000.00";
}

/// The longest `Idempotency-Key` a report's upload takes.
pub const IDEMPOTENCY_KEY_MAX: usize = 128;

/// The shape of [`DivisionPrefix`]: what the spending report's `division_code` filter takes.
pub const DIVISION_PREFIX_PATTERN: &str = "^[0-9]{1,12}$";

/// Whether `s` is a [`DivisionPrefix`].
pub fn is_division_prefix(s: &str) -> bool {
    (1..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// The shape of [`Cursor`]: a UUID's 16 bytes in unpadded URL-safe base64
/// ([`crate::pagination::encode`]).
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{21}[AQgw]$";

/// The shape of [`Sha256`].
pub const SHA256_PATTERN: &str = "^[0-9a-f]{64}$";

/// A valid credit code for the document's example.
fn example_credit_code() -> String {
    let first = "52410523MJ0000001";
    let check = codes::credit_code_check_char(first).unwrap_or('0');
    format!("{first}{check}")
}

/// An e-mail address: `@` once, a dot inside the domain, no white space, at most
/// [`Email::MAX`] characters (what [`crate::error::Checks::email`] checks).
#[derive(Debug)]
pub enum Email {}

impl Email {
    /// The longest address (RFC 5321's path limit).
    pub const MAX: usize = 254;
}

impl PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .max_length(Some(Email::MAX))
            .pattern(Some(EMAIL_PATTERN))
            .examples(["finance@huimin.demo"])
            .into()
    }
}

impl ToSchema for Email {}

/// The shape of [`Email`], for the document: a local part and a domain without `@` or white
/// space, the domain with a dot neither first nor last.
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$";

/// A new password: `auth::password::MIN_LEN` to `MAX_LEN` characters (what
/// `auth::password::check_new` checks).
#[derive(Debug)]
pub enum Password {}

impl PartialSchema for Password {
    fn schema() -> RefOr<Schema> {
        use crate::auth::password::{MAX_LEN, MIN_LEN};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(MIN_LEN))
            .max_length(Some(MAX_LEN))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
            .examples(["correct-horse-battery-staple"])
            .into()
    }
}

impl ToSchema for Password {}

/// Declares an integer field's range.
macro_rules! range_fields {
    ($($(#[$m:meta])* $name:ident: $ty:ty = $min:expr, $max:expr, example $example:expr;)+) => {
        $(
            $(#[$m])*
            #[derive(Debug)]
            pub enum $name {}

            impl $name {
                /// The smallest value taken.
                pub const MIN: $ty = $min;
                /// The largest value taken.
                pub const MAX: $ty = $max;

                /// Whether `v` is in the range.
                pub fn contains(v: $ty) -> bool {
                    (Self::MIN..=Self::MAX).contains(&v)
                }
            }

            impl PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(Self::MIN))
                        .maximum(Some(Self::MAX))
                        .examples([$example])
                        .into()
                }
            }

            impl ToSchema for $name {}
        )+
    };
}

range_fields! {
    /// A page size (SPEC §6: default 50).
    Limit: u64 = 1, crate::pagination::MAX_LIMIT, example 50;
    /// A budget line's fiscal year.
    FiscalYear: i32 = 2000, 2100, example 2026;
    /// An indicator's weight: a whole number; a contract's weights sum to 100.
    Weight: i32 = 0, 100, example 40;
    /// How many days ahead `ending_within_days` looks.
    EndingWithinDays: u32 = 0, crate::services::contracts::MAX_ENDING_WITHIN_DAYS, example 30;
}

/// Reads a whole number however JSON writes it (`40` or `40.0`, both JSON Schema's
/// `integer`, which the document promises): for the integer fields of request bodies.
pub fn whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    d.deserialize_any(WholeVisitor)
}

/// [`whole`] for an optional field (with `#[serde(default)]`).
pub fn whole_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    d.deserialize_option(OptionalWhole)
}

struct WholeVisitor;

impl<'de> serde::de::Visitor<'de> for WholeVisitor {
    type Value = i32;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("i32")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i32, E> {
        i32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i32, E> {
        i32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i32, E> {
        let whole = v.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&v);
        if whole {
            #[allow(clippy::cast_possible_truncation)]
            Ok(v as i32)
        } else {
            Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
        }
    }
}

impl<'de> serde::de::Visitor<'de> for OptionalWhole {
    type Value = Option<i32>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("i32 or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Option<i32>, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Option<i32>, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<i32>, D::Error> {
        whole(d).map(Some)
    }
}

/// The visitor of [`whole_opt`].
struct OptionalWhole;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_read_however_json_writes_them() {
        #[derive(serde::Deserialize)]
        struct W {
            #[serde(deserialize_with = "whole")]
            w: i32,
            #[serde(default, deserialize_with = "whole_opt")]
            o: Option<i32>,
        }
        let read = |s: &str| serde_json::from_str::<W>(s).map(|v| (v.w, v.o));
        assert_eq!(read(r#"{"w": 40}"#).unwrap(), (40, None));
        assert_eq!(read(r#"{"w": 40.0, "o": 3.0}"#).unwrap(), (40, Some(3)));
        assert_eq!(read(r#"{"w": -2, "o": null}"#).unwrap(), (-2, None));
        for bad in [
            r#"{"w": 40.5}"#,
            r#"{"w": "40"}"#,
            r#"{"w": 1e10}"#,
            r#"{"w": 1, "o": 0.5}"#,
        ] {
            let e = read(bad).unwrap_err().to_string();
            assert!(e.starts_with("invalid"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_patterns_are_the_checks() {
        let email = regex::Regex::new(EMAIL_PATTERN).unwrap();
        let mut c = crate::error::Checks::default();
        for e in ["a@b.c", "finance@huimin.demo", "x.y+z@mail.example.org"] {
            assert!(email.is_match(e), "{e}");
            c.email("e", e);
        }
        assert!(c.finish().is_ok());
        for e in ["a@b", "a@.b", "a@b.", "a b@c.d", "@b.c", "a@b@c.d"] {
            assert!(!email.is_match(e), "{e}");
            assert!(
                crate::error::Checks::default()
                    .email("e", e)
                    .finish()
                    .is_err(),
                "{e}"
            );
        }
        let cursor = regex::Regex::new(CURSOR_PATTERN).unwrap();
        for _ in 0..100 {
            let c = crate::pagination::encode(uuid::Uuid::new_v4());
            assert!(
                cursor.is_match(&c) && crate::pagination::decode(&c).is_ok(),
                "{c}"
            );
        }
        let prefix = regex::Regex::new(DIVISION_PREFIX_PATTERN).unwrap();
        for d in ["4", "410523", "410523100201", "", "4105231002011", "41a"] {
            assert_eq!(prefix.is_match(d), is_division_prefix(d), "{d}");
        }
        assert!(codes::is_valid_credit_code(&example_credit_code()));
    }
}
