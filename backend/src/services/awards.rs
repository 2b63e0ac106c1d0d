//! Awarding a closed tender to one of its bids (SPEC §3): the tender becomes awarded and a draft
//! contract with the bid's organisation and amount is created, in one transaction.

use chrono::{DateTime, Utc};
use entity::model::{bid, contract, organisation, tender};
use entity::rules::counts::to_usize;
use entity::rules::vocab::{ContractStatus, TenderStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, codes};
use crate::services::common::bad_transition;
use crate::services::contracts::{self, Contract, DEFAULT_FULL_PAY_TENTHS, DEFAULT_MIN_PAY_TENTHS};
use crate::services::public::notices::{self as public_notices, Outcome};
use crate::services::tenders::transition;
use crate::state::AppState;
use crate::store;
use crate::store::today;

/// `{bid_id}` of an award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Award {
    pub bid_id: Uuid,
}

/// Awards a bid of a closed tender and creates the draft contract (answered with 201).
pub async fn award(st: &AppState, actor: &Actor, id: Uuid, a: Award) -> ApiResult<Contract> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let t = store::records::tender_for_update(&*w, actor, id).await?;
    let b = bid::Entity::find_by_id(a.bid_id)
        .one(&*w)
        .await?
        .filter(|b| b.tender_id == t.id)
        .ok_or_else(|| {
            ApiError::field(
                "bid_id",
                codes::REFERENCE_UNKNOWN,
                "is not a bid on this tender",
            )
        })?;
    check_awardable(&*w, &t, &b).await?;
    let org = organisation::Entity::find_by_id(b.organisation_id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    crate::services::parties::check_active(&org, today(st), "cannot be awarded")?;
    let contract = draft_contract(&t, &b, actor, now);
    let mut am = t.clone().into_active_model();
    am.awarded_bid_id = Set(Some(b.id));
    am.update(&*w).await?;
    let t = tender::Entity::find_by_id(id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    transition(&mut w, t, TenderStatus::Awarded, None, "award").await?;
    let out = contracts::insert(&mut w, contract).await?;
    public_notices::tender_result(&*w, now, id, Outcome::Awarded, Some(out.id)).await?;
    w.commit().await?;
    Ok(out)
}

/// 409 unless the tender is closed, has the method's minimum of bids and the bid is within
/// its ceiling.
async fn check_awardable(
    db: &impl ConnectionTrait,
    t: &tender::Model,
    b: &bid::Model,
) -> ApiResult<()> {
    let method = t.method;
    if t.status != TenderStatus::Closed {
        return Err(bad_transition("tender", t.status.as_str(), "awarded"));
    }
    let n = bid::Entity::find()
        .filter(bid::Column::TenderId.eq(t.id))
        .count(db)
        .await?;
    if to_usize(n) < method.min_bids() {
        return Err(ApiError::conflict(
            codes::TENDER_TOO_FEW_BIDS,
            format!(
                "a {} tender needs at least {} bids to be awarded ({n} received); mark it unsuccessful",
                method.as_str(),
                method.min_bids()
            ),
        ));
    }
    if b.amount_fen > t.ceiling_fen {
        return Err(ApiError::conflict(
            codes::BID_ABOVE_CEILING,
            "the bid is above the tender's ceiling",
        ));
    }
    Ok(())
}

/// The draft contract of awarding bid `b` of tender `t`, its officer the awarding one.
fn draft_contract(
    t: &tender::Model,
    b: &bid::Model,
    actor: &Actor,
    now: DateTime<Utc>,
) -> contract::Model {
    contract::Model {
        id: Uuid::now_v7(),
        purchaser_id: t.purchaser_id,
        organisation_id: b.organisation_id,
        tender_id: Some(t.id),
        bid_id: Some(b.id),
        budget_line_id: t.budget_line_id,
        title: t.title.clone(),
        service_category: t.service_category,
        division_code: t.division_code.clone(),
        value_fen: b.amount_fen,
        signed_value_fen: None,
        start_date: t.service_start,
        end_date: t.service_end,
        status: ContractStatus::Draft,
        status_reason: None,
        signed_at: None,
        responsible_officer_id: actor.id(),
        direct_award_reason: None,
        multi_year_reason: t.multi_year_reason.clone(),
        full_pay_score_tenths: DEFAULT_FULL_PAY_TENTHS,
        min_pay_score_tenths: DEFAULT_MIN_PAY_TENTHS,
        created_at: now,
        updated_at: now,
    }
}
