//! Set-based read queries and database plumbing that `backend` and `jobs` both need. Unlike [`crate::rules`], these
//! touch the database; like them, they hold no policy (no scopes, no HTTP).

use sea_orm::sea_query::{Expr, ExprTrait};
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
        .add(organisation::Column::Status.eq(OrgStatus::Active))
        .add(organisation::Column::StatusUntil.lt(today))
}

/// What other records hold against a line, in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub reserved_fen: i64,
    pub committed_fen: i64,
    pub disbursed_fen: i64,
}

impl Figures {
    /// The totals a line row keeps.
    pub fn of(line: &budget_line::Model) -> Figures {
        Figures {
            reserved_fen: line.reserved_fen,
            committed_fen: line.committed_fen,
            disbursed_fen: line.disbursed_fen,
        }
    }
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

/// Counts the totals of the given lines afresh from their tenders, contracts and payments and
/// keeps them. Call it after a change that moves them, with the lines already locked by this
/// transaction: the lock makes any other change wait, and this statement's snapshot, taken
/// after the lock was granted, sees every change committed before it.
pub async fn recount_budget_lines(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<(), DbErr> {
    for chunk in ids.chunks(1000) {
        budget_line::Entity::update_many()
            .col_expr(budget_line::Column::ReservedFen, Expr::cust(RESERVED_SQL))
            .col_expr(budget_line::Column::CommittedFen, Expr::cust(COMMITTED_SQL))
            .col_expr(budget_line::Column::DisbursedFen, Expr::cust(DISBURSED_SQL))
            .filter(budget_line::Column::Id.is_in(chunk.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Moves a line's kept totals by the given amounts (a change whose effect on them is known
/// exactly: a payment), unless its payments would then exceed its amount; answers whether it
/// moved them. One statement: it takes the line's row lock itself and checks the row as it is
/// once the lock is granted, so concurrent payments on one line queue here and never overdraw.
pub async fn shift_budget_line(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: Figures,
) -> Result<bool, DbErr> {
    use budget_line::Column as C;
    let done = budget_line::Entity::update_many()
        .col_expr(
            C::ReservedFen,
            Expr::col(C::ReservedFen).add(by.reserved_fen),
        )
        .col_expr(
            C::CommittedFen,
            Expr::col(C::CommittedFen).add(by.committed_fen),
        )
        .col_expr(
            C::DisbursedFen,
            Expr::col(C::DisbursedFen).add(by.disbursed_fen),
        )
        .filter(C::Id.eq(id))
        .filter(
            Expr::col(C::DisbursedFen)
                .add(by.disbursed_fen)
                .lte(Expr::col(C::AmountFen)),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// A line whose kept totals differ from what its records add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetMismatch {
    pub id: Uuid,
    pub code: String,
    pub fiscal_year: i32,
    pub kept: Figures,
    pub counted: Figures,
}

/// Every line whose kept totals are not what its records add up to (a whole scan: for
/// `huimin verify budgets` and the tests, not for requests).
pub async fn budget_mismatches(db: &impl ConnectionTrait) -> Result<Vec<BudgetMismatch>, DbErr> {
    type Row = (Uuid, String, i32, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = budget_line::Entity::find()
        .select_only()
        .columns([
            budget_line::Column::Id,
            budget_line::Column::Code,
            budget_line::Column::FiscalYear,
            budget_line::Column::ReservedFen,
            budget_line::Column::CommittedFen,
            budget_line::Column::DisbursedFen,
        ])
        .column_as(Expr::cust(RESERVED_SQL), "counted_reserved")
        .column_as(Expr::cust(COMMITTED_SQL), "counted_committed")
        .column_as(Expr::cust(DISBURSED_SQL), "counted_disbursed")
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, code, fiscal_year, kr, kc, kd, cr, cc, cd)| BudgetMismatch {
                id,
                code,
                fiscal_year,
                kept: Figures {
                    reserved_fen: kr,
                    committed_fen: kc,
                    disbursed_fen: kd,
                },
                counted: Figures {
                    reserved_fen: cr,
                    committed_fen: cc,
                    disbursed_fen: cd,
                },
            },
        )
        .filter(|m| m.kept != m.counted)
        .collect())
}

/// How many of a user's notifications are unseen (the header's badge): the count kept on the
/// user's row plus what queued notifications added to it since they were last folded in (see
/// [`fold_unseen_notifications`]). One statement, so one snapshot.
pub async fn unseen_notifications(db: &impl ConnectionTrait, user_id: Uuid) -> Result<i64, DbErr> {
    use crate::model::user;
    use sea_orm::FromQueryResult;
    use sea_orm::sea_query::{Alias, Func, Query};
    let (u, a) = (Alias::new("u"), Alias::new("a"));
    let added = Query::select()
        .expr(Expr::col((a.clone(), Alias::new("n"))).sum())
        .from_as(Alias::new("notification_unseen_added"), a.clone())
        .and_where(Expr::col((a, Alias::new("user_id"))).equals((u.clone(), user::Column::Id)))
        .to_owned();
    let n = Expr::col((u.clone(), user::Column::NotificationsUnseen))
        .add(Func::coalesce([
            Expr::SubQuery(None, Box::new(added.into())),
            Expr::val(0),
        ]))
        .cast_as("BIGINT");
    let stmt = Query::select()
        .expr_as(n, Alias::new("n"))
        .from_as(user::Entity, u.clone())
        .and_where(Expr::col((u, user::Column::Id)).eq(user_id))
        .to_owned();
    let row = Count::find_by_statement(db.get_database_backend().build(&stmt))
        .one(db)
        .await?;
    Ok(row.map_or(0, |r| r.n))
}

/// A count read by a statement, as `n`.
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct Count {
    pub n: i64,
}

/// A stored word of a vocabulary enum written into the statement as a literal, not bound: so a
/// statement reads as its hand-written form did (`status = 'active'`), and PostgreSQL plans it
/// with the word's statistics whatever plan it caches.
pub fn word<T: sea_orm::ActiveEnum<Value = String>>(v: T) -> Expr {
    Expr::Constant(v.to_value().into())
}

/// The words of `vs`, as [`word`] writes each.
pub fn words<T: sea_orm::ActiveEnum<Value = String>>(vs: impl IntoIterator<Item = T>) -> Vec<Expr> {
    vs.into_iter().map(word).collect()
}

/// Moves what queued notifications added to their recipients' unseen counts into the users'
/// rows (PostgreSQL; SQLite's trigger counts on the rows directly), so that the additions a
/// badge sums stay few. Answers how many additions it folded. An addition committed while this
/// runs is left for the next fold; a user opening the page meanwhile clears theirs first (see
/// `services::outbox::mark_seen`: additions before the user's row, in both).
pub async fn fold_unseen_notifications(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(0);
    }
    let done = db
        .execute_unprepared(
            "WITH gone AS (DELETE FROM notification_unseen_added RETURNING user_id, n) \
             UPDATE app_user u SET notifications_unseen = u.notifications_unseen + s.n \
             FROM (SELECT user_id, SUM(n) AS n FROM gone GROUP BY user_id) s WHERE u.id = s.user_id",
        )
        .await?;
    Ok(done.rows_affected())
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
