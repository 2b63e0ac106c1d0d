//! Set-based read queries and database plumbing that `backend` and `jobs` both need. Unlike [`crate::rules`], these
//! touch the database; like them, they hold no policy (no scopes, no HTTP).

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, QuerySelect, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use uuid::Uuid;

use crate::model::{budget_line, organisation};
use crate::rules::vocab::OrgStatus;

/// The organisations active on `today`: `active`, or suspended or blacklisted until a day
/// before it (SPEC §2: such a status ends by itself; see `rules::procurement::org_status_on`).
pub fn organisation_active_on(today: chrono::NaiveDate) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(organisation::Column::Status.eq(OrgStatus::Active.as_str()))
        .add(organisation::Column::StatusUntil.lt(today))
}

/// What other records hold against a line, in fen.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub reserved_fen: i64,
    pub committed_fen: i64,
    pub disbursed_fen: i64,
}

/// A line's `reserved` (SPEC §2): the ceilings of its tenders open for bids or closed, and
/// of awarded ones whose contract is still a draft. An expression over `budget_line.id`.
pub const RESERVED_SQL: &str = "CAST(COALESCE((SELECT SUM(t.ceiling_fen) FROM tender t WHERE t.budget_line_id = budget_line.id \
    AND (t.status IN ('published', 'closed') OR (t.status = 'awarded' AND EXISTS \
    (SELECT 1 FROM contract d WHERE d.tender_id = t.id AND d.status = 'draft')))), 0) AS BIGINT)";

/// A line's `committed`: the value of its active contracts; an ended contract keeps what it
/// earned — what was paid on it plus the unpaid payable of its accepted milestones, which (a
/// milestone being paid only once accepted and never above its payable) is its advances plus
/// the payable of its accepted milestones.
pub const COMMITTED_SQL: &str = "CAST(COALESCE((SELECT SUM(CASE WHEN c.status = 'active' THEN c.value_fen ELSE \
    COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.contract_id = c.id AND p.milestone_id IS NULL), 0) \
    + COALESCE((SELECT SUM(m.payable_fen) FROM milestone m WHERE m.contract_id = c.id AND m.status = 'accepted'), 0) END) \
    FROM contract c WHERE c.budget_line_id = budget_line.id AND c.status IN ('active', 'completed', 'terminated')), 0) AS BIGINT)";

/// A line's `disbursed`: the sum of its payments.
pub const DISBURSED_SQL: &str = "CAST(COALESCE((SELECT SUM(p.amount_fen) FROM payment p WHERE p.budget_line_id = budget_line.id), 0) AS BIGINT)";

/// Adds the three figures (`reserved_fen`, `committed_fen`, `disbursed_fen`) to a select of
/// budget lines: one statement, each figure an index lookup per line.
pub fn with_figures<S: QuerySelect>(select: S) -> S {
    select
        .column_as(Expr::cust(RESERVED_SQL), "reserved_fen")
        .column_as(Expr::cust(COMMITTED_SQL), "committed_fen")
        .column_as(Expr::cust(DISBURSED_SQL), "disbursed_fen")
}

/// The derived figures of the given lines (SPEC §2), in one statement.
pub async fn budget_figures(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Figures>, DbErr> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<(Uuid, i64, i64, i64)> = with_figures(
            budget_line::Entity::find()
                .select_only()
                .column(budget_line::Column::Id),
        )
        .filter(budget_line::Column::Id.is_in(chunk.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
        for (id, reserved_fen, committed_fen, disbursed_fen) in rows {
            out.insert(
                id,
                Figures {
                    reserved_fen,
                    committed_fen,
                    disbursed_fen,
                },
            );
        }
    }
    Ok(out)
}

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

/// The newest sealed event of the audit chain: what a witness outside the database keeps
/// (SPEC §2 `audit_event`), so that deleting the newest events is caught later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The audit chain's head (its highest sealed `seq`), or `None` while nothing is sealed.
/// Events not yet sealed are not in the chain yet: seal first for a head that includes every
/// committed write.
pub async fn audit_head(db: &impl ConnectionTrait) -> Result<Option<AuditHead>, DbErr> {
    use crate::model::audit_event;
    use sea_orm::QueryOrder;
    let row = audit_event::Entity::find()
        .select_only()
        .columns([
            audit_event::Column::Seq,
            audit_event::Column::Hash,
            audit_event::Column::At,
        ])
        .filter(audit_event::Column::Seq.is_not_null())
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .into_tuple::<(i64, String, chrono::DateTime<chrono::Utc>)>()
        .one(db)
        .await?;
    Ok(row.map(|(seq, hash, at)| AuditHead { seq, hash, at }))
}
