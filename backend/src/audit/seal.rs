//! Sealing: appending the committed unsealed events to the chain, in insertion order, under
//! the chain lock, and the background sealer that does it after writes.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use entity::model::audit_event;
use entity::rules::audit_chain::{GENESIS_HASH, chain_hash};
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Expr, ExprTrait, Query, UpdateStatement, Values, WithClause,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::chain_event;
use crate::state::AppState;

/// The key of the PostgreSQL advisory lock that orders the chain.
const CHAIN_LOCK_KEY: i64 = 0x6875_696d_696e; // "huimin"

/// How many events one sealing statement appends (5 parameters each).
const SEAL_BATCH: u64 = 1_000;

/// How long the background sealer lets writes gather after the first wakes it: fewer, larger
/// passes (readers of the chain do not wait for it; they seal for themselves).
const SEAL_GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// Appends every committed unsealed event to the chain, in insertion order, a batch per
/// transaction. Returns how many it sealed.
pub async fn seal_pending(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let n = seal_batch(db).await?;
        total += n;
        if n < SEAL_BATCH {
            return Ok(total);
        }
    }
}

/// The sealed head of the chain: its `seq` and `hash`, none before the first seal.
async fn chain_head(txn: &impl ConnectionTrait) -> Result<Option<(i64, String)>, DbErr> {
    audit_event::Entity::find()
        .select_only()
        .columns([audit_event::Column::Seq, audit_event::Column::Hash])
        .filter(audit_event::Column::Seq.is_not_null())
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .into_tuple::<(i64, String)>()
        .one(txn)
        .await
}

/// The seals of `rows`, chained after `head`: one row of the sealing statement's `VALUES` per
/// event (id, seq, prev_hash, hash, canonical).
fn seals(rows: &[audit_event::Model], head: Option<(i64, String)>) -> Result<Vec<Values>, DbErr> {
    let (mut seq, mut prev_hash) = match head {
        Some((seq, hash)) => (seq, hash),
        None => (0, GENESIS_HASH.to_string()),
    };
    let mut tuples = Vec::with_capacity(rows.len());
    for row in rows {
        seq += 1;
        let event = chain_event(row, seq, prev_hash.clone())
            .map_err(|b| DbErr::Custom(format!("audit event {}: {}", row.id, b.reason)))?;
        let canonical = event.canonical();
        let hash = chain_hash(&prev_hash, &canonical);
        tuples.push(Values(vec![
            row.id.into(),
            seq.into(),
            prev_hash.clone().into(),
            hash.clone().into(),
            canonical.into(),
        ]));
        prev_hash = hash;
    }
    Ok(tuples)
}

/// The sealing statement: `WITH v (id, seq, prev_hash, hash, canonical) AS (VALUES …) UPDATE
/// audit_event SET … FROM v WHERE audit_event.id = v.id AND audit_event.seq IS NULL`.
/// `seq IS NULL`: only unsealed rows, found through their partial index whatever the
/// statistics say of the table (stale ones, right after a bulk load, planned a scan of the
/// whole table per pass).
fn seal_statement(seals: Vec<Values>) -> UpdateStatement {
    use audit_event::Column as A;
    let v = Alias::new("v");
    let chained = [A::Seq, A::PrevHash, A::Hash, A::Canonical];
    let mut cte = CommonTableExpression::new();
    cte.table_name(v.clone())
        .column(A::Id)
        .columns(chained)
        .values(seals);
    Query::update()
        .table(audit_event::Entity)
        .values(chained.map(|k| (k, Expr::col((v.clone(), k)))))
        .from(v.clone())
        .and_where(Expr::col((audit_event::Entity, A::Id)).equals((v, A::Id)))
        .and_where(Expr::col((audit_event::Entity, A::Seq)).is_null())
        .with_cte(WithClause::new().cte(cte).to_owned())
        .to_owned()
}

async fn seal_batch(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let unsealed = || audit_event::Entity::find().filter(audit_event::Column::Seq.is_null());
    // Most calls find nothing (another pass sealed it): answer without taking the lock.
    if unsealed()
        .select_only()
        .column(audit_event::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let backend = db.get_database_backend();
    let txn = entity::queries::begin_write(db).await?;
    if backend == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})"))
            .await?;
    }
    let head = chain_head(&txn).await?;
    let rows = unsealed()
        .order_by_asc(audit_event::Column::Id)
        .limit(SEAL_BATCH)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let seal = seal_statement(seals(&rows, head)?);
    let sealed = txn.execute(&seal).await?.rows_affected();
    if sealed != rows.len() as u64 {
        // Another sealer without the chain lock? Roll back rather than leave a gap.
        return Err(DbErr::Custom(format!(
            "sealed {sealed} of {} audit events",
            rows.len()
        )));
    }
    txn.commit().await?;
    Ok(rows.len() as u64)
}

/// Seals after commit, one pass at a time per process: a caller whose events committed before
/// a pass started needs no pass of its own, so concurrent writers share passes.
pub struct Sealer {
    db: DatabaseConnection,
    gate: tokio::sync::Mutex<()>,
    /// Wakes [`Sealer::run`] after a write.
    wake: tokio::sync::Notify,
    /// Passes started / finished, numbered from 1.
    started: AtomicU64,
    finished: AtomicU64,
}

impl Sealer {
    pub fn new(db: DatabaseConnection) -> Self {
        Sealer {
            db,
            gate: tokio::sync::Mutex::new(()),
            wake: tokio::sync::Notify::new(),
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
        }
    }

    /// Returns once every event committed before the call is sealed (by this call's pass or
    /// by one that started after the call).
    pub async fn seal(&self) -> Result<(), DbErr> {
        let seen = self.started.load(Ordering::SeqCst);
        let _gate = self.gate.lock().await;
        if self.finished.load(Ordering::SeqCst) > seen {
            return Ok(());
        }
        let pass = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let outcome = seal_pending(&self.db).await;
        self.finished.store(pass, Ordering::SeqCst);
        outcome.map(|_| ())
    }

    /// Asks the background sealer ([`Sealer::run`]) for a pass, without waiting for it.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The background sealer: a pass [`SEAL_GATHER`] after a write wakes it (the writes of that
    /// while share the pass), and every `every` anyway, for events a crashed process left
    /// unsealed.
    pub async fn run(&self, every: std::time::Duration) {
        loop {
            if let Err(e) = self.seal().await {
                tracing::warn!(error = %e, "sealing the audit chain failed; retrying");
            }
            if tokio::time::timeout(every, self.wake.notified())
                .await
                .is_ok()
            {
                tokio::time::sleep(SEAL_GATHER).await;
            }
        }
    }
}

/// Middleware: after a successful write, wake the background sealer (and forget the public
/// answers kept: [`AppState::wrote`]); the answer does not wait for the sealer (readers of the
/// chain seal first). A failed pass does not undo the committed change; the next one retries
/// it.
pub async fn wake_sealer_after_write(
    State(st): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let res = next.run(req).await;
    if write && res.status().is_success() {
        st.wrote();
    }
    res
}
