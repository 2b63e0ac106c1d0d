//! Money a purchaser may spend in a fiscal year. `reserved`, `committed` and `disbursed` are
//! kept as totals of what tenders, contracts and payments hold against the line: every change
//! that moves one updates it in the same transaction, under the line's row lock
//! (`crate::queries::recount_budget_lines`), and `huimin verify budgets` compares them with
//! the records. `available` is `amount − committed − reserved`.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::FundSource;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub purchaser_id: Uuid,
    pub fiscal_year: i32,
    pub code: String,
    pub name: String,
    pub amount_fen: i64,
    /// `central`, `provincial`, `county` or `other`.
    pub source: FundSource,
    /// Ceilings of the line's tenders open for bids, closed, or awarded with a draft contract.
    pub reserved_fen: i64,
    /// Values of its active contracts, and what its ended contracts earned.
    pub committed_fen: i64,
    /// Its payments.
    pub disbursed_fen: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
