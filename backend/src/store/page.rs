//! How every list pages: keyset pages along a key column (the id, a UUID v7, so creation
//! order; the audit trail's `seq`), so a page costs one index range scan however deep. The
//! cursor's wire form and the page size's bounds are [`crate::pagination`]'s.

use entity::rules::counts::to_usize;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select, Value,
};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::pagination::{Page, check_limit, decode, encode};

/// One page of a list: its size and its direction along the key.
#[derive(Clone, Copy, Debug)]
pub struct Keyset {
    limit: u64,
    newest_first: bool,
}

impl Keyset {
    /// A page against key order (a worklist: the latest first), paging back in time; 422
    /// for a size outside the page size's bounds.
    pub fn newest_first(limit: Option<u64>) -> ApiResult<Self> {
        Self::ordered(limit, true)
    }

    /// A page in key order, or against it when `newest_first`.
    pub fn ordered(limit: Option<u64>, newest_first: bool) -> ApiResult<Self> {
        Ok(Self {
            limit: check_limit(limit)?,
            newest_first,
        })
    }

    /// `select` narrowed to the page: past the key `after`, in the page's order, one row more
    /// than the page (which tells whether another page follows).
    pub fn after<E: EntityTrait>(
        self,
        select: Select<E>,
        key: E::Column,
        after: Option<impl Into<Value>>,
    ) -> Select<E> {
        let select = select.apply_if(after, |q, after| {
            q.filter(if self.newest_first {
                key.lt(after)
            } else {
                key.gt(after)
            })
        });
        let select = if self.newest_first {
            select.order_by_desc(key)
        } else {
            select.order_by_asc(key)
        };
        select.limit(self.limit + 1)
    }

    /// [`Self::after`] the id a cursor of this server points at (422 for any other cursor).
    pub fn after_cursor<E: EntityTrait>(
        self,
        select: Select<E>,
        id: E::Column,
        cursor: Option<&str>,
    ) -> ApiResult<Select<E>> {
        let after = cursor.map(decode).transpose()?;
        Ok(self.after(select, id, after))
    }

    /// The page out of the rows [`Self::after`] read, with the cursor of its last row (from
    /// `cursor_of`) when another page follows.
    pub fn into_page<M>(
        self,
        mut rows: Vec<M>,
        cursor_of: impl Fn(&M) -> Option<String>,
    ) -> Page<M> {
        let next_cursor = if rows.len() as u64 > self.limit {
            rows.truncate(to_usize(self.limit));
            rows.last().and_then(cursor_of)
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// [`Self::into_page`] for rows keyed on their id.
    pub fn into_page_by_id<M>(self, rows: Vec<M>, id_of: impl Fn(&M) -> Uuid) -> Page<M> {
        self.into_page(rows, |m| Some(encode(id_of(m))))
    }
}

/// Reads one page of `select`, keyed on its id column `id`, oldest first.
pub async fn page<E, M>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: E::Column,
    (limit, cursor): (Option<u64>, Option<&str>),
    id_of: impl Fn(&M) -> Uuid,
) -> ApiResult<Page<M>>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Send + Sync,
{
    page_ordered(db, select, id, (limit, cursor), id_of, false).await
}

/// [`page`] in either order: `newest_first` (a page's worklist: the latest runs, the latest
/// failures) pages back in time.
pub async fn page_ordered<E, M>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: E::Column,
    (limit, cursor): (Option<u64>, Option<&str>),
    id_of: impl Fn(&M) -> Uuid,
    newest_first: bool,
) -> ApiResult<Page<M>>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Send + Sync,
{
    let paging = Keyset::ordered(limit, newest_first)?;
    let rows = paging.after_cursor(select, id, cursor)?.all(db).await?;
    Ok(paging.into_page_by_id(rows, id_of))
}
