//! The spending report's six grouped statements over the contracts, and the rows they answer.

use chrono::{DateTime, NaiveDate, Utc};
use entity::model::{
    budget_line, contract, finding, indicator, milestone, milestone_report, payment,
    payment_request, post,
};
use entity::rules::vocab::{
    ContractStatus, Decision, FindingStatus, MilestoneStatus, PaymentRequestStatus,
};
use sea_orm::sea_query::{
    Cond, Condition, Expr, ExprTrait, Func, IntoIden, JoinType, Query, SelectStatement,
};
use sea_orm::{
    ColIdx, ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, QueryResult,
    TransactionTrait, TryGetError, TryGetable,
};
use uuid::Uuid;

use super::{GroupBy, SpendingQuery, division_level};
use crate::error::ApiResult;
use crate::services::public::division::SIGNED;
use crate::store::sql::{self, bigint, col, count_all, number, or_zero, sum_when, t, word};

/// The group's key of a contract `c`: a column, or its division code's first digits.
pub(super) fn key(q: &SpendingQuery) -> Expr {
    match q.group_by {
        GroupBy::Purchaser => col("c", contract::Column::PurchaserId),
        GroupBy::Organisation => col("c", contract::Column::OrganisationId),
        GroupBy::BudgetLine => col("c", contract::Column::BudgetLineId),
        GroupBy::Category => col("c", contract::Column::ServiceCategory),
        GroupBy::Division => {
            // The length is written into the statement: GROUP BY must repeat SELECT's
            // expression exactly, which two bound values would not be for PostgreSQL.
            let len = division_level(q.division_code.as_deref());
            Func::cust(t("SUBSTR"))
                .args([
                    col("c", contract::Column::DivisionCode),
                    number(1),
                    number(i64::try_from(len).unwrap_or(12)),
                ])
                .into()
        }
    }
}

/// The contract filter shared by every statement.
fn contract_filter(q: &SpendingQuery, scope: Option<Uuid>) -> Condition {
    let c = |column: contract::Column| col("c", column);
    // Another purchaser's figures do not exist for a finance officer.
    let foreign = matches!((q.purchaser_id, scope), (Some(p), Some(s)) if p != s);
    let mut w = Cond::all();
    if foreign {
        w = w.add(number(1).eq(number(0)));
    }
    w = w.add(sql::among((t("c"), contract::Column::Status), SIGNED));
    if let Some(p) = scope.or(q.purchaser_id) {
        w = w.add(c(contract::Column::PurchaserId).eq(p));
    }
    if let Some(o) = q.organisation_id {
        w = w.add(c(contract::Column::OrganisationId).eq(o));
    }
    if let Some(cat) = q.service_category {
        w = w.add(c(contract::Column::ServiceCategory).eq(cat.as_str()));
    }
    if let Some(d) = &q.division_code {
        w = w.add(c(contract::Column::DivisionCode).like(format!("{d}%")));
    }
    if let Some(y) = q.fiscal_year {
        let lines = Query::select()
            .column((t("bl"), budget_line::Column::Id))
            .from_as(budget_line::Entity, t("bl"))
            .and_where(col("bl", budget_line::Column::FiscalYear).eq(y))
            .to_owned();
        w = w.add(c(contract::Column::BudgetLineId).in_subquery(lines));
    }
    if let Some(f) = q.from {
        w = w.add(c(contract::Column::EndDate).gte(f));
    }
    if let Some(to) = q.to {
        w = w.add(c(contract::Column::StartDate).lte(to));
    }
    w
}

/// The statuses of a milestone still to be delivered.
const OPEN_MILESTONE: [MilestoneStatus; 3] = [
    MilestoneStatus::Planned,
    MilestoneStatus::Submitted,
    MilestoneStatus::Rejected,
];

/// Runs one report statement. On PostgreSQL the per-contract pre-aggregates of a county's
/// whole history are hashed in memory rather than sorted on disk: a larger `work_mem` for this
/// read-only transaction only.
pub(super) async fn rows<T: FromQueryResult>(
    db: &DatabaseConnection,
    sel: SelectStatement,
) -> ApiResult<Vec<T>> {
    let b = db.get_database_backend();
    if b != DbBackend::Postgres {
        return sql::all(db, &sel).await;
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(REPORT_WORK_MEM).await?;
    let out = sql::all(&txn, &sel).await?;
    txn.commit().await?;
    Ok(out)
}

/// The memory PostgreSQL may use per sort or hash of a report statement.
const REPORT_WORK_MEM: &str = "SET LOCAL work_mem = '64MB'";

/// A group's key as text: a UUID (purchaser, organisation, budget line), a category or a
/// division code.
pub(super) struct GroupKey(pub(super) String);

impl TryGetable for GroupKey {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        match Uuid::try_get_by(res, index) {
            Ok(u) => Ok(GroupKey(u.to_string())),
            Err(_) => String::try_get_by(res, index).map(GroupKey),
        }
    }
}

/// A group's contracts with their payments and milestones (statement 1).
#[derive(FromQueryResult)]
pub(super) struct ContractSums {
    pub k: GroupKey,
    pub contracts: i64,
    pub value_fen: Option<i64>,
    pub committed: Option<i64>,
    pub disbursed: Option<i64>,
    pub accepted: Option<i64>,
    pub overdue: Option<i64>,
    pub score_sum: Option<i64>,
    pub scored: Option<i64>,
    pub all_overdue: Option<i64>,
    pub no_indicators: Option<i64>,
}

/// A count in a group (statements 3, 4 and 6; in statement 2, one organisation's open
/// findings).
#[derive(FromQueryResult)]
pub(super) struct Counted {
    pub k: GroupKey,
    pub n: i64,
}

/// Payment requests waiting in a group, and the oldest's submission (statement 5).
#[derive(FromQueryResult)]
pub(super) struct Waiting {
    pub k: GroupKey,
    pub n: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// `SELECT key AS k FROM table alias JOIN contract c ON c.id = alias.on`, filtered by
/// [`contract_filter`] and `cond`, grouped by the key.
fn grouped(
    q: &SpendingQuery,
    scope: Option<Uuid>,
    (table, alias, on): (impl IntoIden, &'static str, impl IntoIden),
    cond: Condition,
) -> SelectStatement {
    let key = key(q);
    Query::select()
        .expr_as(key.clone(), t("k"))
        .from_as(table, t(alias))
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            t("c"),
            col("c", contract::Column::Id).equals((t(alias), on.into_iden())),
        )
        .cond_where(cond.add(contract_filter(q, scope)))
        .add_group_by([key])
        .to_owned()
}

/// `CAST(COUNT(*) AS BIGINT) AS n`.
fn count_n(sel: &mut SelectStatement) -> &mut SelectStatement {
    sel.expr_as(bigint(count_all()), t("n"))
}

/// `CAST(SUM(COALESCE(e, 0)) AS BIGINT)`.
fn total(e: Expr) -> Expr {
    bigint(Func::sum(or_zero(e)))
}

/// Milestones per contract: accepted (and their payable), overdue on `today`, still open,
/// and the scores.
fn milestones_per_contract(today: NaiveDate) -> SelectStatement {
    let status = || Expr::col(milestone::Column::Status);
    let accepted = || status().eq(word(MilestoneStatus::Accepted));
    let open = || sql::among(milestone::Column::Status, OPEN_MILESTONE);
    let scored = || Expr::col(milestone::Column::ScoreTenths).is_not_null();
    Query::select()
        .column(milestone::Column::ContractId)
        .expr_as(
            sum_when(accepted(), Expr::col(milestone::Column::PayableFen)),
            t("accepted_payable"),
        )
        .expr_as(sum_when(accepted(), number(1)), t("accepted"))
        .expr_as(
            sum_when(
                Cond::all()
                    .add(open())
                    .add(Expr::col(milestone::Column::DueDate).lt(today)),
                number(1),
            ),
            t("overdue"),
        )
        .expr_as(sum_when(open(), number(1)), t("open_ms"))
        .expr_as(
            sum_when(scored(), Expr::col(milestone::Column::ScoreTenths)),
            t("score_sum"),
        )
        .expr_as(sum_when(scored(), number(1)), t("scored"))
        .from(milestone::Entity)
        .group_by_col(milestone::Column::ContractId)
        .to_owned()
}

/// Statement 1: contracts with their payments and milestones, grouped.
pub(super) fn contracts(
    q: &SpendingQuery,
    scope: Option<Uuid>,
    today: NaiveDate,
) -> SelectStatement {
    let key = key(q);
    let p = |c: &'static str| col("p", t(c));
    let m = |c: &'static str| col("m", t(c));
    let active = col("c", contract::Column::Status).eq(word(ContractStatus::Active));
    let committed = Expr::case(active, col("c", contract::Column::ValueFen))
        .finally(or_zero(p("advances")).add(or_zero(m("accepted_payable"))));
    let all_overdue = Cond::all()
        .add(or_zero(m("open_ms")).gt(number(0)))
        .add(m("open_ms").eq(m("overdue")));
    let indicators = Query::select()
        .expr(number(1))
        .from_as(indicator::Entity, t("i"))
        .and_where(col("i", indicator::Column::ContractId).equals((t("c"), contract::Column::Id)))
        .to_owned();
    Query::select()
        .expr_as(key.clone(), t("k"))
        .expr_as(count_all(), t("contracts"))
        .expr_as(
            bigint(Func::sum(col("c", contract::Column::ValueFen))),
            t("value_fen"),
        )
        .expr_as(bigint(Func::sum(committed)), t("committed"))
        .expr_as(total(p("paid")), t("disbursed"))
        .expr_as(total(m("accepted")), t("accepted"))
        .expr_as(total(m("overdue")), t("overdue"))
        .expr_as(total(m("score_sum")), t("score_sum"))
        .expr_as(total(m("scored")), t("scored"))
        .expr_as(bigint(sum_when(all_overdue, number(1))), t("all_overdue"))
        .expr_as(
            bigint(sum_when(Expr::not_exists(indicators), number(1))),
            t("no_indicators"),
        )
        .from_as(contract::Entity, t("c"))
        .join_subquery(
            JoinType::LeftJoin,
            sql::payments_per_contract(q.from, q.to),
            t("p"),
            p("contract_id").equals((t("c"), contract::Column::Id)),
        )
        .join_subquery(
            JoinType::LeftJoin,
            milestones_per_contract(today),
            t("m"),
            m("contract_id").equals((t("c"), contract::Column::Id)),
        )
        .cond_where(contract_filter(q, scope))
        .add_group_by([key])
        .to_owned()
}

/// Statement 2: open findings, and organisations with several, per group.
pub(super) fn findings(q: &SpendingQuery, scope: Option<Uuid>) -> SelectStatement {
    let mut sel = grouped(
        q,
        scope,
        (finding::Entity, "f", finding::Column::ContractId),
        Cond::all().add(col("f", finding::Column::Status).ne(word(FindingStatus::Resolved))),
    );
    sel.expr_as(col("f", finding::Column::OrganisationId), t("org"));
    count_n(&mut sel);
    sel.add_group_by([col("f", finding::Column::OrganisationId)]);
    sel
}

/// Statement 3: posts vacant over 30 days today, per group.
pub(super) fn vacant(q: &SpendingQuery, scope: Option<Uuid>, today: NaiveDate) -> SelectStatement {
    let since = today - chrono::Days::new(30);
    let filled = sql::assignment_of_post(today, since);
    let mut sel = grouped(
        q,
        scope,
        (post::Entity, "p", post::Column::ContractId),
        Cond::all()
            .add(col("c", contract::Column::Status).eq(word(ContractStatus::Active)))
            .add(col("p", post::Column::StartDate).lte(since))
            .add(col("p", post::Column::EndDate).gte(today))
            .add(Expr::not_exists(filled)),
    );
    count_n(&mut sel);
    sel
}

/// Statement 4: payments before acceptance (proved absent).
pub(super) fn early(q: &SpendingQuery, scope: Option<Uuid>) -> SelectStatement {
    let accepted_at = || col("m", milestone::Column::AcceptedAt);
    let mut sel = grouped(
        q,
        scope,
        (payment::Entity, "pm", payment::Column::ContractId),
        Cond::all().add(
            Cond::any()
                .add(accepted_at().is_null())
                .add(col("pm", payment::Column::CreatedAt).lt(accepted_at())),
        ),
    );
    sel.join_as(
        JoinType::InnerJoin,
        milestone::Entity,
        t("m"),
        col("m", milestone::Column::Id).equals((t("pm"), payment::Column::MilestoneId)),
    );
    count_n(&mut sel);
    sel
}

/// Statement 5: payment requests waiting, and the oldest's submission, over the requests'
/// index of (`status`, `status_changed_at`).
pub(super) fn waiting(q: &SpendingQuery, scope: Option<Uuid>) -> SelectStatement {
    let mut sel = grouped(
        q,
        scope,
        (
            payment_request::Entity,
            "r",
            payment_request::Column::ContractId,
        ),
        Cond::all().add(sql::among(
            (t("r"), payment_request::Column::Status),
            [
                PaymentRequestStatus::Submitted,
                PaymentRequestStatus::Verified,
                PaymentRequestStatus::Approved,
            ],
        )),
    );
    count_n(&mut sel);
    sel.expr_as(
        Func::min(col("r", payment_request::Column::SubmittedAt)),
        t("oldest"),
    );
    sel
}

/// Statement 6: requests approved by their milestone's accepter (proved absent): each request
/// joined to its milestone's accepted report (one per milestone) in one hash join.
pub(super) fn accepter(q: &SpendingQuery, scope: Option<Uuid>) -> SelectStatement {
    let r = |c: payment_request::Column| col("r", c);
    let decided_by = || col("mr", milestone_report::Column::DecidedBy);
    // The report is joined before the contract, as the statement always read.
    let mut sel = Query::select()
        .from_as(payment_request::Entity, t("r"))
        .join_as(
            JoinType::InnerJoin,
            milestone_report::Entity,
            t("mr"),
            Cond::all()
                .add(
                    col("mr", milestone_report::Column::MilestoneId)
                        .equals((t("r"), payment_request::Column::MilestoneId)),
                )
                .add(col("mr", milestone_report::Column::Decision).eq(word(Decision::Accepted))),
        )
        .to_owned();
    let key = key(q);
    sel.expr_as(key.clone(), t("k"))
        .join_as(
            JoinType::InnerJoin,
            contract::Entity,
            t("c"),
            col("c", contract::Column::Id).equals((t("r"), payment_request::Column::ContractId)),
        )
        .cond_where(
            Cond::all()
                .add(r(payment_request::Column::Migrated).not())
                .add(
                    Cond::any()
                        .add(decided_by().eq(r(payment_request::Column::ApprovedBy)))
                        .add(decided_by().eq(r(payment_request::Column::SecondApprovedBy))),
                )
                .add(contract_filter(q, scope)),
        )
        .add_group_by([key]);
    count_n(&mut sel);
    sel
}
