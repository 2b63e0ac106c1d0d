//! Attachments by their hash alone: the `file_sweep` job and a refused upload ask which of a
//! list of stored files an attachment still refers to (`WHERE sha256 IN (…)`); the
//! `(report_id, sha256)` index cannot answer that without reading every row.

use sea_orm_migration::prelude::*;

use crate::util::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("attachment", &["sha256"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(drop_index("attachment", "ix_attachment_sha256"))
            .await
    }
}
