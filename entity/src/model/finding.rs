//! A supervisor's finding on a contract: `open → answered → resolved`.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{FindingStatus, Severity};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contract_id: Uuid,
    /// Copied from the contract, for counts by purchaser and organisation.
    pub purchaser_id: Uuid,
    pub organisation_id: Uuid,
    /// `low`, `medium` or `high`.
    pub severity: Severity,
    pub text: String,
    /// `open`, `answered` or `resolved`.
    pub status: FindingStatus,
    pub response: Option<String>,
    pub resolution: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contract::Entity",
        from = "Column::ContractId",
        to = "super::contract::Column::Id"
    )]
    Contract,
}

impl Related<super::contract::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contract.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
