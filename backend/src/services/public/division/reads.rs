//! The division page's reads: each one set-based statement over the code's range (an index
//! range on `division_code`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{budget_line, contract, milestone, organisation, payment, post};
use entity::rules::divisions::Level;
use entity::rules::vocab::{ContractStatus, MilestoneStatus, ServiceCategory};
use rust_decimal::Decimal;
use sea_orm::sea_query::{
    Cond, Condition, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::super::notices::within;
use super::{AcceptedMilestone, Figures, LISTED, PublicContract, PublicPost, SIGNED};
use crate::error::ApiResult;
use crate::pagination::Page;
use crate::services::dashboard::milestones_with_contract;
use crate::store::page::Keyset;
use crate::store::sql::{self, bigint, col, count_all, number, or_zero, scalar, t, word};

/// A page of signed contracts for `code` and below, newest first.
pub(super) async fn contracts(
    db: &impl ConnectionTrait,
    code: &str,
    paging: Keyset,
    before: Option<Uuid>,
) -> ApiResult<(Vec<PublicContract>, Option<String>)> {
    let q = contract::Entity::find()
        .filter(within(contract::Column::DivisionCode, code))
        .filter(contract::Column::Status.is_in(SIGNED));
    let rows = paging
        .after(q, contract::Column::Id, before)
        .all(db)
        .await?;
    let Page {
        items: rows,
        next_cursor: next,
    } = paging.into_page_by_id(rows, |c| c.id);
    let orgs = organisations(db, rows.iter().map(|c| c.organisation_id)).await?;
    let out = rows
        .into_iter()
        .map(|c| {
            Ok(PublicContract {
                service_category: c.service_category,
                status: c.status,
                organisation: orgs
                    .get(&c.organisation_id)
                    .map(|o| o.0.clone())
                    .unwrap_or_default(),
                id: c.id,
                title: c.title,
                division_code: c.division_code,
                division_name: None,
                value: Money::from_fen(c.value_fen),
                start_date: c.start_date,
                end_date: c.end_date,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((out, next))
}

/// Organisations' `(name, contact)` by id, in one statement.
pub(super) async fn organisations(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, (String, String)>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisation::Entity::find()
        .select_only()
        .columns([
            organisation::Column::Id,
            organisation::Column::Name,
            organisation::Column::ContactEmail,
        ])
        .filter(organisation::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, contact)| (id, (name, contact)))
        .collect())
}

/// `alias.division_code` within `code` and below (`code` to `code999999`).
fn in_range(
    alias: &'static str,
    column: impl sea_orm::sea_query::IntoIden,
    code: &str,
) -> Condition {
    let column = column.into_iden();
    Cond::all()
        .add(Expr::col((t(alias), column.clone())).gte(code))
        .add(Expr::col((t(alias), column)).lte(format!("{code}999999")))
}

/// `c.status = 'active'`.
fn active() -> Expr {
    col("c", contract::Column::Status).eq(word(ContractStatus::Active))
}

/// A contract's committed (SPEC §2; `entity::queries::COMMITTED_SQL` per contract): an active
/// one's value; an ended one's advances plus the payable of its accepted milestones. Then what
/// was paid on it. Looked up contract by contract (a village's or a township's few contracts:
/// index lookups)…
fn figures_by_lookup(sel: &mut SelectStatement) {
    let c_id = || (t("c"), contract::Column::Id);
    let payments = || {
        Query::select()
            .expr(Func::sum(col("p", payment::Column::AmountFen)))
            .from_as(payment::Entity, t("p"))
            .and_where(col("p", payment::Column::ContractId).equals(c_id()))
            .to_owned()
    };
    let advances = payments()
        .and_where(col("p", payment::Column::MilestoneId).is_null())
        .to_owned();
    let accepted = Query::select()
        .expr(Func::sum(col("m", milestone::Column::PayableFen)))
        .from_as(milestone::Entity, t("m"))
        .and_where(col("m", milestone::Column::ContractId).equals(c_id()))
        .and_where(col("m", milestone::Column::Status).eq(word(MilestoneStatus::Accepted)))
        .to_owned();
    let committed = Expr::case(active(), col("c", contract::Column::ValueFen))
        .finally(or_zero(scalar(advances)).add(or_zero(scalar(accepted))));
    sel.expr_as(bigint(Func::sum(committed)), t("committed"))
        .expr_as(
            bigint(Func::sum(or_zero(scalar(payments())))),
            t("disbursed"),
        )
        .from_as(contract::Entity, t("c"));
}

/// … or from payments and milestones summed per contract once (a county's tens of thousands
/// of contracts: one pass over each table instead of a lookup per contract).
fn figures_by_join(sel: &mut SelectStatement) {
    let accepted = Query::select()
        .column(milestone::Column::ContractId)
        .expr_as(
            Func::sum(Expr::col(milestone::Column::PayableFen)),
            t("accepted_payable"),
        )
        .from(milestone::Entity)
        .and_where(Expr::col(milestone::Column::Status).eq(word(MilestoneStatus::Accepted)))
        .group_by_col(milestone::Column::ContractId)
        .to_owned();
    let committed = Expr::case(active(), col("c", contract::Column::ValueFen))
        .finally(or_zero(col("p", t("advances"))).add(or_zero(col("m", t("accepted_payable")))));
    sel.expr_as(bigint(Func::sum(committed)), t("committed"))
        .expr_as(
            bigint(Func::sum(or_zero(col("p", t("paid"))))),
            t("disbursed"),
        )
        .from_as(contract::Entity, t("c"))
        .join_subquery(
            JoinType::LeftJoin,
            sql::payments_per_contract(None, None),
            t("p"),
            col("p", t("contract_id")).equals((t("c"), contract::Column::Id)),
        )
        .join_subquery(
            JoinType::LeftJoin,
            accepted,
            t("m"),
            col("m", t("contract_id")).equals((t("c"), contract::Column::Id)),
        );
}

/// A row of [`figures`]' statement.
#[derive(FromQueryResult)]
struct FigureRow {
    d: String,
    cat: ServiceCategory,
    n: i64,
    committed: i64,
    disbursed: i64,
}

/// This fiscal year's figures for `code` and below, by the code of the next level down (or
/// the division's own code) and category; and the length of a sub-division's code.
pub(super) async fn figures(
    db: &impl ConnectionTrait,
    code: &str,
    level: Level,
    fiscal_year: i32,
) -> ApiResult<(Vec<(String, ServiceCategory, Figures)>, usize)> {
    let child_len = match level {
        Level::Village => 12,
        _ => code.len() + 3,
    };
    // The length is written into the statement, so GROUP BY repeats SELECT's expression.
    let d: Expr = Func::cust(t("SUBSTR"))
        .args([
            col("c", contract::Column::DivisionCode),
            number(1),
            number(i64::try_from(child_len).unwrap_or(12)),
        ])
        .into();
    let mut sel = Query::select()
        .expr_as(d.clone(), t("d"))
        .expr_as(col("c", contract::Column::ServiceCategory), t("cat"))
        .expr_as(count_all(), t("n"))
        .to_owned();
    if level == Level::County {
        figures_by_join(&mut sel);
    } else {
        figures_by_lookup(&mut sel);
    }
    sel.join_as(
        JoinType::InnerJoin,
        budget_line::Entity,
        t("l"),
        col("l", budget_line::Column::Id).equals((t("c"), contract::Column::BudgetLineId)),
    )
    .cond_where(
        in_range("c", contract::Column::DivisionCode, code)
            .add(sql::among((t("c"), contract::Column::Status), SIGNED))
            .add(col("l", budget_line::Column::FiscalYear).eq(fiscal_year)),
    )
    .add_group_by([d, col("c", contract::Column::ServiceCategory)]);
    let rows: Vec<FigureRow> = sql::all(db, &sel).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push((
            if level == Level::Village {
                code.to_string()
            } else {
                r.d
            },
            r.cat,
            Figures {
                contracts: r.n,
                committed: Money::from_fen(r.committed),
                disbursed: Money::from_fen(r.disbursed),
            },
        ));
    }
    // A village has no sub-divisions: everything is its own.
    let child_len = if level == Level::Village {
        0
    } else {
        child_len
    };
    Ok((out, child_len))
}

/// The posts of active contracts funded on `today` for `code` and below, selecting nothing
/// yet; and the expression of a post's organisation. A village's few posts look their
/// contract up one by one; a township's or county's many join the contracts once.
fn funded_posts(code: &str, today: NaiveDate) -> (SelectStatement, Expr) {
    let mut sel = Query::select().from_as(post::Entity, t("p")).to_owned();
    let of_post = || {
        Query::select()
            .from_as(contract::Entity, t("c"))
            .and_where(col("c", contract::Column::Id).equals((t("p"), post::Column::ContractId)))
            .to_owned()
    };
    let mut cond = in_range("p", post::Column::DivisionCode, code);
    let org = if Level::of(code) == Some(Level::Village) {
        let status = of_post()
            .column((t("c"), contract::Column::Status))
            .to_owned();
        cond = cond.add(scalar(status).eq(word(ContractStatus::Active)));
        scalar(
            of_post()
                .column((t("c"), contract::Column::OrganisationId))
                .to_owned(),
        )
    } else {
        sel.join_as(
            JoinType::InnerJoin,
            contract::Entity,
            t("c"),
            col("c", contract::Column::Id).equals((t("p"), post::Column::ContractId)),
        );
        cond = cond.add(active());
        col("c", contract::Column::OrganisationId)
    };
    cond = cond
        .add(col("p", post::Column::StartDate).lte(today))
        .add(col("p", post::Column::EndDate).gte(today));
    sel.cond_where(cond);
    (sel, org)
}

/// Whether post `p` is staffed on `today`: 1 or 0.
fn filled(today: NaiveDate) -> Expr {
    let staffed = sql::assignment_of_post(today, today);
    Expr::case(Expr::exists(staffed), number(1))
        .finally(number(0))
        .into()
}

/// How many posts, and how many of them filled (PostgreSQL sums integers as BIGINT, SQLite
/// as INTEGER: both read as i64).
#[derive(FromQueryResult)]
struct PostCounts {
    n: i64,
    filled: i64,
}

/// A listed post.
#[derive(FromQueryResult)]
struct PostRow {
    title: String,
    division_code: String,
    org: Uuid,
    filled: i32,
}

/// The posts of active contracts funded on `today` for `code` and below (the first
/// [`LISTED`]), and how many are filled and vacant.
pub(super) async fn posts(
    db: &impl ConnectionTrait,
    code: &str,
    today: NaiveDate,
) -> ApiResult<(Vec<PublicPost>, i64, i64)> {
    let (from, org) = funded_posts(code, today);
    let count = from
        .clone()
        .expr_as(count_all(), t("n"))
        .expr_as(or_zero(Func::sum(filled(today))), t("filled"))
        .to_owned();
    let (n, n_filled) = sql::one::<PostCounts>(db, &count)
        .await?
        .map_or((0, 0), |c| (c.n, c.filled));
    let list = from
        .clone()
        .expr_as(col("p", post::Column::Title), t("title"))
        .expr_as(col("p", post::Column::DivisionCode), t("division_code"))
        .expr_as(org, t("org"))
        .expr_as(filled(today), t("filled"))
        .order_by((t("p"), post::Column::DivisionCode), Order::Asc)
        .order_by((t("p"), post::Column::Id), Order::Asc)
        .limit(LISTED)
        .to_owned();
    let rows: Vec<PostRow> = sql::all(db, &list).await?;
    let orgs = organisations(db, rows.iter().map(|r| r.org)).await?;
    let posts = rows
        .into_iter()
        .map(|r| {
            let (organisation, organisation_contact) =
                orgs.get(&r.org).cloned().unwrap_or_default();
            PublicPost {
                title: r.title,
                division_code: r.division_code,
                division_name: None,
                organisation,
                organisation_contact,
                filled: r.filled == 1,
            }
        })
        .collect();
    Ok((posts, n_filled, n - n_filled))
}

/// An accepted milestone, with its contract's title and organisation.
#[derive(FromQueryResult)]
struct MilestoneRow {
    title: String,
    contract_title: String,
    org: Uuid,
    accepted_at: DateTime<Utc>,
    score_tenths: Option<i32>,
}

/// The latest accepted milestones of signed contracts for `code` and below.
pub(super) async fn milestones(
    db: &impl ConnectionTrait,
    code: &str,
) -> ApiResult<Vec<AcceptedMilestone>> {
    let sel = milestones_with_contract()
        .expr_as(col("m", milestone::Column::Title), t("title"))
        .expr_as(col("c", contract::Column::Title), t("contract_title"))
        .expr_as(col("c", contract::Column::OrganisationId), t("org"))
        .expr_as(col("m", milestone::Column::AcceptedAt), t("accepted_at"))
        .expr_as(col("m", milestone::Column::ScoreTenths), t("score_tenths"))
        .cond_where(
            in_range("c", contract::Column::DivisionCode, code)
                .add(sql::among((t("c"), contract::Column::Status), SIGNED))
                .add(col("m", milestone::Column::Status).eq(word(MilestoneStatus::Accepted))),
        )
        .order_by((t("m"), milestone::Column::AcceptedAt), Order::Desc)
        .order_by((t("m"), milestone::Column::Id), Order::Desc)
        .limit(LISTED)
        .to_owned();
    let rows: Vec<MilestoneRow> = sql::all(db, &sel).await?;
    let orgs = organisations(db, rows.iter().map(|r| r.org)).await?;
    Ok(rows
        .into_iter()
        .map(|r| AcceptedMilestone {
            organisation: orgs.get(&r.org).map(|o| o.0.clone()).unwrap_or_default(),
            title: r.title,
            contract_title: r.contract_title,
            accepted_at: r.accepted_at,
            score: r.score_tenths.map(|t| Decimal::new(i64::from(t), 1)),
        })
        .collect())
}
