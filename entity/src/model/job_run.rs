//! One run of a scheduled job, unique per (`job`, `scheduled_for`): the row is the claim that
//! keeps several workers from running the same slot.

use sea_orm::entity::prelude::*;

use crate::rules::vocab::{JobName, JobOutcome};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub job: JobName,
    pub scheduled_for: DateTimeUtc,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// `running` until the run finishes, then `ok` or `error`.
    pub outcome: JobOutcome,
    pub examined: i64,
    pub notified: i64,
    pub errors: i64,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
