//! The export's reads: a keyset page of tenders or of direct awards, then one set-based
//! query per related table for the whole page (contracts, unsealed bids, milestones,
//! payments, amendments, organisations, purchasers), so a page costs the same few queries
//! however many releases it holds. Post assignments (workers' personal data) are never read.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::model::{
    amendment, bid, contract, milestone, organisation, payment, purchaser, tender,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::build::group;

/// Which records an export covers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    /// Only this purchaser's tenders and contracts (a finance officer's export).
    pub purchaser: Option<Uuid>,
    /// Only processes with a change at or after this instant.
    pub since: Option<DateTime<Utc>>,
}

/// Everything the releases of one page need besides the page's own rows.
#[derive(Default)]
pub struct Batch {
    /// Contracts by tender (tender pages only), oldest first.
    pub by_tender: HashMap<Uuid, Vec<contract::Model>>,
    /// Bids by tender, only of tenders whose deadline has passed.
    pub bids: HashMap<Uuid, Vec<bid::Model>>,
    /// By contract, by due date.
    pub milestones: HashMap<Uuid, Vec<milestone::Model>>,
    /// By contract, by payment date.
    pub payments: HashMap<Uuid, Vec<payment::Model>>,
    /// By contract, oldest first.
    pub amendments: HashMap<Uuid, Vec<amendment::Model>>,
    pub organisations: HashMap<Uuid, organisation::Model>,
    pub purchasers: HashMap<Uuid, purchaser::Model>,
    /// The register's names of the page's division codes.
    pub divisions: HashMap<String, String>,
}

impl Batch {
    /// The contracts a tender's awards created.
    pub fn contracts_of(&self, tender: Uuid) -> &[contract::Model] {
        self.by_tender
            .get(&tender)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The next page of tenders after `after`, by id.
pub async fn tenders(
    db: &impl ConnectionTrait,
    scope: Scope,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<tender::Model>, DbErr> {
    let mut q = tender::Entity::find()
        .apply_if(after, |q, a| q.filter(tender::Column::Id.gt(a)))
        .apply_if(scope.purchaser, |q, p| {
            q.filter(tender::Column::PurchaserId.eq(p))
        });
    if let Some(since) = scope.since {
        let contract_changed = Query::select()
            .expr(Expr::val(1))
            .from(contract::Entity)
            .and_where(
                Expr::col((contract::Entity, contract::Column::TenderId))
                    .equals((tender::Entity, tender::Column::Id)),
            )
            .cond_where(contract_changed_since(since))
            .take();
        q = q.filter(
            Condition::any()
                .add(tender::Column::UpdatedAt.gte(since))
                .add(Expr::exists(contract_changed)),
        );
    }
    q.order_by_asc(tender::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The next page of direct awards (contracts without a tender) after `after`, by id.
pub async fn direct_contracts(
    db: &impl ConnectionTrait,
    scope: Scope,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<contract::Model>, DbErr> {
    let q = contract::Entity::find()
        .filter(contract::Column::TenderId.is_null())
        .apply_if(after, |q, a| q.filter(contract::Column::Id.gt(a)))
        .apply_if(scope.purchaser, |q, p| {
            q.filter(contract::Column::PurchaserId.eq(p))
        })
        .apply_if(scope.since, |q, since| {
            q.filter(contract_changed_since(since))
        });
    q.order_by_asc(contract::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// A contract (the `contract` row of the enclosing query) changed, had a milestone change
/// or a payment recorded at or after `since`. Amendments and transitions touch the contract.
fn contract_changed_since(since: DateTime<Utc>) -> Condition {
    let milestone_changed = Query::select()
        .expr(Expr::val(1))
        .from(milestone::Entity)
        .and_where(
            Expr::col((milestone::Entity, milestone::Column::ContractId))
                .equals((contract::Entity, contract::Column::Id)),
        )
        .and_where(Expr::col((milestone::Entity, milestone::Column::UpdatedAt)).gte(since))
        .take();
    let paid = Query::select()
        .expr(Expr::val(1))
        .from(payment::Entity)
        .and_where(
            Expr::col((payment::Entity, payment::Column::ContractId))
                .equals((contract::Entity, contract::Column::Id)),
        )
        .and_where(Expr::col((payment::Entity, payment::Column::CreatedAt)).gte(since))
        .take();
    Condition::any()
        .add(Expr::col((contract::Entity, contract::Column::UpdatedAt)).gte(since))
        .add(Expr::exists(milestone_changed))
        .add(Expr::exists(paid))
}

/// What a page of tenders needs: their contracts, the bids of those past their deadline
/// (`now`), and what [`for_contracts`] reads.
pub async fn for_tenders(
    db: &impl ConnectionTrait,
    tenders: &[tender::Model],
    now: DateTime<Utc>,
) -> Result<Batch, DbErr> {
    let ids: Vec<Uuid> = tenders.iter().map(|t| t.id).collect();
    let unsealed: Vec<Uuid> = tenders
        .iter()
        .filter(|t| now >= t.bid_deadline)
        .map(|t| t.id)
        .collect();
    let mut contracts = if ids.is_empty() {
        Vec::new()
    } else {
        contract::Entity::find()
            .filter(contract::Column::TenderId.is_in(ids))
            .all(db)
            .await?
    };
    contracts.sort_by_key(|c| (c.created_at, c.id));
    let mut bids = if unsealed.is_empty() {
        Vec::new()
    } else {
        bid::Entity::find()
            .filter(bid::Column::TenderId.is_in(unsealed))
            .all(db)
            .await?
    };
    bids.sort_by_key(|b| (b.submitted_at, b.id));
    let purchasers = tenders.iter().map(|t| t.purchaser_id);
    let organisations = bids.iter().map(|b| b.organisation_id);
    let mut batch = for_contracts(db, &contracts, purchasers, organisations).await?;
    let codes: Vec<String> = tenders.iter().map(|t| t.division_code.clone()).collect();
    batch.divisions = crate::services::divisions::names(db, &codes).await?;
    batch.bids = group(bids, |b| b.tender_id);
    batch.by_tender = group(contracts, |c| c.tender_id.unwrap_or_default());
    Ok(batch)
}

/// What releases showing `contracts` need: their milestones, payments and amendments, and
/// the parties (with `purchasers` and `organisations` the caller adds).
pub async fn for_contracts(
    db: &impl ConnectionTrait,
    contracts: &[contract::Model],
    purchasers: impl Iterator<Item = Uuid>,
    organisations: impl Iterator<Item = Uuid>,
) -> Result<Batch, DbErr> {
    let ids: Vec<Uuid> = contracts.iter().map(|c| c.id).collect();
    let purchaser_ids: HashSet<Uuid> = purchasers
        .chain(contracts.iter().map(|c| c.purchaser_id))
        .collect();
    let organisation_ids: HashSet<Uuid> = organisations
        .chain(contracts.iter().map(|c| c.organisation_id))
        .collect();
    let mut batch = Batch::default();
    let codes: Vec<String> = contracts.iter().map(|c| c.division_code.clone()).collect();
    batch.divisions = crate::services::divisions::names(db, &codes).await?;
    if !ids.is_empty() {
        let mut ms = milestone::Entity::find()
            .filter(milestone::Column::ContractId.is_in(ids.clone()))
            .all(db)
            .await?;
        ms.sort_by_key(|m| (m.due_date, m.id));
        batch.milestones = group(ms, |m| m.contract_id);
        let mut ps = payment::Entity::find()
            .filter(payment::Column::ContractId.is_in(ids.clone()))
            .all(db)
            .await?;
        ps.sort_by_key(|p| (p.paid_on, p.id));
        batch.payments = group(ps, |p| p.contract_id);
        let mut am = amendment::Entity::find()
            .filter(amendment::Column::ContractId.is_in(ids))
            .all(db)
            .await?;
        am.sort_by_key(|a| (a.created_at, a.id));
        batch.amendments = group(am, |a| a.contract_id);
    }
    if !organisation_ids.is_empty() {
        batch.organisations = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(organisation_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    }
    if !purchaser_ids.is_empty() {
        batch.purchasers = purchaser::Entity::find()
            .filter(purchaser::Column::Id.is_in(purchaser_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    }
    Ok(batch)
}
