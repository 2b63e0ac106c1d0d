//! A social organisation that bids for and delivers services.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::OrgStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub credit_code: String,
    pub contact_email: String,
    /// `active`, `suspended` or `blacklisted`.
    pub status: OrgStatus,
    pub status_reason: Option<String>,
    pub status_until: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
