//! `app_user.must_change_password` (SPEC §2): set when an admin creates a user or resets a
//! password, cleared when the user changes it; until then the user may do nothing else.

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
                .add_column(boolean(a("must_change_password")).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .drop_column(a("must_change_password"))
                .to_owned(),
        )
        .await
    }
}
