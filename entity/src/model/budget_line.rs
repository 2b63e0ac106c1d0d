//! Money a purchaser may spend in a fiscal year. `committed`, `reserved`, `disbursed` and
//! `available` are derived from tenders, contracts and payments, never stored here.

use sea_orm::entity::prelude::*;

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
    pub source: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
