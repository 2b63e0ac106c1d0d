//! A budget line's disbursed sum (`SUM(amount_fen) WHERE budget_line_id = ?`: every payment's
//! check against its line, and every read of the line) read from the index alone: the line's
//! index carries each payment's amount, so the sum needs no table row per payment.

use sea_orm_migration::prelude::*;

use crate::util::{a, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("payment", &["budget_line_id", "amount_fen"]))
            .await?;
        drop_payment_index(m, "ix_payment_budget_line_id").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("payment", &["budget_line_id"]))
            .await?;
        drop_payment_index(m, "ix_payment_budget_line_id_amount_fen").await
    }
}

async fn drop_payment_index(m: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    m.drop_index(Index::drop().name(name).table(a("payment")).to_owned())
        .await
}
