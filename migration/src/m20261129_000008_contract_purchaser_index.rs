//! A finance officer's contract list without a status filter (`purchaser_id = ? ORDER BY id`)
//! read from an index range instead of walking the primary key and dropping other
//! purchasers' rows (the status-filtered list has `(purchaser_id, status, id)`).

use sea_orm_migration::prelude::*;

use crate::util::{a, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("contract", &["purchaser_id", "id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_contract_purchaser_id_id")
                .table(a("contract"))
                .to_owned(),
        )
        .await
    }
}
