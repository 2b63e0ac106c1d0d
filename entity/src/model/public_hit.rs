//! Requests for public answers from one client address in one minute, for throttling them
//! across every replica.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "public_hit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub address: String,
    /// The first second (Unix time) of the minute.
    #[sea_orm(primary_key, auto_increment = false)]
    pub window_start: i64,
    pub hits: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
