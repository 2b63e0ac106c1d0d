//! A call for bids against a budget line.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{ServiceCategory, TenderMethod, TenderStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub purchaser_id: Uuid,
    pub budget_line_id: Uuid,
    pub title: String,
    pub description: String,
    pub service_category: ServiceCategory,
    pub division_code: String,
    pub method: TenderMethod,
    pub ceiling_fen: i64,
    pub bid_deadline: DateTimeUtc,
    pub service_start: Date,
    pub service_end: Date,
    pub multi_year_reason: Option<String>,
    pub status: TenderStatus,
    pub status_reason: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub awarded_bid_id: Option<Uuid>,
    pub created_by: Uuid,
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

impl Related<super::budget_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BudgetLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
