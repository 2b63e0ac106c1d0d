//! Pieces of the sea-query statements the reads of several services share: a word spelt in
//! the statement (a status, as the planner sees a literal), a sub-select as a value, the
//! `CAST(COALESCE(…, 0) AS BIGINT)` of a sum both databases read as `i64`, and table aliases.

use chrono::NaiveDate;
use entity::model::{payment, post, post_assignment};
use sea_orm::sea_query::{
    Alias, Asterisk, Cond, Expr, ExprTrait, Func, IntoColumnRef, IntoCondition, IntoIden, Query,
    SelectStatement,
};
use sea_orm::{ActiveEnum, ConnectionTrait, FromQueryResult};

use crate::error::ApiResult;

pub(crate) use entity::queries::word;

/// A number written into the statement as a literal (a length, a zero).
pub(crate) fn number(n: i64) -> Expr {
    Expr::Constant(n.into())
}

/// `column IN ('a', 'b', …)` with the words as literals.
pub(crate) fn among<C: IntoColumnRef, T: ActiveEnum<Value = String>>(
    col: C,
    words: impl IntoIterator<Item = T>,
) -> Expr {
    Expr::col(col).is_in(entity::queries::words(words))
}

/// `column NOT IN ('a', 'b', …)` with the words as literals.
pub(crate) fn not_among<C: IntoColumnRef, T: ActiveEnum<Value = String>>(
    col: C,
    words: impl IntoIterator<Item = T>,
) -> Expr {
    Expr::col(col).is_not_in(entity::queries::words(words))
}

/// A table alias (`c` for contract, `m` for milestone …).
pub(crate) fn t(alias: &'static str) -> Alias {
    Alias::new(alias)
}

/// Column `col` of the table aliased `alias`.
pub(crate) fn col(alias: &'static str, col: impl IntoIden) -> Expr {
    Expr::col((t(alias), col.into_iden()))
}

/// `(SELECT …)` as a value.
pub(crate) fn scalar(sel: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(sel.into()))
}

/// `COUNT(*)`.
pub(crate) fn count_all() -> Expr {
    Func::count(Expr::col(Asterisk)).into()
}

/// `CAST(e AS BIGINT)`: a sum PostgreSQL would answer as NUMERIC, read as `i64`.
pub(crate) fn bigint(e: impl Into<Expr>) -> Expr {
    Func::cast_as(e, t("BIGINT")).into()
}

/// `COALESCE(e, 0)`.
pub(crate) fn or_zero(e: impl Into<Expr>) -> Expr {
    Func::coalesce([e.into(), number(0)]).into()
}

/// `CAST(COALESCE(e, 0) AS BIGINT)`: a sum (or a nullable amount) that is 0 when empty.
pub(crate) fn fen(e: impl Into<Expr>) -> Expr {
    bigint(or_zero(e))
}

/// `CAST(COALESCE((SELECT SUM(col) FROM …), 0) AS BIGINT)` of the sub-select `sel`, whose
/// one column this sets.
pub(crate) fn sum_of(mut sel: SelectStatement, col: impl Into<Expr>) -> Expr {
    sel.expr(Func::sum(col));
    fen(scalar(sel))
}

/// `SUM(CASE WHEN cond THEN then ELSE 0 END)`.
pub(crate) fn sum_when(cond: impl IntoCondition, then: impl Into<Expr>) -> Expr {
    Func::sum(Expr::case(cond, then).finally(number(0))).into()
}

/// The payments per contract, those paid from `from` to `to` (each bound optional): `paid`,
/// and `advances` (paid without a milestone).
pub(crate) fn payments_per_contract(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> SelectStatement {
    let mut sel = Query::select()
        .column(payment::Column::ContractId)
        .expr_as(Func::sum(Expr::col(payment::Column::AmountFen)), t("paid"))
        .expr_as(
            sum_when(
                Expr::col(payment::Column::MilestoneId).is_null(),
                Expr::col(payment::Column::AmountFen),
            ),
            t("advances"),
        )
        .from(payment::Entity)
        .group_by_col(payment::Column::ContractId)
        .to_owned();
    if let Some(f) = from {
        sel.and_where(Expr::col(payment::Column::PaidOn).gte(f));
    }
    if let Some(to) = to {
        sel.and_where(Expr::col(payment::Column::PaidOn).lte(to));
    }
    sel
}

/// `SELECT 1 FROM post_assignment a` of post `p`, begun by `begun_by` and not ended before
/// `until` (for `EXISTS`).
pub(crate) fn assignment_of_post(begun_by: NaiveDate, until: NaiveDate) -> SelectStatement {
    Query::select()
        .expr(number(1))
        .from_as(post_assignment::Entity, t("a"))
        .and_where(col("a", post_assignment::Column::PostId).equals((t("p"), post::Column::Id)))
        .and_where(col("a", post_assignment::Column::FromDate).lte(begun_by))
        .cond_where(
            Cond::any()
                .add(col("a", post_assignment::Column::ToDate).is_null())
                .add(col("a", post_assignment::Column::ToDate).gte(until)),
        )
        .to_owned()
}

/// The rows of `sel`, read as `T`.
pub(crate) async fn all<T: FromQueryResult>(
    db: &impl ConnectionTrait,
    sel: &SelectStatement,
) -> ApiResult<Vec<T>> {
    let stmt = db.get_database_backend().build(sel);
    Ok(T::find_by_statement(stmt).all(db).await?)
}

/// The first row of `sel`, read as `T`.
pub(crate) async fn one<T: FromQueryResult>(
    db: &impl ConnectionTrait,
    sel: &SelectStatement,
) -> ApiResult<Option<T>> {
    let stmt = db.get_database_backend().build(sel);
    Ok(T::find_by_statement(stmt).one(db).await?)
}
