//! [`Feedback`]: a refused form shown again, its problems in the user's language — each field's
//! message next to the field, a refusal of the whole action (a rule or a state: a 409) above
//! the form — with the status the API would have answered (422, 409). Refusals a form cannot
//! fix (401, 403, 404, 5xx) stay errors and reach the error pages.

use axum::http::StatusCode;

use entity::rules::money::{Money, MoneyError};
use entity::rules::quantity::Quantity;
use entity::rules::score::Score;

use crate::error::codes::{self, Code};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::web::ui::Ui;

/// What a page shows about the form it re-renders; empty on a first visit.
#[derive(Debug, Clone)]
pub struct Feedback {
    /// The status of the answer: 200 on a first visit, else the refusal's.
    pub status: StatusCode,
    /// The refusal of the whole action, translated.
    pub notice: Option<String>,
    /// `(field, translated message)`.
    fields: Vec<(String, String)>,
}

impl Default for Feedback {
    fn default() -> Self {
        Feedback {
            status: StatusCode::OK,
            notice: None,
            fields: Vec::new(),
        }
    }
}

impl Feedback {
    /// A form's first visit: nothing to say.
    pub fn none() -> Self {
        Self::default()
    }

    /// The refusal `e` as the form shows it, or `e` itself when no form can fix it.
    pub fn refused(ui: &Ui, e: ApiError) -> ApiResult<Self> {
        let status = e.status();
        match e {
            ApiError::Validation(errors) => Ok(Feedback {
                status,
                notice: None,
                fields: errors
                    .iter()
                    .map(|f| (f.field.clone(), ui.error_text(&f.code)))
                    .collect(),
            }),
            ApiError::Conflict { .. }
            | ApiError::BadRequest(_)
            | ApiError::TooManyRequests { .. }
            | ApiError::Busy { .. } => Ok(Feedback {
                status,
                notice: Some(ui.error_text(e.code())),
                fields: Vec::new(),
            }),
            other => Err(other),
        }
    }

    /// The refusal of one field with a message of the page's own (one that names a file, say),
    /// answered with `status`.
    pub fn field_message(status: StatusCode, field: &str, message: String) -> Self {
        Feedback {
            status,
            notice: None,
            fields: vec![(field.to_string(), message)],
        }
    }

    /// The message of `field` (also of its nested fields, `field[0].x`), if it was refused.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| {
                f == field
                    || f.strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with(['[', '.']))
            })
            .map(|(_, m)| m.as_str())
    }

    /// Messages of refused fields the form has no place for (shown with the notice).
    pub fn others(&self, shown: &[&str]) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(f, _)| {
                !shown
                    .iter()
                    .any(|s| f == s || f.starts_with(&format!("{s}[")))
            })
            .map(|(_, m)| m.as_str())
            .collect()
    }

    /// True when the form was refused.
    pub fn is_refusal(&self) -> bool {
        self.notice.is_some() || !self.fields.is_empty()
    }
}

/// Field problems found while reading a form's text fields into the service's types (a
/// number, an amount, a date): the page's part of "the same validation as the API" — the
/// rules themselves stay in the services.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    fn refuse(&mut self, field: &str, code: Code, message: &str) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// A required text, trimmed (empty: `form.required`; the service checks its length).
    pub fn text(&mut self, field: &str, raw: &str) -> String {
        let v = raw.trim();
        if v.is_empty() {
            self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
        }
        v.to_string()
    }

    /// An optional text: `None` when blank.
    pub fn opt_text(&mut self, raw: &str) -> Option<String> {
        let v = raw.trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// An amount in yuan as people type it (`1,234.5`, `¥1234.50`), checked by the money rule
    /// of the API ([`Money::new`]: two decimals, not negative, not too large).
    pub fn money(&mut self, field: &str, raw: &str) -> Money {
        if raw.trim().is_empty() {
            self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
            return Money::ZERO;
        }
        self.opt_money(field, raw).unwrap_or(Money::ZERO)
    }

    /// An optional amount: `None` when blank.
    pub fn opt_money(&mut self, field: &str, raw: &str) -> Option<Money> {
        let cleaned: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | ' '))
            .collect();
        if cleaned.is_empty() {
            return None;
        }
        let parsed = cleaned
            .parse::<rust_decimal::Decimal>()
            .map_err(|_| MoneyError::NotANumber)
            .and_then(Money::new);
        match parsed {
            Ok(m) => Some(m),
            Err(e) => {
                let code = match e {
                    MoneyError::NotANumber => codes::MONEY_NOT_A_NUMBER,
                    MoneyError::TooPrecise => codes::MONEY_TOO_PRECISE,
                    MoneyError::Negative => codes::MONEY_NEGATIVE,
                    MoneyError::TooLarge => codes::MONEY_TOO_LARGE,
                };
                self.refuse(field, code, &e.to_string());
                None
            }
        }
    }

    /// A word of a closed list (`FundSource`, `ServiceCategory` …) from a select.
    pub fn choice<T: Copy>(
        &mut self,
        field: &str,
        raw: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = parse(raw.trim());
        if v.is_none() {
            let code = if raw.trim().is_empty() {
                codes::FIELD_REQUIRED
            } else {
                codes::FIELD_CHOICE
            };
            self.refuse(field, code, "must be one of the choices");
        }
        v
    }

    /// A date `YYYY-MM-DD` (what `<input type=date>` sends).
    pub fn date(&mut self, field: &str, raw: &str) -> chrono::NaiveDate {
        self.opt_date(field, raw).unwrap_or_else(|| {
            if raw.trim().is_empty() {
                self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
            }
            chrono::NaiveDate::MIN
        })
    }

    /// An optional date: `None` when blank.
    pub fn opt_date(&mut self, field: &str, raw: &str) -> Option<chrono::NaiveDate> {
        let v = raw.trim();
        if v.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.refuse(field, codes::FIELD_DATE, "must be a date YYYY-MM-DD");
                None
            }
        }
    }

    /// A local date and time (`<input type=datetime-local>`: `YYYY-MM-DDTHH:MM`).
    pub fn opt_datetime(&mut self, field: &str, raw: &str) -> Option<chrono::NaiveDateTime> {
        let v = raw.trim();
        if v.is_empty() {
            return None;
        }
        let parsed = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"));
        match parsed {
            Ok(d) => Some(d),
            Err(_) => {
                self.refuse(field, codes::FIELD_DATE, "must be a date and time");
                None
            }
        }
    }

    /// An optional number (`None` when blank).
    pub fn opt_number<N: std::str::FromStr>(&mut self, field: &str, raw: &str) -> Option<N> {
        let v = raw.trim();
        if v.is_empty() {
            return None;
        }
        match v.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.refuse(field, codes::FIELD_NUMBER, "must be a number");
                None
            }
        }
    }

    /// A required number.
    pub fn number<N: std::str::FromStr + Default>(&mut self, field: &str, raw: &str) -> N {
        if raw.trim().is_empty() {
            self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
            return N::default();
        }
        self.opt_number(field, raw).unwrap_or_default()
    }

    /// An optional quantity (a measurement, a target: not negative, at most four decimals, by
    /// the API's rule [`Quantity::from_decimal`]); `None` when blank or refused.
    pub fn opt_quantity(&mut self, field: &str, raw: &str) -> Option<Quantity> {
        let d: rust_decimal::Decimal = self.opt_number(field, raw)?;
        let q = Quantity::from_decimal(d);
        if q.is_none() {
            self.refuse(
                field,
                codes::QUANTITY_INVALID,
                "must be a number with at most four decimals, not negative",
            );
        }
        q
    }

    /// A required quantity (see [`Fields::opt_quantity`]).
    pub fn quantity(&mut self, field: &str, raw: &str) -> Quantity {
        if raw.trim().is_empty() {
            self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
        }
        self.opt_quantity(field, raw)
            .unwrap_or_else(|| Quantity::from_e4(0))
    }

    /// A required id (a UUID from a select or a hidden field).
    pub fn id(&mut self, field: &str, raw: &str) -> uuid::Uuid {
        match raw.trim().parse() {
            Ok(id) => id,
            Err(_) => {
                let code = if raw.trim().is_empty() {
                    codes::FIELD_REQUIRED
                } else {
                    codes::FIELD_CHOICE
                };
                self.refuse(field, code, "must be one of the choices");
                uuid::Uuid::nil()
            }
        }
    }

    /// A local date and time (`<input type=datetime-local>`) in the time zone `tz`, as the
    /// instant it names.
    pub fn datetime_in(
        &mut self,
        field: &str,
        raw: &str,
        tz: chrono_tz::Tz,
    ) -> chrono::DateTime<chrono::Utc> {
        if raw.trim().is_empty() {
            self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
            return chrono::DateTime::UNIX_EPOCH;
        }
        let local = self.opt_datetime(field, raw);
        match local.map(|l| l.and_local_timezone(tz).earliest()) {
            Some(Some(at)) => at.with_timezone(&chrono::Utc),
            Some(None) => {
                self.refuse(field, codes::FIELD_DATE, "must be a date and time");
                chrono::DateTime::UNIX_EPOCH
            }
            None => chrono::DateTime::UNIX_EPOCH,
        }
    }

    /// A score 0–100 with at most one decimal (the API's score rule, [`Score::from_f64`]).
    pub fn score(&mut self, field: &str, raw: &str) -> Score {
        if raw.trim().is_empty() {
            self.refuse(field, codes::FIELD_REQUIRED, "must not be empty");
            return Score::from_tenths(0);
        }
        let parsed = raw.trim().parse::<f64>().ok().and_then(Score::from_f64);
        parsed.unwrap_or_else(|| {
            self.refuse(
                field,
                codes::SCORE_INVALID,
                "must be a number from 0 to 100 with at most one decimal",
            );
            Score::from_tenths(0)
        })
    }

    /// `Ok` when every field could be read, else the 422 listing them.
    pub fn finish(self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        let mut f = Fields::default();
        assert_eq!(f.money("a", "1,234.5").decimal().to_string(), "1234.50");
        assert_eq!(f.money("a", " ¥1234.50 ").decimal().to_string(), "1234.50");
        assert_eq!(f.opt_money("a", ""), None);
        assert!(f.finish().is_ok());
        let mut f = Fields::default();
        f.money("amount", "twelve");
        f.date("due", "");
        let Err(ApiError::Validation(e)) = f.finish() else {
            panic!("refused")
        };
        assert_eq!(e[0].code, "money.not_a_number");
        assert_eq!(
            (e[1].field.as_str(), e[1].code.as_str()),
            ("due", "field.required")
        );
    }

    #[test]
    fn scores_and_local_deadlines_are_read_by_the_apis_rules() {
        let mut f = Fields::default();
        assert_eq!(f.score("s", " 86.5 ").tenths(), 865);
        let at = f.datetime_in("d", "2026-03-20T17:00", chrono_tz::Asia::Shanghai);
        assert_eq!(at.to_rfc3339(), "2026-03-20T09:00:00+00:00");
        assert!(f.finish().is_ok());
        let mut f = Fields::default();
        f.score("s", "100.1");
        f.datetime_in("d", "", chrono_tz::Asia::Shanghai);
        let Err(ApiError::Validation(e)) = f.finish() else {
            panic!("refused")
        };
        assert_eq!(e[0].code, codes::SCORE_INVALID.as_str());
        assert_eq!(
            (e[1].field.as_str(), e[1].code.as_str()),
            ("d", codes::FIELD_REQUIRED.as_str())
        );
    }
}
