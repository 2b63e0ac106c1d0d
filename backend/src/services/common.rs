//! Small helpers the services share.

use crate::error::{ApiError, ApiResult};

/// A required reason (cancel, terminate, amendments …): trimmed, 1–2000 characters.
pub fn reason(field: &str, value: &str) -> ApiResult<String> {
    let r = value.trim();
    if r.is_empty() {
        return Err(ApiError::validation(field, "must not be empty"));
    }
    if r.chars().count() > 2000 {
        return Err(ApiError::validation(
            field,
            "must be at most 2000 characters",
        ));
    }
    Ok(r.to_string())
}

/// A stored word of a closed list, or a 500 naming the corrupt value.
pub fn stored<T>(parsed: Option<T>, what: &str, raw: &str) -> ApiResult<T> {
    parsed.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "stored {what} {raw:?} is not a known value"
        ))
    })
}

/// A 409 for a transition the life cycle does not allow.
pub fn bad_transition(entity: &str, status: &str, action: &str) -> ApiError {
    ApiError::conflict(format!("a {status} {entity} cannot be {action}"))
}
