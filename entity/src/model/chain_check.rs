//! One verification of the audit chain and its result: by a user (API or web pages) or by
//! the command line (`checked_by` NULL).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chain_check")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub checked_at: DateTimeUtc,
    /// Who verified; `None`: `huimin audit verify`.
    pub checked_by: Option<Uuid>,
    pub intact: bool,
    /// How many events checked out (before the first break, if any).
    pub checked: i64,
    /// The `seq` of the first bad event.
    pub first_bad_seq: Option<i64>,
    /// The chain's newest sealed event when it was verified (`None`: the chain was empty).
    pub head_seq: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
