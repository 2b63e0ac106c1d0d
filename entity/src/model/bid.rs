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
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tender::Entity",
        from = "Column::TenderId",
        to = "super::tender::Column::Id"
    )]
    Tender,
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
}

impl Related<super::tender::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tender.def()
    }
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
