//! A budget line's disbursed sum (`SUM(amount_fen) WHERE budget_line_id = ?`: every payment's
//! check against its line, and every read of the line) read from the index alone: the line's
//! index carries each payment's amount, so the sum needs no table row per payment.

use sea_orm_migration::prelude::*;

use crate::util::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("payment", &["budget_line_id", "amount_fen"]))
            .await?;
        m.drop_index(drop_index("payment", "ix_payment_budget_line_id"))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("payment", &["budget_line_id"]))
            .await?;
        m.drop_index(drop_index(
            "payment",
            "ix_payment_budget_line_id_amount_fen",
        ))
        .await
    }
}
