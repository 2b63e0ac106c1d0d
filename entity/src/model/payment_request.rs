//! An organisation's request to be paid (SPEC §9): for an accepted milestone, or an advance
//! (no milestone); verified by an officer, approved by one or two approvers, then paid by
//! exactly one payment.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::PaymentRequestStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    /// Copied from the contract: the scopes and the queues read by them.
    pub purchaser_id: Uuid,
    pub organisation_id: Uuid,
    pub milestone_id: Option<Uuid>,
    pub amount_fen: i64,
    pub invoice_no: String,
    pub invoice_date: Date,
    pub note: String,
    pub status: PaymentRequestStatus,
    pub submitted_by: Uuid,
    pub submitted_at: DateTimeUtc,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub second_approved_by: Option<Uuid>,
    pub second_approved_at: Option<DateTimeUtc>,
    pub returned_by: Option<Uuid>,
    pub return_comment: Option<String>,
    pub payment_id: Option<Uuid>,
    /// Made by the migration for a payment recorded before requests existed.
    pub migrated: bool,
    /// When the request entered its status: how long it has waited there.
    pub status_changed_at: DateTimeUtc,
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
    #[sea_orm(
        belongs_to = "super::milestone::Entity",
        from = "Column::MilestoneId",
        to = "super::milestone::Column::Id"
    )]
    Milestone,
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

impl ActiveModelBehavior for ActiveModel {}
