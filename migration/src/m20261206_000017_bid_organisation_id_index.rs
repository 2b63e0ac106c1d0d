//! An organisation's own bids, newest first (`organisation_id = ? ORDER BY id DESC`, the
//! `/bids` page) read from one index range instead of sorting all its bids for each page. The
//! index replaces `(organisation_id)`, of which it is an extension.

use sea_orm_migration::prelude::*;

use crate::util::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("bid", &["organisation_id", "id"]))
            .await?;
        m.drop_index(drop_index("bid", "ix_bid_organisation_id"))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("bid", &["organisation_id"])).await?;
        m.drop_index(drop_index("bid", "ix_bid_organisation_id_id"))
            .await
    }
}
