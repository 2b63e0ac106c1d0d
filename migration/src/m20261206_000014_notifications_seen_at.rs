//! `app_user.notifications_seen_at`: when the user last opened their notifications page; the
//! header's badge counts the notifications created after it (null: never opened, all count).

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::a;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .add_column(timestamp_with_time_zone_null(a("notifications_seen_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .drop_column(a("notifications_seen_at"))
                .to_owned(),
        )
        .await
    }
}
