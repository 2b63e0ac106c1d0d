//! Procurement: tenders, sealed bids, contracts with amendments, funded posts and their
//! assignments. Every list filter and every budget figure has an index.

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
        t.table(a("tender"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("purchaser_id")))
            .col(uuid(a("budget_line_id")))
            .col(string(a("title")))
            .col(text(a("description")))
            .col(string_len(a("service_category"), 16))
            .col(string_len(a("division_code"), 12))
            .col(string_len(a("method"), 32))
            .col(money("ceiling_fen"))
            .col(timestamp_with_time_zone(a("bid_deadline")))
            .col(date(a("service_start")))
            .col(date(a("service_end")))
            .col(text_null(a("multi_year_reason")))
            .col(string_len(a("status"), 16))
            .col(text_null(a("status_reason")))
            .col(timestamp_with_time_zone_null(a("published_at")))
            .col(uuid_null(a("awarded_bid_id")))
            .col(uuid(a("created_by")))
            .foreign_key(&mut fk(("tender", "purchaser_id"), ("purchaser", "id")))
            .foreign_key(&mut fk(("tender", "budget_line_id"), ("budget_line", "id")));
        stamps(&mut t);
        m.create_table(t).await?;
        for cols in [
            &["purchaser_id", "status", "id"][..],
            &["status", "id"],
            &["budget_line_id", "status"],
            &["service_category", "id"],
            &["division_code", "id"],
            &["bid_deadline"],
        ] {
            m.create_index(index("tender", cols)).await?;
        }

        let mut t = Table::create();
        t.table(a("bid"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("tender_id")))
            .col(uuid(a("organisation_id")))
            .col(money("amount_fen"))
            .col(text(a("proposal")))
            .col(timestamp_with_time_zone(a("submitted_at")))
            .col(uuid(a("submitted_by")))
            .col(integer_null(a("score_tenths")))
            .foreign_key(&mut fk(("bid", "tender_id"), ("tender", "id")))
            .foreign_key(&mut fk(("bid", "organisation_id"), ("organisation", "id")));
        m.create_table(t).await?;
        m.create_index(
            index("bid", &["tender_id", "organisation_id"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(index("bid", &["organisation_id"])).await?;

        let mut t = Table::create();
        t.table(a("contract"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("purchaser_id")))
            .col(uuid(a("organisation_id")))
            .col(uuid_null(a("tender_id")))
            .col(uuid_null(a("bid_id")))
            .col(uuid(a("budget_line_id")))
            .col(string(a("title")))
            .col(string_len(a("service_category"), 16))
            .col(string_len(a("division_code"), 12))
            .col(money("value_fen"))
            .col(big_integer_null(a("signed_value_fen")))
            .col(date(a("start_date")))
            .col(date(a("end_date")))
            .col(string_len(a("status"), 16))
            .col(text_null(a("status_reason")))
            .col(timestamp_with_time_zone_null(a("signed_at")))
            .col(uuid(a("responsible_officer_id")))
            .col(text_null(a("direct_award_reason")))
            .col(text_null(a("multi_year_reason")))
            .col(integer(a("full_pay_score_tenths")))
            .col(integer(a("min_pay_score_tenths")))
            .foreign_key(&mut fk(("contract", "purchaser_id"), ("purchaser", "id")))
            .foreign_key(&mut fk(
                ("contract", "organisation_id"),
                ("organisation", "id"),
            ))
            .foreign_key(&mut fk(("contract", "tender_id"), ("tender", "id")))
            .foreign_key(&mut fk(
                ("contract", "budget_line_id"),
                ("budget_line", "id"),
            ))
            .foreign_key(&mut fk(
                ("contract", "responsible_officer_id"),
                ("app_user", "id"),
            ));
        stamps(&mut t);
        m.create_table(t).await?;
        for cols in [
            &["purchaser_id", "status", "id"][..],
            &["organisation_id", "status", "id"],
            &["status", "id"],
            &["budget_line_id", "status"],
            &["tender_id"],
        ] {
            m.create_index(index("contract", cols)).await?;
        }

        let mut t = Table::create();
        t.table(a("amendment"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            .col(big_integer(a("old_value_fen")))
            .col(big_integer(a("new_value_fen")))
            .col(date(a("old_end_date")))
            .col(date(a("new_end_date")))
            .col(text(a("reason")))
            .col(uuid(a("created_by")))
            .col(timestamp_with_time_zone(a("created_at")))
            .foreign_key(&mut fk(("amendment", "contract_id"), ("contract", "id")));
        m.create_table(t).await?;
        m.create_index(index("amendment", &["contract_id", "id"]))
            .await?;

        let mut t = Table::create();
        t.table(a("post"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            .col(string(a("title")))
            .col(string_len(a("division_code"), 12))
            .col(string_len(a("required_qualification"), 32))
            .col(money("annual_funding_fen"))
            .col(date(a("start_date")))
            .col(date(a("end_date")))
            .foreign_key(&mut fk(("post", "contract_id"), ("contract", "id")));
        stamps(&mut t);
        m.create_table(t).await?;
        m.create_index(index("post", &["contract_id", "id"]))
            .await?;

        let mut t = Table::create();
        t.table(a("post_assignment"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("post_id")))
            .col(string(a("worker_name")))
            .col(string_len(a("qualification"), 32))
            .col(string_null(a("certificate_no")))
            .col(string_len(a("id_number_last4"), 4))
            .col(string_len(a("id_number_hmac"), 64))
            .col(date(a("from_date")))
            .col(date_null(a("to_date")))
            .foreign_key(&mut fk(("post_assignment", "post_id"), ("post", "id")));
        stamps(&mut t);
        m.create_table(t).await?;
        m.create_index(index("post_assignment", &["post_id", "from_date"]))
            .await?;
        m.create_index(index("post_assignment", &["id_number_hmac"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "post_assignment",
            "post",
            "amendment",
            "contract",
            "bid",
            "tender",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
