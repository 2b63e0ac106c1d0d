//! What a user's home page shows first: for a finance officer, what needs them today (UI.md
//! §2), counted over the officer's purchaser in one statement.

use chrono::Days;
use entity::queries::numbered;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde::Serialize;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::today;

/// A milestone of an active contract (`m`, `c`) with a report waiting for a decision.
const AWAITING_REVIEW: &str = "c.status = 'active' AND m.status = 'submitted'";
/// A milestone of an active contract due before `$2` (today), neither accepted nor cancelled.
pub(crate) const OVERDUE: &str = "c.status = 'active' AND m.status NOT IN ('accepted', 'cancelled') \
                       AND m.due_date < $2";

/// The finance officer's to-do counts.
#[derive(Debug, Clone, Default, Serialize)]
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
    let sql = format!(
        "SELECT \
        (SELECT COUNT(*) FROM milestone m JOIN contract c ON c.id = m.contract_id \
          WHERE c.purchaser_id = $1 AND {AWAITING_REVIEW}) AS reports_awaiting, \
        (SELECT COUNT(*) FROM milestone m JOIN contract c ON c.id = m.contract_id \
          WHERE c.purchaser_id = $1 AND {OVERDUE}) AS overdue_milestones, \
        (SELECT COUNT(*) FROM tender t WHERE t.purchaser_id = $1 \
          AND ((t.status = 'published' AND t.bid_deadline < $3) OR t.status = 'closed')) AS tenders_past_deadline, \
        (SELECT COUNT(*) FROM contract c WHERE c.purchaser_id = $1 AND c.status = 'active' \
          AND c.end_date >= $2 AND c.end_date <= $4) AS contracts_ending, \
        (SELECT COUNT(*) FROM contract c WHERE c.purchaser_id = $1 AND c.status = 'draft') AS draft_contracts, \
        (SELECT COUNT(*) FROM finding f WHERE f.purchaser_id = $1 AND f.status = 'open') AS open_findings"
    );
    let b = st.db.get_database_backend();
    let row = st
        .db
        .query_one_raw(Statement::from_sql_and_values(
            b,
            numbered(b, &sql),
            [
                purchaser.into(),
                today.into(),
                st.now().into(),
                horizon.into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no row from the to-do counts")))?;
    let n = |c: &str| row.try_get::<i64>("", c);
    Ok(OfficerTodo {
        reports_awaiting: n("reports_awaiting")?,
        overdue_milestones: n("overdue_milestones")?,
        tenders_past_deadline: n("tenders_past_deadline")?,
        contracts_ending: n("contracts_ending")?,
        draft_contracts: n("draft_contracts")?,
        open_findings: n("open_findings")?,
    })
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
    // PostgreSQL refuses a parameter its statement does not use: today only where needed.
    let (condition, values): (_, Vec<sea_orm::Value>) = match list {
        Worklist::Review => (AWAITING_REVIEW, vec![purchaser.into()]),
        Worklist::Overdue => (OVERDUE, vec![purchaser.into(), today(st).into()]),
    };
    let sql = format!(
        "SELECT m.id AS milestone_id, m.title, m.due_date, m.amount_fen, m.status, \
         c.id AS contract_id, c.title AS contract_title, o.name AS organisation \
         FROM milestone m JOIN contract c ON c.id = m.contract_id \
         JOIN organisation o ON o.id = c.organisation_id \
         WHERE c.purchaser_id = $1 AND {condition} \
         ORDER BY m.due_date, m.id LIMIT {WORKLIST_LIMIT}"
    );
    let b = st.db.get_database_backend();
    let stmt = Statement::from_sql_and_values(b, numbered(b, &sql), values);
    Ok(WorkItem::find_by_statement(stmt).all(&st.db).await?)
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
    let sql = format!(
        "SELECT m.id AS milestone_id, m.title, m.due_date, m.amount_fen, m.status, \
         c.id AS contract_id, c.title AS contract_title, c.status AS contract_status, \
         CASE WHEN m.status = 'rejected' THEN (SELECT r.review_comment FROM milestone_report r \
           WHERE r.milestone_id = m.id ORDER BY r.submitted_at DESC LIMIT 1) END AS review_comment \
         FROM milestone m JOIN contract c ON c.id = m.contract_id \
         WHERE c.organisation_id = $1 AND c.status = 'active' \
         AND (m.status IN ('submitted', 'rejected') OR (m.status = 'planned' AND m.due_date <= $2)) \
         ORDER BY m.due_date, m.id LIMIT {ORG_MILESTONES}"
    );
    let b = st.db.get_database_backend();
    let stmt = Statement::from_sql_and_values(b, numbered(b, &sql), [org.into(), horizon.into()]);
    Ok(OrgMilestone::find_by_statement(stmt).all(&st.db).await?)
}

/// The latest payments on the organisation's contracts, newest first (one statement).
pub async fn payments_received(st: &AppState, actor: &Actor) -> ApiResult<Vec<PaymentReceived>> {
    let org = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let sql = format!(
        "SELECT p.amount_fen, p.paid_on, p.voucher_no, c.id AS contract_id, \
         c.title AS contract_title, m.title AS milestone_title \
         FROM payment p JOIN contract c ON c.id = p.contract_id \
         LEFT JOIN milestone m ON m.id = p.milestone_id \
         WHERE c.organisation_id = $1 \
         ORDER BY p.paid_on DESC, p.id DESC LIMIT {ORG_PAYMENTS}"
    );
    let b = st.db.get_database_backend();
    let stmt = Statement::from_sql_and_values(b, numbered(b, &sql), [org.into()]);
    Ok(PaymentReceived::find_by_statement(stmt).all(&st.db).await?)
}
