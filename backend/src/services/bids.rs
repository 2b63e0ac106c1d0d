//! Sealed bids on a published tender (SPEC §2–§3). Sealing: before the deadline a bid is read
//! only by its own organisation, through every path; after it, the purchaser's officers,
//! supervisors and admins read all bids, and the officers score them.

use chrono::{DateTime, Utc};
use entity::Money;
use entity::model::{bid, organisation, tender};
use entity::rules::score::Score;
use entity::rules::vocab::TenderStatus;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::state::AppState;
use crate::store;
use crate::store::today;

mod own_bids;

pub use own_bids::{BidOutcome, OwnBid, bid_outcome, own_bids};

/// A bid as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Bid {
    pub id: Uuid,
    pub tender_id: Uuid,
    pub organisation_id: Uuid,
    pub amount: Money,
    pub proposal: String,
    pub submitted_at: DateTime<Utc>,
    pub score: Option<Score>,
}

impl From<bid::Model> for Bid {
    fn from(m: bid::Model) -> Self {
        Bid {
            id: m.id,
            tender_id: m.tender_id,
            organisation_id: m.organisation_id,
            amount: Money::from_fen(m.amount_fen),
            proposal: m.proposal,
            submitted_at: m.submitted_at,
            score: m.score_tenths.map(Score::from_tenths),
        }
    }
}

/// A new or replacing bid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBid {
    #[schema(value_type = crate::fields::PositiveMoney)]
    pub amount: Money,
    #[schema(value_type = crate::fields::LongText)]
    pub proposal: String,
}

/// `PATCH /bids/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidScore {
    pub score: Score,
}

/// Submits the organisation's bid, or replaces it; `true` when it is new.
pub async fn submit_bid(
    st: &AppState,
    actor: &Actor,
    tender_id: Uuid,
    new: NewBid,
) -> ApiResult<(bool, Bid)> {
    let org_id = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let mut c = Checks::default();
    c.text("proposal", &new.proposal, fields::LongText::MAX)
        .check(
            new.amount.fen() > 0,
            "amount",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        );
    c.finish()?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    // A shared lock would do; the row lock also orders a bid against a concurrent close.
    let t = store::records::tender_for_update(&*w, actor, tender_id).await?;
    check_takes_bid(&t, &new, now)?;
    let org = organisation::Entity::find_by_id(org_id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    crate::services::parties::check_active(&org, today(st), "may not bid")?;
    let existing = bid::Entity::find()
        .filter(bid::Column::TenderId.eq(t.id))
        .filter(bid::Column::OrganisationId.eq(org_id))
        .one(&*w)
        .await?;
    let (created, before, m) = match existing {
        Some(old) => {
            let before = Bid::from(old.clone());
            let mut am = old.into_active_model();
            am.amount_fen = Set(new.amount.fen());
            am.proposal = Set(new.proposal);
            am.submitted_at = Set(now);
            am.submitted_by = Set(actor.id());
            (false, Some(before), am.update(&*w).await?)
        }
        None => {
            let m = bid::ActiveModel {
                id: Set(Uuid::now_v7()),
                tender_id: Set(t.id),
                organisation_id: Set(org_id),
                amount_fen: Set(new.amount.fen()),
                proposal: Set(new.proposal),
                submitted_at: Set(now),
                submitted_by: Set(actor.id()),
                score_tenths: Set(None),
            };
            (true, None, m.insert(&*w).await?)
        }
    };
    let out = Bid::from(m);
    let action = if created { "submit_bid" } else { "replace_bid" };
    w.record(action, "bid", out.id, before.as_ref(), Some(&out));
    w.commit().await?;
    Ok((created, out))
}

/// 409 unless the tender is published and its deadline not passed at `now`; 422 when the bid
/// is above its ceiling.
fn check_takes_bid(t: &tender::Model, new: &NewBid, now: DateTime<Utc>) -> ApiResult<()> {
    if t.status != TenderStatus::Published {
        return Err(ApiError::conflict(
            codes::TENDER_NOT_PUBLISHED,
            "the tender is not open for bids: it is not published",
        ));
    }
    if now >= t.bid_deadline {
        return Err(ApiError::conflict(
            codes::TENDER_DEADLINE_PASSED,
            "the tender is not open for bids: its bid deadline has passed",
        ));
    }
    if new.amount.fen() > t.ceiling_fen {
        return Err(ApiError::field(
            "amount",
            codes::BID_ABOVE_CEILING,
            "must not exceed the tender's ceiling amount",
        ));
    }
    Ok(())
}

/// The bids of a tender the actor may read: before the deadline only one's own; after it,
/// all of them for the purchaser's officers, supervisors and admins.
pub async fn list_bids(st: &AppState, actor: &Actor, tender_id: Uuid) -> ApiResult<Vec<Bid>> {
    let t = tender::Entity::find_by_id(tender_id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    store::records::tender_visible(actor, &t)?;
    let mut q = bid::Entity::find().filter(bid::Column::TenderId.eq(t.id));
    if let Some(org) = actor.organisation_scope() {
        q = q.filter(bid::Column::OrganisationId.eq(org));
    } else if st.now() < t.bid_deadline {
        return Ok(Vec::new());
    }
    Ok(q.all(&st.db).await?.into_iter().map(Bid::from).collect())
}

/// One bid the actor may read: its organisation's own at any time; for the purchaser's
/// officers, supervisors and admins only after the deadline (before it the bid is sealed: it
/// does not exist for them, 404).
pub async fn get_bid(st: &AppState, actor: &Actor, bid_id: Uuid) -> ApiResult<Bid> {
    let (bid, _) = store::records::bid(&st.db, actor, st.now(), bid_id).await?;
    Ok(Bid::from(bid))
}

/// Scores a bid after the deadline (the purchaser's finance officers).
pub async fn score_bid(st: &AppState, actor: &Actor, bid_id: Uuid, s: BidScore) -> ApiResult<Bid> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let b = bid::Entity::find_by_id(bid_id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    let t = store::records::tender_for_update(&*w, actor, b.tender_id).await?;
    if now < t.bid_deadline {
        // Before the deadline the bid is sealed: it does not exist for the officer.
        return Err(ApiError::NotFound);
    }
    let before = Bid::from(b.clone());
    let mut am = b.into_active_model();
    am.score_tenths = Set(Some(s.score.tenths()));
    let out = Bid::from(am.update(&*w).await?);
    w.record("score_bid", "bid", out.id, Some(&before), Some(&out));
    w.commit().await?;
    Ok(out)
}
