//! An organisation's report on a milestone, and the decision on it. Every report is kept.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::Decision;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "milestone_report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub milestone_id: Uuid,
    pub contract_id: Uuid,
    pub summary: String,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: Uuid,
    pub idempotency_key: Option<String>,
    pub decision: Option<Decision>,
    pub review_comment: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::milestone::Entity",
        from = "Column::MilestoneId",
        to = "super::milestone::Column::Id"
    )]
    Milestone,
}

impl Related<super::milestone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Milestone.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
