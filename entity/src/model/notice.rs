//! A procurement notice (SPEC §8): written in the transaction of the transition it announces,
//! never changed (the database refuses `UPDATE` and `DELETE`); a correction is a new notice.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{NoticeKind, ServiceCategory};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notice")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: NoticeKind,
    pub at: DateTimeUtc,
    /// The contracting process: the tender, or the contract of a direct award.
    pub process_id: Uuid,
    pub tender_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub purchaser_id: Uuid,
    pub division_code: String,
    pub service_category: ServiceCategory,
    pub title: String,
    /// The notice's content as published, JSON.
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
