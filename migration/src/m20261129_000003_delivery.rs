//! Delivery and money: milestones, indicators, reports with measurements and attachments, and
//! payments. Payments carry their purchaser (for the voucher's uniqueness) and budget line
//! (for `disbursed`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::util::{a, fk, index, money, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "a migration is a table of tables, columns and indexes, read top to bottom"
    )]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(a("milestone"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            .col(string(a("title")))
            .col(text(a("description")))
            .col(date(a("due_date")))
            .col(money("amount_fen"))
            .col(string_len(a("status"), 16))
            .col(text_null(a("status_reason")))
            .col(integer_null(a("score_tenths")))
            .col(big_integer_null(a("payable_fen")))
            .col(timestamp_with_time_zone_null(a("accepted_at")))
            .foreign_key(&mut fk(("milestone", "contract_id"), ("contract", "id")));
        stamps(&mut t);
        m.create_table(t).await?;
        m.create_index(index("milestone", &["contract_id", "due_date"]))
            .await?;
        m.create_index(index("milestone", &["status", "due_date"]))
            .await?;
        m.create_index(index("milestone", &["due_date"])).await?;

        let mut t = Table::create();
        t.table(a("indicator"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            .col(string_len(a("code"), 64))
            .col(string(a("name")))
            .col(string_len(a("unit"), 32))
            .col(big_integer(a("target_e4")))
            .col(string_len(a("comparator"), 16))
            .col(string_len(a("measure"), 16))
            .col(integer(a("weight")))
            .foreign_key(&mut fk(("indicator", "contract_id"), ("contract", "id")));
        stamps(&mut t);
        m.create_table(t).await?;
        m.create_index(index("indicator", &["contract_id", "code"]).unique().take())
            .await?;

        let mut t = Table::create();
        t.table(a("milestone_report"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("milestone_id")))
            .col(uuid(a("contract_id")))
            .col(text(a("summary")))
            .col(timestamp_with_time_zone(a("submitted_at")))
            .col(uuid(a("submitted_by")))
            .col(string_len_null(a("idempotency_key"), 128))
            .col(string_len_null(a("decision"), 16))
            .col(text_null(a("review_comment")))
            .col(uuid_null(a("decided_by")))
            .col(timestamp_with_time_zone_null(a("decided_at")))
            .foreign_key(&mut fk(
                ("milestone_report", "milestone_id"),
                ("milestone", "id"),
            ));
        m.create_table(t).await?;
        m.create_index(index("milestone_report", &["milestone_id", "submitted_at"]))
            .await?;
        m.create_index(
            index("milestone_report", &["milestone_id", "idempotency_key"])
                .unique()
                .take(),
        )
        .await?;

        let mut t = Table::create();
        t.table(a("measurement"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("report_id")))
            .col(uuid(a("contract_id")))
            .col(uuid(a("indicator_id")))
            .col(big_integer(a("value_e4")).check(Expr::col(a("value_e4")).gte(0)))
            .col(timestamp_with_time_zone(a("submitted_at")))
            .foreign_key(&mut fk(
                ("measurement", "report_id"),
                ("milestone_report", "id"),
            ))
            .foreign_key(&mut fk(
                ("measurement", "indicator_id"),
                ("indicator", "id"),
            ));
        m.create_table(t).await?;
        m.create_index(
            index("measurement", &["report_id", "indicator_id"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index("measurement", &["indicator_id", "submitted_at"]))
            .await?;

        let mut t = Table::create();
        t.table(a("attachment"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("report_id")))
            .col(string(a("file_name")))
            .col(string_len(a("content_type"), 64))
            .col(big_integer(a("size")))
            .col(string_len(a("sha256"), 64))
            .foreign_key(&mut fk(
                ("attachment", "report_id"),
                ("milestone_report", "id"),
            ));
        m.create_table(t).await?;
        m.create_index(index("attachment", &["report_id", "sha256"]))
            .await?;

        let mut t = Table::create();
        t.table(a("payment"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            .col(uuid_null(a("milestone_id")))
            .col(uuid(a("purchaser_id")))
            .col(uuid(a("budget_line_id")))
            .col(money("amount_fen"))
            .col(date(a("paid_on")))
            .col(string_len(a("voucher_no"), 64))
            .col(uuid(a("recorded_by")))
            .col(timestamp_with_time_zone(a("created_at")))
            .foreign_key(&mut fk(("payment", "contract_id"), ("contract", "id")))
            .foreign_key(&mut fk(("payment", "milestone_id"), ("milestone", "id")))
            .foreign_key(&mut fk(
                ("payment", "budget_line_id"),
                ("budget_line", "id"),
            ));
        m.create_table(t).await?;
        m.create_index(
            index("payment", &["purchaser_id", "voucher_no"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index("payment", &["contract_id", "id"]))
            .await?;
        m.create_index(index("payment", &["milestone_id"])).await?;
        m.create_index(index("payment", &["budget_line_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "payment",
            "attachment",
            "measurement",
            "milestone_report",
            "indicator",
            "milestone",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
