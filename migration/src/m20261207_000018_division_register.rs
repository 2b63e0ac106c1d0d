//! `division`: the register of division names (SPEC §2), so that pages and reports show a
//! county's, a township's or a village's name beside its code. `parent_code` is derived from
//! the code (a village's township, a township's county) and indexed for the list of a
//! division's children; it is not a foreign key, since a register may be loaded village by
//! village before its county.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{a, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("division"))
            .col(string_len(a("code"), 12).primary_key())
            .col(text(a("name")))
            .col(string_len_null(a("parent_code"), 12));
        m.create_table(t).await?;
        m.create_index(index("division", &["parent_code"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("division")).to_owned())
            .await
    }
}
