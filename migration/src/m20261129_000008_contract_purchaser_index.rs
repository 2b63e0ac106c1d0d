//! A finance officer's contract list without a status filter (`purchaser_id = ? ORDER BY id`)
//! read from an index range instead of walking the primary key and dropping other
//! purchasers' rows (the status-filtered list has `(purchaser_id, status, id)`).

use sea_orm_migration::prelude::*;

use crate::util::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("contract", &["purchaser_id", "id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(drop_index("contract", "ix_contract_purchaser_id_id"))
            .await
    }
}
