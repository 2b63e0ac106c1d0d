//! Payment requests (SPEC §9): the organisation asks to be paid, an officer verifies, an
//! approver (`app_user.approver`) approves, and only then is a payment recorded against the
//! request (`payment.payment_request_id`, unique). The payments recorded before requests
//! existed each get a request in state `paid`, marked `migrated`, with the payment's recorder
//! as submitter, verifier and approver; the request takes the payment's id, so the two are
//! paired without generating keys in SQL and the audit events of the payments stay as they
//! were. On PostgreSQL `payment.payment_request_id` is then `NOT NULL`; SQLite cannot add that
//! to an existing column, so there the service is what guarantees it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::util::{a, drop_index, fk, index, money, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKFILL: [&str; 2] = [
    "INSERT INTO payment_request (id, contract_id, purchaser_id, organisation_id, milestone_id, \
     amount_fen, invoice_no, invoice_date, note, status, submitted_by, submitted_at, verified_by, \
     verified_at, approved_by, approved_at, payment_id, migrated, status_changed_at, created_at, \
     updated_at) \
     SELECT p.id, p.contract_id, p.purchaser_id, c.organisation_id, p.milestone_id, p.amount_fen, \
     p.voucher_no, p.paid_on, '', 'paid', p.recorded_by, p.created_at, p.recorded_by, \
     p.created_at, p.recorded_by, p.created_at, p.id, TRUE, p.created_at, p.created_at, \
     p.created_at \
     FROM payment p JOIN contract c ON c.id = p.contract_id",
    "UPDATE payment SET payment_request_id = id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .add_column(boolean(a("approver")).default(false))
                .to_owned(),
        )
        .await?;

        let mut t = Table::create();
        t.table(a("payment_request"))
            .col(pk_uuid(a("id")))
            .col(uuid(a("contract_id")))
            // Copied from the contract: the scopes and the queues read by them.
            .col(uuid(a("purchaser_id")))
            .col(uuid(a("organisation_id")))
            .col(uuid_null(a("milestone_id")))
            .col(money("amount_fen"))
            .col(string_len(a("invoice_no"), 64))
            .col(date(a("invoice_date")))
            .col(text(a("note")))
            .col(string_len(a("status"), 16))
            .col(uuid(a("submitted_by")))
            .col(timestamp_with_time_zone(a("submitted_at")))
            .col(uuid_null(a("verified_by")))
            .col(timestamp_with_time_zone_null(a("verified_at")))
            .col(uuid_null(a("approved_by")))
            .col(timestamp_with_time_zone_null(a("approved_at")))
            .col(uuid_null(a("second_approved_by")))
            .col(timestamp_with_time_zone_null(a("second_approved_at")))
            .col(uuid_null(a("returned_by")))
            .col(text_null(a("return_comment")))
            .col(uuid_null(a("payment_id")))
            .col(boolean(a("migrated")).default(false))
            // When the request entered its status: how long it has waited there.
            .col(timestamp_with_time_zone(a("status_changed_at")))
            .foreign_key(&mut fk(
                ("payment_request", "contract_id"),
                ("contract", "id"),
            ))
            .foreign_key(&mut fk(
                ("payment_request", "milestone_id"),
                ("milestone", "id"),
            ));
        stamps(&mut t);
        m.create_table(t).await?;
        for cols in [
            &["contract_id", "id"][..],
            &["milestone_id", "status"],
            &["purchaser_id", "status", "status_changed_at"],
            &["organisation_id", "status", "status_changed_at"],
            &["status", "status_changed_at"],
        ] {
            m.create_index(index("payment_request", cols)).await?;
        }

        m.alter_table(
            Table::alter()
                .table(a("payment"))
                .add_column(uuid_null(a("payment_request_id")))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in BACKFILL {
            db.execute_unprepared(sql).await?;
        }
        m.create_index(index("payment", &["payment_request_id"]).unique().take())
            .await?;
        m.create_index(index("payment_request", &["payment_id"]).unique().take())
            .await?;
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE payment ALTER COLUMN payment_request_id SET NOT NULL, \
                 ADD CONSTRAINT fk_payment_payment_request FOREIGN KEY (payment_request_id) \
                 REFERENCES payment_request (id)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE payment DROP CONSTRAINT IF EXISTS fk_payment_payment_request",
            )
            .await?;
        }
        m.drop_index(drop_index("payment", "ix_payment_payment_request_id"))
            .await?;
        m.alter_table(
            Table::alter()
                .table(a("payment"))
                .drop_column(a("payment_request_id"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(a("payment_request")).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(a("app_user"))
                .drop_column(a("approver"))
                .to_owned(),
        )
        .await
    }
}
