//! The jobs of SPEC §5, one module each. Every job reads its due set with one set-based
//! statement over an index, gathers recipients with a few more (never one per row), and
//! queues its messages with multi-row inserts in the run's transaction.

pub mod audit_anchor;
pub mod budget_watch;
pub mod contract_expiry;
pub mod file_sweep;
pub mod indicator_check;
pub mod milestone_reminders;
pub mod payment_request_reminders;
pub mod post_vacancy_check;
pub mod send_notifications;

use chrono::{Datelike, NaiveDate};
use sea_orm::StatementBuilder;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

/// Runs a statement built with sea-query on the connection's database, reading its rows as `T`.
pub(crate) async fn query<T: FromQueryResult>(
    db: &impl ConnectionTrait,
    stmt: &impl StatementBuilder,
) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(db.get_database_backend().build(stmt))
        .all(db)
        .await
}

/// The ISO week of a date, e.g. `2026-W10`: the step of weekly reminders.
pub(crate) fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}
