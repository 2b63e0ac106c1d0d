//! Small helpers the services share.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Code, codes};
use crate::fields;

/// `{reason}` of an action that needs one: a cancellation (of a tender, a contract or a
/// milestone), a tender closed without success, a termination.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[schema(value_type = crate::fields::Reason)]
    pub reason: String,
}

/// A required reason (cancel, terminate, amendments …): trimmed, 1 to
/// [`fields::Reason::MAX`] characters.
pub fn reason(field: &str, value: &str) -> ApiResult<String> {
    let r = value.trim();
    if r.is_empty() {
        return Err(ApiError::field(
            field,
            codes::FIELD_REQUIRED,
            "must not be empty",
        ));
    }
    if r.chars().count() > fields::Reason::MAX {
        return Err(ApiError::field(
            field,
            codes::FIELD_TOO_LONG,
            format!("must be at most {} characters", fields::Reason::MAX),
        ));
    }
    Ok(r.to_string())
}

/// A 409 `state.transition` for a transition the life cycle does not allow.
pub fn bad_transition(entity: &str, status: &str, action: &str) -> ApiError {
    ApiError::conflict(
        codes::STATE_TRANSITION,
        format!("a {status} {entity} cannot be {action}"),
    )
}

/// The code and message of a service period's problem (end before start, or too long), if
/// it has one ([`entity::rules::procurement::period_problem`]).
pub fn period_problem(
    start: NaiveDate,
    end: NaiveDate,
    multi_year: bool,
) -> Option<(Code, &'static str)> {
    let p = entity::rules::procurement::period_problem(start, end, multi_year)?;
    let code = if end < start {
        codes::FIELD_DATE_ORDER
    } else {
        codes::PERIOD_TOO_LONG
    };
    Some((code, p))
}
