//! Finding the records that are not contracts, within the actor's scope: a tender and its bids
//! (sealed until the deadline), and what hangs from a contract (milestone, post, finding,
//! payment request), visible with their contract.

use chrono::{DateTime, Utc};
use entity::model::{bid, finding, payment_request, post, tender};
use entity::rules::vocab::Role;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use super::contracts;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};

/// 404 unless the actor may see the tender: its purchaser's officers, supervisors and admins
/// always; organisations once it is published.
pub fn tender_visible(actor: &Actor, tender: &tender::Model) -> ApiResult<()> {
    actor.see_purchaser(tender.purchaser_id)?;
    if actor.role == Role::Organisation && tender.published_at.is_none() {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// A visible tender.
pub async fn tender(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<tender::Model> {
    let tender = tender::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    tender_visible(actor, &tender)?;
    Ok(tender)
}

/// A visible tender, locked for the transaction.
pub async fn tender_for_update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<tender::Model> {
    let tender = tender::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    tender_visible(actor, &tender)?;
    Ok(tender)
}

/// A bid the actor may see, with its tender: its own organisation's staff always; everyone
/// else who sees the tender only once bidding has closed at `now` (bids are sealed until then).
pub async fn bid(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> ApiResult<(bid::Model, tender::Model)> {
    let bid = bid::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let tender = tender(db, actor, bid.tender_id).await?;
    match actor.organisation_scope() {
        Some(own) if own != bid.organisation_id => Err(ApiError::NotFound),
        None if now < tender.bid_deadline => Err(ApiError::NotFound),
        _ => Ok((bid, tender)),
    }
}

/// Whether the milestone exists and the actor may see it (its contract), in one statement.
pub async fn milestone_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<()> {
    contracts::load_where(db, actor, contracts::of_milestone(id), None)
        .await
        .map(|_| ())
}

/// A post of a contract the actor may see, with that contract.
pub async fn post(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(post::Model, entity::model::contract::Model)> {
    let post = post::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contract = contracts::load(db, actor, post.contract_id).await?;
    Ok((post, contract))
}

/// A finding on a contract the actor may see.
pub async fn finding(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<finding::Model> {
    let finding = finding::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    contracts::load(db, actor, finding.contract_id).await?;
    Ok(finding)
}

/// A payment request within the actor's purchaser and organisation scope.
pub async fn payment_request(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<payment_request::Model> {
    let request = payment_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    actor.see_purchaser(request.purchaser_id)?;
    actor.see_organisation(request.organisation_id)?;
    Ok(request)
}

/// An indicator of a contract the actor may see.
pub async fn indicator(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<entity::model::indicator::Model> {
    let indicator = entity::model::indicator::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    contracts::load(db, actor, indicator.contract_id).await?;
    Ok(indicator)
}
