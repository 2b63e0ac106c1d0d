//! Keyset scans for the OCDS export: direct awards (`tender_id IS NULL`) and a purchaser's
//! tenders read in id order from an index range, never sorted page by page. The contract
//! index replaces `(tender_id)`, of which it is an extension.

use sea_orm_migration::prelude::*;

use crate::util::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("contract", &["tender_id", "id"]))
            .await?;
        m.drop_index(drop_index("contract", "ix_contract_tender_id"))
            .await?;
        m.create_index(index("tender", &["purchaser_id", "id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(drop_index("tender", "ix_tender_purchaser_id_id"))
            .await?;
        m.create_index(index("contract", &["tender_id"])).await?;
        m.drop_index(drop_index("contract", "ix_contract_tender_id_id"))
            .await
    }
}
