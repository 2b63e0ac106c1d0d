//! An organisation's sealed offer on a tender: one live bid per organisation per tender.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bid")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tender_id: Uuid,
    pub organisation_id: Uuid,
    pub amount_fen: i64,
    pub proposal: String,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: Uuid,
    /// 0–100 in tenths, set after the deadline.
    pub score_tenths: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
