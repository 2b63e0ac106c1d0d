//! `chain_check`: every verification of the audit chain and its result, so the supervisor's
//! home shows the chain's last verification (when, by whom, intact or where it broke).
//! `checked_by` is the user who verified through the API or the web pages; NULL is the
//! command line (`huimin audit verify`). Read newest first, through the index on `checked_at`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{a, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("chain_check"))
            .col(pk_uuid(a("id")))
            .col(timestamp_with_time_zone(a("checked_at")))
            .col(uuid_null(a("checked_by")))
            .col(boolean(a("intact")))
            .col(big_integer(a("checked")))
            .col(big_integer_null(a("first_bad_seq")))
            .col(big_integer_null(a("head_seq")))
            .foreign_key(&mut fk(("chain_check", "checked_by"), ("app_user", "id")));
        m.create_table(t).await?;
        m.create_index(index("chain_check", &["checked_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("chain_check")).to_owned())
            .await
    }
}
