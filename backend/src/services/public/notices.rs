//! Procurement notices (SPEC §8): `tender_published`, `tender_result`, `contract_signed`,
//! `contract_amended`, `contract_terminated`. Each is written by the transition it announces,
//! inside that transition's transaction (a refused transition writes none), from the rows as
//! they stand after the change; its content is kept as published (JSON in `notice.body`) and
//! never rewritten — the database refuses any change — so a later edit of the tender or the
//! contract never alters what was announced. Only what a notice must say is copied into it:
//! never a bid other than the winning one, a worker, or anyone's personal data.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{amendment, contract, notice, organisation, purchaser, tender};
use entity::rules::codes::is_valid_division_code;
use entity::rules::counts::to_usize;
pub use entity::rules::vocab::NoticeKind;
use entity::rules::vocab::{ServiceCategory, TenderMethod};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, codes};
use crate::pagination::{Page, check_limit, decode, encode};
use crate::services::divisions;

/// How a tender ended, in its `tender_result` notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A bid was awarded: the winner, its amount.
    Awarded,
    /// Too few or no acceptable bids.
    Unsuccessful,
    /// The purchaser cancelled the tender after publishing it.
    Cancelled,
    /// The award's draft contract was cancelled: the tender is open for a new award (a
    /// correction of the earlier result).
    AwardWithdrawn,
}

impl Outcome {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Awarded => "awarded",
            Outcome::Unsuccessful => "unsuccessful",
            Outcome::Cancelled => "cancelled",
            Outcome::AwardWithdrawn => "award_withdrawn",
        }
    }
}

/// A supplier as a notice names it: a social organisation, public by its registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Supplier {
    pub name: String,
    /// The unified social credit code (GB 32100-2015).
    pub credit_code: String,
}

/// What a notice says besides its title, division and category: the fields of its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Details {
    /// The purchasing unit's name.
    pub purchaser: String,
    /// `tender_published`: what is bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `tender_published`, `tender_result`: the procurement method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<TenderMethod>,
    /// `tender_published`: the ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling_amount: Option<Money>,
    /// `tender_published`: when bids close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bid_deadline: Option<DateTime<Utc>>,
    /// `tender_result`: how the tender ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Why (a cancellation, an unsuccessful tender, a withdrawn award, a termination, an
    /// amendment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The winner (`tender_result` awarded), the contractor (contract notices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Supplier>,
    /// The awarded amount, the contract's value (its new value when amended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// `contract_amended`: the value before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_amount: Option<Money>,
    /// The service period (a tender's, a contract's; its new end when amended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// `contract_amended`: the end date before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_end_date: Option<NaiveDate>,
    /// `contract_signed` of a direct award: why there was no tender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_award_reason: Option<String>,
}

/// A notice as the public API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Notice {
    pub id: Uuid,
    pub kind: NoticeKind,
    /// When the transition it announces happened.
    pub published_at: DateTime<Utc>,
    pub title: String,
    pub service_category: ServiceCategory,
    pub division_code: String,
    /// The division's name in the register (read when the notice is read).
    pub division_name: Option<String>,
    /// The tender of the process (none for a direct award).
    pub tender_id: Option<Uuid>,
    /// The contract, for results and contract notices.
    pub contract_id: Option<Uuid>,
    pub details: Details,
}

/// Filters of `GET /public/notices`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticeFilter {
    /// One kind of notice.
    pub kind: Option<NoticeKind>,
    /// A division code: notices for it and for the divisions below it.
    #[param(value_type = Option<crate::fields::DivisionCode>)]
    pub division: Option<String>,
    /// Only notices published at or after this instant (RFC 3339; `+` written `%2B`).
    pub since: Option<DateTime<Utc>>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

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

async fn supplier(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Supplier>> {
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

/// A stored notice as the API shows it (`names`: the division register's names).
fn shown(m: notice::Model, names: &std::collections::HashMap<String, String>) -> ApiResult<Notice> {
    Ok(Notice {
        kind: m.kind,
        service_category: m.service_category,
        details: serde_json::from_str(&m.body).map_err(ApiError::internal)?,
        division_name: names.get(&m.division_code).cloned(),
        id: m.id,
        published_at: m.at,
        title: m.title,
        division_code: m.division_code,
        tender_id: m.tender_id,
        contract_id: m.contract_id,
    })
}

/// The notices in `rows`, with their divisions' names read in one statement.
pub async fn show_all(
    db: &impl ConnectionTrait,
    rows: Vec<notice::Model>,
) -> ApiResult<Vec<Notice>> {
    let codes: Vec<String> = rows.iter().map(|n| n.division_code.clone()).collect();
    let names = divisions::names(db, &codes).await?;
    rows.into_iter().map(|m| shown(m, &names)).collect()
}

/// The codes `division` and below, as a range of the code column (every code is digits, at
/// most 12 long): an index range, unlike `LIKE`.
pub fn within<C: ColumnTrait>(col: C, division: &str) -> Condition {
    Condition::all()
        .add(col.gte(division))
        .add(col.lte(format!("{division}999999")))
}

/// Checks a `division` filter: a 6-, 9- or 12-digit code (else 422).
pub fn check_division(field: &str, code: &str) -> ApiResult<()> {
    if is_valid_division_code(code) {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            codes::DIVISION_INVALID,
            "must be a division code of 6, 9 or 12 digits",
        ))
    }
}

/// Which way a list runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// In the order they happened (the API, the open-data consumer following `next_cursor`).
    Oldest,
    /// Latest first (the public page, the feed).
    Newest,
}

/// A page of notices matching `f`.
pub async fn list(
    db: &impl ConnectionTrait,
    f: &NoticeFilter,
    order: Order,
) -> ApiResult<Page<Notice>> {
    let limit = check_limit(f.limit)?;
    let mut q = notice::Entity::find();
    if let Some(k) = f.kind {
        q = q.filter(notice::Column::Kind.eq(k));
    }
    if let Some(d) = &f.division {
        check_division("division", d)?;
        q = q.filter(within(notice::Column::DivisionCode, d));
    }
    if let Some(since) = f.since {
        q = q.filter(notice::Column::At.gte(since));
    }
    if let Some(c) = &f.cursor {
        let after = decode(c)?;
        q = q.filter(match order {
            Order::Oldest => notice::Column::Id.gt(after),
            Order::Newest => notice::Column::Id.lt(after),
        });
    }
    q = match order {
        Order::Oldest => q.order_by_asc(notice::Column::Id),
        Order::Newest => q.order_by_desc(notice::Column::Id),
    };
    let mut rows = q.limit(limit + 1).all(db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(to_usize(limit));
        rows.last().map(|n| encode(n.id))
    } else {
        None
    };
    Ok(Page {
        items: show_all(db, rows).await?,
        next_cursor,
    })
}

/// One notice (404 when there is none).
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Notice> {
    let m = notice::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    show_all(db, vec![m]).await?.pop().ok_or(ApiError::NotFound)
}

/// Every notice of the given processes, oldest first (the public OCDS export).
pub async fn of_processes(
    db: &impl ConnectionTrait,
    processes: &[Uuid],
) -> ApiResult<Vec<notice::Model>> {
    if processes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(notice::Entity::find()
        .filter(notice::Column::ProcessId.is_in(processes.to_vec()))
        .order_by_asc(notice::Column::Id)
        .all(db)
        .await?)
}
