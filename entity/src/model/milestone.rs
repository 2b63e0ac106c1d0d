//! A deliverable of a contract with its amount; `overdue` is derived, never stored.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::MilestoneStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "milestone")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    pub title: String,
    pub description: String,
    pub due_date: Date,
    pub amount_fen: i64,
    pub status: MilestoneStatus,
    pub status_reason: Option<String>,
    /// Set on acceptance: the contract's score in tenths (null without indicators).
    pub score_tenths: Option<i32>,
    /// Set on acceptance: what may be paid for the milestone.
    pub payable_fen: Option<i64>,
    pub accepted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contract::Entity",
        from = "Column::ContractId",
        to = "super::contract::Column::Id"
    )]
    Contract,
}

impl Related<super::contract::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contract.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
