//! Set-based read queries and database plumbing that `backend` and `jobs` both need. Unlike [`crate::rules`], these
//! touch the database; like them, they hold no policy (no scopes, no HTTP).

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, ExprTrait, QueryFilter, QuerySelect, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::model::{contract, payment, tender};
use crate::rules::vocab::{ContractStatus, TenderStatus};

/// What other records hold against a line, in fen.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub reserved_fen: i64,
    pub committed_fen: i64,
    pub disbursed_fen: i64,
}

/// The derived figures of the given lines (SPEC §2), one grouped query per source table,
/// over the `(budget_line_id, status)` indexes.
pub async fn budget_figures(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Figures>, DbErr> {
    let mut out: HashMap<Uuid, Figures> = ids.iter().map(|id| (*id, Figures::default())).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    // Reserved: tenders open for bids or closed, and awarded ones whose contract is a draft.
    let draft_contract = Query::select()
        .expr(Expr::val(1))
        .from(contract::Entity)
        .and_where(
            Expr::col((contract::Entity, contract::Column::TenderId))
                .equals((tender::Entity, tender::Column::Id)),
        )
        .and_where(
            Expr::col((contract::Entity, contract::Column::Status))
                .eq(ContractStatus::Draft.as_str()),
        )
        .take();
    let reserved = tender::Entity::find()
        .select_only()
        .column(tender::Column::BudgetLineId)
        .column_as(Expr::cust("CAST(SUM(tender.ceiling_fen) AS BIGINT)"), "n")
        .filter(tender::Column::BudgetLineId.is_in(ids.to_vec()))
        .filter(
            Condition::any()
                .add(tender::Column::Status.is_in([
                    TenderStatus::Published.as_str(),
                    TenderStatus::Closed.as_str(),
                ]))
                .add(
                    Condition::all()
                        .add(tender::Column::Status.eq(TenderStatus::Awarded.as_str()))
                        .add(Expr::exists(draft_contract)),
                ),
        )
        .group_by(tender::Column::BudgetLineId)
        .into_tuple::<(Uuid, i64)>();
    // Committed: the value of active contracts; an ended contract keeps only what it earned.
    let committed = contract::Entity::find()
        .select_only()
        .column(contract::Column::BudgetLineId)
        .column_as(Expr::cust(COMMITTED_SQL), "n")
        .filter(contract::Column::BudgetLineId.is_in(ids.to_vec()))
        .filter(contract::Column::Status.is_in(COMMITTING))
        .group_by(contract::Column::BudgetLineId)
        .into_tuple::<(Uuid, i64)>();
    let disbursed = payment::Entity::find()
        .select_only()
        .column(payment::Column::BudgetLineId)
        .column_as(Expr::cust("CAST(SUM(payment.amount_fen) AS BIGINT)"), "n")
        .filter(payment::Column::BudgetLineId.is_in(ids.to_vec()))
        .group_by(payment::Column::BudgetLineId)
        .into_tuple::<(Uuid, i64)>();
    // The three are independent: on a pool they run at once.
    let (reserved, committed, disbursed) =
        futures::try_join!(reserved.all(db), committed.all(db), disbursed.all(db))?;
    for (id, n) in reserved {
        out.entry(id).or_default().reserved_fen = n;
    }
    for (id, n) in committed {
        out.entry(id).or_default().committed_fen = n;
    }
    for (id, n) in disbursed {
        out.entry(id).or_default().disbursed_fen = n;
    }
    Ok(out)
}

/// Contract statuses that hold money on their line.
const COMMITTING: [&str; 3] = ["active", "completed", "terminated"];

/// What a contract holds on its line: the whole value while active; once ended, what was
/// paid on it plus the unpaid payable of its accepted milestones. A milestone is never paid
/// more than its payable and only once accepted, so that is its advances plus the payable of
/// its accepted milestones.
const COMMITTED_SQL: &str = "CAST(SUM(CASE WHEN contract.status = 'active' THEN contract.value_fen ELSE \
    COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.contract_id = contract.id AND p.milestone_id IS NULL), 0) \
    + COALESCE((SELECT SUM(m.payable_fen) FROM milestone m WHERE m.contract_id = contract.id AND m.status = 'accepted'), 0) \
    END) AS BIGINT)";

/// Begins a transaction that will write: `BEGIN IMMEDIATE` on SQLite (so writers queue on
/// the busy timeout instead of failing when a read upgrades to a write), plain on PostgreSQL.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let mode = (db.get_database_backend() == DbBackend::Sqlite)
        .then_some(SqliteTransactionMode::Immediate);
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: mode,
        ..Default::default()
    })
    .await
}

/// SQL written with `$1, $2 …` placeholders, for the connection's backend (SQLite takes the
/// numbered form `?1, ?2 …`).
pub fn numbered(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_string(),
    }
}
