//! Writing the notices: each in the transaction of the transition it announces, from the rows as
//! they stand after the change.

use chrono::{DateTime, Utc};
use entity::Money;
use entity::model::{amendment, contract, notice, organisation, purchaser, tender};
pub use entity::rules::vocab::NoticeKind;
use entity::rules::vocab::ServiceCategory;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::{Details, Outcome, Supplier};
use crate::error::{ApiError, ApiResult};

/// What a notice's row holds besides its content.
struct Head {
    kind: NoticeKind,
    process_id: Uuid,
    tender_id: Option<Uuid>,
    contract_id: Option<Uuid>,
    purchaser_id: Uuid,
    division_code: String,
    service_category: ServiceCategory,
    title: String,
}

async fn write(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    h: Head,
    details: &Details,
) -> ApiResult<()> {
    let body = serde_json::to_string(details).map_err(ApiError::internal)?;
    notice::Entity::insert(notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(h.kind),
        at: Set(now),
        process_id: Set(h.process_id),
        tender_id: Set(h.tender_id),
        contract_id: Set(h.contract_id),
        purchaser_id: Set(h.purchaser_id),
        division_code: Set(h.division_code),
        service_category: Set(h.service_category),
        title: Set(h.title),
        body: Set(body),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn tender_row(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<tender::Model> {
    tender::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("notice of a missing tender {id}")))
}

async fn contract_row(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<contract::Model> {
    contract::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("notice of a missing contract {id}")))
}

async fn purchaser_name(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<String> {
    Ok(purchaser::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|p| p.name)
        .unwrap_or_default())
}

pub(super) async fn supplier(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Supplier>> {
    Ok(organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|o| Supplier {
            name: o.name,
            credit_code: o.credit_code,
        }))
}

fn tender_head(kind: NoticeKind, t: &tender::Model, contract_id: Option<Uuid>) -> Head {
    Head {
        kind,
        process_id: t.id,
        tender_id: Some(t.id),
        contract_id,
        purchaser_id: t.purchaser_id,
        division_code: t.division_code.clone(),
        service_category: t.service_category,
        title: t.title.clone(),
    }
}

fn contract_head(kind: NoticeKind, c: &contract::Model) -> Head {
    Head {
        kind,
        process_id: c.tender_id.unwrap_or(c.id),
        tender_id: c.tender_id,
        contract_id: Some(c.id),
        purchaser_id: c.purchaser_id,
        division_code: c.division_code.clone(),
        service_category: c.service_category,
        title: c.title.clone(),
    }
}

/// `tender_published`, in the transaction that publishes the tender.
pub async fn tender_published(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    tender_id: Uuid,
) -> ApiResult<()> {
    let t = tender_row(db, tender_id).await?;
    let details = Details {
        purchaser: purchaser_name(db, t.purchaser_id).await?,
        description: Some(t.description.clone()),
        method: Some(t.method),
        ceiling_amount: Some(Money::from_fen(t.ceiling_fen)),
        bid_deadline: Some(t.bid_deadline),
        start_date: Some(t.service_start),
        end_date: Some(t.service_end),
        ..Details::default()
    };
    write(
        db,
        now,
        tender_head(NoticeKind::TenderPublished, &t, None),
        &details,
    )
    .await
}

/// `tender_result`, in the transaction that awards the tender (with the new contract),
/// marks it unsuccessful or cancels it, or cancels its award's draft contract. A tender
/// cancelled while still a draft was never announced: it gets no notice.
pub async fn tender_result(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    tender_id: Uuid,
    outcome: Outcome,
    contract_id: Option<Uuid>,
) -> ApiResult<()> {
    let t = tender_row(db, tender_id).await?;
    if t.published_at.is_none() {
        return Ok(());
    }
    let mut details = Details {
        purchaser: purchaser_name(db, t.purchaser_id).await?,
        method: Some(t.method),
        outcome: Some(outcome),
        ..Details::default()
    };
    match contract_id {
        Some(cid) => {
            let c = contract_row(db, cid).await?;
            details.supplier = supplier(db, c.organisation_id).await?;
            details.amount = Some(Money::from_fen(c.value_fen));
            details.start_date = Some(c.start_date);
            details.end_date = Some(c.end_date);
            if outcome == Outcome::AwardWithdrawn {
                details.reason = c.status_reason.clone();
            }
        }
        None => details.reason = t.status_reason.clone(),
    }
    write(
        db,
        now,
        tender_head(NoticeKind::TenderResult, &t, contract_id),
        &details,
    )
    .await
}

/// A contract's details with its purchaser's name and its supplier, as every contract notice
/// starts them.
async fn contract_notice_details(
    db: &impl ConnectionTrait,
    c: &contract::Model,
) -> ApiResult<Details> {
    Ok(contract_details(
        c,
        purchaser_name(db, c.purchaser_id).await?,
        supplier(db, c.organisation_id).await?,
    ))
}

fn contract_details(c: &contract::Model, purchaser: String, who: Option<Supplier>) -> Details {
    Details {
        purchaser,
        supplier: who,
        amount: Some(Money::from_fen(c.value_fen)),
        start_date: Some(c.start_date),
        end_date: Some(c.end_date),
        ..Details::default()
    }
}

/// `contract_signed`, in the transaction that signs the contract.
pub async fn contract_signed(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    contract_id: Uuid,
) -> ApiResult<()> {
    let c = contract_row(db, contract_id).await?;
    let mut details = contract_notice_details(db, &c).await?;
    details.direct_award_reason = c.direct_award_reason.clone();
    write(
        db,
        now,
        contract_head(NoticeKind::ContractSigned, &c),
        &details,
    )
    .await
}

/// `contract_amended`, in the transaction that records the amendment.
pub async fn contract_amended(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    contract_id: Uuid,
    amendment_id: Uuid,
) -> ApiResult<()> {
    let c = contract_row(db, contract_id).await?;
    let a = amendment::Entity::find_by_id(amendment_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("missing amendment {amendment_id}")))?;
    let mut details = contract_notice_details(db, &c).await?;
    details.amount = Some(Money::from_fen(a.new_value_fen));
    details.end_date = Some(a.new_end_date);
    details.previous_amount = Some(Money::from_fen(a.old_value_fen));
    details.previous_end_date = Some(a.old_end_date);
    details.reason = Some(a.reason);
    write(
        db,
        now,
        contract_head(NoticeKind::ContractAmended, &c),
        &details,
    )
    .await
}

/// `contract_terminated`, in the transaction that terminates the contract.
pub async fn contract_terminated(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    contract_id: Uuid,
) -> ApiResult<()> {
    let c = contract_row(db, contract_id).await?;
    let mut details = contract_notice_details(db, &c).await?;
    details.reason = c.status_reason.clone();
    write(
        db,
        now,
        contract_head(NoticeKind::ContractTerminated, &c),
        &details,
    )
    .await
}
