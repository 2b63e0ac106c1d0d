//! Supervision: audit findings on contracts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{a, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("finding"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            .col(uuid(a("purchaser_id")))
            .col(uuid(a("organisation_id")))
            .col(string_len(a("severity"), 8))
            .col(text(a("text")))
            .col(string_len(a("status"), 16))
            .col(text_null(a("response")))
            .col(text_null(a("resolution")))
            .col(uuid(a("created_by")))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(uuid_null(a("responded_by")))
            .col(timestamp_with_time_zone_null(a("responded_at")))
            .col(uuid_null(a("resolved_by")))
            .col(timestamp_with_time_zone_null(a("resolved_at")))
            .foreign_key(&mut fk(("finding", "contract_id"), ("contract", "id")));
        m.create_table(t).await?;
        m.create_index(index("finding", &["contract_id", "id"]))
            .await?;
        m.create_index(index("finding", &["status", "organisation_id"]))
            .await?;
        m.create_index(index("finding", &["purchaser_id", "status"]))
            .await?;
        // The audit API filters by actor and time.
        m.create_index(index("audit_event", &["entity_id", "seq"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("finding")).to_owned())
            .await
    }
}
