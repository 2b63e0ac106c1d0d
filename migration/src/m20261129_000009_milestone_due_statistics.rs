//! PostgreSQL statistics on `milestone (status, due_date)` together. Open milestones are
//! rarely past due while accepted ones mostly are; estimated as independent columns, the
//! reminder job's due set (`status IN (open) AND due_date < today`) looks like a fifth of the
//! table, and the planner reads the whole table instead of the `(status, due_date)` index once
//! the table is large. A multivariate MCV list (up to 1,000 combinations) makes the estimate
//! follow the data. SQLite's planner takes the index anyway; nothing to do there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE STATISTICS st_milestone_status_due (mcv) ON status, due_date FROM milestone",
        )
        .await?;
        db.execute_unprepared("ALTER STATISTICS st_milestone_status_due SET STATISTICS 1000")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared("DROP STATISTICS IF EXISTS st_milestone_status_due")
            .await?;
        Ok(())
    }
}
