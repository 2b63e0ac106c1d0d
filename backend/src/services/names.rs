//! The names the pages show beside the ids of the records they list (an organisation's, a
//! budget line's …): one query per kind for a whole page, never one per row. Callers pass ids
//! of records the actor may already see.

use std::collections::HashMap;

use entity::model::{budget_line, contract, milestone, organisation, purchaser, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::ApiResult;

fn unique(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = ids.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// `(id, text)` of the rows of `E` with the given ids, in one query.
async fn by_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
    id: E::Column,
    text: E::Column,
) -> ApiResult<HashMap<Uuid, String>> {
    let ids = unique(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .select_only()
        .columns([id, text])
        .filter(id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Organisations' names by id.
pub async fn organisations(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    by_id::<organisation::Entity>(
        db,
        ids,
        organisation::Column::Id,
        organisation::Column::Name,
    )
    .await
}

/// Purchasers' names by id.
pub async fn purchasers(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    by_id::<purchaser::Entity>(db, ids, purchaser::Column::Id, purchaser::Column::Name).await
}

/// Budget lines as `code name` by id.
pub async fn budget_lines(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    let ids = unique(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(budget_line::Entity::find()
        .select_only()
        .columns([
            budget_line::Column::Id,
            budget_line::Column::Code,
            budget_line::Column::Name,
        ])
        .filter(budget_line::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, code, name)| (id, format!("{code} {name}")))
        .collect())
}

/// Users' display names by id.
pub async fn users(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    by_id::<user::Entity>(db, ids, user::Column::Id, user::Column::DisplayName).await
}

/// Contracts' titles by id.
pub async fn contracts(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    by_id::<contract::Entity>(db, ids, contract::Column::Id, contract::Column::Title).await
}

/// Milestones' titles by id.
pub async fn milestones(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    by_id::<milestone::Entity>(db, ids, milestone::Column::Id, milestone::Column::Title).await
}
