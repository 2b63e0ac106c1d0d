//! Procurement notices (SPEC §8): `tender_published`, `tender_result`, `contract_signed`,
//! `contract_amended`, `contract_terminated`. Each is written by the transition it announces,
//! inside that transition's transaction (a refused transition writes none), from the rows as
//! they stand after the change; its content is kept as published (JSON in `notice.body`) and
//! never rewritten — the database refuses any change — so a later edit of the tender or the
//! contract never alters what was announced. Only what a notice must say is copied into it:
//! never a bid other than the winning one, a worker, or anyone's personal data.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::notice;
use entity::rules::codes::is_valid_division_code;
pub use entity::rules::vocab::NoticeKind;
use entity::rules::vocab::{ServiceCategory, TenderMethod};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, codes};
use crate::pagination::Page;
use crate::services::divisions;
use crate::store::page::Keyset;

mod announce;

pub use announce::{
    contract_amended, contract_signed, contract_terminated, tender_published, tender_result,
};

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
    let paging = Keyset::ordered(f.limit, order == Order::Newest)?;
    if let Some(d) = &f.division {
        check_division("division", d)?;
    }
    let q = notice::Entity::find()
        .apply_if(f.kind, |q, k| q.filter(notice::Column::Kind.eq(k)))
        .apply_if(f.division.as_deref(), |q, d| {
            q.filter(within(notice::Column::DivisionCode, d))
        })
        .apply_if(f.since, |q, since| q.filter(notice::Column::At.gte(since)));
    let q = paging.after_cursor(q, notice::Column::Id, f.cursor.as_deref())?;
    let found = paging.into_page_by_id(q.all(db).await?, |n| n.id);
    Ok(Page {
        items: show_all(db, found.items).await?,
        next_cursor: found.next_cursor,
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
