//! A budget line keeps its `reserved`, `committed` and `disbursed` (SPEC §2) as totals that
//! every change moving them updates in its own transaction, so that reading a line no longer
//! sums its whole history. Filled here from the records, with the same definitions the
//! application's recount uses (`entity::queries`); `huimin verify budgets` compares the two.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::a;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TOTALS: [&str; 3] = ["reserved_fen", "committed_fen", "disbursed_fen"];

/// The totals as SPEC §2 defines them, as of this migration.
const BACKFILL: &str = "UPDATE budget_line SET \
    reserved_fen = COALESCE((SELECT SUM(t.ceiling_fen) FROM tender t WHERE t.budget_line_id = budget_line.id \
    AND (t.status IN ('published', 'closed') OR (t.status = 'awarded' AND EXISTS \
    (SELECT 1 FROM contract d WHERE d.tender_id = t.id AND d.status = 'draft')))), 0), \
    committed_fen = COALESCE((SELECT SUM(CASE WHEN c.status = 'active' THEN c.value_fen ELSE \
    COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.contract_id = c.id AND p.milestone_id IS NULL), 0) \
    + COALESCE((SELECT SUM(m.payable_fen) FROM milestone m WHERE m.contract_id = c.id AND m.status = 'accepted'), 0) END) \
    FROM contract c WHERE c.budget_line_id = budget_line.id AND c.status IN ('active', 'completed', 'terminated')), 0), \
    disbursed_fen = COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.budget_line_id = budget_line.id), 0)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one column at a time.
        for c in TOTALS {
            m.alter_table(
                Table::alter()
                    .table(a("budget_line"))
                    .add_column(big_integer(a(c)).default(0))
                    .to_owned(),
            )
            .await?;
        }
        m.get_connection().execute_unprepared(BACKFILL).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in TOTALS {
            m.alter_table(
                Table::alter()
                    .table(a("budget_line"))
                    .drop_column(a(c))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
