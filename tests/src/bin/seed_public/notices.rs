//! `huimin-seed --notices`: the procurement notices the seeded transitions would have written
//! (SPEC §8) — a `tender_published` for every tender but the drafts, a `tender_result` for
//! every awarded one, a `contract_signed` for every signed contract and a
//! `contract_terminated` for every terminated one — so that the public pages, feed and open
//! data have the data set's processes to show.

use backend::services::public::notices::{Details, NoticeKind, Outcome, Supplier};
use chrono::{DateTime, Days, Utc};
use entity::Money;
use entity::model::notice;
use entity::rules::vocab::{ContractStatus, ServiceCategory, TenderMethod, TenderStatus};
use sea_orm::Set;
use uuid::Uuid;

/// What a notice of a seeded row needs to know about it.
pub struct Seen {
    pub kind: NoticeKind,
    pub at: DateTime<Utc>,
    pub process: Uuid,
    pub tender: Option<Uuid>,
    pub contract: Option<Uuid>,
    pub purchaser: Uuid,
    pub division: String,
    pub category: ServiceCategory,
    pub title: String,
    pub details: Details,
}

/// The notice row of `s`.
pub fn row(s: Seen) -> notice::ActiveModel {
    notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(s.kind),
        at: Set(s.at),
        process_id: Set(s.process),
        tender_id: Set(s.tender),
        contract_id: Set(s.contract),
        purchaser_id: Set(s.purchaser),
        division_code: Set(s.division),
        service_category: Set(s.category),
        title: Set(s.title),
        body: Set(serde_json::to_string(&s.details).unwrap_or_default()),
    }
}

/// The details of a tender's publication.
pub fn published(
    purchaser: String,
    method: TenderMethod,
    ceiling_fen: i64,
    deadline: DateTime<Utc>,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Details {
    Details {
        purchaser,
        description: Some("基准测试：政府购买社会工作服务项目。".into()),
        method: Some(method),
        ceiling_amount: Some(Money::from_fen(ceiling_fen)),
        bid_deadline: Some(deadline),
        start_date: Some(start),
        end_date: Some(end),
        ..Details::default()
    }
}

/// The details of an award, a signature or a termination of a contract.
pub fn of_contract(
    purchaser: String,
    supplier: Supplier,
    value_fen: i64,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Details {
    Details {
        purchaser,
        supplier: Some(supplier),
        amount: Some(Money::from_fen(value_fen)),
        start_date: Some(start),
        end_date: Some(end),
        ..Details::default()
    }
}

/// Whether a tender of this status was announced.
pub fn announced(s: TenderStatus) -> bool {
    s != TenderStatus::Draft
}

/// The kinds a contract of this status was announced with, and when (a week before its
/// service starts, as the seed signs it; terminated on its end date at the latest today).
pub fn contract_kinds(
    s: ContractStatus,
    start: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Vec<(NoticeKind, DateTime<Utc>)> {
    let signed = start
        .checked_sub_days(Days::new(7))
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .map_or(now, |t| t.and_utc());
    match s {
        ContractStatus::Draft | ContractStatus::Cancelled => Vec::new(),
        ContractStatus::Terminated => vec![
            (NoticeKind::ContractSigned, signed),
            (
                NoticeKind::ContractTerminated,
                now.min(signed + chrono::Duration::days(60)),
            ),
        ],
        _ => vec![(NoticeKind::ContractSigned, signed)],
    }
}

/// The outcome of an awarded tender.
pub const AWARDED: Outcome = Outcome::Awarded;
