//! An organisation's own bids with what became of them (`/bids`): one query joining each bid
//! to its tender (and to the contract its award created), keyset-paged newest first on the
//! index `bid(organisation_id, id)`; the outcome is [`bid_outcome`], a pure function of the
//! tender's state that the tender's page uses too.

use chrono::{DateTime, Utc};
use entity::Money;
use entity::model::{bid, contract, tender};
use entity::rules::score::Score;
use entity::rules::vocab::TenderStatus;
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect, RelationTrait,
};
use uuid::Uuid;

use super::Bid;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::pagination::Page;
use crate::state::AppState;
use crate::store::page::Keyset;

/// What became of a bid, as its organisation reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidOutcome {
    /// Before the deadline: it may still be replaced.
    Pending,
    /// After the deadline, nothing decided yet.
    InReview,
    /// The tender was awarded to this bid.
    Won,
    /// The tender was awarded to another bid.
    Lost,
    /// The tender was marked unsuccessful.
    Unsuccessful,
    /// The tender was cancelled.
    Cancelled,
}

impl BidOutcome {
    /// The word of the outcome (`outcome-{word}` in the catalogue, `status-{word}` in CSS).
    pub fn as_str(self) -> &'static str {
        match self {
            BidOutcome::Pending => "pending",
            BidOutcome::InReview => "in_review",
            BidOutcome::Won => "won",
            BidOutcome::Lost => "lost",
            BidOutcome::Unsuccessful => "unsuccessful",
            BidOutcome::Cancelled => "cancelled",
        }
    }
}

/// The outcome of bid `bid_id` on a tender in `status` with its `deadline` and awarded bid,
/// at `now`.
pub fn bid_outcome(
    bid_id: Uuid,
    status: TenderStatus,
    deadline: DateTime<Utc>,
    awarded_bid_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> BidOutcome {
    match (status, awarded_bid_id) {
        (_, Some(won)) if won == bid_id => BidOutcome::Won,
        (_, Some(_)) => BidOutcome::Lost,
        (TenderStatus::Cancelled, None) => BidOutcome::Cancelled,
        (TenderStatus::Unsuccessful, None) => BidOutcome::Unsuccessful,
        _ if now < deadline => BidOutcome::Pending,
        _ => BidOutcome::InReview,
    }
}

/// One of the organisation's bids with its tender and outcome.
#[derive(Debug, Clone)]
pub struct OwnBid {
    pub bid: Bid,
    pub tender_title: String,
    pub tender_status: TenderStatus,
    pub bid_deadline: DateTime<Utc>,
    /// The contract the award of this bid created, if it won.
    pub contract_id: Option<Uuid>,
    pub outcome: BidOutcome,
}

/// A row of the query: the bid's columns, its tender's and its contract's id.
#[derive(Debug, FromQueryResult)]
struct Row {
    id: Uuid,
    tender_id: Uuid,
    organisation_id: Uuid,
    amount_fen: i64,
    proposal: String,
    submitted_at: DateTime<Utc>,
    score_tenths: Option<i32>,
    title: String,
    status: TenderStatus,
    bid_deadline: DateTime<Utc>,
    awarded_bid_id: Option<Uuid>,
    contract_id: Option<Uuid>,
}

/// A page of the actor's organisation's bids, newest first (organisation staff only).
pub async fn own_bids(
    st: &AppState,
    actor: &Actor,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<OwnBid>> {
    let org = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let paging = Keyset::newest_first(limit)?;
    // The contract of an award names its tender and bid; its tender's index finds it.
    let to_contract = bid::Entity::belongs_to(contract::Entity)
        .from((bid::Column::TenderId, bid::Column::Id))
        .to((contract::Column::TenderId, contract::Column::BidId))
        .into();
    let q = bid::Entity::find()
        .select_only()
        .columns([
            bid::Column::Id,
            bid::Column::TenderId,
            bid::Column::OrganisationId,
            bid::Column::AmountFen,
            bid::Column::Proposal,
            bid::Column::SubmittedAt,
            bid::Column::ScoreTenths,
        ])
        .columns([
            tender::Column::Title,
            tender::Column::Status,
            tender::Column::BidDeadline,
            tender::Column::AwardedBidId,
        ])
        .column_as(contract::Column::Id, "contract_id")
        .join(JoinType::InnerJoin, bid::Relation::Tender.def())
        .join(JoinType::LeftJoin, to_contract)
        .filter(bid::Column::OrganisationId.eq(org));
    let rows = paging
        .after_cursor(q, bid::Column::Id, cursor)?
        .into_model::<Row>()
        .all(&st.db)
        .await?;
    let now = st.now();
    paging.into_page_by_id(rows, |r| r.id).try_map(|r| {
        let status = r.status;
        Ok(OwnBid {
            outcome: bid_outcome(r.id, status, r.bid_deadline, r.awarded_bid_id, now),
            bid: Bid {
                id: r.id,
                tender_id: r.tender_id,
                organisation_id: r.organisation_id,
                amount: Money::from_fen(r.amount_fen),
                proposal: r.proposal,
                submitted_at: r.submitted_at,
                score: r.score_tenths.map(Score::from_tenths),
            },
            tender_title: r.title,
            tender_status: status,
            bid_deadline: r.bid_deadline,
            contract_id: r.contract_id,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_bid_is_pending_then_in_review_then_decided_by_the_tenders_state() {
        let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
        let deadline = Utc.with_ymd_and_hms(2026, 3, 20, 9, 0, 0).unwrap();
        let before = deadline - chrono::Duration::seconds(1);
        let at = |status, awarded, now| bid_outcome(mine, status, deadline, awarded, now);
        use BidOutcome::*;
        use TenderStatus as S;
        assert_eq!(at(S::Published, None, before), Pending);
        assert_eq!(at(S::Published, None, deadline), InReview);
        assert_eq!(at(S::Closed, None, deadline), InReview);
        assert_eq!(at(S::Awarded, Some(mine), deadline), Won);
        assert_eq!(at(S::Awarded, Some(theirs), deadline), Lost);
        assert_eq!(at(S::Unsuccessful, None, deadline), Unsuccessful);
        assert_eq!(at(S::Cancelled, None, before), Cancelled);
        assert_eq!(at(S::Cancelled, None, deadline), Cancelled);
    }
}
