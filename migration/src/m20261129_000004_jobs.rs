//! Scheduled jobs and the notification outbox, and the index `contract_expiry` reads.

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{a, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("job_run"))
            .col(pk_uuid(a("id")))
            .col(string_len(a("job"), 64))
            .col(timestamp_with_time_zone(a("scheduled_for")))
            .col(timestamp_with_time_zone(a("started_at")))
            .col(timestamp_with_time_zone_null(a("finished_at")))
            .col(string_len(a("outcome"), 16))
            .col(big_integer(a("examined")))
            .col(big_integer(a("notified")))
            .col(big_integer(a("errors")))
            .col(text_null(a("error")));
        m.create_table(t).await?;
        m.create_index(index("job_run", &["job", "scheduled_for"]).unique().take())
            .await?;
        m.create_index(index("job_run", &["started_at"])).await?;

        let mut t = Table::create();
        t.table(a("notification"))
            .col(pk_uuid(a("id")))
            .col(uuid_null(a("recipient_user_id")))
            .col(string(a("recipient_email")))
            .col(uuid_null(a("organisation_id")))
            .col(string_len(a("kind"), 64))
            .col(text(a("subject")))
            .col(text(a("body_text")))
            .col(text(a("body_html")))
            .col(string_len_uniq(a("dedupe_key"), 400))
            .col(uuid_null(a("job_run_id")))
            .col(string_len(a("status"), 16))
            .col(integer(a("attempts")))
            .col(timestamp_with_time_zone(a("next_attempt_at")))
            .col(timestamp_with_time_zone_null(a("lease_until")))
            .col(text_null(a("last_error")))
            .col(string_null(a("message_id")))
            .col(timestamp_with_time_zone_null(a("sent_at")))
            .col(timestamp_with_time_zone(a("created_at")));
        m.create_table(t).await?;
        m.create_index(index("notification", &["status", "next_attempt_at"]))
            .await?;
        m.create_index(index("notification", &["recipient_user_id", "id"]))
            .await?;
        m.create_index(index("notification", &["organisation_id", "id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["notification", "job_run"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
