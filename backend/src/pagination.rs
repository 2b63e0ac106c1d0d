//! Keyset pagination: lists are ordered by id (UUID v7, so by creation time) and the opaque
//! cursor is the last id of the page, so a page costs one index range scan however deep.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::rules::counts::to_usize;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
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

/// Reads one page of `select`, keyed on `id_col`.
pub async fn page<E, M>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_col: E::Column,
    limit: Option<u64>,
    cursor: Option<&str>,
    id_of: impl Fn(&M) -> Uuid,
) -> ApiResult<(Vec<M>, Option<String>)>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Send + Sync,
{
    page_ordered(db, select, id_col, limit, cursor, id_of, false).await
}

/// [`page`] in either order: `newest_first` (a page's worklist: the latest runs, the latest
/// failures) pages back in time.
pub async fn page_ordered<E, M>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_col: E::Column,
    limit: Option<u64>,
    cursor: Option<&str>,
    id_of: impl Fn(&M) -> Uuid,
    newest_first: bool,
) -> ApiResult<(Vec<M>, Option<String>)>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Send + Sync,
{
    let limit = check_limit(limit)?;
    let mut select = select;
    if let Some(c) = cursor {
        let after = decode(c)?;
        select = select.filter(if newest_first {
            id_col.lt(after)
        } else {
            id_col.gt(after)
        });
    }
    let select = if newest_first {
        select.order_by_desc(id_col)
    } else {
        select.order_by_asc(id_col)
    };
    let mut rows = select.limit(limit + 1).all(db).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(to_usize(limit));
        rows.last().map(|m| encode(id_of(m)))
    } else {
        None
    };
    Ok((rows, next))
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
