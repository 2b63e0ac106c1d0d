//! Finding and locking a contract the actor may see, directly or through a record that hangs
//! from it (a milestone, a payment request).

use entity::model::{contract, milestone, payment_request};
use sea_orm::sea_query::{IntoCondition, LockType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};

/// 404 unless the actor may see the contract (its purchaser's officers, its organisation's
/// staff, supervisors and admins).
pub fn visible(actor: &Actor, contract: &contract::Model) -> ApiResult<()> {
    actor.see_purchaser(contract.purchaser_id)?;
    actor.see_organisation(contract.organisation_id)
}

/// A visible contract.
pub async fn load(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<contract::Model> {
    load_where(db, actor, contract::Column::Id.eq(id), None).await
}

/// A visible contract, locked for the transaction.
pub async fn load_for_update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<contract::Model> {
    load_locked(txn, actor, id, LockType::Update).await
}

/// A visible contract under `lock` until the end of the transaction. A shared lock waits for
/// the holders of the exclusive one and they for it, while holders of the shared lock go ahead
/// together (SQLite's write transaction serialises anyway).
pub async fn load_locked(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    lock: LockType,
) -> ApiResult<contract::Model> {
    load_where(txn, actor, contract::Column::Id.eq(id), Some(lock)).await
}

/// The visible contract matching `which` (e.g. [`of_milestone`], a subquery that saves a round
/// trip), under `lock` if given.
pub async fn load_where(
    db: &impl ConnectionTrait,
    actor: &Actor,
    which: impl IntoCondition,
    lock: Option<LockType>,
) -> ApiResult<contract::Model> {
    let find = contract::Entity::find().filter(which);
    let find = match lock {
        Some(lock) => find.lock(lock),
        None => find,
    };
    let contract = find.one(db).await?.ok_or(ApiError::NotFound)?;
    visible(actor, &contract)?;
    Ok(contract)
}

/// The condition "the contract of milestone `id`" (none when there is no such milestone).
pub fn of_milestone(id: Uuid) -> sea_orm::Condition {
    let of = Query::select()
        .column(milestone::Column::ContractId)
        .from(milestone::Entity)
        .and_where(milestone::Column::Id.eq(id))
        .to_owned();
    contract::Column::Id.in_subquery(of).into_condition()
}

/// The condition "the contract of payment request `id`".
pub fn of_payment_request(id: Uuid) -> sea_orm::Condition {
    let of = Query::select()
        .column(payment_request::Column::ContractId)
        .from(payment_request::Entity)
        .and_where(payment_request::Column::Id.eq(id))
        .to_owned();
    contract::Column::Id.in_subquery(of).into_condition()
}

/// A milestone and its contract, the contract locked first and the milestone read under that
/// lock: every change to a milestone takes the contract's lock first.
pub async fn milestone_for_update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(milestone::Model, contract::Model)> {
    let contract = load_where(txn, actor, of_milestone(id), Some(LockType::Update)).await?;
    let milestone = milestone::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((milestone, contract))
}

/// A payment request's contract, locked for the transaction, and the request as it is under
/// that lock (404 for either).
pub async fn payment_request_for_update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(contract::Model, payment_request::Model)> {
    let contract = load_where(txn, actor, of_payment_request(id), Some(LockType::Update)).await?;
    let request = payment_request::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((contract, request))
}
