//! Money paid on a contract, optionally for one milestone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    pub milestone_id: Option<Uuid>,
    /// Copied from the contract: the purchaser `voucher_no` is unique for.
    pub purchaser_id: Uuid,
    /// Copied from the contract, so `disbursed` sums one index range.
    pub budget_line_id: Uuid,
    pub amount_fen: i64,
    pub paid_on: Date,
    pub voucher_no: String,
    pub recorded_by: Uuid,
    /// The approved request this payment pays (SPEC §9); never null for a payment the
    /// service records (`NOT NULL` on PostgreSQL).
    pub payment_request_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contract::Entity",
        from = "Column::ContractId",
        to = "super::contract::Column::Id"
    )]
    Contract,
    #[sea_orm(
        belongs_to = "super::milestone::Entity",
        from = "Column::MilestoneId",
        to = "super::milestone::Column::Id"
    )]
    Milestone,
    #[sea_orm(
        belongs_to = "super::payment_request::Entity",
        from = "Column::PaymentRequestId",
        to = "super::payment_request::Column::Id"
    )]
    PaymentRequest,
}

impl Related<super::contract::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contract.def()
    }
}

impl Related<super::milestone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Milestone.def()
    }
}

impl Related<super::payment_request::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PaymentRequest.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
