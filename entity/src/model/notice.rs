//! A procurement notice (SPEC §8): written in the transaction of the transition it announces,
//! never changed (the database refuses `UPDATE` and `DELETE`); a correction is a new notice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notice")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `tender_published`, `tender_result`, `contract_signed`, `contract_amended` or
    /// `contract_terminated`.
    pub kind: String,
    pub at: DateTimeUtc,
    /// The contracting process: the tender, or the contract of a direct award.
    pub process_id: Uuid,
    pub tender_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub purchaser_id: Uuid,
    pub division_code: String,
    pub service_category: String,
    pub title: String,
    /// The notice's content as published, JSON.
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
