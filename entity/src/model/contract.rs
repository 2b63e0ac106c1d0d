//! A signed (or to-be-signed) service contract, committed against one budget line.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{ContractStatus, ServiceCategory};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub purchaser_id: Uuid,
    pub organisation_id: Uuid,
    pub tender_id: Option<Uuid>,
    pub bid_id: Option<Uuid>,
    pub budget_line_id: Uuid,
    pub title: String,
    pub service_category: ServiceCategory,
    pub division_code: String,
    pub value_fen: i64,
    /// The value when signed: the base of the 10 % amendment limit.
    pub signed_value_fen: Option<i64>,
    pub start_date: Date,
    pub end_date: Date,
    pub status: ContractStatus,
    pub status_reason: Option<String>,
    pub signed_at: Option<DateTimeUtc>,
    pub responsible_officer_id: Uuid,
    pub direct_award_reason: Option<String>,
    pub multi_year_reason: Option<String>,
    pub full_pay_score_tenths: i32,
    pub min_pay_score_tenths: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::purchaser::Entity",
        from = "Column::PurchaserId",
        to = "super::purchaser::Column::Id"
    )]
    Purchaser,
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
    #[sea_orm(
        belongs_to = "super::tender::Entity",
        from = "Column::TenderId",
        to = "super::tender::Column::Id"
    )]
    Tender,
    #[sea_orm(
        belongs_to = "super::budget_line::Entity",
        from = "Column::BudgetLineId",
        to = "super::budget_line::Column::Id"
    )]
    BudgetLine,
}

impl Related<super::purchaser::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Purchaser.def()
    }
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::tender::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tender.def()
    }
}

impl Related<super::budget_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BudgetLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
