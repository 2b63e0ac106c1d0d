//! The findings list filters by severity (the supervisor's `/findings?severity=high`), with or
//! without a status: one index range for each.

use sea_orm_migration::prelude::*;

use crate::util::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("finding", &["severity", "status"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(drop_index("finding", "ix_finding_severity_status"))
            .await
    }
}
