//! What a user's home page shows first: for a finance officer, what needs them today (UI.md
//! §2), counted over the officer's purchaser in one statement.

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::model::{
    contract, finding, milestone, milestone_report, organisation, payment, tender,
};
use entity::rules::vocab::{ContractStatus, FindingStatus, MilestoneStatus, TenderStatus};
use sea_orm::FromQueryResult;
use sea_orm::sea_query::{
    Cond, Condition, Expr, ExprTrait, JoinType, Order, Query, SelectStatement,
};
use serde::Serialize;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::sql::{self, col, count_all, scalar, t, word};
use crate::store::today;

/// A milestone of an active contract (`m`, `c`) with a report waiting for a decision.
fn awaiting_review() -> Condition {
    Cond::all()
        .add(col("c", contract::Column::Status).eq(word(ContractStatus::Active)))
        .add(col("m", milestone::Column::Status).eq(word(MilestoneStatus::Submitted)))
}

/// A milestone of an active contract (`m`, `c`) due before `today`, neither accepted nor
/// cancelled.
pub(crate) fn overdue(today: NaiveDate) -> Condition {
    Cond::all()
        .add(col("c", contract::Column::Status).eq(word(ContractStatus::Active)))
        .add(sql::not_among(
            (t("m"), milestone::Column::Status),
            [MilestoneStatus::Accepted, MilestoneStatus::Cancelled],
        ))
        .add(col("m", milestone::Column::DueDate).lt(today))
}

/// `FROM milestone m JOIN contract c ON c.id = m.contract_id`, selecting nothing yet.
pub(crate) fn milestones_with_contract() -> SelectStatement {
    Query::select()
        .from_as(milestone::Entity, t("m"))
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            t("c"),
            col("c", contract::Column::Id).equals((t("m"), milestone::Column::ContractId)),
        )
        .to_owned()
}

/// A milestone's columns on the home pages, with its contract's: `milestone_id`, `title`,
/// `due_date`, `amount_fen`, `status`, `contract_id`, `contract_title`.
fn milestone_items() -> SelectStatement {
    milestones_with_contract()
        .expr_as(col("m", milestone::Column::Id), t("milestone_id"))
        .column((t("m"), milestone::Column::Title))
        .column((t("m"), milestone::Column::DueDate))
        .column((t("m"), milestone::Column::AmountFen))
        .column((t("m"), milestone::Column::Status))
        .expr_as(col("c", contract::Column::Id), t("contract_id"))
        .expr_as(col("c", contract::Column::Title), t("contract_title"))
        .to_owned()
}

/// `(SELECT COUNT(*) FROM …)` of `sel` where `cond` holds.
fn count_where(mut sel: SelectStatement, cond: impl sea_orm::sea_query::IntoCondition) -> Expr {
    scalar(sel.expr(count_all()).cond_where(cond).to_owned())
}

/// The finance officer's to-do counts.
#[derive(Debug, Clone, Default, Serialize, FromQueryResult)]
pub struct OfficerTodo {
    /// Reports submitted on active contracts, waiting for a decision.
    pub reports_awaiting: i64,
    /// Milestones of active contracts due before today, neither accepted nor cancelled.
    pub overdue_milestones: i64,
    /// Tenders whose bid deadline has passed: published (to close) or closed (to award).
    pub tenders_past_deadline: i64,
    /// Active contracts ending within 30 days.
    pub contracts_ending: i64,
    /// Draft contracts (to sign or cancel).
    pub draft_contracts: i64,
    /// Findings on the purchaser's contracts waiting for an answer.
    pub open_findings: i64,
}

/// The to-do counts of the officer's purchaser.
pub async fn officer_todo(st: &AppState, actor: &Actor) -> ApiResult<OfficerTodo> {
    let purchaser = actor.purchaser_scope().ok_or(ApiError::Forbidden)?;
    let today = today(st);
    let horizon = today + Days::new(30);
    let of_purchaser = || col("c", contract::Column::PurchaserId).eq(purchaser);
    let contracts = || Query::select().from_as(contract::Entity, t("c")).to_owned();
    let tenders = Query::select().from_as(tender::Entity, t("t")).to_owned();
    let findings = Query::select().from_as(finding::Entity, t("f")).to_owned();
    let sel = Query::select()
        .expr_as(
            count_where(
                milestones_with_contract(),
                Cond::all().add(of_purchaser()).add(awaiting_review()),
            ),
            t("reports_awaiting"),
        )
        .expr_as(
            count_where(
                milestones_with_contract(),
                Cond::all().add(of_purchaser()).add(overdue(today)),
            ),
            t("overdue_milestones"),
        )
        .expr_as(
            count_where(
                tenders,
                Cond::all()
                    .add(col("t", tender::Column::PurchaserId).eq(purchaser))
                    .add(past_deadline(st.now())),
            ),
            t("tenders_past_deadline"),
        )
        .expr_as(
            count_where(
                contracts(),
                Cond::all()
                    .add(of_purchaser())
                    .add(col("c", contract::Column::Status).eq(word(ContractStatus::Active)))
                    .add(col("c", contract::Column::EndDate).gte(today))
                    .add(col("c", contract::Column::EndDate).lte(horizon)),
            ),
            t("contracts_ending"),
        )
        .expr_as(
            count_where(
                contracts(),
                Cond::all()
                    .add(of_purchaser())
                    .add(col("c", contract::Column::Status).eq(word(ContractStatus::Draft))),
            ),
            t("draft_contracts"),
        )
        .expr_as(
            count_where(
                findings,
                Cond::all()
                    .add(col("f", finding::Column::PurchaserId).eq(purchaser))
                    .add(col("f", finding::Column::Status).eq(word(FindingStatus::Open))),
            ),
            t("open_findings"),
        )
        .to_owned();
    sql::one(&st.db, &sel)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the to-do counts")))
}

/// A tender (`t`) whose bid deadline has passed at `now`: published (to close) or closed (to
/// award).
fn past_deadline(now: DateTime<Utc>) -> Condition {
    let status = || col("t", tender::Column::Status);
    Cond::any()
        .add(
            Cond::all()
                .add(status().eq(word(TenderStatus::Published)))
                .add(col("t", tender::Column::BidDeadline).lt(now)),
        )
        .add(status().eq(word(TenderStatus::Closed)))
}

/// The officer's two lists of milestones (UI.md §2 "Reports to review").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worklist {
    /// Reports waiting for a decision.
    Review,
    /// Milestones overdue.
    Overdue,
}

/// One milestone of a worklist, with its contract and organisation.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct WorkItem {
    pub milestone_id: uuid::Uuid,
    pub title: String,
    pub due_date: chrono::NaiveDate,
    pub amount_fen: i64,
    pub status: entity::rules::vocab::MilestoneStatus,
    pub contract_id: uuid::Uuid,
    pub contract_title: String,
    pub organisation: String,
}

/// The most a worklist shows at once.
pub const WORKLIST_LIMIT: u64 = 200;

/// The milestones of a worklist of the officer's purchaser, by due date (one statement, the
/// same conditions as the counts of [`officer_todo`]).
pub async fn worklist(st: &AppState, actor: &Actor, list: Worklist) -> ApiResult<Vec<WorkItem>> {
    let purchaser = actor.purchaser_scope().ok_or(ApiError::Forbidden)?;
    let condition = match list {
        Worklist::Review => awaiting_review(),
        Worklist::Overdue => overdue(today(st)),
    };
    let sel = milestone_items()
        .expr_as(col("o", organisation::Column::Name), t("organisation"))
        .join_as(
            JoinType::InnerJoin,
            organisation::Entity,
            t("o"),
            col("o", organisation::Column::Id).equals((t("c"), contract::Column::OrganisationId)),
        )
        .cond_where(
            Cond::all()
                .add(col("c", contract::Column::PurchaserId).eq(purchaser))
                .add(condition),
        )
        .order_by((t("m"), milestone::Column::DueDate), Order::Asc)
        .order_by((t("m"), milestone::Column::Id), Order::Asc)
        .limit(WORKLIST_LIMIT)
        .to_owned();
    sql::all(&st.db, &sel).await
}

/// A milestone on the organisation's home: due within [`ORG_HORIZON_DAYS`] or overdue, or
/// rejected and waiting to be reported again (with the officer's comment).
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct OrgMilestone {
    pub milestone_id: uuid::Uuid,
    pub title: String,
    pub due_date: chrono::NaiveDate,
    pub amount_fen: i64,
    pub status: entity::rules::vocab::MilestoneStatus,
    pub contract_id: uuid::Uuid,
    pub contract_title: String,
    pub contract_status: entity::rules::vocab::ContractStatus,
    /// The comment of the decision on the latest report (a rejected milestone's reason).
    pub review_comment: Option<String>,
}

/// A payment the organisation received.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct PaymentReceived {
    pub amount_fen: i64,
    pub paid_on: chrono::NaiveDate,
    pub voucher_no: String,
    pub contract_id: uuid::Uuid,
    pub contract_title: String,
    pub milestone_title: Option<String>,
}

/// How far ahead the organisation's home looks for milestones due.
pub const ORG_HORIZON_DAYS: u64 = 30;
/// The most milestones the organisation's home lists.
pub const ORG_MILESTONES: u64 = 50;
/// How many recent payments the organisation's home lists.
pub const ORG_PAYMENTS: u64 = 5;

/// The organisation's milestones on active contracts that ask something of it: planned and due
/// within [`ORG_HORIZON_DAYS`] or overdue, submitted (waiting for the officer), rejected (to
/// report again, with the comment), by due date (one statement).
pub async fn organisation_milestones(st: &AppState, actor: &Actor) -> ApiResult<Vec<OrgMilestone>> {
    let org = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let horizon = today(st) + Days::new(ORG_HORIZON_DAYS);
    let m_status = || col("m", milestone::Column::Status);
    let latest_comment = Query::select()
        .column((t("r"), milestone_report::Column::ReviewComment))
        .from_as(milestone_report::Entity, t("r"))
        .and_where(
            col("r", milestone_report::Column::MilestoneId).equals((t("m"), milestone::Column::Id)),
        )
        .order_by((t("r"), milestone_report::Column::SubmittedAt), Order::Desc)
        .limit(1)
        .to_owned();
    let sel = milestone_items()
        .expr_as(col("c", contract::Column::Status), t("contract_status"))
        .expr_as(
            Expr::case(
                m_status().eq(word(MilestoneStatus::Rejected)),
                scalar(latest_comment),
            ),
            t("review_comment"),
        )
        .cond_where(
            Cond::all()
                .add(col("c", contract::Column::OrganisationId).eq(org))
                .add(col("c", contract::Column::Status).eq(word(ContractStatus::Active)))
                .add(
                    Cond::any()
                        .add(sql::among(
                            (t("m"), milestone::Column::Status),
                            [MilestoneStatus::Submitted, MilestoneStatus::Rejected],
                        ))
                        .add(
                            Cond::all()
                                .add(m_status().eq(word(MilestoneStatus::Planned)))
                                .add(col("m", milestone::Column::DueDate).lte(horizon)),
                        ),
                ),
        )
        .order_by((t("m"), milestone::Column::DueDate), Order::Asc)
        .order_by((t("m"), milestone::Column::Id), Order::Asc)
        .limit(ORG_MILESTONES)
        .to_owned();
    sql::all(&st.db, &sel).await
}

/// The latest payments on the organisation's contracts, newest first (one statement).
pub async fn payments_received(st: &AppState, actor: &Actor) -> ApiResult<Vec<PaymentReceived>> {
    let org = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let sel = Query::select()
        .column((t("p"), payment::Column::AmountFen))
        .column((t("p"), payment::Column::PaidOn))
        .column((t("p"), payment::Column::VoucherNo))
        .expr_as(col("c", contract::Column::Id), t("contract_id"))
        .expr_as(col("c", contract::Column::Title), t("contract_title"))
        .expr_as(col("m", milestone::Column::Title), t("milestone_title"))
        .from_as(payment::Entity, t("p"))
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            t("c"),
            col("c", contract::Column::Id).equals((t("p"), payment::Column::ContractId)),
        )
        .join_as(
            JoinType::LeftJoin,
            milestone::Entity,
            t("m"),
            col("m", milestone::Column::Id).equals((t("p"), payment::Column::MilestoneId)),
        )
        .and_where(col("c", contract::Column::OrganisationId).eq(org))
        .order_by((t("p"), payment::Column::PaidOn), Order::Desc)
        .order_by((t("p"), payment::Column::Id), Order::Desc)
        .limit(ORG_PAYMENTS)
        .to_owned();
    sql::all(&st.db, &sel).await
}
