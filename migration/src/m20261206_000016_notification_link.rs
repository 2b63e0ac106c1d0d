//! `notification.link`: the path of the web page of what a notification is about
//! (`/milestones/{id}` …), so that the in-app list links each one to its subject. Null for the
//! notifications queued before it (their text still carries the full address).

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::a;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("notification"))
                .add_column(text_null(a("link")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("notification"))
                .drop_column(a("link"))
                .to_owned(),
        )
        .await
    }
}
