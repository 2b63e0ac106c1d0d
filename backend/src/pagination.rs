//! A list's page as the API shows it: `{items, next_cursor}`, the page size's bounds and the
//! opaque cursor (the last id of the page). How a page is read is [`crate::store::page`]'s.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The default page size.
pub const DEFAULT_LIMIT: u64 = 50;
/// The largest page size.
pub const MAX_LIMIT: u64 = 500;

/// A page of a list: `{items, next_cursor}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page with each item turned into what the answer shows, or the first error.
    pub fn try_map<U>(self, f: impl FnMut(T) -> ApiResult<U>) -> ApiResult<Page<U>> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<ApiResult<_>>()?,
            next_cursor: self.next_cursor,
        })
    }

    /// The page with each item turned into what the answer shows.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// The page size asked for, or the default; 422 outside 1..=MAX_LIMIT.
pub fn check_limit(limit: Option<u64>) -> ApiResult<u64> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !crate::fields::Limit::contains(limit) {
        return Err(ApiError::field(
            "limit",
            crate::error::codes::FIELD_OUT_OF_RANGE,
            format!(
                "must be between {} and {}",
                crate::fields::Limit::MIN,
                crate::fields::Limit::MAX
            ),
        ));
    }
    Ok(limit)
}

/// The cursor of a page ending at `id`.
pub fn encode(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The id a cursor points after (422 for anything this server did not give).
pub fn decode(cursor: &str) -> ApiResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| Uuid::from_slice(&b).ok())
        .ok_or_else(|| {
            ApiError::field(
                "cursor",
                crate::error::codes::CURSOR_INVALID,
                "is not a cursor this server gave",
            )
        })
}
