//! A worker filling a post. The national ID number is never stored: only its last four characters and a keyed HMAC.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::Qualification;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_assignment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub post_id: Uuid,
    pub worker_name: String,
    pub qualification: Qualification,
    pub certificate_no: Option<String>,
    pub id_number_last4: String,
    pub id_number_hmac: String,
    pub from_date: Date,
    /// Inclusive; null while serving.
    pub to_date: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::post::Entity",
        from = "Column::PostId",
        to = "super::post::Column::Id"
    )]
    Post,
}

impl ActiveModelBehavior for ActiveModel {}
